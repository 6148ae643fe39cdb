/* The analysis context passed first to every stage (tcpdump's `ndo`): limits,
 * counters and the capture clock. No mutable globals anywhere else. */
#ifndef TLSD_CTX_H
#define TLSD_CTX_H

#include "tlsd/common.h"
#include "tlsd/limits.h"

/* Counted anomalies. Capture defects (CAPTURE_*) make verdicts inconclusive;
 * the others are things peers or packets did. X(enum suffix, "stats name"). */
#define TLSD_ANOMALY_LIST(X)                                                   \
	X(PKT_TRUNCATED_LINK, "truncated_link_header")                         \
	X(PKT_TRUNCATED_IP, "truncated_ip_header")                             \
	X(PKT_TRUNCATED_TCP, "truncated_tcp_header")                           \
	X(PKT_TRUNCATED_UDP, "truncated_udp_header")                           \
	X(PKT_BAD_IP_VERSION, "bad_ip_version")                                \
	X(PKT_BAD_IP_HDR_LEN, "bad_ip_header_length")                          \
	X(PKT_BAD_IP_TOTAL_LEN, "bad_ip_total_length")                         \
	X(PKT_BAD_TCP_HDR_LEN, "bad_tcp_header_length")                        \
	X(PKT_BAD_TCP_OPTION, "bad_tcp_option")                                \
	X(PKT_BAD_IPV6_EXT, "bad_ipv6_extension_header")                       \
	X(PKT_UNSUPPORTED_LINK, "unsupported_link_type")                       \
	X(PKT_NON_IP, "non_ip")                                                \
	X(PKT_NON_TCP, "non_tcp")                                              \
	X(PKT_UDP, "udp")                                                      \
	X(PKT_ICMP_UNREACHABLE, "icmp_unreachable")                            \
	X(PKT_BAD_PKTHDR, "bad_pcap_record_header")                            \
	X(PKT_TUNNELED, "tunneled_packets")                                    \
	X(PKT_TRUNCATED_TUNNEL, "truncated_tunnel_header")                     \
	X(PKT_BAD_TUNNEL, "bad_tunnel_header")                                 \
	X(PKT_ENCAP_DEPTH, "encapsulation_too_deep")                           \
	X(IPFRAG_NESTED, "ip_fragment_in_reassembled_datagram")                \
	X(IPFRAG_FRAGMENTS, "ip_fragments")                                    \
	X(IPFRAG_REASSEMBLED, "ip_datagrams_reassembled")                      \
	X(IPFRAG_OVERLAP, "ip_fragment_overlap")                               \
	X(IPFRAG_TIMEOUT, "ip_fragment_timeout")                               \
	X(IPFRAG_CAP, "ip_fragment_cap")                                       \
	X(IPFRAG_BAD, "ip_fragment_invalid")                                   \
	X(CAPTURE_SNAPLEN, "capture_snaplen_cut")                              \
	X(CAPTURE_GAP, "capture_gap")                                          \
	X(CAPTURE_MIDSTREAM, "capture_midstream")                              \
	X(CAPTURE_CAP_FLOWS, "cap_flows_evicted")                              \
	X(CAPTURE_CAP_UDP_FLOWS, "cap_udp_flows_evicted")                      \
	X(CAPTURE_CAP_REASM, "cap_reassembly_memory")                          \
	X(CAPTURE_CAP_DEPTH, "cap_depth")                                      \
	X(CAPTURE_CAP_HANDSHAKE, "cap_handshake_message")                      \
	X(CAPTURE_CAP_CHAIN, "cap_certificate_chain")                          \
	X(CAPTURE_SILENCE, "capture_silences")                                 \
	X(CAPTURE_CLOCK_BACK, "capture_clock_restarts")                        \
	X(CAPTURE_STRAY_STAMP, "capture_stray_timestamps")                     \
	X(TCP_RETRANSMIT, "tcp_retransmission")                                \
	X(TCP_INCONSISTENT_RETRANSMIT, "tcp_inconsistent_retransmission")      \
	X(TCP_OUT_OF_ORDER, "tcp_out_of_order")                                \
	X(TCP_PORT_REUSE, "tcp_port_reuse")                                    \
	X(TCP_ISN_CHANGED, "tcp_isn_changed")                                  \
	X(TCP_AFTER_CLOSE, "tcp_packets_after_close")                          \
	X(TCP_DATA_AFTER_FIN, "tcp_data_after_fin")                            \
	X(TLS_BAD_RECORD, "tls_bad_record")                                    \
	X(TLS_RECORD_OVERFLOW, "tls_record_overflow")                          \
	X(TLS_BAD_HANDSHAKE, "tls_malformed_handshake")                        \
	X(TLS_BAD_ALERT, "tls_malformed_alert")                                \
	X(TLS_TRAILING_BYTES, "tls_trailing_bytes")                            \
	X(TLS_UNEXPECTED_MESSAGE, "tls_unexpected_message")                    \
	X(TLS_NOT_TLS, "not_tls")                                              \
	X(TLS_LOOKALIKE, "tls_lookalike_connections")

