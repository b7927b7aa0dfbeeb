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
#include "telemetry.h"
#include "sb_counters.h"
#include "xdp.h"
#include "inbound.h"

/* The 22.11 telemetry API passes no user pointer to callbacks: this is the
 * one pointer they read, set once before the socket can call them. */
static struct sb_ctl *tel_ctl;
/* The ports' names and roles, copied at init: the callbacks run on DPDK's
 * telemetry thread and must not read tel_ctl->cfg, which a reload frees
 * (sb_reload_run) while they may run. Names and roles are start-up only
 * (a reload that renames or reorders ports is refused). */
static char tel_port[SB_MAX_PORTS][SB_NAME_LEN];
static bool tel_wan[SB_MAX_PORTS];

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	struct sb_counters k_sum;
	const struct sb_counters *k = &k_sum;

	sb_ctl_counters(tel_ctl, &k_sum);

	rte_tel_data_start_dict(d);
#define U64(n, v) rte_tel_data_add_dict_u64(d, n, v)
#define SB_X_COUNTER(f, n, s) U64(n, k->f);
#define SB_X_DROP(r, s)
	SB_EVENT_COUNTERS(SB_X_COUNTER, SB_X_DROP)
#undef SB_X_COUNTER
#undef SB_X_DROP
	U64("wan_changes", tel_ctl->wans.changes);
	U64("tsc_hz", rte_get_tsc_hz());
	U64("sessions_capacity", sb_ctl_ct_capacity(tel_ctl));
	U64("sessions_bytes", tel_ctl->ct_bytes);
	U64("last_publish_us", tel_ctl->last_publish_us);
	for (unsigned p = 0; p < tel_ctl->n_ports && p < 8; p++) {
		char n[64];

		snprintf(n, sizeof(n), "sessions_created_%s", tel_port[p]);
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

			snprintf(n, sizeof(n), "xdp_%s_%s_%s", tel_port[p],
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

/* The handler @fn answers with the text tel_ctl->@text, which the control
 * thread writes under snap_lock (sb_telemetry_snapshot). A macro: the
 * 22.11 callbacks get no argument to tell the texts apart. */
#define TEL_SNAP_TEXT(fn, text)                                                      \
	static int fn(const char *cmd __rte_unused, const char *params __rte_unused, \
		      struct rte_tel_data *d)                                        \
	{                                                                            \
		pthread_mutex_lock(&tel_ctl->snap_lock);                             \
		rte_tel_data_string(d, tel_ctl->text);                               \
		pthread_mutex_unlock(&tel_ctl->snap_lock);                           \
		return 0;                                                            \
	}
TEL_SNAP_TEXT(tel_routes, routes_text)
TEL_SNAP_TEXT(tel_leases, leases_text)
#undef TEL_SNAP_TEXT

static int
tel_wans(const char *cmd __rte_unused, const char *params __rte_unused,
	 struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned p = 0; p < tel_ctl->n_ports; p++)
		if (tel_wan[p])
			/* up, degraded or down (monitored WANs can be degraded
			 * in or out of service; a word read is never torn). */
			rte_tel_data_add_dict_string(d, tel_port[p],
						     sb_wstate_name(tel_ctl->wans.wan[p].state));
	return 0;
}

static int
tel_forwards(const char *cmd __rte_unused, const char *params __rte_unused,
	     struct rte_tel_data *d)
{
	sb_inbound_telemetry(tel_ctl->inbound, d);
	return 0;
}

int
sb_telemetry_init(struct sb_ctl *c)
{
	for (unsigned p = 0; p < c->n_ports && p < SB_MAX_PORTS; p++) {
		snprintf(tel_port[p], sizeof(tel_port[p]), "%s", c->cfg->ports[p].name);
		tel_wan[p] = c->cfg->ports[p].role == SB_ROLE_WAN;
	}
	tel_ctl = c;
	pthread_mutex_init(&c->snap_lock, NULL);
	sb_telemetry_snapshot(c);
	if (rte_telemetry_register_cmd("/switchback/stats", tel_stats,
				       "Worker counters and drop reasons") != 0 ||
	    rte_telemetry_register_cmd("/switchback/routes", tel_routes,
				       "Routes with flags, like RouterOS /ip route print") != 0 ||
	    rte_telemetry_register_cmd("/switchback/wans", tel_wans, "WAN states") != 0 ||
	    rte_telemetry_register_cmd("/switchback/forwards", tel_forwards,
				       "Port forwards and one-to-one NAT: hit counts") != 0 ||
	    rte_telemetry_register_cmd("/switchback/leases", tel_leases,
				       "DHCP leases of WAN ports (as of the last publication)") != 0)
		return -1;
	return 0;
}

void
sb_telemetry_snapshot(struct sb_ctl *c)
{
	char buf[sizeof(c->routes_text)], lbuf[sizeof(c->leases_text)] = "";
	size_t o = 0;

	sb_rib_print(c->rib, c->cfg, buf, sizeof(buf));
	for (unsigned p = 0; p < c->n_ports && o < sizeof(lbuf); p++) {
		char desc[256];

		if (sb_lease_describe(&c->leases, p, sb_now_ms(), desc, sizeof(desc)) > 0)
			o += (size_t)snprintf(lbuf + o, sizeof(lbuf) - o, "%s: %s\n",
					      c->cfg->ports[p].name, desc);
	}
	pthread_mutex_lock(&c->snap_lock);
	memcpy(c->routes_text, buf, sizeof(buf));
	memcpy(c->leases_text, lbuf, sizeof(lbuf));
	pthread_mutex_unlock(&c->snap_lock);
}
