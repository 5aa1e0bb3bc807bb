/*
 * imap.h - IMAP through libcurl: one connection (one reused easy handle)
 * to one server, and the pure parsers of the replies dmarcsift reads.
 * SPDX-License-Identifier: MIT
 *
 * RFC 3501 (IMAP4rev1), RFC 5092 (IMAP URLs), RFC 6851 (MOVE), RFC 4315
 * (UIDPLUS), RFC 2595 (STARTTLS). THREATS #7 (RFC822.SIZE checked before
 * a fetch, the cap enforced while receiving), #15 (the password goes to
 * libcurl only; no verbose mode, which would print LOGIN), #16 (imaps://
 * or STARTTLS required, certificates verified).
 */
#ifndef DS_IMAP_H
#define DS_IMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* An imap:// or imaps:// URL taken apart; strings owned. */
struct ds_imap_url {
	bool tls;		/* imaps:// (TLS from the first byte) */
	char *host;		/* as in the URL ("[::1]" for IPv6) */
	unsigned port;		/* the URL's, else 143 / 993 */
	char *user;		/* URL-decoded, or NULL */
	char *mailbox;		/* URL-decoded path, "INBOX" when empty */
};

/*
 * Take url apart. DS_ERROR_USAGE for another scheme, no host, a
 * password in the URL (THREATS #15), query, fragment or IMAP URL
 * parameters (;UID=...), or a mailbox name that is not printable ASCII.
 */
bool ds_imap_url_parse(struct ds_imap_url *out, const char *url,
    GError **err);
void ds_imap_url_clear(struct ds_imap_url *u);

/*
 * The canonical name of a mailbox, which keys its state in the store:
 * "imaps://user@host:port/INBOX" (user escaped, no password). Caller
 * frees.
 */
char *ds_imap_url_key(const struct ds_imap_url *u, const char *user);

struct ds_imap_opts {
	const char *user;	/* NULL: from ~/.netrc */
	const char *password;	/* NULL: from ~/.netrc */
	const char *bearer;	/* OAuth2 access token: SASL instead */
	const char *mechanism;	/* with bearer: "xoauth2", "oauthbearer",
				 * NULL: OAUTHBEARER, else XOAUTH2, as the
				 * server announces before login */
	const char *ca_file;	/* NULL: the system's trust store */
	bool allow_plaintext;	/* imap:// without STARTTLS allowed */
	long timeout;		/* seconds without progress before giving up */
};

/* What UID FETCH (UID RFC822.SIZE FLAGS) said about one message. */
struct ds_imap_info {
	uint32_t uid;
	uint64_t size;		/* RFC822.SIZE */
	bool seen;		/* \Seen among its FLAGS */
};

struct ds_imap;

/*
 * Connect and log in (CAPABILITY is read). Errors: DS_ERROR_AUTH when
 * login is refused; DS_ERROR_NET for the network, TLS (no STARTTLS,
 * untrusted certificate) and everything else the server does.
 */
struct ds_imap *ds_imap_open(const struct ds_imap_url *u,
    const struct ds_imap_opts *o, GError **err);
void ds_imap_close(struct ds_imap *im);	/* NULL-safe */

/* Whether the server announced capability cap (e.g. "MOVE"). */
bool ds_imap_has(const struct ds_imap *im, const char *cap);

/*
 * STATUS mailbox (UIDVALIDITY MESSAGES): *out is its UIDVALIDITY,
 * *out_messages its number of messages. DS_ERROR_NET.
 */
bool ds_imap_status(struct ds_imap *im, const char *mailbox, uint32_t *out,
    uint32_t *out_messages, GError **err);

/*
 * Make mailbox (expected UIDVALIDITY uidvalidity) the one the commands
 * below act on; libcurl SELECTs it with the next command and fails that
 * command (DS_ERROR_NET, "UIDVALIDITY changed") when it differs.
 */
void ds_imap_use(struct ds_imap *im, const char *mailbox,
    uint32_t uidvalidity);

/*
 * UID SEARCH criteria: the UIDs (GArray of uint32_t), in the server's
 * order. Keep the reply short (a window of message numbers): libcurl
 * cuts reply lines longer than half its buffer (128 KiB).
 *
 * libcurl 7.88 (Debian) also fails a command (error 56, "Too large
 * response headers") after about 300 untagged reply lines: every
 * command that names UIDs names at most DS_IMAP_MAX_UIDS of them.
 */
#define DS_IMAP_MAX_UIDS 100
bool ds_imap_search(struct ds_imap *im, const char *criteria, GArray **out,
    GError **err);

/* UID FETCH uids (UID RFC822.SIZE FLAGS): GArray of struct ds_imap_info. */
bool ds_imap_info(struct ds_imap *im, const uint32_t *uids, size_t n,
    GArray **out, GError **err);

/*
 * Fetch message uid whole (UID FETCH uid BODY[], which sets \Seen).
 * *out (g_free) holds *out_len bytes plus a NUL. DS_ERROR_LIMIT when it
 * grows past max bytes (the transfer is cut there).
 */
bool ds_imap_fetch(struct ds_imap *im, uint32_t uid, uint64_t max,
    char **out, size_t *out_len, GError **err);

/*
 * Whether the last command failed because the server had no such
 * message or mailbox (or the mailbox's UIDVALIDITY changed).
 */
bool ds_imap_not_found(const struct ds_imap *im);

/*
 * Run one command on the mailbox in use (cmd is our own text, e.g.
 * "UID MOVE 1:4 \"Archive\""). A NO or BAD reply is DS_ERROR_NET naming
 * the command.
 */
bool ds_imap_command(struct ds_imap *im, const char *cmd, GError **err);

/* Make folder exist (LIST, then CREATE when missing). DS_ERROR_NET. */
bool ds_imap_ensure_folder(struct ds_imap *im, const char *folder,
    GError **err);

/* ---- pure helpers (imap_parse.c), over replies held in memory ---- */

/* Append the UIDs of every "* SEARCH" line of buf[0..len) to uids. */
void ds_imap_parse_search(const char *buf, size_t len, GArray *uids);
/* Append one ds_imap_info per "* n FETCH (... UID ... RFC822.SIZE ...)". */
void ds_imap_parse_fetch(const char *buf, size_t len, GArray *infos);
/*
 * The UIDVALIDITY (and MESSAGES, 0 when absent) of a "* STATUS" line;
 * false when there is no UIDVALIDITY.
 */
bool ds_imap_parse_status(const char *buf, size_t len, uint32_t *out,
    uint32_t *out_messages);
/* The upper-cased words of "* CAPABILITY" lines (NULL-terminated). */
char **ds_imap_parse_caps(const char *buf, size_t len);
/* Whether buf holds a "* LIST" line. */
bool ds_imap_parse_list(const char *buf, size_t len);
/*
 * The IMAP sequence set of uids[*pos..n) (ascending), "1:5,7,9:12", of
 * at most max_uids UIDs (0: any) and max_len characters; *pos moves
 * past the UIDs it holds (at least one). Caller frees.
 */
char *ds_imap_uid_set(const uint32_t *uids, size_t n, size_t *pos,
    size_t max_uids, size_t max_len);
/* s as an IMAP quoted string ("\"" and "\\" escaped). Caller frees. */
char *ds_imap_quote(const char *s);

#endif
