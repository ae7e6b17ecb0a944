/*
 * ioloop: see ioloop.h. A leg's context goes through GLib's own steps,
 * only not inside GLib's loop: prepare and query give its descriptors and
 * next timeout, which go into the epoll set and onto the leg; when epoll
 * says a descriptor is ready (or the timeout passed), check with that
 * readiness, dispatch, and prepare and query again. Between two runs a
 * leg's context rests between query and check.
 */
#include "ioloop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ioring.h"
#include "log.h"

#define LEG_MAXFD 16            /* a UDP socket, ICE-TCP, the wakeup */
#define EVENTS_MAX 64
#define RERUN_MAX 8             /* runs in a row while a leg says "due now" */
#define REFRESH_US 1000000     /* a leg not run for this long is queried */
#define TICK_RUNS 32            /* legs run per tick at most */
#define EPOLL_BUDGET_US 2000    /* media handled before GLib's loop goes on */
/* datagrams taken in and not handed out yet, of all taken sockets: 10 ms
 * of 200 rooms' media (56,000 a second) and more, 4.7 MB */
#define RING_BUFFERS 2048
#define RING_DRAIN_MAX 16       /* rounds of taking in before GLib's poll */

/* One descriptor of a leg in the epoll set: the event's data points here. */
struct iowatch {
	struct ioleg *g;
	int fd;                 /* -1: slot free */
	uint32_t ev;
};

struct ioleg {
	struct ioloop *loop;
	GMainContext *ctx;
	int wakeup_fd;          /* the context's own: never watched */
	GPollFD fds[LEG_MAXFD]; /* from the last query */
	int nfds;
	gint prio;
	bool queried;           /* resting between query and check */
	struct iowatch w[LEG_MAXFD];    /* in the epoll set; slots stay put */
	struct iowatch taken;   /* fd -1: none taken */
	int rid;                /* the taken one's receive in the ring, or -1 */
	ioloop_fd_fn take_fn;
	void *take_ud;
	int64_t due_us;         /* monotonic; 0: no timeout */
	int64_t refresh_us;     /* queried again at the latest then */
	bool dead;              /* freed, waiting for the graveyard */
	bool running;           /* in run(): never twice at once */
	struct ioleg *prev, *next;      /* loop->legs, or the graveyard */
};

struct ioloop {
	GMainContext *main;
	GSource *src;           /* the epoll set's source */
	gpointer tag;
	guint tick;
	struct ioleg *cursor;   /* where the next tick starts */
	int epfd;
	struct ioring *ring;    /* NULL: taken sockets through epoll */
	bool in_ring;           /* on_ring() under way */
	/* the datagrams of the taken socket cur_fd, for ioloop_recv() */
	int cur_fd;
	int cur_n;
	struct ioloop_dgram *cur_d;
	struct ioleg *legs;
	struct ioleg *grave;    /* freed, their contexts still referenced */
	unsigned nlegs;
	uint64_t dispatches;
	uint64_t batches;       /* taken descriptors' fn runs */
	int depth;              /* runs in progress (nested dispatches) */
	int64_t linger_us;      /* ioloop_set_linger() */
	bool batching;          /* in a taken descriptor's fn: queue sends */
	uint64_t send_errors;
	/* a batch read */
	struct mmsghdr rmsg[IOLOOP_BATCH];
	struct iovec riov[IOLOOP_BATCH];
	struct ioloop_dgram rd[IOLOOP_BATCH];
	_Alignas(struct cmsghdr) uint8_t rctl[IOLOOP_BATCH]
	    [CMSG_SPACE(sizeof(struct timespec))];
	/* the write queue */
	int nq;
	int qfd[IOLOOP_BATCH];
	struct mmsghdr qmsg[IOLOOP_BATCH];
	struct iovec qiov[IOLOOP_BATCH];
	struct sockaddr_storage qto[IOLOOP_BATCH];
	_Alignas(8) uint8_t rbuf[IOLOOP_BATCH][IOLOOP_DGRAM];
	_Alignas(8) uint8_t qbuf[IOLOOP_BATCH][IOLOOP_DGRAM];
};

static void
unlink_leg(struct ioleg **head, struct ioleg *g)
{
	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		*head = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	g->prev = g->next = NULL;
}

static void
push_leg(struct ioleg **head, struct ioleg *g)
{
	g->prev = NULL;
	g->next = *head;
	if (*head != NULL)
		(*head)->prev = g;
	*head = g;
}

