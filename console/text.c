/*
 * text: see text.h. wcwidth() and towlower() follow the process's
 * LC_CTYPE, which main sets from the environment (a UTF-8 locale).
 */
#include "text.h"

#include <string.h>
#include <wchar.h>
#include <wctype.h>

size_t
text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	if (len < n) {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = TEXT_REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = TEXT_REPLACEMENT;
		return 1;
	}
	*cp = c;
	return n;
}

size_t
text_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool
text_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029 || cp == TEXT_REPLACEMENT;
}

int
text_cp_width(uint32_t cp)
{
	int w;

	if (text_unsafe(cp))
		return 1;       /* shown as U+FFFD */
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int
text_width(const char *s)
{
	size_t len = strlen(s);
	int w = 0;

	while (len > 0) {
		uint32_t cp;
		size_t n = text_decode(s, len, &cp);

		w += text_cp_width(cp);
		s += n;
		len -= n;
	}
	return w;
}

/* Appends the shown form of cp (U+FFFD for unsafe ones, and for
 * characters wcwidth does not know) at out[*o]; false if it does not fit. */
static bool
put_shown(uint32_t cp, const char *src, size_t n, char *out, size_t outlen,
    size_t *o)
{
	char enc[4];

	if (text_unsafe(cp) || wcwidth((wchar_t)cp) < 0) {
		n = text_encode(TEXT_REPLACEMENT, enc);
		src = enc;
	}
	if (*o + n + 1 > outlen)
		return false;
	memcpy(out + *o, src, n);
	*o += n;
	return true;
}

int
text_fit(const char *s, int cols, char *out, size_t outlen)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t len = strlen(s), o = 0, mark_o = 0;
	int w = 0, mark_w = 0;
	bool marked = false;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (cols <= 0)
		return 0;
	if (text_width(s) <= cols) {
		while (len > 0) {
			uint32_t cp;
			size_t n = text_decode(s, len, &cp);

			if (!put_shown(cp, s, n, out, outlen, &o))
				break;
			w += text_cp_width(cp);
			s += n;
			len -= n;
		}
		out[o] = '\0';
		return w;
	}
	/* Too wide: keep what fits in cols - 1 columns, then "…". */
	while (len > 0) {
		uint32_t cp;
		size_t n = text_decode(s, len, &cp);
		int cw = text_cp_width(cp);

		if (w + cw > cols - 1)
			break;
		if (!put_shown(cp, s, n, out, outlen, &o))
			break;
		w += cw;
		s += n;
		len -= n;
		mark_o = o;
		mark_w = w;
		marked = true;
	}
	if (!marked) {
		mark_o = 0;
		mark_w = 0;
	}
	if (mark_o + sizeof(ellipsis) <= outlen) {
		memcpy(out + mark_o, ellipsis, sizeof(ellipsis));
		return mark_w + 1;
	}
	out[mark_o] = '\0';
	return mark_w;
}

void
text_copy(char *dst, size_t dstlen, const char *src)
{
	size_t len, o = 0;

	if (dstlen == 0)
		return;
	len = src ? strlen(src) : 0;
	while (len > 0) {
		uint32_t cp;
		size_t n = text_decode(src, len, &cp);

		if (o + n + 1 > dstlen)
			break;
		memcpy(dst + o, src, n);
		o += n;
		src += n;
		len -= n;
	}
	dst[o] = '\0';
}

bool
text_backspace(char *s, size_t *len)
{
	size_t n = *len;

	if (n == 0)
		return false;
	n--;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memset(s + n, 0, *len - n);
	*len = n;
	return true;
}

bool
text_append(char *s, size_t *len, size_t cap, uint32_t cp)
{
	char enc[4];
	size_t n;

	if (text_unsafe(cp))
		return false;
	n = text_encode(cp, enc);
	if (n == 0 || *len + n + 1 > cap)
		return false;
	memcpy(s + *len, enc, n);
	*len += n;
	s[*len] = '\0';
	return true;
}

/* Decodes s into lower-case code points; returns how many (at most max). */
static size_t
fold(const char *s, uint32_t *out, size_t max)
{
	size_t len = strlen(s), k = 0;

	while (len > 0 && k < max) {
		uint32_t cp;
		size_t n = text_decode(s, len, &cp);

		out[k++] = (uint32_t)towlower((wint_t)cp);
		s += n;
		len -= n;
	}
	return k;
}

bool
text_contains(const char *hay, const char *needle)
{
	uint32_t h[512], n[128];
	size_t nh, nn;

	nn = fold(needle, n, sizeof(n) / sizeof(n[0]));
	if (nn == 0)
		return true;
	nh = fold(hay, h, sizeof(h) / sizeof(h[0]));
	for (size_t i = 0; i + nn <= nh; i++)
		if (memcmp(h + i, n, nn * sizeof(n[0])) == 0)
			return true;
	return false;
}
