/*
 * rtp: RTP parsing and in-place rewriting; see rtp.h.
 *
 * Owns nothing beyond the caller's structs. Every read is preceded by a
 * length check against the buffer the caller gave; nothing allocates,
 * logs or loops over more than one packet's bytes.
 */
#include "rtp.h"

#include "bytes.h"

#include <string.h>


enum rtp_demux
rtp_demux(const uint8_t *buf, size_t len)
{
	uint8_t b;

	if (buf == NULL || len == 0)
		return RTP_DEMUX_OTHER;
	b = buf[0];
	if (b <= 3)
		return len >= 20 ? RTP_DEMUX_STUN : RTP_DEMUX_OTHER;
	if (b >= 20 && b <= 63)
		return len >= 13 ? RTP_DEMUX_DTLS : RTP_DEMUX_OTHER;
	if (b >= 128 && b <= 191) {
		if (len < 2)
			return RTP_DEMUX_OTHER;
		if (buf[1] >= 192 && buf[1] <= 223)
			return len >= 8 ? RTP_DEMUX_RTCP : RTP_DEMUX_OTHER;
		return len >= RTP_HEADER_LEN ? RTP_DEMUX_RTP : RTP_DEMUX_OTHER;
	}
	return RTP_DEMUX_OTHER;
}

/* --- parsing ------------------------------------------------------------ */

static int
add_ext(struct rtp_packet *p, uint8_t id, uint8_t len, size_t off)
{
	if (p->next >= RTP_EXT_MAX)
		return -1;
	p->ext[p->next].id = id;
	p->ext[p->next].len = len;
	p->ext[p->next].off = (uint16_t)off;
	p->next++;
	return 0;
}

/* Elements of a one-byte block at buf[start .. start + n). */
static int
parse_one_byte(const uint8_t *buf, size_t start, size_t n,
    struct rtp_packet *p)
{
	size_t pos = 0;

	while (pos < n) {
		uint8_t b = buf[start + pos];
		uint8_t id = b >> 4;
		size_t len = (size_t)(b & 0x0f) + 1;

		if (b == 0) {
			pos++;
			continue;
		}
		if (id == 15 || id == 0)
			break;  /* reserved: stop, keep what came before */
		if (len > n - pos - 1)
			return -1;
		if (add_ext(p, id, (uint8_t)len, start + pos + 1) != 0)
			return -1;
		pos += 1 + len;
	}
	p->ext_parsed = (uint16_t)pos;
	return 0;
}

static int
parse_two_byte(const uint8_t *buf, size_t start, size_t n,
    struct rtp_packet *p)
{
	size_t pos = 0;

	while (pos < n) {
		uint8_t id = buf[start + pos];
		size_t len;

		if (id == 0) {
			pos++;
			continue;
		}
		if (n - pos < 2)
			return -1;
		len = buf[start + pos + 1];
		if (len > n - pos - 2)
			return -1;
		if (add_ext(p, id, (uint8_t)len, start + pos + 2) != 0)
			return -1;
		pos += 2 + len;
	}
	p->ext_parsed = (uint16_t)pos;
	return 0;
}

