/*
 * media: see media.h.
 *
 * A leg is one PeerConnection of one member: publish (the member sends,
 * klopfd receives) or subscribe (klopfd sends). Its peer's callbacks get
 * the leg; the leg knows its room and member index, so a packet costs
 * one pointer chase to the room and a walk over at most
 * ROOM_MAX_MEMBERS members. Removals (failed transport, silence) happen
 * in the periodic tick (media_tick.c), never inside a peer callback, so no
 * callback ever runs on a leg that is being freed.
 */
#include "media.h"
#include "media_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dtls.h"
#include "ioloop.h"
#include "log.h"
#include "metrics.h"
#include "peer.h"
#include "proto.h"
#include "rtcp.h"
#include "rtp.h"
#include "rtp_stats.h"
#include "sdp.h"
#include "srtp.h"

#define SDP_OUT_MAX PROTO_SDP_MAX
#define ARRIVAL_SAMPLE 64
/* Once media is ready, the media loop handles it (and waits for more) for
 * this long before the lobby's sources get their turn: GLib's poll of the
 * ~2 WebSockets per participant then runs 500 times a second at most,
 * not on every wakeup (doc/media.md). */
#define LINGER_US 2000


/* --- helpers --- */

static void
set_err(struct media_err *e, const char *code, const char *fmt,
    const char *arg)
{
	e->code = code;
	snprintf(e->message, sizeof(e->message), fmt, arg ? arg : "");
}

static uint32_t
random_ssrc(void)
{
	uint32_t v;

	do
		v = g_random_int();
	while (v == 0);
	return v;
}

static struct mroom *
room_get(struct media *m, uint64_t id)
{
	return g_hash_table_lookup(m->rooms, &id);
}

/* --- legs --- */

static void leg_rtp(void *ud, uint8_t *buf, size_t len);
static void leg_rtcp(void *ud, uint8_t *buf, size_t len);
static void leg_state(void *ud, enum peer_state s);

static void
leg_free(struct mleg *l)
{
	if (l == NULL)
		return;
	peer_free(l->peer);
	g_free(l);
}

static struct mleg *
leg_new(struct mroom *mr, int member, bool publish, struct media_err *e)
{
	struct media *m = mr->m;
	const struct config_media *cm = &m->cfg->media;
	struct peer_options o;
	struct peer_callbacks cb = { leg_state, leg_rtp, leg_rtcp };
	struct ice_candidate cands[SDP_MAX_CAND];
	struct mleg *l = g_new0(struct mleg, 1);
	char err[256];
	int n;

	memset(&o, 0, sizeof(o));
	for (int i = 0; i < cm->naddresses && i < ICE_MAX_ADDRESSES; i++)
		o.ice.addresses[o.ice.naddresses++] = cm->addresses[i];
	o.ice.port_min = (unsigned)cm->port_min;
	o.ice.port_max = (unsigned)cm->port_max;
	o.ice.tcp = cm->ice_tcp;
	o.ice.lite = true;
	o.ice.loop = m->loop;
	o.role = DTLS_ROLE_SERVER;
	l->room = mr;
	l->member = member;
	l->publish = publish;
	l->own_ssrc = random_ssrc();
	l->peer = peer_new(m->ctx, m->id, &o, &cb, l, err, sizeof(err));
	if (l->peer == NULL) {
		log_warning("media: room %" PRIu64 ": no transport: %s",
		    mr->id, err);
		set_err(e, "media_unavailable", "%s", "The server has no "
		    "media port free right now. Please try again shortly.");
		g_free(l);
		return NULL;
	}
	m->legs_made++;
	l->local.session_id = ((uint64_t)g_random_int() << 31) ^
	    g_random_int();
	l->local.session_version = 0;
	g_strlcpy(l->local.ice_ufrag, peer_local_ufrag(l->peer),
	    sizeof(l->local.ice_ufrag));
	g_strlcpy(l->local.ice_pwd, peer_local_pwd(l->peer),
	    sizeof(l->local.ice_pwd));
	memcpy(l->local.fingerprint, dtls_identity_fingerprint(m->id),
	    SDP_SHA256_LEN);
	n = peer_local_candidates(l->peer, cands, SDP_MAX_CAND);
	for (int i = 0; i < n; i++) {
		struct sdp_candidate *c = &l->local.cands[i];

		memset(c, 0, sizeof(*c));
		g_strlcpy(c->foundation, cands[i].foundation,
		    sizeof(c->foundation));
		c->component = 1;
		c->transport = cands[i].tcp ? SDP_TRANSPORT_TCP :
		    SDP_TRANSPORT_UDP;
		c->priority = cands[i].priority;
		g_strlcpy(c->addr, cands[i].addr, sizeof(c->addr));
		c->port = (uint16_t)cands[i].port;
		c->type = SDP_CAND_HOST;
		c->tcptype = cands[i].tcp ? SDP_TCPTYPE_PASSIVE :
		    SDP_TCPTYPE_NONE;
	}
	l->local.ncands = (size_t)n;
	return l;
}

