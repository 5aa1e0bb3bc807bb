/*
 * dsgen.c - dmarcsift's synthetic DMARC data generator: one large
 * aggregate report (RFC 7489 appendix C or RFC 9990), a Maildir or mbox of
 * report mail (RFC 5322, RFC 2045/2046), the README demo mailbox, and the
 * ground truth tests compare dmarcsift's results with. The output is a
 * function of the command line only: one GRand seeded with --seed, no
 * clock, no /dev/urandom, TZ pinned to UTC.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsgen.h"

#define DEFAULT_START G_GINT64_CONSTANT(1767225600) /* 2026-01-01 UTC */
#define EXIT_USAGE 2

static gint64 opt_records = -1, opt_messages = -1, opt_seed = 1;
static gint64 opt_begin = DEFAULT_START, opt_start = DEFAULT_START;
static gboolean opt_gzip;
static char *opt_format, *opt_domain, *opt_org, *opt_domains, *opt_out;
static char *opt_truth, *opt_scenario;
static gint64 opt_days = 14;
static double opt_dup = 0.01, opt_invalid = 0.005;

static const GOptionEntry options[] = {
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	    "output file (xml, mbox) or directory (maildir, demo)", "PATH" },
	{ "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed,
	    "random seed, 0..4294967295 (default 1)", "S" },
	{ "truth", 0, 0, G_OPTION_ARG_FILENAME, &opt_truth,
	    "also write the ground truth as JSON", "FILE" },
	{ "records", 0, 0, G_OPTION_ARG_INT64, &opt_records,
	    "xml: number of records (required)", "N" },
	{ "gzip", 0, 0, G_OPTION_ARG_NONE, &opt_gzip,
	    "xml: write gzip (name the file .gz yourself)", NULL },
	{ "format", 0, 0, G_OPTION_ARG_STRING, &opt_format,
	    "xml: rfc7489 or rfc9990 (default: the reporter's)", "F" },
	{ "domain", 0, 0, G_OPTION_ARG_STRING, &opt_domain,
	    "xml: policy domain (default example.com)", "D" },
	{ "org", 0, 0, G_OPTION_ARG_STRING, &opt_org,
	    "xml: reporter org_name (default google.com)", "O" },
	{ "begin", 0, 0, G_OPTION_ARG_INT64, &opt_begin,
	    "xml: report begin, Unix seconds (default 1767225600)", "UNIX" },
	{ "messages", 0, 0, G_OPTION_ARG_INT64, &opt_messages,
	    "maildir, mbox: number of messages (files) (required)", "M" },
	{ "domains", 0, 0, G_OPTION_ARG_STRING, &opt_domains,
	    "maildir, mbox: policy domains (default "
	    "example.com,example.org,example.net)",
	    "D1,D2" },
	{ "dup-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_dup,
	    "maildir, mbox: share of byte-identical resends (default 0.01)",
	    "R" },
	{ "invalid-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_invalid,
	    "maildir, mbox: share of broken reports (default 0.005)", "R" },
	{ "start", 0, 0, G_OPTION_ARG_INT64, &opt_start,
	    "maildir, mbox, demo: first report day, Unix seconds "
	    "(default 1767225600)",
	    "UNIX" },
	{ "scenario", 0, 0, G_OPTION_ARG_STRING, &opt_scenario,
	    "scenario: m365, esp, forward, gforward, spoof, own, declared, "
	    "revert, zero", "NAME" },
	{ "days", 0, 0, G_OPTION_ARG_INT64, &opt_days,
	    "scenario: days of daily reports from --start (default 14)", "N" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const char summary[] =
    "Write synthetic DMARC aggregate reports, deterministic for a --seed.\n"
    "\nModes:\n"
    "  xml      ONE report of --records N records, streamed (constant\n"
    "           memory), optionally --gzip: dsgen xml --records N -o FILE\n"
    "  maildir  a Maildir (cur/new/tmp) of --messages M report mails with\n"
    "           gzip/zip attachments, some duplicates, some invalid:\n"
    "           dsgen maildir --messages M -o DIR\n"
    "  mbox     the same as one mbox file: dsgen mbox --messages M -o FILE\n"
    "  demo     the README's demo Maildir (~40 mails, two domains, two\n"
    "           weeks): dsgen demo -o DIR\n"
    "  scenario the advice scenarios: daily reports in DIR/reports, the\n"
    "           zone as it is (DIR/zone) and fixed (DIR/zone.fixed), a\n"
    "           config with declarations: dsgen scenario --scenario m365\n"
    "           --start UNIX -o DIR\n"
    "\n--truth FILE writes what was generated (reports, per-domain and\n"
    "per-source totals, duplicates, invalid messages) as JSON.";

static int
fail(GError *err)
{
	fprintf(stderr, "dsgen: %s\n", err->message);
	g_error_free(err);
	return 1;
}

static int
usage(const char *msg)
{
	fprintf(stderr, "dsgen: %s (see dsgen --help)\n", msg);
	return EXIT_USAGE;
}

static bool
stream_records(struct ds_gen_sink *sink, const struct ds_gen_report *r,
    struct ds_gen_truth *truth, GRand *rand)
{
	struct ds_gen_rec rec;
	unsigned npool;
	gint64 i;

	/* spoofer addresses repeat, as they do, which bounds the truth */
	npool = (unsigned)CLAMP(opt_records / 8, 16, 50000);
	ds_gen_xml_head(sink, r);
	for (i = 0; i < opt_records && !sink->failed; i++) {
		ds_gen_record(&rec, r, npool, rand);
		ds_gen_xml_record(sink, r, &rec);
		ds_gen_truth_record(truth, r, &rec);
	}
	ds_gen_xml_tail(sink, r);
	return !sink->failed;
}

static int
mode_xml(guint32 seed, struct ds_gen_truth *truth, GError **err)
{
	struct ds_gen_reporter other;
	struct ds_gen_report r;
	struct ds_gen_sink sink = { 0 };
	GRand *rand;
	char *email = NULL, *base;
	bool ok;

	if (opt_records < 1)
		return usage("xml needs --records N (N >= 1)");
	memset(&r, 0, sizeof(r));
	r.rep = ds_gen_reporter_find(opt_org ? opt_org : "google.com");
	if (r.rep == NULL) {
		other = ds_gen_reporters[0];
		/* a domain-like name gets its own address, anything else one
		 * in example.net */
		if (strchr(opt_org, '.') != NULL &&
		    strpbrk(opt_org, " <>&@\"") == NULL)
			email = g_strdup_printf("noreply-dmarc@%s", opt_org);
		else
			email = g_strdup("noreply-dmarc@example.net");
		other.org_name = other.submitter = opt_org;
		other.email = other.from = email;
		other.extra = NULL;
		r.rep = &other;
	}
	r.fmt = r.rep->fmt;
	if (opt_format != NULL && strcmp(opt_format, "rfc7489") == 0)
		r.fmt = DS_GEN_RFC7489;
	else if (opt_format != NULL && strcmp(opt_format, "rfc9990") == 0)
		r.fmt = DS_GEN_RFC9990;
	else if (opt_format != NULL) {
		g_free(email);
		return usage("--format is rfc7489 or rfc9990");
	}
	g_strlcpy(r.domain, opt_domain ? opt_domain : "example.com",
	    sizeof(r.domain));
	r.dkim3 = true;
	r.begin = opt_begin;
	r.end = r.begin + DS_GEN_DAY - 1 + r.rep->end_extra;
	ds_gen_policy_for(&r.pol, r.domain);
	rand = g_rand_new_with_seed(seed);
	ds_gen_report_id(&r, rand);
	if (opt_gzip)
		sink.gz = gzopen(opt_out, "wb6");
	else if ((sink.fp = fopen(opt_out, "w")) != NULL)
		setvbuf(sink.fp, NULL, _IOFBF, 1 << 20);
	if (sink.gz == NULL && sink.fp == NULL) {
		g_set_error(
		    err, DS_GEN_ERROR, 1, "%s: %s", opt_out, g_strerror(errno));
		ok = false;
	} else {
		ok = stream_records(&sink, &r, truth, rand);
		if (sink.gz != NULL && gzclose(sink.gz) != Z_OK)
			ok = false;
		if (sink.fp != NULL && fclose(sink.fp) != 0)
			ok = false;
		if (!ok)
			g_set_error(
			    err, DS_GEN_ERROR, 1, "%s: write error", opt_out);
	}
	if (ok) {
		base = g_path_get_basename(opt_out);
		ds_gen_truth_report(truth, &r, base);
		g_free(base);
		ds_gen_truth_message(truth);
	}
	g_rand_free(rand);
	g_free(email);
	return ok ? 0 : 1;
}

static int
mode_box(bool mbox, guint32 seed, struct ds_gen_truth *truth, GError **err)
{
	char **domains;
	bool ok;

	if (opt_messages < 0)
		return usage("--messages M is required (M >= 0)");
	if (opt_dup < 0 || opt_dup >= 1 || opt_invalid < 0 || opt_invalid > 1)
		return usage(
		    "--dup-rate is in [0, 1), --invalid-rate in [0, 1]");
	domains = g_strsplit(
	    opt_domains ? opt_domains : "example.com,example.org,example.net",
	    ",", -1);
	if (domains[0] == NULL || strlen(domains[0]) == 0) {
		g_strfreev(domains);
		return usage("--domains needs at least one domain");
	}
	ok = ds_gen_mailbox(opt_out, mbox, seed, opt_messages, opt_start,
	    domains, opt_dup, opt_invalid, truth, err);
	g_strfreev(domains);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	GOptionContext *ctx;
	struct ds_gen_truth *truth = NULL;
	GError *err = NULL;
	const char *mode;
	guint32 seed;
	int rc;

	/* libzip stamps zip entries through localtime(): make that fixed */
	setenv("TZ", "UTC", 1);
	tzset();
	ctx = g_option_context_new("MODE");
	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, options, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		g_option_context_free(ctx);
		fprintf(stderr, "dsgen: %s\n", err->message);
		g_error_free(err);
		return EXIT_USAGE;
	}
	g_option_context_free(ctx);
	if (argc != 2)
		return usage("give exactly one MODE: xml, maildir, mbox, demo");
	mode = argv[1];
	if (opt_out == NULL)
		return usage("-o PATH is required");
	if (opt_seed < 0 || opt_seed > G_MAXUINT32)
		return usage("--seed is 0..4294967295");
	seed = (guint32)opt_seed;
	if (opt_truth != NULL)
		truth = ds_gen_truth_new(mode, seed);
	if (strcmp(mode, "xml") == 0)
		rc = mode_xml(seed, truth, &err);
	else if (strcmp(mode, "maildir") == 0 || strcmp(mode, "mbox") == 0)
		rc = mode_box(strcmp(mode, "mbox") == 0, seed, truth, &err);
	else if (strcmp(mode, "scenario") == 0) {
		if (opt_scenario == NULL || opt_days < 1 || opt_days > 366)
			rc = usage("scenario needs --scenario NAME and --days "
			    "1..366");
		else
			rc = ds_gen_scenario(opt_out, opt_scenario, opt_start,
			    (unsigned)opt_days, &err) ? 0 : 1;
	} else if (strcmp(mode, "demo") == 0)
		rc = ds_gen_demo(opt_out, seed, opt_start, truth, &err) ? 0 : 1;
	else
		rc = usage("unknown MODE (xml, maildir, mbox, demo)");
	if (rc == 0 && truth != NULL &&
	    !ds_gen_truth_write(truth, opt_truth, &err))
		rc = 1;
	if (rc == 1 && err != NULL)
		rc = fail(err);
	else if (err != NULL)
		g_error_free(err);
	ds_gen_truth_free(truth);
	return rc;
}
