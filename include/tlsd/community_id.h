/* Identifiers of one reported connection, for joining tlsdiag's records
 * with other tools' and with each other:
 * - the Community ID v1 flow hash (github.com/corelight/community-id-spec),
 *   "1:" + base64(SHA-1(seed . saddr . daddr . proto . 0 . sport . dport))
 *   with the smaller address:port first; the same string Zeek, Suricata and
 *   Wireshark (`communityid`) compute for the flow;
 * - tlsdiag's connection id: "C" + 17 base62 digits from a SHA-1 over the
 *   Community ID input and the connection's first timestamp, so a reused
 *   4-tuple gets a new id and a rerun on the same capture gives the same
 *   ids (Zeek's uids are random; these are reproducible). */
#ifndef TLSD_COMMUNITY_ID_H
#define TLSD_COMMUNITY_ID_H

#include "tlsd/report.h"

#define TLSD_COMMUNITY_ID_LEN 31 /* "1:" + 28 base64 characters + NUL */
#define TLSD_CONN_UID_LEN 19     /* "C" + 17 base62 digits + NUL */
#define TLSD_IPPROTO_TCP 6
#define TLSD_IPPROTO_UDP 17

/* Community ID of a flow of IP protocol proto between a and b (either
 * order). Returns 0, or -EIO when the digest fails; out is written only on
 * success. */
TLSD_MUST_USE int tlsd_community_id(uint8_t ip_version, const struct tlsd_endpoint *a,
				    const struct tlsd_endpoint *b, uint8_t proto, uint16_t seed,
				    char out[TLSD_COMMUNITY_ID_LEN]);
/* The report's Community ID (seed 0; TCP, or UDP for QUIC and DTLS). */
TLSD_MUST_USE int tlsd_report_community_id(const struct tlsd_report *r,
					   char out[TLSD_COMMUNITY_ID_LEN]);
/* The report's connection id. 0 or -EIO; out written only on success. */
TLSD_MUST_USE int tlsd_conn_uid(const struct tlsd_report *r, char out[TLSD_CONN_UID_LEN]);

#endif
