/*
 * sdp_parse: sdp_parse(), SDP text into a struct sdp (see sdp.h for the
 * rules it applies).
 *
 * Works on (pointer, length) spans of the caller's text and never writes
 * to it or reads past its length; every string it keeps is checked for
 * its characters and length, then copied into the fixed arrays of struct
 * sdp. No I/O, no allocation. Fuzzed by tests/fuzz/fuzz_sdp.c.
 */
#include "sdp.h"
#include "sdp_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The state of one sdp_parse() call. */
struct parser {
	struct sdp *s;
	struct sdp_error *err;
	int line;
	bool seen_v;
	bool s_dir;                     /* a direction at session level */
	struct sdp_media *m;            /* current m= section, NULL: session */
	int group_line;                 /* of a=group:BUNDLE */
	bool eoc_session;               /* a=end-of-candidates at session */
	/* per m= section */
	bool m_dir[SDP_MAX_MEDIA];      /* a direction at m level */
	unsigned fb_star[SDP_MAX_MEDIA];        /* a=rtcp-fb:* */
	int mid_line[SDP_MAX_MEDIA];
};

static int
fail(struct parser *p, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	p->err->line = p->line;
	snprintf(p->err->msg, sizeof p->err->msg, "sdp:%d: %s", p->line, what);
	return -1;
}

/* --- small parsers ------------------------------------------------------ */

/* Copies span v into dst (size max + 1) or fails naming what. */
static int
copy_span(struct parser *p, char *dst, size_t max, struct span v,
    const char *what)
{
	if (v.n > max)
		return fail(p, "%s is longer than %zu bytes", what, max);
	if (v.n > 0)
		memcpy(dst, v.p, v.n);
	dst[v.n] = '\0';
	return 0;
}

static int
copy_token(struct parser *p, char *dst, size_t max, struct span v,
    const char *what)
{
	if (v.n == 0 || !sdp_is_token(v.p, v.n))
		return fail(p, "bad %s", what);
	return copy_span(p, dst, max, v, what);
}

/* Like copy_token, for ids that may hold any visible character
 * (webrtcbin's cname "user1@host-73a3cf1e"). */
static int
copy_visible(struct parser *p, char *dst, size_t max, struct span v,
    const char *what)
{
	if (!sdp_is_visible(v.p, v.n))
		return fail(p, "bad %s", what);
	return copy_span(p, dst, max, v, what);
}

static int
parse_pt(struct parser *p, struct span v, const char *attr, unsigned *pt)
{
	uint32_t n;

	if (!sdp_span_u32(v, 127, &n))
		return fail(p, "bad a=%s: payload type \"%.*s\" is not 0..127",
		    attr, (int)(v.n > 16 ? 16 : v.n), v.p);
	*pt = n;
	return 0;
}

/* The codec of the current m= section with payload type pt, or fails:
 * every PT an attribute names must be on the m= line. */
static struct sdp_codec *
codec_of(struct parser *p, unsigned pt, const char *attr)
{
	size_t i;

	for (i = 0; i < p->m->ncodecs; i++)
		if (p->m->codecs[i].pt == pt)
			return &p->m->codecs[i];
	fail(p, "a=%s names payload type %u, which is not on the m= line",
	    attr, pt);
	return NULL;
}

static int
parse_dir_token(struct span v, enum sdp_dir *dir)
{
	static const char *const names[] = {
		"sendrecv", "sendonly", "recvonly", "inactive",
	};
	size_t i;

	for (i = 0; i < 4; i++)
		if (sdp_span_eq(v, names[i])) {
			*dir = (enum sdp_dir)i;
			return 0;
		}
	return -1;
}

/* --- session and shared attributes -------------------------------------- */

static int
attr_ice(struct parser *p, struct span v, bool pwd)
{
	char *dst;
	size_t min = pwd ? 22 : 4;
	const char *name = pwd ? "a=ice-pwd" : "a=ice-ufrag";

	if (p->m)
		dst = pwd ? p->m->ice_pwd : p->m->ice_ufrag;
	else
		dst = pwd ? p->s->ice_pwd : p->s->ice_ufrag;
	if (dst[0])
		return fail(p, "second %s", name);
	v = sdp_span_trim(v);
	if (v.n < min || v.n > SDP_ICE_MAX || !sdp_is_ice_chars(v.p, v.n))
		return fail(p, "bad %s: need %zu..%d of A-Z a-z 0-9 + /",
		    name, min, SDP_ICE_MAX);
	return copy_span(p, dst, SDP_ICE_MAX, v, name);
}

