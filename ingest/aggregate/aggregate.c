/*
 * aggregate.c - streaming parser for DMARC aggregate reports: RFC 7489
 * appendix C and RFC 9990 (urn:ietf:params:xml:ns:dmarc-2.0), with the
 * quirks of ingest/aggregate/QUIRKS.md.
 * SPDX-License-Identifier: MIT
 *
 * libxml2's xmlTextReader over aggregate_input.c's byte filter, with
 * XML_PARSE_NONET and none of NOENT, DTDLOAD, DTDATTR, DTDVALID,
 * XINCLUDE or HUGE; a DOCTYPE is refused (THREATS #1, #2), external
 * entities hit a deny-all loader, depth is capped (THREATS #3), records
 * are handed out as each </record> closes and then freed, so memory
 * does not grow with the report. Elements are matched by local name in
 * no namespace, the 0.1 or 2.0 namespace or the root's namespace;
 * anything else is kept as raw XML with a warning.
 */
#include <stdarg.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "ingest/aggregate/aggregate_int.h"
#include "schema/util/error.h"

#define MAX_DEPTH 256
#define NS_DMARC_01 "http://dmarc.org/dmarc-xml/0.1"
#define NS_DMARC_20 "urn:ietf:params:xml:ns:dmarc-2.0"

/* THREATS #1-#3: never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE */
#define READER_OPTIONS                                                         \
	(XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |             \
	    XML_PARSE_BIG_LINES)

