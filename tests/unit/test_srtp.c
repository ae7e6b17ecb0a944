/*
 * test_srtp: SRTP/SRTCP sessions keyed by a real DTLS handshake between
 * two of our endpoints (server = klopfd, client = browser), both
 * profiles: round trips both ways, tampering, replay and the replay
 * window, NACK retransmissions re-protected under allow_repeat_tx, buffer
 * capacity, malformed lengths and random garbage. And against libsrtp2
 * as the reference implementation: byte for byte the same SRTP/SRTCP
 * packets, each side unprotecting what the other protected, across
 * rollover-counter wraps, with replays and tampering refused alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <srtp2/srtp.h>

#include "dtls.h"
#include "srtp.h"

#define PKT_CAP 1600

/* The two ends of one transport. */
struct pair {
	struct ksrtp *server;   /* klopfd */
	struct ksrtp *client;   /* the browser */
	size_t tag;             /* RTP auth tag length */
};

static struct dtls_identity *server_id;
static struct dtls_identity *client_id;

/* --- a real DTLS handshake in memory ------------------------------------- */

struct queue {
	size_t n;
	size_t len[16];
	uint8_t buf[16][DTLS_MTU];
};

static void
queue_cb(const uint8_t *buf, size_t len, void *user)
{
	struct queue *q = user;

	assert_true(q->n < 16 && len <= DTLS_MTU);
	memcpy(q->buf[q->n], buf, len);
	q->len[q->n++] = len;
}

static void
flush(struct queue *q, struct dtls *to)
{
	size_t n = q->n;

	q->n = 0;
	for (size_t i = 0; i < n; i++)
		dtls_receive(to, q->buf[i], q->len[i]);
}

/* Handshakes with the client offering client_profiles and returns both
 * ends' keys. */
static void
handshake(const char *client_profiles, struct dtls_srtp_keys *ks,
    struct dtls_srtp_keys *kc)
{
	static struct queue qs, qc;
	struct dtls *s, *c;

	qs.n = qc.n = 0;
	s = dtls_new(server_id, DTLS_ROLE_SERVER,
	    dtls_identity_fingerprint(client_id), queue_cb, &qs);
	c = dtls_new(client_id, DTLS_ROLE_CLIENT,
	    dtls_identity_fingerprint(server_id), queue_cb, &qc);
	assert_non_null(s);
	assert_non_null(c);
	assert_int_equal(dtls_set_srtp_profiles(c, client_profiles), 0);
	dtls_start(s);
	dtls_start(c);
	for (int i = 0; i < 10 && (qs.n > 0 || qc.n > 0); i++) {
		flush(&qc, s);
		flush(&qs, c);
	}
	assert_int_equal(dtls_state(s), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_state(c), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_srtp_keys(s, ks), 0);
	assert_int_equal(dtls_srtp_keys(c, kc), 0);
	dtls_free(s);
	dtls_free(c);
}

static struct pair
pair_new(enum dtls_srtp_profile profile)
{
	struct dtls_srtp_keys ks, kc;
	struct pair p;

	handshake(profile == DTLS_SRTP_AEAD_AES_128_GCM ?
	    "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80", &ks, &kc);
	assert_int_equal(ks.profile, profile);
	p.server = ksrtp_new(&ks);
	p.client = ksrtp_new(&kc);
	dtls_srtp_keys_wipe(&ks);
	dtls_srtp_keys_wipe(&kc);
	assert_non_null(p.server);
	assert_non_null(p.client);
	assert_int_equal(ksrtp_profile(p.server), profile);
	p.tag = ksrtp_rtp_overhead(p.server);
	return p;
}

static void
pair_free(struct pair *p)
{
	ksrtp_free(p->server);
	ksrtp_free(p->client);
}

static const enum dtls_srtp_profile profiles[] = {
	DTLS_SRTP_AEAD_AES_128_GCM,
	DTLS_SRTP_AES128_CM_SHA1_80,
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* --- packets ------------------------------------------------------------- */

/* An RTP packet (VP8-like, payload type 96) with payload_len bytes of a
 * pattern that depends on seq; returns its length. */
static size_t
rtp_make(uint8_t *buf, uint32_t ssrc, uint16_t seq, size_t payload_len)
{
	uint32_t ts = 90u * seq;

	buf[0] = 0x80;
	buf[1] = 96;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = (uint8_t)(ts >> 24);
	buf[5] = (uint8_t)(ts >> 16);
	buf[6] = (uint8_t)(ts >> 8);
	buf[7] = (uint8_t)ts;
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < payload_len; i++)
		buf[12 + i] = (uint8_t)(i * 7 + seq);
	return 12 + payload_len;
}

