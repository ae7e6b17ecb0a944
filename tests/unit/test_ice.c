/*
 * test_ice: klopfd's ICE-lite transport against a full libnice agent, on
 * loopback inside a private network namespace the test makes itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <liburing.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ice.h"
#include "ioloop.h"
#include "netns.h"

struct side {
	struct ice *ice;
	enum ice_state state;
	char got[256];
	size_t ngot;
	int packets;
	bool free_on_recv;      /* ice_free() inside the first callback */
	bool echo;              /* sends each datagram back */
	int64_t stamp;          /* ice_arrival_us() in the last callback */
};

static void
on_recv(void *ud, const uint8_t *buf, size_t len)
{
	struct side *s = ud;

	s->packets++;
	if (len < sizeof(s->got)) {
		memcpy(s->got, buf, len);
		s->ngot = len;
	}
	if (s->ice != NULL && ice_arrival_us(s->ice, &s->stamp) != 0)
		s->stamp = 0;
	if (s->echo)
		assert_int_equal(ice_send(s->ice, buf, len), 0);
	if (s->free_on_recv) {
		ice_free(s->ice);
		s->ice = NULL;
	}
}

static void
on_state(void *ud, enum ice_state st)
{
	((struct side *)ud)->state = st;
}

static struct ioloop *loop;     /* for make() while set */

static struct ice *
make(struct side *s, bool lite, unsigned lo, unsigned hi, bool tcp)
{
	struct ice_options o = {0};
	char err[256] = "";

	o.addresses[0] = "127.0.0.1";
	o.naddresses = 1;
	o.port_min = lo;
	o.port_max = hi;
	o.lite = lite;
	o.tcp = tcp;
	o.loop = lite ? loop : NULL;
	s->ice = ice_new(NULL, &o, on_recv, on_state, s, err, sizeof(err));
	if (s->ice == NULL)
		print_message("ice_new: %s\n", err);
	return s->ice;
}

/* Runs the default main context until cond or 5 s. */
static bool
spin_until(bool (*cond)(void *), void *arg)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (!cond(arg) && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	return cond(arg);
}

static bool
both_connected(void *arg)
{
	struct side *s = arg;

	return s[0].state == ICE_CONNECTED && s[1].state == ICE_CONNECTED;
}

static bool
got_packet(void *arg)
{
	return ((struct side *)arg)->packets > 0;
}

/* Server lite, client full; exchange credentials and the server's
 * candidate as a browser would from the SDP. */
static void
connect_pair(struct side s[2])
{
	struct ice_candidate c;
	char line[256];

	assert_non_null(make(&s[0], true, 0, 0, false));
	assert_non_null(make(&s[1], false, 0, 0, false));
	assert_int_equal(ice_set_remote_credentials(s[0].ice,
	    ice_local_ufrag(s[1].ice), ice_local_pwd(s[1].ice)), 0);
	assert_int_equal(ice_set_remote_credentials(s[1].ice,
	    ice_local_ufrag(s[0].ice), ice_local_pwd(s[0].ice)), 0);
	assert_int_equal(ice_local_candidates(s[0].ice, &c, 1), 1);
	assert_true(ice_candidate_sdp(&c, line, sizeof(line)) > 0);
	assert_int_equal(ice_add_remote_candidate(s[1].ice, line), 0);
	assert_true(spin_until(both_connected, s));
}

static void
test_lite_agent_offers_only_the_configured_address_and_range(void **state)
{
	struct side s = {0};
	struct ice_candidate c[ICE_MAX_CANDIDATES];
	char line[256];
	int n;

	(void)state;
	assert_non_null(make(&s, true, 41000, 41009, false));
	n = ice_local_candidates(s.ice, c, ICE_MAX_CANDIDATES);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].addr, "127.0.0.1");
	assert_true(c[0].port >= 41000 && c[0].port <= 41009);
	assert_false(c[0].tcp);
	assert_string_equal(c[0].type, "host");
	assert_true(strlen(ice_local_ufrag(s.ice)) >= 4);
	assert_true(strlen(ice_local_pwd(s.ice)) >= 22);
	assert_true(ice_candidate_sdp(&c[0], line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " udp "));
	assert_non_null(strstr(line, " 127.0.0.1 "));
	assert_non_null(strstr(line, " typ host"));
	assert_int_equal(ice_get_state(s.ice), ICE_NEW);
	assert_int_equal(ice_send(s.ice, (const uint8_t *)"x", 1), -1);
	ice_free(s.ice);
}

