/* Unit tests for record decryption (tls_decrypt.c) with key log secrets. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tlsd/keylog.h"
#include "tlsd/tls_decrypt.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"
#include "tls_decrypt_fixtures.h"
#include "tls_fixtures.h"

/* RFC 8448 section 3 (Simple 1-RTT Handshake), TLS_AES_128_GCM_SHA256. */
#define RFC8448_CHTS "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
#define RFC8448_SHTS "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
#define RFC8448_CATS "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define RFC8448_SATS "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"

static const struct {
	const char *secret, *key, *iv;
} rfc8448_keys[] = {
	/* {server} derive write traffic keys for handshake data */
	{RFC8448_SHTS, "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"},
	/* {client} derive write traffic keys for handshake data */
	{RFC8448_CHTS, "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f"},
	/* {server} derive write traffic keys for application data */
	{RFC8448_SATS, "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984"},
	/* {client} derive write traffic keys for application data */
	{RFC8448_CATS, "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9"},
};

/* {server} send handshake record: EncryptedExtensions, Certificate,
 * CertificateVerify, Finished (679 octets). */
#define RFC8448_SERVER_FLIGHT \
	"17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 " \
	"cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e " \
	"df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca " \
	"07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 " \
	"b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 " \
	"34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b " \
	"d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 " \
	"02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57 a6 b9 " \
	"d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c " \
	"7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e " \
	"d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 " \
	"60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92 " \
	"8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 " \
	"04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94 " \
	"5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 " \
	"94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 " \
	"45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 " \
	"aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f " \
	"44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 " \
	"4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26 " \
	"f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 " \
	"6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 " \
	"7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 " \
	"7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e " \
	"1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 " \
	"3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da " \
	"8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c " \
	"f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 " \
	"61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c " \
	"74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be " \
	"5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 " \
	"a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb " \
	"99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb " \
	"56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 " \
	"77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 " \
	"63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 " \
	"eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 " \
	"8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84 " \
	"5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 " \
	"40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 " \
	"d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 " \
	"ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e " \
	"75 0e dc 53 37 0d 2b "

/* {client} send handshake record: Finished (58 octets). */
#define RFC8448_CLIENT_FINISHED \
	"17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 " \
	"a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc " \
	"44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c " \
	"ae ac ab 68 67 d7 26 c4 05 46 "

/* {server} send handshake record: NewSessionTicket (227 octets). */
#define RFC8448_SERVER_NST \
	"17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 " \
	"87 68 0d e5 13 4a 2b 24 0e 6c ff ac 11 6e 95 d4 " \
	"1d 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a " \
	"01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 " \
	"8e fb cf 57 53 ad 8e f1 70 ad 3c 73 53 d1 6d 9d " \
	"a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0 " \
	"9c 30 ba 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 " \
	"9b 29 99 ce 13 06 46 15 13 98 91 d5 e4 c5 b4 06 " \
	"f1 6e 3f c1 81 a7 7c a4 75 84 00 25 db 2f 0a 77 " \
	"f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 " \
	"9d 86 cb ee ac 87 aa c3 47 d1 43 f9 60 5d 64 f6 " \
	"50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74 " \
	"bc 26 97 68 7e 24 87 46 d6 df 35 30 05 f3 bc e1 " \
	"86 96 12 9c 81 53 55 6b 3b 6c 67 79 b3 7b f1 59 " \
	"85 68 4f "

/* {client} / {server} send application_data record: 50 octets 00..31. */
#define RFC8448_CLIENT_APP \
	"17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe " \
	"82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f " \
	"2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b " \
	"62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 " \
	"3a ee bb 21 69 49 15 e4 "
#define RFC8448_SERVER_APP \
	"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad " \
	"36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 " \
	"e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 " \
	"fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 " \
	"0d d0 32 e1 67 c2 95 5d "

/* Hex fixture with blanks allowed (the RFC layout). */
static uint8_t *hex(const char *s, size_t *len)
{
	char *clean = malloc(strlen(s) + 1);
	size_t n = 0;
	uint8_t *b;

	ck_assert_ptr_nonnull(clean);
	for (const char *p = s; *p; p++)
		if (*p != ' ')
			clean[n++] = *p;
	clean[n] = '\0';
	b = tlsd_fix_hex(clean, len);
	free(clean);
	return b;
}

