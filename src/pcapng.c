/* Native pcapng reader: a refilled buffer, one block at a time, every field
 * read through the cursor in the section's byte order.
 *
 *   Block:  u32 type | u32 total length | body | u32 total length
 *   SHB:    u32 byte-order magic | u16 major | u16 minor | i64 section length | options
 *   IDB:    u16 link type | u16 reserved | u32 snaplen | options
 *   EPB:    u32 interface | u32 ts high | u32 ts low | u32 caplen | u32 origlen |
 *           data (padded to 4) | options
 *   PB:     u16 interface | u16 drops | u32 ts high | u32 ts low | u32 caplen |
 *           u32 origlen | data (padded) | options
 *   SPB:    u32 origlen | data (padded)
 *   DSB:    u32 secrets type | u32 secrets length | data (padded) | options
 *   option: u16 code | u16 length | value (padded to 4); code 0 ends the list */
#include "tlsd/pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"

/* The read buffer: blocks are parsed in place, so packet data is handed out
 * without a copy. It grows (up to a block cap plus this) only for a block
 * larger than itself. */
#define READ_BUF (256u << 10)

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_TSRESOL 9
#define IF_TSOFFSET 14
#define TSRESOL_DEFAULT 6 /* microseconds */

#define LINKTYPE_ATM_RFC1483_ 100
#define LINKTYPE_RAW_ 101
#define LINKTYPE_SLIP_BSDOS_ 102
#define LINKTYPE_PPP_BSDOS_ 103
#define LINKTYPE_ATM_CLIP_ 106
#define LINKTYPE_LOOP_ 108

struct tlsd_pcapng {
	tlsd_pcapng_read_fn read;
	void *ud;
	uint8_t *buf;
	size_t cap;        /* allocated bytes of buf */
	size_t start, end; /* unread bytes are buf[start, end) */
	bool eof;
	uint64_t off;      /* file offset of buf[start] */
	bool le;           /* the current section is little-endian */
	bool in_section;   /* an SHB was read */
	bool failed;
	char errmsg[TLSD_PCAPNG_ERRLEN];
	struct tlsd_pcapng_iface *ifaces;
	uint32_t n_ifaces, alloc_ifaces;
	struct tlsd_pcapng_stats st;
};

bool tlsd_pcapng_magic(const uint8_t *p, size_t len)
{
	struct tlsd_cur c;
	uint32_t v;

	tlsd_cur_init(&c, p, len);
	return tlsd_cur_get_u32(&c, &v) && v == TLSD_PCAPNG_SHB;
}

struct tlsd_pcapng *tlsd_pcapng_new(tlsd_pcapng_read_fn read, void *ud)
{
	struct tlsd_pcapng *ng = calloc(1, sizeof(*ng));

	if (!ng)
		return NULL;
	ng->buf = malloc(READ_BUF);
	if (!ng->buf) {
		free(ng);
		return NULL;
	}
	ng->cap = READ_BUF;
	ng->read = read;
	ng->ud = ud;
	return ng;
}

void tlsd_pcapng_free(struct tlsd_pcapng *ng)
{
	if (!ng)
		return;
	free(ng->ifaces);
	free(ng->buf);
	free(ng);
}

const struct tlsd_pcapng_iface *tlsd_pcapng_iface(const struct tlsd_pcapng *ng, uint32_t idx)
{
	return idx < ng->n_ifaces ? &ng->ifaces[idx] : NULL;
}

uint32_t tlsd_pcapng_iface_count(const struct tlsd_pcapng *ng)
{
	return ng->n_ifaces;
}

uint64_t tlsd_pcapng_sections(const struct tlsd_pcapng *ng)
{
	return ng->st.sections;
}

void tlsd_pcapng_get_stats(const struct tlsd_pcapng *ng, struct tlsd_pcapng_stats *out)
{
	*out = ng->st;
	out->offset = ng->off;
}

int tlsd_pcapng_linktype_to_dlt(uint16_t linktype)
{
	switch (linktype) {
	case LINKTYPE_ATM_RFC1483_:
		return DLT_ATM_RFC1483;
	case LINKTYPE_RAW_:
		return DLT_RAW;
	case LINKTYPE_SLIP_BSDOS_:
		return DLT_SLIP_BSDOS;
	case LINKTYPE_PPP_BSDOS_:
		return DLT_PPP_BSDOS;
	case LINKTYPE_ATM_CLIP_:
		return DLT_ATM_CLIP;
	case LINKTYPE_LOOP_:
		return DLT_LOOP;
	default:
		return linktype;
	}
}

