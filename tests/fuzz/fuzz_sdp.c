/*
 * fuzz_sdp: libFuzzer target for the SDP module. Any input is parsed;
 * a refusal must carry an "sdp:" message. What parses is answered as a
 * publish offer and its codecs are offered back as subscribe tracks; both
 * generated SDPs must parse again (klopfd never writes an SDP it would
 * refuse itself). Built by `make fuzz-sdp-build`, run by `make check-fuzz`
 * with tests/fixtures/sdp/ as the seed corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sdp in, back;
static char out[SDP_MAX_INPUT + 1];

static void
must_parse(const char *what, int len)
{
	struct sdp_error err;

	if (len < 0)
		return;
	if (sdp_parse(out, (size_t)len, &back, &err) != 0) {
		fprintf(stderr, "klopfd's own %s does not parse: %s\n%s\n",
		    what, err.msg, out);
		abort();
	}
}

static void
local_init(struct sdp_local *l)
{
	memset(l, 0, sizeof *l);
	l->session_id = 1;
	l->session_version = 1;
	strcpy(l->ice_ufrag, "fUzZ");
	strcpy(l->ice_pwd, "fuzzfuzzfuzzfuzzfuzzfuzz");
	l->ncands = 2;
	strcpy(l->cands[0].addr, "127.0.0.1");
	l->cands[0].port = 40000;
	l->cands[0].priority = 2015363327;
	strcpy(l->cands[1].addr, "::1");
	l->cands[1].transport = SDP_TRANSPORT_TCP;
}

/* One subscribe track per audio or video m= section with a codec. */
static size_t
tracks_from(const struct sdp *s, struct sdp_track *t)
{
	const struct sdp_codec *c, *rtx;
	const struct sdp_media *m;
	size_t i, n = 0;

	for (i = 0; i < s->nmedia; i++) {
		m = &s->media[i];
		c = sdp_codec_main(m);
		if (!c || !c->name[0] || (m->kind != SDP_KIND_AUDIO &&
		    m->kind != SDP_KIND_VIDEO))
			continue;
		memset(&t[n], 0, sizeof t[n]);
		t[n].kind = m->kind;
		snprintf(t[n].mid, sizeof t[n].mid, "k%zu", i);
		t[n].active = m->port != 0 || i % 2;
		t[n].codec = *c;
		rtx = sdp_codec_rtx_for(m, c->pt);
		if (rtx) {
			t[n].has_rtx = true;
			t[n].rtx_pt = rtx->pt;
		}
		t[n].ssrc = m->nssrcs ? m->ssrcs[0].ssrc : (uint32_t)i;
		t[n].rtx_ssrc = t[n].ssrc + 1;
		strcpy(t[n].cname, m->nssrcs && m->ssrcs[0].cname[0] ?
		    m->ssrcs[0].cname : "klopf");
		strcpy(t[n].msid_stream, "s");
		strcpy(t[n].msid_track, m->msid_track[0] ? m->msid_track : "t");
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_track tracks[SDP_MAX_MEDIA];
	struct sdp_error err;
	struct sdp_local l;
	size_t n;

	if (sdp_parse((const char *)data, size, &in, &err) != 0) {
		if (strncmp(err.msg, "sdp", 3) != 0 ||
		    !memchr(err.msg, '\0', sizeof err.msg))
			abort();
		return 0;
	}
	local_init(&l);
	must_parse("answer", sdp_answer_publish(&in, &l, SDP_ANSWER_H264,
	    out, sizeof out, &err));
	n = tracks_from(&in, tracks);
	must_parse("subscribe offer", sdp_offer_subscribe(&l, tracks, n,
	    SDP_EXT_MID | SDP_EXT_TWCC, out, sizeof out, &err));
	return 0;
}
