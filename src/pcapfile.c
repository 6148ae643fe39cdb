/* Classic pcap files (see include/tlsd/pcapfile.h): the record logic of
 * libpcap 1.10's sf-pcap.c over a buffer refilled by a read callback. */
#include "tlsd/pcapfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"

#define REC_HDR_LEN 16u
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* Link types whose records libpcap edits when the file is in the other
 * byte order (see swap_socketcan_id). */
#define LINKTYPE_LINUX_SLL 113u
#define LINKTYPE_LINUX_SLL2 276u
#define SLL_HDR_LEN 16u
#define SLL2_HDR_LEN 20u
#define SLL_PROTOCOL_CAN 0x000cu
#define SLL_PROTOCOL_CANFD 0x000du
/* Bytes asked for per read: with the records handed over in place, the
 * buffer's working part stays in the L2 cache next to the analyzer's
 * state (larger reads were slower in whole runs, not alone). */
#define READ_CHUNK (64u << 10)
/* Room for a read plus the largest record split across two reads. */
#define BUF_CAP (READ_CHUNK + REC_HDR_LEN + TLSD_PCAPFILE_MAX_CAPLEN)
/* Shared buffers are read 256 KiB at a time: fewer switches, each a
 * check (and sometimes a wait) that the workers are done with a buffer. */
#define SHARED_CHUNK (256u << 10)
#define SHARED_CAP (SHARED_CHUNK + REC_HDR_LEN + TLSD_PCAPFILE_MAX_CAPLEN)

struct tlsd_pcapfile {
	tlsd_pcapng_read_fn read;
	void *ud;
	uint8_t *buf;   /* the buffer being read: own[0], or shared[cur] */
	uint8_t *own;
	uint8_t *shared[TLSD_PCAPFILE_MAX_SHARED];
	unsigned n_shared, cur;
	tlsd_pcapfile_reuse_fn reuse;
	void *reuse_ud;
	size_t chunk, cap; /* bytes per read, buffer size */
	size_t off;  /* next record */
	size_t have; /* bytes in buf */
	bool eof;
	bool big_endian; /* the file's byte order */
	bool nsec;
	bool swapped; /* the file's byte order is not the host's */
	uint32_t linktype;
	int dlt;
	uint32_t snaplen; /* libpcap's p->snapshot */
	bool failed;
	char error[TLSD_PCAPFILE_ERRLEN];
};

static enum tlsd_pcapfile_status fail(struct tlsd_pcapfile *pf, char *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum tlsd_pcapfile_status fail(struct tlsd_pcapfile *pf, char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pf->error, sizeof(pf->error), fmt, ap);
	va_end(ap);
	pf->failed = true;
	snprintf(err, TLSD_PCAPFILE_ERRLEN, "%s", pf->error);
	return TLSD_PCAPFILE_ERROR;
}

/* fill() once the buffer holds fewer than n bytes at off. */
static int fill_slow(struct tlsd_pcapfile *pf, size_t n)
{
	while (pf->have - pf->off < n && !pf->eof) {
		size_t want;
		ssize_t r;

		if (pf->off > 0 && pf->n_shared) {
			/* The next shared buffer, once no one reads it any
			 * more; the unread tail (less than one record) goes
			 * along. The records before stay where they were. */
			unsigned next = (pf->cur + 1) % pf->n_shared;
			size_t tail = pf->have - pf->off;

			pf->reuse(pf->reuse_ud, (int)next);
			memcpy(pf->shared[next], pf->buf + pf->off, tail);
			pf->cur = next;
			pf->buf = pf->shared[next];
			pf->have = tail;
			pf->off = 0;
		} else if (pf->off > 0) {
			/* The unread tail (less than one record) to the front. */
			memmove(pf->buf, pf->buf + pf->off, pf->have - pf->off);
			pf->have -= pf->off;
			pf->off = 0;
		}
		want = n > pf->chunk ? n : pf->chunk;
		want = want > pf->have ? want - pf->have : pf->chunk;
		if (want > pf->cap - pf->have)
			want = pf->cap - pf->have;
		r = pf->read(pf->ud, pf->buf + pf->have, want);
		if (r < 0)
			return (int)r;
		if (r == 0)
			pf->eof = true;
		pf->have += (size_t)r;
	}
	return 0;
}

/* Makes n bytes (n <= REC_HDR_LEN + TLSD_PCAPFILE_MAX_CAPLEN) available
 * at off, fewer only at the end of the input. Returns 0, or a negative
 * errno from the read callback. Twice a record, and nearly always the
 * bytes are there: that test is inline. */
static inline int fill(struct tlsd_pcapfile *pf, size_t n)
{
	if (pf->have - pf->off >= n || pf->eof)
		return 0;
	return fill_slow(pf, n);
}

static bool get32(struct tlsd_cur *c, bool big_endian, uint32_t *out)
{
	return big_endian ? tlsd_cur_get_u32(c, out) : tlsd_cur_get_u32le(c, out);
}

static bool get16(struct tlsd_cur *c, bool big_endian, uint16_t *out)
{
	return big_endian ? tlsd_cur_get_u16(c, out) : tlsd_cur_get_u16le(c, out);
}

