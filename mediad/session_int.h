/*
 * session_int.h: what the parts of the session module share (session.c,
 * session_booking.c, session_mediatoken.c). Not for other modules.
 */
#ifndef KLOPF_SESSION_INT_H
#define KLOPF_SESSION_INT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "lobby.h"
#include "proto.h"
#include "room.h"
#include "store.h"
#include "token.h"
#include "web.h"

struct media;
struct invites;
struct mediatokens;
struct metrics;
struct auth;

enum role {
	ROLE_VISITOR = 0,
	ROLE_CITIZEN,
	ROLE_CLERK,
	ROLE_GUEST,
	ROLE_MEDIA,             /* media-only member: a clerk's video window */
};

struct conn {
	struct web_conn *wc;
	uint64_t serial;
	enum role role;
	uint64_t ticket;        /* citizen: bound ticket */
	uint64_t clerk;         /* clerk id (clerk, media-only) */
	uint64_t guest_room;    /* guest, media-only: the room it joined */
	char guest_name[ROOM_NAME_MAX + 1];
	bool watching;
	bool login_pending;
	json_t *login_id;       /* id of the pending login/session request */
	enum presence login_presence;
	/* clerk: its session; media-only: the session that asked for the
	 * media token it joined with */
	uint8_t session_hash[TOKEN_HASH_LEN];
	uint64_t booking;       /* the booking it looked up last, or 0 */
	int bad;
	int64_t bad_since;
};

struct session {
	const struct config *cfg;
	struct lobby *lb;
	struct store *st;
	struct auth *auth;
	GHashTable *conns;      /* &serial -> conn */
	GHashTable *by_ticket;  /* uint64 ticket -> GPtrArray of conn */
	GHashTable *by_clerk;   /* uint64 clerk -> GPtrArray of conn */
	GHashTable *watchers;   /* conn set */
	/* uint64 room -> GPtrArray of guest and media-only conn */
	GHashTable *by_room;
	struct media *media;
	struct invites *invites;
	struct mediatokens *mediatokens;
	struct metrics *mx;     /* NULL: metrics off */
	uint64_t next_serial;
	int64_t last_purge;
	GHashTable *by_booking; /* uint64 booking -> GPtrArray of conn */
	GHashTable *lookups;    /* address -> struct lookup_window */
	uint8_t addr_key[32];   /* keys the hashes of bookers' addresses */
	/* each office's next free appointment (0: none), when it was
	 * looked for (0: look again) and until when it holds */
	int64_t next_free[CONFIG_MAX_OFFICES];
	int64_t next_free_at[CONFIG_MAX_OFFICES];
	int64_t next_free_until[CONFIG_MAX_OFFICES];
};

void send_json(struct conn *c, json_t *msg);
void send_error(struct conn *c, json_t *id, const char *code,
    const char *message, bool bad);
void send_ok(struct conn *c, json_t *id);
void bind_ticket(struct session *s, struct conn *c, uint64_t ticket);
/* After a successful lobby_knock: saves, binds the ticket to c, replies
 * "knocked" with the token (then wiped, TOKEN_CHARS + 1 bytes). */
void knocked(struct session *s, struct conn *c, json_t *req_id,
    const struct lobby_time *t, uint64_t ticket, char *token);
/* Saves the lobby's effects in one transaction and pushes them. */
void apply(struct session *s, const struct lobby_time *tm, const char *actor);
/* A room as a guest or media-only member learns it on joining: id,
 * office, office_name (and office_name_en). A new object. */
json_t *room_member_json(struct session *s, const struct room *r);
void index_add(GHashTable *h, uint64_t key, struct conn *c);
guint index_del(GHashTable *h, uint64_t key, struct conn *c);
GPtrArray *index_get(GHashTable *h, uint64_t key);

/* session_booking.c: appointments (doc/protocol.md, "Appointments") */
void booking_on_slots(struct session *s, struct conn *c, struct proto_msg *m);
void booking_on_book(struct session *s, struct conn *c, struct proto_msg *m);
void booking_on_lookup(struct session *s, struct conn *c,
    struct proto_msg *m);
void booking_on_cancel(struct session *s, struct conn *c,
    struct proto_msg *m);
void booking_on_enter(struct session *s, struct conn *c, struct proto_msg *m);
void booking_on_agenda(struct session *s, struct conn *c,
    struct proto_msg *m);
void booking_on_block(struct session *s, struct conn *c, struct proto_msg *m);
/* A ticket that came from a booking changed: the booking follows it
 * (inside apply's transaction). */
void booking_follow_ticket(struct session *s, const struct ticket *t);
/* Once a minute: forget old look-up windows. */
void booking_tick(struct session *s, int64_t now);
/* The next free slot of an office at now, or 0. */
int64_t booking_next_free(struct session *s, int idx, int64_t now);

/* session_mediatoken.c: the clerk's media tokens and the media-only
 * connections they open (doc/media.md, "Media tokens") */
void mediatoken_on_request(struct session *s, struct conn *c,
    struct proto_msg *m);
void mediatoken_on_join(struct session *s, struct conn *c,
    struct proto_msg *m);
/* The clerk's connection c logs out: the unused tokens its session asked
 * for are void, and the media-only connections they opened are closed. */
void mediatoken_on_logout(struct session *s, struct conn *c);

#endif
