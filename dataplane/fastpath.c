/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>

#include <rte_prefetch.h>

#include "fastpath.h"
#include "l2out.h"
#include "nat.h"
#include "handoff.h"

/* Sessions are fetched this many packets ahead (a table of 64k flows no
 * longer sits in L1). */
#define PREFETCH_OFFSET 3

/* The port (ICMP echo: the id) a general rewrite writes into a packet of
 * session @s going in direction @dir: the translated source port going
 * out, the LAN host's port coming back. An echo reply sent by the session's
 * original side (an inbound echo session, one-to-one NAT: the internal
 * host answers) carries its id as the destination "port" of the orig key,
 * and an echo request coming back as the reply key's source: there the id
 * is the other field of the pair (kept as it is by one-to-one NAT). */
static inline uint16_t
rewrite_port(const struct sb_meta *md, const struct sb_session *s, unsigned dir)
{
	if (dir == SB_CT_DIR_ORIG)
		return md->proto == IPPROTO_ICMP && md->icmp_type == RTE_IP_ICMP_ECHO_REPLY ?
		       s->rem_port : s->ext_port;
	return md->proto == IPPROTO_ICMP && md->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ?
	       s->orig_dport : s->lan_port;
}

/* Forward packet @p along its session. */
static inline void
forward(struct sb_worker *w, const struct sb_burst *b, struct sb_pkt *p)
{
	struct rte_mbuf *m = p->m;
	const struct sb_meta *md = &p->md;
	struct sb_session *s = p->s;
	unsigned dir = p->dir;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct rte_ether_addr dmac;
	unsigned out;
	uint32_t hop;
	bool ok;

	if (unlikely(md->ttl <= 1)) {
		w->cnt.drop[SB_DROP_TTL_EXCEEDED]++;
		sb_wk_punt(w, m, SB_PUNT_TTL_EXCEEDED,
			   dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port);
		return;
	}
	if (md->proto == IPPROTO_TCP) {
		/* Blind RSTs far from the sender's sequence are ignored. */
		const uint8_t *th = l3 + md->l4_off;
		uint32_t seq;

		memcpy(&seq, th + 4, 4);
		if (!sb_ct_tcp_segment(s, rte_be_to_cpu_32(seq),
				       md->l4_len - (uint32_t)(th[12] >> 4) * 4u, md->tcp_flags, dir)) {
			sb_wk_drop(w, m, SB_DROP_TCP_RST_WINDOW);
			return;
		}
	}
	/* TCP and UDP through a translating session: the rewrite prepared at
	 * its creation, TTL included; ICMP echo and untranslated sessions:
	 * the general rewrite, TTL below. */
	bool prepared = s->nat != SB_CT_NAT_NONE && md->proto != IPPROTO_ICMP;
	bool hp = s->nat == SB_CT_NAT_HAIRPIN;

	if (dir == SB_CT_DIR_ORIG) {
		out = s->out_port;
		hop = sb_l2out_orig_hop(w, s, rte_be_to_cpu_32(hp ? s->rem_addr : md->dst));
		ok = sb_l2out_resolve_s(w, out, hop, &s->out_nb, &dmac);
		if (likely(prepared)) {
			sb_nat_apply(l3, md, sb_ct_ext_addr(w->ct, s), hp ? s->rem_addr : md->dst,
				     s->ext_port, hp ? s->rem_port : md->dport, s->ck_ip, s->ck_l4);
			w->cnt.nat_out++;
		} else if (s->nat) {
			sb_nat_rewrite_src(l3, md, sb_ct_ext_addr(w->ct, s),
					   rewrite_port(md, s, dir));
			if (hp)
				sb_nat_rewrite_dst(l3, md, s->rem_addr, s->rem_port);
			w->cnt.nat_out++;
		}
	} else {
		out = s->in_port;
		hop = rte_be_to_cpu_32(s->lan_addr);
		ok = sb_l2out_resolve_s(w, out, hop, &s->in_nb, &dmac);
		if (likely(prepared)) {
			sb_nat_apply(l3, md, hp ? sb_ct_orig_dst(w->ct, s) : md->src, s->lan_addr,
				     hp ? s->orig_dport : md->sport, s->lan_port,
				     (uint16_t)~s->ck_ip, (uint16_t)~s->ck_l4);
			w->cnt.nat_in++;
		} else if (s->nat) {
			sb_nat_rewrite_dst(l3, md, s->lan_addr, rewrite_port(md, s, dir));
			if (hp)
				sb_nat_rewrite_src(l3, md, sb_ct_orig_dst(w->ct, s), s->orig_dport);
			w->cnt.nat_in++;
		}
		if (s->state == SB_CT_NEW && md->proto != IPPROTO_TCP)
			s->state = SB_CT_ESTABLISHED;
	}
	if (md->proto == IPPROTO_TCP)
		sb_ct_tcp_update(s, md->tcp_flags, dir);
	if (unlikely(md->frag == SB_FRAG_FIRST)) {
		/* Later fragments follow this session (shallow reassembly). */
		struct sb_frag_key fk = { .src = md->src, .dst = md->dst, .id = md->ip_id,
					  .proto = md->proto };

		if (sb_frag_add(w->frag, &fk, sb_ct_index(w->ct, s), sb_wk_frag_tag(s),
				(uint8_t)dir, b->now) == 0) {
			w->cnt.frag_tracked++;
			if (w->ho.n > 1)
				sb_ho_notify_fragment(w, &fk, m->pool);
		} else
			w->cnt.frag_table_full++;
	}
	if (!prepared)
		sb_nat_ttl_dec(l3);
	/* Outbound refresh only: an outside host cannot keep a mapping open
	 * by sending to it (RFC 4787 REQ-6 makes inbound refresh optional).
	 * Inbound sessions (forwards) are the outside's to keep: both ways. */
	if (dir == SB_CT_DIR_ORIG || s->nat == SB_CT_NAT_FWD)
		sb_ct_touch(w->ct, s, b->now);
	w->cnt.forwarded++;
	if (likely(ok))
		sb_l2out_tx(w, out, m, &dmac);
	else
		sb_l2out_park(w, out, hop, m, b->now);
}

unsigned
sb_fastpath_hits(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v)
{
	const struct sb_dp_state *st = b->st;
	unsigned in = b->in, done = 0;

	for (unsigned i = 0; i < v->n && i < PREFETCH_OFFSET; i++)
		if (v->p[i]->s != NULL)
			rte_prefetch0(v->p[i]->s);
	for (unsigned i = 0; i < v->n; i++) {
		struct sb_pkt *p = v->p[i];
		const struct sb_session *s = p->s;

		if (i + PREFETCH_OFFSET < v->n && v->p[i + PREFETCH_OFFSET]->s != NULL)
			rte_prefetch0(v->p[i + PREFETCH_OFFSET]->s);
		if (likely(s != NULL) &&
		    likely((p->dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) == in) &&
		    likely(!sb_wk_session_stale(w, st, s)) &&
		    likely(p->dir != SB_CT_DIR_ORIG || !sb_wk_path_dead(st, s))) {
			forward(w, b, p);
			done++;
			continue;
		}
		sb_vec_add(&b->slow, p);
	}
	return done;
}

void
sb_fastpath_forward(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v)
{
	for (unsigned i = 0; i < v->n; i++)
		forward(w, b, v->p[i]);
}
