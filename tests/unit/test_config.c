/*
 * test_config: config_load on good and broken files under
 * tests/fixtures/conf/ (exact "FILE:LINE: message" output), the media
 * group, the hours parser, the loopback rule and the command-line
 * overrides. Runs with the repository root as working directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define FIXTURES "tests/fixtures/conf/"
#define HM(h, m) ((h) * 60 + (m))

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

/* Loads file, returns the config (or NULL) and in *out what it wrote to
 * its error stream (caller frees). */
static struct config *
load(const char *file, char **out)
{
	struct config *c;
	size_t len;
	FILE *err;

	err = open_memstream(out, &len);
	assert_non_null(err);
	c = config_load(file, err);
	fclose(err);
	return c;
}

static struct config *
load_good(const char *file)
{
	struct config *c;
	char *out;

	c = load(file, &out);
	assert_string_equal(out, "");
	assert_non_null(c);
	free(out);
	return c;
}

/* Expects config_load(file) to fail with exactly these lines; each line
 * is given without the leading "FILE:" and NULL ends the list. */
static void
expect_errors(const char *file, ...)
{
	char expected[8192] = "";
	const char *line;
	struct config *c;
	va_list ap;
	char *out;

	va_start(ap, file);
	while ((line = va_arg(ap, const char *)) != NULL) {
		strcat(expected, file);
		strcat(expected, ":");
		strcat(expected, line);
		strcat(expected, "\n");
	}
	va_end(ap);
	c = load(file, &out);
	assert_null(c);
	assert_string_equal(out, expected);
	free(out);
}

static void
assert_range(const struct config_office *o, int wday, int i, int start,
    int end)
{
	assert_true(i < o->nhours[wday]);
	assert_int_equal(o->hours[wday][i].start, start);
	assert_int_equal(o->hours[wday][i].end, end);
}

/* --- good files -------------------------------------------------------- */

static void
test_minimal_file_gets_defaults(void **state)
{
	struct config *c = load_good(FIXTURES "good-minimal.conf");
	const struct config_office *o;
	int d;

	assert_string_equal(c->path, FIXTURES "good-minimal.conf");
	assert_int_equal(c->nlisten, 1);
	assert_string_equal(c->listen[0].addr, "127.0.0.1");
	assert_int_equal(c->listen[0].port, 8080);
	assert_true(c->listen[0].loopback);
	assert_string_equal(c->state_dir, "/var/lib/klopf");
	assert_string_equal(c->webroot, "/usr/share/klopf/webclient");
	assert_null(c->privacy_file);
	assert_null(c->tls_cert);
	assert_null(c->tls_key);
	assert_string_equal(c->timezone, "Europe/Berlin");
	assert_string_equal(c->log_level, "info");
	assert_string_equal(c->log_target, "stderr");
	assert_int_equal(c->limits.max_message_bytes, 32768);
	assert_int_equal(c->limits.max_queue, 50);
	assert_int_equal(c->limits.knock_rate, 6);
	assert_int_equal(c->limits.knock_burst, 3);
	assert_int_equal(c->limits.grace_seconds, 120);
	assert_int_equal(c->limits.retention_days, 30);
	assert_int_equal(c->limits.login_failures, 5);
	assert_int_equal(c->limits.login_lockout_seconds, 300);
	assert_int_equal(c->limits.session_hours, 12);
	assert_int_equal(c->limits.max_connections, 10000);
	assert_int_equal(c->limits.bookings_per_address, 3);
	assert_int_equal(c->limits.bookings_per_office, 200);
	assert_int_equal(c->limits.booking_lookups, 10);
	assert_int_equal(c->ndecline_messages, 0);

	assert_int_equal(c->noffices, 1);
	o = &c->offices[0];
	assert_string_equal(o->id, "buergerbuero");
	assert_string_equal(o->name_de, "Bürgerbüro");
	assert_null(o->name_en);
	assert_string_equal(o->description_de,
	    "Meldewesen, Ausweise und Pässe.");
	assert_null(o->description_en);
	assert_false(o->anonymous);
	assert_int_equal(o->avg_minutes, 20);
	assert_int_equal(o->nlanguages, 1);
	assert_string_equal(o->languages[0], "de");
	/* "Mo-Fr 08:30-12:00, 13:00-15:30", "Do 15:30-18:00", "sa 10:00-12:00" */
	assert_int_equal(o->nhours[SUN], 0);
	for (d = MON; d <= FRI; d++) {
		assert_int_equal(o->nhours[d], d == THU ? 3 : 2);
		assert_range(o, d, 0, HM(8, 30), HM(12, 0));
		assert_range(o, d, 1, HM(13, 0), HM(15, 30));
	}
	assert_range(o, THU, 2, HM(15, 30), HM(18, 0));
	assert_int_equal(o->nhours[SAT], 1);
	assert_range(o, SAT, 0, HM(10, 0), HM(12, 0));
	assert_ptr_equal(config_office_find(c, "buergerbuero"), o);
	assert_null(config_office_find(c, "nirgends"));
	config_free(c);
}

