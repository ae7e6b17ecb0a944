/*
 * conf: see conf.h.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void
conf_defaults(struct con_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->bell = true;
	c->video = CONF_VIDEO_AUTO;
}

int
conf_default_path(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/klopf/klopf.conf", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, outlen, "%s/.config/klopf/klopf.conf", home);
	else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int
get_string(const config_setting_t *s, const char *file, char *out,
    size_t outlen, char *err, size_t errlen)
{
	const char *v = config_setting_get_string(s);

	if (config_setting_type(s) != CONFIG_TYPE_STRING || v == NULL) {
		snprintf(err, errlen, "%s:%d: %s must be a string in double "
		    "quotes", file, config_setting_source_line(s),
		    config_setting_name(s));
		return -1;
	}
	if (strlen(v) >= outlen) {
		snprintf(err, errlen, "%s:%d: %s is too long", file,
		    config_setting_source_line(s), config_setting_name(s));
		return -1;
	}
	snprintf(out, outlen, "%s", v);
	return 0;
}

/* A string setting that names something: not empty, no control
 * characters. */
static int
get_name(const config_setting_t *s, const char *file, char *out,
    size_t outlen, char *err, size_t errlen)
{
	if (get_string(s, file, out, outlen, err, errlen) != 0)
		return -1;
	for (const char *p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s:%d: %s has a control "
			    "character", file, config_setting_source_line(s),
			    config_setting_name(s));
			return -1;
		}
	}
	if (out[0] == '\0') {
		snprintf(err, errlen, "%s:%d: %s is empty", file,
		    config_setting_source_line(s), config_setting_name(s));
		return -1;
	}
	return 0;
}

static int
get_video(const config_setting_t *s, const char *file, struct con_conf *c,
    char *err, size_t errlen)
{
	const char *v = config_setting_get_string(s);

	if (v != NULL && strcmp(v, "auto") == 0)
		c->video = CONF_VIDEO_AUTO;
	else if (v != NULL && strcmp(v, "key") == 0)
		c->video = CONF_VIDEO_KEY;
	else if (v != NULL && strcmp(v, "off") == 0)
		c->video = CONF_VIDEO_OFF;
	else {
		snprintf(err, errlen, "%s:%d: video must be \"auto\" (open "
		    "the window on admit), \"key\" (only on v) or \"off\"",
		    file, config_setting_source_line(s));
		return -1;
	}
	return 0;
}

/* video_args: a list of strings for klopf-video. The descriptor of the
 * secret is the console's to choose, and the other modes of klopf-video
 * would not join the consultation. */
static int
get_video_args(const config_setting_t *s, const char *file,
    struct con_conf *c, char *err, size_t errlen)
{
	static const char *const refused[] = {"--secret-fd", "--check",
	    "--version", "--help", "-h"};
	int line = config_setting_source_line(s);
	int n = config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		snprintf(err, errlen, "%s:%d: video_args must be a list of "
		    "strings, as [ \"--ice-address=127.0.0.1\" ]", file, line);
		return -1;
	}
	if (n > CONF_VIDEO_ARGS) {
		snprintf(err, errlen, "%s:%d: video_args has more than %d "
		    "entries", file, line, CONF_VIDEO_ARGS);
		return -1;
	}
	c->nvideo_args = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
		    (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (config_setting_type(e) != CONFIG_TYPE_STRING || v == NULL) {
			snprintf(err, errlen, "%s:%d: video_args must be a "
			    "list of strings in double quotes", file, line);
			return -1;
		}
		if (v[0] == '\0' || strlen(v) >= CONF_ARG) {
			snprintf(err, errlen, "%s:%d: video_args entry %d is "
			    "%s", file, line, i + 1, v[0] ? "too long" : "empty");
			return -1;
		}
		for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]);
		    k++) {
			size_t len = strlen(refused[k]);

			if (strncmp(v, refused[k], len) == 0 &&
			    (v[len] == '\0' || v[len] == '=')) {
				snprintf(err, errlen, "%s:%d: video_args must "
				    "not contain %s: klopf gives klopf-video "
				    "what it needs itself", file, line,
				    refused[k]);
				return -1;
			}
		}
		snprintf(c->video_args[c->nvideo_args++], CONF_ARG, "%s", v);
	}
	return 0;
}

