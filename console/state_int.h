/*
 * state_int: what state.c, action.c and state_agenda.c share and nobody
 * else. The three files are one module (state.h); this header is not for
 * other modules.
 */
#ifndef KLOPF_CONSOLE_STATE_INT_H
#define KLOPF_CONSOLE_STATE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/* The status line, printf-style. */
void state_set_status(struct con_state *st, enum con_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A name as shown: "anonym" for none. */
const char *state_who(const char *name);
/* text_copy that takes NULL as "". */
void state_copy(char *dst, size_t len, const char *src);
void state_wipe(void *p, size_t n);
struct con_office *state_current_mut(struct con_state *st);
/* Keeps o's selection on a visible ticket (see state.c). */
void state_fix_selection(const struct con_state *st, struct con_office *o,
    size_t from);
void state_fix_selections(struct con_state *st);
/* Queues a request (takes ownership of msg); false if too much is
 * outstanding (msg freed, status set). */
bool state_send_request(struct con_state *st, json_t *msg, enum con_req kind,
    int64_t ticket, const char *office, const char *name);
/* "available" or "away", what the clerk chose. */
const char *state_chosen_name(const struct con_state *st);
/* Logs in or continues the session once the server said welcome. */
void state_start_auth(struct con_state *st);
/* A request of this kind is outstanding. */
bool state_pending_has(const struct con_state *st, enum con_req kind);
/* Opens a prompt of this kind about ticket or booking (id, office,
 * name), wiping the old one. */
void state_prompt_for(struct con_state *st, enum con_prompt kind,
    int64_t ticket, const char *office, const char *name);
/* Refuses (status line) while not online. */
bool state_need_online(struct con_state *st);

/* --- state_agenda.c --- */

/* Asks for the agenda (or again, once the request out is answered). */
void state_agenda_refresh(struct con_state *st);
/* An action in the agenda view; false if it is not the agenda's. */
bool state_agenda_do(struct con_state *st, enum con_action a, int64_t now);
/* The reply (or error) to an agenda request: p is its pending entry. */
void state_agenda_reply(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, int64_t now);
void state_agenda_error(struct con_state *st, const struct con_pending *p,
    const char *code);
/* A queue change about an appointment: the agenda's states follow. */
void state_agenda_ticket_moved(struct con_state *st,
    const struct con_ticket *t);
/* The agenda prompts (see action.c): ↑/↓ and Enter. Submit returns true
 * when the prompt is done. */
void state_agenda_prompt_move(struct con_state *st, int delta);
bool state_agenda_prompt_submit(struct con_state *st, int64_t now);

/* --- state_video.c --- */

/* This console admitted someone: with video "auto" the window opens. */
void state_video_admitted(struct con_state *st);
/* v: open the window (again). */
void state_video_open(struct con_state *st);
/* After every change: a window whose consultation is gone is ended. */
void state_video_sync(struct con_state *st);
/* The reply (or error, code != NULL) to a media token request. */
void state_video_token(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, const char *code);

/* --- state_invite.c --- */

/* i: ask klopfd for a guest invitation into the open consultation. */
void state_invite(struct con_state *st);
/* The reply (or error, code != NULL) to it: the link is shown. */
void state_invite_reply(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, const char *code);
/* After every change: the box of a consultation that is gone closes. */
void state_invite_sync(struct con_state *st);

#endif
