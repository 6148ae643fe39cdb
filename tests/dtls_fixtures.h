/* DTLS byte fixtures for check_dtls.c, as hex strings. */
#ifndef TLSD_TESTS_DTLS_FIXTURES_H
#define TLSD_TESTS_DTLS_FIXTURES_H

/* openssl 3.0.19 s_client -dtls1_2 -msg -servername dtls.test on loopback:
 * the ClientHello body (198 bytes, after its 12-byte DTLS handshake header
 * 01 0000c6 0000 000000 0000c6): client_version fefd, random, empty
 * session_id, empty cookie, 28 suites, SNI "dtls.test". */
#define TLSD_FIX_DTLS12_CH_BODY                                                                   \
	"fefd9f26db96e9e9e1ab2476ecb8a97ad623dfb68f84e835a555211e19b397b2e5ac00000038c02cc030009fcca9cca8" \
	"ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff0100" \
	"00640000000e000c00000964746c732e74657374000b000403000102000a000c000a001d0017001e0019001800230000" \
	"0016000000170000000d002a0028040305030603080708080809080a080b080408050806040105010601030303010302" \
	"040205020602"

/* Offset of the cookie length byte in that body (version, random, session_id). */
#define TLSD_FIX_DTLS12_CH_COOKIE_OFF 35

#endif
