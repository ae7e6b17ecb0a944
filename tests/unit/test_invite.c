/*
 * test_invite: single-use invitations: taken once, void after expiry or
 * when their room ends, unknown and used ones alike, and bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "invite.h"

static void
hash_of(unsigned n, uint8_t h[TOKEN_HASH_LEN])
{
	memset(h, 0, TOKEN_HASH_LEN);
	memcpy(h, &n, sizeof(n));
	h[TOKEN_HASH_LEN - 1] = 0x5a;
}

static void
test_taken_once(void **state)
{
	struct invites *iv = invites_new();
	uint8_t h[TOKEN_HASH_LEN], other[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, h);
	hash_of(2, other);
	assert_int_equal(invites_add(iv, h, 7, 1000, 100), 0);
	assert_int_equal(invites_count(iv), 1);
	assert_int_equal(invites_take(iv, other, 200), 0);
	assert_int_equal(invites_take(iv, h, 200), 7);
	assert_int_equal(invites_take(iv, h, 200), 0);
	assert_int_equal(invites_count(iv), 0);
	invites_free(iv);
}

static void
test_expiry(void **state)
{
	struct invites *iv = invites_new();
	uint8_t h[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, h);
	invites_add(iv, h, 7, 1000, 100);
	assert_int_equal(invites_take(iv, h, 1000), 0);   /* at expiry: void */
	/* and gone: a retry before the clock would not revive it */
	assert_int_equal(invites_take(iv, h, 999), 0);
	invites_add(iv, h, 7, 1000, 100);
	assert_int_equal(invites_take(iv, h, 999), 7);
	invites_free(iv);
}

static void
test_room_end_voids_its_invitations_only(void **state)
{
	struct invites *iv = invites_new();
	uint8_t a[TOKEN_HASH_LEN], b[TOKEN_HASH_LEN], c[TOKEN_HASH_LEN];

	(void)state;
	hash_of(1, a);
	hash_of(2, b);
	hash_of(3, c);
	invites_add(iv, a, 7, 1000, 0);
	invites_add(iv, b, 7, 1000, 0);
	invites_add(iv, c, 8, 1000, 0);
	invites_drop_room(iv, 7);
	assert_int_equal(invites_count(iv), 1);
	assert_int_equal(invites_take(iv, a, 1), 0);
	assert_int_equal(invites_take(iv, c, 1), 8);
	invites_free(iv);
}

static void
test_bounded(void **state)
{
	struct invites *iv = invites_new();
	uint8_t h[TOKEN_HASH_LEN];

	(void)state;
	for (unsigned i = 0; i < INVITE_MAX; i++) {
		hash_of(i, h);
		assert_int_equal(invites_add(iv, h, 7, 100 + (i % 2) * 1000, 0),
		    0);
	}
	hash_of(INVITE_MAX, h);
	assert_int_equal(invites_add(iv, h, 7, 5000, 50), -1);
	/* once half have expired there is room again */
	assert_int_equal(invites_add(iv, h, 7, 5000, 200), 0);
	assert_int_equal(invites_count(iv), INVITE_MAX / 2 + 1);
	invites_free(iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken_once),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_room_end_voids_its_invitations_only),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
