/*
 * test_proto: the JSON protocol codec (doc/protocol.md). Every client and
 * server message type decodes with its fields readable; every kind of bad
 * input is refused with the documented code and field, and the request id
 * is handed back when it could be read; the encoding helpers produce the
 * documented shape. Everything decoded is freed again (the tests also run
 * with the leak checker).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

#define KNOCK_HEAD "{\"type\":\"knock\",\"id\":1,\"office\":\"buergeramt\"," \
	"\"consent\":true"

/* --- helpers ------------------------------------------------------------ */

static int
decode(const char *s, enum proto_side side, struct proto_msg *m,
    struct proto_error *e)
{
	return proto_decode(s, strlen(s), side, m, e);
}

/* Decodes s, which must be valid, and checks its type. The caller
 * finishes m. */
static void
decode_ok_at(const char *s, enum proto_side side, enum proto_type type,
    struct proto_msg *m, int line)
{
	struct proto_error e;

	if (decode(s, side, m, &e) != 0) {
		json_decref(e.id);
		fail_msg("line %d: %s refused: %s (field %s): %s", line, s,
		    e.code, e.field ? e.field : "-", e.message);
	}
	if (m->type != type)
		fail_msg("line %d: %s decoded as %s, not %s", line, s,
		    proto_type_name(m->type), proto_type_name(type));
	assert_non_null(m->root);
	assert_null(e.id);
}

#define decode_ok(s, type, m) \
	decode_ok_at((s), PROTO_FROM_CLIENT, (type), (m), __LINE__)
#define decode_ok_server(s, type, m) \
	decode_ok_at((s), PROTO_FROM_SERVER, (type), (m), __LINE__)

/* A valid client message that is only checked for its type. */
static void
accepted_at(const char *s, enum proto_side side, enum proto_type type,
    int line)
{
	struct proto_msg m;

	decode_ok_at(s, side, type, &m, line);
	proto_msg_fini(&m);
}

#define accepted(s, type) accepted_at((s), PROTO_FROM_CLIENT, (type), __LINE__)
#define accepted_server(s, type) \
	accepted_at((s), PROTO_FROM_SERVER, (type), __LINE__)

/* s must be refused with code and field (NULL: no field). If id_out is
 * not NULL it receives e->id (a reference the caller drops), else the id
 * is dropped here. */
static void
refused_at(const char *s, size_t len, enum proto_side side, const char *code,
    const char *field, json_t **id_out, int line)
{
	struct proto_msg m;
	struct proto_error e;

	if (proto_decode(s, len, side, &m, &e) != -1) {
		proto_msg_fini(&m);
		fail_msg("line %d: %s was accepted", line, s);
	}
	if (e.code == NULL || strcmp(e.code, code) != 0)
		fail_msg("line %d: %s: code %s, expected %s (%s)", line, s,
		    e.code ? e.code : "(null)", code, e.message);
	if (field == NULL ? e.field != NULL :
	    e.field == NULL || strcmp(e.field, field) != 0)
		fail_msg("line %d: %s: field %s, expected %s (%s)", line, s,
		    e.field ? e.field : "(null)", field ? field : "(null)",
		    e.message);
	assert_null(m.root);
	assert_null(m.id);
	assert_int_equal(m.type, PROTO_UNKNOWN);
	assert_true(strlen(e.message) > 10);
	assert_true(e.message[strlen(e.message) - 1] == '.');
	if (id_out != NULL)
		*id_out = e.id;
	else
		json_decref(e.id);
}

#define refused(s, code, field) \
	refused_at((s), strlen(s), PROTO_FROM_CLIENT, (code), (field), NULL, \
	    __LINE__)
#define refused_server(s, code, field) \
	refused_at((s), strlen(s), PROTO_FROM_SERVER, (code), (field), NULL, \
	    __LINE__)
#define refused_id(s, code, field, idp) \
	refused_at((s), strlen(s), PROTO_FROM_CLIENT, (code), (field), (idp), \
	    __LINE__)

/* out = unit repeated n times (out must be large enough). */
static char *
repeat(char *out, const char *unit, int n)
{
	size_t ul = strlen(unit);

	for (int i = 0; i < n; i++)
		memcpy(out + (size_t)i * ul, unit, ul);
	out[(size_t)n * ul] = '\0';
	return out;
}

/* A knock with one more field "name": "value" (value as JSON text). */
static char *
knock_with(char *buf, size_t len, const char *name, const char *json_value)
{
	int n = snprintf(buf, len, KNOCK_HEAD ",\"%s\":%s}", name, json_value);

	assert_true(n > 0 && (size_t)n < len);
	return buf;
}

/* A knock with "name": "<text>" (text inserted as is inside the quotes). */
static char *
knock_str(char *buf, size_t len, const char *field, const char *text)
{
	int n = snprintf(buf, len, KNOCK_HEAD ",\"%s\":\"%s\"}", field, text);

	assert_true(n > 0 && (size_t)n < len);
	return buf;
}

/* --- valid client messages --------------------------------------------- */

