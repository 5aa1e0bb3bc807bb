/*
 * slurp.c - read a whole file or descriptor, capped (slurp.h).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/util/slurp.h"

char *
ds_slurp_fd(int fd, size_t max, size_t *out_len, bool *too_big)
{
	GByteArray *b = g_byte_array_new();
	char chunk[65536];
	ssize_t n;

	/* a GByteArray's length is a guint, and one byte goes to the NUL */
	if (max > G_MAXUINT - 1)
		max = G_MAXUINT - 1;
	*too_big = false;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			int saved = errno;

			if (saved == EINTR)
				continue;
			g_byte_array_free(b, TRUE);
			errno = saved;
			return NULL;
		}
		if ((size_t)n > max - b->len) {
			*too_big = true;
			g_byte_array_free(b, TRUE);
			return NULL;
		}
		g_byte_array_append(b, (guint8 *)chunk, (guint)n);
	}
	*out_len = b->len;
	g_byte_array_append(b, (const guint8 *)"", 1);
	return (char *)g_byte_array_free(b, FALSE);
}

char *
ds_slurp(const char *path, size_t max, size_t *len, GError **err)
{
	bool stdin_ = strcmp(path, "-") == 0, too_big;
	char *buf;
	int fd;

	fd = stdin_ ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY);
	if (fd < 0) {
		ds_fail(err, DS_ERROR_IO, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	buf = ds_slurp_fd(fd, max, len, &too_big);
	if (buf == NULL && too_big)
		ds_fail(err, DS_ERROR_LIMIT, "%s: larger than %zu bytes", path,
		    max);
	else if (buf == NULL)
		ds_fail(err, DS_ERROR_IO, "%s: %s", path, g_strerror(errno));
	if (!stdin_)
		close(fd);
	return buf;
}
