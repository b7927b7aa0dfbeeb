/* SPDX-License-Identifier: BSD-3-Clause
 * Two workers on two ring ports of two queues each (rte_eth_from_rings:
 * worker k sends on queue k, read back from that queue's ring): a packet
 * given to the worker that does not own it is handed to its owner,
 * translated once and sent once; each worker maps to ports of its own
 * slice (even: worker 0, odd: worker 1); later fragments follow their
 * first to its worker; a full handoff ring drops and counts (issue 13,
 * dataplane/handoff.h). The workers run in this thread, one call at a
 * time, as their lcores would. */
#include "test_common.h"

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "worker.h"
#include "handoff.h"
#include "conntrack.h"
#include "eim.h"
#include "fib.h"
#include "neigh.h"
#include "sb_probe_expect.h"
#include "worker_rig.h"

/* Workers in this build: 2 (every case), or 3 and 4 (the cases written
 * for any number: meson builds it with -DSB_TEST_NW=3 and 4). */
#ifdef SB_TEST_NW
#define NW SB_TEST_NW
#else
#define NW 2
#endif
#define HOST_A 0xc0a8010au  /* 192.168.1.10 */
#define HOST_B 0xc0a8010bu  /* 192.168.1.11 */
#define PEER   0xc6336407u  /* 198.51.100.7 */
#define PEER2  0xc6336408u  /* 198.51.100.8 */

static struct rte_mempool *pool;
static struct rte_ring *rxr[2][NW], *txr[2][NW];   /* [port][queue] */
static uint16_t port_id[2];
static struct rte_ether_addr our_mac[2];
static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0xaa, 0x01 } };
static const struct rte_ether_addr a_mac = { { 0x02, 0, 0, 0, 0x01, 0x0a } };
static const struct rte_ether_addr b_mac = { { 0x02, 0, 0, 0, 0x01, 0x0b } };
static struct sb_fib *fib;
static struct sb_neigh *neigh;
static struct rte_rcu_qsbr *qs;
static struct rte_ring *punt, *resolve, *inject;
static int32_t gw_nb;
static struct sb_probe_expect probes;

/* Per test. */
static struct sb_dp_state *st;
static struct sb_ct *ct[NW];
static struct sb_eim *eim[NW];
static struct sb_worker *w[NW];
static struct rte_ring *ho[NW][NW];