static void
test_browser_like_agent_connects_and_datagrams_flow_both_ways(void **state)
{
	struct side s[2];

	(void)state;
	memset(s, 0, sizeof(s));
	connect_pair(s);
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"hello", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_int_equal(s[0].ngot, 5);
	assert_memory_equal(s[0].got, "hello", 5);
	assert_true(ice_last_receive_us(s[0].ice) > 0);
	assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"world!", 6), 0);
	assert_true(spin_until(got_packet, &s[1]));
	assert_int_equal(s[1].ngot, 6);
	assert_memory_equal(s[1].got, "world!", 6);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
}

/* The kernel's arrival stamp of the datagram in hand (klopfd samples it
 * for the arrival delay in /metrics): unknown before the socket asked for
 * stamps, then the real time the datagram came. */
static void
test_arrival_time_comes_from_the_kernel(void **state)
{
	struct side s[2];
	int64_t t = 0, before;

	(void)state;
	memset(s, 0, sizeof(s));
	connect_pair(s);
	(void)ice_arrival_us(s[0].ice, &t);     /* asks for stamps */
	before = g_get_real_time();
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"hello", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_int_equal(ice_arrival_us(s[0].ice, &t), 0);
	assert_true(t >= before - 1000);
	assert_true(t <= g_get_real_time());
	ice_free(s[1].ice);
	ice_free(s[0].ice);
}

/* klopfd's way: the lite agent on a context of its own in an ioloop,
 * woken by epoll; connects, carries datagrams both ways, and goes away
 * cleanly, also from within its own receive callback. */
static void
test_a_lite_agent_in_an_ioloop_works_like_one_on_the_main_loop(void **state)
{
	struct side s[2];
	uint64_t d0;

	(void)state;
	loop = ioloop_new(NULL);
	assert_non_null(loop);
	memset(s, 0, sizeof(s));
	connect_pair(s);
	assert_int_equal(ioloop_legs(loop), 1);
	d0 = ioloop_dispatches(loop);
	assert_true(d0 > 0);            /* the checks came through it */
	assert_int_equal(ioloop_batches(loop), 0);
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"hello", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_memory_equal(s[0].got, "hello", 5);
	/* once connected, the socket is read by ice.c, not by libnice */
	assert_true(ioloop_batches(loop) > 0);
	assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"world!", 6), 0);
	assert_true(spin_until(got_packet, &s[1]));
	assert_memory_equal(s[1].got, "world!", 6);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	assert_int_equal(ioloop_legs(loop), 0);

	/* freed inside its own receive callback, with more datagrams
	 * queued behind the one in hand */
	memset(s, 0, sizeof(s));
	connect_pair(s);
	s[0].free_on_recv = true;
	for (int i = 0; i < 10; i++)
		assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"bye", 3),
		    0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_null(s[0].ice);
	assert_int_equal(s[0].packets, 1);
	assert_int_equal(ioloop_legs(loop), 0);
	/* the loop goes on for the others */
	spin_until(got_packet, &s[1]);
	ice_free(s[1].ice);
	ioloop_free(loop);
	loop = NULL;
}

static bool
got_n(void *arg)
{
	const int *want = ((void **)arg)[1];

	return ((struct side *)((void **)arg)[0])->packets >= *want;
}

/* Once connected, the lite agent reads its socket in batches and sends
 * in batches: 40 datagrams queued at once come in a few reads, each is
 * echoed, all 40 echoes arrive, and each came with the kernel's arrival
 * time. */
