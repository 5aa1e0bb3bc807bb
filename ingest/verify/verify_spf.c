/*
 * verify_spf.c - SPF check_host() (RFC 7208) of a sample's source IP
 * with libspf2 over the dmarcsift DNS layer, the matched mechanism, and
 * a reason in words for every result.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7208 §2.4 (MAIL FROM, else HELO; null reverse-path uses HELO),
 * §4.5 (several records: permerror), §4.6.4 (10 DNS terms, 2 void
 * lookups: permerror), §5.2 (include of a domain with no record:
 * permerror). THREATS #17.
 *
 * libspf2 says that a mechanism matched, not which one. The matched
 * term of the top-level record is found by evaluating growing prefixes
 * of its mechanisms ("v=spf1 t1", "v=spf1 t1 t2", ...) with the same
 * (cached) DNS answers: the first prefix that matches with the same
 * result ends with the matched term.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <string.h>

#define HAVE_DECL_NS_T_SPF 1
#include "ingest/verify/verify_spf_priv.h"
#include "ingest/verify/verify_priv.h"

#define MAX_ATTRIBUTE	40	/* mechanisms tried when attributing */

extern void (*SPF_warning_handler)(const char *, int, const char *);
extern void (*SPF_info_handler)(const char *, int, const char *);

struct spf_run {
	SPF_result_t	 result;
	SPF_reason_t	 reason;
	SPF_errcode_t	 err;
	char		*message;	/* first error libspf2 recorded */
};

static void
quiet_libspf2(void)
{
	static gsize once;

	/* libspf2 prints warnings to stderr; the verdict says it all */
	if (g_once_init_enter(&once)) {
		SPF_warning_handler = NULL;
		SPF_info_handler = NULL;
		g_once_init_leave(&once, 1);
	}
}

static const char *
result_word(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS:
		return "pass";
	case SPF_RESULT_FAIL:
		return "fail";
	case SPF_RESULT_SOFTFAIL:
		return "softfail";
	case SPF_RESULT_NEUTRAL:
		return "neutral";
	case SPF_RESULT_NONE:
		return "none";
	case SPF_RESULT_TEMPERROR:
		return "temperror";
	case SPF_RESULT_PERMERROR:
	case SPF_RESULT_INVALID:
		break;
	}
	return "permerror";
}

static void
evaluate(SPF_server_t *srv, struct ds_spf_layer *l, bool v6, const char *ip,
    const char *sender, const char *helo, struct spf_run *run)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	SPF_errcode_t rc;

	memset(run, 0, sizeof(*run));
	ds_spf_layer_reset(l);
	req = SPF_request_new(srv);
	if (v6)
		SPF_request_set_ipv6_str(req, ip);
	else
		SPF_request_set_ipv4_str(req, ip);
	if (helo != NULL)
		SPF_request_set_helo_dom(req, helo);
	if (sender != NULL)
		SPF_request_set_env_from(req, sender);
	rc = SPF_request_query_mailfrom(req, &resp);
	run->result = SPF_response_result(resp);
	run->reason = SPF_response_reason(resp);
	run->err = SPF_response_errcode(resp);
	if (run->err == SPF_E_SUCCESS)
		run->err = rc;
	if (SPF_response_messages(resp) > 0)
		run->message = g_strdup(SPF_error_message(
		    SPF_response_message(resp, 0)));
	SPF_response_free(resp);
	SPF_request_free(req);
}

/* is the term a modifier (name=...) rather than a mechanism? */
static bool
is_modifier(const char *t)
{
	size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

	return n > 0 && t[n] == '=' && g_ascii_isalpha(t[0]);
}

