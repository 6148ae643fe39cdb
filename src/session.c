/* The per-connection handshake observer: an explicit state machine driven by
 * the framer's events and the TCP events of one connection. It records
 * facts; diagnose.c decides what they mean.
 *
 * OUTCOME RULES (copied into the man page)
 *
 *   TLS <= 1.2 (and SSL 3.0): established when both sides' ChangeCipherSpec
 *   and Finished (the first encrypted handshake record after the CCS) were
 *   seen, in a legal order, with no fatal alert before them. Abbreviated
 *   (resumed) handshakes, where the server finishes first, count too. With
 *   the key log, a fatal alert from the client after both Finished and
 *   before any data of its own is a failure (NSS checks the server's chain
 *   after sending its Finished and refuses it this way; diagnose.c).
 *
 *   TLS 1.3: everything after the ServerHello is encrypted, so the verdict
 *   comes from record sizes. The server's first flight (EncryptedExtensions,
 *   Certificate, CertificateVerify, Finished) is followed by the client's
 *   flight ([Certificate, CertificateVerify,] Finished). Established when,
 *   after the client's flight, the server went on normally (a record that
 *   is not alert-sized: NewSessionTicket or data), or when the connection
 *   closed normally (FIN, no reset) without the server sending anything
 *   after the client's flight (some servers send no tickets). An encrypted
 *   alert is 2 bytes + 1 content type byte + padding + the AEAD tag: 19
 *   bytes unpadded (11 with CCM_8), up to 16 more where a stack pads (Mbed
 *   TLS to a multiple of 16: 32; Java's JSSE 16 zeros: 35); a Finished is
 *   at least 53 (45), a NewSessionTicket with any real ticket more than
 *   35. Failed when:
 *     - the server answered the client's flight with exactly one
 *       alert-sized record and then nothing (FIN, reset or end): an
 *       encrypted alert by the server, step certificate (the client's
 *       certificate was missing when its flight was small, rejected when it
 *       was large);
 *     - the client answered the server's flight with one alert-sized record
 *       and closed: an encrypted alert by the client, step certificate
 *       (the server's certificate was rejected);
 *     - the client closed or reset right after the server's flight without
 *       a flight of its own (step certificate), or a reset came right after
 *       the client's flight (step finished).
 *   Plaintext alerts are read in every state (OpenSSL clients send their
 *   certificate rejection in plaintext before switching keys).
 *
 *   Failed (any version) when a fatal alert, a reset or a close ended the
 *   connection before it was established. A warning alert does not end it,
 *   except close_notify and user_canceled before completion, which count as
 *   the close. Incomplete when the capture ended (end of input, a start in
 *   the middle of the connection, a gap or a cut in the handshake) before a
 *   verdict was possible.
 *
 * HISTORY (copied into the man page)
 *
 *   Zeek's ssl_history letters with Zeek's meanings; upper case = client,
 *   lower case = server: H hello_request, C client_hello, S server_hello,
 *   V hello_verify_request, T new_session_ticket, X certificate,
 *   K server_key_exchange, R certificate_request, N server_hello_done,
 *   Y certificate_verify, G client_key_exchange, F finished (plaintext),
 *   W certificate_url, U certificate_status, A supplemental_data,
 *   Z other handshake type, I change_cipher_spec, B heartbeat,
 *   E end_of_early_data, O encrypted_extensions, P key_update,
 *   M message_hash, J hello_retry_request, L alert (plaintext, or a
 *   TLS <= 1.2 encrypted record of type alert), Q unknown content type or
 *   bytes that are not TLS at all.
 *   Additions:
 *     D / d  one encrypted record (application data, an encrypted handshake
 *            record such as the TLS 1.2 Finished, anything after a TLS 1.3
 *            ServerHello). A run of more than 3 from the same side is
 *            written as the letter followed by '*' ("d*").
 *     %      a renegotiation started (encrypted handshake after a
 *            completed TLS <= 1.2 handshake)
 *     }  {   FIN from the client / from the server
 *     !  |   RST from the client / from the server
 *     #      RST attributed to a middlebox (TTL, IP ID, timing, both sides)
 *     ~      bytes missing from the capture (either direction)
 *     @      the connection was idle past --idle-timeout
 *     +      the history was longer than 95 characters and was cut here
 */
#include "tlsd/session.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/diagnose.h"
#include "tlsd/fingerprint.h"
#include "tlsd/session_facts.h"
#include "tlsd/tls_names.h"

/* Inputs of the state machine besides the handshake types 0..255. */
#define M_CCS 0x100    /* ChangeCipherSpec that switches keys (TLS <= 1.2) */
#define M_CCS13 0x101  /* TLS 1.3 middlebox-compatibility ChangeCipherSpec */
#define M_ENC_HS 0x102 /* TLS <= 1.2 encrypted handshake record */
#define M_APP 0x103    /* application_data record (TLS 1.3: every protected record) */
#define M_SH13 0x104   /* a ServerHello that selects TLS 1.3 */
#define M_HRR TLSD_HS_HELLO_RETRY_REQUEST

#define C2S TLSD_DIR_C2S
#define S2C TLSD_DIR_S2C
#define ANY 2

struct transition {
	uint8_t from;
	uint8_t dir; /* enum tlsd_dir or ANY */
	uint16_t msg;
	uint8_t to;
};

/* Every legal (state, direction, message) and where it leads. Anything else
 * is an unexpected message: recorded, counted, and the state is kept. */
static const struct transition transitions[] = {
	/* Hellos */
	{TLSD_SS_IDLE, C2S, TLSD_HS_CLIENT_HELLO, TLSD_SS_CLIENT_HELLO},
	{TLSD_SS_CLIENT_HELLO, S2C, TLSD_HS_SERVER_HELLO, TLSD_SS_SERVER_HELLO},
	{TLSD_SS_CLIENT_HELLO, S2C, M_SH13, TLSD_SS_TLS13_SERVER_FLIGHT},
	{TLSD_SS_CLIENT_HELLO, S2C, M_HRR, TLSD_SS_HELLO_RETRY},
	{TLSD_SS_CLIENT_HELLO, C2S, M_CCS13, TLSD_SS_CLIENT_HELLO}, /* before 0-RTT data */
	{TLSD_SS_CLIENT_HELLO, C2S, M_APP, TLSD_SS_CLIENT_HELLO},   /* 0-RTT early data */
	{TLSD_SS_HELLO_RETRY, ANY, M_CCS13, TLSD_SS_HELLO_RETRY},
	{TLSD_SS_HELLO_RETRY, C2S, TLSD_HS_CLIENT_HELLO, TLSD_SS_CLIENT_HELLO2},
	{TLSD_SS_CLIENT_HELLO2, C2S, M_CCS13, TLSD_SS_CLIENT_HELLO2},
	{TLSD_SS_CLIENT_HELLO2, S2C, M_SH13, TLSD_SS_TLS13_SERVER_FLIGHT},
	/* DTLS cookie exchange (RFC 6347 4.2.1): HelloVerifyRequest, then the
	 * same ClientHello with the cookie; a server may ask again. */
	{TLSD_SS_CLIENT_HELLO, S2C, TLSD_HS_HELLO_VERIFY_REQUEST, TLSD_SS_HELLO_VERIFY},
	{TLSD_SS_HELLO_VERIFY, C2S, TLSD_HS_CLIENT_HELLO, TLSD_SS_CLIENT_HELLO},
	/* TLS <= 1.2 full handshake: the server's flight */
	{TLSD_SS_SERVER_HELLO, S2C, TLSD_HS_CERTIFICATE, TLSD_SS_SERVER_CERT},
	{TLSD_SS_SERVER_HELLO, S2C, TLSD_HS_SERVER_KEY_EXCHANGE, TLSD_SS_SERVER_KX}, /* anon, PSK */
	{TLSD_SS_SERVER_HELLO, S2C, TLSD_HS_SERVER_HELLO_DONE, TLSD_SS_SERVER_DONE}, /* PSK */
	{TLSD_SS_SERVER_CERT, S2C, TLSD_HS_CERTIFICATE_STATUS, TLSD_SS_SERVER_CERT},
	{TLSD_SS_SERVER_CERT, S2C, TLSD_HS_SERVER_KEY_EXCHANGE, TLSD_SS_SERVER_KX},
	{TLSD_SS_SERVER_CERT, S2C, TLSD_HS_CERTIFICATE_REQUEST, TLSD_SS_CERT_REQUEST},
	{TLSD_SS_SERVER_CERT, S2C, TLSD_HS_SERVER_HELLO_DONE, TLSD_SS_SERVER_DONE},
	{TLSD_SS_SERVER_KX, S2C, TLSD_HS_CERTIFICATE_REQUEST, TLSD_SS_CERT_REQUEST},
	{TLSD_SS_SERVER_KX, S2C, TLSD_HS_SERVER_HELLO_DONE, TLSD_SS_SERVER_DONE},
	{TLSD_SS_CERT_REQUEST, S2C, TLSD_HS_SERVER_HELLO_DONE, TLSD_SS_SERVER_DONE},
	/* ... the client's flight */
	{TLSD_SS_SERVER_DONE, C2S, TLSD_HS_CERTIFICATE, TLSD_SS_CLIENT_CERT},
	{TLSD_SS_SERVER_DONE, C2S, TLSD_HS_CLIENT_KEY_EXCHANGE, TLSD_SS_CLIENT_KX},
	{TLSD_SS_CLIENT_CERT, C2S, TLSD_HS_CLIENT_KEY_EXCHANGE, TLSD_SS_CLIENT_KX},
	{TLSD_SS_CLIENT_KX, C2S, TLSD_HS_CERTIFICATE_VERIFY, TLSD_SS_CLIENT_CERT_VERIFY},
	{TLSD_SS_CLIENT_KX, C2S, M_CCS, TLSD_SS_CLIENT_CCS},
	{TLSD_SS_CLIENT_CERT_VERIFY, C2S, M_CCS, TLSD_SS_CLIENT_CCS},
	{TLSD_SS_CLIENT_CCS, C2S, M_ENC_HS, TLSD_SS_CLIENT_FINISHED},
	/* ... the server finishes (False Start data from the client allowed) */
	{TLSD_SS_CLIENT_FINISHED, C2S, M_APP, TLSD_SS_CLIENT_FINISHED},
	{TLSD_SS_CLIENT_FINISHED, S2C, TLSD_HS_NEW_SESSION_TICKET, TLSD_SS_SERVER_TICKET},
	{TLSD_SS_CLIENT_FINISHED, S2C, M_CCS, TLSD_SS_SERVER_CCS},
	{TLSD_SS_SERVER_TICKET, C2S, M_APP, TLSD_SS_SERVER_TICKET},
	{TLSD_SS_SERVER_TICKET, S2C, M_CCS, TLSD_SS_SERVER_CCS},
	{TLSD_SS_SERVER_CCS, C2S, M_APP, TLSD_SS_SERVER_CCS},
	{TLSD_SS_SERVER_CCS, S2C, M_ENC_HS, TLSD_SS_ESTABLISHED},
	/* TLS <= 1.2 abbreviated handshake (session id or ticket resumption) */
	{TLSD_SS_SERVER_HELLO, S2C, TLSD_HS_NEW_SESSION_TICKET, TLSD_SS_ABBR_TICKET},
	{TLSD_SS_SERVER_HELLO, S2C, M_CCS, TLSD_SS_ABBR_SERVER_CCS},
	{TLSD_SS_ABBR_TICKET, S2C, M_CCS, TLSD_SS_ABBR_SERVER_CCS},
	{TLSD_SS_ABBR_SERVER_CCS, S2C, M_ENC_HS, TLSD_SS_ABBR_SERVER_FINISHED},
	{TLSD_SS_ABBR_SERVER_FINISHED, S2C, M_APP, TLSD_SS_ABBR_SERVER_FINISHED},
	{TLSD_SS_ABBR_SERVER_FINISHED, C2S, M_CCS, TLSD_SS_ABBR_CLIENT_CCS},
	{TLSD_SS_ABBR_CLIENT_CCS, C2S, M_ENC_HS, TLSD_SS_ESTABLISHED},
	/* Established TLS <= 1.2: data; encrypted handshake = renegotiation */
	{TLSD_SS_ESTABLISHED, ANY, M_APP, TLSD_SS_ESTABLISHED},
	{TLSD_SS_ESTABLISHED, ANY, M_ENC_HS, TLSD_SS_ESTABLISHED},
	{TLSD_SS_ESTABLISHED, ANY, M_CCS, TLSD_SS_ESTABLISHED},
	/* TLS 1.3 flights */
	{TLSD_SS_TLS13_SERVER_FLIGHT, ANY, M_CCS13, TLSD_SS_TLS13_SERVER_FLIGHT},
	{TLSD_SS_TLS13_SERVER_FLIGHT, S2C, M_APP, TLSD_SS_TLS13_SERVER_FLIGHT},
	{TLSD_SS_TLS13_SERVER_FLIGHT, C2S, M_APP, TLSD_SS_TLS13_CLIENT_FLIGHT},
	{TLSD_SS_TLS13_CLIENT_FLIGHT, C2S, M_CCS13, TLSD_SS_TLS13_CLIENT_FLIGHT},
	{TLSD_SS_TLS13_CLIENT_FLIGHT, C2S, M_APP, TLSD_SS_TLS13_CLIENT_FLIGHT},
	{TLSD_SS_TLS13_CLIENT_FLIGHT, S2C, M_APP, TLSD_SS_TLS13_POST},
	{TLSD_SS_TLS13_POST, ANY, M_APP, TLSD_SS_TLS13_POST},
};

