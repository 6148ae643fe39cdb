/* The vocabulary of diagnoses: every cause code (the stable catalog names of
 * FAILURE-CATALOG.md) and every fact a diagnosis can rest on. Diagnoses are
 * built from these as data (diagnose.c, summary.c); only the reporters turn
 * them into words (explain.c), so a diagnosis costs nothing to build when
 * it is not shown.
 *
 * A cause's sentence may name facts as {key}: the reporter puts the fact's
 * value there. A fact's phrase is what it adds to the evidence line, with {}
 * for its value; a fact without a phrase only feeds the sentence. */
#ifndef TLSD_DIAG_CODES_H
#define TLSD_DIAG_CODES_H

/* X(enum suffix, "catalog name", "sentence") */
#define TLSD_CAUSE_LIST(X)                                                                        \
	X(NO_SHARED_CIPHER, "no_shared_cipher",                                                   \
	  "The server rejected the client's offer: none of the cipher suites the client proposed " \
	  "is enabled on it.{hint}")                                                              \
	X(NO_SHARED_GROUP, "no_shared_group",                                                     \
	  "Client and server have no key-exchange group in common; enable a common group such "   \
	  "as x25519 or secp256r1 on both sides.")                                                \
	X(PROTOCOL_VERSION_MISMATCH, "protocol_version_mismatch", "{hint}")                        \
	X(INAPPROPRIATE_FALLBACK, "inappropriate_fallback",                                       \
	  "The client retried at a lower version with TLS_FALLBACK_SCSV and the server, which "   \
	  "supports a higher one, refused; find why the client's first, higher-version attempt "  \
	  "failed.")                                                                              \
	X(UNRECOGNIZED_NAME, "unrecognized_name",                                                 \
	  "The server does not serve the host name the client asked for (SNI); add the name to "  \
	  "the server's configuration or connect with a name it serves.")                         \
	X(NO_APPLICATION_PROTOCOL, "no_application_protocol",                                     \
	  "Client and server share no application protocol (ALPN); enable one of the client's "   \
	  "protocols on the server.")                                                             \
	X(SNI_REQUIRED, "sni_required",                                                           \
	  "The server refused a ClientHello that carries no server name (SNI), as name-based "    \
	  "servers (CDNs, virtual hosts) do; configure the client to send SNI (connect by host "  \
	  "name).")                                                                               \
	X(SERVER_NOT_TLS, "server_not_tls",                                                       \
	  "The server answered with something that is not TLS: this port serves a plaintext "     \
	  "protocol; connect to the TLS port or enable TLS on this one.")                         \
	X(CLIENT_NOT_TLS, "client_not_tls",                                                       \
	  "The client sent something that is not TLS to this port; configure it to use TLS here " \
	  "(e.g. https:// instead of http://).")                                                  \
	X(SERVER_NO_RESPONSE, "server_no_response",                                               \
	  "The server accepted the TCP connection but did not answer the ClientHello; check that " \
	  "a TLS server (not a hung or overloaded process) listens there and that nothing drops " \
	  "the hello.")                                                                           \
	X(RESET_AFTER_CLIENT_HELLO, "reset_after_client_hello",                                   \
	  "The connection was reset right after the ClientHello without a TLS answer; typical of " \
	  "a firewall or SNI filter blocking the name, or a server refusing the connection "      \
	  "outright.")                                                                            \
	X(MIDDLEBOX_RESET, "middlebox_reset",                                                     \
	  "The reset most likely came from a device on the path, not from the server; check "     \
	  "firewalls, IPS and SNI filters between client and server.")                            \
	X(SERVER_CLOSED_AFTER_CLIENT_HELLO, "server_closed_after_client_hello",                   \
	  "The server closed the connection right after the ClientHello without a TLS answer; "   \
	  "its logs should say why it refused the hello (or a proxy in front of it did).")        \
	X(LARGE_CLIENT_HELLO, "large_client_hello",                                               \
	  "The ClientHello was larger than one segment; some middleboxes drop or reset such "     \
	  "hellos (e.g. with post-quantum key shares): retry without the large key share, or fix " \
	  "the device in between.")                                                               \
	X(CLIENT_CERTIFICATE_REQUIRED, "client_certificate_required",                             \
	  "The server requires a client certificate and the client sent none; configure the "     \
	  "client with a certificate and key issued by a CA the server trusts (a client whose "   \
	  "certificate is from a CA the server does not name sends none).")                       \
	X(CLIENT_CERTIFICATE_REJECTED, "client_certificate_rejected",                             \
	  "The server rejected the client's certificate; check that a CA in the server's "        \
	  "client-CA list issued it, that it is valid now and allows client authentication.")     \
	X(SERVER_CERTIFICATE_UNTRUSTED, "server_certificate_untrusted", "{hint}")                  \
	X(SERVER_CERTIFICATE_REJECTED, "server_certificate_rejected",                             \
	  "The client rejected the server's certificate; check its validity dates, host names "   \
	  "and chain against the client's trust store.")                                          \
	X(KEY_EXCHANGE_SIGNATURE_INVALID, "key_exchange_signature_invalid",                       \
	  "The server's ServerKeyExchange signature does not verify with the public key of its "  \
	  "certificate: the server's private key does not match its certificate (install the "   \
	  "matching key and certificate pair), or the traffic was altered on the way.")           \
	X(FINISHED_VERIFICATION_FAILED, "finished_verification_failed",                           \
	  "The Finished message did not verify: the two sides derived different keys or saw "    \
	  "different handshakes (a middlebox altering it, a broken implementation, or stale "     \
	  "session state); check devices in between.")                                            \
	X(CERTIFICATE_FINDING, "certificate", "{certificate_text}")                                      \
	X(TRUST_ANCHOR_NOT_IN_STORE, "trust_anchor_not_in_store",                                 \
	  "The server's chain ends at a CA that tlsdiag's trust store lacks; the client accepted " \
	  "it (or may have, when the capture was made), so this is not a failure: add the CA "    \
	  "with --ca-file to check such chains.")                                                 \
	X(ALERT, "alert", "{hint}")                                                               \
	X(CLIENT_ABANDONED, "client_abandoned",                                                   \
	  "The client gave up before the handshake could finish ({hint}); the server did not "    \
	  "fail: look at the client (a preconnect, a connection race, a timeout or a scanner).")  \
	X(CAPTURE_INCOMPLETE, "capture_incomplete",                                               \
	  "The capture does not hold enough of this connection for a verdict; capture from its "  \
	  "start, with a full snap length and without drops.")                                     \
	X(CAPTURE_ONE_SIDED, "capture_one_sided",                                                 \
	  "The capture holds only one direction of this connection (asymmetric routing, a SPAN "  \
	  "of one side, or drops); what the other side did is not visible: capture both "         \
	  "directions.")                                                                          \
	X(PACKETS_MISSING, "packets_missing",                                                     \
	  "Packets that the peers exchanged are missing from the capture; the verdict cannot "    \
	  "rest on them: capture without drops (a larger buffer, a full snap length).")           \
	X(CAPTURE_DISCONTINUITY, "capture_discontinuity",                                         \
	  "The capture itself is interrupted (nothing at all was captured for a while: a time "   \
	  "jump, a paused, sampled or merged capture); no timeout can be judged across it.")      \
	X(ANALYSIS_LIMIT_REACHED, "analysis_limit_reached",                                       \
	  "One of tlsdiag's own limits stopped the analysis of this connection ({limit}); raise " \
	  "it with {option} and run tlsdiag again on the same capture.")                          \
	X(TLS_LOOKALIKE, "tls_lookalike",                                                         \
	  "Records that look like TLS but no handshake: an obfuscated or proprietary protocol "   \
	  "on a TLS port.")                                                                       \
	X(SSL2_NEGOTIATED, "ssl2_negotiated",                                                     \
	  "Client and server completed an SSL 2.0 handshake: an insecure protocol, broken for "   \
	  "decades; disable SSL 2.0 on both sides.")                                              \
	X(MALFORMED_RECORD, "malformed_record",                                                   \
	  "A record with an impossible header (content type, version or length) arrived during "  \
	  "the handshake: the sender's TLS stack or a device in between corrupts the stream.")   \
	X(DUPLICATE_CLIENT_HELLO, "duplicate_client_hello",                                       \
	  "The client sent a second ClientHello on the same connection without being asked "     \
	  "(no HelloRetryRequest), then the handshake was aborted: a client or proxy bug.")       \
	X(HANDSHAKE_MESSAGE_TOO_LARGE, "handshake_message_too_large",                             \
	  "A handshake message larger than the peer accepts (e.g. a long certificate chain) "     \
	  "ended the handshake; shorten the chain or raise the peer's limit.")                    \
	X(HEARTBEAT_ABUSE, "heartbeat_abuse",                                                     \
	  "Heartbeat messages outside a completed handshake, or a response larger than its "      \
	  "request: Heartbleed probing (CVE-2014-0160); check that the server is patched.")       \
	X(SERVER_HELLO_INVALID, "server_hello_invalid",                                           \
	  "The client refused the ServerHello: the server chose something the client did not "    \
	  "offer; fix the server's choice (or the device rewriting the hello).")                  \
	X(CLIENT_HELLO_INCOMPLETE, "client_hello_incomplete",                                     \
	  "The ClientHello never arrived whole and the connection stalled; a device on the path " \
	  "may drop large segments (check the MTU and middleboxes).")                             \
	X(DIFFERS_FROM_ACCEPTED_CLIENTS, "differs_from_accepted_clients",                         \
	  "The same server accepted {accepted} other handshakes, all with {accepted_had}; this "  \
	  "client lacked {lacks}: align its configuration with the clients that succeed.")        \
	X(PORT_UNREACHABLE, "port_unreachable",                                                   \
	  "The client's datagrams were refused with ICMP {icmp}: nothing listens on UDP port "    \
	  "{udp_port} there, or a firewall rejects it; start the service or open the port.")      \
	X(QUIC_VERSION_MISMATCH, "quic_version_mismatch",                                         \
	  "The server does not speak the client's QUIC version and offered others; enable a "     \
	  "common version (QUIC v1) on both sides.")                                              \
	X(QUIC_RETRY_FAILED, "quic_retry_failed", "{hint}")                                        \
	X(QUIC_NO_RESPONSE, "quic_no_response",                                                   \
	  "The server never answered the client's QUIC Initials: UDP to port {udp_port} is "      \
	  "dropped on the path (firewall, rate limit) or no QUIC server listens there; browsers " \
	  "then fall back to TCP.")                                                               \
	X(QUIC_TRANSPORT_ERROR, "quic_transport_error",                                           \
	  "The {close_sender} closed the connection during the handshake with the QUIC error "   \
	  "{quic_error}; its logs say why (transport parameters, tokens, limits).")              \
	X(QUIC_STATELESS_RESET, "quic_stateless_reset",                                           \
	  "The server no longer knew the connection and reset it (restarted, or a load balancer " \
	  "sent the packets to another node).")                                                   \
	X(QUIC_BLOCKED_TCP_FALLBACK, "quic_blocked_tcp_fallback",                                 \
	  "UDP to this server is blocked or rate-limited on the path while TCP gets through: "    \
	  "the client fell back to TCP. Allow UDP port {udp_port} (QUIC) through the firewalls "  \
	  "in between.")                                                                          \
	X(DTLS_COOKIE_EXCHANGE_FAILED, "dtls_cookie_exchange_failed", "{hint}")                   \
	X(DTLS_RETRANSMISSION_TIMEOUT, "dtls_retransmission_timeout",                             \
	  "The {flight_sender} sent its DTLS handshake flight {flight_sendings} time(s) and never got an "  \
	  "answer: {hint}")                                                                       \
	X(CAUSE_NOT_VISIBLE, "cause_not_visible",                                                 \
	  "The capture shows that the handshake failed but not why ({hint}); more would show "    \
	  "with the session keys (--keylog), the other direction, or the peers' logs.")

