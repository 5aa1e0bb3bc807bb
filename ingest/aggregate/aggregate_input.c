/*
 * aggregate_input.c - the byte filter between a report's bytes and
 * libxml2 (THREATS #1, #2, #8; ingest/aggregate/QUIRKS.md).
 * SPDX-License-Identifier: MIT
 *
 * In constant memory, as the bytes stream past:
 * - decide the encoding from the first 4 KiB (BOM, XML declaration);
 * - drop junk before the document (a mail header, blank lines before
 *   "<?xml") and everything after the root element closes, with a
 *   warning; an element after the root is an error (two documents);
 * - in UTF-8 documents, re-decode each byte of an invalid sequence as
 *   windows-1252, and replace NUL, C0 controls, U+FFFE/U+FFFF by U+FFFD
 *   (by '?' in single-byte encodings), with a warning: stored text is
 *   valid UTF-8 and never silently truncated;
 * - refuse "<!DOCTYPE" before libxml2 reads a single declaration (the
 *   reader refuses the DOCTYPE node too: two walls).
 * Encodings this lexer cannot follow (UTF-16, ISO-2022-JP, ...) pass
 * through untouched and libxml2 alone checks them.
 */
#include <stdarg.h>
#include <string.h>

#include "ingest/aggregate/aggregate_int.h"
#include "schema/util/error.h"

#define HEAD_MAX 4096
#define CHUNK 16384

enum mode {
	MODE_UTF8,   /* repaired, lexed */
	MODE_LEGACY, /* ASCII-compatible single-byte: lexed */
	MODE_PASS,   /* untouched */
};

enum lex {
	L_TEXT,
	L_LT,
	L_STAG,
	L_STAG_Q,
	L_ETAG,
	L_BANG,
	L_BANG_DASH,
	L_COMMENT,
	L_CDATA,
	L_PI,
	L_DECL,
	L_DONE
};

struct ds_agg_input {
	int (*read)(void *, char *, int);
	void *ctx;
	const GError *(*read_error)(void *);
	GError *pending; /* error at the end of what is in out */
	GError *err;     /* ... once libxml2 has read up to it */
	bool src_eof;
	bool head_pending; /* inbuf holds the analysed head */
	enum mode mode;
	const char *force_enc;
	GByteArray *inbuf; /* bytes not converted yet */
	GByteArray *out;   /* converted, not handed out yet */
	size_t out_pos;
	/* lexer: finds the end of the root element and DOCTYPEs */
	enum lex lex;
	unsigned lex_n;
	char lex_q;
	bool slash, seen_root, trail_lt;
	long depth;
	unsigned long line;
	/* what was repaired, for the warnings */
	uint64_t bad_utf8, ctrl, lead_junk, trail_junk;
	bool trail_elem;
	struct ds_agg_wrap wrap; /* a stray wrapper never closed */
};

