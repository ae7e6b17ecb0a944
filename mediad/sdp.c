/*
 * sdp: what the parser (sdp_parse.c) and the generators (sdp_gen.c) share:
 * character classes, bounded spans, names, and the look-ups callers use
 * on a parsed struct sdp.
 *
 * Pure: no I/O, no allocation; every function reads only within the
 * lengths or the structs it is given.
 */
#include "sdp.h"
#include "sdp_int.h"

#include <string.h>

/* --- spans --------------------------------------------------------------- */

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
sdp_span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.p && s.n == n && memcmp(s.p, lit, n) == 0;
}

bool
sdp_span_ieq(struct span s, const char *lit)
{
	size_t i, n = strlen(lit);

	if (!s.p || s.n != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower(s.p[i]) != lower(lit[i]))
			return false;
	return true;
}

bool
sdp_span_find(struct span s, const char *needle)
{
	size_t i, n = strlen(needle);

	for (i = 0; s.p && n <= s.n && i <= s.n - n; i++)
		if (memcmp(s.p + i, needle, n) == 0)
			return true;
	return false;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool
sdp_span_next(struct span *rest, struct span *word)
{
	size_t i = 0, start;

	while (rest->p && i < rest->n && is_blank(rest->p[i]))
		i++;
	if (!rest->p || i == rest->n)
		return false;
	start = i;
	while (i < rest->n && !is_blank(rest->p[i]))
		i++;
	word->p = rest->p + start;
	word->n = i - start;
	rest->p += i;
	rest->n -= i;
	return true;
}

struct span
sdp_span_cut(struct span *s, char c)
{
	struct span head = *s;
	size_t i;

	for (i = 0; s->p && i < s->n; i++)
		if (s->p[i] == c) {
			head.n = i;
			s->p += i + 1;
			s->n -= i + 1;
			return head;
		}
	s->p = NULL;
	s->n = 0;
	return head;
}

struct span
sdp_span_trim(struct span s)
{
	while (s.p && s.n > 0 && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.p && s.n > 0 && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool
sdp_span_u32(struct span s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!s.p || s.n == 0 || s.n > 10)
		return false;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

int
sdp_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* --- character classes --------------------------------------------------- */

static bool
all_in(const char *p, size_t n, bool (*ok)(unsigned char))
{
	size_t i;

	if (!p || n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!ok((unsigned char)p[i]))
			return false;
	return true;
}

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

static bool
token_char(unsigned char c)
{
	return is_alnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`{|}~", c));
}

static bool
visible_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

static bool
printable_char(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool
ice_char(unsigned char c)
{
	return is_alnum(c) || c == '+' || c == '/';
}

static bool
addr_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == ':' || c == '-';
}

bool
sdp_is_token(const char *p, size_t n)
{
	return all_in(p, n, token_char);
}

bool
sdp_is_visible(const char *p, size_t n)
{
	return all_in(p, n, visible_char);
}

bool
sdp_is_printable(const char *p, size_t n)
{
	return all_in(p, n, printable_char);
}

bool
sdp_is_ice_chars(const char *p, size_t n)
{
	return all_in(p, n, ice_char);
}

bool
sdp_is_addr(const char *p, size_t n)
{
	return all_in(p, n, addr_char);
}

/* --- names --------------------------------------------------------------- */

size_t
sdp_hash_len(enum sdp_hash hash)
{
	static const size_t len[] = { 0, 20, 28, 32, 48, 64 };

	return (unsigned)hash < 6 ? len[hash] : 0;
}

const char *
sdp_hash_name(enum sdp_hash hash)
{
	static const char *const names[] = {
		"none", "sha-1", "sha-224", "sha-256", "sha-384", "sha-512",
	};

	return (unsigned)hash < 6 ? names[hash] : "none";
}

const char *
sdp_kind_name(enum sdp_kind kind)
{
	static const char *const names[] = {
		"other", "audio", "video", "application",
	};

	return (unsigned)kind < 4 ? names[kind] : "other";
}

const char *
sdp_dir_name(enum sdp_dir dir)
{
	static const char *const names[] = {
		"sendrecv", "sendonly", "recvonly", "inactive",
	};

	return (unsigned)dir < 4 ? names[dir] : "inactive";
}

const char *
sdp_setup_name(enum sdp_setup setup)
{
	static const char *const names[] = {
		"none", "actpass", "active", "passive", "holdconn",
	};

	return (unsigned)setup < 5 ? names[setup] : "none";
}

static const struct {
	const char *name;
	enum sdp_codec_id id;
} codec_names[] = {
	{ "opus", SDP_CODEC_OPUS }, { "VP8", SDP_CODEC_VP8 },
	{ "VP9", SDP_CODEC_VP9 }, { "H264", SDP_CODEC_H264 },
	{ "AV1", SDP_CODEC_AV1 }, { "rtx", SDP_CODEC_RTX },
	{ "red", SDP_CODEC_RED }, { "ulpfec", SDP_CODEC_ULPFEC },
	{ "CN", SDP_CODEC_CN }, { "telephone-event", SDP_CODEC_TELEPHONE_EVENT },
};

enum sdp_codec_id
sdp_codec_id_span(struct span name)
{
	size_t i;

	for (i = 0; i < sizeof codec_names / sizeof codec_names[0]; i++)
		if (sdp_span_ieq(name, codec_names[i].name))
			return codec_names[i].id;
	return SDP_CODEC_OTHER;
}

enum sdp_codec_id
sdp_codec_id_of(const char *name)
{
	return sdp_codec_id_span((struct span){ name, strlen(name) });
}

/* --- look-ups ------------------------------------------------------------ */

const struct sdp_media *
sdp_media_by_mid(const struct sdp *s, const char *mid)
{
	size_t i;

	for (i = 0; i < s->nmedia && mid && mid[0]; i++)
		if (strcmp(s->media[i].mid, mid) == 0)
			return &s->media[i];
	return NULL;
}

bool
sdp_in_bundle(const struct sdp *s, const char *mid)
{
	size_t i;

	for (i = 0; i < s->nbundle; i++)
		if (strcmp(s->bundle[i], mid) == 0)
			return true;
	return false;
}

const struct sdp_codec *
sdp_codec_by_pt(const struct sdp_media *m, unsigned pt)
{
	size_t i;

	for (i = 0; i < m->ncodecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

const struct sdp_codec *
sdp_codec_main(const struct sdp_media *m)
{
	size_t i;

	for (i = 0; i < m->ncodecs; i++)
		switch (m->codecs[i].id) {
		case SDP_CODEC_RTX:
		case SDP_CODEC_RED:
		case SDP_CODEC_ULPFEC:
		case SDP_CODEC_CN:
		case SDP_CODEC_TELEPHONE_EVENT:
			break;
		default:
			return &m->codecs[i];
		}
	return NULL;
}

const struct sdp_codec *
sdp_codec_rtx_for(const struct sdp_media *m, unsigned pt)
{
	size_t i;

	for (i = 0; i < m->ncodecs; i++)
		if (m->codecs[i].id == SDP_CODEC_RTX &&
		    m->codecs[i].apt == (int)pt)
			return &m->codecs[i];
	return NULL;
}

unsigned
sdp_ext_id(const struct sdp_media *m, unsigned ext)
{
	size_t i;

	for (i = 0; i < m->nextmaps && ext != SDP_EXT_OTHER; i++)
		if (m->extmaps[i].ext == ext)
			return m->extmaps[i].id;
	return 0;
}

const struct sdp_ssrc *
sdp_ssrc_find(const struct sdp_media *m, uint32_t ssrc)
{
	size_t i;

	for (i = 0; i < m->nssrcs; i++)
		if (m->ssrcs[i].ssrc == ssrc)
			return &m->ssrcs[i];
	return NULL;
}

bool
sdp_ssrc_fid(const struct sdp_media *m, uint32_t ssrc, uint32_t *rtx)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (strcmp(m->groups[i].semantics, "FID") == 0 &&
		    m->groups[i].nssrcs == 2 && m->groups[i].ssrcs[0] == ssrc) {
			*rtx = m->groups[i].ssrcs[1];
			return true;
		}
	return false;
}
