/*
 * ice: see ice.h. libnice, compatibility RFC 5245, in lite mode for klopfd
 * (controlled) or as a full controlling agent for the load client and the
 * tests. libnice never gathers loopback addresses by itself, so every
 * advertised address is added explicitly; nothing else is gathered (no
 * STUN, no TURN, no UPnP).
 */
#include "ice.h"

#include <agent.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ioloop.h"

/* Kernel buffers of the socket that carries the media, each way. The
 * default (~200 KB, ~90 full-size datagrams) covers 0.3 s of one
 * publisher's video: a loop held up longer than that by a busy machine
 * would drop at the socket although it catches up later. Capped by
 * net.core.rmem_max/wmem_max unless we hold CAP_NET_ADMIN. */
#define ICE_SOCKET_BUFFER (2 * 1024 * 1024)

/* Once ICE is connected on UDP, an agent in an ioloop reads its
 * selected socket itself (see "fast" below and doc/media.md). */
struct fast {
	StunAgent stun;         /* answers the peer's checks */
	struct sockaddr_storage remote; /* where media goes and comes from */
	socklen_t remote_len;
	uint64_t tie;
	int64_t stamp_us;       /* arrival of the datagram in hand */
};

struct ice {
	NiceAgent *agent;
	struct ioloop *loop;
	struct ioleg *leg;      /* with ice_options.loop, else NULL */
	bool lite;
	struct fast *fast;      /* reading udp_fd itself, else NULL */
	int depth;              /* in on_fast */
	bool doomed;            /* freed from within on_fast */
	GSource *marked;        /* the socket source last made recursive */
	guint stream;
	GMainContext *ctx;
	ice_recv_fn recv;
	ice_state_fn state_cb;
	void *ud;
	enum ice_state state;
	int64_t last_rx_us;
	int udp_fd;             /* the selected UDP socket, -1 if none */
	char ufrag[ICE_UFRAG_MAX + 1];
	char pwd[ICE_PWD_MAX + 1];
	struct ice_candidate cands[ICE_MAX_CANDIDATES];
	int ncands;
};

static void
on_recv(NiceAgent *agent, guint stream, guint component, guint len,
    gchar *buf, gpointer ud)
{
	struct ice *ice = ud;

	(void)agent;
	(void)stream;
	(void)component;
	if (ice->doomed)
		return;
	/* GLib blocks a source that may not recurse around each dispatch:
	 * two eventfd writes per datagram. Nothing iterates a leg's context
	 * from within its dispatch (ioloop.c runs a leg only once at a
	 * time), so libnice's socket source may be marked, the first time
	 * it hands over a datagram. */
	if (ice->leg != NULL) {
		GSource *src = g_main_current_source();

		if (src != ice->marked && src != NULL) {
			g_source_set_can_recurse(src, TRUE);
			ice->marked = src;
		}
	}
	ice->last_rx_us = g_get_monotonic_time();
	ice->recv(ice->ud, (const uint8_t *)buf, len);
}

/* Raises one buffer of fd to ICE_SOCKET_BUFFER if it is smaller: within
 * the sysctl limit, else with the privileged option; failures leave the
 * default, which works, only with less slack. */
static void
raise_buffer(int fd, int opt, int opt_force)
{
	int have = 0, want = ICE_SOCKET_BUFFER;
	socklen_t len = sizeof(have);

	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 &&
	    have >= want)
		return;
	(void)setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
	len = sizeof(have);
	/* Linux reports twice what was set (bookkeeping overhead). */
	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 &&
	    have < want)
		(void)setsockopt(fd, SOL_SOCKET, opt_force, &want,
		    sizeof(want));
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr,
		    sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

/* The key of a check: USERNAME is "our ufrag:theirs", the key our
 * password (RFC 8445 7.2.2). */
