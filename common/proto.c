/*
 * proto: see proto.h. The table `types` below is the protocol's grammar:
 * every message type with its fields, their JSON type, whether they are
 * required, their length or range, and allowed values. doc/protocol.md is
 * the prose of the same table; change both together.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

enum kind {
	K_END = 0,
	K_STR,          /* string, min..max bytes */
	K_TEXT,         /* string without control characters, min..max bytes */
	K_LANG,         /* language tag: "de", "en", "pt-BR" */
	K_INT,          /* integer, min..max */
	K_BOOL,
	K_ENUM,         /* string, one of values */
	K_TOKEN,        /* TOKEN_CHARS lower-case hex characters (token.h) */
	K_ANY,          /* any JSON value (server messages: objects, arrays) */
};

struct field {
	const char *name;
	enum kind kind;
	bool required;
	int64_t min;
	int64_t max;
	const char *const *values;      /* K_ENUM, NULL-terminated */
};

struct type {
	const char *name;
	enum proto_side side;
	bool needs_id;
	struct field fields[8];
};

static const char *const presences[] = {"available", "away", NULL};
static const char *const presences_all[] = {"available", "away",
    "in_consultation", "offline", NULL};
static const char *const legs[] = {"publish", "subscribe", NULL};
static const char *const states[] = {"waiting", "admitted", "done",
    "declined", "withdrawn", "expired", "transferred", NULL};

#define MAXID ((int64_t)1 << 53)
#define C PROTO_FROM_CLIENT
#define S PROTO_FROM_SERVER