/* A receiver report with one report block and an SDES CNAME chunk. */
static size_t
rtcp_make(uint8_t *buf, uint32_t ssrc)
{
	static const uint8_t rr[] = {
		0x81, 201, 0, 7,                /* RR, 1 block, 8 words */
		0, 0, 0, 0,                     /* sender SSRC */
		0x11, 0x22, 0x33, 0x44,         /* source SSRC */
		0, 0, 0, 3,                     /* lost */
		0, 0, 0x10, 0x00,               /* highest seq */
		0, 0, 0, 9,                     /* jitter */
		0, 0, 0, 0, 0, 0, 0, 0,         /* LSR, DLSR */
		0x81, 202, 0, 3,                /* SDES, 1 chunk */
		0, 0, 0, 0,                     /* SSRC */
		1, 5, 'k', 'l', 'o', 'p', 'f', 0,       /* CNAME, end */
	};

	memcpy(buf, rr, sizeof(rr));
	for (int i = 0; i < 4; i++) {
		buf[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
		buf[36 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	return sizeof(rr);
}

/* 4-byte aligned packet buffers, as libsrtp wants them. */
struct pkt {
	_Alignas(8) uint8_t b[PKT_CAP];
	size_t len;
};

/* --- round trips --------------------------------------------------------- */

static void
rtp_round_trip(struct ksrtp *from, struct ksrtp *to, size_t tag,
    uint32_t ssrc, uint16_t seq, size_t payload)
{
	struct pkt p, orig;

	p.len = rtp_make(p.b, ssrc, seq, payload);
	orig = p;
	assert_int_equal(ksrtp_protect_rtp(from, p.b, &p.len, PKT_CAP),
	    KSRTP_OK);
	assert_int_equal(p.len, orig.len + tag);
	assert_memory_equal(p.b, orig.b, 12);   /* header in the clear */
	if (payload >= 16)
		assert_memory_not_equal(p.b + 12, orig.b + 12, 16);
	assert_int_equal(ksrtp_unprotect_rtp(to, p.b, &p.len), KSRTP_OK);
	assert_int_equal(p.len, orig.len);
	assert_memory_equal(p.b, orig.b, orig.len);
}

static void
rtcp_round_trip(struct ksrtp *from, struct ksrtp *to, uint32_t ssrc)
{
	struct pkt p, orig;

	p.len = rtcp_make(p.b, ssrc);
	orig = p;
	assert_int_equal(ksrtp_protect_rtcp(from, p.b, &p.len, PKT_CAP),
	    KSRTP_OK);
	assert_int_equal(p.len, orig.len + ksrtp_rtcp_overhead(from));
	assert_memory_equal(p.b, orig.b, 8);    /* first header, SSRC */
	assert_memory_not_equal(p.b + 8, orig.b + 8, orig.len - 8);
	/* E flag (encrypted) and index: behind the tag for AEAD (RFC 7714
	 * 17), in front of it for AES-CM (RFC 3711 3.4) */
	assert_true(p.b[ksrtp_profile(from) == DTLS_SRTP_AEAD_AES_128_GCM ?
	    orig.len + 16 : orig.len] & 0x80);
	assert_int_equal(ksrtp_unprotect_rtcp(to, p.b, &p.len), KSRTP_OK);
	assert_int_equal(p.len, orig.len);
	assert_memory_equal(p.b, orig.b, orig.len);
}

static void
test_rtp_and_rtcp_round_trip_both_ways_both_profiles(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);

		assert_int_equal(p.tag, profiles[i] ==
		    DTLS_SRTP_AEAD_AES_128_GCM ? 16 : 10);
		assert_int_equal(ksrtp_rtcp_overhead(p.server), p.tag + 4);
		for (uint16_t seq = 1000; seq < 1100; seq++) {
			/* klopfd → browser, browser → klopfd */
			rtp_round_trip(p.server, p.client, p.tag, 0xaabbccdd,
			    seq, 1 + (seq * 37u) % 1188);
			rtp_round_trip(p.client, p.server, p.tag, 0x01020304,
			    seq, 160);
		}
		/* an empty payload (padding-only probes) and a full one */
		rtp_round_trip(p.server, p.client, p.tag, 0xaabbccdd, 1100, 0);
		rtp_round_trip(p.server, p.client, p.tag, 0xaabbccdd, 1101,
		    PKT_CAP - 12 - p.tag);
		for (int k = 0; k < 5; k++) {
			rtcp_round_trip(p.server, p.client, 1);
			rtcp_round_trip(p.client, p.server, 0x01020304);
		}
		pair_free(&p);
	}
}

static void
test_csrcs_and_header_extension_round_trip(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);
		struct pkt k, orig;

		/* V=2, X=1, CC=2; two CSRCs; one-byte extension with mid */
		k.len = rtp_make(k.b, 0x5555, 7, 0);
		k.b[0] = 0x80 | 0x10 | 2;
		memset(k.b + 12, 0x11, 8);
		k.b[20] = 0xbe;
		k.b[21] = 0xde;
		k.b[22] = 0;
		k.b[23] = 1;                    /* one word */
		k.b[24] = 0x40;                 /* id 4, len 1 */
		k.b[25] = '0';
		k.b[26] = 0;
		k.b[27] = 0;
		memset(k.b + 28, 0x77, 100);
		k.len = 128;
		orig = k;
		assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &k.len,
		    PKT_CAP), KSRTP_OK);
		assert_memory_equal(k.b, orig.b, 28);   /* header clear */
		assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &k.len),
		    KSRTP_OK);
		assert_int_equal(k.len, orig.len);
		assert_memory_equal(k.b, orig.b, orig.len);
		pair_free(&p);
	}
}