/* Fact kinds (how a value is stored and written). */
enum tlsd_fact_kind {
	TLSD_FK_COUNT,      /* v.u */
	TLSD_FK_CA_COUNT,   /* v.u CAs a CertificateRequest named: "1 CA named", 0 any CA */
	TLSD_FK_BYTES,      /* v.u, "N bytes" */
	TLSD_FK_DURATION,   /* v.i nanoseconds */
	TLSD_FK_BOOL,       /* a: 0/1, "yes"/"no" */
	TLSD_FK_FLAG,       /* present: the phrase alone */
	TLSD_FK_STR,        /* v.s: NUL-terminated printable ASCII that outlives the report */
	TLSD_FK_VERSION,    /* a: a protocol version */
	TLSD_FK_GROUP,      /* a: a named group */
	TLSD_FK_ALERT,      /* a: code, b: level | 0x100 client | 0x200 encrypted */
	TLSD_FK_PARTY,      /* a: enum tlsd_party */
	TLSD_FK_ENDING,     /* a: enum tlsd_party, b: enum tlsd_how */
	TLSD_FK_STATE,      /* a: enum tlsd_sstate */
	TLSD_FK_HINT,       /* a: enum tlsd_hint (words chosen by the rule) */
	/* Values read from the report itself (no payload). */
	TLSD_FK_OFFER,      /* suites (with their mix) and versions offered */
	TLSD_FK_VERSIONS,   /* versions offered */
	TLSD_FK_GROUPS,     /* groups and key shares offered */
	TLSD_FK_ALPN,       /* ALPN offered */
	TLSD_FK_SNI,        /* the SNI, or "absent" */
	TLSD_FK_SAMPLE,     /* a: direction; the first bytes it sent (report.sample) */
};

