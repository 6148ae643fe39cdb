/* A regular file read in fixed chunks, ahead of its reader by whichever
 * thread has nothing else to do.
 *
 * With --threads N the reader thread reads and decodes every frame, and a
 * third of its time went to read()'s copy out of the page cache while the
 * workers waited for batches (corpus-1g: reader 58 % of the samples, the
 * worker 42 %). Here the copy can be done by a worker while it waits.
 *
 * The file, from `offset` on, is cut into chunks of `chunk` bytes; chunk j
 * is read into slot j % n (a buffer of its own, with `headroom` writable
 * bytes before the chunk, where the consumer puts the rest of a record
 * that began in the previous chunk). The consumer takes the chunks in
 * order (tlsd_readahead_take) and releases them in order, each with a
 * ticket (tlsd_readahead_release): its slot may be read into again once
 * the helpers' progress reaches the ticket (for the workers: the number of
 * batches every worker has done, past the last batch that points into
 * it). A helper (tlsd_readahead_help) reads the next chunk no one has
 * taken into its slot once that slot is free at the progress it reports;
 * the consumer reads a chunk itself when no helper has, and waits while
 * one is reading it. The bytes are the same whoever reads them: only the
 * time each thread spends changes.
 *
 * A chunk shorter than `chunk` (the end of the file when it was read) is
 * the last one: no chunk after it is read or taken. A read error is kept
 * with the chunk and returned to the consumer when it takes that chunk.
 * Not for pipes: chunks are read with pread() at their offsets. */
#ifndef TLSD_READAHEAD_H
#define TLSD_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsd/common.h"

#define TLSD_READAHEAD_MAX_SLOTS 64u

struct tlsd_readahead; /* opaque */

/* fd stays the caller's (not closed here). n_slots 2..TLSD_READAHEAD_MAX_SLOTS,
 * chunk >= 1. NULL when out of memory or given bad sizes. */
TLSD_MUST_USE struct tlsd_readahead *tlsd_readahead_new(int fd, uint64_t offset, unsigned n_slots,
							size_t chunk, size_t headroom);
/* Waits for a helper still reading, then frees. */
void tlsd_readahead_free(struct tlsd_readahead *ra);

/* Consumer: the next chunk (0, 1, ... in order): *data points at its
 * bytes, *len of them (fewer than `chunk` only for the last: do not take
 * another after it), with `headroom` bytes before *data that the consumer
 * may write. Valid until the chunk is released. Its slot must be free:
 * the chunk n before it was released and its ticket reached (the consumer
 * waits for that itself). Returns 0, or a negative errno (the read's
 * error, -EINVAL when taken after the last chunk or with n chunks taken
 * and not released); nothing is written on failure. */
TLSD_MUST_USE int tlsd_readahead_take(struct tlsd_readahead *ra, uint8_t **data, size_t *len);
/* Consumer: done with the oldest chunk taken and not released; its slot
 * may be read into again once a helper reports progress >= ticket (0: at
 * once). */
void tlsd_readahead_release(struct tlsd_readahead *ra, uint64_t ticket);
/* Slot index of the chunk taken last (-1: none yet). Consumer only. */
int tlsd_readahead_slot(const struct tlsd_readahead *ra);

/* Helper: reads the next chunk no one has read into its slot, when that
 * slot is free at `progress`. Returns true when it read one (there may be
 * more to do), false when there was nothing it could do. Any thread; the
 * pread runs without a lock held. */
bool tlsd_readahead_help(struct tlsd_readahead *ra, uint64_t progress);

/* The sizes it was made with. */
size_t tlsd_readahead_chunk(const struct tlsd_readahead *ra);
size_t tlsd_readahead_headroom(const struct tlsd_readahead *ra);
unsigned tlsd_readahead_slots(const struct tlsd_readahead *ra);

/* Chunks read by helpers and by the consumer itself (for --stats and tests). */
void tlsd_readahead_counts(struct tlsd_readahead *ra, uint64_t *by_helpers,
			   uint64_t *by_consumer);

#endif
