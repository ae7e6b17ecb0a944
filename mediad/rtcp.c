/*
 * rtcp: RTCP reading, building and in-place rewriting; see rtcp.h.
 *
 * Owns nothing beyond the caller's structs. rtcp_next() is the only
 * gate: it checks each packet's framing and, for the kinds it names, the
 * layout its accessors will read, so the accessors need no checks of
 * their own. Nothing allocates, logs or reads a clock.
 */
#include "rtcp.h"

#include "bytes.h"

#include <string.h>

#define FB_HEADER_LEN 12        /* header, sender SSRC, media SSRC */
#define REPORT_BLOCK_LEN 24
#define SR_HEADER_LEN 28        /* header, SSRC, sender info */
#define RR_HEADER_LEN 8
#define FIR_ENTRY_LEN 8
#define REMB_FIXED_LEN (FB_HEADER_LEN + 8)      /* "REMB", num, exp/mant */
#define SDES_CNAME 1


/* --- reading ------------------------------------------------------------- */

void
rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = buf == NULL ? 0 : len;
	it->off = 0;
	it->failed = false;
}

/* SDES chunks: count of them, each an SSRC and items up to a null item,
 * padded to 32 bits; all inside len. */
static int
check_sdes(const uint8_t *d, size_t len, unsigned count)
{
	size_t pos = RTCP_HEADER_LEN;
	unsigned c;

	for (c = 0; c < count; c++) {
		if (len - pos < 4)
			return -1;
		pos += 4;
		for (;;) {
			if (pos >= len)
				return -1;
			if (d[pos] == 0)
				break;
			if (len - pos < 2 || d[pos + 1] > len - pos - 2)
				return -1;
			pos += 2 + (size_t)d[pos + 1];
		}
		pos = (pos + 4) & ~(size_t)3;   /* null item and padding */
		if (pos > len)
			return -1;
	}
	return 0;
}

static int
check_bye(const uint8_t *d, size_t len, unsigned count)
{
	size_t pos = RTCP_HEADER_LEN + (size_t)count * 4;

	if (pos > len)
		return -1;
	if (pos < len && d[pos] > len - pos - 1)
		return -1;      /* reason longer than the packet */
	return 0;
}

/* The kind of a framed packet d[0..len), or -1 if its contents do not fit
 * its type and count. */
static int
classify(const uint8_t *d, size_t len, uint8_t type, uint8_t count,
    enum rtcp_kind *kind)
{
	size_t fci;

	*kind = RTCP_KIND_OTHER;
	switch (type) {
	case RTCP_SR:
		if (len < SR_HEADER_LEN + (size_t)count * REPORT_BLOCK_LEN)
			return -1;
		*kind = RTCP_KIND_SR;
		return 0;
	case RTCP_RR:
		if (len < RR_HEADER_LEN + (size_t)count * REPORT_BLOCK_LEN)
			return -1;
		*kind = RTCP_KIND_RR;
		return 0;
	case RTCP_SDES:
		if (check_sdes(d, len, count) != 0)
			return -1;
		*kind = RTCP_KIND_SDES;
		return 0;
	case RTCP_BYE:
		if (check_bye(d, len, count) != 0)
			return -1;
		*kind = RTCP_KIND_BYE;
		return 0;
	case RTCP_APP:
		return len < 12 ? -1 : 0;
	case RTCP_RTPFB:
	case RTCP_PSFB:
		break;
	default:
		return 0;
	}

	if (len < FB_HEADER_LEN)
		return -1;
	fci = len - FB_HEADER_LEN;
	*kind = RTCP_KIND_FB_OTHER;
	if (type == RTCP_RTPFB && count == RTCP_RTPFB_NACK) {
		if (fci == 0 || fci % 4 != 0)
			return -1;
		*kind = RTCP_KIND_NACK;
	} else if (type == RTCP_RTPFB && count == RTCP_RTPFB_TWCC) {
		*kind = RTCP_KIND_TWCC;
	} else if (type == RTCP_PSFB && count == RTCP_PSFB_PLI) {
		*kind = RTCP_KIND_PLI;
	} else if (type == RTCP_PSFB && count == RTCP_PSFB_FIR) {
		if (fci == 0 || fci % FIR_ENTRY_LEN != 0)
			return -1;
		*kind = RTCP_KIND_FIR;
	} else if (type == RTCP_PSFB && count == RTCP_PSFB_AFB &&
	    fci >= 4 && memcmp(d + FB_HEADER_LEN, "REMB", 4) == 0) {
		if (len < REMB_FIXED_LEN ||
		    (size_t)d[FB_HEADER_LEN + 4] * 4 > len - REMB_FIXED_LEN)
			return -1;
		*kind = RTCP_KIND_REMB;
	}
	return 0;
}

