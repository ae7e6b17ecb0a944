/*
 * peer: ICE + DTLS + SRTP for one PeerConnection; see peer.h.
 *
 * Owns the struct ice, the struct dtls, the struct ksrtp (from the moment
 * DTLS connects), the DTLS retransmission timer source and a fixed receive
 * buffer into which RTP/RTCP are copied from libnice's (const) buffer and
 * decrypted in place. Every entry from the main loop or the caller that
 * may run a callback is bracketed by enter()/leave(), so a callback may
 * free its own peer: peer_free() then only marks it, and the outermost
 * leave() destroys it.
 *
 * Never allocates or logs per packet; per-packet problems are counters.
 */
#include "peer.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rtp.h"
#include "srtp.h"

#define PEER_DTLS_PENDING 4     /* a flight of the handshake */

struct peer {
	GMainContext *ctx;
	struct ice *ice;
	struct dtls *dtls;
	struct ksrtp *srtp;             /* NULL until DTLS connects */
	enum dtls_role role;
	struct peer_callbacks cb;
	void *ud;
	enum peer_state state;
	GSource *timer;                 /* DTLS retransmission, or NULL */
	int depth;                      /* nested entries (enter/leave) */
	bool doomed;                    /* peer_free() called inside */
	int64_t created_us;
	int64_t remote_us;      /* when the remote description was last set */
	struct peer_stats stats;
	char reason[PEER_REASON_MAX];
	/* DTLS datagrams sent before ICE is connected: an ICE-lite agent
	 * learns that its pair is nominated only around the time the
	 * ClientHello arrives, so the server's first flight may be ready
	 * first. Flushed when ICE connects; else lost to the timer. */
	int npending;
	size_t pending_len[PEER_DTLS_PENDING];
	uint8_t pending[PEER_DTLS_PENDING][DTLS_MTU];
	/* Received RTP/RTCP, decrypted in place; aligned, with some slack
	 * behind the largest datagram. */
	_Alignas(8) uint8_t rx[PEER_MAX_DATAGRAM + 32];
};

static void check_dtls(struct peer *p);

static void
destroy(struct peer *p)
{
	if (p->timer != NULL) {
		g_source_destroy(p->timer);
		g_source_unref(p->timer);
	}
	ice_free(p->ice);
	dtls_free(p->dtls);
	ksrtp_free(p->srtp);
	memset(p->rx, 0, sizeof(p->rx));
	g_free(p);
}

static void
enter(struct peer *p)
{
	p->depth++;
}

/* The last thing an entry point does with p: p may be gone afterwards. */
static void
leave(struct peer *p)
{
	if (--p->depth == 0 && p->doomed)
		destroy(p);
}

static bool
final(enum peer_state s)
{
	return s == PEER_FAILED || s == PEER_CLOSED;
}

static void
set_state(struct peer *p, enum peer_state s)
{
	if (p->state == s)
		return;
	p->state = s;
	if (!p->doomed && p->cb.state != NULL)
		p->cb.state(p->ud, s);
}

static void
stop_timer(struct peer *p)
{
	if (p->timer == NULL)
		return;
	g_source_destroy(p->timer);
	g_source_unref(p->timer);
	p->timer = NULL;
}