static void
test_decode_every_client_type(void **state)
{
	struct proto_msg m;

	decode_ok("{\"type\":\"watch_offices\",\"id\":1}", PROTO_WATCH_OFFICES,
	    &m);
	assert_true(json_is_integer(m.id));
	assert_int_equal(json_integer_value(m.id), 1);
	assert_string_equal(proto_type_name(m.type), "watch_offices");
	proto_msg_fini(&m);
	assert_null(m.root);
	proto_msg_fini(&m);     /* twice is harmless */

	decode_ok("{\"type\":\"knock\",\"id\":2,\"office\":\"elterngeld\","
	    "\"name\":\"Aylin\",\"topic\":\"Antrag\",\"consent\":true,"
	    "\"lang\":\"de\"}", PROTO_KNOCK, &m);
	assert_int_equal(json_integer_value(m.id), 2);
	assert_string_equal(proto_str(&m, "office"), "elterngeld");
	assert_string_equal(proto_str(&m, "name"), "Aylin");
	assert_string_equal(proto_str(&m, "topic"), "Antrag");
	assert_string_equal(proto_str(&m, "lang"), "de");
	assert_true(proto_bool(&m, "consent", false));
	assert_null(proto_str(&m, "missing"));
	assert_null(proto_str(&m, "consent"));     /* not a string */
	assert_int_equal(proto_int(&m, "ticket", -5), -5);
	assert_false(proto_bool(&m, "missing", false));
	assert_true(proto_bool(&m, "missing", true));
	assert_string_equal(proto_type_name(m.type), "knock");
	proto_msg_fini(&m);

	/* Optional fields absent or null. */
	decode_ok("{\"type\":\"knock\",\"id\":3,\"office\":\"wbs\","
	    "\"consent\":true,\"name\":null,\"topic\":null,\"lang\":null}",
	    PROTO_KNOCK, &m);
	assert_null(proto_str(&m, "name"));
	assert_null(proto_str(&m, "topic"));
	assert_null(proto_str(&m, "lang"));
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"resume\",\"id\":3,"
	    "\"token\":\"00112233445566778899aabbccddeeff\"}", PROTO_RESUME, &m);
	assert_string_equal(proto_str(&m, "token"),
	    "00112233445566778899aabbccddeeff");
	proto_msg_fini(&m);

	accepted("{\"type\":\"withdraw\",\"id\":4}", PROTO_WITHDRAW);

	decode_ok("{\"type\":\"login\",\"id\":5,\"user\":\"anna\","
	    "\"password\":\"geheim 123\",\"presence\":\"available\"}",
	    PROTO_LOGIN, &m);
	assert_string_equal(proto_str(&m, "user"), "anna");
	assert_string_equal(proto_str(&m, "password"), "geheim 123");
	assert_string_equal(proto_str(&m, "presence"), "available");
	proto_msg_fini(&m);
	decode_ok("{\"type\":\"login\",\"id\":5,\"user\":\"anna\","
	    "\"password\":\"x\"}", PROTO_LOGIN, &m);
	assert_null(proto_str(&m, "presence"));
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"session\",\"id\":6,\"session\":\"abcdef\","
	    "\"presence\":\"away\"}", PROTO_SESSION, &m);
	assert_string_equal(proto_str(&m, "session"), "abcdef");
	assert_string_equal(proto_str(&m, "presence"), "away");
	proto_msg_fini(&m);

	accepted("{\"type\":\"logout\",\"id\":7}", PROTO_LOGOUT);

	decode_ok("{\"type\":\"presence\",\"id\":8,\"presence\":\"away\","
	    "\"office\":\"elterngeld\"}", PROTO_PRESENCE, &m);
	assert_string_equal(proto_str(&m, "presence"), "away");
	assert_string_equal(proto_str(&m, "office"), "elterngeld");
	proto_msg_fini(&m);
	decode_ok("{\"type\":\"presence\",\"id\":8,\"presence\":\"available\"}",
	    PROTO_PRESENCE, &m);
	assert_null(proto_str(&m, "office"));
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"admit\",\"id\":9,\"ticket\":41}", PROTO_ADMIT, &m);
	assert_int_equal(proto_int(&m, "ticket", 0), 41);
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"decline\",\"id\":10,\"ticket\":41,"
	    "\"message\":\"Bitte buchen Sie einen Termin.\"}", PROTO_DECLINE, &m);
	assert_int_equal(proto_int(&m, "ticket", 0), 41);
	assert_string_equal(proto_str(&m, "message"),
	    "Bitte buchen Sie einen Termin.");
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"transfer\",\"id\":11,\"ticket\":41,"
	    "\"office\":\"wohnberechtigungsschein\",\"note\":\"WBS\"}",
	    PROTO_TRANSFER, &m);
	assert_int_equal(proto_int(&m, "ticket", 0), 41);
	assert_string_equal(proto_str(&m, "office"), "wohnberechtigungsschein");
	assert_string_equal(proto_str(&m, "note"), "WBS");
	proto_msg_fini(&m);
	decode_ok("{\"type\":\"transfer\",\"id\":11,\"ticket\":41,"
	    "\"office\":\"wbs\"}", PROTO_TRANSFER, &m);
	assert_null(proto_str(&m, "note"));
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"end\",\"id\":12,\"room\":7}", PROTO_END, &m);
	assert_int_equal(proto_int(&m, "room", 0), 7);
	proto_msg_fini(&m);

	/* Largest ticket number; whitespace around and inside. */
	decode_ok(" {\n\t\"type\" : \"admit\" , \"id\" : 1 ,\n"
	    "\"ticket\" : 9007199254740992 } \n", PROTO_ADMIT, &m);
	assert_int_equal(proto_int(&m, "ticket", 0), INT64_C(9007199254740992));
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"media_token\",\"id\":13,\"room\":7}",
	    PROTO_MEDIA_TOKEN, &m);
	assert_int_equal(proto_int(&m, "room", 0), 7);
	proto_msg_fini(&m);
	decode_ok("{\"type\":\"media_join\",\"id\":14,"
	    "\"token\":\"0123456789abcdef0123456789abcdef\"}", PROTO_MEDIA_JOIN,
	    &m);
	assert_string_equal(proto_str(&m, "token"),
	    "0123456789abcdef0123456789abcdef");
	proto_msg_fini(&m);
}

/* A media token is exactly 32 lower-case hex characters; anything else
 * is refused by the codec, naming the field, before klopfd looks it up. */
static void
test_media_token_must_be_32_hex(void **state)
{
	(void)state;
	refused("{\"type\":\"media_join\",\"id\":1}", "bad_message", "token");
	refused("{\"type\":\"media_join\",\"id\":1,\"token\":42}",
	    "bad_message", "token");
	refused("{\"type\":\"media_join\",\"id\":1,"
	    "\"token\":\"0123456789abcdef0123456789abcde\"}", "bad_message",
	    "token");
	refused("{\"type\":\"media_join\",\"id\":1,"
	    "\"token\":\"0123456789abcdef0123456789abcdef0\"}", "bad_message",
	    "token");
	refused("{\"type\":\"media_join\",\"id\":1,"
	    "\"token\":\"0123456789ABCDEF0123456789abcdef\"}", "bad_message",
	    "token");
	refused("{\"type\":\"media_join\",\"id\":1,"
	    "\"token\":\"0123456789abcdef0123456789abcdeg\"}", "bad_message",
	    "token");
	refused("{\"type\":\"media_token\",\"id\":1,\"room\":0}",
	    "bad_message", "room");
	refused("{\"type\":\"media_token\",\"id\":1}", "bad_message", "room");
	refused_server("{\"type\":\"media_token\",\"id\":1,\"room\":7,"
	    "\"token\":\"xyz\",\"expires_at\":1}", "bad_message", "token");
}

static void
test_ids_of_both_kinds_are_kept(void **state)
{
	struct proto_msg m;
	char buf[256], id64[65];

	decode_ok("{\"type\":\"logout\",\"id\":\"req-7\"}", PROTO_LOGOUT, &m);
	assert_true(json_is_string(m.id));
	assert_string_equal(json_string_value(m.id), "req-7");
	proto_msg_fini(&m);

	decode_ok("{\"id\":0,\"type\":\"logout\"}", PROTO_LOGOUT, &m);
	assert_int_equal(json_integer_value(m.id), 0);
	proto_msg_fini(&m);

	decode_ok("{\"type\":\"logout\",\"id\":9007199254740992}", PROTO_LOGOUT,
	    &m);
	assert_int_equal(json_integer_value(m.id), INT64_C(9007199254740992));
	proto_msg_fini(&m);

	snprintf(buf, sizeof(buf), "{\"type\":\"logout\",\"id\":\"%s\"}",
	    repeat(id64, "x", 64));
	decode_ok(buf, PROTO_LOGOUT, &m);
	assert_int_equal(json_string_length(m.id), 64);
	proto_msg_fini(&m);

	/* Pushes from the server have no id. */
	decode_ok_server("{\"type\":\"ok\"}", PROTO_S_OK, &m);
	assert_null(m.id);
	proto_msg_fini(&m);
}

