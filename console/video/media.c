/*
 * media: see media.h. This file builds the pipeline and owns the window:
 * local sources, the compositor grid and its labels, the status line,
 * the keys, the audio mix and the --stats lines. The webrtcbins and what
 * arrives through them are rtc.c's.
 */
#include "media_int.h"

#define GST_USE_UNSTABLE_API
#include <errno.h>
#include <gst/video/navigation.h>
#include <gst/webrtc/webrtc.h>
#include <math.h>
#include <string.h>

#include "log.h"
#include "xwin.h"

static bool
plain_word(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && strchr("/_.:,-", *s) == NULL)
			return false;
	return true;
}

/* Whether GStreamer knows any device of this class ("Video/Source",
 * "Audio/Source"). */
static bool
have_device(const char *klass)
{
	GstDeviceMonitor *mon = gst_device_monitor_new();
	GList *devs;
	bool any;

	gst_device_monitor_add_filter(mon, klass, NULL);
	if (!gst_device_monitor_start(mon)) {
		gst_object_unref(mon);
		return true;    /* cannot tell: let the source try */
	}
	devs = gst_device_monitor_get_devices(mon);
	any = devs != NULL;
	g_list_free_full(devs, gst_object_unref);
	gst_device_monitor_stop(mon);
	gst_object_unref(mon);
	return any;
}

/* The camera, to "camfx" (videobalance) and the tee "vt": to the own
 * picture and, in a call, to VP8 for "pub". Without a camera, a dark
 * placeholder for the own picture and nothing to send. */
static char *
video_part(const struct media_opts *o)
{
	const char *v = o->video_source;
	char *src, *d;

	if (strcmp(v, "none") == 0)
		return g_strdup_printf("videotestsrc is-live=true pattern=black ! "
		    "video/x-raw,width=640,height=480,framerate=15/1 ! "
		    "textoverlay text=\"Keine Kamera\" valignment=center "
		    "halignment=center font-desc=\"Sans 32\" ! "
		    "videobalance name=camfx ! queue name=selfq ! mix. ");
	if (strcmp(v, "test") == 0)
		src = g_strdup("videotestsrc is-live=true pattern=smpte");
	else if (strcmp(v, "auto") == 0)
		src = g_strdup("autovideosrc");
	else
		src = g_strdup_printf("v4l2src device=%s", v);
	d = g_strdup_printf("%s ! videoconvert ! videoscale ! videorate ! "
	    "video/x-raw,width=640,height=480,framerate=15/1 ! "
	    "videobalance name=camfx ! tee name=vt "
	    "vt. ! queue name=selfq max-size-buffers=2 leaky=downstream ! "
	    "mix. ", src);
	g_free(src);
	if (!o->check) {
		char *send = g_strdup_printf("%s"
		    "vt. ! queue max-size-buffers=2 leaky=downstream ! "
		    "videoconvert ! vp8enc name=venc deadline=1 cpu-used=8 "
		    "target-bitrate=%d keyframe-max-dist=900 end-usage=cbr "
		    "error-resilient=partitions ! "
		    "rtpvp8pay pt=96 picture-id-mode=15-bit ! "
		    "application/x-rtp,media=video,encoding-name=VP8,"
		    "payload=96,clock-rate=90000 ! pub. ",
		    d, o->bitrate_kbps * 1000);

		g_free(d);
		d = send;
	}
	return d;
}

/* The microphone, through "mic" (volume): to Opus for "pub", or in
 * --check to a level meter. Without one, silence that goes nowhere. */
static char *
audio_part(const struct media_opts *o)
{
	const char *a = o->audio_source;
	char *src, *d;

	if (strcmp(a, "none") == 0)
		return g_strdup("audiotestsrc is-live=true wave=silence ! "
		    "volume name=mic ! fakesink sync=false ");
	if (strcmp(a, "test") == 0)
		src = g_strdup("audiotestsrc is-live=true wave=sine freq=330 "
		    "volume=0.2");
	else if (strcmp(a, "auto") == 0)
		src = g_strdup("autoaudiosrc");
	else
		src = g_strdup_printf("alsasrc device=%s", a);
	if (o->check)
		d = g_strdup_printf("%s ! audioconvert ! audioresample ! "
		    "volume name=mic ! level interval=200000000 "
		    "post-messages=true ! fakesink sync=false ", src);
	else
		d = g_strdup_printf("%s ! audioconvert ! audioresample ! "
		    "audio/x-raw,rate=48000,channels=1 ! volume name=mic ! "
		    "queue ! opusenc bitrate=32000 ! rtpopuspay pt=111 ! "
		    "application/x-rtp,media=audio,encoding-name=OPUS,"
		    "payload=111,clock-rate=48000 ! pub. ", src);
	g_free(src);
	return d;
}

