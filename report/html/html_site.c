/*
 * html_site.c - incremental, atomic writes of the static site
 * (html_site.h): compare, write a temp file in the same directory,
 * rename(2) over the page; a manifest of page hashes and stamps.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "report/html/html_site.h"

#define MANIFEST ".dmarcsift-site"
#define MANIFEST_MAGIC "dmarcsift-site 2"
#define MANIFEST_MAX (64u * 1024 * 1024)

struct entry {
	char *sha256;		/* hex */
	char *id;		/* size:inode:mtime of the file written */
	char *stamp;		/* "-" when none */
	bool seen;		/* put or kept in this run */
};

struct ds_site {
	char *dir;
	GHashTable *old;	/* path -> struct entry, from the manifest */
	GHashTable *cur;	/* path -> struct entry, this run */
	struct ds_site_stats stats;
	mode_t mode;		/* 0644 less the umask */
	mode_t private_mode;	/* 0640 less the umask: failure pages */
};

/*
 * Failure-report pages (failures.html, failures/) are about people's
 * mail: group-readable only, so a web server reads them through its
 * group, never "others" (issue 13), whatever was stored.
 */
static mode_t
page_mode(const struct ds_site *s, const char *path)
{
	return g_str_has_prefix(path, "failures") ? s->private_mode : s->mode;
}

static void
entry_free(gpointer p)
{
	struct entry *e = p;

	g_free(e->sha256);
	g_free(e->id);
	g_free(e->stamp);
	g_free(e);
}

/* Our own page names only: [A-Za-z0-9._-] segments, no "." or "..". */
static bool
path_ok(const char *path)
{
	const char *p, *seg = path;

	if (*path == '\0' || *path == '/')
		return false;
	for (p = path;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == seg || (p - seg == 1 && seg[0] == '.') ||
			    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (*p == '\0')
				return true;
			seg = p + 1;
		} else if (!g_ascii_isalnum(*p) && strchr("._-", *p) == NULL) {
			return false;
		}
	}
}

static void
manifest_read(struct ds_site *s)
{
	char *path = g_build_filename(s->dir, MANIFEST, NULL);
	char *buf = NULL, **lines = NULL;
	gsize len;
	guint i;

	if (!g_file_get_contents(path, &buf, &len, NULL) ||
	    len > MANIFEST_MAX || !g_str_has_prefix(buf, MANIFEST_MAGIC "\n"))
		goto done;
	lines = g_strsplit(buf, "\n", -1);
	for (i = 1; lines[i]; i++) {
		char **f = g_strsplit(lines[i], " ", 4);
		struct entry *e;

		if (g_strv_length(f) == 4 && strlen(f[0]) == 64 &&
		    path_ok(f[3])) {
			e = g_new0(struct entry, 1);
			e->sha256 = g_strdup(f[0]);
			e->id = g_strdup(f[1]);
			e->stamp = g_strdup(f[2]);
			g_hash_table_replace(s->old, g_strdup(f[3]), e);
		}
		g_strfreev(f);
	}
done:
	g_strfreev(lines);
	g_free(buf);
	g_free(path);
}

struct ds_site *
ds_site_open(const char *dir, GError **err)
{
	struct ds_site *s;
	mode_t um;

	if (g_mkdir_with_parents(dir, 0755) != 0 ||
	    !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		ds_fail(err, DS_ERROR_IO, "cannot create directory %s: %s",
		    dir, g_strerror(errno));
		return NULL;
	}
	s = g_new0(struct ds_site, 1);
	s->dir = g_strdup(dir);
	s->old = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    entry_free);
	s->cur = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    entry_free);
	um = umask(022);
	umask(um);
	s->mode = 0644 & ~um;
	s->private_mode = 0640 & ~um;
	manifest_read(s);
	return s;
}

/* Is full a regular file of len bytes? */
static bool
size_is(const char *full, size_t len)
{
	struct stat sb;

	return stat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (size_t)sb.st_size == len;
}

/*
 * The identity of the file at full as we left it: size, inode and
 * modification time; any write by someone else changes it. NULL when
 * there is no regular file. Caller g_frees.
 */
static char *
file_id(const char *full)
{
	struct stat sb;

	if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode))
		return NULL;
	return g_strdup_printf("%jd:%ju:%jd.%09ld", (intmax_t)sb.st_size,
	    (uintmax_t)sb.st_ino, (intmax_t)sb.st_mtim.tv_sec,
	    (long)sb.st_mtim.tv_nsec);
}

/* Does the file at full hold exactly data[0..len)? */
static bool
same_bytes(const char *full, const char *data, size_t len)
{
	char *buf = NULL;
	gsize n;
	bool same;

	if (!size_is(full, len) || !g_file_get_contents(full, &buf, &n, NULL))
		return false;
	same = n == len && memcmp(buf, data, len) == 0;
	g_free(buf);
	return same;
}

static bool
mode_is(const char *full, mode_t mode)
{
	struct stat sb;

	return stat(full, &sb) == 0 && (sb.st_mode & 07777) == mode;
}