enum tlsd_anomaly {
#define TLSD_ANOMALY_ENUM_(name, str) TLSD_ANOM_##name,
	TLSD_ANOMALY_LIST(TLSD_ANOMALY_ENUM_)
#undef TLSD_ANOMALY_ENUM_
	TLSD_ANOM__COUNT
};

const char *tlsd_anomaly_name(enum tlsd_anomaly a);

struct tlsd_counters {
	uint64_t packets;    /* records read from the capture */
	uint64_t bytes;      /* on-the-wire bytes of those packets */
	uint64_t ipv4, ipv6;
	uint64_t tcp_packets, tcp_segments_with_data;
	uint64_t udp_packets;
	uint64_t flows_created, flows_tls, flows_ignored;
	uint64_t udp_flows_created, udp_migrations;
	uint64_t quic_connections, dtls_associations;
	uint64_t dtls_records, dtls_fragments; /* records; handshake fragments (not whole messages) */
	uint64_t dtls_retransmissions;         /* datagrams that carried a flight again */
	uint64_t dtls13_records;               /* DTLS 1.3 unified headers (protected) */
	uint64_t udp_muxed_other;              /* STUN, ZRTP, TURN, RTP/RTCP next to DTLS (RFC 7983) */
	uint64_t silences;            /* capture-wide silences longer than the idle timeout */
	uint64_t anomalies[TLSD_ANOM__COUNT];
};

/* A stretch of a capture file in which nothing at all was captured for
 * longer than the idle timeout (a time jump, a paused or sampled capture,
 * merged files): a discontinuity of the capture, not a timeout of the
 * connections that were waiting across it. */
struct tlsd_silence {
	tlsd_time_ns start, end; /* the packets before and after it */
};

#define TLSD_CTX_SILENCES 32 /* the most recent ones are kept */

struct tlsd_ctx {
	struct tlsd_limits lim;
	struct tlsd_counters cnt;
	tlsd_time_ns now;       /* capture clock: timestamp of the last packet */
	/* The capture clock without the capture-wide silences of a file: idle
	 * timers run on it, so they never fire across a discontinuity. Live
	 * captures have none (time passes while nothing arrives). */
	tlsd_time_ns idle_clock;
	bool clock_started;
	struct tlsd_silence silences[TLSD_CTX_SILENCES]; /* ring, cnt.silences % N */
	uint64_t silences_from; /* the first silence since the clock last restarted */
	uint64_t frame_no;      /* 1-based number of the current packet (all files) */
	size_t reasm_mem_used;  /* out-of-order bytes held, all flows */
	size_t ipfrag_mem_used; /* IP fragment bytes held */
};

void tlsd_ctx_init(struct tlsd_ctx *ctx);

/* Counters are all uint64_t: dst += src, and out = a - b (field by field). */
void tlsd_counters_add(struct tlsd_counters *dst, const struct tlsd_counters *src);
void tlsd_counters_diff(struct tlsd_counters *out, const struct tlsd_counters *a,
			const struct tlsd_counters *b);

/* Moves the clocks to a packet's time ts. A file (live false) that was
 * silent for longer than the idle timeout before ts records a silence and
 * the idle clock does not move across it. Time never runs backwards: a
 * packet stamped earlier (a clock step, a stray time stamp, merged
 * interfaces) leaves the clocks where they are and is seen at that time. */
void tlsd_ctx_advance(struct tlsd_ctx *ctx, tlsd_time_ns ts, bool live);

/* Whether the first packet of a file (or of a pcapng section: files joined
 * with cat), stamped ts, restarts the clock: it is more than
 * TLSD_CTX_RESTART_NS earlier than the last packet of the files before.
 * Files that follow each other (rotated captures) never step back; these
 * were given out of order, or overlap (two interfaces captured at once),
 * and their connections cannot go on across the step. Within a file the
 * stamp guard (stamp_guard.h) decides it: it restarts only a step back
 * that the frames after it keep, so one stray time stamp cannot cut every
 * connection open at the time. */
#define TLSD_CTX_RESTART_NS ((tlsd_time_ns)1000000000)
bool tlsd_ctx_clock_restarts(const struct tlsd_ctx *ctx, tlsd_time_ns ts);
/* The restart, once the caller has ended every open connection as at the
 * end of input (a connection does not go on across it, and those after it
 * are judged at their own time, not at the later one the clock had
 * reached: a certificate valid then would read as expired): the capture
 * clock goes back to ts, the silences before are forgotten, and
 * TLSD_ANOM_CAPTURE_CLOCK_BACK is counted. The idle clock stays. */
void tlsd_ctx_restart(struct tlsd_ctx *ctx, tlsd_time_ns ts);

/* The longest capture-wide silence that lies within [from, to] (0 when
 * none is known): what a wait measured over that span cannot count on. */
tlsd_time_ns tlsd_ctx_silence_within(const struct tlsd_ctx *ctx, tlsd_time_ns from,
				     tlsd_time_ns to);

static inline void tlsd_ctx_count(struct tlsd_ctx *ctx, enum tlsd_anomaly a)
{
	ctx->cnt.anomalies[a]++;
}

#endif
