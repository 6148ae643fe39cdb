/* An invariant a fuzz target checks. Unlike assert() it stays in release
 * builds (NDEBUG), so the corpus replays check the same things there, and
 * variables used only in checks are never "unused". */
#ifndef TLSD_FUZZ_CHECK_H
#define TLSD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

#endif