static void
test_full_file_sets_every_setting(void **state)
{
	struct config *c = load_good(FIXTURES "good-full.conf");
	const struct config_office *o;

	assert_int_equal(c->nlisten, 3);
	assert_string_equal(c->listen[0].addr, "0.0.0.0");
	assert_int_equal(c->listen[0].port, 443);
	assert_false(c->listen[0].loopback);
	assert_string_equal(c->listen[1].addr, "::");
	assert_int_equal(c->listen[1].port, 8443);
	assert_false(c->listen[1].loopback);
	assert_string_equal(c->listen[2].addr, "::1");
	assert_int_equal(c->listen[2].port, 0);
	assert_true(c->listen[2].loopback);
	assert_string_equal(c->state_dir, "/srv/klopf");
	assert_string_equal(c->webroot, "/srv/klopf/web");
	assert_string_equal(c->privacy_file, "/etc/klopf/datenschutz.txt");
	assert_string_equal(c->tls_cert, "/etc/ssl/klopf/fullchain.pem");
	assert_string_equal(c->tls_key, "/etc/ssl/klopf/privkey.pem");
	assert_string_equal(c->timezone, "UTC");
	assert_string_equal(c->log_level, "debug");
	assert_string_equal(c->log_target, "syslog");
	assert_int_equal(c->limits.max_message_bytes, 1024);
	assert_int_equal(c->limits.max_queue, 10000);
	assert_int_equal(c->limits.knock_rate, 0);
	assert_int_equal(c->limits.knock_burst, 100000);
	assert_int_equal(c->limits.grace_seconds, 0);
	assert_int_equal(c->limits.retention_days, 3650);
	assert_int_equal(c->limits.login_failures, 1);
	assert_int_equal(c->limits.login_lockout_seconds, 86400);
	assert_int_equal(c->limits.session_hours, 720);
	assert_int_equal(c->limits.max_connections, 1);
	assert_int_equal(c->ndecline_messages, 2);
	assert_string_equal(c->decline_messages[0],
	    "Bitte buchen Sie einen Termin.");
	assert_string_equal(c->decline_messages[1], "Andere Stelle.");

	assert_int_equal(c->noffices, 2);
	o = &c->offices[0];
	assert_string_equal(o->id, "amt-1");
	assert_string_equal(o->name_en, "Office one");
	assert_string_equal(o->description_en, "First office.");
	assert_true(o->anonymous);
	assert_int_equal(o->avg_minutes, 480);
	assert_int_equal(o->nlanguages, 3);
	assert_string_equal(o->languages[2], "uk");
	/* "Tu-Th 13:00-14:00, 08:00-09:00", "Su 00:00-24:00",
	 * "Di 10:00-11:00": sorted by start within each day */
	assert_int_equal(o->nhours[TUE], 3);
	assert_range(o, TUE, 0, HM(8, 0), HM(9, 0));
	assert_range(o, TUE, 1, HM(10, 0), HM(11, 0));
	assert_range(o, TUE, 2, HM(13, 0), HM(14, 0));
	assert_int_equal(o->nhours[WED], 2);
	assert_int_equal(o->nhours[THU], 2);
	assert_int_equal(o->nhours[MON], 0);
	assert_int_equal(o->nhours[FRI], 0);
	assert_int_equal(o->nhours[SAT], 0);
	assert_int_equal(o->nhours[SUN], 1);
	assert_range(o, SUN, 0, 0, 1440);

	o = &c->offices[1];
	assert_string_equal(o->id, "nie-offen");
	assert_false(o->anonymous);
	assert_int_equal(o->avg_minutes, 1);
	assert_int_equal(o->nlanguages, 1);
	assert_string_equal(o->languages[0], "de");
	for (int d = 0; d < 7; d++)
		assert_int_equal(o->nhours[d], 0);
	config_free(c);
}

static void
test_always_open_fixture(void **state)
{
	struct config *c = load_good(FIXTURES "always-open.conf");
	static const char *const ids[] = { "amt-a", "amt-b", "beratung" };
	int i, d;

	assert_int_equal(c->nlisten, 1);
	assert_string_equal(c->listen[0].addr, "127.0.0.1");
	assert_int_equal(c->listen[0].port, 0);
	assert_int_equal(c->limits.max_message_bytes, 4096);
	assert_int_equal(c->limits.max_queue, 20);
	assert_int_equal(c->limits.knock_rate, 1000);
	assert_int_equal(c->limits.knock_burst, 1000);
	assert_int_equal(c->limits.grace_seconds, 3);
	assert_int_equal(c->limits.login_failures, 3);
	assert_int_equal(c->limits.login_lockout_seconds, 60);
	assert_int_equal(c->noffices, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(c->offices[i].id, ids[i]);
		assert_int_equal(c->offices[i].anonymous, i == 2);
		for (d = 0; d < 7; d++) {
			assert_int_equal(c->offices[i].nhours[d], 1);
			assert_range(&c->offices[i], d, 0, 0, 1440);
		}
	}
	config_free(c);
}

