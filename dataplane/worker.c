/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker's burst pipeline and its loop. Each stage of a
 * packet's path lives in its own file (worker_priv.h lists them); this
 * file parses, sorts, looks sessions up in bulk and runs the stages in
 * order, handing each the vector the previous one filled. */
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>

#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "resident.h"
#include "worker_priv.h"
#include "fastpath.h"
#include "slowpath.h"
#include "hairpin.h"
#include "icmperr.h"
#include "fragfwd.h"
#include "local.h"
#include "l2out.h"
#include "nat.h"
#include "synhold.h"
#include "handoff.h"

#define PREFETCH_OFFSET 3
#define SWEEP_BUDGET 64

static void
tx_drop_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct sb_worker *w = userdata;

	w->cnt.drop[SB_DROP_TX_FULL] += count;
	rte_pktmbuf_free_bulk(unsent, count);
}

struct sb_worker *
sb_worker_create(const struct sb_worker_conf *conf)
{
	struct sb_worker *w;
	char name[RTE_HASH_NAMESIZE];

	bool rings = true;

	for (unsigned r = 1; r < SB_PUNT_MAX; r++)
		rings &= conf->punt[r] != NULL;
	unsigned nw = conf->n_workers != 0 ? conf->n_workers : 1;

	for (unsigned j = 0; j < nw && nw > 1; j++)
		rings &= j == conf->id || (conf->ho_out[j] != NULL && conf->ho_in[j] != NULL);
	if (conf->n_ports > SB_MAX_PORTS || !rings || nw > SB_MAX_WORKERS || conf->id >= nw) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Its held fragments' metadata, parked packets, hand-off queues and
	 * probe replies seen are in it: resident. */
	w = sb_zmalloc_resident("sb_worker", sizeof(*w), 64, conf->socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->id = conf->id;
	w->n_ports = conf->n_ports;
	w->ct = conf->ct;
	w->eim = conf->eim;
	w->fwd = conf->fwd;
	w->fib = conf->fib;
	w->neigh = conf->neigh;
	w->state = conf->state;
	w->qs = conf->qs;
	for (unsigned r = 0; r < SB_PUNT_MAX; r++)
		w->punt[r] = conf->punt[r];
	w->expect = conf->expect;
	w->resolve = conf->resolve;
	w->inject = conf->inject;
	w->ho.n = nw;
	w->ho.mask = (nw & (nw - 1)) == 0 ? nw - 1 : 0;
	for (unsigned j = 0; j < nw; j++) {
		w->ho.out[j] = conf->ho_out[j];
		w->ho.in[j] = conf->ho_in[j];
	}
	w->tsc_hz = rte_get_tsc_hz();
	w->rnd = rte_rdtsc() | 1;
	{
		struct sb_police_conf pc;

		sb_police_defaults(&pc);
		sb_police_init(&w->police, &pc, w->tsc_hz, rte_rdtsc());
	}
	w->running = 1;
	for (unsigned p = 0; p < conf->n_ports; p++) {
		const struct sb_worker_port *pc = &conf->port[p];
		struct sb_wport *wp = &w->port[p];

		wp->port_id = pc->port_id;
		wp->role = pc->role;
		wp->masquerade = pc->masquerade;
		wp->dhcp = pc->dhcp;
		wp->dhcp_tokens = SB_DHCP_PUNT_BURST;
		wp->vlan = pc->vlan;
		wp->addr_be = rte_cpu_to_be_32(pc->addr);
		wp->mask = pc->prefix_len == 0 ? 0 : ~0u << (32 - pc->prefix_len);
		wp->net = pc->addr & wp->mask;
		wp->mac = pc->mac;
		sb_ct_set_port_addr(w->ct, p, wp->addr_be);
		wp->txb = rte_zmalloc_socket("sb_txb", RTE_ETH_TX_BUFFER_SIZE(SB_BURST), 64,
					     conf->socket);
		if (wp->txb == NULL)
			goto nomem;
		rte_eth_tx_buffer_init(wp->txb, SB_BURST);
		rte_eth_tx_buffer_set_err_callback(wp->txb, tx_drop_cb, w);
	}
	snprintf(name, sizeof(name), "sb_frag%u", conf->id);
	w->frag = sb_frag_create(name, conf->fragments, conf->socket, 5000);
	if (w->frag == NULL)
		goto fail;
	snprintf(name, sizeof(name), "sb_synhold%u", conf->id);
	w->synhold = sb_synhold_create(name, 1024, conf->socket, SB_SYNHOLD_MS);
	if (w->synhold == NULL)
		goto fail;
	return w;
nomem:
	rte_errno = ENOMEM;
fail:
	{
		int e = rte_errno;

		sb_worker_free(w);
		rte_errno = e;
	}
	return NULL;
}

static void
free_held(void *arg, void *pkt, uint16_t in, unsigned slot, enum sb_frag_fate fate)
{
	(void)arg;
	(void)in;
	(void)slot;
	(void)fate;
	rte_pktmbuf_free(pkt);
}

void
sb_worker_free(struct sb_worker *w)
{
	if (w == NULL)
		return;
	for (unsigned j = 0; j < w->ho.n; j++)
		rte_pktmbuf_free_bulk(w->ho.q[j].m, w->ho.q[j].n);
	if (w->frag != NULL)
		sb_frag_scan(w->frag, 0, true, free_held, NULL);
	sb_frag_free(w->frag);
	sb_synhold_free(w->synhold);
	sb_l2out_free_parked(w);
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		rte_free(w->port[p].txb);
	rte_free(w);
}

void
sb_worker_stop(struct sb_worker *w)
{
	__atomic_store_n(&w->running, 0, __ATOMIC_RELEASE);
}

const struct sb_counters *
sb_worker_counters(const struct sb_worker *w)
{
	return &w->cnt;
}

/* Punt a DHCP reply arriving on DHCP port @in, policed by a token bucket
 * per port (a server cannot flood control through it). */
static void
dhcp_punt(struct sb_worker *w, struct rte_mbuf *m, unsigned in)
{
	struct sb_wport *wp = &w->port[in];
	uint64_t now = rte_rdtsc(), per = w->tsc_hz / SB_DHCP_PUNT_RATE;
	uint64_t add = per != 0 ? (now - wp->dhcp_tsc) / per : SB_DHCP_PUNT_BURST;

	if (add > 0) {
		wp->dhcp_tokens = add >= SB_DHCP_PUNT_BURST ? SB_DHCP_PUNT_BURST :
			(uint32_t)(wp->dhcp_tokens + add > SB_DHCP_PUNT_BURST ?
				   SB_DHCP_PUNT_BURST : wp->dhcp_tokens + add);
		wp->dhcp_tsc = add >= SB_DHCP_PUNT_BURST ? now : wp->dhcp_tsc + add * per;
	}
	if (wp->dhcp_tokens == 0) {
		sb_wk_drop(w, m, SB_DROP_PUNT_POLICED);
		return;
	}
	wp->dhcp_tokens--;
	sb_wk_punt(w, m, SB_PUNT_DHCP, in);
}

static void on_expire(void *arg, struct sb_session *s);

/* A published state moved: DHCP ports take their address from it. A
 * changed address drops its sessions' reply keys first, while the old
 * one is still in the session table (conntrack.h, sb_ct_port_readdress). */
static void
dhcp_addresses(struct sb_worker *w, const struct sb_dp_state *st)
{
	w->addr_version = st->version;
	for (unsigned p = 0; p < w->n_ports; p++) {
		struct sb_wport *wp = &w->port[p];
		uint32_t a = st->wan[p].addr;
		uint8_t len = a != 0 ? st->wan[p].prefix_len : 0;

		if (!wp->dhcp || rte_cpu_to_be_32(a) == wp->addr_be)
			continue;
		sb_ct_port_readdress(w->ct, p, rte_cpu_to_be_32(a), on_expire, w);
		wp->addr_be = rte_cpu_to_be_32(a);
		wp->mask = len == 0 ? 0 : ~0u << (32 - len);
		wp->net = a & wp->mask;
	}
}

/* Parse each packet once and sort it: into @b->lookup when it may belong
 * to a session, or to the stage that takes it (later fragments, ICMP
 * errors, the gateway's own), or drop it (counted). */
static void
parse_burst(struct sb_worker *w, struct sb_burst *b, struct rte_mbuf **pkts, unsigned n)
{
	const struct sb_wport *ip = &w->port[b->in];

	for (unsigned i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (unsigned i = 0; i < n; i++) {
		struct sb_pkt *p = &b->pkt[i];
		struct rte_mbuf *m = pkts[i];
		struct sb_meta *d = &p->md;
		unsigned r;

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		p->m = m;
		r = sb_parse(m, d);
		if (unlikely(r != SB_DROP_MAX)) {
			sb_wk_drop(w, m, r);
			continue;
		}
		if (unlikely(d->vlan != ip->vlan)) {
			sb_wk_drop(w, m, SB_DROP_VLAN_MISMATCH);
			continue;
		}
		if (w->ho.n > 1 && !b->handed && d->kind == SB_PKT_IPV4) {
			/* Another worker's session or mapping: to it, as
			 * received (handoff.h). */
			unsigned o = sb_ho_owner(w, b->in, m, d);

			if (o != w->id) {
				sb_ho_give(w, o, m, b->in);
				continue;
			}
			w->cnt.handoff_same++;
		}
		if (d->vlan != 0) {
			/* Work untagged; tx tags again per egress port. */
			if (rte_vlan_strip(m) != 0) {
				sb_wk_drop(w, m, SB_DROP_TRUNCATED);
				continue;
			}
			d->l3_off -= sizeof(struct rte_vlan_hdr);
		}
		const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (unlikely(d->kind == SB_PKT_ARP)) {
			/* For us or broadcast only, then within its sender's
			 * share (d->src: the sender's IP) and ARP's. */
			if (!rte_is_same_ether_addr(&eh->dst_addr, &ip->mac) &&
			    !rte_is_broadcast_ether_addr(&eh->dst_addr))
				sb_wk_drop(w, m, SB_DROP_L2_NOT_FOR_US);
			else if (!sb_police_take_src(&w->police, b->in, d->src, rte_rdtsc()))
				sb_wk_drop(w, m, SB_DROP_ARP_SOURCE_POLICED);
			else
				sb_wk_punt(w, m, SB_PUNT_ARP, b->in);
			continue;
		}
		/* A DHCP reply to this port's client, unicast to an address it
		 * does not hold yet or broadcast: before the L2 check. */
		if (unlikely(ip->dhcp) && d->proto == IPPROTO_UDP &&
		    d->sport == RTE_BE16(67) && d->dport == RTE_BE16(68)) {
			dhcp_punt(w, m, b->in);
			continue;
		}

		if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &ip->mac))) {
			sb_wk_drop(w, m, SB_DROP_L2_NOT_FOR_US);
			continue;
		}
		/* From a WAN: not from a LAN subnet, nor from one of the
		 * gateway's own addresses (RFC 1812 5.3.7), unless another
		 * worker looped it (a hairpin, handoff.h). */
		if (ip->role == SB_ROLE_WAN &&
		    unlikely(sb_wk_on_subnet(w, d->src, SB_ROLE_LAN) ||
			     (sb_wk_is_own(w, d->src) && !b->looped))) {
			sb_wk_drop(w, m, SB_DROP_SPOOFED);
			continue;
		}
		if (unlikely(d->frag == SB_FRAG_LATER)) {
			/* After this burst's first fragments passed. */
			sb_vec_add(&b->later, p);
			continue;
		}
		if (unlikely(d->proto == IPPROTO_ICMP && sb_nat_icmp_is_error(d->icmp_type))) {
			/* After this burst's new sessions exist. */
			sb_vec_add(&b->icmp_err, p);
			continue;
		}
		if (ip->role == SB_ROLE_LAN && unlikely(d->dst == ip->addr_be ||
							sb_wk_is_local(w, d->dst)) &&
		    sb_hairpin_wan(w, d) < 0) {
			sb_vec_add(&b->local, p);
			continue;
		}
		struct sb_ct_key *k = &p->key;

		k->src = d->src;
		k->dst = d->dst;
		k->sport = d->sport;
		k->dport = d->dport;
		k->proto = d->proto;
		k->pad[0] = k->pad[1] = k->pad[2] = 0;
		b->keys[b->lookup.n] = k;
		sb_vec_add(&b->lookup, p);
	}
}

