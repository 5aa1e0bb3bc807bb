/*
 * dsgen_scenario.c - the advice scenarios of issue 12: for one named
 * situation a postmaster meets, daily aggregate reports (RFC 7489
 * appendix C) from several reporters over --days days, the zone file of
 * the domain as it is (zone) and as it is once fixed (zone.fixed), and a
 * configuration file with declarations where the scenario has them.
 * Written into a directory; deterministic (no randomness at all).
 * SPDX-License-Identifier: MIT
 *
 *   m365       a Microsoft 365 tenant sending steadily as the domain, its
 *              selector1 key never published, no SPF include
 *   esp        Google Workspace, SendGrid and Mailchimp signing with DKIM,
 *              each missing from SPF
 *   forward    a mailing list (our signature broken), a forwarder
 *              rewriting the envelope (DKIM survives, SPF passes for
 *              the forwarder) and one the reporters mark "forwarded"
 *   gforward   Google Workspace of the domain (own selector, include
 *              missing) beside Gmail forwarding and a Google Group
 *              re-sending the domain's mail from Google's IPs
 *   spoof      sporadic spoofers, DKIM-signed for a foreign domain
 *   own        the domain's own second server, signing but not in SPF,
 *              and a third without a PTR record
 *   declared   a server of ours nothing authenticates, declared ours;
 *              Google declared not ours
 *   revert     the policy goes p=none -> p=reject -> p=none
 *   zero       reports with count 0 records
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dsgen.h"

/* a real RSA 2048 public key (made once with openssl) for published
   selectors; the private half was thrown away: nothing is signed */
static const char key2048[] = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmKx4qGFQkhVQ4A0aICyPNxLL9ccE+yE6yH1uZ1kaW4abHmuBzp6Ndg8V3TeZczrF9+AnfzYRNqzeNMKjeJ5KbRkoWQ5C03Nz/R4DERk3G5O4peKsUz/nNRMpyrqbBuDpL617HpvhO+A4RJRL0WoitD2CgEINKPwQMImtthtASJwC8mcmt1DGQMLkZPXzb0EkLXOcJOWTeomigmvApxbPqT0eLpBjE8ZJwyl9XlARTIiNUIKjAK83S84MmDKTUz+zCpP219fBqo612gZZ1S5NMY3UMfpTjhIyX37RyYAIARADGD1JClJm4q4P71ClGAWAeKMD3vbpYn66tjzQk+azEwIDAQAB";

struct sc_src {
	const char *ip;
	unsigned count;		/* messages per report */
	unsigned every;		/* in the reports of every Nth day */
	unsigned nrep;		/* reporters that see it (1..3) */
	bool dkim, spf;		/* policy_evaluated */
	const char *dkim_auth;	/* "d:sel:result[,...]" or NULL */
	const char *spf_auth;	/* "domain:result" */
	const char *reason;	/* <reason><type> of its records, or NULL */
};

struct scenario {
	const char *name;
	const struct sc_src *src;
	const char *zone;	/* extra zone lines, broken state */
	const char *fixed;	/* extra zone lines once fixed (NULL: same) */
	const char *spf;	/* SPF of example.com, broken and fixed */
	const char *spf_fixed;
	const char *config;	/* NULL: none */
};

#define OWN { "192.0.2.10", 200, 1, 3, true, true, \
	"example.com:s1:pass", "example.com:pass", NULL }
#define END { NULL, 0, 0, 0, false, false, NULL, NULL, NULL }

static const struct sc_src m365[] = {
	OWN,
	{ "40.107.10.20", 150, 1, 3, false, false, "example.com:selector1:fail",
	    "example.com:fail", NULL },
	{ "40.107.11.21", 120, 1, 3, false, false, "example.com:selector1:fail",
	    "example.com:fail", NULL },
	END
};

static const struct sc_src esp[] = {
	OWN,
	{ "209.85.220.41", 80, 1, 3, true, false, "example.com:google:pass",
	    "example.com:fail", NULL },
	{ "167.89.123.45", 60, 1, 2, true, false, "example.com:s1:pass",
	    "example.com:fail", NULL },
	{ "205.201.131.5", 40, 1, 2, true, false, "example.com:k1:pass",
	    "example.com:fail", NULL },
	END
};

