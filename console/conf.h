/*
 * conf: the console's settings — ~/.config/klopf/klopf.conf (libconfig),
 * then the command line — and the server URL. The only place in the
 * console that touches libconfig. The config file holds no secrets: no
 * password, no session token.
 */
#ifndef KLOPF_CONSOLE_CONF_H
#define KLOPF_CONSOLE_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_STR 256
#define CONF_PATH 4096
#define CONF_VIDEO_ARGS 16      /* at most this many video_args */
#define CONF_ARG 512            /* each at most this long */

/* When the console opens the video window klopf-video. */
enum conf_video {
	CONF_VIDEO_AUTO = 0,    /* when the clerk admits someone, and on v */
	CONF_VIDEO_KEY,         /* only on v */
	CONF_VIDEO_OFF,         /* never */
};

struct con_conf {
	char server[CONF_STR];  /* "https://buergerbuero.example.de" */
	char user[65];
	bool bell;              /* ring at new knocks (default true) */
	char ca_file[CONF_PATH];        /* extra CA for wss://, "" = system */
	char web_address[CONF_STR];     /* where citizens open klopf, ending
	                                 * in "/"; "" = the server's */

	/* the video window (klopf-video) */
	enum conf_video video;
	char video_program[CONF_PATH];  /* "" = next to klopf, else PATH */
	char video_source[CONF_STR];    /* --video-source, "" = its default */
	char audio_source[CONF_STR];
	char video_sink[CONF_STR];
	char audio_sink[CONF_STR];
	char video_args[CONF_VIDEO_ARGS][CONF_ARG];     /* passed as they are */
	int nvideo_args;
};

struct con_url {
	bool tls;
	char host[CONF_STR];    /* name or address, IPv6 without brackets */
	int port;
	char path[CONF_STR];    /* of the WebSocket, ending in "/ws" */
};

/* Defaults: no server, no user, bell on, video "auto" with
 * klopf-video's own defaults. */
void conf_defaults(struct con_conf *c);
/*
 * Reads path into c (settings it does not name keep their values).
 * A missing file is fine unless must_exist. Returns 0, or -1 with
 * "FILE:LINE: what is wrong" in err.
 */
int conf_load(const char *path, bool must_exist, struct con_conf *c,
    char *err, size_t errlen);
/* $XDG_CONFIG_HOME/klopf/klopf.conf or ~/.config/klopf/klopf.conf into
 * out; returns -1 if neither HOME nor XDG_CONFIG_HOME is set. */
int conf_default_path(char *out, size_t outlen);
/*
 * Parses "https://host[:port][/prefix]" (also http, ws, wss). The
 * WebSocket path is the prefix plus "/ws" unless it already ends so.
 * Plain http and ws are refused unless the host is a loopback address
 * (127.0.0.0/8, ::1, localhost). Returns 0 or -1 with a sentence in err.
 */
int conf_parse_url(const char *url, struct con_url *u, char *err,
    size_t errlen);
bool conf_is_loopback(const char *host);
/* The web client's address on the server of u, where invitation links
 * point: "https://klopf.example.de/" (the WebSocket's path without its
 * "ws"). Returns -1 if it does not fit into out. */
int conf_web_address(const struct con_url *u, char *out, size_t len);
/*
 * The arguments for klopf-video from c's video settings, without the
 * program and --secret-fd: pointers into c (borrowed) in argv, at most
 * max; returns their number.
 */
int conf_video_argv(const struct con_conf *c, const char **argv, int max);

#endif
