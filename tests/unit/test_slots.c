/*
 * test_slots: appointment slots derived from weekly hours, slot length,
 * notice, horizon and closed dates, in Europe/Berlin, across the March
 * and October clock changes of 2026.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "config.h"
#include "slots.h"

/* Tuesday 2026-11-24 12:00 UTC = 13:00 in Berlin */
#define TUE_1300 1795521600
#define HOUR 3600
#define DAY 86400

static struct config_appointments A;
static struct slot S[512];

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	memset(&A, 0, sizeof(A));
	A.enabled = true;
	A.slot_minutes = 20;
	A.horizon_days = 28;
	A.notice_minutes = 0;
	return 0;
}

static void
hours(const char *spec)
{
	char msg[256];

	assert_int_equal(config_parse_week(A.hours, A.nhours, spec, msg,
	    sizeof(msg)), 0);
}

static void
test_weekly_hours_make_slots(void **state)
{
	size_t n;

	(void)state;
	hours("Di 14:00-16:00");
	A.horizon_days = 6;     /* this Tuesday only */
	n = slots_list(&A, NULL, 0, TUE_1300, S, 512);
	assert_int_equal(n, 6);
	assert_int_equal(S[0].start, TUE_1300 + HOUR);  /* 14:00 local */
	assert_int_equal(S[0].end, S[0].start + 20 * 60);
	assert_int_equal(S[0].date, 20261124);
	assert_int_equal(S[0].minute, 14 * 60);
	assert_int_equal(S[5].minute, 15 * 60 + 40);
	for (size_t i = 1; i < n; i++)
		assert_true(S[i].start > S[i - 1].start);
	/* a slot that would run past the end is not made */
	memset(&A.hours, 0, sizeof(A.hours));
	memset(&A.nhours, 0, sizeof(A.nhours));
	hours("Di 14:00-14:50");
	assert_int_equal(slots_list(&A, NULL, 0, TUE_1300, S, 512), 2);
}

static void
test_notice_and_horizon(void **state)
{
	size_t n;

	(void)state;
	hours("Di 14:00-16:00");
	A.notice_minutes = 120;         /* not before 15:00 today */
	A.horizon_days = 7;             /* up to next Tuesday, inclusive */
	n = slots_list(&A, NULL, 0, TUE_1300, S, 512);
	assert_int_equal(n, 3 + 6);
	assert_int_equal(S[0].minute, 15 * 60);
	assert_int_equal(S[3].date, 20261201);
	A.horizon_days = 6;
	assert_int_equal(slots_list(&A, NULL, 0, TUE_1300, S, 512), 3);
	/* the list is cut at max */
	A.horizon_days = 28;
	assert_int_equal(slots_list(&A, NULL, 0, TUE_1300, S, 4), 4);
	/* no appointments, no slots */
	A.enabled = false;
	assert_int_equal(slots_list(&A, NULL, 0, TUE_1300, S, 512), 0);
}

static void
test_closed_dates(void **state)
{
	static const int global[] = { 20261208 };

	(void)state;
	hours("Di 14:00-15:00");
	A.horizon_days = 21;    /* 24.11., 1.12., 8.12., 15.12. */
	assert_int_equal(slots_list(&A, NULL, 0, TUE_1300, S, 512), 12);
	A.closed[A.nclosed++] = 20261201;
	assert_int_equal(slots_list(&A, global, 1, TUE_1300, S, 512), 6);
	assert_int_equal(S[0].date, 20261124);
	assert_int_equal(S[3].date, 20261215);
}

