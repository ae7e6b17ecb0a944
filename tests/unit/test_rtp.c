/*
 * test_rtp: RTP demultiplexing, parsing and in-place rewriting, the
 * stream rewriter and the VP8 descriptor (rtp.c), on packets written out
 * byte by byte per RFC 3550, RFC 8285 and RFC 7741, shaped like
 * Chromium's. Statistics and NACKs: test_rtp_stats.c; retransmission
 * buffer: test_rtp_history.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtp.h"

/* Chromium-like VP8 packet: marker, PT 96, seq 0x1234, ts 123456, SSRC
 * 0x11223344; one-byte extensions abs-send-time (id 2, 3 bytes),
 * transport-cc (id 3, 2 bytes), mid (id 4, "0"), 3 padding bytes; VP8
 * descriptor S=1 PID=0 and the start of a 640x480 keyframe. */
static const uint8_t chromium_vp8[] = {
	0x90, 0xe0, 0x12, 0x34, 0x00, 0x01, 0xe2, 0x40,
	0x11, 0x22, 0x33, 0x44,
	0xbe, 0xde, 0x00, 0x03,
	0x22, 0xaa, 0xbb, 0xcc, 0x31, 0x00, 0x05, 0x40,
	0x30, 0x00, 0x00, 0x00,
	0x10, 0x50, 0x2a, 0x01, 0x9d, 0x01, 0x2a, 0x80,
	0x02, 0xe0, 0x01, 0x00, 0x11, 0x22,
};
#define CHROMIUM_HDR 28

/* Two CSRCs, a two-byte block (id 5 empty, id 200 three bytes, one
 * padding byte), 4 payload bytes and 4 bytes of RTP padding. */
static const uint8_t csrc_two_byte_padded[] = {
	0xb2, 0x6f, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef,
	0x01, 0x02, 0x03, 0x04,
	0xca, 0xfe, 0x00, 0x01, 0xca, 0xfe, 0x00, 0x02,
	0x10, 0x00, 0x00, 0x02,
	0x05, 0x00, 0xc8, 0x03, 0x61, 0x62, 0x63, 0x00,
	0xa1, 0xa2, 0xa3, 0xa4,
	0x00, 0x00, 0x00, 0x04,
};

/* --- helpers ------------------------------------------------------------ */

static void
parse_ok(const uint8_t *buf, size_t len, struct rtp_packet *p)
{
	assert_int_equal(rtp_parse(buf, len, p), 0);
}

static void
parse_fails(const uint8_t *buf, size_t len)
{
	struct rtp_packet p;
	uint8_t *copy = malloc(len ? len : 1);  /* exact size: ASan sees */

	assert_non_null(copy);
	memcpy(copy, buf, len);
	assert_int_equal(rtp_parse(copy, len, &p), -1);
	free(copy);
}

/* Every recorded offset lies inside the packet. */
static void
assert_inside(const struct rtp_packet *p)
{
	int i;

	assert_true(p->header_len + p->payload_len + p->pad_len == p->len);
	for (i = 0; i < p->next; i++)
		assert_true((size_t)p->ext[i].off + p->ext[i].len <=
		    p->header_len);
}

/* --- demultiplexing ------------------------------------------------------ */

