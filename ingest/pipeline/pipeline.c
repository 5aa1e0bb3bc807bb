/*
 * pipeline.c - one input through message walk, payload, parser, store.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (duplicates: whole-input hash, then report key), #19 (one
 * transaction per input, a savepoint per report), and the rule that bad
 * input is quarantined and never costs a good report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


#include "schema/util/error.h"
#include "schema/util/sha256.h"
#include "ingest/payload/message.h"
#include "ingest/payload/payload.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"
#include "ingest/pipeline/pipeline_summary.h"

struct ds_pipeline {
	struct ds_store *st;
	struct ds_limits lim;
	struct ds_pipeline_opts opts;
	struct ds_ingest_stats stats;
	bool in_batch;		/* a transaction holds earlier inputs */
	unsigned batched;	/* inputs in it */
	gint64 batch_start;	/* monotonic time of its BEGIN */
	const struct ds_report_parser *const *parsers;	/* opts or default */
	struct ds_dns *opened;	/* from opts.open_dns (borrowed) */
	bool dns_tried;
	GPtrArray *conflicts;	/* char *: lines for the run summary */
};

/* at most this many conflict lines in the run summary */
#define DS_CONFLICT_LINES 20

/*
 * A batch (opts.batch) ends after this many inputs or this long: few
 * enough that a crash costs a rerun of seconds, many enough that the
 * pages every input touches (message table, indexes) are written to
 * the WAL once per batch instead of once per input.
 */
#define DS_BATCH_INPUTS 500
#define DS_BATCH_USEC (2 * G_USEC_PER_SEC)

/* what happened to one input */
struct input {
	struct ds_pipeline *pl;
	const char *source;
	int64_t msg_id;
	unsigned stored, dups, rejected, leaves;
	unsigned attachments;	/* parts that are not a text body */
	unsigned leaves_report;	/* leaves a report parser took */
	const struct ds_report_parser *wanted[DS_MAX_PARSERS];
	bool bare;		/* a report file, not a mail message */
	const char *input;	/* the whole input, when held in memory */
	size_t input_len;
	const char *msg;	/* the mail message, when it is one */
	size_t msg_len;
	GString *reasons;	/* "; "-separated */
	GPtrArray *warnings;	/* payload-layer warnings (char *) */
	GError *fatal;		/* operational error: abort the input */
};

struct ds_pipeline *
ds_pipeline_new(struct ds_store *st, const struct ds_limits *lim,
    const struct ds_pipeline_opts *opts)
{
	struct ds_pipeline *pl = g_new0(struct ds_pipeline, 1);
	unsigned n;

	pl->st = st;
	pl->lim = *lim;
	if (opts)
		pl->opts = *opts;
	pl->parsers = pl->opts.parsers ? pl->opts.parsers : ds_report_parsers;
	pl->conflicts = g_ptr_array_new_with_free_func(g_free);
	for (n = 0; pl->parsers[n] != NULL; n++)
		g_assert(n < DS_MAX_PARSERS);	/* in->wanted[] */
	return pl;
}

void
ds_pipeline_free(struct ds_pipeline *pl)
{
	GError *e = NULL;

	if (pl == NULL)
		return;
	if (!ds_pipeline_flush(pl, &e)) {
		g_printerr("dmarcsift: %s\n", e->message);
		g_error_free(e);
	}
	g_ptr_array_free(pl->conflicts, TRUE);
	g_free(pl);
}

/* See pipeline.h. */
bool
ds_pipeline_flush(struct ds_pipeline *pl, GError **err)
{
	unsigned n = pl->batched;

	if (!pl->in_batch)
		return true;
	pl->in_batch = false;
	pl->batched = 0;
	if (ds_store_commit(pl->st, err))
		return true;
	ds_store_rollback(pl->st);
	g_prefix_error(err, "the last %u inputs were not stored: ", n);
	return false;
}

/*
 * Open the transaction of one input: its own (after committing a
 * batch), or with batch a savepoint in the batch's transaction, so the
 * input stays all-or-nothing and a failed one costs no other (issue
 * 20). *base is the savepoint depth the input started from.
 */
