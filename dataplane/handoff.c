/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: handing packets to the worker that owns them (handoff.h). */
#include <string.h>

#include <rte_ring.h>

#include "handoff.h"
#include "fragfwd.h"
#include "l2out.h"

unsigned
sb_ho_owner_slow(struct sb_worker *w, unsigned in, struct rte_mbuf *m, const struct sb_meta *d)
{
	if (d->frag == SB_FRAG_LATER) {
		/* Its first fragment's worker, when a notice named it. */
		struct sb_frag_key fk = { .src = d->src, .dst = d->dst, .id = d->ip_id,
					  .proto = d->proto };
		uint32_t owner, tag;
		uint8_t dir;

		if (sb_frag_find(w->frag, &fk, rte_rdtsc(), &owner, &tag, &dir) == 0 &&
		    dir == SB_FRAG_FOREIGN && owner < w->ho.n)
			return owner;
		return w->id;   /* its own, or held here until a notice comes */
	}
	if (d->proto == IPPROTO_ICMP) {
		/* An error: the owner of the packet it quotes, whose session
		 * key is that of a packet going the other way (nat.c). */
		const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, d->l3_off);
		struct sb_ct_key k;
		uint16_t off;

		if (sb_nat_icmp_err_key(l3, (uint32_t)d->l4_off + d->l4_len, &k, &off) != SB_DROP_MAX)
			return w->id;   /* dropped (counted) where it is */
		return sb_ho_tuple_owner(w, in, k.proto, k.dst, k.sport, k.dport);
	}
	/* No ports: one worker for the protocol both ways. */
	return 0;
}

void
sb_ho_flush_one(struct sb_worker *w, unsigned to)
{
	struct sb_ho_queue *q = &w->ho.q[to];
	unsigned sent = rte_ring_sp_enqueue_burst(w->ho.out[to], (void **)q->m, q->n, NULL);

	if (unlikely(sent < q->n)) {
		/* The owner is behind: drop rather than wait (counted here,
		 * where the packet was). */
		w->cnt.drop[SB_DROP_HANDOFF_FULL] += q->n - sent;
		w->cnt.handoff_out -= q->n - sent;
		rte_pktmbuf_free_bulk(q->m + sent, q->n - sent);
	}
	q->n = 0;
}

void
sb_ho_flush(struct sb_worker *w)
{
	for (unsigned j = 0; j < w->ho.n; j++)
		if (w->ho.q[j].n != 0)
			sb_ho_flush_one(w, j);
}

void
sb_ho_loop(struct sb_worker *w, unsigned wan, struct rte_mbuf *m, const struct sb_session *s,
	   unsigned dir)
{
	struct sb_wport *wp = &w->port[wan];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	unsigned to = dir == SB_CT_DIR_ORIG ?
		sb_ho_external(w, wan, s->proto, s->rem_addr, s->rem_port) :
		sb_ho_external(w, wan, s->proto, s->lan_addr, s->lan_port);

	if (unlikely(to == w->id || w->ho.n < 2)) {
		sb_wk_drop(w, m, SB_DROP_LOCAL_UNHANDLED);
		return;
	}
	eh->dst_addr = wp->mac;
	eh->src_addr = wp->mac;
	if (!sb_l2out_tag(w, wp, &m))
		return;
	w->cnt.hairpin_looped++;
	sb_ho_give(w, to, m, wan | SB_HO_LOOP);
}

void
sb_ho_notify_fragment(struct sb_worker *w, const struct sb_frag_key *k, struct rte_mempool *mp)
{
	for (unsigned j = 0; j < w->ho.n; j++) {
		struct rte_mbuf *n;
		struct sb_ho_notice *x;

		if (j == w->id)
			continue;
		n = rte_pktmbuf_alloc(mp);
		if (n == NULL) {
			w->cnt.drop[SB_DROP_NOMEM]++;
			continue;
		}
		x = (struct sb_ho_notice *)rte_pktmbuf_append(n, sizeof(*x));
		x->k = *k;
		x->owner = w->id;
		sb_ho_give(w, j, n, SB_HO_NOTICE);
		w->cnt.handoff_out--;   /* not a packet */
		w->cnt.frag_notices_sent++;
	}
}

/* A notice from another worker: later fragments of its datagram go there;
 * those held here for it go now. */
static void
take_notice(struct sb_worker *w, struct rte_mbuf *n, uint64_t now, bool *release)
{
	const struct sb_ho_notice *x = rte_pktmbuf_mtod(n, const struct sb_ho_notice *);

	if (x->owner < w->ho.n && x->owner != w->id &&
	    sb_frag_add(w->frag, &x->k, x->owner, 0, SB_FRAG_FOREIGN, now) == 0)
		*release = true;
	rte_pktmbuf_free(n);
}

unsigned
sb_ho_receive(struct sb_worker *w)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned total = 0;
	bool release = false;
	uint64_t now = 0;

	for (unsigned j = 0; j < w->ho.n; j++) {
		unsigned n, s = 0;

		if (j == w->id)
			continue;
		n = rte_ring_sc_dequeue_burst(w->ho.in[j], (void **)m, SB_BURST, NULL);
		if (n == 0)
			continue;
		now = rte_rdtsc();
		/* Runs of packets from one ingress port, as the burst
		 * pipeline takes them; notices between them. */
		for (unsigned i = 0; i <= n; i++) {
			bool notice = i < n && m[i]->hash.usr == SB_HO_NOTICE;

			if (i < n && !notice && m[i]->hash.usr == m[s]->hash.usr)
				continue;
			if (i > s) {
				w->cnt.handoff_in += i - s;
				total += i - s;
				sb_worker_process_handed(w, m[s]->hash.usr, m + s, i - s);
			}
			if (notice)
				take_notice(w, m[i], now, &release);
			s = notice ? i + 1 : i;
		}
	}
	if (release)
		sb_fragfwd_release(w, __atomic_load_n(w->state, __ATOMIC_ACQUIRE), now, false);
	return total;
}
