/*
 * table.c - typed result tables rendered as text, JSON (RFC 8259) or CSV
 * (RFC 4180, formula-guarded per THREATS #10).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "schema/util/term.h"
#include "schema/util/count.h"
#include "schema/util/json.h"
#include "report/text/table.h"

enum cell_kind { C_NULL, C_STR, C_NUM, C_JSON };

struct cell {
	enum cell_kind kind;
	char *text;	/* display / CSV text */
	char *json;	/* C_NUM, C_JSON: literal JSON */
};

/*
 * Rows kept in memory before they go to the spool: a table of 200,000
 * senders is written to a temporary file as it grows and read back
 * (twice for text: widths, then lines) when emitted, so its size costs
 * disk, not memory (issue 20).
 */
#define SPOOL_ROWS 256
/* Output is written out whenever this much is pending. */
#define FLUSH_BYTES 65536

struct ds_table {
	GPtrArray *cols;	/* char * */
	GArray *cells;		/* struct cell, row-major: the rows after
				   the spooled ones */
	FILE *spool;		/* unlinked temporary file, or NULL */
	unsigned spooled;	/* rows in the spool (the first ones) */
	bool spool_failed;	/* could not spool: everything in memory */
	GHashTable *hidden;	/* column index + 1 */
	GHashTable *times;	/* column index + 1 of Unix-time columns */
	GHashTable *whole;	/* column index + 1: never shortened */
	unsigned rows;
	bool wide;		/* text: never cut a cell to fit */
};

struct ds_table *
ds_table_new(const char *const *cols)
{
	struct ds_table *t = g_new0(struct ds_table, 1);

	t->cols = g_ptr_array_new_with_free_func(g_free);
	for (; *cols; cols++)
		g_ptr_array_add(t->cols, g_strdup(*cols));
	t->cells = g_array_new(FALSE, TRUE, sizeof(struct cell));
	t->hidden = g_hash_table_new(NULL, NULL);
	t->times = g_hash_table_new(NULL, NULL);
	t->whole = g_hash_table_new(NULL, NULL);
	return t;
}

static void
cells_clear(GArray *cells)
{
	guint i;

	for (i = 0; i < cells->len; i++) {
		struct cell *c = &g_array_index(cells, struct cell, i);
		g_free(c->text);
		g_free(c->json);
	}
	g_array_set_size(cells, 0);
}

void
ds_table_free(struct ds_table *t)
{
	if (t == NULL)
		return;
	cells_clear(t->cells);
	if (t->spool)
		fclose(t->spool);
	g_array_free(t->cells, TRUE);
	g_ptr_array_free(t->cols, TRUE);
	g_hash_table_destroy(t->hidden);
	g_hash_table_destroy(t->times);
	g_hash_table_destroy(t->whole);
	g_free(t);
}

static void
spool_str(FILE *f, const char *s)
{
	int32_t n = s ? (int32_t)MIN(strlen(s), (size_t)INT32_MAX) : -1;

	(void)fwrite(&n, sizeof(n), 1, f);
	if (n > 0)
		(void)fwrite(s, 1, (size_t)n, f);
}

static char *
unspool_str(FILE *f)
{
	int32_t n;
	char *s;

	if (fread(&n, sizeof(n), 1, f) != 1 || n < 0)
		return NULL;
	s = g_malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	return s;
}

/* An unlinked temporary file in $TMPDIR (g_get_tmp_dir), or NULL. */
static FILE *
spool_open(void)
{
	char *path = NULL;
	FILE *f = NULL;
	int fd;

	if ((fd = g_file_open_tmp("dmarcsift-table-XXXXXX", &path, NULL)) < 0)
		return NULL;
	(void)g_unlink(path);
	g_free(path);
	if ((f = fdopen(fd, "w+b")) == NULL)
		close(fd);
	return f;
}

/*
 * Move the complete rows in memory to the spool. Without a spool (no
 * temporary directory, disk full) the rows stay in memory, as before.
 */
static void
spill(struct ds_table *t)
{
	guint i;

	if (t->spool_failed || t->cells->len == 0)
		return;
	if (t->spool == NULL && (t->spool = spool_open()) == NULL) {
		t->spool_failed = true;
		return;
	}
	(void)fseek(t->spool, 0, SEEK_END);
	for (i = 0; i < t->cells->len; i++) {
		const struct cell *c = &g_array_index(t->cells, struct cell, i);
		unsigned char k = (unsigned char)c->kind;

		(void)fwrite(&k, 1, 1, t->spool);
		spool_str(t->spool, c->text);
		spool_str(t->spool, c->json);
	}
	if (fflush(t->spool) != 0 || ferror(t->spool)) {
		/* keep what is in memory; rows spooled so far stay good */
		t->spool_failed = true;
		return;
	}
	t->spooled += t->cells->len / t->cols->len;
	cells_clear(t->cells);
}

