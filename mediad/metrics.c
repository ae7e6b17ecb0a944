/*
 * metrics: see metrics.h. A deliberately small HTTP/1.x server: one
 * request per connection, GET /metrics only, the request line and
 * headers read into a fixed buffer, the response written and the
 * connection closed. Every socket is non-blocking and watched by a GLib
 * fd source on the caller's main context; each connection has a deadline
 * and is freed synchronously (no pending GIO operations), so
 * metrics_free can close everything at once.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <glib-unix.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "version.h"

#define METRICS_LINGER_MS 1000    /* reading what is left after the answer */
#define METRICS_DRAIN_MAX 65536   /* bytes read and dropped after the answer */
#define METRICS_ACCEPT_PAUSE_MS 1000 /* out of file descriptors */

const uint64_t METRICS_DELAY_BOUNDS_US[METRICS_DELAY_NBOUNDS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000,
	100000,
};

const uint64_t METRICS_QUEUE_BOUNDS_US[METRICS_QUEUE_NBOUNDS] = {
	10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000,
	100000, 250000, 500000, 1000000, 2500000,
};

enum conn_state {
	CONN_READ,      /* reading the request line and headers */
	CONN_WRITE,     /* writing the answer */
	CONN_DRAIN,     /* answer sent, write side shut: reading to EOF */
};

struct conn {
	struct metrics *m;
	int fd;
	enum conn_state state;
	GSource *io;            /* fd source for the current state */
	GIOCondition cond;      /* what io waits for */
	GSource *timer;         /* deadline */
	size_t len;             /* bytes in buf */
	GString *resp;          /* the answer, from CONN_WRITE */
	size_t off;             /* bytes of resp sent */
	size_t drained;
	char buf[METRICS_REQUEST_MAX];
};

struct writer {
	metrics_writer fn;
	void *ud;
};

struct metrics {
	GMainContext *ctx;      /* a reference, or NULL = default */
	int fd;                 /* listening socket, -1 = none */
	int port;
	GSource *accept_src;
	GSource *pause_src;     /* accepting paused (EMFILE) until it fires */
	GArray *writers;        /* struct writer, in the order added */
	GPtrArray *conns;       /* struct conn * */
	double start_time;      /* process start, seconds since the epoch */
};

/* --- exposition format helpers --------------------------------------- */

static bool
name_ok(const char *name)
{
	const char *p;

	if (!g_ascii_isalpha(name[0]) && name[0] != '_' && name[0] != ':')
		return false;
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != ':')
			return false;
	return true;
}

void
metrics_help_type(GString *out, const char *name, const char *type,
    const char *help)
{
	const char *p;

	assert(name_ok(name));
	g_string_append_printf(out, "# HELP %s ", name);
	for (p = help; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append(out, "\\\\");
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_printf(out, "\n# TYPE %s %s\n", name, type);
}

void
metrics_label(GString *labels, const char *name, const char *value)
{
	const char *p;

	if (labels->len > 0)
		g_string_append_c(labels, ',');
	g_string_append_printf(labels, "%s=\"", name);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append(labels, "\\\\");
		else if (*p == '"')
			g_string_append(labels, "\\\"");
		else if (*p == '\n')
			g_string_append(labels, "\\n");
		else
			g_string_append_c(labels, *p);
	}
	g_string_append_c(labels, '"');
}

static void
sample_name(GString *out, const char *name, const char *labels)
{
	g_string_append(out, name);
	if (labels != NULL && labels[0] != '\0')
		g_string_append_printf(out, "{%s}", labels);
	g_string_append_c(out, ' ');
}

/* The shortest of %.15g and %.17g that reads back as v, independent of
 * the locale. */
