/*
 * pwhash: scrypt password hashes in a self-describing string; see
 * pwhash.h. Owns nothing between calls. Never logs a password or a hash,
 * and compares derived keys in constant time (CRYPTO_memcmp).
 */
#include "pwhash.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define PWHASH_PREFIX "$scrypt$"
#define PWHASH_LN 15            /* N = 2^15 */
#define PWHASH_R 8
#define PWHASH_P 1
#define PWHASH_SALT 16
#define PWHASH_KEY 32
#define PWHASH_LN_MIN 10
#define PWHASH_LN_MAX 20
#define PWHASH_R_MAX 16
#define PWHASH_P_MAX 4
#define PWHASH_BIN_MIN 8        /* salt or key bytes accepted by verify */
#define PWHASH_BIN_MAX 64
#define PWHASH_MAXMEM_MIN (64ULL * 1024 * 1024)

/* Same parameters as new hashes; salt and key are all zero bytes. Never
 * matches a real password in practice, and costs what a real verify does. */
static const char pwhash_dummy_hash[] =
    "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA=="
    "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

struct pwhash_params {
	int ln;
	int r;
	int p;
	uint8_t salt[PWHASH_BIN_MAX];
	size_t saltlen;
	uint8_t key[PWHASH_BIN_MAX];
	size_t keylen;
};

static int
scrypt_derive(const char *password, const uint8_t *salt, size_t saltlen,
    int ln, int r, int p, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[7];
	uint64_t n = (uint64_t)1 << ln;
	uint32_t r32 = (uint32_t)r, p32 = (uint32_t)p;
	uint64_t maxmem;
	int rc = -1;

	/* OpenSSL needs 128 * r * (N + 2 + p) bytes; leave some slack. */
	maxmem = 128ULL * (uint64_t)r * (n + 2 + (uint64_t)p) + 1024 * 1024;
	if (maxmem < PWHASH_MAXMEM_MIN)
		maxmem = PWHASH_MAXMEM_MIN;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)password, strlen(password));
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) <= 0)
		goto out;
	rc = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* Reads a decimal number of at most two digits at *sp. */
static int
parse_small(const char **sp, int *v)
{
	const char *s = *sp;
	int n = 0, digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 3) {
		n = n * 10 + (*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || digits > 2)
		return -1;
	*v = n;
	*sp = s;
	return 0;
}

static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Decodes len characters of padded base64 at s into out (room for max
 * bytes). Returns the byte count, or -1 if malformed or too long. */
static int
b64_decode(const char *s, size_t len, uint8_t *out, size_t max)
{
	uint8_t buf[PWHASH_BIN_MAX + 3];
	size_t pad = 0, i;
	int n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(buf))
		return -1;
	if (s[len - 1] == '=')
		pad++;
	if (pad && s[len - 2] == '=')
		pad++;
	for (i = 0; i < len - pad; i++)
		if (!b64_char(s[i]))
			return -1;
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > max)
		return -1;
	n -= (int)pad;
	memcpy(out, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return n;
}

/* Splits a stored string into its parameters; -1 if malformed. */
static int
pwhash_parse(const char *s, struct pwhash_params *hp)
{
	const char *dollar;
	int n;

	if (strncmp(s, PWHASH_PREFIX, strlen(PWHASH_PREFIX)) != 0)
		return -1;
	s += strlen(PWHASH_PREFIX);
	if (strncmp(s, "ln=", 3) != 0)
		return -1;
	s += 3;
	if (parse_small(&s, &hp->ln) == -1 || strncmp(s, ",r=", 3) != 0)
		return -1;
	s += 3;
	if (parse_small(&s, &hp->r) == -1 || strncmp(s, ",p=", 3) != 0)
		return -1;
	s += 3;
	if (parse_small(&s, &hp->p) == -1 || *s != '$')
		return -1;
	s++;
	if (hp->ln < PWHASH_LN_MIN || hp->ln > PWHASH_LN_MAX ||
	    hp->r < 1 || hp->r > PWHASH_R_MAX ||
	    hp->p < 1 || hp->p > PWHASH_P_MAX)
		return -1;

	if ((dollar = strchr(s, '$')) == NULL)
		return -1;
	n = b64_decode(s, (size_t)(dollar - s), hp->salt, sizeof(hp->salt));
	if (n < PWHASH_BIN_MIN)
		return -1;
	hp->saltlen = (size_t)n;
	s = dollar + 1;
	n = b64_decode(s, strlen(s), hp->key, sizeof(hp->key));
	if (n < PWHASH_BIN_MIN)
		return -1;
	hp->keylen = (size_t)n;
	return 0;
}

int
pwhash_make(const char *password, char *out, size_t outlen)
{
	uint8_t salt[PWHASH_SALT], key[PWHASH_KEY];
	char salt64[4 * ((PWHASH_SALT + 2) / 3) + 1];
	char key64[4 * ((PWHASH_KEY + 2) / 3) + 1];
	size_t pwlen;
	int n, rc = -1;

	if (password == NULL || out == NULL)
		return -1;
	pwlen = strlen(password);
	if (pwlen < 1 || pwlen > PWHASH_PASSWORD_MAX)
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	if (scrypt_derive(password, salt, sizeof(salt), PWHASH_LN, PWHASH_R,
	    PWHASH_P, key, sizeof(key)) == -1)
		goto out;
	EVP_EncodeBlock((unsigned char *)salt64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)key64, key, sizeof(key));
	n = snprintf(out, outlen, "%sln=%d,r=%d,p=%d$%s$%s", PWHASH_PREFIX,
	    PWHASH_LN, PWHASH_R, PWHASH_P, salt64, key64);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key64, sizeof(key64));
	return rc;
}

int
pwhash_verify(const char *password, const char *stored)
{
	struct pwhash_params hp;
	uint8_t key[PWHASH_BIN_MAX];
	int rc;

	if (stored == NULL || pwhash_parse(stored, &hp) == -1)
		return -1;
	if (password == NULL)
		password = "";
	if (scrypt_derive(password, hp.salt, hp.saltlen, hp.ln, hp.r, hp.p,
	    key, hp.keylen) == -1)
		rc = -1;
	else
		rc = CRYPTO_memcmp(key, hp.key, hp.keylen) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&hp, sizeof(hp));
	return rc;
}

void
pwhash_dummy(const char *password)
{
	(void)pwhash_verify(password, pwhash_dummy_hash);
}