void
ds_table_row(struct ds_table *t)
{
	struct cell blank = { C_NULL, NULL, NULL };

	/* pad an unfinished previous row */
	while (t->cells->len % t->cols->len)
		g_array_append_val(t->cells, blank);
	if (t->cells->len >= SPOOL_ROWS * t->cols->len)
		spill(t);
	t->rows++;
}

static void
put(struct ds_table *t, enum cell_kind k, char *text, char *json)
{
	struct cell c = { k, text, json };

	g_assert(t->cells->len < (guint)(t->rows - t->spooled) *
	    t->cols->len);
	g_array_append_val(t->cells, c);
}

void
ds_table_str(struct ds_table *t, const char *s)
{
	if (s == NULL)
		put(t, C_NULL, NULL, NULL);
	else
		put(t, C_STR, g_utf8_make_valid(s, -1), NULL);
}

/* Text through ds_count_str: a count at the 2^63-1 cap shows "+". */
void
ds_table_int(struct ds_table *t, int64_t v)
{
	char *s = g_strdup_printf("%" G_GINT64_FORMAT, v);

	put(t, C_NUM, v >= 0 ? ds_count_str(v, false, 0) : g_strdup(s), s);
}

void
ds_table_num(struct ds_table *t, double v, int decimals)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	char *fmt = g_strdup_printf("%%.%df", decimals);

	g_ascii_formatd(buf, sizeof(buf), fmt, v);
	g_free(fmt);
	put(t, C_NUM, g_strdup(buf), g_strdup(buf));
}

void
ds_table_bool(struct ds_table *t, int v)
{
	if (v < 0)
		put(t, C_NULL, NULL, NULL);
	else
		put(t, C_NUM, g_strdup(v ? "yes" : "no"),
		    g_strdup(v ? "true" : "false"));
}

void
ds_table_null(struct ds_table *t)
{
	put(t, C_NULL, NULL, NULL);
}

void
ds_table_json(struct ds_table *t, const char *json, const char *text)
{
	put(t, C_JSON, g_strdup(text ? text : ""), g_strdup(json));
}

/* The cell about to be put is a Unix time: its column gets an ISO twin
 * in CSV. */
static void
mark_time(struct ds_table *t)
{
	g_hash_table_add(t->times, GUINT_TO_POINTER(t->cells->len %
	    t->cols->len + 1));
}

void
ds_table_time(struct ds_table *t, int64_t v)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(v);
	char *iso = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") :
	    g_strdup_printf("%" G_GINT64_FORMAT, v);

	if (dt)
		g_date_time_unref(dt);
	mark_time(t);
	put(t, C_NUM, iso, g_strdup_printf("%" G_GINT64_FORMAT, v));
}

void
ds_table_day(struct ds_table *t, int64_t v)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(v);
	char *day = dt ? g_date_time_format(dt, "%Y-%m-%d") :
	    g_strdup_printf("%" G_GINT64_FORMAT, v);

	if (dt)
		g_date_time_unref(dt);
	mark_time(t);
	put(t, C_NUM, day, g_strdup_printf("%" G_GINT64_FORMAT, v));
}

void
ds_table_text_wide(struct ds_table *t)
{
	t->wide = true;
}

void
ds_table_text_hide(struct ds_table *t, const char *col)
{
	guint i;

	for (i = 0; i < t->cols->len; i++)
		if (strcmp(g_ptr_array_index(t->cols, i), col) == 0)
			g_hash_table_add(t->hidden, GUINT_TO_POINTER(i + 1));
}

void
ds_table_text_whole(struct ds_table *t, const char *col)
{
	guint i;

	for (i = 0; i < t->cols->len; i++)
		if (strcmp(g_ptr_array_index(t->cols, i), col) == 0)
			g_hash_table_add(t->whole, GUINT_TO_POINTER(i + 1));
}

unsigned
ds_table_rows(const struct ds_table *t)
{
	return t->rows;
}

