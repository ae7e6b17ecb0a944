/*
 * store_booking: see store_booking.h. Statements are prepared per call:
 * bookings are a few a minute, not a hot path.
 */
#include "store_booking.h"

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "log.h"

static const char *const state_names[] = {
	[BOOKING_BOOKED] = "booked",
	[BOOKING_ARRIVED] = "arrived",
	[BOOKING_DONE] = "done",
	[BOOKING_NO_SHOW] = "no_show",
	[BOOKING_CANCELLED] = "cancelled",
	[BOOKING_BLOCKED] = "blocked",
};

const char *
booking_state_name(enum booking_state s)
{
	return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

static enum booking_state
state_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return (enum booking_state)i;
	return BOOKING_CANCELLED;
}

static sqlite3_stmt *
prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		log_error("store: bookings: %s", sqlite3_errmsg(store_db(st)));
		return NULL;
	}
	return s;
}

static int
io_fail(struct store *st, sqlite3_stmt *s, const char *what)
{
	log_error("store: bookings: %s: %s", what,
	    sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return STORE_E_IO;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void
copy_col(sqlite3_stmt *s, int col, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	g_strlcpy(dst, v != NULL ? (const char *)v : "", size);
}

#define COLS "id, office, slot_start, slot_end, state, name, topic, lang, " \
	"message, created_at, updated_at"

static void
read_row(sqlite3_stmt *s, struct booking *b)
{
	memset(b, 0, sizeof(*b));
	b->id = (uint64_t)sqlite3_column_int64(s, 0);
	copy_col(s, 1, b->office, sizeof(b->office));
	b->slot_start = sqlite3_column_int64(s, 2);
	b->slot_end = sqlite3_column_int64(s, 3);
	b->state = state_parse((const char *)sqlite3_column_text(s, 4));
	copy_col(s, 5, b->name, sizeof(b->name));
	copy_col(s, 6, b->topic, sizeof(b->topic));
	copy_col(s, 7, b->lang, sizeof(b->lang));
	copy_col(s, 8, b->message, sizeof(b->message));
	b->created_at = sqlite3_column_int64(s, 9);
	b->updated_at = sqlite3_column_int64(s, 10);
}

int
store_booking_add(struct store *st, const struct booking *b,
    const uint8_t *code_hash, const uint8_t *addr_hash, uint64_t *id)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO bookings (code_hash, office, "
	    "slot_start, slot_end, state, name, topic, lang, message, "
	    "addr_hash, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)");
	int rc;

	if (s == NULL)
		return STORE_E_IO;
	if (code_hash != NULL)
		sqlite3_bind_blob(s, 1, code_hash, BOOKING_HASH_LEN,
		    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, b->office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, b->slot_start);
	sqlite3_bind_int64(s, 4, b->slot_end);
	sqlite3_bind_text(s, 5, booking_state_name(b->state), -1,
	    SQLITE_STATIC);
	bind_text_or_null(s, 6, b->name);
	bind_text_or_null(s, 7, b->topic);
	sqlite3_bind_text(s, 8, b->lang[0] ? b->lang : "de", -1,
	    SQLITE_TRANSIENT);
	if (addr_hash != NULL)
		sqlite3_bind_blob(s, 9, addr_hash, BOOKING_HASH_LEN,
		    SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 10, b->created_at);
	sqlite3_bind_int64(s, 11, b->created_at);
	rc = sqlite3_step(s);
	/* the connection may report extended codes: compare the primary */
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(store_db(st)) ==
	    SQLITE_CONSTRAINT_UNIQUE) {
		sqlite3_finalize(s);
		return STORE_E_TAKEN;
	}
	if (rc != SQLITE_DONE)
		return io_fail(st, s, "add");
	*id = (uint64_t)sqlite3_last_insert_rowid(store_db(st));
	sqlite3_finalize(s);
	return STORE_OK;
}

static int
get_one(struct store *st, sqlite3_stmt *s, struct booking *out)
{
	int rc;

	if (s == NULL)
		return STORE_E_IO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_row(s, out);
		sqlite3_finalize(s);
		return STORE_OK;
	}
	if (rc != SQLITE_DONE)
		return io_fail(st, s, "look-up");
	sqlite3_finalize(s);
	return STORE_E_NOTFOUND;
}

int
store_booking_by_code(struct store *st, const uint8_t *code_hash,
    struct booking *out)
{
	sqlite3_stmt *s = prep(st, "SELECT " COLS " FROM bookings WHERE "
	    "code_hash = ?");

