/* SPDX-License-Identifier: BSD-3-Clause */
#include "icmperr.h"
#include "l2out.h"
#include "nat.h"

static void
icmp_error(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	   struct rte_mbuf *m, const struct sb_meta *md)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	uint32_t l3_len = (uint32_t)md->l4_off + md->l4_len;
	struct rte_ether_addr dmac;
	struct sb_ct_key k;
	uint16_t emb_off;
	unsigned r = (unsigned)sb_nat_icmp_err_key(l3, l3_len, &k, &emb_off);
	int64_t v;
	struct sb_session *s;
	unsigned out;

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
	if (SB_CT_DIR(v) == SB_CT_DIR_REPLY) {
		/* From the WAN side, about a packet we sent: to the LAN host. */
		if (in != s->out_port || sb_wk_session_stale(w, st, s)) {
			sb_wk_drop(w, m, SB_DROP_ICMP_NO_SESSION);
			return;
		}
		out = s->in_port;
		if (!sb_l2out_resolve_s(w, out, rte_be_to_cpu_32(s->lan_addr), &s->in_nb, &dmac)) {
			sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, false, s->lan_addr, s->lan_port);
	} else {
		/* From the LAN host, about a packet it got from the WAN. */
		if (in != s->in_port) {
			sb_wk_drop(w, m, SB_DROP_ICMP_NO_SESSION);
			return;
		}
		out = s->out_port;
		if (!sb_l2out_resolve_s(w, out, rte_be_to_cpu_32(md->dst), &s->out_nb, &dmac)) {
			sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, true, sb_ct_ext_addr(w->ct, s),
						s->ext_port);
	}
	if (md->ttl <= 1) {
		sb_wk_drop(w, m, SB_DROP_TTL_EXCEEDED); /* no error about an error */
		return;
	}
	sb_nat_ttl_dec(l3);
	w->cnt.icmp_errors++;
	w->cnt.forwarded++;
	sb_l2out_tx(w, out, m, &dmac);
}

void
sb_icmperr_run(struct sb_worker *w, struct sb_burst *b)
{
	for (unsigned i = 0; i < b->icmp_err.n; i++)
		icmp_error(w, b->st, b->in, b->icmp_err.p[i]->m, &b->icmp_err.p[i]->md);
}
