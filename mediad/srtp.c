/*
 * srtp: SRTP and SRTCP (RFC 3711, AES-GCM per RFC 7714) for one
 * transport on OpenSSL EVP; see srtp.h.
 *
 * Why not libsrtp: Debian's libsrtp2 2.5.0 is built on NSS, whose
 * softoken makes a PKCS#11 context per packet and looks its objects up in
 * tables that grow with every session of the process: with 800 sessions
 * one protect+unprotect cost 7-40 times what it did with one, and klopfd
 * spent 61 % of its time in libsoftokn3 at 200 rooms. Here every session
 * keeps its own EVP contexts, keyed once; a packet only sets the IV.
 * libsrtp2 stays in tests/unit/test_srtp.c as the reference both ways.
 *
 * Owns, per direction (outbound: our local key, every SSRC we send;
 * inbound: the peer's key, every SSRC it sends), the session keys derived
 * from the DTLS-SRTP master key and salt, their cipher and MAC contexts,
 * and one stream per SSRC: the RTP rollover counter and replay window
 * (KSRTP_REPLAY_WINDOW packets, RFC 3711 3.3.1 and appendix A) and the
 * SRTCP index and its window (128 packets, as libsrtp). A stream is made
 * the first time an SSRC is protected, or unprotected and authenticated;
 * the only allocation of ours after ksrtp_new() (OpenSSL 3.0 itself
 * allocates inside each HMAC reset, so AES-CM packets cost two small
 * mallocs; GCM packets none). Never logs; keys are wiped.
 */
#include "srtp.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define RTP_HEADER_MIN 12
#define RTCP_HEADER_MIN 8
#define SRTCP_INDEX_LEN 4               /* E flag and 31-bit index */
#define SRTCP_E_FLAG 0x80000000u
#define SRTCP_INDEX_MAX 0x7fffffffu
#define GCM_TAG_LEN 16
#define GCM_IV_LEN 12
#define HMAC_SHA1_80_TAG_LEN 10
#define HMAC_SHA1_KEY_LEN 20
#define SHA1_LEN 20
#define AES_BLOCK 16
#define SESSION_SALT_MAX 14
#define RTCP_REPLAY_WINDOW 128          /* libsrtp's srtp_rdb */
#define STREAMS_MIN 8                   /* first size of a stream table */

/* RFC 3711 4.3.1 key derivation labels */
enum { LABEL_RTP_KEY, LABEL_RTP_AUTH, LABEL_RTP_SALT, LABEL_RTCP_KEY,
	LABEL_RTCP_AUTH, LABEL_RTCP_SALT };

/* Replay window over packet indices: bit (index % size) is set for each
 * index accepted within size of top, the highest accepted. */
struct window {
	uint64_t top;
	bool started;
};

/* One SSRC in one direction. */
struct stream {
	uint32_t ssrc;
	struct window rtp;              /* index = ROC << 16 | SEQ */
	struct window rtcp;             /* SRTCP index */
	uint64_t rtp_bits[KSRTP_REPLAY_WINDOW / 64];
	uint64_t rtcp_bits[RTCP_REPLAY_WINDOW / 64];
};

/* SSRC -> stream, open addressing; at most half full. */
struct streams {
	struct stream **slot;
	size_t cap;                     /* 0 or a power of two */
	size_t n;
};

/* One direction's keys for RTP or RTCP. */
struct keyset {
	EVP_CIPHER_CTX *cipher;         /* AES-128-GCM, or AES-128-CTR */
	EVP_MAC_CTX *mac;               /* HMAC-SHA1 (AES-CM only) */
	uint8_t salt[SESSION_SALT_MAX]; /* 12 (GCM) or 14 bytes used */
};

struct direction {
	struct keyset rtp;
	struct keyset rtcp;
	struct streams streams;
};

struct ksrtp {
	struct direction out;           /* local key */
	struct direction in;            /* remote key */
	enum dtls_srtp_profile profile;
	size_t rtp_overhead;
	size_t rtcp_overhead;
};

