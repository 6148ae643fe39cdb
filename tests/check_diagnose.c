/* Unit tests for the verdict and the diagnosis rules: sessions are built by
 * hand (struct tlsd_session filled directly), one test per catalog row or
 * rule, no pcaps. */
#include <check.h>
#include <string.h>

#include "cert_fixtures.h"
#include "tlsd/diagnose.h"
#include "tlsd/tls_names.h"
#include "explain_fixtures.h"

#define MSEC (TLSD_NS_PER_SEC / 1000)
#define T0 (INT64_C(1700000000) * TLSD_NS_PER_SEC)
#define C2S TLSD_DIR_C2S
#define S2C TLSD_DIR_S2C

/* TLS 1.2 offers: CBC only, and a modern mix. */
static const uint16_t cbc_suites[] = {0xc014, 0xc013, 0x0035, 0x002f, 0x000a};
static const uint16_t modern_suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc030};

/* A client that sent its hello 1 ms after the TCP handshake. */
static void base(struct tlsd_session *s, uint16_t max_version)
{
	tlsd_session_init(s, NULL);
	s->tcp_opened = true;
	s->syn_seen = true;
	s->syn_ts = T0;
	s->synack_ts = T0 + MSEC / 10;
	s->ack3_ts = T0 + MSEC / 5;
	s->has_ch = true;
	s->ch_parsed = true;
	s->ch_ts = T0 + MSEC;
	s->ch_len = 300;
	s->ch_records = 1;
	s->ch_segments = 1;
	struct tlsd_client_hello ch = {.legacy_version = TLSD_VERSION_TLS12};

	if (max_version == TLSD_VERSION_TLS13) {
		memcpy(ch.suites, modern_suites, sizeof(modern_suites));
		ch.n_suites = ch.n_suites_total = TLSD_ARRAY_SIZE(modern_suites);
		ch.has_supported_versions = true;
		ch.n_versions = 2;
		ch.versions[0] = TLSD_VERSION_TLS13;
		ch.versions[1] = TLSD_VERSION_TLS12;
		ch.n_groups = 2;
		ch.groups[0] = 0x001d;
		ch.groups[1] = 0x0017;
		ch.n_key_shares = 1;
		ch.key_share_groups[0] = 0x001d;
		ch.key_share_lens[0] = 32;
	} else {
		memcpy(ch.suites, cbc_suites, sizeof(cbc_suites));
		ch.n_suites = ch.n_suites_total = TLSD_ARRAY_SIZE(cbc_suites);
		ch.legacy_version = max_version;
	}
	tlsd_session_set_client_hello(s, &ch);
	s->state = TLSD_SS_CLIENT_HELLO;
	s->ended = true;
	s->end_how = TLSD_FLOW_END_CLOSE;
	s->end_ts = T0 + 50 * MSEC;
}

/* The session's ClientHello with SNI name (len bytes). */
static void set_sni(struct tlsd_session *s, const char *name, size_t len)
{
	struct tlsd_client_hello ch;

	tlsd_session_client_hello(s, &ch);
	ch.has_sni = true;
	memcpy(ch.sni, name, len);
	ch.sni_len = (uint16_t)len;
	tlsd_session_set_client_hello(s, &ch);
}

static void server_hello(struct tlsd_session *s, uint16_t version, uint16_t suite)
{
	s->has_sh = true;
	s->sh_parsed = true;
	s->sh.legacy_version = TLSD_VERSION_TLS12;
	s->sh.selected_version = version == TLSD_VERSION_TLS13 ? version : 0;
	s->sh.suite = suite;
	s->version = version;
	s->sh_ts = s->ch_ts + MSEC;
	s->state = version == TLSD_VERSION_TLS13 ? TLSD_SS_TLS13_SERVER_FLIGHT
						 : TLSD_SS_SERVER_HELLO;
	s->dir[S2C].records++;
	s->dir[S2C].last_ts = s->sh_ts;
}

/* The TLS 1.2 server flight: Certificate, ServerKeyExchange, [CR,] Done. */
static void server_flight12(struct tlsd_session *s, bool cert_request)
{
	s->srv_cert = true;
	s->srv_cert_count = 1;
	s->srv_cert_len = 1200;
	s->ske = true;
	s->cert_request = cert_request;
	s->srv_done = true;
	s->state = TLSD_SS_SERVER_DONE;
	s->dir[S2C].records += 3;
}

/* The client's TLS 1.2 answer up to its encrypted Finished. */
static void client_flight12(struct tlsd_session *s, int certs)
{
	if (certs >= 0) {
		s->cli_cert = true;
		s->cli_cert_count = (uint32_t)certs;
		s->cli_cert_empty = certs == 0;
	}
	s->cke = true;
	s->dir[C2S].ccs = true;
	s->dir[C2S].finished = true;
	s->state = TLSD_SS_CLIENT_FINISHED;
}

static void alert(struct tlsd_session *s, enum tlsd_dir d, uint8_t level, uint8_t desc,
		  tlsd_time_ns ts)
{
	struct tlsd_sess_alert a = {
		.dir = d,
		.level = level,
		.desc = desc,
		.state = s->state,
		.before_peer_ccs = !s->dir[tlsd_dir_other(d)].ccs,
		.ts = ts,
	};

	s->n_alerts_kept++;
	s->last_alert = a;
	s->n_alerts++;
	s->has_fatal = true;
	s->fatal = a;
}

/* A TLS <= 1.2 alert record under the new keys: its type shows, not its
 * content (what session.c's note_alert keeps before completion). */
static void note_encrypted_alert_for_test(struct tlsd_session *s, enum tlsd_dir d, tlsd_time_ns ts)
{
	alert(s, d, 0, 0, ts);
	s->fatal.encrypted = true;
	s->last_alert.encrypted = true;
}

/* What tlsd_session_tcp_fin/_rst note without a flow: the end, and what
 * the peer had sent by then. */
static void note_end(struct tlsd_session *s, enum tlsd_dir d, tlsd_time_ns ts)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	const struct tlsd_sess_dir *od = &s->dir[d ^ 1];

	if (sd->end_seen)
		return;
	sd->end_seen = true;
	sd->end_ts = ts;
	sd->end_peer_records = od->records;
	sd->end_peer_last_ts = od->records ? od->last_ts : 0;
}

static void fin(struct tlsd_session *s, enum tlsd_dir d, tlsd_time_ns ts)
{
	s->dir[d].fin = true;
	s->dir[d].fin_ts = ts;
	note_end(s, d, ts);
}

static void rst(struct tlsd_session *s, enum tlsd_dir d, tlsd_time_ns ts, bool middlebox)
{
	s->dir[d].rst = true;
	s->dir[d].rst_ts = ts;
	note_end(s, d, ts);
	s->dir[d].rst_info.ts = ts;
	s->dir[d].rst_info.ttl = middlebox ? 250 : 64;
	s->dir[d].rst_middlebox = middlebox;
	if (middlebox) {
		static char why[2][TLSD_SESS_RST_WHY_LEN]; /* the session's own is heap */

		s->dir[d].rst_why = why[d];
		snprintf(why[d], sizeof(why[d]), "the RST had TTL 250, the server's own packets 64");
	}
}

/* TLS 1.3 record counts as the size-based rules see them. */
static void tls13_flights(struct tlsd_session *s, uint32_t cli_records, uint16_t cli_first)
{
	server_hello(s, TLSD_VERSION_TLS13, 0x1302);
	s->t13.srv_flight = 4;
	s->t13.srv_flight_last_len = 69;
	s->dir[S2C].enc_records = 4;
	if (cli_records) {
		s->t13.cli_flight = cli_records;
		s->t13.cli_flight_first_len = cli_first;
		s->t13.cli_flight_ts = s->sh_ts + MSEC;
		s->dir[C2S].enc_records = cli_records;
		s->state = TLSD_SS_TLS13_CLIENT_FLIGHT;
	}
}

static void tls13_post(struct tlsd_session *s, uint32_t n, uint16_t first_len)
{
	s->t13.post_srv = n;
	s->t13.post_srv_first_len = first_len;
	s->t13.post_srv_first_ts = s->t13.cli_flight_ts + MSEC;
	s->state = TLSD_SS_TLS13_POST;
}

static const struct tlsd_diag *find(const struct tlsd_report *r, const char *code)
{
	for (unsigned i = 0; i < r->n_diags; i++)
		if (strcmp(r->diags[i].code, code) == 0)
			return &r->diags[i];
	return NULL;
}

#define ASSERT_DIAG(r, code_, conf)                                                      \
	do {                                                                                \
		const struct tlsd_diag *dg_ = find((r), (code_));                            \
		ck_assert_msg(dg_ != NULL, "missing diagnosis %s (first: %s)", (code_),     \
			      (r)->n_diags ? (r)->diags[0].code : "none");                  \
		ck_assert_str_eq(tlsd_confidence_name(dg_->confidence),                     \
				 tlsd_confidence_name(conf));                               \
		ck_assert_msg(TXT((r), dg_)[0] && EVD((r), dg_)[0], "empty text/evidence");     \
	} while (0)

#define ASSERT_VERDICT(r, out, st, by_, how_)                                                \
	do {                                                                                     \
		ck_assert_str_eq(tlsd_outcome_name((r)->outcome), tlsd_outcome_name(out));       \
		ck_assert_int_eq((r)->failed_step, (st));                                        \
		ck_assert_str_eq(tlsd_party_name((r)->term_by), tlsd_party_name(by_));          \
		ck_assert_str_eq(tlsd_how_name((r)->term_how), tlsd_how_name(how_));            \
	} while (0)

static void report(const struct tlsd_session *s, struct tlsd_report *r)
{
	tlsd_session_report(s, NULL, r);
}