static const struct sc_src forward[] = {
	OWN,
	{ "198.51.100.50", 20, 1, 2, false, false,
	    "example.com:s1:fail,lists.example.org:l1:pass",
	    "lists.example.org:pass", NULL },
	{ "198.51.100.60", 15, 1, 2, true, false, "example.com:s1:pass",
	    "fwd.example.net:pass", NULL },
	{ "198.51.100.70", 6, 1, 2, true, false, "example.com:s1:pass",
	    "example.com:fail", "forwarded" },
	END
};

static const struct sc_src gforward[] = {
	OWN,
	/* the domain's Workspace: selector "google", include missing */
	{ "209.85.220.41", 80, 1, 3, true, false, "example.com:google:pass",
	    "example.com:fail", NULL },
	/* a user's Gmail forwarding: the original's s1 intact */
	{ "209.85.220.69", 12, 1, 2, true, false, "example.com:s1:pass",
	    "gmail.com:pass", NULL },
	/* a Google Group: s1 broken by its footer */
	{ "209.85.220.70", 25, 1, 3, false, false,
	    "example.com:s1:fail,googlegroups.com:20230601:pass",
	    "googlegroups.com:pass", NULL },
	END
};

static const struct sc_src spoof[] = {
	OWN,
	{ "203.0.113.5", 25, 4, 1, false, false, "bulk-mailer.example.net:"
	    "m1:pass", "example.com:fail", NULL },
	{ "203.0.113.66", 18, 5, 1, false, false, "cheap-pills.example.org:"
	    "x:pass", "example.com:softfail", NULL },
	{ "198.18.7.9", 12, 3, 1, false, false, NULL, "example.com:fail", NULL },
	END
};

static const struct sc_src own[] = {
	OWN,
	{ "192.0.2.20", 90, 1, 3, true, false, "example.com:s1:pass",
	    "example.com:fail", NULL },
	{ "192.0.2.30", 40, 1, 3, true, false, "example.com:s1:pass",
	    "example.com:fail", NULL },
	END
};

static const struct sc_src declared[] = {
	OWN,
	{ "203.0.113.80", 30, 1, 2, false, false, NULL, "example.com:fail", NULL },
	{ "209.85.220.99", 14, 2, 1, false, false, "example.com:google:fail",
	    "example.com:fail", NULL },
	END
};

static const struct sc_src revert[] = { OWN, END };

static const struct sc_src zero[] = {
	OWN,
	{ "203.0.113.9", 0, 1, 2, false, false, NULL, "example.com:fail", NULL },
	{ "192.0.2.10", 0, 1, 1, true, true, "example.com:s1:pass",
	    "example.com:pass", NULL },
	END
};

#define S1 "s1._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" \"%s\" )\n"

static const struct scenario scenarios[] = {
	{ "m365", m365,
	  "20.10.107.40.in-addr.arpa. IN PTR mail-db8eur05on2020.outbound.protection.outlook.com.\n"
	  "mail-db8eur05on2020.outbound.protection.outlook.com. IN A 40.107.10.20\n"
	  "21.11.107.40.in-addr.arpa. IN PTR mail-am6eur05on2121.outbound.protection.outlook.com.\n"
	  "mail-am6eur05on2121.outbound.protection.outlook.com. IN A 40.107.11.21\n",
	  "20.10.107.40.in-addr.arpa. IN PTR mail-db8eur05on2020.outbound.protection.outlook.com.\n"
	  "mail-db8eur05on2020.outbound.protection.outlook.com. IN A 40.107.10.20\n"
	  "21.11.107.40.in-addr.arpa. IN PTR mail-am6eur05on2121.outbound.protection.outlook.com.\n"
	  "mail-am6eur05on2121.outbound.protection.outlook.com. IN A 40.107.11.21\n"
	  "selector1._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" \"@KEY@\" )\n",
	  "v=spf1 ip4:192.0.2.0/28 -all",
	  "v=spf1 ip4:192.0.2.0/28 include:spf.protection.outlook.com -all",
	  NULL },
	{ "esp", esp, "google._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" \"@KEY@\" )\n"
	  "k1._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" \"@KEY@\" )\n", NULL,
	  "v=spf1 ip4:192.0.2.0/28 -all",
	  "v=spf1 ip4:192.0.2.0/28 include:_spf.google.com include:sendgrid.net include:servers.mcsv.net -all",
	  NULL },
	{ "forward", forward, "", NULL, "v=spf1 ip4:192.0.2.0/28 -all", NULL,
	  NULL },
	{ "gforward", gforward,
	  "google._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" \"@KEY@\" )\n",
	  NULL, "v=spf1 ip4:192.0.2.0/28 -all",
	  "v=spf1 ip4:192.0.2.0/28 include:_spf.google.com -all", NULL },
	{ "spoof", spoof, "", NULL, "v=spf1 ip4:192.0.2.0/28 -all", NULL,
	  NULL },
	{ "own", own,
	  "20.2.0.192.in-addr.arpa. IN PTR mail2.example.com.\n"
	  "mail2.example.com. IN A 192.0.2.20\n", NULL,
	  "v=spf1 ip4:192.0.2.10 -all",
	  "v=spf1 ip4:192.0.2.10 ip4:192.0.2.20 ip4:192.0.2.30 -all",
	  NULL },
	{ "declared", declared, "", NULL, "v=spf1 ip4:192.0.2.0/28 -all",
	  "v=spf1 ip4:192.0.2.0/28 ip4:203.0.113.80 -all",
	  "[domain:example.com]\n"
	  "ours = 203.0.113.80   # the office relay nothing signs for\n"
	  "not-ours = Google\n" },
	{ "revert", revert, "", NULL, "v=spf1 ip4:192.0.2.0/28 -all", NULL,
	  NULL },
	{ "zero", zero, "", NULL, "v=spf1 ip4:192.0.2.0/28 -all", NULL, NULL },
};