static void
finish(struct peer *p, enum peer_state s, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Moves to a final state with a reason (the first reason stays). */
static void
finish(struct peer *p, enum peer_state s, const char *fmt, ...)
{
	va_list ap;

	if (final(p->state))
		return;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	stop_timer(p);
	set_state(p, s);
}

static gboolean
on_timer(gpointer ud)
{
	struct peer *p = ud;

	enter(p);
	stop_timer(p);          /* this source; check_dtls() re-arms */
	if (!p->doomed) {
		(void)dtls_handle_timeout(p->dtls);
		check_dtls(p);
	}
	leave(p);
	return G_SOURCE_REMOVE;
}

/* After every DTLS call that may send while handshaking: OpenSSL's timer
 * may have moved. Not per packet: only until DTLS is connected. */
static void
arm_timer(struct peer *p)
{
	long ms;

	stop_timer(p);
	if (p->doomed)
		return;
	ms = dtls_timeout_ms(p->dtls);
	if (ms < 0)
		return;
	p->timer = g_timeout_source_new((guint)ms);
	g_source_set_callback(p->timer, on_timer, p, NULL);
	(void)g_source_attach(p->timer, p->ctx);   /* an id we do not use */
}

static void
install_keys(struct peer *p)
{
	struct dtls_srtp_keys k;

	if (dtls_srtp_keys(p->dtls, &k) != 0) {
		finish(p, PEER_FAILED, "DTLS handshake failed: no SRTP keys");
		return;
	}
	p->srtp = ksrtp_new(&k);
	if (p->srtp == NULL) {
		finish(p, PEER_FAILED, "SRTP setup failed for profile %s",
		    dtls_srtp_profile_name(k.profile));
		dtls_srtp_keys_wipe(&k);
		return;
	}
	dtls_srtp_keys_wipe(&k);
	stop_timer(p);
	set_state(p, PEER_CONNECTED);
}

/* Follows the DTLS endpoint's state after any call on it. */
static void
check_dtls(struct peer *p)
{
	const char *why;

	if (final(p->state))
		return;
	switch (dtls_state(p->dtls)) {
	case DTLS_STATE_NEW:
		break;
	case DTLS_STATE_HANDSHAKING:
		set_state(p, PEER_CONNECTING);
		if (!p->doomed && p->state == PEER_CONNECTING)
			arm_timer(p);
		break;
	case DTLS_STATE_CONNECTED:
		if (p->srtp == NULL)
			install_keys(p);
		break;
	case DTLS_STATE_FAILED:
		why = dtls_reason(p->dtls);
		if (p->state == PEER_CONNECTED)
			finish(p, PEER_FAILED, "DTLS failed: %s", why);
		else if (dtls_failure(p->dtls) == DTLS_FAIL_FINGERPRINT)
			finish(p, PEER_FAILED, "DTLS fingerprint mismatch: %s",
			    why);
		else
			finish(p, PEER_FAILED, "DTLS handshake failed: %s",
			    why);
		break;
	case DTLS_STATE_CLOSED:
		finish(p, PEER_CLOSED, "DTLS closed: %s",
		    dtls_reason(p->dtls));
		break;
	}
}

static void
on_dtls_send(const uint8_t *buf, size_t len, void *user)
{
	struct peer *p = user;

	if (ice_get_state(p->ice) != ICE_CONNECTED && len <= DTLS_MTU &&
	    p->npending < PEER_DTLS_PENDING) {
		memcpy(p->pending[p->npending], buf, len);
		p->pending_len[p->npending++] = len;
		return;
	}
	/* Lost like any datagram; the retransmission timer recovers. */
	if (ice_send(p->ice, buf, len) != 0)
		p->stats.tx_dtls_failed++;
}

static void
flush_pending(struct peer *p)
{
	for (int i = 0; i < p->npending; i++)
		if (ice_send(p->ice, p->pending[i], p->pending_len[i]) != 0)
			p->stats.tx_dtls_failed++;
	p->npending = 0;
}

static void
count_srtp_error(struct peer *p, int r)
{
	switch (r) {
	case KSRTP_ERR_AUTH:
		p->stats.dropped_srtp_auth++;
		break;
	case KSRTP_ERR_REPLAY:
	case KSRTP_ERR_TOO_OLD:
		p->stats.dropped_srtp_replay++;
		break;
	default:
		p->stats.dropped_srtp_other++;
		break;
	}
}

/* RTP or RTCP: copied into p->rx, decrypted there, handed on. */
static void
receive_media(struct peer *p, enum rtp_demux kind, const uint8_t *buf,
    size_t len)
{
	size_t n = len;
	int r;

	if (p->state != PEER_CONNECTED) {
		p->stats.dropped_not_ready++;
		return;
	}
	if (len > PEER_MAX_DATAGRAM) {
		p->stats.dropped_other++;
		return;
	}
	memcpy(p->rx, buf, len);
	if (kind == RTP_DEMUX_RTP)
		r = ksrtp_unprotect_rtp(p->srtp, p->rx, &n);
	else
		r = ksrtp_unprotect_rtcp(p->srtp, p->rx, &n);
	if (r != KSRTP_OK) {
		count_srtp_error(p, r);
		return;
	}
	if (kind == RTP_DEMUX_RTP) {
		p->stats.rx_rtp++;
		if (p->cb.rtp != NULL)
			p->cb.rtp(p->ud, p->rx, n);
	} else {
		p->stats.rx_rtcp++;
		if (p->cb.rtcp != NULL)
			p->cb.rtcp(p->ud, p->rx, n);
	}
}

static void
on_ice_recv(void *ud, const uint8_t *buf, size_t len)
{
	struct peer *p = ud;
	enum rtp_demux kind;

	enter(p);
	if (p->doomed)
		goto out;
	p->stats.rx_packets++;
	p->stats.rx_bytes += len;
	kind = rtp_demux(buf, len);
	switch (kind) {
	case RTP_DEMUX_DTLS:
		(void)dtls_receive(p->dtls, buf, len);   /* state below */
		check_dtls(p);
		break;
	case RTP_DEMUX_RTP:
	case RTP_DEMUX_RTCP:
		receive_media(p, kind, buf, len);
		break;
	case RTP_DEMUX_STUN:    /* libnice keeps its own; anything else */
	case RTP_DEMUX_OTHER:
		p->stats.dropped_other++;
		break;
	}
out:
	leave(p);
}

static void
on_ice_state(void *ud, enum ice_state s)
{
	struct peer *p = ud;

	enter(p);
	if (p->doomed)
		goto out;
	if (s == ICE_CONNECTED)
		flush_pending(p);       /* also a fatal alert of a failed peer */
	if (final(p->state))
		goto out;
	switch (s) {
	case ICE_NEW:
		break;
	case ICE_CHECKING:
		set_state(p, PEER_CONNECTING);
		break;
	case ICE_CONNECTED:
		if (p->state == PEER_NEW)
			set_state(p, PEER_CONNECTING);
		if (p->doomed)
			break;
		if (p->role == DTLS_ROLE_CLIENT &&
		    dtls_state(p->dtls) == DTLS_STATE_NEW) {
			(void)dtls_start(p->dtls);      /* state below */
			check_dtls(p);
		}
		break;
	case ICE_FAILED:
		finish(p, PEER_FAILED, "ICE failed");
		break;
	}
out:
	leave(p);
}

struct peer *
peer_new(GMainContext *ctx, struct dtls_identity *id,
    const struct peer_options *o, const struct peer_callbacks *cb, void *ud,
    char *err, size_t errlen)
{
	struct peer *p;

	if (ksrtp_init() != 0) {
		snprintf(err, errlen, "SRTP could not be initialised");
		return NULL;
	}
	p = g_new0(struct peer, 1);
	p->ctx = ctx != NULL ? ctx : g_main_context_default();
	p->role = o->role;
	if (cb != NULL)
		p->cb = *cb;
	p->ud = ud;
	p->state = PEER_NEW;
	p->created_us = g_get_monotonic_time();
	p->dtls = dtls_new(id, o->role, NULL, on_dtls_send, p);
	if (p->dtls == NULL) {
		snprintf(err, errlen, "cannot make a DTLS endpoint");
		goto fail;
	}
	if (o->srtp_profiles != NULL &&
	    dtls_set_srtp_profiles(p->dtls, o->srtp_profiles) != 0) {
		snprintf(err, errlen, "unknown SRTP profiles \"%s\"",
		    o->srtp_profiles);
		goto fail;
	}
	if (o->dtls_timeout_ms != 0 &&
	    dtls_set_initial_timeout(p->dtls, o->dtls_timeout_ms) != 0) {
		snprintf(err, errlen, "bad DTLS timeout %u ms",
		    o->dtls_timeout_ms);
		goto fail;
	}
	/* Last: from here on ICE may call back (on the context only). */
	p->ice = ice_new(p->ctx, &o->ice, on_ice_recv, on_ice_state, p, err,
	    errlen);
	if (p->ice == NULL)
		goto fail;
	return p;
fail:
	destroy(p);
	return NULL;
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	if (p->depth > 0) {
		/* Inside one of its own callbacks: the outermost leave()
		 * destroys it; until then nothing calls back. */
		p->doomed = true;
		stop_timer(p);
		return;
	}
	destroy(p);
}

const char *
peer_local_ufrag(const struct peer *p)
{
	return ice_local_ufrag(p->ice);
}

const char *
peer_local_pwd(const struct peer *p)
{
	return ice_local_pwd(p->ice);
}

int
peer_local_candidates(const struct peer *p, struct ice_candidate *out,
    int max)
{
	return ice_local_candidates(p->ice, out, max);
}

int
peer_set_remote(struct peer *p, const char *ufrag, const char *pwd,
    const uint8_t fingerprint[DTLS_FINGERPRINT_LEN])
{
	int ret = 0;

	enter(p);
	if (ice_set_remote_credentials(p->ice, ufrag, pwd) != 0) {
		ret = -1;
		goto out;
	}
	if (p->doomed)
		goto out;
	/* from now on the peer has something to say: its silence counts
	 * from here, not from peer_new() (a subscribe leg made long before
	 * its first offer would be "silent" at once) */
	p->remote_us = g_get_monotonic_time();
	(void)dtls_set_remote_fingerprint(p->dtls, fingerprint); /* below */
	check_dtls(p);
out:
	leave(p);
	return ret;
}

int
peer_add_remote_candidate(struct peer *p, const char *line)
{
	int ret;

	enter(p);
	ret = ice_add_remote_candidate(p->ice, line);
	leave(p);
	return ret;
}

static int
send_media(struct peer *p, bool rtcp, uint8_t *buf, size_t len, size_t cap)
{
	size_t n = len;
	int r;

	if (p->state != PEER_CONNECTED)
		return -1;
	if (rtcp)
		r = ksrtp_protect_rtcp(p->srtp, buf, &n, cap);
	else
		r = ksrtp_protect_rtp(p->srtp, buf, &n, cap);
	if (r != KSRTP_OK || ice_send(p->ice, buf, n) != 0) {
		p->stats.tx_failed++;
		return -1;
	}
	p->stats.tx_packets++;
	p->stats.tx_bytes += n;
	return 0;
}

int
peer_send_rtp(struct peer *p, uint8_t *buf, size_t len, size_t cap)
{
	return send_media(p, false, buf, len, cap);
}

int
peer_send_rtcp(struct peer *p, uint8_t *buf, size_t len, size_t cap)
{
	return send_media(p, true, buf, len, cap);
}

void
peer_close(struct peer *p)
{
	if (final(p->state))
		return;
	(void)dtls_close(p->dtls);      /* close_notify if it can */
	stop_timer(p);
	snprintf(p->reason, sizeof(p->reason), "closed locally");
	p->state = PEER_CLOSED;
}

enum peer_state
peer_get_state(const struct peer *p)
{
	return p->state;
}

const char *
peer_failure_reason(const struct peer *p)
{
	return p->reason;
}

enum dtls_srtp_profile
peer_srtp_profile(const struct peer *p)
{
	return p->srtp != NULL ? ksrtp_profile(p->srtp) : DTLS_SRTP_NONE;
}

void
peer_stats(const struct peer *p, struct peer_stats *out)
{
	*out = p->stats;
	out->dropped_dtls = dtls_dropped(p->dtls);
}

int64_t
peer_idle_us(const struct peer *p, int64_t now_us)
{
	int64_t last = MAX(ice_last_receive_us(p->ice),
	    MAX(p->remote_us, p->created_us));

	return now_us > last ? now_us - last : 0;
}

int
peer_arrival_us(const struct peer *p, int64_t *real_us)
{
	return ice_arrival_us(p->ice, real_us);
}

const char *
peer_state_name(enum peer_state s)
{
	switch (s) {
	case PEER_NEW:
		return "new";
	case PEER_CONNECTING:
		return "connecting";
	case PEER_CONNECTED:
		return "connected";
	case PEER_FAILED:
		return "failed";
	case PEER_CLOSED:
		return "closed";
	}
	return "unknown";
}
