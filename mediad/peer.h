/*
 * peer: the transport of one PeerConnection of klopfd (or of the load
 * client and the tests): one ICE transport (ice.h), one DTLS endpoint
 * (dtls.h) and, once DTLS is up, one SRTP session (srtp.h), run on a
 * GMainContext.
 *
 * Owns: demultiplexing every received datagram (RFC 7983), feeding DTLS
 * records to the endpoint, the DTLS retransmission timer, keying SRTP from
 * the DTLS exporter, decrypting RTP/RTCP in place into a fixed per-peer
 * buffer and handing it to the caller, protecting and sending the caller's
 * packets, and the state of the whole transport with a reason on failure.
 * The DTLS role is fixed for the life of a peer: a client starts its
 * handshake as soon as ICE is connected, a server waits for the
 * ClientHello. A DTLS flight made before ICE reports connected (an
 * ICE-lite server may get the ClientHello first) is held in a fixed
 * buffer and sent when it does, rather than lost to a 1 s retransmission.
 *
 * Never: allocates or logs per packet (a failure reason is kept for the
 * caller to log with its context; per-packet problems are only counted),
 * touches RTP/RTCP before the SRTP keys are installed, or runs a callback
 * after peer_free() returned.
 */
#ifndef KLOPF_PEER_H
#define KLOPF_PEER_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls.h"
#include "ice.h"

/* Largest datagram accepted; longer ones are dropped and counted. */
#define PEER_MAX_DATAGRAM 1500
#define PEER_REASON_MAX 192

enum peer_state {
	PEER_NEW = 0,           /* nothing heard yet */
	PEER_CONNECTING,        /* ICE checking or DTLS handshaking */
	PEER_CONNECTED,         /* DTLS done, SRTP keyed: media flows */
	PEER_FAILED,            /* final; see peer_failure_reason() */
	PEER_CLOSED,            /* final: close_notify sent or received */
};

struct peer_options {
	struct ice_options ice;
	enum dtls_role role;    /* DTLS_ROLE_SERVER for klopfd */
	const char *srtp_profiles; /* NULL = DTLS_SRTP_PROFILES_DEFAULT */
	unsigned dtls_timeout_ms; /* first retransmission; 0 = default */
};

/* The state callback runs on every change. rtp and rtcp get one decrypted
 * packet in a buffer the callee may modify in place (it has at least
 * PEER_MAX_DATAGRAM bytes) during the call only. Any callback may call
 * peer_free() on its own peer; callbacks run on the peer's context and,
 * for the state callback, also from inside peer_set_remote(). */
struct peer_callbacks {
	void (*state)(void *ud, enum peer_state s);
	void (*rtp)(void *ud, uint8_t *buf, size_t len);
	void (*rtcp)(void *ud, uint8_t *buf, size_t len);
};

/* Counters since peer_new(). Bytes are as on the wire (protected). */
struct peer_stats {
	uint64_t rx_packets;            /* every datagram libnice delivered */
	uint64_t rx_bytes;
	uint64_t rx_rtp;                /* delivered to the rtp callback */
	uint64_t rx_rtcp;               /* delivered to the rtcp callback */
	uint64_t tx_packets;            /* SRTP/SRTCP sent (not DTLS) */
	uint64_t tx_bytes;
	uint64_t tx_failed;             /* protect or send failed */
	uint64_t tx_dtls_failed;        /* DTLS datagrams ICE could not send */
	uint64_t dropped_other;         /* not demuxable, STUN, too long */
	uint64_t dropped_not_ready;     /* RTP/RTCP before the SRTP keys */
	uint64_t dropped_srtp_auth;     /* tag wrong */
	uint64_t dropped_srtp_replay;   /* replayed or too old */
	uint64_t dropped_srtp_other;    /* too short, not version 2, ... */
	uint64_t dropped_dtls;          /* refused by dtls_receive */
};

struct peer;

/* Creates the ICE agent (host candidates gathered at once) and the DTLS
 * endpoint on ctx (NULL = default context). id is referenced by the
 * endpoint, the caller may free its own reference. Returns NULL with a
 * sentence in err. */
struct peer *peer_new(GMainContext *ctx, struct dtls_identity *id,
    const struct peer_options *o, const struct peer_callbacks *cb, void *ud,
    char *err, size_t errlen);
/* Stops at once, without close_notify (see peer_close()): no callback
 * runs after this returns. Safe from inside the peer's own callbacks.
 * NULL is a no-op. */
void peer_free(struct peer *p);

/* Borrowed from the peer, valid until peer_free(). */
const char *peer_local_ufrag(const struct peer *p);
const char *peer_local_pwd(const struct peer *p);
/* Copies up to max local candidates; returns how many. */
int peer_local_candidates(const struct peer *p, struct ice_candidate *out,
    int max);

/* The remote SDP's ICE credentials and DTLS fingerprint (copied). Returns
 * 0, or -1 if the credentials are refused. A fingerprint that does not
 * match shows up as PEER_FAILED (possibly during this call, if the
 * handshake had already finished). */
int peer_set_remote(struct peer *p, const char *ufrag, const char *pwd,
    const uint8_t fingerprint[DTLS_FINGERPRINT_LEN]);
/* A remote candidate, "candidate:..." with or without "a=". 0 or -1. */
int peer_add_remote_candidate(struct peer *p, const char *line);

/* Protects the RTP (RTCP) packet of len bytes in buf in place and sends
 * it. cap is buf's capacity and must leave room for the SRTP overhead
 * (KSRTP_RTP_OVERHEAD_MAX, KSRTP_RTCP_OVERHEAD_MAX). After a return, the
 * contents of buf are unspecified. 0, or -1 if not connected, the packet
 * could not be protected or not sent (counted). */
int peer_send_rtp(struct peer *p, uint8_t *buf, size_t len, size_t cap);
int peer_send_rtcp(struct peer *p, uint8_t *buf, size_t len, size_t cap);

/* Sends close_notify if DTLS is up and moves to PEER_CLOSED (no state
 * callback for this: the caller knows). */
void peer_close(struct peer *p);

enum peer_state peer_get_state(const struct peer *p);
/* Why the peer failed or closed: "ICE failed", "DTLS fingerprint
 * mismatch: ...", "DTLS handshake failed: ...". "" otherwise. Borrowed,
 * valid until peer_free(). */
const char *peer_failure_reason(const struct peer *p);
/* The negotiated SRTP profile once connected, else DTLS_SRTP_NONE. */
enum dtls_srtp_profile peer_srtp_profile(const struct peer *p);
void peer_stats(const struct peer *p, struct peer_stats *out);
/* Microseconds from the last datagram received, the last
 * peer_set_remote() or peer_new(), whichever came last, to now_us
 * (g_get_monotonic_time()); 0 if now_us is earlier. */
int64_t peer_idle_us(const struct peer *p, int64_t now_us);
/* ice_arrival_us() of the peer's transport: when the datagram in hand
 * reached the kernel (real time, µs); 0, or -1 if unknown. */
int peer_arrival_us(const struct peer *p, int64_t *real_us);

const char *peer_state_name(enum peer_state s);

#endif
