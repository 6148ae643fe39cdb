/* OpenSSL's own names of the TLS <= 1.2 cipher suites (what `openssl
 * s_client -cipher` takes), for the commands that confirm a failure
 * (next_step.c). A table, so that tlsdiag does not load libssl for
 * OPENSSL_cipher_name(): tests/check_openssl_names.c checks it against
 * that function for every suite tls_names.tsv knows. */
#ifndef TLSD_OPENSSL_NAMES_H
#define TLSD_OPENSSL_NAMES_H

#include "tlsd/common.h"

/* NULL for TLS 1.3 suites (their IANA names are OpenSSL's) and for suites
 * OpenSSL does not know. */
const char *tlsd_openssl_suite_name(uint16_t suite);

#endif
