/* TLS record framer for one direction (RFC 8446 5.1, RFC 5246 6.2, SSLv2
 * compatible ClientHello from RFC 5246 E.2).
 *
 * Bytes are consumed through one cursor per feed() call. Handshake bytes
 * are a stream of their own across records: complete messages inside the
 * chunk are reported in place (zero copy); only a message that is cut by a
 * record or chunk boundary is collected in t->hs (capped). Alerts are
 * collected two bytes at a time in alert_part; encrypted bodies are not
 * stored (feed() returns what remains of them as a skip count) unless the
 * caller wants them for decryption (want_body), and what it decrypted comes
 * back through feed_inner() into the same message reassembly, with state of
 * its own (inner_hs, inner_track, inner_alert). */
#include "tlsd/tls_record.h"

#include <string.h>

#include "tlsd/tls_handshake.h"

#define HS_HEADER_LEN 4
#define SSLV2_MIN_LEN 9 /* msg_type, version, three u16 lengths */

/* One stream of handshake bytes: the plaintext one or the decrypted one. */
struct hs_stream {
	struct tlsd_buf *buf;
	struct tlsd_hs_track *tr;
	uint64_t rec_off;      /* the record whose bytes are read */
	uint16_t rec_version;
	uint32_t rec_no;       /* counters telling records and deliveries apart */
	uint32_t feed_no;
	bool decrypted;
};

/* Position inside the current feed() call. */
struct feed_pos {
	const struct tlsd_tls_events *ev;
	void *ud;
	enum tlsd_dir d;
	tlsd_time_ns ts;
	uint64_t base;        /* stream offset of the chunk's first byte */
	size_t chunk_len;
	struct tlsd_cur *c;   /* unread part of the chunk */
};

static uint64_t pos_off(const struct feed_pos *fp)
{
	return fp->base + (fp->chunk_len - tlsd_cur_len(fp->c));
}

static void anomaly(const struct feed_pos *fp, enum tlsd_anomaly a, uint64_t off, const char *what)
{
	if (fp->ev->anomaly)
		fp->ev->anomaly(fp->ud, fp->d, a, off, what);
}

void tlsd_tls_dir_init(struct tlsd_tls_dir *t, size_t max_handshake)
{
	*t = (struct tlsd_tls_dir){0};
	tlsd_buf_init(&t->rec, TLSD_RECORD_MAX_LEN);
	tlsd_buf_init(&t->hs, max_handshake);
	tlsd_buf_init(&t->inner_hs, max_handshake);
}

void tlsd_tls_dir_cleanup(struct tlsd_tls_dir *t)
{
	if (!t)
		return;
	tlsd_buf_cleanup(&t->rec);
	tlsd_buf_cleanup(&t->hs);
	tlsd_buf_cleanup(&t->inner_hs);
}

void tlsd_tls_dir_set_encrypted(struct tlsd_tls_dir *t, bool encrypted)
{
	t->encrypted = encrypted;
}

/* Checks the first `len` (<= 5) bytes of a direction's first record. */
static enum tlsd_parse check_first(const uint8_t *p, size_t len)
{
	struct tlsd_cur c;
	uint8_t b[5] = {0};
	size_t n = TLSD_MIN(len, sizeof(b));

	tlsd_cur_init(&c, p, len);
	if (!tlsd_cur_copy(&c, b, n))
		return TLSD_PARSE_MALFORMED;
	if (n == 0)
		return TLSD_PARSE_NEED_MORE;
	if (b[0] & 0x80) {
		/* SSLv2 2-byte header: length, then msg_type 1 (CLIENT-HELLO)
		 * and a version 0x0002 or 0x03xx. */
		unsigned rlen = ((unsigned)(b[0] & 0x7f) << 8) | b[1];

		if (n >= 2 && (rlen < SSLV2_MIN_LEN || rlen > TLSD_RECORD_MAX_LEN))
			return TLSD_PARSE_MALFORMED;
		if (n >= 3 && b[2] != 1)
			return TLSD_PARSE_MALFORMED;
		if (n >= 4 && b[3] != 0 && b[3] != 3)
			return TLSD_PARSE_MALFORMED;
		if (n >= 5 && ((b[3] == 0 && b[4] != 2) || (b[3] == 3 && b[4] > 4)))
			return TLSD_PARSE_MALFORMED;
		return n < 5 ? TLSD_PARSE_NEED_MORE : TLSD_PARSE_OK;
	}
	if (b[0] != TLSD_CT_HANDSHAKE && b[0] != TLSD_CT_ALERT)
		return TLSD_PARSE_MALFORMED;
	if (n >= 2 && b[1] != 3)
		return TLSD_PARSE_MALFORMED;
	if (n >= 3 && b[2] > 4)
		return TLSD_PARSE_MALFORMED;
	if (n >= 5 && (((unsigned)b[3] << 8) | b[4]) > TLSD_RECORD_MAX_LEN)
		return TLSD_PARSE_MALFORMED;
	return n < 5 ? TLSD_PARSE_NEED_MORE : TLSD_PARSE_OK;
}

