/*
 * test_console_agenda: the console's agenda (key g) — klopfd's agenda
 * reply read into one list in time order and grouped by local day, the
 * states in plain German, times typed by the clerk, and the state's side:
 * opening and leaving the view, moving in it, cancelling a booking with a
 * message, lifting a block, blocking a slot chosen from the free ones or
 * typed, the replies and errors, and appointments marked in the queue.
 * Local time is Europe/Berlin here, as klopfd's default time zone.
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

#include <cmocka.h>

#include "agenda.h"
#include "console_fixture.h"

/* T0 is Monday 2026-09-21 16:13:20 in Berlin. */
#define DAY21 1789941600LL      /* 2026-09-21 00:00 Berlin */
#define DAY22 1790028000LL
#define AT_21_0900 1789974000LL
#define AT_21_1700 1790002800LL
#define AT_22_0930 1790062200LL
#define AT_22_1000 1790064000LL

/* The agenda reply of the tests, as klopfd sends it: office by office. */
static const char agenda_json[] =
    "{\"type\":\"agenda\",\"id\":%lld,\"from\":1789941600,"
    "\"to\":1791151200,\"bookings\":["
    "{\"id\":1,\"office\":\"amt-a\",\"start\":1789974000,\"end\":1789975800,"
    "\"state\":\"done\",\"name\":\"Aylin\",\"lang\":\"de\",\"topic\":"
    "\"Antrag\",\"message\":null},"
    "{\"id\":2,\"office\":\"amt-a\",\"start\":1789995600,\"end\":1789997400,"
    "\"state\":\"no_show\",\"name\":\"Zoë\",\"lang\":\"de\",\"topic\":null,"
    "\"message\":null},"
    "{\"id\":3,\"office\":\"amt-a\",\"start\":1790002800,\"end\":1790004600,"
    "\"state\":\"booked\",\"name\":null,\"lang\":\"de\",\"topic\":"
    "\"Beratung\",\"message\":null},"
    "{\"id\":5,\"office\":\"amt-a\",\"start\":1790062200,\"end\":1790064000,"
    "\"state\":\"booked\",\"name\":\"Jürgen Groß\",\"lang\":\"de\","
    "\"topic\":\"Wohngeld\",\"message\":null},"
    "{\"id\":6,\"office\":\"amt-a\",\"start\":1790064000,\"end\":1790065800,"
    "\"state\":\"cancelled\",\"name\":\"Ольга\",\"lang\":\"de\",\"topic\":"
    "\"Ummeldung\",\"message\":\"Krank.\"},"
    "\"not an object\",{\"id\":0,\"office\":\"amt-a\",\"start\":1},"
    "{\"id\":4,\"office\":\"amt-b\",\"start\":1790062200,\"end\":1790064000,"
    "\"state\":\"blocked\",\"note\":\"Teambesprechung\",\"message\":null}"
    "]}";

static const char slots_json[] =
    "{\"type\":\"slots\",\"id\":%lld,\"office\":\"%s\",\"slot_minutes\":30,"
    "\"days\":[{\"date\":\"2026-09-22\",\"free\":2},{\"date\":\"2026-09-23\","
    "\"free\":0},{\"date\":\"2026-09-24\",\"free\":1}],\"date\":\"2026-09-22\","
    "\"slots\":[{\"start\":1790058600,\"end\":1790060400,\"time\":\"08:30\"},"
    "{\"start\":1790060400,\"end\":1790062200,\"time\":\"09:00\"}]}";

static int
berlin(void **unused)
{
	(void)unused;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

static void
reply(struct con_state *st, const char *fmt, long long id)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), fmt, id);
	feed(st, buf);
}

static void
ok(struct con_state *st, json_t *req)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "{\"type\":\"ok\",\"id\":%lld}", req_id(req));
	state_msg_free(req);
	feed(st, buf);
}

static void
error(struct con_state *st, json_t *req, const char *code)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"type\":\"error\",\"id\":%lld,\"code\":"
	    "\"%s\",\"message\":\"No.\"}", req_id(req), code);
	state_msg_free(req);
	feed(st, buf);
}