static void
test_many_ssrcs_share_one_session(void **state)
{
	struct pair p = pair_new(DTLS_SRTP_AEAD_AES_128_GCM);

	/* An SFU sends many forwarded streams over one subscriber leg;
	 * libsrtp keeps a replay window per SSRC. */
	for (uint16_t seq = 1; seq <= 20; seq++)
		for (uint32_t ssrc = 1; ssrc <= 16; ssrc++)
			rtp_round_trip(p.server, p.client, p.tag, ssrc * 1000,
			    seq, 200);
	/* the same sequence number on another SSRC is not a replay */
	rtp_round_trip(p.server, p.client, p.tag, 424242, 20, 50);
	pair_free(&p);
}

/* --- attacks and damage -------------------------------------------------- */

static void
test_tampered_packets_fail_authentication(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);
		/* payload, tag, and a header byte (authenticated) */
		size_t at[3];

		for (uint16_t seq = 1; seq <= 3; seq++) {
			struct pkt k;

			k.len = rtp_make(k.b, 99, seq, 300);
			assert_int_equal(ksrtp_protect_rtp(p.server, k.b,
			    &k.len, PKT_CAP), KSRTP_OK);
			at[0] = 100;
			at[1] = k.len - 1;
			at[2] = 1;                      /* marker / PT */
			k.b[at[seq - 1]] ^= 0x01;
			assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b,
			    &k.len), KSRTP_ERR_AUTH);
		}
		for (int j = 0; j < 3; j++) {
			struct pkt k;
			size_t where;

			k.len = rtcp_make(k.b, 5);
			assert_int_equal(ksrtp_protect_rtcp(p.server, k.b,
			    &k.len, PKT_CAP), KSRTP_OK);
			where = j == 0 ? 20 : j == 1 ? k.len - 1 : 4;
			k.b[where] ^= 0x40;
			assert_int_equal(ksrtp_unprotect_rtcp(p.client, k.b,
			    &k.len), KSRTP_ERR_AUTH);
		}
		/* the genuine packets still go through afterwards */
		rtp_round_trip(p.server, p.client, p.tag, 99, 4, 300);
		rtcp_round_trip(p.server, p.client, 5);
		pair_free(&p);
	}
}

static void
test_keys_of_another_transport_fail_authentication(void **state)
{
	struct pair a = pair_new(DTLS_SRTP_AEAD_AES_128_GCM);
	struct pair b = pair_new(DTLS_SRTP_AEAD_AES_128_GCM);
	struct pkt k;

	k.len = rtp_make(k.b, 1, 1, 500);
	assert_int_equal(ksrtp_protect_rtp(a.server, k.b, &k.len, PKT_CAP),
	    KSRTP_OK);
	assert_int_equal(ksrtp_unprotect_rtp(b.client, k.b, &k.len),
	    KSRTP_ERR_AUTH);
	/* and our own outbound key is not our inbound key */
	k.len = rtp_make(k.b, 1, 2, 500);
	assert_int_equal(ksrtp_protect_rtp(a.server, k.b, &k.len, PKT_CAP),
	    KSRTP_OK);
	assert_int_equal(ksrtp_unprotect_rtp(a.server, k.b, &k.len),
	    KSRTP_ERR_AUTH);
	pair_free(&a);
	pair_free(&b);
}

static void
test_replayed_packets_are_refused(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);
		struct pkt k, copy;

		k.len = rtp_make(k.b, 77, 500, 400);
		assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &k.len,
		    PKT_CAP), KSRTP_OK);
		copy = k;
		assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &k.len),
		    KSRTP_OK);
		assert_int_equal(ksrtp_unprotect_rtp(p.client, copy.b,
		    &copy.len), KSRTP_ERR_REPLAY);

		k.len = rtcp_make(k.b, 77);
		assert_int_equal(ksrtp_protect_rtcp(p.server, k.b, &k.len,
		    PKT_CAP), KSRTP_OK);
		copy = k;
		assert_int_equal(ksrtp_unprotect_rtcp(p.client, k.b, &k.len),
		    KSRTP_OK);
		assert_int_equal(ksrtp_unprotect_rtcp(p.client, copy.b,
		    &copy.len), KSRTP_ERR_REPLAY);
		pair_free(&p);
	}
}