static bool
tx_begin(struct ds_pipeline *pl, bool batch, unsigned *base, GError **err)
{
	if (!batch)
		return ds_pipeline_flush(pl, err) && ds_store_begin(pl->st, err);
	if (!pl->in_batch) {
		if (!ds_store_begin(pl->st, err))
			return false;
		pl->in_batch = true;
		pl->batched = 0;
		pl->batch_start = g_get_monotonic_time();
	}
	*base = ds_store_depth(pl->st);
	return ds_store_savepoint(pl->st, err);
}

/*
 * End the transaction of one input that went ok or not (err set). In a
 * batch a failed input is undone to its savepoint and the inputs before
 * it are committed at once; a good one is committed with the batch.
 */
static bool
tx_end(struct ds_pipeline *pl, bool batch, unsigned base, bool ok,
    GError **err)
{
	GError *e = NULL;

	if (!batch) {
		if (ok)
			return ds_store_commit(pl->st, err);
		ds_store_rollback(pl->st);
		return false;
	}
	if (ok && ds_store_depth(pl->st) == base + 1 &&
	    ds_store_release(pl->st, err)) {
		pl->batched++;
		if (pl->batched < DS_BATCH_INPUTS && g_get_monotonic_time() -
		    pl->batch_start < DS_BATCH_USEC)
			return true;
		return ds_pipeline_flush(pl, err);
	}
	if (ok)	/* a savepoint left open: our bug, fail the input */
		ds_fail(err, DS_ERROR_DB, "savepoint depth %u, not %u",
		    ds_store_depth(pl->st), base + 1);
	while (ds_store_depth(pl->st) > base) {
		ds_store_rollback_to(pl->st);
		ds_store_release(pl->st, NULL);
	}
	if (!ds_pipeline_flush(pl, &e)) {
		g_prefix_error(err, "%s; ", e->message);
		g_error_free(e);
	}
	return false;
}

struct ds_store *
ds_pipeline_store(struct ds_pipeline *pl)
{
	return pl->st;
}

const struct ds_limits *
ds_pipeline_limits(struct ds_pipeline *pl)
{
	return &pl->lim;
}

enum ds_store_samples
ds_pipeline_store_samples(struct ds_pipeline *pl)
{
	return pl->opts.store_samples;
}

const struct ds_ingest_stats *
ds_pipeline_stats(struct ds_pipeline *pl)
{
	return &pl->stats;
}

struct ds_dns *
ds_pipeline_dns(struct ds_pipeline *pl)
{
	GError *e = NULL;

	if (pl->opts.dns)
		return pl->opts.dns;
	if (!pl->dns_tried && pl->opts.open_dns) {
		pl->dns_tried = true;
		if ((pl->opened = pl->opts.open_dns(pl->opts.open_ctx,
		    &e)) == NULL) {
			ds_pipeline_say(pl, "dns", "no re-verification: %s",
			    e->message);
			g_clear_error(&e);
		}
	}
	return pl->opened;
}

static void
say(const char *source, const char *fmt, va_list ap)
{
	char *msg, *src;

	msg = g_strdup_vprintf(fmt, ap);
	src = ds_quote(source, strlen(source), 200);
	g_printerr("dmarcsift: %s: %s\n", src, msg);
	g_free(src);
	g_free(msg);
}

void
ds_pipeline_say(struct ds_pipeline *pl, const char *source, const char *fmt,
    ...)
{
	va_list ap;

	if (pl->opts.quiet)
		return;
	va_start(ap, fmt);
	say(source, fmt, ap);
	va_end(ap);
}

void
ds_pipeline_warn(struct ds_pipeline *pl, const char *source, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(source, fmt, ap);
	va_end(ap);
}

void
ds_pipeline_skip(struct ds_pipeline *pl, const char *source, const char *why)
{
	pl->stats.skipped++;
	ds_pipeline_warn(pl, source, "skipped: %s", why);
}

/*
 * Permanent first: a rerun fails the same way, so cron must not retry
 * in silence; then operational errors a retry may cure; then rejects.
 */
int
ds_pipeline_exit_code(struct ds_pipeline *pl)
{
	if (pl->stats.skipped)
		return DS_EXIT_PERMANENT;
	if (pl->stats.errors)
		return DS_EXIT_TEMPFAIL;
	if (pl->stats.rejected)
		return DS_EXIT_REJECTED;
	return DS_EXIT_OK;
}

