/* Small helpers around struct tlsd_report: appending diagnoses and the
 * stable names of the report's enums (FAILURE-CATALOG.md spellings). */
#include "tlsd/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const cause_names[TLSD_CAUSE__COUNT] = {
#define TLSD_CAUSE_NAME_(e, name, text) [TLSD_CAUSE_##e] = name,
	TLSD_CAUSE_LIST(TLSD_CAUSE_NAME_)
#undef TLSD_CAUSE_NAME_
};

const char *tlsd_cause_name(enum tlsd_cause c)
{
	return (unsigned)c < TLSD_CAUSE__COUNT ? cause_names[c] : "unknown";
}

struct tlsd_diag *tlsd_report_diag_named(struct tlsd_report *r, enum tlsd_cause c,
					 const char *code, enum tlsd_confidence conf)
{
	struct tlsd_diag *d;
	size_t n = strlen(code);

	if (r->n_diags >= TLSD_MAX_DIAGS || tlsd_report_has_diag(r, code))
		return NULL;
	d = &r->diags[r->n_diags++];
	n = TLSD_MIN(n, sizeof(d->code) - 1);
	memcpy(d->code, code, n);
	d->code[n] = '\0';
	d->cause = c;
	d->confidence = conf;
	d->n_facts = 0;
	return d;
}

struct tlsd_diag *tlsd_report_diag(struct tlsd_report *r, enum tlsd_cause c,
				   enum tlsd_confidence conf)
{
	return tlsd_report_diag_named(r, c, tlsd_cause_name(c), conf);
}

bool tlsd_report_has_diag(const struct tlsd_report *r, const char *code)
{
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++)
		if (strcmp(r->diags[i].code, code) == 0)
			return true;
	return false;
}

bool tlsd_report_has_cause(const struct tlsd_report *r, enum tlsd_cause c)
{
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++)
		if (r->diags[i].cause == c)
			return true;
	return false;
}

static struct tlsd_fact *fact_add(struct tlsd_diag *d, enum tlsd_fact_id id)
{
	struct tlsd_fact *f;

	if (!d || d->n_facts >= TLSD_DIAG_MAX_FACTS)
		return NULL;
	f = &d->facts[d->n_facts++];
	memset(f, 0, sizeof(*f));
	f->id = (uint16_t)id;
	return f;
}

void tlsd_diag_fact(struct tlsd_diag *d, enum tlsd_fact_id id, uint16_t a, uint32_t b)
{
	struct tlsd_fact *f = fact_add(d, id);

	if (f) {
		f->a = a;
		f->b = b;
	}
}

void tlsd_diag_fact_u(struct tlsd_diag *d, enum tlsd_fact_id id, uint64_t v)
{
	struct tlsd_fact *f = fact_add(d, id);

	if (f)
		f->v.u = v;
}

void tlsd_diag_fact_ns(struct tlsd_diag *d, enum tlsd_fact_id id, int64_t ns)
{
	struct tlsd_fact *f = fact_add(d, id);

	if (f)
		f->v.i = ns;
}

void tlsd_diag_fact_str(struct tlsd_diag *d, enum tlsd_fact_id id, const char *s)
{
	struct tlsd_fact *f;

	if (!s)
		return;
	f = fact_add(d, id);
	if (f)
		f->v.s = s;
}

void tlsd_diag_fact_strf(struct tlsd_report *r, struct tlsd_diag *d, enum tlsd_fact_id id,
			 const char *fmt, ...)
{
	size_t room = sizeof(r->arena) - r->arena_len;
	char *p = r->arena + r->arena_len;
	va_list ap;
	int n;

	if (!d || room < 2)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		p[0] = '\0';
		return; /* does not fit: the fact is left out rather than cut */
	}
	r->arena_len = (uint16_t)(r->arena_len + (size_t)n + 1);
	tlsd_diag_fact_str(d, id, p);
}

const struct tlsd_fact *tlsd_diag_find(const struct tlsd_diag *d, enum tlsd_fact_id id)
{
	for (unsigned i = 0; i < d->n_facts && i < TLSD_DIAG_MAX_FACTS; i++)
		if (d->facts[i].id == id)
			return &d->facts[i];
	return NULL;
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
