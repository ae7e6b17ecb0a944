/*
 * media_load_stats: what the load client reads about klopfd and itself at
 * the edges of the measurement window: CPU time (/proc/PID/stat,
 * getrusage), time spent waiting for a CPU (/proc/PID/schedstat),
 * UDP receive-buffer drops per socket owner (/proc/net/udp against the
 * socket inodes in /proc/PID/fd), memory (/proc/PID/status), the CPU
 * time of kernel threads (/proc/PID/stat of each) and klopfd's
 * /metrics (one blocking GET on loopback, twice a run), and the quantiles
 * of the forwarding-delay histogram between two snapshots.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "media_load.h"

/* From /proc/PID/stat (pid a number or "self"): the command name (if
 * comm), the flags and the CPU time, user + system, in seconds. */
static bool
proc_stat(const char *pid, char *comm, size_t commlen, unsigned *flags,
    double *cpu_s)
{
	char path[300], buf[1024], *open, *close_;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((open = strchr(buf, '(')) == NULL ||
	    (close_ = strrchr(buf, ')')) == NULL ||
	    sscanf(close_ + 2, "%*c %*d %*d %*d %*d %*d %u %*u %*u %*u %*u "
	    "%lu %lu", flags, &ut, &st) != 3)
		return false;
	if (comm != NULL) {
		*close_ = '\0';
		g_strlcpy(comm, open + 1, commlen);
	}
	*cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	return true;
}

static double
proc_cpu(int pid)
{
	char p[16];
	unsigned flags;
	double cpu;

	snprintf(p, sizeof(p), "%d", pid);
	return pid > 0 && proc_stat(p, NULL, 0, &flags, &cpu) ? cpu : NAN;
}

#define PF_KTHREAD 0x00200000u

/* Every kernel thread's CPU time so far into s. */
static void
kthreads_take(struct ml_snapshot *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	s->nkthreads = 0;
	while (d != NULL && (e = readdir(d)) != NULL &&
	    s->nkthreads < ML_MAX_KTHREADS) {
		struct ml_kthread *k = &s->kthreads[s->nkthreads];
		unsigned flags;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    !proc_stat(e->d_name, k->comm, sizeof(k->comm), &flags,
		    &k->cpu_s) || !(flags & PF_KTHREAD))
			continue;
		k->pid = atoi(e->d_name);
		s->nkthreads++;
	}
	if (d != NULL)
		closedir(d);
}

double
ml_kthread_cpu(const struct ml_snapshot *a, const struct ml_snapshot *b,
    const char **top, double *top_s)
{
	double total = 0;

	*top = "";
	*top_s = 0;
	for (int i = 0; i < b->nkthreads; i++)
		for (int j = 0; j < a->nkthreads; j++) {
			double used;

			if (a->kthreads[j].pid != b->kthreads[i].pid)
				continue;
			used = b->kthreads[i].cpu_s - a->kthreads[j].cpu_s;
			total += used;
			if (used > *top_s) {
				*top_s = used;
				*top = b->kthreads[i].comm;
			}
			break;
		}
	return total;
}

/* Seconds the process's main thread (klopfd's event loop; ours) spent
 * runnable but not running, waiting for a CPU that other processes had,
 * from /proc/PID/schedstat. */
static double
proc_wait(const char *pid)
{
	char path[64], buf[128];
	FILE *f;
	unsigned long long run, wait;
	double v = NAN;

	snprintf(path, sizeof(path), "/proc/%s/schedstat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return NAN;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    sscanf(buf, "%llu %llu", &run, &wait) == 2)
		v = (double)wait / 1e9;
	fclose(f);
	return v;
}

double
ml_proc_status_kb(int pid, const char *key)
{
	char path[64], line[256];
	FILE *f;
	double v = NAN;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (pid <= 0 || (f = fopen(path, "r")) == NULL)
		return NAN;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtod(line + kl + 1, NULL);
	fclose(f);
	return v;
}

/* Adds the socket inodes of process pid ("self" or a number) to set. */
static void
socket_inodes(const char *pid, GHashTable *set)
{
	char path[64], link[128], target[64];
	struct dirent *e;
	DIR *d;
	ssize_t n;
	unsigned long ino;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%.20s", path, e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) == 1)
			g_hash_table_add(set, GSIZE_TO_POINTER(ino));
	}
	closedir(d);
}

/* UDP datagrams the kernel dropped because a receive buffer was full
 * (its reader was too slow): at our own sockets, from the drops column
 * of /proc/net/udp for the socket inodes in /proc/self/fd (ours live for
 * the whole run), and in the whole network namespace, which holds only
 * klopfd and the load clients, from /proc/net/snmp. klopfd's sockets come
 * and go with its participants, so its share is the difference. */