static const char *const sstate_names[TLSD_SS__COUNT] = {
	[TLSD_SS_IDLE] = "idle",
	[TLSD_SS_CLIENT_HELLO] = "client_hello",
	[TLSD_SS_HELLO_RETRY] = "hello_retry_request",
	[TLSD_SS_CLIENT_HELLO2] = "second_client_hello",
	[TLSD_SS_HELLO_VERIFY] = "hello_verify_request",
	[TLSD_SS_SERVER_HELLO] = "server_hello",
	[TLSD_SS_SERVER_CERT] = "server_certificate",
	[TLSD_SS_SERVER_KX] = "server_key_exchange",
	[TLSD_SS_CERT_REQUEST] = "certificate_request",
	[TLSD_SS_SERVER_DONE] = "server_hello_done",
	[TLSD_SS_CLIENT_CERT] = "client_certificate",
	[TLSD_SS_CLIENT_KX] = "client_key_exchange",
	[TLSD_SS_CLIENT_CERT_VERIFY] = "certificate_verify",
	[TLSD_SS_CLIENT_CCS] = "client_change_cipher_spec",
	[TLSD_SS_CLIENT_FINISHED] = "client_finished",
	[TLSD_SS_SERVER_TICKET] = "new_session_ticket",
	[TLSD_SS_SERVER_CCS] = "server_change_cipher_spec",
	[TLSD_SS_ABBR_TICKET] = "abbreviated_new_session_ticket",
	[TLSD_SS_ABBR_SERVER_CCS] = "abbreviated_server_change_cipher_spec",
	[TLSD_SS_ABBR_SERVER_FINISHED] = "abbreviated_server_finished",
	[TLSD_SS_ABBR_CLIENT_CCS] = "abbreviated_client_change_cipher_spec",
	[TLSD_SS_TLS13_SERVER_FLIGHT] = "tls13_server_flight",
	[TLSD_SS_TLS13_CLIENT_FLIGHT] = "tls13_client_flight",
	[TLSD_SS_TLS13_POST] = "tls13_after_client_flight",
	[TLSD_SS_ESTABLISHED] = "established",
};

const char *tlsd_sstate_name(enum tlsd_sstate st)
{
	if ((unsigned)st >= TLSD_SS__COUNT || !sstate_names[st])
		return "unknown";
	return sstate_names[st];
}

/* Zeek ssl_history letters by handshake type (client case). */
static char hs_letter(uint8_t type)
{
	switch (type) {
	case TLSD_HS_HELLO_REQUEST: return 'H';
	case TLSD_HS_CLIENT_HELLO: return 'C';
	case TLSD_HS_SERVER_HELLO: return 'S';
	case TLSD_HS_HELLO_VERIFY_REQUEST: return 'V';
	case TLSD_HS_NEW_SESSION_TICKET: return 'T';
	case TLSD_HS_END_OF_EARLY_DATA: return 'E';
	case TLSD_HS_HELLO_RETRY_REQUEST: return 'J';
	case TLSD_HS_ENCRYPTED_EXTENSIONS: return 'O';
	case TLSD_HS_CERTIFICATE: return 'X';
	case TLSD_HS_SERVER_KEY_EXCHANGE: return 'K';
	case TLSD_HS_CERTIFICATE_REQUEST: return 'R';
	case TLSD_HS_SERVER_HELLO_DONE: return 'N';
	case TLSD_HS_CERTIFICATE_VERIFY: return 'Y';
	case TLSD_HS_CLIENT_KEY_EXCHANGE: return 'G';
	case TLSD_HS_FINISHED: return 'F';
	case TLSD_HS_CERTIFICATE_URL: return 'W';
	case TLSD_HS_CERTIFICATE_STATUS: return 'U';
	case TLSD_HS_SUPPLEMENTAL_DATA: return 'A';
	case TLSD_HS_KEY_UPDATE: return 'P';
	case TLSD_HS_MESSAGE_HASH: return 'M';
	default: return 'Z';
	}
}

/* ---- history ---------------------------------------------------------- */

static void hist_raw(struct tlsd_session *s, char c)
{
	if (s->hist_full)
		return;
	/* The last usable position is kept for the overflow mark. */
	if (s->hist_len + 2 >= TLSD_HISTORY_LEN) {
		s->history[s->hist_len++] = '+';
		s->history[s->hist_len] = '\0';
		s->hist_full = true;
		return;
	}
	s->history[s->hist_len++] = c;
	s->history[s->hist_len] = '\0';
}

static void hist_sym(struct tlsd_session *s, char c)
{
	s->hist_run_ch = 0;
	s->hist_run = 0;
	hist_raw(s, c);
}

static void hist_letter(struct tlsd_session *s, enum tlsd_dir d, char upper)
{
	hist_sym(s, d == C2S ? upper : (char)tolower((unsigned char)upper));
}

/* One encrypted record: D/d, runs of more than 3 collapse to "D*". */
static void hist_enc(struct tlsd_session *s, enum tlsd_dir d)
{
	char c = d == C2S ? 'D' : 'd';

	if (s->hist_run_ch != c) {
		hist_sym(s, c);
		s->hist_run_ch = c;
		s->hist_run = 1;
		return;
	}
	s->hist_run++;
	if (s->hist_run <= TLSD_SESS_HIST_RUN_COLLAPSE) {
		hist_raw(s, c);
	} else if (s->hist_run == TLSD_SESS_HIST_RUN_COLLAPSE + 1 && !s->hist_full &&
		   s->hist_len >= TLSD_SESS_HIST_RUN_COLLAPSE) {
		/* "ddd" becomes "d*" */
		s->hist_len = (uint8_t)(s->hist_len - (TLSD_SESS_HIST_RUN_COLLAPSE - 1));
		s->history[s->hist_len - 1] = c;
		s->history[s->hist_len] = '\0';
		hist_raw(s, '*');
	}
}

/* ---- lifecycle --------------------------------------------------------- */

void tlsd_session_init(struct tlsd_session *s, const struct tlsd_ctx *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->state = TLSD_SS_IDLE;
	s->dir[C2S].rst_hist_pos = -1;
	s->dir[S2C].rst_hist_pos = -1;
}

struct tlsd_session *tlsd_session_new(const struct tlsd_ctx *ctx)
{
	struct tlsd_session *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	tlsd_session_init(s, ctx);
	return s;
}

void tlsd_session_cleanup(struct tlsd_session *s)
{
	if (s->certs.mat) {
		tlsd_buf_cleanup(&s->certs.mat->mem);
		free(s->certs.mat);
		s->certs.mat = NULL;
	}
	free(s->first_unexpected);
	s->first_unexpected = NULL;
	free(s->cr_first_ca);
	s->cr_first_ca = NULL;
	tlsd_cert_findings_release(s->certs.srv_findings);
	tlsd_cert_findings_release(s->certs.cli_findings);
	s->certs.srv_findings = NULL;
	s->certs.cli_findings = NULL;
	free(s->certs.ske_detail);
	s->certs.ske_detail = NULL;
	for (int d = 0; d < 2; d++) {
		free(s->dir[d].rst_why);
		s->dir[d].rst_why = NULL;
	}
	free(s->udp);
	s->udp = NULL;
	free(s->lists.heap);
	s->lists.heap = NULL;
	s->lists.len = s->lists.cap = 0;
}

void tlsd_session_free(struct tlsd_session *s)
{
	if (!s)
		return;
	tlsd_session_cleanup(s);
	free(s);
}

/* ---- the hellos, kept compact (struct tlsd_sess_ch, _sh, _lists) -------- */

static const uint8_t *lists_data(const struct tlsd_sess_lists *l)
{
	return l->heap ? l->heap : (const uint8_t *)l->inl;
}

/* Room for n bytes at the next even offset (*off), in inl while they fit,
 * else on the heap; false (nothing changed) without memory or past what
 * the 16-bit offsets reach. */
static bool lists_reserve(struct tlsd_sess_lists *l, size_t n, uint16_t *off)
{
	size_t at = ((size_t)l->len + 1u) & ~(size_t)1;
	size_t cap = l->heap ? l->cap : sizeof(l->inl);

	if (at > UINT16_MAX || n > UINT16_MAX - at)
		return false;
	if (at + n > cap) {
		size_t ncap = TLSD_MIN(TLSD_MAX(at + n, 2 * cap), (size_t)UINT16_MAX);
		uint8_t *h = realloc(l->heap, ncap);

		if (!h)
			return false;
		if (!l->heap)
			memcpy(h, l->inl, l->len);
		l->heap = h;
		l->cap = (uint16_t)ncap;
	}
	*off = (uint16_t)at;
	l->len = (uint16_t)(at + n);
	return true;
}

/* Appends n bytes at *pos of the store's data (reserved before). */
static void put(uint8_t *data, size_t *pos, const void *p, size_t n)
{
	if (n)
		memcpy(data + *pos, p, n);
	*pos += n;
}

