/*
 * net: see net.h. One lws context with the GLib event library (package
 * libwebsockets-evlib-glib) and one client connection at a time.
 */
#include "net.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "log.h"

#define NET_PROTOCOL "klopf.v1"
#define NET_RX_MAX (16u << 20)  /* a whole queue of 10,000 fits */

enum net_phase {
	NET_IDLE = 0,
	NET_RESOLVING,
	NET_CONNECTING,
	NET_OPEN,
	NET_CLOSING,
};

struct outmsg {
	size_t len;
	unsigned char buf[];    /* LWS_PRE bytes of headroom, then the text */
};

struct resolve_job {
	struct net *n;          /* NULL once the net is gone */
	char host[CONF_STR];
	char addr[INET6_ADDRSTRLEN];
	int rc;
};

struct net {
	struct lws_context *ctx;
	struct lws *wsi;
	struct con_url url;
	struct net_handlers h;
	void *ud;
	enum net_phase phase;
	GQueue sendq;           /* struct outmsg */
	char *rx;
	size_t rx_len;
	size_t rx_cap;
	bool rx_discard;
	bool rx_in_message;
	struct resolve_job *job;
	char why[160];
	char cert_error[100];   /* why the server's certificate was refused */
};

/* Ping after 20 s of silence, give up after 45 s without an answer. */
static const lws_retry_bo_t idle_policy = {
	.secs_since_valid_ping = 20,
	.secs_since_valid_hangup = 45,
};

static void
drop_sendq(struct net *n)
{
	struct outmsg *m;

	while ((m = g_queue_pop_head(&n->sendq)) != NULL) {
		explicit_bzero(m->buf, LWS_PRE + m->len);
		free(m);
	}
}

static void
drop_rx(struct net *n)
{
	free(n->rx);
	n->rx = NULL;
	n->rx_len = n->rx_cap = 0;
	n->rx_discard = n->rx_in_message = false;
}

/* Ends the current attempt and tells the owner, once. */
static void
finish(struct net *n, const char *why)
{
	if (n->phase == NET_IDLE)
		return;
	n->phase = NET_IDLE;
	n->wsi = NULL;
	drop_sendq(n);
	drop_rx(n);
	if (n->h.closed)
		n->h.closed(n->ud, why);
}

static void
receive(struct net *n, struct lws *wsi, const char *in, size_t len)
{
	bool last = lws_is_final_fragment(wsi) &&
	    lws_remaining_packet_payload(wsi) == 0;

	if (!n->rx_in_message) {
		n->rx_in_message = true;
		n->rx_len = 0;
		n->rx_discard = lws_frame_is_binary(wsi) != 0;
	}
	if (last)
		n->rx_in_message = false;
	if (!n->rx_discard && n->rx_len + len > NET_RX_MAX)
		n->rx_discard = true;
	if (!n->rx_discard && n->rx_cap < n->rx_len + len + 1) {
		size_t cap = n->rx_cap ? n->rx_cap : 4096;
		char *p;

		while (cap < n->rx_len + len + 1)
			cap *= 2;
		p = realloc(n->rx, cap);
		if (p == NULL) {
			n->rx_discard = true;
		} else {
			n->rx = p;
			n->rx_cap = cap;
		}
	}
	if (!n->rx_discard) {
		memcpy(n->rx + n->rx_len, in, len);
		n->rx_len += len;
	}
	if (!last)
		return;
	if (n->rx_discard) {
		log_warning("net: discarded a binary or oversized message");
		n->rx_discard = false;
		n->rx_len = 0;
		return;
	}
	n->rx[n->rx_len] = '\0';
	if (n->h.message)
		n->h.message(n->ud, n->rx, n->rx_len);
	n->rx_len = 0;
}

static int
writeable(struct net *n, struct lws *wsi)
{
	struct outmsg *m = g_queue_pop_head(&n->sendq);

	if (m != NULL) {
		int w = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);

		explicit_bzero(m->buf, LWS_PRE + m->len);
		free(m);
		if (w < 0) {
			snprintf(n->why, sizeof(n->why), "Senden fehlgeschlagen");
			return -1;
		}
	}
	if (!g_queue_is_empty(&n->sendq)) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (n->phase == NET_CLOSING) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
		    (unsigned char *)"bye", 3);
		return -1;
	}
	return 0;
}

