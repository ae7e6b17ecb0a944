/*
 * session: see session.h.
 *
 * One event = decode, check the role, call the lobby, then apply(): save
 * the changed rows and an audit line in one sqlite transaction, then push
 * the messages the effects call for. A message that fails validation gets
 * an error and a strike; SESSION_BAD_LIMIT strikes in a minute close the
 * connection.
 */
#include "session.h"
#include "session_int.h"
#include "store_booking.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "invite.h"
#include "log.h"
#include "media.h"
#include "mediatoken.h"
#include "metrics.h"
#include "proto.h"
#include "token.h"
#include "view.h"
#include "version.h"

#define PURGE_INTERVAL_S 3600

/* --- time and formatting --- */

static const char *test_clock;   /* --test-clock FILE, or NULL */

void
session_set_test_clock(const char *path)
{
	test_clock = path;
}

/* Seconds the test clock file says to add to the real time; 0 if the
 * file is missing or unreadable (the test has not moved the clock). */
static int64_t
test_clock_offset(void)
{
	long long off = 0;
	FILE *f = fopen(test_clock, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lld", &off) != 1)
		off = 0;
	fclose(f);
	return (int64_t)off;
}

void
session_now(struct lobby_time *t)
{
	struct tm tm;
	time_t now = time(NULL);

	if (test_clock != NULL)
		now += (time_t)test_clock_offset();
	localtime_r(&now, &tm);
	t->now = (int64_t)now;
	t->wday = tm.tm_wday;
	t->minute = tm.tm_hour * 60 + tm.tm_min;
}

/* --- sending --- */

void
send_json(struct conn *c, json_t *msg)
{
	size_t len;
	char *s = proto_dump(msg, &len);

	if (s == NULL)
		return;
	web_send(c->wc, s, len);
	free(s);
}

/* Sends msg to every connection in the array; encodes once. */
static void
send_all(GPtrArray *conns, json_t *msg)
{
	size_t len;
	char *s;

	if (conns == NULL || conns->len == 0) {
		json_decref(msg);
		return;
	}
	s = proto_dump(msg, &len);
	if (s == NULL)
		return;
	for (guint i = 0; i < conns->len; i++)
		web_send(((struct conn *)g_ptr_array_index(conns, i))->wc, s, len);
	free(s);
}

/* Counts a bad message; SESSION_BAD_LIMIT within a minute close the
 * connection. */
static void
strike(struct conn *c)
{
	struct lobby_time t;

	session_now(&t);
	if (t.now - c->bad_since > 60) {
		c->bad = 0;
		c->bad_since = t.now;
	}
	if (++c->bad >= SESSION_BAD_LIMIT) {
		log_info("closing a connection from %s after %d bad messages",
		    web_conn_addr(c->wc), c->bad);
		web_close(c->wc, 1008, "too many bad messages");
	}
}

void
send_error(struct conn *c, json_t *id, const char *code, const char *message,
    bool bad)
{
	send_json(c, proto_error_new(id, code, message));
	if (bad)
		strike(c);
}

static void
send_lobby_error(struct session *s, struct conn *c, json_t *id, int err)
{
	json_t *e = proto_error_new(id, lobby_error_code(err),
	    lobby_error_text(err));

	if (err == LOBBY_E_RATE_LIMITED)
		json_object_set_new(e, "retry_after",
		    json_integer(lobby_retry_after(s->lb)));
	send_json(c, e);
}

void
send_ok(struct conn *c, json_t *id)
{
	send_json(c, proto_new("ok", id));
}

/* --- indexes --- */

void
index_add(GHashTable *h, uint64_t key, struct conn *c)
{
	GPtrArray *a = g_hash_table_lookup(h, &key);

	if (a == NULL) {
		uint64_t *k = g_new(uint64_t, 1);

		*k = key;
		a = g_ptr_array_new();
		g_hash_table_insert(h, k, a);
	}
	g_ptr_array_add(a, c);
}

/* Returns how many connections are left under key. */
guint
index_del(GHashTable *h, uint64_t key, struct conn *c)
{
	GPtrArray *a = g_hash_table_lookup(h, &key);
	guint left;

	if (a == NULL)
		return 0;
	g_ptr_array_remove_fast(a, c);
	left = a->len;
	if (left == 0)
		g_hash_table_remove(h, &key);
	return left;
}

GPtrArray *
index_get(GHashTable *h, uint64_t key)
{
	return g_hash_table_lookup(h, &key);
}

/* --- applying effects --- */

static bool
office_anonymous(void *ud, const char *office)
{
	struct session *s = ud;
	const struct config_office *o = config_office_find(s->cfg, office);

	return o != NULL && o->anonymous;
}

static void
save_ticket(struct session *s, const struct ticket *t, const char *actor)
{
	bool anon = office_anonymous(s, t->office);

	if (anon && lobby_state_final(t->state))
		store_ticket_delete(s->st, t->id);
	else
		store_ticket_save(s->st, t);
	booking_follow_ticket(s, t);
	store_audit(s->st, t->updated_at, actor, lobby_state_name(t->state),
	    t->office, anon ? 0 : t->id, anon ? 0 : t->room);
}

/* An office as the directory shows it, with its next free appointment
 * ("next_appointment": Unix time or null) if it takes appointments. */
static json_t *
office_json(struct session *s, int idx, const struct lobby_time *t)
{
	json_t *v = view_office(s->lb, idx, t);
	int64_t next;

	if (lobby_office_config(s->lb, idx)->appt.enabled) {
		next = booking_next_free(s, idx, t->now);
		json_object_set_new(v, "next_appointment",
		    next ? json_integer(next) : json_null());
	}
	return v;
}

static json_t *
offices_json(struct session *s, const struct lobby_time *t)
{
	json_t *a = json_array();

	for (int i = 0; i < lobby_office_count(s->lb); i++)
		json_array_append_new(a, office_json(s, i, t));
	return a;
}

/* Clerks of an office who are connected. */
static void
push_office_clerks(struct session *s, int office, json_t *msg)
{
	GPtrArray *to = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, s->by_clerk);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		GPtrArray *a = v;

		if (lobby_clerk_serves(s->lb, *(uint64_t *)k, office))
			for (guint i = 0; i < a->len; i++)
				g_ptr_array_add(to, g_ptr_array_index(a, i));
	}
	send_all(to, msg);
	g_ptr_array_free(to, TRUE);
}

