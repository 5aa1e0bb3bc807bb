/*
 * config.h - the configuration file: [mailbox:NAME] sections for
 * polling IMAP, Microsoft Graph and Gmail mailboxes (README "IMAP").
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15: a file holding a password must not be readable by group
 * or others; passwords come from the file, a password-file, the
 * environment (DMARCSIFT_IMAP_PASSWORD) or ~/.netrc, never argv.
 */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/oauth/oauth.h"

#define DS_MAILBOX_MAX_MESSAGE_DEFAULT (50u << 20)

/* One [mailbox:NAME] section; every string is owned by the struct. */
struct ds_mailbox_conf {
	char *name;		/* NAME of the section, or "url" ad hoc */
	char *url;		/* imaps://host[:port]/MAILBOX (as written) */
	char *user;		/* user = ..., else the URL's user */
	char *password;		/* password = ... (config mode 0600) */
	char *password_file;	/* password-file = FILE (first line) */
	char *ca_file;		/* ca-file = FILE: trust this CA */
	char *archive_folder;	/* where processed messages go */
	char *invalid_folder;	/* where messages with nothing usable go */
	uint64_t max_message;	/* max-message-size (default 50M) */
	bool allow_plaintext;	/* imap:// without STARTTLS */
	bool keep;		/* leave the mailbox untouched */
	bool too_large_move;	/* too-large = move: to invalid-folder */
	bool oauth2;		/* auth = oauth2 (always for graph, gmail) */
	char *mechanism;	/* oauth2-mechanism: xoauth2, oauthbearer */
	char *api_url;		/* api-url: Graph / Gmail base URL */
	char *remove_labels;	/* remove-labels (Gmail), comma-separated */
	struct ds_oauth_conf oauth;	/* oauth2-* keys; oauth.name = name */
};

/* The default path: $XDG_CONFIG_HOME/dmarcsift/config. Caller frees. */
char *ds_config_default_path(void);

/*
 * Read the configuration file at path (NULL: the default). *out is a
 * GPtrArray of struct ds_mailbox_conf (its free function set), in file
 * order; caller unrefs. A missing file gives an empty array when
 * missing_ok, else DS_ERROR_USAGE. DS_ERROR_USAGE too for a syntax
 * error, an unknown key, a bad value, or a password in a file that
 * group or others may read (THREATS #15); DS_ERROR_IO when it cannot
 * be read.
 */
bool ds_config_load(GPtrArray **out, const char *path, bool missing_ok,
    GError **err);

/* The same from a configuration already read (schema/config/config.h). */
struct ds_conf;
bool ds_config_mailboxes(const struct ds_conf *conf, GPtrArray **out,
    GError **err);

/*
 * A mailbox for an ad hoc URL (dmarcsift ingest imaps://...): defaults
 * for everything. A password inside the URL is refused (THREATS #15:
 * it would be on the command line). DS_ERROR_USAGE.
 */
struct ds_mailbox_conf *ds_mailbox_conf_from_url(const char *url,
    GError **err);

/*
 * The mailbox of boxes (from ds_config_load) that url names: same
 * scheme, host, port, mailbox and user (a URL without user matches any
 * user). Borrowed from boxes; NULL when none does or url is bad.
 */
const struct ds_mailbox_conf *ds_config_find_url(const GPtrArray *boxes,
    const char *url);

/* Free c and its strings (the password is wiped first). NULL-safe. */
void ds_mailbox_conf_free(struct ds_mailbox_conf *c);

/*
 * "50M", "1G", "512K", "4096" to bytes. False for anything else, zero,
 * or overflow.
 */
bool ds_config_parse_size(const char *s, uint64_t *out);

/*
 * The password for c: password, else the first line of password-file
 * (which group and others must not be able to read), else
 * $DMARCSIFT_IMAP_PASSWORD. *out is NULL when none is set (libcurl then
 * reads ~/.netrc). Caller frees with ds_config_password_free().
 * DS_ERROR_USAGE for a bad password-file, DS_ERROR_IO when unreadable.
 */
bool ds_config_password(const struct ds_mailbox_conf *c, char **out,
    GError **err);

/* Wipe and free a password. NULL-safe. */
void ds_config_password_free(char *pw);

/*
 * Check that the file open as fd (named path in messages) gives group
 * and others no access, as a file holding a password must (THREATS
 * #15). DS_ERROR_USAGE naming the mode and the fix.
 */
bool ds_config_check_private(int fd, const char *path, const char *what,
    GError **err);

#endif