static void
test_decode_every_server_type(void **state)
{
	struct proto_msg m;

	decode_ok_server("{\"type\":\"welcome\",\"protocol\":1,"
	    "\"server\":\"klopfd 0.1.0\",\"max_message\":8192}",
	    PROTO_S_WELCOME, &m);
	assert_int_equal(proto_int(&m, "protocol", 0), 1);
	assert_int_equal(proto_int(&m, "max_message", 0), 8192);
	assert_string_equal(proto_str(&m, "server"), "klopfd 0.1.0");
	proto_msg_fini(&m);

	decode_ok_server("{\"type\":\"error\",\"id\":7,\"code\":\"office_closed\","
	    "\"message\":\"The office is closed now.\"}", PROTO_S_ERROR, &m);
	assert_int_equal(json_integer_value(m.id), 7);
	assert_string_equal(proto_str(&m, "code"), "office_closed");
	proto_msg_fini(&m);

	accepted_server("{\"type\":\"ok\",\"id\":7}", PROTO_S_OK);
	accepted_server("{\"type\":\"offices\",\"id\":1,\"offices\":[{\"id\":"
	    "\"elterngeld\",\"status\":\"open\",\"queue\":3,\"wait\":1200,"
	    "\"opens_at\":null}]}", PROTO_S_OFFICES);
	accepted_server("{\"type\":\"office\",\"office\":{\"id\":\"wbs\"}}",
	    PROTO_S_OFFICE);
	accepted_server("{\"type\":\"knocked\",\"id\":2,\"token\":"
	    "\"00112233445566778899aabbccddeeff\",\"ticket\":{\"id\":41,"
	    "\"state\":\"waiting\",\"position\":3,\"wait\":1200}}",
	    PROTO_S_KNOCKED);
	accepted_server("{\"type\":\"ticket\",\"ticket\":{\"id\":41}}",
	    PROTO_S_TICKET);
	accepted_server("{\"type\":\"welcome_clerk\",\"id\":5,\"session\":"
	    "\"abc\",\"clerk\":{\"name\":\"anna\",\"offices\":[\"elterngeld\"]},"
	    "\"presence\":\"in_consultation\",\"room\":null,"
	    "\"decline_messages\":[\"Bitte buchen Sie einen Termin.\"]}",
	    PROTO_S_WELCOME_CLERK);

	decode_ok_server("{\"type\":\"presence\",\"presence\":\"in_consultation\","
	    "\"office\":\"elterngeld\"}", PROTO_S_PRESENCE, &m);
	assert_string_equal(proto_str(&m, "presence"), "in_consultation");
	proto_msg_fini(&m);
	accepted_server("{\"type\":\"presence\",\"presence\":\"offline\","
	    "\"office\":\"elterngeld\"}", PROTO_S_PRESENCE);

	accepted_server("{\"type\":\"queue\",\"office\":\"elterngeld\","
	    "\"tickets\":[]}", PROTO_S_QUEUE);
	decode_ok_server("{\"type\":\"queue_add\",\"office\":\"elterngeld\","
	    "\"position\":3,\"ticket\":{\"id\":41,\"name\":null}}",
	    PROTO_S_QUEUE_ADD, &m);
	assert_int_equal(proto_int(&m, "position", 0), 3);
	proto_msg_fini(&m);
	decode_ok_server("{\"type\":\"queue_remove\",\"office\":\"elterngeld\","
	    "\"ticket\":41,\"state\":\"admitted\"}", PROTO_S_QUEUE_REMOVE, &m);
	assert_string_equal(proto_str(&m, "state"), "admitted");
	assert_int_equal(proto_int(&m, "ticket", 0), 41);
	proto_msg_fini(&m);
	accepted_server("{\"type\":\"room\",\"id\":9,\"room\":{\"id\":7,"
	    "\"office\":\"elterngeld\",\"ticket\":41}}", PROTO_S_ROOM);
	decode_ok_server("{\"type\":\"transferred\",\"id\":11,\"ticket\":58}",
	    PROTO_S_TRANSFERRED, &m);
	assert_int_equal(proto_int(&m, "ticket", 0), 58);
	proto_msg_fini(&m);
	decode_ok_server("{\"type\":\"room_closed\",\"room\":7}",
	    PROTO_S_ROOM_CLOSED, &m);
	assert_int_equal(proto_int(&m, "room", 0), 7);
	assert_null(m.id);
	proto_msg_fini(&m);
	decode_ok_server("{\"type\":\"media_token\",\"id\":13,\"room\":7,"
	    "\"token\":\"0123456789abcdef0123456789abcdef\","
	    "\"expires_at\":1764000060}", PROTO_S_MEDIA_TOKEN, &m);
	assert_int_equal(proto_int(&m, "expires_at", 0), 1764000060);
	proto_msg_fini(&m);
	accepted_server("{\"type\":\"media_joined\",\"id\":14,\"room\":"
	    "{\"id\":7,\"office\":\"amt-a\",\"office_name\":\"Amt A\"}}",
	    PROTO_S_MEDIA_JOINED);

	/* Every ticket state can be reported in queue_remove. */
	{
		static const char *const states[] = {"waiting", "admitted",
		    "done", "declined", "withdrawn", "expired", "transferred"};
		char buf[200];

		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			snprintf(buf, sizeof(buf), "{\"type\":\"queue_remove\","
			    "\"office\":\"x\",\"ticket\":1,\"state\":\"%s\"}",
			    states[i]);
			accepted_server(buf, PROTO_S_QUEUE_REMOVE);
		}
	}
}

static void
test_server_messages_are_validated_too(void **state)
{
	refused_server("{\"type\":\"welcome\"}", "bad_message", "protocol");
	refused_server("{\"type\":\"welcome\",\"protocol\":0}", "bad_message",
	    "protocol");
	refused_server("{\"type\":\"error\",\"message\":\"x\"}", "bad_message",
	    "code");
	refused_server("{\"type\":\"knocked\",\"ticket\":{}}", "bad_message",
	    "token");
	refused_server("{\"type\":\"queue_remove\",\"office\":\"x\",\"ticket\":1,"
	    "\"state\":\"gone\"}", "bad_message", "state");
	refused_server("{\"type\":\"queue_add\",\"office\":\"x\",\"position\":0,"
	    "\"ticket\":{}}", "bad_message", "position");
	refused_server("{\"type\":\"presence\",\"presence\":\"busy\","
	    "\"office\":\"x\"}", "bad_message", "presence");
	refused_server("{\"type\":\"transferred\",\"ticket\":\"58\"}",
	    "bad_message", "ticket");
	refused_server("{\"type\":\"ok\",\"id\":-1}", "bad_message", "id");
	refused_server("{\"type\":\"room_closed\"}", "bad_message", "room");
	refused_server("{\"type\":\"room_closed\",\"room\":\"7\"}",
	    "bad_message", "room");
	refused_server("[]", "bad_json", NULL);
}

/* --- refused input ----------------------------------------------------- */

static void
test_not_json_is_bad_json(void **state)
{
	static const char *const bad[] = {
		"", " ", "nope", "{", "}", "{\"type\":\"logout\",\"id\":1",
		"{'type':'logout','id':1}", "{type:\"logout\",\"id\":1}",
		"{\"type\":\"logout\",\"id\":1,}",
		"{\"type\":\"logout\",\"id\":1}{}",
		"{\"type\":\"logout\",\"id\":1} x",
		"{\"type\":\"logout\",\"id\":01}",
		"{\"type\":\"logout\",\"id\":99999999999999999999}",
		/* invalid UTF-8, a lone surrogate, a raw control character */
		"{\"type\":\"knock\",\"id\":1,\"office\":\"\xff\xfe\"}",
		"{\"type\":\"knock\",\"id\":1,\"office\":\"\xc0\xaf\"}",
		"{\"type\":\"knock\",\"id\":1,\"name\":\"\\ud800\"}",
		"{\"type\":\"knock\",\"id\":1,\"name\":\"a\tb\"}",
		/* not objects */
		"[]", "[{\"type\":\"logout\",\"id\":1}]", "5", "-1.5",
		"\"logout\"", "null", "true", "false",
	};
	json_t *id = (json_t *)1;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(bad[i], "bad_json", NULL);
		refused_server(bad[i], "bad_json", NULL);
	}
	/* No id can be read from what is not an object. */
	refused_id("[{\"type\":\"logout\",\"id\":1}]", "bad_json", NULL, &id);
	assert_null(id);
	id = (json_t *)1;
	refused_id("{\"type\":\"logout\",\"id\":1", "bad_json", NULL, &id);
	assert_null(id);

	/* A NUL byte inside the frame, and a frame cut short. */
	refused_at("{\"type\":\"logout\",\"id\":1}\0zz", 27, PROTO_FROM_CLIENT,
	    "bad_json", NULL, NULL, __LINE__);
	refused_at("{\"type\":\"logout\",\"id\":1}", 10, PROTO_FROM_CLIENT,
	    "bad_json", NULL, NULL, __LINE__);
	refused_at("", 0, PROTO_FROM_CLIENT, "bad_json", NULL, NULL, __LINE__);
}

