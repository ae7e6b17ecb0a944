/*
 * config: reads klopfd.conf (libconfig) into a plain struct and validates
 * it once. The only module that touches libconfig. Every mistake is
 * reported as "FILE:LINE: what is wrong"; nothing else in klopfd ever
 * sees an invalid configuration.
 */
#ifndef KLOPF_CONFIG_H
#define KLOPF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_LISTEN 8
#define CONFIG_MAX_OFFICES 64
#define CONFIG_MAX_RANGES 8     /* time ranges per weekday */
#define CONFIG_MAX_LANGS 16
#define CONFIG_MAX_MESSAGES 16  /* ready decline messages */
#define CONFIG_ID_MAX 32        /* office id: [a-z0-9-], 1..32 chars */
#define CONFIG_MAX_MEDIA_ADDRESSES 8
#define CONFIG_MAX_TURN 4       /* TURN/STUN servers */
#define CONFIG_MAX_TURN_URLS 4  /* URLs per server */

/* One consultation time range within a day, minutes since local midnight,
 * start < end, end <= 1440. */
struct config_range {
	int start;
	int end;
};

#define CONFIG_MAX_CLOSED 64     /* closed dates per office, and globally */

/* Appointments of an office (klopfd.conf(5), "appointments"). Dates are
 * local calendar days written as yyyymmdd (20261224). */
struct config_appointments {
	bool enabled;           /* the group is present */
	/* weekly hours for appointments, like config_office.hours; each
	 * range lies inside the office's consultation hours */
	struct config_range hours[7][CONFIG_MAX_RANGES];
	int nhours[7];
	int slot_minutes;       /* 5..480, default 20 */
	int horizon_days;       /* how far ahead, 1..365, default 28 */
	int notice_minutes;     /* not sooner than, 0..20160, default 120 */
	int early_minutes;      /* may enter this long before, 0..60, default 5 */
	int late_minutes;       /* and until this long after the start,
	                           0..240, default 15 */
	int closed[CONFIG_MAX_CLOSED]; /* office closed on these days */
	int nclosed;
};

struct config_office {
	char id[CONFIG_ID_MAX + 1];
	char *name_de;          /* required */
	char *name_en;          /* optional, NULL if absent */
	char *description_de;   /* required */
	char *description_en;   /* optional */
	/* hours[wday]: wday 0 = Sunday .. 6 = Saturday (as struct tm);
	 * ranges sorted by start, non-overlapping. */
	struct config_range hours[7][CONFIG_MAX_RANGES];
	int nhours[7];
	char *languages[CONFIG_MAX_LANGS]; /* ISO 639-1 codes, e.g. "de" */
	int nlanguages;
	bool anonymous;
	int avg_minutes;        /* average consultation length, 1..480 */
	int bitrate_kbps;       /* per-publisher cap, 64..20000; 0 = use
	                           media.bitrate_kbps */
	struct config_appointments appt;
};

struct config_listen {
	char addr[64];          /* numeric IPv4 or IPv6 address, no brackets */
	int port;               /* 0 = any free port (tests) */
	bool loopback;          /* addr is 127.0.0.0/8 or ::1 */
};

struct config_limits {
	int max_message_bytes;  /* largest WebSocket message accepted, default 8192 */
	int max_queue;          /* waiting tickets per office, default 50 */
	int knock_rate;         /* knocks per address per minute, default 6; 0 = unlimited */
	int knock_burst;        /* knocks in a burst, default 3 */
	int grace_seconds;      /* a disconnected citizen keeps its place, default 120 */
	int retention_days;     /* personal data kept after a ticket ends, default 30 */
	int login_failures;     /* failed logins per account/address before throttling, default 5 */
	int login_lockout_seconds; /* throttle length, default 300 */
	int session_hours;      /* clerk session lifetime, default 12 */
	int max_connections;    /* WebSocket connections, default 10000 */
	int bookings_per_address; /* appointments booked from one address a
	                           day, default 3; 0 = unlimited */
	int bookings_per_office; /* appointments booked at one office a day,
	                           default 200; 0 = unlimited */
	int booking_lookups;    /* booking code look-ups per address a minute,
	                           default 10; 0 = unlimited */
};