/* The pipeline in gst-launch syntax; every piece of it is from us or
 * checked by plain_word. */
static char *
describe(const struct media_opts *o)
{
	char *video = video_part(o);
	char *audio = audio_part(o);
	char *d;

	d = g_strdup_printf("%s"
	    "compositor name=mix background=black ! "
	    "video/x-raw,width=%d,height=%d,framerate=15/1 ! "
	    "textoverlay name=status valignment=top halignment=left "
	    "font-desc=\"Sans 14\" shaded-background=true ! "
	    "videoconvert name=out ! %s "
	    "%s %s %s%s",
	    o->check ? "" : "webrtcbin name=pub bundle-policy=max-bundle "
	    "webrtcbin name=sub bundle-policy=max-bundle latency=100 ",
	    MEDIA_W, MEDIA_H, o->video_sink, video, audio,
	    o->check ? "" : "audiotestsrc is-live=true wave=silence ! "
	    "audio/x-raw,rate=48000,channels=2 ! audiomixer name=amix ! "
	    "audioconvert ! audioresample ! ",
	    o->check ? "" : o->audio_sink);
	g_free(video);
	g_free(audio);
	return d;
}

/* --- participants, labels and the grid --- */

static const char *
role_word(const char *role)
{
	if (strcmp(role, "citizen") == 0)
		return "Bürgerin oder Bürger";
	if (strcmp(role, "guest") == 0)
		return "Gast";
	if (strcmp(role, "clerk") == 0)
		return "Sachbearbeitung";
	return "Teilnehmende Person";
}

void
media_label_text(const struct person *p, char *out, size_t outlen)
{
	if (p->name[0] != '\0')
		snprintf(out, outlen, "%s (%s)", p->name, role_word(p->role));
	else
		snprintf(out, outlen, "%s", role_word(p->role));
}

/* Returns the person for pid, made if new; the caller holds m->lock. */
struct person *
media_person_get(struct media *m, const char *pid)
{
	struct person *p = g_hash_table_lookup(m->people, pid);

	if (p == NULL) {
		p = g_new0(struct person, 1);
		g_strlcpy(p->pid, pid, sizeof(p->pid));
		g_hash_table_insert(m->people, p->pid, p);
	}
	return p;
}

static void
set_pad(GstPad *pad, int x, int y, int w, int h, double alpha, guint z)
{
	g_object_set(pad, "xpos", x, "ypos", y, "width", w, "height", h,
	    "alpha", alpha, "zorder", z, NULL);
}

/* Whether tile i is on screen: its participant is in the room, and it is
 * that participant's newest picture (a second publish, after a reload
 * say, brings a new stream; the old one would stand still). */
static bool
tile_shown(GPtrArray *tiles, guint i)
{
	struct tile *t = g_ptr_array_index(tiles, i);
	guint j;

	if (!t->who->present)
		return false;
	for (j = i + 1; j < tiles->len; j++)
		if (((struct tile *)g_ptr_array_index(tiles, j))->who == t->who)
			return false;
	return true;
}

/* One large picture for one other participant, a grid for several; the
 * own picture a quarter size in the bottom right corner (or the whole
 * window in --check, or when the clerk is alone). */
