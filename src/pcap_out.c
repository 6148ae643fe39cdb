/* The -w evidence file (see include/tlsd/pcap_out.h). */
#include "tlsd/pcap_out.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/conn.h"

struct tlsd_pcap_out {
	pcap_dumper_t *d;
	int dlt;
	int err;      /* first error, as -errno; 0 none */
	uint8_t *held;
	size_t len, cap, hold_max;
};

/* One held frame: where it is and what orders it. */
struct slot {
	int64_t ts;
	size_t seq, off;
};

struct tlsd_pcap_out *tlsd_pcap_out_open(const char *path, int dlt, size_t hold_max, char *err,
					 size_t errlen)
{
	struct tlsd_pcap_out *o = calloc(1, sizeof(*o));
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 262144,
							     PCAP_TSTAMP_PRECISION_NANO);

	if (!o || !dead) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	o->d = pcap_dump_open(dead, path);
	if (!o->d) {
		snprintf(err, errlen, "%s", pcap_geterr(dead)); /* names the path */
		goto fail;
	}
	/* The dumper wrote its file header; it needs nothing more from dead. */
	pcap_close(dead);
	o->dlt = dlt;
	o->hold_max = hold_max;
	return o;
fail:
	if (dead)
		pcap_close(dead);
	free(o);
	return NULL;
}

int tlsd_pcap_out_dlt(const struct tlsd_pcap_out *o)
{
	return o->dlt;
}

/* Records the first error: a failed fflush, or the stream's error flag. */
static int check(struct tlsd_pcap_out *o, int flush_rc)
{
	if (!o->err && (flush_rc != 0 || ferror(pcap_dump_file(o->d))))
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

static void write_one(struct tlsd_pcap_out *o, const uint8_t *rec)
{
	struct pcap_pkthdr h;
	uint64_t ts;
	uint32_t caplen, wirelen;

	memcpy(&ts, rec, 8);
	memcpy(&caplen, rec + 8, 4);
	memcpy(&wirelen, rec + 12, 4);
	h.ts.tv_sec = (time_t)(ts / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(ts % 1000000000u); /* nanoseconds: a nano dumper */
	h.caplen = caplen;
	h.len = wirelen;
	pcap_dump((u_char *)o->d, &h, rec + TLSD_CONN_FRAME_HDR);
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
	return check(o, pcap_dump_flush(o->d));
}

int tlsd_pcap_out_close(struct tlsd_pcap_out *o)
{
	int rc;

	if (!o)
		return 0;
	rc = tlsd_pcap_out_flush(o);
	pcap_dump_close(o->d);
	free(o->held);
	free(o);
	return rc;
}
