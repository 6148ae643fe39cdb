/* Finished connections in one order, then to the sink. */
#include "tlsd/merge.h"

#include <stdlib.h>
#include <string.h>

/* Server endpoints seen speaking TLS, so that a client's plain text to
 * one of them that is answered only by a close can still be explained
 * (client_not_tls). A direct-mapped cache: a collision forgets the older. */
#define TLS_SERVER_CACHE 16384u

struct tls_server_key {
	struct tlsd_addr addr;
	uint16_t port;
	uint8_t ip_version; /* 0: empty slot */
};

struct tlsd_merge {
	struct tlsd_conn_cfg sink;
	struct tlsd_counters *counts;
	struct tls_server_key *tls_servers;
};

struct tlsd_merge *tlsd_merge_new(const struct tlsd_conn_cfg *sink, struct tlsd_counters *counts)
{
	struct tlsd_merge *mg = calloc(1, sizeof(*mg));

	if (!mg)
		return NULL;
	mg->sink = *sink;
	mg->counts = counts;
	mg->tls_servers = calloc(TLS_SERVER_CACHE, sizeof(*mg->tls_servers));
	if (!mg->tls_servers) {
		free(mg);
		return NULL;
	}
	return mg;
}

void tlsd_merge_free(struct tlsd_merge *mg)
{
	if (!mg)
		return;
	free(mg->tls_servers);
	free(mg);
}

static uint32_t server_slot(const struct tlsd_endpoint *sv)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(sv->addr.b); i++)
		h = (h ^ sv->addr.b[i]) * 16777619u;
	h = (h ^ sv->port) * 16777619u;
	return h % TLS_SERVER_CACHE;
}

static void remember_tls_server(struct tlsd_merge *mg, const struct tlsd_conn_done *d)
{
	struct tls_server_key *k = &mg->tls_servers[server_slot(&d->server)];

	k->addr = d->server.addr;
	k->port = d->server.port;
	k->ip_version = d->ip_version;
}

static bool known_tls_server(const struct tlsd_merge *mg, const struct tlsd_conn_done *d)
{
	const struct tls_server_key *k = &mg->tls_servers[server_slot(&d->server)];

	return k->ip_version == d->ip_version && k->port == d->server.port &&
	       memcmp(k->addr.b, d->server.addr.b, sizeof(k->addr.b)) == 0;
}

bool tlsd_merge_before(const struct tlsd_conn_done *a, const struct tlsd_conn_done *b)
{
	if (a->event != b->event)
		return a->event < b->event;
	if (a->rank != b->rank)
		return a->rank < b->rank;
	return a->seq < b->seq;
}

void tlsd_merge_emit(struct tlsd_merge *mg, struct tlsd_conn_done *d)
{
	if (d->if_known_server) {
		if (!known_tls_server(mg, d)) {
			d->release(d);
			return;
		}
		tlsd_counters_add(mg->counts, d->if_known_server);
	}
	if (d->r) {
		if (d->tls_server)
			remember_tls_server(mg, d);
		if (mg->sink.emit)
			mg->sink.emit(mg->sink.ud, d->r, NULL, d->frames, d->frames_len);
	}
	d->release(d);
}

void tlsd_merge_stream_push(struct tlsd_merge_stream *s, struct tlsd_conn_done *d)
{
	d->next = NULL;
	if (s->tail)
		s->tail->next = d;
	else
		s->head = d;
	s->tail = d;
	s->queued++;
	s->has_floor = true;
	s->floor.event = d->event;
	s->floor.rank = d->rank;
	s->floor.seq = d->seq;
}

static struct tlsd_conn_done *stream_pop(struct tlsd_merge_stream *s)
{
	struct tlsd_conn_done *d = s->head;

	s->head = d->next;
	if (!s->head)
		s->tail = NULL;
	s->queued--;
	s->emitted++;
	return d;
}

void tlsd_merge_stream_drop(struct tlsd_merge_stream *s)
{
	while (s->head) {
		struct tlsd_conn_done *d = stream_pop(s);

		d->release(d);
	}
}

/* Whether stream s can still produce a connection that sorts before d. */
static bool may_precede(const struct tlsd_merge_stream *s, const struct tlsd_conn_done *d)
{
	if (s->head)
		return tlsd_merge_before(s->head, d);
	if (s->watermark >= d->event)
		return false;
	return !s->has_floor || !tlsd_merge_before(d, &s->floor);
}

size_t tlsd_merge_run(struct tlsd_merge *mg, struct tlsd_merge_stream *const *s, size_t n)
{
	size_t done = 0;

	for (;;) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (s[i]->head && (best == n || tlsd_merge_before(s[i]->head, s[best]->head)))
				best = i;
		if (best == n)
			return done;
		for (size_t i = 0; i < n; i++)
			if (i != best && may_precede(s[i], s[best]->head))
				return done;
		tlsd_merge_emit(mg, stream_pop(s[best]));
		done++;
	}
}
