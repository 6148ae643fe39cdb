/* SHA-1 (FIPS 180-4) of a short buffer, for identifiers only: the
 * Community ID and tlsdiag's connection ids. Not for anything that needs
 * collision resistance. Its own code rather than libcrypto's, because
 * libcrypto's first digest fetch builds all of OpenSSL's algorithm tables
 * (about a millisecond at startup, for the connection id of the first
 * report). */
#ifndef TLSD_SHA1_H
#define TLSD_SHA1_H

#include "tlsd/common.h"

#define TLSD_SHA1_LEN 20

void tlsd_sha1(const uint8_t *p, size_t n, uint8_t out[TLSD_SHA1_LEN]);

#endif
