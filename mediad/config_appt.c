/*
 * config_appt: the appointment settings of klopfd.conf, part of the
 * config module (config.c calls in here; both share config_int.h):
 *
 *	appointments = {
 *		hours = [ "Di 14:00-18:00", "Do 08:00-12:00" ];
 *		slot_minutes = 20;
 *		horizon_days = 28;
 *		notice_minutes = 120;
 *		closed = [ "2026-12-24", "2026-12-31" ];
 *	};
 *
 * inside an office, and "closed_dates" at the top level. Every mistake
 * is reported as FILE:LINE: what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"

int
cfg_parse_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, n = 0, md;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	md = mdays[m - 1] + (m == 2 && (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)));
	if (d > md)
		return -1;
	return y * 10000 + m * 100 + d;
}

/* A list of dates into out (at most CONFIG_MAX_CLOSED), in any order. */
static void
load_dates(struct loader *ld, const config_setting_t *s, int *out, int *n)
{
	int len;

	if (cfg_want_string_list(ld, s, "[ \"2026-12-24\", \"2026-12-31\" ]") ==
	    -1)
		return;
	if ((len = config_setting_length(s)) > CONFIG_MAX_CLOSED) {
		cfg_problem(ld, s, "at most %d closed dates", CONFIG_MAX_CLOSED);
		return;
	}
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		int date = cfg_parse_date(v);

		if (date < 0) {
			cfg_problem(ld, e, "\"%s\" is not a date written as "
			    "YYYY-MM-DD, such as \"2026-12-24\"", v);
			continue;
		}
		out[(*n)++] = date;
	}
}

void
cfg_load_closed_dates(struct loader *ld, const config_setting_t *s,
    size_t off)
{
	(void)off;
	load_dates(ld, s, ld->c->closed, &ld->c->nclosed);
}

void
cfg_load_appointments(struct loader *ld, const config_setting_t *s,
    struct config_office *o)
{
	struct config_appointments *a = &o->appt;
	char msg[CONFIG_MSG_MAX];
	bool have_hours = false;

	a->enabled = true;
	a->slot_minutes = 20;
	a->horizon_days = 28;
	a->notice_minutes = 120;
	a->early_minutes = 5;
	a->late_minutes = 15;
	if (!config_setting_is_group(s)) {
		cfg_problem(ld, s, "\"appointments\" must be a group, e.g. "
		    "{ hours = [ \"Di 14:00-18:00\" ]; }");
		a->enabled = false;
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *name = config_setting_name(e);

		if (strcmp(name, "hours") == 0) {
			have_hours = true;
			if (cfg_want_string_list(ld, e,
			    "[ \"Di 14:00-18:00\" ]") == -1)
				continue;
			for (int k = 0; k < config_setting_length(e); k++) {
				const config_setting_t *h =
				    config_setting_get_elem(e, k);

				if (config_parse_week(a->hours, a->nhours,
				    config_setting_get_string(h), msg,
				    sizeof(msg)) == -1)
					cfg_problem(ld, h, "%s", msg);
			}
		} else if (strcmp(name, "slot_minutes") == 0) {
			cfg_want_int(ld, e, 5, 480, &a->slot_minutes);
		} else if (strcmp(name, "horizon_days") == 0) {
			cfg_want_int(ld, e, 1, 365, &a->horizon_days);
		} else if (strcmp(name, "notice_minutes") == 0) {
			cfg_want_int(ld, e, 0, 20160, &a->notice_minutes);
		} else if (strcmp(name, "early_minutes") == 0) {
			cfg_want_int(ld, e, 0, 60, &a->early_minutes);
		} else if (strcmp(name, "late_minutes") == 0) {
			cfg_want_int(ld, e, 0, 240, &a->late_minutes);
		} else if (strcmp(name, "closed") == 0) {
			load_dates(ld, e, a->closed, &a->nclosed);
		} else {
			cfg_problem(ld, e, "unknown setting \"%s\" in "
			    "\"appointments\"", name);
		}
	}
	if (!have_hours)
		cfg_problem(ld, s, "\"appointments\" needs \"hours\", e.g. "
		    "hours = [ \"Di 14:00-18:00\" ];");
}

/* Appointment hours must lie inside the office's consultation hours, and
 * hold at least one slot each. */
void
cfg_appt_check(struct loader *ld, const config_setting_t *s,
    struct config_office *o)
{
	static const char *const day[] = { "So", "Mo", "Di", "Mi", "Do", "Fr",
	    "Sa" };
	const struct config_appointments *a = &o->appt;

	if (!a->enabled)
		return;
	for (int w = 0; w < 7; w++)
		for (int i = 0; i < a->nhours[w]; i++) {
			const struct config_range *r = &a->hours[w][i];
			bool inside = false;

			for (int k = 0; k < o->nhours[w]; k++)
				inside |= o->hours[w][k].start <= r->start &&
				    r->end <= o->hours[w][k].end;
			if (!inside)
				cfg_problem(ld, s, "office \"%s\": appointment "
				    "hours %s %02d:%02d-%02d:%02d are outside "
				    "its consultation hours", o->id, day[w],
				    r->start / 60, r->start % 60, r->end / 60,
				    r->end % 60);
			else if (r->end - r->start < a->slot_minutes)
				cfg_problem(ld, s, "office \"%s\": appointment "
				    "hours %s %02d:%02d-%02d:%02d are shorter "
				    "than one slot of %d minutes", o->id, day[w],
				    r->start / 60, r->start % 60, r->end / 60,
				    r->end % 60, a->slot_minutes);
		}
}
