/*
 * html_svg.c - inline SVG charts (html_svg.h): daily volume and pass
 * rate, sparklines. Only numbers and our own labels go into the SVG.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/store/store_senders.h"
#include "report/html/html_page.h"
#include "report/html/html_svg.h"

#define CW 960		/* viewBox of the daily chart */
#define CH 280
#define ML 62		/* margins: left axis, right axis, top, bottom */
#define MR 46
#define MT 14
#define MB 40
#define MAX_BARS 120

struct bucket {
	int64_t day;		/* first day of the bucket */
	int64_t messages, pass;
};

/* Sum days into buckets of 1, 7 or 30 days, at most MAX_BARS of them. */
static GArray *
bucketize(const GArray *days, unsigned *width)
{
	GArray *b = g_array_new(FALSE, TRUE, sizeof(struct bucket));
	unsigned w = 1, i;

	if (days->len > MAX_BARS)
		w = days->len > 7 * MAX_BARS ? 30 : 7;
	for (i = 0; i < days->len; i++) {
		const struct ds_day *d = &g_array_index(days, struct ds_day, i);
		struct bucket *x;

		if (i % w == 0) {
			struct bucket nb = { d->day, 0, 0 };

			g_array_append_val(b, nb);
		}
		x = &g_array_index(b, struct bucket, b->len - 1);
		ds_count_add(&x->messages, d->messages);
		ds_count_add(&x->pass, d->dmarc_pass);
	}
	*width = w;
	return b;
}

/* A round axis maximum >= v: 1, 2 or 5 times a power of ten. */
static double
nice_max(double v)
{
	double p = 1;

	if (v <= 1)
		return 1;
	while (p * 10 < v)
		p *= 10;
	return v <= p ? p : v <= 2 * p ? 2 * p : v <= 5 * p ? 5 * p : 10 * p;
}

static void
day_label(GString *g, int64_t day, bool year)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(day);
	char *s;

	if (dt == NULL)
		return;
	s = g_date_time_format(dt, year ? "%Y-%m-%d" : "%m-%d");
	g_string_append(g, s);
	g_free(s);
	g_date_time_unref(dt);
}

static void
axes(GString *g, double ymax)
{
	const double ph = CH - MT - MB;
	double tick;
	int i;

	for (i = 0; i <= 4; i++) {
		double y = MT + ph - ph * i / 4.0;

		g_string_append_printf(g, "<line class=\"grid\" x1=\"%d\" "
		    "x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", ML, CW - MR, y, y);
		g_string_append_printf(g, "<text class=\"axis\" x=\"%d\" "
		    "y=\"%.1f\" text-anchor=\"end\">", ML - 6, y + 4);
		/* an axis label, not a count; never cast past 2^63; big
		   ticks in k/M/G so they fit the ML margin */
		tick = ymax * i / 4.0 + 0.5;
		if (tick >= 1e9)
			g_string_append_printf(g, "%.4gG", tick / 1e9);
		else if (tick >= 1e6)
			g_string_append_printf(g, "%.4gM", tick / 1e6);
		else if (tick >= 1e5)
			g_string_append_printf(g, "%.4gk", tick / 1e3);
		else
			ds_fmt_int(g, (int64_t)tick);
		g_string_append_printf(g, "</text><text class=\"raxis\" "
		    "x=\"%d\" y=\"%.1f\">%d%%</text>\n", CW - MR + 6, y + 4,
		    i * 25);
	}
}

