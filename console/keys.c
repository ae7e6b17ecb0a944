/*
 * keys: see keys.h. Change a key here and the help bar, the help screen
 * and the man page's KEYS section (by hand) follow.
 */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

#define P(k) (1u << (k))
#define P_TEXT (P(CON_PROMPT_PASSWORD) | P(CON_PROMPT_DECLINE) | \
    P(CON_PROMPT_TRANSFER_NOTE) | P(CON_PROMPT_FILTER) | \
    P(CON_PROMPT_CANCEL_BOOKING) | P(CON_PROMPT_BLOCK_TIME) | \
    P(CON_PROMPT_BLOCK_NOTE))
#define P_LIST (P(CON_PROMPT_TRANSFER_OFFICE) | P(CON_PROMPT_BLOCK_OFFICE))
#define P_YESNO (P(CON_PROMPT_QUIT) | P(CON_PROMPT_UNBLOCK))

const struct key_binding keys_main[] = {
	{{CK_TAB, CK_RIGHT, 'l', 0}, "Tab → l", CON_A_NEXT_OFFICE, NULL,
	    "nächstes eigenes Amt"},
	{{CK_BTAB, CK_LEFT, 'h', 0}, "S-Tab ← h", CON_A_PREV_OFFICE, NULL,
	    "voriges eigenes Amt"},
	{{CK_DOWN, 'j', 0}, "↓ j", CON_A_DOWN, NULL,
	    "nächste Person in der Warteschlange"},
	{{CK_UP, 'k', 0}, "↑ k", CON_A_UP, NULL,
	    "vorige Person"},
	{{CK_HOME, 0}, "Pos1", CON_A_TOP, NULL,
	    "erste Person"},
	{{CK_END, 'G', 0}, "Ende G", CON_A_BOTTOM, NULL,
	    "letzte Person"},
	{{'a', 0}, "a", CON_A_ADMIT, "Herein",
	    "Person hereinlassen: Gespräch beginnt"},
	{{'d', 0}, "d", CON_A_DECLINE, "Ablehnen",
	    "Person ablehnen, mit Nachricht"},
	{{'t', 0}, "t", CON_A_TRANSFER, "Weiterleiten",
	    "Person an anderes Amt weiterleiten"},
	{{'T', 0}, "T", CON_A_TRANSFER_ROOM, NULL,
	    "Person im Gespräch weiterleiten"},
	{{'e', 0}, "e", CON_A_END, "Ende",
	    "laufendes Gespräch beenden"},
	{{'p', 0}, "p", CON_A_PRESENCE, "Präsenz",
	    "Präsenz: verfügbar / abwesend"},
	{{'/', 0}, "/", CON_A_FILTER, NULL,
	    "Warteschlange filtern"},
	{{'g', 0}, "g", CON_A_AGENDA, "Termine",
	    "Termine: Übersicht der Buchungen"},
	{{'v', 0}, "v", CON_A_VIDEO, NULL,
	    "Videofenster öffnen (wieder)"},
	{{'i', 0}, "i", CON_A_INVITE, NULL,
	    "Gast einladen (Link ins Gespräch)"},
	{{CK_CTRL('l'), 0}, "^L", CON_A_REDRAW, NULL,
	    "Bildschirm neu zeichnen"},
	{{'q', 0}, "q", CON_A_QUIT, "Schluss",
	    "klopf beenden (fragt bei Gespräch)"},
	{{'?', 0}, "?", CON_A_HELP, "Hilfe",
	    "diese Hilfe (jede Taste schließt)"},
};

const size_t keys_main_count = sizeof(keys_main) / sizeof(keys_main[0]);

const struct key_binding keys_agenda[] = {
	{{CK_DOWN, 'j', 0}, "↓ j", CON_A_DOWN, NULL,
	    "nächster Termin"},
	{{CK_UP, 'k', 0}, "↑ k", CON_A_UP, NULL,
	    "voriger Termin"},
	{{CK_PGDN, ' ', 0}, "Bild↓ Spc", CON_A_PAGE_DOWN, NULL,
	    "zehn Termine weiter"},
	{{CK_PGUP, 0}, "Bild↑", CON_A_PAGE_UP, NULL,
	    "zehn Termine zurück"},
	{{CK_HOME, 0}, "Pos1", CON_A_TOP, NULL,
	    "erster Termin"},
	{{CK_END, 'G', 0}, "Ende G", CON_A_BOTTOM, NULL,
	    "letzter Termin"},
	{{'x', 0}, "x", CON_A_CANCEL_BOOKING, "Absagen",
	    "Termin absagen (mit Nachricht)"},
	{{'s', 0}, "s", CON_A_BLOCK, "Sperren",
	    "eine Zeit sperren (Besprechung)"},
	{{'g', CK_ESC, 0}, "g Esc", CON_A_BACK, "Warteschlange",
	    "zurück zur Warteschlange"},
	{{'p', 0}, "p", CON_A_PRESENCE, NULL,
	    "Präsenz: verfügbar / abwesend"},
	{{'e', 0}, "e", CON_A_END, NULL,
	    "laufendes Gespräch beenden"},
	{{'v', 0}, "v", CON_A_VIDEO, NULL,
	    "Videofenster des Gesprächs öffnen"},
	{{CK_CTRL('l'), 0}, "^L", CON_A_REDRAW, NULL,
	    "neu zeichnen, Termine neu laden"},
	{{'q', 0}, "q", CON_A_QUIT, "Schluss",
	    "klopf beenden (fragt bei Gespräch)"},
	{{'?', 0}, "?", CON_A_HELP, "Hilfe",
	    "diese Hilfe (jede Taste schließt)"},
};

