/*
 * cmd_quarantine.c - "dmarcsift quarantine": the inputs ingest could not
 * use, kept with their exact bytes: list, show, export, retry, drop.
 * SPDX-License-Identifier: MIT
 *
 * list, show and export only read (the database is opened read-only);
 * retry and drop take the run lock. A retry runs the stored bytes
 * through the current parser (after an upgrade, or a raised limit) in
 * one transaction per entry; what it stores is stored once (the usual
 * duplicate rules), and the entry leaves the quarantine in the same
 * transaction. THREATS #8: export writes the bytes exactly, never to a
 * terminal; everything printed is quoted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "schema/util/json.h"
#include "ingest/cmd/commands.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/payload/message.h"
#include "ingest/pipeline/pipeline.h"
#include "ingest/source/mailsrc.h"

static char *opt_out;

static const GOptionEntry entries[] = {
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "export: write the bytes to FILE instead of standard output",
	  "FILE" },
	G_OPTION_ENTRY_NULL
};

/* Print e, free it, return its exit code. */
static int
fail_free(GError *e)
{
	int rc = ds_cli_fail(e);

	g_error_free(e);
	return rc;
}

/* "2026-12-03 09:41" (UTC) of t. Caller frees. */
static char *
when(int64_t t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);
	char *s;

	if (d == NULL)
		return g_strdup("?");
	s = g_date_time_format(d, "%Y-%m-%d %H:%M");
	g_date_time_unref(d);
	return s;
}

/*
 * Print text (quoted here unless quoted says it is already), wrapped at
 * 80 columns with every line indented by indent spaces.
 */
