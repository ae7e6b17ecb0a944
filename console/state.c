/*
 * state: see state.h. This half holds the state's lifecycle, the
 * connection, the server's messages and the queries; action.c holds the
 * actions and the prompt. Server messages were validated by the protocol
 * codec only as far as the envelope goes: the objects inside (offices,
 * tickets, rooms) are read field by field here and anything of the wrong
 * type is treated as absent. User-visible sentences are German, the
 * language of the clerks; names and topics are shown through text_fit.
 */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "state_int.h"
#include "jget.h"
#include "text.h"

#define ANON "anonym"

/* --- small helpers, shared with action.c (state_int.h) --- */

void
state_set_status(struct con_state *st, enum con_level level,
    const char *fmt, ...)
{
	va_list ap;
	char buf[sizeof(st->status)];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_copy(st->status, sizeof(st->status), buf);
	st->status_level = level;
}

const char *
state_who(const char *name)
{
	return name != NULL && name[0] != '\0' ? name : ANON;
}

void
state_copy(char *dst, size_t len, const char *src)
{
	text_copy(dst, len, src != NULL ? src : "");
}

void
state_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

static enum con_presence
presence_parse(const char *s)
{
	if (s == NULL)
		return CON_P_OFFLINE;
	if (strcmp(s, "available") == 0)
		return CON_P_AVAILABLE;
	if (strcmp(s, "away") == 0)
		return CON_P_AWAY;
	if (strcmp(s, "in_consultation") == 0)
		return CON_P_IN_CONSULTATION;
	return CON_P_OFFLINE;
}

static enum con_status
status_parse(const char *s)
{
	if (s == NULL)
		return CON_S_UNKNOWN;
	if (strcmp(s, "open") == 0)
		return CON_S_OPEN;
	if (strcmp(s, "busy") == 0)
		return CON_S_BUSY;
	if (strcmp(s, "closed") == 0)
		return CON_S_CLOSED;
	return CON_S_UNKNOWN;
}

const char *
state_presence_label(enum con_presence p)
{
	switch (p) {
	case CON_P_AVAILABLE:
		return "verfügbar";
	case CON_P_AWAY:
		return "abwesend";
	case CON_P_IN_CONSULTATION:
		return "im Gespräch";
	case CON_P_OFFLINE:
		break;
	}
	return "offline";
}

const char *
state_status_label(enum con_status s)
{
	switch (s) {
	case CON_S_OPEN:
		return "offen";
	case CON_S_BUSY:
		return "besetzt";
	case CON_S_CLOSED:
		return "zu";
	case CON_S_UNKNOWN:
		break;
	}
	return "?";
}

static const struct {
	const char *code;
	const char *text;
} error_texts[] = {
	{"bad_json", "Der Server hat die Anfrage nicht verstanden."},
	{"bad_message", "Der Server hat die Anfrage nicht verstanden."},
	{"unknown_type", "Der Server kennt diese Anfrage nicht."},
	{"too_large", "Die Anfrage war zu groß."},
	{"not_allowed", "Das ist dieser Verbindung nicht erlaubt."},
	{"not_logged_in", "Nicht angemeldet."},
	{"bad_credentials", "Falscher Benutzername oder falsches Passwort."},
	{"throttled", "Zu viele Fehlversuche – bitte später erneut versuchen."},
	{"session_expired", "Die Sitzung ist abgelaufen – bitte neu anmelden."},
	{"unknown_office", "Dieses Amt gibt es nicht."},
	{"office_closed", "Das Amt ist geschlossen."},
	{"queue_full", "Die Warteschlange ist voll."},
	{"unknown_ticket", "Diese Person wartet nicht mehr."},
	{"wrong_state", "Das geht nicht mehr: die Person wartet nicht mehr."},
	{"not_your_office", "Dieses Amt betreuen Sie nicht."},
	{"in_consultation", "Sie sind schon im Gespräch – erst beenden (e)."},
	{"unknown_room", "Dieses Gespräch gibt es nicht mehr."},
	{"same_office", "Die Person ist schon bei diesem Amt."},
	{"not_present", "Sie sind abwesend – erst mit p verfügbar werden."},
	{"no_appointments", "Dieses Amt vergibt keine Termine."},
	{"not_bookable", "Zu dieser Zeit gibt es keinen Termin."},
	{"slot_taken", "Diese Zeit ist schon gebucht oder gesperrt."},
	{"unknown_booking", "Diesen Termin gibt es nicht."},
	{"not_in_room", "Sie führen dieses Gespräch nicht (mehr)."},
	{"media_token_invalid", "Die Zugangsdaten des Videofensters sind "
	    "abgelaufen."},
	{"busy", "Zu viel auf einmal – bitte gleich noch einmal versuchen."},
	{"internal", "Fehler im Server – bitte noch einmal versuchen."},
};