static void
append_double(GString *out, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (isnan(v)) {
		g_string_append(out, "NaN");
		return;
	}
	if (isinf(v)) {
		g_string_append(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	g_ascii_formatd(buf, sizeof(buf), "%.15g", v);
	if (g_ascii_strtod(buf, NULL) != v)
		g_ascii_formatd(buf, sizeof(buf), "%.17g", v);
	g_string_append(out, buf);
}

void
metrics_value(GString *out, const char *name, const char *labels, double v)
{
	sample_name(out, name, labels);
	append_double(out, v);
	g_string_append_c(out, '\n');
}

void
metrics_value_u64(GString *out, const char *name, const char *labels,
    uint64_t v)
{
	sample_name(out, name, labels);
	g_string_append_printf(out, "%" PRIu64 "\n", v);
}

/* --- histogram --------------------------------------------------------- */

void
metrics_histogram_init(struct metrics_histogram *h, const uint64_t *bounds_us,
    int n)
{
	int i;

	assert(n >= 1 && n <= METRICS_HIST_MAX);
	memset(h, 0, sizeof(*h));
	for (i = 0; i < n; i++) {
		assert(i == 0 || bounds_us[i] > bounds_us[i - 1]);
		h->bounds_us[i] = bounds_us[i];
	}
	h->nbounds = n;
}

uint64_t
metrics_histogram_count(const struct metrics_histogram *h)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i <= h->nbounds; i++)
		n += h->counts[i];
	return n;
}

/* Microseconds as exact decimal seconds: 2500 -> "0.0025", 1000000 -> "1". */
static void
append_seconds(GString *out, uint64_t us)
{
	char frac[8];
	int n;

	g_string_append_printf(out, "%" PRIu64, us / 1000000);
	if (us % 1000000 == 0)
		return;
	n = snprintf(frac, sizeof(frac), "%06" PRIu64, us % 1000000);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	g_string_append_printf(out, ".%s", frac);
}

void
metrics_histogram_write(GString *out, const char *name, const char *labels,
    const struct metrics_histogram *h)
{
	bool with = labels != NULL && labels[0] != '\0';
	uint64_t cum = 0;
	int i;

	for (i = 0; i <= h->nbounds; i++) {
		cum += h->counts[i];
		g_string_append_printf(out, "%s_bucket{%s%sle=\"", name,
		    with ? labels : "", with ? "," : "");
		if (i < h->nbounds)
			append_seconds(out, h->bounds_us[i]);
		else
			g_string_append(out, "+Inf");
		g_string_append_printf(out, "\"} %" PRIu64 "\n", cum);
	}
	g_string_append_printf(out, "%s_sum", name);
	if (with)
		g_string_append_printf(out, "{%s}", labels);
	g_string_append_c(out, ' ');
	append_seconds(out, h->sum_us);
	g_string_append_printf(out, "\n%s_count", name);
	if (with)
		g_string_append_printf(out, "{%s}", labels);
	g_string_append_printf(out, " %" PRIu64 "\n", cum);
}

/* --- klopfd's own process metrics ------------------------------------ */

