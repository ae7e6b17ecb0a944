/*
 * secret: see secret.h. The credential never reaches argv, the
 * environment or the log.
 */
#include "secret.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
copy_field(json_t *root, const char *name, bool required, char *out,
    size_t outlen, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, name);
	const char *s;

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "the secret has no \"%s\"", name);
		return -1;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"%s\" in the secret is not a string",
		    name);
		return -1;
	}
	s = json_string_value(v);
	if (strlen(s) >= outlen || (required && s[0] == '\0')) {
		snprintf(err, errlen, "\"%s\" in the secret is empty or too "
		    "long", name);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Exactly one of "token" and "session". */
static int
copy_credential(json_t *root, struct video_secret *s, char *err,
    size_t errlen)
{
	json_t *tok = json_object_get(root, "token");
	json_t *ses = json_object_get(root, "session");
	bool has_tok = tok != NULL && !json_is_null(tok);
	bool has_ses = ses != NULL && !json_is_null(ses);

	if (has_tok && has_ses) {
		snprintf(err, errlen, "the secret has both \"token\" and "
		    "\"session\"; give only one");
		return -1;
	}
	if (!has_tok && !has_ses) {
		snprintf(err, errlen, "the secret has no \"token\" (nor a "
		    "\"session\")");
		return -1;
	}
	if (has_tok)
		return copy_field(root, "token", true, s->token,
		    sizeof(s->token), err, errlen);
	return copy_field(root, "session", true, s->session,
	    sizeof(s->session), err, errlen);
}

static int
parse_opened_at(json_t *root, struct video_secret *s, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(root, "opened_at");
	GDateTime *t;

	if (v == NULL || json_is_null(v))
		return 0;
	t = json_is_string(v) ? g_date_time_new_from_iso8601(
	    json_string_value(v), NULL) : NULL;
	if (t == NULL) {
		snprintf(err, errlen, "\"opened_at\" in the secret is not an "
		    "ISO 8601 time with its offset");
		return -1;
	}
	s->opened_at = g_date_time_to_unix(t) * G_USEC_PER_SEC +
	    g_date_time_get_microsecond(t);
	g_date_time_unref(t);
	return 0;
}

int
secret_parse(const char *text, size_t len, struct video_secret *s,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *room;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL || !json_is_object(root)) {
		/* je.text may quote the input: say only where */
		snprintf(err, errlen, "the secret is not one JSON object "
		    "(near byte %d)", root == NULL ? je.position : 0);
		goto out;
	}
	if (copy_field(root, "server", true, s->server, sizeof(s->server),
	    err, errlen) != 0 ||
	    copy_credential(root, s, err, errlen) != 0 ||
	    copy_field(root, "office", false, s->office, sizeof(s->office),
	    err, errlen) != 0 ||
	    copy_field(root, "ca_file", false, s->ca_file,
	    sizeof(s->ca_file), err, errlen) != 0)
		goto out;
	if (parse_opened_at(root, s, err, errlen) != 0)
		goto out;
	room = json_object_get(root, "room");
	if (!json_is_integer(room) || json_integer_value(room) <= 0) {
		snprintf(err, errlen, "\"room\" in the secret is not a "
		    "positive integer");
		goto out;
	}
	s->room = (uint64_t)json_integer_value(room);
	rc = 0;
out:
	if (root != NULL) {
		/* jansson keeps its own copy of the credential */
		static const char *const names[] = {"session", "token"};

		for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
			json_t *v = json_object_get(root, names[i]);

			if (json_is_string(v))
				explicit_bzero((char *)json_string_value(v),
				    json_string_length(v));
		}
		json_decref(root);
	}
	if (rc != 0)
		secret_wipe(s);
	return rc;
}

int
secret_read_fd(int fd, struct video_secret *s, char *err, size_t errlen)
{
	char buf[SECRET_MAX];
	size_t len = 0;
	int rc;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read the secret from "
			    "descriptor %d: %s", fd, strerror(errno));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf)) {
			snprintf(err, errlen, "the secret on descriptor %d is "
			    "longer than %d bytes", fd, SECRET_MAX);
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
	}
	close(fd);
	rc = secret_parse(buf, len, s, err, errlen);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

void
secret_wipe(struct video_secret *s)
{
	explicit_bzero(s->session, sizeof(s->session));
	explicit_bzero(s->token, sizeof(s->token));
}
