/*
 * embed.c - look up files embedded at build time (tools/embed.cmake).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/embed.h"

/*
 * Return the entry of table (ended by a NULL name) called name, or NULL
 * when there is none or either argument is NULL. Borrowed: the tables
 * are static.
 */
const struct ds_embed *
ds_embed_find(const struct ds_embed *table, const char *name)
{
	const struct ds_embed *e;

	if (table == NULL || name == NULL)
		return NULL;
	for (e = table; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}