static bool
check_key(StunAgent *agent, StunMessage *msg, uint8_t *user,
    uint16_t user_len, uint8_t **key, size_t *key_len, void *ud)
{
	struct ice *ice = ud;
	size_t n = strlen(ice->ufrag);

	(void)agent;
	(void)msg;
	if (user_len <= n || memcmp(user, ice->ufrag, n) != 0 ||
	    user[n] != ':')
		return false;
	*key = (uint8_t *)ice->pwd;
	*key_len = strlen(ice->pwd);
	return true;
}

/* STUN on the taken socket: the peer's checks (consent freshness every
 * few seconds, or a nomination from a new address) are answered as
 * libnice answers them; everything else is dropped. */
static void
fast_stun(struct ice *ice, const struct ioloop_dgram *d)
{
	struct fast *f = ice->fast;
	StunMessage req, rep;
	uint8_t out[512];
	size_t outlen = sizeof(out);
	bool control = !ice->lite;
	StunUsageIceReturn r;

	if (stun_agent_validate(&f->stun, &req, d->buf, d->len, check_key,
	    ice) != STUN_VALIDATION_SUCCESS ||
	    stun_message_get_class(&req) != STUN_REQUEST ||
	    stun_message_get_method(&req) != STUN_BINDING)
		return;
	r = stun_usage_ice_conncheck_create_reply(&f->stun, &req, &rep, out,
	    &outlen, &d->from, d->fromlen, &control, f->tie,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	if (outlen > 0)
		(void)ioloop_send(ice->loop, ice->udp_fd,
		    (const struct sockaddr *)&d->from, d->fromlen, out, outlen);
	if (r != STUN_USAGE_ICE_RETURN_SUCCESS)
		return;
	if (!same_addr(&d->from, &f->remote)) {
		if (!stun_usage_ice_conncheck_use_candidate(&req))
			return;
		/* nominated from another address of the peer (its NAT
		 * mapped it anew): media follows the nomination */
		memcpy(&f->remote, &d->from, d->fromlen);
		f->remote_len = d->fromlen;
	}
	ice->last_rx_us = g_get_monotonic_time();
}

static void destroy(struct ice *ice);

/* The taken socket is readable: one batch. Media only from the selected
 * remote address; STUN as above. */
static void
on_fast(void *ud)
{
	struct ice *ice = ud;
	struct ioloop_dgram *d;
	int n = ioloop_recv(ice->loop, ice->udp_fd, &d);
	int64_t now;

	if (n <= 0)
		return;
	now = g_get_monotonic_time();
	ice->depth++;
	for (int i = 0; i < n && !ice->doomed && ice->fast != NULL; i++) {
		if (d[i].truncated || d[i].len == 0)
			continue;
		if (d[i].buf[0] < 4) {          /* RFC 7983: STUN */
			fast_stun(ice, &d[i]);
			continue;
		}
		if (!same_addr(&d[i].from, &ice->fast->remote))
			continue;
		ice->last_rx_us = now;
		ice->fast->stamp_us = d[i].stamp_us;
		ice->recv(ice->ud, d[i].buf, d[i].len);
	}
	if (--ice->depth == 0 && ice->doomed)
		destroy(ice);
}

/* An agent in an ioloop reads its selected UDP socket itself from now
 * on (ioloop.h): libnice never sees that socket's datagrams again, so the
 * checks on it are answered here. */
static void
take_socket(struct ice *ice, int fd)
{
	NiceCandidate *local = NULL, *remote = NULL;
	struct fast *f = ice->fast;
	int on = 1;

	if (!nice_agent_get_selected_pair(ice->agent, ice->stream,
	    NICE_COMPONENT_TYPE_RTP, &local, &remote) || remote == NULL)
		return;
	if (f == NULL) {
		f = g_new0(struct fast, 1);
		stun_agent_init(&f->stun, STUN_ALL_KNOWN_ATTRIBUTES,
		    STUN_COMPATIBILITY_RFC5389,
		    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
		    STUN_AGENT_USAGE_USE_FINGERPRINT);
		if (RAND_bytes((unsigned char *)&f->tie, sizeof(f->tie)) != 1)
			f->tie = (uint64_t)g_get_real_time();
	}
	memset(&f->remote, 0, sizeof(f->remote));
	nice_address_copy_to_sockaddr(&remote->addr,
	    (struct sockaddr *)&f->remote);
	f->remote_len = f->remote.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	/* the kernel's arrival time comes with each datagram */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	ice->fast = f;
	ioloop_leg_take(ice->leg, fd, on_fast, ice);
}

static void
give_back(struct ice *ice)
{
	if (ice->fast == NULL)
		return;
	ioloop_leg_give_back(ice->leg);
	g_free(ice->fast);
	ice->fast = NULL;
}

/* On connection, and when the peer nominates another pair: the selected
 * pair's socket is the one media uses (a host candidate: klopfd gathers
 * nothing else). A full agent (the load client) takes it only once its
 * nomination is through (READY): the answer to the nominating check must
 * still reach libnice. */
static void
tune_socket(struct ice *ice, bool nominated)
{
	GSocket *sock = nice_agent_get_selected_socket(ice->agent,
	    ice->stream, NICE_COMPONENT_TYPE_RTP);
	int fd;

	if (sock == NULL)
		return;
	if ((fd = g_socket_get_fd(sock)) >= 0) {
		raise_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE);
		raise_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE);
		/* libnice keeps it open until the stream goes */
		ice->udp_fd = g_socket_get_protocol(sock) ==
		    G_SOCKET_PROTOCOL_UDP ? fd : -1;
		if (ice->udp_fd >= 0 && ice->leg != NULL &&
		    (ice->lite || nominated))
			take_socket(ice, fd);
		else if (ice->udp_fd < 0)
			give_back(ice);
	}
	g_object_unref(sock);
}