static void
push_ticket(struct session *s, const struct ticket *t)
{
	json_t *m;

	if (t->state == TICKET_TRANSFERRED && t->transferred_to != 0) {
		/* The citizen's connections follow the token to the new ticket. */
		GPtrArray *a = index_get(s->by_ticket, t->id);

		while (a != NULL && a->len > 0) {
			struct conn *c = g_ptr_array_index(a, 0);

			index_del(s->by_ticket, t->id, c);
			c->ticket = t->transferred_to;
			index_add(s->by_ticket, c->ticket, c);
			a = index_get(s->by_ticket, t->id);
		}
		return;
	}
	m = proto_new("ticket", NULL);
	json_object_set_new(m, "ticket", view_ticket(t));
	send_all(index_get(s->by_ticket, t->id), m);
}

static void
push_effect(struct session *s, const struct lobby_fx *f,
    const struct lobby_time *tm)
{
	const struct ticket *t = f->ticket ? lobby_ticket(s->lb, f->ticket) : NULL;
	const struct config_office *o = lobby_office_config(s->lb, f->office);
	json_t *m;

	switch (f->kind) {
	case LOBBY_FX_TICKET:
	case LOBBY_FX_POSITION:
		if (t != NULL)
			push_ticket(s, t);
		break;
	case LOBBY_FX_QUEUE_ADD:
		if (t == NULL || o == NULL)
			break;
		m = proto_new("queue_add", NULL);
		json_object_set_new(m, "office", json_string(o->id));
		json_object_set_new(m, "position", json_integer(f->position));
		json_object_set_new(m, "ticket", view_queue_ticket(t));
		push_office_clerks(s, f->office, m);
		break;
	case LOBBY_FX_QUEUE_REMOVE:
		if (t == NULL || o == NULL)
			break;
		m = proto_new("queue_remove", NULL);
		json_object_set_new(m, "office", json_string(o->id));
		json_object_set_new(m, "ticket", json_integer((json_int_t)t->id));
		json_object_set_new(m, "state",
		    json_string(lobby_state_name(t->state)));
		push_office_clerks(s, f->office, m);
		break;
	case LOBBY_FX_OFFICE: {
		GPtrArray *to = g_ptr_array_new();
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, s->watchers);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(to, k);
		m = proto_new("office", NULL);
		json_object_set_new(m, "office", office_json(s, f->office, tm));
		send_all(to, m);
		g_ptr_array_free(to, TRUE);
		break;
	}
	case LOBBY_FX_PRESENCE:
		if (o == NULL)
			break;
		m = proto_new("presence", NULL);
		json_object_set_new(m, "presence", json_string(lobby_presence_name(
		    lobby_presence(s->lb, f->clerk, f->office))));
		json_object_set_new(m, "office", json_string(o->id));
		send_all(index_get(s->by_clerk, f->clerk), m);
		break;
	case LOBBY_FX_ROOM_CLOSE:
		media_room_closed(s->media, f->room);
		invites_drop_room(s->invites, f->room);
		mediatokens_drop_room(s->mediatokens, f->clerk, f->room);
		m = proto_new("room_closed", NULL);
		json_object_set_new(m, "room", json_integer((json_int_t)f->room));
		send_all(index_get(s->by_clerk, f->clerk), json_incref(m));
		send_all(index_get(s->by_room, f->room), m);
		break;
	case LOBBY_FX_ROOM_OPEN: {
		const struct room *r = lobby_room(s->lb, f->room);

		/* Every console of the clerk shows the consultation; the one
		 * that admitted also gets the reply with its request id. */
		if (r == NULL)
			break;
		m = proto_new("room", NULL);
		json_object_set_new(m, "room", view_room(s->lb, r));
		send_all(index_get(s->by_clerk, f->clerk), m);
		break;
	}
	case LOBBY_FX_FORGET: {
		GPtrArray *a = index_get(s->by_ticket, f->ticket);

		while (a != NULL && a->len > 0) {
			struct conn *c = g_ptr_array_index(a, 0);

			index_del(s->by_ticket, f->ticket, c);
			c->ticket = 0;
			a = index_get(s->by_ticket, f->ticket);
		}
		break;
	}
	}
}

/* Saves and pushes everything the last lobby event produced. actor names
 * who caused it in the audit trail ("citizen", "clerk:anna", "system"). */
void
apply(struct session *s, const struct lobby_time *tm, const char *actor)
{
	size_t n;
	const struct lobby_fx *fx = lobby_effects(s->lb, &n);
	bool tx;

	if (n == 0)
		return;
	tx = store_begin(s->st) == STORE_OK;
	for (size_t i = 0; i < n; i++) {
		const struct lobby_fx *f = &fx[i];
		const struct ticket *t;
		const struct room *r;

		if (f->kind == LOBBY_FX_TICKET &&
		    (t = lobby_ticket(s->lb, f->ticket)) != NULL)
			save_ticket(s, t, actor);
		else if ((f->kind == LOBBY_FX_ROOM_OPEN ||
		    f->kind == LOBBY_FX_ROOM_CLOSE) &&
		    (r = lobby_room(s->lb, f->room)) != NULL) {
			struct room copy = *r;

			if (office_anonymous(s, r->office))
				copy.ticket_id = 0;
			store_room_save(s->st, &copy);
		}
	}
	if (!tx || store_commit(s->st) != STORE_OK) {
		if (tx)
			store_rollback(s->st);
		log_error("could not save a change to the store; it is kept in "
		    "memory and saved with the next change of the same ticket");
	}
	for (size_t i = 0; i < n; i++)
		push_effect(s, &fx[i], tm);
	lobby_effects_clear(s->lb);
}

