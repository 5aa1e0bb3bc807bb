/*
 * failure.c - parse one failure (ruf) report: find the ARF parts with
 * GMime, read the feedback fields and keep the original message.
 * SPDX-License-Identifier: MIT
 *
 * RFC 5965 (multipart/report; report-type=feedback-report, the
 * message/feedback-report part), RFC 6591 (auth-failure reports),
 * RFC 9991, RFC 6462/6532 (message/global). THREATS #6 (MIME depth and
 * part caps), #7 (size), #8 (the original's raw bytes kept as received;
 * every string valid UTF-8), #12 (only the report's own fields and the
 * topmost Authentication-Results are the reporter's claims).
 *
 * The original (message/rfc822) is kept byte for byte: GMime re-writes
 * line endings when it serialises a message, so its bytes are cut from
 * the input between the part's header block (GMime's header offsets)
 * and the parent's next boundary line.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "schema/util/error.h"
#include "ingest/failure/failure.h"
#include "ingest/failure/failure_int.h"
#include "ingest/payload/message.h"

/* a part that may hold the original message */
struct cand {
	GMimeObject *part;
	GMimeObject *parent;	/* its multipart, or NULL */
};

struct arf {
	const char *buf;
	size_t len;
	const struct ds_limits *lim;
	struct ds_failure *f;
	bool descend;		/* look inside attached messages too */
	unsigned parts;
	GMimeMessage *top;
	GMimeObject *report;	/* the first multipart/report */
	GMimeObject *fb;	/* the first message/feedback-report */
	GMimeObject *fb_parent;
	GMimeMessage *fb_msg;	/* the message holding fb */
	unsigned fb_count;
	GMimeObject *text;	/* the first text/plain (no-ARF reports) */
	GMimeMessage *text_msg;
	GArray *cands;		/* struct cand */
	GError *err;
};

static char *
mime_type(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *t, *s;

	if (ct == NULL)
		return g_strdup("text/plain");
	t = g_mime_content_type_get_mime_type(ct);
	s = g_ascii_strdown(t, -1);
	g_free(t);
	return s;
}

static bool
walk(struct arf *a, GMimeObject *o, GMimeObject *parent, GMimeMessage *msg,
    unsigned depth)
{
	struct cand c = { o, parent };
	char *type;
	bool ok = true;
	int i, n;

	/* THREATS #6 */
	if (depth > a->lim->max_mime_depth)
		return ds_fail(&a->err, DS_ERROR_LIMIT,
		    "MIME nesting deeper than %u", a->lim->max_mime_depth);
	if (++a->parts > a->lim->max_mime_parts)
		return ds_fail(&a->err, DS_ERROR_LIMIT,
		    "more than %u MIME parts", a->lim->max_mime_parts);
	type = mime_type(o);
	if (GMIME_IS_MULTIPART(o)) {
		if (a->report == NULL && strcmp(type, "multipart/report") == 0)
			a->report = o;
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n && ok; i++)
			ok = walk(a, g_mime_multipart_get_part(GMIME_MULTIPART(o),
			    i), o, msg, depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *in =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		g_array_append_val(a->cands, c);
		if (a->descend && in && in->mime_part)
			ok = walk(a, in->mime_part, NULL, in, depth + 1);
	} else if (GMIME_IS_PART(o)) {
		if (strcmp(type, "message/feedback-report") == 0) {
			if (a->fb_count++ == 0) {
				a->fb = o;
				a->fb_parent = parent;
				a->fb_msg = msg;
			}
		} else if (strcmp(type, "text/rfc822-headers") == 0 ||
		    strcmp(type, "message/global-headers") == 0 ||
		    strcmp(type, "message/rfc822") == 0 ||
		    strcmp(type, "message/global") == 0) {
			g_array_append_val(a->cands, c);
		} else if (a->text == NULL && strcmp(type, "text/plain") == 0) {
			a->text = o;
			a->text_msg = msg;
		}
	}
	g_free(type);
	return ok;
}

