/*
 * lobby: the domain core of klopfd. Offices, clerk presence, tickets
 * (knocks), the waiting queues and rooms (consultations).
 *
 * Pure: no I/O, no clock, no randomness. The shell (session.c) passes the
 * time in, calls one event function, then takes the effects the lobby
 * produced (messages to push, rows to save) and carries them out. Every
 * rule of the queue is therefore unit-tested without sockets.
 *
 * Hot path: knock/admit/withdraw are O(queue length) at one office (the
 * queue is bounded by limits.max_queue); lookups by id or token are hash
 * maps.
 */
#ifndef KLOPF_LOBBY_H
#define KLOPF_LOBBY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define LOBBY_NAME_MAX 64       /* display name, bytes of UTF-8 */
#define LOBBY_TOPIC_MAX 200     /* topic, bytes of UTF-8 */
#define LOBBY_MESSAGE_MAX 500   /* decline message or transfer note */
#define LOBBY_TOKEN_HASH 32     /* SHA-256 of a ticket token */
#define LOBBY_FINAL_KEEP_S 600  /* a finished ticket stays visible this long */
#define LOBBY_APPOINTMENT_PRIORITY 1 /* an arrived appointment whose slot began */

enum presence {
	PRESENCE_OFFLINE = 0,
	PRESENCE_AVAILABLE,
	PRESENCE_AWAY,
	PRESENCE_IN_CONSULTATION,
};

enum office_status {
	OFFICE_CLOSED = 0,
	OFFICE_OPEN,
	OFFICE_BUSY,
};

enum ticket_state {
	TICKET_WAITING = 0,
	TICKET_ADMITTED,
	TICKET_DONE,
	TICKET_DECLINED,
	TICKET_WITHDRAWN,
	TICKET_EXPIRED,
	TICKET_TRANSFERRED,
};

/* Result of every event function. lobby_error_code() gives the protocol's
 * machine-readable name, lobby_error_text() a plain sentence. */
enum lobby_err {
	LOBBY_OK = 0,
	LOBBY_E_UNKNOWN_OFFICE,
	LOBBY_E_CLOSED,
	LOBBY_E_QUEUE_FULL,
	LOBBY_E_RATE_LIMITED,
	LOBBY_E_ALREADY_WAITING,
	LOBBY_E_NAME_NOT_ALLOWED,
	LOBBY_E_CONSENT_REQUIRED,
	LOBBY_E_UNKNOWN_TICKET,
	LOBBY_E_WRONG_STATE,
	LOBBY_E_NOT_YOUR_OFFICE,
	LOBBY_E_IN_CONSULTATION,
	LOBBY_E_UNKNOWN_ROOM,
	LOBBY_E_SAME_OFFICE,
	LOBBY_E_TOO_LONG,
	LOBBY_E_NOT_PRESENT,
};

/* The time of an event: now in Unix seconds, and the administration's
 * local weekday (0 = Sunday, as struct tm) and minute of the day, which
 * the shell computes in the configured time zone. */
struct lobby_time {
	int64_t now;
	int wday;
	int minute;
};

struct ticket {
	uint64_t id;
	uint8_t token_hash[LOBBY_TOKEN_HASH];
	bool has_token;             /* false once the token moved on (transfer) */
	char office[CONFIG_ID_MAX + 1];
	int office_idx;             /* index into the configuration's offices */
	enum ticket_state state;
	char *name;                 /* NULL if none; never at anonymous offices */
	char *topic;                /* NULL if none */
	char *message;              /* decline message or transfer note, or NULL */
	char lang[8];               /* the citizen's language, "de" or "en", ... */
	int64_t knocked_at;         /* when the citizen first knocked (kept over transfers) */
	int64_t updated_at;         /* last state change */
	uint64_t seq;               /* arrival order, tie break */
	int priority;               /* 0 walk-in; higher goes first (appointments) */
	uint64_t booking;           /* the appointment it came from, or 0 */
	int64_t appointment_at;     /* that slot's start: priority from then on */
	uint64_t transferred_from;  /* ticket id at the previous office, or 0 */
	uint64_t transferred_to;    /* new ticket id after a transfer, or 0 */
	uint64_t room;              /* room id once admitted, else 0 */
	int64_t disconnected_at;    /* 0 while the citizen is connected */
	/* derived, kept up to date by the lobby while waiting: */
	int position;               /* 1-based queue position, 0 if not waiting */
	int64_t wait_s;             /* estimated wait in seconds, -1 unknown */
};