static gboolean
layout(gpointer p)
{
	struct media *m = p;
	guint n = 0, cols, rows, i, k = 0;
	char text[MEDIA_NAME + 40];

	g_mutex_lock(&m->lock);
	m->layout_idle = 0;
	for (i = 0; i < m->tiles->len; i++)
		if (tile_shown(m->tiles, i))
			n++;
	cols = n == 0 ? 1 : (guint)ceil(sqrt((double)n));
	rows = n == 0 ? 1 : (n + cols - 1) / cols;
	for (i = 0; i < m->tiles->len; i++) {
		struct tile *t = g_ptr_array_index(m->tiles, i);
		int w = MEDIA_W / (int)cols, h = MEDIA_H / (int)rows;

		media_label_text(t->who, text, sizeof(text));
		g_object_set(t->label, "text", text, NULL);
		if (!tile_shown(m->tiles, i)) {
			set_pad(t->mixpad, 0, 0, 16, 16, 0.0, 1);
			continue;
		}
		set_pad(t->mixpad, (int)(k % cols) * w, (int)(k / cols) * h,
		    w, h, 1.0, 10);
		k++;
	}
	g_mutex_unlock(&m->lock);
	if (m->selfpad != NULL) {
		if (n == 0 || m->o.check || m->big)
			set_pad(m->selfpad, 0, 0, MEDIA_W, MEDIA_H, 1.0, 5);
		else
			set_pad(m->selfpad, MEDIA_W - MEDIA_W / 4 - 8,
			    MEDIA_H - MEDIA_H / 4 - 8, MEDIA_W / 4,
			    MEDIA_H / 4, 1.0, 100);
	}
	return G_SOURCE_REMOVE;
}

void
media_layout_soon(struct media *m)
{
	g_mutex_lock(&m->lock);
	if (m->layout_idle == 0)
		m->layout_idle = g_idle_add(layout, m);
	g_mutex_unlock(&m->lock);
}

void
media_participants(struct media *m, const struct media_person *p, size_t n,
    const char *you)
{
	GHashTableIter it;
	gpointer v;
	size_t i;

	g_strlcpy(m->you, you != NULL ? you : "", sizeof(m->you));
	g_mutex_lock(&m->lock);
	g_hash_table_iter_init(&it, m->people);
	while (g_hash_table_iter_next(&it, NULL, &v))
		((struct person *)v)->present = false;
	for (i = 0; i < n; i++) {
		struct person *x;

		if (p[i].pid == NULL || strcmp(p[i].pid, m->you) == 0)
			continue;
		x = media_person_get(m, p[i].pid);
		x->present = true;
		g_strlcpy(x->role, p[i].role ? p[i].role : "", sizeof(x->role));
		g_strlcpy(x->name, p[i].name ? p[i].name : "", sizeof(x->name));
	}
	g_mutex_unlock(&m->lock);
	media_layout_soon(m);
}

/* --- status line, stats, keys --- */

