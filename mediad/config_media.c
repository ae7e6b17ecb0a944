/*
 * config_media: reads the "media" group of klopfd.conf (the addresses and
 * ports of the media relay, its DTLS identity, the bitrate cap, TURN and
 * STUN servers and the metrics listener) into struct config_media. Part
 * of the config module: config.c calls cfg_load_media for the group and
 * shares its loader and helpers through config_int.h. Without a media
 * group every setting keeps its default (cfg_media_defaults).
 */
#include "config.h"
#include "config_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#define MEDIA_TURN_EXAMPLE "( { urls = [ \"turn:turn.example.org:3478\" ]; " \
	"username = \"klopf\"; credential = \"secret\"; } )"

/* The settings that the checks after the group point at; NULL = not
 * set. Borrowed from libconfig for the length of cfg_load_media. */
struct media_lines {
	const config_setting_t *port_min;
	const config_setting_t *port_max;
	const config_setting_t *certificate;
	const config_setting_t *key;
};

int
cfg_media_defaults(struct config_media *m)
{
	memset(m, 0, sizeof(*m));
	m->port_min = 40000;
	m->port_max = 40999;
	m->ice_tcp = false;
	m->bitrate_kbps = 1500;
	/* Metrics are off unless metrics_listen is set: a fixed default
	 * port would make every second klopfd on a host (tests, a staging
	 * instance) fail to start. */
	m->metrics = false;
	if ((m->addresses[0] = strdup("127.0.0.1")) == NULL)
		return -1;
	m->naddresses = 1;
	return 0;
}

void
cfg_media_free(struct config_media *m)
{
	int i, j;

	for (i = 0; i < m->naddresses; i++)
		free(m->addresses[i]);
	free(m->certificate);
	free(m->key);
	for (i = 0; i < m->nturn; i++) {
		for (j = 0; j < m->turn[i].nurls; j++)
			free(m->turn[i].urls[j]);
		free(m->turn[i].username);
		free(m->turn[i].credential);
	}
	memset(m, 0, sizeof(*m));
}

/* --- settings -------------------------------------------------------- */

static bool
numeric_address(const char *v)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, v, buf) == 1 ||
	    inet_pton(AF_INET6, v, buf) == 1;
}

/* Replaces the default addresses with the valid ones listed. */
static void
media_addresses(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	struct config_media *m = &ld->c->media;
	int i, j, n;

	if (cfg_want_string_list(ld, s, "[ \"192.0.2.10\", \"2001:db8::10\" ]")
	    == -1)
		return;
	if ((n = config_setting_length(s)) == 0 ||
	    n > CONFIG_MAX_MEDIA_ADDRESSES) {
		cfg_problem(ld, s, "\"addresses\" must name 1 to %d addresses",
		    CONFIG_MAX_MEDIA_ADDRESSES);
		return;
	}
	for (i = 0; i < m->naddresses; i++) {
		free(m->addresses[i]);
		m->addresses[i] = NULL;
	}
	m->naddresses = 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (!numeric_address(v)) {
			cfg_problem(ld, e, "media address \"%s\" is not a "
			    "numeric IPv4 or IPv6 address (without brackets)",
			    v);
			continue;
		}
		for (j = 0; j < m->naddresses; j++)
			if (strcmp(m->addresses[j], v) == 0)
				break;
		if (j < m->naddresses) {
			cfg_problem(ld, e, "media address \"%s\" is listed "
			    "twice", v);
			continue;
		}
		if (cfg_set_string(ld, &m->addresses[m->naddresses], v) == 0)
			m->naddresses++;
	}
}

static void
media_port_min(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	lines->port_min = s;
	cfg_want_int(ld, s, 1024, 65535, &ld->c->media.port_min);
}

static void
media_port_max(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	lines->port_max = s;
	cfg_want_int(ld, s, 1024, 65535, &ld->c->media.port_max);
}