static bool
is_operational(const GError *e)
{
	return e->domain == DS_ERROR && (e->code == DS_ERROR_DB ||
	    e->code == DS_ERROR_IO || e->code == DS_ERROR_NET);
}

/* Is one already among the "; "-separated reasons r? */
static bool
has_reason(const char *r, const char *one)
{
	size_t n = strlen(one);
	const char *p = r;

	while ((p = strstr(p, one)) != NULL) {
		if ((p == r || (p - r >= 2 && p[-2] == ';' && p[-1] == ' ')) &&
		    (p[n] == '\0' || (p[n] == ';' && p[n + 1] == ' ')))
			return true;
		p += n;
	}
	return false;
}

/*
 * Add "what: msg" to the input's reasons; what is a leaf or part name,
 * shown relative to the input (the input itself is named once).
 */
static void
add_reason(struct input *in, const char *what, const char *msg)
{
	size_t n = strlen(in->source);
	char *one;

	if (strncmp(what, in->source, n) == 0 && (what[n] == '/' ||
	    what[n] == '\0'))
		what = what[n] ? what + n + 1 : NULL;
	else if (strncmp(in->source, what, strlen(what)) == 0)
		what = NULL;	/* "x.xml" inside "x.xml.gz" */
	one = what ? g_strdup_printf("%s: %s", what, msg) : g_strdup(msg);
	/* a layer and the one below may report the same cause: say it once */
	if (!has_reason(in->reasons->str, one)) {
		if (in->reasons->len)
			g_string_append(in->reasons, "; ");
		g_string_append(in->reasons, one);
	}
	g_free(one);
}

static uint64_t *
kind_counter(struct ds_ingest_stats *s, enum ds_report_kind k)
{
	switch (k) {
	case DS_REPORT_FAILURE:
		return &s->failures;
	case DS_REPORT_TLS:
		return &s->tls_reports;
	case DS_REPORT_AGGREGATE:
	default:
		return &s->reports;
	}
}

/*
 * Hand u to parser p inside a savepoint and count what came of it.
 * False only on an operational error (in->fatal set).
 */
static bool
run_parser(struct input *in, const struct ds_report_parser *p,
    struct ds_parse_unit *u)
{
	struct ds_pipeline *pl = in->pl;
	struct ds_parse_result res = { 0, NULL, NULL };
	GError *e = NULL;

	u->source = in->source;
	u->msg_id = in->msg_id;
	u->warnings = in->warnings;
	u->input = in->input;
	u->input_len = in->input_len;
	if (!ds_store_savepoint(pl->st, &in->fatal))
		return false;
	if (p->ingest(pl, u, &res, &e) && res.conflict) {
		/* kept apart, not counted (store_conflict.h) */
		ds_store_release(pl->st, NULL);
		in->stored++;
		pl->stats.conflicts++;
		if (pl->conflicts->len < DS_CONFLICT_LINES)
			g_ptr_array_add(pl->conflicts, res.conflict);
		else
			g_free(res.conflict);
		res.conflict = NULL;
	} else if (e == NULL) {
		ds_store_release(pl->st, NULL);
		in->stored++;
		(*kind_counter(&pl->stats, p->kind))++;
		if (p->kind == DS_REPORT_AGGREGATE)
			pl->stats.records += res.items;
		if (pl->opts.verbose && res.said)
			ds_pipeline_say(pl, in->source, "%s", res.said);
	} else {
		ds_store_rollback_to(pl->st);
		ds_store_release(pl->st, NULL);
		if (e->domain == DS_ERROR && e->code == DS_ERROR_DUP) {
			in->dups++;
			pl->stats.duplicates++;
		} else if (is_operational(e)) {
			g_propagate_error(&in->fatal, e);
			e = NULL;
		} else {
			in->rejected++;
			add_reason(in, u->name, e->message);
		}
	}
	g_clear_error(&e);
	g_free(res.said);
	g_free(res.conflict);
	return in->fatal == NULL;
}

