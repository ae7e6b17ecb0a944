/*
 * media_int: the state media.c (pipeline, window, keys, stats) and
 * rtc.c (the two webrtcbins, remote branches) share. Not for callers of
 * media.h.
 */
#ifndef KLOPF_VIDEO_MEDIA_INT_H
#define KLOPF_VIDEO_MEDIA_INT_H

#include <gst/gst.h>
#include <stdio.h>

#include "media.h"
#include "quality.h"
#include "xwin.h"

#define MEDIA_W 960             /* the window's picture */
#define MEDIA_H 540
#define MEDIA_PID 64
#define MEDIA_NAME 128

/* One other participant, by pid. Lives until media_free; the counters
 * are bumped by streaming threads (g_atomic_*). */
struct person {
	char pid[MEDIA_PID];
	char role[16];
	char name[MEDIA_NAME];
	bool present;
	gint video_frames;
	gint audio_buffers;
};

/* One received video stream in the compositor. */
struct tile {
	struct person *who;
	GstPad *mixpad;         /* owned reference */
	GstElement *label;      /* textoverlay, owned reference */
};

struct media {
	struct media_opts o;
	struct media_handlers h;
	void *ud;
	GstElement *pipe;
	GstElement *pub, *sub;  /* webrtcbins; NULL in check mode */
	GstElement *mix, *amix, *status, *mic, *camfx;
	GstPad *selfpad;        /* the own picture's compositor pad */
	guint bus_watch;
	guint tick;             /* status line and stats, once a second */
	guint publish_wait;     /* retry until the encoders have caps */
	gint64 started;         /* monotonic µs */
	FILE *stats;
	bool muted, cam_off, big;
	struct xwin_saved fullscreen;   /* f */
	int video_kbps;         /* what vp8enc aims at now: --bitrate, or less
	                         * if klopfd's answer says b=AS (the cap) */
	char you[MEDIA_PID];
	char level[64];         /* --check: the microphone's level */

	/* connection quality: webrtcbin's stats every second (rtc.c) */
	struct quality_sample q_prev;   /* main thread */
	enum quality quality;           /* main thread */
	double q_rtt_ms;                /* main thread; < 0 unknown */
	char q_text[64];                /* the status line's words for it */

	GMutex lock;            /* guards the three below and q_now */
	struct quality_sample q_now;    /* filled by the stats replies */
	GHashTable *mids;       /* mid -> pid (strings, owned) */
	GHashTable *people;     /* pid -> struct person (owned) */
	GPtrArray *tiles;       /* struct tile (owned) */
	guint layout_idle;

	/* subscribe offers, one at a time (main thread only) */
	bool sub_busy;
	int64_t next_version;
	char *next_sdp;
};

/* rtc.c */
int rtc_setup(struct media *m, char *err, size_t errlen);
/* Judges the last replies into m->quality, asks webrtcbin again. */
void rtc_quality(struct media *m, bool expecting);
void rtc_fini(struct media *m);
/* media.c */
struct person *media_person_get(struct media *m, const char *pid);
void media_layout_soon(struct media *m);
void media_label_text(const struct person *p, char *out, size_t outlen);
void media_video_cap(struct media *m, int kbps);

#endif
