/*
 * media_load: see media_load.h; this part sets up the rooms over the
 * signaling protocol, runs the phases and writes the result. Usage
 * (bench/media runs it):
 *
 *   media_load --port P --rooms N [--offices K] [--clerk-prefix mclerk]
 *       [--password PW] [--warmup S] [--window S] [--drain S]
 *       [--setup-timeout S] [--parallel K] [--klopfd-pid PID]
 *       [--metrics-port P] [--coalesce-us US] [--verbose]
 *       [--room-offset K] [--sync]
 *
 * Clerk i (mclerk0 ... mclerkN-1) serves office m<i % K> and has the
 * password PW; bench/media makes them with `klopfd user add`. Room i:
 * the clerk logs in, a citizen knocks at the clerk's office, the clerk
 * admits exactly that ticket; then both publish (an offer like
 * Chromium's) and subscribe (answering every subscribe_offer). Each
 * participant sends Opus (50 packets/s, 100 bytes) and VP8 (30 frames/s
 * of 3 packets, 1,200-byte RTP packets, a keyframe every 3 s and after a
 * PLI), with RTCP like a browser (SR and SDES on publish legs, RR and
 * REMB on subscribe legs, once a second). Every payload ends in a
 * 16-byte trailer: a magic, the
 * stream's packet counter and the send time, so the receiver counts
 * loss per stream and the end-to-end delay without any table.
 *
 * While the rooms are set up, each publish transport that is up sends
 * only 5 audio packets a second (enough for klopfd's liveness check and
 * ours), so that setting up the last rooms is not slowed by the media of
 * the first. When all 4N transports are up and every participant
 * receives the other's audio (or after the setup timeout), full media
 * starts everywhere at once: it warms up, then measures over the window,
 * counting only rooms that were complete (4 transports, both streams
 * both ways) when it began: klopfd's CPU (/proc/PID/stat), its /metrics
 * counters and forwarding
 * delay histogram, the packets each stream sent and what arrived, and
 * its own CPU. Then it drains: no more media is sent (RTCP goes on), and
 * the window's packets still queued are counted as they come, until none
 * is missing or none came for --drain seconds (drain_s in the result
 * says how long it took). The last line on stdout is
 *   RESULT key=value ...
 * Exit status 0 if the run completed (whatever the figures), 2 if it
 * could not run at all.
 *
 * Several load clients can share one run (bench/media starts one per 50
 * rooms): each takes the rooms --room-offset .. +N-1, and with --sync
 * prints "SIGNALED n" once its rooms are signaled (logins done) and
 * starts their transports on SIGUSR2, so that no transport is set up
 * while another client's clerks still cost klopfd a memory-hard hash
 * each; it prints "READY n" when set up and starts its warm-up on
 * SIGUSR1, so that all windows coincide; only the one given --klopfd-pid and
 * --metrics-port reads klopfd's figures. Why several: they spread over
 * the cores, and each main loop walks fewer sources per iteration. (They
 * were needed first because libsrtp2 on NSS got slower per packet the
 * more SRTP sessions a process held; srtp.c is on OpenSSL since.)
 *
 * --coalesce-us US wraps the main loop's poll: once something is ready
 * it waits US and polls again, so that one iteration (which walks all ~6N
 * sources) handles a batch of datagrams. Off by default: it saved CPU
 * only while the machine had CPU to spare, and it adds to the client's
 * end-to-end delay (never to klopfd's own).
 */
#include <getopt.h>
#include <glib-unix.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioloop.h"
#include "media_load.h"
#include "peer.h"

#define SDP_BUF 16384

enum phase {
	PH_SETUP = 0,
	PH_READY,               /* --sync: set up, waiting for SIGUSR1 */
	PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_DONE,
};

static struct {
	const char *addr;
	int port, nrooms, noffices;
	const char *prefix, *password;
	int warmup_s, window_s, drain_s, setup_timeout_s;
	int parallel, parallel_login;   /* rooms in flight per setup step */
	int klopfd_pid, metrics_port;
	int citizen_delay_s;            /* test: the citizen joins media late */
	int room_offset;                /* rooms (clerks) offset .. +nrooms-1 */
	bool sync;                      /* READY on stdout, then wait */
} opt = {
	.addr = "127.0.0.1", .nrooms = 10, .noffices = 10,
	.prefix = "mclerk", .password = "bench-Passwort-media",
	.warmup_s = 3, .window_s = 10, .drain_s = 1, .parallel = 10,
	.parallel_login = 8,
};

static GMainLoop *loop;
/* the transports' sockets, read in batches once connected, as klopfd does
 * (ioloop.h): the clients cost less, and klopfd gets more of the CPU */
