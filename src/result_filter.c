/* Filters on the result (result_filter.h). */
#include "tlsd/result_filter.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 64 /* per option */

struct server_match {
	bool any_addr;
	uint8_t ipv, prefix;
	struct tlsd_addr addr;
	uint16_t port; /* 0: any */
};

struct tlsd_result_filter {
	unsigned outcomes; /* bit per enum tlsd_outcome; 0: any */
	char *causes[MAX_VALUES];
	size_t n_causes;
	char *snis[MAX_VALUES];
	size_t n_snis;
	struct server_match servers[MAX_VALUES];
	size_t n_servers;
	bool has_min_conf;
	enum tlsd_confidence min_conf;
};

struct tlsd_result_filter *tlsd_result_filter_new(void)
{
	return calloc(1, sizeof(struct tlsd_result_filter));
}

void tlsd_result_filter_free(struct tlsd_result_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_causes; i++)
		free(f->causes[i]);
	for (size_t i = 0; i < f->n_snis; i++)
		free(f->snis[i]);
	free(f);
}

/* Calls fn on each comma-separated item of list (an empty item is an
 * error, as in "a,,b"); the callers undo what was added on failure. */
static int each_item(const char *list, int (*fn)(void *ctx, const char *item), void *ctx)
{
	char *dup, *item;
	int rc = 0;

	if (!list || !*list)
		return -EINVAL;
	dup = strdup(list);
	if (!dup)
		return -ENOMEM;
	item = dup;
	while (rc == 0) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = 0;
		rc = *item ? fn(ctx, item) : -EINVAL;
		if (!comma)
			break;
		item = comma + 1;
	}
	free(dup);
	return rc;
}

static int check_outcome(void *ctx, const char *s)
{
	unsigned *bits = ctx;

	if (strcmp(s, "established") == 0)
		*bits |= 1u << TLSD_OUTCOME_ESTABLISHED;
	else if (strcmp(s, "failed") == 0)
		*bits |= 1u << TLSD_OUTCOME_FAILED;
	else if (strcmp(s, "incomplete") == 0)
		*bits |= 1u << TLSD_OUTCOME_INCOMPLETE;
	else
		return -EINVAL;
	return 0;
}

int tlsd_result_filter_outcomes(struct tlsd_result_filter *f, const char *list)
{
	unsigned bits = 0;

	TLSD_TRY(each_item(list, check_outcome, &bits));
	f->outcomes |= bits;
	return 0;
}

struct strings {
	char **v;
	size_t *n;
	size_t start;
	bool lower;
};

static int add_string(void *ctx, const char *s)
{
	struct strings *st = ctx;

	if (*st->n >= MAX_VALUES)
		return -EINVAL;
	st->v[*st->n] = strdup(s);
	if (!st->v[*st->n])
		return -ENOMEM;
	for (char *p = st->v[*st->n]; st->lower && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	(*st->n)++;
	return 0;
}

static int add_strings(char **v, size_t *n, const char *list, bool lower)
{
	struct strings st = {v, n, *n, lower};
	int rc = each_item(list, add_string, &st);

	if (rc < 0) { /* all or nothing */
		while (*n > st.start)
			free(v[--*n]);
	}
	return rc;
}

int tlsd_result_filter_causes(struct tlsd_result_filter *f, const char *list)
{
	return add_strings(f->causes, &f->n_causes, list, false);
}

int tlsd_result_filter_snis(struct tlsd_result_filter *f, const char *list)
{
	/* SNIs are matched case-insensitively: patterns and names in lower case. */
	return add_strings(f->snis, &f->n_snis, list, true);
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* ADDR or ADDR/LEN into m (addr, ipv, prefix). */
static int parse_addr(char *s, struct server_match *m)
{
	char *slash = strchr(s, '/');
	unsigned long len;
	char *end;

	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, s, m->addr.b) == 1)
		m->ipv = 4;
	else if (inet_pton(AF_INET6, s, m->addr.b) == 1)
		m->ipv = 6;
	else
		return -EINVAL;
	m->prefix = m->ipv == 4 ? 32 : 128;
	if (slash) {
		if (!slash[1] || slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end || len > m->prefix)
			return -EINVAL;
		m->prefix = (uint8_t)len;
	}
	return 0;
}

