/*
 * test_rtcp: compound RTCP reading, building and in-place rewriting
 * (rtcp.c) on packets written out byte by byte per RFC 3550, RFC 4585,
 * RFC 5104 and the REMB draft, shaped like what Chromium sends, and on
 * what klopfd's own builders make.
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

#include "rtcp.h"

/* SR with one report block, then SDES with a 16-byte CNAME. */
static const uint8_t sr_sdes[] = {
	0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44,
	0xe8, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x00, 0x27, 0x10,
	0xaa, 0xbb, 0xcc, 0xdd, 0x19, 0xff, 0xff, 0xfe,
	0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x2a,
	0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x80, 0x00,
	0x81, 0xca, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
	0x01, 0x10, 'a', 'b', 'c', 'd', 'e', 'f',
	'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
	'o', 'p', 0x00, 0x00,
};
#define SR_LEN 52

/* RR with one block, then REMB of 1.5 Mbit/s for one SSRC. */
static const uint8_t rr_remb[] = {
	0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
	0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x8f, 0xce, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 'R', 'E', 'M', 'B',
	0x01, 0x0e, 0xdc, 0x6c, 0x11, 0x22, 0x33, 0x44,
};

/* Generic NACK: PID 100 BLP 0x8005, PID 65535 BLP 0x0001. */
static const uint8_t nack[] = {
	0x81, 0xcd, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
	0x55, 0x55, 0x55, 0x55, 0x00, 0x64, 0x80, 0x05,
	0xff, 0xff, 0x00, 0x01,
};

static const uint8_t pli[] = {
	0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x55, 0x55, 0x55, 0x55,
};

/* FIR for two SSRCs, sequence numbers 7 and 8. */
static const uint8_t fir[] = {
	0x84, 0xce, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x55, 0x55, 0x55, 0x55,
	0x07, 0x00, 0x00, 0x00, 0x66, 0x66, 0x66, 0x66,
	0x08, 0x00, 0x00, 0x00,
};

/* --- helpers ------------------------------------------------------------ */

/* The only packet of buf, which must be valid. */
static void
one_packet(const uint8_t *buf, size_t len, struct rtcp_pkt *p)
{
	struct rtcp_iter it;

	assert_int_equal(rtcp_validate(buf, len), 0);
	rtcp_iter_init(&it, buf, len);
	assert_int_equal(rtcp_next(&it, p), 1);
	assert_int_equal(rtcp_next(&it, p + 1), 0);
}

/* rtcp_validate on an exact-size heap copy (so ASan sees overreads). */
static int
validate_copy(const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	r = rtcp_validate(copy, len);
	free(copy);
	return r;
}

static void
refused(const uint8_t *buf, size_t len)
{
	assert_int_equal(validate_copy(buf, len), -1);
}

static void
assert_block_equal(const struct rtcp_report_block *a,
    const struct rtcp_report_block *b)
{
	assert_int_equal(a->ssrc, b->ssrc);
	assert_int_equal(a->fraction_lost, b->fraction_lost);
	assert_int_equal(a->cumulative_lost, b->cumulative_lost);
	assert_int_equal(a->ext_highest_seq, b->ext_highest_seq);
	assert_int_equal(a->jitter, b->jitter);
	assert_int_equal(a->lsr, b->lsr);
	assert_int_equal(a->dlsr, b->dlsr);
}

/* --- reading ------------------------------------------------------------- */

