/*
 * test_console_state: what the console knows and how it changes — login
 * with a typed password that is wiped once sent, the session resumed after
 * a reconnect, queues kept in step with klopfd's pushes, new knocks,
 * admit/decline/transfer/end as requests with the replies and errors they
 * get, presence, filter, reconnect with backoff keeping the view, quitting.
 * Also the console's text helpers (UTF-8 widths, fitting, case-blind
 * search), the server URL and the configuration file.
 */
#include <setjmp.h>
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

static const struct con_office *
office(const struct con_state *st, const char *id)
{
	const struct con_office *o = state_office(st, id);

	assert_non_null(o);
	return o;
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* --- login and session --- */

static void
test_start_asks_for_the_password_and_connects(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "127.0.0.1:8080", true);
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	assert_int_equal(st.conn, CON_IDLE);
	assert_true(state_tick(&st, T0));
	state_connecting(&st, T0);
	assert_false(state_tick(&st, T0));
	assert_int_equal(st.conn, CON_CONNECTING);
	state_fini(&st);
}

static void
test_login_is_sent_once_password_and_welcome_are_there(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	setlocale(LC_ALL, "C.UTF-8");
	state_init(&st, "anna", "127.0.0.1:8080", true);
	state_connecting(&st, T0);
	state_connected(&st, T0);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	assert_null(state_outbox_pop(&st));     /* no password yet */
	type_text(&st, "Pässwört-1");
	assert_string_equal(st.prompt.text, "Pässwört-1");
	keys_press(&st, '\r', T0);
	m = take(&st, "login");
	assert_string_equal(req_str(m, "user"), "anna");
	assert_string_equal(req_str(m, "password"), "Pässwört-1");
	assert_string_equal(req_str(m, "presence"), "available");
	/* The password is gone from the state once the request exists. */
	assert_false(st.have_password);
	assert_true(all_zero(st.password, sizeof(st.password)));
	assert_true(all_zero(st.prompt.text, sizeof(st.prompt.text)));
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	state_msg_free(m);
	state_fini(&st);
}

/* The administration's zone is kept only when it looks like a zone name:
 * main.c puts it into TZ, which glibc would also read as a path. */
static void
test_welcome_names_the_time_zone(void **unused)
{
	static const char *const bad[] = {"/etc/passwd", "../../etc/x",
	    "Europe/Berlin;rm", "Europe Berlin", ":Europe/Berlin"};
	struct con_state st;
	char buf[160];
	size_t i;

	(void)unused;
	state_init(&st, "anna", "127.0.0.1:8080", true);
	state_connecting(&st, T0);
	state_connected(&st, T0);
	assert_string_equal(st.timezone, "");
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1,"
	    "\"timezone\":\"America/Argentina/Buenos_Aires\"}");
	assert_string_equal(st.timezone, "America/Argentina/Buenos_Aires");
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1,"
	    "\"timezone\":\"Etc/GMT+1\"}");
	assert_string_equal(st.timezone, "Etc/GMT+1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"welcome\","
		    "\"protocol\":1,\"timezone\":\"%s\"}", bad[i]);
		feed(&st, buf);
		assert_string_equal(st.timezone, "Etc/GMT+1");
	}
	state_fini(&st);
}

static void
test_password_typed_before_the_welcome_waits_for_it(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	state_init(&st, "anna", "x", true);
	state_connecting(&st, T0);
	type_text(&st, "pw");
	keys_press(&st, '\r', T0);
	assert_null(state_outbox_pop(&st));
	assert_true(st.have_password);
	state_connected(&st, T0);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	m = take(&st, "login");
	assert_string_equal(req_str(m, "password"), "pw");
	state_msg_free(m);
	state_fini(&st);
}

static void
test_empty_password_is_not_sent(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "x", true);
	state_connecting(&st, T0);
	state_connected(&st, T0);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	keys_press(&st, '\r', T0);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	assert_int_equal(st.status_level, CON_ERROR);
	state_fini(&st);
}

static void
test_wrong_password_says_so_and_asks_again(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	state_init(&st, "anna", "x", true);
	state_connecting(&st, T0);
	state_connected(&st, T0);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	type_text(&st, "falsch");
	keys_press(&st, '\r', T0);
	m = take(&st, "login");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"bad_credentials\",\"message\":\"Wrong user name or password.\"}",
	    req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_int_equal(st.conn, CON_AUTH);
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "falsches Passwort"));
	/* Second try. */
	type_text(&st, "richtig");
	keys_press(&st, '\r', T0);
	m = take(&st, "login");
	assert_string_equal(req_str(m, "password"), "richtig");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"throttled\",\"message\":\"Too many.\",\"retry_after\":57}",
	    req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_non_null(strstr(st.status, "57 s"));
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	state_fini(&st);
}

static void
test_esc_at_the_password_prompt_quits(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "x", true);
	type_text(&st, "abc");
	keys_press(&st, CK_ESC, T0);
	assert_true(st.quit);
	assert_true(all_zero(st.prompt.text, sizeof(st.prompt.text)));
	state_fini(&st);
}

