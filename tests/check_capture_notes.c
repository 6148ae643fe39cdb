/* Unit tests for capture_notes.c: interface names interned (the same name
 * the same index, cut like the report field, a full table reports none),
 * comments kept (the first TLSD_MAX_COMMENTS, each cut, all counted, with
 * their frame numbers) and copied into a report; nothing without a frame. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/capture_notes.h"

static struct tlsd_pkt pkt_on(struct tlsd_frame *fr, const char *iface, const char *comment,
			      uint64_t frame_no)
{
	struct tlsd_pkt p = {.frame = fr, .frame_no = frame_no};

	*fr = (struct tlsd_frame){.iface = iface};
	if (comment) {
		fr->comment = (const uint8_t *)comment;
		fr->comment_len = (uint16_t)strlen(comment);
	}
	return p;
}

START_TEST(tc_interning)
{
	struct tlsd_ifnames t = {0};
	struct tlsd_conn_notes a = {0}, b = {0}, c = {0}, d = {0};
	struct tlsd_report r;
	struct tlsd_frame fr;
	struct tlsd_pkt p;
	char longname[200];

	p = pkt_on(&fr, "eth0", NULL, 1);
	tlsd_notes_open(&t, &a, &p);
	p = pkt_on(&fr, "lo0", NULL, 2);
	tlsd_notes_open(&t, &b, &p);
	p = pkt_on(&fr, "eth0", NULL, 3);
	tlsd_notes_open(&t, &c, &p);
	ck_assert_uint_eq(a.iface, 1);
	ck_assert_uint_eq(b.iface, 2);
	ck_assert_uint_eq(c.iface, 1);
	ck_assert_uint_eq(t.n, 2);
	/* no name, no frame: none */
	p = pkt_on(&fr, NULL, NULL, 4);
	tlsd_notes_open(&t, &d, &p);
	ck_assert_uint_eq(d.iface, 0);
	p.frame = NULL;
	tlsd_notes_open(&t, &d, &p);
	ck_assert_uint_eq(d.iface, 0);
	memset(&r, 0, sizeof(r));
	tlsd_notes_report(&t, &d, &r);
	ck_assert_str_eq(r.interface, "");
	ck_assert_uint_eq(r.n_comments, 0);
	tlsd_notes_report(&t, &b, &r);
	ck_assert_str_eq(r.interface, "lo0");
	/* a long name is cut to the report's field, and still one name */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	p = pkt_on(&fr, longname, NULL, 5);
	tlsd_notes_open(&t, &d, &p);
	tlsd_notes_report(&t, &d, &r);
	ck_assert_uint_eq(strlen(r.interface), TLSD_IFACE_NAME_LEN - 1);
	ck_assert_int_eq(memcmp(r.interface, longname, TLSD_IFACE_NAME_LEN - 1), 0);
	tlsd_ifnames_cleanup(&t);
	ck_assert_ptr_null(t.names);
}
END_TEST

/* Past TLSD_NOTES_MAX_IFNAMES names, new ones are not reported; known ones
 * still are. */
START_TEST(tc_interning_full)
{
	struct tlsd_ifnames t = {0};
	struct tlsd_conn_notes n = {0};
	struct tlsd_frame fr;
	struct tlsd_pkt p;
	char name[16];

	for (unsigned i = 0; i < TLSD_NOTES_MAX_IFNAMES; i++) {
		snprintf(name, sizeof(name), "if%u", i);
		p = pkt_on(&fr, name, NULL, i);
		tlsd_notes_open(&t, &n, &p);
		ck_assert_uint_eq(n.iface, i + 1);
	}
	p = pkt_on(&fr, "one-too-many", NULL, 0);
	tlsd_notes_open(&t, &n, &p);
	ck_assert_uint_eq(n.iface, 0);
	p = pkt_on(&fr, "if7", NULL, 0);
	tlsd_notes_open(&t, &n, &p);
	ck_assert_uint_eq(n.iface, 8);
	tlsd_ifnames_cleanup(&t);
}
END_TEST

START_TEST(tc_comments)
{
	struct tlsd_ifnames t = {0};
	struct tlsd_conn_notes n = {0};
	struct tlsd_report r;
	struct tlsd_frame fr;
	struct tlsd_pkt p;
	char big[400];

	p = pkt_on(&fr, "eth0", NULL, 1);
	tlsd_notes_open(&t, &n, &p);
	tlsd_notes_packet(&n, &p);
	ck_assert_ptr_null(n.comments); /* nothing allocated without a comment */
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = pkt_on(&fr, "eth0", big, 7);
	tlsd_notes_packet(&n, &p);
	for (unsigned i = 0; i < 6; i++) {
		char text[16];

		snprintf(text, sizeof(text), "c%u", i);
		p = pkt_on(&fr, "eth0", text, 10 + i);
		tlsd_notes_packet(&n, &p);
	}
	memset(&r, 0, sizeof(r));
	tlsd_notes_report(&t, &n, &r);
	ck_assert_str_eq(r.interface, "eth0");
	ck_assert_uint_eq(r.n_comments, TLSD_MAX_COMMENTS);
	ck_assert_uint_eq(r.n_comments_total, 7);
	ck_assert_uint_eq(r.comments[0].frame, 7);
	ck_assert_uint_eq(r.comments[0].len, TLSD_COMMENT_LEN);
	ck_assert_uint_eq(r.comments[1].frame, 10);
	ck_assert_uint_eq(r.comments[1].len, 2);
	ck_assert_int_eq(memcmp(r.comments[1].text, "c0", 2), 0);
	ck_assert_uint_eq(r.comments[3].frame, 12);
	tlsd_notes_cleanup(&n);
	ck_assert_ptr_null(n.comments);
	ck_assert_uint_eq(n.iface, 1); /* the interface stays */
	tlsd_ifnames_cleanup(&t);
}
END_TEST

Suite *capture_notes_suite(void);

Suite *capture_notes_suite(void)
{
	Suite *s = suite_create("capture_notes");
	TCase *tc = tcase_create("interning");

	tcase_add_test(tc, tc_interning);
	tcase_add_test(tc, tc_interning_full);
	suite_add_tcase(s, tc);
	tc = tcase_create("comments");
	tcase_add_test(tc, tc_comments);
	suite_add_tcase(s, tc);
	return s;
}
