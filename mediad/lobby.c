/*
 * lobby: the domain core. See lobby.h for the contract.
 *
 * Owns every ticket, room and online clerk in memory; the store holds the
 * durable copy, written by the shell from the effects produced here.
 * Never does I/O, never reads a clock, never logs.
 *
 * Queues are arrays of ticket pointers per office in queue order
 * (priority first, then the original knock time, then arrival); their
 * length is bounded by limits.max_queue for knocks, so an insert or
 * removal is a short memmove. Tickets, token hashes, rooms and clerks are
 * found through GLib hash tables.
 */
#include "lobby.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct office_rt {
	const struct config_office *cfg;
	struct ticket **queue;
	size_t qlen;
	size_t qcap;
	struct lobby_office_view last;  /* as last announced */
	bool announced;
};

struct clerk_rt {
	uint64_t id;
	char *name;
	bool online;
	uint64_t room;                  /* open room, or 0 */
	int noffices;
	int office[CONFIG_MAX_OFFICES]; /* office indices */
	enum presence chosen[CONFIG_MAX_OFFICES]; /* AVAILABLE or AWAY */
};

struct bucket {
	double tokens;
	int64_t last;
};

struct lobby {
	const struct config *cfg;
	struct office_rt *offices;
	int noffices;
	GHashTable *tickets;    /* &id -> struct ticket */
	GHashTable *tokens;     /* token_hash -> struct ticket (borrowed) */
	GHashTable *rooms;      /* &id -> struct room */
	GHashTable *clerks;     /* &id -> struct clerk_rt */
	GHashTable *buckets;    /* address -> struct bucket */
	GPtrArray *graveyard;   /* freed at the next lobby_effects_clear */
	GPtrArray *dead_rooms;
	uint64_t next_ticket;
	uint64_t next_room;
	uint64_t next_seq;
	uint64_t dirty;         /* bit per office whose queue must be recomputed */
	int retry_after;
	struct lobby_fx *fx;
	size_t nfx;
	size_t capfx;
};

/* --- helpers --- */

static guint
hash_token(gconstpointer k)
{
	guint h;

	memcpy(&h, k, sizeof(h));      /* a SHA-256 is uniform already */
	return h;
}

static gboolean
equal_token(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, LOBBY_TOKEN_HASH) == 0;
}

static void
ticket_free(void *p)
{
	struct ticket *t = p;

	if (t == NULL)
		return;
	free(t->name);
	free(t->topic);
	free(t->message);
	free(t);
}

static void
clerk_free(void *p)
{
	struct clerk_rt *c = p;

	if (c == NULL)
		return;
	free(c->name);
	free(c);
}

static char *
dup_opt(const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return g_strdup(s);
}

static void
emit(struct lobby *lb, enum lobby_fx_kind kind, int office, uint64_t ticket,
    uint64_t room, uint64_t clerk, int position)
{
	struct lobby_fx *f;

	if (lb->nfx == lb->capfx) {
		lb->capfx = lb->capfx ? lb->capfx * 2 : 64;
		lb->fx = g_realloc_n(lb->fx, lb->capfx, sizeof(*lb->fx));
	}
	f = &lb->fx[lb->nfx++];
	f->kind = kind;
	f->office = office;
	f->ticket = ticket;
	f->room = room;
	f->clerk = clerk;
	f->position = position;
}

static void
mark(struct lobby *lb, int office)
{
	if (office >= 0 && office < 64)
		lb->dirty |= UINT64_C(1) << office;
}

static bool
in_hours(const struct config_office *o, int wday, int minute)
{
	for (int i = 0; i < o->nhours[wday]; i++)
		if (minute >= o->hours[wday][i].start &&
		    minute < o->hours[wday][i].end)
			return true;
	return false;
}

/* Minutes from (wday, minute) to the next start of a range, or -1. */
static int64_t
minutes_to_open(const struct config_office *o, int wday, int minute)
{
	for (int d = 0; d <= 7; d++) {
		int w = (wday + d) % 7;

		for (int i = 0; i < o->nhours[w]; i++) {
			int start = o->hours[w][i].start;

			if (d == 0 && start <= minute)
				continue;
			return (int64_t)d * 1440 + start - minute;
		}
	}
	return -1;
}

static enum presence
clerk_presence_at(const struct clerk_rt *c, int k)
{
	if (!c->online)
		return PRESENCE_OFFLINE;
	if (c->room != 0)
		return PRESENCE_IN_CONSULTATION;
	return c->chosen[k];
}

static int
clerk_office_slot(const struct clerk_rt *c, int office)
{
	for (int k = 0; k < c->noffices; k++)
		if (c->office[k] == office)
			return k;
	return -1;
}

