/*
 * aggregate_int.h - internals shared by aggregate.c (reader loop),
 * aggregate_fields.c (values), aggregate_record.c (metadata checks and
 * records), aggregate_raw.c (unknown elements kept as XML) and
 * aggregate_input.c (byte filter in front of libxml2). Not an API.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_AGGREGATE_INT_H
#define DS_AGGREGATE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <libxml/xmlreader.h>

#include "ingest/aggregate/aggregate.h"

/* where an element sits: one per open element, indexed by depth */
enum ds_agg_ctx {
	DS_AGG_DOC = 0, /* above the root */
	DS_AGG_WRAP,    /* a stray wrapper around <feedback> */
	DS_AGG_FEEDBACK,
	DS_AGG_META,   /* report_metadata */
	DS_AGG_DATE,   /* date_range */
	DS_AGG_POLICY, /* policy_published */
	DS_AGG_RECORD,
	DS_AGG_ROW,
	DS_AGG_EVAL, /* policy_evaluated */
	DS_AGG_REASON,
	DS_AGG_IDENT, /* identifiers */
	DS_AGG_AUTH,  /* auth_results */
	DS_AGG_DKIM,  /* auth_results/dkim */
	DS_AGG_SPF,   /* auth_results/spf */
	DS_AGG_LEAF,  /* a text field, see field */
	DS_AGG_RAW,   /* inside an unknown element */
};

/* the text fields we know; ds_agg_fields[] describes each */
enum ds_agg_field {
	DS_F_NONE = 0,
	DS_F_VERSION,
	DS_F_ORG_NAME,
	DS_F_EMAIL,
	DS_F_EXTRA,
	DS_F_REPORT_ID,
	DS_F_ERROR,
	DS_F_GENERATOR,
	DS_F_BEGIN,
	DS_F_END,
	DS_F_DOMAIN,
	DS_F_ADKIM,
	DS_F_ASPF,
	DS_F_P,
	DS_F_SP,
	DS_F_NP,
	DS_F_PCT,
	DS_F_FO,
	DS_F_DISCOVERY,
	DS_F_TESTING,
	DS_F_SOURCE_IP,
	DS_F_COUNT,
	DS_F_DISPOSITION,
	DS_F_EVAL_DKIM,
	DS_F_EVAL_SPF,
	DS_F_REASON_TYPE,
	DS_F_REASON_COMMENT,
	DS_F_ENV_TO,
	DS_F_ENV_FROM,
	DS_F_HEADER_FROM,
	DS_F_DKIM_DOMAIN,
	DS_F_DKIM_SELECTOR,
	DS_F_DKIM_RESULT,
	DS_F_DKIM_HUMAN,
	DS_F_SPF_DOMAIN,
	DS_F_SPF_SCOPE,
	DS_F_SPF_RESULT,
	DS_F_SPF_HUMAN,
	DS_F_COUNT_OF_FIELDS
};

/* parse state of one report */
struct ds_agg {
	struct ds_report_meta *m;
	const struct ds_limits *lim;
	const struct ds_aggregate_cbs *cbs;
	void *payload;
	xmlTextReaderPtr r;
	GError *err; /* first error, ends the parse */

	unsigned max_depth;     /* lim->max_xml_depth, <= 256 */
	enum ds_agg_ctx *stack; /* [max_depth] */
	char *root_name;        /* a wrapper's name, for messages */
	char *root_ns;          /* namespace of <feedback> */
	bool feedback_seen, feedback_done;

	enum ds_agg_field field; /* open leaf, or DS_F_NONE */
	GString *text;           /* its text so far */

	int raw_depth;     /* depth of the unknown element */
	GString *raw;      /* its serialisation so far */
	GString *raw_dest; /* meta_ext, rec_ext or NULL (drop) */
	bool raw_over;     /* grew past lim->max_text */
	GString *meta_ext, *rec_ext;

	bool have_begin, have_end;
	bool meta_sent;
	bool in_record, have_count;
	bool seen[DS_F_COUNT_OF_FIELDS]; /* in this record / entry */
	uint64_t records;
	struct ds_record rec;

	int xml_line; /* first libxml2 error */
	char *xml_msg;
	GString *xml_generic; /* libxml2 messages without a line */
};

/* Line of the node at the reader's position (else the parser's). */
int ds_agg_line(struct ds_agg *st);

/*
 * Record the first error of the parse as DS_ERROR/code with the current
 * line ("line N: ..."). Returns false.
 */