/* Online as in the fixture, amt-a and amt-b taking appointments. */
static void
online_appt(struct con_state *st)
{
	online(st);
	feed(st, "{\"type\":\"offices\",\"offices\":["
	    "{\"id\":\"amt-a\",\"name\":\"Amt A\",\"status\":\"open\",\"queue\":3,"
	    "\"wait\":600,\"anonymous\":false,\"next_appointment\":null},"
	    "{\"id\":\"amt-b\",\"name\":\"Amt B\",\"status\":\"open\",\"queue\":0,"
	    "\"wait\":0,\"anonymous\":false,\"next_appointment\":1790058600},"
	    "{\"id\":\"beratung\",\"name\":\"Anonyme Beratung\",\"status\":"
	    "\"closed\",\"queue\":0,\"wait\":null,\"anonymous\":true,"
	    "\"next_appointment\":1790058600}]}");
}

/* Online, g pressed and the agenda answered. */
static void
in_agenda(struct con_state *st)
{
	json_t *m;

	online_appt(st);
	keys_press(st, 'g', T0);
	assert_int_equal(st->view, CON_VIEW_AGENDA);
	m = take(st, "agenda");
	assert_int_equal(req_int(m, "days"), CON_AGENDA_DAYS);
	assert_null(json_object_get(m, "office"));      /* all the clerk's */
	reply(st, agenda_json, req_id(m));
	state_msg_free(m);
	assert_null(state_outbox_pop(st));
}

/* s in the agenda: the office chosen from anna's two with appointments,
 * the free slots asked for and answered. */
static void
block_at(struct con_state *st, const char *office)
{
	char buf[4096];
	json_t *m;

	keys_press(st, 's', T0);
	assert_int_equal(st->prompt.kind, CON_PROMPT_BLOCK_OFFICE);
	assert_int_equal(st->prompt.choice, 0); /* the selection's: amt-a */
	if (strcmp(office, "amt-b") == 0)
		keys_press(st, 'j', T0);
	keys_press(st, '\r', T0);
	assert_int_equal(st->prompt.kind, CON_PROMPT_BLOCK_TIME);
	assert_string_equal(st->prompt.target, office);
	m = take(st, "slots");
	assert_string_equal(req_str(m, "office"), office);
	assert_null(json_object_get(m, "date"));        /* the first free day */
	snprintf(buf, sizeof(buf), slots_json, req_id(m), office);
	state_msg_free(m);
	feed(st, buf);
}

/* --- agenda.c --- */

static void
test_agenda_reply_is_one_list_in_time_order(void **unused)
{
	struct con_state st;
	const struct agenda *a = &st.agenda;
	const int64_t order[] = {1, 2, 3, 5, 4, 6};

	(void)unused;
	in_agenda(&st);
	assert_true(a->loaded);
	assert_int_equal(a->from, DAY21);
	assert_int_equal(a->n, 6);      /* the malformed ones are left out */
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(a->b[i].id, order[i]);
	assert_string_equal(a->b[0].name, "Aylin");
	assert_string_equal(a->b[0].text, "Antrag");
	assert_int_equal(a->b[0].state, AGENDA_DONE);
	assert_string_equal(a->b[2].name, "");         /* anonym */
	assert_int_equal(a->b[4].state, AGENDA_BLOCKED);
	assert_string_equal(a->b[4].text, "Teambesprechung");
	assert_string_equal(a->b[4].office, "amt-b");
	assert_string_equal(a->b[5].message, "Krank.");
	assert_int_equal(a->b[5].end, AT_22_1000 + 1800);
	state_fini(&st);
}

static void
test_agenda_rows_group_bookings_by_local_day(void **unused)
{
	struct con_state st;
	struct agenda_row rows[16];
	size_t n;

	(void)unused;
	in_agenda(&st);
	n = agenda_rows(&st.agenda, rows, 16);
	assert_int_equal(n, 8);
	assert_true(rows[0].day);
	assert_int_equal(rows[0].when, DAY21);
	assert_false(rows[1].day);
	assert_int_equal(rows[1].when, AT_21_0900);
	assert_int_equal(rows[3].booking, 2);
	assert_true(rows[4].day);
	assert_int_equal(rows[4].when, DAY22);
	assert_int_equal(st.agenda.b[rows[5].booking].id, 5);
	/* A short buffer gets what fits. */
	assert_int_equal(agenda_rows(&st.agenda, rows, 3), 3);
	state_fini(&st);
}