struct counts {
	int available;
	int busy;       /* in consultation */
	int away;
};

static void
count_clerks(const struct lobby *lb, int office, struct counts *n)
{
	GHashTableIter it;
	gpointer v;

	memset(n, 0, sizeof(*n));
	g_hash_table_iter_init(&it, lb->clerks);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct clerk_rt *c = v;
		int k = clerk_office_slot(c, office);

		if (k < 0)
			continue;
		switch (clerk_presence_at(c, k)) {
		case PRESENCE_AVAILABLE:
			n->available++;
			break;
		case PRESENCE_IN_CONSULTATION:
			n->busy++;
			break;
		case PRESENCE_AWAY:
			n->away++;
			break;
		case PRESENCE_OFFLINE:
			break;
		}
	}
}

/*
 * Estimated wait at queue position pos (1 = next): whole rounds of
 * consultations ahead, shared among the clerks present (available or in a
 * consultation), plus half a consultation when none of them is free right
 * now. Unknown (-1) when no clerk is present: an away clerk is not.
 */
static int64_t
estimate(const struct office_rt *o, const struct counts *n, int pos)
{
	int k = n->available + n->busy;
	int64_t avg = (int64_t)o->cfg->avg_minutes * 60;
	int64_t w;

	if (k == 0)
		return -1;
	w = (int64_t)((pos - 1) / k) * avg;
	if (n->available == 0)
		w += avg / 2;
	return w;
}

static void
view(const struct lobby *lb, int idx, const struct lobby_time *t,
    struct lobby_office_view *v)
{
	const struct office_rt *o = &lb->offices[idx];
	struct counts n;
	int64_t m;

	count_clerks(lb, idx, &n);
	memset(v, 0, sizeof(*v));
	v->in_hours = in_hours(o->cfg, t->wday, t->minute);
	v->queue_len = (int)o->qlen;
	v->clerks_present = n.available + n.busy;
	v->clerks_available = n.available;
	if (!v->in_hours)
		v->status = OFFICE_CLOSED;
	else if (n.available > 0)
		v->status = OFFICE_OPEN;
	else if (n.busy > 0)
		v->status = OFFICE_BUSY;
	else
		v->status = OFFICE_CLOSED;
	v->wait_s = v->status == OFFICE_CLOSED ? -1 :
	    estimate(o, &n, (int)o->qlen + 1);
	if (v->in_hours) {
		v->opens_at = 0;
	} else {
		m = minutes_to_open(o->cfg, t->wday, t->minute);
		v->opens_at = m < 0 ? -1 : t->now - (t->now % 60) + m * 60;
	}
}

/* Recomputes positions and estimates of one office's queue and pushes the
 * changes; announces the office view if it changed. */
static void
refresh_office(struct lobby *lb, int idx, const struct lobby_time *t)
{
	struct office_rt *o = &lb->offices[idx];
	struct lobby_office_view v;
	struct counts n;

	count_clerks(lb, idx, &n);
	for (size_t i = 0; i < o->qlen; i++) {
		struct ticket *tk = o->queue[i];
		int pos = (int)i + 1;
		int64_t w = estimate(o, &n, pos);

		if (tk->position != pos || tk->wait_s != w) {
			tk->position = pos;
			tk->wait_s = w;
			emit(lb, LOBBY_FX_POSITION, idx, tk->id, 0, 0, 0);
		}
	}
	view(lb, idx, t, &v);
	if (!o->announced || memcmp(&v, &o->last, sizeof(v)) != 0) {
		o->last = v;
		o->announced = true;
		emit(lb, LOBBY_FX_OFFICE, idx, 0, 0, 0, 0);
	}
}

static void
refresh_dirty(struct lobby *lb, const struct lobby_time *t)
{
	for (int i = 0; i < lb->noffices && lb->dirty != 0; i++) {
		if (lb->dirty & (UINT64_C(1) << i)) {
			lb->dirty &= ~(UINT64_C(1) << i);
			refresh_office(lb, i, t);
		}
	}
}

static bool
goes_before(const struct ticket *a, const struct ticket *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->knocked_at != b->knocked_at)
		return a->knocked_at < b->knocked_at;
	return a->seq < b->seq;
}

