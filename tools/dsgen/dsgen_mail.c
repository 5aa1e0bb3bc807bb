/*
 * dsgen_mail.c - the reporters dsgen imitates, and the report mail they
 * send: RFC 5322 headers, RFC 2045/2046 MIME (single part, multipart/mixed,
 * multipart/alternative), base64 in 76-column lines, the attachment as
 * gzip (RFC 1952, through zlib) or zip (through libzip), named
 * receiver!policy-domain!begin!end[!id] as RFC 7489 section 7.2.1.1 says.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <zip.h>

#include "dsgen.h"

/* Modelled on real reports (see the corpus INDEX): names, ids, layout. */
const struct ds_gen_reporter ds_gen_reporters[] = {
	{ "google.com", "noreply-dmarc-support@google.com",
	    "https://support.google.com/a/answer/2466580",
	    "noreply-dmarc-support@google.com", "google.com",
	    "mail-sor-f69.google.com", DS_GEN_RFC7489, DS_GEN_ID_DIGITS, 19, 0,
	    DS_GEN_ZIP, "application/zip", DS_GEN_BODY_SINGLE, "  ", false,
	    false, true, false, false, NULL, 40 },
	{ "Yahoo", "dmarchelp@yahooinc.com", NULL, "noreply@dmarc.yahoo.com",
	    "yahoo.com", "sonic305-20.consmr.mail.ne1.yahoo.com",
	    DS_GEN_RFC7489, DS_GEN_ID_DOTTED, 0, 0, DS_GEN_GZIP,
	    "application/gzip", DS_GEN_BODY_MIXED, "\t", false, true, false,
	    false, true, NULL, 15 },
	{ "Outlook.com", "dmarcreport@microsoft.com", NULL,
	    "DMARC Aggregate Report <dmarcreport@microsoft.com>",
	    "protection.outlook.com", "DM6-obe.protection.outlook.com",
	    DS_GEN_RFC7489, DS_GEN_ID_HEX32, 0, 1, DS_GEN_GZIP,
	    "application/gzip", DS_GEN_BODY_MIXED, "  ", false, true, false,
	    false, false, "outlook.com", 20 },
	{ "GMX", "noreply-dmarc@sicher.gmx.net",
	    "https://postmaster.gmx.net/en/case?c=r2002",
	    "noreply-dmarc@sicher.gmx.net", "gmx.net", "mout.gmx.net",
	    DS_GEN_RFC9990, DS_GEN_ID_HEX32, 0, 0, DS_GEN_GZIP,
	    "application/gzip", DS_GEN_BODY_MIXED, "   ", false, true, false,
	    false, false, NULL, 6 },
	{ "WEB.DE", "noreply-dmarc@sicher.web.de",
	    "https://postmaster.web.de/en/case?c=r2002",
	    "noreply-dmarc@sicher.web.de", "web.de", "mout.web.de",
	    DS_GEN_RFC9990, DS_GEN_ID_UUID, 0, 0, DS_GEN_ZIP,
	    "application/x-zip-compressed", DS_GEN_BODY_MIXED, "   ", false,
	    true, false, false, false, NULL, 4 },
	{ "Mail.Ru", "dmarc_support@corp.mail.ru",
	    "http://help.mail.ru/mail-help", "dmarc_support@corp.mail.ru",
	    "mail.ru", "f123.i.mail.ru", DS_GEN_RFC7489, DS_GEN_ID_DIGITS, 29,
	    1, DS_GEN_GZIP, "application/octet-stream", DS_GEN_BODY_SINGLE, "",
	    true, false, false, true, true, NULL, 5 },
	{ "FastMail Pty Ltd", "reports@fastmaildmarc.com",
	    "https://fastmail.com/", "reports@fastmaildmarc.com",
	    "fastmail.com", "mailout.nyi.internal", DS_GEN_RFC7489,
	    DS_GEN_ID_DIGITS, 9, 0, DS_GEN_GZIP, "application/gzip",
	    DS_GEN_BODY_ALT, "\t", false, true, false, true, false, NULL, 4 },
	{ "Comcast", "dmarc_support@comcast.net", NULL,
	    "Comcast DMARC <dmarc_support@comcast.net>", "comcast.net",
	    "resomta-po-17v.sys.comcast.net", DS_GEN_RFC7489, DS_GEN_ID_UUID, 0,
	    0, DS_GEN_ZIP, "application/zip", DS_GEN_BODY_ALT, "  ", false,
	    false, false, false, false, NULL, 4 },
};
const size_t ds_gen_nreporters = G_N_ELEMENTS(ds_gen_reporters);

