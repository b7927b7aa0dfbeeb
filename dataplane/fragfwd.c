/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "fragfwd.h"
#include "l2out.h"
#include "nat.h"
#include "handoff.h"

static void
later_fragment(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	       struct rte_mbuf *m, const struct sb_meta *md, uint64_t now, bool may_hold)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct sb_frag_key fk = { .src = md->src, .dst = md->dst, .id = md->ip_id,
				  .proto = md->proto };
	struct rte_ether_addr dmac;
	struct sb_session *s;
	uint32_t idx, tag;
	uint8_t dir;
	unsigned out;

	if (sb_frag_find(w->frag, &fk, now, &idx, &tag, &dir) != 0) {
		/* Its first fragment may still be on the way: wait for it. */
		int slot = may_hold ? sb_frag_hold(w->frag, &fk, m, (uint16_t)in, now) : -ENOENT;

		if (slot >= 0) {
			w->frag_md[slot] = *md;
			w->cnt.frag_held++;
			return;
		}
		if (may_hold)
			w->cnt.frag_hold_refused++;
		sb_wk_drop(w, m, SB_DROP_FRAG_NO_FLOW);
		return;
	}
	if (unlikely(dir == SB_FRAG_FOREIGN)) {
		/* Its first fragment went to another worker. */
		sb_ho_give(w, idx, m, in);
		return;
	}
	s = sb_ct_session(w->ct, idx);
	/* Bound to the session its first fragment passed with (the index
	 * may have been freed and reused since, LIFO) and to that flow's
	 * addresses in its direction. */
	if (!s->in_use || sb_wk_frag_tag(s) != tag || s->proto != md->proto ||
	    (dir == SB_CT_DIR_ORIG ? md->src != s->lan_addr || md->dst != sb_ct_orig_dst(w->ct, s) :
	     md->src != s->rem_addr || md->dst != sb_ct_ext_addr(w->ct, s)) ||
	    (dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) != in ||
	    sb_wk_session_stale(w, st, s)) {
		sb_wk_drop(w, m, SB_DROP_FRAG_NO_FLOW);
		return;
	}
	if (md->ttl <= 1) {
		sb_wk_drop(w, m, SB_DROP_TTL_EXCEEDED);
		return;
	}
	/* One side of a hairpin across workers loops it to the other's
	 * worker, as its first fragment went (fastpath.c). */
	out = dir == SB_CT_DIR_ORIG ? s->out_port : s->in_port;
	bool loop = sb_ho_loops(w, s, dir, out);

	if (!loop && !sb_l2out_session_hop(w, s, dir, md->dst, &out, &dmac)) {
		sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	if (s->nat) {
		bool orig = dir == SB_CT_DIR_ORIG;

		sb_nat_set_addr(l3, orig, orig ? sb_ct_ext_addr(w->ct, s) : s->lan_addr);
		/* Hairpin: the other address too, as its first fragment had
		 * (to the other host; from our external address). */
		if (s->nat == SB_CT_NAT_HAIRPIN)
			sb_nat_set_addr(l3, !orig, orig ? s->rem_addr : sb_ct_orig_dst(w->ct, s));
	}
	sb_nat_ttl_dec(l3);
	w->cnt.frag_forwarded++;
	w->cnt.forwarded++;
	if (unlikely(loop))
		sb_ho_loop(w, out, m, s, dir);
	else
		sb_l2out_tx(w, out, m, &dmac);
}

void
sb_fragfwd_later(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	later_fragment(w, b->st, b->in, p->m, &p->md, b->now, true);
}

struct release_ctx {
	struct sb_worker *w;
	const struct sb_dp_state *st;
	uint64_t now;
};

static void
on_held(void *arg, void *pkt, uint16_t in, unsigned slot, enum sb_frag_fate fate)
{
	struct release_ctx *x = arg;
	struct sb_worker *w = x->w;

	if (fate == SB_FRAG_RELEASED) {
		/* Not held again (may_hold false): its slot's md stays put. */
		w->cnt.frag_released++;
		later_fragment(w, x->st, in, pkt, &w->frag_md[slot], x->now, false);
	} else {
		sb_wk_drop(w, pkt, SB_DROP_FRAG_NO_FLOW);
	}
}

void
sb_fragfwd_release(struct sb_worker *w, const struct sb_dp_state *st, uint64_t now, bool all)
{
	struct release_ctx x = { w, st, now };

	if (w->frag->n_held != 0)
		sb_frag_scan(w->frag, now, all, on_held, &x);
}