static void
bars(GString *g, const GArray *b, unsigned w, double ymax)
{
	const double pw = CW - ML - MR, ph = CH - MT - MB;
	double bw = pw / b->len, gap = bw > 6 ? bw * 0.18 : 0.5;
	unsigned i, every = b->len > 8 ? (b->len + 7) / 8 : 1;

	for (i = 0; i < b->len; i++) {
		const struct bucket *x = &g_array_index(b, struct bucket, i);
		double x0 = ML + i * bw + gap / 2, hp, hf;
		int64_t fail;

		ds_count_sub(&fail, x->messages, x->pass);
		hp = ph * (double)x->pass / ymax;
		hf = ph * (double)fail / ymax;
		g_string_append(g, "<g><title>");
		day_label(g, x->day, true);
		if (w > 1)
			g_string_append_printf(g, " (%u days)", w);
		g_string_append(g, ": ");
		ds_fmt_int(g, x->messages);
		g_string_append(g, " messages, ");
		ds_fmt_int(g, fail);
		g_string_append_printf(g, " failing DMARC, %.1f %% pass"
		    "</title>", ds_pass_rate(x->pass, x->messages));
		g_string_append_printf(g, "<rect class=\"vol\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0,
		    MT + ph - hp, bw - gap, hp);
		if (fail > 0)
			g_string_append_printf(g, "<rect class=\"volf\" "
			    "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\"/>", x0, MT + ph - hp - hf,
			    bw - gap, hf);
		g_string_append(g, "</g>\n");
		if (i % every == 0) {
			g_string_append_printf(g, "<text class=\"axis\" "
			    "x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			    x0 + (bw - gap) / 2, CH - MB + 16);
			day_label(g, x->day, i == 0);
			g_string_append(g, "</text>\n");
		}
	}
}

/* The pass-rate polyline; a bucket without messages breaks the line. */
static void
rate_line(GString *g, const GArray *b, double x0, double bw, double top,
    double ph, bool dots)
{
	bool open = false;
	unsigned i;

	for (i = 0; i < b->len; i++) {
		const struct bucket *x = &g_array_index(b, struct bucket, i);
		double r, cx, cy;

		if (x->messages <= 0) {
			if (open)
				g_string_append(g, "\"/>");
			open = false;
			continue;
		}
		r = (double)x->pass / (double)x->messages;
		cx = x0 + (i + 0.5) * bw;
		cy = top + ph * (1 - r);
		if (!open)
			g_string_append(g, "<polyline class=\"rline\" "
			    "points=\"");
		g_string_append_printf(g, "%s%.1f,%.1f", open ? " " : "", cx,
		    cy);
		open = true;
	}
	if (open)
		g_string_append(g, "\"/>");
	if (!dots || b->len > 40)
		return;
	for (i = 0; i < b->len; i++) {
		const struct bucket *x = &g_array_index(b, struct bucket, i);

		if (x->messages > 0)
			g_string_append_printf(g, "<circle class=\"rdot\" "
			    "cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>",
			    x0 + (i + 0.5) * bw, top + ph * (1 -
			    (double)x->pass / (double)x->messages));
	}
}

void
ds_svg_daily(GString *g, const GArray *days)
{
	GArray *b;
	unsigned w, i;
	int64_t total = 0, max = 0;
	double ymax;

	if (days == NULL || days->len == 0) {
		g_string_append(g, "<p class=\"note\">No data in this "
		    "period.</p>\n");
		return;
	}
	b = bucketize(days, &w);
	for (i = 0; i < b->len; i++) {
		const struct bucket *x = &g_array_index(b, struct bucket, i);

		ds_count_add(&total, x->messages);
		if (x->messages > max)
			max = x->messages;
	}
	ymax = nice_max((double)max);
	g_string_append_printf(g, "<div class=\"chart\"><svg class=\"daily\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" data-messages=\"%"
	    G_GINT64_FORMAT "\" data-bars=\"%u\" aria-label=\"messages per "
	    "%s and DMARC pass rate\">\n", CW, CH, total, b->len,
	    w == 1 ? "day" : w == 7 ? "week" : "30 days");
	axes(g, ymax);
	bars(g, b, w, ymax);
	rate_line(g, b, ML, (double)(CW - ML - MR) / b->len, MT,
	    CH - MT - MB, true);
	g_string_append_printf(g, "</svg><div class=\"legend\"><i class=\"vol\">"
	    "</i>passing DMARC<i class=\"volf\"></i>failing DMARC"
	    "<i class=\"rline\"></i>pass rate (right axis) \xc2\xb7 one bar "
	    "per %s</div></div>\n", w == 1 ? "day" : w == 7 ? "week" :
	    "30 days");
	g_array_unref(b);
}

void
ds_svg_spark(GString *g, const GArray *days)
{
	GArray *b;
	unsigned w, i;
	int64_t max = 0;
	double bw;

	if (days == NULL || days->len == 0)
		return;
	b = bucketize(days, &w);
	for (i = 0; i < b->len; i++)
		max = MAX(max, g_array_index(b, struct bucket, i).messages);
	bw = 160.0 / b->len;
	g_string_append(g, "<svg class=\"spark\" viewBox=\"0 0 160 32\" "
	    "aria-hidden=\"true\">");
	for (i = 0; i < b->len && max > 0; i++) {
		const struct bucket *x = &g_array_index(b, struct bucket, i);
		double h = 30.0 * (double)x->messages / (double)max;

		g_string_append_printf(g, "<rect class=\"vol\" x=\"%.2f\" "
		    "y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", i * bw,
		    32 - h, bw > 2 ? bw - 0.6 : bw, h);
	}
	rate_line(g, b, 0, bw, 1, 30, false);
	g_string_append(g, "</svg>");
	g_array_unref(b);
}
