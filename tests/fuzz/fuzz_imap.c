/*
 * fuzz_imap.c - libFuzzer target for the IMAP reply parsers
 * (ingest/source/source_imap_parse.c): SEARCH, FETCH, STATUS, CAPABILITY, LIST,
 * and the sequence sets built from what they return.
 * SPDX-License-Identifier: MIT
 *
 * The server is not trusted (THREATS #7). Oracles abort: every UID is
 * non-zero; a sequence set built from the sorted UIDs covers each once
 * and stays within its bounds.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "ingest/source/imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp_uid(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *infos = g_array_new(FALSE, FALSE, sizeof(struct ds_imap_info));
	uint32_t v, m;
	size_t pos = 0, rounds = 0;
	char **caps, *set;
	guint i;

	ds_imap_parse_search(buf, size, uids);
	ds_imap_parse_fetch(buf, size, infos);
	for (i = 0; i < infos->len; i++) {
		g_assert(g_array_index(infos, struct ds_imap_info, i).uid > 0);
		g_array_append_val(uids,
		    g_array_index(infos, struct ds_imap_info, i).uid);
	}
	if (ds_imap_parse_status(buf, size, &v, &m))
		g_assert(v > 0);
	caps = ds_imap_parse_caps(buf, size);
	g_strfreev(caps);
	(void)ds_imap_parse_list(buf, size);
	g_array_sort(uids, cmp_uid);
	for (i = 1; i < uids->len; i++)
		if (g_array_index(uids, uint32_t, i) ==
		    g_array_index(uids, uint32_t, i - 1))
			g_array_remove_index(uids, i--);
	while (pos < uids->len) {
		set = ds_imap_uid_set((uint32_t *)uids->data, uids->len, &pos,
		    DS_IMAP_MAX_UIDS, 4000);
		g_assert(*set != '\0' && strlen(set) <= 4000);
		g_free(set);
		rounds++;
	}
	g_assert(rounds <= uids->len);
	g_array_free(uids, TRUE);
	g_array_free(infos, TRUE);
	return 0;
}