static void
test_demux_follows_rfc7983_and_rfc5761(void **state)
{
	uint8_t b[32] = { 0 };

	(void)state;
	b[0] = 0x00; b[1] = 0x01;                       /* binding request */
	assert_int_equal(rtp_demux(b, 20), RTP_DEMUX_STUN);
	assert_int_equal(rtp_demux(b, 19), RTP_DEMUX_OTHER);
	b[0] = 22; b[1] = 0xfe;                         /* handshake */
	assert_int_equal(rtp_demux(b, 13), RTP_DEMUX_DTLS);
	b[0] = 63;
	assert_int_equal(rtp_demux(b, 13), RTP_DEMUX_DTLS);
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_OTHER);
	b[0] = 0x80; b[1] = 96;
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_RTP);
	assert_int_equal(rtp_demux(b, 11), RTP_DEMUX_OTHER);
	b[1] = 0x80 | 96;                               /* marker set */
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_RTP);
	b[1] = 191;
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_RTP);
	b[1] = 200;                                     /* SR */
	assert_int_equal(rtp_demux(b, 8), RTP_DEMUX_RTCP);
	assert_int_equal(rtp_demux(b, 7), RTP_DEMUX_OTHER);
	b[1] = 192;
	assert_int_equal(rtp_demux(b, 8), RTP_DEMUX_RTCP);
	b[1] = 223;
	assert_int_equal(rtp_demux(b, 8), RTP_DEMUX_RTCP);
	b[1] = 224;
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_RTP);
	b[0] = 0xbf; b[1] = 96;
	assert_int_equal(rtp_demux(b, 12), RTP_DEMUX_RTP);
	b[0] = 16;                                      /* ZRTP */
	assert_int_equal(rtp_demux(b, 32), RTP_DEMUX_OTHER);
	b[0] = 64;                                      /* TURN channel */
	assert_int_equal(rtp_demux(b, 32), RTP_DEMUX_OTHER);
	b[0] = 0xc0;
	assert_int_equal(rtp_demux(b, 32), RTP_DEMUX_OTHER);
	b[0] = 0xff;
	assert_int_equal(rtp_demux(b, 32), RTP_DEMUX_OTHER);
	assert_int_equal(rtp_demux(b, 0), RTP_DEMUX_OTHER);
	assert_int_equal(rtp_demux(NULL, 12), RTP_DEMUX_OTHER);
}

/* --- parsing ------------------------------------------------------------- */

static void
test_parse_chromium_packet_header_and_one_byte_extensions(void **state)
{
	struct rtp_packet p;

	(void)state;
	parse_ok(chromium_vp8, sizeof chromium_vp8, &p);
	assert_true(p.marker);
	assert_int_equal(p.pt, 96);
	assert_int_equal(p.seq, 0x1234);
	assert_int_equal(p.ts, 123456);
	assert_int_equal(p.ssrc, 0x11223344);
	assert_int_equal(p.cc, 0);
	assert_int_equal(p.ext_form, RTP_EXT_ONE_BYTE);
	assert_int_equal(p.ext_profile, 0xbede);
	assert_int_equal(p.ext_off, 16);
	assert_int_equal(p.ext_len, 12);
	assert_int_equal(p.next, 3);
	assert_int_equal(p.ext[0].id, 2);
	assert_int_equal(p.ext[0].len, 3);
	assert_int_equal(p.ext[0].off, 17);
	assert_int_equal(p.ext[1].id, 3);
	assert_int_equal(p.ext[1].len, 2);
	assert_int_equal(p.ext[1].off, 21);
	assert_int_equal(chromium_vp8[p.ext[1].off + 1], 0x05);
	assert_int_equal(p.ext[2].id, 4);
	assert_int_equal(p.ext[2].len, 1);
	assert_int_equal(chromium_vp8[p.ext[2].off], '0');
	assert_int_equal(p.header_len, CHROMIUM_HDR);
	assert_int_equal(p.payload_len, sizeof chromium_vp8 - CHROMIUM_HDR);
	assert_int_equal(p.pad_len, 0);
	assert_int_equal(rtp_ext_find(&p, 4), 2);
	assert_int_equal(rtp_ext_find(&p, 2), 0);
	assert_int_equal(rtp_ext_find(&p, 7), -1);
	assert_inside(&p);
}

static void
test_parse_csrcs_two_byte_extensions_and_padding(void **state)
{
	struct rtp_packet p;
	const uint8_t *b = csrc_two_byte_padded;

	(void)state;
	parse_ok(b, sizeof csrc_two_byte_padded, &p);
	assert_false(p.marker);
	assert_int_equal(p.pt, 111);
	assert_int_equal(p.seq, 0xffff);
	assert_int_equal(p.ts, 0xdeadbeef);
	assert_int_equal(p.ssrc, 0x01020304);
	assert_int_equal(p.cc, 2);
	assert_int_equal(p.csrc[0], 0xcafe0001);
	assert_int_equal(p.csrc[1], 0xcafe0002);
	assert_int_equal(p.ext_form, RTP_EXT_TWO_BYTE);
	assert_int_equal(p.ext_profile, 0x1000);
	assert_int_equal(p.next, 2);
	assert_int_equal(p.ext[0].id, 5);
	assert_int_equal(p.ext[0].len, 0);
	assert_int_equal(p.ext[1].id, 200);
	assert_int_equal(p.ext[1].len, 3);
	assert_memory_equal(b + p.ext[1].off, "abc", 3);
	assert_int_equal(p.header_len, 32);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.pad_len, 4);
	assert_int_equal(b[p.header_len], 0xa1);
	assert_inside(&p);
}

