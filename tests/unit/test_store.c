/*
 * test_store: the sqlite store against real files in a temporary
 * directory: schema and migrations, tickets, rooms, retention, clerk
 * accounts, sessions, audit, durability across close, crash and a second
 * process. Rows the API does not return are checked with a separate
 * read-only sqlite connection.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"
#include <sqlite3.h>

#include "log.h"
#include "store.h"

struct fx {
	char dir[64];
	struct store *st;
};

/* --- helpers ------------------------------------------------------------ */

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	tmpdir_make(f->dir, sizeof(f->dir), "store");
	f->st = store_open(f->dir, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("store_open: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static struct store *
reopen(struct fx *f)
{
	char err[256];

	store_close(f->st);
	f->st = store_open(f->dir, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("store_open: %s", err);
	return f->st;
}

static sqlite3 *
db_direct(const struct fx *f)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/%s", f->dir, STORE_FILE);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	return db;
}

/* The integer the query returns (first column of the first row). */
static int64_t
sql_int(const struct fx *f, const char *sql)
{
	sqlite3 *db = db_direct(f);
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	assert_int_equal(sqlite3_finalize(s), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return v;
}

static void
sql_exec(const struct fx *f, const char *sql)
{
	sqlite3 *db = db_direct(f);

	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static struct ticket
ticket_make(uint64_t id, const char *office, enum ticket_state state)
{
	struct ticket t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	for (int i = 0; i < LOBBY_TOKEN_HASH; i++)
		t.token_hash[i] = (uint8_t)(id * 7 + (uint64_t)i);
	t.has_token = true;
	snprintf(t.office, sizeof(t.office), "%s", office);
	t.office_idx = 3;
	t.state = state;
	strcpy(t.lang, "de");
	t.knocked_at = 1700000000 + (int64_t)id;
	t.updated_at = 1700000100 + (int64_t)id;
	t.seq = id + 100;
	t.position = 4;
	t.wait_s = 600;
	return t;
}

/* Collects copies of listed tickets (strings kept as flags/copies). */
#define MAXT 16
struct tlist {
	struct ticket t[MAXT];
	char name[MAXT][LOBBY_NAME_MAX + 1];
	char topic[MAXT][LOBBY_TOPIC_MAX + 1];
	char message[MAXT][LOBBY_MESSAGE_MAX + 1];
	int n;
	int stop_after;         /* 0: never */
};

static char *
keep(char *dst, size_t n, const char *src)
{
	if (src == NULL)
		return NULL;
	snprintf(dst, n, "%s", src);
	return dst;
}

static int
collect_ticket(void *ud, const struct ticket *t)
{
	struct tlist *l = ud;
	int i = l->n++;

	assert_true(i < MAXT);
	l->t[i] = *t;
	l->t[i].name = keep(l->name[i], sizeof(l->name[i]), t->name);
	l->t[i].topic = keep(l->topic[i], sizeof(l->topic[i]), t->topic);
	l->t[i].message = keep(l->message[i], sizeof(l->message[i]),
	    t->message);
	return l->stop_after != 0 && l->n >= l->stop_after;
}

static void
list_active(struct store *st, struct tlist *l)
{
	int stop = l->stop_after;

	memset(l, 0, sizeof(*l));
	l->stop_after = stop;
	assert_int_equal(store_tickets_active(st, collect_ticket, l), STORE_OK);
}

static void
assert_str_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Everything the store keeps; position and wait_s are derived and come
 * back as 0 and -1, office_idx as -1. */
static void
assert_ticket_stored(const struct ticket *got, const struct ticket *want)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->has_token, want->has_token);
	if (want->has_token)
		assert_memory_equal(got->token_hash, want->token_hash,
		    LOBBY_TOKEN_HASH);
	assert_string_equal(got->office, want->office);
	assert_int_equal(got->office_idx, -1);
	assert_int_equal(got->state, want->state);
	assert_str_or_null(got->name, want->name);
	assert_str_or_null(got->topic, want->topic);
	assert_str_or_null(got->message, want->message);
	assert_string_equal(got->lang, want->lang);
	assert_int_equal(got->knocked_at, want->knocked_at);
	assert_int_equal(got->updated_at, want->updated_at);
	assert_int_equal(got->seq, want->seq);
	assert_int_equal(got->priority, want->priority);
	assert_int_equal(got->transferred_from, want->transferred_from);
	assert_int_equal(got->transferred_to, want->transferred_to);
	assert_int_equal(got->room, want->room);
	assert_int_equal(got->disconnected_at, want->disconnected_at);
	assert_int_equal(got->position, 0);
	assert_int_equal(got->wait_s, -1);
}

#define MAXR 8
struct rlist {
	struct room r[MAXR];
	int n;
};

static int
collect_room(void *ud, const struct room *r)
{
	struct rlist *l = ud;

	assert_true(l->n < MAXR);
	l->r[l->n++] = *r;
	return 0;
}

static uint64_t
clerk_add(struct store *st, const char *name)
{
	static const char *const offices[] = {"buergeramt", "kfz"};
	struct store_clerk c;

	assert_int_equal(store_clerk_add(st, name, "$scrypt$x", offices, 2,
	    1700000000), STORE_OK);
	assert_int_equal(store_clerk_get(st, name, &c), STORE_OK);
	return c.id;
}

static void
hash_fill(uint8_t h[32], int seed)
{
	for (int i = 0; i < 32; i++)
		h[i] = (uint8_t)(seed + i);
}

/* --- schema ------------------------------------------------------------- */

static void
test_fresh_open_creates_latest_schema(void **state)
{
	struct fx *f = *state;
	char path[128];
	struct stat sb;

	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	snprintf(path, sizeof(path), "%s/%s", f->dir, STORE_FILE);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'table' AND name IN ('clerks', 'clerk_offices',"
	    " 'sessions', 'tickets', 'rooms', 'audit')"), 6);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'index' AND name = 'tickets_state'"), 1);
}

static void
test_missing_state_dir_is_created_private(void **state)
{
	struct fx *f = *state;
	char sub[128], err[256];
	struct store *st;
	struct stat sb;

	snprintf(sub, sizeof(sub), "%s/state", f->dir);
	st = store_open(sub, err, sizeof(err));
	if (st == NULL)
		fail_msg("store_open: %s", err);
	assert_int_equal(stat(sub, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
}

static void
test_uncreatable_state_dir_is_reported(void **state)
{
	struct fx *f = *state;
	char file[128], sub[160], err[256] = "";
	FILE *fp;

	snprintf(file, sizeof(file), "%s/plainfile", f->dir);
	assert_non_null(fp = fopen(file, "w"));
	fclose(fp);
	snprintf(sub, sizeof(sub), "%s/state", file);
	assert_null(store_open(sub, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create state directory"));
	assert_non_null(strstr(err, sub));
	assert_non_null(strstr(err, "Not a directory"));
}

static void
test_migrations_run_once_across_reopen(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(1, "kfz", TICKET_WAITING);
	struct tlist l = {0};

	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	reopen(f);
	reopen(f);
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(sql_int(f, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
}

static void
test_newer_schema_is_refused(void **state)
{
	struct fx *f = *state;
	char sql[64], want[128], err[256] = "";

	store_close(f->st);
	f->st = NULL;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION + 1);
	sql_exec(f, sql);
	assert_null(store_open(f->dir, err, sizeof(err)));
	snprintf(want, sizeof(want), "klopf.db has schema version %d, this "
	    "klopfd knows only up to %d; use a newer klopfd",
	    STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	assert_string_equal(err, want);
	/* the file was left alone */
	assert_int_equal(sql_int(f, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION + 1);
}

static void
test_failed_migration_changes_nothing(void **state)
{
	struct fx *f = *state;
	char err[256] = "";

	/* a version-0 file where migration 1 cannot run */
	store_close(f->st);
	f->st = NULL;
	sql_exec(f, "DROP TABLE bookings; DROP TABLE rooms; DROP TABLE tickets;"
	    " DROP TABLE sessions;"
	    " DROP TABLE clerk_offices; DROP TABLE clerks;"
	    " PRAGMA user_version = 0");
	assert_null(store_open(f->dir, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot bring klopf.db to schema "
	    "version 1"));
	assert_non_null(strstr(err, "audit already exists"));
	/* the tables created before the failing statement are rolled back
	 * too, and the version stays 0 */
	assert_int_equal(sql_int(f, "PRAGMA user_version"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'table' AND name NOT IN ('audit', 'sqlite_sequence')"),
	    0);
}

static void
test_foreign_keys_are_enforced(void **state)
{
	struct fx *f = *state;
	struct room r = {.id = 1, .office = "kfz", .clerk_id = 99,
	    .opened_at = 5};
	uint8_t h[32];

	hash_fill(h, 1);
	/* no clerk 99: both rows violate their REFERENCES clerks */
	assert_int_equal(store_session_add(f->st, h, sizeof(h), 99, 100),
	    STORE_E_IO);
	assert_int_equal(store_room_save(f->st, &r), STORE_E_IO);
	r.clerk_id = clerk_add(f->st, "anna");
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);
	reopen(f);
	/* switched on again at every open */
	assert_int_equal(store_session_add(f->st, h, sizeof(h), 99, 100),
	    STORE_E_IO);
}

/* --- tickets and rooms -------------------------------------------------- */

static void
test_ticket_round_trip_keeps_every_field(void **state)
{
	struct fx *f = *state;
	struct ticket a = ticket_make(7, "buergeramt", TICKET_WAITING);
	struct ticket b = ticket_make(8, "kfz", TICKET_ADMITTED);
	struct tlist l = {0};

	a.name = "Jürgen Müller";
	a.topic = "Personalausweis verlängern";
	a.message = "Notiz";
	strcpy(a.lang, "en");
	a.priority = 2;
	a.transferred_from = 3;
	a.disconnected_at = 1700000500;
	/* b: no token, no strings, zero references */
	b.has_token = false;
	b.room = 0;
	assert_int_equal(store_ticket_save(f->st, &a), STORE_OK);
	assert_int_equal(store_ticket_save(f->st, &b), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 2);
	assert_ticket_stored(&l.t[0], &a);
	assert_ticket_stored(&l.t[1], &b);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets WHERE id = 8"
	    " AND token_hash IS NULL AND name IS NULL AND room IS NULL"
	    " AND transferred_from IS NULL AND disconnected_at IS NULL"), 1);

	/* update: admitted into room 4, name dropped, reconnected */
	a.state = TICKET_ADMITTED;
	a.room = 4;
	a.name = NULL;
	a.message = NULL;
	a.disconnected_at = 0;
	a.transferred_to = 12;
	a.updated_at += 60;
	assert_int_equal(store_ticket_save(f->st, &a), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 2);
	assert_ticket_stored(&l.t[0], &a);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets"), 2);

	assert_int_equal(store_ticket_delete(f->st, 7), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.t[0].id, 8);
	/* deleting what is not there is no error */
	assert_int_equal(store_ticket_delete(f->st, 7), STORE_OK);
}

static void
test_active_tickets_exclude_finished_in_id_order(void **state)
{
	struct fx *f = *state;
	static const enum ticket_state finals[] = {TICKET_DONE,
	    TICKET_DECLINED, TICKET_WITHDRAWN, TICKET_EXPIRED,
	    TICKET_TRANSFERRED};
	struct ticket t;
	struct tlist l = {0};

	t = ticket_make(9, "kfz", TICKET_WAITING);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(2, "kfz", TICKET_ADMITTED);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(5, "buergeramt", TICKET_WAITING);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	for (size_t i = 0; i < sizeof(finals) / sizeof(finals[0]); i++) {
		t = ticket_make(20 + i, "kfz", finals[i]);
		assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	}
	list_active(f->st, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.t[0].id, 2);
	assert_int_equal(l.t[1].id, 5);
	assert_int_equal(l.t[2].id, 9);
	/* fn returning non-zero stops the walk */
	l.stop_after = 1;
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	/* and the statement is usable again */
	l.stop_after = 0;
	list_active(f->st, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets"), 8);
}

struct expire_ud {
	struct store *st;
	int seen;
};

static int
expire_each(void *ud, const struct ticket *t)
{
	struct expire_ud *e = ud;
	struct ticket c = *t;

	e->seen++;
	c.state = TICKET_EXPIRED;
	assert_int_equal(store_ticket_save(e->st, &c), STORE_OK);
	return 0;
}

static void
test_ticket_may_be_saved_during_restore_walk(void **state)
{
	struct fx *f = *state;
	struct expire_ud e = {.st = f->st};
	struct tlist l = {0};

	for (uint64_t id = 1; id <= 3; id++) {
		struct ticket t = ticket_make(id, "gone", TICKET_WAITING);

		t.name = "X";
		assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	}
	assert_int_equal(store_tickets_active(f->st, expire_each, &e),
	    STORE_OK);
	assert_int_equal(e.seen, 3);
	list_active(f->st, &l);
	assert_int_equal(l.n, 0);
}

static void
test_token_moves_to_newest_ticket(void **state)
{
	struct fx *f = *state;
	struct ticket old = ticket_make(1, "kfz", TICKET_WAITING);
	struct ticket nt = ticket_make(2, "buergeramt", TICKET_WAITING);
	struct tlist l = {0};

	assert_int_equal(store_ticket_save(f->st, &old), STORE_OK);
	/* transfer saved new-first: same token hash on the new ticket */
	memcpy(nt.token_hash, old.token_hash, LOBBY_TOKEN_HASH);
	nt.transferred_from = 1;
	assert_int_equal(store_ticket_save(f->st, &nt), STORE_OK);
	old.state = TICKET_TRANSFERRED;
	old.has_token = false;
	old.transferred_to = 2;
	assert_int_equal(store_ticket_save(f->st, &old), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	assert_ticket_stored(&l.t[0], &nt);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets"
	    " WHERE token_hash IS NOT NULL"), 1);
}

static void
test_rooms_open_lists_only_open_rooms(void **state)
{
	struct fx *f = *state;
	uint64_t anna = clerk_add(f->st, "anna");
	struct room r1 = {.id = 1, .office = "kfz", .office_idx = 2,
	    .clerk_id = anna, .ticket_id = 11, .opened_at = 1000};
	struct room r2 = {.id = 2, .office = "buergeramt", .clerk_id = anna,
	    .ticket_id = 12, .opened_at = 1100, .closed_at = 1500};
	struct room r3 = {.id = 3, .office = "kfz", .clerk_id = 0,
	    .ticket_id = 0, .opened_at = 1200};
	struct rlist l = {0};

	assert_int_equal(store_room_save(f->st, &r1), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r2), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r3), STORE_OK);
	assert_int_equal(store_rooms_open(f->st, collect_room, &l), STORE_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.r[0].id, 1);
	assert_string_equal(l.r[0].office, "kfz");
	assert_int_equal(l.r[0].office_idx, -1);
	assert_int_equal(l.r[0].clerk_id, anna);
	assert_int_equal(l.r[0].ticket_id, 11);
	assert_int_equal(l.r[0].opened_at, 1000);
	assert_int_equal(l.r[0].closed_at, 0);
	assert_int_equal(l.r[1].id, 3);
	assert_int_equal(l.r[1].clerk_id, 0);
	assert_int_equal(l.r[1].ticket_id, 0);

	/* closing r1 (an update of the row) drops it from the list */
	r1.closed_at = 2000;
	assert_int_equal(store_room_save(f->st, &r1), STORE_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_rooms_open(f->st, collect_room, &l), STORE_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].id, 3);
	assert_int_equal(sql_int(f, "SELECT closed_at FROM rooms WHERE id = 1"),
	    2000);
}

static void
test_deleted_ticket_leaves_room_without_ticket(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(11, "beratung", TICKET_DONE);
	struct room r = {.id = 1, .office = "beratung", .ticket_id = 11,
	    .opened_at = 1000};
	struct rlist l = {0};

	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);
	assert_int_equal(store_ticket_delete(f->st, 11), STORE_OK);
	assert_int_equal(store_rooms_open(f->st, collect_room, &l), STORE_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].ticket_id, 0);
}

static void
test_max_ids_survive_deletion(void **state)
{
	struct fx *f = *state;
	struct ticket t;
	struct room r = {.id = 6, .office = "kfz", .opened_at = 1};
	uint64_t ti = 9, ri = 9, seq = 9;

	assert_int_equal(store_max_ids(f->st, &ti, &ri, &seq), STORE_OK);
	assert_int_equal(ti, 0);
	assert_int_equal(ri, 0);
	assert_int_equal(seq, 0);
	t = ticket_make(4, "kfz", TICKET_WAITING);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(17, "kfz", TICKET_DONE);
	t.seq = 40;
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);
	assert_int_equal(store_max_ids(f->st, &ti, &ri, &seq), STORE_OK);
	assert_int_equal(ti, 17);
	assert_int_equal(ri, 6);
	assert_int_equal(seq, 104);
	/* an anonymous ticket's row goes, its id is never handed out again */
	assert_int_equal(store_ticket_delete(f->st, 17), STORE_OK);
	reopen(f);
	assert_int_equal(store_max_ids(f->st, &ti, &ri, &seq), STORE_OK);
	assert_int_equal(ti, 17);
}