/* Decrypts a whole record (header + body) held in hex. */
static enum tlsd_decrypt_result dec_hex(struct tlsd_decrypt *dc, const char *rec_hex,
					struct tlsd_plaintext *pt, uint8_t *copy, size_t copy_cap,
					size_t *copy_len)
{
	size_t n;
	uint8_t *rec = hex(rec_hex, &n);
	enum tlsd_decrypt_result r;

	ck_assert_uint_ge(n, 5);
	ck_assert_uint_eq(((size_t)rec[3] << 8 | rec[4]), n - 5);
	r = tlsd_decrypt_record(dc, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, n - 5, pt);
	if (r == TLSD_DECRYPT_OK && copy) {
		ck_assert_uint_le(pt->len, copy_cap);
		memcpy(copy, pt->p, pt->len);
		*copy_len = pt->len;
	}
	free(rec);
	return r;
}

static struct tlsd_decrypt *tls13_state(uint16_t suite, const char *secret_hex)
{
	size_t n;
	uint8_t *s = hex(secret_hex, &n);
	struct tlsd_decrypt *dc = tlsd_decrypt_new();

	ck_assert_ptr_nonnull(dc);
	ck_assert_int_eq(tlsd_decrypt_set_tls13(dc, suite, s, n), 0);
	free(s);
	return dc;
}

START_TEST(tc_rfc8448_key_iv)
{
	size_t sn, kn, vn, key_len = 0;
	uint8_t *secret = hex(rfc8448_keys[_i].secret, &sn);
	uint8_t *key = hex(rfc8448_keys[_i].key, &kn), *iv = hex(rfc8448_keys[_i].iv, &vn);
	uint8_t k[32], v[12];

	ck_assert_int_eq(tlsd_decrypt_tls13_key_iv(0x1301, secret, sn, k, &key_len, v), 0);
	ck_assert_uint_eq(key_len, 16);
	ck_assert_mem_eq(k, key, 16);
	ck_assert_mem_eq(v, iv, 12);
	/* Wrong length for SHA-256, and a suite that is not TLS 1.3. */
	ck_assert_int_eq(tlsd_decrypt_tls13_key_iv(0x1301, secret, sn - 1, k, &key_len, v), -EINVAL);
	ck_assert_int_eq(tlsd_decrypt_tls13_key_iv(0xc02f, secret, sn, k, &key_len, v), -ENOTSUP);
	free(secret);
	free(key);
	free(iv);
}
END_TEST

/* Walks handshake messages: returns how many, and their types in order. */
static size_t walk_messages(const uint8_t *p, size_t len, uint8_t *types, size_t max)
{
	struct tlsd_cur c, body;
	size_t n = 0;
	uint8_t t;

	tlsd_cur_init(&c, p, len);
	while (tlsd_cur_len(&c)) {
		ck_assert(tlsd_cur_get_u8(&c, &t));
		ck_assert(tlsd_cur_get_u24_prefixed(&c, &body));
		if (n < max)
			types[n] = t;
		n++;
	}
	return n;
}

START_TEST(tc_rfc8448_server_flight)
{
	struct tlsd_decrypt *dc = tls13_state(0x1301, RFC8448_SHTS);
	struct tlsd_plaintext pt;
	static uint8_t plain[TLSD_DECRYPT_MAX_PLAINTEXT];
	size_t n = 0;
	uint8_t types[8];

	ck_assert_int_eq(dec_hex(dc, RFC8448_SERVER_FLIGHT, &pt, plain, sizeof(plain), &n),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_HANDSHAKE);
	ck_assert_uint_eq(n, 674 - 16 - 1);
	ck_assert(!pt.overflow);
	ck_assert_uint_eq(walk_messages(plain, n, types, 8), 4);
	ck_assert_uint_eq(types[0], TLSD_HS_ENCRYPTED_EXTENSIONS);
	ck_assert_uint_eq(types[1], TLSD_HS_CERTIFICATE);
	ck_assert_uint_eq(types[2], TLSD_HS_CERTIFICATE_VERIFY);
	ck_assert_uint_eq(types[3], TLSD_HS_FINISHED);
	/* Finished: 14 00 00 20 9b 9b 14 1d ... (verify_data of the trace) */
	static const uint8_t fin[] = {0x14, 0x00, 0x00, 0x20, 0x9b, 0x9b, 0x14, 0x1d};

	ck_assert_mem_eq(plain + n - 36, fin, sizeof(fin));
	ck_assert_uint_eq(tlsd_decrypt_seq(dc), 1);
	tlsd_decrypt_free(dc);
}
END_TEST

