/*
 * srtp: libsrtp2 sessions for one transport; see srtp.h.
 *
 * Owns the two srtp_t sessions of each struct ksrtp. Checks every length
 * before libsrtp sees the packet (libsrtp writes its tag behind the packet
 * and trusts the caller's buffer), and maps libsrtp's status codes to the
 * few results a forwarding loop acts on. Per packet: no allocation, no
 * logging.
 */
#include "srtp.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include <openssl/crypto.h>

#define RTP_HEADER_MIN 12
#define RTCP_HEADER_MIN 8
#define SRTCP_INDEX_LEN 4               /* E flag and 31-bit index */
#define GCM_TAG_LEN 16
#define HMAC_SHA1_80_TAG_LEN 10

struct ksrtp {
	srtp_t out;             /* local key, ssrc_any_outbound */
	srtp_t in;              /* remote key, ssrc_any_inbound */
	enum dtls_srtp_profile profile;
	size_t rtp_overhead;
	size_t rtcp_overhead;
};

static pthread_once_t ksrtp_once = PTHREAD_ONCE_INIT;
static int ksrtp_init_result = -1;

static void
init_once(void)
{
	ksrtp_init_result = srtp_init() == srtp_err_status_ok ? 0 : -1;
}

int
ksrtp_init(void)
{
	if (pthread_once(&ksrtp_once, init_once) != 0)
		return -1;
	return ksrtp_init_result;
}

static int
map_status(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return KSRTP_OK;
	case srtp_err_status_auth_fail:
	case srtp_err_status_cant_check:        /* SRTCP without E flag */
		return KSRTP_ERR_AUTH;
	case srtp_err_status_replay_fail:
		return KSRTP_ERR_REPLAY;
	case srtp_err_status_replay_old:
		return KSRTP_ERR_TOO_OLD;
	case srtp_err_status_bad_param:
		/* libsrtp's header checks; ours ran first, so rare */
		return KSRTP_ERR_TOO_SHORT;
	default:
		return KSRTP_ERR_FAIL;
	}
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

static int
make_session(srtp_t *session, enum dtls_srtp_profile profile,
    const uint8_t *master, srtp_ssrc_type_t type)
{
	srtp_policy_t policy;
	uint8_t key[DTLS_SRTP_MASTER_MAX];
	srtp_err_status_t st;

	memset(&policy, 0, sizeof(policy));
	if (profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
	}
	/* libsrtp reads key || salt through a non-const pointer. */
	memcpy(key, master, sizeof(key));
	policy.ssrc.type = type;
	policy.key = key;
	policy.window_size = KSRTP_REPLAY_WINDOW;
	policy.allow_repeat_tx = 1;
	policy.next = NULL;
	st = srtp_create(session, &policy);
	OPENSSL_cleanse(key, sizeof(key));
	if (st != srtp_err_status_ok) {
		*session = NULL;
		return -1;
	}
	return 0;
}

struct ksrtp *
ksrtp_new(const struct dtls_srtp_keys *keys)
{
	struct ksrtp *s;

	if (ksrtp_init() != 0)
		return NULL;
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
	if (make_session(&s->out, keys->profile, keys->local,
	    ssrc_any_outbound) != 0 ||
	    make_session(&s->in, keys->profile, keys->remote,
	    ssrc_any_inbound) != 0) {
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
	/* Deallocation errors leave nothing for us to do. */
	if (s->out != NULL)
		(void)srtp_dealloc(s->out);
	if (s->in != NULL)
		(void)srtp_dealloc(s->in);
	free(s);
}

int
ksrtp_protect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	int n;
	int r;

	if (*len < RTP_HEADER_MIN)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	if (rtp_header_len(buf, *len) == 0)
		return KSRTP_ERR_TOO_SHORT;
	if (cap < *len || cap - *len < s->rtp_overhead ||
	    *len + s->rtp_overhead > INT_MAX)
		return KSRTP_ERR_NO_ROOM;
	n = (int)*len;
	if ((r = map_status(srtp_protect(s->out, buf, &n))) != KSRTP_OK)
		return r;
	*len = (size_t)n;
	return KSRTP_OK;
}

int
ksrtp_unprotect_rtp(struct ksrtp *s, uint8_t *buf, size_t *len)
{
	int n;
	int r;

	if (*len < RTP_HEADER_MIN + s->rtp_overhead || *len > INT_MAX)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	if (rtp_header_len(buf, *len - s->rtp_overhead) == 0)
		return KSRTP_ERR_TOO_SHORT;
	n = (int)*len;
	if ((r = map_status(srtp_unprotect(s->in, buf, &n))) != KSRTP_OK)
		return r;
	*len = (size_t)n;
	return KSRTP_OK;
}

int
ksrtp_protect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	int n;
	int r;

	if (*len < RTCP_HEADER_MIN)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	if (cap < *len || cap - *len < s->rtcp_overhead ||
	    *len + s->rtcp_overhead > INT_MAX)
		return KSRTP_ERR_NO_ROOM;
	n = (int)*len;
	if ((r = map_status(srtp_protect_rtcp(s->out, buf, &n))) != KSRTP_OK)
		return r;
	*len = (size_t)n;
	return KSRTP_OK;
}

int
ksrtp_unprotect_rtcp(struct ksrtp *s, uint8_t *buf, size_t *len)
{
	int n;
	int r;

	if (*len < RTCP_HEADER_MIN + s->rtcp_overhead || *len > INT_MAX)
		return KSRTP_ERR_TOO_SHORT;
	if (buf[0] >> 6 != 2)
		return KSRTP_ERR_BAD_PACKET;
	n = (int)*len;
	if ((r = map_status(srtp_unprotect_rtcp(s->in, buf, &n))) != KSRTP_OK)
		return r;
	*len = (size_t)n;
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