enum tlsd_parse tlsd_tls_looks_like_record(const uint8_t *p, size_t len)
{
	return check_first(p, len);
}

/* Forward declaration: the later-header check also serves mid-stream pickup. */
static bool later_header_ok(const uint8_t *h, size_t n);

enum tlsd_parse tlsd_tls_looks_like_midstream_record(const uint8_t *p, size_t len)
{
	uint8_t b[TLSD_RECORD_HEADER_LEN];
	struct tlsd_cur c;
	size_t n = TLSD_MIN(len, sizeof(b));

	tlsd_cur_init(&c, p, len);
	if (!tlsd_cur_copy(&c, b, n))
		return TLSD_PARSE_MALFORMED;
	if (!later_header_ok(b, n))
		return TLSD_PARSE_MALFORMED;
	return n < sizeof(b) ? TLSD_PARSE_NEED_MORE : TLSD_PARSE_OK;
}

void tlsd_tls_dir_set_midstream(struct tlsd_tls_dir *t)
{
	t->midstream = true;
}

/* Checks a later record header prefix (type, major version, length). */
static bool later_header_ok(const uint8_t *h, size_t n)
{
	if (n >= 1 && (h[0] < TLSD_CT_CHANGE_CIPHER_SPEC || h[0] > TLSD_CT_HEARTBEAT))
		return false;
	if (n >= 2 && h[1] != 3)
		return false;
	if (n >= 5 && (((unsigned)h[3] << 8) | h[4]) > TLSD_RECORD_MAX_LEN)
		return false;
	return true;
}

/* Stops framing the direction and tells why, with up to TLSD_SAMPLE_LEN
 * bytes of evidence: the stream's first bytes for NOT_TLS, else the
 * collected header bytes followed by the rest of the chunk. */
static void lose(struct tlsd_tls_dir *t, const struct feed_pos *fp, enum tlsd_framing why,
		 uint64_t off)
{
	uint8_t sample[TLSD_SAMPLE_LEN];
	size_t n = 0;

	t->framing = why;
	if (why == TLSD_FRAMING_NOT_TLS) {
		n = t->sample_len;
		memcpy(sample, t->sample, n);
	} else if (why == TLSD_FRAMING_DESYNC) {
		struct tlsd_cur rest = *fp->c;

		n = TLSD_MIN((size_t)t->hdr_len, sizeof(sample));
		memcpy(sample, t->hdr, n);
		size_t more = TLSD_MIN(sizeof(sample) - n, tlsd_cur_len(&rest));

		if (tlsd_cur_copy(&rest, sample + n, more))
			n += more;
	}
	tlsd_buf_cleanup(&t->hs);
	tlsd_buf_cleanup(&t->rec);
	if (fp->ev->framing_lost)
		fp->ev->framing_lost(fp->ud, fp->d, why, off, sample, n);
}

static void report_message(const struct feed_pos *fp, uint8_t type,
			   const uint8_t *body, uint32_t len, uint64_t off, uint16_t records,
			   uint16_t chunks, uint16_t version, bool sslv2, bool decrypted)
{
	static const uint8_t empty[1];
	struct tlsd_hs_msg m = {
		.off = off,
		.ts = fp->ts,
		.type = type,
		.len = len,
		.body = body ? body : empty, /* never NULL, even when len is 0 */
		.record_version = version,
		.records = records,
		.chunks = chunks,
		.sslv2 = sslv2,
		.decrypted = decrypted,
	};

	if (fp->ev->handshake)
		fp->ev->handshake(fp->ud, fp->d, &m);
}

