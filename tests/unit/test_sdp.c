/*
 * test_sdp: the SDP parser on the real SDPs captured from Chromium 156,
 * webrtcbin 1.22 and Janus 1.1.2 (tests/fixtures/sdp/, see its README),
 * klopfd's answers to the Chromium and webrtcbin publish offers and its
 * subscribe offers, each parsed back, and malformed input, which must be
 * refused with the line it is on. Runs with the repository root as
 * working directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sdp.h"

#define FIXTURES "tests/fixtures/sdp/"

static const char *const fixtures[] = {
	"chromium-156-echotest-offer-with-candidates-eth0-netns.sdp",
	"chromium-156-echotest-offer.sdp",
	"chromium-156-publish-offer.sdp",
	"chromium-156-subscribe-answer-with-candidates.sdp",
	"chromium-156-subscribe-answer.sdp",
	"janus-1.1.2-echotest-answer-to-webrtcbin.sdp",
	"janus-1.1.2-echotest-answer.sdp",
	"janus-1.1.2-publish-answer-to-webrtcbin.sdp",
	"janus-1.1.2-publish-answer.sdp",
	"janus-1.1.2-subscribe-offer-to-webrtcbin.sdp",
	"janus-1.1.2-subscribe-offer.sdp",
	"webrtcbin-1.22-offer-bundle-none.sdp",
	"webrtcbin-1.22-offer-max-compat.sdp",
	"webrtcbin-1.22-offer.sdp",
	"webrtcbin-1.22-publish-offer.sdp",
	"webrtcbin-1.22-subscribe-answer.sdp",
};
#define NFIXTURES (sizeof fixtures / sizeof fixtures[0])

/* struct sdp is large: the tests keep theirs here, not on the stack. */
static struct sdp S, S2;
static char out[SDP_MAX_INPUT];

/* --- helpers ------------------------------------------------------------ */

