/*
 * source_graph.c - a Microsoft Graph mail folder as a mailbox source
 * (mailsrc.h): graph://USER/FOLDER.
 * SPDX-License-Identifier: MIT
 *
 * Microsoft Graph v1.0 "message" and "mailFolder" resources: list
 * GET /users/{u}/mailFolders/{id}/messages?$select=id&$top=100 and
 * follow @odata.nextLink; the MIME bytes GET /messages/{id}/$value;
 * POST /messages/{id}/move {"destinationId"} after COMMIT; PATCH
 * {"isRead": true} when no folder is set. FOLDER and the archive and
 * invalid folders are well-known names (inbox, archive, junkemail,
 * deleteditems...) or the display name of a top-level folder (created
 * when missing, except FOLDER). The epoch is FOLDER's id. THREATS #22:
 * a nextLink is followed only under the configured API URL, so the
 * token never goes elsewhere.
 */
#include <string.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/source/api.h"
#include "ingest/source/mailsrc.h"

#define GRAPH_URL "https://graph.microsoft.com/v1.0"
#define PAGE_MAX (4u << 20)

struct graph {
	struct ds_api api;
	struct ds_api_url u;
	char *base;		/* API URL + "/users/USER" or "/me" */
	char *root;		/* API URL */
	char *fid[DS_MAIL_ACTIONS];	/* archive, invalid folder ids */
	GHashTable *moved;	/* old id -> id after a move to invalid */
};

static const char *const well_known[] = { "inbox", "archive", "junkemail",
	"deleteditems", "drafts", "sentitems", "outbox", "msgfolderroot",
	NULL };

static JsonObject *
parse_obj(const struct ds_http_resp *r, JsonNode **root, GError **err)
{
	*root = ds_json_parse(r->body->str, r->body->len, NULL, err);
	if (*root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT(*root)) {
		json_node_unref(*root);
		*root = NULL;
		ds_fail(err, DS_ERROR_NET, "graph: reply is not an object");
		return NULL;
	}
	return json_node_get_object(*root);
}

/* {"name": value} as JSON text. Caller frees. */
static char *
json_one(const char *name, const char *value)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *n;
	char *s;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	json_generator_set_root(g, n);
	s = json_generator_to_data(g, NULL);
	json_node_unref(n);
	g_object_unref(g);
	g_object_unref(b);
	return s;
}

/* The id of folder name: well-known, else a top-level display name. */
static bool
folder_id(struct graph *p, const char *name, bool create, char **out,
    GError **err)
{
	struct ds_http_resp r = { 0 };
	JsonNode *root = NULL;
	JsonObject *o, *f;
	JsonArray *a;
	const char *dn, *id, *next;
	char *url, *body;
	size_t i;
	guint k;
	bool ok = false;

	*out = NULL;
	for (i = 0; well_known[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, well_known[i]) == 0)
			break;
	if (well_known[i] != NULL) {
		url = g_strdup_printf("%s/mailFolders/%s", p->base,
		    well_known[i]);
		ok = ds_api_call(&p->api, "GET", url, NULL, PAGE_MAX, &r, err);
		g_free(url);
		if (ok && r.status != 200)
			ok = ds_api_fail(&p->api, &r, name, err);
		if (ok && (o = parse_obj(&r, &root, err)) != NULL &&
		    (id = ds_jget_str(o, "id")) != NULL)
			*out = g_strdup(id);
		goto done;
	}
	url = g_strdup_printf("%s/mailFolders?$top=100", p->base);
	while (url != NULL && *out == NULL) {
		ok = ds_api_call(&p->api, "GET", url, NULL, PAGE_MAX, &r, err);
		g_free(url);
		url = NULL;
		if (ok && r.status != 200)
			ok = ds_api_fail(&p->api, &r, "list folders", err);
		if (!ok || (o = parse_obj(&r, &root, err)) == NULL)
			goto done;
		a = ds_jget_arr(o, "value");
		for (k = 0; a != NULL && k < json_array_get_length(a); k++) {
			f = json_array_get_object_element(a, k);
			dn = f ? ds_jget_str(f, "displayName") : NULL;
			id = f ? ds_jget_str(f, "id") : NULL;
			if (dn && id && g_utf8_collate(dn, name) == 0)
				*out = g_strdup(id);
		}
		next = ds_jget_str(o, "@odata.nextLink");
		if (next != NULL && g_str_has_prefix(next, p->root))
			url = g_strdup(next);
		json_node_unref(root);
		root = NULL;
		ds_http_resp_clear(&r);
	}
	if (*out != NULL || !create) {
		ok = *out != NULL || ds_fail(err, DS_ERROR_PERMANENT, "graph "
		    "mailbox %s: no folder '%s'", p->api.c->name, name);
		goto done;
	}
	body = json_one("displayName", name);
	url = g_strdup_printf("%s/mailFolders", p->base);
	ok = ds_api_call(&p->api, "POST", url, body, PAGE_MAX, &r, err);
	g_free(url);
	g_free(body);
	if (ok && r.status != 201 && r.status != 200)
		ok = ds_api_fail(&p->api, &r, "create folder", err);
	if (ok && (o = parse_obj(&r, &root, err)) != NULL &&
	    (id = ds_jget_str(o, "id")) != NULL)
		*out = g_strdup(id);
done:
	if (root)
		json_node_unref(root);
	ds_http_resp_clear(&r);
	if (ok && *out == NULL)
		ok = ds_fail(err, DS_ERROR_NET, "graph mailbox %s: no id for "
		    "folder '%s'", p->api.c->name, name);
	return ok;
}

