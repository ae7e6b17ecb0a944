/*
 * test_lobby: the domain core without any I/O. A configuration is built in
 * code (four offices, small limits), time is a fixed struct lobby_time
 * moved by hand, token hashes are distinct byte patterns. Each test checks
 * the state after an event and the effects the event produced.
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

#include "config.h"
#include "lobby.h"

#define HM(h, m) ((h) * 60 + (m))
#define NTOKENS 64

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

/* Office indices, in the order setup() adds them. */
enum { A = 0, ANON = 1, B = 2, NOHOURS = 3 };
#define OFFICE_A "buergeramt"     /* Mo-Fr 08:00-12:00, 20 min */
#define OFFICE_ANON "beratung"    /* anonymous, Mo-Fr 08:00-12:00, 30 min */
#define OFFICE_B "wbs"            /* Mo-Fr 08:00-12:00, 10 min */
#define OFFICE_NOHOURS "archiv"   /* no hours at all */

enum { ANNA = 101, BEN = 102, CARL = 103, DORA = 104, NOBODY = 999 };

/* Tuesday 09:00:00 local in every test; a multiple of 60. */
#define NOW INT64_C(1764000000)
/* The Sunday 00:00 before NOW: the origin of the test week. */
#define WEEK0 (NOW - (int64_t)(TUE * 1440 + HM(9, 0)) * 60)

struct fx {
	struct config cfg;
	struct lobby *lb;
	struct lobby_time t;
	uint8_t tok[NTOKENS][LOBBY_TOKEN_HASH];
};

/* --- helpers ------------------------------------------------------------ */

static void
add_office(struct config *c, const char *id, const char *name, bool anonymous,
    int avg, const char *hours)
{
	struct config_office *o = &c->offices[c->noffices++];
	char msg[256];

	snprintf(o->id, sizeof(o->id), "%s", id);
	o->name_de = (char *)name;
	o->description_de = (char *)"Eine Beschreibung.";
	o->anonymous = anonymous;
	o->avg_minutes = avg;
	if (hours != NULL && config_parse_hours(o, hours, msg, sizeof(msg)) != 0)
		fail_msg("config_parse_hours(%s): %s", hours, msg);
}

/* Sets now from the elapsed time since WEEK0 and derives wday/minute. */
static void
set_now(struct fx *f, int64_t now)
{
	int64_t mins = (now - WEEK0) / 60;

	f->t.now = now;
	f->t.wday = (int)((mins / 1440) % 7);
	f->t.minute = (int)(mins % 1440);
}

/* Moves to a weekday and minute of the test week. */
static void
at(struct fx *f, int wday, int minute)
{
	set_now(f, WEEK0 + ((int64_t)wday * 1440 + minute) * 60);
}

static void
later(struct fx *f, int64_t seconds)
{
	set_now(f, f->t.now + seconds);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	add_office(&f->cfg, OFFICE_A, "Bürgeramt", false, 20,
	    "Mo-Fr 08:00-12:00");
	add_office(&f->cfg, OFFICE_ANON, "Schwangerschaftsberatung", true, 30,
	    "Mo-Fr 08:00-12:00");
	add_office(&f->cfg, OFFICE_B, "Wohnberechtigungsschein", false, 10,
	    "Mo-Fr 08:00-12:00");
	add_office(&f->cfg, OFFICE_NOHOURS, "Archiv", false, 15, NULL);
	f->cfg.limits.max_message_bytes = 8192;
	f->cfg.limits.max_queue = 5;
	f->cfg.limits.knock_rate = 0;
	f->cfg.limits.knock_burst = 3;
	f->cfg.limits.grace_seconds = 120;
	for (int n = 0; n < NTOKENS; n++)
		for (int i = 0; i < LOBBY_TOKEN_HASH; i++)
			f->tok[n][i] = (uint8_t)(i == 0 ? n + 1 : (n + 1) * 31 + i);
	set_now(f, NOW);
	f->lb = lobby_new(&f->cfg);
	assert_non_null(f->lb);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	lobby_free(f->lb);
	free(f);
	return 0;
}

static const uint8_t *
tok(struct fx *f, int n)
{
	assert_true(n >= 0 && n < NTOKENS);
	return f->tok[n];
}

static struct lobby_knock
kn(struct fx *f, const char *office, int token)
{
	struct lobby_knock k;

	memset(&k, 0, sizeof(k));
	k.office = office;
	k.consent = true;
	k.token_hash = tok(f, token);
	k.addr = "192.0.2.1";
	return k;
}

static int
knock(struct fx *f, const struct lobby_knock *k, uint64_t *id)
{
	return lobby_knock(f->lb, &f->t, k, id);
}

static uint64_t
knock_ok(struct fx *f, const char *office, int token)
{
	struct lobby_knock k = kn(f, office, token);
	uint64_t id = 0;

	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	assert_int_not_equal(id, 0);
	return id;
}

static void
clerk_on(struct fx *f, uint64_t clerk, const char *office, enum presence p)
{
	const char *offices[1] = {office};

	assert_int_equal(lobby_clerk_online(f->lb, &f->t, clerk, "clerk",
	    offices, 1, p), LOBBY_OK);
}

static void
clerk_on2(struct fx *f, uint64_t clerk, const char *o1, const char *o2,
    enum presence p)
{
	const char *offices[2] = {o1, o2};

	assert_int_equal(lobby_clerk_online(f->lb, &f->t, clerk, "clerk",
	    offices, 2, p), LOBBY_OK);
}

static void
clear(struct fx *f)
{
	lobby_effects_clear(f->lb);
}

static size_t
nfx(struct fx *f)
{
	size_t n;

	lobby_effects(f->lb, &n);
	return n;
}

/* Effects of this kind about this ticket (0 = any ticket). */
static int
count_fx(struct fx *f, enum lobby_fx_kind kind, uint64_t ticket)
{
	size_t n;
	const struct lobby_fx *fx = lobby_effects(f->lb, &n);
	int c = 0;

	for (size_t i = 0; i < n; i++)
		if (fx[i].kind == kind && (ticket == 0 || fx[i].ticket == ticket))
			c++;
	return c;
}

static int
count_fx_office(struct fx *f, enum lobby_fx_kind kind, int office)
{
	size_t n;
	const struct lobby_fx *fx = lobby_effects(f->lb, &n);
	int c = 0;

	for (size_t i = 0; i < n; i++)
		if (fx[i].kind == kind && fx[i].office == office)
			c++;
	return c;
}

static int
count_fx_presence(struct fx *f, uint64_t clerk, int office)
{
	size_t n;
	const struct lobby_fx *fx = lobby_effects(f->lb, &n);
	int c = 0;

	for (size_t i = 0; i < n; i++)
		if (fx[i].kind == LOBBY_FX_PRESENCE && fx[i].clerk == clerk &&
		    fx[i].office == office)
			c++;
	return c;
}

/* The first effect of this kind about this ticket; fails if there is none. */
static const struct lobby_fx *
find_fx(struct fx *f, enum lobby_fx_kind kind, uint64_t ticket)
{
	size_t n;
	const struct lobby_fx *fx = lobby_effects(f->lb, &n);

	for (size_t i = 0; i < n; i++)
		if (fx[i].kind == kind && fx[i].ticket == ticket)
			return &fx[i];
	fail_msg("no effect of kind %d for ticket %llu", (int)kind,
	    (unsigned long long)ticket);
	return NULL;
}

static const struct ticket *
tk(struct fx *f, uint64_t id)
{
	const struct ticket *t = lobby_ticket(f->lb, id);

	if (t == NULL)
		fail_msg("ticket %llu not found", (unsigned long long)id);
	return t;
}

static struct lobby_office_view
vw(struct fx *f, int idx)
{
	struct lobby_office_view v;

	lobby_office_view(f->lb, idx, &f->t, &v);
	return v;
}

/* The office's queue is exactly ids[0..n-1], with positions 1..n. */
static void
assert_queue(struct fx *f, int office, const uint64_t *ids, size_t n)
{
	const struct ticket *const *q;
	size_t len = lobby_queue(f->lb, office, &q);

	assert_int_equal(len, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(q[i]->id, ids[i]);
		assert_int_equal(q[i]->state, TICKET_WAITING);
		assert_int_equal(q[i]->position, (int)i + 1);
	}
	assert_int_equal(vw(f, office).queue_len, (int)n);
}

#define QUEUE(f, office, ...) do { \
	const uint64_t ids_[] = {__VA_ARGS__}; \
	assert_queue((f), (office), ids_, sizeof(ids_) / sizeof(ids_[0])); \
} while (0)

static void
assert_queue_empty(struct fx *f, int office)
{
	assert_queue(f, office, NULL, 0);
}

static void
string_of(char *buf, size_t len, char c)
{
	memset(buf, c, len);
	buf[len] = '\0';
}

/* --- knocking ------------------------------------------------------------ */

static void
test_knock_at_closed_office_is_refused(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k = kn(f, OFFICE_A, 1);
	uint64_t id = 77;

	/* In hours but no clerk. */
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	assert_int_equal(id, 77);
	assert_int_equal(nfx(f), 0);
	assert_null(lobby_ticket(f->lb, 1));
	assert_queue_empty(f, A);

	/* A clerk of another office does not open this one. */
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	clear(f);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);

	/* Clerk available, but outside hours: after 12:00, before 08:00, at
	 * the weekend. The end of a range is exclusive. */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clear(f);
	at(f, TUE, HM(13, 0));
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	at(f, TUE, HM(12, 0));
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	at(f, TUE, HM(7, 59));
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	at(f, SAT, HM(10, 0));
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	at(f, SUN, HM(10, 0));
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
	assert_int_equal(nfx(f), 0);
	assert_queue_empty(f, A);

	/* An office without hours is never open. */
	clerk_on(f, CARL, OFFICE_NOHOURS, PRESENCE_AVAILABLE);
	at(f, TUE, HM(9, 0));
	clear(f);
	k.office = OFFICE_NOHOURS;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);

	/* Unknown offices. */
	k.office = "nirgendwo";
	assert_int_equal(knock(f, &k, &id), LOBBY_E_UNKNOWN_OFFICE);
	k.office = NULL;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_UNKNOWN_OFFICE);
	assert_int_equal(nfx(f), 0);

	/* First and last minute of the range are open. */
	k.office = OFFICE_A;
	at(f, TUE, HM(8, 0));
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	at(f, TUE, HM(11, 59));
	k.token_hash = tok(f, 2);
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);

	/* The clerk logs off: closed again. */
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	k.token_hash = tok(f, 3);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);
}

