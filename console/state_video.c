/*
 * state_video: whether the clerk's video window (klopf-video) should run,
 * and what the console says about it. Part of the state module
 * (state.h): no I/O, no clock, no processes. The shell (main.c with
 * videoproc.c) starts the window when video.start is set, with the object
 * state_video_secret writes, ends it when video.stop is set, and reports
 * back with state_video_started and state_video_exited.
 *
 * The window gets in with a media token (doc/video.md): the state asks
 * klopfd for one for the room and has the window started on the reply;
 * the clerk's session never leaves the console.
 *
 * The window belongs to one consultation (video.room). When that ends —
 * the clerk ends or transfers it, klopfd closes it, or it is gone after a
 * reconnect — the window is ended. When the window ends by itself, the
 * consultation stays open: exit 0 (q in the window) is "closed", anything
 * else "died", and v opens it again.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "state.h"
#include "state_int.h"

void
state_video_mode(struct con_state *st, enum con_video_mode mode)
{
	st->video.mode = mode;
}

/* Asks for the window of the open consultation: first klopfd for a
 * media token for its room (state_video_token), then the shell starts
 * the window with it. */
static void
want(struct con_state *st)
{
	json_t *m;

	state_wipe(st->video.token, sizeof(st->video.token));
	st->video.room = st->room.id;
	st->video.phase = CON_VIDEO_WANTED;
	st->video.start = false;
	m = proto_new("media_token", NULL);
	json_object_set_new(m, "room", json_integer((json_int_t)st->room.id));
	if (!state_send_request(st, m, CON_REQ_MEDIA_TOKEN, st->room.id,
	    st->room.office, NULL))
		st->video.phase = CON_VIDEO_NONE;
}

void
state_video_admitted(struct con_state *st)
{
	if (st->video.mode == CON_VIDEO_AUTO && st->has_room)
		want(st);
}

void
state_video_open(struct con_state *st)
{
	if (st->video.mode == CON_VIDEO_OFF) {
		state_set_status(st, CON_ERROR, "Das Video ist ausgeschaltet "
		    "(video = \"off\" in klopf.conf).");
		return;
	}
	if (!st->has_room) {
		state_set_status(st, CON_ERROR, "Kein Gespräch offen.");
		return;
	}
	if (!state_need_online(st))
		return;
	if (st->video.room == st->room.id &&
	    (st->video.phase == CON_VIDEO_WANTED ||
	    st->video.phase == CON_VIDEO_RUNNING)) {
		state_set_status(st, CON_INFO, "Das Videofenster ist schon "
		    "offen.");
		return;
	}
	want(st);
	state_set_status(st, CON_INFO, "Videofenster wird geöffnet …");
}

void
state_video_sync(struct con_state *st)
{
	struct con_video_state *v = &st->video;
	bool same = st->has_room && st->room.id == v->room;

	/* the media token's request was lost with the connection */
	if (v->phase == CON_VIDEO_WANTED && !v->start &&
	    !state_pending_has(st, CON_REQ_MEDIA_TOKEN)) {
		v->phase = CON_VIDEO_NONE;
		if (same)
			return;
	}
	if (same)
		return;
	switch (v->phase) {
	case CON_VIDEO_WANTED:
		/* not started yet: it need not be */
		v->start = false;
		state_wipe(v->token, sizeof(v->token));
		v->phase = CON_VIDEO_NONE;
		v->room = 0;
		break;
	case CON_VIDEO_RUNNING:
		v->phase = CON_VIDEO_STOPPING;
		v->stop = true;
		break;
	case CON_VIDEO_STOPPING:
		break;          /* its end is reported, then it is closed */
	case CON_VIDEO_NONE:
	case CON_VIDEO_CLOSED:
	case CON_VIDEO_DIED:
		/* a new consultation starts without a window */
		v->phase = CON_VIDEO_NONE;
		v->room = 0;
		break;
	}
}

void
state_video_token(struct con_state *st, const struct con_pending *p,
    const struct proto_msg *m, const char *code)
{
	struct con_video_state *v = &st->video;
	const char *token = code == NULL ? proto_str(m, "token") : NULL;

	/* an answer for a window no longer wanted */
	if (v->phase != CON_VIDEO_WANTED || v->room != p->ticket ||
	    !st->has_room || st->room.id != p->ticket)
		return;
	if (code == NULL && (token == NULL || token[0] == '\0' ||
	    strlen(token) >= sizeof(v->token)))
		code = "bad_message";
	if (code != NULL) {
		v->phase = CON_VIDEO_DIED;
		state_set_status(st, CON_ERROR, "Das Videofenster lässt sich "
		    "nicht öffnen: %s v versucht es noch einmal.",
		    state_error_text(code));
		return;
	}
	memcpy(v->token, token, strlen(token) + 1);
	v->start = true;
}