static int add_server(void *ctx, const char *item)
{
	struct tlsd_result_filter *f = ctx;
	struct server_match m = {0};
	char buf[96], *colon;
	int rc;

	if (f->n_servers >= MAX_VALUES || strlen(item) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, item);
	if (buf[0] == ':' && buf[1] && strspn(buf + 1, "0123456789") == strlen(buf + 1)) { /* :PORT */
		m.any_addr = true;
		rc = parse_port(buf + 1, &m.port);
	} else if (buf[0] == '[') { /* [ADDR]:PORT or [ADDR] */
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -EINVAL;
		*close = 0;
		rc = parse_addr(buf + 1, &m);
		if (rc == 0 && close[1] == ':')
			rc = parse_port(close + 2, &m.port);
	} else if ((colon = strchr(buf, ':')) && !strchr(colon + 1, ':')) { /* v4:PORT */
		*colon = 0;
		rc = parse_addr(buf, &m);
		if (rc == 0 && m.ipv != 4)
			rc = -EINVAL;
		if (rc == 0)
			rc = parse_port(colon + 1, &m.port);
	} else {
		rc = parse_addr(buf, &m);
	}
	if (rc < 0)
		return rc;
	f->servers[f->n_servers++] = m;
	return 0;
}

int tlsd_result_filter_servers(struct tlsd_result_filter *f, const char *list)
{
	size_t before = f->n_servers;
	int rc = each_item(list, add_server, f);

	if (rc < 0)
		f->n_servers = before;
	return rc;
}

int tlsd_result_filter_min_confidence(struct tlsd_result_filter *f, const char *s)
{
	if (strcmp(s, "certain") == 0)
		f->min_conf = TLSD_CONF_CERTAIN;
	else if (strcmp(s, "likely") == 0)
		f->min_conf = TLSD_CONF_LIKELY;
	else if (strcmp(s, "possible") == 0)
		f->min_conf = TLSD_CONF_POSSIBLE;
	else
		return -EINVAL;
	f->has_min_conf = true;
	return 0;
}

bool tlsd_result_filter_empty(const struct tlsd_result_filter *f)
{
	return !f || (!f->outcomes && !f->n_causes && !f->n_snis && !f->n_servers &&
		      !f->has_min_conf);
}

bool tlsd_result_filter_wants_established(const struct tlsd_result_filter *f)
{
	return f && (f->outcomes & (1u << TLSD_OUTCOME_ESTABLISHED));
}

static bool sure_enough(const struct tlsd_result_filter *f, enum tlsd_confidence c)
{
	/* enum order: certain < likely < possible */
	return !f->has_min_conf || c <= f->min_conf;
}

static bool match_cause(const struct tlsd_result_filter *f, const struct tlsd_report *r)
{
	const struct tlsd_diag *main_cause = tlsd_report_main_cause(r);

	if (!f->n_causes)
		return !f->has_min_conf || (main_cause && sure_enough(f, main_cause->confidence));
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++) {
		if (!sure_enough(f, r->diags[i].confidence))
			continue;
		for (size_t j = 0; j < f->n_causes; j++)
			if (fnmatch(f->causes[j], r->diags[i].code, 0) == 0)
				return true;
	}
	return false;
}

static bool match_sni(const struct tlsd_result_filter *f, const struct tlsd_report *r)
{
	char sni[TLSD_MAX_SNI + 1];

	if (!f->n_snis)
		return true;
	if (r->has_sni) {
		if (memchr(r->sni, 0, r->sni_len))
			return false;
		for (size_t i = 0; i < r->sni_len; i++)
			sni[i] = (char)tolower(r->sni[i]);
		sni[r->sni_len] = 0;
	}
	for (size_t j = 0; j < f->n_snis; j++) {
		if (!r->has_sni ? strcmp(f->snis[j], "-") == 0
				: fnmatch(f->snis[j], sni, 0) == 0)
			return true;
	}
	return false;
}

static bool in_prefix(const struct server_match *m, const struct tlsd_report *r)
{
	unsigned full = m->prefix / 8, rest = m->prefix % 8;

	if (m->ipv != r->ip_version || memcmp(m->addr.b, r->server.addr.b, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (m->addr.b[full] & mask) == (r->server.addr.b[full] & mask);
	}
	return true;
}

static bool match_server(const struct tlsd_result_filter *f, const struct tlsd_report *r)
{
	if (!f->n_servers)
		return true;
	for (size_t j = 0; j < f->n_servers; j++) {
		const struct server_match *m = &f->servers[j];

		if (m->port && m->port != r->server.port)
			continue;
		if (m->any_addr || in_prefix(m, r))
			return true;
	}
	return false;
}

bool tlsd_result_filter_match(const struct tlsd_result_filter *f, const struct tlsd_report *r)
{
	if (tlsd_result_filter_empty(f))
		return true;
	if (f->outcomes && !(f->outcomes & (1u << r->outcome)))
		return false;
	return match_cause(f, r) && match_sni(f, r) && match_server(f, r);
}