/* Row 1: TLS 1.2 offer of CBC suites only, server handshake_failure. */
START_TEST(tc_no_shared_cipher)
{
	struct tlsd_session s;
	struct tlsd_report r;
	const struct tlsd_diag *dg;

	base(&s, TLSD_VERSION_TLS12);
	alert(&s, S2C, 2, 40, s.ch_ts + MSEC / 2);
	fin(&s, C2S, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert(r.has_alert);
	ck_assert_int_eq(r.alert.code, 40);
	ck_assert_int_eq(r.alert.sender, TLSD_PARTY_SERVER);
	ck_assert(!r.alert.encrypted);
	ASSERT_DIAG(&r, "no_shared_cipher", TLSD_CONF_LIKELY);
	dg = find(&r, "no_shared_cipher");
	ck_assert_ptr_nonnull(strstr(TXT(&r, dg), "only CBC"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, dg), "CBC only: 5"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, dg), "handshake_failure"));
	ck_assert_str_eq(r.diags[0].code, "no_shared_cipher");
	ck_assert_int_eq(r.time_to_failure, MSEC / 2);
}
END_TEST

/* A TLS 1.3 offer with SNI refused with 40: cipher or group, both
 * possible. Without SNI, a mainstream offer refused points at the missing
 * name (catalog row 35: suricata-verify tls-extra-alert, CloudFront). */
START_TEST(tc_tls13_offer_handshake_failure)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	set_sni(&s, "a.example", 9);
	alert(&s, S2C, 2, 40, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "no_shared_cipher", TLSD_CONF_POSSIBLE);
	ASSERT_DIAG(&r, "no_shared_group", TLSD_CONF_POSSIBLE);
	ck_assert(!find(&r, "sni_required"));

	base(&s, TLSD_VERSION_TLS13);
	alert(&s, S2C, 2, 40, s.ch_ts + MSEC);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "sni_required");
	ASSERT_DIAG(&r, "sni_required", TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "no_shared_cipher", TLSD_CONF_POSSIBLE);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "SNI absent"));
}
END_TEST

/* Row 2: server protocol_version after the ClientHello. */
START_TEST(tc_version_server)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS10);
	alert(&s, S2C, 2, 70, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "protocol_version_mismatch", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "TLS 1.0"));
}
END_TEST

/* OpenSSL answers a TLS 1.0-only client with internal_error. */
START_TEST(tc_version_old_client_internal_error)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS10);
	alert(&s, S2C, 2, 80, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "protocol_version_mismatch", TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "alert_internal_error", TLSD_CONF_CERTAIN);
	ck_assert_str_eq(r.diags[0].code, "protocol_version_mismatch");
}
END_TEST

/* Row 3: TLS 1.3-only client, server chose TLS 1.2, client protocol_version. */
START_TEST(tc_version_client)
{
	struct tlsd_session s;
	struct tlsd_report r;

	struct tlsd_client_hello ch;

	base(&s, TLSD_VERSION_TLS13);
	tlsd_session_client_hello(&s, &ch);
	ch.n_versions = 1; /* TLS 1.3 only */
	tlsd_session_set_client_hello(&s, &ch);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	alert(&s, C2S, 2, 70, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "protocol_version_mismatch", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "server chose TLS 1.2"));
	ck_assert_ptr_nonnull(strstr(TXT(&r, &r.diags[0]), "TLS 1.2"));
	ck_assert_int_eq(r.version, TLSD_VERSION_TLS12);
}
END_TEST

/* Row 4: CertificateRequest, empty client Certificate, server alert. */
START_TEST(tc_client_cert_required_tls12)
{
	static const uint8_t codes[] = {40, 42, 116, 50};
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, true);
	client_flight12(&s, 0);
	alert(&s, S2C, 2, codes[_i], s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_CERTAIN);
	ck_assert_str_eq(r.diags[0].code, "client_certificate_required");
	ck_assert(r.client_cert_requested);
	ck_assert(!r.client_cert_sent);
}
END_TEST

/* Which CAs the CertificateRequest named, in the text and as JSON facts:
 * none (any CA), one, several, and a request that did not parse. */
static const struct {
	bool parsed;
	uint16_t n;
	bool named;
	const char *words;
} ca_cases[] = {
	{true, 0, false, "server sent CertificateRequest (it names no CA: the client may send any certificate, which the server still checks against CAs of its own); "
			 "client sent an empty Certificate"},
	{true, 1, true, "server sent CertificateRequest; server asked for a certificate from "
			"\"CN=tlsdiag Test Root CA,O=tlsdiag test\" (1 CA named); client sent an "
			"empty Certificate"},
	{true, 3, true, "from \"CN=tlsdiag Test Root CA,O=tlsdiag test\" (3 CAs named);"},
	{true, 2, false, "server sent CertificateRequest (2 CAs named); client sent"},
	{false, 0, false, "server sent CertificateRequest; client sent an empty Certificate"},
};

START_TEST(tc_client_cert_required_ca_names)
{
	static char first[] = "CN=tlsdiag Test Root CA,O=tlsdiag test";
	struct tlsd_session s;
	struct tlsd_report r;
	const struct tlsd_fact *f;
	const struct tlsd_diag *d;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, true);
	s.cr_parsed = ca_cases[_i].parsed;
	s.cr_ca_names = ca_cases[_i].n;
	s.cr_first_ca = ca_cases[_i].named ? first : NULL;
	client_flight12(&s, 0);
	alert(&s, S2C, 2, 40, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_CERTAIN);
	d = find(&r, "client_certificate_required");
	ck_assert_msg(strstr(EVD(&r, d), ca_cases[_i].words), "evidence: %s", EVD(&r, d));
	f = tlsd_diag_find(d, TLSD_FACT_CA_NAMES);
	if (ca_cases[_i].parsed) {
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(f->v.u, ca_cases[_i].n);
	} else {
		ck_assert_ptr_null(f);
	}
	f = tlsd_diag_find(d, TLSD_FACT_CA_NAME_FIRST);
	if (ca_cases[_i].named)
		ck_assert_str_eq(f->v.s, first);
	else
		ck_assert_ptr_null(f);
	s.cr_first_ca = NULL; /* not the session's to free */
}
END_TEST

/* ... and a server that just closes. */
START_TEST(tc_client_cert_required_close)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, true);
	client_flight12(&s, 0);
	fin(&s, S2C, s.sh_ts + 3 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_CLOSE);
	ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_LIKELY);
	ck_assert(!r.has_alert);
}
END_TEST

/* Row 5: TLS 1.3, small client flight, one 19-byte server record, FIN. */
START_TEST(tc_client_cert_required_tls13)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 3, 25);
	tls13_post(&s, 1, 19);
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert(r.has_alert);
	ck_assert(r.alert.encrypted);
	ck_assert_int_eq(r.alert.sender, TLSD_PARTY_SERVER);
	ck_assert_int_eq(r.alert.code, 0);
	ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_LIKELY);
}
END_TEST

/* Row 5 with the key log: the server's record decrypts to alert 116. The
 * same verdict as without keys, now certain, with the real code. */
START_TEST(tc_client_cert_required_tls13_decrypted)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 3, 25);
	tls13_post(&s, 1, 19);
	s.cert_request = true; /* the decrypted CertificateRequest */
	s.cr_parsed = true;    /* ... naming no CA */
	tlsd_session_alert_decrypted(&s, S2C, 2, 116, 5000, s.t13.post_srv_first_ts);
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert(r.has_alert);
	ck_assert(r.alert.encrypted);
	ck_assert(r.alert.decrypted);
	ck_assert_int_eq(r.alert.code, 116);
	ck_assert_int_eq(r.alert.level, 2);
	ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "client_certificate_required")),
				     "; server sent CertificateRequest (it names no CA: the client "
				     "may send any certificate, which the server still checks "
				     "against CAs of its own); "));
}
END_TEST

/* TLS 1.2: an alert record after CCS is first noted unreadable; decrypted,
 * it is replaced by what it said (not counted twice). */
START_TEST(tc_tls12_alert_decrypted_replaces)
{
	struct tlsd_session s;
	struct tlsd_sess_alert enc = {.dir = C2S, .encrypted = true, .off = 900, .ts = T0 + 3 * MSEC};
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	s.has_fatal = true;
	s.fatal = enc;
	s.last_alert = enc;
	s.n_alerts = s.n_alerts_kept = 1;
	tlsd_session_alert_decrypted(&s, C2S, 2, 20, 900, T0 + 3 * MSEC);
	ck_assert_uint_eq(s.n_alerts_kept, 1);
	ck_assert(s.has_fatal);
	ck_assert(!s.fatal.encrypted);
	ck_assert(s.fatal.decrypted);
	ck_assert_int_eq(s.fatal.desc, 20);
	report(&s, &r);
	ck_assert_int_eq(r.alert.code, 20);
	ck_assert(r.alert.encrypted && r.alert.decrypted);
}
END_TEST

/* Row 25 (TLS 1.3): the client's flight carried a certificate. */
START_TEST(tc_client_cert_rejected_tls13)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 3, 885);
	tls13_post(&s, 1, 19);
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "client_certificate_rejected", TLSD_CONF_LIKELY);
	ck_assert(!find(&r, "client_certificate_required"));
}
END_TEST

/* CCM_8 suites make the encrypted alert 11 bytes. */
START_TEST(tc_tls13_ccm8_alert_len)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 2, 17);
	s.sh.suite = 0x1305; /* TLS_AES_128_CCM_8_SHA256 */
	ck_assert(!tlsd_session_tls13_alert_sized(&s, 10));
	ck_assert(tlsd_session_tls13_alert_sized(&s, 11));
	ck_assert(tlsd_session_tls13_alert_sized(&s, 27));
	ck_assert(!tlsd_session_tls13_alert_sized(&s, 28));
	s.sh.suite = 0x1302;
	ck_assert(!tlsd_session_tls13_alert_sized(&s, 18));
	ck_assert(tlsd_session_tls13_alert_sized(&s, 19));
	ck_assert(tlsd_session_tls13_alert_sized(&s, 35));
	ck_assert(!tlsd_session_tls13_alert_sized(&s, 36));
	s.sh.suite = 0x1305;
	tls13_post(&s, 1, 11);
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
}
END_TEST

