/* The verdict and the diagnosis: pure functions from a finished session to
 * the report's outcome, failed step, termination, alert and diagnosis list
 * (FAILURE-CATALOG.md). No I/O, no allocation. */
#ifndef TLSD_DIAGNOSE_H
#define TLSD_DIAGNOSE_H

#include "tlsd/session_facts.h"

/* Fills r->outcome, failed_step, term_by, term_how, has_alert/alert,
 * time_to_failure and the diagnoses (appended after any already present).
 * Only the session is read: the flow facts it needs were copied into it. */
void tlsd_diagnose(const struct tlsd_session *s, struct tlsd_report *r);
/* Whether tlsd_diagnose() will say "established" (cheap: no evidence, no
 * diagnoses; the certificate stage does not change it). */
bool tlsd_diagnose_established(const struct tlsd_session *s);
/* The outcome tlsd_diagnose() will give (the evidence and the verdict, no
 * diagnoses; the certificate stage does not change it). */
enum tlsd_outcome tlsd_diagnose_outcome(const struct tlsd_session *s);

/* The step a failure in the session's current state belongs to when
 * nothing more specific is known (silence, a timeout). */
enum tlsd_step tlsd_diagnose_step_reached(const struct tlsd_session *s);

/* TLS 1.3 without keys: what the sizes of the encrypted records say. */
enum tlsd_tls13_verdict {
	TLSD_T13_NONE = 0,           /* not TLS 1.3, or nothing encrypted yet */
	TLSD_T13_PENDING,            /* flights under way, no verdict possible */
	TLSD_T13_ESTABLISHED,
	TLSD_T13_SERVER_ALERT,       /* alert-sized server record after the client's flight */
	TLSD_T13_CLIENT_ALERT,       /* alert-sized client record after the server's flight */
	TLSD_T13_CLIENT_ABORT,       /* client closed after the server's flight, no record */
	TLSD_T13_CLOSED_AFTER_FLIGHT, /* reset right after the client's flight */
};

enum tlsd_tls13_verdict tlsd_diagnose_tls13(const struct tlsd_session *s);

/* Whether the client's TLS 1.3 flight carried a certificate (a record of
 * more than TLSD_TLS13_SMALL_FLIGHT bytes comes first). */
#define TLSD_TLS13_SMALL_FLIGHT 120
bool tlsd_diagnose_tls13_client_sent_cert(const struct tlsd_session *s);

#endif