int
ksrtp_init(void)
{
	/* Nothing process-wide left to set up since libsrtp went; kept so
	 * that callers can fail early if that ever changes. */
	return 0;
}

/* --- per-SSRC streams -------------------------------------------------- */

static size_t
ssrc_hash(uint32_t ssrc, size_t cap)
{
	return (size_t)((ssrc * 2654435761u) >> 7) & (cap - 1);
}

static struct stream *
streams_find(const struct streams *t, uint32_t ssrc)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = ssrc_hash(ssrc, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (t->slot[i] == NULL)
			return NULL;
		if (t->slot[i]->ssrc == ssrc)
			return t->slot[i];
	}
}

static void
streams_put(struct stream **slot, size_t cap, struct stream *s)
{
	size_t i = ssrc_hash(s->ssrc, cap);

	while (slot[i] != NULL)
		i = (i + 1) & (cap - 1);
	slot[i] = s;
}

/* A new stream for ssrc (not in t yet), or NULL when out of memory. */
static struct stream *
streams_add(struct streams *t, uint32_t ssrc)
{
	struct stream *s;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : STREAMS_MIN;
		struct stream **slot;

		if (cap > SIZE_MAX / sizeof(*slot) ||
		    (slot = calloc(cap, sizeof(*slot))) == NULL)
			return NULL;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slot[i] != NULL)
				streams_put(slot, cap, t->slot[i]);
		free(t->slot);
		t->slot = slot;
		t->cap = cap;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ssrc = ssrc;
	streams_put(t->slot, t->cap, s);
	t->n++;
	return s;
}

static void
streams_fini(struct streams *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* --- replay windows and the rollover counter ---------------------------- */

static int
window_check(const struct window *w, const uint64_t *bits, uint64_t size,
    uint64_t index)
{
	if (!w->started || index > w->top)
		return KSRTP_OK;
	if (w->top - index >= size)
		return KSRTP_ERR_TOO_OLD;
	if (bits[(index % size) / 64] >> (index % 64) & 1)
		return KSRTP_ERR_REPLAY;
	return KSRTP_OK;
}

/* Records index, which window_check() accepted. */
static void
window_add(struct window *w, uint64_t *bits, uint64_t size, uint64_t index)
{
	if (!w->started) {
		memset(bits, 0, size / 8);
		w->top = index;
		w->started = true;
	} else if (index > w->top) {
		if (index - w->top >= size)
			memset(bits, 0, size / 8);
		else
			for (uint64_t i = w->top + 1; i < index; i++)
				bits[(i % size) / 64] &=
				    ~((uint64_t)1 << (i % 64));
		w->top = index;
	}
	bits[(index % size) / 64] |= (uint64_t)1 << (index % 64);
}

/* The 48-bit packet index of seq (RFC 3711 appendix A): the rollover
 * counter guessed from the highest index so far. -1 if it would be
 * negative (a sequence number from before the first one seen). */
static int64_t
rtp_index(const struct window *w, uint16_t seq)
{
	uint32_t roc, s_l;

	if (!w->started)
		return seq;
	roc = (uint32_t)(w->top >> 16);
	s_l = (uint32_t)(w->top & 0xffff);
	if (s_l < 32768) {
		if (seq > s_l + 32768u) {
			if (roc == 0)
				return -1;
			roc--;
		}
	} else if (s_l - 32768u > seq) {
		if (roc == UINT32_MAX)
			return -1;
		roc++;
	}
	return (int64_t)roc << 16 | seq;
}

/* --- keys -------------------------------------------------------------- */

/* RFC 3711 4.3.1 with kdr 0: len bytes of AES-CM keystream under the
 * master key at IV (master salt XOR label at octet 7) * 2^16. The master
 * salt of GCM (12 bytes) is padded with zeros to 14, as RFC 7714 11 and
 * libsrtp do. */
static int
kdf(const uint8_t *master_key, const uint8_t *master_salt, size_t salt_len,
    uint8_t label, uint8_t *out, size_t len)
{
	uint8_t iv[AES_BLOCK] = { 0 };
	uint8_t zeros[2 * AES_BLOCK] = { 0 };
	EVP_CIPHER_CTX *c;
	int n = 0;
	int ok;

	if (len > sizeof(zeros))
		return -1;
	memcpy(iv, master_salt, salt_len);
	iv[7] ^= label;
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, master_key, iv) &&
	    EVP_EncryptUpdate(c, out, &n, zeros, (int)len) && n == (int)len;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(iv, sizeof(iv));
	return ok ? 0 : -1;
}

