/* Fuzz target: two record framers (client and server direction) fed by
 * (dir, chunk-len, bytes) operations, with callbacks that switch to
 * encrypted on ChangeCipherSpec like the connection glue does. Checks that
 * every reported offset lies within the bytes delivered (fed or skipped). */
#include "fuzz_check.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results the fuzzer does not need (warn_unused_result needs a use). */
static void ignore(int r)
{
	(void)r;
}

struct fz {
	struct tlsd_tls_dir t[2];
	uint64_t delivered[2]; /* bytes fed + skipped per direction */
};

static void check_off(struct fz *f, enum tlsd_dir d, uint64_t off)
{
	FUZZ_CHECK(off <= f->delivered[d]);
}

static void on_record(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	check_off(ud, d, ri->off);
}

static void on_hs(void *ud, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	struct fz *f = ud;
	volatile uint8_t sink = 0;
	struct tlsd_client_hello ch;
	struct tlsd_server_hello sh;

	check_off(f, d, m->off);
	FUZZ_CHECK(m->body != NULL);
	for (uint32_t i = 0; i < m->len; i++)
		sink ^= m->body[i];
	(void)sink;
	if (m->sslv2)
		ignore(tlsd_parse_sslv2_client_hello(m->body, m->len, &ch, NULL));
	else if (m->type == TLSD_HS_CLIENT_HELLO)
		ignore(tlsd_parse_client_hello(m->body, m->len, &ch, NULL));
	else if (m->type == TLSD_HS_SERVER_HELLO &&
		 tlsd_parse_server_hello(m->body, m->len, &sh, NULL) == TLSD_PARSE_OK &&
		 tlsd_server_hello_version(&sh) == TLSD_VERSION_TLS13)
		tlsd_tls_dir_set_encrypted(&f->t[d], true); /* TLS 1.3: keys switch after SH */
}

static void on_alert(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc, uint64_t off,
		     tlsd_time_ns ts)
{
	check_off(ud, d, off);
}

static void on_ccs(void *ud, enum tlsd_dir d, uint64_t off, tlsd_time_ns ts)
{
	struct fz *f = ud;

	check_off(f, d, off);
	tlsd_tls_dir_set_encrypted(&f->t[d], true);
}

static void on_anomaly(void *ud, enum tlsd_dir d, enum tlsd_anomaly a, uint64_t off,
		       const char *what)
{
	check_off(ud, d, off);
	FUZZ_CHECK(what != NULL);
}

static void on_lost(void *ud, enum tlsd_dir d, enum tlsd_framing why, uint64_t off,
		    const uint8_t *sample, size_t sample_len)
{
	check_off(ud, d, off);
	FUZZ_CHECK(sample_len <= TLSD_SAMPLE_LEN);
}

static const struct tlsd_tls_events events = {
	.record = on_record,
	.handshake = on_hs,
	.alert = on_alert,
	.ccs = on_ccs,
	.anomaly = on_anomaly,
	.framing_lost = on_lost,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = calloc(1, sizeof(*f));
	uint64_t skip[2] = {0, 0};
	size_t pos = 0;

	if (!f)
		return 0;
	tlsd_tls_dir_init(&f->t[0], 1u << 16);
	tlsd_tls_dir_init(&f->t[1], 1u << 16);
	/* op: dir byte (bit 0; bit 1 = a gap of chunk-len bytes instead),
	 * chunk-len u16, then that many bytes. */
	while (size - pos >= 3) {
		uint8_t op = data[pos];
		size_t n = (size_t)data[pos + 1] << 8 | data[pos + 2];
		enum tlsd_dir d = (enum tlsd_dir)(op & 1);

		pos += 3;
		if (op & 2) {
			f->delivered[d] += n;
			tlsd_tls_dir_gap(&f->t[d], d, &events, f, n);
			skip[d] = 0;
			continue;
		}
		n = n > size - pos ? size - pos : n;
		/* Bytes the framer asked to skip are dropped, as the reassembler would. */
		size_t drop = skip[d] < n ? (size_t)skip[d] : n;

		skip[d] -= drop;
		if (n > drop) {
			uint8_t *chunk = malloc(n - drop);

			if (!chunk)
				break;
			memcpy(chunk, data + pos + drop, n - drop);
			f->delivered[d] += n - drop;
			uint64_t s = tlsd_tls_dir_feed(&f->t[d], d, &events, f, chunk, n - drop, 0);

			FUZZ_CHECK(s <= TLSD_RECORD_MAX_LEN);
			skip[d] += s;
			f->delivered[d] += s;
			free(chunk);
		}
		pos += n;
		FUZZ_CHECK(f->t[d].off <= f->delivered[d]);
	}
	tlsd_tls_dir_cleanup(&f->t[0]);
	tlsd_tls_dir_cleanup(&f->t[1]);
	free(f);
	return 0;
}
