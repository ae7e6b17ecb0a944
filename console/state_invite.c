/*
 * state_invite.c: i, a guest invitation for the open consultation
 * (doc/media.md, "invite"). klopfd makes a single-use token; the console
 * shows the whole link once, in a box that any key closes, and wipes it
 * then. Same rules as state.c: no I/O, no clock of its own, no ncurses.
 */
#include <stdio.h>
#include <string.h>

#include "agenda.h"
#include "state.h"
#include "state_int.h"
#include "text.h"

void
state_web_address(struct con_state *st, const char *web)
{
	text_copy(st->web, sizeof(st->web), web);
}

void
state_invitation_close(struct con_state *st)
{
	state_wipe(&st->invitation, sizeof(st->invitation));
}

void
state_invite(struct con_state *st)
{
	json_t *m;

	if (!st->has_room) {
		state_set_status(st, CON_ERROR, "Kein Gespräch offen: einladen "
		    "geht nur in ein laufendes Gespräch.");
		return;
	}
	if (!state_need_online(st))
		return;
	m = proto_new("invite", NULL);
	json_object_set_new(m, "room", json_integer((json_int_t)st->room.id));
	json_object_set_new(m, "ttl", json_integer(CON_INVITE_TTL_S));
	state_send_request(st, m, CON_REQ_INVITE, st->room.id, st->room.office,
	    st->room.name);
	state_set_status(st, CON_INFO, "Einladung wird erstellt …");
}

void
state_invite_reply(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, const char *code)
{
	struct con_invitation *inv = &st->invitation;
	const char *path;
	char until[16];
	int n;

	if (code != NULL) {
		state_set_status(st, CON_ERROR, "Einladen: %s",
		    state_error_text(code));
		return;
	}
	path = proto_str(m, "path");
	/* the consultation ended while the request was out: the link is
	 * void already, so it is not shown */
	if (!st->has_room || st->room.id != p->ticket ||
	    proto_int(m, "room", 0) != p->ticket || path == NULL ||
	    path[0] != '/') {
		state_set_status(st, CON_ERROR, "Einladen: das Gespräch ist "
		    "schon beendet.");
		return;
	}
	state_invitation_close(st);
	/* the web address ends in "/", the path begins with one */
	n = snprintf(inv->link, sizeof(inv->link), "%s%s", st->web,
	    st->web[0] != '\0' ? path + 1 : path);
	if (n < 0 || (size_t)n >= sizeof(inv->link)) {
		state_invitation_close(st);
		state_set_status(st, CON_ERROR, "Einladen: die Adresse des "
		    "Servers ist zu lang für einen Link.");
		return;
	}
	inv->room = p->ticket;
	inv->expires_at = proto_int(m, "expires_at", 0);
	inv->shown = true;
	agenda_fmt_time(inv->expires_at, until, sizeof(until));
	state_set_status(st, CON_INFO, "Einladung erstellt: gültig bis %s Uhr, "
	    "einmal verwendbar.", until);
}

void
state_invite_sync(struct con_state *st)
{
	if (st->invitation.shown &&
	    (!st->has_room || st->room.id != st->invitation.room))
		state_invitation_close(st);
}