void tlsd_session_set_client_hello(struct tlsd_session *s, const struct tlsd_client_hello *ch)
{
	struct tlsd_sess_ch *k = &s->ch;
	size_t bytes, pos;
	uint8_t *data;

	*k = (struct tlsd_sess_ch){
		.legacy_version = ch->legacy_version,
		.n_suites_total = ch->n_suites_total,
		.n_exts_total = ch->n_exts_total,
		.session_ticket_len = ch->session_ticket_len,
		.padding_len = ch->padding_len,
		.record_size_limit = ch->record_size_limit,
		.bad_ext_type = ch->bad_ext_type,
		.n_ssl2_specs = ch->n_ssl2_specs,
		.msg_len = ch->msg_len,
		.n_suites = TLSD_MIN(ch->n_suites, (uint16_t)TLSD_MAX_SUITES),
		.n_exts = TLSD_MIN(ch->n_exts, (uint16_t)TLSD_MAX_EXTS),
		.sni_len = TLSD_MIN(ch->sni_len, (uint16_t)TLSD_MAX_SNI),
		.alpn_total = ch->alpn.total,
		.alpn_n = ch->alpn.n,
		.alpn_used = TLSD_MIN(ch->alpn.used, (uint16_t)TLSD_STRLIST_BYTES),
		.n_versions = TLSD_MIN(ch->n_versions, (uint8_t)TLSD_MAX_VERSIONS),
		.n_groups = TLSD_MIN(ch->n_groups, (uint8_t)TLSD_MAX_GROUPS),
		.n_point_formats = TLSD_MIN(ch->n_point_formats, (uint8_t)TLSD_MAX_POINT_FORMATS),
		.n_sigalgs = TLSD_MIN(ch->n_sigalgs, (uint8_t)TLSD_MAX_SIGALGS),
		.n_key_shares = TLSD_MIN(ch->n_key_shares, (uint8_t)TLSD_MAX_KEY_SHARES),
		.session_id_len = TLSD_MIN(ch->session_id_len, (uint8_t)sizeof(ch->session_id)),
		.n_compressions = ch->n_compressions,
		.psk_modes = ch->psk_modes,
		.dtls_cookie_len = ch->dtls_cookie_len,
		.fallback_scsv = ch->fallback_scsv,
		.reneg_scsv = ch->reneg_scsv,
		.compression_null = ch->compression_null,
		.has_sni = ch->has_sni,
		.sni_truncated = ch->sni_truncated,
		.has_supported_versions = ch->has_supported_versions,
		.has_psk = ch->has_psk,
		.has_early_data = ch->has_early_data,
		.has_status_request = ch->has_status_request,
		.has_session_ticket = ch->has_session_ticket,
		.has_ems = ch->has_ems,
		.has_reneg_info = ch->has_reneg_info,
		.has_etm = ch->has_etm,
		.has_padding = ch->has_padding,
		.has_record_size_limit = ch->has_record_size_limit,
		.has_pha = ch->has_pha,
		.has_cookie = ch->has_cookie,
		.has_ech = ch->has_ech,
		.has_compress_cert = ch->has_compress_cert,
		.has_sigalgs_cert = ch->has_sigalgs_cert,
		.has_alpn = ch->has_alpn,
		.has_key_share = ch->has_key_share,
		.dup_ext = ch->dup_ext,
		.trailing = ch->trailing,
		.bad_ext = ch->bad_ext,
		.salvaged = ch->salvaged,
		.sslv2 = ch->sslv2,
		.dtls = ch->dtls,
	};
	memcpy(k->random, ch->random, sizeof(k->random));
	memcpy(k->session_id, ch->session_id, k->session_id_len);
	bytes = 2u * ((size_t)k->n_suites + k->n_exts + k->n_versions + k->n_groups + k->n_sigalgs +
		      2u * k->n_key_shares) +
		k->n_point_formats + k->sni_len + k->alpn_used;
	if (!lists_reserve(&s->lists, bytes, &k->lists)) {
		/* No memory: the offer's totals stay, its lists are empty. */
		k->n_suites = k->n_exts = k->sni_len = k->alpn_n = k->alpn_used = 0;
		k->n_versions = k->n_groups = k->n_point_formats = k->n_sigalgs = 0;
		k->n_key_shares = 0;
		return;
	}
	data = s->lists.heap ? s->lists.heap : (uint8_t *)s->lists.inl;
	pos = k->lists;
	put(data, &pos, ch->suites, 2u * k->n_suites);
	put(data, &pos, ch->exts, 2u * k->n_exts);
	put(data, &pos, ch->versions, 2u * k->n_versions);
	put(data, &pos, ch->groups, 2u * k->n_groups);
	put(data, &pos, ch->sigalgs, 2u * k->n_sigalgs);
	put(data, &pos, ch->key_share_groups, 2u * k->n_key_shares);
	put(data, &pos, ch->key_share_lens, 2u * k->n_key_shares);
	put(data, &pos, ch->point_formats, k->n_point_formats);
	put(data, &pos, ch->sni, k->sni_len);
	put(data, &pos, ch->alpn.data, k->alpn_used);
}

void tlsd_session_set_server_hello(struct tlsd_session *s, const struct tlsd_server_hello *sh)
{
	struct tlsd_sess_sh *k = &s->sh;
	size_t pos;
	uint8_t *data;

	*k = (struct tlsd_sess_sh){
		.legacy_version = sh->legacy_version,
		.suite = sh->suite,
		.selected_version = sh->selected_version,
		.key_share_group = sh->key_share_group,
		.psk_identity = sh->psk_identity,
		.n_exts = TLSD_MIN(sh->n_exts, (uint16_t)TLSD_MAX_EXTS),
		.alpn_total = sh->alpn.total,
		.alpn_n = sh->alpn.n,
		.alpn_used = TLSD_MIN(sh->alpn.used, (uint16_t)TLSD_STRLIST_BYTES),
		.session_id_len = TLSD_MIN(sh->session_id_len, (uint8_t)sizeof(sh->session_id)),
		.compression = sh->compression,
		.downgrade = sh->downgrade,
		.is_hrr = sh->is_hrr,
		.has_psk = sh->has_psk,
		.has_ems = sh->has_ems,
		.has_reneg_info = sh->has_reneg_info,
		.has_etm = sh->has_etm,
		.has_session_ticket = sh->has_session_ticket,
		.has_status_request = sh->has_status_request,
		.has_sni = sh->has_sni,
		.has_alpn = sh->has_alpn,
		.has_key_share = sh->has_key_share,
		.has_cookie = sh->has_cookie,
		.dup_ext = sh->dup_ext,
		.trailing = sh->trailing,
	};
	memcpy(k->random, sh->random, sizeof(k->random));
	memcpy(k->session_id, sh->session_id, k->session_id_len);
	if (!lists_reserve(&s->lists, 2u * k->n_exts + k->alpn_used, &k->lists)) {
		k->n_exts = k->alpn_n = k->alpn_used = 0;
		return;
	}
	data = s->lists.heap ? s->lists.heap : (uint8_t *)s->lists.inl;
	pos = k->lists;
	put(data, &pos, sh->exts, 2u * k->n_exts);
	put(data, &pos, sh->alpn.data, k->alpn_used);
}

/* Where an empty list points (never NULL: it is handed to memcpy). */
static const uint16_t no_entries[1];

/* The next list of n entries of size bytes in the store, through the
 * cursor (a store that does not hold it gives false). */
static bool next_list(struct tlsd_cur *c, size_t n, size_t size, const uint8_t **p)
{
	struct tlsd_cur v;

	if (!tlsd_cur_get_bytes(c, &v, n * size))
		return false;
	*p = n ? tlsd_cur_data(&v) : (const uint8_t *)no_entries;
	return true;
}

/* uint16_t lists start at even offsets of 2-aligned storage (lists_reserve). */
static const uint16_t *u16s(const uint8_t *p)
{
	return (const uint16_t *)(const void *)p;
}

void tlsd_session_ch_lists(const struct tlsd_session *s, struct tlsd_sess_ch_lists *out)
{
	const uint16_t *none = no_entries;
	const struct tlsd_sess_ch *k = &s->ch;
	const uint8_t *p[10];
	struct tlsd_cur c;
	const size_t n[10] = {k->n_suites,	   k->n_exts,	     k->n_versions,
			      k->n_groups,	   k->n_sigalgs,     k->n_key_shares,
			      k->n_key_shares,	   k->n_point_formats, k->sni_len,
			      k->alpn_used};
	size_t i = 0;

	tlsd_cur_init(&c, lists_data(&s->lists), s->lists.len);
	if (tlsd_cur_skip(&c, k->lists))
		while (i < 10 && next_list(&c, n[i], i < 7 ? 2 : 1, &p[i]))
			i++;
	if (i < 10) { /* not what was set: nothing */
		*out = (struct tlsd_sess_ch_lists){
			.suites = none, .exts = none, .versions = none, .groups = none,
			.sigalgs = none, .key_share_groups = none, .key_share_lens = none,
			.point_formats = (const uint8_t *)none, .sni = (const uint8_t *)none,
			.alpn = (const uint8_t *)none,
		};
		return;
	}
	*out = (struct tlsd_sess_ch_lists){
		.suites = u16s(p[0]), .exts = u16s(p[1]), .versions = u16s(p[2]),
		.groups = u16s(p[3]), .sigalgs = u16s(p[4]), .key_share_groups = u16s(p[5]),
		.key_share_lens = u16s(p[6]), .point_formats = p[7], .sni = p[8], .alpn = p[9],
		.n_suites = n[0], .n_exts = n[1], .n_versions = n[2], .n_groups = n[3],
		.n_sigalgs = n[4], .n_key_shares = n[5], .n_point_formats = n[7],
		.sni_len = n[8], .alpn_used = n[9],
	};
}

void tlsd_session_client_hello(const struct tlsd_session *s, struct tlsd_client_hello *out)
{
	const struct tlsd_sess_ch *k = &s->ch;
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	memset(out, 0, sizeof(*out));
	out->legacy_version = k->legacy_version;
	memcpy(out->random, k->random, sizeof(out->random));
	out->session_id_len = k->session_id_len;
	memcpy(out->session_id, k->session_id, k->session_id_len);
	out->n_suites_total = k->n_suites_total;
	out->n_suites = (uint16_t)v.n_suites;
	memcpy(out->suites, v.suites, 2u * v.n_suites);
	out->fallback_scsv = k->fallback_scsv;
	out->reneg_scsv = k->reneg_scsv;
	out->n_compressions = k->n_compressions;
	out->compression_null = k->compression_null;
	out->n_exts_total = k->n_exts_total;
	out->n_exts = (uint16_t)v.n_exts;
	memcpy(out->exts, v.exts, 2u * v.n_exts);
	out->has_sni = k->has_sni;
	out->sni_len = (uint16_t)v.sni_len;
	out->sni_truncated = k->sni_truncated;
	memcpy(out->sni, v.sni, v.sni_len); /* NUL-terminated: the rest is 0 */
	out->n_versions = (uint8_t)v.n_versions;
	memcpy(out->versions, v.versions, 2u * v.n_versions);
	out->n_groups = (uint8_t)v.n_groups;
	memcpy(out->groups, v.groups, 2u * v.n_groups);
	out->n_point_formats = (uint8_t)v.n_point_formats;
	memcpy(out->point_formats, v.point_formats, v.n_point_formats);
	out->n_sigalgs = (uint8_t)v.n_sigalgs;
	memcpy(out->sigalgs, v.sigalgs, 2u * v.n_sigalgs);
	out->n_key_shares = (uint8_t)v.n_key_shares;
	memcpy(out->key_share_groups, v.key_share_groups, 2u * v.n_key_shares);
	memcpy(out->key_share_lens, v.key_share_lens, 2u * v.n_key_shares);
	out->psk_modes = k->psk_modes;
	out->alpn.total = k->alpn_total;
	out->alpn.n = v.alpn_used ? k->alpn_n : 0;
	out->alpn.used = (uint16_t)v.alpn_used;
	memcpy(out->alpn.data, v.alpn, v.alpn_used);
	out->session_ticket_len = k->session_ticket_len;
	out->padding_len = k->padding_len;
	out->record_size_limit = k->record_size_limit;
	out->has_supported_versions = k->has_supported_versions;
	out->has_psk = k->has_psk;
	out->has_early_data = k->has_early_data;
	out->has_status_request = k->has_status_request;
	out->has_session_ticket = k->has_session_ticket;
	out->has_ems = k->has_ems;
	out->has_reneg_info = k->has_reneg_info;
	out->has_etm = k->has_etm;
	out->has_padding = k->has_padding;
	out->has_record_size_limit = k->has_record_size_limit;
	out->has_pha = k->has_pha;
	out->has_cookie = k->has_cookie;
	out->has_ech = k->has_ech;
	out->has_compress_cert = k->has_compress_cert;
	out->has_sigalgs_cert = k->has_sigalgs_cert;
	out->has_alpn = k->has_alpn;
	out->has_key_share = k->has_key_share;
	out->dup_ext = k->dup_ext;
	out->trailing = k->trailing;
	out->bad_ext = k->bad_ext;
	out->bad_ext_type = k->bad_ext_type;
	out->n_ssl2_specs = k->n_ssl2_specs;
	out->salvaged = k->salvaged;
	out->sslv2 = k->sslv2;
	out->dtls = k->dtls;
	out->dtls_cookie_len = k->dtls_cookie_len;
	out->msg_len = k->msg_len;
}

/* The ServerHello's lists in place; false (and nothing) when the store
 * does not hold them. */
static bool sh_lists(const struct tlsd_session *s, const uint8_t **exts, const uint8_t **alpn)
{
	struct tlsd_cur c;

	tlsd_cur_init(&c, lists_data(&s->lists), s->lists.len);
	return tlsd_cur_skip(&c, s->sh.lists) && next_list(&c, s->sh.n_exts, 2, exts) &&
	       next_list(&c, s->sh.alpn_used, 1, alpn);
}

/* The ServerHello's ALPN as the parser gave it. */
static void sh_alpn(const struct tlsd_session *s, const uint8_t *alpn, struct tlsd_strlist *out)
{
	out->total = s->sh.alpn_total;
	out->n = s->sh.alpn_n;
	out->used = s->sh.alpn_used;
	memcpy(out->data, alpn, s->sh.alpn_used);
}

