/*
 * aggregate_wrap.c - QUIRKS.md "unclosed-wrapper": a big sender puts
 * <feedback> inside a stray wrapper element that it never closes. The
 * input filter (aggregate_input.c) supplies the wrapper's end tag when,
 * and only when, the source ends right after "</feedback>" with nothing
 * but the wrapper open: a report cut short still fails in libxml2.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ingest/aggregate/aggregate_int.h"

static bool
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
root_add(struct ds_agg_wrap *w, int c)
{
	if (w->root_n + 1 < sizeof(w->root))
		w->root[w->root_n++] = (char)c;
	w->root[w->root_n] = '\0';
}

void
ds_agg_wrap_root_start(struct ds_agg_wrap *w, int c)
{
	w->root_n = 0;
	w->root_cap = true;
	root_add(w, c);
}

void
ds_agg_wrap_root_name(struct ds_agg_wrap *w, const guint8 *p,
    const guint8 *q)
{
	for (; w->root_cap && p < q; p++) {
		if (blank(*p) || *p == '/')
			w->root_cap = false;
		else
			root_add(w, *p);
	}
}

void
ds_agg_wrap_tail(struct ds_agg_wrap *w, const guint8 *b, size_t n)
{
	size_t keep = sizeof(w->tail);

	while (n > 0 && blank(b[n - 1]))
		n--;
	if (n == 0)
		return;
	if (n >= keep) {
		memcpy(w->tail, b + n - keep, keep);
		w->tail_n = (unsigned)keep;
		return;
	}
	if (w->tail_n + n > keep) {
		memmove(w->tail, w->tail + (w->tail_n + n - keep), keep - n);
		w->tail_n = (unsigned)(keep - n);
	}
	memcpy(w->tail + w->tail_n, b, n);
	w->tail_n += (unsigned)n;
}

bool
ds_agg_wrap_close(struct ds_agg_wrap *w, GByteArray *out)
{
	static const char end[] = "feedback>";
	const size_t k = sizeof(end) - 1;
	const char *local = strrchr(w->root, ':');

	local = local ? local + 1 : w->root;
	if (w->closed || w->root_n == 0 || strcmp(local, "feedback") == 0 ||
	    w->tail_n < k + 2 ||
	    memcmp(w->tail + w->tail_n - k, end, k) != 0 ||
	    (w->tail[w->tail_n - k - 1] != '/' &&
	    w->tail[w->tail_n - k - 1] != ':'))
		return false;
	g_byte_array_append(out, (const guint8 *)"</", 2);
	g_byte_array_append(out, (const guint8 *)w->root, w->root_n);
	g_byte_array_append(out, (const guint8 *)">", 1);
	w->closed = true;
	return true;
}
