/*
 * source_run.c - the one driver of every mailbox source (mailsrc.h):
 * safe to be killed at any point and to run from cron.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: the state of a message is (mailbox, epoch, id) in the
 * store, written by the pipeline's commit hook in the transaction of
 * the message's reports; never a flag on the server (an IMAP fetch sets
 * \Seen as a side effect). The message is moved (or flagged) only after
 * that COMMIT, and a message committed but not yet moved when the run
 * died is moved by the next run without being parsed or counted again.
 * A changed epoch (IMAP's UIDVALIDITY, RFC 3501 2.3.1.1) forgets the
 * old ids; the messages are fetched again and their reports dedup.
 * THREATS #7: sizes are checked before a fetch where the source knows
 * them, and always while receiving.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_source.h"
#include "ingest/source/mailsrc.h"
#include "ingest/source/source.h"

/* moves wait for this many messages; no command names more */
#define FLUSH_EVERY 100
/* ids per info call */
#define INFO_CHUNK 100

struct run {
	struct ds_mailsrc s;
	struct ds_store *st;
	struct ds_mail_stats *stats;
	GHashTable *known;	/* id -> struct known * */
	GPtrArray *todo[DS_MAIL_ACTIONS];	/* committed ids (char *) */
	const struct ds_mail_msg *cur;	/* the message in the pipeline */
};

struct known {
	enum ds_msg_state state;
	uint64_t size;
};

const struct ds_mailsrc_ops *
ds_mailsrc_for_url(const char *url)
{
	if (g_str_has_prefix(url, "imap://") || g_str_has_prefix(url,
	    "imaps://"))
		return &ds_mailsrc_imap;
	if (g_str_has_prefix(url, "graph://"))
		return &ds_mailsrc_graph;
	if (g_str_has_prefix(url, "gmail://"))
		return &ds_mailsrc_gmail;
	return NULL;
}

/*
 * The state a committed message gets. Mail that is no report (a
 * person's question) goes where rejected mail goes, but is never marked
 * read: without an invalid-folder it stays where it is, untouched.
 */
static enum ds_msg_state
state_of(const struct run *r, enum ds_outcome o)
{
	if (o == DS_OUTCOME_NOT_REPORT)
		return r->s.c->invalid_folder != NULL ? DS_MSG_REJECTED :
		    DS_MSG_DONE;
	return o == DS_OUTCOME_REJECTED ? DS_MSG_REJECTED : DS_MSG_STORED;
}

/*
 * The commit hook: record the message with its reports. A person's mail
 * gets its unread state back first (IMAP's fetch set \Seen), inside the
 * transaction: if that fails nothing is recorded and the next run tries
 * again.
 */
static bool
commit_hook(struct ds_store *st, enum ds_outcome o, void *payload,
    GError **err)
{
	struct run *r = payload;

	if (o == DS_OUTCOME_NOT_REPORT && !r->s.keep && r->s.ops->unread &&
	    !r->s.ops->unread(&r->s, r->cur, err))
		return false;
	return ds_store_source_put(st, r->s.key, r->s.epoch, r->cur->id,
	    state_of(r, o), 0, err);
}

/* Queue what happens to a committed message on the server. */
static void
queue(struct run *r, const char *id, enum ds_msg_state s)
{
	const char *folder = s == DS_MSG_REJECTED ? r->s.c->invalid_folder :
	    r->s.c->archive_folder;
	enum ds_mail_action a;

	if (r->s.keep)
		return;
	if (folder != NULL)
		a = s == DS_MSG_REJECTED ? DS_MAIL_INVALID : DS_MAIL_ARCHIVE;
	else
		a = DS_MAIL_FLAG;
	g_ptr_array_add(r->todo[a], g_strdup(id));
}

/*
 * After a move to the invalid folder the quarantine names where the
 * messages are now (issue 18), so "quarantine show" finds them.
 */
static bool
quarantine_moved(struct run *r, const char *const *ids, size_t n,
    GError **err)
{
	const char *folder = r->s.c->invalid_folder;
	char *from, *to;
	bool ok = true;
	size_t i;

	for (i = 0; ok && i < n; i++) {
		from = r->s.ops->label(&r->s, ids[i]);
		to = r->s.ops->moved ? r->s.ops->moved(&r->s, folder, ids[i]) :
		    g_strdup_printf("folder '%s' of %s (moved there; was %s)",
		    folder, r->s.key, from);
		ok = ds_store_quarantine_moved(r->st, from, to, err);
		g_free(from);
		g_free(to);
	}
	return ok;
}