static void
test_a_connected_lite_agent_reads_and_sends_in_batches(void **state)
{
	struct side s[2];
	int want = 40;
	void *arg[2];
	uint64_t b0;
	int64_t before;

	(void)state;
	loop = ioloop_new(NULL);
	assert_non_null(loop);
	memset(s, 0, sizeof(s));
	connect_pair(s);
	s[0].echo = true;
	b0 = ioloop_batches(loop);
	before = g_get_real_time();
	for (int i = 0; i < want; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof(msg), "pkt %d", i);

		assert_int_equal(ice_send(s[1].ice, (const uint8_t *)msg,
		    (size_t)n), 0);
	}
	arg[0] = &s[1];
	arg[1] = &want;
	assert_true(spin_until(got_n, arg));
	assert_int_equal(s[0].packets, want);
	assert_int_equal(s[1].packets, want);
	assert_string_equal(s[1].got, "pkt 39");
	/* 40 datagrams, batches of up to IOLOOP_BATCH: a few reads */
	assert_true(ioloop_batches(loop) - b0 <= 4);
	assert_true(ioloop_batches(loop) - b0 >= 2);
	assert_true(s[0].stamp >= before - 1000);
	assert_true(s[0].stamp <= g_get_real_time());
	assert_int_equal(ioloop_send_errors(loop), 0);

	/* a sender's own batch: nothing leaves before its end */
	s[0].echo = false;
	s[1].packets = 0;
	ioloop_batch_begin(loop);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"q", 1), 0);
	for (int i = 0; i < 20; i++)
		(void)g_main_context_iteration(NULL, FALSE);
	assert_int_equal(s[1].packets, 0);
	ioloop_batch_end(loop);
	want = 3;
	assert_true(spin_until(got_n, arg));
	assert_int_equal(s[1].packets, 3);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	ioloop_free(loop);
	loop = NULL;
}

/* A lite agent in a fresh ioloop, connected, its socket taken (a first
 * datagram came through ice.c). */
static void
taken_pair(struct side s[2])
{
	loop = ioloop_new(NULL);
	assert_non_null(loop);
	memset(s, 0, 2 * sizeof(*s));
	connect_pair(s);
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"hello", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_true(ioloop_batches(loop) > 0);
}

/* A plain socket of a stranger, and the lite agent's address in to. */
static int
stranger(const struct side *lite, struct sockaddr_in *to)
{
	struct ice_candidate c;
	int fd;

	assert_int_equal(ice_local_candidates(lite->ice, &c, 1), 1);
	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons((uint16_t)c.port);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &to->sin_addr), 1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	return fd;
}

/* A check as a browser sends it, from a plain socket. */
static void
send_check(int fd, const struct sockaddr_in *to, StunAgent *a,
    const char *ufrag, const char *pwd, bool nominate)
{
	StunMessage m;
	uint8_t buf[512];
	char user[256];
	size_t n;

	snprintf(user, sizeof(user), "%s:browser", ufrag);
	n = stun_usage_ice_conncheck_create(a, &m, buf, sizeof(buf),
	    (const uint8_t *)user, strlen(user), (const uint8_t *)pwd,
	    strlen(pwd), nominate, true, 0x6e7f00ff, 42, NULL,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	assert_true(n > 0);
	assert_int_equal(sendto(fd, buf, n, 0, (const struct sockaddr *)to,
	    sizeof(*to)), (ssize_t)n);
}

/* Runs the loop for up to ms and returns what fd received (0: nothing). */
static ssize_t
await_datagram(int fd, uint8_t *buf, size_t cap, int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	ssize_t n;

	do {
		n = recv(fd, buf, cap, MSG_DONTWAIT);
		if (n > 0)
			return n;
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	} while (g_get_monotonic_time() < end);
	return 0;
}

/* On the taken socket klopfd answers the peer's checks itself (consent
 * freshness), ignores checks with the wrong password and datagrams from
 * strangers, and follows a nomination from a new address of the peer. */
static void
test_a_connected_lite_agent_answers_checks_and_follows_a_nomination(
    void **state)
{
	struct side s[2];
	struct sockaddr_in to, me;
	socklen_t melen = sizeof(me);
	StunAgent a;
	StunMessage resp;
	struct sockaddr_storage mapped;
	socklen_t mlen = sizeof(mapped);
	uint8_t buf[512];
	ssize_t n;
	int fd;

	(void)state;
	taken_pair(s);
	fd = stranger(&s[0], &to);
	stun_agent_init(&a, STUN_ALL_KNOWN_ATTRIBUTES,
	    STUN_COMPATIBILITY_RFC5389, STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
	    STUN_AGENT_USAGE_USE_FINGERPRINT);

	/* a stranger's media is not handed on */
	assert_int_equal(sendto(fd, "\x80stranger", 9, 0,
	    (const struct sockaddr *)&to, sizeof(to)), 9);
	/* a check with the wrong password gets no answer */
	send_check(fd, &to, &a, ice_local_ufrag(s[0].ice), "wrong-password",
	    false);
	assert_int_equal(await_datagram(fd, buf, sizeof(buf), 300), 0);
	assert_int_equal(s[0].packets, 1);

	/* the right one is answered, with the address it came from */
	send_check(fd, &to, &a, ice_local_ufrag(s[0].ice),
	    ice_local_pwd(s[0].ice), false);
	n = await_datagram(fd, buf, sizeof(buf), 2000);
	assert_true(n > 0);
	assert_int_equal(stun_agent_validate(&a, &resp, buf, (size_t)n, NULL,
	    NULL), STUN_VALIDATION_SUCCESS);
	assert_int_equal(stun_message_get_class(&resp), STUN_RESPONSE);
	assert_int_equal(stun_usage_ice_conncheck_process(&resp, &mapped,
	    &mlen, STUN_USAGE_ICE_COMPATIBILITY_RFC5245),
	    STUN_USAGE_ICE_RETURN_SUCCESS);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&me, &melen), 0);
	assert_int_equal(((struct sockaddr_in *)&mapped)->sin_port,
	    me.sin_port);
	/* without a nomination, media still goes to the selected pair */
	assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"to-pair", 7), 0);
	assert_true(spin_until(got_packet, &s[1]));
	assert_memory_equal(s[1].got, "to-pair", 7);
	assert_int_equal(await_datagram(fd, buf, sizeof(buf), 100), 0);

	/* nominated from the new address: media follows, both ways */
	send_check(fd, &to, &a, ice_local_ufrag(s[0].ice),
	    ice_local_pwd(s[0].ice), true);
	assert_true(await_datagram(fd, buf, sizeof(buf), 2000) > 0);
	assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"moved", 5), 0);
	n = await_datagram(fd, buf, sizeof(buf), 2000);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "moved", 5);
	assert_int_equal(sendto(fd, "\x80" "from-new", 9, 0,
	    (const struct sockaddr *)&to, sizeof(to)), 9);
	s[0].packets = 0;
	assert_true(spin_until(got_packet, &s[0]));
	assert_memory_equal(s[0].got, "\x80" "from-new", 9);

	close(fd);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	ioloop_free(loop);
	loop = NULL;
}

