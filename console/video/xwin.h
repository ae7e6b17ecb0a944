/*
 * xwin: the window's full screen on X11. The video sink makes and owns
 * the window; this finds it by its title (which names the office and the
 * consultation) and asks the window manager for a full screen the EWMH
 * way (_NET_WM_STATE_FULLSCREEN). Without a window manager that knows it
 * (a bare X server), the window is moved over the whole screen and back.
 * Opens its own X connection for each call; never blocks on the sink.
 */
#ifndef KLOPF_VIDEO_XWIN_H
#define KLOPF_VIDEO_XWIN_H

#include <stdbool.h>
#include <stddef.h>

struct xwin_saved {
	bool full;              /* this code made it full screen */
	bool by_wm;             /* ... through the window manager */
	int x, y;               /* without one: where it was */
	unsigned w, h;
};

/* Toggles the full screen of the top-level window whose title starts with
 * title. Returns 0, or -1 with a sentence in err (no display, no such
 * window). */
int xwin_toggle_fullscreen(const char *title, struct xwin_saved *saved,
    char *err, size_t errlen);

#endif
