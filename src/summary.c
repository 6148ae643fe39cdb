/* Run-wide aggregation and cross-connection inference. */
#include "tlsd/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/report_json.h"
#include "tlsd/report_text.h"
#include "tlsd/tls_names.h"

#define SET_MAX 8        /* distinct values remembered per server and kind */
#define MAX_DIAG_CODES 96
#define TOP_SERVERS 10
#define SUMMARY_SNI_MAX 80 /* kept per server for the summary; longer ones are cut */
#define FIRST_SLOTS 1024u  /* the server table grows from here to TLSD_SUMMARY_MAX_SERVERS */

/* A small set of 16-bit values; `overflow` once more than SET_MAX distinct
 * values were seen (then "all successes had one of these" is unknown). */
struct small_set {
	uint16_t v[SET_MAX];
	uint8_t n;
	bool overflow;
};

struct server_stats {
	bool used;
	uint8_t ip_version;
	struct tlsd_endpoint ep;
	uint64_t established, failed, incomplete;
	struct small_set versions, ciphers, groups;
	uint64_t ok_with_client_cert, ok_with_sni;
	bool has_sni;
	uint16_t sni_len;
	uint8_t sni[SUMMARY_SNI_MAX]; /* SNI of the first failure (cut to fit) */
};

/* TCP connections seen, for the QUIC-to-TCP fallback inference: a ring of
 * the most recent ones (client address, server address and port, start). */
#define TCP_SEEN_RING 4096u

struct tcp_seen {
	struct tlsd_addr client, server;
	uint16_t port;
	uint8_t ip_version;
	bool established;
	tlsd_time_ns ts;
};

_Static_assert(MAX_DIAG_CODES < 256, "the by-cause hints hold 1 + an entry in a byte");

struct diag_count {
	char code[TLSD_DIAG_CODE_LEN];
	enum tlsd_cause cause; /* of its first diagnosis: compared before the code */
	uint64_t n;
};

struct tlsd_summary {
	uint64_t outcomes[3];
	uint64_t steps[6];
	uint64_t alerts[3][256];     /* [sender party: 0 unknown/mb, 1 client, 2 server][code] */
	uint64_t encrypted_alerts[3];
	struct diag_count diags[MAX_DIAG_CODES];  /* every diagnosis of a failure */
	unsigned n_diags;
	struct diag_count causes[MAX_DIAG_CODES]; /* each failure's main cause only */
	unsigned n_causes;
	struct diag_count warnings[MAX_DIAG_CODES]; /* diagnoses of established connections */
	unsigned n_warnings;
	/* By cause, per table: 1 + the entry of the cause's code last counted
	 * (0: none), tried first. */
	uint8_t diags_hint[TLSD_CAUSE__COUNT], causes_hint[TLSD_CAUSE__COUNT],
		warnings_hint[TLSD_CAUSE__COUNT];
	uint64_t failures_without_cause;
	struct server_stats *servers; /* open addressing, n_slots slots (a power of two) */
	uint8_t *tags; /* by slot: 0 empty, else server_tag(): a probe reads these, not the entries */
	uint32_t n_slots, n_used;
	uint64_t servers_dropped;
	struct tcp_seen *tcp_seen; /* TCP_SEEN_RING entries, allocated on first use */
	uint32_t tcp_seen_next;
};

struct tlsd_summary *tlsd_summary_new(void)
{
	struct tlsd_summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	/* Small to start with: most captures have few servers, and a table that
	 * fits the cache keeps the per-report cost low. */
	s->n_slots = FIRST_SLOTS;
	s->servers = calloc(s->n_slots, sizeof(*s->servers));
	s->tags = calloc(s->n_slots, 1);
	if (!s->servers || !s->tags) {
		free(s->servers);
		free(s->tags);
		free(s);
		return NULL;
	}
	return s;
}

void tlsd_summary_free(struct tlsd_summary *s)
{
	if (!s)
		return;
	free(s->servers);
	free(s->tags);
	free(s->tcp_seen);
	free(s);
}

static uint32_t server_hash(const struct tlsd_endpoint *ep)
{
	uint32_t h = 2166136261u; /* FNV-1a: the key is not peer-chosen enough to matter */

	for (size_t i = 0; i < sizeof(ep->addr.b); i++)
		h = (h ^ ep->addr.b[i]) * 16777619u;
	h = (h ^ (ep->port & 0xff)) * 16777619u;
	h = (h ^ (ep->port >> 8)) * 16777619u;
	return h;
}

