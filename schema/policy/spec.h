/*
 * spec.h - the numbers the standards fix, each with its sentence, in
 * one place for the verifier (ingest/verify) and doctor (report/doctor).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SPEC_H
#define DS_SPEC_H

/*
 * RFC 7208 section 4.6.4: "SPF implementations MUST limit the total
 * number of those terms to 10 during SPF evaluation" (the terms that
 * cause DNS queries: include, a, mx, ptr, exists, redirect).
 */
#define DS_SPF_MAX_TERMS 10
/*
 * RFC 7208 section 4.6.4: "SPF implementations SHOULD limit "void
 * lookups" to two. An implementation MAY choose to make such a limit
 * configurable. In this case, a default of two is RECOMMENDED."
 */
#define DS_SPF_MAX_VOIDS 2
/*
 * RFC 7208 section 4.6.4: "the evaluation of each "MX" record MUST NOT
 * result in querying more than 10 address records"; the same for the
 * names of a "ptr" mechanism.
 */
#define DS_SPF_MAX_MX 10
#define DS_SPF_MAX_PTR 10

#endif