/* The first accepted section's transport, or the session's. */
static const struct sdp_media *
first_transport(const struct sdp *s)
{
	for (size_t i = 0; i < s->nmedia; i++)
		if (s->media[i].port != 0 && s->media[i].ice_ufrag[0])
			return &s->media[i];
	return NULL;
}

static int
set_remote(struct mleg *l, const struct sdp *s, struct media_err *e)
{
	const struct sdp_media *t = first_transport(s);

	if (t == NULL || t->fp.hash != SDP_HASH_SHA256 ||
	    t->fp.len != DTLS_FINGERPRINT_LEN) {
		set_err(e, "bad_sdp", "%s", "The description has no ICE "
		    "credentials or no SHA-256 fingerprint.");
		return -1;
	}
	if (peer_set_remote(l->peer, t->ice_ufrag, t->ice_pwd,
	    t->fp.digest) != 0) {
		set_err(e, "bad_sdp", "%s", "The ICE credentials are not "
		    "acceptable.");
		return -1;
	}
	for (size_t i = 0; i < s->nmedia; i++)
		for (size_t k = 0; k < s->media[i].ncands; k++) {
			char line[300];
			const struct sdp_candidate *c = &s->media[i].cands[k];

			/* only what klopfd can use: an ICE-lite agent learns
			 * the address from the checks anyway */
			snprintf(line, sizeof(line), "candidate:%s %u %s %u %s "
			    "%u typ host", c->foundation[0] ? c->foundation :
			    "1", c->component, c->transport ==
			    SDP_TRANSPORT_TCP ? "tcp" : "udp", c->priority,
			    c->addr, c->port);
			if (c->type == SDP_CAND_HOST &&
			    c->transport == SDP_TRANSPORT_UDP)
				(void)peer_add_remote_candidate(l->peer, line);
		}
	l->remote_set = true;
	return 0;
}

/* --- pushes --- */

static void
push_participants(struct mroom *mr)
{
	struct media *m = mr->m;

	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		const struct room_member *to = &mr->r.members[i];
		json_t *msg, *list;
		char you[16];

		if (!to->used)
			continue;
		list = json_array();
		for (int k = 0; k < ROOM_MAX_MEMBERS; k++) {
			const struct room_member *p = &mr->r.members[k];
			json_t *o;
			char pid[16];
			bool audio = false, video = false;

			if (!p->used)
				continue;
			for (int t = 0; t < 2 && p->publishing; t++) {
				audio |= p->tracks[t].used &&
				    p->tracks[t].kind == SDP_KIND_AUDIO;
				video |= p->tracks[t].used &&
				    p->tracks[t].kind == SDP_KIND_VIDEO;
			}
			snprintf(pid, sizeof(pid), "p%u", p->pid);
			o = json_pack("{s:s, s:s, s:b, s:b}", "pid", pid,
			    "role", room_role_name(p->role), "audio", audio,
			    "video", video);
			if (p->name[0])
				json_object_set_new(o, "name",
				    json_string(p->name));
			json_array_append_new(list, o);
		}
		snprintf(you, sizeof(you), "p%u", to->pid);
		msg = proto_new("participants", NULL);
		json_object_set_new(msg, "room", json_integer((json_int_t)mr->id));
		json_object_set_new(msg, "you", json_string(you));
		json_object_set_new(msg, "participants", list);
		m->hooks.push(m->ud, to->conn, msg);
	}
}

