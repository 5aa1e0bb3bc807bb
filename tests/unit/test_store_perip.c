/*
 * test_store_perip.c - the per-IP rollups of 018-perip.sql (day_ip,
 * day_auth) give the answers the raw records gave: their sums per
 * report equal the records' (multi-day reports spread by the day rule,
 * every message on some day); doctor's evidence per source, selector
 * and header_from equals the pre-018 queries over the raw records
 * (kept here as the oracle) on same-day reports; and senders (grouped
 * by IP, /24 and base domain, --new), doctor and the IP list answer
 * byte for byte the same after a duplicate, after prune
 * --raw-older-than removed every record, and when migration 018 builds
 * the tables for an existing database (rows equal to ingest's).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "schema/store/store_doctor.h"
#include "schema/store/store_prune.h"
#include "schema/store/store_senders.h"
#include "tests/unit/helper_store.h"

#define D 86400
#define T0 (20000 * (int64_t)D)	/* 2024-10-04 */
#define NIP 9

static const char *const ips[NIP] = { "192.0.2.1", "192.0.2.2",
	"192.0.2.77", "198.51.100.4", "198.51.100.5", "2001:db8::1",
	"2001:db8::2", "203.0.113.9", NULL };
static const struct ds_dkim_result dk[] = {
	{ (char *)"example.com", (char *)"s1", (char *)"pass", NULL },
	{ (char *)"example.com", (char *)"s1", (char *)"fail", NULL },
	{ (char *)"Mail.Example.com", (char *)"s3", (char *)"pass", NULL },
	{ (char *)"example.com", (char *)"fake", (char *)"fail", NULL },
	{ (char *)"esp.example", NULL, (char *)"fail", (char *)"x" },
	{ (char *)"sendgrid.net", (char *)"sg", (char *)"pass", NULL },
	{ NULL, (char *)"n", (char *)"Neutral ", NULL },
};
static const struct ds_spf_result sp[] = {
	{ (char *)"example.com", (char *)"mfrom", (char *)"pass", NULL },
	{ (char *)"example.com", (char *)"mfrom", (char *)"softfail", NULL },
	{ (char *)"bounce.example.com", NULL, (char *)"fail", NULL },
	{ (char *)"example.com", (char *)"helo", (char *)"fail", NULL },
	{ (char *)"fwd.test", (char *)"mfrom", (char *)"pass", NULL },
};
static const char *const reasons[] = { "forwarded", "mailing_list",
	"local_policy", " Trusted_Forwarder", "sampled_out" };
static const char *const words[] = { "pass", "fail", NULL };
static const char *const disps[] = { "none", "quarantine", "reject",
	"pass", NULL };
static const char *const hfs[] = { "example.com", "Sub.Example.com",
	NULL };

/* One record of random shape (rand: fixed seed). */
static void
put_record(struct ds_store *st, int64_t row, GRand *rand)
{
	struct ds_record r;
	struct ds_reason rs;
	GError *e = NULL;
	guint i, n;

	memset(&r, 0, sizeof(r));
	r.source_ip = (char *)ips[g_rand_int_range(rand, 0, NIP)];
	r.count = (uint64_t)g_rand_int_range(rand, 0, 40);
	r.disposition = (char *)disps[g_rand_int_range(rand, 0, 5)];
	r.dkim = (char *)words[g_rand_int_range(rand, 0, 3)];
	r.spf = (char *)words[g_rand_int_range(rand, 0, 3)];
	r.header_from = (char *)hfs[g_rand_int_range(rand, 0, 3)];
	r.reasons = g_array_new(FALSE, TRUE, sizeof(struct ds_reason));
	r.dkim_results = g_array_new(FALSE, TRUE,
	    sizeof(struct ds_dkim_result));
	r.spf_results = g_array_new(FALSE, TRUE, sizeof(struct ds_spf_result));
	n = (guint)g_rand_int_range(rand, 0, 3);
	for (i = 0; i < n; i++) {
		rs.type = (char *)reasons[g_rand_int_range(rand, 0, 5)];
		rs.comment = NULL;
		g_array_append_val(r.reasons, rs);
	}
	n = (guint)g_rand_int_range(rand, 0, 4);
	for (i = 0; i < n; i++)
		g_array_append_val(r.dkim_results,
		    dk[g_rand_int_range(rand, 0, G_N_ELEMENTS(dk))]);
	n = (guint)g_rand_int_range(rand, 1, 3);
	for (i = 0; i < n; i++)
		g_array_append_val(r.spf_results,
		    sp[g_rand_int_range(rand, 0, G_N_ELEMENTS(sp))]);
	assert_true(ds_store_record_put(st, row, &r, &e));
	assert_null(e);
	ts_record_free(&r);
}

