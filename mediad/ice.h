/*
 * ice: one ICE transport of klopfd per PeerConnection, on libnice in lite
 * mode (RFC 8445 ICE-lite: klopfd only answers connectivity checks; the
 * browser or webrtcbin checks and nominates). One stream, one component
 * (BUNDLE and rtcp-mux only), host candidates on exactly the configured
 * addresses and port range, UDP and optionally TCP (RFC 6544 passive).
 *
 * Owns the NiceAgent; hands every received datagram (DTLS, RTP, RTCP;
 * STUN stays inside libnice) to its receive callback on the main loop.
 * An agent in an ioloop, once connected over UDP, reads the selected
 * socket itself in batches and sends in batches (ioloop.h), and answers
 * the peer's checks on it with libnice's STUN library: libnice is not in
 * the way of every datagram any more. Never logs per packet.
 */
#ifndef KLOPF_ICE_H
#define KLOPF_ICE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICE_MAX_ADDRESSES 8
#define ICE_MAX_CANDIDATES 16
#define ICE_UFRAG_MAX 64
#define ICE_PWD_MAX 128

enum ice_state {
	ICE_NEW = 0,
	ICE_CHECKING,
	ICE_CONNECTED,
	ICE_FAILED,
};

struct ice_options {
	const char *addresses[ICE_MAX_ADDRESSES]; /* numeric, advertised as is */
	int naddresses;
	unsigned port_min;      /* 0 = any */
	unsigned port_max;
	bool tcp;               /* also offer passive ICE-TCP candidates */
	bool lite;              /* true for klopfd; false makes a full,
	                           controlling agent (load client, tests) */
	struct ioloop *loop;    /* NULL: the agent's sources go on ctx;
	                           else on a context of its own in this loop
	                           (ioloop.h), ctx only for the loop, and the
	                           connected socket is read in batches */
};

struct ice_candidate {
	char foundation[33];
	char addr[64];
	unsigned port;
	bool tcp;               /* tcptype passive when tcp */
	uint32_t priority;
	char type[8];           /* "host" */
};

typedef void (*ice_recv_fn)(void *ud, const uint8_t *buf, size_t len);
typedef void (*ice_state_fn)(void *ud, enum ice_state state);

struct ice;
struct ioloop;

/* Creates the agent on ctx (NULL = default context) and gathers its host
 * candidates (synchronous for host candidates). Returns NULL with a
 * sentence in err. */
struct ice *ice_new(GMainContext *ctx, const struct ice_options *o,
    ice_recv_fn recv, ice_state_fn state, void *ud, char *err,
    size_t errlen);
/* Stops at once: no callback runs after this returns. NULL is a no-op. */
void ice_free(struct ice *ice);

const char *ice_local_ufrag(const struct ice *ice);
const char *ice_local_pwd(const struct ice *ice);
/* Copies up to max local candidates; returns how many. */
int ice_local_candidates(const struct ice *ice, struct ice_candidate *out,
    int max);
/* Writes "candidate:..." as for an a=candidate line (without "a="). */
int ice_candidate_sdp(const struct ice_candidate *c, char *buf, size_t len);

int ice_set_remote_credentials(struct ice *ice, const char *ufrag,
    const char *pwd);
/* A trickled or SDP candidate, "candidate:..." with or without "a=".
 * Returns 0, or -1 if it cannot be parsed (such candidates are ignored;
 * an ICE-lite agent learns the peer's address from its checks anyway). */
int ice_add_remote_candidate(struct ice *ice, const char *line);

/* Sends one datagram on the selected pair. Returns 0, or -1 when there is
 * no pair yet or the send failed. */
int ice_send(struct ice *ice, const uint8_t *buf, size_t len);
enum ice_state ice_get_state(const struct ice *ice);
/* Monotonic time (µs) of the last datagram received, 0 if none. */
int64_t ice_last_receive_us(const struct ice *ice);
/* When the kernel received the datagram in hand, read from the selected
 * UDP socket (real time, µs): 0, or -1 if unknown (no UDP pair yet, or the
 * first call on a socket libnice reads). Where libnice reads, this is one
 * system call: for samples only. */
int ice_arrival_us(const struct ice *ice, int64_t *real_us);

#endif
