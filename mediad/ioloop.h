/*
 * ioloop: the media legs' sockets and timers without a main loop that
 * works for every leg on every iteration.
 *
 * GLib's main loop polls every descriptor and prepares and checks every
 * source of its context on each iteration, and blocks and unblocks each
 * source it dispatches (walks over the whole descriptor list). With one
 * libnice agent per leg that grows with the number of legs: at 200 rooms
 * (800 legs) klopfd spent most of a core on it and packets waited up to
 * 200 ms in its socket buffers (doc/media.md, bench/media).
 *
 * Here each leg gets a GMainContext of its own, owned by this thread and
 * never iterated by GLib's loop: libnice puts its sockets and timers
 * there. One epoll set (a single source in the main context) watches the
 * legs' descriptors; a leg whose descriptor is ready is checked and
 * dispatched alone. Its timers are looked at by a tick every
 * IOLOOP_TICK_MS; every second each leg's descriptors are taken again, in
 * case something was added outside a dispatch.
 */
#ifndef KLOPF_IOLOOP_H
#define KLOPF_IOLOOP_H

#include <glib.h>
#include <stdint.h>

#define IOLOOP_TICK_MS 20

struct ioloop;
struct ioleg;

/* Attaches the loop's sources to main (NULL = the default context).
 * NULL if epoll is not available. */
struct ioloop *ioloop_new(GMainContext *main);
/* Only once every leg is freed. */
void ioloop_free(struct ioloop *loop);

/* A context for one leg, acquired by this thread. Give it to libnice
 * (nice_agent_new_full, nice_agent_attach_recv), then call
 * ioloop_leg_refresh() so that its descriptors are watched. */
struct ioleg *ioloop_leg_new(struct ioloop *loop);
GMainContext *ioloop_leg_context(const struct ioleg *g);
/* Dispatches what is due and takes the leg's descriptors and next
 * timeout again: after calls that may add sources to its context. */
void ioloop_leg_refresh(struct ioleg *g);
/* Stops watching the leg; the context goes once nothing of the loop
 * uses it any more. Call before the leg's sockets are closed (before
 * the libnice agent goes). Safe from within any leg's dispatch. */
void ioloop_leg_free(struct ioleg *g);

/* Number of legs watched, and dispatches since the start (tests). */
unsigned ioloop_legs(const struct ioloop *loop);
uint64_t ioloop_dispatches(const struct ioloop *loop);

#endif