static void
test_knock_gets_position_and_queue_add_effect(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	const struct ticket *t;
	const struct lobby_fx *e;
	uint64_t a = 0, b = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clear(f);

	k = kn(f, OFFICE_A, 1);
	k.name = "Aylin";
	k.topic = "Antrag auf Wohngeld";
	assert_int_equal(knock(f, &k, &a), LOBBY_OK);
	assert_int_equal(a, 1);

	t = tk(f, a);
	assert_int_equal(t->id, a);
	assert_int_equal(t->state, TICKET_WAITING);
	assert_string_equal(t->office, OFFICE_A);
	assert_int_equal(t->office_idx, A);
	assert_string_equal(t->name, "Aylin");
	assert_string_equal(t->topic, "Antrag auf Wohngeld");
	assert_null(t->message);
	assert_string_equal(t->lang, "de");
	assert_true(t->has_token);
	assert_memory_equal(t->token_hash, tok(f, 1), LOBBY_TOKEN_HASH);
	assert_int_equal(t->knocked_at, NOW);
	assert_int_equal(t->updated_at, NOW);
	assert_int_equal(t->priority, 0);
	assert_int_equal(t->transferred_from, 0);
	assert_int_equal(t->transferred_to, 0);
	assert_int_equal(t->room, 0);
	assert_int_equal(t->disconnected_at, 0);
	assert_int_equal(t->position, 1);
	assert_int_equal(t->wait_s, 0);

	/* Effects: the ticket, its queue entry, its position, the office. */
	assert_int_equal(nfx(f), 4);
	e = find_fx(f, LOBBY_FX_TICKET, a);
	assert_int_equal(e->office, A);
	e = find_fx(f, LOBBY_FX_QUEUE_ADD, a);
	assert_int_equal(e->office, A);
	assert_int_equal(e->position, 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, a), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	clear(f);

	/* Second citizen: behind, one consultation to wait; empty texts are
	 * stored as none. */
	later(f, 30);
	k = kn(f, OFFICE_A, 2);
	k.name = "";
	k.topic = "";
	k.lang = "en";
	assert_int_equal(knock(f, &k, &b), LOBBY_OK);
	assert_int_equal(b, 2);
	t = tk(f, b);
	assert_null(t->name);
	assert_null(t->topic);
	assert_string_equal(t->lang, "en");
	assert_int_equal(t->knocked_at, NOW + 30);
	assert_int_equal(t->position, 2);
	assert_int_equal(t->wait_s, 20 * 60);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_ADD, b)->position, 2);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, b), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, b), 1);
	/* The first citizen's place did not change: nothing pushed to it. */
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, a), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, a), 0);
	assert_int_equal(nfx(f), 4);

	QUEUE(f, A, a, b);
	assert_int_equal(vw(f, A).status, OFFICE_OPEN);
	assert_int_equal(vw(f, A).wait_s, 2 * 20 * 60);

	/* The tokens lead to the tickets. */
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &a), LOBBY_OK);
	assert_int_equal(a, 1);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 2), &b), LOBBY_OK);
	assert_int_equal(b, 2);
}

static void
test_queue_is_first_come_first_served(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, t3, t4, t5;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	later(f, 60);
	t2 = knock_ok(f, OFFICE_A, 2);
	later(f, 60);
	t3 = knock_ok(f, OFFICE_A, 3);
	t4 = knock_ok(f, OFFICE_A, 4);   /* same second: arrival decides */
	QUEUE(f, A, t1, t2, t3, t4);
	assert_int_equal(tk(f, t1)->knocked_at, NOW);
	assert_int_equal(tk(f, t2)->knocked_at, NOW + 60);
	assert_int_equal(tk(f, t3)->knocked_at, NOW + 120);
	assert_int_equal(tk(f, t4)->knocked_at, NOW + 120);
	assert_true(tk(f, t3)->seq < tk(f, t4)->seq);
	assert_int_equal(tk(f, t4)->wait_s, 3 * 20 * 60);

	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_OK);
	QUEUE(f, A, t1, t3, t4);
	t5 = knock_ok(f, OFFICE_A, 5);
	QUEUE(f, A, t1, t3, t4, t5);
}

static void
test_priority_goes_ahead_of_walk_ins(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t w1, w2, w3, p1 = 0, p2 = 0;

	f->cfg.limits.max_queue = 10;
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	w1 = knock_ok(f, OFFICE_A, 1);
	later(f, 60);
	w2 = knock_ok(f, OFFICE_A, 2);
	later(f, 60);
	w3 = knock_ok(f, OFFICE_A, 3);
	later(f, 60);
	clear(f);

	/* An appointment whose slot has begun goes first. */
	k = kn(f, OFFICE_A, 4);
	k.booking = 7;
	k.appointment_at = f->t.now - 60;
	assert_int_equal(knock(f, &k, &p1), LOBBY_OK);
	assert_int_equal(tk(f, p1)->priority, LOBBY_APPOINTMENT_PRIORITY);
	assert_int_equal(tk(f, p1)->booking, 7);
	QUEUE(f, A, p1, w1, w2, w3);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_ADD, p1)->position, 1);
	/* Everybody moved back one place. */
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, p1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w3), 1);
	assert_int_equal(tk(f, w1)->wait_s, 20 * 60);
	clear(f);

	/* A later appointment goes behind the earlier one, before walk-ins. */
	later(f, 60);
	k = kn(f, OFFICE_A, 5);
	k.booking = 8;
	k.appointment_at = f->t.now;
	assert_int_equal(knock(f, &k, &p2), LOBBY_OK);
	QUEUE(f, A, p1, p2, w1, w2, w3);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_ADD, p2)->position, 2);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, p1), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w1), 1);
}

/* Early for an appointment: wait like a walk-in until the slot begins,
 * then go ahead (and the clerks and everyone behind are told). */
static void
test_early_appointment_goes_ahead_when_its_slot_begins(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t w1, w2, p = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	w1 = knock_ok(f, OFFICE_A, 1);
	w2 = knock_ok(f, OFFICE_A, 2);
	later(f, 10);
	k = kn(f, OFFICE_A, 3);
	k.booking = 9;
	k.appointment_at = f->t.now + 300;
	assert_int_equal(knock(f, &k, &p), LOBBY_OK);
	assert_int_equal(tk(f, p)->priority, 0);
	QUEUE(f, A, w1, w2, p);
	later(f, 299);
	clear(f);
	lobby_tick(f->lb, &f->t);
	QUEUE(f, A, w1, w2, p);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_ADD, p), 0);
	later(f, 1);
	clear(f);
	lobby_tick(f->lb, &f->t);
	QUEUE(f, A, p, w1, w2);
	assert_int_equal(tk(f, p)->priority, LOBBY_APPOINTMENT_PRIORITY);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_ADD, p)->position, 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, p), 1);   /* saved */
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, w2), 1);
	assert_int_equal(tk(f, w2)->position, 3);
	/* once is enough */
	later(f, 1);
	clear(f);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_ADD, p), 0);
}

static void
test_knock_with_name_at_anonymous_office_is_refused(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t id = 0, id2 = 0;

	clerk_on(f, CARL, OFFICE_ANON, PRESENCE_AVAILABLE);
	clear(f);
	k = kn(f, OFFICE_ANON, 1);
	k.name = "Aylin";
	k.topic = "Beratung";
	assert_int_equal(knock(f, &k, &id), LOBBY_E_NAME_NOT_ALLOWED);
	assert_int_equal(id, 0);
	assert_int_equal(nfx(f), 0);
	assert_queue_empty(f, ANON);

	/* No name, or an empty one, is fine; the topic is kept. */
	k.name = "";
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	assert_null(tk(f, id)->name);
	assert_string_equal(tk(f, id)->topic, "Beratung");
	k = kn(f, OFFICE_ANON, 2);
	assert_int_equal(knock(f, &k, &id2), LOBBY_OK);
	assert_null(tk(f, id2)->name);
	QUEUE(f, ANON, id, id2);
	assert_int_equal(tk(f, id2)->wait_s, 30 * 60);
}

static void
test_knock_with_too_long_name_or_topic_is_refused(void **state)
{
	struct fx *f = *state;
	char name[LOBBY_NAME_MAX + 2], topic[LOBBY_TOPIC_MAX + 2];
	struct lobby_knock k;
	uint64_t id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clear(f);
	k = kn(f, OFFICE_A, 1);
	string_of(name, LOBBY_NAME_MAX + 1, 'n');
	k.name = name;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_TOO_LONG);
	string_of(topic, LOBBY_TOPIC_MAX + 1, 't');
	k.name = NULL;
	k.topic = topic;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_TOO_LONG);
	assert_int_equal(nfx(f), 0);
	assert_queue_empty(f, A);

	string_of(name, LOBBY_NAME_MAX, 'n');
	string_of(topic, LOBBY_TOPIC_MAX, 't');
	k.name = name;
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	assert_int_equal(strlen(tk(f, id)->name), LOBBY_NAME_MAX);
	assert_int_equal(strlen(tk(f, id)->topic), LOBBY_TOPIC_MAX);
}

static void
test_knock_without_consent_is_refused(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clear(f);
	k = kn(f, OFFICE_A, 1);
	k.consent = false;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CONSENT_REQUIRED);
	assert_int_equal(id, 0);
	assert_int_equal(nfx(f), 0);
	assert_queue_empty(f, A);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id),
	    LOBBY_E_UNKNOWN_TICKET);

	/* The refused knock did not use up the token. */
	k.consent = true;
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	QUEUE(f, A, id);
}

