/*
 * state: everything the console knows — the connection and login, the
 * clerk's offices with their status and queues, the selection and filter,
 * the open consultation, the agenda of appointments (view g), the prompt
 * being typed, the status line — and
 * every change to it: server messages (state_apply), actions chosen by
 * keys (state_do, state_prompt_*), the connection's ups and downs and the
 * passing of time (state_tick).
 *
 * Implemented in state.c (connection, server messages, queries),
 * action.c (actions, prompt), state_agenda.c (the agenda view's
 * actions, prompts and replies), state_video.c (whether the video
 * window should run; the shell's videoproc runs it) and state_invite.c
 * (i: a guest invitation, its link shown once).
 *
 * Functional core: no I/O, no clock (now is an argument, milliseconds of
 * the wall clock), no ncurses. What the shell must do is left in the
 * state as effects: requests in the outbox (state_outbox_pop), a bell,
 * "connect now", "quit now". Owns the queues' memory and the outbox.
 *
 * Secrets: the password lives in the prompt while typed and in
 * st->password only until the login request is built; the session token
 * only here. state_msg_free wipes a request's password before freeing it.
 */
#ifndef KLOPF_CONSOLE_STATE_H
#define KLOPF_CONSOLE_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agenda.h"
#include "proto.h"

#define CON_MAX_OFFICES 64
#define CON_MAX_DECLINE 16
#define CON_OFFICE_ID 33        /* 32 bytes + NUL */
#define CON_NAME 130            /* display names: 64 bytes + room to spare */
#define CON_TOPIC 260           /* topics: 200 bytes */
#define CON_MESSAGE 504         /* decline messages and notes: 500 bytes */
#define CON_PASSWORD 1025       /* protocol limit 1024 bytes */
#define CON_TOKEN 65
#define CON_LINK 400            /* an invitation link: web address + path */
#define CON_INVITE_TTL_S 900    /* how long a guest invitation is valid */
#define CON_OUTBOX 32
#define CON_PENDING 32
#define CON_NEW_MS 60000        /* a new knock is marked this long */
#define CON_QUIT_WAIT_MS 1500   /* how long quitting waits for logout */
#define CON_RETRY_MAX_MS 30000  /* longest pause between reconnects */
#define CON_AGENDA_DAYS 14      /* days the agenda shows, from today */
#define CON_AGENDA_PAGE 10      /* bookings per PgUp/PgDn */
#define CON_AGENDA_REFRESH_MS 60000     /* the open agenda is reloaded */

enum con_conn {
	CON_IDLE = 0,           /* not connected yet */
	CON_CONNECTING,         /* handshake under way */
	CON_AUTH,               /* connected, logging in */
	CON_ONLINE,             /* logged in */
	CON_LOST,               /* connection lost, retry at retry_at */
};

enum con_presence {
	CON_P_OFFLINE = 0,
	CON_P_AVAILABLE,
	CON_P_AWAY,
	CON_P_IN_CONSULTATION,
};

enum con_status {
	CON_S_UNKNOWN = 0,
	CON_S_OPEN,
	CON_S_BUSY,
	CON_S_CLOSED,
};

struct con_ticket {
	int64_t id;
	char name[CON_NAME];    /* "" = no name (anonymous) */
	char topic[CON_TOPIC];
	char lang[16];
	char note[CON_MESSAGE]; /* transfer note */
	int64_t transferred_from;       /* 0 = not transferred */
	int64_t priority;       /* > 0: an appointment whose slot began */
	int64_t appointment;    /* its slot's start (Unix s), 0 = walk-in */
	int64_t knocked_at;     /* seconds since the epoch, 0 = unknown */
	int64_t arrived_ms;     /* when this console saw it arrive (new knocks) */
	bool fresh;             /* arrived while the console watched */
};

struct con_office {
	char id[CON_OFFICE_ID];
	char name[CON_NAME];
	bool mine;              /* one of the clerk's offices */
	bool anonymous;
	bool appointments;      /* takes appointments */
	enum con_status status;
	int64_t queue_len;      /* from the office view */
	int64_t wait;           /* estimated seconds, -1 = unknown */
	enum con_presence presence;     /* the clerk's, at a mine office */
	bool have_queue;        /* a full "queue" arrived on this connection */
	struct con_ticket *tickets;     /* the queue in order */
	size_t ntickets;
	size_t cap;
	int64_t selected;       /* ticket id, 0 = none */
};

