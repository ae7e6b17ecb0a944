/*
 * test_console_keys: the key map and what each key does in each
 * situation — main screen, help screen, every prompt — and the help bar
 * generated from the same table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console_fixture.h"

static void
test_table_is_complete_and_unambiguous(void **unused)
{
	(void)unused;
	assert_true(keys_main_count >= 15);
	for (size_t i = 0; i < keys_main_count; i++) {
		const struct key_binding *b = &keys_main[i];

		assert_int_not_equal(b->keys[0], 0);
		assert_non_null(b->names);
		assert_non_null(b->help);
		assert_int_not_equal(b->action, CON_A_NONE);
		/* No key does two things. */
		for (int k = 0; k < 4 && b->keys[k]; k++)
			for (size_t j = i + 1; j < keys_main_count; j++)
				for (int l = 0; l < 4 && keys_main[j].keys[l]; l++)
					assert_int_not_equal(b->keys[k],
					    keys_main[j].keys[l]);
		/* The help screen's key column is 11 wide, the text 38. */
		assert_true(text_width(b->names) <= 10);
		assert_true(text_width(b->help) <= 38);
	}
	for (size_t i = 0; i < keys_prompt_count; i++) {
		assert_non_null(keys_prompt[i].bar);
		assert_true(text_width(keys_prompt[i].help) <= 20);
		assert_int_not_equal(keys_prompt[i].kinds, 0);
	}
}

static void
test_the_issue_keys_are_bound(void **unused)
{
	(void)unused;
	assert_int_equal(keys_action(CK_TAB), CON_A_NEXT_OFFICE);
	assert_int_equal(keys_action(CK_BTAB), CON_A_PREV_OFFICE);
	assert_int_equal(keys_action(CK_RIGHT), CON_A_NEXT_OFFICE);
	assert_int_equal(keys_action(CK_LEFT), CON_A_PREV_OFFICE);
	assert_int_equal(keys_action('j'), CON_A_DOWN);
	assert_int_equal(keys_action(CK_DOWN), CON_A_DOWN);
	assert_int_equal(keys_action('k'), CON_A_UP);
	assert_int_equal(keys_action(CK_UP), CON_A_UP);
	assert_int_equal(keys_action('p'), CON_A_PRESENCE);
	assert_int_equal(keys_action('a'), CON_A_ADMIT);
	assert_int_equal(keys_action('d'), CON_A_DECLINE);
	assert_int_equal(keys_action('t'), CON_A_TRANSFER);
	assert_int_equal(keys_action('e'), CON_A_END);
	assert_int_equal(keys_action('/'), CON_A_FILTER);
	assert_int_equal(keys_action('g'), CON_A_AGENDA);
	assert_int_equal(keys_action('q'), CON_A_QUIT);
	assert_int_equal(keys_action('?'), CON_A_HELP);
	assert_int_equal(keys_action('v'), CON_A_VIDEO);
	assert_int_equal(keys_action('i'), CON_A_INVITE);
	assert_int_equal(keys_action('x'), CON_A_NONE);
	assert_int_equal(keys_action(0x00e4), CON_A_NONE);     /* ä */
}

