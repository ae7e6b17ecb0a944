/*
 * agenda: the clerk's appointments as the console holds them — the
 * bookings and blocks of an `agenda` reply in time order, grouped into
 * local days for the agenda view, the selection in it, the free slots of
 * a `slots` reply for blocking one, and the German words and times shown
 * for them. Also reads a time the clerk types ("26.11. 09:30").
 *
 * Pure: no I/O, no clock (now is an argument), no ncurses. Local time
 * is the process's time zone (TZ), which should be the administration's
 * (klopfd.conf `timezone`). Owns the bookings' memory.
 */
#ifndef KLOPF_CONSOLE_AGENDA_H
#define KLOPF_CONSOLE_AGENDA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENDA_OFFICE_ID 33     /* as CON_OFFICE_ID */
#define AGENDA_NAME 130
#define AGENDA_TEXT 260         /* topics and notes: 200 bytes */
#define AGENDA_MESSAGE 504      /* the office's message: 500 bytes */
#define AGENDA_MAX_SLOTS 512    /* free slots of one day */
#define AGENDA_MAX_DAYS 64      /* days with slots in the horizon */

enum agenda_state {
	AGENDA_UNKNOWN = 0,
	AGENDA_BOOKED,
	AGENDA_ARRIVED,
	AGENDA_DONE,
	AGENDA_NO_SHOW,
	AGENDA_CANCELLED,
	AGENDA_BLOCKED,
};

struct agenda_booking {
	int64_t id;
	char office[AGENDA_OFFICE_ID];
	int64_t start;          /* Unix seconds */
	int64_t end;
	enum agenda_state state;
	char name[AGENDA_NAME];         /* "" = none (anonym) */
	char text[AGENDA_TEXT];         /* the topic, or a block's note */
	char message[AGENDA_MESSAGE];   /* the office's cancellation message */
};

struct agenda {
	bool loaded;            /* an agenda reply arrived */
	int64_t from;           /* the span asked for, Unix seconds */
	int64_t to;
	struct agenda_booking *b;       /* by start, then office */
	size_t n;
	int64_t selected;       /* booking id, 0 = none */
};

/* One line of the agenda view: a day's heading or a booking. */
struct agenda_row {
	bool day;
	int64_t when;           /* the day's local midnight, or the start */
	size_t booking;         /* index into b (not for day rows) */
};

struct agenda_slot {
	int64_t start;
	int64_t end;
	char time[8];           /* "09:30", the server's local time */
};

/* The free slots of one office and day, from a `slots` reply. */
struct agenda_slots {
	bool loaded;
	char office[AGENDA_OFFICE_ID];
	char date[11];          /* "2026-11-26", "" = no free day */
	char days[AGENDA_MAX_DAYS][11]; /* days with free slots */
	int ndays;
	struct agenda_slot slot[AGENDA_MAX_SLOTS];
	int nslots;
};

void agenda_fini(struct agenda *a);
/* Replaces the list with an agenda reply's (from, to, bookings); entries
 * of the wrong shape are left out. Keeps the selection on the same
 * booking, or on the nearest one. Returns -1 (list unchanged) if memory
 * runs out. */
int agenda_set(struct agenda *a, const json_t *reply);
const struct agenda_booking *agenda_get(const struct agenda *a, int64_t id);
/* The selected booking, or NULL. */
const struct agenda_booking *agenda_selected(const struct agenda *a);
/* Moves the selection by delta bookings (clamped); INT32_MIN/INT32_MAX
 * go to the first and the last. */
void agenda_move(struct agenda *a, int delta);
/* The lines of the view: each local day that has bookings, then its
 * bookings. Returns how many (at most max). */
size_t agenda_rows(const struct agenda *a, struct agenda_row *rows,
    size_t max);

enum agenda_state agenda_state_parse(const char *s);
/* Plain German: gebucht, angekommen, erledigt, nicht erschienen,
 * abgesagt, gesperrt. */
const char *agenda_state_label(enum agenda_state s);

/* Local midnight of the day of t. */
int64_t agenda_day_start(int64_t t);
/* "Donnerstag, 26.11.2026", with " · heute" or " · morgen" relative to
 * now (seconds). */
void agenda_fmt_day(int64_t day, int64_t now, char *out, size_t len);
/* "09:30" in local time. */
void agenda_fmt_time(int64_t t, char *out, size_t len);
/* "Do 26.11. 09:30" in local time. */
void agenda_fmt_when(int64_t t, char *out, size_t len);
/*
 * Reads a time the clerk typed: "26.11. 09:30", "26.11.2026 9:30",
 * "26.11.26 09.30", or only "09:30" for today. A date without a year is
 * the next such date from now on (a day already past means next year).
 * Returns false if it is not such a time or no such local time exists.
 */
bool agenda_parse_when(const char *s, int64_t now, int64_t *out);

/* Fills sl from a `slots` reply. */
void agenda_slots_set(struct agenda_slots *sl, const json_t *reply);
/* The day before (-1) or after (+1) sl->date among sl->days, or NULL. */
const char *agenda_slots_day(const struct agenda_slots *sl, int delta);

#endif
