/* Capture front end: files (pcap and pcapng through our own readers, old
 * pcap variants through libpcap; gzip-compressed or not, nanosecond
 * precision, stdin and pipes)
 * and live interfaces (libpcap), BPF filters, record-header sanity checks. */
#ifndef TLSD_CAPTURE_H
#define TLSD_CAPTURE_H

#include "tlsd/common.h"

struct tlsd_capture; /* opaque; wraps one pcap_t, or our pcap or pcapng reader */
struct tlsd_keylog;

/* One captured frame. `data`, `iface` and `comment` are borrowed and valid
 * only until the next tlsd_capture_next() on the same capture. */
struct tlsd_frame {
	tlsd_time_ns ts;
	uint32_t caplen; /* bytes in data */
	uint32_t wirelen;
	int dlt;         /* each frame its own: pcapng interfaces differ */
	const uint8_t *data;
	const char *iface;      /* pcapng if_name of the frame's interface, or NULL */
	const uint8_t *comment; /* pcapng opt_comment (not NUL-terminated), or NULL */
	uint16_t comment_len;
	/* 0: data is valid until the next tlsd_capture_next() only; k + 1:
	 * it lies in shared buffer k (tlsd_capture_share_buffers) and stays
	 * valid until that buffer is reused. */
	uint16_t shared_buffer;
	/* The stamp as recorded in the file, when ts is not it: a stray stamp
	 * seen at the capture clock's time (stamp_guard.h). -w keeps it. */
	bool restamped;
	tlsd_time_ns recorded_ts;
};

/* Kernel capture buffer of a live capture when -B is not given: 32 MiB
 * instead of libpcap's 2 MiB. Linux TPACKET_V3 cuts the ring into blocks
 * of 256 KiB (one maximum snapshot), so 2 MiB is only 8 blocks, and a
 * stall of the one analysis thread of a few milliseconds (a burst of
 * certificate checks, another process on the core) overflows it. 32 MiB is
 * 128 blocks: about 2.7 s of traffic at 100 Mbit/s, 0.27 s at 1 Gbit/s.
 * Bounded because it is unswappable kernel memory per capture (libpcap
 * shrinks the ring when the kernel refuses that much); -B overrides it. */
#define TLSD_LIVE_BUFFER_KIB_DEFAULT (32 * 1024)

struct tlsd_live_opts {
	const char *iface;
	int snaplen;       /* 0: TLSD_DEFAULT_SNAPLEN */
	bool promisc;
	int buffer_kib;    /* 0: TLSD_LIVE_BUFFER_KIB_DEFAULT */
	/* true: every packet handed over as it arrives (on Linux libpcap then
	 * uses a TPACKET_V2 ring: a fixed-size slot and a wakeup per packet).
	 * false: TPACKET_V3, whose blocks are handed over whole, full or at the
	 * read timeout (LIVE_TIMEOUT_MS in capture.c). */
	bool immediate;
	/* fanout: join PACKET_FANOUT group fanout_group (Linux) in flow-hash mode,
	 * fragments defragmented first: the kernel gives each flow to one of
	 * the sockets of the group, both directions to the same one (its flow
	 * hash is symmetric), so processes with the same group split the
	 * interface's connections between them. */
	bool fanout;
	uint16_t fanout_group;
};

/* All functions fill err (size TLSD_CAPTURE_ERRLEN) on failure with a message
 * ready to print after "tlsdiag: ", naming the file or interface. */
#define TLSD_CAPTURE_ERRLEN 512

/* path "-" reads standard input. filter may be NULL. */
TLSD_MUST_USE int tlsd_capture_open_file(struct tlsd_capture **out, const char *path,
					 const char *filter, char *err);
/* Returns 0 on success; on success `warn` may hold a libpcap warning
 * (empty string when none). */
TLSD_MUST_USE int tlsd_capture_open_live(struct tlsd_capture **out,
					 const struct tlsd_live_opts *opts,
					 const char *filter, char *err, char *warn);

