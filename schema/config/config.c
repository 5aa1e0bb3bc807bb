/*
 * config.c - the one reader of the configuration file (config.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15, #22: secrets only in files nobody else can read, never
 * in URLs, never echoed; GKeyFile's own messages quote the offending
 * line, so they are replaced by line numbers here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/config/config.h"
#include "schema/util/error.h"

/*
 * Every section a consumer reads; a section not listed is a typo the
 * user must hear about. "x:" is a prefix: [x:NAME].
 */
static const char *const known_sections[] = {
	"mailbox:",	/* ingest/source/config.c */
	"smtp",		/* report/weekly/mail.c */
	"enrich",	/* report/enrich: services, mmdb */
	"domain:",	/* report/classify: declared senders */
	"retention",	/* prune */
	"ingest",	/* ingest options: store-samples */
	NULL
};

struct ds_conf {
	char *path;
	GKeyFile *kf;
	mode_t mode;		/* of the file as read, for secrets */
	bool present;		/* false: missing file, empty config */
};

char *
ds_conf_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");

	if (x != NULL && x[0] == '/')
		return g_build_filename(x, "dmarcsift", "config", NULL);
	return g_build_filename(g_get_home_dir(), ".config", "dmarcsift",
	    "config", NULL);
}

const char *
ds_conf_path(const struct ds_conf *c)
{
	return c->path;
}

void
ds_conf_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	g_free(s);
}

void
ds_conf_free(struct ds_conf *c)
{
	if (c == NULL)
		return;
	if (c->kf != NULL)
		g_key_file_free(c->kf);
	g_free(c->path);
	g_free(c);
}

bool
ds_conf_check_private(int fd, const char *path, const char *what,
    GError **err)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		return ds_fail(err, DS_ERROR_IO, "%s: %s", path,
		    g_strerror(errno));
	if ((sb.st_mode & 077) != 0)
		return ds_fail(err, DS_ERROR_USAGE, "%s holds %s but group or "
		    "others may read it (mode %04o): run chmod 600 %s", path,
		    what, (unsigned)(sb.st_mode & 07777), path);
	return true;
}

/*
 * Read a regular file of at most max bytes into a NUL-terminated buffer;
 * fd kept open.
 */
