/* Fuzz target for the key log loader and the decryption path. The first
 * byte picks a mode:
 *   0: the rest is a key log file: loaded whole and split in two at a point
 *      taken from the data; both loads must agree; lookups of a random taken
 *      from the data.
 *   1: record decryption: [config][flags][48 secret][32 client random]
 *      [32 server random] then records [type][len u16][body]; every OK
 *      plaintext goes through tlsd_tls_dir_feed_inner.
 *   2: the framer with the decryption hooks: the rest is a stream fed in
 *      chunks whose sizes come from the data; each collected body is fed
 *      back as "decrypted" bytes (inner type = its first byte). */
#include "fuzz_check.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/keylog.h"
#include "tlsd/tls_decrypt.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(int r)
{
	(void)r;
}

/* ---- mode 0 ---- */

static void fuzz_loader(const uint8_t *p, size_t n)
{
	struct tlsd_keylog *a = tlsd_keylog_new(), *b = tlsd_keylog_new();
	struct tlsd_keylog_stats sa, sb;
	struct tlsd_keylog_secrets sec;
	struct tlsd_secret one;
	uint8_t random[TLSD_KEYLOG_RANDOM_LEN] = {0};
	size_t cut = n ? (size_t)p[0] * 257 % (n + 1) : 0;

	if (!a || !b)
		goto out;
	if (tlsd_keylog_load_mem(a, p, n) < 0)
		goto out;
	if (tlsd_keylog_feed(b, p, cut) < 0 || tlsd_keylog_feed(b, p + cut, n - cut) < 0 ||
	    tlsd_keylog_end(b) < 0)
		goto out;
	tlsd_keylog_get_stats(a, &sa);
	tlsd_keylog_get_stats(b, &sb);
	FUZZ_CHECK(memcmp(&sa, &sb, sizeof(sa)) == 0);
	FUZZ_CHECK(sa.secrets + sa.duplicates + sa.conflicts + sa.malformed + sa.unknown <= sa.lines);
	FUZZ_CHECK(sa.randoms <= sa.secrets);
	memcpy(random, p, TLSD_MIN(n, sizeof(random)));
	if (tlsd_keylog_lookup(a, random, &sec))
		for (size_t l = 0; l < TLSD_KEYLOG__COUNT; l++)
			FUZZ_CHECK(sec.s[l].len <= TLSD_KEYLOG_SECRET_MAX);
	if (tlsd_keylog_get(b, random, TLSD_KEYLOG_CLIENT_RANDOM, &one))
		FUZZ_CHECK(one.len == TLSD_KEYLOG_MASTER_LEN);
out:
	tlsd_keylog_free(a);
	tlsd_keylog_free(b);
}

/* ---- shared: what the framer reports ---- */

struct fz {
	struct tlsd_tls_dir t;
	size_t bodies, messages;
};

static void on_hs(void *ud, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	struct fz *f = ud;
	volatile uint8_t sink = 0;

	FUZZ_CHECK(m->body != NULL);
	for (uint32_t i = 0; i < m->len; i++)
		sink ^= m->body[i];
	(void)sink;
	f->messages++;
}

static bool on_want(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	FUZZ_CHECK(ri->encrypted);
	return ri->len % 7 != 3; /* decline some, to mix skipping in */
}

static const struct tlsd_tls_events events;

static void on_body(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri,
		    const uint8_t *body, size_t len)
{
	struct fz *f = ud;

	f->bodies++;
	if (!body) {
		FUZZ_CHECK(len == 0);
		return;
	}
	FUZZ_CHECK(len == ri->len);
	if (len)
		tlsd_tls_dir_feed_inner(&f->t, d, &events, ud, body[0], body + 1, len - 1, ri);
}

static const struct tlsd_tls_events events = {
	.handshake = on_hs,
	.want_body = on_want,
	.encrypted_body = on_body,
};

/* ---- mode 1 ---- */

static const struct {
	uint16_t version, suite;
} configs[] = {
	{0x0304, 0x1301}, {0x0304, 0x1302}, {0x0304, 0x1303}, {0x0304, 0x1304},
	{0x0304, 0x1305}, {0x0303, 0xc02f}, {0x0303, 0xc030}, {0x0303, 0xcca8},
	{0x0303, 0xc09c}, {0x0303, 0xc0a0}, {0x0303, 0x003c}, {0x0303, 0x0035},
	{0x0303, 0xc028}, {0x0303, 0x000a}, {0x0303, 0x003b}, {0x0302, 0x002f},
	{0x0301, 0x002f}, {0x0301, 0xc013}, {0x0303, 0xc050}, {0x0303, 0x0005},
};

