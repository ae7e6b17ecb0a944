/*
 * test_pwhash: scrypt password hash strings (make, verify, parsing of the
 * parameters, malformed strings, the dummy for unknown users).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pwhash.h"

/* Made with Python's hashlib.scrypt (an independent implementation):
 * password "correct horse battery", salt bytes 0..15, dklen 32. */
static const char vector_ln14[] =
    "$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0ODw=="
    "$6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=";
/* password "x", N = 2^10, r = 2, p = 2 */
static const char vector_ln10_r2_p2[] =
    "$scrypt$ln=10,r=2,p=2$AAECAwQFBgcICQoLDA0ODw=="
    "$aLQRHzV6vw+pVH2WbFH+VgF0nmvGWdfEumzPYJFn0GY=";

static void
test_make_then_verify_matches(void **state)
{
	char h[PWHASH_MAX];

	assert_int_equal(pwhash_make("Sommer2024!", h, sizeof(h)), 0);
	assert_int_equal(pwhash_verify("Sommer2024!", h), 1);
}

static void
test_wrong_password_does_not_match(void **state)
{
	char h[PWHASH_MAX];

	assert_int_equal(pwhash_make("Sommer2024!", h, sizeof(h)), 0);
	assert_int_equal(pwhash_verify("sommer2024!", h), 0);
	assert_int_equal(pwhash_verify("Sommer2024", h), 0);
	assert_int_equal(pwhash_verify("", h), 0);
}

static void
test_hash_string_has_documented_format(void **state)
{
	static const char prefix[] = "$scrypt$ln=15,r=8,p=1$";
	char h[PWHASH_MAX];
	const char *salt, *key;

	assert_int_equal(pwhash_make("pw", h, sizeof(h)), 0);
	assert_memory_equal(h, prefix, strlen(prefix));
	salt = h + strlen(prefix);
	key = strchr(salt, '$');
	assert_non_null(key);
	assert_int_equal(key - salt, 24);       /* 16 bytes */
	assert_int_equal(strlen(key + 1), 44);  /* 32 bytes */
	assert_null(strchr(key + 1, '$'));
}

static void
test_same_password_hashes_differ_by_salt(void **state)
{
	char a[PWHASH_MAX], b[PWHASH_MAX];

	assert_int_equal(pwhash_make("gleich", a, sizeof(a)), 0);
	assert_int_equal(pwhash_make("gleich", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(pwhash_verify("gleich", a), 1);
	assert_int_equal(pwhash_verify("gleich", b), 1);
}

static void
test_verify_reads_parameters_from_string(void **state)
{
	assert_int_equal(pwhash_verify("correct horse battery", vector_ln14), 1);
	assert_int_equal(pwhash_verify("correct horse batterY", vector_ln14), 0);
	assert_int_equal(pwhash_verify("x", vector_ln10_r2_p2), 1);
	assert_int_equal(pwhash_verify("y", vector_ln10_r2_p2), 0);
}

static void
test_malformed_stored_string_is_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"plain",
		"$scrypt$",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		"$scrypt$ln=15,r=8$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		/* parameters out of bounds */
		"$scrypt$ln=9,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=21,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=15,r=0,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=15,r=17,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=15,r=8,p=5$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=150,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=-1,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		/* broken base64: bad character, bad length, empty */
		"$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0OD*==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8",
		"$scrypt$ln=14,r=8,p=1$$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		"$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$",
		"$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==",
		/* trailing garbage, padding in the middle */
		"$scrypt$ln=14,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=$x",
		"$scrypt$ln=14,r=8,p=1$AAECAwQF=gcICQoLDA0ODw==$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
		/* salt too short (3 bytes) */
		"$scrypt$ln=14,r=8,p=1$AAEC$"
		    "6W7GuoxjojaYIg83x/wEKSXUMMf+reyc6wSvA8q7ny8=",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pwhash_verify("correct horse battery", bad[i]) != -1)
			fail_msg("malformed case %zu was accepted", i);
	}
	assert_int_equal(pwhash_verify("x", NULL), -1);
}

static void
test_make_refuses_empty_long_password_and_small_buffer(void **state)
{
	static char pw[PWHASH_PASSWORD_MAX + 2];
	char h[PWHASH_MAX], tiny[40];

	assert_int_equal(pwhash_make("", h, sizeof(h)), -1);
	assert_int_equal(pwhash_make(NULL, h, sizeof(h)), -1);
	memset(pw, 'a', PWHASH_PASSWORD_MAX + 1);
	assert_int_equal(pwhash_make(pw, h, sizeof(h)), -1);
	pw[PWHASH_PASSWORD_MAX] = '\0';
	assert_int_equal(pwhash_make(pw, h, sizeof(h)), 0);
	assert_int_equal(pwhash_verify(pw, h), 1);
	assert_int_equal(pwhash_make("pw", tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "");
}

static void
test_utf8_password_round_trip(void **state)
{
	char h[PWHASH_MAX];

	assert_int_equal(pwhash_make("Grüße aus Köln ß€", h, sizeof(h)), 0);
	assert_int_equal(pwhash_verify("Grüße aus Köln ß€", h), 1);
	assert_int_equal(pwhash_verify("Grusse aus Koln ss", h), 0);
}

/* CPU time of this thread: what the scrypt work costs, whatever else the
 * machine is doing (wall time made this test flaky under load). */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_dummy_costs_as_much_as_a_verify(void **state)
{
	char h[PWHASH_MAX];
	double t0, t_verify, t_dummy;

	assert_int_equal(pwhash_make("pw", h, sizeof(h)), 0);
	t0 = now_s();
	assert_int_equal(pwhash_verify("guess", h), 0);
	t_verify = now_s() - t0;
	t0 = now_s();
	pwhash_dummy("guess");
	t_dummy = now_s() - t0;
	/* the same scrypt work; a generous bound against noise */
	assert_true(t_dummy > t_verify / 3);
	assert_true(t_dummy < t_verify * 3);
	pwhash_dummy("");
	pwhash_dummy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_then_verify_matches),
		cmocka_unit_test(test_wrong_password_does_not_match),
		cmocka_unit_test(test_hash_string_has_documented_format),
		cmocka_unit_test(test_same_password_hashes_differ_by_salt),
		cmocka_unit_test(test_verify_reads_parameters_from_string),
		cmocka_unit_test(test_malformed_stored_string_is_refused),
		cmocka_unit_test(test_make_refuses_empty_long_password_and_small_buffer),
		cmocka_unit_test(test_utf8_password_round_trip),
		cmocka_unit_test(test_dummy_costs_as_much_as_a_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
