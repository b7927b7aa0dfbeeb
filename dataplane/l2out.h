/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: L2 output. The next hop's MAC from the neighbour table
 * (cached per session), VLAN tag per egress port, the per-port tx buffers;
 * packets whose neighbour is not resolved yet wait (parked, at most
 * SB_PARK_MAX, at most a second) while control asks ARP; frames control
 * built come in through the inject ring. Worker lcore. */
#ifndef SB_L2OUT_H
#define SB_L2OUT_H

#include <rte_ethdev.h>

#include "worker_priv.h"
#include "neigh.h"

/** Ask control to resolve @ip_host on port @out. Best effort: control
 * paces ARP requests itself. */
static inline void
sb_l2out_request(struct sb_worker *w, unsigned out, uint32_t ip_host)
{
	uint64_t v = ((uint64_t)out << 32) | ip_host;

	(void)rte_ring_enqueue(w->resolve, (void *)(uintptr_t)v);
}

/** Tag *@m with egress port @p's VLAN, if it has one (the mbuf may be
 * replaced). False when that failed: dropped, counted. */
static inline bool
sb_l2out_tag(struct sb_worker *w, const struct sb_wport *p, struct rte_mbuf **m)
{
	if (p->vlan != 0) {
		(*m)->vlan_tci = p->vlan;
		if (rte_vlan_insert(m) != 0) {
			sb_wk_drop(w, *m, SB_DROP_NOMEM);
			return false;
		}
	}
	return true;
}

/** Send @m out of port index @out with Ethernet destination @dmac. */
static inline void
sb_l2out_tx(struct sb_worker *w, unsigned out, struct rte_mbuf *m,
	    const struct rte_ether_addr *dmac)
{
	struct sb_wport *p = &w->port[out];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eh->dst_addr = *dmac;
	eh->src_addr = p->mac;
	if (sb_l2out_tag(w, p, &m))
		rte_eth_tx_buffer(p->port_id, 0, p->txb, m);
}

/** Send the @n ready frames @m out of port index @out in one tx burst,
 * after what its tx buffer holds (output keeps the order of processing);
 * the frames the TX ring has no room for are dropped (tx_full). */
void sb_l2out_send(struct sb_worker *w, unsigned out, struct rte_mbuf **m, unsigned n);

/** Neighbour MAC for @ip_host on port @out. *@cache holds a neighbour
 * index when known (SB_NEIGH_NONE otherwise) and is filled on success;
 * on failure control is asked to resolve it. An index given in *@cache
 * is trusted: a pinned gateway's, or one found within this worker loop
 * (neigh.h). The entry is marked used (ageing). */
static inline bool
sb_l2out_resolve(struct sb_worker *w, unsigned out, uint32_t ip_host, uint32_t *cache,
		 struct rte_ether_addr *mac)
{
	if (*cache == SB_NEIGH_NONE) {
		int32_t idx = sb_neigh_find(w->neigh, (uint16_t)out, ip_host);

		if (idx < 0) {
			sb_l2out_request(w, out, ip_host);
			return false;
		}
		*cache = (uint32_t)idx;
	}
	if (!sb_neigh_mac(w->neigh, *cache, mac)) {
		sb_l2out_request(w, out, ip_host);
		return false;
	}
	sb_neigh_touch(w->neigh, *cache, w->now_s);
	return true;
}

/** The same for a session's 16-bit neighbour index (SB_CT_NB_NONE). An
 * index the session found by address is kept with SB_CT_NB_BY_ADDR and
 * checked against (@out, @ip_host) on every use: the entry may have aged
 * out and its index gone to another neighbour since (neigh.h); then, or
 * when it is unresolved, it is looked up again. An index without the
 * flag (a gateway's, given at the session's creation) is a pinned
 * entry's and is trusted. */
static inline bool
sb_l2out_resolve_s(struct sb_worker *w, unsigned out, uint32_t ip_host, uint16_t *cache,
		   struct rte_ether_addr *mac)
{
	uint32_t c;
	bool ok;