static struct ioloop *iol;
static struct dtls_identity *ident;
static struct ml_room *rooms;
static struct sdp *scratch;
static char *text;
static enum phase phase;
static int64_t t_start_us, t_ready_us, phase_at;
/* the drain: see PH_DRAIN in on_tick */
#define DRAIN_MAX_S 20
static int64_t drain_progress_at;
static uint64_t drain_missing;
static double drain_took_s;
static bool go;                         /* SIGUSR1 came */
static bool media_go;                   /* SIGUSR2 came (or no --sync) */
static int nerrors;
static GPollFunc default_poll;
static int coalesce_us;            /* 0: the default poll */
static bool verbose;
static struct ml_snapshot snap0, snap1;

#define TRACE(r, ...) do { if (verbose) trace(r, __VA_ARGS__); } while (0)

static void __attribute__((format(printf, 2, 3)))
trace(const struct ml_room *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%8.3f room %d: ", (double)(g_get_monotonic_time() -
	    t_start_us) / 1e6, r->idx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- helpers ------------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
room_error(struct ml_room *r, const char *fmt, ...)
{
	va_list ap;

	r->failed = true;
	if (++nerrors > 20)
		return;
	fprintf(stderr, "media_load: room %d: ", r->idx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static struct ml_part *
other(struct ml_part *p)
{
	return p->clerk ? &p->room->citizen : &p->room->clerk;
}

static uint32_t
fresh_ssrc(void)
{
	static GHashTable *used;
	uint32_t v;

	if (used == NULL)
		used = g_hash_table_new(g_direct_hash, g_direct_equal);
	do
		v = g_random_int();
	while (v == 0 || g_hash_table_contains(used, GUINT_TO_POINTER(v)));
	g_hash_table_add(used, GUINT_TO_POINTER(v));
	return v;
}

static void
send_msg(struct ml_part *p, json_t *msg)
{
	if (ml_ws_send(p->ws, msg) != 0)
		room_error(p->room, "%s: cannot send %s", p->clerk ? "clerk" :
		    "citizen", json_string_value(json_object_get(msg, "type")));
	json_decref(msg);
}

/* --- transports ---------------------------------------------------------- */

static void
pub_state(void *ud, enum peer_state s)
{
	struct ml_part *p = ud;

	TRACE(p->room, "%s publish %s %s", p->clerk ? "clerk" : "citizen",
	    peer_state_name(s), dtls_srtp_profile_name(peer_srtp_profile(
	    p->pub)));
	if (s == PEER_CONNECTED)
		ml_rtp_start(p, g_get_monotonic_time());
	else if (s == PEER_FAILED)
		room_error(p->room, "%s publish: %s", p->clerk ? "clerk" :
		    "citizen", peer_failure_reason(p->pub));
}

static void
sub_state(void *ud, enum peer_state s)
{
	struct ml_part *p = ud;

	TRACE(p->room, "%s subscribe %s", p->clerk ? "clerk" : "citizen",
	    peer_state_name(s));
	if (s == PEER_FAILED)
		room_error(p->room, "%s subscribe: %s", p->clerk ? "clerk" :
		    "citizen", peer_failure_reason(p->sub));
}

static struct peer *
make_peer(struct ml_part *p, bool publish, char *cand, size_t candlen)
{
	static const struct peer_callbacks pub_cb = { pub_state,
	    ml_rtp_pub_rtp, ml_rtp_pub_rtcp };
	static const struct peer_callbacks sub_cb = { sub_state,
	    ml_rtp_sub_rtp, ml_rtp_sub_rtcp };
	struct peer_options o;
	struct ice_candidate c;
	struct peer *peer;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.ice.addresses[0] = "127.0.0.1";
	o.ice.naddresses = 1;
	o.ice.lite = false;
	o.ice.loop = iol;
	o.role = DTLS_ROLE_CLIENT;
	peer = peer_new(NULL, ident, &o, publish ? &pub_cb : &sub_cb, p, err,
	    sizeof(err));
	if (peer == NULL) {
		room_error(p->room, "peer_new: %s", err);
		return NULL;
	}
	cand[0] = '\0';
	if (peer_local_candidates(peer, &c, 1) == 1)
		(void)ice_candidate_sdp(&c, cand, candlen);
	return peer;
}

static int
add_candidate(void *ud, const char *line)
{
	return peer_add_remote_candidate(ud, line);
}

/* Hands the remote description's transport to peer. 0 or -1. */
static int
set_remote(struct ml_part *p, struct peer *peer, const struct sdp *s)
{
	for (size_t i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		if (m->port == 0 || m->ice_ufrag[0] == '\0')
			continue;
		if (m->fp.hash != SDP_HASH_SHA256 ||
		    m->fp.len != DTLS_FINGERPRINT_LEN ||
		    peer_set_remote(peer, m->ice_ufrag, m->ice_pwd,
		    m->fp.digest) != 0) {
			room_error(p->room, "unusable remote transport");
			return -1;
		}
		if (ml_sdp_each_candidate(s, add_candidate, peer) == 0) {
			room_error(p->room, "no usable candidate from klopfd");
			return -1;
		}
		return 0;
	}
	room_error(p->room, "no transport in klopfd's SDP");
	return -1;
}

/* --- signaling ----------------------------------------------------------- */

static void
start_media(struct ml_part *p)
{
	struct ml_offer_params op;
	char cand[256], sid[40];
	int n;

	if (p->media_started || p->room->room_id == 0)
		return;
	p->media_started = true;
	if ((p->pub = make_peer(p, true, cand, sizeof(cand))) == NULL)
		return;
	snprintf(p->cname, sizeof(p->cname), "ml%d%c", p->room->idx,
	    p->clerk ? 'k' : 'c');
	snprintf(sid, sizeof(sid), "ml-%d-%s", p->room->idx, p->clerk ?
	    "clerk" : "citizen");
	for (int k = 0; k < 2; k++) {
		p->st[k].owner = p;
		p->st[k].video = k == 1;
		p->st[k].ssrc = fresh_ssrc();
		p->st[k].seq = (uint16_t)g_random_int();
		p->st[k].ts = g_random_int();
	}
	p->st[1].rtx_ssrc = fresh_ssrc();
	p->rtcp_ssrc = fresh_ssrc();
	memset(&op, 0, sizeof(op));
	op.ufrag = peer_local_ufrag(p->pub);
	op.pwd = peer_local_pwd(p->pub);
	op.fingerprint = dtls_identity_fingerprint_str(ident);
	op.candidate = cand[0] ? cand : NULL;
	op.audio_ssrc = p->st[0].ssrc;
	op.video_ssrc = p->st[1].ssrc;
	op.rtx_ssrc = p->st[1].rtx_ssrc;
	op.cname = p->cname;
	op.stream_id = sid;
	op.session_id = ((uint64_t)g_random_int() << 31) ^ g_random_int();
	n = ml_sdp_publish_offer(&op, text, SDP_BUF);
	if (n < 0) {
		room_error(p->room, "the publish offer does not fit");
		return;
	}
	send_msg(p, json_pack("{s:s, s:i, s:I, s:s}", "type", "publish", "id",
	    3, "room", (json_int_t)p->room->room_id, "sdp", text));
	send_msg(p, json_pack("{s:s, s:i, s:I}", "type", "subscribe", "id", 4,
	    "room", (json_int_t)p->room->room_id));
}

static gboolean
start_media_later(gpointer ud)
{
	start_media(ud);
	return G_SOURCE_REMOVE;
}

/* Both participants publish and subscribe (the citizen later with
 * --citizen-delay, to test how klopfd treats a lone subscriber). */
static void
room_media(struct ml_room *r)
{
	r->media = true;
	start_media(&r->clerk);
	if (opt.citizen_delay_s > 0)
		g_timeout_add_seconds((guint)opt.citizen_delay_s,
		    start_media_later, &r->citizen);
	else
		start_media(&r->citizen);
}

static void
on_publish_answer(struct ml_part *p, const char *sdp)
{
	struct sdp_error se;

	if (p->answered || p->pub == NULL)
		return;
	p->answered = true;
	if (sdp_parse(sdp, strlen(sdp), scratch, &se) != 0) {
		room_error(p->room, "publish answer: %s", se.msg);
		return;
	}
	for (size_t i = 0; i < scratch->nmedia; i++) {
		const struct sdp_media *m = &scratch->media[i];
		const struct sdp_codec *c = sdp_codec_main(m);
		int k = m->kind == SDP_KIND_VIDEO ? 1 :
		    m->kind == SDP_KIND_AUDIO ? 0 : -1;

		if (k < 0 || m->port == 0 || c == NULL ||
		    m->dir != SDP_DIR_RECVONLY) {
			room_error(p->room, "klopfd refused the %s m= line",
			    m->media);
			return;
		}
		p->pt[k] = c->pt;
		g_strlcpy(p->mid[k], m->mid, sizeof(p->mid[k]));
		p->ext_mid = (uint8_t)sdp_ext_id(m, SDP_EXT_MID);
		p->ext_abs = (uint8_t)sdp_ext_id(m, SDP_EXT_ABS_SEND_TIME);
	}
	(void)set_remote(p, p->pub, scratch);
}

static void
on_subscribe_offer(struct ml_part *p, json_t *msg)
{
	const char *sdp = json_string_value(json_object_get(msg, "sdp"));
	json_int_t version = json_integer_value(json_object_get(msg,
	    "version"));
	char cand[256] = "";
	struct sdp_error se;
	int n;

	if (sdp == NULL || sdp_parse(sdp, strlen(sdp), scratch, &se) != 0) {
		room_error(p->room, "subscribe offer: %s", sdp ? se.msg :
		    "no sdp");
		return;
	}
	if (p->sub == NULL &&
	    (p->sub = make_peer(p, false, cand, sizeof(cand))) == NULL)
		return;
	n = ml_sdp_subscribe_answer(scratch, peer_local_ufrag(p->sub),
	    peer_local_pwd(p->sub), dtls_identity_fingerprint_str(ident),
	    cand[0] ? cand : NULL, (uint64_t)p->rtcp_ssrc, text, SDP_BUF);
	if (n < 0) {
		room_error(p->room, "the subscribe answer does not fit");
		return;
	}
	p->sub_version = (uint64_t)version;
	send_msg(p, json_pack("{s:s, s:I, s:I, s:I, s:s}", "type",
	    "subscribe_answer", "id", (json_int_t)(100 + version), "room",
	    (json_int_t)p->room->room_id, "version", version, "sdp", text));
	if (!p->sub_remote && set_remote(p, p->sub, scratch) == 0)
		p->sub_remote = true;
}

static void
on_room(struct ml_room *r, json_int_t id)
{
	if (r->room_id == 0 && id > 0)
		r->room_id = (uint64_t)id;
}

static void on_message(void *ud, json_t *msg);
static void on_closed(void *ud, const char *why);
static const struct ml_ws_handlers handlers = { NULL, on_message, on_closed };

static void
on_message(void *ud, json_t *msg)
{
	struct ml_part *p = ud;
	struct ml_room *r = p->room;
	const char *type = json_string_value(json_object_get(msg, "type"));
	json_t *t;

	if (type == NULL)
		return;
	if (strcmp(type, "offices") != 0 && strcmp(type, "office") != 0 &&
	    strcmp(type, "queue") != 0 && strcmp(type, "queue_add") != 0 &&
	    strcmp(type, "queue_remove") != 0)
		TRACE(r, "%s <- %s", p->clerk ? "clerk" : "citizen", type);
	if (strcmp(type, "welcome") == 0) {
		if (p->clerk)
			send_msg(p, json_pack("{s:s, s:i, s:s, s:s}", "type",
			    "login", "id", 1, "user", r->clerk_name,
			    "password", opt.password));
		else
			send_msg(p, json_pack("{s:s, s:i, s:s, s:b, s:s, s:s}",
			    "type", "knock", "id", 1, "office", r->office,
			    "consent", 1, "lang", "de", "name", "Lasttest"));
	} else if (strcmp(type, "welcome_clerk") == 0) {
		r->citizen.ws = ml_ws_connect(opt.addr, opt.port, &handlers,
		    &r->citizen);
		if (r->citizen.ws == NULL)
			room_error(r, "citizen cannot connect");
	} else if (strcmp(type, "knocked") == 0) {
		r->ticket = (uint64_t)json_integer_value(json_object_get(
		    json_object_get(msg, "ticket"), "id"));
		send_msg(&r->clerk, json_pack("{s:s, s:i, s:I}", "type",
		    "admit", "id", 2, "ticket", (json_int_t)r->ticket));
	} else if (strcmp(type, "room") == 0 && p->clerk) {
		t = json_object_get(msg, "room");
		if (json_integer_value(json_object_get(t, "ticket")) ==
		    (json_int_t)r->ticket) {
			on_room(r, json_integer_value(json_object_get(t, "id")));
			p->admitted = true;
		}
	} else if (strcmp(type, "ticket") == 0 && !p->clerk) {
		t = json_object_get(msg, "ticket");
		if (g_strcmp0(json_string_value(json_object_get(t, "state")),
		    "admitted") == 0) {
			on_room(r, json_integer_value(json_object_get(t,
			    "room")));
			p->admitted = true;
		}
	} else if (strcmp(type, "publish_answer") == 0) {
		on_publish_answer(p, json_string_value(json_object_get(msg,
		    "sdp")));
	} else if (strcmp(type, "subscribe_offer") == 0) {
		on_subscribe_offer(p, msg);
	} else if (strcmp(type, "error") == 0) {
		room_error(r, "%s got error %s (%s) for request %"
		    JSON_INTEGER_FORMAT, p->clerk ? "clerk" : "citizen",
		    json_string_value(json_object_get(msg, "code")),
		    json_string_value(json_object_get(msg, "message")),
		    json_integer_value(json_object_get(msg, "id")));
	}
}

static void
on_closed(void *ud, const char *why)
{
	struct ml_part *p = ud;

	p->ws = NULL;
	if (phase < PH_DONE)
		room_error(p->room, "%s connection closed: %s", p->clerk ?
		    "clerk" : "citizen", why);
}

static void
room_start(struct ml_room *r)
{
	r->started = true;
	r->clerk.ws = ml_ws_connect(opt.addr, opt.port, &handlers, &r->clerk);
	if (r->clerk.ws == NULL)
		room_error(r, "clerk cannot connect to %s:%d", opt.addr,
		    opt.port);
}

static bool
part_ready(struct ml_part *p)
{
	struct ml_part *o = other(p);

	return p->pub != NULL && p->sub != NULL &&
	    peer_get_state(p->pub) == PEER_CONNECTED &&
	    peer_get_state(p->sub) == PEER_CONNECTED &&
	    o->st[0].rx > 0 && (!ml_traffic.video_on || o->st[1].rx > 0);
}

static bool
room_ready(struct ml_room *r)
{
	return part_ready(&r->clerk) && part_ready(&r->citizen);
}

/* --- measuring ----------------------------------------------------------- */

static void
fmt_ms(char *buf, size_t len, double v, bool above)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%s%.3f", above ? ">" : "", v);
}

/* The window's packets not (yet) received, over the measured rooms. */
static uint64_t
window_missing(void)
{
	uint64_t missing = 0;

	for (int i = 0; i < opt.nrooms; i++) {
		struct ml_part *ps[2] = { &rooms[i].clerk, &rooms[i].citizen };

		if (!rooms[i].measured)
			continue;
		for (int k = 0; k < 2; k++)
			for (int j = 0; j < 2; j++) {
				const struct ml_stream *s = &ps[k]->st[j];

				if (s->win_sent > s->rx_win)
					missing += s->win_sent - s->rx_win;
			}
	}
	return missing;
}

static void
report(void)
{
	uint64_t sent = 0, recv = 0, lost = 0, failed = 0, gaps = 0, foreign = 0;
	uint64_t pli = 0, streams_lossy = 0, max_lost = 0, rx_dropped = 0;
	int npub = 0, nsub = 0, nrooms_ok = 0, nmeasured = 0;
	double win = (double)(snap1.t_us - snap0.t_us) / 1e6;
	double fwd, kcpu, ccpu, rss, rss_now, kt, ktop_s;
	const char *ktop;
	double p50, p99, v;
	bool a50, a99, above;
	char s50[32], s99[32], e50[32], e99[32], q50[32], q99[32];

	for (int i = 0; i < opt.nrooms; i++) {
		struct ml_part *ps[2] = { &rooms[i].clerk, &rooms[i].citizen };

		nrooms_ok += room_ready(&rooms[i]);
		nmeasured += rooms[i].measured;
		for (int k = 0; k < 2; k++) {
			struct ml_part *p = ps[k];

			npub += p->pub && peer_get_state(p->pub) ==
			    PEER_CONNECTED;
			nsub += p->sub && peer_get_state(p->sub) ==
			    PEER_CONNECTED;
			foreign += p->rx_foreign;
			pli += p->pli_rx;
			if (p->sub != NULL) {
				struct peer_stats st;

				peer_stats(p->sub, &st);
				rx_dropped += st.dropped_not_ready +
				    st.dropped_srtp_auth + st.dropped_srtp_replay +
				    st.dropped_srtp_other + st.dropped_other;
			}
			for (int j = 0; j < 2; j++) {
				struct ml_stream *s = &p->st[j];
				uint64_t l = s->win_sent > s->rx_win ?
				    s->win_sent - s->rx_win : 0;

				sent += s->win_sent;
				recv += s->rx_win;
				failed += s->send_failed;
				gaps += s->rx_gaps;
				lost += l;
				streams_lossy += l > 0;
				if (l > max_lost)
					max_lost = l;
			}
		}
	}
	fwd = snap1.metrics ? (snap1.rtp_fwd - snap0.rtp_fwd) : (double)recv;
	kcpu = snap1.klopfd_cpu_s - snap0.klopfd_cpu_s;
	kt = ml_kthread_cpu(&snap0, &snap1, &ktop, &ktop_s);
	ccpu = snap1.client_cpu_s - snap0.client_cpu_s;
	rss = ml_proc_status_kb(opt.klopfd_pid, "VmHWM") / 1024.0;
	rss_now = ml_proc_status_kb(opt.klopfd_pid, "VmRSS") / 1024.0;
	p50 = ml_hist_quantile(&snap0.fwd, &snap1.fwd, 0.50, &a50);
	p99 = ml_hist_quantile(&snap0.fwd, &snap1.fwd, 0.99, &a99);
	v = ml_hist_quantile(&snap0.arr, &snap1.arr, 0.50, &above);
	fmt_ms(q50, sizeof(q50), v, above);
	v = ml_hist_quantile(&snap0.arr, &snap1.arr, 0.99, &above);
	fmt_ms(q99, sizeof(q99), v, above);
	fmt_ms(s50, sizeof(s50), p50, a50);
	fmt_ms(s99, sizeof(s99), p99, a99);
	v = ml_rtp_e2e_quantile(0.50, &above);
	fmt_ms(e50, sizeof(e50), v, above);
	v = ml_rtp_e2e_quantile(0.99, &above);
	fmt_ms(e99, sizeof(e99), v, above);
	printf("RESULT rooms=%d rooms_ready=%d rooms_measured=%d "
	    "pub_connected=%d sub_connected=%d setup_s=%.1f window_s=%.2f "
	    "metrics=%s "
	    "fwd_pps=%.0f klopfd_cpu_ms_per_1k=%.3f klopfd_cpu_pct=%.1f "
	    "delay_p50_ms=%s delay_p99_ms=%s sent=%" PRIu64 " received=%"
	    PRIu64 " lost=%" PRIu64 " lost_streams=%" PRIu64 " max_lost=%"
	    PRIu64 " klopfd_rx=%.0f klopfd_fwd=%.0f klopfd_dropped=%.0f "
	    "rss_mb=%.1f rss_now_mb=%.1f client_cpu_pct=%.1f "
	    "client_us_per_pkt=%.2f "
	    "e2e_p50_ms=%s e2e_p99_ms=%s send_failed=%" PRIu64 " seq_gaps=%"
	    PRIu64 " foreign=%" PRIu64 " pli=%" PRIu64 " errors=%d "
	    "netns_udp_drops=%.0f client_sock_drops=%.0f client_stalls=%"
	    PRIu64 " klopfd_wait_pct=%.1f client_wait_pct=%.1f "
	    "client_peer_drops=%" PRIu64 " drain_s=%.1f "
	    "arrival_p50_ms=%s arrival_p99_ms=%s kthread_cpu_ms=%.0f "
	    "kthread_top=%s kthread_top_ms=%.0f\n",
	    opt.nrooms, nrooms_ok, nmeasured, npub, nsub,
	    (double)(t_ready_us - t_start_us) / 1e6, win,
	    snap1.metrics ? "yes" : "no", fwd / win,
	    fwd > 0 ? kcpu / fwd * 1e6 : NAN, kcpu / win * 100,
	    s50, s99, sent, recv, lost, streams_lossy, max_lost,
	    snap1.rtp_in - snap0.rtp_in, snap1.rtp_fwd - snap0.rtp_fwd,
	    snap1.rtp_drop - snap0.rtp_drop, rss, rss_now, ccpu / win * 100,
	    sent + recv > 0 ? ccpu / (double)(sent + recv) * 1e6 : NAN,
	    e50, e99, failed, gaps, foreign, pli, nerrors,
	    snap1.netns_drops - snap0.netns_drops,
	    snap1.client_drops - snap0.client_drops, ml_traffic.stalls,
	    (snap1.klopfd_wait_s - snap0.klopfd_wait_s) / win * 100,
	    (snap1.client_wait_s - snap0.client_wait_s) / win * 100,
	    rx_dropped, drain_took_s, q50, q99, kt * 1000,
	    *ktop != '\0' ? ktop : "-", ktop_s * 1000);
	fflush(stdout);
}

static gboolean
on_pace(gpointer ud)
{
	(void)ud;
	if (phase == PH_DONE)
		return G_SOURCE_REMOVE;
	/* one sendmmsg per socket for what is due now */
	ioloop_batch_begin(iol);
	ml_rtp_pace(rooms, opt.nrooms, g_get_monotonic_time());
	ioloop_batch_end(iol);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_second(gpointer ud)
{
	(void)ud;
	if (phase == PH_DONE)
		return G_SOURCE_REMOVE;
	ml_rtp_reports(rooms, opt.nrooms);
	return G_SOURCE_CONTINUE;
}

/* --- the run ------------------------------------------------------------- */

/* Setup runs in two steps, each with a bounded number of rooms in flight:
 * signaling for every room (the logins cost klopfd a memory-hard hash
 * each, on two worker threads), then media room by room. So no room's
 * transports wait idle while others log in: klopfd drops a participant
 * whose transport was silent for 10 s. */
static void
setup_step(int64_t now)
{
	int signaling = 0, connecting = 0, signaled = 0, ready = 0;

	for (int i = 0; i < opt.nrooms; i++) {
		struct ml_room *r = &rooms[i];
		bool sig = r->clerk.admitted && r->citizen.admitted;

		if (r->started && !r->done && (room_ready(r) || r->failed))
			r->done = true;
		ready += room_ready(r);
		signaled += sig || r->failed;
		signaling += r->started && !sig && !r->failed;
		connecting += r->media && !r->done;
	}
	for (int i = 0; i < opt.nrooms && signaling < opt.parallel_login; i++)
		if (!rooms[i].started) {
			room_start(&rooms[i]);
			signaling++;
		}
	if (signaled == opt.nrooms && opt.sync && !media_go) {
		static bool said;

		if (!said) {
			printf("SIGNALED %d\n", signaled);
			fflush(stdout);
			said = true;
		}
	} else if (signaled == opt.nrooms)
		for (int i = 0; i < opt.nrooms && connecting < opt.parallel; i++)
			if (!rooms[i].media && !rooms[i].failed) {
				room_media(&rooms[i]);
				connecting++;
			}
	if (ready == opt.nrooms || now - t_start_us >
	    (int64_t)opt.setup_timeout_s * G_USEC_PER_SEC) {
		t_ready_us = now;
		fprintf(stderr, "media_load: %d of %d rooms ready after %.1f s\n",
		    ready, opt.nrooms, (double)(now - t_start_us) / 1e6);
		if (opt.sync && !go) {
			printf("READY %d\n", ready);
			fflush(stdout);
			phase = PH_READY;
		} else {
			phase = PH_WARMUP;
			ml_traffic.video_on = true;
		}
	}
}

/* --sync: every load client is set up (or the driver stopped waiting for
 * us); all begin the warm-up now. */
static gboolean
on_go(gpointer ud)
{
	(void)ud;
	go = true;
	if (phase == PH_READY) {
		phase = PH_WARMUP;
		phase_at = g_get_monotonic_time();
		ml_traffic.video_on = true;
	}
	return G_SOURCE_CONTINUE;
}

/* --sync: every load client has logged its clerks in (or the driver
 * stopped waiting); transports may start now. */
static gboolean
on_media_go(gpointer ud)
{
	(void)ud;
	media_go = true;
	return G_SOURCE_CONTINUE;
}

static gboolean
on_tick(gpointer ud)
{
	int64_t now = g_get_monotonic_time();

	(void)ud;
	switch (phase) {
	case PH_SETUP:
		setup_step(now);
		phase_at = now;
		break;
	case PH_READY:
		break;
	case PH_WARMUP:
		if (now - phase_at >= (int64_t)opt.warmup_s * G_USEC_PER_SEC) {
			for (int i = 0; i < opt.nrooms; i++)
				rooms[i].measured = room_ready(&rooms[i]);
			for (int i = 0; i < opt.nrooms; i++)
				for (int k = 0; k < 2; k++) {
					rooms[i].clerk.st[k].win_c0 =
					    rooms[i].clerk.st[k].ctr;
					rooms[i].citizen.st[k].win_c0 =
					    rooms[i].citizen.st[k].ctr;
				}
			ml_snapshot_take(&snap0, opt.klopfd_pid,
			    opt.metrics_port);
			phase = PH_MEASURE;
			ml_traffic.window = ML_WIN_OPEN;
			phase_at = now;
		}
		break;
	case PH_MEASURE:
		if (now - phase_at >= (int64_t)opt.window_s * G_USEC_PER_SEC) {
			ml_snapshot_take(&snap1, opt.klopfd_pid,
			    opt.metrics_port);
			for (int i = 0; i < opt.nrooms; i++)
				for (int k = 0; k < 2; k++) {
					rooms[i].clerk.st[k].win_c1 =
					    rooms[i].clerk.st[k].ctr;
					rooms[i].citizen.st[k].win_c1 =
					    rooms[i].citizen.st[k].ctr;
				}
			phase = PH_DRAIN;
			ml_traffic.window = ML_WIN_CLOSED;
			phase_at = now;
			drain_progress_at = now;
			drain_missing = window_missing();
		}
		break;
	case PH_DRAIN: {
		/* No more media is sent. The window's packets still in a
		 * queue (a socket's, or waiting for a CPU) are counted as they
		 * come: the drain ends when none is missing, when nothing came
		 * for --drain seconds (the rest is lost), or after
		 * DRAIN_MAX_S. */
		uint64_t missing = window_missing();

		if (missing != drain_missing) {
			drain_missing = missing;
			drain_progress_at = now;
		}
		if (missing == 0 || now - drain_progress_at >=
		    (int64_t)opt.drain_s * G_USEC_PER_SEC ||
		    now - phase_at >= (int64_t)DRAIN_MAX_S * G_USEC_PER_SEC) {
			drain_took_s = (double)(now - phase_at) / 1e6;
			/* drops of the window's packets may happen late */
			ml_udp_drops(&snap1.netns_drops, &snap1.client_drops);
			report();
			phase = PH_DONE;
			g_main_loop_quit(loop);
			return G_SOURCE_REMOVE;
		}
		break;
	}
	case PH_DONE:
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* Once something is ready, waits coalesce_us and polls again, so that one
 * main loop iteration (which walks every source: 6 per room) handles a
 * batch of datagrams instead of one. */
static gint
coalescing_poll(GPollFD *fds, guint nfds, gint timeout)
{
	gint n = default_poll(fds, nfds, timeout);

	if (n > 0 && phase != PH_SETUP) {
		g_usleep((gulong)coalesce_us);
		n = default_poll(fds, nfds, 0);
	}
	return n;
}

static gboolean
on_signal(gpointer ud)
{
	(void)ud;
	fprintf(stderr, "media_load: interrupted\n");
	phase = PH_DONE;
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void
usage(void)
{
	fprintf(stderr, "usage: media_load --port P --rooms N [--offices K] "
	    "[--clerk-prefix S] [--password PW]\n"
	    "       [--warmup S] [--window S] [--drain S] [--setup-timeout S] "
	    "[--parallel K]\n"
	    "       [--klopfd-pid PID] [--metrics-port P] [--addr A] "
	    "[--coalesce-us US] [--verbose]\n"
	    "       [--room-offset K] [--sync]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "rooms", required_argument, NULL, 'n' },
		{ "offices", required_argument, NULL, 'o' },
		{ "clerk-prefix", required_argument, NULL, 'c' },
		{ "password", required_argument, NULL, 'P' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "window", required_argument, NULL, 'W' },
		{ "drain", required_argument, NULL, 'd' },
		{ "setup-timeout", required_argument, NULL, 't' },
		{ "parallel", required_argument, NULL, 'j' },
		{ "klopfd-pid", required_argument, NULL, 'k' },
		{ "metrics-port", required_argument, NULL, 'm' },
		{ "addr", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "coalesce-us", required_argument, NULL, 'C' },
		{ "citizen-delay", required_argument, NULL, 'D' },
		{ "room-offset", required_argument, NULL, 'O' },
		{ "sync", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': opt.port = atoi(optarg); break;
		case 'n': opt.nrooms = atoi(optarg); break;
		case 'o': opt.noffices = atoi(optarg); break;
		case 'c': opt.prefix = optarg; break;
		case 'P': opt.password = optarg; break;
		case 'w': opt.warmup_s = atoi(optarg); break;
		case 'W': opt.window_s = atoi(optarg); break;
		case 'd': opt.drain_s = atoi(optarg); break;
		case 't': opt.setup_timeout_s = atoi(optarg); break;
		case 'j': opt.parallel = atoi(optarg); break;
		case 'k': opt.klopfd_pid = atoi(optarg); break;
		case 'm': opt.metrics_port = atoi(optarg); break;
		case 'a': opt.addr = optarg; break;
		case 'v': verbose = true; break;
		case 'C': coalesce_us = atoi(optarg); break;
		case 'D': opt.citizen_delay_s = atoi(optarg); break;
		case 'O': opt.room_offset = atoi(optarg); break;
		case 'S': opt.sync = true; break;
		default: usage();
		}
	}
	if (opt.port <= 0 || opt.nrooms <= 0 || opt.nrooms > 10000 ||
	    opt.noffices <= 0 || opt.parallel <= 0 || opt.window_s <= 0)
		usage();
	if (opt.setup_timeout_s <= 0)
		opt.setup_timeout_s = 60 + opt.nrooms / 2;
	signal(SIGPIPE, SIG_IGN);
	loop = g_main_loop_new(NULL, FALSE);
	if (coalesce_us > 0) {
		default_poll = g_main_context_get_poll_func(NULL);
		g_main_context_set_poll_func(NULL, coalescing_poll);
	}
	if (ml_ws_init(loop) != 0)
		return 2;
	if ((iol = ioloop_new(NULL)) == NULL) {
		fprintf(stderr, "media_load: no epoll\n");
		return 2;
	}
	if ((ident = dtls_identity_generate()) == NULL) {
		fprintf(stderr, "media_load: no DTLS identity\n");
		return 2;
	}
	scratch = g_malloc0(sizeof(*scratch));
	text = g_malloc0(SDP_BUF);
	rooms = g_new0(struct ml_room, opt.nrooms);
	for (int i = 0; i < opt.nrooms; i++) {
		struct ml_room *r = &rooms[i];

		r->idx = opt.room_offset + i;
		snprintf(r->clerk_name, sizeof(r->clerk_name), "%s%d",
		    opt.prefix, r->idx);
		snprintf(r->office, sizeof(r->office), "m%d",
		    r->idx % opt.noffices);
		r->clerk.room = r->citizen.room = r;
		r->clerk.clerk = true;
	}
	t_start_us = g_get_monotonic_time();
	g_timeout_add(ML_PACE_MS, on_pace, NULL);
	g_timeout_add(1000, on_second, NULL);
	g_timeout_add(100, on_tick, NULL);
	g_unix_signal_add(SIGINT, on_signal, NULL);
	g_unix_signal_add(SIGTERM, on_signal, NULL);
	g_unix_signal_add(SIGUSR1, on_go, NULL);
	g_unix_signal_add(SIGUSR2, on_media_go, NULL);
	g_main_loop_run(loop);

	for (int i = 0; i < opt.nrooms; i++) {
		struct ml_part *ps[2] = { &rooms[i].clerk, &rooms[i].citizen };

		for (int k = 0; k < 2; k++) {
			peer_free(ps[k]->pub);
			peer_free(ps[k]->sub);
			ml_ws_close(ps[k]->ws);
		}
	}
	ml_ws_fini();
	ioloop_free(iol);
	dtls_identity_free(ident);
	g_free(rooms);
	g_free(scratch);
	g_free(text);
	g_main_loop_unref(loop);
	return 0;
}
