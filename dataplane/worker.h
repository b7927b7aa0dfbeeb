/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker lcore. rx -> parse -> session lookup -> fast path
 * (clean hits: rewrite) | slow path (flush, FIB, ECMP, NAT mapping,
 * session insert; hairpin, local delivery) -> l2 -> tx, in bursts, run to
 * completion. Never blocks, never locks. Control holds a worker only as a
 * handle: it builds one from a struct sb_worker_conf. */
#ifndef SB_WORKER_H
#define SB_WORKER_H

#include <stdint.h>
#include <stdbool.h>
#include <rte_ether.h>

#include "sb_common.h"
#include "sb_config.h"
#include "sb_counters.h"
#include "sb_tables.h"
#include "pcc.h"

struct rte_mbuf;
struct rte_ring;
struct rte_rcu_qsbr;
struct sb_ct;
struct sb_eim;
struct sb_fwdtab;
struct sb_fib;
struct sb_neigh;
struct sb_worker;
struct sb_probe_expect;

/* A port as control opens it. */
struct sb_worker_port {
	uint16_t port_id;          /* DPDK port id */
	uint8_t role;              /* enum sb_port_role */
	bool masquerade;
	uint16_t vlan;             /* 0 = untagged */
	uint8_t prefix_len;
	uint32_t addr;             /* our address, host order */
	struct rte_ether_addr mac;
	bool dhcp;                 /* address = dhcp: DHCP replies punted, address published */
};

/* What a worker is made of. The tables and rings are control's: it
 * creates them before and frees them after the worker. */
struct sb_worker_conf {
	unsigned id;               /* worker index: RCU thread id, rx/tx queue, port slice */
	unsigned n_workers;        /* 1 .. SB_MAX_WORKERS (0: 1) */
	/* n_workers > 1: the single-producer, single-consumer rings to and
	 * from each other worker ([id] unused) */
	struct rte_ring *ho_out[SB_MAX_WORKERS], *ho_in[SB_MAX_WORKERS];
	int socket;
	unsigned n_ports;
	struct sb_worker_port port[SB_MAX_PORTS];
	struct sb_ct *ct;          /* this worker's sessions */
	struct sb_eim *eim;        /* its mappings and port pools */
	struct sb_fwdtab *fwd;     /* port forwards, one-to-one NAT; NULL = none */
	struct sb_fib *fib;        /* read only */
	struct sb_neigh *neigh;    /* read only */
	struct sb_dp_state **state; /* the published pointer */
	struct rte_rcu_qsbr *qs;
	/* to control: mbufs (SB_PUNT_INFO in hash.usr), one ring per reason
	 * (index: enum sb_punt_reason; 0 unused) */
	struct rte_ring *punt[SB_PUNT_MAX];
	/* the probes control has in flight: probe replies that answer none
	 * are dropped here (NULL: none is expected) */
	const struct sb_probe_expect *expect;
	struct rte_ring *resolve;  /* to control: (port << 32 | ip) to resolve */
	struct rte_ring *inject;   /* from control: mbufs to send, hash.usr = port
				    * (worker 0 only: NULL for the others) */
	uint32_t fragments;        /* datagrams in flight tracked */
	/* (The ECMP hash and PCC come with each published state, so that a
	 * reload can change them: struct sb_dp_state.) */
};

/* Punt metadata in mbuf->hash.usr: reason | port index << 8. */
#define SB_PUNT_INFO(reason, port) ((uint32_t)(reason) | ((uint32_t)(port) << 8))
#define SB_PUNT_REASON(usr) ((usr) & 0xff)
#define SB_PUNT_PORT(usr) (((usr) >> 8) & 0xff)

/**
 * Build a worker from @conf: its tx buffers, fragment and SYN-hold tables;
 * the port addresses are set in @conf->ct. Ready to run (sb_worker_main).
 * Returns NULL and sets rte_errno on failure. Main lcore, after the ports
 * are open.
 */
struct sb_worker *sb_worker_create(const struct sb_worker_conf *conf);

/** Free @w and the packets it still holds (NULL is fine). Main lcore,
 * once its lcore has returned. */
void sb_worker_free(struct sb_worker *w);

/**
 * Process @n packets received on port index @in. Exposed for tests and
 * benchmarks; the loop calls it. Owning worker lcore only.
 */
void sb_worker_process(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts,
		       unsigned n);

/** Process @n packets another worker received on port index @in and
 * handed to this one, their owner (handoff.h); @in with SB_HO_LOOP: it
 * looped them in from that WAN port (a hairpin across workers). Owning
 * worker lcore. */
void sb_worker_process_handed(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts,
			      unsigned n);

/** Flush every port's tx buffer, and send parked packets whose neighbour
 * is now known. Owning worker lcore only. */
void sb_worker_flush(struct sb_worker *w);

/** Age sessions, fragments and held SYNs, a bounded slice per call, and
 * release held fragments whose first has passed. Owning worker lcore. */
void sb_worker_sweep(struct sb_worker *w, uint64_t now);

/** Lcore entry point (arg: struct sb_worker *). Runs until sb_worker_stop.
 * Registers with and reports quiescence to the RCU variable every loop. */
int sb_worker_main(void *arg);

/** Ask the worker's loop to return. Main lcore. */
void sb_worker_stop(struct sb_worker *w);

/** The worker's counters (written by the worker; readers see them a
 * little late). Any thread. */
const struct sb_counters *sb_worker_counters(const struct sb_worker *w);

#endif
