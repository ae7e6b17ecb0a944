/*
 * dtls: DTLS 1.2 handshakes for WebRTC transports; see dtls.h.
 *
 * Owns the OpenSSL objects of the identity (key, certificate, SSL_CTX) and
 * of each endpoint (SSL and its BIO). The BIO is our own: a write is one
 * datagram handed to the send callback, a read returns the one datagram
 * dtls_receive() is feeding, whole, or "retry". A memory BIO would merge
 * datagrams and lose their boundaries.
 *
 * Never logs or returns key material except through dtls_srtp_keys(); wipes
 * it on free. Allocates only in dtls_new() and inside OpenSSL's handshake.
 */
#include "dtls.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"

#define DTLS_CERT_CN "klopfd"
#define DTLS_CERT_DAYS 365
#define DTLS_TIMEOUT_MAX_US 60000000u   /* RFC 6347 4.2.4.1 */
#define DTLS_EXPORTER_LABEL "EXTRACTOR-dtls_srtp"
#define DTLS_REASON_MAX 160
#define DTLS_READ_SCRATCH 2048          /* application data we discard */
/* OpenSSL 3.0 packs a flight's records into one datagram, but counts an
 * AEAD record (the encrypted Finished) without its explicit nonce and tag
 * (8 + 16 bytes): a flight of DTLS_MTU would leave as 1224 bytes. Giving
 * OpenSSL a link MTU that much smaller keeps every datagram within. */
#define DTLS_AEAD_SLACK 24

struct dtls_identity {
	EVP_PKEY *key;
	X509 *cert;
	SSL_CTX *ctx;
	uint8_t fp[DTLS_FINGERPRINT_LEN];
	char fp_str[DTLS_FINGERPRINT_STR_MAX];
};

struct dtls {
	SSL *ssl;               /* owns the BIO */
	enum dtls_role role;
	enum dtls_state state;
	dtls_send_fn send;
	void *user;
	const uint8_t *in;      /* datagram being fed, NULL once read */
	size_t in_len;
	bool have_remote_fp;
	bool handshake_done;    /* OpenSSL finished; fingerprint may be due */
	bool fp_mismatch;       /* the verify callback refused the peer */
	enum dtls_failure failure;
	uint64_t dropped;       /* datagrams refused before OpenSSL saw them */
	unsigned initial_timeout_us;
	uint8_t remote_fp[DTLS_FINGERPRINT_LEN];
	struct dtls_srtp_keys keys;
	char reason[DTLS_REASON_MAX];
};

static BIO_METHOD *dtls_bio_method;
static CRYPTO_ONCE dtls_bio_once = CRYPTO_ONCE_STATIC_INIT;

/* --- helpers ------------------------------------------------------------- */

static void
set_reason(struct dtls *d, const char *why)
{
	snprintf(d->reason, sizeof(d->reason), "%s", why);
}

/* The first queued OpenSSL error as text, then clears the queue. */
static const char *
ssl_error_text(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (e == 0)
		return "no OpenSSL error";
	ERR_error_string_n(e, buf, len);
	return buf;
}

static void
fail_as(struct dtls *d, enum dtls_failure kind, const char *why)
{
	set_reason(d, why);
	if (d->failure == DTLS_FAIL_NONE)
		d->failure = kind;
	d->state = DTLS_STATE_FAILED;
}

static void
fail(struct dtls *d, const char *why)
{
	fail_as(d, DTLS_FAIL_HANDSHAKE, why);
}

/* After an SSL_* call returned ret <= 0: fails the endpoint unless OpenSSL
 * only waits for more input. */
static void
check_ssl_result(struct dtls *d, int ret, const char *what)
{
	char err[120];
	int e = SSL_get_error(d->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		set_reason(d, "peer sent close_notify");
		d->state = DTLS_STATE_CLOSED;
		/* Answer with ours; the result does not matter any more. */
		(void)SSL_shutdown(d->ssl);
		ERR_clear_error();
		return;
	default:
		break;
	}
	if (d->fp_mismatch) {
		ERR_clear_error();
		fail_as(d, DTLS_FAIL_FINGERPRINT,
		    "peer certificate does not match the SDP fingerprint");
		return;
	}
	snprintf(d->reason, sizeof(d->reason), "%s failed: %s", what,
	    ssl_error_text(err, sizeof(err)));
	if (d->failure == DTLS_FAIL_NONE)
		d->failure = DTLS_FAIL_HANDSHAKE;
	d->state = DTLS_STATE_FAILED;
}

