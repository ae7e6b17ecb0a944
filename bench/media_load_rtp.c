/*
 * media_load_rtp: the load client's media: synthetic Opus and VP8 packets
 * paced per stream, RTCP like a browser's (SR and SDES on publish legs,
 * RR and REMB on subscribe legs, once a second), keyframes on PLI/FIR,
 * and the receivers' accounting: per stream, the packets of the window
 * that arrived (by the counter in each payload's trailer), sequence gaps,
 * and the end-to-end delay from the send time in the trailer.
 *
 * Allocates nothing per packet: one static packet buffer, fixed counters.
 */
#include <math.h>
#include <string.h>

#include "media_load.h"
#include "peer.h"
#include "rtcp.h"
#include "rtp.h"
#include "srtp.h"

#define AUDIO_INTERVAL_US 20000
#define TRICKLE_INTERVAL_US 200000      /* audio before the warm-up */
#define AUDIO_PAYLOAD 100               /* bytes, like Opus at ~32 kbit/s */
#define VIDEO_FPS 30
#define VIDEO_INTERVAL_US (1000000 / VIDEO_FPS)
#define VIDEO_PKTS_PER_FRAME 3          /* 90 packets/s */
#define VIDEO_RTP_LEN 1200              /* ~0.9 Mbit/s of RTP */
#define VIDEO_KEY_EVERY 90              /* frames: 3 s */
#define TRAILER_LEN 16
#define TRAILER_MAGIC 0x4b4c4231u       /* "KLB1" */
#define PKT_CAP (PEER_MAX_DATAGRAM + KSRTP_RTCP_OVERHEAD_MAX)

struct ml_traffic ml_traffic;

static _Alignas(8) uint8_t pkt[PKT_CAP];
static const uint8_t zeros[PEER_MAX_DATAGRAM];

static struct ml_part *
other(struct ml_part *p)
{
	return p->clerk ? &p->room->citizen : &p->room->clerk;
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* --- sending media ------------------------------------------------------- */

/* Writes the RTP header with our extension block (sdes:mid and
 * abs-send-time, with the ids klopfd answered) into pkt; returns its
 * length. */
static size_t
rtp_header(struct ml_part *p, struct ml_stream *s, bool marker, int64_t now)
{
	size_t n = RTP_HEADER_LEN, ext;
	const char *mid = p->mid[s->video];
	size_t midlen = strlen(mid);

	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | p->pt[s->video]);
	put16(pkt + 2, s->seq);
	put32(pkt + 4, s->ts);
	put32(pkt + 8, s->ssrc);
	if (p->ext_mid == 0 && p->ext_abs == 0)
		return n;
	pkt[0] |= 0x10;
	put16(pkt + n, RTP_EXT_PROFILE_ONE_BYTE);
	ext = n + 4;
	n = ext;
	if (p->ext_mid != 0 && midlen >= 1 && midlen <= 16) {
		pkt[n++] = (uint8_t)(p->ext_mid << 4 | (midlen - 1));
		memcpy(pkt + n, mid, midlen);
		n += midlen;
	}
	if (p->ext_abs != 0) {
		/* 6.18 fixed point seconds, 24 bits */
		uint32_t v = (uint32_t)(((uint64_t)now << 18) / 1000000) &
		    0xffffff;

		pkt[n++] = (uint8_t)(p->ext_abs << 4 | 2);
		pkt[n++] = (uint8_t)(v >> 16);
		pkt[n++] = (uint8_t)(v >> 8);
		pkt[n++] = (uint8_t)v;
	}
	while ((n - ext) % 4 != 0)
		pkt[n++] = 0;
	put16(pkt + ext - 2, (uint16_t)((n - ext) / 4));
	return n;
}

/* Finishes the packet of len bytes (payload zero-filled up to it) with
 * the trailer and sends it. */
static void
send_packet(struct ml_part *p, struct ml_stream *s, size_t len, int64_t now)
{
	uint8_t *t = pkt + len - TRAILER_LEN;

	put32(t, TRAILER_MAGIC);
	put32(t + 4, s->ctr);
	put32(t + 8, (uint32_t)((uint64_t)now >> 32));
	put32(t + 12, (uint32_t)now);
	s->ctr++;
	s->seq++;
	if (peer_send_rtp(p->pub, pkt, len, sizeof(pkt)) != 0) {
		s->send_failed++;
		return;
	}
	s->sent++;
	s->octets += len;
	if (ml_traffic.window == ML_WIN_OPEN && p->room->measured)
		s->win_sent++;
}