/* The graveyard: contexts of freed legs, let go when no run is under
 * way (the agent that used one is gone by then). */
static void
bury(struct ioloop *loop)
{
	struct ioleg *g;

	if (loop->depth > 0)
		return;
	while ((g = loop->grave) != NULL) {
		unlink_leg(&loop->grave, g);
		g_main_context_release(g->ctx);
		g_main_context_unref(g->ctx);
		g_free(g);
	}
}

/* The taken descriptor is no longer read (by the ring or epoll). */
static void
stop_taken(struct ioleg *g)
{
	if (g->rid >= 0) {
		ioring_recv_stop(g->loop->ring, g->rid);
		g->rid = -1;
	} else {
		(void)epoll_ctl(g->loop->epfd, EPOLL_CTL_DEL, g->taken.fd,
		    NULL);
	}
}

static void
unwatch_all(struct ioleg *g)
{
	if (g->taken.fd >= 0) {
		stop_taken(g);
		g->taken.fd = -1;
	}
	for (int i = 0; i < LEG_MAXFD; i++)
		if (g->w[i].fd >= 0) {
			(void)epoll_ctl(g->loop->epfd, EPOLL_CTL_DEL,
			    g->w[i].fd, NULL);
			g->w[i].fd = -1;
		}
}

/* Brings the epoll set in line with the last query. GPollFD's event bits
 * are poll(2)'s, which epoll shares for IN, PRI, OUT, ERR and HUP. */
static void
watch(struct ioleg *g)
{
	int epfd = g->loop->epfd;
	uint32_t want[LEG_MAXFD] = {0};

	/* what each watched descriptor should wait for now (0: drop it) */
	for (int i = 0; i < g->nfds; i++) {
		int fd = g->fds[i].fd;
		uint32_t ev = (uint32_t)g->fds[i].events &
		    (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP);
		int slot = -1, free_slot = -1;

		if (fd == g->wakeup_fd || fd < 0 || fd == g->taken.fd)
			continue;
		for (int j = 0; j < LEG_MAXFD; j++) {
			if (g->w[j].fd == fd)
				slot = j;
			else if (g->w[j].fd < 0 && free_slot < 0 &&
			    want[j] == 0)
				free_slot = j;
		}
		if (slot < 0) {
			if (free_slot < 0)
				continue;
			slot = free_slot;
			g->w[slot].fd = fd;
			g->w[slot].ev = 0;      /* not in the set yet */
		}
		want[slot] |= ev | EPOLLERR;
	}
	for (int j = 0; j < LEG_MAXFD; j++) {
		struct iowatch *w = &g->w[j];
		struct epoll_event e = { .events = want[j], .data.ptr = w };

		if (w->fd < 0 || w->ev == want[j])
			continue;
		if (want[j] == 0) {
			(void)epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
			w->fd = -1;
		} else if (epoll_ctl(epfd, w->ev == 0 ? EPOLL_CTL_ADD :
		    EPOLL_CTL_MOD, w->fd, &e) != 0 && errno == EEXIST) {
			/* a descriptor number reused after a close */
			(void)epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &e);
		}
		w->ev = want[j];
	}
}

static void
query(struct ioleg *g)
{
	gint timeout = -1;
	int n;

	(void)g_main_context_prepare(g->ctx, &g->prio);
	n = g_main_context_query(g->ctx, g->prio, &timeout, g->fds,
	    LEG_MAXFD);
	if (n > LEG_MAXFD) {
		log_warning("media: a connection has %d descriptors, only %d "
		    "are watched", n, LEG_MAXFD);
		n = LEG_MAXFD;
	}
	g->nfds = n;
	g->queried = true;
	g->refresh_us = g_get_monotonic_time();
	g->due_us = timeout < 0 ? 0 : g->refresh_us + (int64_t)timeout * 1000;
	g->refresh_us += REFRESH_US;
	watch(g);
}

/* One run of the leg: check with the readiness epoll gave for fd (or
 * none), dispatch, query again; again at once while a source is due now
 * (an idle source, a timeout of 0). */