bool ds_agg_fail(struct ds_agg *st, int code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* ds_quote() with the project's usual cap for values in messages. */
char *ds_agg_q(const char *s);

/* Name of a field's element ("begin", "source_ip"). */
const char *ds_agg_field_name(enum ds_agg_field f);

/*
 * A leaf closed: convert st->text into field f of the report or the
 * open record (trim, normalise, canonicalise, warn). False with
 * st->err set when the value makes the report unusable.
 */
bool ds_agg_field_set(struct ds_agg *st, enum ds_agg_field f);

/*
 * The first <record> opens: ds_agg_meta_check(), then cbs->meta once.
 */
bool ds_agg_meta_ready(struct ds_agg *st);

/* A <record> opens / closes (delivered to cbs->record, then cleared). */
bool ds_agg_record_open(struct ds_agg *st);
bool ds_agg_record_close(struct ds_agg *st);

/*
 * Sub-elements of a record that repeat: append an empty entry. False
 * (DS_ERROR_LIMIT) past DS_AGG_MAX_REPEAT of one kind in a record.
 */
#define DS_AGG_MAX_REPEAT 1000
bool ds_agg_reason_open(struct ds_agg *st);
bool ds_agg_dkim_open(struct ds_agg *st);
bool ds_agg_spf_open(struct ds_agg *st);
/* ... and check them when they close (warnings only). */
void ds_agg_dkim_close(struct ds_agg *st);
void ds_agg_spf_close(struct ds_agg *st);

/*
 * aggregate_raw.c: unknown elements are kept as raw XML text (escaped,
 * namespaces declared), at most lim->max_text bytes per destination; a larger
 * one is dropped with a warning. dest NULL discards.
 */
void ds_agg_raw_open(struct ds_agg *st, GString *dest, int depth);
void ds_agg_raw_element(struct ds_agg *st, bool empty);
void ds_agg_raw_text(struct ds_agg *st, const char *text);
void ds_agg_raw_end(struct ds_agg *st);
void ds_agg_raw_close(struct ds_agg *st);

/*
 * Check the required metadata (report_id, policy domain, date range;
 * org_name derived from the email domain when missing). False with
 * st->err set when the report is unusable.
 */
bool ds_agg_meta_check(struct ds_agg *st);

/* ---- aggregate_input.c: the byte filter ---- */

/* Offset of the first "<feedback" or "<prefix:feedback" tag, else n. */
size_t ds_agg_find_feedback(const guint8 *h, size_t n);

struct ds_agg_input;

/*
 * Wrap a byte source (xmlInputReadCallback contract). Reads the first
 * bytes at once to decide the encoding. Never fails: source errors
 * surface on the first read. Free with ds_agg_input_free().
 */
struct ds_agg_input *ds_agg_input_new(int (*read)(void *, char *, int),
    void *ctx, const GError *(*read_error)(void *));
void ds_agg_input_free(struct ds_agg_input *in);

/*
 * xmlInputReadCallback over the filtered stream: valid UTF-8 (invalid
 * bytes re-decoded as windows-1252, NUL and control characters
 * replaced), leading junk and anything after the root element removed,
 * DOCTYPE refused. -1 on error (see ds_agg_input_error()).
 */
int ds_agg_input_read(void *in, char *buf, int len);

/* Encoding to force on libxml2 (after a BOM), else NULL. */
const char *ds_agg_input_encoding(const struct ds_agg_input *in);

/* The error that made a read fail (ours or the source's), or NULL. */
const GError *ds_agg_input_error(const struct ds_agg_input *in);

/*
 * Read what is left (trailing content after the root element), then add
 * the filter's warnings to m. False with err when the source failed or
 * an element follows the root element.
 */
bool ds_agg_input_finish(
    struct ds_agg_input *in, struct ds_report_meta *m, GError **err);

/*
 * aggregate_wrap.c: QUIRKS.md "unclosed-wrapper". A big sender wraps
 * <feedback> in an element it never closes; the input filter notes the
 * root's name and the last bytes it hands on, and at the end of the
 * source, with only that wrapper open, supplies its end tag.
 */
struct ds_agg_wrap {
	char root[64];		/* the root element's name */
	unsigned root_n;
	bool root_cap;		/* still reading the name */
	guint8 tail[16];	/* last non-blank bytes handed on */
	unsigned tail_n;
	bool closed;		/* the end tag was supplied */
};

/* The root's start tag begins with c. */
void ds_agg_wrap_root_start(struct ds_agg_wrap *w, int c);
/* More bytes [p, q) of the root's start tag. */
void ds_agg_wrap_root_name(struct ds_agg_wrap *w, const guint8 *p,
    const guint8 *q);
/* b[0..n) was handed to libxml2. */
void ds_agg_wrap_tail(struct ds_agg_wrap *w, const guint8 *b, size_t n);
/*
 * At the end of the source with only the root open: when the root is
 * not <feedback> and "</feedback>" (any prefix) was the last thing,
 * append the root's end tag to out and return true.
 */
bool ds_agg_wrap_close(struct ds_agg_wrap *w, GByteArray *out);

#endif
