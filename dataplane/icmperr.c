/* SPDX-License-Identifier: BSD-3-Clause */
#include "icmperr.h"
#include "l2out.h"
#include "nat.h"
#include "handoff.h"

void
sb_icmperr_translate(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct rte_mbuf *m = p->m;
	const struct sb_meta *md = &p->md;
	unsigned in = b->in;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	uint32_t l3_len = (uint32_t)md->l4_off + md->l4_len;
	struct rte_ether_addr dmac;
	struct sb_ct_key k;
	uint16_t emb_off;
	unsigned r = (unsigned)sb_nat_icmp_err_key(l3, l3_len, &k, &emb_off);
	int64_t v;
	struct sb_session *s;
	unsigned out, dir;

	if (r != SB_DROP_MAX) {
		sb_wk_drop(w, m, r);
		return;
	}
	v = sb_ct_lookup(w->ct, &k);
	if (v < 0) {
		sb_wk_drop(w, m, SB_DROP_ICMP_NO_SESSION);
		return;
	}
	s = sb_ct_session(w->ct, SB_CT_IDX(v));
	dir = SB_CT_DIR(v);
	/* From the WAN side about a packet we sent (reply direction: to the
	 * LAN host), or from the LAN host about one it got from the WAN. */
	if (in != (dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) ||
	    (dir == SB_CT_DIR_REPLY && sb_wk_session_stale(w, b->st, s))) {
		sb_wk_drop(w, m, SB_DROP_ICMP_NO_SESSION);
		return;
	}
	/* About one side of a hairpin across workers (hairpin.c): not
	 * translated through the loop; dropped, counted. */
	if (unlikely(sb_ho_loops(w, s, dir, dir == SB_CT_DIR_ORIG ? s->out_port : s->in_port))) {
		sb_wk_drop(w, m, SB_DROP_ICMP_NO_SESSION);
		return;
	}
	if (!sb_l2out_session_hop(w, s, dir, md->dst, &out, &dmac)) {
		sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	if (s->nat && dir == SB_CT_DIR_REPLY)
		sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, false, s->lan_addr, s->lan_port);
	else if (s->nat)
		sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, true, sb_ct_ext_addr(w->ct, s),
					s->ext_port);
	if (md->ttl <= 1) {
		sb_wk_drop(w, m, SB_DROP_TTL_EXCEEDED); /* no error about an error */
		return;
	}
	sb_nat_ttl_dec(l3);
	w->cnt.icmp_errors++;
	w->cnt.forwarded++;
	sb_l2out_tx(w, out, m, &dmac);
}