static bool
anonymous_office(void *ud, const char *office)
{
	int *calls = ud;

	(*calls)++;
	return strcmp(office, "beratung") == 0;
}

static void
test_purge_clears_old_finished_and_deletes_anonymous(void **state)
{
	struct fx *f = *state;
	const int64_t before = 1700000100 + 50;
	struct ticket t;
	struct room r = {.id = 1, .office = "beratung", .ticket_id = 41,
	    .opened_at = 1, .closed_at = 2};
	int calls = 0;

	/* updated_at = 1700000100 + id: ids < 50 are old, >= 50 recent */
	t = ticket_make(10, "kfz", TICKET_DONE);        /* old, finished */
	t.name = "A";
	t.topic = "T";
	t.message = "M";
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(11, "kfz", TICKET_DECLINED);    /* old, nothing to clear */
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(60, "kfz", TICKET_DONE);        /* recent, finished */
	t.name = "B";
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(12, "kfz", TICKET_WAITING);     /* old but active */
	t.name = "C";
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(41, "beratung", TICKET_DONE);   /* anonymous, old */
	t.topic = "T";
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(70, "beratung", TICKET_WITHDRAWN); /* anonymous, recent */
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	t = ticket_make(71, "beratung", TICKET_WAITING); /* anonymous, active */
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);

	/* 41 and 70 deleted, 10 cleared */
	assert_int_equal(store_purge(f->st, before, anonymous_office, &calls),
	    3);
	assert_int_equal(calls, 2);     /* once per office with finished rows */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets WHERE id = 10"
	    " AND name IS NULL AND topic IS NULL AND message IS NULL"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets WHERE"
	    " id = 60 AND name = 'B'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets WHERE"
	    " id = 12 AND name = 'C'"), 1);
	assert_int_equal(sql_int(f, "SELECT group_concat(id) FROM (SELECT id"
	    " FROM tickets WHERE office = 'beratung' ORDER BY id)"), 71);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM rooms WHERE id = 1"
	    " AND ticket_id IS NULL"), 1);
	/* a second run finds nothing left to do */
	assert_int_equal(store_purge(f->st, before, anonymous_office, &calls),
	    0);
	/* inside a caller's transaction it joins that transaction */
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_purge(f->st, 1800000000, anonymous_office,
	    &calls), 1);
	store_rollback(f->st);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets WHERE"
	    " id = 60 AND name = 'B'"), 1);
}

