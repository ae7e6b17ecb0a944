/*
 * action.c: the actions of the console (state_do) and the prompt
 * (state_prompt_*), split from state.c to keep each file readable; the
 * agenda's actions and prompts are in state_agenda.c. Same
 * rules as state.c: no I/O, no clock of its own, no ncurses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "state.h"
#include "state_int.h"
#include "text.h"

bool
state_need_online(struct con_state *st)
{
	if (st->conn == CON_ONLINE)
		return true;
	state_set_status(st, CON_ERROR, "Keine Verbindung zum Server – bitte warten.");
	return false;
}

static void
move_office(struct con_state *st, int delta)
{
	int mine[CON_MAX_OFFICES], n = 0, at = 0;

	for (int i = 0; i < st->noffices; i++) {
		if (!st->offices[i].mine)
			continue;
		if (strcmp(st->offices[i].id, st->current) == 0)
			at = n;
		mine[n++] = i;
	}
	if (n == 0)
		return;
	at = ((at + delta) % n + n) % n;
	text_copy(st->current, sizeof(st->current), st->offices[mine[at]].id);
	state_fix_selection(st, state_current_mut(st), 0);
}

static void
move_ticket(struct con_state *st, int how)
{
	struct con_office *o = state_current_mut(st);
	size_t idx[4096], n;
	ssize_t at = -1;

	if (o == NULL)
		return;
	n = state_visible(st, o, idx, sizeof(idx) / sizeof(idx[0]));
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (o->tickets[idx[i]].id == o->selected)
			at = (ssize_t)i;
	switch (how) {
	case CON_A_DOWN:
		at = at < 0 ? 0 : at + 1 < (ssize_t)n ? at + 1 : at;
		break;
	case CON_A_UP:
		at = at <= 0 ? 0 : at - 1;
		break;
	case CON_A_TOP:
		at = 0;
		break;
	default:
		at = (ssize_t)n - 1;
		break;
	}
	o->selected = o->tickets[idx[at]].id;
}

static void
begin_quit(struct con_state *st, int64_t now)
{
	memset(&st->prompt, 0, sizeof(st->prompt));
	if (st->conn == CON_ONLINE) {
		st->quitting = true;
		st->quit_deadline = now + CON_QUIT_WAIT_MS;
		if (state_send_request(st, proto_new("logout", NULL), CON_REQ_LOGOUT,
		    0, NULL, NULL)) {
			state_set_status(st, CON_INFO, "Abmelden …");
			return;
		}
	}
	st->quit = true;
}

void
state_interrupt(struct con_state *st, int64_t now)
{
	if (st->quitting)
		st->quit = true;
	else
		begin_quit(st, now);
}

void
state_prompt_for(struct con_state *st, enum con_prompt kind, int64_t ticket,
    const char *office, const char *name)
{
	state_wipe(&st->prompt, sizeof(st->prompt));
	st->status[0] = '\0';  /* what happened before is not about this */
	st->prompt.kind = kind;
	st->prompt.choice = -1;
	st->prompt.ticket = ticket;
	state_copy(st->prompt.ticket_office, sizeof(st->prompt.ticket_office),
	    office);
	state_copy(st->prompt.who, sizeof(st->prompt.who), name);
}

int
state_transfer_targets(const struct con_state *st, int *idx, int max)
{
	int n = 0;

	for (int i = 0; i < st->noffices && n < max; i++)
		if (strcmp(st->offices[i].id, st->prompt.ticket_office) != 0)
			idx[n++] = i;
	return n;
}

static void
open_transfer(struct con_state *st, int64_t ticket, const char *office,
    const char *name)
{
	int idx[CON_MAX_OFFICES];

	state_prompt_for(st, CON_PROMPT_TRANSFER_OFFICE, ticket, office, name);
	if (state_transfer_targets(st, idx, CON_MAX_OFFICES) == 0) {
		memset(&st->prompt, 0, sizeof(st->prompt));
		state_set_status(st, CON_ERROR, "Es gibt kein anderes Amt.");
		return;
	}
	st->prompt.choice = 0;
}

