/*
 * media_load: the load client of the media benchmark (bench/media).
 *
 * One GLib main loop per process for many rooms: for each room a clerk
 * and a citizen WebSocket connection to klopfd (login, knock, admit), then
 * for each of the two participants a publish and a subscribe
 * PeerConnection made of klopfd's own peer.c (full controlling ICE agent,
 * DTLS client, SRTP), synthetic Opus and VP8 at about 1 Mbit/s, and
 * per-stream accounting of what the other participant receives.
 * bench/media runs one such process per 50 rooms.
 *
 * Five parts: media_load.c (rooms, signaling, the phases of a run and the
 * result line), media_load_rtp.c (the packets: pacing, RTCP, receive
 * accounting), media_load_sdp.c (the Chromium-like publish offer and the
 * recvonly subscribe answer), media_load_ws.c (a small WebSocket client
 * on libwebsockets with the GLib event library) and media_load_stats.c
 * (klopfd's and our own counters at the edges of the window).
 *
 * Never part of klopfd: it may allocate and log as it likes during setup,
 * but the packet path (pacing, receive accounting) allocates nothing.
 */
#ifndef KLOPF_MEDIA_LOAD_H
#define KLOPF_MEDIA_LOAD_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls.h"
#include "sdp.h"

/* --- rooms and participants (media_load.c) ------------------------------- */

struct ml_ws;

struct ml_part;

struct ml_stream {
	struct ml_part *owner;
	bool video;
	uint32_t ssrc, rtx_ssrc;
	uint16_t seq;
	uint32_t ts;
	uint32_t ctr;                   /* packets made so far */
	int64_t next_us;                /* next frame due */
	uint16_t picture_id;
	uint32_t frames;
	bool want_key;
	uint64_t sent, octets, send_failed;
	uint64_t win_sent;              /* sent while measuring */
	uint32_t win_c0, win_c1;        /* counters of the window */
	/* what the other participant received of it */
	uint64_t rx, rx_win;
	bool rx_started;
	uint16_t rx_last_seq;
	uint64_t rx_gaps, rx_reordered;
};

struct ml_room;

struct ml_part {
	struct ml_room *room;
	bool clerk;
	struct ml_ws *ws;
	bool admitted;                  /* knows the room id */
	bool media_started, answered;
	struct peer *pub, *sub;
	bool sub_remote;
	uint64_t sub_version;
	uint32_t rtcp_ssrc;             /* our SSRC in subscribe-leg RTCP */
	uint8_t pt[2];                  /* opus, VP8 as answered */
	uint8_t ext_mid, ext_abs;
	char mid[2][SDP_MID_MAX + 1];
	char cname[32];
	struct ml_stream st[2];         /* audio, video */
	bool sending;
	uint64_t pli_rx, rx_foreign;
};

struct ml_room {
	int idx;
	char clerk_name[48];
	char office[16];
	uint64_t ticket, room_id;
	bool started;                   /* signaling began */
	bool media;                     /* publish and subscribe sent */
	bool failed, done;              /* done: ready or failed */
	bool measured;                  /* ready when the window began */
	struct ml_part clerk, citizen;
};


/* --- media (media_load_rtp.c) -------------------------------------------- */

#define ML_PACE_MS 2                    /* ml_rtp_pace() period */
#define ML_STALL_US 10000               /* a pace this late is a stall */
#define ML_E2E_BUCKET_US 10
#define ML_E2E_BUCKETS 20000            /* 10 µs ... 200 ms, then above */

enum ml_window {
	ML_WIN_BEFORE = 0,              /* setup and warm-up */
	ML_WIN_OPEN,                    /* measuring */
	ML_WIN_CLOSED,                  /* draining: late packets of the window */
};

struct ml_traffic {
	bool video_on;                  /* full media from the warm-up on;
	                                   before, 5 audio packets/s */
	enum ml_window window;
	uint64_t stalls;                /* late paces while measuring */
	uint32_t e2e[ML_E2E_BUCKETS + 1];
	uint64_t e2e_n;
};
extern struct ml_traffic ml_traffic;

/* Sends what is due of every sending participant's streams at now. */
void ml_rtp_pace(struct ml_room *rooms, int n, int64_t now);
/* The participant's publish transport is up: start its streams. */
void ml_rtp_start(struct ml_part *p, int64_t now);
/* Sender and receiver reports of every connected transport. */
void ml_rtp_reports(struct ml_room *rooms, int n);
/* peer callbacks of the publish (ud: the part) and subscribe legs */
void ml_rtp_pub_rtp(void *ud, uint8_t *buf, size_t len);
void ml_rtp_pub_rtcp(void *ud, uint8_t *buf, size_t len);
void ml_rtp_sub_rtp(void *ud, uint8_t *buf, size_t len);
void ml_rtp_sub_rtcp(void *ud, uint8_t *buf, size_t len);
/* End-to-end delay quantile of the window in ms, NAN if none; *above
 * (and 200 ms) if it lies beyond the histogram. */
double ml_rtp_e2e_quantile(double q, bool *above);

/* --- WebSocket client (media_load_ws.c) ---------------------------------- */

