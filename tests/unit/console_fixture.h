/*
 * console_fixture: shared by the console's unit tests. Feeds server
 * messages (JSON text, decoded by the real codec) into a console state and
 * takes the requests it queued; brings a state online as clerk "anna" of
 * the offices amt-a and amt-b with a small queue, the way klopfd does
 * after a login.
 */
#ifndef KLOPF_TEST_CONSOLE_FIXTURE_H
#define KLOPF_TEST_CONSOLE_FIXTURE_H

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "keys.h"
#include "proto.h"
#include "state.h"
#include "text.h"

#define T0 1790000000000LL      /* "now" of the tests, ms */

static inline void
feed_at(struct con_state *st, const char *json, int64_t now, int line)
{
	struct proto_msg m;
	struct proto_error e;

	if (proto_decode(json, strlen(json), PROTO_FROM_SERVER, &m, &e) != 0) {
		json_decref(e.id);
		fail_msg("line %d: the fixture message %s does not decode: %s",
		    line, json, e.message);
	}
	state_apply(st, &m, now);
	proto_msg_fini(&m);
}

#define feed(st, json) feed_at((st), (json), T0, __LINE__)

/* Takes the next queued request, which must be of this type; the caller
 * frees it with state_msg_free. */
static inline json_t *
take_at(struct con_state *st, const char *type, int line)
{
	json_t *m = state_outbox_pop(st);
	const char *t;

	if (m == NULL)
		fail_msg("line %d: no request queued, expected \"%s\"", line, type);
	t = json_string_value(json_object_get(m, "type"));
	if (t == NULL || strcmp(t, type) != 0) {
		char *s = json_dumps(m, JSON_COMPACT);

		fail_msg("line %d: queued %s, expected \"%s\"", line, s, type);
	}
	if (!json_is_integer(json_object_get(m, "id")))
		fail_msg("line %d: request without an integer id", line);
	return m;
}

#define take(st, type) take_at((st), (type), __LINE__)

static inline long long
req_id(const json_t *m)
{
	return (long long)json_integer_value(json_object_get(m, "id"));
}

static inline const char *
req_str(const json_t *m, const char *k)
{
	return json_string_value(json_object_get(m, k));
}

static inline long long
req_int(const json_t *m, const char *k)
{
	return (long long)json_integer_value(json_object_get(m, k));
}

/* Types a whole UTF-8 string into whatever has the keyboard. */
static inline void
type_text(struct con_state *st, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		uint32_t cp;
		size_t n = text_decode(s, len, &cp);

		keys_press(st, (int)cp, T0);
		s += n;
		len -= n;
	}
}

/* Writes text to path (a configuration file for a test). */
static inline void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A fresh empty file for a configuration (path ends in XXXXXX). */
static inline void
conf_tmp(char *path)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
}

/* text as klopf.conf (written to path) must be refused, with an error that
 * begins with path and contains want. */
static inline void
conf_must_refuse(const char *path, const char *text, const char *want)
{
	struct con_conf c;
	char err[512] = "";

	conf_defaults(&c);
	write_file(path, text);
	if (conf_load(path, true, &c, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", text);
	if (strncmp(err, path, strlen(path)) != 0 || strstr(err, want) == NULL)
		fail_msg("for %s: said \"%s\", expected \"%s\"", text, err,
		    want);
}

#define QT(id, name, topic, lang) \
	"{\"id\":" #id ",\"name\":" name ",\"topic\":" topic ",\"lang\":\"" \
	lang "\",\"knocked_at\":\"2026-09-21T12:00:00+02:00\"," \
	"\"transferred_from\":null,\"message\":null,\"priority\":0}"

/* Connects, logs in with a typed password and receives the usual
 * welcome: anna at amt-a and amt-b, three waiting at amt-a. */
static inline void
online(struct con_state *st)
{
	char buf[2048];
	json_t *m;

	setlocale(LC_ALL, "C.UTF-8");
	state_init(st, "anna", "127.0.0.1:8080", true);
	assert_true(state_tick(st, T0));
	state_connecting(st, T0);
	state_connected(st, T0);
	feed(st, "{\"type\":\"welcome\",\"protocol\":1,\"max_message\":8192}");
	type_text(st, "geheim");
	keys_press(st, '\r', T0);
	m = take(st, "login");
	snprintf(buf, sizeof(buf), "{\"type\":\"welcome_clerk\",\"id\":%lld,"
	    "\"session\":\"0123456789abcdef0123456789abcdef\","
	    "\"clerk\":{\"name\":\"anna\",\"offices\":[\"amt-a\",\"amt-b\"]},"
	    "\"presence\":\"available\",\"presences\":{\"amt-a\":\"available\","
	    "\"amt-b\":\"available\"},\"room\":null,\"decline_messages\":["
	    "\"Bitte buchen Sie einen Termin.\",\"Heute nicht mehr.\"]}",
	    req_id(m));
	state_msg_free(m);
	feed(st, buf);
	feed(st, "{\"type\":\"queue\",\"office\":\"amt-a\",\"tickets\":["
	    QT(41, "\"Aylin\"", "\"Antrag\"", "de") ","
	    QT(42, "\"Jürgen Groß\"", "\"Wohngeld\"", "de") ","
	    QT(43, "null", "null", "ar") "]}");
	feed(st, "{\"type\":\"queue\",\"office\":\"amt-b\",\"tickets\":[]}");
	feed(st, "{\"type\":\"offices\",\"offices\":["
	    "{\"id\":\"amt-a\",\"name\":\"Amt A\",\"status\":\"open\",\"queue\":3,"
	    "\"wait\":600,\"anonymous\":false},"
	    "{\"id\":\"amt-b\",\"name\":\"Amt B\",\"status\":\"open\",\"queue\":0,"
	    "\"wait\":0,\"anonymous\":false},"
	    "{\"id\":\"beratung\",\"name\":\"Anonyme Beratung\",\"status\":"
	    "\"closed\",\"queue\":0,\"wait\":null,\"anonymous\":true}]}");
	assert_int_equal(st->conn, CON_ONLINE);
	assert_null(state_outbox_pop(st));
}

/* a: anna admits Aylin (ticket 41, the first of amt-a) and klopfd answers
 * with room 7. */
static inline void
admit_aylin(struct con_state *st)
{
	char buf[512];
	json_t *m;

	keys_press(st, 'a', T0);
	m = take(st, "admit");
	snprintf(buf, sizeof(buf), "{\"type\":\"room\",\"id\":%lld,\"room\":"
	    "{\"id\":7,\"office\":\"amt-a\",\"ticket\":41,\"opened_at\":"
	    "\"2026-09-21T12:05:00+02:00\",\"name\":\"Aylin\",\"topic\":"
	    "\"Antrag\"}}", req_id(m));
	state_msg_free(m);
	feed(st, buf);
	assert_true(st->has_room);
}

#endif
