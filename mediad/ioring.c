/*
 * ioring: see ioring.h.
 *
 * Receives: every watched socket has one multishot IORING_OP_RECVMSG
 * armed, taking its buffers from one ring of provided buffers (nbuf of
 * BUF_SIZE bytes; each holds the kernel's io_uring_recvmsg_out, the
 * sender's address, the arrival time and the datagram). A buffer goes
 * back to the ring as soon as its datagram was handed out. Out of
 * buffers, the kernel ends the receive (ENOBUFS) and the datagrams wait
 * in the socket; it is armed again after the pass that gave the buffers
 * back.
 *
 * Sends: IORING_OP_SENDMSG with MSG_DONTWAIT, from a queue of SENDQ
 * copies. MSG_DONTWAIT makes the kernel try each send at once during the
 * submission and fail it rather than wait for room (as sendmmsg with
 * MSG_DONTWAIT did), so every slot is free again when io_uring_enter
 * returns. Successful sends post no completion (IOSQE_CQE_SKIP_SUCCESS).
 *
 * The user data of a submission says what it was: the kind in the top
 * byte, and for receives the slot and its generation, so that a
 * completion of a receive stopped and replaced meanwhile is recognised.
 */
#include "ioring.h"

#include <errno.h>
#include <glib.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define SQ_ENTRIES 1024
#define CQ_ENTRIES 8192
#define BUF_GROUP 0
#define CTL_SPACE CMSG_SPACE(sizeof(struct timespec))
#define BUF_SIZE (sizeof(struct io_uring_recvmsg_out) + \
    sizeof(struct sockaddr_storage) + CTL_SPACE + IOLOOP_DGRAM)
#define SENDQ 256               /* datagrams queued per submission */

enum kind { K_RECV = 1, K_SEND, K_POLL, K_CANCEL };

#define UD(kind, id, gen) ((uint64_t)(kind) << 56 | \
    (uint64_t)((gen) & 0xffffffu) << 32 | (uint32_t)(id))
#define UD_KIND(u) ((unsigned)((u) >> 56))
#define UD_ID(u) ((uint32_t)(u))
#define UD_GEN(u) ((uint32_t)((u) >> 32) & 0xffffffu)

struct rslot {
	void *owner;            /* NULL: stopped (or free) */
	int fd;
	uint32_t gen;
	bool armed;             /* its receive is in the kernel */
	bool rearm;             /* ended while still wanted: arm again */
	int next_free;          /* -1: end of the free list */
};

struct sslot {
	struct msghdr mh;
	struct iovec iov;
	struct sockaddr_storage to;
	uint8_t buf[IOLOOP_DGRAM];
};

struct ioring {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	unsigned nbuf;
	size_t br_bytes;
	uint8_t *bufs;
	unsigned given;         /* buffers given back, not yet published */
	struct msghdr rmsg;     /* the receives' layout */
	struct rslot *slots;
	unsigned nslots;
	int free_head;
	int efd;                /* signalled by the ring */
	int poll_fd;            /* -1: none */
	bool poll_armed;
	bool rearm_pending;
	unsigned nq;            /* queued sends */
	uint64_t send_errors;
	struct sslot q[SENDQ];
	struct ioloop_dgram d[IOLOOP_BATCH];
	uint32_t dbid[IOLOOP_BATCH];
};

/* The next free submission entry, submitting what is queued to make
 * room. NULL only if the kernel takes nothing. */
static struct io_uring_sqe *
get_sqe(struct ioring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	if (sqe == NULL) {
		ioring_submit(r);
		sqe = io_uring_get_sqe(&r->ring);
	}
	return sqe;
}

static bool
arm_recv(struct ioring *r, int id)
{
	struct rslot *s = &r->slots[id];
	struct io_uring_sqe *sqe = get_sqe(r);

	if (sqe == NULL)
		return false;
	io_uring_prep_recvmsg_multishot(sqe, s->fd, &r->rmsg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, UD(K_RECV, id, s->gen));
	s->armed = true;
	s->rearm = false;
	return true;
}

static bool
arm_poll(struct ioring *r)
{
	struct io_uring_sqe *sqe = get_sqe(r);

	if (sqe == NULL)
		return false;
	io_uring_prep_poll_multishot(sqe, r->poll_fd, POLLIN);
	io_uring_sqe_set_data64(sqe, UD(K_POLL, 0, 0));
	r->poll_armed = true;
	return true;
}