/* Garbage from a stranger at the taken socket (empty, oversized, noise,
 * STUN with a wrong user), many times over: the media goes on. */
static void
test_garbage_at_a_taken_socket_does_not_stop_the_media(void **state)
{
	struct side s[2];
	struct sockaddr_in to;
	uint8_t big[4000], noise[700];
	uint8_t stun[32] = { 0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42 };
	int fd;

	(void)state;
	taken_pair(s);
	fd = stranger(&s[0], &to);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)(i * 13 + 29);
	memcpy(stun + 20, "\x00\x06\x00\x08" "evil:bad", 12);
	for (int round = 0; round < 200; round++) {
		(void)sendto(fd, "", 0, 0, (const struct sockaddr *)&to,
		    sizeof(to));
		(void)sendto(fd, big, sizeof(big), 0,
		    (const struct sockaddr *)&to, sizeof(to));
		(void)sendto(fd, noise, sizeof(noise) - (size_t)round, 0,
		    (const struct sockaddr *)&to, sizeof(to));
		(void)sendto(fd, stun, sizeof(stun), 0,
		    (const struct sockaddr *)&to, sizeof(to));
		if (round % 20 == 0)
			(void)g_main_context_iteration(NULL, FALSE);
	}
	close(fd);
	for (int i = 0; i < 50; i++)
		(void)g_main_context_iteration(NULL, FALSE);
	s[0].packets = 0;
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"still", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_memory_equal(s[0].got, "still", 5);
	assert_int_equal(s[0].packets, 1);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	ioloop_free(loop);
	loop = NULL;
}

/* Sends a datagram to *to now and another 100 ms later (a thread). */
struct later {
	int fd;
	struct sockaddr_in to;
};

static gpointer
send_twice(gpointer ud)
{
	struct later *l = ud;

	(void)sendto(l->fd, "x1", 2, 0, (const struct sockaddr *)&l->to,
	    sizeof(l->to));
	g_usleep(100000);
	(void)sendto(l->fd, "x2", 2, 0, (const struct sockaddr *)&l->to,
	    sizeof(l->to));
	return NULL;
}