/* One TURN or STUN server. username and credential are NULL if absent
 * (they are required when a URL is turn: or turns:). */
struct config_turn {
	char *urls[CONFIG_MAX_TURN_URLS]; /* "turn:…", "turns:…" or "stun:…" */
	int nurls;              /* 1.. */
	char *username;
	char *credential;
};

/* The "media" group: WebRTC media relay settings. */
struct config_media {
	char *addresses[CONFIG_MAX_MEDIA_ADDRESSES]; /* numeric host candidates,
	                           default "127.0.0.1" */
	int naddresses;
	int port_min, port_max; /* UDP ports, 1024..65535; default 40000..40999 */
	bool ice_tcp;           /* ICE over TCP too; default false */
	char *certificate, *key; /* DTLS identity (PEM), both or NULL = made
	                           at start */
	int bitrate_kbps;       /* per-publisher cap, 64..20000; default 1500 */
	int realtime_priority;  /* SCHED_FIFO priority of klopfd's loop,
	                           1..99; 0 (default): the normal policy */
	struct config_turn turn[CONFIG_MAX_TURN];
	int nturn;
	struct config_listen metrics_listen; /* valid if metrics */
	bool metrics;           /* metrics_listen set and not ""; default false */
};

struct config {
	char *path;             /* file it was read from, or "(built-in)" */
	struct config_listen listen[CONFIG_MAX_LISTEN];
	int nlisten;
	char *state_dir;        /* default "/var/lib/klopf" */
	char *webroot;          /* default "/usr/share/klopf/webclient" */
	char *privacy_file;     /* privacy notice text; default NULL = webroot's own */
	char *tls_cert;         /* PEM; NULL = plain HTTP (loopback only) */
	char *tls_key;
	char *timezone;         /* default "Europe/Berlin" */
	char *log_level;        /* "error", "warning", "info", "debug"; default "info" */
	char *log_target;       /* "stderr" or "syslog"; default "stderr" */
	struct config_limits limits;
	char *decline_messages[CONFIG_MAX_MESSAGES];
	int ndecline_messages;
	struct config_office offices[CONFIG_MAX_OFFICES];
	int noffices;
	struct config_media media;
	int closed[CONFIG_MAX_CLOSED]; /* every office is closed on these days
	                           (public holidays), yyyymmdd */
	int nclosed;
};

/* Reads and validates FILE. On success returns a new config (free with
 * config_free). On failure returns NULL after writing one line
 * "FILE:LINE: message" per problem to err (all problems, not just the
 * first). */
struct config *config_load(const char *file, FILE *err);

/* Applies command-line overrides. listen is "ADDR:PORT" or "[V6]:PORT";
 * replaces all configured listen addresses. Returns 0, or -1 after
 * writing a message to err. Either argument may be NULL. */
int config_override(struct config *c, const char *listen,
    const char *state_dir, FILE *err);

/* Checks rules that span several settings (e.g. plain HTTP only on
 * loopback). Called by config_load and again after config_override.
 * Returns the number of problems written to err. */
int config_check(const struct config *c, FILE *err);

void config_free(struct config *c);

/* Returns the office with this id, or NULL. Borrowed pointer. */
const struct config_office *config_office_find(const struct config *c,
    const char *id);

/* Parses one hours entry such as "Mo 09:00-12:00" or
 * "Mo-Fr 08:30-12:00, 13:00-15:30" into o->hours. Returns 0, or -1 with a
 * human message in msg. Exposed for the unit tests. */
int config_parse_hours(struct config_office *o, const char *spec,
    char *msg, size_t msglen);
/* The same into any week of ranges (appointment hours). */
int config_parse_week(struct config_range hours[7][CONFIG_MAX_RANGES],
    int nhours[7], const char *spec, char *msg, size_t msglen);

#endif