static void
run(struct ioleg *g, int fd, uint32_t events)
{
	struct ioloop *loop = g->loop;

	if (g->running)
		return;         /* from within its own dispatch: later */
	g->running = true;
	loop->depth++;
	for (int round = 0; round < RERUN_MAX && !g->dead; round++) {
		if (g->queried) {
			for (int i = 0; i < g->nfds; i++) {
				uint32_t r = events & ((uint32_t)
				    g->fds[i].events | EPOLLERR | EPOLLHUP);

				g->fds[i].revents = g->fds[i].fd == fd &&
				    fd != g->taken.fd ? (gushort)r : 0;
			}
			g->queried = false;
			if (g_main_context_check(g->ctx, g->prio, g->fds,
			    g->nfds)) {
				loop->dispatches++;
				g_main_context_dispatch(g->ctx);
			}
		}
		if (g->dead)
			break;
		query(g);
		if (g->due_us == 0 || g->due_us > g_get_monotonic_time())
			break;
		fd = -1;
	}
	g->running = false;
	loop->depth--;
}

static void
handle_events(struct ioloop *loop, const struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++) {
		struct iowatch *w = ev[i].data.ptr;

		if (w->g->dead || w->fd < 0)
			continue;
		if (w != &w->g->taken) {
			run(w->g, w->fd, ev[i].events);
			continue;
		}
		/* not nested in another's fn: they share the batch
		 * buffers (level-triggered, it is seen again) */
		if (loop->batching)
			continue;
		loop->batching = true;
		loop->batches++;
		w->g->take_fn(w->g->take_ud);
		loop->batching = false;
		ioloop_flush(loop);
	}
}

/* The ring's datagrams of one taken socket: its fn reads them with
 * ioloop_recv(); what it sends is queued in the ring. */
static void
ring_dgrams(void *ud, void *owner, int fd, struct ioloop_dgram *d, int n)
{
	struct ioloop *loop = ud;
	struct ioleg *g = owner;

	if (g->dead || g->taken.fd != fd || g->take_fn == NULL)
		return;
	loop->cur_fd = fd;
	loop->cur_d = d;
	loop->cur_n = n;
	loop->batching = true;
	loop->batches++;
	g->take_fn(g->take_ud);
	loop->batching = false;
	loop->cur_n = 0;
	loop->cur_fd = -1;
}

/* Whatever the epoll set has ready (the legs' own descriptors). */
static void
ring_poll(void *ud)
{
	struct ioloop *loop = ud;
	struct epoll_event ev[EVENTS_MAX];
	struct timespec zero = { 0, 0 };
	int n;

	do {
		n = epoll_pwait2(loop->epfd, ev, EVENTS_MAX, &zero, NULL);
		handle_events(loop, ev, n);
	} while (n == EVENTS_MAX);
}

static const struct ioring_ops ring_ops = {
	.on_dgrams = ring_dgrams,
	.on_poll = ring_poll,
};

/* on_epoll with the ring: completions (datagrams, and the epoll set's
 * readiness) until nothing is left, or for linger_us, waiting for them
 * in the same system call that submits the sends. */
static void
on_ring(struct ioloop *loop)
{
	int64_t now = g_get_monotonic_time();
	int64_t until = now + (loop->linger_us > 0 ? loop->linger_us :
	    EPOLL_BUDGET_US);
	unsigned n;

	/* from within a fn the outer pass goes on; in a sender's own batch
	 * (ioloop_batch_begin) nothing may go out yet */
	if (loop->in_ring || loop->batching)
		return;
	loop->in_ring = true;
	ioring_ack(loop->ring);
	ring_poll(loop);        /* GLib may have woken us for the set */
	ioring_wait(loop->ring, 0);     /* takes in what the eventfd said */
	for (;;) {
		n = ioring_reap(loop->ring, &ring_ops, loop);
		now = g_get_monotonic_time();
		if (now >= until || (n == 0 && loop->linger_us == 0))
			break;
		ioring_wait(loop->ring, loop->linger_us > 0 ? until - now : 0);
	}
	/* Before GLib sleeps on the eventfd, everything the kernel holds is
	 * taken in: it signals the eventfd only when its list of work goes
	 * from empty to not empty, and a wait that returned with the first
	 * completion may have left work in the list. GLib would then sleep
	 * until something else woke it (the 20 ms tick). A wait after which
	 * nothing came has taken in everything already. */
	for (int i = 0; n > 0 && i < RING_DRAIN_MAX; i++) {
		ioring_wait(loop->ring, 0);
		n = ioring_reap(loop->ring, &ring_ops, loop);
	}
	ioring_submit(loop->ring);
	loop->in_ring = false;
}