struct con_room {
	int64_t id;
	char office[CON_OFFICE_ID];
	int64_t ticket;
	int64_t opened_at;      /* seconds since the epoch */
	char name[CON_NAME];
	char topic[CON_TOPIC];
};

enum con_prompt {
	CON_PROMPT_NONE = 0,
	CON_PROMPT_PASSWORD,
	CON_PROMPT_DECLINE,             /* message, ready messages on ↑/↓ */
	CON_PROMPT_TRANSFER_OFFICE,     /* choose from a list */
	CON_PROMPT_TRANSFER_NOTE,
	CON_PROMPT_FILTER,
	CON_PROMPT_QUIT,                /* yes or no */
	CON_PROMPT_CANCEL_BOOKING,      /* the message to the citizen */
	CON_PROMPT_UNBLOCK,             /* yes or no */
	CON_PROMPT_BLOCK_OFFICE,        /* choose from a list */
	CON_PROMPT_BLOCK_TIME,          /* typed, or a free slot on ↑/↓ */
	CON_PROMPT_BLOCK_NOTE,
};

enum con_view {
	CON_VIEW_QUEUE = 0,     /* offices and queues */
	CON_VIEW_AGENDA,        /* the appointments */
};

struct con_prompt_state {
	enum con_prompt kind;
	char text[CON_PASSWORD];
	size_t len;
	int choice;             /* decline message or office index, -1 none */
	int64_t ticket;         /* the ticket (or booking) acted on */
	char ticket_office[CON_OFFICE_ID];
	int64_t when;           /* a booking's or the chosen slot's start */
	char who[CON_NAME];     /* its name for the prompt, "" = anonymous */
	char target[CON_OFFICE_ID];     /* transfer: the office chosen */
	char old_filter[128];   /* filter: restored by Esc */
};

enum con_req {
	CON_REQ_LOGIN = 1,
	CON_REQ_SESSION,
	CON_REQ_LOGOUT,
	CON_REQ_PRESENCE,
	CON_REQ_ADMIT,
	CON_REQ_DECLINE,
	CON_REQ_TRANSFER,
	CON_REQ_END,
	CON_REQ_AGENDA,
	CON_REQ_SLOTS,
	CON_REQ_CANCEL_BOOKING,
	CON_REQ_BLOCK,
	CON_REQ_MEDIA_TOKEN,
	CON_REQ_INVITE,
};

struct con_pending {
	int64_t id;
	enum con_req kind;
	int64_t ticket;
	char office[CON_OFFICE_ID];
	char who[CON_NAME];
};

enum con_level {
	CON_INFO = 0,
	CON_ERROR,
};

enum con_action {
	CON_A_NONE = 0,
	CON_A_NEXT_OFFICE,
	CON_A_PREV_OFFICE,
	CON_A_DOWN,
	CON_A_UP,
	CON_A_TOP,
	CON_A_BOTTOM,
	CON_A_PRESENCE,
	CON_A_ADMIT,
	CON_A_DECLINE,
	CON_A_TRANSFER,
	CON_A_TRANSFER_ROOM,
	CON_A_END,
	CON_A_FILTER,
	CON_A_VIDEO,            /* open the video window (again) */
	CON_A_INVITE,           /* a guest invitation for the consultation */
	CON_A_HELP,
	CON_A_REDRAW,
	CON_A_QUIT,
	CON_A_AGENDA,           /* the agenda view, and back */
	CON_A_BACK,             /* Esc: from the agenda to the queue */
	CON_A_PAGE_DOWN,
	CON_A_PAGE_UP,
	CON_A_CANCEL_BOOKING,   /* or lift a block */
	CON_A_BLOCK,
};

/* When the video window opens (klopf.conf's video). */
enum con_video_mode {
	CON_VIDEO_AUTO = 0,     /* when this console admits someone, and on v */
	CON_VIDEO_KEY,          /* only on v */
	CON_VIDEO_OFF,          /* never */
};

