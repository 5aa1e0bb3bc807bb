/*
 * aggregate_raw.c - unknown and extension elements of an aggregate
 * report, kept as raw XML text (RFC 9990 section 4: <extension> and
 * foreign namespaces "MUST be ignored" by a parser that does not know
 * them; we keep them for the record instead).
 * SPDX-License-Identifier: MIT
 *
 * Serialised while streaming, never through a DOM
 * (xmlTextReaderReadOuterXml() expands the subtree first: THREATS #2),
 * so memory stays bounded: a fragment over lim->max_text is dropped
 * whole with a warning and never stored half-written.
 */
#include <string.h>

#include "ingest/aggregate/aggregate_int.h"

/* append s to the fragment unless it already overflowed */
static void
put(struct ds_agg *st, const char *s)
{
	if (st->raw_dest == NULL || st->raw_over)
		return;
	g_string_append(st->raw, s);
	if (st->raw->len > st->lim->max_text) {
		st->raw_over = true;
		g_string_truncate(st->raw, 0);
	}
}

/* XML-escaped s (text or attribute value) */
static void
put_escaped(struct ds_agg *st, const char *s)
{
	const char *p;
	char one[2] = { 0, 0 };

	for (p = s; *p && !st->raw_over; p++) {
		switch (*p) {
		case '&':
			put(st, "&amp;");
			break;
		case '<':
			put(st, "&lt;");
			break;
		case '>':
			put(st, "&gt;");
			break;
		case '"':
			put(st, "&quot;");
			break;
		default:
			one[0] = *p;
			put(st, one);
			break;
		}
	}
}

void
ds_agg_raw_open(struct ds_agg *st, GString *dest, int depth)
{
	st->raw_depth = depth;
	st->raw_dest = dest;
	st->raw_over = false;
	g_string_truncate(st->raw, 0);
}

/* The start tag at the reader's position, namespace declared inline so
 * that the fragment stands alone. */
void
ds_agg_raw_element(struct ds_agg *st, bool empty)
{
	xmlTextReaderPtr r = st->r;
	const char *ns, *prefix, *an;
	char *decl;
	bool declared = false;
	int ok;

	ns = (const char *)xmlTextReaderConstNamespaceUri(r);
	prefix = (const char *)xmlTextReaderConstPrefix(r);
	decl = prefix ? g_strconcat("xmlns:", prefix, NULL) : g_strdup("xmlns");
	put(st, "<");
	put(st, (const char *)xmlTextReaderConstName(r));
	for (ok = xmlTextReaderMoveToFirstAttribute(r); ok == 1;
	     ok = xmlTextReaderMoveToNextAttribute(r)) {
		an = (const char *)xmlTextReaderConstName(r);
		if (strcmp(an, decl) == 0)
			declared = true;
		put(st, " ");
		put(st, an);
		put(st, "=\"");
		put_escaped(st, (const char *)xmlTextReaderConstValue(r));
		put(st, "\"");
	}
	xmlTextReaderMoveToElement(r);
	if (ns && *ns && !declared) {
		put(st, " ");
		put(st, decl);
		put(st, "=\"");
		put_escaped(st, ns);
		put(st, "\"");
	}
	put(st, empty ? "/>" : ">");
	g_free(decl);
}

void
ds_agg_raw_text(struct ds_agg *st, const char *text)
{
	put_escaped(st, text);
}

/* The end tag at the reader's position. */
void
ds_agg_raw_end(struct ds_agg *st)
{
	put(st, "</");
	put(st, (const char *)xmlTextReaderConstName(st->r));
	put(st, ">");
}

void
ds_agg_raw_close(struct ds_agg *st)
{
	GString *d = st->raw_dest;

	st->raw_depth = -1;
	st->raw_dest = NULL;
	if (d == NULL)
		return;
	if (st->raw_over || d->len + st->raw->len > st->lim->max_text) {
		ds_report_warn(st->m,
		    "extension-dropped: larger than %zu "
		    "bytes",
		    st->lim->max_text);
		return;
	}
	g_string_append_len(d, st->raw->str, (gssize)st->raw->len);
}
