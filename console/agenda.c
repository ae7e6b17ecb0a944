/*
 * agenda: see agenda.h. The server's agenda lists the offices one after
 * the other; here it is one list in time order. Days and times are the
 * process's local time (localtime_r, mktime), which follows TZ; main.c
 * sets TZ to the administration's zone from klopfd's welcome.
 */
#include "agenda.h"

#include <limits.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jget.h"
#include "text.h"

static const struct {
	const char *name;
	const char *label;
} states[] = {
	[AGENDA_UNKNOWN] = {"", "?"},
	[AGENDA_BOOKED] = {"booked", "gebucht"},
	[AGENDA_ARRIVED] = {"arrived", "angekommen"},
	[AGENDA_DONE] = {"done", "erledigt"},
	[AGENDA_NO_SHOW] = {"no_show", "nicht erschienen"},
	[AGENDA_CANCELLED] = {"cancelled", "abgesagt"},
	[AGENDA_BLOCKED] = {"blocked", "gesperrt"},
};

enum agenda_state
agenda_state_parse(const char *s)
{
	if (s != NULL)
		for (size_t i = 1; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(states[i].name, s) == 0)
				return (enum agenda_state)i;
	return AGENDA_UNKNOWN;
}

const char *
agenda_state_label(enum agenda_state s)
{
	if ((size_t)s >= sizeof(states) / sizeof(states[0]))
		return "?";
	return states[s].label;
}

/* --- the list --- */

static bool
booking_parse(const json_t *j, struct agenda_booking *b)
{
	const char *office = jget_str(j, "office");

	memset(b, 0, sizeof(*b));
	if (!json_is_object(j))
		return false;
	b->id = jget_int(j, "id", 0);
	b->start = jget_int(j, "start", -1);
	b->end = jget_int(j, "end", -1);
	if (b->id <= 0 || b->start < 0 || office == NULL)
		return false;
	if (b->end < b->start)
		b->end = b->start;
	text_copy(b->office, sizeof(b->office), office);
	b->state = agenda_state_parse(jget_str(j, "state"));
	text_copy(b->name, sizeof(b->name), jget_str(j, "name"));
	text_copy(b->text, sizeof(b->text), b->state == AGENDA_BLOCKED ?
	    jget_str(j, "note") : jget_str(j, "topic"));
	text_copy(b->message, sizeof(b->message), jget_str(j, "message"));
	return true;
}

