/*
 * test_peer: a klopfd-like peer (ICE-lite, DTLS server) against a
 * client-like peer (full ICE, DTLS client) on loopback inside a private
 * network namespace the test makes itself: handshake, SRTP both ways,
 * fingerprint mismatch, garbage on the port, freeing at awkward moments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "netns.h"
#include "peer.h"
#include "rtcp.h"
#include "rtp.h"
#include "srtp.h"

#define PAYLOAD_LEN 1000

static struct dtls_identity *id_a;      /* the server's */
static struct dtls_identity *id_b;      /* the client's */

struct side {
	struct peer *p;
	enum peer_state state;
	int state_calls;
	int rtp, rtcp;
	int want_rtp;                   /* for server_got_rtp() */
	uint8_t got[PEER_MAX_DATAGRAM];
	size_t ngot;
	bool free_on_connected;         /* peer_free() from the callback */
	bool freed;                     /* a callback after that is a bug */
	int late_calls;
};

static void
on_state(void *ud, enum peer_state s)
{
	struct side *sd = ud;

	if (sd->freed) {
		sd->late_calls++;
		return;
	}
	sd->state = s;
	sd->state_calls++;
	if (s == PEER_CONNECTED && sd->free_on_connected) {
		peer_free(sd->p);
		sd->p = NULL;
		sd->freed = true;
	}
}

static void
keep(struct side *sd, const uint8_t *buf, size_t len)
{
	assert_true(len <= sizeof(sd->got));
	memcpy(sd->got, buf, len);
	sd->ngot = len;
}

static void
on_rtp(void *ud, uint8_t *buf, size_t len)
{
	struct side *sd = ud;

	if (sd->freed) {
		sd->late_calls++;
		return;
	}
	sd->rtp++;
	keep(sd, buf, len);
	memset(buf, 0xAA, len);         /* the callee may write in place */
}

static void
on_rtcp(void *ud, uint8_t *buf, size_t len)
{
	struct side *sd = ud;

	if (sd->freed) {
		sd->late_calls++;
		return;
	}
	sd->rtcp++;
	keep(sd, buf, len);
}

static const struct peer_callbacks callbacks = {
	.state = on_state,
	.rtp = on_rtp,
	.rtcp = on_rtcp,
};

static struct peer *
make(struct side *sd, bool server)
{
	struct peer_options o;
	char err[256] = "";

	memset(&o, 0, sizeof(o));
	o.ice.addresses[0] = "127.0.0.1";
	o.ice.naddresses = 1;
	o.ice.lite = server;
	o.role = server ? DTLS_ROLE_SERVER : DTLS_ROLE_CLIENT;
	sd->p = peer_new(NULL, server ? id_a : id_b, &o, &callbacks, sd, err,
	    sizeof(err));
	if (sd->p == NULL)
		print_message("peer_new: %s\n", err);
	return sd->p;
}

/* Runs the default main context until cond or 5 s. */
static bool
spin_until(bool (*cond)(struct side *), struct side *s)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (!cond(s) && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	return cond(s);
}

