/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: ARP on the control thread (arp.h). */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "arp.h"
#include "addr.h"
#include "fwdtab.h"
#include "neigh.h"
#include "pkt.h"
#include "publish.h"
#include "rib.h"
#include "sb_config.h"
#include "sb_log.h"


static bool
on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	/* A DHCP port without a lease has no subnet (prefix_len 0: a shift
	 * by 32 would be undefined). */
	uint32_t mask = p->prefix_len != 0 ? ~0u << (32 - p->prefix_len) : 0;

	return p->addr != 0 && ((ip ^ p->addr) & mask) == 0;
}

/* The entry of (@port, @ip), made when new (its age starting @now). */
static int32_t
entry(struct sb_arp *arp, unsigned port, uint32_t ip, uint64_t now)
{
	int32_t idx = sb_publish_neigh(arp->pub, (uint16_t)port, ip);

	if (idx >= 0 && arp->e[idx].seen_ms == 0)
		arp->e[idx].seen_ms = now;
	return idx;
}

void
sb_arp_request(struct sb_arp *arp, unsigned port, uint32_t ip, uint64_t now)
{
	const struct sb_port_conf *pc = &arp->cfg->ports[port];
	int32_t idx;

	if (!on_subnet(pc, ip))
		return;
	idx = entry(arp, port, ip, now);
	if (idx < 0)
		return;
	if (arp->e[idx].is_static ||
	    (arp->e[idx].last_request_ms != 0 && now - arp->e[idx].last_request_ms < SB_ARP_RETRANS_MS))
		return;
	arp->e[idx].last_request_ms = now;
	sb_pkt_inject(arp->inject, port, sb_pkt_arp(arp->pool, RTE_ARP_OP_REQUEST, &arp->mac[port],
						    pc->addr, NULL, ip));
}

/* Close the log's second: sum up what it left out. */
static void
log_window_end(struct sb_arp *arp)
{
	if (arp->log_unlogged != 0)
		SB_WARN(NEIGH, "%u more neighbour changes in the last second were not "
			"logged (an ARP flood? switchbackctl stats: arp_policed, "
			"arp_source_policed)", arp->log_unlogged);
	arp->log_lines = arp->log_unlogged = 0;
}

/* Log that @sip on @pc is @sha now, at most SB_ARP_LOG_PER_S lines a
 * second; what a second leaves out is summed up once it is over (at the
 * next change, or sb_arp_age's next round; docs/security.md: an ARP flood
 * from random senders). */