int tlsd_pcapfile_new(struct tlsd_pcapfile **out, const uint8_t *hdr, size_t hdr_len,
		      bool (*dlt_ok)(int dlt), tlsd_pcapng_read_fn read, void *ud)
{
	uint32_t magic, thiszone, sigfigs, snaplen, linktype;
	uint16_t major, minor;
	struct tlsd_pcapfile *pf;
	struct tlsd_cur c;
	bool big_endian;
	int dlt;

	tlsd_cur_init(&c, hdr, hdr_len);
	if (!tlsd_cur_get_u32le(&c, &magic))
		return 0;
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		big_endian = false;
	} else {
		magic = __builtin_bswap32(magic);
		if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
			return 0;
		big_endian = true;
	}
	if (!get16(&c, big_endian, &major) || !get16(&c, big_endian, &minor) ||
	    !get32(&c, big_endian, &thiszone) || !get32(&c, big_endian, &sigfigs) ||
	    !get32(&c, big_endian, &snaplen) || !get32(&c, big_endian, &linktype))
		return 0; /* a short header: libpcap's message */
	(void)thiszone;
	(void)sigfigs;
	/* Version 2.3 and older may have caplen and len swapped; bits above
	 * the link type (FCS length) change what libpcap reports. */
	if (major != 2 || minor != 4 || linktype > 0xffffu)
		return 0;
	dlt = tlsd_pcapng_linktype_to_dlt((uint16_t)linktype);
	if (!dlt_ok(dlt))
		return 0; /* libpcap names the link type it refuses */
	pf = calloc(1, sizeof(*pf));
	if (pf)
		pf->own = malloc(BUF_CAP);
	if (!pf || !pf->own) {
		free(pf);
		return -ENOMEM;
	}
	pf->buf = pf->own;
	pf->chunk = READ_CHUNK;
	pf->cap = BUF_CAP;
	pf->read = read;
	pf->ud = ud;
	pf->big_endian = big_endian;
	pf->nsec = magic == MAGIC_NSEC;
	pf->swapped = big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	pf->linktype = linktype;
	pf->dlt = dlt;
	/* pcap_adjust_snapshot() of libpcap 1.10: 0, or more than an int,
	 * means the maximum; a value between the two is kept (and records
	 * above the maximum are still refused). */
	pf->snaplen = snaplen == 0 || snaplen > INT32_MAX ? TLSD_PCAPFILE_MAX_CAPLEN : snaplen;
	*out = pf;
	return 1;
}

/* libpcap 1.10 (swap_pseudo_headers) byte-swaps the 32-bit CAN ID that
 * follows the cooked header of a SocketCAN or CAN FD frame in LINUX_SLL
 * and LINUX_SLL2 files written in the other byte order: Linux writes it
 * in host order. We do not decode CAN, but a record must read the same
 * whichever reader takes the file (found by fuzz_pcapfile). `rec` is the
 * record's bytes in our own buffer, caplen long; libpcap leaves the ID
 * alone unless both caplen and the original length cover it. */
static void swap_socketcan_id(const struct tlsd_pcapfile *pf, uint8_t *rec, uint32_t caplen,
			      uint32_t wirelen)
{
	size_t hdr_len, proto_off;
	struct tlsd_cur c;
	uint16_t protocol;
	uint32_t id;

	if (pf->linktype == LINKTYPE_LINUX_SLL) {
		hdr_len = SLL_HDR_LEN;
		proto_off = 14; /* after packet type, ARPHRD, address length, address */
	} else if (pf->linktype == LINKTYPE_LINUX_SLL2) {
		hdr_len = SLL2_HDR_LEN;
		proto_off = 0;
	} else {
		return;
	}
	if (wirelen < hdr_len + sizeof(id))
		return;
	tlsd_cur_init(&c, rec, caplen);
	if (!tlsd_cur_skip(&c, proto_off) || !tlsd_cur_get_u16(&c, &protocol) ||
	    (protocol != SLL_PROTOCOL_CAN && protocol != SLL_PROTOCOL_CANFD))
		return;
	tlsd_cur_init(&c, rec, caplen);
	if (!tlsd_cur_skip(&c, hdr_len) || !tlsd_cur_get_u32(&c, &id))
		return; /* caplen does not cover the ID */
	for (size_t i = 0; i < sizeof(id); i++) /* rewritten least significant byte first */
		rec[hdr_len + i] = (uint8_t)(id >> (8 * i));
}

enum tlsd_pcapfile_status tlsd_pcapfile_next(struct tlsd_pcapfile *pf,
					     struct tlsd_pcapfile_packet *pkt, char *err)
{
	uint32_t sec, frac, caplen, wirelen, keep;
	struct tlsd_cur rec, c, data;
	int r;

