/*
 * dsgen.h - private interface of dsgen, the synthetic DMARC data generator
 * (aggregate reports per RFC 7489 appendix C and RFC 9990, report mail per
 * RFC 5322 / RFC 2045-2046, Maildir and mbox). Used only by tools/dsgen*.c.
 * SPDX-License-Identifier: MIT
 *
 * Everything is drawn from one GRand seeded with --seed, so the output is a
 * pure function of the command line. Strings in the structs below are
 * borrowed (static tables or fixed buffers) unless a field says otherwise.
 */
#ifndef DSGEN_H
#define DSGEN_H

#include <stdbool.h>
#include <stdio.h>

#include <glib.h>
#include <zlib.h>

#define DS_GEN_ERROR (g_quark_from_static_string("dsgen"))
#define DS_GEN_MAX_DKIM 3
#define DS_GEN_MAX_SPF 2
#define DS_GEN_MAX_REASON 2
#define DS_GEN_NAME 256 /* domain names and addresses (RFC 1035: 253) */
#define DS_GEN_DAY 86400

enum ds_gen_fmt { DS_GEN_RFC7489, DS_GEN_RFC9990 };

enum ds_gen_idstyle {
	DS_GEN_ID_DIGITS, /* google: 19-20 decimal digits */
	DS_GEN_ID_HEX32,  /* microsoft, gmx: 32 lower-case hex digits */
	DS_GEN_ID_DOTTED, /* yahoo: "<begin>.<6 digits>" */
	DS_GEN_ID_UUID    /* 8-4-4-4-12 */
};

enum ds_gen_cont { DS_GEN_GZIP, DS_GEN_ZIP };

enum ds_gen_cat {
	DS_GEN_OWN,  /* the domain's own servers */
	DS_GEN_ESP,  /* an email service: DKIM aligned, SPF not */
	DS_GEN_FWD,  /* forwarders: SPF fails, DKIM may survive */
	DS_GEN_LIST, /* mailing lists: DKIM broken, SPF unaligned */
	DS_GEN_SPOOF /* spoofers: nothing aligned */
};

enum ds_gen_body {
	DS_GEN_BODY_SINGLE, /* the attachment is the whole message body */
	DS_GEN_BODY_MIXED,  /* multipart/mixed: text/plain + attachment */
	DS_GEN_BODY_ALT     /* mixed: alternative(text, html) + attachment */
};

/* One reporting organisation, as seen in real reports and mail. */
struct ds_gen_reporter {
	const char *org_name;  /* <org_name> */
	const char *email;     /* <email> */
	const char *extra;     /* <extra_contact_info>, or NULL */
	const char *from;      /* From: header */
	const char *submitter; /* Subject "Submitter:" and file names */
	const char *relay;     /* host in the Received: header */
	enum ds_gen_fmt fmt;
	enum ds_gen_idstyle idstyle;
	unsigned id_digits; /* length for DS_GEN_ID_DIGITS */
	unsigned end_extra; /* end = begin + 86399 + end_extra */
	enum ds_gen_cont cont;
	const char *ctype; /* declared attachment type */
	enum ds_gen_body body;
	const char *indent;      /* one level of indentation */
	bool oneline;            /* whole document on one line */
	bool version;            /* emits <version>1.0</version> */
	bool np;                 /* legacy report carrying <np> */
	bool id_in_name;         /* file name carries !report_id */
	bool id_brackets;        /* Subject has Report-ID: <id> */
	const char *envelope_to; /* <envelope_to> or NULL */
	unsigned weight;         /* relative share of the mail */
};

struct ds_gen_policy {
	const char *p, *sp, *np;  /* none | quarantine | reject */
	const char *adkim, *aspf; /* r | s */
	unsigned pct;
};

/* Report-level data; the XML writer and the truth read it. */
struct ds_gen_report {
	const struct ds_gen_reporter *rep;
	enum ds_gen_fmt fmt;
	char report_id[64];
	char domain[DS_GEN_NAME]; /* policy_published/domain */
	gint64 begin, end;
	struct ds_gen_policy pol;
	bool dkim3; /* some ESP records carry a third DKIM signature */
};

struct ds_gen_dkim {
	char domain[DS_GEN_NAME];
	const char *selector; /* never NULL */
	const char *result;
};

struct ds_gen_spf {
	char domain[DS_GEN_NAME];
	const char *scope; /* mfrom | helo */
	const char *result;
};

struct ds_gen_reason {
	const char *type;
	const char *comment; /* or NULL */
};