static void
test_days_are_local_days_across_the_october_change(void **unused)
{
	struct agenda a = {0};
	json_t *r = json_pack("{s:[{s:i,s:s,s:I,s:I,s:s}, {s:i,s:s,s:I,s:I,s:s}]}",
	    "bookings",
	    "id", 1, "office", "amt-a", "start", (json_int_t)1792879200 + 1800,
	    "end", (json_int_t)1792879200 + 3600, "state", "booked",
	    /* 25.10. 23:30 CET: 25 hours after midnight */
	    "id", 2, "office", "amt-a", "start", (json_int_t)1792969200 - 1800,
	    "end", (json_int_t)1792969200, "state", "booked");
	struct agenda_row rows[8];
	char day[64];

	(void)unused;
	assert_int_equal(agenda_set(&a, r), 0);
	assert_int_equal(agenda_rows(&a, rows, 8), 3);
	assert_int_equal(rows[0].when, 1792879200);
	agenda_fmt_day(rows[0].when, 0, day, sizeof(day));
	assert_string_equal(day, "Sonntag, 25.10.2026");
	agenda_fmt_time(a.b[1].start, day, sizeof(day));
	assert_string_equal(day, "23:30");
	json_decref(r);
	agenda_fini(&a);
}

static void
test_states_in_plain_german(void **unused)
{
	(void)unused;
	assert_string_equal(agenda_state_label(agenda_state_parse("booked")),
	    "gebucht");
	assert_string_equal(agenda_state_label(agenda_state_parse("arrived")),
	    "angekommen");
	assert_string_equal(agenda_state_label(agenda_state_parse("done")),
	    "erledigt");
	assert_string_equal(agenda_state_label(agenda_state_parse("no_show")),
	    "nicht erschienen");
	assert_string_equal(agenda_state_label(agenda_state_parse("cancelled")),
	    "abgesagt");
	assert_string_equal(agenda_state_label(agenda_state_parse("blocked")),
	    "gesperrt");
	assert_int_equal(agenda_state_parse("lost"), AGENDA_UNKNOWN);
	assert_int_equal(agenda_state_parse(NULL), AGENDA_UNKNOWN);
}

static void
test_days_and_times_as_shown(void **unused)
{
	char s[64];
	const int64_t now = T0 / 1000;

	(void)unused;
	agenda_fmt_day(DAY21 + 3600, now, s, sizeof(s));
	assert_string_equal(s, "Montag, 21.09.2026 · heute");
	agenda_fmt_day(AT_22_0930, now, s, sizeof(s));
	assert_string_equal(s, "Dienstag, 22.09.2026 · morgen");
	agenda_fmt_day(AT_22_0930 + 86400, now, s, sizeof(s));
	assert_string_equal(s, "Mittwoch, 23.09.2026");
	agenda_fmt_when(AT_22_0930, s, sizeof(s));
	assert_string_equal(s, "Di 22.09. 09:30");
	agenda_fmt_time(AT_21_1700, s, sizeof(s));
	assert_string_equal(s, "17:00");
}