static void
put(struct ds_store *st, GRand *rand, const char *org, const char *id,
    const char *dom, int64_t begin, int64_t end, unsigned n)
{
	struct ds_report_meta m;
	GError *e = NULL;
	int64_t row;
	unsigned i;

	ts_meta_fill(&m, org, id, dom, begin, end);
	assert_true(ds_store_report_put(st, &m, "test", 0, &row, &e));
	for (i = 0; i < n; i++)
		put_record(st, row, rand);
	assert_true(ds_store_report_finish(st, row, n, 1, &m, &e));
	assert_null(e);
	ts_meta_free(&m);
}

/*
 * example.com: same-day reports only (both end conventions), so that
 * the day rule and the midpoint rule agree at midnight bounds;
 * multi.example: a 3-day report, a noon-to-noon one and a long one.
 */
static void
fill(struct ds_store *st)
{
	static const char *const orgs[] = { "google.com", "Yahoo",
	    "Microsoft" };
	GRand *rand = g_rand_new_with_seed(18);
	GError *e = NULL;
	char id[16];
	unsigned i;

	assert_true(ds_store_begin(st, &e));
	for (i = 0; i < 18; i++) {
		g_snprintf(id, sizeof(id), "r%u", i);
		put(st, rand, orgs[i % 3], id, i % 5 ? "example.com" :
		    "Example.COM", T0 + (i / 3) * D, T0 + (i / 3 + 1) * D -
		    (i % 2), 12);
	}
	put(st, rand, "google.com", "m1", "multi.example", T0 + D / 4,
	    T0 + 3 * D + 5000, 15);
	put(st, rand, "Yahoo", "m2", "multi.example", T0 + D / 2,
	    T0 + 3 * D / 2, 15);
	put(st, rand, "Yahoo", "m3", "multi.example", T0, T0 + 40 * D, 6);
	assert_true(ds_store_commit(st, &e));
	g_rand_free(rand);
}

/* ---- the rollups' sums per report equal the records' ---- */

#define RAW_AUTH(kind, col, d, s, r, p) \
    " SELECT rec.report_row AS rr, coalesce(rec.source_ip, '') AS ip, " \
    kind " AS k, " d " AS d, " s " AS s, " r " AS r, " p " AS p," \
    " rec.count AS c FROM record AS rec, json_each(rec." col ") AS j"
static const char sql_raw_auth[] =
    "SELECT group_concat(x, ';') FROM (SELECT rr || '|' || ip || '|' || k"
    " || '|' || d || '|' || s || '|' || r || '|' || p || '|' || sum(c) AS x"
    " FROM (" RAW_AUTH("0", "dkim_auth",
	"coalesce(lower(j.value ->> 'domain'), '')",
	"coalesce(j.value ->> 'selector', '')",
	"coalesce(j.value ->> 'result', '')",
	"CASE WHEN lower(rec.spf) = 'pass' THEN 1 ELSE 0 END")
    " UNION ALL" RAW_AUTH("1", "spf_auth",
	"coalesce(lower(j.value ->> 'domain'), '')",
	"coalesce(j.value ->> 'scope', '')",
	"coalesce(j.value ->> 'result', '')", "0")
    " UNION ALL" RAW_AUTH("2", "reasons", "''", "''",
	"coalesce(lower(trim(j.value ->> 'type')), '')", "0")
    ") GROUP BY rr, ip, k, d, s, r, p ORDER BY 1)";
