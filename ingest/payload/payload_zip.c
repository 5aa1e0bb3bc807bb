/*
 * payload_zip.c - walk zip archives with libzip, never extracting to
 * disk (THREATS #5; SPEC.md 1 "Delivery", 7 "libzip").
 * SPDX-License-Identifier: MIT
 *
 * Observed on Debian 12 (libzip 1.7.3): zip_stat sizes can lie, so the
 * bytes actually read are counted; overlapping central-directory entries
 * are caught only by ZIP_CHECKCONS at open; names come back verbatim
 * ("../../", absolute, drive letters), so they are quoted for messages
 * and leaf names and never used as paths.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "schema/util/error.h"
#include "ingest/payload/payload_priv.h"

#define NAME_MAX_SHOWN 200	/* bytes of an entry name in messages */
#define BAD_SHOWN 5		/* bad entries named in the final error */

/* One entry being read. */
struct zentry {
	struct ds_psrc base;
	struct ds_pwalk *w;
	zip_file_t *zf;
	uint64_t comp;		/* compressed size, for the ratio */
	uint64_t out;		/* bytes produced */
};

/* The bad entries of one archive, for the error at the end. */
struct bad {
	GString *msg;
	unsigned n;
	int code;		/* DS_ERROR_LIMIT wins over _FORMAT */
};

static gssize
entry_read(struct ds_psrc *s, char *buf, size_t len, GError **err)
{
	struct zentry *z = (struct zentry *)s;
	zip_int64_t n;

	n = zip_fread(z->zf, buf, len);
	if (n < 0) {
		ds_fail(err, DS_ERROR_FORMAT, "%s", zip_file_strerror(z->zf));
		return -1;
	}
	if (n > 0 && !ds_pwalk_count(z->w, &z->out, z->comp, (size_t)n, err))
		return -1;
	return (gssize)n;
}

/* Directory entries and macOS AppleDouble files carry no report. */
static bool
is_junk(const char *n)
{
	size_t len = strlen(n);
	const char *base;

	if (len > 0 && (n[len - 1] == '/' || n[len - 1] == '\\'))
		return true;
	if (strncmp(n, "__MACOSX/", 9) == 0 || strstr(n, "/__MACOSX/"))
		return true;
	base = strrchr(n, '/');
	base = base ? base + 1 : n;
	return strncmp(base, "._", 2) == 0;
}

static void
bad_add(struct bad *b, const char *qname, const GError *e)
{
	if (b->n < BAD_SHOWN)
		g_string_append_printf(b->msg, "%s'%s': %s", b->n ? "; " : "",
		    qname, e->message);
	if (e->domain == DS_ERROR && e->code == DS_ERROR_LIMIT)
		b->code = DS_ERROR_LIMIT;
	b->n++;
}