/* Inserts t into its office's queue; returns the 1-based position. */
static int
queue_insert(struct lobby *lb, struct ticket *t)
{
	struct office_rt *o = &lb->offices[t->office_idx];
	size_t i = o->qlen;

	if (o->qlen == o->qcap) {
		o->qcap = o->qcap ? o->qcap * 2 : 16;
		o->queue = g_realloc_n(o->queue, o->qcap, sizeof(*o->queue));
	}
	while (i > 0 && goes_before(t, o->queue[i - 1]))
		i--;
	memmove(&o->queue[i + 1], &o->queue[i],
	    (o->qlen - i) * sizeof(*o->queue));
	o->queue[i] = t;
	o->qlen++;
	mark(lb, t->office_idx);
	return (int)i + 1;
}

static void
queue_remove(struct lobby *lb, struct ticket *t)
{
	struct office_rt *o = &lb->offices[t->office_idx];

	for (size_t i = 0; i < o->qlen; i++) {
		if (o->queue[i] == t) {
			memmove(&o->queue[i], &o->queue[i + 1],
			    (o->qlen - i - 1) * sizeof(*o->queue));
			o->qlen--;
			break;
		}
	}
	t->position = 0;
	t->wait_s = -1;
	mark(lb, t->office_idx);
}

static void
ticket_add(struct lobby *lb, struct ticket *t)
{
	g_hash_table_insert(lb->tickets, &t->id, t);
	if (t->has_token)
		g_hash_table_insert(lb->tokens, t->token_hash, t);
}

/* Moves a ticket to a final state. */
static void
finish(struct lobby *lb, struct ticket *t, enum ticket_state s,
    const char *message, const struct lobby_time *tm)
{
	bool was_waiting = t->state == TICKET_WAITING;

	t->state = s;
	t->updated_at = tm->now;
	if (message != NULL) {
		free(t->message);
		t->message = dup_opt(message);
	}
	if (was_waiting) {
		queue_remove(lb, t);
		emit(lb, LOBBY_FX_QUEUE_REMOVE, t->office_idx, t->id, 0, 0, 0);
	}
	emit(lb, LOBBY_FX_TICKET, t->office_idx, t->id, 0, 0, 0);
}

static struct clerk_rt *
clerk_get(const struct lobby *lb, uint64_t id)
{
	return g_hash_table_lookup(lb->clerks, &id);
}

static struct clerk_rt *
clerk_get_or_new(struct lobby *lb, uint64_t id)
{
	struct clerk_rt *c = clerk_get(lb, id);

	if (c == NULL) {
		c = g_new0(struct clerk_rt, 1);
		c->id = id;
		g_hash_table_insert(lb->clerks, &c->id, c);
	}
	return c;
}

/* Announces the clerk's presence at each office and marks them dirty. */
static void
clerk_touch(struct lobby *lb, struct clerk_rt *c)
{
	for (int k = 0; k < c->noffices; k++) {
		emit(lb, LOBBY_FX_PRESENCE, c->office[k], 0, 0, c->id, 0);
		mark(lb, c->office[k]);
	}
}

/* --- lifecycle --- */

struct lobby *
lobby_new(const struct config *cfg)
{
	struct lobby *lb = g_new0(struct lobby, 1);

	lb->cfg = cfg;
	lb->noffices = cfg->noffices;
	lb->offices = g_new0(struct office_rt, cfg->noffices > 0 ?
	    cfg->noffices : 1);
	for (int i = 0; i < cfg->noffices; i++)
		lb->offices[i].cfg = &cfg->offices[i];
	lb->tickets = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, ticket_free);
	lb->tokens = g_hash_table_new(hash_token, equal_token);
	lb->rooms = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, g_free);
	lb->clerks = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, clerk_free);
	lb->buckets = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	lb->graveyard = g_ptr_array_new_with_free_func(ticket_free);
	lb->dead_rooms = g_ptr_array_new_with_free_func(g_free);
	lb->next_ticket = 1;
	lb->next_room = 1;
	lb->next_seq = 1;
	return lb;
}

void
lobby_free(struct lobby *lb)
{
	if (lb == NULL)
		return;
	g_hash_table_destroy(lb->tokens);
	g_hash_table_destroy(lb->tickets);
	g_hash_table_destroy(lb->rooms);
	g_hash_table_destroy(lb->clerks);
	g_hash_table_destroy(lb->buckets);
	g_ptr_array_free(lb->graveyard, TRUE);
	g_ptr_array_free(lb->dead_rooms, TRUE);
	for (int i = 0; i < lb->noffices; i++)
		g_free(lb->offices[i].queue);
	g_free(lb->offices);
	g_free(lb->fx);
	g_free(lb);
}

/* --- restore --- */

