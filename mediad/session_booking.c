/*
 * session_booking: appointments over the WebSocket (doc/protocol.md,
 * "Appointments"). Free slots are derived from the configuration
 * (slots.c) minus the live bookings in the store (store_booking.c); sqlite
 * decides between two simultaneous bookings of one slot. A citizen holds
 * only the booking code; klopfd stores its hash. Look-ups by code are
 * limited per address and a wrong code says nothing about other bookings.
 * Arriving ("enter") is a knock that goes ahead of walk-ins once the slot
 * has begun (lobby.c).
 *
 * Never logs codes, names or topics.
 */
#include <glib.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bookcode.h"
#include "log.h"
#include "session.h"
#include "session_int.h"
#include "slots.h"
#include "store_booking.h"
#include "view.h"

#define SLOTS_MAX 20000         /* slots looked at for one request */
#define AGENDA_MAX 2000         /* bookings in one agenda reply */
#define DAY_S 86400

struct lookup_window {
	int64_t start;          /* minute the window began */
	int count;
};

/* --- helpers --- */

static const struct config_office *
office_of(struct session *s, const char *id, int *idx)
{
	*idx = id ? lobby_office_index(s->lb, id) : -1;
	return *idx >= 0 ? lobby_office_config(s->lb, *idx) : NULL;
}

/* The office's appointment settings, or an error sent and NULL. */
static const struct config_appointments *
appt_of(struct session *s, struct conn *c, json_t *id, const char *office,
    int *idx)
{
	const struct config_office *o = office_of(s, office, idx);

	if (o == NULL) {
		send_error(c, id, "unknown_office", "There is no such office.",
		    false);
		return NULL;
	}
	if (!o->appt.enabled) {
		send_error(c, id, "no_appointments", "This office does not "
		    "take appointments; please knock during its hours.",
		    false);
		return NULL;
	}
	return &o->appt;
}

static void
date_text(int yyyymmdd, char out[11])
{
	unsigned v = (unsigned)yyyymmdd;

	snprintf(out, 11, "%04u-%02u-%02u", (v / 10000) % 10000,
	    (v / 100) % 100 % 13, v % 100 % 32);
}

static int
date_parse(const char *s)
{
	int y, m, d;
	char rest;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	return y * 10000 + m * 100 + d;
}

static void
addr_hash(struct session *s, struct conn *c, uint8_t out[BOOKING_HASH_LEN])
{
	const char *a = web_conn_addr(c->wc);
	unsigned len = BOOKING_HASH_LEN;

	HMAC(EVP_sha256(), s->addr_key, sizeof(s->addr_key),
	    (const unsigned char *)a, strlen(a), out, &len);
}

