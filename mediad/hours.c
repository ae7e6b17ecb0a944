/*
 * hours: parses the consultation hours of an office ("Mo-Fr 08:30-12:00,
 * 13:00-15:30") into the per-weekday ranges of struct config_office.
 * Part of the config module (config_parse_hours in config.h); pure, with
 * a plain-language message for every mistake.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_int.h"

/* --- consultation hours ---------------------------------------------- */

/* Week order Monday first, as the hours are written; values are wdays. */
static const struct day_name {
	const char *de, *en;
	int wday;
} day_names[] = {
	{ "Mo", "Mo", 1 }, { "Di", "Tu", 2 }, { "Mi", "We", 3 },
	{ "Do", "Th", 4 }, { "Fr", "Fr", 5 }, { "Sa", "Sa", 6 },
	{ "So", "Su", 0 },
};

static const char *
wday_name(int wday)
{
	return day_names[(wday + 6) % 7].de;
}

/* Returns the week index (0 = Monday) of a two-letter day, or -1. */
static int
parse_day(const char *s, size_t len)
{
	int i;

	if (len != 2)
		return -1;
	for (i = 0; i < 7; i++)
		if (strncasecmp(s, day_names[i].de, 2) == 0 ||
		    strncasecmp(s, day_names[i].en, 2) == 0)
			return i;
	return -1;
}

/* Length of a dash ('-' or the UTF-8 en dash) at s, or 0. */
static size_t
dash_len(const char *s)
{
	if (s[0] == '-')
		return 1;
	if (strncmp(s, "\xe2\x80\x93", 3) == 0)
		return 3;
	return 0;
}

/* The first day of a set of wday bits in week order (Monday first). */
static int
first_wday(unsigned days)
{
	int i;

	for (i = 0; i < 6 && !(days & (1u << day_names[i].wday)); i++)
		;
	return day_names[i].wday;
}

/* Parses the day or day range token (length len) into a set of wday bits. */
static int
parse_days(const char *tok, size_t len, unsigned *days, char *msg,
    size_t msglen)
{
	size_t i, dl = 0;
	int first, last, d;

	for (i = 0; i < len && (dl = dash_len(tok + i)) == 0; i++)
		;
	first = parse_day(tok, i);
	last = i < len ? parse_day(tok + i + dl, len - i - dl) : first;
	if (first == -1 || last == -1) {
		cfg_say(msg, msglen, "bad day \"%.*s\": use Mo, Di, Mi, Do, Fr, Sa, "
		    "So (or Mo, Tu, We, Th, Fr, Sa, Su), or a range such as "
		    "Mo-Fr", (int)len, tok);
		return -1;
	}
	if (first > last) {
		cfg_say(msg, msglen, "bad day range \"%.*s\": the first day must "
		    "come before the last in the week Mo..So", (int)len, tok);
		return -1;
	}
	*days = 0;
	for (d = first; d <= last; d++)
		*days |= 1u << day_names[d].wday;
	return 0;
}

/* Parses "H:MM" or "HH:MM" at *sp into minutes; -1 if malformed,
 * -2 if hours or minutes are out of range. */
static int
parse_clock(const char **sp)
{
	const char *s = *sp;
	int h = 0, m, n = 0;

	while (n < 2 && s[n] >= '0' && s[n] <= '9')
		h = h * 10 + (s[n++] - '0');
	if (n == 0 || s[n] != ':' || s[n + 1] < '0' || s[n + 1] > '9' ||
	    s[n + 2] < '0' || s[n + 2] > '9')
		return -1;
	m = (s[n + 1] - '0') * 10 + (s[n + 2] - '0');
	*sp = s + n + 3;
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -2;
	return h * 60 + m;
}

/* Parses one time range, e.g. "08:30-12:00" (tok, length len). */
static int
parse_range(const char *tok, size_t len, struct config_range *r, char *msg,
    size_t msglen)
{
	char buf[64];
	const char *p = buf;
	size_t dl;

	if (len == 0 || len >= sizeof(buf))
		goto form;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if ((r->start = parse_clock(&p)) == -1)
		goto form;
	p += strspn(p, " \t");
	if ((dl = dash_len(p)) == 0)
		goto form;
	p += dl;
	p += strspn(p, " \t");
	if ((r->end = parse_clock(&p)) == -1 || *p != '\0')
		goto form;
	if (r->start == -2 || r->end == -2) {
		cfg_say(msg, msglen, "bad time range \"%s\": hours go from 00 to 24 "
		    "and minutes from 00 to 59", buf);
		return -1;
	}
	if (r->start == 24 * 60) {
		cfg_say(msg, msglen, "bad time range \"%s\": 24:00 can only end a "
		    "range", buf);
		return -1;
	}
	if (r->end <= r->start) {
		cfg_say(msg, msglen, "bad time range \"%s\": the end must be after "
		    "the start", buf);
		return -1;
	}
	return 0;
form:
	cfg_say(msg, msglen, "bad time range \"%.*s\": write HH:MM-HH:MM, several "
	    "ranges separated by commas, e.g. 08:30-12:00, 13:00-15:30",
	    (int)len, tok);
	return -1;
}

