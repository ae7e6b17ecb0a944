/*
 * sdp_int: helpers shared by the files of the sdp module (sdp.c,
 * sdp_parse.c, sdp_gen.c) and by nobody else. Character classes and
 * bounded string spans: nothing here reads past the length it is given.
 */
#ifndef KLOPF_SDP_INT_H
#define KLOPF_SDP_INT_H

#include "sdp.h"

/* A piece of the caller's text; p == NULL means "absent" (sdp_span_cut
 * found no separator). Never NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

bool sdp_span_eq(struct span s, const char *lit);
bool sdp_span_ieq(struct span s, const char *lit);
bool sdp_span_find(struct span s, const char *needle);
/* The next word separated by spaces or tabs, taken off *rest. */
bool sdp_span_next(struct span *rest, struct span *word);
/* The part before the first c; *s becomes the part after it, or absent
 * if there is no c. */
struct span sdp_span_cut(struct span *s, char c);
struct span sdp_span_trim(struct span s);
/* Decimal digits only, at most max. */
bool sdp_span_u32(struct span s, uint32_t max, uint32_t *out);
int sdp_hex(char c);

/* Character classes of whole strings; all false for n == 0. */
bool sdp_is_token(const char *p, size_t n);        /* RFC 4566 token */
bool sdp_is_visible(const char *p, size_t n);      /* 0x21..0x7e */
bool sdp_is_printable(const char *p, size_t n);    /* 0x20..0x7e */
bool sdp_is_ice_chars(const char *p, size_t n);    /* A-Z a-z 0-9 + / */
bool sdp_is_addr(const char *p, size_t n);         /* A-Z a-z 0-9 . : - */

size_t sdp_hash_len(enum sdp_hash hash);
enum sdp_codec_id sdp_codec_id_span(struct span name);

#endif