/* Seconds since the epoch when this process started (/proc), or now. */
static double
process_start_time(void)
{
	char buf[1024], *p;
	unsigned long long start_ticks = 0, btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	size_t n;
	FILE *f;
	int i;

	if ((f = fopen("/proc/self/stat", "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		/* after "pid (comm) ", field 3 is the state; starttime is 22 */
		if ((p = strrchr(buf, ')')) != NULL) {
			for (i = 2; i < 22 && p != NULL; i++)
				p = strchr(p + 1, ' ');
			if (p != NULL)
				start_ticks = strtoull(p + 1, NULL, 10);
		}
	}
	if ((f = fopen("/proc/stat", "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (sscanf(buf, "btime %llu", &btime) == 1)
				break;
		fclose(f);
	}
	if (start_ticks == 0 || btime == 0 || hz <= 0)
		return (double)g_get_real_time() / 1e6;
	return (double)btime + (double)start_ticks / (double)hz;
}

static int
open_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;           /* opendir's own */
}

static void
process_writer(const struct metrics *m, GString *out)
{
	GString *labels = g_string_new(NULL);
	unsigned long vm_pages = 0, rss_pages = 0;
	long page = sysconf(_SC_PAGESIZE);
	struct rusage ru;
	struct rlimit rl;
	FILE *f;
	int fds;

	metrics_help_type(out, "klopf_build_info", "gauge",
	    "Always 1; the label says which klopfd is running.");
	metrics_label(labels, "version", KLOPF_VERSION);
	metrics_value_u64(out, "klopf_build_info", labels->str, 1);
	g_string_free(labels, TRUE);

	metrics_help_type(out, "process_start_time_seconds", "gauge",
	    "Start time of the process since the Unix epoch in seconds.");
	metrics_value(out, "process_start_time_seconds", NULL, m->start_time);

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		metrics_help_type(out, "process_cpu_seconds_total", "counter",
		    "User and system CPU time spent in seconds.");
		metrics_value(out, "process_cpu_seconds_total", NULL,
		    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%lu %lu", &vm_pages, &rss_pages) == 2 &&
		    page > 0) {
			metrics_help_type(out, "process_resident_memory_bytes",
			    "gauge", "Resident memory size in bytes.");
			metrics_value_u64(out, "process_resident_memory_bytes",
			    NULL, (uint64_t)rss_pages * (uint64_t)page);
			metrics_help_type(out, "process_virtual_memory_bytes",
			    "gauge", "Virtual memory size in bytes.");
			metrics_value_u64(out, "process_virtual_memory_bytes",
			    NULL, (uint64_t)vm_pages * (uint64_t)page);
		}
		fclose(f);
	}
	if ((fds = open_fds()) >= 0) {
		metrics_help_type(out, "process_open_fds", "gauge",
		    "Number of open file descriptors.");
		metrics_value_u64(out, "process_open_fds", NULL, (uint64_t)fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		metrics_help_type(out, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.");
		metrics_value_u64(out, "process_max_fds", NULL,
		    (uint64_t)rl.rlim_cur);
	}
}

/* --- writers ----------------------------------------------------------- */

void
metrics_add_writer(struct metrics *m, metrics_writer fn, void *ud)
{
	struct writer w = { fn, ud };
	guint i;

	if (m == NULL)
		return;
	for (i = 0; i < m->writers->len; i++) {
		struct writer *x = &g_array_index(m->writers, struct writer, i);

		if (x->fn == fn && x->ud == ud)
			return;
	}
	g_array_append_val(m->writers, w);
}

void
metrics_remove_writer(struct metrics *m, metrics_writer fn, void *ud)
{
	guint i;

	if (m == NULL)
		return;
	for (i = 0; i < m->writers->len; i++) {
		struct writer *x = &g_array_index(m->writers, struct writer, i);

		if (x->fn == fn && x->ud == ud) {
			g_array_remove_index(m->writers, i);
			return;
		}
	}
}

void
metrics_render(struct metrics *m, GString *out)
{
	guint i;

	process_writer(m, out);
	for (i = 0; i < m->writers->len; i++) {
		struct writer *w = &g_array_index(m->writers, struct writer, i);

		w->fn(w->ud, out);
	}
}

/* --- scrape connections ------------------------------------------------ */

static void conn_read(struct conn *c);
static void conn_write(struct conn *c);
static void conn_drain(struct conn *c);

static void
source_drop(GSource **s)
{
	if (*s != NULL) {
		g_source_destroy(*s);
		g_source_unref(*s);
		*s = NULL;
	}
}

static void
conn_free(struct conn *c)
{
	g_ptr_array_remove_fast(c->m->conns, c);
	source_drop(&c->io);
	source_drop(&c->timer);
	close(c->fd);
	if (c->resp != NULL)
		g_string_free(c->resp, TRUE);
	g_free(c);
}

static gboolean
on_conn_io(gint fd, GIOCondition cond, gpointer ud)
{
	struct conn *c = ud;

	/* Each step may replace c->io or free c; neither needs the return
	 * value, which only matters for a source still alive. */
	switch (c->state) {
	case CONN_READ:
		conn_read(c);
		break;
	case CONN_WRITE:
		conn_write(c);
		break;
	case CONN_DRAIN:
		conn_drain(c);
		break;
	}
	return G_SOURCE_CONTINUE;
}

static void
conn_watch(struct conn *c, GIOCondition cond)
{
	if (c->io != NULL && c->cond == cond)
		return;
	source_drop(&c->io);
	c->cond = cond;
	c->io = g_unix_fd_source_new(c->fd, cond);
	g_source_set_callback(c->io, G_SOURCE_FUNC(on_conn_io), c, NULL);
	g_source_attach(c->io, c->m->ctx);
}

static gboolean
on_conn_timeout(gpointer ud)
{
	struct conn *c = ud;

	if (c->state != CONN_DRAIN)
		log_debug("metrics: closing a scrape connection after %d ms",
		    METRICS_TIMEOUT_MS);
	conn_free(c);
	return G_SOURCE_REMOVE;
}

static void
conn_deadline(struct conn *c, guint ms)
{
	source_drop(&c->timer);
	c->timer = g_timeout_source_new(ms);
	g_source_set_callback(c->timer, on_conn_timeout, c, NULL);
	g_source_attach(c->timer, c->m->ctx);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	default: return "Error";
	}
}

/* The status for a complete request head in buf: 200 for GET /metrics
 * (a query string is ignored), else 400, 405 or 404. */
static int
request_status(const char *buf, size_t len)
{
	const char *eol, *sp1, *sp2, *ver;
	size_t l, vlen;

	if ((eol = memchr(buf, '\n', len)) == NULL)
		return 400;
	l = (size_t)(eol - buf);
	if (l > 0 && buf[l - 1] == '\r')
		l--;
	if ((sp1 = memchr(buf, ' ', l)) == NULL || sp1 == buf)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', l - (size_t)(sp1 + 1 - buf));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return 400;
	ver = sp2 + 1;
	vlen = l - (size_t)(ver - buf);
	if (vlen != 8 || (memcmp(ver, "HTTP/1.0", 8) != 0 &&
	    memcmp(ver, "HTTP/1.1", 8) != 0))
		return 400;
	if (sp1 - buf != 3 || memcmp(buf, "GET", 3) != 0)
		return 405;
	l = (size_t)(sp2 - (sp1 + 1));
	if (l >= 8 && memcmp(sp1 + 1, "/metrics", 8) == 0 &&
	    (l == 8 || sp1[9] == '?'))
		return 200;
	return 404;
}

static void
conn_respond(struct conn *c, int status)
{
	GString *body = g_string_sized_new(status == 200 ? 8192 : 64);

	if (status == 200)
		metrics_render(c->m, body);
	else
		g_string_append_printf(body, "%d %s\n", status, reason(status));
	c->resp = g_string_sized_new(body->len + 256);
	g_string_append_printf(c->resp,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n",
	    status, reason(status),
	    status == 200 ? METRICS_CONTENT_TYPE : "text/plain; charset=utf-8",
	    body->len, status == 405 ? "Allow: GET\r\n" : "");
	g_string_append_len(c->resp, body->str, (gssize)body->len);
	g_string_free(body, TRUE);
	c->state = CONN_WRITE;
	c->off = 0;
	conn_write(c);
}

static bool
head_complete(const char *buf, size_t len)
{
	return memmem(buf, len, "\r\n\r\n", 4) != NULL ||
	    memmem(buf, len, "\n\n", 2) != NULL;
}

static void
conn_read(struct conn *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {           /* gone before a whole request */
			conn_free(c);
			return;
		}
		c->len += (size_t)n;
		if (head_complete(c->buf, c->len)) {
			conn_respond(c, request_status(c->buf, c->len));
			return;
		}
		if (c->len == sizeof(c->buf)) {
			conn_respond(c, 431);
			return;
		}
	}
}

static void
conn_write(struct conn *c)
{
	ssize_t n;

	while (c->off < c->resp->len) {
		n = send(c->fd, c->resp->str + c->off, c->resp->len - c->off,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			conn_watch(c, G_IO_OUT);
			return;
		}
		if (n < 0) {
			conn_free(c);
			return;
		}
		c->off += (size_t)n;
	}
	/* Answer sent. Closing now with unread request bytes (a body, the
	 * rest of an oversized head) would reset the connection and could
	 * destroy the answer before the client reads it, so shut the write
	 * side and read until the client closes, briefly. */
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_DRAIN;
	conn_deadline(c, METRICS_LINGER_MS);
	conn_watch(c, G_IO_IN);
	conn_drain(c);
}

static void
conn_drain(struct conn *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0 || (c->drained += (size_t)n) > METRICS_DRAIN_MAX) {
			conn_free(c);
			return;
		}
	}
}