static int
open_port(unsigned p)
{
	struct rte_eth_conf conf;
	char name[32];
	int i;

	for (unsigned q = 0; q < NW; q++) {
		snprintf(name, sizeof(name), "tws_rx%u_%u", p, q);
		rxr[p][q] = rte_ring_create(name, 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "tws_tx%u_%u", p, q);
		txr[p][q] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rxr[p][q] == NULL || txr[p][q] == NULL)
			return -1;
	}
	snprintf(name, sizeof(name), "net_ring_tws%u", p);
	i = rte_eth_from_rings(name, rxr[p], NW, txr[p], NW, 0);
	if (i < 0)
		return -1;
	port_id[p] = (uint16_t)i;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port_id[p], NW, NW, &conf) != 0)
		return -1;
	for (unsigned q = 0; q < NW; q++)
		if (rte_eth_rx_queue_setup(port_id[p], (uint16_t)q, 64, 0, NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup(port_id[p], (uint16_t)q, 64, 0, NULL) != 0)
			return -1;
	return rte_eth_dev_start(port_id[p]) == 0 &&
	       rte_eth_macaddr_get(port_id[p], &our_mac[p]) == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	if (sb_test_eal_up(state, "workers") != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("tws_pool", 4096, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL || open_port(LAN) != 0 || open_port(WAN) != 0)
		return -1;
	qs = rte_zmalloc("tws_qs", rte_rcu_qsbr_get_memsize(NW), RTE_CACHE_LINE_SIZE);
	if (qs == NULL || rte_rcu_qsbr_init(qs, NW) != 0)
		return -1;
	fib = sb_fib_create("tws_fib", 1, 64, qs);
	neigh = sb_neigh_create("tws_neigh", 64, 0);
	punt = rte_ring_create("tws_punt", 256, 0, RING_F_SC_DEQ);
	resolve = rte_ring_create("tws_resolve", 256, 0, RING_F_SC_DEQ);
	inject = rte_ring_create("tws_inject", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fib == NULL || neigh == NULL || punt == NULL || resolve == NULL || inject == NULL ||
	    sb_rig_routes(fib) != 0)
		return -1;
	gw_nb = sb_rig_neigh(neigh, WAN, WAN_GW, &gw_mac);
	return gw_nb < 0 || sb_rig_neigh(neigh, LAN, HOST_A, &a_mac) < 0 ||
	       sb_rig_neigh(neigh, LAN, HOST_B, &b_mac) < 0 ? -1 : 0;
}

static int
group_teardown(void **state)
{
	sb_rig_close(port_id, fib, neigh, qs);
	return sb_test_eal_down(state);
}

/* Two workers as control builds them (setup.c): each its own table and
 * mappings kept to its slice, a ring each way between them. */
static int
setup_n(unsigned ring_slots)
{
	struct sb_worker_conf c;
	char name[32];

	st = sb_rig_state(gw_nb);
	if (st == NULL)
		return -1;
	sb_probe_expect_init(&probes);
	for (unsigned a = 0; a < NW; a++)
		for (unsigned b = 0; b < NW; b++) {
			if (a == b)
				continue;
			snprintf(name, sizeof(name), "tws_ho%u_%u", a, b);
			ho[a][b] = rte_ring_create(name, ring_slots, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (ho[a][b] == NULL)
				return -1;
		}
	for (unsigned k = 0; k < NW; k++) {
		sb_rig_conf(&c, port_id, our_mac, false, punt, resolve, k == 0 ? inject : NULL);
		c.id = k;
		c.n_workers = NW;
		for (unsigned j = 0; j < NW; j++) {
			c.ho_out[j] = ho[k][j];
			c.ho_in[j] = ho[j][k];
		}
		snprintf(name, sizeof(name), "tws%u", k);
		w[k] = sb_rig_worker(&c, name, 1024, &ct[k], &eim[k], fib, neigh, &st, qs, &probes);
		if (w[k] == NULL)
			return -1;
		sb_eim_slice(eim[k], k, NW);
	}
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return setup_n(SB_HANDOFF_RING);
}

static int
setup_small_ring(void **state)
{
	(void)state;
	return setup_n(8);
}

static void
drain(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

static int
teardown(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NW; k++) {
		sb_worker_free(w[k]);
		sb_eim_free(eim[k]);
		sb_ct_free(ct[k]);
		for (unsigned j = 0; j < NW; j++) {
			drain(ho[k][j]);
			rte_ring_free(ho[k][j]);
			ho[k][j] = NULL;
		}
	}
	rte_free(st->nhg);
	rte_free(st);
	for (unsigned p = 0; p < 2; p++)
		for (unsigned q = 0; q < NW; q++)
			drain(txr[p][q]);
	drain(punt);
	drain(resolve);
	return 0;
}

/* UDP @src:@sport -> @dst:@dport to port @to, @frag its flags/offset. */
static struct rte_mbuf *
udp(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, uint16_t id, uint16_t frag)
{
	uint8_t b[16] = { 0 };
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)b;
	struct rte_mbuf *m;

	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16(frag != 0 ? 24 : sizeof(b));
	memcpy(b + 8, "abcdefgh", 8);
	m = sb_rig_frame(pool, &our_mac[to], smac, src, dst, IPPROTO_UDP, 64, id, frag, b,
			 sizeof(b));
	assert_non_null(m);
	return m;
}

/* Worker @k receives @m on port @in (its rx queue), then every worker
 * takes what it was handed, until nothing moves; tx buffers flushed. */
static void
deliver(unsigned k, unsigned in, struct rte_mbuf *m)
{
	sb_worker_process(w[k], in, &m, 1);
	for (unsigned round = 0; round < 4; round++)
		for (unsigned j = 0; j < NW; j++) {
			sb_ho_flush(w[j]);
			sb_ho_receive(w[j]);
			sb_worker_flush(w[j]);
		}
}

/* Everything sent on port @p (every queue): the frames, how many. The
 * queue each came from in @q. */
static unsigned
sent(unsigned p, struct rte_mbuf **out, unsigned *q, unsigned max)
{
	unsigned n = 0;
	void *m;

	for (unsigned k = 0; k < NW; k++)
		while (n < max && rte_ring_dequeue(txr[p][k], &m) == 0) {
			q[n] = k;
			out[n++] = m;
		}
	return n;
}

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

static struct rte_udp_hdr *
udp_of(struct rte_mbuf *m)
{
	return (struct rte_udp_hdr *)(ip_of(m) + 1);
}

/* The one frame port @p sent: from worker @k's queue, checksums right. */
static struct rte_mbuf *
one_sent(unsigned p, unsigned k)
{
	struct rte_mbuf *m[4];
	unsigned q[4], n = sent(p, m, q, 4);

	assert_int_equal(n, 1);
	assert_int_equal(q[0], k);
	assert_int_equal(rte_raw_cksum(ip_of(m[0]), sizeof(struct rte_ipv4_hdr)), 0xffff);
	if (ip_of(m[0])->fragment_offset == 0 && ip_of(m[0])->next_proto_id == IPPROTO_UDP)
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip_of(m[0]), udp_of(m[0])), 0);
	if (ip_of(m[0])->next_proto_id == IPPROTO_ICMP)
		assert_int_equal(rte_raw_cksum(ip_of(m[0]) + 1,
					       rte_be_to_cpu_16(ip_of(m[0])->total_length) -
					       sizeof(struct rte_ipv4_hdr)), 0xffff);
	return m[0];
}

