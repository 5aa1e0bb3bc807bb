/*
 * source_file.c - ingest from files, directories, Maildirs and stdin.
 * SPDX-License-Identifier: MIT
 *
 * Content decides the type (SPEC.md 1): an mbox starts with "From ", a
 * message with a header field, anything else goes to the payload layer.
 * THREATS #7: a file larger than lim->max_message is streamed when it is
 * a report and refused when it is mail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/util/slurp.h"
#include "ingest/payload/message.h"
#include "ingest/source/source.h"

void
ds_source_progress(struct ds_pipeline *pl, bool last)
{
	static gint64 shown;
	static int tty = -1;
	const struct ds_ingest_stats *s = ds_pipeline_stats(pl);
	gint64 now = g_get_monotonic_time();

	if (tty < 0)
		tty = isatty(STDERR_FILENO) && getenv("DMARCSIFT_NO_PROGRESS")
		    == NULL;
	if (!tty || (!last && now - shown < 250000))
		return;
	if (last && shown == 0)
		return;
	shown = now;
	/* term: numbers only, and \r must stay raw for the progress line */
	fprintf(stderr, "\r%" G_GUINT64_FORMAT " inputs, %" G_GUINT64_FORMAT
	    " reports, %" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT
	    " rejected%s", s->inputs, s->reports, s->duplicates, s->rejected,
	    last ? "\n" : "\033[K");
	fflush(stderr);
}

/*
 * Count an unreadable input and say so, even under --quiet; the run goes
 * on. errno values a rerun meets again (missing, permissions, a loop)
 * count as skipped (exit 5), others as errors a retry may cure (75).
 */
static bool
skip_errno(struct ds_pipeline *pl, const char *path, int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case EACCES:
	case EPERM:
	case ELOOP:
	case ENAMETOOLONG:
	case ENXIO:
	case ENODEV:
		ds_pipeline_skip(pl, path, g_strerror(e));
		return true;
	default:
		ds_pipeline_warn(pl, path, "cannot read: %s", g_strerror(e));
		((struct ds_ingest_stats *)ds_pipeline_stats(pl))->errors++;
		return true;
	}
}

/* What a file of mode m is, for "skipped: a FIFO, not a regular file". */
static const char *
file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a file or directory";
}

/* Ingest a buffer that may be an mbox, a message or a report. */
static bool
ingest_buffer(struct ds_pipeline *pl, const char *source, const char *buf,
    size_t len, GError **err)
{
	bool ok;

	if (len >= 5 && memcmp(buf, "From ", 5) == 0)
		return ds_source_mbox_ingest(pl, source, buf, len, err);
	ok = ds_pipeline_ingest(pl, source, buf, len, NULL, NULL, NULL, err);
	ds_source_progress(pl, false);
	return ok;
}

static bool
ingest_file(struct ds_pipeline *pl, const char *path, GError **err)
{
	const struct ds_limits *lim = ds_pipeline_limits(pl);
	struct stat sb;
	char head[16], *buf;
	size_t len;
	ssize_t n;
	bool ok = true, too_big;
	int fd, saved;

	/* O_NONBLOCK: a FIFO swapped in after the stat() must not hang */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		return skip_errno(pl, path, saved);
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		ds_pipeline_skip(pl, path, file_kind(sb.st_mode));
		return true;
	}
	if (sb.st_size == 0) {
		close(fd);
		ds_pipeline_skip(pl, path, "empty file");
		return true;
	}
	n = pread(fd, head, sizeof(head), 0);
	if (n >= 5 && memcmp(head, "From ", 5) == 0) {
		/* an mbox: streamed, one message at a time (THREATS #7) */
		ok = ds_source_mbox_ingest_fd(pl, path, fd, err);
		close(fd);
		return ok;
	}
	if ((uint64_t)sb.st_size > DS_SOURCE_STREAM_MIN && n > 0 &&
	    !ds_message_sniff(head, (size_t)n)) {
		/* a large report: stream it, never hold it in memory */
		ok = ds_pipeline_ingest_fd(pl, path, fd, NULL, err);
		ds_source_progress(pl, false);
		close(fd);
		return ok;
	}
	buf = ds_slurp_fd(fd, lim->max_message, &len, &too_big);
	saved = errno;
	close(fd);
	if (buf == NULL && too_big) {
		ds_pipeline_skip(pl, path, "mail larger than the message size "
		    "limit (--max-message-size)");
		return true;
	}
	if (buf == NULL)
		return skip_errno(pl, path, saved);
	ok = ingest_buffer(pl, path, buf, len, err);
	g_free(buf);
	return ok;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directory entries sorted by name, so runs are reproducible. */
