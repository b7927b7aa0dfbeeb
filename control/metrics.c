/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: Prometheus metrics (metrics.h). Names follow Prometheus'
 * conventions: switchback_ prefix, base units (seconds, bytes, ratios),
 * _total for counters, one label set per series. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>
#include <rte_seqlock.h>

#include "metrics.h"
#include "addr.h"
#include "clock.h"
#include "probe.h"
#include "xdp.h"

struct sb_metrics {
	struct MHD_Daemon *d;
	uint16_t port;
	rte_seqlock_t lock;
	bool have;                /* a status was published */
	uint64_t scrapes;         /* HTTP thread writes, anyone reads */
	struct sb_status st;      /* under @lock */
};

/* HELP and TYPE once per family. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* enum sb_punt_reason's label values. */
static const char *
punt_reason_name(unsigned r)
{
	static const char *const n[SB_PUNT_MAX] = {
		[SB_PUNT_ARP] = "arp", [SB_PUNT_PROBE_REPLY] = "probe_reply",
		[SB_PUNT_TTL_EXCEEDED] = "ttl_exceeded", [SB_PUNT_DHCP] = "dhcp",
	};

	return r < SB_PUNT_MAX && n[r] != NULL ? n[r] : "other";
}

static double
secs(uint64_t ms)
{
	return (double)ms / 1000.0;
}

