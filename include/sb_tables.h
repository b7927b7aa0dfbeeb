/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the forwarding state the control thread publishes and the
 * workers read. Published by pointer swap, reclaimed after rte_rcu_qsbr
 * says every worker has passed a quiescent point (docs/threading.md). */
#ifndef SB_TABLES_H
#define SB_TABLES_H

#include <stdint.h>
#include "sb_common.h"

/* One resolved path: leave through @port towards @gw (or towards the
 * destination itself when the path is on-link, @gw == 0). */
struct sb_path {
	uint32_t gw;        /* host order; 0 = on-link */
	uint32_t nb;        /* neighbour index of @gw, SB_NEIGH_NONE if on-link */
	uint16_t port;      /* port index (config order) */
	uint16_t pad;
};

#define SB_ECMP_BUCKETS 256 /* flow buckets per group (dataplane/ecmp.h) */

/* A nexthop group: the active paths of a route set, shared by every
 * prefix whose routes resolve alike (docs/routing.md). FIB entries point
 * at groups, not gateways, so a failover rewrites groups only. */
struct sb_nhg {
	uint8_t n_paths;    /* 0 = no active route (blackholed prefix) */
	uint8_t pad[3];
	struct sb_path path[SB_MAX_ECMP];
	uint8_t bucket[SB_ECMP_BUCKETS]; /* ECMP: path index per flow bucket */
};

/* Per-WAN state seen by workers. A session pinned to a WAN whose @gen moved
 * is treated as a miss (lazy flush: O(1) on the control side). */
struct sb_wan_state {
	uint32_t gen;
	uint8_t up;
	uint8_t prefix_len;     /* with @addr: a DHCP port's address (its lease) */
	uint16_t moves;         /* bumps of @gen by sessions_on_failback = move:
				 * inbound sessions (pinned) ignore them */
	uint32_t addr;          /* host order; 0 = none yet. Read for DHCP ports only */
};

struct sb_dp_state {
	uint64_t version;
	uint32_t n_nhg;
	uint32_t cap_nhg;                      /* control only: groups nhg has room for */
	struct sb_nhg *nhg;                    /* indexed by FIB next hop */
	struct sb_wan_state wan[SB_MAX_PORTS]; /* indexed by port */
	uint8_t pcc_bucket[1024];              /* PCC member per bucket (pcc.h) */
	/* Forwarding policy a reload can change (control/publish.c fill_pcc):
	 * the PCC classifier plus one (0 = PCC off), each member's routing
	 * table (pcc_bucket's values index it), the ECMP hash. */
	uint8_t pcc_class;
	uint8_t pcc_table[8];                  /* SB_PCC_MAX */
	uint8_t ecmp;                          /* enum sb_ecmp_hash */
	/* Per neighbour index: 1 when it was a gateway path of some group and
	 * is in no group's paths now, while its port's WAN is up. A routed
	 * session whose out_nb is dead re-routes on its next outbound packet
	 * (sb_publish_mark_dead; docs/routing.md, "Path stickiness"). */
	uint8_t nb_dead[SB_MAX_NEIGH];
};

#endif
