/*
 * config.c - the configuration file: [mailbox:NAME] sections (GKeyFile
 * INI syntax) for "dmarcsift poll" and ad hoc IMAP URLs.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15: a configuration file that holds a password, and any
 * password-file, must give group and others no access; otherwise it is
 * refused, with the chmod that fixes it. Passwords are wiped before they
 * are freed and never appear in a message.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/source/config.h"
#include "ingest/source/imap.h"
#include "ingest/source/api.h"
#include "ingest/oauth/http.h"

/* a configuration or password file is small */
#define CONFIG_MAX_BYTES (1u << 20)
#define SECTION_PREFIX "mailbox:"

static const char *const known_keys[] = {
	"url", "user", "password", "password-file", "ca-file",
	"archive-folder", "invalid-folder", "max-message-size",
	"allow-plaintext", "keep", "auth", "oauth2-token-url",
	"oauth2-device-url", "oauth2-client-id", "oauth2-client-secret-file",
	"oauth2-refresh-token-file", "oauth2-scope", "oauth2-token-cache",
	"oauth2-mechanism", "api-url", "remove-labels", NULL
};

/* The string keys and where each goes. */
static char **
string_slot(struct ds_mailbox_conf *c, const char *key)
{
	static const struct {
		const char *key;
		size_t off;
	} slots[] = {
#define S(k, f) { k, offsetof(struct ds_mailbox_conf, f) }
		S("url", url), S("user", user), S("password", password),
		S("password-file", password_file), S("ca-file", ca_file),
		S("archive-folder", archive_folder),
		S("invalid-folder", invalid_folder),
		S("oauth2-mechanism", mechanism), S("api-url", api_url),
		S("remove-labels", remove_labels),
		S("oauth2-token-url", oauth.token_url),
		S("oauth2-device-url", oauth.device_url),
		S("oauth2-client-id", oauth.client_id),
		S("oauth2-client-secret-file", oauth.client_secret_file),
		S("oauth2-refresh-token-file", oauth.refresh_token_file),
		S("oauth2-scope", oauth.scope),
		S("oauth2-token-cache", oauth.token_cache),
#undef S
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(slots); i++)
		if (strcmp(key, slots[i].key) == 0)
			return (char **)((char *)c + slots[i].off);
	return NULL;
}

char *
ds_config_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");

	if (x != NULL && x[0] == '/')
		return g_build_filename(x, "dmarcsift", "config", NULL);
	return g_build_filename(g_get_home_dir(), ".config", "dmarcsift",
	    "config", NULL);
}