START_TEST(tc_rfc8448_client_finished)
{
	struct tlsd_decrypt *dc = tls13_state(0x1301, RFC8448_CHTS);
	struct tlsd_plaintext pt;
	uint8_t plain[64];
	size_t n = 0;
	static const uint8_t fin[] = {TLSD_HS_FINISHED, 0x00, 0x00, 0x20};

	ck_assert_int_eq(dec_hex(dc, RFC8448_CLIENT_FINISHED, &pt, plain, sizeof(plain), &n),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_HANDSHAKE);
	ck_assert_uint_eq(n, 36);
	ck_assert_mem_eq(plain, fin, 4);
	tlsd_decrypt_free(dc);
}
END_TEST

/* Application keys: the server's NewSessionTicket (seq 0), then both sides'
 * 50 bytes of application data (server seq 1, client seq 0). */
START_TEST(tc_rfc8448_application)
{
	struct tlsd_decrypt *s = tls13_state(0x1301, RFC8448_SATS);
	struct tlsd_decrypt *c = tls13_state(0x1301, RFC8448_CATS);
	struct tlsd_plaintext pt;
	uint8_t plain[256], want[50];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)i;
	ck_assert_int_eq(dec_hex(s, RFC8448_SERVER_NST, &pt, plain, sizeof(plain), &n),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_HANDSHAKE);
	ck_assert_uint_eq(plain[0], TLSD_HS_NEW_SESSION_TICKET);
	ck_assert_uint_eq(n, 0xde - 17);
	ck_assert_int_eq(dec_hex(s, RFC8448_SERVER_APP, &pt, plain, sizeof(plain), &n),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_APPLICATION_DATA);
	ck_assert_uint_eq(n, 50);
	ck_assert_mem_eq(plain, want, 50);
	ck_assert_int_eq(dec_hex(c, RFC8448_CLIENT_APP, &pt, plain, sizeof(plain), &n),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_APPLICATION_DATA);
	ck_assert_mem_eq(plain, want, 50);
	tlsd_decrypt_free(s);
	tlsd_decrypt_free(c);
}
END_TEST

/* The sequence number is in the nonce: a skipped record, the other side's
 * key or an updated key make the record fail to authenticate. */
START_TEST(tc_rfc8448_wrong_seq_and_key)
{
	struct tlsd_decrypt *c = tls13_state(0x1301, RFC8448_CATS);
	struct tlsd_decrypt *s = tls13_state(0x1301, RFC8448_SATS);
	struct tlsd_plaintext pt;

	tlsd_decrypt_skip(c);
	ck_assert_uint_eq(tlsd_decrypt_seq(c), 1);
	ck_assert_int_eq(dec_hex(c, RFC8448_CLIENT_APP, &pt, NULL, 0, NULL), TLSD_DECRYPT_BAD_MAC);
	ck_assert_uint_eq(tlsd_decrypt_seq(c), 2); /* counted anyway */
	ck_assert_int_eq(dec_hex(s, RFC8448_CLIENT_APP, &pt, NULL, 0, NULL), TLSD_DECRYPT_BAD_MAC);
	tlsd_decrypt_free(c);
	c = tls13_state(0x1301, RFC8448_CATS);
	ck_assert_int_eq(tlsd_decrypt_key_update(c), 0);
	ck_assert_uint_eq(tlsd_decrypt_seq(c), 0);
	ck_assert_int_eq(dec_hex(c, RFC8448_CLIENT_APP, &pt, NULL, 0, NULL), TLSD_DECRYPT_BAD_MAC);
	tlsd_decrypt_free(c);
	tlsd_decrypt_free(s);
}
END_TEST

/* ---- the capture vectors ---- */

struct vec_run {
	struct tlsd_keylog_secrets sec;
	struct tlsd_decrypt *dc[2];
	uint8_t crandom[32], srandom[32], master[48];
};