void tlsd_session_server_hello(const struct tlsd_session *s, struct tlsd_server_hello *out)
{
	const struct tlsd_sess_sh *k = &s->sh;
	const uint8_t *exts, *alpn;

	memset(out, 0, sizeof(*out));
	if (sh_lists(s, &exts, &alpn)) {
		out->n_exts = k->n_exts;
		memcpy(out->exts, exts, 2u * k->n_exts);
		sh_alpn(s, alpn, &out->alpn);
	}
	out->legacy_version = k->legacy_version;
	memcpy(out->random, k->random, sizeof(out->random));
	out->session_id_len = k->session_id_len;
	memcpy(out->session_id, k->session_id, k->session_id_len);
	out->suite = k->suite;
	out->compression = k->compression;
	out->selected_version = k->selected_version;
	out->is_hrr = k->is_hrr;
	out->key_share_group = k->key_share_group;
	out->alpn.total = k->alpn_total;
	out->psk_identity = k->psk_identity;
	out->has_psk = k->has_psk;
	out->has_ems = k->has_ems;
	out->has_reneg_info = k->has_reneg_info;
	out->has_etm = k->has_etm;
	out->has_session_ticket = k->has_session_ticket;
	out->has_status_request = k->has_status_request;
	out->has_sni = k->has_sni;
	out->has_alpn = k->has_alpn;
	out->has_key_share = k->has_key_share;
	out->has_cookie = k->has_cookie;
	out->downgrade = k->downgrade;
	out->dup_ext = k->dup_ext;
	out->trailing = k->trailing;
}

void tlsd_session_set_cert_checks(struct tlsd_session *s, const struct tlsd_cert_checks *cc)
{
	s->certs.cc = cc && cc->store ? cc : NULL;
}

void tlsd_session_tcp_open(struct tlsd_session *s, const struct tlsd_flow *f)
{
	s->tcp_opened = true;
	s->syn_ts = f->syn_ts;
	s->synack_ts = f->synack_ts;
	s->ack3_ts = f->ack3_ts;
	s->first_ts = f->first_ts;
	s->syn_seen = f->syn_ts != 0 || f->side[C2S].syn;
	if (!s->syn_seen)
		s->midstream = f->side[C2S].reasm.midstream || f->roles_guessed;
}

bool tlsd_session_udp_open(struct tlsd_session *s, enum tlsd_transport t, tlsd_time_ns first_ts)
{
	if (!s->udp)
		s->udp = calloc(1, sizeof(*s->udp));
	if (!s->udp)
		return false;
	s->transport = t;
	s->first_ts = first_ts;
	s->syn_seen = true; /* the client's first datagram: the start was seen */
	return true;
}

struct tlsd_udp_facts *tlsd_session_udp_facts(struct tlsd_session *s)
{
	return s->udp;
}

void tlsd_session_udp_cover(struct tlsd_session *s, enum tlsd_dir d, uint32_t datagrams,
			    tlsd_time_ns first_ts, tlsd_time_ns last_ts)
{
	struct tlsd_sess_cover *cv = &s->cover[d];

	*cv = (struct tlsd_sess_cover){
		.known = true,
		.packets = datagrams,
		.syn = datagrams > 0,
		.stream_started = datagrams > 0,
		.captured = datagrams, /* no byte stream: anything held counts */
		.first_ts = first_ts,
		.last_ts = last_ts,
	};
}

void tlsd_session_skip_fingerprints(struct tlsd_session *s)
{
	s->no_fingerprints = true;
}

void tlsd_session_roles_flipped(struct tlsd_session *s)
{
	hist_sym(s, '^');
}

/* ---- helpers ------------------------------------------------------------ */

static bool offered_tls13(const struct tlsd_session *s)
{
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	for (size_t i = 0; i < v.n_versions; i++)
		if (tlsd_version_is_tls13(v.versions[i]))
			return true;
	return false;
}

static bool is_tls13(const struct tlsd_session *s)
{
	return s->has_sh && tlsd_version_is_tls13(s->version);
}

bool tlsd_session_tls13_holds(const struct tlsd_session *s, uint16_t len, uint16_t content)
{
	struct tlsd_suite_info si;
	uint32_t least;
	uint16_t tag = 16;

	if (s->has_sh && tlsd_suite_info(s->sh.suite, &si) && si.aead_tag_len)
		tag = si.aead_tag_len;
	least = (uint32_t)content + 1 + tag;
	return len >= least && len <= least + TLSD_TLS13_MAX_PADDING;
}

bool tlsd_session_tls13_alert_sized(const struct tlsd_session *s, uint16_t len)
{
	return tlsd_session_tls13_holds(s, len, 2);
}

static void msg_name(uint16_t msg, char *buf, size_t len)
{
	const char *n = NULL;

	switch (msg) {
	case M_CCS:
	case M_CCS13: n = "change_cipher_spec"; break;
	case M_ENC_HS: n = "encrypted handshake record"; break;
	case M_APP: n = "encrypted record"; break;
	case M_SH13: n = "server_hello (TLS 1.3)"; break;
	case M_HRR: n = "hello_retry_request"; break;
	default: n = msg < 256 ? tlsd_name_handshake((uint8_t)msg) : NULL; break;
	}
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "handshake type %u", (unsigned)msg);
}

/* The rows of each state, in table order, as chains through row_next (NO_ROW
 * ends a chain): every protected record of an established connection steps
 * the machine, and a scan of the whole table from the top cost ~40 compares
 * per record. Built from the table before main() (a constructor: no once
 * flag to test, and no call, on every lookup), so the table stays the one
 * source. */
#define NO_ROW UINT8_MAX
_Static_assert(TLSD_ARRAY_SIZE(transitions) < NO_ROW, "row numbers fit uint8_t");
static uint8_t state_first[TLSD_SS__COUNT];
static uint8_t row_next[TLSD_ARRAY_SIZE(transitions)];

__attribute__((constructor)) static void build_rows(void)
{
	uint8_t last[TLSD_SS__COUNT];

	memset(state_first, NO_ROW, sizeof(state_first));
	memset(last, NO_ROW, sizeof(last));
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(transitions); i++) {
		uint8_t st = transitions[i].from;

		row_next[i] = NO_ROW;
		if (last[st] == NO_ROW)
			state_first[st] = (uint8_t)i;
		else
			row_next[last[st]] = (uint8_t)i;
		last[st] = (uint8_t)i;
	}
}

/* The first row of the table for (st, d, msg), as a scan from the top finds it. */
static const struct transition *find_transition(enum tlsd_sstate st, enum tlsd_dir d,
					       uint16_t msg)
{
	if ((unsigned)st >= TLSD_SS__COUNT)
		return NULL;
	for (uint8_t i = state_first[st]; i != NO_ROW; i = row_next[i]) {
		const struct transition *t = &transitions[i];

		if (t->msg == msg && (t->dir == ANY || t->dir == d))
			return t;
	}
	return NULL;
}

/* Cold and out of line: step() runs for every record, this almost never. */
__attribute__((cold, noinline)) static void unexpected(struct tlsd_session *s, enum tlsd_dir d,
						       uint16_t msg)
{
	s->unexpected++;
	s->anomalies++;
	if (s->unexpected == 1 && !s->first_unexpected)
		s->first_unexpected = malloc(TLSD_SESS_WHAT_LEN);
	if (s->unexpected == 1 && s->first_unexpected) {
		char name[48];

		msg_name(msg, name, sizeof(name));
		snprintf(s->first_unexpected, TLSD_SESS_WHAT_LEN, "%s from the %s in state %s", name,
			 d == C2S ? "client" : "server", tlsd_sstate_name(s->state));
	}
}

/* Before anything from the client: with no SYN seen, the capture started in
 * the middle of the connection; otherwise the peer is at fault. */
static bool idle_without_hello(struct tlsd_session *s, uint16_t msg)
{
	if (s->state != TLSD_SS_IDLE || msg == TLSD_HS_CLIENT_HELLO)
		return false;
	if (!s->syn_seen) {
		s->midstream = true;
		return true;
	}
	return false;
}

static bool tls13_post_ok(const struct tlsd_session *s)
{
	const struct tlsd_sess_tls13 *t = &s->t13;

	if (s->state != TLSD_SS_TLS13_POST)
		return false;
	return t->post_srv >= 2 || !tlsd_session_tls13_alert_sized(s, t->post_srv_first_len);
}

/* Runs one input through the tables. Returns false when it was unexpected. */
static bool step(struct tlsd_session *s, enum tlsd_dir d, uint16_t msg, tlsd_time_ns ts)
{
	const struct transition *t;

	if (idle_without_hello(s, msg))
		return false;
	t = find_transition(s->state, d, msg);
	if (!t) {
		unexpected(s, d, msg);
		return false;
	}
	s->state = (enum tlsd_sstate)t->to;
	if (s->state == TLSD_SS_ESTABLISHED && !s->established && !s->has_fatal) {
		s->established = true;
		s->established_ts = ts;
	}
	return true;
}

/* ---- handshake messages ----------------------------------------------- */

static void on_client_hello(struct tlsd_session *s, const struct tlsd_hs_msg *m)
{
	struct tlsd_client_hello ch;
	struct tlsd_parse_err err = {0};
	enum tlsd_parse r;

	s->n_client_hellos++;
	if (m->sslv2)
		r = tlsd_parse_sslv2_client_hello(m->body, m->len, &ch, &err);
	else if (s->transport == TLSD_TRANSPORT_DTLS)
		r = tlsd_parse_dtls_client_hello(m->body, m->len, &ch, &err);
	else
		r = tlsd_parse_client_hello(m->body, m->len, &ch, &err);
	if (r != TLSD_PARSE_OK)
		s->anomalies++;
	if (!s->has_ch) {
		s->has_ch = true;
		s->ch_parsed = r == TLSD_PARSE_OK;
		if (s->ch_parsed) {
			tlsd_session_set_client_hello(s, &ch);
		} else {
			s->ch_err = err;
			/* The offer is still worth showing (SNI, suites). */
			if (!m->sslv2 && s->transport != TLSD_TRANSPORT_DTLS &&
			    tlsd_parse_client_hello_salvage(m->body, m->len, &ch) == TLSD_PARSE_OK) {
				tlsd_session_set_client_hello(s, &ch);
				s->ch_salvaged = true;
			}
		}
		s->ch_ts = m->ts;
		s->ch_off = m->off;
		s->ch_len = m->len;
		s->ch_records = m->records;
		s->ch_segments = m->chunks;
	} else if (s->state == TLSD_SS_HELLO_RETRY && !s->has_ch2) {
		s->has_ch2 = true;
		s->ch2_parsed = r == TLSD_PARSE_OK;
	}
	(void)step(s, C2S, TLSD_HS_CLIENT_HELLO, m->ts);
}

/* Returns true for a HelloRetryRequest. */
static bool on_server_hello(struct tlsd_session *s, const struct tlsd_hs_msg *m)
{
	struct tlsd_server_hello sh;
	struct tlsd_parse_err err = {0};
	uint16_t msg = TLSD_HS_SERVER_HELLO;

	if (tlsd_parse_server_hello(m->body, m->len, &sh, &err) != TLSD_PARSE_OK) {
		s->anomalies++;
		s->has_sh = true;
		s->sh_ts = m->ts;
		s->version = m->record_version;
		(void)step(s, S2C, msg, m->ts);
		return false;
	}
	if (sh.is_hrr) {
		s->has_hrr = true;
		s->hrr = (struct tlsd_sess_hrr){
			.is_hrr = true,
			.version = tlsd_server_hello_version(&sh),
			.suite = sh.suite,
			.key_share_group = sh.key_share_group,
		};
		(void)step(s, S2C, M_HRR, m->ts);
		return true;
	}
	if (s->has_sh) { /* a second ServerHello: keep the first */
		unexpected(s, S2C, msg);
		return false;
	}
	s->has_sh = true;
	s->sh_parsed = true;
	tlsd_session_set_server_hello(s, &sh);
	s->sh_ts = m->ts;
	s->version = tlsd_server_hello_version(&sh);
	if (tlsd_version_is_tls13(s->version)) {
		msg = M_SH13;
		s->psk_accepted = sh.has_psk;
	} else if (s->ch_parsed && sh.session_id_len > 0 &&
		   sh.session_id_len == s->ch.session_id_len &&
		   memcmp(sh.session_id, s->ch.session_id, sh.session_id_len) == 0) {
		s->sid_resumed = true;
	}
	(void)step(s, S2C, msg, m->ts);
	return false;
}

/* ---- certificate material (see struct tlsd_sess_certs) -------------------- */

/* A cap of the certificate stage was hit: an event, never a crash. */
static void cert_cap_event(struct tlsd_session *s)
{
	s->anomalies++;
	if (s->certs.cc && s->certs.cc->ctx)
		tlsd_ctx_count(s->certs.cc->ctx, TLSD_ANOM_CAPTURE_CAP_CHAIN);
}