static const struct sb_counters *
cnt(unsigned k)
{
	return sb_worker_counters(w[k]);
}

/* A flow whose inside port is odd belongs to worker 1: its first packet
 * and its reply, both received by worker 0, are handed to worker 1,
 * translated there once and sent once from its queue; worker 0 keeps no
 * session. */
static void
test_workers_reply_on_wrong_worker_handed_to_owner(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 5001, PEER, 53, 1, 0));
	m = one_sent(WAN, 1);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->src_addr), WAN_ADDR);
	assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), 5001);   /* preserved */
	rte_pktmbuf_free(m);
	assert_int_equal(sb_ct_count(ct[0]), 0);
	assert_int_equal(sb_ct_count(ct[1]), 1);

	deliver(0, WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5001, 2, 0));
	m = one_sent(LAN, 1);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_A);
	assert_int_equal(rte_be_to_cpu_16(udp_of(m)->dst_port), 5001);
	assert_memory_equal(udp_of(m) + 1, "abcdefgh", 8);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt(0)->handoff_out, 2);
	assert_int_equal(cnt(1)->handoff_in, 2);
	assert_int_equal(cnt(1)->ct_created, 1);
	assert_int_equal(cnt(1)->nat_out, 1);
	assert_int_equal(cnt(1)->nat_in, 1);
	assert_int_equal(cnt(0)->forwarded + cnt(0)->ct_created, 0);

	/* The owner itself receiving it: no handoff. */
	deliver(1, WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5001, 3, 0));
	rte_pktmbuf_free(one_sent(LAN, 1));
	assert_int_equal(cnt(1)->handoff_same, 1);
	assert_int_equal(cnt(0)->handoff_out, 2);
}

/* Each worker maps to its own slice: a second inside host on the same
 * odd port gets another odd port; one inside ip:port keeps one external
 * port across destinations, whichever worker received the packets. */
static void
test_workers_port_slices(void **state)
{
	struct rte_mbuf *m;
	uint16_t e1, e2, e3;

	(void)state;
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 7001, PEER, 53, 1, 0));
	m = one_sent(WAN, 1);
	e1 = rte_be_to_cpu_16(udp_of(m)->src_port);
	rte_pktmbuf_free(m);
	deliver(1, LAN, udp(LAN, &a_mac, HOST_A, 7001, PEER2, 80, 2, 0));
	m = one_sent(WAN, 1);
	e2 = rte_be_to_cpu_16(udp_of(m)->src_port);
	rte_pktmbuf_free(m);
	assert_int_equal(e1, 7001);
	assert_int_equal(e2, e1);
	/* 192.168.1.11 (on the LAN, no neighbour needed to leave) on 7001. */
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A + 1, 7001, PEER, 53, 3, 0));
	m = one_sent(WAN, 1);
	e3 = rte_be_to_cpu_16(udp_of(m)->src_port);
	rte_pktmbuf_free(m);
	assert_int_not_equal(e3, 7001);
	assert_int_equal(e3 % NW, 1);
	/* An even inside port: worker 0's. */
	deliver(1, LAN, udp(LAN, &a_mac, HOST_A, 7002, PEER, 53, 4, 0));
	rte_pktmbuf_free(one_sent(WAN, 0));
	assert_int_equal(sb_ct_count(ct[0]), 1);
	assert_int_equal(sb_ct_count(ct[1]), 3);
}

