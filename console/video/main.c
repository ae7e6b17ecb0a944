/*
 * main: klopf-video, the clerk's video window. Reads the server, the
 * room and the clerk's credential from an inherited descriptor
 * (--secret-fd, see secret.h and doc/video.md), connects to klopfd's /ws
 * (the console's own net.c) and joins the room with a media token as a
 * media-only member (or, given a session token, as the clerk), publishes
 * camera and microphone, subscribes to the others and shows them
 * (media.c, rtc.c).
 * One GLib main loop for lws, GStreamer's bus and the signals.
 *
 * Never takes a credential from argv or the environment, never logs one.
 * Ends when the clerk presses q or closes the window, when the room is
 * closed, on SIGTERM/SIGINT, or when klopfd refuses or goes away; a
 * `leave` tells klopfd first where the connection still stands.
 */
#include <errno.h>
#include <getopt.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "media.h"
#include "net.h"
#include "proto.h"
#include "secret.h"
#include "version.h"

enum { ID_JOIN = 1, ID_PUBLISH, ID_SUBSCRIBE, ID_LEAVE, ID_OTHER };

struct app {
	GMainLoop *loop;
	struct net *net;
	struct media *media;
	struct video_secret secret;
	int exit_code;
	bool joined;            /* media_joined (or welcome_clerk) came */
	bool leaving;
	guint bye_timer;
	int64_t next_id;
};

static void
finish(struct app *a, int code)
{
	if (a->exit_code == 0)
		a->exit_code = code;
	g_main_loop_quit(a->loop);
}

