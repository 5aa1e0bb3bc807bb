/*
 * test_aggregate.c - the aggregate report parser (ingest/aggregate*.c)
 * against our own fixtures (tests/fixtures/aggregate/, inline cases for
 * every row of ingest/aggregate/QUIRKS.md) and hostile input (THREATS #1-#3, #8,
 * #11, #14). The shared corpus: test_aggregate_corpus.c.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ingest/aggregate/aggregate.h"
#include "schema/util/error.h"
#include "tests/unit/helper_aggregate.h"

/* ---- inline documents ---- */

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define META_(org, id, b, e)                                                   \
	"<report_metadata>" org "<email>agg@rep.test</email><report_id>" id    \
	"</report_id>"                                                         \
	"<date_range><begin>" b "</begin><end>" e "</end></date_range>"        \
	"</report_metadata>"
#define META                                                                   \
	META_("<org_name>Rep</org_name>", "id-1", "1700000000", "1700086399")
#define PP "<policy_published><domain>example.org</domain>"
#define POL(x) PP x "</policy_published>"
#define STDPOL POL("<p>none</p>")
#define ROW(ip, n, ev)                                                         \
	"<row><source_ip>" ip "</source_ip><count>" n                          \
	"</count><policy_evaluated>" ev "</policy_evaluated></row>"
#define EV "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>"
#define IDS                                                                    \
	"<identifiers><header_from>example.org</header_from>"                  \
	"</identifiers>"
#define REC(row, auth)                                                         \
	"<record>" row IDS "<auth_results>" auth "</auth_results></record>"
#define STDREC REC(ROW("192.0.2.1", "1", EV), "")
#define DOC(meta, pol, recs) DECL "<feedback>" meta pol recs "</feedback>\n"
#define STDDOC DOC(META, STDPOL, STDREC)
#define BODY META STDPOL STDREC

struct tcase {
	const char *name;
	const char *doc;
	size_t len;        /* 0: strlen */
	int code;          /* 0: must parse; else DS_ERROR_* */
	const char *want;  /* substring of the error, or of the output */
	const char *want2; /* a second one, or NULL */
};

