/*
 * sdp_gen: klopfd's own SDP, the answer to a publish offer and the
 * subscribe offer (the rules are in sdp.h).
 *
 * Writes into the caller's buffer with a size check on every write and no
 * allocation. Every string taken from the caller is checked for its
 * characters first, so nothing it holds can inject an SDP line. Written
 * for what Chromium 156 and webrtcbin 1.22 accept: every m= section
 * carries a=mid, a=setup, the ICE credentials and the fingerprint, and the
 * session level only a=ice-lite, the BUNDLE group and a=msid-semantic.
 */
#include "sdp.h"
#include "sdp_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PROTO "UDP/TLS/RTP/SAVPF"

struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t avail;
	int n;

	if (o->full || o->size == 0) {
		o->full = true;
		return;
	}
	avail = o->size - o->len;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, avail, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= avail) {
		o->full = true;
		o->buf[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

static int gen_fail(struct sdp_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* line: a line of the offer the message is about, or 0. */
static int
gen_fail(struct sdp_error *err, int line, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err->line = line;
	if (line > 0)
		snprintf(err->msg, sizeof err->msg, "sdp:%d: %s", line, what);
	else
		snprintf(err->msg, sizeof err->msg, "sdp: %s", what);
	return -1;
}

static int
finish(struct out *o, struct sdp_error *err)
{
	if (o->full)
		return gen_fail(err, 0, "a buffer of %zu bytes is too small",
		    o->size);
	if (o->len > SDP_MAX_INPUT)
		return gen_fail(err, 0, "%zu bytes of SDP, more than %d",
		    o->len, SDP_MAX_INPUT);
	return (int)o->len;
}

/* A NUL-terminated string in a field of size bytes, of class ok. */
static bool
str_ok(const char *s, size_t size, bool (*ok)(const char *, size_t),
    bool may_be_empty)
{
	const char *nul = memchr(s, '\0', size);
	size_t n = nul ? (size_t)(nul - s) : size;

	if (!nul)
		return false;
	return n == 0 ? may_be_empty : ok(s, n);
}

#define FIELD_OK(s, ok, empty) str_ok((s), sizeof(s), (ok), (empty))

static int
check_local(const struct sdp_local *l, struct sdp_error *err)
{
	const struct sdp_candidate *c;
	size_t i;

	if (!FIELD_OK(l->ice_ufrag, sdp_is_ice_chars, false) ||
	    strlen(l->ice_ufrag) < 4)
		return gen_fail(err, 0, "local ice-ufrag is not 4..256 of "
		    "A-Z a-z 0-9 + /");
	if (!FIELD_OK(l->ice_pwd, sdp_is_ice_chars, false) ||
	    strlen(l->ice_pwd) < 22)
		return gen_fail(err, 0, "local ice-pwd is not 22..256 of "
		    "A-Z a-z 0-9 + /");
	if (l->ncands > SDP_MAX_CAND)
		return gen_fail(err, 0, "more than %d local candidates",
		    SDP_MAX_CAND);
	for (i = 0; i < l->ncands; i++) {
		c = &l->cands[i];
		if (!FIELD_OK(c->addr, sdp_is_addr, false) ||
		    !FIELD_OK(c->foundation, sdp_is_ice_chars, true) ||
		    c->component > 256 || (unsigned)c->transport > 1 ||
		    (unsigned)c->type > SDP_CAND_RELAY ||
		    (unsigned)c->tcptype > SDP_TCPTYPE_SO)
			return gen_fail(err, 0, "local candidate %zu is invalid",
			    i);
	}
	return 0;
}

static void
put_session(struct out *o, const struct sdp_local *l)
{
	put(o, "v=0\r\no=- %" PRIu64 " %" PRIu64 " IN IP4 127.0.0.1\r\n"
	    "s=-\r\nt=0 0\r\na=ice-lite\r\n", l->session_id,
	    l->session_version);
}

/* The ICE credentials, fingerprint and DTLS role of one m= section. */
static void
put_transport(struct out *o, const struct sdp_local *l,
    enum sdp_setup setup)
{
	size_t i;

	put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:sha-256 ",
	    l->ice_ufrag, l->ice_pwd);
	for (i = 0; i < SDP_SHA256_LEN; i++)
		put(o, "%02X%s", l->fingerprint[i],
		    i + 1 < SDP_SHA256_LEN ? ":" : "\r\n");
	put(o, "a=setup:%s\r\n", sdp_setup_name(setup));
}

static void
put_candidates(struct out *o, const struct sdp_local *l)
{
	static const char *const types[] = { "host", "srflx", "prflx",
	    "relay" };
	static const char *const tcptypes[] = { "passive", "active",
	    "passive", "so" };
	const struct sdp_candidate *c;
	size_t i;

	for (i = 0; i < l->ncands; i++) {
		c = &l->cands[i];
		if (c->foundation[0])
			put(o, "a=candidate:%s", c->foundation);
		else
			put(o, "a=candidate:%zu", i + 1);
		put(o, " %u %s %" PRIu32 " %s %u typ %s",
		    c->component ? c->component : 1u,
		    c->transport == SDP_TRANSPORT_TCP ? "tcp" : "udp",
		    c->priority, c->addr, c->port, types[c->type]);
		if (c->transport == SDP_TRANSPORT_TCP)
			put(o, " tcptype %s", tcptypes[c->tcptype]);
		put(o, "\r\n");
	}
	put(o, "a=end-of-candidates\r\n");
}

static void
put_codec(struct out *o, const struct sdp_codec *c)
{
	static const struct {
		unsigned bit;
		const char *name;
	} fbs[] = {
		{ SDP_FB_REMB, "goog-remb" }, { SDP_FB_TWCC, "transport-cc" },
		{ SDP_FB_FIR, "ccm fir" }, { SDP_FB_NACK, "nack" },
		{ SDP_FB_PLI, "nack pli" },
	};
	size_t i;

	put(o, "a=rtpmap:%u %s/%" PRIu32, c->pt, c->name, c->clock);
	if (c->channels)
		put(o, "/%u", c->channels);
	put(o, "\r\n");
	for (i = 0; i < sizeof fbs / sizeof fbs[0]; i++)
		if (c->fb & fbs[i].bit)
			put(o, "a=rtcp-fb:%u %s\r\n", c->pt, fbs[i].name);
	if (c->fmtp[0])
		put(o, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
}

static bool
codec_ok(const struct sdp_codec *c)
{
	return c->pt <= 127 && c->clock > 0 &&
	    FIELD_OK(c->name, sdp_is_token, false) &&
	    FIELD_OK(c->fmtp, sdp_is_printable, true);
}

/* --- answer to a publish offer ------------------------------------------ */

/* The one codec klopfd takes from an offered m= section, or NULL. */
static const struct sdp_codec *
choose_codec(const struct sdp_media *m, unsigned flags)
{
	const struct sdp_codec *c;
	size_t i;

	for (i = 0; i < m->ncodecs; i++) {
		c = &m->codecs[i];
		if (m->kind == SDP_KIND_AUDIO && c->id == SDP_CODEC_OPUS &&
		    c->clock == 48000 && c->channels == 2)
			return c;
		if (m->kind == SDP_KIND_VIDEO && c->id == SDP_CODEC_VP8 &&
		    c->clock == 90000)
			return c;
		if (m->kind == SDP_KIND_VIDEO && c->id == SDP_CODEC_H264 &&
		    (flags & SDP_ANSWER_H264) && c->clock == 90000 &&
		    c->packetization_mode == 1)
			return c;
	}
	return NULL;
}

/* Whether klopfd takes this offered m= section, and with which codec. */
static bool
accepts(const struct sdp *offer, const struct sdp_media *m, unsigned flags,
    const struct sdp_codec **codec)
{
	*codec = NULL;
	if (m->kind != SDP_KIND_AUDIO && m->kind != SDP_KIND_VIDEO)
		return false;
	if (!sdp_in_bundle(offer, m->mid))
		return false;
	if (m->port == 0 && !m->bundle_only)
		return false;   /* the offerer disabled it */
	if (!sdp_span_ieq((struct span){ m->proto, strlen(m->proto) }, PROTO))
		return false;
	if (!m->rtcp_mux)
		return false;
	*codec = choose_codec(m, flags);
	return *codec != NULL;
}

static int
check_offer(const struct sdp *offer, unsigned flags, struct sdp_error *err)
{
	const struct sdp_codec *c;
	const struct sdp_media *m;
	size_t i;

	if (offer->nmedia == 0)
		return gen_fail(err, 0, "the offer has no m= line");
	if (!offer->has_bundle)
		return gen_fail(err, 0, "the offer has no a=group:BUNDLE "
		    "(the client must use bundle-policy max-bundle)");
	if (offer->ice_lite)
		return gen_fail(err, 0, "the offer is from an ICE-lite agent, "
		    "like klopfd: nobody would control ICE");
	for (i = 0; i < offer->nmedia; i++) {
		m = &offer->media[i];
		if (!FIELD_OK(m->mid, sdp_is_token, false))
			return gen_fail(err, m->line, "m= line without a=mid");
		if (!FIELD_OK(m->media, sdp_is_token, false) ||
		    !FIELD_OK(m->proto, sdp_is_visible, false) ||
		    !FIELD_OK(m->fmt0, sdp_is_token, false))
			return gen_fail(err, m->line, "bad m= line");
		if (!accepts(offer, m, flags, &c))
			continue;
		if (!m->ice_ufrag[0] || !m->ice_pwd[0])
			return gen_fail(err, m->line, "m= section (mid %s) "
			    "without a=ice-ufrag and a=ice-pwd", m->mid);
		if (m->fp.hash == SDP_HASH_NONE)
			return gen_fail(err, m->line, "m= section (mid %s) "
			    "without a=fingerprint", m->mid);
		if (m->setup == SDP_SETUP_PASSIVE ||
		    m->setup == SDP_SETUP_HOLDCONN)
			return gen_fail(err, m->line, "m= section (mid %s) has "
			    "a=setup:%s; klopfd is always the DTLS server",
			    m->mid, sdp_setup_name(m->setup));
		if (!codec_ok(c) || (sdp_codec_rtx_for(m, c->pt) &&
		    !codec_ok(sdp_codec_rtx_for(m, c->pt))))
			return gen_fail(err, m->line, "bad codec in m= section "
			    "(mid %s)", m->mid);
	}
	return 0;
}

static void
put_answer_media(struct out *o, const struct sdp_media *m,
    const struct sdp_codec *c, const struct sdp_local *l, unsigned flags)
{
	const struct sdp_codec *rtx = sdp_codec_rtx_for(m, c->pt);
	const struct sdp_extmap *e;
	struct sdp_codec main_codec = *c;
	size_t i;

	if (flags & SDP_ANSWER_NO_TWCC)
		main_codec.fb &= ~(unsigned)SDP_FB_TWCC;

	put(o, "m=%s 9 %s %u", m->media, m->proto, c->pt);
	if (rtx)
		put(o, " %u", rtx->pt);
	put(o, "\r\nc=IN IP4 0.0.0.0\r\n");
	if (l->video_kbps > 0 && strcmp(m->media, "video") == 0)
		put(o, "b=AS:%u\r\n", (unsigned)l->video_kbps);
	put(o, "a=mid:%s\r\na=%s\r\n", m->mid,
	    m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_SENDRECV ?
	    "recvonly" : "inactive");
	put_transport(o, l, SDP_SETUP_PASSIVE);
	put(o, "a=rtcp-mux\r\n");
	if (m->rtcp_rsize)
		put(o, "a=rtcp-rsize\r\n");
	for (i = 0; i < m->nextmaps; i++) {
		e = &m->extmaps[i];
		if (e->ext == SDP_EXT_OTHER || e->dir == SDP_DIR_RECVONLY ||
		    e->dir == SDP_DIR_INACTIVE ||
		    (e->ext == SDP_EXT_TWCC && (flags & SDP_ANSWER_NO_TWCC)))
			continue;
		put(o, "a=extmap:%u%s %s\r\n", e->id,
		    e->dir == SDP_DIR_SENDONLY ? "/recvonly" : "", e->uri);
	}
	put_codec(o, &main_codec);
	if (rtx)
		put_codec(o, rtx);
	put_candidates(o, l);
}

/* A rejected m= section: port 0, inactive, the mid kept (RFC 8843). */
static void
put_rejected(struct out *o, const char *media, const char *proto,
    const char *fmt, const char *mid, const struct sdp_local *l,
    enum sdp_setup setup)
{
	put(o, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\n"
	    "a=inactive\r\n", media, proto, fmt, mid);
	put_transport(o, l, setup);
	put(o, "a=rtcp-mux\r\n");
}

int
sdp_answer_publish(const struct sdp *offer, const struct sdp_local *local,
    unsigned flags, char *buf, size_t size, struct sdp_error *err)
{
	struct out o = { buf, size, 0, false };
	const struct sdp_codec *c;
	const struct sdp_media *m;
	size_t i, n = 0;

	memset(err, 0, sizeof *err);
	if (size > 0)
		buf[0] = '\0';
	if (offer->nmedia > SDP_MAX_MEDIA || offer->nbundle > SDP_MAX_MEDIA)
		return gen_fail(err, 0, "bad struct sdp");
	if (check_local(local, err) < 0 || check_offer(offer, flags, err) < 0)
		return -1;
	put_session(&o, local);
	/* The group in the offer's order, so that its first mid (the
	 * offerer's tagged m= section) stays first when it is accepted. */
	for (i = 0; i < offer->nbundle; i++) {
		m = sdp_media_by_mid(offer, offer->bundle[i]);
		if (!m || !accepts(offer, m, flags, &c))
			continue;
		put(&o, "%s %s", n++ ? "" : "a=group:BUNDLE", m->mid);
	}
	if (n)
		put(&o, "\r\n");
	for (i = 0; i < offer->nmedia; i++) {
		m = &offer->media[i];
		if (accepts(offer, m, flags, &c))
			put_answer_media(&o, m, c, local, flags);
		else
			put_rejected(&o, m->media, m->proto, m->fmt0, m->mid,
			    local, SDP_SETUP_PASSIVE);
	}
	return finish(&o, err);
}

/* --- subscribe offer ----------------------------------------------------- */

static int
check_tracks(const struct sdp_track *tracks, size_t n, struct sdp_error *err)
{
	const struct sdp_track *t;
	size_t i, j;

	if (n == 0)
		return gen_fail(err, 0, "no tracks to offer: send no offer");
	if (n > SDP_MAX_MEDIA)
		return gen_fail(err, 0, "%zu tracks, more than %d m= lines",
		    n, SDP_MAX_MEDIA);
	for (i = 0; i < n; i++) {
		t = &tracks[i];
		if (!FIELD_OK(t->mid, sdp_is_token, false))
			return gen_fail(err, 0, "track %zu: bad mid", i);
		for (j = 0; j < i; j++)
			if (strcmp(tracks[j].mid, t->mid) == 0)
				return gen_fail(err, 0, "track %zu: mid %s is "
				    "used twice", i, t->mid);
		if (t->kind != SDP_KIND_AUDIO && t->kind != SDP_KIND_VIDEO)
			return gen_fail(err, 0, "track %zu (mid %s): neither "
			    "audio nor video", i, t->mid);
		if (!codec_ok(&t->codec))
			return gen_fail(err, 0, "track %zu (mid %s): bad codec",
			    i, t->mid);
		if (!t->active)
			continue;
		if (t->has_rtx && (t->rtx_pt > 127 ||
		    t->rtx_pt == t->codec.pt || t->rtx_ssrc == t->ssrc))
			return gen_fail(err, 0, "track %zu (mid %s): bad rtx",
			    i, t->mid);
		if (!FIELD_OK(t->cname, sdp_is_visible, false) ||
		    !FIELD_OK(t->msid_stream, sdp_is_visible, false) ||
		    !FIELD_OK(t->msid_track, sdp_is_visible, false))
			return gen_fail(err, 0, "track %zu (mid %s): cname, "
			    "msid stream and track must be visible ASCII",
			    i, t->mid);
	}
	return 0;
}

static void
put_ssrc(struct out *o, const struct sdp_track *t, uint32_t ssrc)
{
	put(o, "a=ssrc:%" PRIu32 " cname:%s\r\n", ssrc, t->cname);
	put(o, "a=ssrc:%" PRIu32 " msid:%s %s\r\n", ssrc, t->msid_stream,
	    t->msid_track);
}

static void
put_track(struct out *o, const struct sdp_track *t, unsigned ext,
    const struct sdp_local *l)
{
	struct sdp_codec rtx;

	put(o, "m=%s 9 " PROTO " %u", sdp_kind_name(t->kind), t->codec.pt);
	if (t->has_rtx)
		put(o, " %u", t->rtx_pt);
	put(o, "\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=sendonly\r\n", t->mid);
	put_transport(o, l, SDP_SETUP_ACTPASS);
	put(o, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
	if (ext & SDP_EXT_ABS_SEND_TIME)
		put(o, "a=extmap:%d " SDP_URI_ABS_SEND_TIME "\r\n",
		    SDP_EXT_ID_ABS_SEND_TIME);
	if (ext & SDP_EXT_TWCC)
		put(o, "a=extmap:%d " SDP_URI_TWCC "\r\n", SDP_EXT_ID_TWCC);
	if (ext & SDP_EXT_MID)
		put(o, "a=extmap:%d " SDP_URI_MID "\r\n", SDP_EXT_ID_MID);
	put_codec(o, &t->codec);
	if (t->has_rtx) {
		memset(&rtx, 0, sizeof rtx);
		rtx.pt = t->rtx_pt;
		strcpy(rtx.name, "rtx");
		rtx.clock = t->codec.clock;
		snprintf(rtx.fmtp, sizeof rtx.fmtp, "apt=%u", t->codec.pt);
		put_codec(o, &rtx);
	}
	put(o, "a=msid:%s %s\r\n", t->msid_stream, t->msid_track);
	if (t->has_rtx)
		put(o, "a=ssrc-group:FID %" PRIu32 " %" PRIu32 "\r\n", t->ssrc,
		    t->rtx_ssrc);
	put_ssrc(o, t, t->ssrc);
	if (t->has_rtx)
		put_ssrc(o, t, t->rtx_ssrc);
	put_candidates(o, l);
}

int
sdp_offer_subscribe(const struct sdp_local *local,
    const struct sdp_track *tracks, size_t ntracks, unsigned ext,
    char *buf, size_t size, struct sdp_error *err)
{
	struct out o = { buf, size, 0, false };
	const struct sdp_track *t;
	size_t i, n = 0;

	memset(err, 0, sizeof *err);
	if (size > 0)
		buf[0] = '\0';
	if (check_local(local, err) < 0 ||
	    check_tracks(tracks, ntracks, err) < 0)
		return -1;
	put_session(&o, local);
	/* Every line stays in the group, the inactive ones too: a browser
	 * with bundlePolicy max-bundle refuses an offer whose lines are
	 * outside the group, and a line rejected with port 0 could not be
	 * reused for a later track anyway (RFC 8843 7.3.3). */
	for (i = 0; i < ntracks; i++)
		put(&o, "%s %s", n++ ? "" : "a=group:BUNDLE", tracks[i].mid);
	put(&o, "\r\n");
	put(&o, "a=msid-semantic: WMS *\r\n");
	for (i = 0; i < ntracks; i++) {
		t = &tracks[i];
		if (t->active) {
			put_track(&o, t, ext, local);
			continue;
		}
		put(&o, "m=%s 9 " PROTO " %u\r\nc=IN IP4 0.0.0.0\r\n"
		    "a=mid:%s\r\na=inactive\r\n", sdp_kind_name(t->kind),
		    t->codec.pt, t->mid);
		put_transport(&o, local, SDP_SETUP_ACTPASS);
		put(&o, "a=rtcp-mux\r\n");
		put_codec(&o, &t->codec);
	}
	return finish(&o, err);
}
