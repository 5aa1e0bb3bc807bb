/*
 * services.c - the named service table (services.h): parsing the TSV
 * rules, matching PTR suffixes and IP networks.
 * SPDX-License-Identifier: MIT
 *
 * THREATS: the user's file is trusted configuration, the PTR name is
 * attacker-controlled DNS data: matching only compares bytes, and a
 * name longer than 253 bytes never matches.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/util/slurp.h"
#include "report/enrich/mmdb.h"
#include "report/enrich/services.h"

#define MAX_NAME 253
#define MAX_LINE 1024

struct rule {
	char *name;
	char *suffix;		/* PTR rule: lower case; NULL otherwise */
	uint32_t asn;		/* ASN rule: the AS number; 0 otherwise */
	int family;		/* IP rule: AF_INET or AF_INET6; 0 otherwise */
	unsigned char net[16];
	unsigned prefix;
};

struct ds_services {
	GArray *rules;		/* struct rule */
};

static void
rule_clear(gpointer p)
{
	struct rule *r = p;

	g_free(r->name);
	g_free(r->suffix);
}

/* See services.h. */
struct ds_services *
ds_services_new(void)
{
	struct ds_services *s = g_new0(struct ds_services, 1);

	s->rules = g_array_new(FALSE, TRUE, sizeof(struct rule));
	g_array_set_clear_func(s->rules, rule_clear);
	return s;
}

/* See services.h. */
void
ds_services_free(struct ds_services *s)
{
	if (s == NULL)
		return;
	g_array_unref(s->rules);
	g_free(s);
}

/* See services.h. */
unsigned
ds_services_count(const struct ds_services *s)
{
	return s->rules->len;
}

/* Parse "addr/len" into r; false when it is not a network. */
static bool
parse_cidr(const char *text, struct rule *r)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	unsigned max;
	char *end;
	gint64 n;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(buf) - 1)
		return false;
	memcpy(buf, text, slash - text);
	buf[slash - text] = '\0';
	memset(r->net, 0, sizeof(r->net));
	if (inet_pton(AF_INET, buf, r->net) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->net) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	if (!g_ascii_isdigit(slash[1]))
		return false;
	n = g_ascii_strtoll(slash + 1, &end, 10);
	if (*end != '\0' || n < 0 || n > max)
		return false;
	r->prefix = (unsigned)n;
	return true;
}

/* One line into r (not yet added); false with *why set. */
static bool
parse_line(char *line, struct rule *r, const char **why)
{
	char **f = g_strsplit(line, "\t", 0);
	bool ok = false;

	memset(r, 0, sizeof(*r));
	if (g_strv_length(f) != 3) {
		*why = "expected three TAB-separated fields";
		goto done;
	}
	g_strstrip(f[0]);
	g_strstrip(f[1]);
	g_strstrip(f[2]);
	if (*f[0] == '\0' || !g_utf8_validate(f[0], -1, NULL)) {
		*why = "empty or invalid service name";
		goto done;
	}
	if (strcmp(f[1], "ptr") == 0) {
		if (*f[2] == '\0' || strlen(f[2]) > MAX_NAME ||
		    strchr(f[2], ' ') != NULL) {
			*why = "bad PTR suffix";
			goto done;
		}
		r->suffix = g_ascii_strdown(f[2][0] == '.' ? f[2] + 1 : f[2],
		    -1);
	} else if (strcmp(f[1], "ip") == 0) {
		if (!parse_cidr(f[2], r)) {
			*why = "bad network (want ADDR/LEN)";
			goto done;
		}
	} else if (strcmp(f[1], "asn") == 0) {
		if (!ds_asn_parse(f[2], &r->asn)) {
			*why = "bad AS number (want AS64500 or 64500)";
			goto done;
		}
	} else {
		*why = "kind must be ptr, ip or asn";
		goto done;
	}
	r->name = g_strdup(f[0]);
	ok = true;
done:
	g_strfreev(f);
	return ok;
}