bool
ds_config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	guint64 v;
	unsigned shift = 0;

	if (s == NULL || !g_ascii_isdigit(*s))
		return false;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	switch (g_ascii_toupper(*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (*end != '\0' || v == 0 || v > (G_MAXUINT64 >> shift))
		return false;
	*out = v << shift;
	return true;
}

void
ds_config_password_free(char *pw)
{
	if (pw == NULL)
		return;
	explicit_bzero(pw, strlen(pw));
	g_free(pw);
}

void
ds_mailbox_conf_free(struct ds_mailbox_conf *c)
{
	if (c == NULL)
		return;
	g_free(c->name);
	g_free(c->url);
	g_free(c->user);
	ds_config_password_free(c->password);
	g_free(c->password_file);
	g_free(c->ca_file);
	g_free(c->archive_folder);
	g_free(c->invalid_folder);
	g_free(c->mechanism);
	g_free(c->api_url);
	g_free(c->remove_labels);
	ds_oauth_conf_clear(&c->oauth);
	g_free(c);
}

bool
ds_config_check_private(int fd, const char *path, const char *what,
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

/* Read a small regular file; fd left open in *out_fd. */
static char *
read_small(const char *path, int *out_fd, size_t *out_len, GError **err)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	*out_fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ds_fail(err, errno == ENOENT ? DS_ERROR_USAGE : DS_ERROR_IO,
		    "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > CONFIG_MAX_BYTES) {
		ds_fail(err, DS_ERROR_USAGE, "%s: not a regular file of at "
		    "most 1 MiB", path);
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

bool
ds_config_password(const struct ds_mailbox_conf *c, char **out, GError **err)
{
	const char *env = getenv("DMARCSIFT_IMAP_PASSWORD");
	size_t len;
	char *buf;
	int fd;
	bool ok;

	*out = NULL;
	if (c->password != NULL) {
		*out = g_strdup(c->password);
		return true;
	}
	if (c->password_file != NULL) {
		if ((buf = read_small(c->password_file, &fd, &len, err)) ==
		    NULL)
			return false;
		ok = ds_config_check_private(fd, c->password_file,
		    "a password", err);
		close(fd);
		/* the first line, without its end */
		buf[strcspn(buf, "\r\n")] = '\0';
		if (ok && buf[0] == '\0')
			ok = ds_fail(err, DS_ERROR_USAGE, "%s: empty password",
			    c->password_file);
		if (!ok) {
			explicit_bzero(buf, len);
			g_free(buf);
			return false;
		}
		*out = buf;
		return true;
	}
	if (env != NULL && env[0] != '\0')
		*out = g_strdup(env);
	return true;
}

/* A folder name we can quote in a command and put in a URL. */
static bool
check_folder(const char *file, const char *section, const char *key,
    const char *v, GError **err)
{
	const char *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			break;
	if (*v == '\0' || *p != '\0')
		return ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: folder names "
		    "must be printable ASCII (modified UTF-7 for others)",
		    file, section, key);
	return true;
}

/*
 * GKeyFile has whole-line comments only; take " # ..." after a value as
 * a comment too (but never inside a password).
 */
static void
strip_comment(char *v)
{
	char *p;

	for (p = v; *p; p++)
		if (*p == '#' && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	g_strchomp(v);
}

/* Fill c from section group of kf; file names the file in messages. */
static bool
parse_section(struct ds_mailbox_conf *c, GKeyFile *kf, const char *group,
    const char *file, GError **err)
{
	char **keys, *v, **slot;
	GError *e = NULL;
	bool ok = false;
	size_t i, k;

	keys = g_key_file_get_keys(kf, group, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		for (k = 0; known_keys[k] != NULL; k++)
			if (strcmp(keys[i], known_keys[k]) == 0)
				break;
		if (known_keys[k] == NULL) {
			ds_fail(err, DS_ERROR_USAGE, "%s: [%s]: unknown key "
			    "'%s'", file, group, keys[i]);
			goto done;
		}
		v = g_key_file_get_string(kf, group, keys[i], &e);
		if (v == NULL) {
			ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: %s", file,
			    group, keys[i], e->message);
			goto done;
		}
		g_strstrip(v);
		if (strcmp(keys[i], "password") != 0)
			strip_comment(v);
		if ((slot = string_slot(c, keys[i])) != NULL) {
			g_free(*slot);
			*slot = v;
		} else if (strcmp(keys[i], "auth") == 0) {
			bool good = strcmp(v, "oauth2") == 0 ||
			    strcmp(v, "password") == 0;

			if (good)
				c->oauth2 = strcmp(v, "oauth2") == 0;
			else
				ds_fail(err, DS_ERROR_USAGE, "%s: [%s] auth: "
				    "'%s' is neither password nor oauth2",
				    file, group, v);
			g_free(v);
			if (!good)
				goto done;
		}
		else {
			/* the non-string keys */
			bool good = true;

			if (strcmp(keys[i], "max-message-size") == 0)
				good = ds_config_parse_size(v, &c->max_message);
			else if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
				*(keys[i][0] == 'k' ? &c->keep :
				    &c->allow_plaintext) = true;
			else if (strcmp(v, "false") != 0 && strcmp(v, "no") != 0)
				good = false;
			if (!good)
				ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: bad "
				    "value '%s'", file, group, keys[i], v);
			g_free(v);
			if (!good)
				goto done;
		}
	}
	if (c->url == NULL) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [%s]: no url", file, group);
		goto done;
	}
	if ((c->archive_folder && !check_folder(file, group, "archive-folder",
	    c->archive_folder, err)) || (c->invalid_folder &&
	    !check_folder(file, group, "invalid-folder", c->invalid_folder,
	    err)))
		goto done;
	ok = true;
done:
	g_clear_error(&e);
	g_strfreev(keys);
	return ok;
}

/* The oauth2 settings of c, checked before anything is contacted. */
static bool
check_oauth(struct ds_mailbox_conf *c, const char *file, GError **err)
{
	GError *e = NULL;

	c->oauth.name = g_strdup(c->name);
	if (!c->oauth2)
		return true;
	if (c->oauth.token_url == NULL || c->oauth.client_id == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s]: auth = "
		    "oauth2 needs oauth2-token-url and oauth2-client-id", file,
		    c->name);
	if (c->mechanism != NULL && strcmp(c->mechanism, "xoauth2") != 0 &&
	    strcmp(c->mechanism, "oauthbearer") != 0)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] "
		    "oauth2-mechanism: '%s' is neither xoauth2 nor oauthbearer",
		    file, c->name, c->mechanism);
	if (c->password != NULL || c->password_file != NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s]: auth = "
		    "oauth2 takes no password", file, c->name);
	if (!ds_http_check_url(c->oauth.token_url, "oauth2-token-url", &e) ||
	    (c->oauth.device_url && !ds_http_check_url(c->oauth.device_url,
	    "oauth2-device-url", &e)) || (c->api_url &&
	    !ds_http_check_url(c->api_url, "api-url", &e))) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] %s", file,
		    c->name, e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