static bool same_server(const struct server_stats *st, const struct tlsd_report *r)
{
	return st->ip_version == r->ip_version && st->ep.port == r->server.port &&
	       memcmp(st->ep.addr.b, r->server.addr.b, sizeof(st->ep.addr.b)) == 0;
}

/* Never 0 (an empty slot); from the bits of h that do not pick the slot. */
static uint8_t server_tag(uint32_t h)
{
	return (uint8_t)(h >> 24) | 1;
}

/* The server's slot, or the empty one where it would go (*found false);
 * NULL after 64 probes. h is server_hash(&r->server). */
static struct server_stats *server_find(const struct tlsd_summary *s, const struct tlsd_report *r,
					uint32_t h, bool *found)
{
	uint32_t mask = s->n_slots - 1, i = h & mask;
	uint8_t tag = server_tag(h);

	for (uint32_t probes = 0; probes < 64; probes++, i = (i + 1) & mask) {
		if (!s->tags[i]) {
			*found = false;
			return &s->servers[i];
		}
		if (s->tags[i] == tag && same_server(&s->servers[i], r)) {
			*found = true;
			return &s->servers[i];
		}
	}
	return NULL;
}

/* Finds the server's slot; with `create`, claims an empty one. */
static struct server_stats *server_slot(struct tlsd_summary *s, const struct tlsd_report *r,
					bool create)
{
	uint32_t h = server_hash(&r->server);
	bool found;
	struct server_stats *st = server_find(s, r, h, &found);

	if (!st || found)
		return st;
	if (!create)
		return NULL;
	s->tags[st - s->servers] = server_tag(h);
	st->used = true;
	st->ip_version = r->ip_version;
	st->ep = r->server;
	s->n_used++;
	return st;
}

/* Doubles the table (up to TLSD_SUMMARY_MAX_SERVERS) at half load. */
static void maybe_grow(struct tlsd_summary *s)
{
	struct server_stats *old = s->servers, *grown;
	uint8_t *tags;
	uint32_t old_n = s->n_slots, n = old_n * 2, mask = n - 1;

	if (s->n_used < old_n / 2 || n > TLSD_SUMMARY_MAX_SERVERS)
		return;
	grown = calloc(n, sizeof(*grown));
	tags = calloc(n, 1);
	if (!grown || !tags) {
		free(grown);
		free(tags);
		return; /* keep the smaller table: it only fills up sooner */
	}
	for (uint32_t k = 0; k < old_n; k++) {
		uint32_t h, i;

		if (!old[k].used)
			continue;
		h = server_hash(&old[k].ep);
		for (i = h & mask; tags[i]; i = (i + 1) & mask)
			;
		grown[i] = old[k];
		tags[i] = server_tag(h);
	}
	free(old);
	free(s->tags);
	s->servers = grown;
	s->tags = tags;
	s->n_slots = n;
}

static void set_add(struct small_set *set, uint16_t v)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->v[i] == v)
			return;
	if (set->n < SET_MAX)
		set->v[set->n++] = v;
	else
		set->overflow = true;
}

static bool set_has(const struct small_set *set, uint16_t v)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->v[i] == v)
			return true;
	return false;
}

static bool any_in_set(const struct small_set *set, const uint16_t *vals, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set_has(set, vals[i]))
			return true;
	return false;
}

static int party_index(enum tlsd_party p)
{
	return p == TLSD_PARTY_CLIENT ? 1 : p == TLSD_PARTY_SERVER ? 2 : 0;
}

/* Counts one more of d's code in the table (codes beyond MAX_DIAG_CODES
 * are not counted). The entry last counted for d's cause is tried first,
 * then entries of that cause: a code comes with one cause, so one strcmp
 * mostly suffices. hint is the table's by cause (struct tlsd_summary). */
