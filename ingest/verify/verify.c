/*
 * verify.c - re-verify one message: SPF, every DKIM-Signature, DMARC
 * (RFC 7208, RFC 6376, RFC 7489, RFC 9989), all DNS through ds_dns.
 * SPDX-License-Identifier: MIT
 *
 * The RFC5322.From domain comes from GMime: exactly one From header
 * field with mailboxes of one domain (RFC 7489 §6.6.1), else the DMARC
 * result is permerror with the reason. THREATS #17: the DNS budget
 * window is restarted for each message.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "ingest/payload/message.h"
#include "ingest/verify/verify_priv.h"

#define MAX_VERIFY_MESSAGE DS_MAX_MESSAGE_DEFAULT

static int
count_from(GMimeHeaderList *hl)
{
	int i, n = 0, count = g_mime_header_list_get_count(hl);

	for (i = 0; i < count; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), "From") == 0)
			n++;
	}
	return n;
}

/*
 * The From domain of msg, lower case, or NULL with *problem set (both
 * g_free). False when the bytes are not a message at all.
 */
static bool
from_domain(const char *msg, size_t len, char **out, char **problem)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *m;
	InternetAddressList *list;
	char *dom = NULL;
	int i, n;

	*out = *problem = NULL;
	stream = g_mime_stream_mem_new_with_buffer(msg, len);
	parser = g_mime_parser_new_with_stream(stream);
	m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (m == NULL)
		return false;
	n = count_from(g_mime_object_get_header_list(GMIME_OBJECT(m)));
	if (n != 1) {
		*problem = g_strdup_printf("%s From header field%s "
		    "(RFC 7489 §6.6.1 wants one)", n == 0 ? "no" : "several",
		    n == 0 ? "" : "s");
		goto done;
	}
	list = g_mime_message_get_from(m);
	n = list ? internet_address_list_length(list) : 0;
	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		const char *addr, *at;
		char *d;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = internet_address_mailbox_get_idn_addr(
		    INTERNET_ADDRESS_MAILBOX(a));
		at = addr ? strrchr(addr, '@') : NULL;
		if (at == NULL || at[1] == '\0')
			continue;
		d = g_ascii_strdown(at + 1, -1);
		if (dom != NULL && strcmp(dom, d) != 0) {
			*problem = g_strdup_printf("From has addresses in "
			    "several domains (%s, %s)", dom, d);
			g_free(d);
			g_clear_pointer(&dom, g_free);
			goto done;
		}
		g_free(dom);
		dom = d;
	}
	if (dom == NULL)
		*problem = g_strdup("no domain in the From header field");
done:
	*out = dom;
	g_object_unref(m);
	return true;
}

bool
ds_verify_message(struct ds_dns *dns, const struct ds_verify_input *in,
    struct ds_verify_result *out, GError **err)
{
	char *from = NULL, *problem = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	out->dkim = g_array_new(FALSE, TRUE, sizeof(struct ds_dkim_verdict));
	if (in->msg == NULL || in->len == 0 ||
	    !ds_message_sniff(in->msg, in->len))
		return ds_fail(err, DS_ERROR_FORMAT, "not a mail message");
	if (in->len > MAX_VERIFY_MESSAGE)
		return ds_fail(err, DS_ERROR_LIMIT, "message of %zu bytes "
		    "(limit %u)", in->len, MAX_VERIFY_MESSAGE);
	ds_message_init();
	if (!from_domain(in->msg, in->len, &from, &problem)) {
		ds_fail(err, DS_ERROR_FORMAT, "the message cannot be parsed");
		goto done;
	}
	ds_dns_budget_restart(dns);
	if (in->source_ip != NULL && (in->mail_from != NULL ||
	    in->helo != NULL)) {
		out->spf_checked = true;
		ds_verify_spf(dns, in, &out->spf);
	}
	ds_verify_dkim(dns, in, out->dkim);
	ds_verify_dmarc(dns, in, from, problem, out);
	ok = true;
done:
	g_free(from);
	g_free(problem);
	return ok;
}

void
ds_verify_result_clear(struct ds_verify_result *r)
{
	guint i;

	if (r == NULL)
		return;
	g_free(r->spf.result);
	g_free(r->spf.domain);
	g_free(r->spf.reason);
	g_free(r->spf.mechanism);
	for (i = 0; r->dkim != NULL && i < r->dkim->len; i++) {
		struct ds_dkim_verdict *d = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		g_free(d->domain);
		g_free(d->selector);
		g_free(d->algorithm);
		g_free(d->result);
		g_free(d->reason);
	}
	if (r->dkim != NULL)
		g_array_free(r->dkim, TRUE);
	g_free(r->dmarc.result);
	g_free(r->dmarc.from_domain);
	g_free(r->dmarc.org_domain);
	g_free(r->dmarc.policy);
	g_free(r->dmarc.record);
	g_free(r->dmarc.record_domain);
	g_free(r->dmarc.reason);
	g_free(r->dmarc.discovery);
	memset(r, 0, sizeof(*r));
}