static void
test_queue_full_is_refused(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t ids[5], id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	for (int i = 0; i < 5; i++)
		ids[i] = knock_ok(f, OFFICE_A, i + 1);
	clear(f);

	k = kn(f, OFFICE_A, 10);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_QUEUE_FULL);
	assert_int_equal(id, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, ids[0], ids[1], ids[2], ids[3], ids[4]);
	/* a booked appointment keeps its slot even when walk-ins filled
	 * the queue */
	k = kn(f, OFFICE_A, 12);
	k.booking = 3;
	k.appointment_at = f->t.now;
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	QUEUE(f, A, id, ids[0], ids[1], ids[2], ids[3], ids[4]);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, id), LOBBY_OK);
	k = kn(f, OFFICE_A, 10);

	/* Other offices have their own queue. */
	knock_ok(f, OFFICE_B, 11);

	/* A free place can be taken again. */
	assert_int_equal(lobby_withdraw(f->lb, &f->t, ids[2]), LOBBY_OK);
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	QUEUE(f, A, ids[0], ids[1], ids[3], ids[4], id);
}

static void
test_knock_rate_limit_per_address(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t id;
	int token = 1, r;

	f->cfg.limits.knock_rate = 6;   /* one every 10 s */
	f->cfg.limits.knock_burst = 3;
	f->cfg.limits.max_queue = 30;
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);

	for (int i = 0; i < 3; i++) {
		k = kn(f, OFFICE_A, token++);
		k.addr = "198.51.100.7";
		assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	}
	clear(f);
	k = kn(f, OFFICE_A, token++);
	k.addr = "198.51.100.7";
	id = 0;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_RATE_LIMITED);
	assert_int_equal(id, 0);
	r = lobby_retry_after(f->lb);
	assert_in_range(r, 10, 11);
	assert_int_equal(nfx(f), 0);
	assert_int_equal(vw(f, A).queue_len, 3);

	/* Another address is not affected. */
	k.addr = "198.51.100.8";
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);

	/* A timer tick does not reset a drained bucket. */
	lobby_tick(f->lb, &f->t);
	k = kn(f, OFFICE_A, token++);
	k.addr = "198.51.100.7";
	assert_int_equal(knock(f, &k, &id), LOBBY_E_RATE_LIMITED);

	/* Still refused shortly before the time is up ... */
	later(f, r - 2);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_RATE_LIMITED);
	r = lobby_retry_after(f->lb);
	assert_in_range(r, 1, 3);
	/* ... and allowed once it is, for one knock. */
	later(f, r);
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	k = kn(f, OFFICE_A, token++);
	k.addr = "198.51.100.7";
	assert_int_equal(knock(f, &k, &id), LOBBY_E_RATE_LIMITED);

	/* Knocks refused for another reason take nothing from the bucket. */
	for (int i = 0; i < 5; i++) {
		k = kn(f, OFFICE_A, token);
		k.addr = "203.0.113.1";
		k.consent = false;
		assert_int_equal(knock(f, &k, &id), LOBBY_E_CONSENT_REQUIRED);
	}
	for (int i = 0; i < 3; i++) {
		k = kn(f, OFFICE_A, token++);
		k.addr = "203.0.113.1";
		assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	}

	/* After a long pause the full burst is available again. */
	later(f, 3600);
	for (int i = 0; i < 3; i++) {
		k = kn(f, OFFICE_A, token++);
		k.addr = "198.51.100.7";
		assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	}
	k = kn(f, OFFICE_A, token++);
	k.addr = "198.51.100.7";
	assert_int_equal(knock(f, &k, &id), LOBBY_E_RATE_LIMITED);

	/* knock_rate 0: no limit at all. */
	f->cfg.limits.knock_rate = 0;
	for (int i = 0; i < 10; i++) {
		k = kn(f, OFFICE_A, token++);
		k.addr = "198.51.100.7";
		assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	}
	assert_int_equal(vw(f, A).queue_len, 3 + 1 + 1 + 3 + 3 + 10);
}

static void
test_same_token_twice_is_refused(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	uint64_t a, id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	a = knock_ok(f, OFFICE_A, 1);
	clear(f);

	k = kn(f, OFFICE_A, 1);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_ALREADY_WAITING);
	k.office = OFFICE_B;
	assert_int_equal(knock(f, &k, &id), LOBBY_E_ALREADY_WAITING);
	assert_int_equal(id, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, a);
	assert_queue_empty(f, B);

	/* A finished ticket still holds its token. */
	assert_int_equal(lobby_withdraw(f->lb, &f->t, a), LOBBY_OK);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_ALREADY_WAITING);

	k = kn(f, OFFICE_B, 2);
	assert_int_equal(knock(f, &k, &id), LOBBY_OK);
	QUEUE(f, B, id);
}

/* --- clerks acting on tickets ------------------------------------------- */

static void
test_admit_opens_room_and_moves_queue_up(void **state)
{
	struct fx *f = *state;
	const struct lobby_fx *e;
	const struct room *r;
	const struct ticket *t;
	struct lobby_office_view v;
	uint64_t t1, t2, t3, room = 0, x, y, z, room2 = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_A, 3);
	later(f, 300);
	clear(f);

	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	assert_int_equal(room, 1);

	t = tk(f, t1);
	assert_int_equal(t->state, TICKET_ADMITTED);
	assert_int_equal(t->room, room);
	assert_int_equal(t->position, 0);
	assert_int_equal(t->updated_at, NOW + 300);
	assert_int_equal(t->knocked_at, NOW);

	r = lobby_room(f->lb, room);
	assert_non_null(r);
	assert_int_equal(r->id, room);
	assert_string_equal(r->office, OFFICE_A);
	assert_int_equal(r->office_idx, A);
	assert_int_equal(r->clerk_id, ANNA);
	assert_int_equal(r->ticket_id, t1);
	assert_int_equal(r->opened_at, NOW + 300);
	assert_int_equal(r->closed_at, 0);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), room);

	/* The others moved up; with the only clerk busy they wait half a
	 * consultation more. */
	QUEUE(f, A, t2, t3);
	assert_int_equal(tk(f, t2)->wait_s, 10 * 60);
	assert_int_equal(tk(f, t3)->wait_s, 20 * 60 + 10 * 60);

	e = find_fx(f, LOBBY_FX_ROOM_OPEN, t1);
	assert_int_equal(e->room, room);
	assert_int_equal(e->clerk, ANNA);
	assert_int_equal(e->office, A);
	assert_int_equal(count_fx(f, LOBBY_FX_ROOM_OPEN, 0), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, 0), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, 0), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t1), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t3), 1);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	assert_int_equal(nfx(f), 7);

	assert_int_equal(lobby_presence(f->lb, ANNA, A),
	    PRESENCE_IN_CONSULTATION);
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_BUSY);
	assert_int_equal(v.clerks_present, 1);
	assert_int_equal(v.clerks_available, 0);
	assert_int_equal(v.queue_len, 2);
	assert_int_equal(v.wait_s, 2 * 20 * 60 + 10 * 60);

	/* Two clerks, the middle ticket admitted: only the one behind it
	 * changes place; the first keeps place and estimate. */
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	clerk_on(f, DORA, OFFICE_B, PRESENCE_AVAILABLE);
	x = knock_ok(f, OFFICE_B, 10);
	y = knock_ok(f, OFFICE_B, 11);
	z = knock_ok(f, OFFICE_B, 12);
	assert_int_equal(tk(f, z)->wait_s, 10 * 60);
	clear(f);
	assert_int_equal(lobby_admit(f->lb, &f->t, BEN, y, &room2), LOBBY_OK);
	assert_int_equal(room2, 2);
	QUEUE(f, B, x, z);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, x), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, y), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, z), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, 0), 1);
	assert_int_equal(tk(f, x)->wait_s, 0);
	assert_int_equal(tk(f, z)->wait_s, 0);
	assert_int_equal(vw(f, B).status, OFFICE_OPEN);
	assert_int_equal(vw(f, B).clerks_present, 2);
	assert_int_equal(vw(f, B).clerks_available, 1);
	assert_int_equal(lobby_presence(f->lb, DORA, B), PRESENCE_AVAILABLE);
	/* Anna's room is unaffected. */
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), room);
}

static void
test_end_closes_room_ticket_done_presence_restored(void **state)
{
	struct fx *f = *state;
	const struct lobby_fx *e;
	const struct room *r;
	uint64_t t1, t2, room = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	later(f, 900);
	clear(f);

	/* Only the clerk of the room may end it. */
	assert_int_equal(lobby_end(f->lb, &f->t, BEN, room),
	    LOBBY_E_UNKNOWN_ROOM);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room + 100),
	    LOBBY_E_UNKNOWN_ROOM);
	assert_int_equal(nfx(f), 0);

	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(tk(f, t1)->state, TICKET_DONE);
	assert_int_equal(tk(f, t1)->updated_at, NOW + 900);
	r = lobby_room(f->lb, room);
	assert_non_null(r);
	assert_int_equal(r->closed_at, NOW + 900);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AVAILABLE);
	assert_int_equal(vw(f, A).status, OFFICE_OPEN);

	e = find_fx(f, LOBBY_FX_ROOM_CLOSE, t1);
	assert_int_equal(e->room, room);
	assert_int_equal(e->clerk, ANNA);
	assert_int_equal(e->office, A);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, 0), 0);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	/* The waiting citizen's estimate dropped back (clerk free again). */
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t2), 1);
	assert_int_equal(tk(f, t2)->wait_s, 0);

	/* Ending twice does not work; the closed room is gone after the
	 * effects were carried out. */
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room),
	    LOBBY_E_UNKNOWN_ROOM);
	clear(f);
	assert_null(lobby_room(f->lb, room));
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room),
	    LOBBY_E_UNKNOWN_ROOM);

	/* The clerk sets away during the next consultation: the change shows
	 * only when the consultation ends. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t2, &room), LOBBY_OK);
	clear(f);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(count_fx(f, LOBBY_FX_PRESENCE, 0), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A),
	    PRESENCE_IN_CONSULTATION);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(tk(f, t2)->state, TICKET_DONE);
	/* An away clerk is not present: the office closes. */
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);
	assert_int_equal(vw(f, A).clerks_present, 0);
	assert_int_equal(vw(f, A).clerks_available, 0);
}

