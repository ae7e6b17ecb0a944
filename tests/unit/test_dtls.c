/*
 * test_dtls: DTLS handshakes between two endpoints of our own, joined in
 * memory through their send callbacks: profiles, mirrored SRTP keys,
 * fingerprint checks (early and late), lost, reordered and coalesced
 * datagrams, garbage, close_notify, the MTU, and identities from PEM files
 * (ours and the openssl command's). One test talks to `openssl s_server`
 * over UDP on 127.0.0.1 to check the key layout against another program's
 * exporter output.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "dtls.h"

#define Q_MAX 64
/* First retransmission timeout in tests. OpenSSL counts a timer with less
 * than 15 ms left as expired (and retransmits by itself when it next
 * reads), so anything shorter would retransmit at once. */
#define RTO_MS 40
#define DGRAM_MAX 1500

struct dgram {
	size_t len;
	uint8_t buf[DGRAM_MAX];
};

/* One side of the in-memory network: what it sent and what to lose. */
struct end {
	struct dtls *d;
	size_t n;               /* queued datagrams */
	struct dgram q[Q_MAX];
	unsigned sent;          /* datagrams sent so far, lost ones included */
	uint64_t drop;          /* bit i set: datagram number i is lost */
	unsigned dropped;
	size_t max_len;
};

enum order {
	ORDER_AS_SENT = 0,
	ORDER_REVERSED,         /* each batch delivered last first */
	ORDER_COALESCED,        /* each batch glued into one datagram */
};

struct net {
	struct end s;           /* server (klopfd's role) */
	struct end c;           /* client (the browser's role) */
	enum order order;
};

static struct dtls_identity *server_id;
static struct dtls_identity *client_id;
static uint8_t glued[Q_MAX * DGRAM_MAX];

/* --- helpers ------------------------------------------------------------ */

static void
send_cb(const uint8_t *buf, size_t len, void *user)
{
	struct end *e = user;
	unsigned idx = e->sent++;

	assert_true(len > 0);
	assert_true(len <= DTLS_MTU);
	assert_true(dtls_is_dtls(buf, len));
	if (len > e->max_len)
		e->max_len = len;
	if (idx < 64 && (e->drop >> idx & 1)) {
		e->dropped++;
		return;
	}
	assert_true(e->n < Q_MAX);
	memcpy(e->q[e->n].buf, buf, len);
	e->q[e->n].len = len;
	e->n++;
}

static struct net *
net_new_ids(struct dtls_identity *sid, struct dtls_identity *cid,
    const uint8_t *server_expects, const uint8_t *client_expects)
{
	struct net *n = calloc(1, sizeof(*n));

	assert_non_null(n);
	n->s.d = dtls_new(sid, DTLS_ROLE_SERVER, server_expects, send_cb,
	    &n->s);
	n->c.d = dtls_new(cid, DTLS_ROLE_CLIENT, client_expects, send_cb,
	    &n->c);
	assert_non_null(n->s.d);
	assert_non_null(n->c.d);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_NEW);
	return n;
}

/* Server and client each expecting the other's real fingerprint. */
static struct net *
net_new(void)
{
	return net_new_ids(server_id, client_id,
	    dtls_identity_fingerprint(client_id),
	    dtls_identity_fingerprint(server_id));
}

static void
net_free(struct net *n)
{
	dtls_free(n->s.d);
	dtls_free(n->c.d);
	free(n);
}

