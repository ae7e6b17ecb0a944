/*
 * main: klopf, the clerk console. Reads the arguments and the
 * configuration, then runs one GLib main loop that feeds the state with
 * keys, server messages, connection changes, signals and the clock, sends
 * what the state queued and redraws after every event.
 *
 * The terminal is given back on every way out: q, Ctrl-C, SIGTERM, a
 * hangup of the terminal, and errors (atexit). The password is only ever
 * typed into the console's own prompt, never taken from argv or a file.
 *
 * The video window: when the state asks for it (video.start, video.stop)
 * step() has videoproc start or end klopf-video, and its end is fed back
 * into the state (on_video_exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glib-unix.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "draw.h"
#include "keys.h"
#include "log.h"
#include "net.h"
#include "proto.h"
#include "state.h"
#include "version.h"
#include "videoproc.h"

struct app {
	GMainLoop *loop;
	struct net *net;
	struct videoproc *video;
	const struct con_conf *conf;
	struct con_state st;
	int exit_code;
	char tz[65];            /* the zone applied to TZ, "" if none yet */
};

static int saved_stderr = -1;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Gives the terminal and stderr back; registered with atexit. */
static void
restore_terminal(void)
{
	draw_stop();
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* What the state wants of the video window: end it, start it with the
 * secret the state writes (wiped at once). */
static void
video_effects(struct app *a)
{
	struct con_video_state *v = &a->st.video;
	char secret[8192], err[512];
	int n;

	if (v->stop) {
		v->stop = false;
		videoproc_stop(a->video);
	}
	if (!v->start)
		return;
	n = state_video_secret(&a->st, a->conf->server, a->conf->ca_file,
	    secret, sizeof(secret));
	if (n < 0)
		state_video_started(&a->st, "keine Zugangsdaten");
	else if (videoproc_start(a->video, v->room, secret, (size_t)n, err,
	    sizeof(err)) != 0)
		state_video_started(&a->st, err);
	else
		state_video_started(&a->st, NULL);
	explicit_bzero(secret, sizeof(secret));
}

/* After every event: connect if it is time, send what is queued, start
 * or end the video window, ring, redraw, or leave. */
static void
step(struct app *a)
{
	int64_t now = now_ms();
	json_t *m;

	if (state_tick(&a->st, now)) {
		state_connecting(&a->st, now);
		net_connect(a->net);
	}
	while ((m = state_outbox_pop(&a->st)) != NULL) {
		char *s = json_dumps(m, JSON_COMPACT);

		state_msg_free(m);
		if (s == NULL)
			continue;
		if (net_send(a->net, s, strlen(s)) != 0)
			log_warning("a request could not be sent");
		explicit_bzero(s, strlen(s));
		free(s);
	}
	video_effects(a);
	if (a->st.bell_pending) {
		a->st.bell_pending = false;
		draw_bell();
	}
	if (a->st.quit) {
		g_main_loop_quit(a->loop);
		return;
	}
	draw_screen(&a->st, now);
	a->st.redraw_all = false;
}

static void
on_opened(void *ud)
{
	struct app *a = ud;

	state_connected(&a->st, now_ms());
	step(a);
}

/* Times of appointments and the queue are the administration's: once
 * klopfd names its zone, the console's local time follows it, whatever
 * TZ the clerk's machine has. A zone this machine does not know is left
 * alone (glibc would silently take UTC). */
static void
apply_timezone(struct app *a)
{
	char path[128], tz[80];

	if (a->st.timezone[0] == '\0' || strcmp(a->st.timezone, a->tz) == 0)
		return;
	snprintf(a->tz, sizeof(a->tz), "%s", a->st.timezone);
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", a->tz);
	if (access(path, R_OK) != 0) {
		log_warning("the server's time zone %s is unknown here; times "
		    "are shown in this machine's zone", a->tz);
		return;
	}
	snprintf(tz, sizeof(tz), ":%s", a->tz);
	setenv("TZ", tz, 1);
	tzset();
}

static void
on_message(void *ud, const char *buf, size_t len)
{
	struct app *a = ud;
	struct proto_msg m;
	struct proto_error e;

	if (proto_decode(buf, len, PROTO_FROM_SERVER, &m, &e) != 0) {
		log_warning("server message refused: %s (%s)", e.code,
		    e.field ? e.field : "-");
		json_decref(e.id);
		return;
	}
	state_apply(&a->st, &m, now_ms());
	proto_msg_fini(&m);
	apply_timezone(a);
	step(a);
}

static void
on_closed(void *ud, const char *why)
{
	struct app *a = ud;

	state_disconnected(&a->st, now_ms(), why);
	step(a);
}

static void
on_video_exit(void *ud, int64_t room, int code, int sig)
{
	struct app *a = ud;

	state_video_exited(&a->st, room, code, sig);
	step(a);
}

static gboolean
on_input(gint fd, GIOCondition cond, gpointer ud)
{
	struct app *a = ud;
	int key;

	(void)fd;
	while ((key = draw_key()) != -1) {
		if (key == CK_RESIZE)
			draw_resize();
		else
			keys_press(&a->st, key, now_ms());
	}
	if (cond & (G_IO_HUP | G_IO_ERR)) {
		a->st.quit = true;      /* the terminal is gone */
		step(a);
		return G_SOURCE_REMOVE;
	}
	step(a);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_tick(gpointer ud)
{
	step(ud);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt(gpointer ud)
{
	struct app *a = ud;

	state_interrupt(&a->st, now_ms());
	step(a);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup(gpointer ud)
{
	struct app *a = ud;

	a->st.quit = true;
	step(a);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_winch(gpointer ud)
{
	draw_resize();
	step(ud);
	return G_SOURCE_CONTINUE;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: klopf [-hV] [-c file] [-s url] [-u user] "
	    "[--no-bell]\n");
}

/* Wide characters need a UTF-8 locale; fall back to C.UTF-8. */
static void
set_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* Sends stderr to a log file (KLOPF_DEBUG_LOG) or nowhere while the
 * screen belongs to the console. */
static void
quiet_stderr(void)
{
	const char *path = getenv("KLOPF_DEBUG_LOG");
	int fd;

	saved_stderr = dup(STDERR_FILENO);
	if (path != NULL && *path != '\0') {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		log_init("klopf", KLOG_DEBUG, false);
	} else {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		log_init("klopf", KLOG_ERROR, false);
	}
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"server", required_argument, NULL, 's'},
		{"user", required_argument, NULL, 'u'},
		{"no-bell", no_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct con_conf conf;
	struct con_url url;
	struct net_handlers h = {on_opened, on_message, on_closed};
	const char *conf_path = NULL, *server = NULL, *user = NULL;
	char path[CONF_PATH], err[512];
	bool no_bell = false;
	struct app *a;
	int ch;

	set_locale();
	log_init("klopf", KLOG_WARNING, false);
	while ((ch = getopt_long(argc, argv, "c:s:u:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'B':
			no_bell = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("klopf %s (protocol %d)\n", KLOPF_VERSION,
			    PROTO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	conf_defaults(&conf);
	if (conf_path != NULL) {
		if (conf_load(conf_path, true, &conf, err, sizeof(err)) != 0) {
			fprintf(stderr, "klopf: %s\n", err);
			return 1;
		}
	} else if (conf_default_path(path, sizeof(path)) == 0 &&
	    conf_load(path, false, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "klopf: %s\n", err);
		return 1;
	}
	if (server != NULL)
		snprintf(conf.server, sizeof(conf.server), "%s", server);
	if (user != NULL)
		snprintf(conf.user, sizeof(conf.user), "%s", user);
	if (no_bell)
		conf.bell = false;
	if (conf.user[0] == '\0') {
		const struct passwd *pw = getpwuid(getuid());
		const char *u = getenv("USER");

		snprintf(conf.user, sizeof(conf.user), "%s",
		    u && *u ? u : pw ? pw->pw_name : "");
	}
	if (conf.server[0] == '\0') {
		fprintf(stderr, "klopf: no server: give --server URL or set "
		    "server in %s\n", conf_path ? conf_path : "the configuration "
		    "file (~/.config/klopf/klopf.conf)");
		return 1;
	}
	if (conf.user[0] == '\0' || strlen(conf.user) > 64) {
		fprintf(stderr, "klopf: give the user name with --user NAME\n");
		return 1;
	}
	if (conf_parse_url(conf.server, &url, err, sizeof(err)) != 0) {
		fprintf(stderr, "klopf: %s: %s\n", conf.server, err);
		return 1;
	}

	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		fprintf(stderr, "klopf: out of memory\n");
		return 1;
	}
	a->loop = g_main_loop_new(NULL, FALSE);
	{
		char shown[CONF_STR + 16];

		if (url.port == (url.tls ? 443 : 80))
			snprintf(shown, sizeof(shown), "%s", url.host);
		else if (strchr(url.host, ':'))
			snprintf(shown, sizeof(shown), "[%s]:%d", url.host,
			    url.port);
		else
			snprintf(shown, sizeof(shown), "%s:%d", url.host,
			    url.port);
		state_init(&a->st, conf.user, shown, conf.bell);
		char web[sizeof(a->st.web)];

		if (conf.web_address[0] != '\0')
			state_web_address(&a->st, conf.web_address);
		else if (conf_web_address(&url, web, sizeof(web)) == 0)
			state_web_address(&a->st, web);
	}
	state_video_mode(&a->st, conf.video == CONF_VIDEO_OFF ? CON_VIDEO_OFF :
	    conf.video == CONF_VIDEO_KEY ? CON_VIDEO_KEY : CON_VIDEO_AUTO);
	a->conf = &conf;
	{
		const char *args[VIDEOPROC_MAX_ARGS];
		int n = conf_video_argv(&conf, args, VIDEOPROC_MAX_ARGS);

		a->video = videoproc_new(conf.video_program, args, n,
		    on_video_exit, a);
	}
	if (draw_start(err, sizeof(err)) != 0) {
		fprintf(stderr, "klopf: %s\n", err);
		videoproc_free(a->video);
		state_fini(&a->st);
		g_main_loop_unref(a->loop);
		free(a);
		return 1;
	}
	atexit(restore_terminal);
	quiet_stderr();
	a->net = net_new(a->loop, &url, conf.ca_file, &h, a, err, sizeof(err));
	if (a->net == NULL) {
		restore_terminal();
		fprintf(stderr, "klopf: %s\n", err);
		videoproc_free(a->video);
		state_fini(&a->st);
		g_main_loop_unref(a->loop);
		free(a);
		return 1;
	}
	g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input, a);
	g_unix_signal_add(SIGINT, on_interrupt, a);
	g_unix_signal_add(SIGTERM, on_interrupt, a);
	g_unix_signal_add(SIGHUP, on_hangup, a);
	g_unix_signal_add(SIGWINCH, on_winch, a);
	g_timeout_add(500, on_tick, a);
	signal(SIGPIPE, SIG_IGN);

	step(a);
	if (!a->st.quit)
		g_main_loop_run(a->loop);

	videoproc_free(a->video);
	net_free(a->net);
	state_fini(&a->st);
	restore_terminal();
	g_main_loop_unref(a->loop);
	free(a);
	return 0;
}
