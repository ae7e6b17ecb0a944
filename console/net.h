/*
 * net: the console's one WebSocket to klopfd, a libwebsockets client on
 * the GLib main loop (the same lws build and event library klopfd uses).
 * ws:// or wss:// (system CAs, or an extra CA file), the subprotocol
 * "klopf.v1", a ping when the line has been quiet for a while so that a
 * server that vanished without a word is noticed.
 *
 * Never blocks: host names are looked up in a thread, everything else
 * happens in lws callbacks. Knows nothing of the protocol: it hands up
 * whole text messages and sends what it is given. Buffers it sent are
 * wiped (a login carries a password).
 */
#ifndef KLOPF_CONSOLE_NET_H
#define KLOPF_CONSOLE_NET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

struct net;

struct net_handlers {
	/* The WebSocket is open. */
	void (*opened)(void *ud);
	/* One whole text message (NUL-terminated too). */
	void (*message)(void *ud, const char *buf, size_t len);
	/* The attempt failed or the connection ended; why is a short German
	 * phrase for the status line. Exactly once per net_connect. */
	void (*closed)(void *ud, const char *why);
};

/* Returns NULL with a sentence in err if lws cannot start. */
struct net *net_new(GMainLoop *loop, const struct con_url *url,
    const char *ca_file, const struct net_handlers *h, void *ud,
    char *err, size_t errlen);
void net_free(struct net *n);
/* Starts one connection attempt (nothing if one is under way). */
void net_connect(struct net *n);
/* Queues a text message (copied). Returns -1 if not open. */
int net_send(struct net *n, const char *buf, size_t len);
/* Closes the connection; "closed" follows. */
void net_close(struct net *n);

#endif
