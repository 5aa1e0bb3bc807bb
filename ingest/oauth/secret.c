/*
 * secret.c - secrets from 0600 files or the environment; 0600 files
 * written atomically (secret.h).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/config/config.h"
#include "schema/util/error.h"
#include "ingest/oauth/oauth.h"
#include "ingest/oauth/secret.h"

bool
ds_oauth_read_private(const char *path, size_t max, char **out,
    size_t *out_len, GError **err)
{
	*out = ds_conf_read_private(path, max, "a secret", true, out_len, err);
	return *out != NULL;
}

bool
ds_oauth_secret(const char *path, const char *env, const char *what,
    char **out, GError **err)
{
	const char *v = env ? getenv(env) : NULL;

	*out = NULL;
	if (path != NULL) {
		*out = ds_conf_read_secret_file(path, what, err);
		return *out != NULL;
	}
	if (v != NULL && v[0] != '\0')
		*out = g_strdup(v);
	return true;
}

bool
ds_oauth_write_private(const char *path, const char *data, size_t len,
    GError **err)
{
	char *dir = g_path_get_dirname(path), *tmp = NULL;
	size_t done = 0;
	ssize_t n;
	int fd = -1;
	bool ok = false;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		ds_fail(err, DS_ERROR_IO, "%s: %s", dir, g_strerror(errno));
		goto done;
	}
	tmp = g_strdup_printf("%s.%ld.tmp", path, (long)getpid());
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ds_fail(err, DS_ERROR_IO, "%s: %s", tmp, g_strerror(errno));
		goto done;
	}
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ds_fail(err, DS_ERROR_IO, "%s: %s", tmp,
			    g_strerror(errno));
			goto done;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		ds_fail(err, DS_ERROR_IO, "%s: %s", tmp, g_strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		ds_fail(err, DS_ERROR_IO, "%s: %s", path, g_strerror(errno));
		goto done;
	}
	ok = true;
done:
	if (fd >= 0)
		close(fd);
	if (!ok && tmp != NULL)
		unlink(tmp);
	g_free(tmp);
	g_free(dir);
	return ok;
}
