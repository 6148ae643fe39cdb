/* A file read in chunks, ahead of its consumer by helper threads: the
 * consumer gets every byte once, in order, whoever read it; a helper
 * reads into a slot only after the consumer released its previous chunk
 * and the progress reached that chunk's ticket; the end of the file (a
 * short or empty last chunk) stops both; read errors reach the consumer;
 * taking more than the slots hold is refused. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsd/readahead.h"

#define CHUNK 4096u
#define HEADROOM 100u

/* A temporary file of len bytes, byte i = (i * 7 + i / 251) & 0xff (no
 * period that a chunk size shares), at offset `skip` past a header. */
static int temp_file(size_t skip, size_t len)
{
	char path[] = "/tmp/check_readahead.XXXXXX";
	int fd = mkstemp(path);
	uint8_t *buf = malloc(skip + len + 1);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	unlink(path);
	memset(buf, 0xee, skip);
	for (size_t i = 0; i < len; i++)
		buf[skip + i] = (uint8_t)((i * 7 + i / 251) & 0xff);
	ck_assert_int_eq(write(fd, buf, skip + len), (ssize_t)(skip + len));
	free(buf);
	return fd;
}

static uint8_t expected(size_t i)
{
	return (uint8_t)((i * 7 + i / 251) & 0xff);
}

/* Takes every chunk, checks its bytes and headroom, releases it; returns
 * the bytes seen. */
static size_t consume_all(struct tlsd_readahead *ra, unsigned slots)
{
	size_t pos = 0, len = CHUNK;
	uint64_t k = 0;

	while (len == CHUNK) {
		uint8_t *data;

		ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0);
		ck_assert_int_eq(tlsd_readahead_slot(ra), (int)(k % slots));
		ck_assert_uint_le(len, CHUNK);
		for (size_t i = 0; i < len; i++)
			if (data[i] != expected(pos + i))
				ck_abort_msg("byte %zu: %u, not %u", pos + i, data[i], expected(pos + i));
		memset(data - HEADROOM, 0x55, HEADROOM); /* ours to write */
		pos += len;
		tlsd_readahead_release(ra, 0);
		k++;
	}
	return pos;
}

START_TEST(tc_consumer_alone)
{
	static const size_t lens[] = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 7 * CHUNK + 99};

	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		int fd = temp_file(24, lens[t]);
		struct tlsd_readahead *ra = tlsd_readahead_new(fd, 24, 3, CHUNK, HEADROOM);
		uint64_t helped, own;
		uint8_t *data;
		size_t len;

		ck_assert_ptr_nonnull(ra);
		ck_assert_int_eq(tlsd_readahead_slot(ra), -1);
		ck_assert_uint_eq(consume_all(ra, 3), lens[t]);
		/* After the last (short or empty) chunk: nothing more. */
		ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), -EINVAL);
		ck_assert(!tlsd_readahead_help(ra, UINT64_MAX));
		tlsd_readahead_counts(ra, &helped, &own);
		ck_assert_uint_eq(helped, 0);
		ck_assert_uint_eq(own, lens[t] / CHUNK + 1);
		tlsd_readahead_free(ra);
		close(fd);
	}
}
END_TEST

START_TEST(tc_bad_sizes)
{
	ck_assert_ptr_null(tlsd_readahead_new(0, 0, 1, CHUNK, 0));
	ck_assert_ptr_null(tlsd_readahead_new(0, 0, TLSD_READAHEAD_MAX_SLOTS + 1, CHUNK, 0));
	ck_assert_ptr_null(tlsd_readahead_new(0, 0, 2, 0, 0));
	ck_assert_ptr_null(tlsd_readahead_new(0, UINT64_MAX, 2, CHUNK, 0));
}
END_TEST

