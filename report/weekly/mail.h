/*
 * mail.h - send one report as a multipart/alternative mail (text and
 * HTML; RFC 5322, RFC 2045/2046, RFC 2047 for the subject) through
 * libcurl SMTP (RFC 5321, STARTTLS RFC 3207) with the server of the
 * [smtp] section of the configuration file.
 * SPDX-License-Identifier: MIT
 *
 * Configuration (GKeyFile syntax, --config or the XDG path):
 *   [smtp]
 *   url = smtp://mail.example.com:587   (smtps:// for implicit TLS)
 *   from = dmarc@example.com
 *   user = dmarc                         (optional, with a password)
 *   password-file = /etc/dmarcsift/smtp.pw  (mode 0600; or password =
 *                                         in this file, then 0600)
 *   tls = required | none                (smtp:// only; default
 *                                         required: STARTTLS or fail)
 *   ca-file = /path/ca.pem                (optional private CA)
 * THREATS #15 (no password in a readable file, never logged) and #16
 * (no silent plaintext: STARTTLS unless tls = none is written down).
 */
#ifndef DS_MAIL_H
#define DS_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct ds_smtp_conf {
	char *url;
	char *from;
	char *user;
	char *password;
	char *ca_file;
	bool tls_required;	/* STARTTLS must succeed (smtp://) */
};

struct ds_mail {
	const char *from;	/* address only, checked */
	const char *const *to;	/* NULL-terminated, checked */
	const char *subject;	/* UTF-8, encoded as RFC 2047 if needed */
	const char *text;	/* the text/plain part, UTF-8 */
	const char *html;	/* the text/html part, UTF-8 */
	int64_t date;		/* Unix seconds for Date: */
};

/*
 * Read the [smtp] section of the configuration file path (NULL: the
 * default path) into out (caller ds_smtp_conf_clear()s). DS_ERROR_USAGE
 * when the file or section is missing, url/from are absent, the url is
 * not smtp:// or smtps://, or a password sits in a file readable by
 * group or others.
 */
bool ds_smtp_conf_read(const char *path, struct ds_smtp_conf *out,
    GError **err);
void ds_smtp_conf_clear(struct ds_smtp_conf *c);

/*
 * True when addr is a plain address (local@domain, printable ASCII, no
 * spaces, quotes, angle brackets, commas or line breaks): safe in a
 * header and an SMTP command.
 */
bool ds_mail_addr_ok(const char *addr);

/*
 * The whole message (headers and body, CRLF line ends) for m; *len gets
 * its size. Caller g_frees. m's addresses must be ds_mail_addr_ok().
 */
char *ds_mail_build(const struct ds_mail *m, size_t *len);

/*
 * Send m through the server of c. DS_ERROR_USAGE for a bad address,
 * DS_ERROR_AUTH when the login is refused, DS_ERROR_NET otherwise
 * (libcurl's message, never the password).
 */
bool ds_mail_send(const struct ds_smtp_conf *c, const struct ds_mail *m,
    GError **err);

#endif