/* Stacks that pad TLS 1.3 records: Java's JSSE adds 16 zeros to every
 * record (its alerts are 35 bytes), Mbed TLS pads the inner plaintext to a
 * multiple of 16 (32). Both sides' alerts are read as alerts; one byte more
 * than JSSE's is a NewSessionTicket's size, and the server went on. */
START_TEST(tc_tls13_padded_alerts)
{
	static const uint16_t sizes[] = {32, 35};
	struct tlsd_session s;
	struct tlsd_report r;

	for (size_t i = 0; i < 2; i++) {
		base(&s, TLSD_VERSION_TLS13);
		tls13_flights(&s, 3, 25 + 16); /* JSSE's empty Certificate */
		tls13_post(&s, 1, sizes[i]);
		fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
		report(&s, &r);
		ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
			       TLSD_HOW_ALERT);
		ASSERT_DIAG(&r, "client_certificate_required", TLSD_CONF_LIKELY);

		base(&s, TLSD_VERSION_TLS13);
		tls13_flights(&s, 1, sizes[i]);
		fin(&s, C2S, s.t13.cli_flight_ts + MSEC / 10);
		report(&s, &r);
		ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
			       TLSD_HOW_ALERT);
		ASSERT_DIAG(&r, "server_certificate_rejected", TLSD_CONF_LIKELY);
	}
	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 3, 25);
	tls13_post(&s, 1, 36);
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
}
END_TEST

/* A fatal alert read with the key log as the server's only record after
 * the client's flight refused it, whatever its size (JSSE's bad_certificate
 * for a missing client certificate); after the server went on (a ticket,
 * data) a fatal alert is not the handshake's. */
START_TEST(tc_tls13_decrypted_server_alert_after_flight)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 3, 25);
	tls13_post(&s, 1, 51); /* larger than any padding allowed for */
	alert(&s, S2C, 2, 42, s.t13.post_srv_first_ts);
	s.fatal.decrypted = true;
	fin(&s, S2C, s.t13.post_srv_first_ts + MSEC / 10);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert_int_eq(r.alert.code, 42);

	tls13_post(&s, 3, 250);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
}
END_TEST

/* Catalog row 3: a hello that offers TLS 1.3 only, refused with 40 right
 * away: a server limited to TLS 1.2 (wolfSSL, GnuTLS send 40 where OpenSSL
 * sends 70); a suite or group mismatch stays possible. With TLS 1.2 offered
 * too, the version is not the likely reason. */
START_TEST(tc_tls13_only_hello_refused_with_40)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	s.ch.n_versions = 1;
	s.ch.has_sni = true;
	alert(&s, S2C, 2, 40, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert_str_eq(r.diags[0].code, "protocol_version_mismatch");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "no_shared_cipher", TLSD_CONF_POSSIBLE);

	base(&s, TLSD_VERSION_TLS13);
	s.ch.has_sni = true;
	alert(&s, S2C, 2, 40, s.ch_ts + MSEC);
	report(&s, &r);
	ck_assert(!find(&r, "protocol_version_mismatch"));
}
END_TEST

/* insufficient_security (71) before any ServerHello: the server wants more
 * than the offer holds; Erlang/OTP sends it where other stacks send 40. */
START_TEST(tc_server_71_before_server_hello)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	alert(&s, S2C, 2, 71, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ck_assert_str_eq(r.diags[0].code, "no_shared_cipher");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "insufficient_security"));

	base(&s, TLSD_VERSION_TLS13);
	alert(&s, S2C, 2, 71, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "no_shared_cipher", TLSD_CONF_POSSIBLE);
	ASSERT_DIAG(&r, "no_shared_group", TLSD_CONF_POSSIBLE);
}
END_TEST

/* Row 6: client unknown_ca after the server's certificate. */
START_TEST(tc_server_cert_untrusted)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	alert(&s, C2S, 2, 48, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "server_certificate_untrusted", TLSD_CONF_CERTAIN);
	ck_assert_str_eq(r.diags[0].code, "server_certificate_untrusted");
}
END_TEST

/* Row 7: TLS 1.3, OpenSSL client's plaintext unknown_ca. */
START_TEST(tc_server_cert_untrusted_tls13_plain)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 0, 0);
	alert(&s, C2S, 2, 48, s.sh_ts + MSEC);
	fin(&s, C2S, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "server_certificate_untrusted", TLSD_CONF_CERTAIN);
}
END_TEST

/* Row 7: TLS 1.3, the client's encrypted alert right after the server's flight. */
START_TEST(tc_server_cert_rejected_tls13_encrypted)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 1, 19);
	fin(&s, C2S, s.t13.cli_flight_ts + MSEC / 10);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ck_assert(r.alert.encrypted);
	ck_assert_int_eq(r.alert.sender, TLSD_PARTY_CLIENT);
	ASSERT_DIAG(&r, "server_certificate_rejected", TLSD_CONF_LIKELY);
}
END_TEST

/* Client bad_certificate .. certificate_unknown after the server's
 * chain, with nothing wrong in it that tlsdiag can see: the rejection is
 * on the wire (certain), its reason is not (Go sends 42 and Java 46 for an
 * unknown CA, a host name and a broken chain alike). Without the chain in
 * the capture, which certificate it refused is not shown: likely. */
START_TEST(tc_server_cert_rejected_tls12)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	alert(&s, C2S, 2, 42 + (uint8_t)_i, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "server_certificate_rejected", TLSD_CONF_CERTAIN);

	s.srv_cert = false;
	s.srv_cert_count = 0;
	report(&s, &r);
	ASSERT_DIAG(&r, "server_certificate_rejected", TLSD_CONF_LIKELY);
}
END_TEST

/* A client that closes right after the server's certificate flight. */
START_TEST(tc_client_abort_after_certificate)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	fin(&s, C2S, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ASSERT_DIAG(&r, "server_certificate_rejected", TLSD_CONF_POSSIBLE);
}
END_TEST

/* Rows 11, 12, 13: alerts that name their cause. */
START_TEST(tc_unrecognized_name)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	set_sni(&s, "bad.example", 11);
	alert(&s, S2C, 2, 112, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "unrecognized_name", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "\"bad.example\""));
	ck_assert(r.has_sni);
	ck_assert_int_eq(r.sni_len, 11);
}
END_TEST

START_TEST(tc_no_application_protocol)
{
	static const uint8_t alpn[] = {2, 'h', '2'};
	struct tlsd_session s;
	struct tlsd_report r;

	struct tlsd_client_hello ch;

	base(&s, TLSD_VERSION_TLS13);
	tlsd_session_client_hello(&s, &ch);
	ch.has_alpn = true;
	memcpy(ch.alpn.data, alpn, sizeof(alpn));
	ch.alpn.used = sizeof(alpn);
	ch.alpn.n = ch.alpn.total = 1;
	tlsd_session_set_client_hello(&s, &ch);
	alert(&s, S2C, 2, 120, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "no_application_protocol", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "\"h2\""));
}
END_TEST

START_TEST(tc_inappropriate_fallback)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS11);
	s.ch.fallback_scsv = true;
	alert(&s, S2C, 2, 86, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "inappropriate_fallback", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "TLS_FALLBACK_SCSV: yes"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "TLS 1.1"));
}
END_TEST

/* Row 14/17: TLS 1.3 (after an HRR) with tickets after the client's flight. */
START_TEST(tc_tls13_established)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	s.has_hrr = true;
	s.hrr.is_hrr = true;
	s.hrr.key_share_group = 0x0017;
	tls13_flights(&s, 2, 69);
	tls13_post(&s, 3, 250);
	fin(&s, S2C, s.t13.post_srv_first_ts + 2 * MSEC);
	fin(&s, C2S, s.t13.post_srv_first_ts + 3 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_ESTABLISHED, TLSD_STEP_NONE, TLSD_PARTY_SERVER,
		       TLSD_HOW_CLOSE);
	ck_assert_int_eq(r.n_diags, 0);
	ck_assert_int_eq(r.time_to_failure, -1);
}
END_TEST

/* No tickets: a normal close after the client's flight is established. */
START_TEST(tc_tls13_no_ticket_close)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 1, 53);
	fin(&s, C2S, s.t13.cli_flight_ts + 5 * MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	/* ... but a reset right after the flight is a failure at finished. */
	s.dir[C2S].fin = false;
	rst(&s, S2C, s.t13.cli_flight_ts + MSEC, false);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_FINISHED, TLSD_PARTY_SERVER,
		       TLSD_HOW_RESET);
	ASSERT_DIAG(&r, "finished_verification_failed", TLSD_CONF_POSSIBLE);
	/* ... and one long after (an idle connection torn down) is not. */
	s.dir[S2C].rst = false;
	s.dir[S2C].end_seen = false;
	rst(&s, S2C, s.t13.cli_flight_ts + 56 * TLSD_NS_PER_SEC, false);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
}
END_TEST

/* Row 15: HRR then handshake_failure; client illegal_parameter after an
 * HRR for a group it never offered. */
START_TEST(tc_no_shared_group)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	s.has_hrr = true;
	s.hrr.is_hrr = true;
	s.hrr.key_share_group = 0x0018;
	s.state = TLSD_SS_CLIENT_HELLO2;
	alert(&s, S2C, 2, 40, s.ch_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "no_shared_group", TLSD_CONF_LIKELY);

	base(&s, TLSD_VERSION_TLS13);
	s.has_hrr = true;
	s.hrr.is_hrr = true;
	s.hrr.key_share_group = 0x0018;
	s.state = TLSD_SS_HELLO_RETRY;
	alert(&s, C2S, 2, 47, s.ch_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "no_shared_group", TLSD_CONF_CERTAIN);
}
END_TEST