static void
test_compound_sr_and_sdes(void **state)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	struct rtcp_sender_info si;
	struct rtcp_report_block rb;
	struct rtcp_sdes_chunk c;
	size_t pos = 0;

	(void)state;
	assert_int_equal(rtcp_validate(sr_sdes, sizeof sr_sdes), 0);
	rtcp_iter_init(&it, sr_sdes, sizeof sr_sdes);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.kind, RTCP_KIND_SR);
	assert_int_equal(p.type, RTCP_SR);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.off, 0);
	assert_int_equal(p.len, SR_LEN);
	assert_int_equal(rtcp_sender_ssrc(&p), 0x11223344);
	assert_int_equal(rtcp_sr_info(&p, &si), 0);
	assert_int_equal(si.ssrc, 0x11223344);
	assert_true(si.ntp == 0xe800000180000000ULL);
	assert_int_equal(si.rtp_ts, 123456);
	assert_int_equal(si.packets, 100);
	assert_int_equal(si.octets, 10000);
	assert_int_equal(rtcp_report_block(&p, 0, &rb), 0);
	assert_int_equal(rb.ssrc, 0xaabbccdd);
	assert_int_equal(rb.fraction_lost, 0x19);
	assert_int_equal(rb.cumulative_lost, -2);
	assert_int_equal(rb.ext_highest_seq, 0x10005);
	assert_int_equal(rb.jitter, 42);
	assert_int_equal(rb.lsr, 0x12345678);
	assert_int_equal(rb.dlsr, 0x8000);
	assert_int_equal(rtcp_report_block(&p, 1, &rb), -1);

	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.kind, RTCP_KIND_SDES);
	assert_int_equal(p.off, SR_LEN);
	assert_int_equal(rtcp_sender_ssrc(&p), 0x11223344);
	assert_int_equal(rtcp_sr_info(&p, &si), -1);
	assert_int_equal(rtcp_sdes_next(&p, &pos, &c), 1);
	assert_int_equal(c.ssrc, 0x11223344);
	assert_int_equal(c.cname_len, 16);
	assert_memory_equal(c.cname, "abcdefghijklmnop", 16);
	assert_int_equal(rtcp_sdes_next(&p, &pos, &c), 0);
	pos = 5;                                /* no chunk boundary */
	assert_int_equal(rtcp_sdes_next(&p, &pos, &c), 0);
	assert_int_equal(rtcp_next(&it, &p), 0);
	assert_int_equal(rtcp_next(&it, &p), 0);
}

static void
test_sdes_with_several_chunks_and_items(void **state)
{
	/* chunk 1: NAME "x" then CNAME "ab"; chunk 2: no items */
	static const uint8_t sdes[] = {
		0x82, 0xca, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
		0x02, 0x01, 'x', 0x01, 0x02, 'a', 'b', 0x00,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	};
	struct rtcp_pkt p[2];
	struct rtcp_sdes_chunk c;
	size_t pos = 0;

	(void)state;
	one_packet(sdes, sizeof sdes, p);
	assert_int_equal(rtcp_sdes_next(&p[0], &pos, &c), 1);
	assert_int_equal(c.ssrc, 1);
	assert_int_equal(c.cname_len, 2);
	assert_memory_equal(c.cname, "ab", 2);
	assert_int_equal(rtcp_sdes_next(&p[0], &pos, &c), 1);
	assert_int_equal(c.ssrc, 2);
	assert_null(c.cname);
	assert_int_equal(rtcp_sdes_next(&p[0], &pos, &c), 0);
}

static void
test_compound_rr_and_remb(void **state)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	struct rtcp_report_block rb;
	struct rtcp_remb r;

	(void)state;
	assert_int_equal(rtcp_validate(rr_remb, sizeof rr_remb), 0);
	rtcp_iter_init(&it, rr_remb, sizeof rr_remb);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.kind, RTCP_KIND_RR);
	assert_int_equal(rtcp_sender_ssrc(&p), 1);
	assert_int_equal(rtcp_report_block(&p, 0, &rb), 0);
	assert_int_equal(rb.ssrc, 0x11223344);
	assert_int_equal(rb.fraction_lost, 0);
	assert_int_equal(rb.cumulative_lost, 3);
	assert_int_equal(rb.ext_highest_seq, 0x1234);
	assert_int_equal(rb.jitter, 16);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.kind, RTCP_KIND_REMB);
	assert_int_equal(p.count, RTCP_PSFB_AFB);
	rtcp_remb_get(&p, &r);
	assert_int_equal(r.bitrate, 1500000);
	assert_int_equal(r.nssrc, 1);
	assert_int_equal(rtcp_remb_ssrc(&p, 0), 0x11223344);
	assert_int_equal(rtcp_remb_ssrc(&p, 1), 0);
	assert_int_equal(rtcp_fb_media_ssrc(&p), 0);
	assert_int_equal(rtcp_next(&it, &p), 0);
}