static bool
leaf_cb(struct ds_leaf *leaf, void *payload, GError **err)
{
	struct input *in = payload;
	const struct ds_report_parser *p = NULL;
	struct ds_parse_unit u = { 0 };
	int i;

	in->leaves++;
	for (i = 0; in->pl->parsers[i] != NULL; i++)
		if (in->pl->parsers[i]->scope == DS_PARSER_LEAF &&
		    in->pl->parsers[i]->sniff(leaf->head, leaf->head_len)) {
			p = in->pl->parsers[i];
			break;
		}
	if (p) {
		in->leaves_report++;
		u.name = leaf->name;
		u.leaf = leaf;
		u.buf = in->msg;
		u.len = in->msg_len;
		if (!run_parser(in, p, &u)) {
			g_set_error_literal(err, DS_ERROR, DS_ERROR_DB,
			    in->fatal->message);
			return false;
		}
	}
	/* other leaves (mail bodies, junk) are not ours; in a bare
	 * report file say what it was instead */
	else if (in->bare) {
		char *what = ds_quote(leaf->head, MIN(leaf->head_len, 40), 40);

		in->rejected++;
		add_reason(in, leaf->name, leaf->head_len && leaf->head[0] ==
		    '<' ? "XML but not a DMARC <feedback> report" :
		    "not a DMARC report");
		g_string_append_printf(in->reasons, " (starts '%s')", what);
		g_free(what);
	}
	return true;
}

/* Walk one container or bare report; payload errors become reasons. */
static bool
walk_payload(struct input *in, const char *name, const char *buf, size_t len)
{
	GError *e = NULL;

	if (!ds_payload_walk(name, buf, len, &in->pl->lim, leaf_cb, in,
	    in->warnings, &e)) {
		if (in->fatal) {
			g_clear_error(&e);
			return false;
		}
		in->rejected++;
		add_reason(in, name, e->message);
		g_clear_error(&e);
	}
	return true;
}

static bool
part_cb(const struct ds_part *part, void *payload, GError **err)
{
	struct input *in = payload;
	char *name;
	bool ok;
	int i;

	for (i = 0; in->pl->parsers[i] != NULL; i++)
		if (in->pl->parsers[i]->scope == DS_PARSER_MESSAGE &&
		    in->pl->parsers[i]->part_type &&
		    strcmp(part->content_type,
		    in->pl->parsers[i]->part_type) == 0) {
			in->wanted[i] = in->pl->parsers[i];
			return true;
		}
	if (part->filename != NULL || (strcmp(part->content_type,
	    "text/plain") != 0 && strcmp(part->content_type, "text/html") != 0))
		in->attachments++;
	if (part->len == 0)
		return true;
	/* the content decides: bodies that are neither containers nor
	 * reports become leaves that leaf_cb passes over */
	name = g_strdup_printf("%s/%s", in->source,
	    part->filename ? part->filename : part->content_type);
	ok = walk_payload(in, name, part->data, part->len);
	g_free(name);
	if (!ok)
		g_set_error_literal(err, DS_ERROR, DS_ERROR_DB,
		    in->fatal->message);
	return ok;
}

static void
input_init(struct input *in, struct ds_pipeline *pl, const char *source)
{
	memset(in, 0, sizeof(*in));
	in->pl = pl;
	in->source = source;
	in->reasons = g_string_new(NULL);
	in->warnings = g_ptr_array_new_with_free_func(g_free);
}

static void
input_clear(struct input *in)
{
	g_string_free(in->reasons, TRUE);
	g_ptr_array_free(in->warnings, TRUE);
	g_clear_error(&in->fatal);
}

/* Did a message-scope parser (failure report, ...) want the input? */
static bool
any_wanted(const struct input *in)
{
	int i;

	for (i = 0; in->pl->parsers[i] != NULL; i++)
		if (in->wanted[i] != NULL)
			return true;
	return false;
}