/* windows-1252 0x80..0x9f; 0 where the code page leaves a hole */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static bool
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_name_start(int c)
{
	return g_ascii_isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static bool
is_ctrl(int c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

static void fail(struct ds_agg_input *in, int code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail(struct ds_agg_input *in, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (in->pending || in->err)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	in->pending = g_error_new_literal(DS_ERROR, code, msg);
	g_free(msg);
}

/*
 * One step of the lexer over an emitted byte (markup bytes are ASCII).
 * Lines are counted by lex_run(), which also catches "<!D" first.
 */
static void
lex_step(struct ds_agg_input *in, int c)
{
	switch (in->lex) {
	case L_TEXT:
		if (c == '<')
			in->lex = L_LT;
		break;
	case L_LT:
		if (c == '?')
			in->lex = L_PI;
		else if (c == '!')
			in->lex = L_BANG;
		else if (c == '/')
			in->lex = L_ETAG;
		else {
			in->lex = L_STAG;
			in->slash = false;
			if (!in->seen_root && in->depth == 0)
				ds_agg_wrap_root_start(&in->wrap, c);
		}
		in->lex_n = 0;
		break;
	case L_STAG:
		if (c == '"' || c == '\'') {
			in->lex_q = (char)c;
			in->lex = L_STAG_Q;
		} else if (c == '>') {
			in->wrap.root_cap = false;
			in->seen_root = true;
			if (!in->slash)
				in->depth++;
			in->lex = in->depth <= 0 ? L_DONE : L_TEXT;
		} else if (!is_ws(c))
			in->slash = c == '/';
		break;
	case L_STAG_Q:
		if (c == in->lex_q) {
			in->lex = L_STAG;
			in->slash = false;
		}
		break;
	case L_ETAG:
		if (c == '>') {
			in->depth--;
			in->lex =
			    in->seen_root && in->depth <= 0 ? L_DONE : L_TEXT;
		}
		break;
	case L_BANG:
		if (c == '-')
			in->lex = L_BANG_DASH;
		else if (c == '[')
			in->lex = L_CDATA;
		else if (c == 'D' || c == 'd')
			/* THREATS #1, #2: no DTD, no entity, ever */
			fail(in, DS_ERROR_XML,
			    "line %lu: DOCTYPE is not "
			    "allowed (entities and DTDs are refused)",
			    in->line);
		else
			in->lex = L_DECL;
		break;
	case L_BANG_DASH:
		in->lex = c == '-' ? L_COMMENT : L_DECL;
		break;
	case L_COMMENT: /* "-->" */
	case L_CDATA:   /* "]]>" */
		if (c == (in->lex == L_COMMENT ? '-' : ']'))
			in->lex_n++;
		else if (c == '>' && in->lex_n >= 2)
			in->lex = L_TEXT;
		else
			in->lex_n = 0;
		break;
	case L_PI: /* "?>" */
		if (c == '>' && in->lex_n)
			in->lex = L_TEXT;
		else
			in->lex_n = c == '?';
		break;
	case L_DECL:
		if (c == '>')
			in->lex = L_TEXT;
		break;
	case L_DONE:
		break;
	}
}

/* The bytes that end a run of an open start tag. */
static const guint8 stag_stop[256] = { ['>'] = 1, ['"'] = 1, ['\''] = 1 };

/* Newlines in b[0..n), for the lexer's line count. */
static unsigned long
count_nl(const guint8 *b, size_t n)
{
	const guint8 *p = b, *end = b + n;
	unsigned long k = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* The next c in [p, end), else end. */
static const guint8 *
skip_to(const guint8 *p, const guint8 *end, int c)
{
	const guint8 *q = memchr(p, c, (size_t)(end - p));

	return q != NULL ? q : end;
}

/*
 * lex_step() over b[0..n) until the root element ends or the lexer
 * fails; returns how many bytes it took (the last one included). The
 * states that only wait for one byte ('<' in text, '>' closing an end
 * tag or a declaration, the closing quote) jump to it; what they skip
 * would not change the state, so the result is the same as stepping.
 */
static size_t
lex_run(struct ds_agg_input *in, const guint8 *b, size_t n)
{
	const guint8 *p = b, *end = b + n, *q, *r;

	while (p < end && in->lex != L_DONE && in->pending == NULL) {
		switch (in->lex) {
		case L_TEXT:
			p = skip_to(p, end, '<');
			break;
		case L_ETAG:
		case L_DECL:
			p = skip_to(p, end, '>');
			break;
		case L_STAG_Q:
			p = skip_to(p, end, in->lex_q);
			break;
		case L_STAG:
			/* to '>' or a quote; then the last non-blank byte
			 * skipped says whether the tag ends with '/' */
			for (q = p; q < end && !stag_stop[*q]; q++)
				;
			ds_agg_wrap_root_name(&in->wrap, p, q);
			for (r = q; r > p && is_ws(r[-1]); r--)
				;
			if (r > p)
				in->slash = r[-1] == '/';
			p = q;
			break;
		case L_BANG:
			if (*p == 'D' || *p == 'd') {
				/* THREATS #1, #2: no DTD, no entity, ever */
				fail(in, DS_ERROR_XML,
				    "line %lu: DOCTYPE is not allowed "
				    "(entities and DTDs are refused)",
				    in->line + count_nl(b, (size_t)(p - b)));
				p++;
				continue;
			}
			break;
		default:
			break;
		}
		if (p < end)
			lex_step(in, *p++);
	}
	in->line += count_nl(b, (size_t)(p - b));
	return (size_t)(p - b);
}

/* Hand b[0..n) on (or, after the root element, only count it). */
static void
emit(struct ds_agg_input *in, const guint8 *b, size_t n)
{
	size_t i = 0;

	if (in->lex != L_DONE && in->pending == NULL)
		i = lex_run(in, b, n);
	g_byte_array_append(in->out, b, (guint)i);
	ds_agg_wrap_tail(&in->wrap, b, i);
	if (in->pending)
		return;
	for (; i < n; i++) {
		if (!is_ws(b[i]))
			in->trail_junk++;
		if (in->trail_lt && (g_ascii_isalpha(b[i]) || b[i] == '_'))
			in->trail_elem = true;
		in->trail_lt = b[i] == '<';
	}
}

static void
emit_byte(struct ds_agg_input *in, int c)
{
	guint8 b = (guint8)c;

	emit(in, &b, 1);
}

static void
emit_cp(struct ds_agg_input *in, gunichar cp)
{
	char u[6];
	int i, n;

	n = g_unichar_to_utf8(cp, u);
	for (i = 0; i < n; i++)
		emit_byte(in, (guint8)u[i]);
}

/* Length of the UTF-8 sequence led by c, 0 if c cannot lead one. */
static size_t
utf8_len(int c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Are b[1..avail) valid continuations of lead b[0] (RFC 3629 §4)? */
static bool
utf8_cont_ok(const guint8 *b, size_t avail)
{
	size_t k;
	int lo = 0x80, hi = 0xbf;

	if (b[0] == 0xe0)
		lo = 0xa0;
	else if (b[0] == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (b[0] == 0xf0)
		lo = 0x90;
	else if (b[0] == 0xf4)
		hi = 0x8f; /* <= U+10FFFF */
	for (k = 1; k < avail; k++) {
		if (b[k] < (k == 1 ? lo : 0x80) || b[k] > (k == 1 ? hi : 0xbf))
			return false;
	}
	return true;
}

/* plain[c]: ASCII and not a control character (is_ctrl) */
static const guint8 plain[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
#define P4(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1
#define P16(c) P4(c), P4(c + 4), P4(c + 8), P4(c + 12)
	P16(0x20), P16(0x30), P16(0x40), P16(0x50), P16(0x60), P16(0x70),
#undef P16
#undef P4
};

/*
 * Length of the run of plain bytes at the start of b[0..n): eight at a
 * time while no byte of a word has its high bit set or is below 0x20
 * (x - 0x20.. borrows into a high bit only below 0x20), byte by byte
 * through a word that has one (\t, \n and \r are plain too).
 */
static size_t
plain_run(const guint8 *b, size_t n)
{
	const guint64 k20 = 0x2020202020202020ull, hi = 0x8080808080808080ull;
	size_t i = 0, e;
	guint64 x;

	while (i < n) {
		if (i + 8 <= n) {
			memcpy(&x, b + i, 8);
			if ((((x - k20) | x) & hi) == 0) {
				i += 8;
				continue;
			}
		}
		for (e = MIN(n, i + 8); i < e; i++) {
			if (!plain[b[i]])
				return i;
		}
	}
	return n;
}

/*
 * Convert b[0..n) into in->out. Returns how many bytes were used: an
 * incomplete sequence at the end is kept for the next chunk unless
 * final.
 */
static size_t
convert(struct ds_agg_input *in, const guint8 *b, size_t n, bool final)
{
	size_t i = 0, need;
	gunichar cp;
	size_t run;

	if (in->mode == MODE_PASS) {
		g_byte_array_append(in->out, b, (guint)n);
		return n;
	}
	while (i < n && in->pending == NULL) {
		/* the common case: a run of plain ASCII */
		run = i + plain_run(b + i, n - i);
		if (run > i || in->lex == L_DONE) {
			if (run == i) /* trailing: only counted */
				run++;
			emit(in, b + i, run - i);
			i = run;
			continue;
		}
		if (b[i] < 0x80 || in->mode == MODE_LEGACY) {
			if (is_ctrl(b[i])) {
				in->ctrl++;
				if (in->mode == MODE_LEGACY)
					emit_byte(in, '?');
				else
					emit_cp(in, 0xfffd);
			} else
				emit_byte(in, b[i]);
			i++;
			continue;
		}
		need = utf8_len(b[i]);
		if (need && i + need > n && !final &&
		    utf8_cont_ok(b + i, n - i))
			return i; /* wait for the rest */
		if (need && i + need <= n && utf8_cont_ok(b + i, need)) {
			cp = g_utf8_get_char((const char *)b + i);
			if (cp == 0xfffe || cp == 0xffff) {
				in->ctrl++;
				emit_cp(in, 0xfffd);
			} else {
				emit(in, b + i, need);
			}
			i += need;
			continue;
		}
		/* not UTF-8: read this one byte as windows-1252 */
		in->bad_utf8++;
		if (b[i] >= 0xa0)
			emit_cp(in, b[i]);
		else
			emit_cp(in,
			    cp1252[b[i] - 0x80] ? cp1252[b[i] - 0x80] : 0xfffd);
		i++;
	}
	return n;
}

/* Read up to n more source bytes into inbuf. */
static void
src_read(struct ds_agg_input *in, size_t n)
{
	guint old = in->inbuf->len;
	int r;

	if (in->src_eof || in->pending)
		return;
	g_byte_array_set_size(in->inbuf, old + (guint)n);
	r = in->read(in->ctx, (char *)in->inbuf->data + old, (int)n);
	if (r < 0 || (size_t)r > n) {
		const GError *e =
		    in->read_error ? in->read_error(in->ctx) : NULL;

		if (e)
			in->pending = g_error_copy(e);
		else
			fail(in, DS_ERROR_IO, "cannot read the report");
		r = 0;
	}
	if (r == 0)
		in->src_eof = true;
	g_byte_array_set_size(in->inbuf, old + (guint)r);
}

/* Offset of needle in h[0..n), or n. */
static size_t
find(const guint8 *h, size_t n, const char *needle)
{
	size_t i, l = strlen(needle);

	for (i = 0; i + l <= n; i++) {
		if (h[i] == (guint8)needle[0] && memcmp(h + i, needle, l) == 0)
			return i;
	}
	return n;
}

static bool
has_prefix(const guint8 *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && memcmp(p, s, l) == 0;
}

size_t
ds_agg_find_feedback(const guint8 *h, size_t n)
{
	size_t i, j, local;

	for (i = 0; i < n; i++) {
		if (h[i] != '<')
			continue;
		local = i + 1;
		for (j = i + 1;
		     j < n && (g_ascii_isalnum(h[j]) || h[j] == '_' ||
		                  h[j] == '-' || h[j] == '.' || h[j] == ':');
		     j++) {
			if (h[j] == ':')
				local = j + 1;
		}
		if (j - local == 8 && memcmp(h + local, "feedback", 8) == 0 &&
		    j < n && (is_ws(h[j]) || h[j] == '>' || h[j] == '/'))
			return i;
	}
	return n;
}

/* The encoding named by the XML declaration at h, or NULL. */
static char *
decl_encoding(const guint8 *h, size_t n)
{
	const guint8 *end, *p;
	size_t l;
	char q;

	end = memchr(h, '>', n);
	if (!has_prefix(h, n, "<?xml") || end == NULL)
		return NULL;
	for (p = h; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8) != 0)
			continue;
		p += 8;
		while (p < end && (is_ws(*p) || *p == '='))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return NULL;
		q = (char)*p++;
		for (l = 0; p + l < end && p[l] != q; l++)
			;
		return g_ascii_strdown((const char *)p, (gssize)l);
	}
	return NULL;
}

/* Encodings whose markup bytes are plain ASCII, one byte per char. */
static bool
single_byte_ascii(const char *enc)
{
	static const char *const ok[] = { "iso-8859-", "iso8859-", "windows-",
		"cp125", "latin", "us-ascii", "ascii", "koi8" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(ok); i++) {
		if (g_str_has_prefix(enc, ok[i]))
			return true;
	}
	return false;
}

static void
analyse_head(struct ds_agg_input *in)
{
	const guint8 *h = in->inbuf->data;
	size_t n = in->inbuf->len, i = 0, j, start;
	char *enc;

	if ((n >= 2 && ((h[0] == 0xfe && h[1] == 0xff) ||
	                   (h[0] == 0xff && h[1] == 0xfe))) ||
	    (n >= 4 &&
	        ((h[0] == 0 && h[1] == '<') || (h[0] == '<' && h[1] == 0) ||
	            (h[0] == 0 && h[1] == 0)))) {
		in->mode = MODE_PASS; /* UTF-16/32: libxml2's business */
		return;
	}
	if (has_prefix(h, n, "\xef\xbb\xbf")) {
		i = 3;
		in->force_enc = "UTF-8";
	}
	for (j = i; j < n && is_ws(h[j]); j++)
		;
	if (has_prefix(h + j, n - j, "<?xml"))
		start = j; /* even blank lines before it are fatal */
	else if (j < n && h[j] == '<' && j + 1 < n &&
	         (h[j + 1] == '!' || h[j + 1] == '?' ||
	             is_name_start(h[j + 1])))
		start = i;
	else {
		/* junk first: a mail header, a stray line */
		start = j + find(h + j, n - j, "<?xml");
		if (start == n)
			start = ds_agg_find_feedback(h, n);
		if (start == n)
			start = i; /* let libxml2 say what is wrong */
	}
	in->lead_junk = start - i;
	g_byte_array_remove_range(in->inbuf, 0, (guint)start);
	enc = decl_encoding(in->inbuf->data, in->inbuf->len);
	if (enc == NULL || in->force_enc || strcmp(enc, "utf-8") == 0 ||
	    strcmp(enc, "utf8") == 0)
		in->mode = MODE_UTF8;
	else if (single_byte_ascii(enc))
		in->mode = MODE_LEGACY;
	else
		in->mode = MODE_PASS;
	g_free(enc);
}

struct ds_agg_input *
ds_agg_input_new(int (*read)(void *, char *, int), void *ctx,
    const GError *(*read_error)(void *))
{
	struct ds_agg_input *in;

	in = g_new0(struct ds_agg_input, 1);
	in->read = read;
	in->ctx = ctx;
	in->read_error = read_error;
	in->inbuf = g_byte_array_sized_new(CHUNK);
	in->out = g_byte_array_sized_new(CHUNK * 3);
	in->line = 1;
	while (!in->src_eof && in->pending == NULL && in->inbuf->len < HEAD_MAX)
		src_read(in, HEAD_MAX - in->inbuf->len);
	analyse_head(in); /* on what could be read */
	in->head_pending = true;
	return in;
}

void
ds_agg_input_free(struct ds_agg_input *in)
{
	if (in == NULL)
		return;
	g_byte_array_unref(in->inbuf);
	g_byte_array_unref(in->out);
	g_clear_error(&in->err);
	g_clear_error(&in->pending);
	g_free(in);
}

/* Convert the next chunk of source bytes into in->out. */
static void
fill(struct ds_agg_input *in)
{
	size_t used;

	if (in->head_pending)
		in->head_pending = false;
	else
		src_read(in, CHUNK);
	if (in->pending)
		return;
	used = convert(in, in->inbuf->data, in->inbuf->len, in->src_eof);
	g_byte_array_remove_range(in->inbuf, 0, (guint)used);
	/* QUIRKS.md unclosed-wrapper: only the wrapper open at the end */
	if (in->src_eof && in->inbuf->len == 0 && in->pending == NULL &&
	    in->mode != MODE_PASS && in->lex == L_TEXT && in->depth == 1 &&
	    in->seen_root && ds_agg_wrap_close(&in->wrap, in->out)) {
		in->depth = 0;
		in->lex = L_DONE;
	}
}

int
ds_agg_input_read(void *p, char *buf, int len)
{
	struct ds_agg_input *in = p;
	size_t avail;

	if (len <= 0)
		return 0;
	if (in->out_pos > 0 && in->out->len - in->out_pos < (size_t)len) {
		/* keep out small: drop what was read before filling it */
		g_byte_array_remove_range(in->out, 0, (guint)in->out_pos);
		in->out_pos = 0;
	}
	/*
	 * Fill the whole request whatever sizes the source reads in, so
	 * that libxml2 sees the same chunks, hence reaches the same
	 * verdict at the same record, from a buffer or a stream.
	 */
	while (in->pending == NULL &&
	       in->out->len - in->out_pos < (size_t)len &&
	       !(in->src_eof && in->inbuf->len == 0 && !in->head_pending))
		fill(in);
	if (in->out->len == in->out_pos && in->pending) {
		in->err = in->pending; /* libxml2 got all before it */
		in->pending = NULL;
	}
	if (in->err)
		return -1;
	avail = MIN((size_t)len, in->out->len - in->out_pos);
	memcpy(buf, in->out->data + in->out_pos, avail);
	in->out_pos += avail;
	return (int)avail;
}

const char *
ds_agg_input_encoding(const struct ds_agg_input *in)
{
	return in->force_enc;
}

const GError *
ds_agg_input_error(const struct ds_agg_input *in)
{
	return in->err;
}

bool
ds_agg_input_finish(
    struct ds_agg_input *in, struct ds_report_meta *m, GError **err)
{
	while (in->err == NULL && in->pending == NULL &&
	       (!in->src_eof || in->inbuf->len || in->head_pending)) {
		fill(in);
		g_byte_array_set_size(in->out, 0); /* nobody reads it */
		in->out_pos = 0;
	}
	if (in->err || in->pending) {
		g_propagate_error(
		    err, g_error_copy(in->err ? in->err : in->pending));
		return false;
	}
	if (in->trail_elem)
		return ds_fail(err, DS_ERROR_XML,
		    "another element follows "
		    "the root element (several documents in one?)");
	if (in->wrap.closed) {
		char *q = ds_quote(in->wrap.root, in->wrap.root_n, 64);

		ds_report_warn(m, "unclosed-wrapper: <%s> is never closed", q);
		g_free(q);
	}
	if (in->bad_utf8)
		ds_report_warn(m,
		    "invalid-utf8: %" G_GUINT64_FORMAT
		    " bytes read as windows-1252",
		    in->bad_utf8);
	if (in->ctrl)
		ds_report_warn(m,
		    "control-char: %" G_GUINT64_FORMAT
		    " NUL or control characters replaced",
		    in->ctrl);
	if (in->lead_junk)
		ds_report_warn(m,
		    "leading-junk: %" G_GUINT64_FORMAT " bytes before the XML",
		    in->lead_junk);
	if (in->trail_junk)
		ds_report_warn(m,
		    "trailing-junk: %" G_GUINT64_FORMAT
		    " bytes after the root element",
		    in->trail_junk);
	return true;
}