static void vec_setup(const struct dec_vec *v, struct vec_run *run)
{
	size_t n;
	uint8_t *b;
	struct tlsd_keylog *kl = tlsd_keylog_new();
	struct tlsd_keylog_stats st;

	ck_assert_ptr_nonnull(kl);
	memset(run, 0, sizeof(*run));
	ck_assert_int_eq(tlsd_keylog_load_mem(kl, (const uint8_t *)v->keylog, strlen(v->keylog)),
			 0);
	tlsd_keylog_get_stats(kl, &st);
	ck_assert_uint_eq(st.malformed, 0);
	b = hex(v->client_random, &n);
	ck_assert_uint_eq(n, 32);
	memcpy(run->crandom, b, 32);
	free(b);
	b = hex(v->server_random, &n);
	ck_assert_uint_eq(n, 32);
	memcpy(run->srandom, b, 32);
	free(b);
	ck_assert_msg(tlsd_keylog_lookup(kl, run->crandom, &run->sec), "%s: no keys", v->name);
	tlsd_keylog_free(kl);
	for (int d = 0; d < 2; d++) {
		run->dc[d] = tlsd_decrypt_new();
		ck_assert_ptr_nonnull(run->dc[d]);
	}
	ck_assert(tlsd_decrypt_supported(v->version, v->suite));
	if (v->version == TLSD_VERSION_TLS13) {
		const struct tlsd_secret *c = &run->sec.s[TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET];
		const struct tlsd_secret *s = &run->sec.s[TLSD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET];

		ck_assert_int_eq(tlsd_decrypt_set_tls13(run->dc[TLSD_DIR_C2S], v->suite, c->b, c->len), 0);
		ck_assert_int_eq(tlsd_decrypt_set_tls13(run->dc[TLSD_DIR_S2C], v->suite, s->b, s->len), 0);
		return;
	}
	const struct tlsd_secret *ms = &run->sec.s[TLSD_KEYLOG_CLIENT_RANDOM];

	ck_assert_uint_eq(ms->len, 48);
	memcpy(run->master, ms->b, 48);
	struct tlsd_tls12_keys k = {.version = v->version, .suite = v->suite,
				    .master_secret = run->master, .client_random = run->crandom,
				    .server_random = run->srandom, .encrypt_then_mac = v->etm};

	for (int d = 0; d < 2; d++)
		ck_assert_int_eq(tlsd_decrypt_set_tls12(run->dc[d], (enum tlsd_dir)d, &k), 0);
}

static void vec_cleanup(struct vec_run *run)
{
	tlsd_decrypt_free(run->dc[0]);
	tlsd_decrypt_free(run->dc[1]);
}

/* TLS 1.3: after a side's Finished, its application traffic secret. */
static void maybe_switch(const struct dec_vec *v, struct vec_run *run, enum tlsd_dir d,
			 const struct tlsd_plaintext *pt)
{
	uint8_t types[16];
	size_t n;
	enum tlsd_keylog_label l = d == TLSD_DIR_C2S ? TLSD_KEYLOG_CLIENT_TRAFFIC_SECRET_0
						     : TLSD_KEYLOG_SERVER_TRAFFIC_SECRET_0;

	if (v->version != TLSD_VERSION_TLS13 || pt->type != TLSD_CT_HANDSHAKE)
		return;
	n = walk_messages(pt->p, pt->len, types, TLSD_ARRAY_SIZE(types));
	for (size_t i = 0; i < n && i < TLSD_ARRAY_SIZE(types); i++)
		if (types[i] == TLSD_HS_FINISHED)
			ck_assert_int_eq(tlsd_decrypt_set_tls13(run->dc[d], v->suite, run->sec.s[l].b,
								run->sec.s[l].len), 0);
}

START_TEST(tc_vectors)
{
	const struct dec_vec *v = &dec_vecs[_i];
	struct vec_run run;

	vec_setup(v, &run);
	for (size_t i = 0; i < v->n_recs; i++) {
		const struct dec_rec *r = &v->recs[i];
		struct tlsd_plaintext pt;
		size_t pn;
		uint8_t *want;

		if (!r->rec) {
			tlsd_decrypt_skip(run.dc[r->dir]);
			continue;
		}
		ck_assert_msg(dec_hex(run.dc[r->dir], r->rec, &pt, NULL, 0, NULL) == TLSD_DECRYPT_OK,
			      "%s: record %zu", v->name, i);
		want = hex(r->plain, &pn);
		ck_assert_msg(pt.type == r->type, "%s: record %zu type %u", v->name, i, pt.type);
		ck_assert_msg(pt.len == pn, "%s: record %zu len %zu, want %zu", v->name, i, pt.len, pn);
		ck_assert_mem_eq(pt.p, want, pn);
		free(want);
		maybe_switch(v, &run, r->dir, &pt);
	}
	vec_cleanup(&run);
}
END_TEST

/* The first record of each vector with one bit flipped at its first and
 * at its last byte: BAD_MAC (or MALFORMED, never OK). */