static int
attr_fingerprint(struct parser *p, struct span v)
{
	struct sdp_fingerprint fp, *dst;
	struct span alg;
	size_t i;
	int hi, lo;

	if (!sdp_span_next(&v, &alg))
		return fail(p, "bad a=fingerprint: no hash function");
	memset(&fp, 0, sizeof fp);
	for (i = SDP_HASH_SHA1; i <= SDP_HASH_SHA512; i++)
		if (sdp_span_ieq(alg, sdp_hash_name((enum sdp_hash)i)))
			fp.hash = (enum sdp_hash)i;
	if (fp.hash == SDP_HASH_NONE)
		return 0;       /* an unknown hash function: another may follow */
	fp.len = (uint8_t)sdp_hash_len(fp.hash);
	v = sdp_span_trim(v);
	if (v.n != (size_t)fp.len * 3 - 1)
		return fail(p, "bad a=fingerprint: %s needs %u bytes as XX:XX:..",
		    sdp_hash_name(fp.hash), fp.len);
	for (i = 0; i < fp.len; i++) {
		hi = sdp_hex(v.p[i * 3]);
		lo = sdp_hex(v.p[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i + 1 < fp.len && v.p[i * 3 + 2] != ':'))
			return fail(p, "bad a=fingerprint: not hex bytes XX:XX:..");
		fp.digest[i] = (uint8_t)(hi << 4 | lo);
	}
	dst = p->m ? &p->m->fp : &p->s->fp;
	if (fp.len > dst->len)  /* of several, keep the strongest */
		*dst = fp;
	return 0;
}

static int
attr_setup(struct parser *p, struct span v)
{
	static const char *const names[] = {
		"", "actpass", "active", "passive", "holdconn",
	};
	enum sdp_setup *dst = p->m ? &p->m->setup : &p->s->setup;
	size_t i;

	if (*dst != SDP_SETUP_NONE)
		return fail(p, "second a=setup");
	for (i = 1; i < 5; i++)
		if (sdp_span_eq(sdp_span_trim(v), names[i])) {
			*dst = (enum sdp_setup)i;
			return 0;
		}
	return fail(p, "bad a=setup: need actpass, active, passive or holdconn");
}

static int
attr_group(struct parser *p, struct span v)
{
	struct span sem, mid;
	size_t i;

	if (!sdp_span_next(&v, &sem))
		return fail(p, "bad a=group: no semantics");
	if (!sdp_span_ieq(sem, "BUNDLE"))
		return 0;       /* LS, FID at session level: not used */
	if (p->s->has_bundle)
		return fail(p, "second a=group:BUNDLE (only one is supported)");
	p->s->has_bundle = true;
	p->group_line = p->line;
	while (sdp_span_next(&v, &mid)) {
		if (p->s->nbundle == SDP_MAX_MEDIA)
			return fail(p, "a=group:BUNDLE has more than %d mids",
			    SDP_MAX_MEDIA);
		if (copy_token(p, p->s->bundle[p->s->nbundle], SDP_MID_MAX, mid,
		    "mid in a=group:BUNDLE") < 0)
			return -1;
		for (i = 0; i < p->s->nbundle; i++)
			if (strcmp(p->s->bundle[i],
			    p->s->bundle[p->s->nbundle]) == 0)
				return fail(p, "a=group:BUNDLE names mid %s twice",
				    p->s->bundle[i]);
		p->s->nbundle++;
	}
	return 0;
}

/* --- m= line ------------------------------------------------------------ */