static void
on_selected(NiceAgent *agent, guint stream, guint component,
    NiceCandidate *local, NiceCandidate *remote, gpointer ud)
{
	struct ice *ice = ud;

	(void)agent;
	(void)component;
	(void)local;
	(void)remote;
	if (stream == ice->stream && ice->state == ICE_CONNECTED &&
	    !ice->doomed)
		tune_socket(ice, ice->lite);
}

static void
on_state(NiceAgent *agent, guint stream, guint component, guint nstate,
    gpointer ud)
{
	struct ice *ice = ud;
	enum ice_state s;

	(void)agent;
	(void)component;
	if (stream != ice->stream)
		return;
	switch (nstate) {
	case NICE_COMPONENT_STATE_CONNECTED:
	case NICE_COMPONENT_STATE_READY:
		s = ICE_CONNECTED;
		break;
	case NICE_COMPONENT_STATE_FAILED:
		s = ICE_FAILED;
		break;
	case NICE_COMPONENT_STATE_CONNECTING:
		s = ICE_CHECKING;
		break;
	default:
		return;
	}
	if (s == ice->state) {
		if (nstate == NICE_COMPONENT_STATE_READY)
			tune_socket(ice, true);
		return;
	}
	ice->state = s;
	if (s == ICE_CONNECTED)
		tune_socket(ice, nstate == NICE_COMPONENT_STATE_READY);
	if (ice->state_cb != NULL)
		ice->state_cb(ice->ud, s);
}

static void
copy_candidates(struct ice *ice)
{
	GSList *list = nice_agent_get_local_candidates(ice->agent, ice->stream,
	    NICE_COMPONENT_TYPE_RTP);

	ice->ncands = 0;
	for (GSList *l = list; l != NULL; l = l->next) {
		NiceCandidate *c = l->data;
		struct ice_candidate *o;

		if (ice->ncands == ICE_MAX_CANDIDATES)
			break;
		/* Active TCP candidates carry no listening port. */
		if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP &&
		    c->transport != NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE)
			continue;
		o = &ice->cands[ice->ncands++];
		memset(o, 0, sizeof(*o));
		g_strlcpy(o->foundation, c->foundation, sizeof(o->foundation));
		nice_address_to_string(&c->addr, o->addr);
		o->port = nice_address_get_port(&c->addr);
		o->tcp = c->transport == NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE;
		o->priority = c->priority;
		g_strlcpy(o->type, "host", sizeof(o->type));
	}
	g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
}