struct room {
	uint64_t id;
	char office[CONFIG_ID_MAX + 1];
	int office_idx;
	uint64_t clerk_id;
	uint64_t ticket_id;
	int64_t opened_at;
	int64_t closed_at;          /* 0 while open */
};

/* Live view of one office, as the directory and /api/offices show it. */
struct lobby_office_view {
	enum office_status status;
	bool in_hours;              /* inside consultation hours now */
	int queue_len;              /* waiting tickets */
	int clerks_present;         /* available or in consultation */
	int clerks_available;
	int64_t wait_s;             /* estimate for someone knocking now; -1 unknown */
	int64_t opens_at;           /* next opening as Unix time if not in hours, else 0;
	                               -1 if the office has no hours at all */
};

enum lobby_fx_kind {
	LOBBY_FX_TICKET,        /* ticket's state changed: save it; push it to
	                           its citizen */
	LOBBY_FX_POSITION,      /* only position or estimate changed: push it */
	LOBBY_FX_QUEUE_ADD,     /* ticket entered office's queue at .position */
	LOBBY_FX_QUEUE_REMOVE,  /* ticket left office's queue */
	LOBBY_FX_OFFICE,        /* office view changed: push to watchers and clerks */
	LOBBY_FX_ROOM_OPEN,     /* room opened: save; tell clerk */
	LOBBY_FX_ROOM_CLOSE,    /* room closed: save; tell clerk */
	LOBBY_FX_PRESENCE,      /* a clerk's presence changed: tell that clerk */
	LOBBY_FX_FORGET,        /* finished ticket dropped from memory */
};

struct lobby_fx {
	enum lobby_fx_kind kind;
	int office;             /* office index, or -1 */
	uint64_t ticket;        /* ticket id, or 0 */
	uint64_t room;          /* room id, or 0 */
	uint64_t clerk;         /* clerk id, or 0 */
	int position;           /* for QUEUE_ADD */
};

struct lobby;

/* The lobby borrows cfg; it must outlive the lobby. */
struct lobby *lobby_new(const struct config *cfg);
void lobby_free(struct lobby *lb);

/* --- restore after a restart (no effects are produced) --- */

/* Copies t (waiting or admitted) into the lobby. A ticket whose office no
 * longer exists is refused with LOBBY_E_UNKNOWN_OFFICE; the caller marks it
 * expired. Restored tickets count as disconnected since `now`, so each
 * gets the grace period to come back. */
int lobby_restore_ticket(struct lobby *lb, const struct ticket *t, int64_t now);
int lobby_restore_room(struct lobby *lb, const struct room *r);
/* Next ids to hand out; call after restoring, with max(stored) + 1. */
void lobby_set_next_ids(struct lobby *lb, uint64_t ticket, uint64_t room,
    uint64_t seq);

/* --- citizen events --- */

struct lobby_knock {
	const char *office;     /* office id */
	const char *name;       /* optional, NULL or "" for none */
	const char *topic;      /* optional */
	const char *lang;       /* optional, default "de" */
	bool consent;           /* privacy notice accepted */
	const uint8_t *token_hash; /* LOBBY_TOKEN_HASH bytes, fresh per knock */
	const char *addr;       /* client address, for the knock rate limit */
	/* An appointment that arrives (booking != 0) goes ahead of walk-ins
	 * from appointment_at on (at once if that has begun), and is not
	 * held back by the knock rate, a full queue or the hours (its slot
	 * lies in them). 0 for a walk-in. */
	uint64_t booking;
	int64_t appointment_at;
};

