/*
 * declare.c - the user's declarations of classify.h: per domain, which
 * IPs, networks and services are ours or not ours, from the [domain:NAME]
 * sections of the configuration file (GKeyFile INI syntax). They win
 * over every inferred class.
 * SPDX-License-Identifier: MIT
 *
 * To move into the one configuration reader (schema/config/) when it
 * lands. Entries are the user's own text, but still quoted in messages.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "schema/util/error.h"
#include "report/classify/classify.h"

#define CONFIG_MAX_BYTES (1u << 20)

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

static char *
default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");

	if (x != NULL && x[0] == '/')
		return g_build_filename(x, "dmarcsift", "config", NULL);
	return g_build_filename(g_get_home_dir(), ".config", "dmarcsift",
	    "config", NULL);
}

/* value without a " # comment" */
static char *
value_of(GKeyFile *kf, const char *group, const char *key)
{
	char *v = g_key_file_get_value(kf, group, key, NULL), *h;

	if (v != NULL && (h = strstr(v, " #")) != NULL)
		*h = '\0';
	if (v != NULL && v[0] == '#')
		v[0] = '\0';
	return v;
}

bool
ds_decl_load(struct ds_decl **out, const char *path, const char *domain,
    GError **err)
{
	GKeyFile *kf = g_key_file_new();
	char *def = path ? NULL : default_path(), *group = NULL, *org = NULL;
	char **keys = NULL, *buf = NULL;
	const char *p = path ? path : def;
	struct ds_decl *d = NULL;
	GError *e = NULL;
	gsize len = 0, n, i;
	bool ok = false;

	*out = NULL;
	if (domain == NULL) {
		ok = true;
		goto done;
	}
	if (!g_file_get_contents(p, &buf, &len, &e)) {
		if (path == NULL && g_error_matches(e, G_FILE_ERROR,
		    G_FILE_ERROR_NOENT))
			ok = true;	/* no configuration: nothing declared */
		else
			ds_fail(err, DS_ERROR_USAGE, "configuration %s: %s",
			    p, e->message);
		goto done;
	}
	if (len > CONFIG_MAX_BYTES) {
		ds_fail(err, DS_ERROR_USAGE, "configuration %s: larger than "
		    "%u bytes", p, CONFIG_MAX_BYTES);
		goto done;
	}
	if (!g_key_file_load_from_data(kf, buf, len, G_KEY_FILE_NONE, &e)) {
		ds_fail(err, DS_ERROR_USAGE, "configuration %s: %s", p,
		    e->message);
		goto done;
	}
	org = g_ascii_strdown(domain, -1);
	n = strlen(org);
	if (n > 0 && org[n - 1] == '.')
		org[n - 1] = '\0';
	group = g_strdup_printf("domain:%s", org);
	if (!g_key_file_has_group(kf, group)) {
		/* the section name may be written in another case */
		char **groups = g_key_file_get_groups(kf, NULL);

		for (i = 0; groups[i] != NULL; i++)
			if (g_ascii_strcasecmp(groups[i], group) == 0) {
				g_free(group);
				group = g_strdup(groups[i]);
				break;
			}
		g_strfreev(groups);
	}
	if (!g_key_file_has_group(kf, group)) {
		ok = true;
		goto done;
	}
	keys = g_key_file_get_keys(kf, group, NULL, NULL);
	d = ds_decl_new();
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		char *origin, *v;
		bool ours = strcmp(keys[i], "ours") == 0, good;

		if (!ours && strcmp(keys[i], "not-ours") != 0) {
			ds_fail(err, DS_ERROR_USAGE, "configuration %s: [%s]: "
			    "unknown key '%s' (ours, not-ours)", p, group,
			    keys[i]);
			goto done;
		}
		v = value_of(kf, group, keys[i]);
		origin = g_strdup_printf("configuration %s: [%s] %s", p,
		    group, keys[i]);
		good = ds_decl_add(d, ours, v ? v : "", origin, err);
		g_free(origin);
		g_free(v);
		if (!good)
			goto done;
	}
	if (d->entries->len > 0) {
		*out = d;
		d = NULL;
	}
	ok = true;
done:
	if (e != NULL)
		g_error_free(e);
	ds_decl_free(d);
	g_strfreev(keys);
	g_free(group);
	g_free(org);
	g_free(buf);
	g_free(def);
	g_key_file_free(kf);
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
