/*
 * test_console_video: when the console wants the video window and what it
 * says about it (state_video.c) — opened on admit with video "auto", on v
 * with "key", never with "off"; ended with the consultation (e, or
 * room_closed); closed in the window (exit 0) told apart from died
 * (non-zero exit or a signal), the consultation staying open; v opening
 * it again — the media token asked for first and handed to klopf-video
 * (never the session), and the video settings of klopf.conf with their
 * file:line: errors.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "console_fixture.h"

#define SESSION "0123456789abcdef0123456789abcdef"
#define TOKEN "fedcba9876543210fedcba9876543210"

/* klopfd answers the console's media_token request for room. */
static void
token_reply(struct con_state *st, long long room)
{
	char buf[256];
	json_t *m = take(st, "media_token");

	assert_int_equal(req_int(m, "room"), room);
	assert_false(st->video.start);  /* not before the token is there */
	assert_int_equal(st->video.phase, CON_VIDEO_WANTED);
	snprintf(buf, sizeof(buf), "{\"type\":\"media_token\",\"id\":%lld,"
	    "\"room\":%lld,\"token\":\"" TOKEN "\",\"expires_at\":1790000060}",
	    req_id(m), room);
	state_msg_free(m);
	feed(st, buf);
	assert_true(st->video.start);
}

/* Online as anna (see console_fixture.h) with this video mode, then a
 * admits Aylin (ticket 41) into room 7 of amt-a. */
static void
admitted(struct con_state *st, enum con_video_mode mode)
{
	online(st);
	state_video_mode(st, mode);
	admit_aylin(st);
}

/* klopfd gives the token, then the shell does what video.start asks:
 * write the secret, start. */
static void
shell_starts(struct con_state *st)
{
	char secret[1024];

	token_reply(st, st->room.id);
	assert_true(st->video.start);
	assert_true(state_video_secret(st, "http://127.0.0.1:8080", "",
	    secret, sizeof(secret)) > 0);
	state_video_started(st, NULL);
	assert_false(st->video.start);
}

static void
test_admit_with_video_auto_opens_the_window(void **unused)
{
	struct con_state st;
	char secret[1024], buf[512];
	json_t *j, *m;
	int n;

	(void)unused;
	online(&st);
	keys_press(&st, 'a', T0);
	m = take(&st, "admit");
	snprintf(buf, sizeof(buf), "{\"type\":\"room\",\"id\":%lld,\"room\":"
	    "{\"id\":7,\"office\":\"amt-a\",\"ticket\":41,\"opened_at\":"
	    "\"2026-09-21T12:05:00+02:00\",\"name\":\"Aylin\"}}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_int_equal(st.video.phase, CON_VIDEO_WANTED);
	assert_int_equal(st.video.room, 7);
	assert_string_equal(state_video_label(&st), "Video: startet …");
	/* nothing to start before klopfd gave the token */
	assert_int_equal(state_video_secret(&st, "http://127.0.0.1:8080", "",
	    secret, sizeof(secret)), -1);
	token_reply(&st, 7);
	n = state_video_secret(&st, "http://127.0.0.1:8080", "/etc/ca.pem",
	    secret, sizeof(secret));
	assert_true(n > 0);
	assert_int_equal((int)strlen(secret), n);
	j = json_loads(secret, 0, NULL);
	assert_non_null(j);
	assert_string_equal(req_str(j, "server"), "http://127.0.0.1:8080");
	assert_int_equal(req_int(j, "room"), 7);
	assert_string_equal(req_str(j, "token"), TOKEN);
	assert_null(json_object_get(j, "session"));
	assert_null(strstr(secret, SESSION));
	assert_string_equal(req_str(j, "office"), "Amt A");
	/* 12:05 in +02:00 */
	assert_string_equal(req_str(j, "opened_at"), "2026-09-21T10:05:00Z");
	assert_string_equal(req_str(j, "ca_file"), "/etc/ca.pem");
	json_decref(j);
	/* without a CA file: none named */
	n = state_video_secret(&st, "http://127.0.0.1:8080", "", secret,
	    sizeof(secret));
	assert_true(n > 0);
	assert_null(strstr(secret, "ca_file"));
	/* too small a buffer: nothing, and nothing of the secret left */
	memset(secret, 0, sizeof(secret));
	assert_int_equal(state_video_secret(&st, "http://127.0.0.1:8080", "",
	    secret, 40), -1);
	assert_null(memmem(secret, sizeof(secret), TOKEN, 8));
	state_video_started(&st, NULL);
	assert_false(st.video.start);
	assert_string_equal(st.video.token, "");       /* wiped once used */
	assert_int_equal(st.video.phase, CON_VIDEO_RUNNING);
	assert_string_equal(state_video_label(&st), "Video: läuft");
	/* nothing to start any more */
	assert_int_equal(state_video_secret(&st, "http://127.0.0.1:8080", "",
	    secret, sizeof(secret)), -1);
	state_fini(&st);
}

static void
test_video_key_opens_only_on_v(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_KEY);
	assert_null(state_outbox_pop(&st));     /* no token asked for */
	assert_false(st.video.start);
	assert_string_equal(state_video_label(&st), "Video: geschlossen");
	keys_press(&st, 'v', T0);
	assert_non_null(strstr(st.status, "Videofenster wird geöffnet"));
	shell_starts(&st);
	assert_string_equal(state_video_label(&st), "Video: läuft");
	/* v again while it runs: nothing more */
	keys_press(&st, 'v', T0);
	assert_false(st.video.start);
	assert_non_null(strstr(st.status, "schon offen"));
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_video_off_never_opens(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_OFF);
	assert_null(state_outbox_pop(&st));
	assert_false(st.video.start);
	assert_null(state_video_label(&st));
	keys_press(&st, 'v', T0);
	assert_false(st.video.start);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "ausgeschaltet"));
	state_fini(&st);
}