static void
test_frame_length_is_respected(void **state)
{
	static const char frame[] = "{\"type\":\"logout\",\"id\":1}GARBAGE";
	struct proto_msg m;
	struct proto_error e;

	assert_int_equal(proto_decode(frame, strlen(frame) - 7,
	    PROTO_FROM_CLIENT, &m, &e), 0);
	assert_int_equal(m.type, PROTO_LOGOUT);
	proto_msg_fini(&m);
}

static void
test_missing_or_bad_type_is_bad_message(void **state)
{
	json_t *id = NULL;

	refused_id("{\"id\":1}", "bad_message", "type", &id);
	assert_non_null(id);
	assert_int_equal(json_integer_value(id), 1);
	json_decref(id);
	refused("{}", "bad_message", "type");
	refused("{\"type\":5,\"id\":1}", "bad_message", "type");
	refused("{\"type\":null,\"id\":1}", "bad_message", "type");
	refused("{\"type\":[\"knock\"],\"id\":1}", "bad_message", "type");
	refused("{\"type\":{\"name\":\"knock\"},\"id\":1}", "bad_message", "type");
	refused("{\"type\":true,\"id\":1}", "bad_message", "type");
}

static void
test_unknown_type(void **state)
{
	json_t *id = NULL;

	refused_id("{\"type\":\"dance\",\"id\":1}", "unknown_type", "type", &id);
	assert_int_equal(json_integer_value(id), 1);
	json_decref(id);
	refused("{\"type\":\"\",\"id\":1}", "unknown_type", "type");
	refused("{\"type\":\"Knock\",\"id\":1}", "unknown_type", "type");
	refused("{\"type\":\"knock \",\"id\":1}", "unknown_type", "type");
	refused("{\"type\":\"unknown\",\"id\":1}", "unknown_type", "type");
	/* A long type name does not overflow the message. */
	{
		char buf[2100], name[2001];

		snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"id\":1}",
		    repeat(name, "y", 2000));
		refused(buf, "unknown_type", "type");
	}
}

static void
test_missing_id_on_a_request(void **state)
{
	static const char *const requests[] = {
		"{\"type\":\"watch_offices\"}",
		"{\"type\":\"knock\",\"office\":\"wbs\",\"consent\":true}",
		"{\"type\":\"resume\",\"token\":\"abc\"}",
		"{\"type\":\"withdraw\"}",
		"{\"type\":\"login\",\"user\":\"anna\",\"password\":\"x\"}",
		"{\"type\":\"session\",\"session\":\"abc\"}",
		"{\"type\":\"logout\"}",
		"{\"type\":\"presence\",\"presence\":\"away\"}",
		"{\"type\":\"admit\",\"ticket\":1}",
		"{\"type\":\"decline\",\"ticket\":1,\"message\":\"Nein.\"}",
		"{\"type\":\"transfer\",\"ticket\":1,\"office\":\"wbs\"}",
		"{\"type\":\"end\",\"room\":1}",
	};

	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		refused(requests[i], "bad_message", "id");
}

static void
test_id_of_wrong_type_or_range(void **state)
{
	static const char *const bad[] = {
		"{\"type\":\"logout\",\"id\":{}}",
		"{\"type\":\"logout\",\"id\":{\"n\":1}}",
		"{\"type\":\"logout\",\"id\":[1]}",
		"{\"type\":\"logout\",\"id\":-1}",
		"{\"type\":\"logout\",\"id\":9007199254740993}",
		"{\"type\":\"logout\",\"id\":9223372036854775807}",
		"{\"type\":\"logout\",\"id\":1.5}",
		"{\"type\":\"logout\",\"id\":1.0}",
		"{\"type\":\"logout\",\"id\":1e3}",
		"{\"type\":\"logout\",\"id\":true}",
		"{\"type\":\"logout\",\"id\":null}",
		"{\"type\":\"logout\",\"id\":\"\"}",
	};
	char buf[256], id65[66];
	json_t *id = (json_t *)1;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], "bad_message", "id");

	snprintf(buf, sizeof(buf), "{\"type\":\"logout\",\"id\":\"%s\"}",
	    repeat(id65, "x", 65));
	refused_id(buf, "bad_message", "id", &id);
	/* An id that is not valid is not echoed. */
	assert_null(id);
}

static void
test_fields_of_wrong_type(void **state)
{
	/* knock */
	refused("{\"type\":\"knock\",\"id\":1,\"office\":5,\"consent\":true}",
	    "bad_message", "office");
	refused("{\"type\":\"knock\",\"id\":1,\"office\":null,\"consent\":true}",
	    "bad_message", "office");
	refused("{\"type\":\"knock\",\"id\":1,\"consent\":true}",
	    "bad_message", "office");
	refused("{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\","
	    "\"consent\":\"true\"}", "bad_message", "consent");
	refused("{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\",\"consent\":1}",
	    "bad_message", "consent");
	refused("{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\"}",
	    "bad_message", "consent");
	refused("{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\","
	    "\"consent\":null}", "bad_message", "consent");
	refused(KNOCK_HEAD ",\"name\":42}", "bad_message", "name");
	refused(KNOCK_HEAD ",\"name\":[\"Aylin\"]}", "bad_message", "name");
	refused(KNOCK_HEAD ",\"topic\":{}}", "bad_message", "topic");
	refused(KNOCK_HEAD ",\"topic\":false}", "bad_message", "topic");
	refused(KNOCK_HEAD ",\"lang\":7}", "bad_message", "lang");

	/* tickets and rooms: positive whole numbers up to 2^53 */
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":\"41\"}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":0}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":-41}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":41.0}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":true}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":null}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":9007199254740993}",
	    "bad_message", "ticket");
	refused("{\"type\":\"admit\",\"id\":1}", "bad_message", "ticket");
	refused("{\"type\":\"end\",\"id\":1,\"room\":0}", "bad_message", "room");
	refused("{\"type\":\"end\",\"id\":1,\"room\":\"7\"}", "bad_message",
	    "room");
	refused("{\"type\":\"decline\",\"id\":1,\"ticket\":\"1\","
	    "\"message\":\"x\"}", "bad_message", "ticket");
	refused("{\"type\":\"decline\",\"id\":1,\"ticket\":1}",
	    "bad_message", "message");
	refused("{\"type\":\"decline\",\"id\":1,\"ticket\":1,\"message\":7}",
	    "bad_message", "message");
	refused("{\"type\":\"transfer\",\"id\":1,\"ticket\":1}",
	    "bad_message", "office");
	refused("{\"type\":\"transfer\",\"id\":1,\"ticket\":1,\"office\":3}",
	    "bad_message", "office");
	refused("{\"type\":\"transfer\",\"id\":1,\"ticket\":1,\"office\":\"wbs\","
	    "\"note\":1}", "bad_message", "note");

	/* clerks */
	refused("{\"type\":\"login\",\"id\":1,\"user\":\"anna\"}",
	    "bad_message", "password");
	refused("{\"type\":\"login\",\"id\":1,\"password\":\"x\"}",
	    "bad_message", "user");
	refused("{\"type\":\"login\",\"id\":1,\"user\":7,\"password\":\"x\"}",
	    "bad_message", "user");
	refused("{\"type\":\"session\",\"id\":1}", "bad_message", "session");
	refused("{\"type\":\"resume\",\"id\":1}", "bad_message", "token");
	refused("{\"type\":\"resume\",\"id\":1,\"token\":123}", "bad_message",
	    "token");
	refused("{\"type\":\"presence\",\"id\":1}", "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":\"away\","
	    "\"office\":1}", "bad_message", "office");
}