static void
test_welcome_clerk_fills_offices_presence_and_messages(void **unused)
{
	struct con_state st;
	const struct con_office *a;

	(void)unused;
	online(&st);
	assert_string_equal(st.session, "0123456789abcdef0123456789abcdef");
	assert_string_equal(st.clerk, "anna");
	assert_int_equal(st.ndecline, 2);
	assert_string_equal(st.decline[0], "Bitte buchen Sie einen Termin.");
	assert_string_equal(st.current, "amt-a");
	a = office(&st, "amt-a");
	assert_true(a->mine);
	assert_string_equal(a->name, "Amt A");
	assert_int_equal(a->status, CON_S_OPEN);
	assert_int_equal(a->presence, CON_P_AVAILABLE);
	assert_int_equal(a->ntickets, 3);
	assert_false(office(&st, "beratung")->mine);
	assert_true(office(&st, "beratung")->anonymous);
	assert_int_equal(office(&st, "beratung")->wait, -1);
	assert_int_equal(state_presence(&st), CON_P_AVAILABLE);
	/* The first in the queue is selected; nothing is new yet. */
	assert_int_equal(state_selected(&st)->id, 41);
	assert_false(state_ticket_is_new(state_selected(&st), T0));
	assert_false(st.bell_pending);
	state_fini(&st);
}

static void
test_queue_tickets_are_read_field_by_field(void **unused)
{
	struct con_state st;
	const struct con_office *a;

	(void)unused;
	online(&st);
	a = office(&st, "amt-a");
	assert_string_equal(a->tickets[1].name, "Jürgen Groß");
	assert_string_equal(a->tickets[1].topic, "Wohngeld");
	assert_string_equal(a->tickets[2].name, "");    /* anonymous */
	assert_string_equal(a->tickets[2].lang, "ar");
	assert_int_equal(a->tickets[0].knocked_at, 1789984800);
	/* Entries of the wrong shape are skipped, wrong fields ignored. */
	feed(&st, "{\"type\":\"queue\",\"office\":\"amt-b\",\"tickets\":["
	    "{\"name\":\"no id\"},7,{\"id\":\"8\"},"
	    "{\"id\":9,\"name\":5,\"topic\":[1],\"knocked_at\":\"gestern\"}]}");
	a = office(&st, "amt-b");
	assert_int_equal(a->ntickets, 1);
	assert_int_equal(a->tickets[0].id, 9);
	assert_string_equal(a->tickets[0].name, "");
	assert_int_equal(a->tickets[0].knocked_at, 0);
	/* A queue of an office that is not known is ignored. */
	feed(&st, "{\"type\":\"queue\",\"office\":\"nirgends\",\"tickets\":[]}");
	assert_null(state_office(&st, "nirgends"));
	state_fini(&st);
}

static void
test_new_knock_is_inserted_marked_and_rings(void **unused)
{
	struct con_state st;
	const struct con_office *a;

	(void)unused;
	online(&st);
	feed_at(&st, "{\"type\":\"queue_add\",\"office\":\"amt-a\",\"position\":2,"
	    "\"ticket\":" QT(44, "\"Ольга\"", "\"Ummeldung\"", "ru") "}",
	    T0 + 5000, __LINE__);
	a = office(&st, "amt-a");
	assert_int_equal(a->ntickets, 4);
	assert_int_equal(a->tickets[1].id, 44);
	assert_true(state_ticket_is_new(&a->tickets[1], T0 + 5000));
	assert_false(state_ticket_is_new(&a->tickets[1],
	    T0 + 5000 + CON_NEW_MS));
	assert_true(st.bell_pending);
	assert_non_null(strstr(st.status, "Ольга"));
	/* The selection stays where it was. */
	assert_int_equal(state_selected(&st)->id, 41);
	/* A position past the end appends. */
	feed(&st, "{\"type\":\"queue_add\",\"office\":\"amt-a\",\"position\":99,"
	    "\"ticket\":" QT(45, "\"Zoë\"", "null", "de") "}");
	assert_int_equal(a->tickets[4].id, 45);
	state_fini(&st);
}

static void
test_bell_can_be_switched_off(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	st.bell = false;
	feed(&st, "{\"type\":\"queue_add\",\"office\":\"amt-b\",\"position\":1,"
	    "\"ticket\":" QT(50, "\"B\"", "null", "de") "}");
	assert_false(st.bell_pending);
	state_fini(&st);
}

static void
test_queue_remove_moves_the_selection_to_the_next(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'j', T0);
	assert_int_equal(state_selected(&st)->id, 42);
	feed(&st, "{\"type\":\"queue_remove\",\"office\":\"amt-a\",\"ticket\":42,"
	    "\"state\":\"withdrawn\"}");
	assert_int_equal(office(&st, "amt-a")->ntickets, 2);
	assert_int_equal(state_selected(&st)->id, 43);
	assert_non_null(strstr(st.status, "verlassen"));
	feed(&st, "{\"type\":\"queue_remove\",\"office\":\"amt-a\",\"ticket\":43,"
	    "\"state\":\"expired\"}");
	assert_int_equal(state_selected(&st)->id, 41);
	feed(&st, "{\"type\":\"queue_remove\",\"office\":\"amt-a\",\"ticket\":41,"
	    "\"state\":\"admitted\"}");
	assert_null(state_selected(&st));
	/* Removing what is not there changes nothing. */
	feed(&st, "{\"type\":\"queue_remove\",\"office\":\"amt-a\",\"ticket\":41,"
	    "\"state\":\"admitted\"}");
	assert_int_equal(office(&st, "amt-a")->ntickets, 0);
	state_fini(&st);
}

