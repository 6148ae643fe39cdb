/* Client and server hello fingerprints: JA3 / JA3S (salesforce/ja3) and
 * JA4 / JA4S (FoxIO-LLC/ja4, technical_details/JA4.md and JA4S.md).
 *
 * Computed from the parsed hellos, so lists longer than the TLSD_MAX_*
 * bounds of tls_handshake.h are fingerprinted on their kept prefix. GREASE
 * values (RFC 8701) are left out everywhere, as both specs require. */
#ifndef TLSD_FINGERPRINT_H
#define TLSD_FINGERPRINT_H

#include "tlsd/tls_handshake.h"

/* Longest JA3 string from bounded hellos, plus NUL. */
#define TLSD_JA3_STR_MAX 1536
#define TLSD_MD5_HEX_LEN 33   /* 32 hex digits + NUL */
#define TLSD_JA4_LEN 37       /* "t13d1516h2_8daaf6152771_e5627efa2ab1" + NUL */
#define TLSD_JA4S_LEN 26      /* "t130200_1301_234ea6891581" + NUL */

/* Transport character of JA4/JA4S: TLS over TCP, QUIC, DTLS. */
#define TLSD_JA4_TCP 't'
#define TLSD_JA4_QUIC 'q'
#define TLSD_JA4_DTLS 'd'

/* JA3 = "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
 * (decimal, '-'-joined) and its MD5 in lower-case hex. Returns 0, -ENOSPC
 * when str_len is too small, -EIO when the digest fails; outputs are
 * written only on success. */
TLSD_MUST_USE int tlsd_fp_ja3(const struct tlsd_client_hello *ch, char *str, size_t str_len,
			      char md5_hex[TLSD_MD5_HEX_LEN]);
/* JA3S = "SSLVersion,Cipher,Extensions" and its MD5. */
TLSD_MUST_USE int tlsd_fp_ja3s(const struct tlsd_server_hello *sh, char *str, size_t str_len,
			       char md5_hex[TLSD_MD5_HEX_LEN]);
/* JA4 ("t13d1516h2_8daaf6152771_e5627efa2ab1"). 0 or -EIO. */
TLSD_MUST_USE int tlsd_fp_ja4(const struct tlsd_client_hello *ch, char transport,
			      char out[TLSD_JA4_LEN]);
/* JA4S ("t130200_1301_234ea6891581"). 0 or -EIO. */
TLSD_MUST_USE int tlsd_fp_ja4s(const struct tlsd_server_hello *sh, char transport,
			       char out[TLSD_JA4S_LEN]);

#endif
