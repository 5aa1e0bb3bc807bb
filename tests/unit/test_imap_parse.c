/*
 * test_imap_parse.c - the IMAP reply parsers, sequence sets, quoting and
 * URLs of ingest/source/source_imap_parse.c and source_imap_url.c, over replies
 * as Dovecot writes them and over hostile ones.
 * SPDX-License-Identifier: MIT
 *
 * RFC 3501 7.2.5 (SEARCH), 7.4.2 (FETCH), 7.2.4 (STATUS), RFC 5092
 * (URLs); THREATS #7 (sizes), #15 (no password in URLs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "ingest/source/imap.h"

#define S(x) x, sizeof(x) - 1

static void
test_search(void **state)
{
	GArray *u = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	ds_imap_parse_search(S("* 3 EXISTS\r\n* SEARCH 14 15 4294967295 "
	    "4294967296 0 x12 (MODSEQ 917)\r\n* 2 EXPUNGE\r\n"
	    "* SEARCH\r\n* SEARCHX 9\r\n* search 7\r\n"), u);
	assert_int_equal(u->len, 4);
	assert_int_equal(g_array_index(u, uint32_t, 0), 14);
	assert_int_equal(g_array_index(u, uint32_t, 1), 15);
	assert_int_equal(g_array_index(u, uint32_t, 2), 4294967295u);
	assert_int_equal(g_array_index(u, uint32_t, 3), 7);
	g_array_free(u, TRUE);
}

static void
test_fetch(void **state)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct ds_imap_info));
	const struct ds_imap_info *i;

	ds_imap_parse_fetch(S(
	    "* 1 FETCH (UID 14 RFC822.SIZE 3222 FLAGS ())\r\n"
	    "* 2 FETCH (FLAGS (\\Seen \\Answered) UID 15 RFC822.SIZE "
	    "99999999999)\r\n"
	    "* 3 FETCH (FLAGS (\\Seen))\r\n"		/* unsolicited */
	    "* 4 FETCH (UID 17 FLAGS (\\Seenx) RFC822.SIZE 10)\r\n"
	    "* 5 FETCH (UID 0 RFC822.SIZE 10)\r\n"	/* UID 0 invalid */
	    "* 6 FETCH (UID 19 RFC822.SIZE)\r\n"	/* truncated */
	    "* 7 fetch (uid 20 rfc822.size 5 flags (\\SEEN))\n"
	    "* 8 EXPUNGE\r\n"), a);
	assert_int_equal(a->len, 4);
	i = &g_array_index(a, struct ds_imap_info, 0);
	assert_int_equal(i->uid, 14);
	assert_int_equal(i->size, 3222);
	assert_false(i->seen);
	i = &g_array_index(a, struct ds_imap_info, 1);
	assert_int_equal(i->uid, 15);
	assert_true(i->size == 99999999999ull);
	assert_true(i->seen);
	i = &g_array_index(a, struct ds_imap_info, 2);
	assert_int_equal(i->uid, 17);
	assert_false(i->seen);			/* \Seenx is a keyword */
	i = &g_array_index(a, struct ds_imap_info, 3);
	assert_int_equal(i->uid, 20);
	assert_true(i->seen);
	g_array_free(a, TRUE);
}

static void
test_status(void **state)
{
	uint32_t v = 0, m = 7;

	assert_true(ds_imap_parse_status(S("* STATUS INBOX (MESSAGES 20 "
	    "UIDNEXT 21 UIDVALIDITY 1795450282)\r\n"), &v, &m));
	assert_int_equal(v, 1795450282u);
	assert_int_equal(m, 20);
	/* a quoted name with a parenthesis in it; no MESSAGES */
	assert_true(ds_imap_parse_status(S("* STATUS \"a (b\" "
	    "(UIDVALIDITY 3)\r\n"), &v, &m));
	assert_int_equal(v, 3);
	assert_int_equal(m, 0);
	assert_false(ds_imap_parse_status(S("* STATUS INBOX (UIDVALIDITY 0)"),
	    &v, &m));
	assert_false(ds_imap_parse_status(S("* STATUS INBOX (UIDVALIDITY "
	    "4294967296)"), &v, &m));
	assert_false(ds_imap_parse_status(S("* OK [UIDVALIDITY 5] x\r\n"),
	    &v, &m));
}