static const struct child {
	enum ds_agg_ctx parent;
	const char *name;
	enum ds_agg_ctx ctx;
	enum ds_agg_field field;
	bool misplaced; /* where old drafts and odd senders put it */
} children[] = {
	{ DS_AGG_FEEDBACK, "version", DS_AGG_LEAF, DS_F_VERSION, false },
	{ DS_AGG_FEEDBACK, "report_metadata", DS_AGG_META, 0, false },
	{ DS_AGG_FEEDBACK, "policy_published", DS_AGG_POLICY, 0, false },
	{ DS_AGG_FEEDBACK, "record", DS_AGG_RECORD, 0, false },
	{ DS_AGG_META, "org_name", DS_AGG_LEAF, DS_F_ORG_NAME, false },
	{ DS_AGG_META, "email", DS_AGG_LEAF, DS_F_EMAIL, false },
	{ DS_AGG_META, "extra_contact_info", DS_AGG_LEAF, DS_F_EXTRA, false },
	{ DS_AGG_META, "report_id", DS_AGG_LEAF, DS_F_REPORT_ID, false },
	{ DS_AGG_META, "date_range", DS_AGG_DATE, 0, false },
	{ DS_AGG_META, "error", DS_AGG_LEAF, DS_F_ERROR, false },
	{ DS_AGG_META, "generator", DS_AGG_LEAF, DS_F_GENERATOR, false },
	{ DS_AGG_DATE, "begin", DS_AGG_LEAF, DS_F_BEGIN, false },
	{ DS_AGG_DATE, "end", DS_AGG_LEAF, DS_F_END, false },
	{ DS_AGG_POLICY, "domain", DS_AGG_LEAF, DS_F_DOMAIN, false },
	{ DS_AGG_POLICY, "adkim", DS_AGG_LEAF, DS_F_ADKIM, false },
	{ DS_AGG_POLICY, "aspf", DS_AGG_LEAF, DS_F_ASPF, false },
	{ DS_AGG_POLICY, "p", DS_AGG_LEAF, DS_F_P, false },
	{ DS_AGG_POLICY, "sp", DS_AGG_LEAF, DS_F_SP, false },
	{ DS_AGG_POLICY, "np", DS_AGG_LEAF, DS_F_NP, false },
	{ DS_AGG_POLICY, "pct", DS_AGG_LEAF, DS_F_PCT, false },
	{ DS_AGG_POLICY, "fo", DS_AGG_LEAF, DS_F_FO, false },
	{ DS_AGG_POLICY, "discovery_method", DS_AGG_LEAF, DS_F_DISCOVERY,
	    false },
	{ DS_AGG_POLICY, "testing", DS_AGG_LEAF, DS_F_TESTING, false },
	{ DS_AGG_RECORD, "row", DS_AGG_ROW, 0, false },
	{ DS_AGG_RECORD, "identifiers", DS_AGG_IDENT, 0, false },
	{ DS_AGG_RECORD, "auth_results", DS_AGG_AUTH, 0, false },
	{ DS_AGG_RECORD, "source_ip", DS_AGG_LEAF, DS_F_SOURCE_IP, true },
	{ DS_AGG_RECORD, "count", DS_AGG_LEAF, DS_F_COUNT, true },
	{ DS_AGG_RECORD, "policy_evaluated", DS_AGG_EVAL, 0, true },
	{ DS_AGG_ROW, "source_ip", DS_AGG_LEAF, DS_F_SOURCE_IP, false },
	{ DS_AGG_ROW, "count", DS_AGG_LEAF, DS_F_COUNT, false },
	{ DS_AGG_ROW, "policy_evaluated", DS_AGG_EVAL, 0, false },
	{ DS_AGG_ROW, "identifiers", DS_AGG_IDENT, 0, true },
	{ DS_AGG_ROW, "auth_results", DS_AGG_AUTH, 0, true },
	{ DS_AGG_EVAL, "disposition", DS_AGG_LEAF, DS_F_DISPOSITION, false },
	{ DS_AGG_EVAL, "dkim", DS_AGG_LEAF, DS_F_EVAL_DKIM, false },
	{ DS_AGG_EVAL, "spf", DS_AGG_LEAF, DS_F_EVAL_SPF, false },
	{ DS_AGG_EVAL, "reason", DS_AGG_REASON, 0, false },
	{ DS_AGG_REASON, "type", DS_AGG_LEAF, DS_F_REASON_TYPE, false },
	{ DS_AGG_REASON, "comment", DS_AGG_LEAF, DS_F_REASON_COMMENT, false },
	{ DS_AGG_IDENT, "envelope_to", DS_AGG_LEAF, DS_F_ENV_TO, false },
	{ DS_AGG_IDENT, "envelope_from", DS_AGG_LEAF, DS_F_ENV_FROM, false },
	{ DS_AGG_IDENT, "header_from", DS_AGG_LEAF, DS_F_HEADER_FROM, false },
	{ DS_AGG_AUTH, "dkim", DS_AGG_DKIM, 0, false },
	{ DS_AGG_AUTH, "spf", DS_AGG_SPF, 0, false },
	{ DS_AGG_DKIM, "domain", DS_AGG_LEAF, DS_F_DKIM_DOMAIN, false },
	{ DS_AGG_DKIM, "selector", DS_AGG_LEAF, DS_F_DKIM_SELECTOR, false },
	{ DS_AGG_DKIM, "result", DS_AGG_LEAF, DS_F_DKIM_RESULT, false },
	{ DS_AGG_DKIM, "human_result", DS_AGG_LEAF, DS_F_DKIM_HUMAN, false },
	{ DS_AGG_SPF, "domain", DS_AGG_LEAF, DS_F_SPF_DOMAIN, false },
	{ DS_AGG_SPF, "scope", DS_AGG_LEAF, DS_F_SPF_SCOPE, false },
	{ DS_AGG_SPF, "result", DS_AGG_LEAF, DS_F_SPF_RESULT, false },
	{ DS_AGG_SPF, "human_result", DS_AGG_LEAF, DS_F_SPF_HUMAN, false },
};

/* THREATS row "libxml2" note: a second wall behind the missing DTD
 * options; any external entity or DTD load gets nothing. */
static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

/* children[] is grouped by parent: where each parent's rows start */
static size_t child_start[DS_AGG_RAW + 1];

static void
index_children(void)
{
	bool seen[DS_AGG_RAW + 1] = { false };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(children); i++) {
		if (i > 0 && children[i].parent == children[i - 1].parent)
			continue;
		g_assert(!seen[children[i].parent]); /* rows must be grouped */
		seen[children[i].parent] = true;
		child_start[children[i].parent] = i;
	}
}

