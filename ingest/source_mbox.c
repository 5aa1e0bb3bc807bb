/*
 * source_mbox.c - split an mbox file into messages (GMime's mbox parser).
 * SPDX-License-Identifier: MIT
 *
 * GMime finds the "From " separators (mboxrd/mboxo); we take each
 * message's raw bytes between its separator offsets so that the hash and
 * the quarantine copy are the bytes as delivered.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "schema/error.h"
#include "ingest/message.h"
#include "ingest/source.h"

/* Skip the "From " separator line at buf[off..]. */
static gint64
after_separator(const char *buf, size_t len, gint64 off)
{
	const char *nl = memchr(buf + off, '\n', len - (size_t)off);

	return nl ? nl - buf + 1 : (gint64)len;
}

bool
ds_source_mbox_ingest(struct ds_pipeline *pl, const char *source,
    const char *buf, size_t len, GError **err)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GArray *starts;
	bool ok = true;
	guint i;

	ds_message_init();
	/* pass 1: GMime finds where each message's separator starts */
	starts = g_array_new(FALSE, FALSE, sizeof(gint64));
	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	g_mime_parser_set_respect_content_length(parser, FALSE);
	while (!g_mime_parser_eos(parser)) {
		GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
		gint64 off;

		if (m == NULL)
			break;
		off = g_mime_parser_get_mbox_marker_offset(parser);
		g_object_unref(m);
		if (off >= 0 && (size_t)off < len)
			g_array_append_val(starts, off);
	}
	g_object_unref(parser);
	g_object_unref(stream);

	/* pass 2: each message's raw bytes through the pipeline */
	for (i = 0; ok && i < starts->len; i++) {
		gint64 s = g_array_index(starts, gint64, i);
		gint64 e = i + 1 < starts->len ?
		    g_array_index(starts, gint64, i + 1) : (gint64)len;
		gint64 body = after_separator(buf, len, s);
		char *name = g_strdup_printf("%s:%u", source, i + 1);

		if (body < e)
			ok = ds_pipeline_ingest(pl, name, buf + body,
			    (size_t)(e - body), NULL, NULL, NULL, err);
		ds_source_progress(pl, false);
		g_free(name);
	}
	g_array_free(starts, TRUE);
	return ok;
}