static void
test_v_without_consultation_says_so(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'v', T0);
	assert_false(st.video.start);
	assert_non_null(strstr(st.status, "Kein Gespräch offen"));
	assert_null(state_video_label(&st));
	state_fini(&st);
}

static void
test_ending_the_consultation_ends_the_window(void **unused)
{
	struct con_state st;
	char buf[128];
	json_t *m;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	shell_starts(&st);
	keys_press(&st, 'e', T0);
	m = take(&st, "end");
	assert_false(st.video.stop);    /* only once klopfd ended it */
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.has_room);
	assert_true(st.video.stop);
	assert_int_equal(st.video.phase, CON_VIDEO_STOPPING);
	assert_string_equal(state_video_label(&st), "Video: wird geschlossen …");
	/* it went on SIGTERM (or SIGKILL later): closed, not died */
	state_video_exited(&st, 7, 0, SIGKILL);
	assert_int_equal(st.status_level, CON_INFO);
	assert_non_null(strstr(st.status, "Videofenster geschlossen"));
	assert_null(strstr(st.status, "unerwartet"));
	assert_null(state_video_label(&st));
	assert_int_equal(st.video.phase, CON_VIDEO_NONE);
	state_fini(&st);
}

static void
test_room_closed_ends_the_window(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	shell_starts(&st);
	feed(&st, "{\"type\":\"room_closed\",\"room\":8}");    /* another */
	assert_false(st.video.stop);
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	assert_true(st.video.stop);
	assert_int_equal(st.video.phase, CON_VIDEO_STOPPING);
	state_fini(&st);
}

/* Ended before it was started (the consultation went at once): it is
 * not started at all. */
static void
test_a_window_not_yet_started_is_not_started_after_the_end(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	token_reply(&st, 7);
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	assert_false(st.video.start);
	assert_false(st.video.stop);
	assert_int_equal(st.video.phase, CON_VIDEO_NONE);
	assert_string_equal(st.video.token, "");
	state_fini(&st);
}

static void
test_a_window_that_died_is_reported_and_v_reopens_it(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	shell_starts(&st);
	state_video_exited(&st, 7, 0, SIGKILL);
	assert_int_equal(st.video.phase, CON_VIDEO_DIED);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_string_equal(st.status, "Das Videofenster wurde unerwartet "
	    "beendet (Signal 9 (SIGKILL)). v öffnet es neu.");
	/* the consultation stays open */
	assert_true(st.has_room);
	assert_int_equal(state_presence(&st), CON_P_IN_CONSULTATION);
	assert_false(st.video.stop);
	assert_null(state_outbox_pop(&st));
	assert_string_equal(state_video_label(&st), "Video: geschlossen");
	keys_press(&st, 'v', T0);
	shell_starts(&st);
	assert_string_equal(state_video_label(&st), "Video: läuft");
	/* a non-zero exit is a death too */
	state_video_exited(&st, 7, 1, 0);
	assert_int_equal(st.video.phase, CON_VIDEO_DIED);
	assert_non_null(strstr(st.status, "unerwartet beendet (Exit-Code 1)"));
	state_fini(&st);
}