/* Row 16: TLS 1.2 success, data, encrypted close_notify, FIN. */
START_TEST(tc_tls12_established_close)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	client_flight12(&s, -1);
	s.dir[S2C].ccs = true;
	s.dir[S2C].finished = true;
	s.state = TLSD_SS_ESTABLISHED;
	s.established = true;
	s.has_closing_alert = true;
	s.closing_alert = (struct tlsd_sess_alert){
		.dir = S2C, .encrypted = true, .state = TLSD_SS_ESTABLISHED, .ts = s.ch_ts + 9 * MSEC};
	fin(&s, C2S, s.ch_ts + 11 * MSEC);
	fin(&s, S2C, s.ch_ts + 10 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_ESTABLISHED, TLSD_STEP_NONE, TLSD_PARTY_SERVER,
		       TLSD_HOW_CLOSE);
	ck_assert(r.has_alert);
	ck_assert(r.alert.encrypted);
	ck_assert_int_eq(r.n_diags, 0);
	ck_assert(!r.resumed);
	ck_assert_int_eq(r.cipher, 0xc02f);
}
END_TEST

/* Row 18: abbreviated handshake / PSK. */
START_TEST(tc_resumed)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	s.abbreviated = true;
	s.state = TLSD_SS_ESTABLISHED;
	s.established = true;
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert(r.resumed);
	ck_assert_int_eq(r.term_how, TLSD_HOW_CLOSE); /* end CLOSE without FIN events */

	base(&s, TLSD_VERSION_TLS13);
	tls13_flights(&s, 1, 69);
	s.psk_accepted = true;
	tls13_post(&s, 1, 250);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert(r.resumed);
}
END_TEST

/* Row 19: the server answers with HTTP. */
START_TEST(tc_server_not_tls)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n";
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	s.dir[S2C].framing = TLSD_FRAMING_NOT_TLS;
	memcpy(s.dir[S2C].sample, http, sizeof(http) - 1);
	s.dir[S2C].sample_len = sizeof(http) - 1;
	fin(&s, S2C, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_CLOSE);
	ASSERT_DIAG(&r, "server_not_tls", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "HTTP/1.1 400 Bad Request\\x0d\\x0a"));
}
END_TEST

/* A server answering in SSL 2.0 (SERVER-HELLO, message type 4) speaks SSL,
 * only not a version a current client accepts. */
START_TEST(tc_server_sslv2)
{
	static const uint8_t v2[] = {0x83, 0xb4, 0x04, 0x00, 0x01, 0x00, 0x02};
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	s.dir[S2C].framing = TLSD_FRAMING_NOT_TLS;
	memcpy(s.dir[S2C].sample, v2, sizeof(v2));
	s.dir[S2C].sample_len = sizeof(v2);
	fin(&s, S2C, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "protocol_version_mismatch", TLSD_CONF_CERTAIN);
	ck_assert(!find(&r, "server_not_tls"));
}
END_TEST

/* Row 20: plain text to a TLS server, which answers with an alert. */
START_TEST(tc_client_not_tls)
{
	static const char get[] = "GET / HTTP/1.1\r\n";
	struct tlsd_session s;
	struct tlsd_report r;

	tlsd_session_init(&s, NULL);
	s.syn_seen = true;
	s.dir[C2S].framing = TLSD_FRAMING_NOT_TLS;
	memcpy(s.dir[C2S].sample, get, sizeof(get) - 1);
	s.dir[C2S].sample_len = sizeof(get) - 1;
	alert(&s, S2C, 2, 10, T0 + MSEC);
	fin(&s, S2C, T0 + 2 * MSEC);
	s.ended = true;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "client_not_tls", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "GET / HTTP/1.1"));
}
END_TEST

/* Row 21: no answer, then the client gives up; or idle timeout; or the
 * capture ends (soon: incomplete; late: no response, likely). */
START_TEST(tc_server_no_response)
{
	struct tlsd_session s;
	struct tlsd_report r;

	/* The client's own timeout cut the wait: likely. */
	base(&s, TLSD_VERSION_TLS13);
	fin(&s, C2S, s.ch_ts + 2 * TLSD_NS_PER_SEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ASSERT_DIAG(&r, "server_no_response", TLSD_CONF_LIKELY);

	/* Silent for the whole idle timeout after acknowledging the hello:
	 * certain. */
	base(&s, TLSD_VERSION_TLS13);
	s.cover[C2S] = (struct tlsd_sess_cover){.known = true, .packets = 3, .syn = true,
						.stream_started = true, .captured = 600,
						.acked_known = true, .acked = 600};
	s.cover[S2C] = (struct tlsd_sess_cover){.known = true, .packets = 2, .syn = true,
						.stream_started = true, .acked_known = true};
	s.end_how = TLSD_FLOW_END_TIMEOUT;
	s.end_ts = s.ch_ts + 120 * TLSD_NS_PER_SEC;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_UNKNOWN,
		       TLSD_HOW_TIMEOUT);
	ASSERT_DIAG(&r, "server_no_response", TLSD_CONF_CERTAIN);

	base(&s, TLSD_VERSION_TLS13);
	s.end_how = TLSD_FLOW_END_CAPTURE_END;
	s.end_ts = s.ch_ts + 300 * MSEC;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_INCOMPLETE, TLSD_STEP_NONE, TLSD_PARTY_UNKNOWN,
		       TLSD_HOW_CAPTURE_END);
	ASSERT_DIAG(&r, "capture_incomplete", TLSD_CONF_CERTAIN);

	s.end_ts = s.ch_ts + 3 * TLSD_NS_PER_SEC;
	s.observed_until = s.end_ts;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_UNKNOWN,
		       TLSD_HOW_CAPTURE_END);
	ASSERT_DIAG(&r, "server_no_response", TLSD_CONF_LIKELY);
}
END_TEST

/* Row 23, silence: a 2,600-byte hello the server's TCP never received in
 * full (its ACKs, up to the FIN it sent 4 s later, stop short of it). The
 * server did not refuse the hello, it never had it: no response, and a
 * large hello that did not get through; likely when its first bytes did
 * and the rest did not. A quick close with the hello received stays a
 * close after the hello. */
static void cover(struct tlsd_session *s, uint64_t cli, uint64_t srv);

START_TEST(tc_large_hello_not_received)
{
	struct tlsd_session s;
	struct tlsd_report r;

	for (int part = 0; part < 2; part++) {
		base(&s, TLSD_VERSION_TLS13);
		s.ch_len = 2600;
		s.ch_segments = 2;
		cover(&s, 2609, 0);
		s.cover[C2S].acked = part ? 1448 : 0;
		fin(&s, S2C, s.ch_ts + 4 * TLSD_NS_PER_SEC);
		report(&s, &r);
		ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
			       TLSD_HOW_CLOSE);
		ASSERT_DIAG(&r, "server_no_response", TLSD_CONF_LIKELY);
		ck_assert(!find(&r, "server_closed_after_client_hello"));
		ASSERT_DIAG(&r, "large_client_hello", part ? TLSD_CONF_LIKELY : TLSD_CONF_POSSIBLE);
		ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "large_client_hello")),
					     part ? "covered 1448 bytes" : "covered 0 bytes"));
	}
	/* Received, then a close within the second: the server refused it. */
	base(&s, TLSD_VERSION_TLS13);
	s.ch_len = 2600;
	cover(&s, 2609, 0);
	fin(&s, S2C, s.ch_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "server_closed_after_client_hello", TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "large_client_hello", TLSD_CONF_POSSIBLE);
	ck_assert(!find(&r, "server_no_response"));
}
END_TEST

/* Row 22: reset after the ClientHello, from the server's address or not. */
START_TEST(tc_reset_after_client_hello)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	rst(&s, S2C, s.ch_ts + MSEC, false);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_RESET);
	ASSERT_DIAG(&r, "reset_after_client_hello", TLSD_CONF_CERTAIN);
	ck_assert(!find(&r, "middlebox_reset"));
	ck_assert(!find(&r, "large_client_hello"));

	base(&s, TLSD_VERSION_TLS13);
	rst(&s, S2C, s.ch_ts + 50 * MSEC, true);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_MIDDLEBOX,
		       TLSD_HOW_RESET);
	ASSERT_DIAG(&r, "reset_after_client_hello", TLSD_CONF_CERTAIN);
	ASSERT_DIAG(&r, "middlebox_reset", TLSD_CONF_LIKELY);
	ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "middlebox_reset")), "TTL 250"));
}
END_TEST

/* Row 23: a ClientHello over two segments, then a reset. */
START_TEST(tc_large_client_hello)
{
	struct tlsd_session s;
	struct tlsd_report r;

	struct tlsd_client_hello ch;

	base(&s, TLSD_VERSION_TLS13);
	s.ch_len = 1800;
	s.ch_segments = 2;
	tlsd_session_client_hello(&s, &ch);
	ch.key_share_groups[0] = 0x11ec;
	ch.key_share_lens[0] = 1216;
	tlsd_session_set_client_hello(&s, &ch);
	rst(&s, S2C, s.ch_ts + MSEC, true);
	report(&s, &r);
	ASSERT_DIAG(&r, "reset_after_client_hello", TLSD_CONF_CERTAIN);
	ASSERT_DIAG(&r, "middlebox_reset", TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "large_client_hello", TLSD_CONF_POSSIBLE);
	ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "large_client_hello")), "ClientHello 1800 bytes"));
	ck_assert_int_eq(r.client_hello_len, 1800);
	ck_assert_int_eq(r.client_hello_segments, 2);

	/* A small hello cut into two segments (by a capture point or a
	 * re-segmenting device) is not large: the verdict goes by size. */
	base(&s, TLSD_VERSION_TLS13);
	s.ch_len = 300;
	s.ch_segments = 2;
	rst(&s, S2C, s.ch_ts + MSEC, false);
	report(&s, &r);
	ck_assert(!find(&r, "large_client_hello"));
}
END_TEST