static void
test_replay_window_accepts_late_packets_within_it_only(void **state)
{
	struct pair p = pair_new(DTLS_SRTP_AEAD_AES_128_GCM);
	struct pkt old, inside, k;

	/* Protect seq 1100 and 1101 first, deliver them last. */
	old.len = rtp_make(old.b, 3, 1100, 100);
	assert_int_equal(ksrtp_protect_rtp(p.server, old.b, &old.len,
	    PKT_CAP), KSRTP_OK);
	inside.len = rtp_make(inside.b, 3, 1101, 100);
	assert_int_equal(ksrtp_protect_rtp(p.server, inside.b, &inside.len,
	    PKT_CAP), KSRTP_OK);
	/* The receiver sees seq 2000..2124 arrive first. */
	for (uint16_t seq = 2000; seq < 2125; seq++)
		rtp_round_trip(p.server, p.client, p.tag, 3, seq, 100);
	/* 1023 behind the newest (2124): the window's last slot */
	assert_int_equal(ksrtp_unprotect_rtp(p.client, inside.b, &inside.len),
	    KSRTP_OK);
	/* 1024 behind: older than the window */
	assert_int_equal(ksrtp_unprotect_rtp(p.client, old.b, &old.len),
	    KSRTP_ERR_TOO_OLD);
	k.len = rtp_make(k.b, 3, 2125, 100);
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &k.len, PKT_CAP),
	    KSRTP_OK);
	assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &k.len), KSRTP_OK);
	pair_free(&p);
}

static void
test_nack_retransmission_is_reprotected_and_fills_the_gap(void **state)
{
	/* What is tested: klopfd answers a NACK by protecting its stored
	 * plaintext copy of the lost packet again (same SSRC, sequence
	 * number and payload). allow_repeat_tx lets the outbound session do
	 * that although it has protected this index before; the result is
	 * byte for byte the original SRTP packet (same key, same index), so
	 * no keystream is reused with other data. The receiver, which never
	 * got the original, accepts it once: its window had a hole there. A
	 * retransmission of a packet it already has is a replay. */
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);
		struct pkt sent[5], plain[5], again;

		for (int j = 0; j < 5; j++) {
			sent[j].len = rtp_make(sent[j].b, 0xbeef,
			    (uint16_t)(10 + j), 900);
			plain[j] = sent[j];
			assert_int_equal(ksrtp_protect_rtp(p.server,
			    sent[j].b, &sent[j].len, PKT_CAP), KSRTP_OK);
		}
		for (int j = 0; j < 5; j++) {
			struct pkt k = sent[j];

			if (j == 2)
				continue;               /* lost on the way */
			assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b,
			    &k.len), KSRTP_OK);
		}
		again = plain[2];
		assert_int_equal(ksrtp_protect_rtp(p.server, again.b,
		    &again.len, PKT_CAP), KSRTP_OK);
		assert_int_equal(again.len, sent[2].len);
		assert_memory_equal(again.b, sent[2].b, again.len);
		assert_int_equal(ksrtp_unprotect_rtp(p.client, again.b,
		    &again.len), KSRTP_OK);
		assert_memory_equal(again.b, plain[2].b, plain[2].len);
		/* a second answer to the same NACK is a duplicate */
		again = plain[2];
		assert_int_equal(ksrtp_protect_rtp(p.server, again.b,
		    &again.len, PKT_CAP), KSRTP_OK);
		assert_int_equal(ksrtp_unprotect_rtp(p.client, again.b,
		    &again.len), KSRTP_ERR_REPLAY);
		/* and the stream goes on */
		rtp_round_trip(p.server, p.client, p.tag, 0xbeef, 15, 900);
		pair_free(&p);
	}
}

/* --- lengths and capacity ------------------------------------------------ */

static void
test_capacity_without_room_for_trailer_is_refused(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);
		size_t rtcp_over = ksrtp_rtcp_overhead(p.server);
		struct pkt k, orig;
		uint8_t *exact;

		k.len = rtp_make(k.b, 8, 1, 200);
		orig = k;
		assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &k.len,
		    k.len + p.tag - 1), KSRTP_ERR_NO_ROOM);
		assert_int_equal(k.len, orig.len);
		assert_memory_equal(k.b, orig.b, orig.len);
		assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &k.len,
		    k.len - 1), KSRTP_ERR_NO_ROOM);      /* cap < len */
		/* exactly enough, in a heap block of exactly that size */
		exact = malloc(orig.len + p.tag);
		assert_non_null(exact);
		memcpy(exact, orig.b, orig.len);
		k.len = orig.len;
		assert_int_equal(ksrtp_protect_rtp(p.server, exact, &k.len,
		    orig.len + p.tag), KSRTP_OK);
		assert_int_equal(ksrtp_unprotect_rtp(p.client, exact, &k.len),
		    KSRTP_OK);
		assert_memory_equal(exact, orig.b, orig.len);
		free(exact);

		k.len = rtcp_make(k.b, 8);
		orig = k;
		assert_int_equal(ksrtp_protect_rtcp(p.server, k.b, &k.len,
		    k.len + rtcp_over - 1), KSRTP_ERR_NO_ROOM);
		assert_int_equal(k.len, orig.len);
		assert_memory_equal(k.b, orig.b, orig.len);
		exact = malloc(orig.len + rtcp_over);
		assert_non_null(exact);
		memcpy(exact, orig.b, orig.len);
		assert_int_equal(ksrtp_protect_rtcp(p.server, exact, &k.len,
		    orig.len + rtcp_over), KSRTP_OK);
		assert_int_equal(ksrtp_unprotect_rtcp(p.client, exact, &k.len),
		    KSRTP_OK);
		free(exact);
		pair_free(&p);
	}
}

