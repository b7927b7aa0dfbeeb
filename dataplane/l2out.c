/* SPDX-License-Identifier: BSD-3-Clause */
#include "l2out.h"

/* Send what port @p's tx buffer holds. */
static void
flush_port(struct sb_worker *w, unsigned p)
{
	w->cnt.tx += rte_eth_tx_buffer_flush(w->port[p].port_id, (uint16_t)w->id, w->port[p].txb);
}

void
sb_l2out_park(struct sb_worker *w, unsigned out, uint32_t ip_host, struct rte_mbuf *m,
	      uint64_t now)
{
	if (w->n_parked == SB_PARK_MAX) {
		sb_wk_drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	w->parked[w->n_parked++] = (struct sb_parked){
		.m = m, .tsc = now, .ip = ip_host, .port = (uint16_t)out,
	};
	w->cnt.parked++;
}

void
sb_l2out_unpark(struct sb_worker *w, uint64_t now)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < w->n_parked; i++) {
		struct sb_parked *p = &w->parked[i];
		int32_t idx = sb_neigh_find(w->neigh, p->port, p->ip);
		struct rte_ether_addr mac;

		if (idx >= 0 && sb_neigh_mac(w->neigh, (uint32_t)idx, &mac)) {
			w->cnt.parked_sent++;
			sb_l2out_tx(w, p->port, p->m, &mac);
		} else if (now - p->tsc > w->tsc_hz) {
			sb_wk_drop(w, p->m, SB_DROP_NEIGH_UNRESOLVED);
		} else {
			w->parked[keep++] = *p;
		}
	}
	w->n_parked = keep;
}

void
sb_l2out_inject(struct sb_worker *w)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned n = rte_ring_dequeue_burst(w->inject, (void **)m, SB_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		unsigned out = m[i]->hash.usr;
		struct sb_wport *p;

		if (out >= w->n_ports) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		p = &w->port[out];
		if (!sb_l2out_tag(w, p, &m[i]))
			continue;
		w->cnt.injected++;
		/* Control's frames (probes, ARP) go before the buffered data
		 * and get a few tries at a full tx ring: a burst of traffic
		 * must not cost a WAN its probes. */
		flush_port(w, out);
		for (unsigned t = 0; t < 4; t++) {
			if (rte_eth_tx_burst(p->port_id, (uint16_t)w->id, &m[i], 1) == 1) {
				w->cnt.tx++;
				m[i] = NULL;
				break;
			}
		}
		if (m[i] != NULL)
			sb_wk_drop(w, m[i], SB_DROP_TX_FULL);
	}
}

void
sb_l2out_flush(struct sb_worker *w)
{
	sb_l2out_flush_at(w, rte_rdtsc());
}

void
sb_l2out_flush_at(struct sb_worker *w, uint64_t t)
{
	/* Once a loop: the second neighbours are marked used in
	 * (sb_l2out_resolve), without a division per packet, and one a
	 * second only (a 64-bit division per loop was most of an idle
	 * worker's loop). */
	if (unlikely(t >= w->now_s_next)) {
		w->now_s = (uint32_t)(t / w->tsc_hz);
		w->now_s_next = ((uint64_t)w->now_s + 1) * w->tsc_hz;
	}
	for (unsigned p = 0; p < w->n_ports; p++)
		flush_port(w, p);
}

void
sb_l2out_send(struct sb_worker *w, unsigned out, struct rte_mbuf **m, unsigned n)
{
	const struct sb_wport *p = &w->port[out];
	uint16_t sent;

	if (unlikely(p->txb->length != 0))
		flush_port(w, out);
	sent = rte_eth_tx_burst(p->port_id, (uint16_t)w->id, m, (uint16_t)n);
	w->cnt.tx += sent;
	if (unlikely(sent < n)) {
		w->cnt.drop[SB_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
}

void
sb_l2out_free_parked(struct sb_worker *w)
{
	for (unsigned i = 0; i < w->n_parked; i++)
		rte_pktmbuf_free(w->parked[i].m);
	w->n_parked = 0;
}