const char *
state_error_text(const char *code)
{
	if (code != NULL)
		for (size_t i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]);
		    i++)
			if (strcmp(error_texts[i].code, code) == 0)
				return error_texts[i].text;
	return "Unerwarteter Fehler des Servers.";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int64_t
state_parse_time(const char *s)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	const char *p;

	if (s == NULL || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	p = s + 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' && p[1] == '\0') {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) &&
	    p[3] == ':' && digits(p + 4, 2, &om) && p[6] == '\0') {
		sign = *p == '+' ? 1 : -1;
	} else {
		return 0;
	}
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	    sign * (oh * 3600 + om * 60);
}

/* --- offices and queues --- */

static struct con_office *
office_get(struct con_state *st, const char *id)
{
	if (id == NULL)
		return NULL;
	for (int i = 0; i < st->noffices; i++)
		if (strcmp(st->offices[i].id, id) == 0)
			return &st->offices[i];
	return NULL;
}

const struct con_office *
state_office(const struct con_state *st, const char *id)
{
	return office_get((struct con_state *)st, id);
}

static struct con_office *
office_add(struct con_state *st, const char *id)
{
	struct con_office *o = office_get(st, id);

	if (o != NULL)
		return o;
	if (st->noffices >= CON_MAX_OFFICES || id == NULL || id[0] == '\0' ||
	    strlen(id) >= CON_OFFICE_ID)
		return NULL;
	o = &st->offices[st->noffices++];
	memset(o, 0, sizeof(*o));
	text_copy(o->id, sizeof(o->id), id);
	text_copy(o->name, sizeof(o->name), id);
	o->wait = -1;
	return o;
}

static void
queue_free(struct con_office *o)
{
	free(o->tickets);
	o->tickets = NULL;
	o->ntickets = o->cap = 0;
}

static void
office_remove(struct con_state *st, int i)
{
	queue_free(&st->offices[i]);
	memmove(&st->offices[i], &st->offices[i + 1],
	    (size_t)(st->noffices - i - 1) * sizeof(st->offices[0]));
	st->noffices--;
}

struct con_office *
state_current_mut(struct con_state *st)
{
	return office_get(st, st->current);
}

const struct con_office *
state_current(const struct con_state *st)
{
	return state_current_mut((struct con_state *)st);
}

/* Makes sure the selected office is one of the clerk's, if any. */
static void
fix_current(struct con_state *st)
{
	struct con_office *o = state_current_mut(st);

	if (o != NULL && o->mine)
		return;
	st->current[0] = '\0';
	for (int i = 0; i < st->noffices; i++) {
		if (st->offices[i].mine) {
			text_copy(st->current, sizeof(st->current),
			    st->offices[i].id);
			return;
		}
	}
}

static bool
ticket_matches(const struct con_ticket *t, const char *filter)
{
	char id[24];

	if (filter[0] == '\0')
		return true;
	snprintf(id, sizeof(id), "%lld", (long long)t->id);
	return text_contains(state_who(t->name), filter) ||
	    text_contains(t->topic, filter) || text_contains(t->lang, filter) ||
	    text_contains(t->note, filter) || strcmp(id, filter) == 0;
}

size_t
state_visible(const struct con_state *st, const struct con_office *o,
    size_t *idx, size_t max)
{
	size_t n = 0;

	if (o == NULL)
		return 0;
	for (size_t i = 0; i < o->ntickets && n < max; i++)
		if (ticket_matches(&o->tickets[i], st->filter))
			idx[n++] = i;
	return n;
}

static ssize_t
ticket_index(const struct con_office *o, int64_t id)
{
	for (size_t i = 0; i < o->ntickets; i++)
		if (o->tickets[i].id == id)
			return (ssize_t)i;
	return -1;
}

/* The selection stays on a visible ticket: if the selected one is gone or
 * filtered out, the nearest visible one at or after position `from` (or
 * before it) is taken. */
void
state_fix_selection(const struct con_state *st, struct con_office *o,
    size_t from)
{
	ssize_t i = o->selected ? ticket_index(o, o->selected) : -1;
	ssize_t best = -1;

	if (i >= 0 && ticket_matches(&o->tickets[i], st->filter))
		return;
	for (size_t k = 0; k < o->ntickets; k++) {
		if (!ticket_matches(&o->tickets[k], st->filter))
			continue;
		best = (ssize_t)k;
		if (k >= from)
			break;
	}
	o->selected = best >= 0 ? o->tickets[best].id : 0;
}