/* See services.h. */
bool
ds_services_parse(struct ds_services *s, const char *buf, size_t len,
    const char *origin, GError **err)
{
	GArray *add = g_array_new(FALSE, TRUE, sizeof(struct rule));
	const char *p = buf, *end = buf + len, *nl, *why = NULL;
	char *line;
	unsigned lineno = 0;
	struct rule r;
	bool ok = true;
	guint i;

	g_array_set_clear_func(add, rule_clear);
	if (memchr(buf, '\0', len) != NULL) {
		why = "NUL byte";
		ok = false;
	}
	while (ok && p < end) {
		nl = memchr(p, '\n', end - p);
		if (nl == NULL)
			nl = end;
		lineno++;
		if (nl - p > MAX_LINE) {
			why = "line too long";
			ok = false;
			break;
		}
		line = g_strndup(p, nl - p);
		g_strchomp(line);
		p = nl + 1;
		if (line[0] != '\0' && line[0] != '#' &&
		    strspn(line, " \t") != strlen(line)) {
			if (!parse_line(line, &r, &why))
				ok = false;
			else
				g_array_append_val(add, r);
		}
		g_free(line);
	}
	if (!ok) {
		g_array_unref(add);
		return ds_fail(err, DS_ERROR_USAGE, "%s:%u: %s", origin, lineno,
		    why);
	}
	for (i = 0; i < add->len; i++) {
		r = g_array_index(add, struct rule, i);
		g_array_append_val(s->rules, r);
	}
	g_array_set_clear_func(add, NULL);
	g_array_unref(add);
	return true;
}

/* See services.h. */
struct ds_services *
ds_services_default(const char *user_file, GError **err)
{
	struct ds_services *s = ds_services_new();
	const struct ds_embed *e;
	char *path = NULL, *text = NULL;
	GError *e2 = NULL;
	size_t len;

	if (user_file != NULL)
		path = g_strdup(user_file);
	else
		path = g_build_filename(g_get_user_config_dir(), "dmarcsift",
		    "services.tsv", NULL);
	if (user_file != NULL || g_file_test(path, G_FILE_TEST_EXISTS)) {
		/* a rules file is small; 4 MiB is thousands of rules */
		if ((text = ds_slurp(path, 4u << 20, &len, &e2)) == NULL) {
			ds_fail(err, DS_ERROR_USAGE, "services file: %s",
			    e2->message);
			g_error_free(e2);
			goto fail;
		}
		if (!ds_services_parse(s, text, len, path, err))
			goto fail;
	}
	e = ds_embed_find(ds_data, "services.tsv");
	if (e == NULL || !ds_services_parse(s, e->data, e->len,
	    "services.tsv (built in)", err))
		goto fail;
	g_free(text);
	g_free(path);
	return s;
fail:
	g_free(text);
	g_free(path);
	ds_services_free(s);
	return NULL;
}

/* Is name (lower case) suffix or below it? */
static bool
suffix_match(const char *name, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	if (m > n)
		return false;
	if (m == n)
		return memcmp(name, suffix, n) == 0;
	return name[n - m - 1] == '.' && memcmp(name + n - m, suffix, m) == 0;
}

static bool
net_match(const struct rule *r, int family, const unsigned char *a)
{
	unsigned full = r->prefix / 8, rest = r->prefix % 8;
	unsigned char mask;

	if (r->family != family)
		return false;
	if (memcmp(r->net, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (r->net[full] & mask) == (a[full] & mask);
}

/* The first IP rule whose network holds ip (text), or NULL. */
static const char *
match_ip(const struct ds_services *s, const char *ip)
{
	unsigned char a[16];
	int family;
	guint i;

	if (ip == NULL)
		return NULL;
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, ip, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) == 1)
		family = AF_INET6;
	else
		return NULL;
	for (i = 0; i < s->rules->len; i++) {
		const struct rule *r = &g_array_index(s->rules, struct rule, i);

		if (r->family != 0 && net_match(r, family, a))
			return r->name;
	}
	return NULL;
}

/* See services.h. */
const char *
ds_services_match(const struct ds_services *s, const char *ip,
    const char *ptr)
{
	return ds_services_match_asn(s, ip, ptr, 0);
}

/* See services.h. */
const char *
ds_services_match_asn(const struct ds_services *s, const char *ip,
    const char *ptr, uint32_t asn)
{
	const char *by_ip;
	char name[MAX_NAME + 2];
	size_t n;
	guint i;

	if (ptr != NULL && (n = strlen(ptr)) > 0 && n <= MAX_NAME) {
		for (i = 0; i < n; i++)
			name[i] = g_ascii_tolower(ptr[i]);
		if (name[n - 1] == '.')
			n--;
		name[n] = '\0';
		for (i = 0; i < s->rules->len; i++) {
			const struct rule *r = &g_array_index(s->rules,
			    struct rule, i);

			if (r->suffix && suffix_match(name, n, r->suffix))
				return r->name;
		}
	}
	if ((by_ip = match_ip(s, ip)) != NULL)
		return by_ip;
	for (i = 0; asn != 0 && i < s->rules->len; i++) {
		const struct rule *r = &g_array_index(s->rules, struct rule, i);

		if (r->asn == asn)
			return r->name;
	}
	return NULL;
}