static int
line_m(struct parser *p, struct span v)
{
	struct span media, port, proto, fmt, num;
	struct sdp_media *m;
	struct sdp_codec *c;
	uint32_t n;
	unsigned pt = 0;
	size_t i;

	if (p->s->nmedia == SDP_MAX_MEDIA)
		return fail(p, "more than %d m= lines", SDP_MAX_MEDIA);
	m = &p->s->media[p->s->nmedia];
	memset(m, 0, sizeof *m);
	m->line = p->line;
	if (!sdp_span_next(&v, &media) || !sdp_span_next(&v, &port) ||
	    !sdp_span_next(&v, &proto))
		return fail(p, "bad m= line: need MEDIA PORT PROTO FMT...");
	if (copy_token(p, m->media, SDP_TOKEN_MAX, media, "m= media type") < 0)
		return -1;
	m->kind = sdp_span_eq(media, "audio") ? SDP_KIND_AUDIO :
	    sdp_span_eq(media, "video") ? SDP_KIND_VIDEO :
	    sdp_span_eq(media, "application") ? SDP_KIND_APPLICATION :
	    SDP_KIND_OTHER;
	num = sdp_span_cut(&port, '/');
	if (!sdp_span_u32(num, 65535, &n))
		return fail(p, "bad m= line: port is not 0..65535");
	m->port = (uint16_t)n;
	if (port.p && !sdp_span_u32(port, 65535, &n))
		return fail(p, "bad m= line: number of ports is not 0..65535");
	if (!sdp_is_visible(proto.p, proto.n))
		return fail(p, "bad m= protocol");
	if (copy_span(p, m->proto, SDP_PROTO_MAX, proto, "m= protocol") < 0)
		return -1;
	m->rtp = sdp_span_find(proto, "RTP/");
	if (!sdp_span_next(&v, &fmt))
		return fail(p, "bad m= line: no format");
	if (copy_token(p, m->fmt0, SDP_MID_MAX, fmt, "m= format") < 0)
		return -1;
	do {
		if (!m->rtp)
			continue;
		if (!sdp_span_u32(fmt, 127, &n))
			return fail(p, "bad m= line: payload type \"%.*s\" is "
			    "not 0..127", (int)(fmt.n > 16 ? 16 : fmt.n), fmt.p);
		pt = n;
		for (i = 0; i < m->ncodecs; i++)
			if (m->codecs[i].pt == pt)
				return fail(p, "m= line lists payload type %u "
				    "twice", pt);
		if (m->ncodecs == SDP_MAX_PT)
			return fail(p, "m= line has more than %d payload types",
			    SDP_MAX_PT);
		c = &m->codecs[m->ncodecs++];
		c->pt = (uint8_t)pt;
		c->apt = -1;
		c->packetization_mode = -1;
		c->profile_level_id = -1;
	} while (sdp_span_next(&v, &fmt));
	p->m = m;
	p->s->nmedia++;
	return 0;
}

/* --- media attributes ---------------------------------------------------- */

static int
attr_mid(struct parser *p, struct span v)
{
	if (p->m->mid[0])
		return fail(p, "second a=mid in one m= section");
	p->mid_line[p->s->nmedia - 1] = p->line;
	return copy_token(p, p->m->mid, SDP_MID_MAX, sdp_span_trim(v),
	    "a=mid");
}

static int
attr_rtpmap(struct parser *p, struct span v)
{
	struct span pts, enc, name, clock;
	struct sdp_codec *c;
	uint32_t n;
	unsigned pt = 0;

	if (!sdp_span_next(&v, &pts) || !sdp_span_next(&v, &enc))
		return fail(p, "bad a=rtpmap: need PT NAME/CLOCK[/CHANNELS]");
	if (parse_pt(p, pts, "rtpmap", &pt) < 0 ||
	    !(c = codec_of(p, pt, "rtpmap")))
		return -1;
	if (c->name[0])
		return fail(p, "second a=rtpmap for payload type %u", pt);
	name = sdp_span_cut(&enc, '/');
	if (!enc.p)
		return fail(p, "bad a=rtpmap: need PT NAME/CLOCK[/CHANNELS]");
	clock = sdp_span_cut(&enc, '/');
	if (name.n == 0 || !sdp_is_token(name.p, name.n))
		return fail(p, "bad a=rtpmap: bad encoding name");
	if (copy_span(p, c->name, SDP_NAME_MAX, name, "a=rtpmap name") < 0)
		return -1;
	if (!sdp_span_u32(clock, UINT32_MAX, &n) || n == 0)
		return fail(p, "bad a=rtpmap: clock rate is not a number > 0");
	c->clock = n;
	if (enc.p) {
		if (!sdp_span_u32(enc, 255, &n) || n == 0)
			return fail(p, "bad a=rtpmap: channels are not 1..255");
		c->channels = (uint8_t)n;
	}
	c->id = sdp_codec_id_span(name);
	return 0;
}