void
state_fix_selections(struct con_state *st)
{
	for (int i = 0; i < st->noffices; i++)
		state_fix_selection(st, &st->offices[i], 0);
}

const struct con_ticket *
state_selected(const struct con_state *st)
{
	const struct con_office *o = state_current(st);
	ssize_t i;

	if (o == NULL || o->selected == 0)
		return NULL;
	i = ticket_index(o, o->selected);
	if (i < 0 || !ticket_matches(&o->tickets[i], st->filter))
		return NULL;
	return &o->tickets[i];
}

bool
state_ticket_is_new(const struct con_ticket *t, int64_t now)
{
	return t->fresh && now - t->arrived_ms < CON_NEW_MS;
}

static bool
ticket_parse(const json_t *j, struct con_ticket *t, int64_t now)
{
	memset(t, 0, sizeof(*t));
	if (!json_is_object(j))
		return false;
	t->id = jget_int(j, "id", 0);
	if (t->id <= 0)
		return false;
	state_copy(t->name, sizeof(t->name), jget_str(j, "name"));
	state_copy(t->topic, sizeof(t->topic), jget_str(j, "topic"));
	state_copy(t->lang, sizeof(t->lang), jget_str(j, "lang"));
	state_copy(t->note, sizeof(t->note), jget_str(j, "message"));
	t->transferred_from = jget_int(j, "transferred_from", 0);
	t->priority = jget_int(j, "priority", 0);
	t->appointment = state_parse_time(jget_str(j, "appointment"));
	t->knocked_at = state_parse_time(jget_str(j, "knocked_at"));
	t->arrived_ms = now;
	return true;
}

static bool
queue_reserve(struct con_office *o, size_t n)
{
	struct con_ticket *t;
	size_t cap;

	if (n <= o->cap)
		return true;
	cap = o->cap ? o->cap : 8;
	while (cap < n)
		cap *= 2;
	t = realloc(o->tickets, cap * sizeof(*t));
	if (t == NULL)
		return false;
	o->tickets = t;
	o->cap = cap;
	return true;
}

static bool
queue_insert(struct con_office *o, size_t pos, const struct con_ticket *t)
{
	if (!queue_reserve(o, o->ntickets + 1))
		return false;
	if (pos > o->ntickets)
		pos = o->ntickets;
	memmove(&o->tickets[pos + 1], &o->tickets[pos],
	    (o->ntickets - pos) * sizeof(*t));
	o->tickets[pos] = *t;
	o->ntickets++;
	return true;
}

/* Removes a ticket; returns its former index or -1. */
static ssize_t
queue_delete(struct con_office *o, int64_t id)
{
	ssize_t i = ticket_index(o, id);

	if (i < 0)
		return -1;
	memmove(&o->tickets[i], &o->tickets[i + 1],
	    (o->ntickets - (size_t)i - 1) * sizeof(o->tickets[0]));
	o->ntickets--;
	return i;
}

static void
new_knock(struct con_state *st, const struct con_office *o,
    const struct con_ticket *t)
{
	if (st->bell)
		st->bell_pending = true;
	state_set_status(st, CON_INFO, "Neu: %s klopft bei %s%s", state_who(t->name),
	    o->name, t->transferred_from ? " (weitergeleitet)" : "");
}

static void
apply_queue(struct con_state *st, const char *office, const json_t *list,
    int64_t now)
{
	struct con_office *o = office_get(st, office);
	struct con_ticket *old;
	size_t nold, n, fresh = 0;
	const struct con_ticket *last_new = NULL;

	if (o == NULL || !json_is_array(list))
		return;
	old = o->tickets;
	nold = o->ntickets;
	o->tickets = NULL;
	o->ntickets = o->cap = 0;
	n = json_array_size(list);
	if (!queue_reserve(o, n ? n : 1)) {
		o->tickets = old;
		o->ntickets = nold;
		o->cap = nold;
		state_set_status(st, CON_ERROR, "Kein Speicher für die Warteschlange.");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct con_ticket t;
		bool known = false;

		if (!ticket_parse(json_array_get(list, i), &t, now))
			continue;
		for (size_t k = 0; k < nold; k++) {
			if (old[k].id == t.id) {
				t.fresh = old[k].fresh;
				t.arrived_ms = old[k].arrived_ms;
				known = true;
				break;
			}
		}
		/* After a reconnect, who knocked meanwhile is new. */
		if (!known && o->have_queue) {
			t.fresh = true;
			fresh++;
		}
		o->tickets[o->ntickets++] = t;
		if (!known && o->have_queue)
			last_new = &o->tickets[o->ntickets - 1];
	}
	free(old);
	o->have_queue = true;
	if (fresh > 0 && last_new != NULL)
		new_knock(st, o, last_new);
	state_fix_selection(st, o, 0);
}

