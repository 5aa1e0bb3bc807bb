/*
 * dsgen_rec.c - invent the rows of an aggregate report: source addresses
 * (canonical text, RFC 5952 for IPv6), DKIM and SPF results, and the
 * policy_evaluated verdicts derived from them by DMARC identifier alignment
 * (RFC 7489 section 3.1, RFC 9989), as a receiver would report them.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "dsgen.h"

/* first octets of widely used public unicast IPv4 space */
static const guint8 pub8[] = { 5, 23, 31, 37, 45, 46, 62, 77, 78, 80, 81, 85,
	88, 91, 92, 94, 95, 103, 109, 113, 117, 118, 121, 123, 125, 141, 171,
	176, 177, 178, 181, 185, 186, 187, 188, 190, 193, 194, 195, 196, 200,
	201, 202, 212, 213, 217 };

static const char *const selectors[] = { "google", "s1", "selector1", "k1",
	"mail", "dkim", "20230601" };

static const char *const spam_domains[] = { "mail-delivery.top",
	"secure-notice.xyz", "account-verify.info", "bulkmailer.ru",
	"promo-deals.click", "invoice-center.online" };

static const struct esp {
	guint32 net, mask; /* IPv4 range */
	const char *dkim_domain, *selector, *bounce;
} esps[] = {
	{ 0xa7594000u, 0x3fffu, "sendgrid.info", "s1", "sendgrid.net" },
	{ 0x36f00000u, 0x3fffu, "amazonses.com",
	    "224i4yxa5dv7c2xz3womw6peuasteono", "amazonses.com" },
	{ 0xc6028000u, 0x3fffu, "mandrillapp.com", "mandrill",
	    "mandrillapp.com" },
};

static const char *const lists[] = { "lists.debian.org", "googlegroups.com",
	"lists.freebsd.org", "groups.io" };

static guint64
mix64(guint64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static guint64
hash_str(const char *s)
{
	guint64 h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (guint8)g_ascii_tolower(*s)) * 0x100000001b3ull;
	return h;
}

/* Format the IPv4 address a (host order) into buf (>= 16 bytes). */
void
ds_gen_ip4(char *buf, guint32 a)
{
	g_snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
	    (a >> 8) & 255, a & 255);
}

/*
 * Format the IPv6 address of eight groups g into buf (>= 40 bytes) in the
 * RFC 5952 canonical form: lower case, no leading zeros, the longest run
 * (first on a tie) of two or more zero groups as "::".
 */