static void count_code(struct diag_count *tab, unsigned *n, uint8_t *hint,
		       const struct tlsd_diag *d)
{
	bool has_hint = (unsigned)d->cause < TLSD_CAUSE__COUNT;
	unsigned j = has_hint ? hint[d->cause] : 0;

	if (j && strcmp(tab[j - 1].code, d->code) == 0) {
		tab[j - 1].n++;
		return;
	}
	for (j = 0; j < *n; j++)
		if (tab[j].cause == d->cause && strcmp(tab[j].code, d->code) == 0)
			goto found;
	/* The same code under another cause still counts as that code. */
	for (j = 0; j < *n; j++)
		if (tab[j].cause != d->cause && strcmp(tab[j].code, d->code) == 0)
			goto found;
	if (j == MAX_DIAG_CODES)
		return;
	snprintf(tab[j].code, sizeof(tab[j].code), "%s", d->code);
	tab[j].cause = d->cause;
	(*n)++;
found:
	tab[j].n++;
	if (has_hint)
		hint[d->cause] = (uint8_t)(j + 1);
}

static void note_tcp(struct tlsd_summary *s, const struct tlsd_report *r)
{
	if (r->transport != TLSD_TRANSPORT_TCP)
		return;
	if (!s->tcp_seen) {
		s->tcp_seen = calloc(TCP_SEEN_RING, sizeof(*s->tcp_seen));
		if (!s->tcp_seen)
			return;
	}
	s->tcp_seen[s->tcp_seen_next++ % TCP_SEEN_RING] = (struct tcp_seen){
		.client = r->client.addr,
		.server = r->server.addr,
		.port = r->server.port,
		.ip_version = r->ip_version,
		.established = r->outcome == TLSD_OUTCOME_ESTABLISHED,
		.ts = r->ts_first,
	};
}

/* Q1 + fallback: a client whose QUIC Initials went unanswered reached the
 * same server address over TCP on the QUIC port (443) afterwards. */
static void annotate_quic_fallback(const struct tlsd_summary *s, struct tlsd_report *r)
{
	const struct tcp_seen *hit = NULL;
	char ip[64];
	struct tlsd_diag *d;

	if (!s->tcp_seen || !tlsd_report_has_diag(r, "quic_no_response"))
		return;
	for (uint32_t i = 0; i < TCP_SEEN_RING; i++) {
		const struct tcp_seen *t = &s->tcp_seen[i];

		if (t->ip_version == r->ip_version && t->port == r->server.port &&
		    t->ts >= r->ts_first &&
		    memcmp(t->client.b, r->client.addr.b, sizeof(t->client.b)) == 0 &&
		    memcmp(t->server.b, r->server.addr.b, sizeof(t->server.b)) == 0 &&
		    (!hit || t->ts < hit->ts))
			hit = t;
	}
	if (!hit)
		return;
	tlsd_addr_str(&r->server.addr, r->ip_version, ip, sizeof(ip));
	d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_BLOCKED_TCP_FALLBACK, TLSD_CONF_LIKELY);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_TCP_FALLBACK,
			    "the same client connected to %s over TCP port %u %.3f s after its first "
			    "QUIC Initial (TLS %s)",
			    ip, hit->port, (double)(hit->ts - r->ts_first) / 1e9,
			    hit->established ? "established" : "not established");
	tlsd_diag_fact_u(d, TLSD_FACT_UDP_PORT, r->server.port);
}

void tlsd_summary_add(struct tlsd_summary *s, const struct tlsd_report *r)
{
	struct server_stats *st;
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);

	note_tcp(s, r);
	if ((unsigned)r->outcome < 3)
		s->outcomes[r->outcome]++;
	if (r->outcome == TLSD_OUTCOME_FAILED && (unsigned)r->failed_step < 6)
		s->steps[r->failed_step]++;
	if (r->outcome != TLSD_OUTCOME_ESTABLISHED && r->has_alert) {
		if (r->alert.encrypted && !r->alert.decrypted)
			s->encrypted_alerts[party_index(r->alert.sender)]++;
		else
			s->alerts[party_index(r->alert.sender)][r->alert.code]++;
	}
	if (r->outcome != TLSD_OUTCOME_ESTABLISHED) {
		for (unsigned i = 0; i < r->n_diags; i++)
			count_code(s->diags, &s->n_diags, s->diags_hint, &r->diags[i]);
		if (cause)
			count_code(s->causes, &s->n_causes, s->causes_hint, cause);
		else
			s->failures_without_cause++;
	} else {
		for (unsigned i = 0; i < r->n_diags; i++)
			count_code(s->warnings, &s->n_warnings, s->warnings_hint, &r->diags[i]);
	}
	maybe_grow(s);
	st = server_slot(s, r, true);
	if (!st) {
		s->servers_dropped++;
		return;
	}
	switch (r->outcome) {
	case TLSD_OUTCOME_ESTABLISHED:
		st->established++;
		if (r->version)
			set_add(&st->versions, r->version);
		if (r->has_cipher)
			set_add(&st->ciphers, r->cipher);
		if (r->kx_group)
			set_add(&st->groups, r->kx_group);
		else
			st->groups.overflow = true; /* unknown: never claim "all had" */
		st->ok_with_client_cert += r->client_cert_sent;
		st->ok_with_sni += r->has_sni;
		break;
	case TLSD_OUTCOME_FAILED:
		st->failed++;
		if (!st->has_sni && r->has_sni) {
			st->has_sni = true;
			st->sni_len = (uint16_t)TLSD_MIN((size_t)r->sni_len, sizeof(st->sni));
			memcpy(st->sni, r->sni, st->sni_len);
		}
		break;
	case TLSD_OUTCOME_INCOMPLETE:
	default:
		st->incomplete++;
		break;
	}
}