static void
test_parse_two_byte_appbits_and_other_profiles(void **state)
{
	uint8_t b[sizeof csrc_two_byte_padded];
	struct rtp_packet p;

	(void)state;
	memcpy(b, csrc_two_byte_padded, sizeof b);
	b[21] = 0x0f;                           /* 0x100F: appbits */
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.ext_form, RTP_EXT_TWO_BYTE);
	assert_int_equal(p.next, 2);
	b[20] = 0x12;                           /* 0x120F: unknown profile */
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.ext_form, RTP_EXT_OTHER);
	assert_int_equal(p.next, 0);
	assert_int_equal(p.ext_len, 8);
	assert_int_equal(p.header_len, 32);
}

static void
test_one_byte_id15_and_id0_stop_parsing(void **state)
{
	uint8_t b[sizeof chromium_vp8];
	struct rtp_packet p;

	(void)state;
	memcpy(b, chromium_vp8, sizeof b);
	b[20] = 0xf1;                           /* transport-cc -> id 15 */
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.next, 1);            /* abs-send-time only */
	assert_int_equal(p.ext_parsed, 4);
	assert_int_equal(p.header_len, CHROMIUM_HDR);
	b[20] = 0x01;                           /* id 0, length nibble 1 */
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.next, 1);
	b[20] = 0x00;                           /* padding byte: read on */
	b[21] = 0x00;
	b[22] = 0x00;
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.next, 2);
	assert_int_equal(p.ext[1].id, 4);
}

static void
test_malformed_packets_are_refused(void **state)
{
	uint8_t b[64];
	size_t i;

	(void)state;
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[0] = 0x50;                            /* version 1 */
	parse_fails(b, sizeof chromium_vp8);
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[15] = 0x08;                           /* block past the end */
	parse_fails(b, sizeof chromium_vp8);
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[23] = 0x4f;                           /* mid 16 bytes: past block */
	parse_fails(b, sizeof chromium_vp8);
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[0] = 0x9f;                            /* 15 CSRCs */
	parse_fails(b, sizeof chromium_vp8);
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[0] |= 0x20;                           /* P, last byte 0x22 > rest */
	parse_fails(b, sizeof chromium_vp8);
	b[sizeof chromium_vp8 - 1] = 0;         /* pad count 0 */
	parse_fails(b, sizeof chromium_vp8);
	b[sizeof chromium_vp8 - 1] = 15;        /* into the extension block */
	parse_fails(b, sizeof chromium_vp8);

	/* 17 one-byte elements: more than RTP_EXT_MAX */
	memset(b, 0, sizeof b);
	b[0] = 0x90;
	b[1] = 96;
	b[12] = 0xbe;
	b[13] = 0xde;
	b[15] = 9;                              /* 36 bytes */
	for (i = 0; i < 17; i++)
		b[16 + 2 * i] = 0x10;           /* id 1, 1 byte */
	parse_fails(b, 52);
	b[16 + 32] = 0;                         /* 16 elements: fine */
	{
		struct rtp_packet p;

		parse_ok(b, 52, &p);
		assert_int_equal(p.next, 16);
	}
	/* two-byte element header cut by the block end */
	memcpy(b, csrc_two_byte_padded, sizeof csrc_two_byte_padded);
	b[31] = 0x07;                           /* padding -> id 7, no len */
	parse_fails(b, sizeof csrc_two_byte_padded);
	memcpy(b, csrc_two_byte_padded, sizeof csrc_two_byte_padded);
	b[27] = 0x05;                           /* value past the block */
	parse_fails(b, sizeof csrc_two_byte_padded);
	parse_fails(b, 0);
	assert_int_equal(rtp_parse(NULL, 12, NULL), -1);
}