/* All forwardable packets' sessions in one bulk lookup. */
static void
lookup_burst(struct sb_worker *w, struct sb_burst *b)
{
	uint64_t hits = sb_ct_lookup_bulk(w->ct, b->keys, b->lookup.n, b->ct_data);

	for (unsigned i = 0; i < b->lookup.n; i++) {
		struct sb_pkt *p = b->lookup.p[i];

		if (hits & (1ull << i)) {
			p->s = sb_ct_session(w->ct, SB_CT_IDX(b->ct_data[i]));
			p->dir = (uint8_t)SB_CT_DIR(b->ct_data[i]);
		} else {
			p->s = NULL;
		}
	}
}

/* A stage boundary's TSC, read on timed bursts only (0 on the others,
 * whose stages then add no cycles). */
static inline uint64_t
stamp(bool timed)
{
	return timed ? rte_rdtsc() : 0;
}

/* @pkts went through stage @s in @cycles (0 when the burst is not timed;
 * a timed one stands for SB_STAGE_SAMPLE). */
static inline void
stage(struct sb_worker *w, enum sb_stage s, uint64_t cycles, unsigned pkts)
{
	w->cnt.stage_cycles[s] += cycles * SB_STAGE_SAMPLE;
	w->cnt.stage_pkts[s] += pkts;
}