static void
send_audio(struct ml_part *p, struct ml_stream *s, int64_t now)
{
	size_t h = rtp_header(p, s, false, now);
	size_t len = h + AUDIO_PAYLOAD;

	memset(pkt + h, 0x5a, AUDIO_PAYLOAD - TRAILER_LEN);
	pkt[h] = 0x78;                  /* an Opus TOC byte: CELT FB 20 ms */
	send_packet(p, s, len, now);
	s->ts += 960;
}

static void
send_video(struct ml_part *p, struct ml_stream *s, int64_t now)
{
	bool key = s->want_key || s->frames % VIDEO_KEY_EVERY == 0;

	for (int i = 0; i < VIDEO_PKTS_PER_FRAME; i++) {
		size_t h = rtp_header(p, s, i == VIDEO_PKTS_PER_FRAME - 1, now);
		uint8_t *d = pkt + h;

		memcpy(d + 14, zeros, VIDEO_RTP_LEN - h - 14);
		/* RFC 7741 descriptor: X, S on the first packet, PID 0; I
		 * with a 15-bit picture id */
		d[0] = i == 0 ? 0x90 : 0x80;
		d[1] = 0x80;
		d[2] = (uint8_t)(0x80 | (s->picture_id >> 8 & 0x7f));
		d[3] = (uint8_t)s->picture_id;
		if (i == 0 && key) {
			/* frame tag P=0, show_frame, then start code and
			 * 640x480 */
			static const uint8_t kf[10] = { 0x10, 0x02, 0x00, 0x9d,
			    0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01 };
			memcpy(d + 4, kf, sizeof(kf));
		} else if (i == 0) {
			d[4] = 0x11;    /* P=1: an interframe */
			d[5] = 0x02;
			d[6] = 0x00;
			memset(d + 7, 0, 7);
		} else {
			memset(d + 4, 0x33, 10);
		}
		send_packet(p, s, VIDEO_RTP_LEN, now);
	}
	s->want_key = false;
	s->frames++;
	s->picture_id = (uint16_t)((s->picture_id + 1) & 0x7fff);
	s->ts += 90000 / VIDEO_FPS;
}

void
ml_rtp_pace(struct ml_room *rooms, int n, int64_t now)
{
	static int64_t last;

	if (ml_traffic.window == ML_WIN_OPEN && last != 0 &&
	    now - last > ML_STALL_US)
		ml_traffic.stalls++;
	last = now;
	if (ml_traffic.window == ML_WIN_CLOSED)
		return;         /* draining: only RTCP goes on */
	for (int i = 0; i < n; i++) {
		struct ml_part *ps[2] = { &rooms[i].clerk, &rooms[i].citizen };

		for (int k = 0; k < 2; k++) {
			struct ml_part *p = ps[k];

			if (!p->sending)
				continue;
			while (p->st[0].next_us <= now) {
				send_audio(p, &p->st[0], now);
				p->st[0].next_us += ml_traffic.video_on ?
				    AUDIO_INTERVAL_US : TRICKLE_INTERVAL_US;
			}
			if (!ml_traffic.video_on)
				p->st[1].next_us = now + g_random_int_range(0,
				    VIDEO_INTERVAL_US);
			while (p->st[1].next_us <= now) {
				send_video(p, &p->st[1], now);
				p->st[1].next_us += VIDEO_INTERVAL_US;
			}
		}
	}
}

void
ml_rtp_start(struct ml_part *p, int64_t now)
{
	if (p->sending)
		return;
	p->sending = true;
	p->st[0].next_us = now + g_random_int_range(0, AUDIO_INTERVAL_US);
	p->st[1].next_us = now + g_random_int_range(0, VIDEO_INTERVAL_US);
}

/* --- receiving ----------------------------------------------------------- */

void
ml_rtp_pub_rtcp(void *ud, uint8_t *buf, size_t len)
{
	struct ml_part *p = ud;
	struct rtcp_iter it;
	struct rtcp_pkt r;

	rtcp_iter_init(&it, buf, len);
	while (rtcp_next(&it, &r) == 1)
		if ((r.kind == RTCP_KIND_PLI &&
		    rtcp_fb_media_ssrc(&r) == p->st[1].ssrc) ||
		    r.kind == RTCP_KIND_FIR) {
			p->st[1].want_key = true;
			p->pli_rx++;
		}
}

void
ml_rtp_pub_rtp(void *ud, uint8_t *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
}