static void
test_closed_in_the_window_is_not_a_death(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	shell_starts(&st);
	state_video_exited(&st, 7, 0, 0);
	assert_int_equal(st.video.phase, CON_VIDEO_CLOSED);
	assert_int_equal(st.status_level, CON_INFO);
	assert_non_null(strstr(st.status, "Videofenster geschlossen"));
	assert_non_null(strstr(st.status, "v öffnet es neu"));
	assert_true(st.has_room);
	assert_string_equal(state_video_label(&st), "Video: geschlossen");
	keys_press(&st, 'v', T0);
	token_reply(&st, 7);
	state_fini(&st);
}

static void
test_a_window_that_cannot_start_is_reported(void **unused)
{
	struct con_state st;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	token_reply(&st, 7);
	state_video_started(&st, "klopf-video fehlt");
	assert_int_equal(st.video.phase, CON_VIDEO_DIED);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "klopf-video fehlt"));
	assert_string_equal(state_video_label(&st), "Video: geschlossen");
	state_fini(&st);
}

/* The end of an old window (of an ended consultation) says nothing about
 * the new one. */
static void
test_the_end_of_an_old_window_is_not_the_new_ones(void **unused)
{
	struct con_state st;
	char buf[512];
	json_t *m;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	shell_starts(&st);
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	assert_true(st.video.stop);
	st.video.stop = false;          /* the shell sent SIGTERM */
	keys_press(&st, 'a', T0);       /* the next person, at once */
	m = take(&st, "admit");
	snprintf(buf, sizeof(buf), "{\"type\":\"room\",\"id\":%lld,\"room\":"
	    "{\"id\":8,\"office\":\"amt-a\",\"ticket\":42,\"opened_at\":"
	    "\"2026-09-21T12:15:00+02:00\",\"name\":\"Jürgen\"}}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_int_equal(st.video.room, 8);
	shell_starts(&st);
	state_video_exited(&st, 7, 0, SIGTERM);
	assert_int_equal(st.video.phase, CON_VIDEO_RUNNING);
	assert_string_equal(state_video_label(&st), "Video: läuft");
	assert_null(strstr(st.status, "unerwartet"));
	state_fini(&st);
}

static void
test_a_refused_media_token_is_reported(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	m = take(&st, "media_token");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,"
	    "\"code\":\"busy\",\"message\":\"too many\"}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.video.start);
	assert_int_equal(st.video.phase, CON_VIDEO_DIED);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Videofenster lässt sich nicht "
	    "öffnen: Zu viel auf einmal"));
	assert_true(st.has_room);
	keys_press(&st, 'v', T0);       /* again */
	token_reply(&st, 7);
	state_fini(&st);
}

/* The token of a consultation that ended meanwhile starts nothing. */
static void
test_a_late_media_token_starts_nothing(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	m = take(&st, "media_token");
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	snprintf(buf, sizeof(buf), "{\"type\":\"media_token\",\"id\":%lld,"
	    "\"room\":7,\"token\":\"" TOKEN "\",\"expires_at\":1790000060}",
	    req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.video.start);
	assert_string_equal(st.video.token, "");
	assert_int_equal(st.video.phase, CON_VIDEO_NONE);
	state_fini(&st);
}

/* The request lost with the connection: the window is not stuck in
 * "startet", and v asks again once online. */
static void
test_a_media_token_lost_with_the_connection_can_be_asked_again(
    void **unused)
{
	struct con_state st;
	char buf[512];

	(void)unused;
	admitted(&st, CON_VIDEO_AUTO);
	state_disconnected(&st, T0, NULL);
	assert_int_equal(st.video.phase, CON_VIDEO_NONE);
	assert_string_equal(state_video_label(&st), "Video: geschlossen");
	keys_press(&st, 'v', T0);       /* refused while offline */
	assert_null(state_outbox_pop(&st));
	assert_non_null(strstr(st.status, "Keine Verbindung"));
	state_connecting(&st, T0 + 2000);
	state_connected(&st, T0 + 2000);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	state_msg_free(take(&st, "session"));
	snprintf(buf, sizeof(buf), "{\"type\":\"welcome_clerk\","
	    "\"session\":\"" SESSION "\",\"clerk\":{\"name\":\"anna\","
	    "\"offices\":[\"amt-a\",\"amt-b\"]},\"presence\":\"available\","
	    "\"room\":{\"id\":7,\"office\":\"amt-a\",\"ticket\":41}}");
	feed(&st, buf);
	assert_true(st.has_room);
	keys_press(&st, 'v', T0);
	token_reply(&st, 7);
	state_fini(&st);
}

/* --- klopf.conf --- */