static int
keyset_init(struct keyset *k, enum dtls_srtp_profile profile, bool decrypt,
    const uint8_t *master, size_t salt_len, uint8_t label_key,
    uint8_t label_auth, uint8_t label_salt)
{
	const uint8_t *master_salt = master + DTLS_SRTP_KEY_MAX;
	uint8_t key[AES_BLOCK], auth[HMAC_SHA1_KEY_LEN];
	bool gcm = profile == DTLS_SRTP_AEAD_AES_128_GCM;
	OSSL_PARAM params[2];
	int ok;

	if (kdf(master, master_salt, salt_len, label_key, key,
	    sizeof(key)) != 0 ||
	    kdf(master, master_salt, salt_len, label_salt, k->salt,
	    salt_len) != 0 ||
	    (k->cipher = EVP_CIPHER_CTX_new()) == NULL) {
		OPENSSL_cleanse(key, sizeof(key));
		return -1;
	}
	if (gcm)
		ok = decrypt ?
		    EVP_DecryptInit_ex(k->cipher, EVP_aes_128_gcm(), NULL, key,
		    NULL) :
		    EVP_EncryptInit_ex(k->cipher, EVP_aes_128_gcm(), NULL, key,
		    NULL);
	else
		ok = EVP_EncryptInit_ex(k->cipher, EVP_aes_128_ctr(), NULL, key,
		    NULL);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok || gcm)
		return ok ? 0 : -1;

	if (kdf(master, master_salt, salt_len, label_auth, auth,
	    sizeof(auth)) != 0) {
		OPENSSL_cleanse(auth, sizeof(auth));
		return -1;
	}
	{
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0);
		params[1] = OSSL_PARAM_construct_end();
		k->mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
		ok = k->mac != NULL &&
		    EVP_MAC_init(k->mac, auth, sizeof(auth), params);
		EVP_MAC_free(mac);      /* the context holds its own reference */
	}
	OPENSSL_cleanse(auth, sizeof(auth));
	return ok ? 0 : -1;
}

static void
keyset_fini(struct keyset *k)
{
	EVP_CIPHER_CTX_free(k->cipher);
	EVP_MAC_CTX_free(k->mac);
	OPENSSL_cleanse(k->salt, sizeof(k->salt));
	k->cipher = NULL;
	k->mac = NULL;
}

static int
direction_init(struct direction *d, enum dtls_srtp_profile profile,
    bool decrypt, const uint8_t *master, size_t salt_len)
{
	if (keyset_init(&d->rtp, profile, decrypt, master, salt_len,
	    LABEL_RTP_KEY, LABEL_RTP_AUTH, LABEL_RTP_SALT) != 0 ||
	    keyset_init(&d->rtcp, profile, decrypt, master, salt_len,
	    LABEL_RTCP_KEY, LABEL_RTCP_AUTH, LABEL_RTCP_SALT) != 0)
		return -1;
	return 0;
}

static void
direction_fini(struct direction *d)
{
	keyset_fini(&d->rtp);
	keyset_fini(&d->rtcp);
	streams_fini(&d->streams);
}