START_TEST(tc_vectors_tampered)
{
	const struct dec_vec *v = &dec_vecs[_i];
	const struct dec_rec *r = NULL;

	for (size_t i = 0; i < v->n_recs && !r; i++)
		if (v->recs[i].rec)
			r = &v->recs[i];
	ck_assert_ptr_nonnull(r);
	for (int where = 0; where < 3; where++) {
		struct vec_run run;
		size_t n;
		uint8_t *rec = hex(r->rec, &n);
		struct tlsd_plaintext pt;
		enum tlsd_decrypt_result res;

		vec_setup(v, &run);
		if (where == 0)
			rec[5] ^= 0x01;
		else if (where == 1)
			rec[n - 1] ^= 0x80;
		else
			rec[0] ^= 0x03; /* content type, in the MAC/AAD (not for a bare NULL) */
		res = tlsd_decrypt_record(run.dc[r->dir], rec[0], (uint16_t)(rec[1] << 8 | rec[2]),
					  rec + 5, n - 5, &pt);
		ck_assert_msg(res == TLSD_DECRYPT_BAD_MAC, "%s: flip %d gave %s", v->name, where,
			      tlsd_decrypt_result_name(res));
		free(rec);
		vec_cleanup(&run);
	}
}
END_TEST

/* The first record of each vector cut at every length: never OK, and no
 * read past the (exact-size) buffer. */
START_TEST(tc_vectors_truncated)
{
	const struct dec_vec *v = &dec_vecs[_i];
	const struct dec_rec *r = NULL;
	size_t n;

	for (size_t i = 0; i < v->n_recs && !r; i++)
		if (v->recs[i].rec)
			r = &v->recs[i];
	ck_assert_ptr_nonnull(r);
	uint8_t *rec = hex(r->rec, &n);

	for (size_t cut = 0; cut < n - 5; cut++) {
		struct vec_run run;
		struct tlsd_plaintext pt = {0};
		uint8_t *body = malloc(cut ? cut : 1);
		enum tlsd_decrypt_result res;

		ck_assert_ptr_nonnull(body);
		memcpy(body, rec + 5, cut);
		vec_setup(v, &run);
		res = tlsd_decrypt_record(run.dc[r->dir], rec[0], (uint16_t)(rec[1] << 8 | rec[2]),
					  body, cut, &pt);
		ck_assert_msg(res == TLSD_DECRYPT_BAD_MAC || res == TLSD_DECRYPT_MALFORMED,
			      "%s: cut %zu gave %s", v->name, cut, tlsd_decrypt_result_name(res));
		ck_assert_ptr_null(pt.p); /* untouched */
		ck_assert_uint_eq(tlsd_decrypt_seq(run.dc[r->dir]), 1);
		free(body);
		vec_cleanup(&run);
	}
	free(rec);
}
END_TEST

/* A wrong master secret or traffic secret: BAD_MAC. */
START_TEST(tc_vectors_wrong_key)
{
	const struct dec_vec *v = &dec_vecs[_i];
	const struct dec_rec *r = NULL;
	struct vec_run run;
	struct tlsd_plaintext pt;

	for (size_t i = 0; i < v->n_recs && !r; i++)
		if (v->recs[i].rec)
			r = &v->recs[i];
	ck_assert_ptr_nonnull(r);
	vec_setup(v, &run);
	if (v->version == TLSD_VERSION_TLS13) {
		struct tlsd_secret *s = &run.sec.s[TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET];

		s->b[0] ^= 1;
		ck_assert_int_eq(tlsd_decrypt_set_tls13(run.dc[r->dir], v->suite, s->b, s->len), 0);
		/* The client's secret for a server record and the other way round,
		 * or the flipped one for the client's record. */
		if (r->dir == TLSD_DIR_S2C)
			s->b[0] ^= 1;
		ck_assert_int_eq(tlsd_decrypt_set_tls13(run.dc[r->dir], v->suite, s->b, s->len), 0);
	} else {
		run.master[47] ^= 1;
		struct tlsd_tls12_keys k = {.version = v->version, .suite = v->suite,
					    .master_secret = run.master,
					    .client_random = run.crandom,
					    .server_random = run.srandom,
					    .encrypt_then_mac = v->etm};

		ck_assert_int_eq(tlsd_decrypt_set_tls12(run.dc[r->dir], r->dir, &k), 0);
	}
	ck_assert_int_eq(dec_hex(run.dc[r->dir], r->rec, &pt, NULL, 0, NULL), TLSD_DECRYPT_BAD_MAC);
	vec_cleanup(&run);
}
END_TEST

/* The two findings the brief names: the TLS 1.2 client Finished and the
 * TLS 1.3 server's encrypted certificate_required alert. */
static const struct dec_vec *vec_named(const char *name)
{
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(dec_vecs); i++)
		if (strcmp(dec_vecs[i].name, name) == 0)
			return &dec_vecs[i];
	ck_abort_msg("no vector %s", name);
	return NULL;
}

