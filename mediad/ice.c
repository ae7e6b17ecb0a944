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
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ioloop.h"

/* Kernel buffers of the socket that carries the media, each way. The
 * default (~200 KB, ~90 full-size datagrams) covers 0.3 s of one
 * publisher's video: a loop held up longer than that by a busy machine
 * would drop at the socket although it catches up later. Capped by
 * net.core.rmem_max/wmem_max unless we hold CAP_NET_ADMIN. */
#define ICE_SOCKET_BUFFER (2 * 1024 * 1024)

struct ice {
	NiceAgent *agent;
	struct ioleg *leg;      /* with ice_options.loop, else NULL */
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

/* Once per connection: the selected pair's socket is the one media uses
 * (a host candidate: klopfd gathers nothing else). */
static void
tune_socket(struct ice *ice)
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
	}
	g_object_unref(sock);
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
	if (s == ice->state)
		return;
	ice->state = s;
	if (s == ICE_CONNECTED)
		tune_socket(ice);
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
	/* out of the epoll set before libnice closes the sockets */
	ioloop_leg_free(ice->leg);
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

	/* The kernel stamps datagrams once a socket asked (the first call
	 * here fails with ENOENT). libnice reads one datagram and hands it
	 * on before it reads the next, so "last" is the one in hand. */
	if (ice->udp_fd < 0 || ioctl(ice->udp_fd, SIOCGSTAMPNS, &ts) != 0)
		return -1;
	*real_us = (int64_t)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
	return 0;
}