/* --- citizens --- */

void
bind_ticket(struct session *s, struct conn *c, uint64_t ticket)
{
	c->role = ROLE_CITIZEN;
	c->ticket = ticket;
	index_add(s->by_ticket, ticket, c);
}

void
knocked(struct session *s, struct conn *c, json_t *req_id,
    const struct lobby_time *t, uint64_t ticket, char *token)
{
	json_t *r;

	apply(s, t, "citizen");
	bind_ticket(s, c, ticket);
	r = proto_new("knocked", req_id);
	json_object_set_new(r, "token", json_string(token));
	json_object_set_new(r, "ticket", view_ticket(lobby_ticket(s->lb,
	    ticket)));
	send_json(c, r);
	explicit_bzero(token, TOKEN_CHARS + 1);
}

static void
on_knock(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_knock k = {0};
	struct lobby_time t;
	char token[TOKEN_CHARS + 1];
	uint8_t hash[TOKEN_HASH_LEN];
	uint64_t id;
	int err;

	if (c->role == ROLE_CITIZEN) {
		send_lobby_error(s, c, m->id, LOBBY_E_ALREADY_WAITING);
		return;
	}
	if (token_new(token, hash) != 0) {
		send_error(c, m->id, "internal", "No randomness available.",
		    false);
		return;
	}
	k.office = proto_str(m, "office");
	k.name = proto_str(m, "name");
	k.topic = proto_str(m, "topic");
	k.lang = proto_str(m, "lang");
	k.consent = proto_bool(m, "consent", false);
	k.token_hash = hash;
	k.addr = web_conn_addr(c->wc);
	session_now(&t);
	err = lobby_knock(s->lb, &t, &k, &id);
	if (err != LOBBY_OK) {
		send_lobby_error(s, c, m->id, err);
		return;
	}
	knocked(s, c, m->id, &t, id, token);
}

static void
on_resume(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint8_t hash[TOKEN_HASH_LEN];
	struct lobby_time t;
	uint64_t id;
	json_t *r;
	int err;

	if (token_hash(proto_str(m, "token"), hash) != 0) {
		send_lobby_error(s, c, m->id, LOBBY_E_UNKNOWN_TICKET);
		return;
	}
	session_now(&t);
	err = lobby_resume(s->lb, &t, hash, &id);
	if (err != LOBBY_OK) {
		send_lobby_error(s, c, m->id, err);
		return;
	}
	if (c->role == ROLE_CITIZEN && c->ticket != id) {
		send_lobby_error(s, c, m->id, LOBBY_E_ALREADY_WAITING);
		return;
	}
	if (c->role == ROLE_VISITOR)
		bind_ticket(s, c, id);
	r = proto_new("ticket", m->id);
	json_object_set_new(r, "ticket", view_ticket(lobby_ticket(s->lb, id)));
	send_json(c, r);
}

static void
on_withdraw(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;
	const struct ticket *tk;
	json_t *r;
	int err;

	session_now(&t);
	err = lobby_withdraw(s->lb, &t, c->ticket);
	if (err != LOBBY_OK) {
		send_lobby_error(s, c, m->id, err);
		return;
	}
	apply(s, &t, "citizen");
	if ((tk = lobby_ticket(s->lb, c->ticket)) == NULL)
		return;
	r = proto_new("ticket", m->id);
	json_object_set_new(r, "ticket", view_ticket(tk));
	send_json(c, r);
}

/* --- clerks --- */

static void
clerk_actor(struct session *s, uint64_t clerk, char *buf, size_t len)
{
	struct store_clerk sc;

	if (store_clerk_get_id(s->st, clerk, &sc) == STORE_OK)
		snprintf(buf, len, "clerk:%s", sc.name);
	else
		snprintf(buf, len, "clerk:#%llu", (unsigned long long)clerk);
	explicit_bzero(sc.pwhash, sizeof(sc.pwhash));
}

/* The connection becomes the clerk's; sends welcome_clerk and the
 * queues. token is the session token to hand back. */
