/*
 * cli.c - common options, time periods and formats for every subcommand.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"

struct ds_cli ds_cli;

static const GOptionEntry common[] = {
	{ "db", 0, 0, G_OPTION_ARG_FILENAME, &ds_cli.db,
	  "SQLite database (default $DMARCSIFT_DB, else "
	  "$XDG_DATA_HOME/dmarcsift/dmarc.db)", "FILE" },
	{ "config", 0, 0, G_OPTION_ARG_FILENAME, &ds_cli.config,
	  "configuration file (default $XDG_CONFIG_HOME/dmarcsift/config)",
	  "FILE" },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &ds_cli.quiet,
	  "print nothing unless something needs attention", NULL },
	{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &ds_cli.verbose,
	  "one line per input", NULL },
	G_OPTION_ENTRY_NULL
};

const GOptionEntry *
ds_cli_common_entries(void)
{
	return common;
}

struct ds_cli_dns ds_cli_dns;

static const GOptionEntry dns_entries[] = {
	{ "offline", 0, 0, G_OPTION_ARG_NONE, &ds_cli_dns.offline,
	  "no DNS queries at all", NULL },
	{ "dns-zone", 0, 0, G_OPTION_ARG_FILENAME, &ds_cli_dns.zone,
	  "answer DNS queries from this zone file only (RFC 1035 syntax)",
	  "FILE" },
	G_OPTION_ENTRY_NULL
};

const GOptionEntry *
ds_cli_dns_entries(void)
{
	return dns_entries;
}

static size_t
entries_len(const GOptionEntry *e)
{
	size_t n = 0;

	while (e != NULL && e[n].long_name != NULL)
		n++;
	return n;
}

GOptionEntry *
ds_cli_entries_join(const GOptionEntry *own, const GOptionEntry *extra)
{
	size_t a = entries_len(own), b = entries_len(extra);
	GOptionEntry *all;

	all = g_new0(GOptionEntry, a + b + 1);
	if (a > 0)
		memcpy(all, own, a * sizeof(*all));
	if (b > 0)
		memcpy(all + a, extra, b * sizeof(*all));
	return all;
}

struct ds_dns *
ds_cli_open_dns(GError **err)
{
	if (ds_cli_dns.offline && ds_cli_dns.zone != NULL) {
		ds_fail(err, DS_ERROR_USAGE,
		    "--offline and --dns-zone exclude each other");
		return NULL;
	}
	if (ds_cli_dns.offline)
		return ds_dns_new(DS_DNS_OFF, NULL, err);
	if (ds_cli_dns.zone != NULL)
		return ds_dns_new(DS_DNS_ZONE, ds_cli_dns.zone, err);
	return ds_dns_new(DS_DNS_SYSTEM, NULL, err);
}

bool
ds_cli_parse(const char *name, const char *params, const char *summary,
    const GOptionEntry *entries, int *argc, char ***argv)
{
	GOptionContext *ctx;
	GError *e = NULL;
	char *title;
	bool ok;

	title = g_strdup_printf("%s", params ? params : "");
	ctx = g_option_context_new(title);
	g_free(title);
	g_option_context_set_summary(ctx, summary);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_main_entries(ctx, common, NULL);
	g_set_prgname(name);
	ok = g_option_context_parse(ctx, argc, argv, &e);
	if (!ok) {
		g_printerr("dmarcsift %s: %s\n(see 'dmarcsift %s --help')\n",
		    name, e->message, name);
		g_error_free(e);
	}
	g_option_context_free(ctx);
	return ok;
}

struct ds_store *
ds_cli_open_store(GError **err)
{
	return ds_store_open(ds_cli.db, err);
}

struct ds_store *
ds_cli_open_store_readonly(GError **err)
{
	return ds_store_open_readonly(ds_cli.db, err);
}

bool
ds_parse_time(const char *s, int64_t now, int64_t *out, GError **err)
{
	GDateTime *dt;
	GTimeZone *utc;
	char *end, *iso;
	gint64 v;
	size_t n = strlen(s);

	if (n == 0)
		goto bad;
	if (s[0] == '@') {
		v = g_ascii_strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			goto bad;
		*out = v;
		return true;
	}
	if (g_ascii_isdigit(s[0]) && strchr("mhdw", s[n - 1]) && n < 12) {
		v = g_ascii_strtoll(s, &end, 10);
		if (end != s + n - 1 || v < 0 || v > 100000)
			goto bad;
		switch (s[n - 1]) {
		case 'm': v *= 60; break;
		case 'h': v *= 3600; break;
		case 'd': v *= 86400; break;
		default: v *= 7 * 86400; break;
		}
		*out = now - v;
		return true;
	}
	utc = g_time_zone_new_utc();
	if (n == 10)
		iso = g_strdup_printf("%sT00:00:00Z", s);
	else if (n == 16)
		iso = g_strdup_printf("%s:00Z", s);
	else if (s[n - 1] != 'Z' && (n <= 10 || strchr(s + 10, '+') == NULL))
		iso = g_strdup_printf("%sZ", s);
	else
		iso = g_strdup(s);
	dt = g_date_time_new_from_iso8601(iso, utc);
	g_free(iso);
	g_time_zone_unref(utc);
	if (dt == NULL)
		goto bad;
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
bad:
	return ds_fail(err, DS_ERROR_USAGE,
	    "bad time '%s' (use 2026-11-01, 2026-11-01T10:00, @UNIX, 7d, 4w)",
	    s);
}

bool
ds_parse_outfmt(const char *s, enum ds_outfmt *out, GError **err)
{
	if (s == NULL || strcmp(s, "text") == 0)
		*out = DS_OUT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = DS_OUT_JSON;
	else if (strcmp(s, "csv") == 0)
		*out = DS_OUT_CSV;
	else
		return ds_fail(err, DS_ERROR_USAGE,
		    "bad format '%s' (text, json or csv)", s);
	return true;
}

int
ds_cli_fail(const GError *e)
{
	g_printerr("dmarcsift: %s\n", e->message);
	return ds_error_exit_code(e);
}