static void
test_sample_config_is_valid(void **state)
{
	struct config *c = load_good("etc/klopfd.conf");
	int i, anonymous = 0;

	assert_int_equal(c->noffices, 9);
	for (i = 0; i < c->noffices; i++) {
		anonymous += c->offices[i].anonymous;
		assert_non_null(c->offices[i].name_en);
		assert_non_null(c->offices[i].description_en);
	}
	assert_int_equal(anonymous, 3);
	assert_true(config_office_find(c, "hiv-beratung")->anonymous);
	assert_true(config_office_find(c, "schwangerschaftskonflikt")->anonymous);
	assert_true(config_office_find(c, "prostituiertenberatung")->anonymous);
	assert_non_null(config_office_find(c, "wirtschaftsfoerderung"));
	assert_true(c->ndecline_messages >= 3);
	assert_true(c->listen[0].loopback);
	/* what make run does */
	assert_int_equal(config_override(c, "127.0.0.1:8080", "var", stderr), 0);
	assert_int_equal(config_check(c, stderr), 0);
	config_free(c);
}

/* --- broken files ------------------------------------------------------ */

static void
test_missing_file_cannot_be_read(void **state)
{
	expect_errors(FIXTURES "no-such-file.conf",
	    " cannot read: No such file or directory", NULL);
	expect_errors("tests/fixtures", " cannot read: Is a directory", NULL);
}

static void
test_syntax_error_names_line(void **state)
{
	expect_errors(FIXTURES "bad-syntax.conf",
	    "6: syntax error: syntax error", NULL);
}

static void
test_unknown_settings_at_every_level(void **state)
{
	expect_errors(FIXTURES "bad-unknown.conf",
	    "3: unknown setting \"port\"",
	    "6: unknown setting \"max_knocks\"",
	    "14: unknown setting \"opening\"", NULL);
}

static void
test_wrong_types(void **state)
{
	expect_errors(FIXTURES "bad-types.conf",
	    "2: \"listen\" must be a list of strings, e.g. "
	    "[ \"127.0.0.1:8080\" ]",
	    "3: \"state_dir\" must be a string",
	    "4: \"log_level\" must be a string",
	    "6: \"max_queue\" must be an integer",
	    "7: \"grace_seconds\" must be an integer",
	    "9: unknown setting \"limits2\"",
	    "10: \"decline_messages\" must be a list of strings, e.g. "
	    "[ \"Bitte buchen Sie einen Termin.\" ]",
	    "13: \"id\" must be a string",
	    "14: \"name\" must be a string",
	    "16: \"hours\" must be a list of strings, e.g. "
	    "[ \"Mo-Fr 08:30-12:00\" ]",
	    "17: \"languages\" must be a list of strings, e.g. "
	    "[ \"de\", \"en\" ]",
	    "18: \"anonymous\" must be true or false",
	    "19: \"avg_minutes\" must be an integer", NULL);
}

static void
test_out_of_range_names_the_range(void **state)
{
	expect_errors(FIXTURES "bad-ranges.conf",
	    "3: \"max_message_bytes\" must be between 1024 and 1048576, "
	    "not 100",
	    "4: \"max_queue\" must be between 1 and 10000, not 0",
	    "5: \"knock_rate\" must be between 0 and 100000, not -1",
	    "6: \"session_hours\" must be between 1 and 720, not 721",
	    "7: \"max_connections\" must be between 1 and 1000000, "
	    "not 1000001",
	    "9: decline message 2 must be 1 to 500 bytes long, not 0",
	    "14: \"description\" must not be empty",
	    "16: language \"DE\" must be a lower-case ISO 639-1 code such "
	    "as \"de\"",
	    "16: language \"deu\" must be a lower-case ISO 639-1 code such "
	    "as \"de\"",
	    "16: language \"de\" is listed twice",
	    "17: \"avg_minutes\" must be between 1 and 480, not 0", NULL);
}