static void
conn_new(struct metrics *m, int fd)
{
	struct conn *c = g_new0(struct conn, 1);

	c->m = m;
	c->fd = fd;
	c->state = CONN_READ;
	g_ptr_array_add(m->conns, c);
	conn_deadline(c, METRICS_TIMEOUT_MS);
	conn_watch(c, G_IO_IN);
}

/* --- listener ---------------------------------------------------------- */

static gboolean on_accept(gint fd, GIOCondition cond, gpointer ud);

static void
accept_watch(struct metrics *m)
{
	m->accept_src = g_unix_fd_source_new(m->fd, G_IO_IN);
	g_source_set_callback(m->accept_src, G_SOURCE_FUNC(on_accept), m,
	    NULL);
	g_source_attach(m->accept_src, m->ctx);
}

static gboolean
on_accept_resume(gpointer ud)
{
	struct metrics *m = ud;

	source_drop(&m->pause_src);
	accept_watch(m);
	return G_SOURCE_REMOVE;
}

static gboolean
on_accept(gint lfd, GIOCondition cond, gpointer ud)
{
	struct metrics *m = ud;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* Out of descriptors or memory: the socket stays
			 * readable, so stop watching it for a moment rather
			 * than spin. */
			log_warning("metrics: cannot accept a connection: %s",
			    strerror(errno));
			source_drop(&m->accept_src);
			m->pause_src = g_timeout_source_new(
			    METRICS_ACCEPT_PAUSE_MS);
			g_source_set_callback(m->pause_src, on_accept_resume, m,
			    NULL);
			g_source_attach(m->pause_src, m->ctx);
			return G_SOURCE_REMOVE;
		}
		if (m->conns->len >= METRICS_MAX_CONNS) {
			log_debug("metrics: %d scrape connections open, "
			    "refusing another", METRICS_MAX_CONNS);
			close(fd);
			continue;
		}
		conn_new(m, fd);
	}
	return G_SOURCE_CONTINUE;
}

