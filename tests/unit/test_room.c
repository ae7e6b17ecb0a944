/*
 * test_room: the media room's decisions without sockets: who gets which
 * tracks, m-lines that go inactive and are never reused, where packets
 * and feedback go, the keyframe-request limit, SSRC clashes, and that
 * nothing of one room is known to another. The publishers' SDPs are the
 * real Chromium and webrtcbin offers of tests/fixtures/sdp/, answered by
 * klopfd's own generator. Runs with the repository root as working
 * directory.
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

#include "room.h"
#include "sdp.h"

#define FIXTURES "tests/fixtures/sdp/"

/* Chromium's publish offer: audio 3150759376, video 2776221448 with rtx
 * 3157163170. webrtcbin's: video 1582366569, audio 3770372424, no rtx. */
#define CH_AUDIO 3150759376u
#define CH_VIDEO 2776221448u
#define CH_RTX 3157163170u
#define GST_VIDEO 1582366569u
#define GST_AUDIO 3770372424u

static struct sdp offer_chromium, answer_chromium;
static struct sdp offer_chromium2, answer_chromium2;   /* other SSRCs */
static struct sdp offer_gst, answer_gst;
static struct sdp_track tracks[ROOM_MAX_LINES];
static struct room_state R, R2;

static char *
slurp(const char *name)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Replaces every occurrence of from (same length as to) in s. */
static void
replace(char *s, const char *from, const char *to)
{
	char *p;

	assert_int_equal(strlen(from), strlen(to));
	while ((p = strstr(s, from)) != NULL)
		memcpy(p, to, strlen(to));
}

static void
answer_of(char *text, struct sdp *offer, struct sdp *answer)
{
	static char out[SDP_MAX_INPUT];
	struct sdp_local l;
	struct sdp_error e;
	int n;

	memset(&l, 0, sizeof l);
	l.session_id = 1;
	l.session_version = 1;
	strcpy(l.ice_ufrag, "kLpF");
	strcpy(l.ice_pwd, "klopfdIcePassword0123456789+/");
	l.ncands = 1;
	strcpy(l.cands[0].addr, "127.0.0.1");
	l.cands[0].port = 40000;
	l.cands[0].priority = 1;
	assert_int_equal(sdp_parse(text, strlen(text), offer, &e), 0);
	n = sdp_answer_publish(offer, &l, SDP_ANSWER_NO_TWCC, out, sizeof out,
	    &e);
	assert_true(n > 0);
	assert_int_equal(sdp_parse(out, (size_t)n, answer, &e), 0);
}

static int
setup_all(void **state)
{
	char *t;

	(void)state;
	t = slurp("chromium-156-publish-offer.sdp");
	answer_of(t, &offer_chromium, &answer_chromium);
	replace(t, "3150759376", "1111111111");
	replace(t, "2776221448", "2222222222");
	replace(t, "3157163170", "3333333333");
	answer_of(t, &offer_chromium2, &answer_chromium2);
	free(t);
	t = slurp("webrtcbin-1.22-publish-offer.sdp");
	answer_of(t, &offer_gst, &answer_gst);
	free(t);
	return 0;
}

static int
setup_room(void **state)
{
	(void)state;
	room_init(&R, 7);
	room_init(&R2, 8);
	return 0;
}

/* --- tests ---------------------------------------------------------------- */

static void
test_publish_reads_tracks_from_the_offer(void **state)
{
	int p = room_member_add(&R, ROOM_CITIZEN, "Erika", 100);
	const struct room_member *m;

	(void)state;
	assert_int_equal(p, 0);
	assert_int_equal(R.members[p].pid, 1);
	assert_int_equal(room_publish(&R, p, &offer_chromium, &answer_chromium),
	    ROOM_OK);
	m = &R.members[p];
	assert_true(m->publishing);
	assert_int_equal(m->tracks[0].kind, SDP_KIND_AUDIO);
	assert_int_equal(m->tracks[0].ssrc, CH_AUDIO);
	assert_int_equal(m->tracks[0].rtx_ssrc, 0);
	assert_int_equal(m->tracks[0].codec.id, SDP_CODEC_OPUS);
	assert_int_equal(m->tracks[1].kind, SDP_KIND_VIDEO);
	assert_int_equal(m->tracks[1].ssrc, CH_VIDEO);
	assert_int_equal(m->tracks[1].rtx_ssrc, CH_RTX);
	assert_true(m->tracks[1].has_rtx);
	assert_int_equal(m->tracks[1].codec.id, SDP_CODEC_VP8);
	assert_int_equal(m->tracks[1].codec.fb & SDP_FB_TWCC, 0);
	assert_string_equal(m->tracks[1].cname, "g7qg7D35EyTbpj5i");
}