static void
test_bad_hours_each_reported_at_its_line(void **state)
{
	expect_errors(FIXTURES "bad-hours.conf",
	    "9: bad time range \"12:00-09:00\": the end must be after the "
	    "start",
	    "10: bad day \"Xy\": use Mo, Di, Mi, Do, Fr, Sa, So (or Mo, Tu, "
	    "We, Th, Fr, Sa, Su), or a range such as Mo-Fr",
	    "11: bad day range \"Fr-Mo\": the first day must come before the "
	    "last in the week Mo..So",
	    "12: time ranges 09:00-12:00 and 11:00-13:00 overlap on Di",
	    "13: time ranges 08:00-12:00 and 11:00-13:00 overlap on Mi",
	    "14: bad time range \"9.00-12.00\": write HH:MM-HH:MM, several "
	    "ranges separated by commas, e.g. 08:30-12:00, 13:00-15:30",
	    "15: bad time range \"24:00-24:00\": 24:00 can only end a range",
	    "16: bad time range \"10:00-25:00\": hours go from 00 to 24 and "
	    "minutes from 00 to 59",
	    "17: bad hours \"Sa\": expected a day or day range and times, "
	    "e.g. \"Mo-Fr 08:30-12:00, 13:00-15:30\"",
	    "18: bad hours \"09:00-12:00\": expected a day or day range and "
	    "times, e.g. \"Mo-Fr 08:30-12:00, 13:00-15:30\"",
	    "19: bad hours \"Do 13:00-14:00,\": a time range is missing "
	    "(check the commas)",
	    /* libconfig 1.5 gives a string element the line of the token
	     * after it (it looks ahead for string concatenation): the last
	     * entry is on line 20, the closing bracket on 21. */
	    "21: bad time range \"13:00-14:00 15:00-16:00\": write "
	    "HH:MM-HH:MM, several ranges separated by commas, e.g. "
	    "08:30-12:00, 13:00-15:30", NULL);
}

static void
test_bad_listen_addresses(void **state)
{
	expect_errors(FIXTURES "bad-listen.conf",
	    "3: bad listen address \"localhost:8080\": \"localhost\" is not "
	    "a numeric IPv4 address",
	    "4: bad listen address \"127.0.0.1:70000\": the port must be a "
	    "number from 0 to 65535",
	    "5: bad listen address \"::1:8080\": write IPv6 addresses in "
	    "brackets, e.g. [::1]:8080",
	    "6: bad listen address \"127.0.0.1\": expected ADDR:PORT or "
	    "[IPV6-ADDR]:PORT, e.g. 127.0.0.1:8080",
	    "7: bad listen address \"[::1]8080\": expected ADDR:PORT or "
	    "[IPV6-ADDR]:PORT, e.g. 127.0.0.1:8080",
	    "8: bad listen address \"[localhost]:80\": \"localhost\" is not "
	    "a numeric IPv6 address",
	    "9: bad listen address \"127.0.0.1:http\": the port must be a "
	    "number from 0 to 65535", NULL);
}

static void
test_office_mistakes(void **state)
{
	expect_errors(FIXTURES "bad-offices.conf",
	    "10: duplicate office id \"amt\" (first defined at line 4)",
	    "16: office id \"Amt_C\" must be 1 to 32 characters of a-z, 0-9 "
	    "and -",
	    "21: office \"ohne-name\": missing \"name\"",
	    "21: office \"ohne-name\": missing \"description\"",
	    "25: office #5: missing \"id\"",
	    "25: office #5: missing \"hours\"",
	    "30: office #6 must be a group, e.g. "
	    "{ id = \"buergerbuero\"; ... }", NULL);
	expect_errors(FIXTURES "bad-empty.conf",
	    "2: \"offices\" must be a list of groups, e.g. "
	    "( { id = \"buergerbuero\"; ... } )", NULL);
}

static void
test_tls_cert_without_key(void **state)
{
	expect_errors(FIXTURES "bad-tls.conf",
	    "3: \"tls_cert\" is set but \"tls_key\" is not; set both or "
	    "neither", NULL);
}

static void
test_plain_http_only_on_loopback(void **state)
{
	expect_errors(FIXTURES "bad-not-loopback.conf",
	    "2: listen address 0.0.0.0:8080 is not loopback; plain HTTP is "
	    "only allowed on loopback \xe2\x80\x94 set tls_cert and tls_key",
	    "2: listen address [::]:8080 is not loopback; plain HTTP is "
	    "only allowed on loopback \xe2\x80\x94 set tls_cert and tls_key",
	    NULL);
}

static void
test_general_settings_and_missing_offices(void **state)
{
	expect_errors(FIXTURES "bad-general.conf",
	    "2: \"state_dir\" must not be empty",
	    "3: unknown timezone \"Europe/Atlantis\": there is no zone file "
	    "/usr/share/zoneinfo/Europe/Atlantis",
	    "4: \"log_level\" must be error, warning, info or debug, not "
	    "\"verbose\"",
	    "5: \"log_target\" must be stderr or syslog, not \"file\"",
	    " missing \"offices\": at least one office is required", NULL);
	expect_errors(FIXTURES "bad-timezone.conf",
	    "2: timezone \"../../etc/passwd\" must be a zone name such as "
	    "\"Europe/Berlin\"",
	    "3: \"offices\" must list at least one office", NULL);
}

static void
test_control_characters_do_not_break_lines(void **state)
{
	expect_errors(FIXTURES "bad-newline.conf",
	    "3: office id \"a?b\" must be 1 to 32 characters of a-z, 0-9 "
	    "and -", NULL);
}

/* --- config_parse_hours ----------------------------------------------- */