int
lobby_restore_ticket(struct lobby *lb, const struct ticket *src, int64_t now)
{
	struct ticket *t;
	int idx = lobby_office_index(lb, src->office);

	if (idx < 0)
		return LOBBY_E_UNKNOWN_OFFICE;
	if (src->state != TICKET_WAITING && src->state != TICKET_ADMITTED)
		return LOBBY_E_WRONG_STATE;
	if (lobby_ticket(lb, src->id) != NULL)
		return LOBBY_E_ALREADY_WAITING;
	t = g_new0(struct ticket, 1);
	*t = *src;
	t->office_idx = idx;
	t->name = dup_opt(src->name);
	t->topic = dup_opt(src->topic);
	t->message = dup_opt(src->message);
	t->disconnected_at = now;
	t->position = 0;
	t->wait_s = -1;
	if (t->has_token && g_hash_table_contains(lb->tokens, t->token_hash))
		t->has_token = false;
	ticket_add(lb, t);
	if (t->state == TICKET_WAITING)
		queue_insert(lb, t);
	if (t->id >= lb->next_ticket)
		lb->next_ticket = t->id + 1;
	if (t->seq >= lb->next_seq)
		lb->next_seq = t->seq + 1;
	return LOBBY_OK;
}

int
lobby_restore_room(struct lobby *lb, const struct room *src)
{
	struct room *r;
	struct clerk_rt *c;
	int idx = lobby_office_index(lb, src->office);

	if (idx < 0)
		return LOBBY_E_UNKNOWN_OFFICE;
	if (src->closed_at != 0)
		return LOBBY_E_WRONG_STATE;
	r = g_new0(struct room, 1);
	*r = *src;
	r->office_idx = idx;
	g_hash_table_insert(lb->rooms, &r->id, r);
	if (r->clerk_id != 0) {
		c = clerk_get_or_new(lb, r->clerk_id);
		c->room = r->id;
	}
	if (r->id >= lb->next_room)
		lb->next_room = r->id + 1;
	return LOBBY_OK;
}

void
lobby_set_next_ids(struct lobby *lb, uint64_t ticket, uint64_t room,
    uint64_t seq)
{
	if (ticket > lb->next_ticket)
		lb->next_ticket = ticket;
	if (room > lb->next_room)
		lb->next_room = room;
	if (seq > lb->next_seq)
		lb->next_seq = seq;
}

/* --- citizens --- */

/* Token bucket per address: rate knocks per minute, up to burst at once.
 * Only successful knocks take a token. */
static bool
rate_check(struct lobby *lb, const char *addr, const struct lobby_time *t,
    bool take)
{
	const struct config_limits *l = &lb->cfg->limits;
	struct bucket *b;
	double rate;

	if (l->knock_rate <= 0 || addr == NULL)
		return true;
	rate = l->knock_rate / 60.0;
	b = g_hash_table_lookup(lb->buckets, addr);
	if (b == NULL) {
		b = g_new0(struct bucket, 1);
		b->tokens = l->knock_burst;
		b->last = t->now;
		g_hash_table_insert(lb->buckets, g_strdup(addr), b);
	}
	if (t->now > b->last) {
		b->tokens += (double)(t->now - b->last) * rate;
		if (b->tokens > l->knock_burst)
			b->tokens = l->knock_burst;
		b->last = t->now;
	}
	if (b->tokens < 1.0) {
		lb->retry_after = (int)ceil((1.0 - b->tokens) / rate);
		if (lb->retry_after < 1)
			lb->retry_after = 1;
		return false;
	}
	if (take)
		b->tokens -= 1.0;
	return true;
}

