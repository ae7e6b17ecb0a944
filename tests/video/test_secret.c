/*
 * test_secret: klopf-video's hand-over of server, room and credential on
 * an inherited descriptor (console/video/secret.c): what is accepted
 * (a media token, or a session, never both), what is refused, that an
 * error never quotes the credential, and that the descriptor is read to
 * its end and closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "secret.h"

#define SESSION "0123456789abcdef0123456789abcdef"
#define TOKEN "fedcba9876543210fedcba9876543210"

static int
parse(const char *text, struct video_secret *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return secret_parse(text, strlen(text), s, err, errlen);
}

static void
test_a_whole_secret_is_read(void **unused)
{
	struct video_secret s;
	char err[200];

	(void)unused;
	assert_int_equal(parse("{\"server\":\"https://klopf.example.de\","
	    "\"room\":7,\"session\":\"" SESSION "\",\"office\":\"Bürgeramt\","
	    "\"ca_file\":\"/etc/klopf/ca.pem\"}", &s, err, sizeof(err)), 0);
	assert_string_equal(s.server, "https://klopf.example.de");
	assert_int_equal(s.room, 7);
	assert_string_equal(s.session, SESSION);
	assert_string_equal(s.office, "Bürgeramt");
	assert_string_equal(s.ca_file, "/etc/klopf/ca.pem");
}

static void
test_a_media_token_is_read_in_place_of_the_session(void **unused)
{
	struct video_secret s;
	char err[200];

	(void)unused;
	assert_int_equal(parse("{\"server\":\"https://klopf.example.de\","
	    "\"room\":7,\"token\":\"" TOKEN "\",\"office\":\"Amt A\"}", &s,
	    err, sizeof(err)), 0);
	assert_string_equal(s.token, TOKEN);
	assert_string_equal(s.session, "");
	assert_int_equal(s.room, 7);
	/* null counts as absent, as for the optional fields */
	assert_int_equal(parse("{\"server\":\"https://x\",\"room\":7,"
	    "\"token\":\"" TOKEN "\",\"session\":null}", &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s.token, TOKEN);
	secret_wipe(&s);
	assert_string_equal(s.token, "");
}

static void
test_token_and_session_together_are_refused(void **unused)
{
	struct video_secret s;
	char err[200];

	(void)unused;
	assert_int_equal(parse("{\"server\":\"https://x\",\"room\":7,"
	    "\"token\":\"" TOKEN "\",\"session\":\"" SESSION "\"}", &s, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "both"));
	assert_non_null(strstr(err, "\"token\""));
	assert_non_null(strstr(err, "\"session\""));
	assert_null(strstr(err, TOKEN));
	assert_null(strstr(err, SESSION));
	assert_string_equal(s.token, "");
	assert_string_equal(s.session, "");
}

static void
test_opened_at_is_read_as_klopfd_writes_it(void **unused)
{
	struct video_secret s;
	char err[200];

	(void)unused;
	assert_int_equal(parse("{\"server\":\"https://x\",\"room\":7,"
	    "\"session\":\"" SESSION "\",\"opened_at\":"
	    "\"2026-11-24T09:12:00+01:00\"}", &s, err, sizeof(err)), 0);
	/* 08:12 UTC */
	assert_int_equal(s.opened_at, INT64_C(1795507920) * 1000000);
	assert_int_equal(parse("{\"server\":\"https://x\",\"room\":7,"
	    "\"session\":\"" SESSION "\",\"opened_at\":\"gestern\"}", &s,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"opened_at\""));
	assert_int_equal(parse("{\"server\":\"https://x\",\"room\":7,"
	    "\"session\":\"" SESSION "\",\"opened_at\":1795507920}", &s,
	    err, sizeof(err)), -1);
}