/* Each prefix of a valid packet is parsed or refused without reading past
 * it; a prefix shorter than the header is always refused. */
static void
check_prefixes(const uint8_t *pkt, size_t len, size_t hdr)
{
	size_t n;

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct rtp_packet p;

		assert_non_null(copy);
		memcpy(copy, pkt, n);
		if (rtp_parse(copy, n, &p) == 0) {
			assert_true(n >= hdr);
			assert_inside(&p);
		}
		free(copy);
	}
}

static void
test_every_prefix_is_refused_or_inside(void **state)
{
	(void)state;
	check_prefixes(chromium_vp8, sizeof chromium_vp8, CHROMIUM_HDR);
	check_prefixes(csrc_two_byte_padded, sizeof csrc_two_byte_padded, 32);
}

/* --- rewriting ----------------------------------------------------------- */

static void
test_header_setters(void **state)
{
	uint8_t b[sizeof chromium_vp8];
	struct rtp_packet p;

	(void)state;
	memcpy(b, chromium_vp8, sizeof b);
	assert_int_equal(rtp_set_ssrc(b, sizeof b, 0xa0b0c0d0), 0);
	assert_int_equal(rtp_set_pt(b, sizeof b, 100), 0);
	assert_int_equal(rtp_set_seq(b, sizeof b, 65535), 0);
	assert_int_equal(rtp_set_ts(b, sizeof b, 0xfffffff0), 0);
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.ssrc, 0xa0b0c0d0);
	assert_int_equal(p.pt, 100);
	assert_true(p.marker);
	assert_int_equal(p.seq, 65535);
	assert_int_equal(p.ts, 0xfffffff0);
	assert_memory_equal(b + 12, chromium_vp8 + 12, sizeof b - 12);
	assert_int_equal(rtp_set_pt(b, sizeof b, 128), -1);
	assert_int_equal(rtp_set_ssrc(b, 11, 1), -1);
	assert_int_equal(rtp_set_pt(b, 11, 1), -1);
	assert_int_equal(rtp_set_seq(b, 11, 1), -1);
	assert_int_equal(rtp_set_ts(b, 11, 1), -1);
}

/* Chromium layout with mid "abc" (id 4, 3 bytes): 16 bytes of elements. */
static size_t
packet_with_mid_abc(uint8_t *b)
{
	static const uint8_t pkt[] = {
		0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0xbe, 0xde, 0x00, 0x04,
		0x22, 0xaa, 0xbb, 0xcc, 0x31, 0x00, 0x05, 0x42,
		0x61, 0x62, 0x63, 0x51, 0x01, 0x02, 0x00, 0x00,
		0xf0, 0xf1, 0xf2,
	};

	memcpy(b, pkt, sizeof pkt);
	return sizeof pkt;
}

static void
test_mid_rewrite_keeps_length_and_other_extensions(void **state)
{
	uint8_t b[64], orig[64];
	struct rtp_packet p, q;
	size_t len = packet_with_mid_abc(b);
	int mid;

	(void)state;
	memcpy(orig, b, len);
	parse_ok(b, len, &p);
	assert_int_equal(p.next, 4);
	mid = rtp_ext_find(&p, 4);
	assert_int_equal(mid, 2);

	/* same length */
	assert_int_equal(rtp_ext_set_value(b, &p, mid, "xyz", 3), 0);
	parse_ok(b, len, &q);
	assert_int_equal(q.next, 4);
	assert_memory_equal(b + q.ext[2].off, "xyz", 3);

	/* shorter: length nibble shrinks, freed bytes are padding */
	assert_int_equal(rtp_ext_set_value(b, &p, mid, "7", 1), 0);
	assert_int_equal(p.ext[2].len, 1);
	assert_int_equal(b[23], 0x40);
	assert_int_equal(b[24], '7');
	assert_int_equal(b[25], 0);
	assert_int_equal(b[26], 0);
	parse_ok(b, len, &q);
	assert_int_equal(q.next, 4);
	assert_int_equal(q.ext[2].id, 4);
	assert_int_equal(q.ext[2].len, 1);
	assert_int_equal(b[q.ext[2].off], '7');
	assert_int_equal(q.ext[3].id, 5);       /* after the padding */
	assert_memory_equal(b + q.ext[3].off, "\x01\x02", 2);
	assert_memory_equal(b + q.ext[0].off, "\xaa\xbb\xcc", 3);
	assert_memory_equal(b + q.ext[1].off, "\x00\x05", 2);
	assert_int_equal(q.header_len, p.header_len);
	assert_memory_equal(b + q.header_len, orig + p.header_len, 3);
	assert_memory_equal(b, orig, 23);

	/* longer than the element: refused, nothing written */
	memcpy(orig, b, len);
	assert_int_equal(rtp_ext_set_value(b, &p, mid, "ab", 2), -1);
	assert_int_equal(rtp_ext_set_value(b, &p, mid, "", 0), -1);
	assert_int_equal(rtp_ext_set_value(b, &p, 9, "a", 1), -1);
	assert_int_equal(rtp_ext_set_value(b, &p, -1, "a", 1), -1);
	assert_memory_equal(b, orig, len);
}