int
lobby_knock(struct lobby *lb, const struct lobby_time *tm,
    const struct lobby_knock *k, uint64_t *ticket_id)
{
	struct lobby_office_view v;
	struct ticket *t;
	int idx, pos;

	idx = k->office ? lobby_office_index(lb, k->office) : -1;
	if (idx < 0)
		return LOBBY_E_UNKNOWN_OFFICE;
	if (!k->consent)
		return LOBBY_E_CONSENT_REQUIRED;
	if (lb->offices[idx].cfg->anonymous && k->name != NULL &&
	    *k->name != '\0')
		return LOBBY_E_NAME_NOT_ALLOWED;
	if ((k->name && strlen(k->name) > LOBBY_NAME_MAX) ||
	    (k->topic && strlen(k->topic) > LOBBY_TOPIC_MAX))
		return LOBBY_E_TOO_LONG;
	if (k->token_hash == NULL ||
	    g_hash_table_contains(lb->tokens, k->token_hash))
		return LOBBY_E_ALREADY_WAITING;
	view(lb, idx, tm, &v);
	if (k->booking == 0 && v.status == OFFICE_CLOSED)
		return LOBBY_E_CLOSED;
	if (k->booking == 0 &&
	    (int)lb->offices[idx].qlen >= lb->cfg->limits.max_queue)
		return LOBBY_E_QUEUE_FULL;
	if (k->booking == 0 && !rate_check(lb, k->addr, tm, true))
		return LOBBY_E_RATE_LIMITED;

	t = g_new0(struct ticket, 1);
	t->id = lb->next_ticket++;
	t->seq = lb->next_seq++;
	memcpy(t->token_hash, k->token_hash, LOBBY_TOKEN_HASH);
	t->has_token = true;
	g_strlcpy(t->office, lb->offices[idx].cfg->id, sizeof(t->office));
	t->office_idx = idx;
	t->state = TICKET_WAITING;
	t->name = dup_opt(k->name);
	t->topic = dup_opt(k->topic);
	g_strlcpy(t->lang, k->lang && *k->lang ? k->lang : "de",
	    sizeof(t->lang));
	t->knocked_at = tm->now;
	t->updated_at = tm->now;
	t->booking = k->booking;
	t->appointment_at = k->booking ? k->appointment_at : 0;
	t->priority = k->booking && tm->now >= k->appointment_at ?
	    LOBBY_APPOINTMENT_PRIORITY : 0;
	t->wait_s = -1;
	ticket_add(lb, t);
	pos = queue_insert(lb, t);
	emit(lb, LOBBY_FX_TICKET, idx, t->id, 0, 0, 0);
	emit(lb, LOBBY_FX_QUEUE_ADD, idx, t->id, 0, 0, pos);
	refresh_dirty(lb, tm);
	*ticket_id = t->id;
	return LOBBY_OK;
}

int
lobby_resume(struct lobby *lb, const struct lobby_time *tm,
    const uint8_t *token_hash, uint64_t *ticket_id)
{
	struct ticket *t = g_hash_table_lookup(lb->tokens, token_hash);

	(void)tm;
	if (t == NULL)
		return LOBBY_E_UNKNOWN_TICKET;
	t->disconnected_at = 0;
	*ticket_id = t->id;
	return LOBBY_OK;
}

void
lobby_citizen_gone(struct lobby *lb, const struct lobby_time *tm,
    uint64_t ticket_id)
{
	struct ticket *t = g_hash_table_lookup(lb->tickets, &ticket_id);

	if (t != NULL && t->disconnected_at == 0)
		t->disconnected_at = tm->now;
}

int
lobby_withdraw(struct lobby *lb, const struct lobby_time *tm,
    uint64_t ticket_id)
{
	struct ticket *t = g_hash_table_lookup(lb->tickets, &ticket_id);

	if (t == NULL)
		return LOBBY_E_UNKNOWN_TICKET;
	if (t->state != TICKET_WAITING)
		return LOBBY_E_WRONG_STATE;
	finish(lb, t, TICKET_WITHDRAWN, NULL, tm);
	refresh_dirty(lb, tm);
	return LOBBY_OK;
}

/* --- clerks --- */

int
lobby_clerk_online(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id, const char *name, const char *const *offices,
    int noffices, enum presence presence)
{
	struct clerk_rt *c = clerk_get_or_new(lb, clerk_id);

	if (presence != PRESENCE_AVAILABLE && presence != PRESENCE_AWAY)
		presence = PRESENCE_AVAILABLE;
	free(c->name);
	c->name = g_strdup(name);
	c->online = true;
	c->noffices = 0;
	for (int i = 0; i < noffices && c->noffices < CONFIG_MAX_OFFICES; i++) {
		int idx = lobby_office_index(lb, offices[i]);

		if (idx < 0 || clerk_office_slot(c, idx) >= 0)
			continue;
		c->office[c->noffices] = idx;
		c->chosen[c->noffices] = presence;
		c->noffices++;
	}
	clerk_touch(lb, c);
	refresh_dirty(lb, tm);
	return LOBBY_OK;
}

void
lobby_clerk_offline(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id)
{
	struct clerk_rt *c = clerk_get(lb, clerk_id);

	if (c == NULL || !c->online)
		return;
	c->online = false;
	for (int k = 0; k < c->noffices; k++)
		mark(lb, c->office[k]);
	refresh_dirty(lb, tm);
}

