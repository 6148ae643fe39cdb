/* The next step for a failed connection: commands that confirm the cause
 * from a machine that can reach the server, and the Wireshark display
 * filter that selects exactly this connection's packets.
 * - openssl: `openssl s_client` offering what this client offered where it
 *   matters for the cause (versions; suites for no_shared_cipher; groups for
 *   no_shared_group; ALPN for no_application_protocol; TLS_FALLBACK_SCSV for
 *   inappropriate_fallback; -showcerts and verification for certificate
 *   causes). Suite names come from this machine's OpenSSL (libssl).
 * - curl: `curl -v --resolve ...` for connections that look like HTTPS
 *   (ALPN h2/http/1.1 offered, or server port 443/8443); empty otherwise.
 * - filter: `ip.addr==A && ip.addr==B && tcp.port==P && tcp.port==Q` (ipv6.addr
 *   for IPv6, udp.port for QUIC and DTLS): both directions of this 4-tuple.
 * openssl and curl are empty for QUIC and DTLS (TLS over TCP only).
 * Every string is printable ASCII and safe to paste into a POSIX shell: a
 * server name that is not a plain host name is left out. */
#ifndef TLSD_NEXT_STEP_H
#define TLSD_NEXT_STEP_H

#include "tlsd/report.h"

#define TLSD_NEXT_CMD_LEN 2048
#define TLSD_NEXT_FILTER_LEN 192

struct tlsd_next_steps {
	char openssl[TLSD_NEXT_CMD_LEN]; /* "" for QUIC and DTLS */
	char curl[TLSD_NEXT_CMD_LEN]; /* "" when not HTTPS-like */
	char filter[TLSD_NEXT_FILTER_LEN];
};

void tlsd_next_steps(const struct tlsd_report *r, struct tlsd_next_steps *out);
/* A host name safe to put on a command line unquoted: letters, digits, '-',
 * '.', '_' only, 1..253 bytes. */
bool tlsd_next_plain_hostname(const uint8_t *s, size_t len);
/* Appends s to buf as one POSIX shell word (single-quoted when needed).
 * false when it does not fit (buf unchanged). */
TLSD_MUST_USE bool tlsd_shell_quote(char *buf, size_t size, const char *s);

#endif