char *
sb_metrics_render(const struct sb_status *st, uint64_t now_ms, size_t *len)
{
	static const char *const states[] = { "up", "degraded", "down" };
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (f == NULL)
		return NULL;

	family(f, "switchback_start_time_seconds", "gauge",
	       "Start time of the daemon since the Unix epoch, in seconds.");
	fprintf(f, "switchback_start_time_seconds %.3f\n", (double)st->start_unix_ms / 1000.0);
	family(f, "switchback_status_age_seconds", "gauge",
	       "Age of the status these metrics were rendered from.");
	fprintf(f, "switchback_status_age_seconds %.3f\n",
		secs(now_ms > st->taken_ms ? now_ms - st->taken_ms : 0));
	family(f, "switchback_state_version", "gauge",
	       "Version of the forwarding state last published to the workers.");
	fprintf(f, "switchback_state_version %lu\n", (unsigned long)st->state_version);

/* One series per WAN, or per DHCP WAN (@only_dhcp; the family is left out
 * when there is none), of value @expr (of const struct sb_status_wan *w). */
#define WAN_FAMILY(only_dhcp, nm, type, help, fmt, expr)                             \
	do {                                                                           \
		bool any_ = !(only_dhcp);                                              \
		for (unsigned i = 0; i < st->n_wans; i++)                              \
			any_ |= st->wan[i].dhcp;                                       \
		if (any_)                                                              \
			family(f, nm, type, help);                                     \
		for (unsigned i = 0; i < st->n_wans; i++) {                            \
			const struct sb_status_wan *w = &st->wan[i];                   \
			if (!(only_dhcp) || w->dhcp)                                   \
				fprintf(f, "%s{wan=\"%s\"} " fmt "\n", nm, w->name, expr); \
		}                                                                      \
	} while (0)
	/* --- WANs --- */
	WAN_FAMILY(false, "switchback_wan_up", "gauge",
		   "1 when the WAN's state is up (not degraded or down).", "%d",
		   w->state == SB_WAN_UP);
	family(f, "switchback_wan_state", "gauge",
	       "The WAN's state: 1 for the one it is in (up, degraded or down), 0 for the others.");
	for (unsigned i = 0; i < st->n_wans; i++)
		for (unsigned s = 0; s < 3; s++)
			fprintf(f, "switchback_wan_state{wan=\"%s\",state=\"%s\"} %d\n", st->wan[i].name,
				states[s], st->wan[i].state == s);
	WAN_FAMILY(false, "switchback_wan_forced", "gauge",
		   "Operator override: 1 forced up, -1 forced down, 0 judged by its health.", "%d",
		   w->forced);
	WAN_FAMILY(false, "switchback_wan_in_service", "gauge",
		   "1 when routes and new sessions may use the WAN.", "%d", w->in_service);
	WAN_FAMILY(false, "switchback_wan_link_up", "gauge", "1 when the WAN port reports carrier.",
		   "%d", w->link_up);
	WAN_FAMILY(false, "switchback_wan_state_changes_total", "counter",
		   "Changes of the WAN's state or service since start.", "%lu",
		   (unsigned long)w->changes);
	WAN_FAMILY(false, "switchback_wan_state_seconds", "gauge",
		   "Seconds since the WAN's last state change (or since start).", "%.3f",
		   secs(now_ms > w->since_ms ? now_ms - w->since_ms : 0));
	WAN_FAMILY(false, "switchback_wan_last_change_timestamp_seconds", "gauge",
		   "Time of the WAN's last state change (or of start) since the Unix epoch.", "%.3f",
		   (double)w->since_unix_ms / 1000.0);
	WAN_FAMILY(false, "switchback_wan_sessions_created_total", "counter",
		   "Sessions created leaving through the WAN.", "%lu",
		   (unsigned long)w->sessions_created);

	WAN_FAMILY(false, "switchback_wan_sessions_active", "gauge",
		   "Sessions leaving through the WAN, as of the last sweep of the session table.",
		   "%lu", (unsigned long)w->sessions_active);
	family(f, "switchback_wan_address_info", "gauge",
	       "The WAN's address and gateway (labels; empty while it has none), from the file or "
	       "its DHCP lease; always 1.");
	for (unsigned i = 0; i < st->n_wans; i++) {
		char a[20] = "", g[20] = "";

		if (st->wan[i].addr != 0)
			snprintf(a, sizeof(a), "%u.%u.%u.%u/%u", st->wan[i].addr >> 24,
				 (st->wan[i].addr >> 16) & 0xff, (st->wan[i].addr >> 8) & 0xff,
				 st->wan[i].addr & 0xff, st->wan[i].prefix_len);
		if (st->wan[i].gateway != 0)
			sb_addr_str(st->wan[i].gateway, g, sizeof(g));
		fprintf(f, "switchback_wan_address_info{wan=\"%s\",address=\"%s\",gateway=\"%s\","
			"source=\"%s\"} 1\n", st->wan[i].name, a, g, st->wan[i].dhcp ? "dhcp" : "static");
	}
	/* --- DHCP WANs (address = dhcp) --- */
	WAN_FAMILY(true, "switchback_wan_dhcp_bound", "gauge",
		   "1 while the DHCP WAN holds a lease (else it is down: no lease, lease lost).", "%d",
		   (int)w->dhcp_bound);
	WAN_FAMILY(true, "switchback_wan_dhcp_lease_seconds", "gauge",
		   "Length of the lease held (0 without one, -1 infinite).", "%lld",
		   !w->dhcp_bound ? 0LL : w->lease_s == UINT32_MAX ? -1LL : (long long)w->lease_s);
	WAN_FAMILY(true, "switchback_wan_dhcp_lease_remaining_seconds", "gauge",
		   "Seconds left on the lease held (0 without one, -1 infinite).", "%.3f",
		   w->lease_remaining_ms == UINT64_MAX ? -1.0 : secs(w->lease_remaining_ms));
	WAN_FAMILY(true, "switchback_wan_dhcp_leases_lost_total", "counter",
		   "Leases lost: expired, NAKed, declined.", "%lu", (unsigned long)w->leases_lost);
	WAN_FAMILY(true, "switchback_wan_dhcp_address_changes_total", "counter",
		   "Leases bound on another address than the one held before.", "%lu",
		   (unsigned long)w->address_changes);
#undef WAN_FAMILY

	/* --- monitors of [wan] sections --- */
#define MON_FAMILY(nm, type, help, fmt, expr)                                        \
	do {                                                                           \
		family(f, nm, type, help);                                             \
		for (unsigned i = 0; i < st->n_wans; i++)                              \
			for (unsigned k = 0; k < st->wan[i].n_mons; k++) {             \
				const struct sb_status_mon *m = &st->wan[i].mon[k];    \
				char a[20];                                            \
				sb_addr_str(m->addr, a, sizeof(a));                            \
				fprintf(f, "%s{wan=\"%s\",monitor=\"%s\"} " fmt "\n",  \
					nm, st->wan[i].name, a, expr);                 \
			}                                                      \
	} while (0)
	MON_FAMILY("switchback_monitor_up", "gauge",
		   "1 while the monitor answers (fewer than down_after rounds unanswered).", "%d",
		   (int)m->up);
	MON_FAMILY("switchback_monitor_degraded", "gauge",
		   "1 while the monitor's loss or latency is above its WAN's thresholds.", "%d",
		   (int)m->degraded);
	MON_FAMILY("switchback_monitor_rtt_seconds", "gauge",
		   "Round-trip time of the monitor's probes (moving average).", "%.6f",
		   m->rtt_us / 1e6);
	MON_FAMILY("switchback_monitor_jitter_seconds", "gauge",
		   "Jitter of the monitor's round-trip time (RFC 3550 estimator).", "%.6f",
		   m->jitter_us / 1e6);
	MON_FAMILY("switchback_monitor_loss_ratio", "gauge",
		   "Share of the monitor's probes lost over its WAN's window (0 to 1).", "%.2f",
		   m->loss_pct / 100.0);
	MON_FAMILY("switchback_monitor_probes_sent_total", "counter",
		   "Probes sent to the monitor.", "%lu", (unsigned long)m->sent);
	MON_FAMILY("switchback_monitor_probes_answered_total", "counter",
		   "Probes the monitor answered in time.", "%lu", (unsigned long)m->answered);
#undef MON_FAMILY

	/* --- ports --- */
#define PORT_FAMILY(nm, help, field)                                                 \
	do {                                                                           \
		family(f, nm, "counter", help);                                        \
		for (unsigned p = 0; p < st->n_ports; p++)                             \
			fprintf(f, "%s{port=\"%s\",role=\"%s\"} %lu\n", nm,            \
				st->port[p].name, st->port[p].wan ? "wan" : "lan",     \
				(unsigned long)st->port[p].field);                     \
	} while (0)
	PORT_FAMILY("switchback_port_receive_packets_total", "Packets received on the port.",
		   rx_pkts);
	PORT_FAMILY("switchback_port_transmit_packets_total", "Packets sent on the port.", tx_pkts);
	PORT_FAMILY("switchback_port_receive_bytes_total", "Bytes received on the port.", rx_bytes);
	PORT_FAMILY("switchback_port_transmit_bytes_total", "Bytes sent on the port.", tx_bytes);
	PORT_FAMILY("switchback_port_receive_missed_total",
		   "Packets the port dropped because its receive queue was full.", rx_missed);
	PORT_FAMILY("switchback_port_receive_errors_total", "Erroneous packets received.",
		   rx_errors);
	PORT_FAMILY("switchback_port_transmit_errors_total", "Packets the port failed to send.",
		   tx_errors);
	PORT_FAMILY("switchback_port_receive_nombuf_total",
		   "Receive failures for want of a packet buffer.", rx_nombuf);
#undef PORT_FAMILY
	/* --- the XDP program on af_xdp: ports (docs/afxdp.md) --- */
	{
		bool any = false;

		for (unsigned p = 0; p < st->n_ports; p++)
			any |= st->port[p].xdp;
		if (any)
			family(f, "switchback_xdp_packets_total", "counter",
			       "Frames switchback's XDP program judged on the port, by verdict and reason.");
		for (unsigned p = 0; p < st->n_ports; p++)
			for (unsigned r = 0; any && st->port[p].xdp && r < SB_XDP_REASON_MAX; r++)
				fprintf(f, "switchback_xdp_packets_total{port=\"%s\",verdict=\"%s\","
					"reason=\"%s\"} %lu\n", st->port[p].name, sb_xdp_reason_verdict(r),
					sb_xdp_reason_name(r),
					(unsigned long)st->port[p].xdp_pkts[r]);
	}
	family(f, "switchback_port_link_up", "gauge", "1 when the port reports carrier.");
	for (unsigned p = 0; p < st->n_ports; p++)
		fprintf(f, "switchback_port_link_up{port=\"%s\",role=\"%s\"} %d\n", st->port[p].name,
			st->port[p].wan ? "wan" : "lan", st->port[p].link_up);

	/* --- port forwards and one-to-one NAT (docs/nat.md, "Inbound") --- */
#define FWD_FAMILY(nm, help, one, expr)                                                \
	do {                                                                           \
		family(f, nm, "counter", help);                                        \
		for (unsigned i = 0; i < st->n_fwd; i++)                               \
			if (st->fwd[i].one_to_one == (one))                            \
				fprintf(f, "%s{%s=\"%s\"} %lu\n", nm,                   \
					(one) ? "mapping" : "forward", st->fwd[i].name, \
					(unsigned long)(expr));                        \
	} while (0)
	FWD_FAMILY("switchback_forward_sessions_total",
		   "Sessions a port forward made for connections from a WAN.", false,
		   st->fwd[i].sessions);
	FWD_FAMILY("switchback_forward_refused_total",
		   "First packets a port forward refused (source not in its allow list).", false,
		   st->fwd[i].refused);
	FWD_FAMILY("switchback_forward_hairpin_total",
		   "Hairpin sessions from the LAN to a port forward.", false, st->fwd[i].hairpin);
	FWD_FAMILY("switchback_nat1to1_in_sessions_total",
		   "Sessions a one-to-one mapping made for connections from its WAN.", true,
		   st->fwd[i].sessions);
	FWD_FAMILY("switchback_nat1to1_out_sessions_total",
		   "Sessions a one-to-one mapping made for its internal host's connections out.",
		   true, st->fwd[i].out);
	FWD_FAMILY("switchback_nat1to1_hairpin_total",
		   "Hairpin sessions from the LAN to a one-to-one address.", true,
		   st->fwd[i].hairpin);
#undef FWD_FAMILY

	/* --- the worker --- */
	family(f, "switchback_drops_total", "counter", "Packets dropped, by reason.");
	for (unsigned r = 0; r < SB_DROP_MAX; r++)
		fprintf(f, "switchback_drops_total{reason=\"%s\"} %lu\n", sb_drop_name(r),
			(unsigned long)st->drop[r]);
#define COUNTER(name, help, v)                                                         \
	do {                                                                           \
		family(f, name, "counter", help);                                      \
		fprintf(f, "%s %lu\n", name, (unsigned long)(v));                      \
	} while (0)
	COUNTER("switchback_received_packets_total", "Packets the workers received.", st->rx);
	COUNTER("switchback_transmitted_packets_total", "Packets the workers sent.", st->tx);
	COUNTER("switchback_forwarded_packets_total", "Packets forwarded.", st->forwarded);
	COUNTER("switchback_local_replies_total", "Replies from the gateway's own addresses.",
		st->local_replies);
	COUNTER("switchback_punted_packets_total",
		"Packets handed to the control thread (ARP, probe replies, TTL exceeded).",
		st->punted);
	family(f, "switchback_punts_total", "counter",
	       "Packets handed to the control thread, by punt reason.");
	for (unsigned r = 1; r < SB_PUNT_MAX; r++)
		fprintf(f, "switchback_punts_total{reason=\"%s\"} %lu\n", punt_reason_name(r),
			(unsigned long)st->punted_reason[r]);
	family(f, "switchback_workers", "gauge", "Worker lcores forwarding.");
	fprintf(f, "switchback_workers %u\n", st->workers);
	family(f, "switchback_handoff_packets_total", "counter",
	       "Packets by where their owning worker was: owned by the worker that received "
	       "them (same), handed to their owner (out), taken from another worker (in).");
	fprintf(f, "switchback_handoff_packets_total{kind=\"same\"} %lu\n",
		(unsigned long)st->handoff_same);
	fprintf(f, "switchback_handoff_packets_total{kind=\"out\"} %lu\n",
		(unsigned long)st->handoff_out);
	fprintf(f, "switchback_handoff_packets_total{kind=\"in\"} %lu\n",
		(unsigned long)st->handoff_in);
	COUNTER("switchback_injected_packets_total",
		"Packets the control thread had the workers send (ARP, probes, ICMP errors).",
		st->injected);
	COUNTER("switchback_sessions_created_total", "Sessions created.", st->sessions_created);
	COUNTER("switchback_sessions_expired_total", "Sessions expired (idle timeout).",
		st->sessions_expired);
	COUNTER("switchback_sessions_flushed_total",
		"Sessions flushed because their WAN or path went away.", st->sessions_flushed);
	COUNTER("switchback_tcp_resets_sent_total",
		"TCP resets sent to LAN hosts for flushed sessions.", st->tcp_rst_sent);
	COUNTER("switchback_wan_changes_total", "WAN state changes, all WANs.", st->wan_changes);
	COUNTER("switchback_config_reloads_total", "Configuration reloads applied.", st->reloads);
	COUNTER("switchback_config_reloads_refused_total",
		"Configuration reloads refused (the running configuration stayed).",
		st->reloads_refused);
	COUNTER("switchback_neighbours_refused_total",
		"Neighbour entries refused: the table, or the port's half of it, full.",
		st->neighbours_refused);
#undef COUNTER
	family(f, "switchback_neighbours_deleted_total", "counter",
	       "Neighbour entries deleted by ageing: stale and unused, or unanswered.");
	fprintf(f, "switchback_neighbours_deleted_total{reason=\"stale\"} %lu\n",
		(unsigned long)st->neighbours_evicted);
	fprintf(f, "switchback_neighbours_deleted_total{reason=\"failed\"} %lu\n",
		(unsigned long)st->neighbours_failed);
	family(f, "switchback_neighbours", "gauge", "Entries in the neighbour (ARP) table.");
	fprintf(f, "switchback_neighbours %lu\n", (unsigned long)st->neighbours);
	family(f, "switchback_sessions_active", "gauge", "Sessions in the connection table.");
	fprintf(f, "switchback_sessions_active %lu\n", (unsigned long)st->sessions_active);
	family(f, "switchback_sessions_capacity", "gauge", "Size of the connection table.");
	fprintf(f, "switchback_sessions_capacity %lu\n", (unsigned long)st->sessions_capacity);

	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = sz;
	return buf;
}