/* The start of the local calendar day of t. */
static int64_t
day_start(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static json_t *
view_booking(const struct booking *b, const struct config_office *o,
    bool for_clerk)
{
	json_t *v = json_object();
	const struct config_appointments *a = &o->appt;

	if (for_clerk)
		json_object_set_new(v, "id", json_integer((json_int_t)b->id));
	json_object_set_new(v, "office", json_string(b->office));
	json_object_set_new(v, "start", json_integer(b->slot_start));
	json_object_set_new(v, "end", json_integer(b->slot_end));
	json_object_set_new(v, "state",
	    json_string(booking_state_name(b->state)));
	if (b->state != BOOKING_BLOCKED) {
		json_object_set_new(v, "name", proto_str_or_null(b->name));
		json_object_set_new(v, "lang", json_string(b->lang));
	}
	json_object_set_new(v, for_clerk && b->state == BOOKING_BLOCKED ?
	    "note" : "topic", proto_str_or_null(b->topic));
	json_object_set_new(v, "message", proto_str_or_null(b->message));
	json_object_set_new(v, "enter_from",
	    json_integer(b->slot_start - a->early_minutes * 60));
	json_object_set_new(v, "enter_until",
	    json_integer(b->slot_start + a->late_minutes * 60));
	return v;
}

/* Counts a look-up by code from c's address; false (and an error sent)
 * when the address has used up its minute. */
static bool
lookup_allowed(struct session *s, struct conn *c, json_t *id, int64_t now)
{
	int limit = s->cfg->limits.booking_lookups;
	const char *a = web_conn_addr(c->wc);
	struct lookup_window *w;
	json_t *e;

	if (limit == 0)
		return true;
	w = g_hash_table_lookup(s->lookups, a);
	if (w == NULL) {
		w = g_new0(struct lookup_window, 1);
		g_hash_table_insert(s->lookups, g_strdup(a), w);
	}
	if (now - w->start >= 60) {
		w->start = now;
		w->count = 0;
	}
	if (++w->count <= limit)
		return true;
	e = proto_error_new(id, "rate_limited", "Too many booking codes "
	    "tried from this address; please wait a minute.");
	json_object_set_new(e, "retry_after",
	    json_integer(w->start + 60 - now));
	send_json(c, e);
	return false;
}

/* Finds the booking behind a typed code. A code that is malformed and
 * one that is unknown get the same answer. */
static bool
booking_by_code(struct session *s, struct conn *c, struct proto_msg *m,
    int64_t now, struct booking *b)
{
	uint8_t hash[BOOKCODE_HASH_LEN];
	int rc;

	if (!lookup_allowed(s, c, m->id, now))
		return false;
	if (bookcode_hash(proto_str(m, "code"), hash) == 0) {
		rc = store_booking_by_code(s->st, hash, b);
		if (rc == STORE_OK && b->state != BOOKING_BLOCKED)
			return true;
		if (rc == STORE_E_IO) {
			send_error(c, m->id, "internal", "The booking cannot "
			    "be read just now; please try again.", false);
			return false;
		}
	}
	send_error(c, m->id, "unknown_booking", "There is no booking with "
	    "this code. Please check it: it has ten letters and digits.",
	    false);
	return false;
}

static void
watch_booking(struct session *s, struct conn *c, uint64_t id)
{
	if (c->booking == id)
		return;
	if (c->booking != 0)
		index_del(s->by_booking, c->booking, c);
	c->booking = id;
	index_add(s->by_booking, id, c);
}

/* Tells every page showing the booking what it is now. */
static void
push_booking(struct session *s, const struct booking *b)
{
	GPtrArray *a = index_get(s->by_booking, b->id);
	const struct config_office *o;
	int idx;

	if (a == NULL || a->len == 0 ||
	    (o = office_of(s, b->office, &idx)) == NULL)
		return;
	for (guint i = 0; i < a->len; i++) {
		json_t *msg = proto_new("booking", NULL);

		json_object_set_new(msg, "booking", view_booking(b, o, false));
		send_json(g_ptr_array_index(a, i), msg);
	}
}

/* The office's slots that may be booked at now, in time order; the
 * booked and blocked ones have minute -1. Free with g_free. */
static struct slot *
bookable_slots(struct session *s, const struct config_office *o,
    int64_t now, size_t *n)
{
	const struct config_appointments *a = &o->appt;
	size_t max = (size_t)(a->horizon_days + 2) *
	    (size_t)(1440 / a->slot_minutes);
	struct slot *sl;
	int64_t *taken;
	int nt = 0;

	if (max > SLOTS_MAX)
		max = SLOTS_MAX;
	sl = g_new(struct slot, max);
	*n = slots_list(a, s->cfg->closed, s->cfg->nclosed, now, sl, max);
	if (*n == 0)
		return sl;
	taken = g_new(int64_t, *n);
	nt = store_booking_taken(s->st, o->id, sl[0].start, sl[*n - 1].end,
	    taken, (int)*n);
	/* both in time order */
	for (size_t i = 0, k = 0; nt > 0 && i < *n; i++) {
		while (k < (size_t)nt && taken[k] < sl[i].start)
			k++;
		if (k < (size_t)nt && taken[k] == sl[i].start)
			sl[i].minute = -1;
	}
	g_free(taken);
	return sl;
}

/* --- citizens --- */

void
booking_on_slots(struct session *s, struct conn *c, struct proto_msg *m)
{
	const struct config_appointments *a;
	struct lobby_time t;
	struct slot *sl;
	json_t *days, *list, *r;
	int idx, want = -1, pick = -1;
	size_t n;

	if ((a = appt_of(s, c, m->id, proto_str(m, "office"), &idx)) == NULL)
		return;
	if (proto_str(m, "date") != NULL &&
	    (want = date_parse(proto_str(m, "date"))) < 0) {
		send_error(c, m->id, "bad_message", "\"date\" must be a day "
		    "like 2026-11-24.", true);
		return;
	}
	session_now(&t);
	sl = bookable_slots(s, lobby_office_config(s->lb, idx), t.now, &n);
	days = json_array();
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int free = 0;
		char d[11];
		json_t *day = json_object();

		for (; j < n && sl[j].date == sl[i].date; j++)
			free += sl[j].minute >= 0;
		date_text(sl[i].date, d);
		json_object_set_new(day, "date", json_string(d));
		json_object_set_new(day, "free", json_integer(free));
		json_array_append_new(days, day);
		if ((want < 0 && pick < 0 && free > 0) || sl[i].date == want)
			pick = sl[i].date;
		i = j;
	}
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		char hm[8];
		json_t *o;

		if (sl[i].date != pick || sl[i].minute < 0)
			continue;
		o = json_object();
		snprintf(hm, sizeof(hm), "%02u:%02u",
		    (unsigned)sl[i].minute / 60 % 24,
		    (unsigned)sl[i].minute % 60);
		json_object_set_new(o, "start", json_integer(sl[i].start));
		json_object_set_new(o, "end", json_integer(sl[i].end));
		json_object_set_new(o, "time", json_string(hm));
		json_array_append_new(list, o);
	}
	r = proto_new("slots", m->id);
	json_object_set_new(r, "office",
	    json_string(lobby_office_config(s->lb, idx)->id));
	json_object_set_new(r, "slot_minutes", json_integer(a->slot_minutes));
	json_object_set_new(r, "days", days);
	if (pick > 0) {
		char d[11];

		date_text(pick, d);
		json_object_set_new(r, "date", json_string(d));
	} else {
		json_object_set_new(r, "date", json_null());
	}
	json_object_set_new(r, "slots", list);
	send_json(c, r);
	g_free(sl);
}

