/*
 * rtp_history: the last packets of one received video stream, to answer
 * NACKs without asking the publisher again. A ring of fixed-size slots
 * indexed by sequence number modulo the capacity.
 *
 * Stores plaintext RTP as received from the publisher (after SRTP
 * unprotect, before any per-subscriber rewrite): one history per
 * publisher stream serves every subscriber, who map their NACKed numbers
 * back with rtp_rewriter_unmap_seq() and rewrite the copy they send.
 *
 * Allocates once, in rtp_history_new(); never per packet. Never logs.
 * Memory: capacity * (RTP_HISTORY_SLOT + 8) bytes, about 770 KB at the
 * default 512 slots.
 */
#ifndef KLOPF_RTP_HISTORY_H
#define KLOPF_RTP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define RTP_HISTORY_SLOT 1500           /* longest packet kept */
#define RTP_HISTORY_DEFAULT 512
#define RTP_HISTORY_MAX 4096

struct rtp_history;

/* capacity: a power of two, 16..RTP_HISTORY_MAX. NULL if not, or out of
 * memory. */
struct rtp_history *rtp_history_new(unsigned capacity);
void rtp_history_free(struct rtp_history *h);

/* Copies an RTP packet in, keyed by its sequence number. 0, or -1 if it
 * is shorter than an RTP header, longer than a slot, or capacity or more
 * behind the newest packet kept (a newer one holds its slot). A packet
 * ahead of the newest makes everything capacity or more behind it
 * unreachable. */
int rtp_history_put(struct rtp_history *h, const uint8_t *pkt, size_t len);

/* The packet with sequence number seq, or NULL if it was never kept or
 * has been overwritten. Returns a borrowed pointer valid until the next
 * rtp_history_put(); *len is set to its length. */
const uint8_t *rtp_history_get(const struct rtp_history *h, uint16_t seq,
    size_t *len);

#endif