static void
print_wrapped(const char *text, size_t indent, bool quoted)
{
	char *q = quoted ? g_strdup(text) : ds_quote(text, strlen(text), 2000);
	const char *p = q;
	size_t width = 80 - indent, n;

	while (*p) {
		n = strlen(p);
		if (n > width) {
			n = width;
			/* break at the last space inside the line, if any */
			while (n > width / 2 && p[n] != ' ')
				n--;
			if (p[n] != ' ')
				n = width;
			/* never cut inside a UTF-8 sequence */
			while (n > 1 && ((unsigned char)p[n] & 0xc0) == 0x80)
				n--;
		}
		g_print("%*s%.*s\n", (int)indent, "", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	g_free(q);
}

struct list {
	enum ds_outfmt fmt;
	GString *json;
	unsigned n;
};

static bool
list_cb(const struct ds_quarantine_item *q, void *payload)
{
	struct list *l = payload;
	char *w = when(q->created), *src;

	if (l->fmt == DS_OUT_JSON) {
		g_string_append_printf(l->json, "%s{\"id\":%" G_GINT64_FORMAT
		    ",\"created\":%" G_GINT64_FORMAT ",\"source\":", l->n ?
		    "," : "", q->id, q->created);
		ds_json_escape(l->json, q->source);
		g_string_append(l->json, ",\"reason\":");
		ds_json_escape(l->json, q->reason);
		g_string_append_printf(l->json, ",\"size\":%" G_GINT64_FORMAT
		    ",\"sha256\":\"%s\"}", q->size, q->sha256);
	} else {
		src = ds_quote(q->source, strlen(q->source), 200);
		g_print("%5" G_GINT64_FORMAT "  %s  %9" G_GINT64_FORMAT "  ",
		    q->id, w, q->size);
		/* 5 + 2 + 16 + 2 + 9 + 2 = 36 columns before the source */
		if (strlen(src) <= 44)
			g_print("%s\n", src);
		else {
			g_print("\n");
			print_wrapped(q->source, 7, false);
		}
		print_wrapped(q->reason, 7, false);
		g_free(src);
	}
	l->n++;
	g_free(w);
	return true;
}

static int
do_list(struct ds_store *st, enum ds_outfmt fmt, bool quiet)
{
	struct list l = { fmt, g_string_new("["), 0 };
	GError *e = NULL;

	if (fmt == DS_OUT_TEXT)
		g_print("   id  quarantined (UTC)      bytes  source\n"
		    "       reason\n");
	if (!ds_store_quarantine_each(st, list_cb, &l, &e)) {
		g_string_free(l.json, TRUE);
		return fail_free(e);
	}
	if (fmt == DS_OUT_JSON)
		g_print("%s]\n", l.json->str);
	else if (!quiet)
		g_printerr("%u %s in the quarantine\n", l.n,
		    l.n == 1 ? "entry" : "entries");
	g_string_free(l.json, TRUE);
	return DS_EXIT_OK;
}

static bool
parse_id(const char *s, int64_t *out)
{
	char *end;
	gint64 v;

	errno = 0;
	v = g_ascii_strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		char *q = ds_quote(s, strlen(s), 40);

		g_printerr("dmarcsift quarantine: '%s' is not an entry id "
		    "(see 'dmarcsift quarantine list')\n", q);
		g_free(q);
		return false;
	}
	*out = v;
	return true;
}

static int
do_show(struct ds_store *st, int64_t id, enum ds_outfmt fmt)
{
	struct ds_quarantine_item q;
	GError *e = NULL;
	char *w, *who, *src;
	GString *j;

	if (!ds_store_quarantine_get(st, id, &q, &e))
		return fail_free(e);
	who = ds_message_describe(q.raw, q.raw_len);
	if (fmt == DS_OUT_JSON) {
		j = g_string_new(NULL);
		g_string_append_printf(j, "{\"id\":%" G_GINT64_FORMAT
		    ",\"created\":%" G_GINT64_FORMAT ",\"source\":", q.id,
		    q.created);
		ds_json_escape(j, q.source);
		g_string_append(j, ",\"reason\":");
		ds_json_escape(j, q.reason);
		g_string_append_printf(j, ",\"size\":%" G_GINT64_FORMAT
		    ",\"stored\":%zu,\"sha256\":\"%s\",\"mail\":", q.size,
		    q.raw_len, q.sha256);
		ds_json_escape(j, who);
		g_print("%s}\n", j->str);
		g_string_free(j, TRUE);
	} else {
		w = when(q.created);
		src = ds_quote(q.source, strlen(q.source), 500);
		g_print("entry:    %" G_GINT64_FORMAT "\nwhen:     %s UTC\n",
		    q.id, w);
		if (strlen(src) <= 70)
			g_print("source:   %s\n", src);
		else {
			g_print("source:\n");
			print_wrapped(q.source, 2, false);
		}
		g_print("size:     %" G_GINT64_FORMAT " bytes%s\n"
		    "sha256:   %s\n", q.size, (int64_t)q.raw_len < q.size ?
		    " (kept: the first part)" : "", q.sha256);
		if (who) {
			/* already quoted: wrap it as it is */
			g_print("mail:\n");
			print_wrapped(who, 2, true);
		}
		g_print("reason:\n");
		print_wrapped(q.reason, 2, false);
		g_free(w);
		g_free(src);
	}
	g_free(who);
	ds_quarantine_item_clear(&q);
	return DS_EXIT_OK;
}

static int
do_export(struct ds_store *st, int64_t id)
{
	struct ds_quarantine_item q;
	GError *e = NULL;
	FILE *f = stdout;
	int rc = DS_EXIT_OK;

	if (opt_out == NULL && isatty(STDOUT_FILENO)) {
		g_printerr("dmarcsift quarantine: export writes raw bytes; "
		    "not to a terminal (redirect it or use --out FILE)\n");
		return DS_EXIT_USAGE;
	}
	if (!ds_store_quarantine_get(st, id, &q, &e))
		return fail_free(e);
	if (opt_out && (f = fopen(opt_out, "wbx")) == NULL) {
		char *p = ds_quote(opt_out, strlen(opt_out), 200);

		g_printerr("dmarcsift quarantine: cannot create '%s': %s\n",
		    p, g_strerror(errno));
		g_free(p);
		ds_quarantine_item_clear(&q);
		return DS_EXIT_PERMANENT;
	}
	if (fwrite(q.raw, 1, q.raw_len, f) != q.raw_len || fflush(f) != 0) {
		g_printerr("dmarcsift quarantine: write: %s\n",
		    g_strerror(errno));
		rc = DS_EXIT_TEMPFAIL;
	}
	if ((int64_t)q.raw_len < q.size)
		g_printerr("dmarcsift quarantine: entry %" G_GINT64_FORMAT
		    " kept only %zu of its %" G_GINT64_FORMAT " bytes%s\n", id,
		    q.raw_len, q.size, q.raw_len == 0 ? " (deleted by prune)" :
		    "");
	if (f != stdout && fclose(f) != 0 && rc == DS_EXIT_OK)
		rc = DS_EXIT_TEMPFAIL;
	ds_quarantine_item_clear(&q);
	return rc;
}

struct retry {
	int64_t id;
};

/* Inside the retry's transaction: the entry leaves the quarantine. */
static bool
retire_hook(struct ds_store *st, enum ds_outcome o, void *payload,
    GError **err)
{
	struct retry *r = payload;

	return ds_store_quarantine_retire(st, r->id, o ==
	    DS_OUTCOME_STORED || o == DS_OUTCOME_DUPLICATE, err);
}

static bool
collect_id(const struct ds_quarantine_item *q, void *payload)
{
	int64_t id = q->id;

	g_array_append_val((GArray *)payload, id);
	return true;
}

static int
do_retry(struct ds_ctx *c, GArray *ids)
{
	struct ds_quarantine_item q;
	struct ds_pipeline *pl = NULL;
	struct ds_limits lim;
	enum ds_outcome o;
	unsigned used = 0;
	GError *e = NULL;
	struct retry r;
	char *sum;
	guint i;
	int rc;

	ds_limits_default(&lim);
	/* one transaction per entry: the entry leaves with its reports */
	if ((rc = ds_ingest_run_begin(c, &lim, 30, false, &pl)) != DS_EXIT_OK)
		return rc;
	if (ids->len == 0 && !ds_store_quarantine_each(c->store, collect_id,
	    ids, &e))
		goto done;
	for (i = 0; i < ids->len; i++) {
		r.id = g_array_index(ids, int64_t, i);
		if (!ds_store_quarantine_get(c->store, r.id, &q, &e))
			break;
		if ((int64_t)q.raw_len < q.size) {
			ds_pipeline_skip(pl, q.source, q.raw_len == 0 ?
			    "its bytes were deleted (prune); ingest the "
			    "original again" : "only the first part of this "
			    "input was kept; ingest the original again");
			ds_quarantine_item_clear(&q);
			continue;
		}
		if (!ds_pipeline_ingest(pl, q.source, q.raw, q.raw_len,
		    retire_hook, &r, &o, &e)) {
			ds_quarantine_item_clear(&q);
			break;
		}
		if (o == DS_OUTCOME_STORED || o == DS_OUTCOME_DUPLICATE) {
			used++;
			if (!c->quiet)
				g_print("entry %" G_GINT64_FORMAT ": %s, removed "
				    "from the quarantine\n", r.id, o ==
				    DS_OUTCOME_STORED ? "stored" :
				    "already stored");
		}
		ds_quarantine_item_clear(&q);
	}
done:
	if (e) {
		rc = ds_ctx_fail(c, e);
		g_clear_error(&e);
	} else {
		sum = ds_pipeline_summary(pl);
		if (!c->quiet)
			g_printerr("dmarcsift: quarantine retry: %u of %u "
			    "used; %s\n", used, ids->len, sum);
		g_free(sum);
		rc = ds_pipeline_exit_code(pl);
	}
	ds_ingest_run_end(pl);
	return rc;
}

int
cmd_quarantine(struct ds_ctx *c, int argc, char **argv)
{
	const char *verb;
	GArray *ids = NULL;
	GError *e = NULL;
	int i, rc = DS_EXIT_OK;
	int64_t id;
	bool write;

	if (!ds_ctx_setup(c, "list | show ID | export ID | retry [ID...] | "
	    "drop ID...",
	    "The inputs ingest could not use, with their exact bytes and the\n"
	    "reason. list: every entry; show: one entry; export: its bytes\n"
	    "(to a file or a pipe); retry: run the stored bytes through this\n"
	    "dmarcsift's parser again (all entries when no ID is given),\n"
	    "storing what is usable once and removing it from the\n"
	    "quarantine; drop: delete entries.", entries, argc, argv))
		return c->rc;
	argc = c->argc;
	argv = c->argv;
	if (argc < 2) {
		g_printerr("dmarcsift quarantine: say list, show, export, "
		    "retry or drop\n");
		return DS_EXIT_USAGE;
	}
	verb = argv[1];
	if (c->fmt == DS_OUT_CSV) {
		g_printerr("dmarcsift quarantine: --format is text or "
		    "json\n");
		return DS_EXIT_USAGE;
	}
	write = strcmp(verb, "retry") == 0 || strcmp(verb, "drop") == 0;
	if (!write && strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "export") != 0) {
		char *q = ds_quote(verb, strlen(verb), 40);

		g_printerr("dmarcsift quarantine: '%s' is not list, show, "
		    "export, retry or drop\n", q);
		g_free(q);
		return DS_EXIT_USAGE;
	}
	if ((strcmp(verb, "list") == 0 && argc != 2) ||
	    ((strcmp(verb, "show") == 0 || strcmp(verb, "export") == 0) &&
	    argc != 3) || (strcmp(verb, "drop") == 0 && argc < 3)) {
		g_printerr("dmarcsift quarantine %s: wrong number of "
		    "arguments (see --help)\n", verb);
		return DS_EXIT_USAGE;
	}
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	for (i = 2; i < argc; i++) {
		if (!parse_id(argv[i], &id)) {
			g_array_free(ids, TRUE);
			return DS_EXIT_USAGE;
		}
		g_array_append_val(ids, id);
	}
	/* the context closes it (ds_ctx_done) */
	c->store = write ? ds_cli_open_store(&e) :
	    ds_cli_open_store_readonly(&e);
	if (c->store == NULL) {
		rc = ds_ctx_fail(c, e);
		g_clear_error(&e);
		goto done;
	}
	if (strcmp(verb, "list") == 0)
		rc = do_list(c->store, c->fmt, c->quiet);
	else if (strcmp(verb, "show") == 0)
		rc = do_show(c->store, g_array_index(ids, int64_t, 0), c->fmt);
	else if (strcmp(verb, "export") == 0)
		rc = do_export(c->store, g_array_index(ids, int64_t, 0));
	else if (strcmp(verb, "retry") == 0)
		rc = do_retry(c, ids);
	else if ((rc = ds_imap_cmd_lock(c->store, 30)) == DS_EXIT_OK) {
		for (i = 0; i < (int)ids->len; i++) {
			id = g_array_index(ids, int64_t, i);
			if (!ds_store_quarantine_drop(c->store, id, &e)) {
				rc = ds_ctx_fail(c, e);
				g_clear_error(&e);
				break;
			}
			if (!c->quiet)
				g_print("entry %" G_GINT64_FORMAT " dropped\n",
				    id);
		}
	}
done:
	g_array_free(ids, TRUE);
	return rc;
}