static const char *
connection_word(struct media *m)
{
	GstWebRTCPeerConnectionState a = 0, b = 0;

	if (m->pub == NULL)
		return m->level[0] != '\0' ? m->level : "bereit";
	g_object_get(m->pub, "connection-state", &a, NULL);
	g_object_get(m->sub, "connection-state", &b, NULL);
	if (a == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
	    b == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
		return "Verbindung gestört";
	if (a == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED &&
	    b == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
		if (m->quality == QUALITY_UNKNOWN)
			return "Verbindung steht";
		if (m->quality == QUALITY_DOWN)
			return "Verbindung unterbrochen";
		if (m->q_rtt_ms >= 0)
			snprintf(m->q_text, sizeof(m->q_text),
			    "Verbindung: %s (%.0f ms)",
			    quality_word(m->quality), m->q_rtt_ms);
		else
			snprintf(m->q_text, sizeof(m->q_text),
			    "Verbindung: %s", quality_word(m->quality));
		return m->q_text;
	}
	if (a == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
		return "Verbindung: nur Senden";
	return "Verbindung wird aufgebaut";
}

/* The office's cap from klopfd's answer (b=AS on the video line):
 * webrtcbin does not follow klopfd's REMB, so the encoder is told. */
void
media_video_cap(struct media *m, int kbps)
{
	GstElement *enc;
	int want = kbps > 0 && kbps < m->o.bitrate_kbps ? kbps :
	    m->o.bitrate_kbps;

	if (want == m->video_kbps || m->pipe == NULL)
		return;
	enc = gst_bin_get_by_name(GST_BIN(m->pipe), "venc");
	if (enc == NULL)
		return;         /* no camera: nothing to limit */
	g_object_set(enc, "target-bitrate", want * 1000, NULL);
	gst_object_unref(enc);
	m->video_kbps = want;
}

static void
write_stats(struct media *m, double t)
{
	GHashTableIter it;
	gpointer v;

	if (m->stats == NULL)
		return;
	/* the window itself: what it sends */
	fprintf(m->stats, "{\"t\":%.1f,\"pid\":\"self\",\"role\":\"self\","
	    "\"video_kbps\":%d,\"muted\":%s,\"camera\":%s,"
	    "\"quality\":\"%s\",\"rtt_ms\":%.1f}\n", t,
	    m->video_kbps, m->muted ? "true" : "false",
	    m->cam_off ? "false" : "true", quality_name(m->quality),
	    m->q_rtt_ms);
	g_mutex_lock(&m->lock);
	g_hash_table_iter_init(&it, m->people);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct person *p = v;
		guint i, tiles = 0, shown = 0;

		for (i = 0; i < m->tiles->len; i++) {
			if (((struct tile *)g_ptr_array_index(m->tiles,
			    i))->who != p)
				continue;
			tiles++;
			shown += tile_shown(m->tiles, i);
		}
		/* no names: the file is diagnostics, not a record */
		fprintf(m->stats, "{\"t\":%.1f,\"pid\":\"%s\",\"role\":\"%s\","
		    "\"present\":%s,\"video_frames\":%d,"
		    "\"audio_buffers\":%d,\"tiles\":%u,\"shown\":%u}\n",
		    t, p->pid, p->role, p->present ? "true" : "false",
		    g_atomic_int_get(&p->video_frames),
		    g_atomic_int_get(&p->audio_buffers), tiles, shown);
	}
	g_mutex_unlock(&m->lock);
	fflush(m->stats);
}

static gboolean
tick(gpointer p)
{
	struct media *m = p;
	gint64 s = (m->o.since > 0 ? g_get_real_time() - m->o.since :
	    g_get_monotonic_time() - m->started) / G_USEC_PER_SEC;
	char line[512];
	bool alone = true;
	GHashTableIter it;
	gpointer v;

	g_mutex_lock(&m->lock);
	g_hash_table_iter_init(&it, m->people);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct person *)v)->present)
			alone = false;
	g_mutex_unlock(&m->lock);
	if (s < 0)
		s = 0;  /* clocks of server and clerk disagree */
	rtc_quality(m, !alone);
	snprintf(line, sizeof(line), "%s · %02d:%02d · %s%s%s%s",
	    m->o.title, (int)(s / 60), (int)(s % 60), connection_word(m),
	    strcmp(m->o.audio_source, "none") == 0 ? " · kein Mikrofon" :
	    m->muted ? " · Mikrofon aus" : "",
	    strcmp(m->o.video_source, "none") == 0 ? " · keine Kamera" :
	    m->cam_off ? " · Kamera aus" : "",
	    !m->o.check && alone ? "\nWarten auf die anderen …" : "");
	g_object_set(m->status, "text", line, NULL);
	write_stats(m, (double)(g_get_monotonic_time() - m->started) /
	    G_USEC_PER_SEC);
	return G_SOURCE_CONTINUE;
}

void
media_key(struct media *m, const char *key)
{
	if (strcmp(key, "m") == 0) {
		m->muted = !m->muted;
		g_object_set(m->mic, "mute", m->muted, NULL);
		log_info("microphone %s", m->muted ? "off" : "on");
	} else if (strcmp(key, "c") == 0) {
		/* black pictures keep the stream (and the receivers'
		 * decoders) going; the picture is simply dark */
		m->cam_off = !m->cam_off;
		g_object_set(m->camfx, "brightness", m->cam_off ? -1.0 : 0.0,
		    "saturation", m->cam_off ? 0.0 : 1.0, "contrast",
		    m->cam_off ? 0.0 : 1.0, NULL);
		log_info("camera %s", m->cam_off ? "off" : "on");
	} else if (strcmp(key, "f") == 0) {
		char err[200];

		if (xwin_toggle_fullscreen(m->o.title, &m->fullscreen, err,
		    sizeof(err)) != 0)
			log_warning("no full screen: %s", err);
		else
			log_info("full screen %s", m->fullscreen.full ? "on" :
			    "off");
	} else if (strcmp(key, "e") == 0) {
		/* the own picture large or small */
		m->big = !m->big;
		media_layout_soon(m);
	} else if (strcmp(key, "q") == 0 || strcmp(key, "Escape") == 0) {
		if (m->h.quit)
			m->h.quit(m->ud);
		return;
	} else {
		return;
	}
	tick(m);
}

