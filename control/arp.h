/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: ARP on the control thread. Requests (paced per neighbour),
 * learning like Linux (an entry is created by ARP aimed at us and updated
 * by any ARP), answers for our addresses, static neighbours, and the
 * gateways of published groups. Neighbour entries are written through
 * the publisher (publish.h); what only control needs (request pacing,
 * static flag) is kept here, apart from what workers read. */
#ifndef SB_ARP_H
#define SB_ARP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>

#include "sb_common.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct sb_config;
struct sb_neigh;
struct sb_publisher;
struct sb_rib;

struct sb_arp {
	const struct sb_config *cfg;
	struct rte_mempool *pool;
	struct rte_ring *inject;            /* frames to the worker (hash.usr = port) */
	const struct rte_ether_addr *mac;   /* our MAC per port index */
	const struct sb_neigh *neigh;       /* read */
	struct sb_publisher *pub;           /* writes neighbour entries */
	struct {
		uint64_t last_request_ms;   /* pacing: one request per second */
		uint64_t confirmed_ms;
		bool is_static;
	} e[SB_MAX_NEIGH];                  /* by neighbour index */
};

/** Ask who has @ip on @port, at most once a second per neighbour; only
 * for addresses on the port's subnet. Control thread. */
void sb_arp_request(struct sb_arp *arp, unsigned port, uint32_t ip, uint64_t now_ms);

/** Handle an ARP frame punted from @port: learn the sender, answer a
 * request for our address. Returns true with *@sip set when it was a
 * reply (probes may be waiting for it). Control thread. */
bool sb_arp_input(struct sb_arp *arp, unsigned port, const struct rte_mbuf *m, uint64_t now_ms,
		  uint32_t *sip);

/** The configured static neighbours: valid at once, never learned over.
 * 0 or -ENOSPC. Set-up. */
int sb_arp_static(struct sb_arp *arp);

/** Ask for the MAC of every gateway in @rib's groups that has none yet.
 * Control loop, after a publication. */
void sb_arp_gateways(struct sb_arp *arp, const struct sb_rib *rib, uint64_t now_ms);

/** True when neighbour @idx is static. */
bool sb_arp_is_static(const struct sb_arp *arp, uint32_t idx);

#endif