/* Make full's mode exactly mode (it exists). DS_ERROR_IO. */
static bool
tighten(const char *full, mode_t mode, GError **err)
{
	if (mode_is(full, mode) || chmod(full, mode) == 0)
		return true;
	return ds_fail(err, DS_ERROR_IO, "cannot chmod %s: %s", full,
	    g_strerror(errno));
}

/* Write data to a temp file next to full, then rename it over full. */
static bool
write_atomic(const char *full, const char *data, size_t len, mode_t mode,
    GError **err)
{
	char *dir = g_path_get_dirname(full), *base = g_path_get_basename(full);
	char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	size_t off = 0;
	ssize_t n;
	bool ok = false;
	int fd = -1;

	if (g_mkdir_with_parents(dir, 0755) != 0 ||
	    (fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600)) < 0) {
		ds_fail(err, DS_ERROR_IO, "cannot create a file in %s: %s",
		    dir, g_strerror(errno));
		goto done;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fchmod(fd, mode) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, full) != 0)
		goto fail;
	ok = true;
	goto done;
fail:
	ds_fail(err, DS_ERROR_IO, "cannot write %s: %s", full,
	    g_strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
done:
	g_free(tmp);
	g_free(base);
	g_free(dir);
	return ok;
}

/* Record path as holding sha in this run; takes id. */
static void
remember(struct ds_site *s, const char *path, const char *sha, char *id,
    const char *stamp)
{
	struct entry *e = g_new0(struct entry, 1);

	e->sha256 = g_strdup(sha);
	e->id = id ? id : g_strdup("-");
	e->stamp = g_strdup(stamp && *stamp ? stamp : "-");
	g_hash_table_replace(s->cur, g_strdup(path), e);
}

bool
ds_site_put(struct ds_site *s, const char *path, const char *data,
    size_t len, const char *stamp, GError **err)
{
	struct entry *old;
	char *full, *sha, *id;
	bool ok = true;

	g_assert(path_ok(path));
	g_assert(stamp == NULL || strchr(stamp, ' ') == NULL);
	full = g_build_filename(s->dir, path, NULL);
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)data, len);
	old = g_hash_table_lookup(s->old, path);
	id = file_id(full);
	if (old && strcmp(old->sha256, sha) == 0 && id &&
	    strcmp(old->id, id) == 0)
		s->stats.unchanged++;
	else if (same_bytes(full, data, len))
		s->stats.unchanged++;
	else if ((ok = write_atomic(full, data, len, page_mode(s, path),
	    err))) {
		s->stats.written++;
		g_free(id);
		id = file_id(full);
	}
	/* an unchanged page of an older version may have another mode */
	if (ok && page_mode(s, path) != s->mode)
		ok = tighten(full, page_mode(s, path), err);
	if (ok)
		remember(s, path, sha, id, stamp);
	else
		g_free(id);
	g_free(sha);
	g_free(full);
	return ok;
}

bool
ds_site_fresh(struct ds_site *s, const char *path, const char *stamp)
{
	struct entry *old = g_hash_table_lookup(s->old, path);
	char *full, *id;

	if (old == NULL || stamp == NULL || strcmp(old->stamp, stamp) != 0)
		return false;
	full = g_build_filename(s->dir, path, NULL);
	id = file_id(full);
	/* a private page with another mode is put again (tightened) */
	if (id != NULL && page_mode(s, path) != s->mode &&
	    !mode_is(full, page_mode(s, path))) {
		g_free(id);
		id = NULL;
	}
	g_free(full);
	if (id == NULL || strcmp(id, old->id) != 0) {
		g_free(id);
		return false;
	}
	remember(s, path, old->sha256, id, old->stamp);
	s->stats.kept++;
	return true;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
ds_site_close(struct ds_site *s, struct ds_site_stats *out, GError **err)
{
	GHashTableIter it;
	gpointer k, v;
	GPtrArray *paths = g_ptr_array_new();
	GString *m = g_string_new(MANIFEST_MAGIC "\n");
	char *full;
	bool ok;
	guint i;

	g_hash_table_iter_init(&it, s->old);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (g_hash_table_contains(s->cur, k))
			continue;
		full = g_build_filename(s->dir, (const char *)k, NULL);
		if (unlink(full) == 0)
			s->stats.removed++;
		g_free(full);
	}
	g_hash_table_iter_init(&it, s->cur);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(paths, k);
	g_ptr_array_sort(paths, cmp_str);
	for (i = 0; i < paths->len; i++) {
		struct entry *e = g_hash_table_lookup(s->cur,
		    g_ptr_array_index(paths, i));

		g_string_append_printf(m, "%s %s %s %s\n",
		    e->sha256, e->id, e->stamp,
		    (const char *)g_ptr_array_index(paths, i));
	}
	full = g_build_filename(s->dir, MANIFEST, NULL);
	ok = write_atomic(full, m->str, m->len, s->mode, err);
	g_free(full);
	if (out)
		*out = s->stats;
	g_string_free(m, TRUE);
	g_ptr_array_free(paths, TRUE);
	ds_site_free(s);
	return ok;
}

void
ds_site_free(struct ds_site *s)
{
	if (s == NULL)
		return;
	g_hash_table_destroy(s->old);
	g_hash_table_destroy(s->cur);
	g_free(s->dir);
	g_free(s);
}