void
booking_on_book(struct session *s, struct conn *c, struct proto_msg *m)
{
	const struct config_appointments *a;
	const struct config_office *o;
	struct lobby_time t;
	struct booking b;
	struct slot sl;
	char code[BOOKCODE_TEXT_MAX + 1];
	uint8_t ch[BOOKCODE_HASH_LEN], ah[BOOKING_HASH_LEN];
	const char *name = proto_str(m, "name"), *topic = proto_str(m, "topic");
	const char *lang = proto_str(m, "lang");
	uint64_t id;
	json_t *r;
	int idx, n, rc;

	if ((a = appt_of(s, c, m->id, proto_str(m, "office"), &idx)) == NULL)
		return;
	o = lobby_office_config(s->lb, idx);
	if (!proto_bool(m, "consent", false)) {
		send_error(c, m->id, "consent_required", "Please accept the "
		    "privacy notice to book.", false);
		return;
	}
	if (o->anonymous && name != NULL && *name != '\0') {
		send_error(c, m->id, "name_not_allowed", "This office "
		    "counsels anonymously: please book without a name.", false);
		return;
	}
	session_now(&t);
	if (!slots_find(a, s->cfg->closed, s->cfg->nclosed, t.now,
	    proto_int(m, "start", 0), &sl)) {
		send_error(c, m->id, "not_bookable", "This time cannot be "
		    "booked (any more); please pick one of the free times.",
		    false);
		return;
	}
	addr_hash(s, c, ah);
	if (s->cfg->limits.bookings_per_address > 0 &&
	    (n = store_booking_count_addr(s->st, ah, NULL, t.now - DAY_S)) >=
	    s->cfg->limits.bookings_per_address) {
		send_error(c, m->id, "too_many_bookings", "Too many "
		    "appointments were booked from this address today; "
		    "please try again tomorrow or call the office.", false);
		return;
	}
	if (s->cfg->limits.bookings_per_office > 0 &&
	    (n = store_booking_count_office(s->st, o->id, t.now - DAY_S)) >=
	    s->cfg->limits.bookings_per_office) {
		send_error(c, m->id, "too_many_bookings", "This office takes "
		    "no more online bookings today; please try again "
		    "tomorrow.", false);
		return;
	}
	if (bookcode_new(code) != 0 || bookcode_hash(code, ch) != 0) {
		send_error(c, m->id, "internal", "No randomness available.",
		    false);
		return;
	}
	memset(&b, 0, sizeof(b));
	g_strlcpy(b.office, o->id, sizeof(b.office));
	b.slot_start = sl.start;
	b.slot_end = sl.end;
	b.state = BOOKING_BOOKED;
	if (!o->anonymous && name != NULL)
		g_strlcpy(b.name, name, sizeof(b.name));
	if (topic != NULL)
		g_strlcpy(b.topic, topic, sizeof(b.topic));
	g_strlcpy(b.lang, lang ? lang : "de", sizeof(b.lang));
	b.created_at = b.updated_at = t.now;
	rc = store_booking_add(s->st, &b, ch, ah, &id);
	if (rc == STORE_E_TAKEN) {
		send_error(c, m->id, "slot_taken", "Someone else has just "
		    "booked this time; please pick another one.", false);
		explicit_bzero(code, sizeof(code));
		return;
	}
	if (rc != STORE_OK) {
		send_error(c, m->id, "internal", "The booking could not be "
		    "saved; please try again.", false);
		explicit_bzero(code, sizeof(code));
		return;
	}
	b.id = id;
	store_audit(s->st, t.now, "citizen", "booked", o->id, 0, 0);
	log_info("booking %" G_GUINT64_FORMAT " at %s for %" G_GINT64_FORMAT,
	    id, o->id, b.slot_start);
	watch_booking(s, c, id);
	r = proto_new("booked", m->id);
	json_object_set_new(r, "code", json_string(code));
	json_object_set_new(r, "booking", view_booking(&b, o, false));
	send_json(c, r);
	explicit_bzero(code, sizeof(code));
	s->next_free_at[idx] = 0;       /* recompute */
}

