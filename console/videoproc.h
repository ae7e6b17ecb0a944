/*
 * videoproc: runs the clerk's video window, klopf-video, for the console
 * (the shell's part; the state only says when, see state_video.c).
 *
 * A window is started with the secret on a pipe that becomes its
 * descriptor 3 (--secret-fd 3): the secret is written into the pipe and
 * the pipe closed before the program runs, so nothing ever waits on it,
 * and it is never on the command line or in the environment. The child
 * gets only descriptors 0-3 (standard input and output /dev/null,
 * standard error the console's, which is its log file or /dev/null, never
 * the terminal), its own process group (Ctrl-C in the terminal is the
 * console's) and default signal handling.
 *
 * Ending a window is SIGTERM, then SIGKILL after VIDEOPROC_KILL_MS; every
 * child is reaped with g_child_watch and its end reported. Never blocks.
 */
#ifndef KLOPF_CONSOLE_VIDEOPROC_H
#define KLOPF_CONSOLE_VIDEOPROC_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VIDEOPROC_KILL_MS 3000
#define VIDEOPROC_MAX_ARGS 40

/* A window of room ended: its exit code, or the signal that ended it
 * (0 if none). */
typedef void (*videoproc_exit_fn)(void *ud, int64_t room, int code,
    int sig);

struct videoproc;

/*
 * program: a path, or a name looked up in PATH; "" or NULL: the
 * klopf-video next to this program, else "klopf-video" in PATH. args
 * (nargs of them, copied) go before --secret-fd 3.
 */
struct videoproc *videoproc_new(const char *program, const char *const *args,
    int nargs, videoproc_exit_fn on_exit, void *ud);
/* Ends every window still running (SIGTERM, not waited for) and frees. */
void videoproc_free(struct videoproc *vp);
/* Starts a window for room with secret (len bytes) on descriptor 3.
 * Returns 0, or -1 with a German sentence in err. */
int videoproc_start(struct videoproc *vp, int64_t room, const char *secret,
    size_t len, char *err, size_t errlen);
/* Ends the newest window (SIGTERM, SIGKILL if it lingers). */
void videoproc_stop(struct videoproc *vp);
/* The newest window's process while it runs, else 0. */
pid_t videoproc_pid(const struct videoproc *vp);
/* The program that is started (borrowed). */
const char *videoproc_program(const struct videoproc *vp);

#endif