static void
test_typed_times_are_read_as_local_time(void **unused)
{
	const int64_t now = T0 / 1000;
	int64_t t;

	(void)unused;
	assert_true(agenda_parse_when("22.09. 09:30", now, &t));
	assert_int_equal(t, AT_22_0930);
	assert_true(agenda_parse_when(" 22.9. 9:30 ", now, &t));
	assert_int_equal(t, AT_22_0930);
	assert_true(agenda_parse_when("22.09.2026 09.30", now, &t));
	assert_int_equal(t, AT_22_0930);
	assert_true(agenda_parse_when("22.09.26 09:30", now, &t));
	assert_int_equal(t, AT_22_0930);
	assert_true(agenda_parse_when("17:00", now, &t));       /* today */
	assert_int_equal(t, AT_21_1700);
	/* A day already past this year means next year's. */
	assert_true(agenda_parse_when("05.01. 09:30", now, &t));
	assert_int_equal(t, 1799137800);
	assert_true(agenda_parse_when("21.09. 09:00", now, &t));
	assert_int_equal(t, AT_21_0900);                        /* today */
	assert_true(agenda_parse_when("01.12. 08:00", now, &t));
	assert_int_equal(t, 1796108400);                        /* CET */
	/* Not times. */
	assert_false(agenda_parse_when("", now, &t));
	assert_false(agenda_parse_when("morgen", now, &t));
	assert_false(agenda_parse_when("22.09.", now, &t));
	assert_false(agenda_parse_when("22.09. 24:00", now, &t));
	assert_false(agenda_parse_when("22.09. 9:5", now, &t));
	assert_false(agenda_parse_when("31.11. 09:00", now, &t));
	assert_false(agenda_parse_when("22.13. 09:00", now, &t));
	assert_false(agenda_parse_when("22.09. 09:30 Uhr", now, &t));
	/* 02:30 does not exist on 29 March 2026 in Berlin. */
	assert_false(agenda_parse_when("29.03.2026 02:30", now, &t));
}

static void
test_selection_moves_and_stays_on_its_booking(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	/* The first booking that is not over yet. */
	assert_int_equal(agenda_selected(&st.agenda)->id, 3);
	keys_press(&st, 'j', T0);
	assert_int_equal(st.agenda.selected, 5);
	keys_press(&st, CK_DOWN, T0);
	assert_int_equal(st.agenda.selected, 4);
	keys_press(&st, 'G', T0);
	assert_int_equal(st.agenda.selected, 6);
	keys_press(&st, 'j', T0);       /* stays at the end */
	assert_int_equal(st.agenda.selected, 6);
	keys_press(&st, CK_HOME, T0);
	assert_int_equal(st.agenda.selected, 1);
	keys_press(&st, CK_PGDN, T0);
	assert_int_equal(st.agenda.selected, 6);
	keys_press(&st, CK_PGUP, T0);
	assert_int_equal(st.agenda.selected, 1);
	keys_press(&st, 'k', T0);
	assert_int_equal(st.agenda.selected, 1);
	keys_press(&st, 'j', T0);
	/* A new agenda keeps the selected booking. */
	keys_press(&st, CK_CTRL('l'), T0);
	m = take(&st, "agenda");
	reply(&st, agenda_json, req_id(m));
	state_msg_free(m);
	assert_int_equal(st.agenda.selected, 2);
	state_fini(&st);
}

static void
test_g_or_esc_goes_back_and_g_opens_with_a_fresh_agenda(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	keys_press(&st, CK_ESC, T0);
	assert_int_equal(st.view, CON_VIEW_QUEUE);
	assert_null(state_outbox_pop(&st));
	/* In the queue the keys are the queue's again. */
	keys_press(&st, 'j', T0);
	assert_int_equal(state_selected(&st)->id, 42);
	keys_press(&st, 'g', T0);
	assert_int_equal(st.view, CON_VIEW_AGENDA);
	m = take(&st, "agenda");
	state_msg_free(m);
	keys_press(&st, 'g', T0);
	assert_int_equal(st.view, CON_VIEW_QUEUE);
	/* x and s are the agenda's only */
	keys_press(&st, 'x', T0);
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	state_fini(&st);
}

