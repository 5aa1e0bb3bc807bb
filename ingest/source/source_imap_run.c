/*
 * source_imap_run.c - one IMAP mailbox through the pipeline, safe to be
 * killed at any point and to run from cron.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: the state of a message is (mailbox, UIDVALIDITY, UID) in
 * the store, written by the pipeline's commit hook in the transaction of
 * the message's reports; never the \Seen flag, which a libcurl fetch
 * sets as a side effect. The message is moved (or flagged) only after
 * that COMMIT, and a message committed but not yet moved when the run
 * died is moved by the next run without being parsed or counted again.
 * A changed UIDVALIDITY (RFC 3501 2.3.1.1) forgets the old UIDs; the
 * messages are fetched again and their reports dedup. THREATS #7: the
 * RFC822.SIZE of each message is checked before it is fetched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/store/store_imap.h"
#include "ingest/source/imap.h"
#include "ingest/source/source.h"
#include "ingest/source/source_imap.h"

/* moves wait for this many messages (one UID MOVE each) */
#define FLUSH_EVERY DS_IMAP_MAX_UIDS
/* UIDs per UID FETCH (UID RFC822.SIZE FLAGS) */
#define INFO_CHUNK DS_IMAP_MAX_UIDS
/*
 * messages per UID SEARCH: libcurl cuts a reply line longer than half its
 * buffer to 40 bytes, so one "* SEARCH" line must stay well below that
 * (5000 UIDs of 10 digits: 55 KB; imap.c sets a 256 KiB buffer)
 */
#define SEARCH_WINDOW 5000

enum action { ACT_ARCHIVE, ACT_INVALID, ACT_FLAG, ACT_COUNT };

struct run {
	struct ds_pipeline *pl;
	struct ds_store *st;
	const struct ds_mailbox_conf *c;
	struct ds_imap_stats *stats;
	struct ds_imap *im;
	struct ds_imap_url u;
	char *key;		/* canonical mailbox name */
	uint32_t v;		/* UIDVALIDITY */
	uint32_t messages;	/* MESSAGES when the run began */
	bool keep;
	bool restore_seen;	/* undo the \Seen a fetch sets */
	GHashTable *known;	/* uid -> struct ds_imap_uid_row * */
	GArray *todo[ACT_COUNT];	/* committed UIDs (uint32_t) */
	uint32_t cur_uid;	/* the message in the pipeline */
	bool warned_expunge;
};

/* The commit hook: record the UID with the message's reports. */
static bool
commit_hook(struct ds_store *st, enum ds_outcome o, void *payload,
    GError **err)
{
	struct run *r = payload;

	/* mail that is no report goes where rejected mail goes */
	return ds_store_imap_uid_put(st, r->key, r->v, r->cur_uid,
	    o == DS_OUTCOME_REJECTED || o == DS_OUTCOME_NOT_REPORT ?
	    DS_IMAP_REJECTED : DS_IMAP_STORED, 0, err);
}

/* Queue what happens to a committed message on the server. */
static void
queue(struct run *r, uint32_t uid, enum ds_imap_state s)
{
	const char *folder = s == DS_IMAP_REJECTED ? r->c->invalid_folder :
	    r->c->archive_folder;
	enum action a;

	if (r->keep)
		return;
	if (folder != NULL)
		a = s == DS_IMAP_REJECTED ? ACT_INVALID : ACT_ARCHIVE;
	else
		a = ACT_FLAG;
	g_array_append_val(r->todo[a], uid);
}

/* Run "UID <verb> <set> <arg>" over uids, in commands of bounded size. */
static bool
uid_command(struct run *r, const char *verb, const uint32_t *uids,
    size_t n, const char *arg, GError **err)
{
	char *set, *cmd;
	size_t pos = 0;
	bool ok = true;

	while (ok && pos < n) {
		set = ds_imap_uid_set(uids, n, &pos, DS_IMAP_MAX_UIDS, 4000);
		cmd = g_strdup_printf("UID %s %s%s%s", verb, set, arg ? " " :
		    "", arg ? arg : "");
		ok = ds_imap_command(r->im, cmd, err);
		g_free(cmd);
		g_free(set);
	}
	return ok;
}

