/*
 * rtc: klopf-video's two webrtcbins (see media.h). "pub" offers our
 * camera and microphone sendonly and takes klopfd's answer; "sub" takes
 * klopfd's subscribe offers one at a time and answers them. Every
 * stream that arrives on "sub" gets a branch: VP8 to a labelled tile of
 * the compositor, Opus to the audio mix, counted for --stats.
 *
 * webrtcbin 1.22 runs its promises on its own threads: their results go
 * back to the main loop before anything else looks at them. Which
 * participant a stream belongs to comes from the subscribe offer
 * (a=msid:<pid> …, per mid) and the stream's transceiver's mid.
 */
#include "media_int.h"

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "log.h"

/* --- handing results back to the main loop --- */

enum job_kind { JOB_OFFER, JOB_ANSWER, JOB_FAILED };

struct job {
	struct media *m;
	enum job_kind kind;
	int64_t version;
	char *text;
};

static void subscribe_next(struct media *m);

static gboolean
job_run(gpointer p)
{
	struct job *j = p;
	struct media *m = j->m;

	switch (j->kind) {
	case JOB_OFFER:
		if (m->h.offer)
			m->h.offer(m->ud, j->text);
		break;
	case JOB_ANSWER:
		m->sub_busy = false;
		if (m->h.answer)
			m->h.answer(m->ud, j->version, j->text);
		subscribe_next(m);
		break;
	case JOB_FAILED:
		m->sub_busy = false;
		if (m->h.failed)
			m->h.failed(m->ud, j->text);
		break;
	}
	g_free(j->text);
	g_free(j);
	return G_SOURCE_REMOVE;
}

static void
post(struct media *m, enum job_kind kind, int64_t version, char *text)
{
	struct job *j = g_new0(struct job, 1);

	j->m = m;
	j->kind = kind;
	j->version = version;
	j->text = text;         /* takes ownership */
	g_idle_add(job_run, j);
}

/* The error a webrtcbin promise was rejected with, or NULL. */
static char *
promise_error(GstPromise *promise, const char *what)
{
	const GstStructure *reply;
	GError *e = NULL;
	char *s;

	if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED)
		return g_strdup_printf("%s: no reply from webrtcbin", what);
	reply = gst_promise_get_reply(promise);
	if (reply == NULL || !gst_structure_has_field(reply, "error"))
		return NULL;
	gst_structure_get(reply, "error", G_TYPE_ERROR, &e, NULL);
	s = g_strdup_printf("%s: %s", what, e ? e->message : "?");
	g_clear_error(&e);
	return s;
}

/* --- publish --- */

static void
on_offer(GstPromise *promise, gpointer p)
{
	struct media *m = p;
	GstWebRTCSessionDescription *offer = NULL;
	char *e = promise_error(promise, "publish offer");

	if (e != NULL) {
		gst_promise_unref(promise);
		post(m, JOB_FAILED, 0, e);
		return;
	}
	gst_structure_get(gst_promise_get_reply(promise), "offer",
	    GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
	gst_promise_unref(promise);
	if (offer == NULL) {
		post(m, JOB_FAILED, 0, g_strdup("webrtcbin made no offer"));
		return;
	}
	g_signal_emit_by_name(m->pub, "set-local-description", offer, NULL);
	post(m, JOB_OFFER, 0, gst_sdp_message_as_text(offer->sdp));
	gst_webrtc_session_description_free(offer);
}

/* Whether every sink pad of "pub" has its caps: only then does the offer
 * carry the a=ssrc lines klopfd demultiplexes by. *n: how many there are
 * (none without camera and microphone). */
static bool
pub_ready(struct media *m, int *count)
{
	GstIterator *it = gst_element_iterate_sink_pads(m->pub);
	GValue v = G_VALUE_INIT;
	bool ready = true;
	int n = 0;

	while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
		n++;
		if (!gst_pad_has_current_caps(g_value_get_object(&v)))
			ready = false;
		g_value_reset(&v);
	}
	g_value_unset(&v);
	gst_iterator_free(it);
	*count = n;
	return ready;
}