void
ml_udp_drops(double *netns, double *client)
{
	GHashTable *mine = g_hash_table_new(g_direct_hash, g_direct_equal);
	char line[1024], head[1024];
	FILE *f;

	*netns = NAN;
	*client = 0;
	socket_inodes("self", mine);
	if ((f = fopen("/proc/net/udp", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			unsigned long ino, drops;

			/* sl local rem st queues tr retrnsmt uid timeout
			 * inode ref pointer drops (then trailing blanks) */
			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s "
			    "%lu %*s %*s %lu", &ino, &drops) == 2 &&
			    g_hash_table_contains(mine, GSIZE_TO_POINTER(ino)))
				*client += (double)drops;
		}
		fclose(f);
	}
	g_hash_table_destroy(mine);
	/* "Udp: InDatagrams NoPorts InErrors ..." then the values */
	if ((f = fopen("/proc/net/snmp", "r")) == NULL)
		return;
	head[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long in, noports, errors;

		if (strncmp(line, "Udp: ", 5) != 0)
			continue;
		if (head[0] == '\0') {
			g_strlcpy(head, line, sizeof(head));
			continue;
		}
		if (strstr(head, "Udp: InDatagrams NoPorts InErrors ") == head &&
		    sscanf(line + 5, "%lu %lu %lu", &in, &noports, &errors) == 3)
			*netns = (double)errors;
		break;
	}
	fclose(f);
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* GET /metrics from klopfd, blocking (twice a run, on loopback). Returns
 * a g_malloc'd body or NULL. */
static char *
scrape(int metrics_port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 10, 0 };  /* an overloaded klopfd is slow */
	GString *b = g_string_new(NULL);
	char buf[8192], req[128];
	ssize_t n;
	int fd;
	char *body;

	if (metrics_port <= 0)
		goto fail;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)metrics_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(req, sizeof(req), "GET /metrics HTTP/1.0\r\nHost: "
	    "127.0.0.1\r\n\r\n");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		goto fail;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(b, buf, n);
	close(fd);
	body = strstr(b->str, "\r\n\r\n");
	if (body == NULL || strncmp(b->str, "HTTP/1.", 7) != 0 ||
	    strncmp(b->str + 9, "200", 3) != 0)
		goto fail;
	body = g_strdup(body + 4);
	g_string_free(b, TRUE);
	return body;
fail:
	g_string_free(b, TRUE);
	return NULL;
}

static void
hist_line(struct ml_hist *h, const char *line, double v)
{
	const char *le = strstr(line, "le=\"");

	if (le == NULL || h->n >= ML_MAX_HIST)
		return;
	le += 4;
	h->le[h->n] = strncmp(le, "+Inf", 4) == 0 ? INFINITY :
	    strtod(le, NULL);
	h->cum[h->n++] = v;
}

static void
parse_metrics(struct ml_snapshot *s, const char *body)
{
	static const char hb[] = "klopf_media_forward_delay_seconds_bucket{";
	static const char ab[] = "klopf_media_arrival_delay_seconds_bucket{";
	char **lines = g_strsplit(body, "\n", -1);

	for (char **l = lines; *l != NULL; l++) {
		const char *sp = strrchr(*l, ' ');
		double v;

		if (**l == '#' || sp == NULL)
			continue;
		v = strtod(sp + 1, NULL);
		if (g_str_has_prefix(*l, "klopf_media_rtp_received_total ")) {
			s->rtp_in = v;
			s->metrics = true;
		} else if (g_str_has_prefix(*l,
		    "klopf_media_rtp_forwarded_total ")) {
			s->rtp_fwd = v;
		} else if (g_str_has_prefix(*l,
		    "klopf_media_rtp_dropped_total ")) {
			s->rtp_drop = v;
		} else if (g_str_has_prefix(*l,
		    "klopf_media_forward_delay_seconds_count ")) {
			s->delay_count = v;
		} else if (g_str_has_prefix(*l, hb)) {
			hist_line(&s->fwd, *l, v);
		} else if (g_str_has_prefix(*l, ab)) {
			hist_line(&s->arr, *l, v);
		}
	}
	g_strfreev(lines);
}

void
ml_snapshot_take(struct ml_snapshot *s, int klopfd_pid, int metrics_port)
{
	char pid[16], *body;

	memset(s, 0, sizeof(*s));
	s->t_us = g_get_monotonic_time();
	s->klopfd_cpu_s = proc_cpu(klopfd_pid);
	s->client_cpu_s = self_cpu();
	snprintf(pid, sizeof(pid), "%d", klopfd_pid);
	s->klopfd_wait_s = klopfd_pid > 0 ? proc_wait(pid) : NAN;
	s->client_wait_s = proc_wait("self");
	kthreads_take(s);
	ml_udp_drops(&s->netns_drops, &s->client_drops);
	if ((body = scrape(metrics_port)) != NULL) {
		parse_metrics(s, body);
		g_free(body);
	}
}

/* The q-quantile of the histogram difference b - a in milliseconds, by
 * linear interpolation inside the bucket; *above if it lies beyond the
 * last finite bound (then that bound is returned). NAN if empty. */
double
ml_hist_quantile(const struct ml_hist *a, const struct ml_hist *b, double q,
    bool *above)
{
	double total, want, prev_cum = 0, prev_le = 0;

	*above = false;
	if (b->n == 0 || a->n != b->n)
		return NAN;
	total = b->cum[b->n - 1] - a->cum[a->n - 1];
	if (total <= 0)
		return NAN;
	want = q * total;
	for (int i = 0; i < b->n; i++) {
		double c = b->cum[i] - a->cum[i];

		if (c >= want) {
			if (isinf(b->le[i])) {
				*above = true;
				return prev_le * 1e3;
			}
			if (c == prev_cum)
				return b->le[i] * 1e3;
			return (prev_le + (b->le[i] - prev_le) *
			    (want - prev_cum) / (c - prev_cum)) * 1e3;
		}
		prev_cum = c;
		if (!isinf(b->le[i]))
			prev_le = b->le[i];
	}
	return NAN;
}

