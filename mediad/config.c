/*
 * config: reads klopfd.conf with libconfig into a struct config and checks
 * every setting once. Only this file and config_media.c (the "media"
 * group; both share config_int.h) include libconfig.h; hours.c parses the
 * consultation hours.
 *
 * Owns the struct config and every string in it (heap copies, freed by
 * config_free). Reports each mistake as one line "FILE:LINE: what is
 * wrong" on the caller's stream and keeps going, so the sysadmin sees all
 * mistakes at once. Never exits, never logs, never looks at anything but
 * the file it is given and /usr/share/zoneinfo.
 */
#include "config.h"
#include "config_int.h"
#include "log.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONFIG_BUILTIN_PATH "(built-in)"
#define CONFIG_ZONEINFO "/usr/share/zoneinfo"
#define CONFIG_DECLINE_MAX 500  /* bytes per ready decline message */

/* Lines of the settings the cross-setting rules point at; 0 = unknown. */
struct cross_lines {
	int listen;
	int tls_cert;
	int tls_key;
};

/* --- reporting ------------------------------------------------------ */

/* Writes "FILE:LINE: msg" (or "FILE: msg" when line is 0) as one line;
 * control characters from the file's strings become '?'. */
static void
vreport(FILE *err, const char *file, int line, const char *fmt, va_list ap)
{
	char buf[CONFIG_MSG_MAX];
	unsigned char *p;

	if (err == NULL)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (p = (unsigned char *)buf; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (line > 0)
		fprintf(err, "%s:%d: %s\n", file, line, buf);
	else
		fprintf(err, "%s: %s\n", file, buf);
}

static void report(FILE *, const char *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(FILE *err, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(err, file, line, fmt, ap);
	va_end(ap);
}

/* Reports a mistake at setting s (NULL: no line). */
void
cfg_problem(struct loader *ld, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list ap;
	const char *file = ld->file;
	int line = 0;

	if (s != NULL) {
		line = config_setting_source_line(s);
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
	}
	va_start(ap, fmt);
	vreport(ld->err, file, line, fmt, ap);
	va_end(ap);
	ld->nerr++;
}

void
cfg_say(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || msglen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* Name of a setting for messages; list elements borrow their parent's. */
const char *
cfg_setting_name(const config_setting_t *s)
{
	while (s != NULL && config_setting_name(s) == NULL)
		s = config_setting_parent(s);
	return s != NULL && config_setting_name(s) != NULL ?
	    config_setting_name(s) : "?";
}

/* --- typed values ---------------------------------------------------- */

/* Replaces *dst with a copy of v. */
int
cfg_set_string(struct loader *ld, char **dst, const char *v)
{
	char *copy;

	if ((copy = strdup(v)) == NULL) {
		cfg_problem(ld, NULL, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

/* Returns the non-empty string value of s, or NULL after a report. */
const char *
cfg_want_string(struct loader *ld, const config_setting_t *s)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(ld, s, "\"%s\" must be a string", cfg_setting_name(s));
		return NULL;
	}
	v = config_setting_get_string(s);
	if (v == NULL || *v == '\0') {
		cfg_problem(ld, s, "\"%s\" must not be empty", cfg_setting_name(s));
		return NULL;
	}
	return v;
}

int
cfg_want_int(struct loader *ld, const config_setting_t *s, long long min,
    long long max, int *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_problem(ld, s, "\"%s\" must be an integer", cfg_setting_name(s));
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_problem(ld, s, "\"%s\" must be between %lld and %lld, not %lld",
		    cfg_setting_name(s), min, max, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cfg_want_bool(struct loader *ld, const config_setting_t *s, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_problem(ld, s, "\"%s\" must be true or false", cfg_setting_name(s));
		return -1;
	}
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* Checks that s is a list or array of strings; example shows the form. */
int
cfg_want_string_list(struct loader *ld, const config_setting_t *s,
    const char *example)
{
	int i, n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_problem(ld, s, "\"%s\" must be a list of strings, e.g. %s",
		    cfg_setting_name(s), example);
		return -1;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		if (config_setting_type(config_setting_get_elem(s, i)) !=
		    CONFIG_TYPE_STRING) {
			cfg_problem(ld, config_setting_get_elem(s, i),
			    "\"%s\" must be a list of strings, e.g. %s",
			    cfg_setting_name(s), example);
			return -1;
		}
	}
	return 0;
}

/* --- listen addresses ----------------------------------------------- */

/* Parses "ADDR:PORT" or "[V6ADDR]:PORT" with a numeric address. */
int
cfg_parse_listen(const char *spec, struct config_listen *l, char *msg,
    size_t msglen)
{
	const char *host, *port, *end;
	size_t hostlen;
	struct in6_addr a6;
	struct in_addr a4;
	bool v6 = spec[0] == '[';
	long p = 0;

	if (v6) {
		host = spec + 1;
		if ((end = strchr(host, ']')) == NULL || end[1] != ':')
			goto form;
		port = end + 2;
	} else {
		if ((end = strrchr(spec, ':')) == NULL)
			goto form;
		host = spec;
		port = end + 1;
		if (memchr(host, ':', (size_t)(end - host)) != NULL) {
			cfg_say(msg, msglen, "bad listen address \"%s\": write IPv6 "
			    "addresses in brackets, e.g. [::1]:8080", spec);
			return -1;
		}
	}
	hostlen = (size_t)(end - host);
	if (hostlen == 0 || *port == '\0')
		goto form;
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    (p = strtol(port, NULL, 10)) > 65535) {
		cfg_say(msg, msglen, "bad listen address \"%s\": the port must be "
		    "a number from 0 to 65535", spec);
		return -1;
	}
	if (hostlen >= sizeof(l->addr))
		goto numeric;
	memcpy(l->addr, host, hostlen);
	l->addr[hostlen] = '\0';
	if (v6 ? inet_pton(AF_INET6, l->addr, &a6) != 1 :
	    inet_pton(AF_INET, l->addr, &a4) != 1)
		goto numeric;
	l->port = (int)p;
	l->loopback = v6 ? IN6_IS_ADDR_LOOPBACK(&a6) :
	    (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
numeric:
	cfg_say(msg, msglen, "bad listen address \"%s\": \"%.*s\" is not a "
	    "numeric %s address", spec, (int)hostlen, host, v6 ? "IPv6" : "IPv4");
	return -1;
form:
	cfg_say(msg, msglen, "bad listen address \"%s\": expected ADDR:PORT or "
	    "[IPV6-ADDR]:PORT, e.g. 127.0.0.1:8080", spec);
	return -1;
}

static void
set_default_listen(struct config *c)
{
	memset(c->listen, 0, sizeof(c->listen));
	strcpy(c->listen[0].addr, "127.0.0.1");
	c->listen[0].port = 8080;
	c->listen[0].loopback = true;
	c->nlisten = 1;
}

/* Keeps the valid addresses; if none is valid the default stays. */
static void
load_listen(struct loader *ld, const config_setting_t *s, size_t off)
{
	struct config_listen l[CONFIG_MAX_LISTEN];
	char msg[CONFIG_MSG_MAX];
	int i, n, nl = 0;

	ld->listen_line = config_setting_source_line(s);
	if (cfg_want_string_list(ld, s, "[ \"127.0.0.1:8080\" ]") == -1)
		return;
	n = config_setting_length(s);
	if (n == 0) {
		cfg_problem(ld, s, "\"listen\" must name at least one address");
		return;
	}
	if (n > CONFIG_MAX_LISTEN) {
		cfg_problem(ld, s, "too many listen addresses: at most %d",
		    CONFIG_MAX_LISTEN);
		return;
	}
	memset(l, 0, sizeof(l));
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (cfg_parse_listen(config_setting_get_string(e), &l[nl], msg,
		    sizeof(msg)) == -1)
			cfg_problem(ld, e, "%s", msg);
		else
			nl++;
	}
	if (nl > 0) {
		memcpy(ld->c->listen, l, sizeof(l));
		ld->c->nlisten = nl;
	}
}

/* --- top-level strings ----------------------------------------------- */

static void
load_string(struct loader *ld, const config_setting_t *s, size_t off)
{
	const char *v;

	if ((v = cfg_want_string(ld, s)) != NULL)
		cfg_set_string(ld, (char **)((char *)ld->c + off), v);
}

static void
load_tls(struct loader *ld, const config_setting_t *s, size_t off)
{
	if (off == offsetof(struct config, tls_cert))
		ld->tls_cert_line = config_setting_source_line(s);
	else
		ld->tls_key_line = config_setting_source_line(s);
	load_string(ld, s, off);
}

static void
load_timezone(struct loader *ld, const config_setting_t *s, size_t off)
{
	char path[PATH_MAX];
	struct stat st;
	const char *v;

	if ((v = cfg_want_string(ld, s)) == NULL)
		return;
	if (v[0] == '/' || strstr(v, "..") != NULL) {
		cfg_problem(ld, s, "timezone \"%s\" must be a zone name such as "
		    "\"Europe/Berlin\"", v);
		return;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", CONFIG_ZONEINFO,
	    v) >= sizeof(path) || access(path, R_OK) == -1 ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		cfg_problem(ld, s, "unknown timezone \"%s\": there is no zone file "
		    "%s/%s", v, CONFIG_ZONEINFO, v);
		return;
	}
	cfg_set_string(ld, &ld->c->timezone, v);
}

static void
load_log_level(struct loader *ld, const config_setting_t *s, size_t off)
{
	const char *v;

	if ((v = cfg_want_string(ld, s)) == NULL)
		return;
	if (log_level_parse(v) == -1) {
		cfg_problem(ld, s, "\"log_level\" must be error, warning, info or "
		    "debug, not \"%s\"", v);
		return;
	}
	cfg_set_string(ld, &ld->c->log_level, v);
}

static void
load_log_target(struct loader *ld, const config_setting_t *s, size_t off)
{
	const char *v;

	if ((v = cfg_want_string(ld, s)) == NULL)
		return;
	if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0) {
		cfg_problem(ld, s, "\"log_target\" must be stderr or syslog, "
		    "not \"%s\"", v);
		return;
	}
	cfg_set_string(ld, &ld->c->log_target, v);
}

/* --- limits ---------------------------------------------------------- */

static const struct limit_setting {
	const char *name;
	size_t off;
	int min, max, def;
} limit_settings[] = {
	{ "max_message_bytes", offsetof(struct config_limits, max_message_bytes),
	    1024, 1048576, 32768 },
	{ "max_queue", offsetof(struct config_limits, max_queue), 1, 10000, 50 },
	{ "knock_rate", offsetof(struct config_limits, knock_rate),
	    0, 100000, 6 },
	{ "knock_burst", offsetof(struct config_limits, knock_burst),
	    1, 100000, 3 },
	{ "grace_seconds", offsetof(struct config_limits, grace_seconds),
	    0, 86400, 120 },
	{ "retention_days", offsetof(struct config_limits, retention_days),
	    0, 3650, 30 },
	{ "login_failures", offsetof(struct config_limits, login_failures),
	    1, 1000, 5 },
	{ "login_lockout_seconds",
	    offsetof(struct config_limits, login_lockout_seconds), 0, 86400, 300 },
	{ "session_hours", offsetof(struct config_limits, session_hours),
	    1, 720, 12 },
	{ "max_connections", offsetof(struct config_limits, max_connections),
	    1, 1000000, 10000 },
	{ "bookings_per_address",
	    offsetof(struct config_limits, bookings_per_address), 0, 10000, 3 },
	{ "bookings_per_office",
	    offsetof(struct config_limits, bookings_per_office), 0, 100000, 200 },
	{ "booking_lookups", offsetof(struct config_limits, booking_lookups),
	    0, 100000, 10 },
};
#define NLIMITS (sizeof(limit_settings) / sizeof(limit_settings[0]))

static void
set_default_limits(struct config_limits *lim)
{
	size_t i;

	for (i = 0; i < NLIMITS; i++)
		*(int *)((char *)lim + limit_settings[i].off) =
		    limit_settings[i].def;
}

static void
load_limits(struct loader *ld, const config_setting_t *s, size_t off)
{
	const struct limit_setting *ls;
	int i, n;
	size_t j;

	if (!config_setting_is_group(s)) {
		cfg_problem(ld, s, "\"limits\" must be a group, e.g. "
		    "{ max_queue = 50; }");
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		ls = NULL;
		for (j = 0; j < NLIMITS; j++)
			if (strcmp(config_setting_name(e),
			    limit_settings[j].name) == 0)
				ls = &limit_settings[j];
		if (ls == NULL) {
			cfg_problem(ld, e, "unknown setting \"%s\"",
			    config_setting_name(e));
			continue;
		}
		cfg_want_int(ld, e, ls->min, ls->max,
		    (int *)((char *)&ld->c->limits + ls->off));
	}
}

/* --- decline messages ------------------------------------------------ */

static void
load_decline_messages(struct loader *ld, const config_setting_t *s,
    size_t off)
{
	struct config *c = ld->c;
	int i, n;

	if (cfg_want_string_list(ld, s, "[ \"Bitte buchen Sie einen Termin.\" ]")
	    == -1)
		return;
	if ((n = config_setting_length(s)) > CONFIG_MAX_MESSAGES) {
		cfg_problem(ld, s, "too many decline messages: at most %d",
		    CONFIG_MAX_MESSAGES);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		size_t len = strlen(v);

		if (len == 0 || len > CONFIG_DECLINE_MAX) {
			cfg_problem(ld, e, "decline message %d must be 1 to %d "
			    "bytes long, not %zu", i + 1, CONFIG_DECLINE_MAX,
			    len);
			continue;
		}
		if (cfg_set_string(ld, &c->decline_messages[c->ndecline_messages],
		    v) == 0)
			c->ndecline_messages++;
	}
}

/* --- offices --------------------------------------------------------- */

enum {
	OFFICE_ID = 1 << 0,
	OFFICE_NAME = 1 << 1,
	OFFICE_DESCRIPTION = 1 << 2,
	OFFICE_HOURS = 1 << 3,
	OFFICE_LANGUAGES = 1 << 4,
	OFFICE_OTHER = 1 << 5,
};

static bool
valid_office_id(const char *id)
{
	size_t len = strlen(id);

	return len >= 1 && len <= CONFIG_ID_MAX &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static void
office_id(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	const struct config *c = ld->c;
	const char *v;
	int i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(ld, s, "\"id\" must be a string");
		return;
	}
	v = config_setting_get_string(s);
	if (!valid_office_id(v)) {
		cfg_problem(ld, s, "office id \"%s\" must be 1 to %d characters "
		    "of a-z, 0-9 and -", v, CONFIG_ID_MAX);
		return;
	}
	for (i = 0; &c->offices[i] != o; i++)
		if (strcmp(c->offices[i].id, v) == 0) {
			cfg_problem(ld, s, "duplicate office id \"%s\" (first "
			    "defined at line %d)", v, ld->id_line[i]);
			return;
		}
	strcpy(o->id, v);
	ld->id_line[o - c->offices] = config_setting_source_line(s);
}

static void
office_string(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	const char *v;

	if ((v = cfg_want_string(ld, s)) != NULL)
		cfg_set_string(ld, (char **)((char *)o + off), v);
}

static void
office_hours(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	char msg[CONFIG_MSG_MAX];
	int i;

	if (cfg_want_string_list(ld, s, "[ \"Mo-Fr 08:30-12:00\" ]") == -1)
		return;
	for (i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_parse_hours(o, config_setting_get_string(e), msg,
		    sizeof(msg)) == -1)
			cfg_problem(ld, e, "%s", msg);
	}
}

static void
office_languages(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	int i, j, n;

	if (cfg_want_string_list(ld, s, "[ \"de\", \"en\" ]") == -1)
		return;
	if ((n = config_setting_length(s)) == 0 || n > CONFIG_MAX_LANGS) {
		cfg_problem(ld, s, "\"languages\" must name 1 to %d languages",
		    CONFIG_MAX_LANGS);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (strlen(v) != 2 || v[0] < 'a' || v[0] > 'z' || v[1] < 'a' ||
		    v[1] > 'z') {
			cfg_problem(ld, e, "language \"%s\" must be a lower-case "
			    "ISO 639-1 code such as \"de\"", v);
			continue;
		}
		for (j = 0; j < o->nlanguages; j++)
			if (strcmp(o->languages[j], v) == 0)
				break;
		if (j < o->nlanguages) {
			cfg_problem(ld, e, "language \"%s\" is listed twice", v);
			continue;
		}
		if (cfg_set_string(ld, &o->languages[o->nlanguages], v) == 0)
			o->nlanguages++;
	}
}

static void
office_anonymous(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	cfg_want_bool(ld, s, &o->anonymous);
}

static void
office_avg_minutes(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	cfg_want_int(ld, s, 1, 480, &o->avg_minutes);
}

static void
office_bitrate(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	cfg_want_int(ld, s, CONFIG_BITRATE_MIN, CONFIG_BITRATE_MAX,
	    &o->bitrate_kbps);
}

static void
office_appointments(struct loader *ld, const config_setting_t *s,
    struct config_office *o, size_t off)
{
	(void)off;
	cfg_load_appointments(ld, s, o);
}

static const struct office_setting {
	const char *name;
	void (*load)(struct loader *, const config_setting_t *,
	    struct config_office *, size_t);
	size_t off;
	unsigned flag;
} office_settings[] = {
	{ "id", office_id, 0, OFFICE_ID },
	{ "name", office_string, offsetof(struct config_office, name_de),
	    OFFICE_NAME },
	{ "name_en", office_string, offsetof(struct config_office, name_en),
	    OFFICE_OTHER },
	{ "description", office_string,
	    offsetof(struct config_office, description_de), OFFICE_DESCRIPTION },
	{ "description_en", office_string,
	    offsetof(struct config_office, description_en), OFFICE_OTHER },
	{ "hours", office_hours, 0, OFFICE_HOURS },
	{ "languages", office_languages, 0, OFFICE_LANGUAGES },
	{ "anonymous", office_anonymous, 0, OFFICE_OTHER },
	{ "avg_minutes", office_avg_minutes, 0, OFFICE_OTHER },
	{ "bitrate_kbps", office_bitrate, 0, OFFICE_OTHER },
	{ "appointments", office_appointments, 0, OFFICE_OTHER },
};
#define NOFFICE_SETTINGS (sizeof(office_settings) / sizeof(office_settings[0]))

/* Reports required settings that office s (number n, from 1) lacks. */
static void
office_missing(struct loader *ld, const config_setting_t *s,
    const struct config_office *o, int n, unsigned seen)
{
	static const struct { unsigned flag; const char *name; } req[] = {
		{ OFFICE_ID, "id" }, { OFFICE_NAME, "name" },
		{ OFFICE_DESCRIPTION, "description" }, { OFFICE_HOURS, "hours" },
	};
	size_t i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		if (seen & req[i].flag)
			continue;
		if (o->id[0] != '\0')
			cfg_problem(ld, s, "office \"%s\": missing \"%s\"", o->id,
			    req[i].name);
		else
			cfg_problem(ld, s, "office #%d: missing \"%s\"", n,
			    req[i].name);
	}
}

