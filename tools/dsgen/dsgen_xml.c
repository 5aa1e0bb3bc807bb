/*
 * dsgen_xml.c - write aggregate report XML, one record at a time, in the
 * RFC 7489 appendix C (no namespace) or RFC 9990
 * (urn:ietf:params:xml:ns:dmarc-2.0) shape, with the per-reporter layout
 * quirks of real reports (indentation, tabs, one-line documents).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "dsgen.h"

/*
 * Append len bytes of s to the sink. A failed write sets sink->failed and
 * drops the rest; the caller checks the flag once at the end.
 */
void
ds_gen_sink_put(struct ds_gen_sink *sink, const char *s, size_t len)
{
	if (sink->failed || len == 0)
		return;
	if (sink->str != NULL)
		g_string_append_len(sink->str, s, (gssize)len);
	else if (sink->gz != NULL) {
		if (gzwrite(sink->gz, s, (unsigned)len) != (int)len)
			sink->failed = true;
	} else if (fwrite(s, 1, len, sink->fp) != len)
		sink->failed = true;
}

static void
put(struct ds_gen_sink *sink, const char *s)
{
	ds_gen_sink_put(sink, s, strlen(s));
}

/* Element text: every value we write goes through here. */
static void
put_text(struct ds_gen_sink *sink, const char *s)
{
	size_t n;

	for (;;) {
		n = strcspn(s, "<>&");
		ds_gen_sink_put(sink, s, n);
		s += n;
		if (*s == '\0')
			return;
		put(sink, *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&amp;");
		s++;
	}
}

static void
indent(struct ds_gen_sink *sink, const struct ds_gen_report *r, int depth)
{
	if (r->rep->oneline)
		return;
	while (depth-- > 0)
		put(sink, r->rep->indent);
}

static void
nl(struct ds_gen_sink *sink, const struct ds_gen_report *r)
{
	if (!r->rep->oneline)
		put(sink, "\n");
}

static void
open_el(struct ds_gen_sink *sink, const struct ds_gen_report *r, int depth,
    const char *name)
{
	indent(sink, r, depth);
	put(sink, "<");
	put(sink, name);
	put(sink, ">");
	nl(sink, r);
}

static void
close_el(struct ds_gen_sink *sink, const struct ds_gen_report *r, int depth,
    const char *name)
{
	indent(sink, r, depth);
	put(sink, "</");
	put(sink, name);
	put(sink, ">");
	nl(sink, r);
}

static void
leaf(struct ds_gen_sink *sink, const struct ds_gen_report *r, int depth,
    const char *name, const char *value)
{
	indent(sink, r, depth);
	put(sink, "<");
	put(sink, name);
	put(sink, ">");
	put_text(sink, value);
	put(sink, "</");
	put(sink, name);
	put(sink, ">");
	nl(sink, r);
}

static void
leaf_int(struct ds_gen_sink *sink, const struct ds_gen_report *r, int depth,
    const char *name, gint64 value)
{
	char buf[32];

	g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, value);
	leaf(sink, r, depth, name, buf);
}

static void
metadata(struct ds_gen_sink *sink, const struct ds_gen_report *r)
{
	const struct ds_gen_reporter *rep = r->rep;

	open_el(sink, r, 1, "report_metadata");
	leaf(sink, r, 2, "org_name", rep->org_name);
	leaf(sink, r, 2, "email", rep->email);
	if (rep->extra != NULL)
		leaf(sink, r, 2, "extra_contact_info", rep->extra);
	leaf(sink, r, 2, "report_id", r->report_id);
	open_el(sink, r, 2, "date_range");
	leaf_int(sink, r, 3, "begin", r->begin);
	leaf_int(sink, r, 3, "end", r->end);
	close_el(sink, r, 2, "date_range");
	if (r->fmt == DS_GEN_RFC9990)
		leaf(sink, r, 2, "generator", "dsgen " DS_VERSION);
	close_el(sink, r, 1, "report_metadata");
}

static void
policy(struct ds_gen_sink *sink, const struct ds_gen_report *r)
{
	const struct ds_gen_policy *pol = &r->pol;

	open_el(sink, r, 1, "policy_published");
	leaf(sink, r, 2, "domain", r->domain);
	if (r->fmt == DS_GEN_RFC9990)
		leaf(sink, r, 2, "discovery_method", "psl");
	leaf(sink, r, 2, "adkim", pol->adkim);
	leaf(sink, r, 2, "aspf", pol->aspf);
	leaf(sink, r, 2, "p", pol->p);
	leaf(sink, r, 2, "sp", pol->sp);
	if (r->fmt == DS_GEN_RFC9990 || r->rep->np)
		leaf(sink, r, 2, "np", pol->np);
	if (r->fmt == DS_GEN_RFC7489) {
		leaf_int(sink, r, 2, "pct", pol->pct);
		leaf(sink, r, 2, "fo", "0");
	} else
		leaf(sink, r, 2, "testing", "n");
	close_el(sink, r, 1, "policy_published");
}

