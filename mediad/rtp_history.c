/*
 * rtp_history: retransmission ring per video stream; see rtp_history.h.
 *
 * Owns its slots. Each slot remembers the extended (32-bit, wrap-counted)
 * sequence number of its packet, so a slot left over from 65536 packets
 * ago or from before a jump never answers for a new number, and a jump
 * costs nothing.
 */
#include "rtp_history.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"

struct rtp_slot {
	uint32_t ext;           /* extended sequence number */
	uint16_t len;           /* 0: empty */
	uint8_t data[RTP_HISTORY_SLOT];
};

struct rtp_history {
	unsigned cap;           /* power of two */
	bool started;
	uint32_t newest;        /* extended sequence number */
	struct rtp_slot slot[];
};

struct rtp_history *
rtp_history_new(unsigned capacity)
{
	struct rtp_history *h;

	if (capacity < 16 || capacity > RTP_HISTORY_MAX ||
	    (capacity & (capacity - 1)) != 0)
		return NULL;
	h = calloc(1, sizeof *h + (size_t)capacity * sizeof h->slot[0]);
	if (h == NULL)
		return NULL;
	h->cap = capacity;
	return h;
}

void
rtp_history_free(struct rtp_history *h)
{
	free(h);
}

/* The extended number of seq, taken as the one nearest the newest. */
static uint32_t
extend(const struct rtp_history *h, uint16_t seq)
{
	int16_t d = (int16_t)(uint16_t)(seq - (uint16_t)h->newest);

	return h->newest + (uint32_t)(int32_t)d;
}

int
rtp_history_put(struct rtp_history *h, const uint8_t *pkt, size_t len)
{
	struct rtp_slot *s;
	uint16_t seq;
	uint32_t ext;

	if (pkt == NULL || len < RTP_HEADER_LEN || len > RTP_HISTORY_SLOT)
		return -1;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (!h->started) {
		h->started = true;
		h->newest = (uint32_t)seq + 65536;      /* room to go back */
	}
	ext = extend(h, seq);
	if ((int32_t)(ext - h->newest) > 0) {
		/* Slots left behind keep older extended numbers than any in
		 * the window now, so they never match: no clearing needed. */
		h->newest = ext;
	} else if (h->newest - ext >= h->cap) {
		return -1;
	}
	s = &h->slot[seq & (h->cap - 1)];
	s->ext = ext;
	s->len = (uint16_t)len;
	memcpy(s->data, pkt, len);
	return 0;
}

const uint8_t *
rtp_history_get(const struct rtp_history *h, uint16_t seq, size_t *len)
{
	const struct rtp_slot *s;
	uint32_t ext;

	if (!h->started)
		return NULL;
	ext = extend(h, seq);
	if ((int32_t)(ext - h->newest) > 0 || h->newest - ext >= h->cap)
		return NULL;
	s = &h->slot[seq & (h->cap - 1)];
	if (s->len == 0 || s->ext != ext)
		return NULL;
	*len = s->len;
	return s->data;
}
