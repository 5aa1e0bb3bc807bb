/*
 * helper_mmdb.h - small MaxMind DB files for the tests, written at test
 * time by tests/enrich/mkmmdb.pl (Debian's libmaxmind-db-writer-perl):
 * asn.mmdb (GeoLite2-ASN layout), country.mmdb (GeoLite2-Country) and
 * ipinfo.mmdb (IPinfo Lite), with the networks listed in the script.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HELPER_MMDB_H
#define DS_HELPER_MMDB_H

#include <stdint.h>

/*
 * Write the three databases into a new directory under dir (created),
 * built at epoch, AS organisations ending in suffix ("" for the plain
 * names). Returns that directory (g_free); fails the test when perl or
 * the writer module is missing.
 */
char *tm_make(const char *dir, int64_t epoch, const char *suffix);

/* dir/name, for ds_mmdb_open() lists (g_free). */
char *tm_path(const char *dir, const char *name);

#endif
