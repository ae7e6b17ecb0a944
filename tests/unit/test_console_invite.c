/*
 * test_console_invite: i, a guest invitation (state_invite.c) — asked for
 * the open consultation only, the whole link shown once with its expiry
 * and wiped when any key closes it; klopfd's refusals said in words; a
 * link that comes after the consultation ended (or closes with it) is not
 * shown. And the web address the link begins with: from the server URL
 * (conf_web_address), or klopf.conf's web_address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "console_fixture.h"

#define TOK "0123456789abcdef0123456789abcdef"

/* Online as anna, Aylin (ticket 41) admitted into room 7 of amt-a. */
static void
in_room(struct con_state *st)
{
	online(st);
	state_video_mode(st, CON_VIDEO_OFF);
	state_web_address(st, "http://127.0.0.1:8080/");
	admit_aylin(st);
}

/* i, and klopfd's invitation for room 7 in reply. */
static void
invited(struct con_state *st)
{
	char buf[512];
	json_t *m;

	keys_press(st, 'i', T0);
	m = take(st, "invite");
	assert_int_equal(req_int(m, "room"), 7);
	assert_int_equal(req_int(m, "ttl"), CON_INVITE_TTL_S);
	assert_false(st->invitation.shown);
	snprintf(buf, sizeof(buf), "{\"type\":\"invitation\",\"id\":%lld,"
	    "\"room\":7,\"token\":\"" TOK "\",\"path\":\"/#/gast/" TOK "\","
	    "\"expires_at\":1790000900}", req_id(m));
	state_msg_free(m);
	feed(st, buf);
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != 0)
			return false;
	return true;
}

static void
test_i_shows_the_whole_link_once(void **unused)
{
	struct con_state st;
	char bar[512];

	(void)unused;
	setenv("TZ", "UTC", 1);
	tzset();
	in_room(&st);
	invited(&st);
	assert_true(st.invitation.shown);
	assert_string_equal(st.invitation.link,
	    "http://127.0.0.1:8080/#/gast/" TOK);
	assert_int_equal(st.invitation.room, 7);
	assert_int_equal(st.invitation.expires_at, 1790000900);
	/* 1790000900 is 14:28 UTC */
	assert_int_equal(st.status_level, CON_INFO);
	assert_non_null(strstr(st.status, "gültig bis 14:28 Uhr"));
	assert_non_null(strstr(st.status, "einmal"));
	/* the link itself never goes to the status line */
	assert_null(strstr(st.status, TOK));
	keys_bar(&st, 80, bar, sizeof(bar));
	assert_non_null(strstr(bar, "Einladung schließen"));

	/* any key closes it, and does nothing else */
	keys_press(&st, 'e', T0);
	assert_false(st.invitation.shown);
	assert_true(all_zero(&st.invitation, sizeof(st.invitation)));
	assert_null(state_outbox_pop(&st));
	assert_true(st.has_room);
	state_fini(&st);
}

static void
test_i_without_consultation_asks_nothing(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'i', T0);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Kein Gespräch offen"));
	state_fini(&st);
}

static void
test_i_while_offline_asks_nothing(void **unused)
{
	struct con_state st;

	(void)unused;
	in_room(&st);
	state_disconnected(&st, T0, "weg");
	keys_press(&st, 'i', T0);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Keine Verbindung"));
	state_fini(&st);
}

static void
test_a_refusal_is_said_in_words(void **unused)
{
	static const struct {
		const char *code;
		const char *says;
	} cases[] = {
		{"not_in_room", "Sie führen dieses Gespräch nicht"},
		{"busy", "Zu viel auf einmal"},
		{"no_such_code", "Unerwarteter Fehler"},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct con_state st;
		char buf[256];
		json_t *m;

		in_room(&st);
		keys_press(&st, 'i', T0);
		m = take(&st, "invite");
		snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,"
		    "\"code\":\"%s\",\"message\":\"x\"}", req_id(m),
		    cases[i].code);
		state_msg_free(m);
		feed(&st, buf);
		assert_false(st.invitation.shown);
		assert_int_equal(st.status_level, CON_ERROR);
		if (strstr(st.status, "Einladen: ") != st.status ||
		    strstr(st.status, cases[i].says) == NULL)
			fail_msg("%s: said \"%s\"", cases[i].code, st.status);
		state_fini(&st);
	}
}