/* The decoded body of a leaf part (transfer encoding undone). */
static GByteArray *
part_bytes(struct arf *a, GMimeObject *o)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
	GMimeStream *mem;
	GByteArray *b;

	if (w == NULL)
		return g_byte_array_new();
	mem = g_mime_stream_mem_new();
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0)
		g_mime_stream_reset(mem);	/* undecodable: empty */
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	if (b->len > a->lim->max_message) {
		g_byte_array_unref(b);
		ds_fail(&a->err, DS_ERROR_LIMIT, "MIME part of %u bytes exceeds "
		    "the limit", b->len);
		return NULL;
	}
	return b;
}

/* memmem(3) is a GNU extension: find n[0..nlen) in h[0..hlen). */
static const char *
find_bytes(const char *h, size_t hlen, const char *n, size_t nlen)
{
	const char *p, *end;

	if (nlen == 0 || hlen < nlen)
		return NULL;
	end = h + hlen - nlen + 1;
	for (p = h; p < end && (p = memchr(p, n[0], end - p)) != NULL; p++)
		if (memcmp(p, n, nlen) == 0)
			return p;
	return NULL;
}

static void
set_sample(struct ds_failure *f, const char *p, size_t n)
{
	f->sample = g_malloc(n + 1);
	if (n > 0)	/* an empty GByteArray's data is NULL */
		memcpy(f->sample, p, n);
	f->sample[n] = '\0';
	f->sample_len = n;
}

/*
 * Where the body of message part o lies in the input: after its header
 * block, up to the CRLF before the parent's next boundary line (RFC 2046
 * §5.1.1). False when GMime kept no offsets.
 */
static bool
raw_body(struct arf *a, GMimeObject *o, GMimeObject *parent, size_t *out,
    size_t *out_len)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	const char *bnd, *p, *end = a->buf + a->len;
	int n = hl ? g_mime_header_list_get_count(hl) : 0;
	gint64 off;
	size_t body, stop, blen;
	char *delim;

	if (n == 0 || (off = g_mime_header_get_offset(
	    g_mime_header_list_get_header_at(hl, n - 1))) < 0 ||
	    (guint64)off >= a->len)
		return false;
	for (p = a->buf + off; p < end; p++)
		if (*p == '\n' && (p + 1 == end || p[1] == '\n' ||
		    (p[1] == '\r' && p + 2 < end && p[2] == '\n')))
			break;
	if (p + 1 >= end)
		body = a->len;
	else
		body = (size_t)(p + 1 - a->buf) + (p[1] == '\r' ? 2 : 1);
	stop = a->len;
	if (parent && GMIME_IS_MULTIPART(parent) && (bnd =
	    g_mime_multipart_get_boundary(GMIME_MULTIPART(parent))) != NULL) {
		delim = g_strdup_printf("\n--%s", bnd);
		blen = strlen(delim);
		if (a->len - body >= blen - 1 && memcmp(a->buf + body,
		    delim + 1, blen - 1) == 0)
			stop = body;	/* empty body */
		else if ((p = find_bytes(a->buf + body, a->len - body,
		    delim, blen)) != NULL)
			stop = (size_t)(p - a->buf) - (p > a->buf + body &&
			    p[-1] == '\r' ? 1 : 0);
		else
			ds_failure_warn(a->f, "truncated-sample: no closing "
			    "boundary");
		g_free(delim);
	}
	*out = body;
	*out_len = stop - body;
	return true;
}

