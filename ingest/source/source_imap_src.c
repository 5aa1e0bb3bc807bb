/*
 * source_imap_src.c - IMAP as a mailbox source (mailsrc.h): UIDs as
 * ids, UIDVALIDITY as the epoch, UID MOVE (or COPY + STORE + EXPUNGE)
 * after COMMIT.
 * SPDX-License-Identifier: MIT
 *
 * RFC 3501, RFC 6851 (MOVE), RFC 4315 (UIDPLUS). A libcurl fetch sets
 * \Seen (SPEC.md section 7): with --keep or a missing folder the flag is
 * put back as it was. THREATS #7: RFC822.SIZE is read before a fetch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/source/imap.h"
#include "ingest/source/imap_auth.h"
#include "ingest/source/mailsrc.h"

/*
 * messages per UID SEARCH: libcurl cuts a reply line longer than half its
 * buffer to 40 bytes, so one "* SEARCH" line must stay well below that
 * (5000 UIDs of 10 digits: 55 KB; imap.c sets a 256 KiB buffer)
 */
#define SEARCH_WINDOW 5000

struct imap_src {
	struct ds_imap *im;
	struct ds_imap_url u;
	uint32_t v;		/* UIDVALIDITY */
	uint32_t messages;	/* MESSAGES when the run began */
	bool restore_seen;	/* undo the \Seen a fetch sets */
	bool warned_expunge;
};

static bool
parse_uid(const char *id, uint32_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(id, 10, 1, G_MAXUINT32, &v, NULL))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The UIDs of ids[0..n) (ids are our own decimal UIDs). */
static GArray *
uids_of(const char *const *ids, size_t n)
{
	GArray *a = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t),
	    (guint)n);
	uint32_t uid;
	size_t i;

	for (i = 0; i < n; i++)
		if (parse_uid(ids[i], &uid))
			g_array_append_val(a, uid);
	return a;
}

static char *
imap_key(const struct ds_mailbox_conf *c, GError **err)
{
	struct ds_imap_url u;
	char *key;

	if (!ds_imap_url_parse(&u, c->url, err))
		return NULL;
	key = ds_imap_url_key(&u, c->user);
	ds_imap_url_clear(&u);
	return key;
}