static gboolean
on_epoll(GSource *src, GSourceFunc cb, gpointer ud)
{
	struct ioloop *loop = ud;
	struct epoll_event ev[EVENTS_MAX];
	int64_t now = g_get_monotonic_time();
	int64_t until = now + (loop->linger_us > 0 ? loop->linger_us :
	    EPOLL_BUDGET_US);
	struct timespec wait = { 0, 0 };
	int n;

	(void)src;
	(void)cb;
	loop->depth++;          /* no leg freed below is let go before the end */
	if (loop->ring != NULL) {
		on_ring(loop);
		loop->depth--;
		bury(loop);
		return G_SOURCE_CONTINUE;
	}
	/* Again while something is ready, up to EPOLL_BUDGET_US, or waiting
	 * for it for linger_us: each return to GLib's loop polls every other
	 * descriptor of the main context (the lobby's WebSockets), which a
	 * busy media loop need not do for every few datagrams. */
	do {
		n = epoll_pwait2(loop->epfd, ev, EVENTS_MAX, &wait, NULL);
		handle_events(loop, ev, n);
		now = g_get_monotonic_time();
		if (loop->linger_us > 0 && now < until) {
			wait.tv_sec = (until - now) / G_USEC_PER_SEC;
			wait.tv_nsec = (until - now) % G_USEC_PER_SEC * 1000;
		}
	} while ((n > 0 || (n == 0 && loop->linger_us > 0)) &&
	    !loop->batching && now < until);
	loop->depth--;
	bury(loop);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_funcs = {
	.dispatch = on_epoll,
};

/* Timeouts of the legs, and a fresh look at each leg not run for a
 * second. At most TICK_RUNS legs per tick, so that the tick never holds
 * up the media for long (800 legs run at once took 6 ms, and libnice's
 * timers of legs made together fall due together); the next tick goes on
 * where this one stopped. */
static gboolean
on_tick(gpointer ud)
{
	struct ioloop *loop = ud;
	int64_t now = g_get_monotonic_time();
	struct ioleg *g = loop->cursor != NULL ? loop->cursor : loop->legs;
	unsigned seen = 0, runs = 0, n = loop->nlegs;

	loop->depth++;
	while (g != NULL && seen < n && runs < TICK_RUNS) {
		struct ioleg *next = g->next != NULL ? g->next : loop->legs;

		seen++;
		if ((g->due_us != 0 && g->due_us <= now) ||
		    g->refresh_us <= now) {
			runs++;
			/* a run may free the next leg: it is no longer the
			 * cursor then (ioloop_leg_free) */
			loop->cursor = next;
			run(g, -1, 0);
			next = loop->cursor;
		}
		g = next;
	}
	loop->cursor = g;
	loop->depth--;
	bury(loop);
	return G_SOURCE_CONTINUE;
}

struct ioloop *
ioloop_new(GMainContext *main)
{
	struct ioloop *loop = g_new0(struct ioloop, 1);

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		g_free(loop);
		return NULL;
	}
	loop->main = main;
	loop->cur_fd = -1;
	loop->src = g_source_new(&epoll_funcs, sizeof(GSource));
	g_source_set_callback(loop->src, NULL, loop, NULL);
	g_source_set_can_recurse(loop->src, TRUE);
	loop->tag = g_source_add_unix_fd(loop->src, loop->epfd, G_IO_IN);
	if (g_strcmp0(getenv("KLOPF_IO_URING"), "0") != 0 &&
	    (loop->ring = ioring_new(RING_BUFFERS)) != NULL) {
		if (ioring_poll(loop->ring, loop->epfd) == 0) {
			(void)g_source_add_unix_fd(loop->src,
			    ioring_fd(loop->ring), G_IO_IN);
		} else {
			ioring_free(loop->ring);
			loop->ring = NULL;
		}
	}
	g_source_attach(loop->src, main);
	loop->tick = g_timeout_add_full(G_PRIORITY_DEFAULT, IOLOOP_TICK_MS,
	    on_tick, loop, NULL);
	if (main != NULL && main != g_main_context_default()) {
		/* g_timeout_add is for the default context only */
		GSource *t = g_main_context_find_source_by_id(NULL, loop->tick);

		g_source_destroy(t);
		t = g_timeout_source_new(IOLOOP_TICK_MS);
		g_source_set_callback(t, on_tick, loop, NULL);
		loop->tick = g_source_attach(t, main);
		g_source_unref(t);
	}
	return loop;
}