/* Runs the default main context for ms milliseconds. */
static void
spin_for(unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static bool
both_connected(struct side *s)
{
	return s[0].state == PEER_CONNECTED && s[1].state == PEER_CONNECTED;
}

static bool
server_final(struct side *s)
{
	return s[0].state == PEER_FAILED || s[0].state == PEER_CLOSED;
}

/* The server has the ClientHello (STUN never reaches the counters) and
 * has answered: its DTLS endpoint is in the middle of the handshake. */
static bool
server_handshaking(struct side *s)
{
	struct peer_stats st;

	peer_stats(s[0].p, &st);
	return s[0].state == PEER_CONNECTING && st.rx_packets > 0;
}

static bool
server_got_rtp(struct side *s)
{
	return s[0].rtp >= s[0].want_rtp;
}

static bool
client_got_rtcp(struct side *s)
{
	return s[1].rtcp > 0;
}

/* s[0] the server, s[1] the client. The server expects server_expects as
 * the client's fingerprint (NULL: the right one). Exchanges what the SDP
 * offer and answer would carry; does not wait. */
static void
start_pair(struct side s[2], const uint8_t *server_expects)
{
	struct ice_candidate c;
	char line[256];

	memset(s, 0, 2 * sizeof(*s));
	assert_non_null(make(&s[0], true));
	assert_non_null(make(&s[1], false));
	assert_int_equal(peer_set_remote(s[0].p, peer_local_ufrag(s[1].p),
	    peer_local_pwd(s[1].p), server_expects != NULL ? server_expects :
	    dtls_identity_fingerprint(id_b)), 0);
	assert_int_equal(peer_set_remote(s[1].p, peer_local_ufrag(s[0].p),
	    peer_local_pwd(s[0].p), dtls_identity_fingerprint(id_a)), 0);
	assert_int_equal(peer_local_candidates(s[0].p, &c, 1), 1);
	assert_true(ice_candidate_sdp(&c, line, sizeof(line)) > 0);
	assert_int_equal(peer_add_remote_candidate(s[1].p, line), 0);
}

static void
connect_pair(struct side s[2])
{
	struct peer_stats st;

	start_pair(s, NULL);
	assert_true(spin_until(both_connected, s));
	/* No flight was lost to the ICE-lite side learning late that its
	 * pair is nominated (it would cost a 1 s retransmission). */
	peer_stats(s[0].p, &st);
	assert_int_equal(st.tx_dtls_failed, 0);
	peer_stats(s[1].p, &st);
	assert_int_equal(st.tx_dtls_failed, 0);
	assert_string_equal(peer_failure_reason(s[0].p), "");
	assert_int_equal(peer_srtp_profile(s[0].p), DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(peer_srtp_profile(s[1].p), DTLS_SRTP_AEAD_AES_128_GCM);
}

static void
free_pair(struct side s[2])
{
	peer_free(s[1].p);
	peer_free(s[0].p);
}

/* A valid RTP packet: V=2, PT 96, a PAYLOAD_LEN-byte random payload. */
static size_t
build_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc)
{
	buf[0] = 0x80;
	buf[1] = 96;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = 0x00;
	buf[5] = 0x01;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < PAYLOAD_LEN; i++)
		buf[RTP_HEADER_LEN + i] = (uint8_t)g_random_int();
	return RTP_HEADER_LEN + PAYLOAD_LEN;
}

/* Sends one RTP packet from the client and checks that the server got
 * exactly its plaintext. */
static void
rtp_flows(struct side s[2], uint16_t seq)
{
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	uint8_t plain[PEER_MAX_DATAGRAM];
	size_t len = build_rtp(buf, seq, 0x11223344);
	int before = s[0].rtp;

	memcpy(plain, buf, len);
	s[0].want_rtp = before + 1;
	assert_int_equal(peer_send_rtp(s[1].p, buf, len, sizeof(buf)), 0);
	assert_true(spin_until(server_got_rtp, s));
	assert_int_equal(s[0].rtp, before + 1);
	assert_int_equal(s[0].ngot, len);
	assert_memory_equal(s[0].got, plain, len);
}

static void
send_udp(unsigned port, const void *buf, size_t len)
{
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)len);
	close(fd);
}

/* Sends one UDP datagram that claims to come from 127.0.0.1:from_port
 * (a raw socket: the test is root in its own network namespace). libnice
 * drops datagrams from addresses that are not a remote candidate, so
 * garbage must come from the peer's own address to reach us. */
static void
send_udp_from(unsigned from_port, unsigned to_port, const void *buf,
    size_t len)
{
	uint8_t pkt[sizeof(struct iphdr) + sizeof(struct udphdr) + 1500];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	struct sockaddr_in to;
	size_t n = sizeof(*ip) + sizeof(*udp) + len;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	assert_true(fd >= 0);
	assert_true(len <= 1500);
	memset(pkt, 0, sizeof(*ip) + sizeof(*udp));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)n);
	ip->saddr = htonl(INADDR_LOOPBACK);
	ip->daddr = htonl(INADDR_LOOPBACK);
	udp->source = htons((uint16_t)from_port);
	udp->dest = htons((uint16_t)to_port);
	udp->len = htons((uint16_t)(sizeof(*udp) + len));
	udp->check = 0;                 /* none (IPv4) */
	memcpy(pkt + sizeof(*ip) + sizeof(*udp), buf, len);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(fd, pkt, n, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)n);
	close(fd);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_send_before_connected_is_refused(void **state)
{
	struct side s = {0};
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	struct peer_stats st;
	size_t len;

	(void)state;
	assert_non_null(make(&s, true));
	assert_int_equal(peer_get_state(s.p), PEER_NEW);
	assert_string_equal(peer_failure_reason(s.p), "");
	assert_int_equal(peer_srtp_profile(s.p), DTLS_SRTP_NONE);
	len = build_rtp(buf, 1, 1);
	assert_int_equal(peer_send_rtp(s.p, buf, len, sizeof(buf)), -1);
	assert_int_equal(peer_send_rtcp(s.p, buf, 8, sizeof(buf)), -1);
	peer_stats(s.p, &st);
	assert_int_equal(st.tx_packets, 0);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(s.state_calls, 0);
	peer_free(s.p);
	peer_free(NULL);
}

