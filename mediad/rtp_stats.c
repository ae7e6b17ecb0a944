/*
 * rtp_stats: receive statistics and NACK tracking per stream; see
 * rtp_stats.h.
 *
 * Owns only the caller's structs. The sequence number bookkeeping is the
 * algorithm of RFC 3550 appendix A.1, the jitter that of A.8 in its
 * integer form, the fraction lost that of A.3.
 */
#include "rtp_stats.h"

#include <string.h>

#define SEQ_MOD 65536u

static void
init_seq(struct rtp_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SEQ_MOD + 1;       /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->have_transit = false;
}

void
rtp_stats_init(struct rtp_stats *s, uint32_t ssrc)
{
	memset(s, 0, sizeof *s);
	s->ssrc = ssrc;
}

static void
sample_jitter(struct rtp_stats *s, uint32_t ts, uint32_t arrival)
{
	uint32_t transit = arrival - ts;
	int64_t d;

	if (s->have_transit && ts == s->last_ts)
		return;
	if (s->have_transit) {
		d = (int32_t)(transit - s->transit);
		if (d < 0)
			d = -d;
		/* J += (|D| - J) / 16, with J kept times 16 */
		s->jitter_q4 = s->jitter_q4 + (uint64_t)d -
		    ((s->jitter_q4 + 8) >> 4);
	}
	s->transit = transit;
	s->last_ts = ts;
	s->have_transit = true;
}

int
rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t ts,
    uint32_t arrival)
{
	uint16_t udelta;
	bool newest = false;

	if (!s->started) {
		init_seq(s, seq);
		s->max_seq = (uint16_t)(seq - 1);
		s->probation = RTP_STATS_MIN_SEQUENTIAL;
		s->started = true;
	}
	udelta = (uint16_t)(seq - s->max_seq);
	if (s->probation > 0) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				sample_jitter(s, ts, arrival);
				return 1;
			}
		} else {
			s->probation = RTP_STATS_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return 0;
	} else if (udelta < RTP_STATS_MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD;   /* wrapped */
		s->max_seq = seq;
		newest = udelta != 0;
	} else if (udelta <= SEQ_MOD - RTP_STATS_MAX_MISORDER) {
		if (seq != s->bad_seq) {
			s->bad_seq = (uint16_t)(seq + 1);
			return 0;
		}
		init_seq(s, seq);       /* two in a row: the sender restarted */
		newest = true;
	}
	/* else a duplicate or reordered packet */
	s->received++;
	if (newest)
		sample_jitter(s, ts, arrival);
	return 1;
}

uint32_t
rtp_stats_ext_max_seq(const struct rtp_stats *s)
{
	return s->cycles + s->max_seq;
}

uint32_t
rtp_stats_expected(const struct rtp_stats *s)
{
	if (!s->started || s->probation > 0)
		return 0;
	return rtp_stats_ext_max_seq(s) - s->base_seq + 1;
}

int32_t
rtp_stats_lost(const struct rtp_stats *s)
{
	return (int32_t)(rtp_stats_expected(s) - s->received);
}

uint32_t
rtp_stats_jitter(const struct rtp_stats *s)
{
	uint64_t j = s->jitter_q4 >> 4;

	return j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
}

void
rtp_stats_on_sr(struct rtp_stats *s, uint64_t ntp, uint64_t now_us)
{
	s->have_sr = true;
	s->lsr = (uint32_t)(ntp >> 16);
	s->lsr_at_us = now_us;
}

void
rtp_stats_report(struct rtp_stats *s, uint64_t now_us,
    struct rtcp_report_block *rb)
{
	uint32_t expected = rtp_stats_expected(s);
	uint32_t exp_int = expected - s->expected_prior;
	uint32_t rec_int = s->received - s->received_prior;
	int64_t lost_int = (int64_t)exp_int - (int64_t)rec_int;
	int64_t lost = rtp_stats_lost(s);

	s->expected_prior = expected;
	s->received_prior = s->received;

	memset(rb, 0, sizeof *rb);
	rb->ssrc = s->ssrc;
	if (exp_int != 0 && lost_int > 0) {
		uint64_t f = ((uint64_t)lost_int << 8) / exp_int;

		rb->fraction_lost = f > 255 ? 255 : (uint8_t)f;
	}
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	rb->cumulative_lost = (int32_t)lost;
	rb->ext_highest_seq = rtp_stats_ext_max_seq(s);
	rb->jitter = rtp_stats_jitter(s);
	if (s->have_sr) {
		uint64_t d = now_us >= s->lsr_at_us ? now_us - s->lsr_at_us : 0;
		uint64_t dlsr = d * 65536 / 1000000;

		rb->lsr = s->lsr;
		rb->dlsr = dlsr > UINT32_MAX ? UINT32_MAX : (uint32_t)dlsr;
	}
}