int
conf_video_argv(const struct con_conf *c, const char **argv, int max)
{
	const struct {
		const char *opt;
		const char *value;
	} named[] = {
		{"--video-source", c->video_source},
		{"--audio-source", c->audio_source},
		{"--video-sink", c->video_sink},
		{"--audio-sink", c->audio_sink},
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (named[i].value[0] == '\0' || n + 2 > max)
			continue;
		argv[n++] = named[i].opt;
		argv[n++] = named[i].value;
	}
	for (int i = 0; i < c->nvideo_args && n < max; i++)
		argv[n++] = c->video_args[i];
	return n;
}

/* The settings that name a device or element for klopf-video: where
 * each goes in c, NULL if name is none of them. */
static char *
name_setting(struct con_conf *c, const char *name, size_t *len)
{
	const struct {
		const char *name;
		char *field;
	} named[] = {
		{"video_source", c->video_source},
		{"audio_source", c->audio_source},
		{"video_sink", c->video_sink},
		{"audio_sink", c->audio_sink},
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (strcmp(named[i].name, name) == 0) {
			*len = CONF_STR;
			return named[i].field;
		}
	}
	return NULL;
}

int
conf_load(const char *path, bool must_exist, struct con_conf *c, char *err,
    size_t errlen)
{
	config_t cfg;
	config_setting_t *root;
	struct con_url u;
	char uerr[200] = "", *named;
	size_t len;
	int rc = -1;

	if (access(path, F_OK) != 0 && errno == ENOENT && !must_exist)
		return 0;
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read it: %s", path,
			    strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s", path,
			    config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	root = config_root_setting(&cfg);
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);

		if (strcmp(name, "server") == 0) {
			if (get_string(s, path, c->server, sizeof(c->server),
			    err, errlen) != 0)
				goto out;
			if (conf_parse_url(c->server, &u, uerr,
			    sizeof(uerr)) != 0) {
				snprintf(err, errlen, "%s:%d: %s", path,
				    config_setting_source_line(s), uerr);
				goto out;
			}
		} else if (strcmp(name, "user") == 0) {
			if (get_string(s, path, c->user, sizeof(c->user), err,
			    errlen) != 0)
				goto out;
		} else if (strcmp(name, "web_address") == 0) {
			if (get_string(s, path, c->web_address,
			    sizeof(c->web_address), err, errlen) != 0)
				goto out;
			if (conf_parse_url(c->web_address, &u, uerr,
			    sizeof(uerr)) != 0 || conf_web_address(&u,
			    c->web_address, sizeof(c->web_address)) != 0) {
				snprintf(err, errlen, "%s:%d: web_address: %s",
				    path, config_setting_source_line(s),
				    uerr[0] != '\0' ? uerr : "too long");
				goto out;
			}
		} else if (strcmp(name, "ca_file") == 0) {
			if (get_string(s, path, c->ca_file, sizeof(c->ca_file),
			    err, errlen) != 0)
				goto out;
		} else if (strcmp(name, "video") == 0) {
			if (get_video(s, path, c, err, errlen) != 0)
				goto out;
		} else if (strcmp(name, "video_program") == 0) {
			if (get_name(s, path, c->video_program,
			    sizeof(c->video_program), err, errlen) != 0)
				goto out;
			if (strchr(c->video_program, '/') != NULL &&
			    access(c->video_program, X_OK) != 0) {
				snprintf(err, errlen, "%s:%d: video_program %s: "
				    "%s", path, config_setting_source_line(s),
				    c->video_program, strerror(errno));
				goto out;
			}
		} else if ((named = name_setting(c, name, &len)) != NULL) {
			if (get_name(s, path, named, len, err, errlen) != 0)
				goto out;
		} else if (strcmp(name, "video_args") == 0) {
			if (get_video_args(s, path, c, err, errlen) != 0)
				goto out;
		} else if (strcmp(name, "bell") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
				snprintf(err, errlen, "%s:%d: bell must be true "
				    "or false", path,
				    config_setting_source_line(s));
				goto out;
			}
			c->bell = config_setting_get_bool(s) != 0;
		} else if (strcmp(name, "password") == 0) {
			snprintf(err, errlen, "%s:%d: a password does not belong "
			    "in the configuration; klopf asks for it", path,
			    config_setting_source_line(s));
			goto out;
		} else {
			snprintf(err, errlen, "%s:%d: unknown setting \"%s\" "
			    "(known: server, user, bell, ca_file, web_address, "
			    "video, "
			    "video_program, video_source, audio_source, "
			    "video_sink, audio_sink, video_args)", path,
			    config_setting_source_line(s), name);
			goto out;
		}
	}
	rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}