static void
test_config_video_settings(void **unused)
{
	char path[] = "/tmp/klopf-conf-XXXXXX";
	struct con_conf c;
	const char *argv[40];
	char err[512];
	int fd = mkstemp(path), n;

	(void)unused;
	assert_true(fd >= 0);
	close(fd);
	conf_defaults(&c);
	assert_int_equal(c.video, CONF_VIDEO_AUTO);
	assert_string_equal(c.video_program, "");
	assert_int_equal(conf_video_argv(&c, argv, 40), 0);
	write_file(path, "video = \"key\";\nvideo_program = \"/bin/true\";\n"
	    "video_source = \"test\";\naudio_source = \"test\";\n"
	    "video_sink = \"ximagesink\";\naudio_sink = \"fakesink\";\n"
	    "video_args = [ \"--ice-address=127.0.0.1\", \"--stats\", "
	    "\"/tmp/s.jsonl\" ];\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), 0);
	assert_int_equal(c.video, CONF_VIDEO_KEY);
	assert_string_equal(c.video_program, "/bin/true");
	n = conf_video_argv(&c, argv, 40);
	assert_int_equal(n, 11);
	assert_string_equal(argv[0], "--video-source");
	assert_string_equal(argv[1], "test");
	assert_string_equal(argv[2], "--audio-source");
	assert_string_equal(argv[5], "ximagesink");
	assert_string_equal(argv[7], "fakesink");
	assert_string_equal(argv[8], "--ice-address=127.0.0.1");
	assert_string_equal(argv[9], "--stats");
	assert_string_equal(argv[10], "/tmp/s.jsonl");
	write_file(path, "video = \"off\";\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), 0);
	assert_int_equal(c.video, CONF_VIDEO_OFF);
	write_file(path, "video = \"auto\";\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), 0);
	assert_int_equal(c.video, CONF_VIDEO_AUTO);
	unlink(path);
}

static void
test_config_bad_video_settings_name_file_and_line(void **unused)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{"bell = true;\nvideo = \"immer\";\n",
		    ":2: video must be \"auto\""},
		{"video = true;\n", ":1: video must be \"auto\""},
		{"\n\nvideo_program = \"/nicht/da/klopf-video\";\n",
		    ":3: video_program /nicht/da/klopf-video: No such file"},
		{"video_program = \"\";\n", ":1: video_program is empty"},
		{"video_source = 3;\n", ":1: video_source must be a string"},
		{"audio_sink = \"a\\nb\";\n", ":1: audio_sink has a control"},
		{"video_args = \"--stats x\";\n", ":1: video_args must be a list"},
		{"video_args = ( \"-v\", 3 );\n", ":1: video_args must be a list "
		    "of strings"},
		{"video_args = [ \"\" ];\n", ":1: video_args entry 1 is empty"},
		{"\nvideo_args = [ \"--secret-fd=4\" ];\n",
		    ":2: video_args must not contain --secret-fd"},
		{"video_args = [ \"--secret-fd\", \"4\" ];\n",
		    ":1: video_args must not contain --secret-fd"},
		{"video_args = [ \"--check\" ];\n",
		    ":1: video_args must not contain --check"},
		{"video_args = [ \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
		    "\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
		    "\"a\" ];\n", ":1: video_args has more than 16"},
		{"video_sinks = \"x\";\n", ":1: unknown setting \"video_sinks\""},
	};
	char path[] = "/tmp/klopf-conf-XXXXXX";

	(void)unused;
	conf_tmp(path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		conf_must_refuse(path, bad[i].text, bad[i].err);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admit_with_video_auto_opens_the_window),
		cmocka_unit_test(test_video_key_opens_only_on_v),
		cmocka_unit_test(test_video_off_never_opens),
		cmocka_unit_test(test_v_without_consultation_says_so),
		cmocka_unit_test(test_ending_the_consultation_ends_the_window),
		cmocka_unit_test(test_room_closed_ends_the_window),
		cmocka_unit_test(test_a_window_not_yet_started_is_not_started_after_the_end),
		cmocka_unit_test(test_a_window_that_died_is_reported_and_v_reopens_it),
		cmocka_unit_test(test_closed_in_the_window_is_not_a_death),
		cmocka_unit_test(test_a_window_that_cannot_start_is_reported),
		cmocka_unit_test(test_the_end_of_an_old_window_is_not_the_new_ones),
		cmocka_unit_test(test_a_refused_media_token_is_reported),
		cmocka_unit_test(test_a_late_media_token_starts_nothing),
		cmocka_unit_test(test_a_media_token_lost_with_the_connection_can_be_asked_again),
		cmocka_unit_test(test_config_video_settings),
		cmocka_unit_test(test_config_bad_video_settings_name_file_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