/* --- NACK tracker -------------------------------------------------------- */

#define NACK_MASK (RTP_NACK_WINDOW - 1)

void
rtp_nack_init(struct rtp_nack *n)
{
	memset(n, 0, sizeof *n);
}

/* Marks count (< WINDOW) sequence numbers from `from` missing, word by
 * word; the slots held numbers that just left the window. */
static void
mark_missing(struct rtp_nack *n, uint16_t from, unsigned count)
{
	while (count > 0) {
		unsigned idx = from & NACK_MASK;
		unsigned b = idx & 63, k = 64 - b;
		uint64_t mask, *w = &n->missing[idx >> 6];

		if (k > count)
			k = count;
		mask = (k == 64 ? ~(uint64_t)0 : (((uint64_t)1 << k) - 1)) << b;
		n->nmissing += k - (unsigned)__builtin_popcountll(*w & mask);
		*w |= mask;
		memset(n->tries + idx, 0, k);
		from = (uint16_t)(from + k);
		count -= k;
	}
}

static bool
clear_missing(struct rtp_nack *n, uint16_t seq)
{
	unsigned idx = seq & NACK_MASK;
	uint64_t bit = (uint64_t)1 << (idx & 63);

	if ((n->missing[idx >> 6] & bit) == 0)
		return false;
	n->missing[idx >> 6] &= ~bit;
	n->nmissing--;
	return true;
}

int
rtp_nack_update(struct rtp_nack *n, uint16_t seq)
{
	int d;

	if (!n->started) {
		rtp_nack_init(n);
		n->started = true;
		n->head = seq;
		return 0;
	}
	d = (int16_t)(uint16_t)(seq - n->head);
	if (d >= RTP_NACK_WINDOW || d <= -RTP_NACK_WINDOW) {
		rtp_nack_init(n);
		n->started = true;
		n->head = seq;
		return -1;
	}
	if (d <= 0) {
		clear_missing(n, seq);
		return 0;
	}
	if (d > 1)
		mark_missing(n, (uint16_t)(n->head + 1), (unsigned)d - 1);
	clear_missing(n, seq);
	n->head = seq;
	return d - 1;
}

bool
rtp_nack_is_missing(const struct rtp_nack *n, uint16_t seq)
{
	unsigned back = (uint16_t)(n->head - seq), idx = seq & NACK_MASK;

	if (!n->started || back >= RTP_NACK_WINDOW)
		return false;
	return (n->missing[idx >> 6] >> (idx & 63)) & 1;
}

size_t
rtp_nack_collect(struct rtp_nack *n, uint32_t now_ms, uint32_t retry_ms,
    unsigned max_tries, uint16_t *out, size_t max)
{
	/* Oldest first: from head - WINDOW + 1 upwards, a word at a time. */
	uint16_t from = (uint16_t)(n->head - RTP_NACK_WINDOW + 1);
	unsigned left = RTP_NACK_WINDOW;
	size_t got = 0;

	if (!n->started)
		return 0;
	while (left > 0 && got < max && n->nmissing > 0) {
		unsigned idx = from & NACK_MASK;
		unsigned b = idx & 63, k = 64 - b, w = idx >> 6;
		uint64_t bits;

		if (k > left)
			k = left;
		bits = (n->missing[w] >> b) &
		    (k == 64 ? ~(uint64_t)0 : (((uint64_t)1 << k) - 1));
		while (bits != 0 && got < max) {
			unsigned i = (unsigned)__builtin_ctzll(bits);
			unsigned slot = idx + i;

			bits &= bits - 1;
			if (n->tries[slot] > 0 &&
			    (int32_t)(now_ms - n->due[slot]) < 0)
				continue;
			if (n->tries[slot] >= max_tries) {
				clear_missing(n, (uint16_t)(from + i));
				continue;
			}
			n->tries[slot]++;
			n->due[slot] = now_ms + retry_ms;
			out[got++] = (uint16_t)(from + i);
		}
		from = (uint16_t)(from + k);
		left -= k;
	}
	return got;
}