int
rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *p)
{
	size_t off, end, i;

	if (buf == NULL || p == NULL || len < RTP_HEADER_LEN ||
	    len > RTP_MAX_PACKET || (buf[0] >> 6) != 2)
		return -1;
	memset(p, 0, offsetof(struct rtp_packet, csrc));
	p->len = len;
	p->marker = (buf[1] & 0x80) != 0;
	p->pt = buf[1] & 0x7f;
	p->seq = get16(buf + 2);
	p->ts = get32(buf + 4);
	p->ssrc = get32(buf + 8);
	p->cc = buf[0] & 0x0f;
	p->ext_form = RTP_EXT_NONE;
	p->ext_profile = 0;
	p->ext_off = 0;
	p->ext_len = 0;
	p->ext_parsed = 0;
	p->next = 0;
	p->pad_len = 0;

	end = len;
	if (buf[0] & 0x20) {
		uint8_t pad = buf[len - 1];

		if (pad == 0)
			return -1;
		if (pad > len - RTP_HEADER_LEN)
			return -1;
		p->pad_len = pad;
		end = len - pad;
	}
	off = RTP_HEADER_LEN;
	if ((size_t)p->cc * 4 > end - off)
		return -1;
	for (i = 0; i < p->cc; i++)
		p->csrc[i] = get32(buf + off + 4 * i);
	off += (size_t)p->cc * 4;

	if (buf[0] & 0x10) {
		size_t n;
		int r;

		if (end - off < 4)
			return -1;
		p->ext_profile = get16(buf + off);
		n = (size_t)get16(buf + off + 2) * 4;
		off += 4;
		if (n > end - off)
			return -1;
		p->ext_off = (uint16_t)off;
		p->ext_len = (uint16_t)n;
		if (p->ext_profile == RTP_EXT_PROFILE_ONE_BYTE) {
			p->ext_form = RTP_EXT_ONE_BYTE;
			r = parse_one_byte(buf, off, n, p);
		} else if ((p->ext_profile & 0xfff0) ==
		    RTP_EXT_PROFILE_TWO_BYTE) {
			p->ext_form = RTP_EXT_TWO_BYTE;
			r = parse_two_byte(buf, off, n, p);
		} else {
			p->ext_form = RTP_EXT_OTHER;
			p->ext_parsed = (uint16_t)n;
			r = 0;
		}
		if (r != 0)
			return -1;
		off += n;
	}
	p->header_len = off;
	p->payload_len = end - off;
	return 0;
}

/* --- extensions ---------------------------------------------------------- */

int
rtp_ext_find(const struct rtp_packet *p, uint8_t id)
{
	int i;

	for (i = 0; i < p->next; i++)
		if (p->ext[i].id == id)
			return i;
	return -1;
}

static bool
ext_index_ok(const struct rtp_packet *p, int idx)
{
	return idx >= 0 && idx < p->next &&
	    (p->ext_form == RTP_EXT_ONE_BYTE ||
	    p->ext_form == RTP_EXT_TWO_BYTE);
}

/* Bytes of an element's own header before its value. */
static size_t
ext_hdr_len(const struct rtp_packet *p)
{
	return p->ext_form == RTP_EXT_ONE_BYTE ? 1 : 2;
}

int
rtp_ext_set_value(uint8_t *buf, struct rtp_packet *p, int idx,
    const void *val, size_t n)
{
	struct rtp_ext *e;

	if (buf == NULL || !ext_index_ok(p, idx))
		return -1;
	e = &p->ext[idx];
	if (n > e->len || (n > 0 && val == NULL))
		return -1;
	if (p->ext_form == RTP_EXT_ONE_BYTE) {
		if (n == 0)
			return -1;
		buf[e->off - 1] = (uint8_t)(e->id << 4 | (n - 1));
	} else {
		buf[e->off - 1] = (uint8_t)n;
	}
	if (n > 0)
		memmove(buf + e->off, val, n);
	memset(buf + e->off + n, 0, e->len - n);
	e->len = (uint8_t)n;
	return 0;
}

int
rtp_ext_set_id(uint8_t *buf, struct rtp_packet *p, int idx, uint8_t id)
{
	struct rtp_ext *e;

	if (buf == NULL || !ext_index_ok(p, idx) || id == 0)
		return -1;
	e = &p->ext[idx];
	if (p->ext_form == RTP_EXT_ONE_BYTE) {
		if (id > RTP_EXT_ONE_BYTE_MAX_ID)
			return -1;
		buf[e->off - 1] = (uint8_t)(id << 4 | (buf[e->off - 1] & 0x0f));
	} else {
		buf[e->off - 2] = id;
	}
	e->id = id;
	return 0;
}