int
lobby_set_presence(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id, const char *office, enum presence p)
{
	struct clerk_rt *c = clerk_get(lb, clerk_id);
	int only = -1;

	if (c == NULL || !c->online)
		return LOBBY_E_NOT_PRESENT;
	if (p != PRESENCE_AVAILABLE && p != PRESENCE_AWAY)
		return LOBBY_E_WRONG_STATE;
	if (office != NULL) {
		int idx = lobby_office_index(lb, office);

		if (idx < 0)
			return LOBBY_E_UNKNOWN_OFFICE;
		only = clerk_office_slot(c, idx);
		if (only < 0)
			return LOBBY_E_NOT_YOUR_OFFICE;
	}
	for (int k = 0; k < c->noffices; k++) {
		if (only >= 0 && k != only)
			continue;
		if (c->chosen[k] == p)
			continue;
		c->chosen[k] = p;
		if (c->room == 0)
			emit(lb, LOBBY_FX_PRESENCE, c->office[k], 0, 0, c->id, 0);
		mark(lb, c->office[k]);
	}
	refresh_dirty(lb, tm);
	return LOBBY_OK;
}

/* Common checks of a clerk acting on a waiting ticket. */
static int
clerk_ticket(struct lobby *lb, uint64_t clerk_id, uint64_t ticket_id,
    struct clerk_rt **cp, struct ticket **tp)
{
	struct clerk_rt *c = clerk_get(lb, clerk_id);
	struct ticket *t = g_hash_table_lookup(lb->tickets, &ticket_id);

	if (c == NULL || !c->online)
		return LOBBY_E_NOT_PRESENT;
	if (t == NULL)
		return LOBBY_E_UNKNOWN_TICKET;
	if (clerk_office_slot(c, t->office_idx) < 0)
		return LOBBY_E_NOT_YOUR_OFFICE;
	*cp = c;
	*tp = t;
	return LOBBY_OK;
}

int
lobby_admit(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id, uint64_t ticket_id, uint64_t *room_id)
{
	struct clerk_rt *c;
	struct ticket *t;
	struct room *r;
	int err = clerk_ticket(lb, clerk_id, ticket_id, &c, &t);

	if (err != LOBBY_OK)
		return err;
	if (t->state != TICKET_WAITING)
		return LOBBY_E_WRONG_STATE;
	if (c->room != 0)
		return LOBBY_E_IN_CONSULTATION;
	if (c->chosen[clerk_office_slot(c, t->office_idx)] != PRESENCE_AVAILABLE)
		return LOBBY_E_NOT_PRESENT;

	r = g_new0(struct room, 1);
	r->id = lb->next_room++;
	g_strlcpy(r->office, t->office, sizeof(r->office));
	r->office_idx = t->office_idx;
	r->clerk_id = c->id;
	r->ticket_id = t->id;
	r->opened_at = tm->now;
	g_hash_table_insert(lb->rooms, &r->id, r);
	c->room = r->id;
	t->room = r->id;
	emit(lb, LOBBY_FX_ROOM_OPEN, t->office_idx, t->id, r->id, c->id, 0);
	finish(lb, t, TICKET_ADMITTED, NULL, tm);
	clerk_touch(lb, c);
	refresh_dirty(lb, tm);
	*room_id = r->id;
	return LOBBY_OK;
}

int
lobby_decline(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id, uint64_t ticket_id, const char *message)
{
	struct clerk_rt *c;
	struct ticket *t;
	int err = clerk_ticket(lb, clerk_id, ticket_id, &c, &t);

	if (err != LOBBY_OK)
		return err;
	if (t->state != TICKET_WAITING)
		return LOBBY_E_WRONG_STATE;
	if (message == NULL || *message == '\0')
		return LOBBY_E_WRONG_STATE;
	if (strlen(message) > LOBBY_MESSAGE_MAX)
		return LOBBY_E_TOO_LONG;
	finish(lb, t, TICKET_DECLINED, message, tm);
	refresh_dirty(lb, tm);
	return LOBBY_OK;
}

static void
room_close(struct lobby *lb, struct room *r, const struct lobby_time *tm)
{
	struct clerk_rt *c = clerk_get(lb, r->clerk_id);

	r->closed_at = tm->now;
	emit(lb, LOBBY_FX_ROOM_CLOSE, r->office_idx, r->ticket_id, r->id,
	    r->clerk_id, 0);
	g_hash_table_steal(lb->rooms, &r->id);
	g_ptr_array_add(lb->dead_rooms, r);
	if (c != NULL && c->room == r->id) {
		c->room = 0;
		clerk_touch(lb, c);
	}
}