/* The fixture's bytes (caller frees) and their number in *len. */
static char *
slurp(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
parse_fixture(const char *name, struct sdp *s)
{
	struct sdp_error err;
	size_t len;
	char *text = slurp(name, &len);

	if (sdp_parse(text, len, s, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	free(text);
}

static void
parse_ok(const char *text, size_t len, struct sdp *s)
{
	struct sdp_error err;

	if (sdp_parse(text, len, s, &err) != 0)
		fail_msg("%s\n--- in ---\n%.*s", err.msg, (int)len, text);
}

/* Parsing text must fail at line with a message containing what. */
static void
expect_error_len(const char *text, size_t len, int line, const char *what)
{
	struct sdp_error err;
	char prefix[32];

	assert_int_equal(sdp_parse(text, len, &S, &err), -1);
	if (err.line != line || !strstr(err.msg, what))
		fail_msg("expected line %d \"%s\", got line %d \"%s\"", line,
		    what, err.line, err.msg);
	if (line > 0) {
		snprintf(prefix, sizeof prefix, "sdp:%d: ", line);
		assert_memory_equal(err.msg, prefix, strlen(prefix));
	}
}

static void
expect_error(const char *text, int line, const char *what)
{
	expect_error_len(text, strlen(text), line, what);
}

static void
local_init(struct sdp_local *l)
{
	size_t i;

	memset(l, 0, sizeof *l);
	l->session_id = 4242424242;
	l->session_version = 1;
	strcpy(l->ice_ufrag, "kLpF");
	strcpy(l->ice_pwd, "klopfdIcePassword0123456789+/");
	for (i = 0; i < SDP_SHA256_LEN; i++)
		l->fingerprint[i] = (uint8_t)(0xA0 + i);
	l->ncands = 1;
	strcpy(l->cands[0].addr, "127.0.0.1");
	l->cands[0].port = 40021;
	l->cands[0].priority = 2015363327;
}

/* Every line of an SDP klopfd wrote ends in CRLF. */
static void
assert_crlf(const char *text, size_t len)
{
	size_t i;

	assert_true(len >= 2);
	assert_memory_equal(text + len - 2, "\r\n", 2);
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			assert_true(i > 0 && text[i - 1] == '\r');
		else if (text[i] == '\r')
			assert_true(i + 1 < len && text[i + 1] == '\n');
}

/* The m= section m of klopfd's SDP carries its transport. */
static void
assert_local_transport(const struct sdp_media *m, const struct sdp_local *l,
    enum sdp_setup setup)
{
	assert_string_equal(m->ice_ufrag, l->ice_ufrag);
	assert_string_equal(m->ice_pwd, l->ice_pwd);
	assert_int_equal(m->fp.hash, SDP_HASH_SHA256);
	assert_int_equal(m->fp.len, SDP_SHA256_LEN);
	assert_memory_equal(m->fp.digest, l->fingerprint, SDP_SHA256_LEN);
	assert_int_equal(m->setup, setup);
	assert_true(m->rtcp_mux);
}

static void
assert_local_candidate(const struct sdp_media *m)
{
	assert_int_equal(m->ncands, 1);
	assert_string_equal(m->cands[0].addr, "127.0.0.1");
	assert_int_equal(m->cands[0].port, 40021);
	assert_int_equal(m->cands[0].priority, 2015363327);
	assert_int_equal(m->cands[0].component, 1);
	assert_int_equal(m->cands[0].transport, SDP_TRANSPORT_UDP);
	assert_int_equal(m->cands[0].type, SDP_CAND_HOST);
	assert_true(m->end_of_candidates);
}

/* --- parsing the captured SDPs ------------------------------------------ */

static void
test_every_fixture_parses(void **state)
{
	size_t i;

	for (i = 0; i < NFIXTURES; i++) {
		parse_fixture(fixtures[i], &S);
		assert_int_equal(S.nmedia, 2);
	}
}

static void
test_chromium_publish_offer(void **state)
{
	static const uint8_t fp_head[] = { 0xFA, 0x78, 0x5A, 0x3D };
	const struct sdp_media *a, *v;
	const struct sdp_codec *c;
	uint32_t rtx;

	parse_fixture("chromium-156-publish-offer.sdp", &S);
	assert_true(S.has_bundle);
	assert_int_equal(S.nbundle, 2);
	assert_string_equal(S.bundle[0], "0");
	assert_string_equal(S.bundle[1], "1");
	assert_string_equal(S.msid_semantic, "WMS");
	assert_true(S.extmap_allow_mixed);
	assert_false(S.ice_lite);

	a = &S.media[0];
	assert_int_equal(a->kind, SDP_KIND_AUDIO);
	assert_int_equal(a->port, 9);
	assert_string_equal(a->proto, "UDP/TLS/RTP/SAVPF");
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->dir, SDP_DIR_SENDONLY);
	assert_string_equal(a->ice_ufrag, "yRgV");
	assert_string_equal(a->ice_pwd, "862ICvD8QpAAKZju3jfZVYE3");
	assert_int_equal(a->fp.hash, SDP_HASH_SHA256);
	assert_int_equal(a->fp.len, 32);
	assert_memory_equal(a->fp.digest, fp_head, sizeof fp_head);
	assert_int_equal(a->fp.digest[31], 0x7A);
	assert_int_equal(a->setup, SDP_SETUP_ACTPASS);
	assert_true(a->rtcp_mux);
	assert_true(a->rtcp_rsize);
	assert_false(a->rtcp_mux_only);
	assert_false(a->bundle_only);
	assert_int_equal(a->ncodecs, 8);
	c = sdp_codec_main(a);
	assert_non_null(c);
	assert_int_equal(c->pt, 111);
	assert_int_equal(c->id, SDP_CODEC_OPUS);
	assert_string_equal(c->name, "opus");
	assert_int_equal(c->clock, 48000);
	assert_int_equal(c->channels, 2);
	assert_string_equal(c->fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(c->fb, SDP_FB_TWCC);
	assert_int_equal(sdp_codec_by_pt(a, 63)->id, SDP_CODEC_RED);
	assert_int_equal(sdp_codec_by_pt(a, 126)->clock, 8000);
	assert_int_equal(a->nextmaps, 4);
	assert_int_equal(sdp_ext_id(a, SDP_EXT_MID), 4);
	assert_int_equal(sdp_ext_id(a, SDP_EXT_ABS_SEND_TIME), 2);
	assert_int_equal(sdp_ext_id(a, SDP_EXT_TWCC), 3);
	assert_int_equal(a->extmaps[0].ext, SDP_EXT_OTHER);
	assert_string_equal(a->extmaps[0].uri,
	    "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
	assert_string_equal(a->msid_stream,
	    "65730766-76b3-4d36-b84f-755bfbc7a269");
	assert_string_equal(a->msid_track,
	    "43dd48be-3104-49ba-8654-c105e526140e");
	assert_int_equal(a->nssrcs, 1);
	assert_int_equal(a->ssrcs[0].ssrc, 3150759376u);
	assert_string_equal(a->ssrcs[0].cname, "g7qg7D35EyTbpj5i");
	assert_string_equal(a->ssrcs[0].msid_track,
	    "43dd48be-3104-49ba-8654-c105e526140e");
	assert_int_equal(a->ncands, 0);
	assert_false(a->end_of_candidates);

	v = sdp_media_by_mid(&S, "1");
	assert_ptr_equal(v, &S.media[1]);
	assert_int_equal(v->kind, SDP_KIND_VIDEO);
	assert_int_equal(v->ncodecs, 23);
	assert_int_equal(v->codecs[0].pt, 96);
	assert_int_equal(v->codecs[22].pt, 120);
	c = sdp_codec_main(v);
	assert_int_equal(c->pt, 96);
	assert_int_equal(c->id, SDP_CODEC_VP8);
	assert_int_equal(c->clock, 90000);
	assert_int_equal(c->channels, 0);
	assert_int_equal(c->fb, SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR |
	    SDP_FB_REMB | SDP_FB_TWCC);
	assert_int_equal(sdp_codec_rtx_for(v, 96)->pt, 97);
	assert_int_equal(sdp_codec_by_pt(v, 97)->apt, 96);
	assert_int_equal(sdp_codec_by_pt(v, 97)->id, SDP_CODEC_RTX);
	c = sdp_codec_by_pt(v, 102);
	assert_int_equal(c->id, SDP_CODEC_H264);
	assert_int_equal(c->packetization_mode, 1);
	assert_int_equal(c->profile_level_id, 0x42001f);
	assert_string_equal(c->fmtp, "level-asymmetry-allowed=1;"
	    "packetization-mode=1;profile-level-id=42001f");
	assert_int_equal(sdp_codec_by_pt(v, 104)->packetization_mode, 0);
	assert_int_equal(sdp_codec_by_pt(v, 108)->profile_level_id, 0x42e01f);
	assert_int_equal(sdp_codec_by_pt(v, 45)->id, SDP_CODEC_AV1);
	assert_int_equal(sdp_codec_by_pt(v, 98)->id, SDP_CODEC_VP9);
	assert_int_equal(sdp_codec_by_pt(v, 96)->apt, -1);
	assert_int_equal(sdp_codec_by_pt(v, 96)->profile_level_id, -1);
	assert_null(sdp_codec_by_pt(v, 111));
	assert_int_equal(v->nextmaps, 11);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_MID), 4);
	assert_int_equal(v->extmaps[0].id, 14);
	assert_int_equal(v->extmaps[0].dir, SDP_DIR_SENDRECV);
	assert_int_equal(v->ngroups, 1);
	assert_string_equal(v->groups[0].semantics, "FID");
	assert_int_equal(v->groups[0].nssrcs, 2);
	assert_int_equal(v->groups[0].ssrcs[0], 2776221448u);
	assert_int_equal(v->groups[0].ssrcs[1], 3157163170u);
	assert_true(sdp_ssrc_fid(v, 2776221448u, &rtx));
	assert_int_equal(rtx, 3157163170u);
	assert_false(sdp_ssrc_fid(v, 3157163170u, &rtx));
	assert_int_equal(v->nssrcs, 2);
	assert_string_equal(sdp_ssrc_find(v, 3157163170u)->cname,
	    "g7qg7D35EyTbpj5i");
	assert_null(sdp_ssrc_find(v, 1));
}

static void
test_webrtcbin_publish_offer(void **state)
{
	const struct sdp_media *v, *a;
	const struct sdp_codec *c;

	parse_fixture("webrtcbin-1.22-publish-offer.sdp", &S);
	assert_true(S.has_bundle);
	assert_string_equal(S.bundle[0], "video0");
	assert_string_equal(S.bundle[1], "audio1");
	assert_string_equal(S.ice_ufrag, "");   /* m level only */
	assert_int_equal(S.fp.hash, SDP_HASH_NONE);
	v = &S.media[0];
	a = &S.media[1];
	assert_string_equal(v->mid, "video0");
	assert_string_equal(a->mid, "audio1");
	assert_int_equal(v->port, 9);
	assert_false(v->bundle_only);
	assert_int_equal(a->port, 0);
	assert_true(a->bundle_only);
	assert_true(v->rtcp_mux_only);
	assert_true(a->rtcp_mux_only);
	assert_int_equal(v->dir, SDP_DIR_SENDONLY);
	assert_int_equal(a->dir, SDP_DIR_SENDONLY);
	assert_string_equal(a->ice_ufrag, "gcRTZ3uctF5lDDGnL9bfvL1V7is+MuQX");
	assert_string_equal(a->ice_pwd, "PJ+2aBgIbs72ONFROa4tDxgfDija2Apw");
	assert_int_equal(a->fp.digest[0], 0xB2);
	assert_int_equal(a->fp.digest[31], 0x0F);
	assert_int_equal(v->nextmaps, 0);
	assert_int_equal(a->nextmaps, 0);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_MID), 0);
	c = sdp_codec_main(a);
	assert_int_equal(c->pt, 111);
	assert_string_equal(c->name, "OPUS");
	assert_int_equal(c->id, SDP_CODEC_OPUS);
	assert_int_equal(c->channels, 2);
	assert_string_equal(c->fmtp,
	    "sprop-stereo=0;sprop-maxcapturerate=48000");
	c = sdp_codec_main(v);
	assert_int_equal(c->pt, 96);
	assert_int_equal(c->fb, SDP_FB_PLI | SDP_FB_FIR | SDP_FB_TWCC);
	assert_null(sdp_codec_rtx_for(v, 96));
	assert_int_equal(v->nssrcs, 1);
	assert_int_equal(v->ssrcs[0].ssrc, 1582366569u);
	assert_string_equal(v->ssrcs[0].cname, "user1949889524@host-73a3cf1e");
	assert_string_equal(v->ssrcs[0].msid_stream,
	    "user1949889524@host-73a3cf1e");
	assert_string_equal(v->ssrcs[0].msid_track, "webrtctransceiver0");
	assert_int_equal(a->ssrcs[0].ssrc, 3770372424u);
	assert_string_equal(v->msid_stream, "");        /* no a=msid */
}

static void
test_webrtcbin_bundle_none_has_no_group(void **state)
{
	parse_fixture("webrtcbin-1.22-offer-bundle-none.sdp", &S);
	assert_false(S.has_bundle);
	assert_int_equal(S.nbundle, 0);
	assert_string_equal(S.media[0].ice_ufrag,
	    "Z1jDEz54egWxJwSxwjhu22hScSjohBQ8");
	assert_string_equal(S.media[1].ice_ufrag,
	    "8xyavILLVS8cTfHACvnVqOLy2pPhmZMc");
	assert_int_equal(S.media[1].port, 9);
}