START_TEST(tc_tls12_client_finished)
{
	const struct dec_vec *v = vec_named("tls12_ok");
	struct vec_run run;
	struct tlsd_plaintext pt;

	vec_setup(v, &run);
	ck_assert_int_eq(v->recs[0].dir, TLSD_DIR_C2S);
	ck_assert_int_eq(dec_hex(run.dc[TLSD_DIR_C2S], v->recs[0].rec, &pt, NULL, 0, NULL),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_HANDSHAKE);
	ck_assert_uint_eq(pt.len, 16);
	static const uint8_t hdr[] = {TLSD_HS_FINISHED, 0, 0, 12};

	ck_assert_mem_eq(pt.p, hdr, 4);
	vec_cleanup(&run);
}
END_TEST

START_TEST(tc_tls13_alert_certificate_required)
{
	const struct dec_vec *v = vec_named("tls13_client_cert_required");
	struct vec_run run;
	struct tlsd_plaintext pt = {0};
	bool seen = false;

	vec_setup(v, &run);
	for (size_t i = 0; i < v->n_recs; i++) {
		const struct dec_rec *r = &v->recs[i];

		if (!r->rec) {
			tlsd_decrypt_skip(run.dc[r->dir]);
			continue;
		}
		ck_assert_int_eq(dec_hex(run.dc[r->dir], r->rec, &pt, NULL, 0, NULL),
				 TLSD_DECRYPT_OK);
		maybe_switch(v, &run, r->dir, &pt);
		if (i + 1 == v->n_recs) {
			ck_assert_int_eq(r->dir, TLSD_DIR_S2C);
			ck_assert_uint_eq(pt.type, TLSD_CT_ALERT);
			ck_assert_uint_eq(pt.len, 2);
			ck_assert_uint_eq(pt.p[0], 2);   /* fatal */
			ck_assert_uint_eq(pt.p[1], 116); /* certificate_required */
			seen = true;
		}
	}
	ck_assert(seen);
	vec_cleanup(&run);
}
END_TEST

/* ---- TLS 1.3 records sealed here: padding, empty content, overflow ---- */

static size_t seal13(uint16_t suite, const char *secret_hex, uint64_t seq, uint8_t inner_type,
		     const uint8_t *content, size_t len, size_t pad, uint8_t *rec, size_t cap)
{
	size_t sn, key_len, n = len + 1 + pad, tag = suite == 0x1305 ? 8 : 16;
	uint8_t *secret = hex(secret_hex, &sn), key[32], iv[12], *inner = calloc(1, n);
	const char *name = suite == 0x1301 ? "AES-128-GCM" : suite == 0x1302 ? "AES-256-GCM"
			   : suite == 0x1303 ? "ChaCha20-Poly1305" : "AES-128-CCM";
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, name, NULL);
	int outl = 0;
	bool ccm = suite >= 0x1304;

	ck_assert_ptr_nonnull(inner);
	ck_assert_uint_le(5 + n + tag, cap);
	ck_assert_int_eq(tlsd_decrypt_tls13_key_iv(suite, secret, sn, key, &key_len, iv), 0);
	for (size_t i = 0; i < 8; i++)
		iv[11 - i] ^= (uint8_t)(seq >> (8 * i));
	if (len)
		memcpy(inner, content, len);
	inner[len] = inner_type;
	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)((n + tag) >> 8);
	rec[4] = (uint8_t)(n + tag);
	ck_assert(EVP_EncryptInit_ex2(c, ciph, NULL, NULL, NULL));
	ck_assert(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) > 0);
	if (ccm)
		ck_assert(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag, NULL) > 0);
	ck_assert(EVP_EncryptInit_ex2(c, NULL, key, iv, NULL));
	if (ccm)
		ck_assert(EVP_EncryptUpdate(c, NULL, &outl, NULL, (int)n));
	ck_assert(EVP_EncryptUpdate(c, NULL, &outl, rec, 5));
	ck_assert(EVP_EncryptUpdate(c, rec + 5, &outl, inner, (int)n));
	ck_assert(EVP_EncryptFinal_ex(c, rec + 5 + outl, &outl));
	ck_assert(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, (int)tag, rec + 5 + n) > 0);
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(ciph);
	free(inner);
	free(secret);
	return 5 + n + tag;
}

static const uint16_t tls13_suites[] = {0x1301, 0x1303, 0x1304, 0x1305};

