/*
 * html_advice.h - the decision part of a domain page: the policy
 * timeline, the sources by class and doctor's findings (html_advice.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HTML_ADVICE_H
#define DS_HTML_ADVICE_H

#include <stdbool.h>
#include <glib.h>

#include "report/html/html_build.h"

/* Append the three sections of domain to g. DS_ERROR_DB. */
bool ds_html_advice(struct ds_html_ctx *c, GString *g, const char *domain,
    GError **err);

#endif
