/* Fuzz target for the certificate stage.
 *
 * Input: one flags byte, then chunks of (u16 big-endian length, bytes).
 *   flags bit 0: check the host name "server.test" (else no SNI)
 *   flags bit 1: capture time 2020-06-01 (else 2025-06-01)
 *   flags bit 2: ServerKeyExchange mode: the first chunk is the leaf, then a
 *                u16 signature scheme, the rest is the signature over the
 *                fixed data that tests/certs/make.sh signs
 *   flags bit 3: a client chain
 * Otherwise every chunk is one certificate of the chain, leaf first. The
 * trust store (the system's) and its caches are made once and shared by all
 * inputs, as in a long capture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cert.h"
#include "tlsd/tls_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tlsd_cert_store *store;
static struct tlsd_chain_findings findings;

static void ske(struct tlsd_cur *c, const struct tlsd_cur *leaf, uint8_t flags)
{
	struct tlsd_ske_check in = {.leaf = *leaf};
	uint8_t params[36] = {0x03, 0x00, 0x1d, 0x20};
	char detail[160];
	uint16_t scheme = 0;

	if (!tlsd_cur_get_u16(c, &scheme))
		return;
	memset(params + 4, 0x55, sizeof(params) - 4);
	memset(in.client_random, 0x11, 32);
	memset(in.server_random, 0x22, 32);
	tlsd_cur_init(&in.params, params, sizeof(params));
	in.sig = *c;
	in.version = flags & 2 ? TLSD_VERSION_TLS10 : TLSD_VERSION_TLS12;
	in.sig_scheme = scheme;
	switch (tlsd_cert_verify_ske(store, &in, detail, sizeof(detail))) {
	case TLSD_SIG_OK:
	case TLSD_SIG_BAD:
	case TLSD_SIG_UNSUPPORTED:
	case TLSD_SIG_ERROR:
		break;
	default:
		abort();
	}
	if (!memchr(detail, '\0', sizeof(detail)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsd_cur c, ders[TLSD_CERT_MAX_CHAIN + 2];
	struct tlsd_cert_query q = {.ders = ders, .expiry_warning_days = 14};
	uint8_t flags;
	size_t n = 0;

	if (size > (1u << 20))
		return 0;
	if (!store) {
		char err[256];

		store = tlsd_cert_store_new(NULL, err, sizeof(err));
		if (!store) {
			fprintf(stderr, "fuzz_cert: %s\n", err);
			abort();
		}
	}
	tlsd_cur_init(&c, data, size);
	if (!tlsd_cur_get_u8(&c, &flags))
		return 0;
	while (n < TLSD_ARRAY_SIZE(ders) && tlsd_cur_get_u16_prefixed(&c, &ders[n])) {
		n++;
		if (flags & 4)
			break;
	}
	if (n == 0)
		return 0;
	if (flags & 4) {
		ske(&c, &ders[0], flags);
		return 0;
	}
	q.n = n;
	q.sni = flags & 1 ? (const uint8_t *)"server.test" : NULL;
	q.sni_len = flags & 1 ? 11 : 0;
	q.capture_time_s = flags & 2 ? 1590969600 : 1748736000;
	q.client_chain = flags & 8;
	if (tlsd_cert_check_chain(store, &q, &findings) == 0) {
		if (findings.n_findings > TLSD_CERT_MAX_FINDINGS || findings.n_certs > n)
			abort();
		for (size_t i = 0; i < findings.n_findings; i++)
			if (!memchr(findings.findings[i].evidence, '\0',
				    sizeof(findings.findings[i].evidence)))
				abort();
	}
	return 0;
}