static char *
read_small(const char *path, size_t max, int *out_fd, size_t *out_len,
    GError **err)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	*out_fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ds_fail(err, errno == ENOENT ? DS_ERROR_USAGE : DS_ERROR_IO,
		    "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > max) {
		ds_fail(err, DS_ERROR_USAGE, "%s: not a regular file of at "
		    "most %zu bytes", path, max);
		close(fd);
		return NULL;
	}
	buf = g_malloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (n = read(fd, buf + got, (size_t)sb.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ds_fail(err, DS_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
			explicit_bzero(buf, got);
			g_free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out_len = got;
	*out_fd = fd;
	return buf;
}

/*
 * GKeyFile quotes a malformed line in its error: find it ourselves and
 * name it by number. A line is blank, a comment, [section] or key=value.
 */
static bool
check_lines(const char *buf, size_t len, const char *path, GError **err)
{
	const char *p = buf, *end = buf + len, *eol, *q;
	unsigned line = 0;

	while (p < end) {
		line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		for (q = p; q < eol && (*q == ' ' || *q == '\t' || *q == '\r');
		    q++)
			;
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL)
			return ds_fail(err, DS_ERROR_USAGE, "%s line %u: NUL "
			    "byte", path, line);
		if (q < eol && *q != '#' && *q != ';') {
			if (*q == '[') {
				const char *r = memchr(q, ']',
				    (size_t)(eol - q));

				if (r == NULL || r == q + 1)
					return ds_fail(err, DS_ERROR_USAGE,
					    "%s line %u: a section header "
					    "needs a name and a closing ']'",
					    path, line);
			} else if (memchr(q, '=', (size_t)(eol - q)) == NULL ||
			    *q == '=') {
				return ds_fail(err, DS_ERROR_USAGE, "%s line %u: "
				    "not 'key = value', '[section]' or a "
				    "comment", path, line);
			}
		}
		p = eol + 1;
	}
	return true;
}

static bool
section_known(const char *name)
{
	size_t i, n;

	for (i = 0; known_sections[i] != NULL; i++) {
		n = strlen(known_sections[i]);
		if (known_sections[i][n - 1] == ':') {
			if (strncmp(name, known_sections[i], n) == 0 &&
			    name[n] != '\0')
				return true;
		} else if (strcmp(name, known_sections[i]) == 0) {
			return true;
		}
	}
	return false;
}

struct ds_conf *
ds_conf_load(const char *path, bool missing_ok, GError **err)
{
	struct ds_conf *c = g_new0(struct ds_conf, 1);
	GError *e = NULL;
	struct stat sb;
	char *buf = NULL, **groups = NULL;
	size_t len = 0, i;
	bool ok = false;
	int fd = -1;

	c->path = path ? g_strdup(path) : ds_conf_default_path();
	c->kf = g_key_file_new();
	if ((buf = read_small(c->path, DS_CONF_MAX_BYTES, &fd, &len,
	    &e)) == NULL) {
		if (missing_ok && e->code == DS_ERROR_USAGE &&
		    access(c->path, F_OK) != 0) {
			g_clear_error(&e);
			ok = true;
		} else {
			g_propagate_error(err, e);
		}
		goto done;
	}
	c->present = true;
	if (fstat(fd, &sb) == 0)
		c->mode = sb.st_mode;
	if (!check_lines(buf, len, c->path, err))
		goto done;
	if (!g_key_file_load_from_data(c->kf, buf, len, G_KEY_FILE_NONE, &e)) {
		/* the lines are well-formed: what is left is e.g. a key
		 * outside any section; GKeyFile's text may quote values */
		ds_fail(err, DS_ERROR_USAGE, "%s: not a valid configuration "
		    "file (a key before the first [section]?)", c->path);
		g_clear_error(&e);
		goto done;
	}
	groups = g_key_file_get_groups(c->kf, NULL);
	for (i = 0; groups[i] != NULL; i++)
		if (groups[i][0] != '\0' &&
		    groups[i][strlen(groups[i]) - 1] == ':') {
			char *q = ds_quote(groups[i], strlen(groups[i]), 64);

			ds_fail(err, DS_ERROR_USAGE, "%s: section [%s] needs a "
			    "name after the ':'", c->path, q);
			g_free(q);
			goto done;
		} else if (!section_known(groups[i])) {
			char *q = ds_quote(groups[i], strlen(groups[i]), 64);

			ds_fail(err, DS_ERROR_USAGE, "%s: unknown section [%s] "
			    "(known: [mailbox:NAME], [smtp], [enrich], "
			    "[domain:NAME], [retention], [ingest])", c->path, q);
			g_free(q);
			goto done;
		}
	ok = true;
done:
	if (buf != NULL) {
		explicit_bzero(buf, len);
		g_free(buf);
	}
	if (fd >= 0)
		close(fd);
	g_strfreev(groups);
	if (!ok) {
		ds_conf_free(c);
		c = NULL;
	}
	return c;
}

char **
ds_conf_sections(const struct ds_conf *c, const char *prefix)
{
	GPtrArray *a = g_ptr_array_new();
	char **groups;
	size_t i;

	groups = g_key_file_get_groups(c->kf, NULL);
	for (i = 0; groups != NULL && groups[i] != NULL; i++)
		if (g_str_has_prefix(groups[i], prefix))
			g_ptr_array_add(a, g_strdup(groups[i]));
	g_strfreev(groups);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

bool
ds_conf_has_section(const struct ds_conf *c, const char *section)
{
	return g_key_file_has_group(c->kf, section);
}

/* strip " # comment" (a '#' after white space) and surrounding space */
static void
strip_value(char *v, bool secret)
{
	char *p;

	if (!secret)
		for (p = v; *p; p++)
			if (*p == '#' && p > v &&
			    (p[-1] == ' ' || p[-1] == '\t')) {
				*p = '\0';
				break;
			}
	g_strstrip(v);
}

char *
ds_conf_get(const struct ds_conf *c, const char *section, const char *key,
    bool secret)
{
	char *v;

	/* the raw value: GKeyFile's escape processing could fail on, and
	 * then quote, a password */
	v = g_key_file_get_value(c->kf, section, key, NULL);
	if (v != NULL)
		strip_value(v, secret);
	return v;
}

static bool
bad_value(const struct ds_conf *c, const char *section, const char *key,
    const char *what, GError **err)
{
	return ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: %s", c->path,
	    section, key, what);
}

/* a URL's userinfo holds a password when it has a ':' before the '@' */
static bool
url_has_password(const char *v)
{
	const char *s = strstr(v, "://"), *at, *slash;

	if (s == NULL)
		return false;
	s += 3;
	slash = strchr(s, '/');
	at = strchr(s, '@');
	if (at == NULL || (slash != NULL && at > slash))
		return false;
	return memchr(s, ':', (size_t)(at - s)) != NULL;
}

bool
ds_conf_check(const struct ds_conf *c, const char *section,
    const struct ds_conf_key *keys, GError **err)
{
	char **names;
	bool ok = false, secret = false;
	size_t i, k;

	if (!g_key_file_has_group(c->kf, section))
		return true;
	names = g_key_file_get_keys(c->kf, section, NULL, NULL);
	for (i = 0; names != NULL && names[i] != NULL; i++) {
		for (k = 0; keys[k].name != NULL; k++)
			if (strcmp(names[i], keys[k].name) == 0)
				break;
		if (keys[k].name == NULL) {
			char *q = ds_quote(names[i], strlen(names[i]), 64);

			ds_fail(err, DS_ERROR_USAGE, "%s: [%s]: unknown key "
			    "'%s'", c->path, section, q);
			g_free(q);
			goto done;
		}
		if (keys[k].flags & DS_CONF_SECRET)
			secret = true;
		if (keys[k].flags & DS_CONF_URL) {
			char *v = ds_conf_get(c, section, names[i], true);
			bool pw = v != NULL && url_has_password(v);

			ds_conf_secret_free(v);
			if (pw) {
				ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: a "
				    "password in the URL is refused (it would "
				    "show in messages and process lists); put "
				    "it in '%s' instead", c->path, section,
				    names[i], keys[k].instead ? keys[k].instead
				    : "password-file");
				goto done;
			}
		}
	}
	if (secret && (c->mode & 077) != 0) {
		ds_fail(err, DS_ERROR_USAGE, "%s holds a secret in [%s] but "
		    "group or others may read it (mode %04o): run chmod 600 %s",
		    c->path, section, (unsigned)(c->mode & 07777), c->path);
		goto done;
	}
	ok = true;
done:
	g_strfreev(names);
	return ok;
}