/* A plaintext message over the cap: its header is reported (oversized) and
 * the rest of it skipped, so the messages after it are still framed. got:
 * bytes of it (header included) already taken from the stream. */
static void hs_oversized(struct tlsd_tls_dir *t, const struct feed_pos *fp,
			 const struct hs_stream *hs, uint8_t type, uint32_t mlen, size_t got)
{
	struct tlsd_hs_msg m = {
		.off = hs->rec_off,
		.ts = fp->ts,
		.type = type,
		.body = (const uint8_t *)"",
		.record_version = hs->rec_version,
		.records = 1,
		.chunks = 1,
		.oversized = true,
		.declared_len = mlen,
	};

	anomaly(fp, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE, hs->rec_off, "handshake message over the cap");
	t->hs_skip = (uint32_t)((size_t)HS_HEADER_LEN + mlen - got);
	tlsd_buf_reset(hs->buf);
	if (fp->ev->handshake)
		fp->ev->handshake(fp->ud, fp->d, &m);
}

/* A message over the cap (or OOM): the plaintext stream cannot be framed
 * any more; the decrypted one is dropped (plaintext framing goes on). */
static void hs_overflow(struct tlsd_tls_dir *t, const struct feed_pos *fp,
			const struct hs_stream *hs, const char *what)
{
	anomaly(fp, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE, hs->rec_off, what);
	if (hs->decrypted) {
		t->inner_lost = true;
		tlsd_buf_cleanup(hs->buf);
		return;
	}
	lose(t, fp, TLSD_FRAMING_OVERFLOW, hs->rec_off);
}

static bool fits_hs_cap(const struct hs_stream *hs, uint32_t msg_len)
{
	return (size_t)msg_len + HS_HEADER_LEN <= hs->buf->cap;
}

static bool check_hs_cap(struct tlsd_tls_dir *t, const struct feed_pos *fp,
			 const struct hs_stream *hs, uint32_t msg_len)
{
	if (fits_hs_cap(hs, msg_len))
		return true;
	hs_overflow(t, fp, hs, "handshake message over the cap");
	return false;
}

/* Appends bytes to the handshake buffer, counting records and chunks. */
static bool hs_append(struct tlsd_tls_dir *t, const struct feed_pos *fp,
		      const struct hs_stream *hs, struct tlsd_cur *b, size_t n)
{
	struct tlsd_hs_track *tr = hs->tr;
	struct tlsd_cur part;

	if (hs->buf->len == 0) {
		*tr = (struct tlsd_hs_track){.off = hs->rec_off, .record_version = hs->rec_version};
	}
	if (tr->last_record != hs->rec_no) {
		tr->last_record = hs->rec_no;
		if (tr->records < UINT16_MAX)
			tr->records++;
	}
	if (tr->last_feed != hs->feed_no) {
		tr->last_feed = hs->feed_no;
		if (tr->chunks < UINT16_MAX)
			tr->chunks++;
	}
	if (!tlsd_cur_get_bytes(b, &part, n))
		return false;
	if (tlsd_buf_append(hs->buf, tlsd_cur_data(&part), n) != 0) {
		/* Only OOM can get here: sizes were checked against the cap. */
		hs_overflow(t, fp, hs, "handshake buffer");
		return false;
	}
	return true;
}

/* Reads the handshake header in a view: type and 24-bit length. */
static bool hs_header(const struct tlsd_cur *v, uint8_t *type, uint32_t *len)
{
	struct tlsd_cur c = *v;

	return tlsd_cur_get_u8(&c, type) && tlsd_cur_get_u24(&c, len);
}

/* Still reading this stream? */
static bool hs_alive(const struct tlsd_tls_dir *t, const struct hs_stream *hs)
{
	return hs->decrypted ? !t->inner_lost : t->framing == TLSD_FRAMING_OK;
}