struct ml_ws_handlers {
	void (*opened)(void *ud);
	/* one whole text message, parsed; borrowed for the call */
	void (*message)(void *ud, json_t *msg);
	/* the connection is gone (or never came); the handle is freed
	 * after this returns */
	void (*closed)(void *ud, const char *why);
};

/* One lws context on loop's GLib main context. 0 or -1 (message
 * printed). */
int ml_ws_init(GMainLoop *loop);
void ml_ws_fini(void);
/* Connects to ws://addr:port/ws with the subprotocol klopf.v1. NULL if
 * lws refused at once. */
struct ml_ws *ml_ws_connect(const char *addr, int port,
    const struct ml_ws_handlers *h, void *ud);
/* Queues msg (a JSON object; the caller keeps its reference). 0, or -1
 * when the connection is not open. */
int ml_ws_send(struct ml_ws *w, json_t *msg);
/* Closes without telling the handlers any more. NULL: no-op. */
void ml_ws_close(struct ml_ws *w);

/* --- SDP (media_load_sdp.c) ---------------------------------------------- */

/* What one publish offer announces. */
struct ml_offer_params {
	const char *ufrag, *pwd;
	const char *fingerprint;        /* "sha-256 AB:..." */
	const char *candidate;          /* "candidate:..." or NULL */
	uint32_t audio_ssrc, video_ssrc, rtx_ssrc;
	const char *cname;
	const char *stream_id;          /* msid stream */
	uint64_t session_id;
};

/* Writes a Chromium 156-like publish offer (BUNDLE 0 1, opus and VP8 with
 * rtx among Chromium's other codecs, rtcp-mux, rtcp-rsize, extmaps with
 * Chromium's ids, a=ssrc with cname and msid, setup:actpass, sendonly).
 * Returns the length, or -1 if size is too small. */
int ml_sdp_publish_offer(const struct ml_offer_params *p, char *buf,
    size_t size);

/* Writes the recvonly answer of a subscribe offer (parsed): every active
 * m= line accepts its one codec and its rtx, setup:active, our ICE
 * credentials and fingerprint; m= lines with port 0 stay rejected.
 * Returns the length, or -1. */
int ml_sdp_subscribe_answer(const struct sdp *offer, const char *ufrag,
    const char *pwd, const char *fingerprint, const char *candidate,
    uint64_t session_id, char *buf, size_t size);

/* Adds every UDP host candidate of s to add(ud, "candidate:...").
 * Returns how many. */
int ml_sdp_each_candidate(const struct sdp *s,
    int (*add)(void *ud, const char *line), void *ud);

/* --- measurements (media_load_stats.c) ----------------------------------- */

#define ML_MAX_HIST 20

/* A histogram of klopfd's /metrics. */
struct ml_hist {
	int n;
	double le[ML_MAX_HIST];         /* upper bounds, s; INFINITY for +Inf */
	double cum[ML_MAX_HIST];        /* cumulative counts */
};

#define ML_MAX_KTHREADS 512

/* Counters at one moment; NAN (or 0 with metrics false) where unknown. */
struct ml_snapshot {
	int64_t t_us;                   /* g_get_monotonic_time() */
	double klopfd_cpu_s, client_cpu_s;     /* user + system */
	double klopfd_wait_s, client_wait_s;   /* runnable, without a CPU */
	double netns_drops, client_drops;      /* UDP receive-buffer drops */
	bool metrics;                   /* klopfd's media counters were there */
	double rtp_in, rtp_fwd, rtp_drop;
	struct ml_hist fwd;             /* receive -> send */
	struct ml_hist arr;             /* arrival at the socket -> send */
	double delay_count;
	/* kernel threads (PF_KTHREAD), user + system: they take a CPU from
	 * whatever runs there, klopfd included */
	int nkthreads;
	struct ml_kthread {
		int pid;
		char comm[16];
		double cpu_s;
	} kthreads[ML_MAX_KTHREADS];
};

/* Takes a snapshot of klopfd (klopfd_pid; 0: none) and of this process;
 * GETs http://127.0.0.1:metrics_port/metrics (0: none). Blocks for a few
 * milliseconds. */
void ml_snapshot_take(struct ml_snapshot *s, int klopfd_pid,
    int metrics_port);
/* The CPU seconds kernel threads used between snapshots a and b, and
 * which of them used most (*top, *top_s). */
double ml_kthread_cpu(const struct ml_snapshot *a,
    const struct ml_snapshot *b, const char **top, double *top_s);
/* Only the UDP receive drops: in the network namespace (klopfd and all
 * load clients) and at this process's own sockets. */
void ml_udp_drops(double *netns, double *client);
/* The q-quantile (0..1) of a histogram between snapshots a and b in
 * milliseconds, interpolated linearly inside its bucket. If it lies in
 * the +Inf bucket, *above is set and the last finite bound returned. NAN
 * without observations. */
double ml_hist_quantile(const struct ml_hist *a, const struct ml_hist *b,
    double q, bool *above);
/* A "kB" line of /proc/PID/status (VmHWM, VmRSS), or NAN. */
double ml_proc_status_kb(int pid, const char *key);

#endif