static void
test_string_length_limits(void **state)
{
	char buf[4096], text[2100];

	/* name 1..64 bytes */
	accepted(knock_str(buf, sizeof(buf), "name", repeat(text, "n", 64)),
	    PROTO_KNOCK);
	refused(knock_str(buf, sizeof(buf), "name", repeat(text, "n", 65)),
	    "bad_message", "name");
	refused(knock_str(buf, sizeof(buf), "name", ""), "bad_message", "name");
	accepted(knock_str(buf, sizeof(buf), "name", "A"), PROTO_KNOCK);
	/* counted in bytes of UTF-8, not characters or escapes */
	accepted(knock_str(buf, sizeof(buf), "name", repeat(text, "ö", 32)),
	    PROTO_KNOCK);
	repeat(text, "ö", 32);
	strcat(text, "a");
	refused(knock_str(buf, sizeof(buf), "name", text), "bad_message",
	    "name");
	accepted(knock_str(buf, sizeof(buf), "name",
	    repeat(text, "\\u00f6", 32)), PROTO_KNOCK);
	refused(knock_str(buf, sizeof(buf), "name",
	    repeat(text, "\\u20ac", 22)), "bad_message", "name");   /* 66 */
	accepted(knock_str(buf, sizeof(buf), "name",
	    repeat(text, "\\u20ac", 21)), PROTO_KNOCK);             /* 63 */

	/* topic 0..200 */
	accepted(knock_str(buf, sizeof(buf), "topic", repeat(text, "t", 200)),
	    PROTO_KNOCK);
	refused(knock_str(buf, sizeof(buf), "topic", repeat(text, "t", 201)),
	    "bad_message", "topic");
	accepted(knock_str(buf, sizeof(buf), "topic", ""), PROTO_KNOCK);

	/* office 1..32 */
	snprintf(buf, sizeof(buf), "{\"type\":\"knock\",\"id\":1,\"consent\":true,"
	    "\"office\":\"%s\"}", repeat(text, "o", 32));
	accepted(buf, PROTO_KNOCK);
	snprintf(buf, sizeof(buf), "{\"type\":\"knock\",\"id\":1,\"consent\":true,"
	    "\"office\":\"%s\"}", repeat(text, "o", 33));
	refused(buf, "bad_message", "office");
	refused("{\"type\":\"knock\",\"id\":1,\"consent\":true,\"office\":\"\"}",
	    "bad_message", "office");

	/* lang 2..5 */
	accepted(knock_str(buf, sizeof(buf), "lang", "de-AT"), PROTO_KNOCK);
	accepted(knock_str(buf, sizeof(buf), "lang", "en"), PROTO_KNOCK);
	refused(knock_str(buf, sizeof(buf), "lang", "d"), "bad_message", "lang");
	refused(knock_str(buf, sizeof(buf), "lang", "de-ATX"), "bad_message",
	    "lang");

	/* decline message 1..500, transfer note 0..500 */
	snprintf(buf, sizeof(buf), "{\"type\":\"decline\",\"id\":1,\"ticket\":1,"
	    "\"message\":\"%s\"}", repeat(text, "m", 500));
	accepted(buf, PROTO_DECLINE);
	snprintf(buf, sizeof(buf), "{\"type\":\"decline\",\"id\":1,\"ticket\":1,"
	    "\"message\":\"%s\"}", repeat(text, "m", 501));
	refused(buf, "bad_message", "message");
	refused("{\"type\":\"decline\",\"id\":1,\"ticket\":1,\"message\":\"\"}",
	    "bad_message", "message");
	snprintf(buf, sizeof(buf), "{\"type\":\"transfer\",\"id\":1,\"ticket\":1,"
	    "\"office\":\"wbs\",\"note\":\"%s\"}", repeat(text, "n", 500));
	accepted(buf, PROTO_TRANSFER);
	snprintf(buf, sizeof(buf), "{\"type\":\"transfer\",\"id\":1,\"ticket\":1,"
	    "\"office\":\"wbs\",\"note\":\"%s\"}", repeat(text, "n", 501));
	refused(buf, "bad_message", "note");
	accepted("{\"type\":\"transfer\",\"id\":1,\"ticket\":1,\"office\":\"wbs\","
	    "\"note\":\"\"}", PROTO_TRANSFER);

	/* tokens and sessions 1..64, passwords 1..1024 */
	snprintf(buf, sizeof(buf), "{\"type\":\"resume\",\"id\":1,"
	    "\"token\":\"%s\"}", repeat(text, "a", 64));
	accepted(buf, PROTO_RESUME);
	snprintf(buf, sizeof(buf), "{\"type\":\"resume\",\"id\":1,"
	    "\"token\":\"%s\"}", repeat(text, "a", 65));
	refused(buf, "bad_message", "token");
	refused("{\"type\":\"resume\",\"id\":1,\"token\":\"\"}", "bad_message",
	    "token");
	snprintf(buf, sizeof(buf), "{\"type\":\"login\",\"id\":1,\"user\":\"anna\","
	    "\"password\":\"%s\"}", repeat(text, "p", 1024));
	accepted(buf, PROTO_LOGIN);
	snprintf(buf, sizeof(buf), "{\"type\":\"login\",\"id\":1,\"user\":\"anna\","
	    "\"password\":\"%s\"}", repeat(text, "p", 1025));
	refused(buf, "bad_message", "password");
	refused("{\"type\":\"login\",\"id\":1,\"user\":\"\",\"password\":\"x\"}",
	    "bad_message", "user");
	refused("{\"type\":\"session\",\"id\":1,\"session\":\"\"}",
	    "bad_message", "session");
}

static void
test_control_characters_refused_in_texts(void **state)
{
	static const char *const controls[] = {
		"a\\nb", "a\\rb", "a\\tb", "\\u0001", "x\\u001b[31mrot",
		"x\\u001f", "x\\u007f", "\\b", "\\f",
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		refused(knock_str(buf, sizeof(buf), "name", controls[i]),
		    "bad_message", "name");
		refused(knock_str(buf, sizeof(buf), "topic", controls[i]),
		    "bad_message", "topic");
		snprintf(buf, sizeof(buf), "{\"type\":\"decline\",\"id\":1,"
		    "\"ticket\":1,\"message\":\"Nein%s\"}", controls[i]);
		refused(buf, "bad_message", "message");
		snprintf(buf, sizeof(buf), "{\"type\":\"transfer\",\"id\":1,"
		    "\"ticket\":1,\"office\":\"wbs\",\"note\":\"%s\"}",
		    controls[i]);
		refused(buf, "bad_message", "note");
	}
}