static void
test_transaction_commit_and_rollback(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(1, "kfz", TICKET_WAITING);
	struct tlist l = {0};

	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	store_rollback(f->st);
	list_active(f->st, &l);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	assert_int_equal(store_audit(f->st, 5, "citizen", "knock", "kfz", 1, 0),
	    STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	/* rollback without a transaction is harmless */
	store_rollback(f->st);
}

/* --- clerks ------------------------------------------------------------- */

static int
collect_clerk_names(void *ud, const struct store_clerk *c)
{
	char *names = ud;

	strcat(names, c->name);
	strcat(names, ",");
	return 0;
}

static void
test_clerk_add_get_list(void **state)
{
	struct fx *f = *state;
	static const char *const offices[] = {"kfz", "buergeramt", "auslaender"};
	struct store_clerk c, c2;
	char names[128] = "";

	assert_int_equal(store_clerk_add(f->st, "zoe", "$scrypt$h1", offices, 3,
	    1700000000), STORE_OK);
	assert_int_equal(store_clerk_add(f->st, "anna", "$scrypt$h2", NULL, 0,
	    1700000001), STORE_OK);
	assert_int_equal(store_clerk_add(f->st, "zoe", "$scrypt$h3", offices, 1,
	    1700000002), STORE_E_EXISTS);
	/* the refused add left nothing behind */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM clerks"), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM clerk_offices"), 3);

	assert_int_equal(store_clerk_get(f->st, "zoe", &c), STORE_OK);
	assert_string_equal(c.name, "zoe");
	assert_string_equal(c.pwhash, "$scrypt$h1");
	assert_int_equal(c.created_at, 1700000000);
	assert_int_equal(c.noffices, 3);
	assert_string_equal(c.offices[0], "auslaender");
	assert_string_equal(c.offices[1], "buergeramt");
	assert_string_equal(c.offices[2], "kfz");
	assert_int_equal(store_clerk_get_id(f->st, c.id, &c2), STORE_OK);
	assert_memory_equal(&c, &c2, sizeof(c));
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_OK);
	assert_int_equal(c.noffices, 0);
	assert_int_equal(store_clerk_get(f->st, "bob", &c), STORE_E_NOTFOUND);
	assert_int_equal(store_clerk_get_id(f->st, 999, &c), STORE_E_NOTFOUND);

	assert_int_equal(store_clerk_list(f->st, collect_clerk_names, names),
	    STORE_OK);
	assert_string_equal(names, "anna,zoe,");
}