int
rtcp_next(struct rtcp_iter *it, struct rtcp_pkt *p)
{
	const uint8_t *d;
	size_t rest, total, len;

	if (it->failed)
		return -1;
	if (it->off == it->len)
		return 0;
	d = it->buf + it->off;
	rest = it->len - it->off;
	if (rest < RTCP_HEADER_LEN || (d[0] >> 6) != 2)
		goto bad;
	total = ((size_t)get16(d + 2) + 1) * 4;
	if (total > rest || total == RTCP_HEADER_LEN)
		goto bad;
	len = total;
	if (d[0] & 0x20) {
		uint8_t pad = d[total - 1];

		if (pad == 0 || pad % 4 != 0 || pad > total - 8)
			goto bad;
		len = total - pad;
	}
	p->type = d[1];
	p->count = d[0] & 0x1f;
	p->off = it->off;
	p->len = len;
	p->data = d;
	if (classify(d, len, p->type, p->count, &p->kind) != 0)
		goto bad;
	it->off += total;
	return 1;
bad:
	it->failed = true;
	return -1;
}

int
rtcp_validate(const uint8_t *buf, size_t len)
{
	struct rtcp_iter it;
	struct rtcp_pkt p;
	int r;

	if (buf == NULL || len == 0)
		return -1;
	rtcp_iter_init(&it, buf, len);
	while ((r = rtcp_next(&it, &p)) == 1)
		;
	return r;
}

uint32_t
rtcp_sender_ssrc(const struct rtcp_pkt *p)
{
	return get32(p->data + 4);
}

int
rtcp_sr_info(const struct rtcp_pkt *p, struct rtcp_sender_info *si)
{
	const uint8_t *d = p->data;

	if (p->kind != RTCP_KIND_SR)
		return -1;
	si->ssrc = get32(d + 4);
	si->ntp = (uint64_t)get32(d + 8) << 32 | get32(d + 12);
	si->rtp_ts = get32(d + 16);
	si->packets = get32(d + 20);
	si->octets = get32(d + 24);
	return 0;
}

int
rtcp_report_block(const struct rtcp_pkt *p, unsigned i,
    struct rtcp_report_block *rb)
{
	const uint8_t *b;
	uint32_t lost;

	if ((p->kind != RTCP_KIND_SR && p->kind != RTCP_KIND_RR) ||
	    i >= p->count)
		return -1;
	b = p->data + (p->kind == RTCP_KIND_SR ? SR_HEADER_LEN :
	    RR_HEADER_LEN) + (size_t)i * REPORT_BLOCK_LEN;
	rb->ssrc = get32(b);
	rb->fraction_lost = b[4];
	lost = (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	rb->cumulative_lost = (lost & 0x800000) ?
	    (int32_t)lost - 0x1000000 : (int32_t)lost;
	rb->ext_highest_seq = get32(b + 8);
	rb->jitter = get32(b + 12);
	rb->lsr = get32(b + 16);
	rb->dlsr = get32(b + 20);
	return 0;
}

int
rtcp_sdes_next(const struct rtcp_pkt *p, size_t *pos,
    struct rtcp_sdes_chunk *c)
{
	const uint8_t *d = p->data;
	size_t at = *pos == 0 ? RTCP_HEADER_LEN : *pos;
	size_t n = 0, i;

