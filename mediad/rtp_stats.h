/*
 * rtp_stats: what klopfd knows about one RTP stream it receives — the
 * RFC 3550 receive statistics it reports in RRs (extended highest
 * sequence number with wraparound and probation, A.1; expected and lost
 * packets and the fraction lost per report interval, A.3; interarrival
 * jitter, A.8; LSR/DLSR of the last SR) — and which sequence numbers are
 * missing, for NACKs (RFC 4585), over a bounded window.
 *
 * Never: allocates, logs or reads a clock (times are arguments), or costs
 * more than O(1) per packet (a jump in sequence numbers costs at most
 * RTP_NACK_WINDOW / 64 word operations).
 */
#ifndef KLOPF_RTP_STATS_H
#define KLOPF_RTP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtcp.h"

#define RTP_STATS_MAX_DROPOUT 3000      /* RFC 3550 A.1 */
#define RTP_STATS_MAX_MISORDER 100
#define RTP_STATS_MIN_SEQUENTIAL 2

struct rtp_stats {
	uint32_t ssrc;
	bool started;
	uint16_t max_seq;       /* highest sequence number seen */
	uint32_t cycles;        /* wraps, times 65536 */
	uint32_t base_seq;
	uint32_t bad_seq;       /* last 'bad' seq + 1 */
	uint32_t probation;     /* sequential packets still to see */
	uint32_t received;      /* packets counted (duplicates too, per A.1) */
	uint32_t expected_prior;
	uint32_t received_prior;
	bool have_transit;
	uint32_t transit;       /* of the last in-order packet */
	uint32_t last_ts;
	uint64_t jitter_q4;     /* jitter * 16 (A.8 integer form) */
	bool have_sr;
	uint32_t lsr;
	uint64_t lsr_at_us;
};

void rtp_stats_init(struct rtp_stats *s, uint32_t ssrc);

/* Counts one packet. arrival is its arrival time in the stream's RTP
 * clock units (any origin). Jitter is sampled only on packets newer than
 * all before with a timestamp different from the previous one (packets
 * of one video frame share a timestamp and leave in a burst). Returns 1
 * if the packet was counted, 0 if not: the source is still on probation
 * (its first RTP_STATS_MIN_SEQUENTIAL - 1 packets), or the sequence number
 * jumped and waits for a second packet to confirm a restart. The caller
 * may forward the packet either way. */
int rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t ts,
    uint32_t arrival);

uint32_t rtp_stats_ext_max_seq(const struct rtp_stats *s);
uint32_t rtp_stats_expected(const struct rtp_stats *s);
int32_t rtp_stats_lost(const struct rtp_stats *s);     /* may be < 0 */
uint32_t rtp_stats_jitter(const struct rtp_stats *s);  /* RTP units */

/* An SR from this source arrived at now_us (any monotonic microseconds). */
void rtp_stats_on_sr(struct rtp_stats *s, uint64_t ntp, uint64_t now_us);

/* A report block for an RR sent at now_us; starts the next fraction-lost
 * interval. */
void rtp_stats_report(struct rtp_stats *s, uint64_t now_us,
    struct rtcp_report_block *rb);

/* --- NACK tracker -------------------------------------------------------- */

#define RTP_NACK_WINDOW 512     /* a multiple of 64 dividing 65536 */

struct rtp_nack {
	bool started;
	uint16_t head;          /* highest sequence number seen */
	unsigned nmissing;
	uint64_t missing[RTP_NACK_WINDOW / 64]; /* bit seq % WINDOW */
	uint8_t tries[RTP_NACK_WINDOW];         /* NACKs sent for it */
	uint32_t due[RTP_NACK_WINDOW];          /* next NACK not before */
};

void rtp_nack_init(struct rtp_nack *n);

/* Notes the arrival of seq. Returns how many sequence numbers it newly
 * found missing (those between the previous highest and seq), 0 for an
 * old or repeated packet (which is no longer missing), or -1 if seq is
 * RTP_NACK_WINDOW or more away from the highest: everything is forgotten,
 * tracking restarts at seq, and a keyframe request serves better than
 * NACKs. */
int rtp_nack_update(struct rtp_nack *n, uint16_t seq);

/* Whether seq is within the window and missing. */
bool rtp_nack_is_missing(const struct rtp_nack *n, uint16_t seq);

/* Missing sequence numbers due for a NACK at now_ms (never asked, or
 * asked retry_ms ago or earlier), oldest first, at most max into out.
 * Each listed one counts as asked once more; one asked max_tries times
 * already is forgotten instead of listed. Returns how many were written. */
size_t rtp_nack_collect(struct rtp_nack *n, uint32_t now_ms,
    uint32_t retry_ms, unsigned max_tries, uint16_t *out, size_t max);

#endif