void
ds_gen_ip6(char *buf, const guint16 *g)
{
	int best = -1, bestlen = 1, i, j, n = 0;

	for (i = 0; i < 8; i = j + 1) {
		for (j = i; j < 8 && g[j] == 0; j++)
			;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n += g_snprintf(buf + n, 40 - n, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			n += g_snprintf(buf + n, 40 - n, ":");
		n += g_snprintf(buf + n, 40 - n, "%x", g[i]);
	}
}

static guint32
public_ip4(guint64 h)
{
	guint32 a;

	a = (guint32)pub8[h % G_N_ELEMENTS(pub8)] << 24;
	a |= (guint32)((h >> 8) & 0xffff) << 8;
	return a | (1 + (guint32)((h >> 24) % 254));
}

static void
own_ip(char *buf, const char *domain, unsigned k)
{
	guint64 h = mix64(hash_str(domain));
	guint16 g[8] = { 0x2a01, 0x4f8, 0, 0, 0, 0, 0, 0 };

	if (k < 4) {
		ds_gen_ip4(buf, (public_ip4(h) & 0xffffff00u) | (10 + k));
		return;
	}
	g[2] = (guint16)(0x100 + (h >> 32) % 0xf00);
	g[3] = (guint16)(1 + (h >> 44) % 0xfff);
	g[7] = (guint16)(0x25 + k - 4);
	ds_gen_ip6(buf, g);
}

static void
spoof_ip(char *buf, const char *domain, unsigned npool, GRand *r)
{
	guint64 h;
	guint16 g[8];
	int i;

	h = mix64(hash_str(domain) ^
	          mix64(g_rand_int_range(r, 0, (gint32)MAX(npool, 1))));
	if (h % 5 != 0) {
		ds_gen_ip4(buf, public_ip4(h >> 3));
		return;
	}
	for (i = 0; i < 8; i++)
		g[i] = (guint16)(mix64(h + (guint64)i) & 0xffff);
	g[0] = (guint16)(0x2a00 | (g[0] & 0xff));
	if (h & 0x100)
		g[4] = g[5] = g[6] = 0; /* often zero runs */
	ds_gen_ip6(buf, g);
}

/*
 * Fill report r's report_id in the style of its reporter, from rand.
 */
void
ds_gen_report_id(struct ds_gen_report *r, GRand *rand)
{
	static const char hex[] = "0123456789abcdef";
	char *p = r->report_id;
	unsigned i, n;

	switch (r->rep->idstyle) {
	case DS_GEN_ID_DIGITS:
		n = MIN(r->rep->id_digits, sizeof(r->report_id) - 1);
		for (i = 0; i < n; i++)
			p[i] =
			    (char)('0' + g_rand_int_range(rand, i ? 0 : 1, 10));
		p[n] = '\0';
		break;
	case DS_GEN_ID_HEX32:
		for (i = 0; i < 32; i++)
			p[i] = hex[g_rand_int_range(rand, 0, 16)];
		p[32] = '\0';
		break;
	case DS_GEN_ID_DOTTED:
		g_snprintf(p, sizeof(r->report_id), "%" G_GINT64_FORMAT ".%06d",
		    r->begin, g_rand_int_range(rand, 0, 1000000));
		break;
	case DS_GEN_ID_UUID:
		for (i = 0; i < 36; i++)
			p[i] = hex[g_rand_int_range(rand, 0, 16)];
		p[8] = p[13] = p[18] = p[23] = '-';
		p[36] = '\0';
		break;
	}
}

/*
 * Fill *pol with the published DMARC policy of domain: fixed for
 * example.com (reject) and example.org (quarantine), from a hash of the name
 * otherwise, so a domain keeps one policy across reports.
 */
void
ds_gen_policy_for(struct ds_gen_policy *pol, const char *domain)
{
	static const char *const ps[] = { "none", "quarantine", "reject" };
	guint64 h = mix64(hash_str(domain));

	if (g_ascii_strcasecmp(domain, "example.com") == 0)
		h = 2 | (h & ~3ull);
	else if (g_ascii_strcasecmp(domain, "example.org") == 0)
		h = 1 | (h & ~3ull);
	pol->p = ps[(h & 3) % 3];
	pol->sp = (h & 0x10) ? ps[((h & 3) + 2) % 3] : pol->p;
	pol->np = "reject";
	pol->adkim = (h & 0x20) ? "s" : "r";
	pol->aspf = (h & 0x40) ? "s" : "r";
	pol->pct = 100;
}

/*
 * Draw a message count in 1..1000, skewed small as in real reports.
 */
unsigned
ds_gen_count(GRand *rand)
{
	int u = g_rand_int_range(rand, 0, 100);

	if (u < 55)
		return (unsigned)g_rand_int_range(rand, 1, 4);
	if (u < 80)
		return (unsigned)g_rand_int_range(rand, 4, 31);
	if (u < 95)
		return (unsigned)g_rand_int_range(rand, 31, 301);
	return (unsigned)g_rand_int_range(rand, 301, 1001);
}

static const char *
pick(GRand *r, const char *const *v, size_t n)
{
	return v[g_rand_int_range(r, 0, (gint32)n)];
}

#define PICK(r, v) pick((r), (v), G_N_ELEMENTS(v))

static bool
chance(GRand *r, int percent)
{
	return g_rand_int_range(r, 0, 100) < percent;
}

static void
add_dkim(struct ds_gen_rec *rec, const char *domain, const char *sel,
    const char *result)
{
	struct ds_gen_dkim *d;

	if (rec->ndkim == DS_GEN_MAX_DKIM)
		return;
	d = &rec->dkim[rec->ndkim++];
	g_strlcpy(d->domain, domain, sizeof(d->domain));
	d->selector = sel;
	d->result = result;
}

static void
add_spf(struct ds_gen_rec *rec, const char *domain, const char *scope,
    const char *result)
{
	struct ds_gen_spf *s;

	if (rec->nspf == DS_GEN_MAX_SPF)
		return;
	s = &rec->spf[rec->nspf++];
	g_strlcpy(s->domain, domain, sizeof(s->domain));
	s->scope = scope;
	s->result = result;
}

/* The organizational domain, as far as dsgen's names go. */
static const char *
org_of(const char *name, const char *policy_domain)
{
	size_t n = strlen(name), m = strlen(policy_domain);

	if (n > m && name[n - m - 1] == '.' &&
	    g_ascii_strcasecmp(name + n - m, policy_domain) == 0)
		return policy_domain;
	return name;
}

/* RFC 7489 section 3.1: strict is exact, relaxed compares org domains */
static bool
aligned(const char *id, const char *hfrom, const char *mode, const char *pd)
{
	if (strcmp(mode, "s") == 0)
		return g_ascii_strcasecmp(id, hfrom) == 0;
	return g_ascii_strcasecmp(org_of(id, pd), org_of(hfrom, pd)) == 0;
}

static void
verdicts(struct ds_gen_rec *rec, const struct ds_gen_report *r,
    enum ds_gen_cat cat, GRand *rand)
{
	const char *base;
	unsigned i;

	rec->dkim_pass = rec->spf_pass = false;
	for (i = 0; i < rec->ndkim; i++)
		if (strcmp(rec->dkim[i].result, "pass") == 0 &&
		    aligned(rec->dkim[i].domain, rec->header_from, r->pol.adkim,
		        r->domain))
			rec->dkim_pass = true;
	for (i = 0; i < rec->nspf; i++)
		if (strcmp(rec->spf[i].scope, "mfrom") == 0 &&
		    strcmp(rec->spf[i].result, "pass") == 0 &&
		    aligned(rec->spf[i].domain, rec->header_from, r->pol.aspf,
		        r->domain))
			rec->spf_pass = true;
	rec->nreason = 0;
	if (rec->dkim_pass || rec->spf_pass) {
		rec->disposition = "none";
		if (r->fmt == DS_GEN_RFC9990 && chance(rand, 50))
			rec->disposition = "pass"; /* RFC 9990 only */
		return;
	}
	base = strcmp(rec->header_from, r->domain) == 0 ? r->pol.p : r->pol.sp;
	rec->disposition = base;
	if (cat == DS_GEN_FWD && chance(rand, 60)) {
		rec->disposition = "none";
		rec->reason[rec->nreason++].type = r->fmt == DS_GEN_RFC9990
		                                       ? "trusted_forwarder"
		                                       : "forwarded";
	} else if (cat == DS_GEN_LIST && chance(rand, 60)) {
		rec->disposition = "none";
		rec->reason[rec->nreason++].type = "mailing_list";
	} else if (strcmp(base, "reject") == 0 && chance(rand, 10)) {
		rec->disposition = "quarantine";
		rec->reason[rec->nreason].type = "local_policy";
		rec->reason[rec->nreason++].comment =
		    "quarantined instead of rejected by local policy";
	} else if (strcmp(base, "none") != 0 && chance(rand, 5)) {
		rec->disposition = "none";
		rec->reason[rec->nreason].type = "local_policy";
		rec->reason[rec->nreason++].comment =
		    "sender allowlisted by recipient";
	}
}

static void
gen_own(struct ds_gen_rec *rec, const struct ds_gen_report *r, GRand *rand)
{
	const char *sel = PICK(rand, selectors);

	add_dkim(
	    rec, rec->header_from, sel, chance(rand, 97) ? "pass" : "fail");
	if (chance(rand, 20))
		add_dkim(rec, r->domain, "s2", "pass");
	g_strlcpy(rec->envelope_from, rec->header_from, DS_GEN_NAME);
	add_spf(rec, rec->envelope_from, "mfrom", "pass");
}

/* Parse a dotted-quad IPv4 address (ours, so no leading zeros). */
static bool
parse_ip4(const char *s, guint32 *out)
{
	char **v = g_strsplit(s, ".", 5);
	guint64 n = 0;
	bool ok = g_strv_length(v) == 4;
	int i;

	*out = 0;
	for (i = 0; ok && i < 4; i++) {
		ok = g_ascii_string_to_unsigned(v[i], 10, 0, 255, &n, NULL);
		*out = (*out << 8) | (guint32)n;
	}
	g_strfreev(v);
	return ok;
}

static void
gen_esp(struct ds_gen_rec *rec, const struct ds_gen_report *r, GRand *rand)
{
	const struct esp *e =
	    &esps[g_rand_int_range(rand, 0, G_N_ELEMENTS(esps))];
	guint32 a;
	size_t i;

	if (parse_ip4(rec->ip, &a))
		for (i = 0; i < G_N_ELEMENTS(esps); i++)
			if ((a & ~esps[i].mask) == esps[i].net)
				e = &esps[i];
	if (rec->ip[0] == '\0')
		ds_gen_ip4(
		    rec->ip, e->net | (1 + (g_rand_int(rand) % e->mask)));
	add_dkim(rec, rec->header_from, chance(rand, 50) ? "s1" : "em", "pass");
	add_dkim(rec, e->dkim_domain, e->selector, "pass");
	/* a key rotation in progress: the old key signs too (one in four,
	 * from a hash, so the random stream stays as it was) */
	if (r->dkim3 &&
	    mix64(hash_str(rec->ip) ^ hash_str(rec->header_from)) % 4 == 0)
		add_dkim(rec, r->domain, "s2", "pass");
	g_strlcpy(rec->envelope_from, e->bounce, DS_GEN_NAME);
	add_spf(rec, e->bounce, "mfrom", "pass");
}

static void
gen_fwd(struct ds_gen_rec *rec, const struct ds_gen_report *r, GRand *rand)
{
	static const guint16 g6[8] = { 0x2a00, 0x1450, 0x4864, 0x20, 0, 0, 0,
		0x52e };
	const char *sel;
	guint32 net;

	if (rec->ip[0] == '\0' && chance(rand, 20))
		ds_gen_ip6(rec->ip, g6);
	else if (rec->ip[0] == '\0') {
		net = chance(rand, 50) ? 0xd1558000u : 0x286b0000u;
		ds_gen_ip4(rec->ip, net | (g_rand_int(rand) & 0x7fff));
	}
	sel = PICK(rand, selectors);
	add_dkim(
	    rec, rec->header_from, sel, chance(rand, 60) ? "pass" : "fail");
	if (chance(rand, 30))
		add_dkim(rec, "gappssmtp.com", "20230601", "pass");
	if (chance(rand, 50)) {
		g_strlcpy(rec->envelope_from, rec->header_from, DS_GEN_NAME);
		add_spf(rec, rec->envelope_from, "mfrom",
		    chance(rand, 50) ? "softfail" : "fail");
	} else {
		g_strlcpy(
		    rec->envelope_from, "forwarding.example.net", DS_GEN_NAME);
		add_spf(rec, rec->envelope_from, "mfrom", "pass");
	}
}

static void
gen_list(struct ds_gen_rec *rec, const struct ds_gen_report *r, GRand *rand)
{
	const char *l = PICK(rand, lists);

	if (rec->ip[0] == '\0')
		ds_gen_ip4(rec->ip, 0x8cd30000u | (g_rand_int(rand) & 0xfff));
	add_dkim(rec, rec->header_from, PICK(rand, selectors), "fail");
	add_dkim(rec, l, "lists", "pass");
	g_strlcpy(rec->envelope_from, l, DS_GEN_NAME);
	add_spf(rec, l, "mfrom", "pass");
}

static void
gen_spoof(struct ds_gen_rec *rec, const struct ds_gen_report *r, GRand *rand)
{
	static const char *const bad[] = { "fail", "softfail", "none", "fail",
		"permerror", "temperror", "neutral" };
	const char *spam = PICK(rand, spam_domains);

	if (chance(rand, 60))
		add_dkim(rec, rec->header_from, "default",
		    chance(rand, 50) ? "fail" : "none");
	else
		add_dkim(rec, spam, "default", "pass");
	if (chance(rand, 70)) {
		g_strlcpy(rec->envelope_from, rec->header_from, DS_GEN_NAME);
		add_spf(rec, rec->envelope_from, "mfrom", PICK(rand, bad));
	} else {
		g_strlcpy(rec->envelope_from, spam, DS_GEN_NAME);
		add_spf(rec, spam, "mfrom", "pass");
	}
}

/*
 * Fill *rec with one record of report r for a source of category cat. ip
 * is the source address to use, or NULL to draw one (own addresses from a
 * per-domain set, spoofers from a pool of npool addresses). count 0 draws
 * the message count. All choices come from rand.
 */
void
ds_gen_record_as(struct ds_gen_rec *rec, const struct ds_gen_report *r,
    enum ds_gen_cat cat, const char *ip, unsigned count, unsigned npool,
    GRand *rand)
{
	memset(rec, 0, sizeof(*rec));
	if (ip != NULL)
		g_strlcpy(rec->ip, ip, sizeof(rec->ip));
	else if (cat == DS_GEN_OWN)
		own_ip(
		    rec->ip, r->domain, (unsigned)g_rand_int_range(rand, 0, 6));
	else if (cat == DS_GEN_SPOOF)
		spoof_ip(rec->ip, r->domain, npool, rand);
	rec->count = count ? count : ds_gen_count(rand);
	rec->envelope_to = r->rep->envelope_to;
	if ((cat == DS_GEN_OWN || cat == DS_GEN_ESP) && chance(rand, 8))
		g_snprintf(rec->header_from, DS_GEN_NAME, "%s.%s",
		    chance(rand, 50) ? "news" : "mail", r->domain);
	else
		g_strlcpy(rec->header_from, r->domain, DS_GEN_NAME);
	switch (cat) {
	case DS_GEN_OWN:
		gen_own(rec, r, rand);
		break;
	case DS_GEN_ESP:
		gen_esp(rec, r, rand);
		break;
	case DS_GEN_FWD:
		gen_fwd(rec, r, rand);
		break;
	case DS_GEN_LIST:
		gen_list(rec, r, rand);
		break;
	case DS_GEN_SPOOF:
		gen_spoof(rec, r, rand);
		break;
	}
	if (r->fmt == DS_GEN_RFC7489 && chance(rand, 25))
		add_spf(rec,
		    cat == DS_GEN_SPOOF ? "localhost" : rec->envelope_from,
		    "helo", cat == DS_GEN_SPOOF ? "none" : "pass");
	verdicts(rec, r, cat, rand);
}

/*
 * Fill *rec with one record of report r whose source category is drawn
 * from rand (own servers, an email service, forwarders, mailing lists,
 * spoofers from a pool of npool addresses).
 */
void
ds_gen_record(struct ds_gen_rec *rec, const struct ds_gen_report *r,
    unsigned npool, GRand *rand)
{
	int u = g_rand_int_range(rand, 0, 100);
	enum ds_gen_cat cat;

	if (u < 40)
		cat = DS_GEN_OWN;
	else if (u < 58)
		cat = DS_GEN_ESP;
	else if (u < 68)
		cat = DS_GEN_FWD;
	else if (u < 73)
		cat = DS_GEN_LIST;
	else
		cat = DS_GEN_SPOOF;
	ds_gen_record_as(rec, r, cat, NULL, 0, npool, rand);
}