static void
init_once(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		index_children();
		xmlInitParser();
		xmlSetExternalEntityLoader(deny_loader);
		g_once_init_leave(&done, 1);
	}
}

/* libxml2 errors with a parser context: keep the first, with its line */
static void
structured_error(void *ctx, xmlErrorPtr e)
{
	struct ds_agg *st = ctx;

	if (e == NULL || e->level < XML_ERR_ERROR || st->xml_msg)
		return;
	st->xml_line = e->line;
	st->xml_msg = g_strdup(e->message ? e->message : "parse error");
	g_strchomp(st->xml_msg);
}

static void generic_error(void *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* libxml2 errors without one (encoding conversion): keep the text */
static void
generic_error(void *ctx, const char *fmt, ...)
{
	struct ds_agg *st = ctx;
	va_list ap;

	if (st->xml_generic->len > 200)
		return;
	va_start(ap, fmt);
	g_string_append_vprintf(st->xml_generic, fmt, ap);
	va_end(ap);
}

static bool
ours(const struct ds_agg *st, const char *ns)
{
	return ns == NULL || *ns == '\0' || strcmp(ns, NS_DMARC_01) == 0 ||
	       strcmp(ns, NS_DMARC_20) == 0 ||
	       (st->root_ns && strcmp(ns, st->root_ns) == 0);
}

static bool
open_feedback(struct ds_agg *st, const char *ns)
{
	char *q;

	if (st->feedback_seen)
		return ds_agg_fail(
		    st, DS_ERROR_SCHEMA, "several <feedback> elements");
	st->feedback_seen = true;
	st->root_ns = g_strdup(ns && *ns ? ns : NULL);
	if (ns && strcmp(ns, NS_DMARC_20) == 0)
		st->m->format = DS_FORMAT_RFC9990;
	else if (ns && *ns && strcmp(ns, NS_DMARC_01) != 0) {
		q = ds_agg_q(ns);
		ds_report_warn(st->m, "unknown-namespace: '%s'", q);
		g_free(q);
	}
	return true;
}

static bool
wrong_root(struct ds_agg *st)
{
	char *q = ds_agg_q(st->root_name);
	bool ok;

	ok = ds_agg_fail(st, DS_ERROR_SCHEMA,
	    "root element is <%s>, not "
	    "<feedback>",
	    q);
	g_free(q);
	return ok;
}

/* What the element at the reader's position is, below parent. */
static enum ds_agg_ctx
classify(struct ds_agg *st, enum ds_agg_ctx parent, enum ds_agg_field *f,
    bool *misplaced)
{
	const char *local, *ns;
	size_t i;

	local = (const char *)xmlTextReaderConstLocalName(st->r);
	ns = (const char *)xmlTextReaderConstNamespaceUri(st->r);
	*f = DS_F_NONE;
	*misplaced = false;
	if (parent == DS_AGG_DOC) {
		if (strcmp(local, "feedback") == 0)
			return open_feedback(st, ns) ? DS_AGG_FEEDBACK
			                             : DS_AGG_RAW;
		st->root_name =
		    g_strdup((const char *)xmlTextReaderConstName(st->r));
		return DS_AGG_WRAP;
	}
	if (parent == DS_AGG_WRAP) {
		/* a stray wrapper: <feedback> must be its first element */
		if (strcmp(local, "feedback") == 0 && ours(st, ns)) {
			if (open_feedback(st, ns))
				ds_report_warn(st->m,
				    "wrapped-feedback: "
				    "inside <%s>",
				    st->root_name);
			return DS_AGG_FEEDBACK;
		}
		if (!st->feedback_seen)
			wrong_root(st);
		return DS_AGG_RAW;
	}
	if (!ours(st, ns))
		return DS_AGG_RAW;
	for (i = child_start[parent];
	     i < G_N_ELEMENTS(children) && children[i].parent == parent; i++) {
		if (strcmp(children[i].name, local) == 0) {
			*f = children[i].field;
			*misplaced = children[i].misplaced;
			return children[i].ctx;
		}
	}
	return DS_AGG_RAW;
}

static bool element_end(struct ds_agg *st, int depth, bool empty);

static bool
element_start(struct ds_agg *st, int depth)
{
	enum ds_agg_ctx parent, ctx;
	enum ds_agg_field f;
	bool empty, misplaced;
	GString *dest;
	char *q;

	if (depth < 0 || (unsigned)depth >= st->max_depth)
		return ds_agg_fail(st, DS_ERROR_LIMIT,
		    "elements nested "
		    "deeper than %u",
		    st->max_depth);
	empty = xmlTextReaderIsEmptyElement(st->r) == 1;
	if (st->raw_depth >= 0) {
		st->stack[depth] = DS_AGG_RAW;
		ds_agg_raw_element(st, empty);
		return true;
	}
	parent = depth == 0 ? DS_AGG_DOC : st->stack[depth - 1];
	ctx = classify(st, parent, &f, &misplaced);
	if (st->err)
		return false;
	st->stack[depth] = ctx;
	q = misplaced || ctx == DS_AGG_RAW
	        ? ds_agg_q((const char *)xmlTextReaderConstName(st->r))
	        : NULL;
	if (misplaced)
		ds_report_warn(st->m, "misplaced-element: %s", q);
	switch (ctx) {
	case DS_AGG_RECORD:
		if (!ds_agg_record_open(st))
			goto fail;
		break;
	case DS_AGG_REASON:
		if (!ds_agg_reason_open(st))
			goto fail;
		break;
	case DS_AGG_DKIM:
		if (!ds_agg_dkim_open(st))
			goto fail;
		break;
	case DS_AGG_SPF:
		if (!ds_agg_spf_open(st))
			goto fail;
		break;
	case DS_AGG_LEAF:
		st->field = f;
		g_string_truncate(st->text, 0);
		break;
	case DS_AGG_RAW:
		/* RFC 9990 <extension> is expected; the rest is news */
		if (parent != DS_AGG_FEEDBACK ||
		    strcmp("extension",
		        (const char *)xmlTextReaderConstLocalName(st->r)) != 0)
			ds_report_warn(st->m, "unknown-element: %s", q);
		dest = st->in_record                             ? st->rec_ext
		       : st->feedback_seen && !st->feedback_done ? st->meta_ext
		                                                 : NULL;
		ds_agg_raw_open(st, dest, depth);
		ds_agg_raw_element(st, empty);
		break;
	default:
		break;
	}
	g_free(q);
	return empty ? element_end(st, depth, true) : true;
fail:
	g_free(q);
	return false;
}

static bool
element_end(struct ds_agg *st, int depth, bool empty)
{
	enum ds_agg_field f;

	if (depth < 0 || (unsigned)depth >= st->max_depth)
		return true;
	switch (st->stack[depth]) {
	case DS_AGG_RAW:
		if (!empty)
			ds_agg_raw_end(st);
		if (depth == st->raw_depth)
			ds_agg_raw_close(st);
		return true;
	case DS_AGG_LEAF:
		f = st->field;
		st->field = DS_F_NONE;
		return ds_agg_field_set(st, f);
	case DS_AGG_RECORD:
		return ds_agg_record_close(st);
	case DS_AGG_DKIM:
		ds_agg_dkim_close(st);
		return true;
	case DS_AGG_SPF:
		ds_agg_spf_close(st);
		return true;
	case DS_AGG_FEEDBACK:
		st->feedback_done = true;
		return true;
	case DS_AGG_WRAP:
		return st->feedback_seen ? true : wrong_root(st);
	default:
		return true;
	}
}

static bool
text(struct ds_agg *st, int type)
{
	const char *v = (const char *)xmlTextReaderConstValue(st->r);
	size_t n;

	if (v == NULL)
		return true;
	if (st->raw_depth >= 0) {
		ds_agg_raw_text(st, v);
		return true;
	}
	if (st->field != DS_F_NONE) {
		n = strlen(v);
		if (st->text->len + n > st->lim->max_text)
			return ds_agg_fail(st, DS_ERROR_LIMIT,
			    "<%s> is longer "
			    "than %zu bytes",
			    ds_agg_field_name(st->field), st->lim->max_text);
		g_string_append_len(st->text, v, (gssize)n);
		return true;
	}
	if (type == XML_READER_TYPE_TEXT && v[strspn(v, " \t\r\n")] != '\0') {
		char *q = ds_quote(v, strlen(v), 40);

		ds_report_warn(st->m, "stray-text: '%s'", q);
		g_free(q);
	}
	return true;
}

static bool
node(struct ds_agg *st)
{
	int type = xmlTextReaderNodeType(st->r);
	char *q;

	switch (type) {
	case XML_READER_TYPE_ELEMENT:
		return element_start(st, xmlTextReaderDepth(st->r));
	case XML_READER_TYPE_END_ELEMENT:
		return element_end(st, xmlTextReaderDepth(st->r), false);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return text(st, type);
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return ds_agg_fail(st, DS_ERROR_XML,
		    "DOCTYPE is not allowed "
		    "(entities and DTDs are refused)");
	case XML_READER_TYPE_ENTITY_REFERENCE:
		q = ds_agg_q((const char *)xmlTextReaderConstName(st->r));
		ds_agg_fail(st, DS_ERROR_XML,
		    "entity reference '&%s;' is "
		    "not allowed",
		    q);
		g_free(q);
		return false;
	default:
		return true; /* comments, processing instructions */
	}
}

/* The error that ended the reader: ours, the source's, libxml2's. */
static void
reader_error(struct ds_agg *st, struct ds_agg_input *in)
{
	const GError *ie = ds_agg_input_error(in);
	char *q;

	if (st->err)
		return;
	if (ie) {
		st->err = g_error_copy(ie);
		return;
	}
	if (st->xml_msg) {
		q = ds_quote(st->xml_msg, strlen(st->xml_msg), 200);
		ds_fail(&st->err, DS_ERROR_XML,
		    "line %d: not well-formed "
		    "XML: %s",
		    st->xml_line, q);
	} else {
		g_strstrip(st->xml_generic->str);
		q = ds_quote(
		    st->xml_generic->str, strlen(st->xml_generic->str), 200);
		ds_fail(&st->err, DS_ERROR_XML, "unreadable XML%s%s",
		    *q ? ": " : "", q);
	}
	g_free(q);
}

/* Run the reader over in; the body of both entry points. */
static bool
parse(struct ds_report_meta *out, struct ds_agg_input *in,
    const struct ds_limits *lim, const struct ds_aggregate_cbs *cbs,
    void *payload, GError **err)
{
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc old_structured = xmlStructuredError;
	void *old_structured_ctx = xmlStructuredErrorContext;
	struct ds_limits deflim;
	struct ds_agg st;
	bool ok = false;
	int rc;

	init_once();
	if (lim == NULL) {
		ds_limits_default(&deflim);
		lim = &deflim;
	}
	memset(&st, 0, sizeof(st));
	st.m = out;
	st.lim = lim;
	st.cbs = cbs;
	st.payload = payload;
	st.raw_depth = -1;
	/* libxml2 stops at 256 itself (without HUGE) */
	st.max_depth = MIN(lim->max_xml_depth, MAX_DEPTH);
	st.stack = g_new0(enum ds_agg_ctx, st.max_depth + 1);
	st.text = g_string_new(NULL);
	st.raw = g_string_new(NULL);
	st.meta_ext = g_string_new(NULL);
	st.rec_ext = g_string_new(NULL);
	st.xml_generic = g_string_new(NULL);

	/* per-thread handlers, restored below: nothing goes to stderr */
	xmlSetGenericErrorFunc(&st, generic_error);
	xmlSetStructuredErrorFunc(&st, structured_error);
	st.r = xmlReaderForIO(ds_agg_input_read, NULL, in, NULL,
	    ds_agg_input_encoding(in), READER_OPTIONS);
	if (st.r == NULL) {
		reader_error(&st, in);
		goto done;
	}
	xmlTextReaderSetStructuredErrorHandler(st.r, structured_error, &st);
	while ((rc = xmlTextReaderRead(st.r)) == 1) {
		if (!node(&st))
			break;
	}
	if (st.err || rc < 0) {
		reader_error(&st, in);
		goto done;
	}
	if (!st.feedback_seen) {
		ds_fail(&st.err, DS_ERROR_SCHEMA, "no <feedback> element");
		goto done;
	}
	if (!ds_agg_input_finish(in, out, &st.err))
		goto done;
	if (st.records == 0) {
		if (ds_agg_meta_check(&st))
			ds_fail(&st.err, DS_ERROR_SCHEMA,
			    "no <record> in the "
			    "report");
		goto done;
	}
	g_free(out->extensions); /* <extension> after the records */
	out->extensions = st.meta_ext->len
	                      ? g_strndup(st.meta_ext->str, st.meta_ext->len)
	                      : NULL;
	ok = true;
done:
	if (st.r)
		xmlFreeTextReader(st.r);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
	ds_record_clear(&st.rec); /* NULL-safe when no record opened */
	if (!ok)
		g_propagate_error(err, st.err);
	else
		g_clear_error(&st.err);
	g_free(st.stack);
	g_free(st.root_name);
	g_free(st.root_ns);
	g_free(st.xml_msg);
	g_string_free(st.text, TRUE);
	g_string_free(st.raw, TRUE);
	g_string_free(st.meta_ext, TRUE);
	g_string_free(st.rec_ext, TRUE);
	g_string_free(st.xml_generic, TRUE);
	return ok;
}

struct mem_src {
	const char *buf;
	size_t len, pos;
};

static int
mem_read(void *ctx, char *buf, int len)
{
	struct mem_src *s = ctx;
	size_t n = MIN((size_t)len, s->len - s->pos);

	memcpy(buf, s->buf + s->pos, n);
	s->pos += n;
	return (int)n;
}

bool
ds_aggregate_parse(struct ds_report_meta *out, const char *buf, size_t len,
    const struct ds_limits *lim, const struct ds_aggregate_cbs *cbs,
    void *payload, GError **err)
{
	struct mem_src src = { buf, buf ? len : 0, 0 };
	struct ds_agg_input *in;
	bool ok;

	ds_report_meta_init(out);
	in = ds_agg_input_new(mem_read, &src, NULL);
	ok = parse(out, in, lim, cbs, payload, err);
	ds_agg_input_free(in);
	return ok;
}

bool
ds_aggregate_parse_io(struct ds_report_meta *out,
    int (*read)(void *ctx, char *buf, int len), void *ctx,
    const GError *(*read_error)(void *ctx), const struct ds_limits *lim,
    const struct ds_aggregate_cbs *cbs, void *payload, GError **err)
{
	struct ds_agg_input *in;
	bool ok;

	ds_report_meta_init(out);
	in = ds_agg_input_new(read, ctx, read_error);
	ok = parse(out, in, lim, cbs, payload, err);
	ds_agg_input_free(in);
	return ok;
}

/*
 * Liberal on purpose: a <feedback> start tag (any prefix) anywhere in
 * the head, so that wrapped and junk-prefixed reports reach the parser
 * and get a precise verdict. UTF-16 heads are read byte-wise (markup is
 * ASCII).
 */
bool
ds_aggregate_sniff(const char *head, size_t len)
{
	const guint8 *h = (const guint8 *)head;
	guint8 *a;
	size_t i, n = 0, off;
	bool found;

	if (head == NULL || len < 2)
		return false;
	if ((h[0] == 0xff && h[1] == 0xfe) || (h[0] == 0xfe && h[1] == 0xff)) {
		off = h[0] == 0xff ? 2 : 3;
		a = g_malloc(len / 2 + 1);
		for (i = off; i < len; i += 2)
			a[n++] = h[i];
		found = ds_agg_find_feedback(a, n) < n;
		g_free(a);
		return found;
	}
	return ds_agg_find_feedback(h, len) < len;
}