void
state_do(struct con_state *st, enum con_action a, int64_t now)
{
	const struct con_ticket *t = state_selected(st);
	const struct con_office *o = state_current(st);
	json_t *m;

	if (state_agenda_do(st, a, now))
		return;
	switch (a) {
	case CON_A_NONE:
	case CON_A_AGENDA:      /* state_agenda_do */
	case CON_A_BACK:
	case CON_A_PAGE_DOWN:
	case CON_A_PAGE_UP:
	case CON_A_CANCEL_BOOKING:
	case CON_A_BLOCK:
		break;
	case CON_A_NEXT_OFFICE:
		move_office(st, 1);
		break;
	case CON_A_PREV_OFFICE:
		move_office(st, -1);
		break;
	case CON_A_DOWN:
	case CON_A_UP:
	case CON_A_TOP:
	case CON_A_BOTTOM:
		move_ticket(st, a);
		break;
	case CON_A_PRESENCE:
		if (!state_need_online(st))
			break;
		st->chosen = st->chosen == CON_P_AWAY ? CON_P_AVAILABLE :
		    CON_P_AWAY;
		m = proto_new("presence", NULL);
		json_object_set_new(m, "presence", json_string(state_chosen_name(st)));
		state_send_request(st, m, CON_REQ_PRESENCE, st->chosen, NULL, NULL);
		break;
	case CON_A_ADMIT:
		if (!state_need_online(st))
			break;
		if (t == NULL) {
			state_set_status(st, CON_ERROR, "Niemand ausgewählt.");
			break;
		}
		if (st->has_room) {
			state_set_status(st, CON_ERROR, "Erst das laufende Gespräch "
			    "beenden (e).");
			break;
		}
		m = proto_new("admit", NULL);
		json_object_set_new(m, "ticket", json_integer((json_int_t)t->id));
		if (state_send_request(st, m, CON_REQ_ADMIT, t->id, o->id, t->name))
			state_set_status(st, CON_INFO, "Einlassen: %s …", state_who(t->name));
		break;
	case CON_A_DECLINE:
		if (!state_need_online(st))
			break;
		if (t == NULL) {
			state_set_status(st, CON_ERROR, "Niemand ausgewählt.");
			break;
		}
		state_prompt_for(st, CON_PROMPT_DECLINE, t->id, o->id, t->name);
		break;
	case CON_A_TRANSFER:
		if (!state_need_online(st))
			break;
		if (t == NULL) {
			state_set_status(st, CON_ERROR, "Niemand ausgewählt.");
			break;
		}
		open_transfer(st, t->id, o->id, t->name);
		break;
	case CON_A_TRANSFER_ROOM:
		if (!state_need_online(st))
			break;
		if (!st->has_room) {
			state_set_status(st, CON_ERROR, "Kein Gespräch offen.");
			break;
		}
		open_transfer(st, st->room.ticket, st->room.office,
		    st->room.name);
		break;
	case CON_A_END:
		if (!st->has_room) {
			state_set_status(st, CON_ERROR, "Kein Gespräch offen.");
			break;
		}
		if (!state_need_online(st))
			break;
		m = proto_new("end", NULL);
		json_object_set_new(m, "room", json_integer(
		    (json_int_t)st->room.id));
		state_send_request(st, m, CON_REQ_END, st->room.id, st->room.office,
		    st->room.name);
		break;
	case CON_A_FILTER:
		state_prompt_for(st, CON_PROMPT_FILTER, 0, NULL, NULL);
		text_copy(st->prompt.old_filter, sizeof(st->prompt.old_filter),
		    st->filter);
		text_copy(st->prompt.text, sizeof(st->prompt.old_filter),
		    st->filter);
		st->prompt.len = strlen(st->prompt.text);
		break;
	case CON_A_VIDEO:
		state_video_open(st);
		break;
	case CON_A_INVITE:
		state_invite(st);
		break;
	case CON_A_HELP:
		st->help = true;
		break;
	case CON_A_REDRAW:
		st->redraw_all = true;
		break;
	case CON_A_QUIT:
		if (st->has_room) {
			state_prompt_for(st, CON_PROMPT_QUIT, st->room.ticket,
			    st->room.office, st->room.name);
			break;
		}
		begin_quit(st, now);
		break;
	}
}