static void
test_bad_options_are_a_clear_error(void **state)
{
	struct peer_options o;
	char err[256] = "";

	(void)state;
	memset(&o, 0, sizeof(o));
	o.ice.addresses[0] = "127.0.0.1";
	o.ice.naddresses = 1;
	o.ice.lite = true;
	o.srtp_profiles = "SRTP_NO_SUCH_PROFILE";
	assert_null(peer_new(NULL, id_a, &o, &callbacks, NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "SRTP_NO_SUCH_PROFILE"));
	o.srtp_profiles = NULL;
	o.ice.addresses[0] = "not-an-address";
	assert_null(peer_new(NULL, id_a, &o, &callbacks, NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "not-an-address"));
}

static void
test_client_rtp_reaches_server_as_the_same_plaintext(void **state)
{
	struct side s[2];
	struct peer_stats ss, cs;

	(void)state;
	connect_pair(s);
	assert_int_equal(peer_get_state(s[0].p), PEER_CONNECTED);
	rtp_flows(s, 1000);
	rtp_flows(s, 1001);
	peer_stats(s[1].p, &cs);
	peer_stats(s[0].p, &ss);
	assert_int_equal(cs.tx_packets, 2);
	assert_int_equal(cs.tx_bytes, 2 * (RTP_HEADER_LEN + PAYLOAD_LEN + 16));
	assert_int_equal(cs.tx_failed, 0);
	assert_int_equal(ss.rx_rtp, 2);
	assert_int_equal(ss.rx_rtcp, 0);
	/* The DTLS flights came in too. */
	assert_true(ss.rx_packets > 2);
	assert_true(ss.rx_bytes > cs.tx_bytes);
	assert_int_equal(ss.dropped_other, 0);
	assert_int_equal(ss.dropped_not_ready, 0);
	assert_int_equal(ss.dropped_srtp_auth, 0);
	assert_int_equal(ss.dropped_srtp_replay, 0);
	assert_int_equal(ss.dropped_dtls, 0);
	assert_true(peer_idle_us(s[0].p, g_get_monotonic_time()) < 1000000);
	assert_int_equal(peer_idle_us(s[0].p, 0), 0);
	free_pair(s);
}

/* A leg made long before its remote description (a subscribe leg of a
 * citizen alone in the room) is not silent the moment the description
 * comes: its silence counts from peer_set_remote(). */
static void
test_silence_counts_from_the_remote_description(void **state)
{
	struct side s = {0};
	uint8_t fp[DTLS_FINGERPRINT_LEN] = {0};

	(void)state;
	assert_non_null(make(&s, true));
	g_usleep(300000);
	assert_true(peer_idle_us(s.p, g_get_monotonic_time()) >= 300000);
	assert_int_equal(peer_set_remote(s.p, "ufrag", "a-password-of-22-chars",
	    fp), 0);
	assert_true(peer_idle_us(s.p, g_get_monotonic_time()) < 200000);
	peer_free(s.p);
}

static void
test_server_rtcp_reaches_client(void **state)
{
	struct side s[2];
	struct rtcp_report_block rb;
	_Alignas(8) uint8_t buf[256];
	uint8_t plain[256];
	struct peer_stats st;
	int len;

	(void)state;
	connect_pair(s);
	memset(&rb, 0, sizeof(rb));
	rb.ssrc = 0x11223344;
	rb.fraction_lost = 12;
	rb.cumulative_lost = 3;
	rb.ext_highest_seq = 1000;
	rb.jitter = 42;
	len = rtcp_build_rr(buf, sizeof(buf), 0xCAFEF00D, &rb, 1);
	assert_true(len > 0);
	assert_int_equal(rtcp_validate(buf, (size_t)len), 0);
	memcpy(plain, buf, (size_t)len);
	assert_int_equal(peer_send_rtcp(s[0].p, buf, (size_t)len,
	    sizeof(buf)), 0);
	assert_true(spin_until(client_got_rtcp, s));
	assert_int_equal(s[1].rtcp, 1);
	assert_int_equal(s[1].rtp, 0);
	assert_int_equal(s[1].ngot, (size_t)len);
	assert_memory_equal(s[1].got, plain, (size_t)len);
	peer_stats(s[1].p, &st);
	assert_int_equal(st.rx_rtcp, 1);
	peer_stats(s[0].p, &st);
	assert_int_equal(st.tx_packets, 1);
	free_pair(s);
}