static void
test_decline_needs_message_and_sets_declined(void **state)
{
	struct fx *f = *state;
	char longmsg[LOBBY_MESSAGE_MAX + 2];
	uint64_t t1, t2, t3, room = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_A, 3);
	later(f, 60);
	clear(f);

	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t1, NULL),
	    LOBBY_E_WRONG_STATE);
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t1, ""),
	    LOBBY_E_WRONG_STATE);
	string_of(longmsg, LOBBY_MESSAGE_MAX + 1, 'm');
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t1, longmsg),
	    LOBBY_E_TOO_LONG);
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, 4711, "Nein."),
	    LOBBY_E_UNKNOWN_TICKET);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, t1, t2, t3);
	assert_null(tk(f, t1)->message);

	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t1,
	    "Bitte buchen Sie einen Termin."), LOBBY_OK);
	assert_int_equal(tk(f, t1)->state, TICKET_DECLINED);
	assert_string_equal(tk(f, t1)->message, "Bitte buchen Sie einen Termin.");
	assert_int_equal(tk(f, t1)->updated_at, NOW + 60);
	assert_int_equal(tk(f, t1)->position, 0);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t3), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_ROOM_OPEN, 0), 0);
	QUEUE(f, A, t2, t3);
	/* The clerk stays free. */
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AVAILABLE);

	/* Exactly the longest message is fine. */
	string_of(longmsg, LOBBY_MESSAGE_MAX, 'm');
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t3, longmsg),
	    LOBBY_OK);
	assert_int_equal(strlen(tk(f, t3)->message), LOBBY_MESSAGE_MAX);

	/* Only waiting tickets can be declined. */
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t1, "Nochmal."),
	    LOBBY_E_WRONG_STATE);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t2, &room), LOBBY_OK);
	assert_int_equal(lobby_decline(f->lb, &f->t, ANNA, t2, "Doch nicht."),
	    LOBBY_E_WRONG_STATE);
	assert_int_equal(tk(f, t2)->state, TICKET_ADMITTED);
}

static void
test_transfer_creates_new_ticket_keeps_knock_time_and_token(void **state)
{
	struct fx *f = *state;
	struct lobby_knock k;
	const struct ticket *o, *n;
	const struct lobby_fx *e;
	uint64_t p, x = 0, q, nid = 0, n2 = 0, r = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	p = knock_ok(f, OFFICE_B, 10);                 /* 09:00 at wbs */
	later(f, 60);
	k = kn(f, OFFICE_A, 1);                        /* 09:01 at A */
	k.name = "Aylin";
	k.topic = "Wohngeld";
	k.lang = "tr";
	assert_int_equal(knock(f, &k, &x), LOBBY_OK);
	later(f, 60);
	q = knock_ok(f, OFFICE_B, 11);                 /* 09:02 at wbs */
	later(f, 180);
	clear(f);

	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, x, OFFICE_B,
	    "Bitte WBS beantragen", &nid), LOBBY_OK);
	assert_int_not_equal(nid, 0);
	assert_int_not_equal(nid, x);

	o = tk(f, x);
	assert_int_equal(o->state, TICKET_TRANSFERRED);
	assert_int_equal(o->transferred_to, nid);
	assert_false(o->has_token);
	assert_int_equal(o->position, 0);
	assert_int_equal(o->updated_at, NOW + 300);
	assert_string_equal(o->message, "Bitte WBS beantragen");

	n = tk(f, nid);
	assert_int_equal(n->state, TICKET_WAITING);
	assert_string_equal(n->office, OFFICE_B);
	assert_int_equal(n->office_idx, B);
	assert_int_equal(n->transferred_from, x);
	assert_int_equal(n->transferred_to, 0);
	assert_int_equal(n->knocked_at, NOW + 60);
	assert_int_equal(n->updated_at, NOW + 300);
	assert_string_equal(n->message, "Bitte WBS beantragen");
	assert_string_equal(n->name, "Aylin");
	assert_string_equal(n->topic, "Wohngeld");
	assert_string_equal(n->lang, "tr");
	assert_int_equal(n->room, 0);
	assert_true(n->has_token);
	assert_memory_equal(n->token_hash, tok(f, 1), LOBBY_TOKEN_HASH);

	/* Placed by the original knock time: behind p (09:00), before q. */
	QUEUE(f, B, p, nid, q);
	assert_queue_empty(f, A);
	assert_int_equal(n->wait_s, 10 * 60);

	e = find_fx(f, LOBBY_FX_QUEUE_ADD, nid);
	assert_int_equal(e->office, B);
	assert_int_equal(e->position, 2);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_REMOVE, x)->office, A);
	assert_int_equal(find_fx(f, LOBBY_FX_TICKET, x)->office, A);
	assert_int_equal(find_fx(f, LOBBY_FX_TICKET, nid)->office, B);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, nid), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, q), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, p), 0);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, B), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_ROOM_CLOSE, 0), 0);

	/* The citizen's token now opens the new ticket. */
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &r), LOBBY_OK);
	assert_int_equal(r, nid);

	/* On to an anonymous office that is closed (no clerk there): allowed,
	 * and the name is dropped; no note leaves no message. */
	later(f, 60);
	clear(f);
	assert_int_equal(vw(f, ANON).status, OFFICE_CLOSED);
	assert_int_equal(lobby_transfer(f->lb, &f->t, BEN, nid, OFFICE_ANON,
	    NULL, &n2), LOBBY_OK);
	n = tk(f, n2);
	assert_int_equal(n->state, TICKET_WAITING);
	assert_string_equal(n->office, OFFICE_ANON);
	assert_null(n->name);
	assert_string_equal(n->topic, "Wohngeld");
	assert_null(n->message);
	assert_int_equal(n->knocked_at, NOW + 60);
	assert_int_equal(n->transferred_from, nid);
	assert_int_equal(tk(f, nid)->state, TICKET_TRANSFERRED);
	assert_int_equal(tk(f, nid)->transferred_to, n2);
	QUEUE(f, ANON, n2);
	QUEUE(f, B, p, q);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, q), 1);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &r), LOBBY_OK);
	assert_int_equal(r, n2);
	/* Nothing at the target is kept from the earlier hop. */
	assert_int_equal(tk(f, n2)->transferred_to, 0);
}

static void
test_transfer_same_office_refused(void **state)
{
	struct fx *f = *state;
	char longnote[LOBBY_MESSAGE_MAX + 2];
	uint64_t t1, t2, nid = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	clear(f);

	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t1, OFFICE_A,
	    "hier", &nid), LOBBY_E_SAME_OFFICE);
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t1, "nirgendwo",
	    NULL, &nid), LOBBY_E_UNKNOWN_OFFICE);
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t1, NULL, NULL,
	    &nid), LOBBY_E_UNKNOWN_OFFICE);
	string_of(longnote, LOBBY_MESSAGE_MAX + 1, 'x');
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t1, OFFICE_B,
	    longnote, &nid), LOBBY_E_TOO_LONG);
	assert_int_equal(lobby_transfer(f->lb, &f->t, BEN, t1, OFFICE_B, NULL,
	    &nid), LOBBY_E_NOT_YOUR_OFFICE);
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, 4711, OFFICE_B,
	    NULL, &nid), LOBBY_E_UNKNOWN_TICKET);
	assert_int_equal(nid, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, t1, t2);
	assert_queue_empty(f, B);
	assert_int_equal(tk(f, t1)->transferred_to, 0);
	assert_true(tk(f, t1)->has_token);

	/* Finished tickets cannot be transferred. */
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_OK);
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t2, OFFICE_B, NULL,
	    &nid), LOBBY_E_WRONG_STATE);
	assert_queue_empty(f, B);
}