	if (s != NULL)
		sqlite3_bind_blob(s, 1, code_hash, BOOKING_HASH_LEN,
		    SQLITE_TRANSIENT);
	return get_one(st, s, out);
}

int
store_booking_get(struct store *st, uint64_t id, struct booking *out)
{
	sqlite3_stmt *s = prep(st, "SELECT " COLS " FROM bookings WHERE id = ?");

	if (s != NULL)
		sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
	return get_one(st, s, out);
}

int
store_booking_set_state(struct store *st, uint64_t id,
    enum booking_state state, const char *message, int64_t now)
{
	sqlite3_stmt *s = prep(st, "UPDATE bookings SET state = ?, "
	    "message = coalesce(?, message), updated_at = ? WHERE id = ?");
	int rc;

	if (s == NULL)
		return STORE_E_IO;
	sqlite3_bind_text(s, 1, booking_state_name(state), -1, SQLITE_STATIC);
	bind_text_or_null(s, 2, message);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)id);
	rc = sqlite3_step(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		/* back to live on a slot someone else holds now */
		sqlite3_finalize(s);
		return STORE_E_TAKEN;
	}
	if (rc != SQLITE_DONE)
		return io_fail(st, s, "update");
	rc = sqlite3_changes(store_db(st));
	sqlite3_finalize(s);
	return rc == 1 ? STORE_OK : STORE_E_NOTFOUND;
}

int
store_booking_taken(struct store *st, const char *office, int64_t from,
    int64_t to, int64_t *starts, int max)
{
	sqlite3_stmt *s = prep(st, "SELECT slot_start FROM bookings WHERE "
	    "office = ? AND slot_start >= ? AND slot_start < ? AND state IN "
	    "('booked', 'arrived', 'blocked') ORDER BY slot_start");
	int n = 0, rc;

	if (s == NULL)
		return STORE_E_IO;
	sqlite3_bind_text(s, 1, office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max)
		starts[n++] = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return io_fail(st, s, "taken slots");
	sqlite3_finalize(s);
	return n;
}

int
store_booking_count_addr(struct store *st, const uint8_t *addr_hash,
    const char *office, int64_t since)
{
	sqlite3_stmt *s = prep(st, "SELECT count(*) FROM bookings WHERE "
	    "addr_hash = ? AND created_at >= ? AND (?3 IS NULL OR office = ?3)");
	int n;

	if (s == NULL)
		return STORE_E_IO;
	sqlite3_bind_blob(s, 1, addr_hash, BOOKING_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since);
	bind_text_or_null(s, 3, office);
	if (sqlite3_step(s) != SQLITE_ROW)
		return io_fail(st, s, "count");
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
store_booking_count_office(struct store *st, const char *office,
    int64_t since)
{
	sqlite3_stmt *s = prep(st, "SELECT count(*) FROM bookings WHERE "
	    "office = ? AND created_at >= ? AND code_hash IS NOT NULL");
	int n;

	if (s == NULL)
		return STORE_E_IO;
	sqlite3_bind_text(s, 1, office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since);
	if (sqlite3_step(s) != SQLITE_ROW)
		return io_fail(st, s, "count");
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
store_booking_list(struct store *st, const char *office, int64_t from,
    int64_t to, struct booking *out, int max)
{
	sqlite3_stmt *s = prep(st, "SELECT " COLS " FROM bookings WHERE "
	    "office = ? AND slot_start >= ? AND slot_start < ? "
	    "ORDER BY slot_start, id");
	int n = 0, rc;

	if (s == NULL)
		return STORE_E_IO;
	sqlite3_bind_text(s, 1, office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max)
		read_row(s, &out[n++]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return io_fail(st, s, "list");
	sqlite3_finalize(s);
	return n;
}

int
store_booking_purge(struct store *st, const char *office, int64_t before)
{
	sqlite3_stmt *s = prep(st, "UPDATE bookings SET name = NULL, "
	    "topic = NULL, message = NULL, addr_hash = NULL, code_hash = NULL "
	    "WHERE (?1 IS NULL OR office = ?1) AND (slot_end < ?2 OR "
	    "(state = 'cancelled' AND updated_at < ?2)) AND (name IS NOT NULL "
	    "OR topic IS NOT NULL OR message IS NOT NULL OR addr_hash IS NOT "
	    "NULL OR code_hash IS NOT NULL)");

	if (s == NULL)
		return STORE_E_IO;
	bind_text_or_null(s, 1, office);
	sqlite3_bind_int64(s, 2, before);
	if (sqlite3_step(s) != SQLITE_DONE)
		return io_fail(st, s, "purge");
	sqlite3_finalize(s);
	return sqlite3_changes(store_db(st));
}