static void
test_chromium_candidates_on_every_interface(void **state)
{
	const struct sdp_media *a;

	parse_fixture("chromium-156-echotest-offer-with-candidates-eth0-"
	    "netns.sdp", &S);
	a = &S.media[0];
	assert_int_equal(a->port, 45451);
	assert_int_equal(a->dir, SDP_DIR_SENDRECV);
	assert_int_equal(a->ncands, 4);
	assert_int_equal(a->cands_dropped, 0);
	assert_string_equal(a->cands[0].foundation, "41545447");
	assert_int_equal(a->cands[0].component, 1);
	assert_int_equal(a->cands[0].transport, SDP_TRANSPORT_UDP);
	assert_int_equal(a->cands[0].priority, 2122194687u);
	assert_string_equal(a->cands[0].addr, "127.0.0.1");
	assert_int_equal(a->cands[0].port, 45451);
	assert_int_equal(a->cands[0].type, SDP_CAND_HOST);
	assert_string_equal(a->cands[1].addr, "192.0.2.2");
	assert_int_equal(a->cands[1].port, 58931);
	assert_string_equal(a->cands[2].addr, "::1");
	assert_string_equal(a->cands[3].addr, "fd00::2");
	assert_int_equal(a->cands[3].port, 56538);
	assert_false(a->end_of_candidates);
	assert_int_equal(S.media[1].ncands, 0);
}

static void
test_chromium_subscribe_answer_with_candidate(void **state)
{
	const struct sdp_media *a;

	parse_fixture("chromium-156-subscribe-answer-with-candidates.sdp", &S);
	a = &S.media[0];
	assert_int_equal(a->setup, SDP_SETUP_ACTIVE);
	assert_int_equal(a->dir, SDP_DIR_RECVONLY);
	assert_int_equal(a->ncands, 1);
	assert_string_equal(a->cands[0].foundation, "3261395662");
	assert_int_equal(a->cands[0].priority, 2122260223u);
	assert_string_equal(a->cands[0].addr, "127.0.0.1");
	assert_int_equal(a->cands[0].port, 51846);
	assert_int_equal(a->fp.digest[0], 0xEF);
	assert_string_equal(S.msid_semantic, "WMS");
	assert_int_equal(S.media[1].setup, SDP_SETUP_ACTIVE);
}

/* Janus writes the fingerprint at session level only: each m= section
 * must have it anyway. */
static void
test_janus_session_fingerprint_reaches_every_mline(void **state)
{
	const struct sdp_media *v;

	parse_fixture("janus-1.1.2-subscribe-offer.sdp", &S);
	assert_true(S.ice_lite);
	assert_int_equal(S.fp.hash, SDP_HASH_SHA256);
	assert_int_equal(S.fp.digest[0], 0xE8);
	v = &S.media[1];
	assert_int_equal(v->fp.hash, SDP_HASH_SHA256);
	assert_memory_equal(v->fp.digest, S.fp.digest, 32);
	assert_string_equal(v->ice_ufrag, "KgNU");
	assert_int_equal(v->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(v->dir, SDP_DIR_SENDONLY);
	assert_string_equal(v->msid_stream, "janus");
	assert_string_equal(v->msid_track, "janus1");
	assert_int_equal(v->ncands, 1);
	assert_int_equal(v->cands[0].port, 40782);
	assert_true(v->end_of_candidates);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_MID), 4);
	assert_int_equal(v->ngroups, 1);
	assert_int_equal(v->groups[0].ssrcs[1], 394131484u);
	assert_string_equal(sdp_ssrc_find(v, 394131484u)->cname, "janus");
}

static void
test_webrtcbin_subscribe_answer_drops_rtx_and_ssrc(void **state)
{
	parse_fixture("webrtcbin-1.22-subscribe-answer.sdp", &S);
	assert_int_equal(S.media[0].ncodecs, 1);
	assert_int_equal(S.media[0].nssrcs, 0);
	assert_int_equal(S.media[0].setup, SDP_SETUP_ACTIVE);
	assert_int_equal(S.media[0].dir, SDP_DIR_RECVONLY);
	assert_string_equal(S.media[1].codecs[0].name, "OPUS");
}

/* The same SDP with LF line ends parses to exactly the same struct. */
static void
test_lf_line_ends_parse_the_same(void **state)
{
	size_t i, j, len;
	char *text;

	for (i = 0; i < NFIXTURES; i++) {
		text = slurp(fixtures[i], &len);
		parse_ok(text, len, &S);
		for (j = 0; text[j]; )
			if (text[j] == '\r')
				memmove(text + j, text + j + 1, len-- - j);
			else
				j++;
		parse_ok(text, len, &S2);
		assert_memory_equal(&S, &S2, offsetof(struct sdp, media) +
		    S.nmedia * sizeof S.media[0]);
		free(text);
	}
}

