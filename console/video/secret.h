/*
 * secret: what klopf-video needs to join a room and must not show on its
 * command line — the server, the room and the clerk's credential — read
 * once from an inherited descriptor (--secret-fd N) as one JSON object:
 *
 *   {"server":"https://klopf.example.de","room":7,"token":"<32 hex>",
 *    "office":"Elterngeldstelle","ca_file":"/etc/ssl/extra.pem",
 *    "opened_at":"2026-11-24T09:12:00+01:00"}
 *
 * server, room and the credential are required: exactly one of "token"
 * (a media token of klopfd for this room, single use, 60 s: what the
 * console hands over) or "session" (the clerk's session token, for
 * diagnostics). office (for the window title), ca_file and opened_at
 * (the room's, as klopfd gives it: the status line's elapsed time counts
 * from it) are optional. The descriptor is read to its end and closed;
 * the buffer that held the text is wiped. Owns no memory after the call.
 */
#ifndef KLOPF_VIDEO_SECRET_H
#define KLOPF_VIDEO_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define SECRET_MAX 8192         /* bytes on the descriptor, at most */
#define SECRET_SESSION 65       /* 32 hex and some room, NUL-terminated */

struct video_secret {
	char server[CONF_STR];
	uint64_t room;
	char session[SECRET_SESSION];   /* one of these two is set */
	char token[SECRET_SESSION];
	char office[CONF_STR];
	char ca_file[CONF_PATH];
	int64_t opened_at;      /* unix µs, 0 = not given */
};

/* Parses one JSON object from text (len bytes). Returns 0, or -1 with a
 * sentence in err that never quotes the credential. */
int secret_parse(const char *text, size_t len, struct video_secret *s,
    char *err, size_t errlen);
/* Reads fd to its end (at most SECRET_MAX bytes), closes it and parses. */
int secret_read_fd(int fd, struct video_secret *s, char *err,
    size_t errlen);
/* Wipes the credential (either). */
void secret_wipe(struct video_secret *s);

#endif