/* Do the queued moves when force or enough are waiting. */
static bool
flush(struct run *r, bool force, GError **err)
{
	const char *const *ids;
	GPtrArray *a;
	uint64_t *count[DS_MAIL_ACTIONS];
	size_t waiting = 0, at, n;
	bool ok = true;
	int i;

	for (i = 0; i < DS_MAIL_ACTIONS; i++)
		waiting += r->todo[i]->len;
	if (waiting == 0 || (!force && waiting < FLUSH_EVERY))
		return true;
	count[DS_MAIL_ARCHIVE] = &r->stats->archived;
	count[DS_MAIL_INVALID] = &r->stats->invalid;
	count[DS_MAIL_FLAG] = &r->stats->flagged;
	for (i = 0; ok && i < DS_MAIL_ACTIONS; i++) {
		a = r->todo[i];
		for (at = 0; ok && at < a->len; at += n) {
			n = MIN(FLUSH_EVERY, a->len - at);
			ids = (const char *const *)a->pdata + at;
			ok = r->s.ops->done(&r->s, (enum ds_mail_action)i, ids,
			    n, err);
			/* a crash here leaves the rows "stored": the next run
			 * finds the messages gone (moved) or moves them again */
			ok = ok && ds_store_source_set(r->st, r->s.key,
			    r->s.epoch, ids, n, DS_MSG_DONE, err);
			ok = ok && (i != DS_MAIL_INVALID || quarantine_moved(r,
			    ids, n, err));
			if (ok)
				*count[i] += n;
		}
		if (ok)
			g_ptr_array_set_size(a, 0);
	}
	return ok;
}

static bool
load_row(const struct ds_msg_row *row, void *payload)
{
	struct known *k = g_new(struct known, 1);

	k->state = row->state;
	k->size = row->size;
	g_hash_table_insert(payload, g_strdup(row->msgid), k);
	return true;
}

/* Would a message over max-message-size be moved to invalid-folder? */
static bool
move_too_large(const struct run *r)
{
	return r->s.c->too_large_move && r->s.c->invalid_folder != NULL &&
	    !r->s.keep;
}

/* Say, even under --quiet, that message id of size bytes is skipped. */
static void
say_skip(struct run *r, const char *id, uint64_t size)
{
	char *src = r->s.ops->label(&r->s, id);

	ds_pipeline_warn(r->s.pl, src, "skipped: message of %"
	    G_GUINT64_FORMAT " bytes is over max-message-size (%"
	    G_GUINT64_FORMAT "); %s", size, r->s.c->max_message,
	    move_too_large(r) ? "moved to invalid-folder" :
	    "left in the mailbox");
	g_free(src);
	r->stats->skipped++;
}

/*
 * Skip message id of size bytes and remember it: left in place (said
 * again on every run, never ignored in silence), or with too-large =
 * move queued for invalid-folder like rejected mail (its row says so,
 * so a run that dies before the move moves it next time).
 */
static bool
skip(struct run *r, const char *id, uint64_t size, GError **err)
{
	say_skip(r, id, size);
	if (move_too_large(r)) {
		if (!ds_store_source_put(r->st, r->s.key, r->s.epoch, id,
		    DS_MSG_REJECTED, size, err))
			return false;
		queue(r, id, DS_MSG_REJECTED);
		return true;
	}
	return ds_store_source_put(r->st, r->s.key, r->s.epoch, id,
	    DS_MSG_SKIPPED, size, err);
}

/* Fetch one message and hand it to the pipeline. */
static bool
ingest_one(struct run *r, const struct ds_mail_msg *m, GError **err)
{
	enum ds_outcome o;
	GError *e = NULL;
	char *buf = NULL, *src;
	size_t len;
	bool ok, gone = false;

	if (m->size > r->s.c->max_message)
		return skip(r, m->id, m->size, err);
	if (!r->s.ops->fetch(&r->s, m, r->s.c->max_message, &buf, &len,
	    &gone, &e)) {
		if (gone) {
			src = r->s.ops->label(&r->s, m->id);
			ds_pipeline_say(r->s.pl, src, "gone before it could be "
			    "fetched");
			g_free(src);
			return true;
		}
		if (e->code != DS_ERROR_LIMIT) {
			g_propagate_error(err, e);
			return false;
		}
		/* the announced size lied, or none was announced */
		g_clear_error(&e);
		return skip(r, m->id, r->s.c->max_message + 1, err);
	}
	r->stats->fetched++;
	src = r->s.ops->label(&r->s, m->id);
	r->cur = m;
	ok = ds_pipeline_ingest(r->s.pl, src, buf, len, commit_hook, r, &o,
	    err);
	r->cur = NULL;
	if (ok && state_of(r, o) != DS_MSG_DONE)
		queue(r, m->id, state_of(r, o));
	g_free(src);
	g_free(buf);
	return ok;
}

