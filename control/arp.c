/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: ARP on the control thread (arp.h). */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "arp.h"
#include "addr.h"
#include "neigh.h"
#include "pkt.h"
#include "publish.h"
#include "rib.h"
#include "sb_config.h"
#include "sb_log.h"

#define ARP_RETRY_MS 1000

static bool
on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	/* A DHCP port without a lease has no subnet (prefix_len 0: a shift
	 * by 32 would be undefined). */
	uint32_t mask = p->prefix_len != 0 ? ~0u << (32 - p->prefix_len) : 0;

	return p->addr != 0 && ((ip ^ p->addr) & mask) == 0;
}

void
sb_arp_request(struct sb_arp *arp, unsigned port, uint32_t ip, uint64_t now)
{
	const struct sb_port_conf *pc = &arp->cfg->ports[port];
	int32_t idx;

	if (!on_subnet(pc, ip))
		return;
	idx = sb_publish_neigh(arp->pub, (uint16_t)port, ip);
	if (idx < 0)
		return;
	if (arp->e[idx].is_static ||
	    (arp->e[idx].last_request_ms != 0 && now - arp->e[idx].last_request_ms < ARP_RETRY_MS))
		return;
	arp->e[idx].last_request_ms = now;
	sb_pkt_inject(arp->inject, port, sb_pkt_arp(arp->pool, RTE_ARP_OP_REQUEST, &arp->mac[port],
						    pc->addr, NULL, ip));
}

bool
sb_arp_input(struct sb_arp *arp, unsigned port, const struct rte_mbuf *m, uint64_t now,
	     uint32_t *sipp)
{
	const struct sb_port_conf *pc = &arp->cfg->ports[port];
	const struct rte_arp_hdr *ah;
	struct rte_ether_addr sha;
	uint32_t sip, tip;
	uint16_t op;
	int32_t idx;
	bool ours;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*ah))
		return false;
	ah = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	sha = ah->arp_data.arp_sha;
	/* Ours: the port's address, or a one-to-one address it carries. */
	ours = tip == pc->addr || sb_config_extra_addr(arp->cfg, port, tip);
	/* Learn like Linux: create an entry when the ARP is for us, update
	 * one we already have from any ARP. */
	if (on_subnet(pc, sip) && sip != pc->addr && !rte_is_zero_ether_addr(&sha) &&
	    !rte_is_multicast_ether_addr(&sha)) {
		idx = ours ? sb_publish_neigh(arp->pub, (uint16_t)port, sip) :
					sb_neigh_find(arp->neigh, (uint16_t)port, sip);
		if (idx >= 0 && !arp->e[idx].is_static) {
			struct rte_ether_addr cur;
			bool had = sb_neigh_mac(arp->neigh, (uint32_t)idx, &cur);

			if (!had || !rte_is_same_ether_addr(&cur, &sha)) {
				char a[SB_ADDR_STRLEN];

				sb_addr_str(sip, a, sizeof(a));
				SB_INFO(NEIGH, "neighbour %s on %s is " RTE_ETHER_ADDR_PRT_FMT, a,
					pc->name, RTE_ETHER_ADDR_BYTES(&sha));
			}
			sb_publish_neigh_mac(arp->pub, (uint32_t)idx, &sha);
			arp->e[idx].confirmed_ms = now;
		}
	}
	if (op == RTE_ARP_OP_REQUEST && ours)
		sb_pkt_inject(arp->inject, port, sb_pkt_arp(arp->pool, RTE_ARP_OP_REPLY,
							    &arp->mac[port], tip, &sha, sip));
	*sipp = sip;
	return op == RTE_ARP_OP_REPLY;
}

int
sb_arp_static(struct sb_arp *arp)
{
	const struct sb_config *cfg = arp->cfg;

	for (unsigned i = 0; i < cfg->n_neigh; i++) {
		const struct sb_neigh_conf *nc = &cfg->neigh[i];
		int32_t idx = sb_publish_neigh(arp->pub, (uint16_t)nc->port, nc->addr);
		struct rte_ether_addr mac;

		if (idx < 0)
			return -ENOSPC;
		memcpy(mac.addr_bytes, nc->mac, 6);
		arp->e[idx].is_static = true;
		sb_publish_neigh_mac(arp->pub, (uint32_t)idx, &mac);
	}
	return 0;
}

void
sb_arp_gateways(struct sb_arp *arp, const struct sb_rib *rib, uint64_t now)
{
	for (unsigned g = 0; g < rib->n_groups; g++)
		for (unsigned k = 0; k < rib->g[g].n_nh; k++) {
			const struct sb_rib_nh *nh = &rib->g[g].nh[k];
			int32_t idx;

			if (nh->gw == 0)
				continue;
			idx = sb_neigh_find(arp->neigh, nh->port, nh->gw);
			if (idx < 0 || !(arp->neigh->e[idx].mac_state & SB_NEIGH_VALID))
				sb_arp_request(arp, nh->port, nh->gw, now);
		}
}

bool
sb_arp_is_static(const struct sb_arp *arp, uint32_t idx)
{
	return idx < SB_MAX_NEIGH && arp->e[idx].is_static;
}
