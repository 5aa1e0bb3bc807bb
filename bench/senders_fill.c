/*
 * senders_fill.c - fill a dmarcsift store with synthetic aggregate
 * reports through the store API (no XML, no SQL here), for bench/senders.
 * SPDX-License-Identifier: MIT
 *
 * usage: ds_bench_senders_fill -o DB --records N [--domains D]
 *     [--reporters R] [--per-report K] [--end UNIX] [--seed S]
 *
 * Every day each of D domains (dom0.example ...) gets one report from
 * each of R reporters with K records, going back from --end as many
 * days as N records need: more records means a longer history, while
 * one domain's week stays the same size (R * K * 7 records), which is
 * what "senders --domain X --since 7d" reads. Sources: 70% from the
 * domain's own pool of 1500 addresses (skewed, IPv6 among them), 30%
 * from a shared pool of 200000 (spoofers, forwarders); counts, results
 * and dispositions drawn from a xorshift generator seeded by --seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/error.h"
#include "schema/model/model.h"
#include "schema/store/store.h"

#define OWN_POOL 1500
#define SHARED_POOL 200000

static gint64 opt_records, opt_end = 1767225600 + 400 * 86400, opt_seed = 1;
static gint opt_domains = 20, opt_reporters = 5, opt_per = 100;
static char *opt_out;

static const GOptionEntry entries[] = {
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "database",
	  "DB" },
	{ "records", 0, 0, G_OPTION_ARG_INT64, &opt_records, "records", "N" },
	{ "domains", 0, 0, G_OPTION_ARG_INT, &opt_domains, "domains", "D" },
	{ "reporters", 0, 0, G_OPTION_ARG_INT, &opt_reporters, "reporters",
	  "R" },
	{ "per-report", 0, 0, G_OPTION_ARG_INT, &opt_per, "records per report",
	  "K" },
	{ "end", 0, 0, G_OPTION_ARG_INT64, &opt_end, "end of the last day",
	  "UNIX" },
	{ "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "seed", "S" },
	G_OPTION_ENTRY_NULL
};

static const char *const orgs[] = { "google.com", "Outlook.com", "Yahoo",
	"GMX", "Mail.Ru", "WEB.DE", "Comcast", "FastMail Pty Ltd" };
static const char *const disps[] = { "none", "none", "none", "quarantine",
	"reject" };

static guint64 rng;

static guint64
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The k-th address of domain d's pool (or of the shared pool, d < 0). */
static void
addr(char *buf, size_t len, int d, guint32 k)
{
	guint32 h = (guint32)((k + 1) * 2654435761u) ^ (guint32)(d + 7) *
	    40503u;

	if (d >= 0 && k % 10 == 9)
		g_snprintf(buf, len, "2001:db8:%x:%x::%x", d, k / 256, k % 256);
	else
		g_snprintf(buf, len, "%u.%u.%u.%u", 11 + (h >> 24) % 200,
		    (h >> 16) & 0xff, (h >> 8) & 0xff, (h & 0xff) | 1);
}

static void
fill_record(struct ds_record *r, char *ip, size_t iplen, int d,
    const char *domain)
{
	static struct ds_dkim_result dk[2];
	static struct ds_spf_result sp;
	guint64 x = next();
	bool own = x % 10 < 7, dkim_ok, spf_ok;
	guint32 k;

	if (own) {
		k = (guint32)((x >> 8) % OWN_POOL);
		k = k * k / OWN_POOL;	/* a few big senders */
		addr(ip, iplen, d, k);
	} else {
		addr(ip, iplen, -1, (guint32)((x >> 8) % SHARED_POOL));
	}
	dkim_ok = own && (x >> 40) % 10 < 9;
	spf_ok = own && (x >> 44) % 10 < 7;
	r->source_ip = ip;
	r->count = 1 + (x >> 48) % (own ? 200 : 20);
	r->disposition = (char *)(dkim_ok || spf_ok ? "none" :
	    disps[(x >> 52) % G_N_ELEMENTS(disps)]);
	r->dkim = (char *)(dkim_ok ? "pass" : "fail");
	r->spf = (char *)(spf_ok ? "pass" : "fail");
	r->header_from = (char *)domain;
	r->envelope_from = (char *)domain;
	dk[0].domain = (char *)domain;
	dk[0].selector = (char *)"s1";
	dk[0].result = (char *)(dkim_ok ? "pass" : "fail");
	dk[1].domain = (char *)"esp.example";
	dk[1].selector = (char *)"k1";
	dk[1].result = (char *)"pass";
	sp.domain = (char *)domain;
	sp.scope = (char *)"mfrom";
	sp.result = (char *)(spf_ok ? "pass" : "softfail");
	g_array_set_size(r->dkim_results, 0);
	g_array_set_size(r->spf_results, 0);
	g_array_append_vals(r->dkim_results, dk, 1 + (x >> 60) % 2);
	g_array_append_val(r->spf_results, sp);
}