struct ksrtp *
ksrtp_new(const struct dtls_srtp_keys *keys)
{
	struct ksrtp *s;

	if (keys->key_len != 16 ||
	    !((keys->profile == DTLS_SRTP_AEAD_AES_128_GCM &&
	    keys->salt_len == 12) ||
	    (keys->profile == DTLS_SRTP_AES128_CM_SHA1_80 &&
	    keys->salt_len == 14)))
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->profile = keys->profile;
	s->rtp_overhead = keys->profile == DTLS_SRTP_AEAD_AES_128_GCM ?
	    GCM_TAG_LEN : HMAC_SHA1_80_TAG_LEN;
	s->rtcp_overhead = s->rtp_overhead + SRTCP_INDEX_LEN;
	if (direction_init(&s->out, keys->profile, false, keys->local,
	    keys->salt_len) != 0 ||
	    direction_init(&s->in, keys->profile, true, keys->remote,
	    keys->salt_len) != 0) {
		ksrtp_free(s);
		return NULL;
	}
	return s;
}

void
ksrtp_free(struct ksrtp *s)
{
	if (s == NULL)
		return;
	direction_fini(&s->out);
	direction_fini(&s->in);
	free(s);
}

/* --- the transforms ------------------------------------------------------ */

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Length of the RTP header with CSRCs and extension, or 0 if the packet
 * of len bytes is not RTP version 2 or too short for its own header. */
static size_t
rtp_header_len(const uint8_t *p, size_t len)
{
	size_t h;

	if (len < RTP_HEADER_MIN || p[0] >> 6 != 2)
		return 0;
	h = RTP_HEADER_MIN + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < h + 4)
			return 0;
		h += 4 + 4u * ((size_t)p[h + 2] << 8 | p[h + 3]);
	}
	return h <= len ? h : 0;
}

/* The IV: the session salt XOR (SSRC at octet off, the 48-bit index
 * behind it). AES-GCM (RFC 7714 8.1, 9.1): 12 octets, off 2; AES-CM
 * (RFC 3711 4.1.1): 16 octets, off 4, the last two the block counter.
 * RTP's index is ROC << 16 | SEQ, SRTCP's the 31-bit SRTCP index. */
static void
make_iv(uint8_t *iv, size_t iv_len, size_t off, const uint8_t *salt,
    size_t salt_len, uint32_t ssrc, uint64_t index48)
{
	uint8_t b[AES_BLOCK] = { 0 };

	put32(b + off, ssrc);
	put32(b + off + 4, (uint32_t)(index48 >> 16));
	b[off + 8] = (uint8_t)(index48 >> 8);
	b[off + 9] = (uint8_t)index48;
	for (size_t i = 0; i < iv_len; i++)
		iv[i] = i < salt_len ? b[i] ^ salt[i] : b[i];
}

static void
gcm_iv(uint8_t iv[GCM_IV_LEN], const uint8_t *salt, uint32_t ssrc,
    uint64_t index48)
{
	make_iv(iv, GCM_IV_LEN, 2, salt, GCM_IV_LEN, ssrc, index48);
}

static void
cm_iv(uint8_t iv[AES_BLOCK], const uint8_t *salt, uint32_t ssrc,
    uint64_t index48)
{
	make_iv(iv, AES_BLOCK, 4, salt, SESSION_SALT_MAX, ssrc, index48);
}

/* AES-GCM over buf[0..aad) as AAD (plus aad2 of aad2_len bytes), and
 * buf[aad..aad+len) in place; encrypting writes the tag at tag, decrypting
 * checks it. 0, or -1 (authentication failed or an OpenSSL error). */
static int
gcm(struct keyset *k, bool decrypt, const uint8_t *iv, uint8_t *buf,
    size_t aad, const uint8_t *aad2, size_t aad2_len, size_t len,
    uint8_t *tag)
{
	EVP_CIPHER_CTX *c = k->cipher;
	int n;

	if (!EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, decrypt ? 0 : 1) ||
	    !EVP_CipherUpdate(c, NULL, &n, buf, (int)aad) ||
	    (aad2_len > 0 &&
	    !EVP_CipherUpdate(c, NULL, &n, aad2, (int)aad2_len)) ||
	    (len > 0 &&
	    !EVP_CipherUpdate(c, buf + aad, &n, buf + aad, (int)len)))
		return -1;
	if (decrypt) {
		if (!EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN,
		    tag) ||
		    EVP_CipherFinal_ex(c, buf + aad + len, &n) <= 0)
			return -1;
		return 0;
	}
	if (EVP_CipherFinal_ex(c, buf + aad + len, &n) <= 0 ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag))
		return -1;
	return 0;
}