static void
clerk_attach(struct session *s, struct conn *c, const struct store_clerk *sc,
    const char *token, json_t *id)
{
	const char *offices[STORE_MAX_CLERK_OFFICES];
	struct lobby_time t;
	json_t *r, *cl, *offs, *pres, *msgs;
	uint64_t room;
	bool first = index_get(s->by_clerk, sc->id) == NULL;

	session_now(&t);
	if (first) {
		/* Others learn of the new presence first; this connection gets
		 * the whole picture in welcome_clerk below. */
		for (int i = 0; i < sc->noffices; i++)
			offices[i] = sc->offices[i];
		lobby_clerk_online(s->lb, &t, sc->id, sc->name, offices,
		    sc->noffices, c->login_presence);
		apply(s, &t, "system");
	}
	c->role = ROLE_CLERK;
	c->clerk = sc->id;
	c->watching = true;
	g_hash_table_add(s->watchers, c);
	index_add(s->by_clerk, sc->id, c);
	log_info("clerk %s logged in from %s", sc->name, web_conn_addr(c->wc));

	r = proto_new("welcome_clerk", id);
	json_object_set_new(r, "session", json_string(token));
	cl = json_object();
	json_object_set_new(cl, "name", json_string(sc->name));
	offs = json_array();
	pres = json_object();
	for (int i = 0; i < sc->noffices; i++) {
		int idx = lobby_office_index(s->lb, sc->offices[i]);

		if (idx < 0)
			continue;
		json_array_append_new(offs, json_string(sc->offices[i]));
		json_object_set_new(pres, sc->offices[i], json_string(
		    lobby_presence_name(lobby_presence(s->lb, sc->id, idx))));
	}
	json_object_set_new(cl, "offices", offs);
	json_object_set_new(r, "clerk", cl);
	{
		const char *k;
		json_t *v;
		const char *p = "offline";

		json_object_foreach(pres, k, v) {
			p = json_string_value(v);
			break;
		}
		json_object_set_new(r, "presence", json_string(p));
	}
	json_object_set_new(r, "presences", pres);
	room = lobby_clerk_room(s->lb, sc->id);
	json_object_set_new(r, "room", room && lobby_room(s->lb, room) ?
	    view_room(s->lb, lobby_room(s->lb, room)) : json_null());
	msgs = json_array();
	for (int i = 0; i < s->cfg->ndecline_messages; i++)
		json_array_append_new(msgs,
		    json_string(s->cfg->decline_messages[i]));
	json_object_set_new(r, "decline_messages", msgs);
	send_json(c, r);

	for (int i = 0; i < sc->noffices; i++) {
		int idx = lobby_office_index(s->lb, sc->offices[i]);
		const struct ticket *const *q;
		size_t n;
		json_t *list;

		if (idx < 0)
			continue;
		n = lobby_queue(s->lb, idx, &q);
		list = json_array();
		for (size_t j = 0; j < n; j++)
			json_array_append_new(list, view_queue_ticket(q[j]));
		r = proto_new("queue", NULL);
		json_object_set_new(r, "office", json_string(sc->offices[i]));
		json_object_set_new(r, "tickets", list);
		send_json(c, r);
	}
	r = proto_new("offices", NULL);
	json_object_set_new(r, "offices", offices_json(s, &t));
	send_json(c, r);
}

static struct conn *
conn_by_serial(struct session *s, uint64_t serial)
{
	return g_hash_table_lookup(s->conns, &serial);
}

static void
login_done(void *ud, uint64_t serial, enum auth_result res, int retry_after,
    const struct store_clerk *sc)
{
	struct session *s = ud;
	struct conn *c = conn_by_serial(s, serial);
	char token[TOKEN_CHARS + 1];
	struct lobby_time t;
	json_t *id, *e;

	if (c == NULL)
		return;         /* the connection went away meanwhile */
	id = c->login_id;
	c->login_id = NULL;
	c->login_pending = false;
	switch (res) {
	case AUTH_OK:
		session_now(&t);
		if (token_new(token, c->session_hash) != 0 ||
		    store_session_add(s->st, c->session_hash, TOKEN_HASH_LEN,
		    sc->id, t.now + (int64_t)s->cfg->limits.session_hours * 3600)
		    != STORE_OK) {
			send_error(c, id, "internal",
			    "The session could not be saved.", false);
			break;
		}
		clerk_attach(s, c, sc, token, id);
		explicit_bzero(token, sizeof(token));
		break;
	case AUTH_BAD:
		send_error(c, id, "bad_credentials",
		    "Wrong user name or password.", false);
		break;
	case AUTH_THROTTLED:
		e = proto_error_new(id, "throttled", "Too many failed logins; "
		    "please wait before trying again.");
		json_object_set_new(e, "retry_after", json_integer(retry_after));
		send_json(c, e);
		break;
	case AUTH_ERROR:
		send_error(c, id, "internal", "The account store failed.",
		    false);
		break;
	}
	json_decref(id);
}

static enum presence
requested_presence(const struct proto_msg *m)
{
	const char *p = proto_str(m, "presence");

	return p != NULL && strcmp(p, "away") == 0 ? PRESENCE_AWAY :
	    PRESENCE_AVAILABLE;
}

static void
on_login(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;

	if (c->login_pending) {
		send_lobby_error(s, c, m->id, LOBBY_E_WRONG_STATE);
		return;
	}
	session_now(&t);
	c->login_pending = true;
	c->login_id = json_incref(m->id);
	c->login_presence = requested_presence(m);
	auth_login(s->auth, proto_str(m, "user"), proto_str(m, "password"),
	    web_conn_addr(c->wc), t.now, c->serial);
}

static void
on_session(struct session *s, struct conn *c, struct proto_msg *m)
{
	const char *token = proto_str(m, "session");
	struct store_clerk sc;
	struct lobby_time t;
	uint64_t clerk;

	session_now(&t);
	if (token_hash(token, c->session_hash) != 0 ||
	    store_session_get(s->st, c->session_hash, TOKEN_HASH_LEN, t.now,
	    &clerk) != STORE_OK ||
	    store_clerk_get_id(s->st, clerk, &sc) != STORE_OK) {
		send_error(c, m->id, "session_expired",
		    "The session is unknown or has expired; please log in.",
		    false);
		return;
	}
	c->login_presence = requested_presence(m);
	clerk_attach(s, c, &sc, token, m->id);
	explicit_bzero(sc.pwhash, sizeof(sc.pwhash));
}

static void
on_logout(struct session *s, struct conn *c, struct proto_msg *m)
{
	mediatoken_on_logout(s, c);
	store_session_del(s->st, c->session_hash, TOKEN_HASH_LEN);
	send_ok(c, m->id);
	web_close(c->wc, 1000, "logged out");
}