/* A datagram in two fragments from the LAN, both received by worker 0,
 * the later one first: it waits at worker 0 until worker 1 (the owner)
 * passed the first and told it (a notice), then goes to worker 1 and
 * leaves translated like its first. */
static void
test_workers_later_fragment_follows_its_first(void **state)
{
	struct rte_mbuf *m[4];
	unsigned q[4], n;

	(void)state;
	/* Later fragment (offset 16 bytes), then the first (MF). */
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 6001, PEER, 53, 77, 2));
	assert_int_equal(cnt(0)->frag_held, 1);
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 6001, PEER, 53, 77, RTE_IPV4_HDR_MF_FLAG));
	n = sent(WAN, m, q, 4);
	assert_int_equal(n, 2);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(q[i], 1);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m[i])->src_addr), WAN_ADDR);
		assert_int_equal(rte_raw_cksum(ip_of(m[i]), sizeof(struct rte_ipv4_hdr)), 0xffff);
		rte_pktmbuf_free(m[i]);
	}
	assert_int_equal(cnt(1)->frag_notices_sent, 1);
	assert_int_equal(cnt(0)->frag_released, 1);
	/* A later fragment of the same datagram now goes straight to it. */
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 6001, PEER, 53, 77, 4));
	rte_pktmbuf_free(one_sent(WAN, 1));
	assert_int_equal(cnt(1)->frag_forwarded, 2);
}

/* An ICMP error from the WAN about worker 1's flow, received by worker 0,
 * goes to worker 1 and reaches the LAN host translated. */
static void
test_workers_icmp_error_to_owner(void **state)
{
	uint8_t b[8 + 20 + 8];
	struct rte_ipv4_hdr *e = (struct rte_ipv4_hdr *)(b + 8);
	struct rte_udp_hdr *eu = (struct rte_udp_hdr *)(e + 1);
	struct rte_mbuf *m;

	(void)state;
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 5003, PEER, 53, 1, 0));
	rte_pktmbuf_free(one_sent(WAN, 1));
	memset(b, 0, sizeof(b));
	b[0] = 3;   /* destination unreachable, port */
	b[1] = 3;
	e->version_ihl = RTE_IPV4_VHL_DEF;
	e->total_length = rte_cpu_to_be_16(28);
	e->time_to_live = 63;
	e->next_proto_id = IPPROTO_UDP;
	e->src_addr = rte_cpu_to_be_32(WAN_ADDR);
	e->dst_addr = rte_cpu_to_be_32(PEER);
	e->hdr_checksum = rte_ipv4_cksum(e);
	eu->src_port = rte_cpu_to_be_16(5003);
	eu->dst_port = rte_cpu_to_be_16(53);
	eu->dgram_len = rte_cpu_to_be_16(8);
	m = sb_rig_frame(pool, &our_mac[WAN], &gw_mac, PEER, WAN_ADDR, IPPROTO_ICMP, 64, 9, 0, b,
			 sizeof(b));
	assert_non_null(m);
	deliver(0, WAN, m);
	m = one_sent(LAN, 1);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_A);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt(1)->icmp_errors, 1);
}

/* A handoff ring that is full drops (counted where the packet was), and
 * never blocks the worker. */
/* RFC 4787 REQ-9 across workers: A (port 7000, worker 0) sends to B's
 * mapping (7001, worker 1). A's side is made by worker 0 with A's own
 * mapping (so B sees 203.0.113.2:7000, as the internet does), looped to
 * worker 1, which makes B's side; B's answer goes the same way back.
 * Nothing leaves by the WAN; each worker keeps only its own host's side.
 * A packet from the internet forged from the gateway's own address, aimed
 * at A's side, is dropped as spoofed. */
