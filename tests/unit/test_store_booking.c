/*
 * test_store_booking: appointments in a real sqlite file: book, look up
 * by code hash, cancel, block, the agenda, counts per address, and the
 * rule that matters most: of two bookings of one slot, made at the same
 * moment by two processes, exactly one wins.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "store.h"
#include "store_booking.h"

#define T0 1795521600           /* Tue 2026-11-24 12:00 UTC */

struct fx {
	char dir[64];
	struct store *st;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	tmpdir_make(f->dir, sizeof(f->dir), "booking");
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

static void
hash(unsigned n, uint8_t h[BOOKING_HASH_LEN])
{
	memset(h, 0x11, BOOKING_HASH_LEN);
	memcpy(h, &n, sizeof(n));
}

static struct booking
booking(const char *office, int64_t start, const char *name)
{
	struct booking b;

	memset(&b, 0, sizeof(b));
	strcpy(b.office, office);
	b.slot_start = start;
	b.slot_end = start + 1200;
	b.state = BOOKING_BOOKED;
	if (name != NULL)
		strcpy(b.name, name);
	strcpy(b.topic, "Eheschließung");
	strcpy(b.lang, "de");
	b.created_at = T0;
	return b;
}

static void
test_book_and_look_up(void **state)
{
	struct fx *f = *state;
	struct booking b = booking("standesamt", T0 + 3600, "Erika Muster"), g;
	uint8_t code[BOOKING_HASH_LEN], other[BOOKING_HASH_LEN];
	uint64_t id = 0;

	hash(1, code);
	hash(2, other);
	assert_int_equal(store_booking_add(f->st, &b, code, NULL, &id),
	    STORE_OK);
	assert_true(id > 0);
	assert_int_equal(store_booking_by_code(f->st, code, &g), STORE_OK);
	assert_int_equal(g.id, id);
	assert_string_equal(g.office, "standesamt");
	assert_int_equal(g.slot_start, T0 + 3600);
	assert_int_equal(g.slot_end, T0 + 3600 + 1200);
	assert_int_equal(g.state, BOOKING_BOOKED);
	assert_string_equal(g.name, "Erika Muster");
	assert_string_equal(g.topic, "Eheschließung");
	assert_string_equal(g.message, "");
	assert_int_equal(store_booking_by_code(f->st, other, &g),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_booking_get(f->st, id + 1, &g),
	    STORE_E_NOTFOUND);
	/* an anonymous booking keeps no name */
	b = booking("beratung", T0 + 3600, NULL);
	hash(3, code);
	assert_int_equal(store_booking_add(f->st, &b, code, NULL, &id),
	    STORE_OK);
	assert_int_equal(store_booking_get(f->st, id, &g), STORE_OK);
	assert_string_equal(g.name, "");
}

static void
test_one_slot_one_booking(void **state)
{
	struct fx *f = *state;
	struct booking b = booking("standesamt", T0 + 3600, "A"), g;
	uint8_t c1[BOOKING_HASH_LEN], c2[BOOKING_HASH_LEN], c3[BOOKING_HASH_LEN];
	uint64_t id1, id2, id3;

	hash(1, c1);
	hash(2, c2);
	hash(3, c3);
	assert_int_equal(store_booking_add(f->st, &b, c1, NULL, &id1),
	    STORE_OK);
	assert_int_equal(store_booking_add(f->st, &b, c2, NULL, &id2),
	    STORE_E_TAKEN);
	/* the same time at another office is another slot */
	strcpy(b.office, "kasse");
	assert_int_equal(store_booking_add(f->st, &b, c2, NULL, &id2),
	    STORE_OK);
	/* cancelled: the slot is free again, and the message is kept */
	assert_int_equal(store_booking_set_state(f->st, id1,
	    BOOKING_CANCELLED, "Das Amt ist an diesem Tag geschlossen.",
	    T0 + 60), STORE_OK);
	assert_int_equal(store_booking_get(f->st, id1, &g), STORE_OK);
	assert_int_equal(g.state, BOOKING_CANCELLED);
	assert_string_equal(g.message,
	    "Das Amt ist an diesem Tag geschlossen.");
	assert_int_equal(g.updated_at, T0 + 60);
	strcpy(b.office, "standesamt");
	assert_int_equal(store_booking_add(f->st, &b, c3, NULL, &id3),
	    STORE_OK);
	/* the cancelled one cannot come back over the new one */
	assert_int_equal(store_booking_set_state(f->st, id1, BOOKING_BOOKED,
	    NULL, T0 + 120), STORE_E_TAKEN);
	assert_int_equal(store_booking_set_state(f->st, 9999, BOOKING_DONE,
	    NULL, T0), STORE_E_NOTFOUND);
}

static void
test_block_without_code(void **state)
{
	struct fx *f = *state;
	struct booking b = booking("standesamt", T0 + 7200, NULL);
	uint8_t c[BOOKING_HASH_LEN];
	uint64_t id;
	int64_t starts[8];

	b.state = BOOKING_BLOCKED;
	assert_int_equal(store_booking_add(f->st, &b, NULL, NULL, &id),
	    STORE_OK);
	/* a second block of another slot: NULL codes do not clash */
	b.slot_start += 1200;
	assert_int_equal(store_booking_add(f->st, &b, NULL, NULL, &id),
	    STORE_OK);
	b.state = BOOKING_BOOKED;
	b.slot_start -= 1200;
	hash(7, c);
	assert_int_equal(store_booking_add(f->st, &b, c, NULL, &id),
	    STORE_E_TAKEN);
	assert_int_equal(store_booking_taken(f->st, "standesamt", T0,
	    T0 + 86400, starts, 8), 2);
	assert_int_equal(starts[0], T0 + 7200);
	assert_int_equal(starts[1], T0 + 7200 + 1200);
}

static void
test_agenda_and_counts(void **state)
{
	struct fx *f = *state;
	uint8_t c[BOOKING_HASH_LEN], addr[BOOKING_HASH_LEN],
	    addr2[BOOKING_HASH_LEN];
	struct booking list[16];
	int64_t starts[16];
	uint64_t id;

	hash(100, addr);
	hash(101, addr2);
	for (int i = 0; i < 5; i++) {
		struct booking b = booking(i < 4 ? "standesamt" : "kasse",
		    T0 + 3600 * (5 - i), "X");

		b.created_at = T0 + i;
		hash((unsigned)i, c);
		assert_int_equal(store_booking_add(f->st, &b, c,
		    i < 3 ? addr : addr2, &id), STORE_OK);
	}
	assert_int_equal(store_booking_list(f->st, "standesamt", T0,
	    T0 + 86400, list, 16), 4);
	for (int i = 1; i < 4; i++)
		assert_true(list[i].slot_start > list[i - 1].slot_start);
	assert_int_equal(store_booking_list(f->st, "standesamt", T0,
	    T0 + 3 * 3600, list, 16), 1);
	assert_int_equal(store_booking_taken(f->st, "kasse", T0, T0 + 86400,
	    starts, 16), 1);
	assert_int_equal(store_booking_count_addr(f->st, addr, NULL, T0), 3);
	assert_int_equal(store_booking_count_addr(f->st, addr, NULL, T0 + 1),
	    2);
	assert_int_equal(store_booking_count_addr(f->st, addr2, "kasse", T0),
	    1);
	assert_int_equal(store_booking_count_addr(f->st, addr2, "standesamt",
	    T0), 1);
	assert_int_equal(store_booking_count_addr(f->st, addr, "kasse", T0),
	    0);
}

static void
test_two_processes_book_one_slot_at_once(void **state)
{
	struct fx *f = *state;
	enum { ROUNDS = 20 };

	/* both sides open their own connection, wait on a pipe, then book
	 * the same slot; exactly one may win, every round */
	for (int round = 0; round < ROUNDS; round++) {
		int go[2], wins = 0;
		pid_t kids[2];

		assert_int_equal(pipe(go), 0);
		for (int k = 0; k < 2; k++) {
			kids[k] = fork();
			assert_true(kids[k] >= 0);
			if (kids[k] == 0) {
				char err[256], c;
				struct store *st = store_open(f->dir, err,
				    sizeof(err));
				struct booking b = booking("standesamt",
				    T0 + 600 * round, "Race");
				uint8_t code[BOOKING_HASH_LEN];
				uint64_t id;
				int rc;

				close(go[1]);
				if (st == NULL)
					_exit(3);
				hash((unsigned)(1000 + round * 2 + k), code);
				if (read(go[0], &c, 1) != 0)
					_exit(4);
				rc = store_booking_add(st, &b, code, NULL, &id);
				store_close(st);
				_exit(rc == STORE_OK ? 0 : rc == STORE_E_TAKEN ?
				    1 : 2);
			}
		}
		close(go[0]);
		close(go[1]);           /* both read EOF at once: go */
		for (int k = 0; k < 2; k++) {
			int status;

			assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
			assert_true(WIFEXITED(status));
			assert_true(WEXITSTATUS(status) <= 1);
			wins += WEXITSTATUS(status) == 0;
		}
		assert_int_equal(wins, 1);
	}
}

/* Retention: past and cancelled bookings lose their personal data and
 * their code; future ones keep them; the slot stays taken. */
static void
test_purge_personal_data(void **state)
{
	struct fx *f = *state;
	struct booking past = booking("standesamt", T0, "Erika Muster");
	struct booking future = booking("standesamt", T0 + 7200, "Max Muster");
	struct booking gone = booking("kasse", T0 + 9000, "Lea Muster");
	struct booking g;
	uint8_t c1[BOOKING_HASH_LEN], c2[BOOKING_HASH_LEN], c3[BOOKING_HASH_LEN];
	uint64_t i1, i2, i3;
	int64_t start;

	hash(1, c1);
	hash(2, c2);
	hash(3, c3);
	assert_int_equal(store_booking_add(f->st, &past, c1, c1, &i1), STORE_OK);
	assert_int_equal(store_booking_add(f->st, &future, c2, c2, &i2),
	    STORE_OK);
	assert_int_equal(store_booking_add(f->st, &gone, c3, c3, &i3), STORE_OK);
	assert_int_equal(store_booking_set_state(f->st, i3, BOOKING_CANCELLED,
	    "Erkrankt", T0 + 10), STORE_OK);
	/* nothing is old enough yet */
	assert_int_equal(store_booking_purge(f->st, NULL, T0), 0);
	/* the past and the cancelled one go; a second run finds nothing */
	assert_int_equal(store_booking_purge(f->st, NULL, T0 + 3600), 2);
	assert_int_equal(store_booking_purge(f->st, NULL, T0 + 3600), 0);
	assert_int_equal(store_booking_get(f->st, i1, &g), STORE_OK);
	assert_string_equal(g.name, "");
	assert_string_equal(g.topic, "");
	assert_int_equal(store_booking_by_code(f->st, c1, &g),
	    STORE_E_NOTFOUND);
	assert_int_equal(store_booking_get(f->st, i3, &g), STORE_OK);
	assert_string_equal(g.message, "");
	assert_int_equal(store_booking_get(f->st, i2, &g), STORE_OK);
	assert_string_equal(g.name, "Max Muster");
	assert_int_equal(store_booking_by_code(f->st, c2, &g), STORE_OK);
	assert_int_equal(store_booking_count_addr(f->st, c1, NULL, 0), 0);
	/* the past slot is still taken */
	assert_int_equal(store_booking_taken(f->st, "standesamt", T0, T0 + 1,
	    &start, 1), 1);
	/* one office only */
	assert_int_equal(store_booking_purge(f->st, "kasse", T0 + 99999), 0);
	assert_int_equal(store_booking_purge(f->st, "standesamt", T0 + 99999),
	    1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_book_and_look_up),
		T(test_one_slot_one_booking),
		T(test_block_without_code),
		T(test_agenda_and_counts),
		T(test_two_processes_book_one_slot_at_once),
		T(test_purge_personal_data),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