static void
test_webrtcbin_offer_without_rtx(void **state)
{
	int p = room_member_add(&R, ROOM_CLERK, NULL, 1);
	const struct room_member *m = &R.members[p];

	(void)state;
	assert_int_equal(room_publish(&R, p, &offer_gst, &answer_gst), ROOM_OK);
	/* webrtcbin's audio m-line is bundle-only with port 0 in the offer;
	 * klopfd takes what its answer accepted */
	assert_true(m->tracks[0].used);
	assert_int_equal(m->tracks[0].kind, SDP_KIND_VIDEO);
	assert_int_equal(m->tracks[0].ssrc, GST_VIDEO);
	assert_false(m->tracks[0].has_rtx);
	assert_int_equal(m->name[0], '\0');
}

static void
test_subscriber_gets_the_others_tracks(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, "Erika", 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	uint64_t v = 0;
	int n;

	(void)state;
	assert_int_equal(room_publish(&R, c, &offer_chromium, &answer_chromium),
	    ROOM_OK);
	assert_int_equal(room_subscribe(&R, k), ROOM_OK);
	n = room_offer(&R, k, tracks, ROOM_MAX_LINES, &v);
	assert_int_equal(n, 2);
	assert_int_equal(v, 1);
	assert_true(tracks[0].active);
	assert_int_equal(tracks[0].kind, SDP_KIND_AUDIO);
	assert_int_equal(tracks[0].ssrc, CH_AUDIO);
	assert_string_equal(tracks[0].mid, "a0");
	assert_string_equal(tracks[0].msid_stream, "p1");
	assert_string_equal(tracks[0].cname, "g7qg7D35EyTbpj5i");
	assert_int_equal(tracks[1].kind, SDP_KIND_VIDEO);
	assert_string_equal(tracks[1].mid, "v1");
	assert_int_equal(tracks[1].ssrc, CH_VIDEO);
	assert_int_equal(tracks[1].rtx_ssrc, CH_RTX);
	assert_true(tracks[1].has_rtx);
	assert_string_not_equal(tracks[0].msid_track, tracks[1].msid_track);
	/* nothing changed: no new offer */
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 0);
	assert_int_equal(v, 1);
	/* the publisher does not receive its own tracks */
	assert_int_equal(room_subscribe(&R, c), ROOM_OK);
	assert_int_equal(room_offer(&R, c, tracks, ROOM_MAX_LINES, &v), 0);
}

static void
test_subscribe_first_then_publish(void **state)
{
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(room_subscribe(&R, k), ROOM_OK);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 0);
	assert_int_equal(room_publish(&R, c, &offer_chromium, &answer_chromium),
	    ROOM_OK);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 2);
	assert_int_equal(v, 1);
}

static void
test_leaving_retires_lines_and_mids_are_never_reused(void **state)
{
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int g;
	uint64_t v = 0;
	char mids[4][SDP_MID_MAX + 1];

	(void)state;
	room_subscribe(&R, k);
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 2);
	strcpy(mids[0], tracks[0].mid);
	strcpy(mids[1], tracks[1].mid);
	assert_int_equal(room_member_remove(&R, c), ROOM_OK);
	assert_int_equal(room_member_count(&R), 1);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 2);
	assert_int_equal(v, 2);
	assert_false(tracks[0].active);
	assert_false(tracks[1].active);
	assert_string_equal(tracks[0].mid, mids[0]);
	/* an inactive m-line keeps its kind and codec for the offer */
	assert_int_equal(tracks[1].kind, SDP_KIND_VIDEO);
	assert_int_equal(tracks[1].codec.id, SDP_CODEC_VP8);
	/* nothing is forwarded to the lines that went inactive */
	assert_int_equal(room_feedback_target(&R, k, CH_VIDEO, &(int){0}), -1);
	/* a newcomer in the freed slot gets a new pid and new mids */
	g = room_member_add(&R, ROOM_GUEST, "Frau Yilmaz", 102);
	assert_int_equal(g, c);
	assert_int_equal(R.members[g].pid, 3);
	assert_int_equal(room_publish(&R, g, &offer_chromium, &answer_chromium),
	    ROOM_OK);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 4);
	strcpy(mids[2], tracks[2].mid);
	strcpy(mids[3], tracks[3].mid);
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_string_not_equal(mids[i], mids[j]);
	assert_false(tracks[0].active);
	assert_true(tracks[2].active);
	assert_string_equal(tracks[2].msid_stream, "p3");
}

