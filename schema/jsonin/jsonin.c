/*
 * jsonin.c - untrusted JSON in, through json-glib, with limits.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "schema/util/error.h"
#include "schema/jsonin/jsonin.h"

unsigned
ds_json_depth(const char *buf, size_t len, unsigned limit)
{
	unsigned depth = 0, max = 0;
	bool in_str = false, esc = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > max) {
				max = depth;
				if (max > limit)
					return limit + 1;
			}
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

/*
 * Duplicate keys (THREATS #20): json-glib keeps the last silently, so
 * two readers of one document could disagree. Its object-member signal
 * fires once per member as parsed; the names seen so far in each open
 * object are kept until object-end.
 */
struct dupcheck {
	GHashTable *open;	/* JsonObject * -> GHashTable of names */
	char *dup;		/* the first duplicate name */
};

static void
on_member(JsonParser *p, JsonObject *obj, const char *name, gpointer data)
{
	struct dupcheck *d = data;
	GHashTable *seen = g_hash_table_lookup(d->open, obj);

	if (seen == NULL) {
		seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    NULL);
		g_hash_table_insert(d->open, obj, seen);
	}
	if (!g_hash_table_add(seen, g_strdup(name)) && d->dup == NULL)
		d->dup = g_strdup(name);
}

static void
on_object_end(JsonParser *p, JsonObject *obj, gpointer data)
{
	g_hash_table_remove(((struct dupcheck *)data)->open, obj);
}

JsonNode *
ds_json_parse(const char *buf, size_t len, const struct ds_json_limits *lim,
    GError **err)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes :
	    DS_JSON_MAX_BYTES;
	unsigned max_depth = lim && lim->max_depth ? lim->max_depth :
	    DS_JSON_MAX_DEPTH;
	struct dupcheck d = { NULL, NULL };
	JsonParser *p;
	JsonNode *root = NULL;
	GError *e = NULL;
	char *q;

	if (len > max_bytes || len > G_MAXSSIZE) {
		ds_fail(err, DS_ERROR_LIMIT,
		    "JSON document of %zu bytes exceeds the limit of %zu",
		    len, max_bytes);
		return NULL;
	}
	if (len == 0) {
		ds_fail(err, DS_ERROR_FORMAT, "empty JSON document");
		return NULL;
	}
	if (ds_json_depth(buf, len, max_depth) > max_depth) {
		ds_fail(err, DS_ERROR_LIMIT,
		    "JSON nested deeper than %u levels", max_depth);
		return NULL;
	}
	if (!g_utf8_validate_len(buf, len, NULL)) {
		ds_fail(err, DS_ERROR_FORMAT, "JSON is not valid UTF-8");
		return NULL;
	}
	p = json_parser_new_immutable();
	d.open = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_hash_table_unref);
	g_signal_connect(p, "object-member", G_CALLBACK(on_member), &d);
	g_signal_connect(p, "object-end", G_CALLBACK(on_object_end), &d);
	if (!json_parser_load_from_data(p, buf, (gssize)len, &e)) {
		ds_fail(err, DS_ERROR_FORMAT, "not JSON: %s",
		    e ? e->message : "parse error");
		g_clear_error(&e);
		goto done;
	}
	if (d.dup) {
		q = g_strescape(d.dup, NULL);
		ds_fail(err, DS_ERROR_FORMAT, "JSON object with the key "
		    "'%.60s' twice", q);
		g_free(q);
		goto done;
	}
	root = json_parser_steal_root(p);
	if (root == NULL)
		ds_fail(err, DS_ERROR_FORMAT, "empty JSON document");
done:
	g_object_unref(p);
	g_hash_table_unref(d.open);
	g_free(d.dup);
	return root;
}

static JsonNode *
member(JsonObject *obj, const char *name)
{
	if (obj == NULL || name == NULL)
		return NULL;
	return json_object_get_member(obj, name);
}

JsonObject *
ds_jget_obj(JsonObject *obj, const char *name)
{
	JsonNode *n = member(obj, name);

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

JsonArray *
ds_jget_arr(JsonObject *obj, const char *name)
{
	JsonNode *n = member(obj, name);

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

const char *
ds_jget_str(JsonObject *obj, const char *name)
{
	JsonNode *n = member(obj, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

bool
ds_jget_int(JsonObject *obj, const char *name, int64_t min, int64_t max,
    int64_t *out)
{
	JsonNode *n = member(obj, name);
	GType t;
	int64_t v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return false;
	t = json_node_get_value_type(n);
	if (t == G_TYPE_INT64) {
		v = json_node_get_int(n);
	} else if (t == G_TYPE_DOUBLE) {
		/* json-glib gives a double for 1.0, 1e3 and 1e999 (inf) */
		double d = json_node_get_double(n);

		if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return false;
		v = (int64_t)d;
	} else if (t == G_TYPE_STRING) {
		const char *s = json_node_get_string(n);
		guint64 u;

		if (s == NULL || *s == '\0' || strlen(s) > 19 ||
		    strspn(s, "0123456789") != strlen(s) ||
		    !g_ascii_string_to_unsigned(s, 10, 0, G_MAXINT64, &u, NULL))
			return false;
		v = (int64_t)u;
	} else {
		return false;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}