static void
apply_queue_add(struct con_state *st, const struct proto_msg *m, int64_t now)
{
	struct con_office *o = office_get(st, proto_str(m, "office"));
	struct con_ticket t;
	int64_t pos = proto_int(m, "position", 1);

	if (o == NULL ||
	    !ticket_parse(json_object_get(m->root, "ticket"), &t, now))
		return;
	queue_delete(o, t.id);
	t.fresh = true;
	if (pos < 1)
		pos = 1;
	if (!queue_insert(o, (size_t)(pos - 1), &t)) {
		state_set_status(st, CON_ERROR, "Kein Speicher für die Warteschlange.");
		return;
	}
	new_knock(st, o, &t);
	state_fix_selection(st, o, 0);
	state_agenda_ticket_moved(st, &t);
}

static void
apply_queue_remove(struct con_state *st, const struct proto_msg *m)
{
	struct con_office *o = office_get(st, proto_str(m, "office"));
	int64_t id = proto_int(m, "ticket", 0);
	const char *state = proto_str(m, "state");
	char name[CON_NAME];
	ssize_t at;

	if (o == NULL || (at = ticket_index(o, id)) < 0)
		return;
	text_copy(name, sizeof(name), o->tickets[at].name);
	state_agenda_ticket_moved(st, &o->tickets[at]);
	queue_delete(o, id);
	state_fix_selection(st, o, (size_t)at);
	/* The person the clerk is about to decline or transfer left. */
	if ((st->prompt.kind == CON_PROMPT_DECLINE ||
	    st->prompt.kind == CON_PROMPT_TRANSFER_OFFICE ||
	    st->prompt.kind == CON_PROMPT_TRANSFER_NOTE) &&
	    st->prompt.ticket == id && strcmp(st->prompt.ticket_office,
	    o->id) == 0 && !(st->has_room && st->room.ticket == id)) {
		memset(&st->prompt, 0, sizeof(st->prompt));
		state_set_status(st, CON_ERROR, "%s wartet nicht mehr (%s).",
		    state_who(name), state ? state : "?");
		return;
	}
	if (state != NULL && (strcmp(state, "withdrawn") == 0 ||
	    strcmp(state, "expired") == 0))
		state_set_status(st, CON_INFO, "%s hat die Warteschlange von %s "
		    "verlassen.", state_who(name), o->name);
}

static void
office_view(struct con_office *o, const json_t *j)
{
	const char *name = jget_str(j, "name");
	json_t *wait = json_object_get(j, "wait");

	if (name != NULL)
		text_copy(o->name, sizeof(o->name), name);
	o->anonymous = json_is_true(json_object_get(j, "anonymous"));
	/* klopfd adds next_appointment (maybe null) where one can book */
	o->appointments = json_object_get(j, "next_appointment") != NULL;
	o->status = status_parse(jget_str(j, "status"));
	o->queue_len = jget_int(j, "queue", 0);
	o->wait = json_is_integer(wait) ? (int64_t)json_integer_value(wait) : -1;
}

static void
apply_offices(struct con_state *st, const json_t *list)
{
	bool seen[CON_MAX_OFFICES] = {false};
	size_t i;
	json_t *j;

	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, j) {
		struct con_office *o = office_add(st, jget_str(j, "id"));

		if (o == NULL)
			continue;
		office_view(o, j);
		seen[o - st->offices] = true;
	}
	/* Offices that no longer exist go, unless they are the clerk's. */
	for (int k = st->noffices - 1; k >= 0; k--) {
		if (!seen[k] && !st->offices[k].mine) {
			office_remove(st, k);
			memmove(&seen[k], &seen[k + 1],
			    (size_t)(CON_MAX_OFFICES - k - 1) * sizeof(seen[0]));
		}
	}
	fix_current(st);
}

static void
room_parse(struct con_room *r, const json_t *j)
{
	memset(r, 0, sizeof(*r));
	r->id = jget_int(j, "id", 0);
	state_copy(r->office, sizeof(r->office), jget_str(j, "office"));
	r->ticket = jget_int(j, "ticket", 0);
	r->opened_at = state_parse_time(jget_str(j, "opened_at"));
	state_copy(r->name, sizeof(r->name), jget_str(j, "name"));
	state_copy(r->topic, sizeof(r->topic), jget_str(j, "topic"));
}