static gboolean
publish_retry(gpointer p)
{
	struct media *m = p;

	m->publish_wait = 0;
	media_publish(m);
	return G_SOURCE_REMOVE;
}

void
media_publish(struct media *m)
{
	GArray *trans = NULL;
	guint i;
	int n;

	if (m->pub == NULL || m->publish_wait != 0)
		return;
	if (!pub_ready(m, &n)) {
		/* the encoders' first buffers are on their way */
		m->publish_wait = g_timeout_add(50, publish_retry, m);
		return;
	}
	if (n == 0) {
		/* no camera and no microphone: nothing to offer */
		post(m, JOB_OFFER, 0, NULL);
		return;
	}
	/* request pads make sendrecv transceivers: we only send here */
	g_signal_emit_by_name(m->pub, "get-transceivers", &trans);
	for (i = 0; trans != NULL && i < trans->len; i++)
		g_object_set(g_array_index(trans, GstWebRTCRTPTransceiver *, i),
		    "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
		    NULL);
	if (trans != NULL)
		g_array_unref(trans);
	g_signal_emit_by_name(m->pub, "create-offer", NULL,
	    gst_promise_new_with_change_func(on_offer, m, NULL));
}

static void
on_remote_set(GstPromise *promise, gpointer p)
{
	struct media *m = p;
	char *e = promise_error(promise, "publish answer");

	gst_promise_unref(promise);
	if (e != NULL)
		post(m, JOB_FAILED, 0, e);
}

static GstWebRTCSessionDescription *
parse_sdp(GstWebRTCSDPType type, const char *sdp, char *err, size_t errlen)
{
	GstSDPMessage *msg = NULL;

	if (gst_sdp_message_new_from_text(sdp, &msg) != GST_SDP_OK ||
	    msg == NULL) {
		snprintf(err, errlen, "klopfd sent SDP GStreamer cannot read");
		if (msg != NULL)
			gst_sdp_message_free(msg);
		return NULL;
	}
	return gst_webrtc_session_description_new(type, msg);
}

/* b=AS of the answer's video line: the office's cap in kbit/s; 0 if
 * none. */
static int
answer_video_kbps(const GstSDPMessage *msg)
{
	guint i, j;

	for (i = 0; i < gst_sdp_message_medias_len(msg); i++) {
		const GstSDPMedia *md = gst_sdp_message_get_media(msg, i);

		if (g_strcmp0(gst_sdp_media_get_media(md), "video") != 0)
			continue;
		for (j = 0; j < gst_sdp_media_bandwidths_len(md); j++) {
			const GstSDPBandwidth *bw =
			    gst_sdp_media_get_bandwidth(md, j);

			if (g_strcmp0(bw->bwtype, "AS") == 0 &&
			    bw->bandwidth > 0 && bw->bandwidth <= 1000000)
				return (int)bw->bandwidth;
		}
	}
	return 0;
}

/* --- connection quality --- */

/* A number field of a stats structure, whatever integer or double type
 * this GStreamer gives it. */
static bool
stat_number(const GstStructure *st, const char *name, double *out)
{
	const GValue *v = gst_structure_get_value(st, name);

	if (v == NULL)
		return false;
	if (G_VALUE_HOLDS_UINT64(v))
		*out = (double)g_value_get_uint64(v);
	else if (G_VALUE_HOLDS_INT64(v))
		*out = (double)g_value_get_int64(v);
	else if (G_VALUE_HOLDS_UINT(v))
		*out = (double)g_value_get_uint(v);
	else if (G_VALUE_HOLDS_INT(v))
		*out = (double)g_value_get_int(v);
	else if (G_VALUE_HOLDS_DOUBLE(v))
		*out = g_value_get_double(v);
	else
		return false;
	return true;
}