static int
ctr(struct keyset *k, const uint8_t *iv, uint8_t *p, size_t len)
{
	int n;

	if (len == 0)
		return 0;
	if (!EVP_EncryptInit_ex(k->cipher, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(k->cipher, p, &n, p, (int)len))
		return -1;
	return 0;
}

/* HMAC-SHA1 of p[0..len) and tail[0..tail_len), truncated to 80 bits. */
static int
hmac80(struct keyset *k, const uint8_t *p, size_t len, const uint8_t *tail,
    size_t tail_len, uint8_t out[HMAC_SHA1_80_TAG_LEN])
{
	uint8_t md[SHA1_LEN];
	size_t n;

	if (!EVP_MAC_init(k->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(k->mac, p, len) ||
	    (tail_len > 0 && !EVP_MAC_update(k->mac, tail, tail_len)) ||
	    !EVP_MAC_final(k->mac, md, &n, sizeof(md)) || n != SHA1_LEN)
		return -1;
	memcpy(out, md, HMAC_SHA1_80_TAG_LEN);
	return 0;
}

int
ksrtp_protect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	struct direction *d = &s->out;
	struct stream *st;
	size_t h;
	uint32_t ssrc;
	int64_t index;
	int r;

	if (*len < RTP_HEADER_MIN)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	if ((h = rtp_header_len(buf, *len)) == 0)
		return KSRTP_ERR_TOO_SHORT;
	if (cap < *len || cap - *len < s->rtp_overhead ||
	    *len + s->rtp_overhead > INT_MAX)
		return KSRTP_ERR_NO_ROOM;
	ssrc = get32(buf + 8);
	if ((st = streams_find(&d->streams, ssrc)) == NULL &&
	    (st = streams_add(&d->streams, ssrc)) == NULL)
		return KSRTP_ERR_FAIL;
	if ((index = rtp_index(&st->rtp, (uint16_t)(buf[2] << 8 | buf[3]))) < 0)
		return KSRTP_ERR_TOO_OLD;
	r = window_check(&st->rtp, st->rtp_bits, KSRTP_REPLAY_WINDOW,
	    (uint64_t)index);
	/* A repeat is a retransmission of the same packet: same index, same
	 * keystream, same bytes (allow_repeat_tx in libsrtp's terms). */
	if (r == KSRTP_ERR_TOO_OLD)
		return r;
	if (r == KSRTP_OK)
		window_add(&st->rtp, st->rtp_bits, KSRTP_REPLAY_WINDOW,
		    (uint64_t)index);

	if (s->profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		uint8_t iv[GCM_IV_LEN];

		gcm_iv(iv, d->rtp.salt, ssrc, (uint64_t)index);
		if (gcm(&d->rtp, false, iv, buf, h, NULL, 0, *len - h,
		    buf + *len) != 0)
			return KSRTP_ERR_FAIL;
	} else {
		uint8_t iv[AES_BLOCK], roc[4];

		cm_iv(iv, d->rtp.salt, ssrc, (uint64_t)index);
		put32(roc, (uint32_t)(index >> 16));
		if (ctr(&d->rtp, iv, buf + h, *len - h) != 0 ||
		    hmac80(&d->rtp, buf, *len, roc, sizeof(roc),
		    buf + *len) != 0)
			return KSRTP_ERR_FAIL;
	}
	*len += s->rtp_overhead;
	return KSRTP_OK;
}

int
ksrtp_unprotect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len)
{
	struct direction *d = &s->in;
	struct stream *st;
	struct window fresh = { 0, false };
	const struct window *w;
	size_t h, n;
	uint32_t ssrc;
	int64_t index;
	int r;

	if (*len < RTP_HEADER_MIN + s->rtp_overhead || *len > INT_MAX)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	n = *len - s->rtp_overhead;
	if ((h = rtp_header_len(buf, n)) == 0)
		return KSRTP_ERR_TOO_SHORT;
	ssrc = get32(buf + 8);
	st = streams_find(&d->streams, ssrc);
	w = st != NULL ? &st->rtp : &fresh;
	if ((index = rtp_index(w, (uint16_t)(buf[2] << 8 | buf[3]))) < 0)
		return KSRTP_ERR_TOO_OLD;
	if (st != NULL && (r = window_check(&st->rtp, st->rtp_bits,
	    KSRTP_REPLAY_WINDOW, (uint64_t)index)) != KSRTP_OK)
		return r;

	if (s->profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		uint8_t iv[GCM_IV_LEN];

		gcm_iv(iv, d->rtp.salt, ssrc, (uint64_t)index);
		if (gcm(&d->rtp, true, iv, buf, h, NULL, 0, n - h,
		    buf + n) != 0)
			return KSRTP_ERR_AUTH;
	} else {
		uint8_t iv[AES_BLOCK], roc[4], tag[HMAC_SHA1_80_TAG_LEN];

		put32(roc, (uint32_t)(index >> 16));
		if (hmac80(&d->rtp, buf, n, roc, sizeof(roc), tag) != 0)
			return KSRTP_ERR_FAIL;
		if (CRYPTO_memcmp(tag, buf + n, sizeof(tag)) != 0)
			return KSRTP_ERR_AUTH;
		cm_iv(iv, d->rtp.salt, ssrc, (uint64_t)index);
		if (ctr(&d->rtp, iv, buf + h, n - h) != 0)
			return KSRTP_ERR_FAIL;
	}
	if (st == NULL && (st = streams_add(&d->streams, ssrc)) == NULL)
		return KSRTP_ERR_FAIL;
	window_add(&st->rtp, st->rtp_bits, KSRTP_REPLAY_WINDOW,
	    (uint64_t)index);
	*len = n;
	return KSRTP_OK;
}