static void
test_the_box_closes_with_the_consultation(void **unused)
{
	struct con_state st;

	(void)unused;
	in_room(&st);
	invited(&st);
	assert_true(st.invitation.shown);
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	assert_false(st.has_room);
	assert_false(st.invitation.shown);
	assert_true(all_zero(&st.invitation, sizeof(st.invitation)));
	state_fini(&st);
}

static void
test_a_link_after_the_end_is_not_shown(void **unused)
{
	struct con_state st;
	char buf[512];
	json_t *m;

	(void)unused;
	in_room(&st);
	keys_press(&st, 'i', T0);
	m = take(&st, "invite");
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	snprintf(buf, sizeof(buf), "{\"type\":\"invitation\",\"id\":%lld,"
	    "\"room\":7,\"token\":\"" TOK "\",\"path\":\"/#/gast/" TOK "\","
	    "\"expires_at\":1790000900}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.invitation.shown);
	assert_true(all_zero(&st.invitation, sizeof(st.invitation)));
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "schon beendet"));
	state_fini(&st);
}

static void
test_fini_wipes_a_shown_link(void **unused)
{
	struct con_state st;

	(void)unused;
	in_room(&st);
	invited(&st);
	assert_true(st.invitation.shown);
	state_fini(&st);
	assert_true(all_zero(&st.invitation, sizeof(st.invitation)));
}

static void
test_web_address_from_the_server_url(void **unused)
{
	static const struct {
		const char *url;
		const char *web;
	} cases[] = {
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/"},
		{"http://localhost:8080/ws", "http://localhost:8080/"},
		{"https://klopf.example.de", "https://klopf.example.de/"},
		{"https://klopf.example.de:443/", "https://klopf.example.de/"},
		{"https://klopf.example.de:8443/amt/", "https://klopf.example.de:8443/amt/"},
		{"https://klopf.example.de/amt/ws", "https://klopf.example.de/amt/"},
		{"http://[::1]:8080", "http://[::1]:8080/"},
	};
	struct con_url u;
	char err[256], web[300], tiny[16];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (conf_parse_url(cases[i].url, &u, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].url, err);
		assert_int_equal(conf_web_address(&u, web, sizeof(web)), 0);
		if (strcmp(web, cases[i].web) != 0)
			fail_msg("%s: gave %s, expected %s", cases[i].url, web,
			    cases[i].web);
	}
	assert_int_equal(conf_web_address(&u, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "");
}

static void
test_web_address_from_the_configuration(void **unused)
{
	static const struct {
		const char *text;
		const char *web;        /* NULL: refused, err names line 2 */
		const char *err;
	} cases[] = {
		{"\nweb_address = \"https://buergerbuero.example.de\";\n",
		    "https://buergerbuero.example.de/", NULL},
		{"\nweb_address = \"https://b.example.de:8443/amt/\";\n",
		    "https://b.example.de:8443/amt/", NULL},
		{"\nweb_address = \"http://buergerbuero.example.de/\";\n",
		    NULL, ":2: web_address: plain http:// is only for this machine"},
		{"\nweb_address = \"https://b.example.de/?x=1\";\n",
		    NULL, ":2: web_address: the server URL must not have a query"},
		{"\nweb_address = 443;\n", NULL, ":2: web_address must be a string"},
	};
	char path[] = "/tmp/klopf-conf-XXXXXX";
	struct con_conf c;
	char err[512];

	(void)unused;
	conf_tmp(path);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].web == NULL) {
			conf_must_refuse(path, cases[i].text, cases[i].err);
			continue;
		}
		conf_defaults(&c);
		assert_string_equal(c.web_address, "");
		write_file(path, cases[i].text);
		if (conf_load(path, true, &c, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].text, err);
		assert_string_equal(c.web_address, cases[i].web);
	}
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i_shows_the_whole_link_once),
		cmocka_unit_test(test_i_without_consultation_asks_nothing),
		cmocka_unit_test(test_i_while_offline_asks_nothing),
		cmocka_unit_test(test_a_refusal_is_said_in_words),
		cmocka_unit_test(test_the_box_closes_with_the_consultation),
		cmocka_unit_test(test_a_link_after_the_end_is_not_shown),
		cmocka_unit_test(test_fini_wipes_a_shown_link),
		cmocka_unit_test(test_web_address_from_the_server_url),
		cmocka_unit_test(test_web_address_from_the_configuration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
