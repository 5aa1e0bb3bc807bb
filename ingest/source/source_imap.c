/*
 * source_imap.c - one IMAP connection through libcurl: a single easy
 * handle reused for every command, so the connection and the selected
 * mailbox are kept between them.
 * SPDX-License-Identifier: MIT
 *
 * RFC 3501, RFC 5092 (URLs: ;UIDVALIDITY= makes libcurl check it on
 * SELECT, error 78 when it changed), RFC 6851 (MOVE), RFC 2595
 * (STARTTLS). THREATS #7: RFC822.SIZE is read before a fetch and the
 * cap is enforced again in the write callback (CURLOPT_MAXFILESIZE is
 * not enforced for IMAP). THREATS #15: never CURLOPT_VERBOSE (it prints
 * LOGIN with the password); the password is set with CURLOPT_PASSWORD
 * only. THREATS #16: imaps:// or STARTTLS required (CURLUSESSL_ALL),
 * certificates always verified.
 */
#include <string.h>
#include <curl/curl.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "ingest/source/imap.h"

/* replies to our commands (SEARCH of a large mailbox) stay below this */
#define REPLY_MAX DS_MAX_MESSAGE_DEFAULT	/* a whole message, and then some */

struct sink {
	GString *buf;
	uint64_t max;
	bool over;		/* the cap was hit: transfer cut */
};

struct ds_imap {
	CURL *h;
	char *base;		/* "imaps://host:port/" */
	char *label;		/* "host:port" for messages */
	char *user;		/* for messages */
	bool oauth2;		/* logged in with a bearer token */
	char *mailbox;		/* in use (ds_imap_use), for messages */
	char *box_url;		/* base + mailbox + ";UIDVALIDITY=v" */
	char **caps;
	CURLcode last_rc;	/* of the last transfer */
	char errbuf[CURL_ERROR_SIZE];
	char said[200];		/* the server's last tagged NO/BAD, quoted */
};

/*
 * libcurl hands IMAP response lines to the header callback: keep the
 * server's own words of a tagged NO or BAD for the error message. The
 * server never echoes a password; the text is quoted (attacker text).
 */
static size_t
header_cb(char *p, size_t size, size_t n, void *payload)
{
	struct ds_imap *im = payload;
	size_t len = size * n, i = 0;
	char *q;

	while (i < len && p[i] != ' ' && p[i] != '*')
		i++;	/* the tag */
	if (i == 0 || i >= len || p[i] != ' ')
		return len;
	i++;
	if (!(len - i >= 3 && (memcmp(p + i, "NO ", 3) == 0 ||
	    (len - i >= 4 && memcmp(p + i, "BAD ", 4) == 0))))
		return len;
	while (len > i && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	q = ds_quote(p + i, len - i, sizeof(im->said) - 8);
	g_strlcpy(im->said, q, sizeof(im->said));
	g_free(q);
	return size * n;
}

/* RFC 5530 codes (and Dovecot's words) for what no retry will change. */
static bool
said_permanent(const char *said)
{
	return strstr(said, "[NONEXISTENT]") || strstr(said, "[NOPERM]") ||
	    strstr(said, "[CANNOT]") || strstr(said, "doesn't exist") ||
	    strstr(said, "does not exist");
}

static size_t
write_cb(char *p, size_t size, size_t n, void *payload)
{
	struct sink *s = payload;
	size_t len = size * n;

	if ((uint64_t)s->buf->len + len > s->max) {
		s->over = true;
		return 0;	/* libcurl aborts with CURLE_WRITE_ERROR */
	}
	g_string_append_len(s->buf, p, (gssize)len);
	return len;
}

/* Wrap a libcurl failure of command what once, by kind. */
static bool
fail(struct ds_imap *im, CURLcode rc, const struct sink *s, const char *what,
    GError **err)
{
	const char *detail = im->errbuf[0] ? im->errbuf :
	    curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		if (im->oauth2)
			return ds_fail(err, DS_ERROR_AUTH, "imap %s: login "
			    "refused for user '%s' with an OAuth2 token (check "
			    "the user, the app's IMAP permission and the scope)",
			    im->label, im->user ? im->user : "");
		return ds_fail(err, DS_ERROR_AUTH, "imap %s: login refused for "
		    "user '%s' (check the user and the password)", im->label,
		    im->user ? im->user : "(from ~/.netrc)");
	case CURLE_USE_SSL_FAILED:
		return ds_fail(err, DS_ERROR_PERMANENT, "imap %s: the server "
		    "offers no STARTTLS; refusing to log in without TLS (use "
		    "imaps://, or allow-plaintext = true)", im->label);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return ds_fail(err, DS_ERROR_PERMANENT, "imap %s: the server's "
		    "certificate does not verify: %s (ca-file = FILE or "
		    "--cacert FILE trusts a private CA)", im->label, detail);
	case CURLE_SSL_CONNECT_ERROR:
		/* OpenSSL's words for a server that answered in plain text */
		if (strstr(detail, "wrong version number") != NULL ||
		    strstr(detail, "packet length too long") != NULL)
			return ds_fail(err, DS_ERROR_PERMANENT, "imap %s: the "
			    "server does not speak TLS on this port (%s): a "
			    "plain-text port given as imaps://? Use imaps:// "
			    "with the TLS port (993) or imap:// (STARTTLS)",
			    im->label, detail);
		if (strstr(detail, "certificate") != NULL)
			return ds_fail(err, DS_ERROR_PERMANENT, "imap %s: TLS "
			    "failed: %s (ca-file = FILE or --cacert FILE "
			    "trusts a private CA)", im->label, detail);
		return ds_fail(err, DS_ERROR_NET, "imap %s: TLS failed: %s",
		    im->label, detail);
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return ds_fail(err, DS_ERROR_PERMANENT, "imap %s: %s: %s (no "
		    "such mailbox or message, or its UIDVALIDITY changed)",
		    im->label, what, detail);
	case CURLE_QUOTE_ERROR:
		return ds_fail(err, said_permanent(im->said) ?
		    DS_ERROR_PERMANENT : DS_ERROR_NET, "imap %s: the server "
		    "refused %s%s%s", im->label, what, im->said[0] ? ": " : "",
		    im->said);
	case CURLE_WRITE_ERROR:
		if (s != NULL && s->over)
			return ds_fail(err, DS_ERROR_LIMIT, "imap %s: %s: more "
			    "than %" G_GUINT64_FORMAT " bytes", im->label, what,
			    s->max);
		/* FALLTHROUGH */
	default:
		return ds_fail(err, DS_ERROR_NET, "imap %s: %s: %s", im->label,
		    what, detail);
	}
}

