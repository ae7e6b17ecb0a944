/*
 * room: see room.h.
 */
#include "room.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

void
room_init(struct room_state *r, uint64_t id)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->next_pid = 1;
	r->next_serial = 1;
}

static struct room_member *
member(struct room_state *r, int idx)
{
	if (idx < 0 || idx >= ROOM_MAX_MEMBERS || !r->members[idx].used)
		return NULL;
	return &r->members[idx];
}

static const struct room_member *
cmember(const struct room_state *r, int idx)
{
	if (idx < 0 || idx >= ROOM_MAX_MEMBERS || !r->members[idx].used)
		return NULL;
	return &r->members[idx];
}

int
room_member_add(struct room_state *r, enum room_role role, const char *name,
    uint64_t conn)
{
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		struct room_member *m = &r->members[i];

		if (m->used)
			continue;
		memset(m, 0, sizeof(*m));
		m->used = true;
		m->pid = r->next_pid++;
		m->role = role;
		m->conn = conn;
		if (name != NULL)
			g_strlcpy(m->name, name, sizeof(m->name));
		return i;
	}
	return ROOM_FULL;
}

int
room_member_find(const struct room_state *r, uint64_t conn)
{
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++)
		if (r->members[i].used && r->members[i].conn == conn)
			return i;
	return -1;
}

int
room_member_by_pid(const struct room_state *r, unsigned pid)
{
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++)
		if (r->members[i].used && r->members[i].pid == pid)
			return i;
	return -1;
}

size_t
room_member_count(const struct room_state *r)
{
	size_t n = 0;

	for (int i = 0; i < ROOM_MAX_MEMBERS; i++)
		n += r->members[i].used;
	return n;
}

/* Every active line carrying a track of member pub goes inactive. */
static void
retire_lines(struct room_state *r, int pub)
{
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		struct room_member *s = &r->members[i];

		if (!s->used || i == pub)
			continue;
		for (size_t k = 0; k < s->nlines; k++) {
			struct room_line *l = &s->lines[k];

			if (l->active && l->pub == pub) {
				l->active = false;
				l->pub = -1;
				l->track = -1;
				s->dirty = true;
			}
		}
	}
}

/* Gives subscriber sub a new m-line for track t of member pub. */
static int
add_line(struct room_state *r, int sub, int pub, int t)
{
	struct room_member *s = &r->members[sub];
	struct room_member *p = &r->members[pub];
	struct room_line *l;

	if (s->nlines >= ROOM_MAX_LINES)
		return ROOM_LINES_FULL;
	l = &s->lines[s->nlines++];
	memset(l, 0, sizeof(*l));
	snprintf(l->mid, sizeof(l->mid), "%c%u",
	    p->tracks[t].kind == SDP_KIND_AUDIO ? 'a' : 'v', s->next_mid++);
	l->active = true;
	l->pub_pid = p->pid;
	l->track_serial = p->tracks[t].serial;
	l->pub = pub;
	l->track = t;
	l->kind = p->tracks[t].kind;
	l->codec = p->tracks[t].codec;
	s->dirty = true;
	return ROOM_OK;
}

int
room_member_remove(struct room_state *r, int idx)
{
	struct room_member *m = member(r, idx);

	if (m == NULL)
		return ROOM_NO_MEMBER;
	retire_lines(r, idx);
	memset(m, 0, sizeof(*m));
	return ROOM_OK;
}

static bool
ssrc_taken(const struct room_state *r, int except, uint32_t ssrc)
{
	if (ssrc == 0)
		return false;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		const struct room_member *m = &r->members[i];

		if (!m->used || i == except || !m->publishing)
			continue;
		for (int t = 0; t < 2; t++)
			if (m->tracks[t].used && (m->tracks[t].ssrc == ssrc ||
			    m->tracks[t].rtx_ssrc == ssrc))
				return true;
	}
	return false;
}

/* Reads one accepted m-line into a track; ROOM_NO_SSRC if the offer does
 * not say which SSRC it sends with. */
static int
read_track(const struct sdp_media *am, const struct sdp_media *om,
    struct room_track *t)
{
	const struct sdp_codec *c = sdp_codec_main(am);
	const struct sdp_codec *rtx;
	const struct sdp_ssrc *ss;

