/*
 * test_ioring: the io_uring part of the media loop on plain UDP sockets,
 * on loopback inside a private network namespace the test makes itself.
 * Skipped (and said so) where the kernel has no usable io_uring; the
 * ioloop's tests in test_ice cover the epoll path there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ioring.h"
#include "netns.h"

#define MAXGOT 4096

struct got {
	int n;
	int fd[MAXGOT];
	char text[MAXGOT][16];
	struct sockaddr_in from[MAXGOT];
	int64_t stamp[MAXGOT];
	int polls;
	void *owner;
	struct ioring *stop_on_first;   /* stop the receive in the callback */
	int stop_id;
};

static void
on_dgrams(void *ud, void *owner, int fd, struct ioloop_dgram *d, int n)
{
	struct got *g = ud;

	g->owner = owner;
	for (int i = 0; i < n && g->n < MAXGOT; i++) {
		size_t len = d[i].len < 15 ? d[i].len : 15;

		g->fd[g->n] = fd;
		memcpy(g->text[g->n], d[i].buf, len);
		g->text[g->n][len] = '\0';
		memcpy(&g->from[g->n], &d[i].from, sizeof(g->from[0]));
		g->stamp[g->n] = d[i].stamp_us;
		g->n++;
	}
	if (g->stop_on_first != NULL) {
		ioring_recv_stop(g->stop_on_first, g->stop_id);
		g->stop_on_first = NULL;
	}
}

static void
on_poll(void *ud)
{
	((struct got *)ud)->polls++;
}

static const struct ioring_ops ops = { on_dgrams, on_poll };

/* A UDP socket on 127.0.0.1 with the kernel's arrival time on. */
static int
udp(struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	socklen_t len = sizeof(*addr);
	int on = 1;

	assert_true(fd >= 0);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)addr, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof(on)), 0);
	return fd;
}

static void
send_text(int fd, const struct sockaddr_in *to, const char *text)
{
	assert_int_equal(sendto(fd, text, strlen(text), 0,
	    (const struct sockaddr *)to, sizeof(*to)), (ssize_t)strlen(text));
}

/* Waits and reaps until g has want datagrams, or 2 s. */
static void
reap_until(struct ioring *r, struct got *g, int want)
{
	gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

	while (g->n < want && g_get_monotonic_time() < end) {
		ioring_wait(r, 10000);
		(void)ioring_reap(r, &ops, g);
	}
}

static struct ioring *
ring_or_skip(unsigned nbuf)
{
	struct ioring *r = ioring_new(nbuf);

	if (r == NULL) {
		print_message("no usable io_uring here: skipped\n");
		skip();
	}
	return r;
}

/* Datagrams of two sockets come with their socket, their owner, the
 * sender's address and the kernel's arrival time, each socket's in
 * order. */
static void
test_datagrams_come_with_socket_sender_and_arrival_time(void **state)
{
	struct ioring *r = ring_or_skip(64);
	struct sockaddr_in a, b, s;
	int fa = udp(&a), fb = udp(&b), fs = udp(&s);
	struct got *g = g_new0(struct got, 1);
	int64_t before = g_get_real_time();
	int na = 0, nb = 0;
	int owner_a, owner_b;

	(void)state;
	assert_true(ioring_recv_start(r, fa, &owner_a) >= 0);
	assert_true(ioring_recv_start(r, fb, &owner_b) >= 0);
	for (int i = 0; i < 10; i++) {
		char t[16];

		snprintf(t, sizeof(t), "%d", i);
		send_text(fs, i % 2 ? &b : &a, t);
	}
	reap_until(r, g, 10);
	assert_int_equal(g->n, 10);
	for (int i = 0; i < g->n; i++) {
		int want = g->fd[i] == fa ? 2 * na++ : 2 * nb++ + 1;

		assert_true(g->fd[i] == fa || g->fd[i] == fb);
		assert_int_equal(atoi(g->text[i]), want);
		assert_int_equal(g->from[i].sin_port, s.sin_port);
		assert_true(g->stamp[i] >= before - 1000);
		assert_true(g->stamp[i] <= g_get_real_time());
	}
	assert_int_equal(na, 5);
	assert_int_equal(nb, 5);
	close(fa);
	close(fb);
	close(fs);
	g_free(g);
	ioring_free(r);
}

/* Four times more datagrams wait than there are buffers: the kernel runs
 * out of them, the receive is armed again, and every datagram arrives in
 * order. */