tlsd_time_ns tlsd_pcapng_ts_ns(uint64_t units, uint8_t tsresol, int64_t tsoffset)
{
	static const uint64_t pow10[20] = {
		1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
		1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
		100000000000000u, 1000000000000000u, 10000000000000000u, 100000000000000000u,
		1000000000000000000u, 10000000000000000000u,
	};
	const int64_t max_sec = TLSD_PCAPNG_MAX_SEC;
	unsigned n = tsresol & 0x7fu;
	uint64_t sec, frac, ns;
	int64_t s;

	if (tsresol & 0x80u) {
		/* 2^-n seconds; n <= 63 (the reader rejects more). frac * 1e9
		 * fits in 64 bits while frac < 2^34. */
		if (n > 63)
			n = 63;
		sec = units >> n;
		frac = units & ((UINT64_C(1) << n) - 1);
		if (n > 34) {
			frac >>= n - 34;
			n = 34;
		}
		ns = (frac * UINT64_C(1000000000)) >> n;
	} else {
		if (n > 19)
			n = 19;
		sec = units / pow10[n];
		frac = units % pow10[n];
		ns = n <= 9 ? frac * pow10[9 - n] : frac / pow10[n - 9];
	}
	s = sec > (uint64_t)max_sec ? max_sec : (int64_t)sec;
	if (tsoffset > 0)
		s = s > max_sec - tsoffset ? max_sec : s + tsoffset;
	else if (tsoffset < 0)
		s = s + tsoffset < 0 ? 0 : s + tsoffset; /* s >= 0, so no overflow */
	if (s < 0)
		s = 0;
	return s * TLSD_NS_PER_SEC + (tlsd_time_ns)ns;
}

/* Sets the sticky error "pcapng block at offset N (type T): msg" and
 * returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(struct tlsd_pcapng *ng, char *err,
						      uint32_t type, const char *fmt, ...)
{
	char msg[TLSD_PCAPNG_ERRLEN];
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w < 0)
		msg[0] = '\0';
	w = snprintf(ng->errmsg, sizeof(ng->errmsg), "pcapng block at offset %" PRIu64 " (type 0x%08" PRIx32 "): %s",
		     ng->off, type, msg);
	if (w < 0)
		ng->errmsg[0] = '\0';
	ng->failed = true;
	memcpy(err, ng->errmsg, sizeof(ng->errmsg));
	return -1;
}

/* Makes at least `need` unread bytes available. Returns 1, 0 when the
 * input ended first (fewer bytes are left in the buffer), or -errno. */
static int fill(struct tlsd_pcapng *ng, size_t need)
{
	if (ng->end - ng->start >= need)
		return 1;
	if (ng->cap - ng->start < need || ng->cap - ng->end < READ_BUF / 4) {
		/* Move the unread bytes to the front; grow for a large block. */
		size_t have = ng->end - ng->start;

		if (ng->start)
			memmove(ng->buf, ng->buf + ng->start, have);
		ng->start = 0;
		ng->end = have;
		if (ng->cap < need) {
			uint8_t *nb = realloc(ng->buf, need + READ_BUF);

			if (!nb)
				return -ENOMEM;
			ng->buf = nb;
			ng->cap = need + READ_BUF;
		}
	}
	while (ng->end - ng->start < need && !ng->eof) {
		ssize_t n = ng->read(ng->ud, ng->buf + ng->end, ng->cap - ng->end);

		if (n < 0)
			return (int)n;
		if (n == 0)
			ng->eof = true;
		ng->end += (size_t)n;
	}
	return ng->end - ng->start >= need ? 1 : 0;
}

static bool get16(const struct tlsd_pcapng *ng, struct tlsd_cur *c, uint16_t *v)
{
	return ng->le ? tlsd_cur_get_u16le(c, v) : tlsd_cur_get_u16(c, v);
}