struct ioring *
ioring_new(unsigned nbuf)
{
	struct ioring *r = g_new0(struct ioring, 1);
	/* DEFER_TASKRUN: the kernel takes in the datagrams that came in
	 * meanwhile when the loop next waits for completions, and never
	 * interrupts it for them (by default it does, with an IPI: in this
	 * VM a third of klopfd's CPU went to them), nor wakes a thread that
	 * sleeps elsewhere (the load client's pause, which is there to be
	 * woken less often). The registered eventfd says when there is
	 * something to take in. It needs Linux 6.1, as the multishot
	 * receive (6.0) does; older kernels keep epoll. */
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL |
		    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		.cq_entries = CQ_ENTRIES,
	};
	struct io_uring_buf_reg reg = { 0 };
	int e;

	r->poll_fd = -1;
	r->free_head = -1;
	r->efd = -1;
	e = io_uring_queue_init_params(SQ_ENTRIES, &r->ring, &p);
	if (e < 0) {
		log_info("media: io_uring is not available (%s; it needs "
		    "Linux 6.1); using epoll", g_strerror(-e));
		g_free(r);
		return NULL;
	}
	if (!(p.features & IORING_FEAT_EXT_ARG) ||
	    !(p.features & IORING_FEAT_NODROP)) {
		log_info("media: io_uring of this kernel is too old; using "
		    "epoll");
		goto fail_ring;
	}
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    io_uring_register_eventfd(&r->ring, r->efd) != 0) {
		log_info("media: io_uring cannot signal an eventfd; using "
		    "epoll");
		goto fail_ring;
	}
	if (nbuf < 2 || nbuf > 32768 || (nbuf & (nbuf - 1)) != 0)
		goto fail_ring;
	r->nbuf = nbuf;
	r->br_bytes = nbuf * sizeof(struct io_uring_buf);
	r->br = mmap(NULL, r->br_bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->br == MAP_FAILED)
		goto fail_ring;
	io_uring_buf_ring_init(r->br);
	reg.ring_addr = (unsigned long)r->br;
	reg.ring_entries = nbuf;
	reg.bgid = BUF_GROUP;
	e = io_uring_register_buf_ring(&r->ring, &reg, 0);
	if (e != 0) {
		log_info("media: io_uring cannot take provided buffers (%s); "
		    "using epoll", g_strerror(-e));
		goto fail_map;
	}
	r->bufs = g_malloc((size_t)nbuf * BUF_SIZE);
	for (unsigned i = 0; i < nbuf; i++)
		io_uring_buf_ring_add(r->br, r->bufs + (size_t)i * BUF_SIZE,
		    BUF_SIZE, (unsigned short)i,
		    io_uring_buf_ring_mask(nbuf), (int)i);
	io_uring_buf_ring_advance(r->br, (int)nbuf);
	r->rmsg.msg_namelen = sizeof(struct sockaddr_storage);
	r->rmsg.msg_controllen = CTL_SPACE;
	return r;
fail_map:
	munmap(r->br, r->br_bytes);
fail_ring:
	io_uring_queue_exit(&r->ring);
	if (r->efd >= 0)
		close(r->efd);
	g_free(r);
	return NULL;
}

void
ioring_free(struct ioring *r)
{
	if (r == NULL)
		return;
	ioring_submit(r);
	/* ends every receive and the poll; the sockets are let go */
	io_uring_queue_exit(&r->ring);
	if (r->efd >= 0)
		close(r->efd);
	munmap(r->br, r->br_bytes);
	g_free(r->bufs);
	g_free(r->slots);
	g_free(r);
}

int
ioring_fd(const struct ioring *r)
{
	return r->efd;
}

void
ioring_ack(struct ioring *r)
{
	uint64_t v;

	(void)!read(r->efd, &v, sizeof(v));
}

int
ioring_poll(struct ioring *r, int fd)
{
	r->poll_fd = fd;
	return arm_poll(r) ? 0 : -1;
}