static void
test_nack_pid_blp_expansion(void **state)
{
	struct rtcp_pkt p[2];
	uint16_t seqs[40], pid, blp;
	size_t n;

	(void)state;
	one_packet(nack, sizeof nack, p);
	assert_int_equal(p[0].kind, RTCP_KIND_NACK);
	assert_int_equal(rtcp_fb_media_ssrc(&p[0]), 0x55555555);
	assert_int_equal(rtcp_nack_count(&p[0]), 2);
	rtcp_nack_entry(&p[0], 1, &pid, &blp);
	assert_int_equal(pid, 65535);
	assert_int_equal(blp, 1);
	n = rtcp_nack_expand(&p[0], seqs, 40);
	assert_int_equal(n, 6);
	assert_int_equal(seqs[0], 100);
	assert_int_equal(seqs[1], 101);
	assert_int_equal(seqs[2], 103);
	assert_int_equal(seqs[3], 116);
	assert_int_equal(seqs[4], 65535);
	assert_int_equal(seqs[5], 0);
	assert_int_equal(rtcp_nack_expand(&p[0], seqs, 3), 3);
	assert_int_equal(seqs[2], 103);
}

static void
test_pli_and_fir(void **state)
{
	struct rtcp_pkt p[2];
	struct rtcp_fir_entry e;

	(void)state;
	one_packet(pli, sizeof pli, p);
	assert_int_equal(p[0].kind, RTCP_KIND_PLI);
	assert_int_equal(rtcp_sender_ssrc(&p[0]), 1);
	assert_int_equal(rtcp_fb_media_ssrc(&p[0]), 0x55555555);
	assert_int_equal(rtcp_fir_count(&p[0]), 0);

	one_packet(fir, sizeof fir, p);
	assert_int_equal(p[0].kind, RTCP_KIND_FIR);
	assert_int_equal(rtcp_fir_count(&p[0]), 2);
	assert_int_equal(rtcp_fir_entry(&p[0], 0, &e), 0);
	assert_int_equal(e.ssrc, 0x55555555);
	assert_int_equal(e.seq, 7);
	assert_int_equal(rtcp_fir_entry(&p[0], 1, &e), 0);
	assert_int_equal(e.ssrc, 0x66666666);
	assert_int_equal(e.seq, 8);
	assert_int_equal(rtcp_fir_entry(&p[0], 2, &e), -1);
}

static void
test_bye_app_xr_twcc_and_unknown_are_framed(void **state)
{
	static const uint8_t mix[] = {
		/* BYE, 2 SSRCs, reason "bye" */
		0x82, 0xcb, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02, 0x03, 'b', 'y', 'e',
		/* APP "klpf" */
		0x80, 0xcc, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		'k', 'l', 'p', 'f',
		/* XR with one word */
		0x80, 0xcf, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		/* transport-cc with 8 bytes of FCI */
		0x8f, 0xcd, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
		0x55, 0x55, 0x55, 0x55, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x00, 0x10, 0x00,
		/* PSFB SLI (fmt 2) */
		0x82, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0x55, 0x55, 0x55, 0x55,
		/* AFB that is not REMB */
		0x8f, 0xce, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 'X', 'Y', 'Z', 'W',
		/* PT 195 (IJ), unknown here */
		0x80, 0xc3, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	};
	static const enum rtcp_kind want[] = {
		RTCP_KIND_BYE, RTCP_KIND_OTHER, RTCP_KIND_OTHER, RTCP_KIND_TWCC,
		RTCP_KIND_FB_OTHER, RTCP_KIND_FB_OTHER, RTCP_KIND_OTHER,
	};
	struct rtcp_iter it;
	struct rtcp_pkt p;
	size_t i = 0;

	(void)state;
	assert_int_equal(rtcp_validate(mix, sizeof mix), 0);
	rtcp_iter_init(&it, mix, sizeof mix);
	while (rtcp_next(&it, &p) == 1) {
		assert_true(i < sizeof want / sizeof want[0]);
		assert_int_equal(p.kind, want[i]);
		if (i == 0) {
			assert_int_equal(p.count, 2);
			assert_int_equal(rtcp_bye_ssrc(&p, 0), 1);
			assert_int_equal(rtcp_bye_ssrc(&p, 1), 2);
			assert_int_equal(rtcp_bye_ssrc(&p, 2), 0);
		}
		if (i == 3)
			assert_int_equal(rtcp_fb_media_ssrc(&p), 0x55555555);
		i++;
	}
	assert_int_equal(i, sizeof want / sizeof want[0]);
}