static bool get32(const struct tlsd_pcapng *ng, struct tlsd_cur *c, uint32_t *v)
{
	return ng->le ? tlsd_cur_get_u32le(c, v) : tlsd_cur_get_u32(c, v);
}

static bool get64(const struct tlsd_pcapng *ng, struct tlsd_cur *c, uint64_t *v)
{
	struct tlsd_cur copy = *c;
	uint32_t a, b;

	if (!get32(ng, &copy, &a) || !get32(ng, &copy, &b))
		return false;
	*v = ng->le ? ((uint64_t)b << 32 | a) : ((uint64_t)a << 32 | b);
	*c = copy;
	return true;
}

/* One option of an option list; false at the end or on a malformed one
 * (*bad set). */
struct opt {
	uint16_t code;
	struct tlsd_cur val;
};

static bool next_opt(const struct tlsd_pcapng *ng, struct tlsd_cur *opts, struct opt *o, bool *bad)
{
	struct tlsd_cur c = *opts;
	uint16_t code, len;

	*bad = false;
	if (tlsd_cur_len(&c) < 4)
		return false; /* no more options (a short tail is padding) */
	if (!get16(ng, &c, &code) || !get16(ng, &c, &len))
		return false;
	if (code == OPT_ENDOFOPT)
		return false;
	if (!tlsd_cur_get_bytes(&c, &o->val, len) ||
	    !tlsd_cur_skip(&c, (4u - (len & 3u)) & 3u)) {
		*bad = true;
		return false;
	}
	o->code = code;
	*opts = c;
	return true;
}

/* Walks a whole option list; the first comment (if wanted) is returned. */
static bool scan_comment(const struct tlsd_pcapng *ng, struct tlsd_cur opts,
			 struct tlsd_cur *comment)
{
	struct opt o;
	bool bad, got = false;

	while (next_opt(ng, &opts, &o, &bad)) {
		if (o.code == OPT_COMMENT && !got && comment) {
			*comment = o.val;
			got = true;
		}
	}
	return !bad;
}

static int read_shb(struct tlsd_pcapng *ng, struct tlsd_cur body, char *err)
{
	uint16_t major, minor;
	uint64_t section_len;

	/* byte order already read by the caller */
	if (!get16(ng, &body, &major) || !get16(ng, &body, &minor) ||
	    !get64(ng, &body, &section_len))
		return fail(ng, err, TLSD_PCAPNG_SHB, "section header too short");
	(void)section_len; /* read sequentially: the length is not needed */
	if (major != 1)
		return fail(ng, err, TLSD_PCAPNG_SHB, "pcapng version %u.%u is not supported",
			    major, minor);
	if (!scan_comment(ng, body, NULL))
		return fail(ng, err, TLSD_PCAPNG_SHB, "malformed option");
	ng->n_ifaces = 0; /* a new section starts with no interfaces */
	ng->in_section = true;
	ng->st.sections++;
	return 0;
}

static int read_idb(struct tlsd_pcapng *ng, struct tlsd_cur body,
				      struct tlsd_pcapng_event *ev, char *err)
{
	struct tlsd_pcapng_iface ifc = {.tsresol = TSRESOL_DEFAULT};
	uint16_t linktype, reserved;
	bool bad, have_resol = false, have_off = false, have_name = false;
	struct opt o;