static void
send_msg(struct app *a, json_t *msg)
{
	size_t len;
	char *buf = proto_dump(msg, &len);      /* takes msg */

	if (buf == NULL || net_send(a->net, buf, len) != 0)
		log_warning("cannot send to klopfd (not connected)");
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

static json_t *
request(struct app *a, const char *type, int64_t id)
{
	json_t *m = proto_new(type, json_integer(id));

	json_object_set_new(m, "room", json_integer((json_int_t)a->secret.room));
	return m;
}

/* --- leaving --- */

static gboolean
bye_timeout(gpointer p)
{
	struct app *a = p;

	a->bye_timer = 0;
	g_main_loop_quit(a->loop);
	return G_SOURCE_REMOVE;
}

/* Hangs up (klopfd re-offers to the others) and ends soon after; the
 * consultation itself stays open. */
static void
leave(struct app *a, int code)
{
	if (a->exit_code == 0)
		a->exit_code = code;
	if (a->leaving)
		return;
	a->leaving = true;
	if (!a->joined) {
		g_main_loop_quit(a->loop);
		return;
	}
	send_msg(a, request(a, "leave", ID_LEAVE));
	a->bye_timer = g_timeout_add(1000, bye_timeout, a);
}

static gboolean
on_signal(gpointer p)
{
	leave(p, 0);
	return G_SOURCE_CONTINUE;
}

/* --- media callbacks --- */

static void
on_offer(void *ud, const char *sdp)
{
	struct app *a = ud;
	json_t *m;

	if (sdp == NULL) {
		log_warning("neither camera nor microphone: only receiving");
		send_msg(a, request(a, "subscribe", ID_SUBSCRIBE));
		return;
	}
	m = request(a, "publish", ID_PUBLISH);
	json_object_set_new(m, "sdp", json_string(sdp));
	send_msg(a, m);
}

static void
on_answer(void *ud, int64_t version, const char *sdp)
{
	struct app *a = ud;
	json_t *m = request(a, "subscribe_answer", a->next_id++);

	json_object_set_new(m, "version", json_integer(version));
	json_object_set_new(m, "sdp", json_string(sdp));
	send_msg(a, m);
}

static void
on_quit(void *ud)
{
	leave(ud, 0);
}

static void
on_failed(void *ud, const char *why)
{
	log_error("media: %s", why);
	leave(ud, 1);
}

/* --- klopfd --- */

/* Joins with the media token, or logs in with the session. */
static void
on_opened(void *ud)
{
	struct app *a = ud;
	json_t *m;

	if (a->secret.token[0] != '\0') {
		m = proto_new("media_join", json_integer(ID_JOIN));
		json_object_set_new(m, "token", json_string(a->secret.token));
	} else {
		m = proto_new("session", json_integer(ID_JOIN));
		json_object_set_new(m, "session",
		    json_string(a->secret.session));
	}
	send_msg(a, m);
	/* a media token is good for one join: it is of no use any more */
	explicit_bzero(a->secret.token, sizeof(a->secret.token));
}

static void
joined(struct app *a, const char *as)
{
	a->joined = true;
	log_info("joined as %s; publishing to room %llu", as,
	    (unsigned long long)a->secret.room);
	media_publish(a->media);
}

static void
on_participants(struct app *a, json_t *root)
{
	json_t *list = json_object_get(root, "participants");
	struct media_person p[32];
	size_t n = 0, i;
	json_t *x;

	json_array_foreach(list, i, x) {
		if (n == G_N_ELEMENTS(p))
			break;
		p[n].pid = json_string_value(json_object_get(x, "pid"));
		p[n].role = json_string_value(json_object_get(x, "role"));
		p[n].name = json_string_value(json_object_get(x, "name"));
		if (p[n].pid != NULL)
			n++;
	}
	media_participants(a->media, p, n,
	    json_string_value(json_object_get(root, "you")));
}

static void
on_error(struct app *a, struct proto_msg *m)
{
	const char *code = proto_str(m, "code");
	json_int_t id = json_is_integer(m->id) ? json_integer_value(m->id) : 0;

	log_error("klopfd refused %s: %s (%s)",
	    id == ID_JOIN ? "to let us in" : id == ID_PUBLISH ? "publish" :
	    id == ID_SUBSCRIBE ? "subscribe" : "a request",
	    code ? code : "?", proto_str(m, "message") ?
	    proto_str(m, "message") : "");
	if (id == ID_JOIN || id == ID_PUBLISH || id == ID_SUBSCRIBE)
		leave(a, 1);
}

static void
on_message(void *ud, const char *buf, size_t len)
{
	struct app *a = ud;
	struct proto_msg m;
	struct proto_error e;
	char err[200];
	uint64_t room;

	if (proto_decode(buf, len, PROTO_FROM_SERVER, &m, &e) != 0) {
		log_warning("klopfd sent a message we cannot read: %s",
		    e.message);
		json_decref(e.id);
		return;
	}
	room = (uint64_t)proto_int(&m, "room", 0);
	switch (m.type) {
	case PROTO_S_WELCOME_CLERK:
		joined(a, "clerk");
		break;
	case PROTO_S_MEDIA_JOINED:
		room = (uint64_t)json_integer_value(json_object_get(
		    json_object_get(m.root, "room"), "id"));
		if (room != a->secret.room) {
			log_error("the media token is for room %llu, not for "
			    "room %llu", (unsigned long long)room,
			    (unsigned long long)a->secret.room);
			leave(a, 1);
			break;
		}
		joined(a, "the clerk's video window");
		break;
	case PROTO_S_PUBLISH_ANSWER:
		if (media_publish_answer(a->media, proto_str(&m, "sdp"), err,
		    sizeof(err)) != 0) {
			log_error("publish: %s", err);
			leave(a, 1);
			break;
		}
		send_msg(a, request(a, "subscribe", ID_SUBSCRIBE));
		break;
	case PROTO_S_SUBSCRIBE_OFFER:
		if (room != a->secret.room)
			break;
		if (media_subscribe_offer(a->media, proto_int(&m, "version", 0),
		    proto_str(&m, "sdp"), err, sizeof(err)) != 0)
			log_error("subscribe offer: %s", err);
		break;
	case PROTO_S_PARTICIPANTS:
		if (room == a->secret.room)
			on_participants(a, m.root);
		break;
	case PROTO_S_ROOM_CLOSED:
		if (room == a->secret.room) {
			log_info("the consultation has ended");
			a->joined = false;      /* nothing left to leave */
			leave(a, 0);
		}
		break;
	case PROTO_S_OK:
		if (a->leaving && json_is_integer(m.id) &&
		    json_integer_value(m.id) == ID_LEAVE)
			g_main_loop_quit(a->loop);
		break;
	case PROTO_S_ERROR:
		on_error(a, &m);
		break;
	default:
		break;
	}
	proto_msg_fini(&m);
}

static void
on_closed(void *ud, const char *why)
{
	struct app *a = ud;

	if (!a->leaving)
		log_error("connection to klopfd ended: %s", why);
	finish(a, a->leaving ? 0 : 1);
}

/* --- start --- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: klopf-video --secret-fd N [--video-source auto|test|"
	    "DEVICE]\n"
	    "                   [--audio-source auto|test|DEVICE] "
	    "[--video-sink ELEMENT]\n"
	    "                   [--audio-sink ELEMENT] [--ice-address ADDR]... "
	    "[--stats FILE]\n"
	    "                   [--bitrate KBPS] [-v]\n"
	    "       klopf-video --check [--video-source ...] "
	    "[--audio-source ...]\n"
	    "       klopf-video --version\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"secret-fd", required_argument, NULL, 's'},
		{"video-source", required_argument, NULL, 'V'},
		{"audio-source", required_argument, NULL, 'A'},
		{"video-sink", required_argument, NULL, 'W'},
		{"audio-sink", required_argument, NULL, 'O'},
		{"ice-address", required_argument, NULL, 'i'},
		{"stats", required_argument, NULL, 'S'},
		{"bitrate", required_argument, NULL, 'b'},
		{"check", no_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct media_opts o = {
		.video_source = "auto", .audio_source = "auto",
		.video_sink = "autovideosink", .audio_sink = "autoaudiosink",
		.bitrate_kbps = 800,
	};
	struct media_handlers mh = {on_offer, on_answer, on_quit, on_failed};
	struct net_handlers nh = {on_opened, on_message, on_closed};
	struct app a = {.next_id = ID_OTHER};
	struct con_url url;
	char err[300], title[CONF_STR + 40];
	int c, secret_fd = -1, level = KLOG_WARNING;
	char *end;
	long v;

	setlocale(LC_ALL, "");
	gst_init(&argc, &argv);
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 3 || v > 1 << 20) {
				fprintf(stderr, "klopf-video: --secret-fd wants "
				    "a descriptor number of 3 or more\n");
				return 1;
			}
			secret_fd = (int)v;
			break;
		case 'V': o.video_source = optarg; break;
		case 'A': o.audio_source = optarg; break;
		case 'W': o.video_sink = optarg; break;
		case 'O': o.audio_sink = optarg; break;
		case 'S': o.stats_path = optarg; break;
		case 'c': o.check = true; break;
		case 'v': level = level < KLOG_DEBUG ? level + 1 : level; break;
		case 'i':
			if (o.n_ice_addrs == MEDIA_MAX_ADDRS) {
				fprintf(stderr, "klopf-video: at most %d "
				    "--ice-address\n", MEDIA_MAX_ADDRS);
				return 1;
			}
			o.ice_addrs[o.n_ice_addrs++] = optarg;
			break;
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 50 || v > 20000) {
				fprintf(stderr, "klopf-video: --bitrate wants "
				    "50 to 20000 (kbit/s)\n");
				return 1;
			}
			o.bitrate_kbps = (int)v;
			break;
		case 'r':
			printf("klopf-video %s\n", KLOPF_VERSION);
			return 0;
		case 'h':
			usage(stdout);
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
	log_init("klopf-video", level, false);
	a.loop = g_main_loop_new(NULL, FALSE);

	if (o.check) {
		o.title = "Kamera- und Mikrofontest";
	} else {
		if (secret_fd < 0) {
			fprintf(stderr, "klopf-video: --secret-fd N is needed "
			    "(or --check); the console passes it\n");
			return 1;
		}
		if (secret_read_fd(secret_fd, &a.secret, err,
		    sizeof(err)) != 0 ||
		    conf_parse_url(a.secret.server, &url, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "klopf-video: %s\n", err);
			secret_wipe(&a.secret);
			return 1;
		}
		snprintf(title, sizeof(title), "%s – Gespräch %llu",
		    a.secret.office[0] ? a.secret.office : "klopf",
		    (unsigned long long)a.secret.room);
		o.title = title;
		o.since = a.secret.opened_at;
	}
	a.media = media_new(&o, &mh, &a, err, sizeof(err));
	if (a.media == NULL) {
		fprintf(stderr, "klopf-video: %s\n", err);
		secret_wipe(&a.secret);
		return 1;
	}
	if (!o.check) {
		a.net = net_new(a.loop, &url, a.secret.ca_file, &nh, &a, err,
		    sizeof(err));
		if (a.net == NULL) {
			fprintf(stderr, "klopf-video: %s\n", err);
			media_free(a.media);
			secret_wipe(&a.secret);
			return 1;
		}
		net_connect(a.net);
	}
	/* Only now: until the loop runs, SIGTERM and SIGINT keep their
	 * default action, so a window stuck in its setup still ends when
	 * the console stops it. */
	g_unix_signal_add(SIGINT, on_signal, &a);
	g_unix_signal_add(SIGTERM, on_signal, &a);
	g_main_loop_run(a.loop);
	if (a.bye_timer != 0)
		g_source_remove(a.bye_timer);
	media_free(a.media);
	net_free(a.net);
	secret_wipe(&a.secret);
	g_main_loop_unref(a.loop);
	return a.exit_code;
}
