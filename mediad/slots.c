/*
 * slots: see slots.h.
 */
#include "slots.h"

#include <string.h>
#include <time.h>

static bool
closed_on(const struct config_appointments *a, const int *global,
    int nglobal, int date)
{
	for (int i = 0; i < a->nclosed; i++)
		if (a->closed[i] == date)
			return true;
	for (int i = 0; i < nglobal; i++)
		if (global[i] == date)
			return true;
	return false;
}

/* Unix time of wall-clock minute on local day y-m-d; -1 if that time does
 * not exist that day (clocks went forward). Of two, the first (summer
 * time, tried first). */
static int64_t
local_time(int y, int m, int d, int minute)
{
	for (int dst = 1; dst >= 0; dst--) {
		struct tm tm;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_isdst = dst;
		t = mktime(&tm);
		if (t != (time_t)-1 && tm.tm_isdst == dst &&
		    tm.tm_mday == d && tm.tm_hour == minute / 60 &&
		    tm.tm_min == minute % 60)
			return (int64_t)t;
	}
	return -1;
}

size_t
slots_list(const struct config_appointments *a, const int *global,
    int nglobal, int64_t now, struct slot *out, size_t max)
{
	struct tm today;
	time_t tnow = (time_t)now;
	size_t n = 0;

	if (!a->enabled || max == 0)
		return 0;
	localtime_r(&tnow, &today);
	for (int day = 0; day <= a->horizon_days && n < max; day++) {
		struct tm tm;
		int date, w;

		/* noon of the day: never in a clock change */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = today.tm_year;
		tm.tm_mon = today.tm_mon;
		tm.tm_mday = today.tm_mday + day;
		tm.tm_hour = 12;
		tm.tm_isdst = -1;
		if (mktime(&tm) == (time_t)-1)
			continue;
		date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
		    tm.tm_mday;
		w = tm.tm_wday;
		if (closed_on(a, global, nglobal, date))
			continue;
		for (int r = 0; r < a->nhours[w] && n < max; r++) {
			const struct config_range *rg = &a->hours[w][r];

			for (int min = rg->start; min + a->slot_minutes <=
			    rg->end && n < max; min += a->slot_minutes) {
				int64_t t = local_time(tm.tm_year + 1900,
				    tm.tm_mon + 1, tm.tm_mday, min);

				if (t < 0 || t < now +
				    (int64_t)a->notice_minutes * 60)
					continue;
				out[n].start = t;
				out[n].end = t + (int64_t)a->slot_minutes * 60;
				out[n].date = date;
				out[n].minute = min;
				n++;
			}
		}
	}
	return n;
}

/* Whole local days from the day of a to the day of b (both Unix times). */
static int
days_between(int64_t a, int64_t b)
{
	struct tm ta, tb;
	time_t x = (time_t)a, y = (time_t)b;

	localtime_r(&x, &ta);
	localtime_r(&y, &tb);
	ta.tm_hour = tb.tm_hour = 12;
	ta.tm_min = tb.tm_min = ta.tm_sec = tb.tm_sec = 0;
	ta.tm_isdst = tb.tm_isdst = -1;
	/* noon to noon: a 23 or 25 hour day rounds right */
	return (int)((mktime(&tb) - mktime(&ta) + 43200) / 86400);
}

bool
slots_find(const struct config_appointments *a, const int *global,
    int nglobal, int64_t now, int64_t start, struct slot *s)
{
	struct tm tm;
	time_t t = (time_t)start;
	int date, min, day;

	if (!a->enabled || start < now + (int64_t)a->notice_minutes * 60)
		return false;
	day = days_between(now, start);
	if (day < 0 || day > a->horizon_days)
		return false;
	localtime_r(&t, &tm);
	date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
	min = tm.tm_hour * 60 + tm.tm_min;
	if (tm.tm_sec != 0 || closed_on(a, global, nglobal, date))
		return false;
	for (int r = 0; r < a->nhours[tm.tm_wday]; r++) {
		const struct config_range *rg = &a->hours[tm.tm_wday][r];

		if (min < rg->start || min + a->slot_minutes > rg->end ||
		    (min - rg->start) % a->slot_minutes != 0)
			continue;
		/* the second of two equal wall-clock times is no slot */
		if (local_time(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    min) != start)
			return false;
		s->start = start;
		s->end = start + (int64_t)a->slot_minutes * 60;
		s->date = date;
		s->minute = min;
		return true;
	}
	return false;
}