static void
test_clerk_names_are_validated(void **state)
{
	struct fx *f = *state;
	char longname[STORE_USER_MAX + 2];

	assert_true(store_clerk_name_valid("anna.m_1-x"));
	assert_false(store_clerk_name_valid(""));
	assert_false(store_clerk_name_valid("Anna"));
	assert_false(store_clerk_name_valid("an na"));
	assert_false(store_clerk_name_valid("jürgen"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(store_clerk_name_valid(longname));
	longname[STORE_USER_MAX] = '\0';
	assert_true(store_clerk_name_valid(longname));
	assert_int_equal(store_clerk_add(f->st, "An na", "h", NULL, 0, 1),
	    STORE_E_IO);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM clerks"), 0);
}

static void
test_clerk_passwd_logs_out_everywhere(void **state)
{
	struct fx *f = *state;
	uint64_t anna = clerk_add(f->st, "anna");
	uint64_t bob = clerk_add(f->st, "bob");
	struct store_clerk c;
	uint8_t h1[32], h2[32], h3[32];
	uint64_t id;

	hash_fill(h1, 1);
	hash_fill(h2, 2);
	hash_fill(h3, 3);
	assert_int_equal(store_session_add(f->st, h1, 32, anna, 5000), STORE_OK);
	assert_int_equal(store_session_add(f->st, h2, 32, anna, 5000), STORE_OK);
	assert_int_equal(store_session_add(f->st, h3, 32, bob, 5000), STORE_OK);
	assert_int_equal(store_clerk_passwd(f->st, "anna", "$scrypt$new"),
	    STORE_OK);
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_OK);
	assert_string_equal(c.pwhash, "$scrypt$new");
	assert_int_equal(store_session_get(f->st, h1, 32, 100, &id),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_session_get(f->st, h2, 32, 100, &id),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_session_get(f->st, h3, 32, 100, &id), STORE_OK);
	assert_int_equal(id, bob);
	/* a clerk without sessions */
	assert_int_equal(store_clerk_passwd(f->st, "anna", "$scrypt$newer"),
	    STORE_OK);
	assert_int_equal(store_clerk_passwd(f->st, "nobody", "$scrypt$x"),
	    STORE_E_NOTFOUND);
}

static void
test_clerk_del_cascades(void **state)
{
	struct fx *f = *state;
	uint64_t anna = clerk_add(f->st, "anna");
	struct room r = {.id = 1, .office = "kfz", .clerk_id = anna,
	    .ticket_id = 3, .opened_at = 10};
	struct store_clerk c;
	struct rlist l = {0};
	uint8_t h[32];

	clerk_add(f->st, "bob");
	hash_fill(h, 9);
	assert_int_equal(store_session_add(f->st, h, 32, anna, 5000), STORE_OK);
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);
	assert_int_equal(store_clerk_del(f->st, "anna"), STORE_OK);
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_E_NOTFOUND);
	assert_int_equal(store_clerk_del(f->st, "anna"), STORE_E_NOTFOUND);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM clerk_offices"), 2);
	assert_int_equal(store_rooms_open(f->st, collect_room, &l), STORE_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].clerk_id, 0);
	assert_int_equal(store_clerk_get(f->st, "bob", &c), STORE_OK);
	assert_int_equal(c.noffices, 2);
}