/* Undo a (non-conforming) transfer encoding on a message/rfc822 body. */
static void
decode_sample(struct arf *a, GMimeObject *o)
{
	const char *cte = g_mime_object_get_header(o,
	    "Content-Transfer-Encoding");
	GMimeContentEncoding e = cte ? g_mime_content_encoding_from_string(
	    cte) : GMIME_CONTENT_ENCODING_DEFAULT;
	GMimeEncoding st;
	char *out;
	size_t n;

	if (e != GMIME_CONTENT_ENCODING_BASE64 &&
	    e != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    e != GMIME_CONTENT_ENCODING_UUENCODE)
		return;
	g_mime_encoding_init_decode(&st, e);
	out = g_malloc(g_mime_encoding_outlen(&st, a->f->sample_len) + 1);
	n = g_mime_encoding_flush(&st, a->f->sample, a->f->sample_len, out);
	out[n] = '\0';
	g_free(a->f->sample);
	a->f->sample = out;
	a->f->sample_len = n;
	ds_failure_warn(a->f, "sample-transfer-encoded: %s",
	    g_mime_content_encoding_to_string(e));
}

/* Keep the original of candidate c as f->sample. */
static bool
take_sample(struct arf *a, const struct cand *c)
{
	struct ds_failure *f = a->f;
	GMimeMessage *in;
	GMimeStream *mem;
	GByteArray *b;
	char *type = mime_type(c->part);
	size_t off, n;

	f->sample_kind = strncmp(type, "message/", 8) == 0 &&
	    strstr(type, "headers") == NULL ? DS_SAMPLE_MESSAGE :
	    DS_SAMPLE_HEADERS;
	f->headers_only = f->sample_kind == DS_SAMPLE_HEADERS;
	g_free(type);
	if (!GMIME_IS_MESSAGE_PART(c->part)) {
		/* GMime reads an encoded message/rfc822 as a plain part */
		GMimeContentEncoding ce = g_mime_part_get_content_encoding(
		    GMIME_PART(c->part));

		if (f->sample_kind == DS_SAMPLE_MESSAGE &&
		    (ce == GMIME_CONTENT_ENCODING_BASE64 ||
		    ce == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE))
			ds_failure_warn(f, "sample-transfer-encoded: %s",
			    g_mime_content_encoding_to_string(ce));
		if ((b = part_bytes(a, c->part)) == NULL)
			return false;
		set_sample(f, (const char *)b->data, b->len);
		g_byte_array_unref(b);
		return true;
	}
	in = g_mime_message_part_get_message(GMIME_MESSAGE_PART(c->part));
	if (in == NULL)
		ds_failure_warn(f, "sample-unparseable: GMime could not read "
		    "the original; its raw bytes are kept");
	if (raw_body(a, c->part, c->parent, &off, &n)) {
		set_sample(f, a->buf + off, n);
		decode_sample(a, c->part);
	} else if (in) {
		mem = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(in), NULL, mem);
		b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		set_sample(f, (const char *)b->data, b->len);
		g_object_unref(mem);
		ds_failure_warn(f, "sample-reserialized: offsets unknown");
	}
	return true;
}

/* Pick the original: a sibling of the feedback part if there is one. */
static bool
pick_sample(struct arf *a)
{
	const struct cand *c, *best = NULL;
	unsigned siblings = 0;
	guint i;

	for (i = 0; i < a->cands->len; i++) {
		c = &g_array_index(a->cands, struct cand, i);
		if (a->fb && c->parent == a->fb_parent) {
			if (siblings++ == 0)
				best = c;
		}
	}
	if (siblings > 1)
		ds_failure_warn(a->f, "multiple-samples: %u, the first is used",
		    siblings);
	if (best == NULL && a->cands->len) {
		best = &g_array_index(a->cands, struct cand, 0);
		if (a->fb)
			ds_failure_warn(a->f, "misplaced-sample: the original "
			    "is not next to the feedback part");
	}
	if (best == NULL) {
		ds_failure_warn(a->f, "no-sample: the report holds no copy of "
		    "the original message");
		return true;
	}
	return take_sample(a, best);
}

static char *
utf8(const char *s)
{
	return s ? ds_failure_utf8(s, strlen(s), NULL) : NULL;
}