static void
test_padding_is_skipped_and_checked(void **state)
{
	/* PLI with 4 bytes of padding */
	uint8_t b[] = {
		0xa1, 0xce, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
		0x55, 0x55, 0x55, 0x55, 0x00, 0x00, 0x00, 0x04,
	};
	struct rtcp_pkt p[2];

	(void)state;
	one_packet(b, sizeof b, p);
	assert_int_equal(p[0].kind, RTCP_KIND_PLI);
	assert_int_equal(p[0].len, 12);
	b[15] = 0;
	refused(b, sizeof b);
	b[15] = 3;
	refused(b, sizeof b);
	b[15] = 8;                              /* into the feedback header */
	refused(b, sizeof b);
	b[15] = 16;
	refused(b, sizeof b);
	b[15] = 4;
	b[1] = RTCP_PSFB;
	b[0] = 0xa4;                            /* FIR: no entry left */
	refused(b, sizeof b);
}

/* --- malformed ----------------------------------------------------------- */

static void
test_malformed_lengths_are_refused(void **state)
{
	uint8_t b[128];
	struct rtcp_iter it;
	struct rtcp_pkt p;

	(void)state;
	assert_int_equal(rtcp_validate(NULL, 0), -1);
	assert_int_equal(rtcp_validate(NULL, 12), -1);
	refused(pli, 0);
	/* length field larger than the buffer */
	memcpy(b, pli, sizeof pli);
	b[3] = 0x03;
	refused(b, sizeof pli);
	b[2] = 0xff;
	refused(b, sizeof pli);
	/* length field zero: header only */
	memcpy(b, pli, sizeof pli);
	b[3] = 0;
	refused(b, sizeof pli);
	refused(b, 4);
	/* buffer not a multiple of 4: trailing bytes */
	memcpy(b, pli, sizeof pli);
	b[12] = 0x80;
	refused(b, sizeof pli + 1);
	refused(b, sizeof pli + 3);
	refused(b, 3);
	/* version 1, version 0 */
	memcpy(b, pli, sizeof pli);
	b[0] = 0x41;
	refused(b, sizeof pli);
	b[0] = 0x01;
	refused(b, sizeof pli);
	/* SR claiming two report blocks, RR claiming one without room */
	memcpy(b, sr_sdes, SR_LEN);
	b[0] = 0x82;
	refused(b, SR_LEN);
	memcpy(b, rr_remb, 8);
	b[3] = 0x01;
	refused(b, 8);
	/* feedback shorter than its header */
	memcpy(b, pli, 8);
	b[3] = 0x01;
	refused(b, 8);
	/* NACK without FCI, FIR with half an entry */
	memcpy(b, pli, sizeof pli);
	b[0] = 0x81;
	b[1] = RTCP_RTPFB;
	refused(b, sizeof pli);
	memcpy(b, fir, sizeof fir);
	b[3] = 0x05;                            /* 12 bytes of FCI */
	refused(b, 24);
	/* REMB listing more SSRCs than it carries */
	memcpy(b, rr_remb + 32, 24);
	b[16] = 2;
	refused(b, 24);
	b[16] = 1;
	b[3] = 0x03;                            /* no room for exp/mantissa */
	refused(b, 16);
	/* SDES item running past the packet; chunk count too high */
	memcpy(b, sr_sdes + SR_LEN, 28);
	b[9] = 0x12;
	refused(b, 28);
	memcpy(b, sr_sdes + SR_LEN, 28);
	b[0] = 0x82;
	refused(b, 28);
	/* BYE reason past the packet, SSRC count past the packet */
	memcpy(b, "\x81\xcb\x00\x02\x00\x00\x00\x01\x04xyz", 12);
	refused(b, 12);
	b[0] = 0x83;
	b[8] = 0x03;
	refused(b, 12);
	/* APP without its name */
	memcpy(b, "\x80\xcc\x00\x01\x00\x00\x00\x01", 8);
	refused(b, 8);

	/* a failure is sticky */
	memcpy(b, pli, sizeof pli);
	b[12] = 0x00;
	rtcp_iter_init(&it, b, sizeof pli + 4);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(rtcp_next(&it, &p), -1);
	assert_int_equal(rtcp_next(&it, &p), -1);
}

