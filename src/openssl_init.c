/* How tlsdiag starts libcrypto (openssl_init.h). */
#include "tlsd/openssl_init.h"

#include <openssl/crypto.h>
#include <stdlib.h>

bool tlsd_openssl_init(void)
{
	const char *conf = getenv("OPENSSL_CONF");
	uint64_t opts = OPENSSL_INIT_NO_ATEXIT;

	opts |= conf && *conf ? OPENSSL_INIT_LOAD_CONFIG : OPENSSL_INIT_NO_LOAD_CONFIG;
	return OPENSSL_init_crypto(opts, NULL) == 1;
}
