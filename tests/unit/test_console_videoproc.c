/*
 * test_console_videoproc: the console's running of the video window
 * (videoproc.c) with /bin/sh in the place of klopf-video — the secret
 * arrives on descriptor 3 and only there, the child has descriptors 0-3
 * only and its own process group, its end is reported with the exit code
 * or the signal, and a window that ignores SIGTERM is killed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "videoproc.h"

struct ended {
	GMainLoop *loop;
	int n;
	int64_t room;
	int code, sig;
};

static void
on_exit_cb(void *ud, int64_t room, int code, int sig)
{
	struct ended *e = ud;

	e->n++;
	e->room = room;
	e->code = code;
	e->sig = sig;
	g_main_loop_quit(e->loop);
}

static gboolean
on_timeout(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* Runs the loop until a child ended or ms passed. */
static void
run(struct ended *e, guint ms)
{
	guint t = g_timeout_add(ms, on_timeout, e->loop);
	int before = e->n;

	g_main_loop_run(e->loop);
	if (e->n != before)
		g_source_remove(t);
}

static char *
slurp(const char *dir, const char *name)
{
	char *path = g_build_filename(dir, name, NULL), *text = NULL;

	g_file_get_contents(path, &text, NULL, NULL);
	g_free(path);
	return text;
}

/* A videoproc running `sh -c script` (the script sees --secret-fd 3 as
 * $1 $2). */
static struct videoproc *
shell(const char *script, struct ended *e)
{
	const char *args[] = {"-c", script, "sh"};

	return videoproc_new("/bin/sh", args, 3, on_exit_cb, e);
}

static void
test_the_secret_arrives_on_descriptor_3_only(void **unused)
{
	struct ended e = {g_main_loop_new(NULL, FALSE), 0, 0, 0, 0};
	char *dir = g_dir_make_tmp("klopf-videoproc-XXXXXX", NULL);
	/* the last: ls's own descriptors as exec'd from the shell (dash
	 * keeps a private one, close-on-exec), its directory the 4th */
	char *script = g_strdup_printf("cat <&3 >%s/secret; "
	    "echo \"$1 $2\" >%s/args; "
	    "echo $(readlink /proc/$$/fd/0 /proc/$$/fd/1) >%s/std; "
	    "ps -o pgid= -p $$ >%s/pgid; exec ls /proc/self/fd >%s/fds",
	    dir, dir, dir, dir, dir);
	struct videoproc *vp = shell(script, &e);
	static const char secret[] = "{\"token\":\"geheim\"}";
	char err[256], *s;

	(void)unused;
	assert_int_equal(videoproc_start(vp, 7, secret, strlen(secret), err,
	    sizeof(err)), 0);
	assert_true(videoproc_pid(vp) > 0);
	run(&e, 10000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.room, 7);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.sig, 0);
	assert_int_equal(videoproc_pid(vp), 0);
	s = slurp(dir, "secret");
	assert_string_equal(s, secret);
	g_free(s);
	s = slurp(dir, "args");
	assert_string_equal(s, "--secret-fd 3\n");
	g_free(s);
	/* 0, 1, 2 and the secret's 3 (and ls's directory): nothing of the
	 * console's */
	s = slurp(dir, "fds");
	assert_string_equal(s, "0\n1\n2\n3\n4\n");
	g_free(s);
	s = slurp(dir, "std");
	assert_string_equal(s, "/dev/null /dev/null\n");
	g_free(s);
	/* a process group of its own: the terminal's Ctrl-C is not its */
	s = slurp(dir, "pgid");
	assert_non_null(s);
	assert_int_not_equal(atoi(s), (int)getpgrp());
	g_free(s);
	videoproc_free(vp);
	g_free(script);
	g_free(dir);
	g_main_loop_unref(e.loop);
}

static void
test_an_exit_code_and_a_signal_are_reported(void **unused)
{
	struct ended e = {g_main_loop_new(NULL, FALSE), 0, 0, 0, 0};
	struct videoproc *vp = shell("exit 3", &e);
	char err[256];
	pid_t pid;

	(void)unused;
	assert_int_equal(videoproc_start(vp, 8, "{}", 2, err, sizeof(err)), 0);
	run(&e, 10000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.room, 8);
	assert_int_equal(e.code, 3);
	assert_int_equal(e.sig, 0);
	videoproc_free(vp);
	vp = shell("exec sleep 30", &e);
	assert_int_equal(videoproc_start(vp, 9, "{}", 2, err, sizeof(err)), 0);
	pid = videoproc_pid(vp);
	assert_true(pid > 0);
	kill(pid, SIGKILL);
	run(&e, 10000);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.room, 9);
	assert_int_equal(e.sig, SIGKILL);
	videoproc_free(vp);
	g_main_loop_unref(e.loop);
}

static void
test_stop_is_sigterm_then_sigkill(void **unused)
{
	struct ended e = {g_main_loop_new(NULL, FALSE), 0, 0, 0, 0};
	char *dir = g_dir_make_tmp("klopf-videoproc-XXXXXX", NULL);
	char *script = g_strdup_printf("trap '' TERM; touch %s/up; "
	    "while :; do sleep 0.1; done", dir);
	char *up = g_build_filename(dir, "up", NULL);
	struct videoproc *vp;
	char err[256];
	gint64 t0;

	(void)unused;
	/* one that goes on SIGTERM */
	vp = shell("exec sleep 30", &e);
	assert_int_equal(videoproc_start(vp, 1, "{}", 2, err, sizeof(err)), 0);
	videoproc_stop(vp);
	assert_int_equal(videoproc_pid(vp), 0);
	run(&e, 10000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.sig, SIGTERM);
	videoproc_free(vp);
	/* one that does not: SIGKILL after VIDEOPROC_KILL_MS */
	vp = shell(script, &e);
	assert_int_equal(videoproc_start(vp, 2, "{}", 2, err, sizeof(err)), 0);
	for (int i = 0; i < 100 && !g_file_test(up, G_FILE_TEST_EXISTS); i++)
		g_usleep(50000);
	t0 = g_get_monotonic_time();
	videoproc_stop(vp);
	run(&e, 10000);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.room, 2);
	assert_int_equal(e.sig, SIGKILL);
	assert_true(g_get_monotonic_time() - t0 >=
	    (VIDEOPROC_KILL_MS - 100) * 1000);
	videoproc_free(vp);
	g_free(up);
	g_free(script);
	g_free(dir);
	g_main_loop_unref(e.loop);
}

static void
test_a_missing_program_is_an_error_not_a_child(void **unused)
{
	struct ended e = {g_main_loop_new(NULL, FALSE), 0, 0, 0, 0};
	struct videoproc *vp = videoproc_new("/nicht/da/klopf-video", NULL, 0,
	    on_exit_cb, &e);
	char err[256];

	(void)unused;
	assert_int_equal(videoproc_start(vp, 1, "{}", 2, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "/nicht/da/klopf-video"));
	assert_int_equal(videoproc_pid(vp), 0);
	videoproc_free(vp);
	/* no program named: the klopf-video next to this one, else PATH */
	vp = videoproc_new(NULL, NULL, 0, on_exit_cb, &e);
	assert_non_null(strstr(videoproc_program(vp), "klopf-video"));
	videoproc_free(vp);
	g_main_loop_unref(e.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_secret_arrives_on_descriptor_3_only),
		cmocka_unit_test(test_an_exit_code_and_a_signal_are_reported),
		cmocka_unit_test(test_stop_is_sigterm_then_sigkill),
		cmocka_unit_test(test_a_missing_program_is_an_error_not_a_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