static void
test_office_push_and_presence_push_update_the_view(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	feed(&st, "{\"type\":\"office\",\"office\":{\"id\":\"amt-a\",\"name\":"
	    "\"Amt A\",\"status\":\"busy\",\"queue\":2,\"wait\":900}}");
	assert_int_equal(office(&st, "amt-a")->status, CON_S_BUSY);
	assert_int_equal(office(&st, "amt-a")->wait, 900);
	feed(&st, "{\"type\":\"presence\",\"presence\":\"away\",\"office\":"
	    "\"amt-b\"}");
	assert_int_equal(office(&st, "amt-b")->presence, CON_P_AWAY);
	/* A full list without an office that is not the clerk's drops it. */
	feed(&st, "{\"type\":\"offices\",\"offices\":[{\"id\":\"amt-a\","
	    "\"name\":\"Amt A\",\"status\":\"open\",\"queue\":3}]}");
	assert_null(state_office(&st, "beratung"));
	assert_non_null(state_office(&st, "amt-b"));     /* the clerk's */
	state_fini(&st);
}

/* --- actions --- */

static void
test_admit_sends_the_selected_ticket_and_opens_the_room(void **unused)
{
	struct con_state st;
	char buf[512];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'a', T0);
	m = take(&st, "admit");
	assert_int_equal(req_int(m, "ticket"), 41);
	snprintf(buf, sizeof(buf), "{\"type\":\"room\",\"id\":%lld,\"room\":"
	    "{\"id\":7,\"office\":\"amt-a\",\"ticket\":41,\"opened_at\":"
	    "\"2026-09-21T12:05:00+02:00\",\"name\":\"Aylin\",\"topic\":"
	    "\"Antrag\"}}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_true(st.has_room);
	assert_int_equal(st.room.id, 7);
	assert_int_equal(st.room.ticket, 41);
	assert_string_equal(st.room.name, "Aylin");
	assert_int_equal(st.room.opened_at, 1789985100);
	assert_int_equal(state_presence(&st), CON_P_IN_CONSULTATION);
	assert_non_null(strstr(st.status, "Aylin"));
	/* the video window's token (test_console_video.c) */
	state_msg_free(take(&st, "media_token"));
	/* A second admit is refused here, without asking klopfd. */
	keys_press(&st, 'j', T0);
	keys_press(&st, 'a', T0);
	assert_null(state_outbox_pop(&st));
	assert_non_null(strstr(st.status, "beenden"));
	/* The room closes (e.g. by another console of the clerk). */
	feed(&st, "{\"type\":\"room_closed\",\"room\":7}");
	assert_false(st.has_room);
	assert_int_equal(state_presence(&st), CON_P_AVAILABLE);
	state_fini(&st);
}

static void
test_room_opened_by_another_console_is_shown(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	assert_false(st.has_room);
	feed(&st, "{\"type\":\"room\",\"room\":{\"id\":8,\"office\":"
	    "\"amt-a\",\"ticket\":41,\"opened_at\":"
	    "\"2026-09-21T12:05:00+02:00\",\"name\":\"Aylin\",\"topic\":null}}");
	assert_true(st.has_room);
	assert_int_equal(st.room.id, 8);
	assert_string_equal(st.room.name, "Aylin");
	assert_int_equal(state_presence(&st), CON_P_IN_CONSULTATION);
	assert_non_null(strstr(st.status, "Aylin"));
	feed(&st, "{\"type\":\"room_closed\",\"room\":8}");
	assert_false(st.has_room);
	state_fini(&st);
}

static void
test_admit_refused_by_klopfd_is_explained(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'a', T0);
	m = take(&st, "admit");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"not_present\",\"message\":\"x\"}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.has_room);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Einlassen"));
	assert_non_null(strstr(st.status, "abwesend"));
	state_fini(&st);
}

static void
test_nothing_selected_nothing_sent(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, CK_TAB, T0);    /* amt-b: empty */
	assert_string_equal(st.current, "amt-b");
	keys_press(&st, 'a', T0);
	keys_press(&st, 'd', T0);
	keys_press(&st, 't', T0);
	keys_press(&st, 'e', T0);
	keys_press(&st, 'T', T0);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	state_fini(&st);
}

static void
test_decline_offers_ready_messages_and_sends_the_text(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'j', T0);
	keys_press(&st, 'd', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_DECLINE);
	assert_int_equal(st.prompt.ticket, 42);
	assert_string_equal(st.prompt.who, "Jürgen Groß");
	/* Enter on an empty message does nothing but explain. */
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_DECLINE);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, CK_DOWN, T0);
	assert_string_equal(st.prompt.text, "Bitte buchen Sie einen Termin.");
	keys_press(&st, CK_DOWN, T0);
	assert_string_equal(st.prompt.text, "Heute nicht mehr.");
	keys_press(&st, CK_DOWN, T0);   /* wraps */
	assert_string_equal(st.prompt.text, "Bitte buchen Sie einen Termin.");
	keys_press(&st, CK_UP, T0);
	assert_string_equal(st.prompt.text, "Heute nicht mehr.");
	/* The ready text can be edited. */
	keys_press(&st, CK_BACKSPACE, T0);
	type_text(&st, " – Grüße!");
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	m = take(&st, "decline");
	assert_int_equal(req_int(m, "ticket"), 42);
	assert_string_equal(req_str(m, "message"), "Heute nicht mehr – Grüße!");
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_non_null(strstr(st.status, "Abgelehnt: Jürgen Groß"));
	state_fini(&st);
}

