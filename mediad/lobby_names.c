/*
 * lobby_names: the lobby's enums as the protocol spells them, and the
 * error codes with their plain sentences (doc/protocol.md, "Errors").
 * Part of the lobby module; no state.
 */
#include <stddef.h>
#include <string.h>

#include "lobby.h"

static const struct {
	const char *code;
	const char *text;
} errors[] = {
	[LOBBY_OK] = {"ok", "Done."},
	[LOBBY_E_UNKNOWN_OFFICE] = {"unknown_office", "There is no such office."},
	[LOBBY_E_CLOSED] = {"office_closed", "The office is closed now."},
	[LOBBY_E_QUEUE_FULL] = {"queue_full",
	    "The waiting room of this office is full."},
	[LOBBY_E_RATE_LIMITED] = {"rate_limited",
	    "Too many knocks from this address; please wait a moment."},
	[LOBBY_E_ALREADY_WAITING] = {"already_waiting",
	    "This connection already holds a ticket."},
	[LOBBY_E_NAME_NOT_ALLOWED] = {"name_not_allowed",
	    "This office is anonymous and takes no names."},
	[LOBBY_E_CONSENT_REQUIRED] = {"consent_required",
	    "The privacy notice must be accepted first."},
	[LOBBY_E_UNKNOWN_TICKET] = {"unknown_ticket", "There is no such ticket."},
	[LOBBY_E_WRONG_STATE] = {"wrong_state",
	    "The ticket or room is not in a state that allows this."},
	[LOBBY_E_NOT_YOUR_OFFICE] = {"not_your_office",
	    "You do not serve this office."},
	[LOBBY_E_IN_CONSULTATION] = {"in_consultation",
	    "You already have an open consultation; end it first."},
	[LOBBY_E_UNKNOWN_ROOM] = {"unknown_room",
	    "There is no such open consultation of yours."},
	[LOBBY_E_SAME_OFFICE] = {"same_office",
	    "The ticket is already at this office."},
	[LOBBY_E_TOO_LONG] = {"bad_message", "A text is too long."},
	[LOBBY_E_NOT_PRESENT] = {"not_present",
	    "Set your presence to available first."},
};

const char *
lobby_error_code(int err)
{
	if (err < 0 || (size_t)err >= sizeof(errors) / sizeof(errors[0]))
		return "internal";
	return errors[err].code;
}

const char *
lobby_error_text(int err)
{
	if (err < 0 || (size_t)err >= sizeof(errors) / sizeof(errors[0]))
		return "Internal error.";
	return errors[err].text;
}

static const char *const state_names[] = {
	[TICKET_WAITING] = "waiting",
	[TICKET_ADMITTED] = "admitted",
	[TICKET_DONE] = "done",
	[TICKET_DECLINED] = "declined",
	[TICKET_WITHDRAWN] = "withdrawn",
	[TICKET_EXPIRED] = "expired",
	[TICKET_TRANSFERRED] = "transferred",
};

const char *
lobby_state_name(enum ticket_state s)
{
	if ((size_t)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[s];
}

int
lobby_state_parse(const char *name, enum ticket_state *out)
{
	for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum ticket_state)i;
			return 0;
		}
	}
	return -1;
}

const char *
lobby_presence_name(enum presence p)
{
	switch (p) {
	case PRESENCE_AVAILABLE:
		return "available";
	case PRESENCE_AWAY:
		return "away";
	case PRESENCE_IN_CONSULTATION:
		return "in_consultation";
	case PRESENCE_OFFLINE:
		break;
	}
	return "offline";
}

const char *
lobby_status_name(enum office_status s)
{
	switch (s) {
	case OFFICE_OPEN:
		return "open";
	case OFFICE_BUSY:
		return "busy";
	case OFFICE_CLOSED:
		break;
	}
	return "closed";
}

bool
lobby_state_final(enum ticket_state s)
{
	return s != TICKET_WAITING && s != TICKET_ADMITTED;
}