static int
attr_fmtp(struct parser *p, struct span v)
{
	struct span pts, params, param, key;
	struct sdp_codec *c;
	uint32_t n;
	size_t i;
	unsigned pt = 0;

	if (!sdp_span_next(&v, &pts))
		return fail(p, "bad a=fmtp: need PT PARAMETERS");
	if (parse_pt(p, pts, "fmtp", &pt) < 0 ||
	    !(c = codec_of(p, pt, "fmtp")))
		return -1;
	if (c->fmtp[0])
		return fail(p, "second a=fmtp for payload type %u", pt);
	params = sdp_span_trim(v);
	if (!sdp_is_printable(params.p, params.n))
		return fail(p, "bad a=fmtp: no parameters, or not ASCII");
	if (copy_span(p, c->fmtp, SDP_FMTP_MAX, params, "a=fmtp") < 0)
		return -1;
	while (params.p && params.n > 0) {
		param = sdp_span_trim(sdp_span_cut(&params, ';'));
		key = sdp_span_trim(sdp_span_cut(&param, '='));
		if (!param.p)
			continue;       /* "111/111", "0-16": no key=value */
		param = sdp_span_trim(param);
		if (sdp_span_ieq(key, "apt")) {
			if (!sdp_span_u32(param, 127, &n))
				return fail(p, "bad a=fmtp: apt is not 0..127");
			c->apt = (int)n;
		} else if (sdp_span_ieq(key, "packetization-mode")) {
			if (!sdp_span_u32(param, 2, &n))
				return fail(p, "bad a=fmtp: packetization-mode "
				    "is not 0..2");
			c->packetization_mode = (int)n;
		} else if (sdp_span_ieq(key, "profile-level-id")) {
			if (param.n != 6)
				return fail(p, "bad a=fmtp: profile-level-id is "
				    "not 6 hex digits");
			c->profile_level_id = 0;
			for (i = 0; i < 6; i++) {
				if (sdp_hex(param.p[i]) < 0)
					return fail(p, "bad a=fmtp: "
					    "profile-level-id is not 6 hex digits");
				c->profile_level_id = c->profile_level_id << 4 |
				    sdp_hex(param.p[i]);
			}
		}
	}
	return 0;
}

static int
attr_rtcp_fb(struct parser *p, struct span v)
{
	struct span pts, type, sub = { NULL, 0 };
	struct sdp_codec *c = NULL;
	unsigned pt = 0, fb = 0;

	if (!sdp_span_next(&v, &pts) || !sdp_span_next(&v, &type))
		return fail(p, "bad a=rtcp-fb: need PT TYPE [PARAMETER]");
	if (!sdp_span_eq(pts, "*") && (parse_pt(p, pts, "rtcp-fb", &pt) < 0 ||
	    !(c = codec_of(p, pt, "rtcp-fb"))))
		return -1;
	sdp_span_next(&v, &sub);
	if (sdp_span_eq(type, "nack"))
		fb = !sub.p ? SDP_FB_NACK :
		    sdp_span_eq(sub, "pli") ? SDP_FB_PLI : 0;
	else if (sdp_span_eq(type, "ccm"))
		fb = sdp_span_eq(sub, "fir") ? SDP_FB_FIR : 0;
	else if (sdp_span_eq(type, "goog-remb"))
		fb = SDP_FB_REMB;
	else if (sdp_span_eq(type, "transport-cc"))
		fb = SDP_FB_TWCC;
	if (c)
		c->fb |= fb;
	else
		p->fb_star[p->s->nmedia - 1] |= fb;
	return 0;
}