	if (p->kind != RTCP_KIND_SDES)
		return 0;
	/* Which chunk is at: walk the validated layout up to it, so that a
	 * position that is no chunk boundary reads nothing. */
	for (i = RTCP_HEADER_LEN; i < at && n < p->count; n++) {
		i += 4;
		while (d[i] != 0)
			i += 2 + (size_t)d[i + 1];
		i = (i + 4) & ~(size_t)3;
	}
	if (i != at || n >= p->count)
		return 0;
	c->ssrc = get32(d + at);
	c->cname = NULL;
	c->cname_len = 0;
	at += 4;
	while (d[at] != 0) {
		if (d[at] == SDES_CNAME && c->cname == NULL) {
			c->cname = d + at + 2;
			c->cname_len = d[at + 1];
		}
		at += 2 + (size_t)d[at + 1];
	}
	*pos = (at + 4) & ~(size_t)3;
	return 1;
}

uint32_t
rtcp_bye_ssrc(const struct rtcp_pkt *p, unsigned i)
{
	if (p->kind != RTCP_KIND_BYE || i >= p->count)
		return 0;
	return get32(p->data + RTCP_HEADER_LEN + (size_t)i * 4);
}

uint32_t
rtcp_fb_media_ssrc(const struct rtcp_pkt *p)
{
	if (p->len < FB_HEADER_LEN)
		return 0;
	return get32(p->data + 8);
}

size_t
rtcp_nack_count(const struct rtcp_pkt *p)
{
	if (p->kind != RTCP_KIND_NACK)
		return 0;
	return (p->len - FB_HEADER_LEN) / 4;
}

void
rtcp_nack_entry(const struct rtcp_pkt *p, size_t i, uint16_t *pid,
    uint16_t *blp)
{
	const uint8_t *e;

	*pid = 0;
	*blp = 0;
	if (i >= rtcp_nack_count(p))
		return;
	e = p->data + FB_HEADER_LEN + i * 4;
	*pid = get16(e);
	*blp = get16(e + 2);
}

size_t
rtcp_nack_expand(const struct rtcp_pkt *p, uint16_t *seqs, size_t max)
{
	size_t i, n = 0, count = rtcp_nack_count(p);

	for (i = 0; i < count && n < max; i++) {
		uint16_t pid, blp;
		unsigned b;

		rtcp_nack_entry(p, i, &pid, &blp);
		seqs[n++] = pid;
		for (b = 0; b < 16 && n < max; b++)
			if (blp & (1u << b))
				seqs[n++] = (uint16_t)(pid + b + 1);
	}
	return n;
}

size_t
rtcp_fir_count(const struct rtcp_pkt *p)
{
	if (p->kind != RTCP_KIND_FIR)
		return 0;
	return (p->len - FB_HEADER_LEN) / FIR_ENTRY_LEN;
}

int
rtcp_fir_entry(const struct rtcp_pkt *p, size_t i, struct rtcp_fir_entry *e)
{
	const uint8_t *d;

	if (i >= rtcp_fir_count(p))
		return -1;
	d = p->data + FB_HEADER_LEN + i * FIR_ENTRY_LEN;
	e->ssrc = get32(d);
	e->seq = d[4];
	return 0;
}

void
rtcp_remb_get(const struct rtcp_pkt *p, struct rtcp_remb *r)
{
	const uint8_t *d = p->data + FB_HEADER_LEN + 4;
	unsigned exp;
	uint64_t mant;

	r->bitrate = 0;
	r->nssrc = 0;
	if (p->kind != RTCP_KIND_REMB)
		return;
	r->nssrc = d[0];
	exp = d[1] >> 2;
	mant = (uint64_t)(d[1] & 0x03) << 16 | (uint64_t)d[2] << 8 | d[3];
	if (exp > 64 - 18 && (mant >> (64 - exp)) != 0)
		r->bitrate = UINT64_MAX;
	else
		r->bitrate = mant << exp;
}

uint32_t
rtcp_remb_ssrc(const struct rtcp_pkt *p, unsigned i)
{
	if (p->kind != RTCP_KIND_REMB || i >= p->data[FB_HEADER_LEN + 4])
		return 0;
	return get32(p->data + REMB_FIXED_LEN + (size_t)i * 4);
}

/* --- rewriting ----------------------------------------------------------- */

static int
swap_ssrc(uint8_t *at, uint32_t from, uint32_t to)
{
	if (get32(at) != from)
		return 0;
	put32(at, to);
	return 1;
}

int
rtcp_fb_rewrite_media_ssrc(uint8_t *buf, const struct rtcp_pkt *p,
    uint32_t from, uint32_t to)
{
	uint8_t *d = buf + p->off;
	size_t i, n;
	int changed = 0;

	switch (p->kind) {
	case RTCP_KIND_NACK:
	case RTCP_KIND_TWCC:
	case RTCP_KIND_PLI:
	case RTCP_KIND_FB_OTHER:
		return swap_ssrc(d + 8, from, to);
	case RTCP_KIND_FIR:
		n = rtcp_fir_count(p);
		for (i = 0; i < n; i++)
			changed += swap_ssrc(d + FB_HEADER_LEN +
			    i * FIR_ENTRY_LEN, from, to);
		return changed;
	case RTCP_KIND_REMB:
		n = d[FB_HEADER_LEN + 4];
		for (i = 0; i < n; i++)
			changed += swap_ssrc(d + REMB_FIXED_LEN + i * 4,
			    from, to);
		return changed;
	default:
		return 0;
	}
}

int
rtcp_set_sender_ssrc(uint8_t *buf, const struct rtcp_pkt *p, uint32_t ssrc)
{
	switch (p->type) {
	case RTCP_SR:
	case RTCP_RR:
	case RTCP_APP:
	case RTCP_RTPFB:
	case RTCP_PSFB:
		put32(buf + p->off + 4, ssrc);
		return 1;
	default:
		return 0;
	}
}

int
rtcp_nack_shift(uint8_t *buf, const struct rtcp_pkt *p, uint16_t delta)
{
	size_t i, n = rtcp_nack_count(p);
	uint8_t *e;

	for (i = 0; i < n; i++) {
		e = buf + p->off + FB_HEADER_LEN + i * 4;
		put16(e, (uint16_t)(get16(e) + delta));
	}
	return (int)n;
}

/* --- building ------------------------------------------------------------ */

/* Header for a packet of len bytes (a multiple of 4). */
static void
put_header(uint8_t *buf, uint8_t count, uint8_t type, size_t len)
{
	buf[0] = (uint8_t)(0x80 | count);
	buf[1] = type;
	put16(buf + 2, (uint16_t)(len / 4 - 1));
}

static int
build_fb(uint8_t *buf, size_t cap, uint8_t type, uint8_t fmt,
    uint32_t sender, uint32_t media, size_t fci)
{
	size_t len = FB_HEADER_LEN + fci;

	if (buf == NULL || len > cap || len > 4 * 65536)
		return -1;
	put_header(buf, fmt, type, len);
	put32(buf + 4, sender);
	put32(buf + 8, media);
	return (int)len;
}

int
rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media)
{
	return build_fb(buf, cap, RTCP_PSFB, RTCP_PSFB_PLI, sender, media, 0);
}

