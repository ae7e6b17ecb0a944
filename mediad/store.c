/*
 * store: klopfd's sqlite file; see store.h for the contract.
 *
 * Owns the one sqlite connection of its process and every prepared
 * statement (prepared once in store_open, reset after each use). Schema
 * changes are the numbered migrations below; PRAGMA user_version records
 * how many have been applied. Must never decide anything about tickets or
 * rooms, and must never log names, topics, messages, tokens or password
 * hashes: log lines carry only what failed and sqlite's reason.
 *
 * Integer references that mean "none" when 0 (ticket room, transfer ids,
 * disconnected_at, room clerk, room ticket, closed_at) are stored as NULL.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "log.h"

#define STORE_BUSY_MS 5000
#define CLERK_PWHASH_SIZE sizeof(((struct store_clerk *)0)->pwhash)

/*
 * Migrations: entry i brings the file from version i to i + 1. Append
 * only; never edit one that has shipped.
 */
static const char *const migrations[] = {
	/* 1: clerks, sessions, tickets, rooms, audit */
	"CREATE TABLE clerks ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE NOT NULL,"
	"  pwhash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE clerk_offices ("
	"  clerk_id INTEGER NOT NULL REFERENCES clerks(id) ON DELETE CASCADE,"
	"  office TEXT NOT NULL,"
	"  PRIMARY KEY (clerk_id, office)) WITHOUT ROWID;"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  clerk_id INTEGER NOT NULL REFERENCES clerks(id) ON DELETE CASCADE,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_clerk ON sessions(clerk_id);"
	"CREATE INDEX sessions_expires ON sessions(expires_at);"
	/* AUTOINCREMENT: sqlite_sequence remembers the highest id ever
	 * stored, so ids of deleted (anonymous) tickets are never reused. */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  token_hash BLOB UNIQUE,"
	"  office TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('waiting', 'admitted',"
	"    'done', 'declined', 'withdrawn', 'expired', 'transferred')),"
	"  name TEXT,"
	"  topic TEXT,"
	"  message TEXT,"
	"  lang TEXT NOT NULL,"
	"  knocked_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  priority INTEGER NOT NULL DEFAULT 0,"
	"  transferred_from INTEGER,"
	"  transferred_to INTEGER,"
	"  room INTEGER,"
	"  disconnected_at INTEGER);"
	"CREATE INDEX tickets_state ON tickets(state);"
	"CREATE TABLE rooms ("
	"  id INTEGER PRIMARY KEY,"
	"  office TEXT NOT NULL,"
	"  clerk_id INTEGER REFERENCES clerks(id) ON DELETE SET NULL,"
	"  ticket_id INTEGER,"
	"  opened_at INTEGER NOT NULL,"
	"  closed_at INTEGER);"
	"CREATE INDEX rooms_open ON rooms(id) WHERE closed_at IS NULL;"
	"CREATE INDEX rooms_ticket ON rooms(ticket_id);"
	"CREATE INDEX rooms_clerk ON rooms(clerk_id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  office TEXT,"
	"  ticket_id INTEGER,"
	"  room_id INTEGER);",
	/* 2: appointments. At most one live booking (or block) per office
	 * and slot: the partial unique index makes the second of two
	 * simultaneous bookings fail inside sqlite. */
	"CREATE TABLE bookings ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  code_hash BLOB UNIQUE,"
	"  office TEXT NOT NULL,"
	"  slot_start INTEGER NOT NULL,"
	"  slot_end INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('booked', 'arrived', 'done',"
	"    'no_show', 'cancelled', 'blocked')),"
	"  name TEXT,"
	"  topic TEXT,"
	"  lang TEXT NOT NULL DEFAULT 'de',"
	"  message TEXT,"
	"  addr_hash BLOB,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX bookings_slot ON bookings(office, slot_start)"
	"  WHERE state IN ('booked', 'arrived', 'blocked');"
	"CREATE INDEX bookings_office_time ON bookings(office, slot_start);"
	"CREATE INDEX bookings_addr ON bookings(addr_hash, created_at);"
	/* the ticket of an appointment that arrived */
	"ALTER TABLE tickets ADD COLUMN booking_id INTEGER;"
	"ALTER TABLE tickets ADD COLUMN appointment_at INTEGER;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "STORE_SCHEMA_VERSION must match the migrations");

/* The same names as lobby_state_name(); kept here so the store does not
 * depend on the lobby. */
static const char *const state_names[] = {
	[TICKET_WAITING] = "waiting",
	[TICKET_ADMITTED] = "admitted",
	[TICKET_DONE] = "done",
	[TICKET_DECLINED] = "declined",
	[TICKET_WITHDRAWN] = "withdrawn",
	[TICKET_EXPIRED] = "expired",
	[TICKET_TRANSFERRED] = "transferred",
};
#define NSTATES ((int)(sizeof(state_names) / sizeof(state_names[0])))

#define TICKET_COLS "id, token_hash, office, state, name, topic, message, " \
	"lang, knocked_at, updated_at, seq, priority, transferred_from, " \
	"transferred_to, room, disconnected_at, booking_id, appointment_at"
#define ROOM_COLS "id, office, clerk_id, ticket_id, opened_at, closed_at"
#define FINAL "state NOT IN ('waiting', 'admitted')"

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_TICKET_UNTOKEN,
	S_TICKET_SAVE,
	S_TICKET_DELETE,
	S_ROOM_UNTICKET,
	S_ROOM_SAVE,
	S_TICKETS_ACTIVE,
	S_ROOMS_OPEN,
	S_MAX_IDS,
	S_PURGE_OFFICES,
	S_PURGE_UNROOM,
	S_PURGE_DELETE,
	S_PURGE_CLEAR,
	S_CLERK_INSERT,
	S_CLERK_OFFICE_INSERT,
	S_CLERK_BY_NAME,
	S_CLERK_BY_ID,
	S_CLERK_OFFICES,
	S_CLERK_LIST,
	S_CLERK_DELETE,
	S_CLERK_PASSWD,
	S_CLERK_SESSIONS_DEL,
	S_SESSION_ADD,
	S_SESSION_GET,
	S_SESSION_DEL,
	S_SESSION_PURGE,
	S_AUDIT,
	S_NSTMT
};

