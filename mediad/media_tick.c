/*
 * media_tick: the periodic work of the media rooms, a tenth of them every
 * 100 ms so that each room is looked at once a second: receiver reports
 * and REMB to each publisher, and the removal of participants whose
 * connection failed or fell silent. Removals happen here, never inside a
 * peer callback (media.c).
 */
#include <inttypes.h>

#include "log.h"
#include "media_int.h"
#include "rtcp.h"

#define REMB_MAX_AGE_US (5 * G_USEC_PER_SEC)

static void
report(struct mroom *mr, int idx)
{
	struct media *m = mr->m;
	struct mleg *l = mr->pub[idx];
	const struct room_member *me = &mr->r.members[idx];
	struct rtcp_report_block rb[2];
	uint32_t video[1];
	size_t nrb = 0, nvideo = 0;
	uint64_t cap, bps;
	int64_t now = g_get_monotonic_time();
	int len, len2;

	if (l == NULL || peer_get_state(l->peer) != PEER_CONNECTED)
		return;
	for (int t = 0; t < 2; t++) {
		if (!me->tracks[t].used)
			continue;
		if (l->stats_on[t])
			rtp_stats_report(&l->stats[t], (uint64_t)now, &rb[nrb++]);
		if (me->tracks[t].kind == SDP_KIND_VIDEO && nvideo == 0)
			video[nvideo++] = me->tracks[t].ssrc;
	}
	len = rtcp_build_rr(m->buf, sizeof(m->buf), l->own_ssrc, rb, nrb);
	if (len < 0)
		return;
	if (nvideo > 0) {
		/* the cap, lowered to the smallest recent estimate of a
		 * subscriber of this video */
		int targets[ROOM_MAX_MEMBERS];
		size_t n;
		bool rtx;
		int vt = room_track_of(&mr->r, idx, video[0], &rtx);

		cap = (uint64_t)(mr->cap_kbps > 0 ? mr->cap_kbps :
		    m->cfg->media.bitrate_kbps) * 1000;
		bps = cap;
		n = vt < 0 ? 0 : room_targets(&mr->r, idx, vt, targets);
		for (size_t i = 0; i < n; i++) {
			struct mleg *s = mr->sub[targets[i]];

			if (s != NULL && s->remb_bps > 0 &&
			    now - s->remb_at_us < REMB_MAX_AGE_US &&
			    s->remb_bps < bps)
				bps = s->remb_bps;
		}
		len2 = rtcp_build_remb(m->buf + len, sizeof(m->buf) -
		    (size_t)len - KSRTP_RTCP_OVERHEAD_MAX, l->own_ssrc, bps,
		    video, nvideo);
		if (len2 > 0) {
			len += len2;
			m->remb_sent++;
		}
	}
	if (peer_send_rtcp(l->peer, m->buf, (size_t)len, sizeof(m->buf)) == 0)
		m->rr_sent++;
}

static bool
leg_dead(const struct mleg *l, int64_t now, bool *idle)
{
	if (l == NULL)
		return false;
	if (l->failed || peer_get_state(l->peer) == PEER_FAILED ||
	    peer_get_state(l->peer) == PEER_CLOSED)
		return true;
	/* A leg without an answer yet has nothing to hear from: a member
	 * alone in the room gets no subscribe offer until someone else
	 * publishes. Its WebSocket still ties it to the room. */
	if (l->remote_set &&
	    peer_idle_us(l->peer, now) > MEDIA_IDLE_S * G_USEC_PER_SEC) {
		*idle = true;
		return true;
	}
	return false;
}

gboolean
media_tick(gpointer ud)
{
	struct media *m = ud;
	GHashTableIter it;
	gpointer v;
	GPtrArray *rooms = g_ptr_array_new();
	int64_t now = g_get_monotonic_time();

	/* each room once a second, a tenth of them per tick: all reports
	 * at once held up the media for 7 ms at 200 rooms */
	m->phase = (m->phase + 1) % TICK_PHASES;
	g_hash_table_iter_init(&it, m->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct mroom *)v)->id % TICK_PHASES == m->phase)
			g_ptr_array_add(rooms, v);
	for (guint k = 0; k < rooms->len; k++) {
		struct mroom *mr = g_ptr_array_index(rooms, k);
		bool dropped = false;

		for (int i = 0; i < ROOM_MAX_MEMBERS && !dropped; i++) {
			bool idle = false;

			if (!mr->r.members[i].used)
				continue;
			if (leg_dead(mr->pub[i], now, &idle) ||
			    leg_dead(mr->sub[i], now, &idle)) {
				if (idle)
					m->removed_idle++;
				else
					m->removed_failed++;
				log_info("media: room %" PRIu64 ": participant "
				    "p%u removed (%s)", mr->id,
				    mr->r.members[i].pid, idle ? "silent for "
				    "10 s" : "connection failed");
				dropped = room_member_count(&mr->r) == 1;
				media_member_remove(mr, i);
				continue;
			}
			report(mr, i);
		}
	}
	g_ptr_array_free(rooms, TRUE);
	return G_SOURCE_CONTINUE;
}
