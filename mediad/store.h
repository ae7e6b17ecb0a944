/*
 * store: klopfd's persistent state in one sqlite file (WAL, foreign keys
 * on, numbered schema migrations in code). Tickets, rooms, clerk
 * accounts, clerk sessions and the audit trail.
 *
 * The only module that touches sqlite. It never decides anything: the
 * lobby decides, the store writes. Several processes may open the same
 * file (the daemon and "klopfd user ..."); writers wait up to 5 s for each
 * other (busy timeout). Tokens are stored only as SHA-256 hashes.
 */
#ifndef KLOPF_STORE_H
#define KLOPF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lobby.h"

#define STORE_FILE "klopf.db"
#define STORE_SCHEMA_VERSION 2  /* latest migration; see store.c */
#define STORE_USER_MAX 64       /* clerk name: [a-z0-9._-], 1..64 chars */
#define STORE_MAX_CLERK_OFFICES CONFIG_MAX_OFFICES

enum store_err {
	STORE_OK = 0,
	STORE_E_IO = -1,        /* sqlite failed; message logged */
	STORE_E_EXISTS = -2,    /* clerk name taken */
	STORE_E_NOTFOUND = -3,  /* no such clerk / session */
	STORE_E_TAKEN = -4,     /* the slot is booked already */
};

struct store;

struct store_clerk {
	uint64_t id;
	char name[STORE_USER_MAX + 1];
	char pwhash[256];
	char offices[STORE_MAX_CLERK_OFFICES][CONFIG_ID_MAX + 1];
	int noffices;
	int64_t created_at;
};

/* Opens (creating if needed) DIR/klopf.db, creating DIR (mode 0700) if it
 * does not exist, and runs pending migrations. Returns NULL and writes a
 * sentence to err on failure. */
struct store *store_open(const char *dir, char *err, size_t errlen);
void store_close(struct store *st);
/* The schema version the file is at (for the tests). */
int store_schema_version(struct store *st);

/* One write transaction around a lobby event and its effects
 * (BEGIN IMMEDIATE ... COMMIT). */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* --- tickets and rooms --- */

/* Inserts or replaces the row of t (by id). */
int store_ticket_save(struct store *st, const struct ticket *t);
/* Removes a ticket row (anonymous offices after the consultation). Rooms
 * pointing at it keep their row with ticket NULL. */
int store_ticket_delete(struct store *st, uint64_t id);
int store_room_save(struct store *st, const struct room *r);
/* Calls fn for every waiting or admitted ticket, in id order. The ticket
 * passed is valid only during the call (strings included). Returns
 * STORE_OK or STORE_E_IO; stops early when fn returns non-zero. */
int store_tickets_active(struct store *st,
    int (*fn)(void *ud, const struct ticket *t), void *ud);
/* Calls fn for every room not yet closed. */
int store_rooms_open(struct store *st,
    int (*fn)(void *ud, const struct room *r), void *ud);
/* Highest ticket id, room id and ticket seq ever stored (0 if none). */
int store_max_ids(struct store *st, uint64_t *ticket, uint64_t *room,
    uint64_t *seq);
/* Retention: clears name, topic and message of tickets that ended before
 * `before` and deletes rows of finished tickets at anonymous offices
 * (is_anonymous(office id) true). Returns the number of rows touched, or
 * STORE_E_IO. */
int store_purge(struct store *st, int64_t before,
    bool (*is_anonymous)(void *ud, const char *office), void *ud);

/* --- clerk accounts --- */

/* Is name a valid clerk name ([a-z0-9._-], 1..STORE_USER_MAX chars)?
 * store_clerk_add refuses others (STORE_E_IO, logged). */
bool store_clerk_name_valid(const char *name);

int store_clerk_add(struct store *st, const char *name, const char *pwhash,
    const char *const *offices, int noffices, int64_t now);
int store_clerk_del(struct store *st, const char *name);
int store_clerk_passwd(struct store *st, const char *name,
    const char *pwhash);
int store_clerk_get(struct store *st, const char *name,
    struct store_clerk *out);
int store_clerk_get_id(struct store *st, uint64_t id,
    struct store_clerk *out);
/* Calls fn for every clerk, ordered by name. */
int store_clerk_list(struct store *st,
    int (*fn)(void *ud, const struct store_clerk *c), void *ud);

/* --- clerk sessions (token hashes) --- */

int store_session_add(struct store *st, const uint8_t *hash, size_t hlen,
    uint64_t clerk_id, int64_t expires_at);
/* STORE_OK and *clerk_id if the session exists and has not expired. */
int store_session_get(struct store *st, const uint8_t *hash, size_t hlen,
    int64_t now, uint64_t *clerk_id);
int store_session_del(struct store *st, const uint8_t *hash, size_t hlen);
/* Deletes expired sessions; returns how many, or STORE_E_IO. */
int store_session_purge(struct store *st, int64_t now);

/* --- audit trail: what happened, never personal data or tokens --- */

int store_audit(struct store *st, int64_t at, const char *actor,
    const char *action, const char *office, uint64_t ticket, uint64_t room);

/* The open database, for the store's other files (store_booking.c). */
struct sqlite3;
struct sqlite3 *store_db(struct store *st);

#endif