int
lobby_transfer(struct lobby *lb, const struct lobby_time *tm,
    uint64_t clerk_id, uint64_t ticket_id, const char *office,
    const char *note, uint64_t *new_ticket_id)
{
	struct clerk_rt *c;
	struct ticket *t, *n;
	struct room *r = NULL;
	int err = clerk_ticket(lb, clerk_id, ticket_id, &c, &t);
	int idx, pos;

	if (err != LOBBY_OK)
		return err;
	if (t->state == TICKET_ADMITTED) {
		r = g_hash_table_lookup(lb->rooms, &t->room);
		if (r == NULL || r->clerk_id != clerk_id)
			return LOBBY_E_WRONG_STATE;
	} else if (t->state != TICKET_WAITING) {
		return LOBBY_E_WRONG_STATE;
	}
	idx = office ? lobby_office_index(lb, office) : -1;
	if (idx < 0)
		return LOBBY_E_UNKNOWN_OFFICE;
	if (idx == t->office_idx)
		return LOBBY_E_SAME_OFFICE;
	if (note != NULL && strlen(note) > LOBBY_MESSAGE_MAX)
		return LOBBY_E_TOO_LONG;

	n = g_new0(struct ticket, 1);
	n->id = lb->next_ticket++;
	n->seq = lb->next_seq++;
	g_strlcpy(n->office, lb->offices[idx].cfg->id, sizeof(n->office));
	n->office_idx = idx;
	n->state = TICKET_WAITING;
	n->name = lb->offices[idx].cfg->anonymous ? NULL : dup_opt(t->name);
	n->topic = dup_opt(t->topic);
	n->message = dup_opt(note);
	memcpy(n->lang, t->lang, sizeof(n->lang));
	n->knocked_at = t->knocked_at;
	n->updated_at = tm->now;
	n->priority = t->priority;
	n->transferred_from = t->id;
	n->disconnected_at = t->disconnected_at;
	n->wait_s = -1;
	/* The citizen's token now opens the new ticket. */
	if (t->has_token) {
		g_hash_table_remove(lb->tokens, t->token_hash);
		memcpy(n->token_hash, t->token_hash, LOBBY_TOKEN_HASH);
		n->has_token = true;
		t->has_token = false;
	}
	t->transferred_to = n->id;
	if (r != NULL)
		room_close(lb, r, tm);
	finish(lb, t, TICKET_TRANSFERRED, note ? note : "", tm);
	ticket_add(lb, n);
	pos = queue_insert(lb, n);
	emit(lb, LOBBY_FX_TICKET, idx, n->id, 0, 0, 0);
	emit(lb, LOBBY_FX_QUEUE_ADD, idx, n->id, 0, 0, pos);
	refresh_dirty(lb, tm);
	*new_ticket_id = n->id;
	return LOBBY_OK;
}

int
lobby_end(struct lobby *lb, const struct lobby_time *tm, uint64_t clerk_id,
    uint64_t room_id)
{
	struct room *r = g_hash_table_lookup(lb->rooms, &room_id);
	struct ticket *t;

	if (r == NULL || r->clerk_id != clerk_id)
		return LOBBY_E_UNKNOWN_ROOM;
	t = g_hash_table_lookup(lb->tickets, &r->ticket_id);
	room_close(lb, r, tm);
	if (t != NULL && t->state == TICKET_ADMITTED)
		finish(lb, t, TICKET_DONE, NULL, tm);
	refresh_dirty(lb, tm);
	return LOBBY_OK;
}

/* --- timer --- */

/* Arrived appointments whose slot has begun go ahead of the walk-ins. */
static void
promote_appointments(struct lobby *lb, int idx, const struct lobby_time *tm)
{
	struct office_rt *o = &lb->offices[idx];

	for (size_t j = 0; j < o->qlen; j++) {
		struct ticket *t = o->queue[j];
		int pos;

		if (t->booking == 0 || t->priority != 0 ||
		    tm->now < t->appointment_at)
			continue;
		memmove(&o->queue[j], &o->queue[j + 1],
		    (o->qlen - j - 1) * sizeof(*o->queue));
		o->qlen--;
		t->priority = LOBBY_APPOINTMENT_PRIORITY;
		t->updated_at = tm->now;
		pos = queue_insert(lb, t);
		emit(lb, LOBBY_FX_TICKET, idx, t->id, 0, 0, 0);
		emit(lb, LOBBY_FX_QUEUE_ADD, idx, t->id, 0, 0, pos);
		/* it moved to the front: nothing behind j was skipped that
		 * is not looked at again */
	}
}