/* The material, made when the first of it is kept; NULL without memory. */
static struct tlsd_sess_cert_mat *cert_mat(struct tlsd_session *s)
{
	struct tlsd_sess_cert_mat *mat = s->certs.mat;

	if (!mat) {
		mat = calloc(1, sizeof(*mat));
		if (!mat)
			return NULL;
		tlsd_buf_init(&mat->mem, TLSD_SESS_CERT_MEM_CAP);
		s->certs.mat = mat;
	}
	return mat;
}

/* Copies the bytes of view v into the session's certificate buffer. */
static bool keep_bytes(struct tlsd_sess_cert_mat *sc, const struct tlsd_cur *v,
		       struct tlsd_sess_span *out)
{
	size_t off = sc->mem.len, len = tlsd_cur_len(v);

	if (len > UINT32_MAX || off > UINT32_MAX - len ||
	    tlsd_buf_append(&sc->mem, tlsd_cur_data(v), len) != 0)
		return false;
	out->off = (uint32_t)off;
	out->len = (uint32_t)len;
	return true;
}

/* A view of kept bytes, made with the cursor (no pointer arithmetic). */
static bool span_view(const struct tlsd_sess_cert_mat *sc, const struct tlsd_sess_span *sp,
		      struct tlsd_cur *out)
{
	struct tlsd_cur all;

	tlsd_cur_init(&all, sc->mem.data, sc->mem.len);
	return tlsd_cur_skip(&all, sp->off) && tlsd_cur_get_bytes(&all, out, sp->len);
}

static void keep_chain(struct tlsd_session *s, enum tlsd_dir d,
		       const struct tlsd_certificate_msg *c)
{
	const struct tlsd_cert_checks *cc = s->certs.cc;
	uint32_t max = cc->max_chain ? TLSD_MIN(cc->max_chain, (uint32_t)TLSD_CERT_MAX_CHAIN)
				     : TLSD_CERT_MAX_CHAIN;
	struct tlsd_sess_cert_mat *mat;
	struct tlsd_sess_chain *ch;

	if (c->n_certs == 0 || (s->certs.mat && (d == S2C ? s->certs.mat->srv.seen
								: s->certs.mat->cli.seen)))
		return; /* the first chain of each side counts */
	mat = cert_mat(s);
	if (!mat) {
		cert_cap_event(s); /* as when the buffer finds no memory */
		return;
	}
	ch = d == S2C ? &mat->srv : &mat->cli;
	ch->seen = true;
	ch->n_sent = c->n_certs;
	for (uint32_t i = 0; i < c->n_kept && i < max; i++) {
		if (tlsd_cur_len(&c->der[i]) > TLSD_CERT_MAX_DER ||
		    !keep_bytes(mat, &c->der[i], &ch->der[ch->n])) {
			ch->capped = true;
			break;
		}
		ch->n++;
	}
	if (ch->n < c->n_certs)
		ch->capped = true;
	if (ch->capped)
		cert_cap_event(s);
}

static void keep_ske(struct tlsd_session *s, const struct tlsd_server_key_exchange *ske)
{
	struct tlsd_sess_cert_mat *sc;
	size_t mark;

	if (!s->certs.cc || s->certs.ske_kept ||
	    (ske->kind != TLSD_KX_ECDHE && ske->kind != TLSD_KX_DHE) ||
	    tlsd_cur_len(&ske->signature) == 0)
		return;
	sc = cert_mat(s);
	if (!sc) {
		cert_cap_event(s);
		return;
	}
	mark = sc->mem.len;
	if (tlsd_cur_len(&ske->params) > TLSD_SKE_MAX_PARAMS ||
	    tlsd_cur_len(&ske->signature) > TLSD_SESS_SKE_MAX_SIG ||
	    !keep_bytes(sc, &ske->params, &sc->ske_params) ||
	    !keep_bytes(sc, &ske->signature, &sc->ske_sig)) {
		sc->mem.len = mark; /* drop a half-kept pair */
		cert_cap_event(s);
		return;
	}
	s->certs.ske_kept = true;
	sc->ske_sig_scheme = ske->sig_scheme;
}

static void on_certificate(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	if (m->oversized) {
		/* Over --max-handshake: what its header says, nothing checked. */
		if (d == S2C) {
			s->srv_cert = true;
			s->srv_cert_len = m->declared_len;
			s->srv_cert_ts = m->ts;
		} else {
			s->cli_cert = true;
			s->cli_cert_len = m->declared_len;
		}
		return;
	}
	struct tlsd_certificate_msg c;
	struct tlsd_parse_err err = {0};
	bool ok = tlsd_parse_certificate(m->body, m->len, is_tls13(s), &c, &err) == TLSD_PARSE_OK;
	uint32_t count = ok ? c.n_certs : (m->len > 3 ? 1 : 0);

	if (!ok)
		s->anomalies++;
	/* TLS 1.3 chains are only visible decrypted (key log). */
	if (ok && s->certs.cc && (!c.tls13 || m->decrypted))
		keep_chain(s, d, &c);
	if (d == S2C) {
		s->srv_cert = true;
		s->srv_cert_count = count;
		s->srv_cert_len = m->len;
		s->srv_cert_ts = m->ts;
	} else {
		s->cli_cert = true;
		s->cli_cert_count = count;
		s->cli_cert_len = m->len;
		s->cli_cert_empty = count == 0;
	}
}

static void on_server_key_exchange(struct tlsd_session *s, const struct tlsd_hs_msg *m)
{
	struct tlsd_suite_info si;
	struct tlsd_server_key_exchange ske;
	struct tlsd_parse_err err = {0};
	enum tlsd_kx_kind kind = TLSD_KX_UNKNOWN;

	s->ske = true;
	if (s->sh_parsed && tlsd_suite_info(s->sh.suite, &si))
		kind = si.kx;
	s->ske_kind = kind;
	if (kind == TLSD_KX_UNKNOWN)
		return;
	if (tlsd_parse_server_key_exchange(m->body, m->len, kind, s->version, &ske, &err) !=
	    TLSD_PARSE_OK) {
		s->anomalies++;
		return;
	}
	s->ske_parsed = true;
	keep_ske(s, &ske);
	s->ske_group = ske.group;
	s->ske_sig_scheme = ske.sig_scheme;
	s->ske_dh_bits = ske.dh_p_bits;
}

/* Keeps which CAs the first CertificateRequest names (a renegotiation's
 * later one is not kept): their number, and the first one in words, formatted
 * once here because the DER lives only as long as the message. */
static void on_certificate_request(struct tlsd_session *s, const struct tlsd_hs_msg *m)
{
	struct tlsd_certificate_request cr;
	struct tlsd_parse_err err = {0};
	bool first = !s->cert_request;

	s->cert_request = true;
	if (!first)
		return;
	if (tlsd_parse_certificate_request(m->body, m->len, s->version, &cr, &err) !=
	    TLSD_PARSE_OK) {
		s->anomalies++;
		return;
	}
	s->cr_parsed = true;
	s->cr_ca_names = cr.n_ca_names;
	if (cr.n_ca_names == 0 || s->cr_first_ca)
		return;
	s->cr_first_ca = malloc(TLSD_CERT_NAME_LEN);
	if (s->cr_first_ca &&
	    !tlsd_cert_name_text(s->cr_first_ca, TLSD_CERT_NAME_LEN, &cr.first_ca)) {
		free(s->cr_first_ca);
		s->cr_first_ca = NULL;
	}
}

/* What one handshake message tells, whether read in the clear or decrypted
 * with the key log (the state machine only moves on the former). */
static void note_message_facts(struct tlsd_session *s, enum tlsd_dir d,
			       const struct tlsd_hs_msg *m)
{
	if (m->oversized && m->type != TLSD_HS_CERTIFICATE)
		return; /* nothing to read in it */
	switch (m->type) {
	case TLSD_HS_CERTIFICATE:
		on_certificate(s, d, m);
		break;
	case TLSD_HS_SERVER_KEY_EXCHANGE:
		if (d == S2C)
			on_server_key_exchange(s, m);
		break;
	case TLSD_HS_CERTIFICATE_REQUEST:
		if (d == S2C)
			on_certificate_request(s, m);
		break;
	case TLSD_HS_SERVER_HELLO_DONE:
		if (d == S2C)
			s->srv_done = true;
		break;
	case TLSD_HS_CLIENT_KEY_EXCHANGE:
		if (d == C2S)
			s->cke = true;
		break;
	case TLSD_HS_CERTIFICATE_VERIFY:
		if (d == C2S)
			s->cli_cert_verify = true;
		break;
	case TLSD_HS_NEW_SESSION_TICKET:
		if (d == S2C)
			s->srv_ticket = true;
		break;
	default:
		break;
	}
}

static void on_decrypted_handshake(struct tlsd_session *s, enum tlsd_dir d,
				   const struct tlsd_hs_msg *m);

void tlsd_session_handshake(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	if (m->decrypted) {
		on_decrypted_handshake(s, d, m);
		return;
	}
	s->dir[d].hs_msgs++;
	if (m->oversized && !s->oversized) {
		s->oversized = true;
		s->oversized_dir = d;
		s->oversized_type = m->type;
		s->oversized_len = m->declared_len;
		if (m->type == TLSD_HS_CLIENT_HELLO || m->type == TLSD_HS_SERVER_HELLO) {
			/* A hello cannot be followed without its content. */
			tlsd_session_framing_lost(s, d, TLSD_FRAMING_OVERFLOW, m->off, NULL, 0);
			return;
		}
	}
	if (m->type == TLSD_HS_SERVER_HELLO && d == S2C) {
		bool hrr = on_server_hello(s, m);

		hist_letter(s, d, hrr ? 'J' : 'S');
		s->has_last_hs = true;
		s->last_hs = hrr ? TLSD_HS_HELLO_RETRY_REQUEST : TLSD_HS_SERVER_HELLO;
		return;
	}
	hist_letter(s, d, hs_letter(m->type));
	s->has_last_hs = true;
	s->last_hs = m->type;

	if (m->type == TLSD_HS_CLIENT_HELLO && d == C2S) {
		on_client_hello(s, m);
		return;
	}
	if (idle_without_hello(s, m->type))
		return;
	note_message_facts(s, d, m);
	if (m->type == TLSD_HS_HELLO_VERIFY_REQUEST && d == S2C)
		s->n_hvr++;
	if (step(s, d, m->type, m->ts)) {
		if (s->state == TLSD_SS_ABBR_TICKET)
			s->abbreviated = true;
	}
}

/* ---- alerts -------------------------------------------------------------- */

static bool handshake_complete(const struct tlsd_session *s)
{
	return s->established || tls13_post_ok(s);
}

static void note_alert_ex(struct tlsd_session *s, enum tlsd_dir d, bool encrypted,
			  bool decrypted, uint8_t level, uint8_t desc, uint64_t off, tlsd_time_ns ts)
{
	struct tlsd_sess_alert a = {
		.dir = d,
		.encrypted = encrypted,
		.decrypted = decrypted,
		.level = level,
		.desc = desc,
		.state = s->state,
		.before_peer_ccs = !s->dir[tlsd_dir_other(d)].ccs,
		.off = off,
		.ts = ts,
	};
	bool complete = handshake_complete(s);
	bool closing, fatal;

	s->n_alerts++;
	if (s->n_alerts_kept < TLSD_SESS_MAX_ALERTS) {
		s->n_alerts_kept++;
		s->last_alert = a;
	}
	if (!decrypted) /* a decrypted alert's record is already in the history */
		hist_letter(s, d, 'L');

	if (encrypted) {
		/* Unreadable: after completion it is the close_notify; before,
		 * nothing but an error makes a peer send one. */
		if (complete) {
			if (!s->has_closing_alert) {
				s->has_closing_alert = true;
				s->closing_alert = a;
			}
		} else if (!s->has_fatal) {
			s->has_fatal = true;
			s->fatal = a;
		}
		return;
	}
	if (level == 1 && desc == 41 && d == C2S)
		s->cli_no_certificate_alert = true; /* SSL 3.0: no client certificate */
	closing = desc == 0 || desc == 90;
	/* TLS 1.3 ignores the level: all but close_notify/user_canceled are fatal. */
	fatal = !closing && (level != 1 || is_tls13(s));
	if (fatal) {
		if (!s->has_fatal) {
			s->has_fatal = true;
			s->fatal = a;
		}
	} else if (closing) {
		if (complete) {
			if (!s->has_closing_alert) {
				s->has_closing_alert = true;
				s->closing_alert = a;
			}
		} else if (!s->has_close_alert) {
			s->has_close_alert = true;
			s->close_alert = a;
		}
	}
}