static void
test_short_and_malformed_packets_are_refused(void **state)
{
	struct pair p = pair_new(DTLS_SRTP_AES128_CM_SHA1_80);
	struct pkt k;
	size_t len;

	k.len = rtp_make(k.b, 1, 1, 0);
	len = 11;
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	len = 0;
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	len = 12 + p.tag - 1;
	assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &len),
	    KSRTP_ERR_TOO_SHORT);
	/* fifteen CSRCs announced, none present */
	k.b[0] = 0x8f;
	len = 40;
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &len),
	    KSRTP_ERR_TOO_SHORT);
	/* an extension longer than the packet */
	k.b[0] = 0x90;
	k.b[12] = 0xbe;
	k.b[13] = 0xde;
	k.b[14] = 0xff;
	k.b[15] = 0xff;
	len = 40;
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &len),
	    KSRTP_ERR_TOO_SHORT);
	len = 14;               /* X set, extension header cut off */
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	/* version 0 (a STUN message, say) */
	k.b[0] = 0x00;
	len = 40;
	assert_int_equal(ksrtp_protect_rtp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_BAD_PACKET);
	assert_int_equal(ksrtp_unprotect_rtp(p.client, k.b, &len),
	    KSRTP_ERR_BAD_PACKET);
	/* RTCP */
	k.len = rtcp_make(k.b, 1);
	len = 7;
	assert_int_equal(ksrtp_protect_rtcp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_TOO_SHORT);
	len = 8 + ksrtp_rtcp_overhead(p.server) - 1;
	assert_int_equal(ksrtp_unprotect_rtcp(p.client, k.b, &len),
	    KSRTP_ERR_TOO_SHORT);
	k.b[0] = 0x40;
	len = 40;
	assert_int_equal(ksrtp_protect_rtcp(p.server, k.b, &len, PKT_CAP),
	    KSRTP_ERR_BAD_PACKET);
	assert_int_equal(ksrtp_unprotect_rtcp(p.client, k.b, &len),
	    KSRTP_ERR_BAD_PACKET);
	pair_free(&p);
}

static void
test_random_garbage_never_crashes_nor_disturbs(void **state)
{
	static const int ok[] = {
		KSRTP_ERR_TOO_SHORT, KSRTP_ERR_AUTH, KSRTP_ERR_REPLAY,
		KSRTP_ERR_TOO_OLD, KSRTP_ERR_BAD_PACKET,
	};
	unsigned seed = 1234;

	for (size_t i = 0; i < NPROFILES; i++) {
		struct pair p = pair_new(profiles[i]);

		rtp_round_trip(p.server, p.client, p.tag, 42, 1, 100);
		for (int n = 0; n < 20000; n++) {
			struct pkt k;
			size_t len = (size_t)rand_r(&seed) % 1300;
			int r;
			bool known = false;

			for (size_t j = 0; j < len; j++)
				k.b[j] = (uint8_t)rand_r(&seed);
			if (n % 2 == 0 && len > 0)
				k.b[0] = (uint8_t)(0x80 | (k.b[0] & 0x3f));
			if (n % 4 == 0 && len >= 12) {
				/* a known SSRC and a nearby sequence */
				k.b[8] = k.b[9] = k.b[10] = 0;
				k.b[11] = 42;
			}
			k.len = len;
			r = (n % 3 == 0) ?
			    ksrtp_unprotect_rtcp(p.client, k.b, &k.len) :
			    ksrtp_unprotect_rtp(p.client, k.b, &k.len);
			for (size_t j = 0; j < sizeof(ok) / sizeof(ok[0]); j++)
				known |= r == ok[j];
			if (!known)
				fail_msg("garbage %d (%zu bytes): %d %s", n,
				    len, r, ksrtp_strerror(r));
			/* and as input to protect, with a random capacity
			 * (new random bytes: random SSRCs) */
			for (size_t j = 0; j < len; j++)
				k.b[j] = (uint8_t)rand_r(&seed);
			if (n % 2 == 0 && len > 0)
				k.b[0] = (uint8_t)(0x80 | (k.b[0] & 0x3f));
			k.len = len;
			r = (n % 3 == 0) ?
			    ksrtp_protect_rtcp(p.server, k.b, &k.len,
			        len + (size_t)rand_r(&seed) % 40) :
			    ksrtp_protect_rtp(p.server, k.b, &k.len,
			        len + (size_t)rand_r(&seed) % 40);
			if (!(r == KSRTP_OK || r == KSRTP_ERR_TOO_SHORT ||
			    r == KSRTP_ERR_NO_ROOM || r == KSRTP_ERR_BAD_PACKET))
				fail_msg("protect garbage %d (%zu bytes, %s): %d "
				    "%s", n, len, n % 3 ? "rtp" : "rtcp", r,
				    ksrtp_strerror(r));
		}
		/* the real stream is undisturbed */
		rtp_round_trip(p.server, p.client, p.tag, 42, 2, 100);
		rtcp_round_trip(p.client, p.server, 42);
		pair_free(&p);
	}
}

