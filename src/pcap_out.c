/* The -w evidence file (see include/tlsd/pcap_out.h). */
#include "tlsd/pcap_out.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/conn.h"

#define MAX_IFACES 64

struct tlsd_pcap_out {
	FILE *f;
	int err;             /* first error, as -errno; 0 none */
	int dlt[MAX_IFACES]; /* interface i of the file has link type dlt[i] */
	unsigned n_ifaces;
	uint8_t *held;
	size_t len, cap, hold_max;
};

/* One held frame: where it is and what orders it. */
struct slot {
	int64_t ts;
	size_t seq, off;
};

/* pcapng numbers link types with LINKTYPE_ values; libpcap's DLT_ values
 * differ for a few (DLT_RAW is 12 or 14 by platform, LINKTYPE_RAW 101). */
static uint16_t linktype_of(int dlt)
{
	if (dlt == DLT_RAW)
		return 101;
	if (dlt == DLT_ATM_RFC1483)
		return 100;
	return (uint16_t)dlt;
}

static void put(struct tlsd_pcap_out *o, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, o->f) != n && !o->err)
		o->err = -(errno ? errno : EIO);
}

static void put32(struct tlsd_pcap_out *o, uint32_t v)
{
	put(o, &v, 4); /* host order: the section header's magic tells readers */
}

struct tlsd_pcap_out *tlsd_pcap_out_open(const char *path, size_t hold_max, char *err,
					 size_t errlen)
{
	struct tlsd_pcap_out *o = calloc(1, sizeof(*o));

	if (!o) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	o->f = fopen(path, "wb");
	if (!o->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(o);
		return NULL;
	}
	o->hold_max = hold_max;
	/* Section header block: byte-order magic, version 1.0, length unknown. */
	put32(o, 0x0A0D0D0A);
	put32(o, 28);
	put32(o, 0x1A2B3C4D);
	put32(o, 1); /* major 1, minor 0 */
	put32(o, 0xFFFFFFFF);
	put32(o, 0xFFFFFFFF);
	put32(o, 28);
	return o;
}

/* The file's interface for link type DLT; its description block is written
 * the first time (pcapng allows one anywhere before its packets). */
static unsigned iface_of(struct tlsd_pcap_out *o, int dlt)
{
	static const uint8_t tsresol[8] = {9, 0, 1, 0, 9, 0, 0, 0}; /* if_tsresol: 10^-9 s */
	uint16_t lt[2] = {linktype_of(dlt), 0};

	for (unsigned i = 0; i < o->n_ifaces; i++)
		if (o->dlt[i] == dlt)
			return i;
	if (o->n_ifaces == MAX_IFACES)
		return 0; /* not with the link types tlsdiag decodes */
	o->dlt[o->n_ifaces] = dlt;
	put32(o, 1);
	put32(o, 32);
	put(o, lt, 4);
	put32(o, 262144);
	put(o, tsresol, sizeof(tsresol));
	put32(o, 0); /* opt_endofopt */
	put32(o, 32);
	return o->n_ifaces++;
}

/* Records the first error: a failed fflush, or the stream's error flag. */
static int check(struct tlsd_pcap_out *o, int flush_rc)
{
	if (!o->err && (flush_rc != 0 || ferror(o->f)))
		o->err = -(errno ? errno : EIO);
	return o->err;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The held frames' headers, in held order. */
static size_t index_frames(const struct tlsd_pcap_out *o, struct slot *v)
{
	size_t pos = 0, n = 0;

	while (pos + TLSD_CONN_FRAME_HDR <= o->len) {
		uint64_t ts;
		uint32_t caplen;

		memcpy(&ts, o->held + pos, 8);
		memcpy(&caplen, o->held + pos + 8, 4);
		if (caplen > o->len - pos - TLSD_CONN_FRAME_HDR)
			break;
		v[n] = (struct slot){.ts = (int64_t)ts, .seq = n, .off = pos};
		n++;
		pos += TLSD_CONN_FRAME_HDR + caplen;
	}
	return n;
}

/* One enhanced packet block. */
static void write_one(struct tlsd_pcap_out *o, const uint8_t *rec)
{
	static const uint8_t pad[4];
	uint64_t ts;
	uint32_t caplen, wirelen, len;
	int32_t dlt;
	unsigned ifc;

	memcpy(&ts, rec, 8);
	memcpy(&caplen, rec + 8, 4);
	memcpy(&wirelen, rec + 12, 4);
	memcpy(&dlt, rec + 16, 4);
	ifc = iface_of(o, dlt);
	len = 32 + ((caplen + 3u) & ~3u);
	put32(o, 6);
	put32(o, len);
	put32(o, ifc);
	put32(o, (uint32_t)(ts >> 32)); /* nanoseconds (if_tsresol 9) */
	put32(o, (uint32_t)ts);
	put32(o, caplen);
	put32(o, wirelen);
	put(o, rec + TLSD_CONN_FRAME_HDR, caplen);
	put(o, pad, (4 - caplen % 4) % 4);
	put32(o, len);
}

/* Writes records as they come (LEN bytes of the TLSD_CONN_FRAME_HDR layout). */
static void write_records(struct tlsd_pcap_out *o, const uint8_t *p, size_t len)
{
	for (size_t pos = 0; len - pos >= TLSD_CONN_FRAME_HDR;) {
		uint32_t caplen;

		memcpy(&caplen, p + pos + 8, 4);
		if (caplen > len - pos - TLSD_CONN_FRAME_HDR)
			break;
		write_one(o, p + pos);
		pos += TLSD_CONN_FRAME_HDR + caplen;
	}
}

/* Writes the held frames sorted by capture time, then forgets them. */
static int write_held(struct tlsd_pcap_out *o)
{
	struct slot *v;

	if (!o->len)
		return o->err;
	v = malloc(o->len / TLSD_CONN_FRAME_HDR * sizeof(*v));
	if (v) {
		size_t n = index_frames(o, v);

		qsort(v, n, sizeof(*v), cmp_slot);
		for (size_t i = 0; i < n; i++)
			write_one(o, o->held + v[i].off);
		free(v);
	} else {
		write_records(o, o->held, o->len); /* no memory to sort: held order */
	}
	o->len = 0;
	return check(o, 0);
}

int tlsd_pcap_out_add(struct tlsd_pcap_out *o, const uint8_t *frames, size_t len)
{
	if (o->err)
		return o->err;
	if (o->len + len > o->hold_max && write_held(o) < 0)
		return o->err;
	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		uint8_t *p;

		while (cap < o->len + len)
			cap *= 2;
		p = realloc(o->held, cap);
		if (!p) {
			/* No room to hold them: written now, in their own order. */
			if (write_held(o) == 0)
				write_records(o, frames, len);
			return check(o, 0);
		}
		o->held = p;
		o->cap = cap;
	}
	memcpy(o->held + o->len, frames, len);
	o->len += len;
	return 0;
}

int tlsd_pcap_out_flush(struct tlsd_pcap_out *o)
{
	if (write_held(o) < 0)
		return o->err;
	errno = 0;
	return check(o, fflush(o->f));
}

int tlsd_pcap_out_close(struct tlsd_pcap_out *o)
{
	int rc;

	if (!o)
		return 0;
	rc = tlsd_pcap_out_flush(o);
	errno = 0;
	if (fclose(o->f) != 0 && rc == 0)
		rc = -(errno ? errno : EIO);
	free(o->held);
	free(o);
	return rc;
}
