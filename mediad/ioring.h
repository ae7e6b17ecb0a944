/*
 * ioring: the taken UDP sockets of the ioloop (ioloop.h) read and written
 * through one io_uring.
 *
 * With epoll each datagram costs klopfd a system call or two: a read of
 * the socket epoll named and a write to the socket of the leg it goes
 * to, one socket per leg. Here every taken socket has a multishot
 * receive armed in the ring (the kernel puts each datagram into a buffer
 * of a shared pool and posts a completion), and the writes of a whole
 * pass over the completions are submitted at once, together with the
 * wait for the next ones: one system call for many datagrams of many
 * sockets. Measured on this VM, 400 sockets, one datagram each: a read
 * and a write cost 5.5 us with recvmmsg/sendmmsg and 2.2 us here
 * (doc/media.md, "io_uring").
 *
 * Only ioloop.c uses this. ioring_new() returns NULL where io_uring is
 * not there or not allowed (an old kernel, a container's seccomp rules,
 * kernel.io_uring_disabled), and the ioloop stays with epoll.
 */
#ifndef KLOPF_IORING_H
#define KLOPF_IORING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ioloop.h"

struct ioring;

/* nbuf receive buffers, shared by all sockets (a power of two): a
 * socket whose datagrams find none free keeps them until the buffers
 * are back. NULL if io_uring (with the features used here) cannot be
 * used here. */
struct ioring *ioring_new(unsigned nbuf);
void ioring_free(struct ioring *r);
/* Readable while completions wait (for GLib's poll); ioring_ack() when
 * woken by it. */
int ioring_fd(const struct ioring *r);
void ioring_ack(struct ioring *r);

/* One more descriptor to watch for readability (the ioloop's epoll set):
 * its readiness comes as a call of on_poll in ioring_reap(). */
int ioring_poll(struct ioring *r, int fd);

/* Receives fd's datagrams from now on (fd needs SO_TIMESTAMPNS for the
 * arrival time). Returns an id for ioring_recv_stop(), -1 on failure. */
int ioring_recv_start(struct ioring *r, int fd, void *owner);
/* Stops it at once (before fd is closed or read by someone else);
 * datagrams already taken in and not yet handed out are dropped. */
void ioring_recv_stop(struct ioring *r, int id);

/* Queues one datagram; it goes out with the next submission. 0, or -1
 * if it cannot be queued (too long). */
int ioring_send(struct ioring *r, int fd, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len);
/* Datagrams queued and not submitted yet. */
unsigned ioring_queued(const struct ioring *r);
/* Submits what is queued without waiting. */
void ioring_submit(struct ioring *r);
/* Submits what is queued and waits up to timeout_us (0: not at all) for
 * a completion. */
void ioring_wait(struct ioring *r, int64_t timeout_us);

struct ioring_ops {
	/* n datagrams of the same socket, in order; d is valid until the
	 * call returns. It may send, stop any receive, free owners. */
	void (*on_dgrams)(void *ud, void *owner, int fd,
	    struct ioloop_dgram *d, int n);
	void (*on_poll)(void *ud);
};
/* Handles every completion there is. Returns how many there were. */
unsigned ioring_reap(struct ioring *r, const struct ioring_ops *ops,
    void *ud);
/* Sends the kernel refused (a full socket buffer, an unreachable
 * address): they are dropped, as with sendmmsg. */
uint64_t ioring_send_errors(const struct ioring *r);

#endif