static const char *const reporters[] = { "google.com", "Yahoo",
	"Outlook.com" };

/* "d:sel:result,..." into rec->dkim */
static void
parse_dkim(struct ds_gen_rec *rec, const char *s)
{
	char **items, **f;
	unsigned i;

	if (s == NULL)
		return;
	items = g_strsplit(s, ",", 0);
	for (i = 0; items[i] != NULL && rec->ndkim < DS_GEN_MAX_DKIM; i++) {
		struct ds_gen_dkim *d = &rec->dkim[rec->ndkim++];

		f = g_strsplit(items[i], ":", 3);
		g_strlcpy(d->domain, f[0], sizeof(d->domain));
		d->selector = g_intern_string(f[1] ? f[1] : "");
		d->result = g_intern_string(f[1] && f[2] ? f[2] : "none");
		g_strfreev(f);
	}
	g_strfreev(items);
}

static void
parse_spf(struct ds_gen_rec *rec, const char *s)
{
	char **f = g_strsplit(s, ":", 2);

	rec->nspf = 1;
	g_strlcpy(rec->spf[0].domain, f[0], sizeof(rec->spf[0].domain));
	rec->spf[0].scope = "mfrom";
	rec->spf[0].result = g_intern_string(f[1] ? f[1] : "none");
	g_strlcpy(rec->envelope_from, f[0], sizeof(rec->envelope_from));
	g_strfreev(f);
}

/* the policy of day d: revert goes none -> reject -> none */
static const char *
policy_of(const struct scenario *sc, unsigned day, unsigned days)
{
	if (strcmp(sc->name, "revert") == 0 && day >= days / 3 &&
	    day < 2 * days / 3)
		return "reject";
	return "none";
}

static bool
write_file(const char *path, const char *text, GError **err)
{
	return g_file_set_contents(path, text, -1, err);
}

static char *
zone_text(const struct scenario *sc, bool fixed)
{
	GString *g = g_string_new("$TTL 300\n");
	const char *extra = fixed && sc->fixed ? sc->fixed : sc->zone;
	const char *spf = fixed && sc->spf_fixed ? sc->spf_fixed : sc->spf;
	/* TXT strings hold 255 bytes at most (RFC 1035 3.3): split */
	char *key = g_strdup_printf("%.200s\" \"%s", key2048, key2048 + 200);

	g_string_append(g, "example.com. IN A 192.0.2.1\n"
	    "example.com. IN MX 10 mail.example.com.\n"
	    "mail.example.com. IN A 192.0.2.10\n"
	    "10.2.0.192.in-addr.arpa. IN PTR mail.example.com.\n");
	g_string_append_printf(g, "example.com. IN TXT \"%s\"\n", spf);
	g_string_append_printf(g, "_dmarc.example.com. IN TXT \"v=DMARC1; "
	    "p=%s; rua=mailto:dmarc@example.com\"\n",
	    strcmp(sc->name, "revert") == 0 ? "none" : "none");
	g_string_append_printf(g, S1, key);
	/* the services' own SPF records, as they publish them */
	g_string_append(g, "spf.protection.outlook.com. IN TXT \"v=spf1 "
	    "ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 "
	    "ip4:104.47.0.0/17 -all\"\n"
	    "_spf.google.com. IN TXT \"v=spf1 ip4:209.85.128.0/17 "
	    "ip4:74.125.0.0/16 ~all\"\n"
	    "sendgrid.net. IN TXT \"v=spf1 ip4:167.89.0.0/17 "
	    "ip4:149.72.0.0/16 ~all\"\n"
	    "servers.mcsv.net. IN TXT \"v=spf1 ip4:205.201.128.0/20 "
	    "ip4:198.2.128.0/18 ~all\"\n");
	{
		char **parts = g_strsplit(extra, "@KEY@", 0);
		char *joined = g_strjoinv(key, parts);

		g_string_append(g, joined);
		g_free(joined);
		g_strfreev(parts);
	}
	g_free(key);
	return g_string_free(g, FALSE);
}

