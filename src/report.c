/* Small helpers around struct tlsd_report: appending diagnoses and the
 * stable names of the report's enums (FAILURE-CATALOG.md spellings). */
#include "tlsd/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tlsd_report_add_diag(struct tlsd_report *r, const char *code, enum tlsd_confidence conf,
			  const char *evidence, const char *text_fmt, ...)
{
	struct tlsd_diag *dg;
	va_list ap;

	if (r->n_diags >= TLSD_MAX_DIAGS || tlsd_report_has_diag(r, code))
		return;
	dg = &r->diags[r->n_diags++];
	memset(dg, 0, sizeof(*dg));
	snprintf(dg->code, sizeof(dg->code), "%s", code);
	dg->confidence = conf;
	snprintf(dg->evidence, sizeof(dg->evidence), "%s", evidence ? evidence : "");
	va_start(ap, text_fmt);
	vsnprintf(dg->text, sizeof(dg->text), text_fmt, ap);
	va_end(ap);
}

bool tlsd_report_has_diag(const struct tlsd_report *r, const char *code)
{
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++)
		if (strcmp(r->diags[i].code, code) == 0)
			return true;
	return false;
}

const char *tlsd_outcome_name(enum tlsd_outcome o)
{
	switch (o) {
	case TLSD_OUTCOME_ESTABLISHED: return "established";
	case TLSD_OUTCOME_FAILED: return "failed";
	case TLSD_OUTCOME_INCOMPLETE: return "incomplete";
	default: return "incomplete";
	}
}

const char *tlsd_transport_name(enum tlsd_transport t)
{
	switch (t) {
	case TLSD_TRANSPORT_QUIC: return "quic";
	case TLSD_TRANSPORT_DTLS: return "dtls";
	case TLSD_TRANSPORT_TCP:
	default: return "tcp";
	}
}

const char *tlsd_step_name(enum tlsd_step s)
{
	switch (s) {
	case TLSD_STEP_CLIENT_HELLO: return "client_hello";
	case TLSD_STEP_SERVER_HELLO: return "server_hello";
	case TLSD_STEP_CERTIFICATE: return "certificate";
	case TLSD_STEP_KEY_EXCHANGE: return "key_exchange";
	case TLSD_STEP_FINISHED: return "finished";
	case TLSD_STEP_NONE:
	default: return NULL;
	}
}

const char *tlsd_party_name(enum tlsd_party p)
{
	switch (p) {
	case TLSD_PARTY_CLIENT: return "client";
	case TLSD_PARTY_SERVER: return "server";
	case TLSD_PARTY_MIDDLEBOX: return "middlebox";
	case TLSD_PARTY_UNKNOWN:
	default: return "unknown";
	}
}

const char *tlsd_how_name(enum tlsd_how h)
{
	switch (h) {
	case TLSD_HOW_ALERT: return "alert";
	case TLSD_HOW_RESET: return "reset";
	case TLSD_HOW_CLOSE: return "close";
	case TLSD_HOW_TIMEOUT: return "timeout";
	case TLSD_HOW_CAPTURE_END:
	default: return "capture_end";
	}
}

const char *tlsd_confidence_name(enum tlsd_confidence c)
{
	switch (c) {
	case TLSD_CONF_CERTAIN: return "certain";
	case TLSD_CONF_LIKELY: return "likely";
	case TLSD_CONF_POSSIBLE:
	default: return "possible";
	}
}
