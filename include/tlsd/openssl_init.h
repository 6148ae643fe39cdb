/* How tlsdiag starts libcrypto. tlsdiag reads captures: it uses libcrypto
 * to hash (Community ID, JA3/JA4, certificate fingerprints), to parse and
 * verify the certificates it sees, and to decrypt QUIC Initials and TLS
 * with a key log. None of that is what openssl.cnf configures for the
 * programs that make connections (libssl's MinProtocol and CipherString,
 * FIPS policies, extra providers), so the file is not read: the answers
 * do not change with the host's OpenSSL policy (a FIPS-only policy would
 * leave JA3's MD5 unavailable), and startup does not parse it. Set
 * OPENSSL_CONF to have it read after all (a provider that verifies
 * certificates with algorithms the default provider lacks). The trust store
 * is chosen by tlsdiag itself (cert.h), not by the configuration. */
#ifndef TLSD_OPENSSL_INIT_H
#define TLSD_OPENSSL_INIT_H

#include "tlsd/common.h"

/* Call before anything else touches libcrypto. Also: no cleanup at exit
 * (the process is ending; its memory goes with it). Error strings stay
 * loaded: OpenSSL cannot load them later once told not to at startup.
 * false when libcrypto could not start. */
TLSD_MUST_USE bool tlsd_openssl_init(void);

#endif
