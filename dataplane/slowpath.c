/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "slowpath.h"
#include "hairpin.h"
#include "forward.h"
#include "l2out.h"
#include "ecmp.h"
#include "fib.h"
#include "pcc.h"
#include "synhold.h"

static inline uint32_t
ecmp_hash(const struct sb_dp_state *st, const struct sb_meta *md)
{
	uint32_t h = rte_hash_crc_4byte(md->src ^ md->dst, 0x5b);

	if (st->ecmp == SB_ECMP_L4)
		h = rte_hash_crc_4byte(((uint32_t)md->sport << 16 | md->dport) ^ md->proto, h);
	return h;
}

/* The FIB table of a new flow: main, or the routing table of the WAN PCC
 * gives it (a connected destination bypasses PCC). */
static inline unsigned
flow_table(const struct sb_worker *w, const struct sb_dp_state *st, const struct sb_meta *md)
{
	if (st->pcc_class != 0 && !sb_wk_on_subnet(w, md->dst, -1)) {
		uint32_t h = sb_pcc_hash((enum sb_pcc_classifier)(st->pcc_class - 1), md);
		uint8_t m = st->pcc_bucket[h % SB_PCC_BUCKETS];

		if (m < SB_PCC_MAX)
			return st->pcc_table[m];
	}
	return 0;
}

/* Session @s's path died: route the flow of @md again, as a new flow
 * would go (same table, same resilient bucket). When the new path is
 * another gateway out of the same port the session just follows it: same
 * WAN, same source address and mapping, so even TCP survives. Returns
 * false when the flow must leave by another port (or has no route): the
 * caller flushes the session. */
static bool
path_reroute(struct sb_worker *w, const struct sb_dp_state *st, const struct sb_meta *md,
	     struct sb_session *s)
{
	const struct sb_path *p;
	uint32_t g;

	if (sb_fib_lookup(w->fib, flow_table(w, st, md), rte_be_to_cpu_32(md->dst), &g) != 0 ||
	    g >= st->n_nhg || st->nhg[g].n_paths == 0)
		return false;
	p = &st->nhg[g].path[sb_ecmp_pick(&st->nhg[g], ecmp_hash(st, md))];
	if (p->gw == 0 || p->port != s->out_port || p->nb >= SB_MAX_NEIGH)
		return false;
	s->out_nb = (uint16_t)p->nb;
	w->cnt.ct_path_rerouted++;
	return true;
}

/* A new flow from LAN port @in must come from a source the gateway would
 * route back out of @in: its connected subnet, or a route through it
 * (a routed LAN behind another router). */
static inline bool
lan_source_ok(const struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	      uint32_t src_be)
{
	uint32_t s = rte_be_to_cpu_32(src_be);
	uint32_t g;

	if ((s & w->port[in].mask) == w->port[in].net)
		return true;
	if (sb_fib_lookup(w->fib, 0, s, &g) != 0 || g >= st->n_nhg)
		return false;
	for (unsigned k = 0; k < st->nhg[g].n_paths; k++)
		if (st->nhg[g].path[k].port == in)
			return true;
	return false;
}

/* The neighbour a session's replies go to on LAN port @in for its LAN
 * host @host_be: SB_CT_NB_NONE when the host is on @in's connected subnet
 * (or on-link through a route on @in without a gateway): found by address
 * on the first reply; else the gateway index (pinned by control) of the
 * route through @in that lan_source_ok admitted the host by: a routed LAN
 * behind another router, whose hosts answer no ARP of ours. */
static uint16_t
lan_reply_nb(const struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	     uint32_t host_be)
{
	uint32_t h = rte_be_to_cpu_32(host_be);
	uint32_t g;

	if ((h & w->port[in].mask) == w->port[in].net ||
	    sb_fib_lookup(w->fib, 0, h, &g) != 0 || g >= st->n_nhg)
		return SB_CT_NB_NONE;
	for (unsigned k = 0; k < st->nhg[g].n_paths; k++) {
		const struct sb_path *p = &st->nhg[g].path[k];

		if (p->port == in)
			return p->gw != 0 && p->nb < SB_MAX_NEIGH ? (uint16_t)p->nb :
			       SB_CT_NB_NONE;
	}
	return SB_CT_NB_NONE;
}