/* Handshake bytes of the current record: reports every message completed. */
static void hs_input(struct tlsd_tls_dir *t, const struct feed_pos *fp,
		     const struct hs_stream *hs, struct tlsd_cur *b)
{
	struct tlsd_buf *buf = hs->buf;

	while (tlsd_cur_len(b) && hs_alive(t, hs)) {
		uint8_t type;
		uint32_t mlen;

		if (!hs->decrypted && t->hs_skip) {
			size_t n = TLSD_MIN((size_t)t->hs_skip, tlsd_cur_len(b));

			if (!tlsd_cur_skip(b, n))
				return;
			t->hs_skip -= (uint32_t)n;
			continue;
		}
		if (buf->len == 0 && hs_header(b, &type, &mlen)) {
			struct tlsd_cur msg;

			if (!hs->decrypted && !fits_hs_cap(hs, mlen)) {
				hs_oversized(t, fp, hs, type, mlen, 0);
				continue;
			}
			if (!check_hs_cap(t, fp, hs, mlen))
				return;
			if (tlsd_cur_len(b) >= HS_HEADER_LEN + (size_t)mlen) {
				/* Whole message in this record and chunk: in place. */
				if (!tlsd_cur_skip(b, HS_HEADER_LEN) ||
				    !tlsd_cur_get_bytes(b, &msg, mlen))
					return;
				report_message(fp, type, tlsd_cur_data(&msg), mlen, hs->rec_off, 1, 1,
					       hs->rec_version, false, hs->decrypted);
				continue;
			}
		}
		if (buf->len < HS_HEADER_LEN) {
			size_t need = HS_HEADER_LEN - buf->len;

			if (!hs_append(t, fp, hs, b, TLSD_MIN(need, tlsd_cur_len(b))))
				return;
			if (buf->len < HS_HEADER_LEN)
				return;
		}
		struct tlsd_cur have;

		tlsd_cur_init(&have, buf->data, buf->len);
		if (!hs_header(&have, &type, &mlen))
			return;
		if (!hs->decrypted && !fits_hs_cap(hs, mlen)) {
			hs_oversized(t, fp, hs, type, mlen, buf->len);
			continue;
		}
		if (!check_hs_cap(t, fp, hs, mlen))
			return;
		size_t want = HS_HEADER_LEN + (size_t)mlen - buf->len;

		if (want && !hs_append(t, fp, hs, b, TLSD_MIN(want, tlsd_cur_len(b))))
			return;
		if (buf->len < HS_HEADER_LEN + (size_t)mlen)
			return; /* more in the next record or chunk */
		tlsd_cur_init(&have, buf->data, buf->len);
		if (!tlsd_cur_skip(&have, HS_HEADER_LEN))
			return;
		report_message(fp, type, tlsd_cur_data(&have), mlen, hs->tr->off, hs->tr->records,
			       hs->tr->chunks, hs->tr->record_version, false, hs->decrypted);
		tlsd_buf_reset(buf);
	}
}

/* The plaintext handshake stream at the current record. */
static struct hs_stream plain_stream(struct tlsd_tls_dir *t)
{
	return (struct hs_stream){.buf = &t->hs, .tr = &t->hs_track, .rec_off = t->cur.off,
				  .rec_version = t->cur.version, .rec_no = t->records,
				  .feed_no = t->feeds};
}

/* Alert bytes of a record at rec_off, two per alert, collected in part[]. */
static void alert_input(const struct feed_pos *fp, struct tlsd_cur *b, uint8_t part[2],
			uint8_t *part_len, uint64_t *part_off, uint64_t rec_off, bool decrypted)
{
	uint8_t x;

	while (tlsd_cur_get_u8(b, &x)) {
		if (*part_len == 0)
			*part_off = rec_off;
		part[(*part_len)++] = x;
		if (*part_len < 2)
			continue;
		*part_len = 0;
		if (part[0] != 1 && part[0] != 2)
			anomaly(fp, TLSD_ANOM_TLS_BAD_ALERT, *part_off, "alert level");
		if (decrypted && fp->ev->alert_decrypted)
			fp->ev->alert_decrypted(fp->ud, fp->d, part[0], part[1], *part_off, fp->ts);
		else if (!decrypted && fp->ev->alert)
			fp->ev->alert(fp->ud, fp->d, part[0], part[1], *part_off, fp->ts);
	}
}

