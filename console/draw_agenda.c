/*
 * draw_agenda: the agenda view (key g) of the draw module — the clerk's
 * bookings and blocks by day, the selected one's details, and the free
 * slots offered while blocking. Like draw.c a pure function of the state
 * and the window; nothing here changes the state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "draw_int.h"
#include "text.h"

static attr_t
state_attr(enum agenda_state s)
{
	switch (s) {
	case AGENDA_ARRIVED:
		return draw_pair(PAIR_OPEN) | A_BOLD;
	case AGENDA_NO_SHOW:
		return draw_pair(PAIR_CLOSED);
	case AGENDA_BLOCKED:
		return draw_pair(PAIR_BUSY);
	case AGENDA_DONE:
	case AGENDA_CANCELLED:
		return A_DIM;
	case AGENDA_BOOKED:
	case AGENDA_UNKNOWN:
		break;
	}
	return A_NORMAL;
}

static const char *
office_name(const struct con_state *st, const char *id)
{
	const struct con_office *o = state_office(st, id);

	return o != NULL ? o->name : id;
}

static void
draw_heading(const struct con_state *st, int y, int cols)
{
	const struct agenda *a = &st->agenda;
	char head[256], from[40], to[40];

	if (a->loaded && a->to > a->from) {
		agenda_fmt_day(a->from, a->from, from, sizeof(from));
		agenda_fmt_day(a->to - 1, a->from, to, sizeof(to));
		/* "Dienstag, 24.11.2026 · heute": the date only */
		snprintf(head, sizeof(head), " Termine %.6s bis %.10s · %zu "
		    "Einträge", strchr(from, ',') ? strchr(from, ',') + 2 : from,
		    strchr(to, ',') ? strchr(to, ',') + 2 : to, a->n);
	} else {
		snprintf(head, sizeof(head), " Termine");
	}
	draw_put(y, 0, cols, A_BOLD | A_UNDERLINE, head);
}

/* One booking's line. */
static void
draw_booking(const struct con_state *st, const struct agenda_booking *b,
    int y, int cols, int ow, bool sel)
{
	attr_t a = sel ? A_REVERSE : A_NORMAL;
	int sw = 17, nw, tw, x, rest;
	char at[16];

	rest = cols - 9 - ow - sw;
	nw = rest * 45 / 100;
	if (nw > 28)
		nw = 28;
	tw = rest - nw;
	agenda_fmt_time(b->start, at, sizeof(at));
	draw_put(y, 0, 3, a | A_BOLD, sel ? " > " : "");
	draw_put(y, 3, 6, a | (b->state == AGENDA_CANCELLED ? A_DIM : 0), at);
	/* each column but the last ends in a blank */
	x = 9;
	if (ow > 0) {
		draw_put(y, x, ow - 1, a, office_name(st, b->office));
		draw_put(y, x + ow - 1, 1, a, "");
		x += ow;
	}
	if (b->state == AGENDA_BLOCKED)
		draw_put(y, x, nw - 1, a | A_DIM, "(Sperre)");
	else
		draw_put(y, x, nw - 1, a | (b->name[0] ? 0 : A_DIM),
		    b->name[0] ? b->name : "anonym");
	draw_put(y, x + nw - 1, 1, a, "");
	x += nw;
	draw_put(y, x, tw - 1, a, b->text);
	draw_put(y, x + tw - 1, 1, a, "");
	x += tw;
	draw_put(y, x, cols - x, a | state_attr(b->state),
	    agenda_state_label(b->state));
}