static int
overlap_msg(const struct config_range *a, const struct config_range *b,
    int wday, char *msg, size_t msglen)
{
	cfg_say(msg, msglen, "time ranges %02d:%02d-%02d:%02d and "
	    "%02d:%02d-%02d:%02d overlap on %s", a->start / 60, a->start % 60,
	    a->end / 60, a->end % 60, b->start / 60, b->start % 60,
	    b->end / 60, b->end % 60, wday_name(wday));
	return -1;
}

/* Checks that ranges r (count n) fit into day wday without overlap. */
static int
check_day(struct config_range hours[7][CONFIG_MAX_RANGES],
    const int nhours[7], int wday, const struct config_range *r, int n,
    char *msg, size_t msglen)
{
	int i, j;

	if (nhours[wday] + n > CONFIG_MAX_RANGES) {
		cfg_say(msg, msglen, "more than %d time ranges on %s",
		    CONFIG_MAX_RANGES, wday_name(wday));
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < nhours[wday]; j++)
			if (r[i].start < hours[wday][j].end &&
			    hours[wday][j].start < r[i].end)
				return overlap_msg(&hours[wday][j], &r[i],
				    wday, msg, msglen);
	return 0;
}

/* Inserts r into day wday, keeping the ranges sorted by start. */
static void
insert_range(struct config_range hours[7][CONFIG_MAX_RANGES], int nhours[7],
    int wday, struct config_range r)
{
	struct config_range *h = hours[wday];
	int i = nhours[wday]++;

	for (; i > 0 && h[i - 1].start > r.start; i--)
		h[i] = h[i - 1];
	h[i] = r;
}

/* Splits the text after the days at commas into sorted ranges r. */
static int
parse_ranges(const char *p, const char *spec, struct config_range *r,
    int *nr, char *msg, size_t msglen)
{
	struct config_range t;
	size_t len;
	int i;

	*nr = 0;
	for (;;) {
		p += strspn(p, " \t");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			cfg_say(msg, msglen, "bad hours \"%s\": a time range is "
			    "missing (check the commas)", spec);
			return -1;
		}
		if (*nr == CONFIG_MAX_RANGES) {
			cfg_say(msg, msglen, "bad hours \"%s\": more than %d time "
			    "ranges", spec, CONFIG_MAX_RANGES);
			return -1;
		}
		if (parse_range(p, len, &t, msg, msglen) == -1)
			return -1;
		for (i = *nr; i > 0 && r[i - 1].start > t.start; i--)
			r[i] = r[i - 1];
		r[i] = t;
		(*nr)++;
		p += strcspn(p, ",");
		if (*p == '\0')
			return 0;
		p++;
	}
}

int
config_parse_hours(struct config_office *o, const char *spec, char *msg,
    size_t msglen)
{
	return config_parse_week(o->hours, o->nhours, spec, msg, msglen);
}

int
config_parse_week(struct config_range hours[7][CONFIG_MAX_RANGES],
    int nhours[7], const char *spec, char *msg, size_t msglen)
{
	struct config_range r[CONFIG_MAX_RANGES];
	const char *p = spec + strspn(spec, " \t");
	size_t toklen = strcspn(p, " \t");
	unsigned days;
	int i, wday, nr;

	if (*p == '\0' || p[toklen] == '\0' || (*p >= '0' && *p <= '9')) {
		cfg_say(msg, msglen, "bad hours \"%s\": expected a day or day range "
		    "and times, e.g. \"Mo-Fr 08:30-12:00, 13:00-15:30\"", spec);
		return -1;
	}
	if (parse_days(p, toklen, &days, msg, msglen) == -1)
		return -1;
	if (parse_ranges(p + toklen, spec, r, &nr, msg, msglen) == -1)
		return -1;
	for (i = 1; i < nr; i++)
		if (r[i].start < r[i - 1].end)
			return overlap_msg(&r[i - 1], &r[i], first_wday(days),
			    msg, msglen);
	for (wday = 0; wday < 7; wday++)
		if ((days & (1u << wday)) &&
		    check_day(hours, nhours, wday, r, nr, msg, msglen) == -1)
			return -1;
	for (wday = 0; wday < 7; wday++)
		for (i = 0; (days & (1u << wday)) && i < nr; i++)
			insert_range(hours, nhours, wday, r[i]);
	return 0;
}