	if (!get16(ng, &body, &linktype) || !get16(ng, &body, &reserved) ||
	    !get32(ng, &body, &ifc.snaplen))
		return fail(ng, err, TLSD_PCAPNG_IDB, "interface description too short");
	ifc.linktype = linktype;
	ifc.dlt = tlsd_pcapng_linktype_to_dlt(linktype);
	while (next_opt(ng, &body, &o, &bad)) {
		uint8_t r;
		uint64_t off;

		switch (o.code) {
		case IF_NAME:
			if (have_name)
				break;
			have_name = true;
			{
				/* a C string: it ends at the first NUL anyway */
				size_t n = TLSD_MIN(tlsd_cur_len(&o.val), sizeof(ifc.name) - 1);

				if (tlsd_cur_copy(&o.val, (uint8_t *)ifc.name, n))
					ifc.name[n] = '\0';
			}
			break;
		case IF_TSRESOL:
			if (have_resol)
				break;
			if (tlsd_cur_len(&o.val) != 1 || !tlsd_cur_get_u8(&o.val, &r))
				return fail(ng, err, TLSD_PCAPNG_IDB, "if_tsresol option of %zu bytes",
					    tlsd_cur_len(&o.val));
			if ((r & 0x80u) ? (r & 0x7fu) > 63 : r > 19)
				return fail(ng, err, TLSD_PCAPNG_IDB,
					    "time stamp resolution %s%u is not supported",
					    (r & 0x80u) ? "2^-" : "10^-", r & 0x7fu);
			ifc.tsresol = r;
			have_resol = true;
			break;
		case IF_TSOFFSET:
			if (have_off)
				break;
			if (tlsd_cur_len(&o.val) != 8 || !get64(ng, &o.val, &off))
				return fail(ng, err, TLSD_PCAPNG_IDB, "if_tsoffset option of %zu bytes",
					    tlsd_cur_len(&o.val));
			ifc.tsoffset = (int64_t)off;
			have_off = true;
			break;
		default:
			break;
		}
	}
	if (bad)
		return fail(ng, err, TLSD_PCAPNG_IDB, "malformed option");
	if (ng->n_ifaces >= TLSD_PCAPNG_MAX_IFACES)
		return fail(ng, err, TLSD_PCAPNG_IDB,
			    "more than %u interfaces in one section (tlsdiag's limit)",
			    TLSD_PCAPNG_MAX_IFACES);
	if (ng->n_ifaces == ng->alloc_ifaces) {
		uint32_t n = ng->alloc_ifaces ? ng->alloc_ifaces * 2 : 4;
		struct tlsd_pcapng_iface *a = realloc(ng->ifaces, n * sizeof(*a));

		if (!a)
			return fail(ng, err, TLSD_PCAPNG_IDB, "out of memory");
		ng->ifaces = a;
		ng->alloc_ifaces = n;
	}
	ng->ifaces[ng->n_ifaces] = ifc;
	ev->kind = TLSD_PCAPNG_INTERFACE;
	ev->iface = ng->n_ifaces++;
	return 1;
}

/* The packet data and options that follow a packet block's fixed part. */
static int packet_tail(struct tlsd_pcapng *ng, uint32_t type,
					 struct tlsd_cur body, uint32_t caplen,
					 struct tlsd_pcapng_packet *pkt, char *err)
{
	struct tlsd_cur data, comment = {0};

	if (!tlsd_cur_get_bytes(&body, &data, caplen))
		return fail(ng, err, type, "captured length %" PRIu32 " is larger than the block",
			    caplen);
	/* the padding to 4 bytes (a writer that left it out has no options) */
	if (!tlsd_cur_skip(&body, (4u - (caplen & 3u)) & 3u))
		tlsd_cur_init(&body, NULL, 0);
	if (!scan_comment(ng, body, &comment))
		return fail(ng, err, type, "malformed option");
	pkt->caplen = caplen;
	pkt->data = tlsd_cur_data(&data);
	/* A string option ends at a NUL, as Wireshark reads it (some writers
	 * count padding or garbage after it). */
	if (tlsd_cur_len(&comment)) {
		const uint8_t *nul = memchr(tlsd_cur_data(&comment), 0, tlsd_cur_len(&comment));

		if (nul)
			tlsd_cur_init(&comment, tlsd_cur_data(&comment),
				      (size_t)(nul - tlsd_cur_data(&comment)));
	}
	pkt->comment = tlsd_cur_len(&comment) ? tlsd_cur_data(&comment) : NULL;
	pkt->comment_len = (uint16_t)tlsd_cur_len(&comment);
	return 1;
}

