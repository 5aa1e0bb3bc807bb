/*
 * db_pg_name.c - the name of a PostgreSQL target in messages, from
 * libpq's own parse of the URI or conninfo, never with the password.
 * SPDX-License-Identifier: MIT
 */
#ifdef DS_HAVE_LIBPQ
#include <string.h>

#include <libpq-fe.h>

#include "schema/store/db_pg.h"

char *
ds_db_pg_name(const char *target)
{
	PQconninfoOption *o = PQconninfoParse(target, NULL), *i;
	const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
	GString *s;

	if (o == NULL)
		return g_strdup("postgresql://(unparsable target)");
	for (i = o; i->keyword; i++) {
		if (i->val == NULL || *i->val == '\0')
			continue;
		if (strcmp(i->keyword, "user") == 0)
			user = i->val;
		else if (strcmp(i->keyword, "host") == 0)
			host = i->val;
		else if (strcmp(i->keyword, "port") == 0)
			port = i->val;
		else if (strcmp(i->keyword, "dbname") == 0)
			db = i->val;
	}
	s = g_string_new("postgresql://");
	if (user)
		g_string_append_printf(s, "%s@", user);
	if (host)
		g_string_append(s, host);
	if (port)
		g_string_append_printf(s, ":%s", port);
	g_string_append_printf(s, "/%s", db ? db : "");
	PQconninfoFree(o);
	return g_string_free(s, FALSE);
}
#endif /* DS_HAVE_LIBPQ */
