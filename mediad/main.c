/*
 * klopfd: the klopf daemon. Reads the configuration, opens the store,
 * restores waiting citizens and open consultations, and serves the web
 * client, /api/offices and the /ws protocol on one GLib main loop until
 * SIGINT or SIGTERM. Also runs the "user" subcommands and "-t" checks.
 */
#include <errno.h>
#include <getopt.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lobby.h"
#include "log.h"
#include "metrics.h"
#include "rtprio.h"
#include "session.h"
#include "store.h"
#include "usercmd.h"
#include "version.h"
#include "web.h"

#define DEFAULT_CONFIG "/etc/klopf/klopfd.conf"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: klopfd [-dtV] [-c file] [--listen addr:port] "
	    "[--state-dir dir] [--webroot dir]\n"
	    "       klopfd [-c file] [--state-dir dir] user add|del|list|passwd ...\n");
}

/* Relative paths in a configuration file are relative to the file's
 * directory, so a checkout or a test fixture works from any working
 * directory. (Defaults are absolute; command-line paths stay relative to
 * the working directory.) */
static void
resolve_path(char **p, const char *file)
{
	char *dir, *abs;

	if (*p == NULL || (*p)[0] == '/')
		return;
	dir = g_path_get_dirname(file);
	abs = g_build_filename(dir, *p, NULL);
	free(*p);
	*p = strdup(abs);
	g_free(abs);
	g_free(dir);
}

static void
resolve_paths(struct config *cfg, const char *file)
{
	resolve_path(&cfg->state_dir, file);
	resolve_path(&cfg->webroot, file);
	resolve_path(&cfg->privacy_file, file);
	resolve_path(&cfg->tls_cert, file);
	resolve_path(&cfg->tls_key, file);
	resolve_path(&cfg->media.certificate, file);
	resolve_path(&cfg->media.key, file);
}

