/*
 * srtp_bench: CPU cost of protect + unprotect of one 1,200-byte RTP packet
 * for both DTLS-SRTP profiles, with keys from a real in-memory DTLS
 * handshake (dtls.c, srtp.c). Prints the median and mean in microseconds
 * over 100,000 packets per profile, sent round-robin over [sessions]
 * pairs of sessions (default 1; an SFU holds hundreds). Not part of make
 * check.
 *
 *   make build/libklopf.a
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Icommon -Imediad bench/srtp_bench.c \
 *      build/libklopf.a $(pkg-config --libs openssl libsrtp2 glib-2.0 \
 *      jansson libconfig sqlite3 libwebsockets nice) -o build/srtp_bench
 *   build/srtp_bench 800
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtls.h"
#include "srtp.h"

#define PACKETS 100000
#define PAYLOAD 1188            /* + 12-byte header = 1,200 bytes */

struct queue {
	size_t n;
	size_t len[16];
	uint8_t buf[16][DTLS_MTU];
};

static void
queue_cb(const uint8_t *buf, size_t len, void *user)
{
	struct queue *q = user;

	if (q->n == 16 || len > DTLS_MTU)
		abort();
	memcpy(q->buf[q->n], buf, len);
	q->len[q->n++] = len;
}

static void
flush(struct queue *q, struct dtls *to)
{
	size_t n = q->n;

	q->n = 0;
	for (size_t i = 0; i < n; i++)
		dtls_receive(to, q->buf[i], q->len[i]);
}

static int
handshake(const char *profiles, struct dtls_srtp_keys *ks,
    struct dtls_srtp_keys *kc)
{
	static struct queue qs, qc;
	struct dtls_identity *is = dtls_identity_generate();
	struct dtls_identity *ic = dtls_identity_generate();
	struct dtls *s, *c;
	int rc = -1;

	if (is == NULL || ic == NULL)
		goto out;
	s = dtls_new(is, DTLS_ROLE_SERVER, dtls_identity_fingerprint(ic),
	    queue_cb, &qs);
	c = dtls_new(ic, DTLS_ROLE_CLIENT, dtls_identity_fingerprint(is),
	    queue_cb, &qc);
	if (s != NULL && c != NULL &&
	    dtls_set_srtp_profiles(c, profiles) == 0) {
		dtls_start(s);
		dtls_start(c);
		for (int i = 0; i < 10 && (qs.n > 0 || qc.n > 0); i++) {
			flush(&qc, s);
			flush(&qs, c);
		}
		if (dtls_srtp_keys(s, ks) == 0 && dtls_srtp_keys(c, kc) == 0)
			rc = 0;
	}
	dtls_free(s);
	dtls_free(c);
out:
	dtls_identity_free(is);
	dtls_identity_free(ic);
	return rc;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define SESSIONS_MAX 2048

static int
bench(const char *profiles, int sessions)
{
	static double t[PACKETS];
	static struct ksrtp *txs[SESSIONS_MAX], *rxs[SESSIONS_MAX];
	_Alignas(8) uint8_t pkt[1300];
	struct dtls_srtp_keys ks, kc;
	struct ksrtp *tx, *rx;
	double sum = 0;

	if (handshake(profiles, &ks, &kc) != 0) {
		fprintf(stderr, "srtp_bench: handshake failed\n");
		return -1;
	}
	for (int k = 0; k < sessions; k++) {
		txs[k] = ksrtp_new(&ks);
		rxs[k] = ksrtp_new(&kc);
		if (txs[k] == NULL || rxs[k] == NULL) {
			fprintf(stderr, "srtp_bench: ksrtp_new failed\n");
			return -1;
		}
	}
	for (uint32_t i = 0; i < PACKETS; i++) {
		size_t len = 12 + PAYLOAD;
		double t0;

		memset(pkt, (int)(i & 0xff), len);
		pkt[0] = 0x80;
		pkt[1] = 96;
		pkt[8] = 0x12;
		tx = txs[i % (uint32_t)sessions];
		rx = rxs[i % (uint32_t)sessions];
		pkt[2] = (uint8_t)((i / (uint32_t)sessions) >> 8);
		pkt[3] = (uint8_t)(i / (uint32_t)sessions);
		t0 = now_us();
		if (ksrtp_protect_rtp(tx, pkt, &len, sizeof(pkt)) != KSRTP_OK ||
		    ksrtp_unprotect_rtp(rx, pkt, &len) != KSRTP_OK) {
			fprintf(stderr, "srtp_bench: packet %u failed\n", i);
			return -1;
		}
		t[i] = now_us() - t0;
		sum += t[i];
	}
	qsort(t, PACKETS, sizeof(t[0]), cmp_double);
	printf("%4d session pairs ", sessions);
	printf("%-24s protect+unprotect 1200 B: median %.2f us, mean %.2f us,"
	    " p99 %.2f us\n", dtls_srtp_profile_name(ks.profile),
	    t[PACKETS / 2], sum / PACKETS, t[PACKETS * 99 / 100]);
	dtls_srtp_keys_wipe(&ks);
	dtls_srtp_keys_wipe(&kc);
	for (int k = 0; k < sessions; k++) {
		ksrtp_free(txs[k]);
		ksrtp_free(rxs[k]);
	}
	return 0;
}

/* srtp_bench [sessions]: packets go round-robin over that many pairs of
 * sessions (default 1), as in an SFU with many transports. */
int
main(int argc, char **argv)
{
	int sessions = argc > 1 ? atoi(argv[1]) : 1;

	if (sessions < 1 || sessions > SESSIONS_MAX) {
		fprintf(stderr, "srtp_bench: sessions 1..%d\n", SESSIONS_MAX);
		return 2;
	}
	if (bench("SRTP_AEAD_AES_128_GCM", sessions) != 0 ||
	    bench("SRTP_AES128_CM_SHA1_80", sessions) != 0)
		return 1;
	return 0;
}
