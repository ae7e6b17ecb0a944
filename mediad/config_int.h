/*
 * config_int: what the parts of the config module share (config.c, which
 * reads the file and the general settings, and config_media.c, which
 * reads the "media" group): the loader state and the typed-value and
 * reporting helpers. Private to the config module; nothing else in klopfd
 * includes it (or libconfig.h).
 */
#ifndef KLOPF_CONFIG_INT_H
#define KLOPF_CONFIG_INT_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

#define CONFIG_MSG_MAX 1024
#define CONFIG_BITRATE_MIN 64           /* kbit/s, media and per office */
#define CONFIG_BITRATE_MAX 20000

/* State of one config_load: where mistakes go and the lines that the
 * cross-setting checks need. */
struct loader {
	const char *file;
	FILE *err;
	int nerr;
	struct config *c;
	int listen_line;
	int tls_cert_line;
	int tls_key_line;
	int id_line[CONFIG_MAX_OFFICES]; /* line of each office's id */
};

/* Reports a mistake at setting s (NULL: no line) as "FILE:LINE: msg" and
 * counts it in ld->nerr. */
void cfg_problem(struct loader *ld, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Name of a setting for messages; list elements borrow their parent's. */
const char *cfg_setting_name(const config_setting_t *s);

/* Replaces *dst with a copy of v; -1 after reporting out of memory. */
int cfg_set_string(struct loader *ld, char **dst, const char *v);

/* Returns the non-empty string value of s, or NULL after a report. */
const char *cfg_want_string(struct loader *ld, const config_setting_t *s);

/* Integer in min..max into *out; -1 after a report. */
int cfg_want_int(struct loader *ld, const config_setting_t *s,
    long long min, long long max, int *out);

/* Boolean into *out; -1 after a report. */
int cfg_want_bool(struct loader *ld, const config_setting_t *s, bool *out);

/* Checks that s is a list or array of strings; example shows the form. */
int cfg_want_string_list(struct loader *ld, const config_setting_t *s,
    const char *example);

/* Parses "ADDR:PORT" or "[V6ADDR]:PORT" with a numeric address into l;
 * -1 with a human message in msg. */
int cfg_parse_listen(const char *spec, struct config_listen *l, char *msg,
    size_t msglen);

/* config_media.c: the "media" group. */
int cfg_media_defaults(struct config_media *m);
void cfg_load_media(struct loader *ld, const config_setting_t *s,
    size_t off);
void cfg_media_free(struct config_media *m);

/* config_appt.c: an office's "appointments" group and the top-level
 * "closed_dates"; cfg_appt_check runs after the whole office is read. */
void cfg_load_appointments(struct loader *ld, const config_setting_t *s,
    struct config_office *o);
void cfg_appt_check(struct loader *ld, const config_setting_t *s,
    struct config_office *o);
void cfg_load_closed_dates(struct loader *ld, const config_setting_t *s,
    size_t off);
/* "2026-12-24" -> 20261224, or -1 if it is not a real date. */
int cfg_parse_date(const char *s);

/* Writes a plain-language message into msg (msglen may be 0). */
void cfg_say(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