void
booking_on_lookup(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;
	struct booking b;
	const struct config_office *o;
	json_t *r;
	int idx;

	session_now(&t);
	if (!booking_by_code(s, c, m, t.now, &b))
		return;
	if ((o = office_of(s, b.office, &idx)) == NULL) {
		send_error(c, m->id, "unknown_office", "The office of this "
		    "booking no longer exists; please call the "
		    "administration.", false);
		return;
	}
	watch_booking(s, c, b.id);
	r = proto_new("booking", m->id);
	json_object_set_new(r, "booking", view_booking(&b, o, false));
	send_json(c, r);
}

void
booking_on_cancel(struct session *s, struct conn *c, struct proto_msg *m)
{
	struct lobby_time t;
	struct booking b;
	const char *msg = proto_str(m, "message");
	int idx;

	session_now(&t);
	if (c->role == ROLE_CLERK) {
		uint64_t id = (uint64_t)proto_int(m, "booking", 0);

		if (id == 0 || store_booking_get(s->st, id, &b) != STORE_OK) {
			send_error(c, m->id, "unknown_booking", "There is no "
			    "such booking.", false);
			return;
		}
		if (office_of(s, b.office, &idx) == NULL ||
		    !lobby_clerk_serves(s->lb, c->clerk, idx)) {
			send_error(c, m->id, "not_your_office", "This booking "
			    "is at an office you do not serve.", false);
			return;
		}
	} else {
		if (proto_str(m, "code") == NULL) {
			send_error(c, m->id, "bad_message", "\"code\" is "
			    "required.", true);
			return;
		}
		if (!booking_by_code(s, c, m, t.now, &b))
			return;
		msg = NULL;     /* only an office leaves a message */
	}
	if (b.state != BOOKING_BOOKED && b.state != BOOKING_BLOCKED) {
		send_error(c, m->id, "wrong_state", b.state ==
		    BOOKING_CANCELLED ? "This booking is cancelled already." :
		    "This appointment has begun or is over; it cannot be "
		    "cancelled.", false);
		return;
	}
	if (store_booking_set_state(s->st, b.id, BOOKING_CANCELLED,
	    msg && *msg ? msg : NULL, t.now) != STORE_OK) {
		send_error(c, m->id, "internal", "The booking could not be "
		    "changed; please try again.", false);
		return;
	}
	store_audit(s->st, t.now, c->role == ROLE_CLERK ? "clerk" :
	    "citizen", "booking cancelled", b.office, 0, 0);
	b.state = BOOKING_CANCELLED;
	if (msg && *msg)
		g_strlcpy(b.message, msg, sizeof(b.message));
	send_ok(c, m->id);
	push_booking(s, &b);
	if (office_of(s, b.office, &idx) != NULL)
		s->next_free_at[idx] = 0;
}