/* A prefix of a valid compound is valid exactly when it ends on a packet
 * boundary; nothing is read past it. */
static void
check_prefixes(const uint8_t *buf, size_t len, const size_t *ends,
    size_t nends)
{
	size_t n, i;

	for (n = 0; n <= len; n++) {
		bool boundary = false;

		for (i = 0; i < nends; i++)
			boundary |= n == ends[i];
		assert_int_equal(validate_copy(buf, n), boundary ? 0 : -1);
	}
}

static void
test_every_prefix_is_refused_unless_whole_packets(void **state)
{
	static const size_t sr_ends[] = { SR_LEN, sizeof sr_sdes };
	static const size_t rr_ends[] = { 32, sizeof rr_remb };
	static const size_t one[] = { sizeof nack };
	static const size_t one_fir[] = { sizeof fir };

	(void)state;
	check_prefixes(sr_sdes, sizeof sr_sdes, sr_ends, 2);
	check_prefixes(rr_remb, sizeof rr_remb, rr_ends, 2);
	check_prefixes(nack, sizeof nack, one, 1);
	check_prefixes(fir, sizeof fir, one_fir, 1);
}

/* --- building ------------------------------------------------------------ */

static void
test_built_pli_and_fir_round_trip(void **state)
{
	static const struct rtcp_fir_entry want[] = {
		{ 0xdeadbeef, 3 }, { 0x01020304, 255 },
	};
	uint8_t b[64];
	struct rtcp_pkt p[2];
	struct rtcp_fir_entry e;
	int len;

	(void)state;
	len = rtcp_build_pli(b, sizeof b, 0xa, 0xb);
	assert_int_equal(len, 12);
	assert_memory_equal(b, "\x81\xce\x00\x02\x00\x00\x00\x0a"
	    "\x00\x00\x00\x0b", 12);
	one_packet(b, (size_t)len, p);
	assert_int_equal(p[0].kind, RTCP_KIND_PLI);
	assert_int_equal(rtcp_build_pli(b, 11, 0xa, 0xb), -1);

	len = rtcp_build_fir(b, sizeof b, 0xa, want, 2);
	assert_int_equal(len, 28);
	one_packet(b, (size_t)len, p);
	assert_int_equal(p[0].kind, RTCP_KIND_FIR);
	assert_int_equal(rtcp_fb_media_ssrc(&p[0]), 0);
	assert_int_equal(rtcp_fir_entry(&p[0], 0, &e), 0);
	assert_int_equal(e.ssrc, 0xdeadbeef);
	assert_int_equal(e.seq, 3);
	assert_int_equal(rtcp_fir_entry(&p[0], 1, &e), 0);
	assert_int_equal(e.ssrc, 0x01020304);
	assert_int_equal(e.seq, 255);
	assert_int_equal(rtcp_build_fir(b, 27, 0xa, want, 2), -1);
	assert_int_equal(rtcp_build_fir(b, sizeof b, 0xa, want, 0), -1);
}