static void
test_wrong_fingerprint_fails_the_server_and_no_rtp_passes(void **state)
{
	struct side s[2];
	uint8_t bad[DTLS_FINGERPRINT_LEN];
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	size_t len;

	(void)state;
	memcpy(bad, dtls_identity_fingerprint(id_b), sizeof(bad));
	bad[0] ^= 0x80;
	start_pair(s, bad);
	assert_true(spin_until(server_final, s));
	assert_int_equal(peer_get_state(s[0].p), PEER_FAILED);
	assert_non_null(strstr(peer_failure_reason(s[0].p),
	    "DTLS fingerprint mismatch"));
	/* The client either failed on the alert or never connected. */
	spin_for(100);
	assert_int_not_equal(peer_get_state(s[1].p), PEER_CONNECTED);
	len = build_rtp(buf, 1, 1);
	assert_int_equal(peer_send_rtp(s[1].p, buf, len, sizeof(buf)), -1);
	assert_int_equal(peer_send_rtp(s[0].p, buf, len, sizeof(buf)), -1);
	spin_for(50);
	assert_int_equal(s[0].rtp, 0);
	assert_int_equal(s[0].rtcp, 0);
	free_pair(s);
}

/* Sends the five kinds of garbage to the server, each from (from_port)
 * 0: a plain socket of its own, else the client's address. */
static void
send_garbage(unsigned from_port, unsigned to_port)
{
	uint8_t junk[300];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)g_random_int();
#define SEND(b, n) (from_port == 0 ? send_udp(to_port, (b), (n)) : \
	send_udp_from(from_port, to_port, (b), (n)))
	/* Random bytes that are no STUN, DTLS, RTP or RTCP. */
	junk[0] = 0xFF;
	SEND(junk, sizeof(junk));
	/* A plausible RTP header (PT 96) with a random "encrypted" body. */
	junk[0] = 0x80;
	junk[1] = 96;
	SEND(junk, sizeof(junk));
	/* An RTCP-looking one (RR). */
	junk[1] = 201;
	SEND(junk, sizeof(junk));
	/* Too short for anything. */
	SEND(junk, 3);
	/* A DTLS-looking datagram whose records do not parse. */
	junk[0] = 23;
	junk[1] = 0xFE;
	junk[2] = 0xFD;
	SEND(junk, 20);
#undef SEND
}

static void
test_garbage_on_the_port_is_counted_and_dropped(void **state)
{
	struct side s[2];
	struct ice_candidate sc, cc;
	struct peer_stats before, after;
	int64_t end;

	(void)state;
	connect_pair(s);
	assert_int_equal(peer_local_candidates(s[0].p, &sc, 1), 1);
	assert_int_equal(peer_local_candidates(s[1].p, &cc, 1), 1);
	peer_stats(s[0].p, &before);
	/* From a stranger's socket: libnice does not even hand it on. */
	send_garbage(0, sc.port);
	spin_for(100);
	peer_stats(s[0].p, &after);
	assert_int_equal(after.rx_packets, before.rx_packets);
	/* From the client's address and port: it reaches the demux. */
	send_garbage(cc.port, sc.port);
	end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	do {
		spin_for(10);
		peer_stats(s[0].p, &after);
	} while (after.rx_packets < before.rx_packets + 5 &&
	    g_get_monotonic_time() < end);
	assert_int_equal(after.rx_packets, before.rx_packets + 5);
	assert_int_equal(after.dropped_other, before.dropped_other + 2);
	assert_int_equal(after.dropped_srtp_auth + after.dropped_srtp_other,
	    before.dropped_srtp_auth + before.dropped_srtp_other + 2);
	assert_int_equal(after.dropped_dtls, before.dropped_dtls + 1);
	assert_int_equal(after.rx_rtp, before.rx_rtp);
	assert_int_equal(after.rx_rtcp, before.rx_rtcp);
	assert_int_equal(s[0].rtp, 0);
	assert_int_equal(s[0].rtcp, 0);
	/* The real stream still flows. */
	assert_int_equal(peer_get_state(s[0].p), PEER_CONNECTED);
	rtp_flows(s, 7);
	free_pair(s);
}