static const char *const wday[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	"Sun" };
static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/*
 * Return the reporter whose org_name or submitter is name (any case), or
 * NULL. The result is static.
 */
const struct ds_gen_reporter *
ds_gen_reporter_find(const char *name)
{
	const struct ds_gen_reporter *rep;
	size_t i;

	for (i = 0; i < ds_gen_nreporters; i++) {
		rep = &ds_gen_reporters[i];
		if (g_ascii_strcasecmp(name, rep->org_name) == 0 ||
		    g_ascii_strcasecmp(name, rep->submitter) == 0)
			return rep;
	}
	return NULL;
}

/*
 * Format the UTC time t into buf (>= 40 bytes): asctime style
 * ("Thu Jan  2 05:12:33 2025") when mbox is true, else as an RFC 5322
 * date-time ("Thu, 02 Jan 2025 05:12:33 +0000"). English names whatever
 * the locale.
 */
void
ds_gen_date(char *buf, gint64 t, bool mbox)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);

	g_assert(d != NULL);
	if (mbox)
		g_snprintf(buf, 40, "%s %s %2d %02d:%02d:%02d %d",
		    wday[g_date_time_get_day_of_week(d) - 1],
		    mon[g_date_time_get_month(d) - 1],
		    g_date_time_get_day_of_month(d), g_date_time_get_hour(d),
		    g_date_time_get_minute(d), g_date_time_get_second(d),
		    g_date_time_get_year(d));
	else
		g_snprintf(buf, 40, "%s, %02d %s %d %02d:%02d:%02d +0000",
		    wday[g_date_time_get_day_of_week(d) - 1],
		    g_date_time_get_day_of_month(d),
		    mon[g_date_time_get_month(d) - 1], g_date_time_get_year(d),
		    g_date_time_get_hour(d), g_date_time_get_minute(d),
		    g_date_time_get_second(d));
	g_date_time_unref(d);
}

static bool
gzip_mem(GByteArray *out, const char *name, gint64 mtime, const char *buf,
    size_t len, GError **err)
{
	z_stream zs;
	gz_header hd;
	guint8 chunk[65536];
	int rc;

	memset(&zs, 0, sizeof(zs));
	memset(&hd, 0, sizeof(hd));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		g_set_error(err, DS_GEN_ERROR, 1, "deflateInit2 failed");
		return false;
	}
	hd.name = (Bytef *)(guintptr)name; /* RFC 1952 FNAME, as gzip(1) */
	hd.time = (uLong)mtime;
	hd.os = 3;
	deflateSetHeader(&zs, &hd);
	zs.next_in = (Bytef *)(guintptr)buf;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		g_byte_array_append(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		g_set_error(err, DS_GEN_ERROR, 1, "deflate failed: %d", rc);
		return false;
	}
	return true;
}