static void
test_one_agenda_request_at_a_time(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	keys_press(&st, CK_CTRL('l'), T0);
	m = take(&st, "agenda");
	keys_press(&st, CK_CTRL('l'), T0);
	keys_press(&st, CK_CTRL('l'), T0);
	assert_null(state_outbox_pop(&st));     /* asked again once answered */
	reply(&st, agenda_json, req_id(m));
	state_msg_free(m);
	state_msg_free(take(&st, "agenda"));
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_the_open_agenda_is_reloaded_every_minute(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	assert_false(state_tick(&st, T0 + CON_AGENDA_REFRESH_MS - 1));
	assert_null(state_outbox_pop(&st));
	state_tick(&st, T0 + CON_AGENDA_REFRESH_MS);
	m = take(&st, "agenda");
	reply(&st, agenda_json, req_id(m));
	state_msg_free(m);
	state_tick(&st, T0 + CON_AGENDA_REFRESH_MS + 1000);
	assert_null(state_outbox_pop(&st));
	/* Not while the queue is shown. */
	keys_press(&st, 'g', T0);
	state_tick(&st, T0 + 10 * CON_AGENDA_REFRESH_MS);
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_cancel_sends_the_message_and_reloads(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	keys_press(&st, 'j', T0);               /* Jürgen Groß, 22.09. 09:30 */
	keys_press(&st, 'x', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_CANCEL_BOOKING);
	assert_string_equal(st.prompt.who, "Jürgen Groß");
	assert_int_equal(st.prompt.when, AT_22_0930);
	keys_press(&st, '\r', T0);              /* no message: refused */
	assert_null(state_outbox_pop(&st));
	assert_int_equal(st.status_level, CON_ERROR);
	assert_int_equal(st.prompt.kind, CON_PROMPT_CANCEL_BOOKING);
	type_text(&st, "Die Sachbearbeiterin ist krank.");
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	m = take(&st, "cancel_booking");
	assert_int_equal(req_int(m, "booking"), 5);
	assert_string_equal(req_str(m, "message"),
	    "Die Sachbearbeiterin ist krank.");
	assert_non_null(strstr(st.status, "Absagen: Jürgen Groß, Di 22.09. "
	    "09:30"));
	ok(&st, m);
	assert_non_null(strstr(st.status, "Abgesagt: Jürgen Groß"));
	state_msg_free(take(&st, "agenda"));
	state_fini(&st);
}

static void
test_cancel_refused_says_why(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	keys_press(&st, 'x', T0);               /* anonym, 21.09. 17:00 */
	type_text(&st, "Leider nicht.");
	keys_press(&st, '\r', T0);
	m = take(&st, "cancel_booking");
	error(&st, m, "wrong_state");
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Absagen (anonym, Mo 21.09. 17:00): "
	    "Der Termin ist nicht mehr gebucht."));
	state_msg_free(take(&st, "agenda"));    /* to show what it is now */
	/* Done, no-show and cancelled ones cannot be cancelled. */
	keys_press(&st, CK_HOME, T0);
	keys_press(&st, 'x', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_non_null(strstr(st.status, "dieser ist erledigt"));
	assert_null(state_outbox_pop(&st));
	/* Esc at the message leaves it. */
	keys_press(&st, 'j', T0);
	keys_press(&st, 'j', T0);
	keys_press(&st, 'x', T0);
	type_text(&st, "x");
	keys_press(&st, CK_ESC, T0);
	assert_string_equal(st.status, "Abgebrochen.");
	assert_int_equal(st.view, CON_VIEW_AGENDA);
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_x_on_a_block_lifts_it_after_asking(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	keys_press(&st, 'j', T0);
	keys_press(&st, 'j', T0);               /* the block at amt-b */
	assert_int_equal(st.agenda.selected, 4);
	keys_press(&st, 'x', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_UNBLOCK);
	keys_press(&st, 'n', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, 'x', T0);
	keys_press(&st, 'j', T0);
	m = take(&st, "cancel_booking");
	assert_int_equal(req_int(m, "booking"), 4);
	assert_null(json_object_get(m, "message"));
	ok(&st, m);
	assert_non_null(strstr(st.status, "Sperre aufgehoben: Di 22.09. 09:30"));
	state_msg_free(take(&st, "agenda"));
	state_fini(&st);
}

static void
test_block_a_free_slot_chosen_from_the_list(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	block_at(&st, "amt-b");
	assert_int_equal(st.slots.nslots, 2);
	keys_press(&st, CK_DOWN, T0);
	keys_press(&st, CK_DOWN, T0);
	assert_string_equal(st.prompt.text, "22.09. 09:00");
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_BLOCK_NOTE);
	type_text(&st, "Teambesprechung");
	keys_press(&st, '\r', T0);
	m = take(&st, "block_slot");
	assert_string_equal(req_str(m, "office"), "amt-b");
	assert_int_equal(req_int(m, "start"), 1790060400);
	assert_string_equal(req_str(m, "note"), "Teambesprechung");
	ok(&st, m);
	assert_non_null(strstr(st.status, "Gesperrt: Di 22.09. 09:00 bei Amt B"));
	state_msg_free(take(&st, "agenda"));
	state_fini(&st);
}

static void
test_block_a_typed_time_and_other_days(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	in_agenda(&st);
	block_at(&st, "amt-a");
	/* ← has no earlier day; → asks for the next one. */
	keys_press(&st, CK_LEFT, T0);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, CK_RIGHT, T0);
	m = take(&st, "slots");
	assert_string_equal(req_str(m, "date"), "2026-09-23");
	state_msg_free(m);
	/* Typed, within the notice period klopfd keeps from citizens. */
	type_text(&st, "morgen");
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_BLOCK_TIME);
	assert_non_null(strstr(st.status, "TT.MM. HH:MM"));
	keys_press(&st, CK_CTRL('u'), T0);
	type_text(&st, "21.09. 17:00");
	keys_press(&st, '\r', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_BLOCK_NOTE);
	keys_press(&st, '\r', T0);              /* no note */
	m = take(&st, "block_slot");
	assert_string_equal(req_str(m, "office"), "amt-a");
	assert_int_equal(req_int(m, "start"), AT_21_1700);
	assert_null(json_object_get(m, "note"));
	error(&st, m, "slot_taken");
	assert_int_equal(st.status_level, CON_ERROR);
	assert_non_null(strstr(st.status, "Sperren (Mo 21.09. 17:00): Diese "
	    "Zeit ist schon gebucht oder gesperrt."));
	state_msg_free(take(&st, "agenda"));
	state_fini(&st);
}