static void
on_clerk_event(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;
	char actor[STORE_USER_MAX + 16];
	uint64_t out = 0;
	int err = LOBBY_OK;
	json_t *r = NULL;

	session_now(&t);
	switch (m->type) {
	case PROTO_PRESENCE:
		err = lobby_set_presence(s->lb, &t, c->clerk,
		    proto_str(m, "office"), requested_presence(m));
		break;
	case PROTO_ADMIT:
		err = lobby_admit(s->lb, &t, c->clerk,
		    (uint64_t)proto_int(m, "ticket", 0), &out);
		break;
	case PROTO_DECLINE:
		err = lobby_decline(s->lb, &t, c->clerk,
		    (uint64_t)proto_int(m, "ticket", 0), proto_str(m, "message"));
		break;
	case PROTO_TRANSFER:
		err = lobby_transfer(s->lb, &t, c->clerk,
		    (uint64_t)proto_int(m, "ticket", 0), proto_str(m, "office"),
		    proto_str(m, "note"), &out);
		break;
	case PROTO_END:
		err = lobby_end(s->lb, &t, c->clerk,
		    (uint64_t)proto_int(m, "room", 0));
		break;
	default:
		return;
	}
	if (err != LOBBY_OK) {
		send_lobby_error(s, c, m->id, err);
		return;
	}
	clerk_actor(s, c->clerk, actor, sizeof(actor));
	apply(s, &t, actor);
	if (m->type == PROTO_ADMIT) {
		r = proto_new("room", m->id);
		json_object_set_new(r, "room", view_room(s->lb, lobby_room(s->lb, out)));
	} else if (m->type == PROTO_TRANSFER) {
		r = proto_new("transferred", m->id);
		json_object_set_new(r, "ticket", json_integer((json_int_t)out));
	} else {
		r = proto_new("ok", m->id);
	}
	send_json(c, r);
}

/* --- media and guests (doc/media.md) --- */

static const char not_in_room[] = "You are not a participant of this "
    "consultation.";

/* Whether c holds a role in the open room: fills w for the media
 * module. Anyone else gets the same answer, whether the room exists or
 * not. */
static bool
media_role(struct session *s, struct conn *c, uint64_t room,
    struct media_who *w)
{
	const struct room *r = lobby_room(s->lb, room);
	const struct config_office *o;
	const struct ticket *t;

	if (r == NULL || r->closed_at != 0)
		return false;
	memset(w, 0, sizeof(*w));
	w->conn = c->serial;
	switch (c->role) {
	case ROLE_CLERK:
		if (r->clerk_id != c->clerk)
			return false;
		w->role = ROOM_CLERK;
		break;
	case ROLE_CITIZEN:
		t = lobby_ticket(s->lb, c->ticket);
		if (t == NULL || t->state != TICKET_ADMITTED || t->room != room)
			return false;
		w->role = ROOM_CITIZEN;
		w->name = t->name;
		break;
	case ROLE_GUEST:
		if (c->guest_room != room)
			return false;
		w->role = ROOM_GUEST;
		w->name = c->guest_name;
		break;
	case ROLE_MEDIA:
		/* the clerk's video window, by a media token of this room */
		if (c->guest_room != room || r->clerk_id != c->clerk)
			return false;
		w->role = ROOM_CLERK;
		break;
	default:
		return false;
	}
	o = lobby_office_config(s->lb, r->office_idx);
	w->bitrate_kbps = o != NULL && o->bitrate_kbps > 0 ? o->bitrate_kbps :
	    s->cfg->media.bitrate_kbps;
	return true;
}

static void
send_media_error(struct conn *c, json_t *id, const struct media_err *e)
{
	send_error(c, id, e->code, e->message, false);
}

static void
on_media(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint64_t room = (uint64_t)proto_int(m, "room", 0);
	struct media_who w;
	struct media_err e = {0};
	char *answer = NULL;
	const char *leg;
	json_t *r;
	int rc = 0;

	if (!media_role(s, c, room, &w)) {
		send_error(c, m->id, "not_in_room", not_in_room, false);
		return;
	}
	switch (m->type) {
	case PROTO_PUBLISH:
		rc = media_publish(s->media, room, &w, proto_str(m, "sdp"),
		    &answer, &e);
		if (rc == 0) {
			r = proto_new("publish_answer", m->id);
			json_object_set_new(r, "room", json_integer((json_int_t)room));
			json_object_set_new(r, "sdp", json_string(answer));
			send_json(c, r);
			g_free(answer);
			return;
		}
		break;
	case PROTO_SUBSCRIBE:
		/* the first offer, if there are tracks, is a push and may
		 * come before this ok */
		rc = media_subscribe(s->media, room, &w, &e);
		break;
	case PROTO_SUBSCRIBE_ANSWER:
		rc = media_subscribe_answer(s->media, room, c->serial,
		    (uint64_t)proto_int(m, "version", 0), proto_str(m, "sdp"),
		    &e);
		break;
	case PROTO_CANDIDATE:
		leg = proto_str(m, "leg");
		rc = media_candidate(s->media, room, c->serial,
		    strcmp(leg, "publish") == 0, proto_str(m, "candidate"), &e);
		break;
	case PROTO_LEAVE:
		media_leave(s->media, room, c->serial);
		break;
	default:
		return;
	}
	if (rc != 0)
		send_media_error(c, m->id, &e);
	else
		send_ok(c, m->id);
}

static void
on_invite(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint64_t room = (uint64_t)proto_int(m, "room", 0);
	const struct room *r = lobby_room(s->lb, room);
	int64_t ttl = proto_int(m, "ttl", INVITE_TTL_DEFAULT);
	char token[TOKEN_CHARS + 1], path[64];
	uint8_t hash[TOKEN_HASH_LEN];
	struct lobby_time t;
	json_t *reply;

	if (r == NULL || r->closed_at != 0 || r->clerk_id != c->clerk) {
		send_error(c, m->id, "not_in_room", "You can only invite into "
		    "your own open consultation.", false);
		return;
	}
	session_now(&t);
	if (token_new(token, hash) != 0) {
		send_error(c, m->id, "internal", "No randomness available.",
		    false);
		return;
	}
	if (invites_add(s->invites, hash, room, t.now + ttl, t.now) != 0) {
		send_error(c, m->id, "busy", "Too many open invitations; "
		    "please try again later.", false);
		explicit_bzero(token, sizeof(token));
		return;
	}
	snprintf(path, sizeof(path), "/#/gast/%s", token);
	reply = proto_new("invitation", m->id);
	json_object_set_new(reply, "room", json_integer((json_int_t)room));
	json_object_set_new(reply, "token", json_string(token));
	json_object_set_new(reply, "path", json_string(path));
	json_object_set_new(reply, "expires_at", json_integer(t.now + ttl));
	send_json(c, reply);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(path, sizeof(path));
}