int
state_video_secret(const struct con_state *st, const char *server,
    const char *ca_file, char *out, size_t outlen)
{
	const struct con_office *o = state_office(st, st->room.office);
	json_t *j, *cred;
	char opened[32];
	size_t n;

	/* the media token, never the session: that could do far more */
	if (!st->video.start || !st->has_room ||
	    st->room.id != st->video.room || st->video.token[0] == '\0')
		return -1;
	j = json_object();
	json_object_set_new(j, "server", json_string(server));
	json_object_set_new(j, "room", json_integer((json_int_t)st->room.id));
	cred = json_string(st->video.token);
	json_object_set(j, "token", cred);
	json_object_set_new(j, "office", json_string(o != NULL ? o->name :
	    st->room.office));
	if (st->room.opened_at > 0) {
		time_t t = (time_t)st->room.opened_at;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(opened, sizeof(opened), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(j, "opened_at", json_string(opened));
	}
	if (ca_file != NULL && ca_file[0] != '\0')
		json_object_set_new(j, "ca_file", json_string(ca_file));
	n = json_dumpb(j, out, outlen, JSON_COMPACT);
	/* jansson keeps its own copy of the credential: wipe it */
	state_wipe((char *)json_string_value(cred), json_string_length(cred));
	json_decref(cred);
	json_decref(j);
	if (n == 0 || n >= outlen) {
		state_wipe(out, outlen);
		return -1;
	}
	out[n] = '\0';
	return (int)n;
}

void
state_video_started(struct con_state *st, const char *err)
{
	struct con_video_state *v = &st->video;

	v->start = false;
	state_wipe(v->token, sizeof(v->token));
	if (v->phase != CON_VIDEO_WANTED)
		return;
	if (err == NULL) {
		v->phase = CON_VIDEO_RUNNING;
		return;
	}
	v->phase = CON_VIDEO_DIED;
	state_set_status(st, CON_ERROR, "Das Videofenster lässt sich nicht "
	    "öffnen: %s. v versucht es noch einmal.", err);
}

void
state_video_exited(struct con_state *st, int64_t room, int code, int sig)
{
	struct con_video_state *v = &st->video;
	char why[64];

	if (room != v->room)
		return;
	if (v->phase == CON_VIDEO_STOPPING) {
		v->phase = CON_VIDEO_CLOSED;
		if (!st->has_room && st->status_level != CON_ERROR)
			state_set_status(st, CON_INFO, "Gespräch beendet, "
			    "Videofenster geschlossen.");
		state_video_sync(st);
		return;
	}
	if (v->phase != CON_VIDEO_RUNNING)
		return;
	if (code == 0 && sig == 0) {
		v->phase = CON_VIDEO_CLOSED;
		if (st->has_room && st->room.id == room)
			state_set_status(st, CON_INFO, "Videofenster geschlossen "
			    "– das Gespräch läuft weiter. v öffnet es neu.");
		return;
	}
	v->phase = CON_VIDEO_DIED;
	if (sig != 0) {
		const char *abbrev = sigabbrev_np(sig);

		snprintf(why, sizeof(why), "Signal %d%s%s%s", sig,
		    abbrev ? " (SIG" : "", abbrev ? abbrev : "",
		    abbrev ? ")" : "");
	} else {
		snprintf(why, sizeof(why), "Exit-Code %d", code);
	}
	state_set_status(st, CON_ERROR, "Das Videofenster wurde unerwartet "
	    "beendet (%s). v öffnet es neu.", why);
}

const char *
state_video_label(const struct con_state *st)
{
	const struct con_video_state *v = &st->video;

	if (v->phase == CON_VIDEO_STOPPING)
		return "Video: wird geschlossen …";
	if (v->mode == CON_VIDEO_OFF || !st->has_room)
		return NULL;
	if (v->room != st->room.id)
		return "Video: geschlossen";
	switch (v->phase) {
	case CON_VIDEO_WANTED:
		return "Video: startet …";
	case CON_VIDEO_RUNNING:
		return "Video: läuft";
	case CON_VIDEO_STOPPING:
	case CON_VIDEO_NONE:
	case CON_VIDEO_CLOSED:
	case CON_VIDEO_DIED:
		break;
	}
	return "Video: geschlossen";
}
