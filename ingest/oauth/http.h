/*
 * http.h - the one HTTPS client of the OAuth2 endpoints and the mail
 * APIs (Microsoft Graph, Gmail), over libcurl.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #16: https:// only, with certificates verified; http:// only
 * to a loopback address (tests, a local proxy). THREATS #22: never
 * CURLOPT_VERBOSE (it would print the Authorization header and the
 * posted secrets); the bearer token goes into a header list that is
 * wiped after the request. THREATS #7, #20: every reply has a cap.
 */
#ifndef DS_HTTP_H
#define DS_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ds_http;

struct ds_http_req {
	const char *method;	/* "GET", "POST", "PATCH" */
	const char *url;
	const char *bearer;	/* Authorization: Bearer ..., or NULL */
	const char *body;	/* request body, or NULL */
	const char *content_type;	/* of body */
	uint64_t max;		/* reply cap in bytes (0: 1 MiB) */
};

struct ds_http_resp {
	long status;		/* HTTP status */
	GString *body;		/* reply body (owned; ds_http_resp_clear) */
	long retry_after;	/* Retry-After seconds, -1 when absent */
};

/*
 * Whether url may carry secrets: https://, or http:// to 127.0.0.0/8,
 * ::1 or localhost. DS_ERROR_USAGE naming what (e.g. "oauth2-token-url").
 */
bool ds_http_check_url(const char *url, const char *what, GError **err);

/* A client; ca_file (may be NULL) is trusted besides the system's. */
struct ds_http *ds_http_new(const char *ca_file, GError **err);
void ds_http_free(struct ds_http *h);	/* NULL-safe */

/*
 * One request. A reply of any status is success (look at
 * out->status); false for the network, TLS, a URL ds_http_check_url
 * refuses (DS_ERROR_NET / _USAGE), or a reply over max (DS_ERROR_LIMIT).
 */
bool ds_http_do(struct ds_http *h, const struct ds_http_req *r,
    struct ds_http_resp *out, GError **err);
void ds_http_resp_clear(struct ds_http_resp *r);

/* application/x-www-form-urlencoded from NULL-ended name, value pairs. */
char *ds_http_form(const char *name, ...) G_GNUC_NULL_TERMINATED;

#endif
