/*
 * dsgen_truth.c - the ground truth of what dsgen wrote, as JSON (RFC 8259)
 * for tests to compare dmarcsift's results with: every valid unique report
 * with its key (org_name, report_id, domain, begin, end; SPEC section 1
 * "Identity and duplicates"), totals per policy domain and per source
 * address, and the duplicate and invalid messages. A message passes DMARC
 * when policy_evaluated has dkim=pass or spf=pass (RFC 7489 section 4.2).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dsgen.h"

struct tally {
	guint64 reports, records, messages, pass, fail;
};

struct entry {
	char *file;
	char *org, *id, *domain; /* reports only */
	char *other;             /* duplicate_of or invalid kind */
	gint64 begin, end;
	struct tally t;
};

struct ds_gen_truth {
	char *mode;
	guint32 seed;
	guint64 messages;
	struct tally cur;   /* records of the report being generated */
	GPtrArray *reports; /* struct entry */
	GPtrArray *dups;
	GPtrArray *invalid;
	GHashTable *domains; /* name -> struct tally */
	GHashTable *sources; /* ip -> struct tally */
	GHashTable *dom_src; /* "domain\nip" -> struct tally */
};

static void
entry_free(gpointer p)
{
	struct entry *e = p;

	g_free(e->file);
	g_free(e->org);
	g_free(e->id);
	g_free(e->domain);
	g_free(e->other);
	g_free(e);
}

static GHashTable *
tally_table(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/*
 * Start an empty truth for a run of mode ("xml", "maildir", ...) with
 * seed. Free it with ds_gen_truth_free(). Never fails.
 */
struct ds_gen_truth *
ds_gen_truth_new(const char *mode, guint32 seed)
{
	struct ds_gen_truth *t = g_new0(struct ds_gen_truth, 1);

	t->mode = g_strdup(mode);
	t->seed = seed;
	t->reports = g_ptr_array_new_with_free_func(entry_free);
	t->dups = g_ptr_array_new_with_free_func(entry_free);
	t->invalid = g_ptr_array_new_with_free_func(entry_free);
	t->domains = tally_table();
	t->sources = tally_table();
	t->dom_src = tally_table();
	return t;
}

static struct tally *
get(GHashTable *h, const char *key)
{
	struct tally *v = g_hash_table_lookup(h, key);

	if (v == NULL) {
		v = g_new0(struct tally, 1);
		g_hash_table_insert(h, g_strdup(key), v);
	}
	return v;
}

static void
add(struct tally *v, const struct ds_gen_rec *rec)
{
	bool pass = rec->dkim_pass || rec->spf_pass;

	v->records++;
	v->messages += rec->count;
	if (pass)
		v->pass += rec->count;
	else
		v->fail += rec->count;
}

/*
 * Count record rec of report r (valid and written). t may be NULL (no
 * truth wanted): then this does nothing, as do all the functions below.
 */
void
ds_gen_truth_record(struct ds_gen_truth *t, const struct ds_gen_report *r,
    const struct ds_gen_rec *rec)
{
	char *key;

	if (t == NULL)
		return;
	add(&t->cur, rec);
	add(get(t->domains, r->domain), rec);
	add(get(t->sources, rec->ip), rec);
	key = g_strconcat(r->domain, "\n", rec->ip, NULL);
	add(get(t->dom_src, key), rec);
	g_free(key);
}

/*
 * Close report r, written to the file (or mbox position) file; the records
 * counted since the previous report belong to it.
 */
void
ds_gen_truth_report(
    struct ds_gen_truth *t, const struct ds_gen_report *r, const char *file)
{
	struct entry *e;

	if (t == NULL)
		return;
	e = g_new0(struct entry, 1);
	e->file = g_strdup(file);
	e->org = g_strdup(r->rep->org_name);
	e->id = g_strdup(r->report_id);
	e->domain = g_strdup(r->domain);
	e->begin = r->begin;
	e->end = r->end;
	e->t = t->cur;
	g_ptr_array_add(t->reports, e);
	get(t->domains, r->domain)->reports++;
	memset(&t->cur, 0, sizeof(t->cur));
}

static void
note(GPtrArray *a, const char *file, const char *other)
{
	struct entry *e = g_new0(struct entry, 1);

	e->file = g_strdup(file);
	e->other = g_strdup(other);
	g_ptr_array_add(a, e);
}

/* Record that file repeats the message in file orig byte for byte. */
void
ds_gen_truth_dup(struct ds_gen_truth *t, const char *file, const char *orig)
{
	if (t != NULL)
		note(t->dups, file, orig);
}

/* Record that file carries an invalid report of the given kind. */
void
ds_gen_truth_invalid(struct ds_gen_truth *t, const char *file, const char *kind)
{
	if (t != NULL)
		note(t->invalid, file, kind);
}

/* Count one message (file) written. */
void
ds_gen_truth_message(struct ds_gen_truth *t)
{
	if (t != NULL)
		t->messages++;
}

static void
jstr(GString *o, const char *s)
{
	g_string_append_c(o, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_printf(o, "\\%c", *s);
		else if ((guchar)*s < 0x20)
			g_string_append_printf(o, "\\u%04x", (guchar)*s);
		else
			g_string_append_c(o, *s);
	}
	g_string_append_c(o, '"');
}

static void
jtally(GString *o, const struct tally *v, bool reports)
{
	if (reports)
		g_string_append_printf(o,
		    "\"reports\": %" G_GUINT64_FORMAT
		    ", \"records\": %" G_GUINT64_FORMAT ", ",
		    v->reports, v->records);
	g_string_append_printf(o,
	    "\"messages\": %" G_GUINT64_FORMAT
	    ", \"dmarc_pass\": %" G_GUINT64_FORMAT
	    ", \"dmarc_fail\": %" G_GUINT64_FORMAT,
	    v->messages, v->pass, v->fail);
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(a, b);
}

/* Write table h as a JSON object sorted by key. */
static void
jtable(GString *o, GHashTable *h, bool reports)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(h), cmp_str), *l;

	g_string_append(o, "{");
	for (l = keys; l != NULL; l = l->next) {
		g_string_append(o, l == keys ? "\n    " : ",\n    ");
		jstr(o, l->data);
		g_string_append(o, ": { ");
		jtally(o, g_hash_table_lookup(h, l->data), reports);
		g_string_append(o, " }");
	}
	g_string_append(o, keys != NULL ? "\n  }" : "}");
	g_list_free(keys);
}

