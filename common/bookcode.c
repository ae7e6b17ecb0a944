/*
 * bookcode: see bookcode.h.
 */
#include "bookcode.h"

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>

#include "token.h"

#define NALPHA (sizeof(BOOKCODE_ALPHABET) - 1)

/* Writes the ten symbols in groups: XXXX-XXXX-XX. */
static void
format(const char sym[BOOKCODE_SYMBOLS], char out[BOOKCODE_TEXT_MAX + 1])
{
	size_t o = 0;

	for (int i = 0; i < BOOKCODE_SYMBOLS; i++) {
		if (i == 4 || i == 8)
			out[o++] = '-';
		out[o++] = sym[i];
	}
	out[o] = '\0';
}

int
bookcode_new(char out[BOOKCODE_TEXT_MAX + 1])
{
	char sym[BOOKCODE_SYMBOLS];
	unsigned char b[32];
	size_t have = 0, used = 0;
	int n = 0;

	/* 256 / 31 = 8 rest 8: bytes >= 248 are thrown away, so every
	 * symbol is equally likely */
	while (n < BOOKCODE_SYMBOLS) {
		if (used == have) {
			if (token_random(b, sizeof(b)) != 0)
				return -1;
			have = sizeof(b);
			used = 0;
		}
		if (b[used] < 256 - 256 % NALPHA)
			sym[n++] = BOOKCODE_ALPHABET[b[used] % NALPHA];
		used++;
	}
	format(sym, out);
	return 0;
}

int
bookcode_parse(const char *in, char out[BOOKCODE_TEXT_MAX + 1])
{
	char sym[BOOKCODE_SYMBOLS];
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		int c = toupper(*p);

		if (c == ' ' || c == '-' || c == '.' || c == '\t')
			continue;
		if (c > 127 || c == 0 || strchr(BOOKCODE_ALPHABET, c) == NULL ||
		    n == BOOKCODE_SYMBOLS)
			return -1;
		sym[n++] = (char)c;
	}
	if (n != BOOKCODE_SYMBOLS)
		return -1;
	format(sym, out);
	return 0;
}

int
bookcode_hash(const char *code, uint8_t out[BOOKCODE_HASH_LEN])
{
	char canon[BOOKCODE_TEXT_MAX + 1];
	static const char domain[] = "klopf booking code\n";
	EVP_MD_CTX *ctx;
	int ok;

	if (bookcode_parse(code, canon) != 0)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, domain, sizeof(domain) - 1) == 1 &&
	    EVP_DigestUpdate(ctx, canon, strlen(canon)) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		explicit_bzero(canon, sizeof(canon));
		return -1;
	}
	explicit_bzero(canon, sizeof(canon));
	return 0;
}
