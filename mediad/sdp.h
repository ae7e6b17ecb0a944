/*
 * sdp: Session Description Protocol as klopfd's media plane needs it.
 *
 * Two halves. sdp_parse() reads an offer or answer from Chromium or
 * GStreamer's webrtcbin into a struct sdp of fixed-size arrays (the
 * maxima below); sdp_answer_publish() and sdp_offer_subscribe() write
 * klopfd's own SDP into a buffer the caller provides.
 *
 * Owns nothing beyond the structs it fills. Pure: no I/O, no allocation,
 * no clock, no randomness (session ids, ICE credentials and fingerprints
 * come from the caller). Input is hostile: every read is bounded by the
 * length given, and every malformed or out-of-range value is refused with
 * "sdp:LINE: what is wrong" in a struct sdp_error.
 *
 * Policy (see also the comments at each maximum):
 *  - unknown lines and attributes are ignored; unknown rtcp-fb types are
 *    ignored; known attributes are checked strictly;
 *  - exceeding a maximum is an error, except for remote candidates: klopfd
 *    is ICE-lite and never needs them, so those past SDP_MAX_CAND per
 *    m-section are dropped and counted (struct sdp_media.cands_dropped);
 *  - m-level ice-ufrag/ice-pwd/fingerprint/setup/direction override
 *    session-level ones; after parsing every m-section holds the
 *    effective values, so callers never look at both levels;
 *  - an a=extmap at session level is ignored (no browser writes one).
 */
#ifndef KLOPF_SDP_H
#define KLOPF_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_INPUT 65536     /* bytes of SDP text, without a final NUL */
#define SDP_MAX_LINE 4096       /* bytes per line, without CRLF */
#define SDP_MAX_MEDIA 16        /* m= sections */
#define SDP_MAX_PT 32           /* payload types per m= section */
#define SDP_MAX_EXTMAP 16       /* a=extmap per m= section (Chromium: 11) */
#define SDP_MAX_CAND 8          /* candidates kept per m= section */
#define SDP_MAX_SSRC 16         /* distinct SSRCs per m= section */
#define SDP_MAX_SSRC_GROUP 8    /* a=ssrc-group per m= section */
#define SDP_MAX_GROUP_SSRC 8    /* SSRCs in one a=ssrc-group */

#define SDP_MID_MAX 32          /* string lengths, without the NUL */
#define SDP_ICE_MAX 256         /* RFC 8839: ufrag 4..256, pwd 22..256 */
#define SDP_NAME_MAX 32         /* encoding name, "opus" */
#define SDP_FMTP_MAX 256        /* a=fmtp parameters, raw */
#define SDP_URI_MAX 256         /* a=extmap URI */
#define SDP_ID_MAX 64           /* cname, msid stream id, msid track id */
#define SDP_ADDR_MAX 64         /* candidate address (IP or mDNS name) */
#define SDP_FOUNDATION_MAX 32
#define SDP_PROTO_MAX 31        /* "UDP/TLS/RTP/SAVPF" */
#define SDP_TOKEN_MAX 15        /* media type, group and msid semantics */
#define SDP_FP_MAX 64           /* digest bytes (SHA-512) */
#define SDP_SHA256_LEN 32

/* RTP header extension ids klopfd uses in its subscribe offers (the same
 * as Chromium's, so a Chromium publisher's packets need no renumbering). */
#define SDP_EXT_ID_ABS_SEND_TIME 2
#define SDP_EXT_ID_TWCC 3
#define SDP_EXT_ID_MID 4

#define SDP_URI_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define SDP_URI_ABS_SEND_TIME \
	"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define SDP_URI_TWCC \
	"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

enum sdp_kind {
	SDP_KIND_OTHER = 0,     /* "text", "message", ...: always rejected */
	SDP_KIND_AUDIO,
	SDP_KIND_VIDEO,
	SDP_KIND_APPLICATION,   /* data channels: always rejected */
};