static void
media_ice_tcp(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	cfg_want_bool(ld, s, &ld->c->media.ice_tcp);
}

static void
media_certificate(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	const char *v;

	lines->certificate = s;
	if ((v = cfg_want_string(ld, s)) != NULL)
		cfg_set_string(ld, &ld->c->media.certificate, v);
}

static void
media_key(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	const char *v;

	lines->key = s;
	if ((v = cfg_want_string(ld, s)) != NULL)
		cfg_set_string(ld, &ld->c->media.key, v);
}

static void
media_bitrate(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	cfg_want_int(ld, s, CONFIG_BITRATE_MIN, CONFIG_BITRATE_MAX,
	    &ld->c->media.bitrate_kbps);
}

static void
media_realtime_priority(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	cfg_want_int(ld, s, 0, 99, &ld->c->media.realtime_priority);
}

static void
media_metrics_listen(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	struct config_media *m = &ld->c->media;
	struct config_listen l;
	char msg[CONFIG_MSG_MAX];
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(ld, s, "\"metrics_listen\" must be a string, e.g. "
		    "\"127.0.0.1:9101\", or \"\" for no metrics");
		return;
	}
	v = config_setting_get_string(s);
	if (*v == '\0') {
		memset(&m->metrics_listen, 0, sizeof(m->metrics_listen));
		m->metrics = false;
		return;
	}
	memset(&l, 0, sizeof(l));
	if (cfg_parse_listen(v, &l, msg, sizeof(msg)) == -1) {
		cfg_problem(ld, s, "\"metrics_listen\": %s", msg);
		return;
	}
	m->metrics_listen = l;
	m->metrics = true;
}

/* --- TURN and STUN servers ------------------------------------------- */

/* Returns whether url is a STUN or TURN URL; *auth says if it needs a
 * username and credential. */
static bool
turn_url(const char *url, bool *auth)
{
	static const struct { const char *scheme; bool auth; } schemes[] = {
		{ "turn:", true }, { "turns:", true }, { "stun:", false },
	};
	size_t i, len;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		len = strlen(schemes[i].scheme);
		if (strncmp(url, schemes[i].scheme, len) == 0 &&
		    url[len] != '\0') {
			*auth = schemes[i].auth;
			return true;
		}
	}
	return false;
}

static void
turn_urls(struct loader *ld, const config_setting_t *s, struct config_turn *t,
    bool *auth)
{
	int i, n;
	bool a;

	if (cfg_want_string_list(ld, s, "[ \"turn:turn.example.org:3478\" ]")
	    == -1)
		return;
	if ((n = config_setting_length(s)) == 0 || n > CONFIG_MAX_TURN_URLS) {
		cfg_problem(ld, s, "\"urls\" must name 1 to %d URLs",
		    CONFIG_MAX_TURN_URLS);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (!turn_url(v, &a)) {
			cfg_problem(ld, e, "bad TURN/STUN URL \"%s\": it must "
			    "start with turn:, turns: or stun:, e.g. "
			    "\"turn:turn.example.org:3478\"", v);
			continue;
		}
		*auth = *auth || a;
		if (cfg_set_string(ld, &t->urls[t->nurls], v) == 0)
			t->nurls++;
	}
}

/* Loads TURN/STUN server number n (from 1), group s, into t. */
static void
load_turn_server(struct loader *ld, const config_setting_t *s,
    struct config_turn *t, int n)
{
	bool auth = false, urls = false, username = false, credential = false;
	const char *name, *v;
	int i;

