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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IOLOOP_TICK_MS 20

struct ioloop;
struct ioleg;

/* Attaches the loop's sources to main (NULL = the default context).
 * NULL if epoll is not available. */
struct ioloop *ioloop_new(GMainContext *main);
/* Once something is ready, the loop's source goes on handling the legs
 * for us microseconds, waiting for them when nothing is ready, before it
 * lets GLib's loop go on (the other sources of main then wait that long
 * at most). 0, the default: it returns as soon as nothing is ready, or
 * after 2 ms. A busy media server saves GLib's poll of every other
 * descriptor on each wakeup; a client that wants few wakeups leaves it
 * at 0. */
void ioloop_set_linger(struct ioloop *loop, int64_t us);
/* Only once every leg is freed. */
void ioloop_free(struct ioloop *loop);
/* Whether the taken sockets go through io_uring (ioring.h): where the
 * kernel has it, unless the environment has KLOPF_IO_URING=0. */
bool ioloop_io_uring(const struct ioloop *loop);

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

/*
 * A leg's descriptor can be taken from its context: epoll then calls fn
 * when it is readable, and the context's own sources for it never run.
 * ice.c takes the selected UDP socket once ICE is connected and reads it
 * in batches (ioloop_recv), sending in batches too (ioloop_send): one
 * system call per batch instead of libnice's two reads and one write per
 * datagram, each through GLib. One descriptor per leg; taking another
 * gives the first back.
 */
typedef void (*ioloop_fd_fn)(void *ud);
void ioloop_leg_take(struct ioleg *g, int fd, ioloop_fd_fn fn, void *ud);
/* The taken descriptor goes back to the leg's context. */
void ioloop_leg_give_back(struct ioleg *g);

#define IOLOOP_BATCH 32         /* datagrams per read, and per write queue */
#define IOLOOP_DGRAM 2048       /* longest datagram a batch holds */

struct ioloop_dgram {
	uint8_t *buf;           /* the loop's; valid until the next read */
	size_t len;
	struct sockaddr_storage from;
	socklen_t fromlen;
	int64_t stamp_us;       /* when the kernel received it (real time),
	                           0 if unknown */
	bool truncated;         /* longer than IOLOOP_DGRAM: cut */
};

/* The arrival time a control message carries (SO_TIMESTAMPNS), in
 * microseconds of real time; 0 if it carries none. */
int64_t ioloop_stamp_us(const struct cmsghdr *c);

/* Reads what is queued on fd, up to IOLOOP_BATCH datagrams, without
 * waiting. Returns how many (0: none), -1 on an error. *out stays valid
 * until the next call. fd should have SO_TIMESTAMPNS on for stamp_us. */
int ioloop_recv(struct ioloop *loop, int fd, struct ioloop_dgram **out);
/* Sends one datagram on fd to `to`. Inside a taken descriptor's fn it is
 * queued and goes out with the others for the same socket when fn
 * returns (or when the queue is full); elsewhere at once. Returns 0, or
 * -1 if it could not be sent or queued. */
int ioloop_send(struct ioloop *loop, int fd, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len);
/* Sends what is queued (before its socket closes, for one). */
void ioloop_flush(struct ioloop *loop);
/* Queues sends outside of a taken descriptor's fn too, until
 * ioloop_batch_end() sends them (a sender's timer, e.g. the load
 * client's). Not to be nested in a fn. */
void ioloop_batch_begin(struct ioloop *loop);
void ioloop_batch_end(struct ioloop *loop);
/* Queued datagrams the kernel refused (full socket buffer). */
uint64_t ioloop_send_errors(const struct ioloop *loop);

/* Number of legs watched, dispatches of their contexts and runs of taken
 * descriptors' fn since the start (tests). */
unsigned ioloop_legs(const struct ioloop *loop);
uint64_t ioloop_dispatches(const struct ioloop *loop);
uint64_t ioloop_batches(const struct ioloop *loop);

#endif
