/*
 * fuzz_rtp: libFuzzer target for rtp.c, rtp_stats.c and rtp_history.c.
 * Any input is demultiplexed and parsed; what parses must have every
 * offset inside the packet, and the in-place rewrites (mid value, ids,
 * stripping, header fields, stream rewriter) are run on an exact-size
 * copy, which must parse again with the same length, layout and payload.
 * The VP8 descriptor is read from every payload, and the sequence number
 * feeds the statistics, the NACK tracker (its count must match its bitmap)
 * and a retransmission buffer. Built by `make fuzz-rtp-build`, run by
 * `make check-fuzz` with tests/fixtures/rtp/ as seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"
#include "rtp_history.h"
#include "rtp_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rtp_stats stats;
static struct rtp_nack nack;
static struct rtp_rewriter rw;
static struct rtp_history *hist;
static uint32_t clock_now;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_rtp: %s\n", what);
	abort();
}

static void
check_inside(const struct rtp_packet *p, size_t len)
{
	int i;

	if (p->len != len || p->header_len + p->payload_len + p->pad_len != len)
		die("lengths do not add up");
	if (p->next > RTP_EXT_MAX)
		die("too many extensions");
	for (i = 0; i < p->next; i++)
		if ((size_t)p->ext[i].off + p->ext[i].len > p->header_len)
			die("extension outside the header");
	if (p->ext_form != RTP_EXT_NONE &&
	    (size_t)p->ext_off + p->ext_len > p->header_len)
		die("extension block outside the header");
}

static void
reparse_same(const uint8_t *buf, size_t len, const struct rtp_packet *was,
    const uint8_t *orig)
{
	struct rtp_packet q;

	if (rtp_parse(buf, len, &q) != 0)
		die("a rewritten packet no longer parses");
	check_inside(&q, len);
	if (q.header_len != was->header_len ||
	    q.payload_len != was->payload_len ||
	    memcmp(buf + q.header_len, orig + q.header_len,
	    len - q.header_len) != 0)
		die("a rewrite changed the layout or the payload");
	if (q.next != was->next)
		die("reparsed extensions differ from the kept table");
}

static void
check_nack_count(void)
{
	unsigned i, bits = 0;

	for (i = 0; i < RTP_NACK_WINDOW / 64; i++)
		bits += (unsigned)__builtin_popcountll(nack.missing[i]);
	if (bits != nack.nmissing)
		die("NACK count differs from its bitmap");
}

static void
rewrite(const uint8_t *data, size_t size, const struct rtp_packet *parsed)
{
	struct rtp_packet p = *parsed;
	struct rtp_ext_ids keep;
	uint8_t *buf = malloc(size);
	int mid, i;

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	mid = p.next > 0 ? (int)(data[size - 1] % p.next) : -1;
	if (mid >= 0) {
		size_t n = p.ext[mid].len;

		/* one-byte values are 1..16 bytes, two-byte ones 0..255 */
		if (rtp_ext_set_value(buf, &p, mid, "m", n > 0 ? 1 : 0) != 0)
			die("a value no longer than the old one was refused");
		rtp_ext_set_id(buf, &p, mid, (uint8_t)(data[0] % 16));
		if (rtp_ext_set_value(buf, &p, mid, "toolongtoolongtoolong",
		    (size_t)p.ext[mid].len + 1) == 0)
			die("a longer value was accepted");
	}
	reparse_same(buf, size, &p, data);

	rtp_ext_ids_clear(&keep);
	for (i = 0; i < 4 && (size_t)i < size; i++)
		rtp_ext_ids_add(&keep, data[size - 1 - (size_t)i] % 16);
	rtp_ext_strip(buf, &p, &keep);
	for (i = 0; i < p.next; i++)
		if (!rtp_ext_ids_has(&keep, p.ext[i].id))
			die("strip kept an id not asked for");
	reparse_same(buf, size, &p, data);

	rtp_set_pt(buf, size, data[1] & 0x7f);
	rtp_set_seq(buf, size, 1);
	rtp_set_ts(buf, size, 2);
	rtp_set_ssrc(buf, size, 3);
	rtp_rewriter_apply(&rw, buf, size, clock_now);
	reparse_same(buf, size, &p, data);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_packet p;
	struct rtp_vp8 v;
	uint16_t out[64], in;
	size_t len;

	if (hist == NULL) {
		hist = rtp_history_new(64);
		rtp_stats_init(&stats, 1);
		rtp_nack_init(&nack);
		rtp_rewriter_init(&rw, 0x12345678);
	}
	clock_now += 960;
	(void)rtp_demux(data, size);
	if (rtp_parse(data, size, &p) != 0)
		return 0;
	check_inside(&p, size);
	(void)rtp_ext_find(&p, 4);
	if (rtp_vp8_parse(data + p.header_len, p.payload_len, &v) == 0 &&
	    v.desc_len >= p.payload_len)
		die("VP8 descriptor longer than the payload");

	rtp_stats_update(&stats, p.seq, p.ts, clock_now);
	(void)rtp_stats_lost(&stats);
	(void)rtp_stats_jitter(&stats);
	rtp_nack_update(&nack, p.seq);
	check_nack_count();
	rtp_nack_collect(&nack, clock_now, 20, 3, out, 64);
	check_nack_count();
	if (rtp_history_put(hist, data, size) == 0) {
		const uint8_t *got = rtp_history_get(hist, p.seq, &len);

		if (got == NULL || len != size || memcmp(got, data, size) != 0)
			die("history lost what it just kept");
	}
	(void)rtp_rewriter_unmap_seq(&rw, p.seq, &in);
	rewrite(data, size, &p);
	return 0;
}