const size_t keys_agenda_count = sizeof(keys_agenda) / sizeof(keys_agenda[0]);

const struct key_prompt_help keys_prompt[] = {
	{"Enter", "Senden", "bestätigen", P_TEXT | P_LIST},
	{"↑ ↓", "Nachricht", "fertige Nachricht",
	    P(CON_PROMPT_DECLINE)},
	{"↑ ↓", "Zeit", "freie Zeit wählen",
	    P(CON_PROMPT_BLOCK_TIME)},
	{"← →", "Tag", "anderer Tag",
	    P(CON_PROMPT_BLOCK_TIME)},
	{"↑ ↓ j k", "Amt", "Amt wählen", P_LIST},
	{"⌫ ^U", "Löschen", "löschen / alles", P_TEXT},
	{"j n", "Ja/Nein", "ja / nein", P_YESNO},
	{"Esc", "Abbrechen", "abbrechen", P_TEXT | P_LIST | P_YESNO},
};

const size_t keys_prompt_count = sizeof(keys_prompt) / sizeof(keys_prompt[0]);

static enum con_action
table_action(const struct key_binding *t, size_t n, int key)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 4 && t[i].keys[k] != 0; k++)
			if (t[i].keys[k] == key)
				return t[i].action;
	return CON_A_NONE;
}

enum con_action
keys_action(int key)
{
	return table_action(keys_main, keys_main_count, key);
}

enum con_action
keys_agenda_action(int key)
{
	return table_action(keys_agenda, keys_agenda_count, key);
}

static void
prompt_key(struct con_state *st, int key, int64_t now)
{
	switch (key) {
	case '\n':
	case '\r':
	case CK_ENTER:
		state_prompt_submit(st, now);
		return;
	case CK_ESC:
		state_prompt_cancel(st, now);
		return;
	case 127:
	case 8:
	case CK_BACKSPACE:
		state_prompt_backspace(st, now);
		return;
	case CK_CTRL('u'):
		state_prompt_clear(st, now);
		return;
	case CK_UP:
		state_prompt_move(st, -1);
		return;
	case CK_LEFT:
		state_prompt_day(st, -1);
		return;
	case CK_RIGHT:
		state_prompt_day(st, 1);
		return;
	case CK_DOWN:
	case CK_TAB:
		state_prompt_move(st, 1);
		return;
	case CK_CTRL('l'):
		st->redraw_all = true;
		return;
	default:
		if (key >= 0x20 && key < CK_BASE)
			state_prompt_char(st, (uint32_t)key, now);
		return;
	}
}

void
keys_press(struct con_state *st, int key, int64_t now)
{
	enum con_action a;

	if (key == CK_RESIZE || key <= 0)
		return;
	if (st->help) {
		st->help = false;
		return;
	}
	if (st->invitation.shown) {
		state_invitation_close(st);
		return;
	}
	if (st->prompt.kind != CON_PROMPT_NONE) {
		prompt_key(st, key, now);
		return;
	}
	a = st->view == CON_VIEW_AGENDA ? keys_agenda_action(key) :
	    keys_action(key);
	if (a == CON_A_NONE) {
		if (key >= 0x20 && key < CK_BASE && key != ' ') {
			st->status_level = CON_INFO;
			snprintf(st->status, sizeof(st->status),
			    "Diese Taste ist nicht belegt – Hilfe mit ?");
		}
		return;
	}
	state_do(st, a, now);
}

/* Appends "key:label" (with a space before it unless first). */
static bool
bar_add(char *out, size_t outlen, size_t *o, int *w, int cols,
    const char *key, const char *label)
{
	char item[128];
	int iw;

	snprintf(item, sizeof(item), "%s%s:%s", *o ? " " : "", key, label);
	iw = text_width(item);
	if (*w + iw > cols || *o + strlen(item) + 1 > outlen)
		return false;
	memcpy(out + *o, item, strlen(item) + 1);
	*o += strlen(item);
	*w += iw;
	return true;
}

int
keys_bar(const struct con_state *st, int cols, char *out, size_t outlen)
{
	const struct key_binding *help = NULL, *table = keys_main;
	size_t o = 0, count = keys_main_count;
	int w = 0, reserve = 0;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (st->prompt.kind != CON_PROMPT_NONE) {
		for (size_t i = 0; i < keys_prompt_count; i++)
			if (keys_prompt[i].kinds & P(st->prompt.kind))
				bar_add(out, outlen, &o, &w, cols,
				    keys_prompt[i].names, keys_prompt[i].bar);
		return w;
	}
	if (st->help)
		return bar_add(out, outlen, &o, &w, cols, "Taste",
		    "Hilfe schließen") ? w : 0;
	if (st->invitation.shown)
		return bar_add(out, outlen, &o, &w, cols, "Taste",
		    "Einladung schließen") ? w : 0;
	if (st->view == CON_VIEW_AGENDA) {
		table = keys_agenda;
		count = keys_agenda_count;
	}
	for (size_t i = 0; i < count; i++) {
		if (table[i].action == CON_A_HELP) {
			help = &table[i];
			reserve = text_width(help->names) +
			    text_width(help->bar) + 2;
		}
	}
	for (size_t i = 0; i < count; i++) {
		if (table[i].bar == NULL || &table[i] == help)
			continue;
		if (!bar_add(out, outlen, &o, &w, cols - reserve,
		    table[i].names, table[i].bar))
			break;
	}
	if (help != NULL)
		bar_add(out, outlen, &o, &w, cols, help->names, help->bar);
	return w;
}