static void
test_decline_prompt_closes_when_the_person_leaves(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'd', T0);
	type_text(&st, "Nein");
	feed(&st, "{\"type\":\"queue_remove\",\"office\":\"amt-a\",\"ticket\":41,"
	    "\"state\":\"withdrawn\"}");
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_non_null(strstr(st.status, "wartet nicht mehr"));
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_transfer_chooses_another_office_and_adds_a_note(void **unused)
{
	struct con_state st;
	int idx[CON_MAX_OFFICES], n;
	char buf[256];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 't', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_TRANSFER_OFFICE);
	n = state_transfer_targets(&st, idx, CON_MAX_OFFICES);
	assert_int_equal(n, 2);         /* amt-b and beratung, not amt-a */
	assert_string_equal(st.offices[idx[0]].id, "amt-b");
	assert_int_equal(st.prompt.choice, 0);
	keys_press(&st, 'j', T0);
	assert_int_equal(st.prompt.choice, 1);
	keys_press(&st, 'j', T0);       /* wraps */
	assert_int_equal(st.prompt.choice, 0);
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_TRANSFER_NOTE);
	assert_string_equal(st.prompt.target, "amt-b");
	type_text(&st, "bitte Unterlagen prüfen");
	keys_press(&st, '\r', T0);
	m = take(&st, "transfer");
	assert_int_equal(req_int(m, "ticket"), 41);
	assert_string_equal(req_str(m, "office"), "amt-b");
	assert_string_equal(req_str(m, "note"), "bitte Unterlagen prüfen");
	snprintf(buf, sizeof(buf), "{\"type\":\"transferred\",\"id\":%lld,"
	    "\"ticket\":58}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_non_null(strstr(st.status, "an Amt B"));
	state_fini(&st);
}

static void
test_transfer_without_note_and_of_the_room(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	online(&st);
	st.has_room = true;
	st.room.id = 7;
	st.room.ticket = 40;
	snprintf(st.room.office, sizeof(st.room.office), "amt-b");
	keys_press(&st, 'T', T0);
	assert_int_equal(st.prompt.ticket, 40);
	keys_press(&st, '\r', T0);      /* amt-a: the first that is not amt-b */
	keys_press(&st, '\r', T0);      /* no note */
	m = take(&st, "transfer");
	assert_int_equal(req_int(m, "ticket"), 40);
	assert_string_equal(req_str(m, "office"), "amt-a");
	assert_null(json_object_get(m, "note"));
	state_msg_free(m);
	state_fini(&st);
}

static void
test_esc_cancels_a_prompt_without_sending(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 't', T0);
	keys_press(&st, '\r', T0);
	type_text(&st, "Notiz");
	keys_press(&st, CK_ESC, T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_null(state_outbox_pop(&st));
	assert_non_null(strstr(st.status, "Abgebrochen"));
	state_fini(&st);
}

static void
test_end_closes_the_room(void **unused)
{
	struct con_state st;
	char buf[128];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'e', T0);
	assert_null(state_outbox_pop(&st));
	assert_non_null(strstr(st.status, "Kein Gespräch"));
	feed(&st, "{\"type\":\"welcome_clerk\",\"session\":\"s\",\"clerk\":"
	    "{\"name\":\"anna\",\"offices\":[\"amt-a\",\"amt-b\"]},\"presence\":"
	    "\"in_consultation\",\"room\":{\"id\":9,\"office\":\"amt-a\","
	    "\"ticket\":30,\"opened_at\":\"2026-09-21T12:00:00Z\",\"name\":null}}");
	assert_true(st.has_room);
	assert_int_equal(st.chosen, CON_P_AVAILABLE);   /* kept */
	keys_press(&st, 'e', T0);
	m = take(&st, "end");
	assert_int_equal(req_int(m, "room"), 9);
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_false(st.has_room);
	assert_non_null(strstr(st.status, "beendet"));
	state_fini(&st);
}

static void
test_presence_toggles_and_is_reverted_when_refused(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'p', T0);
	assert_int_equal(st.chosen, CON_P_AWAY);
	m = take(&st, "presence");
	assert_string_equal(req_str(m, "presence"), "away");
	assert_null(json_object_get(m, "office"));       /* every office */
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_non_null(strstr(st.status, "abwesend"));
	assert_int_equal(state_presence(&st), CON_P_AWAY);
	keys_press(&st, 'p', T0);
	m = take(&st, "presence");
	assert_string_equal(req_str(m, "presence"), "available");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"internal\",\"message\":\"x\"}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_int_equal(st.chosen, CON_P_AWAY);
	/* During a consultation the choice is for afterwards. */
	st.has_room = true;
	keys_press(&st, 'p', T0);
	m = take(&st, "presence");
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_non_null(strstr(st.status, "Nach dem Gespräch: verfügbar"));
	assert_int_equal(state_presence(&st), CON_P_IN_CONSULTATION);
	state_fini(&st);
}