static bool
one_report(struct ds_store *st, int d, int rep, gint64 day, GError **err)
{
	struct ds_report_meta m;
	struct ds_record r;
	char domain[64], id[64], ip[64];
	uint64_t msgs = 0;
	int64_t row;
	int i;
	bool ok = false;

	g_snprintf(domain, sizeof(domain), "dom%d.example", d);
	g_snprintf(id, sizeof(id), "%" G_GINT64_FORMAT ".%d.%d", day, d, rep);
	ds_report_meta_init(&m);
	m.format = DS_FORMAT_RFC7489;
	m.org_name = g_strdup(orgs[rep % G_N_ELEMENTS(orgs)]);
	m.report_id = g_strdup(id);
	m.domain = g_strdup(domain);
	m.email = g_strdup("noreply@reporter.example");
	m.begin = day;
	m.end = day + 86399;
	m.p = g_strdup("reject");
	m.pct = 100;
	memset(&r, 0, sizeof(r));
	r.reasons = g_array_new(FALSE, TRUE, sizeof(struct ds_reason));
	r.dkim_results = g_array_new(FALSE, TRUE,
	    sizeof(struct ds_dkim_result));
	r.spf_results = g_array_new(FALSE, TRUE, sizeof(struct ds_spf_result));
	if (!ds_store_report_put(st, &m, "bench", 0, &row, err))
		goto done;
	for (i = 0; i < opt_per; i++) {
		fill_record(&r, ip, sizeof(ip), d, domain);
		msgs += r.count;
		if (!ds_store_record_put(st, row, &r, err))
			goto done;
	}
	ok = ds_store_report_finish(st, row, opt_per, msgs, &m, err);
done:
	g_array_unref(r.reasons);
	g_array_unref(r.dkim_results);
	g_array_unref(r.spf_results);
	ds_report_meta_clear(&m);
	return ok;
}

int
main(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("- fill a bench store");
	struct ds_store *st = NULL;
	GError *err = NULL;
	gint64 per_day, days, day, done = 0;
	int d, rep, rc = 1;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) ||
	    opt_out == NULL || opt_records < 1 || opt_domains < 1 ||
	    opt_reporters < 1 || opt_per < 1) {
		fprintf(stderr, "ds_bench_senders_fill: %s\n", err ?
		    err->message : "need -o DB and --records N");
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	rng = 0x9e3779b97f4a7c15ull ^ (guint64)opt_seed;
	per_day = (gint64)opt_domains * opt_reporters * opt_per;
	days = (opt_records + per_day - 1) / per_day;
	if ((st = ds_store_open(opt_out, &err)) == NULL)
		goto fail;
	for (day = opt_end / 86400 * 86400 - days * 86400;
	    done < opt_records; day += 86400) {
		if (!ds_store_begin(st, &err))
			goto fail;
		for (d = 0; d < opt_domains && done < opt_records; d++)
			for (rep = 0; rep < opt_reporters &&
			    done < opt_records; rep++) {
				if (!one_report(st, d, rep, day, &err))
					goto fail;
				done += opt_per;
			}
		if (!ds_store_commit(st, &err))
			goto fail;
	}
	printf("%" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT " days, %d "
	    "domains\n", done, days, opt_domains);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ds_bench_senders_fill: %s\n", err->message);
	g_error_free(err);
out:
	ds_store_close(st);
	return rc;
}