static const char *const stmt_sql[S_NSTMT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_TICKET_UNTOKEN] =
	    "UPDATE tickets SET token_hash = NULL"
	    " WHERE token_hash = ?1 AND id <> ?2",
	[S_TICKET_SAVE] =
	    "INSERT INTO tickets (" TICKET_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18)"
	    " ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash,"
	    " office = excluded.office, state = excluded.state,"
	    " name = excluded.name, topic = excluded.topic,"
	    " message = excluded.message, lang = excluded.lang,"
	    " knocked_at = excluded.knocked_at,"
	    " updated_at = excluded.updated_at, seq = excluded.seq,"
	    " priority = excluded.priority,"
	    " transferred_from = excluded.transferred_from,"
	    " transferred_to = excluded.transferred_to,"
	    " room = excluded.room, disconnected_at = excluded.disconnected_at,"
	    " booking_id = excluded.booking_id,"
	    " appointment_at = excluded.appointment_at",
	[S_TICKET_DELETE] = "DELETE FROM tickets WHERE id = ?1",
	[S_ROOM_UNTICKET] =
	    "UPDATE rooms SET ticket_id = NULL WHERE ticket_id = ?1",
	[S_ROOM_SAVE] =
	    "INSERT INTO rooms (" ROOM_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT(id) DO UPDATE SET office = excluded.office,"
	    " clerk_id = excluded.clerk_id, ticket_id = excluded.ticket_id,"
	    " opened_at = excluded.opened_at, closed_at = excluded.closed_at",
	[S_TICKETS_ACTIVE] =
	    "SELECT " TICKET_COLS " FROM tickets"
	    " WHERE state IN ('waiting', 'admitted') ORDER BY id",
	[S_ROOMS_OPEN] =
	    "SELECT " ROOM_COLS " FROM rooms WHERE closed_at IS NULL"
	    " ORDER BY id",
	[S_MAX_IDS] =
	    "SELECT max(ifnull((SELECT max(id) FROM tickets), 0),"
	    "  ifnull((SELECT seq FROM sqlite_sequence"
	    "   WHERE name = 'tickets'), 0)),"
	    " ifnull((SELECT max(id) FROM rooms), 0),"
	    " ifnull((SELECT max(seq) FROM tickets), 0)",
	[S_PURGE_OFFICES] =
	    "SELECT DISTINCT office FROM tickets WHERE " FINAL,
	[S_PURGE_UNROOM] =
	    "UPDATE rooms SET ticket_id = NULL WHERE ticket_id IN"
	    " (SELECT id FROM tickets WHERE office = ?1 AND " FINAL ")",
	[S_PURGE_DELETE] =
	    "DELETE FROM tickets WHERE office = ?1 AND " FINAL,
	[S_PURGE_CLEAR] =
	    "UPDATE tickets SET name = NULL, topic = NULL, message = NULL"
	    " WHERE " FINAL " AND updated_at < ?1 AND (name IS NOT NULL OR"
	    " topic IS NOT NULL OR message IS NOT NULL)",
	[S_CLERK_INSERT] =
	    "INSERT INTO clerks (name, pwhash, created_at) VALUES (?1, ?2, ?3)",
	[S_CLERK_OFFICE_INSERT] =
	    "INSERT OR IGNORE INTO clerk_offices (clerk_id, office)"
	    " VALUES (?1, ?2)",
	[S_CLERK_BY_NAME] =
	    "SELECT id, name, pwhash, created_at FROM clerks WHERE name = ?1",
	[S_CLERK_BY_ID] =
	    "SELECT id, name, pwhash, created_at FROM clerks WHERE id = ?1",
	[S_CLERK_OFFICES] =
	    "SELECT office FROM clerk_offices WHERE clerk_id = ?1"
	    " ORDER BY office",
	[S_CLERK_LIST] =
	    "SELECT id, name, pwhash, created_at FROM clerks ORDER BY name",
	[S_CLERK_DELETE] = "DELETE FROM clerks WHERE name = ?1",
	[S_CLERK_PASSWD] = "UPDATE clerks SET pwhash = ?2 WHERE name = ?1",
	[S_CLERK_SESSIONS_DEL] =
	    "DELETE FROM sessions WHERE clerk_id ="
	    " (SELECT id FROM clerks WHERE name = ?1)",
	[S_SESSION_ADD] =
	    "INSERT INTO sessions (token_hash, clerk_id, expires_at)"
	    " VALUES (?1, ?2, ?3)",
	[S_SESSION_GET] =
	    "SELECT clerk_id FROM sessions WHERE token_hash = ?1"
	    " AND expires_at > ?2",
	[S_SESSION_DEL] = "DELETE FROM sessions WHERE token_hash = ?1",
	[S_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[S_AUDIT] =
	    "INSERT INTO audit (at, actor, action, office, ticket_id, room_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

struct store {
	sqlite3 *db;            /* also used by store_booking.c */
	sqlite3_stmt *stmt[S_NSTMT];
};

/* --- small helpers ------------------------------------------------------ */

static int
db_fail(struct store *st, const char *what)
{
	log_error("store: %s: %s", what, sqlite3_errmsg(st->db));
	return STORE_E_IO;
}

/* The bind helpers do nothing once *rc holds an error, so a row of binds
 * needs one check at the end. */
static void
bind_int(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_int64(s, i, v);
}

/* 0 is stored as NULL ("none"). */
static void
bind_ref(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = v == 0 ? sqlite3_bind_null(s, i) :
		    sqlite3_bind_int64(s, i, v);
}

/* NULL is stored as NULL. The text must live until the statement is
 * reset (stmt_done clears the bindings). */
static void
bind_text(sqlite3_stmt *s, int i, const char *v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = v == NULL ? sqlite3_bind_null(s, i) :
		    sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void
bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = v == NULL ? sqlite3_bind_null(s, i) :
		    sqlite3_bind_blob(s, i, v, (int)n, SQLITE_STATIC);
}

/* Makes s ready for its next use. The error of a failed step has already
 * been reported by then, and reset only repeats it. */
static void
stmt_done(sqlite3_stmt *s)
{
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
}

/* Steps statement id, whose parameters were bound with result brc. Returns
 * 1 with a row to read (the caller calls stmt_done when finished), 0 when
 * there are no more rows, or STORE_E_IO (logged); in both latter cases
 * the statement is already reset. */
static int
step_row(struct store *st, enum stmt id, int brc, const char *what)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc;

	if (brc != SQLITE_OK) {
		log_error("store: %s: cannot bind: %s", what,
		    sqlite3_errstr(brc));
		stmt_done(s);
		return STORE_E_IO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		db_fail(st, what);
	stmt_done(s);
	return rc == SQLITE_DONE ? 0 : STORE_E_IO;
}

/* Runs a statement that returns no rows. */
static int
exec_stmt(struct store *st, enum stmt id, int brc, const char *what)
{
	int rc = step_row(st, id, brc, what);

	if (rc == 1) {
		stmt_done(st->stmt[id]);
		return STORE_OK;
	}
	return rc;
}

static int64_t
col_ref(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(s, i);
}

/* Copies column i (text) into dst of size n; -1 if it does not fit. */
static int
col_copy(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	size_t len = (size_t)sqlite3_column_bytes(s, i);

	if (v == NULL)
		len = 0;
	if (len >= n)
		return -1;
	if (len > 0)
		memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int
state_parse(const char *name, enum ticket_state *out)
{
	for (int i = 0; i < NSTATES; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum ticket_state)i;
			return 0;
		}
	return -1;
}

/*
 * Starts a write transaction unless the caller already holds one; *own
 * says whether tx_end must finish it. Lets store_clerk_* and store_purge
 * run alone (from "klopfd user") or inside a lobby transaction.
 */
static int
tx_begin(struct store *st, bool *own)
{
	*own = sqlite3_get_autocommit(st->db) != 0;
	if (!*own)
		return STORE_OK;
	return exec_stmt(st, S_BEGIN, SQLITE_OK, "begin");
}

/* Commits (rc == STORE_OK) or rolls back our own transaction; returns rc
 * or the commit's failure. */
static int
tx_end(struct store *st, bool own, int rc)
{
	if (!own)
		return rc;
	if (rc == STORE_OK) {
		if (exec_stmt(st, S_COMMIT, SQLITE_OK, "commit") == STORE_OK)
			return STORE_OK;
		rc = STORE_E_IO;
	}
	store_rollback(st);
	return rc;
}

/* --- opening, migrations ------------------------------------------------ */

static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	if (sqlite3_finalize(s) != SQLITE_OK || rc != SQLITE_ROW)
		return -1;
	return 0;
}

