/*
 * html_escape.h - one escaping helper per output context of the HTML
 * pages and the weekly mail (THREATS #9: every value from a report is
 * hostile). Use these and nothing else to put data into markup:
 *
 *   element text             ds_html_text()
 *   attribute value "..."    ds_html_attr()   (always double-quoted)
 *   href/src path segment    ds_html_url()    (then no further escaping)
 *   <script type="application/json">  ds_html_json()
 *
 * Every helper appends to a GString, takes NULL as the empty string
 * (ds_html_json writes null), replaces invalid UTF-8 and control
 * characters with U+FFFD and never fails.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HTML_ESCAPE_H
#define DS_HTML_ESCAPE_H

#include <stddef.h>
#include <glib.h>

/* Append s as element text: & < > " ' become character references. */
void ds_html_text(GString *g, const char *s);

/*
 * Append s as the value of a double-quoted attribute: everything but
 * ASCII letters, digits, space and "-_.,:/@()" becomes a numeric
 * character reference, so no quote, '&', '<', backtick or '=' survives
 * whatever the quoting.
 */
void ds_html_attr(GString *g, const char *s);

/*
 * Append s as one URL path segment for href/src: bytes outside the RFC
 * 3986 unreserved set are percent-encoded, so the result can neither
 * change the scheme ("javascript:"), leave the segment ('/', '?', '#')
 * nor break out of the attribute. Safe as it is inside "...".
 */
void ds_html_url(GString *g, const char *s);

/*
 * Append s as a JSON string literal for a <script type="application/json">
 * block: '<', '>', '&', U+2028, U+2029 are \u-escaped so "</script>" and
 * "<!--" cannot occur (schema/util/json.h).
 */
void ds_html_json(GString *g, const char *s);

/* ds_html_text() on a printf-formatted string (for mixed data). */
void ds_html_textf(GString *g, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * A file-name-safe slug for a hostile name (a domain): lower-case
 * [a-z0-9._-] only, at most 60 characters, never starting with '.',
 * followed by '-' and 8 hex digits of the name's SHA-256 so distinct
 * names never share a file. Caller g_frees.
 */
char *ds_html_slug(const char *name);

#endif