/* One entry of get-stats' reply into the sample being summed. */
static gboolean
add_stat(GQuark field, const GValue *value, gpointer p)
{
	struct quality_sample *q = p;
	const GstStructure *st;
	GstWebRTCStatsType type;
	double x;

	if (!GST_VALUE_HOLDS_STRUCTURE(value))
		return TRUE;
	st = gst_value_get_structure(value);
	if (!gst_structure_get(st, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type,
	    NULL))
		return TRUE;
	if (type == GST_WEBRTC_STATS_INBOUND_RTP) {
		if (stat_number(st, "packets-received", &x) && x >= 0) {
			q->received += (uint64_t)x;
			q->streams++;
		}
		if (stat_number(st, "packets-lost", &x) && x > 0)
			q->lost += (uint64_t)x;
	} else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
		if (stat_number(st, "round-trip-time", &x) && x > 0 &&
		    x * 1000.0 > q->rtt_ms)
			q->rtt_ms = x * 1000.0;
		if (stat_number(st, "fraction-lost", &x) && x >= 0 &&
		    x > q->remote_loss)
			q->remote_loss = x > 1.0 ? 1.0 : x;
	}
	return TRUE;
}

static void
on_stats(GstPromise *promise, gpointer p, bool sub)
{
	struct media *m = p;
	struct quality_sample q = {0, 0, 0, -1.0, -1.0};
	const GstStructure *reply = NULL;

	if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED)
		reply = gst_promise_get_reply(promise);
	if (reply != NULL)
		gst_structure_foreach(reply, add_stat, &q);
	gst_promise_unref(promise);
	if (reply == NULL)
		return;
	g_mutex_lock(&m->lock);
	if (sub) {
		m->q_now.received = q.received;
		m->q_now.lost = q.lost;
		m->q_now.streams = q.streams;
	} else {
		m->q_now.rtt_ms = q.rtt_ms;
		m->q_now.remote_loss = q.remote_loss;
	}
	g_mutex_unlock(&m->lock);
}

static void
on_sub_stats(GstPromise *promise, gpointer p)
{
	on_stats(promise, p, true);
}

static void
on_pub_stats(GstPromise *promise, gpointer p)
{
	on_stats(promise, p, false);
}

void
rtc_quality(struct media *m, bool expecting)
{
	struct quality_sample now;

	if (m->pub == NULL)
		return;
	g_mutex_lock(&m->lock);
	now = m->q_now;
	g_mutex_unlock(&m->lock);
	m->quality = quality_judge(&m->q_prev, &now, expecting);
	m->q_rtt_ms = now.rtt_ms;
	m->q_prev = now;
	g_signal_emit_by_name(m->sub, "get-stats", NULL,
	    gst_promise_new_with_change_func(on_sub_stats, m, NULL));
	g_signal_emit_by_name(m->pub, "get-stats", NULL,
	    gst_promise_new_with_change_func(on_pub_stats, m, NULL));
}

int
media_publish_answer(struct media *m, const char *sdp, char *err,
    size_t errlen)
{
	GstWebRTCSessionDescription *d;

	if (m->pub == NULL)
		return 0;
	d = parse_sdp(GST_WEBRTC_SDP_TYPE_ANSWER, sdp, err, errlen);
	if (d == NULL)
		return -1;
	media_video_cap(m, answer_video_kbps(d->sdp));
	g_signal_emit_by_name(m->pub, "set-remote-description", d,
	    gst_promise_new_with_change_func(on_remote_set, m, NULL));
	gst_webrtc_session_description_free(d);
	return 0;
}

/* --- subscribe --- */

struct sub_job {
	struct media *m;
	int64_t version;
};

