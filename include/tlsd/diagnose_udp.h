/* The QUIC and DTLS rules of FAILURE-CATALOG.md ("QUIC and DTLS", Q1-Q8):
 * pure functions from a finished session's transport facts (udp_facts.h)
 * to the report. Called by tlsd_diagnose() for sessions that did not run
 * over TCP. */
#ifndef TLSD_DIAGNOSE_UDP_H
#define TLSD_DIAGNOSE_UDP_H

#include "tlsd/session_facts.h"

/* Fills r->transport, quic_version and quic_close. When the transport's own
 * facts decide the verdict (no answer, Version Negotiation, Retry, a
 * transport close, a stateless reset, ICMP, the order of QUIC packets, DTLS
 * cookies and retransmissions), also outcome, failed_step, termination,
 * alert, time_to_failure and the diagnoses, and returns true. Returns false
 * when a readable TLS alert decides (a QUIC crypto error, a DTLS alert): the
 * TLS rules then apply exactly as over TCP. */
bool tlsd_diagnose_udp(const struct tlsd_session *s, struct tlsd_report *r);

/* Below this long without an answer, a capture that ends proves nothing
 * about the server. */
#define TLSD_UDP_NO_RESPONSE_MIN_WAIT TLSD_NS_PER_SEC

/* A DTLS flight whose datagrams exceed this (UDP payload bytes) and that
 * never drew an answer, from a side whose smaller datagrams did: the path
 * MTU is the likely cause (1280, IPv6's minimum MTU, less the IPv6 and UDP
 * headers and some tunnel overhead). */
#define TLSD_DTLS_MTU_SUSPECT 1200u

#endif
