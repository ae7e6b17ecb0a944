/*
 * state_int: what state.c shares with action.c and nobody else. The two
 * files are one module (state.h); this header is not for other modules.
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

#endif