static void
test_office_and_ca_file_are_optional(void **unused)
{
	struct video_secret s;
	char err[200];

	(void)unused;
	assert_int_equal(parse("{\"server\":\"http://127.0.0.1:8080\","
	    "\"room\":1,\"session\":\"" SESSION "\",\"office\":null}", &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s.office, "");
	assert_string_equal(s.ca_file, "");
	assert_int_equal(s.opened_at, 0);
}

static void
test_missing_or_wrong_fields_are_refused_by_name(void **unused)
{
	static const struct {
		const char *json, *says;
	} cases[] = {
		{"{\"room\":7,\"session\":\"" SESSION "\"}", "\"server\""},
		{"{\"server\":\"https://x\",\"room\":7}", "\"session\""},
		{"{\"server\":\"https://x\",\"room\":7}", "\"token\""},
		{"{\"server\":\"https://x\",\"room\":7,\"token\":\"\"}",
		    "\"token\""},
		{"{\"server\":\"https://x\",\"room\":7,\"token\":42}",
		    "\"token\""},
		{"{\"server\":\"https://x\",\"room\":7,\"token\":\""
		    TOKEN TOKEN TOKEN "\"}", "\"token\""},
		{"{\"room\":7,\"token\":\"" TOKEN "\"}", "\"server\""},
		{"{\"server\":\"https://x\",\"session\":\"" SESSION "\"}",
		    "\"room\""},
		{"{\"server\":\"https://x\",\"room\":0,\"session\":\"" SESSION
		    "\"}", "\"room\""},
		{"{\"server\":\"https://x\",\"room\":-3,\"session\":\"" SESSION
		    "\"}", "\"room\""},
		{"{\"server\":\"https://x\",\"room\":\"7\",\"session\":\""
		    SESSION "\"}", "\"room\""},
		{"{\"server\":\"https://x\",\"room\":7,\"session\":\"\"}",
		    "\"session\""},
		{"{\"server\":\"https://x\",\"room\":7,\"session\":42}",
		    "\"session\""},
		{"{\"server\":\"https://x\",\"room\":7,\"session\":\""
		    SESSION SESSION SESSION "\"}", "\"session\""},
		{"[1,2]", "not one JSON object"},
		{"", "not one JSON object"},
	};
	struct video_secret s;
	char err[200];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].json, &s, err, sizeof(err)), -1);
		if (strstr(err, cases[i].says) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, err,
			    cases[i].says);
		assert_string_equal(s.session, "");
		assert_string_equal(s.token, "");
	}
}

static void
test_an_error_never_quotes_the_credential(void **unused)
{
	static const char *bad[] = {
		"{\"session\":\"" SESSION "\",\"room\":7,",
		"{\"session\":\"" SESSION "\" \"room\":7}",
		"{\"session\":\"" SESSION "\",\"session\":\"" SESSION "\"}",
		"{\"server\":\"https://x\",\"room\":7,\"session\":\"" SESSION
		    "\",\"office\":[\"" SESSION "\"]}",
		"{\"token\":\"" SESSION "\",\"room\":7,",
		"{\"server\":\"https://x\",\"room\":\"" SESSION "\","
		    "\"token\":\"" SESSION "\"}",
		"{\"server\":\"https://x\",\"room\":7,\"token\":\"" SESSION
		    "\",\"opened_at\":\"" SESSION "\"}",
	};
	struct video_secret s;
	char err[200];

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &s, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_null(strstr(err, "0123456789abcdef"));
	}
}

static void
test_the_descriptor_is_read_to_its_end_and_closed(void **unused)
{
	const char *text = "{\"server\":\"http://127.0.0.1:1\",\"room\":3,"
	    "\"session\":\"" SESSION "\"}";
	struct video_secret s;
	char err[200];
	int p[2];

	(void)unused;
	assert_int_equal(pipe(p), 0);
	/* in two writes: a reader that stops at the first read fails */
	assert_int_equal(write(p[1], text, 20), 20);
	assert_int_equal(write(p[1], text + 20, strlen(text) - 20),
	    (ssize_t)(strlen(text) - 20));
	close(p[1]);
	assert_int_equal(secret_read_fd(p[0], &s, err, sizeof(err)), 0);
	assert_int_equal(s.room, 3);
	assert_string_equal(s.session, SESSION);
	errno = 0;
	assert_int_equal(fcntl(p[0], F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	secret_wipe(&s);
	assert_string_equal(s.session, "");
}

static void
test_too_long_or_unreadable_is_refused(void **unused)
{
	static char big[SECRET_MAX + 100];
	struct video_secret s;
	char err[200];
	int p[2];

	(void)unused;
	memset(big, ' ', sizeof(big));
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 16);
	assert_int_equal(write(p[1], big, sizeof(big)), (ssize_t)sizeof(big));
	close(p[1]);
	assert_int_equal(secret_read_fd(p[0], &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));

	assert_int_equal(secret_read_fd(p[0], &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_whole_secret_is_read),
		cmocka_unit_test(test_a_media_token_is_read_in_place_of_the_session),
		cmocka_unit_test(test_token_and_session_together_are_refused),
		cmocka_unit_test(test_opened_at_is_read_as_klopfd_writes_it),
		cmocka_unit_test(test_office_and_ca_file_are_optional),
		cmocka_unit_test(test_missing_or_wrong_fields_are_refused_by_name),
		cmocka_unit_test(test_an_error_never_quotes_the_credential),
		cmocka_unit_test(test_the_descriptor_is_read_to_its_end_and_closed),
		cmocka_unit_test(test_too_long_or_unreadable_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
