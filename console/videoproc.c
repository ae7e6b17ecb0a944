/*
 * videoproc: see videoproc.h.
 */
#include "videoproc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "log.h"

struct child {
	struct videoproc *vp;
	GPid pid;
	int64_t room;
	guint watch;            /* g_child_watch */
	guint kill_timer;       /* SIGKILL after SIGTERM, 0 = none */
	bool stopping;
};

struct videoproc {
	char program[4096];
	char *argv[VIDEOPROC_MAX_ARGS + 4];
	int argc;               /* argv[0] is the program */
	videoproc_exit_fn on_exit;
	void *ud;
	GList *children;        /* struct child, the newest first */
};

static void
find_program(struct videoproc *vp, const char *program)
{
	char self[4096];
	ssize_t n;

	if (program != NULL && program[0] != '\0') {
		snprintf(vp->program, sizeof(vp->program), "%s", program);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(vp->program, sizeof(vp->program), "%s/klopf-video",
		    dirname(self));
		if (access(vp->program, X_OK) == 0)
			return;
	}
	snprintf(vp->program, sizeof(vp->program), "klopf-video");
}

struct videoproc *
videoproc_new(const char *program, const char *const *args, int nargs,
    videoproc_exit_fn on_exit, void *ud)
{
	struct videoproc *vp = g_new0(struct videoproc, 1);

	find_program(vp, program);
	vp->argv[vp->argc++] = g_strdup(vp->program);
	for (int i = 0; i < nargs && i < VIDEOPROC_MAX_ARGS; i++)
		vp->argv[vp->argc++] = g_strdup(args[i]);
	vp->argv[vp->argc++] = g_strdup("--secret-fd");
	vp->argv[vp->argc++] = g_strdup("3");
	vp->argv[vp->argc] = NULL;
	vp->on_exit = on_exit;
	vp->ud = ud;
	return vp;
}

const char *
videoproc_program(const struct videoproc *vp)
{
	return vp->program;
}

static void
child_free(struct child *c)
{
	if (c->watch != 0)
		g_source_remove(c->watch);
	if (c->kill_timer != 0)
		g_source_remove(c->kill_timer);
	g_spawn_close_pid(c->pid);
	g_free(c);
}

static void
on_child_exit(GPid pid, gint status, gpointer data)
{
	struct child *c = data;
	struct videoproc *vp = c->vp;
	int code = 0, sig = 0;
	int64_t room = c->room;

	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	log_info("klopf-video %d for room %lld ended: %s %d", (int)pid,
	    (long long)room, sig ? "signal" : "exit", sig ? sig : code);
	c->watch = 0;           /* the watch source removes itself */
	vp->children = g_list_remove(vp->children, c);
	child_free(c);
	vp->on_exit(vp->ud, room, code, sig);
}

static gboolean
on_kill_timer(gpointer data)
{
	struct child *c = data;

	log_warning("klopf-video %d did not end on SIGTERM: SIGKILL",
	    (int)c->pid);
	kill(c->pid, SIGKILL);
	c->kill_timer = 0;
	return G_SOURCE_REMOVE;
}

/* In the child, before exec: a process group of its own, so that the
 * terminal's Ctrl-C and hangup are the console's; signals as a fresh
 * program expects them (the console ignores SIGPIPE). */
static void
child_setup(gpointer unused)
{
	sigset_t none;

	(void)unused;
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int
videoproc_start(struct videoproc *vp, int64_t room, const char *secret,
    size_t len, char *err, size_t errlen)
{
	int fds[2], source[1], target[1] = {3};
	GError *gerr = NULL;
	GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD |
	    G_SPAWN_STDOUT_TO_DEV_NULL;
	struct child *c;
	GPid pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "keine Pipe (%s)", strerror(errno));
		return -1;
	}
	/* The pipe holds the whole secret (a few hundred bytes, at most
	 * 8 KiB; a pipe takes at least 4 KiB, on Linux 64 KiB by default):
	 * it is written before the child exists and never waited on. */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	n = write(fds[1], secret, len);
	close(fds[1]);
	if (n < 0 || (size_t)n != len) {
		close(fds[0]);
		snprintf(err, errlen, "die Zugangsdaten passen nicht in die "
		    "Pipe");
		return -1;
	}
	if (strchr(vp->program, '/') == NULL)
		flags |= G_SPAWN_SEARCH_PATH;
	source[0] = fds[0];
	if (!g_spawn_async_with_pipes_and_fds(NULL,
	    (const gchar *const *)vp->argv, NULL, flags, child_setup, NULL,
	    -1, -1, -1, source, target, 1, &pid, NULL, NULL, NULL, &gerr)) {
		close(fds[0]);
		snprintf(err, errlen, "%s lässt sich nicht starten (%s)",
		    vp->program, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	close(fds[0]);
	c = g_new0(struct child, 1);
	c->vp = vp;
	c->pid = pid;
	c->room = room;
	c->watch = g_child_watch_add(pid, on_child_exit, c);
	vp->children = g_list_prepend(vp->children, c);
	log_info("klopf-video %d started for room %lld", (int)pid,
	    (long long)room);
	return 0;
}

static void
stop_child(struct child *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	kill(c->pid, SIGTERM);
	c->kill_timer = g_timeout_add(VIDEOPROC_KILL_MS, on_kill_timer, c);
}

void
videoproc_stop(struct videoproc *vp)
{
	if (vp->children != NULL)
		stop_child(vp->children->data);
}

pid_t
videoproc_pid(const struct videoproc *vp)
{
	const struct child *c = vp->children ? vp->children->data : NULL;

	return c != NULL && !c->stopping ? c->pid : 0;
}

void
videoproc_free(struct videoproc *vp)
{
	if (vp == NULL)
		return;
	while (vp->children != NULL) {
		struct child *c = vp->children->data;

		kill(c->pid, SIGTERM);
		vp->children = g_list_delete_link(vp->children, vp->children);
		child_free(c);
	}
	for (int i = 0; i < vp->argc; i++)
		g_free(vp->argv[i]);
	g_free(vp);
}