static void
test_block_needs_an_office_with_appointments(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	online(&st);                    /* no office takes appointments */
	keys_press(&st, 'g', T0);
	m = take(&st, "agenda");
	state_msg_free(m);
	keys_press(&st, 's', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	assert_non_null(strstr(st.status, "Keines Ihrer Ämter vergibt Termine"));
	state_fini(&st);

	/* One office: no list to choose from. */
	online(&st);
	feed(&st, "{\"type\":\"office\",\"office\":{\"id\":\"amt-b\",\"name\":"
	    "\"Amt B\",\"status\":\"open\",\"queue\":0,\"wait\":0,"
	    "\"next_appointment\":null}}");
	keys_press(&st, 'g', T0);
	state_msg_free(take(&st, "agenda"));
	keys_press(&st, 's', T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_BLOCK_TIME);
	m = take(&st, "slots");
	assert_string_equal(req_str(m, "office"), "amt-b");
	state_msg_free(m);
	keys_press(&st, CK_ESC, T0);
	assert_string_equal(st.status, "Abgebrochen.");
	state_fini(&st);
}

static void
test_queue_marks_appointments_and_the_agenda_follows(void **unused)
{
	struct con_state st;
	const struct con_ticket *t;

	(void)unused;
	in_agenda(&st);
	feed(&st, "{\"type\":\"queue_add\",\"office\":\"amt-a\",\"position\":1,"
	    "\"ticket\":{\"id\":50,\"name\":\"Jürgen Groß\",\"topic\":"
	    "\"Wohngeld\",\"knocked_at\":\"2026-09-21T16:10:00+02:00\","
	    "\"lang\":\"de\",\"transferred_from\":null,\"message\":null,"
	    "\"priority\":1,\"appointment\":\"2026-09-21T17:00:00+02:00\"}}");
	t = &state_office(&st, "amt-a")->tickets[0];
	assert_int_equal(t->id, 50);
	assert_int_equal(t->priority, 1);
	assert_int_equal(t->appointment, AT_21_1700);
	/* The open agenda asks again: a booking arrived. */
	state_msg_free(take(&st, "agenda"));
	/* A walk-in changes nothing there. */
	feed(&st, "{\"type\":\"queue_add\",\"office\":\"amt-a\",\"position\":5,"
	    "\"ticket\":" QT(51, "\"Zoë\"", "null", "de") "}");
	assert_int_equal(state_office(&st, "amt-a")->tickets[4].appointment, 0);
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_agenda_keys_table_and_bar(void **unused)
{
	struct con_state st;
	char bar[512];

	(void)unused;
	for (size_t i = 0; i < keys_agenda_count; i++) {
		const struct key_binding *b = &keys_agenda[i];

		assert_int_not_equal(b->action, CON_A_NONE);
		assert_true(text_width(b->names) <= 10);
		assert_true(text_width(b->help) <= 38);
		for (int k = 0; k < 4 && b->keys[k]; k++)
			for (size_t j = i + 1; j < keys_agenda_count; j++)
				for (int l = 0; l < 4 && keys_agenda[j].keys[l]; l++)
					assert_int_not_equal(b->keys[k],
					    keys_agenda[j].keys[l]);
	}
	assert_int_equal(keys_agenda_action('x'), CON_A_CANCEL_BOOKING);
	assert_int_equal(keys_agenda_action('s'), CON_A_BLOCK);
	assert_int_equal(keys_agenda_action('g'), CON_A_BACK);
	assert_int_equal(keys_agenda_action(CK_ESC), CON_A_BACK);
	assert_int_equal(keys_agenda_action('a'), CON_A_NONE);
	/* the consultation's video window opens from the agenda too */
	assert_int_equal(keys_agenda_action('v'), CON_A_VIDEO);
	in_agenda(&st);
	keys_bar(&st, 79, bar, sizeof(bar));
	assert_non_null(strstr(bar, "x:Absagen"));
	assert_non_null(strstr(bar, "s:Sperren"));
	assert_non_null(strstr(bar, "g Esc:Warteschlange"));
	assert_non_null(strstr(bar, "?:Hilfe"));
	assert_null(strstr(bar, "a:Herein"));
	keys_press(&st, 's', T0);
	keys_press(&st, '\r', T0);
	state_msg_free(take(&st, "slots"));
	keys_bar(&st, 79, bar, sizeof(bar));
	assert_non_null(strstr(bar, "↑ ↓:Zeit"));
	assert_non_null(strstr(bar, "← →:Tag"));
	state_fini(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_agenda_reply_is_one_list_in_time_order,
		    berlin),
		cmocka_unit_test_setup(test_agenda_rows_group_bookings_by_local_day,
		    berlin),
		cmocka_unit_test_setup(test_days_are_local_days_across_the_october_change,
		    berlin),
		cmocka_unit_test_setup(test_states_in_plain_german, berlin),
		cmocka_unit_test_setup(test_days_and_times_as_shown, berlin),
		cmocka_unit_test_setup(test_typed_times_are_read_as_local_time,
		    berlin),
		cmocka_unit_test_setup(test_selection_moves_and_stays_on_its_booking,
		    berlin),
		cmocka_unit_test_setup(test_g_or_esc_goes_back_and_g_opens_with_a_fresh_agenda,
		    berlin),
		cmocka_unit_test_setup(test_one_agenda_request_at_a_time, berlin),
		cmocka_unit_test_setup(test_the_open_agenda_is_reloaded_every_minute,
		    berlin),
		cmocka_unit_test_setup(test_cancel_sends_the_message_and_reloads,
		    berlin),
		cmocka_unit_test_setup(test_cancel_refused_says_why, berlin),
		cmocka_unit_test_setup(test_x_on_a_block_lifts_it_after_asking,
		    berlin),
		cmocka_unit_test_setup(test_block_a_free_slot_chosen_from_the_list,
		    berlin),
		cmocka_unit_test_setup(test_block_a_typed_time_and_other_days,
		    berlin),
		cmocka_unit_test_setup(test_block_needs_an_office_with_appointments,
		    berlin),
		cmocka_unit_test_setup(test_queue_marks_appointments_and_the_agenda_follows,
		    berlin),
		cmocka_unit_test_setup(test_agenda_keys_table_and_bar, berlin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