int
ksrtp_protect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	struct direction *d = &s->out;
	struct stream *st;
	uint8_t trailer[SRTCP_INDEX_LEN];
	uint32_t ssrc, index;
	size_t n = *len;

	if (n < RTCP_HEADER_MIN)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	if (cap < n || cap - n < s->rtcp_overhead ||
	    n + s->rtcp_overhead > INT_MAX)
		return KSRTP_ERR_NO_ROOM;
	ssrc = get32(buf + 4);
	if ((st = streams_find(&d->streams, ssrc)) == NULL &&
	    (st = streams_add(&d->streams, ssrc)) == NULL)
		return KSRTP_ERR_FAIL;
	/* The first index is 1, as libsrtp counts. */
	index = st->rtcp.started ? (uint32_t)st->rtcp.top + 1 : 1;
	if (index > SRTCP_INDEX_MAX)
		return KSRTP_ERR_FAIL;          /* 2^31 packets: rekey */
	st->rtcp.top = index;
	st->rtcp.started = true;
	put32(trailer, SRTCP_E_FLAG | index);

	if (s->profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		uint8_t iv[GCM_IV_LEN];

		/* header | ciphertext | tag | E+index (RFC 7714 9.2) */
		gcm_iv(iv, d->rtcp.salt, ssrc, index);
		if (gcm(&d->rtcp, false, iv, buf, RTCP_HEADER_MIN, trailer,
		    sizeof(trailer), n - RTCP_HEADER_MIN, buf + n) != 0)
			return KSRTP_ERR_FAIL;
		memcpy(buf + n + GCM_TAG_LEN, trailer, sizeof(trailer));
	} else {
		uint8_t iv[AES_BLOCK];

		/* header | ciphertext | E+index | tag (RFC 3711 3.4) */
		cm_iv(iv, d->rtcp.salt, ssrc, index);
		if (ctr(&d->rtcp, iv, buf + RTCP_HEADER_MIN,
		    n - RTCP_HEADER_MIN) != 0)
			return KSRTP_ERR_FAIL;
		memcpy(buf + n, trailer, sizeof(trailer));
		if (hmac80(&d->rtcp, buf, n + sizeof(trailer), NULL, 0,
		    buf + n + sizeof(trailer)) != 0)
			return KSRTP_ERR_FAIL;
	}
	*len = n + s->rtcp_overhead;
	return KSRTP_OK;
}

