/*
 * netns: puts a test process into a private network namespace that has
 * only loopback, before it opens any socket. Media tests call it first:
 * all their traffic then stays on this machine by construction (the
 * machine has a real interface besides lo). Works as root and, through a
 * user namespace, as an ordinary user.
 */
#ifndef KLOPF_TEST_NETNS_H
#define KLOPF_TEST_NETNS_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
netns_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Returns 0 inside a fresh namespace with lo up, or -1 (errno set). */
static int
netns_enter(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) != 0) {
		uid_t uid = getuid();
		gid_t gid = getgid();
		char map[64];

		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
			return -1;
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (netns_write("/proc/self/setgroups", "deny") != 0 ||
		    netns_write("/proc/self/uid_map", map) != 0)
			return -1;
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (netns_write("/proc/self/gid_map", map) != 0)
			return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		close(fd);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* netns_enter() as a cmocka group setup: the group fails without it. */
static inline int
netns_group_setup(void **state)
{
	(void)state;
	if (netns_enter() != 0) {
		fprintf(stderr, "cannot make a private network namespace: "
		    "%s\n", strerror(errno));
		return -1;
	}
	return 0;
}

#endif