void
draw_agenda(const struct con_state *st, int y0, int h, int cols,
    int64_t now)
{
	const struct agenda *a = &st->agenda;
	struct agenda_row *rows;
	int idx[CON_MAX_OFFICES], nrows, at = -1, skip, y = y0 + 1, ow = 0;
	const char *empty = NULL;

	draw_heading(st, y0, cols);
	h--;
	if (state_block_offices(st, idx, CON_MAX_OFFICES) > 1)
		ow = cols >= 100 ? 20 : 14;
	rows = calloc(a->n * 2 + 1, sizeof(*rows));
	nrows = rows != NULL ? (int)agenda_rows(a, rows, a->n * 2 + 1) : 0;
	for (int i = 0; i < nrows; i++)
		if (!rows[i].day && a->b[rows[i].booking].id == a->selected)
			at = i;
	/* Keep the selection in sight, with its day's heading if it fits. */
	skip = at < h ? 0 : at - h + 1;
	if (skip > 0 && skip == at && rows[at - 1].day)
		skip--;
	for (int i = skip; i < nrows && y < y0 + 1 + h; i++, y++) {
		char day[64];

		if (rows[i].day) {
			day[0] = ' ';
			agenda_fmt_day(rows[i].when, now / 1000, day + 1,
			    sizeof(day) - 1);
			draw_put(y, 0, cols, A_BOLD, day);
			continue;
		}
		draw_booking(st, &a->b[rows[i].booking], y, cols, ow, i == at);
	}
	free(rows);
	if (st->conn != CON_ONLINE && !a->loaded)
		empty = "   Keine Verbindung zum Server.";
	else if (state_block_offices(st, idx, CON_MAX_OFFICES) == 0 &&
	    st->noffices > 0)
		empty = "   Keines Ihrer Ämter vergibt Termine.";
	else if (!a->loaded)
		empty = "   Termine werden geladen …";
	else if (a->n == 0)
		empty = "   Keine Termine in diesen Tagen.";
	if (empty != NULL && y < y0 + 1 + h)
		draw_put(y++, 0, cols, A_DIM, empty);
	for (; y < y0 + 1 + h; y++)
		draw_put(y, 0, cols, A_NORMAL, "");
}

void
draw_agenda_details(const struct con_state *st, int y0, int h, int cols)
{
	const struct agenda_booking *b = agenda_selected(&st->agenda);
	char line[1024], when[40], end[16];
	int y = y0, nw;

	if (h <= 0)
		return;
	if (b == NULL) {
		draw_put(y++, 0, cols, A_DIM, " Kein Termin ausgewählt.");
	} else {
		const char *who = b->state == AGENDA_BLOCKED ? "Sperre" :
		    b->name[0] ? b->name : "anonym";

		agenda_fmt_when(b->start, when, sizeof(when));
		agenda_fmt_time(b->end, end, sizeof(end));
		snprintf(line, sizeof(line), " %s", who);
		draw_put(y, 0, cols, A_BOLD, line);
		nw = text_width(line);
		snprintf(line, sizeof(line), " · %s · %s–%s · %s",
		    office_name(st, b->office), when, end,
		    agenda_state_label(b->state));
		if (nw < cols)
			draw_put(y, nw, cols - nw, A_NORMAL, line);
		y++;
		if (y < y0 + h) {
			snprintf(line, sizeof(line), " %s: %s",
			    b->state == AGENDA_BLOCKED ? "Notiz" : "Anliegen",
			    b->text[0] ? b->text : "–");
			draw_put(y++, 0, cols, A_NORMAL, line);
		}
		if (y < y0 + h && b->message[0]) {
			snprintf(line, sizeof(line), " Nachricht an die Person: %s",
			    b->message);
			draw_put(y++, 0, cols, A_NORMAL, line);
		}
	}
	for (; y < y0 + h; y++)
		draw_put(y, 0, cols, A_NORMAL, "");
}

void
draw_agenda_prompt_list(const struct con_state *st, int y0, int h, int x0,
    int w)
{
	const struct agenda_slots *sl = &st->slots;
	static char shown[AGENDA_MAX_SLOTS][32];
	const char *items[AGENDA_MAX_SLOTS];
	const char *none[] = {"keine freie Zeit an diesem Tag"};
	const struct con_office *o = state_office(st, st->prompt.target);
	const char *name = o != NULL ? o->name : st->prompt.target;
	char title[256];

	if (!sl->loaded) {
		const char *wait[] = {"…"};

		draw_list(y0, x0, h, w, "Freie Zeiten werden geladen", wait, 1,
		    -1);
		return;
	}
	if (sl->date[0] != '\0')
		snprintf(title, sizeof(title), "%s: frei am %.2s.%.2s.%.4s (↑/↓; "
		    "←/→ Tag)", name, sl->date + 8, sl->date + 5, sl->date);
	else
		snprintf(title, sizeof(title), "%s: keine freien Zeiten", name);
	if (sl->nslots == 0) {
		draw_list(y0, x0, h, w, title, none, 1, -1);
		return;
	}
	for (int i = 0; i < sl->nslots; i++) {
		state_slot_text(st, i, shown[i], sizeof(shown[i]));
		items[i] = shown[i];
	}
	draw_list(y0, x0, h, w, title, items, sl->nslots, st->prompt.choice);
}
