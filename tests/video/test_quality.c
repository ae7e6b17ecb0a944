/*
 * test_quality: the status line's connection quality (console/video/
 * quality.c) from two samples of webrtcbin's statistics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "quality.h"

static struct quality_sample
sample(uint64_t received, uint64_t lost, int streams, double rtt_ms,
    double remote_loss)
{
	struct quality_sample s = {received, lost, streams, rtt_ms,
	    remote_loss};

	return s;
}

static void
test_nothing_known_is_unknown(void **unused)
{
	struct quality_sample a = sample(0, 0, 0, -1, -1);

	(void)unused;
	assert_int_equal(quality_judge(&a, &a, false), QUALITY_UNKNOWN);
	assert_string_equal(quality_name(QUALITY_UNKNOWN), "unknown");
}

static void
test_little_loss_and_a_short_round_trip_are_good(void **unused)
{
	struct quality_sample a = sample(1000, 2, 3, 20, 0);
	struct quality_sample b = sample(1500, 4, 3, 25, 0.01);

	(void)unused;
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_GOOD);
	assert_string_equal(quality_word(QUALITY_GOOD), "gut");
	/* alone in the room: the round trip alone says good */
	a = sample(0, 0, 0, 15, -1);
	assert_int_equal(quality_judge(&a, &a, false), QUALITY_GOOD);
}

static void
test_loss_either_way_or_a_long_round_trip_lowers_it(void **unused)
{
	struct quality_sample a = sample(1000, 0, 2, 20, 0);
	struct quality_sample b;

	(void)unused;
	b = sample(1970, 30, 2, 20, 0);         /* 3 % lost coming in */
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_FAIR);
	b = sample(1900, 100, 2, 20, 0);        /* 10 % */
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_POOR);
	b = sample(2000, 0, 2, 20, 0.05);       /* klopfd lost 5 % of ours */
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_FAIR);
	b = sample(2000, 0, 2, 20, 0.2);
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_POOR);
	b = sample(2000, 0, 2, 350, 0);
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_FAIR);
	b = sample(2000, 0, 2, 900, 0);
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_POOR);
	assert_string_equal(quality_word(QUALITY_FAIR), "mäßig");
	assert_string_equal(quality_word(QUALITY_POOR), "schlecht");
}

static void
test_no_packet_from_others_in_the_room_is_down(void **unused)
{
	struct quality_sample a = sample(1000, 0, 2, 20, 0);
	struct quality_sample b = sample(1000, 0, 2, 20, 0);

	(void)unused;
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_DOWN);
	assert_string_equal(quality_word(QUALITY_DOWN), "unterbrochen");
	/* nobody there to send: not down */
	assert_int_equal(quality_judge(&a, &b, false), QUALITY_GOOD);
}

static void
test_late_packets_do_not_count_as_negative_loss(void **unused)
{
	struct quality_sample a = sample(1000, 50, 2, -1, -1);
	struct quality_sample b = sample(1500, 40, 2, -1, -1);

	(void)unused;
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_GOOD);
	/* a new leg starts its counters again: nothing to judge by loss */
	b = sample(10, 0, 2, -1, -1);
	assert_int_equal(quality_judge(&a, &b, true), QUALITY_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_known_is_unknown),
		cmocka_unit_test(test_little_loss_and_a_short_round_trip_are_good),
		cmocka_unit_test(test_loss_either_way_or_a_long_round_trip_lowers_it),
		cmocka_unit_test(test_no_packet_from_others_in_the_room_is_down),
		cmocka_unit_test(test_late_packets_do_not_count_as_negative_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