static void
test_help_bar_fits_80_columns_and_keeps_help(void **unused)
{
	struct con_state st;
	char bar[512];
	int w;

	(void)unused;
	online(&st);
	w = keys_bar(&st, 79, bar, sizeof(bar));
	assert_true(w <= 79);
	assert_int_equal(text_width(bar), w);
	assert_non_null(strstr(bar, "a:Herein"));
	assert_non_null(strstr(bar, "d:Ablehnen"));
	assert_non_null(strstr(bar, "t:Weiterleiten"));
	assert_non_null(strstr(bar, "e:Ende"));
	assert_non_null(strstr(bar, "p:Präsenz"));
	assert_non_null(strstr(bar, "g:Termine"));
	assert_non_null(strstr(bar, "q:Schluss"));
	assert_non_null(strstr(bar, "?:Hilfe"));
	/* Narrow: fewer entries, but help stays. */
	w = keys_bar(&st, 30, bar, sizeof(bar));
	assert_true(w <= 30);
	assert_non_null(strstr(bar, "?:Hilfe"));
	assert_null(strstr(bar, "q:Schluss"));
	/* Every bar entry comes from the table. */
	for (size_t i = 0; i < keys_main_count; i++) {
		char item[64];

		if (keys_main[i].bar == NULL)
			continue;
		snprintf(item, sizeof(item), "%s:%s", keys_main[i].names,
		    keys_main[i].bar);
		keys_bar(&st, 200, bar, sizeof(bar));
		assert_non_null(strstr(bar, item));
	}
	state_fini(&st);
}

static void
test_help_bar_in_a_prompt_shows_its_keys(void **unused)
{
	struct con_state st;
	char bar[512];

	(void)unused;
	online(&st);
	keys_press(&st, 'd', T0);
	keys_bar(&st, 79, bar, sizeof(bar));
	assert_non_null(strstr(bar, "Enter:Senden"));
	assert_non_null(strstr(bar, "Esc:Abbrechen"));
	assert_non_null(strstr(bar, "↑ ↓:Nachricht"));
	assert_null(strstr(bar, "a:Herein"));
	keys_press(&st, CK_ESC, T0);
	keys_press(&st, 'q', T0);
	state_msg_free(take(&st, "logout"));
	state_fini(&st);

	online(&st);
	st.has_room = true;
	keys_press(&st, 'q', T0);
	keys_bar(&st, 79, bar, sizeof(bar));
	assert_non_null(strstr(bar, "j n:Ja/Nein"));
	state_fini(&st);
}

static void
test_help_opens_and_any_key_closes_it_without_acting(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, '?', T0);
	assert_true(st.help);
	keys_press(&st, 'q', T0);       /* closes help, does not quit */
	assert_false(st.help);
	assert_false(st.quitting);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, '?', T0);
	keys_press(&st, 'a', T0);       /* closes help, does not admit */
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_moving_through_queue_and_offices(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	assert_int_equal(state_selected(&st)->id, 41);
	keys_press(&st, 'k', T0);       /* already at the top */
	assert_int_equal(state_selected(&st)->id, 41);
	keys_press(&st, CK_DOWN, T0);
	assert_int_equal(state_selected(&st)->id, 42);
	keys_press(&st, 'j', T0);
	keys_press(&st, 'j', T0);       /* stays at the bottom */
	assert_int_equal(state_selected(&st)->id, 43);
	keys_press(&st, CK_HOME, T0);
	assert_int_equal(state_selected(&st)->id, 41);
	keys_press(&st, CK_END, T0);
	assert_int_equal(state_selected(&st)->id, 43);
	keys_press(&st, CK_UP, T0);
	assert_int_equal(state_selected(&st)->id, 42);
	/* Offices: only the clerk's, round. */
	keys_press(&st, CK_TAB, T0);
	assert_string_equal(st.current, "amt-b");
	assert_null(state_selected(&st));
	keys_press(&st, CK_TAB, T0);
	assert_string_equal(st.current, "amt-a");
	keys_press(&st, CK_BTAB, T0);
	assert_string_equal(st.current, "amt-b");
	keys_press(&st, CK_LEFT, T0);
	assert_string_equal(st.current, "amt-a");
	/* Each office keeps its own selection. */
	assert_int_equal(state_selected(&st)->id, 42);
	state_fini(&st);
}