static void
test_republish_replaces_tracks(void **state)
{
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	uint64_t v = 0;
	bool rtx;

	(void)state;
	room_subscribe(&R, k);
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	room_offer(&R, k, tracks, ROOM_MAX_LINES, &v);
	assert_int_equal(room_publish(&R, c, &offer_chromium2,
	    &answer_chromium2), ROOM_OK);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v), 4);
	assert_false(tracks[0].active);
	assert_false(tracks[1].active);
	assert_int_equal(tracks[3].ssrc, 2222222222u);
	assert_int_equal(room_track_of(&R, c, CH_VIDEO, &rtx), -1);
	assert_int_equal(room_track_of(&R, c, 2222222222u, &rtx), 1);
	/* its own old SSRCs are not a clash with itself */
	assert_int_equal(room_publish(&R, c, &offer_chromium, &answer_chromium),
	    ROOM_OK);
}

/* Member idx gets the offer due now and answers it. */
static void
answer_newest(int idx)
{
	uint64_t v = 0;

	assert_true(room_offer(&R, idx, tracks, ROOM_MAX_LINES, &v) > 0);
	assert_true(room_answered(&R, idx, v));
}

/* A publisher's new tracks (a second publish, after a reload) reach a
 * subscriber only once it answered the offer that carries them; the
 * lines it answered before keep their media until then. An answer to an
 * older offer opens nothing new. */
static void
test_new_tracks_flow_only_after_the_answer(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int out[ROOM_MAX_MEMBERS];
	uint64_t v1 = 0, v2 = 0;

	(void)state;
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	room_subscribe(&R, k);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v1), 2);
	assert_int_equal(room_targets(&R, c, 0, out), 0);
	assert_true(room_answered(&R, k, v1));
	assert_int_equal(room_targets(&R, c, 0, out), 1);
	assert_int_equal(out[0], k);
	/* the citizen publishes again: new lines, not yet offered */
	assert_int_equal(room_publish(&R, c, &offer_chromium2,
	    &answer_chromium2), ROOM_OK);
	assert_int_equal(room_targets(&R, c, 0, out), 0);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v2), 4);
	assert_int_equal(room_targets(&R, c, 0, out), 0);
	assert_false(room_answered(&R, k, v1));
	assert_int_equal(room_targets(&R, c, 1, out), 0);
	assert_true(room_answered(&R, k, v2));
	assert_int_equal(room_targets(&R, c, 0, out), 1);
	assert_int_equal(room_targets(&R, c, 1, out), 1);
}

static void
test_forwarding_targets(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int g = room_member_add(&R, ROOM_GUEST, NULL, 102);
	int lurker = room_member_add(&R, ROOM_GUEST, NULL, 103);
	int out[ROOM_MAX_MEMBERS];
	bool rtx = true;
	size_t n;

	(void)state;
	(void)lurker;
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	room_subscribe(&R, k);
	room_subscribe(&R, g);
	room_subscribe(&R, c);
	assert_int_equal(room_track_of(&R, c, CH_AUDIO, &rtx), 0);
	assert_false(rtx);
	assert_int_equal(room_track_of(&R, c, CH_VIDEO, &rtx), 1);
	assert_false(rtx);
	assert_int_equal(room_track_of(&R, c, CH_RTX, &rtx), 1);
	assert_true(rtx);
	/* an SSRC the member did not announce, or another member's */
	assert_int_equal(room_track_of(&R, c, 12345, &rtx), -1);
	assert_int_equal(room_track_of(&R, k, CH_AUDIO, &rtx), -1);
	/* nothing before the subscribers answered an offer with it */
	assert_int_equal(room_targets(&R, c, 1, out), 0);
	answer_newest(k);
	assert_int_equal(room_targets(&R, c, 1, out), 1);
	answer_newest(g);
	n = room_targets(&R, c, 1, out);
	assert_int_equal(n, 2);         /* not itself, not the lurker */
	assert_int_equal(out[0], k);
	assert_int_equal(out[1], g);
	assert_int_equal(room_targets(&R, k, 0, out), 0);
	assert_int_equal(room_targets(&R, 99, 0, out), 0);
}

