/*
 * message.c - walk a mail message with GMime for parts holding reports.
 * SPDX-License-Identifier: MIT
 *
 * RFC 5322 / RFC 2045-2049 through GMime 3. Descends into multiparts and
 * message/rfc822 parts (g_mime_message_foreach does not), decodes
 * base64/QP with a size cap, caps depth and part count (THREATS #6).
 */
#include <string.h>

#include <gmime/gmime.h>

#include "schema/util/error.h"
#include "ingest/payload/message.h"

struct walk {
	const struct ds_limits *lim;
	ds_part_cb cb;
	void *payload;
	unsigned parts;
	GError *err;
};

void
ds_message_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
}

/*
 * A message starts with a header field ("Name:" with a printable name)
 * or an mbox "From " line. Reports (<?xml, gzip, zip) never do.
 */
bool
ds_message_sniff(const char *buf, size_t len)
{
	size_t i;

	if (len >= 5 && memcmp(buf, "From ", 5) == 0)
		return true;
	for (i = 0; i < len && i < 998; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == ':')
			return i > 0;
		if (c <= ' ' || c >= 127)
			return false;
	}
	return false;
}

static bool walk_object(struct walk *w, GMimeObject *obj, unsigned depth);

static bool
decode_part(struct walk *w, GMimePart *part, unsigned depth)
{
	GMimeDataWrapper *content;
	GMimeStream *mem;
	GByteArray *bytes;
	GMimeContentType *ct;
	struct ds_part p;
	char *type;
	bool ok = false;

	content = g_mime_part_get_content(part);
	if (content == NULL)
		return true;
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(content, mem) < 0) {
		g_object_unref(mem);
		return true;	/* undecodable part: nothing usable in it */
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (bytes->len > w->lim->max_message) {
		g_object_unref(mem);
		return ds_fail(&w->err, DS_ERROR_LIMIT,
		    "MIME part of %u bytes exceeds the limit", bytes->len);
	}
	ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	p.content_type = g_ascii_strdown(type, -1);
	g_free(type);
	p.filename = g_mime_part_get_filename(part);
	p.data = (const char *)bytes->data;
	p.len = bytes->len;
	p.depth = depth;
	ok = w->cb(&p, w->payload, &w->err);
	g_free((char *)p.content_type);
	g_object_unref(mem);
	return ok;
}

static bool
walk_object(struct walk *w, GMimeObject *obj, unsigned depth)
{
	int i, n;

	if (depth > w->lim->max_mime_depth)
		return ds_fail(&w->err, DS_ERROR_LIMIT,
		    "MIME nesting deeper than %u", w->lim->max_mime_depth);
	if (++w->parts > w->lim->max_mime_parts)
		return ds_fail(&w->err, DS_ERROR_LIMIT,
		    "more than %u MIME parts", w->lim->max_mime_parts);

	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++) {
			GMimeObject *sub =
			    g_mime_multipart_get_part(GMIME_MULTIPART(obj), i);
			if (!walk_object(w, sub, depth + 1))
				return false;
		}
		return true;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (inner == NULL || inner->mime_part == NULL)
			return true;
		return walk_object(w, inner->mime_part, depth + 1);
	}
	if (GMIME_IS_PART(obj))
		return decode_part(w, GMIME_PART(obj), depth);
	return true;
}

/* Parse buf as a message; NULL when GMime sees no message in it. */
static GMimeMessage *
parse_message(const char *buf, size_t len)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser,
	    len >= 5 && memcmp(buf, "From ", 5) == 0 ?
	    GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

bool
ds_message_walk(const char *buf, size_t len, const struct ds_limits *lim,
    ds_part_cb cb, void *payload, char **out_content_type, GError **err)
{
	struct walk w = { lim, cb, payload, 0, NULL };
	GMimeMessage *msg;
	GMimeContentType *ct;
	bool ok;

	if (out_content_type)
		*out_content_type = NULL;
	if (len > lim->max_message)
		return ds_fail(err, DS_ERROR_LIMIT,
		    "message of %zu bytes exceeds the limit", len);
	ds_message_init();
	msg = parse_message(buf, len);
	if (msg == NULL || msg->mime_part == NULL) {
		if (msg)
			g_object_unref(msg);
		return ds_fail(err, DS_ERROR_FORMAT, "not a mail message");
	}
	if (out_content_type) {
		ct = g_mime_object_get_content_type(msg->mime_part);
		if (ct) {
			char *t = g_mime_content_type_get_mime_type(ct);
			*out_content_type = g_ascii_strdown(t, -1);
			g_free(t);
		}
	}
	ok = walk_object(&w, msg->mime_part, 0);
	g_object_unref(msg);
	if (!ok)
		g_propagate_error(err, w.err);
	return ok;
}

/*
 * "From: <from>, Subject: '<subject>'" of the message in buf[0..len),
 * both decoded (RFC 2047) and quoted for a one-line message, for the
 * line that tells a user which mail was rejected or skipped. NULL when
 * buf is not a message. Caller frees.
 */
char *
ds_message_describe(const char *buf, size_t len)
{
	InternetAddressList *from;
	GMimeMessage *msg;
	const char *subj;
	char *f = NULL, *qf, *qs, *out;

	if (!ds_message_sniff(buf, len))
		return NULL;
	ds_message_init();
	if ((msg = parse_message(buf, len)) == NULL)
		return NULL;
	from = g_mime_message_get_from(msg);
	if (from && internet_address_list_length(from) > 0)
		f = internet_address_list_to_string(from, NULL, FALSE);
	subj = g_mime_message_get_subject(msg);
	qf = ds_quote(f ? f : "(none)", f ? strlen(f) : 6, 100);
	qs = ds_quote(subj ? subj : "", subj ? strlen(subj) : 0, 100);
	out = g_strdup_printf("From: %s, Subject: '%s'", qf, qs);
	g_free(qf);
	g_free(qs);
	g_free(f);
	g_object_unref(msg);
	return out;
}

/*
 * The value of the top-level header field name of the message in
 * buf[0..len) (unfolded, trimmed), or NULL when absent, empty or not
 * UTF-8. Caller g_frees. See message.h.
 */
char *
ds_message_header(const char *buf, size_t len, const char *name)
{
	GMimeMessage *msg;
	const char *v;
	char *out = NULL;

	ds_message_init();
	if ((msg = parse_message(buf, len)) == NULL)
		return NULL;
	v = g_mime_object_get_header(GMIME_OBJECT(msg), name);
	if (v != NULL) {
		out = g_mime_utils_header_unfold(v);
		g_strstrip(out);
		if (!g_utf8_validate(out, -1, NULL) || *out == '\0')
			g_clear_pointer(&out, g_free);
	}
	g_object_unref(msg);
	return out;
}