static void
test_filter_narrows_the_queue_case_blind(void **unused)
{
	struct con_state st;
	const struct con_office *a;
	size_t idx[8];

	(void)unused;
	online(&st);
	a = office(&st, "amt-a");
	keys_press(&st, '/', T0);
	type_text(&st, "GROSS");
	assert_int_equal(state_visible(&st, a, idx, 8), 0);
	keys_press(&st, CK_CTRL('u'), T0);
	type_text(&st, "GRO");
	assert_int_equal(state_visible(&st, a, idx, 8), 1);
	assert_int_equal(a->tickets[idx[0]].id, 42);
	/* The selection follows the filter. */
	assert_int_equal(state_selected(&st)->id, 42);
	keys_press(&st, '\r', T0);
	assert_string_equal(st.filter, "GRO");
	/* Umlauts fold too, and "anonym" finds those without a name. */
	keys_press(&st, '/', T0);
	keys_press(&st, CK_CTRL('u'), T0);
	type_text(&st, "JÜRG");
	assert_int_equal(state_visible(&st, a, idx, 8), 1);
	keys_press(&st, CK_CTRL('u'), T0);
	type_text(&st, "anonym");
	assert_int_equal(state_visible(&st, a, idx, 8), 1);
	assert_int_equal(a->tickets[idx[0]].id, 43);
	/* Esc brings back the filter from before. */
	keys_press(&st, CK_ESC, T0);
	assert_string_equal(st.filter, "GRO");
	/* An empty filter shows all. */
	keys_press(&st, '/', T0);
	keys_press(&st, CK_CTRL('u'), T0);
	keys_press(&st, '\r', T0);
	assert_string_equal(st.filter, "");
	assert_int_equal(state_visible(&st, a, idx, 8), 3);
	state_fini(&st);
}

/* --- connection --- */

static void
test_backoff_doubles_up_to_the_limit(void **unused)
{
	(void)unused;
	assert_int_equal(state_backoff_ms(0), 1000);
	assert_int_equal(state_backoff_ms(1), 2000);
	assert_int_equal(state_backoff_ms(2), 4000);
	assert_int_equal(state_backoff_ms(4), 16000);
	assert_int_equal(state_backoff_ms(5), CON_RETRY_MAX_MS);
	assert_int_equal(state_backoff_ms(60), CON_RETRY_MAX_MS);
}

static void
test_lost_connection_keeps_the_view_and_retries(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'p', T0);       /* queued, never answered */
	state_disconnected(&st, T0, "weg");
	assert_int_equal(st.conn, CON_LOST);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.npending, 0);
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Keine Verbindung"));
	assert_non_null(strstr(st.status, "weg"));
	/* The view stays. */
	assert_int_equal(office(&st, "amt-a")->ntickets, 3);
	assert_int_equal(state_selected(&st)->id, 41);
	assert_int_equal(state_presence(&st), CON_P_OFFLINE);
	/* Actions wait for the connection. */
	keys_press(&st, 'a', T0);
	assert_null(state_outbox_pop(&st));
	assert_non_null(strstr(st.status, "Keine Verbindung"));
	/* Retry after 1 s, then 2 s, then 4 s. */
	assert_false(state_tick(&st, T0 + 999));
	assert_true(state_tick(&st, T0 + 1000));
	state_connecting(&st, T0 + 1000);
	state_disconnected(&st, T0 + 1000, NULL);
	assert_false(state_tick(&st, T0 + 2999));
	assert_true(state_tick(&st, T0 + 3000));
	state_connecting(&st, T0 + 3000);
	state_disconnected(&st, T0 + 3000, NULL);
	assert_int_equal(st.retry_at, T0 + 7000);
	state_fini(&st);
}

static void
test_reconnect_resumes_the_session_without_a_password(void **unused)
{
	struct con_state st;
	char buf[1024];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'p', T0);
	state_msg_free(take(&st, "presence"));
	state_disconnected(&st, T0, NULL);
	state_connecting(&st, T0 + 1000);
	state_connected(&st, T0 + 1000);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	m = take(&st, "session");
	assert_string_equal(req_str(m, "session"),
	    "0123456789abcdef0123456789abcdef");
	assert_string_equal(req_str(m, "presence"), "away");
	snprintf(buf, sizeof(buf), "{\"type\":\"welcome_clerk\",\"id\":%lld,"
	    "\"session\":\"0123456789abcdef0123456789abcdef\",\"clerk\":"
	    "{\"name\":\"anna\",\"offices\":[\"amt-a\",\"amt-b\"]},\"presence\":"
	    "\"away\",\"room\":null}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_int_equal(st.conn, CON_ONLINE);
	assert_int_equal(st.attempts, 0);
	assert_non_null(strstr(st.status, "Wieder verbunden"));
	/* Whoever knocked meanwhile is new. */
	feed(&st, "{\"type\":\"queue\",\"office\":\"amt-a\",\"tickets\":["
	    QT(41, "\"Aylin\"", "\"Antrag\"", "de") ","
	    QT(46, "\"Neu\"", "null", "de") "]}");
	assert_false(state_ticket_is_new(&office(&st, "amt-a")->tickets[0], T0));
	assert_true(state_ticket_is_new(&office(&st, "amt-a")->tickets[1], T0));
	assert_true(st.bell_pending);
	state_fini(&st);
}

static void
test_expired_session_asks_for_the_password(void **unused)
{
	struct con_state st;
	char buf[256];
	json_t *m;

	(void)unused;
	online(&st);
	state_disconnected(&st, T0, NULL);
	state_connecting(&st, T0 + 1000);
	state_connected(&st, T0 + 1000);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	m = take(&st, "session");
	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"session_expired\",\"message\":\"x\"}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_string_equal(st.session, "");
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	assert_non_null(strstr(st.status, "abgelaufen"));
	type_text(&st, "neu");
	keys_press(&st, '\r', T0);
	m = take(&st, "login");
	state_msg_free(m);
	state_fini(&st);
}

