/*
 * web: klopfd's sockets. libwebsockets on the shared GLib main loop: one
 * vhost per listen address, static files from the webroot with security
 * headers, GET /api/offices, and the WebSocket endpoint /ws.
 *
 * Owns connections and their send queues; knows nothing of the protocol's
 * meaning: complete text messages go to the handlers, which answer with
 * web_send(). Must never block and never log message contents.
 */
#ifndef KLOPF_WEB_H
#define KLOPF_WEB_H

#include <glib.h>
#include <stddef.h>

#include "config.h"

#define WEB_SEND_QUEUE_MAX 4096 /* queued messages before a slow client is dropped */

struct web;
struct web_conn;

struct web_handlers {
	void (*open)(void *ud, struct web_conn *c);
	/* One complete text message; buf is borrowed for the call. */
	void (*message)(void *ud, struct web_conn *c, const char *buf,
	    size_t len);
	/* A message larger than max_message_bytes (or binary) was discarded. */
	void (*rejected)(void *ud, struct web_conn *c, const char *code);
	void (*close)(void *ud, struct web_conn *c);
	/* Body of GET /api/offices: malloc'd JSON, or NULL. */
	char *(*api_offices)(void *ud, size_t *len);
};

/* Creates the lws context on loop and starts listening on every
 * configured address. Returns NULL with a sentence in err. */
struct web *web_new(const struct config *cfg, GMainLoop *loop,
    const struct web_handlers *h, void *ud, char *err, size_t errlen);
void web_free(struct web *w);
/* The port the i-th listen address got (useful with port 0). */
int web_port(const struct web *w, int i);

/* Queues a copy of msg for c (msg stays the caller's). Returns 0, or -1
 * if the connection is closing or its queue is full (then it is closed). */
int web_send(struct web_conn *c, const char *msg, size_t len);
/* Sends what is queued, then closes with a WebSocket status code. */
void web_close(struct web_conn *c, int code, const char *reason);
/* The peer's numeric address ("127.0.0.1"). */
const char *web_conn_addr(const struct web_conn *c);
void web_conn_set_data(struct web_conn *c, void *data);
void *web_conn_data(const struct web_conn *c);

#endif