/* RFC 6851 MOVE, else COPY + STORE \Deleted + UID EXPUNGE (RFC 4315). */
static bool
move(struct run *r, const uint32_t *uids, size_t n, const char *folder,
    GError **err)
{
	char *q = ds_imap_quote(folder);
	bool ok;

	if (ds_imap_has(r->im, "MOVE"))
		ok = uid_command(r, "MOVE", uids, n, q, err);
	else {
		ok = uid_command(r, "COPY", uids, n, q, err) &&
		    uid_command(r, "STORE", uids, n,
		    "+FLAGS.SILENT (\\Deleted)", err);
		if (ok && ds_imap_has(r->im, "UIDPLUS"))
			ok = uid_command(r, "EXPUNGE", uids, n, NULL, err);
		else if (ok && !r->warned_expunge) {
			ds_pipeline_say(r->pl, r->key, "the server has neither "
			    "MOVE nor UIDPLUS: archived messages stay flagged "
			    "\\Deleted until expunged");
			r->warned_expunge = true;
		}
	}
	g_free(q);
	return ok;
}

/*
 * After a move to the invalid folder the quarantine names where the
 * message is now: the folder's URL, and the UID it had (issue 18).
 */
static bool
quarantine_moved(struct run *r, const uint32_t *uids, size_t n,
    GError **err)
{
	struct ds_imap_url u = r->u;
	char *folder, *from, *to;
	bool ok = true;
	size_t i;

	u.mailbox = r->c->invalid_folder;
	folder = ds_imap_url_key(&u, r->c->user);
	for (i = 0; ok && i < n; i++) {
		from = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u", r->key,
		    r->v, uids[i]);
		to = g_strdup_printf("%s (moved there; was UID %u of %s)",
		    folder, uids[i], r->u.mailbox);
		ok = ds_store_quarantine_moved(r->st, from, to, err);
		g_free(from);
		g_free(to);
	}
	g_free(folder);
	return ok;
}

/* Do the queued moves when force or enough are waiting. */
static bool
flush(struct run *r, bool force, GError **err)
{
	GArray *a;
	uint64_t *count[ACT_COUNT];
	size_t waiting = 0;
	bool ok = true;
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		waiting += r->todo[i]->len;
	if (waiting == 0 || (!force && waiting < FLUSH_EVERY))
		return true;
	count[ACT_ARCHIVE] = &r->stats->archived;
	count[ACT_INVALID] = &r->stats->invalid;
	count[ACT_FLAG] = &r->stats->flagged;
	for (i = 0; ok && i < ACT_COUNT; i++) {
		a = r->todo[i];
		if (a->len == 0)
			continue;
		if (i == ACT_FLAG)
			ok = uid_command(r, "STORE", (uint32_t *)a->data,
			    a->len, "+FLAGS.SILENT (\\Seen)", err);
		else
			ok = move(r, (uint32_t *)a->data, a->len, i ==
			    ACT_ARCHIVE ? r->c->archive_folder :
			    r->c->invalid_folder, err);
		/* a crash here leaves the rows "stored": the next run finds
		 * the UIDs gone (moved) or moves them again */
		ok = ok && ds_store_imap_uids_set(r->st, r->key, r->v,
		    (uint32_t *)a->data, a->len, DS_IMAP_DONE, err);
		ok = ok && (i != ACT_INVALID || quarantine_moved(r,
		    (uint32_t *)a->data, a->len, err));
		if (ok) {
			*count[i] += a->len;
			g_array_set_size(a, 0);
		}
	}
	return ok;
}

static bool
load_row(const struct ds_imap_uid_row *row, void *payload)
{
	g_hash_table_insert(payload, GUINT_TO_POINTER(row->uid),
	    g_memdup2(row, sizeof(*row)));
	return true;
}

/* Say that uid of size bytes is skipped, and remember it. */
static bool
skip(struct run *r, uint32_t uid, uint64_t size, GError **err)
{
	char *src = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u", r->key,
	    r->v, uid);

	ds_pipeline_warn(r->pl, src, "skipped: message of %" G_GUINT64_FORMAT
	    " bytes is over max-message-size (%" G_GUINT64_FORMAT "); left in "
	    "the mailbox", size, r->c->max_message);
	g_free(src);
	r->stats->skipped++;
	return ds_store_imap_uid_put(r->st, r->key, r->v, uid,
	    DS_IMAP_SKIPPED, size, err);
}

/*
 * A fetch found nothing: the message was expunged by another client
 * since the search (go on without it), unless the mailbox's UIDVALIDITY
 * changed meanwhile (stop; the next run starts over). Takes e.
 */
static bool
vanished(struct run *r, uint32_t uid, GError *e, GError **err)
{
	uint32_t v = 0, n;
	char *src;

	if (!ds_imap_status(r->im, r->u.mailbox, &v, &n, NULL) || v != r->v) {
		g_propagate_error(err, e);
		return false;
	}
	g_error_free(e);
	src = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u", r->key, r->v, uid);
	ds_pipeline_say(r->pl, src, "gone before it could be fetched");
	g_free(src);
	return true;
}