static void
on_answer(GstPromise *promise, gpointer p)
{
	struct sub_job *sj = p;
	struct media *m = sj->m;
	GstWebRTCSessionDescription *answer = NULL;
	char *e = promise_error(promise, "subscribe answer");

	if (e == NULL)
		gst_structure_get(gst_promise_get_reply(promise), "answer",
		    GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
	gst_promise_unref(promise);
	if (e == NULL && answer == NULL)
		e = g_strdup("webrtcbin made no answer");
	if (e != NULL) {
		post(m, JOB_FAILED, 0, e);
		g_free(sj);
		return;
	}
	g_signal_emit_by_name(m->sub, "set-local-description", answer, NULL);
	post(m, JOB_ANSWER, sj->version, gst_sdp_message_as_text(answer->sdp));
	gst_webrtc_session_description_free(answer);
	g_free(sj);
}

static void
on_offer_set(GstPromise *promise, gpointer p)
{
	struct sub_job *sj = p;
	char *e = promise_error(promise, "subscribe offer");

	gst_promise_unref(promise);
	if (e != NULL) {
		post(sj->m, JOB_FAILED, 0, e);
		g_free(sj);
		return;
	}
	g_signal_emit_by_name(sj->m->sub, "create-answer", NULL,
	    gst_promise_new_with_change_func(on_answer, sj, NULL));
}

/* Notes mid -> pid from the offer's a=msid lines. */
static void
learn_mids(struct media *m, const GstSDPMessage *msg)
{
	guint i;

	g_mutex_lock(&m->lock);
	for (i = 0; i < gst_sdp_message_medias_len(msg); i++) {
		const GstSDPMedia *md = gst_sdp_message_get_media(msg, i);
		const char *mid = gst_sdp_media_get_attribute_val(md, "mid");
		const char *msid = gst_sdp_media_get_attribute_val(md, "msid");
		size_t n;

		if (mid == NULL || msid == NULL)
			continue;
		n = strcspn(msid, " ");
		if (n == 0 || n >= MEDIA_PID)
			continue;
		g_hash_table_replace(m->mids, g_strdup(mid),
		    g_strndup(msid, n));
	}
	g_mutex_unlock(&m->lock);
}

static void
subscribe_next(struct media *m)
{
	GstWebRTCSessionDescription *d;
	struct sub_job *sj;
	char err[200];

	if (m->sub_busy || m->next_sdp == NULL)
		return;
	d = parse_sdp(GST_WEBRTC_SDP_TYPE_OFFER, m->next_sdp, err,
	    sizeof(err));
	g_free(m->next_sdp);
	m->next_sdp = NULL;
	if (d == NULL) {
		if (m->h.failed)
			m->h.failed(m->ud, err);
		return;
	}
	learn_mids(m, d->sdp);
	m->sub_busy = true;
	sj = g_new0(struct sub_job, 1);
	sj->m = m;
	sj->version = m->next_version;
	g_signal_emit_by_name(m->sub, "set-remote-description", d,
	    gst_promise_new_with_change_func(on_offer_set, sj, NULL));
	gst_webrtc_session_description_free(d);
}

int
media_subscribe_offer(struct media *m, int64_t version, const char *sdp,
    char *err, size_t errlen)
{
	if (m->sub == NULL)
		return 0;
	/* only the newest offer matters; klopfd ignores older answers */
	g_free(m->next_sdp);
	m->next_sdp = g_strdup(sdp);
	m->next_version = version;
	subscribe_next(m);
	return 0;
}

/* --- what arrives --- */

static GstPadProbeReturn
count_frame(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
	g_atomic_int_inc(&((struct person *)p)->video_frames);
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_audio(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
	g_atomic_int_inc(&((struct person *)p)->audio_buffers);
	return GST_PAD_PROBE_OK;
}

/* The pid of the participant whose stream pad carries. */
static void
pad_pid(struct media *m, GstPad *pad, char *out, size_t outlen)
{
	GstWebRTCRTPTransceiver *t = NULL;
	char *mid = NULL;
	const char *pid = NULL;

	g_object_get(pad, "transceiver", &t, NULL);
	if (t != NULL) {
		g_object_get(t, "mid", &mid, NULL);
		gst_object_unref(t);
	}
	g_mutex_lock(&m->lock);
	if (mid != NULL)
		pid = g_hash_table_lookup(m->mids, mid);
	g_strlcpy(out, pid != NULL ? pid : "unknown", outlen);
	g_mutex_unlock(&m->lock);
	g_free(mid);
}

static void
ghost(GstElement *bin, const char *element, const char *pad,
    const char *name)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(bin), element);
	GstPad *p;

	if (e == NULL)
		return;
	p = gst_element_get_static_pad(e, pad);
	gst_element_add_pad(bin, gst_ghost_pad_new(name, p));
	gst_object_unref(p);
	gst_object_unref(e);
}

