/*
 * test_rtp_stats: RFC 3550 receive statistics (sequence wraparound,
 * probation, loss and fraction lost, jitter, LSR/DLSR) and the NACK
 * tracker of rtp_stats.c, on synthetic packet schedules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtp_stats.h"

/* --- receive statistics -------------------------------------------------- */

static void
test_stats_probation_and_wraparound(void **state)
{
	struct rtp_stats s;
	uint32_t i;

	(void)state;
	rtp_stats_init(&s, 42);
	assert_int_equal(rtp_stats_update(&s, 65530, 0, 0), 0);  /* probation */
	assert_int_equal(rtp_stats_expected(&s), 0);
	for (i = 1; i <= 11; i++)        /* 65531 .. 65535, 0 .. 5 */
		assert_int_equal(rtp_stats_update(&s, (uint16_t)(65530 + i),
		    0, 0), 1);
	assert_int_equal(rtp_stats_ext_max_seq(&s), 65536 + 5);
	assert_int_equal(s.base_seq, 65531);
	assert_int_equal(rtp_stats_expected(&s), 11);
	assert_int_equal(rtp_stats_lost(&s), 0);

	/* a broken first pair restarts probation */
	rtp_stats_init(&s, 1);
	assert_int_equal(rtp_stats_update(&s, 10, 0, 0), 0);
	assert_int_equal(rtp_stats_update(&s, 20, 0, 0), 0);
	assert_int_equal(rtp_stats_update(&s, 21, 0, 0), 1);
	assert_int_equal(rtp_stats_expected(&s), 1);
}

static void
test_stats_loss_reorder_and_fraction(void **state)
{
	struct rtp_stats s;
	struct rtcp_report_block rb;
	uint16_t seq;

	(void)state;
	rtp_stats_init(&s, 7);
	rtp_stats_update(&s, 99, 0, 0);
	for (seq = 100; seq < 200; seq++)
		if (seq % 10 != 3)              /* lose 103, 113, ... */
			rtp_stats_update(&s, seq, 0, 0);
	assert_int_equal(rtp_stats_expected(&s), 100);
	assert_int_equal(rtp_stats_lost(&s), 10);
	rtp_stats_report(&s, 0, &rb);
	assert_int_equal(rb.ssrc, 7);
	assert_int_equal(rb.fraction_lost, 10 * 256 / 100);
	assert_int_equal(rb.cumulative_lost, 10);
	assert_int_equal(rb.ext_highest_seq, 199);
	assert_int_equal(rb.lsr, 0);
	assert_int_equal(rb.dlsr, 0);

	/* two late packets arrive: counted, max unchanged */
	assert_int_equal(rtp_stats_update(&s, 103, 0, 0), 1);
	assert_int_equal(rtp_stats_update(&s, 113, 0, 0), 1);
	assert_int_equal(rtp_stats_ext_max_seq(&s), 199);
	for (seq = 200; seq < 250; seq++)
		rtp_stats_update(&s, seq, 0, 0);
	rtp_stats_report(&s, 0, &rb);
	assert_int_equal(rb.fraction_lost, 0);  /* more came than expected */
	assert_int_equal(rb.cumulative_lost, 8);

	/* a whole interval lost */
	rtp_stats_update(&s, 260, 0, 0);
	rtp_stats_report(&s, 0, &rb);
	assert_int_equal(rb.fraction_lost, 10 * 256 / 11);

	/* duplicates make the loss negative */
	rtp_stats_update(&s, 260, 0, 0);
	rtp_stats_update(&s, 260, 0, 0);
	rtp_stats_report(&s, 0, &rb);
	assert_int_equal(rb.cumulative_lost, 18 - 2);
}

static void
test_stats_jump_needs_two_packets_to_resync(void **state)
{
	struct rtp_stats s;
	uint16_t seq;

	(void)state;
	rtp_stats_init(&s, 1);
	for (seq = 1000; seq < 1010; seq++)
		rtp_stats_update(&s, seq, 0, 0);
	assert_int_equal(rtp_stats_update(&s, 30000, 0, 0), 0);
	assert_int_equal(rtp_stats_ext_max_seq(&s), 1009);
	assert_int_equal(rtp_stats_update(&s, 30001, 0, 0), 1);
	assert_int_equal(rtp_stats_ext_max_seq(&s), 30001);
	assert_int_equal(s.base_seq, 30001);
	assert_int_equal(rtp_stats_expected(&s), 1);
	/* within MAX_DROPOUT: a gap, not a restart */
	assert_int_equal(rtp_stats_update(&s, 32000, 0, 0), 1);
	assert_int_equal(rtp_stats_lost(&s), 2000 - 2);
}

static void
test_stats_jitter_on_synthetic_schedule(void **state)
{
	/* 50 packets/s Opus, 960 units apart; arrival delay alternates 0 and
	 * 480 units (10 ms at 48 kHz): |D| = 480 each time after the first */
	struct rtp_stats s;
	double j = 0;
	uint32_t i;

	(void)state;
	rtp_stats_init(&s, 9);
	for (i = 0; i < 200; i++) {
		uint32_t ts = 1000000 + 960 * i;
		uint32_t arrival = 5 + 960 * i + (i % 2 ? 480 : 0);

		rtp_stats_update(&s, (uint16_t)(i + 1), ts, arrival);
		if (i >= 2)             /* first counted packet is i = 1 */
			j += (480.0 - j) / 16.0;
	}
	assert_true(rtp_stats_jitter(&s) >= (uint32_t)j - 1);
	assert_true(rtp_stats_jitter(&s) <= (uint32_t)j + 1);
	assert_true(rtp_stats_jitter(&s) > 470);

	/* constant transit: no jitter; same-timestamp packets skipped */
	rtp_stats_init(&s, 9);
	for (i = 0; i < 100; i++)
		rtp_stats_update(&s, (uint16_t)i, 3000 * ((i + 2) / 3),
		    77 + 3000 * ((i + 2) / 3) + ((i + 2) % 3) * 40);
	assert_int_equal(rtp_stats_jitter(&s), 0);
}