static int
pragma_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && col_copy(s, 0, out, n) == 0)
		ret = 0;
	if (sqlite3_finalize(s) != SQLITE_OK)
		ret = -1;
	return ret;
}

/* Runs migration `to` (1-based) with its user_version bump in one
 * transaction, unless another process got there first. */
static int
migrate_one(sqlite3 *db, int to, char *err, size_t errlen)
{
	char sql[64];
	int v;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (pragma_int(db, "PRAGMA user_version", &v) == -1)
		goto fail;
	if (v >= to) {
		/* someone else migrated meanwhile */
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		return 0;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", to);
	if (sqlite3_exec(db, migrations[to - 1], NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot bring %s to schema version %d: %s",
	    STORE_FILE, to, sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
migrate(sqlite3 *db, char *err, size_t errlen)
{
	int v;

	if (pragma_int(db, "PRAGMA user_version", &v) == -1) {
		snprintf(err, errlen, "cannot read the schema version of %s: %s",
		    STORE_FILE, sqlite3_errmsg(db));
		return -1;
	}
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "%s has schema version %d, this klopfd "
		    "knows only up to %d; use a newer klopfd", STORE_FILE, v,
		    NMIGRATIONS);
		return -1;
	}
	for (int to = v + 1; to <= NMIGRATIONS; to++)
		if (migrate_one(db, to, err, errlen) == -1)
			return -1;
	return 0;
}

static int
configure(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char mode[16];
	int fk;

	if (sqlite3_extended_result_codes(db, 1) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, STORE_BUSY_MS) != SQLITE_OK)
		goto fail;
	/* Switching a new file to WAL can answer SQLITE_BUSY without asking
	 * the busy handler while another process (the daemon, "klopfd user")
	 * does the same; retry within the same time budget. */
	for (int waited = 0;; waited += 10) {
		if (pragma_text(db, "PRAGMA journal_mode = WAL", mode,
		    sizeof(mode)) == 0)
			break;
		if ((sqlite3_errcode(db) & 0xff) != SQLITE_BUSY ||
		    waited >= STORE_BUSY_MS)
			goto fail;
		sqlite3_sleep(10);
	}
	if (strcmp(mode, "wal") != 0) {
		snprintf(err, errlen, "cannot switch %s to WAL mode (it stays "
		    "in %s mode)", path, mode);
		return -1;
	}
	/* secure_delete: deleted rows (anonymous tickets, purged personal
	 * data) are overwritten with zeros, not left in free pages. */
	if (sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA secure_delete = ON", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    pragma_int(db, "PRAGMA foreign_keys", &fk) == -1)
		goto fail;
	if (fk != 1) {
		snprintf(err, errlen, "this sqlite cannot enforce foreign keys");
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot set up %s: %s", path,
	    sqlite3_errmsg(db));
	return -1;
}

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct store *st;
	int n;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state directory %s: %s",
		    dir, strerror(errno));
		return NULL;
	}
	n = snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "state directory path too long: %s", dir);
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory opening %s", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if (configure(st->db, path, err, errlen) == -1 ||
	    migrate(st->db, err, errlen) == -1)
		goto fail;
	for (int i = 0; i < S_NSTMT; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot prepare statement %d on "
			    "%s: %s", i, path, sqlite3_errmsg(st->db));
			goto fail;
		}
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < S_NSTMT; i++)
		(void)sqlite3_finalize(st->stmt[i]); /* NULL is a no-op */
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_error("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

int
store_schema_version(struct store *st)
{
	int v;

	if (pragma_int(st->db, "PRAGMA user_version", &v) == -1)
		return db_fail(st, "read schema version");
	return v;
}

int
store_begin(struct store *st)
{
	return exec_stmt(st, S_BEGIN, SQLITE_OK, "begin");
}

int
store_commit(struct store *st)
{
	return exec_stmt(st, S_COMMIT, SQLITE_OK, "commit");
}

void
store_rollback(struct store *st)
{
	/* sqlite may already have rolled back after an error */
	if (sqlite3_get_autocommit(st->db))
		return;
	(void)exec_stmt(st, S_ROLLBACK, SQLITE_OK, "rollback");
}

/* --- tickets and rooms -------------------------------------------------- */

int
store_ticket_save(struct store *st, const struct ticket *t)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK;

	if ((int)t->state < 0 || (int)t->state >= NSTATES) {
		log_error("store: ticket %llu has unknown state %d",
		    (unsigned long long)t->id, (int)t->state);
		return STORE_E_IO;
	}
	if (t->has_token) {
		/* The newest holder keeps a token (a transfer may save the
		 * new ticket before the old one gave its token up). */
		s = st->stmt[S_TICKET_UNTOKEN];
		bind_blob(s, 1, t->token_hash, LOBBY_TOKEN_HASH, &rc);
		bind_int(s, 2, (int64_t)t->id, &rc);
		if (exec_stmt(st, S_TICKET_UNTOKEN, rc, "move ticket token"))
			return STORE_E_IO;
	}
	s = st->stmt[S_TICKET_SAVE];
	bind_int(s, 1, (int64_t)t->id, &rc);
	bind_blob(s, 2, t->has_token ? t->token_hash : NULL, LOBBY_TOKEN_HASH,
	    &rc);
	bind_text(s, 3, t->office, &rc);
	bind_text(s, 4, state_names[t->state], &rc);
	bind_text(s, 5, t->name, &rc);
	bind_text(s, 6, t->topic, &rc);
	bind_text(s, 7, t->message, &rc);
	bind_text(s, 8, t->lang, &rc);
	bind_int(s, 9, t->knocked_at, &rc);
	bind_int(s, 10, t->updated_at, &rc);
	bind_int(s, 11, (int64_t)t->seq, &rc);
	bind_int(s, 12, t->priority, &rc);
	bind_ref(s, 13, (int64_t)t->transferred_from, &rc);
	bind_ref(s, 14, (int64_t)t->transferred_to, &rc);
	bind_ref(s, 15, (int64_t)t->room, &rc);
	bind_ref(s, 16, t->disconnected_at, &rc);
	bind_ref(s, 17, (int64_t)t->booking, &rc);
	bind_ref(s, 18, t->appointment_at, &rc);
	return exec_stmt(st, S_TICKET_SAVE, rc, "save ticket");
}