/* --- the prompt --- */

static void
filter_changed(struct con_state *st)
{
	text_copy(st->filter, sizeof(st->filter), st->prompt.text);
	state_fix_selections(st);
}

void
state_prompt_char(struct con_state *st, uint32_t cp, int64_t now)
{
	struct con_prompt_state *p = &st->prompt;
	size_t cap = sizeof(p->text);

	switch (p->kind) {
	case CON_PROMPT_NONE:
		return;
	case CON_PROMPT_QUIT:
		if (cp == 'j' || cp == 'J' || cp == 'y' || cp == 'Y')
			begin_quit(st, now);
		else if (cp == 'n' || cp == 'N')
			state_prompt_cancel(st, now);
		return;
	case CON_PROMPT_UNBLOCK:
		if (cp == 'j' || cp == 'J' || cp == 'y' || cp == 'Y')
			state_prompt_submit(st, now);
		else if (cp == 'n' || cp == 'N')
			state_prompt_cancel(st, now);
		return;
	case CON_PROMPT_TRANSFER_OFFICE:
	case CON_PROMPT_BLOCK_OFFICE:
		if (cp == 'j')
			state_prompt_move(st, 1);
		else if (cp == 'k')
			state_prompt_move(st, -1);
		return;
	case CON_PROMPT_DECLINE:
	case CON_PROMPT_TRANSFER_NOTE:
	case CON_PROMPT_CANCEL_BOOKING:
		cap = 501;      /* the protocol's 500 bytes */
		break;
	case CON_PROMPT_BLOCK_NOTE:
		cap = 201;      /* a block's note: 200 bytes */
		break;
	case CON_PROMPT_BLOCK_TIME:
		cap = 32;
		break;
	case CON_PROMPT_FILTER:
		cap = sizeof(st->filter);
		break;
	case CON_PROMPT_PASSWORD:
		break;
	}
	text_append(p->text, &p->len, cap, cp);
	if (p->kind == CON_PROMPT_FILTER)
		filter_changed(st);
}

void
state_prompt_backspace(struct con_state *st, int64_t now)
{
	(void)now;
	if (!text_backspace(st->prompt.text, &st->prompt.len))
		return;
	if (st->prompt.kind == CON_PROMPT_FILTER)
		filter_changed(st);
}

void
state_prompt_clear(struct con_state *st, int64_t now)
{
	(void)now;
	state_wipe(st->prompt.text, sizeof(st->prompt.text));
	st->prompt.len = 0;
	if (st->prompt.kind == CON_PROMPT_FILTER)
		filter_changed(st);
}

void
state_prompt_move(struct con_state *st, int delta)
{
	struct con_prompt_state *p = &st->prompt;
	int idx[CON_MAX_OFFICES], n;

	if (p->kind == CON_PROMPT_DECLINE && st->ndecline > 0) {
		if (p->choice < 0)
			p->choice = delta > 0 ? 0 : st->ndecline - 1;
		else
			p->choice = ((p->choice + delta) % st->ndecline +
			    st->ndecline) % st->ndecline;
		text_copy(p->text, 501, st->decline[p->choice]);
		p->len = strlen(p->text);
	} else if (p->kind == CON_PROMPT_TRANSFER_OFFICE) {
		n = state_transfer_targets(st, idx, CON_MAX_OFFICES);
		if (n > 0)
			p->choice = ((p->choice + delta) % n + n) % n;
	} else {
		state_agenda_prompt_move(st, delta);
	}
}

