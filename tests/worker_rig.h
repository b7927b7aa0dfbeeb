/* SPDX-License-Identifier: BSD-3-Clause
 * The worker's two-port rig, shared by its unit test (tests/test_worker.c)
 * and its fuzz target (fuzz/fuzz_worker.c): ring ports (rte_eth_from_rings:
 * what the worker transmits is read back from the tx ring), a LAN port
 * 192.168.1.1/24 and a masquerading WAN port 203.0.113.2/24 with its
 * gateway at 203.0.113.1; default route via the WAN, both subnets
 * connected. After rte_eal_init. */
#ifndef SB_WORKER_RIG_H
#define SB_WORKER_RIG_H

#include <stdio.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "worker.h"
#include "fib.h"
#include "conntrack.h"
#include "eim.h"

#define LAN 0
#define WAN 1
#define LAN_ADDR 0xc0a80101u  /* 192.168.1.1 */
#define WAN_ADDR 0xcb007102u  /* 203.0.113.2 */
#define WAN_GW   0xcb007101u  /* 203.0.113.1 */

/* Ring port @p named after @tag, on @pool: its rings (rx 256 slots, tx
 * @tx_slots), id and MAC. 0 or -1. */
static inline int
sb_rig_port(struct rte_mempool *pool, const char *tag, unsigned p, unsigned tx_slots,
	    struct rte_ring **rx, struct rte_ring **tx, uint16_t *id, struct rte_ether_addr *mac)
{
	struct rte_eth_conf conf;
	char name[32];
	int i;

	snprintf(name, sizeof(name), "%s_rx%u", tag, p);
	*rx = rte_ring_create(name, 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "%s_tx%u", tag, p);
	*tx = rte_ring_create(name, tx_slots, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (*rx == NULL || *tx == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_ring_%s%u", tag, p);
	i = rte_eth_from_rings(name, rx, 1, tx, 1, 0);
	if (i < 0)
		return -1;
	*id = (uint16_t)i;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(*id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(*id, 0, 64, 0, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(*id, 0, 64, 0, NULL) != 0 || rte_eth_dev_start(*id) != 0)
		return -1;
	return rte_eth_macaddr_get(*id, mac) == 0 ? 0 : -1;
}

/* The routes: group 0 the default via the WAN's gateway, group 1 the
 * LAN, group 2 the WAN's subnet. 0 or -1. */
static inline int
sb_rig_routes(struct sb_fib *fib)
{
	return sb_fib_set(fib, 0, 0, 0, 0) == 0 && sb_fib_set(fib, 0, 0xc0a80100, 24, 1) == 0 &&
	       sb_fib_set(fib, 0, 0xcb007100, 24, 2) == 0 ? 0 : -1;
}

/* A published state with those three groups (@gw_nb: the gateway's
 * neighbour), every WAN up; NULL when out of memory. */
static inline struct sb_dp_state *
sb_rig_state(int32_t gw_nb)
{
	struct sb_dp_state *st = rte_zmalloc("rig_st", sizeof(*st), 64);

	if (st == NULL)
		return NULL;
	st->n_nhg = 3;
	st->nhg = rte_zmalloc("rig_nhg", 3 * sizeof(*st->nhg), 64);
	if (st->nhg == NULL) {
		rte_free(st);
		return NULL;
	}
	st->nhg[0].n_paths = 1;
	st->nhg[0].path[0] = (struct sb_path){ .gw = WAN_GW, .nb = (uint32_t)gw_nb, .port = WAN };
	st->nhg[1].n_paths = 1;
	st->nhg[1].path[0] = (struct sb_path){ .gw = 0, .nb = SB_NEIGH_NONE, .port = LAN };
	st->nhg[2].n_paths = 1;
	st->nhg[2].path[0] = (struct sb_path){ .gw = 0, .nb = SB_NEIGH_NONE, .port = WAN };
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		st->wan[p].up = 1;
	return st;
}

/* The worker's configuration on the rig: the two ports (@dhcp_wan: the
 * WAN takes its address from the published state), one punt ring for
 * every reason (read in order), 64 fragments. The
 * tables and rings are the caller's. */
static inline void
sb_rig_conf(struct sb_worker_conf *c, const uint16_t port_id[2],
	    const struct rte_ether_addr mac[2], bool dhcp_wan, struct rte_ring *punt,
	    struct rte_ring *resolve, struct rte_ring *inject)
{
	memset(c, 0, sizeof(*c));
	c->n_ports = 2;
	c->port[LAN] = (struct sb_worker_port){ .port_id = port_id[LAN], .role = SB_ROLE_LAN,
						.prefix_len = 24, .addr = LAN_ADDR, .mac = mac[LAN] };
	c->port[WAN] = (struct sb_worker_port){ .port_id = port_id[WAN], .role = SB_ROLE_WAN,
						.masquerade = true, .prefix_len = 24,
						.addr = WAN_ADDR, .mac = mac[WAN], .dhcp = dhcp_wan };
	for (unsigned r = 1; r < SB_PUNT_MAX; r++)
		c->punt[r] = punt;
	c->resolve = resolve;
	c->inject = inject;
	c->fragments = 64;
}

/* Complete @c (from sb_rig_conf) with a fresh session table and mappings
 * for @sessions (*@ct, *@eim, named after @tag) and the shared tables,
 * and build the worker. NULL when something could not be made. */
static inline struct sb_worker *
sb_rig_worker(struct sb_worker_conf *c, const char *tag, uint32_t sessions, struct sb_ct **ct,
	      struct sb_eim **eim, struct sb_fib *fib, struct sb_neigh *neigh,
	      struct sb_dp_state **st, struct rte_rcu_qsbr *qs,
	      const struct sb_probe_expect *expect)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_ct", tag);
	*ct = sb_ct_create(name, sessions, 0, 0, 7440, 240, 300, 60);
	snprintf(name, sizeof(name), "%s_eim", tag);
	*eim = sb_eim_create(name, 1u << WAN, sessions, 0);
	if (*ct == NULL || *eim == NULL)
		return NULL;
	c->ct = *ct;
	c->eim = *eim;
	c->fib = fib;
	c->neigh = neigh;
	c->state = st;
	c->qs = qs;
	c->expect = expect;
	return sb_worker_create(c);
}

#endif
