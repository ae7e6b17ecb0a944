/*
 * dtls: DTLS 1.2 (OpenSSL 3) for one WebRTC transport, and the process's
 * DTLS identity (key, self-signed certificate, SHA-256 fingerprint).
 *
 * The module does no I/O of its own and reads no clock of its own beyond
 * OpenSSL's retransmission timer: the caller hands it each received DTLS
 * datagram (RFC 7983: first byte 20..63), gives it a send callback that
 * puts exactly one datagram on the wire, and runs a timer from
 * dtls_timeout_ms() that calls dtls_handle_timeout(). The peer certificate
 * is accepted whatever its issuer (WebRTC certificates are self-signed) and
 * then held against the SHA-256 fingerprint from the remote SDP; a
 * mismatch fails the transport. After the handshake it exports the
 * DTLS-SRTP keying material (RFC 5764) for srtp.c.
 *
 * Never logs key material; per-transport failures are not logged here but
 * described by dtls_reason() for the caller to log with its context.
 */
#ifndef KLOPF_DTLS_H
#define KLOPF_DTLS_H

#include <stddef.h>
#include <stdint.h>

#define DTLS_FINGERPRINT_LEN 32         /* SHA-256 */
/* "sha-256 " + 32 * "XX:" - ":" + NUL */
#define DTLS_FINGERPRINT_STR_MAX (8 + DTLS_FINGERPRINT_LEN * 3)
#define DTLS_MTU 1200                   /* largest datagram sent */
#define DTLS_SRTP_KEY_MAX 16            /* master key, both profiles */
#define DTLS_SRTP_SALT_MAX 14           /* master salt, AES-CM (GCM: 12) */
#define DTLS_SRTP_MASTER_MAX (DTLS_SRTP_KEY_MAX + DTLS_SRTP_SALT_MAX)
/* What a client offers by default and the server's order of preference. */
#define DTLS_SRTP_PROFILES_DEFAULT \
	"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
#define DTLS_INITIAL_TIMEOUT_MS 1000    /* first retransmission (RFC 6347) */

enum dtls_role {
	DTLS_ROLE_SERVER = 0,   /* a=setup:passive; klopfd on every leg */
	DTLS_ROLE_CLIENT,       /* a=setup:active; load client, tests */
};

enum dtls_state {
	DTLS_STATE_NEW = 0,     /* made, dtls_start() not yet called */
	DTLS_STATE_HANDSHAKING, /* also: done, waiting for the fingerprint */
	DTLS_STATE_CONNECTED,   /* fingerprint checked, keys exported */
	DTLS_STATE_FAILED,      /* see dtls_reason(); final */
	DTLS_STATE_CLOSED,      /* close_notify sent or received; final */
};

/* IANA DTLS-SRTP protection profile numbers (RFC 5764, RFC 7714). */
enum dtls_srtp_profile {
	DTLS_SRTP_NONE = 0,
	DTLS_SRTP_AES128_CM_SHA1_80 = 0x0001,
	DTLS_SRTP_AEAD_AES_128_GCM = 0x0007,
};

/* SRTP master keys of one transport, each stored as key || salt, the form
 * libsrtp takes. "local" protects what this end sends, "remote" checks
 * what it receives: the client's half for a client is local. */
struct dtls_srtp_keys {
	enum dtls_srtp_profile profile;
	size_t key_len;         /* 16 */
	size_t salt_len;        /* 12 (GCM) or 14 (AES-CM) */
	uint8_t local[DTLS_SRTP_MASTER_MAX];
	uint8_t remote[DTLS_SRTP_MASTER_MAX];
};

struct dtls_identity;
struct dtls;

/* Sends buf (one whole DTLS datagram, len <= DTLS_MTU) to the peer. A
 * datagram that cannot be sent is lost like any UDP datagram; the
 * retransmission timer recovers. Called from inside dtls_start(),
 * dtls_receive(), dtls_handle_timeout() and dtls_close(); it must not
 * free the endpoint. */
typedef void (*dtls_send_fn)(const uint8_t *buf, size_t len, void *user);

/* --- identity ------------------------------------------------------------ */

/* A fresh ECDSA P-256 key and a self-signed certificate (CN=klopfd, SHA-256
 * signature, valid from a day ago for a year). NULL if OpenSSL failed. */
struct dtls_identity *dtls_identity_generate(void);
/* Loads a PEM certificate (the first one in the file) and its PEM private
 * key. NULL, with a logged reason, if a file cannot be read or the key
 * does not belong to the certificate. */
struct dtls_identity *dtls_identity_load(const char *cert_path,
    const char *key_path);
/* Writes the certificate and the unencrypted key (mode 0600) as PEM.
 * Returns 0 or -1 (logged). */
int dtls_identity_save(const struct dtls_identity *id, const char *cert_path,
    const char *key_path);
/* Endpoints keep their own references: the identity may be freed while
 * endpoints made from it live on. NULL is a no-op. */
void dtls_identity_free(struct dtls_identity *id);
/* DTLS_FINGERPRINT_LEN bytes, borrowed from id. */
const uint8_t *dtls_identity_fingerprint(const struct dtls_identity *id);
/* "sha-256 AB:CD:...", the value of SDP's a=fingerprint; borrowed. */
const char *dtls_identity_fingerprint_str(const struct dtls_identity *id);

