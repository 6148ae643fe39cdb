/* Chunks of a regular file read ahead by idle threads (readahead.h). */
#include "tlsd/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum slot_state {
	SLOT_EMPTY = 0, /* never used, or released */
	SLOT_READING,   /* a thread reads chunk `chunk` into it */
	SLOT_READY,     /* holds chunk `chunk` (len bytes, or err) */
	SLOT_TAKEN,     /* the consumer has it */
};

struct slot {
	uint8_t *mem; /* headroom, then the chunk */
	uint64_t chunk;
	uint64_t ticket; /* free again once progress >= ticket */
	size_t len;
	int err;
	enum slot_state state;
};

struct tlsd_readahead {
	int fd;
	uint64_t offset;
	size_t chunk, headroom;
	unsigned n;
	pthread_mutex_t lock;
	pthread_cond_t ready; /* a slot became READY, or a helper finished */
	/* Under lock: */
	uint64_t next_read; /* the lowest chunk no one has claimed */
	uint64_t next_take; /* the consumer's next chunk */
	uint64_t released;  /* chunks released (all below this number) */
	uint64_t last;      /* the last chunk (a short one), UINT64_MAX: not known */
	unsigned busy;      /* helpers reading now */
	bool closed;
	uint64_t by_helpers, by_consumer;
	int taken_slot;     /* consumer only */
	struct slot slots[TLSD_READAHEAD_MAX_SLOTS];
};

struct tlsd_readahead *tlsd_readahead_new(int fd, uint64_t offset, unsigned n_slots, size_t chunk,
					  size_t headroom)
{
	struct tlsd_readahead *ra;

	if (n_slots < 2 || n_slots > TLSD_READAHEAD_MAX_SLOTS || chunk == 0 ||
	    chunk > SIZE_MAX / 2 - headroom || offset > INT64_MAX)
		return NULL;
	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return NULL;
	ra->fd = fd;
	ra->offset = offset;
	ra->chunk = chunk;
	ra->headroom = headroom;
	ra->n = n_slots;
	ra->last = UINT64_MAX;
	ra->taken_slot = -1;
	for (unsigned i = 0; i < n_slots; i++) {
		/* Pages are touched only when a chunk is read into them. */
		ra->slots[i].mem = malloc(headroom + chunk);
		if (!ra->slots[i].mem) {
			while (i-- > 0)
				free(ra->slots[i].mem);
			free(ra);
			return NULL;
		}
	}
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->ready, NULL);
	return ra;
}

void tlsd_readahead_free(struct tlsd_readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->closed = true;
	while (ra->busy)
		pthread_cond_wait(&ra->ready, &ra->lock);
	pthread_mutex_unlock(&ra->lock);
	for (unsigned i = 0; i < ra->n; i++)
		free(ra->slots[i].mem);
	pthread_cond_destroy(&ra->ready);
	pthread_mutex_destroy(&ra->lock);
	free(ra);
}

/* Chunk k whole, fewer bytes only at the end of the file. Without a lock:
 * the slot is this thread's while it is READING. */
static void read_chunk(const struct tlsd_readahead *ra, struct slot *s, uint64_t k)
{
	uint8_t *dst = s->mem + ra->headroom;
	uint64_t at = ra->offset + k * ra->chunk;
	size_t got = 0;
	int err = 0;

	if (k > (UINT64_MAX - ra->offset) / ra->chunk || at > INT64_MAX - ra->chunk)
		err = -EFBIG;
	while (!err && got < ra->chunk) {
		ssize_t r = pread(ra->fd, dst + got, ra->chunk - got, (off_t)(at + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		else if (r == 0)
			break;
		else
			got += (size_t)r;
	}
	s->len = got;
	s->err = err;
}

/* Under lock: claims chunk k = next_read for this thread, reads it into
 * its slot with the lock let go, and marks it READY (counted in *count). */
static void claim_and_read(struct tlsd_readahead *ra, uint64_t k, uint64_t *count)
{
	struct slot *s = &ra->slots[k % ra->n];

	ra->next_read++;
	s->state = SLOT_READING;
	s->chunk = k;
	pthread_mutex_unlock(&ra->lock);
	read_chunk(ra, s, k);
	pthread_mutex_lock(&ra->lock);
	(*count)++;
	s->state = SLOT_READY;
	if (s->err || s->len < ra->chunk)
		ra->last = TLSD_MIN(ra->last, k);
	pthread_cond_broadcast(&ra->ready);
}

int tlsd_readahead_take(struct tlsd_readahead *ra, uint8_t **data, size_t *len)
{
	struct slot *s;
	uint64_t k;
	int err;

	pthread_mutex_lock(&ra->lock);
	k = ra->next_take;
	if (k > ra->last || k - ra->released >= ra->n) {
		pthread_mutex_unlock(&ra->lock);
		return -EINVAL;
	}
	s = &ra->slots[k % ra->n];
	if (k == ra->next_read) /* no helper has it: read it here */
		claim_and_read(ra, k, &ra->by_consumer);
	while (s->state != SLOT_READY || s->chunk != k)
		pthread_cond_wait(&ra->ready, &ra->lock);
	err = s->err;
	if (!err) {
		s->state = SLOT_TAKEN;
		ra->next_take++;
		ra->taken_slot = (int)(k % ra->n);
		*data = s->mem + ra->headroom;
		*len = s->len;
	}
	pthread_mutex_unlock(&ra->lock);
	return err;
}

void tlsd_readahead_release(struct tlsd_readahead *ra, uint64_t ticket)
{
	pthread_mutex_lock(&ra->lock);
	if (ra->released < ra->next_take) {
		struct slot *s = &ra->slots[ra->released % ra->n];

		s->state = SLOT_EMPTY;
		s->ticket = ticket;
		ra->released++;
	}
	pthread_mutex_unlock(&ra->lock);
}

int tlsd_readahead_slot(const struct tlsd_readahead *ra)
{
	return ra->taken_slot;
}

bool tlsd_readahead_help(struct tlsd_readahead *ra, uint64_t progress)
{
	struct slot *s;
	uint64_t k;

	pthread_mutex_lock(&ra->lock);
	k = ra->next_read;
	s = &ra->slots[k % ra->n];
	/* The slot's previous chunk (k - n) released and no longer pointed
	 * into; nothing past the last chunk. */
	if (ra->closed || k > ra->last || k - ra->released >= ra->n || s->state != SLOT_EMPTY ||
	    s->ticket > progress) {
		pthread_mutex_unlock(&ra->lock);
		return false;
	}
	ra->busy++;
	claim_and_read(ra, k, &ra->by_helpers);
	ra->busy--;
	pthread_mutex_unlock(&ra->lock);
	return true;
}

void tlsd_readahead_counts(struct tlsd_readahead *ra, uint64_t *by_helpers, uint64_t *by_consumer)
{
	pthread_mutex_lock(&ra->lock);
	*by_helpers = ra->by_helpers;
	*by_consumer = ra->by_consumer;
	pthread_mutex_unlock(&ra->lock);
}

size_t tlsd_readahead_chunk(const struct tlsd_readahead *ra)
{
	return ra->chunk;
}

size_t tlsd_readahead_headroom(const struct tlsd_readahead *ra)
{
	return ra->headroom;
}

unsigned tlsd_readahead_slots(const struct tlsd_readahead *ra)
{
	return ra->n;
}