int
store_ticket_delete(struct store *st, uint64_t id)
{
	int rc = SQLITE_OK;

	bind_int(st->stmt[S_ROOM_UNTICKET], 1, (int64_t)id, &rc);
	if (exec_stmt(st, S_ROOM_UNTICKET, rc, "unlink rooms from ticket"))
		return STORE_E_IO;
	bind_int(st->stmt[S_TICKET_DELETE], 1, (int64_t)id, &rc);
	return exec_stmt(st, S_TICKET_DELETE, rc, "delete ticket");
}

int
store_room_save(struct store *st, const struct room *r)
{
	sqlite3_stmt *s = st->stmt[S_ROOM_SAVE];
	int rc = SQLITE_OK;

	bind_int(s, 1, (int64_t)r->id, &rc);
	bind_text(s, 2, r->office, &rc);
	bind_ref(s, 3, (int64_t)r->clerk_id, &rc);
	bind_ref(s, 4, (int64_t)r->ticket_id, &rc);
	bind_int(s, 5, r->opened_at, &rc);
	bind_ref(s, 6, r->closed_at, &rc);
	return exec_stmt(st, S_ROOM_SAVE, rc, "save room");
}

/* Fills t from the current row of S_TICKETS_ACTIVE; strings point into
 * sqlite's row and live until the next step. */