static int
cert_fingerprint(X509 *cert, uint8_t out[DTLS_FINGERPRINT_LEN])
{
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha256(), out, &n) != 1 ||
	    n != DTLS_FINGERPRINT_LEN)
		return -1;
	return 0;
}

/* --- the datagram BIO ---------------------------------------------------- */

static int
bio_write(BIO *b, const char *buf, int len)
{
	struct dtls *d = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (d == NULL || len < 0)
		return -1;
	if (len > 0)
		d->send((const uint8_t *)buf, (size_t)len, d->user);
	return len;
}

static int
bio_read(BIO *b, char *buf, int len)
{
	struct dtls *d = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (d == NULL || d->in == NULL || len <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* A datagram longer than the buffer is truncated, as recv() would. */
	n = d->in_len < (size_t)len ? d->in_len : (size_t)len;
	memcpy(buf, d->in, n);
	d->in = NULL;
	d->in_len = 0;
	return (int)n;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;       /* every write already left as a datagram */
	case BIO_CTRL_PENDING:
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 0;       /* the caller's UDP/IP headers are outside MTU */
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	BIO_set_data(b, NULL);
	return 1;
}

static int
bio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

static void
bio_method_init(void)
{
	BIO_METHOD *m;
	int idx = BIO_get_new_index();

	if (idx == -1)
		return;
	m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK, "klopf dtls datagram");
	if (m == NULL)
		return;
	if (BIO_meth_set_write(m, bio_write) != 1 ||
	    BIO_meth_set_read(m, bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
	    BIO_meth_set_create(m, bio_create) != 1 ||
	    BIO_meth_set_destroy(m, bio_destroy) != 1) {
		BIO_meth_free(m);
		return;
	}
	dtls_bio_method = m;
}

/* --- identity ------------------------------------------------------------ */

/* WebRTC peers present self-signed certificates: the chain is never
 * trusted, only the fingerprint from the SDP. If that is known here the
 * handshake stops with an alert on a mismatch; if not, the check waits
 * for dtls_set_remote_fingerprint(). */
static int
verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	X509 *cert = X509_STORE_CTX_get0_cert(xs);
	uint8_t fp[DTLS_FINGERPRINT_LEN];
	struct dtls *d;

	if (ssl == NULL || cert == NULL ||
	    (d = SSL_get_app_data(ssl)) == NULL)
		return 0;
	if (!d->have_remote_fp)
		return 1;
	if (cert_fingerprint(cert, fp) == 0 &&
	    CRYPTO_memcmp(fp, d->remote_fp, sizeof(fp)) == 0)
		return 1;
	d->fp_mismatch = true;
	X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
	return 0;
}

static int
no_password_cb(char *buf, int size, int rwflag, void *u)
{
	return 0;       /* encrypted keys are refused, never prompted for */
}

static SSL_CTX *
make_ctx(EVP_PKEY *key, X509 *cert)
{
	SSL_CTX *ctx = SSL_CTX_new(DTLS_method());

	if (ctx == NULL)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    /* Returns 0 on success, unlike nearly all of OpenSSL. */
	    SSL_CTX_set_tlsext_use_srtp(ctx, DTLS_SRTP_PROFILES_DEFAULT) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx,
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

/* Takes ownership of key and cert, also on failure. */
static struct dtls_identity *
identity_from(EVP_PKEY *key, X509 *cert)
{
	struct dtls_identity *id = calloc(1, sizeof(*id));

	if (id == NULL)
		goto fail;
	id->key = key;
	id->cert = cert;
	if (cert_fingerprint(cert, id->fp) != 0 ||
	    (id->ctx = make_ctx(key, cert)) == NULL) {
		dtls_identity_free(id);
		return NULL;
	}
	dtls_fingerprint_format(id->fp, id->fp_str);
	return id;
fail:
	EVP_PKEY_free(key);
	X509_free(cert);
	return NULL;
}

struct dtls_identity *
dtls_identity_generate(void)
{
	EVP_PKEY *key;
	X509 *cert = NULL;
	X509_NAME *name;
	BIGNUM *serial = NULL;
	char err[120];

	ERR_clear_error();
	if ((key = EVP_EC_gen("P-256")) == NULL)
		goto fail;
	if ((cert = X509_new()) == NULL || (serial = BN_new()) == NULL)
		goto fail;
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -86400L) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert),
	        86400L * DTLS_CERT_DAYS) == NULL ||
	    X509_set_pubkey(cert, key) != 1)
		goto fail;
	name = X509_get_subject_name(cert);
	if (name == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	        (const unsigned char *)DTLS_CERT_CN, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(cert, name) != 1 ||
	    X509_sign(cert, key, EVP_sha256()) <= 0)
		goto fail;
	BN_free(serial);
	return identity_from(key, cert);