static int
attr_extmap(struct parser *p, struct span v)
{
	struct span ids, uri;
	struct sdp_extmap *e;
	uint32_t id;
	size_t i;

	if (!sdp_span_next(&v, &ids) || !sdp_span_next(&v, &uri))
		return fail(p, "bad a=extmap: need ID[/DIRECTION] URI");
	if (!p->m)
		return 0;
	if (p->m->nextmaps == SDP_MAX_EXTMAP)
		return fail(p, "more than %d a=extmap in one m= section",
		    SDP_MAX_EXTMAP);
	e = &p->m->extmaps[p->m->nextmaps];
	memset(e, 0, sizeof *e);
	v = sdp_span_cut(&ids, '/');
	if (!sdp_span_u32(v, 255, &id) || id == 0 || id == 15)
		return fail(p, "bad a=extmap: id is not 1..14 or 16..255");
	if (ids.p && parse_dir_token(ids, &e->dir) < 0)
		return fail(p, "bad a=extmap: bad direction");
	for (i = 0; i < p->m->nextmaps; i++)
		if (p->m->extmaps[i].id == id)
			return fail(p, "a=extmap id %u used twice", id);
	e->id = (uint8_t)id;
	if (!sdp_is_visible(uri.p, uri.n))
		return fail(p, "bad a=extmap: bad URI");
	if (copy_span(p, e->uri, SDP_URI_MAX, uri, "a=extmap URI") < 0)
		return -1;
	e->ext = sdp_span_eq(uri, SDP_URI_MID) ? SDP_EXT_MID :
	    sdp_span_eq(uri, SDP_URI_ABS_SEND_TIME) ? SDP_EXT_ABS_SEND_TIME :
	    sdp_span_eq(uri, SDP_URI_TWCC) ? SDP_EXT_TWCC : SDP_EXT_OTHER;
	p->m->nextmaps++;
	return 0;
}

/* "STREAM [TRACK]" of a=msid and a=ssrc:N msid: */
static int
parse_msid(struct parser *p, struct span v, char *stream, char *track,
    const char *what)
{
	struct span s, t;

	if (!sdp_span_next(&v, &s))
		return fail(p, "bad %s: no stream id", what);
	if (copy_visible(p, stream, SDP_ID_MAX, s, what) < 0)
		return -1;
	if (sdp_span_next(&v, &t) &&
	    copy_visible(p, track, SDP_ID_MAX, t, what) < 0)
		return -1;
	return 0;
}

static int
attr_ssrc(struct parser *p, struct span v)
{
	struct span num, attr;
	struct sdp_ssrc *e = NULL;
	uint32_t ssrc;
	size_t i;

	if (!sdp_span_next(&v, &num) || !sdp_span_u32(num, UINT32_MAX, &ssrc))
		return fail(p, "bad a=ssrc: SSRC is not 0..4294967295");
	for (i = 0; i < p->m->nssrcs; i++)
		if (p->m->ssrcs[i].ssrc == ssrc)
			e = &p->m->ssrcs[i];
	if (!e) {
		if (p->m->nssrcs == SDP_MAX_SSRC)
			return fail(p, "more than %d SSRCs in one m= section",
			    SDP_MAX_SSRC);
		e = &p->m->ssrcs[p->m->nssrcs++];
		memset(e, 0, sizeof *e);
		e->ssrc = ssrc;
	}
	v = sdp_span_trim(v);
	attr = sdp_span_cut(&v, ':');
	if (sdp_span_eq(attr, "cname")) {
		if (!v.p)
			return fail(p, "bad a=ssrc: cname without a value");
		return copy_visible(p, e->cname, SDP_ID_MAX, sdp_span_trim(v),
		    "a=ssrc cname");
	}
	if (sdp_span_eq(attr, "msid") && v.p)
		return parse_msid(p, v, e->msid_stream, e->msid_track,
		    "a=ssrc msid");
	return 0;
}