void
booking_on_enter(struct session *s, struct conn *c, struct proto_msg *m)
{
	const struct config_office *o;
	struct lobby_knock k = {0};
	struct lobby_time t;
	struct booking b;
	char token[TOKEN_CHARS + 1];
	uint8_t hash[TOKEN_HASH_LEN];
	uint64_t id;
	json_t *e;
	int idx, err;

	session_now(&t);
	if (c->role == ROLE_CITIZEN) {
		send_error(c, m->id, "already_waiting", "You are waiting "
		    "already.", false);
		return;
	}
	if (!booking_by_code(s, c, m, t.now, &b))
		return;
	if ((o = office_of(s, b.office, &idx)) == NULL) {
		send_error(c, m->id, "unknown_office", "The office of this "
		    "booking no longer exists.", false);
		return;
	}
	if (b.state != BOOKING_BOOKED) {
		send_error(c, m->id, b.state == BOOKING_CANCELLED ?
		    "booking_cancelled" : "booking_used", b.state ==
		    BOOKING_CANCELLED ? "This booking was cancelled." :
		    "This booking has been used already.", false);
		return;
	}
	if (t.now < b.slot_start - o->appt.early_minutes * 60) {
		e = proto_error_new(m->id, "too_early", "Your appointment has "
		    "not begun yet; you can enter a few minutes before it.");
		json_object_set_new(e, "enter_from", json_integer(
		    b.slot_start - o->appt.early_minutes * 60));
		json_object_set_new(e, "start", json_integer(b.slot_start));
		send_json(c, e);
		return;
	}
	if (t.now > b.slot_start + o->appt.late_minutes * 60) {
		send_error(c, m->id, "too_late", "Your appointment time has "
		    "passed; you can knock as a walk-in while the office is "
		    "open.", false);
		return;
	}
	if (token_new(token, hash) != 0) {
		send_error(c, m->id, "internal", "No randomness available.",
		    false);
		return;
	}
	k.office = o->id;
	k.name = b.name[0] ? b.name : NULL;
	k.topic = b.topic[0] ? b.topic : NULL;
	k.lang = proto_str(m, "lang") ? proto_str(m, "lang") : b.lang;
	k.consent = true;       /* given when booking */
	k.token_hash = hash;
	k.addr = web_conn_addr(c->wc);
	k.booking = b.id;
	k.appointment_at = b.slot_start;
	err = lobby_knock(s->lb, &t, &k, &id);
	if (err != LOBBY_OK) {
		send_json(c, proto_error_new(m->id, lobby_error_code(err),
		    lobby_error_text(err)));
		explicit_bzero(token, sizeof(token));
		return;
	}
	knocked(s, c, m->id, &t, id, token);    /* the booking follows */
}

void
booking_follow_ticket(struct session *s, const struct ticket *t)
{
	enum booking_state st;

	if (t->booking == 0)
		return;
	switch (t->state) {
	case TICKET_WAITING:
	case TICKET_ADMITTED:
		st = BOOKING_ARRIVED;
		break;
	case TICKET_WITHDRAWN:
	case TICKET_EXPIRED:
		st = BOOKING_NO_SHOW;
		break;
	default:
		st = BOOKING_DONE;
		break;
	}
	(void)store_booking_set_state(s->st, t->booking, st, NULL,
	    t->updated_at);
}

/* --- clerks --- */