uint64_t tlsd_summary_failed(const struct tlsd_summary *s)
{
	return s->outcomes[TLSD_OUTCOME_FAILED];
}

/* Appends "a, b, c" names of a set to buf. */
static void set_names(char *buf, size_t len, const struct small_set *set,
		      const char *(*name)(uint16_t))
{
	size_t used = strlen(buf);

	for (unsigned i = 0; i < set->n && used < len; i++) {
		const char *n = name(set->v[i]);
		int w = n ? snprintf(buf + used, len - used, "%s%s", i ? ", " : "", n)
			  : snprintf(buf + used, len - used, "%s0x%04x", i ? ", " : "", set->v[i]);

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

void tlsd_summary_annotate(const struct tlsd_summary *s, struct tlsd_report *r)
{
	const struct server_stats *st;
	bool found;
	char what[200] = "";
	char ip[64];
	const char *lacks = NULL;
	struct tlsd_diag *d;

	if (r->transport == TLSD_TRANSPORT_QUIC)
		annotate_quic_fallback(s, r);
	/* Only a client that sent a ClientHello can be compared with others,
	 * over the same transport. */
	if (r->outcome != TLSD_OUTCOME_FAILED || r->client_hello_len == 0 ||
	    r->transport != TLSD_TRANSPORT_TCP)
		return;
	st = server_find(s, r, server_hash(&r->server), &found);
	if (!st || !found || st->established == 0)
		return;
	/* Only differences that every accepted handshake shares are claims. */
	if (!st->versions.overflow && st->versions.n && r->n_versions_offered &&
	    !any_in_set(&st->versions, r->versions_offered, r->n_versions_offered)) {
		lacks = "a protocol version";
		snprintf(what, sizeof(what), "version ");
		set_names(what, sizeof(what), &st->versions, tlsd_name_version);
	} else if (!st->ciphers.overflow && st->ciphers.n && r->n_suites_kept &&
		   r->n_suites_kept == r->n_suites_offered &&
		   !any_in_set(&st->ciphers, r->suites_offered, r->n_suites_kept)) {
		lacks = "a cipher suite";
		snprintf(what, sizeof(what), "cipher ");
		set_names(what, sizeof(what), &st->ciphers, tlsd_name_suite);
	} else if (!st->groups.overflow && st->groups.n && r->n_groups_offered &&
		   !any_in_set(&st->groups, r->groups_offered, r->n_groups_offered)) {
		lacks = "a key-exchange group";
		snprintf(what, sizeof(what), "group ");
		set_names(what, sizeof(what), &st->groups, tlsd_name_group);
	} else if (st->ok_with_client_cert == st->established && !r->client_cert_sent &&
		   r->failed_step == TLSD_STEP_CERTIFICATE) {
		lacks = "a client certificate";
		snprintf(what, sizeof(what), "a client certificate");
	} else if (st->ok_with_sni == st->established && !r->has_sni) {
		lacks = "a server name (SNI)";
		snprintf(what, sizeof(what), "SNI");
	}
	if (!lacks)
		return;
	tlsd_addr_str(&st->ep.addr, st->ip_version, ip, sizeof(ip));
	if (!r->has_sni && st->ok_with_sni == st->established &&
	    r->failed_step == TLSD_STEP_SERVER_HELLO) {
		/* Catalog row 35: refused without SNI, accepted with it. */
		d = tlsd_report_diag(r, TLSD_CAUSE_SNI_REQUIRED, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_SNI, 0, 0);
		tlsd_diag_fact_strf(r, d, TLSD_FACT_SERVER_ENDPOINT,
				    st->ip_version == 6 ? "[%s]:%u" : "%s:%u", ip, st->ep.port);
		tlsd_diag_fact_u(d, TLSD_FACT_SNI_ACCEPTED_ELSEWHERE, st->established);
		return;
	}
	d = tlsd_report_diag(r, TLSD_CAUSE_DIFFERS_FROM_ACCEPTED_CLIENTS, TLSD_CONF_LIKELY);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_SERVER_ENDPOINT, st->ip_version == 6 ? "[%s]:%u" : "%s:%u",
			    ip, st->ep.port);
	tlsd_diag_fact_u(d, TLSD_FACT_ACCEPTED, st->established);
	tlsd_diag_fact_u(d, TLSD_FACT_FAILED_SO_FAR, st->failed + 1);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_ACCEPTED_HAD, "%s", what);
	tlsd_diag_fact_str(d, TLSD_FACT_LACKS, lacks);
}