static void
test_keys_in_a_text_prompt_are_text(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, '/', T0);
	type_text(&st, "qa?ejä");
	assert_string_equal(st.prompt.text, "qa?ejä");
	assert_false(st.quitting);
	assert_false(st.help);
	assert_null(state_outbox_pop(&st));
	keys_press(&st, 127, T0);       /* DEL as backspace */
	assert_string_equal(st.prompt.text, "qa?ej");
	keys_press(&st, 8, T0);         /* ^H too */
	assert_string_equal(st.prompt.text, "qa?e");
	keys_press(&st, CK_BACKSPACE, T0);
	assert_string_equal(st.prompt.text, "qa?");
	keys_press(&st, CK_CTRL('u'), T0);
	assert_string_equal(st.prompt.text, "");
	keys_press(&st, CK_LEFT, T0);   /* ignored */
	keys_press(&st, 0x1b5b, T0);    /* a character, not a control */
	keys_press(&st, CK_ENTER, T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	state_fini(&st);
}

static void
test_decline_message_is_limited_to_500_bytes(void **unused)
{
	struct con_state st;
	json_t *m;

	(void)unused;
	online(&st);
	keys_press(&st, 'd', T0);
	for (int i = 0; i < 300; i++)
		keys_press(&st, 0x00fc, T0);    /* ü, 2 bytes */
	assert_int_equal(st.prompt.len, 500);
	keys_press(&st, '\r', T0);
	m = take(&st, "decline");
	assert_int_equal(strlen(req_str(m, "message")), 500);
	state_msg_free(m);
	state_fini(&st);
}

static void
test_unbound_key_gives_a_hint(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'x', T0);
	assert_non_null(strstr(st.status, "Hilfe mit ?"));
	assert_null(state_outbox_pop(&st));
	keys_press(&st, CK_RESIZE, T0); /* the shell redraws; no change */
	keys_press(&st, 0, T0);
	assert_int_equal(st.prompt.kind, CON_PROMPT_NONE);
	state_fini(&st);
}

static void
test_consultation_keys_without_one_say_so(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, 'v', T0);       /* the video window: no consultation */
	assert_non_null(strstr(st.status, "Kein Gespräch offen"));
	st.status[0] = '\0';
	keys_press(&st, 'i', T0);       /* an invitation: the same */
	assert_non_null(strstr(st.status, "Kein Gespräch offen"));
	assert_null(state_outbox_pop(&st));
	state_fini(&st);
}

static void
test_ctrl_l_asks_for_a_full_redraw(void **unused)
{
	struct con_state st;

	(void)unused;
	online(&st);
	keys_press(&st, CK_CTRL('l'), T0);
	assert_true(st.redraw_all);
	st.redraw_all = false;
	keys_press(&st, '/', T0);
	keys_press(&st, CK_CTRL('l'), T0);
	assert_true(st.redraw_all);
	assert_string_equal(st.prompt.text, "");
	state_fini(&st);
}

static void
test_password_prompt_takes_every_printable_key(void **unused)
{
	struct con_state st;

	(void)unused;
	state_init(&st, "anna", "x", true);
	type_text(&st, "q?a d/p€");
	assert_string_equal(st.prompt.text, "q?a d/p€");
	assert_false(st.quit);
	assert_false(st.help);
	state_fini(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_complete_and_unambiguous),
		cmocka_unit_test(test_the_issue_keys_are_bound),
		cmocka_unit_test(test_help_bar_fits_80_columns_and_keeps_help),
		cmocka_unit_test(test_help_bar_in_a_prompt_shows_its_keys),
		cmocka_unit_test(test_help_opens_and_any_key_closes_it_without_acting),
		cmocka_unit_test(test_moving_through_queue_and_offices),
		cmocka_unit_test(test_keys_in_a_text_prompt_are_text),
		cmocka_unit_test(test_decline_message_is_limited_to_500_bytes),
		cmocka_unit_test(test_unbound_key_gives_a_hint),
		cmocka_unit_test(test_consultation_keys_without_one_say_so),
		cmocka_unit_test(test_ctrl_l_asks_for_a_full_redraw),
		cmocka_unit_test(test_password_prompt_takes_every_printable_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
