/*
 * token: see token.h. OpenSSL for randomness and hashing.
 */
#include "token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

int
token_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

static int
sha256(const void *data, size_t len, uint8_t out[TOKEN_HASH_LEN])
{
	unsigned int olen = 0;

	if (EVP_Digest(data, len, out, &olen, EVP_sha256(), NULL) != 1 ||
	    olen != TOKEN_HASH_LEN)
		return -1;
	return 0;
}

int
token_new(char out[TOKEN_CHARS + 1], uint8_t hash[TOKEN_HASH_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[TOKEN_CHARS / 2];

	if (token_random(raw, sizeof(raw)) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[TOKEN_CHARS] = '\0';
	return sha256(out, TOKEN_CHARS, hash);
}

int
token_hash(const char *tok, uint8_t hash[TOKEN_HASH_LEN])
{
	if (tok == NULL || strlen(tok) != TOKEN_CHARS)
		return -1;
	for (size_t i = 0; i < TOKEN_CHARS; i++)
		if (!((tok[i] >= '0' && tok[i] <= '9') ||
		    (tok[i] >= 'a' && tok[i] <= 'f')))
			return -1;
	return sha256(tok, TOKEN_CHARS, hash);
}

unsigned int
token_hash_key(const void *hash)
{
	unsigned int h;

	memcpy(&h, hash, sizeof(h));    /* SHA-256: any 4 bytes will do */
	return h;
}

int
token_hash_equal(const void *a, const void *b)
{
	return memcmp(a, b, TOKEN_HASH_LEN) == 0;
}
