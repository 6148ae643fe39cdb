/* Community ID v1 and tlsdiag's connection ids (community_id.h). */
#include "tlsd/community_id.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "tlsd/sha1.h"

/* The hashed tuple: seed(2) saddr daddr proto(1) 0(1) sport(2) dport(2),
 * network byte order, the smaller address:port first. Returns its length. */
static size_t tuple_bytes(uint8_t ipv, const struct tlsd_endpoint *a, const struct tlsd_endpoint *b,
			  uint8_t proto, uint16_t seed, uint8_t buf[40])
{
	size_t alen = ipv == 6 ? 16 : 4, n = 0;
	int c = memcmp(a->addr.b, b->addr.b, alen);

	if (c > 0 || (c == 0 && a->port > b->port)) {
		const struct tlsd_endpoint *t = a;

		a = b;
		b = t;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->addr.b, alen);
	n += alen;
	memcpy(buf + n, b->addr.b, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	buf[n++] = (uint8_t)(a->port >> 8);
	buf[n++] = (uint8_t)a->port;
	buf[n++] = (uint8_t)(b->port >> 8);
	buf[n++] = (uint8_t)b->port;
	return n;
}

int tlsd_community_id(uint8_t ip_version, const struct tlsd_endpoint *a,
		      const struct tlsd_endpoint *b, uint8_t proto, uint16_t seed,
		      char out[TLSD_COMMUNITY_ID_LEN])
{
	uint8_t in[40], d[TLSD_SHA1_LEN];
	char b64[32];
	size_t n = tuple_bytes(ip_version, a, b, proto, seed, in);

	tlsd_sha1(in, n, d);
	/* 20 bytes give 28 base64 characters with one '=' of padding. */
	if (EVP_EncodeBlock((unsigned char *)b64, d, 20) != 28)
		return -EIO;
	memcpy(out, "1:", 2);
	memcpy(out + 2, b64, 28);
	out[30] = 0;
	return 0;
}

static uint8_t report_proto(const struct tlsd_report *r)
{
	return r->transport == TLSD_TRANSPORT_TCP ? TLSD_IPPROTO_TCP : TLSD_IPPROTO_UDP;
}

int tlsd_report_community_id(const struct tlsd_report *r, char out[TLSD_COMMUNITY_ID_LEN])
{
	return tlsd_community_id(r->ip_version, &r->client, &r->server, report_proto(r), 0, out);
}

int tlsd_conn_uid(const struct tlsd_report *r, char out[TLSD_CONN_UID_LEN])
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint8_t in[48], d[TLSD_SHA1_LEN];
	size_t n = tuple_bytes(r->ip_version, &r->client, &r->server, report_proto(r), 0, in);
	uint64_t ts = (uint64_t)r->ts_first, hi = 0, lo = 0;
	char tmp[TLSD_CONN_UID_LEN];

	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(ts >> (56 - 8 * i));
	tlsd_sha1(in, n, d);
	/* 96 bits as a 17-digit base62 number (62^17 > 2^96). */
	for (int i = 0; i < 4; i++)
		hi = hi << 8 | d[i];
	for (int i = 4; i < 12; i++)
		lo = lo << 8 | d[i];
	tmp[0] = 'C';
	for (int i = 17; i >= 1; i--) {
		/* (hi:lo) / 62, hi < 2^32 so (rem << 32 | lo_part) fits in 64 bits. */
		uint64_t rem = hi % 62, q_hi = hi / 62;
		uint64_t mid = rem << 32 | lo >> 32;
		uint64_t q_mid = mid / 62;
		uint64_t low = (mid % 62) << 32 | (lo & 0xffffffffu);

		hi = q_hi;
		lo = q_mid << 32 | low / 62;
		tmp[i] = digits[low % 62];
	}
	tmp[18] = 0;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}