bool
conf_is_loopback(const char *host)
{
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1) {
		static const unsigned char one[16] = {[15] = 1};
		static const unsigned char v4mapped[12] = {[10] = 0xff,
		    [11] = 0xff};

		return memcmp(a, one, 16) == 0 ||
		    (memcmp(a, v4mapped, 12) == 0 && a[12] == 127);
	}
	return false;
}

int
conf_parse_url(const char *url, struct con_url *u, char *err, size_t errlen)
{
	const char *p, *host, *hend, *path;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) == 0) {
		u->tls = true;
		p = url + 8;
	} else if (strncasecmp(url, "wss://", 6) == 0) {
		u->tls = true;
		p = url + 6;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else if (strncasecmp(url, "ws://", 5) == 0) {
		p = url + 5;
	} else {
		snprintf(err, errlen, "the server URL must start with https:// "
		    "(or http:// for this machine)");
		return -1;
	}
	u->port = u->tls ? 443 : 80;
	if (*p == '[') {
		host = p + 1;
		hend = strchr(host, ']');
		if (hend == NULL) {
			snprintf(err, errlen, "the server URL has a \"[\" "
			    "without \"]\"");
			return -1;
		}
		p = hend + 1;
	} else {
		host = p;
		hend = p + strcspn(p, ":/?#");
		p = hend;
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0 || hlen >= sizeof(u->host)) {
		snprintf(err, errlen, "the server URL has no host name");
		return -1;
	}
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	for (size_t i = 0; i < hlen; i++) {
		unsigned char ch = (unsigned char)u->host[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '@' || ch == '%') {
			snprintf(err, errlen, "the server URL has a host name "
			    "with characters that do not belong there");
			return -1;
		}
	}
	if (*p == ':') {
		char *end;
		long port;

		errno = 0;
		port = strtol(p + 1, &end, 10);
		if (end == p + 1 || errno != 0 || port < 1 || port > 65535 ||
		    (*end != '\0' && *end != '/')) {
			snprintf(err, errlen, "the server URL has a bad port");
			return -1;
		}
		u->port = (int)port;
		p = end;
	}
	if (*p != '\0' && *p != '/') {
		snprintf(err, errlen, "the server URL must not have a query or "
		    "fragment");
		return -1;
	}
	path = *p == '/' ? p : "/";
	if (strpbrk(path, "?# \t") != NULL) {
		snprintf(err, errlen, "the server URL must not have a query or "
		    "fragment");
		return -1;
	}
	{
		size_t len = strlen(path);
		const char *sep;

		while (len > 1 && path[len - 1] == '/')
			len--;
		if (len >= 3 && strncmp(path + len - 3, "/ws", 3) == 0)
			sep = "";
		else
			sep = len == 1 ? "ws" : "/ws";
		if (len + strlen(sep) + 1 > sizeof(u->path)) {
			snprintf(err, errlen, "the server URL is too long");
			return -1;
		}
		memcpy(u->path, path, len);
		snprintf(u->path + len, sizeof(u->path) - len, "%s", sep);
	}
	if (!u->tls && !conf_is_loopback(u->host)) {
		snprintf(err, errlen, "plain http:// is only for this machine "
		    "(127.0.0.1, ::1, localhost): use https://%s", u->host);
		return -1;
	}
	return 0;
}

int
conf_web_address(const struct con_url *u, char *out, size_t len)
{
	char port[8] = "";
	size_t plen = strlen(u->path);
	bool v6 = strchr(u->host, ':') != NULL;
	int n;

	if (u->port != (u->tls ? 443 : 80))
		snprintf(port, sizeof(port), ":%d", u->port);
	/* the path ends in "ws": the web client is at what comes before */
	if (plen >= 2 && strcmp(u->path + plen - 2, "ws") == 0)
		plen -= 2;
	n = snprintf(out, len, "%s://%s%s%s%s%.*s", u->tls ? "https" : "http",
	    v6 ? "[" : "", u->host, v6 ? "]" : "", port, (int)plen, u->path);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}