/* Row 25: the server rejects the client's certificate. */
START_TEST(tc_client_cert_rejected)
{
	static const uint8_t codes[] = {42, 43, 44, 45, 46, 48};
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, true);
	client_flight12(&s, 2);
	alert(&s, S2C, 2, codes[_i], s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "client_certificate_rejected", TLSD_CONF_CERTAIN);
	ck_assert(!find(&r, "client_certificate_required"));
	ck_assert(r.client_cert_sent);
}
END_TEST

/* Row 26: bad_record_mac / decrypt_error after the CCS. */
START_TEST(tc_finished_failed)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	client_flight12(&s, -1);
	alert(&s, S2C, 2, _i ? 51 : 20, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_FINISHED, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "finished_verification_failed", TLSD_CONF_CERTAIN);
}
END_TEST

/* Close or reset right after the client's Finished flight (no alert). */
START_TEST(tc_reset_after_finished)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	client_flight12(&s, -1);
	rst(&s, S2C, s.sh_ts + 2 * MSEC, false);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_FINISHED, TLSD_PARTY_SERVER,
		       TLSD_HOW_RESET);
	ASSERT_DIAG(&r, "finished_verification_failed", TLSD_CONF_POSSIBLE);
}
END_TEST

/* decrypt_error before any CCS (the ServerKeyExchange signature) and
 * illegal_parameter after the ServerKeyExchange: key_exchange. */
START_TEST(tc_key_exchange)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	alert(&s, C2S, 2, _i ? 47 : 51, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_KEY_EXCHANGE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, _i ? "alert_illegal_parameter" : "alert_decrypt_error",
		    TLSD_CONF_CERTAIN);
	ck_assert(!find(&r, "finished_verification_failed"));
}
END_TEST

/* Row 27: capture began mid-connection; a gap inside the handshake. */
START_TEST(tc_capture_incomplete)
{
	struct tlsd_session s;
	struct tlsd_report r;

	tlsd_session_init(&s, NULL);
	s.midstream = true;
	s.dir[C2S].enc_records = 5;
	s.dir[S2C].enc_records = 5;
	s.ended = true;
	s.end_how = TLSD_FLOW_END_CAPTURE_END;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_INCOMPLETE, TLSD_STEP_NONE, TLSD_PARTY_UNKNOWN,
		       TLSD_HOW_CAPTURE_END);
	ASSERT_DIAG(&r, "capture_incomplete", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "middle of the connection"));

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	s.dir[S2C].gap = true;
	s.dir[S2C].gap_in_handshake = true;
	s.dir[S2C].gap_off = 100;
	s.dir[S2C].gap_len = 1448;
	s.dir[S2C].framing = TLSD_FRAMING_GAP;
	fin(&s, C2S, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_INCOMPLETE);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_NONE);
	ASSERT_DIAG(&r, "packets_missing", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]),
				     "1448 bytes of the server's stream missing"));
}
END_TEST

/* Row 28: any other alert; a malformed hello refused with decode_error. */
START_TEST(tc_other_alert)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	s.ch_parsed = false;
	s.ch_err.field = "extensions";
	s.ch_err.off = 77;
	alert(&s, S2C, 2, 50, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, TLSD_PARTY_SERVER,
		       TLSD_HOW_ALERT);
	ASSERT_DIAG(&r, "alert_decode_error", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "malformed at extensions"));

	base(&s, TLSD_VERSION_TLS12);
	alert(&s, S2C, 2, 200, s.ch_ts + MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "alert_unknown_200", TLSD_CONF_CERTAIN);
}
END_TEST

/* A warning alert does not end the handshake; close_notify before
 * completion is the close. */
START_TEST(tc_close_notify_before_completion)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	s.has_close_alert = true;
	s.close_alert = (struct tlsd_sess_alert){
		.dir = C2S, .level = 1, .desc = 0, .state = s.state, .ts = s.sh_ts + MSEC};
	fin(&s, C2S, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ck_assert(r.has_alert);
	ck_assert_int_eq(r.alert.level, 1);
	ck_assert_int_eq(r.alert.code, 0);
}
END_TEST

/* ---- certificate findings (tests/certs fixtures, checked by cert.c) ------- */

static struct tlsd_chain_findings CF, CF_CLI; /* large: not on the stack */

/* A TLS 1.2 ECDHE session whose server chain (names) was checked against
 * store ca at 2025-06-01 with SNI sni; the client then alerts desc (0: the
 * client closes without an alert). */
static void cert_session(struct tlsd_session *s, const char *ca, const char *const *names,
			 const char *sni, int64_t t)
{
	struct tlsd_cert_store *st = tlsd_fix_store(ca, 0);

	tlsd_fix_findings(st, names, sni, t, &CF);
	tlsd_cert_store_free(st);
	base(s, TLSD_VERSION_TLS12);
	server_hello(s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(s, false);
	s->certs.checked = true;
	s->certs.srv_findings = &CF;
}

/* cert_session, then both sides' CCS and Finished: an established TLS 1.2
 * handshake over that chain. */
static void established12(struct tlsd_session *s, const char *ca, const char *const *names,
			  const char *sni, int64_t t)
{
	cert_session(s, ca, names, sni, t);
	client_flight12(s, -1);
	s->dir[S2C].ccs = true;
	s->dir[S2C].finished = true;
	s->state = TLSD_SS_ESTABLISHED;
	s->established = true;
}

static const char *const chain_expired[] = {"expired.der", "inter.der", NULL};
static const char *const chain_notyet[] = {"notyet.der", "inter.der", NULL};
static const char *const chain_good[] = {"good.der", "inter.der", NULL};
static const char *const chain_leaf_only[] = {"good.der", NULL};
static const char *const chain_self[] = {"selfsigned.der", NULL};
static const char *const chain_weak[] = {"weakrsa.der", "inter.der", NULL};
static const char *const chain_short[] = {"short.der", "inter.der", NULL};

/* The client's alert agrees with a finding: that finding is the certain
 * cause and comes first, instead of the generic rule for the alert. */
static const struct cert_cause_case {
	const char *label;
	const char *const *chain;
	const char *ca, *sni;
	enum tlsd_confidence conf; /* of the first diagnosis */
	uint8_t desc;
	const char *code;       /* first diagnosis */
	const char *evidence;   /* substring of its evidence */
	const char *absent;     /* a generic code that must not appear */
} cert_cause_cases[] = {
	{"expired, 45", chain_expired, "root.pem", "expired.test", TLSD_CONF_CERTAIN, 45, "certificate_expired",
	 "notAfter 2021-01-01T00:00:00Z", "server_certificate_rejected"},
	{"expired, 42", chain_expired, "root.pem", "expired.test", TLSD_CONF_CERTAIN, 42, "certificate_expired",
	 "capture time 2025-06-01T00:00:00Z", "server_certificate_rejected"},
	{"not yet valid, 42", chain_notyet, "root.pem", "notyet.test", TLSD_CONF_CERTAIN, 42,
	 "certificate_not_yet_valid", "notBefore 2030-01-01", "server_certificate_rejected"},
	{"host name, 42", chain_good, "root.pem", "www.example.org", TLSD_CONF_CERTAIN, 42, "hostname_mismatch",
	 "server.test", "server_certificate_rejected"},
	{"host name, 46", chain_good, "root.pem", "www.example.org", TLSD_CONF_CERTAIN, 46, "hostname_mismatch",
	 "SNI \"www.example.org\"", "server_certificate_rejected"},
	{"missing intermediate, 48", chain_leaf_only, "root.pem", "server.test", TLSD_CONF_LIKELY, 48,
	 "missing_intermediate", "Intermediate", "server_certificate_rejected"},
	{"untrusted, 48", chain_good, "other-root.pem", "server.test", TLSD_CONF_CERTAIN, 48,
	 "server_certificate_untrusted", "unable to get local issuer certificate", NULL},
	{"untrusted, 46", chain_good, "other-root.pem", "server.test", TLSD_CONF_LIKELY, 46,
	 "server_certificate_untrusted", "OpenSSL", "server_certificate_rejected"},
	{"self-signed, 48", chain_self, "root.pem", "selfsigned.test", TLSD_CONF_CERTAIN, 48, "self_signed",
	 "self-signed", "server_certificate_untrusted"},
	{"weak key, 42", chain_weak, "root.pem", "weak.test", TLSD_CONF_CERTAIN, 42, "weak_key", "1024 bits",
	 "server_certificate_rejected"},
	/* handshake_failure names nothing: an error of the chain after a key
	 * exchange that checks out is the likely cause (Erlang/OTP's clients
	 * send 40 for a host name). */
	{"host name, 40", chain_good, "root.pem", "www.example.org", TLSD_CONF_LIKELY, 40,
	 "hostname_mismatch", "SNI \"www.example.org\"", "alert_handshake_failure"},
	{"expired, 40", chain_expired, "root.pem", "expired.test", TLSD_CONF_LIKELY, 40,
	 "certificate_expired", "notAfter 2021-01-01T00:00:00Z", "alert_handshake_failure"},
};

/* NSS (Firefox's stack) in TLS 1.2 checks the server's chain while it
 * finishes the handshake: its Finished goes out first, its refusal after.
 * Read with the key log, a fatal alert from the client after both
 * Finished, before any data of its own, ends the handshake: certificate
 * step, the chain's finding certain (nss_cli_hostname_mismatch); with data
 * sent before it, the handshake was done. */
START_TEST(tc_nss_deferred_rejection_decrypted)
{
	struct tlsd_session s;
	struct tlsd_report r;

	established12(&s, "root.pem", chain_good, "www.example.org", TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, 42, s.sh_ts + 2 * MSEC);
	s.fatal.decrypted = true;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ck_assert_str_eq(r.diags[0].code, "hostname_mismatch");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);

	s.dir[C2S].app_records = 1;
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
}
END_TEST