static void
load_office(struct loader *ld, const config_setting_t *s,
    struct config_office *o, int n)
{
	const struct office_setting *os;
	unsigned seen = 0;
	int i;
	size_t j;

	o->avg_minutes = 20;
	for (i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		os = NULL;
		for (j = 0; j < NOFFICE_SETTINGS; j++)
			if (strcmp(config_setting_name(e),
			    office_settings[j].name) == 0)
				os = &office_settings[j];
		if (os == NULL) {
			cfg_problem(ld, e, "unknown setting \"%s\"",
			    config_setting_name(e));
			continue;
		}
		seen |= os->flag;
		os->load(ld, e, o, os->off);
	}
	office_missing(ld, s, o, n, seen);
	cfg_appt_check(ld, s, o);
	if (!(seen & OFFICE_LANGUAGES))
		if (cfg_set_string(ld, &o->languages[0], "de") == 0)
			o->nlanguages = 1;
}

static void
load_offices(struct loader *ld, const config_setting_t *s, size_t off)
{
	int i, n;

	if (!config_setting_is_list(s)) {
		cfg_problem(ld, s, "\"offices\" must be a list of groups, e.g. "
		    "( { id = \"buergerbuero\"; ... } )");
		return;
	}
	if ((n = config_setting_length(s)) == 0) {
		cfg_problem(ld, s, "\"offices\" must list at least one office");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (i == CONFIG_MAX_OFFICES) {
			cfg_problem(ld, e, "too many offices: at most %d",
			    CONFIG_MAX_OFFICES);
			return;
		}
		if (!config_setting_is_group(e)) {
			cfg_problem(ld, e, "office #%d must be a group, e.g. "
			    "{ id = \"buergerbuero\"; ... }", i + 1);
			continue;
		}
		load_office(ld, e, &ld->c->offices[ld->c->noffices++], i + 1);
	}
}

