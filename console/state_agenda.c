/*
 * state_agenda: the agenda view's part of the state module (state.h):
 * opening and leaving it, asking klopfd for the agenda and for free
 * slots, cancelling a booking with a message to the citizen, blocking a
 * slot and lifting a block, and what the replies change. Same rules as
 * state.c: no I/O, no clock of its own, no ncurses.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agenda.h"
#include "state.h"
#include "state_int.h"
#include "text.h"

#define LOADING "Termine werden geladen …"

void
state_agenda_refresh(struct con_state *st)
{
	json_t *m;

	if (st->conn != CON_ONLINE)
		return;
	if (state_pending_has(st, CON_REQ_AGENDA)) {
		st->agenda_again = true;
		return;
	}
	m = proto_new("agenda", NULL);
	json_object_set_new(m, "days", json_integer(CON_AGENDA_DAYS));
	state_send_request(st, m, CON_REQ_AGENDA, 0, NULL, NULL);
}

int
state_block_offices(const struct con_state *st, int *idx, int max)
{
	int n = 0;

	for (int i = 0; i < st->noffices && n < max; i++)
		if (st->offices[i].mine && st->offices[i].appointments)
			idx[n++] = i;
	return n;
}

void
state_slot_text(const struct con_state *st, int i, char *out, size_t len)
{
	const struct agenda_slots *sl = &st->slots;

	if (i < 0 || i >= sl->nslots || strlen(sl->date) != 10) {
		snprintf(out, len, "?");
		return;
	}
	/* "2026-11-26" and "09:30" → "26.11. 09:30" */
	snprintf(out, len, "%.2s.%.2s. %s", sl->date + 8, sl->date + 5,
	    sl->slot[i].time);
}

static void
open_agenda(struct con_state *st, int64_t now)
{
	st->view = CON_VIEW_AGENDA;
	st->agenda_due = now + CON_AGENDA_REFRESH_MS;
	if (!state_need_online(st))
		return;
	state_agenda_refresh(st);
	if (!st->agenda.loaded)
		state_set_status(st, CON_INFO, LOADING);
}

static void
ask_slots(struct con_state *st, const char *office, const char *date)
{
	json_t *m = proto_new("slots", NULL);

	json_object_set_new(m, "office", json_string(office));
	if (date != NULL)
		json_object_set_new(m, "date", json_string(date));
	state_send_request(st, m, CON_REQ_SLOTS, 0, office, NULL);
}

/* The second step of blocking: the time, typed or from the free slots. */
static void
open_block_time(struct con_state *st, const char *office)
{
	struct con_prompt_state *p = &st->prompt;

	p->kind = CON_PROMPT_BLOCK_TIME;
	state_wipe(p->text, sizeof(p->text));
	p->len = 0;
	p->choice = -1;
	text_copy(p->target, sizeof(p->target), office);
	memset(&st->slots, 0, sizeof(st->slots));
	ask_slots(st, office, NULL);
}

static void
open_block(struct con_state *st)
{
	const struct agenda_booking *b = agenda_selected(&st->agenda);
	int idx[CON_MAX_OFFICES], n;

	if (!state_need_online(st))
		return;
	n = state_block_offices(st, idx, CON_MAX_OFFICES);
	if (n == 0) {
		state_set_status(st, CON_ERROR, "Keines Ihrer Ämter vergibt "
		    "Termine.");
		return;
	}
	state_prompt_for(st, CON_PROMPT_BLOCK_OFFICE, 0, NULL, NULL);
	if (n == 1) {
		open_block_time(st, st->offices[idx[0]].id);
		return;
	}
	/* The office of the selected booking comes first to hand. */
	st->prompt.choice = 0;
	for (int i = 0; b != NULL && i < n; i++)
		if (strcmp(st->offices[idx[i]].id, b->office) == 0)
			st->prompt.choice = i;
}

static void
open_cancel(struct con_state *st)
{
	const struct agenda_booking *b = agenda_selected(&st->agenda);

	if (!state_need_online(st))
		return;
	if (b == NULL) {
		state_set_status(st, CON_ERROR, "Kein Termin ausgewählt.");
		return;
	}
	if (b->state != AGENDA_BOOKED && b->state != AGENDA_BLOCKED) {
		state_set_status(st, CON_ERROR, "Nur gebuchte Termine lassen sich "
		    "absagen; dieser ist %s.", agenda_state_label(b->state));
		return;
	}
	state_prompt_for(st, b->state == AGENDA_BLOCKED ? CON_PROMPT_UNBLOCK :
	    CON_PROMPT_CANCEL_BOOKING, b->id, b->office, b->name);
	st->prompt.when = b->start;
	if (b->state == AGENDA_BOOKED) {
		char when[40];

		/* shown above the prompt: which booking */
		agenda_fmt_when(b->start, when, sizeof(when));
		state_set_status(st, CON_INFO, "Termin %s bei %s: die Nachricht "
		    "erscheint auf der Buchungsseite.", when,
		    state_office(st, b->office) ? state_office(st,
		    b->office)->name : b->office);
	}
}

