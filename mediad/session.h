/*
 * session: the protocol of doc/protocol.md on klopfd's side. Turns
 * decoded messages into lobby events, writes the lobby's effects to the
 * store in one transaction per event, and pushes the resulting messages to
 * the right connections (a citizen's ticket, the clerks of an office, the
 * watchers of the directory).
 *
 * Owns the per-connection protocol state (role, ticket, clerk) and the
 * indexes from tickets and clerks to their connections. Never logs
 * tokens, passwords, names or topics.
 */
#ifndef KLOPF_SESSION_H
#define KLOPF_SESSION_H

#include "config.h"
#include "lobby.h"
#include "store.h"
#include "web.h"

#define SESSION_BAD_LIMIT 10    /* bad messages per minute before closing */

struct metrics;
struct session;

/* mx may be NULL (metrics off); the media counters are registered with
 * it. NULL, after logging why, if the media plane cannot start. */
struct session *session_new(const struct config *cfg, struct lobby *lb,
    struct store *st, struct metrics *mx);
void session_free(struct session *s);
/* The handlers to give web_new(), with the session as ud. */
const struct web_handlers *session_web_handlers(void);
/* Timer, once a second: lobby tick, retention, throttles. */
void session_tick(struct session *s);
/* Current time in the administration's time zone. */
void session_now(struct lobby_time *t);
/* Tests only (klopfd --test-clock FILE): from now on the clock is the
 * real time plus the seconds written in path (e.g. "7200"), read anew
 * each time; a missing file counts as 0. */
void session_set_test_clock(const char *path);
/* Loads waiting and admitted tickets and open rooms from the store into
 * the lobby; returns 0 or -1. */
int session_restore(struct session *s);

#endif
