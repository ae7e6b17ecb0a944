/*
 * media: klopfd's selective forwarding unit, the shell around room.c.
 *
 * Owns: one media room per consultation room that has media, two
 * PeerConnection transports (peer.c) per member (publish and
 * subscribe), the SDP of klopfd's side, forwarding RTP from each
 * publisher to the room's subscribers (extensions stripped, SSRCs and
 * numbers kept), RTCP: keyframe requests and NACKs from subscribers to
 * the right publisher (PLI at most once a second per publisher), sender
 * reports to subscribers, klopfd's own receiver reports and REMB (the
 * office's bitrate cap) to publishers once a second; liveness (a member
 * whose transport failed or who sent nothing for MEDIA_IDLE_S is
 * removed); counters for /metrics.
 *
 * Does not decide who may have media: session.c asks the lobby and
 * passes the role. Talks back only through the push hook (subscribe
 * offers and participant lists, as JSON messages of doc/media.md).
 *
 * Per packet: no allocation, no logging, a bounded walk over at most
 * ROOM_MAX_MEMBERS members of one room.
 */
#ifndef KLOPF_MEDIA_H
#define KLOPF_MEDIA_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "room.h"

#define MEDIA_IDLE_S 10

struct media;

struct media_hooks {
	/* Sends msg (a reference is stolen) to the connection conn. */
	void (*push)(void *ud, uint64_t conn, json_t *msg);
};

/* Who asks: the session's connection handle and the role it holds for
 * the room (session.c checked it). */
struct media_who {
	uint64_t conn;
	enum room_role role;
	const char *name;       /* NULL: none */
	int bitrate_kbps;       /* the office's cap (already defaulted) */
};

/* The error of a refused request: code as on the wire and a sentence. */
struct media_err {
	const char *code;       /* "bad_sdp", "media_unavailable", ... */
	char message[300];
};

/* Makes or loads the DTLS identity. NULL with a sentence in err. */
struct media *media_new(const struct config *cfg, GMainContext *ctx,
    const struct media_hooks *hooks, void *ud, char *err, size_t errlen);
void media_free(struct media *m);

/* Each returns 0, or -1 with *e filled. publish writes klopfd's answer
 * (g_free it) to *answer. */
int media_publish(struct media *m, uint64_t room, const struct media_who *w,
    const char *sdp, char **answer, struct media_err *e);
int media_subscribe(struct media *m, uint64_t room,
    const struct media_who *w, struct media_err *e);
int media_subscribe_answer(struct media *m, uint64_t room, uint64_t conn,
    uint64_t version, const char *sdp, struct media_err *e);
int media_candidate(struct media *m, uint64_t room, uint64_t conn,
    bool publish_leg, const char *candidate, struct media_err *e);
/* Hang-up: the member leaves the room's media. No-op if not a member. */
void media_leave(struct media *m, uint64_t room, uint64_t conn);
/* The connection is gone: it leaves every room's media. */
void media_conn_gone(struct media *m, uint64_t conn);
/* The consultation ended: every member is dropped, nobody is told (the
 * session tells them the room closed). */
void media_room_closed(struct media *m, uint64_t room);

/* A metrics writer (metrics.h): the counters as Prometheus text appended
 * to out; ud is the struct media. */
void media_metrics(void *ud, GString *out);

#endif