	for (i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		name = config_setting_name(e);
		if (strcmp(name, "urls") == 0) {
			urls = true;
			turn_urls(ld, e, t, &auth);
		} else if (strcmp(name, "username") == 0 ||
		    strcmp(name, "credential") == 0) {
			if (name[0] == 'u')
				username = true;
			else
				credential = true;
			if ((v = cfg_want_string(ld, e)) != NULL)
				cfg_set_string(ld, name[0] == 'u' ?
				    &t->username : &t->credential, v);
		} else
			cfg_problem(ld, e, "unknown setting \"%s\"", name);
	}
	if (!urls)
		cfg_problem(ld, s, "turn server #%d: missing \"urls\"", n);
	if (auth && !username)
		cfg_problem(ld, s, "turn server #%d: \"username\" is required "
		    "for turn: and turns: URLs", n);
	if (auth && !credential)
		cfg_problem(ld, s, "turn server #%d: \"credential\" is required "
		    "for turn: and turns: URLs", n);
}

static void
media_turn(struct loader *ld, const config_setting_t *s,
    struct media_lines *lines)
{
	struct config_media *m = &ld->c->media;
	int i, n;

	if (!config_setting_is_list(s)) {
		cfg_problem(ld, s, "\"turn\" must be a list of groups, e.g. %s",
		    MEDIA_TURN_EXAMPLE);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (i == CONFIG_MAX_TURN) {
			cfg_problem(ld, e, "too many turn servers: at most %d",
			    CONFIG_MAX_TURN);
			return;
		}
		if (!config_setting_is_group(e)) {
			cfg_problem(ld, e, "turn server #%d must be a group, "
			    "e.g. { urls = [ \"stun:stun.example.org\" ]; }",
			    i + 1);
			continue;
		}
		load_turn_server(ld, e, &m->turn[m->nturn++], i + 1);
	}
}

/* --- the group ------------------------------------------------------- */

static const struct media_setting {
	const char *name;
	void (*load)(struct loader *, const config_setting_t *,
	    struct media_lines *);
} media_settings[] = {
	{ "addresses", media_addresses },
	{ "port_min", media_port_min },
	{ "port_max", media_port_max },
	{ "ice_tcp", media_ice_tcp },
	{ "certificate", media_certificate },
	{ "key", media_key },
	{ "bitrate_kbps", media_bitrate },
	{ "realtime_priority", media_realtime_priority },
	{ "turn", media_turn },
	{ "metrics_listen", media_metrics_listen },
};
#define NMEDIA_SETTINGS (sizeof(media_settings) / sizeof(media_settings[0]))

/* Rules spanning settings of the group. */
static void
media_check(struct loader *ld, const config_setting_t *s,
    const struct media_lines *lines)
{
	const struct config_media *m = &ld->c->media;

	if (m->port_min > m->port_max)
		cfg_problem(ld, lines->port_min != NULL ? lines->port_min :
		    lines->port_max != NULL ? lines->port_max : s,
		    "\"port_min\" (%d) must not be greater than \"port_max\" "
		    "(%d)", m->port_min, m->port_max);
	if (lines->certificate != NULL && lines->key == NULL)
		cfg_problem(ld, lines->certificate, "\"certificate\" is set "
		    "but \"key\" is not; set both or neither");
	if (lines->key != NULL && lines->certificate == NULL)
		cfg_problem(ld, lines->key, "\"key\" is set but "
		    "\"certificate\" is not; set both or neither");
}

void
cfg_load_media(struct loader *ld, const config_setting_t *s, size_t off)
{
	const struct media_setting *ms;
	struct media_lines lines;
	int i;
	size_t j;

	if (!config_setting_is_group(s)) {
		cfg_problem(ld, s, "\"media\" must be a group, e.g. "
		    "{ port_min = 40000; port_max = 40999; }");
		return;
	}
	memset(&lines, 0, sizeof(lines));
	for (i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		ms = NULL;
		for (j = 0; j < NMEDIA_SETTINGS; j++)
			if (strcmp(config_setting_name(e),
			    media_settings[j].name) == 0)
				ms = &media_settings[j];
		if (ms == NULL) {
			cfg_problem(ld, e, "unknown setting \"%s\"",
			    config_setting_name(e));
			continue;
		}
		ms->load(ld, e, &lines);
	}
	media_check(ld, s, &lines);
}