int
rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender,
    const struct rtcp_fir_entry *e, size_t n)
{
	size_t i;
	int len;

	if (n == 0 || e == NULL || n > 1024)
		return -1;
	len = build_fb(buf, cap, RTCP_PSFB, RTCP_PSFB_FIR, sender, 0,
	    n * FIR_ENTRY_LEN);
	if (len < 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint8_t *d = buf + FB_HEADER_LEN + i * FIR_ENTRY_LEN;

		put32(d, e[i].ssrc);
		d[4] = e[i].seq;
		d[5] = d[6] = d[7] = 0;
	}
	return len;
}

int
rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender,
    uint64_t bitrate, const uint32_t *ssrcs, size_t n)
{
	unsigned exp = 0;
	uint32_t mant;
	uint8_t *d;
	size_t i;
	int len;

	if (n > RTCP_REMB_MAX_SSRC || (n > 0 && ssrcs == NULL))
		return -1;
	len = build_fb(buf, cap, RTCP_PSFB, RTCP_PSFB_AFB, sender, 0,
	    8 + n * 4);
	if (len < 0)
		return -1;
	while ((bitrate >> exp) > 0x3ffff)
		exp++;
	mant = (uint32_t)(bitrate >> exp);
	d = buf + FB_HEADER_LEN;
	memcpy(d, "REMB", 4);
	d[4] = (uint8_t)n;
	d[5] = (uint8_t)(exp << 2 | mant >> 16);
	d[6] = (uint8_t)(mant >> 8);
	d[7] = (uint8_t)mant;
	for (i = 0; i < n; i++)
		put32(d + 8 + i * 4, ssrcs[i]);
	return len;
}