/* ChangeCipherSpec body: the single byte 1. Reported when complete. */
static void ccs_input(struct tlsd_tls_dir *t, const struct feed_pos *fp, struct tlsd_cur *b,
		      bool first)
{
	uint8_t x;

	if (first && tlsd_cur_peek_u8(b, &x) && x != 1)
		anomaly(fp, TLSD_ANOM_TLS_BAD_RECORD, t->cur.off, "ChangeCipherSpec value");
	if (t->body_left == 0 && fp->ev->ccs)
		fp->ev->ccs(fp->ud, fp->d, t->cur.off, fp->ts);
}

/* SSLv2 ClientHello body bytes, collected in t->rec with its 3 header bytes. */
static void sslv2_input(struct tlsd_tls_dir *t, const struct feed_pos *fp, struct tlsd_cur *b)
{
	if (tlsd_buf_append(&t->rec, tlsd_cur_data(b), tlsd_cur_len(b)) != 0) {
		lose(t, fp, TLSD_FRAMING_OVERFLOW, t->cur.off);
		return;
	}
	if (!tlsd_cur_skip(b, tlsd_cur_len(b)))
		return;
	if (t->body_left == 0) {
		report_message(fp, TLSD_HS_CLIENT_HELLO, t->rec.data, (uint32_t)t->rec.len,
			       t->cur.off, 1, 1, TLSD_VERSION_SSL2, true, false);
		tlsd_buf_reset(&t->rec);
		tlsd_buf_shrink(&t->rec);
	}
}

/* Whether a record of this type and length is parsed in clear. */
static bool parsed_in_clear(const struct tlsd_tls_dir *t, uint8_t type, uint16_t len);

void tlsd_tls_dir_protect_current(struct tlsd_tls_dir *t)
{
	t->encrypted = true;
	t->cur.encrypted = !parsed_in_clear(t, t->cur.type, t->cur.len);
	t->skip_body = t->cur.encrypted || t->cur.type == TLSD_CT_HEARTBEAT;
}

static bool parsed_in_clear(const struct tlsd_tls_dir *t, uint8_t type, uint16_t len)
{
	switch (type) {
	case TLSD_CT_HANDSHAKE:
		return !t->encrypted;
	case TLSD_CT_ALERT:
		return !t->encrypted || len == 2;
	case TLSD_CT_CHANGE_CIPHER_SPEC:
		return !t->encrypted || len == 1;
	default:
		return false;
	}
}

/* Hands a collected body (or its loss: NULL) to encrypted_body(). */
static void deliver_body(struct tlsd_tls_dir *t, const struct feed_pos *fp, const uint8_t *body,
			 size_t len)
{
	static const uint8_t empty[1];
	struct tlsd_record_info ri = t->cur;

	t->collect_body = false;
	if (!body && !t->body_lost)
		body = empty; /* a 0-length record */
	fp->ev->encrypted_body(fp->ud, fp->d, &ri, body, body ? len : 0);
	tlsd_buf_reset(&t->rec);
}

/* An encrypted record's header is complete: does the caller want its body? */
static void start_collect(struct tlsd_tls_dir *t, const struct feed_pos *fp)
{
	if (!fp->ev->want_body || !fp->ev->encrypted_body ||
	    !fp->ev->want_body(fp->ud, fp->d, &t->cur))
		return;
	t->collect_body = true;
	t->skip_body = false;
	t->body_lost = false;
	tlsd_buf_reset(&t->rec);
	if (t->cur.len == 0)
		deliver_body(t, fp, NULL, 0);
}

/* Bytes of a collected body; b holds them, body_left is already reduced. */
static void collect_input(struct tlsd_tls_dir *t, const struct feed_pos *fp, struct tlsd_cur *b,
			  bool first)
{
	if (first && t->body_left == 0) {
		deliver_body(t, fp, tlsd_cur_data(b), tlsd_cur_len(b)); /* zero copy */
		return;
	}
	if (!t->body_lost && tlsd_buf_append(&t->rec, tlsd_cur_data(b), tlsd_cur_len(b)) != 0) {
		/* Only OOM: the body is at most TLSD_RECORD_MAX_LEN, the cap. */
		t->body_lost = true;
		tlsd_buf_reset(&t->rec);
	}
	if (t->body_left == 0)
		deliver_body(t, fp, t->body_lost ? NULL : t->rec.data, t->rec.len);
}

