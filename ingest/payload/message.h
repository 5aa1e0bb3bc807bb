/*
 * message.h - walk a mail message (GMime) for parts that may hold reports.
 * SPDX-License-Identifier: MIT
 *
 * Every leaf part with a body (attachments, inline bodies,
 * application/octet-stream included) is handed over decoded
 * (base64/QP undone), and message/rfc822 parts are descended into.
 * Depth and part count are capped (THREATS #6).
 */
#ifndef DS_MESSAGE_H
#define DS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/model/limits.h"

struct ds_part {
	const char *content_type;	/* "application/zip", lower case */
	const char *filename;		/* may be NULL */
	const char *data;		/* decoded body */
	size_t len;
	unsigned depth;			/* 0 = top-level message */
};

typedef bool (*ds_part_cb)(const struct ds_part *part, void *payload,
    GError **err);

/* Call once before any GMime use (idempotent). */
void ds_message_init(void);

/* Does buf look like an RFC 5322 message (header lines first)? */
bool ds_message_sniff(const char *buf, size_t len);

/*
 * Walk the message in buf[0..len). Returns false with err when it is not
 * a message at all (DS_ERROR_FORMAT), a limit was hit (DS_ERROR_LIMIT),
 * or cb failed. The top-level Content-Type, Message-ID, From and Subject
 * go to the optional outputs (caller g_frees).
 */
bool ds_message_walk(const char *buf, size_t len,
    const struct ds_limits *lim, ds_part_cb cb, void *payload,
    char **out_content_type, GError **err);

/*
 * "From: x, Subject: 'y'" of the message in buf, quoted for one line
 * of output; NULL when buf is not a message. Caller frees.
 */
char *ds_message_describe(const char *buf, size_t len);

/*
 * The value of the top-level header field name of the message in
 * buf[0..len) (unfolded, trimmed), or NULL when absent, empty or not
 * UTF-8. Caller g_frees. Parses the message again: for the rare field
 * a parser needs (TLS-Report-Domain), not for every part.
 */
char *ds_message_header(const char *buf, size_t len, const char *name);

#endif
