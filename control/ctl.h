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
	struct sb_worker *w;
	unsigned worker_lcore;
	struct sb_neigh *neigh;
	struct sb_fib *fib;
	struct rte_rcu_qsbr *qs;
	struct sb_dp_state *state;     /* the published pointer */
	struct sb_rib *rib;
	bool *installed;               /* per RIB group: in the FIB */
	bool *was_active;              /* per RIB route, for change logs */
	struct sb_probe *probes;
	unsigned n_probes;
	bool wan_down[SB_MAX_PORTS];
	uint32_t wan_gen[SB_MAX_PORTS];
	uint64_t wan_changes;
	uint64_t last_publish_us;
	uint64_t start_ms;
	uint64_t ct_bytes;             /* heap taken by the conntrack table */
	/* Snapshot for the telemetry thread, under @snap_lock. */
	pthread_mutex_t snap_lock;
	char routes_text[8192];
};

/** Register /switchback/ telemetry commands reading @c. Main lcore. */
int sb_telemetry_init(struct sb_ctl *c);

/** Refresh the text snapshots the telemetry thread serves. Control. */
void sb_telemetry_snapshot(struct sb_ctl *c);

#endif