/* --- sessions and audit ------------------------------------------------- */

static void
test_sessions_add_get_expire_del_purge(void **state)
{
	struct fx *f = *state;
	uint64_t anna = clerk_add(f->st, "anna");
	uint8_t h1[32], h2[32], h3[32];
	uint64_t id = 0;

	hash_fill(h1, 1);
	hash_fill(h2, 2);
	hash_fill(h3, 3);
	assert_int_equal(store_session_add(f->st, h1, 32, anna, 1000), STORE_OK);
	assert_int_equal(store_session_add(f->st, h2, 32, anna, 2000), STORE_OK);
	assert_int_equal(store_session_add(f->st, h3, 32, anna, 3000), STORE_OK);
	/* the same hash twice is refused (primary key) */
	assert_int_equal(store_session_add(f->st, h1, 32, anna, 1000),
	    STORE_E_IO);
	assert_int_equal(store_session_get(f->st, h1, 32, 999, &id), STORE_OK);
	assert_int_equal(id, anna);
	assert_int_equal(store_session_get(f->st, h1, 32, 1000, &id),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_session_get(f->st, h1, 31, 10, &id),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_session_del(f->st, h2, 32), STORE_OK);
	assert_int_equal(store_session_del(f->st, h2, 32), STORE_E_NOTFOUND);
	assert_int_equal(store_session_get(f->st, h2, 32, 10, &id),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_session_purge(f->st, 2500), 1);  /* h1 */
	assert_int_equal(store_session_purge(f->st, 2500), 0);
	assert_int_equal(store_session_get(f->st, h3, 32, 2500, &id), STORE_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sessions"), 1);
}

static void
test_audit_rows_are_written(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_audit(f->st, 100, "clerk:anna", "admit", "kfz",
	    7, 3), STORE_OK);
	assert_int_equal(store_audit(f->st, 101, "system", "purge", NULL, 0, 0),
	    STORE_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE at = 100"
	    " AND actor = 'clerk:anna' AND action = 'admit' AND office = 'kfz'"
	    " AND ticket_id = 7 AND room_id = 3"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE at = 101"
	    " AND actor = 'system' AND office IS NULL AND ticket_id IS NULL"
	    " AND room_id IS NULL"), 1);
}