/* Makes the listening socket; returns it, or -1 with the reason in err. */
static int
listen_on(const char *addr, int port, bool *loopback, int *bound,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sl = sizeof(*sin);
		*loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*sin6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	} else {
		snprintf(err, errlen, "not a numeric IPv4 or IPv6 address");
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    listen(fd, METRICS_MAX_CONNS) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port);
	return fd;
}

struct metrics *
metrics_new(GMainContext *ctx, const char *addr, int port, char *err,
    size_t errlen)
{
	struct metrics *m;
	bool v6 = addr != NULL && strchr(addr, ':') != NULL;
	bool loopback = true;
	char why[256];

	m = g_new0(struct metrics, 1);
	m->fd = -1;
	m->writers = g_array_new(FALSE, FALSE, sizeof(struct writer));
	m->conns = g_ptr_array_new();
	m->start_time = process_start_time();
	if (addr == NULL)
		return m;
	if (port < 0 || port > 65535 || (m->fd = listen_on(addr, port,
	    &loopback, &m->port, why, sizeof(why))) < 0) {
		if (port < 0 || port > 65535)
			snprintf(why, sizeof(why), "bad port");
		snprintf(err, errlen, "metrics_listen %s%s%s:%d: %s",
		    v6 ? "[" : "", addr, v6 ? "]" : "", port, why);
		metrics_free(m);
		return NULL;
	}
	if (!loopback)
		log_warning("metrics_listen %s%s%s:%d is not a loopback "
		    "address: /metrics has no authentication, keep it off "
		    "public networks", v6 ? "[" : "", addr, v6 ? "]" : "",
		    port);
	m->ctx = ctx != NULL ? g_main_context_ref(ctx) : NULL;
	accept_watch(m);
	return m;
}

int
metrics_port(const struct metrics *m)
{
	return m != NULL ? m->port : 0;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	while (m->conns->len > 0)
		conn_free(g_ptr_array_index(m->conns, 0));
	source_drop(&m->accept_src);
	source_drop(&m->pause_src);
	if (m->fd >= 0)
		close(m->fd);
	if (m->ctx != NULL)
		g_main_context_unref(m->ctx);
	g_ptr_array_free(m->conns, TRUE);
	g_array_free(m->writers, TRUE);
	g_free(m);
}
