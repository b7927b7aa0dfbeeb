/* SPDX-License-Identifier: BSD-3-Clause
 * The neighbour table (issue 11, finding 3): one port (a LAN whose hosts,
 * or traffic to unresolved on-link addresses, ask for entry after entry)
 * may take no more than half the table; entries age like Linux's
 * (reachable, stale, probe, failed) and are deleted, but a deleted
 * entry's index is reused only after an RCU grace period, static and
 * gateway entries are never deleted. */
#include "test_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <rte_arp.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "arp.h"
#include "neigh.h"
#include "pkt.h"
#include "publish.h"
#include "rib.h"
#include "sb_config.h"

static int
setup(void **state)
{
	return sb_test_eal_up(state, "neigh");
}

static void
test_neigh_port_holds_half(void **state)
{
	struct sb_neigh *nb = sb_neigh_create("t_neigh", 16, 0);
	int32_t first;

	(void)state;
	assert_non_null(nb);
	assert_int_equal(nb->port_max, 8);
	first = sb_neigh_get(nb, 0, 0xc0a80100);
	assert_true(first >= 0);
	for (uint32_t h = 1; h < 8; h++)
		assert_true(sb_neigh_get(nb, 0, 0xc0a80100 + h) >= 0);
	/* The LAN's half is used: a new host is refused, counted... */
	assert_int_equal(sb_neigh_get(nb, 0, 0xc0a80164), -ENOSPC);
	assert_int_equal(nb->refused, 1);
	/* ...a known one is still found... */
	assert_int_equal(sb_neigh_get(nb, 0, 0xc0a80100), first);
	/* ...and the WAN's gateway gets its entry. */
	assert_true(sb_neigh_get(nb, 1, 0xcb007101) >= 0);
	assert_true(sb_neigh_get(nb, 2, 0xc6336401) >= 0);
	sb_neigh_free(nb);
}

/* A deleted entry is gone for workers at once (no key, no MAC), but its
 * index goes to another neighbour only once every reader has passed a
 * quiescent point; a reader that kept the index then sees it belongs to
 * another address (sb_neigh_mac_of) and looks again. */
static void
test_neigh_index_reused_after_grace_period(void **state)
{
	struct sb_neigh *nb = sb_neigh_create("t_neigh_rcu", 16, 0);
	struct rte_rcu_qsbr *qs = rte_zmalloc("t_qs", rte_rcu_qsbr_get_memsize(1), 64);
	const struct rte_ether_addr ma = { { 2, 0, 0, 0, 0, 0xa } }, mc = { { 2, 0, 0, 0, 0, 0xc } };
	struct rte_ether_addr m = { { 0 } };
	int32_t a, b, c;

	(void)state;
	assert_non_null(nb);
	assert_non_null(qs);
	assert_int_equal(rte_rcu_qsbr_init(qs, 1), 0);
	assert_int_equal(rte_rcu_qsbr_thread_register(qs, 0), 0);
	rte_rcu_qsbr_thread_online(qs, 0);   /* a worker, in the middle of a burst */

	a = sb_neigh_get(nb, 0, 0xc0a8010a);
	assert_true(a >= 0);
	sb_neigh_set_mac(nb, (uint32_t)a, &ma);
	assert_true(sb_neigh_mac_of(nb, (uint32_t)a, 0, 0xc0a8010a, &m));
	sb_neigh_del(nb, (uint32_t)a, qs);
	assert_int_equal(nb->live, 0);
	assert_int_equal(nb->port_n[0], 0);
	assert_int_equal(sb_neigh_find(nb, 0, 0xc0a8010a), -ENOENT);
	assert_false(sb_neigh_mac(nb, (uint32_t)a, &m));
	/* The worker has not passed a quiescent point: the index waits. */
	assert_int_equal(sb_neigh_reclaim(nb, qs), 0);
	b = sb_neigh_get(nb, 0, 0xc0a8010b);
	assert_true(b >= 0);
	assert_int_not_equal(b, a);
	rte_rcu_qsbr_quiescent(qs, 0);
	assert_int_equal(sb_neigh_reclaim(nb, qs), 1);
	/* Now it may go to another host (the first freed is reused). */
	c = sb_neigh_get(nb, 0, 0xc0a8010c);
	assert_int_equal(c, a);
	sb_neigh_set_mac(nb, (uint32_t)c, &mc);
	assert_true(sb_neigh_mac(nb, (uint32_t)a, &m));
	assert_false(sb_neigh_mac_of(nb, (uint32_t)a, 0, 0xc0a8010a, &m));
	assert_true(sb_neigh_mac_of(nb, (uint32_t)c, 0, 0xc0a8010c, &m));
	assert_true(rte_is_same_ether_addr(&m, &mc));
	/* The key's position came back too: the table fills up again. */
	assert_int_equal(nb->live, 2);
	rte_rcu_qsbr_thread_offline(qs, 0);
	rte_rcu_qsbr_thread_unregister(qs, 0);
	rte_free(qs);
	sb_neigh_free(nb);
}

