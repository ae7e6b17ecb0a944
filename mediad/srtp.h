/*
 * srtp: SRTP and SRTCP protection for one transport (RFC 3711; AES-GCM
 * per RFC 7714) on OpenSSL, keyed from the DTLS exporter
 * (dtls_srtp_keys). Public names carry the prefix ksrtp_ so that they
 * never clash with libsrtp's srtp_ names (the tests use libsrtp2 as the
 * reference implementation).
 *
 * A struct ksrtp holds two directions: outbound (our local key, any SSRC
 * we send) and inbound (the peer's key, any SSRC it sends), each for RTP
 * and RTCP. Every function works in place on the caller's buffer and
 * allocates nothing per packet, except that a stream (its replay window
 * and rollover counter) is made the first time an SSRC is seen, inbound
 * only once that packet has authenticated.
 *
 * Never logs anything, least of all keys.
 */
#ifndef KLOPF_SRTP_H
#define KLOPF_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "dtls.h"

#define KSRTP_REPLAY_WINDOW 1024        /* RTP packets, per SSRC */
/* Most bytes protect adds: tag (RTP); tag and E-flag/index (RTCP). */
#define KSRTP_RTP_OVERHEAD_MAX 16
#define KSRTP_RTCP_OVERHEAD_MAX 20

enum ksrtp_result {
	KSRTP_OK = 0,
	KSRTP_ERR_TOO_SHORT = -1,       /* shorter than its headers and tag */
	KSRTP_ERR_NO_ROOM = -2,         /* cap has no room for tag/index */
	KSRTP_ERR_AUTH = -3,            /* tag wrong: tampered or wrong key */
	KSRTP_ERR_REPLAY = -4,          /* this index was accepted before */
	KSRTP_ERR_TOO_OLD = -5,         /* index behind the replay window */
	KSRTP_ERR_BAD_PACKET = -6,      /* not RTP/RTCP version 2 */
	KSRTP_ERR_FAIL = -7,            /* out of memory, OpenSSL failed */
};

struct ksrtp;

/* Process-wide set-up; 0 or -1. Nothing to do at present (libsrtp needed
 * it); ksrtp_new() does not depend on it. */
int ksrtp_init(void);

/* Sessions for keys (copied; the caller may wipe its copy). Retransmitted
 * RTP packets (same SSRC and sequence number, same payload: NACK answers)
 * may be protected again. NULL if the profile is not supported or OpenSSL
 * failed. */
struct ksrtp *ksrtp_new(const struct dtls_srtp_keys *keys);
/* NULL is a no-op. */
void ksrtp_free(struct ksrtp *s);

/* Protects the RTP packet of *len bytes in buf (capacity cap bytes) in
 * place; *len grows by ksrtp_rtp_overhead(). Returns KSRTP_OK or a
 * negative enum ksrtp_result; after KSRTP_ERR_TOO_SHORT, _NO_ROOM and
 * _BAD_PACKET buf is untouched, after others it must not be sent.
 * KSRTP_ERR_TOO_OLD: the sequence number is more than the replay window
 * behind the highest one sent on this SSRC (a NACK answered too late). */
int ksrtp_protect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len,
    size_t cap);
/* Checks and decrypts the SRTP packet in place; *len shrinks. On error
 * the contents of buf are unspecified and the packet must be dropped. */
int ksrtp_unprotect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len);
/* The same for compound RTCP packets; *len grows by ksrtp_rtcp_overhead(). */
int ksrtp_protect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len,
    size_t cap);
int ksrtp_unprotect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len);

enum dtls_srtp_profile ksrtp_profile(const struct ksrtp *s);
size_t ksrtp_rtp_overhead(const struct ksrtp *s);     /* 16 GCM, 10 CM */
size_t ksrtp_rtcp_overhead(const struct ksrtp *s);    /* 20 GCM, 14 CM */
/* A short English phrase for an enum ksrtp_result; static storage. */
const char *ksrtp_strerror(int result);

#endif
