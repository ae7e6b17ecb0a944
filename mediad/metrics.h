/*
 * metrics: the Prometheus text endpoint GET /metrics on its own listener
 * (media.metrics_listen, loopback by default), and the helpers every
 * module uses to write its numbers in the exposition format 0.0.4.
 *
 * Owns: the listening socket, the scrape connections (at most
 * METRICS_MAX_CONNS, each with a METRICS_REQUEST_MAX buffer and a
 * METRICS_TIMEOUT_MS deadline) and the list of writers. Modules register
 * a writer (metrics_add_writer); a scrape calls klopfd's own process
 * writer and then every writer in the order added, on the main loop.
 *
 * Must never block the main loop (non-blocking sockets driven by GLib
 * sources), never log per request above debug level, and never serve
 * anything but /metrics. It has no authentication: whoever can reach the
 * listener can read the numbers, so it stays on loopback or a private
 * monitoring network.
 *
 * The histogram is for hot paths: metrics_histogram_observe allocates
 * nothing and costs a few comparisons. Nothing here is thread-safe;
 * observe and scrape on the same thread (the main loop).
 */
#ifndef KLOPF_METRICS_H
#define KLOPF_METRICS_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_REQUEST_MAX 8192  /* request line + headers, else 431 */
#define METRICS_TIMEOUT_MS 5000   /* a scrape connection's whole life */
#define METRICS_MAX_CONNS 16      /* open scrape connections; more are closed */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics;

/* Appends this module's metric families to out (HELP and TYPE lines
 * first, then the samples of each family). Called on the main loop for
 * every scrape; must not add or remove writers. */
typedef void (*metrics_writer)(void *ud, GString *out);

/* Listens on addr:port (a numeric IPv4 or IPv6 address without brackets;
 * port 0 = any free port) with sources on ctx (NULL = the default main
 * context). addr NULL: no listener at all, only metrics_render (tests).
 * Returns NULL with "metrics_listen ADDR:PORT: why" in err if the socket
 * cannot be made or bound. Warns once (log) if addr is not loopback. */
struct metrics *metrics_new(GMainContext *ctx, const char *addr, int port,
    char *err, size_t errlen);
/* Closes the listener and every scrape connection at once. NULL: no-op. */
void metrics_free(struct metrics *m);
/* The port the listener got (useful with port 0); 0 without one. */
int metrics_port(const struct metrics *m);

/* Registers fn(ud, out) for every scrape. m NULL (metrics off): no-op,
 * so modules may be handed a NULL struct metrics. The same (fn, ud) pair
 * twice is added once. */
void metrics_add_writer(struct metrics *m, metrics_writer fn, void *ud);
/* Unregisters (fn, ud); call it before ud is freed. Unknown pair or m
 * NULL: no-op. */
void metrics_remove_writer(struct metrics *m, metrics_writer fn, void *ud);
/* Appends the whole exposition (process metrics, then every writer) to
 * out: the body of GET /metrics. */
void metrics_render(struct metrics *m, GString *out);

/* --- exposition format helpers --------------------------------------- */

/* "# HELP name help" and "# TYPE name type". type is "counter", "gauge"
 * or "histogram"; help is escaped (backslash, newline). name must match
 * [a-zA-Z_:][a-zA-Z0-9_:]* (asserted: names are program constants).
 * Write it once per family, before the family's samples. */
void metrics_help_type(GString *out, const char *name, const char *type,
    const char *help);

/* Appends name="value" to a label set, with a comma if labels is not
 * empty, escaping value (backslash, double quote, newline). For label
 * values that come from outside (office ids, versions). */
void metrics_label(GString *labels, const char *name, const char *value);

/* One sample line "name{labels} value". labels: NULL or "" for none,
 * else a label set without braces, e.g. "room=\"7\",pid=\"p1\"" (build
 * it with metrics_label when values need escaping). A double is written
 * so it reads back exactly; NaN and infinities as NaN, +Inf, -Inf. */
void metrics_value(GString *out, const char *name, const char *labels,
    double v);
void metrics_value_u64(GString *out, const char *name, const char *labels,
    uint64_t v);

/* --- histogram --------------------------------------------------------- */

#define METRICS_HIST_MAX 16       /* upper bounds, +Inf not counted */

/* A histogram with fixed bucket upper bounds in microseconds, exported in
 * seconds. Embed it in a struct, metrics_histogram_init it once, observe
 * on the hot path, metrics_histogram_write it from a writer. */
struct metrics_histogram {
	uint64_t bounds_us[METRICS_HIST_MAX];  /* ascending upper bounds */
	int nbounds;
	uint64_t counts[METRICS_HIST_MAX + 1]; /* per bucket, not cumulative;
	                                          [nbounds] = above the last */
	uint64_t sum_us;
};

/* Bounds suited to klopfd's forwarding delay (receive → send), 10 µs to
 * 100 ms: pass METRICS_DELAY_BOUNDS_US, METRICS_DELAY_NBOUNDS. */
extern const uint64_t METRICS_DELAY_BOUNDS_US[];
#define METRICS_DELAY_NBOUNDS 13
/* The same up to 2.5 s, for delays that include a socket's queue. */
extern const uint64_t METRICS_QUEUE_BOUNDS_US[];
#define METRICS_QUEUE_NBOUNDS 16

/* bounds_us: n (1..METRICS_HIST_MAX) strictly ascending values, copied.
 * Zeroes the counts. */
void metrics_histogram_init(struct metrics_histogram *h,
    const uint64_t *bounds_us, int n);

/* Counts one observation of us microseconds: it lands in the first
 * bucket whose bound is >= us (Prometheus' "le"), or above the last. No
 * allocation, no branch on the value: nbounds comparisons summed (about
 * 5 ns with the 13 delay bounds; an early-exit scan mispredicts when
 * delays vary and costs more). */
static inline void
metrics_histogram_observe(struct metrics_histogram *h, uint64_t us)
{
	int i, b = 0;

	for (i = 0; i < h->nbounds; i++)
		b += us > h->bounds_us[i];
	h->counts[b]++;
	h->sum_us += us;
}

/* Observations so far (the sum of all buckets). */
uint64_t metrics_histogram_count(const struct metrics_histogram *h);

/* Appends name_bucket{labels,le="…"} (cumulative, le in seconds, the last
 * le="+Inf"), name_sum (seconds) and name_count. labels as for
 * metrics_value. Write metrics_help_type(out, name, "histogram", …)
 * once before the first label set. */
void metrics_histogram_write(GString *out, const char *name,
    const char *labels, const struct metrics_histogram *h);

#endif