static void
test_built_remb_round_trips_and_rounds_down(void **state)
{
	static const uint64_t rates[] = {
		0, 1, 262143, 262144, 300000, 1500000, 2000000, 123456789,
		UINT64_MAX,
	};
	uint32_t ssrcs[3] = { 1, 2, 3 };
	uint8_t b[64];
	struct rtcp_pkt p[2];
	struct rtcp_remb r;
	size_t i;
	int len;

	(void)state;
	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		len = rtcp_build_remb(b, sizeof b, 9, rates[i], ssrcs, 3);
		assert_int_equal(len, 32);
		one_packet(b, (size_t)len, p);
		assert_int_equal(p[0].kind, RTCP_KIND_REMB);
		rtcp_remb_get(&p[0], &r);
		assert_int_equal(r.nssrc, 3);
		assert_true(r.bitrate <= rates[i]);
		/* 18-bit mantissa: within 1/2^17 below */
		assert_true(r.bitrate >= rates[i] - (rates[i] >> 17));
		if (rates[i] < 262144)
			assert_true(r.bitrate == rates[i]);
		assert_int_equal(rtcp_remb_ssrc(&p[0], 2), 3);
	}
	/* Chromium's packet again, byte for byte */
	len = rtcp_build_remb(b, sizeof b, 1, 1500000, ssrcs + 0, 1);
	b[20] = 0x11;
	b[21] = 0x22;
	b[22] = 0x33;
	b[23] = 0x44;
	assert_int_equal(len, 24);
	assert_memory_equal(b, rr_remb + 32, 24);
	/* no SSRC is allowed; a largest exponent saturates when read */
	assert_int_equal(rtcp_build_remb(b, sizeof b, 1, 5, NULL, 0), 20);
	b[17] = 0xff;
	b[18] = 0xff;
	b[19] = 0xff;
	one_packet(b, 20, p);
	rtcp_remb_get(&p[0], &r);
	assert_true(r.bitrate == UINT64_MAX);
	assert_int_equal(rtcp_build_remb(b, 19, 1, 5, NULL, 0), -1);
	assert_int_equal(rtcp_build_remb(b, sizeof b, 1, 5, NULL, 1), -1);
}

static void
test_built_rr_sr_sdes_compound_round_trips(void **state)
{
	struct rtcp_report_block rbs[2] = {
		{ 0x11, 12, -5, 0x2ffff, 77, 0xabcd1234, 65536 },
		{ 0x22, 255, 0x7fffff, 1, 0, 0, 0 },
	};
	struct rtcp_sender_info si = {
		0x99, 0xe8000001aaaaaaaaULL, 1234, 5678, 910112,
	};
	struct rtcp_report_block rb;
	struct rtcp_sender_info got;
	struct rtcp_sdes_chunk c;
	struct rtcp_iter it;
	struct rtcp_pkt p;
	uint8_t b[272];                 /* fits the longest SDES, 268 */
	size_t off = 0, pos = 0;
	int len;

	(void)state;
	len = rtcp_build_sr(b, sizeof b, &si, rbs, 1);
	assert_int_equal(len, 52);
	off += (size_t)len;
	len = rtcp_build_rr(b + off, sizeof b - off, 0x99, rbs, 2);
	assert_int_equal(len, 56);
	off += (size_t)len;
	len = rtcp_build_sdes(b + off, sizeof b - off, 0x99, "klopfd", 6);
	assert_int_equal(len, 20);
	off += (size_t)len;
	len = rtcp_build_rr(b + off, sizeof b - off, 0x99, NULL, 0);
	assert_int_equal(len, 8);
	off += (size_t)len;

	assert_int_equal(rtcp_validate(b, off), 0);
	rtcp_iter_init(&it, b, off);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(rtcp_sr_info(&p, &got), 0);
	assert_int_equal(got.ssrc, si.ssrc);
	assert_true(got.ntp == si.ntp);
	assert_int_equal(got.rtp_ts, si.rtp_ts);
	assert_int_equal(got.packets, si.packets);
	assert_int_equal(got.octets, si.octets);
	assert_int_equal(rtcp_report_block(&p, 0, &rb), 0);
	assert_block_equal(&rb, &rbs[0]);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.kind, RTCP_KIND_RR);
	assert_int_equal(p.count, 2);
	assert_int_equal(rtcp_report_block(&p, 1, &rb), 0);
	assert_block_equal(&rb, &rbs[1]);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(rtcp_sdes_next(&p, &pos, &c), 1);
	assert_int_equal(c.ssrc, 0x99);
	assert_int_equal(c.cname_len, 6);
	assert_memory_equal(c.cname, "klopfd", 6);
	assert_int_equal(rtcp_next(&it, &p), 1);
	assert_int_equal(p.count, 0);
	assert_int_equal(rtcp_next(&it, &p), 0);

	/* cumulative loss is clamped to 24 bits */
	rbs[0].cumulative_lost = 0x1000000;
	rbs[1].cumulative_lost = -0x1000000;
	len = rtcp_build_rr(b, sizeof b, 1, rbs, 2);
	one_packet(b, (size_t)len, &p);
	rtcp_report_block(&p, 0, &rb);
	assert_int_equal(rb.cumulative_lost, 0x7fffff);
	rtcp_report_block(&p, 1, &rb);
	assert_int_equal(rb.cumulative_lost, -0x800000);

	/* CNAME sizes 1..255 all pad correctly */
	for (len = 1; len <= 255; len++) {
		char name[255];
		int n;

		memset(name, 'c', sizeof name);
		n = rtcp_build_sdes(b, sizeof b, 7, name, (size_t)len);
		assert_true(n > 0 && n % 4 == 0);
		assert_int_equal(rtcp_validate(b, (size_t)n), 0);
	}
	assert_int_equal(rtcp_build_sdes(b, sizeof b, 7, "x", 0), -1);
	assert_int_equal(rtcp_build_sdes(b, 11, 7, "x", 1), -1);
	assert_int_equal(rtcp_build_rr(b, 31, 1, rbs, 1), -1);
	assert_int_equal(rtcp_build_sr(b, 51, &si, rbs, 1), -1);
	assert_int_equal(rtcp_build_rr(b, sizeof b, 1, rbs, 32), -1);
}