static void
test_lost_during_login_asks_again_after_reconnect(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "x", true);
	state_connecting(&st, T0);
	state_connected(&st, T0);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	type_text(&st, "pw");
	keys_press(&st, '\r', T0);
	state_disconnected(&st, T0, NULL);      /* the login went down with it */
	assert_null(state_outbox_pop(&st));
	assert_true(state_tick(&st, T0 + 1000));
	state_connecting(&st, T0 + 1000);
	state_connected(&st, T0 + 1000);
	feed(&st, "{\"type\":\"welcome\",\"protocol\":1}");
	assert_int_equal(st.prompt.kind, CON_PROMPT_PASSWORD);
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

/* --- quitting --- */

static void
test_quit_logs_out_and_leaves_on_the_reply(void **unused)
{
	struct con_state st;
	char buf[128];
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'q', T0);
	assert_false(st.quit);
	assert_true(st.quitting);
	m = take(&st, "logout");
	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(m));
	state_msg_free(m);
	feed(&st, buf);
	assert_true(st.quit);
	state_fini(&st);
}

static void
test_quit_does_not_wait_forever_for_the_server(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'q', T0);
	state_msg_free(take(&st, "logout"));
	state_tick(&st, T0 + CON_QUIT_WAIT_MS - 1);
	assert_false(st.quit);
	state_tick(&st, T0 + CON_QUIT_WAIT_MS);
	assert_true(st.quit);
	state_fini(&st);
}

static void
test_quit_asks_while_a_consultation_is_open(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	st.has_room = true;
	snprintf(st.room.name, sizeof(st.room.name), "Aylin");
	keys_press(&st, 'q', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_QUIT);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, 'x', T0);       /* neither yes nor no */
	assert_int_equal(st.prompt.kind, CON_PROMPT_QUIT);
	keys_press(&st, 'n', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_false(st.quitting);
	keys_press(&st, 'q', T0);
	keys_press(&st, '\r', T0);      /* Enter means no */
	assert_false(st.quitting);
	keys_press(&st, 'q', T0);
	keys_press(&st, 'j', T0);
	assert_true(st.quitting);
	state_msg_free(take(&st, "logout"));
	state_fini(&st);
}

static void
test_quit_offline_and_interrupts(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "x", true);
	state_prompt_cancel(&st, T0);   /* nothing typed: leave */
	assert_true(st.quit);
	state_fini(&st);

	online(&st);
	state_interrupt(&st, T0);
	assert_true(st.quitting);
	assert_false(st.quit);
	state_interrupt(&st, T0);       /* a second Ctrl-C */
	assert_true(st.quit);
	state_fini(&st);

	online(&st);
	keys_press(&st, 'q', T0);
	state_disconnected(&st, T0, NULL);      /* klopfd closed after logout */
	assert_true(st.quit);
	state_fini(&st);
}

/* --- small pure helpers --- */