int lobby_knock(struct lobby *lb, const struct lobby_time *t,
    const struct lobby_knock *k, uint64_t *ticket_id);
/* A citizen's connection presents its token again. Finds the ticket (also
 * a finished one still in memory), marks it connected. */
int lobby_resume(struct lobby *lb, const struct lobby_time *t,
    const uint8_t *token_hash, uint64_t *ticket_id);
/* The citizen's last connection closed; its grace period starts. */
void lobby_citizen_gone(struct lobby *lb, const struct lobby_time *t,
    uint64_t ticket_id);
int lobby_withdraw(struct lobby *lb, const struct lobby_time *t,
    uint64_t ticket_id);

/* --- clerk events --- */

/* A clerk's first connection logged in. offices are office ids from the
 * store; unknown ones are ignored. presence is AVAILABLE or AWAY. */
int lobby_clerk_online(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, const char *name, const char *const *offices,
    int noffices, enum presence presence);
/* The clerk's last connection closed. Open rooms stay open. */
void lobby_clerk_offline(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id);
/* office NULL = all of the clerk's offices. p is AVAILABLE or AWAY. */
int lobby_set_presence(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, const char *office, enum presence p);
int lobby_admit(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, uint64_t ticket_id, uint64_t *room_id);
int lobby_decline(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, uint64_t ticket_id, const char *message);
int lobby_transfer(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, uint64_t ticket_id, const char *office,
    const char *note, uint64_t *new_ticket_id);
int lobby_end(struct lobby *lb, const struct lobby_time *t,
    uint64_t clerk_id, uint64_t room_id);

/* Timer: expires citizens gone longer than the grace period, forgets old
 * finished tickets, notices offices opening and closing by the hours. */
void lobby_tick(struct lobby *lb, const struct lobby_time *t);

/* --- effects --- */

/* Borrowed array of the effects since the last lobby_effects_clear(). */
const struct lobby_fx *lobby_effects(const struct lobby *lb, size_t *n);
void lobby_effects_clear(struct lobby *lb);

/* --- queries (borrowed pointers, valid until the next event) --- */

const struct ticket *lobby_ticket(const struct lobby *lb, uint64_t id);
const struct room *lobby_room(const struct lobby *lb, uint64_t id);
int lobby_office_count(const struct lobby *lb);
int lobby_office_index(const struct lobby *lb, const char *id);
const struct config_office *lobby_office_config(const struct lobby *lb,
    int idx);
void lobby_office_view(const struct lobby *lb, int idx,
    const struct lobby_time *t, struct lobby_office_view *v);
/* The waiting tickets of an office in queue order; returns the count. */
size_t lobby_queue(const struct lobby *lb, int idx,
    const struct ticket *const **out);
/* Clerk presence at one office (OFFLINE if not a clerk of it). */
enum presence lobby_presence(const struct lobby *lb, uint64_t clerk_id,
    int office_idx);
/* The clerk's open room id, or 0. */
uint64_t lobby_clerk_room(const struct lobby *lb, uint64_t clerk_id);
/* Is the clerk assigned to this office (and online)? */
bool lobby_clerk_serves(const struct lobby *lb, uint64_t clerk_id,
    int office_idx);

/* After LOBBY_E_RATE_LIMITED: seconds until the address may knock again. */
int lobby_retry_after(const struct lobby *lb);

const char *lobby_error_code(int err);
const char *lobby_error_text(int err);
const char *lobby_state_name(enum ticket_state s);
int lobby_state_parse(const char *name, enum ticket_state *out);
const char *lobby_presence_name(enum presence p);
const char *lobby_status_name(enum office_status s);
bool lobby_state_final(enum ticket_state s);

#endif