/* Fetch one message and hand it to the pipeline. */
static bool
ingest_one(struct run *r, const struct ds_imap_info *info, GError **err)
{
	enum ds_outcome o;
	GError *e = NULL;
	char *buf = NULL, *src = NULL, *cmd;
	size_t len;
	bool ok = false;

	if (info->size > r->c->max_message)
		return skip(r, info->uid, info->size, err);
	if (!ds_imap_fetch(r->im, info->uid, r->c->max_message, &buf, &len,
	    &e)) {
		if (ds_imap_not_found(r->im))
			return vanished(r, info->uid, e, err);
		if (e->code != DS_ERROR_LIMIT) {
			g_propagate_error(err, e);
			return false;
		}
		/* RFC822.SIZE lied */
		g_clear_error(&e);
		return skip(r, info->uid, r->c->max_message + 1, err);
	}
	r->stats->fetched++;
	if (r->restore_seen && !info->seen) {
		cmd = g_strdup_printf("UID STORE %u -FLAGS.SILENT (\\Seen)",
		    info->uid);
		ok = ds_imap_command(r->im, cmd, err);
		g_free(cmd);
		if (!ok)
			goto done;
	}
	src = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u", r->key, r->v,
	    info->uid);
	r->cur_uid = info->uid;
	ok = ds_pipeline_ingest(r->pl, src, buf, len, commit_hook, r, &o, err);
	/* a person's mail stays unread for the person, wherever it goes */
	if (ok && o == DS_OUTCOME_NOT_REPORT && !info->seen &&
	    !r->restore_seen) {
		cmd = g_strdup_printf("UID STORE %u -FLAGS.SILENT (\\Seen)",
		    info->uid);
		ok = ds_imap_command(r->im, cmd, err);
		g_free(cmd);
	}
	if (ok)
		queue(r, info->uid, o == DS_OUTCOME_REJECTED ||
		    o == DS_OUTCOME_NOT_REPORT ? DS_IMAP_REJECTED :
		    DS_IMAP_STORED);
done:
	g_free(src);
	g_free(buf);
	return ok;
}

/* Sort the UIDs of the mailbox into resumed moves and candidates. */
static GArray *
triage(struct run *r, GArray *uids)
{
	GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	const struct ds_imap_uid_row *row;
	uint32_t uid;
	guint i;

	for (i = 0; i < uids->len; i++) {
		uid = g_array_index(uids, uint32_t, i);
		row = g_hash_table_lookup(r->known, GUINT_TO_POINTER(uid));
		if (row == NULL || (row->state == DS_IMAP_SKIPPED &&
		    row->size <= r->c->max_message))
			g_array_append_val(cand, uid);
		else if ((row->state == DS_IMAP_STORED ||
		    row->state == DS_IMAP_REJECTED) && !r->keep) {
			queue(r, uid, row->state);
			r->stats->resumed++;
		} else if (row->state == DS_IMAP_SKIPPED) {
			/* still too large: said again on every run, never
			 * ignored in silence after the first */
			char *src = g_strdup_printf("%s;UIDVALIDITY=%u/;UID=%u",
			    r->key, r->v, uid);

			ds_pipeline_warn(r->pl, src, "skipped: message of %"
			    G_GUINT64_FORMAT " bytes is over max-message-size "
			    "(%" G_GUINT64_FORMAT "); left in the mailbox",
			    (uint64_t)row->size, r->c->max_message);
			g_free(src);
			r->stats->skipped++;
		}
	}
	return cand;
}

/* Process the candidates: sizes first, then each message. */
static bool
ingest_all(struct run *r, GArray *cand, GError **err)
{
	const struct ds_imap_info *info;
	GArray *infos;
	size_t at, n;
	guint i;
	bool ok = true;

	for (at = 0; ok && at < cand->len; at += n) {
		n = MIN(INFO_CHUNK, cand->len - at);
		if (!ds_imap_info(r->im, &g_array_index(cand, uint32_t, at), n,
		    &infos, err))
			return false;
		for (i = 0; ok && i < infos->len; i++) {
			info = &g_array_index(infos, struct ds_imap_info, i);
			ok = ingest_one(r, info, err) && flush(r, false, err);
			ds_source_progress(r->pl, false);
		}
		g_array_free(infos, TRUE);
	}
	return ok;
}