/* --- against libsrtp2, the reference ------------------------------------- */

/* libsrtp sessions for both ends of one transport, next to ours. */
struct ref {
	struct ksrtp *ours_server;      /* klopfd, ours */
	struct ksrtp *ours_client;
	srtp_t server_out;              /* libsrtp with the server's keys */
	srtp_t server_in;
	srtp_t client_out;              /* libsrtp with the client's keys */
	srtp_t client_in;
	size_t tag;
};

static srtp_t
ref_session(enum dtls_srtp_profile profile, const uint8_t *master,
    srtp_ssrc_type_t type)
{
	srtp_policy_t policy;
	uint8_t key[DTLS_SRTP_MASTER_MAX];
	srtp_t session = NULL;

	memset(&policy, 0, sizeof(policy));
	if (profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
	}
	memcpy(key, master, sizeof(key));
	policy.ssrc.type = type;
	policy.key = key;
	policy.window_size = 1024;
	policy.allow_repeat_tx = 1;
	assert_int_equal(srtp_create(&session, &policy), srtp_err_status_ok);
	return session;
}

static struct ref
ref_new(enum dtls_srtp_profile profile)
{
	struct dtls_srtp_keys ks, kc;
	struct ref r;

	handshake(profile == DTLS_SRTP_AEAD_AES_128_GCM ?
	    "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80", &ks, &kc);
	r.ours_server = ksrtp_new(&ks);
	r.ours_client = ksrtp_new(&kc);
	assert_non_null(r.ours_server);
	assert_non_null(r.ours_client);
	r.server_out = ref_session(profile, ks.local, ssrc_any_outbound);
	r.server_in = ref_session(profile, ks.remote, ssrc_any_inbound);
	r.client_out = ref_session(profile, kc.local, ssrc_any_outbound);
	r.client_in = ref_session(profile, kc.remote, ssrc_any_inbound);
	r.tag = ksrtp_rtp_overhead(r.ours_server);
	dtls_srtp_keys_wipe(&ks);
	dtls_srtp_keys_wipe(&kc);
	return r;
}

static void
ref_free(struct ref *r)
{
	ksrtp_free(r->ours_server);
	ksrtp_free(r->ours_client);
	srtp_dealloc(r->server_out);
	srtp_dealloc(r->server_in);
	srtp_dealloc(r->client_out);
	srtp_dealloc(r->client_in);
}

/* Ours and libsrtp on p in place, RTP or RTCP; p->len follows. */
static int
ours_protect(struct ksrtp *s, struct pkt *p, bool rtcp)
{
	return rtcp ? ksrtp_protect_rtcp(s, p->b, &p->len, PKT_CAP) :
	    ksrtp_protect_rtp(s, p->b, &p->len, PKT_CAP);
}

static int
ours_unprotect(struct ksrtp *s, struct pkt *p, bool rtcp)
{
	return rtcp ? ksrtp_unprotect_rtcp(s, p->b, &p->len) :
	    ksrtp_unprotect_rtp(s, p->b, &p->len);
}

static srtp_err_status_t
lib_protect(srtp_t s, struct pkt *p, bool rtcp)
{
	int n = (int)p->len;
	srtp_err_status_t st = rtcp ? srtp_protect_rtcp(s, p->b, &n) :
	    srtp_protect(s, p->b, &n);

	p->len = (size_t)n;
	return st;
}

static srtp_err_status_t
lib_unprotect(srtp_t s, struct pkt *p, bool rtcp)
{
	int n = (int)p->len;
	srtp_err_status_t st = rtcp ? srtp_unprotect_rtcp(s, p->b, &n) :
	    srtp_unprotect(s, p->b, &n);

	p->len = (size_t)n;
	return st;
}

static void
assert_pkt_equal(const struct pkt *a, const struct pkt *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, a->len);
}

/* plain protected by ours and by libsrtp with the same key: the same
 * bytes (for SRTCP the same index too); libsrtp's other end gets plain
 * back from ours, ours from libsrtp's. Then the same from the client. */
