/*
 * view: see view.h. The only place that decides how a ticket, an office
 * or a room looks on the wire; session.c only chooses who gets it.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto.h"

/* ISO 8601 local time with offset, "2026-11-24T09:12:00+01:00". */
json_t *
view_time(int64_t when)
{
	char buf[40];
	struct tm tm;
	time_t t = (time_t)when;
	size_t n;

	if (when <= 0)
		return json_null();
	localtime_r(&t, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	if (n < 5)
		return json_null();
	/* +0100 -> +01:00 */
	memmove(buf + n - 1, buf + n - 2, 3);
	buf[n - 2] = ':';
	return json_string(buf);
}

static json_t *
int_or_null(int64_t v)
{
	return v > 0 ? json_integer(v) : json_null();
}

json_t *
view_office(const struct lobby *lb, int idx, const struct lobby_time *t)
{
	const struct config_office *o = lobby_office_config(lb, idx);
	struct lobby_office_view v;
	json_t *j = json_object(), *langs = json_array(), *hours = json_array();
	char from[24], to[24];

	lobby_office_view(lb, idx, t, &v);
	json_object_set_new(j, "id", json_string(o->id));
	json_object_set_new(j, "name", json_string(o->name_de));
	if (o->name_en)
		json_object_set_new(j, "name_en", json_string(o->name_en));
	json_object_set_new(j, "description", json_string(o->description_de));
	if (o->description_en)
		json_object_set_new(j, "description_en",
		    json_string(o->description_en));
	json_object_set_new(j, "anonymous", json_boolean(o->anonymous));
	for (int i = 0; i < o->nlanguages; i++)
		json_array_append_new(langs, json_string(o->languages[i]));
	json_object_set_new(j, "languages", langs);
	for (int d = 0; d < 7; d++) {
		for (int i = 0; i < o->nhours[d]; i++) {
			const struct config_range *r = &o->hours[d][i];
			json_t *h = json_object();

			snprintf(from, sizeof(from), "%02d:%02d", r->start / 60,
			    r->start % 60);
			snprintf(to, sizeof(to), "%02d:%02d", r->end / 60,
			    r->end % 60);
			json_object_set_new(h, "day", json_integer(d));
			json_object_set_new(h, "from", json_string(from));
			json_object_set_new(h, "to", json_string(to));
			json_array_append_new(hours, h);
		}
	}
	json_object_set_new(j, "hours", hours);
	json_object_set_new(j, "avg_minutes", json_integer(o->avg_minutes));
	json_object_set_new(j, "status", json_string(lobby_status_name(v.status)));
	json_object_set_new(j, "queue", json_integer(v.queue_len));
	json_object_set_new(j, "wait", v.wait_s >= 0 ? json_integer(v.wait_s) :
	    json_null());
	json_object_set_new(j, "opens_at", view_time(v.opens_at));
	return j;
}

json_t *
view_offices(const struct lobby *lb, const struct lobby_time *t)
{
	json_t *a = json_array();

	for (int i = 0; i < lobby_office_count(lb); i++)
		json_array_append_new(a, view_office(lb, i, t));
	return a;
}

/* The citizen's view of its ticket. */
json_t *
view_ticket(const struct ticket *t)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer((json_int_t)t->id));
	json_object_set_new(j, "office", json_string(t->office));
	json_object_set_new(j, "state", json_string(lobby_state_name(t->state)));
	if (t->state == TICKET_WAITING) {
		json_object_set_new(j, "position", json_integer(t->position));
		json_object_set_new(j, "wait", t->wait_s >= 0 ?
		    json_integer(t->wait_s) : json_null());
	}
	json_object_set_new(j, "knocked_at", view_time(t->knocked_at));
	json_object_set_new(j, "message", proto_str_or_null(t->message));
	json_object_set_new(j, "transferred_from",
	    int_or_null((int64_t)t->transferred_from));
	json_object_set_new(j, "room", int_or_null((int64_t)t->room));
	json_object_set_new(j, "appointment", t->booking ?
	    view_time(t->appointment_at) : json_null());
	return j;
}

/* The clerk's view of a waiting ticket. */
json_t *
view_queue_ticket(const struct ticket *t)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer((json_int_t)t->id));
	json_object_set_new(j, "name", proto_str_or_null(t->name));
	json_object_set_new(j, "topic", proto_str_or_null(t->topic));
	json_object_set_new(j, "knocked_at", view_time(t->knocked_at));
	json_object_set_new(j, "lang", json_string(t->lang));
	json_object_set_new(j, "transferred_from",
	    int_or_null((int64_t)t->transferred_from));
	json_object_set_new(j, "message", proto_str_or_null(t->message));
	json_object_set_new(j, "priority", json_integer(t->priority));
	/* an appointment that arrived: its slot's start, else null */
	json_object_set_new(j, "appointment", t->booking ?
	    view_time(t->appointment_at) : json_null());
	return j;
}

json_t *
view_room(const struct lobby *lb, const struct room *r)
{
	const struct ticket *t = lobby_ticket(lb, r->ticket_id);
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer((json_int_t)r->id));
	json_object_set_new(j, "office", json_string(r->office));
	json_object_set_new(j, "ticket", json_integer((json_int_t)r->ticket_id));
	json_object_set_new(j, "opened_at", view_time(r->opened_at));
	json_object_set_new(j, "name", proto_str_or_null(t ? t->name : NULL));
	json_object_set_new(j, "topic", proto_str_or_null(t ? t->topic : NULL));
	return j;
}


json_t *
view_ice_servers(const struct config *cfg)
{
	json_t *a = json_array();

	for (int i = 0; i < cfg->media.nturn; i++) {
		const struct config_turn *t = &cfg->media.turn[i];
		json_t *o = json_object(), *urls = json_array();

		for (int k = 0; k < t->nurls; k++)
			json_array_append_new(urls, json_string(t->urls[k]));
		json_object_set_new(o, "urls", urls);
		if (t->username != NULL)
			json_object_set_new(o, "username",
			    json_string(t->username));
		if (t->credential != NULL)
			json_object_set_new(o, "credential",
			    json_string(t->credential));
		json_array_append_new(a, o);
	}
	return a;
}