int
rtp_ext_strip(uint8_t *buf, struct rtp_packet *p,
    const struct rtp_ext_ids *keep)
{
	size_t hl;
	int i, kept = 0, removed;

	if (buf == NULL || (p->ext_form != RTP_EXT_ONE_BYTE &&
	    p->ext_form != RTP_EXT_TWO_BYTE))
		return 0;
	hl = ext_hdr_len(p);
	for (i = 0; i < p->next; i++) {
		struct rtp_ext e = p->ext[i];

		if (keep != NULL && rtp_ext_ids_has(keep, e.id)) {
			p->ext[kept++] = e;
			continue;
		}
		memset(buf + e.off - hl, 0, hl + e.len);
	}
	removed = p->next - kept;
	p->next = (uint8_t)kept;
	if (p->ext_parsed < p->ext_len) {
		memset(buf + p->ext_off + p->ext_parsed, 0,
		    (size_t)(p->ext_len - p->ext_parsed));
		p->ext_parsed = p->ext_len;
	}
	return removed;
}

void
rtp_ext_ids_clear(struct rtp_ext_ids *s)
{
	memset(s, 0, sizeof *s);
}

void
rtp_ext_ids_add(struct rtp_ext_ids *s, uint8_t id)
{
	s->bits[id >> 6] |= (uint64_t)1 << (id & 63);
}

bool
rtp_ext_ids_has(const struct rtp_ext_ids *s, uint8_t id)
{
	return (s->bits[id >> 6] >> (id & 63)) & 1;
}

/* --- header setters ------------------------------------------------------ */

int
rtp_set_ssrc(uint8_t *buf, size_t len, uint32_t ssrc)
{
	if (buf == NULL || len < RTP_HEADER_LEN)
		return -1;
	put32(buf + 8, ssrc);
	return 0;
}

int
rtp_set_pt(uint8_t *buf, size_t len, uint8_t pt)
{
	if (buf == NULL || len < RTP_HEADER_LEN || pt > 127)
		return -1;
	buf[1] = (uint8_t)((buf[1] & 0x80) | pt);
	return 0;
}

int
rtp_set_seq(uint8_t *buf, size_t len, uint16_t seq)
{
	if (buf == NULL || len < RTP_HEADER_LEN)
		return -1;
	put16(buf + 2, seq);
	return 0;
}

int
rtp_set_ts(uint8_t *buf, size_t len, uint32_t ts)
{
	if (buf == NULL || len < RTP_HEADER_LEN)
		return -1;
	put32(buf + 4, ts);
	return 0;
}

/* --- stream rewriter ----------------------------------------------------- */

void
rtp_rewriter_init(struct rtp_rewriter *rw, uint32_t out_ssrc)
{
	memset(rw, 0, sizeof *rw);
	rw->out_ssrc = out_ssrc;
}

int
rtp_rewriter_map(struct rtp_rewriter *rw, uint32_t in_ssrc,
    uint16_t in_seq, uint32_t in_ts, uint32_t now, uint16_t *out_seq,
    uint32_t *out_ts)
{
	uint16_t oseq;
	uint32_t ots;

	if (!rw->started) {
		rw->started = true;
		rw->in_ssrc = in_ssrc;
		rw->in_base = in_seq;
		rw->seq_off = 0;
		rw->ts_off = 0;
		rw->out_max_seq = in_seq;
		rw->out_max_ts = in_ts;
		rw->last_now = now;
	} else if (in_ssrc != rw->in_ssrc) {
		int32_t gap = (int32_t)(now - rw->last_now);

		if (gap < 1)
			gap = 1;
		rw->switched = true;
		rw->in_ssrc = in_ssrc;
		rw->in_base = in_seq;
		rw->seq_off = (uint16_t)(rw->out_max_seq + 1 - in_seq);
		rw->ts_off = rw->out_max_ts + (uint32_t)gap - in_ts;
	} else if (rw->switched &&
	    (int16_t)(uint16_t)(in_seq - rw->in_base) < 0) {
		return -1;      /* before the switch: numbers were used */
	}
	oseq = (uint16_t)(in_seq + rw->seq_off);
	ots = in_ts + rw->ts_off;
	if ((int16_t)(uint16_t)(oseq - rw->out_max_seq) >= 0) {
		rw->out_max_seq = oseq;
		rw->out_max_ts = ots;
		rw->last_now = now;
	}
	*out_seq = oseq;
	*out_ts = ots;
	return 0;
}