START_TEST(tc_tls13_padding_and_sizes)
{
	uint16_t suite = tls13_suites[_i];
	static uint8_t rec[(1u << 14) + 512], content[(1u << 14) + 256];
	struct tlsd_decrypt *dc = tls13_state(suite, RFC8448_CATS);
	struct tlsd_plaintext pt;
	size_t n;

	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = (uint8_t)(i * 7 + 1);
	/* An alert with 100 bytes of zero padding. */
	n = seal13(suite, RFC8448_CATS, 0, TLSD_CT_ALERT, (const uint8_t[]){2, 116}, 2, 100, rec,
		   sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0303, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_ALERT);
	ck_assert_uint_eq(pt.len, 2);
	ck_assert_uint_eq(pt.p[1], 116);
	/* Empty application data (content length 0). */
	n = seal13(suite, RFC8448_CATS, 1, TLSD_CT_APPLICATION_DATA, NULL, 0, 0, rec, sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0303, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.type, TLSD_CT_APPLICATION_DATA);
	ck_assert_uint_eq(pt.len, 0);
	/* All padding, no content type: malformed (unexpected_message). */
	n = seal13(suite, RFC8448_CATS, 2, 0, NULL, 0, 10, rec, sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0303, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_MALFORMED);
	/* 2^14 bytes: fine; 2^14 + 1: overflow flagged. */
	n = seal13(suite, RFC8448_CATS, 3, TLSD_CT_APPLICATION_DATA, content, 1u << 14, 0, rec,
		   sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0303, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_OK);
	ck_assert_uint_eq(pt.len, 1u << 14);
	ck_assert(!pt.overflow);
	ck_assert_mem_eq(pt.p, content, 1u << 14);
	n = seal13(suite, RFC8448_CATS, 4, TLSD_CT_APPLICATION_DATA, content, (1u << 14) + 1, 0,
		   rec, sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0303, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_OK);
	ck_assert(pt.overflow);
	/* The header is the AAD: another length or version fails. */
	n = seal13(suite, RFC8448_CATS, 5, TLSD_CT_HANDSHAKE, content, 40, 0, rec, sizeof(rec));
	ck_assert_int_eq(tlsd_decrypt_record(dc, rec[0], 0x0301, rec + 5, n - 5, &pt),
			 TLSD_DECRYPT_BAD_MAC);
	tlsd_decrypt_free(dc);
}
END_TEST

/* ---- API edges ---- */

START_TEST(tc_unsupported)
{
	struct tlsd_decrypt *dc = tlsd_decrypt_new();
	struct tlsd_plaintext pt;
	uint8_t secret[48] = {1}, body[64] = {0}, rnd[32] = {0};
	struct tlsd_tls12_keys k = {.version = 0x0303, .suite = 0x0005 /* RC4_128_SHA */,
				    .master_secret = secret, .client_random = rnd,
				    .server_random = rnd};

	ck_assert_ptr_nonnull(dc);
	ck_assert(!tlsd_decrypt_has_keys(dc));
	ck_assert_int_eq(tlsd_decrypt_record(dc, 23, 0x0303, body, sizeof(body), &pt),
			 TLSD_DECRYPT_UNSUPPORTED);
	ck_assert_int_eq(tlsd_decrypt_set_tls12(dc, TLSD_DIR_C2S, &k), -ENOTSUP);
	k.suite = 0x002f; /* AES_128_CBC_SHA */
	k.version = 0x0300; /* SSL 3.0 */
	ck_assert_int_eq(tlsd_decrypt_set_tls12(dc, TLSD_DIR_C2S, &k), -ENOTSUP);
	k.version = 0x0301;
	k.suite = 0x009c; /* AES_128_GCM_SHA256 is TLS 1.2 only */
	ck_assert_int_eq(tlsd_decrypt_set_tls12(dc, TLSD_DIR_C2S, &k), -ENOTSUP);
	k.suite = 0x1301;
	k.version = 0x0303;
	ck_assert_int_eq(tlsd_decrypt_set_tls12(dc, TLSD_DIR_C2S, &k), -ENOTSUP);
	ck_assert(!tlsd_decrypt_has_keys(dc));
	ck_assert_int_eq(tlsd_decrypt_set_tls13(dc, 0x002f, secret, 32), -ENOTSUP);
	ck_assert_int_eq(tlsd_decrypt_set_tls13(dc, 0x1302, secret, 32), -EINVAL);
	ck_assert_int_eq(tlsd_decrypt_set_tls13(dc, 0xffff, secret, 32), -ENOTSUP);
	ck_assert_int_eq(tlsd_decrypt_key_update(dc), -EINVAL);
	ck_assert_int_eq(tlsd_decrypt_set_tls13(dc, 0x1302, secret, 48), 0);
	ck_assert(tlsd_decrypt_has_keys(dc));
	ck_assert_int_eq(tlsd_decrypt_record(dc, 23, 0x0303, body, 16, &pt),
			 TLSD_DECRYPT_MALFORMED); /* tag only, no inner type */
	ck_assert_int_eq(tlsd_decrypt_record(dc, 23, 0x0303, NULL, 0, &pt),
			 TLSD_DECRYPT_MALFORMED);
	ck_assert_int_eq(tlsd_decrypt_record(dc, 23, 0x0303, body, TLSD_DECRYPT_MAX_PLAINTEXT + 1,
					     &pt),
			 TLSD_DECRYPT_MALFORMED);
	tlsd_decrypt_reset(dc);
	ck_assert(!tlsd_decrypt_has_keys(dc));
	tlsd_decrypt_free(dc);
	tlsd_decrypt_free(NULL);
	ck_assert_str_eq(tlsd_decrypt_result_name(TLSD_DECRYPT_BAD_MAC), "bad_mac");
}
END_TEST

