/*
 * view: the JSON shapes of doc/protocol.md that klopfd sends: OFFICE,
 * TICKET (the citizen's view), QTICKET (the clerk's queue entry) and ROOM.
 * Pure functions of the lobby's state; each returns a new reference.
 */
#ifndef KLOPF_VIEW_H
#define KLOPF_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "lobby.h"

/* ISO 8601 local time with offset, or null for when <= 0. */
json_t *view_time(int64_t when);
json_t *view_office(const struct lobby *lb, int idx, const struct lobby_time *t);
json_t *view_offices(const struct lobby *lb, const struct lobby_time *t);
json_t *view_ticket(const struct ticket *t);
json_t *view_queue_ticket(const struct ticket *t);
json_t *view_room(const struct lobby *lb, const struct room *r);

/* The TURN/STUN servers of the configuration as RTCIceServer objects
 * ({urls, username, credential}) for the browser. */
json_t *view_ice_servers(const struct config *cfg);

#endif