static char *
graph_key(const struct ds_mailbox_conf *c, GError **err)
{
	struct ds_api_url u;
	char *key;

	if (!ds_api_url_parse(&u, c->url, "graph", err))
		return NULL;
	key = g_strdup_printf("graph://%s/%s", u.user, u.path[0] ? u.path :
	    "Inbox");
	ds_api_url_clear(&u);
	return key;
}

static bool
graph_open(struct ds_mailsrc *s, GError **err)
{
	struct graph *p = g_new0(struct graph, 1);
	const struct ds_mailbox_conf *c = s->c;
	const char *folder;
	char *esc;

	s->priv = p;
	if (!ds_api_url_parse(&p->u, c->url, "graph", err))
		return false;
	folder = p->u.path[0] ? p->u.path : "Inbox";
	p->root = g_strdup(c->api_url ? c->api_url : GRAPH_URL);
	g_strchomp(p->root);
	if (g_str_has_suffix(p->root, "/"))
		p->root[strlen(p->root) - 1] = '\0';
	esc = ds_api_esc(p->u.user);
	p->base = strcmp(p->u.user, "me") == 0 ? g_strdup_printf("%s/me",
	    p->root) : g_strdup_printf("%s/users/%s", p->root, esc);
	g_free(esc);
	if (!ds_api_open(&p->api, c, s->o->cacert ? s->o->cacert : c->ca_file,
	    "graph", err) || !folder_id(p, folder, false, &s->epoch, err))
		return false;
	if (!s->keep && ((c->archive_folder && !folder_id(p,
	    c->archive_folder, true, &p->fid[DS_MAIL_ARCHIVE], err)) ||
	    (c->invalid_folder && !folder_id(p, c->invalid_folder, true,
	    &p->fid[DS_MAIL_INVALID], err))))
		return false;
	return true;
}

static bool
graph_list(struct ds_mailsrc *s, GPtrArray **out, GError **err)
{
	struct graph *p = s->priv;
	struct ds_http_resp r = { 0 };
	JsonNode *root = NULL;
	JsonObject *o, *m;
	JsonArray *a;
	const char *id, *next;
	char *url, *fe = ds_api_esc(s->epoch);
	guint k;
	bool ok = true;

	*out = g_ptr_array_new_with_free_func(g_free);
	url = g_strdup_printf("%s/mailFolders/%s/messages?$select=id&$top=100",
	    p->base, fe);
	g_free(fe);
	while (ok && url != NULL) {
		ok = ds_api_call(&p->api, "GET", url, NULL, PAGE_MAX, &r, err);
		g_free(url);
		url = NULL;
		if (ok && r.status != 200)
			ok = ds_api_fail(&p->api, &r, "list messages", err);
		if (!ok || (o = parse_obj(&r, &root, err)) == NULL) {
			ds_http_resp_clear(&r);	/* the error's body */
			ok = false;
			break;
		}
		a = ds_jget_arr(o, "value");
		for (k = 0; a != NULL && k < json_array_get_length(a); k++) {
			m = json_array_get_object_element(a, k);
			if (m && (id = ds_jget_str(m, "id")) && *id)
				g_ptr_array_add(*out, g_strdup(id));
		}
		next = ds_jget_str(o, "@odata.nextLink");
		if (next != NULL && !g_str_has_prefix(next, p->root))
			ok = ds_fail(err, DS_ERROR_NET, "graph mailbox %s: "
			    "nextLink outside %s refused", s->c->name, p->root);
		else if (next != NULL)
			url = g_strdup(next);
		json_node_unref(root);
		root = NULL;
		ds_http_resp_clear(&r);
	}
	if (!ok) {
		g_ptr_array_free(*out, TRUE);
		*out = NULL;
	}
	return ok;
}

