/*
 * test_ice: klopfd's ICE-lite transport against a full libnice agent, on
 * loopback inside a private network namespace the test makes itself.
 */
#include <errno.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
	int recursive;          /* packets from a source that may recurse */
};

static void
on_recv(void *ud, const uint8_t *buf, size_t len)
{
	struct side *s = ud;

	s->packets++;
	if (g_main_current_source() != NULL &&
	    g_source_get_can_recurse(g_main_current_source()))
		s->recursive++;
	if (len < sizeof(s->got)) {
		memcpy(s->got, buf, len);
		s->ngot = len;
	}
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

static int
setup_netns(void **state)
{
	(void)state;
	if (netns_enter() != 0) {
		print_message("cannot make a private network namespace: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
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
	assert_int_equal(ice_send(s[1].ice, (const uint8_t *)"hello", 5), 0);
	assert_true(spin_until(got_packet, &s[0]));
	assert_memory_equal(s[0].got, "hello", 5);
	/* libnice's socket source was marked: GLib does not block it
	 * around each datagram (no eventfd writes) */
	assert_int_equal(s[0].recursive, s[0].packets);
	assert_int_equal(ice_send(s[0].ice, (const uint8_t *)"world!", 6), 0);
	assert_true(spin_until(got_packet, &s[1]));
	assert_memory_equal(s[1].got, "world!", 6);
	assert_true(ioloop_dispatches(loop) > d0);
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
		cmocka_unit_test(test_a_full_port_range_is_a_clear_error),
		cmocka_unit_test(test_an_address_not_on_this_machine_is_refused),
		cmocka_unit_test(test_ice_tcp_adds_a_passive_candidate),
		cmocka_unit_test(test_garbage_remote_candidates_are_refused),
		cmocka_unit_test(test_free_while_the_peer_still_sends),
	};

	return cmocka_run_group_tests(tests, setup_netns, NULL);
}