/* Without keys, when NSS's alert beats the server's Finished (the race of
 * nss_cli_tls12_unknown_ca): an alert after the client's own Finished and
 * before the server's cannot be about that Finished; it refused what it
 * had, the server's certificate. An error of the chain itself comes first. */
START_TEST(tc_nss_alert_before_server_finished)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "other-root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
	client_flight12(&s, -1);
	note_encrypted_alert_for_test(&s, C2S, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ck_assert_str_eq(r.diags[0].code, "server_certificate_rejected");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
	ck_assert(!find(&r, "finished_verification_failed"));

	cert_session(&s, "root.pem", chain_good, "www.example.org", TLSD_FIX_T_2025_06_01);
	client_flight12(&s, -1);
	note_encrypted_alert_for_test(&s, C2S, s.sh_ts + 2 * MSEC);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "hostname_mismatch");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
}
END_TEST

/* Without keys, NSS's refusal after both Finished looks exactly like a
 * probe's close_notify right after the handshake (s_client </dev/null,
 * monitoring checks: fleet.pcap's b.tlsdiag.test clients do not check the
 * name and close this way, established). So it stays established, with the
 * chain's errors as warnings: only the key log shows the refusal. */
START_TEST(tc_nss_deferred_rejection_without_keys)
{
	struct tlsd_session s;
	struct tlsd_report r;

	established12(&s, "root.pem", chain_good, "www.example.org", TLSD_FIX_T_2025_06_01);
	s.established_ts = s.sh_ts + 2 * MSEC;
	s.dir[C2S].enc_records = 2;
	s.dir[C2S].enc_last[1] = (struct tlsd_sess_enc_rec){
		.type = 21, .len = 26, .state = TLSD_SS_ESTABLISHED, .ts = s.sh_ts + 3 * MSEC};
	s.has_closing_alert = true;
	s.closing_alert = (struct tlsd_sess_alert){.dir = C2S, .encrypted = true,
						   .state = TLSD_SS_ESTABLISHED, .ts = s.sh_ts + 3 * MSEC};
	fin(&s, C2S, s.sh_ts + 3 * MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ASSERT_DIAG(&r, "hostname_mismatch", TLSD_CONF_POSSIBLE);
}
END_TEST

/* A Finished followed by an alert and no data does not say the client
 * accepted the chain (NSS sends its Finished before checking it): a chain
 * only tlsdiag's store refuses is then a plain warning, not
 * trust_anchor_not_in_store's "the client accepted it"; with data from
 * the client, it is. */
START_TEST(tc_went_on_needs_more_than_finished_then_alert)
{
	struct tlsd_session s;
	struct tlsd_report r;

	for (int data = 0; data < 2; data++) {
		established12(&s, "other-root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
		s.dir[C2S].enc_records = 2;
		s.dir[C2S].enc_last[1].type = 21;
		s.dir[C2S].app_records = (uint32_t)data;
		report(&s, &r);
		ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
		if (data) {
			ck_assert_ptr_nonnull(find(&r, "trust_anchor_not_in_store"));
		} else {
			ck_assert(!find(&r, "trust_anchor_not_in_store"));
			ASSERT_DIAG(&r, "server_certificate_untrusted", TLSD_CONF_POSSIBLE);
		}
	}
}
END_TEST

/* ... but not when the chain's only error is what tlsdiag's own store makes
 * of it, nor when the ServerKeyExchange does not verify: the key exchange. */
START_TEST(tc_cert_cause_40_key_exchange)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "other-root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, 40, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_KEY_EXCHANGE);
	ASSERT_DIAG(&r, "alert_handshake_failure", TLSD_CONF_CERTAIN);

	/* A weak key is today's policy, not what a years-old client refused. */
	cert_session(&s, "root.pem", chain_weak, "weak.test", TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, 40, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_KEY_EXCHANGE);
	ck_assert(!find(&r, "weak_key") || find(&r, "weak_key")->confidence == TLSD_CONF_POSSIBLE);

	cert_session(&s, "root.pem", chain_good, "www.example.org", TLSD_FIX_T_2025_06_01);
	s.certs.ske_checked = true;
	s.certs.ske_result = TLSD_SIG_BAD;
	alert(&s, C2S, 2, 40, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_KEY_EXCHANGE);
	ck_assert(!find(&r, "hostname_mismatch") ||
		  find(&r, "hostname_mismatch")->confidence == TLSD_CONF_POSSIBLE);
}
END_TEST

START_TEST(tc_cert_cause)
{
	const struct cert_cause_case *cc = &cert_cause_cases[_i];
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, cc->ca, cc->chain, cc->sni, TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, cc->desc, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	ck_assert_msg(r.n_diags > 0, "%s: no diagnosis", cc->label);
	ck_assert_msg(strcmp(r.diags[0].code, cc->code) == 0, "%s: first is %s, want %s",
		      cc->label, r.diags[0].code, cc->code);
	ck_assert_msg(r.diags[0].confidence == cc->conf, "%s: confidence %s", cc->label,
		      tlsd_confidence_name(r.diags[0].confidence));
	ck_assert_msg(strstr(EVD(&r, &r.diags[0]), cc->evidence), "%s: evidence %s", cc->label,
		      EVD(&r, &r.diags[0]));
	ck_assert_msg(strstr(EVD(&r, &r.diags[0]), "client alert fatal"), "%s: no alert in %s",
		      cc->label, EVD(&r, &r.diags[0]));
	if (cc->absent)
		ck_assert_msg(!find(&r, cc->absent), "%s: %s present", cc->label, cc->absent);
	/* At most one entry per code. */
	for (unsigned i = 0; i < r.n_diags; i++)
		for (unsigned j = i + 1; j < r.n_diags; j++)
			ck_assert_str_ne(r.diags[i].code, r.diags[j].code);
	ck_assert_ptr_eq(r.certs, &CF);
}
END_TEST

/* A chain that tlsdiag's store cannot verify, beside a certain cause that
 * explains the client's alert: the untrusted chain is only possible (the
 * client may have had the root); alone, it stays likely; named by
 * unknown_ca (48), certain. */
static const struct {
	const char *const *chain;
	const char *sni;
	uint8_t desc;
	const char *first;
	enum tlsd_confidence untrusted;
} untrusted_cases[] = {
	{chain_good, "www.example.org", 42, "hostname_mismatch", TLSD_CONF_POSSIBLE},
	{chain_good, "www.example.org", 46, "hostname_mismatch", TLSD_CONF_POSSIBLE},
	{chain_expired, "expired.test", 42, "certificate_expired", TLSD_CONF_POSSIBLE},
	{chain_notyet, "notyet.test", 42, "certificate_not_yet_valid", TLSD_CONF_POSSIBLE},
	{chain_good, "server.test", 42, "server_certificate_untrusted", TLSD_CONF_LIKELY},
	{chain_good, "server.test", 46, "server_certificate_untrusted", TLSD_CONF_LIKELY},
	{chain_good, "www.example.org", 48, "server_certificate_untrusted", TLSD_CONF_CERTAIN},
};

START_TEST(tc_cert_untrusted_beside_certain)
{
	struct tlsd_session s;
	struct tlsd_report r;
	const struct tlsd_diag *d;

	cert_session(&s, "other-root.pem", untrusted_cases[_i].chain, untrusted_cases[_i].sni,
		     TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, untrusted_cases[_i].desc, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, untrusted_cases[_i].first);
	if (strcmp(untrusted_cases[_i].first, "server_certificate_untrusted") != 0)
		ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);
	d = find(&r, "server_certificate_untrusted");
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(d->confidence == untrusted_cases[_i].untrusted, "untrusted %s",
		      tlsd_confidence_name(d->confidence));
}
END_TEST

/* An alert that does not fit the findings: the alert's rule decides, the
 * findings follow as "possible". */
START_TEST(tc_cert_alert_disagrees)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "root.pem", chain_expired, "expired.test", TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, 48, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "server_certificate_untrusted");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);
	ASSERT_DIAG(&r, "certificate_expired", TLSD_CONF_POSSIBLE);

	/* A clean chain with unknown_ca: the client's store lacks the root. */
	cert_session(&s, "root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
	alert(&s, C2S, 2, 48, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.n_diags, 1);
	ASSERT_DIAG(&r, "server_certificate_untrusted", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "verifies against tlsdiag's trust store"));
}
END_TEST

/* unknown_ca with only the leaf sent and its issuer not in the store: a
 * missing intermediate and a private CA look alike. A leaf that names where
 * its issuer is published (AIA caIssuers) tips it to the missing
 * intermediate; without it both stay "likely". */
START_TEST(tc_cert_missing_intermediate_aia)
{
	struct tlsd_session s;
	struct tlsd_report r;
	bool aia = _i == 1;

	cert_session(&s, "root.pem", chain_leaf_only, "server.test", TLSD_FIX_T_2025_06_01);
	ck_assert(!CF.certs[0].aia_ca_issuers);
	CF.certs[0].aia_ca_issuers = aia;
	alert(&s, C2S, 2, 48, s.sh_ts + MSEC);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "missing_intermediate");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
	ASSERT_DIAG(&r, "server_certificate_untrusted", aia ? TLSD_CONF_POSSIBLE : TLSD_CONF_LIKELY);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]),
					 aia ? "caIssuers URL for its issuer (as publicly issued certificates do): yes"
					     : "caIssuers URL for its issuer (as publicly issued certificates do): no"));
}
END_TEST

