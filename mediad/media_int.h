/*
 * media_int.h: what media.c shares with media_tick.c (the per-room work
 * of the periodic tick: reports, REMB, liveness) and media_metrics.c
 * (/metrics). Not for other modules: they use media.h.
 */
#ifndef KLOPF_MEDIA_INT_H
#define KLOPF_MEDIA_INT_H
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "media.h"
#include "metrics.h"
#include "peer.h"
#include "room.h"
#include "rtp_stats.h"
#include "sdp.h"
#include "srtp.h"

#define SEND_CAP (PEER_MAX_DATAGRAM + KSRTP_RTCP_OVERHEAD_MAX)
#define TICK_PHASES 10          /* the 1 s tick in tenths */

struct dtls_identity;
struct ioloop;
struct mroom;

struct mleg {
	struct mroom *room;
	int member;
	bool publish;
	struct peer *peer;
	struct sdp_local local;
	bool remote_set;
	bool failed;
	uint32_t own_ssrc;              /* klopfd's SSRC in its RTCP */
	/* publish leg: reception statistics per track */
	struct rtp_stats stats[2];
	bool stats_on[2];
	/* subscribe leg: the newest REMB the subscriber sent */
	uint64_t remb_bps;
	int64_t remb_at_us;
};

struct mroom {
	uint64_t id;
	struct media *m;
	struct room_state r;
	struct mleg *pub[ROOM_MAX_MEMBERS];
	struct mleg *sub[ROOM_MAX_MEMBERS];
	int cap_kbps;
};

struct media {
	const struct config *cfg;
	GMainContext *ctx;
	struct media_hooks hooks;
	void *ud;
	struct dtls_identity *id;
	GHashTable *rooms;              /* &id -> mroom */
	guint timer;
	unsigned phase;         /* of the tick: which rooms are looked at */
	/* scratch, never on the stack: a struct sdp is ~300 KiB */
	struct sdp *sdp_a, *sdp_b;
	struct sdp_track tracks[ROOM_MAX_LINES];
	char *text;                     /* SDP_OUT_MAX + 1 */
	uint8_t buf[SEND_CAP];
	/* counters */
	uint64_t rtp_in, rtp_fwd, rtp_dropped, rtcp_in, rtcp_fwd;
	uint64_t pli_fwd, pli_limited, nack_fwd, remb_sent, rr_sent;
	uint64_t removed_idle, removed_failed, legs_made;
	struct metrics_histogram delay;         /* receive -> send */
	struct metrics_histogram arrival;       /* socket -> send, sampled */
	struct ioloop *loop;                    /* the legs' sockets */
};

/* Removes member idx from the room with its legs, and tells the others
 * (media.c). */
void media_member_remove(struct mroom *mr, int idx);
/* Every 1000 / TICK_PHASES ms on the media's context: a tenth of the
 * rooms' reports, REMBs and liveness checks (media_tick.c). */
gboolean media_tick(gpointer ud);
#endif
