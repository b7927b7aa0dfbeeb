/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: set-up and tear-down of the control context (ctl.h): the
 * mbuf pool, the ports, RCU, the neighbour table and the FIB, the worker,
 * the RIB, the WANs' probes and monitors, and the notifier. Main lcore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#include "eim.h"
#include "worker.h"
#include "ctlsock.h"
#include "dhcpio.h"
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
#include "inbound.h"

#define RING_SIZE 4096

/* The workers and their NAT internals, from the configuration: each
 * worker's session table (its share of [switchback] sessions), mappings
 * and slice of every masquerading WAN's ports, the rings between workers
 * and to control are control's (created and freed here); a worker gets
 * them through a struct sb_worker_conf. */
static int
build_workers(struct sb_ctl *c, char *err, size_t errlen)
{
	struct sb_config *cfg = c->cfg;
	int socket = (int)rte_socket_id();
	unsigned nw = c->n_workers;
	uint32_t masq = 0, per = cfg->sessions / nw;
	/* Measure what the session tables and the mappings really take from
	 * the heap. */
	struct rte_malloc_socket_stats before, after;
	uint64_t eim_bytes = 0;
	char name[RTE_RING_NAMESIZE];

	for (unsigned p = 0; p < cfg->n_ports; p++)
		masq |= (uint32_t)cfg->ports[p].masquerade << p;
	c->ct_bytes = 0;
	for (unsigned k = 0; k < nw; k++) {
		snprintf(name, sizeof(name), "sb_ct%u", k);
		rte_malloc_get_socket_stats(socket, &before);
		c->ct[k] = sb_ct_create(name, per, socket, k, cfg->to_tcp_established,
					cfg->to_tcp_transitory, cfg->to_udp, cfg->to_icmp);
		rte_malloc_get_socket_stats(socket, &after);
		if (c->ct[k] == NULL)
			goto tables;
		c->ct_bytes += after.heap_allocsz_bytes - before.heap_allocsz_bytes;
		snprintf(name, sizeof(name), "sb_eim%u", k);
		rte_malloc_get_socket_stats(socket, &before);
		c->eim[k] = sb_eim_create(name, masq, per, socket);
		if (c->eim[k] == NULL)
			goto nomem;
		sb_eim_slice(c->eim[k], k, nw);
		rte_malloc_get_socket_stats(socket, &after);
		eim_bytes += after.heap_allocsz_bytes - before.heap_allocsz_bytes;
	}
	sb_ctl_host_max(c, cfg);
	SB_INFO(MAIN, "conntrack: %u sessions in %lu bytes (%.1f bytes/session)",
		per * nw, (unsigned long)c->ct_bytes, (double)c->ct_bytes / (per * nw));
	if (nw > 1)
		SB_INFO(MAIN, "workers: %u, each with %u sessions and the ports of every "
			"masquerading WAN whose number mod %u is its index (its slice: %u of "
			"65536 each)", nw, per, nw, 65536 / nw);
	SB_INFO(MAIN, "nat: %lu mappings in %lu bytes", (unsigned long)c->eim[0]->n_map * nw,
		(unsigned long)eim_bytes);
	bool rings = true;
	/* Every worker punts: several producers, in the relaxed-tail mode
	 * that does not stall the others while one is preempted (worker
	 * lcores may share a CPU). */
	unsigned mp_enq = nw == 1 ? RING_F_SP_ENQ : RING_F_MP_RTS_ENQ;

	for (unsigned r = 1; r < SB_PUNT_MAX; r++) {
		static const unsigned size[SB_PUNT_MAX] = {
			[SB_PUNT_ARP] = SB_PUNT_RING_ARP, [SB_PUNT_PROBE_REPLY] = SB_PUNT_RING_PROBE,
			[SB_PUNT_TTL_EXCEEDED] = SB_PUNT_RING_TTL, [SB_PUNT_DHCP] = SB_PUNT_RING_DHCP,
		};

		snprintf(name, sizeof(name), "sb_punt%u", r);
		c->punt[r] = rte_ring_create(name, size[r], socket, mp_enq | RING_F_SC_DEQ);
		rings &= c->punt[r] != NULL;
	}
	c->resolve = rte_ring_create("sb_resolve", RING_SIZE, socket, mp_enq | RING_F_SC_DEQ);
	c->inject = rte_ring_create("sb_inject", RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	for (unsigned a = 0; a < nw && nw > 1; a++)
		for (unsigned b = 0; b < nw; b++) {
			if (a == b)
				continue;
			snprintf(name, sizeof(name), "sb_ho%u_%u", a, b);
			c->ho[a][b] = rte_ring_create(name, SB_HANDOFF_RING, socket,
						      RING_F_SP_ENQ | RING_F_SC_DEQ);
			rings &= c->ho[a][b] != NULL;
		}
	if (sb_publish_probes_init(&c->pub, socket) != 0)
		rings = false;
	if (!rings || c->resolve == NULL || c->inject == NULL)
		goto tables;
	if (sb_inbound_setup(c) < 0)
		goto nomem;
	for (unsigned k = 0; k < nw; k++) {
		struct sb_worker_conf wc = {
			.id = k, .n_workers = nw, .socket = socket, .n_ports = cfg->n_ports,
			.ct = c->ct[k], .eim = c->eim[k], .fwd = &c->inbound->t, .fib = c->fib,
			.neigh = c->neigh, .state = &c->pub.state, .qs = c->qs,
			.resolve = c->resolve, .inject = k == 0 ? c->inject : NULL,
			.expect = c->pub.expect, .fragments = cfg->fragments / nw,
		};

		for (unsigned j = 0; j < nw && nw > 1; j++) {
			wc.ho_out[j] = c->ho[k][j];
			wc.ho_in[j] = c->ho[j][k];
		}
		for (unsigned p = 0; p < cfg->n_ports; p++) {
			const struct sb_port_conf *pc = &cfg->ports[p];

			wc.port[p] = (struct sb_worker_port){
				.port_id = c->port_id[p], .role = (uint8_t)pc->role,
				.masquerade = pc->masquerade, .vlan = pc->vlan,
				.prefix_len = (uint8_t)pc->prefix_len, .addr = pc->addr,
				.mac = c->mac[p], .dhcp = pc->dhcp.enabled,
			};
		}
		memcpy(wc.punt, c->punt, sizeof(wc.punt));
		c->w[k] = sb_worker_create(&wc);
		if (c->w[k] == NULL)
			goto nomem;
	}
	return 0;
tables:
	snprintf(err, errlen, "cannot create tables (sessions = %u): %s (give the EAL "
		 "more memory with -m, or lower [switchback] sessions)", cfg->sessions,
		 rte_strerror(rte_errno));
	return -ENOMEM;
nomem:
	snprintf(err, errlen, "out of memory during set-up (give the EAL more memory with -m)");
	return -ENOMEM;
}

static void
free_workers(struct sb_ctl *c)
{
	for (unsigned k = 0; k < SB_MAX_WORKERS; k++) {
		sb_worker_free(c->w[k]);
		c->w[k] = NULL;
		sb_eim_free(c->eim[k]);
		c->eim[k] = NULL;
	}
	/* Packets still in the rings between workers go back to the pool. */
	for (unsigned a = 0; a < SB_MAX_WORKERS; a++)
		for (unsigned b = 0; b < SB_MAX_WORKERS; b++) {
			struct rte_mbuf *m;

			while (c->ho[a][b] != NULL && rte_ring_dequeue(c->ho[a][b], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(c->ho[a][b]);
			c->ho[a][b] = NULL;
		}
	sb_inbound_free(c);
	for (unsigned k = 0; k < SB_MAX_WORKERS; k++) {
		sb_ct_free(c->ct[k]);
		c->ct[k] = NULL;
	}
	for (unsigned r = 0; r < SB_PUNT_MAX; r++)
		rte_ring_free(c->punt[r]);
	rte_ring_free(c->resolve);
	rte_ring_free(c->inject);
}

void
sb_ctl_counters(const struct sb_ctl *c, struct sb_counters *sum)
{
	uint64_t *d = (uint64_t *)sum;

	_Static_assert(sizeof(*sum) % sizeof(uint64_t) == 0, "counters are 64-bit words");
	memset(sum, 0, sizeof(*sum));
	for (unsigned k = 0; k < c->n_workers; k++) {
		const uint64_t *s;

		if (c->w[k] == NULL)
			continue;
		s = (const uint64_t *)sb_worker_counters(c->w[k]);
		for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
			d[i] += __atomic_load_n(&s[i], __ATOMIC_RELAXED);
	}
}

void
sb_ctl_host_max(struct sb_ctl *c, const struct sb_config *cfg)
{
	uint32_t max = sb_config_host_max(cfg, (uint32_t)sb_ctl_ct_capacity(c));

	/* A host's sessions spread over the workers with their ports: each
	 * table takes its share (rounded up). */
	for (unsigned k = 0; k < c->n_workers; k++)
		sb_ct_set_host_max(c->ct[k], max == 0 ? 0 : (max + c->n_workers - 1) / c->n_workers);
}

uint64_t
sb_ctl_ct_capacity(const struct sb_ctl *c)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < c->n_workers; k++)
		n += c->ct[k] != NULL ? c->ct[k]->capacity : 0;
	return n;
}

/* How many workers, on which lcores: [switchback] workers, or one per
 * worker lcore the EAL was given. The control thread is never on a
 * worker lcore. */
static int
pick_workers(struct sb_ctl *c, char *err, size_t errlen)
{
	unsigned avail = rte_lcore_count() - 1, want = c->cfg->workers;
	unsigned lc = rte_get_next_lcore(-1, 1, 0);

	if (avail == 0) {
		snprintf(err, errlen, "switchback needs two lcores (for example -l 0,1): the main "
			 "lcore runs control, the next one the worker");
		return -EINVAL;
	}
	if (want == 0)
		want = avail > SB_MAX_WORKERS ? SB_MAX_WORKERS : avail;
	if (want > avail) {
		snprintf(err, errlen, "[switchback] workers = %u needs %u worker lcores besides the "
			 "main one, and the EAL was given %u: start it with %u lcores (for example "
			 "-l 0-%u, or --lcores on fewer CPUs), or lower workers", want, want, avail,
			 want + 1, want);
		return -EINVAL;
	}
	c->n_workers = want;
	for (unsigned k = 0; k < want; k++) {
		c->worker_lcore[k] = lc;
		lc = rte_get_next_lcore(lc, 1, 0);
	}
	return 0;
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
	ret = pick_workers(c, err, errlen);
	if (ret != 0)
		return ret;
	/* Probe first: AF_XDP ports keep mbufs of the pool in their rings,
	 * and the pool is sized for those on top of [switchback] mbufs. */
	uint32_t held = 0;

	for (unsigned p = 0; p < cfg->n_ports; p++) {
		uint32_t h;

		ret = sb_port_probe(cfg, p, c->n_workers, &c->port_id[p], &h, err, errlen);
		if (ret != 0)
			return ret;
		c->port_open[p] = true;
		c->n_ports = p + 1;
		held += h;
	}
	/* mbufs against what the workers hold (the config checked it for the
	 * workers it names; workers = auto is known only now); left out, it
	 * grows to what they need. */
	uint32_t mbufs = cfg->mbufs;
	struct sb_mbuf_need need;

	sb_config_mbufs_needed(cfg, c->n_workers, &need);
	if (mbufs < need.total && cfg->mbufs_set) {
		snprintf(err, errlen, "[switchback] mbufs: %u is fewer than %u workers can hold at "
			 "once (%u in the ports' rx and tx descriptors, %u in rings, %u held, %u in "
			 "caches and bursts): give at least %u, or leave mbufs out", mbufs,
			 c->n_workers, need.desc, need.rings, need.held, need.caches, need.total);
		return -EINVAL;
	}
	if (mbufs < need.total)
		mbufs = need.total + need.total / 4;
	c->pool = rte_pktmbuf_pool_create("sb_mbufs", mbufs + held, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (c->pool == NULL) {
		snprintf(err, errlen, "[switchback] mbufs: cannot create a pool of %u mbufs (%u "
			 "and %u the AF_XDP rings hold): %s (give the EAL more memory with -m, or "
			 "lower mbufs)", mbufs + held, mbufs, held, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (held != 0) {
		ret = sb_xdp_pool_check(c->pool, err, errlen);
		if (ret != 0)
			return ret;
		SB_INFO(MAIN, "mbuf pool: %u mbufs, %u of them for the AF_XDP fill and tx rings",
			mbufs + held, held);
	}
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		int ret = sb_port_open(&cfg->ports[p], c->pool, c->port_id[p], c->n_workers,
				       &c->mac[p], err, errlen);

		if (ret != 0)
			return ret;
	}
	/* WAN replies straight to their worker where the NIC can. */
	for (unsigned p = 0; p < cfg->n_ports; p++)
		if (cfg->ports[p].role == SB_ROLE_WAN && cfg->ports[p].masquerade)
			sb_port_steer(&cfg->ports[p], c->port_id[p],
				      cfg->ports[p].dhcp.enabled ? 0 : cfg->ports[p].addr, c->n_workers);
	c->xdp = sb_xdp_open(cfg, err, errlen);
	if (c->xdp == NULL)
		return -EINVAL;
	/* One RCU domain for every worker. */
	qs_size = rte_rcu_qsbr_get_memsize(c->n_workers);
	c->qs = rte_zmalloc("sb_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
	if (c->qs == NULL || rte_rcu_qsbr_init(c->qs, c->n_workers) != 0)
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
	ret = build_workers(c, err, errlen);
	if (ret != 0)
		return ret;
	c->arp.cfg = cfg;
	c->arp.pool = c->pool;
	c->arp.inject = c->inject;
	c->arp.mac = c->mac;
	c->arp.neigh = c->neigh;
	c->arp.pub = &c->pub;
	if (sb_arp_static(&c->arp) != 0)
		goto nomem;
	c->rib = sb_rib_create(cfg);
	if (c->rib == NULL)
		goto nomem;
	{
		/* Before the WANs: a lease kept on disk gives them their
		 * address at once (INIT-REBOOT). */
		const struct sb_lease_io lio = { .ctx = c, .send = sb_dhcpio_send };
		uint8_t mac[SB_MAX_PORTS][6];

		for (unsigned p = 0; p < c->n_ports; p++)
			memcpy(mac[p], c->mac[p].addr_bytes, 6);
		ret = sb_lease_init(&c->leases, cfg, c->rib, (const uint8_t (*)[6])mac, &lio,
				    sb_now_ms(), sb_dhcpio_wall_s(), sb_now_us() ^ (uint64_t)getpid());
		if (ret == -ENOMEM)
			goto nomem;
		if (ret != 0) {
			snprintf(err, errlen, "cannot start the DHCP clients");
			return ret;
		}
	}
	{
		const struct sb_wan_io io = { .ctx = c, .send = sb_punt_probe, .notify = notify_wan };

		ret = sb_wan_init(&c->wans, cfg, c->rib, &io, sb_now_ms(), err, errlen);
		if (ret == -ENOMEM)
			goto nomem;
		if (ret != 0)
			return ret;
	}
	c->notify.hook = cfg->hook;
	sb_hooks_init(&c->notify.hooks, SB_HOOKS_RUNNING, SB_HOOKS_TIMEOUT_MS);
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
	free_workers(c);
	sb_publish_fini(&c->pub);
	sb_fib_free(c->fib);
	sb_neigh_free(c->neigh);
	rte_free(c->qs);
	sb_wan_fini(&c->wans);
	sb_lease_fini(&c->leases);
	sb_rib_free(c->rib);
	rte_mempool_free(c->pool);
}