static void
test_a_burst_longer_than_the_buffers_arrives_whole(void **state)
{
	struct ioring *r = ring_or_skip(8);
	struct sockaddr_in a, s;
	int fa = udp(&a), fs = udp(&s);
	struct got *g = g_new0(struct got, 1);
	int owner;

	(void)state;
	assert_true(ioring_recv_start(r, fa, &owner) >= 0);
	for (int i = 0; i < 32; i++) {
		char t[16];

		snprintf(t, sizeof(t), "%d", i);
		send_text(fs, &a, t);
	}
	reap_until(r, g, 32);
	assert_int_equal(g->n, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(atoi(g->text[i]), i);
	close(fa);
	close(fs);
	g_free(g);
	ioring_free(r);
}

/* A receive stopped from within the callback hands out nothing more;
 * what comes later stays in the socket for whoever reads it next. */
static void
test_a_stopped_receive_leaves_the_socket_alone(void **state)
{
	struct ioring *r = ring_or_skip(64);
	struct sockaddr_in a, s;
	int fa = udp(&a), fs = udp(&s);
	struct got *g = g_new0(struct got, 1);
	char buf[32];
	int owner;

	(void)state;
	g->stop_id = ioring_recv_start(r, fa, &owner);
	assert_true(g->stop_id >= 0);
	g->stop_on_first = r;
	send_text(fs, &a, "first");
	reap_until(r, g, 1);
	assert_int_equal(g->n, 1);
	assert_ptr_equal(g->owner, &owner);
	send_text(fs, &a, "later");
	for (int i = 0; i < 5; i++) {
		ioring_wait(r, 10000);
		(void)ioring_reap(r, &ops, g);
	}
	assert_int_equal(g->n, 1);
	assert_int_equal(recv(fa, buf, sizeof(buf), MSG_DONTWAIT), 5);
	assert_memory_equal(buf, "later", 5);
	/* a stop twice, and of an id never given, do nothing */
	ioring_recv_stop(r, 0);
	ioring_recv_stop(r, 12345);
	close(fa);
	close(fs);
	g_free(g);
	ioring_free(r);
}

/* More sends than one submission queues (256) all go out, in order, and
 * nothing is counted as refused; the watched descriptor's readiness
 * comes as on_poll. */
static void
test_queued_sends_all_go_out_and_a_watched_descriptor_is_polled(void **state)
{
	struct ioring *r = ring_or_skip(1024);
	struct sockaddr_in a, s, p;
	int fa = udp(&a), fs = udp(&s), fp = udp(&p);
	struct got *g = g_new0(struct got, 1);
	int owner;
	int want = 600;
	int rcvbuf = 4 * 1024 * 1024;

	(void)state;
	/* room for all of them at once (ours is the network namespace) */
	assert_int_equal(setsockopt(fa, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)), 0);
	assert_true(ioring_recv_start(r, fa, &owner) >= 0);
	for (int i = 0; i < want; i++) {
		char t[16];
		int n = snprintf(t, sizeof(t), "%d", i);

		assert_int_equal(ioring_send(r, fs, (struct sockaddr *)&a,
		    sizeof(a), (const uint8_t *)t, (size_t)n), 0);
	}
	assert_true(ioring_queued(r) <= 256);
	ioring_submit(r);
	assert_int_equal(ioring_queued(r), 0);
	reap_until(r, g, want);
	assert_int_equal(g->n, want);
	for (int i = 0; i < want; i++)
		assert_int_equal(atoi(g->text[i]), i);
	assert_int_equal(ioring_send_errors(r), 0);
	/* too long for a buffer: refused at once */
	{
		static uint8_t big[IOLOOP_DGRAM + 1];

		assert_int_equal(ioring_send(r, fs, (struct sockaddr *)&a,
		    sizeof(a), big, sizeof(big)), -1);
	}
	assert_int_equal(ioring_poll(r, fp), 0);
	send_text(fs, &p, "poll");
	for (int i = 0; i < 50 && g->polls == 0; i++) {
		ioring_wait(r, 10000);
		(void)ioring_reap(r, &ops, g);
	}
	assert_true(g->polls > 0);
	close(fa);
	close(fs);
	close(fp);
	g_free(g);
	ioring_free(r);
}

/* Buffer counts the ring cannot use are refused. */
static void
test_a_buffer_count_that_is_no_power_of_two_is_refused(void **state)
{
	(void)state;
	assert_null(ioring_new(0));
	assert_null(ioring_new(1000));
	assert_null(ioring_new(65536));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datagrams_come_with_socket_sender_and_arrival_time),
		cmocka_unit_test(test_a_burst_longer_than_the_buffers_arrives_whole),
		cmocka_unit_test(test_a_stopped_receive_leaves_the_socket_alone),
		cmocka_unit_test(test_queued_sends_all_go_out_and_a_watched_descriptor_is_polled),
		cmocka_unit_test(test_a_buffer_count_that_is_no_power_of_two_is_refused),
	};

	return cmocka_run_group_tests(tests, netns_group_setup, NULL);
}