struct key_job {
	struct media *m;
	char key[32];
};

static gboolean
key_on_main(gpointer p)
{
	struct key_job *j = p;

	media_key(j->m, j->key);
	g_free(j);
	return G_SOURCE_REMOVE;
}

/* Navigation events travel upstream from the window's sink. */
static GstPadProbeReturn
on_upstream(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	const gchar *key = NULL;
	struct key_job *j;

	if (GST_EVENT_TYPE(ev) != GST_EVENT_NAVIGATION ||
	    gst_navigation_event_get_type(ev) !=
	    GST_NAVIGATION_EVENT_KEY_PRESS ||
	    !gst_navigation_event_parse_key_event(ev, &key) || key == NULL)
		return GST_PAD_PROBE_OK;
	j = g_new0(struct key_job, 1);
	j->m = p;
	g_strlcpy(j->key, key, sizeof(j->key));
	g_idle_add(key_on_main, j);
	return GST_PAD_PROBE_OK;
}

/* Once, before the first picture: the window's title. */
static GstPadProbeReturn
on_first_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer p)
{
	struct media *m = p;
	GstTagList *tags = gst_tag_list_new(GST_TAG_TITLE, m->o.title, NULL);

	gst_pad_push_event(pad, gst_event_new_tag(tags));
	return GST_PAD_PROBE_REMOVE;
}

static gboolean
on_bus(GstBus *bus, GstMessage *msg, gpointer p)
{
	struct media *m = p;
	GError *e = NULL;
	gchar *dbg = NULL;
	char why[300];

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &e, &dbg);
		log_error("%s: %s (%s)", GST_OBJECT_NAME(msg->src), e->message,
		    dbg ? dbg : "");
		if (e->domain == GST_RESOURCE_ERROR &&
		    strstr(e->message, "window was closed") != NULL) {
			if (m->h.quit)
				m->h.quit(m->ud);
		} else if (m->h.failed) {
			snprintf(why, sizeof(why), "%s: %s",
			    GST_OBJECT_NAME(msg->src), e->message);
			m->h.failed(m->ud, why);
		}
		g_error_free(e);
		g_free(dbg);
		break;
	case GST_MESSAGE_WARNING:
		gst_message_parse_warning(msg, &e, &dbg);
		log_warning("%s: %s", GST_OBJECT_NAME(msg->src), e->message);
		g_error_free(e);
		g_free(dbg);
		break;
	case GST_MESSAGE_LATENCY:
		gst_bin_recalculate_latency(GST_BIN(m->pipe));
		break;
	case GST_MESSAGE_ELEMENT:
		if (gst_message_has_name(msg, "level")) {
			const GstStructure *s = gst_message_get_structure(msg);
			const GValue *a = gst_structure_get_value(s, "rms");
			GValueArray *arr;
			double db = -100;

			G_GNUC_BEGIN_IGNORE_DEPRECATIONS
			arr = a ? (GValueArray *)g_value_get_boxed(a) : NULL;
			if (arr != NULL && arr->n_values > 0)
				db = g_value_get_double(
				    g_value_array_get_nth(arr, 0));
			G_GNUC_END_IGNORE_DEPRECATIONS
			snprintf(m->level, sizeof(m->level),
			    "Mikrofon: %.0f dB", db);
		}
		break;
	default:
		break;
	}
	return TRUE;
}

static void
free_tile(gpointer p)
{
	struct tile *t = p;

	gst_object_unref(t->mixpad);
	gst_object_unref(t->label);
	g_free(t);
}

static GstElement *
by_name(struct media *m, const char *name)
{
	/* the pipeline keeps them alive; we hold no extra reference */
	GstElement *e = gst_bin_get_by_name(GST_BIN(m->pipe), name);

	if (e != NULL)
		gst_object_unref(e);
	return e;
}