static const char sql_roll_auth[] =
    "SELECT group_concat(x, ';') FROM (SELECT report_row || '|' ||"
    " source_ip || '|' || kind || '|' || auth_domain || '|' || selector"
    " || '|' || result || '|' || spf_pass || '|' || sum(messages) AS x"
    " FROM day_auth GROUP BY report_row, source_ip, kind, auth_domain,"
    " selector, result, spf_pass ORDER BY 1)";
static const char sql_raw_ip[] =
    "SELECT group_concat(x, ';') FROM (SELECT report_row || '|' ||"
    " coalesce(source_ip, '') || '|' || coalesce(dkim, '') || '|' ||"
    " coalesce(spf, '') || '|' || count(*) || '|' || sum(count) AS x"
    " FROM record GROUP BY report_row, coalesce(source_ip, ''),"
    " coalesce(dkim, ''), coalesce(spf, '') ORDER BY 1)";
static const char sql_roll_ip[] =
    "SELECT group_concat(x, ';') FROM (SELECT report_row || '|' ||"
    " source_ip || '|' || dkim || '|' || spf || '|' || sum(records) ||"
    " '|' || sum(messages) AS x FROM day_ip GROUP BY report_row,"
    " source_ip, dkim, spf ORDER BY 1)";

static void
assert_same_text(sqlite3 *db, const char *a, const char *b)
{
	char *x = ts_text(db, a, 0), *y = ts_text(db, b, 0);

	assert_non_null(x);
	assert_string_equal(x, y);
	g_free(x);
	g_free(y);
}

/* ---- pre-018 doctor queries over the raw records: the oracle ---- */

#define PERIOD " r.domain = ?1 AND (r.begin_ts + r.end_ts) / 2 >= ?2" \
    " AND (r.begin_ts + r.end_ts) / 2 < ?3"
#define JDOM "lower(x.value ->> 'domain')"
#define OURS "(" JDOM " = ?4 OR (length(" JDOM ") > length(?4) AND" \
    " substr(" JDOM ", length(" JDOM ") - length(?4)) = '.' || ?4))"
#define SPF_BAD " AND lower(coalesce(x.value ->> 'scope', 'mfrom'))" \
    " <> 'helo' AND lower(coalesce(x.value ->> 'result', '')) <> 'pass'"
static const char old_sources[] =
    "WITH good (d, s) AS (SELECT DISTINCT " JDOM ", x.value ->> 'selector'"
    " FROM report r JOIN record c ON c.report_row = r.id,"
    " json_each(c.dkim_auth) AS x WHERE" PERIOD
    " AND lower(trim(x.value ->> 'result')) = 'pass')"
    " SELECT coalesce(c.source_ip, '-') || ' ' || sum(c.count) || ' ' ||"
    " sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0"
    " END) || ' ' ||"
    " sum(CASE WHEN lower(c.dkim) = 'pass' THEN c.count ELSE 0 END) || ' '"
    " || sum(CASE WHEN lower(c.spf) = 'pass' THEN c.count ELSE 0 END) ||"
    " ' ' || count(DISTINCT r.org_name) || ' ' ||"
    " sum(CASE WHEN c.reasons <> '[]' AND EXISTS (SELECT 1 FROM"
    " json_each(c.reasons) AS x WHERE lower(x.value ->> 'type') IN"
    " ('forwarded', 'mailing_list', 'trusted_forwarder')) THEN c.count"
    " ELSE 0 END) || ' ' ||"
    " sum(CASE WHEN instr(lower(c.dkim_auth), ?4) > 0 AND EXISTS (SELECT 1"
    " FROM json_each(c.dkim_auth) AS x WHERE " OURS " AND (" JDOM ","
    " x.value ->> 'selector') IN (SELECT d, s FROM good)) THEN c.count"
    " ELSE 0 END) || ' ' ||"
    " sum(CASE WHEN lower(c.dkim) = 'pass' AND lower(coalesce(c.spf, ''))"
    " <> 'pass' AND EXISTS (SELECT 1 FROM json_each(c.spf_auth) AS x"
    " WHERE " OURS SPF_BAD ") THEN c.count ELSE 0 END) || ' ' ||"
    " min(r.begin_ts) || ' ' || max(r.end_ts) || ' ' ||"
    " coalesce(max(CASE WHEN lower(c.dkim) = 'pass' AND"
    " lower(coalesce(c.spf, '')) <> 'pass' THEN (SELECT " JDOM " FROM"
    " json_each(c.spf_auth) AS x WHERE " OURS SPF_BAD " LIMIT 1) END), '-')"
    " || ';' FROM report r JOIN record c ON c.report_row = r.id WHERE"
    PERIOD " GROUP BY c.source_ip ORDER BY sum(c.count) DESC, c.source_ip";