static int read_packet(struct tlsd_pcapng *ng, uint32_t type,
					 struct tlsd_cur body, struct tlsd_pcapng_event *ev,
					 char *err)
{
	struct tlsd_pcapng_packet pkt = {0};
	const struct tlsd_pcapng_iface *ifc;
	uint32_t iface = 0, hi = 0, lo = 0, caplen, wirelen;

	if (type == TLSD_PCAPNG_EPB) {
		if (!get32(ng, &body, &iface) || !get32(ng, &body, &hi) || !get32(ng, &body, &lo) ||
		    !get32(ng, &body, &caplen) || !get32(ng, &body, &wirelen))
			return fail(ng, err, type, "enhanced packet block too short");
	} else if (type == TLSD_PCAPNG_PB) {
		uint16_t if16, drops;

		if (!get16(ng, &body, &if16) || !get16(ng, &body, &drops) ||
		    !get32(ng, &body, &hi) || !get32(ng, &body, &lo) ||
		    !get32(ng, &body, &caplen) || !get32(ng, &body, &wirelen))
			return fail(ng, err, type, "packet block too short");
		iface = if16;
	} else { /* SPB: interface 0, no time stamp, caplen from the snaplen */
		if (!get32(ng, &body, &wirelen))
			return fail(ng, err, type, "simple packet block too short");
		caplen = wirelen;
	}
	ifc = tlsd_pcapng_iface(ng, iface);
	if (!ifc)
		return fail(ng, err, type,
			    "packet for interface %" PRIu32 ", but the section defines %" PRIu32
			    " interface%s",
			    iface, ng->n_ifaces, ng->n_ifaces == 1 ? "" : "s");
	if (type == TLSD_PCAPNG_SPB) {
		if (ifc->snaplen && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
	} else {
		pkt.ts = tlsd_pcapng_ts_ns((uint64_t)hi << 32 | lo, ifc->tsresol, ifc->tsoffset);
	}
	pkt.iface = iface;
	pkt.wirelen = wirelen;
	if (packet_tail(ng, type, body, caplen, &pkt, err) < 0)
		return -1;
	ng->st.packets++;
	ev->kind = TLSD_PCAPNG_PACKET;
	ev->pkt = pkt;
	return 1;
}

static int read_dsb(struct tlsd_pcapng *ng, struct tlsd_cur body,
				      struct tlsd_pcapng_event *ev, char *err)
{
	struct tlsd_cur data;
	uint32_t stype, slen;

	if (!get32(ng, &body, &stype) || !get32(ng, &body, &slen))
		return fail(ng, err, TLSD_PCAPNG_DSB, "decryption secrets block too short");
	if (!tlsd_cur_get_bytes(&body, &data, slen))
		return fail(ng, err, TLSD_PCAPNG_DSB,
			    "secrets length %" PRIu32 " is larger than the block", slen);
	ng->st.secrets++;
	ev->kind = TLSD_PCAPNG_SECRETS;
	ev->secrets_type = stype;
	ev->secrets = tlsd_cur_data(&data);
	ev->secrets_len = slen;
	return 1;
}

/* A read error, or -2 for -EAGAIN: no input yet, nothing consumed (a
 * block is only consumed once whole, so the next call starts it again). */
static int io_fail(struct tlsd_pcapng *ng, char *err, int r)
{
	if (r == -EAGAIN)
		return -2;
	return fail(ng, err, 0, "read error: %s", strerror(-r));
}

/* Reads one block header and makes the whole block available. Returns 1
 * with *type, *len set, 0 at a clean end, -2 for no input yet, or -1
 * after fail(). */
static int block_start(struct tlsd_pcapng *ng, uint32_t *type, uint32_t *len, char *err)
{
	struct tlsd_cur c;
	uint32_t t, l, bom;
	int r = fill(ng, 8);

	if (r < 0)
		return io_fail(ng, err, r);
	if (r == 0) {
		size_t have = ng->end - ng->start;

		if (have == 0 && ng->in_section)
			return 0;
		if (have == 0)
			return fail(ng, err, 0, "empty file");
		return fail(ng, err, 0, "the file ends inside a block header (%zu of 8 bytes)",
			    have);
	}
	tlsd_cur_init(&c, ng->buf + ng->start, ng->end - ng->start);
	if (!tlsd_cur_get_u32(&c, &t)) /* the SHB type reads alike in both orders */
		return fail(ng, err, 0, "internal: short header");
	if (t == TLSD_PCAPNG_SHB) {
		r = fill(ng, 12);
		if (r < 0)
			return io_fail(ng, err, r);
		tlsd_cur_init(&c, ng->buf + ng->start, ng->end - ng->start);
		if (r == 0 || !tlsd_cur_skip(&c, 8) || !tlsd_cur_get_u32(&c, &bom))
			return fail(ng, err, t, "the file ends inside a section header");
		if (bom == TLSD_PCAPNG_BOM)
			ng->le = false;
		else if (bom == 0x4D3C2B1Au)
			ng->le = true;
		else
			return fail(ng, err, t, "bad byte-order magic 0x%08" PRIx32, bom);
		tlsd_cur_init(&c, ng->buf + ng->start + 4, 4);
	} else {
		if (!ng->in_section)
			return fail(ng, err, t, "not a pcapng file (no section header block first)");
		if (ng->le)
			t = (t >> 24) | ((t >> 8) & 0xff00u) | ((t << 8) & 0xff0000u) | (t << 24);
	}
	if (!get32(ng, &c, &l))
		return fail(ng, err, t, "internal: short header");
	if (l < 12 || (l & 3u) != 0)
		return fail(ng, err, t, "bad block length %" PRIu32 " (at least 12, a multiple of 4)",
			    l);
	if (l > TLSD_PCAPNG_MAX_BLOCK)
		return fail(ng, err, t, "block length %" PRIu32 " is over tlsdiag's limit of %u", l,
			    TLSD_PCAPNG_MAX_BLOCK);
	r = fill(ng, l);
	if (r < 0)
		return io_fail(ng, err, r);
	if (r == 0)
		return fail(ng, err, t, "the file ends inside the block (%zu of %" PRIu32 " bytes)",
			    ng->end - ng->start, l);
	*type = t;
	*len = l;
	return 1;
}

/* One block: 1 with *ev filled, 0 when it gives the caller nothing (SHB,
 * skipped blocks), 2 at the clean end, 3 for no input yet, -1 on error. */
static int read_block(struct tlsd_pcapng *ng, struct tlsd_pcapng_event *ev, char *err)
{
	struct tlsd_cur blk, body;
	uint32_t type = 0, len = 0, trailer;
	int r = block_start(ng, &type, &len, err);

	if (r == -2)
		return 3;
	if (r <= 0)
		return r < 0 ? -1 : 2;
	tlsd_cur_init(&blk, ng->buf + ng->start, len);
	if (!tlsd_cur_skip(&blk, 8) || !tlsd_cur_get_bytes(&blk, &body, len - 12) ||
	    !get32(ng, &blk, &trailer))
		return fail(ng, err, type, "internal: short block");
	if (trailer != len)
		return fail(ng, err, type,
			    "block lengths differ (%" PRIu32 " at the start, %" PRIu32 " at the end)",
			    len, trailer);
	switch (type) {
	case TLSD_PCAPNG_SHB:
		r = tlsd_cur_skip(&body, 4) /* the byte-order magic, read already */
			    ? read_shb(ng, body, err)
			    : fail(ng, err, type, "section header too short");
		break;
	case TLSD_PCAPNG_IDB:
		r = read_idb(ng, body, ev, err);
		break;
	case TLSD_PCAPNG_EPB:
	case TLSD_PCAPNG_PB:
	case TLSD_PCAPNG_SPB:
		r = read_packet(ng, type, body, ev, err);
		break;
	case TLSD_PCAPNG_DSB:
		r = read_dsb(ng, body, ev, err);
		break;
	default: /* NRB, ISB, custom, journal, unknown: skipped */
		ng->st.skipped++;
		r = 0;
		break;
	}
	if (r < 0)
		return -1;
	/* The block is consumed; its bytes stay in the buffer until the next
	 * call, so the views handed out remain valid until then. */
	ng->st.blocks++;
	ng->start += len;
	ng->off += len;
	return r;
}

enum tlsd_pcapng_kind tlsd_pcapng_next(struct tlsd_pcapng *ng, struct tlsd_pcapng_event *ev,
				       char *err)
{
	int r;

	if (ng->failed) {
		memcpy(err, ng->errmsg, sizeof(ng->errmsg));
		return TLSD_PCAPNG_ERROR;
	}
	while ((r = read_block(ng, ev, err)) == 0)
		;
	if (r < 0)
		return TLSD_PCAPNG_ERROR;
	if (r == 2) {
		ev->kind = TLSD_PCAPNG_END;
		return TLSD_PCAPNG_END;
	}
	if (r == 3) {
		ev->kind = TLSD_PCAPNG_AGAIN;
		return TLSD_PCAPNG_AGAIN;
	}
	return ev->kind;
}