static void
test_workers_hairpin_across_workers(void **state)
{
	struct rte_mbuf *m, *x[4];
	unsigned q[4];

	(void)state;
	/* Their mappings, from flows to the internet. */
	deliver(1, LAN, udp(LAN, &b_mac, HOST_B, 7001, PEER, 53, 1, 0));
	rte_pktmbuf_free(one_sent(WAN, 1));
	deliver(0, LAN, udp(LAN, &a_mac, HOST_A, 7000, PEER, 53, 2, 0));
	rte_pktmbuf_free(one_sent(WAN, 0));

	for (unsigned round = 0; round < 2; round++) {
		/* A to B's mapping, received by the worker that is not A's. */
		deliver(1, LAN, udp(LAN, &a_mac, HOST_A, 7000, WAN_ADDR, 7001, 3, 0));
		assert_int_equal(sent(WAN, x, q, 4), 0);
		m = one_sent(LAN, 1);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->src_addr), WAN_ADDR);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), 7000);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_B);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->dst_port), 7001);
		assert_memory_equal(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, &b_mac,
				    RTE_ETHER_ADDR_LEN);
		assert_memory_equal(udp_of(m) + 1, "abcdefgh", 8);
		rte_pktmbuf_free(m);

		/* B answers A's mapping, received by the worker that is not B's. */
		deliver(0, LAN, udp(LAN, &b_mac, HOST_B, 7001, WAN_ADDR, 7000, 4, 0));
		assert_int_equal(sent(WAN, x, q, 4), 0);
		m = one_sent(LAN, 0);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->src_addr), WAN_ADDR);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), 7001);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_A);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->dst_port), 7000);
		assert_memory_equal(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, &a_mac,
				    RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(cnt(0)->hairpin_looped, 2);
	assert_int_equal(cnt(1)->hairpin_looped, 2);
	/* Each: its host's flow to the internet and its side of the hairpin;
	 * the looped side is not counted against a host's share. */
	assert_int_equal(sb_ct_count(ct[0]), 2);
	assert_int_equal(sb_ct_count(ct[1]), 2);
	/* Each looped side never resolves the next hop of the direction
	 * whose packets, from the LAN, are addressed to the gateway: A's
	 * side (worker 0) its egress, B's (worker 1, made from the looped
	 * packet as from the WAN) its reply's. The fused pass, which takes
	 * a LAN's hits without asking whether their destination is the
	 * gateway's (fastpath.c, lan_refused), refuses a hit without one,
	 * so round 2's packets were left to the general path, which looped
	 * them again. */
	for (unsigned k = 0; k < 2; k++) {
		unsigned looped = 0;

		for (uint32_t i = 0; i < ct[k]->capacity; i++) {
			const struct sb_session *se = sb_ct_session(ct[k], i);

			if (!se->in_use)
				continue;
			if (se->rem_addr == rte_cpu_to_be_32(WAN_ADDR)) {
				assert_int_equal(se->out_nb, SB_CT_NB_NONE);
				looped++;
			}
			if (se->lan_addr == rte_cpu_to_be_32(WAN_ADDR)) {
				assert_int_equal(se->in_nb, SB_CT_NB_NONE);
				looped++;
			}
		}
		assert_int_equal(looped, 1);
	}

	/* Forged from the internet: 203.0.113.2:7001 -> 203.0.113.2:7000
	 * (A's side's reply key), to A's worker and to the other. */
	uint64_t spoofed = cnt(0)->drop[SB_DROP_SPOOFED] + cnt(1)->drop[SB_DROP_SPOOFED];

	deliver(0, WAN, udp(WAN, &gw_mac, WAN_ADDR, 7001, WAN_ADDR, 7000, 5, 0));
	deliver(1, WAN, udp(WAN, &gw_mac, WAN_ADDR, 7001, WAN_ADDR, 7000, 6, 0));
	assert_int_equal(sent(LAN, x, q, 4), 0);
	assert_int_equal(cnt(0)->drop[SB_DROP_SPOOFED] + cnt(1)->drop[SB_DROP_SPOOFED],
			 spoofed + 2);
}