fail:
	log_error("dtls: cannot generate a certificate: %s",
	    ssl_error_text(err, sizeof(err)));
	BN_free(serial);
	X509_free(cert);
	EVP_PKEY_free(key);
	return NULL;
}

struct dtls_identity *
dtls_identity_load(const char *cert_path, const char *key_path)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *b;
	char err[120];
	struct dtls_identity *id;

	ERR_clear_error();
	if ((b = BIO_new_file(cert_path, "r")) == NULL ||
	    (cert = PEM_read_bio_X509(b, NULL, no_password_cb, NULL)) == NULL) {
		log_error("dtls: %s: cannot read a PEM certificate: %s",
		    cert_path, ssl_error_text(err, sizeof(err)));
		BIO_free(b);
		return NULL;
	}
	BIO_free(b);
	if ((b = BIO_new_file(key_path, "r")) == NULL ||
	    (key = PEM_read_bio_PrivateKey(b, NULL, no_password_cb,
	        NULL)) == NULL) {
		log_error("dtls: %s: cannot read an unencrypted PEM private "
		    "key: %s", key_path, ssl_error_text(err, sizeof(err)));
		BIO_free(b);
		X509_free(cert);
		return NULL;
	}
	BIO_free(b);
	if ((id = identity_from(key, cert)) == NULL)
		log_error("dtls: %s does not belong to %s, or OpenSSL failed: %s",
		    key_path, cert_path, ssl_error_text(err, sizeof(err)));
	return id;
}

static int
write_pem(const char *path, mode_t mode, const struct dtls_identity *id,
    bool key)
{
	FILE *f;
	int fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1 || (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, id->key, NULL, NULL, 0, NULL, NULL)
	    : PEM_write_X509(f, id->cert);
	if (fclose(f) != 0)
		ok = 0;
	return ok == 1 ? 0 : -1;
}

int
dtls_identity_save(const struct dtls_identity *id, const char *cert_path,
    const char *key_path)
{
	char err[120];

	ERR_clear_error();
	if (write_pem(key_path, 0600, id, true) != 0) {
		log_error("dtls: %s: cannot write the private key: %s",
		    key_path, ssl_error_text(err, sizeof(err)));
		return -1;
	}
	if (write_pem(cert_path, 0644, id, false) != 0) {
		log_error("dtls: %s: cannot write the certificate: %s",
		    cert_path, ssl_error_text(err, sizeof(err)));
		return -1;
	}
	return 0;
}

void
dtls_identity_free(struct dtls_identity *id)
{
	if (id == NULL)
		return;
	SSL_CTX_free(id->ctx);
	X509_free(id->cert);
	EVP_PKEY_free(id->key);
	free(id);
}

const uint8_t *
dtls_identity_fingerprint(const struct dtls_identity *id)
{
	return id->fp;
}

const char *
dtls_identity_fingerprint_str(const struct dtls_identity *id)
{
	return id->fp_str;
}