void
ml_rtp_sub_rtp(void *ud, uint8_t *buf, size_t len)
{
	struct ml_part *p = ud;
	struct ml_part *o = other(p);
	struct ml_stream *s;
	uint32_t ssrc, ctr;
	uint16_t seq;
	int64_t sent_us, d;
	bool in_window;

	if (len < RTP_HEADER_LEN + TRAILER_LEN)
		return;
	ssrc = get32(buf + 8);
	if (ssrc == o->st[0].ssrc)
		s = &o->st[0];
	else if (ssrc == o->st[1].ssrc)
		s = &o->st[1];
	else {
		p->rx_foreign++;        /* another room's stream: a leak */
		return;
	}
	if (get32(buf + len - TRAILER_LEN) != TRAILER_MAGIC)
		return;
	ctr = get32(buf + len - 12);
	sent_us = (int64_t)((uint64_t)get32(buf + len - 8) << 32 |
	    get32(buf + len - 4));
	seq = (uint16_t)(buf[2] << 8 | buf[3]);
	s->rx++;
	in_window = ml_traffic.window != ML_WIN_BEFORE && p->room->measured &&
	    s->win_c0 <= ctr &&
	    (ml_traffic.window == ML_WIN_OPEN || ctr < s->win_c1);
	if (s->rx_started) {
		uint16_t gap = (uint16_t)(seq - s->rx_last_seq);

		if (gap == 0 || gap > 0x8000) {
			s->rx_reordered += in_window;
		} else {
			if (in_window)
				s->rx_gaps += gap - 1u;
			s->rx_last_seq = seq;
		}
	} else {
		s->rx_started = true;
		s->rx_last_seq = seq;
	}
	if (in_window) {
		s->rx_win++;
		d = g_get_monotonic_time() - sent_us;
		if (d < 0)
			d = 0;
		ml_traffic.e2e[d / ML_E2E_BUCKET_US < ML_E2E_BUCKETS ?
		    d / ML_E2E_BUCKET_US : ML_E2E_BUCKETS]++;
		ml_traffic.e2e_n++;
	}
}

void
ml_rtp_sub_rtcp(void *ud, uint8_t *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
}

/* --- RTCP of our own, once a second -------------------------------------- */

static void
send_reports(struct ml_part *p)
{
	struct ml_part *o = other(p);
	int64_t real = g_get_real_time();
	uint64_t ntp_s = (uint64_t)(real / 1000000) + 2208988800u;
	uint64_t ntp = ntp_s << 32 | (uint64_t)(real % 1000000) * 4294u;
	int n, m;

	if (p->sending && peer_get_state(p->pub) == PEER_CONNECTED) {
		for (int k = 0; k < 2; k++) {
			struct ml_stream *s = &p->st[k];
			struct rtcp_sender_info si = { s->ssrc, ntp, s->ts,
			    (uint32_t)s->sent, (uint32_t)s->octets };

			n = rtcp_build_sr(pkt, sizeof(pkt) - 64, &si, NULL, 0);
			m = n < 0 ? -1 : rtcp_build_sdes(pkt + n, sizeof(pkt) -
			    64 - (size_t)n, s->ssrc, p->cname, strlen(p->cname));
			if (m > 0)
				(void)peer_send_rtcp(p->pub, pkt, (size_t)(n + m),
				    sizeof(pkt));
		}
	}
	if (p->sub != NULL && peer_get_state(p->sub) == PEER_CONNECTED) {
		struct rtcp_report_block rb[2];
		size_t nrb = 0;
		uint32_t video = o->st[1].ssrc;

		memset(rb, 0, sizeof(rb));
		for (int k = 0; k < 2; k++)
			if (o->st[k].rx_started) {
				rb[nrb].ssrc = o->st[k].ssrc;
				rb[nrb].ext_highest_seq = o->st[k].rx_last_seq;
				nrb++;
			}
		n = rtcp_build_rr(pkt, sizeof(pkt) - 64, p->rtcp_ssrc, rb, nrb);
		m = n < 0 ? -1 : rtcp_build_remb(pkt + n, sizeof(pkt) - 64 -
		    (size_t)n, p->rtcp_ssrc, 2000000, &video, 1);
		if (m > 0)
			(void)peer_send_rtcp(p->sub, pkt, (size_t)(n + m),
			    sizeof(pkt));
	}
}

void
ml_rtp_reports(struct ml_room *rooms, int n)
{
	for (int i = 0; i < n; i++) {
		send_reports(&rooms[i].clerk);
		send_reports(&rooms[i].citizen);
	}
}

double
ml_rtp_e2e_quantile(double q, bool *above)
{
	uint64_t want = (uint64_t)ceil(q * (double)ml_traffic.e2e_n), cum = 0;

	*above = false;
	if (ml_traffic.e2e_n == 0)
		return NAN;
	for (int i = 0; i < ML_E2E_BUCKETS; i++) {
		cum += ml_traffic.e2e[i];
		if (cum >= want)
			return (i + 0.5) * ML_E2E_BUCKET_US / 1e3;
	}
	*above = true;
	return (double)ML_E2E_BUCKETS * ML_E2E_BUCKET_US / 1e3;
}