static int
ticket_from_row(sqlite3_stmt *s, struct ticket *t)
{
	const void *hash;
	const char *state;

	memset(t, 0, sizeof(*t));
	t->id = (uint64_t)sqlite3_column_int64(s, 0);
	hash = sqlite3_column_blob(s, 1);
	if (hash != NULL) {
		if (sqlite3_column_bytes(s, 1) != LOBBY_TOKEN_HASH)
			return -1;
		memcpy(t->token_hash, hash, LOBBY_TOKEN_HASH);
		t->has_token = true;
	}
	if (col_copy(s, 2, t->office, sizeof(t->office)) == -1)
		return -1;
	t->office_idx = -1;
	state = (const char *)sqlite3_column_text(s, 3);
	if (state == NULL || state_parse(state, &t->state) == -1)
		return -1;
	t->name = (char *)sqlite3_column_text(s, 4);
	t->topic = (char *)sqlite3_column_text(s, 5);
	t->message = (char *)sqlite3_column_text(s, 6);
	if (col_copy(s, 7, t->lang, sizeof(t->lang)) == -1)
		return -1;
	t->knocked_at = sqlite3_column_int64(s, 8);
	t->updated_at = sqlite3_column_int64(s, 9);
	t->seq = (uint64_t)sqlite3_column_int64(s, 10);
	t->priority = sqlite3_column_int(s, 11);
	t->transferred_from = (uint64_t)col_ref(s, 12);
	t->transferred_to = (uint64_t)col_ref(s, 13);
	t->room = (uint64_t)col_ref(s, 14);
	t->disconnected_at = col_ref(s, 15);
	t->booking = (uint64_t)col_ref(s, 16);
	t->appointment_at = col_ref(s, 17);
	t->position = 0;
	t->wait_s = -1;
	return 0;
}

int
store_tickets_active(struct store *st,
    int (*fn)(void *ud, const struct ticket *t), void *ud)
{
	sqlite3_stmt *s = st->stmt[S_TICKETS_ACTIVE];
	struct ticket t;
	int rc;

	while ((rc = step_row(st, S_TICKETS_ACTIVE, SQLITE_OK,
	    "list active tickets")) == 1) {
		if (ticket_from_row(s, &t) == -1) {
			log_error("store: ticket %lld has a malformed row",
			    (long long)sqlite3_column_int64(s, 0));
			stmt_done(s);
			return STORE_E_IO;
		}
		if (fn(ud, &t) != 0) {
			stmt_done(s);
			return STORE_OK;
		}
	}
	return rc;
}