/* X(enum suffix, "json key", kind, "evidence phrase" or NULL) */
#define TLSD_FACT_LIST(X)                                                                         \
	X(HINT, "hint", TLSD_FK_HINT, NULL)                                                       \
	X(OFFER, "offer", TLSD_FK_OFFER, "client offered {}")                                     \
	X(VERSIONS_OFFERED, "versions_offered", TLSD_FK_VERSIONS, "client offered {}")            \
	X(GROUPS_OFFERED, "groups_offered", TLSD_FK_GROUPS, "{}")                                 \
	X(ALPN_OFFERED, "alpn_offered", TLSD_FK_ALPN, "client offered ALPN {}")                   \
	X(SNI, "sni", TLSD_FK_SNI, "SNI {}")                                                      \
	X(SERVER_VERSION, "server_version", TLSD_FK_VERSION, "server chose {}")                   \
	X(HRR_GROUP, "hrr_group", TLSD_FK_GROUP, "HelloRetryRequest asked for {}")                \
	X(HRR_NO_GROUP, "hrr_named_no_group", TLSD_FK_FLAG,                                       \
	  "the HelloRetryRequest named no group (no key_share): the server accepts none of the "  \
	  "client's")                                                                             \
	X(FALLBACK_SCSV, "fallback_scsv", TLSD_FK_BOOL, "client sent TLS_FALLBACK_SCSV: {}")      \
	X(ALERT, "alert", TLSD_FK_ALERT, "{}")                                                    \
	X(AFTER_CLIENT_HELLO, "after_client_hello_ms", TLSD_FK_DURATION, "{} after the ClientHello") \
	X(STATE, "state", TLSD_FK_STATE, "handshake state {}")                                   \
	X(CH_MALFORMED_AT, "client_hello_malformed_at", TLSD_FK_STR,                              \
	  "the ClientHello is malformed at {}")                                                   \
	X(CH_MALFORMED_OFFSET, "client_hello_malformed_offset", TLSD_FK_COUNT, "offset {}")       \
	X(UNEXPECTED, "unexpected", TLSD_FK_STR, "unexpected: {}")                                \
	X(SERVER_CERTS, "server_certificates", TLSD_FK_COUNT, "server sent {} certificate(s)")    \
	X(SERVER_CERT_BYTES, "server_certificate_bytes", TLSD_FK_BYTES, "{} of certificates")     \
	X(CLIENT_CERTS, "client_certificates", TLSD_FK_COUNT, "client sent {} certificate(s)")    \
	X(CLIENT_CERT_BYTES, "client_certificate_bytes", TLSD_FK_BYTES, "{} of certificates")     \
	X(CERT_REQUEST, "certificate_request", TLSD_FK_FLAG, "server sent CertificateRequest")    \
	X(CA_NAME_FIRST, "ca_name_first", TLSD_FK_STR,                                           \
	  "server asked for a certificate from \"{}\"")                                            \
	X(CA_NAMES, "ca_names", TLSD_FK_CA_COUNT, "({})")                                         \
	X(CLIENT_CERT_SENT, "client_certificate_message", TLSD_FK_STR, "client sent {}")         \
	X(TLS13_CLIENT_FLIGHT, "tls13_client_flight_records", TLSD_FK_COUNT,                      \
	  "TLS 1.3: client's flight {} record(s)")                                                \
	X(TLS13_CLIENT_FLIGHT_FIRST, "tls13_client_flight_first_bytes", TLSD_FK_BYTES,           \
	  "first {}")                                                                              \
	X(CLIENT_CHAIN, "client_certificate", TLSD_FK_STR, "client certificate {}")               \
	X(CLIENT_CHAIN_VERIFY, "client_certificate_verify", TLSD_FK_STR, "{}")                    \
	X(STORE_VERIFIES, "store_verifies", TLSD_FK_FLAG,                                         \
	  "the chain verifies against tlsdiag's trust store, so the client's own store lacks "    \
	  "its root CA")                                                                          \
	X(CLIENT_CCS, "client_ccs", TLSD_FK_BOOL, "client ChangeCipherSpec {}")                   \
	X(SERVER_CCS, "server_ccs", TLSD_FK_BOOL, "server ChangeCipherSpec {}")                   \
	X(ENDED, "ended", TLSD_FK_ENDING, "ended by {}")                                          \
	X(CERT_TEXT, "certificate_text", TLSD_FK_STR, NULL)                                       \
	X(CERT_EVIDENCE, "certificate_evidence", TLSD_FK_STR, "{}")                               \
	X(OPENSSL_ERROR, "openssl_error", TLSD_FK_STR, "OpenSSL: {}")                             \
	X(TRUST_ROOT, "chain_top_issuer", TLSD_FK_STR, "the chain ends at {}")                    \
	X(LEAF_AIA, "leaf_names_issuer_url", TLSD_FK_BOOL,                                        \
	  "leaf carries an AIA caIssuers URL for its issuer (as publicly issued "                 \
	  "certificates do): {}")                                                                  \
	X(SKE_DETAIL, "server_key_exchange", TLSD_FK_STR, "{}")                                   \
	X(SAMPLE, "first_bytes", TLSD_FK_SAMPLE, "{}")                                            \
	X(SSL2_SERVER_HELLO, "ssl2_server_hello", TLSD_FK_FLAG, "an SSL 2.0 SERVER-HELLO")        \
	X(RST_FROM, "reset_from", TLSD_FK_PARTY, "RST from the {}'s address")                     \
	X(RST_TTL, "reset_ttl", TLSD_FK_COUNT, "the RST's TTL {}")                                \
	X(RST_EVIDENCE, "reset_evidence", TLSD_FK_STR, "{}")                                      \
	X(SERVER_FIN, "server_fin", TLSD_FK_FLAG, "the server closed (FIN)")                      \
	X(NO_SERVER_BYTES, "no_server_bytes", TLSD_FK_FLAG, "no TLS bytes from the server")       \
	X(WAITED, "waited_ms", TLSD_FK_DURATION, "waited {} after the ClientHello")               \
	X(SERVER_ACKED_HELLO, "server_acked_client_hello", TLSD_FK_BOOL,                          \
	  "the server acknowledged the ClientHello: {}")                                          \
	X(HELLO_ACKED, "client_hello_bytes_acked", TLSD_FK_BYTES,                                 \
	  "the server's ACKs covered {} of it")                                                   \
	X(CH_SIZE, "client_hello_bytes", TLSD_FK_BYTES, "ClientHello {}")                         \
	X(CH_CUT_HAVE, "client_hello_bytes_sent", TLSD_FK_BYTES,                                  \
	  "the client sent {} of its first handshake record")                                      \
	X(CH_CUT_WANT, "client_hello_record_bytes", TLSD_FK_BYTES, "its header announced {}")                     \
	X(CH_RECORDS, "client_hello_records", TLSD_FK_COUNT, "in {} record(s)")                   \
	X(MIDSTREAM, "midstream", TLSD_FK_FLAG,                                                   \
	  "the capture started in the middle of the connection (no SYN, no ClientHello)")        \
	X(MISSING_CLIENT, "client_bytes_missing", TLSD_FK_BYTES,                                  \
	  "{} of the client's stream missing from the capture")                                   \
	X(MISSING_SERVER, "server_bytes_missing", TLSD_FK_BYTES,                                  \
	  "{} of the server's stream missing from the capture")                                   \
	X(SNAP_CUT, "snap_length_cut_bytes", TLSD_FK_BYTES,                                      \
	  "the capture's snap length cut off {}")                                                  \
	X(NO_CLIENT_PACKETS, "no_client_packets", TLSD_FK_FLAG, "no packet from the client")      \
	X(NO_SERVER_PACKETS, "no_server_packets", TLSD_FK_FLAG, "no packet from the server")      \
	X(CLIENT_WENT_ON, "client_went_on", TLSD_FK_FLAG,                                         \
	  "the client went on with the handshake, so the server had answered")                 \
	X(CLIENT_ACCEPTED_CHAIN, "client_went_on_after_certificate", TLSD_FK_FLAG,                \
	  "the client went on with the handshake after receiving the chain")                     \
	X(AFTER_OWN_FINISHED, "after_own_finished_ms", TLSD_FK_DURATION,                         \
	  "the client ended it {} after its own Finished")                                        \
	X(OVERSIZED_MESSAGE, "oversized_message_from", TLSD_FK_PARTY,                             \
	  "a {} handshake message above the size limit")                                          \
	X(CAPTURE_DEFECT, "capture_defect", TLSD_FK_STR, "{}")                                    \
	X(CAPTURE_ENDED, "capture_ended_in", TLSD_FK_STATE, "the capture ended in state {}")      \
	X(SILENCE, "capture_silent_ms", TLSD_FK_DURATION,                                         \
	  "nothing at all was captured for {}")                                                   \
	X(CLIENT_GAVE_UP_AFTER, "client_gave_up_after_ms", TLSD_FK_DURATION,                      \
	  "the client ended it {} after its ClientHello")                                         \
	X(BEFORE_SERVER_BYTE, "before_server_byte", TLSD_FK_FLAG,                                 \
	  "before any byte from the server")                                                      \
	X(FLIGHT_UNACKED, "server_flight_unacknowledged", TLSD_FK_BYTES,                          \
	  "the client had not acknowledged {} of the server's flight")                            \
	X(REACTION, "after_server_flight_ms", TLSD_FK_DURATION,                                   \
	  "the client ended it {} after the server's last record")                                \
	X(CLIENT_HELLOS, "client_hellos", TLSD_FK_COUNT, "{} ClientHellos on one connection")     \
	X(HEARTBEATS_CLIENT, "heartbeats_client", TLSD_FK_COUNT, "{} heartbeat(s) from the client") \
	X(HEARTBEATS_SERVER, "heartbeats_server", TLSD_FK_COUNT, "{} heartbeat(s) from the server") \
	X(RECORD_HEADER, "record_header", TLSD_FK_SAMPLE, "record header {}")                     \
	X(LIMIT, "limit", TLSD_FK_STR, "{}")                                                      \
	X(OPTION, "option", TLSD_FK_STR, NULL)                                                    \
	X(SERVER_ENDPOINT, "server", TLSD_FK_STR, "server {}")                                    \
	X(ACCEPTED, "accepted", TLSD_FK_COUNT, "{} accepted")                                     \
	X(FAILED_SO_FAR, "failed", TLSD_FK_COUNT, "{} failed so far")                             \
	X(ACCEPTED_HAD, "accepted_had", TLSD_FK_STR, "every accepted handshake had {}")           \
	X(LACKS, "lacks", TLSD_FK_STR, NULL)                                                      \
	X(SNI_ACCEPTED_ELSEWHERE, "accepted_with_sni", TLSD_FK_COUNT,                             \
	  "the same server accepted {} handshake(s) with SNI")                                    \
	X(UDP_PORT, "udp_port", TLSD_FK_COUNT, NULL)                                              \
	X(ICMP, "icmp", TLSD_FK_STR, "ICMP {}")                                                   \
	X(ICMP_FROM, "icmp_from", TLSD_FK_STR, "from {}")                                         \
	X(ICMP_COUNT, "icmp_errors", TLSD_FK_COUNT, "{} ICMP error(s)")                           \
	X(AFTER_FIRST_DATAGRAM, "after_first_datagram_ms", TLSD_FK_DURATION,                      \
	  "{} after the client's first datagram")                                                 \
	X(CLIENT_DATAGRAMS, "client_datagrams", TLSD_FK_COUNT,                                    \
	  "{} datagram(s) from the client")                                                       \
	X(CLIENT_INITIALS, "client_initials", TLSD_FK_COUNT, "{} Initial packet(s)")              \
	X(CLIENT_SPAN, "client_span_ms", TLSD_FK_DURATION, "over {}")                             \
	X(NO_SERVER_PACKET, "no_server_packet", TLSD_FK_FLAG, "no packet from the server")        \
	X(QUIC_VERSION, "quic_version", TLSD_FK_STR, "the client's Initial used QUIC {}")         \
	X(VN_VERSIONS, "version_negotiation", TLSD_FK_STR,                                        \
	  "the server's Version Negotiation lists {}")                                            \
	X(RETRIES, "retries", TLSD_FK_COUNT, "{} Retry packet(s) from the server")                \
	X(INITIALS_AFTER_RETRY, "initials_after_retry", TLSD_FK_COUNT,                            \
	  "{} client Initial(s) after the last one")                                              \
	X(RETRY_TOKEN_USED, "retry_token_used", TLSD_FK_BOOL, "the token sent back: {}")          \
	X(QUIC_CLOSE, "quic_close", TLSD_FK_STR, "{}")                                            \
	X(CLOSE_SENDER, "close_sender", TLSD_FK_PARTY, NULL)                                      \
	X(QUIC_ERROR, "quic_error", TLSD_FK_STR, NULL)                                            \
	X(HS_FLIGHT, "handshake_flight", TLSD_FK_STR, "{}")                                       \
	X(STATELESS_RESET, "stateless_reset", TLSD_FK_FLAG,                                       \
	  "the server's last datagram is no packet of this connection (its Destination "          \
	  "Connection ID is not the client's): a stateless reset")                                \
	X(TCP_FALLBACK, "tcp_fallback", TLSD_FK_STR, "{}")                                        \
	X(HVR_COUNT, "hello_verify_requests", TLSD_FK_COUNT,                                      \
	  "{} HelloVerifyRequest(s) from the server")                                             \
	X(HVR_AFTER_COOKIE, "hello_verify_requests_after_cookie", TLSD_FK_COUNT,                  \
	  "{} of them answering a hello that carried the cookie")                                 \
	X(COOKIE_HELLOS, "cookie_hellos", TLSD_FK_COUNT, "{} ClientHello(s) with a cookie")       \
	X(CLIENT_AFTER_HVR, "client_datagrams_after_hvr", TLSD_FK_COUNT,                          \
	  "{} client datagram(s) after the first HelloVerifyRequest, none a hello with its "      \
	  "cookie")                                                                               \
	X(WATCHED_AFTER, "watched_ms", TLSD_FK_DURATION, "the capture went on {} after it")       \
	X(NO_ANSWER_TO_COOKIE, "no_answer_to_cookie_hello", TLSD_FK_FLAG,                         \
	  "no datagram from the server after the hello with the cookie")                          \
	X(FLIGHT_SENDER, "flight_sender", TLSD_FK_PARTY, "the {}'s flight")                       \
	X(RETRANSMISSIONS, "retransmissions", TLSD_FK_COUNT, "sent again {} time(s)")            \
	X(TRIES, "flight_sendings", TLSD_FK_COUNT, NULL)                                          \
	X(RETRANSMIT_SPAN, "retransmitting_ms", TLSD_FK_DURATION, "over {}")                      \
	X(LARGEST_DATAGRAM, "largest_datagram", TLSD_FK_BYTES, "its largest datagram {}")         \
	X(ANSWERED_DATAGRAM, "largest_answered_datagram", TLSD_FK_BYTES,                          \
	  "the largest datagram of that side that drew an answer {}")                             \
	X(PEER_RETRANSMITTED, "peer_retransmissions", TLSD_FK_COUNT,                              \
	  "meanwhile the peer sent its own previous flight again {} time(s), so it never "        \
	  "received this one")                                                                    \
	X(PEER_SILENT, "peer_silent", TLSD_FK_FLAG,                                               \
	  "the peer sent nothing at all after this flight began")

