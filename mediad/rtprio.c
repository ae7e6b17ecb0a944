/*
 * rtprio: see rtprio.h.
 */
#include "rtprio.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int
rtprio_set(int prio, char *err, size_t errlen)
{
	struct sched_param sp = { .sched_priority = prio };
	struct rlimit rl;

	if (prio < sched_get_priority_min(SCHED_FIFO) ||
	    prio > sched_get_priority_max(SCHED_FIFO)) {
		snprintf(err, errlen, "real-time priority %d is not between "
		    "%d and %d", prio, sched_get_priority_min(SCHED_FIFO),
		    sched_get_priority_max(SCHED_FIFO));
		return -1;
	}
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
	    &sp) == 0)
		return 0;
	if (errno == EPERM) {
		if (getrlimit(RLIMIT_RTPRIO, &rl) != 0)
			rl.rlim_cur = 0;
		snprintf(err, errlen, "not allowed to run at real-time "
		    "priority %d: klopfd needs CAP_SYS_NICE, or an "
		    "RLIMIT_RTPRIO of at least %d (it is %llu; systemd: "
		    "LimitRTPRIO=%d)", prio, prio,
		    (unsigned long long)rl.rlim_cur, prio);
	} else {
		snprintf(err, errlen, "cannot run at real-time priority %d: "
		    "%s", prio, strerror(errno));
	}
	return -1;
}