enum sdp_dir {
	SDP_DIR_SENDRECV = 0,   /* the default when none is given */
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

enum sdp_setup {
	SDP_SETUP_NONE = 0,     /* no a=setup at either level */
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
	SDP_SETUP_HOLDCONN,
};

enum sdp_hash {
	SDP_HASH_NONE = 0,      /* no usable a=fingerprint */
	SDP_HASH_SHA1,
	SDP_HASH_SHA224,
	SDP_HASH_SHA256,
	SDP_HASH_SHA384,
	SDP_HASH_SHA512,
};

/* What an encoding name means, compared without regard to case. */
enum sdp_codec_id {
	SDP_CODEC_OTHER = 0,    /* unknown name, or no a=rtpmap */
	SDP_CODEC_OPUS,
	SDP_CODEC_VP8,
	SDP_CODEC_VP9,
	SDP_CODEC_H264,
	SDP_CODEC_AV1,
	SDP_CODEC_RTX,
	SDP_CODEC_RED,
	SDP_CODEC_ULPFEC,
	SDP_CODEC_CN,
	SDP_CODEC_TELEPHONE_EVENT,
};

/* a=rtcp-fb types klopfd knows, as bits; others are ignored. */
#define SDP_FB_NACK 0x01u         /* "nack" */
#define SDP_FB_PLI 0x02u          /* "nack pli" */
#define SDP_FB_FIR 0x04u          /* "ccm fir" */
#define SDP_FB_REMB 0x08u         /* "goog-remb" */
#define SDP_FB_TWCC 0x10u         /* "transport-cc" */

/* RTP header extensions klopfd knows, as bits (a mask in
 * sdp_offer_subscribe). */
#define SDP_EXT_OTHER 0x00u
#define SDP_EXT_MID 0x01u
#define SDP_EXT_ABS_SEND_TIME 0x02u
#define SDP_EXT_TWCC 0x04u

enum sdp_transport { SDP_TRANSPORT_UDP = 0, SDP_TRANSPORT_TCP };
enum sdp_cand_type {
	SDP_CAND_HOST = 0, SDP_CAND_SRFLX, SDP_CAND_PRFLX, SDP_CAND_RELAY,
};
enum sdp_tcptype {
	SDP_TCPTYPE_NONE = 0, SDP_TCPTYPE_ACTIVE, SDP_TCPTYPE_PASSIVE,
	SDP_TCPTYPE_SO,
};

struct sdp_error {
	int line;               /* 1-based line of the SDP text, 0 if none */
	char msg[256];          /* "sdp:12: bad a=rtpmap: ..." */
};

struct sdp_fingerprint {
	enum sdp_hash hash;     /* SDP_HASH_NONE: none given */
	uint8_t len;            /* bytes in digest */
	uint8_t digest[SDP_FP_MAX];
};

/* One payload type of an m= line; the order is the m= line's. */
struct sdp_codec {
	uint8_t pt;                     /* 0..127 */
	enum sdp_codec_id id;
	char name[SDP_NAME_MAX + 1];    /* as written: "opus", "OPUS"; "" if
	                                 * no a=rtpmap */
	uint32_t clock;                 /* Hz, 0 if no a=rtpmap */
	uint8_t channels;               /* 0 if not given */
	char fmtp[SDP_FMTP_MAX + 1];    /* raw a=fmtp parameters, "" if none */
	int apt;                        /* fmtp apt= (rtx), -1 if none */
	int packetization_mode;         /* fmtp (H264), -1 if none */
	int32_t profile_level_id;       /* fmtp (H264), 24 bits, -1 if none */
	unsigned fb;                    /* SDP_FB_* */
};

struct sdp_extmap {
	uint8_t id;                     /* 1..14, 16..255 */
	enum sdp_dir dir;
	unsigned ext;                   /* SDP_EXT_* (one bit or OTHER) */
	char uri[SDP_URI_MAX + 1];
};

/* What the a=ssrc lines say about one SSRC. */
struct sdp_ssrc {
	uint32_t ssrc;
	char cname[SDP_ID_MAX + 1];       /* "" if none */
	char msid_stream[SDP_ID_MAX + 1]; /* "" if no msid */
	char msid_track[SDP_ID_MAX + 1];
};

struct sdp_ssrc_group {
	char semantics[SDP_TOKEN_MAX + 1];      /* "FID", "SIM", "FEC-FR" */
	size_t nssrcs;
	uint32_t ssrcs[SDP_MAX_GROUP_SSRC];
};

struct sdp_candidate {
	char foundation[SDP_FOUNDATION_MAX + 1];
	uint16_t component;             /* 1 = RTP */
	enum sdp_transport transport;
	uint32_t priority;
	char addr[SDP_ADDR_MAX + 1];
	uint16_t port;
	enum sdp_cand_type type;
	enum sdp_tcptype tcptype;
};

struct sdp_media {
	int line;                       /* line number of the m= line */
	enum sdp_kind kind;
	char media[SDP_TOKEN_MAX + 1];  /* as written: "audio", "video", ... */
	uint16_t port;                  /* 0: rejected, or bundle-only */
	char proto[SDP_PROTO_MAX + 1];  /* "UDP/TLS/RTP/SAVPF" */
	bool rtp;                       /* proto carries RTP: codecs[] valid */
	char fmt0[SDP_MID_MAX + 1];     /* first format token as written */
	enum sdp_dir dir;
	char mid[SDP_MID_MAX + 1];      /* "" if none */
	char ice_ufrag[SDP_ICE_MAX + 1];        /* effective (m or session) */
	char ice_pwd[SDP_ICE_MAX + 1];
	struct sdp_fingerprint fp;
	enum sdp_setup setup;
	bool rtcp_mux, rtcp_mux_only, rtcp_rsize, bundle_only;
	bool end_of_candidates;
	size_t ncodecs;
	struct sdp_codec codecs[SDP_MAX_PT];
	size_t nextmaps;
	struct sdp_extmap extmaps[SDP_MAX_EXTMAP];
	size_t nssrcs;
	struct sdp_ssrc ssrcs[SDP_MAX_SSRC];
	size_t ngroups;
	struct sdp_ssrc_group groups[SDP_MAX_SSRC_GROUP];
	char msid_stream[SDP_ID_MAX + 1];       /* a=msid, "" if none */
	char msid_track[SDP_ID_MAX + 1];
	size_t ncands;
	struct sdp_candidate cands[SDP_MAX_CAND];
	size_t cands_dropped;           /* candidates past SDP_MAX_CAND */
};

/* A parsed SDP: about 300 KiB, so keep it in the heap or in a static,
 * not on the stack of a deep call. The session-level fields are what the
 * session level said; struct sdp_media has the effective values. */
struct sdp {
	char ice_ufrag[SDP_ICE_MAX + 1];
	char ice_pwd[SDP_ICE_MAX + 1];
	struct sdp_fingerprint fp;
	enum sdp_setup setup;
	enum sdp_dir dir;
	bool ice_lite;
	bool extmap_allow_mixed;
	bool has_bundle;                /* an a=group:BUNDLE line, maybe empty */
	size_t nbundle;
	char bundle[SDP_MAX_MEDIA][SDP_MID_MAX + 1];   /* in the given order */
	char msid_semantic[SDP_TOKEN_MAX + 1];          /* "WMS", "" if none */
	size_t nmedia;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/* klopfd's side of one PeerConnection, for the generators. */
struct sdp_local {
	uint64_t session_id;            /* o= line; fixed for the PC's life */
	uint64_t session_version;       /* o= line; +1 for every new offer */
	char ice_ufrag[SDP_ICE_MAX + 1];
	char ice_pwd[SDP_ICE_MAX + 1];
	uint8_t fingerprint[SDP_SHA256_LEN];    /* of klopfd's certificate */
	size_t ncands;
	/* Written as given; an empty foundation becomes the index + 1, a
	 * component 0 becomes 1; TCP candidates get "tcptype passive". */
	struct sdp_candidate cands[SDP_MAX_CAND];
	/* A publish answer's accepted video m= lines say b=AS:video_kbps
	 * (RFC 4566: the most the publisher should send); 0 leaves it out.
	 * Browsers also follow klopfd's REMB; webrtcbin only this. */
	uint32_t video_kbps;
};

/* One m= line of a subscribe offer: one forwarded track. */
struct sdp_track {
	enum sdp_kind kind;             /* SDP_KIND_AUDIO or _VIDEO */
	char mid[SDP_MID_MAX + 1];      /* klopfd's choice, never reused */
	bool active;                    /* false: the track left; the m= line
	                                 * stays with port 0, inactive */
	struct sdp_codec codec;         /* the publisher's negotiated codec:
	                                 * pt, name, clock, channels, fmtp, fb */
	bool has_rtx;
	uint8_t rtx_pt;
	uint32_t ssrc;                  /* what klopfd sends with; stable */
	uint32_t rtx_ssrc;
	char cname[SDP_ID_MAX + 1];
	char msid_stream[SDP_ID_MAX + 1];
	char msid_track[SDP_ID_MAX + 1];
};

/* Flags of sdp_answer_publish(). */
#define SDP_ANSWER_H264 0x01u   /* accept H264 packetization-mode=1 */
/* leave out transport-cc (extmap and rtcp-fb): klopfd sends REMB and no
 * transport-wide feedback, so the publisher must use REMB */
#define SDP_ANSWER_NO_TWCC 0x02u

/*
 * Parses len bytes of text (need not be NUL-terminated; CRLF or LF).
 * Fills *out and returns 0, or returns -1 with *err set and *out
 * unspecified. Only out->media[0 .. nmedia-1] are written: the slots
 * past nmedia keep what they held.
 */
int sdp_parse(const char *text, size_t len, struct sdp *out,
    struct sdp_error *err);

/*
 * Writes klopfd's answer to a publish offer into buf (NUL-terminated):
 * ice-lite, a=setup:passive, klopfd's credentials, fingerprint and
 * candidates in every m= section, each offered mid kept in place. An
 * accepted audio/video m= line gets exactly one codec, the first the
 * offerer lists of opus/48000/2, VP8/90000 and (with SDP_ANSWER_H264)
 * H264/90000 packetization-mode=1, plus its rtx, with the offerer's PT
 * numbers, fmtp and known rtcp-fb, and of the offered extmaps only mid,
 * abs-send-time and transport-cc with the offerer's ids; recvonly if the
 * offer sends, else inactive. Rejected (port 0, inactive, mid kept):
 * data channels, other media, m= lines outside the BUNDLE group, without
 * rtcp-mux, not UDP/TLS/RTP/SAVPF, or with no common codec. Accepted
 * video lines carry b=AS:local->video_kbps when it is not 0.
 * Refuses (returns -1) an offer without a BUNDLE group, with an m= line
 * without a=mid, an accepted one without ICE credentials or fingerprint,
 * with a=setup:passive, or from an ICE-lite peer. Parse the result with
 * sdp_parse() to learn what was chosen.
 * Returns the length written (without the NUL), or -1 with *err set.
 */
int sdp_answer_publish(const struct sdp *offer, const struct sdp_local *local,
    unsigned flags, char *buf, size_t size, struct sdp_error *err);

/*
 * Writes klopfd's subscribe offer with one m= section per track, in the
 * order given: sendonly with a=ssrc cname and msid (and rtx with
 * a=ssrc-group:FID), or port 0 and inactive for a track that left.
 * a=setup:actpass, ice-lite, rtcp-mux, rtcp-rsize; the header extensions
 * in ext (SDP_EXT_* bits) with the SDP_EXT_ID_* ids; BUNDLE group of the
 * active mids. Zero tracks is refused: a subscribe PeerConnection with
 * nothing to receive is simply not offered (browsers can do nothing with
 * an offer without m= lines). Returns the length or -1 with *err set.
 */
int sdp_offer_subscribe(const struct sdp_local *local,
    const struct sdp_track *tracks, size_t ntracks, unsigned ext,
    char *buf, size_t size, struct sdp_error *err);

/* Look-ups in a parsed SDP. Each returns a borrowed pointer into s or m,
 * or NULL (0 for sdp_ext_id) when there is none. */
const struct sdp_media *sdp_media_by_mid(const struct sdp *s,
    const char *mid);
bool sdp_in_bundle(const struct sdp *s, const char *mid);
const struct sdp_codec *sdp_codec_by_pt(const struct sdp_media *m,
    unsigned pt);
/* The first codec that is not rtx, red, ulpfec, CN or telephone-event: in
 * klopfd's own answers the one codec it accepted. */
const struct sdp_codec *sdp_codec_main(const struct sdp_media *m);
/* The rtx payload type that repairs pt (a=fmtp apt=pt). */
const struct sdp_codec *sdp_codec_rtx_for(const struct sdp_media *m,
    unsigned pt);
unsigned sdp_ext_id(const struct sdp_media *m, unsigned ext);
const struct sdp_ssrc *sdp_ssrc_find(const struct sdp_media *m,
    uint32_t ssrc);
/* The retransmission SSRC paired with ssrc by a=ssrc-group:FID. */
bool sdp_ssrc_fid(const struct sdp_media *m, uint32_t ssrc, uint32_t *rtx);

enum sdp_codec_id sdp_codec_id_of(const char *name);
const char *sdp_kind_name(enum sdp_kind kind);
const char *sdp_dir_name(enum sdp_dir dir);
const char *sdp_setup_name(enum sdp_setup setup);
const char *sdp_hash_name(enum sdp_hash hash);

#endif