/* Sort the ids of the mailbox into resumed moves and candidates. */
static GPtrArray *
triage(struct run *r, GPtrArray *ids)
{
	GPtrArray *cand = g_ptr_array_new();
	const struct known *k;
	const char *id;
	guint i;

	for (i = 0; i < ids->len; i++) {
		id = g_ptr_array_index(ids, i);
		k = g_hash_table_lookup(r->known, id);
		/* skipped once: again a candidate when the limit was
		 * raised, or to be moved now that too-large = move */
		if (k == NULL || (k->state == DS_MSG_SKIPPED &&
		    (k->size <= r->s.c->max_message || move_too_large(r))))
			g_ptr_array_add(cand, (char *)id);
		else if ((k->state == DS_MSG_STORED ||
		    k->state == DS_MSG_REJECTED) && !r->s.keep) {
			queue(r, id, k->state);
			r->stats->resumed++;
		} else if (k->state == DS_MSG_SKIPPED) {
			/* still too large: said again on every run, never
			 * ignored in silence after the first */
			say_skip(r, id, k->size);
		}
	}
	return cand;
}

/* Process the candidates: sizes first where known, then each message. */
static bool
ingest_all(struct run *r, GPtrArray *cand, GError **err)
{
	struct ds_mail_msg one;
	GArray *infos;
	size_t at, n;
	guint i;
	bool ok = true;

	for (at = 0; ok && at < cand->len; at += n) {
		n = MIN(INFO_CHUNK, cand->len - at);
		if (r->s.ops->info != NULL) {
			if (!r->s.ops->info(&r->s, (char *const *)cand->pdata +
			    at, n, &infos, err))
				return false;
		} else {
			infos = g_array_new(FALSE, TRUE,
			    sizeof(struct ds_mail_msg));
			for (i = 0; i < n; i++) {
				memset(&one, 0, sizeof(one));
				one.id = g_strdup(g_ptr_array_index(cand,
				    at + i));
				g_array_append_val(infos, one);
			}
		}
		for (i = 0; ok && i < infos->len; i++) {
			ok = ingest_one(r, &g_array_index(infos,
			    struct ds_mail_msg, i), err) && flush(r, false,
			    err);
			ds_source_progress(r->s.pl, false);
		}
		for (i = 0; i < infos->len; i++)
			g_free(g_array_index(infos, struct ds_mail_msg, i).id);
		g_array_free(infos, TRUE);
	}
	return ok;
}

static bool
run_mailbox(struct run *r, GError **err)
{
	GPtrArray *ids = NULL, *cand = NULL;
	char *old = NULL;
	bool ok = false;

	/*
	 * The mailbox's own lock, taken before a word to the server: on
	 * PostgreSQL hosts polling different mailboxes run in parallel, two
	 * polling this one do not (its key comes from the configuration,
	 * the same on every host, so the second waits before it asks for
	 * a STATUS the first is changing); on SQLite the run lock the
	 * command already holds.
	 */
	if ((r->s.key = r->s.ops->key(r->s.c, err)) == NULL ||
	    !ds_store_lock_key(r->st, r->s.key, r->s.o->lock_wait_ms, err) ||
	    !r->s.ops->open(&r->s, err))
		return false;
	if (!ds_store_source_mailbox(r->st, r->s.key, r->s.epoch, &old, err))
		return false;
	if (old != NULL)
		ds_pipeline_say(r->s.pl, r->s.key, "%s changed from %s to %s: "
		    "reading the mailbox again (stored reports count as "
		    "duplicates)", r->s.ops->epoch_name, old, r->s.epoch);
	g_free(old);
	if (!ds_store_source_each(r->st, r->s.key, r->s.epoch, load_row,
	    r->known, err) || !r->s.ops->list(&r->s, &ids, err))
		goto done;
	cand = triage(r, ids);
	ok = flush(r, true, err) && ingest_all(r, cand, err) &&
	    flush(r, true, err);
done:
	if (cand)
		g_ptr_array_free(cand, TRUE);
	if (ids)
		g_ptr_array_free(ids, TRUE);
	return ok;
}

bool
ds_source_mail_run(struct ds_pipeline *pl, const struct ds_mailbox_conf *c,
    const struct ds_mail_run_opts *o, struct ds_mail_stats *stats,
    GError **err)
{
	struct run r;
	bool ok;
	int i;

	memset(&r, 0, sizeof(r));
	r.s.ops = ds_mailsrc_for_url(c->url);
	if (r.s.ops == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "mailbox %s: '%s' is not "
		    "an imap://, imaps://, graph:// or gmail:// URL", c->name,
		    c->url);
	r.s.c = c;
	r.s.o = o;
	r.s.pl = pl;
	r.s.keep = c->keep || o->keep;
	r.st = ds_pipeline_store(pl);
	r.stats = stats;
	r.known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	for (i = 0; i < DS_MAIL_ACTIONS; i++)
		r.todo[i] = g_ptr_array_new_with_free_func(g_free);
	ok = run_mailbox(&r, err);
	r.s.ops->close(&r.s);
	for (i = 0; i < DS_MAIL_ACTIONS; i++)
		g_ptr_array_free(r.todo[i], TRUE);
	g_hash_table_destroy(r.known);
	g_free(r.s.key);
	g_free(r.s.epoch);
	return ok;
}