/* The 5 header bytes are in t->hdr: validate and start the body. */
static void start_record(struct tlsd_tls_dir *t, const struct feed_pos *fp)
{
	struct tlsd_cur h;
	uint8_t type;
	uint16_t version, len;

	tlsd_cur_init(&h, t->hdr, sizeof(t->hdr));
	if (!t->started && (t->hdr[0] & 0x80)) {
		/* SSLv2 ClientHello: 2-byte length, then msg_type + version,
		 * which belong to the message. */
		uint16_t rlen;

		if (!tlsd_cur_get_u16(&h, &rlen) || !tlsd_cur_skip(&h, 1) ||
		    !tlsd_cur_get_u16(&h, &version))
			return;
		rlen &= 0x7fff;
		t->started = true;
		t->sslv2 = true;
		t->skip_body = false;
		t->records++;
		t->cur = (struct tlsd_record_info){
			.off = t->hdr_off, .ts = fp->ts, .type = TLSD_CT_HANDSHAKE,
			.version = TLSD_VERSION_SSL2, .len = rlen, .encrypted = false};
		t->body_left = rlen - 3u;
		t->in_body = true;
		t->hdr_len = 0;
		tlsd_buf_reset(&t->rec);
		if (fp->ev->record)
			fp->ev->record(fp->ud, fp->d, &t->cur);
		if (tlsd_buf_append(&t->rec, t->hdr + 2, 3) != 0)
			lose(t, fp, TLSD_FRAMING_OVERFLOW, t->cur.off);
		return;
	}
	if (!tlsd_cur_get_u8(&h, &type) || !tlsd_cur_get_u16(&h, &version) ||
	    !tlsd_cur_get_u16(&h, &len))
		return;
	/* Picked up mid-stream past the handshake: records are protected (a
	 * 2-byte alert is still read in the clear, see parsed_in_clear). */
	if (t->midstream && !t->started && type != TLSD_CT_HANDSHAKE)
		t->encrypted = true;
	t->started = true;
	t->sslv2 = false;
	t->records++;
	t->cur = (struct tlsd_record_info){.off = t->hdr_off, .ts = fp->ts, .type = type,
					   .version = version, .len = len};
	t->cur.encrypted = !parsed_in_clear(t, type, len);
	t->skip_body = t->cur.encrypted || type == TLSD_CT_HEARTBEAT;
	t->collect_body = false;
	t->body_left = len;
	t->in_body = len > 0;
	t->hdr_len = 0;
	if (fp->ev->record)
		fp->ev->record(fp->ud, fp->d, &t->cur);
	if (t->cur.encrypted) {
		start_collect(t, fp);
		return;
	}
	if (len > TLSD_RECORD_MAX_PLAINTEXT)
		anomaly(fp, TLSD_ANOM_TLS_RECORD_OVERFLOW, t->cur.off, "plaintext record over 2^14");
	if (t->hs.len && type != TLSD_CT_HANDSHAKE)
		anomaly(fp, TLSD_ANOM_TLS_BAD_RECORD, t->cur.off,
			"record interleaved with a fragmented handshake message");
	if (t->alert_part_len && type != TLSD_CT_ALERT) {
		anomaly(fp, TLSD_ANOM_TLS_BAD_ALERT, t->alert_off, "alert cut by another record");
		t->alert_part_len = 0;
	}
	switch (type) {
	case TLSD_CT_HANDSHAKE:
		if (len == 0)
			anomaly(fp, TLSD_ANOM_TLS_BAD_RECORD, t->cur.off, "empty handshake record");
		break;
	case TLSD_CT_ALERT:
		if (len == 0)
			anomaly(fp, TLSD_ANOM_TLS_BAD_ALERT, t->cur.off, "empty alert record");
		break;
	case TLSD_CT_CHANGE_CIPHER_SPEC:
		if (len != 1)
			anomaly(fp, TLSD_ANOM_TLS_BAD_RECORD, t->cur.off,
				"ChangeCipherSpec length is not 1");
		if (len == 0 && fp->ev->ccs)
			fp->ev->ccs(fp->ud, fp->d, t->cur.off, fp->ts);
		break;
	case TLSD_CT_HEARTBEAT:
		if (fp->ev->heartbeat)
			fp->ev->heartbeat(fp->ud, fp->d, t->cur.off, len);
		break;
	default:
		break;
	}
}