struct ds_gen_rec {
	char ip[48]; /* canonical text (RFC 5952 for IPv6) */
	unsigned count;
	const char *disposition;
	bool dkim_pass, spf_pass; /* policy_evaluated */
	unsigned nreason;
	struct ds_gen_reason reason[DS_GEN_MAX_REASON];
	const char *envelope_to; /* or NULL */
	char envelope_from[DS_GEN_NAME];
	char header_from[DS_GEN_NAME];
	unsigned ndkim, nspf;
	struct ds_gen_dkim dkim[DS_GEN_MAX_DKIM];
	struct ds_gen_spf spf[DS_GEN_MAX_SPF];
};

/* Where XML goes: exactly one of fp, gz, str is set. */
struct ds_gen_sink {
	FILE *fp;
	gzFile gz;
	GString *str;
	bool failed; /* a write failed; the caller reports it */
};

struct ds_gen_truth;

/* dsgen_xml.c: XML of one report, streamed into a sink */
void ds_gen_sink_put(struct ds_gen_sink *sink, const char *s, size_t len);
void ds_gen_xml_head(struct ds_gen_sink *sink, const struct ds_gen_report *r);
void ds_gen_xml_record(struct ds_gen_sink *sink, const struct ds_gen_report *r,
    const struct ds_gen_rec *rec);
void ds_gen_xml_tail(struct ds_gen_sink *sink, const struct ds_gen_report *r);
void ds_gen_xml_broken(GString *out, const struct ds_gen_report *r);

/* dsgen_rec.c: addresses, ids, policies, records */
void ds_gen_ip4(char *buf, guint32 a);
void ds_gen_ip6(char *buf, const guint16 *g);
void ds_gen_report_id(struct ds_gen_report *r, GRand *rand);
void ds_gen_policy_for(struct ds_gen_policy *pol, const char *domain);
void ds_gen_record(struct ds_gen_rec *rec, const struct ds_gen_report *r,
    unsigned npool, GRand *rand);
void ds_gen_record_as(struct ds_gen_rec *rec, const struct ds_gen_report *r,
    enum ds_gen_cat cat, const char *ip, unsigned count, unsigned npool,
    GRand *rand);
unsigned ds_gen_count(GRand *rand);

/* dsgen_mail.c: reporters and their mail */
extern const struct ds_gen_reporter ds_gen_reporters[];
extern const size_t ds_gen_nreporters;
const struct ds_gen_reporter *ds_gen_reporter_find(const char *name);
void ds_gen_date(char *buf, gint64 t, bool mbox);
bool ds_gen_pack(GByteArray *out, const struct ds_gen_report *r,
    const char *xml, size_t len, char **fname, GError **err);
void ds_gen_mail(GString *out, const struct ds_gen_report *r, const guint8 *att,
    size_t attlen, const char *fname, gint64 date, GRand *rand);

/* dsgen_box.c: Maildir, mbox, and a mailbox full of reports */
struct ds_gen_box;
struct ds_gen_box *ds_gen_box_open(const char *path, bool mbox, GError **err);
bool ds_gen_box_put(struct ds_gen_box *box, const char *msg, size_t len,
    gint64 date, char **name, GError **err);
bool ds_gen_box_close(struct ds_gen_box *box, GError **err);
bool ds_gen_report_mail(GString *msg, const struct ds_gen_report *r,
    const struct ds_gen_rec *recs, unsigned nrec, int invalid, gint64 *date,
    struct ds_gen_truth *truth, GRand *rand, GError **err);
bool ds_gen_mailbox(const char *path, bool mbox, guint32 seed, gint64 nmsg,
    gint64 start, char **domains, double dup_rate, double invalid_rate,
    struct ds_gen_truth *truth, GError **err);

/* dsgen_demo.c */
bool ds_gen_demo(const char *path, guint32 seed, gint64 start,
    struct ds_gen_truth *truth, GError **err);

/* dsgen_scenario.c: the advice scenarios (m365, esp, forward, ...) */
bool ds_gen_scenario(const char *dir, const char *name, gint64 start,
    unsigned days, GError **err);

/* dsgen_truth.c: the ground truth; every function accepts t == NULL */
struct ds_gen_truth *ds_gen_truth_new(const char *mode, guint32 seed);
void ds_gen_truth_record(struct ds_gen_truth *t, const struct ds_gen_report *r,
    const struct ds_gen_rec *rec);
void ds_gen_truth_report(
    struct ds_gen_truth *t, const struct ds_gen_report *r, const char *file);
void ds_gen_truth_dup(
    struct ds_gen_truth *t, const char *file, const char *orig);
void ds_gen_truth_invalid(
    struct ds_gen_truth *t, const char *file, const char *kind);
void ds_gen_truth_message(struct ds_gen_truth *t);
bool ds_gen_truth_write(struct ds_gen_truth *t, const char *path, GError **err);
void ds_gen_truth_free(struct ds_gen_truth *t);

#endif