void
ioloop_set_linger(struct ioloop *loop, int64_t us)
{
	loop->linger_us = us > 0 ? us : 0;
}

void
ioloop_free(struct ioloop *loop)
{
	GSource *t;

	if (loop == NULL)
		return;
	if (loop->legs != NULL) {
		/* their ice still points at them: better a leak than that */
		log_error("media: %u connections still open at the end",
		    loop->nlegs);
		return;
	}
	ioloop_flush(loop);
	bury(loop);
	t = g_main_context_find_source_by_id(loop->main, loop->tick);
	if (t != NULL)
		g_source_destroy(t);
	g_source_destroy(loop->src);
	g_source_unref(loop->src);
	ioring_free(loop->ring);
	close(loop->epfd);
	g_free(loop);
}

struct ioleg *
ioloop_leg_new(struct ioloop *loop)
{
	struct ioleg *g = g_new0(struct ioleg, 1);
	GPollFD fds[4];
	gint prio, timeout;
	int n;

	g->loop = loop;
	g->taken.g = g;
	g->taken.fd = -1;
	g->rid = -1;
	for (int i = 0; i < LEG_MAXFD; i++) {
		g->w[i].g = g;
		g->w[i].fd = -1;
	}
	g->ctx = g_main_context_new();
	(void)g_main_context_acquire(g->ctx);
	/* a new context has one descriptor: its wakeup */
	(void)g_main_context_prepare(g->ctx, &prio);
	n = g_main_context_query(g->ctx, prio, &timeout, fds, 4);
	g->wakeup_fd = n >= 1 ? fds[0].fd : -1;
	(void)g_main_context_check(g->ctx, prio, fds, 0);
	push_leg(&loop->legs, g);
	loop->nlegs++;
	return g;
}

GMainContext *
ioloop_leg_context(const struct ioleg *g)
{
	return g->ctx;
}

void
ioloop_leg_refresh(struct ioleg *g)
{
	if (g->dead)
		return;
	run(g, -1, 0);
	bury(g->loop);
}

void
ioloop_leg_free(struct ioleg *g)
{
	struct ioloop *loop;

	if (g == NULL || g->dead)
		return;
	loop = g->loop;
	/* its socket closes next: what is queued for it goes now (the
	 * ring's queue too, or its number might be another socket's by
	 * the time it goes) */
	ioloop_flush(loop);
	unwatch_all(g);
	g->dead = true;
	if (loop->cursor == g)
		loop->cursor = g->next;
	unlink_leg(&loop->legs, g);
	push_leg(&loop->grave, g);
	loop->nlegs--;
}

void
ioloop_leg_take(struct ioleg *g, int fd, ioloop_fd_fn fn, void *ud)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &g->taken };
	int epfd = g->loop->epfd;
	bool in_set = false;

	if (g->dead || fd < 0)
		return;
	if (g->taken.fd == fd) {
		g->take_fn = fn;
		g->take_ud = ud;
		return;
	}
	ioloop_leg_give_back(g);
	/* the context may watch it already: its slot is let go, the
	 * descriptor stays in the set with the new event data */
	for (int j = 0; j < LEG_MAXFD; j++)
		if (g->w[j].fd == fd) {
			in_set = g->w[j].ev != 0;
			g->w[j].fd = -1;
			g->w[j].ev = 0;
		}
	g->taken.fd = fd;
	g->take_fn = fn;
	g->take_ud = ud;
	if (g->loop->ring != NULL) {
		if (in_set)
			(void)epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		g->rid = ioring_recv_start(g->loop->ring, fd, g);
		if (g->rid >= 0)
			return;
		in_set = false;         /* the ring refused it: epoll */
	}
	if (epoll_ctl(epfd, in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
	    &e) != 0 && errno == EEXIST)
		(void)epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &e);
}

void
ioloop_leg_give_back(struct ioleg *g)
{
	if (g->taken.fd < 0)
		return;
	ioloop_flush(g->loop);
	stop_taken(g);
	g->taken.fd = -1;
	g->take_fn = NULL;
	g->take_ud = NULL;
	if (!g->dead)
		ioloop_leg_refresh(g);  /* the context watches it again */
}

int64_t
ioloop_stamp_us(const struct cmsghdr *c)
{
	struct timespec ts;

	if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
	    c->cmsg_len < CMSG_LEN(sizeof(ts)))
		return 0;
	memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
