/*
 * mail.c - multipart/alternative mail sent through libcurl SMTP
 * (mail.h): RFC 5322 headers, RFC 2045/2046 MIME with base64 parts,
 * RFC 2047 encoded subject, RFC 5321 submission with STARTTLS
 * (RFC 3207). THREATS #15, #16.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <curl/curl.h>

#include "schema/cli/cli.h"
#include "schema/config/config.h"
#include "schema/util/error.h"
#include "report/weekly/mail.h"

bool
ds_mail_addr_ok(const char *a)
{
	const char *at;
	const unsigned char *p;

	if (a == NULL || (at = strchr(a, '@')) == NULL || at == a ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL || strlen(a) > 254)
		return false;
	for (p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>,;\"()[]\\:", *p))
			return false;
	return true;
}

/* THREATS #15, #22: the password is a secret, the URL must not hold one */
static const struct ds_conf_key smtp_keys[] = {
	{ "url", DS_CONF_URL, "password" },
	{ "from", 0, NULL },
	{ "user", 0, NULL },
	{ "password", DS_CONF_SECRET, NULL },
	{ "password-file", 0, NULL },
	{ "ca-file", 0, NULL },
	{ "tls", 0, NULL },
	{ NULL, 0, NULL }
};

bool
ds_smtp_conf_read(const char *path, struct ds_smtp_conf *c, GError **err)
{
	static const char *const tls_modes[] = { "required", "none", NULL };
	struct ds_conf *conf;
	const char *p;
	char *pwfile = NULL;
	int tls = 0;
	bool ok = false;

	memset(c, 0, sizeof(*c));
	if ((conf = ds_conf_load(path, false, err)) == NULL)
		return false;
	p = ds_conf_path(conf);
	if (!ds_conf_check(conf, "smtp", smtp_keys, err) ||
	    !ds_conf_get_choice(conf, "smtp", "tls", tls_modes, &tls, err))
		goto done;
	c->url = ds_conf_get(conf, "smtp", "url", false);
	c->from = ds_conf_get(conf, "smtp", "from", false);
	c->user = ds_conf_get(conf, "smtp", "user", false);
	c->password = ds_conf_get(conf, "smtp", "password", true);
	c->ca_file = ds_conf_get(conf, "smtp", "ca-file", false);
	pwfile = ds_conf_get(conf, "smtp", "password-file", false);
	if (c->url == NULL || c->from == NULL) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [smtp] needs url and from",
		    p);
		goto done;
	}
	if (!g_str_has_prefix(c->url, "smtp://") &&
	    !g_str_has_prefix(c->url, "smtps://")) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [smtp] url must start with "
		    "smtp:// or smtps://", p);
		goto done;
	}
	if (!ds_mail_addr_ok(c->from)) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [smtp] from is not a plain "
		    "address", p);
		goto done;
	}
	if (pwfile != NULL && c->password == NULL &&
	    (c->password = ds_conf_read_secret_file(pwfile, "a password",
	    err)) == NULL)
		goto done;
	c->tls_required = tls == 0;
	ok = true;
done:
	if (!ok)
		ds_smtp_conf_clear(c);
	g_free(pwfile);
	ds_conf_free(conf);
	return ok;
}

void
ds_smtp_conf_clear(struct ds_smtp_conf *c)
{
	g_free(c->url);
	g_free(c->from);
	g_free(c->user);
	ds_conf_secret_free(c->password);
	g_free(c->ca_file);
	memset(c, 0, sizeof(*c));
}

/*
 * base64 of s in lines of 76 characters, CRLF-ended; s is first put in
 * the canonical form of text (RFC 2045 6.8: CRLF line ends).
 */
static void
base64_lines(GString *g, const char *s)
{
	GString *c = g_string_sized_new(strlen(s) + strlen(s) / 40 + 2);
	char *b;
	size_t n, i;

	for (; *s; s++) {
		if (*s == '\n' && (c->len == 0 || c->str[c->len - 1] != '\r'))
			g_string_append_c(c, '\r');
		g_string_append_c(c, *s);
	}
	b = g_base64_encode((const guchar *)c->str, c->len);
	g_string_free(c, TRUE);
	n = strlen(b);

	for (i = 0; i < n; i += 76) {
		g_string_append_len(g, b + i, MIN(76, n - i));
		g_string_append(g, "\r\n");
	}
	g_free(b);
}