static void
test_errors_leave_the_store_usable(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(1, "kfz", TICKET_WAITING);
	struct tlist l = {0};
	uint64_t anna;
	uint8_t h[32];

	t.state = (enum ticket_state)99;
	assert_int_equal(store_ticket_save(f->st, &t), STORE_E_IO);
	/* a row the store cannot represent (lang too long) */
	sql_exec(f, "INSERT INTO tickets (id, office, state, lang, knocked_at,"
	    " updated_at, seq) VALUES (5, 'kfz', 'waiting', 'much-too-long',"
	    " 1, 1, 1)");
	assert_int_equal(store_tickets_active(f->st, collect_ticket, &l),
	    STORE_E_IO);
	assert_int_equal(store_ticket_delete(f->st, 5), STORE_OK);
	t.state = TICKET_WAITING;
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	list_active(f->st, &l);
	assert_int_equal(l.n, 1);
	/* a failed insert inside a transaction; the caller rolls back */
	hash_fill(h, 1);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_session_add(f->st, h, 32, 42, 9), STORE_E_IO);
	store_rollback(f->st);
	anna = clerk_add(f->st, "anna");
	assert_int_equal(store_session_add(f->st, h, 32, anna, 9), STORE_OK);
}

/* --- durability and several processes ----------------------------------- */