/* Reads the rows in order: the spooled ones, then those in memory. */
struct rows {
	const struct ds_table *t;
	unsigned r;		/* the row next() gives */
	struct cell *spooled;	/* one row read back from the spool */
};

static void
rows_begin(struct rows *it, const struct ds_table *t)
{
	it->t = t;
	it->r = 0;
	it->spooled = g_new0(struct cell, t->cols->len);
	if (t->spool)
		(void)fseek(t->spool, 0, SEEK_SET);
}

static void
spooled_clear(struct rows *it)
{
	guint c;

	for (c = 0; c < it->t->cols->len; c++) {
		g_free(it->spooled[c].text);
		g_free(it->spooled[c].json);
		it->spooled[c].text = it->spooled[c].json = NULL;
		it->spooled[c].kind = C_NULL;
	}
}

/* The next row's cells (nc of them, valid until the next call). */
static const struct cell *
rows_next(struct rows *it)
{
	static const struct cell blank = { C_NULL, NULL, NULL };
	const struct ds_table *t = it->t;
	unsigned r = it->r++, c, nc = t->cols->len;
	unsigned char k;
	guint i;

	if (r < t->spooled) {
		spooled_clear(it);
		for (c = 0; c < nc; c++) {
			if (fread(&k, 1, 1, t->spool) != 1)
				break;
			it->spooled[c].kind = k <= C_JSON ? k : C_NULL;
			it->spooled[c].text = unspool_str(t->spool);
			it->spooled[c].json = unspool_str(t->spool);
		}
		return it->spooled;
	}
	i = (r - t->spooled) * nc;
	if (i + nc <= t->cells->len)
		return &g_array_index(t->cells, struct cell, i);
	/* a last row left short: pad it */
	spooled_clear(it);
	for (c = 0; i + c < t->cells->len; c++) {
		const struct cell *x = &g_array_index(t->cells, struct cell,
		    i + c);

		it->spooled[c].kind = x->kind;
		it->spooled[c].text = g_strdup(x->text);
		it->spooled[c].json = g_strdup(x->json);
	}
	for (; c < nc; c++)
		it->spooled[c] = blank;
	return it->spooled;
}

static void
rows_end(struct rows *it)
{
	spooled_clear(it);
	g_free(it->spooled);
}

/* Where emitted text goes: written out every FLUSH_BYTES. */
struct out {
	GString *g;
	FILE *f;
	bool data;		/* CSV: term.h's data rule */
};

static void
out_flush(struct out *o, bool all)
{
	if (o->g->len == 0 || (!all && o->g->len < FLUSH_BYTES))
		return;
	if (o->data)
		ds_term_write_data(o->f, o->g->str, (gssize)o->g->len);
	else
		ds_term_write(o->f, o->g->str, (gssize)o->g->len);
	g_string_truncate(o->g, 0);
}

void
ds_json_str(GString *g, const char *s)
{
	ds_json_escape(g, s);	/* the one escaper (schema/util/json.h) */
}

static void
emit_json(const struct ds_table *t, struct out *o)
{
	GString *g = o->g;
	struct rows it;
	unsigned r, c;

	rows_begin(&it, t);
	g_string_append_c(g, '[');
	for (r = 0; r < t->rows; r++) {
		const struct cell *row = rows_next(&it);

		out_flush(o, false);
		g_string_append(g, r ? ",\n {" : "\n {");
		for (c = 0; c < t->cols->len; c++) {
			const struct cell *x = &row[c];

			if (c)
				g_string_append_c(g, ',');
			ds_json_str(g, g_ptr_array_index(t->cols, c));
			g_string_append_c(g, ':');
			if (x->kind == C_NULL)
				g_string_append(g, "null");
			else if (x->kind == C_STR)
				ds_json_str(g, x->text);
			else
				g_string_append(g, x->json);
		}
		g_string_append_c(g, '}');
	}
	g_string_append(g, t->rows ? "\n]\n" : "]\n");
	rows_end(&it);
}

/* The ISO 8601 UTC form of the Unix seconds in text, else "". */
static char *
iso_of(const char *text)
{
	GDateTime *dt;
	char *end, *iso;
	gint64 v;

	if (text == NULL)
		return g_strdup("");
	v = g_ascii_strtoll(text, &end, 10);
	if (end == text || *end || (dt = g_date_time_new_from_unix_utc(v)) ==
	    NULL)
		return g_strdup("");
	iso = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return iso;
}