static int
attr_ssrc_group(struct parser *p, struct span v)
{
	struct span sem, num;
	struct sdp_ssrc_group *g;

	if (!sdp_span_next(&v, &sem))
		return fail(p, "bad a=ssrc-group: no semantics");
	if (p->m->ngroups == SDP_MAX_SSRC_GROUP)
		return fail(p, "more than %d a=ssrc-group in one m= section",
		    SDP_MAX_SSRC_GROUP);
	g = &p->m->groups[p->m->ngroups];
	memset(g, 0, sizeof *g);
	if (copy_token(p, g->semantics, SDP_TOKEN_MAX, sem,
	    "a=ssrc-group semantics") < 0)
		return -1;
	while (sdp_span_next(&v, &num)) {
		if (g->nssrcs == SDP_MAX_GROUP_SSRC)
			return fail(p, "a=ssrc-group has more than %d SSRCs",
			    SDP_MAX_GROUP_SSRC);
		if (!sdp_span_u32(num, UINT32_MAX, &g->ssrcs[g->nssrcs++]))
			return fail(p, "bad a=ssrc-group: SSRC is not "
			    "0..4294967295");
	}
	if (g->nssrcs == 0)
		return fail(p, "bad a=ssrc-group: no SSRCs");
	p->m->ngroups++;
	return 0;
}

static int
attr_candidate(struct parser *p, struct span v)
{
	static const char *const types[] = { "host", "srflx", "prflx",
	    "relay" };
	static const char *const tcptypes[] = { "", "active", "passive",
	    "so" };
	struct span f[8], key, val;
	struct sdp_candidate c;
	uint32_t n;
	size_t i;
	bool known = false;

	for (i = 0; i < 8; i++)
		if (!sdp_span_next(&v, &f[i]))
			return fail(p, "bad a=candidate: need FOUNDATION "
			    "COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE");
	memset(&c, 0, sizeof c);
	if (!sdp_is_ice_chars(f[0].p, f[0].n) || f[0].n > SDP_FOUNDATION_MAX)
		return fail(p, "bad a=candidate: foundation is not 1..%d of "
		    "A-Z a-z 0-9 + /", SDP_FOUNDATION_MAX);
	memcpy(c.foundation, f[0].p, f[0].n);
	if (!sdp_span_u32(f[1], 256, &n) || n == 0)
		return fail(p, "bad a=candidate: component is not 1..256");
	c.component = (uint16_t)n;
	if (!sdp_span_u32(f[3], UINT32_MAX, &c.priority))
		return fail(p, "bad a=candidate: priority is not a number");
	if (!sdp_is_addr(f[4].p, f[4].n) || f[4].n > SDP_ADDR_MAX)
		return fail(p, "bad a=candidate: address is not 1..%d of "
		    "A-Z a-z 0-9 . : -", SDP_ADDR_MAX);
	memcpy(c.addr, f[4].p, f[4].n);
	if (!sdp_span_u32(f[5], 65535, &n))
		return fail(p, "bad a=candidate: port is not 0..65535");
	c.port = (uint16_t)n;
	if (!sdp_span_eq(f[6], "typ"))
		return fail(p, "bad a=candidate: no \"typ\"");
	for (i = 0; i < 4; i++)
		if (sdp_span_eq(f[7], types[i])) {
			c.type = (enum sdp_cand_type)i;
			known = true;
		}
	if (!known)
		return fail(p, "bad a=candidate: type is not host, srflx, "
		    "prflx or relay");
	while (sdp_span_next(&v, &key)) {
		if (!sdp_span_next(&v, &val))
			return fail(p, "bad a=candidate: \"%.*s\" without a "
			    "value", (int)(key.n > 16 ? 16 : key.n), key.p);
		for (i = 1; i < 4 && sdp_span_eq(key, "tcptype"); i++)
			if (sdp_span_eq(val, tcptypes[i]))
				c.tcptype = (enum sdp_tcptype)i;
	}
	if (sdp_span_ieq(f[2], "udp"))
		c.transport = SDP_TRANSPORT_UDP;
	else if (sdp_span_ieq(f[2], "tcp"))
		c.transport = SDP_TRANSPORT_TCP;
	else
		known = false;  /* another transport: not for klopfd */
	if (!known || p->m->ncands == SDP_MAX_CAND) {
		p->m->cands_dropped++;
		return 0;
	}
	p->m->cands[p->m->ncands++] = c;
	return 0;
}

/* --- dispatch ------------------------------------------------------------ */

enum level { SESSION_ONLY, ANY, MEDIA_ONLY };

