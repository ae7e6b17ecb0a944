/*
 * test_mediatoken: the clerk's short-lived media tokens: taken once with
 * their room, clerk and session; void after MEDIATOKEN_TTL, when their
 * room ends or their session logs out; at most MEDIATOKEN_PER_CLERK live
 * ones per clerk, and an expired one frees its place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mediatoken.h"

static void
hash_of(unsigned n, uint8_t h[TOKEN_HASH_LEN])
{
	memset(h, 0, TOKEN_HASH_LEN);
	memcpy(h, &n, sizeof(n));
	h[TOKEN_HASH_LEN - 1] = 0xa5;
}

static struct mediatoken_grant
grant(uint64_t room, uint64_t clerk, unsigned session)
{
	struct mediatoken_grant g;

	memset(&g, 0, sizeof(g));
	g.room = room;
	g.clerk = clerk;
	hash_of(1000 + session, g.session);
	return g;
}

static void
test_taken_once_with_its_grant(void **state)
{
	struct mediatokens *mt = mediatokens_new();
	struct mediatoken_grant g = grant(7, 3, 1), out;
	uint8_t h[TOKEN_HASH_LEN], other[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, h);
	hash_of(2, other);
	assert_int_equal(mediatokens_add(mt, h, &g, 100), 0);
	assert_int_equal(mediatokens_count(mt), 1);
	assert_int_equal(mediatokens_take(mt, other, 101, &out), -1);
	assert_int_equal(mediatokens_take(mt, h, 101, &out), 0);
	assert_int_equal(out.room, 7);
	assert_int_equal(out.clerk, 3);
	assert_memory_equal(out.session, g.session, TOKEN_HASH_LEN);
	assert_int_equal(mediatokens_take(mt, h, 101, &out), -1);
	assert_int_equal(mediatokens_count(mt), 0);
	mediatokens_free(mt);
}

static void
test_void_after_its_lifetime(void **state)
{
	struct mediatokens *mt = mediatokens_new();
	struct mediatoken_grant g = grant(7, 3, 1), out;
	uint8_t h[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, h);
	mediatokens_add(mt, h, &g, 100);
	assert_int_equal(mediatokens_take(mt, h, 100 + MEDIATOKEN_TTL, &out),
	    -1);
	/* and gone: an earlier clock would not revive it */
	assert_int_equal(mediatokens_take(mt, h, 100, &out), -1);
	mediatokens_add(mt, h, &g, 100);
	assert_int_equal(mediatokens_take(mt, h, 100 + MEDIATOKEN_TTL - 1,
	    &out), 0);
	mediatokens_free(mt);
}

static void
test_bounded_per_clerk_and_expired_ones_make_room(void **state)
{
	struct mediatokens *mt = mediatokens_new();
	struct mediatoken_grant g = grant(7, 3, 1), bert = grant(8, 4, 2),
	    out;
	uint8_t h[TOKEN_HASH_LEN];
	unsigned i;

	(void)state;
	for (i = 0; i < MEDIATOKEN_PER_CLERK; i++) {
		hash_of(i + 1, h);
		assert_int_equal(mediatokens_add(mt, h, &g, 100 + i), 0);
	}
	hash_of(99, h);
	assert_int_equal(mediatokens_add(mt, h, &g, 110), -1);
	/* another clerk is not limited by this one */
	hash_of(50, h);
	assert_int_equal(mediatokens_add(mt, h, &bert, 110), 0);
	/* one used: one place free */
	hash_of(2, h);
	assert_int_equal(mediatokens_take(mt, h, 111, &out), 0);
	hash_of(99, h);
	assert_int_equal(mediatokens_add(mt, h, &g, 111), 0);
	hash_of(98, h);
	assert_int_equal(mediatokens_add(mt, h, &g, 111), -1);
	/* the first (issued at 100) has expired at 100 + TTL: its place is
	 * free again, and it stays void */
	hash_of(98, h);
	assert_int_equal(mediatokens_add(mt, h, &g, 100 + MEDIATOKEN_TTL), 0);
	hash_of(1, h);
	assert_int_equal(mediatokens_take(mt, h, 100, &out), -1);
	mediatokens_free(mt);
}

static void
test_room_end_and_logout_void_only_theirs(void **state)
{
	struct mediatokens *mt = mediatokens_new();
	struct mediatoken_grant a1 = grant(7, 3, 1), a2 = grant(7, 3, 2),
	    b = grant(8, 4, 3), old = grant(6, 3, 1), out;
	uint8_t h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN], h3[TOKEN_HASH_LEN],
	    h4[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, h1);
	hash_of(2, h2);
	hash_of(3, h3);
	hash_of(4, h4);
	mediatokens_add(mt, h1, &a1, 100);
	mediatokens_add(mt, h2, &a2, 100);
	mediatokens_add(mt, h3, &b, 100);
	mediatokens_add(mt, h4, &old, 100);
	/* session 1 of clerk 3 logs out: its tokens go, session 2's stay */
	mediatokens_drop_session(mt, 3, a1.session);
	assert_int_equal(mediatokens_take(mt, h1, 101, &out), -1);
	assert_int_equal(mediatokens_take(mt, h4, 101, &out), -1);
	assert_int_equal(mediatokens_count(mt), 2);
	/* another clerk's session of the same hash would not matter */
	mediatokens_drop_session(mt, 4, a2.session);
	assert_int_equal(mediatokens_count(mt), 2);
	mediatokens_add(mt, h1, &a1, 100);
	mediatokens_drop_room(mt, 3, 7);
	assert_int_equal(mediatokens_take(mt, h1, 101, &out), -1);
	assert_int_equal(mediatokens_take(mt, h2, 101, &out), -1);
	assert_int_equal(mediatokens_take(mt, h3, 101, &out), 0);
	assert_int_equal(out.room, 8);
	assert_int_equal(mediatokens_count(mt), 0);
	mediatokens_free(mt);
}

static void
test_the_timer_drops_expired_ones(void **state)
{
	struct mediatokens *mt = mediatokens_new();
	struct mediatoken_grant g = grant(7, 3, 1), b = grant(8, 4, 2), out;
	uint8_t h[TOKEN_HASH_LEN];

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		hash_of(i + 1, h);
		mediatokens_add(mt, h, &g, 100 + 10 * i);
	}
	hash_of(9, h);
	mediatokens_add(mt, h, &b, 100);
	mediatokens_expire(mt, 100 + MEDIATOKEN_TTL + 10);
	assert_int_equal(mediatokens_count(mt), 1);
	hash_of(3, h);
	assert_int_equal(mediatokens_take(mt, h, 100 + MEDIATOKEN_TTL + 10,
	    &out), 0);
	mediatokens_expire(mt, 1000);
	assert_int_equal(mediatokens_count(mt), 0);
	mediatokens_free(mt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken_once_with_its_grant),
		cmocka_unit_test(test_void_after_its_lifetime),
		cmocka_unit_test(test_bounded_per_clerk_and_expired_ones_make_room),
		cmocka_unit_test(test_room_end_and_logout_void_only_theirs),
		cmocka_unit_test(test_the_timer_drops_expired_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