static int
booking_cmp(const void *pa, const void *pb)
{
	const struct agenda_booking *a = pa, *b = pb;
	int c;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if ((c = strcmp(a->office, b->office)) != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static ssize_t
booking_index(const struct agenda *a, int64_t id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->b[i].id == id)
			return (ssize_t)i;
	return -1;
}

const struct agenda_booking *
agenda_get(const struct agenda *a, int64_t id)
{
	ssize_t i = id > 0 ? booking_index(a, id) : -1;

	return i >= 0 ? &a->b[i] : NULL;
}

const struct agenda_booking *
agenda_selected(const struct agenda *a)
{
	return agenda_get(a, a->selected);
}

void
agenda_fini(struct agenda *a)
{
	free(a->b);
	memset(a, 0, sizeof(*a));
}

int
agenda_set(struct agenda *a, const json_t *reply)
{
	const json_t *list = json_object_get(reply, "bookings");
	struct agenda_booking *nb = NULL, *old = a->b;
	int64_t sel_start = -1;
	size_t n = 0, cap = json_array_size(list);
	ssize_t at;

	if (cap > 0 && (nb = calloc(cap, sizeof(*nb))) == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		if (booking_parse(json_array_get(list, i), &nb[n]))
			n++;
	qsort(nb, n, sizeof(*nb), booking_cmp);
	if ((at = a->selected ? booking_index(a, a->selected) : -1) >= 0)
		sel_start = old[at].start;
	a->b = nb;
	a->n = n;
	free(old);
	a->from = jget_int(reply, "from", 0);
	a->to = jget_int(reply, "to", 0);
	a->loaded = true;
	/* The same booking, else the first at or after its time, else the
	 * last one; without a selection the first from now on is chosen by
	 * the caller. */
	if (a->selected && booking_index(a, a->selected) >= 0)
		return 0;
	a->selected = 0;
	for (size_t i = 0; i < n && sel_start >= 0; i++) {
		if (nb[i].start >= sel_start) {
			a->selected = nb[i].id;
			return 0;
		}
	}
	if (n > 0)
		a->selected = sel_start >= 0 ? nb[n - 1].id : nb[0].id;
	return 0;
}

void
agenda_move(struct agenda *a, int delta)
{
	ssize_t at;

	if (a->n == 0) {
		a->selected = 0;
		return;
	}
	at = booking_index(a, a->selected);
	if (delta == INT32_MIN)
		at = 0;
	else if (delta == INT32_MAX)
		at = (ssize_t)a->n - 1;
	else if (at < 0)
		at = 0;
	else
		at += delta;
	if (at < 0)
		at = 0;
	if (at >= (ssize_t)a->n)
		at = (ssize_t)a->n - 1;
	a->selected = a->b[at].id;
}

size_t
agenda_rows(const struct agenda *a, struct agenda_row *rows, size_t max)
{
	size_t k = 0;
	int64_t day = INT64_MIN;

	for (size_t i = 0; i < a->n && k < max; i++) {
		int64_t d = agenda_day_start(a->b[i].start);

		if (d != day) {
			day = d;
			rows[k++] = (struct agenda_row){true, d, 0};
			if (k == max)
				break;
		}
		rows[k++] = (struct agenda_row){false, a->b[i].start, i};
	}
	return k;
}

/* --- local time --- */

static bool
local(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return localtime_r(&tt, tm) != NULL;
}

int64_t
agenda_day_start(int64_t t)
{
	struct tm tm;

	if (!local(t, &tm))
		return t;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static const char *const weekdays[] = {"Sonntag", "Montag", "Dienstag",
    "Mittwoch", "Donnerstag", "Freitag", "Samstag"};

void
agenda_fmt_day(int64_t day, int64_t now, char *out, size_t len)
{
	struct tm tm;
	int64_t today = agenda_day_start(now);
	int64_t d = agenda_day_start(day);
	const char *rel = "";

	if (!local(day, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	if (d == today)
		rel = " · heute";
	else if (d == agenda_day_start(today + 36 * 3600))
		rel = " · morgen";
	snprintf(out, len, "%s, %02d.%02d.%04d%s", weekdays[tm.tm_wday],
	    tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, rel);
}

/* t in local time as "09:30", or with the day as "Do 26.11. 09:30". */
static void
fmt_local(int64_t t, bool day, char *out, size_t len)
{
	struct tm tm;

	if (!local(t, &tm))
		snprintf(out, len, "–");
	else if (day)
		snprintf(out, len, "%.2s %02d.%02d. %02d:%02d",
		    weekdays[tm.tm_wday], tm.tm_mday, tm.tm_mon + 1, tm.tm_hour,
		    tm.tm_min);
	else
		snprintf(out, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void
agenda_fmt_time(int64_t t, char *out, size_t len)
{
	fmt_local(t, false, out, len);
}

void
agenda_fmt_when(int64_t t, char *out, size_t len)
{
	fmt_local(t, true, out, len);
}

/* Reads 1..maxd digits at *p; false if none. */
static bool
number(const char **p, int maxd, int *out)
{
	int v = 0, n = 0;

	while (n < maxd && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0;
}

static void
skip_spaces(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* The local time y-mo-d h:mi, if it exists as written. */
static bool
make_local(int y, int mo, int d, int h, int mi, int64_t *out)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1 ||
	    tm.tm_hour != h || tm.tm_min != mi)
		return false;   /* 31.11., or a time skipped in March */
	*out = (int64_t)t;
	return true;
}

bool
agenda_parse_when(const char *s, int64_t now, int64_t *out)
{
	const char *p = s;
	struct tm today;
	int d = 0, mo = 0, y = -1, h, mi, a;
	bool date = false;

	if (s == NULL || !local(now, &today))
		return false;
	skip_spaces(&p);
	if (!number(&p, 4, &a))
		return false;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9' && strchr(p + 1, ' ')) {
		/* a date: D.M. or D.M.Y, then the time */
		date = true;
		d = a;
		p++;
		if (!number(&p, 2, &mo) || *p != '.')
			return false;
		p++;
		if (*p >= '0' && *p <= '9') {
			const char *q = p;

			if (!number(&p, 4, &y) || (p - q != 2 && p - q != 4))
				return false;
			if (p - q == 2)
				y += 2000;
		}
		skip_spaces(&p);
		if (!number(&p, 2, &h))
			return false;
	} else {
		h = a;
	}
	if (*p != ':' && *p != '.')
		return false;
	p++;
	{
		const char *q = p;

		if (!number(&p, 2, &mi) || p - q != 2)
			return false;
	}
	skip_spaces(&p);
	if (*p != '\0' || h > 23 || mi > 59 || (date && (d < 1 || d > 31 ||
	    mo < 1 || mo > 12)))
		return false;
	if (!date)
		return make_local(today.tm_year + 1900, today.tm_mon + 1,
		    today.tm_mday, h, mi, out);
	if (y >= 0)
		return make_local(y, mo, d, h, mi, out);
	/* No year: this year's, unless that day is over. */
	y = today.tm_year + 1900;
	if (mo < today.tm_mon + 1 || (mo == today.tm_mon + 1 &&
	    d < today.tm_mday))
		y++;
	return make_local(y, mo, d, h, mi, out);
}

/* --- free slots --- */

void
agenda_slots_set(struct agenda_slots *sl, const json_t *reply)
{
	const json_t *days = json_object_get(reply, "days");
	const json_t *slots = json_object_get(reply, "slots");
	size_t i;
	json_t *v;

	memset(sl, 0, sizeof(*sl));
	sl->loaded = true;
	text_copy(sl->office, sizeof(sl->office), jget_str(reply, "office"));
	text_copy(sl->date, sizeof(sl->date), jget_str(reply, "date"));
	json_array_foreach(days, i, v) {
		const char *date = jget_str(v, "date");

		if (date != NULL && strlen(date) == 10 &&
		    sl->ndays < AGENDA_MAX_DAYS)
			text_copy(sl->days[sl->ndays++], sizeof(sl->days[0]),
			    date);
	}
	json_array_foreach(slots, i, v) {
		struct agenda_slot *s = &sl->slot[sl->nslots];
		const char *time = jget_str(v, "time");

		if (sl->nslots >= AGENDA_MAX_SLOTS)
			break;
		s->start = jget_int(v, "start", -1);
		s->end = jget_int(v, "end", -1);
		if (s->start < 0 || time == NULL)
			continue;
		text_copy(s->time, sizeof(s->time), time);
		sl->nslots++;
	}
}

const char *
agenda_slots_day(const struct agenda_slots *sl, int delta)
{
	int at = -1;

	for (int i = 0; i < sl->ndays; i++)
		if (strcmp(sl->days[i], sl->date) == 0)
			at = i;
	if (at < 0)
		return sl->ndays > 0 ? sl->days[delta > 0 ? 0 :
		    sl->ndays - 1] : NULL;
	at += delta;
	return at >= 0 && at < sl->ndays ? sl->days[at] : NULL;
}