static void
test_two_byte_value_rewrite_may_empty_it(void **state)
{
	uint8_t b[sizeof csrc_two_byte_padded];
	struct rtp_packet p, q;

	(void)state;
	memcpy(b, csrc_two_byte_padded, sizeof b);
	parse_ok(b, sizeof b, &p);
	assert_int_equal(rtp_ext_set_value(b, &p, 1, "", 0), 0);
	parse_ok(b, sizeof b, &q);
	assert_int_equal(q.next, 2);
	assert_int_equal(q.ext[1].id, 200);
	assert_int_equal(q.ext[1].len, 0);
	assert_int_equal(q.payload_len, 4);
	assert_int_equal(rtp_ext_set_value(b, &p, 0, "a", 1), -1);
}

static void
test_ext_set_id(void **state)
{
	uint8_t b[64];
	struct rtp_packet p, q;
	size_t len = packet_with_mid_abc(b);

	(void)state;
	parse_ok(b, len, &p);
	assert_int_equal(rtp_ext_set_id(b, &p, 2, 9), 0);
	assert_int_equal(rtp_ext_set_id(b, &p, 2, 15), -1);
	assert_int_equal(rtp_ext_set_id(b, &p, 2, 0), -1);
	parse_ok(b, len, &q);
	assert_int_equal(q.ext[2].id, 9);
	assert_int_equal(q.ext[2].len, 3);
	assert_memory_equal(b + q.ext[2].off, "abc", 3);

	memcpy(b, csrc_two_byte_padded, sizeof csrc_two_byte_padded);
	parse_ok(b, sizeof csrc_two_byte_padded, &p);
	assert_int_equal(rtp_ext_set_id(b, &p, 1, 250), 0);
	parse_ok(b, sizeof csrc_two_byte_padded, &q);
	assert_int_equal(q.ext[1].id, 250);
}