static void note_alert(struct tlsd_session *s, enum tlsd_dir d, bool encrypted, uint8_t level,
		       uint8_t desc, uint64_t off, tlsd_time_ns ts)
{
	note_alert_ex(s, d, encrypted, false, level, desc, off, ts);
}

void tlsd_session_alert(struct tlsd_session *s, enum tlsd_dir d, uint8_t level, uint8_t desc,
			uint64_t off, tlsd_time_ns ts)
{
	note_alert(s, d, false, level, desc, off, ts);
}

void tlsd_session_alert_decrypted(struct tlsd_session *s, enum tlsd_dir d, uint8_t level,
				  uint8_t desc, uint64_t off, tlsd_time_ns ts)
{
	/* Forget the unreadable version of this same record (TLS <= 1.2). */
	if (s->has_fatal && s->fatal.encrypted && s->fatal.off == off)
		s->has_fatal = false;
	if (s->has_closing_alert && s->closing_alert.encrypted && s->closing_alert.off == off)
		s->has_closing_alert = false;
	if (s->n_alerts_kept && s->last_alert.encrypted && s->last_alert.off == off) {
		/* note_alert_ex puts it back as the last one */
		s->n_alerts_kept--;
		s->n_alerts--;
	}
	note_alert_ex(s, d, false, true, level, desc, off, ts);
}

bool tlsd_session_crypto_params(const struct tlsd_session *s, struct tlsd_session_crypto *out)
{
	if (!s->ch_parsed || !s->sh_parsed || s->sh.is_hrr || !s->version)
		return false;
	*out = (struct tlsd_session_crypto){
		.version = s->version,
		.suite = s->sh.suite,
		.encrypt_then_mac = s->ch.has_etm && s->sh.has_etm,
	};
	memcpy(out->client_random, s->ch.random, sizeof(out->client_random));
	memcpy(out->server_random, s->sh.random, sizeof(out->server_random));
	return true;
}

/* A handshake message read from a protected record: facts only. The
 * state machine stays driven by the records themselves (their sizes and
 * types), so a capture gives the same verdict with or without keys, only
 * better evidence. */
static void on_decrypted_handshake(struct tlsd_session *s, enum tlsd_dir d,
				   const struct tlsd_hs_msg *m)
{
	s->dir[d].decrypted_msgs++;
	if (m->type == TLSD_HS_FINISHED)
		s->dir[d].decrypted_finished = true;
	/* A decrypted key exchange is a renegotiation's: it must not replace
	 * the first handshake's facts. */
	if (m->type == TLSD_HS_SERVER_KEY_EXCHANGE || m->type == TLSD_HS_SERVER_HELLO_DONE ||
	    m->type == TLSD_HS_CLIENT_KEY_EXCHANGE)
		return;
	note_message_facts(s, d, m);
}

/* ---- records ----------------------------------------------------------- */

static void keep_enc(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	struct tlsd_sess_enc_rec e = {
		.type = ri->type, .len = ri->len, .state = s->state, .ts = ri->ts};

	if (sd->enc_records < TLSD_SESS_ENC_FIRST)
		sd->enc_first[sd->enc_records] = e;
	sd->enc_last[sd->enc_records % TLSD_SESS_ENC_LAST] = e;
	sd->enc_records++;
	sd->enc_bytes += ri->len;
}

/* TLS 1.3 flights, counted by size (see the outcome rules above). */
static void tls13_count(struct tlsd_session *s, enum tlsd_dir d, enum tlsd_sstate old,
			const struct tlsd_record_info *ri)
{
	struct tlsd_sess_tls13 *t = &s->t13;

	switch (s->state) {
	case TLSD_SS_TLS13_SERVER_FLIGHT:
		if (d == S2C) {
			t->srv_flight++;
			t->srv_flight_bytes += ri->len;
			t->srv_flight_last_len = ri->len;
		}
		break;
	case TLSD_SS_TLS13_CLIENT_FLIGHT:
		if (d != C2S)
			break;
		if (t->cli_flight == 0)
			t->cli_flight_ts = ri->ts;
		t->cli_flight++;
		t->cli_flight_bytes += ri->len;
		t->cli_flight_last_ts = ri->ts;
		if (ri->len > t->cli_flight_max_len)
			t->cli_flight_max_len = ri->len;
		/* With 0-RTT the flight opens with end_of_early_data (its size
		 * looked up only then: this runs for every record). */
		if (t->cli_flight_first_len == 0 &&
		    !(t->early_records > 0 && t->cli_flight == 1 &&
		      tlsd_session_tls13_holds(s, ri->len, 4)))
			t->cli_flight_first_len = ri->len;
		break;
	case TLSD_SS_TLS13_POST:
		if (d == S2C) {
			if (t->post_srv == 0) {
				t->post_srv_first_len = ri->len;
				t->post_srv_first_ts = ri->ts;
			}
			t->post_srv++;
		} else {
			t->post_cli++;
		}
		break;
	default:
		if (d == C2S && (old == TLSD_SS_CLIENT_HELLO))
			t->early_records++;
		break;
	}
}

static void on_app_record(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	enum tlsd_sstate old = s->state;

	/* 0-RTT data still arriving while the server's flight has not started. */
	if (old == TLSD_SS_TLS13_SERVER_FLIGHT && d == C2S && s->t13.srv_flight == 0 &&
	    s->t13.early_records > 0) {
		s->t13.early_records++;
		return;
	}
	if (old == TLSD_SS_HELLO_RETRY || old == TLSD_SS_CLIENT_HELLO2) {
		/* Early data rejected by the HRR: the client must not send more. */
		unexpected(s, d, M_APP);
		return;
	}
	if (!step(s, d, M_APP, ri->ts))
		return;
	if (s->state == TLSD_SS_ESTABLISHED || s->state == TLSD_SS_TLS13_POST ||
	    s->state == TLSD_SS_CLIENT_FINISHED || s->state == TLSD_SS_SERVER_TICKET ||
	    s->state == TLSD_SS_SERVER_CCS)
		s->dir[d].app_records++;
	tls13_count(s, d, old, ri);
}

static void on_enc_handshake(struct tlsd_session *s, enum tlsd_dir d,
			     const struct tlsd_record_info *ri)
{
	bool was_established = s->state == TLSD_SS_ESTABLISHED;

	if (!step(s, d, M_ENC_HS, ri->ts))
		return;
	if (was_established) {
		if (!s->renegotiation) {
			s->renegotiation = true;
			s->reneg_dir = d;
			s->reneg_ts = ri->ts;
		}
		return;
	}
	/* The first encrypted handshake record after a CCS is the Finished. */
	s->dir[d].finished = true;
	s->has_last_hs = true;
	s->last_hs = TLSD_HS_FINISHED;
	if (s->state == TLSD_SS_ABBR_SERVER_FINISHED)
		s->abbreviated = true;
}

void tlsd_session_record(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	bool enc = ri->encrypted || ri->type == TLSD_CT_APPLICATION_DATA;

	if (sd->records == 0)
		sd->first_ts = ri->ts;
	sd->records++;
	sd->record_bytes += ri->len;
	sd->last_ts = ri->ts;

	if (!enc) {
		if (ri->type < TLSD_CT_CHANGE_CIPHER_SPEC || ri->type > TLSD_CT_HEARTBEAT) {
			s->anomalies++;
			hist_letter(s, d, 'Q');
		}
		return; /* CCS, alerts, handshake and heartbeat come as their own events */
	}
	if (s->state == TLSD_SS_IDLE && idle_without_hello(s, M_APP)) {
		/* Picked up mid-stream: the records are protected, and an alert
		 * record's type is still visible (TLS <= 1.2). */
		keep_enc(s, d, ri);
		if (ri->type == TLSD_CT_ALERT)
			note_alert(s, d, true, 0, 0, ri->off, ri->ts);
		else
			hist_enc(s, d);
		return;
	}
	keep_enc(s, d, ri);
	switch (ri->type) {
	case TLSD_CT_ALERT:
		note_alert(s, d, true, 0, 0, ri->off, ri->ts);
		break;
	case TLSD_CT_HANDSHAKE:
		if (s->state == TLSD_SS_ESTABLISHED && !s->renegotiation)
			hist_sym(s, '%');
		hist_enc(s, d);
		on_enc_handshake(s, d, ri);
		break;
	case TLSD_CT_CHANGE_CIPHER_SPEC:
		/* Under the old keys: only inside a renegotiation. */
		hist_enc(s, d);
		if (s->state != TLSD_SS_ESTABLISHED)
			unexpected(s, d, M_CCS);
		break;
	case TLSD_CT_APPLICATION_DATA:
		hist_enc(s, d);
		on_app_record(s, d, ri);
		break;
	case TLSD_CT_HEARTBEAT:
		s->dir[d].heartbeats++;
		if (!handshake_complete(s))
			s->dir[d].heartbeats_early++;
		hist_letter(s, d, 'B');
		break;
	default:
		s->anomalies++;
		hist_letter(s, d, 'Q');
		break;
	}
}

bool tlsd_session_ccs_switched_keys(struct tlsd_session *s, enum tlsd_dir d,
				    const struct tlsd_record_info *ri)
{
	struct tlsd_sess_dir *sd = &s->dir[d];

	if (ri->encrypted || ri->type != TLSD_CT_HANDSHAKE || !sd->ccs || sd->encrypted ||
	    s->has_sh || s->has_hrr)
		return false;
	sd->encrypted = true;
	return true;
}

bool tlsd_session_ccs(struct tlsd_session *s, enum tlsd_dir d, uint64_t off, tlsd_time_ns ts)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	bool tls13 = s->has_sh ? is_tls13(s) : (s->ch_parsed && offered_tls13(s));

	(void)off;
	hist_letter(s, d, 'I');
	if (!sd->ccs) {
		sd->ccs = true;
		sd->ccs_ts = ts;
	}
	if (tls13) {
		(void)step(s, d, M_CCS13, ts);
		return false;
	}
	if (step(s, d, M_CCS, ts) && s->state == TLSD_SS_ABBR_SERVER_CCS)
		s->abbreviated = true;
	sd->encrypted = true;
	return true;
}

void tlsd_session_heartbeat(struct tlsd_session *s, enum tlsd_dir d, uint64_t off, uint16_t len)
{
	(void)off;
	s->dir[d].heartbeats++;
	if (!handshake_complete(s))
		s->dir[d].heartbeats_early++;
	if (len > s->dir[d].heartbeat_max_len)
		s->dir[d].heartbeat_max_len = len;
	hist_letter(s, d, 'B');
}

void tlsd_session_anomaly(struct tlsd_session *s, enum tlsd_dir d, enum tlsd_anomaly a,
			  uint64_t off, const char *what)
{
	(void)d;
	(void)off;
	(void)what;
	s->anomalies++;
	switch (a) {
	case TLSD_ANOM_CAPTURE_SNAPLEN:
	case TLSD_ANOM_CAPTURE_GAP:
	case TLSD_ANOM_CAPTURE_MIDSTREAM:
	case TLSD_ANOM_CAPTURE_CAP_FLOWS:
	case TLSD_ANOM_CAPTURE_CAP_REASM:
	case TLSD_ANOM_CAPTURE_CAP_DEPTH:
	case TLSD_ANOM_CAPTURE_CAP_HANDSHAKE:
		if (s->capture_defects++ == 0)
			s->first_capture_defect = a;
		if (a == TLSD_ANOM_CAPTURE_MIDSTREAM)
			s->midstream = true;
		else if (a != TLSD_ANOM_CAPTURE_GAP && a != TLSD_ANOM_CAPTURE_CAP_HANDSHAKE &&
			 !s->limit_hit) {
			/* (An oversized handshake message is skipped, framing goes
			 * on: not a limit that stops the analysis by itself.) */
			s->limit_hit = true;
			s->limit = a;
		}
		break;
	default:
		break;
	}
}

