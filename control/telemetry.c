/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: counters and routes over DPDK's telemetry socket
 * (/var/run/dpdk/<prefix>/dpdk_telemetry.v2): /switchback/stats,
 * /switchback/routes, /switchback/wans. */
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>
#include <rte_cycles.h>

#include "conntrack.h"

#include "ctl.h"
#include "sb_counters.h"
#include "xdp.h"

/* The 22.11 telemetry API passes no user pointer to callbacks: this is the
 * one pointer they read, set once before the socket can call them. */
static struct sb_ctl *tel_ctl;

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	const struct sb_counters *k = sb_worker_counters(tel_ctl->w);

	rte_tel_data_start_dict(d);
#define U64(n, v) rte_tel_data_add_dict_u64(d, n, v)
	U64("rx", k->rx);
	U64("tx", k->tx);
	U64("forwarded", k->forwarded);
	U64("local_replies", k->local_replies);
	U64("punted", k->punted);
	U64("injected", k->injected);
	U64("sessions_active", k->ct_active);
	U64("sessions_created", k->ct_created);
	U64("sessions_expired", k->ct_expired);
	U64("sessions_flushed", k->ct_flushed);
	U64("sessions_path_rerouted", k->ct_path_rerouted);
	U64("sessions_path_moved", k->ct_path_moved);
	U64("nat_out", k->nat_out);
	U64("nat_in", k->nat_in);
	U64("icmp_errors_translated", k->icmp_errors);
	U64("tcp_rst_sent", k->tcp_rst_sent);
	U64("frag_tracked", k->frag_tracked);
	U64("frag_forwarded", k->frag_forwarded);
	U64("frag_held", k->frag_held);
	U64("frag_released", k->frag_released);
	U64("frag_hold_refused", k->frag_hold_refused);
	U64("syn_hold_matched", k->syn_hold_matched);
	U64("syn_hold_expired", k->syn_hold_expired);
	U64("wan_changes", tel_ctl->wan_changes);
	U64("tsc_hz", rte_get_tsc_hz());
	U64("loops", k->loops);
	U64("busy_loops", k->busy_loops);
	U64("sessions_capacity", tel_ctl->ct->capacity);
	U64("sessions_bytes", tel_ctl->ct_bytes);
	U64("last_publish_us", tel_ctl->last_publish_us);
	for (unsigned p = 0; p < tel_ctl->n_ports && p < 8; p++) {
		char n[64];

		snprintf(n, sizeof(n), "sessions_created_%s", tel_ctl->cfg->ports[p].name);
		U64(n, k->ct_created_port[p]);
	}
	for (unsigned r = 0; r < SB_DROP_MAX; r++) {
		char n[64];

		snprintf(n, sizeof(n), "drop_%s", sb_drop_name(r));
		U64(n, k->drop[r]);
	}
	/* The XDP program's verdicts on AF_XDP ports (bpf syscalls on fds
	 * that stay open while switchback runs: safe from this thread). */
	for (unsigned p = 0; p < tel_ctl->n_ports; p++) {
		struct sb_xdp_count x[SB_XDP_REASON_MAX];

		if (sb_xdp_counts(tel_ctl->xdp, p, x) != 0)
			continue;
		for (unsigned r = 0; r < SB_XDP_REASON_MAX; r++) {
			char n[64];

			snprintf(n, sizeof(n), "xdp_%s_%s_%s", tel_ctl->cfg->ports[p].name,
				 sb_xdp_reason_verdict(r), sb_xdp_reason_name(r));
			U64(n, x[r].packets);
		}
	}
	for (unsigned st = 0; st < SB_STAGE_MAX; st++) {
		char n[64];

		snprintf(n, sizeof(n), "stage_%s_cycles", sb_stage_name(st));
		U64(n, k->stage_cycles[st]);
		snprintf(n, sizeof(n), "stage_%s_pkts", sb_stage_name(st));
		U64(n, k->stage_pkts[st]);
	}
#undef U64
	return 0;
}

static int
tel_routes(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	pthread_mutex_lock(&tel_ctl->snap_lock);
	rte_tel_data_string(d, tel_ctl->routes_text);
	pthread_mutex_unlock(&tel_ctl->snap_lock);
	return 0;
}

static int
tel_wans(const char *cmd __rte_unused, const char *params __rte_unused,
	 struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned p = 0; p < tel_ctl->n_ports; p++)
		if (tel_ctl->cfg->ports[p].role == SB_ROLE_WAN)
			/* up, degraded or down (monitored WANs can be degraded
			 * in or out of service; a word read is never torn). */
			rte_tel_data_add_dict_string(d, tel_ctl->cfg->ports[p].name,
						     sb_wstate_name(tel_ctl->wan_state[p]));
	return 0;
}

int
sb_telemetry_init(struct sb_ctl *c)
{
	tel_ctl = c;
	pthread_mutex_init(&c->snap_lock, NULL);
	sb_telemetry_snapshot(c);
	if (rte_telemetry_register_cmd("/switchback/stats", tel_stats,
				       "Worker counters and drop reasons") != 0 ||
	    rte_telemetry_register_cmd("/switchback/routes", tel_routes,
				       "Routes with flags, like RouterOS /ip route print") != 0 ||
	    rte_telemetry_register_cmd("/switchback/wans", tel_wans, "WAN states") != 0)
		return -1;
	return 0;
}

void
sb_telemetry_snapshot(struct sb_ctl *c)
{
	char buf[sizeof(c->routes_text)];

	sb_rib_print(c->rib, c->cfg, buf, sizeof(buf));
	pthread_mutex_lock(&c->snap_lock);
	memcpy(c->routes_text, buf, sizeof(buf));
	pthread_mutex_unlock(&c->snap_lock);
}