static void
test_invisible_direction_and_c1_controls_refused_in_texts(void **state)
{
	/* C1 controls and bidi overrides/isolates could disguise text on a
	 * clerk's terminal; the plain marks LRM/RLM are allowed. */
	static const char *const bad[] = {
		"\\u0080", "x\\u009b2J", "\\u202atext", "abc\\u202e",
		"\\u2066x", "x\\u2069",
	};
	static const char *const good[] = {"\\u200e\\u0645\\u0631\\u064a\\u0645",
	    "x\\u200f", "\\u00a0Name"};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(knock_str(buf, sizeof(buf), "name", bad[i]),
		    "bad_message", "name");
		refused(knock_str(buf, sizeof(buf), "topic", bad[i]),
		    "bad_message", "topic");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		accepted(knock_str(buf, sizeof(buf), "name", good[i]),
		    PROTO_KNOCK);
}

static void
test_lang_must_be_a_language_code(void **state)
{
	static const char *const bad[] = {"d", "DE", "de_DE", "de-de",
	    "\\u001b[2J", "de-", "abcd", "12", "de-BRA"};
	static const char *const good[] = {"de", "en", "tr", "ckb", "pt-BR"};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"knock\",\"id\":1,"
		    "\"office\":\"a\",\"consent\":true,\"lang\":\"%s\"}", bad[i]);
		refused(buf, "bad_message", "lang");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"knock\",\"id\":1,"
		    "\"office\":\"a\",\"consent\":true,\"lang\":\"%s\"}", good[i]);
		accepted(buf, PROTO_KNOCK);
	}
}

static void
test_utf8_text_is_accepted(void **state)
{
	static const char *const names[] = {
		"Jürgen Weiß", "ÖÄÜ öäü ß", "محمد عبد الله", "Алексей Петров",
		"李小龍", "Zoë 😀", "José-María O'Neil", "\"Spitzname\"",
	};
	struct proto_msg m;
	char buf[512], json[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* Let jansson write the JSON string, quotes escaped. */
		json_t *s = json_string(names[i]);
		char *enc = json_dumps(s, JSON_ENCODE_ANY);

		assert_non_null(enc);
		snprintf(json, sizeof(json), "%s", enc);
		free(enc);
		json_decref(s);
		decode_ok(knock_with(buf, sizeof(buf), "name", json), PROTO_KNOCK,
		    &m);
		assert_string_equal(proto_str(&m, "name"), names[i]);
		proto_msg_fini(&m);
	}
	/* Escaped non-ASCII characters decode to UTF-8. */
	decode_ok(knock_str(buf, sizeof(buf), "topic",
	    "Stra\\u00dfe \\u0627\\u0644"), PROTO_KNOCK, &m);
	assert_string_equal(proto_str(&m, "topic"), "Straße ال");
	proto_msg_fini(&m);
	decode_ok(knock_str(buf, sizeof(buf), "topic", "\\ud83d\\ude00"),
	    PROTO_KNOCK, &m);
	assert_string_equal(proto_str(&m, "topic"), "😀");
	proto_msg_fini(&m);
	/* Tokens and passwords may hold anything printable. */
	accepted("{\"type\":\"login\",\"id\":1,\"user\":\"anna\","
	    "\"password\":\"Pässwört ∑ 😀 \\\" \\\\\"}", PROTO_LOGIN);
}

static void
test_enum_values(void **state)
{
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":\"busy\"}",
	    "bad_message", "presence");
	/* Only the server reports these. */
	refused("{\"type\":\"presence\",\"id\":1,"
	    "\"presence\":\"in_consultation\"}", "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":\"offline\"}",
	    "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":\"Available\"}",
	    "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":\"\"}",
	    "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":1}",
	    "bad_message", "presence");
	refused("{\"type\":\"presence\",\"id\":1,\"presence\":null}",
	    "bad_message", "presence");
	refused("{\"type\":\"login\",\"id\":1,\"user\":\"anna\",\"password\":"
	    "\"x\",\"presence\":\"busy\"}", "bad_message", "presence");
	refused("{\"type\":\"session\",\"id\":1,\"session\":\"abc\","
	    "\"presence\":\"in_consultation\"}", "bad_message", "presence");
	accepted("{\"type\":\"login\",\"id\":1,\"user\":\"anna\",\"password\":"
	    "\"x\",\"presence\":\"away\"}", PROTO_LOGIN);
	accepted("{\"type\":\"session\",\"id\":1,\"session\":\"abc\","
	    "\"presence\":\"available\"}", PROTO_SESSION);
}

static void
test_duplicate_keys_refused(void **state)
{
	json_t *id = (json_t *)1;

	refused_id("{\"type\":\"logout\",\"type\":\"logout\",\"id\":1}",
	    "bad_json", NULL, &id);
	assert_null(id);
	refused("{\"type\":\"logout\",\"id\":1,\"id\":2}", "bad_json", NULL);
	refused("{\"type\":\"admit\",\"id\":1,\"ticket\":1,\"ticket\":2}",
	    "bad_json", NULL);
	refused(KNOCK_HEAD ",\"name\":\"Aylin\",\"name\":\"Eve\"}", "bad_json",
	    NULL);
	refused(KNOCK_HEAD ",\"consent\":false}", "bad_json", NULL);
	/* Also inside an ignored field. */
	refused(KNOCK_HEAD ",\"extra\":{\"a\":1,\"a\":2}}", "bad_json", NULL);
}

static void
test_embedded_nul_refused(void **state)
{
	char buf[256];

	/* jansson refuses \u0000 itself (no JSON_ALLOW_NUL). */
	refused(knock_str(buf, sizeof(buf), "name", "Ay\\u0000lin"), "bad_json",
	    NULL);
	refused(knock_str(buf, sizeof(buf), "topic", "\\u0000"), "bad_json",
	    NULL);
	refused("{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\\u0000x\","
	    "\"consent\":true}", "bad_json", NULL);
	refused("{\"type\":\"resume\",\"id\":1,\"token\":\"ab\\u0000cd\"}",
	    "bad_json", NULL);
	refused("{\"type\":\"logout\\u0000\",\"id\":1}", "bad_json", NULL);
	refused("{\"type\":\"logout\",\"id\":\"a\\u0000b\"}", "bad_json", NULL);
}

static void
test_unknown_fields_are_ignored(void **state)
{
	struct proto_msg m;

	decode_ok(KNOCK_HEAD ",\"future\":\"x\",\"extra\":{\"a\":[1,2,{}]},"
	    "\"n\":1.5,\"z\":null,\"ctl\":\"\\u001b\"}", PROTO_KNOCK, &m);
	assert_string_equal(proto_str(&m, "office"), "buergeramt");
	assert_true(proto_bool(&m, "consent", false));
	proto_msg_fini(&m);
	accepted("{\"type\":\"logout\",\"id\":1,\"reason\":\"Feierabend\"}",
	    PROTO_LOGOUT);
	/* Fields of other types mean nothing here either. */
	accepted("{\"type\":\"withdraw\",\"id\":1,\"ticket\":\"egal\"}",
	    PROTO_WITHDRAW);
}