/* With a linger, the loop's source goes on handling what becomes ready
 * after the first datagram instead of returning to GLib's loop at once
 * (klopfd: the lobby's descriptors are polled less often under load):
 * two datagrams 100 ms apart are read in the same dispatch. */
static void
test_a_lingering_loop_handles_what_comes_next_in_the_same_dispatch(
    void **state)
{
	struct side s[2];
	struct later l;
	GThread *t;
	uint64_t b0;
	int iterations = 0;

	(void)state;
	taken_pair(s);
	l.fd = stranger(&s[0], &l.to);
	for (int i = 0; i < 20; i++)
		(void)g_main_context_iteration(NULL, FALSE);
	ioloop_set_linger(loop, 1000000);
	b0 = ioloop_batches(loop);
	t = g_thread_new("later", send_twice, &l);
	/* other sources (the tick) may come first: until the datagrams'
	 * dispatch */
	while (ioloop_batches(loop) == b0 && iterations++ < 1000)
		(void)g_main_context_iteration(NULL, TRUE);
	g_thread_join(t);
	assert_int_equal(ioloop_batches(loop) - b0, 2);
	close(l.fd);
	ioloop_set_linger(loop, 0);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	ioloop_free(loop);
	loop = NULL;
}

/* Where the kernel has io_uring the loop reads and writes the taken
 * sockets through it, unless KLOPF_IO_URING=0 says epoll (the second
 * run of the loop's tests below). */
static void
test_the_loop_uses_io_uring_where_the_kernel_has_it(void **state)
{
	struct io_uring r;
	bool have = io_uring_queue_init(4, &r, 0) == 0;

	(void)state;
	if (have)
		io_uring_queue_exit(&r);
	loop = ioloop_new(NULL);
	assert_non_null(loop);
	if (g_strcmp0(getenv("KLOPF_IO_URING"), "0") == 0)
		assert_false(ioloop_io_uring(loop));
	else
		assert_true(ioloop_io_uring(loop) == have);
	ioloop_free(loop);
	loop = NULL;
}

/* More datagrams wait at a taken socket than the ring has receive
 * buffers (2,048): every one arrives, in order. */
static void
test_a_burst_longer_than_the_receive_buffers_arrives_whole(void **state)
{
	struct side s[2];
	int want = 2500;
	void *arg[2] = { &s[0], &want };
	char last[16];

	(void)state;
	taken_pair(s);
	s[0].packets = 0;
	for (int i = 0; i < want; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof(msg), "burst %d", i);

		assert_int_equal(ice_send(s[1].ice, (const uint8_t *)msg,
		    (size_t)n), 0);
	}
	assert_true(spin_until(got_n, arg));
	for (int i = 0; i < 20; i++)
		(void)g_main_context_iteration(NULL, FALSE);
	assert_int_equal(s[0].packets, want);
	snprintf(last, sizeof(last), "burst %d", want - 1);
	assert_string_equal(s[0].got, last);
	ice_free(s[1].ice);
	ice_free(s[0].ice);
	ioloop_free(loop);
	loop = NULL;
}

static void
test_a_full_port_range_is_a_clear_error(void **state)
{
	struct side a = {0}, b = {0};
	struct ice_options o = {0};
	char err[256] = "";

	(void)state;
	assert_non_null(make(&a, true, 41100, 41100, false));
	o.addresses[0] = "127.0.0.1";
	o.naddresses = 1;
	o.port_min = 41100;
	o.port_max = 41100;
	o.lite = true;
	b.ice = ice_new(NULL, &o, on_recv, on_state, &b, err, sizeof(err));
	assert_null(b.ice);
	assert_non_null(strstr(err, "41100"));
	ice_free(a.ice);
}

static void
test_an_address_not_on_this_machine_is_refused(void **state)
{
	struct ice_options o = {0};
	struct side s = {0};
	char err[256] = "";

	(void)state;
	o.addresses[0] = "192.0.2.7";
	o.naddresses = 1;
	o.lite = true;
	s.ice = ice_new(NULL, &o, on_recv, on_state, &s, err, sizeof(err));
	assert_null(s.ice);
	assert_true(strlen(err) > 10);
	o.addresses[0] = "not-an-address";
	s.ice = ice_new(NULL, &o, on_recv, on_state, &s, err, sizeof(err));
	assert_null(s.ice);
	assert_non_null(strstr(err, "not-an-address"));
}