static void
net_start(struct net *n)
{
	assert_int_equal(dtls_start(n->s.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(dtls_start(n->c.d), DTLS_STATE_HANDSHAKING);
}

/* Hands everything from has sent to the other side, in n->order. */
static void
deliver(struct net *n, struct end *from, struct end *to)
{
	size_t count = from->n, off = 0;

	/* Receiving makes `to` send into its own queue, never into ours. */
	from->n = 0;
	if (count == 0)
		return;
	switch (n->order) {
	case ORDER_AS_SENT:
		for (size_t i = 0; i < count; i++)
			dtls_receive(to->d, from->q[i].buf, from->q[i].len);
		break;
	case ORDER_REVERSED:
		for (size_t i = count; i-- > 0;)
			dtls_receive(to->d, from->q[i].buf, from->q[i].len);
		break;
	case ORDER_COALESCED:
		for (size_t i = 0; i < count; i++) {
			memcpy(glued + off, from->q[i].buf, from->q[i].len);
			off += from->q[i].len;
		}
		dtls_receive(to->d, glued, off);
		break;
	}
}

/* Delivers back and forth until nobody has anything to say. */
static void
pump(struct net *n)
{
	for (int round = 0; round < 100 && (n->s.n > 0 || n->c.n > 0);
	    round++) {
		deliver(n, &n->c, &n->s);
		deliver(n, &n->s, &n->c);
	}
	assert_int_equal(n->s.n + n->c.n, 0);
}

static bool
settled(const struct dtls *d)
{
	return dtls_state(d) != DTLS_STATE_HANDSHAKING;
}

static long
min_timeout(struct net *n)
{
	long a = dtls_timeout_ms(n->s.d), b = dtls_timeout_ms(n->c.d);

	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Runs the network with the caller's timer until both sides settled or
 * nothing is left to happen. Returns the number of timer expiries. */
static int
run(struct net *n)
{
	int expiries = 0;

	for (int i = 0; i < 40; i++) {
		long t;

		pump(n);
		if (settled(n->s.d) && settled(n->c.d) && min_timeout(n) < 0)
			break;
		if ((t = min_timeout(n)) < 0)
			break;
		sleep_ms(t);
		expiries++;
		dtls_handle_timeout(n->s.d);
		dtls_handle_timeout(n->c.d);
	}
	return expiries;
}

static void
assert_keys_mirrored(struct net *n, enum dtls_srtp_profile profile)
{
	struct dtls_srtp_keys ks, kc;
	static const uint8_t zero[DTLS_SRTP_MASTER_MAX];
	size_t len;

	assert_int_equal(dtls_srtp_keys(n->s.d, &ks), 0);
	assert_int_equal(dtls_srtp_keys(n->c.d, &kc), 0);
	assert_int_equal(ks.profile, profile);
	assert_int_equal(kc.profile, profile);
	assert_int_equal(ks.key_len, 16);
	assert_int_equal(ks.salt_len,
	    profile == DTLS_SRTP_AEAD_AES_128_GCM ? 12 : 14);
	assert_int_equal(kc.salt_len, ks.salt_len);
	len = ks.key_len + ks.salt_len;
	assert_memory_equal(ks.local, kc.remote, len);
	assert_memory_equal(ks.remote, kc.local, len);
	assert_memory_not_equal(ks.local, ks.remote, len);
	assert_memory_not_equal(ks.local, zero, len);
	dtls_srtp_keys_wipe(&ks);
	assert_memory_equal(ks.local, zero, len);
	dtls_srtp_keys_wipe(&kc);
}

static void
assert_connected(struct net *n)
{
	if (dtls_state(n->s.d) != DTLS_STATE_CONNECTED ||
	    dtls_state(n->c.d) != DTLS_STATE_CONNECTED)
		fail_msg("server %s (%s), client %s (%s)",
		    dtls_state_name(dtls_state(n->s.d)), dtls_reason(n->s.d),
		    dtls_state_name(dtls_state(n->c.d)), dtls_reason(n->c.d));
	assert_string_equal(dtls_reason(n->s.d), "");
	assert_string_equal(dtls_reason(n->c.d), "");
}

/* Handshakes with the client offering profiles (NULL: the default) and
 * returns the profile both ended up with. */
static enum dtls_srtp_profile
negotiate(const char *client_profiles, const char *server_profiles)
{
	struct net *n = net_new();
	struct dtls_srtp_keys k;
	enum dtls_srtp_profile p;

	if (client_profiles != NULL)
		assert_int_equal(dtls_set_srtp_profiles(n->c.d,
		    client_profiles), 0);
	if (server_profiles != NULL)
		assert_int_equal(dtls_set_srtp_profiles(n->s.d,
		    server_profiles), 0);
	net_start(n);
	pump(n);
	assert_connected(n);
	assert_int_equal(dtls_srtp_keys(n->c.d, &k), 0);
	p = k.profile;
	assert_keys_mirrored(n, p);
	net_free(n);
	return p;
}

static void
make_tmpdir(char dir[64])
{
	tmpdir_make(dir, 64, "dtls");
}

/* Runs a shell command quietly; fails the test unless it exits 0. */
static void
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* --- identity and fingerprints ------------------------------------------ */

static void
test_fingerprint_string_is_sdp_form_upper_case_hex(void **state)
{
	const char *s = dtls_identity_fingerprint_str(server_id);
	const uint8_t *fp = dtls_identity_fingerprint(server_id);
	uint8_t back[DTLS_FINGERPRINT_LEN];

	assert_int_equal(strlen(s), DTLS_FINGERPRINT_STR_MAX - 1);
	assert_int_equal(strlen(s), 8 + 32 * 2 + 31);
	assert_memory_equal(s, "sha-256 ", 8);
	for (size_t i = 0; i < DTLS_FINGERPRINT_LEN; i++) {
		const char *h = s + 8 + 3 * i;
		char want[3];

		snprintf(want, sizeof(want), "%02X", fp[i]);
		assert_memory_equal(h, want, 2);
		if (i < DTLS_FINGERPRINT_LEN - 1)
			assert_int_equal(h[2], ':');
	}
	assert_int_equal(dtls_fingerprint_parse(s, back), 0);
	assert_memory_equal(back, fp, DTLS_FINGERPRINT_LEN);
	/* two identities, two fingerprints */
	assert_memory_not_equal(fp, dtls_identity_fingerprint(client_id),
	    DTLS_FINGERPRINT_LEN);
}

static void
test_fingerprint_parse_accepts_sdp_variants_refuses_others(void **state)
{
	const char *good = dtls_identity_fingerprint_str(client_id);
	uint8_t want[DTLS_FINGERPRINT_LEN], got[DTLS_FINGERPRINT_LEN];
	char v[256];

	memcpy(want, dtls_identity_fingerprint(client_id), sizeof(want));
	/* lower case throughout, as some stacks write it */
	for (size_t i = 0; good[i] != '\0'; i++)
		v[i] = (char)(good[i] >= 'A' && good[i] <= 'F' ?
		    good[i] - 'A' + 'a' : good[i]);
	v[strlen(good)] = '\0';
	assert_int_equal(dtls_fingerprint_parse(v, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	snprintf(v, sizeof(v), "SHA-256\t %s\r\n", good + 8);
	assert_int_equal(dtls_fingerprint_parse(v, got), 0);
	assert_memory_equal(got, want, sizeof(want));

	memset(got, 0x5a, sizeof(got));
	snprintf(v, sizeof(v), "sha-1 %s", good + 8);
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	snprintf(v, sizeof(v), "sha-256%s", good + 8);
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	snprintf(v, sizeof(v), "%s:00", good);          /* 33 bytes */
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	snprintf(v, sizeof(v), "%.*s", (int)strlen(good) - 3, good); /* 31 */
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	snprintf(v, sizeof(v), "%s", good);
	v[20] = 'G';
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	snprintf(v, sizeof(v), "%s", good);
	v[10] = '-';                                    /* separator */
	assert_int_equal(dtls_fingerprint_parse(v, got), -1);
	assert_int_equal(dtls_fingerprint_parse("", got), -1);
	assert_int_equal(dtls_fingerprint_parse("sha-256 ", got), -1);
	for (size_t i = 0; i < sizeof(got); i++)
		assert_int_equal(got[i], 0x5a);         /* untouched */
}

static void
test_identity_saved_as_pem_loads_with_same_fingerprint(void **state)
{
	char dir[64], cert[128], key[128], out[512], want[256];
	struct dtls_identity *id;
	struct stat st;
	const char *p;

	make_tmpdir(dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	assert_int_equal(dtls_identity_save(server_id, cert, key), 0);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	id = dtls_identity_load(cert, key);
	assert_non_null(id);
	assert_memory_equal(dtls_identity_fingerprint(id),
	    dtls_identity_fingerprint(server_id), DTLS_FINGERPRINT_LEN);
	assert_string_equal(dtls_identity_fingerprint_str(id),
	    dtls_identity_fingerprint_str(server_id));
	dtls_identity_free(id);

	/* The openssl command computes the same fingerprint, and sees a
	 * self-signed P-256 certificate. */
	sh("openssl x509 -in %s -noout -fingerprint -sha256 -subject "
	    "-issuer -text > %s/x509.txt 2>&1", cert, dir);
	snprintf(out, sizeof(out), "%s/x509.txt", dir);
	{
		static char text[16384];

		read_file(out, text, sizeof(text));
		snprintf(want, sizeof(want), "sha256 Fingerprint=%s",
		    dtls_identity_fingerprint_str(server_id) + 8);
		assert_non_null(strstr(text, want));
		assert_non_null(strstr(text, "subject=CN = klopfd"));
		assert_non_null(strstr(text, "issuer=CN = klopfd"));
		assert_non_null(strstr(text, "NIST CURVE: P-256"));
		p = strstr(text, "Signature Algorithm: ecdsa-with-SHA256");
		assert_non_null(p);
	}
	tmpdir_remove(dir);
}

static void
test_identity_load_refuses_missing_and_mismatched_files(void **state)
{
	char dir[64], cert[128], key[128], cert2[128], key2[128], junk[128];
	FILE *f;

	make_tmpdir(dir);
	snprintf(cert, sizeof(cert), "%s/a.crt", dir);
	snprintf(key, sizeof(key), "%s/a.key", dir);
	snprintf(cert2, sizeof(cert2), "%s/b.crt", dir);
	snprintf(key2, sizeof(key2), "%s/b.key", dir);
	snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
	assert_int_equal(dtls_identity_save(server_id, cert, key), 0);
	assert_int_equal(dtls_identity_save(client_id, cert2, key2), 0);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
	    "-----END CERTIFICATE-----\n", f);
	fclose(f);

	assert_null(dtls_identity_load(cert, key2));    /* other key */
	assert_null(dtls_identity_load(cert, junk));
	assert_null(dtls_identity_load(junk, key));
	assert_null(dtls_identity_load(key, key));      /* key as cert */
	snprintf(junk, sizeof(junk), "%s/none.pem", dir);
	assert_null(dtls_identity_load(junk, key));
	assert_null(dtls_identity_load(cert, junk));
	/* an encrypted key is refused, not prompted for */
	sh("openssl pkey -in %s -aes128 -passout pass:x -out %s/enc.key",
	    key, dir);
	snprintf(junk, sizeof(junk), "%s/enc.key", dir);
	assert_null(dtls_identity_load(cert, junk));
	tmpdir_remove(dir);
}

/* --- handshakes ---------------------------------------------------------- */

static void
test_handshake_connects_with_mirrored_gcm_keys(void **state)
{
	struct net *n = net_new();

	net_start(n);
	assert_int_equal(n->c.n, 1);            /* the ClientHello */
	assert_int_equal(n->s.n, 0);            /* the server waits */
	pump(n);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(n->s.dropped + n->c.dropped, 0);
	assert_int_equal(dtls_timeout_ms(n->s.d), -1);
	assert_int_equal(dtls_timeout_ms(n->c.d), -1);
	net_free(n);
}

static void
test_client_offering_only_cm_gets_cm(void **state)
{
	assert_int_equal(negotiate("SRTP_AES128_CM_SHA1_80", NULL),
	    DTLS_SRTP_AES128_CM_SHA1_80);
}

static void
test_server_picks_gcm_even_if_client_lists_cm_first(void **state)
{
	assert_int_equal(negotiate(
	    "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", NULL),
	    DTLS_SRTP_AEAD_AES_128_GCM);
	/* A server restricted to CM (a peer like GStreamer) gets CM. */
	assert_int_equal(negotiate(NULL, "SRTP_AES128_CM_SHA1_80"),
	    DTLS_SRTP_AES128_CM_SHA1_80);
}

static void
test_no_common_srtp_profile_fails_both_sides(void **state)
{
	struct net *n = net_new();

	assert_int_equal(dtls_set_srtp_profiles(n->c.d,
	    "SRTP_AEAD_AES_256_GCM"), 0);
	net_start(n);
	pump(n);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_FAILED);
	assert_int_equal(dtls_state(n->c.d), DTLS_STATE_FAILED);
	assert_non_null(strstr(dtls_reason(n->s.d), "SRTP"));
	assert_non_null(strstr(dtls_reason(n->c.d), "SRTP"));
	assert_int_not_equal(dtls_failure(n->s.d), DTLS_FAIL_NONE);
	assert_int_not_equal(dtls_failure(n->c.d), DTLS_FAIL_FINGERPRINT);
	net_free(n);
}

static void
expect_fingerprint_failure(struct net *n, struct end *wrong,
    struct end *other)
{
	struct dtls_srtp_keys k;

	net_start(n);
	pump(n);
	assert_int_equal(dtls_state(wrong->d), DTLS_STATE_FAILED);
	assert_string_equal(dtls_reason(wrong->d),
	    "peer certificate does not match the SDP fingerprint");
	assert_int_equal(dtls_failure(wrong->d), DTLS_FAIL_FINGERPRINT);
	assert_int_equal(dtls_srtp_keys(wrong->d, &k), -1);
	/* The refusing side sent a fatal alert: the other side fails too
	 * instead of waiting for its timers. */
	assert_int_equal(dtls_state(other->d), DTLS_STATE_FAILED);
	assert_non_null(strstr(dtls_reason(other->d), "alert"));
	assert_int_equal(dtls_failure(other->d), DTLS_FAIL_HANDSHAKE);
	assert_int_equal(dtls_srtp_keys(other->d, &k), -1);
}

static void
test_wrong_fingerprint_fails_server_side(void **state)
{
	uint8_t bad[DTLS_FINGERPRINT_LEN];
	struct net *n;

	memcpy(bad, dtls_identity_fingerprint(client_id), sizeof(bad));
	bad[31] ^= 1;
	n = net_new_ids(server_id, client_id, bad,
	    dtls_identity_fingerprint(server_id));
	expect_fingerprint_failure(n, &n->s, &n->c);
	net_free(n);
}

static void
test_wrong_fingerprint_fails_client_side(void **state)
{
	struct net *n;

	/* The client expects the fingerprint of another certificate. */
	n = net_new_ids(server_id, client_id,
	    dtls_identity_fingerprint(client_id),
	    dtls_identity_fingerprint(client_id));
	expect_fingerprint_failure(n, &n->c, &n->s);
	net_free(n);
}

static void
test_fingerprint_after_handshake_completes_or_fails_it(void **state)
{
	struct dtls_srtp_keys k;
	uint8_t bad[DTLS_FINGERPRINT_LEN];
	struct net *n;

	/* The ClientHello beat the SDP answer: the server learns the
	 * fingerprint only after the handshake. */
	n = net_new_ids(server_id, client_id, NULL,
	    dtls_identity_fingerprint(server_id));
	net_start(n);
	pump(n);
	assert_int_equal(dtls_state(n->c.d), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(dtls_srtp_keys(n->s.d, &k), -1);
	assert_int_equal(dtls_set_remote_fingerprint(n->s.d,
	    dtls_identity_fingerprint(client_id)), DTLS_STATE_CONNECTED);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	/* a re-offer with the same fingerprint changes nothing... */
	assert_int_equal(dtls_set_remote_fingerprint(n->s.d,
	    dtls_identity_fingerprint(client_id)), DTLS_STATE_CONNECTED);
	/* ...another one ends the transport */
	memcpy(bad, dtls_identity_fingerprint(client_id), sizeof(bad));
	bad[0] ^= 0x80;
	assert_int_equal(dtls_set_remote_fingerprint(n->s.d, bad),
	    DTLS_STATE_FAILED);
	net_free(n);

	n = net_new_ids(server_id, client_id, NULL,
	    dtls_identity_fingerprint(server_id));
	net_start(n);
	pump(n);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(dtls_set_remote_fingerprint(n->s.d, bad),
	    DTLS_STATE_FAILED);
	assert_string_equal(dtls_reason(n->s.d),
	    "peer certificate does not match the SDP fingerprint");
	assert_int_equal(dtls_srtp_keys(n->s.d, &k), -1);
	net_free(n);
}

static void
test_client_hello_before_start_starts_the_server(void **state)
{
	struct net *n = net_new();

	assert_int_equal(dtls_start(n->c.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_NEW);
	pump(n);
	assert_connected(n);
	net_free(n);
}

/* --- loss, order, garbage ------------------------------------------------ */

/* Datagram counts of each flight in a clean handshake: ClientHello (1),
 * the server's hello flight, the client's key flight, the server's
 * ChangeCipherSpec + Finished. */
struct flights {
	unsigned server_hello;
	unsigned client_keys;
	unsigned server_finished;
};

static struct flights
count_flights(void)
{
	struct net *n = net_new();
	struct flights f;

	net_start(n);
	assert_int_equal(n->c.n, 1);
	deliver(n, &n->c, &n->s);
	f.server_hello = (unsigned)n->s.n;
	deliver(n, &n->s, &n->c);
	f.client_keys = (unsigned)n->c.n;
	deliver(n, &n->c, &n->s);
	f.server_finished = (unsigned)n->s.n;
	deliver(n, &n->s, &n->c);
	assert_connected(n);
	net_free(n);
	/* OpenSSL packs each flight into as few datagrams as the MTU
	 * allows: one each here. */
	assert_true(f.server_hello >= 1);       /* SH, Cert, SKE, CR, SHD */
	assert_true(f.client_keys >= 1);        /* Cert, CKE, CV, CCS, Fin */
	assert_true(f.server_finished >= 1);    /* CCS, Fin */
	return f;
}

static struct net *
net_lossy(uint64_t server_drop, uint64_t client_drop)
{
	struct net *n = net_new();

	assert_int_equal(dtls_set_initial_timeout(n->s.d, RTO_MS), 0);
	assert_int_equal(dtls_set_initial_timeout(n->c.d, RTO_MS), 0);
	n->s.drop = server_drop;
	n->c.drop = client_drop;
	return n;
}

static void
test_lost_client_hello_is_resent_on_timeout(void **state)
{
	struct net *n = net_lossy(0, 1);
	long t;

	net_start(n);
	assert_int_equal(n->c.n, 0);
	assert_int_equal(n->c.dropped, 1);
	t = dtls_timeout_ms(n->c.d);
	assert_true(t >= 0 && t <= RTO_MS);
	assert_int_equal(dtls_timeout_ms(n->s.d), -1);
	/* not yet due: nothing happens (unless the clock raced past it) */
	if (t > 1) {
		dtls_handle_timeout(n->c.d);
		assert_int_equal(n->c.n, 0);
	}
	sleep_ms(t);
	assert_int_equal(dtls_timeout_ms(n->c.d), 0);
	assert_int_equal(dtls_handle_timeout(n->c.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(n->c.n, 1);            /* sent again */
	/* the timer backs off: the next one is about twice as long */
	t = dtls_timeout_ms(n->c.d);
	assert_true(t > RTO_MS && t <= 2 * RTO_MS);
	assert_true(run(n) == 0);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
}

static void
test_lost_server_flight_is_recovered(void **state)
{
	struct flights f = count_flights();
	struct net *n = net_lossy((1ull << f.server_hello) - 1, 0);

	net_start(n);
	assert_true(run(n) >= 1);
	assert_int_equal(n->s.dropped, f.server_hello);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
}

static void
test_lost_final_flight_is_resent_by_the_finished_server(void **state)
{
	struct flights f = count_flights();
	uint64_t last = ((1ull << f.server_finished) - 1) << f.server_hello;
	struct net *n = net_lossy(last, 0);

	net_start(n);
	pump(n);
	/* The server is done; the client still waits for its Finished. */
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_state(n->c.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(n->s.dropped, f.server_finished);
	assert_true(dtls_timeout_ms(n->c.d) >= 0);
	assert_true(run(n) >= 1);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
}

static void
test_every_single_lost_datagram_is_recovered(void **state)
{
	struct flights f = count_flights();
	unsigned total_s = f.server_hello + f.server_finished;
	unsigned total_c = 1 + f.client_keys;

	for (unsigned i = 0; i < total_s + total_c; i++) {
		struct net *n = i < total_s ? net_lossy(1ull << i, 0) :
		    net_lossy(0, 1ull << (i - total_s));

		net_start(n);
		run(n);
		assert_connected(n);
		assert_int_equal(n->s.dropped + n->c.dropped, 1);
		assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
		net_free(n);
	}
}

static void
test_reordered_datagrams_complete_the_handshake(void **state)
{
	struct net *n = net_new();

	n->order = ORDER_REVERSED;
	assert_int_equal(dtls_set_initial_timeout(n->s.d, RTO_MS), 0);
	assert_int_equal(dtls_set_initial_timeout(n->c.d, RTO_MS), 0);
	net_start(n);
	/* Out-of-order messages are buffered, not retransmitted for. */
	assert_int_equal(run(n), 0);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
}

static void
test_coalesced_records_in_one_datagram_complete_the_handshake(void **state)
{
	struct net *n = net_new();

	/* BoringSSL (Chromium) packs a whole flight into one datagram. */
	n->order = ORDER_COALESCED;
	net_start(n);
	pump(n);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
}

static void
fill_random(uint8_t *buf, size_t len, unsigned *seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rand_r(seed);
}

/* Garbage of several shapes: random bytes with a DTLS first byte, and
 * well-formed DTLS 1.2 record headers (handshake, CCS, alert, app data;
 * epoch 0 and 1) around random bodies. */
static void
send_garbage(struct dtls *d, unsigned *seed, int count)
{
	static const uint8_t types[] = {20, 21, 22, 23, 25, 63};
	uint8_t g[1300];

	for (int i = 0; i < count; i++) {
		size_t len = 1 + (size_t)rand_r(seed) % sizeof(g);

		fill_random(g, len, seed);
		g[0] = types[(unsigned)rand_r(seed) % sizeof(types)];
		if (i % 2 == 0 && len >= 13) {
			size_t body = len - 13;

			g[1] = 0xfe;
			g[2] = (i % 4 == 0) ? 0xfd : 0xff;
			g[3] = 0;
			g[4] = (uint8_t)(i % 8 == 0);   /* epoch */
			g[11] = (uint8_t)(body >> 8);
			g[12] = (uint8_t)body;
			if (g[0] == 22 && body >= 12) {
				/* a handshake header with a plausible type */
				g[13] = (uint8_t)(1 + rand_r(seed) % 20);
			}
		}
		dtls_receive(d, g, len);
	}
}

static void
test_garbage_during_handshake_is_dropped(void **state)
{
	unsigned seed = 7;

	/* Random bytes, and record headers around random bodies, are dropped
	 * before OpenSSL sees them (OpenSSL 3.0 itself would answer many of
	 * them with a fatal alert); neither side sends anything in reply,
	 * and the handshake completes without a retransmission. */
	for (int round = 0; round < 20; round++) {
		struct net *n = net_new();

		assert_int_equal(dtls_set_initial_timeout(n->s.d, RTO_MS), 0);
		assert_int_equal(dtls_set_initial_timeout(n->c.d, RTO_MS), 0);
		send_garbage(n->s.d, &seed, 5); /* before the ClientHello */
		assert_int_equal(n->s.n, 0);
		assert_int_equal(dtls_state(n->s.d), DTLS_STATE_HANDSHAKING);
		net_start(n);
		deliver(n, &n->c, &n->s);
		send_garbage(n->c.d, &seed, 5); /* before the server flight */
		send_garbage(n->s.d, &seed, 5);
		deliver(n, &n->s, &n->c);
		send_garbage(n->s.d, &seed, 5); /* before the key flight */
		send_garbage(n->c.d, &seed, 5);
		assert_int_equal(run(n), 0);
		assert_connected(n);
		assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
		assert_true(dtls_dropped(n->s.d) + dtls_dropped(n->c.d) >= 10);
		net_free(n);
	}
}

static void
test_wellformed_record_with_bogus_message_fails_cleanly(void **state)
{
	struct net *n = net_new();
	uint8_t rec[13 + 12 + 40];

	/* What gets past the filter is the protocol's business: a correctly
	 * framed ServerHello full of zeros ends the client's handshake with
	 * a reason (and an alert to the sender), as in any TLS stack. Only
	 * an on-path attacker can send it: ICE delivers datagrams from the
	 * verified peer address only. */
	memset(rec, 0, sizeof(rec));
	rec[0] = 22;
	rec[1] = 0xfe;
	rec[2] = 0xfd;
	rec[12] = 12 + 40;              /* record length */
	rec[13] = 2;                    /* ServerHello */
	rec[16] = 40;                   /* message length */
	rec[24] = 40;                   /* fragment length, offset 0 */
	net_start(n);
	n->c.n = 0;                     /* the ClientHello never arrives */
	assert_int_equal(dtls_receive(n->c.d, rec, sizeof(rec)),
	    DTLS_STATE_FAILED);
	assert_non_null(strstr(dtls_reason(n->c.d), "DTLS handshake failed"));
	assert_int_equal(dtls_dropped(n->c.d), 0);
	assert_int_equal(n->c.n, 1);            /* the fatal alert */
	assert_int_equal(n->c.q[0].buf[0], 21);
	/* failed is final */
	assert_int_equal(dtls_handle_timeout(n->c.d), DTLS_STATE_FAILED);
	assert_int_equal(dtls_timeout_ms(n->c.d), -1);
	net_free(n);
}

static void
test_garbage_after_connect_changes_nothing(void **state)
{
	struct net *n = net_new();
	unsigned seed = 11;

	net_start(n);
	pump(n);
	assert_connected(n);
	send_garbage(n->s.d, &seed, 500);
	send_garbage(n->c.d, &seed, 500);
	pump(n);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	/* a replay of the whole client flight is harmless too */
	net_free(n);
}

static void
test_close_notify_closes_the_peer(void **state)
{
	struct net *n = net_new();
	struct dtls_srtp_keys k;

	net_start(n);
	pump(n);
	assert_connected(n);
	assert_int_equal(dtls_close(n->c.d), DTLS_STATE_CLOSED);
	assert_string_equal(dtls_reason(n->c.d), "closed locally");
	assert_int_equal(n->c.n, 1);            /* the close_notify alert */
	deliver(n, &n->c, &n->s);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_CLOSED);
	assert_string_equal(dtls_reason(n->s.d), "peer sent close_notify");
	assert_int_equal(dtls_srtp_keys(n->s.d, &k), -1);
	/* closed is final: more input, timers and closes change nothing */
	assert_int_equal(n->s.n, 1);            /* its own close_notify */
	deliver(n, &n->s, &n->c);
	assert_int_equal(dtls_state(n->c.d), DTLS_STATE_CLOSED);
	assert_int_equal(dtls_handle_timeout(n->s.d), DTLS_STATE_CLOSED);
	assert_int_equal(dtls_close(n->s.d), DTLS_STATE_CLOSED);
	assert_int_equal(dtls_timeout_ms(n->s.d), -1);
	net_free(n);
}

static void
test_close_during_handshake_is_final(void **state)
{
	struct net *n = net_new();

	net_start(n);
	deliver(n, &n->c, &n->s);
	assert_int_equal(dtls_close(n->s.d), DTLS_STATE_CLOSED);
	n->s.n = 0;
	deliver(n, &n->c, &n->s);
	assert_int_equal(dtls_state(n->s.d), DTLS_STATE_CLOSED);
	net_free(n);
}

/* --- certificates from the openssl command; the MTU --------------------- */

static struct dtls_identity *
cli_identity(const char *dir, const char *name, const char *keyopts,
    const char *extra)
{
	char cert[128], key[128];
	struct dtls_identity *id;

	snprintf(cert, sizeof(cert), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	sh("openssl req -x509 %s -nodes -days 2 -subj /CN=%s %s "
	    "-keyout %s -out %s 2>/dev/null", keyopts, name, extra, key, cert);
	id = dtls_identity_load(cert, key);
	assert_non_null(id);
	return id;
}

static void
test_rsa_client_certificate_from_openssl_cli_connects(void **state)
{
	struct dtls_identity *rsa;
	struct net *n;
	char dir[64];

	/* GStreamer's DTLS uses RSA-2048 certificates. */
	make_tmpdir(dir);
	rsa = cli_identity(dir, "gst", "-newkey rsa:2048", "");
	n = net_new_ids(server_id, rsa, dtls_identity_fingerprint(rsa),
	    dtls_identity_fingerprint(server_id));
	assert_int_equal(dtls_set_srtp_profiles(n->c.d,
	    "SRTP_AES128_CM_SHA1_80"), 0);
	dtls_identity_free(rsa);        /* endpoints keep what they need */
	net_start(n);
	pump(n);
	assert_connected(n);
	assert_keys_mirrored(n, DTLS_SRTP_AES128_CM_SHA1_80);
	net_free(n);
	tmpdir_remove(dir);
}

static void
test_certificate_larger_than_mtu_is_fragmented(void **state)
{
	struct dtls_identity *big;
	char dir[64], san[4096], path[128];
	size_t off;
	struct net *n;
	struct stat st;

	make_tmpdir(dir);
	off = (size_t)snprintf(san, sizeof(san), "-addext subjectAltName=");
	for (int i = 0; i < 60; i++)
		off += (size_t)snprintf(san + off, sizeof(san) - off,
		    "%sDNS:host%02d.buergerbuero.example.org", i ? "," : "", i);
	big = cli_identity(dir, "big",
	    "-newkey ec -pkeyopt ec_paramgen_curve:P-256", san);
	/* DER size > MTU: PEM is 4/3 of it plus headers */
	snprintf(path, sizeof(path), "%s/big.crt", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size * 3 / 4 > 1400);

	n = net_new_ids(big, client_id, dtls_identity_fingerprint(client_id),
	    dtls_identity_fingerprint(big));
	net_start(n);
	pump(n);
	assert_connected(n);
	/* send_cb asserts every datagram <= DTLS_MTU; fragments fill it */
	assert_true(n->s.max_len > 1000);
	assert_true(n->s.max_len <= DTLS_MTU);
	assert_keys_mirrored(n, DTLS_SRTP_AEAD_AES_128_GCM);
	net_free(n);
	dtls_identity_free(big);
	tmpdir_remove(dir);
}

/* --- against the openssl command over UDP on 127.0.0.1 ------------------- */

static int udp_fd = -1;

static void
udp_send_cb(const uint8_t *buf, size_t len, void *user)
{
	assert_true(len <= DTLS_MTU);
	(void)send(udp_fd, buf, len, 0);
}

static int
free_udp_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Hex of "Keying material: ..." from s_server's output, or "". */
static void
keying_material(const char *path, char *out, size_t len)
{
	static char text[65536];
	const char *p, *e;

	out[0] = '\0';
	read_file(path, text, sizeof(text));
	if ((p = strstr(text, "Keying material: ")) == NULL)
		return;
	p += strlen("Keying material: ");
	for (e = p; (*e >= '0' && *e <= '9') || (*e >= 'A' && *e <= 'F') ||
	    (*e >= 'a' && *e <= 'f'); e++)
		;
	snprintf(out, len, "%.*s", (int)(e - p), p);
}

static void
hex(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

static void
interop_with_s_server(const char *profile, size_t salt_len)
{
	char dir[64], cert[128], key[128], log[128], km[256], want[256];
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct dtls_srtp_keys k;
	struct dtls_identity *sid;
	struct dtls *d;
	pid_t pid;
	int port = free_udp_port(), in[2];
	size_t kl = 16, sl = salt_len;

	make_tmpdir(dir);
	snprintf(cert, sizeof(cert), "%s/s.crt", dir);
	snprintf(key, sizeof(key), "%s/s.key", dir);
	snprintf(log, sizeof(log), "%s/s_server.out", dir);
	sid = cli_identity(dir, "s", "-newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256", "");
	/* s_server quits at EOF on stdin: give it a pipe we hold open. */
	assert_int_equal(pipe(in), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char accept[32], kmlen[8];
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0)
			_exit(127);
		dup2(in[0], 0);
		close(in[1]);
		dup2(fd, 1);
		dup2(fd, 2);
		snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
		snprintf(kmlen, sizeof(kmlen), "%zu", 2 * (kl + sl));
		execlp("openssl", "openssl", "s_server", "-dtls1_2",
		    "-accept", accept, "-cert", cert, "-key", key,
		    "-verify", "1", "-use_srtp", profile,
		    "-keymatexport", "EXTRACTOR-dtls_srtp",
		    "-keymatexportlen", kmlen, "-mtu", "1200", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(udp_fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(udp_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	d = dtls_new(client_id, DTLS_ROLE_CLIENT,
	    dtls_identity_fingerprint(sid), udp_send_cb, NULL);
	assert_non_null(d);
	assert_int_equal(dtls_set_initial_timeout(d, 100), 0);
	dtls_start(d);
	/* s_server needs a moment to bind; the retransmission timer covers
	 * a ClientHello sent before it listens (ECONNREFUSED is ignored). */
	for (int i = 0; i < 200 && dtls_state(d) == DTLS_STATE_HANDSHAKING;
	    i++) {
		struct pollfd p = {.fd = udp_fd, .events = POLLIN};
		long t = dtls_timeout_ms(d);
		uint8_t buf[2048];
		ssize_t r;

		if (poll(&p, 1, t < 0 ? 50 : (int)t) > 0) {
			if ((r = recv(udp_fd, buf, sizeof(buf), 0)) > 0)
				dtls_receive(d, buf, (size_t)r);
		} else {
			dtls_handle_timeout(d);
		}
	}
	if (dtls_state(d) != DTLS_STATE_CONNECTED)
		fail_msg("against s_server: %s (%s)",
		    dtls_state_name(dtls_state(d)), dtls_reason(d));
	assert_int_equal(dtls_srtp_keys(d, &k), 0);
	dtls_close(d);
	/* s_server prints the keying material once the handshake is done */
	for (int i = 0; i < 100; i++) {
		keying_material(log, km, sizeof(km));
		if (strlen(km) == 4 * (kl + sl))
			break;
		sleep_ms(20);
	}
	close(in[1]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(udp_fd);
	udp_fd = -1;
	/* RFC 5764: client key | server key | client salt | server salt;
	 * we are the client, so local is the client's half. */
	assert_int_equal(strlen(km), 4 * (kl + sl));
	hex(k.local, kl, want);
	assert_memory_equal(km, want, 2 * kl);
	hex(k.remote, kl, want);
	assert_memory_equal(km + 2 * kl, want, 2 * kl);
	hex(k.local + kl, sl, want);
	assert_memory_equal(km + 4 * kl, want, 2 * sl);
	hex(k.remote + kl, sl, want);
	assert_memory_equal(km + 4 * kl + 2 * sl, want, 2 * sl);
	dtls_free(d);
	dtls_identity_free(sid);
	tmpdir_remove(dir);
}

static void
test_key_layout_matches_openssl_s_server_export(void **state)
{
	interop_with_s_server("SRTP_AEAD_AES_128_GCM", 12);
	interop_with_s_server("SRTP_AES128_CM_SHA1_80", 14);
}

/* --- API edges ----------------------------------------------------------- */

static void
test_settings_only_before_start_and_misuse_is_refused(void **state)
{
	struct net *n = net_new();
	struct dtls_srtp_keys k;
	uint8_t b = 0;

	assert_int_equal(dtls_set_srtp_profiles(n->c.d, "SRTP_BOGUS"), -1);
	assert_int_equal(dtls_set_srtp_profiles(n->c.d, ""), -1);
	assert_int_equal(dtls_set_initial_timeout(n->c.d, 0), -1);
	assert_int_equal(dtls_srtp_keys(n->c.d, &k), -1);
	assert_int_equal(dtls_timeout_ms(n->s.d), -1);
	assert_int_equal(dtls_receive(n->c.d, &b, 0), DTLS_STATE_HANDSHAKING);
	n->c.n = 0;
	net_free(n);

	n = net_new();
	net_start(n);
	assert_int_equal(dtls_set_srtp_profiles(n->c.d,
	    "SRTP_AES128_CM_SHA1_80"), -1);
	assert_int_equal(dtls_set_initial_timeout(n->c.d, 5), -1);
	assert_int_equal(dtls_start(n->c.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(n->c.n, 1);            /* no second ClientHello */
	net_free(n);

	dtls_free(NULL);
	dtls_identity_free(NULL);
	assert_true(dtls_is_dtls((const uint8_t *)"\x16", 1));
	assert_true(dtls_is_dtls((const uint8_t *)"\x14", 1));
	assert_true(dtls_is_dtls((const uint8_t *)"\x3f", 1));
	assert_false(dtls_is_dtls((const uint8_t *)"\x13", 1));
	assert_false(dtls_is_dtls((const uint8_t *)"\x40", 1));
	assert_false(dtls_is_dtls((const uint8_t *)"\x80", 1));
	assert_false(dtls_is_dtls((const uint8_t *)"\x00", 1));
	assert_false(dtls_is_dtls((const uint8_t *)"\x16", 0));
	assert_string_equal(dtls_state_name(DTLS_STATE_CONNECTED),
	    "connected");
	assert_string_equal(dtls_srtp_profile_name(DTLS_SRTP_AEAD_AES_128_GCM),
	    "AEAD_AES_128_GCM");
	assert_string_equal(dtls_srtp_profile_name(
	    DTLS_SRTP_AES128_CM_SHA1_80), "AES_CM_128_HMAC_SHA1_80");
	assert_string_equal(dtls_srtp_profile_name(DTLS_SRTP_NONE), "none");
}

static void
test_many_handshakes_share_one_identity(void **state)
{
	struct net *n[8];

	for (size_t i = 0; i < 8; i++) {
		n[i] = net_new();
		net_start(n[i]);
	}
	for (size_t i = 0; i < 8; i++) {
		pump(n[i]);
		assert_connected(n[i]);
	}
	for (size_t i = 0; i < 8; i++)
		net_free(n[i]);
}

static int
group_setup(void **state)
{
	server_id = dtls_identity_generate();
	client_id = dtls_identity_generate();
	return server_id != NULL && client_id != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	dtls_identity_free(server_id);
	dtls_identity_free(client_id);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_fingerprint_string_is_sdp_form_upper_case_hex),
		cmocka_unit_test(
		    test_fingerprint_parse_accepts_sdp_variants_refuses_others),
		cmocka_unit_test(
		    test_identity_saved_as_pem_loads_with_same_fingerprint),
		cmocka_unit_test(
		    test_identity_load_refuses_missing_and_mismatched_files),
		cmocka_unit_test(test_handshake_connects_with_mirrored_gcm_keys),
		cmocka_unit_test(test_client_offering_only_cm_gets_cm),
		cmocka_unit_test(
		    test_server_picks_gcm_even_if_client_lists_cm_first),
		cmocka_unit_test(test_no_common_srtp_profile_fails_both_sides),
		cmocka_unit_test(test_wrong_fingerprint_fails_server_side),
		cmocka_unit_test(test_wrong_fingerprint_fails_client_side),
		cmocka_unit_test(
		    test_fingerprint_after_handshake_completes_or_fails_it),
		cmocka_unit_test(
		    test_client_hello_before_start_starts_the_server),
		cmocka_unit_test(test_lost_client_hello_is_resent_on_timeout),
		cmocka_unit_test(test_lost_server_flight_is_recovered),
		cmocka_unit_test(
		    test_lost_final_flight_is_resent_by_the_finished_server),
		cmocka_unit_test(test_every_single_lost_datagram_is_recovered),
		cmocka_unit_test(
		    test_reordered_datagrams_complete_the_handshake),
		cmocka_unit_test(
		    test_coalesced_records_in_one_datagram_complete_the_handshake),
		cmocka_unit_test(test_garbage_during_handshake_is_dropped),
		cmocka_unit_test(
		    test_wellformed_record_with_bogus_message_fails_cleanly),
		cmocka_unit_test(test_garbage_after_connect_changes_nothing),
		cmocka_unit_test(test_close_notify_closes_the_peer),
		cmocka_unit_test(test_close_during_handshake_is_final),
		cmocka_unit_test(
		    test_rsa_client_certificate_from_openssl_cli_connects),
		cmocka_unit_test(
		    test_certificate_larger_than_mtu_is_fragmented),
		cmocka_unit_test(
		    test_key_layout_matches_openssl_s_server_export),
		cmocka_unit_test(
		    test_settings_only_before_start_and_misuse_is_refused),
		cmocka_unit_test(test_many_handshakes_share_one_identity),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
