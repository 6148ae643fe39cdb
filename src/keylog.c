/* NSS key log loader: a bounded line splitter, a strict line parser and an
 * open-addressing hash map from client random to the secrets logged for it.
 *
 * Memory: an entry is the random plus one index per label (64 bytes); each
 * stored secret is 65 bytes; the table holds 4-byte indices at load <= 1/2.
 * A key log line is at least 64 + 2 + 1 + 2 bytes long, so memory stays
 * within a small multiple of the bytes read, themselves capped. */
#include "tlsd/keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsd/cur.h"

#define READ_CHUNK (64u << 10)
#define TABLE_MIN 64u

static const char *const label_names[TLSD_KEYLOG__COUNT] = {
	[TLSD_KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
	[TLSD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[TLSD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[TLSD_KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
	[TLSD_KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
	[TLSD_KEYLOG_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
	[TLSD_KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

struct entry {
	uint8_t random[TLSD_KEYLOG_RANDOM_LEN];
	uint32_t sec[TLSD_KEYLOG__COUNT]; /* index + 1 into secs; 0: absent */
};

struct tlsd_keylog {
	struct entry *ents;
	size_t n_ents, alloc_ents;
	struct tlsd_secret *secs;
	size_t n_secs, alloc_secs;
	uint32_t *table;   /* entry index + 1; 0: empty slot */
	size_t table_size; /* a power of two, or 0 */
	uint8_t line[TLSD_KEYLOG_MAX_LINE];
	size_t line_len;
	bool line_long;    /* the current line went over TLSD_KEYLOG_MAX_LINE */
	struct tlsd_keylog_stats st;
};

const char *tlsd_keylog_label_name(enum tlsd_keylog_label l)
{
	return (unsigned)l < TLSD_KEYLOG__COUNT ? label_names[l] : NULL;
}

struct tlsd_keylog *tlsd_keylog_new(void)
{
	return calloc(1, sizeof(struct tlsd_keylog));
}

void tlsd_keylog_free(struct tlsd_keylog *kl)
{
	if (!kl)
		return;
	free(kl->ents);
	free(kl->secs);
	free(kl->table);
	free(kl);
}

void tlsd_keylog_get_stats(const struct tlsd_keylog *kl, struct tlsd_keylog_stats *out)
{
	*out = kl->st;
}

bool tlsd_keylog_empty(const struct tlsd_keylog *kl)
{
	return !kl || kl->n_secs == 0;
}

/* FNV-1a over the random. Randoms come from the operator's own key log;
 * lookups (peer-controlled randoms) never insert. */
static size_t hash_random(const uint8_t *r)
{
	struct tlsd_cur c;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	uint8_t x;

	tlsd_cur_init(&c, r, TLSD_KEYLOG_RANDOM_LEN);
	while (tlsd_cur_get_u8(&c, &x))
		h = (h ^ x) * UINT64_C(0x100000001b3);
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding this random, or the empty slot where it would go. */
static size_t find_slot(const struct tlsd_keylog *kl, const uint8_t *random)
{
	size_t mask = kl->table_size - 1, i = hash_random(random) & mask;

	while (kl->table[i] &&
	       memcmp(kl->ents[kl->table[i] - 1].random, random, TLSD_KEYLOG_RANDOM_LEN) != 0)
		i = (i + 1) & mask;
	return i;
}

static int grow_table(struct tlsd_keylog *kl)
{
	size_t size = kl->table_size ? kl->table_size * 2 : TABLE_MIN;
	uint32_t *t = calloc(size, sizeof(*t));
	uint32_t *old = kl->table;

	if (!t)
		return -ENOMEM;
	kl->table = t;
	kl->table_size = size;
	for (size_t i = 0; i < kl->n_ents; i++)
		t[find_slot(kl, kl->ents[i].random)] = (uint32_t)(i + 1);
	free(old);
	return 0;
}

/* Makes room for one more element in a doubling array. */
static int reserve(void **arr, size_t *alloc, size_t n, size_t elem)
{
	if (n < *alloc)
		return 0;
	size_t na = *alloc ? *alloc * 2 : 16;

	if (na > UINT32_MAX - 1)
		return -ENOMEM;
	void *p = realloc(*arr, na * elem);

	if (!p)
		return -ENOMEM;
	*arr = p;
	*alloc = na;
	return 0;
}

static int store(struct tlsd_keylog *kl, enum tlsd_keylog_label label, const uint8_t *random,
		 const struct tlsd_secret *sec)
{
	size_t slot;
	struct entry *e;

	if ((kl->n_ents + 1) * 2 > kl->table_size)
		TLSD_TRY(grow_table(kl));
	slot = find_slot(kl, random);
	if (kl->table[slot]) {
		e = &kl->ents[kl->table[slot] - 1];
		if (e->sec[label]) {
			const struct tlsd_secret *have = &kl->secs[e->sec[label] - 1];

			if (have->len == sec->len && memcmp(have->b, sec->b, sec->len) == 0)
				kl->st.duplicates++;
			else
				kl->st.conflicts++;
			return 0;
		}
	} else {
		TLSD_TRY(reserve((void **)&kl->ents, &kl->alloc_ents, kl->n_ents, sizeof(*kl->ents)));
		e = &kl->ents[kl->n_ents];
		*e = (struct entry){0};
		memcpy(e->random, random, TLSD_KEYLOG_RANDOM_LEN);
		kl->n_ents++;
		kl->table[slot] = (uint32_t)kl->n_ents;
		kl->st.randoms++;
	}
	TLSD_TRY(reserve((void **)&kl->secs, &kl->alloc_secs, kl->n_secs, sizeof(*kl->secs)));
	kl->secs[kl->n_secs++] = *sec;
	e->sec[label] = (uint32_t)kl->n_secs;
	kl->st.secrets++;
	return 0;
}

int tlsd_keylog_merge(struct tlsd_keylog *dst, const struct tlsd_keylog *src)
{
	for (size_t i = 0; i < src->n_ents; i++)
		for (size_t l = 0; l < TLSD_KEYLOG__COUNT; l++)
			if (src->ents[i].sec[l])
				TLSD_TRY(store(dst, (enum tlsd_keylog_label)l, src->ents[i].random,
					       &src->secs[src->ents[i].sec[l] - 1]));
	return 0;
}

static bool is_blank(uint8_t x)
{
	return x == ' ' || x == '\t';
}

static void skip_blanks(struct tlsd_cur *c)
{
	uint8_t x;

	while (tlsd_cur_peek_u8(c, &x) && is_blank(x))
		if (!tlsd_cur_skip(c, 1))
			return;
}

/* The next run of non-blank bytes. */
static struct tlsd_cur token(struct tlsd_cur *c)
{
	struct tlsd_cur out;
	size_t n = 0;
	uint8_t x;

	while (tlsd_cur_peek_at(c, n, &x) && !is_blank(x))
		n++;
	if (!tlsd_cur_get_bytes(c, &out, n))
		tlsd_cur_init(&out, NULL, 0);
	return out;
}

static int hex_digit(uint8_t x)
{
	if (x >= '0' && x <= '9')
		return x - '0';
	if (x >= 'a' && x <= 'f')
		return x - 'a' + 10;
	if (x >= 'A' && x <= 'F')
		return x - 'A' + 10;
	return -1;
}

/* Decodes a whole hex token of 2 * n digits into out[n]. */
static bool hex_exact(struct tlsd_cur t, uint8_t *out, size_t n)
{
	if (tlsd_cur_len(&t) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t a, b;
		int hi, lo;

		if (!tlsd_cur_get_u8(&t, &a) || !tlsd_cur_get_u8(&t, &b))
			return false;
		hi = hex_digit(a);
		lo = hex_digit(b);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool token_is(const struct tlsd_cur *t, const char *s)
{
	size_t n = strlen(s);

	return tlsd_cur_len(t) == n && memcmp(tlsd_cur_data(t), s, n) == 0;
}

/* A label we do not use still has the shape of one: [A-Z0-9_]+. */
static bool label_shaped(struct tlsd_cur t)
{
	uint8_t x;

	if (tlsd_cur_len(&t) == 0)
		return false;
	while (tlsd_cur_get_u8(&t, &x))
		if (!((x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') || x == '_'))
			return false;
	return true;
}

enum line_kind { LINE_SKIP, LINE_SECRET, LINE_UNKNOWN, LINE_MALFORMED };

/* LABEL SP random SP secret, blanks around the fields tolerated. */
static enum line_kind parse_line(struct tlsd_cur c, enum tlsd_keylog_label *label,
				 uint8_t random[TLSD_KEYLOG_RANDOM_LEN], struct tlsd_secret *sec)
{
	struct tlsd_cur lab, rnd, val;
	uint8_t x;
	size_t l;

	skip_blanks(&c);
	if (!tlsd_cur_peek_u8(&c, &x) || x == '#')
		return LINE_SKIP;
	lab = token(&c);
	skip_blanks(&c);
	rnd = token(&c);
	skip_blanks(&c);
	val = token(&c);
	skip_blanks(&c);
	if (tlsd_cur_len(&rnd) == 0 || tlsd_cur_len(&val) == 0 || tlsd_cur_len(&c) != 0)
		return LINE_MALFORMED;
	for (l = 0; l < TLSD_KEYLOG__COUNT; l++)
		if (token_is(&lab, label_names[l]))
			break;
	if (l == TLSD_KEYLOG__COUNT)
		return label_shaped(lab) ? LINE_UNKNOWN : LINE_MALFORMED;
	size_t n = tlsd_cur_len(&val) / 2;

	if (n == 0 || n > TLSD_KEYLOG_SECRET_MAX ||
	    (l == TLSD_KEYLOG_CLIENT_RANDOM && n != TLSD_KEYLOG_MASTER_LEN))
		return LINE_MALFORMED;
	if (!hex_exact(rnd, random, TLSD_KEYLOG_RANDOM_LEN) || !hex_exact(val, sec->b, n))
		return LINE_MALFORMED;
	sec->len = (uint8_t)n;
	*label = (enum tlsd_keylog_label)l;
	return LINE_SECRET;
}

/* The line collected in kl->line is complete. */
static int end_line(struct tlsd_keylog *kl)
{
	struct tlsd_cur c;
	struct tlsd_secret sec = {0};
	uint8_t random[TLSD_KEYLOG_RANDOM_LEN], last;
	enum tlsd_keylog_label label = TLSD_KEYLOG_CLIENT_RANDOM;
	enum line_kind k = LINE_MALFORMED;
	size_t n = kl->line_len;

	kl->st.lines++;
	tlsd_cur_init(&c, kl->line, n);
	if (n && tlsd_cur_peek_at(&c, n - 1, &last) && last == '\r')
		tlsd_cur_init(&c, kl->line, n - 1);
	if (!kl->line_long)
		k = parse_line(c, &label, random, &sec);
	kl->line_len = 0;
	kl->line_long = false;
	switch (k) {
	case LINE_SECRET:
		return store(kl, label, random, &sec);
	case LINE_UNKNOWN:
		kl->st.unknown++;
		return 0;
	case LINE_MALFORMED:
		kl->st.malformed++;
		if (!kl->st.first_malformed_line)
			kl->st.first_malformed_line = kl->st.lines;
		return 0;
	case LINE_SKIP:
	default:
		return 0;
	}
}

int tlsd_keylog_feed(struct tlsd_keylog *kl, const uint8_t *p, size_t len)
{
	struct tlsd_cur c;
	uint8_t x;

	tlsd_cur_init(&c, p, len);
	kl->st.bytes += len;
	while (tlsd_cur_get_u8(&c, &x)) {
		if (x == '\n') {
			TLSD_TRY(end_line(kl));
		} else if (kl->line_len < sizeof(kl->line)) {
			kl->line[kl->line_len++] = x;
		} else {
			kl->line_long = true;
		}
	}
	return 0;
}

int tlsd_keylog_end(struct tlsd_keylog *kl)
{
	if (kl->line_len == 0 && !kl->line_long)
		return 0;
	return end_line(kl);
}

int tlsd_keylog_load_mem(struct tlsd_keylog *kl, const uint8_t *p, size_t len)
{
	TLSD_TRY(tlsd_keylog_feed(kl, p, len));
	return tlsd_keylog_end(kl);
}

int tlsd_keylog_load_file(struct tlsd_keylog *kl, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	uint64_t total = 0;
	int r = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(READ_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		size_t take = (size_t)n;

		if (total + take > TLSD_KEYLOG_MAX_FILE) {
			take = (size_t)(TLSD_KEYLOG_MAX_FILE - total);
			kl->st.truncated = true;
			r = -EFBIG;
		}
		total += take;
		int fr = tlsd_keylog_feed(kl, buf, take);

		if (fr < 0) {
			r = fr;
			break;
		}
		if (r < 0)
			break;
	}
	free(buf);
	close(fd);
	int er = tlsd_keylog_end(kl);

	return r < 0 ? r : er;
}

static const struct entry *find(const struct tlsd_keylog *kl, const uint8_t *random)
{
	size_t slot;

	if (!kl || kl->table_size == 0)
		return NULL;
	slot = find_slot(kl, random);
	return kl->table[slot] ? &kl->ents[kl->table[slot] - 1] : NULL;
}

bool tlsd_keylog_lookup(const struct tlsd_keylog *kl, const uint8_t random[TLSD_KEYLOG_RANDOM_LEN],
			struct tlsd_keylog_secrets *out)
{
	const struct entry *e = find(kl, random);

	if (!e)
		return false;
	*out = (struct tlsd_keylog_secrets){0};
	for (size_t l = 0; l < TLSD_KEYLOG__COUNT; l++)
		if (e->sec[l])
			out->s[l] = kl->secs[e->sec[l] - 1];
	return true;
}

bool tlsd_keylog_get(const struct tlsd_keylog *kl, const uint8_t random[TLSD_KEYLOG_RANDOM_LEN],
		     enum tlsd_keylog_label label, struct tlsd_secret *out)
{
	const struct entry *e = find(kl, random);

	if (!e || (unsigned)label >= TLSD_KEYLOG__COUNT || !e->sec[label])
		return false;
	*out = kl->secs[e->sec[label] - 1];
	return true;
}
