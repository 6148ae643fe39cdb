/* The history string spelled out (--explain): one step per symbol of
 * Zeek's ssl_history letters and tlsdiag's additions (session.c and the
 * man page's HISTORY section define them). */
#ifndef TLSD_HISTORY_H
#define TLSD_HISTORY_H

#include "tlsd/common.h"

struct tlsd_history_step {
	char sym[3];      /* "C", "d*", "}" ... NUL-terminated */
	const char *who;  /* "client", "server", "middlebox", or NULL (the capture) */
	const char *what; /* "client_hello", "FIN", "a run of 4 or more encrypted records" ... */
};

/* Reads the step at h[*pos] and advances *pos. false at the end. An unknown
 * symbol is returned with what = "unknown symbol". */
TLSD_MUST_USE bool tlsd_history_next(const char *h, size_t *pos, struct tlsd_history_step *out);

#endif