int
ioring_recv_start(struct ioring *r, int fd, void *owner)
{
	int id;

	if (owner == NULL || fd < 0)
		return -1;
	if (r->free_head < 0) {
		unsigned n = r->nslots == 0 ? 64 : r->nslots * 2;

		r->slots = g_renew(struct rslot, r->slots, n);
		for (unsigned i = n; i-- > r->nslots;) {
			r->slots[i] = (struct rslot){ .next_free = r->free_head };
			r->free_head = (int)i;
		}
		r->nslots = n;
	}
	id = r->free_head;
	r->free_head = r->slots[id].next_free;
	r->slots[id].owner = owner;
	r->slots[id].fd = fd;
	r->slots[id].gen = (r->slots[id].gen + 1) & 0xffffffu;
	if (!arm_recv(r, id)) {
		r->slots[id].owner = NULL;
		r->slots[id].next_free = r->free_head;
		r->free_head = id;
		return -1;
	}
	ioring_submit(r);
	return id;
}

static void
release(struct ioring *r, int id)
{
	r->slots[id].fd = -1;
	r->slots[id].next_free = r->free_head;
	r->free_head = id;
}

void
ioring_recv_stop(struct ioring *r, int id)
{
	struct rslot *s;
	struct io_uring_sqe *sqe;

	if (id < 0 || (unsigned)id >= r->nslots || r->slots[id].owner == NULL)
		return;
	s = &r->slots[id];
	s->owner = NULL;
	if (!s->armed) {
		release(r, id);
		return;
	}
	/* the slot stays taken until the receive's last completion */
	sqe = get_sqe(r);
	if (sqe != NULL) {
		io_uring_prep_cancel64(sqe, UD(K_RECV, id, s->gen), 0);
		io_uring_sqe_set_data64(sqe, UD(K_CANCEL, 0, 0));
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	}
	/* before the caller closes or reads the socket */
	ioring_submit(r);
}

int
ioring_send(struct ioring *r, int fd, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len)
{
	struct sslot *q;
	struct io_uring_sqe *sqe;

	if (len > IOLOOP_DGRAM || tolen > sizeof(q->to))
		return -1;
	if (r->nq == SENDQ)
		ioring_submit(r);
	sqe = get_sqe(r);
	if (sqe == NULL)
		return -1;
	q = &r->q[r->nq++];
	memcpy(q->buf, buf, len);
	memcpy(&q->to, to, tolen);
	q->iov = (struct iovec){ .iov_base = q->buf, .iov_len = len };
	q->mh = (struct msghdr){
		.msg_name = &q->to,
		.msg_namelen = tolen,
		.msg_iov = &q->iov,
		.msg_iovlen = 1,
	};
	io_uring_prep_sendmsg(sqe, fd, &q->mh, MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, UD(K_SEND, 0, 0));
	return 0;
}

unsigned
ioring_queued(const struct ioring *r)
{
	return r->nq;
}

void
ioring_submit(struct ioring *r)
{
	int e;

	if (io_uring_sq_ready(&r->ring) == 0)
		return;
	do
		e = io_uring_submit(&r->ring);
	while (e == -EINTR);
	/* every send was tried during the call (MSG_DONTWAIT) */
	r->nq = 0;
}

void
ioring_wait(struct ioring *r, int64_t timeout_us)
{
	struct __kernel_timespec ts = {
		.tv_sec = timeout_us / 1000000,
		.tv_nsec = timeout_us % 1000000 * 1000,
	};
	struct io_uring_cqe *cqe;

	if (timeout_us <= 0) {
		/* and takes in what came meanwhile */
		(void)io_uring_submit_and_get_events(&r->ring);
		r->nq = 0;
		return;
	}
	(void)io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1, &ts, NULL);
	r->nq = 0;
}

/* Buffers go back to the kernel in one step per pass. */
static void
give_back(struct ioring *r, uint32_t bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * BUF_SIZE,
	    BUF_SIZE, (unsigned short)bid, io_uring_buf_ring_mask(r->nbuf),
	    (int)r->given++);
}

static void
publish(struct ioring *r)
{
	if (r->given > 0) {
		io_uring_buf_ring_advance(r->br, (int)r->given);
		r->given = 0;
	}
}

/* The datagram of one completion into d (false: nothing to hand out). */
static bool
unpack(struct ioring *r, const struct io_uring_cqe *cqe,
    struct ioloop_dgram *d, uint32_t *bid)
{
	struct io_uring_recvmsg_out *o;
	uint8_t *buf;