static void
test_session_level_values_are_defaults(void **state)
{
	static const char text[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 0.0.0.0\n"
	    "s=-\n"
	    "t=0 0\n"
	    "a=ice-ufrag:sess\n"
	    "a=ice-pwd:sessionpasswordsession\n"
	    "a=setup:active\n"
	    "a=sendonly\n"
	    "a=end-of-candidates\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 0\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 0\n"
	    "a=ice-ufrag:mlev\n"
	    "a=setup:passive\n"
	    "a=inactive\n";

	parse_ok(text, strlen(text), &S);
	assert_string_equal(S.media[0].ice_ufrag, "sess");
	assert_string_equal(S.media[0].ice_pwd, "sessionpasswordsession");
	assert_int_equal(S.media[0].setup, SDP_SETUP_ACTIVE);
	assert_int_equal(S.media[0].dir, SDP_DIR_SENDONLY);
	assert_true(S.media[0].end_of_candidates);
	assert_string_equal(S.media[1].ice_ufrag, "mlev");
	assert_string_equal(S.media[1].ice_pwd, "sessionpasswordsession");
	assert_int_equal(S.media[1].setup, SDP_SETUP_PASSIVE);
	assert_int_equal(S.media[1].dir, SDP_DIR_INACTIVE);
	assert_int_equal(S.media[0].codecs[0].pt, 0);
	assert_string_equal(S.media[0].codecs[0].name, "");
}

static void
test_rtcp_fb_wildcard_and_unknown_types(void **state)
{
	static const char text[] =
	    "v=0\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
	    "a=rtpmap:96 VP8/90000\r\n"
	    "a=rtpmap:97 vp9/90000\r\n"
	    "a=rtcp-fb:* nack\r\n"
	    "a=rtcp-fb:96 ccm tmmbr\r\n"
	    "a=rtcp-fb:96 nack sli\r\n"
	    "a=rtcp-fb:97 trr-int 100\r\n"
	    "a=rtcp-fb:97 goog-remb\r\n"
	    "a=x-unknown:anything at all\r\n"
	    "z=unknown line type\r\n";

	parse_ok(text, strlen(text), &S);
	assert_int_equal(S.media[0].codecs[0].fb, SDP_FB_NACK);
	assert_int_equal(S.media[0].codecs[1].fb, SDP_FB_NACK | SDP_FB_REMB);
	assert_int_equal(S.media[0].codecs[1].id, SDP_CODEC_VP9);
}

static void
test_candidates_past_the_maximum_are_dropped(void **state)
{
	char text[4096];
	size_t n, i;

	n = (size_t)snprintf(text, sizeof text,
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	for (i = 0; i < SDP_MAX_CAND + 2; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "a=candidate:%zu 1 udp %zu 10.0.0.%zu 5000 typ host\r\n",
		    i, 100 + i, i);
	n += (size_t)snprintf(text + n, sizeof text - n,
	    "a=candidate:x 1 sctp 1 10.0.0.1 1 typ host\r\n"
	    "a=candidate:t 1 TCP 1 10.0.0.1 9 typ host tcptype passive\r\n");
	parse_ok(text, n, &S);
	assert_int_equal(S.media[0].ncands, SDP_MAX_CAND);
	assert_int_equal(S.media[0].cands_dropped, 4);
	assert_string_equal(S.media[0].cands[7].addr, "10.0.0.7");
}

/* --- klopfd's answers to publish offers --------------------------------- */

static int
answer(const char *fixture, unsigned flags, struct sdp_local *l)
{
	struct sdp_error err;
	int len;

	local_init(l);
	parse_fixture(fixture, &S);
	len = sdp_answer_publish(&S, l, flags, out, sizeof out, &err);
	if (len < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(strlen(out), (size_t)len);
	assert_crlf(out, (size_t)len);
	parse_ok(out, (size_t)len, &S2);
	return len;
}

static void
test_answer_to_chromium_publish_offer(void **state)
{
	const struct sdp_media *a, *v;
	const struct sdp_codec *c;
	struct sdp_local l;

	answer("chromium-156-publish-offer.sdp", 0, &l);
	assert_true(S2.ice_lite);
	assert_true(S2.has_bundle);
	assert_int_equal(S2.nbundle, 2);
	assert_string_equal(S2.bundle[0], "0");
	assert_string_equal(S2.bundle[1], "1");
	assert_int_equal(S2.nmedia, 2);
	a = &S2.media[0];
	v = &S2.media[1];
	assert_string_equal(a->mid, "0");
	assert_string_equal(v->mid, "1");
	assert_int_equal(a->kind, SDP_KIND_AUDIO);
	assert_int_equal(v->kind, SDP_KIND_VIDEO);
	assert_int_equal(a->port, 9);
	assert_int_equal(a->dir, SDP_DIR_RECVONLY);
	assert_int_equal(v->dir, SDP_DIR_RECVONLY);
	assert_local_transport(a, &l, SDP_SETUP_PASSIVE);
	assert_local_transport(v, &l, SDP_SETUP_PASSIVE);
	assert_true(a->rtcp_rsize);
	assert_local_candidate(a);
	assert_local_candidate(v);

	assert_int_equal(a->ncodecs, 1);
	c = &a->codecs[0];
	assert_int_equal(c->pt, 111);
	assert_int_equal(c->id, SDP_CODEC_OPUS);
	assert_int_equal(c->clock, 48000);
	assert_int_equal(c->channels, 2);
	assert_string_equal(c->fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(c->fb, SDP_FB_TWCC);

	assert_int_equal(v->ncodecs, 2);
	c = sdp_codec_main(v);
	assert_int_equal(c->pt, 96);
	assert_int_equal(c->id, SDP_CODEC_VP8);
	assert_int_equal(c->fb, SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR |
	    SDP_FB_REMB | SDP_FB_TWCC);
	assert_int_equal(sdp_codec_rtx_for(v, 96)->pt, 97);
	assert_int_equal(v->codecs[1].apt, 96);

	/* Of the extmaps only mid, abs-send-time and transport-cc, with the
	 * offer's ids. */
	assert_int_equal(a->nextmaps, 3);
	assert_int_equal(v->nextmaps, 3);
	assert_int_equal(sdp_ext_id(a, SDP_EXT_MID), 4);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_MID), 4);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_ABS_SEND_TIME), 2);
	assert_int_equal(sdp_ext_id(v, SDP_EXT_TWCC), 3);
	assert_int_equal(a->nssrcs, 0);
	assert_null(strstr(out, "H264"));
	assert_null(strstr(out, "actpass"));
	assert_non_null(strstr(out, "\r\no=- 4242424242 1 IN IP4 "));
}

static void
test_answer_to_webrtcbin_publish_offer(void **state)
{
	const struct sdp_media *v, *a;
	struct sdp_local l;

	answer("webrtcbin-1.22-publish-offer.sdp", SDP_ANSWER_H264, &l);
	assert_true(S2.ice_lite);
	assert_int_equal(S2.nbundle, 2);
	assert_string_equal(S2.bundle[0], "video0");
	assert_string_equal(S2.bundle[1], "audio1");
	v = &S2.media[0];
	a = &S2.media[1];
	assert_string_equal(v->mid, "video0");
	assert_string_equal(a->mid, "audio1");
	/* the bundle-only audio with port 0 is accepted, not rejected */
	assert_int_equal(a->port, 9);
	assert_false(a->bundle_only);
	assert_int_equal(v->dir, SDP_DIR_RECVONLY);
	assert_int_equal(a->dir, SDP_DIR_RECVONLY);
	assert_local_transport(v, &l, SDP_SETUP_PASSIVE);
	assert_local_transport(a, &l, SDP_SETUP_PASSIVE);
	assert_local_candidate(a);
	assert_int_equal(v->ncodecs, 1);
	assert_int_equal(v->codecs[0].pt, 96);
	assert_int_equal(v->codecs[0].id, SDP_CODEC_VP8);
	assert_int_equal(a->ncodecs, 1);
	assert_int_equal(a->codecs[0].pt, 111);
	assert_int_equal(a->codecs[0].id, SDP_CODEC_OPUS);
	assert_int_equal(v->nextmaps, 0);
	assert_int_equal(a->nextmaps, 0);
	assert_null(strstr(out, "a=extmap"));
}

/* The office's cap reaches webrtcbin, which ignores REMB, as b=AS on the
 * video line only; without a cap there is no b= line. */
static void
test_answer_names_the_video_cap(void **state)
{
	struct sdp_error err;
	struct sdp_local l;
	const char *v, *a;
	int len;

	answer("webrtcbin-1.22-publish-offer.sdp", 0, &l);
	assert_null(strstr(out, "\nb="));
	local_init(&l);
	l.video_kbps = 300;
	parse_fixture("webrtcbin-1.22-publish-offer.sdp", &S);
	len = sdp_answer_publish(&S, &l, 0, out, sizeof out, &err);
	assert_true(len > 0);
	parse_ok(out, (size_t)len, &S2);
	v = strstr(out, "m=video ");
	a = strstr(out, "m=audio ");
	assert_non_null(v);
	assert_non_null(a);
	assert_true(v < a);
	/* after c=, before the first a= of the video section (RFC 4566) */
	assert_non_null(strstr(v, "\r\nc=IN IP4 0.0.0.0\r\nb=AS:300\r\n"
	    "a=mid:video0\r\n"));
	assert_true(strstr(v, "b=AS:") < a);
	assert_null(strstr(a, "b=AS"));
}

static void
test_answer_direction_follows_the_offer(void **state)
{
	static const char offer[] =
	    "v=0\r\n"
	    "a=group:BUNDLE a b\r\n"
	    "a=ice-ufrag:remo\r\n"
	    "a=ice-pwd:remotepasswordremotepw\r\n"
	    "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:"
	    "ff:00:11:22:33\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	    "a=mid:a\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	    "a=mid:b\r\na=rtcp-mux\r\na=recvonly\r\n"
	    "a=rtpmap:111 opus/48000/2\r\n";
	struct sdp_error err;
	struct sdp_local l;
	int len;

	local_init(&l);
	parse_ok(offer, strlen(offer), &S);
	assert_int_equal(S.media[0].fp.hash, SDP_HASH_SHA1);
	assert_int_equal(S.media[0].setup, SDP_SETUP_NONE);
	len = sdp_answer_publish(&S, &l, 0, out, sizeof out, &err);
	assert_true(len > 0);
	parse_ok(out, (size_t)len, &S2);
	assert_int_equal(S2.media[0].dir, SDP_DIR_RECVONLY);
	assert_int_equal(S2.media[1].dir, SDP_DIR_INACTIVE);
	assert_int_equal(S2.media[1].port, 9);
	assert_int_equal(S2.media[1].ncodecs, 1);
	assert_false(S2.media[0].rtcp_rsize);
}

