/*
 * verify_spf_priv.h - the libspf2 DNS layer over struct ds_dns
 * (ingest/verify/verify_spfdns.c), used by ingest/verify/verify_spf.c only.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_VERIFY_SPF_PRIV_H
#define DS_VERIFY_SPF_PRIV_H

#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdbool.h>

#include <spf2/spf.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/policy/spec.h"	/* RFC 7208 limits */


/*
 * State of one evaluation. libspf2 1.2.10 counts DNS terms per record
 * only (an include starts a new count) and has no void lookup limit:
 * both are counted here over the whole evaluation, and past a limit the
 * layer answers TRY_AGAIN, which ends the evaluation in temperror; the
 * caller turns that into the permerror RFC 7208 asks for.
 */
struct ds_spf_layer {
	SPF_dns_server_t	 srv;		/* srv.hook points back here */
	struct ds_dns		*dns;		/* not owned */
	char			*top;		/* the checked domain */
	char			*override;	/* TXT served for top, or NULL */
	char			*top_record;	/* the SPF record seen at top */
	enum ds_dns_status	 top_status;	/* answer for top's TXT */
	bool			 top_seen;
	unsigned		 terms, voids;
	bool			 too_many_terms, too_many_voids;
	bool			 offline;
	char			*failed;	/* first lookup that failed */
	char			*nospf;		/* last TXT target with no SPF */
	GHashTable		*followers;	/* MX/PTR answer names */
};

/* Set l up for dns; top is the domain whose record starts check_host(). */
void ds_spf_layer_init(struct ds_spf_layer *l, struct ds_dns *dns,
    const char *top);
/* Forget the counters of the last evaluation (keeps top and override). */
void ds_spf_layer_reset(struct ds_spf_layer *l);
/* Free what l holds. */
void ds_spf_layer_release(struct ds_spf_layer *l);

#endif
