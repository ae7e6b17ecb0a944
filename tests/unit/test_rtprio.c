/*
 * test_rtprio: klopfd's loop at a real-time priority, or a clear reason
 * why not. Each case runs in a child process, so that the test runner
 * itself keeps its policy.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtprio.h"

/* Exit status of fn run in a child. */
static int
in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Allowed (RLIMIT_RTPRIO raised, or root): the thread is at SCHED_FIFO
 * with the priority asked for, and a thread it starts is not. Not
 * allowed: -1, a reason that names the way out, and the policy as it
 * was. Which of the two depends on the machine; each is checked whole. */
static void *
child_policy(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)sched_getscheduler(0);
}

static int
set_and_check(void)
{
	char err[256] = "";
	struct rlimit rl = { 5, 5 };
	struct sched_param sp;
	pthread_t t;
	void *ret;

	(void)setrlimit(RLIMIT_RTPRIO, &rl);     /* may fail: then root or not */
	if (rtprio_set(5, err, sizeof(err)) == 0) {
		if ((sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) !=
		    SCHED_FIFO)
			return 10;
		if (sched_getparam(0, &sp) != 0 || sp.sched_priority != 5)
			return 11;
		if (pthread_create(&t, NULL, child_policy, NULL) != 0 ||
		    pthread_join(t, &ret) != 0)
			return 12;
		return (intptr_t)ret == SCHED_OTHER ? 0 : 13;
	}
	if (strstr(err, "RLIMIT_RTPRIO") == NULL ||
	    strstr(err, "CAP_SYS_NICE") == NULL)
		return 20;
	return sched_getscheduler(0) == SCHED_OTHER ? 1 : 21;
}

static void
test_fifo_with_its_priority_or_a_reason_and_nothing_changed(void **state)
{
	int r = in_child(set_and_check);

	(void)state;
	if (r == 1)
		print_message("not allowed here: the refusal was checked\n");
	assert_true(r == 0 || r == 1);
}

/* With RLIMIT_RTPRIO at 0 and without CAP_SYS_NICE (a new user
 * namespace has none outside itself, even for root) the answer is no,
 * with the reason. */
static int
refused(void)
{
	char err[256] = "";
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_RTPRIO, &rl) != 0)
		return 20;
	if (unshare(CLONE_NEWUSER) != 0)
		return 2;
	if (rtprio_set(1, err, sizeof(err)) != -1)
		return 21;
	return strstr(err, "it is 0") != NULL ? 0 : 22;
}

static void
test_without_permission_it_says_what_is_missing(void **state)
{
	int r = in_child(refused);

	(void)state;
	if (r == 2) {
		print_message("no user namespace to drop CAP_SYS_NICE in: "
		    "skipped\n");
		skip();
	}
	assert_int_equal(r, 0);
}

static int
out_of_range(void)
{
	char err[256] = "";

	if (rtprio_set(0, err, sizeof(err)) != -1 ||
	    strstr(err, "not between 1 and 99") == NULL)
		return 1;
	if (rtprio_set(100, err, sizeof(err)) != -1)
		return 2;
	return sched_getscheduler(0) == SCHED_OTHER ? 0 : 3;
}

static void
test_a_priority_out_of_range_is_refused(void **state)
{
	(void)state;
	assert_int_equal(in_child(out_of_range), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_with_its_priority_or_a_reason_and_nothing_changed),
		cmocka_unit_test(test_without_permission_it_says_what_is_missing),
		cmocka_unit_test(test_a_priority_out_of_range_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