static void
test_ice_tcp_adds_a_passive_candidate(void **state)
{
	struct side s = {0};
	struct ice_candidate c[ICE_MAX_CANDIDATES];
	char line[256];
	int n, tcp = 0;

	(void)state;
	assert_non_null(make(&s, true, 0, 0, true));
	n = ice_local_candidates(s.ice, c, ICE_MAX_CANDIDATES);
	for (int i = 0; i < n; i++) {
		if (!c[i].tcp)
			continue;
		tcp++;
		assert_true(c[i].port > 0);
		assert_true(ice_candidate_sdp(&c[i], line, sizeof(line)) > 0);
		assert_non_null(strstr(line, "tcptype passive"));
	}
	assert_int_equal(tcp, 1);
	ice_free(s.ice);
}

static void
test_garbage_remote_candidates_are_refused(void **state)
{
	struct side s = {0};

	(void)state;
	assert_non_null(make(&s, true, 0, 0, false));
	assert_int_equal(ice_add_remote_candidate(s.ice, "nonsense"), -1);
	assert_int_equal(ice_add_remote_candidate(s.ice, "candidate:"), -1);
	assert_int_equal(ice_add_remote_candidate(s.ice,
	    "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"), 0);
	ice_free(s.ice);
}

static void
test_free_while_the_peer_still_sends(void **state)
{
	struct side s[2];

	(void)state;
	memset(s, 0, sizeof(s));
	connect_pair(s);
	ice_free(s[0].ice);
	for (int i = 0; i < 20; i++) {
		ice_send(s[1].ice, (const uint8_t *)"late", 4);
		g_main_context_iteration(NULL, FALSE);
	}
	assert_int_equal(s[0].packets, 0);
	ice_free(s[1].ice);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lite_agent_offers_only_the_configured_address_and_range),
		cmocka_unit_test(test_browser_like_agent_connects_and_datagrams_flow_both_ways),
		cmocka_unit_test(test_arrival_time_comes_from_the_kernel),
		cmocka_unit_test(test_a_lite_agent_in_an_ioloop_works_like_one_on_the_main_loop),
		cmocka_unit_test(test_a_connected_lite_agent_reads_and_sends_in_batches),
		cmocka_unit_test(test_a_connected_lite_agent_answers_checks_and_follows_a_nomination),
		cmocka_unit_test(test_garbage_at_a_taken_socket_does_not_stop_the_media),
		cmocka_unit_test(test_a_lingering_loop_handles_what_comes_next_in_the_same_dispatch),
		cmocka_unit_test(test_a_full_port_range_is_a_clear_error),
		cmocka_unit_test(test_an_address_not_on_this_machine_is_refused),
		cmocka_unit_test(test_ice_tcp_adds_a_passive_candidate),
		cmocka_unit_test(test_garbage_remote_candidates_are_refused),
		cmocka_unit_test(test_free_while_the_peer_still_sends),
		cmocka_unit_test(test_the_loop_uses_io_uring_where_the_kernel_has_it),
		cmocka_unit_test(test_a_burst_longer_than_the_receive_buffers_arrives_whole),
	};
	/* the ioloop's tests again, with epoll instead of io_uring */
	const struct CMUnitTest epoll_tests[] = {
		cmocka_unit_test(test_a_lite_agent_in_an_ioloop_works_like_one_on_the_main_loop),
		cmocka_unit_test(test_a_connected_lite_agent_reads_and_sends_in_batches),
		cmocka_unit_test(test_a_connected_lite_agent_answers_checks_and_follows_a_nomination),
		cmocka_unit_test(test_garbage_at_a_taken_socket_does_not_stop_the_media),
		cmocka_unit_test(test_a_lingering_loop_handles_what_comes_next_in_the_same_dispatch),
		cmocka_unit_test(test_the_loop_uses_io_uring_where_the_kernel_has_it),
		cmocka_unit_test(test_a_burst_longer_than_the_receive_buffers_arrives_whole),
	};
	int failed = cmocka_run_group_tests_name("ice", tests, netns_group_setup,
	    NULL);

	setenv("KLOPF_IO_URING", "0", 1);
	failed += cmocka_run_group_tests_name("ice with epoll", epoll_tests,
	    NULL, NULL);
	return failed;
}