struct ice *
ice_new(GMainContext *ctx, const struct ice_options *o, ice_recv_fn recv,
    ice_state_fn state, void *ud, char *err, size_t errlen)
{
	struct ice *ice = g_new0(struct ice, 1);
	gchar *ufrag = NULL, *pwd = NULL;

	if (o->loop != NULL) {
		ice->leg = ioloop_leg_new(o->loop);
		ctx = ioloop_leg_context(ice->leg);
	}
	ice->ctx = ctx;
	ice->loop = o->loop;
	ice->lite = o->lite;
	ice->udp_fd = -1;
	ice->recv = recv;
	ice->state_cb = state;
	ice->ud = ud;
	ice->agent = nice_agent_new_full(ctx, NICE_COMPATIBILITY_RFC5245,
	    o->lite ? NICE_AGENT_OPTION_LITE_MODE : NICE_AGENT_OPTION_NONE);
	if (ice->agent == NULL) {
		snprintf(err, errlen, "libnice could not create an ICE agent");
		g_free(ice);
		return NULL;
	}
	g_object_set(ice->agent, "controlling-mode", !o->lite,
	    "ice-udp", TRUE, "ice-tcp", o->tcp, "upnp", FALSE, NULL);
	for (int i = 0; i < o->naddresses; i++) {
		NiceAddress a;

		nice_address_init(&a);
		if (!nice_address_set_from_string(&a, o->addresses[i]) ||
		    !nice_agent_add_local_address(ice->agent, &a)) {
			snprintf(err, errlen, "media address %s is not a numeric "
			    "address of this machine", o->addresses[i]);
			goto fail;
		}
	}
	ice->stream = nice_agent_add_stream(ice->agent, 1);
	if (ice->stream == 0) {
		snprintf(err, errlen, "libnice could not add a stream");
		goto fail;
	}
	if (o->port_min != 0)
		nice_agent_set_port_range(ice->agent, ice->stream,
		    NICE_COMPONENT_TYPE_RTP, o->port_min, o->port_max);
	g_signal_connect(ice->agent, "component-state-changed",
	    G_CALLBACK(on_state), ice);
	g_signal_connect(ice->agent, "new-selected-pair-full",
	    G_CALLBACK(on_selected), ice);
	nice_agent_attach_recv(ice->agent, ice->stream, NICE_COMPONENT_TYPE_RTP,
	    ctx, on_recv, ice);
	if (!nice_agent_gather_candidates(ice->agent, ice->stream)) {
		snprintf(err, errlen, "no free media port between %u and %u on "
		    "the configured addresses", o->port_min, o->port_max);
		goto fail;
	}
	if (!nice_agent_get_local_credentials(ice->agent, ice->stream, &ufrag,
	    &pwd)) {
		snprintf(err, errlen, "libnice gave no ICE credentials");
		goto fail;
	}
	g_strlcpy(ice->ufrag, ufrag, sizeof(ice->ufrag));
	g_strlcpy(ice->pwd, pwd, sizeof(ice->pwd));
	g_free(ufrag);
	g_free(pwd);
	copy_candidates(ice);
	if (ice->leg != NULL)
		ioloop_leg_refresh(ice->leg);   /* the sockets are there now */
	if (ice->ncands == 0) {
		snprintf(err, errlen, "no media candidate could be made (are the "
		    "configured media addresses on this machine?)");
		goto fail;
	}
	return ice;
fail:
	ice_free(ice);
	return NULL;
}

void
ice_free(struct ice *ice)
{
	if (ice == NULL)
		return;
	if (ice->depth > 0) {
		/* from within on_fast: it stops, and frees it at its end */
		ice->doomed = true;
		if (ice->agent != NULL)
			g_signal_handlers_disconnect_by_data(ice->agent, ice);
		return;
	}
	destroy(ice);
}