/* Sends a new subscribe offer to every member whose leg changed. */
static void
offer_all(struct mroom *mr)
{
	struct media *m = mr->m;

	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		struct mleg *l = mr->sub[i];
		struct sdp_error se;
		uint64_t version;
		json_t *msg;
		int n;

		if (l == NULL)
			continue;
		n = room_offer(&mr->r, i, m->tracks, ROOM_MAX_LINES, &version);
		if (n <= 0)
			continue;
		l->local.session_version = version;
		if (sdp_offer_subscribe(&l->local, m->tracks, (size_t)n, 0,
		    m->text, SDP_OUT_MAX + 1, &se) < 0) {
			log_error("media: room %" PRIu64 ": cannot write a "
			    "subscribe offer: %s", mr->id, se.msg);
			continue;
		}
		msg = proto_new("subscribe_offer", NULL);
		json_object_set_new(msg, "room", json_integer((json_int_t)mr->id));
		json_object_set_new(msg, "version", json_integer((json_int_t)version));
		json_object_set_new(msg, "sdp", json_string(m->text));
		m->hooks.push(m->ud, mr->r.members[i].conn, msg);
	}
}

/* --- rooms and members --- */

static struct mroom *
room_open(struct media *m, uint64_t id)
{
	struct mroom *mr = room_get(m, id);

	if (mr != NULL)
		return mr;
	mr = g_new0(struct mroom, 1);
	mr->id = id;
	mr->m = m;
	room_init(&mr->r, id);
	g_hash_table_insert(m->rooms, &mr->id, mr);
	return mr;
}

static void
room_drop(struct media *m, struct mroom *mr)
{
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		leg_free(mr->pub[i]);
		leg_free(mr->sub[i]);
	}
	g_hash_table_remove(m->rooms, &mr->id);
	g_free(mr);
}

/* The member idx leaves: its legs close, the others are re-offered. */
void
media_member_remove(struct mroom *mr, int idx)
{
	if (mr->pub[idx] != NULL)
		peer_close(mr->pub[idx]->peer);
	if (mr->sub[idx] != NULL)
		peer_close(mr->sub[idx]->peer);
	leg_free(mr->pub[idx]);
	leg_free(mr->sub[idx]);
	mr->pub[idx] = mr->sub[idx] = NULL;
	room_member_remove(&mr->r, idx);
	if (room_member_count(&mr->r) == 0) {
		room_drop(mr->m, mr);
		return;
	}
	offer_all(mr);
	push_participants(mr);
}

/* The member of w in room mr, added if new. */
static int
member_get(struct mroom *mr, const struct media_who *w, bool *added,
    struct media_err *e)
{
	int idx = room_member_find(&mr->r, w->conn);

	*added = false;
	if (idx >= 0)
		return idx;
	idx = room_member_add(&mr->r, w->role, w->name, w->conn);
	if (idx < 0) {
		set_err(e, "media_unavailable", "%s", room_err_text(idx));
		return -1;
	}
	if (w->bitrate_kbps > 0)
		mr->cap_kbps = w->bitrate_kbps;
	*added = true;
	return idx;
}

/* --- requests --- */