/*
 * The report's own Message-ID, From, Date and Subject; its identity:
 * "mid:<reporter domain> <Message-ID>", else "sha256:<hex of the bytes>".
 */
static void
report_headers(struct arf *a, GMimeMessage *m)
{
	struct ds_failure *f = a->f;
	InternetAddressList *from = g_mime_message_get_from(m);
	InternetAddress *ia;
	GChecksum *ck;
	char *s;

	f->report_message_id = utf8(g_mime_message_get_message_id(m));
	if (from && internet_address_list_length(from) > 0) {
		s = internet_address_list_to_string(from, NULL, FALSE);
		f->report_from = utf8(s);
		g_free(s);
		ia = internet_address_list_get_address(from, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			f->reporter = ds_addr_domain(
			    internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
	}
	f->report_date = utf8(g_mime_object_get_header(GMIME_OBJECT(m),
	    "Date"));
	f->report_ts = ds_failure_date(f->report_date);
	f->report_subject = utf8(g_mime_message_get_subject(m));
	/*
	 * (reporter, Message-ID): anyone can mail the ruf address, so a
	 * Message-ID alone would let a forger pre-empt a real report.
	 */
	if (f->report_message_id && *g_strstrip(f->report_message_id)) {
		f->identity = g_strconcat("mid:", f->reporter ? f->reporter :
		    "", " ", f->report_message_id, NULL);
		return;
	}
	/* no Message-ID: the content identifies the report */
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)a->buf, a->len);
	f->identity = g_strconcat("sha256:", g_checksum_get_string(ck), NULL);
	g_checksum_free(ck);
}