static const char mixed_offer[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE v0 a0 d0 x0\r\n"
    "a=ice-ufrag:remo\r\n"
    "a=ice-pwd:remotepasswordremotepw\r\n"
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
    "a=setup:actpass\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 104 105 102 103 96 97\r\n"
    "a=mid:v0\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:3/recvonly " SDP_URI_TWCC "\r\n"
    "a=rtpmap:104 H264/90000\r\n"
    "a=fmtp:104 packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:105 rtx/90000\r\n"
    "a=fmtp:105 apt=104\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 0 8\r\n"
    "a=mid:a0\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "a=mid:d0\r\n"
    "a=sctp-port:5000\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:x0\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:out\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n";

static void
test_answer_takes_h264_only_when_allowed(void **state)
{
	struct sdp_error err;
	struct sdp_local l;
	const struct sdp_media *v;
	int len;

	local_init(&l);
	parse_ok(mixed_offer, strlen(mixed_offer), &S);
	len = sdp_answer_publish(&S, &l, SDP_ANSWER_H264, out, sizeof out,
	    &err);
	assert_true(len > 0);
	parse_ok(out, (size_t)len, &S2);
	v = &S2.media[0];
	assert_int_equal(v->ncodecs, 2);
	assert_int_equal(v->codecs[0].pt, 102);    /* the first with mode 1 */
	assert_int_equal(v->codecs[0].id, SDP_CODEC_H264);
	assert_int_equal(v->codecs[0].packetization_mode, 1);
	assert_int_equal(v->codecs[0].profile_level_id, 0x42e01f);
	assert_int_equal(v->codecs[0].fb, SDP_FB_PLI);
	assert_int_equal(v->codecs[1].pt, 103);
	assert_int_equal(v->codecs[1].apt, 102);
	/* an extmap the offerer only sends is received; one it only
	 * receives is dropped */
	assert_int_equal(v->nextmaps, 1);
	assert_int_equal(v->extmaps[0].id, 4);
	assert_int_equal(v->extmaps[0].dir, SDP_DIR_RECVONLY);

	len = sdp_answer_publish(&S, &l, 0, out, sizeof out, &err);
	assert_true(len > 0);
	parse_ok(out, (size_t)len, &S2);
	assert_int_equal(S2.media[0].codecs[0].pt, 96);
	assert_int_equal(S2.media[0].codecs[1].pt, 97);
}

/* RFC 8843: a rejected m= line keeps its place and mid, with port 0. */
static void
test_answer_rejects_what_klopfd_cannot_take(void **state)
{
	struct sdp_error err;
	struct sdp_local l;
	const struct sdp_media *m;
	size_t i;
	int len;

	local_init(&l);
	parse_ok(mixed_offer, strlen(mixed_offer), &S);
	len = sdp_answer_publish(&S, &l, 0, out, sizeof out, &err);
	assert_true(len > 0);
	parse_ok(out, (size_t)len, &S2);
	assert_int_equal(S2.nmedia, 5);
	assert_int_equal(S2.nbundle, 1);        /* only the video */
	assert_string_equal(S2.bundle[0], "v0");
	for (i = 1; i < 5; i++) {
		m = &S2.media[i];
		assert_string_equal(m->mid, S.media[i].mid);
		assert_int_equal(m->port, 0);
		assert_int_equal(m->dir, SDP_DIR_INACTIVE);
		assert_int_equal(m->ncands, 0);
	}
	assert_int_equal(S2.media[1].codecs[0].pt, 0);  /* PCMU: no codec */
	assert_int_equal(S2.media[2].kind, SDP_KIND_APPLICATION);
	assert_string_equal(S2.media[2].proto, "UDP/DTLS/SCTP");
	assert_string_equal(S2.media[2].fmt0, "webrtc-datachannel");
	assert_string_equal(S2.media[3].mid, "x0");     /* no rtcp-mux */
	assert_string_equal(S2.media[4].mid, "out");    /* not bundled */
}

static void
test_answer_refuses_offers_klopfd_cannot_serve(void **state)
{
	static const struct {
		const char *from, *to, *error;
	} cases[] = {
		{ "a=group:BUNDLE v0 a0 d0 x0\r\n", "",
		    "sdp: the offer has no a=group:BUNDLE" },
		{ "a=setup:actpass", "a=setup:passive",
		    "sdp:10: m= section (mid v0) has a=setup:passive" },
		{ "a=ice-ufrag:remo\r\n", "",
		    "sdp:9: m= section (mid v0) without a=ice-ufrag" },
		{ "a=fingerprint:sha-256", "a=fingerprint:md5",
		    "sdp:10: m= section (mid v0) without a=fingerprint" },
		{ "a=mid:out\r\n", "", "sdp:38: m= line without a=mid" },
		{ "t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n",
		    "sdp: the offer is from an ICE-lite agent" },
	};
	char text[sizeof mixed_offer + 64], *at;
	struct sdp_error err;
	struct sdp_local l;
	size_t i;

	local_init(&l);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		at = strstr(mixed_offer, cases[i].from);
		assert_non_null(at);
		snprintf(text, sizeof text, "%.*s%s%s",
		    (int)(at - mixed_offer), mixed_offer, cases[i].to,
		    at + strlen(cases[i].from));
		parse_ok(text, strlen(text), &S);
		assert_int_equal(sdp_answer_publish(&S, &l, 0, out, sizeof out,
		    &err), -1);
		if (strncmp(err.msg, cases[i].error, strlen(cases[i].error)))
			fail_msg("case %zu: \"%s\"", i, err.msg);
	}
}

static void
test_answer_into_small_buffer_fails_cleanly(void **state)
{
	struct sdp_error err;
	struct sdp_local l;
	char small[300];
	int full;

	full = answer("chromium-156-publish-offer.sdp", 0, &l);
	memset(small, 'x', sizeof small);
	assert_int_equal(sdp_answer_publish(&S, &l, 0, small, sizeof small,
	    &err), -1);
	assert_non_null(strstr(err.msg, "too small"));
	assert_true(memchr(small, '\0', sizeof small) != NULL);
	assert_int_equal(sdp_answer_publish(&S, &l, 0, NULL, 0, &err), -1);
	assert_int_equal(sdp_answer_publish(&S, &l, 0, out, (size_t)full + 1,
	    &err), full);
	assert_int_equal(sdp_answer_publish(&S, &l, 0, out, (size_t)full,
	    &err), -1);
}

static void
test_generators_refuse_bad_local_values(void **state)
{
	struct sdp_error err;
	struct sdp_local l;

	parse_fixture("chromium-156-publish-offer.sdp", &S);
	local_init(&l);
	strcpy(l.ice_ufrag, "a\r\nb");
	assert_int_equal(sdp_answer_publish(&S, &l, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "ice-ufrag"));
	local_init(&l);
	strcpy(l.cands[0].addr, "127.0.0.1\r\na=evil");
	assert_int_equal(sdp_answer_publish(&S, &l, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "candidate 0"));
	local_init(&l);
	memset(l.ice_pwd, 'p', sizeof l.ice_pwd);       /* no NUL */
	assert_int_equal(sdp_answer_publish(&S, &l, 0, out, sizeof out,
	    &err), -1);
}

/* --- klopfd's subscribe offers ------------------------------------------ */

