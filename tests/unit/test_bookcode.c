/*
 * test_bookcode: booking codes look right, carry no look-alikes, are
 * spread evenly over the alphabet, and are read back from what a person
 * types (case, spaces, dashes), while anything else is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <glib.h>

#include "bookcode.h"

static void
test_shape_and_alphabet(void **state)
{
	char c[BOOKCODE_TEXT_MAX + 1];

	(void)state;
	assert_int_equal(strlen(BOOKCODE_ALPHABET), 31);
	for (const char *p = "01ILO"; *p; p++)
		assert_null(strchr(BOOKCODE_ALPHABET, *p));
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(bookcode_new(c), 0);
		assert_int_equal(strlen(c), BOOKCODE_TEXT_MAX);
		assert_int_equal(c[4], '-');
		assert_int_equal(c[9], '-');
		for (int k = 0; k < BOOKCODE_TEXT_MAX; k++)
			if (k != 4 && k != 9)
				assert_non_null(strchr(BOOKCODE_ALPHABET, c[k]));
	}
}

static void
test_even_spread_and_no_repeats(void **state)
{
	enum { N = 20000 };
	char c[BOOKCODE_TEXT_MAX + 1];
	unsigned count[256] = {0};
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	double chi = 0, expect = (double)N * BOOKCODE_SYMBOLS / 31;

	(void)state;
	for (int i = 0; i < N; i++) {
		assert_int_equal(bookcode_new(c), 0);
		assert_true(g_hash_table_add(seen, g_strdup(c)));
		for (int k = 0; k < BOOKCODE_TEXT_MAX; k++)
			if (c[k] != '-')
				count[(unsigned char)c[k]]++;
	}
	for (const char *p = BOOKCODE_ALPHABET; *p; p++) {
		double d = count[(unsigned char)*p] - expect;

		chi += d * d / expect;
	}
	/* 30 degrees of freedom: p = 0.0001 at about 64 */
	assert_true(chi < 64);
	g_hash_table_destroy(seen);
}

static void
test_parse_is_tolerant(void **state)
{
	char out[BOOKCODE_TEXT_MAX + 1];

	(void)state;
	assert_int_equal(bookcode_parse("K7WP-Q3HX-M9", out), 0);
	assert_string_equal(out, "K7WP-Q3HX-M9");
	assert_int_equal(bookcode_parse("k7wp q3hx m9", out), 0);
	assert_string_equal(out, "K7WP-Q3HX-M9");
	assert_int_equal(bookcode_parse(" K7WPQ3HXM9 ", out), 0);
	assert_string_equal(out, "K7WP-Q3HX-M9");
	assert_int_equal(bookcode_parse("k7-wp.q3-hx\tm9", out), 0);
	assert_string_equal(out, "K7WP-Q3HX-M9");
}

/* Every way of typing a code leads to the same stored hash; another code
 * or a non-code does not. */
static void
test_hash_of_typed_forms(void **state)
{
	uint8_t a[BOOKCODE_HASH_LEN], b[BOOKCODE_HASH_LEN];

	(void)state;
	assert_int_equal(bookcode_hash("K7WP-Q3HX-M9", a), 0);
	assert_int_equal(bookcode_hash(" k7wp q3hx.m9 ", b), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(bookcode_hash("K7WP-Q3HX-M8", b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(bookcode_hash("K7WP-Q3HX-M", b), -1);
	assert_int_equal(bookcode_hash("O7WP-Q3HX-M9", b), -1);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "K7WP-Q3HX-M", "K7WP-Q3HX-M99", "K7WP-Q3HX-M0",
		"K7WP-Q3HX-MO", "K7WP-Q3HX-M1", "K7WP-Q3HX-MI", "K7WP-Q3HX-ML",
		"K7WP_Q3HX_M9", "K7WP-Q3HX-M\xc3\xa4", "----------",
		"K7WP-Q3HX-M9-K7WP-Q3HX-M9",
	};
	char out[BOOKCODE_TEXT_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bookcode_parse(bad[i], out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_and_alphabet),
		cmocka_unit_test(test_even_spread_and_no_repeats),
		cmocka_unit_test(test_parse_is_tolerant),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_hash_of_typed_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
