/*
 * rtp: RTP packets (RFC 3550) as an SFU sees them, which never decodes.
 *
 * Owns: telling STUN, DTLS, RTP and RTCP apart on one port (RFC 7983,
 * RFC 5761); parsing the fixed header, CSRCs, the one-byte (0xBEDE) and
 * two-byte (0x100X) header extension blocks (RFC 8285) and padding, with
 * every length checked against the buffer; rewriting a packet in place
 * (SSRC, payload type, sequence number, timestamp, one extension's value
 * or id, stripping extensions); a stream rewriter that keeps a subscriber's
 * sequence numbers and timestamps continuous across a switch of source;
 * the VP8 payload descriptor (RFC 7741) as far as keyframes and picture
 * ids go.
 *
 * Never: allocates, logs, reads a clock, or makes a packet longer. Every
 * function reads only inside [buf, buf + len) whatever the bytes are, and
 * the in-place functions write only inside the packet they were given.
 * Receive statistics and NACK tracking are in rtp_stats.h, the
 * retransmission buffer in rtp_history.h.
 */
#ifndef KLOPF_RTP_H
#define KLOPF_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HEADER_LEN 12               /* the fixed header */
#define RTP_MAX_PACKET 65535            /* longer input is refused */
#define RTP_MAX_CSRC 15
#define RTP_EXT_MAX 16                  /* elements per packet, else refused */
#define RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define RTP_EXT_PROFILE_TWO_BYTE 0x1000 /* low 4 bits: "appbits" */
#define RTP_EXT_ONE_BYTE_MAX_ID 14      /* 15 is reserved: stops parsing */
#define RTP_EXT_ONE_BYTE_MAX_LEN 16
#define RTP_EXT_TWO_BYTE_MAX_LEN 255

/* What a datagram on a bundled, rtcp-muxed port is (RFC 7983 by first
 * byte; RFC 5761: RTCP when the second byte is 192..223). Each class
 * also guarantees a minimum length: STUN 20, DTLS 13, RTP 12, RTCP 8. */
enum rtp_demux {
	RTP_DEMUX_OTHER = 0,    /* ZRTP, TURN channel, garbage, too short */
	RTP_DEMUX_STUN,
	RTP_DEMUX_DTLS,
	RTP_DEMUX_RTP,
	RTP_DEMUX_RTCP,
};

enum rtp_ext_form {
	RTP_EXT_NONE = 0,       /* X bit clear */
	RTP_EXT_ONE_BYTE,       /* profile 0xBEDE */
	RTP_EXT_TWO_BYTE,       /* profile 0x100X */
	RTP_EXT_OTHER,          /* another profile: skipped, no elements */
};

/* One header extension element. */
struct rtp_ext {
	uint8_t id;             /* 1..14 (one-byte form), 1..255 (two-byte) */
	uint8_t len;            /* value bytes: 1..16 (one-byte), 0..255 */
	uint16_t off;           /* value's offset in the packet */
};

/* A parsed packet: offsets into the caller's buffer, which it does not
 * keep. After an in-place change through this module's functions that
 * take a struct rtp_packet, the struct is kept up to date; the plain
 * rtp_set_*() setters do not update it. */
struct rtp_packet {
	size_t len;             /* whole packet */
	bool marker;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc;
	uint32_t csrc[RTP_MAX_CSRC];
	enum rtp_ext_form ext_form;
	uint16_t ext_profile;   /* the block's 16-bit "defined by profile" */
	uint16_t ext_off;       /* first byte after the 4-byte block header */
	uint16_t ext_len;       /* bytes of elements; a multiple of 4 */
	uint16_t ext_parsed;    /* bytes read before an id-15 stop (else all) */
	uint8_t next;
	struct rtp_ext ext[RTP_EXT_MAX];
	size_t header_len;      /* offset of the payload */
	size_t payload_len;     /* without padding; may be 0 */
	uint8_t pad_len;        /* RTP padding at the end, P bit */
};

/* A set of extension ids (what a subscriber negotiated), 0..255. */
struct rtp_ext_ids {
	uint64_t bits[4];
};

enum rtp_demux rtp_demux(const uint8_t *buf, size_t len);

/* Parses buf[0..len). 0 and *p filled, or -1 for anything that is not a
 * well-formed RTP version 2 packet: shorter than its header, CSRC list or
 * extension block says, padding count 0 or longer than the rest, an
 * extension element running past its block, more than RTP_EXT_MAX
 * elements. One-byte form: a 0x00 byte is padding; an id of 15, or id 0
 * with a non-zero length nibble, ends parsing (RFC 8285 4.2; libwebrtc
 * does the same) and the rest of the block is kept but not read. */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *p);

/* Index into p->ext of the first element with this id, or -1. */
int rtp_ext_find(const struct rtp_packet *p, uint8_t id);

/* Replaces the value of element idx (e.g. sdes:mid for a subscriber leg)
 * by val[0..n). The element keeps its place: when n is smaller than its
 * current length, its length field shrinks to n and the freed bytes
 * become 0x00, which both forms read as padding bytes between elements
 * (RFC 8285 4.2: padding may sit between elements). So the packet never
 * changes length. 0, or -1 if n is longer than the current value, n is 0
 * in the one-byte form (its values are 1..16 bytes), or idx is bad. */