static GMimeMessage *
parse_message(const char *buf, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(buf, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg;

	g_mime_parser_set_format(parser, len >= 5 && memcmp(buf, "From ",
	    5) == 0 ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

/* Why GMime saw no message: name the hostile header when there is one. */
static bool
not_a_message(struct arf *a, GError **err)
{
	GArray *h = g_array_new(FALSE, TRUE, sizeof(struct ds_failure_field));
	guint i, n = a->f->warnings->len;
	const char *why = NULL;

	ds_failure_headers(a->f, "", a->buf, MIN(a->len, 65536), 64, h);
	for (i = n; i < a->f->warnings->len && why == NULL; i++)
		if (g_str_has_prefix(g_ptr_array_index(a->f->warnings, i),
		    "long-field-name"))
			why = g_ptr_array_index(a->f->warnings, i);
	ds_fail(err, DS_ERROR_FORMAT, "not a mail message%s%s%s",
	    why ? " (" : "", why ? why : "", why ? ")" : "");
	ds_failure_fields_free(h);
	g_array_unref(h);
	return false;
}

/* Fill f from the message/feedback-report part. */
static bool
read_feedback(struct arf *a)
{
	struct ds_failure *f = a->f;
	GMimeContentType *ct;
	GByteArray *b;
	const char *rt;

	if ((b = part_bytes(a, a->fb)) == NULL)
		return false;
	ds_failure_headers(f, "", (const char *)b->data, b->len,
	    a->lim->max_text, f->fields);
	g_byte_array_unref(b);
	if (f->fields->len == 0)
		ds_failure_warn(f, "empty-feedback-report");
	ds_failure_map_fields(f, true);
	if (a->fb_count > 1)
		ds_failure_warn(f, "multiple-feedback-parts: %u, the first is "
		    "used", a->fb_count);
	if (a->report == NULL) {
		ds_failure_warn(f, "not-multipart-report");
		return true;
	}
	ct = g_mime_object_get_content_type(a->report);
	rt = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
	f->report_type = rt ? g_ascii_strdown(rt, -1) : NULL;
	if (f->report_type == NULL ||
	    strcmp(f->report_type, "feedback-report") != 0)
		ds_failure_warn(f, "report-type: '%s' instead of "
		    "feedback-report", f->report_type ? f->report_type : "");
	return true;
}

/* No ARF part: the text may still say enough (failure_text.c). */
static bool
read_text(struct arf *a, GError **err)
{
	GMimeContentType *ct = a->report ?
	    g_mime_object_get_content_type(a->report) : NULL;
	const char *rt = ct ? g_mime_content_type_get_parameter(ct,
	    "report-type") : NULL;
	GByteArray *b;
	char *q;
	bool ok;

	if (rt && g_ascii_strcasecmp(rt, "feedback-report") != 0) {
		q = ds_quote(rt, strlen(rt), 40);
		ds_fail(err, DS_ERROR_FORMAT, "multipart/report with "
		    "report-type '%s' is not a failure report", q);
		g_free(q);
		return false;
	}
	if (a->text == NULL)
		return ds_fail(err, DS_ERROR_FORMAT, "no message/feedback-report "
		    "part and no text to read a failure report from");
	if ((b = part_bytes(a, a->text)) == NULL) {
		g_propagate_error(err, a->err);
		a->err = NULL;
		return false;
	}
	ok = ds_failure_plain_text(a->f, (const char *)b->data, b->len,
	    a->lim->max_text);
	g_byte_array_unref(b);
	if (!ok)
		return ds_fail(err, DS_ERROR_FORMAT, "no message/feedback-report "
		    "part, and its text names no source IP or domain");
	ds_failure_warn(a->f, "no-arf-part: fields read from the "
	    "human-readable text");
	return true;
}

static bool
usable(const struct ds_failure *f)
{
	return f->source_ip || f->reported_domain->len || f->auth_results ||
	    f->dkim_domain || f->original_mail_from || f->sample;
}

bool
ds_failure_parse(struct ds_failure *out, const char *buf, size_t len,
    const struct ds_limits *lim, GError **err)
{
	struct arf a;
	bool ok = false;

	ds_failure_init(out);
	memset(&a, 0, sizeof(a));
	a.buf = buf;
	a.len = len;
	a.lim = lim;
	a.f = out;
	a.cands = g_array_new(FALSE, TRUE, sizeof(struct cand));
	if (len > lim->max_message) {
		ds_fail(err, DS_ERROR_LIMIT, "message of %zu bytes exceeds the "
		    "limit", len);
		goto done;
	}
	ds_message_init();
	if ((a.top = parse_message(buf, len)) == NULL ||
	    a.top->mime_part == NULL) {
		not_a_message(&a, err);
		goto done;
	}
	if (!walk(&a, a.top->mime_part, NULL, a.top, 0))
		goto fail;
	if (a.fb == NULL && a.cands->len) {
		/* a report forwarded as an attachment: look inside */
		a.descend = true;
		a.parts = 0;
		a.report = a.text = NULL;
		g_array_set_size(a.cands, 0);
		if (!walk(&a, a.top->mime_part, NULL, a.top, 0))
			goto fail;
		if (a.fb)
			ds_failure_warn(out, "forwarded-report: the ARF parts "
			    "are inside an attached message");
	}
	if (a.fb) {
		if (!read_feedback(&a))
			goto fail;
	} else if (!read_text(&a, err)) {
		goto done;
	}
	if (out->sample == NULL && !pick_sample(&a))
		goto fail;
	ds_failure_sample_headers(out, lim->max_text);
	report_headers(&a, a.fb_msg ? a.fb_msg : a.text_msg ? a.text_msg :
	    a.top);
	if (!usable(out)) {
		ds_fail(err, DS_ERROR_FORMAT, "the feedback report names no "
		    "source IP, domain or authentication result and holds no "
		    "original message");
		goto done;
	}
	ok = true;
	goto done;
fail:
	g_propagate_error(err, a.err);
	a.err = NULL;
done:
	g_clear_error(&a.err);
	g_array_unref(a.cands);
	if (a.top)
		g_object_unref(a.top);
	return ok;
}