static void
log_change(struct sb_arp *arp, const struct sb_port_conf *pc, uint32_t sip,
	   const struct rte_ether_addr *sha, uint64_t now)
{
	char a[SB_ADDR_STRLEN];

	if (now - arp->log_window_ms >= 1000) {
		log_window_end(arp);
		arp->log_window_ms = now;
	}
	if (arp->log_lines >= SB_ARP_LOG_PER_S) {
		arp->log_unlogged++;
		return;
	}
	arp->log_lines++;
	sb_addr_str(sip, a, sizeof(a));
	SB_INFO(NEIGH, "neighbour %s on %s is " RTE_ETHER_ADDR_PRT_FMT, a, pc->name,
		RTE_ETHER_ADDR_BYTES(sha));
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
		idx = ours ? entry(arp, port, sip, now) :
					sb_neigh_find(arp->neigh, (uint16_t)port, sip);
		if (idx >= 0 && !arp->e[idx].is_static) {
			struct rte_ether_addr cur;
			bool had = sb_neigh_mac(arp->neigh, (uint32_t)idx, &cur);

			if (!had || !rte_is_same_ether_addr(&cur, &sha))
				log_change(arp, pc, sip, &sha, now);
			sb_publish_neigh_mac(arp->pub, (uint32_t)idx, &sha);
			arp->e[idx].confirmed_ms = now;
			arp->e[idx].probes = 0;
			arp->e[idx].hold_ms = 0;
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

/* Pin the gateway @gw of @port and ask for its MAC when it has none. */
static void
gateway(struct sb_arp *arp, unsigned port, uint32_t gw, uint64_t now)
{
	int32_t idx;

	if (gw == 0 || port >= arp->cfg->n_ports || !on_subnet(&arp->cfg->ports[port], gw))
		return;
	idx = sb_publish_gateway(arp->pub, (uint16_t)port, gw);
	if (idx >= 0 && !(arp->neigh->e[idx].mac_state & SB_NEIGH_VALID))
		sb_arp_request(arp, port, gw, now);
}

void
sb_arp_gateways(struct sb_arp *arp, const struct sb_rib *rib, uint64_t now)
{
	for (unsigned g = 0; g < rib->n_groups; g++)
		for (unsigned k = 0; k < rib->g[g].n_nh; k++)
			gateway(arp, rib->g[g].nh[k].port, rib->g[g].nh[k].gw, now);
	/* Inbound sessions keep their WAN's reply gateway; probes go out
	 * through the monitors' next hop. */
	for (unsigned p = 0; p < arp->cfg->n_ports; p++) {
		gateway(arp, p, sb_fwdtab_reply_gw(arp->cfg, p), now);
		if (arp->cfg->wan[p].enabled)
			gateway(arp, p, arp->cfg->wan[p].gateway, now);
	}
}

enum sb_arp_state
sb_arp_state(const struct sb_arp *arp, uint32_t idx, uint64_t now, uint32_t now_s)
{
	const struct sb_neigh_entry *ne = &arp->neigh->e[idx];
	uint64_t confirmed;

	if (idx >= arp->neigh->n || !ne->in_use)
		return SB_ARP_FREE;
	if (arp->e[idx].is_static)
		return SB_ARP_STATIC;
	if (!(__atomic_load_n(&ne->mac_state, __ATOMIC_RELAXED) & SB_NEIGH_VALID))
		return SB_ARP_INCOMPLETE;
	confirmed = arp->e[idx].confirmed_ms ? arp->e[idx].confirmed_ms : arp->e[idx].seen_ms;
	if (now - confirmed < SB_ARP_REACHABLE_MS)
		return SB_ARP_REACHABLE;
	if (arp->e[idx].hold_ms > now)
		return SB_ARP_FAILED;
	if (arp->e[idx].probes != 0)
		return SB_ARP_PROBE;
	(void)now_s;
	return SB_ARP_STALE;
}

const char *
sb_arp_state_name(enum sb_arp_state s)
{
	static const char *const name[] = {
		[SB_ARP_FREE] = "free", [SB_ARP_STATIC] = "static",
		[SB_ARP_INCOMPLETE] = "incomplete", [SB_ARP_REACHABLE] = "reachable",
		[SB_ARP_STALE] = "stale", [SB_ARP_PROBE] = "probe", [SB_ARP_FAILED] = "failed",
	};

	return (unsigned)s < RTE_DIM(name) ? name[s] : "?";
}

/* Used by a worker within the last @s seconds (TSC seconds @now_s). */
static inline bool
used_within(const struct sb_neigh_entry *ne, uint32_t now_s, uint32_t s)
{
	uint32_t u = __atomic_load_n(&ne->used_s, __ATOMIC_RELAXED);

	return u != 0 && now_s - u <= s;
}

/* Delete neighbour @idx: its control state goes with it. */
static void
forget(struct sb_arp *arp, uint32_t idx, uint64_t *count)
{
	sb_publish_neigh_del(arp->pub, idx);
	memset(&arp->e[idx], 0, sizeof(arp->e[idx]));
	(*count)++;
}

/* One step of neighbour @idx's life; true when it was deleted. */
static bool
age_one(struct sb_arp *arp, uint32_t idx, uint64_t now, uint32_t now_s)
{
	const struct sb_neigh_entry *ne = &arp->neigh->e[idx];
	typeof(arp->e[0]) *a = &arp->e[idx];
	struct rte_ether_addr mac;

	if (a->seen_ms == 0)
		a->seen_ms = now;  /* made by someone else (publish, punt) */
	switch (sb_arp_state(arp, idx, now, now_s)) {
	case SB_ARP_INCOMPLETE:
		/* Asked (by a worker or control) and never answered. */
		if (!ne->pinned && now - a->seen_ms >= SB_ARP_PROBES * SB_ARP_RETRANS_MS) {
			forget(arp, idx, &arp->failed);
			return true;
		}
		return false;
	case SB_ARP_REACHABLE:
		a->probes = 0;
		return false;
	case SB_ARP_STALE:
	case SB_ARP_PROBE:
		break;
	default:
		return false;
	}
	if (a->probes != 0 || used_within(ne, now_s, SB_ARP_DELAY_S)) {
		/* In use but unconfirmed: ask it, to its MAC, up to
		 * SB_ARP_PROBES times a second apart. */
		if (a->probes != 0 && now - a->last_request_ms < SB_ARP_RETRANS_MS)
			return false;
		if (a->probes < SB_ARP_PROBES && sb_neigh_mac(arp->neigh, idx, &mac)) {
			a->probes++;
			a->last_request_ms = now;
			sb_pkt_inject(arp->inject, ne->port,
				      sb_pkt_arp(arp->pool, RTE_ARP_OP_REQUEST, &arp->mac[ne->port],
						 arp->cfg->ports[ne->port].addr, &mac, ne->ip));
			return false;
		}
		if (!ne->pinned) {
			forget(arp, idx, &arp->failed);
			return true;
		}
		/* A gateway keeps its MAC (the WAN's monitors judge it);
		 * asked again a reachable time later. */
		a->probes = 0;
		a->hold_ms = now + SB_ARP_REACHABLE_MS;
		return false;
	}
	if (!ne->pinned && now - RTE_MAX(a->confirmed_ms, a->seen_ms) >= SB_ARP_GC_STALE_MS &&
	    !used_within(ne, now_s, SB_ARP_GC_STALE_MS / 1000)) {
		forget(arp, idx, &arp->evicted);
		return true;
	}
	return false;
}

unsigned
sb_arp_age(struct sb_arp *arp, uint64_t now, uint32_t now_s)
{
	uint32_t n = arp->neigh->n;
	unsigned gone = 0;

	(void)sb_publish_neigh_reclaim(arp->pub);
	/* A flood's summary line without waiting for the next change. */
	if (arp->log_unlogged != 0 && now - arp->log_window_ms >= 1000)
		log_window_end(arp);
	for (unsigned k = 0; k < SB_ARP_AGE_BUDGET && k < n; k++) {
		uint32_t idx = arp->age_cursor++ % n;

		if (arp->neigh->e[idx].in_use && age_one(arp, idx, now, now_s))
			gone++;
	}
	arp->age_cursor %= n ? n : 1;
	return gone;
}

bool
sb_arp_is_static(const struct sb_arp *arp, uint32_t idx)
{
	return idx < SB_MAX_NEIGH && arp->e[idx].is_static;
}
