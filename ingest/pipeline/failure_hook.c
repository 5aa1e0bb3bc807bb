/*
 * failure_hook.c - where failure reports join the ingest pipeline:
 * parse, re-verify, store, inside the input's transaction.
 * SPDX-License-Identifier: MIT
 *
 * RFC 5965 / RFC 6591 / RFC 9991 via ingest/failure/failure.c. THREATS #13 (a
 * report stored before - same Message-ID, else same bytes - counts as a
 * duplicate), #17 (DNS budget per sample, ingest/failure/failure_verify.c).
 * A report that cannot be parsed is returned as a rejection with the
 * parser's one-line reason; the pipeline quarantines it.
 */
#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "schema/store/store_failure.h"
#include "ingest/failure/failure.h"
#include "ingest/pipeline/failure_hook.h"
#include "ingest/failure/failure_verify.h"

struct hook {
	struct ds_dns *dns;	/* borrowed, or own_dns */
	struct ds_dns *own_dns;	/* opened here from the CLI options */
	bool dns_tried;
};

/* The resolver to re-verify with; NULL (and a warning) if none. */
static struct ds_dns *
hook_dns(struct ds_pipeline *pl, struct hook *h, struct ds_failure *f)
{
	GError *e = NULL;

	if (h->dns)
		return h->dns;
	if (!h->dns_tried) {
		h->dns_tried = true;
		if ((h->own_dns = ds_cli_open_dns(&e)) == NULL) {
			ds_pipeline_say(pl, "dns", "no re-verification: %s",
			    e->message);
			g_clear_error(&e);
		}
	}
	if (h->own_dns == NULL)
		ds_failure_warn(f, "not-verified: no DNS resolver");
	return h->own_dns;
}

static int
handle(struct ds_pipeline *pl, const char *source, const char *buf,
    size_t len, int64_t msg_id, GError **err)
{
	struct hook *h = ds_pipeline_failure_payload(pl);
	struct ds_failure f;
	GError *e = NULL;
	int64_t row, now = g_get_real_time() / G_USEC_PER_SEC;
	int n = -1;

	if (!ds_failure_parse(&f, buf, len, ds_pipeline_limits(pl), err))
		goto done;
	f.source = g_strdup(source);
	ds_failure_reverify(&f, hook_dns(pl, h, &f), now);
	if (!ds_store_failure_put(ds_pipeline_store(pl), &f, msg_id, &row,
	    &e)) {
		if (e->domain == DS_ERROR && e->code == DS_ERROR_DUP) {
			g_clear_error(&e);
			n = 0;
		} else {
			g_propagate_error(err, e);
		}
		goto done;
	}
	n = 1;
	if (ds_cli.verbose)
		ds_pipeline_say(pl, source, "stored failure report %" G_GINT64_FORMAT
		    " from %s (%u differences)", row, f.reporter ? f.reporter :
		    "unknown reporter", f.differences->len);
done:
	ds_failure_clear(&f);
	return n;
}

void
ds_failure_hook_install(struct ds_pipeline *pl)
{
	if (pl == NULL)
		return;
	ds_pipeline_set_failure_handler(pl, handle, g_new0(struct hook, 1));
}

void
ds_failure_hook_set_dns(struct ds_pipeline *pl, struct ds_dns *dns)
{
	struct hook *h = pl ? ds_pipeline_failure_payload(pl) : NULL;

	if (h)
		h->dns = dns;
}

void
ds_failure_hook_remove(struct ds_pipeline *pl)
{
	struct hook *h = pl ? ds_pipeline_failure_payload(pl) : NULL;

	if (h == NULL)
		return;
	ds_dns_free(h->own_dns);
	g_free(h);
	ds_pipeline_set_failure_handler(pl, NULL, NULL);
}