static void
test_everything_survives_close_and_reopen(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(3, "kfz", TICKET_WAITING);
	struct room r = {.id = 2, .office = "kfz", .ticket_id = 3,
	    .opened_at = 9};
	struct store_clerk c;
	struct tlist tl = {0};
	struct rlist rl = {0};
	uint8_t h[32];
	uint64_t anna, id;

	anna = clerk_add(f->st, "anna");
	hash_fill(h, 4);
	t.name = "Name";
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	r.clerk_id = anna;
	assert_int_equal(store_room_save(f->st, &r), STORE_OK);
	assert_int_equal(store_session_add(f->st, h, 32, anna, 50), STORE_OK);
	assert_int_equal(store_audit(f->st, 1, "citizen", "knock", "kfz", 3, 0),
	    STORE_OK);
	reopen(f);
	list_active(f->st, &tl);
	assert_int_equal(tl.n, 1);
	assert_ticket_stored(&tl.t[0], &t);
	assert_int_equal(store_rooms_open(f->st, collect_room, &rl), STORE_OK);
	assert_int_equal(rl.n, 1);
	assert_int_equal(rl.r[0].clerk_id, anna);
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_OK);
	assert_int_equal(c.noffices, 2);
	assert_int_equal(store_session_get(f->st, h, 32, 10, &id), STORE_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit"), 1);
}

static void
test_commit_survives_a_process_that_never_closed(void **state)
{
	struct fx *f = *state;
	struct ticket t = ticket_make(1, "kfz", TICKET_WAITING);
	struct tlist l = {0};
	char wal[128];
	struct stat sb;
	pid_t pid;
	int status;

	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	/* no connection may cross fork(): the child opens its own */
	store_close(f->st);
	f->st = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		struct store *st = store_open(f->dir, err, sizeof(err));
		struct ticket c;
		int bad = 0;

		if (st == NULL)
			_exit(2);
		c = ticket_make(2, "kfz", TICKET_WAITING);
		bad |= store_ticket_save(st, &c) != STORE_OK;
		c = ticket_make(1, "kfz", TICKET_ADMITTED);
		bad |= store_begin(st) != STORE_OK;
		bad |= store_ticket_save(st, &c) != STORE_OK;
		bad |= store_commit(st) != STORE_OK;
		/* begun, never committed: must vanish */
		c = ticket_make(3, "kfz", TICKET_WAITING);
		bad |= store_begin(st) != STORE_OK;
		bad |= store_ticket_save(st, &c) != STORE_OK;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the child's commits are only in the WAL */
	snprintf(wal, sizeof(wal), "%s/%s-wal", f->dir, STORE_FILE);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 0);
	reopen(f);
	list_active(f->st, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.t[0].id, 1);
	assert_int_equal(l.t[0].state, TICKET_ADMITTED);
	assert_int_equal(l.t[1].id, 2);
}

