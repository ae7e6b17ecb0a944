/*
 * media_load_sdp: the SDP the load client writes. The publish offer is
 * shaped like Chromium 156's (tests/fixtures/sdp/chromium-156-publish-
 * offer.sdp: the same extmap ids, rtcp-fb lines and codec order, with
 * the H.264/VP9/AV1 variants cut down to one of each), so klopfd's
 * answer code does the work it does for a browser. The subscribe answer
 * is built from the parsed offer like Chromium's recvonly answers.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media_load.h"

struct out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

static void
put_transport(struct out *o, const char *ufrag, const char *pwd,
    const char *fingerprint, const char *setup)
{
	put(o, "c=IN IP4 0.0.0.0\r\n"
	    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
	    "a=ice-ufrag:%s\r\n"
	    "a=ice-pwd:%s\r\n"
	    "a=ice-options:trickle\r\n"
	    "a=fingerprint:%s\r\n"
	    "a=setup:%s\r\n", ufrag, pwd, fingerprint, setup);
}

static const char video_fb[] =
    "goog-remb\0transport-cc\0ccm fir\0nack\0nack pli\0";

static void
put_video_codec(struct out *o, unsigned pt, const char *name,
    const char *fmtp, unsigned rtx)
{
	put(o, "a=rtpmap:%u %s/90000\r\n", pt, name);
	for (const char *f = video_fb; *f; f += strlen(f) + 1)
		put(o, "a=rtcp-fb:%u %s\r\n", pt, f);
	if (fmtp != NULL)
		put(o, "a=fmtp:%u %s\r\n", pt, fmtp);
	put(o, "a=rtpmap:%u rtx/90000\r\na=fmtp:%u apt=%u\r\n", rtx, rtx, pt);
}

int
ml_sdp_publish_offer(const struct ml_offer_params *p, char *buf, size_t size)
{
	struct out o = { buf, size, 0, false };

	put(&o, "v=0\r\n"
	    "o=- %" PRIu64 " 2 IN IP4 127.0.0.1\r\n"
	    "s=-\r\n"
	    "t=0 0\r\n"
	    "a=group:BUNDLE 0 1\r\n"
	    "a=extmap-allow-mixed\r\n"
	    "a=msid-semantic: WMS %s\r\n", p->session_id, p->stream_id);

	put(&o, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n");
	put_transport(&o, p->ufrag, p->pwd, p->fingerprint, "actpass");
	if (p->candidate != NULL)
		put(&o, "a=%s\r\n", p->candidate);
	put(&o, "a=mid:0\r\n"
	    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
	    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/"
	    "abs-send-time\r\n"
	    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-"
	    "transport-wide-cc-extensions-01\r\n"
	    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	    "a=sendonly\r\n"
	    "a=msid:%s %s-audio\r\n"
	    "a=rtcp-mux\r\n"
	    "a=rtcp-rsize\r\n"
	    "a=rtpmap:111 opus/48000/2\r\n"
	    "a=rtcp-fb:111 transport-cc\r\n"
	    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	    "a=rtpmap:63 red/48000/2\r\n"
	    "a=fmtp:63 111/111\r\n"
	    "a=rtpmap:9 G722/8000\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n"
	    "a=rtpmap:8 PCMA/8000\r\n"
	    "a=rtpmap:13 CN/8000\r\n"
	    "a=rtpmap:110 telephone-event/48000\r\n"
	    "a=rtpmap:126 telephone-event/8000\r\n"
	    "a=ssrc:%" PRIu32 " cname:%s\r\n"
	    "a=ssrc:%" PRIu32 " msid:%s %s-audio\r\n",
	    p->stream_id, p->stream_id, p->audio_ssrc, p->cname,
	    p->audio_ssrc, p->stream_id, p->stream_id);

	put(&o, "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 98 99 45 46 "
	    "118 119 120\r\n");
	put_transport(&o, p->ufrag, p->pwd, p->fingerprint, "actpass");
	if (p->candidate != NULL)
		put(&o, "a=%s\r\n", p->candidate);
	put(&o, "a=mid:1\r\n"
	    "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
	    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/"
	    "abs-send-time\r\n"
	    "a=extmap:13 urn:3gpp:video-orientation\r\n"
	    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-"
	    "transport-wide-cc-extensions-01\r\n"
	    "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/"
	    "playout-delay\r\n"
	    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	    "a=sendonly\r\n"
	    "a=msid:%s %s-video\r\n"
	    "a=rtcp-mux\r\n"
	    "a=rtcp-rsize\r\n", p->stream_id, p->stream_id);
	put_video_codec(&o, 96, "VP8", NULL, 97);
	put_video_codec(&o, 102, "H264", "level-asymmetry-allowed=1;"
	    "packetization-mode=1;profile-level-id=42001f", 103);
	put_video_codec(&o, 98, "VP9", "profile-id=0", 99);
	put_video_codec(&o, 45, "AV1", "level-idx=5;profile=0;tier=0", 46);
	put(&o, "a=rtpmap:118 red/90000\r\n"
	    "a=rtpmap:119 rtx/90000\r\n"
	    "a=fmtp:119 apt=118\r\n"
	    "a=rtpmap:120 ulpfec/90000\r\n"
	    "a=ssrc-group:FID %" PRIu32 " %" PRIu32 "\r\n",
	    p->video_ssrc, p->rtx_ssrc);
	put(&o, "a=ssrc:%" PRIu32 " cname:%s\r\n"
	    "a=ssrc:%" PRIu32 " msid:%s %s-video\r\n"
	    "a=ssrc:%" PRIu32 " cname:%s\r\n"
	    "a=ssrc:%" PRIu32 " msid:%s %s-video\r\n",
	    p->video_ssrc, p->cname, p->video_ssrc, p->stream_id, p->stream_id,
	    p->rtx_ssrc, p->cname, p->rtx_ssrc, p->stream_id, p->stream_id);
	return o.overflow ? -1 : (int)o.len;
}

static void
put_fb(struct out *o, const struct sdp_codec *c)
{
	if (c->fb & SDP_FB_REMB)
		put(o, "a=rtcp-fb:%u goog-remb\r\n", c->pt);
	if (c->fb & SDP_FB_FIR)
		put(o, "a=rtcp-fb:%u ccm fir\r\n", c->pt);
	if (c->fb & SDP_FB_NACK)
		put(o, "a=rtcp-fb:%u nack\r\n", c->pt);
	if (c->fb & SDP_FB_PLI)
		put(o, "a=rtcp-fb:%u nack pli\r\n", c->pt);
}

int
ml_sdp_subscribe_answer(const struct sdp *offer, const char *ufrag,
    const char *pwd, const char *fingerprint, const char *candidate,
    uint64_t session_id, char *buf, size_t size)
{
	struct out o = { buf, size, 0, false };
	size_t n = 0;

	put(&o, "v=0\r\n"
	    "o=- %" PRIu64 " 2 IN IP4 127.0.0.1\r\n"
	    "s=-\r\n"
	    "t=0 0\r\n", session_id);
	for (size_t i = 0; i < offer->nmedia; i++)
		if (offer->media[i].port != 0)
			put(&o, "%s %s", n++ ? "" : "a=group:BUNDLE",
			    offer->media[i].mid);
	if (n > 0)
		put(&o, "\r\n");
	put(&o, "a=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n");
	for (size_t i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *m = &offer->media[i];
		const struct sdp_codec *c = m->rtp ? sdp_codec_main(m) : NULL;
		const struct sdp_codec *rtx;

		if (m->port == 0 || c == NULL) {
			put(&o, "m=%s 0 %s %s\r\n"
			    "c=IN IP4 0.0.0.0\r\n"
			    "a=mid:%s\r\n"
			    "a=inactive\r\n", m->media, m->proto, m->fmt0,
			    m->mid);
			continue;
		}
		rtx = sdp_codec_rtx_for(m, c->pt);
		if (rtx != NULL)
			put(&o, "m=%s 9 %s %u %u\r\n", m->media, m->proto,
			    c->pt, rtx->pt);
		else
			put(&o, "m=%s 9 %s %u\r\n", m->media, m->proto, c->pt);
		put_transport(&o, ufrag, pwd, fingerprint, "active");
		if (candidate != NULL)
			put(&o, "a=%s\r\n", candidate);
		put(&o, "a=mid:%s\r\n"
		    "a=recvonly\r\n"
		    "a=rtcp-mux\r\n", m->mid);
		if (c->channels > 0)
			put(&o, "a=rtpmap:%u %s/%" PRIu32 "/%u\r\n", c->pt,
			    c->name, c->clock, c->channels);
		else
			put(&o, "a=rtpmap:%u %s/%" PRIu32 "\r\n", c->pt,
			    c->name, c->clock);
		put_fb(&o, c);
		if (c->fmtp[0] != '\0')
			put(&o, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
		if (rtx != NULL)
			put(&o, "a=rtpmap:%u rtx/%" PRIu32 "\r\n"
			    "a=fmtp:%u apt=%u\r\n", rtx->pt, rtx->clock,
			    rtx->pt, c->pt);
	}
	return o.overflow ? -1 : (int)o.len;
}

int
ml_sdp_each_candidate(const struct sdp *s,
    int (*add)(void *ud, const char *line), void *ud)
{
	int n = 0;

	for (size_t i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		for (size_t k = 0; k < m->ncands; k++) {
			const struct sdp_candidate *c = &m->cands[k];
			char line[300];

			if (c->transport != SDP_TRANSPORT_UDP ||
			    c->type != SDP_CAND_HOST)
				continue;
			snprintf(line, sizeof(line), "candidate:%s %u udp %"
			    PRIu32 " %s %u typ host", c->foundation[0] ?
			    c->foundation : "1", c->component ? c->component :
			    1u, c->priority, c->addr, c->port);
			if (add(ud, line) == 0)
				n++;
		}
		if (n > 0)
			break;  /* BUNDLE: one transport, the first m= line's */
	}
	return n;
}