static int
line_a(struct parser *p, struct span v)
{
	static const struct {
		const char *name;
		enum level level;
	} levels[] = {
		{ "group", SESSION_ONLY }, { "msid-semantic", SESSION_ONLY },
		{ "ice-lite", SESSION_ONLY }, { "extmap-allow-mixed", ANY },
		{ "mid", MEDIA_ONLY }, { "rtpmap", MEDIA_ONLY },
		{ "fmtp", MEDIA_ONLY }, { "rtcp-fb", MEDIA_ONLY },
		{ "ssrc", MEDIA_ONLY }, { "ssrc-group", MEDIA_ONLY },
		{ "msid", MEDIA_ONLY }, { "candidate", MEDIA_ONLY },
		{ "rtcp-mux", MEDIA_ONLY }, { "rtcp-mux-only", MEDIA_ONLY },
		{ "rtcp-rsize", MEDIA_ONLY }, { "bundle-only", MEDIA_ONLY },
	};
	struct span name = sdp_span_cut(&v, ':');
	struct sdp_media *m = p->m;
	enum sdp_dir dir;
	size_t i;

	if (!v.p)
		v = (struct span){ name.p + name.n, 0 };
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (!sdp_span_eq(name, levels[i].name))
			continue;
		if (levels[i].level == MEDIA_ONLY && !m)
			return fail(p, "a=%s before the first m= line",
			    levels[i].name);
		if (levels[i].level == SESSION_ONLY && m)
			return 0;       /* misplaced: ignored */
	}
	if (parse_dir_token(name, &dir) == 0) {
		if (m ? p->m_dir[p->s->nmedia - 1] : p->s_dir)
			return fail(p, "second direction attribute");
		if (m) {
			m->dir = dir;
			p->m_dir[p->s->nmedia - 1] = true;
		} else {
			p->s->dir = dir;
			p->s_dir = true;
		}
		return 0;
	}
	if (sdp_span_eq(name, "group"))
		return attr_group(p, v);
	if (sdp_span_eq(name, "msid-semantic")) {
		if (sdp_span_next(&v, &name))
			return copy_token(p, p->s->msid_semantic, SDP_TOKEN_MAX,
			    name, "a=msid-semantic");
		return 0;
	}
	if (sdp_span_eq(name, "ice-lite"))
		p->s->ice_lite = true;
	else if (sdp_span_eq(name, "extmap-allow-mixed"))
		p->s->extmap_allow_mixed = true;
	else if (sdp_span_eq(name, "ice-ufrag"))
		return attr_ice(p, v, false);
	else if (sdp_span_eq(name, "ice-pwd"))
		return attr_ice(p, v, true);
	else if (sdp_span_eq(name, "fingerprint"))
		return attr_fingerprint(p, v);
	else if (sdp_span_eq(name, "setup"))
		return attr_setup(p, v);
	else if (sdp_span_eq(name, "extmap"))
		return attr_extmap(p, v);
	else if (sdp_span_eq(name, "end-of-candidates")) {
		if (m)
			m->end_of_candidates = true;
		else
			p->eoc_session = true;
	} else if (!m)
		return 0;
	else if (sdp_span_eq(name, "mid"))
		return attr_mid(p, v);
	else if (sdp_span_eq(name, "rtcp-mux"))
		m->rtcp_mux = true;
	else if (sdp_span_eq(name, "rtcp-mux-only"))
		m->rtcp_mux_only = true;
	else if (sdp_span_eq(name, "rtcp-rsize"))
		m->rtcp_rsize = true;
	else if (sdp_span_eq(name, "bundle-only"))
		m->bundle_only = true;
	else if (sdp_span_eq(name, "msid")) {
		if (m->msid_stream[0])
			return 0;       /* one stream per track is enough */
		return parse_msid(p, v, m->msid_stream, m->msid_track,
		    "a=msid");
	} else if (sdp_span_eq(name, "candidate"))
		return attr_candidate(p, v);
	else if (sdp_span_eq(name, "ssrc"))
		return attr_ssrc(p, v);
	else if (sdp_span_eq(name, "ssrc-group"))
		return attr_ssrc_group(p, v);
	else if (!m->rtp)
		return 0;       /* data channel fmtp etc.: not ours */
	else if (sdp_span_eq(name, "rtpmap"))
		return attr_rtpmap(p, v);
	else if (sdp_span_eq(name, "fmtp"))
		return attr_fmtp(p, v);
	else if (sdp_span_eq(name, "rtcp-fb"))
		return attr_rtcp_fb(p, v);
	return 0;
}

