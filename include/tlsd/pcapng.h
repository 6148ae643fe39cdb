/* Native pcapng reader (draft-ietf-opsawg-pcapng): block by block through
 * the bounds-checked cursor, either byte order, several sections per file,
 * each with its own interfaces, and each interface with its own link type,
 * snapshot length and time resolution (if_tsresol, if_tsoffset). libpcap
 * 1.10 refuses files whose interfaces have different link types; Wireshark
 * writes them whenever it captures on several interfaces.
 *
 * Blocks handled: Section Header (SHB), Interface Description (IDB),
 * Enhanced Packet (EPB), Simple Packet (SPB), the obsolete Packet Block (PB)
 * and Decryption Secrets (DSB, handed to the caller). Name Resolution,
 * Interface Statistics, custom and unknown blocks are skipped.
 *
 * The reader pulls bytes through a read callback into one buffer it owns
 * (capped at TLSD_PCAPNG_MAX_BLOCK plus one read), so it reads files,
 * pipes, standard input and a gzip child alike. A block with an impossible
 * length, a truncated block, or a packet for an undefined interface is an
 * error naming the block's file offset; what was returned before stays
 * valid, and the reader returns the same error from then on. Nothing here
 * logs. */
#ifndef TLSD_PCAPNG_H
#define TLSD_PCAPNG_H

#include <sys/types.h>

#include "tlsd/common.h"

#define TLSD_PCAPNG_SHB 0x0A0D0D0Au
#define TLSD_PCAPNG_IDB 0x00000001u
#define TLSD_PCAPNG_PB 0x00000002u  /* obsolete Packet Block */
#define TLSD_PCAPNG_SPB 0x00000003u
#define TLSD_PCAPNG_NRB 0x00000004u
#define TLSD_PCAPNG_ISB 0x00000005u
#define TLSD_PCAPNG_EPB 0x00000006u
#define TLSD_PCAPNG_DSB 0x0000000Au
#define TLSD_PCAPNG_BOM 0x1A2B3C4Du
#define TLSD_PCAPNG_SECRETS_TLS 0x544c534bu /* 'TLSK': an NSS key log */

#define TLSD_PCAPNG_MAX_BLOCK (16u << 20) /* larger blocks are an error */
#define TLSD_PCAPNG_MAX_IFACES 1024u     /* interfaces in one section */
#define TLSD_PCAPNG_NAME_MAX 128u        /* if_name bytes kept, NUL included */
#define TLSD_PCAPNG_ERRLEN 256u

/* Reads up to n bytes into buf. Returns the number read (0 only at the end
 * of the input) or a negative errno; -EAGAIN means no input for now, not
 * an error (the readers return their AGAIN status and go on at the next
 * call). */
typedef ssize_t (*tlsd_pcapng_read_fn)(void *ud, uint8_t *buf, size_t n);

struct tlsd_pcapng_iface {
	uint16_t linktype;  /* LINKTYPE_ value, as in the file */
	int dlt;            /* the libpcap DLT_ value for it */
	uint32_t snaplen;   /* 0: none given */
	uint8_t tsresol;    /* if_tsresol: 10^-n, or 2^-n with the top bit set */
	int64_t tsoffset;   /* if_tsoffset: seconds added to every time stamp */
	char name[TLSD_PCAPNG_NAME_MAX]; /* if_name as in the file, cut at a NUL or
					  * at TLSD_PCAPNG_NAME_MAX - 1; "" when absent */
};

enum tlsd_pcapng_kind {
	TLSD_PCAPNG_PACKET = 0, /* ev->pkt */
	TLSD_PCAPNG_INTERFACE,  /* ev->iface: a new interface was defined */
	TLSD_PCAPNG_SECRETS,    /* ev->secrets_* from a Decryption Secrets Block */
	TLSD_PCAPNG_END,        /* clean end of the input */
	TLSD_PCAPNG_ERROR,      /* err filled */
	/* The read callback returned -EAGAIN (no input yet): nothing was
	 * consumed, call again. */
	TLSD_PCAPNG_AGAIN,
};

struct tlsd_pcapng_packet {
	uint32_t iface;        /* index in the current section */
	tlsd_time_ns ts;       /* ns since the epoch; 0 for SPB (no time stamp) */
	uint32_t caplen;       /* bytes at data, as the block says */
	uint32_t wirelen;      /* original length, as the block says */
	const uint8_t *data;   /* valid until the next tlsd_pcapng_next() */
	const uint8_t *comment; /* first opt_comment up to a NUL, or NULL; not
				 * NUL-terminated */
	uint16_t comment_len;
};

struct tlsd_pcapng_event {
	enum tlsd_pcapng_kind kind;
	struct tlsd_pcapng_packet pkt;
	uint32_t iface;
	uint32_t secrets_type;
	const uint8_t *secrets; /* valid until the next tlsd_pcapng_next() */
	uint32_t secrets_len;
};

struct tlsd_pcapng_stats {
	uint64_t blocks;        /* blocks read, of every type */
	uint64_t sections;      /* Section Header Blocks */
	uint64_t packets;       /* EPB + SPB + PB */
	uint64_t secrets;       /* Decryption Secrets Blocks */
	uint64_t skipped;       /* NRB, ISB, custom and unknown blocks */
	uint64_t offset;        /* file offset of the next block */
};

struct tlsd_pcapng;

/* True when these first bytes (at least 4) start a pcapng file. */
bool tlsd_pcapng_magic(const uint8_t *p, size_t len);

/* A reader over `read` (called with ud). NULL on OOM. */
TLSD_MUST_USE struct tlsd_pcapng *tlsd_pcapng_new(tlsd_pcapng_read_fn read, void *ud);
void tlsd_pcapng_free(struct tlsd_pcapng *ng);

/* The next event. ERROR fills err (TLSD_PCAPNG_ERRLEN bytes) with a message
 * naming the block's offset, and *ev is left untouched. */
TLSD_MUST_USE enum tlsd_pcapng_kind tlsd_pcapng_next(struct tlsd_pcapng *ng,
						     struct tlsd_pcapng_event *ev, char *err);

/* Interface `idx` of the current section, or NULL. */
const struct tlsd_pcapng_iface *tlsd_pcapng_iface(const struct tlsd_pcapng *ng, uint32_t idx);
uint32_t tlsd_pcapng_iface_count(const struct tlsd_pcapng *ng);
void tlsd_pcapng_get_stats(const struct tlsd_pcapng *ng, struct tlsd_pcapng_stats *out);
/* Section Header Blocks read so far (asked for every frame: no copy). */
uint64_t tlsd_pcapng_sections(const struct tlsd_pcapng *ng);

/* LINKTYPE_ (file) value to libpcap DLT_ value (libpcap's linktype_to_dlt,
 * which is not exported). */
int tlsd_pcapng_linktype_to_dlt(uint16_t linktype);

/* Time stamps clamp at the last second a pcap file can hold (2106-02-07), so
 * that timeouts added to them cannot overflow; and at 0 before 1970. */
#define TLSD_PCAPNG_MAX_SEC INT64_C(4294967295)

/* A time stamp in if_tsresol units, plus if_tsoffset seconds, in ns since
 * the epoch, clamped to [0, TLSD_PCAPNG_MAX_SEC s + 999999999 ns]. */
tlsd_time_ns tlsd_pcapng_ts_ns(uint64_t units, uint8_t tsresol, int64_t tsoffset);

#endif