/* --- top level ------------------------------------------------------- */

static const struct top_setting {
	const char *name;
	void (*load)(struct loader *, const config_setting_t *, size_t);
	size_t off;
} top_settings[] = {
	{ "listen", load_listen, 0 },
	{ "state_dir", load_string, offsetof(struct config, state_dir) },
	{ "webroot", load_string, offsetof(struct config, webroot) },
	{ "privacy_file", load_string, offsetof(struct config, privacy_file) },
	{ "tls_cert", load_tls, offsetof(struct config, tls_cert) },
	{ "tls_key", load_tls, offsetof(struct config, tls_key) },
	{ "timezone", load_timezone, 0 },
	{ "log_level", load_log_level, 0 },
	{ "log_target", load_log_target, 0 },
	{ "limits", load_limits, 0 },
	{ "decline_messages", load_decline_messages, 0 },
	{ "offices", load_offices, 0 },
	{ "media", cfg_load_media, 0 },
	{ "closed_dates", cfg_load_closed_dates, 0 },
};
#define NTOP_SETTINGS (sizeof(top_settings) / sizeof(top_settings[0]))

static void
load_root(struct loader *ld, const config_setting_t *root)
{
	const struct top_setting *ts;
	bool have_offices = false;
	int i;
	size_t j;

	for (i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *e = config_setting_get_elem(root, i);

		ts = NULL;
		for (j = 0; j < NTOP_SETTINGS; j++)
			if (strcmp(config_setting_name(e),
			    top_settings[j].name) == 0)
				ts = &top_settings[j];
		if (ts == NULL) {
			cfg_problem(ld, e, "unknown setting \"%s\"",
			    config_setting_name(e));
			continue;
		}
		if (ts->load == load_offices)
			have_offices = true;
		ts->load(ld, e, ts->off);
	}
	if (!have_offices)
		cfg_problem(ld, NULL, "missing \"offices\": at least one office "
		    "is required");
}