static bool
zip_mem(GByteArray *out, const char *name, gint64 mtime, const char *buf,
    size_t len, GError **err)
{
	zip_error_t ze;
	zip_source_t *src = NULL, *fs = NULL;
	zip_stat_t st;
	zip_t *za = NULL;
	zip_int64_t idx, n;
	bool ok = false;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
		goto done;
	zip_source_keep(src);
	if ((fs = zip_source_buffer_create(buf, len, 0, &ze)) == NULL)
		goto done;
	if ((idx = zip_file_add(za, name, fs, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_error_set(&ze, zip_error_code_zip(zip_get_error(za)), 0);
		goto done;
	}
	fs = NULL; /* owned by the archive now */
	/* libzip converts with localtime(); main() pins TZ=UTC */
	zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)mtime, 0);
	zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
	if (zip_close(za) != 0) {
		zip_error_set(&ze, zip_error_code_zip(zip_get_error(za)), 0);
		zip_discard(za);
		za = NULL;
		goto done;
	}
	za = NULL;
	if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
		goto done;
	g_byte_array_set_size(out, (guint)st.size);
	n = zip_source_read(src, out->data, st.size);
	zip_source_close(src);
	ok = n >= 0 && (zip_uint64_t)n == st.size;
done:
	if (!ok)
		g_set_error(
		    err, DS_GEN_ERROR, 1, "zip: %s", zip_error_strerror(&ze));
	zip_source_free(fs);
	if (za != NULL)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	return ok;
}

/*
 * Pack the report XML xml[0..len) of report r into out as its reporter's
 * attachment (gzip or a zip of one entry), and set *fname to the
 * attachment's file name (caller frees). Returns false with err set when
 * zlib or libzip fail.
 */
bool
ds_gen_pack(GByteArray *out, const struct ds_gen_report *r, const char *xml,
    size_t len, char **fname, GError **err)
{
	char *base, *xmlname;
	bool ok;

	if (r->rep->id_in_name)
		base = g_strdup_printf("%s!%s!%" G_GINT64_FORMAT
		                       "!%" G_GINT64_FORMAT "!%s",
		    r->rep->submitter, r->domain, r->begin, r->end,
		    r->report_id);
	else
		base = g_strdup_printf("%s!%s!%" G_GINT64_FORMAT
		                       "!%" G_GINT64_FORMAT,
		    r->rep->submitter, r->domain, r->begin, r->end);
	xmlname = g_strconcat(base, ".xml", NULL);
	if (r->rep->cont == DS_GEN_ZIP) {
		ok = zip_mem(out, xmlname, r->end, xml, len, err);
		*fname = g_strconcat(base, ".zip", NULL);
	} else {
		ok = gzip_mem(out, xmlname, r->end, xml, len, err);
		*fname = g_strconcat(xmlname, ".gz", NULL);
	}
	g_free(xmlname);
	g_free(base);
	if (!ok) {
		g_free(*fname);
		*fname = NULL;
	}
	return ok;
}

static void
base64_lines(GString *out, const guint8 *data, size_t len)
{
	char *b = g_base64_encode(data, len);
	size_t n = strlen(b), i;

	for (i = 0; i < n; i += 76) {
		g_string_append_len(out, b + i, (gssize)MIN(76, n - i));
		g_string_append_c(out, '\n');
	}
	g_free(b);
}

static void
attachment(GString *out, const char *ctype, const char *fname,
    const guint8 *att, size_t attlen)
{
	g_string_append_printf(out,
	    "Content-Type: %s;\n\tname=\"%s\"\n"
	    "Content-Disposition: attachment;\n\tfilename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n",
	    ctype, fname, fname);
	base64_lines(out, att, attlen);
}

static void
text_part(GString *out, const struct ds_gen_report *r, bool html)
{
	const char *org = r->rep->org_name;
	char b[40], e[40];

	ds_gen_date(b, r->begin, false);
	ds_gen_date(e, r->end, false);
	if (html) {
		g_string_append_printf(out,
		    "Content-Type: text/html; "
		    "charset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\n\n"
		    "<html><body><p>This is a DMARC aggregate report from %s "
		    "for <b>%s</b>.</p>\n<p>Report-ID: %s<br>\nPeriod: %s - %s"
		    "</p></body></html>\n",
		    org, r->domain, r->report_id, b, e);
		return;
	}
	/* the "From " line is deliberate: mbox output must quote it */
	g_string_append_printf(out,
	    "Content-Type: text/plain; "
	    "charset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\n\n"
	    "This is a DMARC aggregate report from %s.\n\n"
	    "From %s to %s we received mail claiming to be from %s.\n\n"
	    "Report Domain: %s\nSubmitter: %s\nReport-ID: %s\n",
	    org, b, e, r->domain, r->domain, r->rep->submitter, r->report_id);
}

