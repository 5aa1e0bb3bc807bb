/*
 * failure_int.h - what the failure report parser files share
 * (failure.c, failure_fields.c, failure_text.c); not for other modules.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_FAILURE_INT_H
#define DS_FAILURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/model/model_failure.h"

/* more fields than any report needs (THREATS #6: bounded work) */
#define DS_FAILURE_MAX_FIELDS 1000
/* RFC 5322 §2.1.1: a line is at most 998 characters; a field name too */
#define DS_FAILURE_MAX_NAME 998

/*
 * Split the header block at buf[0..len) into unfolded fields appended
 * to out (struct ds_failure_field, owned by out's elements), at most
 * DS_FAILURE_MAX_FIELDS, each value cut at max_value bytes. Values are
 * trimmed and made valid UTF-8. An mbox "From " line first is skipped.
 * Deviations become warnings on f named with prefix ("" or "sample-").
 * Returns the offset just past the empty line ending the block (len
 * when there is none).
 */
size_t ds_failure_headers(struct ds_failure *f, const char *prefix,
    const char *buf, size_t len, size_t max_value, GArray *out);

/* Free the fields of a (but not a itself). */
void ds_failure_fields_free(GArray *a);

/*
 * Fill the named members of f from the message/feedback-report fields
 * (f->fields), normalising and warning as failure.h describes. arf:
 * also warn about missing required fields and off-list values (not for
 * fields read from plain text).
 */
void ds_failure_map_fields(struct ds_failure *f, bool arf);

/*
 * Fill sample_from, _subject, _message_id, _date, _auth_results and
 * sample_dkim from the header block at the start of f->sample.
 */
void ds_failure_sample_headers(struct ds_failure *f, size_t max_value);

/*
 * Read the human-readable text of a report without an ARF part. Returns
 * false when nothing usable (valid source IP or reported domain) is in
 * it (f then holds what was found: the caller rejects).
 */
bool ds_failure_plain_text(struct ds_failure *f, const char *text,
    size_t len, size_t max_value);

/* Copy p[0..n) as valid UTF-8 (NUL and bad bytes become U+FFFD). */
char *ds_failure_utf8(const char *p, size_t n, bool *bad);

/*
 * Canonical text (inet_ntop) of an IP address written as "192.0.2.1",
 * "[2001:db8::1]", "IPv6:2001:db8::1" or with a trailing comment; an
 * IPv4-mapped IPv6 address becomes IPv4. NULL when it is no address.
 */
char *ds_failure_canon_ip(const char *s);

/* RFC 5322 date to Unix seconds; 0 when unusable. */
int64_t ds_failure_date(const char *s);

#endif