static void
test_built_nack_packs_pid_and_blp(void **state)
{
	static const uint16_t lost[] = {
		100, 101, 103, 116, 117, 65534, 65535, 0, 5, 15, 16,
	};
	uint16_t back[64];
	uint8_t b[128];
	struct rtcp_pkt p[2];
	size_t n, i;
	int len;

	(void)state;
	len = rtcp_build_nack(b, sizeof b, 1, 0x55555555, lost, 4);
	assert_int_equal(len, 16);                      /* one FCI */
	assert_memory_equal(b + 12, "\x00\x64\x80\x05", 4);

	len = rtcp_build_nack(b, sizeof b, 1, 0x55555555, lost,
	    sizeof lost / sizeof lost[0]);
	assert_true(len > 0);
	one_packet(b, (size_t)len, p);
	assert_int_equal(p[0].kind, RTCP_KIND_NACK);
	/* 100{101,103,116} 117 65534{65535,0,5} 15{16} */
	assert_int_equal(rtcp_nack_count(&p[0]), 4);
	n = rtcp_nack_expand(&p[0], back, 64);
	assert_int_equal(n, sizeof lost / sizeof lost[0]);
	for (i = 0; i < n; i++)
		assert_int_equal(back[i], lost[i]);

	/* duplicates and unsorted input still NACK every number */
	{
		static const uint16_t messy[] = { 50, 50, 10, 52, 9, 9 };

		len = rtcp_build_nack(b, sizeof b, 1, 2, messy, 6);
		one_packet(b, (size_t)len, p);
		n = rtcp_nack_expand(&p[0], back, 64);
		for (i = 0; i < 6; i++) {
			size_t k;
			bool found = false;

			for (k = 0; k < n; k++)
				found |= back[k] == messy[i];
			assert_true(found);
		}
	}
	assert_int_equal(rtcp_build_nack(b, sizeof b, 1, 2, lost, 0), -1);
	assert_int_equal(rtcp_build_nack(b, 15, 1, 2, lost, 1), -1);
	assert_int_equal(rtcp_build_nack(b, 16, 1, 2, lost, 1), 16);
	assert_int_equal(rtcp_build_nack(b, 19, 1, 2, lost, 5), -1);
	assert_int_equal(rtcp_build_nack(b, 20, 1, 2, lost, 5), 20);
}

/* --- rewriting ----------------------------------------------------------- */

