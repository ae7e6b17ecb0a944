/*
 * test_metrics: the Prometheus exposition helpers (HELP/TYPE, label
 * escaping, number formatting), the fixed-bucket histogram (boundaries,
 * +Inf, cumulative buckets, sum and count in seconds), the writer list,
 * and the /metrics listener answering real requests on a loopback port
 * driven by its own GMainContext.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics.h"
#include "version.h"

/* --- format helpers ------------------------------------------------------ */

static void
test_help_and_type_lines_escape_the_help_text(void **state)
{
	GString *out = g_string_new(NULL);

	(void)state;
	metrics_help_type(out, "klopf_x_total", "counter",
	    "Two lines\nand a back\\slash, \"quotes\" stay.");
	assert_string_equal(out->str,
	    "# HELP klopf_x_total Two lines\\nand a back\\\\slash, "
	    "\"quotes\" stay.\n"
	    "# TYPE klopf_x_total counter\n");
	g_string_free(out, TRUE);
}

static void
test_label_values_are_escaped_and_joined_by_commas(void **state)
{
	GString *l = g_string_new(NULL);

	(void)state;
	metrics_label(l, "room", "7");
	assert_string_equal(l->str, "room=\"7\"");
	metrics_label(l, "office", "a\"b\\c\nd");
	assert_string_equal(l->str,
	    "room=\"7\",office=\"a\\\"b\\\\c\\nd\"");
	g_string_truncate(l, 0);
	metrics_label(l, "name", "");
	assert_string_equal(l->str, "name=\"\"");
	g_string_free(l, TRUE);
}

static void
test_values_with_and_without_labels(void **state)
{
	GString *out = g_string_new(NULL);

	(void)state;
	metrics_value_u64(out, "a", NULL, 0);
	metrics_value_u64(out, "b", "", UINT64_MAX);
	metrics_value_u64(out, "c", "room=\"7\",pid=\"p1\"", 42);
	metrics_value(out, "d", NULL, 3.0);
	metrics_value(out, "e", NULL, 0.1);
	metrics_value(out, "f", "k=\"v\"", -2.5);
	metrics_value(out, "g", NULL, 1e-05);
	metrics_value(out, "h", NULL, 1700000000.123456);
	assert_string_equal(out->str,
	    "a 0\n"
	    "b 18446744073709551615\n"
	    "c{room=\"7\",pid=\"p1\"} 42\n"
	    "d 3\n"
	    "e 0.1\n"
	    "f{k=\"v\"} -2.5\n"
	    "g 1e-05\n"
	    "h 1700000000.123456\n");
	g_string_free(out, TRUE);
}

static void
test_doubles_read_back_exactly(void **state)
{
	static const double v[] = { 0.1 + 0.2, 1.0 / 3.0, 123456789.987654321,
	    5e-324, 1.7976931348623157e308, -0.0 };
	GString *out = g_string_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		g_string_truncate(out, 0);
		metrics_value(out, "x", NULL, v[i]);
		assert_true(strncmp(out->str, "x ", 2) == 0);
		assert_true(g_ascii_strtod(out->str + 2, NULL) == v[i]);
	}
	g_string_free(out, TRUE);
}

static void
test_nan_and_infinities_use_prometheus_spelling(void **state)
{
	GString *out = g_string_new(NULL);

	(void)state;
	metrics_value(out, "n", NULL, NAN);
	metrics_value(out, "p", NULL, INFINITY);
	metrics_value(out, "m", NULL, -INFINITY);
	assert_string_equal(out->str, "n NaN\np +Inf\nm -Inf\n");
	g_string_free(out, TRUE);
}

/* --- histogram ------------------------------------------------------------ */

static void
test_histogram_bucket_boundaries_are_inclusive(void **state)
{
	static const uint64_t bounds[] = { 100, 1000, 10000 };
	struct metrics_histogram h;

	(void)state;
	metrics_histogram_init(&h, bounds, 3);
	metrics_histogram_observe(&h, 0);
	metrics_histogram_observe(&h, 100);     /* le="0.0001": on the bound */
	metrics_histogram_observe(&h, 101);
	metrics_histogram_observe(&h, 1000);
	metrics_histogram_observe(&h, 10000);
	metrics_histogram_observe(&h, 10001);   /* above the last: +Inf only */
	metrics_histogram_observe(&h, UINT32_MAX);
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[1], 2);
	assert_int_equal(h.counts[2], 1);
	assert_int_equal(h.counts[3], 2);
	assert_int_equal(metrics_histogram_count(&h), 7);
	assert_int_equal(h.sum_us,
	    0 + 100 + 101 + 1000 + 10000 + 10001 + (uint64_t)UINT32_MAX);
}

