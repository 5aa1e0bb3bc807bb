/*
 * embed.h - files embedded at build time (tools/embed.cmake).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_EMBED_H
#define DS_EMBED_H

#include <stddef.h>

struct ds_embed {
	const char *name;
	const char *data;	/* NUL-terminated */
	size_t len;
};

extern const struct ds_embed ds_assets[];	/* web-static/ */
extern const struct ds_embed ds_migrations[];	/* schema/store/sql/, sorted */
extern const struct ds_embed ds_migrations_pg[];	/* schema/store/sql-pg/ */
extern const struct ds_embed ds_data[];		/* report/enrich/data/ (ds_report) */

/* The embedded file called name in table, or NULL. */
const struct ds_embed *ds_embed_find(const struct ds_embed *table,
    const char *name);

#endif
