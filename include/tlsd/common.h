/* Shared basics for every tlsdiag module: attributes, directions, time. */
#ifndef TLSD_COMMON_H
#define TLSD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results that must not be ignored (s2n-tls / BoringSSL habit). */
#define TLSD_MUST_USE __attribute__((warn_unused_result))
#define TLSD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TLSD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TLSD_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Propagate a negative errno-style result. The only control-flow macro. */
#define TLSD_TRY(expr)                                                         \
	do {                                                                   \
		int tlsd_try_r_ = (expr);                                      \
		if (tlsd_try_r_ < 0)                                           \
			return tlsd_try_r_;                                    \
	} while (0)

/* Direction of a byte stream or packet inside one TCP connection. */
enum tlsd_dir {
	TLSD_DIR_C2S = 0, /* client to server */
	TLSD_DIR_S2C = 1, /* server to client */
};

static inline enum tlsd_dir tlsd_dir_other(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? TLSD_DIR_S2C : TLSD_DIR_C2S;
}

/* Capture time: nanoseconds since the Unix epoch, from packet headers only.
 * Every timeout in tlsdiag is measured in this clock, never the wall clock. */
typedef int64_t tlsd_time_ns;

#define TLSD_NS_PER_SEC INT64_C(1000000000)

/* t + d without overflow (a hostile timestamp near INT64_MAX). */
static inline tlsd_time_ns tlsd_time_add(tlsd_time_ns t, tlsd_time_ns d)
{
	tlsd_time_ns r;

	if (__builtin_add_overflow(t, d, &r))
		return d > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* Stream framing is tri-state (picotls IN_PROGRESS). */
enum tlsd_parse {
	TLSD_PARSE_OK = 0,
	TLSD_PARSE_NEED_MORE,
	TLSD_PARSE_MALFORMED,
};

#endif