/* The HTTP thread: copy the last status out of the seqlock, render it. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_size, void **req)
{
	struct sb_metrics *m = cls;
	struct MHD_Response *resp;
	const char *text;
	char *body = NULL;
	size_t len = 0;
	unsigned code;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		text = "only GET\n";
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") == 0) {
		struct sb_status *st = malloc(sizeof(*st));
		bool have = false;
		uint32_t sn;

		if (st == NULL)
			return MHD_NO;
		do {
			sn = rte_seqlock_read_begin(&m->lock);
			have = m->have;
			if (have)
				memcpy(st, &m->st, sizeof(*st));
		} while (rte_seqlock_read_retry(&m->lock, sn));
		if (have)
			body = sb_metrics_render(st, sb_now_ms(), &len);
		free(st);
		__atomic_fetch_add(&m->scrapes, 1, __ATOMIC_RELAXED);
		if (body == NULL) {
			text = have ? "out of memory\n" : "starting\n";
			code = have ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_SERVICE_UNAVAILABLE;
		} else {
			text = NULL;
			code = MHD_HTTP_OK;
		}
	} else if (strcmp(url, "/") == 0) {
		text = "switchback: metrics at /metrics\n";
		code = MHD_HTTP_OK;
	} else {
		text = "not found: metrics are at /metrics\n";
		code = MHD_HTTP_NOT_FOUND;
	}
	if (body != NULL)
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
						       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", body != NULL ?
				"text/plain; version=0.0.4; charset=utf-8" : "text/plain");
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

struct sb_metrics *
sb_metrics_start(uint32_t addr, uint16_t port)
{
	struct sb_metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;

	if (m == NULL)
		return NULL;
	rte_seqlock_init(&m->lock);
	errno = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(addr);
	/* One thread of its own polls and answers: a slow client can hold
	 * up other scrapes (bounded by the timeout), never the control loop. */
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				answer, m,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_END);
	if (m->d == NULL) {
		int e = errno != 0 ? errno : EADDRNOTAVAIL;

		free(m);
		errno = e;
		return NULL;
	}
	di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	m->port = di != NULL ? di->port : port;
	return m;
}

uint16_t
sb_metrics_port(const struct sb_metrics *m)
{
	return m->port;
}

uint64_t
sb_metrics_scrapes(const struct sb_metrics *m)
{
	return __atomic_load_n(&m->scrapes, __ATOMIC_RELAXED);
}

void
sb_metrics_publish(struct sb_metrics *m, const struct sb_status *st)
{
	rte_seqlock_write_lock(&m->lock);
	memcpy(&m->st, st, sizeof(*st));
	m->have = true;
	rte_seqlock_write_unlock(&m->lock);
}

void
sb_metrics_stop(struct sb_metrics *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