/* the top-level term that produced `want` (see the file comment) */
static char *
attribute(SPF_server_t *srv, struct ds_spf_layer *l, bool v6, const char *ip,
    const char *sender, const char *helo, SPF_result_t want)
{
	struct spf_run run;
	GPtrArray *mechs;
	GString *rec;
	char **terms, *found = NULL, *redirect = NULL;
	guint i;

	if (l->top_record == NULL)
		return NULL;
	terms = g_strsplit_set(l->top_record, " \t", 0);
	mechs = g_ptr_array_new();
	for (i = 1; terms[i] != NULL; i++) {
		if (terms[i][0] == '\0')
			continue;
		if (is_modifier(terms[i])) {
			if (g_ascii_strncasecmp(terms[i], "redirect=", 9) == 0)
				redirect = terms[i];
		} else if (mechs->len < MAX_ATTRIBUTE)
			g_ptr_array_add(mechs, terms[i]);
	}
	rec = g_string_new("v=spf1");
	for (i = 0; i < mechs->len && found == NULL; i++) {
		g_string_append_printf(rec, " %s", (char *)mechs->pdata[i]);
		g_free(l->override);
		l->override = g_strdup(rec->str);
		evaluate(srv, l, v6, ip, sender, helo, &run);
		if (run.reason == SPF_REASON_MECH && run.result == want)
			found = g_strdup(mechs->pdata[i]);
		g_free(run.message);
	}
	if (found == NULL && redirect != NULL)
		found = g_strdup(redirect);
	g_clear_pointer(&l->override, g_free);
	g_string_free(rec, TRUE);
	g_ptr_array_free(mechs, TRUE);
	g_strfreev(terms);
	return found;
}

static char *
perm_reason(const struct ds_spf_layer *l, const struct spf_run *run)
{
	switch (run->err) {
	case SPF_E_MULTIPLE_RECORDS:
		return g_strdup_printf("several SPF records at %s "
		    "(RFC 7208 §4.5)", l->top);
	case SPF_E_NOT_SPF:
	case SPF_E_INCLUDE_RETURNED_NONE:
		if (l->nospf != NULL)
			return g_strdup_printf("include/redirect target %s "
			    "has no SPF record", l->nospf);
		return g_strdup("the SPF record of an include/redirect "
		    "target is invalid");
	case SPF_E_BIG_DNS:
		return g_strdup("more than 10 DNS lookups (MX or PTR names, "
		    "RFC 7208 §4.6.4)");
	case SPF_E_RECURSIVE:
		return g_strdup("include/redirect loop");
	default:
		break;
	}
	return g_strdup_printf("invalid SPF record: %s%s%s",
	    SPF_strerror(run->err), run->message ? ": " : "",
	    run->message ? run->message : "");
}

/* the result and reason of one evaluation, limits applied */
static void
conclude(const struct ds_spf_layer *l, const struct spf_run *run,
    struct ds_spf_verdict *out)
{
	const char *w = result_word(run->result);

	if (l->too_many_terms) {
		out->result = g_strdup("permerror");
		out->reason = g_strdup("more than 10 DNS-querying terms "
		    "(RFC 7208 §4.6.4)");
		return;
	}
	if (l->too_many_voids) {
		out->result = g_strdup("permerror");
		out->reason = g_strdup("more than 2 void lookups "
		    "(RFC 7208 §4.6.4)");
		return;
	}
	if (run->result == SPF_RESULT_INVALID) {
		/* libspf2 gave up before evaluating (see spf_server.c) */
		if (run->err == SPF_E_DNS_ERROR || l->failed != NULL)
			w = "temperror";
		else if (run->err == SPF_E_NOT_SPF && l->top_record == NULL)
			w = "none";
	}
	out->result = g_strdup(w);
	if (strcmp(w, "temperror") == 0)
		out->reason = l->offline ? g_strdup("not evaluated: offline, "
		    "no DNS") : g_strdup_printf("DNS lookup failed: %s",
		    l->failed ? l->failed : "?");
	else if (strcmp(w, "none") == 0)
		out->reason = l->top_status == DS_DNS_NXDOMAIN ?
		    g_strdup_printf("%s does not exist (NXDOMAIN)", l->top) :
		    g_strdup_printf("no SPF record at %s", l->top);
	else if (strcmp(w, "permerror") == 0) {
		if (run->result == SPF_RESULT_INVALID && l->top_record)
			out->reason = g_strdup_printf("SPF record at %s does "
			    "not compile%s%s", l->top, run->message ? ": " : "",
			    run->message ? run->message : "");
		else
			out->reason = perm_reason(l, run);
	} else if (run->reason == SPF_REASON_DEFAULT)
		out->reason = g_strdup("no mechanism matched (neutral by "
		    "default)");
}