static void
test_caps_list(void **state)
{
	char **c = ds_imap_parse_caps(S("* CAPABILITY IMAP4rev1 move "
	    "UIDPLUS\r\n* OK x\r\n"));

	assert_int_equal(g_strv_length(c), 3);
	assert_string_equal(c[1], "MOVE");
	g_strfreev(c);
	assert_true(ds_imap_parse_list(S("* LIST (\\HasNoChildren) \"/\" "
	    "Archive\r\n")));
	assert_false(ds_imap_parse_list(S("* LSUB () \"/\" Archive\r\n")));
}

static void
test_uid_set(void **state)
{
	uint32_t u[] = { 1, 2, 3, 5, 7, 8, 9, 20 };
	size_t pos = 0;
	char *s;

	s = ds_imap_uid_set(u, 8, &pos, 0, 4000);
	assert_string_equal(s, "1:3,5,7:9,20");
	assert_int_equal(pos, 8);
	g_free(s);
	pos = 0;
	s = ds_imap_uid_set(u, 8, &pos, 4, 4000);	/* at most 4 UIDs */
	assert_string_equal(s, "1:3,5");
	g_free(s);
	s = ds_imap_uid_set(u, 8, &pos, 4, 4000);
	assert_string_equal(s, "7:9,20");
	assert_int_equal(pos, 8);
	g_free(s);
	pos = 0;
	s = ds_imap_uid_set(u, 8, &pos, 0, 6);		/* at most 6 chars */
	assert_string_equal(s, "1:3,5");
	assert_int_equal(pos, 4);
	g_free(s);
}

static void
test_quote(void **state)
{
	char *q = ds_imap_quote("Arch\"ive\\x");

	assert_string_equal(q, "\"Arch\\\"ive\\\\x\"");
	g_free(q);
}

static void
test_url(void **state)
{
	struct ds_imap_url u;
	GError *e = NULL;
	char *k;

	assert_true(ds_imap_url_parse(&u, "imaps://dmarc%40example.com@"
	    "IMAP.example.com/Archive/DMARC%20x/", &e));
	assert_true(u.tls);
	assert_int_equal(u.port, 993);
	assert_string_equal(u.user, "dmarc@example.com");
	assert_string_equal(u.mailbox, "Archive/DMARC x");
	k = ds_imap_url_key(&u, u.user);
	assert_string_equal(k, "imaps://dmarc%40example.com@imap.example.com"
	    ":993/Archive/DMARC%20x");
	g_free(k);
	ds_imap_url_clear(&u);

	assert_true(ds_imap_url_parse(&u, "imap://127.0.0.1:1143", &e));
	assert_false(u.tls);
	assert_int_equal(u.port, 1143);
	assert_null(u.user);
	assert_string_equal(u.mailbox, "INBOX");
	ds_imap_url_clear(&u);

	/* THREATS #15: the password is refused and not repeated */
	assert_false(ds_imap_url_parse(&u, "imap://u:hunter2@h/INBOX", &e));
	assert_int_equal(e->code, DS_ERROR_USAGE);
	assert_null(strstr(e->message, "hunter2"));
	g_clear_error(&e);
	assert_false(ds_imap_url_parse(&u, "https://h/INBOX", &e));
	g_clear_error(&e);
	assert_false(ds_imap_url_parse(&u, "imap://h/INBOX;UID=5", &e));
	g_clear_error(&e);
	assert_false(ds_imap_url_parse(&u, "imap://h/INBOX?x", &e));
	g_clear_error(&e);
	assert_false(ds_imap_url_parse(&u, "imap://h/%0aA", &e));
	g_clear_error(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_caps_list),
		cmocka_unit_test(test_uid_set),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