/* Tolerated deviations: one row per warning of ingest/aggregate/QUIRKS.md. */
static const struct tcase quirks[] = {
	{ "enum-case",
	    DOC(META, POL("<p>Quarantine</p>"),
	        REC(ROW("192.0.2.1", "1",
	                "<disposition>Pass</disposition>"
	                "<dkim>FAIL</dkim><spf>pass</spf>"),
	            "")),
	    0, 0, "warning enum-case: disposition 'Pass'",
	    "disp=pass dkim=fail" },
	{ "off-schema-result",
	    DOC(META, STDPOL,
	        REC(ROW("192.0.2.1", "1", EV),
	            "<spf><domain>example.org</domain><result>hardfail</result>"
	            "</spf>")),
	    0, 0,
	    "warning off-schema-result: spf result "
	    "'hardfail'",
	    "spf[example.org/-/hardfail/-]" },
	{ "off-schema-value", DOC(META, POL("<p>invalid-policy</p>"), STDREC),
	    0, 0, "warning off-schema-value: p 'invalid-policy'",
	    " p=invalid-policy " },
	{ "whitespace",
	    DOC(META, STDPOL, REC(ROW("\t192.0.2.1 ", " 5\t", EV), "")), 0, 0,
	    "warning whitespace: count", "ip=192.0.2.1 n=5 " },
	{ "empty-element",
	    DOC(META, POL("<p>none</p><sp></sp>"),
	        REC(ROW("", "0",
	                "<disposition/><dkim>pass</dkim><spf>pass</spf>"),
	            "")),
	    0, 0,
	    "warning empty-element: sp\nwarning empty-element: "
	    "source_ip\nwarning empty-element: disposition\n",
	    "rec ip=- n=0 disp=- " },
	{ "missing-element",
	    DOC(META, STDPOL,
	        "<record><row><count>2</count>"
	        "</row>" IDS "<auth_results><dkim><domain>example.org</domain>"
	        "</dkim></auth_results></record>"),
	    0, 0, "warning missing-element: dkim result",
	    "warning missing-element: source_ip" },
	{ "missing-org-name",
	    DOC(META_("", "id-1", "1700000000", "1700086399"), STDPOL, STDREC),
	    0, 0, "warning missing-org-name: derived 'rep.test' from <email>",
	    " org=rep.test " },
	{ "decimal-timestamp",
	    DOC(META_("<org_name>Rep</org_name>", "id-1", "1337270400.0",
	            "1337356799.75"),
	        STDPOL, STDREC),
	    0, 0, "warning decimal-timestamp: begin '1337270400.0'",
	    "range=1337270400-1337356799 " },
	{ "date-implausible",
	    DOC(META_("<org_name>Rep</org_name>", "id-1", "0", "1700000000"),
	        STDPOL, STDREC),
	    0, 0, "warning date-implausible: begin 0 is before 2012-01-01",
	    NULL },
	{ "bad-value", DOC(META, POL("<p>none</p><pct>200</pct>"), STDREC), 0,
	    0, "warning bad-value: pct '200'", " pct=-1 " },
	{ "bad-source-ip",
	    DOC(META, STDPOL, REC(ROW("108r.166.27.220", "1", EV), "")), 0, 0,
	    "warning bad-source-ip: '108r.166.27.220'", "ip=108r.166.27.220 " },
	{ "canonical-ipv6",
	    DOC(META, STDPOL, REC(ROW("2001:DB8:0:0::1", "1", EV), "")), 0, 0,
	    "ip=2001:db8::1 ", NULL },
	{ "ipv4-mapped",
	    DOC(META, STDPOL, REC(ROW("::FFFF:192.0.2.7", "1", EV), "")), 0, 0,
	    "ip=192.0.2.7 ", NULL },
	{ "octal-ipv4",
	    DOC(META, STDPOL, REC(ROW("010.001.002.003", "1", EV), "")), 0, 0,
	    "ip=010.001.002.003 ", "bad-source-ip: '010.001.002.003'" },
	{ "duplicate-element",
	    DOC(META,
	        POL("<p>none</p><sp>none</sp>"
	            "<sp>reject</sp>"),
	        STDREC),
	    0, 0, "warning duplicate-element: sp", " sp=none " },
	{ "misplaced-element",
	    DOC(META, STDPOL,
	        "<record><source_ip>"
	        "192.0.2.7</source_ip><count>4</count>" IDS "</record>"),
	    0, 0, "warning misplaced-element: source_ip", "ip=192.0.2.7 n=4 " },
	{ "unknown-element",
	    DOC(META, STDPOL,
	        "<record>" ROW("192.0.2.1", "1", EV) IDS
	        "<color shade=\"a&amp;b\">red &lt;x&gt;</color>"
	        "</record>"),
	    0, 0, "warning unknown-element: color",
	    "ext=<color shade=\"a&amp;b\">red &lt;x&gt;</color>\n" },
	{ "unknown-namespace",
	    DECL "<feedback xmlns=\"http://other.test/x\">" BODY "</feedback>",
	    0, 0, "warning unknown-namespace: 'http://other.test/x'", "n=1 " },
	{ "legacy-element",
	    DECL "<feedback xmlns=\"urn:ietf:params:xml:ns:"
	         "dmarc-2.0\">" META POL("<p>none</p><pct>100</pct>") STDREC
	    "</feedback>",
	    0, 0, "warning legacy-element: pct", "format=rfc9990 " },
	{ "stray-text", DOC(META, POL("<p>none</p><sp>none</sp>11"), STDREC), 0,
	    0, "warning stray-text: '11'", NULL },
	{ "wrapped-feedback",
	    DECL "<reports>\n<feedback>" BODY "</feedback>\n</reports>\n", 0, 0,
	    "warning wrapped-feedback: inside <reports>", "n=1 " },
	{ "unclosed-wrapper",
	    DECL "<reports>\n<feedback>" BODY "</feedback>\n\n", 0, 0,
	    "warning unclosed-wrapper: <reports> is never closed", "n=1 " },
	{ "unclosed-wrapper-prefixed",
	    DECL "<x:reports xmlns:x=\"urn:x\"><feedback>" BODY "</feedback>",
	    0, 0, "warning unclosed-wrapper: <x:reports> is never closed",
	    "n=1 " },
	{ "leading-junk", "Content-Type: text/xml\r\n\r\n" STDDOC, 0, 0,
	    "warning leading-junk: 26 bytes before the XML", "n=1 " },
	{ "trailing-junk", STDDOC "\r\n--b0undary--\r\n", 0, 0,
	    "warning trailing-junk: 12 bytes after the root element", NULL },
	{ "invalid-utf8",
	    DOC(META_("<org_name>M\xfcller \x80 GmbH</org_name>", "id-1",
	            "1700000000", "1700086399"),
	        STDPOL, STDREC),
	    0, 0, " org=M\xc3\xbcller \xe2\x82\xac GmbH ",
	    "warning invalid-utf8: 2 bytes read as windows-1252" },
	{ "control-char",
	    DOC(META_("<org_name>A\x01"
	              "B</org_name>",
	            "id-1", "1700000000", "1700086399"),
	        STDPOL, STDREC),
	    0, 0,
	    " org=A\xef\xbf\xbd"
	    "B ",
	    "warning control-char: 1 NUL or control characters replaced" },
	{ "prefixed-root",
	    DECL "<ns1:feedback xmlns:ns1=\"http://dmarc.org/"
	         "dmarc-xml/0.1\">" BODY "</ns1:feedback>",
	    0, 0, "format=rfc7489 ", "n=1 " },
	{ "single-quoted-declaration",
	    "<?xml version='1.0' encoding='utf-8'"
	    "?><feedback>" BODY "</feedback>",
	    0, 0, "n=1 ", NULL },
	{ "windows-1252",
	    "<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
	    "<feedback>" META_("<org_name>M\xfcller \x80</org_name>", "id-1",
	        "1700000000", "1700086399") STDPOL STDREC "</feedback>",
	    0, 0, " org=M\xc3\xbcller \xe2\x82\xac ", NULL },
	{ "sql-injection-id",
	    DOC(META_("<org_name>&lt;script&gt;alert(1)"
	              "&lt;/script&gt;</org_name>",
	            "x'); DROP TABLE report;--", "1700000000", "1700086399"),
	        STDPOL, STDREC),
	    0, 0, " id=x'); DROP TABLE report;-- ",
	    " org=<script>alert(1)</script> " },
	{ "max-count",
	    DOC(META, STDPOL,
	        REC(ROW("192.0.2.1", "9223372036854775807", EV), "")),
	    0, 0, " n=9223372036854775807 ", NULL },
};