	if (pf->failed) {
		snprintf(err, TLSD_PCAPFILE_ERRLEN, "%s", pf->error);
		return TLSD_PCAPFILE_ERROR;
	}
	/* A record is consumed only once whole: after -EAGAIN the next call
	 * starts it again. */
	r = fill(pf, REC_HDR_LEN);
	if (r == -EAGAIN)
		return TLSD_PCAPFILE_AGAIN;
	if (r < 0)
		return fail(pf, err, "error reading dump file: %s", strerror(-r));
	tlsd_cur_init(&rec, pf->buf + pf->off, pf->have - pf->off);
	if (tlsd_cur_len(&rec) == 0)
		return TLSD_PCAPFILE_END;
	if (!tlsd_cur_get_bytes(&rec, &c, REC_HDR_LEN))
		return fail(pf, err, "truncated dump file; tried to read %u header bytes, only got %zu",
			    REC_HDR_LEN, tlsd_cur_len(&rec));
	if (!get32(&c, pf->big_endian, &sec) || !get32(&c, pf->big_endian, &frac) ||
	    !get32(&c, pf->big_endian, &caplen) || !get32(&c, pf->big_endian, &wirelen))
		return fail(pf, err, "internal error: short record header");
	if (caplen > TLSD_PCAPFILE_MAX_CAPLEN) {
		if (caplen > pf->snaplen)
			return fail(pf, err,
				    "invalid packet capture length %u, bigger than snaplen of %u",
				    caplen, pf->snaplen);
		return fail(pf, err, "invalid packet capture length %u, bigger than maximum of %u",
			    caplen, TLSD_PCAPFILE_MAX_CAPLEN);
	}
	r = fill(pf, REC_HDR_LEN + caplen);
	if (r == -EAGAIN)
		return TLSD_PCAPFILE_AGAIN;
	if (r < 0)
		return fail(pf, err, "error reading dump file: %s", strerror(-r));
	/* fill() may have moved the bytes: the record again from off. */
	tlsd_cur_init(&rec, pf->buf + pf->off, pf->have - pf->off);
	if (!tlsd_cur_skip(&rec, REC_HDR_LEN))
		return fail(pf, err, "internal error: record header gone");
	/* A record above the snapshot length: libpcap reads the snapshot
	 * length, discards the rest and reports the snapshot length. */
	keep = caplen > pf->snaplen ? pf->snaplen : caplen;
	if (tlsd_cur_len(&rec) < keep || tlsd_cur_len(&rec) < caplen)
		return fail(pf, err, "truncated dump file; tried to read %u captured bytes, only got %zu",
			    tlsd_cur_len(&rec) < keep ? keep : caplen, tlsd_cur_len(&rec));
	if (!tlsd_cur_get_bytes(&rec, &data, caplen))
		return fail(pf, err, "internal error: record body gone");
	pf->off += REC_HDR_LEN + caplen;
	/* libpcap 1.10's record header has signed 32-bit fields, which its
	 * byte swap (SWAPLONG) turns unsigned: a time stamp past 2038, or a
	 * broken one, reads differently in the two byte orders. */
	if (pf->big_endian) {
		pkt->sec = sec;
		pkt->frac_ns = (int64_t)frac * (pf->nsec ? 1 : 1000);
	} else {
		pkt->sec = (int32_t)sec;
		pkt->frac_ns = (int64_t)(int32_t)frac * (pf->nsec ? 1 : 1000);
	}
	pkt->caplen = keep;
	pkt->wirelen = wirelen;
	if (pf->swapped)
		swap_socketcan_id(pf, pf->buf + pf->off - caplen, keep, wirelen);
	pkt->data = caplen ? tlsd_cur_data(&data) : pf->buf; /* never NULL */
	return TLSD_PCAPFILE_PACKET;
}

int tlsd_pcapfile_share(struct tlsd_pcapfile *pf, unsigned n, tlsd_pcapfile_reuse_fn reuse,
			void *ud)
{
	if (pf->n_shared || n < 2 || n > TLSD_PCAPFILE_MAX_SHARED || pf->off != pf->have)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		pf->shared[i] = malloc(SHARED_CAP);
		if (!pf->shared[i]) {
			while (i-- > 0) {
				free(pf->shared[i]);
				pf->shared[i] = NULL;
			}
			return -ENOMEM;
		}
	}
	pf->n_shared = n;
	pf->cur = 0;
	pf->reuse = reuse;
	pf->reuse_ud = ud;
	pf->chunk = SHARED_CHUNK;
	pf->cap = SHARED_CAP;
	/* Nothing unread is in own (checked above): start in shared[0]. */
	pf->buf = pf->shared[0];
	pf->have = pf->off = 0;
	return 0;
}

int tlsd_pcapfile_slab(const struct tlsd_pcapfile *pf)
{
	return pf->n_shared ? (int)pf->cur : -1;
}

int tlsd_pcapfile_dlt(const struct tlsd_pcapfile *pf)
{
	return pf->dlt;
}

uint32_t tlsd_pcapfile_snaplen(const struct tlsd_pcapfile *pf)
{
	return pf->snaplen;
}

void tlsd_pcapfile_free(struct tlsd_pcapfile *pf)
{
	if (!pf)
		return;
	if (pf->n_shared)
		pf->reuse(pf->reuse_ud, -1); /* no one may read them any more */
	for (unsigned i = 0; i < pf->n_shared; i++)
		free(pf->shared[i]);
	free(pf->own);
	free(pf);
}
