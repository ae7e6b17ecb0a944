/*
 * proto: the klopf JSON protocol codec (doc/protocol.md), shared by klopfd
 * and the console. Decoding validates a message completely against the
 * table of message types (field types, lengths, enums) before anyone acts
 * on it; encoding helpers build the replies every side sends the same way.
 *
 * Owns no state. Uses jansson.
 */
#ifndef KLOPF_PROTO_H
#define KLOPF_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_ID_MAX 64         /* string ids */
#define PROTO_SDP_MAX 16384     /* bytes of SDP in one message */

enum proto_type {
	PROTO_UNKNOWN = 0,
	/* client -> server */
	PROTO_WATCH_OFFICES,
	PROTO_KNOCK,
	PROTO_RESUME,
	PROTO_WITHDRAW,
	PROTO_LOGIN,
	PROTO_SESSION,
	PROTO_LOGOUT,
	PROTO_PRESENCE,
	PROTO_ADMIT,
	PROTO_DECLINE,
	PROTO_TRANSFER,
	PROTO_END,
	PROTO_PUBLISH,
	PROTO_SUBSCRIBE,
	PROTO_SUBSCRIBE_ANSWER,
	PROTO_CANDIDATE,
	PROTO_LEAVE,
	PROTO_INVITE,
	PROTO_JOIN,
	PROTO_SLOTS,
	PROTO_BOOK,
	PROTO_BOOKING,
	PROTO_CANCEL_BOOKING,
	PROTO_ENTER,
	PROTO_AGENDA,
	PROTO_BLOCK_SLOT,
	PROTO_MEDIA_TOKEN,
	PROTO_MEDIA_JOIN,
	/* server -> client */
	PROTO_S_WELCOME,
	PROTO_S_ERROR,
	PROTO_S_OK,
	PROTO_S_OFFICES,
	PROTO_S_OFFICE,
	PROTO_S_KNOCKED,
	PROTO_S_TICKET,
	PROTO_S_WELCOME_CLERK,
	PROTO_S_PRESENCE,
	PROTO_S_QUEUE,
	PROTO_S_QUEUE_ADD,
	PROTO_S_QUEUE_REMOVE,
	PROTO_S_ROOM,
	PROTO_S_TRANSFERRED,
	PROTO_S_ROOM_CLOSED,
	PROTO_S_PUBLISH_ANSWER,
	PROTO_S_SUBSCRIBE_OFFER,
	PROTO_S_PARTICIPANTS,
	PROTO_S_INVITATION,
	PROTO_S_JOINED,
	PROTO_S_SLOTS,
	PROTO_S_BOOKED,
	PROTO_S_BOOKING,
	PROTO_S_AGENDA,
	PROTO_S_MEDIA_TOKEN,
	PROTO_S_MEDIA_JOINED,
	PROTO_TYPE_COUNT
};

/* Which direction a decoder accepts. */
enum proto_side {
	PROTO_FROM_CLIENT,      /* klopfd decoding requests */
	PROTO_FROM_SERVER,      /* the console decoding replies and pushes */
};

struct proto_msg {
	enum proto_type type;
	json_t *root;           /* owned; the whole message */
	json_t *id;             /* borrowed from root; NULL if none */
};

struct proto_error {
	const char *code;       /* "bad_json", "bad_message", "unknown_type" */
	const char *field;      /* offending field or NULL */
	char message[200];      /* plain English sentence */
	json_t *id;             /* new reference to the id if it was readable */
};

/* Decodes and validates one frame. Returns 0 and fills m (free with
 * proto_msg_fini), or -1 and fills e (free e->id with json_decref). */
int proto_decode(const char *buf, size_t len, enum proto_side side,
    struct proto_msg *m, struct proto_error *e);
void proto_msg_fini(struct proto_msg *m);

/* Field access after a successful decode: the field was validated, so
 * these only tell absent from present. proto_str returns NULL if absent or
 * null; proto_int returns def if absent. Borrowed pointers. */
const char *proto_str(const struct proto_msg *m, const char *field);
int64_t proto_int(const struct proto_msg *m, const char *field, int64_t def);
bool proto_bool(const struct proto_msg *m, const char *field, bool def);

const char *proto_type_name(enum proto_type t);

/* --- encoding --- */

/* New object {"type": type} with "id" set when id is not NULL (a new
 * reference to id is taken). */
json_t *proto_new(const char *type, json_t *id);
json_t *proto_error_new(json_t *id, const char *code, const char *message);
/* Serialises compactly; returns a malloc'd string (free()) and its length,
 * or NULL. Takes ownership of msg. */
char *proto_dump(json_t *msg, size_t *len);
/* JSON null for NULL/empty strings, a string otherwise. */
json_t *proto_str_or_null(const char *s);

#endif