/* RFC 2047: the subject as is when printable ASCII, else B-encoded words. */
static void
subject(GString *g, const char *s)
{
	const unsigned char *p;
	const char *q, *start;
	bool plain = true;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p >= 0x7f)
			plain = false;
	if (plain && strlen(s) < 900) {
		g_string_append(g, s);
		return;
	}
	/* encoded words of at most 45 bytes of whole UTF-8 characters */
	for (start = s; *start;) {
		char *b;

		for (q = start; *q && q - start < 45; q = g_utf8_next_char(q))
			;
		b = g_base64_encode((const guchar *)start, q - start);
		g_string_append_printf(g, "%s=?UTF-8?B?%s?=", start == s ? "" :
		    "\r\n ", b);
		g_free(b);
		start = q;
	}
}

char *
ds_mail_build(const struct ds_mail *m, size_t *len)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	GString *g = g_string_sized_new(strlen(m->html) * 4 / 3 +
	    strlen(m->text) * 4 / 3 + 2048);
	GDateTime *dt = g_date_time_new_from_unix_utc(m->date);
	char *uuid = g_uuid_string_random(), *bnd;
	const char *dom = strchr(m->from, '@') + 1;
	size_t i;

	bnd = g_strdup_printf("=_dmarcsift_%s", uuid);
	g_string_append_printf(g, "From: <%s>\r\nTo: ", m->from);
	for (i = 0; m->to[i]; i++)
		g_string_append_printf(g, "%s<%s>", i ? ",\r\n " : "",
		    m->to[i]);
	g_string_append(g, "\r\nSubject: ");
	subject(g, m->subject);
	if (dt) {
		g_string_append_printf(g, "\r\nDate: %s, %02d %s %04d "
		    "%02d:%02d:%02d +0000", days[g_date_time_get_day_of_week(
		    dt) - 1], g_date_time_get_day_of_month(dt),
		    mons[g_date_time_get_month(dt) - 1],
		    g_date_time_get_year(dt), g_date_time_get_hour(dt),
		    g_date_time_get_minute(dt), g_date_time_get_second(dt));
		g_date_time_unref(dt);
	}
	g_string_append_printf(g, "\r\nMessage-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
	    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
	    "This is a MIME message: a text and an HTML version.\r\n",
	    uuid, dom, bnd);
	g_string_append_printf(g, "\r\n--%s\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", bnd);
	base64_lines(g, m->text);
	g_string_append_printf(g, "\r\n--%s\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", bnd);
	base64_lines(g, m->html);
	g_string_append_printf(g, "\r\n--%s--\r\n", bnd);
	g_free(bnd);
	g_free(uuid);
	*len = g->len;
	return g_string_free(g, FALSE);
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
read_cb(char *buf, size_t size, size_t n, void *payload)
{
	struct upload *u = payload;
	size_t k = MIN(size * n, u->len - u->off);

	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

bool
ds_mail_send(const struct ds_smtp_conf *c, const struct ds_mail *m,
    GError **err)
{
	char ebuf[CURL_ERROR_SIZE] = "", *from = NULL, *msg = NULL;
	struct curl_slist *rcpt = NULL;
	struct upload u = { NULL, 0, 0 };
	CURL *h = NULL;
	CURLcode rc;
	bool ok = false;
	size_t i;

	if (!ds_mail_addr_ok(m->from) || m->to[0] == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "mail: no valid sender "
		    "or recipient");
	for (i = 0; m->to[i]; i++) {
		char *r;

		if (!ds_mail_addr_ok(m->to[i])) {
			char *q = ds_quote(m->to[i], strlen(m->to[i]), 80);

			ds_fail(err, DS_ERROR_USAGE, "mail: '%s' is not a "
			    "plain address", q);
			g_free(q);
			goto done;
		}
		r = g_strdup_printf("<%s>", m->to[i]);
		rcpt = curl_slist_append(rcpt, r);
		g_free(r);
	}
	msg = ds_mail_build(m, &u.len);
	u.data = msg;
	from = g_strdup_printf("<%s>", m->from);
	if ((h = curl_easy_init()) == NULL) {
		ds_fail(err, DS_ERROR_NET, "mail: cannot start libcurl");
		goto done;
	}
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (g_str_has_prefix(c->url, "smtp://"))
		curl_easy_setopt(h, CURLOPT_USE_SSL, c->tls_required ?
		    (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->user)
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	if (c->password)
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		ds_fail(err, rc == CURLE_LOGIN_DENIED ? DS_ERROR_AUTH :
		    DS_ERROR_NET, "mail to %s via %s: %s", m->to[0], c->url,
		    ebuf[0] ? ebuf : curl_easy_strerror(rc));
		goto done;
	}
	ok = true;
done:
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	g_free(from);
	g_free(msg);
	return ok;
}