static const struct type types[PROTO_TYPE_COUNT] = {
	[PROTO_WATCH_OFFICES] = {"watch_offices", C, true, {{0}}},
	[PROTO_KNOCK] = {"knock", C, true, {
		{"office", K_STR, true, 1, 32, NULL},
		{"name", K_TEXT, false, 1, 64, NULL},
		{"topic", K_TEXT, false, 0, 200, NULL},
		{"consent", K_BOOL, true, 0, 0, NULL},
		{"lang", K_LANG, false, 2, 5, NULL},
		{0}}},
	[PROTO_RESUME] = {"resume", C, true, {
		{"token", K_STR, true, 1, 64, NULL}, {0}}},
	[PROTO_WITHDRAW] = {"withdraw", C, true, {{0}}},
	[PROTO_LOGIN] = {"login", C, true, {
		{"user", K_STR, true, 1, 64, NULL},
		{"password", K_STR, true, 1, 1024, NULL},
		{"presence", K_ENUM, false, 0, 0, presences},
		{0}}},
	[PROTO_SESSION] = {"session", C, true, {
		{"session", K_STR, true, 1, 64, NULL},
		{"presence", K_ENUM, false, 0, 0, presences},
		{0}}},
	[PROTO_LOGOUT] = {"logout", C, true, {{0}}},
	[PROTO_PRESENCE] = {"presence", C, true, {
		{"presence", K_ENUM, true, 0, 0, presences},
		{"office", K_STR, false, 1, 32, NULL},
		{0}}},
	[PROTO_ADMIT] = {"admit", C, true, {
		{"ticket", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_DECLINE] = {"decline", C, true, {
		{"ticket", K_INT, true, 1, MAXID, NULL},
		{"message", K_TEXT, true, 1, 500, NULL},
		{0}}},
	[PROTO_TRANSFER] = {"transfer", C, true, {
		{"ticket", K_INT, true, 1, MAXID, NULL},
		{"office", K_STR, true, 1, 32, NULL},
		{"note", K_TEXT, false, 0, 500, NULL},
		{0}}},
	[PROTO_END] = {"end", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_PUBLISH] = {"publish", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"sdp", K_STR, true, 1, PROTO_SDP_MAX, NULL},
		{0}}},
	[PROTO_SUBSCRIBE] = {"subscribe", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_SUBSCRIBE_ANSWER] = {"subscribe_answer", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"version", K_INT, true, 1, MAXID, NULL},
		{"sdp", K_STR, true, 1, PROTO_SDP_MAX, NULL},
		{0}}},
	[PROTO_CANDIDATE] = {"candidate", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"leg", K_ENUM, true, 0, 0, legs},
		{"candidate", K_TEXT, false, 0, 512, NULL},
		{0}}},
	[PROTO_LEAVE] = {"leave", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_INVITE] = {"invite", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"ttl", K_INT, false, 60, 86400, NULL},
		{0}}},
	[PROTO_JOIN] = {"join", C, true, {
		{"invitation", K_STR, true, 1, 64, NULL},
		{"name", K_TEXT, true, 1, 64, NULL},
		{"lang", K_LANG, false, 2, 5, NULL},
		{0}}},
	[PROTO_SLOTS] = {"slots", C, true, {
		{"office", K_STR, true, 1, 32, NULL},
		{"date", K_STR, false, 10, 10, NULL},
		{0}}},
	[PROTO_BOOK] = {"book", C, true, {
		{"office", K_STR, true, 1, 32, NULL},
		{"start", K_INT, true, 0, MAXID, NULL},
		{"name", K_TEXT, false, 1, 64, NULL},
		{"topic", K_TEXT, false, 0, 200, NULL},
		{"consent", K_BOOL, true, 0, 0, NULL},
		{"lang", K_LANG, false, 2, 5, NULL},
		{0}}},
	[PROTO_BOOKING] = {"booking", C, true, {
		{"code", K_STR, true, 1, 40, NULL}, {0}}},
	[PROTO_CANCEL_BOOKING] = {"cancel_booking", C, true, {
		{"code", K_STR, false, 1, 40, NULL},
		{"booking", K_INT, false, 1, MAXID, NULL},
		{"message", K_TEXT, false, 0, 500, NULL},
		{0}}},
	[PROTO_ENTER] = {"enter", C, true, {
		{"code", K_STR, true, 1, 40, NULL},
		{"lang", K_LANG, false, 2, 5, NULL},
		{0}}},
	[PROTO_AGENDA] = {"agenda", C, true, {
		{"office", K_STR, false, 1, 32, NULL},
		{"days", K_INT, false, 1, 28, NULL},
		{0}}},
	[PROTO_BLOCK_SLOT] = {"block_slot", C, true, {
		{"office", K_STR, true, 1, 32, NULL},
		{"start", K_INT, true, 0, MAXID, NULL},
		{"note", K_TEXT, false, 0, 200, NULL},
		{0}}},
	[PROTO_MEDIA_TOKEN] = {"media_token", C, true, {
		{"room", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_MEDIA_JOIN] = {"media_join", C, true, {
		{"token", K_TOKEN, true, 0, 0, NULL}, {0}}},

	[PROTO_S_WELCOME] = {"welcome", S, false, {
		{"protocol", K_INT, true, 1, 1000, NULL},
		{"max_message", K_INT, false, 0, MAXID, NULL},
		{"timezone", K_STR, false, 1, 64, NULL},
		{"now", K_INT, false, 0, MAXID, NULL},
		{0}}},
	[PROTO_S_ERROR] = {"error", S, false, {
		{"code", K_STR, true, 1, 64, NULL},
		{"message", K_STR, true, 0, 1000, NULL},
		{0}}},
	[PROTO_S_OK] = {"ok", S, false, {{0}}},
	[PROTO_S_OFFICES] = {"offices", S, false, {
		{"offices", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_OFFICE] = {"office", S, false, {
		{"office", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_KNOCKED] = {"knocked", S, false, {
		{"token", K_STR, true, 1, 64, NULL},
		{"ticket", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_TICKET] = {"ticket", S, false, {
		{"ticket", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_WELCOME_CLERK] = {"welcome_clerk", S, false, {
		{"session", K_STR, true, 1, 64, NULL},
		{"clerk", K_ANY, true, 0, 0, NULL},
		{"presence", K_ENUM, false, 0, 0, presences_all},
		{0}}},
	[PROTO_S_PRESENCE] = {"presence", S, false, {
		{"presence", K_ENUM, true, 0, 0, presences_all},
		{"office", K_STR, true, 1, 32, NULL},
		{0}}},
	[PROTO_S_QUEUE] = {"queue", S, false, {
		{"office", K_STR, true, 1, 32, NULL},
		{"tickets", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_QUEUE_ADD] = {"queue_add", S, false, {
		{"office", K_STR, true, 1, 32, NULL},
		{"position", K_INT, true, 1, MAXID, NULL},
		{"ticket", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_QUEUE_REMOVE] = {"queue_remove", S, false, {
		{"office", K_STR, true, 1, 32, NULL},
		{"ticket", K_INT, true, 1, MAXID, NULL},
		{"state", K_ENUM, true, 0, 0, states},
		{0}}},
	[PROTO_S_ROOM] = {"room", S, false, {
		{"room", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_TRANSFERRED] = {"transferred", S, false, {
		{"ticket", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_S_ROOM_CLOSED] = {"room_closed", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL}, {0}}},
	[PROTO_S_PUBLISH_ANSWER] = {"publish_answer", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"sdp", K_STR, true, 1, PROTO_SDP_MAX, NULL},
		{0}}},
	[PROTO_S_SUBSCRIBE_OFFER] = {"subscribe_offer", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"version", K_INT, true, 1, MAXID, NULL},
		{"sdp", K_STR, true, 1, PROTO_SDP_MAX, NULL},
		{0}}},
	[PROTO_S_PARTICIPANTS] = {"participants", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"you", K_STR, true, 1, 16, NULL},
		{"participants", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_INVITATION] = {"invitation", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"token", K_STR, true, 1, 64, NULL},
		{"path", K_STR, true, 1, 200, NULL},
		{"expires_at", K_INT, true, 0, MAXID, NULL},
		{0}}},
	[PROTO_S_JOINED] = {"joined", S, false, {
		{"room", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_SLOTS] = {"slots", S, false, {
		{"office", K_STR, true, 1, 32, NULL},
		{"days", K_ANY, true, 0, 0, NULL},
		{"slots", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_BOOKED] = {"booked", S, false, {
		{"code", K_STR, true, 1, 40, NULL},
		{"booking", K_ANY, true, 0, 0, NULL},
		{0}}},
	[PROTO_S_BOOKING] = {"booking", S, false, {
		{"booking", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_AGENDA] = {"agenda", S, false, {
		{"bookings", K_ANY, true, 0, 0, NULL}, {0}}},
	[PROTO_S_MEDIA_TOKEN] = {"media_token", S, false, {
		{"room", K_INT, true, 1, MAXID, NULL},
		{"token", K_TOKEN, true, 0, 0, NULL},
		{"expires_at", K_INT, true, 0, MAXID, NULL},
		{0}}},
	[PROTO_S_MEDIA_JOINED] = {"media_joined", S, false, {
		{"room", K_ANY, true, 0, 0, NULL}, {0}}},
};

#undef C
#undef S

static void
fail(struct proto_error *e, const char *code, const char *field,
    const char *fmt, const char *arg)
{
	e->code = code;
	e->field = field;
	snprintf(e->message, sizeof(e->message), fmt, arg ? arg : "");
}

/*
 * Characters a person never types but that can change how a terminal or a
 * page shows the text around them: C0 and C1 controls, DEL, and the
 * bidirectional embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069). The marks U+200E and U+200F stay allowed. s is valid
 * UTF-8 (jansson checks that).
 */
static bool
has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return true;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
			return true;
		if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
			return true;
		p++;
	}
	return false;
}

/* "de", "tr", "ckb", "pt-BR": 2-3 lower-case letters, optionally a region. */
static bool
valid_lang(const char *s)
{
	size_t n = 0;

	while (s[n] >= 'a' && s[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return false;
	if (s[n] == '\0')
		return true;
	return s[n] == '-' && s[n + 1] >= 'A' && s[n + 1] <= 'Z' &&
	    s[n + 2] >= 'A' && s[n + 2] <= 'Z' && s[n + 3] == '\0';
}

static bool
valid_token(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!json_is_string(v) || json_string_length(v) != TOKEN_CHARS)
		return false;
	for (size_t i = 0; i < TOKEN_CHARS; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
valid_id(const json_t *id)
{
	if (json_is_integer(id))
		return json_integer_value(id) >= 0 &&
		    json_integer_value(id) <= MAXID;
	if (json_is_string(id))
		return json_string_length(id) >= 1 &&
		    json_string_length(id) <= PROTO_ID_MAX;
	return false;
}

static int
check_field(const struct field *f, json_t *v, struct proto_error *e)
{
	size_t len;

	switch (f->kind) {
	case K_LANG:
		if (!json_is_string(v) || !valid_lang(json_string_value(v))) {
			fail(e, "bad_message", f->name, "\"%s\" must be a language "
			    "code such as \"de\" or \"pt-BR\".", f->name);
			return -1;
		}
		return 0;
	case K_STR:
	case K_TEXT:
		if (!json_is_string(v)) {
			fail(e, "bad_message", f->name, "\"%s\" must be a string.",
			    f->name);
			return -1;
		}
		len = json_string_length(v);
		if ((int64_t)len < f->min || (int64_t)len > f->max) {
			e->code = "bad_message";
			e->field = f->name;
			snprintf(e->message, sizeof(e->message), "\"%s\" must be "
			    "%lld to %lld bytes long.", f->name,
			    (long long)f->min, (long long)f->max);
			return -1;
		}
		if (strlen(json_string_value(v)) != len ||
		    (f->kind == K_TEXT && has_control(json_string_value(v)))) {
			fail(e, "bad_message", f->name,
			    "\"%s\" contains control characters.", f->name);
			return -1;
		}
		return 0;
	case K_INT:
		if (!json_is_integer(v) || json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max) {
			fail(e, "bad_message", f->name,
			    "\"%s\" must be a positive whole number.", f->name);
			return -1;
		}
		return 0;
	case K_BOOL:
		if (!json_is_boolean(v)) {
			fail(e, "bad_message", f->name,
			    "\"%s\" must be true or false.", f->name);
			return -1;
		}
		return 0;
	case K_ENUM:
		if (json_is_string(v))
			for (const char *const *p = f->values; *p; p++)
				if (strcmp(*p, json_string_value(v)) == 0)
					return 0;
		fail(e, "bad_message", f->name, "\"%s\" has a value that is not "
		    "allowed here.", f->name);
		return -1;
	case K_TOKEN:
		if (!valid_token(v)) {
			fail(e, "bad_message", f->name, "\"%s\" must be 32 "
			    "lower-case hex characters.", f->name);
			return -1;
		}
		return 0;
	case K_ANY:
	case K_END:
		return 0;
	}
	return 0;
}

int
proto_decode(const char *buf, size_t len, enum proto_side side,
    struct proto_msg *m, struct proto_error *e)
{
	json_error_t jerr;
	json_t *root, *type, *id;
	const struct type *t = NULL;
	int ti = PROTO_UNKNOWN;

	memset(m, 0, sizeof(*m));
	memset(e, 0, sizeof(*e));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		fail(e, "bad_json", NULL, "%s",
		    root == NULL ? "The message is not valid JSON." :
		    "The message must be a JSON object.");
		json_decref(root);
		return -1;
	}
	id = json_object_get(root, "id");
	if (id != NULL && valid_id(id))
		e->id = json_incref(id);
	type = json_object_get(root, "type");
	if (!json_is_string(type)) {
		fail(e, "bad_message", "type", "%s",
		    "The message has no \"type\" string.");
		goto bad;
	}
	for (int i = 1; i < PROTO_TYPE_COUNT; i++) {
		if (types[i].side == side &&
		    strcmp(types[i].name, json_string_value(type)) == 0) {
			t = &types[i];
			ti = i;
			break;
		}
	}
	if (t == NULL) {
		fail(e, "unknown_type", "type", "There is no message type \"%.60s\".",
		    json_string_value(type));
		goto bad;
	}
	if (id != NULL && !valid_id(id)) {
		fail(e, "bad_message", "id", "%s", "\"id\" must be a whole number "
		    "or a string of 1 to 64 characters.");
		goto bad;
	}
	if (t->needs_id && id == NULL) {
		fail(e, "bad_message", "id", "%s", "The request has no \"id\".");
		goto bad;
	}
	for (const struct field *f = t->fields; f->name; f++) {
		json_t *v = json_object_get(root, f->name);

		if (v == NULL || (json_is_null(v) && !f->required)) {
			if (f->required) {
				fail(e, "bad_message", f->name,
				    "\"%s\" is missing.", f->name);
				goto bad;
			}
			continue;
		}
		if (check_field(f, v, e) != 0)
			goto bad;
	}
	m->type = (enum proto_type)ti;
	m->root = root;
	m->id = id;
	json_decref(e->id);
	e->id = NULL;
	return 0;
bad:
	json_decref(root);
	return -1;
}

void
proto_msg_fini(struct proto_msg *m)
{
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

const char *
proto_str(const struct proto_msg *m, const char *field)
{
	json_t *v = json_object_get(m->root, field);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t
proto_int(const struct proto_msg *m, const char *field, int64_t def)
{
	json_t *v = json_object_get(m->root, field);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool
proto_bool(const struct proto_msg *m, const char *field, bool def)
{
	json_t *v = json_object_get(m->root, field);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

const char *
proto_type_name(enum proto_type t)
{
	if (t <= PROTO_UNKNOWN || t >= PROTO_TYPE_COUNT)
		return "unknown";
	return types[t].name;
}

json_t *
proto_new(const char *type, json_t *id)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	if (id != NULL)
		json_object_set(o, "id", id);
	return o;
}

json_t *
proto_error_new(json_t *id, const char *code, const char *message)
{
	json_t *o = proto_new("error", id);

	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "message", json_string(message));
	return o;
}

char *
proto_dump(json_t *msg, size_t *len)
{
	char *s = json_dumps(msg, JSON_COMPACT);

	json_decref(msg);
	if (s != NULL && len != NULL)
		*len = strlen(s);
	return s;
}

json_t *
proto_str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}