/* A short reason for the status line from lws' error text. */
static void
connect_error(struct net *n, const char *in)
{
	if (n->cert_error[0] != '\0')
		snprintf(n->why, sizeof(n->why), "Zertifikat abgelehnt (%s)",
		    n->cert_error);
	else if (in != NULL && (strstr(in, "tls") || strstr(in, "TLS") ||
	    strstr(in, "ssl") || strstr(in, "SSL") || strstr(in, "cert")))
		snprintf(n->why, sizeof(n->why), "TLS-Fehler");
	else if (in != NULL && strstr(in, "HS:") != NULL)
		snprintf(n->why, sizeof(n->why), "kein klopfd unter dieser "
		    "Adresse");
	else
		snprintf(n->why, sizeof(n->why), "Server nicht erreichbar");
	log_info("net: connection failed: %s", in ? in : "?");
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct net *n = lws_context_user(lws_get_context(wsi));

	if (n == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		/* One attempt at a time: while connecting, any wsi is ours. */
		if (n->phase == NET_CONNECTING) {
			connect_error(n, in);
			finish(n, n->why);
		}
		return 0;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* user: the X509_STORE_CTX, len: OpenSSL's verdict. Only
		 * noted here; lws refuses the connection itself. */
		if (len == 0 && user != NULL)
			snprintf(n->cert_error, sizeof(n->cert_error), "%s",
			    X509_verify_cert_error_string(
			    X509_STORE_CTX_get_error(user)));
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (n->phase != NET_CONNECTING)
			return -1;
		n->wsi = wsi;
		n->phase = NET_OPEN;
		n->why[0] = '\0';
		if (n->h.opened)
			n->h.opened(n->ud);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (n->wsi == wsi && n->phase >= NET_OPEN)
			receive(n, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (n->wsi != wsi)
			return -1;
		return writeable(n, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (n->wsi == wsi)
			snprintf(n->why, sizeof(n->why),
			    "vom Server geschlossen");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (n->phase != NET_IDLE && (n->wsi == wsi || n->wsi == NULL))
			finish(n, n->why);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Covers attempts that die without one of the above. */
		if (n->phase >= NET_CONNECTING && (n->wsi == wsi ||
		    (n->wsi == NULL && n->phase == NET_CONNECTING)))
			finish(n, n->why[0] ? n->why : "Server nicht erreichbar");
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{NET_PROTOCOL, callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}
};

static void
lws_logger(int level, const char *line)
{
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	log_msg(level & LLL_ERR ? KLOG_ERROR : KLOG_DEBUG, "lws: %.*s",
	    (int)len, line);
}

struct net *
net_new(GMainLoop *loop, const struct con_url *url, const char *ca_file,
    const struct net_handlers *h, void *ud, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct net *n = calloc(1, sizeof(*n));
	void *foreign[1] = {loop};

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->url = *url;
	n->h = *h;
	n->ud = ud;
	g_queue_init(&n->sendq);
	lws_set_log_level(getenv("KLOPF_DEBUG_LOG") ? LLL_ERR | LLL_WARN |
	    LLL_NOTICE : 0, lws_logger);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_GLIB |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = foreign;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = n;
	if (ca_file != NULL && ca_file[0] != '\0')
		info.client_ssl_ca_filepath = ca_file;
	n->ctx = lws_create_context(&info);
	if (n->ctx == NULL) {
		snprintf(err, errlen, "cannot start libwebsockets (is the "
		    "package libwebsockets-evlib-glib installed?)");
		free(n);
		return NULL;
	}
	return n;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	if (n->job != NULL)
		n->job->n = NULL;       /* the thread's result is dropped */
	n->h.opened = NULL;
	n->h.message = NULL;
	n->h.closed = NULL;
	lws_context_destroy(n->ctx);
	drop_sendq(n);
	drop_rx(n);
	free(n);
}

static void
start_lws(struct net *n, const char *addr)
{
	struct lws_client_connect_info ci;
	struct lws *wsi;

	memset(&ci, 0, sizeof(ci));
	ci.context = n->ctx;
	ci.address = addr;
	ci.port = n->url.port;
	ci.path = n->url.path;
	ci.host = n->url.host;
	ci.protocol = NET_PROTOCOL;
	ci.local_protocol_name = NET_PROTOCOL;
	ci.ssl_connection = n->url.tls ? LCCSCF_USE_SSL : 0;
	ci.retry_and_idle_policy = &idle_policy;
	n->phase = NET_CONNECTING;
	n->why[0] = '\0';
	n->cert_error[0] = '\0';
	n->wsi = NULL;
	wsi = lws_client_connect_via_info(&ci);
	if (n->phase != NET_CONNECTING)
		return;         /* it failed inside the call */
	if (wsi == NULL) {
		finish(n, "Server nicht erreichbar");
		return;
	}
	if (n->wsi == NULL)
		n->wsi = wsi;
}

static gboolean
resolve_done(gpointer p)
{
	struct resolve_job *job = p;
	struct net *n = job->n;

	if (n != NULL) {
		n->job = NULL;
		if (n->phase == NET_RESOLVING) {
			if (job->rc == 0)
				start_lws(n, job->addr);
			else
				finish(n, "Servername unbekannt");
		}
	}
	free(job);
	return G_SOURCE_REMOVE;
}

static gpointer
resolve_thread(gpointer p)
{
	struct resolve_job *job = p;
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	job->rc = getaddrinfo(job->host, NULL, &hints, &res);
	if (job->rc == 0 && res != NULL) {
		const void *a = res->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)(void *)
		    res->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)(void *)
		    res->ai_addr)->sin_addr;

		if (inet_ntop(res->ai_family, a, job->addr,
		    sizeof(job->addr)) == NULL)
			job->rc = -1;
	} else if (job->rc == 0) {
		job->rc = -1;
	}
	if (res != NULL)
		freeaddrinfo(res);
	g_idle_add(resolve_done, job);
	return NULL;
}