static void
track_init(struct sdp_track *t, enum sdp_kind kind, const char *mid,
    uint32_t ssrc)
{
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->active = true;
	snprintf(t->mid, sizeof t->mid, "%s", mid);
	t->ssrc = ssrc;
	strcpy(t->cname, "user1949889524@host-73a3cf1e");
	strcpy(t->msid_stream, "klopf-p1");
	snprintf(t->msid_track, sizeof t->msid_track, "klopf-p1-%s", mid);
	if (kind == SDP_KIND_AUDIO) {
		t->codec.pt = 111;
		strcpy(t->codec.name, "opus");
		t->codec.clock = 48000;
		t->codec.channels = 2;
		strcpy(t->codec.fmtp, "minptime=10;useinbandfec=1");
		t->codec.fb = SDP_FB_TWCC;
	} else {
		t->codec.pt = 96;
		strcpy(t->codec.name, "VP8");
		t->codec.clock = 90000;
		t->codec.fb = SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR |
		    SDP_FB_REMB;
		t->has_rtx = true;
		t->rtx_pt = 97;
		t->rtx_ssrc = ssrc + 1;
	}
}

static int
offer(const struct sdp_local *l, const struct sdp_track *t, size_t n,
    unsigned ext)
{
	struct sdp_error err;
	int len;

	len = sdp_offer_subscribe(l, t, n, ext, out, sizeof out, &err);
	if (len < 0)
		fail_msg("%s", err.msg);
	assert_crlf(out, (size_t)len);
	parse_ok(out, (size_t)len, &S2);
	return len;
}

static void
assert_track(const struct sdp_media *m, const struct sdp_track *t,
    const struct sdp_local *l)
{
	uint32_t rtx;

	assert_string_equal(m->mid, t->mid);
	assert_int_equal(m->kind, t->kind);
	assert_int_equal(m->port, 9);
	assert_int_equal(m->dir, SDP_DIR_SENDONLY);
	assert_local_transport(m, l, SDP_SETUP_ACTPASS);
	assert_true(m->rtcp_rsize);
	assert_local_candidate(m);
	assert_int_equal(m->codecs[0].pt, t->codec.pt);
	assert_string_equal(m->codecs[0].name, t->codec.name);
	assert_int_equal(m->codecs[0].clock, t->codec.clock);
	assert_int_equal(m->codecs[0].channels, t->codec.channels);
	assert_string_equal(m->codecs[0].fmtp, t->codec.fmtp);
	assert_int_equal(m->codecs[0].fb, t->codec.fb);
	assert_string_equal(m->msid_stream, t->msid_stream);
	assert_string_equal(m->msid_track, t->msid_track);
	assert_string_equal(sdp_ssrc_find(m, t->ssrc)->cname, t->cname);
	assert_string_equal(sdp_ssrc_find(m, t->ssrc)->msid_track,
	    t->msid_track);
	if (!t->has_rtx) {
		assert_int_equal(m->ncodecs, 1);
		assert_int_equal(m->nssrcs, 1);
		assert_int_equal(m->ngroups, 0);
		return;
	}
	assert_int_equal(m->ncodecs, 2);
	assert_int_equal(sdp_codec_rtx_for(m, t->codec.pt)->pt, t->rtx_pt);
	assert_int_equal(m->nssrcs, 2);
	assert_true(sdp_ssrc_fid(m, t->ssrc, &rtx));
	assert_int_equal(rtx, t->rtx_ssrc);
	assert_string_equal(sdp_ssrc_find(m, t->rtx_ssrc)->cname, t->cname);
}

static void
test_subscribe_offer_with_two_tracks(void **state)
{
	struct sdp_track t[2];
	struct sdp_local l;

	local_init(&l);
	track_init(&t[0], SDP_KIND_AUDIO, "s0", 1000);
	track_init(&t[1], SDP_KIND_VIDEO, "s1", 2000);
	offer(&l, t, 2, SDP_EXT_MID);
	assert_true(S2.ice_lite);
	assert_string_equal(S2.msid_semantic, "WMS");
	assert_int_equal(S2.nbundle, 2);
	assert_string_equal(S2.bundle[0], "s0");
	assert_string_equal(S2.bundle[1], "s1");
	assert_int_equal(S2.nmedia, 2);
	assert_track(&S2.media[0], &t[0], &l);
	assert_track(&S2.media[1], &t[1], &l);
	assert_int_equal(S2.media[1].nextmaps, 1);
	assert_int_equal(sdp_ext_id(&S2.media[1], SDP_EXT_MID),
	    SDP_EXT_ID_MID);

	offer(&l, t, 2, SDP_EXT_MID | SDP_EXT_ABS_SEND_TIME | SDP_EXT_TWCC);
	assert_int_equal(sdp_ext_id(&S2.media[0], SDP_EXT_TWCC),
	    SDP_EXT_ID_TWCC);
	assert_int_equal(sdp_ext_id(&S2.media[0], SDP_EXT_ABS_SEND_TIME),
	    SDP_EXT_ID_ABS_SEND_TIME);
	offer(&l, t, 2, 0);
	assert_null(strstr(out, "a=extmap"));
}

/* A participant left (its audio goes inactive in place, still bundled)
 * and another came (a new m= line with a new mid at the end): no mid is
 * ever reused. */