	if (!(cqe->flags & IORING_CQE_F_BUFFER))
		return false;
	*bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	buf = r->bufs + (size_t)*bid * BUF_SIZE;
	if (cqe->res <= 0 || (o = io_uring_recvmsg_validate(buf, cqe->res,
	    &r->rmsg)) == NULL) {
		give_back(r, *bid);
		return false;
	}
	d->buf = io_uring_recvmsg_payload(o, &r->rmsg);
	d->len = io_uring_recvmsg_payload_length(o, cqe->res, &r->rmsg);
	d->truncated = (o->flags & MSG_TRUNC) != 0;
	d->fromlen = o->namelen <= sizeof(d->from) ? o->namelen : 0;
	memcpy(&d->from, io_uring_recvmsg_name(o), d->fromlen);
	d->stamp_us = 0;
	for (struct cmsghdr *c = io_uring_recvmsg_cmsg_firsthdr(o, &r->rmsg);
	    c != NULL; c = io_uring_recvmsg_cmsg_nexthdr(o, &r->rmsg, c))
		if (ioloop_stamp_us(c) != 0)
			d->stamp_us = ioloop_stamp_us(c);
	return true;
}

/* The receive of a slot ended (no IORING_CQE_F_MORE). */
static void
ended(struct ioring *r, int id, int res)
{
	struct rslot *s = &r->slots[id];

	s->armed = false;
	if (s->owner == NULL) {
		release(r, id);
		return;
	}
	/* out of buffers (they are back after this pass), or ended by the
	 * kernel for its own reasons: again. An error of the socket is
	 * said once and the socket left alone: its leg falls silent and
	 * goes the way of any silent leg. */
	if (res >= 0 || res == -ENOBUFS) {
		s->rearm = true;
		r->rearm_pending = true;
	} else {
		log_warning("media: receiving on a socket failed (%s)",
		    g_strerror(-res));
	}
}

unsigned
ioring_reap(struct ioring *r, const struct ioring_ops *ops, void *ud)
{
	struct io_uring_cqe *cqe;
	unsigned seen = 0;

	while (io_uring_peek_cqe(&r->ring, &cqe) == 0) {
		uint64_t u = cqe->user_data;
		uint32_t id = UD_ID(u);
		struct rslot *s;
		int n = 0;
		bool more;

		seen++;
		switch (UD_KIND(u)) {
		case K_SEND:
			if (cqe->res < 0)
				r->send_errors++;
			io_uring_cqe_seen(&r->ring, cqe);
			continue;
		case K_POLL:
			more = (cqe->flags & IORING_CQE_F_MORE) != 0;
			io_uring_cqe_seen(&r->ring, cqe);
			if (!more)
				r->poll_armed = false;
			ops->on_poll(ud);
			if (!r->poll_armed && r->poll_fd >= 0)
				(void)arm_poll(r);
			continue;
		case K_RECV:
			break;
		default:
			io_uring_cqe_seen(&r->ring, cqe);
			continue;
		}
		if (id >= r->nslots || r->slots[id].gen != UD_GEN(u)) {
			uint32_t bid;

			if (cqe->flags & IORING_CQE_F_BUFFER) {
				bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
				give_back(r, bid);
			}
			io_uring_cqe_seen(&r->ring, cqe);
			continue;
		}
		s = &r->slots[id];
		/* this completion and the next ones of the same receive, in
		 * order, as one batch */
		for (;;) {
			int res = cqe->res;

			more = (cqe->flags & IORING_CQE_F_MORE) != 0;
			if (s->owner != NULL &&
			    unpack(r, cqe, &r->d[n], &r->dbid[n]))
				n++;
			else if (s->owner == NULL &&
			    (cqe->flags & IORING_CQE_F_BUFFER))
				give_back(r, cqe->flags >>
				    IORING_CQE_BUFFER_SHIFT);
			io_uring_cqe_seen(&r->ring, cqe);
			if (!more) {
				ended(r, (int)id, res);
				break;
			}
			if (n == IOLOOP_BATCH ||
			    io_uring_peek_cqe(&r->ring, &cqe) != 0 ||
			    cqe->user_data != u)
				break;
			seen++;
		}
		if (n > 0) {
			int fd = s->fd;

			ops->on_dgrams(ud, s->owner, fd, r->d, n);
			for (int i = 0; i < n; i++)
				give_back(r, r->dbid[i]);
		}
	}
	publish(r);
	if (r->rearm_pending) {
		r->rearm_pending = false;
		for (unsigned i = 0; i < r->nslots; i++)
			if (r->slots[i].rearm && r->slots[i].owner != NULL &&
			    !r->slots[i].armed)
				(void)arm_recv(r, (int)i);
	}
	return seen;
}

uint64_t
ioring_send_errors(const struct ioring *r)
{
	return r->send_errors;
}