static void
test_hours_good_entries(void **state)
{
	struct config_office o;
	char msg[256];
	int d;

	memset(&o, 0, sizeof(o));
	assert_int_equal(config_parse_hours(&o, "Mo 09:00-12:00", msg,
	    sizeof(msg)), 0);
	assert_int_equal(o.nhours[MON], 1);
	assert_range(&o, MON, 0, HM(9, 0), HM(12, 0));

	/* English days, any case, en dashes, spaces, H:MM, adjacent ranges */
	assert_int_equal(config_parse_hours(&o,
	    "  tu\xe2\x80\x93WE 14:00 - 16:00,9:00-10:00 ,10:00\xe2\x80\x93"
	    "11:00 ", msg, sizeof(msg)), 0);
	for (d = TUE; d <= WED; d++) {
		assert_int_equal(o.nhours[d], 3);
		assert_range(&o, d, 0, HM(9, 0), HM(10, 0));
		assert_range(&o, d, 1, HM(10, 0), HM(11, 0));
		assert_range(&o, d, 2, HM(14, 0), HM(16, 0));
	}
	/* German and English Sunday, until midnight */
	assert_int_equal(config_parse_hours(&o, "So 00:00-01:00", msg,
	    sizeof(msg)), 0);
	assert_int_equal(config_parse_hours(&o, "Su 23:00-24:00", msg,
	    sizeof(msg)), 0);
	assert_int_equal(o.nhours[SUN], 2);
	assert_range(&o, SUN, 1, HM(23, 0), 1440);
	/* Sa-So is the weekend, not a wrap */
	assert_int_equal(config_parse_hours(&o, "Sa-So 12:00-13:00", msg,
	    sizeof(msg)), 0);
	assert_int_equal(o.nhours[SAT], 1);
	assert_int_equal(o.nhours[SUN], 3);
	assert_range(&o, SUN, 1, HM(12, 0), HM(13, 0));
	assert_int_equal(o.nhours[THU], 0);
	assert_int_equal(o.nhours[FRI], 0);
}

static void
test_hours_mistakes_in_plain_words(void **state)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{ "Mo 12:00-09:00", "bad time range \"12:00-09:00\": the end "
		    "must be after the start" },
		{ "Mo 09:00-09:00", "bad time range \"09:00-09:00\": the end "
		    "must be after the start" },
		{ "Mo 09:60-10:00", "bad time range \"09:60-10:00\": hours go "
		    "from 00 to 24 and minutes from 00 to 59" },
		{ "Mo 23:00-24:30", "bad time range \"23:00-24:30\": hours go "
		    "from 00 to 24 and minutes from 00 to 59" },
		{ "Mo 24:00-24:00", "bad time range \"24:00-24:00\": 24:00 can "
		    "only end a range" },
		{ "Mo 9-12", "bad time range \"9-12\": write HH:MM-HH:MM, "
		    "several ranges separated by commas, e.g. 08:30-12:00, "
		    "13:00-15:30" },
		{ "Mo 09:00", "bad time range \"09:00\": write HH:MM-HH:MM, "
		    "several ranges separated by commas, e.g. 08:30-12:00, "
		    "13:00-15:30" },
		{ "Mo 09:00-12:00,, 13:00-14:00", "bad hours \"Mo 09:00-12:00,, "
		    "13:00-14:00\": a time range is missing (check the commas)" },
		{ "Mon 09:00-12:00", "bad day \"Mon\": use Mo, Di, Mi, Do, Fr, "
		    "Sa, So (or Mo, Tu, We, Th, Fr, Sa, Su), or a range such as "
		    "Mo-Fr" },
		{ "Mo,Mi 09:00-12:00", "bad day \"Mo,Mi\": use Mo, Di, Mi, Do, "
		    "Fr, Sa, So (or Mo, Tu, We, Th, Fr, Sa, Su), or a range such "
		    "as Mo-Fr" },
		{ "Mo- 09:00-12:00", "bad day \"Mo-\": use Mo, Di, Mi, Do, Fr, "
		    "Sa, So (or Mo, Tu, We, Th, Fr, Sa, Su), or a range such as "
		    "Mo-Fr" },
		{ "So-Mo 09:00-12:00", "bad day range \"So-Mo\": the first day "
		    "must come before the last in the week Mo..So" },
		{ "", "bad hours \"\": expected a day or day range and times, "
		    "e.g. \"Mo-Fr 08:30-12:00, 13:00-15:30\"" },
		{ "Mo-Fr 08:00-12:00, 11:00-13:00", "time ranges 08:00-12:00 "
		    "and 11:00-13:00 overlap on Mo" },
		{ "Sa-So 08:00-12:00, 07:00-08:30", "time ranges 07:00-08:30 "
		    "and 08:00-12:00 overlap on Sa" },
	};
	struct config_office o;
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&o, 0, sizeof(o));
		assert_int_equal(config_parse_hours(&o, cases[i].spec, msg,
		    sizeof(msg)), -1);
		assert_string_equal(msg, cases[i].msg);
		for (int d = 0; d < 7; d++)
			assert_int_equal(o.nhours[d], 0);
	}
}

