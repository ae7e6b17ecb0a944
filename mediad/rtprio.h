/*
 * rtprio: klopfd's event loop at a real-time priority (media.
 * realtime_priority in klopfd.conf).
 *
 * klopfd's media loop is one thread. At the normal priority, any other
 * thread of the same priority that wakes on its CPU takes it for its time
 * slice, and the datagrams wait meanwhile: on the development VM the
 * kernel's memory monitor (kdamond) took 4-6 ms every 512 ms, which alone
 * set the p99 of the forwarding delay at 200 rooms (doc/media.md). At
 * SCHED_FIFO it is preempted only by higher real-time threads. Threads
 * klopfd starts later (the password hashing pool) get the normal policy
 * (SCHED_RESET_ON_FORK). Linux throttles real-time threads to 95 % of a
 * CPU by default, so a loop gone wrong cannot take a machine.
 */
#ifndef KLOPF_RTPRIO_H
#define KLOPF_RTPRIO_H

#include <stddef.h>

/* Puts the calling thread at SCHED_FIFO with priority prio (1..99).
 * 0, or -1 with the reason in err (no permission: CAP_SYS_NICE or an
 * RLIMIT_RTPRIO of at least prio is needed). */
int rtprio_set(int prio, char *err, size_t errlen);

#endif
