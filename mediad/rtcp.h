/*
 * rtcp: RTCP packets (RFC 3550, feedback RFC 4585 and RFC 5104, REMB
 * draft-alvestrand-rmcat-remb) as an SFU reads, builds and rewrites them.
 *
 * Owns: walking a compound packet (or a reduced-size one, RFC 5506: any
 * type may come first) with every length checked; reading SR, RR report
 * blocks, SDES CNAMEs, BYE, generic NACK, PLI, FIR and REMB; recognising
 * APP, transport-cc and other types without reading them; building PLI,
 * FIR, REMB, RR, SR, SDES and generic NACK into a caller's buffer; and
 * rewriting the SSRCs and NACKed sequence numbers of feedback in place so
 * that a subscriber's feedback reaches the publisher in the publisher's
 * numbers.
 *
 * Never: allocates, logs, reads a clock, or reads outside [buf, buf+len).
 * The accessors below take a struct rtcp_pkt that rtcp_next() accepted;
 * they trust what it validated and check nothing else.
 */
#ifndef KLOPF_RTCP_H
#define KLOPF_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_HEADER_LEN 4
#define RTCP_MAX_BLOCKS 31              /* report blocks, SDES chunks, BYE */
#define RTCP_REMB_MAX_SSRC 255
#define RTCP_NACK_PER_FCI 17            /* PID and 16 BLP bits */

enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
	RTCP_XR = 207,
};

/* Feedback message types (the FMT field). */
#define RTCP_RTPFB_NACK 1
#define RTCP_RTPFB_TWCC 15
#define RTCP_PSFB_PLI 1
#define RTCP_PSFB_FIR 4
#define RTCP_PSFB_AFB 15                /* REMB when it starts "REMB" */

enum rtcp_kind {
	RTCP_KIND_OTHER = 0,    /* APP, XR, other types and formats: skip */
	RTCP_KIND_SR,
	RTCP_KIND_RR,
	RTCP_KIND_SDES,
	RTCP_KIND_BYE,
	RTCP_KIND_NACK,
	RTCP_KIND_TWCC,         /* transport-cc: recognised, not read */
	RTCP_KIND_PLI,
	RTCP_KIND_FIR,
	RTCP_KIND_REMB,
	RTCP_KIND_FB_OTHER,     /* another RTPFB/PSFB format (header valid) */
};

/* One packet of a compound. */
struct rtcp_pkt {
	enum rtcp_kind kind;
	uint8_t type;           /* PT */
	uint8_t count;          /* RC, SC or FMT */
	size_t off;             /* offset in the compound buffer */
	size_t len;             /* with its header, without its padding */
	const uint8_t *data;    /* compound + off (borrowed) */
};

struct rtcp_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool failed;
};

struct rtcp_report_block {
	uint32_t ssrc;          /* the source reported on */
	uint8_t fraction_lost;  /* lost since the last report, /256 */
	int32_t cumulative_lost; /* 24-bit signed on the wire */
	uint32_t ext_highest_seq;
	uint32_t jitter;        /* RTP clock units */
	uint32_t lsr;           /* middle 32 bits of the last SR's NTP time */
	uint32_t dlsr;          /* since that SR, 1/65536 s */
};

struct rtcp_sender_info {
	uint32_t ssrc;
	uint64_t ntp;           /* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;
	uint32_t packets;
	uint32_t octets;
};

struct rtcp_fir_entry {
	uint32_t ssrc;          /* the media sender asked for a keyframe */
	uint8_t seq;            /* per target: +1 for each new request */
};

struct rtcp_remb {
	uint64_t bitrate;       /* bits/s; saturates at UINT64_MAX */
	uint8_t nssrc;
};

struct rtcp_sdes_chunk {
	uint32_t ssrc;
	const uint8_t *cname;   /* borrowed, not NUL-terminated; NULL if none */
	uint8_t cname_len;
};

/* --- reading ------------------------------------------------------------- */

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len);

/* The next packet: 1 and *p filled, 0 at the clean end, -1 if the rest is
 * malformed (then always -1). Refused: a version other than 2, a length
 * field running past the buffer, a buffer that does not end exactly at a
 * packet end (so a length not a multiple of 4), a header-only packet
 * (length field 0: every type in use carries an SSRC), padding whose
 * count is 0, not a multiple of 4 or longer than the packet, and a packet
 * too short for what its type and count say (SR/RR report blocks, SDES
 * chunks and items, BYE SSRCs and reason, feedback header, NACK/FIR
 * entries, REMB SSRC list). Types it does not read are only framed. */
int rtcp_next(struct rtcp_iter *it, struct rtcp_pkt *p);

/* 0 if the whole compound is well-formed (rtcp_next never fails on it),
 * else -1. Check first, then act, so that no half of a bad compound is
 * acted on. */