static void
test_hours_overlap_with_earlier_entry_changes_nothing(void **state)
{
	struct config_office o;
	char msg[256];
	int d;

	memset(&o, 0, sizeof(o));
	assert_int_equal(config_parse_hours(&o, "Mi 11:00-12:00", msg,
	    sizeof(msg)), 0);
	assert_int_equal(config_parse_hours(&o, "Mo-Fr 08:00-11:30", msg,
	    sizeof(msg)), -1);
	assert_string_equal(msg, "time ranges 11:00-12:00 and 08:00-11:30 "
	    "overlap on Mi");
	for (d = 0; d < 7; d++)
		assert_int_equal(o.nhours[d], d == WED);
}

static void
test_hours_at_most_max_ranges_a_day(void **state)
{
	struct config_office o;
	char spec[64], msg[256];
	int i;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < CONFIG_MAX_RANGES; i++) {
		snprintf(spec, sizeof(spec), "Fr %02d:00-%02d:30", i, i);
		assert_int_equal(config_parse_hours(&o, spec, msg,
		    sizeof(msg)), 0);
	}
	assert_int_equal(config_parse_hours(&o, "Fr 20:00-21:00", msg,
	    sizeof(msg)), -1);
	assert_string_equal(msg, "more than 8 time ranges on Fr");
	assert_int_equal(o.nhours[FRI], CONFIG_MAX_RANGES);
	/* a short message buffer truncates, never overflows */
	assert_int_equal(config_parse_hours(&o, "Fr 20:00-21:00", msg, 5), -1);
	assert_string_equal(msg, "more");
	assert_int_equal(config_parse_hours(&o, "Fr 20:00-21:00", NULL, 0), -1);
}

/* --- overrides and the loopback rule ----------------------------------- */

static char *
check_output(const struct config *c, int *n)
{
	char *out;
	size_t len;
	FILE *err;

	err = open_memstream(&out, &len);
	assert_non_null(err);
	*n = config_check(c, err);
	fclose(err);
	return out;
}