static void
test_transfer_of_admitted_ticket_closes_room(void **state)
{
	struct fx *f = *state;
	const struct lobby_fx *e;
	const struct room *r;
	uint64_t t1, t2, room = 0, nid = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, DORA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	later(f, 600);
	clear(f);

	/* Another clerk of the office cannot move Anna's citizen away. */
	assert_int_equal(lobby_transfer(f->lb, &f->t, DORA, t1, OFFICE_B, NULL,
	    &nid), LOBBY_E_WRONG_STATE);
	assert_int_equal(nfx(f), 0);

	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, t1, OFFICE_B,
	    "Weiter beim WBS", &nid), LOBBY_OK);
	assert_int_equal(tk(f, t1)->state, TICKET_TRANSFERRED);
	assert_int_equal(tk(f, t1)->transferred_to, nid);
	assert_int_equal(tk(f, nid)->state, TICKET_WAITING);
	assert_int_equal(tk(f, nid)->room, 0);
	assert_int_equal(tk(f, nid)->knocked_at, NOW);
	QUEUE(f, B, nid);
	QUEUE(f, A, t2);

	r = lobby_room(f->lb, room);
	assert_non_null(r);
	assert_int_equal(r->closed_at, NOW + 600);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AVAILABLE);

	e = find_fx(f, LOBBY_FX_ROOM_CLOSE, t1);
	assert_int_equal(e->room, room);
	assert_int_equal(e->clerk, ANNA);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	/* It was not in a queue, so no removal is announced for it. */
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t1), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t1), 1);
	assert_int_equal(find_fx(f, LOBBY_FX_QUEUE_ADD, nid)->position, 1);

	/* The room cannot be ended a second time. */
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room),
	    LOBBY_E_UNKNOWN_ROOM);
	/* Anna is free for the next one. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t2, &room), LOBBY_OK);
}

static void
test_transfer_keeps_the_grace_timer_of_a_disconnected_citizen(void **state)
{
	struct fx *f = *state;
	uint64_t x, nid = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	x = knock_ok(f, OFFICE_A, 1);
	lobby_citizen_gone(f->lb, &f->t, x);
	later(f, 60);
	assert_int_equal(lobby_transfer(f->lb, &f->t, ANNA, x, OFFICE_B, NULL,
	    &nid), LOBBY_OK);
	assert_int_equal(tk(f, nid)->disconnected_at, NOW);
	set_now(f, NOW + 120);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, nid)->state, TICKET_WAITING);
	set_now(f, NOW + 121);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, nid)->state, TICKET_EXPIRED);
	assert_queue_empty(f, B);
}

static void
test_withdraw_only_while_waiting(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, t3, room = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_A, 3);
	later(f, 45);
	clear(f);

	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_OK);
	assert_int_equal(tk(f, t2)->state, TICKET_WITHDRAWN);
	assert_int_equal(tk(f, t2)->updated_at, NOW + 45);
	assert_int_equal(tk(f, t2)->position, 0);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t1), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t3), 1);
	QUEUE(f, A, t1, t3);
	clear(f);

	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_E_WRONG_STATE);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, 4711),
	    LOBBY_E_UNKNOWN_TICKET);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	clear(f);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t1), LOBBY_E_WRONG_STATE);
	assert_int_equal(tk(f, t1)->state, TICKET_ADMITTED);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	clear(f);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t1), LOBBY_E_WRONG_STATE);
	assert_int_equal(tk(f, t1)->state, TICKET_DONE);
	assert_int_equal(nfx(f), 0);
}

static void
test_clerk_of_other_office_cannot_admit(void **state)
{
	struct fx *f = *state;
	uint64_t t1, room = 0, nid = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	clear(f);

	assert_int_equal(lobby_admit(f->lb, &f->t, BEN, t1, &room),
	    LOBBY_E_NOT_YOUR_OFFICE);
	assert_int_equal(lobby_decline(f->lb, &f->t, BEN, t1, "Nein."),
	    LOBBY_E_NOT_YOUR_OFFICE);
	assert_int_equal(lobby_transfer(f->lb, &f->t, BEN, t1, OFFICE_B, NULL,
	    &nid), LOBBY_E_NOT_YOUR_OFFICE);
	/* Somebody who never logged in, and an unknown ticket. */
	assert_int_equal(lobby_admit(f->lb, &f->t, NOBODY, t1, &room),
	    LOBBY_E_NOT_PRESENT);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, 4711, &room),
	    LOBBY_E_UNKNOWN_TICKET);
	assert_int_equal(room, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, t1);
	assert_int_equal(lobby_clerk_room(f->lb, BEN), 0);
	assert_false(lobby_clerk_serves(f->lb, BEN, A));
	assert_true(lobby_clerk_serves(f->lb, BEN, B));

	/* A clerk who went offline cannot act either. */
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room),
	    LOBBY_E_NOT_PRESENT);
	assert_false(lobby_clerk_serves(f->lb, ANNA, A));
	QUEUE(f, A, t1);
}

static void
test_admit_while_away_refused(void **state)
{
	struct fx *f = *state;
	uint64_t t1, room = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	clear(f);

	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room),
	    LOBBY_E_NOT_PRESENT);
	assert_int_equal(room, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, t1);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), 0);

	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AVAILABLE), LOBBY_OK);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	assert_int_equal(tk(f, t1)->state, TICKET_ADMITTED);
}

static void
test_second_admit_while_in_consultation_refused(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, t3, room = 0, room2 = 0;

	clerk_on2(f, ANNA, OFFICE_A, OFFICE_B, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_B, 3);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	clear(f);

	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t2, &room2),
	    LOBBY_E_IN_CONSULTATION);
	/* Also at her other office. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t3, &room2),
	    LOBBY_E_IN_CONSULTATION);
	/* Admitting the same ticket again is a state error. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room2),
	    LOBBY_E_WRONG_STATE);
	assert_int_equal(room2, 0);
	assert_int_equal(nfx(f), 0);
	QUEUE(f, A, t2);
	QUEUE(f, B, t3);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), room);
	/* Her other office sees her in consultation too. */
	assert_int_equal(lobby_presence(f->lb, ANNA, B),
	    PRESENCE_IN_CONSULTATION);
	assert_int_equal(vw(f, B).status, OFFICE_BUSY);

	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t3, &room2), LOBBY_OK);
	assert_int_equal(room2, room + 1);
}

/* --- disconnects and the timer ------------------------------------------ */

static void
test_disconnected_citizen_expires_after_grace(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, t3;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_A, 3);
	later(f, 10);
	lobby_citizen_gone(f->lb, &f->t, t1);
	lobby_citizen_gone(f->lb, &f->t, t3);
	assert_int_equal(tk(f, t1)->disconnected_at, NOW + 10);
	/* A second close does not restart the timer. */
	later(f, 60);
	lobby_citizen_gone(f->lb, &f->t, t3);
	assert_int_equal(tk(f, t3)->disconnected_at, NOW + 10);
	clear(f);

	/* The full grace period is granted: still there after exactly
	 * grace_seconds ... */
	set_now(f, NOW + 10 + 120);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, t1)->state, TICKET_WAITING);
	assert_int_equal(tk(f, t3)->state, TICKET_WAITING);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, 0), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, 0), 0);
	QUEUE(f, A, t1, t2, t3);
	clear(f);

	/* ... and gone one second later. */
	set_now(f, NOW + 10 + 121);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, t1)->state, TICKET_EXPIRED);
	assert_int_equal(tk(f, t1)->updated_at, NOW + 131);
	assert_int_equal(tk(f, t3)->state, TICKET_EXPIRED);
	assert_int_equal(tk(f, t2)->state, TICKET_WAITING);
	QUEUE(f, A, t2);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_REMOVE, t3), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t1), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, t3), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t1), 0);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	clear(f);

	/* Nothing more happens on the next tick. */
	later(f, 1);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(nfx(f), 0);
}

static void
test_resume_within_grace_keeps_place(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	lobby_citizen_gone(f->lb, &f->t, t1);
	later(f, 100);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id), LOBBY_OK);
	assert_int_equal(id, t1);
	assert_int_equal(tk(f, t1)->disconnected_at, 0);

	later(f, 1000);
	lobby_tick(f->lb, &f->t);
	QUEUE(f, A, t1, t2);
	assert_int_equal(tk(f, t1)->state, TICKET_WAITING);

	/* A later disconnect starts a new grace period from its own time. */
	lobby_citizen_gone(f->lb, &f->t, t1);
	assert_int_equal(tk(f, t1)->disconnected_at, NOW + 1100);
	later(f, 120);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, t1)->state, TICKET_WAITING);
	later(f, 1);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, t1)->state, TICKET_EXPIRED);
	QUEUE(f, A, t2);
	/* Coming back too late finds the expired ticket, not a place. */
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id), LOBBY_OK);
	assert_int_equal(id, t1);
	assert_int_equal(tk(f, t1)->state, TICKET_EXPIRED);
	QUEUE(f, A, t2);

	/* Unknown tokens find nothing. */
	id = 0;
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 40), &id),
	    LOBBY_E_UNKNOWN_TICKET);
	assert_int_equal(id, 0);

	/* A finished ticket can still be resumed to see how it ended. */
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_OK);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 2), &id), LOBBY_OK);
	assert_int_equal(id, t2);
	assert_int_equal(tk(f, t2)->state, TICKET_WITHDRAWN);
}

static void
test_finished_ticket_forgotten_after_keep_time(void **state)
{
	struct fx *f = *state;
	const struct lobby_fx *e;
	uint64_t t1, t2, t3, room = 0, id = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	t3 = knock_ok(f, OFFICE_A, 3);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t1), LOBBY_OK);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t2, &room), LOBBY_OK);
	clear(f);

	set_now(f, NOW + LOBBY_FINAL_KEEP_S - 1);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, 0), 0);
	assert_non_null(lobby_ticket(f->lb, t1));
	clear(f);

	set_now(f, NOW + LOBBY_FINAL_KEEP_S);
	lobby_tick(f->lb, &f->t);
	e = find_fx(f, LOBBY_FX_FORGET, t1);
	assert_int_equal(e->office, A);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, 0), 1);
	/* Still readable while the shell carries out the effect ... */
	assert_non_null(lobby_ticket(f->lb, t1));
	assert_int_equal(tk(f, t1)->state, TICKET_WITHDRAWN);
	/* ... but its token already leads nowhere. */
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id),
	    LOBBY_E_UNKNOWN_TICKET);
	clear(f);
	assert_null(lobby_ticket(f->lb, t1));

	/* Admitted and waiting tickets are never forgotten. */
	assert_int_equal(tk(f, t2)->state, TICKET_ADMITTED);
	assert_int_equal(tk(f, t3)->state, TICKET_WAITING);

	/* A done ticket is forgotten LOBBY_FINAL_KEEP_S after it ended. */
	later(f, 30);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	clear(f);
	later(f, LOBBY_FINAL_KEEP_S - 1);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, t2), 0);
	later(f, 1);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, t2), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, 0), 1);
	clear(f);
	assert_null(lobby_ticket(f->lb, t2));
	assert_non_null(lobby_ticket(f->lb, t3));

	/* The freed token may be used for a new knock. */
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id),
	    LOBBY_E_UNKNOWN_TICKET);
	at(f, WED, HM(9, 0));
	id = knock_ok(f, OFFICE_A, 1);
	assert_int_not_equal(id, t1);
}

/* --- offices and presence ------------------------------------------------ */