static void
test_a_replayed_packet_is_dropped(void **state)
{
	struct side s[2];
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	struct peer_stats st;
	size_t len;

	(void)state;
	connect_pair(s);
	rtp_flows(s, 500);
	/* Sending the same index again protects to the same packet (the
	 * NACK answer case), which the receiver must refuse as a replay. */
	len = build_rtp(buf, 500, 0x11223344);
	assert_int_equal(peer_send_rtp(s[1].p, buf, len, sizeof(buf)), 0);
	spin_for(100);
	peer_stats(s[0].p, &st);
	assert_int_equal(st.rx_rtp, 1);
	assert_int_equal(st.dropped_srtp_replay, 1);
	free_pair(s);
}

static void
test_no_room_for_the_tag_is_refused(void **state)
{
	struct side s[2];
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	struct peer_stats st;
	size_t len;

	(void)state;
	connect_pair(s);
	len = build_rtp(buf, 1, 1);
	assert_int_equal(peer_send_rtp(s[1].p, buf, len, len), -1);
	peer_stats(s[1].p, &st);
	assert_int_equal(st.tx_failed, 1);
	assert_int_equal(st.tx_packets, 0);
	free_pair(s);
}

static void
test_free_in_the_middle_of_the_handshake(void **state)
{
	struct side s[2];

	(void)state;
	start_pair(s, NULL);
	assert_true(spin_until(server_handshaking, s));
	assert_int_not_equal(peer_get_state(s[0].p), PEER_CONNECTED);
	peer_free(s[0].p);
	s[0].freed = true;
	/* The client goes on retransmitting into a closed port. */
	spin_for(200);
	assert_int_equal(s[0].late_calls, 0);
	assert_int_not_equal(peer_get_state(s[1].p), PEER_CONNECTED);
	peer_free(s[1].p);
	s[1].freed = true;
	spin_for(50);
	assert_int_equal(s[1].late_calls, 0);
}

static void
test_a_callback_may_free_its_own_peer(void **state)
{
	struct side s[2];

	(void)state;
	start_pair(s, NULL);
	s[0].free_on_connected = true;
	s[1].free_on_connected = true;
	assert_true(spin_until(both_connected, s));
	assert_true(s[0].freed);
	assert_true(s[1].freed);
	spin_for(100);
	assert_int_equal(s[0].late_calls, 0);
	assert_int_equal(s[1].late_calls, 0);
}

static void
test_close_stops_media(void **state)
{
	struct side s[2];
	_Alignas(8) uint8_t buf[PEER_MAX_DATAGRAM];
	size_t len;

	(void)state;
	connect_pair(s);
	peer_close(s[1].p);
	assert_int_equal(peer_get_state(s[1].p), PEER_CLOSED);
	len = build_rtp(buf, 1, 1);
	assert_int_equal(peer_send_rtp(s[1].p, buf, len, sizeof(buf)), -1);
	/* The server hears the close_notify. */
	assert_true(spin_until(server_final, s));
	assert_int_equal(peer_get_state(s[0].p), PEER_CLOSED);
	assert_non_null(strstr(peer_failure_reason(s[0].p), "close_notify"));
	free_pair(s);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(peer_state_name(PEER_NEW), "new");
	assert_string_equal(peer_state_name(PEER_CONNECTING), "connecting");
	assert_string_equal(peer_state_name(PEER_CONNECTED), "connected");
	assert_string_equal(peer_state_name(PEER_FAILED), "failed");
	assert_string_equal(peer_state_name(PEER_CLOSED), "closed");
}

static int
group_setup(void **state)
{
	if (netns_group_setup(state) != 0)
		return -1;
	id_a = dtls_identity_generate();
	id_b = dtls_identity_generate();
	return id_a != NULL && id_b != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	dtls_identity_free(id_a);
	dtls_identity_free(id_b);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_before_connected_is_refused),
		cmocka_unit_test(test_bad_options_are_a_clear_error),
		cmocka_unit_test(test_client_rtp_reaches_server_as_the_same_plaintext),
		cmocka_unit_test(test_server_rtcp_reaches_client),
		cmocka_unit_test(test_wrong_fingerprint_fails_the_server_and_no_rtp_passes),
		cmocka_unit_test(test_garbage_on_the_port_is_counted_and_dropped),
		cmocka_unit_test(test_a_replayed_packet_is_dropped),
		cmocka_unit_test(test_no_room_for_the_tag_is_refused),
		cmocka_unit_test(test_free_in_the_middle_of_the_handshake),
		cmocka_unit_test(test_a_callback_may_free_its_own_peer),
		cmocka_unit_test(test_close_stops_media),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_silence_counts_from_the_remote_description),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
