/*
 * token: random bearer tokens (ticket, clerk session, booking) and their
 * SHA-256 hashes. Tokens are 128 bits from OpenSSL's CSPRNG, written as 32
 * lower-case hex characters; only hashes are ever stored.
 */
#ifndef KLOPF_TOKEN_H
#define KLOPF_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_CHARS 32          /* hex characters, without the NUL */
#define TOKEN_HASH_LEN 32       /* SHA-256 */

/* Writes a new token (TOKEN_CHARS + NUL) and its hash. Returns 0, or -1 if
 * the random generator failed. */
int token_new(char out[TOKEN_CHARS + 1], uint8_t hash[TOKEN_HASH_LEN]);
/* Hashes a presented token. Returns 0, or -1 if it is not well-formed
 * (wrong length or not lower-case hex): such a token matches nothing. */
int token_hash(const char *tok, uint8_t hash[TOKEN_HASH_LEN]);
/* Fills buf with n random bytes; 0 or -1. */
int token_random(void *buf, size_t n);
/* For hash tables keyed by a token's hash (TOKEN_HASH_LEN bytes): the
 * types of GLib's GHashFunc and GEqualFunc. */
unsigned int token_hash_key(const void *hash);
int token_hash_equal(const void *a, const void *b);

#endif