bool
state_agenda_do(struct con_state *st, enum con_action a, int64_t now)
{
	if (st->view != CON_VIEW_AGENDA) {
		if (a != CON_A_AGENDA)
			return false;
		open_agenda(st, now);
		return true;
	}
	switch (a) {
	case CON_A_DOWN:
		agenda_move(&st->agenda, 1);
		return true;
	case CON_A_UP:
		agenda_move(&st->agenda, -1);
		return true;
	case CON_A_PAGE_DOWN:
		agenda_move(&st->agenda, CON_AGENDA_PAGE);
		return true;
	case CON_A_PAGE_UP:
		agenda_move(&st->agenda, -CON_AGENDA_PAGE);
		return true;
	case CON_A_TOP:
		agenda_move(&st->agenda, INT32_MIN);
		return true;
	case CON_A_BOTTOM:
		agenda_move(&st->agenda, INT32_MAX);
		return true;
	case CON_A_AGENDA:
	case CON_A_BACK:
		st->view = CON_VIEW_QUEUE;
		if (strcmp(st->status, LOADING) == 0)
			st->status[0] = '\0';
		return true;
	case CON_A_CANCEL_BOOKING:
		open_cancel(st);
		return true;
	case CON_A_BLOCK:
		open_block(st);
		return true;
	case CON_A_REDRAW:
		st->redraw_all = true;
		state_agenda_refresh(st);
		return true;
	default:
		return false;
	}
}

/* Without a selection: the first booking that is not over yet. */
static void
select_upcoming(struct con_state *st, int64_t now)
{
	struct agenda *a = &st->agenda;

	for (size_t i = 0; i < a->n; i++) {
		if (a->b[i].end > now / 1000) {
			a->selected = a->b[i].id;
			return;
		}
	}
	if (a->n > 0)
		a->selected = a->b[a->n - 1].id;
}

void
state_agenda_reply(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, int64_t now)
{
	const struct agenda_booking *b;
	const struct con_office *o;
	bool first;

	switch (p->kind) {
	case CON_REQ_AGENDA:
		if (m->type != PROTO_S_AGENDA)
			break;
		first = !st->agenda.loaded;
		if (agenda_set(&st->agenda, m->root) != 0) {
			state_set_status(st, CON_ERROR, "Kein Speicher für die "
			    "Termine.");
			break;
		}
		if (first || st->agenda.selected == 0)
			select_upcoming(st, now);
		if (strcmp(st->status, LOADING) == 0)
			st->status[0] = '\0';
		if (st->agenda_again) {
			st->agenda_again = false;
			state_agenda_refresh(st);
		}
		break;
	case CON_REQ_SLOTS:
		if (m->type != PROTO_S_SLOTS ||
		    st->prompt.kind != CON_PROMPT_BLOCK_TIME ||
		    strcmp(p->office, st->prompt.target) != 0)
			break;
		agenda_slots_set(&st->slots, m->root);
		st->prompt.choice = -1;
		break;
	case CON_REQ_CANCEL_BOOKING:
		b = agenda_get(&st->agenda, p->ticket);
		if (b != NULL && b->state == AGENDA_BLOCKED)
			state_set_status(st, CON_INFO, "Sperre aufgehoben: %s",
			    p->who);
		else
			state_set_status(st, CON_INFO, "Abgesagt: %s – die Person "
			    "sieht die Nachricht.", p->who);
		state_agenda_refresh(st);
		break;
	case CON_REQ_BLOCK:
		o = state_office(st, p->office);
		state_set_status(st, CON_INFO, "Gesperrt: %s bei %s", p->who,
		    o != NULL ? o->name : p->office);
		state_agenda_refresh(st);
		break;
	default:
		break;
	}
}

void
state_agenda_error(struct con_state *st, const struct con_pending *p,
    const char *code)
{
	const char *text = state_error_text(code);

	switch (p->kind) {
	case CON_REQ_AGENDA:
		state_set_status(st, CON_ERROR, "Termine: %s", text);
		st->agenda_again = false;
		break;
	case CON_REQ_SLOTS:
		state_set_status(st, CON_ERROR, "Freie Zeiten: %s", text);
		break;
	case CON_REQ_CANCEL_BOOKING:
		if (code != NULL && strcmp(code, "wrong_state") == 0)
			text = "Der Termin ist nicht mehr gebucht.";
		state_set_status(st, CON_ERROR, "Absagen (%s): %s", p->who, text);
		state_agenda_refresh(st);
		break;
	case CON_REQ_BLOCK:
		state_set_status(st, CON_ERROR, "Sperren (%s): %s", p->who, text);
		state_agenda_refresh(st);
		break;
	default:
		break;
	}
}

void
state_agenda_ticket_moved(struct con_state *st, const struct con_ticket *t)
{
	if (t->appointment > 0 && st->view == CON_VIEW_AGENDA)
		state_agenda_refresh(st);
}

/* --- the prompts --- */