static void
test_error_id_is_returned_when_readable(void **state)
{
	json_t *id = NULL;

	/* Integer id with a bad field. */
	refused_id("{\"type\":\"admit\",\"id\":7,\"ticket\":\"x\"}",
	    "bad_message", "ticket", &id);
	assert_true(json_is_integer(id));
	assert_int_equal(json_integer_value(id), 7);
	json_decref(id);

	/* String id with a missing field. */
	id = NULL;
	refused_id("{\"type\":\"knock\",\"id\":\"k-1\",\"office\":\"wbs\"}",
	    "bad_message", "consent", &id);
	assert_true(json_is_string(id));
	assert_string_equal(json_string_value(id), "k-1");
	json_decref(id);

	/* Unknown type, bad type, id 0 and the largest id. */
	id = NULL;
	refused_id("{\"type\":\"dance\",\"id\":0}", "unknown_type", "type", &id);
	assert_non_null(id);
	assert_int_equal(json_integer_value(id), 0);
	json_decref(id);
	id = NULL;
	refused_id("{\"id\":9007199254740992,\"type\":7}", "bad_message", "type",
	    &id);
	assert_non_null(id);
	assert_int_equal(json_integer_value(id), INT64_C(9007199254740992));
	json_decref(id);

	/* An enum error and a length error keep the id too. */
	id = NULL;
	refused_id("{\"type\":\"presence\",\"id\":\"p\",\"presence\":\"busy\"}",
	    "bad_message", "presence", &id);
	assert_string_equal(json_string_value(id), "p");
	json_decref(id);

	/* No id, or an unusable one: nothing to echo. */
	id = (json_t *)1;
	refused_id("{\"type\":\"admit\",\"ticket\":\"x\"}", "bad_message", "id",
	    &id);
	assert_null(id);
	id = (json_t *)1;
	refused_id("{\"type\":\"admit\",\"id\":-3,\"ticket\":1}", "bad_message",
	    "id", &id);
	assert_null(id);
	id = (json_t *)1;
	refused_id("{\"type\":\"dance\",\"id\":{}}", "unknown_type", "type", &id);
	assert_null(id);
}

static void
test_sides_do_not_mix(void **state)
{
	static const struct {
		const char *json;
		enum proto_type type;
	} server_only[] = {
		{"{\"type\":\"welcome\",\"id\":1,\"protocol\":1}", PROTO_S_WELCOME},
		{"{\"type\":\"error\",\"id\":1,\"code\":\"x\",\"message\":\"y\"}",
		    PROTO_S_ERROR},
		{"{\"type\":\"ok\",\"id\":1}", PROTO_S_OK},
		{"{\"type\":\"offices\",\"id\":1,\"offices\":[]}", PROTO_S_OFFICES},
		{"{\"type\":\"office\",\"id\":1,\"office\":{}}", PROTO_S_OFFICE},
		{"{\"type\":\"knocked\",\"id\":1,\"token\":\"t\",\"ticket\":{}}",
		    PROTO_S_KNOCKED},
		{"{\"type\":\"ticket\",\"id\":1,\"ticket\":{}}", PROTO_S_TICKET},
		{"{\"type\":\"welcome_clerk\",\"id\":1,\"session\":\"s\","
		    "\"clerk\":{}}", PROTO_S_WELCOME_CLERK},
		{"{\"type\":\"queue\",\"id\":1,\"office\":\"x\",\"tickets\":[]}",
		    PROTO_S_QUEUE},
		{"{\"type\":\"queue_add\",\"id\":1,\"office\":\"x\","
		    "\"position\":1,\"ticket\":{}}", PROTO_S_QUEUE_ADD},
		{"{\"type\":\"queue_remove\",\"id\":1,\"office\":\"x\","
		    "\"ticket\":1,\"state\":\"done\"}", PROTO_S_QUEUE_REMOVE},
		{"{\"type\":\"room\",\"id\":1,\"room\":{}}", PROTO_S_ROOM},
		{"{\"type\":\"transferred\",\"id\":1,\"ticket\":1}",
		    PROTO_S_TRANSFERRED},
		{"{\"type\":\"room_closed\",\"room\":7}", PROTO_S_ROOM_CLOSED},
	};
	static const char *const client_only[] = {
		"{\"type\":\"watch_offices\",\"id\":1}",
		"{\"type\":\"knock\",\"id\":1,\"office\":\"wbs\",\"consent\":true}",
		"{\"type\":\"resume\",\"id\":1,\"token\":\"t\"}",
		"{\"type\":\"withdraw\",\"id\":1}",
		"{\"type\":\"login\",\"id\":1,\"user\":\"u\",\"password\":\"p\"}",
		"{\"type\":\"session\",\"id\":1,\"session\":\"s\"}",
		"{\"type\":\"logout\",\"id\":1}",
		"{\"type\":\"admit\",\"id\":1,\"ticket\":1}",
		"{\"type\":\"decline\",\"id\":1,\"ticket\":1,\"message\":\"m\"}",
		"{\"type\":\"transfer\",\"id\":1,\"ticket\":1,\"office\":\"x\"}",
		"{\"type\":\"end\",\"id\":1,\"room\":1}",
	};
	json_t *id = NULL;

	for (size_t i = 0; i < sizeof(server_only) / sizeof(server_only[0]);
	    i++) {
		refused(server_only[i].json, "unknown_type", "type");
		accepted_server(server_only[i].json, server_only[i].type);
	}
	for (size_t i = 0; i < sizeof(client_only) / sizeof(client_only[0]);
	    i++)
		refused_server(client_only[i], "unknown_type", "type");

	/* "presence" exists on both sides, each with its own rules. */
	accepted("{\"type\":\"presence\",\"id\":1,\"presence\":\"away\"}",
	    PROTO_PRESENCE);
	accepted_server("{\"type\":\"presence\",\"presence\":\"away\","
	    "\"office\":\"wbs\"}", PROTO_S_PRESENCE);
	refused_server("{\"type\":\"presence\",\"presence\":\"away\"}",
	    "bad_message", "office");

	/* The id is still handed back for a type of the other side. */
	refused_id("{\"type\":\"welcome\",\"id\":3,\"protocol\":1}",
	    "unknown_type", "type", &id);
	assert_int_equal(json_integer_value(id), 3);
	json_decref(id);
}

static void
test_decode_resets_its_outputs(void **state)
{
	struct proto_msg m;
	struct proto_error e;

	/* Garbage in the output structs must not leak into the result. */
	memset(&m, 0xa5, sizeof(m));
	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(decode("nope", PROTO_FROM_CLIENT, &m, &e), -1);
	assert_null(m.root);
	assert_null(m.id);
	assert_null(e.id);
	assert_null(e.field);
	assert_string_equal(e.code, "bad_json");

	memset(&m, 0xa5, sizeof(m));
	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(decode("{\"type\":\"logout\",\"id\":1}",
	    PROTO_FROM_CLIENT, &m, &e), 0);
	assert_null(e.id);
	assert_int_equal(m.type, PROTO_LOGOUT);
	proto_msg_fini(&m);
}

/* --- encoding ---------------------------------------------------------- */