/* Rejected documents. */
static const struct tcase rejects[] = {
	/* THREATS #21: the plausible-date window (issue 13 items 1, 3) */
	{ "end-far-future",
	    DOC(META_("<org_name>Rep</org_name>", "id-1", "1700000000",
	            "9223372036854775807"),
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "ends more than a day in the future", NULL },
	{ "end-2108",
	    DOC(META_("<org_name>Rep</org_name>", "id-1", "1700000000",
	            "4354646400"),
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "not a plausible report date", NULL },
	{ "wrong root", DECL "<invalid><x/></invalid>", 0, DS_ERROR_SCHEMA,
	    "root element is <invalid>, not <feedback>", NULL },
	{ "empty root", "<invalid/>", 0, DS_ERROR_SCHEMA,
	    "root element is <invalid>", NULL },
	{ "no report_id",
	    DOC(META_("<org_name>R</org_name>", "", "1", "2"), STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "no <report_id>", NULL },
	{ "no domain",
	    DOC(META,
	        "<policy_published><p>none</p>"
	        "</policy_published>",
	        STDREC),
	    0, DS_ERROR_SCHEMA, "no <domain> in <policy_published>", NULL },
	{ "no date range",
	    DOC("<report_metadata><org_name>R</org_name>"
	        "<report_id>i</report_id></report_metadata>",
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "no usable <date_range>", NULL },
	{ "begin after end",
	    DOC(META_(
	            "<org_name>R</org_name>", "i", "1700086399", "1700000000"),
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "begins after it ends: 1700086399 > 1700000000",
	    NULL },
	{ "non-numeric begin",
	    DOC(META_("<org_name>R</org_name>", "i", "17x0", "1700000000"),
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "<begin> is not a timestamp: '17x0'",
	    "line 2:" },
	{ "negative begin",
	    DOC(META_("<org_name>R</org_name>", "i", "-5", "1700000000"),
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "<begin> is not a timestamp: '-5'", NULL },
	{ "non-numeric count",
	    DOC(META, STDPOL, REC(ROW("192.0.2.1", "many", EV), "")), 0,
	    DS_ERROR_SCHEMA, "<count> is not a number: 'many'", NULL },
	{ "negative count",
	    DOC(META, STDPOL, REC(ROW("192.0.2.1", "-1", EV), "")), 0,
	    DS_ERROR_SCHEMA, "<count> is negative: '-1'", NULL },
	{ "count 2^64-1",
	    DOC(META, STDPOL,
	        REC(ROW("192.0.2.1", "18446744073709551615", EV), "")),
	    0, DS_ERROR_SCHEMA, "<count> is too large: '18446744073709551615'",
	    NULL },
	{ "count 2^63",
	    DOC(META, STDPOL,
	        REC(ROW("192.0.2.1", "9223372036854775808", EV), "")),
	    0, DS_ERROR_SCHEMA, "<count> is too large", NULL },
	{ "decimal count",
	    DOC(META, STDPOL, REC(ROW("192.0.2.1", "2.0", EV), "")), 0,
	    DS_ERROR_SCHEMA, "<count> is not a number: '2.0'", NULL },
	{ "empty count", DOC(META, STDPOL, REC(ROW("192.0.2.1", "", EV), "")),
	    0, DS_ERROR_SCHEMA, "<count> is empty", NULL },
	{ "no count", DOC(META, STDPOL, "<record>" IDS "</record>"), 0,
	    DS_ERROR_SCHEMA, "record 1 has no <count>", NULL },
	{ "no record", DOC(META, STDPOL, ""), 0, DS_ERROR_SCHEMA,
	    "no <record> in the report", NULL },
	{ "report_id twice",
	    DOC(META "<report_metadata><report_id>other"
	             "</report_id></report_metadata>",
	        STDPOL, STDREC),
	    0, DS_ERROR_SCHEMA, "<report_id> given twice: 'id-1' and 'other'",
	    NULL },
	{ "two feedbacks in a wrapper",
	    DECL "<r><feedback>" BODY "</feedback>"
	         "<feedback>" BODY "</feedback></r>",
	    0, DS_ERROR_SCHEMA, "several <feedback> elements", NULL },
	/* an unclosed wrapper is tolerated only right after </feedback> */
	{ "unclosed wrapper, report cut", DECL "<reports>\n<feedback>" BODY,
	    0, DS_ERROR_XML, "not well-formed XML", NULL },
	{ "unclosed wrapper, junk after", DECL "<reports>\n<feedback>" BODY
	    "</feedback><<x", 0, DS_ERROR_XML, "not well-formed XML", NULL },
	{ "unclosed feedback", DECL "<feedback>" BODY, 0, DS_ERROR_XML,
	    "not well-formed XML", NULL },
	{ "two documents", STDDOC STDDOC, 0, DS_ERROR_XML,
	    "another element follows the root element", NULL },
	{ "mismatched tag",
	    DECL "<feedback>\n<report_metadata>\n"
	         "<org_name>R</org_name>\n</feedback>\n",
	    0, DS_ERROR_XML,
	    "line 5: not well-formed XML: Opening and ending tag mismatch",
	    NULL },
	{ "unescaped <",
	    DOC(META_("<org_name>a<b</org_name>", "i", "1", "2"), STDPOL,
	        STDREC),
	    0, DS_ERROR_XML, "not well-formed XML", NULL },
	{ "undeclared entity",
	    DOC(META_("<org_name>&x;</org_name>", "i", "1", "2"), STDPOL,
	        STDREC),
	    0, DS_ERROR_XML, "'x'", NULL },
	{ "not XML", "This is not XML at all\nJust text\n", 0, DS_ERROR_XML,
	    "not well-formed XML", NULL },
	{ "empty input", "", 0, DS_ERROR_XML, "XML", NULL },
	{ "internal DOCTYPE", DECL "<!DOCTYPE feedback>\n" STDDOC, 0,
	    DS_ERROR_XML, "line 2: DOCTYPE is not allowed", NULL },
	{ "NUL in a tag",
	    DECL "<feedback>" META "<policy_published\0>" STDPOL STDREC
	         "</feedback>",
	    sizeof(DECL "<feedback>" META "<policy_published\0>" STDPOL STDREC
	                "</feedback>") -
	        1,
	    DS_ERROR_XML, "not well-formed XML", NULL },
};

static void
run_cases(const struct tcase *t, size_t n)
{
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	size_t i;
	bool ok;

	for (i = 0; i < n; i++) {
		tagg_got_init(&g);
		ok = tagg_parse(t[i].doc, t[i].len, NULL, &g, &m, &e);
		if (t[i].code == 0) {
			if (!ok)
				fail_msg("%s: %s", t[i].name, e->message);
			if (strstr(g.text->str, t[i].want) == NULL ||
			    (t[i].want2 && !strstr(g.text->str, t[i].want2)))
				fail_msg("%s: want '%s' / '%s' in:\n%s",
				    t[i].name, t[i].want,
				    t[i].want2 ? t[i].want2 : "", g.text->str);
		} else {
			if (ok)
				fail_msg(
				    "%s: parsed:\n%s", t[i].name, g.text->str);
			if (e->domain != DS_ERROR || e->code != t[i].code ||
			    strstr(e->message, t[i].want) == NULL ||
			    (t[i].want2 && !strstr(e->message, t[i].want2)) ||
			    strchr(e->message, '\n'))
				fail_msg("%s: got [%d] %s", t[i].name, e->code,
				    e->message);
		}
		g_clear_error(&e);
		ds_report_meta_clear(&m);
		tagg_got_free(&g);
	}
}

static void
test_quirks(void **state)
{
	run_cases(quirks, G_N_ELEMENTS(quirks));
}

static void
test_rejects(void **state)
{
	run_cases(rejects, G_N_ELEMENTS(rejects));
}

/* Parse a fixture file and compare the whole output. */
static void
check_fixture(const char *name, const char *want)
{
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	size_t len;
	char *doc;

	doc = tagg_fixture(name, &len);
	tagg_got_init(&g);
	if (!tagg_parse(doc, len, NULL, &g, &m, &e))
		fail_msg("%s: %s", name, e->message);
	if (strcmp(g.text->str, want) != 0)
		fail_msg("%s: got\n%s\nwant\n%s", name, g.text->str, want);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
	g_free(doc);
}

static void
test_legacy(void **state)
{
	check_fixture("legacy.xml",
	    "rec ip=192.0.2.10 n=17 disp=none dkim=pass spf=fail"
	    " reason=forwarded comment=via list reason=sampled_out comment=-"
	    " to=reporter-one.test from=bounce.example.org hfrom=example.org"
	    " dkim[example.org/s2023/pass/good signature]"
	    " dkim[esp.example.net/-/fail/-]"
	    " spf[bounce.example.org/mfrom/softfail/-]"
	    " spf[mx.example.org/helo/pass/-] ext=-\n"
	    "rec ip=2001:db8::25 n=3 disp=quarantine dkim=fail spf=fail"
	    " to=- from=- hfrom=example.org spf[example.org/-/fail/-] ext=-\n"
	    "format=rfc7489 version=1.0 org=Reporter One"
	    " email=dmarc-noreply@reporter-one.test"
	    " extra=https://reporter-one.test/help id=legacy-0001 gen=-"
	    " range=1700006400-1700092799"
	    " error=lookup of one policy timed out domain=example.org"
	    " adkim=r aspf=s p=quarantine sp=none np=- pct=50 fo=1 disc=-"
	    " testing=- ext=-\n");
}

static void
test_rfc9990(void **state)
{
	check_fixture("rfc9990.xml",
	    "rec ip=2001:db8::1 n=9 disp=pass dkim=pass spf=pass"
	    " reason=policy_test_mode comment=- to=- from=example.org"
	    " hfrom=example.org dkim[example.org/k1/pass/-]"
	    " spf[example.org/mfrom/pass/sender authorised]"
	    " ext=<acme:note xmlns:acme=\"https://acme.test/dmarc-ext\">kept"
	    " &lt;raw&gt;</acme:note>\n"
	    "format=rfc9990 version=1.0 org=Reporter Two"
	    " email=agg@reporter-two.test extra=- id=bis-42"
	    " gen=Reporter Two aggregator 3.1 range=1750000000-1750086399"
	    " domain=example.org adkim=s aspf=r p=reject sp=quarantine"
	    " np=reject pct=-1 fo=- disc=treewalk testing=y"
	    " ext=<extension xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"
	    "    <acme:region tier=\"gold &amp; more\""
	    " xmlns:acme=\"https://acme.test/dmarc-ext\">eu-west</acme:region>"
	    "\n  </extension>\n"
	    "warning unknown-element: acme:note\n");
}

/* ---- THREATS #1, #2, #3 ---- */

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
expect_fast_xml_error(const char *doc, size_t len, const char *want)
{
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	gint64 t0;
	long rss0;

	rss0 = peak_rss_kb();
	t0 = g_get_monotonic_time();
	tagg_got_init(&g);
	assert_false(tagg_parse(doc, len, NULL, &g, &m, &e));
	if (strstr(e->message, want) == NULL)
		fail_msg("got %s, want %s", e->message, want);
	assert_int_equal(g.records, 0);
	assert_true(m.org_name == NULL || strstr(m.org_name, "root:") == NULL);
	/* milliseconds, a few MB (generous for sanitizer builds) */
	assert_true(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
	assert_true(peak_rss_kb() - rss0 < 64 * 1024);
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
}

static void
test_xxe(void **state)
{
	char *doc, *passwd = NULL, *u16, *bom;
	size_t len;
	gsize n16;
	xmlDocPtr d;
	xmlChar *out = NULL;
	int outlen = 0;

	/* the attack is real here: /etc/passwd has what we must not leak */
	assert_true(g_file_get_contents("/etc/passwd", &passwd, NULL, NULL));
	assert_non_null(strstr(passwd, "root:"));
	g_free(passwd);

	doc = tagg_fixture("xxe.xml", &len);
	expect_fast_xml_error(doc, len, "line 2: DOCTYPE is not allowed");

	/* UTF-16 passes the byte filter: the reader's own wall stops it */
	u16 =
	    g_convert(doc, (gssize)len, "UTF-16LE", "UTF-8", NULL, &n16, NULL);
	assert_non_null(u16);
	bom = g_malloc(n16 + 2);
	memcpy(bom, "\xff\xfe", 2);
	memcpy(bom + 2, u16, n16);
	expect_fast_xml_error(bom, n16 + 2, "DOCTYPE is not allowed");
	g_free(bom);
	g_free(u16);

	/* the deny-all entity loader is installed for the whole process:
	 * even a careless NOENT|DTDLOAD parse elsewhere cannot read files */
	d = xmlReadMemory(doc, (int)len, NULL, NULL,
	    XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOERROR |
	        XML_PARSE_NOWARNING);
	if (d) {
		xmlDocDumpMemory(d, &out, &outlen);
		assert_null(strstr((char *)out, "root:"));
		xmlFree(out);
		xmlFreeDoc(d);
	}
	g_free(doc);
}

static void
test_entity_bombs(void **state)
{
	GString *q;
	char *doc;
	size_t len;
	int i;

	doc = tagg_fixture("billion-laughs.xml", &len);
	expect_fast_xml_error(doc, len, "DOCTYPE is not allowed");
	g_free(doc);

	/* quadratic blowup: one 100 KB entity referenced 10 000 times */
	q = g_string_new(DECL "<!DOCTYPE feedback [<!ENTITY a \"");
	for (i = 0; i < 100000; i++)
		g_string_append_c(q, 'a');
	g_string_append(q, "\">]>\n<feedback><report_metadata><org_name>");
	for (i = 0; i < 10000; i++)
		g_string_append(q, "&a;");
	g_string_append(q, "</org_name></report_metadata></feedback>\n");
	expect_fast_xml_error(q->str, q->len, "DOCTYPE is not allowed");
	g_string_free(q, TRUE);
}

static void
test_deep_nesting(void **state)
{
	GString *d = g_string_new("<feedback>");
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	gint64 t0;
	int i;

	for (i = 0; i < 100000; i++)
		g_string_append(d, "<a>");
	for (i = 0; i < 100000; i++)
		g_string_append(d, "</a>");
	g_string_append(d, "</feedback>");
	tagg_got_init(&g);
	t0 = g_get_monotonic_time();
	assert_false(tagg_parse(d->str, d->len, NULL, &g, &m, &e));
	assert_true(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "nested deeper than 16"));
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
	g_string_free(d, TRUE);
}

/* ---- limits, callbacks, streaming ---- */

static void
test_limits(void **state)
{
	struct ds_limits lim;
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	const char *two = DOC(META, STDPOL, STDREC STDREC);
	const char *ext = DECL
	    "<feedback>" META STDPOL
	    "<extension><big>0123456789012345678901234567890123456789</big>"
	    "</extension>" STDREC "</feedback>";
	GString *rep;
	int i;

	ds_limits_default(&lim);
	lim.max_records = 1;
	tagg_got_init(&g);
	assert_false(tagg_parse(two, 0, &lim, &g, &m, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "more than 1 records"));
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);

	ds_limits_default(&lim);
	lim.max_text = 8; /* "Rep" fits, "example.org" does not */
	tagg_got_init(&g);
	assert_false(tagg_parse(two, 0, &lim, &g, &m, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "is longer than 8 bytes"));
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);

	/* THREATS #14: repeated parts of one record stay bounded */
	rep = g_string_new(DECL "<feedback>" META STDPOL "<record>" ROW(
	    "192.0.2.1", "1", EV) IDS "<auth_results>");
	for (i = 0; i < 1001; i++)
		g_string_append(rep, "<dkim><domain>d.test</domain>"
		                     "<result>pass</result></dkim>");
	g_string_append(rep, "</auth_results></record></feedback>");
	tagg_got_init(&g);
	assert_false(tagg_parse(rep->str, rep->len, NULL, &g, &m, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "record 1: more than 1000 <dkim>"));
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
	g_string_free(rep, TRUE);

	/* an oversized extension is dropped whole, the report kept */
	ds_limits_default(&lim);
	lim.max_text = 40;
	tagg_got_init(&g);
	assert_true(tagg_parse(ext, 0, &lim, &g, &m, &e));
	assert_null(m.extensions);
	assert_non_null(strstr(
	    g.text->str, "warning extension-dropped: larger than 40 bytes"));
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
}

static void
test_callbacks(void **state)
{
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	const char *two = DOC(META, STDPOL, STDREC STDREC);

	/* a duplicate stops the parse before any record */
	tagg_got_init(&g);
	g.meta_fail = g_error_new(DS_ERROR, DS_ERROR_DUP, "already stored");
	assert_false(
	    ds_aggregate_parse(&m, two, strlen(two), NULL, &tagg_cbs, &g, &e));
	assert_int_equal(e->code, DS_ERROR_DUP);
	assert_int_equal(g.metas, 1);
	assert_int_equal(g.records, 0);
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);

	/* a record refused stops at that record, with its error */
	tagg_got_init(&g);
	g.record_fail_at = 1;
	assert_false(
	    ds_aggregate_parse(&m, two, strlen(two), NULL, &tagg_cbs, &g, &e));
	assert_int_equal(e->code, DS_ERROR_DB);
	assert_int_equal(g.records, 1);
	g_clear_error(&e);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);

	/* no callbacks at all */
	assert_true(
	    ds_aggregate_parse(&m, two, strlen(two), NULL, NULL, NULL, &e));
	assert_string_equal(m.report_id, "id-1");
	ds_report_meta_clear(&m);
}

static void
test_streaming(void **state)
{
	static const char *const files[] = { "legacy.xml", "rfc9990.xml",
		"xxe.xml" };
	struct ds_report_meta m;
	struct chunks c;
	struct got g;
	GError *e = NULL;
	char *doc;
	size_t i, len;

	for (i = 0; i < G_N_ELEMENTS(quirks); i++)
		tagg_same_both_ways(quirks[i].name, quirks[i].doc,
		    quirks[i].len ? quirks[i].len : strlen(quirks[i].doc));
	for (i = 0; i < G_N_ELEMENTS(rejects); i++)
		tagg_same_both_ways(rejects[i].name, rejects[i].doc,
		    rejects[i].len ? rejects[i].len : strlen(rejects[i].doc));
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		doc = tagg_fixture(files[i], &len);
		tagg_same_both_ways(files[i], doc, len);
		g_free(doc);
	}

	/* the source's own error (a decompression limit) comes through */
	doc = tagg_fixture("legacy.xml", &len);
	memset(&c, 0, sizeof(c));
	c.buf = doc;
	c.len = len;
	c.step = 1;
	c.fail_at = 1000;
	tagg_got_init(&g);
	assert_false(ds_aggregate_parse_io(&m, tagg_chunk_read, &c,
	    tagg_chunk_error, NULL, &tagg_cbs, &g, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_string_equal(e->message, "decompressed size exceeds limit");
	g_clear_error(&e);
	g_clear_error(&c.err);
	ds_report_meta_clear(&m);
	tagg_got_free(&g);
	g_free(doc);
}

static void
test_sniff(void **state)
{
	static const char u16[] = "\xff\xfe<\0?\0x\0m\0l\0?\0>\0<\0f\0e\0e\0d\0"
	                          "b\0a\0c\0k\0>\0";

	assert_true(ds_aggregate_sniff(STDDOC, strlen(STDDOC)));
	assert_true(ds_aggregate_sniff("<ns1:feedback xmlns:ns1='x'>", 28));
	assert_true(ds_aggregate_sniff("junk\r\n\r\n<feedback>", 18));
	assert_true(ds_aggregate_sniff(u16, sizeof(u16) - 1));
	assert_false(
	    ds_aggregate_sniff("<?xml version=\"1.0\"?><invalid/>", 31));
	assert_false(ds_aggregate_sniff("<feedback_x>", 12));
	assert_false(ds_aggregate_sniff("{\"organization-name\": \"x\"}", 26));
	assert_false(ds_aggregate_sniff("", 0));
	assert_false(ds_aggregate_sniff(NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_rfc9990),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_xxe),
		cmocka_unit_test(test_entity_bombs),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