/* Any number of workers: flows of every slice, each first packet and its
 * reply received by workers that do not own them, are translated and
 * sent once, by their owner (source port mod NW), which alone keeps the
 * session; a hairpin between hosts of two workers, received by a third
 * (NW >= 3), reaches B from A's mapping and B's answer comes back. */
static void
test_workers_any_number(void **state)
{
	unsigned per[NW] = { 0 };
	struct rte_mbuf *m, *x[4];
	unsigned q[4];

	(void)state;
	for (unsigned i = 0; i < 2 * NW; i++) {
		uint16_t sport = (uint16_t)(6000 + i);
		unsigned owner = sport % NW, r1 = (owner + 1) % NW, r2 = (owner + NW - 1) % NW;

		deliver(r1, LAN, udp(LAN, &a_mac, HOST_A, sport, PEER, 53, (uint16_t)i, 0));
		m = one_sent(WAN, owner);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->src_addr), WAN_ADDR);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), sport);
		rte_pktmbuf_free(m);
		deliver(r2, WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, sport, (uint16_t)(100 + i), 0));
		m = one_sent(LAN, owner);
		assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_A);
		assert_int_equal(rte_be_to_cpu_16(udp_of(m)->dst_port), sport);
		rte_pktmbuf_free(m);
		per[owner]++;
	}
	for (unsigned k = 0; k < NW; k++)
		assert_int_equal(sb_ct_count(ct[k]), per[k]);

	/* Hairpin: A on port 7000 (worker 7000 % NW), B on 7001. */
	uint16_t pa = 7000, pb = 7001;
	unsigned wa = pa % NW, wb = pb % NW, wc = (wb + 1) % NW;

	deliver(wb, LAN, udp(LAN, &b_mac, HOST_B, pb, PEER, 53, 200, 0));
	rte_pktmbuf_free(one_sent(WAN, wb));
	deliver(wa, LAN, udp(LAN, &a_mac, HOST_A, pa, PEER, 53, 201, 0));
	rte_pktmbuf_free(one_sent(WAN, wa));
	deliver(wc, LAN, udp(LAN, &a_mac, HOST_A, pa, WAN_ADDR, pb, 202, 0));
	assert_int_equal(sent(WAN, x, q, 4), 0);
	m = one_sent(LAN, wb);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->src_addr), WAN_ADDR);
	assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), pa);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_B);
	rte_pktmbuf_free(m);
	deliver(wc, LAN, udp(LAN, &b_mac, HOST_B, pb, WAN_ADDR, pa, 203, 0));
	assert_int_equal(sent(WAN, x, q, 4), 0);
	m = one_sent(LAN, wa);
	assert_int_equal(rte_be_to_cpu_16(udp_of(m)->src_port), pb);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), HOST_A);
	assert_int_equal(rte_be_to_cpu_16(udp_of(m)->dst_port), pa);
	rte_pktmbuf_free(m);
}

static void
test_workers_full_ring_drops(void **state)
{
	struct rte_mbuf *b[SB_BURST];

	(void)state;
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < SB_BURST; i++)
			b[i] = udp(LAN, &a_mac, HOST_A, (uint16_t)(9001 + 2 * i), PEER, 53, 1, 0);
		sb_worker_process(w[0], LAN, b, SB_BURST);
		sb_ho_flush(w[0]);
	}
	/* 8 slots (7 usable): the rest dropped. */
	assert_int_equal(cnt(0)->drop[SB_DROP_HANDOFF_FULL], 2 * SB_BURST - 7);
	assert_int_equal(cnt(0)->handoff_out, 7);
	sb_ho_receive(w[1]);
	sb_worker_flush(w[1]);
	assert_int_equal(cnt(1)->handoff_in, 7);
	assert_int_equal(cnt(1)->ct_created, 7);
}

int
main(void)
{
#if NW != 2
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_workers_any_number, setup, teardown),
	};
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_workers_any_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_reply_on_wrong_worker_handed_to_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_port_slices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_later_fragment_follows_its_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_icmp_error_to_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_hairpin_across_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers_full_ring_drops, setup_small_ring,
						teardown),
	};
#endif

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