/*
 * RFC 4180; each Unix-time column is followed by "<name>_iso" with the
 * same instant in ISO 8601 UTC, for spreadsheets and for people.
 */
static void
emit_csv(const struct ds_table *t, struct out *o)
{
	GString *g = o->g;
	struct rows it;
	unsigned r, c;
	bool time;
	char *h;

	for (c = 0; c < t->cols->len; c++) {
		if (c)
			g_string_append_c(g, ',');
		ds_csv_field(g, g_ptr_array_index(t->cols, c));
		if (g_hash_table_contains(t->times, GUINT_TO_POINTER(c + 1))) {
			h = g_strconcat(",", (char *)g_ptr_array_index(t->cols,
			    c), "_iso", NULL);
			g_string_append(g, h);
			g_free(h);
		}
	}
	g_string_append(g, "\r\n");
	rows_begin(&it, t);
	for (r = 0; r < t->rows; r++) {
		const struct cell *row = rows_next(&it);

		out_flush(o, false);
		for (c = 0; c < t->cols->len; c++) {
			const struct cell *x = &row[c];

			time = g_hash_table_contains(t->times,
			    GUINT_TO_POINTER(c + 1));
			if (c)
				g_string_append_c(g, ',');
			if (x->kind == C_STR)
				ds_csv_field(g, x->text);
			else if (x->kind != C_NULL)
				ds_csv_field(g, x->kind == C_JSON ? x->json :
				    x->json);
			if (time) {
				h = x->kind == C_NUM ? iso_of(x->json) :
				    g_strdup("");
				g_string_append_c(g, ',');
				g_string_append(g, h);
				g_free(h);
			}
		}
		g_string_append(g, "\r\n");
	}
	rows_end(&it);
}

/*
 * Display text of a cell on one line, escaped by the terminal rule
 * (term.h) before the widths are measured, so a column stays aligned;
 * the tab and newline the rule lets through are shown escaped too.
 */
static char *
display(const struct cell *x)
{
	char *s = ds_term_escape(x->kind == C_NULL ? "-" : x->text, -1);
	GString *g;
	char *p;

	if (strpbrk(s, "\t\n") == NULL)
		return s;
	g = g_string_new(NULL);
	for (p = s; *p; p++)
		if (*p == '\t' || *p == '\n')
			g_string_append(g, *p == '\t' ? "\\t" : "\\n");
		else
			g_string_append_c(g, *p);
	g_free(s);
	return g_string_free(g, FALSE);
}

static void
pad_cell(GString *g, const char *s, long width, bool right)
{
	long n = g_utf8_strlen(s, -1), i;

	if (n > width) {
		/* truncate on a character boundary, mark with '~' */
		const char *cut = g_utf8_offset_to_pointer(s, width - 1);
		g_string_append_len(g, s, cut - s);
		g_string_append_c(g, '~');
		return;
	}
	if (right)
		for (i = n; i < width; i++)
			g_string_append_c(g, ' ');
	g_string_append(g, s);
	if (!right)
		for (i = n; i < width; i++)
			g_string_append_c(g, ' ');
}

/*
 * The table is over by `over` columns and only never-shortened columns
 * (IP addresses) are left to give: narrow them, down to their header;
 * a cell wider than its column then gets a line of its own above its
 * row (whole_own_lines), so it is never cut and the table fits.
 */
static void
narrow_whole(const struct ds_table *t, long *w, long over)
{
	unsigned c;
	long min, give;

	for (c = 0; over > 0 && c < t->cols->len; c++) {
		if (!g_hash_table_contains(t->whole, GUINT_TO_POINTER(c + 1)) ||
		    g_hash_table_contains(t->hidden, GUINT_TO_POINTER(c + 1)))
			continue;
		min = MAX(g_utf8_strlen(g_ptr_array_index(t->cols, c), -1), 8);
		give = MIN(over, w[c] - min);
		if (give > 0) {
			w[c] -= give;
			over -= give;
		}
	}
}

/*
 * Print, at its column's place, every never-shortened cell of row that
 * is wider than its column, alone on a line; blank it in row.
 */
static void
whole_own_lines(const struct ds_table *t, const long *w, char **row,
    GString *g)
{
	unsigned c;
	long at = 0;
	bool first = true;

	for (c = 0; c < t->cols->len; c++) {
		if (g_hash_table_contains(t->hidden, GUINT_TO_POINTER(c + 1)))
			continue;
		if (!first)
			at += 2;
		first = false;
		if (g_hash_table_contains(t->whole, GUINT_TO_POINTER(c + 1)) &&
		    g_utf8_strlen(row[c], -1) > w[c]) {
			g_string_append_printf(g, "%*s%s\n", (int)at, "",
			    row[c]);
			row[c][0] = '\0';
		}
		at += w[c];
	}
}