int rtcp_validate(const uint8_t *buf, size_t len);

/* The first SSRC after the header: the sender's for SR, RR, APP and
 * feedback, the first chunk's or SSRC's for SDES and BYE. */
uint32_t rtcp_sender_ssrc(const struct rtcp_pkt *p);

/* SR only: 0 and *si, else -1. */
int rtcp_sr_info(const struct rtcp_pkt *p, struct rtcp_sender_info *si);

/* Report block i (< p->count) of an SR or RR: 0, else -1. */
int rtcp_report_block(const struct rtcp_pkt *p, unsigned i,
    struct rtcp_report_block *rb);

/* SDES: the chunk at *pos (start with 0): 1 and *c, advancing *pos; 0 at
 * the end. */
int rtcp_sdes_next(const struct rtcp_pkt *p, size_t *pos,
    struct rtcp_sdes_chunk *c);

/* BYE: SSRC i (< p->count). */
uint32_t rtcp_bye_ssrc(const struct rtcp_pkt *p, unsigned i);

/* Feedback (RTPFB, PSFB): the media source SSRC (0 for FIR and REMB). */
uint32_t rtcp_fb_media_ssrc(const struct rtcp_pkt *p);

/* Generic NACK: the number of FCI entries, and entry i. */
size_t rtcp_nack_count(const struct rtcp_pkt *p);
void rtcp_nack_entry(const struct rtcp_pkt *p, size_t i, uint16_t *pid,
    uint16_t *blp);

/* Generic NACK: the lost sequence numbers in packet order (each PID, then
 * its BLP bits from low to high), at most max of them. Returns how many
 * were written. */
size_t rtcp_nack_expand(const struct rtcp_pkt *p, uint16_t *seqs,
    size_t max);

/* FIR: the number of entries, and entry i: 0, or -1 if i is too big. */
size_t rtcp_fir_count(const struct rtcp_pkt *p);
int rtcp_fir_entry(const struct rtcp_pkt *p, size_t i,
    struct rtcp_fir_entry *e);

/* REMB: the bitrate and SSRC count, and SSRC i (< nssrc). */
void rtcp_remb_get(const struct rtcp_pkt *p, struct rtcp_remb *r);
uint32_t rtcp_remb_ssrc(const struct rtcp_pkt *p, unsigned i);

/* --- rewriting in place (buf is the compound p came from) ----------------
 * Both return the number of fields changed. */

/* Feedback from a subscriber about a forwarded stream, to go to its
 * publisher: every media SSRC equal to from becomes to (the header's
 * media source of NACK, PLI, transport-cc and other formats; the SSRCs
 * of FIR entries and of the REMB list). Other packets are left alone. */
int rtcp_fb_rewrite_media_ssrc(uint8_t *buf, const struct rtcp_pkt *p,
    uint32_t from, uint32_t to);

/* The sender SSRC (the word after the header) of SR, RR, APP or
 * feedback becomes ssrc. 1, or 0 for SDES, BYE and unknown types. */
int rtcp_set_sender_ssrc(uint8_t *buf, const struct rtcp_pkt *p,
    uint32_t ssrc);

/* Generic NACK: adds delta to every PID (modulo 2^16), mapping the
 * subscriber's sequence numbers to the publisher's (see
 * rtp_rewriter_unmap_seq: delta = in - out). BLPs are relative and stay. */
int rtcp_nack_shift(uint8_t *buf, const struct rtcp_pkt *p, uint16_t delta);

/* --- building -------------------------------------------------------------
 * Each writes one packet at buf[0..cap) and returns its length, or -1 if
 * cap is too small or the arguments are out of range. Concatenate calls
 * to make a compound. */

int rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender,
    uint32_t media);
int rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender,
    const struct rtcp_fir_entry *e, size_t n);
/* bitrate as 18-bit mantissa << 6-bit exponent, rounded down; 0..255
 * SSRCs. */
int rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender,
    uint64_t bitrate, const uint32_t *ssrcs, size_t n);
int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t sender,
    const struct rtcp_report_block *rb, size_t n);
int rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtcp_sender_info *si,
    const struct rtcp_report_block *rb, size_t n);
/* One chunk with a CNAME item (1..255 bytes). */
int rtcp_build_sdes(uint8_t *buf, size_t cap, uint32_t ssrc,
    const char *cname, size_t cname_len);
/* Generic NACK for n >= 1 lost sequence numbers. Each starts a new FCI
 * unless it falls in the 16 after the current FCI's PID; give them oldest
 * first (as rtp_nack_collect does) for the fewest entries. */
int rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender,
    uint32_t media, const uint16_t *seqs, size_t n);

#endif