void
dtls_fingerprint_format(const uint8_t fp[DTLS_FINGERPRINT_LEN],
    char out[DTLS_FINGERPRINT_STR_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	char *p = out;

	memcpy(p, "sha-256 ", 8);
	p += 8;
	for (size_t i = 0; i < DTLS_FINGERPRINT_LEN; i++) {
		if (i > 0)
			*p++ = ':';
		*p++ = hex[fp[i] >> 4];
		*p++ = hex[fp[i] & 0x0f];
	}
	*p = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dtls_fingerprint_parse(const char *s, uint8_t out[DTLS_FINGERPRINT_LEN])
{
	uint8_t fp[DTLS_FINGERPRINT_LEN];

	if (strncasecmp(s, "sha-256", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
		return -1;
	s += 7;
	while (*s == ' ' || *s == '\t')
		s++;
	for (size_t i = 0; i < DTLS_FINGERPRINT_LEN; i++) {
		int hi, lo;

		if (i > 0 && *s++ != ':')
			return -1;
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			return -1;
		fp[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s != '\0')
		return -1;
	memcpy(out, fp, sizeof(fp));
	return 0;
}

/* --- endpoint ------------------------------------------------------------ */

static uint32_t
get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Handshake fragments filling a plaintext record exactly: a known message
 * type, each fragment inside its message (RFC 6347 4.2.2). */
static bool
fragments_plausible(const uint8_t *p, size_t len)
{
	if (len == 0)
		return false;
	while (len > 0) {
		uint32_t mlen, off, flen;

		if (len < DTLS1_HM_HEADER_LENGTH)
			return false;
		switch (p[0]) {
		case SSL3_MT_CLIENT_HELLO:
		case SSL3_MT_SERVER_HELLO:
		case DTLS1_MT_HELLO_VERIFY_REQUEST:
		case SSL3_MT_CERTIFICATE:
		case SSL3_MT_SERVER_KEY_EXCHANGE:
		case SSL3_MT_CERTIFICATE_REQUEST:
		case SSL3_MT_SERVER_DONE:
		case SSL3_MT_CERTIFICATE_VERIFY:
		case SSL3_MT_CLIENT_KEY_EXCHANGE:
		case SSL3_MT_NEWSESSION_TICKET:
			break;
		default:
			return false;   /* Finished and later are encrypted */
		}
		mlen = get24(p + 1);
		off = get24(p + 6);
		flen = get24(p + 9);
		if (off > mlen || flen > mlen - off ||
		    flen > len - DTLS1_HM_HEADER_LENGTH)
			return false;
		p += DTLS1_HM_HEADER_LENGTH + flen;
		len -= DTLS1_HM_HEADER_LENGTH + flen;
	}
	return true;
}

int
dtls_is_dtls(const uint8_t *buf, size_t len)
{
	return len > 0 && buf[0] >= 20 && buf[0] <= 63;
}

/* The smallest protected record body: AES-GCM's 8-byte explicit nonce
 * and 16-byte tag (CBC suites need more: a 16-byte IV and a MAC). */
#define DTLS_MIN_PROTECTED 24

/* Walks the DTLS records of a datagram (RFC 6347 4.1) and says whether
 * OpenSSL may see it. OpenSSL 3.0 drops records it cannot authenticate,
 * but answers a well-framed plaintext (epoch 0) record it does not expect
 * with a fatal alert: one stray datagram would end the handshake. So
 * epoch-0 records must look like what a peer really sends: a one-byte
 * ChangeCipherSpec, a two-byte alert, or handshake fragments whose headers
 * add up; no application data. Encrypted records pass to OpenSSL. */
static bool
records_plausible(const uint8_t *p, size_t len)
{
	while (len > 0) {
		size_t rlen;
		unsigned epoch;
		const uint8_t *body;

		if (len < DTLS1_RT_HEADER_LENGTH || p[0] < 20 || p[0] > 23 ||
		    p[1] != 0xfe || (p[2] != 0xff && p[2] != 0xfd))
			return false;
		epoch = (unsigned)p[3] << 8 | p[4];
		rlen = (size_t)p[11] << 8 | p[12];
		if (rlen > len - DTLS1_RT_HEADER_LENGTH)
			return false;
		body = p + DTLS1_RT_HEADER_LENGTH;
		/* Only epoch 1 follows 0 (no renegotiation). Its records are
		 * protected: an explicit nonce or IV and a tag or MAC make at
		 * least DTLS_MIN_PROTECTED bytes; OpenSSL 3.0.19 fails the
		 * whole connection on a shorter one instead of dropping it. */
		if (epoch > 1 || (epoch == 1 && rlen < DTLS_MIN_PROTECTED))
			return false;
		if (epoch == 0) {
			switch (p[0]) {
			case SSL3_RT_CHANGE_CIPHER_SPEC:
				if (rlen != 1 || body[0] != 1)
					return false;
				break;
			case SSL3_RT_ALERT:
				if (rlen != 2 || (body[0] != 1 && body[0] != 2))
					return false;
				break;
			case SSL3_RT_HANDSHAKE:
				if (!fragments_plausible(body, rlen))
					return false;
				break;
			default:
				return false;
			}
		}
		p += DTLS1_RT_HEADER_LENGTH + rlen;
		len -= DTLS1_RT_HEADER_LENGTH + rlen;
	}
	return true;
}

/* Doubles from the configured start up to 60 s; OpenSSL counts the
 * retransmissions and gives up after 12. */
static unsigned int
timer_cb(SSL *ssl, unsigned int timer_us)
{
	struct dtls *d = SSL_get_app_data(ssl);

	if (timer_us == 0)
		return d != NULL ? d->initial_timeout_us :
		    DTLS_INITIAL_TIMEOUT_MS * 1000u;
	if (timer_us >= DTLS_TIMEOUT_MAX_US / 2)
		return DTLS_TIMEOUT_MAX_US;
	return timer_us * 2;
}

struct dtls *
dtls_new(struct dtls_identity *id, enum dtls_role role,
    const uint8_t *remote_fp, dtls_send_fn send, void *user)
{
	struct dtls *d;
	BIO *bio;

	if (CRYPTO_THREAD_run_once(&dtls_bio_once, bio_method_init) != 1 ||
	    dtls_bio_method == NULL || send == NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->role = role;
	d->state = DTLS_STATE_NEW;
	d->send = send;
	d->user = user;
	d->initial_timeout_us = DTLS_INITIAL_TIMEOUT_MS * 1000u;
	if (remote_fp != NULL) {
		memcpy(d->remote_fp, remote_fp, DTLS_FINGERPRINT_LEN);
		d->have_remote_fp = true;
	}
	ERR_clear_error();
	if ((d->ssl = SSL_new(id->ctx)) == NULL)
		goto fail;
	if ((bio = BIO_new(dtls_bio_method)) == NULL)
		goto fail;
	BIO_set_data(bio, d);
	SSL_set_bio(d->ssl, bio, bio);  /* takes our one reference */
	if (SSL_set_app_data(d->ssl, d) != 1)
		goto fail;
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	if (DTLS_set_link_mtu(d->ssl, DTLS_MTU - DTLS_AEAD_SLACK) != 1)
		goto fail;
	DTLS_set_timer_cb(d->ssl, timer_cb);
	if (role == DTLS_ROLE_SERVER)
		SSL_set_accept_state(d->ssl);
	else
		SSL_set_connect_state(d->ssl);
	return d;
fail:
	ERR_clear_error();
	SSL_free(d->ssl);
	free(d);
	return NULL;
}

void
dtls_free(struct dtls *d)
{
	if (d == NULL)
		return;
	SSL_free(d->ssl);
	OPENSSL_cleanse(&d->keys, sizeof(d->keys));
	free(d);
}

int
dtls_set_srtp_profiles(struct dtls *d, const char *profiles)
{
	if (d->state != DTLS_STATE_NEW)
		return -1;
	/* 0 on success, like the SSL_CTX variant. */
	if (SSL_set_tlsext_use_srtp(d->ssl, profiles) != 0) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
dtls_set_initial_timeout(struct dtls *d, unsigned ms)
{
	if (d->state != DTLS_STATE_NEW || ms == 0 ||
	    ms > DTLS_TIMEOUT_MAX_US / 1000u)
		return -1;
	d->initial_timeout_us = ms * 1000u;
	return 0;
}

static int
export_keys(struct dtls *d)
{
	const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
	uint8_t km[2 * DTLS_SRTP_MASTER_MAX];
	struct dtls_srtp_keys *k = &d->keys;
	const uint8_t *ck, *sk, *cs, *ss;
	size_t kl = 16, sl;

	if (p == NULL) {
		fail_as(d, DTLS_FAIL_SRTP, "the peer negotiated no SRTP profile");
		return -1;
	}
	switch (p->id) {
	case SRTP_AEAD_AES_128_GCM:
		k->profile = DTLS_SRTP_AEAD_AES_128_GCM;
		sl = 12;
		break;
	case SRTP_AES128_CM_SHA1_80:
		k->profile = DTLS_SRTP_AES128_CM_SHA1_80;
		sl = 14;
		break;
	default:
		fail_as(d, DTLS_FAIL_SRTP,
		    "the peer negotiated an unsupported SRTP profile");
		return -1;
	}
	if (SSL_export_keying_material(d->ssl, km, 2 * (kl + sl),
	    DTLS_EXPORTER_LABEL, strlen(DTLS_EXPORTER_LABEL), NULL, 0, 0)
	    != 1) {
		ERR_clear_error();
		OPENSSL_cleanse(km, sizeof(km));
		fail_as(d, DTLS_FAIL_SRTP, "exporting the SRTP keys failed");
		return -1;
	}
	/* RFC 5764 4.2: client key | server key | client salt | server salt */
	ck = km;
	sk = km + kl;
	cs = km + 2 * kl;
	ss = km + 2 * kl + sl;
	k->key_len = kl;
	k->salt_len = sl;
	if (d->role == DTLS_ROLE_CLIENT) {
		memcpy(k->local, ck, kl);
		memcpy(k->local + kl, cs, sl);
		memcpy(k->remote, sk, kl);
		memcpy(k->remote + kl, ss, sl);
	} else {
		memcpy(k->local, sk, kl);
		memcpy(k->local + kl, ss, sl);
		memcpy(k->remote, ck, kl);
		memcpy(k->remote + kl, cs, sl);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

/* The handshake is done and the fingerprint known: check the certificate
 * the peer really used, then export the keys. */
static void
complete(struct dtls *d)
{
	X509 *cert = SSL_get0_peer_certificate(d->ssl);
	uint8_t fp[DTLS_FINGERPRINT_LEN];

	if (cert == NULL) {
		fail(d, "the peer sent no certificate");
		return;
	}
	if (cert_fingerprint(cert, fp) != 0) {
		ERR_clear_error();
		fail(d, "cannot hash the peer certificate");
		return;
	}
	if (CRYPTO_memcmp(fp, d->remote_fp, sizeof(fp)) != 0) {
		fail_as(d, DTLS_FAIL_FINGERPRINT,
		    "peer certificate does not match the SDP fingerprint");
		return;
	}
	if (export_keys(d) != 0)
		return;
	d->reason[0] = '\0';
	d->state = DTLS_STATE_CONNECTED;
}

/* Runs OpenSSL on whatever input is pending: the handshake until it is
 * done, afterwards reads that answer retransmissions and catch alerts. */
static void
drive(struct dtls *d)
{
	uint8_t scratch[DTLS_READ_SCRATCH];
	int r;

	if (!d->handshake_done) {
		ERR_clear_error();
		r = SSL_do_handshake(d->ssl);
		if (r != 1) {
			check_ssl_result(d, r, "DTLS handshake");
			return;
		}
		d->handshake_done = true;
		if (d->have_remote_fp)
			complete(d);
		if (d->state != DTLS_STATE_HANDSHAKING &&
		    d->state != DTLS_STATE_CONNECTED)
			return;
	}
	for (;;) {
		ERR_clear_error();
		r = SSL_read(d->ssl, scratch, sizeof(scratch));
		if (r <= 0) {
			check_ssl_result(d, r, "DTLS read");
			break;
		}
		/* Application data (SCTP for data channels): not ours. */
	}
	OPENSSL_cleanse(scratch, sizeof(scratch));
}

static bool
active(const struct dtls *d)
{
	return d->state == DTLS_STATE_HANDSHAKING ||
	    d->state == DTLS_STATE_CONNECTED;
}

enum dtls_state
dtls_start(struct dtls *d)
{
	if (d->state != DTLS_STATE_NEW)
		return d->state;
	d->state = DTLS_STATE_HANDSHAKING;
	drive(d);
	return d->state;
}

enum dtls_state
dtls_receive(struct dtls *d, const uint8_t *buf, size_t len)
{
	if (d->state == DTLS_STATE_NEW)
		(void)dtls_start(d);    /* a ClientHello may beat the SDP */
	if (!active(d))
		return d->state;
	if (len == 0 || !records_plausible(buf, len)) {
		d->dropped++;
		return d->state;
	}
	d->in = buf;
	d->in_len = len;
	drive(d);
	d->in = NULL;
	d->in_len = 0;
	return d->state;
}

enum dtls_state
dtls_set_remote_fingerprint(struct dtls *d,
    const uint8_t fp[DTLS_FINGERPRINT_LEN])
{
	if (d->state == DTLS_STATE_CONNECTED) {
		if (CRYPTO_memcmp(fp, d->remote_fp, DTLS_FINGERPRINT_LEN) != 0)
			fail_as(d, DTLS_FAIL_FINGERPRINT, "the remote SDP changed the fingerprint of an "
			    "established transport");
		return d->state;
	}
	if (!active(d) && d->state != DTLS_STATE_NEW)
		return d->state;
	memcpy(d->remote_fp, fp, DTLS_FINGERPRINT_LEN);
	d->have_remote_fp = true;
	if (d->handshake_done && d->state == DTLS_STATE_HANDSHAKING)
		complete(d);
	return d->state;
}

long
dtls_timeout_ms(struct dtls *d)
{
	struct timeval tv;

	if (!active(d))
		return -1;
	if (DTLSv1_get_timeout(d->ssl, &tv) != 1)
		return -1;
	return (long)tv.tv_sec * 1000 + ((long)tv.tv_usec + 999) / 1000;
}

enum dtls_state
dtls_handle_timeout(struct dtls *d)
{
	char err[120];
	int r;

	if (!active(d))
		return d->state;
	ERR_clear_error();
	r = (int)DTLSv1_handle_timeout(d->ssl);
	if (r < 0) {
		snprintf(d->reason, sizeof(d->reason),
		    "DTLS retransmission failed: %s",
		    ssl_error_text(err, sizeof(err)));
		if (d->failure == DTLS_FAIL_NONE)
			d->failure = DTLS_FAIL_HANDSHAKE;
		d->state = DTLS_STATE_FAILED;
	}
	return d->state;
}

enum dtls_state
dtls_close(struct dtls *d)
{
	if (!active(d))
		return d->state;
	ERR_clear_error();
	/* During the handshake OpenSSL refuses to send close_notify; the
	 * peer's timers clean up then. */
	if (d->handshake_done)
		(void)SSL_shutdown(d->ssl);
	ERR_clear_error();
	set_reason(d, "closed locally");
	d->state = DTLS_STATE_CLOSED;
	return d->state;
}

enum dtls_state
dtls_state(const struct dtls *d)
{
	return d->state;
}

uint64_t
dtls_dropped(const struct dtls *d)
{
	return d->dropped;
}

const char *
dtls_reason(const struct dtls *d)
{
	return d->reason;
}

enum dtls_failure
dtls_failure(const struct dtls *d)
{
	return d->failure;
}

int
dtls_srtp_keys(const struct dtls *d, struct dtls_srtp_keys *out)
{
	if (d->state != DTLS_STATE_CONNECTED)
		return -1;
	*out = d->keys;
	return 0;
}

void
dtls_srtp_keys_wipe(struct dtls_srtp_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

const char *
dtls_state_name(enum dtls_state s)
{
	switch (s) {
	case DTLS_STATE_NEW:
		return "new";
	case DTLS_STATE_HANDSHAKING:
		return "handshaking";
	case DTLS_STATE_CONNECTED:
		return "connected";
	case DTLS_STATE_FAILED:
		return "failed";
	case DTLS_STATE_CLOSED:
		return "closed";
	}
	return "?";
}

const char *
dtls_srtp_profile_name(enum dtls_srtp_profile p)
{
	switch (p) {
	case DTLS_SRTP_AEAD_AES_128_GCM:
		return "AEAD_AES_128_GCM";
	case DTLS_SRTP_AES128_CM_SHA1_80:
		return "AES_CM_128_HMAC_SHA1_80";
	case DTLS_SRTP_NONE:
		break;
	}
	return "none";
}
