/* The -w evidence file: the packets of failed connections, written as pcapng
 * (one interface per link type, nanosecond stamps) in capture-time order,
 * with every write error seen.
 *
 * Connections end (and are handed over) in an order that is not the capture's:
 * their frames are held and written sorted by capture time (stable: a
 * connection's own frames keep their order) when tlsd_pcap_out_flush() is
 * called, or when the held bytes would pass HOLD_MAX. The first write error
 * (fwrite, fflush, fclose) is kept and returned by every later call. */
#ifndef TLSD_PCAP_OUT_H
#define TLSD_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "tlsd/common.h"

struct tlsd_pcap_out;

/* Creates PATH (a pcapng section header; an interface description block is
 * written before the first packet of each link type). NULL on failure, with
 * "PATH: reason" in err. */
struct tlsd_pcap_out *tlsd_pcap_out_open(const char *path, size_t hold_max, char *err,
					 size_t errlen);

/* Holds one connection's frames (struct tlsd_conn_cfg's TLSD_CONN_FRAME_HDR
 * layout). 0, or -errno of the first write error. */
TLSD_MUST_USE int tlsd_pcap_out_add(struct tlsd_pcap_out *o, const uint8_t *frames, size_t len);

/* Writes what is held, in capture-time order, and flushes it to the system.
 * 0, or -errno of the first write error. */
TLSD_MUST_USE int tlsd_pcap_out_flush(struct tlsd_pcap_out *o);

/* Flushes and closes (o may be NULL). 0, or -errno of the first error. */
TLSD_MUST_USE int tlsd_pcap_out_close(struct tlsd_pcap_out *o);

#endif