/* Formats fp as "sha-256 AB:CD:..." into out (>= DTLS_FINGERPRINT_STR_MAX
 * bytes). */
void dtls_fingerprint_format(const uint8_t fp[DTLS_FINGERPRINT_LEN],
    char out[DTLS_FINGERPRINT_STR_MAX]);
/* Parses the value of an SDP a=fingerprint attribute: "sha-256" (any case),
 * one or more spaces, 32 hex bytes (any case) separated by ':'. Returns 0,
 * or -1 for another hash function or a malformed value. */
int dtls_fingerprint_parse(const char *s, uint8_t out[DTLS_FINGERPRINT_LEN]);

/* --- endpoint -------------------------------------------------------------- */

/* RFC 7983: a datagram whose first byte is 20..63 belongs to DTLS. */
int dtls_is_dtls(const uint8_t *buf, size_t len);

/* One DTLS endpoint in state NEW. remote_fp (DTLS_FINGERPRINT_LEN bytes,
 * copied) may be NULL if the remote SDP has not arrived yet: then the
 * handshake runs, and the endpoint becomes CONNECTED only once
 * dtls_set_remote_fingerprint() supplies a matching one. NULL on failure. */
struct dtls *dtls_new(struct dtls_identity *id, enum dtls_role role,
    const uint8_t *remote_fp, dtls_send_fn send, void *user);
/* Frees without sending anything (call dtls_close() first for a
 * close_notify). Key material is wiped. NULL is a no-op. */
void dtls_free(struct dtls *d);

/* Before dtls_start(): the SRTP profiles to offer (client) or accept in
 * order of preference (server), OpenSSL names separated by ':'. Default
 * DTLS_SRTP_PROFILES_DEFAULT. Returns 0, or -1 if started or unknown. */
int dtls_set_srtp_profiles(struct dtls *d, const char *profiles);
/* Before dtls_start(): first retransmission timeout; it doubles on each
 * retransmission up to 60 s; OpenSSL gives up after 12. OpenSSL counts a
 * timer with less than 15 ms left as expired, so values under ~20 ms make
 * it retransmit at once. Default DTLS_INITIAL_TIMEOUT_MS. Returns 0, or
 * -1 if started or ms is 0. */
int dtls_set_initial_timeout(struct dtls *d, unsigned ms);
/* Supplies (or replaces, before the handshake is done) the fingerprint
 * from the remote SDP. If the handshake had already finished, checks the
 * peer's certificate now. Returns the state afterwards. */
enum dtls_state dtls_set_remote_fingerprint(struct dtls *d,
    const uint8_t fp[DTLS_FINGERPRINT_LEN]);

/* Starts the handshake (the client sends its ClientHello at once). Returns
 * the state afterwards. */
enum dtls_state dtls_start(struct dtls *d);
/* Feeds one received datagram (a server still NEW starts first: a
 * ClientHello may beat the SDP). A datagram whose records do not parse,
 * or whose plaintext records could not come from a DTLS peer, is dropped
 * and counted before OpenSSL sees it; encrypted records that do not
 * authenticate are dropped by OpenSSL. A well-formed handshake record with
 * a malformed message, a fatal alert or a failed check moves the endpoint
 * to FAILED. Application data (a data channel) is discarded. Returns the
 * state afterwards. */
enum dtls_state dtls_receive(struct dtls *d, const uint8_t *buf, size_t len);
/* Milliseconds until dtls_handle_timeout() is due (0: now, also when
 * less than 15 ms are left), or -1 if no retransmission timer runs. Ask
 * again after every call that may send: OpenSSL also retransmits by
 * itself when it reads after the timer expired. */
long dtls_timeout_ms(struct dtls *d);
/* Retransmits the last flight if the timer has expired; fails the
 * endpoint after OpenSSL's retransmission limit. Returns the state. */
enum dtls_state dtls_handle_timeout(struct dtls *d);
/* Sends close_notify (if connected or handshaking) and moves to CLOSED. */
enum dtls_state dtls_close(struct dtls *d);

enum dtls_state dtls_state(const struct dtls *d);
/* Datagrams dtls_receive() refused as implausible, for counters. */
uint64_t dtls_dropped(const struct dtls *d);
/* What kind of failure ended the endpoint, so callers need not read the
 * sentence of dtls_reason(). */
enum dtls_failure {
	DTLS_FAIL_NONE = 0,
	DTLS_FAIL_HANDSHAKE,    /* the handshake or a record failed */
	DTLS_FAIL_FINGERPRINT,  /* the peer's certificate is not the SDP's */
	DTLS_FAIL_SRTP,         /* no usable SRTP profile or keys */
};
enum dtls_failure dtls_failure(const struct dtls *d);
/* Why the endpoint failed or closed, a sentence without key material;
 * borrowed, valid until the next call on d. "" while all is well. */
const char *dtls_reason(const struct dtls *d);
/* Copies the exported keys into out. Returns 0, or -1 unless CONNECTED. */
int dtls_srtp_keys(const struct dtls *d, struct dtls_srtp_keys *out);
/* Wipes a copy of keys (OPENSSL_cleanse). */
void dtls_srtp_keys_wipe(struct dtls_srtp_keys *keys);

const char *dtls_state_name(enum dtls_state s);
/* "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80" or "none". */
const char *dtls_srtp_profile_name(enum dtls_srtp_profile p);

#endif