/* --- requests --- */

static struct con_pending *
pending_take(struct con_state *st, const json_t *id, struct con_pending *out)
{
	if (!json_is_integer(id))
		return NULL;
	for (int i = 0; i < st->npending; i++) {
		if (st->pending[i].id == (int64_t)json_integer_value(id)) {
			*out = st->pending[i];
			st->pending[i] = st->pending[--st->npending];
			return out;
		}
	}
	return NULL;
}

bool
state_pending_has(const struct con_state *st, enum con_req kind)
{
	for (int i = 0; i < st->npending; i++)
		if (st->pending[i].kind == kind)
			return true;
	return false;
}

/* Queues msg (takes ownership) as a request of this kind. Returns false
 * (and frees msg) if too much is outstanding. */
bool
state_send_request(struct con_state *st, json_t *msg, enum con_req kind,
    int64_t ticket, const char *office, const char *name)
{
	struct con_pending *p;

	if (st->nout >= CON_OUTBOX || st->npending >= CON_PENDING) {
		state_msg_free(msg);
		state_set_status(st, CON_ERROR, "Zu viele offene Anfragen – bitte "
		    "einen Moment warten.");
		return false;
	}
	p = &st->pending[st->npending++];
	memset(p, 0, sizeof(*p));
	p->id = st->next_id++;
	p->kind = kind;
	p->ticket = ticket;
	state_copy(p->office, sizeof(p->office), office);
	state_copy(p->who, sizeof(p->who), name);
	json_object_set_new(msg, "id", json_integer((json_int_t)p->id));
	st->outbox[st->nout++] = msg;
	return true;
}

static void
drop_requests(struct con_state *st)
{
	for (int i = 0; i < st->nout; i++)
		state_msg_free(st->outbox[i]);
	st->nout = 0;
	st->npending = 0;
}

json_t *
state_outbox_pop(struct con_state *st)
{
	json_t *m;

	if (st->nout == 0)
		return NULL;
	m = st->outbox[0];
	memmove(&st->outbox[0], &st->outbox[1],
	    (size_t)(st->nout - 1) * sizeof(st->outbox[0]));
	st->nout--;
	return m;
}

void
state_msg_free(json_t *msg)
{
	json_t *pw;

	if (msg == NULL)
		return;
	pw = json_object_get(msg, "password");
	if (json_is_string(pw) && msg->refcount == 1) {
		/* jansson keeps its own copy of the string; wipe it. */
		char *s = (char *)json_string_value(pw);

		explicit_bzero(s, json_string_length(pw));
	}
	json_decref(msg);
}

const char *
state_chosen_name(const struct con_state *st)
{
	return st->chosen == CON_P_AWAY ? "away" : "available";
}

void
state_prompt_open_password(struct con_state *st)
{
	state_wipe(&st->prompt, sizeof(st->prompt));
	st->prompt.kind = CON_PROMPT_PASSWORD;
	st->prompt.choice = -1;
}

/* Keeps the administration's zone if it looks like an IANA name
 * ("Europe/Berlin", "Etc/GMT+1"): letters, digits, / _ + -, no leading
 * slash, no "..". Anything else is ignored: the console then shows the
 * times of its own TZ. */
static void
welcome_timezone(struct con_state *st, const char *tz)
{
	size_t i, n = tz != NULL ? strlen(tz) : 0;

	if (n == 0 || n >= sizeof(st->timezone) || tz[0] == '/' ||
	    strstr(tz, "..") != NULL)
		return;
	for (i = 0; i < n; i++) {
		char ch = tz[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' ||
		    ch == '+' || ch == '-'))
			return;
	}
	memcpy(st->timezone, tz, n + 1);
}

/* After the server's welcome: continue the session, or log in with the
 * password once the clerk typed it. */