bool
ds_gen_scenario(const char *dir, const char *name, gint64 start,
    unsigned days, GError **err)
{
	const struct scenario *sc = NULL;
	char *path, *text;
	unsigned day, k, i, n = 0;
	bool ok = true;

	for (i = 0; i < G_N_ELEMENTS(scenarios); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			sc = &scenarios[i];
	if (sc == NULL) {
		g_set_error(err, DS_GEN_ERROR, 2, "unknown scenario '%s' (m365, "
		    "esp, forward, gforward, spoof, own, declared, revert, zero)", name);
		return false;
	}
	path = g_build_filename(dir, "reports", NULL);
	if (g_mkdir_with_parents(path, 0755) != 0) {
		g_set_error(err, DS_GEN_ERROR, 1, "%s: %s", path,
		    g_strerror(errno));
		g_free(path);
		return false;
	}
	g_free(path);
	for (day = 0; ok && day < days; day++) {
		for (k = 0; ok && k < G_N_ELEMENTS(reporters); k++) {
			struct ds_gen_report r;
			struct ds_gen_sink sink = { 0 };
			GString *xml = g_string_new(NULL);

			memset(&r, 0, sizeof(r));
			r.rep = ds_gen_reporter_find(reporters[k]);
			r.fmt = DS_GEN_RFC7489;
			g_snprintf(r.report_id, sizeof(r.report_id),
			    "%s-%u-%u", sc->name, day, k);
			g_strlcpy(r.domain, "example.com", sizeof(r.domain));
			r.begin = start + (gint64)day * DS_GEN_DAY;
			r.end = r.begin + DS_GEN_DAY - 1;
			r.pol.p = r.pol.sp = r.pol.np = policy_of(sc, day,
			    days);
			r.pol.adkim = r.pol.aspf = "r";
			r.pol.pct = 100;
			sink.str = xml;
			ds_gen_xml_head(&sink, &r);
			for (i = 0; sc->src[i].ip != NULL; i++) {
				const struct sc_src *s = &sc->src[i];
				struct ds_gen_rec rec;

				if (k >= s->nrep || day % s->every != 0)
					continue;
				memset(&rec, 0, sizeof(rec));
				g_strlcpy(rec.ip, s->ip, sizeof(rec.ip));
				rec.count = s->count;
				rec.disposition = "none";
				rec.dkim_pass = s->dkim;
				rec.spf_pass = s->spf;
				g_strlcpy(rec.header_from, "example.com",
				    sizeof(rec.header_from));
				parse_dkim(&rec, s->dkim_auth);
				parse_spf(&rec, s->spf_auth);
				if (s->reason != NULL)
					rec.reason[rec.nreason++].type =
					    s->reason;
				ds_gen_xml_record(&sink, &r, &rec);
			}
			ds_gen_xml_tail(&sink, &r);
			path = g_strdup_printf("%s/reports/%s!example.com!%"
			    G_GINT64_FORMAT "!%" G_GINT64_FORMAT "!%03u.xml",
			    dir, r.rep->submitter, r.begin, r.end, n++);
			ok = write_file(path, xml->str, err);
			g_free(path);
			g_string_free(xml, TRUE);
		}
	}
	for (i = 0; ok && i < 2; i++) {
		text = zone_text(sc, i == 1);
		path = g_build_filename(dir, i ? "zone.fixed" : "zone", NULL);
		ok = write_file(path, text, err);
		g_free(path);
		g_free(text);
	}
	if (ok && sc->config != NULL) {
		path = g_build_filename(dir, "config", NULL);
		ok = write_file(path, sc->config, err);
		g_free(path);
	}
	return ok;
}