static void
put_report_block(uint8_t *b, const struct rtcp_report_block *rb)
{
	int32_t lost = rb->cumulative_lost;
	uint32_t l24;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	l24 = (uint32_t)lost & 0xffffff;
	put32(b, rb->ssrc);
	b[4] = rb->fraction_lost;
	b[5] = (uint8_t)(l24 >> 16);
	b[6] = (uint8_t)(l24 >> 8);
	b[7] = (uint8_t)l24;
	put32(b + 8, rb->ext_highest_seq);
	put32(b + 12, rb->jitter);
	put32(b + 16, rb->lsr);
	put32(b + 20, rb->dlsr);
}

int
rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t sender,
    const struct rtcp_report_block *rb, size_t n)
{
	size_t len = RR_HEADER_LEN + n * REPORT_BLOCK_LEN, i;

	if (buf == NULL || n > RTCP_MAX_BLOCKS || (n > 0 && rb == NULL) ||
	    len > cap)
		return -1;
	put_header(buf, (uint8_t)n, RTCP_RR, len);
	put32(buf + 4, sender);
	for (i = 0; i < n; i++)
		put_report_block(buf + RR_HEADER_LEN + i * REPORT_BLOCK_LEN,
		    &rb[i]);
	return (int)len;
}

int
rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtcp_sender_info *si,
    const struct rtcp_report_block *rb, size_t n)
{
	size_t len = SR_HEADER_LEN + n * REPORT_BLOCK_LEN, i;

	if (buf == NULL || si == NULL || n > RTCP_MAX_BLOCKS ||
	    (n > 0 && rb == NULL) || len > cap)
		return -1;
	put_header(buf, (uint8_t)n, RTCP_SR, len);
	put32(buf + 4, si->ssrc);
	put32(buf + 8, (uint32_t)(si->ntp >> 32));
	put32(buf + 12, (uint32_t)si->ntp);
	put32(buf + 16, si->rtp_ts);
	put32(buf + 20, si->packets);
	put32(buf + 24, si->octets);
	for (i = 0; i < n; i++)
		put_report_block(buf + SR_HEADER_LEN + i * REPORT_BLOCK_LEN,
		    &rb[i]);
	return (int)len;
}

int
rtcp_build_sdes(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
    size_t cname_len)
{
	/* header, SSRC, CNAME item, null item, padding to 32 bits */
	size_t end = RTCP_HEADER_LEN + 4 + 2 + cname_len;
	size_t len = (end + 4) & ~(size_t)3;

	if (buf == NULL || cname == NULL || cname_len == 0 ||
	    cname_len > 255 || len > cap)
		return -1;
	put_header(buf, 1, RTCP_SDES, len);
	put32(buf + 4, ssrc);
	buf[8] = SDES_CNAME;
	buf[9] = (uint8_t)cname_len;
	memcpy(buf + 10, cname, cname_len);
	memset(buf + end, 0, len - end);
	return (int)len;
}

int
rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media,
    const uint16_t *seqs, size_t n)
{
	size_t i, nfci = 0, len;
	uint16_t pid = 0, blp = 0;

	if (buf == NULL || seqs == NULL || n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint16_t d = (uint16_t)(seqs[i] - pid);

		if (nfci > 0 && (d == 0 || (d >= 1 && d <= 16))) {
			if (d > 0)
				blp |= (uint16_t)(1u << (d - 1));
			continue;
		}
		if (nfci > 0) {
			if (FB_HEADER_LEN + nfci * 4 > cap)
				return -1;
			put16(buf + FB_HEADER_LEN + (nfci - 1) * 4, pid);
			put16(buf + FB_HEADER_LEN + (nfci - 1) * 4 + 2, blp);
		}
		pid = seqs[i];
		blp = 0;
		nfci++;
	}
	len = FB_HEADER_LEN + nfci * 4;
	if (len > cap || nfci > 16384)
		return -1;
	put16(buf + FB_HEADER_LEN + (nfci - 1) * 4, pid);
	put16(buf + FB_HEADER_LEN + (nfci - 1) * 4 + 2, blp);
	return build_fb(buf, cap, RTCP_RTPFB, RTCP_RTPFB_NACK, sender, media,
	    nfci * 4);
}