	memset(t, 0, sizeof(*t));
	if (c == NULL || om == NULL || om->nssrcs == 0)
		return ROOM_NO_SSRC;
	t->used = true;
	t->kind = am->kind;
	t->codec = *c;
	/* feedback the subscriber legs do not negotiate */
	t->codec.fb &= ~(unsigned)SDP_FB_TWCC;
	rtx = sdp_codec_rtx_for(am, c->pt);
	if (rtx != NULL) {
		t->has_rtx = true;
		t->rtx_pt = rtx->pt;
	}
	/* the primary SSRC: the first one that is not the rtx of another */
	ss = &om->ssrcs[0];
	for (size_t i = 0; i < om->ngroups; i++)
		if (strcmp(om->groups[i].semantics, "FID") == 0 &&
		    om->groups[i].nssrcs == 2) {
			ss = sdp_ssrc_find(om, om->groups[i].ssrcs[0]);
			if (ss == NULL)
				return ROOM_NO_SSRC;
			if (t->has_rtx)
				t->rtx_ssrc = om->groups[i].ssrcs[1];
			break;
		}
	t->ssrc = ss->ssrc;
	if (t->ssrc == 0)
		return ROOM_NO_SSRC;
	g_strlcpy(t->cname, ss->cname, sizeof(t->cname));
	if (!t->has_rtx)
		t->rtx_ssrc = 0;
	return ROOM_OK;
}

int
room_publish(struct room_state *r, int idx, const struct sdp *offer,
    const struct sdp *answer)
{
	struct room_member *m = member(r, idx);
	struct room_track nt[2];
	int n = 0, rc;

	if (m == NULL)
		return ROOM_NO_MEMBER;
	memset(nt, 0, sizeof(nt));
	for (size_t i = 0; i < answer->nmedia && n < 2; i++) {
		const struct sdp_media *am = &answer->media[i];
		bool have = false;

		if (am->port == 0 || am->dir != SDP_DIR_RECVONLY ||
		    (am->kind != SDP_KIND_AUDIO && am->kind != SDP_KIND_VIDEO))
			continue;
		for (int k = 0; k < n; k++)
			have |= nt[k].kind == am->kind;
		if (have)       /* one track per kind */
			continue;
		rc = read_track(am, sdp_media_by_mid(offer, am->mid), &nt[n]);
		if (rc != ROOM_OK)
			return rc;
		if (ssrc_taken(r, idx, nt[n].ssrc) ||
		    ssrc_taken(r, idx, nt[n].rtx_ssrc) ||
		    (n == 1 && (nt[1].ssrc == nt[0].ssrc ||
		    (nt[1].rtx_ssrc != 0 && nt[1].rtx_ssrc == nt[0].rtx_ssrc))))
			return ROOM_SSRC_TAKEN;
		n++;
	}
	if (n == 0)
		return ROOM_NO_TRACK;
	retire_lines(r, idx);
	for (int k = 0; k < 2; k++) {
		m->tracks[k] = nt[k];
		if (nt[k].used)
			m->tracks[k].serial = r->next_serial++;
	}
	m->publishing = true;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		if (i == idx || !r->members[i].used ||
		    !r->members[i].subscribed)
			continue;
		for (int k = 0; k < n; k++)
			(void)add_line(r, i, idx, k);
	}
	return ROOM_OK;
}

int
room_subscribe(struct room_state *r, int idx)
{
	struct room_member *m = member(r, idx);
	int rc = ROOM_OK;

	if (m == NULL)
		return ROOM_NO_MEMBER;
	if (m->subscribed)
		return ROOM_OK;
	m->subscribed = true;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		const struct room_member *p = &r->members[i];

		if (i == idx || !p->used || !p->publishing)
			continue;
		for (int k = 0; k < 2; k++)
			if (p->tracks[k].used && add_line(r, idx, i, k) != ROOM_OK)
				rc = ROOM_LINES_FULL;
	}
	return rc;
}

int
room_offer(struct room_state *r, int idx, struct sdp_track *tracks, size_t max,
    uint64_t *version)
{
	struct room_member *m = member(r, idx);
	size_t n = 0;

	if (m == NULL)
		return ROOM_NO_MEMBER;
	if (!m->subscribed || !m->dirty || m->nlines == 0)
		return 0;
	for (size_t k = 0; k < m->nlines && n < max; k++, n++) {
		struct room_line *l = &m->lines[k];
		struct sdp_track *o = &tracks[n];

		if (l->offered == 0)
			l->offered = m->version + 1;    /* this offer's */

		memset(o, 0, sizeof(*o));
		g_strlcpy(o->mid, l->mid, sizeof(o->mid));
		o->active = l->active;
		o->kind = l->kind;
		o->codec = l->codec;
		if (l->active) {
			const struct room_track *t =
			    &r->members[l->pub].tracks[l->track];

			o->kind = t->kind;
			o->codec = t->codec;
			o->has_rtx = t->has_rtx;
			o->rtx_pt = t->rtx_pt;
			o->ssrc = t->ssrc;
			o->rtx_ssrc = t->rtx_ssrc;
			g_strlcpy(o->cname, t->cname[0] ? t->cname : "klopf",
			    sizeof(o->cname));
		}
		snprintf(o->msid_stream, sizeof(o->msid_stream), "p%u",
		    l->pub_pid);
		snprintf(o->msid_track, sizeof(o->msid_track), "p%u-%s-%u",
		    l->pub_pid, o->kind == SDP_KIND_AUDIO ? "audio" : "video",
		    l->track_serial);
	}
	m->dirty = false;
	*version = ++m->version;
	return (int)n;
}