static void
test_error_new_and_dump_have_the_documented_shape(void **state)
{
	struct proto_msg m;
	json_t *id;
	size_t len = 0;
	char *s;

	id = json_integer(7);
	s = proto_dump(proto_error_new(id, "office_closed",
	    "The office is closed now."), &len);
	assert_non_null(s);
	assert_string_equal(s, "{\"type\":\"error\",\"id\":7,\"code\":"
	    "\"office_closed\",\"message\":\"The office is closed now.\"}");
	assert_int_equal(len, strlen(s));
	/* The caller's reference to id is still its own. */
	assert_int_equal(id->refcount, 1);
	json_decref(id);

	/* What one side writes, the other reads. */
	decode_ok_server(s, PROTO_S_ERROR, &m);
	assert_string_equal(proto_str(&m, "code"), "office_closed");
	assert_string_equal(proto_str(&m, "message"),
	    "The office is closed now.");
	assert_int_equal(json_integer_value(m.id), 7);
	proto_msg_fini(&m);
	free(s);

	/* Without an id; with a string id; text escaped. */
	s = proto_dump(proto_error_new(NULL, "bad_json",
	    "The message is not valid JSON."), NULL);
	assert_string_equal(s, "{\"type\":\"error\",\"code\":\"bad_json\","
	    "\"message\":\"The message is not valid JSON.\"}");
	free(s);
	id = json_string("req-1");
	s = proto_dump(proto_error_new(id, "bad_message",
	    "\"name\" is \"wrong\"\n\u00fc."), &len);
	json_decref(id);
	assert_string_equal(s, "{\"type\":\"error\",\"id\":\"req-1\",\"code\":"
	    "\"bad_message\",\"message\":\"\\\"name\\\" is \\\"wrong\\\"\\n\u00fc.\"}");
	assert_int_equal(len, strlen(s));
	free(s);

	/* proto_new, with and without id. */
	s = proto_dump(proto_new("ok", NULL), NULL);
	assert_string_equal(s, "{\"type\":\"ok\"}");
	free(s);
	id = json_integer(12);
	s = proto_dump(proto_new("ok", id), NULL);
	assert_string_equal(s, "{\"type\":\"ok\",\"id\":12}");
	assert_int_equal(id->refcount, 1);
	json_decref(id);
	free(s);

	/* The error of a refused decode goes straight into the reply. */
	{
		struct proto_error e;

		assert_int_equal(decode("{\"type\":\"admit\",\"id\":\"a\","
		    "\"ticket\":0}", PROTO_FROM_CLIENT, &m, &e), -1);
		s = proto_dump(proto_error_new(e.id, e.code, e.message), NULL);
		json_decref(e.id);
		assert_non_null(s);
		{
			static const char prefix[] = "{\"type\":\"error\","
			    "\"id\":\"a\",\"code\":\"bad_message\",\"message\":\"";

			assert_memory_equal(s, prefix, strlen(prefix));
		}
		free(s);
	}
}

static void
test_str_or_null(void **state)
{
	json_t *v;

	v = proto_str_or_null(NULL);
	assert_true(json_is_null(v));
	json_decref(v);
	v = proto_str_or_null("");
	assert_true(json_is_null(v));
	json_decref(v);
	v = proto_str_or_null("Aylin");
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), "Aylin");
	json_decref(v);
}

static void
test_type_names(void **state)
{
	static const char *const names[PROTO_TYPE_COUNT] = {
		[PROTO_UNKNOWN] = "unknown",
		[PROTO_WATCH_OFFICES] = "watch_offices",
		[PROTO_KNOCK] = "knock",
		[PROTO_RESUME] = "resume",
		[PROTO_WITHDRAW] = "withdraw",
		[PROTO_LOGIN] = "login",
		[PROTO_SESSION] = "session",
		[PROTO_LOGOUT] = "logout",
		[PROTO_PRESENCE] = "presence",
		[PROTO_ADMIT] = "admit",
		[PROTO_DECLINE] = "decline",
		[PROTO_TRANSFER] = "transfer",
		[PROTO_END] = "end",
		[PROTO_PUBLISH] = "publish",
		[PROTO_SUBSCRIBE] = "subscribe",
		[PROTO_SUBSCRIBE_ANSWER] = "subscribe_answer",
		[PROTO_CANDIDATE] = "candidate",
		[PROTO_LEAVE] = "leave",
		[PROTO_INVITE] = "invite",
		[PROTO_JOIN] = "join",
		[PROTO_SLOTS] = "slots",
		[PROTO_BOOK] = "book",
		[PROTO_BOOKING] = "booking",
		[PROTO_CANCEL_BOOKING] = "cancel_booking",
		[PROTO_ENTER] = "enter",
		[PROTO_AGENDA] = "agenda",
		[PROTO_BLOCK_SLOT] = "block_slot",
		[PROTO_MEDIA_TOKEN] = "media_token",
		[PROTO_MEDIA_JOIN] = "media_join",
		[PROTO_S_WELCOME] = "welcome",
		[PROTO_S_ERROR] = "error",
		[PROTO_S_OK] = "ok",
		[PROTO_S_OFFICES] = "offices",
		[PROTO_S_OFFICE] = "office",
		[PROTO_S_KNOCKED] = "knocked",
		[PROTO_S_TICKET] = "ticket",
		[PROTO_S_WELCOME_CLERK] = "welcome_clerk",
		[PROTO_S_PRESENCE] = "presence",
		[PROTO_S_QUEUE] = "queue",
		[PROTO_S_QUEUE_ADD] = "queue_add",
		[PROTO_S_QUEUE_REMOVE] = "queue_remove",
		[PROTO_S_ROOM] = "room",
		[PROTO_S_TRANSFERRED] = "transferred",
		[PROTO_S_ROOM_CLOSED] = "room_closed",
		[PROTO_S_PUBLISH_ANSWER] = "publish_answer",
		[PROTO_S_SUBSCRIBE_OFFER] = "subscribe_offer",
		[PROTO_S_PARTICIPANTS] = "participants",
		[PROTO_S_INVITATION] = "invitation",
		[PROTO_S_JOINED] = "joined",
		[PROTO_S_SLOTS] = "slots",
		[PROTO_S_BOOKED] = "booked",
		[PROTO_S_BOOKING] = "booking",
		[PROTO_S_AGENDA] = "agenda",
		[PROTO_S_MEDIA_TOKEN] = "media_token",
		[PROTO_S_MEDIA_JOINED] = "media_joined",
	};

	for (int t = 0; t < PROTO_TYPE_COUNT; t++) {
		assert_non_null(names[t]);
		assert_string_equal(proto_type_name((enum proto_type)t), names[t]);
	}
	assert_string_equal(proto_type_name(PROTO_TYPE_COUNT), "unknown");
	assert_string_equal(proto_type_name((enum proto_type)-1), "unknown");
	assert_int_equal(PROTO_VERSION, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_every_client_type),
		cmocka_unit_test(test_media_token_must_be_32_hex),
		cmocka_unit_test(test_invisible_direction_and_c1_controls_refused_in_texts),
		cmocka_unit_test(test_lang_must_be_a_language_code),
		cmocka_unit_test(test_ids_of_both_kinds_are_kept),
		cmocka_unit_test(test_decode_every_server_type),
		cmocka_unit_test(test_server_messages_are_validated_too),
		cmocka_unit_test(test_not_json_is_bad_json),
		cmocka_unit_test(test_frame_length_is_respected),
		cmocka_unit_test(test_missing_or_bad_type_is_bad_message),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_missing_id_on_a_request),
		cmocka_unit_test(test_id_of_wrong_type_or_range),
		cmocka_unit_test(test_fields_of_wrong_type),
		cmocka_unit_test(test_string_length_limits),
		cmocka_unit_test(test_control_characters_refused_in_texts),
		cmocka_unit_test(test_utf8_text_is_accepted),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_duplicate_keys_refused),
		cmocka_unit_test(test_embedded_nul_refused),
		cmocka_unit_test(test_unknown_fields_are_ignored),
		cmocka_unit_test(test_error_id_is_returned_when_readable),
		cmocka_unit_test(test_sides_do_not_mix),
		cmocka_unit_test(test_decode_resets_its_outputs),
		cmocka_unit_test(test_error_new_and_dump_have_the_documented_shape),
		cmocka_unit_test(test_str_or_null),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