/* Indices of the servers with the most failures, best first. */
static unsigned top_servers(const struct tlsd_summary *s, const struct server_stats **top)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < s->n_slots; i++) {
		const struct server_stats *st = &s->servers[i];
		unsigned j;

		if (!st->used || st->failed == 0)
			continue;
		if (n == TOP_SERVERS && top[n - 1]->failed >= st->failed)
			continue;
		j = n < TOP_SERVERS ? n++ : n - 1;
		while (j > 0 && top[j - 1]->failed < st->failed) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = st;
	}
	return n;
}

static const char *const party_label[3] = {"unknown", "client", "server"};

/* "label a 3, b 1" on one line: the counts of all, minus those in `minus`
 * (further findings = every diagnosis of a failure that was not its main
 * cause). Nothing when all are zero. */
static void code_list(FILE *out, const char *label, const struct diag_count *all, unsigned n_all,
		      const struct diag_count *minus, unsigned n_minus)
{
	bool first = true;

	for (unsigned i = 0; i < n_all; i++) {
		uint64_t n = all[i].n;

		for (unsigned j = 0; j < n_minus; j++)
			if (strcmp(minus[j].code, all[i].code) == 0)
				n -= minus[j].n;
		if (!n)
			continue;
		fprintf(out, "%s %s %" PRIu64, first ? label : ",", all[i].code, n);
		first = false;
	}
	if (!first)
		fputc('\n', out);
}

static void json_codes(FILE *out, const char *key, const struct diag_count *tab, unsigned n)
{
	fprintf(out, ",\"%s\":{", key);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", tab[i].code, tab[i].n);
	fputc('}', out);
}

void tlsd_summary_text(const struct tlsd_summary *s, FILE *out, bool color)
{
	const struct server_stats *top[TOP_SERVERS];
	unsigned ntop = top_servers(s, top);
	uint64_t total = s->outcomes[0] + s->outcomes[1] + s->outcomes[2];
	char buf[24];

	fprintf(out, "%sSummary%s: %" PRIu64 " TLS connection%s: %" PRIu64 " established, %" PRIu64
		" failed, %" PRIu64 " incomplete\n",
		color ? "\033[1m" : "", color ? "\033[0m" : "", total, total == 1 ? "" : "s",
		s->outcomes[TLSD_OUTCOME_ESTABLISHED], s->outcomes[TLSD_OUTCOME_FAILED],
		s->outcomes[TLSD_OUTCOME_INCOMPLETE]);
	if (s->outcomes[TLSD_OUTCOME_FAILED]) {
		fputs("  failed at step:", out);
		for (int i = 1; i < 6; i++)
			if (s->steps[i])
				fprintf(out, " %s %" PRIu64, tlsd_step_name((enum tlsd_step)i), s->steps[i]);
		fputc('\n', out);
	}
	for (int p = 0; p < 3; p++) {
		for (int c = 0; c < 256; c++)
			if (s->alerts[p][c])
				fprintf(out, "  alert %s (%d) from %s: %" PRIu64 "\n",
					tlsd_name_alert_or_code((uint8_t)c, buf, sizeof(buf)), c,
					party_label[p], s->alerts[p][c]);
		if (s->encrypted_alerts[p])
			fprintf(out, "  encrypted alert from %s: %" PRIu64 "\n", party_label[p],
				s->encrypted_alerts[p]);
	}
	for (unsigned i = 0; i < s->n_causes; i++)
		fprintf(out, "  cause %s: %" PRIu64 "\n", s->causes[i].code, s->causes[i].n);
	if (s->failures_without_cause)
		fprintf(out, "  no cause named: %" PRIu64 "\n", s->failures_without_cause);
	code_list(out, "  further findings on failed or incomplete connections:", s->diags, s->n_diags, s->causes,
		  s->n_causes);
	code_list(out, "  warnings on established connections:", s->warnings, s->n_warnings, NULL, 0);
	if (ntop)
		fputs("  servers with the most failures:\n", out);
	for (unsigned i = 0; i < ntop; i++) {
		char ip[64];

		tlsd_addr_str(&top[i]->ep.addr, top[i]->ip_version, ip, sizeof(ip));
		fprintf(out, top[i]->ip_version == 6 ? "    [%s]:%u" : "    %s:%u", ip, top[i]->ep.port);
		if (top[i]->has_sni) {
			fputs(" sni=", out);
			tlsd_text_escaped(out, top[i]->sni, top[i]->sni_len);
		}
		fprintf(out, "  %" PRIu64 " failed, %" PRIu64 " established\n", top[i]->failed,
			top[i]->established);
	}
}

