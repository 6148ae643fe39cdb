/* Structure-aware whole pipeline: the input is what two TCP peers send, and
 * this target writes the capture around it, so the fuzzer mutates TLS bytes
 * while every frame stays a valid Ethernet/IPv4/TCP packet of one connection
 * (three-way handshake, sequence and acknowledgement numbers, a close).
 *
 * Input: ops in fuzz_tls_stream's format, which the seed corpora share:
 *   op byte: bit 0 the sender (0 client, 1 server); bit 1 the segment is lost
 *            (its sequence space is skipped: a gap); bit 2 the sender resets
 *            the connection after it; bit 3 the segment is sent twice
 *   u16 big-endian length, then that many bytes (at most 1460 a segment;
 *            longer data is cut into segments)
 * The capture ends with FIN from both sides unless a reset came first. It
 * then goes through fuzz_pipeline(). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSS 1460
#define HDRS (14 + 20 + 20)
#define MAX_OUT (1u << 20)

struct writer {
	uint8_t *buf;
	size_t len;
	uint64_t ts_ns;
	uint32_t seq[2]; /* next sequence number per sender */
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (n == 0 || w->len + n > MAX_OUT)
		return; /* memcpy wants a pointer even for 0 bytes (segments without data pass NULL) */
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_le32(struct writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put(w, b, 4);
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

/* One frame from SENDER (0 client 10.0.0.1:40000, 1 server 10.0.0.2:443). */
static void segment(struct writer *w, int sender, uint8_t flags, const uint8_t *payload,
		    size_t n, bool lost)
{
	uint8_t h[HDRS] = {0};
	uint8_t *ip = h + 14, *tcp = ip + 20;
	uint32_t seq = w->seq[sender];

	w->seq[sender] += (uint32_t)n + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
	w->ts_ns += 1000000; /* 1 ms apart */
	if (lost)
		return;
	h[5] = (uint8_t)(1 + sender);  /* destination MAC 00..01 / 00..02 */
	h[11] = (uint8_t)(2 - sender); /* source MAC */
	be16(h + 12, 0x0800);
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(20 + 20 + n));
	ip[8] = 64;
	ip[9] = 6;
	be32(ip + 12, sender ? 0x0a000002 : 0x0a000001);
	be32(ip + 16, sender ? 0x0a000001 : 0x0a000002);
	be16(ip + 10, ip_checksum(ip, 20));
	be16(tcp, sender ? 443 : 40000);
	be16(tcp + 2, sender ? 40000 : 443);
	be32(tcp + 4, seq);
	be32(tcp + 8, (flags & F_ACK) ? w->seq[!sender] : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	be16(tcp + 14, 65535);
	put_le32(w, (uint32_t)(w->ts_ns / 1000000000u));
	put_le32(w, (uint32_t)(w->ts_ns % 1000000000u));
	put_le32(w, (uint32_t)(HDRS + n));
	put_le32(w, (uint32_t)(HDRS + n));
	put(w, h, HDRS);
	put(w, payload, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct writer w = {.seq = {1000, 5000000}};
	bool reset = false;
	size_t pos = 0;

	w.buf = malloc(MAX_OUT);
	if (!w.buf)
		return 0;
	/* Global header: nanosecond pcap, Ethernet, snap length 262144. */
	put_le32(&w, 0xa1b23c4d);
	put_le32(&w, 2 | 4u << 16);
	put_le32(&w, 0);
	put_le32(&w, 0);
	put_le32(&w, 262144);
	put_le32(&w, 1);
	segment(&w, 0, F_SYN, NULL, 0, false);
	segment(&w, 1, F_SYN | F_ACK, NULL, 0, false);
	segment(&w, 0, F_ACK, NULL, 0, false);
	while (!reset && size - pos >= 3 && w.len < MAX_OUT - 2 * (16 + HDRS + MSS)) {
		uint8_t op = data[pos];
		size_t n = (size_t)data[pos + 1] << 8 | data[pos + 2];
		int sender = op & 1;

		pos += 3;
		n = n > size - pos ? size - pos : n;
		for (size_t off = 0; off < n || n == 0; off += MSS) {
			size_t chunk = n - off < MSS ? n - off : MSS;

			if (op & 8) { /* a retransmission: the same bytes, same sequence */
				uint32_t seq = w.seq[sender];

				segment(&w, sender, F_ACK | F_PSH, data + pos + off, chunk, false);
				w.seq[sender] = seq;
			}
			segment(&w, sender, F_ACK | F_PSH, data + pos + off, chunk, (op & 2) != 0);
			if (n == 0)
				break;
		}
		pos += n;
		if (op & 4) {
			segment(&w, sender, F_RST | F_ACK, NULL, 0, false);
			reset = true;
		}
	}
	if (!reset) {
		segment(&w, 0, F_FIN | F_ACK, NULL, 0, false);
		segment(&w, 1, F_FIN | F_ACK, NULL, 0, false);
		segment(&w, 0, F_ACK, NULL, 0, false);
	}
	FUZZ_CHECK(w.len <= MAX_OUT);
	/* FUZZ_FLOW_WRITE=FILE keeps the capture written (to read it with tlsdiag
	 * or tshark). */
	const char *keep = getenv("FUZZ_FLOW_WRITE");
	FILE *f = keep ? fopen(keep, "wb") : NULL;

	if (f) {
		FUZZ_CHECK(fwrite(w.buf, 1, w.len, f) == w.len);
		fclose(f);
	}
	fuzz_pipeline(w.buf, w.len);
	free(w.buf);
	return 0;
}