static void
test_strip_keeps_negotiated_extensions_and_length(void **state)
{
	uint8_t b[64], orig[64];
	struct rtp_packet p, q;
	struct rtp_ext_ids keep;
	size_t len = packet_with_mid_abc(b);

	(void)state;
	memcpy(orig, b, len);
	parse_ok(b, len, &p);
	rtp_ext_ids_clear(&keep);
	rtp_ext_ids_add(&keep, 4);
	rtp_ext_ids_add(&keep, 200);
	assert_true(rtp_ext_ids_has(&keep, 4));
	assert_false(rtp_ext_ids_has(&keep, 3));
	assert_int_equal(rtp_ext_strip(b, &p, &keep), 3);
	assert_int_equal(p.next, 1);
	assert_int_equal(p.ext[0].id, 4);
	parse_ok(b, len, &q);
	assert_int_equal(q.next, 1);
	assert_int_equal(q.ext[0].id, 4);
	assert_memory_equal(b + q.ext[0].off, "abc", 3);
	assert_int_equal(q.header_len, p.header_len);
	assert_int_equal(q.len, len);
	assert_memory_equal(b + 16, "\0\0\0\0\0\0\0", 7);
	assert_memory_equal(b + 27, "\0\0\0\0\0", 5);
	assert_memory_equal(b, orig, 16);
	assert_memory_equal(b + q.header_len, orig + q.header_len,
	    len - q.header_len);

	/* nothing negotiated: all padding, still a valid packet */
	assert_int_equal(rtp_ext_strip(b, &p, NULL), 1);
	parse_ok(b, len, &q);
	assert_int_equal(q.next, 0);
	assert_int_equal(q.ext_form, RTP_EXT_ONE_BYTE);

	/* what follows an id-15 stop is blanked too */
	memcpy(b, chromium_vp8, sizeof chromium_vp8);
	b[20] = 0xf1;
	parse_ok(b, sizeof chromium_vp8, &p);
	rtp_ext_ids_clear(&keep);
	rtp_ext_ids_add(&keep, 2);
	assert_int_equal(rtp_ext_strip(b, &p, &keep), 0);
	assert_memory_equal(b + 20, "\0\0\0\0\0\0\0\0", 8);
	parse_ok(b, sizeof chromium_vp8, &q);
	assert_int_equal(q.next, 1);
	assert_int_equal(q.ext_parsed, q.ext_len);

	/* two-byte form */
	memcpy(b, csrc_two_byte_padded, sizeof csrc_two_byte_padded);
	parse_ok(b, sizeof csrc_two_byte_padded, &p);
	rtp_ext_ids_clear(&keep);
	rtp_ext_ids_add(&keep, 200);
	assert_int_equal(rtp_ext_strip(b, &p, &keep), 1);
	parse_ok(b, sizeof csrc_two_byte_padded, &q);
	assert_int_equal(q.next, 1);
	assert_int_equal(q.ext[0].id, 200);
	assert_memory_equal(b + q.ext[0].off, "abc", 3);
	assert_int_equal(q.payload_len, 4);
}

/* --- stream rewriter ----------------------------------------------------- */

static void
test_rewriter_is_continuous_across_a_switch(void **state)
{
	struct rtp_rewriter rw;
	uint16_t seq, in;
	uint32_t ts;
	int i;

	(void)state;
	rtp_rewriter_init(&rw, 0x5555);
	/* source A: first source passes through */
	for (i = 0; i < 5; i++) {
		uint32_t t = 90000 + 3000 * (uint32_t)i;

		assert_int_equal(rtp_rewriter_map(&rw, 0xa,
		    (uint16_t)(1000 + i), t, t, &seq, &ts), 0);
		assert_int_equal(seq, 1000 + i);
		assert_int_equal(ts, 90000 + 3000 * i);
	}
	/* reordered A packet still maps */
	assert_int_equal(rtp_rewriter_map(&rw, 0xa, 999, 87000, 102000, &seq,
	    &ts), 0);
	assert_int_equal(seq, 999);
	assert_int_equal(rtp_rewriter_unmap_seq(&rw, 1002, &in), 0);
	assert_int_equal(in, 1002);

	/* switch to B 4500 clock units after A's last packet */
	assert_int_equal(rtp_rewriter_map(&rw, 0xb, 50000, 7, 106500, &seq,
	    &ts), 0);
	assert_int_equal(seq, 1005);
	assert_int_equal(ts, 102000 + 4500);
	assert_int_equal(rtp_rewriter_map(&rw, 0xb, 50001, 3007, 109500, &seq,
	    &ts), 0);
	assert_int_equal(seq, 1006);
	assert_int_equal(ts, 106500 + 3000);
	/* B's packets from before its first one: numbers already used */
	assert_int_equal(rtp_rewriter_map(&rw, 0xb, 49999, 1, 110000, &seq,
	    &ts), -1);
	/* NACKs map back to B, not across the switch */
	assert_int_equal(rtp_rewriter_unmap_seq(&rw, 1006, &in), 0);
	assert_int_equal(in, 50001);
	assert_int_equal(rtp_rewriter_unmap_seq(&rw, 1004, &in), -1);

	/* back to A with no time passed: ts still advances by 1 */
	assert_int_equal(rtp_rewriter_map(&rw, 0xa, 1005, 105000, 109500,
	    &seq, &ts), 0);
	assert_int_equal(seq, 1007);
	assert_int_equal(ts, 106500 + 3000 + 1);
}

