/* Fuzz target: handshake body parsers. The first byte selects the parser,
 * the rest is the message body. Every parse that succeeds is fingerprinted
 * and its views are read back, so ASan checks they stay inside the input. */
#include "fuzz_check.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cert.h"
#include "tlsd/fingerprint.h"
#include "tlsd/tls_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results the fuzzer does not need (warn_unused_result needs a use). */
static void ignore(int r)
{
	(void)r;
}

static void touch(const struct tlsd_cur *c)
{
	volatile uint8_t sink = 0;
	struct tlsd_cur v = *c;
	uint8_t b;

	while (tlsd_cur_get_u8(&v, &b))
		sink ^= b;
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsd_client_hello ch;
	struct tlsd_server_hello sh;
	struct tlsd_certificate_msg cert;
	struct tlsd_certificate_request cr;
	struct tlsd_server_key_exchange ske;
	struct tlsd_new_session_ticket nst;
	struct tlsd_parse_err err;
	char ja3[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], ja4[TLSD_JA4_LEN];
	char ja4s[TLSD_JA4S_LEN];
	char name[TLSD_CERT_NAME_LEN];
	uint8_t *body;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	body = malloc(len ? len : 1); /* exact size: reads past it are caught */
	if (!body)
		return 0;
	if (len)
		memcpy(body, data + 1, len);
	switch (data[0] % 8) {
	case 0:
		if (tlsd_parse_client_hello(body, len, &ch, &err) == TLSD_PARSE_OK) {
			FUZZ_CHECK(ch.sni_len <= TLSD_MAX_SNI);
			FUZZ_CHECK(ch.alpn.used <= TLSD_STRLIST_BYTES);
			ignore(tlsd_fp_ja3(&ch, ja3, sizeof(ja3), md5));
			ignore(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4));
		} else {
			FUZZ_CHECK(err.off <= len);
		}
		break;
	case 1:
		if (tlsd_parse_sslv2_client_hello(body, len, &ch, &err) == TLSD_PARSE_OK)
			ignore(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4));
		break;
	case 2:
		if (tlsd_parse_server_hello(body, len, &sh, &err) == TLSD_PARSE_OK) {
			ignore(tlsd_fp_ja3s(&sh, ja3, sizeof(ja3), md5));
			ignore(tlsd_fp_ja4s(&sh, TLSD_JA4_TCP, ja4s));
		}
		break;
	case 3:
	case 4:
		if (tlsd_parse_certificate(body, len, data[0] % 8 == 4, &cert, &err) ==
		    TLSD_PARSE_OK) {
			FUZZ_CHECK(cert.n_kept <= TLSD_MAX_CERTS);
			for (uint32_t i = 0; i < cert.n_kept; i++)
				touch(&cert.der[i]);
		}
		break;
	case 5:
		if (tlsd_parse_certificate_request(body, len, data[0] & 0x80 ? 0x0304 : 0x0303, &cr,
						   &err) == TLSD_PARSE_OK) {
			/* The first CA name lies inside the body, and reads as words
			 * (or does not) within its bound. */
			FUZZ_CHECK(tlsd_cur_len(&cr.first_ca) <= len);
			FUZZ_CHECK(cr.n_ca_names > 0 || tlsd_cur_len(&cr.first_ca) == 0);
			touch(&cr.first_ca);
			if (tlsd_cert_name_text(name, sizeof(name), &cr.first_ca))
				FUZZ_CHECK(strlen(name) < sizeof(name));
		}
		break;
	case 6:
		if (tlsd_parse_server_key_exchange(body, len, (enum tlsd_kx_kind)((data[0] >> 3) % 13),
						   data[0] & 0x80 ? 0x0303 : 0x0301, &ske,
						   &err) == TLSD_PARSE_OK) {
			touch(&ske.params);
			touch(&ske.signature);
		}
		break;
	default:
		ignore(tlsd_parse_new_session_ticket(body, len, data[0] & 0x80, &nst, &err));
		break;
	}
	free(body);
	return 0;
}