void tlsd_summary_json(const struct tlsd_summary *s, FILE *out)
{
	const struct server_stats *top[TOP_SERVERS];
	unsigned ntop = top_servers(s, top);
	char buf[24];
	bool first = true;

	fprintf(out, "{\"summary\":{\"connections\":%" PRIu64 ",\"established\":%" PRIu64
		",\"failed\":%" PRIu64 ",\"incomplete\":%" PRIu64 ",\"failed_steps\":{",
		s->outcomes[0] + s->outcomes[1] + s->outcomes[2], s->outcomes[0], s->outcomes[1],
		s->outcomes[2]);
	for (int i = 1; i < 6; i++) {
		if (!s->steps[i])
			continue;
		fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",", tlsd_step_name((enum tlsd_step)i),
			s->steps[i]);
		first = false;
	}
	fputs("},\"alerts\":[", out);
	first = true;
	for (int p = 0; p < 3; p++) {
		for (int c = 0; c < 256; c++) {
			if (!s->alerts[p][c])
				continue;
			fprintf(out, "%s{\"sender\":\"%s\",\"code\":%d,\"name\":\"%s\",\"count\":%" PRIu64 "}",
				first ? "" : ",", party_label[p], c,
				tlsd_name_alert_or_code((uint8_t)c, buf, sizeof(buf)), s->alerts[p][c]);
			first = false;
		}
		if (s->encrypted_alerts[p]) {
			fprintf(out, "%s{\"sender\":\"%s\",\"code\":null,\"name\":null,\"encrypted\":true,"
				"\"count\":%" PRIu64 "}", first ? "" : ",", party_label[p],
				s->encrypted_alerts[p]);
			first = false;
		}
	}
	fputs("],\"diagnoses\":{", out);
	for (unsigned i = 0; i < s->n_diags; i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", s->diags[i].code, s->diags[i].n);
	fputs("},\"top_failing_servers\":[", out);
	for (unsigned i = 0; i < ntop; i++) {
		char ip[64];

		tlsd_addr_str(&top[i]->ep.addr, top[i]->ip_version, ip, sizeof(ip));
		fprintf(out, "%s{\"ip\":\"%s\",\"port\":%u,\"sni\":", i ? "," : "", ip,
			top[i]->ep.port);
		if (top[i]->has_sni)
			tlsd_json_string(out, top[i]->sni, top[i]->sni_len);
		else
			fputs("null", out);
		fprintf(out, ",\"failed\":%" PRIu64 ",\"established\":%" PRIu64 "}", top[i]->failed,
			top[i]->established);
	}
	fprintf(out, "],\"servers_not_tracked\":%" PRIu64, s->servers_dropped);
	/* Additions: each failure's main cause, failures without one, and the
	 * warnings on established connections. */
	json_codes(out, "causes", s->causes, s->n_causes);
	fprintf(out, ",\"failures_without_cause\":%" PRIu64, s->failures_without_cause);
	json_codes(out, "warnings", s->warnings, s->n_warnings);
	fprintf(out, "},\"type\":\"summary\",\"schema_version\":%d}\n", TLSD_JSON_SCHEMA_VERSION);
}