int
store_rooms_open(struct store *st,
    int (*fn)(void *ud, const struct room *r), void *ud)
{
	sqlite3_stmt *s = st->stmt[S_ROOMS_OPEN];
	struct room r;
	int rc;

	while ((rc = step_row(st, S_ROOMS_OPEN, SQLITE_OK,
	    "list open rooms")) == 1) {
		memset(&r, 0, sizeof(r));
		r.id = (uint64_t)sqlite3_column_int64(s, 0);
		if (col_copy(s, 1, r.office, sizeof(r.office)) == -1) {
			log_error("store: room %llu has a malformed row",
			    (unsigned long long)r.id);
			stmt_done(s);
			return STORE_E_IO;
		}
		r.office_idx = -1;
		r.clerk_id = (uint64_t)col_ref(s, 2);
		r.ticket_id = (uint64_t)col_ref(s, 3);
		r.opened_at = sqlite3_column_int64(s, 4);
		r.closed_at = col_ref(s, 5);
		if (fn(ud, &r) != 0) {
			stmt_done(s);
			return STORE_OK;
		}
	}
	return rc;
}

int
store_max_ids(struct store *st, uint64_t *ticket, uint64_t *room,
    uint64_t *seq)
{
	sqlite3_stmt *s = st->stmt[S_MAX_IDS];
	int rc;

	if ((rc = step_row(st, S_MAX_IDS, SQLITE_OK, "read highest ids")) != 1)
		return rc == 0 ? STORE_E_IO : rc;
	*ticket = (uint64_t)sqlite3_column_int64(s, 0);
	*room = (uint64_t)sqlite3_column_int64(s, 1);
	*seq = (uint64_t)sqlite3_column_int64(s, 2);
	stmt_done(s);
	return STORE_OK;
}

/* Collects the distinct offices of finished tickets into a new array of
 * new strings (free both); *n their count. */
static int
purge_offices(struct store *st, char ***out, size_t *n)
{
	sqlite3_stmt *s = st->stmt[S_PURGE_OFFICES];
	char **v = NULL, **nv, *o;
	size_t cap = 0;
	int rc;

	*n = 0;
	while ((rc = step_row(st, S_PURGE_OFFICES, SQLITE_OK,
	    "list offices to purge")) == 1) {
		const char *text = (const char *)sqlite3_column_text(s, 0);

		if (text == NULL)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((o = strdup(text)) == NULL)
			goto oom;
		v[(*n)++] = o;
	}
	if (rc == 0) {
		*out = v;
		return STORE_OK;
	}
	goto fail;
oom:
	stmt_done(s);
	log_error("store: list offices to purge: out of memory");
fail:
	for (size_t i = 0; i < *n; i++)
		free(v[i]);
	free(v);
	*n = 0;
	return STORE_E_IO;
}

/* Deletes the finished tickets of an anonymous office; returns how many,
 * or STORE_E_IO. */
static int
purge_office(struct store *st, const char *office)
{
	int rc = SQLITE_OK;

	bind_text(st->stmt[S_PURGE_UNROOM], 1, office, &rc);
	if (exec_stmt(st, S_PURGE_UNROOM, rc, "unlink rooms of purged tickets"))
		return STORE_E_IO;
	bind_text(st->stmt[S_PURGE_DELETE], 1, office, &rc);
	if (exec_stmt(st, S_PURGE_DELETE, rc, "delete anonymous tickets"))
		return STORE_E_IO;
	return sqlite3_changes(st->db);
}

int
store_purge(struct store *st, int64_t before,
    bool (*is_anonymous)(void *ud, const char *office), void *ud)
{
	char **offices = NULL;
	size_t n = 0;
	int rc, k, touched = 0, brc = SQLITE_OK;
	bool own;

	if ((rc = tx_begin(st, &own)) != STORE_OK)
		return rc;
	if ((rc = purge_offices(st, &offices, &n)) != STORE_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (is_anonymous == NULL || !is_anonymous(ud, offices[i]))
			continue;
		if ((k = purge_office(st, offices[i])) < 0) {
			rc = k;
			goto out;
		}
		touched += k;
	}
	bind_int(st->stmt[S_PURGE_CLEAR], 1, before, &brc);
	if ((rc = exec_stmt(st, S_PURGE_CLEAR, brc, "clear personal data")))
		goto out;
	touched += sqlite3_changes(st->db);
out:
	for (size_t i = 0; i < n; i++)
		free(offices[i]);
	free(offices);
	rc = tx_end(st, own, rc);
	return rc == STORE_OK ? touched : rc;
}

/* --- clerk accounts ----------------------------------------------------- */

bool
store_clerk_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > STORE_USER_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