static void
test_office_status_open_busy_closed(void **state)
{
	struct fx *f = *state;
	struct lobby_office_view v;
	struct lobby_knock k;
	uint64_t t1, room = 0, id = 0;

	/* In hours, nobody there. */
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_CLOSED);
	assert_true(v.in_hours);
	assert_int_equal(v.queue_len, 0);
	assert_int_equal(v.clerks_present, 0);
	assert_int_equal(v.clerks_available, 0);
	assert_int_equal(v.wait_s, -1);
	assert_int_equal(v.opens_at, 0);

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_OPEN);
	assert_int_equal(v.clerks_present, 1);
	assert_int_equal(v.clerks_available, 1);
	assert_int_equal(v.wait_s, 0);
	assert_int_equal(v.opens_at, 0);

	/* An away clerk is not present: closed, knocking refused. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, OFFICE_A,
	    PRESENCE_AWAY), LOBBY_OK);
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_CLOSED);
	assert_true(v.in_hours);
	assert_int_equal(v.clerks_present, 0);
	assert_int_equal(v.clerks_available, 0);
	assert_int_equal(v.wait_s, -1);
	assert_int_equal(v.opens_at, 0);
	k = kn(f, OFFICE_A, 9);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_CLOSED);

	/* In consultation: busy; a second clerk makes it open again. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, OFFICE_A,
	    PRESENCE_AVAILABLE), LOBBY_OK);
	t1 = knock_ok(f, OFFICE_A, 1);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_BUSY);
	assert_int_equal(v.clerks_present, 1);
	assert_int_equal(v.clerks_available, 0);
	clerk_on(f, DORA, OFFICE_A, PRESENCE_AVAILABLE);
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_OPEN);
	assert_int_equal(v.clerks_present, 2);
	assert_int_equal(v.clerks_available, 1);
	lobby_clerk_offline(f->lb, &f->t, DORA);
	assert_int_equal(vw(f, A).status, OFFICE_BUSY);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(vw(f, A).status, OFFICE_OPEN);
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);
	assert_int_equal(vw(f, A).clerks_present, 0);
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);

	/* Outside hours with a clerk available: closed, opens_at the next
	 * start. Tuesday 13:00 -> Wednesday 08:00. */
	at(f, TUE, HM(13, 0));
	v = vw(f, A);
	assert_int_equal(v.status, OFFICE_CLOSED);
	assert_false(v.in_hours);
	assert_int_equal(v.wait_s, -1);
	assert_int_equal(v.clerks_available, 1);
	assert_int_equal(v.opens_at,
	    f->t.now - f->t.now % 60 + (int64_t)(19 * 60) * 60);
	assert_int_equal(v.opens_at, WEEK0 + (int64_t)(WED * 1440 + HM(8, 0)) * 60);
	/* Seconds within the minute do not move it. */
	f->t.now += 37;
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)(WED * 1440 + HM(8, 0)) * 60);
	/* Before the first range of the day: today. */
	at(f, TUE, HM(7, 0));
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)(TUE * 1440 + HM(8, 0)) * 60);
	/* Exactly at the end of the range: the next day. */
	at(f, TUE, HM(12, 0));
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)(WED * 1440 + HM(8, 0)) * 60);
	/* Friday afternoon and Saturday: Monday of the next week. */
	at(f, FRI, HM(12, 30));
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)((7 + MON) * 1440 + HM(8, 0)) * 60);
	at(f, SAT, HM(10, 0));
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)((7 + MON) * 1440 + HM(8, 0)) * 60);
	/* Sunday late: the next morning. */
	at(f, SUN, HM(23, 59));
	assert_int_equal(vw(f, A).opens_at,
	    WEEK0 + (int64_t)(MON * 1440 + HM(8, 0)) * 60);
	/* No hours at all: -1. */
	v = vw(f, NOHOURS);
	assert_int_equal(v.status, OFFICE_CLOSED);
	assert_int_equal(v.opens_at, -1);
}

static void
test_office_opening_and_closing_is_announced_by_tick(void **state)
{
	struct fx *f = *state;

	at(f, TUE, HM(7, 59));
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	lobby_tick(f->lb, &f->t);
	clear(f);
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);

	/* Nothing changed: no announcement. */
	later(f, 30);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 0);

	at(f, TUE, HM(8, 0));
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	assert_int_equal(vw(f, A).status, OFFICE_OPEN);
	clear(f);
	later(f, 60);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 0);

	at(f, TUE, HM(12, 0));
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);
	clear(f);
	/* Still closed a minute later: opens_at is the same instant. */
	later(f, 60);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 0);
}

static void
test_wait_estimate(void **state)
{
	struct fx *f = *state;
	uint64_t t[5], room = 0;

	/* One available clerk, 20 minutes each. */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	for (int i = 0; i < 4; i++)
		t[i] = knock_ok(f, OFFICE_A, i + 1);
	assert_int_equal(tk(f, t[0])->wait_s, 0);
	assert_int_equal(tk(f, t[1])->wait_s, 1200);
	assert_int_equal(tk(f, t[2])->wait_s, 2400);
	assert_int_equal(tk(f, t[3])->wait_s, 3600);
	assert_int_equal(vw(f, A).wait_s, 4800);

	/* Two available clerks share the queue. */
	clear(f);
	clerk_on(f, DORA, OFFICE_A, PRESENCE_AVAILABLE);
	assert_int_equal(tk(f, t[0])->wait_s, 0);
	assert_int_equal(tk(f, t[1])->wait_s, 0);
	assert_int_equal(tk(f, t[2])->wait_s, 1200);
	assert_int_equal(tk(f, t[3])->wait_s, 1200);
	assert_int_equal(vw(f, A).wait_s, 2400);
	/* Only the estimates that changed were pushed. */
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t[0]), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t[1]), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t[2]), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, t[3]), 1);

	/* An away clerk does not count. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, DORA, NULL,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(tk(f, t[0])->wait_s, 0);
	assert_int_equal(tk(f, t[1])->wait_s, 1200);
	assert_int_equal(tk(f, t[3])->wait_s, 3600);

	/* The only present clerk in consultation: half an average more. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t[0], &room),
	    LOBBY_OK);
	assert_int_equal(tk(f, t[1])->wait_s, 600);
	assert_int_equal(tk(f, t[2])->wait_s, 1200 + 600);
	assert_int_equal(tk(f, t[3])->wait_s, 2400 + 600);
	assert_int_equal(vw(f, A).wait_s, 3600 + 600);

	/* One free, one in consultation: shared, no extra half. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, DORA, NULL,
	    PRESENCE_AVAILABLE), LOBBY_OK);
	assert_int_equal(tk(f, t[1])->wait_s, 0);
	assert_int_equal(tk(f, t[2])->wait_s, 0);
	assert_int_equal(tk(f, t[3])->wait_s, 1200);

	/* Both in consultation: shared, plus half an average. */
	assert_int_equal(lobby_admit(f->lb, &f->t, DORA, t[1], &room),
	    LOBBY_OK);
	assert_int_equal(tk(f, t[2])->wait_s, 600);
	assert_int_equal(tk(f, t[3])->wait_s, 600);
	assert_int_equal(vw(f, A).wait_s, 1200 + 600);
	assert_int_equal(vw(f, A).status, OFFICE_BUSY);

	/* No clerk on duty at all: unknown. */
	lobby_clerk_offline(f->lb, &f->t, DORA);
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	assert_int_equal(tk(f, t[2])->wait_s, -1);
	assert_int_equal(tk(f, t[3])->wait_s, -1);
	assert_int_equal(vw(f, A).wait_s, -1);
	assert_int_equal(tk(f, t[2])->position, 1);

	/* Another average length: office B, 10 minutes, one clerk. */
	clerk_on(f, BEN, OFFICE_B, PRESENCE_AVAILABLE);
	knock_ok(f, OFFICE_B, 20);
	t[4] = knock_ok(f, OFFICE_B, 21);
	assert_int_equal(tk(f, t[4])->wait_s, 600);
	/* Closed by the hours: unknown for a newcomer. */
	at(f, TUE, HM(12, 0));
	assert_int_equal(vw(f, B).wait_s, -1);
}

static void
test_presence_per_office(void **state)
{
	struct fx *f = *state;
	const char *offices[] = {OFFICE_A, "nirgendwo", OFFICE_B, OFFICE_A};
	uint64_t ta, tb, room = 0;

	/* Unknown office ids are ignored, duplicates count once. */
	assert_int_equal(lobby_clerk_online(f->lb, &f->t, ANNA, "anna",
	    offices, 4, PRESENCE_AVAILABLE), LOBBY_OK);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(count_fx_presence(f, ANNA, B), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_PRESENCE, 0), 2);
	assert_true(lobby_clerk_serves(f->lb, ANNA, A));
	assert_true(lobby_clerk_serves(f->lb, ANNA, B));
	assert_false(lobby_clerk_serves(f->lb, ANNA, ANON));
	assert_int_equal(lobby_presence(f->lb, ANNA, ANON), PRESENCE_OFFLINE);
	assert_int_equal(lobby_presence(f->lb, NOBODY, A), PRESENCE_OFFLINE);
	ta = knock_ok(f, OFFICE_A, 1);
	tb = knock_ok(f, OFFICE_B, 2);
	clear(f);

	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, OFFICE_A,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(count_fx(f, LOBBY_FX_PRESENCE, 0), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, A), 1);
	assert_int_equal(count_fx_office(f, LOBBY_FX_OFFICE, B), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_AVAILABLE);
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);
	assert_int_equal(vw(f, B).status, OFFICE_OPEN);
	clear(f);

	/* Setting the same again changes nothing. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, OFFICE_A,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(nfx(f), 0);

	/* Refusals. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, OFFICE_ANON,
	    PRESENCE_AWAY), LOBBY_E_NOT_YOUR_OFFICE);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, "nirgendwo",
	    PRESENCE_AWAY), LOBBY_E_UNKNOWN_OFFICE);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_IN_CONSULTATION), LOBBY_E_WRONG_STATE);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_OFFLINE), LOBBY_E_WRONG_STATE);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, NOBODY, NULL,
	    PRESENCE_AWAY), LOBBY_E_NOT_PRESENT);
	assert_int_equal(nfx(f), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_AVAILABLE);

	/* Away at A only: cannot admit there, can at B. */
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, ta, &room),
	    LOBBY_E_NOT_PRESENT);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, tb, &room), LOBBY_OK);
	assert_int_equal(lobby_presence(f->lb, ANNA, A),
	    PRESENCE_IN_CONSULTATION);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_AVAILABLE);
	clear(f);

	/* NULL: all her offices at once. */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AVAILABLE), LOBBY_OK);
	assert_int_equal(count_fx_presence(f, ANNA, A), 1);
	assert_int_equal(count_fx_presence(f, ANNA, B), 0);  /* unchanged */
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AWAY), LOBBY_OK);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AWAY);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_AWAY);

	/* Offline: presence offline everywhere, setting refused. */
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_OFFLINE);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_OFFLINE);
	assert_int_equal(lobby_set_presence(f->lb, &f->t, ANNA, NULL,
	    PRESENCE_AVAILABLE), LOBBY_E_NOT_PRESENT);

	/* Logging in again takes the presence given at login. */
	clerk_on(f, ANNA, OFFICE_B, PRESENCE_IN_CONSULTATION);
	assert_int_equal(lobby_presence(f->lb, ANNA, B), PRESENCE_AVAILABLE);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_OFFLINE);
}

