/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control context, owned by the main lcore. */
#ifndef SB_CTL_H
#define SB_CTL_H

#include <pthread.h>
#include <rte_ether.h>

#include "sb_config.h"
#include "sb_tables.h"
#include "worker.h"
#include "rib.h"
#include "probe.h"

struct sb_ctl {
	struct sb_config *cfg;
	struct rte_mempool *pool;
	unsigned n_ports;
	uint16_t port_id[SB_MAX_PORTS];
	bool port_open[SB_MAX_PORTS];
	struct rte_ether_addr mac[SB_MAX_PORTS];
	struct sb_xdp *xdp;            /* AF_XDP ports' program and maps */
	struct sb_worker *w;
	struct sb_ct *ct;              /* the worker's sessions */
	struct sb_eim *eim;            /* its mappings and port pools */
	struct rte_ring *punt, *resolve, *inject; /* worker <-> control */
	unsigned worker_lcore;
	struct sb_neigh *neigh;
	struct sb_fib *fib;
	struct rte_rcu_qsbr *qs;
	struct sb_dp_state *state;     /* the published pointer */
	struct sb_dp_state *spare_state; /* the last retired one, reused next time */
	struct sb_rib *rib;
	struct sb_probe *probes;
	unsigned n_probes;
	bool wan_down[SB_MAX_PORTS];
	uint32_t wan_gen[SB_MAX_PORTS];
	uint8_t was_path[SB_MAX_NEIGH]; /* neighbour ever a gateway path: port + 1 */
	uint64_t wan_changes;
	uint64_t last_publish_us;
	uint64_t start_ms;
	uint64_t ct_bytes;             /* heap taken by the conntrack table */
	/* Operator and link state per port. */
	int8_t wan_force[SB_MAX_PORTS];   /* 0 auto, 1 forced up, -1 forced down */
	bool link_down[SB_MAX_PORTS];
	char wan_reason[SB_MAX_PORTS][512];
	uint64_t wan_down_since[SB_MAX_PORTS]; /* ms, for alert_after_s */
	bool wan_alerted[SB_MAX_PORTS];
	/* [wan NAME] monitors: c->mons[first .. first + n) per port; their
	 * ICMP ids follow the route probes'. */
	struct sb_probe *mons;
	unsigned n_mons;
	struct sb_wan_mon {
		unsigned first, n;
		bool out;                 /* traffic kept off it (monitors, after the hold-down) */
		enum sb_wstate out_state; /* DOWN or DEGRADED while out */
		bool holding;             /* healthy again, failback waits for hold_until */
		uint64_t hold_until;
		struct sb_wan_health h;   /* the last judgement */
	} wmon[SB_MAX_PORTS];
	enum sb_wstate wan_state[SB_MAX_PORTS]; /* shown: up, degraded or down */
	struct sb_notifier *notifier;  /* [notify] webhook, or NULL */
	struct sb_ops *ops;            /* status, events and metrics (ops.h) */
	/* The control socket (switchbackctl): its listening fd and path; its
	 * clients in @ctls (ctlsock.c). */
	int ctl_fd;
	char ctl_path[108];
	struct sb_ctlsock *ctls;
	/* Snapshot for the telemetry thread, under @snap_lock. */
	pthread_mutex_t snap_lock;
	char routes_text[8192];
};

/** Resolve the RIB and publish a new forwarding state. Control thread. */
int sb_ctl_publish(struct sb_ctl *c, uint64_t now_ms);

/** Milliseconds on the monotonic clock. */
uint64_t sb_now_ms(void);

/** Open the control socket at @path: a stale socket there is replaced,
 * anything else is left alone (-EEXIST). Mode 0600, or 0660 and group
 * cfg->ctl_gid when set. 0 or -errno. Main lcore. */
int sb_ctlsock_open(struct sb_ctl *c, const char *path);

/** Accept, read, answer and time out control-socket clients a step at a
 * time; never waits. Call it on every control loop. Control thread. */
void sb_ctlsock_poll(struct sb_ctl *c);

/** Close the control socket and its clients; unlink it when the path
 * still holds the socket we made. */
void sb_ctlsock_close(struct sb_ctl *c);

/** Register /switchback/ telemetry commands reading @c. Main lcore. */
int sb_telemetry_init(struct sb_ctl *c);

/** Refresh the text snapshots the telemetry thread serves. Control. */
void sb_telemetry_snapshot(struct sb_ctl *c);

#endif