/* The burst @pkts of @n received on port @in at TSC @now (handed: from
 * another worker). */
static void
process(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts, unsigned n, bool handed,
	uint64_t now)
{
	struct rte_mbuf *left[SB_BURST];
	struct sb_burst b;
	uint64_t t0, t1, tracked = w->cnt.frag_tracked;
	unsigned fast, local, seen = n;
	bool looped = (in & SB_HO_LOOP) != 0;

	in &= ~SB_HO_LOOP;

	b.st = __atomic_load_n(w->state, __ATOMIC_ACQUIRE);
	if (unlikely(b.st->version != w->addr_version))
		dhcp_addresses(w, b.st);
	w->cnt.rx += n;
	b.now = now;
	b.timed = (++w->stage_tick & (SB_STAGE_SAMPLE - 1)) == 0;
	/* The common case's clean hits in one pass (fastpath.c); the rest,
	 * untouched, through the stages below. */
	if (likely(!looped))
		n = sb_fastpath_fused(w, b.st, in, b.now, b.timed, pkts, n, left);
	else
		memcpy(left, pkts, n * sizeof(*pkts));
	/* What it took hit this worker's own table: owned where received. */
	if (w->ho.n > 1 && !handed)
		w->cnt.handoff_same += seen - n;
	if (n == 0)
		return;
	b.in = in;
	b.handed = handed;
	b.looped = looped;
	b.lookup.n = b.slow.n = b.fwd.n = b.hairpin.n = 0;
	b.local.n = b.reset.n = b.later.n = b.icmp_err.n = 0;
	t0 = stamp(b.timed);

	parse_burst(w, &b, left, n);
	local = b.local.n;
	t1 = stamp(b.timed);
	stage(w, SB_STAGE_PARSE, t1 - t0, n);

	lookup_burst(w, &b);
	t0 = stamp(b.timed);
	stage(w, SB_STAGE_SESSION_LOOKUP, t0 - t1, b.lookup.n);

	fast = sb_fastpath_hits(w, &b, &b.lookup);
	t1 = stamp(b.timed);
	stage(w, SB_STAGE_FAST_PATH, t1 - t0, fast);

	if (b.slow.n != 0 || b.local.n != 0) {
		uint64_t fib = b.slow.n != 0 ? sb_slowpath_run(w, &b) : 0;

		sb_vec_each(w, &b, &b.hairpin, sb_hairpin);
		sb_fastpath_forward(w, &b, &b.fwd);
		sb_vec_each(w, &b, &b.reset, sb_local_reset);
		sb_vec_each(w, &b, &b.local, sb_local_deliver);
		t0 = stamp(b.timed);
		w->cnt.stage_cycles[SB_STAGE_SLOW_FIB] += fib * SB_STAGE_SAMPLE;
		stage(w, SB_STAGE_SLOW_PATH, t0 - t1 - fib, b.slow.n + local);
		t1 = t0;
	}
	if (b.later.n != 0 || b.icmp_err.n != 0 ||
	    unlikely(w->frag->n_held != 0 && w->cnt.frag_tracked != tracked)) {
		sb_vec_each(w, &b, &b.later, sb_fragfwd_later);
		/* A first fragment passed: the held fragments it was waiting
		 * for go on (expiry is the sweep's, so a full hold costs
		 * nothing per burst). */
		if (w->cnt.frag_tracked != tracked)
			sb_fragfwd_release(w, b.st, b.now, false);
		sb_vec_each(w, &b, &b.icmp_err, sb_icmperr_translate);
		stage(w, SB_STAGE_FRAG_ICMP_ERR, stamp(b.timed) - t1, b.later.n + b.icmp_err.n);
	}
}