static GstElement *
add_branch(struct media *m, GstPad *pad, const char *desc)
{
	GError *e = NULL;
	GstElement *bin = gst_parse_bin_from_description(desc, FALSE, &e);
	GstPadLinkReturn rc;
	GstPad *sink;

	if (bin == NULL) {
		log_error("cannot build a receive branch: %s",
		    e ? e->message : "?");
		g_clear_error(&e);
		return NULL;
	}
	/* by name: textoverlay's text_sink must stay unlinked */
	ghost(bin, "in", "sink", "sink");
	ghost(bin, "out", "src", "src");
	gst_bin_add(GST_BIN(m->pipe), bin);
	sink = gst_element_get_static_pad(bin, "sink");
	rc = gst_pad_link(pad, sink);
	if (rc != GST_PAD_LINK_OK)
		log_error("cannot link %s to a receive branch: %s",
		    GST_PAD_NAME(pad), gst_pad_link_get_name(rc));
	gst_object_unref(sink);
	return bin;
}

static void
probe_named(GstElement *bin, const char *name, GstPadProbeCallback cb,
    struct person *who)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(bin), name);
	GstPad *pad = gst_element_get_static_pad(e, "src");

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, cb, who, NULL);
	gst_object_unref(pad);
	gst_object_unref(e);
}

static void
link_to(GstElement *bin, GstElement *mixer, GstPad **mixpad)
{
	GstPad *src = gst_element_get_static_pad(bin, "src");
	GstPad *dst = gst_element_request_pad_simple(mixer, "sink_%u");

	if (gst_pad_link(src, dst) != GST_PAD_LINK_OK)
		log_error("cannot link a received stream to the mixer");
	gst_object_unref(src);
	if (mixpad != NULL)
		*mixpad = dst;
	else
		gst_object_unref(dst);
}

/* A stream arrived on "sub" (a streaming thread). */
static void
on_pad_added(GstElement *sub, GstPad *pad, gpointer p)
{
	struct media *m = p;
	GstCaps *caps;
	const GstStructure *s;
	const char *enc;
	char pid[MEDIA_PID];
	struct person *who;
	GstElement *bin;

	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
		return;
	caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		caps = gst_pad_query_caps(pad, NULL);
	s = gst_caps_get_structure(caps, 0);
	enc = gst_structure_get_string(s, "encoding-name");
	pad_pid(m, pad, pid, sizeof(pid));
	g_mutex_lock(&m->lock);
	who = media_person_get(m, pid);
	g_mutex_unlock(&m->lock);
	{
		char *cs = gst_caps_to_string(caps);

		log_info("stream %s from %s: %s", GST_PAD_NAME(pad), pid, cs);
		g_free(cs);
	}
	if (enc != NULL && g_ascii_strcasecmp(enc, "VP8") == 0) {
		struct tile *t;

		bin = add_branch(m, pad, "queue name=in ! rtpvp8depay ! "
		    "vp8dec name=dec ! videoconvert ! "
		    "textoverlay name=label valignment=bottom halignment=left "
		    "font-desc=\"Sans 16\" shaded-background=true ! "
		    "videoconvert ! queue name=out");
		if (bin == NULL)
			goto out;
		probe_named(bin, "dec", count_frame, who);
		t = g_new0(struct tile, 1);
		t->who = who;
		t->label = gst_bin_get_by_name(GST_BIN(bin), "label");
		link_to(bin, m->mix, &t->mixpad);
		g_object_set(t->mixpad, "sizing-policy", 1, "alpha", 0.0,
		    NULL);
		g_mutex_lock(&m->lock);
		g_ptr_array_add(m->tiles, t);
		g_mutex_unlock(&m->lock);
		media_layout_soon(m);
	} else if (enc != NULL && g_ascii_strcasecmp(enc, "OPUS") == 0) {
		bin = add_branch(m, pad, "queue name=in ! rtpopusdepay ! "
		    "opusdec name=dec plc=true ! audioconvert ! "
		    "audioresample ! queue name=out");
		if (bin == NULL)
			goto out;
		probe_named(bin, "dec", count_audio, who);
		link_to(bin, m->amix, NULL);
	} else {
		bin = add_branch(m, pad, "fakesink name=in sync=false");
		if (bin == NULL)
			goto out;
	}
	gst_element_sync_state_with_parent(bin);
out:
	gst_caps_unref(caps);
}