/* the identity to check: RFC 7208 §2.4 */
static char *
identity(const struct ds_verify_input *in, char **sender)
{
	const char *at;
	char *mf = NULL, *dom = NULL;

	*sender = NULL;
	if (in->mail_from != NULL) {
		mf = g_strstrip(g_strdup(in->mail_from));
		if (mf[0] == '<' && mf[strlen(mf) - 1] == '>') {
			mf[strlen(mf) - 1] = '\0';
			memmove(mf, mf + 1, strlen(mf));
		}
		at = strrchr(mf, '@');
		if (at != NULL && at[1] != '\0')
			dom = g_ascii_strdown(at + 1, -1);
		else if (at == NULL && mf[0] != '\0')
			dom = g_ascii_strdown(mf, -1);
		if (dom != NULL)
			*sender = at ? g_strdup(mf) : g_strconcat("postmaster@",
			    mf, NULL);
		g_free(mf);
	}
	if (dom == NULL && in->helo != NULL && in->helo[0] != '\0')
		dom = g_ascii_strdown(in->helo, -1);
	return dom;
}

void
ds_verify_spf(struct ds_dns *dns, const struct ds_verify_input *in,
    struct ds_spf_verdict *out)
{
	struct ds_spf_layer l;
	struct spf_run run;
	SPF_server_t *srv;
	unsigned char addr[16];
	char *sender, *dom;
	bool v6;

	memset(out, 0, sizeof(*out));
	quiet_libspf2();
	dom = identity(in, &sender);
	out->domain = g_strdup(dom);
	if (dom == NULL) {
		out->result = g_strdup("none");
		out->reason = g_strdup("not evaluated: no MAIL FROM domain "
		    "and no HELO name");
		goto done;
	}
	v6 = inet_pton(AF_INET6, in->source_ip, addr) == 1;
	if (!v6 && inet_pton(AF_INET, in->source_ip, addr) != 1) {
		char *q = g_strescape(in->source_ip, NULL);

		out->result = g_strdup("none");
		out->reason = g_strdup_printf("not evaluated: '%.60s' is not "
		    "an IP address", q);
		g_free(q);
		goto done;
	}
	if ((!v6 && addr[0] == 127) || (v6 && memcmp(addr,
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0)) {
		/* libspf2 passes loopback without looking */
		out->result = g_strdup("none");
		out->reason = g_strdup("not evaluated: loopback source IP");
		goto done;
	}
	ds_spf_layer_init(&l, dns, dom);
	srv = SPF_server_new_dns(&l.srv, 0);
	SPF_server_set_rec_dom(srv, "dmarcsift.invalid");
	evaluate(srv, &l, v6, in->source_ip, sender, in->helo, &run);
	conclude(&l, &run, out);
	if (out->reason == NULL && run.reason == SPF_REASON_MECH) {
		out->mechanism = attribute(srv, &l, v6, in->source_ip, sender,
		    in->helo, run.result);
		out->reason = out->mechanism != NULL ?
		    g_strdup_printf("matched %s", out->mechanism) :
		    g_strdup("a mechanism matched");
	}
	if (out->reason == NULL)
		out->reason = g_strdup(SPF_strreason(run.reason));
	g_free(run.message);
	SPF_server_free(srv);
	ds_spf_layer_release(&l);
done:
	g_free(sender);
	g_free(dom);
}