/* Collects header bytes; false when the chunk ran out or framing is lost. */
static bool header_input(struct tlsd_tls_dir *t, const struct feed_pos *fp)
{
	size_t take = TLSD_MIN((size_t)(TLSD_RECORD_HEADER_LEN - t->hdr_len), tlsd_cur_len(fp->c));

	if (t->hdr_len == 0)
		t->hdr_off = pos_off(fp);
	/* Nearly always the whole header at once: a copy of constant size is
	 * a few moves, not a call to memcpy. */
	if (take == TLSD_RECORD_HEADER_LEN) {
		if (!tlsd_cur_copy(fp->c, t->hdr, TLSD_RECORD_HEADER_LEN))
			return false;
	} else if (!tlsd_cur_copy(fp->c, t->hdr + t->hdr_len, take)) {
		return false;
	}
	t->hdr_len = (uint8_t)(t->hdr_len + take);
	if (!t->started && !t->midstream) {
		if (check_first(t->hdr, t->hdr_len) == TLSD_PARSE_MALFORMED) {
			lose(t, fp, TLSD_FRAMING_NOT_TLS, t->hdr_off);
			return false;
		}
	} else if (!later_header_ok(t->hdr, t->hdr_len)) {
		lose(t, fp, TLSD_FRAMING_DESYNC, t->hdr_off);
		return false;
	}
	if (t->hdr_len < TLSD_RECORD_HEADER_LEN)
		return false;
	start_record(t, fp);
	return t->framing == TLSD_FRAMING_OK;
}

/* Body bytes of the current record inside this chunk. */
static void body_input(struct tlsd_tls_dir *t, const struct feed_pos *fp)
{
	size_t n = TLSD_MIN((size_t)t->body_left, tlsd_cur_len(fp->c));
	bool first = t->body_left == t->cur.len;
	struct tlsd_cur b;

	if (!tlsd_cur_get_bytes(fp->c, &b, n))
		return;
	if (t->skip_body) {
		t->body_left -= (uint32_t)n;
		t->in_body = t->body_left > 0;
		return;
	}
	t->body_left -= (uint32_t)n;
	if (t->collect_body) {
		collect_input(t, fp, &b, first);
	} else if (t->sslv2) {
		sslv2_input(t, fp, &b);
	} else {
		struct hs_stream hs = plain_stream(t);

		switch (t->cur.type) {
		case TLSD_CT_HANDSHAKE:
			hs_input(t, fp, &hs, &b);
			break;
		case TLSD_CT_ALERT:
			alert_input(fp, &b, t->alert_part, &t->alert_part_len, &t->alert_off,
				    t->cur.off, false);
			break;
		case TLSD_CT_CHANGE_CIPHER_SPEC:
			ccs_input(t, fp, &b, first);
			break;
		default:
			break;
		}
	}
	if (t->body_left == 0) {
		t->in_body = false;
		t->sslv2 = false;
	}
}

static void keep_sample(struct tlsd_tls_dir *t, const uint8_t *p, size_t len)
{
	struct tlsd_cur c;
	size_t n = TLSD_MIN(sizeof(t->sample) - t->sample_len, len);

	tlsd_cur_init(&c, p, len);
	if (n && tlsd_cur_copy(&c, t->sample + t->sample_len, n))
		t->sample_len = (uint8_t)(t->sample_len + n);
}

