/*
 * keys: the console's key map. One table says which key does what; the
 * help bar and the help screen are generated from it, so they cannot
 * disagree with what the keys do. keys_press routes a key to the help
 * screen, the open prompt or the action of the view's table (the queue's
 * or the agenda's).
 *
 * Keys are Unicode code points for characters (Tab is '\t', Esc 27,
 * Ctrl-L 12) and CK_* codes above the Unicode range for the others; main
 * translates ncurses' codes into these, so this module needs no terminal.
 */
#ifndef KLOPF_CONSOLE_KEYS_H
#define KLOPF_CONSOLE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"

enum {
	CK_BASE = 0x110000,
	CK_UP,
	CK_DOWN,
	CK_LEFT,
	CK_RIGHT,
	CK_HOME,
	CK_END,
	CK_BTAB,              /* Shift-Tab */
	CK_ENTER,
	CK_BACKSPACE,
	CK_RESIZE,
	CK_PGUP,
	CK_PGDN,
};

#define CK_TAB '\t'
#define CK_ESC 27
#define CK_CTRL(c) ((c) & 0x1f)

struct key_binding {
	int keys[4];            /* key codes, 0 ends the list */
	const char *names;      /* as shown in the help screen */
	enum con_action action;
	const char *bar;        /* label in the help bar, NULL: not there */
	const char *help;       /* line in the help screen */
};

struct key_prompt_help {
	const char *names;
	const char *bar;        /* label in the help bar while prompting */
	const char *help;
	unsigned kinds;         /* 1 << enum con_prompt it applies to */
};

extern const struct key_binding keys_main[];
extern const size_t keys_main_count;
extern const struct key_binding keys_agenda[];  /* the agenda view */
extern const size_t keys_agenda_count;
extern const struct key_prompt_help keys_prompt[];
extern const size_t keys_prompt_count;

/* The action a key has on the main screen (CON_A_NONE if none). */
enum con_action keys_action(int key);
/* The action a key has in the agenda view. */
enum con_action keys_agenda_action(int key);
/* One key pressed. */
void keys_press(struct con_state *st, int key, int64_t now);
/*
 * The help bar for the current situation (main screen, agenda, or the
 * open prompt's keys) as "a:Herein d:Ablehnen … ?:Hilfe": entries in table
 * order while they fit in cols columns; the help entry is always kept.
 * Returns the columns used.
 */
int keys_bar(const struct con_state *st, int cols, char *out, size_t outlen);

#endif
