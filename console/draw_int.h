/*
 * draw_int: what draw.c shares with draw_agenda.c and nobody else; the
 * two files are one module (draw.h). Only these call ncurses.
 */
#ifndef KLOPF_CONSOLE_DRAW_INT_H
#define KLOPF_CONSOLE_DRAW_INT_H

#include <curses.h>

#include "state.h"

enum {
	PAIR_OPEN = 1,
	PAIR_BUSY,
	PAIR_CLOSED,
	PAIR_NEW,
	PAIR_ROOM,
	PAIR_ERROR,
	PAIR_APPT,              /* appointments */
};

/* A colour pair, or bold on a terminal without colours. */
attr_t draw_pair(int p);
/* Writes s at (y, x) in exactly w columns. */
void draw_put(int y, int x, int w, attr_t attr, const char *s);
/* Writes s right-aligned so that it ends before column x + w. */
void draw_put_right(int y, int x, int w, attr_t attr, const char *s);
/* A framed list: title, items, the chosen one reversed. It sits at the
 * bottom of the h rows from y0, so that the top of the list under it
 * stays in sight. */
void draw_list(int y0, int x0, int h, int w, const char *title,
    const char *const *items, int n, int choice);

/* The agenda view's list and details (draw_agenda.c). */
void draw_agenda(const struct con_state *st, int y0, int h, int cols,
    int64_t now);
void draw_agenda_details(const struct con_state *st, int y0, int h,
    int cols);
/* The list of free slots over the agenda while the block prompt is open. */
void draw_agenda_prompt_list(const struct con_state *st, int y0, int h,
    int x0, int w);

#endif