static bool
clerk_args_valid(const char *name, const char *pwhash,
    const char *const *offices, int noffices)
{
	if (!store_clerk_name_valid(name) || strlen(pwhash) < 1 ||
	    strlen(pwhash) >= CLERK_PWHASH_SIZE ||
	    noffices < 0 || noffices > STORE_MAX_CLERK_OFFICES)
		return false;
	for (int i = 0; i < noffices; i++)
		if (strlen(offices[i]) < 1 || strlen(offices[i]) > CONFIG_ID_MAX)
			return false;
	return true;
}

int
store_clerk_add(struct store *st, const char *name, const char *pwhash,
    const char *const *offices, int noffices, int64_t now)
{
	sqlite3_stmt *s = st->stmt[S_CLERK_INSERT];
	int64_t id;
	int rc = SQLITE_OK, ret;
	bool own;

	if (!clerk_args_valid(name, pwhash, offices, noffices)) {
		log_error("store: refusing a clerk account with a malformed "
		    "name, password hash or office list");
		return STORE_E_IO;
	}
	if ((ret = tx_begin(st, &own)) != STORE_OK)
		return ret;
	bind_text(s, 1, name, &rc);
	bind_text(s, 2, pwhash, &rc);
	bind_int(s, 3, now, &rc);
	if (rc != SQLITE_OK) {
		ret = exec_stmt(st, S_CLERK_INSERT, rc, "add clerk");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		ret = STORE_E_EXISTS;
	else if (rc != SQLITE_DONE)
		ret = db_fail(st, "add clerk");
	stmt_done(s);
	if (ret != STORE_OK)
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
	s = st->stmt[S_CLERK_OFFICE_INSERT];
	for (int i = 0; i < noffices; i++) {
		rc = SQLITE_OK;
		bind_int(s, 1, id, &rc);
		bind_text(s, 2, offices[i], &rc);
		if ((ret = exec_stmt(st, S_CLERK_OFFICE_INSERT, rc,
		    "add clerk office")))
			goto out;
	}
	ret = STORE_OK;
out:
	return tx_end(st, own, ret);
}

/* Runs a statement keyed by clerk name (?1, and ?2 = arg2 if not NULL);
 * STORE_E_NOTFOUND when it changed no row. */
static int
clerk_change(struct store *st, enum stmt id, const char *name,
    const char *arg2, const char *what)
{
	int rc = SQLITE_OK;

	bind_text(st->stmt[id], 1, name, &rc);
	if (arg2 != NULL)
		bind_text(st->stmt[id], 2, arg2, &rc);
	if (exec_stmt(st, id, rc, what) != STORE_OK)
		return STORE_E_IO;
	return sqlite3_changes(st->db) > 0 ? STORE_OK : STORE_E_NOTFOUND;
}

int
store_clerk_del(struct store *st, const char *name)
{
	int ret;
	bool own;

	if ((ret = tx_begin(st, &own)) != STORE_OK)
		return ret;
	/* sessions and offices go by ON DELETE CASCADE; rooms keep their
	 * row with clerk NULL */
	ret = clerk_change(st, S_CLERK_DELETE, name, NULL, "delete clerk");
	return tx_end(st, own, ret);
}

int
store_clerk_passwd(struct store *st, const char *name, const char *pwhash)
{
	int ret;
	bool own;

	if (strlen(pwhash) < 1 || strlen(pwhash) >= CLERK_PWHASH_SIZE) {
		log_error("store: refusing a malformed password hash");
		return STORE_E_IO;
	}
	if ((ret = tx_begin(st, &own)) != STORE_OK)
		return ret;
	ret = clerk_change(st, S_CLERK_PASSWD, name, pwhash,
	    "change clerk password");
	if (ret == STORE_OK) {
		/* a new password logs the clerk out everywhere */
		ret = clerk_change(st, S_CLERK_SESSIONS_DEL, name, NULL,
		    "end clerk sessions");
		if (ret == STORE_E_NOTFOUND)
			ret = STORE_OK;
	}
	return tx_end(st, own, ret);
}

/* Fills c from the current row of a clerk query (id, name, pwhash,
 * created_at) and reads its offices. */
static int
clerk_from_row(struct store *st, sqlite3_stmt *s, struct store_clerk *c)
{
	sqlite3_stmt *os = st->stmt[S_CLERK_OFFICES];
	int rc = SQLITE_OK;

	memset(c, 0, sizeof(*c));
	c->id = (uint64_t)sqlite3_column_int64(s, 0);
	if (col_copy(s, 1, c->name, sizeof(c->name)) == -1 ||
	    col_copy(s, 2, c->pwhash, sizeof(c->pwhash)) == -1)
		goto malformed;
	c->created_at = sqlite3_column_int64(s, 3);
	bind_int(os, 1, (int64_t)c->id, &rc);
	while ((rc = step_row(st, S_CLERK_OFFICES, rc,
	    "read clerk offices")) == 1) {
		if (c->noffices == STORE_MAX_CLERK_OFFICES ||
		    col_copy(os, 0, c->offices[c->noffices],
		    sizeof(c->offices[0])) == -1) {
			stmt_done(os);
			goto malformed;
		}
		c->noffices++;
		rc = SQLITE_OK;
	}
	return rc;
malformed:
	log_error("store: clerk %llu has a malformed row",
	    (unsigned long long)c->id);
	return STORE_E_IO;
}

/* Runs a clerk query (S_CLERK_BY_*) bound with result brc; fills out. */
static int
clerk_get(struct store *st, enum stmt id, int brc, struct store_clerk *out)
{
	int rc;

	if ((rc = step_row(st, id, brc, "read clerk")) != 1)
		return rc == 0 ? STORE_E_NOTFOUND : rc;
	rc = clerk_from_row(st, st->stmt[id], out);
	stmt_done(st->stmt[id]);
	return rc;
}

int
store_clerk_get(struct store *st, const char *name, struct store_clerk *out)
{
	int rc = SQLITE_OK;

	bind_text(st->stmt[S_CLERK_BY_NAME], 1, name, &rc);
	return clerk_get(st, S_CLERK_BY_NAME, rc, out);
}

int
store_clerk_get_id(struct store *st, uint64_t id, struct store_clerk *out)
{
	int rc = SQLITE_OK;

	bind_int(st->stmt[S_CLERK_BY_ID], 1, (int64_t)id, &rc);
	return clerk_get(st, S_CLERK_BY_ID, rc, out);
}

int
store_clerk_list(struct store *st,
    int (*fn)(void *ud, const struct store_clerk *c), void *ud)
{
	sqlite3_stmt *s = st->stmt[S_CLERK_LIST];
	struct store_clerk *c;
	int rc;

	/* a struct store_clerk is a few kB; keep it off the stack */
	if ((c = malloc(sizeof(*c))) == NULL) {
		log_error("store: list clerks: out of memory");
		return STORE_E_IO;
	}
	while ((rc = step_row(st, S_CLERK_LIST, SQLITE_OK,
	    "list clerks")) == 1) {
		if ((rc = clerk_from_row(st, s, c)) != STORE_OK ||
		    fn(ud, c) != 0) {
			stmt_done(s);
			break;
		}
	}
	free(c);
	return rc;
}

/* --- clerk sessions ----------------------------------------------------- */

int
store_session_add(struct store *st, const uint8_t *hash, size_t hlen,
    uint64_t clerk_id, int64_t expires_at)
{
	sqlite3_stmt *s = st->stmt[S_SESSION_ADD];
	int rc = SQLITE_OK;

	bind_blob(s, 1, hash, hlen, &rc);
	bind_int(s, 2, (int64_t)clerk_id, &rc);
	bind_int(s, 3, expires_at, &rc);
	return exec_stmt(st, S_SESSION_ADD, rc, "add session");
}

int
store_session_get(struct store *st, const uint8_t *hash, size_t hlen,
    int64_t now, uint64_t *clerk_id)
{
	sqlite3_stmt *s = st->stmt[S_SESSION_GET];
	int rc = SQLITE_OK;

	bind_blob(s, 1, hash, hlen, &rc);
	bind_int(s, 2, now, &rc);
	if ((rc = step_row(st, S_SESSION_GET, rc, "read session")) != 1)
		return rc == 0 ? STORE_E_NOTFOUND : rc;
	*clerk_id = (uint64_t)sqlite3_column_int64(s, 0);
	stmt_done(s);
	return STORE_OK;
}

int
store_session_del(struct store *st, const uint8_t *hash, size_t hlen)
{
	int rc = SQLITE_OK;

	bind_blob(st->stmt[S_SESSION_DEL], 1, hash, hlen, &rc);
	if (exec_stmt(st, S_SESSION_DEL, rc, "delete session") != STORE_OK)
		return STORE_E_IO;
	return sqlite3_changes(st->db) > 0 ? STORE_OK : STORE_E_NOTFOUND;
}

int
store_session_purge(struct store *st, int64_t now)
{
	int rc = SQLITE_OK;

	bind_int(st->stmt[S_SESSION_PURGE], 1, now, &rc);
	if (exec_stmt(st, S_SESSION_PURGE, rc, "purge sessions") != STORE_OK)
		return STORE_E_IO;
	return sqlite3_changes(st->db);
}

/* --- audit trail -------------------------------------------------------- */

int
store_audit(struct store *st, int64_t at, const char *actor,
    const char *action, const char *office, uint64_t ticket, uint64_t room)
{
	sqlite3_stmt *s = st->stmt[S_AUDIT];
	int rc = SQLITE_OK;

	bind_int(s, 1, at, &rc);
	bind_text(s, 2, actor, &rc);
	bind_text(s, 3, action, &rc);
	bind_text(s, 4, office != NULL && office[0] != '\0' ? office : NULL,
	    &rc);
	bind_ref(s, 5, (int64_t)ticket, &rc);
	bind_ref(s, 6, (int64_t)room, &rc);
	return exec_stmt(st, S_AUDIT, rc, "write audit");
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}