/* --- ageing (control/arp.c) ---------------------------------------------- */

#define LANP 0
#define WANP 1
#define OUR_LAN 0xc0a80101u  /* 192.168.1.1/24 */
#define OUR_WAN 0xcb007102u  /* 203.0.113.2/24 */
#define GW      0xcb007101u  /* 203.0.113.1 */
#define H(n)    (0xc0a80110u + (n)) /* 192.168.1.16 + n */

static struct rte_ether_addr
hmac(unsigned n)
{
	struct rte_ether_addr m = { { 2, 0, 0, 0, 1, (uint8_t)n } };

	return m;
}

struct rig {
	struct sb_config *cfg;
	struct sb_neigh_conf static_nb;
	struct rte_mempool *pool;
	struct rte_ring *inject;
	struct rte_ether_addr mac[2];
	struct sb_neigh *nb;
	struct sb_publisher pub;
	struct sb_arp arp;
};

static void
rig_up(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->cfg = calloc(1, sizeof(*r->cfg));
	assert_non_null(r->cfg);
	r->cfg->n_ports = 2;
	strcpy(r->cfg->ports[LANP].name, "lan");
	r->cfg->ports[LANP].addr = OUR_LAN;
	r->cfg->ports[LANP].prefix_len = 24;
	strcpy(r->cfg->ports[WANP].name, "wan");
	r->cfg->ports[WANP].addr = OUR_WAN;
	r->cfg->ports[WANP].prefix_len = 24;
	r->cfg->wan[WANP].enabled = true;
	r->cfg->wan[WANP].gateway = GW;
	r->static_nb = (struct sb_neigh_conf){ .name = "printer", .addr = H(200),
					      .mac = { 2, 0, 0, 0, 1, 200 }, .port = LANP };
	r->cfg->n_neigh = 1;
	r->cfg->neigh = &r->static_nb;
	r->pool = rte_pktmbuf_pool_create("t_arp_pool", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	r->inject = rte_ring_create("t_arp_inject", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	r->nb = sb_neigh_create("t_arp_neigh", 64, 0);
	assert_non_null(r->pool);
	assert_non_null(r->inject);
	assert_non_null(r->nb);
	r->mac[LANP] = (struct rte_ether_addr){ { 2, 0, 0, 0, 0xee, 0 } };
	r->mac[WANP] = (struct rte_ether_addr){ { 2, 0, 0, 0, 0xee, 1 } };
	r->pub.neigh = r->nb;   /* no readers: qs NULL, indices reused at once */
	r->arp = (struct sb_arp){ .cfg = r->cfg, .pool = r->pool, .inject = r->inject,
				  .mac = r->mac, .neigh = r->nb, .pub = &r->pub };
	assert_int_equal(sb_arp_static(&r->arp), 0);
}

static void
rig_down(struct rig *r)
{
	void *m;

	while (rte_ring_dequeue(r->inject, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r->inject);
	rte_mempool_free(r->pool);
	sb_neigh_free(r->nb);
	free(r->cfg);
}

/* Host @n's ARP @op to us on the LAN, handled by control at @now. */
static void
arp_from(struct rig *r, unsigned n, uint16_t op, uint64_t now)
{
	struct rte_ether_addr sm = hmac(n);
	struct rte_mbuf *m = sb_pkt_arp(r->pool, op, &sm, H(n), &r->mac[LANP], OUR_LAN);
	uint32_t sip;

	assert_non_null(m);
	(void)sb_arp_input(&r->arp, LANP, m, now, &sip);
	rte_pktmbuf_free(m);
}

/* How many ARP requests control queued for the workers since the last
 * call; of them, how many to @unicast's MAC alone (NULL: not counted). */
static unsigned
requests(struct rig *r, const struct rte_ether_addr *unicast, unsigned *n_unicast)
{
	void *v;
	unsigned n = 0;

	if (n_unicast != NULL)
		*n_unicast = 0;
	while (rte_ring_dequeue(r->inject, &v) == 0) {
		struct rte_mbuf *m = v;
		const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		const struct rte_arp_hdr *ah = (const struct rte_arp_hdr *)(eh + 1);

		if (ah->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
			n++;
			if (unicast != NULL && rte_is_same_ether_addr(&eh->dst_addr, unicast))
				(*n_unicast)++;
		}
		rte_pktmbuf_free(m);
	}
	return n;
}

/* Run the ageing over the whole (small) table at @now ms, @now_s. */
static unsigned
age(struct rig *r, uint64_t now, uint32_t now_s)
{
	return sb_arp_age(&r->arp, now, now_s);
}

static enum sb_arp_state
state_of(struct rig *r, unsigned port, uint32_t ip, uint64_t now, uint32_t now_s)
{
	int32_t idx = sb_neigh_find(r->nb, (uint16_t)port, ip);

	return idx < 0 ? SB_ARP_FREE : sb_arp_state(&r->arp, (uint32_t)idx, now, now_s);
}

/* Linux's life of a neighbour: a host that ARPs for us is reachable,
 * stale 30 s later, deleted when neither used nor confirmed for 60 s; a
 * stale one in use is probed by unicast, three times a second apart,
 * and deleted when it never answers, kept when it does; an address
 * nobody answers for is deleted after three requests' time. The static
 * neighbour and the WAN's gateway stay whatever happens. */
static void
test_neigh_ages_like_linux(void **state)
{
	struct rig r;
	struct rte_ether_addr h2 = hmac(2), h4 = hmac(4), gwm = { { 2, 0, 0, 0, 0xaa, 1 } };
	uint64_t t = 1000000;   /* control's clock, ms */
	uint32_t s = 5000;      /* the workers' (TSC seconds) */
	unsigned uni;
	int32_t gw;

	(void)state;
	rig_up(&r);
	/* The gateway: pinned, resolved. */
	gw = sb_publish_gateway(&r.pub, WANP, GW);
	assert_true(gw >= 0);
	sb_publish_neigh_mac(&r.pub, (uint32_t)gw, &gwm);
	/* Hosts 1, 2 and 4 ARP for us; nobody answers for host 3. */
	arp_from(&r, 1, RTE_ARP_OP_REQUEST, t);
	arp_from(&r, 2, RTE_ARP_OP_REQUEST, t);
	arp_from(&r, 4, RTE_ARP_OP_REQUEST, t);
	sb_arp_request(&r.arp, LANP, H(3), t);
	assert_int_equal(requests(&r, NULL, NULL), 1);
	assert_int_equal(r.nb->live, 6);
	age(&r, t, s);
	assert_int_equal(state_of(&r, LANP, H(1), t, s), SB_ARP_REACHABLE);
	assert_int_equal(state_of(&r, LANP, H(3), t, s), SB_ARP_INCOMPLETE);
	assert_int_equal(state_of(&r, LANP, H(200), t, s), SB_ARP_STATIC);

	/* 3 s: host 3 never answered (three requests' time): failed. */
	assert_int_equal(age(&r, t + 2900, s + 2), 0);
	assert_int_equal(age(&r, t + 3000, s + 3), 1);
	assert_int_equal(state_of(&r, LANP, H(3), t + 3000, s + 3), SB_ARP_FREE);
	assert_int_equal(r.arp.failed, 1);

	/* 30 s: nobody confirmed since: stale, MACs still given. */
	t += 30000, s += 30;
	sb_neigh_touch(r.nb, (uint32_t)sb_neigh_find(r.nb, LANP, H(2)), s);
	sb_neigh_touch(r.nb, (uint32_t)sb_neigh_find(r.nb, LANP, H(4)), s);
	sb_neigh_touch(r.nb, (uint32_t)gw, s);
	assert_int_equal(state_of(&r, LANP, H(1), t, s), SB_ARP_STALE);
	/* Hosts 2, 4 and the gateway are in use: probed, to their MAC. */
	assert_int_equal(age(&r, t, s), 0);
	assert_int_equal(requests(&r, &h2, &uni), 3);
	assert_int_equal(uni, 1);
	assert_int_equal(state_of(&r, LANP, H(2), t, s), SB_ARP_PROBE);
	/* Host 4 answers its probe: reachable again. */
	arp_from(&r, 4, RTE_ARP_OP_REPLY, t + 100);
	/* Not again within a second; then the second and third probe. */
	assert_int_equal(age(&r, t + 500, s), 0);
	assert_int_equal(requests(&r, NULL, NULL), 0);
	assert_int_equal(age(&r, t + 1000, s + 1), 0);
	assert_int_equal(age(&r, t + 2000, s + 2), 0);
	assert_int_equal(requests(&r, &gwm, &uni), 4);
	assert_int_equal(uni, 2);
	/* Host 2 never answered: deleted. The gateway neither, but kept. */
	assert_int_equal(age(&r, t + 3000, s + 3), 1);
	assert_int_equal(state_of(&r, LANP, H(2), t + 3000, s + 3), SB_ARP_FREE);
	assert_int_equal(r.arp.failed, 2);
	assert_int_equal(state_of(&r, WANP, GW, t + 3000, s + 3), SB_ARP_FAILED);
	assert_true(sb_neigh_mac(r.nb, (uint32_t)gw, &gwm));
	assert_int_equal(state_of(&r, LANP, H(4), t + 3000, s + 3), SB_ARP_REACHABLE);
	(void)h4;

	/* 60 s after host 1 last spoke, unused: deleted (stale). */
	assert_int_equal(age(&r, t + 29000, s + 29), 0);
	assert_int_equal(age(&r, t + 30000, s + 30), 1);
	assert_int_equal(state_of(&r, LANP, H(1), t + 30000, s + 30), SB_ARP_FREE);
	assert_int_equal(r.arp.evicted, 1);

	/* Much later, nobody used or confirmed anything: only the static
	 * neighbour and the gateway are left. */
	t += 600000, s += 600;
	for (unsigned i = 0; i < 10; i++)
		age(&r, t + i * 1000, s + i);
	assert_int_equal(r.nb->live, 2);
	assert_int_equal(state_of(&r, LANP, H(200), t, s), SB_ARP_STATIC);
	assert_true(sb_neigh_find(r.nb, WANP, GW) == gw);
	assert_int_equal(r.arp.evicted, 2);
	/* Freed entries make room: a new host gets an entry again. */
	arp_from(&r, 9, RTE_ARP_OP_REQUEST, t + 10000);
	assert_int_equal(state_of(&r, LANP, H(9), t + 10000, s + 10), SB_ARP_REACHABLE);
	rig_down(&r);
}

/* A LAN flood of ARP from random senders fills the LAN's half and no
 * more; the WAN's gateway keeps its entry; once the senders are quiet
 * the table empties of them and takes new hosts again. */
static void
test_neigh_arp_flood_bounded(void **state)
{
	struct rig r;
	struct rte_ether_addr gwm = { { 2, 0, 0, 0, 0xaa, 1 } };
	uint64_t t = 1000000;
	uint32_t s = 100;
	int32_t gw;

	(void)state;
	rig_up(&r);
	sb_arp_gateways(&r.arp, &(struct sb_rib){ .n_groups = 0 }, t);
	gw = sb_neigh_find(r.nb, WANP, GW);
	assert_true(gw >= 0);
	sb_publish_neigh_mac(&r.pub, (uint32_t)gw, &gwm);
	for (unsigned n = 2; n < 200; n++)
		arp_from(&r, n, RTE_ARP_OP_REQUEST, t);
	assert_int_equal(r.nb->port_n[LANP], r.nb->port_max);
	assert_true(r.nb->refused > 0);
	assert_true(sb_neigh_find(r.nb, WANP, GW) == gw);
	for (unsigned i = 0; i <= 61; i++)
		age(&r, t + i * 1000, s + i);
	assert_int_equal(r.nb->port_n[LANP], 1);   /* the static neighbour */
	assert_true(sb_neigh_find(r.nb, WANP, GW) == gw);
	assert_true(sb_neigh_mac(r.nb, (uint32_t)gw, &gwm));
	arp_from(&r, 7, RTE_ARP_OP_REQUEST, t + 62000);
	assert_true(sb_neigh_find(r.nb, LANP, H(7)) >= 0);
	rig_down(&r);
}

/* Count the lines of @buf (@len bytes) that contain @what. */
static unsigned
lines_with(const char *buf, size_t len, const char *what)
{
	unsigned n = 0;

	for (const char *p = buf; p < buf + len && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* An ARP flood from new senders logs at most SB_ARP_LOG_PER_S neighbour
 * lines a second, and the rest in one summary line after it (before: a
 * line per sender, thousands a second in the lab's ARP flood). */
static void
test_neigh_arp_log_bounded(void **state)
{
	struct rig r;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len), *old = rte_log_get_stream();
	uint64_t t = 1000000;

	(void)state;
	assert_non_null(mem);
	rig_up(&r);
	rte_openlog_stream(mem);
	for (unsigned n = 2; n < 2 + SB_ARP_LOG_PER_S + 10; n++)
		arp_from(&r, n, RTE_ARP_OP_REQUEST, t);
	fflush(mem);
	assert_int_equal(lines_with(buf, len, "neighbour 192.168.1."), SB_ARP_LOG_PER_S);
	assert_int_equal(lines_with(buf, len, "not logged"), 0);
	/* The summary once the second is over, with no change to wait for. */
	(void)age(&r, t + 999, 1000);
	fflush(mem);
	assert_int_equal(lines_with(buf, len, "not logged"), 0);
	(void)age(&r, t + 1000, 1001);
	fflush(mem);
	assert_int_equal(lines_with(buf, len, "10 more neighbour changes in the last second were not logged"), 1);
	arp_from(&r, 100, RTE_ARP_OP_REQUEST, t + 1000);
	fflush(mem);
	assert_int_equal(lines_with(buf, len, "10 more neighbour changes in the last second were not logged"), 1);
	assert_int_equal(lines_with(buf, len, "neighbour 192.168.1.116 on"), 1);
	rte_openlog_stream(old);
	fclose(mem);
	free(buf);
	rig_down(&r);
}

SB_TEST_MAIN("neigh", setup, sb_test_eal_down,
	     cmocka_unit_test(test_neigh_arp_log_bounded),
	     cmocka_unit_test(test_neigh_port_holds_half),
	     cmocka_unit_test(test_neigh_index_reused_after_grace_period),
	     cmocka_unit_test(test_neigh_ages_like_linux),
	     cmocka_unit_test(test_neigh_arp_flood_bounded))
