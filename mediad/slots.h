/*
 * slots: the appointment slots of an office, derived from its
 * configuration (weekly appointment hours, slot length, horizon, notice,
 * closed dates) and the time now. Nothing is stored: free slots are these
 * minus the booked ones (the store's business).
 *
 * Times are the administration's local time, the zone of the TZ
 * environment variable (klopfd sets it from "timezone"). A slot is a
 * wall-clock time on a calendar day: a time that does not exist on the
 * day clocks go forward is skipped, one that exists twice on the day
 * they go back is the first of the two. A slot lasts slot_minutes of
 * real time.
 *
 * Pure apart from the zone: no I/O, no allocation, no clock.
 */
#ifndef KLOPF_SLOTS_H
#define KLOPF_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct slot {
	int64_t start;          /* Unix time */
	int64_t end;            /* start + slot_minutes * 60 */
	int date;               /* local calendar day, yyyymmdd */
	int minute;             /* local minutes since midnight of start */
};

/*
 * Fills out (at most max) with the office's slots that may be booked at
 * now: from now + notice to the end of the local day horizon_days after
 * today, not on a closed date of the office or of global (nglobal dates),
 * in time order. Returns how many; 0 if the office takes no appointments.
 */
size_t slots_list(const struct config_appointments *a, const int *global,
    int nglobal, int64_t now, struct slot *out, size_t max);

/* Whether start is the start of such a slot at now (for a booking
 * request); fills *s if so. */
bool slots_find(const struct config_appointments *a, const int *global,
    int nglobal, int64_t now, int64_t start, struct slot *s);

#endif
