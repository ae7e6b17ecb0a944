/*
 * session_mediatoken: the clerk's media tokens over the WebSocket
 * (doc/media.md, "Media tokens"). The clerk whose room it is asks for a
 * token (media_token); its video window presents it on a fresh
 * connection (media_join), which then becomes a media-only member of
 * that room: it may publish, subscribe, answer, send candidates and
 * leave there as the room's clerk, and nothing else. The table of tokens
 * is mediatoken.c; the role rules are in session.c (role_allows,
 * media_role).
 *
 * A token is good for one join within MEDIATOKEN_TTL seconds, while the
 * room is open and the session that asked for it has not logged out.
 * Never logs a token.
 */
#include <glib.h>
#include <string.h>

#include "log.h"
#include "mediatoken.h"
#include "session.h"
#include "session_int.h"

static const char not_in_room[] = "You can only get a media token for "
    "your own open consultation.";

void
mediatoken_on_request(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint64_t room = (uint64_t)proto_int(m, "room", 0);
	const struct room *r = lobby_room(s->lb, room);
	struct mediatoken_grant g;
	char token[TOKEN_CHARS + 1];
	uint8_t hash[TOKEN_HASH_LEN];
	struct lobby_time t;
	json_t *reply;

	/* anyone but the room's clerk: the same answer, whether the room
	 * exists or not */
	if (c->role != ROLE_CLERK || r == NULL || r->closed_at != 0 ||
	    r->clerk_id != c->clerk) {
		send_error(c, m->id, "not_in_room", not_in_room, false);
		return;
	}
	session_now(&t);
	if (token_new(token, hash) != 0) {
		send_error(c, m->id, "internal", "No randomness available.",
		    false);
		return;
	}
	memset(&g, 0, sizeof(g));
	g.room = room;
	g.clerk = c->clerk;
	memcpy(g.session, c->session_hash, sizeof(g.session));
	if (mediatokens_add(s->mediatokens, hash, &g, t.now) != 0) {
		send_error(c, m->id, "busy", "You hold "
		    G_STRINGIFY(MEDIATOKEN_PER_CLERK) " unused media tokens "
		    "already; use one, or wait a minute until they expire.",
		    false);
		explicit_bzero(token, sizeof(token));
		explicit_bzero(&g, sizeof(g));
		return;
	}
	reply = proto_new("media_token", m->id);
	json_object_set_new(reply, "room", json_integer((json_int_t)room));
	json_object_set_new(reply, "token", json_string(token));
	json_object_set_new(reply, "expires_at",
	    json_integer(t.now + MEDIATOKEN_TTL));
	send_json(c, reply);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(&g, sizeof(g));
}

void
mediatoken_on_join(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint8_t hash[TOKEN_HASH_LEN];
	struct mediatoken_grant g;
	struct lobby_time t;
	const struct room *r = NULL;
	json_t *reply;

	memset(&g, 0, sizeof(g));
	session_now(&t);
	/* the codec let through only 32 lower-case hex characters */
	if (token_hash(proto_str(m, "token"), hash) == 0 &&
	    mediatokens_take(s->mediatokens, hash, t.now, &g) == 0)
		r = lobby_room(s->lb, g.room);
	if (r == NULL || r->closed_at != 0 || r->clerk_id != g.clerk) {
		send_error(c, m->id, "media_token_invalid", "This media token "
		    "is unknown, used or expired, or its consultation has "
		    "ended. Please open the video again.", false);
		return;
	}
	/* nothing a visitor may have asked for before follows it */
	if (c->watching) {
		c->watching = false;
		g_hash_table_remove(s->watchers, c);
	}
	if (c->booking != 0) {
		index_del(s->by_booking, c->booking, c);
		c->booking = 0;
	}
	c->role = ROLE_MEDIA;
	c->clerk = g.clerk;
	c->guest_room = g.room;
	memcpy(c->session_hash, g.session, sizeof(c->session_hash));
	explicit_bzero(&g, sizeof(g));
	index_add(s->by_room, c->guest_room, c);
	log_info("a video window joined room %llu from %s",
	    (unsigned long long)c->guest_room, web_conn_addr(c->wc));
	reply = proto_new("media_joined", m->id);
	json_object_set_new(reply, "room", room_member_json(s, r));
	send_json(c, reply);
}

void
mediatoken_on_logout(struct session *s, struct conn *c)
{
	uint64_t room = lobby_clerk_room(s->lb, c->clerk);
	GPtrArray *a = room ? index_get(s->by_room, room) : NULL;

	mediatokens_drop_session(s->mediatokens, c->clerk, c->session_hash);
	/* web_close only marks: the arrays stay as they are until h_close */
	for (guint i = 0; a != NULL && i < a->len; i++) {
		struct conn *x = g_ptr_array_index(a, i);

		if (x->role == ROLE_MEDIA && x->clerk == c->clerk &&
		    memcmp(x->session_hash, c->session_hash,
		    sizeof(x->session_hash)) == 0)
			web_close(x->wc, 1000, "the clerk logged out");
	}
}