static bool
is_address(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

void
net_connect(struct net *n)
{
	struct resolve_job *job;
	GThread *t;

	if (n->phase != NET_IDLE)
		return;
	if (is_address(n->url.host)) {
		start_lws(n, n->url.host);
		return;
	}
	/* klopfd listens on 127.0.0.1 in the development setup; a lookup
	 * of "localhost" may well give ::1 first. */
	if (strcasecmp(n->url.host, "localhost") == 0) {
		start_lws(n, "127.0.0.1");
		return;
	}
	/* lws 4.1 looks names up synchronously: do it in a thread. */
	job = calloc(1, sizeof(*job));
	if (job == NULL) {
		n->phase = NET_CONNECTING;
		finish(n, "kein Speicher");
		return;
	}
	job->n = n;
	snprintf(job->host, sizeof(job->host), "%s", n->url.host);
	n->job = job;
	n->phase = NET_RESOLVING;
	t = g_thread_try_new("klopf-resolve", resolve_thread, job, NULL);
	if (t == NULL) {
		n->job = NULL;
		free(job);
		finish(n, "kein Thread für die Namensauflösung");
		return;
	}
	g_thread_unref(t);
}

int
net_send(struct net *n, const char *buf, size_t len)
{
	struct outmsg *m;

	if (n->phase != NET_OPEN || n->wsi == NULL)
		return -1;
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (m == NULL)
		return -1;
	m->len = len;
	memcpy(m->buf + LWS_PRE, buf, len);
	g_queue_push_tail(&n->sendq, m);
	lws_callback_on_writable(n->wsi);
	return 0;
}

void
net_close(struct net *n)
{
	switch (n->phase) {
	case NET_IDLE:
		return;
	case NET_RESOLVING:
		if (n->job != NULL)
			n->job->n = NULL;
		n->job = NULL;
		finish(n, "geschlossen");
		return;
	case NET_CONNECTING:
		if (n->wsi != NULL)
			lws_set_timeout(n->wsi, PENDING_TIMEOUT_CLOSE_SEND,
			    LWS_TO_KILL_ASYNC);
		else
			finish(n, "geschlossen");
		return;
	case NET_OPEN:
		n->phase = NET_CLOSING;
		lws_callback_on_writable(n->wsi);
		return;
	case NET_CLOSING:
		return;
	}
}