static const char old_selectors[] =
    "SELECT coalesce(lower(j.value ->> 'domain'), '-') || '/' ||"
    " coalesce(j.value ->> 'selector', '-') || '/' || r.org_name || '/' ||"
    " coalesce(lower(trim(j.value ->> 'result')), '-') || '/' ||"
    " sum(c.count) || '/' || count(DISTINCT r.id) || '/' || max(r.end_ts)"
    " || '/' || sum(CASE WHEN lower(c.spf) = 'pass' THEN c.count ELSE 0"
    " END) || ';' FROM report r JOIN record c ON c.report_row = r.id,"
    " json_each(c.dkim_auth) AS j WHERE" PERIOD
    " GROUP BY lower(j.value ->> 'domain'), j.value ->> 'selector',"
    " r.org_name, lower(trim(j.value ->> 'result'))"
    " ORDER BY sum(c.count) DESC, lower(j.value ->> 'domain'),"
    " j.value ->> 'selector', r.org_name, lower(trim(j.value ->> 'result'))";
static const char old_from[] =
    "SELECT lower(c.header_from) || ' ' || sum(c.count) || ' ' ||"
    " sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0"
    " END) || ' ' || count(DISTINCT c.source_ip) || ';'"
    " FROM report r JOIN record c ON c.report_row = r.id WHERE" PERIOD
    " AND c.header_from IS NOT NULL GROUP BY lower(c.header_from)"
    " ORDER BY sum(c.count) DESC, lower(c.header_from)";

