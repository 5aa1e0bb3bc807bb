/*
 * doctor_tls.h - what doctor_tls.c and doctor_mtasts.c share.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_DOCTOR_TLS_H
#define DS_DOCTOR_TLS_H

#include "report/doctor/doctor.h"

struct ds_doctor_tls {
	int64_t reports, successes, failures;	/* TLS reports of the period */
	const char *tlsrpt;	/* the TLS-RPT record, owned by the doctor */
	const char *sts_id;	/* id= of a valid MTA-STS record, or NULL */
};

/*
 * The MTA-STS policy: fetched over HTTPS when DNS is live and the
 * record exists, else the latest one senders reported; its mx: patterns
 * against the MX records, and mode testing left for long.
 */
bool ds_doctor_mtasts(struct ds_doctor *d, struct ds_doctor_tls *t,
    GError **err);

#endif
