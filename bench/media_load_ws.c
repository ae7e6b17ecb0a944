/*
 * media_load_ws: many WebSocket client connections to klopfd on one lws
 * context that runs on the GLib main loop (libwebsockets-evlib-glib), as
 * console/net.c does for a single one. Each connection carries its
 * struct ml_ws as lws' opaque user data. Messages are JSON objects, one
 * per text frame, reassembled from fragments.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_load.h"

#define ML_WS_PROTOCOL "klopf.v1"
#define ML_WS_RX_MAX (1u << 20)

struct outmsg {
	size_t len;
	unsigned char buf[];    /* LWS_PRE bytes of headroom, then the text */
};

struct ml_ws {
	struct lws *wsi;
	struct ml_ws_handlers h;
	void *ud;
	bool open;
	bool closing;           /* ml_ws_close() called: no more handlers */
	GQueue sendq;
	char *rx;
	size_t rx_len, rx_cap;
	bool rx_discard;
};

static struct lws_context *context;

static void
ws_free(struct ml_ws *w)
{
	struct outmsg *m;

	while ((m = g_queue_pop_head(&w->sendq)) != NULL)
		free(m);
	free(w->rx);
	free(w);
}

/* The connection is over: tell the owner once (unless it closed it),
 * then free. */
static void
ws_gone(struct ml_ws *w, struct lws *wsi, const char *why)
{
	if (wsi != NULL)
		lws_set_opaque_user_data(wsi, NULL);
	if (!w->closing && w->h.closed != NULL)
		w->h.closed(w->ud, why);
	ws_free(w);
}

static void
ws_receive(struct ml_ws *w, struct lws *wsi, const char *in, size_t len)
{
	bool last = lws_is_final_fragment(wsi) &&
	    lws_remaining_packet_payload(wsi) == 0;
	json_t *msg;
	json_error_t jerr;

	if (!w->rx_discard && w->rx_len + len + 1 > w->rx_cap) {
		size_t cap = w->rx_cap ? w->rx_cap : 8192;
		char *p;

		while (cap < w->rx_len + len + 1)
			cap *= 2;
		if (cap > ML_WS_RX_MAX || (p = realloc(w->rx, cap)) == NULL) {
			w->rx_discard = true;
		} else {
			w->rx = p;
			w->rx_cap = cap;
		}
	}
	if (!w->rx_discard) {
		memcpy(w->rx + w->rx_len, in, len);
		w->rx_len += len;
	}
	if (!last)
		return;
	if (w->rx_discard) {
		fprintf(stderr, "media_load: discarded an oversized message\n");
	} else {
		w->rx[w->rx_len] = '\0';
		msg = json_loadb(w->rx, w->rx_len, 0, &jerr);
		if (msg == NULL)
			fprintf(stderr, "media_load: bad JSON from klopfd: %s\n",
			    jerr.text);
		else if (!w->closing && w->h.message != NULL)
			w->h.message(w->ud, msg);
		json_decref(msg);
	}
	w->rx_len = 0;
	w->rx_discard = false;
}

static int
ws_writeable(struct ml_ws *w, struct lws *wsi)
{
	struct outmsg *m = g_queue_pop_head(&w->sendq);

	if (w->closing) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
		    (unsigned char *)"bye", 3);
		return -1;
	}
	if (m != NULL) {
		int n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);

		free(m);
		if (n < 0)
			return -1;
	}
	if (!g_queue_is_empty(&w->sendq))
		lws_callback_on_writable(wsi);
	return 0;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ml_ws *w = lws_get_opaque_user_data(wsi);

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (w != NULL)
			ws_gone(w, wsi, in != NULL ? (const char *)in :
			    "connection failed");
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (w == NULL)
			return -1;
		w->wsi = wsi;
		w->open = true;
		if (w->closing) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		if (w->h.opened != NULL)
			w->h.opened(w->ud);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (w != NULL)
			ws_receive(w, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (w == NULL)
			return -1;
		return ws_writeable(w, wsi);
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (w != NULL)
			ws_gone(w, wsi, "closed by klopfd");
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		if (w != NULL)
			ws_gone(w, wsi, "connection destroyed");
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ ML_WS_PROTOCOL, callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
ml_ws_init(GMainLoop *loop)
{
	struct lws_context_creation_info info;
	void *foreign[1] = { loop };

	lws_set_log_level(getenv("KLOPF_DEBUG_LOG") ? LLL_ERR | LLL_WARN : 0,
	    NULL);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_GLIB;
	info.foreign_loops = foreign;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	/* klopfd may be busy hashing passwords for many logins at once */
	info.timeout_secs = 120;
	info.connect_timeout_secs = 60;
	context = lws_create_context(&info);
	if (context == NULL) {
		fprintf(stderr, "media_load: cannot start libwebsockets (is the "
		    "package libwebsockets-evlib-glib installed?)\n");
		return -1;
	}
	return 0;
}

void
ml_ws_fini(void)
{
	if (context != NULL)
		lws_context_destroy(context);
	context = NULL;
}

struct ml_ws *
ml_ws_connect(const char *addr, int port, const struct ml_ws_handlers *h,
    void *ud)
{
	struct lws_client_connect_info ci;
	struct ml_ws *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->h = *h;
	w->ud = ud;
	g_queue_init(&w->sendq);
	memset(&ci, 0, sizeof(ci));
	ci.context = context;
	ci.address = addr;
	ci.port = port;
	ci.path = "/ws";
	ci.host = addr;
	ci.origin = addr;
	ci.protocol = ML_WS_PROTOCOL;
	ci.local_protocol_name = ML_WS_PROTOCOL;
	ci.opaque_user_data = w;
	/* a failure inside the call already ran ws_gone() and freed w */
	if (lws_client_connect_via_info(&ci) == NULL)
		return NULL;
	return w;
}

int
ml_ws_send(struct ml_ws *w, json_t *msg)
{
	char *text;
	size_t len;
	struct outmsg *m;

	if (w == NULL || !w->open || w->closing)
		return -1;
	text = json_dumps(msg, JSON_COMPACT);
	if (text == NULL)
		return -1;
	len = strlen(text);
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (m == NULL) {
		free(text);
		return -1;
	}
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	free(text);
	g_queue_push_tail(&w->sendq, m);
	lws_callback_on_writable(w->wsi);
	return 0;
}

void
ml_ws_close(struct ml_ws *w)
{
	if (w == NULL)
		return;
	w->closing = true;
	if (w->wsi != NULL)
		lws_callback_on_writable(w->wsi);
}