/* Write the "domain\nip" table h as { domain: { ip: tally } }, sorted. */
static void
jnested(GString *o, GHashTable *h)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(h), cmp_str), *l;
	const char *key, *ip, *prev = NULL;
	char *dom;

	g_string_append(o, "{");
	for (l = keys; l != NULL; l = l->next) {
		key = l->data;
		ip = strchr(key, '\n') + 1;
		if (prev == NULL ||
		    strncmp(prev, key, (size_t)(ip - key)) != 0) {
			g_string_append(
			    o, prev == NULL ? "\n    " : "\n    },\n    ");
			dom = g_strndup(key, (gsize)(ip - key - 1));
			jstr(o, dom);
			g_free(dom);
			g_string_append(o, ": {\n      ");
		} else
			g_string_append(o, ",\n      ");
		jstr(o, ip);
		g_string_append(o, ": { ");
		jtally(o, g_hash_table_lookup(h, key), false);
		g_string_append(o, " }");
		prev = key;
	}
	g_string_append(o, keys != NULL ? "\n    }\n  }" : "}");
	g_list_free(keys);
}

static void
jnotes(GString *o, GPtrArray *a, const char *what)
{
	guint i;

	g_string_append(o, "[");
	for (i = 0; i < a->len; i++) {
		struct entry *e = a->pdata[i];

		g_string_append(o, i ? ",\n    { \"file\": "
		                     : "\n    { "
		                       "\"file\": ");
		jstr(o, e->file);
		g_string_append_printf(o, ", \"%s\": ", what);
		jstr(o, e->other);
		g_string_append(o, " }");
	}
	g_string_append(o, a->len ? "\n  ]" : "]");
}

static void
jreports(GString *o, GPtrArray *a)
{
	guint i;

	g_string_append(o, "[");
	for (i = 0; i < a->len; i++) {
		struct entry *e = a->pdata[i];

		g_string_append(o,
		    i ? ",\n    { \"org_name\": " : "\n    { \"org_name\": ");
		jstr(o, e->org);
		g_string_append(o, ", \"report_id\": ");
		jstr(o, e->id);
		g_string_append(o, ", \"domain\": ");
		jstr(o, e->domain);
		g_string_append_printf(o,
		    ", \"begin\": %" G_GINT64_FORMAT
		    ", \"end\": %" G_GINT64_FORMAT
		    ", \"records\": %" G_GUINT64_FORMAT ", ",
		    e->begin, e->end, e->t.records);
		jtally(o, &e->t, false);
		g_string_append(o, ", \"file\": ");
		jstr(o, e->file);
		g_string_append(o, " }");
	}
	g_string_append(o, a->len ? "\n  ]" : "]");
}

/*
 * Write t as a JSON document to path (replaced atomically). Returns false
 * with err set on an I/O error.
 */
bool
ds_gen_truth_write(struct ds_gen_truth *t, const char *path, GError **err)
{
	GString *o = g_string_new("{\n  \"generator\": \"dsgen\", \"mode\": ");
	bool ok;

	jstr(o, t->mode);
	g_string_append_printf(o,
	    ", \"seed\": %u,\n  \"messages\": %" G_GUINT64_FORMAT
	    ", \"valid_reports\": %u, \"duplicates\": %u, "
	    "\"invalid\": %u,\n  \"reports\": ",
	    t->seed, t->messages, t->reports->len, t->dups->len,
	    t->invalid->len);
	jreports(o, t->reports);
	g_string_append(o, ",\n  \"duplicate_messages\": ");
	jnotes(o, t->dups, "duplicate_of");
	g_string_append(o, ",\n  \"invalid_messages\": ");
	jnotes(o, t->invalid, "kind");
	g_string_append(o, ",\n  \"domains\": ");
	jtable(o, t->domains, true);
	g_string_append(o, ",\n  \"sources\": ");
	jtable(o, t->sources, false);
	g_string_append(o, ",\n  \"domain_sources\": ");
	jnested(o, t->dom_src);
	g_string_append(o, "\n}\n");
	ok = g_file_set_contents(path, o->str, (gssize)o->len, err);
	g_string_free(o, TRUE);
	return ok;
}

/* Free t (NULL-safe). */
void
ds_gen_truth_free(struct ds_gen_truth *t)
{
	if (t == NULL)
		return;
	g_free(t->mode);
	g_ptr_array_unref(t->reports);
	g_ptr_array_unref(t->dups);
	g_ptr_array_unref(t->invalid);
	g_hash_table_unref(t->domains);
	g_hash_table_unref(t->sources);
	g_hash_table_unref(t->dom_src);
	g_free(t);
}
