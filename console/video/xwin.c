/*
 * xwin: see xwin.h.
 */
#include "xwin.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdio.h>
#include <string.h>

/* Whether w's title (WM_NAME, any encoding, as UTF-8) starts with title. */
static bool
title_matches(Display *d, Window w, const char *title)
{
	XTextProperty tp;
	char **list = NULL;
	int n = 0;
	bool yes = false;

	if (XGetWMName(d, w, &tp) == 0 || tp.value == NULL)
		return false;
	if (Xutf8TextPropertyToTextList(d, &tp, &list, &n) >= Success &&
	    n > 0 && list != NULL && list[0] != NULL)
		yes = strncmp(list[0], title, strlen(title)) == 0;
	if (list != NULL)
		XFreeStringList(list);
	XFree(tp.value);
	return yes;
}

/* Depth-first search below w; 0 if none. */
static Window
find(Display *d, Window w, const char *title, int depth)
{
	Window root, parent, *kids = NULL, hit = 0;
	unsigned i, n = 0;

	if (title_matches(d, w, title))
		return w;
	if (depth > 4 || XQueryTree(d, w, &root, &parent, &kids, &n) == 0)
		return 0;
	for (i = 0; i < n && hit == 0; i++)
		hit = find(d, kids[i], title, depth + 1);
	if (kids != NULL)
		XFree(kids);
	return hit;
}

/* Whether a window manager runs that supports _NET_WM_STATE_FULLSCREEN. */
static bool
wm_does_fullscreen(Display *d, Window root, Atom fs)
{
	Atom type, *atoms = NULL;
	int format;
	unsigned long n = 0, after, i;
	Window *check = NULL;
	bool yes = false;

	if (XGetWindowProperty(d, root, XInternAtom(d,
	    "_NET_SUPPORTING_WM_CHECK", False), 0, 1, False, XA_WINDOW, &type,
	    &format, &n, &after, (unsigned char **)&check) != Success ||
	    check == NULL || n == 0) {
		if (check != NULL)
			XFree(check);
		return false;
	}
	XFree(check);
	if (XGetWindowProperty(d, root, XInternAtom(d, "_NET_SUPPORTED",
	    False), 0, 1024, False, XA_ATOM, &type, &format, &n, &after,
	    (unsigned char **)&atoms) != Success || atoms == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (atoms[i] == fs)
			yes = true;
	XFree(atoms);
	return yes;
}

int
xwin_toggle_fullscreen(const char *title, struct xwin_saved *saved,
    char *err, size_t errlen)
{
	Display *d = XOpenDisplay(NULL);
	Window root, w, child;
	XWindowAttributes wa, ra;
	Atom state, fs;
	XEvent ev;

	if (d == NULL) {
		snprintf(err, errlen, "no X display to make the window full "
		    "screen on");
		return -1;
	}
	root = DefaultRootWindow(d);
	w = find(d, root, title, 0);
	if (w == 0) {
		snprintf(err, errlen, "the window \"%s\" is not on the X "
		    "display", title);
		XCloseDisplay(d);
		return -1;
	}
	state = XInternAtom(d, "_NET_WM_STATE", False);
	fs = XInternAtom(d, "_NET_WM_STATE_FULLSCREEN", False);
	if ((!saved->full && wm_does_fullscreen(d, root, fs)) ||
	    (saved->full && saved->by_wm)) {
		/* EWMH: 0 remove, 1 add; the window manager does the rest */
		memset(&ev, 0, sizeof(ev));
		ev.xclient.type = ClientMessage;
		ev.xclient.window = w;
		ev.xclient.message_type = state;
		ev.xclient.format = 32;
		ev.xclient.data.l[0] = saved->full ? 0 : 1;
		ev.xclient.data.l[1] = (long)fs;
		ev.xclient.data.l[3] = 1;       /* a normal application */
		XSendEvent(d, root, False, SubstructureRedirectMask |
		    SubstructureNotifyMask, &ev);
		saved->by_wm = !saved->full;
	} else if (!saved->full) {
		XGetWindowAttributes(d, w, &wa);
		XGetWindowAttributes(d, root, &ra);
		XTranslateCoordinates(d, w, root, 0, 0, &saved->x, &saved->y,
		    &child);
		saved->w = (unsigned)wa.width;
		saved->h = (unsigned)wa.height;
		XMoveResizeWindow(d, w, 0, 0, (unsigned)ra.width,
		    (unsigned)ra.height);
		XRaiseWindow(d, w);
		saved->by_wm = false;
	} else {
		XMoveResizeWindow(d, w, saved->x, saved->y, saved->w,
		    saved->h);
	}
	saved->full = !saved->full;
	XSync(d, False);
	XCloseDisplay(d);
	return 0;
}