/* What the suite names give. */
START_TEST(tc_supported_table)
{
	static const struct {
		uint16_t version, suite;
		bool ok;
	} t[] = {
		{0x0304, 0x1301, true},  {0x0304, 0x1302, true},  {0x0304, 0x1303, true},
		{0x0304, 0x1304, true},  {0x0304, 0x1305, true},  {0x0303, 0x1301, false},
		{0x0304, 0xc02f, false}, {0x0303, 0xc02f, true},  {0x0303, 0xc030, true},
		{0x0303, 0xcca8, true},  {0x0303, 0xc0ac, true},  {0x0303, 0xc0ae, true},
		{0x0303, 0x002f, true},  {0x0302, 0x002f, true},  {0x0301, 0x002f, true},
		{0x0300, 0x002f, false}, {0x0303, 0x003c, true},  {0x0303, 0xc028, true},
		{0x0303, 0x000a, true},  {0x0303, 0x0041, true},  {0x0303, 0x003b, true},
		{0x0303, 0x0002, true},  {0x0303, 0x0001, true},  {0x0303, 0x0000, false},
		{0x0303, 0x0005, false}, {0x0303, 0x0009, false}, {0x0303, 0x0096, false},
		{0x0302, 0xc02f, false}, {0x0303, 0xc0b4, false}, {0x0303, 0x00ff, false},
		{0x0303, 0xd001, true},  {0x0303, 0xc050, true},  {0x0303, 0xc03c, true},
		{0x0303, 0xc07a, false},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(t); i++)
		ck_assert_msg(tlsd_decrypt_supported(t[i].version, t[i].suite) == t[i].ok,
			      "0x%04x at 0x%04x", t[i].suite, t[i].version);
}
END_TEST

Suite *tls_decrypt_suite(void);
Suite *tls_decrypt_suite(void)
{
	Suite *s = suite_create("tls_decrypt");
	TCase *tc = tcase_create("rfc8448");

	tcase_add_loop_test(tc, tc_rfc8448_key_iv, 0, (int)TLSD_ARRAY_SIZE(rfc8448_keys));
	tcase_add_test(tc, tc_rfc8448_server_flight);
	tcase_add_test(tc, tc_rfc8448_client_finished);
	tcase_add_test(tc, tc_rfc8448_application);
	tcase_add_test(tc, tc_rfc8448_wrong_seq_and_key);
	suite_add_tcase(s, tc);
	tc = tcase_create("captures");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, tc_vectors, 0, (int)TLSD_ARRAY_SIZE(dec_vecs));
	tcase_add_loop_test(tc, tc_vectors_tampered, 0, (int)TLSD_ARRAY_SIZE(dec_vecs));
	tcase_add_loop_test(tc, tc_vectors_truncated, 0, (int)TLSD_ARRAY_SIZE(dec_vecs));
	tcase_add_loop_test(tc, tc_vectors_wrong_key, 0, (int)TLSD_ARRAY_SIZE(dec_vecs));
	tcase_add_test(tc, tc_tls12_client_finished);
	tcase_add_test(tc, tc_tls13_alert_certificate_required);
	suite_add_tcase(s, tc);
	tc = tcase_create("edges");
	tcase_add_loop_test(tc, tc_tls13_padding_and_sizes, 0, (int)TLSD_ARRAY_SIZE(tls13_suites));
	tcase_add_test(tc, tc_unsupported);
	tcase_add_test(tc, tc_supported_table);
	suite_add_tcase(s, tc);
	return s;
}