static void
test_march_clock_change(void **state)
{
	size_t n;
	int64_t sat = 1774699200;       /* Sat 2026-03-28 12:00 UTC */

	(void)state;
	hours("So 01:00-04:00");
	A.slot_minutes = 30;
	A.horizon_days = 1;
	n = slots_list(&A, NULL, 0, sat, S, 512);
	/* 02:00 and 02:30 do not exist on 29 March */
	assert_int_equal(n, 4);
	assert_int_equal(S[0].minute, 60);
	assert_int_equal(S[0].start, 1774742400);           /* 00:00Z */
	assert_int_equal(S[1].start, 1774742400 + 1800);
	assert_int_equal(S[2].minute, 180);
	assert_int_equal(S[2].start, 1774746000);           /* 03:00 CEST */
	assert_int_equal(S[3].start, 1774746000 + 1800);
}

static void
test_october_clock_change(void **state)
{
	size_t n;
	int64_t sat = 1792843200;       /* Sat 2026-10-24 12:00 UTC */
	struct slot s;

	(void)state;
	hours("So 01:00-04:00");
	A.slot_minutes = 30;
	A.horizon_days = 1;
	n = slots_list(&A, NULL, 0, sat, S, 512);
	assert_int_equal(n, 6);
	/* 01:00 CEST = 23:00Z the day before; 02:00 is the first, summer
	 * time one; 03:00 is already winter time */
	assert_int_equal(S[0].start, 1792886400 - 3600);
	assert_int_equal(S[2].minute, 120);
	assert_int_equal(S[2].start, 1792886400);           /* 02:00 CEST */
	assert_int_equal(S[3].start, 1792886400 + 1800);
	assert_int_equal(S[4].minute, 180);
	assert_int_equal(S[4].start, 1792893600);           /* 03:00 CET */
	/* the second 02:00 (CET) is not a slot */
	assert_false(slots_find(&A, NULL, 0, sat, 1792886400 + 3600, &s));
	assert_true(slots_find(&A, NULL, 0, sat, 1792886400, &s));
	assert_int_equal(s.minute, 120);
}

static void
test_same_wall_clock_on_both_sides_of_a_change(void **state)
{
	int64_t thu = 1774598400 - DAY; /* Thu 2026-03-26 08:00Z */
	size_t n;

	(void)state;
	hours("Mo-Fr 09:00-09:20");
	A.horizon_days = 4;     /* Thursday to Monday */
	n = slots_list(&A, NULL, 0, thu, S, 512);
	/* Thu, Fri (CET, 08:00Z) and Mon (CEST, 07:00Z) at 09:00 local */
	assert_int_equal(n, 3);
	assert_int_equal(S[1].start, 1774598400);
	assert_int_equal(S[2].start, 1774854000);
	assert_int_equal(S[2].minute, 9 * 60);
}

static void
test_find(void **state)
{
	struct slot s;
	int64_t two = TUE_1300 + HOUR;  /* 14:00 today */

	(void)state;
	hours("Di 14:00-16:00");
	A.horizon_days = 7;
	assert_true(slots_find(&A, NULL, 0, TUE_1300, two, &s));
	assert_int_equal(s.end, two + 1200);
	assert_true(slots_find(&A, NULL, 0, TUE_1300, two + 7 * DAY, &s));
	/* off the grid, outside the hours, past the horizon, in the past */
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two + 600, &s));
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two + 1, &s));
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two + 2 * HOUR, &s));
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two + 14 * DAY, &s));
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two - DAY * 7, &s));
	/* too short notice, closed */
	A.notice_minutes = 120;
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two, &s));
	assert_true(slots_find(&A, NULL, 0, TUE_1300, two + HOUR, &s));
	A.closed[A.nclosed++] = 20261124;
	assert_false(slots_find(&A, NULL, 0, TUE_1300, two + HOUR, &s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_weekly_hours_make_slots, setup),
		cmocka_unit_test_setup(test_notice_and_horizon, setup),
		cmocka_unit_test_setup(test_closed_dates, setup),
		cmocka_unit_test_setup(test_march_clock_change, setup),
		cmocka_unit_test_setup(test_october_clock_change, setup),
		cmocka_unit_test_setup(
		    test_same_wall_clock_on_both_sides_of_a_change, setup),
		cmocka_unit_test_setup(test_find, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