static bool
graph_fetch(struct ds_mailsrc *s, const struct ds_mail_msg *m, uint64_t max,
    char **out, size_t *out_len, bool *gone, GError **err)
{
	struct graph *p = s->priv;
	struct ds_http_resp r = { 0 };
	char *url, *ie = ds_api_esc(m->id);
	bool ok;

	*gone = false;
	*out = NULL;
	url = g_strdup_printf("%s/messages/%s/$value", p->base, ie);
	g_free(ie);
	ok = ds_api_call(&p->api, "GET", url, NULL, max, &r, err);
	g_free(url);
	if (ok && r.status == 404) {
		*gone = true;
		ok = false;
	} else if (ok && r.status != 200)
		ok = ds_api_fail(&p->api, &r, "fetch message", err);
	if (ok) {
		*out_len = r.body->len;
		*out = g_string_free(r.body, FALSE);
		r.body = NULL;
	}
	ds_http_resp_clear(&r);
	return ok;
}

/*
 * A moved message gets a new id (Exchange); the quarantine names the
 * message where it is now (issue 18). A reply without one is no error:
 * the move happened, the quarantine then names the folder only.
 */
static void
note_moved(struct graph *p, const char *id, const struct ds_http_resp *r)
{
	JsonNode *root;
	JsonObject *o;
	const char *nid;

	if (r->body == NULL)
		return;
	o = parse_obj(r, &root, NULL);
	if (o == NULL)
		return;
	nid = ds_jget_str(o, "id");
	if (nid != NULL && *nid != '\0') {
		if (p->moved == NULL)
			p->moved = g_hash_table_new_full(g_str_hash,
			    g_str_equal, g_free, g_free);
		g_hash_table_replace(p->moved, g_strdup(id), g_strdup(nid));
	}
	json_node_unref(root);
}

static bool
graph_done(struct ds_mailsrc *s, enum ds_mail_action a,
    const char *const *ids, size_t n, GError **err)
{
	struct graph *p = s->priv;
	struct ds_http_resp r = { 0 };
	char *url, *ie, *body;
	size_t i;
	bool ok = true;

	body = a == DS_MAIL_FLAG ? g_strdup("{\"isRead\":true}") :
	    json_one("destinationId", p->fid[a]);
	for (i = 0; ok && i < n; i++) {
		ie = ds_api_esc(ids[i]);
		url = a == DS_MAIL_FLAG ? g_strdup_printf("%s/messages/%s",
		    p->base, ie) : g_strdup_printf("%s/messages/%s/move",
		    p->base, ie);
		ok = ds_api_call(&p->api, a == DS_MAIL_FLAG ? "PATCH" : "POST",
		    url, body, PAGE_MAX, &r, err);
		/* 404: moved already by a run that died before noting it */
		if (ok && r.status >= 300 && r.status != 404)
			ok = ds_api_fail(&p->api, &r, a == DS_MAIL_FLAG ?
			    "mark read" : "move message", err);
		else if (ok && a == DS_MAIL_INVALID && r.status < 300)
			note_moved(p, ids[i], &r);
		ds_http_resp_clear(&r);
		g_free(url);
		g_free(ie);
	}
	g_free(body);
	return ok;
}

static char *
graph_label(struct ds_mailsrc *s, const char *id)
{
	return g_strdup_printf("%s;id=%s", s->key, id);
}

static char *
graph_moved(struct ds_mailsrc *s, const char *folder, const char *id)
{
	struct graph *p = s->priv;
	const char *nid = p->moved ? g_hash_table_lookup(p->moved, id) : NULL;
	char *out;

	if (nid == NULL)
		return g_strdup_printf("folder '%s' of %s (moved there; was "
		    "id=%s)", folder, s->key, id);
	out = g_strdup_printf("%s;id=%s (folder '%s'; moved there, was "
	    "id=%s)", s->key, nid, folder, id);
	g_hash_table_remove(p->moved, id);
	return out;
}

static void
graph_close(struct ds_mailsrc *s)
{
	struct graph *p = s->priv;
	int i;

	if (p == NULL)
		return;
	ds_api_close(&p->api);
	ds_api_url_clear(&p->u);
	g_free(p->base);
	g_free(p->root);
	if (p->moved != NULL)
		g_hash_table_destroy(p->moved);
	for (i = 0; i < DS_MAIL_ACTIONS; i++)
		g_free(p->fid[i]);
	g_free(p);
	s->priv = NULL;
}

const struct ds_mailsrc_ops ds_mailsrc_graph = {
	.name = "graph",
	.epoch_name = "folder id",
	.key = graph_key,
	.open = graph_open,
	.list = graph_list,
	.info = NULL,
	.fetch = graph_fetch,
	.done = graph_done,
	.label = graph_label,
	.moved = graph_moved,
	.close = graph_close,
};
