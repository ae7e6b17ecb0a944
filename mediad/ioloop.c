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
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"

#define LEG_MAXFD 16            /* a UDP socket, ICE-TCP, the wakeup */
#define EVENTS_MAX 64
#define RERUN_MAX 8             /* runs in a row while a leg says "due now" */
#define REFRESH_TICKS (1000 / IOLOOP_TICK_MS)

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
	int64_t due_us;         /* monotonic; 0: no timeout */
	bool dead;              /* freed, waiting for the graveyard */
	bool running;           /* in run(): never twice at once */
	struct ioleg *prev, *next;      /* loop->legs, or the graveyard */
};

struct ioloop {
	GMainContext *main;
	GSource *src;           /* the epoll set's source */
	gpointer tag;
	guint tick;
	unsigned ticks;
	int epfd;
	struct ioleg *legs;
	struct ioleg *grave;    /* freed, their contexts still referenced */
	unsigned nlegs;
	uint64_t dispatches;
	int depth;              /* runs in progress (nested dispatches) */
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

static void
unwatch_all(struct ioleg *g)
{
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

		if (fd == g->wakeup_fd || fd < 0)
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
	g->due_us = timeout < 0 ? 0 :
	    g_get_monotonic_time() + (int64_t)timeout * 1000;
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

				g->fds[i].revents = g->fds[i].fd == fd ?
				    (gushort)r : 0;
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

static gboolean
on_epoll(GSource *src, GSourceFunc cb, gpointer ud)
{
	struct ioloop *loop = ud;
	struct epoll_event ev[EVENTS_MAX];
	int n;

	(void)src;
	(void)cb;
	n = epoll_wait(loop->epfd, ev, EVENTS_MAX, 0);
	loop->depth++;          /* no leg freed below is let go before the end */
	for (int i = 0; i < n; i++) {
		struct iowatch *w = ev[i].data.ptr;

		if (!w->g->dead && w->fd >= 0)
			run(w->g, w->fd, ev[i].events);
	}
	loop->depth--;
	bury(loop);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_funcs = {
	.dispatch = on_epoll,
};

/* Timeouts of the legs, and every second a fresh look at each leg. */
static gboolean
on_tick(gpointer ud)
{
	struct ioloop *loop = ud;
	int64_t now = g_get_monotonic_time();
	bool all = ++loop->ticks % REFRESH_TICKS == 0;
	struct ioleg *g, *next;

	loop->depth++;
	for (g = loop->legs; g != NULL; g = next) {
		next = g->next;
		if (all || (g->due_us != 0 && g->due_us <= now))
			run(g, -1, 0);
		/* a run may free the next leg: it moved to the graveyard */
		if (next != NULL && next->dead)
			next = NULL;
	}
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
	loop->src = g_source_new(&epoll_funcs, sizeof(GSource));
	g_source_set_callback(loop->src, NULL, loop, NULL);
	g_source_set_can_recurse(loop->src, TRUE);
	loop->tag = g_source_add_unix_fd(loop->src, loop->epfd, G_IO_IN);
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
	bury(loop);
	t = g_main_context_find_source_by_id(loop->main, loop->tick);
	if (t != NULL)
		g_source_destroy(t);
	g_source_destroy(loop->src);
	g_source_unref(loop->src);
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
	unwatch_all(g);
	g->dead = true;
	unlink_leg(&loop->legs, g);
	push_leg(&loop->grave, g);
	loop->nlegs--;
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