static void
test_stats_lsr_and_dlsr(void **state)
{
	struct rtp_stats s;
	struct rtcp_report_block rb;

	(void)state;
	rtp_stats_init(&s, 3);
	rtp_stats_update(&s, 1, 0, 0);
	rtp_stats_update(&s, 2, 0, 0);
	rtp_stats_on_sr(&s, 0x1122334455667788ULL, 1000000);
	rtp_stats_report(&s, 1500000, &rb);
	assert_int_equal(rb.lsr, 0x33445566);
	assert_int_equal(rb.dlsr, 32768);       /* 0.5 s */
}

/* --- NACK tracker -------------------------------------------------------- */

static void
test_nack_finds_gaps_and_forgets_recovered(void **state)
{
	struct rtp_nack n;
	uint16_t out[600];
	size_t got;

	(void)state;
	rtp_nack_init(&n);
	assert_int_equal(rtp_nack_update(&n, 100), 0);
	assert_int_equal(rtp_nack_update(&n, 101), 0);
	assert_int_equal(rtp_nack_update(&n, 105), 3);  /* 102 103 104 */
	assert_int_equal(rtp_nack_update(&n, 107), 1);  /* 106 */
	assert_int_equal(n.nmissing, 4);
	assert_true(rtp_nack_is_missing(&n, 103));
	assert_false(rtp_nack_is_missing(&n, 105));
	assert_int_equal(rtp_nack_update(&n, 103), 0);  /* recovered */
	assert_false(rtp_nack_is_missing(&n, 103));
	assert_int_equal(n.nmissing, 3);
	assert_int_equal(rtp_nack_update(&n, 103), 0);  /* duplicate */
	assert_int_equal(n.nmissing, 3);

	got = rtp_nack_collect(&n, 1000, 50, 3, out, 600);
	assert_int_equal(got, 3);
	assert_int_equal(out[0], 102);
	assert_int_equal(out[1], 104);
	assert_int_equal(out[2], 106);
	/* not again before retry_ms */
	assert_int_equal(rtp_nack_collect(&n, 1049, 50, 3, out, 600), 0);
	assert_int_equal(rtp_nack_collect(&n, 1050, 50, 3, out, 600), 3);
	assert_int_equal(rtp_nack_collect(&n, 1100, 50, 3, out, 600), 3);
	/* asked three times: forgotten */
	assert_int_equal(rtp_nack_collect(&n, 1150, 50, 3, out, 600), 0);
	assert_int_equal(n.nmissing, 0);
	assert_false(rtp_nack_is_missing(&n, 102));

	/* max limits the list, oldest first */
	rtp_nack_update(&n, 120);
	got = rtp_nack_collect(&n, 2000, 50, 3, out, 5);
	assert_int_equal(got, 5);
	assert_int_equal(out[0], 108);
	assert_int_equal(out[4], 112);
}

static void
test_nack_window_wraps_and_slides(void **state)
{
	struct rtp_nack n;
	uint16_t out[RTP_NACK_WINDOW];
	size_t got;
	unsigned i;

	(void)state;
	rtp_nack_init(&n);
	rtp_nack_update(&n, 65533);
	assert_int_equal(rtp_nack_update(&n, 2), 4);    /* 65534 .. 1 */
	got = rtp_nack_collect(&n, 0, 10, 5, out, 16);
	assert_int_equal(got, 4);
	assert_int_equal(out[0], 65534);
	assert_int_equal(out[1], 65535);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 1);

	/* old losses slide out of the window as the stream goes on */
	for (i = 3; i < 3 + RTP_NACK_WINDOW; i++)
		assert_int_equal(rtp_nack_update(&n, (uint16_t)i), 0);
	assert_int_equal(n.nmissing, 0);
	assert_false(rtp_nack_is_missing(&n, 65535));

	/* a gap just under the window is tracked */
	i = 3 + RTP_NACK_WINDOW - 1;
	assert_int_equal(rtp_nack_update(&n, (uint16_t)(i + RTP_NACK_WINDOW -
	    1)), RTP_NACK_WINDOW - 2);
	assert_int_equal(n.nmissing, RTP_NACK_WINDOW - 2);
	got = rtp_nack_collect(&n, 0, 10, 5, out, RTP_NACK_WINDOW);
	assert_int_equal(got, RTP_NACK_WINDOW - 2);
	assert_int_equal(out[0], (uint16_t)(i + 1));
	assert_int_equal(out[got - 1], (uint16_t)(i + RTP_NACK_WINDOW - 2));

	/* a jump of a window or more: forget, ask for a keyframe */
	assert_int_equal(rtp_nack_update(&n, 40000), -1);
	assert_int_equal(n.nmissing, 0);
	assert_int_equal(rtp_nack_update(&n, 40001), 0);
	assert_int_equal(rtp_nack_update(&n, 40001 - RTP_NACK_WINDOW), -1);
	rtp_nack_init(&n);
	assert_int_equal(rtp_nack_collect(&n, 0, 10, 5, out, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_probation_and_wraparound),
		cmocka_unit_test(test_stats_loss_reorder_and_fraction),
		cmocka_unit_test(test_stats_jump_needs_two_packets_to_resync),
		cmocka_unit_test(test_stats_jitter_on_synthetic_schedule),
		cmocka_unit_test(test_stats_lsr_and_dlsr),
		cmocka_unit_test(test_nack_finds_gaps_and_forgets_recovered),
		cmocka_unit_test(test_nack_window_wraps_and_slides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