	if (*cache != SB_CT_NB_NONE && (*cache & SB_CT_NB_BY_ADDR)) {
		c = *cache & ~SB_CT_NB_BY_ADDR;
		if (sb_neigh_mac_of(w->neigh, c, (uint16_t)out, ip_host, mac)) {
			sb_neigh_touch(w->neigh, c, w->now_s);
			return true;
		}
		*cache = SB_CT_NB_NONE;
	}
	if (*cache != SB_CT_NB_NONE) {
		c = *cache;
		return sb_l2out_resolve(w, out, ip_host, &c, mac);
	}
	c = SB_NEIGH_NONE;
	ok = sb_l2out_resolve(w, out, ip_host, &c, mac);
	if (c != SB_NEIGH_NONE)
		*cache = (uint16_t)(c | SB_CT_NB_BY_ADDR);
	return ok;
}

/** The next hop of session @s's original direction for a packet to
 * @dst_host (host order): its gateway (the pinned entry of an index
 * cached without SB_CT_NB_BY_ADDR), else @dst_host itself, on-link. */
static inline uint32_t
sb_l2out_orig_hop(const struct sb_worker *w, const struct sb_session *s, uint32_t dst_host)
{
	return s->out_nb != SB_CT_NB_NONE && !(s->out_nb & SB_CT_NB_BY_ADDR) ?
	       w->neigh->e[s->out_nb].ip : dst_host;
}

/** The next hop of session @s's reply direction: the router its LAN host
 * is behind (a routed LAN: the pinned entry of an index cached without
 * SB_CT_NB_BY_ADDR, given at the session's creation), else the LAN host
 * itself, on-link. */
static inline uint32_t
sb_l2out_reply_hop(const struct sb_worker *w, const struct sb_session *s)
{
	return s->in_nb != SB_CT_NB_NONE && !(s->in_nb & SB_CT_NB_BY_ADDR) ?
	       w->neigh->e[s->in_nb].ip : rte_be_to_cpu_32(s->lan_addr);
}

/** The egress of a packet going along session @s in direction @dir:
 * port *@out and next hop MAC @mac (the original direction's next hop is
 * the session's cached gateway, else the packet's destination @dst_be;
 * the reply's is the LAN host's router, else the LAN host). False when
 * unresolved (asked for). */
static inline bool
sb_l2out_session_hop(struct sb_worker *w, struct sb_session *s, unsigned dir, uint32_t dst_be,
		     unsigned *out, struct rte_ether_addr *mac)
{
	if (dir == SB_CT_DIR_ORIG) {
		*out = s->out_port;
		/* A hairpinned packet goes to the other host (rem_addr). */
		if (s->nat == SB_CT_NAT_HAIRPIN)
			dst_be = s->rem_addr;
		return sb_l2out_resolve_s(w, *out, sb_l2out_orig_hop(w, s, rte_be_to_cpu_32(dst_be)),
					  &s->out_nb, mac);
	}
	*out = s->in_port;
	return sb_l2out_resolve_s(w, *out, sb_l2out_reply_hop(w, s), &s->in_nb, mac);
}

/** Hold the fully rewritten @m until ARP answers for @ip_host on @out,
 * as Linux does, instead of dropping it: a host's first connection does
 * not have to wait for a retransmission. Bounded in count and time. */
void sb_l2out_park(struct sb_worker *w, unsigned out, uint32_t ip_host, struct rte_mbuf *m,
		   uint64_t now);

/** Send the parked packets whose neighbour is now known; drop those that
 * waited a second. */
void sb_l2out_unpark(struct sb_worker *w, uint64_t now);

/** Send the frames control queued on the inject ring. */
void sb_l2out_inject(struct sb_worker *w);

/** Flush every port's tx buffer. */
void sb_l2out_flush(struct sb_worker *w);

/** The same with the loop's TSC @t (one rdtsc a loop). */
void sb_l2out_flush_at(struct sb_worker *w, uint64_t t);

/** Give up parked packets (the worker is being freed). Main lcore. */
void sb_l2out_free_parked(struct sb_worker *w);

#endif