/* One transfer: url, with custom (NULL: a fetch), into s. */
static bool
perform(struct ds_imap *im, const char *url, const char *custom,
    struct sink *s, const char *what, GError **err)
{
	CURLcode rc;

	im->errbuf[0] = '\0';
	im->said[0] = '\0';
	curl_easy_setopt(im->h, CURLOPT_URL, url);
	curl_easy_setopt(im->h, CURLOPT_CUSTOMREQUEST, custom);
	curl_easy_setopt(im->h, CURLOPT_WRITEDATA, s);
	rc = curl_easy_perform(im->h);
	im->last_rc = rc;
	if (rc != CURLE_OK)
		return fail(im, rc, s, what, err);
	return true;
}

/* A command on url whose reply goes to *out (g_string_free). */
static bool
command(struct ds_imap *im, const char *url, const char *cmd, GString **out,
    GError **err)
{
	struct sink s = { g_string_new(NULL), REPLY_MAX, false };
	char *what = g_strdup_printf("'%.60s'", cmd);
	bool ok;

	ok = perform(im, url, cmd, &s, what, err);
	g_free(what);
	if (!ok || out == NULL)
		g_string_free(s.buf, TRUE);
	else
		*out = s.buf;
	return ok;
}

struct ds_imap *
ds_imap_open(const struct ds_imap_url *u, const struct ds_imap_opts *o,
    GError **err)
{
	static bool global_done;
	struct ds_imap *im;
	GString *r = NULL;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			ds_fail(err, DS_ERROR_NET, "libcurl cannot start");
			return NULL;
		}
		global_done = true;
	}
	im = g_new0(struct ds_imap, 1);
	im->label = g_strdup_printf("%s:%u", u->host, u->port);
	if (o->password == NULL && o->user != NULL) {
		/* libcurl looks ~/.netrc up for the URL's user, not for
		 * CURLOPT_USERNAME */
		char *eu = g_uri_escape_string(o->user, NULL, FALSE);

		im->base = g_strdup_printf("%s://%s@%s/", u->tls ? "imaps" :
		    "imap", eu, im->label);
		g_free(eu);
	} else
		im->base = g_strdup_printf("%s://%s/", u->tls ? "imaps" :
		    "imap", im->label);
	im->user = g_strdup(o->user);
	if ((im->h = curl_easy_init()) == NULL) {
		ds_fail(err, DS_ERROR_NET, "libcurl: no easy handle");
		goto fail;
	}
	curl_easy_setopt(im->h, CURLOPT_ERRORBUFFER, im->errbuf);
	curl_easy_setopt(im->h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(im->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(im->h, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(im->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(im->h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(im->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(im->h, CURLOPT_LOW_SPEED_TIME,
	    o->timeout > 0 ? o->timeout : 120L);
	curl_easy_setopt(im->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(im->h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(im->h, CURLOPT_HEADERDATA, im);
	/* reply lines longer than half of this are cut to 40 bytes */
	curl_easy_setopt(im->h, CURLOPT_BUFFERSIZE, 256L * 1024);
	/* THREATS #16: TLS from the start, or STARTTLS required */
	if (!u->tls)
		curl_easy_setopt(im->h, CURLOPT_USE_SSL, o->allow_plaintext ?
		    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(im->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(im->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(im->h, CURLOPT_CAINFO, o->ca_file);
	/* THREATS #15: the password is handed to libcurl and nowhere else */
	if (o->bearer != NULL) {
		/* RFC 7628 OAUTHBEARER or Google's XOAUTH2; libcurl picks
		 * among those allowed from the pre-login CAPABILITY */
		im->oauth2 = true;
		curl_easy_setopt(im->h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(im->h, CURLOPT_XOAUTH2_BEARER, o->bearer);
		curl_easy_setopt(im->h, CURLOPT_LOGIN_OPTIONS,
		    o->mechanism == NULL ? "AUTH=OAUTHBEARER;AUTH=XOAUTH2" :
		    g_ascii_strcasecmp(o->mechanism, "xoauth2") == 0 ?
		    "AUTH=XOAUTH2" : "AUTH=OAUTHBEARER");
	} else if (o->password != NULL) {
		if (o->user != NULL)
			curl_easy_setopt(im->h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(im->h, CURLOPT_PASSWORD, o->password);
	} else
		curl_easy_setopt(im->h, CURLOPT_NETRC,
		    (long)CURL_NETRC_OPTIONAL);
	if (!command(im, im->base, "CAPABILITY", &r, err))
		goto fail;
	im->caps = ds_imap_parse_caps(r->str, r->len);
	g_string_free(r, TRUE);
	return im;
fail:
	ds_imap_close(im);
	return NULL;
}

void
ds_imap_close(struct ds_imap *im)
{
	if (im == NULL)
		return;
	if (im->h != NULL) {
		/* forget the password or token held by the handle */
		curl_easy_setopt(im->h, CURLOPT_PASSWORD, "");
		curl_easy_setopt(im->h, CURLOPT_XOAUTH2_BEARER, "");
		curl_easy_cleanup(im->h);
	}
	g_free(im->base);
	g_free(im->label);
	g_free(im->user);
	g_free(im->mailbox);
	g_free(im->box_url);
	g_strfreev(im->caps);
	g_free(im);
}

bool
ds_imap_has(const struct ds_imap *im, const char *cap)
{
	size_t i;

	for (i = 0; im->caps != NULL && im->caps[i] != NULL; i++)
		if (g_ascii_strcasecmp(im->caps[i], cap) == 0)
			return true;
	return false;
}

bool
ds_imap_status(struct ds_imap *im, const char *mailbox, uint32_t *out,
    uint32_t *out_messages, GError **err)
{
	GString *r;
	char *q, *cmd;
	bool ok;

	q = ds_imap_quote(mailbox);
	cmd = g_strdup_printf("STATUS %s (UIDVALIDITY MESSAGES)", q);
	ok = command(im, im->base, cmd, &r, err);
	if (ok) {
		ok = ds_imap_parse_status(r->str, r->len, out, out_messages);
		if (!ok)
			ds_fail(err, DS_ERROR_NET, "imap %s: no UIDVALIDITY "
			    "in the STATUS reply for %s", im->label, q);
		g_string_free(r, TRUE);
	}
	g_free(cmd);
	g_free(q);
	return ok;
}

void
ds_imap_use(struct ds_imap *im, const char *mailbox, uint32_t uidvalidity)
{
	char *enc;

	g_free(im->mailbox);
	g_free(im->box_url);
	im->mailbox = g_strdup(mailbox);
	/* libcurl URL-decodes the path back into the mailbox name */
	enc = g_uri_escape_string(mailbox, "/", FALSE);
	im->box_url = g_strdup_printf("%s%s;UIDVALIDITY=%u", im->base, enc,
	    uidvalidity);
	g_free(enc);
}

bool
ds_imap_search(struct ds_imap *im, const char *criteria, GArray **out,
    GError **err)
{
	GString *r;
	char *cmd;
	bool ok;

	*out = NULL;
	g_assert(im->box_url != NULL);
	cmd = g_strdup_printf("UID SEARCH %s", criteria);
	ok = command(im, im->box_url, cmd, &r, err);
	g_free(cmd);
	if (!ok)
		return false;
	*out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	ds_imap_parse_search(r->str, r->len, *out);
	g_string_free(r, TRUE);
	return true;
}

bool
ds_imap_info(struct ds_imap *im, const uint32_t *uids, size_t n,
    GArray **out, GError **err)
{
	GString *r;
	char *set, *cmd;
	size_t pos = 0;

	g_assert(im->box_url != NULL);
	*out = g_array_new(FALSE, FALSE, sizeof(struct ds_imap_info));
	while (pos < n) {
		set = ds_imap_uid_set(uids, n, &pos, DS_IMAP_MAX_UIDS, 4000);
		cmd = g_strdup_printf("UID FETCH %s (UID RFC822.SIZE FLAGS)",
		    set);
		g_free(set);
		if (!command(im, im->box_url, cmd, &r, err)) {
			g_free(cmd);
			g_array_free(*out, TRUE);
			*out = NULL;
			return false;
		}
		g_free(cmd);
		ds_imap_parse_fetch(r->str, r->len, *out);
		g_string_free(r, TRUE);
	}
	return true;
}

bool
ds_imap_fetch(struct ds_imap *im, uint32_t uid, uint64_t max, char **out,
    size_t *out_len, GError **err)
{
	struct sink s = { g_string_new(NULL), max, false };
	GError *e = NULL;
	char *url, what[48];
	int tries;
	bool ok = false;

	*out = NULL;
	*out_len = 0;
	g_assert(im->box_url != NULL);
	url = g_strdup_printf("%s/;UID=%u", im->box_url, uid);
	g_snprintf(what, sizeof(what), "fetch UID %u", uid);
	for (tries = 0; tries < 2 && !ok; tries++) {
		/* an unsolicited FETCH (flags changed by another client)
		 * confuses libcurl once (error 8): try again */
		g_clear_error(&e);
		g_string_truncate(s.buf, 0);
		s.over = false;
		ok = perform(im, url, NULL, &s, what, &e);
		if (!ok && im->last_rc != CURLE_WEIRD_SERVER_REPLY)
			break;
	}
	g_free(url);
	if (!ok) {
		g_propagate_error(err, e);
		g_string_free(s.buf, TRUE);
		return false;
	}
	*out_len = s.buf->len;
	*out = g_string_free(s.buf, FALSE);
	return true;
}

bool
ds_imap_not_found(const struct ds_imap *im)
{
	return im->last_rc == CURLE_REMOTE_FILE_NOT_FOUND;
}

bool
ds_imap_command(struct ds_imap *im, const char *cmd, GError **err)
{
	g_assert(im->box_url != NULL);
	return command(im, im->box_url, cmd, NULL, err);
}

/* LIST shows the quoted folder q. */
static bool
folder_listed(struct ds_imap *im, const char *q)
{
	GString *r;
	char *cmd = g_strdup_printf("LIST \"\" %s", q);
	bool found = false;

	if (command(im, im->base, cmd, &r, NULL)) {
		found = ds_imap_parse_list(r->str, r->len);
		g_string_free(r, TRUE);
	}
	g_free(cmd);
	return found;
}

bool
ds_imap_ensure_folder(struct ds_imap *im, const char *folder, GError **err)
{
	GString *r;
	char *q, *cmd;
	bool ok, found;

	q = ds_imap_quote(folder);
	cmd = g_strdup_printf("LIST \"\" %s", q);
	ok = command(im, im->base, cmd, &r, err);
	g_free(cmd);
	if (ok) {
		found = ds_imap_parse_list(r->str, r->len);
		g_string_free(r, TRUE);
		if (!found) {
			GError *e = NULL;

			cmd = g_strdup_printf("CREATE %s", q);
			ok = command(im, im->base, cmd, NULL, &e);
			g_free(cmd);
			/*
			 * Another run (another host on a shared store) may
			 * have created it since our LIST: there it is.
			 */
			if (!ok && folder_listed(im, q))
				ok = true;
			if (!ok)
				g_propagate_error(err, e);
			else
				g_clear_error(&e);
		}
	}
	g_free(q);
	return ok;
}