static bool
imap_open(struct ds_mailsrc *s, GError **err)
{
	struct imap_src *p = g_new0(struct imap_src, 1);
	const struct ds_mailbox_conf *c = s->c;

	s->priv = p;
	p->restore_seen = s->keep || c->archive_folder == NULL ||
	    c->invalid_folder == NULL;
	if (!ds_imap_url_parse(&p->u, c->url, err))
		return false;
	if ((p->im = ds_imap_auth_open(&p->u, c, s->o->cacert, err)) == NULL)
		return false;
	if (!s->keep && ((c->archive_folder && !ds_imap_ensure_folder(p->im,
	    c->archive_folder, err)) || (c->invalid_folder &&
	    !ds_imap_ensure_folder(p->im, c->invalid_folder, err))))
		return false;
	if (!ds_imap_status(p->im, p->u.mailbox, &p->v, &p->messages, err))
		return false;
	s->epoch = g_strdup_printf("%u", p->v);
	ds_imap_use(p->im, p->u.mailbox, p->v);
	return true;
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
imap_list(struct ds_mailsrc *s, GPtrArray **out, GError **err)
{
	struct imap_src *p = s->priv;
	GArray *all, *part;
	char crit[64];
	uint64_t start, end;
	uint32_t uid, last = 0;
	guint i;

	*out = NULL;
	all = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (start = 1; start <= p->messages; start += SEARCH_WINDOW) {
		end = start + SEARCH_WINDOW - 1;
		if (end >= p->messages)
			g_snprintf(crit, sizeof(crit), "%" G_GUINT64_FORMAT
			    ":* UNDELETED", start);
		else
			g_snprintf(crit, sizeof(crit), "%" G_GUINT64_FORMAT
			    ":%" G_GUINT64_FORMAT " UNDELETED", start, end);
		if (!ds_imap_search(p->im, crit, &part, err)) {
			g_array_free(all, TRUE);
			return false;
		}
		g_array_append_vals(all, part->data, part->len);
		g_array_free(part, TRUE);
	}
	g_array_sort(all, cmp_uid);
	*out = g_ptr_array_new_with_free_func(g_free);
	/* windows may overlap when messages vanish meanwhile */
	for (i = 0; i < all->len; i++) {
		uid = g_array_index(all, uint32_t, i);
		if (uid != last)
			g_ptr_array_add(*out, g_strdup_printf("%u", uid));
		last = uid;
	}
	g_array_free(all, TRUE);
	return true;
}

static bool
imap_info(struct ds_mailsrc *s, char *const *ids, size_t n, GArray **out,
    GError **err)
{
	struct imap_src *p = s->priv;
	const struct ds_imap_info *in;
	struct ds_mail_msg m;
	GArray *uids, *infos;
	guint i;
	bool ok;

	uids = uids_of((const char *const *)ids, n);
	ok = ds_imap_info(p->im, (uint32_t *)uids->data, uids->len, &infos,
	    err);
	g_array_free(uids, TRUE);
	if (!ok)
		return false;
	*out = g_array_new(FALSE, TRUE, sizeof(struct ds_mail_msg));
	for (i = 0; i < infos->len; i++) {
		in = &g_array_index(infos, struct ds_imap_info, i);
		m.id = g_strdup_printf("%u", in->uid);
		m.size = in->size;
		m.seen = in->seen;
		g_array_append_val(*out, m);
	}
	g_array_free(infos, TRUE);
	return true;
}

static bool
imap_fetch(struct ds_mailsrc *s, const struct ds_mail_msg *m, uint64_t max,
    char **out, size_t *out_len, bool *gone, GError **err)
{
	struct imap_src *p = s->priv;
	GError *e = NULL;
	uint32_t uid, v = 0, n;
	char *cmd;
	bool ok;

	*gone = false;
	if (!parse_uid(m->id, &uid))
		return ds_fail(err, DS_ERROR_NET, "bad UID '%s'", m->id);
	if (!ds_imap_fetch(p->im, uid, max, out, out_len, &e)) {
		/*
		 * nothing found: expunged by another client since the
		 * search (go on without it), unless the mailbox's
		 * UIDVALIDITY changed meanwhile (stop; the next run starts
		 * over)
		 */
		if (ds_imap_not_found(p->im) && ds_imap_status(p->im,
		    p->u.mailbox, &v, &n, NULL) && v == p->v) {
			g_error_free(e);
			*gone = true;
			return false;
		}
		g_propagate_error(err, e);
		return false;
	}
	if (p->restore_seen && !m->seen) {
		cmd = g_strdup_printf("UID STORE %u -FLAGS.SILENT (\\Seen)",
		    uid);
		ok = ds_imap_command(p->im, cmd, err);
		g_free(cmd);
		if (!ok) {
			g_free(*out);
			*out = NULL;
			return false;
		}
	}
	return true;
}

/* Run "UID <verb> <set> <arg>" over uids, in commands of bounded size. */
static bool
uid_command(struct imap_src *p, const char *verb, const GArray *uids,
    const char *arg, GError **err)
{
	char *set, *cmd;
	size_t pos = 0;
	bool ok = true;

	while (ok && pos < uids->len) {
		set = ds_imap_uid_set((const uint32_t *)uids->data, uids->len,
		    &pos, DS_IMAP_MAX_UIDS, 4000);
		cmd = g_strdup_printf("UID %s %s%s%s", verb, set, arg ? " " :
		    "", arg ? arg : "");
		ok = ds_imap_command(p->im, cmd, err);
		g_free(cmd);
		g_free(set);
	}
	return ok;
}

/* RFC 6851 MOVE, else COPY + STORE \Deleted + UID EXPUNGE (RFC 4315). */
static bool
move(struct ds_mailsrc *s, const GArray *uids, const char *folder,
    GError **err)
{
	struct imap_src *p = s->priv;
	char *q = ds_imap_quote(folder);
	bool ok;

	if (ds_imap_has(p->im, "MOVE"))
		ok = uid_command(p, "MOVE", uids, q, err);
	else {
		ok = uid_command(p, "COPY", uids, q, err) &&
		    uid_command(p, "STORE", uids, "+FLAGS.SILENT (\\Deleted)",
		    err);
		if (ok && ds_imap_has(p->im, "UIDPLUS"))
			ok = uid_command(p, "EXPUNGE", uids, NULL, err);
		else if (ok && !p->warned_expunge) {
			ds_pipeline_say(s->pl, s->key, "the server has neither "
			    "MOVE nor UIDPLUS: archived messages stay flagged "
			    "\\Deleted until expunged");
			p->warned_expunge = true;
		}
	}
	g_free(q);
	return ok;
}

static bool
imap_done(struct ds_mailsrc *s, enum ds_mail_action a,
    const char *const *ids, size_t n, GError **err)
{
	struct imap_src *p = s->priv;
	GArray *uids = uids_of(ids, n);
	bool ok;

	if (a == DS_MAIL_FLAG)
		ok = uid_command(p, "STORE", uids, "+FLAGS.SILENT (\\Seen)",
		    err);
	else
		ok = move(s, uids, a == DS_MAIL_ARCHIVE ?
		    s->c->archive_folder : s->c->invalid_folder, err);
	g_array_free(uids, TRUE);
	return ok;
}

static char *
imap_label(struct ds_mailsrc *s, const char *id)
{
	return g_strdup_printf("%s;UIDVALIDITY=%s/;UID=%s", s->key, s->epoch,
	    id);
}

/* The folder's URL, and the UID the message had (issue 18). */
static char *
imap_moved(struct ds_mailsrc *s, const char *folder, const char *id)
{
	struct imap_src *p = s->priv;
	struct ds_imap_url u = p->u;
	char *key, *out;

	u.mailbox = (char *)folder;
	key = ds_imap_url_key(&u, s->c->user);
	out = g_strdup_printf("%s (moved there; was UID %s of %s)", key, id,
	    p->u.mailbox);
	g_free(key);
	return out;
}

/*
 * A fetch set \Seen; with --keep or a missing folder imap_fetch put it
 * back already, otherwise put it back here for mail that is no report.
 */
static bool
imap_unread(struct ds_mailsrc *s, const struct ds_mail_msg *m, GError **err)
{
	struct imap_src *p = s->priv;
	char *cmd;
	uint32_t uid;
	bool ok;

	if (p->restore_seen || m->seen || !parse_uid(m->id, &uid))
		return true;
	cmd = g_strdup_printf("UID STORE %u -FLAGS.SILENT (\\Seen)", uid);
	ok = ds_imap_command(p->im, cmd, err);
	g_free(cmd);
	return ok;
}

static void
imap_close(struct ds_mailsrc *s)
{
	struct imap_src *p = s->priv;

	if (p == NULL)
		return;
	ds_imap_close(p->im);
	ds_imap_url_clear(&p->u);
	g_free(p);
	s->priv = NULL;
}

const struct ds_mailsrc_ops ds_mailsrc_imap = {
	.name = "imap",
	.epoch_name = "UIDVALIDITY",
	.key = imap_key,
	.open = imap_open,
	.list = imap_list,
	.info = imap_info,
	.fetch = imap_fetch,
	.done = imap_done,
	.label = imap_label,
	.moved = imap_moved,
	.unread = imap_unread,
	.close = imap_close,
};