void
state_start_auth(struct con_state *st)
{
	json_t *m;

	if (st->conn != CON_AUTH || !st->welcomed ||
	    state_pending_has(st, CON_REQ_LOGIN) || state_pending_has(st, CON_REQ_SESSION))
		return;
	if (st->session[0] != '\0') {
		m = proto_new("session", NULL);
		json_object_set_new(m, "session", json_string(st->session));
		json_object_set_new(m, "presence", json_string(state_chosen_name(st)));
		state_send_request(st, m, CON_REQ_SESSION, 0, NULL, NULL);
		return;
	}
	if (st->have_password) {
		m = proto_new("login", NULL);
		json_object_set_new(m, "user", json_string(st->user));
		json_object_set_new(m, "password", json_string(st->password));
		json_object_set_new(m, "presence", json_string(state_chosen_name(st)));
		state_wipe(st->password, sizeof(st->password));
		st->have_password = false;
		if (state_send_request(st, m, CON_REQ_LOGIN, 0, NULL, NULL))
			state_set_status(st, CON_INFO, "Anmelden als %s …", st->user);
		return;
	}
	if (st->prompt.kind != CON_PROMPT_PASSWORD)
		state_prompt_open_password(st);
}

/* --- lifecycle --- */

void
state_init(struct con_state *st, const char *user, const char *server,
    bool bell)
{
	memset(st, 0, sizeof(*st));
	text_copy(st->user, sizeof(st->user), user);
	text_copy(st->server, sizeof(st->server), server);
	st->bell = bell;
	st->chosen = CON_P_AVAILABLE;
	st->next_id = 1;
	state_prompt_open_password(st);
}

void
state_fini(struct con_state *st)
{
	drop_requests(st);
	for (int i = 0; i < st->noffices; i++)
		queue_free(&st->offices[i]);
	st->noffices = 0;
	agenda_fini(&st->agenda);
	state_wipe(st->password, sizeof(st->password));
	state_wipe(st->session, sizeof(st->session));
	state_wipe(st->video.token, sizeof(st->video.token));
	state_invitation_close(st);
	state_wipe(&st->prompt, sizeof(st->prompt));
	st->have_password = false;
}

void
state_connecting(struct con_state *st, int64_t now)
{
	(void)now;
	if (st->conn == CON_IDLE)
		state_set_status(st, CON_INFO, "Verbinde mit %s …", st->server);
	st->conn = CON_CONNECTING;
	st->welcomed = false;
}

void
state_connected(struct con_state *st, int64_t now)
{
	(void)now;
	st->conn = CON_AUTH;
	st->welcomed = false;
	drop_requests(st);
}