static void
ref_packet(struct ref *r, const struct pkt *plain, bool rtcp)
{
	struct pkt a = *plain, b = *plain;

	assert_int_equal(ours_protect(r->ours_server, &a, rtcp), KSRTP_OK);
	assert_int_equal(lib_protect(r->server_out, &b, rtcp),
	    srtp_err_status_ok);
	assert_pkt_equal(&a, &b);
	assert_int_equal(lib_unprotect(r->client_in, &a, rtcp),
	    srtp_err_status_ok);
	assert_pkt_equal(&a, plain);
	assert_int_equal(ours_unprotect(r->ours_client, &b, rtcp), KSRTP_OK);
	assert_pkt_equal(&b, plain);

	a = b = *plain;
	assert_int_equal(lib_protect(r->client_out, &a, rtcp),
	    srtp_err_status_ok);
	assert_int_equal(ours_protect(r->ours_client, &b, rtcp), KSRTP_OK);
	assert_pkt_equal(&a, &b);
	assert_int_equal(ours_unprotect(r->ours_server, &a, rtcp), KSRTP_OK);
	assert_pkt_equal(&a, plain);
	assert_int_equal(lib_unprotect(r->server_in, &b, rtcp),
	    srtp_err_status_ok);
	assert_pkt_equal(&b, plain);
}

static void
test_packets_equal_libsrtp_byte_for_byte_both_ways(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct ref r = ref_new(profiles[i]);
		struct pkt k;

		for (uint16_t seq = 100; seq < 160; seq++) {
			/* odd lengths: the CTR keystream must restart */
			k.len = rtp_make(k.b, 0xaabbccdd, seq,
			    (seq * 37u) % 1188);
			ref_packet(&r, &k, false);
			k.len = rtp_make(k.b, 0x01020304, seq, 160);
			ref_packet(&r, &k, false);
		}
		/* CSRCs and a header extension: authenticated, in the clear */
		k.len = rtp_make(k.b, 0x5555, 7, 0);
		k.b[0] = 0x80 | 0x10 | 2;
		memset(k.b + 12, 0x11, 8);
		memcpy(k.b + 20, "\xbe\xde\x00\x01\x40\x30\x00\x00", 8);
		memset(k.b + 28, 0x77, 101);
		k.len = 129;
		ref_packet(&r, &k, false);
		for (int j = 0; j < 5; j++) {
			k.len = rtcp_make(k.b, 0x01020304);
			ref_packet(&r, &k, true);
			k.len = rtcp_make(k.b, 1);
			ref_packet(&r, &k, true);
		}
		ref_free(&r);
	}
}

static void
test_rollover_counter_wraps_as_libsrtp(void **state)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		struct ref r = ref_new(profiles[i]);
		struct pkt k, late_a, late_b;
		uint16_t seq = 65000;

		/* in steps of up to 30,000: three wraps of the sequence
		 * number, every packet's index guessed right by both */
		for (int j = 0; j < 20; j++) {
			k.len = rtp_make(k.b, 0x7777, seq, 300);
			ref_packet(&r, &k, false);
			seq = (uint16_t)(seq + 1 + (j * 7919u) % 30000);
		}
		/* a stream that starts just before a wrap */
		seq = 65530;
		for (int j = 0; j < 10; j++, seq++) {
			k.len = rtp_make(k.b, 0x8888, seq, 200);
			ref_packet(&r, &k, false);
		}
		/* 65535 sent before the wrap, delivered after 0..3: its
		 * index is guessed with ROC - 1 */
		k.len = rtp_make(k.b, 0xabab, 65533, 90);
		ref_packet(&r, &k, false);
		late_a.len = rtp_make(late_a.b, 0xabab, 65535, 90);
		late_b = late_a;
		assert_int_equal(ours_protect(r.ours_server, &late_a, false),
		    KSRTP_OK);
		assert_int_equal(lib_protect(r.server_out, &late_b, false),
		    srtp_err_status_ok);
		assert_pkt_equal(&late_a, &late_b);
		for (uint16_t s = 0; s < 4; s++) {
			k.len = rtp_make(k.b, 0xabab, s, 90);
			ref_packet(&r, &k, false);
		}
		assert_int_equal(lib_unprotect(r.client_in, &late_a, false),
		    srtp_err_status_ok);
		assert_int_equal(ours_unprotect(r.ours_client, &late_b, false),
		    KSRTP_OK);
		k.len = rtp_make(k.b, 0xabab, 65535, 90);
		assert_pkt_equal(&late_a, &k);
		assert_pkt_equal(&late_b, &k);
		ref_free(&r);
	}
}