static void
test_feedback_goes_to_the_publisher(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	int track = -1;

	(void)state;
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	room_publish(&R, k, &offer_chromium2, &answer_chromium2);
	room_subscribe(&R, k);
	assert_int_equal(room_feedback_target(&R, k, CH_VIDEO, &track), c);
	assert_int_equal(track, 1);
	assert_int_equal(room_feedback_target(&R, k, CH_RTX, &track), c);
	assert_int_equal(room_feedback_target(&R, k, CH_AUDIO, &track), c);
	assert_int_equal(track, 0);
	/* its own SSRC, an unknown one, and a member not subscribed */
	assert_int_equal(room_feedback_target(&R, k, 2222222222u, &track), -1);
	assert_int_equal(room_feedback_target(&R, k, 42, &track), -1);
	assert_int_equal(room_feedback_target(&R, c, 2222222222u, &track), -1);
}

static void
test_nothing_crosses_rooms(void **state)
{
	int a = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int b = room_member_add(&R2, ROOM_CITIZEN, NULL, 200);
	int s = room_member_add(&R2, ROOM_CLERK, NULL, 201);
	int track, out[ROOM_MAX_MEMBERS];
	uint64_t v = 0;
	bool rtx;

	(void)state;
	room_publish(&R, a, &offer_chromium, &answer_chromium);
	/* the same SSRCs in another room are no clash: rooms are separate */
	assert_int_equal(room_publish(&R2, b, &offer_chromium,
	    &answer_chromium), ROOM_OK);
	room_subscribe(&R2, s);
	assert_int_equal(room_offer(&R2, s, tracks, ROOM_MAX_LINES, &v), 2);
	assert_string_equal(tracks[0].msid_stream, "p1");
	assert_true(room_answered(&R2, s, v));
	/* room 7's publisher has no subscriber; room 8's clerk gets b's */
	assert_int_equal(room_targets(&R, a, 1, out), 0);
	assert_int_equal(room_targets(&R2, b, 1, out), 1);
	assert_int_equal(out[0], s);
	assert_int_equal(room_member_find(&R2, 100), -1);
	assert_int_equal(room_track_of(&R2, room_member_find(&R2, 100), CH_AUDIO,
	    &rtx), -1);
	assert_int_equal(room_feedback_target(&R, room_member_find(&R, 201),
	    CH_VIDEO, &track), -1);
}

static void
test_ssrc_clash_is_refused_and_changes_nothing(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);

	(void)state;
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	assert_int_equal(room_publish(&R, k, &offer_chromium, &answer_chromium),
	    ROOM_SSRC_TAKEN);
	assert_false(R.members[k].publishing);
	assert_true(R.members[c].publishing);
	assert_non_null(strstr(room_err_text(ROOM_SSRC_TAKEN), "SSRC"));
}

static void
test_offer_without_ssrc_is_refused(void **state)
{
	static struct sdp o, a;
	char *t = slurp("chromium-156-publish-offer.sdp");
	char *p;
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);

	(void)state;
	/* blank out every a=ssrc line (same length, an unknown attribute) */
	while ((p = strstr(t, "a=ssrc")) != NULL)
		memcpy(p, "a=xxxx", 6);
	answer_of(t, &o, &a);
	free(t);
	assert_int_equal(room_publish(&R, c, &o, &a), ROOM_NO_SSRC);
	assert_false(R.members[c].publishing);
}

static void
test_pli_rate_limit(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);

	(void)state;
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	assert_true(room_pli_allow(&R, c, 1, 10000));
	assert_false(room_pli_allow(&R, c, 1, 10500));
	assert_false(room_pli_allow(&R, c, 1, 10999));
	assert_true(room_pli_allow(&R, c, 1, 11000));
	/* per track */
	assert_true(room_pli_allow(&R, c, 0, 11001));
	/* no such track or member */
	assert_false(room_pli_allow(&R, 5, 1, 20000));
	assert_false(room_pli_allow(&R, c, 2, 20000));
}