static void
test_histogram_writes_cumulative_buckets_in_seconds(void **state)
{
	static const uint64_t bounds[] = { 50, 2500, 1000000, 2500000 };
	struct metrics_histogram h;
	GString *out = g_string_new(NULL);

	(void)state;
	metrics_histogram_init(&h, bounds, 4);
	metrics_histogram_observe(&h, 10);
	metrics_histogram_observe(&h, 2000);
	metrics_histogram_observe(&h, 2000);
	metrics_histogram_observe(&h, 3000000);
	metrics_histogram_write(out, "klopf_delay_seconds", NULL, &h);
	assert_string_equal(out->str,
	    "klopf_delay_seconds_bucket{le=\"0.00005\"} 1\n"
	    "klopf_delay_seconds_bucket{le=\"0.0025\"} 3\n"
	    "klopf_delay_seconds_bucket{le=\"1\"} 3\n"
	    "klopf_delay_seconds_bucket{le=\"2.5\"} 3\n"
	    "klopf_delay_seconds_bucket{le=\"+Inf\"} 4\n"
	    "klopf_delay_seconds_sum 3.00401\n"
	    "klopf_delay_seconds_count 4\n");

	g_string_truncate(out, 0);
	metrics_histogram_write(out, "d", "room=\"7\"", &h);
	assert_non_null(strstr(out->str,
	    "d_bucket{room=\"7\",le=\"0.00005\"} 1\n"));
	assert_non_null(strstr(out->str, "d_bucket{room=\"7\",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(out->str, "d_sum{room=\"7\"} 3.00401\n"));
	assert_non_null(strstr(out->str, "d_count{room=\"7\"} 4\n"));
	g_string_free(out, TRUE);
}

static void
test_empty_histogram_has_zero_buckets_sum_and_count(void **state)
{
	struct metrics_histogram h;
	GString *out = g_string_new(NULL);

	(void)state;
	metrics_histogram_init(&h, METRICS_DELAY_BOUNDS_US,
	    METRICS_DELAY_NBOUNDS);
	metrics_histogram_write(out, "x", "", &h);
	assert_non_null(strstr(out->str, "x_bucket{le=\"0.00001\"} 0\n"));
	assert_non_null(strstr(out->str, "x_bucket{le=\"0.1\"} 0\n"));
	assert_non_null(strstr(out->str, "x_bucket{le=\"+Inf\"} 0\n"));
	assert_non_null(strstr(out->str, "x_sum 0\nx_count 0\n"));
	g_string_free(out, TRUE);
}

static void
test_delay_bounds_ascend_and_fit(void **state)
{
	int i;

	(void)state;
	assert_true(METRICS_DELAY_NBOUNDS <= METRICS_HIST_MAX);
	for (i = 1; i < METRICS_DELAY_NBOUNDS; i++)
		assert_true(METRICS_DELAY_BOUNDS_US[i] >
		    METRICS_DELAY_BOUNDS_US[i - 1]);
}

/* --- writers --------------------------------------------------------------- */

static void
write_a(void *ud, GString *out)
{
	(*(int *)ud)++;
	metrics_help_type(out, "klopf_a", "gauge", "A.");
	metrics_value_u64(out, "klopf_a", NULL, 1);
}

static void
write_b(void *ud, GString *out)
{
	(*(int *)ud)++;
	metrics_help_type(out, "klopf_b", "gauge", "B.");
	metrics_value_u64(out, "klopf_b", NULL, 2);
}

static void
test_writers_run_in_order_after_the_process_metrics(void **state)
{
	struct metrics *m;
	GString *out = g_string_new(NULL);
	char err[256];
	int na = 0, nb = 0;
	char *a, *b, *build;

	(void)state;
	m = metrics_new(NULL, NULL, 0, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(metrics_port(m), 0);
	metrics_add_writer(m, write_a, &na);
	metrics_add_writer(m, write_b, &nb);
	metrics_add_writer(m, write_a, &na);    /* twice: once */
	metrics_render(m, out);
	assert_int_equal(na, 1);
	assert_int_equal(nb, 1);
	build = strstr(out->str, "klopf_build_info{version=\"" KLOPF_VERSION
	    "\"} 1\n");
	a = strstr(out->str, "klopf_a 1\n");
	b = strstr(out->str, "klopf_b 2\n");
	assert_non_null(build);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(build < a && a < b);
	assert_non_null(strstr(out->str, "# TYPE process_start_time_seconds "
	    "gauge\nprocess_start_time_seconds "));
	assert_non_null(strstr(out->str, "\nprocess_open_fds "));

	metrics_remove_writer(m, write_a, &na);
	metrics_remove_writer(m, write_a, &nb);  /* not registered: no-op */
	g_string_truncate(out, 0);
	metrics_render(m, out);
	assert_int_equal(na, 1);
	assert_int_equal(nb, 2);
	assert_null(strstr(out->str, "klopf_a"));
	metrics_free(m);
	g_string_free(out, TRUE);
}

static void
test_null_metrics_accepts_writers_and_free(void **state)
{
	int n = 0;

	(void)state;
	metrics_add_writer(NULL, write_a, &n);
	metrics_remove_writer(NULL, write_a, &n);
	assert_int_equal(metrics_port(NULL), 0);
	metrics_free(NULL);
	assert_int_equal(n, 0);
}

/* --- the listener ------------------------------------------------------------ */

/* Sends req to 127.0.0.1:port and runs ctx until the server closes the
 * connection (at most 5 s). Returns the whole answer (g_free it). */
static char *
exchange(GMainContext *ctx, int port, const char *req, size_t len)
{
	struct sockaddr_in sin;
	GString *in = g_string_new(NULL);
	gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	char buf[4096];
	size_t off = 0;
	ssize_t n;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	while (g_get_monotonic_time() < until) {
		while (g_main_context_iteration(ctx, FALSE))
			;
		if (off < len) {
			n = send(fd, req + off, len - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			g_string_append_len(in, buf, n);
		else if (n == 0)
			break;
		else if (errno == EAGAIN)
			g_usleep(1000);
		else
			break;
	}
	assert_true(g_get_monotonic_time() < until);
	close(fd);
	return g_string_free(in, FALSE);
}

/* The status code of an answer, after checking Content-Length. */
static int
status_of(const char *resp)
{
	const char *body = strstr(resp, "\r\n\r\n"), *cl;

	assert_non_null(body);
	assert_true(strncmp(resp, "HTTP/1.1 ", 9) == 0);
	cl = strstr(resp, "\r\nContent-Length: ");
	assert_non_null(cl);
	assert_true(cl < body);
	assert_int_equal(strtoul(cl + 18, NULL, 10), strlen(body + 4));
	return atoi(resp + 9);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

static void
test_listener_serves_get_metrics_only(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct metrics *m;
	char err[256], *r, big[METRICS_REQUEST_MAX + 1000];
	int n = 0, port;

	(void)state;
	m = metrics_new(ctx, "127.0.0.1", 0, err, sizeof(err));
	assert_non_null(m);
	port = metrics_port(m);
	assert_true(port > 0);
	metrics_add_writer(m, write_a, &n);

	r = exchange(ctx, port, GET("/metrics"), strlen(GET("/metrics")));
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(r, "\r\n\r\n# HELP klopf_build_info "));
	assert_non_null(strstr(r, "\nklopf_a 1\n"));
	g_free(r);
	assert_int_equal(n, 1);

	r = exchange(ctx, port, GET("/metrics?x=1"), strlen(GET("/metrics?x=1")));
	assert_int_equal(status_of(r), 200);
	g_free(r);
	/* HTTP/1.0 with bare newlines */
	r = exchange(ctx, port, "GET /metrics HTTP/1.0\n\n", 23);
	assert_int_equal(status_of(r), 200);
	g_free(r);
	r = exchange(ctx, port, GET("/"), strlen(GET("/")));
	assert_int_equal(status_of(r), 404);
	g_free(r);
	r = exchange(ctx, port, GET("/metricsx"), strlen(GET("/metricsx")));
	assert_int_equal(status_of(r), 404);
	g_free(r);
	r = exchange(ctx, port, "POST /metrics HTTP/1.1\r\nContent-Length: 5"
	    "\r\n\r\nhello", 50);
	assert_int_equal(status_of(r), 405);
	assert_non_null(strstr(r, "\r\nAllow: GET\r\n"));
	g_free(r);
	r = exchange(ctx, port, "HEAD /metrics HTTP/1.1\r\n\r\n", 26);
	assert_int_equal(status_of(r), 405);
	g_free(r);
	r = exchange(ctx, port, "GET /metrics HTTP/2.0\r\n\r\n", 25);
	assert_int_equal(status_of(r), 400);
	g_free(r);
	r = exchange(ctx, port, "GET /metrics\r\n\r\n", 16);
	assert_int_equal(status_of(r), 400);
	g_free(r);

	/* a head larger than the buffer: 431, and the server goes on */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	r = exchange(ctx, port, big, sizeof(big));
	assert_int_equal(status_of(r), 431);
	g_free(r);
	r = exchange(ctx, port, GET("/metrics"), strlen(GET("/metrics")));
	assert_int_equal(status_of(r), 200);
	g_free(r);
	assert_int_equal(n, 4);

	metrics_free(m);
	g_main_context_unref(ctx);
}

static void
test_a_taken_port_is_an_error_with_the_reason(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct metrics *m, *m2;
	char err[256], want[256];

	(void)state;
	m = metrics_new(ctx, "127.0.0.1", 0, err, sizeof(err));
	assert_non_null(m);
	m2 = metrics_new(ctx, "127.0.0.1", metrics_port(m), err, sizeof(err));
	assert_null(m2);
	snprintf(want, sizeof(want), "metrics_listen 127.0.0.1:%d: %s",
	    metrics_port(m), strerror(EADDRINUSE));
	assert_string_equal(err, want);

	m2 = metrics_new(ctx, "localhost", 9101, err, sizeof(err));
	assert_null(m2);
	assert_string_equal(err, "metrics_listen localhost:9101: not a numeric "
	    "IPv4 or IPv6 address");
	metrics_free(m);
	g_main_context_unref(ctx);
}

static void
test_ipv6_loopback_listener(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct metrics *m;
	char err[256];

	(void)state;
	m = metrics_new(ctx, "::1", 0, err, sizeof(err));
	if (m == NULL) {        /* a host without IPv6 */
		assert_non_null(strstr(err, "metrics_listen [::1]:0: "));
		skip();
	}
	assert_true(metrics_port(m) > 0);
	metrics_free(m);
	g_main_context_unref(ctx);
}

static void
test_free_closes_open_connections(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct sockaddr_in sin;
	struct metrics *m;
	char err[256], c;
	int fd[3], i;

	(void)state;
	m = metrics_new(ctx, "127.0.0.1", 0, err, sizeof(err));
	assert_non_null(m);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)metrics_port(m));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 3; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fd[i], (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
	}
	/* the third has sent half a request */
	assert_int_equal(send(fd[2], "GET /met", 8, 0), 8);
	for (i = 0; i < 20; i++) {
		g_main_context_iteration(ctx, FALSE);
		g_usleep(1000);
	}
	metrics_free(m);        /* ASan: nothing leaks, nothing dangles */
	for (i = 0; i < 3; i++) {
		assert_int_equal(recv(fd[i], &c, 1, 0), 0);   /* closed */
		close(fd[i]);
	}
	/* No source of the freed metrics is left on the context. */
	assert_false(g_main_context_iteration(ctx, FALSE));
	g_main_context_unref(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_type_lines_escape_the_help_text),
		cmocka_unit_test(test_label_values_are_escaped_and_joined_by_commas),
		cmocka_unit_test(test_values_with_and_without_labels),
		cmocka_unit_test(test_doubles_read_back_exactly),
		cmocka_unit_test(test_nan_and_infinities_use_prometheus_spelling),
		cmocka_unit_test(test_histogram_bucket_boundaries_are_inclusive),
		cmocka_unit_test(test_histogram_writes_cumulative_buckets_in_seconds),
		cmocka_unit_test(test_empty_histogram_has_zero_buckets_sum_and_count),
		cmocka_unit_test(test_delay_bounds_ascend_and_fit),
		cmocka_unit_test(test_writers_run_in_order_after_the_process_metrics),
		cmocka_unit_test(test_null_metrics_accepts_writers_and_free),
		cmocka_unit_test(test_listener_serves_get_metrics_only),
		cmocka_unit_test(test_a_taken_port_is_an_error_with_the_reason),
		cmocka_unit_test(test_ipv6_loopback_listener),
		cmocka_unit_test(test_free_closes_open_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