/*
 * Write the XML declaration, <feedback>, report_metadata and
 * policy_published of report r. Failures are recorded in sink->failed.
 */
void
ds_gen_xml_head(struct ds_gen_sink *sink, const struct ds_gen_report *r)
{
	if (r->rep->oneline)
		put(sink, "<?xml version='1.0' encoding='utf-8'?>");
	else
		put(sink, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (r->fmt == DS_GEN_RFC9990)
		put(sink,
		    "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">");
	else
		put(sink, "<feedback>");
	nl(sink, r);
	if (r->rep->version || r->fmt == DS_GEN_RFC9990)
		leaf(sink, r, 1, "version", "1.0");
	metadata(sink, r);
	policy(sink, r);
}

static void
auth_results(struct ds_gen_sink *sink, const struct ds_gen_report *r,
    const struct ds_gen_rec *rec)
{
	unsigned i;

	open_el(sink, r, 2, "auth_results");
	for (i = 0; i < rec->ndkim; i++) {
		open_el(sink, r, 3, "dkim");
		leaf(sink, r, 4, "domain", rec->dkim[i].domain);
		leaf(sink, r, 4, "selector", rec->dkim[i].selector);
		leaf(sink, r, 4, "result", rec->dkim[i].result);
		close_el(sink, r, 3, "dkim");
	}
	for (i = 0; i < rec->nspf; i++) {
		open_el(sink, r, 3, "spf");
		leaf(sink, r, 4, "domain", rec->spf[i].domain);
		leaf(sink, r, 4, "scope", rec->spf[i].scope);
		leaf(sink, r, 4, "result", rec->spf[i].result);
		close_el(sink, r, 3, "spf");
	}
	close_el(sink, r, 2, "auth_results");
}

/*
 * Write one <record> of report r from rec. Failures are recorded in
 * sink->failed.
 */
void
ds_gen_xml_record(struct ds_gen_sink *sink, const struct ds_gen_report *r,
    const struct ds_gen_rec *rec)
{
	unsigned i;

	open_el(sink, r, 1, "record");
	open_el(sink, r, 2, "row");
	leaf(sink, r, 3, "source_ip", rec->ip);
	leaf_int(sink, r, 3, "count", rec->count);
	open_el(sink, r, 3, "policy_evaluated");
	leaf(sink, r, 4, "disposition", rec->disposition);
	leaf(sink, r, 4, "dkim", rec->dkim_pass ? "pass" : "fail");
	leaf(sink, r, 4, "spf", rec->spf_pass ? "pass" : "fail");
	for (i = 0; i < rec->nreason; i++) {
		open_el(sink, r, 4, "reason");
		leaf(sink, r, 5, "type", rec->reason[i].type);
		if (rec->reason[i].comment != NULL)
			leaf(sink, r, 5, "comment", rec->reason[i].comment);
		close_el(sink, r, 4, "reason");
	}
	close_el(sink, r, 3, "policy_evaluated");
	close_el(sink, r, 2, "row");
	open_el(sink, r, 2, "identifiers");
	if (rec->envelope_to != NULL)
		leaf(sink, r, 3, "envelope_to", rec->envelope_to);
	leaf(sink, r, 3, "envelope_from", rec->envelope_from);
	leaf(sink, r, 3, "header_from", rec->header_from);
	close_el(sink, r, 2, "identifiers");
	auth_results(sink, r, rec);
	close_el(sink, r, 1, "record");
}

/* Close the <feedback> document of report r. */
void
ds_gen_xml_tail(struct ds_gen_sink *sink, const struct ds_gen_report *r)
{
	put(sink, "</feedback>");
	nl(sink, r);
}

/*
 * Append to out a report that is not well-formed and holds no record
 * (a mismatched end tag inside policy_published, then the document stops),
 * so that no recovering parser can make a valid report of it.
 */
void
ds_gen_xml_broken(GString *out, const struct ds_gen_report *r)
{
	struct ds_gen_sink sink = { .str = out };

	if (r->rep->oneline)
		put(&sink, "<?xml version='1.0' encoding='utf-8'?>");
	else
		put(&sink, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	put(&sink, "<feedback>");
	nl(&sink, r);
	metadata(&sink, r);
	open_el(&sink, r, 1, "policy_published");
	indent(&sink, r, 2);
	put(&sink, "<domain>");
	put_text(&sink, r->domain);
	put(&sink, "</domian>");
	nl(&sink, r);
	indent(&sink, r, 2);
	put(&sink, "<p>reject</p");
	nl(&sink, r);
}