/* Row 24: the ServerKeyExchange signature does not verify and the client
 * says decrypt_error before any CCS: key exchange, certain. */
START_TEST(tc_cert_ske_invalid)
{
	struct tlsd_session s;
	struct tlsd_report r;
	static char detail[TLSD_CERT_TEXT_LEN]; /* the session's own is heap */

	cert_session(&s, "root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
	s.certs.ske_checked = true;
	s.certs.ske_result = _i == 2 ? TLSD_SIG_OK : TLSD_SIG_BAD;
	s.certs.ske_detail = detail;
	snprintf(detail, sizeof(detail),
		 "ServerKeyExchange rsa_pkcs1_sha256 signature does not verify");
	if (_i == 1) { /* no alert: the client just closes */
		fin(&s, C2S, s.sh_ts + MSEC);
		report(&s, &r);
		ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_KEY_EXCHANGE, TLSD_PARTY_CLIENT,
			       TLSD_HOW_CLOSE);
		ck_assert_str_eq(r.diags[0].code, "key_exchange_signature_invalid");
		ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
		return;
	}
	alert(&s, C2S, 2, 51, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_KEY_EXCHANGE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_ALERT);
	if (_i == 2) { /* the signature verifies: the generic alert rule */
		ck_assert(!find(&r, "key_exchange_signature_invalid"));
		ASSERT_DIAG(&r, "alert_decrypt_error", TLSD_CONF_CERTAIN);
		return;
	}
	ck_assert_str_eq(r.diags[0].code, "key_exchange_signature_invalid");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(TXT(&r, &r.diags[0]), "private key does not match"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "decrypt_error"));
	ck_assert(!find(&r, "alert_decrypt_error"));
}
END_TEST

/* Findings on a connection that succeeded are warnings ("possible"),
 * expires_soon included; the verdict is untouched. */
START_TEST(tc_cert_established_warnings)
{
	struct tlsd_session s;
	struct tlsd_report r;
	const char *const *chain = _i ? chain_short : chain_expired;

	established12(&s, "root.pem", chain, _i ? "short.test" : "expired.test",
		     _i ? TLSD_FIX_T_2025_06_05 : TLSD_FIX_T_2025_06_01);
	fin(&s, C2S, s.ch_ts + 11 * MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_ESTABLISHED, TLSD_STEP_NONE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ASSERT_DIAG(&r, _i ? "expires_soon" : "certificate_expired", TLSD_CONF_POSSIBLE);
	for (unsigned i = 0; i < r.n_diags; i++)
		ck_assert_int_eq(r.diags[i].confidence, TLSD_CONF_POSSIBLE);
	if (_i)
		ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "expires_soon")),
					     "notAfter 2025-06-10"));
}
END_TEST

/* The client leaves after the server's flight without an alert: an error
 * in the chain is the likely reason. */
START_TEST(tc_cert_silent_client)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "root.pem", chain_expired, "expired.test", TLSD_FIX_T_2025_06_01);
	fin(&s, C2S, s.sh_ts + MSEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ck_assert_str_eq(r.diags[0].code, "certificate_expired");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
	ck_assert(!find(&r, "server_certificate_rejected"));
}
END_TEST

/* Row 25 with the client's chain checked: the evidence says what the trust
 * store thinks of it. */
START_TEST(tc_cert_client_chain_evidence)
{
	struct tlsd_session s;
	struct tlsd_report r;
	struct tlsd_cert_store *st = tlsd_fix_store("other-root.pem", 0);

	tlsd_fix_findings(st, chain_good, NULL, TLSD_FIX_T_2025_06_01, &CF_CLI);
	tlsd_cert_store_free(st);
	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, true);
	client_flight12(&s, 2);
	s.certs.checked = true;
	s.certs.cli_findings = &CF_CLI;
	alert(&s, S2C, 2, 48, s.ch_ts + 5 * MSEC);
	report(&s, &r);
	ASSERT_DIAG(&r, "client_certificate_rejected", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "client_certificate_rejected")),
				     "does not verify against tlsdiag's trust store"));
	ck_assert_ptr_eq(r.client_certs, &CF_CLI);
	ck_assert_ptr_null(r.certs);
}
END_TEST


/* ---- evidence rules (catalog rows 29-43, "Evidence rules") ------------- */

/* Coverage facts as the flow would give them: both sides seen, client
 * stream ch bytes acknowledged by the server, server stream srv bytes. */
static void cover(struct tlsd_session *s, uint64_t cli, uint64_t srv)
{
	s->cover[C2S] = (struct tlsd_sess_cover){.known = true, .packets = 4, .syn = true,
						 .stream_started = true, .captured = cli,
						 .acked_known = true, .acked = cli};
	s->cover[S2C] = (struct tlsd_sess_cover){.known = true, .packets = 4, .syn = true,
						 .stream_started = true, .captured = srv,
						 .acked_known = true, .acked = srv};
}

/* Row 29: the client resets 30 ms after its ClientHello, before any
 * server byte: the client gave up, the server did not fail. */
START_TEST(tc_client_abandoned_before_answer)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	cover(&s, 310, 0);
	rst(&s, C2S, s.ch_ts + 30 * MSEC, false);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO, TLSD_PARTY_CLIENT,
		       TLSD_HOW_RESET);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ASSERT_DIAG(&r, "client_abandoned", TLSD_CONF_LIKELY);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "before any byte from the server"));
	ck_assert(!find(&r, "server_no_response"));
	/* The server answered later (history "C}s..."): still the client's. */
	server_hello(&s, TLSD_VERSION_TLS13, 0x1301);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ck_assert_int_eq(r.failed_step, TLSD_STEP_SERVER_HELLO);
}
END_TEST

/* Row 29: the client closes while its ACKs show it had not received the
 * server's whole flight: it cannot have rejected the certificate. */
START_TEST(tc_client_abandoned_partial_flight)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "root.pem", chain_expired, "expired.test", TLSD_FIX_T_2025_06_01);
	fin(&s, C2S, s.sh_ts + MSEC);
	s.dir[C2S].end_acked_known = true;
	s.dir[C2S].end_acked = 1400;
	s.dir[C2S].end_peer_captured = 3000;
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "had not acknowledged 1600 bytes"));
	/* The chain's problem stays a warning. */
	ASSERT_DIAG(&r, "certificate_expired", TLSD_CONF_POSSIBLE);
}
END_TEST

/* The client closed after the ServerHello, before the certificate came. */
START_TEST(tc_client_abandoned_before_certificate)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	fin(&s, C2S, s.sh_ts + MSEC);
	server_flight12(&s, false);
	s.srv_cert_ts = s.sh_ts + 2 * MSEC;
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ck_assert_ptr_nonnull(strstr(TXT(&r, &r.diags[0]), "whole flight"));
}
END_TEST

/* Evidence rules, time: a client that leaves seconds after the flight
 * without an alert is a scanner or a timeout, not a rejection. */
START_TEST(tc_client_abandoned_slow)
{
	struct tlsd_session s;
	struct tlsd_report r;

	cert_session(&s, "root.pem", chain_expired, "expired.test", TLSD_FIX_T_2025_06_01);
	s.dir[S2C].last_ts = s.sh_ts;
	rst(&s, C2S, s.sh_ts + 1300 * MSEC, false);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "1.30 s after the server's last record"));
	ASSERT_DIAG(&r, "certificate_expired", TLSD_CONF_POSSIBLE);
	/* Within milliseconds: the certificate is the likely reason. */
	cert_session(&s, "root.pem", chain_expired, "expired.test", TLSD_FIX_T_2025_06_01);
	s.dir[S2C].last_ts = s.sh_ts;
	rst(&s, C2S, s.sh_ts + 2 * MSEC, false);
	report(&s, &r);
	ck_assert_str_eq(r.diags[0].code, "certificate_expired");
	ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_LIKELY);
}
END_TEST

/* The client closes right after its own Finished, sooner than a round
 * trip: the server's Finished could not have come yet. */
START_TEST(tc_client_abandoned_before_finished)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	s.ack3_ts = s.syn_ts + 14 * MSEC;
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	client_flight12(&s, -1);
	s.dir[C2S].ccs_ts = s.sh_ts + 5 * MSEC;
	fin(&s, C2S, s.sh_ts + 5 * MSEC + MSEC / 2);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_FINISHED, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ck_assert_str_eq(r.diags[0].code, "client_abandoned");
	ck_assert(!find(&r, "finished_verification_failed"));
}
END_TEST

/* Row 30: no packet of the server in the capture, yet the client went on
 * with its key exchange: the server answered, the capture missed it. */
START_TEST(tc_capture_one_sided)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	client_flight12(&s, -1);
	s.state = TLSD_SS_CLIENT_HELLO; /* no ServerHello seen */
	cover(&s, 500, 0);
	s.cover[S2C].packets = 0;
	s.cover[C2S].acked = 0;
	s.cover[S2C].acked = 2900; /* the client's ACKs */
	fin(&s, C2S, s.ch_ts + 5 * TLSD_NS_PER_SEC);
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_INCOMPLETE, TLSD_STEP_NONE, TLSD_PARTY_CLIENT,
		       TLSD_HOW_CLOSE);
	ck_assert_str_eq(r.diags[0].code, "capture_one_sided");
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "no packet from the server"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "2900 bytes of the server's stream"));
	ck_assert(!find(&r, "server_no_response"));
}
END_TEST

/* Row 30: both sides in the capture, but the client acknowledged server
 * bytes the capture lacks. */
