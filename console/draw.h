/*
 * draw: the terminal. The only module that calls ncurses: it starts and
 * restores the terminal, reads keys (translated to keys.h codes) and
 * draws the screen as a function of the state and the window size.
 *
 * Layout (80x24 and up): title bar; the open consultation; the clerk's
 * offices on the left and the selected office's queue on the right; a
 * detail pane for the selected person; the status line (or the prompt);
 * the help bar. "?" replaces all of it with the help screen. In the
 * agenda view (draw_agenda.c) the bookings by day take the place of the
 * offices and the queue, the selected booking that of the person.
 */
#ifndef KLOPF_CONSOLE_DRAW_H
#define KLOPF_CONSOLE_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"

#define DRAW_MIN_ROWS 12
#define DRAW_MIN_COLS 50

/* Takes over the terminal. Returns -1 with a sentence in err if there is
 * none. */
int draw_start(char *err, size_t errlen);
/* Gives the terminal back as it was; safe to call twice or before
 * draw_start. */
void draw_stop(void);
/* The next key (keys.h codes), -1 if none is waiting, 0 for keys the
 * console does not use. */
int draw_key(void);
/* The window changed size: reads the new size from the terminal. */
void draw_resize(void);
/* Draws everything for the state at time now (ms). */
void draw_screen(const struct con_state *st, int64_t now);
/* Same, into a window of rows x cols (draw_screen uses the terminal's). */
void draw_screen_size(const struct con_state *st, int rows, int cols,
    int64_t now);
void draw_bell(void);

#endif
