/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: set-up and tear-down of the control context (ctl.h): the
 * mbuf pool, the ports, RCU, the neighbour table and the FIB, the worker,
 * the RIB, the WANs' probes and monitors, and the notifier. Main lcore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "ctl.h"
#include "conntrack.h"
#include "ctlsock.h"
#include "fib.h"
#include "frag.h"
#include "nat.h"
#include "ops.h"
#include "pcc.h"
#include "neigh.h"
#include "port.h"
#include "punt.h"
#include "sb_log.h"
#include "synhold.h"
#include "webhook.h"
#include "xdp.h"

#define RING_SIZE 4096

/* The worker and its NAT internals, from the configuration. */
static int
build_worker(struct sb_ctl *c, char *err, size_t errlen)
{
	struct sb_config *cfg = c->cfg;
	struct sb_worker *w;

	w = rte_zmalloc("sb_worker", sizeof(*w), 64);
	if (w == NULL)
		goto nomem;
	c->w = w;
	/* Measure what the session table really takes from the heap. */
	struct rte_malloc_socket_stats before, after;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &before);
	w->ct = sb_ct_create("sb_ct", cfg->sessions, (int)rte_socket_id(), 0 /* worker 0 */,
			     cfg->to_tcp_established, cfg->to_tcp_transitory, cfg->to_udp,
			     cfg->to_icmp);
	rte_malloc_get_socket_stats((int)rte_socket_id(), &after);
	c->ct_bytes = after.heap_allocsz_bytes - before.heap_allocsz_bytes;
	if (w->ct != NULL)
		SB_INFO(MAIN, "conntrack: %u sessions in %lu bytes (%.1f bytes/session)",
			cfg->sessions, (unsigned long)c->ct_bytes,
			(double)c->ct_bytes / cfg->sessions);
	{
		/* A mapping holds an external port: there cannot be more of
		 * them than the masquerading WANs have ports, whatever the
		 * session count (1M sessions on one WAN: 196608, not 1M). */
		uint64_t n_map = 0;

		for (unsigned p = 0; p < cfg->n_ports; p++)
			if (cfg->ports[p].masquerade)
				n_map += (uint64_t)SB_NAT_PROTO_MAX * 65536;
		if (n_map > cfg->sessions)
			n_map = cfg->sessions;
		if (n_map < 64)
			n_map = 64;
		struct rte_hash_parameters hp = {
			.name = "sb_eim",
			.entries = (uint32_t)n_map,
			.key_len = sizeof(struct sb_eim_key),
			.hash_func = rte_hash_crc,
			.socket_id = (int)rte_socket_id(),
			.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
		};

		rte_malloc_get_socket_stats((int)rte_socket_id(), &before);
		w->eim = rte_hash_create(&hp);
		if (w->eim == NULL)
			goto nomem;
		/* Indexed by hash position, which can exceed the entry count. */
		uint32_t slots = (uint32_t)rte_hash_max_key_id(w->eim) + 1;

		w->eim_ext = rte_zmalloc("sb_eim_ext", sizeof(uint16_t) * slots, 64);
		w->eim_ref = rte_zmalloc("sb_eim_ref", sizeof(uint32_t) * slots, 64);
		if (w->eim_ext == NULL || w->eim_ref == NULL)
			goto nomem;
		rte_malloc_get_socket_stats((int)rte_socket_id(), &after);
		SB_INFO(MAIN, "nat: %lu mappings in %lu bytes", (unsigned long)n_map,
			(unsigned long)(after.heap_allocsz_bytes - before.heap_allocsz_bytes));
		w->tsc_hz = rte_get_tsc_hz();
	}
	w->frag = sb_frag_create("sb_frag", cfg->fragments, (int)rte_socket_id(), 5000);
	if (w->frag == NULL)
		goto nomem;
	w->synhold = sb_synhold_create("sb_synhold", 1024, (int)rte_socket_id(), SB_SYNHOLD_MS);
	if (w->synhold == NULL)
		goto nomem;
	w->punt = rte_ring_create("sb_punt", RING_SIZE, (int)rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->resolve = rte_ring_create("sb_resolve", RING_SIZE, (int)rte_socket_id(),
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->inject = rte_ring_create("sb_inject", RING_SIZE, (int)rte_socket_id(),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->ct == NULL || w->punt == NULL ||
	    w->resolve == NULL || w->inject == NULL) {
		snprintf(err, errlen, "cannot create tables (sessions = %u): %s (give the EAL "
			 "more memory with -m, or lower [switchback] sessions)", cfg->sessions,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	w->n_ports = cfg->n_ports;
	w->fib = c->fib;
	w->neigh = c->neigh;
	w->state = &c->pub.state;
	w->qs = c->qs;
	w->pool = c->pool;
	w->ecmp = cfg->ecmp_hash;
	w->pcc_classifier = cfg->pcc_classifier;
	for (unsigned p = 0; p < cfg->n_ports && w->pcc_n < SB_PCC_MAX; p++) {
		if (cfg->ports[p].pcc_weight == 0)
			continue;
		w->pcc_port[w->pcc_n] = (uint16_t)p;
		w->pcc_table[w->pcc_n] = cfg->ports[p].pcc_table;
		w->pcc_n++;
	}
	w->id = 0;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct sb_port_conf *pc = &cfg->ports[p];
		struct sb_wport *wp = &w->port[p];

		wp->port_id = c->port_id[p];
		wp->role = (uint8_t)pc->role;
		wp->masquerade = pc->masquerade;
		wp->vlan = pc->vlan;
		wp->addr_be = rte_cpu_to_be_32(pc->addr);
		sb_ct_set_port_addr(w->ct, p, wp->addr_be);
		wp->mask = ~0u << (32 - pc->prefix_len);
		wp->net = pc->addr & wp->mask;
		wp->mac = c->mac[p];
		wp->txb = rte_zmalloc("sb_txb", RTE_ETH_TX_BUFFER_SIZE(SB_BURST), 64);
		if (wp->txb == NULL)
			goto nomem;
		rte_eth_tx_buffer_init(wp->txb, SB_BURST);
		if (pc->masquerade) {
			wp->nat = rte_zmalloc("sb_nat", sizeof(*wp->nat), 64);
			w->eim_by_ext[p] = rte_zmalloc("sb_eim_by_ext",
						       sizeof(uint32_t) * SB_NAT_PROTO_MAX * 65536, 64);
			if (wp->nat == NULL || w->eim_by_ext[p] == NULL)
				goto nomem;
			sb_nat_pool_init(wp->nat);
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory during set-up (give the EAL more memory with -m)");
	return -ENOMEM;
}

static void
free_worker(struct sb_ctl *c)
{
	if (c->w != NULL) {
		sb_ct_free(c->w->ct);
		rte_hash_free(c->w->eim);
		if (c->w->frag != NULL)
			for (unsigned i = 0; i < SB_FRAG_HOLD_MAX; i++)
				rte_pktmbuf_free(sb_frag_unhold(c->w->frag, i));
		sb_frag_free(c->w->frag);
		sb_synhold_free(c->w->synhold);
		rte_free(c->w->eim_ext);
		rte_free(c->w->eim_ref);
		rte_ring_free(c->w->punt);
		rte_ring_free(c->w->resolve);
		rte_ring_free(c->w->inject);
		for (unsigned i = 0; i < c->w->n_parked; i++)
			rte_pktmbuf_free(c->w->parked[i].m);
		for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
			rte_free(c->w->port[p].txb);
			rte_free(c->w->port[p].nat);
			rte_free(c->w->eim_by_ext[p]);
		}
		rte_free(c->w);
	}
}

/* WAN changes told to the hook and the webhook (struct sb_wan_io). */
static void
notify_wan(void *ctx, const char *event, unsigned port, const char *old_state,
	   const char *new_state, const char *reason, bool in_service)
{
	struct sb_ctl *c = ctx;

	sb_notify_wan(&c->notify, event, c->cfg->ports[port].name, old_state, new_state, reason,
		      in_service);
}

int
sb_ctl_setup(struct sb_ctl *c, char *err, size_t errlen)
{
	struct sb_config *cfg = c->cfg;
	size_t qs_size;
	int ret;

	c->ctl_fd = -1;
	c->worker_lcore = rte_get_next_lcore(-1, 1, 0);
	if (c->worker_lcore >= RTE_MAX_LCORE) {
		snprintf(err, errlen, "switchback needs two lcores (for example -l 0,1): the main "
			 "lcore runs control, the next one the worker");
		return -EINVAL;
	}
	/* Probe first: AF_XDP ports keep mbufs of the pool in their rings,
	 * and the pool is sized for those on top of [switchback] mbufs. */
	uint32_t held = 0;

	for (unsigned p = 0; p < cfg->n_ports; p++) {
		uint32_t h;

		ret = sb_port_probe(cfg, p, &c->port_id[p], &h, err, errlen);
		if (ret != 0)
			return ret;
		c->port_open[p] = true;
		c->n_ports = p + 1;
		held += h;
	}
	c->pool = rte_pktmbuf_pool_create("sb_mbufs", cfg->mbufs + held, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (c->pool == NULL) {
		snprintf(err, errlen, "[switchback] mbufs: cannot create a pool of %u mbufs (%u "
			 "and %u the AF_XDP rings hold): %s (give the EAL more memory with -m, or "
			 "lower mbufs)", cfg->mbufs + held, cfg->mbufs, held, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (held != 0) {
		ret = sb_xdp_pool_check(c->pool, err, errlen);
		if (ret != 0)
			return ret;
		SB_INFO(MAIN, "mbuf pool: %u mbufs, %u of them for the AF_XDP fill and tx rings",
			cfg->mbufs + held, held);
	}
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		int ret = sb_port_open(&cfg->ports[p], c->pool, c->port_id[p], &c->mac[p],
				       err, errlen);

		if (ret != 0)
			return ret;
	}
	c->xdp = sb_xdp_open(cfg, err, errlen);
	if (c->xdp == NULL)
		return -EINVAL;
	qs_size = rte_rcu_qsbr_get_memsize(1);
	c->qs = rte_zmalloc("sb_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
	if (c->qs == NULL || rte_rcu_qsbr_init(c->qs, 1) != 0)
		goto nomem;
	c->neigh = sb_neigh_create("sb_neigh", SB_MAX_NEIGH, (int)rte_socket_id());
	c->fib = sb_fib_create("sb_fib", cfg->n_tables, cfg->n_routes + cfg->n_ports + 64, c->qs);
	if (c->fib == NULL) {
		snprintf(err, errlen, "cannot create the FIB: %u routing table(s) take about %u MB "
			 "(rte_fib's 16M-entry first level each): give the EAL more memory with -m",
			 cfg->n_tables, cfg->n_tables * 68);
		return -ENOMEM;
	}
	if (c->neigh == NULL) {
		snprintf(err, errlen, "cannot create tables (sessions = %u): %s (give the EAL "
			 "more memory with -m, or lower [switchback] sessions)", cfg->sessions,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	c->pub.qs = c->qs;
	c->pub.fib = c->fib;
	c->pub.neigh = c->neigh;
	ret = build_worker(c, err, errlen);
	if (ret != 0)
		return ret;
	c->arp.cfg = cfg;
	c->arp.pool = c->pool;
	c->arp.inject = c->w->inject;
	c->arp.mac = c->mac;
	c->arp.neigh = c->neigh;
	c->arp.pub = &c->pub;
	if (sb_arp_static(&c->arp) != 0)
		goto nomem;
	c->rib = sb_rib_create(cfg);
	if (c->rib == NULL)
		goto nomem;
	{
		const struct sb_wan_io io = { .ctx = c, .send = sb_punt_probe, .notify = notify_wan };

		ret = sb_wan_init(&c->wans, cfg, c->rib, &io, sb_now_ms(), err, errlen);
		if (ret == -ENOMEM)
			goto nomem;
		if (ret != 0)
			return ret;
	}
	c->notify.hook = cfg->hook;
	if (cfg->webhook[0] != '\0') {
		c->notify.webhook = sb_webhook_start(cfg->webhook, cfg->webhook_retries,
						      cfg->webhook_timeout_ms, cfg->webhook_backoff_ms);
		if (c->notify.webhook == NULL) {
			snprintf(err, errlen, "[notify] webhook: cannot start the notifier thread: %s",
				 strerror(errno));
			return -errno;
		}
		SB_INFO(WAN, "webhook %s: %u retries, %u ms timeout, backoff from %u ms",
			cfg->webhook, cfg->webhook_retries, cfg->webhook_timeout_ms,
			cfg->webhook_backoff_ms);
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory during set-up (give the EAL more memory with -m)");
	return -ENOMEM;
}

void
sb_ctl_teardown(struct sb_ctl *c)
{
	/* What is still queued gets a second to be delivered. */
	sb_webhook_stop(c->notify.webhook, 1000);
	c->notify.webhook = NULL;
	sb_ctlsock_close(c);
	sb_ops_stop(c);
	/* Before the ports: closing an AF_XDP port detaches its program. */
	sb_xdp_close(c->xdp);
	c->xdp = NULL;
	for (unsigned p = 0; p < c->n_ports; p++)
		if (c->port_open[p])
			sb_port_close(c->port_id[p]);
	free_worker(c);
	sb_publish_fini(&c->pub);
	sb_fib_free(c->fib);
	sb_neigh_free(c->neigh);
	rte_free(c->qs);
	sb_wan_fini(&c->wans);
	sb_rib_free(c->rib);
	rte_mempool_free(c->pool);
}
