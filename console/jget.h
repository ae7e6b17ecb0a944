/*
 * jget: reading one field of a JSON object from the server, where a
 * field of the wrong type counts as absent. Shared by state.c and
 * agenda.c; pure and header-only.
 */
#ifndef KLOPF_CONSOLE_JGET_H
#define KLOPF_CONSOLE_JGET_H

#include <jansson.h>
#include <stdint.h>

/* The string o[k], or NULL; borrowed from o. */
static inline const char *
jget_str(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The integer o[k], or def. */
static inline int64_t
jget_int(const json_t *o, const char *k, int64_t def)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

#endif
