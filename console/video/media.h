/*
 * media: klopf-video's GStreamer side. One pipeline holds the local
 * sources (camera and microphone, or test sources), the window (a
 * compositor grid of the other participants with labels, the own picture
 * small in a corner, a status line) and the audio mix to the default
 * output, plus two webrtcbins: "publish" (sendonly VP8 + Opus, offered by
 * us) and "subscribe" (klopfd offers the others' tracks, we answer).
 *
 * Knows nothing of WebSockets or JSON: it is handed SDP and participants
 * and hands back SDP through callbacks, always on the GLib main loop's
 * thread. Never logs names (they are personal data).
 */
#ifndef KLOPF_VIDEO_MEDIA_H
#define KLOPF_VIDEO_MEDIA_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_MAX_ADDRS 8

struct media_opts {
	const char *video_source;       /* "auto", "test", or a device */
	const char *audio_source;       /* "auto", "test", or a device */
	const char *video_sink;         /* an element factory name */
	const char *audio_sink;         /* an element factory name */
	const char *ice_addrs[MEDIA_MAX_ADDRS]; /* to add to the ICE agents */
	size_t n_ice_addrs;
	const char *stats_path;         /* JSON lines, or NULL */
	const char *title;              /* window title and status line */
	int bitrate_kbps;               /* VP8 target */
	int64_t since;                  /* unix µs the consultation opened,
					 * 0 = when the window started */
	bool check;                     /* local preview only, no webrtc */
};

struct media_handlers {
	/* The publish offer is ready; send it to klopfd. NULL: there is
	 * nothing to publish (no camera, no microphone). */
	void (*offer)(void *ud, const char *sdp);
	/* The answer to the subscribe offer of this version is ready. */
	void (*answer)(void *ud, int64_t version, const char *sdp);
	/* The clerk pressed q or closed the window. */
	void (*quit)(void *ud);
	/* Something broke for good; a sentence. */
	void (*failed)(void *ud, const char *why);
};

struct media_person {
	const char *pid;
	const char *role;       /* clerk | citizen | guest */
	const char *name;       /* may be NULL */
};

struct media;

/* Builds the pipeline and starts it (the local picture shows at once).
 * Returns NULL with a sentence in err. */
struct media *media_new(const struct media_opts *o,
    const struct media_handlers *h, void *ud, char *err, size_t errlen);
void media_free(struct media *m);
/* Asks the publish webrtcbin for its offer (handlers.offer follows). */
void media_publish(struct media *m);
int media_publish_answer(struct media *m, const char *sdp, char *err,
    size_t errlen);
/* A subscribe offer from klopfd (handlers.answer follows). */
int media_subscribe_offer(struct media *m, int64_t version, const char *sdp,
    char *err, size_t errlen);
/* Who is in the room now; you is our own pid. Copies what it keeps. */
void media_participants(struct media *m, const struct media_person *p,
    size_t n, const char *you);
/* Keys of the window, also for tests: 'm', 'c', 'f', 'q'. */
void media_key(struct media *m, const char *key);

#endif