/* An inbound SYN (no ACK) with no session, to the external port of a live
 * TCP mapping on masquerading WAN @in: one half of a simultaneous open. */
static inline bool
syn_to_mapping(const struct sb_worker *w, unsigned in, const struct sb_meta *d)
{
	return d->proto == IPPROTO_TCP &&
	       (d->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG &&
	       w->port[in].masquerade && d->dst == w->port[in].addr_be &&
	       sb_eim_ext_mapped(w->eim, in, SB_NAT_TCP, rte_be_to_cpu_16(d->dport));
}

int
sb_slowpath_open(struct sb_worker *w, const struct sb_burst *b, struct sb_pkt *p,
		 unsigned out, const struct sb_ct_key *reply, uint32_t nb, bool routed,
		 uint8_t nat, unsigned nat_wan, unsigned xaddr, const struct sb_eim_key *ek)
{
	const struct sb_meta *md = &p->md;
	struct sb_session *s;
	int64_t idx;

	/* One LAN host may not fill the table ([switchback]
	 * sessions_per_host): its new flows are refused, counted. */
	idx = b->looped || sb_ct_host_admit(w->ct, p->key.src) ?
	      sb_ct_insert_x(w->ct, &p->key, reply, nat, nat_wan, xaddr, b->now) : -EDQUOT;
	if (idx < 0) {
		if (ek != NULL)
			sb_eim_put(w->eim, ek, sb_wk_now_s(w));
		sb_wk_drop(w, p->m, idx == -ENOSPC ? SB_DROP_CT_FULL :
				    idx == -EDQUOT ? SB_DROP_CT_HOST_LIMIT : SB_DROP_CT_CONFLICT);
		return -1;
	}
	/* (A hairpin's side looped from another worker comes from the
	 * gateway's own address: its LAN host is counted there.) */
	if (!b->looped)
		sb_ct_host_count(w->ct, (uint32_t)idx);
	/* Simultaneous open (RFC 5382 REQ-2): the peer's SYN to this
	 * mapping came first and was held; it stays dropped, silently, and
	 * the connection proceeds with this SYN and the peer's SYN-ACK. */
	if (nat == SB_CT_NAT_SRC && md->proto == IPPROTO_TCP &&
	    (md->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	    sb_synhold_take(w->synhold, reply, b->now))
		w->cnt.syn_hold_matched++;
	s = sb_ct_session(w->ct, (uint32_t)idx);
	s->out_port = (uint8_t)out;
	s->in_port = (uint8_t)b->in;
	s->out_nb = nb == SB_NEIGH_NONE ? SB_CT_NB_NONE : (uint16_t)nb;
	s->in_nb = lan_reply_nb(w, b->st, b->in, p->key.src);
	s->routed = routed && s->out_nb != SB_CT_NB_NONE;
	s->wan_gen = (uint16_t)b->st->wan[out].gen;
	w->cnt.ct_created++;
	w->cnt.ct_created_port[out & 7]++;
	p->s = s;
	p->dir = SB_CT_DIR_ORIG;
	return 0;
}

/* A hit the fast path would not take. Returns true when the packet was
 * handed on (re-routed, reset); false when it continues as a miss. */
static bool
unusual_hit(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct sb_session *s = p->s;
	unsigned dir = p->dir;
	unsigned expect_in = dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port;
	/* Flushed by an earlier packet of this burst. */
	bool gone = !s->in_use;
	bool stale = gone || sb_wk_session_stale(w, b->st, s);

	p->s = NULL;
	if (expect_in == b->in && !stale && dir != SB_CT_DIR_ORIG) {
		/* A reply whose LAN host's router went away: the host's
		 * route now (another router, or on-link). */
		s->in_nb = lan_reply_nb(w, b->st, s->in_port, s->lan_addr);
		p->s = s;
		sb_vec_add(&b->fwd, p);
		return true;
	}
	if (expect_in == b->in && !stale) {
		/* Its gateway went away (the only other reason a hit on its
		 * own side is not clean). */
		if (path_reroute(w, b->st, &p->md, s)) {
			p->s = s;
			sb_vec_add(&b->fwd, p);
			return true;
		}
		/* The flow now leaves by another port: flushed like a WAN
		 * going down (TCP reset below). */
		w->cnt.ct_path_moved++;
		stale = true;
	}
	if (stale) {
		if (!gone) {
			/* Lazy flush: its WAN changed state since the session
			 * was made; re-classify the flow. */
			sb_wk_release_nat(w, s);
			sb_ct_delete(w->ct, sb_ct_index(w->ct, s));
			w->cnt.ct_flushed++;
		}
		/* A TCP connection cannot survive the move (its address
		 * changes): reset it towards the LAN host now rather than let
		 * it hang. */
		if (dir == SB_CT_DIR_ORIG && expect_in == b->in && p->md.proto == IPPROTO_TCP &&
		    !(p->md.tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG))) {
			sb_vec_add(&b->reset, p);
			return true;
		}
	}
	return false;
}

/* No session, from a WAN: only ICMP to this WAN port's own address (echo,
 * probe replies) is taken; the rest is unsolicited and dropped silently
 * (no RST, no ICMP). The gateway's other addresses (its LAN address,
 * another WAN's) are not answered from here: the reply would leave this
 * WAN from an address that is not its own (found by fuzz_worker). */
static void
wan_miss(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	const struct sb_meta *d = &p->md;
	unsigned in = b->in;

	if (sb_forward_wan_miss(w, b, p)) {
		/* A port forward or one-to-one NAT took it (forward.c). */
	} else if (unlikely(b->looped)) {
		/* A hairpin's first side, from another worker: its other
		 * side, to a LAN host's mapping here (hairpin.c). */
		sb_vec_add(&b->hairpin, p);
	} else if (d->proto == IPPROTO_ICMP && d->dst == w->port[in].addr_be) {
		sb_vec_add(&b->local, p);
	} else if (unlikely(syn_to_mapping(w, in, d)) &&
		   sb_synhold_add(w->synhold, &p->key, b->now) >= 0) {
		/* Recorded for 6 s in case the LAN host's SYN to this peer
		 * follows (RFC 5382 REQ-2); the packet itself is dropped
		 * silently either way. */
		sb_wk_drop(w, p->m, SB_DROP_TCP_SYN_HELD);
	} else {
		sb_wk_drop(w, p->m, SB_DROP_WAN_UNSOLICITED);
	}
}

/* A new flow from the LAN: route it, pick a path, map it, create the
 * session. */
static void
new_flow(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	const struct sb_dp_state *st = b->st;
	const struct sb_meta *md = &p->md;
	struct rte_mbuf *m = p->m;
	const struct sb_nhg *g;
	const struct sb_path *path;
	struct sb_ct_key reply;
	uint32_t nat_addr = md->src;
	uint16_t nat_port;
	unsigned out;
	uint32_t nb;
	struct rte_ether_addr dmac;
	struct sb_eim_key ek;
	int np = -1;

	if (unlikely(!lan_source_ok(w, st, b->in, md->src))) {
		sb_wk_drop(w, m, SB_DROP_SPOOFED);
		return;
	}
	/* Multicast (224/4) and the limited broadcast stay on their link
	 * (RFC 1812 5.3.5, and no multicast routing here): never routed,
	 * never translated out of a WAN. */
	if (unlikely(sb_wk_link_only_dst(md->dst))) {
		sb_wk_drop(w, m, SB_DROP_LAN_MULTICAST);
		return;
	}
	if (unlikely(md->ttl <= 1)) {
		w->cnt.drop[SB_DROP_TTL_EXCEEDED]++;
		sb_wk_punt(w, m, SB_PUNT_TTL_EXCEEDED, b->in);
		return;
	}
	/* A host at its session limit: refused before a NAT port is taken
	 * (a refused flow's port would sit out its hold-down, and the
	 * host's flood would drain the WAN's ports for everyone).
	 * sb_slowpath_open checks again, exactly, within a burst. */
	if (unlikely(!sb_ct_host_admit(w->ct, md->src))) {
		sb_wk_drop(w, m, SB_DROP_CT_HOST_LIMIT);
		return;
	}
	if (unlikely(sb_hairpin_wan(w, md) >= 0)) {
		sb_vec_add(&b->hairpin, p);
		return;
	}
	if (p->nhg >= st->n_nhg || st->nhg[p->nhg].n_paths == 0) {
		sb_wk_drop(w, m, SB_DROP_NO_ROUTE);
		return;
	}
	g = &st->nhg[p->nhg];
	/* Resilient buckets: a path going down moves only its own flows. */
	path = &g->path[sb_ecmp_pick(g, ecmp_hash(st, md))];
	out = path->port;
	/* A one-to-one host leaves by its own WAN, as its own address. */
	if (unlikely(w->fwd != NULL && w->fwd->n11 != 0) && w->port[out].role == SB_ROLE_WAN &&
	    sb_forward_nat11_out(w, b, p))
		return;

	nb = path->gw != 0 ? path->nb : SB_NEIGH_NONE;
	if (!sb_l2out_resolve(w, out, path->gw != 0 ? path->gw : rte_be_to_cpu_32(md->dst),
			      &nb, &dmac)) {
		sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	/* An on-link destination's entry may age out: the session keeps its
	 * index checked by address (a gateway's is pinned). */
	if (path->gw == 0)
		nb |= SB_CT_NB_BY_ADDR;

	/* Sessions exist for TCP, UDP and ICMP echo; other ICMP has no
	 * session of its own (errors are translated with their flow, in
	 * icmperr.c) and other protocols cannot be masqueraded. */
	if (md->proto == IPPROTO_ICMP && md->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		sb_wk_drop(w, m, SB_DROP_ICMP_UNHANDLED);
		return;
	}
	nat_port = md->sport; /* ICMP echo: the id */
	if (w->port[out].masquerade) {
		np = sb_nat_proto(md->proto);
		if (np < 0) {
			sb_wk_drop(w, m, SB_DROP_NAT_PROTO);
			return;
		}
		ek = sb_eim_key(md->src, md->sport, md->proto, out);
		int port = sb_eim_get(w->eim, &ek, (enum sb_nat_proto)np, sb_wk_rnd32(w),
				      sb_wk_now_s(w));

		if (port < 0) {
			sb_wk_drop(w, m, (unsigned)-port);
			return;
		}
		nat_port = rte_cpu_to_be_16((uint16_t)port);
		nat_addr = w->port[out].addr_be;
	}

	memset(&reply, 0, sizeof(reply));
	reply.src = md->dst;
	reply.dst = nat_addr;
	reply.sport = md->dport;
	reply.dport = nat_port;
	reply.proto = md->proto;
	if (sb_slowpath_open(w, b, p, out, &reply, nb, path->gw != 0,
			     np >= 0 ? SB_CT_NAT_SRC : SB_CT_NAT_NONE, out, 0,
			     np >= 0 ? &ek : NULL) == 0)
		sb_vec_add(&b->fwd, p);
}

uint64_t
sb_slowpath_run(struct sb_worker *w, struct sb_burst *b)
{
	const struct sb_dp_state *st = b->st;
	struct sb_pkt_vec news = { .n = 0 };
	uint8_t table[SB_BURST];
	uint32_t dst[SB_BURST], nhg[SB_BURST];
	uint64_t t0;

	for (unsigned i = 0; i < b->slow.n; i++) {
		struct sb_pkt *p = b->slow.p[i];

		if (p->s != NULL && unusual_hit(w, b, p))
			continue;
		if (w->port[b->in].role == SB_ROLE_WAN) {
			wan_miss(w, b, p);
			continue;
		}
		table[news.n] = (uint8_t)flow_table(w, st, &p->md);
		dst[news.n] = rte_be_to_cpu_32(p->md.dst);
		sb_vec_add(&news, p);
	}
	if (news.n == 0)
		return 0;
	t0 = b->timed ? rte_rdtsc() : 0;
	sb_fib_lookup_bulk(w->fib, table, dst, nhg, news.n);
	t0 = b->timed ? rte_rdtsc() - t0 : 0;
	w->cnt.stage_pkts[SB_STAGE_SLOW_FIB] += news.n;

	for (unsigned i = 0; i < news.n; i++) {
		struct sb_pkt *p = news.p[i];
		if (sb_wk_made_in_burst(w, b, p)) {
			sb_vec_add(&b->fwd, p);
			continue;
		}
		p->nhg = nhg[i];
		new_flow(w, b, p);
	}
	return t0;
}