static void
on_state(GObject *o, GParamSpec *ps, gpointer p)
{
	GstWebRTCPeerConnectionState st;

	g_object_get(o, "connection-state", &st, NULL);
	log_info("%s: connection %d", GST_OBJECT_NAME(o), (int)st);
}

/* RTCP once a second, as browsers send it for video: rtpbin's default
 * (5 s, randomised to up to 7.5 s) leaves the subscribing connection,
 * which sends nothing else, silent long enough that a few lost packets
 * make klopfd's 10 s liveness end the leg. libnice's own keepalive
 * comes only every 25 s. */
#define RTCP_INTERVAL_NS (1000 * GST_MSECOND)

static void
on_element_added(GstBin *bin, GstBin *sub, GstElement *e, gpointer p)
{
	GstElementFactory *f = gst_element_get_factory(e);

	if (f != NULL && strcmp(GST_OBJECT_NAME(f), "rtpsession") == 0)
		g_object_set(e, "rtcp-min-interval",
		    (guint64)RTCP_INTERVAL_NS, NULL);
}

/* klopfd is ICE-lite and announces its candidates in the SDP; ours need
 * not be sent. Where the host has only loopback, libnice finds nothing
 * unless it is told the addresses (--ice-address). */
static int
setup_ice(struct media *m, GstElement *webrtc, char *err, size_t errlen)
{
	GObject *ice = NULL;
	size_t i;

	g_object_get(webrtc, "ice-agent", &ice, NULL);
	if (ice == NULL) {
		snprintf(err, errlen, "webrtcbin has no ICE agent");
		return -1;
	}
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "ice-tcp"))
		g_object_set(ice, "ice-tcp", FALSE, NULL);
	for (i = 0; i < m->o.n_ice_addrs; i++) {
		gboolean ok = FALSE;

		g_signal_emit_by_name(ice, "add-local-ip-address",
		    m->o.ice_addrs[i], &ok);
		if (!ok) {
			snprintf(err, errlen, "cannot use %s for ICE",
			    m->o.ice_addrs[i]);
			g_object_unref(ice);
			return -1;
		}
	}
	g_object_unref(ice);
	g_signal_connect(webrtc, "notify::connection-state",
	    G_CALLBACK(on_state), m);
	g_signal_connect(webrtc, "deep-element-added",
	    G_CALLBACK(on_element_added), m);
	return 0;
}

int
rtc_setup(struct media *m, char *err, size_t errlen)
{
	if (m->pub == NULL || m->sub == NULL) {
		snprintf(err, errlen, "no webrtcbin (gstreamer1.0-plugins-bad "
		    "and gstreamer1.0-nice installed?)");
		return -1;
	}
	if (setup_ice(m, m->pub, err, errlen) != 0 ||
	    setup_ice(m, m->sub, err, errlen) != 0)
		return -1;
	g_signal_connect(m->sub, "pad-added", G_CALLBACK(on_pad_added), m);
	return 0;
}

void
rtc_fini(struct media *m)
{
	if (m->publish_wait != 0)
		g_source_remove(m->publish_wait);
	m->publish_wait = 0;
	if (m->sub != NULL)
		g_signal_handlers_disconnect_by_data(m->sub, m);
	if (m->pub != NULL)
		g_signal_handlers_disconnect_by_data(m->pub, m);
}
