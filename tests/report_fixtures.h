/* A hand-built report for the reporter, filter and grouping tests: a TLS 1.2
 * client 10.0.0.5:51234 whose ClientHello the server 192.0.2.7:443 refused
 * with a fatal handshake_failure (no_shared_cipher, certain). */
#ifndef TLSD_TEST_REPORT_FIXTURES_H
#define TLSD_TEST_REPORT_FIXTURES_H

#include <arpa/inet.h>
#include <string.h>

#include "tlsd/report.h"

static inline void fixture_ip(struct tlsd_endpoint *e, const char *ip, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->port = port;
	if (inet_pton(AF_INET, ip, e->addr.b) != 1)
		(void)inet_pton(AF_INET6, ip, e->addr.b);
}

static inline void fixture_report(struct tlsd_report *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_first = INT64_C(1764213360123456000); /* 2025-11-27 03:16:00.123456 UTC */
	r->ts_last = r->ts_first + 12300000;
	r->ip_version = 4;
	fixture_ip(&r->client, "10.0.0.5", 51234);
	fixture_ip(&r->server, "192.0.2.7", 443);
	r->has_sni = true;
	memcpy(r->sni, "www.example.com", 15);
	r->sni_len = 15;
	r->n_versions_offered = 1;
	r->versions_offered[0] = 0x0303;
	r->outcome = TLSD_OUTCOME_FAILED;
	r->failed_step = TLSD_STEP_SERVER_HELLO;
	r->has_last_message = true;
	r->last_message = 1;
	strcpy(r->history, "Cl{}");
	r->term_by = TLSD_PARTY_SERVER;
	r->term_how = TLSD_HOW_ALERT;
	r->has_alert = true;
	r->alert.sender = TLSD_PARTY_SERVER;
	r->alert.level = 2;
	r->alert.code = 40;
	r->rtt = -1;
	r->time_to_failure = 400000;
	r->client_hello_len = 150;
	r->client_hello_segments = 1;
	r->n_suites_offered = r->n_suites_kept = 2;
	r->suites_offered[0] = 0xc02f; /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	r->suites_offered[1] = 0x009c; /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
	(void)tlsd_report_diag(r, TLSD_CAUSE_NO_SHARED_CIPHER, TLSD_CONF_CERTAIN);
}

#endif
