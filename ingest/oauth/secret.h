/*
 * secret.h - secrets from 0600 files or the environment, and files
 * written 0600 atomically (the token cache, a refresh token).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15, #22.
 */
#ifndef DS_OAUTH_SECRET_H
#define DS_OAUTH_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/*
 * The first line of file path (when not NULL; read by schema/config's
 * ds_conf_read_secret_file: regular, small, private); else the
 * environment variable env (when set and not empty); else *out = NULL.
 * what names the secret in messages. Caller frees *out with
 * ds_conf_secret_free. DS_ERROR_USAGE (mode, empty, missing file),
 * DS_ERROR_IO.
 */
bool ds_oauth_secret(const char *path, const char *env, const char *what,
    char **out, GError **err);

/*
 * The whole of file path (private, at most max bytes) into *out (NUL
 * after *out_len bytes; free with ds_conf_secret_free). False with
 * *out NULL and no error when it does not exist.
 */
bool ds_oauth_read_private(const char *path, size_t max, char **out,
    size_t *out_len, GError **err);

/*
 * Replace file path by data[0..len), mode 0600, through a temporary
 * file renamed over it (its directory is made 0700 when missing).
 * DS_ERROR_IO.
 */
bool ds_oauth_write_private(const char *path, const char *data, size_t len,
    GError **err);

#endif