static void
test_subscribe_reoffer_keeps_left_track_in_place(void **state)
{
	struct sdp_track t[3];
	struct sdp_local l;
	size_t i, j;

	local_init(&l);
	track_init(&t[0], SDP_KIND_AUDIO, "s0", 1000);
	track_init(&t[1], SDP_KIND_VIDEO, "s1", 2000);
	track_init(&t[2], SDP_KIND_AUDIO, "s2", 3000);
	t[0].active = false;
	l.session_version = 2;
	offer(&l, t, 3, SDP_EXT_MID);
	assert_non_null(strstr(out, "\r\no=- 4242424242 2 IN IP4 "));
	assert_int_equal(S2.nmedia, 3);
	/* the inactive line stays bundled: Chrome with max-bundle refuses
	 * an offer with a line outside the group */
	assert_int_equal(S2.nbundle, 3);
	assert_string_equal(S2.bundle[0], "s0");
	assert_string_equal(S2.bundle[1], "s1");
	assert_string_equal(S2.bundle[2], "s2");
	assert_string_equal(S2.media[0].mid, "s0");
	assert_int_equal(S2.media[0].port, 9);
	assert_int_equal(S2.media[0].dir, SDP_DIR_INACTIVE);
	assert_int_equal(S2.media[0].nssrcs, 0);
	assert_int_equal(S2.media[0].ncands, 0);
	assert_int_equal(S2.media[0].codecs[0].pt, 111);
	/* webrtcbin wants the transport on every m= line, even this one */
	assert_local_transport(&S2.media[0], &l, SDP_SETUP_ACTPASS);
	assert_track(&S2.media[1], &t[1], &l);
	assert_track(&S2.media[2], &t[2], &l);
	for (i = 0; i < S2.nmedia; i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(S2.media[i].mid,
			    S2.media[j].mid);
}

static void
test_subscribe_offer_refusals(void **state)
{
	struct sdp_track t[2];
	struct sdp_error err;
	struct sdp_local l;

	local_init(&l);
	track_init(&t[0], SDP_KIND_AUDIO, "s0", 1000);
	track_init(&t[1], SDP_KIND_VIDEO, "s0", 2000);
	assert_int_equal(sdp_offer_subscribe(&l, t, 0, 0, out, sizeof out,
	    &err), -1);
	assert_string_equal(err.msg, "sdp: no tracks to offer: send no offer");
	assert_int_equal(sdp_offer_subscribe(&l, t, 2, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "mid s0 is used twice"));
	track_init(&t[1], SDP_KIND_VIDEO, "s1", 2000);
	strcpy(t[1].cname, "x\r\na=evil");
	assert_int_equal(sdp_offer_subscribe(&l, t, 2, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "track 1 (mid s1)"));
	track_init(&t[1], SDP_KIND_APPLICATION, "s1", 2000);
	assert_int_equal(sdp_offer_subscribe(&l, t, 2, 0, out, sizeof out,
	    &err), -1);
	track_init(&t[1], SDP_KIND_VIDEO, "s1", 2000);
	t[1].rtx_pt = 96;
	assert_int_equal(sdp_offer_subscribe(&l, t, 2, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "bad rtx"));
	track_init(&t[1], SDP_KIND_VIDEO, "s1", 2000);
	strcpy(t[1].codec.name, "VP 8");
	assert_int_equal(sdp_offer_subscribe(&l, t, 2, 0, out, sizeof out,
	    &err), -1);
	assert_non_null(strstr(err.msg, "bad codec"));
}

/* --- malformed input ---------------------------------------------------- */

#define M "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"

static void
test_malformed_lines_name_their_line(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *error;
	} cases[] = {
		{ "", 1, "expected v=0 first" },
		{ "\r\n\r\n", 1, "expected v=0 first" },
		{ "o=- 1 1 IN IP4 0.0.0.0\r\n", 1, "expected v=0 first" },
		{ "v=1\r\n", 1, "expected v=0 first" },
		{ "v=0\r\nv=0\r\n", 2, "second v= line" },
		{ "v=0\r\nhello\r\n", 2, "expected TYPE=VALUE" },
		{ "v=0\r\nA=b\r\n", 2, "expected TYPE=VALUE" },
		{ "v=0\r\nm=aud", 2, "bad m= line" },
		{ "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\n", 2, "no format" },
		{ "v=0\r\nm=audio 65536 RTP/AVP 0\r\n", 2, "port" },
		{ "v=0\r\nm=audio -1 RTP/AVP 0\r\n", 2, "port" },
		{ "v=0\r\nm=audio 9/x RTP/AVP 0\r\n", 2, "number of ports" },
		{ "v=0\r\nm=audio 9 RTP/AVP 128\r\n", 2, "payload type" },
		{ "v=0\r\nm=audio 9 RTP/AVP 1 1\r\n", 2, "twice" },
		{ "v=0\r\na=mid:0\r\n" M, 2, "a=mid before the first m= line" },
		{ "v=0\r\na=rtpmap:111 opus/48000\r\n", 2, "before the first" },
		{ "v=0\r\n" M "a=rtpmap:111\r\n", 3, "bad a=rtpmap" },
		{ "v=0\r\n" M "a=rtpmap:111 opus\r\n", 3, "bad a=rtpmap" },
		{ "v=0\r\n" M "a=rtpmap:111 opus/\r\n", 3, "clock rate" },
		{ "v=0\r\n" M "a=rtpmap:111 opus/48k/2\r\n", 3, "clock rate" },
		{ "v=0\r\n" M "a=rtpmap:111 opus/48000/0\r\n", 3, "channels" },
		{ "v=0\r\n" M "a=rtpmap:111 opus/99999999999\r\n", 3, "clock" },
		{ "v=0\r\n" M "a=rtpmap:x opus/48000\r\n", 3, "payload type" },
		{ "v=0\r\n" M "a=rtpmap:112 opus/48000\r\n", 3,
		    "payload type 112, which is not on the m= line" },
		{ "v=0\r\n" M "a=rtpmap:111 a/1\r\na=rtpmap:111 b/1\r\n", 4,
		    "second a=rtpmap" },
		{ "v=0\r\n" M "a=fmtp:111\r\n", 3, "bad a=fmtp" },
		{ "v=0\r\n" M "a=fmtp:111 apt=128\r\n", 3, "apt" },
		{ "v=0\r\n" M "a=fmtp:111 packetization-mode=3\r\n", 3,
		    "packetization-mode" },
		{ "v=0\r\n" M "a=fmtp:111 profile-level-id=42e0\r\n", 3,
		    "profile-level-id" },
		{ "v=0\r\n" M "a=fmtp:111 profile-level-id=42e0zz\r\n", 3,
		    "profile-level-id" },
		{ "v=0\r\n" M "a=rtcp-fb:111\r\n", 3, "bad a=rtcp-fb" },
		{ "v=0\r\n" M "a=extmap:0 urn:x\r\n", 3, "bad a=extmap" },
		{ "v=0\r\n" M "a=extmap:15 urn:x\r\n", 3, "bad a=extmap" },
		{ "v=0\r\n" M "a=extmap:256 urn:x\r\n", 3, "bad a=extmap" },
		{ "v=0\r\n" M "a=extmap:1/sideways urn:x\r\n", 3, "direction" },
		{ "v=0\r\n" M "a=extmap:1\r\n", 3, "bad a=extmap" },
		{ "v=0\r\n" M "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", 4,
		    "used twice" },
		{ "v=0\r\n" M "a=ssrc:4294967296 cname:x\r\n", 3, "bad a=ssrc" },
		{ "v=0\r\n" M "a=ssrc:1\r\n", 3, "" },
		{ "v=0\r\n" M "a=ssrc:1 cname\r\n", 3, "cname without a value" },
		{ "v=0\r\n" M "a=ssrc-group:FID\r\n", 3, "no SSRCs" },
		{ "v=0\r\n" M "a=ssrc-group:FID 1 x\r\n", 3, "bad a=ssrc-group" },
		{ "v=0\r\n" M "a=candidate:1 1 udp 1 10.0.0.1 9 host\r\n", 3,
		    "bad a=candidate" },
		{ "v=0\r\n" M "a=candidate:1 1 udp 1 10.0.0.1 9 typ hots\r\n", 3,
		    "type is not host" },
		{ "v=0\r\n" M "a=candidate:1 0 udp 1 10.0.0.1 9 typ host\r\n", 3,
		    "component" },
		{ "v=0\r\n" M "a=candidate:1 1 udp 1 10.0.0.1 70000 typ host\r\n",
		    3, "port" },
		{ "v=0\r\n" M "a=candidate:1 1 udp 1 1'2 9 typ host\r\n", 3,
		    "address" },
		{ "v=0\r\n" M "a=candidate:1 1 udp 1 ::1 9 typ host raddr\r\n",
		    3, "without a value" },
		{ "v=0\r\n" M "a=fingerprint:sha-256 AB:CD\r\n", 3,
		    "bad a=fingerprint" },
		{ "v=0\r\na=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:aa:"
		    "bb:cc:dd:ee:ff:00:11:22:3g\r\n", 2, "bad a=fingerprint" },
		{ "v=0\r\na=fingerprint:sha-1 00-11-22-33-44-55-66-77-88-99-aa-"
		    "bb-cc-dd-ee-ff-00-11-22-33\r\n", 2, "bad a=fingerprint" },
		{ "v=0\r\n" M "a=setup:foo\r\n", 3, "bad a=setup" },
		{ "v=0\r\n" M "a=setup:active\r\na=setup:active\r\n", 4,
		    "second a=setup" },
		{ "v=0\r\n" M "a=ice-ufrag:abc\r\n", 3, "bad a=ice-ufrag" },
		{ "v=0\r\n" M "a=ice-ufrag:ab_cd\r\n", 3, "bad a=ice-ufrag" },
		{ "v=0\r\n" M "a=ice-pwd:short\r\n", 3, "bad a=ice-pwd" },
		{ "v=0\r\n" M "a=mid:\r\n", 3, "bad a=mid" },
		{ "v=0\r\n" M "a=mid:a\r\na=mid:b\r\n", 4, "second a=mid" },
		{ "v=0\r\n" M "a=mid:a\r\n" M "a=mid:a\r\n", 5,
		    "a=mid:a used by two m= sections" },
		{ "v=0\r\na=group:BUNDLE 0 1\r\n" M "a=mid:0\r\n", 2,
		    "BUNDLE names mid 1, which no m= section has" },
		{ "v=0\r\na=group:BUNDLE 0 0\r\n", 2, "twice" },
		{ "v=0\r\na=group:BUNDLE 0\r\na=group:BUNDLE 1\r\n", 3,
		    "second a=group:BUNDLE" },
		{ "v=0\r\n" M "a=sendonly\r\na=recvonly\r\n", 4,
		    "second direction" },
		{ "v=0\r\na=sendonly\r\na=sendrecv\r\n", 3, "second direction" },
		{ "v=0\r\n" M "a=msid:\r\n", 3, "bad a=msid" },
		{ "v=0\r\n" M "a=rtpmap:111 opus/48000\rx\r\n", 3,
		    "CR without LF" },
		{ "v=0\r\n" M "a=mid:\x01\r\n", 3, "control character 0x01" },
		{ "v=0\r\n" M "a=mid:\x7f\r\n", 3, "control character 0x7f" },
		{ "v=0\r\n" M "a=mid:\xc3\xa4\r\n", 3, "bad a=mid" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (!cases[i].error[0]) {
			parse_ok(cases[i].text, strlen(cases[i].text), &S);
			continue;
		}
		expect_error(cases[i].text, cases[i].line, cases[i].error);
	}
}

static void
test_nul_byte_is_refused_with_its_line(void **state)
{
	static const char text[] = "v=0\r\n" M "a=mid:0\0evil\r\n";

	expect_error_len(text, sizeof text - 1, 3, "NUL byte");
	expect_error_len("\0", 1, 1, "NUL byte");
}

static void
test_too_many_m_lines(void **state)
{
	char text[4096];
	size_t n, i;

	n = (size_t)snprintf(text, sizeof text, "v=0\r\n");
	for (i = 0; i < SDP_MAX_MEDIA; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    M "a=mid:%zu\r\n", i);
	parse_ok(text, n, &S);
	assert_int_equal(S.nmedia, SDP_MAX_MEDIA);
	snprintf(text + n, sizeof text - n, M);
	expect_error(text, 2 + 2 * SDP_MAX_MEDIA, "more than 16 m= lines");
}

static void
test_too_many_of_each_per_m_line(void **state)
{
	char text[8192];
	size_t n, i;

	n = (size_t)snprintf(text, sizeof text, "v=0\r\nm=video 9 RTP/AVP");
	for (i = 0; i <= SDP_MAX_PT; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " %zu", i);
	snprintf(text + n, sizeof text - n, "\r\n");
	expect_error(text, 2, "more than 32 payload types");

	n = (size_t)snprintf(text, sizeof text, "v=0\r\n" M);
	for (i = 1; i <= SDP_MAX_EXTMAP + 1; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "a=extmap:%zu urn:x:%zu\r\n", 15 + i, i);
	expect_error(text, 3 + SDP_MAX_EXTMAP, "more than 16 a=extmap");

	n = (size_t)snprintf(text, sizeof text, "v=0\r\n" M);
	for (i = 1; i <= SDP_MAX_SSRC + 1; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "a=ssrc:%zu cname:c\r\n", i);
	expect_error(text, 3 + SDP_MAX_SSRC, "more than 16 SSRCs");
}

static void
test_overlong_input_and_lines(void **state)
{
	char *text;
	size_t n;

	text = malloc(SDP_MAX_INPUT + 2);
	assert_non_null(text);
	memcpy(text, "v=0\r\n", 5);
	memset(text + 5, '\n', SDP_MAX_INPUT - 5);
	parse_ok(text, SDP_MAX_INPUT, &S);      /* exactly the limit is ok */
	expect_error_len(text, SDP_MAX_INPUT + 1, 0, "more than the 65536");

	n = (size_t)snprintf(text, 64, "v=0\r\ns=");
	memset(text + n, 'x', SDP_MAX_LINE - 2);
	memcpy(text + n + SDP_MAX_LINE - 2, "\r\n", 3);
	parse_ok(text, strlen(text), &S);       /* a line of 4096 is ok */
	memset(text + n, 'x', SDP_MAX_LINE - 1);
	memcpy(text + n + SDP_MAX_LINE - 1, "\r\n", 3);
	expect_error(text, 2, "line longer than 4096 bytes");

	n = (size_t)snprintf(text, 64, "v=0\r\n" M "a=mid:");
	memset(text + n, 'm', SDP_MID_MAX + 1);
	text[n + SDP_MID_MAX + 1] = '\0';
	expect_error(text, 3, "a=mid is longer than 32 bytes");
	free(text);
}

/* Every prefix of a real SDP either parses or fails with a message: no
 * crash, no read past the end (ASan checks each on a buffer of exactly
 * that size). */
static void
test_every_prefix_is_parsed_or_refused(void **state)
{
	static const char *const names[] = {
		"webrtcbin-1.22-publish-offer.sdp",
		"chromium-156-publish-offer.sdp",
	};
	struct sdp_error err;
	size_t i, cut, len, step;
	char *text, *copy;

	for (i = 0; i < 2; i++) {
		text = slurp(names[i], &len);
		step = i == 0 ? 1 : 7;
		for (cut = 0; cut <= len; cut += step) {
			copy = malloc(cut ? cut : 1);
			assert_non_null(copy);
			memcpy(copy, text, cut);
			if (sdp_parse(copy, cut, &S, &err) != 0)
				assert_memory_equal(err.msg, "sdp:", 4);
			free(copy);
		}
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture_parses),
		cmocka_unit_test(test_chromium_publish_offer),
		cmocka_unit_test(test_webrtcbin_publish_offer),
		cmocka_unit_test(test_webrtcbin_bundle_none_has_no_group),
		cmocka_unit_test(test_chromium_candidates_on_every_interface),
		cmocka_unit_test(test_chromium_subscribe_answer_with_candidate),
		cmocka_unit_test(test_janus_session_fingerprint_reaches_every_mline),
		cmocka_unit_test(test_webrtcbin_subscribe_answer_drops_rtx_and_ssrc),
		cmocka_unit_test(test_lf_line_ends_parse_the_same),
		cmocka_unit_test(test_session_level_values_are_defaults),
		cmocka_unit_test(test_rtcp_fb_wildcard_and_unknown_types),
		cmocka_unit_test(test_candidates_past_the_maximum_are_dropped),
		cmocka_unit_test(test_answer_to_chromium_publish_offer),
		cmocka_unit_test(test_answer_to_webrtcbin_publish_offer),
		cmocka_unit_test(test_answer_names_the_video_cap),
		cmocka_unit_test(test_answer_direction_follows_the_offer),
		cmocka_unit_test(test_answer_takes_h264_only_when_allowed),
		cmocka_unit_test(test_answer_rejects_what_klopfd_cannot_take),
		cmocka_unit_test(test_answer_refuses_offers_klopfd_cannot_serve),
		cmocka_unit_test(test_answer_into_small_buffer_fails_cleanly),
		cmocka_unit_test(test_generators_refuse_bad_local_values),
		cmocka_unit_test(test_subscribe_offer_with_two_tracks),
		cmocka_unit_test(test_subscribe_reoffer_keeps_left_track_in_place),
		cmocka_unit_test(test_subscribe_offer_refusals),
		cmocka_unit_test(test_malformed_lines_name_their_line),
		cmocka_unit_test(test_nul_byte_is_refused_with_its_line),
		cmocka_unit_test(test_too_many_m_lines),
		cmocka_unit_test(test_too_many_of_each_per_m_line),
		cmocka_unit_test(test_overlong_input_and_lines),
		cmocka_unit_test(test_every_prefix_is_parsed_or_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