/* A config with every default and no offices. */
static struct config *
config_new(const char *path)
{
	struct config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	set_default_listen(c);
	set_default_limits(&c->limits);
	c->path = strdup(path);
	c->state_dir = strdup("/var/lib/klopf");
	c->webroot = strdup("/usr/share/klopf/webclient");
	c->timezone = strdup("Europe/Berlin");
	c->log_level = strdup("info");
	c->log_target = strdup("stderr");
	if (c->path == NULL || c->state_dir == NULL || c->webroot == NULL ||
	    c->timezone == NULL || c->log_level == NULL ||
	    c->log_target == NULL || cfg_media_defaults(&c->media) == -1) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Rules spanning settings; lines point at the settings when known. */
static int
check_cross(const struct config *c, FILE *err, const char *file,
    const struct cross_lines *lines)
{
	const struct config_listen *l;
	int i, n = 0;

	if (c->tls_cert != NULL && c->tls_key == NULL) {
		report(err, file, lines->tls_cert, "\"tls_cert\" is set but "
		    "\"tls_key\" is not; set both or neither");
		n++;
	}
	if (c->tls_key != NULL && c->tls_cert == NULL) {
		report(err, file, lines->tls_key, "\"tls_key\" is set but "
		    "\"tls_cert\" is not; set both or neither");
		n++;
	}
	if (c->nlisten == 0) {
		report(err, file, lines->listen, "no listen address");
		n++;
	}
	for (i = 0; i < c->nlisten; i++) {
		l = &c->listen[i];
		if (l->loopback || c->tls_cert != NULL || c->tls_key != NULL)
			continue;	/* TLS set, or half set and reported above */
		report(err, file, lines->listen, "listen address %s%s%s:%d is "
		    "not loopback; plain HTTP is only allowed on loopback "
		    "\xe2\x80\x94 set tls_cert and tls_key",
		    strchr(l->addr, ':') ? "[" : "", l->addr,
		    strchr(l->addr, ':') ? "]" : "", l->port);
		n++;
	}
	return n;
}

/* Reads file into cf; reports a missing file or a syntax error. */
static int
read_file(config_t *cf, const char *file, FILE *err)
{
	struct stat st;
	FILE *fp;

	if ((fp = fopen(file, "r")) == NULL) {
		report(err, file, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		report(err, file, 0, "cannot read: %s", strerror(EISDIR));
		return -1;
	}
	fclose(fp);
	if (config_read_file(cf, file) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		report(err, file, 0, "cannot read: %s", config_error_text(cf));
	else
		report(err, config_error_file(cf) != NULL ?
		    config_error_file(cf) : file, config_error_line(cf),
		    "syntax error: %s", config_error_text(cf));
	return -1;
}

struct config *
config_load(const char *file, FILE *err)
{
	struct loader ld;
	struct cross_lines lines;
	config_t cf;

	memset(&ld, 0, sizeof(ld));
	ld.file = file;
	ld.err = err;
	if ((ld.c = config_new(file)) == NULL) {
		report(err, file, 0, "out of memory");
		return NULL;
	}
	config_init(&cf);
	if (read_file(&cf, file, err) == -1) {
		config_destroy(&cf);
		config_free(ld.c);
		return NULL;
	}
	load_root(&ld, config_root_setting(&cf));
	config_destroy(&cf);
	lines.listen = ld.listen_line;
	lines.tls_cert = ld.tls_cert_line;
	lines.tls_key = ld.tls_key_line;
	ld.nerr += check_cross(ld.c, err, file, &lines);
	if (ld.nerr > 0) {
		config_free(ld.c);
		return NULL;
	}
	return ld.c;
}

int
config_override(struct config *c, const char *listen, const char *state_dir,
    FILE *err)
{
	struct config_listen l;
	char msg[CONFIG_MSG_MAX];
	char *dir = NULL;

	memset(&l, 0, sizeof(l));
	if (listen != NULL && cfg_parse_listen(listen, &l, msg, sizeof(msg)) == -1) {
		report(err, "--listen", 0, "%s", msg);
		return -1;
	}
	if (state_dir != NULL && *state_dir == '\0') {
		report(err, "--state-dir", 0, "must not be empty");
		return -1;
	}
	if (state_dir != NULL && (dir = strdup(state_dir)) == NULL) {
		report(err, "--state-dir", 0, "out of memory");
		return -1;
	}
	if (listen != NULL) {
		memset(c->listen, 0, sizeof(c->listen));
		c->listen[0] = l;
		c->nlisten = 1;
	}
	if (dir != NULL) {
		free(c->state_dir);
		c->state_dir = dir;
	}
	return 0;
}

int
config_check(const struct config *c, FILE *err)
{
	struct cross_lines lines = { 0, 0, 0 };

	return check_cross(c, err, c->path != NULL ? c->path :
	    CONFIG_BUILTIN_PATH, &lines);
}

void
config_free(struct config *c)
{
	int i, j;

	if (c == NULL)
		return;
	free(c->path);
	free(c->state_dir);
	free(c->webroot);
	free(c->privacy_file);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->timezone);
	free(c->log_level);
	free(c->log_target);
	for (i = 0; i < c->ndecline_messages; i++)
		free(c->decline_messages[i]);
	for (i = 0; i < c->noffices; i++) {
		free(c->offices[i].name_de);
		free(c->offices[i].name_en);
		free(c->offices[i].description_de);
		free(c->offices[i].description_en);
		for (j = 0; j < c->offices[i].nlanguages; j++)
			free(c->offices[i].languages[j]);
	}
	cfg_media_free(&c->media);
	free(c);
}

const struct config_office *
config_office_find(const struct config *c, const char *id)
{
	int i;

	for (i = 0; i < c->noffices; i++)
		if (strcmp(c->offices[i].id, id) == 0)
			return &c->offices[i];
	return NULL;
}