struct media *
media_new(const struct media_opts *o, const struct media_handlers *h,
    void *ud, char *err, size_t errlen)
{
	struct media *m;
	GError *ge = NULL;
	GstElement *out, *selfq;
	GstPad *pad;
	char *desc;

	if (!plain_word(o->video_source) || !plain_word(o->audio_source) ||
	    !plain_word(o->video_sink) || !plain_word(o->audio_sink)) {
		snprintf(err, errlen, "a source or sink name holds characters "
		    "other than letters, digits and /_.:,-");
		return NULL;
	}
	m = g_new0(struct media, 1);
	m->o = *o;
	m->h = *h;
	m->ud = ud;
	g_mutex_init(&m->lock);
	m->mids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	m->people = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    g_free);
	m->tiles = g_ptr_array_new_with_free_func(free_tile);
	m->started = g_get_monotonic_time();
	m->q_now.rtt_ms = m->q_now.remote_loss = -1.0;
	m->q_prev = m->q_now;
	m->q_rtt_ms = -1.0;
	if (o->stats_path != NULL) {
		m->stats = fopen(o->stats_path, "w");
		if (m->stats == NULL) {
			snprintf(err, errlen, "cannot write %s: %s",
			    o->stats_path, g_strerror(errno));
			media_free(m);
			return NULL;
		}
	}
	if (strcmp(o->video_source, "auto") == 0 &&
	    !have_device("Video/Source")) {
		log_warning("no camera found: sending sound only");
		m->o.video_source = "none";
	}
	if (!o->check && strcmp(m->o.video_source, "none") != 0)
		m->video_kbps = m->o.bitrate_kbps;
	if (strcmp(o->audio_source, "auto") == 0 &&
	    !have_device("Audio/Source")) {
		log_warning("no microphone found: sending the picture only");
		m->o.audio_source = "none";
	}
	desc = describe(&m->o);
	log_debug("pipeline: %s", desc);
	m->pipe = gst_parse_launch(desc, &ge);
	g_free(desc);
	if (m->pipe == NULL || ge != NULL) {
		snprintf(err, errlen, "cannot build the pipeline: %s (are "
		    "the GStreamer plugins installed?)",
		    ge ? ge->message : "?");
		g_clear_error(&ge);
		media_free(m);
		return NULL;
	}
	m->mix = by_name(m, "mix");
	m->amix = by_name(m, "amix");
	m->status = by_name(m, "status");
	m->mic = by_name(m, "mic");
	m->camfx = by_name(m, "camfx");
	m->pub = by_name(m, "pub");
	m->sub = by_name(m, "sub");
	selfq = by_name(m, "selfq");
	out = by_name(m, "out");
	pad = gst_element_get_static_pad(selfq, "src");
	m->selfpad = gst_pad_get_peer(pad);
	gst_object_unref(pad);
	g_object_set(m->selfpad, "sizing-policy", 1 /* keep aspect */, NULL);
	pad = gst_element_get_static_pad(out, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream,
	    m, NULL);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_first_buffer, m,
	    NULL);
	gst_object_unref(pad);
	if (!o->check && rtc_setup(m, err, errlen) != 0) {
		media_free(m);
		return NULL;
	}
	layout(m);
	{
		GstBus *bus = gst_element_get_bus(m->pipe);

		m->bus_watch = gst_bus_add_watch(bus, on_bus, m);
		gst_object_unref(bus);
	}
	if (gst_element_set_state(m->pipe, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		snprintf(err, errlen, "cannot start the pipeline (camera, "
		    "microphone or window unavailable?)");
		media_free(m);
		return NULL;
	}
	tick(m);
	m->tick = g_timeout_add_seconds(1, tick, m);
	return m;
}

void
media_free(struct media *m)
{
	if (m == NULL)
		return;
	if (m->tick != 0)
		g_source_remove(m->tick);
	if (m->layout_idle != 0)
		g_source_remove(m->layout_idle);
	if (m->bus_watch != 0)
		g_source_remove(m->bus_watch);
	if (m->pipe != NULL) {
		gst_element_set_state(m->pipe, GST_STATE_NULL);
		rtc_fini(m);
		if (m->selfpad != NULL)
			gst_object_unref(m->selfpad);
		gst_object_unref(m->pipe);
	}
	if (m->stats != NULL) {
		write_stats(m, (double)(g_get_monotonic_time() - m->started) /
		    G_USEC_PER_SEC);
		fclose(m->stats);
	}
	g_ptr_array_free(m->tiles, TRUE);
	g_hash_table_destroy(m->people);
	g_hash_table_destroy(m->mids);
	g_free(m->next_sdp);
	g_mutex_clear(&m->lock);
	g_free(m);
}