void
state_prompt_submit(struct con_state *st, int64_t now)
{
	struct con_prompt_state *p = &st->prompt;
	int idx[CON_MAX_OFFICES], n;
	json_t *m;

	switch (p->kind) {
	case CON_PROMPT_NONE:
		return;
	case CON_PROMPT_PASSWORD:
		if (p->len == 0) {
			state_set_status(st, CON_ERROR, "Bitte das Passwort eingeben.");
			return;
		}
		memcpy(st->password, p->text, sizeof(st->password));
		st->have_password = true;
		state_wipe(p, sizeof(*p));
		if (st->conn == CON_AUTH && st->welcomed)
			state_start_auth(st);
		else
			state_set_status(st, CON_INFO, "Verbinde mit %s …", st->server);
		return;
	case CON_PROMPT_DECLINE:
		if (p->len == 0) {
			state_set_status(st, CON_ERROR, "Bitte eine Nachricht eingeben "
			    "(↑/↓: fertige Nachrichten).");
			return;
		}
		if (!state_need_online(st))
			return;
		m = proto_new("decline", NULL);
		json_object_set_new(m, "ticket", json_integer(
		    (json_int_t)p->ticket));
		json_object_set_new(m, "message", json_string(p->text));
		if (state_send_request(st, m, CON_REQ_DECLINE, p->ticket,
		    p->ticket_office, p->who))
			state_set_status(st, CON_INFO, "Ablehnen: %s …", state_who(p->who));
		break;
	case CON_PROMPT_TRANSFER_OFFICE:
		n = state_transfer_targets(st, idx, CON_MAX_OFFICES);
		if (p->choice < 0 || p->choice >= n)
			return;
		text_copy(p->target, sizeof(p->target),
		    st->offices[idx[p->choice]].id);
		p->kind = CON_PROMPT_TRANSFER_NOTE;
		state_wipe(p->text, sizeof(p->text));
		p->len = 0;
		return;
	case CON_PROMPT_TRANSFER_NOTE:
		if (!state_need_online(st))
			return;
		m = proto_new("transfer", NULL);
		json_object_set_new(m, "ticket", json_integer(
		    (json_int_t)p->ticket));
		json_object_set_new(m, "office", json_string(p->target));
		if (p->len > 0)
			json_object_set_new(m, "note", json_string(p->text));
		if (state_send_request(st, m, CON_REQ_TRANSFER, p->ticket, p->target,
		    p->who))
			state_set_status(st, CON_INFO, "Weiterleiten: %s …",
			    state_who(p->who));
		break;
	case CON_PROMPT_FILTER:
		filter_changed(st);
		break;
	case CON_PROMPT_QUIT:
		state_prompt_cancel(st, now);
		return;
	case CON_PROMPT_CANCEL_BOOKING:
	case CON_PROMPT_UNBLOCK:
	case CON_PROMPT_BLOCK_OFFICE:
	case CON_PROMPT_BLOCK_TIME:
	case CON_PROMPT_BLOCK_NOTE:
		if (!state_agenda_prompt_submit(st, now))
			return;
		break;
	}
	state_wipe(p, sizeof(*p));
}

void
state_prompt_cancel(struct con_state *st, int64_t now)
{
	struct con_prompt_state *p = &st->prompt;

	switch (p->kind) {
	case CON_PROMPT_NONE:
		return;
	case CON_PROMPT_PASSWORD:
		/* Without a password there is nothing to do. */
		state_wipe(p, sizeof(*p));
		st->quit = true;
		return;
	case CON_PROMPT_FILTER:
		text_copy(st->filter, sizeof(st->filter), p->old_filter);
		state_fix_selections(st);
		break;
	case CON_PROMPT_DECLINE:
	case CON_PROMPT_TRANSFER_OFFICE:
	case CON_PROMPT_TRANSFER_NOTE:
	case CON_PROMPT_QUIT:
	case CON_PROMPT_CANCEL_BOOKING:
	case CON_PROMPT_UNBLOCK:
	case CON_PROMPT_BLOCK_OFFICE:
	case CON_PROMPT_BLOCK_TIME:
	case CON_PROMPT_BLOCK_NOTE:
		state_set_status(st, CON_INFO, "Abgebrochen.");
		break;
	}
	(void)now;
	state_wipe(p, sizeof(*p));
}