void
booking_on_agenda(struct session *s, struct conn *c, struct proto_msg *m)
{
	const char *only = proto_str(m, "office");
	int days = (int)proto_int(m, "days", 7), oi = -1;
	struct lobby_time t;
	struct booking *b;
	int64_t from, to;
	json_t *list, *r;

	if (only != NULL && (office_of(s, only, &oi) == NULL ||
	    !lobby_clerk_serves(s->lb, c->clerk, oi))) {
		send_error(c, m->id, "not_your_office", "You do not serve "
		    "this office.", false);
		return;
	}
	session_now(&t);
	from = day_start(t.now);
	to = day_start(from + (int64_t)days * DAY_S + 12 * 3600);
	b = g_new(struct booking, AGENDA_MAX);
	list = json_array();
	for (int i = 0; i < lobby_office_count(s->lb); i++) {
		const struct config_office *o = lobby_office_config(s->lb, i);
		int n;

		if ((oi >= 0 && i != oi) ||
		    !lobby_clerk_serves(s->lb, c->clerk, i) ||
		    !o->appt.enabled)
			continue;
		n = store_booking_list(s->st, o->id, from, to, b, AGENDA_MAX);
		for (int j = 0; j < n; j++)
			json_array_append_new(list, view_booking(&b[j], o,
			    true));
	}
	g_free(b);
	r = proto_new("agenda", m->id);
	json_object_set_new(r, "from", json_integer(from));
	json_object_set_new(r, "to", json_integer(to));
	json_object_set_new(r, "bookings", list);
	send_json(c, r);
}

void
booking_on_block(struct session *s, struct conn *c, struct proto_msg *m)
{
	const struct config_office *o;
	struct config_appointments a;
	struct lobby_time t;
	struct booking b;
	struct slot sl;
	const char *note = proto_str(m, "note");
	uint64_t id;
	int idx, rc;

	if (appt_of(s, c, m->id, proto_str(m, "office"), &idx) == NULL)
		return;
	o = lobby_office_config(s->lb, idx);
	if (!lobby_clerk_serves(s->lb, c->clerk, idx)) {
		send_error(c, m->id, "not_your_office", "You do not serve "
		    "this office.", false);
		return;
	}
	session_now(&t);
	a = o->appt;
	a.notice_minutes = 0;   /* an office may block what citizens may not
	                           book any more */
	if (!slots_find(&a, s->cfg->closed, s->cfg->nclosed, t.now,
	    proto_int(m, "start", 0), &sl)) {
		send_error(c, m->id, "not_bookable", "There is no appointment "
		    "time at this moment.", false);
		return;
	}
	memset(&b, 0, sizeof(b));
	g_strlcpy(b.office, o->id, sizeof(b.office));
	b.slot_start = sl.start;
	b.slot_end = sl.end;
	b.state = BOOKING_BLOCKED;
	if (note != NULL)
		g_strlcpy(b.topic, note, sizeof(b.topic));
	g_strlcpy(b.lang, "de", sizeof(b.lang));
	b.created_at = b.updated_at = t.now;
	rc = store_booking_add(s->st, &b, NULL, NULL, &id);
	if (rc == STORE_E_TAKEN) {
		send_error(c, m->id, "slot_taken", "This time is booked or "
		    "blocked already.", false);
		return;
	}
	if (rc != STORE_OK) {
		send_error(c, m->id, "internal", "The block could not be "
		    "saved; please try again.", false);
		return;
	}
	store_audit(s->st, t.now, "clerk", "slot blocked", o->id, 0, 0);
	s->next_free_at[idx] = 0;
	send_ok(c, m->id);
}

/* --- time --- */

void
booking_tick(struct session *s, int64_t now)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->lookups);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (now - ((struct lookup_window *)v)->start >= 60)
			g_hash_table_iter_remove(&it);
}

int64_t
booking_next_free(struct session *s, int idx, int64_t now)
{
	const struct config_office *o = lobby_office_config(s->lb, idx);
	struct slot *sl;
	int64_t found = 0;
	size_t n;

	if (!o->appt.enabled)
		return 0;
	/* cached until the slot it found could no longer be booked */
	if (s->next_free_at[idx] != 0 && now >= s->next_free_at[idx] &&
	    now < s->next_free_until[idx])
		return s->next_free[idx];
	sl = bookable_slots(s, o, now, &n);
	for (size_t i = 0; i < n && found == 0; i++)
		if (sl[i].minute >= 0)
			found = sl[i].start;
	g_free(sl);
	s->next_free[idx] = found;
	s->next_free_at[idx] = now;
	/* bookable until notice before it; look again a minute later at
	 * the latest, so a slot booked elsewhere is noticed */
	s->next_free_until[idx] = found ?
	    MIN(found - o->appt.notice_minutes * 60, now + 60) : now + 60;
	return found;
}