int
ksrtp_unprotect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len)
{
	struct direction *d = &s->in;
	struct stream *st;
	const uint8_t *trailer;
	uint32_t ssrc, e_index, index;
	size_t n;
	int r;

	if (*len < RTCP_HEADER_MIN + s->rtcp_overhead || *len > INT_MAX)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	n = *len - s->rtcp_overhead;            /* header and payload */
	trailer = s->profile == DTLS_SRTP_AEAD_AES_128_GCM ?
	    buf + n + GCM_TAG_LEN : buf + n;
	e_index = get32(trailer);
	/* Unencrypted SRTCP is not negotiated: like libsrtp, "cannot
	 * check", which we count as an authentication failure. */
	if (!(e_index & SRTCP_E_FLAG))
		return KSRTP_ERR_AUTH;
	index = e_index & SRTCP_INDEX_MAX;
	ssrc = get32(buf + 4);
	st = streams_find(&d->streams, ssrc);
	if (st != NULL && (r = window_check(&st->rtcp, st->rtcp_bits,
	    RTCP_REPLAY_WINDOW, index)) != KSRTP_OK)
		return r;

	if (s->profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		uint8_t iv[GCM_IV_LEN];

		gcm_iv(iv, d->rtcp.salt, ssrc, index);
		if (gcm(&d->rtcp, true, iv, buf, RTCP_HEADER_MIN, trailer,
		    SRTCP_INDEX_LEN, n - RTCP_HEADER_MIN, buf + n) != 0)
			return KSRTP_ERR_AUTH;
	} else {
		uint8_t iv[AES_BLOCK], tag[HMAC_SHA1_80_TAG_LEN];

		if (hmac80(&d->rtcp, buf, n + SRTCP_INDEX_LEN, NULL, 0,
		    tag) != 0)
			return KSRTP_ERR_FAIL;
		if (CRYPTO_memcmp(tag, buf + n + SRTCP_INDEX_LEN,
		    sizeof(tag)) != 0)
			return KSRTP_ERR_AUTH;
		cm_iv(iv, d->rtcp.salt, ssrc, index);
		if (ctr(&d->rtcp, iv, buf + RTCP_HEADER_MIN,
		    n - RTCP_HEADER_MIN) != 0)
			return KSRTP_ERR_FAIL;
	}
	if (st == NULL && (st = streams_add(&d->streams, ssrc)) == NULL)
		return KSRTP_ERR_FAIL;
	window_add(&st->rtcp, st->rtcp_bits, RTCP_REPLAY_WINDOW, index);
	*len = n;
	return KSRTP_OK;
}

enum dtls_srtp_profile
ksrtp_profile(const struct ksrtp *s)
{
	return s->profile;
}

size_t
ksrtp_rtp_overhead(const struct ksrtp *s)
{
	return s->rtp_overhead;
}

size_t
ksrtp_rtcp_overhead(const struct ksrtp *s)
{
	return s->rtcp_overhead;
}

const char *
ksrtp_strerror(int result)
{
	switch (result) {
	case KSRTP_OK:
		return "ok";
	case KSRTP_ERR_TOO_SHORT:
		return "packet too short";
	case KSRTP_ERR_NO_ROOM:
		return "no room for the SRTP trailer";
	case KSRTP_ERR_AUTH:
		return "authentication failed";
	case KSRTP_ERR_REPLAY:
		return "replayed packet";
	case KSRTP_ERR_TOO_OLD:
		return "packet older than the replay window";
	case KSRTP_ERR_BAD_PACKET:
		return "not an RTP/RTCP version 2 packet";
	case KSRTP_ERR_FAIL:
		return "SRTP failure";
	}
	return "unknown SRTP result";
}