uint64_t tlsd_tls_dir_feed(struct tlsd_tls_dir *t, enum tlsd_dir d,
			   const struct tlsd_tls_events *ev, void *ud, const uint8_t *p,
			   size_t len, tlsd_time_ns ts)
{
	struct tlsd_cur c;
	struct feed_pos fp = {.ev = ev, .ud = ud, .d = d, .ts = ts, .base = t->off,
			      .chunk_len = len, .c = &c};
	uint64_t skip = 0;

	tlsd_cur_init(&c, p, len);
	t->off += len;
	/* The stream's first bytes are kept whatever happens to the framing:
	 * evidence for a side that does not speak TLS, the same however the
	 * stream was cut into segments. */
	if (fp.base < TLSD_SAMPLE_LEN && len)
		keep_sample(t, p, len);
	if (t->framing != TLSD_FRAMING_OK || len == 0)
		return 0;
	t->feeds++;
	while (tlsd_cur_len(&c) && t->framing == TLSD_FRAMING_OK) {
		if (t->in_body)
			body_input(t, &fp);
		else if (!header_input(t, &fp))
			break;
	}
	if (t->framing == TLSD_FRAMING_OK && t->in_body && t->skip_body && t->body_left) {
		skip = t->body_left;
		t->off += skip;
		t->body_left = 0;
		t->in_body = false;
	}
	return skip;
}

void tlsd_tls_dir_gap(struct tlsd_tls_dir *t, enum tlsd_dir d, const struct tlsd_tls_events *ev,
		      void *ud, uint64_t len)
{
	struct tlsd_cur none;
	struct feed_pos fp = {.ev = ev, .ud = ud, .d = d, .base = t->off, .c = &none};
	uint64_t off = t->off;

	tlsd_cur_init(&none, NULL, 0);
	t->off += len;
	if (t->framing != TLSD_FRAMING_OK || len == 0)
		return;
	if (t->in_body && t->skip_body && len <= t->body_left) {
		t->body_left -= (uint32_t)len;
		t->in_body = t->body_left > 0;
		return;
	}
	if (t->in_body && t->collect_body && len <= t->body_left) {
		/* The record cannot be decrypted; it is still counted. */
		t->body_left -= (uint32_t)len;
		t->in_body = t->body_left > 0;
		t->body_lost = true;
		tlsd_buf_reset(&t->rec);
		if (!t->in_body)
			deliver_body(t, &fp, NULL, 0);
		return;
	}
	lose(t, &fp, TLSD_FRAMING_GAP, off);
}

void tlsd_tls_dir_feed_inner(struct tlsd_tls_dir *t, enum tlsd_dir d,
			     const struct tlsd_tls_events *ev, void *ud, uint8_t inner_type,
			     const uint8_t *p, size_t len, const struct tlsd_record_info *ri)
{
	struct tlsd_cur c;
	struct feed_pos fp = {.ev = ev, .ud = ud, .d = d, .ts = ri->ts, .base = ri->off,
			      .chunk_len = len, .c = &c};
	struct hs_stream hs = {.buf = &t->inner_hs, .tr = &t->inner_track, .rec_off = ri->off,
			       .rec_version = ri->version, .decrypted = true};

	tlsd_cur_init(&c, p, len);
	t->inner_records++;
	hs.rec_no = t->inner_records;
	hs.feed_no = t->inner_records; /* one delivery per decrypted record */
	if (t->inner_hs.len && inner_type != TLSD_CT_HANDSHAKE)
		anomaly(&fp, TLSD_ANOM_TLS_BAD_RECORD, ri->off,
			"record interleaved with a fragmented handshake message");
	if (t->inner_alert_len && inner_type != TLSD_CT_ALERT) {
		anomaly(&fp, TLSD_ANOM_TLS_BAD_ALERT, t->inner_alert_off, "alert cut by another record");
		t->inner_alert_len = 0;
	}
	switch (inner_type) {
	case TLSD_CT_HANDSHAKE:
		if (len == 0)
			anomaly(&fp, TLSD_ANOM_TLS_BAD_RECORD, ri->off, "empty handshake record");
		hs_input(t, &fp, &hs, &c);
		break;
	case TLSD_CT_ALERT:
		if (len == 0)
			anomaly(&fp, TLSD_ANOM_TLS_BAD_ALERT, ri->off, "empty alert record");
		alert_input(&fp, &c, t->inner_alert, &t->inner_alert_len, &t->inner_alert_off,
			    ri->off, true);
		break;
	case TLSD_CT_APPLICATION_DATA:
	case TLSD_CT_CHANGE_CIPHER_SPEC: /* TLS <= 1.2 renegotiation: not followed */
	case TLSD_CT_HEARTBEAT:
		break;
	default:
		anomaly(&fp, TLSD_ANOM_TLS_BAD_RECORD, ri->off, "unknown protected content type");
		break;
	}
}