/*
 * Append to out the report mail of report r sent at time date, carrying
 * att[0..attlen) as fname, shaped like its reporter's mail (headers, body
 * structure, declared type; one in ten declared application/octet-stream).
 * Boundaries and relay details come from rand.
 */
void
ds_gen_mail(GString *out, const struct ds_gen_report *r, const guint8 *att,
    size_t attlen, const char *fname, gint64 date, GRand *rand)
{
	const struct ds_gen_reporter *rep = r->rep;
	const char *ctype = rep->ctype, *at;
	char d[40], b1[64], b2[64], ip[16];
	guint32 part, uniq, qid, a;

	/* one draw per statement: argument order is unspecified in C */
	if (g_rand_int_range(rand, 0, 10) == 0)
		ctype = "application/octet-stream";
	ds_gen_date(d, date, false);
	at = strrchr(rep->email, '@');
	part = g_rand_int(rand) % 1000000;
	uniq = g_rand_int(rand);
	qid = g_rand_int(rand);
	a = (guint32)g_rand_int_range(rand, 64, 224) << 24;
	a |= g_rand_int(rand) & 0xffff00u;
	a |= (guint32)g_rand_int_range(rand, 1, 255);
	ds_gen_ip4(ip, a);
	g_snprintf(b1, sizeof(b1), "----=_Part_%u_%u.%" G_GINT64_FORMAT, part,
	    uniq, date);
	g_snprintf(b2, sizeof(b2), "%.40s_alt", b1);
	g_string_append_printf(out,
	    "Return-Path: <%s>\n"
	    "Received: from %s (%s [%s])\n\tby mx.%s (Postfix) with "
	    "ESMTPS id %08X\n\tfor <dmarc-reports@%s>; %s\n"
	    "MIME-Version: 1.0\nDate: %s\nFrom: %s\nTo: dmarc-reports@%s\n"
	    "Subject: Report Domain: %s Submitter: %s Report-ID: %s%s%s\n"
	    "Message-ID: <%s%s>\n",
	    rep->email, rep->relay, rep->relay, ip, r->domain, qid, r->domain,
	    d, d, rep->from, r->domain, r->domain, rep->submitter,
	    rep->id_brackets ? "<" : "", r->report_id,
	    rep->id_brackets ? ">" : "", r->report_id,
	    at != NULL ? at : "@localhost");
	if (rep->body == DS_GEN_BODY_SINGLE) {
		attachment(out, ctype, fname, att, attlen);
		return;
	}
	g_string_append_printf(out,
	    "Content-Type: multipart/mixed;\n\t"
	    "boundary=\"%s\"\n\nThis is a multi-part message in MIME format."
	    "\n\n--%s\n",
	    b1, b1);
	if (rep->body == DS_GEN_BODY_ALT) {
		g_string_append_printf(out,
		    "Content-Type: multipart/"
		    "alternative;\n\tboundary=\"%s\"\n\n--%s\n",
		    b2, b2);
		text_part(out, r, false);
		g_string_append_printf(out, "\n--%s\n", b2);
		text_part(out, r, true);
		g_string_append_printf(out, "\n--%s--\n", b2);
	} else
		text_part(out, r, false);
	g_string_append_printf(out, "\n--%s\n", b1);
	attachment(out, ctype, fname, att, attlen);
	g_string_append_printf(out, "--%s--\n", b1);
}