ioloop_recv(struct ioloop *loop, int fd, struct ioloop_dgram **out)
{
	int n;

	if (fd == loop->cur_fd) {
		/* handed out by the ring */
		n = loop->cur_n;
		loop->cur_n = 0;
		*out = loop->cur_d;
		return n;
	}
	for (int i = 0; i < IOLOOP_BATCH; i++) {
		struct msghdr *h = &loop->rmsg[i].msg_hdr;

		loop->riov[i].iov_base = loop->rbuf[i];
		loop->riov[i].iov_len = IOLOOP_DGRAM;
		h->msg_name = &loop->rd[i].from;
		h->msg_namelen = sizeof(loop->rd[i].from);
		h->msg_iov = &loop->riov[i];
		h->msg_iovlen = 1;
		h->msg_control = loop->rctl[i];
		h->msg_controllen = sizeof(loop->rctl[i]);
		h->msg_flags = 0;
	}
	do
		n = recvmmsg(fd, loop->rmsg, IOLOOP_BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &loop->rmsg[i].msg_hdr;
		struct ioloop_dgram *d = &loop->rd[i];

		d->buf = loop->rbuf[i];
		d->len = loop->rmsg[i].msg_len;
		d->fromlen = h->msg_namelen;
		d->truncated = (h->msg_flags & MSG_TRUNC) != 0;
		d->stamp_us = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL;
		    c = CMSG_NXTHDR(h, c))
			if (ioloop_stamp_us(c) != 0)
				d->stamp_us = ioloop_stamp_us(c);
	}
	*out = loop->rd;
	return n;
}

int
ioloop_send(struct ioloop *loop, int fd, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len)
{
	int i;

	if (loop->ring != NULL && loop->batching &&
	    ioring_send(loop->ring, fd, to, tolen, buf, len) == 0)
		return 0;
	if (!loop->batching || len > IOLOOP_DGRAM ||
	    tolen > sizeof(loop->qto[0])) {
		ssize_t r;

		/* after what is queued, in order */
		if (loop->ring != NULL)
			ioring_submit(loop->ring);

		do
			r = sendto(fd, buf, len, MSG_DONTWAIT, to, tolen);
		while (r < 0 && errno == EINTR);
		return r == (ssize_t)len ? 0 : -1;
	}
	if (loop->nq == IOLOOP_BATCH)
		ioloop_flush(loop);
	i = loop->nq++;
	memcpy(loop->qbuf[i], buf, len);
	memcpy(&loop->qto[i], to, tolen);
	loop->qfd[i] = fd;
	loop->qiov[i].iov_base = loop->qbuf[i];
	loop->qiov[i].iov_len = len;
	loop->qmsg[i].msg_hdr = (struct msghdr){
		.msg_name = &loop->qto[i],
		.msg_namelen = tolen,
		.msg_iov = &loop->qiov[i],
		.msg_iovlen = 1,
	};
	return 0;
}

/* One sendmmsg per run of datagrams for the same socket. A datagram the
 * kernel refuses is dropped (and counted), as a full socket would drop
 * it anyway; the rest still go. */
void
ioloop_flush(struct ioloop *loop)
{
	int i = 0, n = loop->nq;

	if (loop->ring != NULL)
		ioring_submit(loop->ring);
	loop->nq = 0;
	while (i < n) {
		int j = i, r;

		while (j < n && loop->qfd[j] == loop->qfd[i])
			j++;
		do
			r = sendmmsg(loop->qfd[i], &loop->qmsg[i],
			    (unsigned)(j - i), MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			loop->send_errors++;
			i++;
		} else {
			i += r;
		}
	}
}

void
ioloop_batch_begin(struct ioloop *loop)
{
	loop->batching = true;
}

void
ioloop_batch_end(struct ioloop *loop)
{
	loop->batching = false;
	ioloop_flush(loop);
}

bool
ioloop_io_uring(const struct ioloop *loop)
{
	return loop->ring != NULL;
}

uint64_t
ioloop_send_errors(const struct ioloop *loop)
{
	return loop->send_errors +
	    (loop->ring != NULL ? ioring_send_errors(loop->ring) : 0);
}

unsigned
ioloop_legs(const struct ioloop *loop)
{
	return loop->nlegs;
}

uint64_t
ioloop_dispatches(const struct ioloop *loop)
{
	return loop->dispatches;
}

uint64_t
ioloop_batches(const struct ioloop *loop)
{
	return loop->batches;
}