static void
test_rewriter_wraps_and_applies_in_place(void **state)
{
	struct rtp_rewriter rw;
	struct rtp_packet p;
	uint8_t b[sizeof chromium_vp8];
	uint16_t seq, in;
	uint32_t ts;

	(void)state;
	rtp_rewriter_init(&rw, 0xfeedface);
	assert_int_equal(rtp_rewriter_map(&rw, 1, 65534, 0xfffffff0, 0, &seq,
	    &ts), 0);
	assert_int_equal(rtp_rewriter_map(&rw, 2, 10, 500, 100, &seq, &ts), 0);
	assert_int_equal(seq, 65535);
	assert_int_equal(ts, 0xfffffff0 + 100);
	assert_int_equal(rtp_rewriter_map(&rw, 2, 11, 600, 200, &seq, &ts), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(ts, 0xfffffff0 + 200);
	assert_int_equal(rtp_rewriter_unmap_seq(&rw, 0, &in), 0);
	assert_int_equal(in, 11);

	memcpy(b, chromium_vp8, sizeof b);      /* SSRC 0x11223344 */
	assert_int_equal(rtp_rewriter_apply(&rw, b, sizeof b, 400), 0);
	parse_ok(b, sizeof b, &p);
	assert_int_equal(p.ssrc, 0xfeedface);
	assert_int_equal(p.seq, 1);
	assert_int_equal(p.ts, 0xfffffff0 + 400);
	assert_memory_equal(b + 12, chromium_vp8 + 12, sizeof b - 12);
	assert_int_equal(rtp_rewriter_apply(&rw, b, 11, 400), -1);

	rtp_rewriter_init(&rw, 1);
	assert_int_equal(rtp_rewriter_unmap_seq(&rw, 5, &in), -1);
}

/* --- VP8 ----------------------------------------------------------------- */

static void
test_vp8_keyframe_with_plain_descriptor(void **state)
{
	struct rtp_vp8 v;

	(void)state;
	assert_int_equal(rtp_vp8_parse(chromium_vp8 + CHROMIUM_HDR,
	    sizeof chromium_vp8 - CHROMIUM_HDR, &v), 0);
	assert_int_equal(v.desc_len, 1);
	assert_true(v.start);
	assert_int_equal(v.pid, 0);
	assert_false(v.has_picture_id);
	assert_true(v.keyframe);
	assert_int_equal(v.width, 640);
	assert_int_equal(v.height, 480);
}

static void
test_vp8_extended_descriptors_and_picture_ids(void **state)
{
	/* X I L T K; 15-bit picture id 0x1234; TL0PICIDX 7; TID 2 Y KEYIDX 5;
	 * keyframe 320x240 with scaling bits set (dropped) */
	static const uint8_t full[] = {
		0x90, 0xf0, 0x92, 0x34, 0x07, 0xa5,
		0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x41, 0xf0, 0xc0,
	};
	/* X I, 7-bit picture id 0x55, interframe (P=1) */
	static const uint8_t delta[] = { 0x90, 0x80, 0x55, 0x11, 0x22, 0x33 };
	/* X with no optional fields; not a start: no keyframe */
	static const uint8_t cont[] = { 0x80, 0x00, 0x10, 0x00, 0x00, 0x9d,
	    0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01 };
	/* S=1 but PID=1 */
	static const uint8_t pid1[] = { 0x11, 0x10, 0x00, 0x00, 0x9d, 0x01,
	    0x2a, 0x80, 0x02, 0xe0, 0x01 };
	/* N, K only */
	static const uint8_t konly[] = { 0xb0, 0x10, 0x1f, 0x51, 0x00 };
	/* key tag but a broken start code */
	static const uint8_t nostart[] = { 0x10, 0x10, 0x00, 0x00, 0x9d, 0x01,
	    0x2b, 0x80, 0x02, 0xe0, 0x01 };
	struct rtp_vp8 v;

	(void)state;
	assert_int_equal(rtp_vp8_parse(full, sizeof full, &v), 0);
	assert_int_equal(v.desc_len, 6);
	assert_true(v.has_picture_id);
	assert_true(v.picture_id_15);
	assert_int_equal(v.picture_id, 0x1234);
	assert_true(v.has_tl0picidx);
	assert_int_equal(v.tl0picidx, 7);
	assert_true(v.has_tid);
	assert_int_equal(v.tid, 2);
	assert_true(v.layer_sync);
	assert_true(v.has_keyidx);
	assert_int_equal(v.keyidx, 5);
	assert_true(v.keyframe);
	assert_int_equal(v.width, 320);
	assert_int_equal(v.height, 240);

	assert_int_equal(rtp_vp8_parse(delta, sizeof delta, &v), 0);
	assert_int_equal(v.desc_len, 3);
	assert_true(v.has_picture_id);
	assert_false(v.picture_id_15);
	assert_int_equal(v.picture_id, 0x55);
	assert_false(v.has_tl0picidx);
	assert_true(v.start);
	assert_false(v.keyframe);

	assert_int_equal(rtp_vp8_parse(cont, sizeof cont, &v), 0);
	assert_int_equal(v.desc_len, 2);
	assert_false(v.start);
	assert_false(v.keyframe);

	assert_int_equal(rtp_vp8_parse(pid1, sizeof pid1, &v), 0);
	assert_int_equal(v.pid, 1);
	assert_false(v.keyframe);

	assert_int_equal(rtp_vp8_parse(konly, sizeof konly, &v), 0);
	assert_true(v.non_ref);
	assert_false(v.has_tid);
	assert_true(v.has_keyidx);
	assert_int_equal(v.keyidx, 31);
	assert_int_equal(v.desc_len, 3);
	assert_false(v.keyframe);

	assert_int_equal(rtp_vp8_parse(nostart, sizeof nostart, &v), 0);
	assert_false(v.keyframe);
}

static void
test_vp8_truncated_descriptors_are_refused(void **state)
{
	static const uint8_t full[] = {
		0x90, 0xf0, 0x92, 0x34, 0x07, 0xa5,
		0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x41, 0xf0, 0xc0,
	};
	struct rtp_vp8 v;
	size_t n;

	(void)state;
	for (n = 0; n <= 6; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, full, n);
		assert_int_equal(rtp_vp8_parse(copy, n, &v), -1);
		free(copy);
	}
	for (n = 7; n < sizeof full; n++) {
		uint8_t *copy = malloc(n);

		assert_non_null(copy);
		memcpy(copy, full, n);
		assert_int_equal(rtp_vp8_parse(copy, n, &v), 0);
		assert_false(v.keyframe);       /* too short to be sure */
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux_follows_rfc7983_and_rfc5761),
		cmocka_unit_test(
		    test_parse_chromium_packet_header_and_one_byte_extensions),
		cmocka_unit_test(
		    test_parse_csrcs_two_byte_extensions_and_padding),
		cmocka_unit_test(
		    test_parse_two_byte_appbits_and_other_profiles),
		cmocka_unit_test(test_one_byte_id15_and_id0_stop_parsing),
		cmocka_unit_test(test_malformed_packets_are_refused),
		cmocka_unit_test(test_every_prefix_is_refused_or_inside),
		cmocka_unit_test(test_header_setters),
		cmocka_unit_test(
		    test_mid_rewrite_keeps_length_and_other_extensions),
		cmocka_unit_test(test_two_byte_value_rewrite_may_empty_it),
		cmocka_unit_test(test_ext_set_id),
		cmocka_unit_test(
		    test_strip_keeps_negotiated_extensions_and_length),
		cmocka_unit_test(test_rewriter_is_continuous_across_a_switch),
		cmocka_unit_test(test_rewriter_wraps_and_applies_in_place),
		cmocka_unit_test(test_vp8_keyframe_with_plain_descriptor),
		cmocka_unit_test(test_vp8_extended_descriptors_and_picture_ids),
		cmocka_unit_test(test_vp8_truncated_descriptors_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