json_t *
room_member_json(struct session *s, const struct room *r)
{
	const struct config_office *o = lobby_office_config(s->lb,
	    r->office_idx);
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer((json_int_t)r->id));
	json_object_set_new(j, "office", json_string(r->office));
	if (o != NULL) {
		json_object_set_new(j, "office_name", json_string(o->name_de));
		if (o->name_en != NULL)
			json_object_set_new(j, "office_name_en",
			    json_string(o->name_en));
	}
	return j;
}

static void
on_join(struct session *s, struct conn *c, struct proto_msg *m)
{
	uint8_t hash[TOKEN_HASH_LEN];
	struct lobby_time t;
	const struct room *r;
	uint64_t room = 0;
	json_t *reply;

	session_now(&t);
	if (token_hash(proto_str(m, "invitation"), hash) == 0)
		room = invites_take(s->invites, hash, t.now);
	r = room ? lobby_room(s->lb, room) : NULL;
	if (r == NULL || r->closed_at != 0) {
		send_error(c, m->id, "invitation_invalid", "This invitation "
		    "is not valid (any more). Please ask for a new one.",
		    false);
		return;
	}
	c->role = ROLE_GUEST;
	c->guest_room = room;
	g_strlcpy(c->guest_name, proto_str(m, "name"), sizeof(c->guest_name));
	index_add(s->by_room, room, c);
	reply = proto_new("joined", m->id);
	json_object_set_new(reply, "room", room_member_json(s, r));
	send_json(c, reply);
}

static void
media_push(void *ud, uint64_t conn, json_t *msg)
{
	struct session *s = ud;
	struct conn *c = g_hash_table_lookup(s->conns, &conn);

	if (c == NULL) {
		json_decref(msg);
		return;
	}
	send_json(c, msg);
}

/* --- dispatch --- */

static void
on_watch(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;
	json_t *r;

	session_now(&t);
	c->watching = true;
	g_hash_table_add(s->watchers, c);
	r = proto_new("offices", m->id);
	json_object_set_new(r, "offices", offices_json(s, &t));
	send_json(c, r);
}

/* Role rules: which role may send which request. */
static bool
role_allows(struct session *s, struct conn *c, struct proto_msg *m)
{
	if (c->role == ROLE_MEDIA && m->type != PROTO_PUBLISH &&
	    m->type != PROTO_SUBSCRIBE && m->type != PROTO_SUBSCRIBE_ANSWER &&
	    m->type != PROTO_CANDIDATE && m->type != PROTO_LEAVE) {
		send_error(c, m->id, "not_allowed", "A video window's "
		    "connection may only send and receive media.", false);
		return false;
	}
	switch (m->type) {
	case PROTO_WATCH_OFFICES:
		return true;
	case PROTO_KNOCK:
	case PROTO_RESUME:
		if (c->role == ROLE_CLERK || c->role == ROLE_GUEST) {
			send_error(c, m->id, "not_allowed", c->role ==
			    ROLE_CLERK ? "A clerk's connection cannot act as a "
			    "citizen." : "A guest's connection cannot knock.",
			    false);
			return false;
		}
		return true;
	case PROTO_WITHDRAW:
		if (c->role != ROLE_CITIZEN || c->ticket == 0) {
			send_error(c, m->id, "not_allowed",
			    "Only a waiting citizen can withdraw.", false);
			return false;
		}
		return true;
	case PROTO_LOGIN:
	case PROTO_SESSION:
		if (c->role != ROLE_VISITOR) {
			send_error(c, m->id, "not_allowed", c->role ==
			    ROLE_CLERK ? "You are logged in already." :
			    "A citizen's or guest's connection cannot log in.",
			    false);
			return false;
		}
		return true;
	case PROTO_PUBLISH:
	case PROTO_SUBSCRIBE:
	case PROTO_SUBSCRIBE_ANSWER:
	case PROTO_CANDIDATE:
	case PROTO_LEAVE:
		return true;    /* on_media checks the role for the room */
	case PROTO_SLOTS:
		return true;
	case PROTO_BOOK:
	case PROTO_BOOKING:
	case PROTO_ENTER:
		if (c->role == ROLE_CLERK || c->role == ROLE_GUEST) {
			send_error(c, m->id, "not_allowed", "Appointments are "
			    "booked from a citizen's page.", false);
			return false;
		}
		return true;
	case PROTO_CANCEL_BOOKING:
		if (c->role == ROLE_GUEST) {
			send_error(c, m->id, "not_allowed", "A guest cannot "
			    "cancel bookings.", false);
			return false;
		}
		return true;
	case PROTO_MEDIA_TOKEN:
		return true;    /* the room's clerk only; else not_in_room */
	case PROTO_JOIN:
	case PROTO_MEDIA_JOIN:
		if (c->role != ROLE_VISITOR) {
			send_error(c, m->id, "not_allowed", m->type == PROTO_JOIN ?
			    "This connection has a role already; open the "
			    "invitation in a new window." : "This connection "
			    "has a role already; the video window joins on a "
			    "connection of its own.", false);
			return false;
		}
		return true;
	default:
		if (c->role == ROLE_CLERK)
			return true;
		if (c->role == ROLE_CITIZEN || c->role == ROLE_GUEST)
			send_error(c, m->id, "not_allowed",
			    "Only clerks may do this.", false);
		else
			send_error(c, m->id, "not_logged_in",
			    "Please log in first.", false);
		return false;
	}
}