static void
test_clerk_offline_keeps_room_open(void **state)
{
	struct fx *f = *state;
	const struct room *r;
	uint64_t t1, room = 0;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	later(f, 60);
	clear(f);

	lobby_clerk_offline(f->lb, &f->t, ANNA);
	r = lobby_room(f->lb, room);
	assert_non_null(r);
	assert_int_equal(r->closed_at, 0);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), room);
	assert_int_equal(tk(f, t1)->state, TICKET_ADMITTED);
	assert_int_equal(count_fx(f, LOBBY_FX_ROOM_CLOSE, 0), 0);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, 0), 0);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_OFFLINE);
	assert_int_equal(vw(f, A).status, OFFICE_CLOSED);
	/* Going offline twice is harmless. */
	lobby_clerk_offline(f->lb, &f->t, ANNA);
	lobby_clerk_offline(f->lb, &f->t, NOBODY);

	/* Back online, still in the consultation; end it normally. */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	assert_int_equal(lobby_presence(f->lb, ANNA, A),
	    PRESENCE_IN_CONSULTATION);
	assert_int_equal(vw(f, A).status, OFFICE_BUSY);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	assert_int_equal(tk(f, t1)->state, TICKET_DONE);
	assert_int_equal(lobby_presence(f->lb, ANNA, A), PRESENCE_AVAILABLE);
}

/* --- restart ------------------------------------------------------------- */

static struct ticket
stored_ticket(struct fx *f, uint64_t id, const char *office, int token,
    enum ticket_state s, int64_t knocked, uint64_t seq)
{
	struct ticket t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	memcpy(t.token_hash, tok(f, token), LOBBY_TOKEN_HASH);
	t.has_token = true;
	snprintf(t.office, sizeof(t.office), "%s", office);
	t.office_idx = 42;      /* stale; the lobby must look it up again */
	t.state = s;
	t.knocked_at = knocked;
	t.updated_at = knocked;
	t.seq = seq;
	snprintf(t.lang, sizeof(t.lang), "de");
	t.position = 9;         /* stale derived values */
	t.wait_s = 99;
	t.disconnected_at = 0;
	return t;
}

static void
test_restore_ticket_and_room(void **state)
{
	struct fx *f = *state;
	char name[16] = "Aylin";
	struct ticket t3, t5, t7, t9, bad, dup;
	struct room r4, rbad;
	const struct ticket *t;
	const struct room *r;
	uint64_t id = 0, room = 0;

	t3 = stored_ticket(f, 3, OFFICE_A, 3, TICKET_WAITING, NOW - 900, 3);
	t3.name = name;
	t3.topic = (char *)"Wohngeld";
	t5 = stored_ticket(f, 5, OFFICE_A, 5, TICKET_WAITING, NOW - 300, 5);
	t5.priority = 1;
	t7 = stored_ticket(f, 7, OFFICE_A, 7, TICKET_WAITING, NOW - 600, 7);
	t9 = stored_ticket(f, 9, OFFICE_A, 9, TICKET_ADMITTED, NOW - 1200, 9);
	t9.room = 4;

	/* Deliberately out of order. */
	assert_int_equal(lobby_restore_ticket(f->lb, &t7, NOW), LOBBY_OK);
	assert_int_equal(lobby_restore_ticket(f->lb, &t3, NOW), LOBBY_OK);
	assert_int_equal(lobby_restore_ticket(f->lb, &t9, NOW), LOBBY_OK);
	assert_int_equal(lobby_restore_ticket(f->lb, &t5, NOW), LOBBY_OK);

	/* Refusals. */
	bad = stored_ticket(f, 11, "abgeschafft", 11, TICKET_WAITING, NOW, 11);
	assert_int_equal(lobby_restore_ticket(f->lb, &bad, NOW),
	    LOBBY_E_UNKNOWN_OFFICE);
	bad = stored_ticket(f, 12, OFFICE_A, 12, TICKET_DONE, NOW, 12);
	assert_int_equal(lobby_restore_ticket(f->lb, &bad, NOW),
	    LOBBY_E_WRONG_STATE);
	dup = stored_ticket(f, 3, OFFICE_A, 13, TICKET_WAITING, NOW, 13);
	assert_int_equal(lobby_restore_ticket(f->lb, &dup, NOW),
	    LOBBY_E_ALREADY_WAITING);
	assert_null(lobby_ticket(f->lb, 11));
	assert_null(lobby_ticket(f->lb, 12));

	memset(&r4, 0, sizeof(r4));
	r4.id = 4;
	snprintf(r4.office, sizeof(r4.office), "%s", OFFICE_A);
	r4.office_idx = 42;
	r4.clerk_id = ANNA;
	r4.ticket_id = 9;
	r4.opened_at = NOW - 600;
	assert_int_equal(lobby_restore_room(f->lb, &r4), LOBBY_OK);
	rbad = r4;
	rbad.id = 6;
	snprintf(rbad.office, sizeof(rbad.office), "abgeschafft");
	assert_int_equal(lobby_restore_room(f->lb, &rbad), LOBBY_E_UNKNOWN_OFFICE);
	rbad = r4;
	rbad.id = 8;
	rbad.closed_at = NOW - 60;
	assert_int_equal(lobby_restore_room(f->lb, &rbad), LOBBY_E_WRONG_STATE);
	assert_null(lobby_room(f->lb, 6));
	assert_null(lobby_room(f->lb, 8));

	/* Restoring produces no effects. */
	assert_int_equal(nfx(f), 0);

	/* Copies were made. */
	name[0] = 'X';
	t = tk(f, 3);
	assert_string_equal(t->name, "Aylin");
	assert_string_equal(t->topic, "Wohngeld");
	assert_int_equal(t->office_idx, A);
	assert_int_equal(t->knocked_at, NOW - 900);
	/* Everybody counts as disconnected since the restart. */
	assert_int_equal(tk(f, 3)->disconnected_at, NOW);
	assert_int_equal(tk(f, 5)->disconnected_at, NOW);
	assert_int_equal(tk(f, 7)->disconnected_at, NOW);
	assert_int_equal(tk(f, 9)->disconnected_at, NOW);
	assert_int_equal(tk(f, 9)->state, TICKET_ADMITTED);
	assert_int_equal(tk(f, 9)->room, 4);
	r = lobby_room(f->lb, 4);
	assert_non_null(r);
	assert_int_equal(r->office_idx, A);
	assert_int_equal(r->ticket_id, 9);
	assert_int_equal(lobby_clerk_room(f->lb, ANNA), 4);

	/* The first tick sets positions in the restored order: priority
	 * first, then by knock time. */
	lobby_tick(f->lb, &f->t);
	QUEUE(f, A, 5, 3, 7);
	assert_int_equal(count_fx(f, LOBBY_FX_POSITION, 5), 1);
	assert_int_equal(tk(f, 5)->wait_s, -1);     /* no clerk yet */
	clear(f);

	/* The clerk comes back: still in her consultation. */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	assert_int_equal(lobby_presence(f->lb, ANNA, A),
	    PRESENCE_IN_CONSULTATION);
	assert_int_equal(vw(f, A).status, OFFICE_BUSY);

	/* One citizen comes back within the grace period. */
	later(f, 60);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 3), &id), LOBBY_OK);
	assert_int_equal(id, 3);
	set_now(f, NOW + 120);
	lobby_tick(f->lb, &f->t);
	QUEUE(f, A, 5, 3, 7);
	set_now(f, NOW + 121);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(tk(f, 5)->state, TICKET_EXPIRED);
	assert_int_equal(tk(f, 7)->state, TICKET_EXPIRED);
	assert_int_equal(tk(f, 9)->state, TICKET_ADMITTED);
	QUEUE(f, A, 3);

	/* Ids continue after the largest restored one. */
	id = knock_ok(f, OFFICE_A, 20);
	assert_int_equal(id, 10);
	assert_true(tk(f, id)->seq > 9);
	QUEUE(f, A, 3, 10);

	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, 4), LOBBY_OK);
	assert_int_equal(tk(f, 9)->state, TICKET_DONE);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, 3, &room), LOBBY_OK);
	assert_int_equal(room, 5);
}

static void
test_set_next_ids_moves_only_forward(void **state)
{
	struct fx *f = *state;
	struct ticket t3;
	uint64_t id, room = 0;

	t3 = stored_ticket(f, 3, OFFICE_A, 3, TICKET_WAITING, NOW - 60, 3);
	assert_int_equal(lobby_restore_ticket(f->lb, &t3, NOW), LOBBY_OK);
	/* The store knew of higher ids (finished tickets, closed rooms). */
	lobby_set_next_ids(f->lb, 50, 20, 70);
	lobby_set_next_ids(f->lb, 2, 2, 2);     /* never backwards */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	id = knock_ok(f, OFFICE_A, 1);
	assert_int_equal(id, 50);
	assert_int_equal(tk(f, id)->seq, 70);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, 3, &room), LOBBY_OK);
	assert_int_equal(room, 20);
}