void tlsd_session_framing_lost(struct tlsd_session *s, enum tlsd_dir d, enum tlsd_framing why,
			       uint64_t off, const uint8_t *sample, size_t sample_len)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	size_t n = TLSD_MIN(sample_len, sizeof(sd->sample));

	if (sd->framing != TLSD_FRAMING_OK)
		return;
	sd->framing = why;
	sd->framing_off = off;
	if (sample && n)
		memcpy(sd->sample, sample, n);
	sd->sample_len = (uint8_t)n;
	switch (why) {
	case TLSD_FRAMING_NOT_TLS:
	case TLSD_FRAMING_DESYNC:
		s->anomalies++;
		hist_letter(s, d, 'Q');
		if (why == TLSD_FRAMING_NOT_TLS && s->state == TLSD_SS_IDLE && !s->syn_seen &&
		    !s->has_ch)
			s->midstream = true;
		break;
	case TLSD_FRAMING_GAP:
		if (!sd->gap) {
			sd->gap = true;
			sd->gap_off = off;
			sd->gap_in_handshake = !tlsd_session_handshake_over(s);
		}
		break;
	case TLSD_FRAMING_OVERFLOW:
		if (s->capture_defects++ == 0)
			s->first_capture_defect = TLSD_ANOM_CAPTURE_CAP_HANDSHAKE;
		if (!s->limit_hit) {
			s->limit_hit = true;
			s->limit = TLSD_ANOM_CAPTURE_CAP_HANDSHAKE;
		}
		break;
	default:
		break;
	}
}

void tlsd_session_stream_start(struct tlsd_session *s, enum tlsd_dir d, const uint8_t *p,
			       size_t len)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	size_t n = TLSD_MIN(len, sizeof(sd->sample));

	if (sd->framing != TLSD_FRAMING_NOT_TLS || sd->framing_off != 0 || n <= sd->sample_len)
		return;
	memcpy(sd->sample, p, n);
	sd->sample_len = (uint8_t)n;
}

/* ---- TCP ---------------------------------------------------------------- */

/* Streams longer than this are not compared with ACK numbers (32-bit
 * sequence space; only the handshake's bytes matter here). */
#define ACK_COMPARE_MAX (UINT64_C(1) << 30)

/* Stream bytes the capture held: the highest offset a segment reached, or
 * what was consumed (a skipped record body counts: its header was there). */
static uint64_t stream_seen(const struct tlsd_reasm *r)
{
	return TLSD_MAX(r->max_seen, r->next);
}

/* How many bytes of direction d's stream its peer had acknowledged. With
 * d's stream anchored the ACK is taken against its ISN, otherwise (nothing
 * of d captured) the advance of the peer's ACKs is a lower bound. */
static bool acked_of(const struct tlsd_flow *f, enum tlsd_dir d, uint64_t *out)
{
	const struct tlsd_flow_side *sd = &f->side[d], *peer = &f->side[tlsd_dir_other(d)];
	const struct tlsd_reasm *r = &sd->reasm;
	int64_t a;

	if (!peer->ack_seen)
		return false;
	if (!r->started) {
		*out = (uint32_t)(peer->last_ack - peer->first_ack);
		return true;
	}
	a = (int32_t)(peer->last_ack - r->isn);
	if (a < 0 || r->max_seen > ACK_COMPARE_MAX)
		return false;
	/* A FIN takes one sequence number of its own. */
	if (r->fin_seen && (uint64_t)a == r->fin_off + 1)
		a--;
	*out = (uint64_t)a;
	return true;
}

/* The state of the peer's stream as direction d ends its own. */
static void note_end(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
		     tlsd_time_ns ts)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	enum tlsd_dir o = tlsd_dir_other(d);

	if (sd->end_seen)
		return;
	sd->end_seen = true;
	sd->end_ts = ts;
	sd->end_peer_records = s->dir[o].records;
	sd->end_peer_last_ts = s->dir[o].records ? s->dir[o].last_ts : 0;
	if (!f)
		return;
	sd->end_peer_captured = stream_seen(&f->side[o].reasm);
	sd->end_acked_known = acked_of(f, o, &sd->end_acked);
}

void tlsd_session_prefetch(const struct tlsd_session *s)
{
	const char *p = (const char *)s;

	for (size_t off = 0; off < sizeof(*s); off += 64)
		__builtin_prefetch(p + off);
}

void tlsd_session_tcp_fin(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
			  tlsd_time_ns ts)
{
	struct tlsd_sess_dir *sd = &s->dir[d];

	if (sd->fin)
		return;
	sd->fin = true;
	sd->fin_ts = ts;
	note_end(s, f, d, ts);
	hist_sym(s, d == C2S ? '}' : '{');
}

static tlsd_time_ns abs_ns(tlsd_time_ns v)
{
	return v < 0 ? -v : v;
}

/* Evidence that a RST did not come from the host whose address it carries. */
static bool rst_evidence(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
			 const struct tlsd_rst_info *ri, char *why, size_t len)
{
	const char *who = d == C2S ? "client" : "server";
	const struct tlsd_flow_side *side;
	tlsd_time_ns rtt, near;

	if (!f)
		return false;
	side = &f->side[d];
	if (side->packets >= 1 && side->first_ttl != 0 && side->first_ttl != ri->ttl) {
		snprintf(why, len, "the RST had %s %u, the %s's own packets %u",
			 f->ip_version == 6 ? "hop limit" : "TTL", ri->ttl, who, side->first_ttl);
		return true;
	}
	if (f->ip_version == 4 && side->packets >= 3 && side->first_ip_id != 0 && ri->ip_id != 0 &&
	    side->last_ip_id != side->first_ip_id) {
		uint16_t fwd = (uint16_t)(ri->ip_id - side->first_ip_id);
		uint16_t back = (uint16_t)(side->first_ip_id - ri->ip_id);

		if (fwd > side->packets + 2048u && back > 2048u) {
			snprintf(why, len,
				 "the RST had IP ID 0x%04x, outside the %s's sequence starting at 0x%04x",
				 ri->ip_id, who, side->first_ip_id);
			return true;
		}
	}
	/* Timing: only measurable when the capture sits near the client (the
	 * SYN-ACK took the RTT, the client's ACK followed at once). */
	rtt = s->synack_ts - s->syn_ts;
	near = s->ack3_ts - s->synack_ts;
	if (d == S2C && s->has_ch && s->syn_ts && s->synack_ts && s->ack3_ts &&
	    rtt >= TLSD_NS_PER_SEC / 1000 && rtt > 4 * near && ri->ts - s->ch_ts < rtt) {
		snprintf(why, len,
			 "the RST came %.3f ms after the ClientHello, sooner than the %.3f ms round trip "
			 "allows",
			 (double)(ri->ts - s->ch_ts) / 1e6, (double)rtt / 1e6);
		return true;
	}
	return false;
}

static void mark_middlebox(struct tlsd_session *s, enum tlsd_dir d)
{
	struct tlsd_sess_dir *sd = &s->dir[d];

	sd->rst_middlebox = true;
	if (sd->rst_hist_pos >= 0 && sd->rst_hist_pos < s->hist_len)
		s->history[sd->rst_hist_pos] = '#';
}

void tlsd_session_tcp_rst(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
			  const struct tlsd_rst_info *ri)
{
	struct tlsd_sess_dir *sd = &s->dir[d];
	struct tlsd_sess_dir *od = &s->dir[tlsd_dir_other(d)];

	if (sd->rst)
		return;
	sd->rst = true;
	sd->rst_ts = ri->ts;
	sd->rst_info = *ri;
	note_end(s, f, d, ri->ts);
	sd->rst_hist_pos = s->hist_full ? -1 : (int16_t)s->hist_len;
	hist_sym(s, d == C2S ? '!' : '|');
	sd->rst_why = calloc(1, TLSD_SESS_RST_WHY_LEN);
	if (!sd->rst_why)
		return; /* no memory: the RST without its evidence */
	if (rst_evidence(s, f, d, ri, sd->rst_why, TLSD_SESS_RST_WHY_LEN))
		mark_middlebox(s, d);
	/* Resets towards both sides, close together, nothing sent in between:
	 * a peer never answers a RST with a RST. */
	if (od->rst && od->rst_why && abs_ns(ri->ts - od->rst_ts) < TLSD_NS_PER_SEC &&
	    s->dir[C2S].last_ts <= od->rst_ts && s->dir[S2C].last_ts <= od->rst_ts) {
		snprintf(sd->rst_why, TLSD_SESS_RST_WHY_LEN,
			 "both sides received a RST within %.3f ms of each other",
			 (double)abs_ns(ri->ts - od->rst_ts) / 1e6);
		memcpy(od->rst_why, sd->rst_why, TLSD_SESS_RST_WHY_LEN);
		mark_middlebox(s, d);
		mark_middlebox(s, tlsd_dir_other(d));
	}
}

void tlsd_session_tcp_gap(struct tlsd_session *s, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	struct tlsd_sess_dir *sd = &s->dir[d];

	hist_sym(s, '~');
	if (sd->gap && sd->gap_len)
		return;
	sd->gap = true;
	sd->gap_off = off;
	sd->gap_len = len;
	sd->gap_in_handshake = !tlsd_session_handshake_over(s);
}

/* ---- certificate stage ---------------------------------------------------- */

/* Validity is judged at the connection's first packet, never today. */
static int64_t capture_time_s(const struct tlsd_session *s)
{
	tlsd_time_ns t = s->first_ts ? s->first_ts
			 : s->syn_ts   ? s->syn_ts
			 : s->ch_ts    ? s->ch_ts
				       : s->srv_cert_ts;

	return t / TLSD_NS_PER_SEC;
}

/* NULL when nothing was kept or on OOM (the report then shows no
 * certificates). The answer may be shared with other sessions of the same
 * worker (the same chain, SNI and day): a reference, released in cleanup. */