static GPtrArray *
list_dir(const char *path)
{
	GPtrArray *names;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return NULL;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., and hidden files */
		g_ptr_array_add(names, g_strdup(de->d_name));
	}
	closedir(d);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

static bool ingest_entry(struct ds_pipeline *pl, const char *root,
    const char *path, unsigned depth, GError **err);

static bool
is_maildir(const char *path)
{
	char *cur = g_build_filename(path, "cur", NULL);
	char *new = g_build_filename(path, "new", NULL);
	bool yes = g_file_test(cur, G_FILE_TEST_IS_DIR) &&
	    g_file_test(new, G_FILE_TEST_IS_DIR);

	g_free(cur);
	g_free(new);
	return yes;
}

/* Ingest the entries of directory path, all inside root (a realpath). */
static bool
ingest_dir(struct ds_pipeline *pl, const char *root, const char *path,
    unsigned depth, GError **err)
{
	GPtrArray *names;
	bool ok = true, maildir = is_maildir(path);
	guint i;

	if (depth > 32) {
		ds_pipeline_skip(pl, path, "directories nested too deep");
		return true;
	}
	if ((names = list_dir(path)) == NULL)
		return skip_errno(pl, path, errno);
	for (i = 0; ok && i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		char *sub;

		/* a Maildir's tmp/ holds messages still being delivered */
		if (maildir && strcmp(n, "tmp") == 0)
			continue;
		sub = g_build_filename(path, n, NULL);
		ok = ingest_entry(pl, root, sub, depth + 1, err);
		g_free(sub);
	}
	g_ptr_array_free(names, TRUE);
	return ok;
}

/* Is p (a realpath) root or below it? */
static bool
is_inside(const char *root, const char *p)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/*
 * One entry found in a directory: a symlink is followed only when its
 * target is inside the directory given on the command line (root), so
 * the bytes of a file outside it are never read, stored or quarantined;
 * a dangling symlink, a FIFO, a socket or a device is skipped with a
 * warning.
 */
static bool
ingest_entry(struct ds_pipeline *pl, const char *root, const char *path,
    unsigned depth, GError **err)
{
	struct stat sb;
	char *real, *why;

	if (lstat(path, &sb) < 0)
		return skip_errno(pl, path, errno);
	if (S_ISLNK(sb.st_mode)) {
		if ((real = realpath(path, NULL)) == NULL) {
			ds_pipeline_skip(pl, path, errno == ENOENT ?
			    "dangling symlink" : g_strerror(errno));
			return true;
		}
		if (!is_inside(root, real)) {
			char *q = ds_quote(real, strlen(real), 200);

			why = g_strdup_printf("symlink to '%s', outside the "
			    "directory: not read", q);
			ds_pipeline_skip(pl, path, why);
			g_free(why);
			g_free(q);
			free(real);
			return true;
		}
		free(real);
		if (stat(path, &sb) < 0)
			return skip_errno(pl, path, errno);
	}
	if (S_ISDIR(sb.st_mode))
		return ingest_dir(pl, root, path, depth, err);
	if (!S_ISREG(sb.st_mode)) {
		ds_pipeline_skip(pl, path, file_kind(sb.st_mode));
		return true;
	}
	return ingest_file(pl, path, err);
}

/* A path named on the command line: symlinks followed (the user chose). */
static bool
ingest_path(struct ds_pipeline *pl, const char *path, GError **err)
{
	struct stat sb;
	char *root;
	bool ok;

	if (stat(path, &sb) < 0)
		return skip_errno(pl, path, errno);
	if (!S_ISDIR(sb.st_mode))
		return ingest_file(pl, path, err);
	if ((root = realpath(path, NULL)) == NULL)
		return skip_errno(pl, path, errno);
	ok = ingest_dir(pl, root, path, 0, err);
	free(root);
	return ok;
}

bool
ds_source_local_ingest(struct ds_pipeline *pl, const char *path,
    GError **err)
{
	const struct ds_limits *lim = ds_pipeline_limits(pl);
	size_t len;
	bool ok, too_big;
	char *buf;

	if (strcmp(path, "-") != 0)
		return ingest_path(pl, path, err);
	buf = ds_slurp_fd(STDIN_FILENO, lim->max_message, &len, &too_big);
	if (buf == NULL && too_big) {
		ds_pipeline_skip(pl, "<stdin>", "larger than the message size "
		    "limit (--max-message-size)");
		return true;
	}
	if (buf == NULL)
		return skip_errno(pl, "<stdin>", errno);
	if (len == 0) {
		g_free(buf);
		ds_pipeline_skip(pl, "<stdin>", "empty input");
		return true;
	}
	ok = ingest_buffer(pl, "<stdin>", buf, len, err);
	g_free(buf);
	return ok;
}
