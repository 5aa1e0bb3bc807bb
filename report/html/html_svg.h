/*
 * html_svg.h - the charts of the dashboard as inline SVG made here: no
 * script, no fetch, coloured by classes of style.css (so light and dark
 * both work and style-src 'self' holds: no style attributes).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HTML_SVG_H
#define DS_HTML_SVG_H

#include <glib.h>

/*
 * Volume and DMARC pass rate over time from days (struct ds_day of
 * store_senders.h, one per UTC day, oldest first): stacked bars of
 * passing and failing messages, a pass-rate line on a 0-100 % axis.
 * Long series are drawn by week or by 30 days. data-messages on the
 * <svg> holds the total drawn (for tests).
 */
void ds_svg_daily(GString *g, const GArray *days);

/* A small volume sparkline (160x32) with the pass-rate line. */
void ds_svg_spark(GString *g, const GArray *days);

#endif
