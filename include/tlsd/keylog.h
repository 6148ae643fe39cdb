/* NSS key log files (SSLKEYLOGFILE): the secrets a TLS stack wrote out, keyed
 * by the ClientHello random of the connection they belong to.
 *
 *   # comment
 *   CLIENT_RANDOM <client_random hex> <master secret hex>          TLS <= 1.2
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random hex> <secret>   TLS 1.3
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0,
 *   CLIENT_EARLY_TRAFFIC_SECRET, EXPORTER_SECRET, EARLY_EXPORTER_SECRET  (kept too)
 *
 * Loading is bounded: at most TLSD_KEYLOG_MAX_FILE bytes are read, a line
 * longer than TLSD_KEYLOG_MAX_LINE is skipped, secrets are at most
 * TLSD_KEYLOG_SECRET_MAX bytes, and memory stays proportional to the bytes
 * read. Malformed lines are counted and skipped, never fatal; lines with a
 * label we do not use (e.g. "RSA") are counted apart. The first value given
 * for a (label, client random) pair wins; a different later value is counted
 * as a conflict. Nothing here logs: main turns the counts and errors into
 * messages. */
#ifndef TLSD_KEYLOG_H
#define TLSD_KEYLOG_H

#include "tlsd/common.h"

#define TLSD_KEYLOG_MAX_FILE (64u << 20) /* bytes read from one file */
#define TLSD_KEYLOG_MAX_LINE 1024u      /* longer lines are malformed */
#define TLSD_KEYLOG_SECRET_MAX 64u      /* bytes of one secret */
#define TLSD_KEYLOG_RANDOM_LEN 32u      /* ClientHello.random */
#define TLSD_KEYLOG_MASTER_LEN 48u      /* TLS <= 1.2 master secret */

/* The labels we keep (NSS key log format). */
enum tlsd_keylog_label {
	TLSD_KEYLOG_CLIENT_RANDOM = 0,            /* master secret, TLS <= 1.2 */
	TLSD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,
	TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	TLSD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	TLSD_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
	TLSD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
	TLSD_KEYLOG_EARLY_EXPORTER_SECRET,
	TLSD_KEYLOG_EXPORTER_SECRET,
	TLSD_KEYLOG__COUNT
};

/* The label as written in key log files. */
const char *tlsd_keylog_label_name(enum tlsd_keylog_label l);

struct tlsd_secret {
	uint8_t len; /* 0: absent */
	uint8_t b[TLSD_KEYLOG_SECRET_MAX];
};

/* Every secret known for one client random; absent ones have len 0. */
struct tlsd_keylog_secrets {
	struct tlsd_secret s[TLSD_KEYLOG__COUNT];
};

struct tlsd_keylog_stats {
	uint64_t bytes;       /* bytes read */
	uint64_t lines;       /* lines seen, including comments and blank ones */
	uint64_t secrets;     /* lines whose secret was stored */
	uint64_t randoms;     /* distinct client randoms */
	uint64_t malformed;   /* lines skipped: bad fields, hex, lengths, too long */
	uint64_t unknown;     /* well-formed lines with a label we do not use */
	uint64_t duplicates;  /* the same secret again */
	uint64_t conflicts;   /* a different secret for a (label, random) already known */
	uint64_t first_malformed_line; /* 1-based line number; 0 when none */
	bool truncated;       /* stopped at TLSD_KEYLOG_MAX_FILE */
};

struct tlsd_keylog;

/* NULL on OOM. */
struct tlsd_keylog *tlsd_keylog_new(void);
void tlsd_keylog_free(struct tlsd_keylog *kl);

/* Loads a key log file (regular file, FIFO or /dev/stdin; may be called for
 * several files). Returns 0, -errno when the file cannot be opened or read
 * (the keys read before a read error are kept), -EFBIG when it holds more
 * than TLSD_KEYLOG_MAX_FILE bytes (the keys of the first TLSD_KEYLOG_MAX_FILE
 * bytes are kept and stats.truncated is set), -ENOMEM. Malformed lines are
 * not an error: see the stats. */
TLSD_MUST_USE int tlsd_keylog_load_file(struct tlsd_keylog *kl, const char *path);
/* The same for bytes in memory (one whole file; a last line without a
 * newline counts). */
TLSD_MUST_USE int tlsd_keylog_load_mem(struct tlsd_keylog *kl, const uint8_t *p, size_t len);

/* Streaming form of load_mem: feed any split of the file, then end. */
TLSD_MUST_USE int tlsd_keylog_feed(struct tlsd_keylog *kl, const uint8_t *p, size_t len);
TLSD_MUST_USE int tlsd_keylog_end(struct tlsd_keylog *kl);

void tlsd_keylog_get_stats(const struct tlsd_keylog *kl, struct tlsd_keylog_stats *out);
/* Adds every secret of src to dst, as if loaded there (the first value
 * for a label and random wins). Returns 0 or -ENOMEM. */
int tlsd_keylog_merge(struct tlsd_keylog *dst, const struct tlsd_keylog *src);
/* True when kl is NULL or holds no secret (yet). */
bool tlsd_keylog_empty(const struct tlsd_keylog *kl);

/* The secrets logged for this ClientHello random. false (out untouched) when
 * the file had none. */
TLSD_MUST_USE bool tlsd_keylog_lookup(const struct tlsd_keylog *kl,
				      const uint8_t random[TLSD_KEYLOG_RANDOM_LEN],
				      struct tlsd_keylog_secrets *out);
/* One secret; false (out untouched) when absent. */
TLSD_MUST_USE bool tlsd_keylog_get(const struct tlsd_keylog *kl,
				   const uint8_t random[TLSD_KEYLOG_RANDOM_LEN],
				   enum tlsd_keylog_label label, struct tlsd_secret *out);

#endif
