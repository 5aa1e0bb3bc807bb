/*
 * config.h - the one reader of the configuration file (GKeyFile INI
 * syntax), used by every section's consumer.
 * SPDX-License-Identifier: MIT
 *
 * What every section gets here, once: a size cap and a regular-file
 * check; whole-line comments (# or ;) and " # ..." after a value;
 * unknown sections and keys refused by name; a file holding a secret
 * (a key flagged DS_CONF_SECRET) refused unless group and others have
 * no access, with the chmod that fixes it (THREATS #15, #22); a URL key
 * carrying a password refused, naming the key to use instead; no value
 * and no line of the file ever appears in an error (a malformed line is
 * named by its number).
 */
#ifndef DS_CONF_H
#define DS_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define DS_CONF_MAX_BYTES (1u << 20)	/* a configuration file is small */

/* key flags */
#define DS_CONF_SECRET 0x1	/* the file must be private; kept verbatim */
#define DS_CONF_URL 0x2		/* a URL: no password inside */

/* One key a section may hold. */
struct ds_conf_key {
	const char *name;
	unsigned flags;
	const char *instead;	/* DS_CONF_URL: the key for the password */
};

struct ds_conf;

/* $XDG_CONFIG_HOME/dmarcsift/config (else ~/.config/...). Caller frees. */
char *ds_conf_default_path(void);

/*
 * Read the file at path (NULL: the default path). A missing file gives
 * an empty configuration when missing_ok, else DS_ERROR_USAGE naming
 * the path. DS_ERROR_USAGE for a file that is not regular, larger than
 * DS_CONF_MAX_BYTES, malformed (by line number), or has a section no
 * consumer knows; DS_ERROR_IO when it cannot be read.
 */
struct ds_conf *ds_conf_load(const char *path, bool missing_ok,
    GError **err);
void ds_conf_free(struct ds_conf *c);	/* NULL-safe */

/* The file's path, for messages. */
const char *ds_conf_path(const struct ds_conf *c);

/*
 * The sections whose name starts with prefix ("mailbox:" gives the
 * mailbox sections; "smtp" the [smtp] section if present), in file
 * order, names complete. NULL-terminated; g_strfreev.
 */
char **ds_conf_sections(const struct ds_conf *c, const char *prefix);
bool ds_conf_has_section(const struct ds_conf *c, const char *section);

/*
 * Check section against keys (a list ending with a NULL name): an
 * unknown key, a secret in a file others may read, a URL with a
 * password, are DS_ERROR_USAGE naming the file, section and key.
 * A missing section passes.
 */
bool ds_conf_check(const struct ds_conf *c, const char *section,
    const struct ds_conf_key *keys, GError **err);

/*
 * The value of key in section, surrounding white space and a trailing
 * " # comment" removed (a DS_CONF_SECRET key is kept verbatim but for
 * the surrounding white space: pass secret = true). NULL when absent.
 * Caller g_frees (secrets: ds_conf_secret_free).
 */
char *ds_conf_get(const struct ds_conf *c, const char *section,
    const char *key, bool secret);
void ds_conf_secret_free(char *s);	/* wiped first; NULL-safe */

/*
 * Typed values: *out is left alone when the key is absent. A bad
 * value is DS_ERROR_USAGE naming file, section and key (never the
 * value, which may be a secret typed in the wrong key).
 */
bool ds_conf_get_bool(const struct ds_conf *c, const char *section,
    const char *key, bool *out, GError **err);
bool ds_conf_get_size(const struct ds_conf *c, const char *section,
    const char *key, uint64_t *out, GError **err);
/* A duration: "400d", "12w", "36h", "90m" or plain seconds. */
bool ds_conf_get_age(const struct ds_conf *c, const char *section,
    const char *key, int64_t *out, GError **err);
/* One of choices (NULL-terminated); *out is its index. */
bool ds_conf_get_choice(const struct ds_conf *c, const char *section,
    const char *key, const char *const *choices, int *out, GError **err);
/* A ';'-separated list, items trimmed, empty ones dropped; g_strfreev. */
char **ds_conf_get_list(const struct ds_conf *c, const char *section,
    const char *key);

/* "50M", "1G", "512K", "4096" to bytes; false for anything else, 0, overflow. */
bool ds_conf_parse_size(const char *s, uint64_t *out);
/* "400d", "12w", "36h", "90m", "3600" to seconds; false otherwise. */
bool ds_conf_parse_age(const char *s, int64_t *out);

/*
 * Check that the file open as fd (named path in messages) gives group
 * and others no access, as a file holding what (e.g. "a password")
 * must. DS_ERROR_USAGE naming the mode and the fix.
 */
bool ds_conf_check_private(int fd, const char *path, const char *what,
    GError **err);

/*
 * The whole of a private file: regular, at most max bytes, group and
 * others without access (what names its content in the error). NUL-
 * terminated after *len bytes; wipe with ds_conf_secret_free. NULL with
 * err set; NULL without an error when the file does not exist and
 * missing_ok.
 */
char *ds_conf_read_private(const char *path, size_t max, const char *what,
    bool missing_ok, size_t *len, GError **err);

/*
 * Read a small private file (a password-file, a client secret, a
 * refresh token): at most DS_CONF_MAX_BYTES, regular, group and others
 * without access; the first line without its end. Wipe with
 * ds_conf_secret_free.
 */
char *ds_conf_read_secret_file(const char *path, const char *what,
    GError **err);

#endif