static void
test_parse_time(void **unused)
{
	(void)unused;
	assert_int_equal(state_parse_time("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(state_parse_time("2026-11-24T09:12:00+01:00"),
	    1795507920);
	assert_int_equal(state_parse_time("2026-11-24T08:12:00.250Z"),
	    1795507920);
	assert_int_equal(state_parse_time("2026-11-24T03:12:00-05:00"),
	    1795507920);
	assert_int_equal(state_parse_time(NULL), 0);
	assert_int_equal(state_parse_time("gestern"), 0);
	assert_int_equal(state_parse_time("2026-13-24T09:12:00Z"), 0);
	assert_int_equal(state_parse_time("2026-11-24T09:12:00+0100"), 0);
	assert_int_equal(state_parse_time("2026-11-24T09:12:00Zx"), 0);
}

static void
test_every_error_code_has_a_sentence(void **unused)
{
	static const char *const codes[] = {"bad_json", "bad_message",
	    "unknown_type", "too_large", "not_allowed", "not_logged_in",
	    "bad_credentials", "throttled", "session_expired",
	    "unknown_office", "office_closed", "queue_full", "unknown_ticket",
	    "wrong_state", "not_your_office", "in_consultation",
	    "unknown_room", "same_office", "not_present", "internal"};
	const char *fallback = state_error_text("no_such_code");

	(void)unused;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_string_not_equal(state_error_text(codes[i]), fallback);
	assert_string_equal(state_error_text(NULL), fallback);
}

static void
test_text_widths_of_many_scripts(void **unused)
{
	(void)unused;
	setlocale(LC_ALL, "C.UTF-8");
	assert_int_equal(text_width("Groß"), 4);
	assert_int_equal(text_width("Ольга"), 5);
	assert_int_equal(text_width("محمد"), 4);
	assert_int_equal(text_width("日本"), 4);          /* wide */
	assert_int_equal(text_width("e\xcc\x81"), 1);    /* e + combining acute */
	assert_int_equal(text_width(""), 0);
}

static void
test_text_fit_cuts_at_columns_with_an_ellipsis(void **unused)
{
	char out[64];

	(void)unused;
	setlocale(LC_ALL, "C.UTF-8");
	assert_int_equal(text_fit("Jürgen", 10, out, sizeof(out)), 6);
	assert_string_equal(out, "Jürgen");
	assert_int_equal(text_fit("Jürgen Groß", 6, out, sizeof(out)), 6);
	assert_string_equal(out, "Jürge…");
	/* A wide character that would straddle the edge is left out. */
	assert_int_equal(text_fit("日本語", 4, out, sizeof(out)), 3);
	assert_string_equal(out, "日…");
	assert_int_equal(text_fit("abc", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* A tiny buffer still ends in NUL on a character boundary. */
	assert_true(text_fit("Ольга", 10, out, 4) <= 1);
	assert_true(strlen(out) <= 3);
}

static void
test_text_fit_defuses_controls_and_bidi_overrides(void **unused)
{
	char out[64];

	(void)unused;
	setlocale(LC_ALL, "C.UTF-8");
	text_fit("a\x1b[2Jb", 20, out, sizeof(out));
	assert_null(strchr(out, '\x1b'));
	assert_int_equal(text_width(out), 6);
	text_fit("x\xe2\x80\xaey", 20, out, sizeof(out));      /* U+202E */
	assert_string_equal(out, "x\xef\xbf\xbdy");
	text_fit("\xc2\x9b" "1m", 20, out, sizeof(out));       /* C1 CSI */
	assert_string_equal(out, "\xef\xbf\xbd" "1m");
	text_fit("bad\xff", 20, out, sizeof(out));             /* not UTF-8 */
	assert_string_equal(out, "bad\xef\xbf\xbd");
	/* The direction marks are fine. */
	text_fit("a\xe2\x80\x8f", 20, out, sizeof(out));
	assert_string_equal(out, "a\xe2\x80\x8f");
}

static void
test_text_editing_and_search(void **unused)
{
	char s[16] = "";
	size_t len = 0;

	(void)unused;
	setlocale(LC_ALL, "C.UTF-8");
	assert_true(text_append(s, &len, sizeof(s), 0x00df));  /* ß */
	assert_true(text_append(s, &len, sizeof(s), 'a'));
	assert_false(text_append(s, &len, sizeof(s), 0x1b));
	assert_false(text_append(s, &len, sizeof(s), 0x202e));
	assert_string_equal(s, "ßa");
	assert_true(text_backspace(s, &len));
	assert_true(text_backspace(s, &len));
	assert_string_equal(s, "");
	assert_false(text_backspace(s, &len));
	for (int i = 0; i < 20; i++)
		text_append(s, &len, sizeof(s), 0x0436);        /* ж, 2 bytes */
	assert_int_equal(len, 14);      /* no half characters */
	assert_true(text_contains("Ольга Иванова", "иван"));
	assert_true(text_contains("Jürgen", "JÜR"));
	assert_true(text_contains("x", ""));
	assert_false(text_contains("Aylin", "Aylinn"));
	text_copy(s, 4, "äöü");
	assert_string_equal(s, "ä");
}

/* --- configuration --- */

static void
test_server_urls(void **unused)
{
	struct con_url u;
	char err[200];

	(void)unused;
	assert_int_equal(conf_parse_url("https://buergerbuero.example.de", &u,
	    err, sizeof(err)), 0);
	assert_true(u.tls);
	assert_string_equal(u.host, "buergerbuero.example.de");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/ws");
	assert_int_equal(conf_parse_url("https://h.example:8443/klopf/", &u,
	    err, sizeof(err)), 0);
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.path, "/klopf/ws");
	assert_int_equal(conf_parse_url("wss://h.example/ws", &u, err,
	    sizeof(err)), 0);
	assert_string_equal(u.path, "/ws");
	assert_int_equal(conf_parse_url("http://127.0.0.1:8080", &u, err,
	    sizeof(err)), 0);
	assert_false(u.tls);
	assert_int_equal(u.port, 8080);
	assert_int_equal(conf_parse_url("http://[::1]:9/", &u, err,
	    sizeof(err)), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(conf_parse_url("ws://localhost", &u, err,
	    sizeof(err)), 0);
	/* Plain HTTP only to this machine. */
	assert_int_equal(conf_parse_url("http://buergerbuero.example.de", &u,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "https://buergerbuero.example.de"));
	assert_int_equal(conf_parse_url("http://10.0.0.1", &u, err,
	    sizeof(err)), -1);
	assert_int_equal(conf_parse_url("ftp://x", &u, err, sizeof(err)), -1);
	assert_int_equal(conf_parse_url("https://", &u, err, sizeof(err)), -1);
	assert_int_equal(conf_parse_url("https://h:0", &u, err, sizeof(err)),
	    -1);
	assert_int_equal(conf_parse_url("https://h:99999", &u, err,
	    sizeof(err)), -1);
	assert_int_equal(conf_parse_url("https://u@h", &u, err, sizeof(err)),
	    -1);
	assert_int_equal(conf_parse_url("https://h/?a=b", &u, err,
	    sizeof(err)), -1);
	assert_true(conf_is_loopback("127.8.9.10"));
	assert_true(conf_is_loopback("::ffff:127.0.0.1"));
	assert_false(conf_is_loopback("128.0.0.1"));
}

static void
test_config_file(void **unused)
{
	char path[] = "/tmp/klopf-conf-XXXXXX";
	struct con_conf c;
	char err[512];

	(void)unused;
	conf_tmp(path);
	conf_defaults(&c);
	assert_true(c.bell);
	write_file(path, "# Kommentar\nserver = \"https://amt.example\";\n"
	    "user = \"anna\";\nbell = false;\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), 0);
	assert_string_equal(c.server, "https://amt.example");
	assert_string_equal(c.user, "anna");
	assert_false(c.bell);
	write_file(path, "server = \"https://amt.example\";\nfarbe = 1;\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: unknown setting \"farbe\""));
	write_file(path, "password = \"geheim\";\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "password"));
	write_file(path, "server = \"http://amt.example\";\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: plain http://"));
	write_file(path, "bell = \"ja\";\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
	write_file(path, "server = ;\n");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
	assert_int_equal(conf_load(path, false, &c, err, sizeof(err)), 0);
	/* The sample that is installed loads (everything commented out). */
	conf_defaults(&c);
	assert_int_equal(conf_load("etc/klopf.conf", true, &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.server, "");
	assert_int_equal(conf_load(path, true, &c, err, sizeof(err)), -1);
}

/* Every setting the sample shows, taken in, is valid as shown (the video
 * program, which must exist, pointed at one that does). */
static void
test_config_sample_settings_are_valid(void **unused)
{
	char path[] = "/tmp/klopf-conf-XXXXXX";
	char line[1024], err[512];
	struct con_conf c;
	int fd = mkstemp(path), n = 0;
	FILE *in = fopen("etc/klopf.conf", "r"), *out;

	(void)unused;
	assert_true(fd >= 0);
	assert_non_null(in);
	out = fdopen(fd, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] != '#' || line[1] < 'a' || line[1] > 'z' ||
		    strstr(line, " = ") == NULL)
			continue;
		if (strncmp(line, "#video_program = ", 17) == 0)
			fputs("video_program = \"/bin/true\";\n", out);
		else
			fputs(line + 1, out);
		n++;
	}
	fclose(in);
	fclose(out);
	assert_true(n >= 12);
	conf_defaults(&c);
	if (conf_load(path, true, &c, err, sizeof(err)) != 0)
		fail_msg("the sample's settings: %s", err);
	assert_string_equal(c.server, "https://buergerbuero.landkreis.example");
	assert_string_equal(c.web_address,
	    "https://buergerbuero.landkreis.example/");
	assert_string_equal(c.user, "anna");
	assert_int_equal(c.video, CONF_VIDEO_AUTO);
	assert_int_equal(c.nvideo_args, 1);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_asks_for_the_password_and_connects),
		cmocka_unit_test(test_login_is_sent_once_password_and_welcome_are_there),
		cmocka_unit_test(test_password_typed_before_the_welcome_waits_for_it),
		cmocka_unit_test(test_welcome_names_the_time_zone),
		cmocka_unit_test(test_empty_password_is_not_sent),
		cmocka_unit_test(test_wrong_password_says_so_and_asks_again),
		cmocka_unit_test(test_esc_at_the_password_prompt_quits),
		cmocka_unit_test(test_welcome_clerk_fills_offices_presence_and_messages),
		cmocka_unit_test(test_queue_tickets_are_read_field_by_field),
		cmocka_unit_test(test_new_knock_is_inserted_marked_and_rings),
		cmocka_unit_test(test_bell_can_be_switched_off),
		cmocka_unit_test(test_queue_remove_moves_the_selection_to_the_next),
		cmocka_unit_test(test_office_push_and_presence_push_update_the_view),
		cmocka_unit_test(test_admit_sends_the_selected_ticket_and_opens_the_room),
		cmocka_unit_test(test_room_opened_by_another_console_is_shown),
		cmocka_unit_test(test_admit_refused_by_klopfd_is_explained),
		cmocka_unit_test(test_nothing_selected_nothing_sent),
		cmocka_unit_test(test_decline_offers_ready_messages_and_sends_the_text),
		cmocka_unit_test(test_decline_prompt_closes_when_the_person_leaves),
		cmocka_unit_test(test_transfer_chooses_another_office_and_adds_a_note),
		cmocka_unit_test(test_transfer_without_note_and_of_the_room),
		cmocka_unit_test(test_esc_cancels_a_prompt_without_sending),
		cmocka_unit_test(test_end_closes_the_room),
		cmocka_unit_test(test_presence_toggles_and_is_reverted_when_refused),
		cmocka_unit_test(test_filter_narrows_the_queue_case_blind),
		cmocka_unit_test(test_backoff_doubles_up_to_the_limit),
		cmocka_unit_test(test_lost_connection_keeps_the_view_and_retries),
		cmocka_unit_test(test_reconnect_resumes_the_session_without_a_password),
		cmocka_unit_test(test_expired_session_asks_for_the_password),
		cmocka_unit_test(test_lost_during_login_asks_again_after_reconnect),
		cmocka_unit_test(test_quit_logs_out_and_leaves_on_the_reply),
		cmocka_unit_test(test_quit_does_not_wait_forever_for_the_server),
		cmocka_unit_test(test_quit_asks_while_a_consultation_is_open),
		cmocka_unit_test(test_quit_offline_and_interrupts),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_every_error_code_has_a_sentence),
		cmocka_unit_test(test_text_widths_of_many_scripts),
		cmocka_unit_test(test_text_fit_cuts_at_columns_with_an_ellipsis),
		cmocka_unit_test(test_text_fit_defuses_controls_and_bidi_overrides),
		cmocka_unit_test(test_text_editing_and_search),
		cmocka_unit_test(test_server_urls),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_config_sample_settings_are_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