static void
test_replays_and_tampering_refused_like_libsrtp(void **state)
{
	for (size_t i = 0; i < 2 * NPROFILES; i++) {
		struct ref r = ref_new(profiles[i / 2]);
		bool rtcp = i % 2;
		struct pkt k, ours, theirs, copy;

		/* libsrtp protects, ours unprotects twice: the second time
		 * is a replay; and the other way round */
		k.len = rtcp ? rtcp_make(k.b, 0x4242) :
		    rtp_make(k.b, 0x4242, 500, 400);
		theirs = k;
		assert_int_equal(lib_protect(r.client_out, &theirs, rtcp),
		    srtp_err_status_ok);
		copy = theirs;
		assert_int_equal(ours_unprotect(r.ours_server, &copy, rtcp),
		    KSRTP_OK);
		copy = theirs;
		assert_int_equal(ours_unprotect(r.ours_server, &copy, rtcp),
		    KSRTP_ERR_REPLAY);
		ours = k;
		assert_int_equal(ours_protect(r.ours_server, &ours, rtcp),
		    KSRTP_OK);
		copy = ours;
		assert_int_equal(lib_unprotect(r.client_in, &copy, rtcp),
		    srtp_err_status_ok);
		copy = ours;
		assert_int_equal(lib_unprotect(r.client_in, &copy, rtcp),
		    srtp_err_status_replay_fail);

		/* one flipped bit anywhere (header, payload, tag, SRTCP
		 * index); in the first byte a count, not the version */
		for (size_t at = 0; at < ours.len; at += rtcp ? 3 : 37) {
			uint8_t flip = at == 0 ? 0x01 : 0x10;

			if (!rtcp)
				k.len = rtp_make(k.b, 0x4242,
				    (uint16_t)(501 + at), 400);
			theirs = k;
			assert_int_equal(lib_protect(r.client_out, &theirs,
			    rtcp), srtp_err_status_ok);
			theirs.b[at] ^= flip;
			assert_int_equal(ours_unprotect(r.ours_server, &theirs,
			    rtcp), KSRTP_ERR_AUTH);
			ours = k;
			assert_int_equal(ours_protect(r.ours_server, &ours,
			    rtcp), KSRTP_OK);
			ours.b[at] ^= flip;
			assert_int_equal(lib_unprotect(r.client_in, &ours,
			    rtcp), srtp_err_status_auth_fail);
		}
		ref_free(&r);
	}
}

/* --- API edges ----------------------------------------------------------- */

static void
test_unusable_keys_are_refused(void **state)
{
	struct dtls_srtp_keys k;

	memset(&k, 0x42, sizeof(k));
	k.profile = DTLS_SRTP_NONE;
	k.key_len = 16;
	k.salt_len = 14;
	assert_null(ksrtp_new(&k));
	k.profile = DTLS_SRTP_AEAD_AES_128_GCM;         /* salt is 12 */
	assert_null(ksrtp_new(&k));
	k.profile = DTLS_SRTP_AES128_CM_SHA1_80;
	k.key_len = 32;
	assert_null(ksrtp_new(&k));
	k.key_len = 16;
	ksrtp_free(ksrtp_new(&k));
	ksrtp_free(NULL);
	assert_int_equal(ksrtp_init(), 0);
	assert_int_equal(ksrtp_init(), 0);
	assert_string_equal(ksrtp_strerror(KSRTP_ERR_AUTH),
	    "authentication failed");
	assert_string_equal(ksrtp_strerror(KSRTP_ERR_REPLAY),
	    "replayed packet");
	assert_string_equal(ksrtp_strerror(12345), "unknown SRTP result");
}

static int
group_setup(void **state)
{
	server_id = dtls_identity_generate();
	client_id = dtls_identity_generate();
	return server_id != NULL && client_id != NULL && ksrtp_init() == 0 &&
	    srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static int
group_teardown(void **state)
{
	dtls_identity_free(server_id);
	dtls_identity_free(client_id);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_rtp_and_rtcp_round_trip_both_ways_both_profiles),
		cmocka_unit_test(test_csrcs_and_header_extension_round_trip),
		cmocka_unit_test(test_many_ssrcs_share_one_session),
		cmocka_unit_test(test_tampered_packets_fail_authentication),
		cmocka_unit_test(
		    test_keys_of_another_transport_fail_authentication),
		cmocka_unit_test(test_replayed_packets_are_refused),
		cmocka_unit_test(
		    test_replay_window_accepts_late_packets_within_it_only),
		cmocka_unit_test(
		    test_nack_retransmission_is_reprotected_and_fills_the_gap),
		cmocka_unit_test(
		    test_capacity_without_room_for_trailer_is_refused),
		cmocka_unit_test(test_short_and_malformed_packets_are_refused),
		cmocka_unit_test(
		    test_random_garbage_never_crashes_nor_disturbs),
		cmocka_unit_test(
		    test_packets_equal_libsrtp_byte_for_byte_both_ways),
		cmocka_unit_test(test_rollover_counter_wraps_as_libsrtp),
		cmocka_unit_test(
		    test_replays_and_tampering_refused_like_libsrtp),
		cmocka_unit_test(test_unusable_keys_are_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
