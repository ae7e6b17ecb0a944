/*
 * room: the media side of one consultation room, as pure decisions.
 *
 * Owns: who is in the room's media (members with a pid "p1", "p2", ...
 * never reused in the room), what each member publishes (at most one
 * audio and one video track, with the publisher's SSRCs and codec), and
 * each subscriber's m-lines in order (mid, active, which track it
 * carries). Decides which tracks a new subscriber gets, which m-lines go
 * inactive when a member leaves or republishes (never reused: new
 * tracks get new mids), whether a subscriber's offer is out of date,
 * where a packet of a publisher goes, where feedback for an SSRC goes,
 * and whether a keyframe request passes the rate limit.
 *
 * Never: does I/O, allocates, or reads a clock (time comes in as an
 * argument). The shell (media.c) owns the PeerConnections and does what
 * these decisions say. Nothing here can reach another room: every
 * question is asked of one struct room_state.
 */
#ifndef KLOPF_ROOM_H
#define KLOPF_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdp.h"

#define ROOM_MAX_MEMBERS 8
#define ROOM_MAX_LINES SDP_MAX_MEDIA    /* m-lines of one subscribe leg */
#define ROOM_NAME_MAX 64
#define ROOM_PLI_INTERVAL_MS 1000       /* keyframe requests per publisher */

enum room_role { ROOM_CLERK = 0, ROOM_CITIZEN, ROOM_GUEST };

enum room_err {
	ROOM_OK = 0,
	ROOM_FULL = -1,         /* no member slot left */
	ROOM_NO_MEMBER = -2,    /* index out of range or slot unused */
	ROOM_SSRC_TAKEN = -3,   /* another member publishes that SSRC */
	ROOM_NO_TRACK = -4,     /* the publish answer accepted nothing */
	ROOM_NO_SSRC = -5,      /* an accepted m-line announces no SSRC */
	ROOM_LINES_FULL = -6,   /* a subscriber's leg has no m-line left */
};

/* One published track. */
struct room_track {
	bool used;
	enum sdp_kind kind;             /* audio or video */
	uint32_t serial;                /* room-unique, names the msid track */
	uint32_t ssrc;
	uint32_t rtx_ssrc;              /* 0 if none */
	struct sdp_codec codec;         /* the one codec klopfd accepted */
	bool has_rtx;
	uint8_t rtx_pt;
	char cname[SDP_ID_MAX + 1];
	int64_t last_pli_ms;            /* last keyframe request passed on */
	bool pli_sent;                  /* last_pli_ms is valid */
};

/* One m-line of a subscribe leg. */
struct room_line {
	char mid[SDP_MID_MAX + 1];
	bool active;
	unsigned pub_pid;               /* the publisher of the track */
	uint32_t track_serial;
	int pub;                        /* member index while active, else -1 */
	int track;                      /* track index while active, else -1 */
	enum sdp_kind kind;
	struct sdp_codec codec;         /* kept for the inactive m-line */
	uint64_t offered;               /* first offer with it (0: none) */
};

struct room_member {
	bool used;
	unsigned pid;                   /* 1, 2, ... */
	enum room_role role;
	char name[ROOM_NAME_MAX + 1];   /* "" if none (anonymous office) */
	uint64_t conn;                  /* the shell's handle for the member */
	bool publishing;
	struct room_track tracks[2];
	bool subscribed;
	size_t nlines;
	struct room_line lines[ROOM_MAX_LINES];
	unsigned next_mid;
	uint64_t version;               /* newest offer made (0: none yet) */
	uint64_t answered;              /* version the client answered */
	bool dirty;                     /* lines changed since that offer */
};

struct room_state {
	uint64_t id;
	unsigned next_pid;
	uint32_t next_serial;
	struct room_member members[ROOM_MAX_MEMBERS];
};

void room_init(struct room_state *r, uint64_t id);

/* Adds a member; returns its index, or ROOM_FULL. name may be NULL. */
int room_member_add(struct room_state *r, enum room_role role, const char *name,
    uint64_t conn);
/* The member of conn, or -1. At most ROOM_MAX_MEMBERS to look at. */
int room_member_find(const struct room_state *r, uint64_t conn);
int room_member_by_pid(const struct room_state *r, unsigned pid);
/* Removes a member: its tracks' m-lines go inactive in every other leg
 * (marked dirty). Returns ROOM_OK or ROOM_NO_MEMBER. */
int room_member_remove(struct room_state *r, int idx);
size_t room_member_count(const struct room_state *r);

/*
 * The member publishes what klopfd's own answer (parsed) accepted of the
 * client's offer (parsed): every recvonly audio/video m-line becomes a
 * track with the offer's SSRCs (a=ssrc, rtx by a=ssrc-group:FID) and
 * cname. Replaces an earlier publish: old tracks' m-lines go inactive in
 * the other legs and the new tracks get new m-lines there (dirty). An
 * SSRC another member uses is refused (ROOM_SSRC_TAKEN) and nothing
 * changes.
 */
int room_publish(struct room_state *r, int idx, const struct sdp *offer,
    const struct sdp *answer);
/* The member wants to receive: its leg gets an m-line for every track of
 * the others. */
int room_subscribe(struct room_state *r, int idx);
/* The member stops publishing and receiving (hang-up without leaving
 * the member list is not a thing: leave removes the member). */

/*
 * If the subscriber's leg changed since its last offer, makes the next
 * offer: fills tracks[] (at most max) with its m-lines in order and
 * returns how many, bumping the version (*version). Returns 0 when there
 * is nothing new to offer (or no line at all), a negative room_err on a
 * bad index. pid_prefix names streams: msid "p<pid> p<pid>-<kind>-<serial>".
 */
int room_offer(struct room_state *r, int idx, struct sdp_track *tracks,
    size_t max, uint64_t *version);
/* The subscriber answered offer version v: true if it is the newest
 * (then it is recorded), false if it is out of date (ignore it). */
bool room_answered(struct room_state *r, int idx, uint64_t v);

/*
 * Forwarding: the publisher idx received a packet with ssrc. Returns the
 * track index (0 or 1) and whether it is the retransmission stream, or
 * -1 if the SSRC is not one the member published (drop it). Then
 * room_targets() lists the member indexes that receive that track (an
 * active m-line in their subscribed leg, in an offer they answered), at
 * most ROOM_MAX_MEMBERS - 1.
 */
int room_track_of(const struct room_state *r, int idx, uint32_t ssrc, bool *rtx);
size_t room_targets(const struct room_state *r, int idx, int track, int *out);

/*
 * Feedback from subscriber idx about media SSRC ssrc (PLI, FIR, NACK):
 * the publisher's member and track index, or -1 if the subscriber does
 * not receive that SSRC (feedback about another room's or a made-up
 * SSRC goes nowhere).
 */
int room_feedback_target(const struct room_state *r, int idx, uint32_t ssrc,
    int *track);
/* A keyframe request for the publisher's track at now_ms: true if at
 * least ROOM_PLI_INTERVAL_MS passed since the last one passed (then it
 * is recorded). */
bool room_pli_allow(struct room_state *r, int pub, int track, int64_t now_ms);

const char *room_role_name(enum room_role role);
const char *room_err_text(int err);

#endif
