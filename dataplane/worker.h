/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker lcore. rx -> parse -> conntrack -> (fast path:
 * rewrite) | (slow path: FIB, ECMP, NAT allocation, session insert) -> l2
 * -> tx, in bursts, run to completion. Never blocks, never locks. */
#ifndef SB_WORKER_H
#define SB_WORKER_H

#include <stdint.h>
#include <stdbool.h>
#include <rte_ether.h>

#include "sb_common.h"
#include "sb_config.h"
#include "sb_counters.h"
#include "sb_tables.h"
#include "nat.h"
#include "frag.h"

struct rte_ring;
struct rte_mempool;
struct rte_rcu_qsbr;
struct rte_eth_dev_tx_buffer;
struct sb_ct;
struct sb_synhold;
struct sb_fib;
struct sb_neigh;

/* A port as the worker sees it. Fixed after start-up. */
struct sb_wport {
	uint16_t port_id;          /* DPDK port id */
	uint8_t role;              /* enum sb_port_role */
	uint8_t masquerade;
	uint16_t vlan;
	uint16_t pad;
	uint32_t addr_be;          /* our address, network order */
	uint32_t net, mask;        /* connected prefix, host order */
	struct rte_ether_addr mac;
	struct rte_eth_dev_tx_buffer *txb;
	struct sb_nat_pool *nat;   /* masquerade ports only */
};

/* Endpoint-independent mapping: one (WAN, protocol, internal address and
 * port) keeps one external port whatever the destination, shared by all
 * its sessions (RFC 4787 REQ-1, RFC 5382 REQ-1). */
struct sb_eim_key {
	uint32_t src;       /* internal address, network order */
	uint16_t sport;     /* internal port or ICMP id, network order */
	uint8_t proto;
	uint8_t port;       /* WAN port index */
};

/* A packet waiting for its next hop's ARP answer (at most a second). */
struct sb_parked {
	struct rte_mbuf *m;
	uint64_t tsc;
	uint32_t ip;        /* next hop, host order */
	uint16_t port;
};

#define SB_PARK_MAX 64

struct sb_worker {
	unsigned id;
	unsigned n_ports;
	struct sb_wport port[SB_MAX_PORTS];
	struct sb_ct *ct;
	struct sb_frag_table *frag;    /* datagrams in flight, by first fragment */
	struct sb_meta frag_md[SB_FRAG_HOLD_MAX]; /* parsed held fragments, by slot */
	struct sb_synhold *synhold;    /* unsolicited SYNs to live mappings (6 s) */
	struct rte_hash *eim;          /* sb_eim_key -> slot */
	uint16_t *eim_ext;             /* per slot: external port, host order */
	uint32_t *eim_ref;             /* per slot: sessions using it */
	uint32_t *eim_by_ext[SB_MAX_PORTS]; /* per masquerading WAN: [proto * 65536 +
					     * external port] -> slot + 1 (hairpin) */
	uint64_t tsc_hz;
	struct sb_fib *fib;
	struct sb_neigh *neigh;
	struct sb_dp_state **state;    /* published by control */
	struct rte_ring *punt;         /* to control: mbufs */
	struct rte_ring *resolve;      /* to control: (port << 32 | ip) */
	struct rte_ring *inject;       /* from control: mbufs, hash.usr = port */
	struct rte_rcu_qsbr *qs;
	struct rte_mempool *pool;
	enum sb_ecmp_hash ecmp;
	/* PCC: classifier (-1 = off) and, per member, its port and table. */
	int pcc_classifier;
	unsigned pcc_n;
	uint16_t pcc_port[8];
	uint8_t pcc_table[8];
	uint32_t running;              /* cleared by control to stop */
	uint64_t rnd;
	unsigned n_parked;
	struct sb_parked parked[SB_PARK_MAX];
	struct sb_counters cnt;
};

/* Punt metadata in mbuf->hash.usr: reason | port index << 8. */
#define SB_PUNT_INFO(reason, port) ((uint32_t)(reason) | ((uint32_t)(port) << 8))
#define SB_PUNT_REASON(usr) ((usr) & 0xff)
#define SB_PUNT_PORT(usr) (((usr) >> 8) & 0xff)

/**
 * Process @n packets received on port index @in. Exposed for tests and
 * benchmarks; the loop calls it. Owning worker lcore only.
 */
void sb_worker_process(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts,
		       unsigned n);

/** Flush every port's tx buffer. Owning worker lcore only. */
void sb_worker_flush(struct sb_worker *w);

/** Lcore entry point (arg: struct sb_worker *). Runs until w->running is
 * cleared. Registers with and reports quiescence to w->qs every loop. */
int sb_worker_main(void *arg);

#endif