static enum ds_outcome
input_outcome(struct input *in)
{
	/* a person's question, an out-of-office: text bodies only, nothing
	 * a report parser wanted (content decides, never the Subject) */
	if (!in->bare && in->msg != NULL && in->rejected == 0 &&
	    in->stored + in->dups == 0 && !any_wanted(in) &&
	    in->attachments == 0 && in->leaves_report == 0)
		return DS_OUTCOME_NOT_REPORT;
	if (in->rejected == 0 && in->stored + in->dups == 0) {
		in->rejected++;
		add_reason(in, "input", "no DMARC report found");
	}
	if (in->rejected == 0)
		return in->stored ? DS_OUTCOME_STORED : DS_OUTCOME_DUPLICATE;
	return in->stored + in->dups ? DS_OUTCOME_PARTIAL :
	    DS_OUTCOME_REJECTED;
}

/* Report the outcome of one input to the user and the counters. */
static void
input_tell(struct input *in, enum ds_outcome o)
{
	struct ds_pipeline *pl = in->pl;

	if (o == DS_OUTCOME_NOT_REPORT) {
		char *who = ds_message_describe(in->msg, in->msg_len);

		pl->stats.not_reports++;
		ds_pipeline_warn(pl, in->source, "%s%snot a report (mail for a "
		    "person?); not stored", who ? who : "", who ? ": " : "");
		g_free(who);
	} else if (in->rejected) {
		char *who = in->msg ? ds_message_describe(in->msg, in->msg_len) :
		    NULL;

		pl->stats.rejected++;
		ds_pipeline_warn(pl, in->source, "%s%srejected: %s",
		    who ? who : "", who ? ": " : "", in->reasons->str);
		g_free(who);
	} else if (o == DS_OUTCOME_DUPLICATE && pl->opts.verbose) {
		ds_pipeline_say(pl, in->source, "duplicate");
	}
}

/*
 * Is buf a JSON object ('{' first, after a BOM and white space)? A
 * one-line JSON report ('{"organization-name":...') passes for a header
 * line; no mail starts with '{'.
 */
static bool
json_object_first(const char *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	while (i < len && g_ascii_isspace(buf[i]))
		i++;
	return i < len && buf[i] == '{';
}

/* The body of ds_pipeline_ingest, inside the input's transaction. */
static bool
ingest_in_tx(struct input *in, const char *buf, size_t len, enum ds_outcome *o,
    ds_commit_hook hook, void *hook_payload, GError **err)
{
	struct ds_pipeline *pl = in->pl;
	GError *e = NULL;
	char sha[65], *top = NULL;
	int i;

	in->input = buf;
	in->input_len = len;
	ds_sha256_hex(buf, len, sha);	/* THREATS #13 dedup key */
	if (!ds_store_message_put(pl->st, sha, in->source, len, &in->msg_id,
	    &e)) {
		if (e->code != DS_ERROR_DUP) {
			g_propagate_error(err, e);
			return false;
		}
		/* the very same bytes were ingested before */
		g_clear_error(&e);
		in->dups++;
		pl->stats.duplicates++;
		*o = DS_OUTCOME_DUPLICATE;
		return hook ? hook(pl->st, *o, hook_payload, err) : true;
	}
	if (ds_message_sniff(buf, len) && !json_object_first(buf, len)) {
		in->msg = buf;
		in->msg_len = len;
		if (!ds_message_walk(buf, len, &pl->lim, part_cb, in, &top,
		    &e)) {
			if (in->fatal) {
				g_clear_error(&e);
				g_free(top);
				goto fatal;
			}
			in->rejected++;
			add_reason(in, "message", e->message);
			g_clear_error(&e);
		}
		/* a message of a parser's top type in which nothing else
		 * was found: that parser reads what it can (exim's
		 * plain-text failure reports) or says why not */
		for (i = 0; in->pl->parsers[i] != NULL; i++) {
			const struct ds_report_parser *p = in->pl->parsers[i];

			if (p->scope == DS_PARSER_MESSAGE && p->top_type &&
			    in->stored + in->dups + in->rejected == 0 && top &&
			    strcmp(top, p->top_type) == 0)
				in->wanted[i] = p;
		}
		g_free(top);
	} else {
		in->bare = true;
		if (!walk_payload(in, in->source, buf, len))
			goto fatal;
	}
	for (i = 0; in->pl->parsers[i] != NULL; i++) {
		struct ds_parse_unit u = { 0 };

		if (in->wanted[i] == NULL)
			continue;
		u.name = in->pl->parsers[i]->label;
		u.buf = buf;
		u.len = len;
		if (!run_parser(in, in->wanted[i], &u))
			goto fatal;
	}
	*o = input_outcome(in);
	if (in->rejected && !ds_store_quarantine_put(pl->st, in->source,
	    in->reasons->str, buf, len, err))
		return false;
	if (!ds_store_message_done(pl->st, in->msg_id,
	    *o == DS_OUTCOME_REJECTED ? "rejected" : "done", err))
		return false;
	if (hook && !hook(pl->st, *o, hook_payload, err))
		return false;
	return true;
fatal:
	g_propagate_error(err, in->fatal);
	in->fatal = NULL;
	return false;
}

