/*
 * media_metrics: the media's figures in Prometheus text for /metrics
 * (media.h): counters of the packet path, the delay histograms, and the
 * per-connection series, written only when scraped.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "ioloop.h"
#include "media_int.h"

static void
counter(GString *o, const char *name, const char *help, uint64_t v)
{
	metrics_help_type(o, name, "counter", help);
	metrics_value_u64(o, name, NULL, v);
}

/* Per connection: room, participant and leg as labels. The list is as
 * long as the participants, written only when scraped. */
static void
peer_series(struct media *m, GString *o)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
		{ "klopf_media_peer_rx_packets_total", "Datagrams received.",
		    offsetof(struct peer_stats, rx_packets) },
		{ "klopf_media_peer_rx_bytes_total", "Bytes received.",
		    offsetof(struct peer_stats, rx_bytes) },
		{ "klopf_media_peer_tx_packets_total", "SRTP/SRTCP sent.",
		    offsetof(struct peer_stats, tx_packets) },
		{ "klopf_media_peer_tx_bytes_total", "Bytes sent.",
		    offsetof(struct peer_stats, tx_bytes) },
		{ "klopf_media_peer_dropped_total", "Datagrams dropped (not "
		    "demultiplexable, before the keys, failed authentication or "
		    "replay, refused DTLS).", SIZE_MAX },
	};
	GHashTableIter it;
	gpointer v;

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		metrics_help_type(o, f[k].name, "counter", f[k].help);
		g_hash_table_iter_init(&it, m->rooms);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct mroom *mr = v;

			for (int i = 0; i < ROOM_MAX_MEMBERS; i++)
				for (int leg = 0; leg < 2; leg++) {
					struct mleg *l = leg ? mr->sub[i] :
					    mr->pub[i];
					struct peer_stats ps;
					char labels[96];
					uint64_t val;

					if (l == NULL)
						continue;
					peer_stats(l->peer, &ps);
					val = f[k].off != SIZE_MAX ?
					    *(const uint64_t *)(const
					    void *)((const char *)&ps + f[k].off) :
					    ps.dropped_other + ps.dropped_not_ready +
					    ps.dropped_srtp_auth +
					    ps.dropped_srtp_replay +
					    ps.dropped_srtp_other + ps.dropped_dtls;
					snprintf(labels, sizeof(labels),
					    "room=\"%" PRIu64 "\",pid=\"p%u\","
					    "leg=\"%s\"", mr->id,
					    mr->r.members[i].pid, leg ?
					    "subscribe" : "publish");
					metrics_value_u64(o, f[k].name, labels,
					    val);
				}
		}
	}
}

void
media_metrics(void *ud, GString *o)
{
	struct media *m = ud;
	GHashTableIter it;
	gpointer v;
	uint64_t members = 0;

	g_hash_table_iter_init(&it, m->rooms);
	while (g_hash_table_iter_next(&it, NULL, &v))
		members += room_member_count(&((struct mroom *)v)->r);
	metrics_help_type(o, "klopf_media_rooms", "gauge",
	    "Consultation rooms with media.");
	metrics_value_u64(o, "klopf_media_rooms", NULL,
	    g_hash_table_size(m->rooms));
	metrics_help_type(o, "klopf_media_participants", "gauge",
	    "Participants with media.");
	metrics_value_u64(o, "klopf_media_participants", NULL, members);
	counter(o, "klopf_media_rtp_received_total",
	    "RTP packets received from publishers.", m->rtp_in);
	counter(o, "klopf_media_rtp_forwarded_total",
	    "RTP packets sent to subscribers.", m->rtp_fwd);
	counter(o, "klopf_media_rtp_dropped_total",
	    "RTP packets dropped (unknown SSRC, malformed, not a publisher).",
	    m->rtp_dropped);
	counter(o, "klopf_media_rtcp_received_total",
	    "RTCP compounds received.", m->rtcp_in);
	counter(o, "klopf_media_rtcp_forwarded_total",
	    "Sender reports passed on to subscribers.", m->rtcp_fwd);
	counter(o, "klopf_media_pli_total",
	    "Keyframe requests sent to publishers.", m->pli_fwd);
	counter(o, "klopf_media_pli_limited_total",
	    "Keyframe requests held back by the rate limit.", m->pli_limited);
	counter(o, "klopf_media_nack_total",
	    "NACKs passed on to publishers.", m->nack_fwd);
	counter(o, "klopf_media_remb_total", "REMB messages sent.",
	    m->remb_sent);
	counter(o, "klopf_media_receiver_reports_total",
	    "Receiver reports sent to publishers.", m->rr_sent);
	counter(o, "klopf_media_removed_idle_total",
	    "Participants removed after 10 s of silence.", m->removed_idle);
	counter(o, "klopf_media_removed_failed_total",
	    "Participants removed after their connection failed.",
	    m->removed_failed);
	counter(o, "klopf_media_connections_total",
	    "Media connections (PeerConnections) made.", m->legs_made);
	counter(o, "klopf_media_send_refused_total",
	    "Datagrams the kernel refused to send (socket buffer full).",
	    m->loop != NULL ? ioloop_send_errors(m->loop) : 0);
	peer_series(m, o);
	metrics_help_type(o, "klopf_media_forward_delay_seconds", "histogram",
	    "Time from receiving an RTP packet to sending it on.");
	metrics_histogram_write(o, "klopf_media_forward_delay_seconds", NULL,
	    &m->delay);
	metrics_help_type(o, "klopf_media_arrival_delay_seconds", "histogram",
	    "Time from an RTP packet's arrival at klopfd's socket to sending "
	    "it on, the wait in the socket's queue included (one packet in "
	    "64).");
	metrics_histogram_write(o, "klopf_media_arrival_delay_seconds", NULL,
	    &m->arrival);
}