struct tlsd_file_opts {
	const char *filter;          /* BPF filter, or NULL */
	/* Where the TLS key logs of pcapng Decryption Secrets Blocks go (as
	 * --keylog's), or NULL to ignore them. Must outlive the capture. */
	struct tlsd_keylog *secrets;
};

/* tlsd_capture_open_file() with options. */
TLSD_MUST_USE int tlsd_capture_open_file_opts(struct tlsd_capture **out, const char *path,
					      const struct tlsd_file_opts *opts, char *err);
void tlsd_capture_close(struct tlsd_capture *cap);

enum tlsd_capture_status {
	TLSD_CAPTURE_FRAME = 0, /* *frame filled */
	TLSD_CAPTURE_END,       /* end of file */
	/* live: no packet in this read timeout; a pipe: no input for 0.1 s
	 * (pcap and pcapng; libpcap's old pcap variants block); call again */
	TLSD_CAPTURE_TIMEOUT,
	TLSD_CAPTURE_STOPPED,   /* tlsd_capture_break() was called */
	TLSD_CAPTURE_ERROR,     /* err filled: corrupt/truncated file, interface down */
	/* Files only: *frame filled for a packet the capture filter rejected.
	 * It is not analyzed, but its time stamp and its place in the file
	 * count: frame numbers stay those Wireshark shows for the file, and
	 * the capture is known to have run while it was taken (a filter must
	 * not turn a busy stretch of the file into a silence). Live filters
	 * run in the kernel, which hands over matching packets only. */
	TLSD_CAPTURE_FILTERED,
};

/* Reads the next frame. Record headers with caplen > wirelen or caplen
 * above the snaplen are clamped (never trusted) and counted; see
 * tlsd_capture_bad_headers(). frame->caplen never exceeds the bytes libpcap
 * returned. */
TLSD_MUST_USE enum tlsd_capture_status tlsd_capture_next(struct tlsd_capture *cap,
							 struct tlsd_frame *frame,
							 char *err);
/* Worker threads read the frames' bytes after the reader moved on: a
 * capture that can keeps them in n buffers used in turn (our pcap reader),
 * calls reuse(ud, k) before it reads into buffer k again (it returns once
 * no one reads buffer k any more), and reuse(ud, -1) at
 * tlsd_capture_close(). Call before the first frame. False: the capture
 * cannot (live, pcapng, libpcap's variants) or no memory; its frames are
 * valid until the next call only, as always. */
typedef void (*tlsd_capture_reuse_fn)(void *ud, int buffer);
bool tlsd_capture_share_buffers(struct tlsd_capture *cap, unsigned n, tlsd_capture_reuse_fn reuse,
				void *ud);
/* Record headers that had to be clamped so far (caplen > wirelen or caplen
 * above the snapshot length). Add it to TLSD_ANOM_PKT_BAD_PKTHDR. */
uint64_t tlsd_capture_bad_headers(const struct tlsd_capture *cap);
/* Async-signal-safe: only calls pcap_breakloop(). */
void tlsd_capture_break(struct tlsd_capture *cap);
/* The link type (pcapng: of the first interface; -1 when the file has
 * none). */
int tlsd_capture_dlt(const struct tlsd_capture *cap);
/* The number of the section the last frame came from: pcapng files may be
 * concatenated (`cat a.pcapng b.pcapng`), each a section with a Section
 * Header Block; 1 for every other input. */
uint64_t tlsd_capture_section(const struct tlsd_capture *cap);
/* Live only: kernel counters. Returns -1 when unavailable. */
int tlsd_capture_stats(struct tlsd_capture *cap, uint64_t *received, uint64_t *dropped,
		       uint64_t *if_dropped);
/* pcapng: Decryption Secrets Blocks whose TLS key log went into the key log
 * so far. */
uint64_t tlsd_capture_secrets_blocks(const struct tlsd_capture *cap);
/* Lists interfaces like `tcpdump -D` onto stdout. Returns 0 or -1 (err filled). */
TLSD_MUST_USE int tlsd_capture_list_interfaces(char *err);

#endif