int
media_publish(struct media *m, uint64_t room, const struct media_who *w,
    const char *sdp, char **answer, struct media_err *e)
{
	struct mroom *mr = room_open(m, room);
	struct sdp_error se;
	struct mleg *l;
	bool added;
	int idx, rc, len;

	*answer = NULL;
	idx = member_get(mr, w, &added, e);
	if (idx < 0)
		goto fail_room;
	if (sdp_parse(sdp, strlen(sdp), m->sdp_a, &se) != 0) {
		set_err(e, "bad_sdp", "%s", se.msg);
		goto fail;
	}
	if ((l = leg_new(mr, idx, true, e)) == NULL)
		goto fail;
	/* the office's cap in the answer too: webrtcbin ignores REMB */
	l->local.video_kbps = (uint32_t)(mr->cap_kbps > 0 ? mr->cap_kbps :
	    m->cfg->media.bitrate_kbps);
	len = sdp_answer_publish(m->sdp_a, &l->local, SDP_ANSWER_NO_TWCC,
	    m->text, SDP_OUT_MAX + 1, &se);
	if (len < 0) {
		set_err(e, "bad_sdp", "%s", se.msg);
		leg_free(l);
		goto fail;
	}
	if (sdp_parse(m->text, (size_t)len, m->sdp_b, &se) != 0) {
		log_error("media: klopfd's own answer does not parse: %s",
		    se.msg);
		set_err(e, "media_unavailable", "%s", "The server could not "
		    "answer this offer.");
		leg_free(l);
		goto fail;
	}
	if ((rc = room_publish(&mr->r, idx, m->sdp_a, m->sdp_b)) != ROOM_OK) {
		set_err(e, rc == ROOM_NO_TRACK ? "media_unavailable" :
		    "bad_sdp", "%s", room_err_text(rc));
		leg_free(l);
		goto fail;
	}
	if (set_remote(l, m->sdp_a, e) != 0) {
		/* the tracks are published but nothing can arrive: drop */
		leg_free(l);
		media_member_remove(mr, idx);
		return -1;
	}
	leg_free(mr->pub[idx]);
	mr->pub[idx] = l;
	*answer = g_strdup(m->text);
	offer_all(mr);
	push_participants(mr);
	return 0;
fail:
	if (added)
		room_member_remove(&mr->r, idx);
fail_room:
	if (room_member_count(&mr->r) == 0)
		room_drop(m, mr);
	return -1;
}

int
media_subscribe(struct media *m, uint64_t room, const struct media_who *w,
    struct media_err *e)
{
	struct mroom *mr = room_open(m, room);
	bool added;
	int idx = member_get(mr, w, &added, e);

	if (idx < 0) {
		if (room_member_count(&mr->r) == 0)
			room_drop(m, mr);
		return -1;
	}
	if (mr->sub[idx] == NULL) {
		mr->sub[idx] = leg_new(mr, idx, false, e);
		if (mr->sub[idx] == NULL) {
			if (added)
				room_member_remove(&mr->r, idx);
			if (room_member_count(&mr->r) == 0)
				room_drop(m, mr);
			return -1;
		}
	}
	(void)room_subscribe(&mr->r, idx);
	offer_all(mr);
	if (added)
		push_participants(mr);
	return 0;
}

/* Asks the publisher of every video track subscriber idx receives for a
 * keyframe (rate-limited per publisher). */
static void
request_keyframes(struct mroom *mr, int idx)
{
	const struct room_member *s = &mr->r.members[idx];
	struct media *m = mr->m;
	int64_t now_ms = g_get_monotonic_time() / 1000;

	for (size_t k = 0; k < s->nlines; k++) {
		const struct room_line *ln = &s->lines[k];
		const struct room_track *t;
		struct mleg *pl;
		int len;

		if (!ln->active)
			continue;
		t = &mr->r.members[ln->pub].tracks[ln->track];
		pl = mr->pub[ln->pub];
		if (t->kind != SDP_KIND_VIDEO || pl == NULL)
			continue;
		if (!room_pli_allow(&mr->r, ln->pub, ln->track, now_ms)) {
			m->pli_limited++;
			continue;
		}
		len = rtcp_build_pli(m->buf, sizeof(m->buf), pl->own_ssrc,
		    t->ssrc);
		if (len > 0 && peer_send_rtcp(pl->peer, m->buf, (size_t)len,
		    sizeof(m->buf)) == 0)
			m->pli_fwd++;
	}
}

int
media_subscribe_answer(struct media *m, uint64_t room, uint64_t conn,
    uint64_t version, const char *sdp, struct media_err *e)
{
	struct mroom *mr = room_get(m, room);
	struct sdp_error se;
	int idx = mr ? room_member_find(&mr->r, conn) : -1;
	struct mleg *l = idx >= 0 ? mr->sub[idx] : NULL;

	if (l == NULL) {
		set_err(e, "not_subscribed", "%s", "Send subscribe first.");
		return -1;
	}
	if (sdp_parse(sdp, strlen(sdp), m->sdp_a, &se) != 0) {
		set_err(e, "bad_sdp", "%s", se.msg);
		return -1;
	}
	if (!room_answered(&mr->r, idx, version))
		return 0;       /* an answer to an older offer */
	if (!l->remote_set && set_remote(l, m->sdp_a, e) != 0)
		return -1;
	if (peer_get_state(l->peer) == PEER_CONNECTED)
		request_keyframes(mr, idx);
	return 0;
}