static int
cmp_uid(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The UIDs of the mailbox (not flagged \Deleted), ascending, searched
 * in windows of message sequence numbers so that no reply line grows
 * too long. Messages that arrive meanwhile are found by the next run.
 */
static bool
search(struct run *r, GArray **out, GError **err)
{
	GArray *part;
	char crit[64];
	uint64_t start, end;
	guint i;

	*out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (start = 1; start <= r->messages; start += SEARCH_WINDOW) {
		end = start + SEARCH_WINDOW - 1;
		if (end >= r->messages)
			g_snprintf(crit, sizeof(crit), "%" G_GUINT64_FORMAT
			    ":* UNDELETED", start);
		else
			g_snprintf(crit, sizeof(crit), "%" G_GUINT64_FORMAT
			    ":%" G_GUINT64_FORMAT " UNDELETED", start, end);
		if (!ds_imap_search(r->im, crit, &part, err))
			return false;
		g_array_append_vals(*out, part->data, part->len);
		g_array_free(part, TRUE);
	}
	g_array_sort(*out, cmp_uid);
	/* windows may overlap when messages vanish meanwhile */
	for (i = 1; i < (*out)->len; i++)
		if (g_array_index(*out, uint32_t, i) ==
		    g_array_index(*out, uint32_t, i - 1))
			g_array_remove_index((*out), i--);
	return true;
}

/* The password, or NULL for ~/.netrc (which must exist and be private). */
static bool
password(const struct ds_mailbox_conf *c, char **out, GError **err)
{
	const char *home = getenv("HOME");
	char *netrc;
	bool ok;
	int fd;

	if (!ds_config_password(c, out, err))
		return false;
	if (*out != NULL)
		return true;
	netrc = g_build_filename(home && *home ? home : g_get_home_dir(),
	    ".netrc", NULL);
	fd = open(netrc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		ok = ds_fail(err, DS_ERROR_USAGE, "mailbox %s: no password "
		    "(set password-file or password, DMARCSIFT_IMAP_PASSWORD, "
		    "or add the host to ~/.netrc)", c->name);
	else {
		ok = ds_config_check_private(fd, netrc, "passwords", err);
		close(fd);
	}
	g_free(netrc);
	return ok;
}

static bool
run_mailbox(struct run *r, const struct ds_imap_run_opts *o, GError **err)
{
	struct ds_imap_opts io = { 0 };
	GArray *uids = NULL, *cand = NULL;
	uint32_t old;
	char *pw = NULL;
	bool ok = false;

	if (!ds_imap_url_parse(&r->u, r->c->url, err) ||
	    !password(r->c, &pw, err))
		return false;
	r->key = ds_imap_url_key(&r->u, r->c->user);
	io.user = r->c->user;
	io.password = pw;
	io.ca_file = o->cacert ? o->cacert : r->c->ca_file;
	io.allow_plaintext = r->c->allow_plaintext;
	r->im = ds_imap_open(&r->u, &io, err);
	ds_config_password_free(pw);	/* libcurl keeps its own copy */
	if (r->im == NULL)
		return false;
	if (!r->keep && ((r->c->archive_folder && !ds_imap_ensure_folder(
	    r->im, r->c->archive_folder, err)) || (r->c->invalid_folder &&
	    !ds_imap_ensure_folder(r->im, r->c->invalid_folder, err))))
		return false;
	if (!ds_imap_status(r->im, r->u.mailbox, &r->v, &r->messages, err) ||
	    !ds_store_imap_mailbox(r->st, r->key, r->v, &old, err))
		return false;
	if (old != 0)
		ds_pipeline_say(r->pl, r->key, "UIDVALIDITY changed from %u to "
		    "%u: reading the mailbox again (stored reports count as "
		    "duplicates)", old, r->v);
	ds_imap_use(r->im, r->u.mailbox, r->v);
	if (!ds_store_imap_uids_each(r->st, r->key, r->v, load_row, r->known,
	    err) || !search(r, &uids, err))
		goto done;
	cand = triage(r, uids);
	ok = flush(r, true, err) && ingest_all(r, cand, err) &&
	    flush(r, true, err);
done:
	if (uids)
		g_array_free(uids, TRUE);
	if (cand)
		g_array_free(cand, TRUE);
	return ok;
}

bool
ds_source_imap_run(struct ds_pipeline *pl, const struct ds_mailbox_conf *c,
    const struct ds_imap_run_opts *o, struct ds_imap_stats *stats,
    GError **err)
{
	struct run r;
	bool ok;
	int i;

	memset(&r, 0, sizeof(r));
	r.pl = pl;
	r.st = ds_pipeline_store(pl);
	r.c = c;
	r.stats = stats;
	r.keep = c->keep || o->keep;
	r.restore_seen = r.keep || c->archive_folder == NULL ||
	    c->invalid_folder == NULL;
	r.known = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	for (i = 0; i < ACT_COUNT; i++)
		r.todo[i] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	ok = run_mailbox(&r, o, err);
	ds_imap_close(r.im);
	for (i = 0; i < ACT_COUNT; i++)
		g_array_free(r.todo[i], TRUE);
	g_hash_table_destroy(r.known);
	ds_imap_url_clear(&r.u);
	g_free(r.key);
	return ok;
}