bool
room_answered(struct room_state *r, int idx, uint64_t v)
{
	struct room_member *m = member(r, idx);

	if (m == NULL || v != m->version || v == 0)
		return false;
	m->answered = v;
	return true;
}

int
room_track_of(const struct room_state *r, int idx, uint32_t ssrc, bool *rtx)
{
	const struct room_member *m = cmember(r, idx);

	if (m == NULL || !m->publishing)
		return -1;
	for (int t = 0; t < 2; t++) {
		if (!m->tracks[t].used)
			continue;
		if (m->tracks[t].ssrc == ssrc) {
			*rtx = false;
			return t;
		}
		if (m->tracks[t].rtx_ssrc != 0 &&
		    m->tracks[t].rtx_ssrc == ssrc) {
			*rtx = true;
			return t;
		}
	}
	return -1;
}

size_t
room_targets(const struct room_state *r, int idx, int track, int *out)
{
	size_t n = 0;

	if (cmember(r, idx) == NULL)
		return 0;
	for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
		const struct room_member *s = &r->members[i];

		if (i == idx || !s->used || !s->subscribed)
			continue;
		/* only once the subscriber answered an offer with the line:
		 * before, it cannot tell the stream's m-line (webrtcbin may
		 * then never show it) */
		for (size_t k = 0; k < s->nlines; k++)
			if (s->lines[k].active && s->lines[k].pub == idx &&
			    s->lines[k].track == track &&
			    s->lines[k].offered != 0 &&
			    s->answered >= s->lines[k].offered) {
				out[n++] = i;
				break;
			}
	}
	return n;
}

int
room_feedback_target(const struct room_state *r, int idx, uint32_t ssrc,
    int *track)
{
	const struct room_member *s = cmember(r, idx);

	if (s == NULL)
		return -1;
	for (size_t k = 0; k < s->nlines; k++) {
		const struct room_line *l = &s->lines[k];
		const struct room_track *t;

		if (!l->active)
			continue;
		t = &r->members[l->pub].tracks[l->track];
		if (t->ssrc == ssrc || (t->rtx_ssrc != 0 &&
		    t->rtx_ssrc == ssrc)) {
			*track = l->track;
			return l->pub;
		}
	}
	return -1;
}

bool
room_pli_allow(struct room_state *r, int pub, int track, int64_t now_ms)
{
	struct room_member *m = member(r, pub);
	struct room_track *t;

	if (m == NULL || track < 0 || track > 1 || !m->tracks[track].used)
		return false;
	t = &m->tracks[track];
	if (t->pli_sent && now_ms - t->last_pli_ms < ROOM_PLI_INTERVAL_MS)
		return false;
	t->pli_sent = true;
	t->last_pli_ms = now_ms;
	return true;
}

const char *
room_role_name(enum room_role role)
{
	switch (role) {
	case ROOM_CLERK:
		return "clerk";
	case ROOM_CITIZEN:
		return "citizen";
	case ROOM_GUEST:
		return "guest";
	}
	return "guest";
}

const char *
room_err_text(int err)
{
	switch (err) {
	case ROOM_OK:
		return "ok";
	case ROOM_FULL:
		return "The consultation has no room for another participant.";
	case ROOM_NO_MEMBER:
		return "You are not a participant of this consultation.";
	case ROOM_SSRC_TAKEN:
		return "The offer uses an SSRC another participant already "
		    "sends with.";
	case ROOM_NO_TRACK:
		return "The offer sends no audio or video klopfd can forward.";
	case ROOM_NO_SSRC:
		return "An offered audio or video section announces no SSRC "
		    "(a=ssrc).";
	case ROOM_LINES_FULL:
		return "The receiving connection has no media section left.";
	}
	return "unknown error";
}