static void
destroy(struct ice *ice)
{
	/* out of the epoll set before libnice closes the sockets */
	ioloop_leg_free(ice->leg);
	g_free(ice->fast);
	if (ice->agent != NULL) {
		g_signal_handlers_disconnect_by_data(ice->agent, ice);
		if (ice->stream != 0) {
			nice_agent_attach_recv(ice->agent, ice->stream,
			    NICE_COMPONENT_TYPE_RTP, ice->ctx, NULL, NULL);
			nice_agent_remove_stream(ice->agent, ice->stream);
		}
		g_object_unref(ice->agent);
	}
	explicit_bzero(ice->pwd, sizeof(ice->pwd));
	g_free(ice);
}

const char *
ice_local_ufrag(const struct ice *ice)
{
	return ice->ufrag;
}

const char *
ice_local_pwd(const struct ice *ice)
{
	return ice->pwd;
}

int
ice_local_candidates(const struct ice *ice, struct ice_candidate *out, int max)
{
	int n = ice->ncands < max ? ice->ncands : max;

	memcpy(out, ice->cands, (size_t)n * sizeof(*out));
	return n;
}

int
ice_candidate_sdp(const struct ice_candidate *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "candidate:%s 1 %s %u %s %u typ %s%s",
	    c->foundation, c->tcp ? "tcp" : "udp", c->priority, c->addr,
	    c->port, c->type, c->tcp ? " tcptype passive" : "");

	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* After calls that may add sources (timers, sockets) to a leg's own
 * context: it is only looked at when something of it is due. */
static void
refresh(struct ice *ice)
{
	if (ice->leg != NULL)
		ioloop_leg_refresh(ice->leg);
}

int
ice_set_remote_credentials(struct ice *ice, const char *ufrag, const char *pwd)
{
	int rc = nice_agent_set_remote_credentials(ice->agent, ice->stream,
	    ufrag, pwd) ? 0 : -1;

	refresh(ice);
	return rc;
}

int
ice_add_remote_candidate(struct ice *ice, const char *line)
{
	NiceCandidate *c;
	GSList one = {0};
	char buf[512];
	int n;

	/* libnice parses only the whole attribute, "a=candidate:..." */
	if (strncmp(line, "a=", 2) != 0) {
		if (snprintf(buf, sizeof(buf), "a=%s", line) >= (int)sizeof(buf))
			return -1;
		line = buf;
	}
	c = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream, line);
	if (c == NULL)
		return -1;
	one.data = c;
	n = nice_agent_set_remote_candidates(ice->agent, ice->stream,
	    NICE_COMPONENT_TYPE_RTP, &one);
	nice_candidate_free(c);
	refresh(ice);
	return n < 0 ? -1 : 0;
}

int
ice_send(struct ice *ice, const uint8_t *buf, size_t len)
{
	if (ice->state != ICE_CONNECTED)
		return -1;
	if (ice->fast != NULL)
		return ioloop_send(ice->loop, ice->udp_fd,
		    (const struct sockaddr *)&ice->fast->remote,
		    ice->fast->remote_len, buf, len);
	return nice_agent_send(ice->agent, ice->stream, NICE_COMPONENT_TYPE_RTP,
	    (guint)len, (const gchar *)buf) == (gint)len ? 0 : -1;
}

enum ice_state
ice_get_state(const struct ice *ice)
{
	return ice->state;
}

int64_t
ice_last_receive_us(const struct ice *ice)
{
	return ice->last_rx_us;
}

int
ice_arrival_us(const struct ice *ice, int64_t *real_us)
{
	struct timespec ts;

	if (ice->fast != NULL) {
		*real_us = ice->fast->stamp_us;
		return *real_us > 0 ? 0 : -1;
	}
	/* The kernel stamps datagrams once a socket asked (the first call
	 * here fails with ENOENT). libnice reads one datagram and hands it
	 * on before it reads the next, so "last" is the one in hand. */
	if (ice->udp_fd < 0 || ioctl(ice->udp_fd, SIOCGSTAMPNS, &ts) != 0)
		return -1;
	*real_us = (int64_t)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
	return 0;
}