static void
h_message(void *ud, struct web_conn *wc, const char *buf, size_t len)
{
	struct session *s = ud;
	struct conn *c = web_conn_data(wc);
	struct proto_msg m;
	struct proto_error e;

	if (proto_decode(buf, len, PROTO_FROM_CLIENT, &m, &e) != 0) {
		json_t *err = proto_error_new(e.id, e.code, e.message);

		if (e.field != NULL)
			json_object_set_new(err, "field", json_string(e.field));
		send_json(c, err);
		json_decref(e.id);
		strike(c);
		return;
	}
	if (role_allows(s, c, &m)) {
		switch (m.type) {
		case PROTO_WATCH_OFFICES:
			on_watch(s, c, &m);
			break;
		case PROTO_KNOCK:
			on_knock(s, c, &m);
			break;
		case PROTO_RESUME:
			on_resume(s, c, &m);
			break;
		case PROTO_WITHDRAW:
			on_withdraw(s, c, &m);
			break;
		case PROTO_LOGIN:
			on_login(s, c, &m);
			break;
		case PROTO_SESSION:
			on_session(s, c, &m);
			break;
		case PROTO_LOGOUT:
			on_logout(s, c, &m);
			break;
		case PROTO_PUBLISH:
		case PROTO_SUBSCRIBE:
		case PROTO_SUBSCRIBE_ANSWER:
		case PROTO_CANDIDATE:
		case PROTO_LEAVE:
			on_media(s, c, &m);
			break;
		case PROTO_INVITE:
			on_invite(s, c, &m);
			break;
		case PROTO_JOIN:
			on_join(s, c, &m);
			break;
		case PROTO_MEDIA_TOKEN:
			mediatoken_on_request(s, c, &m);
			break;
		case PROTO_MEDIA_JOIN:
			mediatoken_on_join(s, c, &m);
			break;
		case PROTO_SLOTS:
			booking_on_slots(s, c, &m);
			break;
		case PROTO_BOOK:
			booking_on_book(s, c, &m);
			break;
		case PROTO_BOOKING:
			booking_on_lookup(s, c, &m);
			break;
		case PROTO_CANCEL_BOOKING:
			booking_on_cancel(s, c, &m);
			break;
		case PROTO_ENTER:
			booking_on_enter(s, c, &m);
			break;
		case PROTO_AGENDA:
			booking_on_agenda(s, c, &m);
			break;
		case PROTO_BLOCK_SLOT:
			booking_on_block(s, c, &m);
			break;
		default:
			on_clerk_event(s, c, &m);
			break;
		}
	}
	proto_msg_fini(&m);
}

static void
h_open(void *ud, struct web_conn *wc)
{
	struct session *s = ud;
	struct conn *c = g_new0(struct conn, 1);
	struct lobby_time t;
	json_t *w;

	c->wc = wc;
	c->serial = ++s->next_serial;
	web_conn_set_data(wc, c);
	g_hash_table_insert(s->conns, &c->serial, c);
	w = proto_new("welcome", NULL);
	json_object_set_new(w, "protocol", json_integer(PROTO_VERSION));
	json_object_set_new(w, "server", json_string("klopfd " KLOPF_VERSION));
	json_object_set_new(w, "max_message",
	    json_integer(s->cfg->limits.max_message_bytes));
	/* the administration's zone: clients show appointment times in it */
	json_object_set_new(w, "timezone", json_string(s->cfg->timezone));
	/* klopfd's clock: a client whose own clock is off counts down to an
	 * appointment by this one */
	session_now(&t);
	json_object_set_new(w, "now", json_integer((json_int_t)t.now));
	if (s->cfg->media.nturn > 0)
		json_object_set_new(w, "ice_servers", view_ice_servers(s->cfg));
	send_json(c, w);
}

static void
h_rejected(void *ud, struct web_conn *wc, const char *why)
{
	struct conn *c = web_conn_data(wc);

	(void)ud;
	if (strcmp(why, "binary") == 0)
		send_error(c, NULL, "bad_json",
		    "Messages must be text frames holding JSON.", true);
	else
		send_error(c, NULL, "too_large",
		    "The message is larger than the server accepts; it was "
		    "discarded.", true);
}

static void
h_close(void *ud, struct web_conn *wc)
{
	struct session *s = ud;
	struct conn *c = web_conn_data(wc);
	struct lobby_time t;

	if (c == NULL)
		return;
	session_now(&t);
	g_hash_table_remove(s->watchers, c);
	media_conn_gone(s->media, c->serial);
	if (c->role == ROLE_GUEST || c->role == ROLE_MEDIA)
		index_del(s->by_room, c->guest_room, c);
	if (c->booking != 0)
		index_del(s->by_booking, c->booking, c);
	if (c->role == ROLE_CITIZEN && c->ticket != 0 &&
	    index_del(s->by_ticket, c->ticket, c) == 0) {
		lobby_citizen_gone(s->lb, &t, c->ticket);
		apply(s, &t, "citizen");
	}
	if (c->role == ROLE_CLERK &&
	    index_del(s->by_clerk, c->clerk, c) == 0) {
		lobby_clerk_offline(s->lb, &t, c->clerk);
		apply(s, &t, "system");
	}
	json_decref(c->login_id);
	g_hash_table_remove(s->conns, &c->serial);
	web_conn_set_data(wc, NULL);
	explicit_bzero(c->session_hash, sizeof(c->session_hash));
	g_free(c);
}

static char *
h_api_offices(void *ud, size_t *len)
{
	struct session *s = ud;
	struct lobby_time t;
	json_t *r = json_object();

	session_now(&t);
	json_object_set_new(r, "offices", offices_json(s, &t));
	return proto_dump(r, len);
}