static void
test_restored_token_already_in_use_is_dropped(void **state)
{
	struct fx *f = *state;
	struct ticket a, b;
	uint64_t id = 0;

	a = stored_ticket(f, 1, OFFICE_A, 1, TICKET_WAITING, NOW - 60, 1);
	b = stored_ticket(f, 2, OFFICE_B, 1, TICKET_WAITING, NOW - 30, 2);
	assert_int_equal(lobby_restore_ticket(f->lb, &a, NOW), LOBBY_OK);
	assert_int_equal(lobby_restore_ticket(f->lb, &b, NOW), LOBBY_OK);
	assert_true(tk(f, 1)->has_token);
	assert_false(tk(f, 2)->has_token);
	assert_int_equal(lobby_resume(f->lb, &f->t, tok(f, 1), &id), LOBBY_OK);
	assert_int_equal(id, 1);
}

/* --- effects and names --------------------------------------------------- */

static void
test_effects_cleared(void **state)
{
	struct fx *f = *state;
	const struct lobby_fx *fx;
	struct lobby_knock k;
	uint64_t id = 0;
	size_t n = 99;

	fx = lobby_effects(f->lb, &n);
	assert_int_equal(n, 0);
	(void)fx;

	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	assert_true(nfx(f) > 0);
	knock_ok(f, OFFICE_A, 1);
	assert_int_equal(nfx(f), 2 + 4);    /* presence + office, knock */
	clear(f);
	assert_int_equal(nfx(f), 0);

	/* Refused events add nothing. */
	k = kn(f, OFFICE_A, 1);
	assert_int_equal(knock(f, &k, &id), LOBBY_E_ALREADY_WAITING);
	assert_int_equal(nfx(f), 0);

	/* Effects accumulate across events until cleared. */
	knock_ok(f, OFFICE_A, 2);
	knock_ok(f, OFFICE_A, 3);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_ADD, 0), 2);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, 0), 2);
	clear(f);
	assert_int_equal(nfx(f), 0);
	clear(f);
	assert_int_equal(nfx(f), 0);

	/* Many effects at once (the array grows). */
	f->cfg.limits.max_queue = 40;
	for (int i = 0; i < 30; i++)
		knock_ok(f, OFFICE_A, 10 + i);
	assert_int_equal(count_fx(f, LOBBY_FX_QUEUE_ADD, 0), 30);
	assert_int_equal(count_fx(f, LOBBY_FX_TICKET, 0), 30);
}

static void
test_queries(void **state)
{
	struct fx *f = *state;

	assert_int_equal(lobby_office_count(f->lb), 4);
	assert_int_equal(lobby_office_index(f->lb, OFFICE_A), A);
	assert_int_equal(lobby_office_index(f->lb, OFFICE_ANON), ANON);
	assert_int_equal(lobby_office_index(f->lb, OFFICE_B), B);
	assert_int_equal(lobby_office_index(f->lb, OFFICE_NOHOURS), NOHOURS);
	assert_int_equal(lobby_office_index(f->lb, "wb"), -1);
	assert_int_equal(lobby_office_index(f->lb, ""), -1);
	assert_ptr_equal(lobby_office_config(f->lb, B), &f->cfg.offices[B]);
	assert_string_equal(lobby_office_config(f->lb, ANON)->name_de,
	    "Schwangerschaftsberatung");
	assert_null(lobby_office_config(f->lb, -1));
	assert_null(lobby_office_config(f->lb, 4));
	assert_null(lobby_ticket(f->lb, 1));
	assert_null(lobby_room(f->lb, 1));
	assert_int_equal(lobby_clerk_room(f->lb, NOBODY), 0);
	assert_false(lobby_clerk_serves(f->lb, NOBODY, A));
}

static void
test_error_codes_and_names(void **state)
{
	static const struct {
		int err;
		const char *code;
	} codes[] = {
		{LOBBY_OK, "ok"},
		{LOBBY_E_UNKNOWN_OFFICE, "unknown_office"},
		{LOBBY_E_CLOSED, "office_closed"},
		{LOBBY_E_QUEUE_FULL, "queue_full"},
		{LOBBY_E_RATE_LIMITED, "rate_limited"},
		{LOBBY_E_ALREADY_WAITING, "already_waiting"},
		{LOBBY_E_NAME_NOT_ALLOWED, "name_not_allowed"},
		{LOBBY_E_CONSENT_REQUIRED, "consent_required"},
		{LOBBY_E_UNKNOWN_TICKET, "unknown_ticket"},
		{LOBBY_E_WRONG_STATE, "wrong_state"},
		{LOBBY_E_NOT_YOUR_OFFICE, "not_your_office"},
		{LOBBY_E_IN_CONSULTATION, "in_consultation"},
		{LOBBY_E_UNKNOWN_ROOM, "unknown_room"},
		{LOBBY_E_SAME_OFFICE, "same_office"},
		{LOBBY_E_TOO_LONG, "bad_message"},
		{LOBBY_E_NOT_PRESENT, "not_present"},
	};
	static const char *const states[] = {"waiting", "admitted", "done",
	    "declined", "withdrawn", "expired", "transferred"};
	enum ticket_state s;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *text = lobby_error_text(codes[i].err);

		assert_string_equal(lobby_error_code(codes[i].err),
		    codes[i].code);
		assert_non_null(text);
		assert_true(strlen(text) >= 5);
		assert_true(text[strlen(text) - 1] == '.');
	}
	assert_string_equal(lobby_error_code(LOBBY_E_NOT_PRESENT + 1),
	    "internal");
	assert_string_equal(lobby_error_code(-1), "internal");
	assert_non_null(lobby_error_text(-1));
	assert_non_null(lobby_error_text(1000));

	for (int i = 0; i < 7; i++) {
		assert_string_equal(lobby_state_name((enum ticket_state)i),
		    states[i]);
		s = TICKET_WAITING;
		assert_int_equal(lobby_state_parse(states[i], &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(TICKET_TRANSFERRED, 6);
	assert_string_equal(lobby_state_name((enum ticket_state)7), "unknown");
	s = TICKET_DONE;
	assert_int_equal(lobby_state_parse("busy", &s), -1);
	assert_int_equal(lobby_state_parse("", &s), -1);
	assert_int_equal(lobby_state_parse("Waiting", &s), -1);
	assert_int_equal(s, TICKET_DONE);

	assert_false(lobby_state_final(TICKET_WAITING));
	assert_false(lobby_state_final(TICKET_ADMITTED));
	assert_true(lobby_state_final(TICKET_DONE));
	assert_true(lobby_state_final(TICKET_DECLINED));
	assert_true(lobby_state_final(TICKET_WITHDRAWN));
	assert_true(lobby_state_final(TICKET_EXPIRED));
	assert_true(lobby_state_final(TICKET_TRANSFERRED));

	assert_string_equal(lobby_presence_name(PRESENCE_OFFLINE), "offline");
	assert_string_equal(lobby_presence_name(PRESENCE_AVAILABLE),
	    "available");
	assert_string_equal(lobby_presence_name(PRESENCE_AWAY), "away");
	assert_string_equal(lobby_presence_name(PRESENCE_IN_CONSULTATION),
	    "in_consultation");
	assert_string_equal(lobby_status_name(OFFICE_CLOSED), "closed");
	assert_string_equal(lobby_status_name(OFFICE_OPEN), "open");
	assert_string_equal(lobby_status_name(OFFICE_BUSY), "busy");
}

static void
test_free_with_pending_effects_and_rooms(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2, room = 0;

	/* Leaves a forgotten ticket and a closed room waiting for
	 * lobby_effects_clear; lobby_free (teardown) must release them. */
	clerk_on(f, ANNA, OFFICE_A, PRESENCE_AVAILABLE);
	t1 = knock_ok(f, OFFICE_A, 1);
	t2 = knock_ok(f, OFFICE_A, 2);
	assert_int_equal(lobby_withdraw(f->lb, &f->t, t2), LOBBY_OK);
	assert_int_equal(lobby_admit(f->lb, &f->t, ANNA, t1, &room), LOBBY_OK);
	later(f, LOBBY_FINAL_KEEP_S);
	assert_int_equal(lobby_end(f->lb, &f->t, ANNA, room), LOBBY_OK);
	lobby_tick(f->lb, &f->t);
	assert_int_equal(count_fx(f, LOBBY_FX_FORGET, t2), 1);
	assert_non_null(lobby_room(f->lb, room));
	lobby_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_knock_at_closed_office_is_refused),
		T(test_knock_gets_position_and_queue_add_effect),
		T(test_queue_is_first_come_first_served),
		T(test_priority_goes_ahead_of_walk_ins),
		T(test_early_appointment_goes_ahead_when_its_slot_begins),
		T(test_knock_with_name_at_anonymous_office_is_refused),
		T(test_knock_with_too_long_name_or_topic_is_refused),
		T(test_knock_without_consent_is_refused),
		T(test_queue_full_is_refused),
		T(test_knock_rate_limit_per_address),
		T(test_same_token_twice_is_refused),
		T(test_admit_opens_room_and_moves_queue_up),
		T(test_end_closes_room_ticket_done_presence_restored),
		T(test_decline_needs_message_and_sets_declined),
		T(test_transfer_creates_new_ticket_keeps_knock_time_and_token),
		T(test_transfer_same_office_refused),
		T(test_transfer_of_admitted_ticket_closes_room),
		T(test_transfer_keeps_the_grace_timer_of_a_disconnected_citizen),
		T(test_withdraw_only_while_waiting),
		T(test_clerk_of_other_office_cannot_admit),
		T(test_admit_while_away_refused),
		T(test_second_admit_while_in_consultation_refused),
		T(test_disconnected_citizen_expires_after_grace),
		T(test_resume_within_grace_keeps_place),
		T(test_finished_ticket_forgotten_after_keep_time),
		T(test_office_status_open_busy_closed),
		T(test_office_opening_and_closing_is_announced_by_tick),
		T(test_wait_estimate),
		T(test_presence_per_office),
		T(test_clerk_offline_keeps_room_open),
		T(test_restore_ticket_and_room),
		T(test_set_next_ids_moves_only_forward),
		T(test_restored_token_already_in_use_is_dropped),
		T(test_effects_cleared),
		T(test_queries),
		T(test_error_codes_and_names),
		T(test_free_with_pending_effects_and_rooms),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