/* Check the URL the way the source will read it. */
static bool
check_url(struct ds_mailbox_conf *c, const char *file, GError **err)
{
	struct ds_imap_url u;
	struct ds_api_url au;
	GError *e = NULL;
	const char *api = g_str_has_prefix(c->url, "graph://") ? "graph" :
	    g_str_has_prefix(c->url, "gmail://") ? "gmail" : NULL;

	if (api != NULL) {
		if (!ds_api_url_parse(&au, c->url, api, &e))
			goto bad;
		ds_api_url_clear(&au);
		c->oauth2 = true;	/* the APIs know no other way */
		return check_oauth(c, file, err);
	}
	if (!ds_imap_url_parse(&u, c->url, &e))
		goto bad;
	if (c->user == NULL && u.user != NULL)
		c->user = g_strdup(u.user);
	ds_imap_url_clear(&u);
	return check_oauth(c, file, err);
bad:
	ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] %s", file, c->name,
	    e->message);
	g_error_free(e);
	return false;
}

bool
ds_config_load(GPtrArray **out, const char *path, bool missing_ok,
    GError **err)
{
	struct ds_mailbox_conf *c;
	GKeyFile *kf = NULL;
	GPtrArray *list;
	GError *e = NULL;
	char *def = NULL, *buf = NULL, **groups = NULL;
	size_t len, i;
	bool ok = false, secret = false;
	int fd = -1;

	list = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ds_mailbox_conf_free);
	if (path == NULL)
		path = def = ds_config_default_path();
	if ((buf = read_small(path, &fd, &len, &e)) == NULL) {
		if (missing_ok && e->code == DS_ERROR_USAGE && access(path,
		    F_OK) != 0) {
			g_clear_error(&e);
			ok = true;
		} else
			g_propagate_error(err, e);
		goto done;
	}
	kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, buf, len, G_KEY_FILE_NONE, &e)) {
		ds_fail(err, DS_ERROR_USAGE, "%s: %s", path, e->message);
		g_clear_error(&e);
		goto done;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (i = 0; groups[i] != NULL; i++) {
		if (strncmp(groups[i], SECTION_PREFIX,
		    strlen(SECTION_PREFIX)) != 0)
			continue;	/* other commands' sections */
		c = g_new0(struct ds_mailbox_conf, 1);
		c->name = g_strdup(groups[i] + strlen(SECTION_PREFIX));
		c->max_message = DS_MAILBOX_MAX_MESSAGE_DEFAULT;
		g_ptr_array_add(list, c);
		if (c->name[0] == '\0') {
			ds_fail(err, DS_ERROR_USAGE, "%s: [%s]: empty mailbox "
			    "name", path, groups[i]);
			goto done;
		}
		if (!parse_section(c, kf, groups[i], path, err) ||
		    !check_url(c, path, err))
			goto done;
		secret = secret || c->password != NULL;
	}
	/* THREATS #15 */
	if (secret && !ds_config_check_private(fd, path, "a password", err))
		goto done;
	ok = true;
done:
	if (buf != NULL) {
		explicit_bzero(buf, len);
		g_free(buf);
	}
	if (fd >= 0)
		close(fd);
	if (kf != NULL)
		g_key_file_free(kf);
	g_strfreev(groups);
	g_free(def);
	if (!ok) {
		g_ptr_array_unref(list);
		list = NULL;
	}
	*out = list;
	return ok;
}

struct ds_mailbox_conf *
ds_mailbox_conf_from_url(const char *url, GError **err)
{
	struct ds_mailbox_conf *c;
	struct ds_imap_url u;

	if (!ds_imap_url_parse(&u, url, err))
		return NULL;
	c = g_new0(struct ds_mailbox_conf, 1);
	c->name = g_strdup("url");
	c->url = g_strdup(url);
	c->user = g_strdup(u.user);
	c->max_message = DS_MAILBOX_MAX_MESSAGE_DEFAULT;
	c->oauth.name = g_strdup(c->name);
	ds_imap_url_clear(&u);
	return c;
}

const struct ds_mailbox_conf *
ds_config_find_url(const GPtrArray *boxes, const char *url)
{
	const struct ds_mailbox_conf *c, *found = NULL;
	struct ds_imap_url want, have;
	char *kw, *kh;
	guint i;

	if (boxes == NULL || !ds_imap_url_parse(&want, url, NULL))
		return NULL;
	for (i = 0; found == NULL && i < boxes->len; i++) {
		c = g_ptr_array_index(boxes, i);
		if (!ds_imap_url_parse(&have, c->url, NULL))
			continue;
		kw = ds_imap_url_key(&want, want.user ? want.user : c->user);
		kh = ds_imap_url_key(&have, c->user);
		if (strcmp(kw, kh) == 0)
			found = c;
		g_free(kw);
		g_free(kh);
		ds_imap_url_clear(&have);
	}
	ds_imap_url_clear(&want);
	return found;
}