int
media_candidate(struct media *m, uint64_t room, uint64_t conn,
    bool publish_leg, const char *candidate, struct media_err *e)
{
	struct mroom *mr = room_get(m, room);
	int idx = mr ? room_member_find(&mr->r, conn) : -1;
	struct mleg *l = idx < 0 ? NULL : publish_leg ? mr->pub[idx] :
	    mr->sub[idx];

	if (l == NULL) {
		set_err(e, "not_connected", "%s", "There is no such media "
		    "connection yet.");
		return -1;
	}
	if (candidate != NULL && candidate[0] != '\0')
		(void)peer_add_remote_candidate(l->peer, candidate);
	return 0;
}

void
media_leave(struct media *m, uint64_t room, uint64_t conn)
{
	struct mroom *mr = room_get(m, room);
	int idx = mr ? room_member_find(&mr->r, conn) : -1;

	if (idx >= 0)
		media_member_remove(mr, idx);
}

void
media_conn_gone(struct media *m, uint64_t conn)
{
	GHashTableIter it;
	gpointer v;
	GPtrArray *hit = g_ptr_array_new();

	/* a connection is in at most a few rooms; collect first, since a
	 * removal may free the room */
	g_hash_table_iter_init(&it, m->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (room_member_find(&((struct mroom *)v)->r, conn) >= 0)
			g_ptr_array_add(hit, v);
	for (guint i = 0; i < hit->len; i++) {
		struct mroom *mr = g_ptr_array_index(hit, i);

		media_member_remove(mr, room_member_find(&mr->r, conn));
	}
	g_ptr_array_free(hit, TRUE);
}

void
media_room_closed(struct media *m, uint64_t room)
{
	struct mroom *mr = room_get(m, room);

	if (mr == NULL)
		return;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		if (mr->pub[i] != NULL)
			peer_close(mr->pub[i]->peer);
		if (mr->sub[i] != NULL)
			peer_close(mr->sub[i]->peer);
	}
	room_drop(m, mr);
}

/* --- the packet path --- */

static void
leg_state(void *ud, enum peer_state s)
{
	struct mleg *l = ud;

	if (s == PEER_FAILED) {
		l->failed = true;       /* removed by the next tick */
		return;
	}
	if (s == PEER_CONNECTED && !l->publish &&
	    l->room->r.members[l->member].answered > 0)
		request_keyframes(l->room, l->member);
}

static void
leg_rtp(void *ud, uint8_t *buf, size_t len)
{
	struct mleg *l = ud;
	struct mroom *mr = l->room;
	struct media *m = mr->m;
	int64_t t0 = g_get_monotonic_time(), arrived = 0;
	struct rtp_packet p;
	struct rtp_ext_ids none;
	int targets[ROOM_MAX_MEMBERS];
	size_t n;
	bool rtx;
	int track;

	m->rtp_in++;
	/* one packet in ARRIVAL_SAMPLE: when it reached the socket (a
	 * system call, so not for every packet) */
	if (m->rtp_in % ARRIVAL_SAMPLE == 0 &&
	    peer_arrival_us(l->peer, &arrived) != 0)
		arrived = 0;
	if (!l->publish || rtp_parse(buf, len, &p) != 0 ||
	    (track = room_track_of(&mr->r, l->member, p.ssrc, &rtx)) < 0) {
		m->rtp_dropped++;
		return;
	}
	if (!rtx) {
		struct room_track *t = &mr->r.members[l->member].tracks[track];

		if (!l->stats_on[track]) {
			rtp_stats_init(&l->stats[track], p.ssrc);
			l->stats_on[track] = true;
		}
		(void)rtp_stats_update(&l->stats[track], p.seq, p.ts,
		    (uint32_t)((uint64_t)t0 * t->codec.clock / G_USEC_PER_SEC));
	}
	if (p.ext_form != RTP_EXT_NONE) {
		rtp_ext_ids_clear(&none);
		(void)rtp_ext_strip(buf, &p, &none);
	}
	n = room_targets(&mr->r, l->member, track, targets);
	for (size_t i = 0; i < n; i++) {
		struct mleg *s = mr->sub[targets[i]];

		if (s == NULL || peer_get_state(s->peer) != PEER_CONNECTED)
			continue;
		memcpy(m->buf, buf, len);
		if (peer_send_rtp(s->peer, m->buf, len, sizeof(m->buf)) == 0) {
			m->rtp_fwd++;
			metrics_histogram_observe(&m->delay,
			    (uint64_t)(g_get_monotonic_time() - t0));
			if (arrived > 0) {
				int64_t d = g_get_real_time() - arrived;

				metrics_histogram_observe(&m->arrival,
				    d > 0 ? (uint64_t)d : 0);
				arrived = 0;
			}
		}
	}
}