/* a unit letter after a number, and what it multiplies by */
struct unit {
	char c;
	guint64 mul;
};

/*
 * Digits and at most one unit of units (NUL-terminated by c == 0), the
 * product at most max. False for anything else or an overflow.
 */
static bool
parse_units(const char *s, const struct unit *units, guint64 max,
    guint64 *out)
{
	char *end;
	guint64 v, mul = 1;

	if (s == NULL || !g_ascii_isdigit(*s))
		return false;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	for (; units->c != 0; units++)
		if (*end == units->c) {
			mul = units->mul;
			end++;
			break;
		}
	if (*end != '\0' || v > max / mul)
		return false;
	*out = v * mul;
	return true;
}

bool
ds_conf_parse_size(const char *s, uint64_t *out)
{
	static const struct unit units[] = { { 'K', 1u << 10 },
	    { 'k', 1u << 10 }, { 'M', 1u << 20 }, { 'm', 1u << 20 },
	    { 'G', 1u << 30 }, { 'g', 1u << 30 }, { 0, 0 } };
	guint64 v;

	if (!parse_units(s, units, G_MAXUINT64, &v) || v == 0)
		return false;
	*out = v;
	return true;
}

bool
ds_conf_parse_age(const char *s, int64_t *out)
{
	static const struct unit units[] = { { 'm', 60 }, { 'h', 3600 },
	    { 'd', 86400 }, { 'w', 7 * 86400 }, { 0, 0 } };
	guint64 v;

	if (!parse_units(s, units, INT64_MAX, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

bool
ds_conf_get_bool(const struct ds_conf *c, const char *section,
    const char *key, bool *out, GError **err)
{
	char *v = ds_conf_get(c, section, key, false);
	bool ok = true;

	if (v == NULL)
		return true;
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		*out = false;
	else
		ok = bad_value(c, section, key, "not true/false/yes/no", err);
	g_free(v);
	return ok;
}

bool
ds_conf_get_size(const struct ds_conf *c, const char *section,
    const char *key, uint64_t *out, GError **err)
{
	char *v = ds_conf_get(c, section, key, false);
	bool ok = true;

	if (v != NULL && !ds_conf_parse_size(v, out))
		ok = bad_value(c, section, key, "not a size (4096, 512K, 50M, "
		    "1G)", err);
	g_free(v);
	return ok;
}

bool
ds_conf_get_age(const struct ds_conf *c, const char *section,
    const char *key, int64_t *out, GError **err)
{
	char *v = ds_conf_get(c, section, key, false);
	bool ok = true;

	if (v != NULL && !ds_conf_parse_age(v, out))
		ok = bad_value(c, section, key, "not an age (400d, 12w, 36h)",
		    err);
	g_free(v);
	return ok;
}

bool
ds_conf_get_choice(const struct ds_conf *c, const char *section,
    const char *key, const char *const *choices, int *out, GError **err)
{
	char *v = ds_conf_get(c, section, key, false);
	GString *all;
	bool ok;
	int i;

	if (v == NULL)
		return true;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			g_free(v);
			return true;
		}
	g_free(v);
	all = g_string_new("not one of");
	for (i = 0; choices[i] != NULL; i++)
		g_string_append_printf(all, "%s %s", i ? "," : "", choices[i]);
	ok = bad_value(c, section, key, all->str, err);
	g_string_free(all, TRUE);
	return ok;
}

char **
ds_conf_get_list(const struct ds_conf *c, const char *section,
    const char *key)
{
	char *v = ds_conf_get(c, section, key, false), **parts;
	GPtrArray *a = g_ptr_array_new();
	size_t i;

	parts = g_strsplit(v ? v : "", ";", -1);
	for (i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (parts[i][0] != '\0')
			g_ptr_array_add(a, g_strdup(parts[i]));
	}
	g_strfreev(parts);
	g_free(v);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

char *
ds_conf_read_private(const char *path, size_t max, const char *what,
    bool missing_ok, size_t *len, GError **err)
{
	GError *e = NULL;
	char *buf;
	int fd;

	*len = 0;
	if ((buf = read_small(path, max, &fd, len, &e)) == NULL) {
		if (missing_ok && access(path, F_OK) != 0 && errno == ENOENT)
			g_clear_error(&e);
		else
			g_propagate_error(err, e);
		return NULL;
	}
	if (!ds_conf_check_private(fd, path, what, err)) {
		explicit_bzero(buf, *len);
		g_free(buf);
		buf = NULL;
		*len = 0;
	}
	close(fd);
	return buf;
}

char *
ds_conf_read_secret_file(const char *path, const char *what, GError **err)
{
	size_t len;
	char *buf;

	buf = ds_conf_read_private(path, DS_CONF_MAX_BYTES, what, false, &len,
	    err);
	if (buf == NULL)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		ds_fail(err, DS_ERROR_USAGE, "%s: empty (expected %s on the "
		    "first line)", path, what);
		explicit_bzero(buf, len);
		g_free(buf);
		return NULL;
	}
	return buf;
}
