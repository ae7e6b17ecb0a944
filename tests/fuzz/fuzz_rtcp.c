/*
 * fuzz_rtcp: libFuzzer target for rtcp.c. Any input is validated and
 * walked; every accessor is called on every packet it yields, and the
 * packets must tile the input exactly when it validates. The in-place
 * rewrites run on an exact-size copy, which must still validate. The
 * input also drives the builders (NACK from its bytes as sequence
 * numbers, REMB from its bytes as a bitrate), whose output must parse
 * back to what went in. Built by `make fuzz-rtcp-build`, run by
 * `make check-fuzz` with tests/fixtures/rtcp/ as seeds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_rtcp: %s\n", what);
	abort();
}

static void
read_all(const struct rtcp_pkt *p)
{
	struct rtcp_sender_info si;
	struct rtcp_report_block rb;
	struct rtcp_sdes_chunk c;
	struct rtcp_fir_entry e;
	struct rtcp_remb r;
	uint16_t seqs[64], pid, blp;
	size_t pos = 0, i;
	unsigned k;

	(void)rtcp_sender_ssrc(p);
	(void)rtcp_sr_info(p, &si);
	for (k = 0; k < p->count; k++) {
		(void)rtcp_report_block(p, k, &rb);
		(void)rtcp_bye_ssrc(p, k);
	}
	for (k = 0; k <= RTCP_MAX_BLOCKS && rtcp_sdes_next(p, &pos, &c); k++)
		if (c.cname != NULL && (c.cname < p->data ||
		    c.cname + c.cname_len > p->data + p->len))
			die("CNAME outside its packet");
	if (k > p->count)
		die("more SDES chunks than counted");
	(void)rtcp_fb_media_ssrc(p);
	for (i = 0; i < rtcp_nack_count(p); i++)
		rtcp_nack_entry(p, i, &pid, &blp);
	(void)rtcp_nack_expand(p, seqs, 64);
	for (i = 0; i < rtcp_fir_count(p); i++)
		if (rtcp_fir_entry(p, i, &e) != 0)
			die("FIR entry below the count refused");
	rtcp_remb_get(p, &r);
	for (k = 0; k < r.nssrc; k++)
		(void)rtcp_remb_ssrc(p, k);
}

static void
rewrite(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size);
	struct rtcp_iter it;
	struct rtcp_pkt p;

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	rtcp_iter_init(&it, buf, size);
	while (rtcp_next(&it, &p) == 1) {
		rtcp_fb_rewrite_media_ssrc(buf, &p, rtcp_fb_media_ssrc(&p),
		    0xabcdef01);
		rtcp_set_sender_ssrc(buf, &p, 0x01020304);
		rtcp_nack_shift(buf, &p, 0x8001);
	}
	if (rtcp_validate(buf, size) != 0)
		die("a rewritten compound no longer validates");
	free(buf);
}

static void
build(const uint8_t *data, size_t size)
{
	uint8_t buf[1024];
	uint16_t seqs[64], back[64 * RTCP_NACK_PER_FCI];
	struct rtcp_pkt p[2];
	struct rtcp_iter it;
	struct rtcp_remb r;
	uint64_t rate = 0;
	size_t n = size / 2 > 64 ? 64 : size / 2, m, i, k;
	int len;

	for (i = 0; i < n; i++)
		seqs[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
	if (n > 0) {
		len = rtcp_build_nack(buf, sizeof buf, 1, 2, seqs, n);
		if (len < 0)
			die("NACK not built");
		rtcp_iter_init(&it, buf, (size_t)len);
		if (rtcp_next(&it, p) != 1 || p[0].kind != RTCP_KIND_NACK)
			die("built NACK does not parse");
		m = rtcp_nack_expand(p, back, sizeof back / sizeof back[0]);
		for (i = 0; i < n; i++) {
			bool found = false;

			for (k = 0; k < m && !found; k++)
				found = back[k] == seqs[i];
			if (!found)
				die("built NACK lost a sequence number");
		}
	}
	for (i = 0; i < 8 && i < size; i++)
		rate = rate << 8 | data[i];
	len = rtcp_build_remb(buf, sizeof buf, 1, rate, NULL, 0);
	rtcp_iter_init(&it, buf, (size_t)len);
	if (len < 0 || rtcp_next(&it, p) != 1 || p[0].kind != RTCP_KIND_REMB)
		die("built REMB does not parse");
	rtcp_remb_get(p, &r);
	if (r.bitrate > rate || r.bitrate < rate - (rate >> 17))
		die("REMB bitrate off by more than its mantissa allows");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	size_t end = 0;
	int r, valid = rtcp_validate(data, size);

	rtcp_iter_init(&it, data, size);
	while ((r = rtcp_next(&it, &p)) == 1) {
		if (p.off != end || p.len > size - p.off || p.len < 8)
			die("packet outside the compound");
		end = it.off;
		read_all(&p);
	}
	if (size > 0 && (r == 0) != (valid == 0))
		die("validate and iterate disagree");
	if (valid == 0) {
		if (end != size)
			die("valid compound not tiled by its packets");
		rewrite(data, size);
	}
	build(data, size);
	return 0;
}