static gboolean
on_signal(gpointer loop)
{
	log_info("shutting down");
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_tick(gpointer s)
{
	session_tick(s);
	return G_SOURCE_CONTINUE;
}

/* Each media connection holds a socket and its context's eventfd
 * (ioloop.c), each client a WebSocket: about ten descriptors per
 * two-person consultation, so the usual soft limit of 1024 would end
 * near 100 of them. The hard limit is what the administrator allows. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warning("cannot raise the open file limit: %s",
		    strerror(errno));
}

static int
run(struct config *cfg, bool debug)
{
	struct store *st;
	struct lobby *lb;
	struct session *s;
	struct web *w;
	struct metrics *mx = NULL;      /* NULL: metrics off */
	GMainLoop *loop;
	char err[512];
	int level = log_level_parse(cfg->log_level);

	log_init("klopfd", debug ? KLOG_DEBUG : (enum log_level)level,
	    strcmp(cfg->log_target, "syslog") == 0 && !debug);
	raise_fd_limit();
	setenv("TZ", cfg->timezone, 1);
	tzset();
	signal(SIGPIPE, SIG_IGN);

	if (cfg->media.metrics && (mx = metrics_new(NULL,
	    cfg->media.metrics_listen.addr, cfg->media.metrics_listen.port,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "klopfd: %s\n", err);
		return 1;
	}
	st = store_open(cfg->state_dir, err, sizeof(err));
	if (st == NULL) {
		log_error("%s", err);
		metrics_free(mx);
		return 1;
	}
	lb = lobby_new(cfg);
	s = session_new(cfg, lb, st, mx);
	if (s == NULL || session_restore(s) != 0) {
		if (s != NULL)  /* session_new said why it failed */
			log_error("cannot read the saved state from %s/%s",
			    cfg->state_dir, STORE_FILE);
		session_free(s);
		metrics_free(mx);  /* after the session: it removes its writers */
		lobby_free(lb);
		store_close(st);
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	w = web_new(cfg, loop, session_web_handlers(), s, err, sizeof(err));
	if (w == NULL) {
		log_error("%s", err);
		g_main_loop_unref(loop);
		session_free(s);
		metrics_free(mx);
		lobby_free(lb);
		store_close(st);
		return 1;
	}
	for (int i = 0; i < cfg->nlisten; i++) {
		bool v6 = strchr(cfg->listen[i].addr, ':') != NULL;

		/* Always on stderr: scripts and tests read the port from it. */
		fprintf(stderr, "klopfd: listening on %s://%s%s%s:%d/\n",
		    cfg->tls_cert ? "https" : "http", v6 ? "[" : "",
		    cfg->listen[i].addr, v6 ? "]" : "", web_port(w, i));
	}
	if (mx != NULL) {
		bool v6 = strchr(cfg->media.metrics_listen.addr, ':') != NULL;

		fprintf(stderr, "klopfd: metrics at http://%s%s%s:%d/metrics\n",
		    v6 ? "[" : "", cfg->media.metrics_listen.addr,
		    v6 ? "]" : "", metrics_port(mx));
	}
	log_info("klopfd %s serving %d offices, state in %s", KLOPF_VERSION,
	    cfg->noffices, cfg->state_dir);
	if (cfg->media.realtime_priority > 0) {
		if (rtprio_set(cfg->media.realtime_priority, err,
		    sizeof(err)) == 0)
			log_info("media: the event loop runs at real-time "
			    "priority %d (SCHED_FIFO)",
			    cfg->media.realtime_priority);
		else
			log_warning("media: %s; running at the normal "
			    "priority", err);
	}
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_timeout_add_seconds(1, on_tick, s);
	g_main_loop_run(loop);

	web_free(w);
	session_free(s);
	metrics_free(mx);  /* last: the session's media removes its writers */
	lobby_free(lb);
	store_close(st);
	g_main_loop_unref(loop);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, 'l'},
		{"state-dir", required_argument, NULL, 's'},
		{"webroot", required_argument, NULL, 'w'},
		{"test", no_argument, NULL, 't'},
		{"debug", no_argument, NULL, 'd'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"test-clock", required_argument, NULL, 'T'},
		{NULL, 0, NULL, 0},
	};
	const char *file = DEFAULT_CONFIG, *listen = NULL, *state_dir = NULL;
	const char *webroot = NULL, *test_clock = NULL;
	bool test = false, debug = false;
	struct config *cfg;
	int ch, rc;

	/* "+": stop at the first non-option, the subcommand. */
	while ((ch = getopt_long(argc, argv, "+c:dthV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'w':
			webroot = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'T':
			test_clock = optarg;
			break;
		case 'V':
			printf("klopfd %s\n", KLOPF_VERSION);
			return 0;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "user") != 0) {
		fprintf(stderr, "klopfd: unknown subcommand \"%s\"\n", argv[0]);
		usage();
		return 2;
	}

	cfg = config_load(file, stderr);
	if (cfg == NULL)
		return 1;
	resolve_paths(cfg, file);
	if (webroot != NULL) {
		free(cfg->webroot);
		cfg->webroot = strdup(webroot);
	}
	if (config_override(cfg, listen, state_dir, stderr) != 0 ||
	    config_check(cfg, stderr) != 0) {
		config_free(cfg);
		return 1;
	}
	if (cfg->privacy_file != NULL && access(cfg->privacy_file, R_OK) != 0) {
		fprintf(stderr, "%s: privacy_file %s: %s\n", file,
		    cfg->privacy_file, strerror(errno));
		config_free(cfg);
		return 1;
	}
	if (test) {
		printf("%s: configuration OK, %d offices\n", file, cfg->noffices);
		config_free(cfg);
		return 0;
	}
	if (test_clock != NULL) {
		/* a clock a test can move: never on a reachable address */
		for (int i = 0; i < cfg->nlisten; i++) {
			if (!cfg->listen[i].loopback) {
				fprintf(stderr, "klopfd: --test-clock is for "
				    "tests only and needs every listen address "
				    "on loopback; %s is not\n",
				    cfg->listen[i].addr);
				config_free(cfg);
				return 2;
			}
		}
		session_set_test_clock(test_clock);
		fprintf(stderr, "klopfd: test clock from %s: times are "
		    "shifted by the seconds written there\n", test_clock);
	}
	if (argc > 0)
		rc = usercmd_main(cfg, argc, argv);
	else
		rc = run(cfg, debug);
	config_free(cfg);
	return rc;
}