int
rtp_rewriter_apply(struct rtp_rewriter *rw, uint8_t *buf, size_t len,
    uint32_t now)
{
	uint16_t seq;
	uint32_t ts;

	if (buf == NULL || len < RTP_HEADER_LEN)
		return -1;
	if (rtp_rewriter_map(rw, get32(buf + 8), get16(buf + 2),
	    get32(buf + 4), now, &seq, &ts) != 0)
		return -1;
	put16(buf + 2, seq);
	put32(buf + 4, ts);
	put32(buf + 8, rw->out_ssrc);
	return 0;
}

int
rtp_rewriter_unmap_seq(const struct rtp_rewriter *rw, uint16_t out_seq,
    uint16_t *in_seq)
{
	uint16_t in;

	if (!rw->started)
		return -1;
	in = (uint16_t)(out_seq - rw->seq_off);
	if (rw->switched && (int16_t)(uint16_t)(in - rw->in_base) < 0)
		return -1;
	*in_seq = in;
	return 0;
}

/* --- VP8 ----------------------------------------------------------------- */

int
rtp_vp8_parse(const uint8_t *payload, size_t len, struct rtp_vp8 *v)
{
	const uint8_t *d;
	size_t off = 1;

	if (payload == NULL || v == NULL || len < 1)
		return -1;
	memset(v, 0, sizeof *v);
	v->non_ref = (payload[0] & 0x20) != 0;
	v->start = (payload[0] & 0x10) != 0;
	v->pid = payload[0] & 0x07;
	if (payload[0] & 0x80) {
		uint8_t x;

		if (len < 2)
			return -1;
		x = payload[1];
		off = 2;
		if (x & 0x80) {                         /* I */
			if (len < off + 1)
				return -1;
			v->has_picture_id = true;
			if (payload[off] & 0x80) {      /* M */
				if (len < off + 2)
					return -1;
				v->picture_id_15 = true;
				v->picture_id = (uint16_t)(
				    (payload[off] & 0x7f) << 8 |
				    payload[off + 1]);
				off += 2;
			} else {
				v->picture_id = payload[off] & 0x7f;
				off += 1;
			}
		}
		if (x & 0x40) {                         /* L */
			if (len < off + 1)
				return -1;
			v->has_tl0picidx = true;
			v->tl0picidx = payload[off++];
		}
		if (x & 0x30) {                         /* T or K */
			if (len < off + 1)
				return -1;
			if (x & 0x20) {
				v->has_tid = true;
				v->tid = payload[off] >> 6;
				v->layer_sync = (payload[off] & 0x20) != 0;
			}
			if (x & 0x10) {
				v->has_keyidx = true;
				v->keyidx = payload[off] & 0x1f;
			}
			off++;
		}
	}
	if (off >= len)
		return -1;
	v->desc_len = off;
	d = payload + off;
	/* RFC 7741 4.3 / RFC 6386 9.1: 3-byte frame tag, P bit (0 = key
	 * frame) in its lowest bit; a key frame adds start code and size. */
	if (v->start && v->pid == 0 && (d[0] & 0x01) == 0 &&
	    len - off >= 10 && d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a) {
		v->keyframe = true;
		v->width = (uint16_t)((d[6] | d[7] << 8) & 0x3fff);
		v->height = (uint16_t)((d[8] | d[9] << 8) & 0x3fff);
	}
	return 0;
}