/* The video window of the open consultation, as the state sees it. */
enum con_video {
	CON_VIDEO_NONE = 0,     /* none was opened for this consultation */
	CON_VIDEO_WANTED,       /* to be started (the media token is asked for) */
	CON_VIDEO_RUNNING,      /* started; the shell reports its end */
	CON_VIDEO_STOPPING,     /* the consultation ended: being ended */
	CON_VIDEO_CLOSED,       /* closed in the window (q) or ended with it */
	CON_VIDEO_DIED,         /* ended unexpectedly; v opens it again */
};

struct con_video_state {
	enum con_video_mode mode;
	enum con_video phase;
	int64_t room;           /* the consultation it is for, 0 = none */
	bool start;             /* effect: start it now (state_video_secret) */
	bool stop;              /* effect: end the running window now */
	char token[CON_TOKEN];  /* a media token from klopfd, until started */
};

/* A guest invitation klopfd made for the open consultation: shown once,
 * in a box that any key closes; then wiped. */
struct con_invitation {
	bool shown;
	int64_t room;
	int64_t expires_at;     /* seconds since the epoch */
	char link[CON_LINK];    /* a secret: whoever has it may join */
};

struct con_state {
	/* settings */
	char user[65];
	char server[256];       /* shown in the title */
	char web[300];          /* the web client's address, ending in "/" */
	bool bell;

	/* connection and login */
	enum con_conn conn;
	int attempts;           /* failed connects since the last login */
	int64_t retry_at;       /* CON_LOST: when to connect again */
	bool welcomed;          /* the server's "welcome" on this connection */
	char timezone[65];      /* the administration's zone (IANA name) from
	                         * "welcome", "" if none or not a zone name */
	bool ever_online;
	char session[CON_TOKEN];
	char password[CON_PASSWORD];
	bool have_password;

	/* the clerk */
	char clerk[65];
	enum con_presence chosen;       /* AVAILABLE or AWAY */
	char decline[CON_MAX_DECLINE][CON_MESSAGE];
	int ndecline;

	/* offices and queues; the selected office by id */
	struct con_office offices[CON_MAX_OFFICES];
	int noffices;
	char current[CON_OFFICE_ID];
	char filter[128];

	bool has_room;
	struct con_room room;
	struct con_video_state video;
	struct con_invitation invitation;

	/* the agenda view */
	enum con_view view;
	struct agenda agenda;
	bool agenda_again;      /* ask again once the request out is answered */
	int64_t agenda_due;     /* when the open agenda is reloaded (ms) */
	struct agenda_slots slots;      /* for the block prompt */

	struct con_prompt_state prompt;
	bool help;

	char status[400];
	enum con_level status_level;

	/* effects for the shell */
	json_t *outbox[CON_OUTBOX];
	int nout;
	struct con_pending pending[CON_PENDING];
	int npending;
	int64_t next_id;
	bool bell_pending;      /* ring once, then clear */
	bool redraw_all;        /* Ctrl-L: repaint everything, then clear */
	bool quitting;          /* logout sent; quit when answered */
	int64_t quit_deadline;
	bool quit;              /* the shell exits now */
};

void state_init(struct con_state *st, const char *user, const char *server,
    bool bell);
/* Frees queues and the outbox and wipes secrets. */
void state_fini(struct con_state *st);
/* The web client's address ("https://klopf.example.de/"), which
 * invitation links begin with; set once after state_init. */
void state_web_address(struct con_state *st, const char *web);
/* Closes the invitation box and wipes the link. */
void state_invitation_close(struct con_state *st);

/* --- the connection (from the shell) --- */

/* A connection attempt starts. */
void state_connecting(struct con_state *st, int64_t now);
/* The WebSocket is open (the server's welcome follows). */
void state_connected(struct con_state *st, int64_t now);
/* The connection failed or closed: outbox and pending requests are
 * dropped, the view is kept, a retry is planned with backoff. */
void state_disconnected(struct con_state *st, int64_t now, const char *why);
/* Milliseconds to wait before the n-th retry (n >= 0): 1 s, doubling,
 * at most CON_RETRY_MAX_MS. */