static void
test_only_the_newest_answer_counts(void **state)
{
	int c = room_member_add(&R, ROOM_CITIZEN, NULL, 100);
	int k = room_member_add(&R, ROOM_CLERK, NULL, 101);
	uint64_t v = 0;

	(void)state;
	room_subscribe(&R, k);
	room_publish(&R, c, &offer_chromium, &answer_chromium);
	room_offer(&R, k, tracks, ROOM_MAX_LINES, &v);
	room_publish(&R, c, &offer_chromium2, &answer_chromium2);
	room_offer(&R, k, tracks, ROOM_MAX_LINES, &v);
	assert_int_equal(v, 2);
	assert_false(room_answered(&R, k, 1));
	assert_false(room_answered(&R, k, 3));
	assert_false(room_answered(&R, k, 0));
	assert_true(room_answered(&R, k, 2));
	assert_int_equal(R.members[k].answered, 2);
}

static void
test_room_full_and_lines_full(void **state)
{
	int k, p;
	uint64_t v;

	(void)state;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++)
		assert_int_equal(room_member_add(&R, ROOM_GUEST, NULL,
		    (uint64_t)i + 1), i);
	assert_int_equal(room_member_add(&R, ROOM_GUEST, NULL, 99), ROOM_FULL);
	room_init(&R, 7);
	k = room_member_add(&R, ROOM_CLERK, NULL, 1);
	room_subscribe(&R, k);
	/* every arrival adds two m-lines; the leg holds ROOM_MAX_LINES */
	for (int i = 0; i < ROOM_MAX_LINES / 2; i++) {
		p = room_member_add(&R, ROOM_GUEST, NULL, (uint64_t)i + 10);
		assert_int_equal(room_publish(&R, p, &offer_chromium,
		    &answer_chromium), ROOM_OK);
		room_member_remove(&R, p);
	}
	assert_int_equal(R.members[k].nlines, ROOM_MAX_LINES);
	/* a publisher still publishes; this subscriber cannot get more */
	p = room_member_add(&R, ROOM_GUEST, NULL, 50);
	assert_int_equal(room_publish(&R, p, &offer_chromium, &answer_chromium),
	    ROOM_OK);
	assert_int_equal(R.members[k].nlines, ROOM_MAX_LINES);
	assert_int_equal(room_offer(&R, k, tracks, ROOM_MAX_LINES, &v),
	    ROOM_MAX_LINES);
	/* a new subscriber has room for it */
	k = room_member_add(&R, ROOM_CLERK, NULL, 2);
	assert_int_equal(room_subscribe(&R, k), ROOM_OK);
	assert_int_equal(R.members[k].nlines, 2);
}

static void
test_bad_indexes(void **state)
{
	uint64_t v;
	int track;

	(void)state;
	assert_int_equal(room_member_remove(&R, -1), ROOM_NO_MEMBER);
	assert_int_equal(room_member_remove(&R, ROOM_MAX_MEMBERS), ROOM_NO_MEMBER);
	assert_int_equal(room_member_remove(&R, 0), ROOM_NO_MEMBER);
	assert_int_equal(room_publish(&R, 0, &offer_chromium, &answer_chromium),
	    ROOM_NO_MEMBER);
	assert_int_equal(room_subscribe(&R, 3), ROOM_NO_MEMBER);
	assert_int_equal(room_offer(&R, 3, tracks, ROOM_MAX_LINES, &v),
	    ROOM_NO_MEMBER);
	assert_int_equal(room_feedback_target(&R, 3, CH_AUDIO, &track), -1);
	assert_int_equal(room_member_by_pid(&R, 1), -1);
	assert_string_equal(room_role_name(ROOM_GUEST), "guest");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup_room)
		T(test_publish_reads_tracks_from_the_offer),
		T(test_webrtcbin_offer_without_rtx),
		T(test_subscriber_gets_the_others_tracks),
		T(test_subscribe_first_then_publish),
		T(test_leaving_retires_lines_and_mids_are_never_reused),
		T(test_republish_replaces_tracks),
		T(test_new_tracks_flow_only_after_the_answer),
		T(test_forwarding_targets),
		T(test_feedback_goes_to_the_publisher),
		T(test_nothing_crosses_rooms),
		T(test_ssrc_clash_is_refused_and_changes_nothing),
		T(test_offer_without_ssrc_is_refused),
		T(test_pli_rate_limit),
		T(test_only_the_newest_answer_counts),
		T(test_room_full_and_lines_full),
		T(test_bad_indexes),
#undef T
	};

	return cmocka_run_group_tests(tests, setup_all, NULL);
}
