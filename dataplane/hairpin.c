/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "hairpin.h"
#include "forward.h"
#include "slowpath.h"
#include "l2out.h"
#include "fib.h"
#include "handoff.h"

/* With several workers, when what A aims at (B's mapping, a forward, a
 * one-to-one address) lives with another worker: A's side here, as any
 * flow of A's (its own mapping, RFC 4787 REQ-9), towards the gateway's
 * address; its packets are looped to that worker as if they came in from
 * WAN @wan (forward() in fastpath.c, sb_ho_loop), which makes B's side
 * (below, or a forward's inbound session) and loops B's answers back. */
static void
hairpin_first_side(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p, unsigned wan)
{
	const struct sb_meta *md = &p->md;
	struct sb_eim_key ak = sb_eim_key(md->src, md->sport, md->proto, wan);
	struct sb_ct_key reply;
	int ext_a = sb_eim_get(w->eim, &ak, (enum sb_nat_proto)sb_nat_proto(md->proto),
			       sb_wk_rnd32(w), sb_wk_now_s(w));

	if (ext_a < 0) {
		sb_wk_drop(w, p->m, (unsigned)-ext_a);
		return;
	}
	memset(&reply, 0, sizeof(reply));
	reply.src = md->dst;
	reply.dst = w->port[wan].addr_be;
	reply.sport = md->dport;
	reply.dport = rte_cpu_to_be_16((uint16_t)ext_a);
	reply.proto = md->proto;
	if (sb_slowpath_open(w, b, p, wan, &reply, SB_NEIGH_NONE, false, SB_CT_NAT_SRC, wan, 0,
			     &ak) == 0)
		sb_vec_add(&b->fwd, p);
}

static void
hairpin(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p, unsigned wan)
{
	const struct sb_dp_state *st = b->st;
	const struct sb_meta *md = &p->md;
	struct rte_mbuf *m = p->m;
	int np = sb_nat_proto(md->proto);
	struct sb_eim_key ak, bk;
	struct sb_ct_key reply;
	struct rte_ether_addr dmac;
	uint32_t g, nb = SB_NEIGH_NONE;
	unsigned out;
	int ext_a, xaddr;

	if (w->ho.n > 1 && !b->looped &&
	    sb_ho_external(w, wan, md->proto, md->dst, md->dport) != w->id) {
		hairpin_first_side(w, b, p, wan);
		return;
	}
	/* A forwarded port (its server), a one-to-one address (its internal
	 * host), or another LAN host's mapping (a looped packet: only that,
	 * forward.c took the others). */
	xaddr = b->looped ? -1 : sb_forward_hairpin(w, wan, md, &bk);
	if (xaddr < 0 &&
	    sb_eim_find_ext(w->eim, wan, (enum sb_nat_proto)np, rte_be_to_cpu_16(md->dport),
			    &bk) != 0) {
		sb_wk_drop(w, m, SB_DROP_LOCAL_UNHANDLED);  /* no mapping there */
		return;
	}
	/* Where B lives: its route must be on a LAN port. */
	if (sb_fib_lookup(w->fib, 0, rte_be_to_cpu_32(bk.src), &g) != 0 || g >= st->n_nhg ||
	    st->nhg[g].n_paths == 0) {
		sb_wk_drop(w, m, SB_DROP_NO_ROUTE);
		return;
	}
	out = st->nhg[g].path[0].port;
	if (st->nhg[g].path[0].gw != 0)
		nb = st->nhg[g].path[0].nb;
	if (!sb_l2out_resolve(w, out, st->nhg[g].path[0].gw ? st->nhg[g].path[0].gw :
			      rte_be_to_cpu_32(bk.src), &nb, &dmac)) {
		sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	if (st->nhg[g].path[0].gw == 0)
		nb |= SB_CT_NB_BY_ADDR;  /* B on-link: checked by address (l2out.h) */
	/* Looped from A's worker: its source is already A's mapping (the
	 * session's source rewrite is the identity). */
	ak = sb_eim_key(md->src, md->sport, md->proto, wan);
	ext_a = b->looped ? rte_be_to_cpu_16(md->sport) :
		sb_eim_get(w->eim, &ak, (enum sb_nat_proto)np, sb_wk_rnd32(w), sb_wk_now_s(w));
	if (ext_a < 0) {
		sb_wk_drop(w, m, (unsigned)-ext_a);
		return;
	}
	memset(&reply, 0, sizeof(reply));
	reply.src = bk.src;
	reply.dst = w->port[wan].addr_be;
	reply.sport = bk.sport;
	reply.dport = rte_cpu_to_be_16((uint16_t)ext_a);
	reply.proto = md->proto;
	if (sb_slowpath_open(w, b, p, out, &reply, nb, false, SB_CT_NAT_HAIRPIN, wan,
			     xaddr > 0 ? (unsigned)xaddr : 0, b->looped ? NULL : &ak) == 0)
		sb_vec_add(&b->fwd, p);
}

void
sb_hairpin(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	/* The answer to a hairpin flow made earlier in this burst. */
	if (sb_wk_made_in_burst(w, b, p))
		sb_vec_add(&b->fwd, p);
	else
		hairpin(w, b, p, b->looped ? b->in : (unsigned)sb_hairpin_wan(w, &p->md));
}