/* Helpers read ahead as far as the slots go, and no further. */
START_TEST(tc_helper_fills_free_slots)
{
	int fd = temp_file(0, 10 * CHUNK);
	struct tlsd_readahead *ra = tlsd_readahead_new(fd, 0, 4, CHUNK, HEADROOM);
	uint64_t helped, own;
	uint8_t *data;
	size_t len;

	ck_assert_ptr_nonnull(ra);
	for (int i = 0; i < 4; i++)
		ck_assert(tlsd_readahead_help(ra, 0));
	ck_assert(!tlsd_readahead_help(ra, UINT64_MAX)); /* chunk 4 would go into chunk 0's slot */
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0);
	ck_assert_uint_eq(len, CHUNK);
	ck_assert_uint_eq(data[1], expected(1));
	ck_assert(!tlsd_readahead_help(ra, UINT64_MAX)); /* taken, not released */
	/* Released with ticket 7: free once the progress reaches 7. */
	tlsd_readahead_release(ra, 7);
	ck_assert(!tlsd_readahead_help(ra, 6));
	ck_assert(tlsd_readahead_help(ra, 7));
	tlsd_readahead_counts(ra, &helped, &own);
	ck_assert_uint_eq(helped, 5);
	ck_assert_uint_eq(own, 0);
	/* The consumer reads the rest itself where no helper did. */
	for (size_t pos = CHUNK; pos < 10 * CHUNK; pos += CHUNK) {
		ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0);
		ck_assert_uint_eq(len, CHUNK);
		ck_assert_uint_eq(data[0], expected(pos));
		ck_assert_uint_eq(data[CHUNK - 1], expected(pos + CHUNK - 1));
		tlsd_readahead_release(ra, 0);
	}
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0); /* the empty last one */
	ck_assert_uint_eq(len, 0);
	tlsd_readahead_counts(ra, &helped, &own);
	ck_assert_uint_eq(helped + own, 11);
	tlsd_readahead_free(ra);
	close(fd);
}
END_TEST

START_TEST(tc_too_many_taken)
{
	int fd = temp_file(0, 10 * CHUNK);
	struct tlsd_readahead *ra = tlsd_readahead_new(fd, 0, 2, CHUNK, HEADROOM);
	uint8_t *data = NULL, *first;
	size_t len = 0;

	ck_assert_int_eq(tlsd_readahead_take(ra, &first, &len), 0);
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0);
	ck_assert_ptr_ne(data, first);
	data = NULL;
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), -EINVAL);
	ck_assert_ptr_null(data); /* nothing written on failure */
	tlsd_readahead_release(ra, 0);
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), 0);
	ck_assert_ptr_eq(data, first); /* chunk 2 in chunk 0's slot */
	ck_assert_uint_eq(data[0], expected(2 * CHUNK));
	tlsd_readahead_free(ra);
	close(fd);
}
END_TEST

START_TEST(tc_read_error)
{
	char path[] = "/tmp/check_readahead.XXXXXX";
	int fd = mkstemp(path);
	int wfd = open(path, O_WRONLY);
	struct tlsd_readahead *ra;
	uint8_t *data = NULL;
	size_t len = 0;

	unlink(path);
	ck_assert_int_ge(wfd, 0);
	ra = tlsd_readahead_new(wfd, 0, 2, CHUNK, HEADROOM); /* pread: EBADF */
	ck_assert(tlsd_readahead_help(ra, 0));
	ck_assert_int_eq(tlsd_readahead_take(ra, &data, &len), -EBADF);
	ck_assert_ptr_null(data);
	ck_assert(!tlsd_readahead_help(ra, UINT64_MAX)); /* no reading past an error */
	tlsd_readahead_free(ra);
	close(wfd);
	close(fd);
}
END_TEST

struct helper_arg {
	struct tlsd_readahead *ra;
	int stop; /* __atomic */
};

static void *helper(void *p)
{
	struct helper_arg *h = p;

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED))
		if (!tlsd_readahead_help(h->ra, UINT64_MAX))
			usleep(10); /* leave the core to the consumer */
	return NULL;
}

/* Two helpers and the consumer race for the chunks of a 1 MiB file: every
 * byte arrives once, in order (run under ThreadSanitizer in CI too). */
START_TEST(tc_racing_helpers)
{
	size_t size = (1u << 20) + 123;
	int fd = temp_file(7, size);
	struct tlsd_readahead *ra = tlsd_readahead_new(fd, 7, 5, CHUNK, HEADROOM);
	struct helper_arg h = {.ra = ra};
	pthread_t th[2];
	uint64_t helped, own;

	ck_assert_ptr_nonnull(ra);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, helper, &h), 0);
	ck_assert_uint_eq(consume_all(ra, 5), size);
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	tlsd_readahead_counts(ra, &helped, &own);
	ck_assert_uint_eq(helped + own, size / CHUNK + 1);
	tlsd_readahead_free(ra);
	close(fd);
}
END_TEST

Suite *readahead_suite(void);
Suite *readahead_suite(void)
{
	Suite *s = suite_create("readahead");
	TCase *tc = tcase_create("readahead");

	tcase_add_test(tc, tc_consumer_alone);
	tcase_add_test(tc, tc_bad_sizes);
	tcase_add_test(tc, tc_helper_fills_free_slots);
	tcase_add_test(tc, tc_too_many_taken);
	tcase_add_test(tc, tc_read_error);
	tcase_add_test(tc, tc_racing_helpers);
	suite_add_tcase(s, tc);
	return s;
}
