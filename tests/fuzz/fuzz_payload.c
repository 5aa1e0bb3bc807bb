/*
 * fuzz_payload.c - libFuzzer target for the payload layer
 * (ingest/payload*.c: gzip, zip, plain; THREATS #4, #5).
 * SPDX-License-Identifier: MIT
 *
 * Every input is walked from memory and, through a temporary file, from
 * a file descriptor; every leaf is read to its end. Besides the
 * sanitizers, oracles abort: a leaf's head is its first bytes, err is
 * set exactly on failure, both walks reach the same verdict with the
 * same leaves, and the same bytes when they succeed. A small budget
 * keeps bombs fast.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <zlib.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "ingest/payload/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one walk saw. */
struct seen {
	unsigned leaves;
	uLong crc;		/* over names and contents */
	bool ok;
};

/* Read the leaf to its end; the head must be its first bytes. */
static bool
read_leaf(struct ds_leaf *leaf, void *payload, GError **err)
{
	struct seen *s = payload;
	char buf[8192];
	size_t total = 0;
	int n;

	g_assert(leaf->head_len <= 4096);
	while ((n = ds_leaf_read(leaf, buf, sizeof(buf))) > 0) {
		if (total < leaf->head_len)
			g_assert(memcmp(buf, leaf->head + total,
			    MIN((size_t)n, leaf->head_len - total)) == 0);
		total += (size_t)n;
		s->crc = crc32(s->crc, (const Bytef *)buf, (uInt)n);
	}
	g_assert(n == 0 || leaf->error != NULL);
	g_assert(leaf->mem == NULL || total == leaf->mem_len);
	s->crc = crc32(s->crc, (const Bytef *)leaf->name,
	    (uInt)strlen(leaf->name) + 1);
	s->leaves++;
	return true;
}

static void
walk(struct seen *s, const uint8_t *data, size_t size, int fd,
    const struct ds_limits *lim)
{
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	GError *e = NULL;

	memset(s, 0, sizeof(*s));
	s->crc = crc32(0, NULL, 0);
	if (fd < 0)
		s->ok = ds_payload_walk("fuzz", (const char *)data, size, lim,
		    read_leaf, s, warnings, &e);
	else
		s->ok = ds_payload_walk_fd("fuzz", fd, lim, read_leaf, s,
		    warnings, &e);
	g_assert(s->ok == (e == NULL));
	g_assert(e == NULL || e->message[0] != '\0');
	g_clear_error(&e);
	g_ptr_array_free(warnings, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_limits lim;
	struct seen m, f;
	FILE *tmp;

	ds_limits_default(&lim);
	lim.max_inflated = 8u * 1024 * 1024;
	lim.max_zip_entries = 100;
	walk(&m, data, size, -1, &lim);
	if ((tmp = tmpfile()) == NULL)
		return 0;
	if (fwrite(data, 1, size, tmp) == size && fflush(tmp) == 0) {
		walk(&f, data, size, fileno(tmp), &lim);
		/* bytes before an error depend on how input was chunked */
		g_assert(m.ok == f.ok && m.leaves == f.leaves &&
		    (!m.ok || m.crc == f.crc));
	}
	fclose(tmp);
	return 0;
}
