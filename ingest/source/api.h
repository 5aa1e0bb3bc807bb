/*
 * api.h - what the Microsoft Graph and Gmail API sources share: their
 * URLs (graph://USER/FOLDER, gmail://USER/QUERY) and one authorized
 * request with the rules both APIs document: a 401 gets one fresh
 * token and one more try; 429 and 503 wait Retry-After (at most 5
 * times, at most 120 s each) and try again.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_API_H
#define DS_API_H

#include <stdbool.h>
#include <glib.h>

#include "ingest/oauth/http.h"
#include "ingest/source/config.h"

/* graph://USER/FOLDER or gmail://USER/QUERY taken apart; owned. */
struct ds_api_url {
	char *user;		/* URL-decoded: an address, or "me" */
	char *path;		/* URL-decoded folder path or query; "" */
};

/*
 * Take url apart (scheme "graph" or "gmail"). DS_ERROR_USAGE for another
 * scheme, no user, a user with '/' or '?' after decoding, control
 * characters or invalid UTF-8.
 */
bool ds_api_url_parse(struct ds_api_url *out, const char *url,
    const char *scheme, GError **err);
void ds_api_url_clear(struct ds_api_url *u);

struct ds_api {
	const struct ds_mailbox_conf *c;
	const char *ca_file;
	const char *label;	/* "graph" / "gmail" in messages */
	struct ds_http *http;
	char *token;		/* the access token in use */
	bool fresh;		/* token just came from the endpoint */
	unsigned waits;		/* throttling waits so far (for tests) */
};

/* Get a token and a client. Errors as ds_oauth_token. */
bool ds_api_open(struct ds_api *a, const struct ds_mailbox_conf *c,
    const char *ca_file, const char *label, GError **err);
void ds_api_close(struct ds_api *a);

/*
 * One authorized request (see above). *out holds any final status the
 * caller must judge (200, 404...); a 401 after the fresh token is
 * DS_ERROR_AUTH, a 5xx or 429 that stays is DS_ERROR_NET.
 */
bool ds_api_call(struct ds_api *a, const char *method, const char *url,
    const char *json_body, uint64_t max, struct ds_http_resp *out,
    GError **err);

/* "what: HTTP status: the API's error message" as DS_ERROR_NET. */
bool ds_api_fail(struct ds_api *a, const struct ds_http_resp *r,
    const char *what, GError **err);

/* s escaped for a URL path segment or query value. Caller frees. */
char *ds_api_esc(const char *s);

#endif