/* RTCP from a publisher: sender reports go on to its subscribers (lip
 * sync and RTT need them); the rest is for klopfd. */
static void
publisher_rtcp(struct mleg *l, uint8_t *buf, size_t len)
{
	struct mroom *mr = l->room;
	struct media *m = mr->m;
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int targets[ROOM_MAX_MEMBERS];
	size_t n = 0;
	bool rtx;
	int track = -1;

	rtcp_iter_init(&it, buf, len);
	while (rtcp_next(&it, &p) == 1)
		if (p.kind == RTCP_KIND_SR) {
			struct rtcp_sender_info si;
			uint32_t ssrc = rtcp_sender_ssrc(&p);

			track = room_track_of(&mr->r, l->member, ssrc, &rtx);
			if (track >= 0 && !rtx && l->stats_on[track] &&
			    rtcp_sr_info(&p, &si) == 0)
				rtp_stats_on_sr(&l->stats[track], si.ntp,
				    (uint64_t)g_get_monotonic_time());
			break;
		}
	if (track < 0)
		return;
	n = room_targets(&mr->r, l->member, track, targets);
	for (size_t i = 0; i < n; i++) {
		struct mleg *s = mr->sub[targets[i]];

		if (s == NULL || peer_get_state(s->peer) != PEER_CONNECTED)
			continue;
		memcpy(m->buf, buf, len);
		if (peer_send_rtcp(s->peer, m->buf, len, sizeof(m->buf)) == 0)
			m->rtcp_fwd++;
	}
}

/* RTCP from a subscriber: keyframe requests and NACKs go to the
 * publisher of the SSRC they name; REMB is remembered for the cap. */
static void
subscriber_rtcp(struct mleg *l, uint8_t *buf, size_t len)
{
	struct mroom *mr = l->room;
	struct media *m = mr->m;
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int64_t now = g_get_monotonic_time();

	rtcp_iter_init(&it, buf, len);
	while (rtcp_next(&it, &p) == 1) {
		int pub, track, n;
		struct mleg *pl;
		struct rtcp_remb rb;

		switch (p.kind) {
		case RTCP_KIND_PLI:
		case RTCP_KIND_FIR:
			pub = room_feedback_target(&mr->r, l->member,
			    rtcp_fb_media_ssrc(&p), &track);
			if (p.kind == RTCP_KIND_FIR) {
				struct rtcp_fir_entry fe;

				if (rtcp_fir_entry(&p, 0, &fe) != 0)
					break;
				pub = room_feedback_target(&mr->r, l->member,
				    fe.ssrc, &track);
			}
			if (pub < 0 || (pl = mr->pub[pub]) == NULL)
				break;
			if (!room_pli_allow(&mr->r, pub, track, now / 1000)) {
				m->pli_limited++;
				break;
			}
			n = rtcp_build_pli(m->buf, sizeof(m->buf), pl->own_ssrc,
			    mr->r.members[pub].tracks[track].ssrc);
			if (n > 0 && peer_send_rtcp(pl->peer, m->buf, (size_t)n,
			    sizeof(m->buf)) == 0)
				m->pli_fwd++;
			break;
		case RTCP_KIND_NACK:
			pub = room_feedback_target(&mr->r, l->member,
			    rtcp_fb_media_ssrc(&p), &track);
			if (pub < 0 || (pl = mr->pub[pub]) == NULL ||
			    p.len > sizeof(m->buf) - KSRTP_RTCP_OVERHEAD_MAX)
				break;
			/* the numbers are the publisher's own: only the
			 * sender changes to klopfd's SSRC on that leg */
			memcpy(m->buf, p.data, p.len);
			{
				struct rtcp_pkt q = p;

				q.data = m->buf;
				q.off = 0;
				(void)rtcp_set_sender_ssrc(m->buf, &q,
				    pl->own_ssrc);
			}
			if (peer_send_rtcp(pl->peer, m->buf, p.len,
			    sizeof(m->buf)) == 0)
				m->nack_fwd++;
			break;
		case RTCP_KIND_REMB:
			rtcp_remb_get(&p, &rb);
			l->remb_bps = rb.bitrate;
			l->remb_at_us = now;
			break;
		default:
			break;
		}
	}
}