/* Walk entry i; fails with err for this entry only (unless stopped). */
static bool
walk_entry(struct ds_pwalk *w, const char *name, zip_t *za, zip_uint64_t i,
    unsigned depth, char **qname, GError **err)
{
	struct zentry z;
	zip_stat_t st;
	const char *ename;
	char *lname = NULL;
	bool ok = false;

	memset(&z, 0, sizeof(z));
	zip_stat_init(&st);
	if (zip_stat_index(za, i, 0, &st) != 0) {
		*qname = g_strdup_printf("#%" G_GUINT64_FORMAT, (guint64)i);
		return ds_fail(err, DS_ERROR_FORMAT, "%s",
		    zip_strerror(za));
	}
	ename = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "";
	*qname = ds_quote(ename, strlen(ename), NAME_MAX_SHOWN);
	if (is_junk(ename)) {
		/*
		 * SPEC.md 1: directory entries and macOS __MACOSX/._* files
		 * are what ordinary zip tools add, not a reporter's
		 * deviation: skipped without a warning
		 */
		return true;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return ds_fail(err, DS_ERROR_FORMAT, "encrypted entry");
	z.base.read = entry_read;
	z.w = w;
	z.comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	z.zf = zip_fopen_index(za, i, 0);
	if (z.zf == NULL)
		return ds_fail(err, DS_ERROR_FORMAT, "%s", zip_strerror(za));
	if (*ename != '\0')
		lname = g_strdup_printf("%s/%s", name, *qname);
	else
		lname = g_strdup_printf("%s/#%" G_GUINT64_FORMAT, name,
		    (guint64)i);
	ok = ds_pwalk_src(w, lname, &z.base, depth, err);
	zip_fclose(z.zf);
	g_free(lname);
	return ok;
}

/* Walk every entry of an open archive; consumes za. */
static bool
walk_archive(struct ds_pwalk *w, const char *name, zip_t *za,
    unsigned depth, GError **err)
{
	struct bad b = { g_string_new(NULL), 0, DS_ERROR_FORMAT };
	zip_int64_t n;
	zip_uint64_t i;
	GError *e = NULL;
	char *qname;
	bool ok = false;

	n = zip_get_num_entries(za, 0);
	if (n < 0) {
		ds_fail(err, DS_ERROR_FORMAT, "zip: %s", zip_strerror(za));
		goto done;
	}
	/* THREATS #5: refuse the archive before reading any entry */
	if ((uint64_t)n > w->lim->max_zip_entries) {
		ds_fail(err, DS_ERROR_LIMIT, "zip has %" G_GINT64_FORMAT
		    " entries, limit %u", (gint64)n, w->lim->max_zip_entries);
		goto done;
	}
	for (i = 0; i < (zip_uint64_t)n; i++) {
		qname = NULL;
		if (!walk_entry(w, name, za, i, depth, &qname, &e)) {
			if (w->stopped) {
				g_free(qname);
				g_propagate_error(err, e);
				goto done;
			}
			bad_add(&b, qname, e);
			g_clear_error(&e);
		}
		g_free(qname);
		/* the budget is spent: every later entry would fail too */
		if (w->produced > w->lim->max_inflated)
			break;
	}
	if (b.n == 1)
		ds_fail(err, b.code, "zip entry %s", b.msg->str);
	else if (b.n > 1)
		ds_fail(err, b.code, "%u bad zip entries: %s%s", b.n,
		    b.msg->str, b.n > BAD_SHOWN ? "; ..." : "");
	else
		ok = true;
done:
	zip_discard(za);
	g_string_free(b.msg, TRUE);
	return ok;
}

/* A libzip source over the whole archive; NULL with err set. */
static zip_source_t *
make_source(const struct ds_pzview *v, GError **err)
{
	zip_source_t *src;
	zip_error_t ze;
	FILE *fp = NULL;
	int dfd;

	zip_error_init(&ze);
	if (v->buf != NULL) {
		src = zip_source_buffer_create(v->buf, v->size, 0, &ze);
	} else {
		/* libzip closes what it reads from: give it a FILE on a dup */
		if ((dfd = dup(v->fd)) < 0 || (fp = fdopen(dfd, "rb")) == NULL) {
			ds_fail(err, DS_ERROR_IO, "zip: %s", g_strerror(errno));
			if (dfd >= 0)
				close(dfd);
			zip_error_fini(&ze);
			return NULL;
		}
		src = zip_source_filep_create(fp, 0, -1, &ze);
	}
	if (src == NULL) {
		if (fp != NULL)
			fclose(fp);
		ds_fail(err, DS_ERROR_FORMAT, "zip: %s",
		    zip_error_strerror(&ze));
	}
	zip_error_fini(&ze);
	return src;
}

/* Open the archive read-only with consistency checks (SPEC.md 7). */
static zip_t *
open_archive(struct ds_pwalk *w, const struct ds_pzview *v, GError **err)
{
	zip_source_t *src;
	zip_error_t ze;
	zip_t *za;

	if ((src = make_source(v, err)) == NULL)
		return NULL;
	zip_error_init(&ze);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL && zip_error_code_zip(&ze) == ZIP_ER_INCONS) {
		/* libzip 1.7.3 refuses macOS zips: see payload_zipcheck.c */
		if (!ds_pzip_check(v, w->lim->max_zip_entries, err))
			goto done;
		zip_error_fini(&ze);
		zip_error_init(&ze);
		za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	}
	if (za == NULL)
		ds_fail(err, DS_ERROR_FORMAT, "zip: %s",
		    zip_error_strerror(&ze));
done:
	if (za == NULL)
		zip_source_free(src);
	zip_error_fini(&ze);
	return za;
}

bool
ds_pwalk_zip_mem(struct ds_pwalk *w, const char *name, const char *buf,
    size_t len, unsigned depth, GError **err)
{
	struct ds_pzview v = { buf, -1, len };
	zip_t *za;

	if ((za = open_archive(w, &v, err)) == NULL)
		return false;
	return walk_archive(w, name, za, depth, err);
}

bool
ds_pwalk_zip_fd(struct ds_pwalk *w, const char *name, int fd,
    unsigned depth, GError **err)
{
	struct ds_pzview v = { NULL, fd, 0 };
	struct stat sb;
	off_t off;
	zip_t *za;
	bool ok;

	if (fstat(fd, &sb) != 0)
		return ds_fail(err, DS_ERROR_IO, "stat: %s", g_strerror(errno));
	v.size = (uint64_t)sb.st_size;
	off = lseek(fd, 0, SEEK_CUR);
	ok = (za = open_archive(w, &v, err)) != NULL &&
	    walk_archive(w, name, za, depth, err);
	/* the FILE libzip read through shares our file offset */
	if (off >= 0)
		(void)lseek(fd, off, SEEK_SET);
	return ok;
}