static const struct tlsd_chain_findings *check_chain(struct tlsd_session *s,
						     const struct tlsd_sess_chain *ch, bool client)
{
	const struct tlsd_cert_checks *cc = s->certs.cc;
	struct tlsd_cur ders[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cert_query q = {
		.ders = ders,
		.n = ch->n,
		.capture_time_s = capture_time_s(s),
		.expiry_warning_days = cc->expiry_warning_days,
		.client_chain = client,
		/* What was on the wire, not what the session kept. */
		.n_sent = ch->n_sent,
		.capped = ch->capped,
	};
	const struct tlsd_chain_findings *f;

	if (ch->n == 0)
		return NULL;
	for (size_t i = 0; i < ch->n; i++)
		if (!span_view(s->certs.mat, &ch->der[i], &ders[i]))
			return NULL;
	if (!client && s->ch_parsed && s->ch.has_sni) {
		struct tlsd_sess_ch_lists v;

		tlsd_session_ch_lists(s, &v);
		q.sni = v.sni;
		q.sni_len = v.sni_len;
	}
	if (tlsd_cert_check_chain_shared(cc->store, &q, &f) != 0)
		return NULL;
	return f;
}

static void check_ske(struct tlsd_session *s)
{
	struct tlsd_sess_certs *sc = &s->certs;
	const struct tlsd_sess_cert_mat *mat = sc->mat;
	struct tlsd_ske_check in = {.version = s->version};

	/* A client that went on to its ChangeCipherSpec had verified the
	 * signature itself: checking it again costs a public-key operation per
	 * connection and can only agree. Only refused key exchanges are
	 * checked (that is where the verdict needs it). */
	if (s->dir[TLSD_DIR_C2S].ccs && !sc->cc->verify_all_signatures)
		return;
	if (!sc->ske_kept || !mat || mat->srv.n == 0 || !s->ch_parsed || s->ch.sslv2 ||
	    !s->sh_parsed || !span_view(mat, &mat->srv.der[0], &in.leaf) ||
	    !span_view(mat, &mat->ske_params, &in.params) || !span_view(mat, &mat->ske_sig, &in.sig))
		return;
	in.sig_scheme = mat->ske_sig_scheme;
	/* A public-key operation whose answer nothing would show: the
	 * connection did not fail, and its report will not be printed. */
	if (sc->cc->details_unread &&
	    atomic_load_explicit(sc->cc->details_unread, memory_order_relaxed) &&
	    tlsd_diagnose_outcome(s) != TLSD_OUTCOME_FAILED)
		return;
	if (!sc->ske_detail)
		sc->ske_detail = malloc(TLSD_CERT_TEXT_LEN);
	if (!sc->ske_detail)
		return; /* no memory: not checked */
	memcpy(in.client_random, s->ch.random, sizeof(in.client_random));
	memcpy(in.server_random, s->sh.random, sizeof(in.server_random));
	sc->ske_result = tlsd_cert_verify_ske(sc->cc->store, &in, sc->ske_detail,
					      TLSD_CERT_TEXT_LEN);
	sc->ske_checked = true;
}

void tlsd_session_check_certs(struct tlsd_session *s)
{
	struct tlsd_sess_certs *sc = &s->certs;

	if (sc->checked || !sc->cc)
		return;
	sc->checked = true;
	if (!sc->mat)
		return; /* nothing kept: nothing to check */
	sc->srv_findings = check_chain(s, &sc->mat->srv, false);
	check_ske(s);
	sc->cli_findings = check_chain(s, &sc->mat->cli, true);
	/* Everything needed is in the findings now: release the DER early. */
	tlsd_buf_cleanup(&sc->mat->mem);
}

/* What the capture held of each direction, from the flow. */
static void note_cover(struct tlsd_session *s, const struct tlsd_flow *f)
{
	for (int i = 0; i < 2; i++) {
		const struct tlsd_flow_side *fs = &f->side[i];
		struct tlsd_sess_cover *cv = &s->cover[i];

		cv->known = true;
		cv->packets = fs->packets;
		cv->syn = fs->syn;
		cv->stream_started = fs->reasm.started;
		cv->captured = stream_seen(&fs->reasm);
		cv->snap_cut = fs->snap_cut;
		cv->acked_known = acked_of(f, (enum tlsd_dir)i, &cv->acked);
		cv->first_ts = fs->first_ts;
		cv->last_ts = fs->last_ts;
		cv->ttl = fs->first_ttl;
	}
}

/* The certificate stage, unless nothing will show its answer (an
 * established connection when established ones are not shown in detail). */
static void check_certs_if_shown(struct tlsd_session *s)
{
	if (s->certs.cc && !(s->certs.cc->skip_established && tlsd_diagnose_established(s)))
		tlsd_session_check_certs(s);
}

void tlsd_session_tcp_end(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_flow_end how,
			  tlsd_time_ns ts)
{
	if (s->ended) {
		check_certs_if_shown(s);
		return;
	}
	s->ended = true;
	s->end_how = how;
	s->end_ts = ts;
	s->observed_until = ts;
	if (s->ctx && s->ctx->now > s->observed_until)
		s->observed_until = s->ctx->now;
	if (f) {
		note_cover(s, f);
		if (s->ctx)
			s->silence = tlsd_ctx_silence_within(s->ctx, f->first_ts, s->observed_until);
	} else if (s->transport != TLSD_TRANSPORT_TCP && s->ctx) {
		s->silence = tlsd_ctx_silence_within(s->ctx, s->first_ts, s->observed_until);
	}
	if (how == TLSD_FLOW_END_TIMEOUT)
		hist_sym(s, '@');
	if (how == TLSD_FLOW_END_EVICTED && !s->limit_hit) {
		s->limit_hit = true;
		s->limit = TLSD_ANOM_CAPTURE_CAP_FLOWS;
	}
	check_certs_if_shown(s);
}

void tlsd_session_hello_cut(struct tlsd_session *s, uint32_t have, uint32_t want)
{
	if (s->has_ch || s->ch_cut)
		return;
	s->ch_cut = true;
	s->ch_cut_have = have;
	s->ch_cut_want = want;
}

bool tlsd_session_lookalike(const struct tlsd_session *s)
{
	return s->syn_seen && !s->midstream && !s->has_ch && !s->ch_cut && !s->has_sh && !s->has_hrr &&
	       s->dir[C2S].records > 0 && s->dir[C2S].framing != TLSD_FRAMING_NOT_TLS &&
	       s->n_alerts == 0;
}

bool tlsd_session_established(const struct tlsd_session *s)
{
	return handshake_complete(s);
}

bool tlsd_session_handshake_over(const struct tlsd_session *s)
{
	if (s->established || s->has_fatal || s->has_close_alert)
		return true;
	if (tls13_post_ok(s))
		return true;
	return s->dir[C2S].framing != TLSD_FRAMING_OK && s->dir[S2C].framing != TLSD_FRAMING_OK;
}

/* ---- report ------------------------------------------------------------- */

static void fill_offer(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_sess_ch *ch = &s->ch;
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	if (ch->has_sni) {
		size_t n = TLSD_MIN(v.sni_len, (size_t)TLSD_MAX_SNI);

		r->has_sni = true;
		r->sni_len = (uint16_t)n;
		memcpy(r->sni, v.sni, n);
		r->sni[n] = '\0';
	}
	if (ch->has_supported_versions && v.n_versions > 0) {
		for (size_t i = 0; i < v.n_versions && i < TLSD_MAX_VERSIONS; i++)
			if (!tlsd_is_grease(v.versions[i]))
				r->versions_offered[r->n_versions_offered++] = v.versions[i];
	}
	if (r->n_versions_offered == 0) {
		r->versions_offered[0] = ch->legacy_version;
		r->n_versions_offered = 1;
	}
	r->alpn_offered.total = ch->alpn_total;
	r->alpn_offered.n = v.alpn_used ? ch->alpn_n : 0;
	r->alpn_offered.used = (uint16_t)v.alpn_used;
	memcpy(r->alpn_offered.data, v.alpn, v.alpn_used);
	r->n_suites_offered = ch->n_suites_total;
	r->n_ssl2_specs = ch->n_ssl2_specs;
	r->n_suites_kept = (uint16_t)TLSD_MIN(v.n_suites, (size_t)TLSD_MAX_SUITES);
	memcpy(r->suites_offered, v.suites, r->n_suites_kept * sizeof(r->suites_offered[0]));
	r->n_groups_offered = (uint8_t)TLSD_MIN(v.n_groups, (size_t)TLSD_MAX_GROUPS);
	memcpy(r->groups_offered, v.groups, r->n_groups_offered * sizeof(r->groups_offered[0]));
	r->n_key_shares = (uint8_t)TLSD_MIN(v.n_key_shares, (size_t)TLSD_MAX_KEY_SHARES);
	memcpy(r->key_shares, v.key_share_groups, r->n_key_shares * sizeof(r->key_shares[0]));
}

/* From the hellos whole (the fingerprint code reads the parsers' structs). */
static void fill_fingerprints(const struct tlsd_session *s, struct tlsd_report *r)
{
	char str[TLSD_JA3_STR_MAX];
	char md5[TLSD_MD5_HEX_LEN];
	char ja4[TLSD_JA4_LEN];
	struct tlsd_client_hello ch;
	struct tlsd_server_hello sh;

	if (s->ch_parsed && !s->ch.sslv2) {
		tlsd_session_client_hello(s, &ch);
		if (tlsd_fp_ja3(&ch, str, sizeof(str), md5) == 0)
			snprintf(r->ja3, sizeof(r->ja3), "%s", md5);
		if (tlsd_fp_ja4(&ch,
				s->transport == TLSD_TRANSPORT_QUIC   ? TLSD_JA4_QUIC
				: s->transport == TLSD_TRANSPORT_DTLS ? TLSD_JA4_DTLS
								      : TLSD_JA4_TCP,
				ja4) == 0)
			snprintf(r->ja4, sizeof(r->ja4), "%s", ja4);
	}
	if (!s->sh_parsed)
		return;
	tlsd_session_server_hello(s, &sh);
	if (tlsd_fp_ja3s(&sh, str, sizeof(str), md5) == 0)
		snprintf(r->ja3s, sizeof(r->ja3s), "%s", md5);
}

#define REPORT_OFF(m) offsetof(struct tlsd_report, m)
#define REPORT_END(m) (offsetof(struct tlsd_report, m) + sizeof(((struct tlsd_report *)0)->m))

_Static_assert(REPORT_END(diags) == REPORT_OFF(arena_len) &&
		       REPORT_END(arena_len) == REPORT_OFF(arena) &&
		       REPORT_END(arena) <= REPORT_OFF(n_comments) &&
		       REPORT_END(n_comments_total) <= REPORT_OFF(comments),
	       "report_clear() skips these arrays in this order");

/* gcc 12 in the sanitizer build (-O2 -fsanitize=address,undefined)
 * loses track of the object behind r and reports these memsets as past a
 * zero-sized one (-Warray-bounds, -Wstringop-overflow), a known class of
 * its false positives. The offsets are offsetof()s of *r, ordered by the
 * _Static_assert above, so every range lies inside the report. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
static void zero_range(struct tlsd_report *r, size_t from, size_t to)
{
	memset((char *)r + from, 0, to - from);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* A report cleared for filling, all but the arrays only ever read up to
 * their counts, which fill them first: the diagnoses (n_diags; each is set
 * as it is added), the facts' string arena (arena_len) and the packet
 * comments (n_comments). Three fifths of its 5 KiB, and clearing them cost
 * every connection some 30 cache misses: a report's memory was last
 * written a connection ago, long out of the cache. */
static void report_clear(struct tlsd_report *r)
{
	zero_range(r, 0, REPORT_OFF(diags));
	r->arena_len = 0; /* the only field between diags and arena */
	zero_range(r, REPORT_END(arena), REPORT_OFF(comments));
	zero_range(r, REPORT_END(comments), sizeof(*r));
}

void tlsd_session_report(const struct tlsd_session *s, const struct tlsd_flow *f,
			 struct tlsd_report *out)
{
	struct tlsd_report *r = out;
	const uint8_t *sh_exts, *sh_alpn_data;

	report_clear(r);
	r->rtt = -1;
	r->time_to_failure = -1;
	if (f) {
		r->flow_id = f->id;
		r->ts_first = f->first_ts;
		r->ts_last = f->last_ts;
		r->ip_version = f->ip_version;
		r->client.addr = f->addr[C2S];
		r->client.port = f->port[C2S];
		r->server.addr = f->addr[S2C];
		r->server.port = f->port[S2C];
		r->roles_guessed = f->roles_guessed;
		if (f->syn_ts && f->ack3_ts && f->ack3_ts >= f->syn_ts)
			r->rtt = f->ack3_ts - f->syn_ts;
	} else if (s->syn_ts && s->ack3_ts && s->ack3_ts >= s->syn_ts) {
		r->rtt = s->ack3_ts - s->syn_ts;
	}
	if (s->ch_parsed || s->ch_salvaged)
		fill_offer(s, r);
	if (s->has_sh && s->sh_parsed) {
		r->version = s->version;
		r->has_cipher = true;
		r->cipher = s->sh.suite;
		if (s->sh.has_alpn && s->sh.alpn_n > 0 && sh_lists(s, &sh_exts, &sh_alpn_data)) {
			r->has_alpn = true;
			sh_alpn(s, sh_alpn_data, &r->alpn);
		}
	} else if (s->has_sh) {
		r->version = s->version;
	} else if (s->has_hrr) {
		/* A HelloRetryRequest already selects the version and suite. */
		r->version = s->hrr.version;
		r->has_cipher = true;
		r->cipher = s->hrr.suite;
	}
	if (s->sh_parsed && tlsd_version_is_tls13(s->version))
		r->kx_group = s->sh.key_share_group;
	else if (s->ske_parsed)
		r->kx_group = s->ske_group;
	r->client_cert_requested = s->cert_request;
	r->client_cert_sent = s->cli_cert && !s->cli_cert_empty;
	r->certs = s->certs.srv_findings;
	r->client_certs = s->certs.cli_findings;
	if (s->certs.ske_checked)
		r->ske_sig = s->certs.ske_result == TLSD_SIG_OK	   ? TLSD_SKE_SIG_VALID
			     : s->certs.ske_result == TLSD_SIG_BAD ? TLSD_SKE_SIG_INVALID
								   : TLSD_SKE_SIG_UNCHECKED;
	else if (s->certs.ske_kept)
		r->ske_sig = TLSD_SKE_SIG_UNCHECKED; /* the client accepted it */
	if (!s->no_fingerprints)
		fill_fingerprints(s, r);
	r->resumed = s->abbreviated || s->psk_accepted || (s->sid_resumed && !s->srv_cert);
	r->has_last_message = s->has_last_hs;
	r->last_message = s->last_hs;
	memcpy(r->history, s->history, sizeof(r->history));
	r->history[sizeof(r->history) - 1] = '\0';
	for (int i = 0; i < 2; i++) {
		const struct tlsd_sess_dir *sd = &s->dir[i];

		if (sd->framing == TLSD_FRAMING_NOT_TLS || sd->framing == TLSD_FRAMING_DESYNC) {
			r->sample_len[i] = (uint8_t)TLSD_MIN((size_t)sd->sample_len,
							     sizeof(r->sample[i]));
			memcpy(r->sample[i], sd->sample, r->sample_len[i]);
		}
	}
	r->client_hello_len = s->has_ch ? s->ch_len : 0;
	r->client_hello_segments = s->has_ch ? s->ch_segments : 0;
	r->anomalies = s->anomalies;
	tlsd_diagnose(s, r);
}