static void
leg_rtcp(void *ud, uint8_t *buf, size_t len)
{
	struct mleg *l = ud;

	l->room->m->rtcp_in++;
	if (rtcp_validate(buf, len) != 0)
		return;
	if (l->publish)
		publisher_rtcp(l, buf, len);
	else
		subscriber_rtcp(l, buf, len);
}

/* --- life cycle --- */

struct media *
media_new(const struct config *cfg, GMainContext *ctx,
    const struct media_hooks *hooks, void *ud, char *err, size_t errlen)
{
	struct media *m = g_new0(struct media, 1);
	GSource *src;

	m->cfg = cfg;
	m->ctx = ctx;
	m->hooks = *hooks;
	m->ud = ud;
	if (cfg->media.certificate != NULL)
		m->id = dtls_identity_load(cfg->media.certificate,
		    cfg->media.key);
	else
		m->id = dtls_identity_generate();
	if (m->id == NULL) {
		snprintf(err, errlen, cfg->media.certificate != NULL ?
		    "could not load the DTLS certificate %s (see the log)" :
		    "could not make a DTLS certificate%s",
		    cfg->media.certificate ? cfg->media.certificate : "");
		g_free(m);
		return NULL;
	}
	m->rooms = g_hash_table_new(g_int64_hash, g_int64_equal);
	/* without epoll the legs' sockets go on ctx itself (slower) */
	m->loop = ioloop_new(ctx);
	if (m->loop != NULL) {
		ioloop_set_linger(m->loop, LINGER_US);
		log_info("media: connected sockets are read and written "
		    "through %s", ioloop_io_uring(m->loop) ? "io_uring" :
		    "epoll");
	} else
		log_warning("media: no epoll set (%s): every main loop "
		    "iteration will look at every connection",
		    g_strerror(errno));
	metrics_histogram_init(&m->delay, METRICS_DELAY_BOUNDS_US,
	    METRICS_DELAY_NBOUNDS);
	metrics_histogram_init(&m->arrival, METRICS_QUEUE_BOUNDS_US,
	    METRICS_QUEUE_NBOUNDS);
	m->sdp_a = g_malloc0(sizeof(struct sdp));
	m->sdp_b = g_malloc0(sizeof(struct sdp));
	m->text = g_malloc0(SDP_OUT_MAX + 1);
	src = g_timeout_source_new(1000 / TICK_PHASES);
	g_source_set_callback(src, media_tick, m, NULL);
	m->timer = g_source_attach(src, ctx);
	g_source_unref(src);
	return m;
}

void
media_free(struct media *m)
{
	GHashTableIter it;
	gpointer v;

	if (m == NULL)
		return;
	if (m->timer) {
		GSource *src = g_main_context_find_source_by_id(m->ctx,
		    m->timer);

		if (src != NULL)
			g_source_destroy(src);
	}
	g_hash_table_iter_init(&it, m->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct mroom *mr = v;

		for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
			leg_free(mr->pub[i]);
			leg_free(mr->sub[i]);
		}
		g_free(mr);
	}
	g_hash_table_destroy(m->rooms);
	ioloop_free(m->loop);           /* after the last leg */
	dtls_identity_free(m->id);
	g_free(m->sdp_a);
	g_free(m->sdp_b);
	g_free(m->text);
	g_free(m);
}
