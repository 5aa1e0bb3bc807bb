/*
 * weekly.h - the weekly report of one domain for one ISO 8601 week:
 * headline numbers and their change from the week before, new senders,
 * sources that started failing, policy changes, reporters that went
 * silent, and a short "what to do" list. Computed from the reporter
 * queries (schema/store/store_senders.h), rendered for mail clients
 * (weekly_html.c: inline CSS, layout tables, no script, no SVG) and as
 * plain text (weekly_text.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_WEEKLY_H
#define DS_WEEKLY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/store/store_senders.h"

struct ds_decl;

#define DS_WEEK (7 * DS_DAY)
#define DS_WEEKLY_TOP 10	/* rows per list */
#define DS_WEEKLY_SILENT_WEEKS 4	/* look-back for silent reporters */

/* The headline numbers of one week. */
struct ds_weekly_nums {
	int64_t messages, dmarc_pass, dmarc_fail;
	int64_t dkim_pass, spf_pass;
	int64_t quarantine, reject;
	int64_t reports, reporters, ips;
};

/* A reporter that sent reports before this week but none in it. */
struct ds_weekly_silent {
	char *org_name;
	int64_t last_report;	/* end of its last report */
	int64_t reports;	/* reports in the look-back weeks */
};

/* SMTP TLS reports of the week (RFC 8460); reports == 0: none */
struct ds_weekly_tls {
	int64_t reports, ok, failed;
	GPtrArray *failures;	/* char *: "certificate-expired: 25
				   failed sessions to MX mx1.example.com
				   (what it means). Fix: ...", most
				   first, the fix doctor gives */
};

struct ds_weekly {
	char *domain;
	char week[16];		/* "2026-W47" */
	int64_t since, until;	/* Monday 00:00 UTC, + 7 days */
	struct ds_weekly_nums cur, prev;
	char *policy;		/* the policy at the end of the week, text */
	char *p;		/* its p= ("none"...), NULL unknown */
	GPtrArray *policy_changes;	/* char *: "p=none ... -> p=reject ...
				   (weakened: p lowered)", from the
				   timeline (store_policy.h) */
	GPtrArray *new_senders;	/* struct ds_sender *: first seen now */
	GPtrArray *new_failing;	/* struct ds_sender *: failing now, not
				   the week before */
	GPtrArray *top_failing;	/* struct ds_sender *: most failing */
	GPtrArray *silent;	/* struct ds_weekly_silent * */
	GPtrArray *todo;	/* char *: doctor's findings with their
				   fixes (ds_weekly_advise), plain text */
	struct ds_weekly_tls tls;
	GHashTable *classes;	/* source IP -> class name (static) of
				   the week, as doctor classified it
				   (ds_weekly_advise); NULL before */
};

/*
 * Parse "2026-W47" (ISO 8601 week date, weeks 01..53 as the year has
 * them) into the Unix time of that Monday 00:00 UTC. DS_ERROR_USAGE.
 */
bool ds_iso_week_parse(const char *s, int64_t *out, GError **err);
/* The Monday 00:00 UTC starting the last complete ISO week before now. */
int64_t ds_iso_week_last(int64_t now);
/* Write the ISO week name of the Monday t into buf ("2026-W47"). */
void ds_iso_week_name(int64_t t, char buf[16]);

/*
 * Compute the weekly report of domain for the week starting at monday
 * into out (caller ds_weekly_clear()s it, also after a failure). info
 * (may be NULL) enriches the senders with PTR and service.
 * DS_ERROR_DB.
 */
bool ds_weekly_compute(struct ds_store *st, const char *domain,
    int64_t monday, ds_ipinfo_fn info, void *info_payload,
    struct ds_weekly *out, GError **err);
void ds_weekly_clear(struct ds_weekly *w);

/*
 * Fill w->todo with doctor's findings for the domain and the week
 * (weekly_advice.c), resolved through dns, with the user's
 * declarations decl (may be NULL). DS_ERROR_DB.
 */
bool ds_weekly_advise(struct ds_weekly *w, struct ds_store *st,
    struct ds_dns *dns, const struct ds_decl *decl, int64_t now,
    GError **err);

/* The report as one HTML document for mail clients (weekly_html.c). */
void ds_weekly_html(GString *g, const struct ds_weekly *w);
/* weekly_tls.c: fill w->tls for w->domain, w->since..until (DS_ERROR_DB);
 * the TLS section in HTML and text, nothing when no TLS report came */
bool ds_weekly_tls_compute(struct ds_store *st, struct ds_weekly *w,
    GError **err);
void ds_weekly_tls_html(GString *g, const struct ds_weekly *w);
void ds_weekly_tls_text(GString *g, const struct ds_weekly *w);
/* The report as plain text, lines under 78 columns (weekly_text.c). */
void ds_weekly_text(GString *g, const struct ds_weekly *w);
/* "Weekly DMARC report for D, 2026-W47" (plain text; caller g_frees). */
char *ds_weekly_subject(const struct ds_weekly *w);

#endif