bool
ds_pipeline_ingest(struct ds_pipeline *pl, const char *source,
    const char *buf, size_t len, ds_commit_hook hook, void *hook_payload,
    enum ds_outcome *out, GError **err)
{
	struct input in;
	enum ds_outcome o = DS_OUTCOME_REJECTED;
	bool batch = pl->opts.batch && hook == NULL;
	unsigned base = 0, tries = 0;
	bool ok;

	pl->stats.inputs++;
	input_init(&in, pl, source);
	for (;;) {
		ok = tx_begin(pl, batch, &base, err);
		if (ok) {
			ok = ingest_in_tx(&in, buf, len, &o, hook,
			    hook_payload, err);
			ok = tx_end(pl, batch, base, ok, err);
		}
		/*
		 * A shared store (PostgreSQL) undid the input's transaction
		 * to break a deadlock with another host: run it again.
		 */
		if (ok || batch || hook != NULL || ++tries > 4 ||
		    !ds_store_retryable(err ? *err : NULL))
			break;
		g_clear_error(err);
		input_clear(&in);
		input_init(&in, pl, source);
		g_usleep(10000u << tries);
	}
	if (ok)
		input_tell(&in, o);
	else
		pl->stats.errors++;
	input_clear(&in);
	if (out)
		*out = o;
	return ok;
}

/* Read up to max bytes of fd from offset 0 for the quarantine copy. */
static char *
read_head(int fd, size_t max, size_t *out_len)
{
	char *buf = g_malloc(max ? max : 1);
	size_t got = 0;
	ssize_t n;

	while (got < max && (n = pread(fd, buf + got, max - got, got)) > 0)
		got += (size_t)n;
	*out_len = got;
	return buf;
}

bool
ds_pipeline_ingest_fd(struct ds_pipeline *pl, const char *source, int fd,
    enum ds_outcome *out, GError **err)
{
	struct input in;
	enum ds_outcome o = DS_OUTCOME_REJECTED;
	GError *e = NULL;
	bool ok;

	pl->stats.inputs++;
	input_init(&in, pl, source);
	in.bare = true;
	ok = ds_pipeline_flush(pl, err) && ds_store_begin(pl->st, err);
	if (!ok)
		goto done;
	if (!ds_payload_walk_fd(source, fd, &pl->lim, leaf_cb, &in,
	    in.warnings, &e)) {
		if (in.fatal) {
			g_clear_error(&e);
			g_propagate_error(err, in.fatal);
			in.fatal = NULL;
			ds_store_rollback(pl->st);
			ok = false;
			goto done;
		}
		in.rejected++;
		add_reason(&in, source, e->message);
		g_clear_error(&e);
	}
	o = input_outcome(&in);
	if (in.rejected) {
		size_t n;
		char *raw = read_head(fd, pl->lim.max_message, &n);

		ok = ds_store_quarantine_put(pl->st, source, in.reasons->str,
		    raw, n, err);
		g_free(raw);
	}
	ok = ok && ds_store_commit(pl->st, err);
	if (!ok)
		ds_store_rollback(pl->st);
done:
	if (ok)
		input_tell(&in, o);
	else
		pl->stats.errors++;
	input_clear(&in);
	if (out)
		*out = o;
	return ok;
}

char *
ds_pipeline_summary(struct ds_pipeline *pl)
{
	return ds_ingest_stats_summary(&pl->stats);
}

/* See pipeline.h. */
char *
ds_pipeline_conflict_lines(struct ds_pipeline *pl, const char *prefix)
{
	return ds_conflict_lines(pl->conflicts, pl->stats.conflicts, prefix);
}