static void
test_feedback_ssrc_rewrite(void **state)
{
	uint8_t b[64];
	struct rtcp_pkt p[2];
	struct rtcp_fir_entry e;
	struct rtcp_remb r;
	uint16_t seqs[8];

	(void)state;
	memcpy(b, pli, sizeof pli);
	one_packet(b, sizeof pli, p);
	assert_int_equal(rtcp_fb_rewrite_media_ssrc(b, &p[0], 0x1234, 9), 0);
	assert_memory_equal(b, pli, sizeof pli);
	assert_int_equal(rtcp_fb_rewrite_media_ssrc(b, &p[0], 0x55555555,
	    0xcafebabe), 1);
	assert_int_equal(rtcp_set_sender_ssrc(b, &p[0], 0x77), 1);
	one_packet(b, sizeof pli, p);
	assert_int_equal(rtcp_fb_media_ssrc(&p[0]), 0xcafebabe);
	assert_int_equal(rtcp_sender_ssrc(&p[0]), 0x77);

	memcpy(b, fir, sizeof fir);
	one_packet(b, sizeof fir, p);
	assert_int_equal(rtcp_fb_rewrite_media_ssrc(b, &p[0], 0x66666666,
	    0xcafebabe), 1);
	rtcp_fir_entry(&p[0], 0, &e);
	assert_int_equal(e.ssrc, 0x55555555);
	rtcp_fir_entry(&p[0], 1, &e);
	assert_int_equal(e.ssrc, 0xcafebabe);
	assert_int_equal(e.seq, 8);

	memcpy(b, nack, sizeof nack);
	one_packet(b, sizeof nack, p);
	assert_int_equal(rtcp_fb_rewrite_media_ssrc(b, &p[0], 0x55555555,
	    0x42), 1);
	assert_int_equal(rtcp_nack_shift(b, &p[0], (uint16_t)-100), 2);
	assert_int_equal(rtcp_fb_media_ssrc(&p[0]), 0x42);
	assert_int_equal(rtcp_nack_expand(&p[0], seqs, 8), 6);
	assert_int_equal(seqs[0], 0);
	assert_int_equal(seqs[1], 1);
	assert_int_equal(seqs[3], 16);
	assert_int_equal(seqs[4], 65435);
	assert_int_equal(seqs[5], 65436);

	/* in a compound: only the REMB's SSRC list changes */
	memcpy(b, rr_remb, sizeof rr_remb);
	{
		struct rtcp_iter it;
		struct rtcp_pkt q;
		int changed = 0;

		rtcp_iter_init(&it, b, sizeof rr_remb);
		while (rtcp_next(&it, &q) == 1)
			changed += rtcp_fb_rewrite_media_ssrc(b, &q,
			    0x11223344, 0xabababab);
		assert_int_equal(changed, 1);
		assert_memory_equal(b, rr_remb, 32 + 20);
		rtcp_iter_init(&it, b, sizeof rr_remb);
		rtcp_next(&it, &q);
		rtcp_next(&it, &q);
		rtcp_remb_get(&q, &r);
		assert_int_equal(r.bitrate, 1500000);
		assert_int_equal(rtcp_remb_ssrc(&q, 0), 0xabababab);
	}

	/* SDES has no sender field to set */
	memcpy(b, sr_sdes + SR_LEN, 28);
	one_packet(b, 28, p);
	assert_int_equal(rtcp_set_sender_ssrc(b, &p[0], 1), 0);
	assert_int_equal(rtcp_nack_shift(b, &p[0], 1), 0);
	assert_memory_equal(b, sr_sdes + SR_LEN, 28);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compound_sr_and_sdes),
		cmocka_unit_test(test_sdes_with_several_chunks_and_items),
		cmocka_unit_test(test_compound_rr_and_remb),
		cmocka_unit_test(test_nack_pid_blp_expansion),
		cmocka_unit_test(test_pli_and_fir),
		cmocka_unit_test(test_bye_app_xr_twcc_and_unknown_are_framed),
		cmocka_unit_test(test_padding_is_skipped_and_checked),
		cmocka_unit_test(test_malformed_lengths_are_refused),
		cmocka_unit_test(
		    test_every_prefix_is_refused_unless_whole_packets),
		cmocka_unit_test(test_built_pli_and_fir_round_trip),
		cmocka_unit_test(test_built_remb_round_trips_and_rounds_down),
		cmocka_unit_test(test_built_rr_sr_sdes_compound_round_trips),
		cmocka_unit_test(test_built_nack_packs_pid_and_blp),
		cmocka_unit_test(test_feedback_ssrc_rewrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
