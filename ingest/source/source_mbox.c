/*
 * source_mbox.c - split an mbox into messages (RFC 4155: a message
 * starts at each line that begins with "From ").
 * SPDX-License-Identifier: MIT
 *
 * Each message's raw bytes between its separator line and the next one
 * go to the pipeline as "source:N" (N from 1, counting every separator),
 * so the hash and the quarantine copy are the bytes as delivered. The
 * separators are the lines GMime's mbox parser stops at, found with
 * memchr instead of a full MIME parse of every message. A file is read
 * as a stream (THREATS #7: one message in memory at a time, whatever the
 * mailbox size); a message over lim->max_message is skipped, said and
 * counted as an error, and the rest of the mailbox is ingested.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/source/source.h"

#define SEP "\nFrom "
#define SEP_LEN 6
#define READ_CHUNK (1u << 20)

/*
 * Start of the separator line after buf[from..], else len. A "From "
 * line that is the last line of the mailbox starts nothing (GMime keeps
 * it in the message before); the streaming reader reads on before it
 * decides (see ds_source_mbox_ingest_fd).
 */
static size_t
next_separator(const char *buf, size_t len, size_t from)
{
	const char *p, *end = buf + len;

	if (from >= len)
		return len;
	/* a separator line starts after a '\n': look from from - 1 */
	for (p = buf + from - 1;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
		if (end - p >= SEP_LEN && memcmp(p, SEP, SEP_LEN) == 0)
			return (size_t)(p - buf) + 1;
	}
	return len;
}

/* Skip the "From " separator line at buf[off..]. */
static size_t
after_separator(const char *buf, size_t len, size_t off)
{
	const char *nl = memchr(buf + off, '\n', len - off);

	return nl ? (size_t)(nl - buf) + 1 : len;
}

/* The message buf[s..e) (separator line first) as "source:n". */
static bool
one_message(struct ds_pipeline *pl, const char *source, unsigned n,
    const char *buf, size_t s, size_t e, GError **err)
{
	size_t body = after_separator(buf, e, s);
	char *name;
	bool ok = true;

	if (body < e) {
		name = g_strdup_printf("%s:%u", source, n);
		ok = ds_pipeline_ingest(pl, name, buf + body, e - body, NULL,
		    NULL, NULL, err);
		g_free(name);
	}
	ds_source_progress(pl, false);
	return ok;
}

bool
ds_source_mbox_ingest(struct ds_pipeline *pl, const char *source,
    const char *buf, size_t len, GError **err)
{
	size_t s, e;
	unsigned n = 0;
	bool ok = true;

	s = len >= 5 && memcmp(buf, "From ", 5) == 0 ? 0 :
	    next_separator(buf, len, 1);
	for (; ok && s < len; s = e) {
		e = next_separator(buf, len, s + 1);
		if (e < len && after_separator(buf, len, e) == len)
			e = len;	/* a last line "From ..." */
		ok = one_message(pl, source, ++n, buf, s, e, err);
	}
	return ok;
}

/* Count a message that cannot be held in memory; the run goes on. */
static void
skip_message(struct ds_pipeline *pl, const char *source, unsigned n)
{
	char *name = g_strdup_printf("%s:%u", source, n);

	ds_pipeline_say(pl, name, "skipped: larger than the message size "
	    "limit");
	((struct ds_ingest_stats *)ds_pipeline_stats(pl))->errors++;
	g_free(name);
}

/* Read up to READ_CHUNK more bytes of fd onto b; -1 with errno. */
static ssize_t
read_more(int fd, GByteArray *b)
{
	guint old = b->len;
	ssize_t r;

	g_byte_array_set_size(b, old + READ_CHUNK);
	do {
		r = read(fd, b->data + old, READ_CHUNK);
	} while (r < 0 && errno == EINTR);
	g_byte_array_set_size(b, old + (guint)MAX(r, 0));
	return r;
}

bool
ds_source_mbox_ingest_fd(struct ds_pipeline *pl, const char *source, int fd,
    GError **err)
{
	const struct ds_limits *lim = ds_pipeline_limits(pl);
	GByteArray *b = g_byte_array_new();
	size_t s = 0, e, scan = 1, keep, shift;
	unsigned n = 0;
	bool ok = true, eof = false, skipping = false, pending;
	ssize_t r;

	/*
	 * b->data[s..] is the message being read, from its separator line;
	 * the next separator is searched for from scan on.
	 */
	while (ok) {
		e = next_separator((const char *)b->data, b->len,
		    MAX(scan, s + 1));
		pending = e < b->len && after_separator((const char *)b->data,
		    b->len, e) == b->len;
		if (pending && eof)
			e = b->len;	/* a last line "From ...": no message */
		if ((e < b->len && !pending) || eof) {
			if (b->len == 0)
				break;	/* empty file */
			if (skipping)
				skipping = false;	/* drop its tail */
			else
				ok = one_message(pl, source, ++n,
				    (const char *)b->data, s, e, err);
			s = e;
			scan = s + 1;
			if (s == b->len)
				break;	/* eof */
			continue;
		}
		/* no next separator in b yet: read on */
		if (!skipping && b->len - s > lim->max_message + 4096) {
			skipping = true;
			skip_message(pl, source, ++n);
		}
		/*
		 * Keep the message being read; when skipping it, only what
		 * could start a separator across the chunk boundary, or the
		 * separator (with the '\n' before it) whose line is not
		 * complete yet.
		 */
		if (!skipping)
			keep = b->len - s;
		else if (pending)
			keep = b->len - e + 1;
		else
			keep = MIN(b->len - s, SEP_LEN - 1);
		shift = b->len - keep;
		if (shift > 0) {
			memmove(b->data, b->data + shift, keep);
			g_byte_array_set_size(b, (guint)keep);
		}
		s = s >= shift ? s - shift : 0;
		/* search again from SEP_LEN - 1 bytes before the old end,
		 * or from the pending separator */
		if (pending)
			scan = e - shift;
		else
			scan = b->len >= SEP_LEN ? b->len - SEP_LEN + 2 : 1;
		if ((r = read_more(fd, b)) < 0) {
			ds_pipeline_say(pl, source, "skipped: %s",
			    g_strerror(errno));
			((struct ds_ingest_stats *)ds_pipeline_stats(pl))
			    ->errors++;
			break;
		}
		eof = r == 0;
	}
	g_byte_array_free(b, TRUE);
	return ok;
}
