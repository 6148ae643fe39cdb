/* Reader of classic pcap files (the libpcap savefile format,
 * pcap-savefile(5)): files, pipes, standard input and gzip's output alike,
 * through a read callback into one buffer it owns. Records are handed over
 * where they lie in that buffer: libpcap's reader copies every record a
 * second time, from its stdio buffer into its packet buffer, and costs a
 * function call chain per record; on a 1 GB capture that was a third of
 * the time of reading it.
 *
 * Every record is handled as libpcap 1.10 hands it over (sf-pcap.c),
 * messages included, so a file reads the same whichever reader takes it: a
 * record longer than the file's snapshot length is cut to it, one longer
 * than 262,144 bytes is an error, a truncated record is "truncated dump
 * file; ...", and in a LINUX_SLL/SLL2 file of the other byte order the
 * CAN ID of a SocketCAN frame is byte-swapped (in our own buffer). Only the
 * common, unambiguous layouts are taken: magic
 * a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds) in either byte order,
 * version 2.4, a link type the caller decodes, no FCS bits. The rest (old
 * versions whose length fields may be swapped, Kuznetzov's patched record
 * headers) is left to libpcap. Nothing here logs. */
#ifndef TLSD_PCAPFILE_H
#define TLSD_PCAPFILE_H

#include "tlsd/common.h"
#include "tlsd/pcapng.h" /* tlsd_pcapng_read_fn */

#define TLSD_PCAPFILE_HDR_LEN 24u
/* libpcap's MAXIMUM_SNAPLEN: the largest record it accepts for the link
 * types we decode, and the snapshot length of a file that gives 0. */
#define TLSD_PCAPFILE_MAX_CAPLEN 262144u
#define TLSD_PCAPFILE_ERRLEN 256u

struct tlsd_pcapfile;

struct tlsd_pcapfile_packet {
	/* The time stamp as libpcap 1.10 returns it: seconds and fraction
	 * from 32-bit fields (signed in host byte order, unsigned swapped),
	 * the fraction in nanoseconds (microsecond files scaled), neither
	 * range-checked. */
	int64_t sec;
	int64_t frac_ns;
	uint32_t caplen; /* bytes at data: never above the snapshot length */
	uint32_t wirelen;
	const uint8_t *data; /* valid until the next tlsd_pcapfile_next() */
};

enum tlsd_pcapfile_status {
	TLSD_PCAPFILE_PACKET = 0,
	TLSD_PCAPFILE_END,
	TLSD_PCAPFILE_ERROR, /* err filled; the same error from then on */
	/* The read callback returned -EAGAIN (no input yet): nothing was
	 * consumed, call again. */
	TLSD_PCAPFILE_AGAIN,
};

/* hdr: the first hdr_len bytes of the input. Returns 1 and a reader when
 * they are a file header this reader takes, with `read` delivering the
 * bytes that follow the TLSD_PCAPFILE_HDR_LEN header bytes; 0 when the
 * input is for another reader (nothing allocated); -ENOMEM. dlt_ok says
 * which link types (libpcap DLT_ values) the caller decodes. */
TLSD_MUST_USE int tlsd_pcapfile_new(struct tlsd_pcapfile **out, const uint8_t *hdr, size_t hdr_len,
				    bool (*dlt_ok)(int dlt), tlsd_pcapng_read_fn read, void *ud);
TLSD_MUST_USE enum tlsd_pcapfile_status tlsd_pcapfile_next(struct tlsd_pcapfile *pf,
							   struct tlsd_pcapfile_packet *pkt,
							   char *err);
/* Shared buffers, for worker threads that read the records' bytes after
 * the reader moved on (workers.h): the reader reads into n buffers in
 * turn instead of one, and before it reads into buffer k again it calls
 * reuse(ud, k), which returns once no one reads buffer k's records any
 * more; reuse(ud, -1) at tlsd_pcapfile_free(): none of them. The records
 * then stay valid until that call for their buffer, not only until the
 * next tlsd_pcapfile_next(). Call before the first record; returns 0,
 * -EINVAL or -ENOMEM (then nothing changed). */
#define TLSD_PCAPFILE_MAX_SHARED 64u
typedef void (*tlsd_pcapfile_reuse_fn)(void *ud, int buffer);
TLSD_MUST_USE int tlsd_pcapfile_share(struct tlsd_pcapfile *pf, unsigned n,
				      tlsd_pcapfile_reuse_fn reuse, void *ud);
/* The shared buffer the last record lies in, or -1 when not shared. */
int tlsd_pcapfile_slab(const struct tlsd_pcapfile *pf);
/* The DLT_ value of the file's link type. */
int tlsd_pcapfile_dlt(const struct tlsd_pcapfile *pf);
/* The snapshot length libpcap would report (pcap_snapshot()). */
uint32_t tlsd_pcapfile_snaplen(const struct tlsd_pcapfile *pf);
/* NULL is ignored. Does not close the input. */
void tlsd_pcapfile_free(struct tlsd_pcapfile *pf);

#endif