int rtp_ext_set_value(uint8_t *buf, struct rtp_packet *p, int idx,
    const void *val, size_t n);

/* Gives element idx a new id (a subscriber's extmap number). 0, or -1 if
 * the id does not fit the form (one-byte: 1..14, two-byte: 1..255). */
int rtp_ext_set_id(uint8_t *buf, struct rtp_packet *p, int idx, uint8_t id);

/* Overwrites every element whose id is not in keep with 0x00 padding
 * bytes (its id/length header bytes and its value), and likewise what
 * follows an id-15 stop, and drops those elements from p->ext. The block
 * header and the X bit stay: a block of padding only is valid, and the
 * packet keeps its length. Returns the number of elements removed. */
int rtp_ext_strip(uint8_t *buf, struct rtp_packet *p,
    const struct rtp_ext_ids *keep);

void rtp_ext_ids_clear(struct rtp_ext_ids *s);
void rtp_ext_ids_add(struct rtp_ext_ids *s, uint8_t id);
bool rtp_ext_ids_has(const struct rtp_ext_ids *s, uint8_t id);

/* Header setters on a packet of at least RTP_HEADER_LEN bytes; 0, or -1
 * if len is shorter (or pt > 127). rtp_set_pt keeps the marker bit. */
int rtp_set_ssrc(uint8_t *buf, size_t len, uint32_t ssrc);
int rtp_set_pt(uint8_t *buf, size_t len, uint8_t pt);
int rtp_set_seq(uint8_t *buf, size_t len, uint16_t seq);
int rtp_set_ts(uint8_t *buf, size_t len, uint32_t ts);

/* --- stream rewriter -------------------------------------------------------
 * One outgoing stream of a subscriber leg (a fixed SSRC announced in the
 * SDP) fed from one incoming source at a time. Within a source the output
 * is the input shifted by constant offsets, so reordering and gaps pass
 * through unchanged and a NACK maps back with rtp_rewriter_unmap_seq().
 * When a packet arrives from another SSRC than before (the caller feeds
 * only the source it selected; for video it waits for a keyframe) the
 * new source continues at last sequence number + 1 and at the last
 * timestamp + the time since the last packet; packets of the new source
 * older than its first one are refused (their output numbers were used by
 * the old source). The first source of all passes through unshifted. */
struct rtp_rewriter {
	uint32_t out_ssrc;
	bool started;
	bool switched;          /* the current source is not the first */
	uint32_t in_ssrc;       /* current source */
	uint16_t in_base;       /* its first sequence number */
	uint16_t seq_off;       /* out = in + seq_off */
	uint32_t ts_off;        /* out = in + ts_off */
	uint16_t out_max_seq;   /* highest sequence number sent */
	uint32_t out_max_ts;    /* timestamp of that packet */
	uint32_t last_now;      /* its arrival time, RTP clock units */
};

void rtp_rewriter_init(struct rtp_rewriter *rw, uint32_t out_ssrc);

/* Maps one incoming packet's numbers. now is the arrival time in the
 * stream's RTP clock units (any origin; used only across a switch, where
 * the timestamp advances by at least 1). 0, or -1 to drop the packet. */
int rtp_rewriter_map(struct rtp_rewriter *rw, uint32_t in_ssrc,
    uint16_t in_seq, uint32_t in_ts, uint32_t now, uint16_t *out_seq,
    uint32_t *out_ts);

/* rtp_rewriter_map() on buf's own numbers, then writes out_ssrc and the
 * mapped numbers into buf. 0, or -1 to drop (also if len < 12). */
int rtp_rewriter_apply(struct rtp_rewriter *rw, uint8_t *buf, size_t len,
    uint32_t now);

/* The current source's sequence number behind a number this stream sent
 * (a subscriber's NACK). 0, or -1 if it was sent before the current
 * source began (or nothing was sent yet). */
int rtp_rewriter_unmap_seq(const struct rtp_rewriter *rw, uint16_t out_seq,
    uint16_t *in_seq);

/* --- VP8 payload descriptor (RFC 7741 4.2) ------------------------------ */

struct rtp_vp8 {
	size_t desc_len;        /* bytes of descriptor; the VP8 data follows */
	bool non_ref;           /* N */
	bool start;             /* S: first packet of a partition */
	uint8_t pid;            /* partition index */
	bool has_picture_id;    /* I */
	bool picture_id_15;     /* M: 15-bit picture id, else 7-bit */
	uint16_t picture_id;
	bool has_tl0picidx;     /* L */
	uint8_t tl0picidx;
	bool has_tid;           /* T */
	uint8_t tid;
	bool layer_sync;        /* Y */
	bool has_keyidx;        /* K */
	uint8_t keyidx;
	/* The first packet of a keyframe: S=1, PID=0, and the VP8 payload
	 * header (RFC 7741 4.3) has P=0 and the start code 9d 01 2a. */
	bool keyframe;
	uint16_t width, height; /* of a keyframe, scaling bits dropped */
};

/* Parses the descriptor at the start of an RTP payload (buf + header_len,
 * payload_len). 0, or -1 if the payload is shorter than its descriptor
 * says or carries no VP8 data after it. */
int rtp_vp8_parse(const uint8_t *payload, size_t len, struct rtp_vp8 *v);

#endif
