/*
 * source_gmail.c - the messages a Gmail search finds, as a mailbox
 * source (mailsrc.h): gmail://USER/QUERY.
 * SPDX-License-Identifier: MIT
 *
 * Gmail API v1: users.messages.list (q, pageToken, maxResults 500),
 * users.messages.get?format=raw (the MIME bytes in base64url, RFC 4648
 * section 5), users.messages.batchModify after COMMIT: the archive
 * label (archive-folder, or invalid-folder) added, the labels of
 * remove-labels (default INBOX) taken away; without a folder only
 * UNREAD is taken away. Labels are found by name in users.labels.list
 * and created when missing. Message ids are stable; the epoch is "-".
 * THREATS #7: the JSON reply is capped at what max-message-size needs
 * in base64, and the decoded size is checked again.
 */
#include <string.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/source/api.h"
#include "ingest/source/mailsrc.h"

#define GMAIL_URL "https://gmail.googleapis.com/gmail/v1"
#define PAGE_MAX (4u << 20)
#define BATCH_MAX 1000	/* batchModify takes at most 1000 ids */

struct gmail {
	struct ds_api api;
	struct ds_api_url u;
	char *base;		/* API URL + "/users/USER" */
	char *add[DS_MAIL_ACTIONS];	/* label id to add, or NULL */
	GPtrArray *remove;	/* label ids to remove when archiving */
};

static JsonObject *
parse_obj(const struct ds_http_resp *r, size_t max, JsonNode **root,
    GError **err)
{
	struct ds_json_limits lim = { max, 8 };

	*root = ds_json_parse(r->body->str, r->body->len, &lim, err);
	if (*root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT(*root)) {
		json_node_unref(*root);
		*root = NULL;
		ds_fail(err, DS_ERROR_NET, "gmail: reply is not an object");
		return NULL;
	}
	return json_node_get_object(*root);
}

