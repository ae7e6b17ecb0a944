/*
 * text: UTF-8 for the console. Decoding and encoding, how many terminal
 * columns a string takes (wcwidth, so it follows LC_CTYPE), fitting a
 * string into a number of columns, case-blind search for the queue filter.
 *
 * Text from the server is shown on a clerk's screen: anything that could
 * move the cursor or disguise the text around it (C0 and C1 controls,
 * DEL, bidirectional embeddings, overrides and isolates, bytes that are
 * not UTF-8) is shown as U+FFFD by text_fit, whatever the server let
 * through. Pure: no I/O, no allocation.
 */
#ifndef KLOPF_CONSOLE_TEXT_H
#define KLOPF_CONSOLE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_REPLACEMENT 0xfffdu

/* Decodes one character of s (at most len bytes, len > 0). Returns the
 * bytes used (1..4); malformed input uses one byte and gives
 * TEXT_REPLACEMENT. */
size_t text_decode(const char *s, size_t len, uint32_t *cp);
/* Encodes cp into out (no NUL). Returns 1..4, or 0 if cp is not a
 * Unicode scalar value. */
size_t text_encode(uint32_t cp, char out[4]);
/* True for the characters text_fit replaces (see above). */
bool text_unsafe(uint32_t cp);
/* Columns of one character as shown (unsafe and unknown ones: 1). */
int text_cp_width(uint32_t cp);
/* Columns of a NUL-terminated string as text_fit would show it. */
int text_width(const char *s);
/*
 * Copies s into out (outlen bytes, always NUL-terminated) as it should be
 * shown in at most cols columns: unsafe characters become U+FFFD, and a
 * string that does not fit is cut at a character boundary and ends in
 * "…". Returns the columns out takes (<= cols).
 */
int text_fit(const char *s, int cols, char *out, size_t outlen);
/* Copies at most dstlen - 1 bytes of src, never cutting a UTF-8
 * sequence; dst is always NUL-terminated. */
void text_copy(char *dst, size_t dstlen, const char *src);
/* Removes the last character of s (length *len); returns false if s was
 * empty. */
bool text_backspace(char *s, size_t *len);
/* Appends cp to s (length *len, capacity cap including the NUL) if it is
 * a character a person can type and it fits; returns false otherwise. */
bool text_append(char *s, size_t *len, size_t cap, uint32_t cp);
/* Case-blind substring search over whole characters (towlower). An empty
 * needle is found everywhere. */
bool text_contains(const char *hay, const char *needle);

#endif
