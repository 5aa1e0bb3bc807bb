/*
 * html_page.h - the frame every dashboard page shares (head with the
 * Content-Security-Policy, navigation, footer) and table cell helpers.
 * Everything that takes a char * from a report escapes it
 * (html_escape.h); titles and cells are hostile text (THREATS #9).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HTML_PAGE_H
#define DS_HTML_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "report/html/html_escape.h"

/*
 * The policy of every page: scripts and styles only from files of the
 * site itself (sort.js, style.css; 'self' also holds for file:// in
 * Chromium, checked by tests/browser), nothing else at all.
 */
#define DS_HTML_CSP "default-src 'none'; script-src 'self'; " \
	"style-src 'self'; img-src 'self'; base-uri 'none'; " \
	"form-action 'none'"

/* Site-relative file names of the assets copied from web-static/. */
#define DS_HTML_CSS "style.css"
#define DS_HTML_JS "sort.js"
/*
 * Written by every build (html_build.c): when the site was generated.
 * Pages load it and show the time in their footer, so a page whose
 * content did not change keeps its bytes (html_site.h) and is not
 * rewritten for the time alone.
 */
#define DS_HTML_GEN_JS "generated.js"

/*
 * Start a page: doctype, head (charset, viewport, CSP, title, the
 * stylesheet and sort.js from root), the top bar. root is the relative
 * path back to the site root ("" or "../"); title is escaped.
 */
void ds_page_begin(GString *g, const char *root, const char *title);
/* End a page; note (our text, may be NULL) goes in the footer. */
void ds_page_end(GString *g, const char *note);

/* <h2 id="id">text</h2>; id is ours, text escaped */
void ds_page_h2(GString *g, const char *id, const char *text);
/* A headline number: label, value as text, data-v raw, id for tests. */
void ds_page_kpi(GString *g, const char *id, const char *label,
    int64_t value);
/* A headline percentage (one decimal), data-v with two. */
void ds_page_kpi_pct(GString *g, const char *id, const char *label,
    double pct);
/* A headline text (escaped). */
void ds_page_kpi_text(GString *g, const char *id, const char *label,
    const char *text);

/*
 * Open a table: <div class="tw"><table class="sortable" id=...>, the
 * header from cols ("Name" left-aligned, "#Name" numeric), <tbody>.
 * filter adds data-filter (sort.js puts a filter box above it).
 */
void ds_page_table_open(GString *g, const char *id,
    const char *const *cols, bool filter);
void ds_page_table_close(GString *g);

void ds_td_text(GString *g, const char *s);		/* escaped */
/* s (escaped) in a span cut with an ellipsis past 9rem, the whole
   text in its title: long PTR names, selectors, domains */
void ds_html_cut(GString *g, const char *s);
void ds_td_mono(GString *g, const char *s);		/* escaped, mono */
void ds_td_int(GString *g, int64_t v);		/* numeric */
void ds_td_day(GString *g, int64_t t);		/* 2026-01-05 */
void ds_td_time(GString *g, int64_t t);		/* 2026-01-05 10:00 */
/* pass rate of pass/messages as "97.1 %" plus a small SVG bar */
void ds_td_rate(GString *g, int64_t pass, int64_t messages);
/* a linked cell: href is ours (slugs, ids), text is escaped */
void ds_td_link(GString *g, const char *href, const char *text);
/* "pass"/"fail"/other result word, coloured */
void ds_td_result(GString *g, const char *s);
/* one row of a key/value table: <th>k</th><td>v</td>, both escaped, NULL v as a dash */
void ds_tr_kv(GString *g, const char *k, const char *v);

/* Append v with thousands separators (10,914). */
void ds_fmt_int(GString *g, int64_t v);
/* UTC "YYYY-MM-DD" (with_time: " HH:MM"); "-" for 0. */
void ds_fmt_time(GString *g, int64_t t, bool with_time);
/* <span class="pass|fail|...">word</span>, word escaped */
void ds_fmt_result(GString *g, const char *word);

#endif