void
state_agenda_prompt_move(struct con_state *st, int delta)
{
	struct con_prompt_state *p = &st->prompt;
	int idx[CON_MAX_OFFICES], n;

	if (p->kind == CON_PROMPT_BLOCK_OFFICE) {
		n = state_block_offices(st, idx, CON_MAX_OFFICES);
		if (n > 0)
			p->choice = ((p->choice + delta) % n + n) % n;
	} else if (p->kind == CON_PROMPT_BLOCK_TIME && st->slots.nslots > 0) {
		n = st->slots.nslots;
		if (p->choice < 0)
			p->choice = delta > 0 ? 0 : n - 1;
		else
			p->choice = ((p->choice + delta) % n + n) % n;
		state_slot_text(st, p->choice, p->text, 32);
		p->len = strlen(p->text);
	}
}

void
state_prompt_day(struct con_state *st, int delta)
{
	const char *day;

	if (st->prompt.kind != CON_PROMPT_BLOCK_TIME || !st->slots.loaded)
		return;
	day = agenda_slots_day(&st->slots, delta);
	if (day == NULL) {
		state_set_status(st, CON_INFO, "Kein %s Tag mit freien Zeiten.",
		    delta > 0 ? "späterer" : "früherer");
		return;
	}
	ask_slots(st, st->prompt.target, day);
}

/* The start of the slot the block prompt means: a free slot chosen or
 * typed as listed (the server's time), else the time typed. */
static bool
block_start(struct con_state *st, int64_t now, int64_t *start)
{
	char shown[32];

	for (int i = 0; i < st->slots.nslots; i++) {
		state_slot_text(st, i, shown, sizeof(shown));
		if (strcmp(shown, st->prompt.text) == 0) {
			*start = st->slots.slot[i].start;
			return true;
		}
	}
	return agenda_parse_when(st->prompt.text, now / 1000, start);
}

bool
state_agenda_prompt_submit(struct con_state *st, int64_t now)
{
	struct con_prompt_state *p = &st->prompt;
	char when[40], who[CON_NAME];
	int idx[CON_MAX_OFFICES], n;
	const struct con_office *o;
	json_t *m;

	switch (p->kind) {
	case CON_PROMPT_CANCEL_BOOKING:
	case CON_PROMPT_UNBLOCK:
		if (p->kind == CON_PROMPT_CANCEL_BOOKING && p->len == 0) {
			state_set_status(st, CON_ERROR, "Bitte eine Nachricht an "
			    "die Person eingeben.");
			return false;
		}
		if (!state_need_online(st))
			return false;
		agenda_fmt_when(p->when, when, sizeof(when));
		m = proto_new("cancel_booking", NULL);
		json_object_set_new(m, "booking", json_integer(
		    (json_int_t)p->ticket));
		if (p->kind == CON_PROMPT_CANCEL_BOOKING) {
			json_object_set_new(m, "message", json_string(p->text));
			snprintf(who, sizeof(who), "%s, %s", state_who(p->who),
			    when);
		} else {
			snprintf(who, sizeof(who), "%s", when);
		}
		if (state_send_request(st, m, CON_REQ_CANCEL_BOOKING, p->ticket,
		    p->ticket_office, who))
			state_set_status(st, CON_INFO, "%s: %s …",
			    p->kind == CON_PROMPT_UNBLOCK ? "Sperre aufheben" :
			    "Absagen", who);
		return true;
	case CON_PROMPT_BLOCK_OFFICE:
		n = state_block_offices(st, idx, CON_MAX_OFFICES);
		if (p->choice >= 0 && p->choice < n)
			open_block_time(st, st->offices[idx[p->choice]].id);
		return false;
	case CON_PROMPT_BLOCK_TIME:
		if (!block_start(st, now, &p->when)) {
			state_set_status(st, CON_ERROR, "Die Zeit bitte als TT.MM. "
			    "HH:MM eingeben, z. B. 26.11. 09:30 (↑/↓: freie "
			    "Zeiten).");
			return false;
		}
		agenda_fmt_when(p->when, when, sizeof(when));
		o = state_office(st, p->target);
		state_set_status(st, CON_INFO, "Sperren: %s bei %s", when,
		    o != NULL ? o->name : p->target);
		p->kind = CON_PROMPT_BLOCK_NOTE;
		state_wipe(p->text, sizeof(p->text));
		p->len = 0;
		return false;
	case CON_PROMPT_BLOCK_NOTE:
		if (!state_need_online(st))
			return false;
		agenda_fmt_when(p->when, when, sizeof(when));
		m = proto_new("block_slot", NULL);
		json_object_set_new(m, "office", json_string(p->target));
		json_object_set_new(m, "start", json_integer(
		    (json_int_t)p->when));
		if (p->len > 0)
			json_object_set_new(m, "note", json_string(p->text));
		if (state_send_request(st, m, CON_REQ_BLOCK, p->when, p->target,
		    when))
			state_set_status(st, CON_INFO, "Sperren: %s …", when);
		return true;
	default:
		return true;
	}
}
