/*
 * jsonin.h - untrusted JSON in, through json-glib, with limits.
 * SPDX-License-Identifier: MIT
 *
 * json-glib 1.6.6 has no depth limit and overflows its stack at about
 * 100,000 nested arrays (SPEC.md section 8), and accepts any size: every
 * JSON document from a report or a server goes through ds_json_parse,
 * which checks the size, the nesting depth (a byte scan outside strings)
 * and UTF-8 before json-glib sees it (THREATS #20).
 */
#ifndef DS_JSONIN_H
#define DS_JSONIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

struct ds_json_limits {
	size_t max_bytes;	/* whole document; 0: DS_JSON_MAX_BYTES */
	unsigned max_depth;	/* arrays and objects; 0: DS_JSON_MAX_DEPTH */
};

#define DS_JSON_MAX_BYTES (64u << 20)
#define DS_JSON_MAX_DEPTH 32u

/*
 * Parse buf (len bytes, not NUL-terminated) into a tree. NULL with
 * DS_ERROR_LIMIT (too large, too deep) or DS_ERROR_FORMAT (empty,
 * invalid UTF-8, an object with the same key twice, not JSON: with
 * json-glib's line and column) otherwise.
 * lim may be NULL for the defaults. Caller json_node_unref()s.
 */
JsonNode *ds_json_parse(const char *buf, size_t len,
    const struct ds_json_limits *lim, GError **err);

/*
 * The deepest nesting of arrays and objects in buf, counting only
 * brackets outside strings; stops and returns limit + 1 once limit is
 * passed. Exposed for tests.
 */
unsigned ds_json_depth(const char *buf, size_t len, unsigned limit);

/*
 * Member accessors that never abort on a wrong type (json-glib's own
 * getters g_warning and return garbage). NULL / false when obj is NULL,
 * the member is missing, or has another type.
 */
JsonObject *ds_jget_obj(JsonObject *obj, const char *name);
JsonArray *ds_jget_arr(JsonObject *obj, const char *name);
/* A string member; borrowed from obj. */
const char *ds_jget_str(JsonObject *obj, const char *name);
/*
 * An integer member in [min, max]: a JSON integer, or a string of
 * decimal digits (real reports send both). False for a fraction,
 * 1e999, out of range, or another type.
 */
bool ds_jget_int(JsonObject *obj, const char *name, int64_t min, int64_t max,
    int64_t *out);

#endif