static void fuzz_decrypt(const uint8_t *p, size_t n)
{
	struct tlsd_cur c, sec, cr, sr;
	uint8_t cfg, flags;
	struct tlsd_decrypt *dc;
	static struct fz f;
	int r;

	tlsd_cur_init(&c, p, n);
	if (!tlsd_cur_get_u8(&c, &cfg) || !tlsd_cur_get_u8(&c, &flags) ||
	    !tlsd_cur_get_bytes(&c, &sec, 48) || !tlsd_cur_get_bytes(&c, &cr, 32) ||
	    !tlsd_cur_get_bytes(&c, &sr, 32))
		return;
	dc = tlsd_decrypt_new();
	if (!dc)
		return;
	uint16_t version = configs[cfg % TLSD_ARRAY_SIZE(configs)].version;
	uint16_t suite = configs[cfg % TLSD_ARRAY_SIZE(configs)].suite;
	uint16_t rversion = version == TLSD_VERSION_TLS13 ? TLSD_VERSION_TLS12 : version;

	if (version == TLSD_VERSION_TLS13) {
		r = tlsd_decrypt_set_tls13(dc, suite, tlsd_cur_data(&sec), suite == 0x1302 ? 48 : 32);
	} else {
		struct tlsd_tls12_keys k = {.version = version, .suite = suite,
					    .master_secret = tlsd_cur_data(&sec),
					    .client_random = tlsd_cur_data(&cr),
					    .server_random = tlsd_cur_data(&sr),
					    .encrypt_then_mac = flags & 1};

		r = tlsd_decrypt_set_tls12(dc, (flags & 2) ? TLSD_DIR_S2C : TLSD_DIR_C2S, &k);
	}
	FUZZ_CHECK(r == 0 || !tlsd_decrypt_has_keys(dc));
	memset(&f, 0, sizeof(f));
	tlsd_tls_dir_init(&f.t, 1 << 16);
	for (uint64_t i = 0;; i++) {
		uint8_t type;
		struct tlsd_cur body;
		struct tlsd_plaintext pt;
		struct tlsd_record_info ri = {.off = i, .type = 23, .version = 0x0303};
		uint64_t seq = tlsd_decrypt_seq(dc);

		if (!tlsd_cur_get_u8(&c, &type) || !tlsd_cur_get_u16_prefixed(&c, &body))
			break;
		if (flags & 4 && i == 1) {
			tlsd_decrypt_skip(dc);
			continue;
		}
		if (flags & 8 && i == 1)
			ignore(tlsd_decrypt_key_update(dc));
		enum tlsd_decrypt_result res = tlsd_decrypt_record(dc, type, rversion,
								   tlsd_cur_data(&body),
								   tlsd_cur_len(&body), &pt);

		FUZZ_CHECK(res <= TLSD_DECRYPT_INTERNAL);
		FUZZ_CHECK(!tlsd_decrypt_has_keys(dc) || tlsd_decrypt_seq(dc) == seq + 1 ||
		       (flags & 8));
		if (res != TLSD_DECRYPT_OK)
			continue;
		FUZZ_CHECK(pt.len <= tlsd_cur_len(&body));
		tlsd_tls_dir_feed_inner(&f.t, TLSD_DIR_S2C, &events, &f, pt.type, pt.p, pt.len, &ri);
	}
	tlsd_tls_dir_cleanup(&f.t);
	tlsd_decrypt_free(dc);
}

/* ---- mode 2 ---- */

static void fuzz_hooks(const uint8_t *p, size_t n)
{
	static struct fz f;
	size_t pos = 0, step = 1;
	uint64_t skip = 0;

	memset(&f, 0, sizeof(f));
	tlsd_tls_dir_init(&f.t, 4096);
	tlsd_tls_dir_set_midstream(&f.t);
	while (pos < n) {
		size_t len = TLSD_MIN(n - pos, step);

		if (skip) {
			size_t s = (size_t)TLSD_MIN(skip, (uint64_t)(n - pos));

			if (p[pos] == 0xff) /* sometimes lose the bytes instead */
				tlsd_tls_dir_gap(&f.t, TLSD_DIR_S2C, &events, &f, s);
			pos += s;
			skip -= s;
			continue;
		}
		skip = tlsd_tls_dir_feed(&f.t, TLSD_DIR_S2C, &events, &f, p + pos, len, 1);
		step = (size_t)p[pos] % 61 + 1;
		pos += len;
	}
	FUZZ_CHECK(f.t.rec.len <= TLSD_RECORD_MAX_LEN);
	tlsd_tls_dir_cleanup(&f.t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > (1u << 20))
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_loader(data + 1, size - 1);
		break;
	case 1:
		fuzz_decrypt(data + 1, size - 1);
		break;
	default:
		fuzz_hooks(data + 1, size - 1);
		break;
	}
	return 0;
}
