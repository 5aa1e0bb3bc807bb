/*
 * html_site.h - the output directory of "dmarcsift html": incremental,
 * atomic page writes and a manifest of what was written.
 * SPDX-License-Identifier: MIT
 *
 * Every page goes through ds_site_put(): when the file already holds
 * the same bytes nothing is written, otherwise the page is written to a
 * temporary file in the same directory and renamed over the old one, so
 * a web server serving the directory never sees half a page. The
 * manifest (".dmarcsift-site" in the directory) records each page's
 * SHA-256, the size, inode and mtime of the file as written (a page
 * changed by anyone else is rewritten) and an optional stamp; pages listed there and not put
 * in this run are removed by ds_site_close() (a report that is gone).
 * Paths are relative, '/'-separated and made by us (html_escape.h
 * ds_html_slug() for names from reports): [A-Za-z0-9._-] segments.
 */
#ifndef DS_HTML_SITE_H
#define DS_HTML_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

struct ds_site;

struct ds_site_stats {
	unsigned written;	/* pages new or changed */
	unsigned unchanged;	/* same bytes as before */
	unsigned kept;		/* skipped by ds_site_fresh() */
	unsigned removed;	/* stale pages deleted */
};

/*
 * Open (creating it and its parents) the site directory dir and read
 * its manifest if there is one. DS_ERROR_IO when dir cannot be created
 * or is not a directory.
 */
struct ds_site *ds_site_open(const char *dir, GError **err);

/*
 * Make path hold data[0..len): unchanged when it already does,
 * otherwise written atomically (temp file + rename, mode 0644 less the
 * umask). stamp (no spaces; NULL for none) is kept in the manifest for
 * ds_site_fresh(). DS_ERROR_IO.
 */
bool ds_site_put(struct ds_site *s, const char *path, const char *data,
    size_t len, const char *stamp, GError **err);

/*
 * True when path was written by an earlier run with this same stamp and
 * is still the file that run left: the page is then kept
 * as it is (counted as kept) and need not be generated at all.
 */
bool ds_site_fresh(struct ds_site *s, const char *path, const char *stamp);

/*
 * Remove the pages of the old manifest that were neither put nor kept
 * in this run, write the new manifest atomically, fill *out (may be
 * NULL) and free s. Returns false with err set (DS_ERROR_IO) when the
 * manifest cannot be written; s is freed either way.
 */
bool ds_site_close(struct ds_site *s, struct ds_site_stats *out,
    GError **err);

/* Free s without touching the directory (after an error). NULL-safe. */
void ds_site_free(struct ds_site *s);

#endif