void
lobby_tick(struct lobby *lb, const struct lobby_time *tm)
{
	int64_t grace = lb->cfg->limits.grace_seconds;
	GHashTableIter it;
	gpointer v;

	for (int i = 0; i < lb->noffices; i++) {
		struct office_rt *o = &lb->offices[i];

		for (size_t j = 0; j < o->qlen;) {
			struct ticket *t = o->queue[j];

			/* Whole seconds: '>' so nobody loses a place before
			 * the full grace period has passed. */
			if (t->disconnected_at != 0 &&
			    tm->now - t->disconnected_at > grace)
				finish(lb, t, TICKET_EXPIRED, NULL, tm);
			else
				j++;
		}
		promote_appointments(lb, i, tm);
		mark(lb, i);    /* hours may have begun or ended */
	}
	g_hash_table_iter_init(&it, lb->tickets);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct ticket *t = v;

		if (!lobby_state_final(t->state) ||
		    tm->now - t->updated_at < LOBBY_FINAL_KEEP_S)
			continue;
		if (t->has_token)
			g_hash_table_remove(lb->tokens, t->token_hash);
		emit(lb, LOBBY_FX_FORGET, t->office_idx, t->id, 0, 0, 0);
		g_hash_table_iter_steal(&it);
		g_ptr_array_add(lb->graveyard, t);
	}
	/* Buckets that have filled up again carry no information. */
	if (lb->cfg->limits.knock_rate > 0) {
		double rate = lb->cfg->limits.knock_rate / 60.0;

		g_hash_table_iter_init(&it, lb->buckets);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct bucket *b = v;

			if (b->tokens + (double)(tm->now - b->last) * rate >=
			    lb->cfg->limits.knock_burst)
				g_hash_table_iter_remove(&it);
		}
	}
	refresh_dirty(lb, tm);
}

/* --- effects and queries --- */

const struct lobby_fx *
lobby_effects(const struct lobby *lb, size_t *n)
{
	*n = lb->nfx;
	return lb->fx;
}

void
lobby_effects_clear(struct lobby *lb)
{
	lb->nfx = 0;
	if (lb->graveyard->len > 0)
		g_ptr_array_set_size(lb->graveyard, 0);
	if (lb->dead_rooms->len > 0)
		g_ptr_array_set_size(lb->dead_rooms, 0);
}

const struct ticket *
lobby_ticket(const struct lobby *lb, uint64_t id)
{
	const struct ticket *t = g_hash_table_lookup(lb->tickets, &id);

	if (t != NULL)
		return t;
	for (guint i = 0; i < lb->graveyard->len; i++) {
		t = g_ptr_array_index(lb->graveyard, i);
		if (t->id == id)
			return t;
	}
	return NULL;
}

const struct room *
lobby_room(const struct lobby *lb, uint64_t id)
{
	const struct room *r = g_hash_table_lookup(lb->rooms, &id);

	if (r != NULL)
		return r;
	for (guint i = 0; i < lb->dead_rooms->len; i++) {
		r = g_ptr_array_index(lb->dead_rooms, i);
		if (r->id == id)
			return r;
	}
	return NULL;
}

int
lobby_office_count(const struct lobby *lb)
{
	return lb->noffices;
}

int
lobby_office_index(const struct lobby *lb, const char *id)
{
	for (int i = 0; i < lb->noffices; i++)
		if (strcmp(lb->offices[i].cfg->id, id) == 0)
			return i;
	return -1;
}

const struct config_office *
lobby_office_config(const struct lobby *lb, int idx)
{
	if (idx < 0 || idx >= lb->noffices)
		return NULL;
	return lb->offices[idx].cfg;
}

void
lobby_office_view(const struct lobby *lb, int idx, const struct lobby_time *t,
    struct lobby_office_view *v)
{
	view(lb, idx, t, v);
}

size_t
lobby_queue(const struct lobby *lb, int idx, const struct ticket *const **out)
{
	*out = (const struct ticket *const *)lb->offices[idx].queue;
	return lb->offices[idx].qlen;
}

enum presence
lobby_presence(const struct lobby *lb, uint64_t clerk_id, int office_idx)
{
	const struct clerk_rt *c = clerk_get(lb, clerk_id);
	int k;

	if (c == NULL || (k = clerk_office_slot(c, office_idx)) < 0)
		return PRESENCE_OFFLINE;
	return clerk_presence_at(c, k);
}

uint64_t
lobby_clerk_room(const struct lobby *lb, uint64_t clerk_id)
{
	const struct clerk_rt *c = clerk_get(lb, clerk_id);

	return c ? c->room : 0;
}

bool
lobby_clerk_serves(const struct lobby *lb, uint64_t clerk_id, int office_idx)
{
	const struct clerk_rt *c = clerk_get(lb, clerk_id);

	return c != NULL && c->online && clerk_office_slot(c, office_idx) >= 0;
}

int
lobby_retry_after(const struct lobby *lb)
{
	return lb->retry_after;
}