static void
test_override_replaces_listen_and_state_dir(void **state)
{
	struct config *c = load_good(FIXTURES "good-minimal.conf");
	char *out;
	int n;

	assert_int_equal(config_override(c, "[::1]:9000", "var", stderr), 0);
	assert_int_equal(c->nlisten, 1);
	assert_string_equal(c->listen[0].addr, "::1");
	assert_int_equal(c->listen[0].port, 9000);
	assert_true(c->listen[0].loopback);
	assert_string_equal(c->state_dir, "var");
	out = check_output(c, &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	free(out);

	assert_int_equal(config_override(c, NULL, NULL, stderr), 0);
	assert_string_equal(c->listen[0].addr, "::1");
	assert_string_equal(c->state_dir, "var");

	assert_int_equal(config_override(c, "127.9.9.9:0", NULL, stderr), 0);
	assert_true(c->listen[0].loopback);
	config_free(c);
}

static void
test_override_to_public_address_fails_check_without_tls(void **state)
{
	struct config *c = load_good(FIXTURES "good-minimal.conf");
	char *out;
	int n;

	assert_int_equal(config_override(c, "192.0.2.1:8080", NULL, stderr), 0);
	assert_false(c->listen[0].loopback);
	out = check_output(c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, FIXTURES "good-minimal.conf: listen address "
	    "192.0.2.1:8080 is not loopback; plain HTTP is only allowed on "
	    "loopback \xe2\x80\x94 set tls_cert and tls_key\n");
	free(out);
	config_free(c);

	c = load_good(FIXTURES "good-full.conf");
	assert_int_equal(config_override(c, "[2001:db8::1]:443", NULL, stderr),
	    0);
	out = check_output(c, &n);
	assert_int_equal(n, 0);
	free(out);
	config_free(c);
}

static void
test_bad_override_changes_nothing(void **state)
{
	struct config *c = load_good(FIXTURES "good-minimal.conf");
	char *out;
	size_t len;
	FILE *err;

	err = open_memstream(&out, &len);
	assert_non_null(err);
	assert_int_equal(config_override(c, "localhost:8080", "elsewhere",
	    err), -1);
	assert_int_equal(config_override(c, NULL, "", err), -1);
	fclose(err);
	assert_string_equal(out, "--listen: bad listen address "
	    "\"localhost:8080\": \"localhost\" is not a numeric IPv4 address\n"
	    "--state-dir: must not be empty\n");
	free(out);
	assert_string_equal(c->listen[0].addr, "127.0.0.1");
	assert_int_equal(c->listen[0].port, 8080);
	assert_string_equal(c->state_dir, "/var/lib/klopf");
	config_free(c);
}

static void
test_check_on_built_in_struct(void **state)
{
	struct config *c = calloc(1, sizeof(*c));
	char *out;
	int n;

	assert_non_null(c);
	c->nlisten = 1;
	strcpy(c->listen[0].addr, "10.0.0.1");
	c->listen[0].port = 80;
	c->tls_key = strdup("key.pem");
	out = check_output(c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "(built-in): \"tls_key\" is set but "
	    "\"tls_cert\" is not; set both or neither\n");
	free(out);
	config_free(c);
	config_free(NULL);
}

/* --- media ------------------------------------------------------------- */

static void
test_media_defaults_without_media_group(void **state)
{
	struct config *c = load_good(FIXTURES "good-minimal.conf");
	const struct config_media *m = &c->media;

	assert_int_equal(m->naddresses, 1);
	assert_string_equal(m->addresses[0], "127.0.0.1");
	assert_int_equal(m->port_min, 40000);
	assert_int_equal(m->port_max, 40999);
	assert_false(m->ice_tcp);
	assert_null(m->certificate);
	assert_null(m->key);
	assert_int_equal(m->bitrate_kbps, 1500);
	assert_int_equal(m->realtime_priority, 0);
	assert_int_equal(m->nturn, 0);
	assert_false(m->metrics);       /* off unless metrics_listen is set */
	assert_int_equal(c->offices[0].bitrate_kbps, 0);
	config_free(c);
}

static void
test_media_group_sets_every_setting(void **state)
{
	struct config *c = load_good(FIXTURES "good-media.conf");
	const struct config_media *m = &c->media;

	assert_int_equal(m->naddresses, 2);
	assert_string_equal(m->addresses[0], "192.0.2.10");
	assert_string_equal(m->addresses[1], "2001:db8::10");
	assert_int_equal(m->port_min, 50000);
	assert_int_equal(m->port_max, 50099);
	assert_true(m->ice_tcp);
	assert_string_equal(m->certificate, "/etc/klopf/dtls.pem");
	assert_string_equal(m->key, "/etc/klopf/dtls.key");
	assert_int_equal(m->bitrate_kbps, 2500);
	assert_int_equal(m->realtime_priority, 10);
	assert_int_equal(m->nturn, 2);
	assert_int_equal(m->turn[0].nurls, 2);
	assert_string_equal(m->turn[0].urls[0], "turn:turn.example.org:3478");
	assert_string_equal(m->turn[0].urls[1], "turns:turn.example.org:5349");
	assert_string_equal(m->turn[0].username, "klopf");
	assert_string_equal(m->turn[0].credential, "geheim");
	assert_int_equal(m->turn[1].nurls, 1);
	assert_string_equal(m->turn[1].urls[0], "stun:stun.example.org:3478");
	assert_null(m->turn[1].username);
	assert_null(m->turn[1].credential);
	assert_true(m->metrics);
	assert_string_equal(m->metrics_listen.addr, "::1");
	assert_int_equal(m->metrics_listen.port, 9200);
	assert_true(m->metrics_listen.loopback);
	assert_int_equal(c->noffices, 2);
	assert_int_equal(config_office_find(c, "amt")->bitrate_kbps, 800);
	assert_int_equal(config_office_find(c, "andere")->bitrate_kbps, 0);
	config_free(c);
}

static void
test_media_metrics_can_be_turned_off(void **state)
{
	struct config *c = load_good(FIXTURES "good-media-no-metrics.conf");

	assert_false(c->media.metrics);
	assert_int_equal(c->media.nturn, 0);
	assert_int_equal(c->media.naddresses, 1);
	assert_string_equal(c->media.addresses[0], "127.0.0.1");
	assert_int_equal(c->media.port_min, 40000);
	assert_int_equal(c->media.bitrate_kbps, 1500);
	config_free(c);
}

static void
test_media_mistakes_each_at_its_line(void **state)
{
	expect_errors(FIXTURES "bad-media.conf",
	    "3: media address \"media.example.org\" is not a numeric IPv4 "
	    "or IPv6 address (without brackets)",
	    "3: media address \"[::1]\" is not a numeric IPv4 or IPv6 "
	    "address (without brackets)",
	    "6: \"ice_tcp\" must be true or false",
	    "8: \"bitrate_kbps\" must be between 64 and 20000, not 32",
	    "9: unknown setting \"codec\"",
	    "12: bad TURN/STUN URL \"http://turn.example.org\": it must start "
	    "with turn:, turns: or stun:, e.g. \"turn:turn.example.org:3478\"",
	    "13: unknown setting \"password\"",
	    "15: turn server #2: \"credential\" is required for turn: and "
	    "turns: URLs",
	    "20: \"metrics_listen\": bad listen address \"localhost:9101\": "
	    "\"localhost\" is not a numeric IPv4 address",
	    "4: \"port_min\" (41000) must not be greater than \"port_max\" "
	    "(40000)",
	    "7: \"certificate\" is set but \"key\" is not; set both or "
	    "neither",
	    "28: \"bitrate_kbps\" must be between 64 and 20000, not 30000",
	    NULL);
}

static void
test_media_wrong_kinds_and_ranges(void **state)
{
	expect_errors(FIXTURES "bad-media-ranges.conf",
	    "3: \"addresses\" must name 1 to 8 addresses",
	    "4: \"port_max\" must be between 1024 and 65535, not 1000",
	    "6: \"turn\" must be a list of groups, e.g. ( { urls = [ "
	    "\"turn:turn.example.org:3478\" ]; username = \"klopf\"; "
	    "credential = \"secret\"; } )",
	    "7: \"realtime_priority\" must be between 0 and 99, not 100",
	    "5: \"key\" is set but \"certificate\" is not; set both or "
	    "neither",
	    NULL);
}

/* --- appointments ------------------------------------------------------ */

static void
test_appointments(void **state)
{
	struct config *c = load_good(FIXTURES "good-appointments.conf");
	const struct config_appointments *a = &c->offices[0].appt;
	const struct config_appointments *d = &c->offices[1].appt;

	(void)state;
	assert_int_equal(c->nclosed, 2);
	assert_int_equal(c->closed[0], 20261225);
	assert_int_equal(c->closed[1], 20261226);
	assert_true(a->enabled);
	assert_int_equal(a->nhours[TUE], 1);
	assert_int_equal(a->hours[TUE][0].start, HM(9, 0));
	assert_int_equal(a->hours[THU][0].end, HM(16, 0));
	assert_int_equal(a->nhours[MON], 0);
	assert_int_equal(a->slot_minutes, 30);
	assert_int_equal(a->horizon_days, 14);
	assert_int_equal(a->notice_minutes, 60);
	assert_int_equal(a->nclosed, 1);
	assert_int_equal(a->closed[0], 20261224);
	/* the defaults */
	assert_true(d->enabled);
	assert_int_equal(d->slot_minutes, 20);
	assert_int_equal(d->horizon_days, 28);
	assert_int_equal(d->notice_minutes, 120);
	assert_int_equal(d->early_minutes, 5);
	assert_int_equal(d->late_minutes, 15);
	config_free(c);
	/* no group, no appointments */
	c = load_good(FIXTURES "good-minimal.conf");
	assert_false(c->offices[0].appt.enabled);
	config_free(c);
}

static void
test_appointment_mistakes(void **state)
{
	(void)state;
	expect_errors(FIXTURES "bad-appointments.conf",
	    "2: \"2026-02-29\" is not a date written as YYYY-MM-DD, such as "
	    "\"2026-12-24\"",
	    "2: \"24.12.2026\" is not a date written as YYYY-MM-DD, such as "
	    "\"2026-12-24\"",
	    "11: \"slot_minutes\" must be between 5 and 480, not 2",
	    "12: \"2026-13-01\" is not a date written as YYYY-MM-DD, such as "
	    "\"2026-12-24\"",
	    "13: unknown setting \"colour\" in \"appointments\"",
	    "4: office \"amt\": appointment hours Mo 11:50-12:00 are shorter "
	    "than one slot of 20 minutes",
	    "4: office \"amt\": appointment hours Sa 09:00-10:00 are outside "
	    "its consultation hours",
	    "21: \"late_minutes\" must be between 0 and 240, not 300",
	    "21: \"appointments\" needs \"hours\", e.g. hours = "
	    "[ \"Di 14:00-18:00\" ];",
	    NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_file_gets_defaults),
		cmocka_unit_test(test_full_file_sets_every_setting),
		cmocka_unit_test(test_always_open_fixture),
		cmocka_unit_test(test_sample_config_is_valid),
		cmocka_unit_test(test_missing_file_cannot_be_read),
		cmocka_unit_test(test_syntax_error_names_line),
		cmocka_unit_test(test_unknown_settings_at_every_level),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_out_of_range_names_the_range),
		cmocka_unit_test(test_bad_hours_each_reported_at_its_line),
		cmocka_unit_test(test_bad_listen_addresses),
		cmocka_unit_test(test_office_mistakes),
		cmocka_unit_test(test_appointments),
		cmocka_unit_test(test_appointment_mistakes),
		cmocka_unit_test(test_tls_cert_without_key),
		cmocka_unit_test(test_plain_http_only_on_loopback),
		cmocka_unit_test(test_general_settings_and_missing_offices),
		cmocka_unit_test(test_control_characters_do_not_break_lines),
		cmocka_unit_test(test_hours_good_entries),
		cmocka_unit_test(test_hours_mistakes_in_plain_words),
		cmocka_unit_test(test_hours_overlap_with_earlier_entry_changes_nothing),
		cmocka_unit_test(test_hours_at_most_max_ranges_a_day),
		cmocka_unit_test(test_override_replaces_listen_and_state_dir),
		cmocka_unit_test(test_override_to_public_address_fails_check_without_tls),
		cmocka_unit_test(test_bad_override_changes_nothing),
		cmocka_unit_test(test_check_on_built_in_struct),
		cmocka_unit_test(test_media_defaults_without_media_group),
		cmocka_unit_test(test_media_group_sets_every_setting),
		cmocka_unit_test(test_media_metrics_can_be_turned_off),
		cmocka_unit_test(test_media_mistakes_each_at_its_line),
		cmocka_unit_test(test_media_wrong_kinds_and_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