static int
parse_line(struct parser *p, struct span l)
{
	char type;

	if (l.n < 2 || l.p[1] != '=' || l.p[0] < 'a' || l.p[0] > 'z')
		return fail(p, "expected TYPE=VALUE");
	type = l.p[0];
	l.p += 2;
	l.n -= 2;
	if (!p->seen_v) {
		if (type != 'v' || !sdp_span_eq(l, "0"))
			return fail(p, "expected v=0 first");
		p->seen_v = true;
		return 0;
	}
	switch (type) {
	case 'v':
		return fail(p, "second v= line");
	case 'm':
		return line_m(p, l);
	case 'a':
		return line_a(p, l);
	default:
		return 0;       /* o s i u e p c b t r z k: not needed */
	}
}

/* Session-level defaults into each m= section; cross-line checks. */
static int
finish(struct parser *p)
{
	struct sdp *s = p->s;
	struct sdp_media *m;
	size_t i, j;

	if (!p->seen_v) {
		p->line = 1;
		return fail(p, "expected v=0 first (empty SDP)");
	}
	for (i = 0; i < s->nmedia; i++) {
		m = &s->media[i];
		if (!m->ice_ufrag[0])
			memcpy(m->ice_ufrag, s->ice_ufrag, sizeof m->ice_ufrag);
		if (!m->ice_pwd[0])
			memcpy(m->ice_pwd, s->ice_pwd, sizeof m->ice_pwd);
		if (m->fp.hash == SDP_HASH_NONE)
			m->fp = s->fp;
		if (m->setup == SDP_SETUP_NONE)
			m->setup = s->setup;
		if (!p->m_dir[i])
			m->dir = s->dir;
		if (p->eoc_session)
			m->end_of_candidates = true;
		for (j = 0; j < m->ncodecs; j++)
			m->codecs[j].fb |= p->fb_star[i];
		for (j = 0; j < i && m->mid[0]; j++)
			if (strcmp(s->media[j].mid, m->mid) == 0) {
				p->line = p->mid_line[i];
				return fail(p, "a=mid:%s used by two m= sections",
				    m->mid);
			}
	}
	for (i = 0; i < s->nbundle; i++)
		if (!sdp_media_by_mid(s, s->bundle[i])) {
			p->line = p->group_line;
			return fail(p, "a=group:BUNDLE names mid %s, which no "
			    "m= section has", s->bundle[i]);
		}
	return 0;
}

int
sdp_parse(const char *text, size_t len, struct sdp *out,
    struct sdp_error *err)
{
	struct parser p;
	const char *nl;
	size_t pos = 0, end, i;
	unsigned char ch;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	/* The session level only: line_m() clears each m= section it
	 * starts, and 300 KiB of memset per parse would slow the fuzzer. */
	memset(out, 0, offsetof(struct sdp, media));
	p.s = out;
	p.err = err;
	if (len > SDP_MAX_INPUT) {
		snprintf(err->msg, sizeof err->msg, "sdp: %zu bytes of SDP, "
		    "more than the %d allowed", len, SDP_MAX_INPUT);
		return -1;
	}
	if (!text)
		len = 0;
	while (pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		end = nl ? (size_t)(nl - text) : len;
		if (end > pos && text[end - 1] == '\r')
			end--;
		if (end - pos > SDP_MAX_LINE)
			return fail(&p, "line longer than %d bytes",
			    SDP_MAX_LINE);
		for (i = pos; i < end; i++) {
			ch = (unsigned char)text[i];
			if (ch == 0)
				return fail(&p, "NUL byte");
			if (ch == '\r')
				return fail(&p, "CR without LF");
			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return fail(&p, "control character 0x%02x", ch);
		}
		if (end > pos &&
		    parse_line(&p, (struct span){ text + pos, end - pos }) < 0)
			return -1;
		pos = nl ? (size_t)(nl - text) + 1 : len;
	}
	return finish(&p);
}
