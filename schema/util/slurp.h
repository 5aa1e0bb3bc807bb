/*
 * slurp.h - read a whole file or descriptor into memory, capped: the
 * one capped read of dmarcsift (configuration files keep their own
 * reader in schema/config/, which also checks the file's mode).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SLURP_H
#define DS_SLURP_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/*
 * Read fd to its end, at most max bytes (clamped to what a GByteArray
 * can hold). The buffer is NUL-terminated (not counted in *len).
 * NULL with *too_big when there is more; NULL with errno set on a read
 * error. Caller g_frees.
 */
char *ds_slurp_fd(int fd, size_t max, size_t *len, bool *too_big);

/*
 * The same for path ("-": standard input): DS_ERROR_IO naming the path,
 * DS_ERROR_LIMIT when larger than max ("PATH: larger than N bytes").
 */
char *ds_slurp(const char *path, size_t max, size_t *len, GError **err);

#endif