static const struct web_handlers handlers = {
	.open = h_open,
	.message = h_message,
	.rejected = h_rejected,
	.close = h_close,
	.api_offices = h_api_offices,
};

const struct web_handlers *
session_web_handlers(void)
{
	return &handlers;
}

/* --- lifecycle --- */

static void
array_free(gpointer p)
{
	g_ptr_array_free(p, TRUE);
}

struct session *
session_new(const struct config *cfg, struct lobby *lb, struct store *st,
    struct metrics *mx)
{
	struct session *s = g_new0(struct session, 1);
	static const struct media_hooks media_hooks = { media_push };
	char err[300];

	s->cfg = cfg;
	s->lb = lb;
	s->st = st;
	s->auth = auth_new(cfg, st, login_done, s);
	s->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
	s->by_ticket = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, array_free);
	s->by_clerk = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, array_free);
	s->watchers = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->by_room = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, array_free);
	s->by_booking = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, array_free);
	s->lookups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	if (token_random(s->addr_key, sizeof(s->addr_key)) != 0) {
		log_error("no randomness for the address key");
		session_free(s);
		return NULL;
	}
	s->invites = invites_new();
	s->mediatokens = mediatokens_new();
	s->media = media_new(cfg, NULL, &media_hooks, s, err, sizeof(err));
	if (s->media == NULL) {
		log_error("media: %s", err);
		session_free(s);
		return NULL;
	}
	s->mx = mx;
	metrics_add_writer(mx, media_metrics, s->media);
	return s;
}

void
session_free(struct session *s)
{
	GHashTableIter it;
	gpointer v;

	if (s == NULL)
		return;
	metrics_remove_writer(s->mx, media_metrics, s->media);
	media_free(s->media);
	invites_free(s->invites);
	mediatokens_free(s->mediatokens);
	auth_free(s->auth);
	g_hash_table_iter_init(&it, s->conns);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct conn *c = v;

		web_conn_set_data(c->wc, NULL);
		json_decref(c->login_id);
		g_free(c);
	}
	g_hash_table_destroy(s->conns);
	g_hash_table_destroy(s->by_ticket);
	g_hash_table_destroy(s->by_clerk);
	g_hash_table_destroy(s->watchers);
	g_hash_table_destroy(s->by_room);
	if (s->by_booking != NULL)
		g_hash_table_destroy(s->by_booking);
	if (s->lookups != NULL)
		g_hash_table_destroy(s->lookups);
	explicit_bzero(s->addr_key, sizeof(s->addr_key));
	g_free(s);
}

void
session_tick(struct session *s)
{
	struct lobby_time t;
	int n;

	session_now(&t);
	lobby_tick(s->lb, &t);
	apply(s, &t, "system");
	booking_tick(s, t.now);
	if (t.now - s->last_purge < PURGE_INTERVAL_S)
		return;
	s->last_purge = t.now;
	n = store_purge(s->st, t.now -
	    (int64_t)s->cfg->limits.retention_days * 86400, office_anonymous, s);
	if (n > 0)
		log_info("retention: removed personal data of %d finished "
		    "tickets", n);
	n = store_booking_purge(s->st, NULL, t.now -
	    (int64_t)s->cfg->limits.retention_days * 86400);
	/* anonymous offices keep nothing once the slot is over */
	for (int i = 0; i < s->cfg->noffices; i++)
		if (s->cfg->offices[i].anonymous && n >= 0)
			n += MAX(0, store_booking_purge(s->st,
			    s->cfg->offices[i].id, t.now));
	if (n > 0)
		log_info("retention: removed personal data of %d past or "
		    "cancelled appointments", n);
	store_session_purge(s->st, t.now);
	auth_expire(s->auth, t.now);
	mediatokens_expire(s->mediatokens, t.now);
}

/* --- restore --- */

struct restore_ctx {
	struct session *s;
	int64_t now;
	int tickets;
	int dropped;
};

static int
restore_ticket(void *ud, const struct ticket *t)
{
	struct restore_ctx *r = ud;

	if (lobby_restore_ticket(r->s->lb, t, r->now) == LOBBY_OK) {
		r->tickets++;
	} else {
		struct ticket x = *t;

		/* Its office is gone from the configuration. */
		x.state = TICKET_EXPIRED;
		x.updated_at = r->now;
		store_ticket_save(r->s->st, &x);
		r->dropped++;
	}
	return 0;
}

static int
restore_room(void *ud, const struct room *rm)
{
	struct restore_ctx *r = ud;

	if (lobby_restore_room(r->s->lb, rm) != LOBBY_OK) {
		struct room x = *rm;

		x.closed_at = r->now;
		store_room_save(r->s->st, &x);
	}
	return 0;
}

int
session_restore(struct session *s)
{
	struct restore_ctx r = {s, 0, 0, 0};
	uint64_t ticket, room, seq;
	struct lobby_time t;

	session_now(&t);
	r.now = t.now;
	if (store_begin(s->st) != STORE_OK)
		return -1;
	if (store_tickets_active(s->st, restore_ticket, &r) != STORE_OK ||
	    store_rooms_open(s->st, restore_room, &r) != STORE_OK ||
	    store_max_ids(s->st, &ticket, &room, &seq) != STORE_OK) {
		store_rollback(s->st);
		return -1;
	}
	if (store_commit(s->st) != STORE_OK)
		return -1;
	lobby_set_next_ids(s->lb, ticket + 1, room + 1, seq + 1);
	lobby_effects_clear(s->lb);
	/* Compute positions and announce offices once. */
	lobby_tick(s->lb, &t);
	lobby_effects_clear(s->lb);
	if (r.tickets > 0 || r.dropped > 0)
		log_info("restored %d waiting or admitted tickets%s", r.tickets,
		    r.dropped ? " (some expired: their office is gone)" : "");
	return 0;
}
