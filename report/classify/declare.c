/*
 * declare.c - the user's declarations of classify.h: per domain, which
 * IPs, networks and services are ours or not ours, from the [domain:NAME]
 * sections of the configuration file (GKeyFile INI syntax). They win
 * over every inferred class.
 * SPDX-License-Identifier: MIT
 *
 * The file is read by the one configuration reader (schema/config/);
 * entries are the user's own text, but still quoted in messages.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "schema/config/config.h"
#include "schema/util/error.h"
#include "report/classify/classify.h"

struct entry {
	char *text;		/* as written */
	bool ours;
	int family;		/* AF_INET, AF_INET6, 0: a service name */
	unsigned prefix;
	unsigned char net[16];
};

struct ds_decl {
	GPtrArray *entries;	/* struct entry * */
};

static void
entry_free(gpointer p)
{
	struct entry *e = p;

	g_free(e->text);
	g_free(e);
}

struct ds_decl *
ds_decl_new(void)
{
	struct ds_decl *d = g_new0(struct ds_decl, 1);

	d->entries = g_ptr_array_new_with_free_func(entry_free);
	return d;
}

void
ds_decl_free(struct ds_decl *d)
{
	if (d == NULL)
		return;
	g_ptr_array_unref(d->entries);
	g_free(d);
}

/* "addr" or "addr/len" into e; false when it is no address */
static bool
parse_net(const char *text, struct entry *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	unsigned max;
	char *end;
	gint64 len;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, e->net) == 1) {
		e->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, e->net) == 1) {
		e->family = AF_INET6;
		max = 128;
	} else
		return false;
	e->prefix = max;
	if (slash == NULL)
		return true;
	if (!g_ascii_isdigit(slash[1]))
		return false;
	len = g_ascii_strtoll(slash + 1, &end, 10);
	if (*end != '\0' || len < 0 || len > max)
		return false;
	e->prefix = (unsigned)len;
	return true;
}

bool
ds_decl_add(struct ds_decl *d, bool ours, const char *value,
    const char *origin, GError **err)
{
	char **items = g_strsplit(value, ";", 0);
	guint i;
	bool ok = true;

	for (i = 0; ok && items[i] != NULL; i++) {
		char *t = g_strstrip(items[i]);
		struct entry *e;

		if (*t == '\0')
			continue;
		e = g_new0(struct entry, 1);
		e->text = g_strdup(t);
		e->ours = ours;
		if (!parse_net(t, e)) {
			e->family = 0;
			/* a service name: letters, digits, " ./-+&" */
			if (strchr(t, '/') != NULL && g_ascii_isxdigit(*t)) {
				char *qt = ds_quote(t, strlen(t), 64);

				ok = ds_fail(err, DS_ERROR_USAGE, "%s: %s: "
				    "not an IP address or network", origin,
				    qt);
				g_free(qt);
				entry_free(e);
				break;
			}
		}
		g_ptr_array_add(d->entries, e);
	}
	g_strfreev(items);
	return ok;
}

bool
ds_decl_from_conf(struct ds_decl **out, const struct ds_conf *c,
    const char *domain, GError **err)
{
	static const struct ds_conf_key keys[] = {
		{ "ours", 0, NULL }, { "not-ours", 0, NULL }, { NULL, 0, NULL }
	};
	static const char *const names[] = { "ours", "not-ours" };
	char **sections = NULL, *want, *section = NULL;
	struct ds_decl *d = NULL;
	size_t n;
	guint i, k;
	bool ok = false;

	*out = NULL;
	if (c == NULL || domain == NULL)
		return true;
	want = g_ascii_strdown(domain, -1);
	n = strlen(want);
	if (n > 0 && want[n - 1] == '.')
		want[n - 1] = '\0';
	sections = ds_conf_sections(c, "domain:");
	for (i = 0; sections[i] != NULL && section == NULL; i++)
		if (g_ascii_strcasecmp(sections[i] + 7, want) == 0)
			section = sections[i];
	if (section == NULL) {
		ok = true;
		goto done;
	}
	if (!ds_conf_check(c, section, keys, err))
		goto done;
	d = ds_decl_new();
	for (k = 0; k < G_N_ELEMENTS(names); k++) {
		char **items = ds_conf_get_list(c, section, names[k]);
		char *origin = g_strdup_printf("%s: [%s] %s", ds_conf_path(c),
		    section, names[k]);
		bool good = true;

		for (i = 0; good && items != NULL && items[i] != NULL; i++)
			good = ds_decl_add(d, k == 0, items[i], origin, err);
		g_free(origin);
		g_strfreev(items);
		if (!good)
			goto done;
	}
	if (d->entries->len > 0) {
		*out = d;
		d = NULL;
	}
	ok = true;
done:
	ds_decl_free(d);
	g_strfreev(sections);
	g_free(want);
	return ok;
}

static bool
in_net(const struct entry *e, const unsigned char *a)
{
	unsigned full = e->prefix / 8, rest = e->prefix % 8;

	if (memcmp(a, e->net, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ e->net[full]) &
	    (0xff00u >> rest) & 0xff) == 0;
}

int
ds_decl_match(const struct ds_decl *d, const char *ip, const char *service,
    const char **what)
{
	unsigned char a[16];
	int fam = 0, res = 0;
	guint i;

	if (what != NULL)
		*what = NULL;
	if (d == NULL)
		return 0;
	if (ip != NULL && inet_pton(AF_INET, ip, a) == 1)
		fam = AF_INET;
	else if (ip != NULL && inet_pton(AF_INET6, ip, a) == 1)
		fam = AF_INET6;
	for (i = 0; i < d->entries->len && res >= 0; i++) {
		const struct entry *e = d->entries->pdata[i];
		bool m = e->family == 0 ? service != NULL &&
		    g_ascii_strcasecmp(service, e->text) == 0 :
		    e->family == fam && in_net(e, a);

		if (!m || (res > 0 && e->ours))
			continue;
		res = e->ours ? 1 : -1;
		if (what != NULL)
			*what = e->text;
	}
	return res;
}