int64_t state_backoff_ms(int attempts);
/* Time passes. Returns true when the shell should start connecting now. */
bool state_tick(struct con_state *st, int64_t now);

/* A decoded server message. */
void state_apply(struct con_state *st, const struct proto_msg *m,
    int64_t now);

/* Next request to send (ownership passes to the caller; free it with
 * state_msg_free), or NULL. */
json_t *state_outbox_pop(struct con_state *st);
/* Wipes a password in msg, then json_decref. */
void state_msg_free(json_t *msg);

/* --- actions (from keys) --- */

void state_do(struct con_state *st, enum con_action a, int64_t now);
/* Ctrl-C or SIGTERM: leave without asking (logging out if online); a
 * second interrupt leaves at once. */
void state_interrupt(struct con_state *st, int64_t now);

/* The prompt (see enum con_prompt). */
void state_prompt_open_password(struct con_state *st);
void state_prompt_char(struct con_state *st, uint32_t cp, int64_t now);
void state_prompt_backspace(struct con_state *st, int64_t now);
void state_prompt_clear(struct con_state *st, int64_t now);
/* ↑/↓ in a prompt: previous or next ready message or office. */
void state_prompt_move(struct con_state *st, int delta);
/* ←/→ in a prompt: the day before or after (free slots). */
void state_prompt_day(struct con_state *st, int delta);
void state_prompt_submit(struct con_state *st, int64_t now);
void state_prompt_cancel(struct con_state *st, int64_t now);

/* --- the video window (from the shell, see videoproc.h) --- */

/* How the window opens; set once after state_init. */
void state_video_mode(struct con_state *st, enum con_video_mode mode);
/*
 * The one object klopf-video reads on its descriptor (doc/video.md):
 * server (the URL as configured), room, the media token klopfd gave for
 * it, office, opened_at and ca_file ("" = none), as JSON text in out.
 * Returns its length, or -1 if it does not fit or there is nothing to
 * start. The caller wipes out after use.
 */
int state_video_secret(const struct con_state *st, const char *server,
    const char *ca_file, char *out, size_t outlen);
/* The shell started the window (err NULL) or could not (err says why);
 * the media token is wiped either way. */
void state_video_started(struct con_state *st, const char *err);
/* The window of room ended: exit code, or the signal that ended it
 * (0 if none). */
void state_video_exited(struct con_state *st, int64_t room, int code,
    int sig);
/* "Video: läuft" and the like for the consultation line, NULL if there
 * is nothing to say. */
const char *state_video_label(const struct con_state *st);

/* --- reading the state (for drawing and tests) --- */

/* The selected office (NULL before login). Borrowed. */
const struct con_office *state_current(const struct con_state *st);
const struct con_office *state_office(const struct con_state *st,
    const char *id);
/* Indexes into o->tickets of the tickets that pass the filter, in queue
 * order; returns their number (at most max). */
size_t state_visible(const struct con_state *st, const struct con_office *o,
    size_t *idx, size_t max);
/* The selected ticket of the selected office, if it passes the filter. */
const struct con_ticket *state_selected(const struct con_state *st);
/* A ticket counts as new for CON_NEW_MS after it arrived. */
bool state_ticket_is_new(const struct con_ticket *t, int64_t now);
/* Offices the prompt's ticket can be transferred to, in list order. */
int state_transfer_targets(const struct con_state *st, int *idx, int max);
/* The clerk's offices that take appointments, in list order. */
int state_block_offices(const struct con_state *st, int *idx, int max);
/* The text the block prompt shows for a free slot: "26.11. 09:30". */
void state_slot_text(const struct con_state *st, int i, char *out,
    size_t len);
/* The clerk's presence as shown: in consultation while a room is open. */
enum con_presence state_presence(const struct con_state *st);
const char *state_presence_label(enum con_presence p);
const char *state_status_label(enum con_status s);
/* Parses "2026-11-24T09:12:00+01:00" (or "Z", fraction allowed); 0 if
 * it is not such a time. */
int64_t state_parse_time(const char *s);
/* The sentence shown for a protocol error code. */
const char *state_error_text(const char *code);

#endif
