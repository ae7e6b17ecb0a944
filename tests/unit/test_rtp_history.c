/*
 * test_rtp_history: the retransmission ring of rtp_history.c — packets
 * come back by sequence number across the 16-bit wrap, overwritten and
 * too old ones are refused, and a jump leaves no stale answers.
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

#include "rtp_history.h"

static size_t
small_packet(uint8_t *b, uint16_t seq, size_t len)
{
	memset(b, 0, len);
	b[0] = 0x80;
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[len - 1] = (uint8_t)seq;
	return len;
}

/* 600 packets from 65300: the newest is 363 (mod 2^16), packet i has
 * 20 + i % 100 bytes. */
static struct rtp_history *
filled(void)
{
	struct rtp_history *h = rtp_history_new(RTP_HISTORY_DEFAULT);
	uint8_t b[RTP_HISTORY_SLOT];
	unsigned i;

	assert_non_null(h);
	for (i = 0; i < 600; i++) {
		uint16_t seq = (uint16_t)(65300 + i);   /* wraps at i = 236 */

		assert_int_equal(rtp_history_put(h, b,
		    small_packet(b, seq, 20 + i % 100)), 0);
	}
	return h;
}

static void
test_history_returns_packets_across_the_wrap(void **state)
{
	struct rtp_history *h = rtp_history_new(RTP_HISTORY_DEFAULT);
	const uint8_t *got;
	size_t len;

	(void)state;
	assert_null(rtp_history_get(h, 5, &len));       /* empty */
	rtp_history_free(h);
	h = filled();
	got = rtp_history_get(h, 363, &len);
	assert_non_null(got);
	assert_int_equal(len, 20 + 599 % 100);
	assert_int_equal(got[2] << 8 | got[3], 363);
	got = rtp_history_get(h, 65535, &len);          /* i = 235 */
	assert_non_null(got);
	assert_int_equal(len, 20 + 235 % 100);
	assert_int_equal(got[len - 1], 0xff);
	assert_non_null(rtp_history_get(h, (uint16_t)(363 - 511), &len));
	rtp_history_free(h);
}

static void
test_history_refuses_overwritten_old_and_odd_packets(void **state)
{
	struct rtp_history *h = filled();
	uint8_t b[RTP_HISTORY_SLOT + 1];
	size_t len;

	(void)state;
	assert_null(rtp_history_get(h, (uint16_t)(363 - 512), &len));
	assert_null(rtp_history_get(h, 364, &len));     /* not yet */
	assert_int_equal(rtp_history_put(h, b,
	    small_packet(b, (uint16_t)(363 - 512), 40)), -1);
	assert_int_equal(rtp_history_put(h, b,
	    small_packet(b, 364, RTP_HISTORY_SLOT + 1)), -1);
	assert_int_equal(rtp_history_put(h, b, 11), -1);
	assert_int_equal(rtp_history_put(h, NULL, 12), -1);
	/* a late packet inside the window is kept */
	assert_int_equal(rtp_history_put(h, b,
	    small_packet(b, (uint16_t)(363 - 100), 77)), 0);
	assert_non_null(rtp_history_get(h, (uint16_t)(363 - 100), &len));
	assert_int_equal(len, 77);
	rtp_history_free(h);
	rtp_history_free(NULL);
	assert_null(rtp_history_new(100));
	assert_null(rtp_history_new(8));
	assert_null(rtp_history_new(RTP_HISTORY_MAX * 2));
}

static void
test_history_jump_leaves_no_stale_answers(void **state)
{
	struct rtp_history *h = filled();
	uint8_t b[64];
	size_t len;

	(void)state;
	assert_int_equal(rtp_history_put(h, b, small_packet(b, 20000, 30)),
	    0);
	assert_non_null(rtp_history_get(h, 20000, &len));
	assert_null(rtp_history_get(h, 363, &len));
	/* 19851 shares slot 395 with 65419, kept before the jump */
	assert_null(rtp_history_get(h, 19851, &len));
	rtp_history_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_returns_packets_across_the_wrap),
		cmocka_unit_test(
		    test_history_refuses_overwritten_old_and_odd_packets),
		cmocka_unit_test(test_history_jump_leaves_no_stale_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
