/*
 * bookcode: the booking code a citizen gets for an appointment: short,
 * easy to read aloud and to type, "K7WP-Q3HX-M9". Ten symbols of an
 * alphabet of 31 without the look-alikes 0/O and 1/I/L carry 49 bits of
 * randomness (31^10 is about 2^49.5). Written in
 * groups of four, four and two; read back case-insensitively with any
 * spaces and dashes, so "k7wp q3hx m9" is the same code.
 *
 * Owns nothing. Randomness from token_random (OpenSSL); no bias (each
 * symbol by rejection sampling).
 */
#ifndef KLOPF_BOOKCODE_H
#define KLOPF_BOOKCODE_H

#include <stddef.h>
#include <stdint.h>

#define BOOKCODE_SYMBOLS 10
#define BOOKCODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define BOOKCODE_TEXT_MAX 12            /* "XXXX-XXXX-XX", without NUL */
#define BOOKCODE_HASH_LEN 32

/* A fresh code in display form into out (BOOKCODE_TEXT_MAX + 1 bytes).
 * 0, or -1 if no randomness is available. */
int bookcode_new(char out[BOOKCODE_TEXT_MAX + 1]);

/* Reads what a person typed: case, spaces, dashes and dots do not
 * matter. Writes the canonical form (the display form) into out and
 * returns 0, or -1 if it is not a code (a wrong symbol, too few or too
 * many). */
int bookcode_parse(const char *in, char out[BOOKCODE_TEXT_MAX + 1]);

/* The hash under which the store keeps a code (SHA-256 of its canonical
 * form): what a person typed, in any of the forms bookcode_parse reads.
 * 0, or -1 if it is not a code. */
int bookcode_hash(const char *code, uint8_t out[BOOKCODE_HASH_LEN]);

#endif
