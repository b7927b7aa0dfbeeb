/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control context, owned by the main lcore, and its life
 * (setup.c): what the parts of the control plane share. Each part keeps
 * its own state in its own struct (wan.h, arp.h, publish.h); this one
 * ties them to the ports, the worker and the configuration. */
#ifndef SB_CTL_H
#define SB_CTL_H

#include <pthread.h>
#include <stddef.h>
#include <rte_ether.h>

#include "sb_config.h"
#include "sb_tables.h"
#include "worker.h"
#include "rib.h"
#include "probe.h"
#include "arp.h"
#include "clock.h"
#include "notify.h"
#include "publish.h"
#include "wan.h"
#include "lease.h"

struct sb_ctl {
	struct sb_config *cfg;
	struct rte_mempool *pool;
	unsigned n_ports;
	uint16_t port_id[SB_MAX_PORTS];
	bool port_open[SB_MAX_PORTS];
	struct rte_ether_addr mac[SB_MAX_PORTS];
	struct sb_xdp *xdp;            /* AF_XDP ports' program and maps */
	/* The workers (dataplane/handoff.h): each with its own sessions, and
	 * its mappings and slice of every WAN's ports. */
	unsigned n_workers;
	struct sb_worker *w[SB_MAX_WORKERS];
	struct sb_ct *ct[SB_MAX_WORKERS];
	struct sb_eim *eim[SB_MAX_WORKERS];
	struct rte_ring *ho[SB_MAX_WORKERS][SB_MAX_WORKERS]; /* [from][to] */
	unsigned worker_lcore[SB_MAX_WORKERS];
	struct sb_inbound *inbound;    /* port forwards, one-to-one NAT (inbound.h) */
	struct rte_ring *punt[SB_PUNT_MAX]; /* worker -> control, a ring per reason */
	struct rte_ring *resolve, *inject;  /* workers <-> control (inject: worker 0) */
	struct sb_neigh *neigh;
	struct sb_fib *fib;
	struct rte_rcu_qsbr *qs;
	struct sb_publisher pub;       /* the one writer of what workers read */
	struct sb_rib *rib;
	struct sb_wans wans;           /* probes, monitors, WAN states */
	struct sb_leases leases;       /* DHCP ports' clients and leases (dhcpio.h) */
	struct sb_arp arp;
	struct sb_notify notify;       /* hook and webhook */
	bool dirty;                    /* routes changed (operator): publish */
	uint64_t last_publish_us;      /* the last settle + publication took */
	uint64_t start_ms;
	uint64_t ct_bytes;             /* heap taken by the conntrack table */
	struct sb_ops *ops;            /* status, events and metrics (ops.h) */
	/* The control socket (switchbackctl): its listening fd and path; its
	 * clients in @ctls (ctlsock.c). A command that changes state is
	 * answered after the loop has published it. */
	int ctl_fd;
	char ctl_path[108];
	struct sb_ctlsock *ctls;
	/* Snapshot for the telemetry thread, under @snap_lock. */
	pthread_mutex_t snap_lock;
	char routes_text[8192];
	char leases_text[2048];        /* DHCP ports' leases, as of the last publication */
};

/** Build the control context from @c->cfg: mbuf pool, ports, RCU, the
 * neighbour table, FIB, worker, RIB, probes and monitors, notifier. 0, or
 * -errno with the reason in @err. Main lcore, after EAL init. */
int sb_ctl_setup(struct sb_ctl *c, char *err, size_t errlen);

/** The sum of every worker's counters into @sum. Any thread (the
 * workers' counters are a little late). */
void sb_ctl_counters(const struct sb_ctl *c, struct sb_counters *sum);

/** Set every worker's limit of sessions per LAN host from @cfg
 * (`sessions_per_host`, shared out among the workers). Main lcore. */
void sb_ctl_host_max(struct sb_ctl *c, const struct sb_config *cfg);

/** The sessions every worker's table can hold. */
uint64_t sb_ctl_ct_capacity(const struct sb_ctl *c);

/** Undo sb_ctl_setup (also after a partial one). Workers stopped. */
void sb_ctl_teardown(struct sb_ctl *c);

#endif