/* Words a rule picks for a sentence's {hint} (explain.c writes them). */
enum tlsd_hint {
	TLSD_HINT_NONE = 0,
	TLSD_HINT_CIPHER_CBC_ONLY,
	TLSD_HINT_CIPHER_OBSOLETE,
	TLSD_HINT_CIPHER_GENERIC,
	TLSD_HINT_VERSION_CLIENT_REFUSED, /* client refused the server's choice */
	TLSD_HINT_VERSION_SERVER_REFUSED, /* server refused every offered version */
	TLSD_HINT_VERSION_OLD_ONLY,       /* client offered only versions below TLS 1.2 */
	TLSD_HINT_VERSION_SSL2,           /* server answered in SSL 2.0 */
	TLSD_HINT_UNTRUSTED_ALERT,        /* the client said unknown_ca */
	TLSD_HINT_UNTRUSTED_STORE,        /* tlsdiag's store cannot verify the chain */
	TLSD_HINT_ALERT_PEER_LOGS,        /* "its logs say why" */
	TLSD_HINT_ALERT_EXPLAINED,        /* another diagnosis says why */
	TLSD_HINT_ALERT_MALFORMED_HELLO,  /* the server could not read a malformed ClientHello */
	TLSD_HINT_ABANDON_BEFORE_ANSWER,  /* before any answer from the server */
	TLSD_HINT_ABANDON_PARTIAL_FLIGHT, /* before it had received the server's whole flight */
	TLSD_HINT_ABANDON_SLOW,           /* seconds after the server's flight, without an alert */
	TLSD_HINT_ABANDON_BEFORE_FINISHED, /* right after its own Finished, before the server's */
	TLSD_HINT_ABANDON_BEFORE_ANSWER_OR_RACE, /* QUIC: closed without error before completion */
	TLSD_HINT_NOT_VISIBLE_ENCRYPTED,  /* an encrypted alert without keys */
	TLSD_HINT_NOT_VISIBLE_SILENT,     /* a close or reset without an alert */
	TLSD_HINT_NOT_VISIBLE_TIMEOUT,    /* the connection went silent */
	TLSD_HINT_RETRY_LOOP,             /* QUIC: Retry after Retry */
	TLSD_HINT_RETRY_NOT_FOLLOWED,     /* QUIC: the client ignored the Retry */
	TLSD_HINT_COOKIE_NOT_RETURNED,    /* DTLS: no hello with the cookie after the HVR */
	TLSD_HINT_COOKIE_LOOP,            /* DTLS: an HVR answered the hello with the cookie */
	TLSD_HINT_COOKIE_IGNORED,         /* DTLS: the hello with the cookie got no answer */
	TLSD_HINT_RETX_LOST,              /* DTLS: the flight's datagrams are lost or filtered */
	TLSD_HINT_RETX_MTU,               /* DTLS: ... larger than the path MTU */
	TLSD_HINT_RETX_PEER_STOPPED,      /* DTLS: lost, or the peer stopped (it sent nothing) */
};

#endif
