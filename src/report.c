/* Small helpers around struct tlsd_report: appending diagnoses and the
 * stable names of the report's enums (FAILURE-CATALOG.md spellings). */
#include "tlsd/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

const struct tlsd_diag *tlsd_report_main_cause(const struct tlsd_report *r)
{
	if (r->outcome == TLSD_OUTCOME_ESTABLISHED || r->n_diags == 0)
		return NULL;
	return &r->diags[0];
}

bool tlsd_report_is_warning(const struct tlsd_report *r, unsigned i)
{
	return r->outcome == TLSD_OUTCOME_ESTABLISHED && i < r->n_diags;
}

static void split_ns(tlsd_time_ns t, time_t *sec, long *usec)
{
	*sec = (time_t)(t / TLSD_NS_PER_SEC);
	*usec = (long)((t % TLSD_NS_PER_SEC) / 1000);
	if (*usec < 0) {
		*usec += 1000000;
		(*sec)--;
	}
}

const char *tlsd_format_time(char *buf, size_t len, tlsd_time_ns t, enum tlsd_time_fmt fmt,
			     tlsd_time_ns origin)
{
	struct tm tm;
	char date[40], zone[16] = "";
	time_t sec;
	long usec;
	bool local = fmt == TLSD_TIME_LOCAL_DATE || fmt == TLSD_TIME_LOCAL;
	bool with_date = fmt != TLSD_TIME_UTC && fmt != TLSD_TIME_LOCAL;

	if (len == 0)
		return buf;
	buf[0] = 0;
	if (fmt == TLSD_TIME_RELATIVE || fmt == TLSD_TIME_EPOCH) {
		tlsd_time_ns v = fmt == TLSD_TIME_RELATIVE ? t - origin : t;
		const char *sign = v < 0 ? "-" : "";

		if (v < 0)
			v = -v;
		snprintf(buf, len, "%s%lld.%06ld", sign, (long long)(v / TLSD_NS_PER_SEC),
			 (long)(v % TLSD_NS_PER_SEC / 1000));
		return buf;
	}
	split_ns(t, &sec, &usec);
	if (!(local ? localtime_r(&sec, &tm) : gmtime_r(&sec, &tm)) ||
	    !(with_date ? strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm)
			: strftime(date, sizeof(date), "%H:%M:%S", &tm)))
		return buf;
	if (!local)
		snprintf(zone, sizeof(zone), "UTC");
	else if (!strftime(zone, sizeof(zone), "%Z", &tm))
		zone[0] = 0;
	snprintf(buf, len, "%s.%06ld%s%s", date, usec, zone[0] ? " " : "", zone);
	return buf;
}

bool tlsd_parse_time_fmt(const char *s, enum tlsd_time_fmt *out)
{
	static const struct {
		const char *name;
		enum tlsd_time_fmt fmt;
	} names[] = {
		{"ud", TLSD_TIME_UTC_DATE}, {"u", TLSD_TIME_UTC},      {"ad", TLSD_TIME_LOCAL_DATE},
		{"a", TLSD_TIME_LOCAL},     {"r", TLSD_TIME_RELATIVE}, {"e", TLSD_TIME_EPOCH},
	};

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].fmt;
			return true;
		}
	}
	return false;
}