/* The display text of every cell of row (nc strings, g_strfreev). */
static char **
display_row(const struct cell *row, unsigned nc)
{
	char **d = g_new0(char *, nc + 1);
	unsigned c;

	for (c = 0; c < nc; c++)
		d[c] = display(&row[c]);
	return d;
}

/* One text line: header (row NULL) or a row of display texts. */
static void
text_line(const struct ds_table *t, const long *w, const bool *right,
    char **row, GString *g)
{
	unsigned c;
	bool first = true;
	gsize start;

	if (row != NULL)
		whole_own_lines(t, w, row, g);
	start = g->len;
	for (c = 0; c < t->cols->len; c++) {
		if (g_hash_table_contains(t->hidden, GUINT_TO_POINTER(c + 1)))
			continue;
		if (!first)
			g_string_append(g, "  ");
		first = false;
		pad_cell(g, row == NULL ? g_ptr_array_index(t->cols, c) :
		    row[c], w[c], right[c]);
	}
	while (g->len > start && g->str[g->len - 1] == ' ')
		g_string_truncate(g, g->len - 1);
	g_string_append_c(g, '\n');
}

/*
 * Two passes over the rows: the widths, then the lines (the display
 * text is made again rather than kept for every row).
 */
static void
emit_text(const struct ds_table *t, struct out *o)
{
	unsigned nc = t->cols->len, r, c, shown = 0;
	long *w = g_new0(long, nc), total, max_w;
	const char *env = getenv("COLUMNS");
	long cols = env ? strtol(env, NULL, 10) : 80;
	bool *right = g_new0(bool, nc);
	struct rows it;
	char **d;

	if (cols < 40)
		cols = 80;
	for (c = 0; c < nc; c++) {
		if (g_hash_table_contains(t->hidden, GUINT_TO_POINTER(c + 1)))
			continue;
		w[c] = g_utf8_strlen(g_ptr_array_index(t->cols, c), -1);
		right[c] = t->rows > 0;
		shown++;
	}
	rows_begin(&it, t);
	for (r = 0; r < t->rows; r++) {
		const struct cell *row = rows_next(&it);

		d = display_row(row, nc);
		for (c = 0; c < nc; c++) {
			long n = g_utf8_strlen(d[c], -1);

			if (n > w[c] && w[c] >= 0)
				w[c] = n;
			if (row[c].kind == C_STR || row[c].kind == C_JSON)
				right[c] = false;
		}
		g_strfreev(d);
	}
	rows_end(&it);
	/* shrink the widest column until the table fits */
	for (;;) {
		unsigned widest = 0;

		total = shown ? (long)(shown - 1) * 2 : 0;
		max_w = 0;
		for (c = 0; c < nc; c++) {
			if (g_hash_table_contains(t->hidden,
			    GUINT_TO_POINTER(c + 1)))
				continue;
			total += w[c];
			if (w[c] > max_w && !g_hash_table_contains(t->whole,
			    GUINT_TO_POINTER(c + 1))) {
				max_w = w[c];
				widest = c;
			}
		}
		if (t->wide || total <= cols || max_w <= 8)
			break;
		w[widest]--;
	}
	if (!t->wide && total > cols)
		narrow_whole(t, w, total - cols);
	text_line(t, w, right, NULL, o->g);
	rows_begin(&it, t);
	for (r = 0; r < t->rows; r++) {
		d = display_row(rows_next(&it), nc);
		text_line(t, w, right, d, o->g);
		g_strfreev(d);
		out_flush(o, false);
	}
	rows_end(&it);
	g_free(right);
	g_free(w);
}

void
ds_table_emit(const struct ds_table *t, enum ds_outfmt fmt, FILE *f)
{
	struct out o = { g_string_new(NULL), f, fmt == DS_OUT_CSV };

	if (fmt == DS_OUT_JSON)
		emit_json(t, &o);
	else if (fmt == DS_OUT_CSV)
		emit_csv(t, &o);	/* term.h: CSV is data */
	else
		emit_text(t, &o);
	out_flush(&o, true);
	g_string_free(o.g, TRUE);
}