START_TEST(tc_packets_missing_acked)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	cover(&s, 500, 1200);
	s.cover[S2C].acked = 4000;
	rst(&s, C2S, s.sh_ts + MSEC, false);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_INCOMPLETE);
	ASSERT_DIAG(&r, "packets_missing", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "2800 bytes of the server's stream"));
}
END_TEST

/* Row 31: the capture is silent for two years across the wait: no
 * timeout, no server_no_response. */
START_TEST(tc_capture_discontinuity)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	cover(&s, 310, 0);
	s.ended = true;
	s.end_how = TLSD_FLOW_END_CAPTURE_END;
	s.end_ts = s.ch_ts;
	s.observed_until = s.ch_ts + 63072000 * TLSD_NS_PER_SEC;
	s.silence = 63072000 * TLSD_NS_PER_SEC;
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_INCOMPLETE);
	ASSERT_DIAG(&r, "capture_discontinuity", TLSD_CONF_CERTAIN);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "730 days"));
}
END_TEST

/* Row 42: a chain tlsdiag's store cannot verify, which the client went on
 * with: a warning naming the CA, never server_certificate_untrusted. */
START_TEST(tc_trust_anchor_not_in_store)
{
	struct tlsd_session s;
	struct tlsd_report r;

	established12(&s, "other-root.pem", chain_good, "server.test", TLSD_FIX_T_2025_06_01);
	fin(&s, C2S, s.ch_ts + 11 * MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ASSERT_DIAG(&r, "trust_anchor_not_in_store", TLSD_CONF_POSSIBLE);
	ck_assert(!find(&r, "server_certificate_untrusted"));
	ck_assert_ptr_nonnull(strstr(EVD(&r, find(&r, "trust_anchor_not_in_store")),
				     "the chain ends at \"O=tlsdiag,CN=tlsdiag Test Root CA\""));
}
END_TEST

/* Row 39: a heartbeat in the middle of the handshake. */
START_TEST(tc_heartbeat_abuse)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	server_hello(&s, TLSD_VERSION_TLS12, 0xc02f);
	server_flight12(&s, false);
	s.dir[C2S].heartbeats = s.dir[C2S].heartbeats_early = 1;
	s.dir[S2C].heartbeats = s.dir[S2C].heartbeats_early = 1;
	rst(&s, C2S, s.sh_ts + MSEC, false);
	report(&s, &r);
	ASSERT_DIAG(&r, "heartbeat_abuse", TLSD_CONF_LIKELY);
}
END_TEST

/* Row 41: the client's first handshake record stopped short. */
START_TEST(tc_client_hello_incomplete)
{
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS13);
	s.has_ch = false;
	s.state = TLSD_SS_IDLE;
	s.ch_cut = true;
	s.ch_cut_have = 64;
	s.ch_cut_want = 517;
	s.ended = true;
	s.end_how = TLSD_FLOW_END_TIMEOUT;
	s.end_ts = T0 + 130 * TLSD_NS_PER_SEC;
	report(&s, &r);
	ASSERT_VERDICT(&r, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, TLSD_PARTY_UNKNOWN,
		       TLSD_HOW_TIMEOUT);
	ASSERT_DIAG(&r, "client_hello_incomplete", TLSD_CONF_LIKELY);
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]), "announced 517 bytes"));
}
END_TEST

/* Row 33: an SSL 2.0 handshake that goes on past the SERVER-HELLO. */
START_TEST(tc_ssl2_negotiated)
{
	static const uint8_t server_hello_v2[] = {0x83, 0x2c, 0x04, 0x00, 0x01, 0x00, 0x02};
	struct tlsd_session s;
	struct tlsd_report r;

	base(&s, TLSD_VERSION_TLS12);
	s.ch.sslv2 = true;
	s.ch_len = 50;
	s.dir[S2C].framing = TLSD_FRAMING_NOT_TLS;
	memcpy(s.dir[S2C].sample, server_hello_v2, sizeof(server_hello_v2));
	s.dir[S2C].sample_len = sizeof(server_hello_v2);
	cover(&s, 200, 0x32e + 40);
	fin(&s, S2C, s.ch_ts + 50 * MSEC);
	fin(&s, C2S, s.ch_ts + 51 * MSEC);
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ASSERT_DIAG(&r, "ssl2_negotiated", TLSD_CONF_CERTAIN);
	/* Only the SERVER-HELLO, then a close: the client refused SSL 2.0. */
	s.cover[S2C].captured = s.cover[S2C].acked = 0x32e;
	report(&s, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ASSERT_DIAG(&r, "protocol_version_mismatch", TLSD_CONF_CERTAIN);
}
END_TEST

Suite *diagnose_suite(void);

Suite *diagnose_suite(void)
{
	Suite *s = suite_create("diagnose");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, tc_no_shared_cipher);
	tcase_add_test(tc, tc_tls13_offer_handshake_failure);
	tcase_add_test(tc, tc_version_server);
	tcase_add_test(tc, tc_version_old_client_internal_error);
	tcase_add_test(tc, tc_version_client);
	tcase_add_loop_test(tc, tc_client_cert_required_tls12, 0, 4);
	tcase_add_loop_test(tc, tc_client_cert_required_ca_names, 0,
			    (int)TLSD_ARRAY_SIZE(ca_cases));
	tcase_add_test(tc, tc_client_cert_required_close);
	tcase_add_test(tc, tc_client_cert_required_tls13);
	tcase_add_test(tc, tc_client_cert_rejected_tls13);
	tcase_add_test(tc, tc_tls13_ccm8_alert_len);
	tcase_add_test(tc, tc_tls13_padded_alerts);
	tcase_add_test(tc, tc_server_71_before_server_hello);
	tcase_add_test(tc, tc_tls13_only_hello_refused_with_40);
	tcase_add_test(tc, tc_tls13_decrypted_server_alert_after_flight);
	tcase_add_test(tc, tc_server_cert_untrusted);
	tcase_add_test(tc, tc_server_cert_untrusted_tls13_plain);
	tcase_add_test(tc, tc_server_cert_rejected_tls13_encrypted);
	tcase_add_loop_test(tc, tc_server_cert_rejected_tls12, 0, 5);
	tcase_add_test(tc, tc_client_abort_after_certificate);
	tcase_add_test(tc, tc_unrecognized_name);
	tcase_add_test(tc, tc_no_application_protocol);
	tcase_add_test(tc, tc_inappropriate_fallback);
	tcase_add_test(tc, tc_tls13_established);
	tcase_add_test(tc, tc_tls13_no_ticket_close);
	tcase_add_test(tc, tc_no_shared_group);
	tcase_add_test(tc, tc_tls12_established_close);
	tcase_add_test(tc, tc_resumed);
	tcase_add_test(tc, tc_server_not_tls);
	tcase_add_test(tc, tc_server_sslv2);
	tcase_add_test(tc, tc_client_not_tls);
	tcase_add_test(tc, tc_server_no_response);
	tcase_add_test(tc, tc_large_hello_not_received);
	tcase_add_test(tc, tc_reset_after_client_hello);
	tcase_add_test(tc, tc_large_client_hello);
	tcase_add_test(tc, tc_client_cert_required_tls13_decrypted);
	tcase_add_test(tc, tc_tls12_alert_decrypted_replaces);
	tcase_add_loop_test(tc, tc_client_cert_rejected, 0, 6);
	tcase_add_loop_test(tc, tc_finished_failed, 0, 2);
	tcase_add_test(tc, tc_reset_after_finished);
	tcase_add_loop_test(tc, tc_key_exchange, 0, 2);
	tcase_add_test(tc, tc_capture_incomplete);
	tcase_add_test(tc, tc_other_alert);
	tcase_add_test(tc, tc_close_notify_before_completion);
	suite_add_tcase(s, tc);

	tc = tcase_create("certificates");
	tcase_add_loop_test(tc, tc_cert_missing_intermediate_aia, 0, 2);
	tcase_add_loop_test(tc, tc_cert_cause, 0, (int)TLSD_ARRAY_SIZE(cert_cause_cases));
	tcase_add_test(tc, tc_cert_cause_40_key_exchange);
	tcase_add_test(tc, tc_nss_deferred_rejection_decrypted);
	tcase_add_test(tc, tc_nss_alert_before_server_finished);
	tcase_add_test(tc, tc_went_on_needs_more_than_finished_then_alert);
	tcase_add_test(tc, tc_nss_deferred_rejection_without_keys);
	tcase_add_test(tc, tc_cert_alert_disagrees);
	tcase_add_loop_test(tc, tc_cert_untrusted_beside_certain, 0,
			    (int)TLSD_ARRAY_SIZE(untrusted_cases));
	tcase_add_loop_test(tc, tc_cert_ske_invalid, 0, 3);
	tcase_add_loop_test(tc, tc_cert_established_warnings, 0, 2);
	tcase_add_test(tc, tc_cert_silent_client);
	tcase_add_test(tc, tc_cert_client_chain_evidence);
	suite_add_tcase(s, tc);

	tc = tcase_create("evidence");
	tcase_add_test(tc, tc_client_abandoned_before_answer);
	tcase_add_test(tc, tc_client_abandoned_partial_flight);
	tcase_add_test(tc, tc_client_abandoned_slow);
	tcase_add_test(tc, tc_client_abandoned_before_certificate);
	tcase_add_test(tc, tc_client_abandoned_before_finished);
	tcase_add_test(tc, tc_capture_one_sided);
	tcase_add_test(tc, tc_packets_missing_acked);
	tcase_add_test(tc, tc_capture_discontinuity);
	tcase_add_test(tc, tc_trust_anchor_not_in_store);
	tcase_add_test(tc, tc_heartbeat_abuse);
	tcase_add_test(tc, tc_client_hello_incomplete);
	tcase_add_test(tc, tc_ssl2_negotiated);
	suite_add_tcase(s, tc);
	return s;
}