/* The rows of sql (one text column each) concatenated. */
static char *
old_text(sqlite3 *db, const char *sql, const char *dom, int64_t since,
    int64_t until)
{
	GString *g = g_string_new(NULL);
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(s, 1, dom, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, until);
	if (sqlite3_bind_parameter_count(s) >= 4)
		sqlite3_bind_text(s, 4, dom, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_string_append(g, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return g_string_free(g, FALSE);
}

#define I64 G_GINT64_FORMAT
#define NN(s) ((s) ? (s) : "-")

static bool
src_cb(const struct ds_doc_source *r, void *payload)
{
	g_string_append_printf(payload, "%s %" I64 " %" I64 " %" I64 " %" I64
	    " %" I64 " %" I64 " %" I64 " %" I64 " %" I64 " %" I64 " %s;",
	    NN(r->ip), r->messages, r->dmarc_pass, r->dkim_pass, r->spf_pass,
	    r->reporters, r->fwd_reason, r->own_sig, r->dkim_pass_spf_fail,
	    r->first_seen, r->last_seen, NN(r->spf_fail_domain));
	return true;
}

static bool
sel_cb(const struct ds_doc_selector *r, void *payload)
{
	g_string_append_printf(payload, "%s/%s/%s/%s/%" I64 "/%" I64 "/%" I64
	    "/%" I64 ";", NN(r->domain), NN(r->selector), r->org_name,
	    NN(r->result), r->messages, r->reports, r->last_seen, r->spf_pass);
	return true;
}

static bool
from_cb(const struct ds_doc_from *r, void *payload)
{
	g_string_append_printf(payload, "%s %" I64 " %" I64 " %" I64 ";",
	    r->header_from, r->messages, r->dmarc_pass, r->ips);
	return true;
}

typedef bool (*walk_fn)(struct ds_store *, const struct ds_query *,
    GString *, GError **);

static bool
w_sources(struct ds_store *st, const struct ds_query *q, GString *g,
    GError **e)
{
	return ds_store_doc_sources_each(st, q, q->domain, src_cb, g, e);
}

static bool
w_selectors(struct ds_store *st, const struct ds_query *q, GString *g,
    GError **e)
{
	return ds_store_doc_selectors_each(st, q, sel_cb, g, e);
}

static bool
w_from(struct ds_store *st, const struct ds_query *q, GString *g, GError **e)
{
	return ds_store_doc_from_each(st, q, from_cb, g, e);
}

static char *
new_text(struct ds_store *st, walk_fn fn, const char *dom, int64_t since,
    int64_t until)
{
	GString *g = g_string_new(NULL);
	struct ds_query q;
	GError *e = NULL;

	ds_query_init(&q);
	q.domain = dom;
	q.since = since;
	q.until = until;
	assert_true(fn(st, &q, g, &e));
	assert_null(e);
	return g_string_free(g, FALSE);
}

/* ---- every answer, serialized, to compare before and after ---- */

static void
auth_list(GString *g, const GArray *a)
{
	guint i;

	for (i = 0; a && i < a->len; i++) {
		const struct ds_auth_count *c = &g_array_index(a,
		    struct ds_auth_count, i);

		g_string_append_printf(g, "%s/%s/%s=%" I64 ",", NN(c->domain),
		    NN(c->selector), NN(c->result), c->messages);
	}
	g_string_append_c(g, ' ');
}

static void
str_list(GString *g, const GPtrArray *a)
{
	guint i;

	for (i = 0; a && i < a->len; i++)
		g_string_append_printf(g, "%s,", (char *)a->pdata[i]);
	g_string_append_c(g, ' ');
}

static void
senders_text(struct ds_store *st, GString *g, const char *dom,
    int64_t since, int64_t until, enum ds_group grp, bool only_new)
{
	struct ds_sender_query q;
	GPtrArray *out;
	GError *e = NULL;
	guint i;

	ds_sender_query_init(&q);
	q.period.domain = dom;
	q.period.since = since;
	q.period.until = until;
	q.group = grp;
	q.only_new = only_new;
	assert_true(ds_store_senders(st, &q, &out, &e));
	assert_null(e);
	for (i = 0; i < out->len; i++) {
		const struct ds_sender *s = out->pdata[i];

		g_string_append_printf(g, "%s %" I64 " m%" I64 " r%" I64 " p%"
		    I64 " f%" I64 " k%" I64 " s%" I64 " d%" I64 ",%" I64 ",%"
		    I64 ",%" I64 ",%" I64 " n%" I64 " %" I64 "-%" I64 " %d ",
		    NN(s->key), s->ips, s->messages, s->records, s->dmarc_pass,
		    s->dmarc_fail, s->dkim_pass, s->spf_pass, s->disp.none,
		    s->disp.quarantine, s->disp.reject, s->disp.pass,
		    s->disp.other, s->reports, s->first_seen, s->last_seen,
		    s->is_new);
		auth_list(g, s->dkim);
		auth_list(g, s->spf);
		auth_list(g, s->reasons);
		str_list(g, s->reporters);
		str_list(g, s->header_from);
		g_string_append(g, ";\n");
	}
	g_ptr_array_unref(out);
}

static bool
count_ip(const char *ip, void *payload)
{
	(void)ip;
	++*(int *)payload;
	return true;
}

static char *
everything(struct ds_store *st)
{
	static const char *const doms[] = { "example.com", "multi.example",
	    NULL };
	static const enum ds_group grp[] = { DS_GROUP_IP, DS_GROUP_NET,
	    DS_GROUP_DOMAIN };
	GString *g = g_string_new(NULL);
	struct ds_query q;
	GError *e = NULL;
	guint i, j;
	int n;
	char *t;

	for (i = 0; i < G_N_ELEMENTS(doms); i++) {
		for (j = 0; j < G_N_ELEMENTS(grp); j++) {
			senders_text(st, g, doms[i], INT64_MIN, INT64_MAX,
			    grp[j], false);
			senders_text(st, g, doms[i], T0 + D, T0 + 4 * D,
			    grp[j], false);
		}
		senders_text(st, g, doms[i], T0 + 2 * D, T0 + 5 * D + D / 2,
		    DS_GROUP_IP, true);
		ds_query_init(&q);
		q.domain = doms[i];
		n = 0;
		assert_true(ds_store_sender_ips_each(st, &q, count_ip, &n, &e));
		g_string_append_printf(g, "ips %d\n", n);
		if (doms[i] == NULL)
			continue;
		t = new_text(st, w_sources, doms[i], T0, T0 + 10 * D);
		g_string_append_printf(g, "%s\n", t);
		g_free(t);
		t = new_text(st, w_selectors, doms[i], T0 - D, T0 + 2 * D);
		g_string_append_printf(g, "%s\n", t);
		g_free(t);
		t = new_text(st, w_from, doms[i], T0 + D / 2, T0 + 50 * D);
		g_string_append_printf(g, "%s\n", t);
		g_free(t);
	}
	return g_string_free(g, FALSE);
}

/* The rollups equal the raw records, and the answers the old queries. */
static void
test_equal_raw(void **state)
{
	struct ts_fx *f = *state;
	int64_t a, b;
	char *x, *y;
	walk_fn fn[] = { w_sources, w_selectors, w_from };
	const char *old[] = { old_sources, old_selectors, old_from };
	guint i;

	fill(f->st);
	assert_true(ts_int(f->db, "SELECT count(*) FROM day_auth", 0) > 300);
	assert_same_text(f->db, sql_raw_auth, sql_roll_auth);
	assert_same_text(f->db, sql_raw_ip, sql_roll_ip);
	/* the 3-day report: 4 days of rows, records on the midpoint's */
	assert_int_equal(ts_int(f->db, "SELECT count(DISTINCT day) FROM day_ip"
	    " JOIN report ON report.id = report_row WHERE report_id = 'm1'",
	    0), 4);
	assert_int_equal(ts_int(f->db, "SELECT count(DISTINCT day) FROM day_ip"
	    " JOIN report ON report.id = report_row WHERE report_id = 'm1'"
	    " AND day_ip.records > 0", 0), 1);
	/* every midnight-bounded period of example.com: as before 018 */
	for (a = T0 - D; a <= T0 + 6 * D; a += D)
		for (b = a + D; b <= T0 + 7 * D; b += 2 * D)
			for (i = 0; i < G_N_ELEMENTS(fn); i++) {
				x = old_text(f->db, old[i], "example.com",
				    a, b);
				y = new_text(f->st, fn[i], "example.com",
				    a, b);
				assert_string_equal(x, y);
				g_free(x);
				g_free(y);
			}
	/* and the old queries found something to compare */
	x = new_text(f->st, w_sources, "example.com", T0, T0 + 7 * D);
	assert_non_null(strstr(x, "192.0.2.1 "));
	assert_non_null(strstr(x, "- "));	/* the record without IP */
	g_free(x);
}

/* Same answers after a duplicate and after every record is pruned. */
static void
test_prune(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	struct ds_prune p;
	struct ds_prune_stats out;
	GError *e = NULL;
	int64_t row, before;
	char *x, *y;

	fill(f->st);
	x = everything(f->st);
	assert_true(strlen(x) > 2000);
	ts_meta_fill(&m, "Yahoo", "m2", "multi.example", T0 + D / 2,
	    T0 + 3 * D / 2);
	assert_true(ds_store_begin(f->st, &e));
	assert_false(ds_store_report_put(f->st, &m, "t", 0, &row, &e));
	assert_true(g_error_matches(e, DS_ERROR, DS_ERROR_DUP));
	g_clear_error(&e);
	assert_true(ds_store_commit(f->st, &e));
	ts_meta_free(&m);
	y = everything(f->st);
	assert_string_equal(x, y);
	g_free(y);

	ds_prune_init(&p);
	p.raw_before = T0 + 100 * D;
	assert_true(ds_store_prune(f->st, &p, &out, &e));
	assert_null(e);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM record", 0), 0);
	y = everything(f->st);
	assert_string_equal(x, y);
	g_free(y);
	/* nothing is missing from the per-IP rollups */
	assert_true(ds_store_perip_missing_before(f->st, &before, &e));
	assert_int_equal(before, INT64_MIN);
	g_free(x);
}

/*
 * Migration 018 on a store of schema 17 builds the same rows ingest
 * wrote; a store pruned before 018 gets the mark that says which
 * reports its per-IP rollups lack.
 */
static void
test_migration(void **state)
{
	struct ts_fx *f = *state;
	const char *dump = "SELECT group_concat(x, ';') FROM (SELECT"
	    " report_row || '|' || day || '|' || source_ip || '|' || dkim ||"
	    " '|' || spf || '|' || fwd || '|' || spf_fail || '|' || own_dkim"
	    " || '|' || records || '|' || messages AS x FROM day_ip UNION ALL"
	    " SELECT report_row || '|' || day || '|' || source_ip || '|' ||"
	    " kind || '|' || auth_domain || '|' || selector || '|' || result"
	    " || '|' || spf_pass || '|' || messages FROM day_auth ORDER BY 1)";
	char *rows, *ans, *x;
	GError *e = NULL;
	int64_t before;
	sqlite3 *rw;

	fill(f->st);
	rows = ts_text(f->db, dump, 0);
	ans = everything(f->st);
	assert_true(strstr(rows, "|[[\"example.com\",\"s1\"]]|") != NULL);
	ds_store_close(f->st);
	assert_int_equal(sqlite3_open(f->path, &rw), SQLITE_OK);
	/* back to 17: undo 018 and what 019 added */
	assert_int_equal(sqlite3_exec(rw, "DROP TABLE day_ip;"
	    " DROP TABLE day_auth;"
	    " DROP INDEX record_report_seq; ALTER TABLE record DROP COLUMN"
	    " mid_ts; CREATE INDEX record_report_seq ON record (report_row,"
	    " id, source_ip, count, disposition, dkim, spf);"
	    " PRAGMA user_version = 17", NULL, NULL,
	    NULL), SQLITE_OK);
	f->st = ds_store_open(f->path, &e);
	assert_null(e);
	assert_true(ds_store_schema_version(f->st) >= 18);
	x = ts_text(f->db, dump, 0);
	assert_string_equal(rows, x);
	g_free(x);
	x = everything(f->st);
	assert_string_equal(ans, x);
	g_free(x);

	/* pruned before 018: the migration cannot rebuild those */
	ds_store_close(f->st);
	assert_int_equal(sqlite3_exec(rw, "DROP TABLE day_ip;"
	    " DROP TABLE day_auth; DELETE FROM retention;"
	    " DELETE FROM record WHERE report_row IN (SELECT id FROM report"
	    " WHERE end_ts < 20003 * 86400);"
	    " INSERT INTO retention VALUES ('raw', 20003 * 86400);"
	    " DROP INDEX record_report_seq; ALTER TABLE record DROP COLUMN"
	    " mid_ts; CREATE INDEX record_report_seq ON record (report_row,"
	    " id, source_ip, count, disposition, dkim, spf);"
	    " PRAGMA user_version = 17", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(rw);
	f->st = ds_store_open(f->path, &e);
	assert_null(e);
	assert_true(ds_store_perip_missing_before(f->st, &before, &e));
	assert_int_equal(before, T0 + 3 * D);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM day_ip JOIN"
	    " report ON report.id = report_row WHERE end_ts < ?1", T0 + 3 * D),
	    0);
	assert_true(ts_int(f->db, "SELECT count(*) FROM day_ip", 0) > 50);
	g_free(rows);
	g_free(ans);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_equal_raw, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_prune, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_migration, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