void
sb_worker_process(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts, unsigned n)
{
	process(w, in, pkts, n, false, rte_rdtsc());
}

void
sb_worker_process_handed(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts, unsigned n)
{
	process(w, in, pkts, n, true, rte_rdtsc());
}

void
sb_worker_flush(struct sb_worker *w)
{
	sb_ho_flush(w);
	sb_l2out_flush(w);
}

static void
on_expire(void *arg, struct sb_session *s)
{
	struct sb_worker *w = arg;

	sb_wk_release_nat(w, s);
	w->cnt.ct_expired++;
}

void
sb_worker_sweep(struct sb_worker *w, uint64_t now)
{
	sb_ct_sweep(w->ct, now, SWEEP_BUDGET, on_expire, w);
	sb_frag_sweep(w->frag, now, 16);
	w->cnt.syn_hold_expired += sb_synhold_sweep(w->synhold, now, 16);
	sb_fragfwd_release(w, __atomic_load_n(w->state, __ATOMIC_ACQUIRE), now, false);
	w->cnt.ct_active = sb_ct_count(w->ct);
}

int
sb_worker_main(void *arg)
{
	struct sb_worker *w = arg;
	struct rte_mbuf *pkts[SB_BURST];
	uint64_t sweep_at = 0, t = rte_rdtsc();

	rte_rcu_qsbr_thread_register(w->qs, w->id);
	rte_rcu_qsbr_thread_online(w->qs, w->id);

	while (__atomic_load_n(&w->running, __ATOMIC_RELAXED)) {
		unsigned got = 0;

		/* The loop's bursts carry @t, the TSC read at the end of the
		 * last loop (one read a loop, one more on a timed one). */
		for (unsigned p = 0; p < w->n_ports; p++) {
			uint16_t n = rte_eth_rx_burst(w->port[p].port_id, (uint16_t)w->id, pkts,
						      SB_BURST);

			if (n != 0) {
				process(w, p, pkts, n, false, t);
				got += n;
			}
		}
		if (w->ho.n > 1) {
			got += sb_ho_receive(w);
			sb_ho_flush(w);
		}
		if (w->inject != NULL)
			sb_l2out_inject(w);
		bool timed = got != 0 && (w->cnt.busy_loops & (SB_STAGE_SAMPLE - 1)) == 0;

		/* Read after everything this loop did: handed bursts
		 * (sb_ho_receive) stamp sessions with their own later
		 * reads, and a sweep with an older time would see them
		 * from the future (a session's age is now - last, unsigned)
		 * and expire them at once. */
		t = rte_rdtsc();

		if (unlikely(w->n_parked != 0))
			sb_l2out_unpark(w, t);
		sb_l2out_flush_at(w, t);
		if (got != 0)
			stage(w, SB_STAGE_TX, timed ? rte_rdtsc() - t : 0, got);

		/* Age a bounded slice of the table, about every 100 us, so a
		 * sweep never stalls forwarding. */
		if (t >= sweep_at) {
			sb_worker_sweep(w, t);
			sweep_at = t + w->tsc_hz / 10000;
		}
		w->cnt.loops++;
		if (got)
			w->cnt.busy_loops++;
		rte_rcu_qsbr_quiescent(w->qs, w->id);
	}
	/* Held fragments whose first never came: dropped, counted. */
	if (w->frag->n_held != 0) {
		sb_fragfwd_release(w, __atomic_load_n(w->state, __ATOMIC_ACQUIRE), rte_rdtsc(), true);
		sb_l2out_flush(w);
	}
	rte_rcu_qsbr_thread_offline(w->qs, w->id);
	rte_rcu_qsbr_thread_unregister(w->qs, w->id);
	return 0;
}