static void
test_two_handles_on_one_file(void **state)
{
	struct fx *f = *state;
	struct store *other;
	struct store_clerk c;
	struct ticket t = ticket_make(1, "kfz", TICKET_WAITING);
	struct tlist l = {0};
	char err[256];

	other = store_open(f->dir, err, sizeof(err));
	if (other == NULL)
		fail_msg("second store_open: %s", err);
	/* "klopfd user add" while the daemon runs */
	assert_int_equal(store_clerk_add(other, "anna", "$scrypt$h", NULL, 0, 1),
	    STORE_OK);
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_ticket_save(f->st, &t), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	list_active(other, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(store_clerk_del(other, "anna"), STORE_OK);
	assert_int_equal(store_clerk_get(f->st, "anna", &c), STORE_E_NOTFOUND);
	store_close(other);
}

#define CONCURRENT_N 60

static void
test_two_processes_write_at_once(void **state)
{
	struct fx *f = *state;
	char err[256];
	pid_t pid;
	int status, bad = 0;

	store_close(f->st);
	f->st = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st = store_open(f->dir, err, sizeof(err));
		char name[32];

		if (st == NULL)
			_exit(2);
		for (int i = 0; i < CONCURRENT_N; i++) {
			snprintf(name, sizeof(name), "clerk%d", i);
			bad |= store_clerk_add(st, name, "$scrypt$h", NULL, 0,
			    i) != STORE_OK;
		}
		store_close(st);
		_exit(bad);
	}
	f->st = store_open(f->dir, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("store_open: %s", err);
	for (int i = 1; i <= CONCURRENT_N; i++) {
		struct ticket t = ticket_make((uint64_t)i, "kfz",
		    TICKET_WAITING);

		bad |= store_begin(f->st) != STORE_OK;
		bad |= store_ticket_save(f->st, &t) != STORE_OK;
		bad |= store_audit(f->st, i, "citizen", "knock", "kfz",
		    (uint64_t)i, 0) != STORE_OK;
		bad |= store_commit(f->st) != STORE_OK;
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM clerks"),
	    CONCURRENT_N);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM tickets"),
	    CONCURRENT_N);
}

static void
test_two_processes_create_the_file_at_once(void **state)
{
	struct fx *f = *state;

	for (int round = 0; round < 5; round++) {
		char sub[128], err[256];
		struct store *st;
		pid_t pid;
		int status;

		snprintf(sub, sizeof(sub), "%s/race%d", f->dir, round);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			st = store_open(sub, err, sizeof(err));
			if (st == NULL) {
				fprintf(stderr, "child: %s\n", err);
				_exit(1);
			}
			_exit(store_schema_version(st) != STORE_SCHEMA_VERSION);
		}
		st = store_open(sub, err, sizeof(err));
		if (st == NULL)
			fail_msg("store_open: %s", err);
		assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		store_close(st);
	}
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fresh_open_creates_latest_schema),
		T(test_missing_state_dir_is_created_private),
		T(test_uncreatable_state_dir_is_reported),
		T(test_migrations_run_once_across_reopen),
		T(test_newer_schema_is_refused),
		T(test_failed_migration_changes_nothing),
		T(test_foreign_keys_are_enforced),
		T(test_ticket_round_trip_keeps_every_field),
		T(test_active_tickets_exclude_finished_in_id_order),
		T(test_ticket_may_be_saved_during_restore_walk),
		T(test_token_moves_to_newest_ticket),
		T(test_rooms_open_lists_only_open_rooms),
		T(test_deleted_ticket_leaves_room_without_ticket),
		T(test_max_ids_survive_deletion),
		T(test_purge_clears_old_finished_and_deletes_anonymous),
		T(test_transaction_commit_and_rollback),
		T(test_clerk_add_get_list),
		T(test_clerk_names_are_validated),
		T(test_clerk_passwd_logs_out_everywhere),
		T(test_clerk_del_cascades),
		T(test_sessions_add_get_expire_del_purge),
		T(test_audit_rows_are_written),
		T(test_errors_leave_the_store_usable),
		T(test_everything_survives_close_and_reopen),
		T(test_commit_survives_a_process_that_never_closed),
		T(test_two_handles_on_one_file),
		T(test_two_processes_write_at_once),
		T(test_two_processes_create_the_file_at_once),
	};
#undef T

	/* the failures the tests provoke (foreign keys, duplicates) each
	 * log one "store: ..." error line; they are expected */
	log_init("test_store", KLOG_ERROR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