/* The id of label name (system labels are their own ids). */
static bool
label_id(struct gmail *p, const char *name, bool create, char **out,
    GError **err)
{
	static const char *const system[] = { "INBOX", "UNREAD", "SPAM",
		"TRASH", "STARRED", "IMPORTANT", NULL };
	struct ds_http_resp r = { 0 };
	JsonNode *root = NULL, *n;
	JsonObject *o, *l;
	JsonArray *a;
	JsonBuilder *b;
	JsonGenerator *g;
	const char *ln, *id;
	char *url, *body;
	size_t i;
	guint k;
	bool ok;

	*out = NULL;
	for (i = 0; system[i] != NULL; i++)
		if (strcmp(name, system[i]) == 0) {
			*out = g_strdup(name);
			return true;
		}
	url = g_strdup_printf("%s/labels", p->base);
	ok = ds_api_call(&p->api, "GET", url, NULL, PAGE_MAX, &r, err);
	if (ok && r.status != 200)
		ok = ds_api_fail(&p->api, &r, "list labels", err);
	if (ok && (o = parse_obj(&r, PAGE_MAX, &root, err)) != NULL) {
		a = ds_jget_arr(o, "labels");
		for (k = 0; a != NULL && k < json_array_get_length(a); k++) {
			l = json_array_get_object_element(a, k);
			ln = l ? ds_jget_str(l, "name") : NULL;
			id = l ? ds_jget_str(l, "id") : NULL;
			if (ln && id && *out == NULL && strcmp(ln, name) == 0)
				*out = g_strdup(id);
		}
		json_node_unref(root);
		root = NULL;
	} else
		ok = false;
	ds_http_resp_clear(&r);
	if (!ok || *out != NULL || !create) {
		g_free(url);
		return ok && (*out != NULL || ds_fail(err, DS_ERROR_PERMANENT,
		    "gmail mailbox %s: no label '%s'", p->api.c->name, name));
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g = json_generator_new();
	json_generator_set_root(g, n);
	body = json_generator_to_data(g, NULL);
	json_node_unref(n);
	g_object_unref(g);
	g_object_unref(b);
	ok = ds_api_call(&p->api, "POST", url, body, PAGE_MAX, &r, err);
	g_free(body);
	g_free(url);
	if (ok && r.status != 200)
		ok = ds_api_fail(&p->api, &r, "create label", err);
	if (ok && (o = parse_obj(&r, PAGE_MAX, &root, err)) != NULL &&
	    (id = ds_jget_str(o, "id")) != NULL)
		*out = g_strdup(id);
	if (root)
		json_node_unref(root);
	ds_http_resp_clear(&r);
	return ok && (*out != NULL || ds_fail(err, DS_ERROR_NET, "gmail "
	    "mailbox %s: label '%s' not created", p->api.c->name, name));
}

static char *
gmail_key(const struct ds_mailbox_conf *c, GError **err)
{
	struct ds_api_url u;
	char *key;

	if (!ds_api_url_parse(&u, c->url, "gmail", err))
		return NULL;
	key = g_strdup_printf("gmail://%s/%s", u.user, u.path);
	ds_api_url_clear(&u);
	return key;
}

static bool
gmail_open(struct ds_mailsrc *s, GError **err)
{
	struct gmail *p = g_new0(struct gmail, 1);
	const struct ds_mailbox_conf *c = s->c;
	char *root, *esc, **names, *id;
	size_t i;

	s->priv = p;
	p->remove = g_ptr_array_new_with_free_func(g_free);
	if (!ds_api_url_parse(&p->u, c->url, "gmail", err))
		return false;
	s->epoch = g_strdup("-");
	root = g_strdup(c->api_url ? c->api_url : GMAIL_URL);
	if (g_str_has_suffix(root, "/"))
		root[strlen(root) - 1] = '\0';
	esc = ds_api_esc(p->u.user);
	p->base = g_strdup_printf("%s/users/%s", root, esc);
	g_free(esc);
	g_free(root);
	if (!ds_api_open(&p->api, c, s->o->cacert ? s->o->cacert : c->ca_file,
	    "gmail", err))
		return false;
	if (s->keep)
		return true;
	if ((c->archive_folder && !label_id(p, c->archive_folder, true,
	    &p->add[DS_MAIL_ARCHIVE], err)) || (c->invalid_folder &&
	    !label_id(p, c->invalid_folder, true, &p->add[DS_MAIL_INVALID],
	    err)))
		return false;
	names = g_strsplit(c->remove_labels ? c->remove_labels : "INBOX", ",",
	    -1);
	for (i = 0; names[i] != NULL; i++) {
		g_strstrip(names[i]);
		if (names[i][0] == '\0')
			continue;
		if (!label_id(p, names[i], false, &id, err)) {
			g_strfreev(names);
			return false;
		}
		g_ptr_array_add(p->remove, id);
	}
	g_strfreev(names);
	return true;
}

static bool
gmail_list(struct ds_mailsrc *s, GPtrArray **out, GError **err)
{
	struct gmail *p = s->priv;
	struct ds_http_resp r = { 0 };
	JsonNode *root = NULL;
	JsonObject *o, *m;
	JsonArray *a;
	const char *id, *next;
	char *url, *q = ds_api_esc(p->u.path), *page = NULL, *pe;
	guint k;
	bool ok = true;

	*out = g_ptr_array_new_with_free_func(g_free);
	do {
		pe = page ? ds_api_esc(page) : NULL;
		url = g_strdup_printf("%s/messages?maxResults=500&q=%s%s%s",
		    p->base, q, pe ? "&pageToken=" : "", pe ? pe : "");
		g_free(pe);
		g_clear_pointer(&page, g_free);
		ok = ds_api_call(&p->api, "GET", url, NULL, PAGE_MAX, &r, err);
		g_free(url);
		if (ok && r.status != 200)
			ok = ds_api_fail(&p->api, &r, "list messages", err);
		if (!ok || (o = parse_obj(&r, PAGE_MAX, &root, err)) == NULL) {
			ds_http_resp_clear(&r);	/* the error's body */
			ok = false;
			break;
		}
		a = ds_jget_arr(o, "messages");
		for (k = 0; a != NULL && k < json_array_get_length(a); k++) {
			m = json_array_get_object_element(a, k);
			if (m && (id = ds_jget_str(m, "id")) && *id)
				g_ptr_array_add(*out, g_strdup(id));
		}
		if ((next = ds_jget_str(o, "nextPageToken")) && *next)
			page = g_strdup(next);
		json_node_unref(root);
		root = NULL;
		ds_http_resp_clear(&r);
	} while (page != NULL);
	g_free(q);
	if (!ok) {
		g_ptr_array_free(*out, TRUE);
		*out = NULL;
	}
	return ok;
}

static bool
gmail_fetch(struct ds_mailsrc *s, const struct ds_mail_msg *m, uint64_t max,
    char **out, size_t *out_len, bool *gone, GError **err)
{
	struct gmail *p = s->priv;
	struct ds_http_resp r = { 0 };
	JsonNode *root = NULL;
	JsonObject *o;
	const char *raw;
	char *url, *ie = ds_api_esc(m->id), *b64;
	uint64_t cap = max / 3 * 4 + 65536;
	gsize n;
	bool ok;

	*gone = false;
	*out = NULL;
	url = g_strdup_printf("%s/messages/%s?format=raw", p->base, ie);
	g_free(ie);
	ok = ds_api_call(&p->api, "GET", url, NULL, cap, &r, err);
	g_free(url);
	if (ok && r.status == 404) {
		*gone = true;
		ok = false;
	} else if (ok && r.status != 200)
		ok = ds_api_fail(&p->api, &r, "fetch message", err);
	if (ok && (o = parse_obj(&r, (size_t)cap, &root, err)) == NULL)
		ok = false;
	if (ok && ((raw = ds_jget_str(o, "raw")) == NULL))
		ok = ds_fail(err, DS_ERROR_NET, "gmail mailbox %s: message %s "
		    "came without raw", s->c->name, m->id);
	if (ok) {
		/* base64url (RFC 4648 5) to base64, then decode */
		b64 = g_strdup(raw);
		g_strdelimit(b64, "-", '+');
		g_strdelimit(b64, "_", '/');
		g_base64_decode_inplace(b64, &n);
		if ((uint64_t)n > max) {
			g_free(b64);
			ok = ds_fail(err, DS_ERROR_LIMIT, "gmail: message of %"
			    G_GSIZE_FORMAT " bytes", n);
		} else {
			b64[n] = '\0';
			*out = b64;
			*out_len = n;
		}
	}
	if (root)
		json_node_unref(root);
	ds_http_resp_clear(&r);
	return ok;
}

static void
add_ids(JsonBuilder *b, const char *name, char *const *ids, size_t n)
{
	size_t i;

	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (i = 0; i < n; i++)
		json_builder_add_string_value(b, ids[i]);
	json_builder_end_array(b);
}

static bool
gmail_done(struct ds_mailsrc *s, enum ds_mail_action a,
    const char *const *ids, size_t n, GError **err)
{
	struct gmail *p = s->priv;
	struct ds_http_resp r = { 0 };
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *url, *body, *unread = (char *)"UNREAD";
	bool ok;

	g_assert(n <= BATCH_MAX);
	json_builder_begin_object(b);
	add_ids(b, "ids", (char *const *)ids, n);
	if (a == DS_MAIL_FLAG)
		add_ids(b, "removeLabelIds", &unread, 1);
	else {
		add_ids(b, "addLabelIds", &p->add[a], 1);
		add_ids(b, "removeLabelIds", (char *const *)p->remove->pdata,
		    p->remove->len);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	body = json_generator_to_data(g, NULL);
	url = g_strdup_printf("%s/messages/batchModify", p->base);
	ok = ds_api_call(&p->api, "POST", url, body, PAGE_MAX, &r, err);
	if (ok && r.status >= 300)
		ok = ds_api_fail(&p->api, &r, "batchModify", err);
	ds_http_resp_clear(&r);
	g_free(url);
	g_free(body);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return ok;
}

static char *
gmail_label(struct ds_mailsrc *s, const char *id)
{
	return g_strdup_printf("%s;id=%s", s->key, id);
}

static void
gmail_close(struct ds_mailsrc *s)
{
	struct gmail *p = s->priv;
	int i;

	if (p == NULL)
		return;
	ds_api_close(&p->api);
	ds_api_url_clear(&p->u);
	g_free(p->base);
	for (i = 0; i < DS_MAIL_ACTIONS; i++)
		g_free(p->add[i]);
	g_ptr_array_free(p->remove, TRUE);
	g_free(p);
	s->priv = NULL;
}

const struct ds_mailsrc_ops ds_mailsrc_gmail = {
	.name = "gmail",
	.epoch_name = "epoch",
	.key = gmail_key,
	.open = gmail_open,
	.list = gmail_list,
	.info = NULL,
	.fetch = gmail_fetch,
	.done = gmail_done,
	.label = gmail_label,
	.close = gmail_close,
};
