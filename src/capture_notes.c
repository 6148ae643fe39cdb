/* Interface names and packet comments of a connection (pcapng). */
#include "tlsd/capture_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tlsd_notes_comments {
	uint8_t n;
	uint32_t total;
	struct tlsd_packet_comment c[TLSD_MAX_COMMENTS];
};

/* The index + 1 of this name (0: none, or the table is full). */
static uint8_t intern(struct tlsd_ifnames *t, const char *name)
{
	char key[TLSD_IFACE_NAME_LEN];

	if (!name || !*name)
		return 0;
	snprintf(key, sizeof(key), "%s", name); /* cut like the report's field */
	if (t->last && strcmp(t->names[t->last - 1], key) == 0)
		return t->last;
	for (uint8_t i = 0; i < t->n; i++) {
		if (strcmp(t->names[i], key) == 0) {
			t->last = (uint8_t)(i + 1);
			return t->last;
		}
	}
	if (t->n >= TLSD_NOTES_MAX_IFNAMES)
		return 0;
	if (!t->names) {
		t->names = calloc(TLSD_NOTES_MAX_IFNAMES, sizeof(*t->names));
		if (!t->names)
			return 0;
	}
	memcpy(t->names[t->n], key, sizeof(key));
	t->last = ++t->n;
	return t->last;
}

void tlsd_notes_open(struct tlsd_ifnames *t, struct tlsd_conn_notes *n,
		     const struct tlsd_pkt *pkt)
{
	if (pkt->frame)
		n->iface = intern(t, pkt->frame->iface);
}

void tlsd_notes_comment_(struct tlsd_conn_notes *n, const struct tlsd_pkt *pkt)
{
	const struct tlsd_frame *fr = pkt->frame;
	struct tlsd_packet_comment *pc;

	if (!n->comments) {
		n->comments = calloc(1, sizeof(*n->comments));
		if (!n->comments)
			return;
	}
	if (n->comments->total < UINT32_MAX)
		n->comments->total++;
	if (n->comments->n >= TLSD_MAX_COMMENTS)
		return;
	pc = &n->comments->c[n->comments->n++];
	pc->frame = pkt->frame_no;
	pc->len = (uint16_t)TLSD_MIN(fr->comment_len, (uint16_t)sizeof(pc->text));
	memcpy(pc->text, fr->comment, pc->len);
}

void tlsd_notes_report(const struct tlsd_ifnames *t, const struct tlsd_conn_notes *n,
		       struct tlsd_report *r)
{
	if (n->iface && t->names && n->iface <= t->n)
		memcpy(r->interface, t->names[n->iface - 1], sizeof(r->interface));
	if (n->comments) {
		r->n_comments = n->comments->n;
		r->n_comments_total = n->comments->total;
		memcpy(r->comments, n->comments->c, sizeof(r->comments));
	}
}

void tlsd_notes_cleanup(struct tlsd_conn_notes *n)
{
	free(n->comments);
	n->comments = NULL;
}

void tlsd_ifnames_cleanup(struct tlsd_ifnames *t)
{
	free(t->names);
	*t = (struct tlsd_ifnames){0};
}