int64_t
state_backoff_ms(int attempts)
{
	int64_t ms = 1000;

	for (int i = 0; i < attempts && ms < CON_RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < CON_RETRY_MAX_MS ? ms : CON_RETRY_MAX_MS;
}

void
state_disconnected(struct con_state *st, int64_t now, const char *why)
{
	int64_t wait;

	drop_requests(st);
	st->welcomed = false;
	st->agenda_again = false;
	if (st->quitting) {
		st->quit = true;
		return;
	}
	wait = state_backoff_ms(st->attempts);
	st->attempts++;
	st->retry_at = now + wait;
	st->conn = CON_LOST;
	if (why != NULL && *why != '\0')
		state_set_status(st, CON_ERROR, "Keine Verbindung zum Server: %s.",
		    why);
	else
		state_set_status(st, CON_ERROR, "Keine Verbindung zum Server – klopf "
		    "versucht es weiter.");
	state_video_sync(st);
}

bool
state_tick(struct con_state *st, int64_t now)
{
	if (st->quitting && now >= st->quit_deadline)
		st->quit = true;
	if (st->quit)
		return false;
	if (st->conn == CON_IDLE)
		return true;
	/* citizens book and cancel without telling the clerks: look again */
	if (st->view == CON_VIEW_AGENDA && st->conn == CON_ONLINE &&
	    now >= st->agenda_due) {
		st->agenda_due = now + CON_AGENDA_REFRESH_MS;
		state_agenda_refresh(st);
	}
	return st->conn == CON_LOST && now >= st->retry_at;
}

/* --- server messages --- */

static void
apply_welcome_clerk(struct con_state *st, const struct proto_msg *m)
{
	const json_t *clerk = json_object_get(m->root, "clerk");
	const json_t *offs = json_object_get(clerk, "offices");
	const json_t *pres = json_object_get(m->root, "presences");
	const json_t *room = json_object_get(m->root, "room");
	const json_t *msgs = json_object_get(m->root, "decline_messages");
	enum con_presence p = presence_parse(proto_str(m, "presence"));
	const char *k;
	json_t *v;
	size_t i;

	st->conn = CON_ONLINE;
	st->attempts = 0;
	state_copy(st->session, sizeof(st->session), proto_str(m, "session"));
	state_copy(st->clerk, sizeof(st->clerk), jget_str(clerk, "name"));
	if (p == CON_P_AVAILABLE || p == CON_P_AWAY)
		st->chosen = p;
	for (int n = 0; n < st->noffices; n++)
		st->offices[n].mine = false;
	if (json_is_array(offs)) {
		json_array_foreach(offs, i, v) {
			struct con_office *o = office_add(st,
			    json_string_value(v));

			if (o != NULL) {
				o->mine = true;
				o->presence = p;
			}
		}
	}
	if (json_is_object(pres)) {
		json_object_foreach((json_t *)pres, k, v) {
			struct con_office *o = office_get(st, k);

			if (o != NULL && o->mine)
				o->presence = presence_parse(
				    json_string_value(v));
		}
	}
	st->has_room = json_is_object(room);
	if (st->has_room)
		room_parse(&st->room, room);
	st->ndecline = 0;
	if (json_is_array(msgs)) {
		json_array_foreach(msgs, i, v) {
			if (!json_is_string(v) || st->ndecline >= CON_MAX_DECLINE)
				continue;
			text_copy(st->decline[st->ndecline++], CON_MESSAGE,
			    json_string_value(v));
		}
	}
	fix_current(st);
	if (st->prompt.kind == CON_PROMPT_PASSWORD)
		state_wipe(&st->prompt, sizeof(st->prompt));
	if (st->ever_online)
		state_set_status(st, CON_INFO, "Wieder verbunden.");
	else
		state_set_status(st, CON_INFO, "Angemeldet als %s. Hilfe mit ?",
		    st->clerk);
	st->ever_online = true;
	if (st->view == CON_VIEW_AGENDA)
		state_agenda_refresh(st);
}

static void
apply_error(struct con_state *st, const struct proto_msg *m)
{
	const char *code = proto_str(m, "code");
	const char *text = state_error_text(code);
	struct con_pending p;

	if (pending_take(st, m->id, &p) == NULL) {
		state_set_status(st, CON_ERROR, "%s", text);
		return;
	}
	switch (p.kind) {
	case CON_REQ_LOGIN:
		if (code != NULL && strcmp(code, "throttled") == 0 &&
		    proto_int(m, "retry_after", 0) > 0)
			state_set_status(st, CON_ERROR, "Zu viele Fehlversuche – bitte "
			    "in %lld s erneut versuchen.",
			    (long long)proto_int(m, "retry_after", 0));
		else
			state_set_status(st, CON_ERROR, "%s", text);
		state_prompt_open_password(st);
		break;
	case CON_REQ_SESSION:
		state_wipe(st->session, sizeof(st->session));
		state_set_status(st, CON_ERROR, "%s", state_error_text(
		    "session_expired"));
		state_start_auth(st);
		break;
	case CON_REQ_LOGOUT:
		st->quit = true;
		break;
	case CON_REQ_PRESENCE:
		st->chosen = st->chosen == CON_P_AWAY ? CON_P_AVAILABLE :
		    CON_P_AWAY;
		state_set_status(st, CON_ERROR, "Präsenz: %s", text);
		break;
	case CON_REQ_ADMIT:
		state_set_status(st, CON_ERROR, "Einlassen (%s): %s", state_who(p.who), text);
		break;
	case CON_REQ_DECLINE:
		state_set_status(st, CON_ERROR, "Ablehnen (%s): %s", state_who(p.who), text);
		break;
	case CON_REQ_TRANSFER:
		state_set_status(st, CON_ERROR, "Weiterleiten (%s): %s", state_who(p.who),
		    text);
		break;
	case CON_REQ_END:
		state_set_status(st, CON_ERROR, "Beenden: %s", text);
		break;
	case CON_REQ_AGENDA:
	case CON_REQ_SLOTS:
	case CON_REQ_CANCEL_BOOKING:
	case CON_REQ_BLOCK:
		state_agenda_error(st, &p, code);
		break;
	case CON_REQ_MEDIA_TOKEN:
		state_video_token(st, &p, m, code != NULL ? code : "internal");
		break;
	case CON_REQ_INVITE:
		state_invite_reply(st, &p, m, code != NULL ? code : "internal");
		break;
	}
}

static void
apply_reply(struct con_state *st, const struct proto_msg *m, int64_t now)
{
	struct con_pending p;
	const struct con_office *o;

	if (pending_take(st, m->id, &p) == NULL)
		return;
	switch (p.kind) {
	case CON_REQ_LOGOUT:
		st->quit = true;
		break;
	case CON_REQ_PRESENCE:
		if (st->has_room)
			state_set_status(st, CON_INFO, "Nach dem Gespräch: %s",
			    state_presence_label(st->chosen));
		else
			state_set_status(st, CON_INFO, "Präsenz: %s",
			    state_presence_label(st->chosen));
		break;
	case CON_REQ_DECLINE:
		state_set_status(st, CON_INFO, "Abgelehnt: %s", state_who(p.who));
		break;
	case CON_REQ_END:
		state_set_status(st, CON_INFO, "Gespräch beendet.");
		if (st->has_room && st->room.id == p.ticket)
			st->has_room = false;
		break;
	case CON_REQ_TRANSFER:
		o = office_get(st, p.office);
		state_set_status(st, CON_INFO, "Weitergeleitet: %s an %s", state_who(p.who),
		    o ? o->name : p.office);
		break;
	case CON_REQ_ADMIT:
		if (m->type == PROTO_S_ROOM) {
			st->has_room = true;
			room_parse(&st->room, json_object_get(m->root, "room"));
			if (st->room.name[0] == '\0')
				state_copy(st->room.name,
				    sizeof(st->room.name), p.who);
			state_set_status(st, CON_INFO, "Im Gespräch mit %s. Beenden "
			    "mit e.", state_who(st->room.name));
			state_video_admitted(st);
		}
		break;
	case CON_REQ_MEDIA_TOKEN:
		state_video_token(st, &p, m, NULL);
		break;
	case CON_REQ_INVITE:
		state_invite_reply(st, &p, m, NULL);
		break;
	case CON_REQ_LOGIN:
	case CON_REQ_SESSION:
		break;
	case CON_REQ_AGENDA:
	case CON_REQ_SLOTS:
	case CON_REQ_CANCEL_BOOKING:
	case CON_REQ_BLOCK:
		state_agenda_reply(st, &p, m, now);
		break;
	}
}

void
state_apply(struct con_state *st, const struct proto_msg *m, int64_t now)
{
	struct con_office *o;
	struct con_pending p;

	switch (m->type) {
	case PROTO_S_WELCOME:
		if (st->conn == CON_CONNECTING)
			st->conn = CON_AUTH;
		st->welcomed = true;
		welcome_timezone(st, proto_str(m, "timezone"));
		state_start_auth(st);
		break;
	case PROTO_S_WELCOME_CLERK:
		pending_take(st, m->id, &p);
		apply_welcome_clerk(st, m);
		break;
	case PROTO_S_ERROR:
		apply_error(st, m);
		break;
	case PROTO_S_OK:
	case PROTO_S_ROOM:
		if (m->id == NULL) {
			/* Pushed to every console of the clerk: one of them
			 * admitted someone. */
			bool had = st->has_room;

			st->has_room = true;
			room_parse(&st->room, json_object_get(m->root, "room"));
			if (!had)
				state_set_status(st, CON_INFO, "Im Gespräch mit %s.",
				    state_who(st->room.name));
			break;
		}
		apply_reply(st, m, now);
		break;
	case PROTO_S_TRANSFERRED:
	case PROTO_S_AGENDA:
	case PROTO_S_SLOTS:
	case PROTO_S_MEDIA_TOKEN:
	case PROTO_S_INVITATION:
		apply_reply(st, m, now);
		break;
	case PROTO_S_OFFICES:
		apply_offices(st, json_object_get(m->root, "offices"));
		break;
	case PROTO_S_OFFICE:
		o = office_add(st, jget_str(json_object_get(m->root, "office"),
		    "id"));
		if (o != NULL)
			office_view(o, json_object_get(m->root, "office"));
		break;
	case PROTO_S_PRESENCE:
		o = office_get(st, proto_str(m, "office"));
		if (o != NULL && o->mine)
			o->presence = presence_parse(proto_str(m, "presence"));
		break;
	case PROTO_S_QUEUE:
		apply_queue(st, proto_str(m, "office"),
		    json_object_get(m->root, "tickets"), now);
		break;
	case PROTO_S_QUEUE_ADD:
		apply_queue_add(st, m, now);
		break;
	case PROTO_S_QUEUE_REMOVE:
		apply_queue_remove(st, m);
		break;
	case PROTO_S_ROOM_CLOSED:
		if (st->has_room && st->room.id == proto_int(m, "room", 0)) {
			st->has_room = false;
			if (st->status_level != CON_ERROR)
				state_set_status(st, CON_INFO, "Gespräch beendet.");
		}
		break;
	default:
		break;
	}
	state_video_sync(st);
	state_invite_sync(st);
}

enum con_presence
state_presence(const struct con_state *st)
{
	if (st->conn != CON_ONLINE)
		return CON_P_OFFLINE;
	if (st->has_room)
		return CON_P_IN_CONSULTATION;
	return st->chosen;
}
