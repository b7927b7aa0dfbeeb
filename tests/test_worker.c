/* SPDX-License-Identifier: BSD-3-Clause
 * The worker's packet path at unit level: sb_worker_process() on crafted
 * bursts, two ring ports (rte_eth_from_rings: what the worker transmits
 * is read back from the rings), no namespaces. A LAN port 192.168.1.1/24
 * and a masquerading WAN port 203.0.113.2/24 with its gateway at
 * 203.0.113.1; default route via the WAN, the LAN connected. Each test
 * gets a fresh worker, session table and mappings. */
#include "test_common.h"

#include <errno.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_hash.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "worker.h"
#include "conntrack.h"
#include "eim.h"
#include "fib.h"
#include "neigh.h"
#include "sb_probe_expect.h"
#include "worker_rig.h"
#include "fwdtab.h"

#define HOST_A   0xc0a8010au  /* 192.168.1.10 */
#define HOST_B   0xc0a8010bu  /* 192.168.1.11 */
#define PEER     0xc6336407u  /* 198.51.100.7 */
/* A routed LAN: 192.168.2.0/24 behind a router on the LAN (group 3). */
#define ROUTER   0xc0a801feu  /* 192.168.1.254 */
#define ROUTER2  0xc0a801fdu  /* 192.168.1.253: the route's next gateway */
#define R_HOST   0xc0a80205u  /* 192.168.2.5, behind the router */

/* Shared by every test: EAL objects, ports and the routing tables. */
static struct rte_mempool *pool;
static struct rte_ring *rxr[2], *txr[2];
static uint16_t port_id[2];
static struct rte_ether_addr our_mac[2];
static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0xaa, 0x01 } };
static const struct rte_ether_addr a_mac = { { 0x02, 0, 0, 0, 0x01, 0x0a } };
static const struct rte_ether_addr b_mac = { { 0x02, 0, 0, 0, 0x01, 0x0b } };
static const struct rte_ether_addr r_mac = { { 0x02, 0, 0, 0, 0x01, 0xfe } };
static const struct rte_ether_addr r2_mac = { { 0x02, 0, 0, 0, 0x01, 0xfd } };
static struct sb_fib *fib;
static struct sb_neigh *neigh;
static struct rte_rcu_qsbr *qs;
static struct rte_ring *punt, *resolve, *inject;
static int32_t gw_nb;
static int32_t router_nb, router2_nb;  /* the routed LAN's gateways, pinned */
static struct sb_probe_expect probes; /* probes in flight, as control publishes them */

/* Per test. */
static struct sb_dp_state *st;
static struct sb_ct *ct;
static struct sb_eim *eim;
static struct sb_worker *w;

static int
group_setup(void **state)
{
	if (sb_test_eal_up(state, "worker") != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("t_w_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return -1;
	for (unsigned p = 0; p < 2; p++)
		if (sb_rig_port(pool, "tw", p, 256, &rxr[p], &txr[p], &port_id[p], &our_mac[p]) != 0)
			return -1;
	qs = rte_zmalloc("t_w_qs", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (qs == NULL || rte_rcu_qsbr_init(qs, 1) != 0)
		return -1;
	fib = sb_fib_create("t_w_fib", 1, 64, qs);
	neigh = sb_neigh_create("t_w_neigh", 64, 0);
	punt = rte_ring_create("t_w_punt", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	resolve = rte_ring_create("t_w_resolve", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	inject = rte_ring_create("t_w_inject", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fib == NULL || neigh == NULL || punt == NULL || resolve == NULL || inject == NULL)
		return -1;
	/* Group 0: the default route via the WAN's gateway; group 1: the
	 * LAN, on-link. */
	if (sb_rig_routes(fib) != 0)
		return -1;
	gw_nb = sb_rig_neigh(neigh, WAN, WAN_GW, &gw_mac);
	if (gw_nb < 0 || sb_rig_neigh(neigh, LAN, HOST_A, &a_mac) < 0 ||
	    sb_rig_neigh(neigh, LAN, HOST_B, &b_mac) < 0)
		return -1;
	/* Group 3: a routed LAN's prefix, in the groups of the tests that
	 * publish it (routed_lan); its routers are gateways, pinned as
	 * control pins them. */
	router_nb = sb_rig_neigh(neigh, LAN, ROUTER, &r_mac);
	router2_nb = sb_rig_neigh(neigh, LAN, ROUTER2, &r2_mac);
	if (router_nb < 0 || router2_nb < 0 || sb_fib_set(fib, 0, 0xc0a80200, 24, 3) != 0)
		return -1;
	neigh->e[router_nb].pinned = 1;
	neigh->e[router2_nb].pinned = 1;
	return 0;
}

static int
group_teardown(void **state)
{
	sb_rig_close(port_id, fib, neigh, qs);
	return sb_test_eal_down(state);
}

static bool dhcp_wan;  /* setup_dhcp: WAN has address = dhcp */
static struct sb_fwdtab *fwdt;  /* setup_fwd: forwards and one-to-one NAT */
static uint16_t lan_vlan;       /* setup_vlan: the LAN port's VLAN */

static int
setup(void **state)
{
	struct sb_worker_conf c;

	(void)state;
	st = sb_rig_state(gw_nb);
	if (st == NULL)
		return -1;
	sb_probe_expect_init(&probes);
	sb_rig_conf(&c, port_id, our_mac, dhcp_wan, punt, resolve, inject);
	c.fwd = fwdt;
	c.port[LAN].vlan = lan_vlan;
	w = sb_rig_worker(&c, "t_w", 1024, &ct, &eim, fib, neigh, &st, qs, &probes);
	return w == NULL ? -1 : 0;
}

static void
drain(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

static int
teardown(void **state)
{
	(void)state;
	sb_worker_free(w);
	sb_eim_free(eim);
	sb_ct_free(ct);
	free(fwdt);
	fwdt = NULL;
	rte_free(st->nhg);
	rte_free(st);
	for (unsigned p = 0; p < 2; p++)
		drain(txr[p]);
	drain(punt);
	/* The worker's resolve requests are (port, address) words, not
	 * mbufs: emptied, not freed. */
	for (void *v; rte_ring_dequeue(resolve, &v) == 0;)
		;
	return 0;
}

/* --- packets ------------------------------------------------------------ */

/* An Ethernet + IPv4 frame to port @to's MAC carrying @l4 (@l4len bytes);
 * @frag is the IPv4 flags/offset field (host order). L4 checksums are
 * filled for whole TCP/UDP datagrams and ICMP. */
static struct rte_mbuf *
mk(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint32_t dst, uint8_t proto,
   uint8_t ttl, uint16_t id, uint16_t frag, const void *l4, uint16_t l4len)
{
	struct rte_mbuf *m = sb_rig_frame(pool, &our_mac[to], smac, src, dst, proto, ttl, id,
					  frag, l4, l4len);

	assert_non_null(m);
	return m;
}

/* UDP @src:@sport -> @dst:@dport with a 4-byte payload. */
static struct rte_mbuf *
udp(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, uint8_t ttl)
{
	uint8_t b[12] = { 0 };
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)b;

	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16(sizeof(b));
	memcpy(b + 8, "abcd", 4);
	return mk(to, smac, src, dst, IPPROTO_UDP, ttl, 1, 0, b, sizeof(b));
}

static struct rte_mbuf *
tcp(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct rte_tcp_hdr t = {
		.src_port = rte_cpu_to_be_16(sport), .dst_port = rte_cpu_to_be_16(dport),
		.sent_seq = rte_cpu_to_be_32(seq), .recv_ack = rte_cpu_to_be_32(ack),
		.data_off = 5 << 4, .tcp_flags = flags, .rx_win = rte_cpu_to_be_16(65535),
	};
	return mk(to, smac, src, dst, IPPROTO_TCP, 64, 2, 0, &t, sizeof(t));
}

/* Run one burst through the worker and flush its tx buffers. */
static void
run(unsigned in, struct rte_mbuf **m, unsigned n)
{
	sb_worker_process(w, in, m, n);
	sb_worker_flush(w);
}

static void
run1(unsigned in, struct rte_mbuf *m)
{
	run(in, &m, 1);
}

/* The next frame port @p sent, or NULL. */
static struct rte_mbuf *
sent(unsigned p)
{
	void *m;

	return rte_ring_dequeue(txr[p], &m) == 0 ? m : NULL;
}

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

/* The frame is IPv4 @src -> @dst with every checksum right, sent to @dmac
 * from port @p's MAC, with TTL @ttl. */
static void
check_ip(struct rte_mbuf *m, unsigned p, const struct rte_ether_addr *dmac, uint32_t src,
	 uint32_t dst, uint8_t ttl)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = ip_of(m);

	assert_true(rte_is_same_ether_addr(&eh->dst_addr, dmac));
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &our_mac[p]));
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), src);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), dst);
	assert_int_equal(ip->time_to_live, ttl);
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	if (ip->fragment_offset == 0 &&
	    (ip->next_proto_id == IPPROTO_UDP || ip->next_proto_id == IPPROTO_TCP))
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	if (ip->next_proto_id == IPPROTO_ICMP)
		assert_int_equal(rte_raw_cksum(ip + 1, rte_be_to_cpu_16(ip->total_length) -
					       sizeof(*ip)), 0xffff);
}

/* The next frame port @p sent, checked as check_ip() does. */
static struct rte_mbuf *
expect(unsigned p, const struct rte_ether_addr *dmac, uint32_t src, uint32_t dst, uint8_t ttl)
{
	struct rte_mbuf *m = sent(p);

	assert_non_null(m);
	check_ip(m, p, dmac, src, dst, ttl);
	return m;
}

static uint16_t
sport_of(struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(((struct rte_udp_hdr *)(ip_of(m) + 1))->src_port);
}

static uint16_t
dport_of(struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(((struct rte_udp_hdr *)(ip_of(m) + 1))->dst_port);
}

static const struct sb_counters *
cnt(void)
{
	return sb_worker_counters(w);
}

/* HOST_A:40000 opens a TCP connection to PEER:80 (ISNs 1000 and 7000): the
 * SYN out, the SYN-ACK back, both forwarded and freed. */
static void
tcp_syn_synack(void)
{
	run1(LAN, tcp(LAN, &a_mac, HOST_A, 40000, PEER, 80, RTE_TCP_SYN_FLAG, 1000, 0));
	rte_pktmbuf_free(sent(WAN));
	run1(WAN, tcp(WAN, &gw_mac, PEER, 80, WAN_ADDR, 40000,
		      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001));
	rte_pktmbuf_free(sent(LAN));
}

/* --- tests --------------------------------------------------------------- */

/* A new flow takes the slow path (one session, its second packet in the
 * same burst finds it), later packets the fast path; the reply is
 * un-NATed. */
static void
test_worker_new_flow_slow_then_fast_path(void **state)
{
	struct rte_mbuf *b[2], *m;

	(void)state;
	b[0] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	b[1] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	run(LAN, b, 2);
	assert_int_equal(cnt()->ct_created, 1);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_SLOW_PATH], 2);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 0);
	for (unsigned i = 0; i < 2; i++) {
		m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
		assert_int_equal(sport_of(m), 5000);      /* port preserved */
		assert_memory_equal(rte_pktmbuf_mtod_offset(m, char *, 42), "abcd", 4);
		rte_pktmbuf_free(m);
	}
	assert_null(sent(WAN));

	b[0] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	b[1] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	run(LAN, b, 2);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 2);
	assert_int_equal(cnt()->ct_created, 1);
	for (unsigned i = 0; i < 2; i++) {
		rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	}

	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5000, 50));
	m = expect(LAN, &a_mac, PEER, HOST_A, 49);
	assert_int_equal(dport_of(m), 5000);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 3);
	assert_int_equal(cnt()->nat_out, 4);
	assert_int_equal(cnt()->nat_in, 1);
	assert_int_equal(cnt()->forwarded, 5);
}

/* The fused pass (fastpath.c) hands a packet it does not take (here a
 * first fragment, which the general path forwards and tracks) to the
 * general path, and with it every later packet of the burst between the
 * same two hosts: the flow leaves in the order it came. Another host's
 * packets in the same burst are not held back. */
static void
test_worker_fused_keeps_flow_order(void **state)
{
	uint8_t u[12] = { 0 };
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)u;
	struct rte_mbuf *b[3], *m;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	run1(LAN, udp(LAN, &b_mac, HOST_B, 5000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	rte_pktmbuf_free(m);
	assert_null(sent(WAN));

	uh->src_port = rte_cpu_to_be_16(5000);
	uh->dst_port = rte_cpu_to_be_16(53);
	uh->dgram_len = rte_cpu_to_be_16(40);
	b[0] = mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 7, RTE_IPV4_HDR_MF_FLAG, u, sizeof(u));
	uh->dgram_len = rte_cpu_to_be_16(sizeof(u));
	b[1] = mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 8, 0, u, sizeof(u));
	b[2] = udp(LAN, &b_mac, HOST_B, 5000, PEER, 53, 64);
	run(LAN, b, 3);
	/* HOST_B's packet went first, in the fused pass's own tx burst. */
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	assert_int_equal(rte_be_to_cpu_16(ip_of(m)->packet_id), 1);
	rte_pktmbuf_free(m);
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	assert_int_equal(rte_be_to_cpu_16(ip_of(m)->packet_id), 7);
	rte_pktmbuf_free(m);
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	assert_int_equal(rte_be_to_cpu_16(ip_of(m)->packet_id), 8);
	rte_pktmbuf_free(m);
	assert_null(sent(WAN));
	assert_int_equal(cnt()->frag_tracked, 1);
	assert_int_equal(cnt()->forwarded, 5);
}

/* @m is UDP with IPv4 id @id (the packet's place in its burst). */
static void
free_with_id(struct rte_mbuf *m, uint16_t id)
{
	assert_int_equal(rte_be_to_cpu_16(ip_of(m)->packet_id), id);
	rte_pktmbuf_free(m);
}

/* UDP from HOST_A or HOST_B:5000 to PEER:53 with IPv4 id @id. */
static struct rte_mbuf *
udp_id(uint32_t host, uint16_t id)
{
	struct rte_mbuf *m = udp(LAN, host == HOST_A ? &a_mac : &b_mac, host, 5000, PEER, 53, 64);
	struct rte_ipv4_hdr *ip = ip_of(m);

	ip->packet_id = rte_cpu_to_be_16(id);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/* A run of one flow's packets in a burst takes the lookup and clean-hit
 * checks of the first (fastpath.c, fz.same): a run whose first is a miss
 * goes to the general path whole (one session, every packet forwarded in
 * order); a run of a clean hit is taken whole, around another host's
 * miss; a run whose first is not clean (its WAN changed state) is the
 * general path's whole. */
static void
test_worker_fused_same_flow_run(void **state)
{
	struct rte_mbuf *b[6];

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		b[i] = udp_id(HOST_A, (uint16_t)(10 + i));
	run(LAN, b, 4);
	assert_int_equal(cnt()->ct_created, 1);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 0);
	assert_int_equal(cnt()->forwarded, 4);
	for (unsigned i = 0; i < 4; i++)
		free_with_id(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63), (uint16_t)(10 + i));
	assert_null(sent(WAN));

	b[0] = udp_id(HOST_A, 20);
	b[1] = udp_id(HOST_A, 21);
	b[2] = udp_id(HOST_A, 22);
	b[3] = udp_id(HOST_B, 23);
	b[4] = udp_id(HOST_A, 24);
	b[5] = udp_id(HOST_A, 25);
	run(LAN, b, 6);
	assert_int_equal(cnt()->ct_created, 2);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 5);
	assert_int_equal(cnt()->forwarded, 10);
	/* HOST_A's five in the fused pass's tx burst, then HOST_B's new flow. */
	for (uint16_t id = 20; id <= 25; id++)
		if (id != 23)
			free_with_id(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63), id);
	free_with_id(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63), 23);
	assert_null(sent(WAN));

	st->wan[WAN].gen++;     /* the WAN went down and up: sessions stale */
	for (unsigned i = 0; i < 3; i++)
		b[i] = udp_id(HOST_A, (uint16_t)(30 + i));
	run(LAN, b, 3);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 5);
	assert_int_equal(cnt()->ct_flushed, 1);
	assert_int_equal(cnt()->forwarded, 13);
	for (unsigned i = 0; i < 3; i++)
		free_with_id(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63), (uint16_t)(30 + i));
	assert_null(sent(WAN));
}

/* In a run of one TCP flow's segments each is tracked on its own: a blind
 * RST (far outside the sender's window) among them is dropped and
 * counted, the segments around it are forwarded. */
static void
test_worker_fused_same_flow_tcp_blind_rst(void **state)
{
	struct rte_mbuf *b[3], *m;

	(void)state;
	tcp_syn_synack();
	run1(LAN, tcp(LAN, &a_mac, HOST_A, 40000, PEER, 80, RTE_TCP_ACK_FLAG, 1001, 7001));
	rte_pktmbuf_free(sent(WAN));

	b[0] = tcp(WAN, &gw_mac, PEER, 80, WAN_ADDR, 40000, RTE_TCP_ACK_FLAG, 7001, 1001);
	b[1] = tcp(WAN, &gw_mac, PEER, 80, WAN_ADDR, 40000, RTE_TCP_RST_FLAG, 7001u + 0x40000000u, 0);
	b[2] = tcp(WAN, &gw_mac, PEER, 80, WAN_ADDR, 40000, RTE_TCP_ACK_FLAG, 7001, 1001);
	run(WAN, b, 3);
	assert_int_equal(cnt()->drop[SB_DROP_TCP_RST_WINDOW], 1);
	for (unsigned i = 0; i < 2; i++) {
		m = expect(LAN, &a_mac, PEER, HOST_A, 63);
		assert_int_equal(dport_of(m), 40000);
		assert_int_equal(((struct rte_tcp_hdr *)(ip_of(m) + 1))->tcp_flags, RTE_TCP_ACK_FLAG);
		rte_pktmbuf_free(m);
	}
	assert_null(sent(LAN));
}

/* The fused pass sends one tx burst per egress port; what the TX ring has
 * no room for is dropped and counted (tx_full), as the tx buffer's
 * callback counts it on the general path. */
static void
test_worker_fused_tx_full_counted(void **state)
{
	struct rte_mbuf *b[3];
	unsigned filled = 0;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	while (rte_ring_free_count(txr[WAN]) > 1) {
		struct rte_mbuf *f = rte_pktmbuf_alloc(pool);

		assert_non_null(f);
		assert_int_equal(rte_ring_enqueue(txr[WAN], f), 0);
		filled++;
	}
	for (unsigned i = 0; i < 3; i++)
		b[i] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	run(LAN, b, 3);
	assert_int_equal(cnt()->drop[SB_DROP_TX_FULL], 2);
	assert_int_equal(cnt()->forwarded, 4);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_FAST_PATH], 3);
	for (unsigned i = 0; i < filled; i++)
		rte_pktmbuf_free(sent(WAN));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_null(sent(WAN));
}

static int
setup_vlan(void **state)
{
	int r;

	lan_vlan = 10;
	r = setup(state);
	lan_vlan = 0;
	return r;
}

/* @m tagged with VLAN @vid. */
static struct rte_mbuf *
tagged(struct rte_mbuf *m, uint16_t vid)
{
	m->vlan_tci = vid;
	assert_int_equal(rte_vlan_insert(&m), 0);
	return m;
}

/* A LAN port on VLAN 10: its established flows take the fused pass too
 * (parsed once: the stage counts one parse per packet), tag stripped on
 * the way in and put back on the way out; a frame of another VLAN or
 * untagged is dropped as before. */
static void
test_worker_vlan_port_fused(void **state)
{
	struct rte_mbuf *m;
	uint64_t parsed;

	(void)state;
	run1(LAN, tagged(udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64), 10));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	parsed = cnt()->stage_pkts[SB_STAGE_PARSE];
	run1(LAN, tagged(udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64), 10));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	assert_int_equal(sport_of(m), 5000);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_PARSE], parsed + 1);

	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5000, 50));
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5000, 50));
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *f;

		m = sent(LAN);
		assert_non_null(m);
		f = rte_pktmbuf_mtod(m, uint8_t *);
		assert_int_equal(f[12] << 8 | f[13], RTE_ETHER_TYPE_VLAN);
		assert_int_equal((f[14] << 8 | f[15]) & 0xfff, 10);
		assert_int_equal(rte_vlan_strip(m), 0);
		check_ip(m, LAN, &a_mac, PEER, HOST_A, 49);
		assert_int_equal(dport_of(m), 5000);
		rte_pktmbuf_free(m);
	}
	assert_null(sent(LAN));

	run1(LAN, tagged(udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64), 11));
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_VLAN_MISMATCH], 2);
	assert_int_equal(cnt()->forwarded, 4);
}

/* Endpoint-independent mapping: a second host's colliding port gets
 * another external port; the first keeps its port to any destination. */
static void
test_worker_mapping_endpoint_independent(void **state)
{
	struct rte_mbuf *m;
	uint16_t ext_b;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	run1(LAN, udp(LAN, &b_mac, HOST_B, 5000, PEER, 53, 64));
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER + 1, 53, 64));
	m = sent(WAN);
	assert_int_equal(sport_of(m), 5000);
	rte_pktmbuf_free(m);
	m = sent(WAN);
	ext_b = sport_of(m);
	assert_int_not_equal(ext_b, 5000);
	assert_true(ext_b >= SB_NAT_PORT_MIN);
	rte_pktmbuf_free(m);
	m = sent(WAN);
	check_ip(m, WAN, &gw_mac, WAN_ADDR, PEER + 1, 63);
	assert_int_equal(sport_of(m), 5000);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->ct_created, 3);
	/* Unsolicited from the WAN, to a mapped port but another peer port:
	 * no session, dropped silently. */
	run1(WAN, udp(WAN, &gw_mac, PEER, 54, WAN_ADDR, 5000, 64));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 1);
}

/* A session whose WAN changed state is not a clean hit: the slow path
 * flushes it and resets the TCP connection towards the LAN host. */
static void
test_worker_stale_session_flushed_and_reset(void **state)
{
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;

	(void)state;
	tcp_syn_synack();
	assert_int_equal(cnt()->ct_created, 1);

	st->wan[WAN].gen++;     /* the WAN went down and up: sessions stale */
	run1(LAN, tcp(LAN, &a_mac, HOST_A, 40000, PEER, 80, RTE_TCP_ACK_FLAG, 1001, 7001));
	assert_int_equal(cnt()->ct_flushed, 1);
	assert_int_equal(cnt()->tcp_rst_sent, 1);
	assert_null(sent(WAN));
	m = expect(LAN, &a_mac, PEER, HOST_A, 64);
	th = (struct rte_tcp_hdr *)(ip_of(m) + 1);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), 7001);
	assert_int_equal(rte_be_to_cpu_16(th->src_port), 80);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), 40000);
	rte_pktmbuf_free(m);

	/* UDP just re-classifies: a new session, forwarded. */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	st->wan[WAN].gen++;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_int_equal(cnt()->ct_flushed, 2);
	assert_int_equal(cnt()->ct_created, 3);
}

/* Issue 11, finding 6: two packets of one stale session in one burst. The
 * first flushes it (releasing its hold on the mapping) and makes the new
 * session; the second must neither flush nor release again through the
 * freed session: the mapping, shared with a second flow of the same host
 * and port, keeps one hold per live session. */
static void
test_worker_stale_session_twice_in_a_burst(void **state)
{
	const uint32_t peer2 = 0xc6336408u; /* 198.51.100.8 */
	struct sb_eim_key k = sb_eim_key(rte_cpu_to_be_32(HOST_A), rte_cpu_to_be_16(5000),
					 IPPROTO_UDP, WAN);
	struct rte_mbuf *b[2];
	int32_t pos;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, peer2, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	rte_pktmbuf_free(sent(WAN));
	pos = rte_hash_lookup(eim->slots.h, &k);
	assert_true(pos >= 0);
	assert_int_equal(eim->slot[pos].ref, 2);

	st->wan[WAN].gen++;     /* both sessions stale */
	b[0] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	b[1] = udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64);
	run(LAN, b, 2);
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_int_equal(cnt()->ct_flushed, 1);
	assert_int_equal(cnt()->ct_created, 3);
	/* The new session of flow 1 and the stale one of flow 2 hold it. */
	assert_int_equal(eim->slot[pos].ref, 2);
}

/* The fused pass takes a hit on the path of the burst's last clean hit
 * (the same ports, neighbour and WAN generation) without checking it
 * again. Hosts A and B on one path in one burst, both ways: each frame to
 * its own MAC. A's session made before the WAN's generation moved and
 * B's after: B's path is not A's, and A's packet right after B's is
 * checked (stale: flushed, a new session), not taken on B's path. */
static void
test_worker_fused_path_of_last_hit(void **state)
{
	struct rte_mbuf *b[2], *m;
	uint16_t ea, eb;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5300, PEER, 53, 64));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	ea = sport_of(m);
	rte_pktmbuf_free(m);
	run1(LAN, udp(LAN, &b_mac, HOST_B, 5301, PEER, 53, 64));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	eb = sport_of(m);
	rte_pktmbuf_free(m);
	b[0] = udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ea, 64);
	b[1] = udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, eb, 64);
	run(WAN, b, 2);
	rte_pktmbuf_free(expect(LAN, &a_mac, PEER, HOST_A, 63));
	rte_pktmbuf_free(expect(LAN, &b_mac, PEER, HOST_B, 63));
	b[0] = udp(LAN, &a_mac, HOST_A, 5300, PEER, 53, 64);
	b[1] = udp(LAN, &b_mac, HOST_B, 5301, PEER, 53, 64);
	run(LAN, b, 2);
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_int_equal(cnt()->ct_created, 2);

	st->wan[WAN].gen++;     /* A's and B's sessions stale */
	run1(LAN, udp(LAN, &b_mac, HOST_B, 5301, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_int_equal(cnt()->ct_flushed, 1);
	b[0] = udp(LAN, &b_mac, HOST_B, 5301, PEER, 53, 64);
	b[1] = udp(LAN, &a_mac, HOST_A, 5300, PEER, 53, 64);
	run(LAN, b, 2);
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->ct_flushed, 2);
	assert_int_equal(cnt()->ct_created, 4);
}

/* Issue 11, finding 9: a LAN host's packets to multicast (224/4) or the
 * limited broadcast, even sent to the gateway's MAC, are not routed nor
 * translated out of the WAN: dropped, counted. */
static void
test_worker_lan_multicast_not_natted(void **state)
{
	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5353, 0xe00000fbu, 5353, 64));  /* 224.0.0.251 */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, 0xefffff01u, 5000, 64));  /* 239.255.255.1 */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 68, 0xffffffffu, 67, 64));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_LAN_MULTICAST], 3);
	assert_int_equal(cnt()->ct_created, 0);
	assert_int_equal(cnt()->nat_out, 0);
	/* Unicast still goes. */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
}

/* Issue 11, finding 4: a later fragment follows the session its first
 * fragment passed with, not whatever session reuses that index after it
 * was freed (LIFO): here host A's TCP session is flushed and host B's new
 * one takes its index; the peer's later fragment of A's datagram must not
 * be rewritten towards B. */
static void
test_worker_fragment_bound_to_its_session(void **state)
{
	struct rte_tcp_hdr t = {
		.src_port = rte_cpu_to_be_16(80), .dst_port = rte_cpu_to_be_16(40000),
		.sent_seq = rte_cpu_to_be_32(7001), .recv_ack = rte_cpu_to_be_32(1001),
		.data_off = 5 << 4, .tcp_flags = RTE_TCP_ACK_FLAG, .rx_win = rte_cpu_to_be_16(512),
	};
	uint8_t later[8];
	struct rte_mbuf *m;
	void *x;

	(void)state;
	memset(later, 0x5a, sizeof(later));
	tcp_syn_synack();
	/* The peer's first fragment (id 99) goes to A and is tracked. */
	run1(WAN, mk(WAN, &gw_mac, PEER, WAN_ADDR, IPPROTO_TCP, 64, 99, RTE_IPV4_HDR_MF_FLAG, &t,
		     sizeof(t)));
	rte_pktmbuf_free(expect(LAN, &a_mac, PEER, HOST_A, 63));
	assert_int_equal(cnt()->frag_tracked, 1);

	/* A's session flushed (its WAN changed), B's new one takes the
	 * freed index. */
	st->wan[WAN].gen++;
	run1(LAN, tcp(LAN, &a_mac, HOST_A, 40000, PEER, 80, RTE_TCP_ACK_FLAG, 1001, 7001));
	assert_int_equal(cnt()->ct_flushed, 1);
	while ((x = sent(LAN)) != NULL)
		rte_pktmbuf_free(x);
	run1(LAN, tcp(LAN, &b_mac, HOST_B, 40001, PEER, 80, RTE_TCP_SYN_FLAG, 5000, 0));
	rte_pktmbuf_free(sent(WAN));
	assert_int_equal(cnt()->ct_created, 2);

	/* The rest of A's datagram: for nobody now. */
	run1(WAN, mk(WAN, &gw_mac, PEER, WAN_ADDR, IPPROTO_TCP, 64, 99, 3, later, sizeof(later)));
	m = sent(LAN);
	if (m != NULL)
		rte_pktmbuf_free(m);
	assert_null(m);
	assert_int_equal(cnt()->drop[SB_DROP_FRAG_NO_FLOW], 1);
	assert_int_equal(cnt()->frag_forwarded, 0);
}

/* Hairpin: host B reaches host A through A's external mapping and sees it
 * from its own; A's answer in the same burst finds the new session. */
static void
test_worker_hairpin(void **state)
{
	struct rte_mbuf *b[2], *m;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	b[0] = udp(LAN, &b_mac, HOST_B, 6000, WAN_ADDR, 5000, 64);
	b[1] = udp(LAN, &a_mac, HOST_A, 5000, WAN_ADDR, 6000, 64);
	run(LAN, b, 2);
	m = expect(LAN, &a_mac, WAN_ADDR, HOST_A, 63);
	assert_int_equal(sport_of(m), 6000);
	assert_int_equal(dport_of(m), 5000);
	rte_pktmbuf_free(m);
	m = expect(LAN, &b_mac, WAN_ADDR, HOST_B, 63);
	assert_int_equal(sport_of(m), 5000);
	assert_int_equal(dport_of(m), 6000);
	rte_pktmbuf_free(m);
	assert_null(sent(WAN));
	assert_int_equal(cnt()->ct_created, 2);
	assert_int_equal(cnt()->drop[SB_DROP_CT_CONFLICT], 0);
	/* To an external port nobody holds: dropped. */
	run1(LAN, udp(LAN, &b_mac, HOST_B, 6001, WAN_ADDR, 5999, 64));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_LOCAL_UNHANDLED], 1);
}

/* Issue 11, finding 7: a hairpinned datagram's later fragment gets both
 * its addresses rewritten, as its first fragment did: host B to host A's
 * external mapping arrives at A from the WAN address, both parts. */
static void
test_worker_hairpin_fragments(void **state)
{
	uint8_t first[16] = { 0 }, later[8];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)first;
	struct rte_mbuf *b[2];

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	u->src_port = rte_cpu_to_be_16(6000);
	u->dst_port = rte_cpu_to_be_16(5000);
	u->dgram_len = rte_cpu_to_be_16(8 + 8 + 8);
	memset(later, 0x5a, sizeof(later));
	b[0] = mk(LAN, &b_mac, HOST_B, WAN_ADDR, IPPROTO_UDP, 64, 88, RTE_IPV4_HDR_MF_FLAG, first,
		  16);
	b[1] = mk(LAN, &b_mac, HOST_B, WAN_ADDR, IPPROTO_UDP, 64, 88, 2, later, 8);
	run(LAN, b, 2);
	for (unsigned i = 0; i < 2; i++)
		rte_pktmbuf_free(expect(LAN, &a_mac, WAN_ADDR, HOST_A, 63));
	assert_int_equal(cnt()->frag_forwarded, 1);
	assert_null(sent(LAN));
}

/* An ICMP error from the WAN about a packet we sent reaches the LAN host
 * with the quoted header restored. */
static void
test_worker_icmp_error_translated(void **state)
{
	uint8_t e[8 + 20 + 8];
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(e + 8);
	struct rte_udp_hdr *qu = (struct rte_udp_hdr *)(q + 1);
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *qo;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	/* Port unreachable from the peer, quoting what it got. */
	memset(e, 0, sizeof(e));
	e[0] = 3;
	e[1] = 3;
	q->version_ihl = RTE_IPV4_VHL_DEF;
	q->total_length = rte_cpu_to_be_16(32);
	q->time_to_live = 60;
	q->next_proto_id = IPPROTO_UDP;
	q->src_addr = rte_cpu_to_be_32(WAN_ADDR);
	q->dst_addr = rte_cpu_to_be_32(PEER);
	q->hdr_checksum = rte_ipv4_cksum(q);
	qu->src_port = rte_cpu_to_be_16(5000);
	qu->dst_port = rte_cpu_to_be_16(53);
	qu->dgram_len = rte_cpu_to_be_16(12);
	run1(WAN, mk(WAN, &gw_mac, PEER, WAN_ADDR, IPPROTO_ICMP, 64, 9, 0, e, sizeof(e)));
	m = expect(LAN, &a_mac, PEER, HOST_A, 63);
	qo = (struct rte_ipv4_hdr *)((uint8_t *)(ip_of(m) + 1) + 8);
	assert_int_equal(rte_be_to_cpu_32(qo->src_addr), HOST_A);
	assert_int_equal(rte_be_to_cpu_32(qo->dst_addr), PEER);
	assert_int_equal(rte_raw_cksum(qo, sizeof(*qo)), 0xffff);
	assert_int_equal(rte_be_to_cpu_16(((struct rte_udp_hdr *)(qo + 1))->src_port), 5000);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->icmp_errors, 1);
	assert_int_equal(cnt()->ct_created, 1);
	/* About a flow we never had: dropped. */
	q->src_addr = rte_cpu_to_be_32(WAN_ADDR);
	qu->src_port = rte_cpu_to_be_16(5001);
	run1(WAN, mk(WAN, &gw_mac, PEER, WAN_ADDR, IPPROTO_ICMP, 64, 10, 0, e, sizeof(e)));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_ICMP_NO_SESSION], 1);
}

/* Publish group 3: the routed LAN 192.168.2.0/24 via the router at @gw
 * (neighbour @nb) on the LAN. */
static void
routed_lan(uint32_t gw, int32_t nb)
{
	if (st->n_nhg < 4) {
		struct sb_nhg *g = rte_zmalloc("t_w_nhg4", 4 * sizeof(*g), 64);

		assert_non_null(g);
		memcpy(g, st->nhg, st->n_nhg * sizeof(*g));
		rte_free(st->nhg);
		st->nhg = g;
		st->n_nhg = 4;
	}
	st->nhg[3].n_paths = 1;
	st->nhg[3].path[0] = (struct sb_path){ .gw = gw, .nb = (uint32_t)nb, .port = LAN };
}

/* Issue 11, finding 7: a host of a routed LAN (behind a router on the
 * LAN port, not on its subnet) gets its replies through that router: to
 * the router's MAC, never held waiting for an ARP answer from the host
 * itself (nobody answers it: the host is not on the link). The same for
 * an ICMP error about its flow, and when the route moves to another
 * router its sessions' replies follow. */
static void
test_worker_routed_lan_replies(void **state)
{
	uint8_t e[8 + 20 + 8];
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(e + 8);
	struct rte_udp_hdr *qu = (struct rte_udp_hdr *)(q + 1);
	struct rte_mbuf *m;
	uint16_t ext;

	(void)state;
	routed_lan(ROUTER, router_nb);
	run1(LAN, udp(LAN, &r_mac, R_HOST, 5300, PEER, 53, 64));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	ext = sport_of(m);
	rte_pktmbuf_free(m);
	/* The first reply (general path) and the next (fused pass). */
	for (unsigned i = 0; i < 2; i++) {
		run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ext, 64));
		m = expect(LAN, &r_mac, PEER, R_HOST, 63);
		assert_int_equal(dport_of(m), 5300);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(cnt()->parked, 0);
	assert_int_equal(cnt()->drop[SB_DROP_NEIGH_UNRESOLVED], 0);
	assert_int_equal(rte_ring_count(resolve), 0);   /* no ARP asked for the host */

	/* Port unreachable from the peer about the flow. */
	memset(e, 0, sizeof(e));
	e[0] = 3;
	e[1] = 3;
	q->version_ihl = RTE_IPV4_VHL_DEF;
	q->total_length = rte_cpu_to_be_16(32);
	q->time_to_live = 60;
	q->next_proto_id = IPPROTO_UDP;
	q->src_addr = rte_cpu_to_be_32(WAN_ADDR);
	q->dst_addr = rte_cpu_to_be_32(PEER);
	q->hdr_checksum = rte_ipv4_cksum(q);
	qu->src_port = rte_cpu_to_be_16(ext);
	qu->dst_port = rte_cpu_to_be_16(53);
	qu->dgram_len = rte_cpu_to_be_16(12);
	run1(WAN, mk(WAN, &gw_mac, PEER, WAN_ADDR, IPPROTO_ICMP, 64, 9, 0, e, sizeof(e)));
	rte_pktmbuf_free(expect(LAN, &r_mac, PEER, R_HOST, 63));
	assert_int_equal(cnt()->icmp_errors, 1);

	/* A reload moves the route to another router: the first router is
	 * in no group any more (control marks it dead); the session's
	 * replies go to the new one, first reply and later ones. */
	routed_lan(ROUTER2, router2_nb);
	st->nb_dead[router_nb] = 1;
	for (unsigned i = 0; i < 2; i++) {
		run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ext, 64));
		rte_pktmbuf_free(expect(LAN, &r2_mac, PEER, R_HOST, 63));
	}
	assert_null(sent(LAN));
	assert_int_equal(cnt()->parked, 0);
	assert_int_equal(rte_ring_count(resolve), 0);
}

/* Hairpin from a routed LAN's host to another LAN host's mapping: the
 * answer goes back through the router too. */
static void
test_worker_routed_lan_hairpin(void **state)
{
	struct rte_mbuf *m;
	uint16_t ext;

	(void)state;
	routed_lan(ROUTER, router_nb);
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(sent(WAN));
	run1(LAN, udp(LAN, &r_mac, R_HOST, 6000, WAN_ADDR, 5000, 64));
	m = expect(LAN, &a_mac, WAN_ADDR, HOST_A, 63);
	ext = sport_of(m);
	rte_pktmbuf_free(m);
	for (unsigned i = 0; i < 2; i++) {
		run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, WAN_ADDR, ext, 64));
		m = expect(LAN, &r_mac, WAN_ADDR, R_HOST, 63);
		assert_int_equal(sport_of(m), 5000);
		assert_int_equal(dport_of(m), 6000);
		rte_pktmbuf_free(m);
	}
	assert_null(sent(LAN));
	assert_int_equal(cnt()->parked, 0);
	assert_int_equal(rte_ring_count(resolve), 0);
}

/* Fragments: the later one follows its first with the same translation,
 * also when it comes first (held, then released). */
static void
test_worker_fragments_follow_their_first(void **state)
{
	uint8_t first[16] = { 0 }, later[8];
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)first;
	struct rte_mbuf *b[2], *m;

	(void)state;
	u->src_port = rte_cpu_to_be_16(5000);
	u->dst_port = rte_cpu_to_be_16(53);
	u->dgram_len = rte_cpu_to_be_16(8 + 8 + 8);
	memset(later, 0x5a, sizeof(later));
	/* In order, one burst. */
	b[0] = mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 77, RTE_IPV4_HDR_MF_FLAG, first, 16);
	b[1] = mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 77, 2, later, 8);
	run(LAN, b, 2);
	for (unsigned i = 0; i < 2; i++) {
		rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	}
	assert_int_equal(cnt()->frag_tracked, 1);
	assert_int_equal(cnt()->frag_forwarded, 1);

	/* Reordered: the later fragment waits for its first. */
	run1(LAN, mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 78, 2, later, 8));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->frag_held, 1);
	run1(LAN, mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 78, RTE_IPV4_HDR_MF_FLAG, first,
		     16));
	for (unsigned i = 0; i < 2; i++) {
		m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
		assert_int_equal(rte_be_to_cpu_16(ip_of(m)->packet_id), 78);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(cnt()->frag_released, 1);
	assert_int_equal(cnt()->frag_forwarded, 2);

	/* A later fragment of a datagram nobody saw, when the worker stops
	 * waiting for it: dropped. */
	run1(LAN, mk(LAN, &a_mac, HOST_A, PEER, IPPROTO_UDP, 64, 79, 2, later, 8));
	assert_int_equal(cnt()->frag_held, 2);
	sb_worker_sweep(w, rte_rdtsc() + 2 * rte_get_tsc_hz());
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_FRAG_NO_FLOW], 1);
}

/* For the gateway itself: echo answered in place; TTL 1 handed to
 * control for its time-exceeded; ARP punted. */
static void
test_worker_local_delivery_and_punts(void **state)
{
	uint8_t echo[12] = { RTE_IP_ICMP_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' };
	struct rte_mbuf *m;
	void *x = NULL;

	(void)state;
	run1(LAN, mk(LAN, &a_mac, HOST_A, LAN_ADDR, IPPROTO_ICMP, 64, 3, 0, echo, sizeof(echo)));
	m = expect(LAN, &a_mac, LAN_ADDR, HOST_A, 64);
	assert_int_equal(*((uint8_t *)(ip_of(m) + 1)), RTE_IP_ICMP_ECHO_REPLY);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->local_replies, 1);
	/* An all-zero echo (id 0, sequence 0, no data): its reply's
	 * checksum is 0xffff, not the 0x0000 an incremental update gives
	 * (found by fuzz_worker). */
	memset(echo + 1, 0, sizeof(echo) - 1);
	run1(LAN, mk(LAN, &a_mac, HOST_A, LAN_ADDR, IPPROTO_ICMP, 64, 4, 0, echo, 8));
	rte_pktmbuf_free(expect(LAN, &a_mac, LAN_ADDR, HOST_A, 64));

	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 1));
	assert_null(sent(WAN));
	assert_int_equal(rte_ring_dequeue(punt, &x), 0);
	assert_int_equal(SB_PUNT_REASON(((struct rte_mbuf *)x)->hash.usr), SB_PUNT_TTL_EXCEEDED);
	assert_int_equal(SB_PUNT_PORT(((struct rte_mbuf *)x)->hash.usr), LAN);
	rte_pktmbuf_free(x);
	assert_int_equal(cnt()->drop[SB_DROP_TTL_EXCEEDED], 1);
	assert_int_equal(cnt()->ct_created, 0);
}

/* An echo reply in the probe id range (0xff00 + @idx) from @src to @dst
 * on port @to, with @seq and @cookie as the first 8 data bytes. */
static struct rte_mbuf *
probe_reply(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint32_t dst,
	    unsigned idx, uint16_t seq, uint64_t cookie)
{
	uint8_t b[8 + 16] = { RTE_IP_ICMP_ECHO_REPLY, 0 };
	uint16_t id = rte_cpu_to_be_16((uint16_t)(SB_PROBE_ID_BASE + idx));

	seq = rte_cpu_to_be_16(seq);
	memcpy(b + 4, &id, 2);
	memcpy(b + 6, &seq, 2);
	memcpy(b + 8, &cookie, 8);
	memcpy(b + 16, "sb-probe", 8);
	return mk(to, smac, src, dst, IPPROTO_ICMP, 60, 9, 0, b, sizeof(b));
}

/* Issue 11, findings 1 and 2: a probe reply reaches control only when it
 * answers the probe in flight (its target, the WAN port it left by, its
 * sequence and cookie, before its deadline, once); forged ones, however
 * many and whatever their id, and a LAN host answering a WAN's probe, are
 * dropped in the worker and counted as probe_reply_invalid. */
static void
test_worker_probe_replies_validated(void **state)
{
	const uint32_t mon = 0xc0000235u; /* 192.0.2.53 */
	const uint64_t cookie = 0x5eed5eed12345678ull, hz = rte_get_tsc_hz();
	struct rte_mbuf *flood[32];
	void *x = NULL;

	(void)state;
	/* Nothing in flight: a reply in the range answers nothing. */
	run1(WAN, probe_reply(WAN, &gw_mac, mon, WAN_ADDR, 3, 7, cookie));
	assert_int_equal(cnt()->drop[SB_DROP_PROBE_INVALID], 1);
	assert_int_equal(rte_ring_count(punt), 0);

	sb_probe_expect_set(&probes, 3, rte_cpu_to_be_32(mon), rte_cpu_to_be_16(7), WAN, cookie,
			    rte_rdtsc() + hz);
	/* A flood spoofed from the monitor with every probe id, the right
	 * one included, and any sequence: not one passes. */
	for (unsigned i = 0; i < 32; i++)
		flood[i] = probe_reply(WAN, &gw_mac, mon, WAN_ADDR, i * 8 + 3, (uint16_t)i,
				       cookie ^ i);
	run(WAN, flood, 32);
	assert_int_equal(cnt()->drop[SB_DROP_PROBE_INVALID], 33);
	/* The right id, sequence and target with a wrong cookie; from
	 * another address; a LAN host answering with everything right. */
	run1(WAN, probe_reply(WAN, &gw_mac, mon, WAN_ADDR, 3, 7, cookie + 1));
	run1(WAN, probe_reply(WAN, &gw_mac, mon + 1, WAN_ADDR, 3, 7, cookie));
	run1(LAN, probe_reply(LAN, &a_mac, mon, LAN_ADDR, 3, 7, cookie));
	assert_int_equal(cnt()->drop[SB_DROP_PROBE_INVALID], 36);
	assert_int_equal(rte_ring_count(punt), 0);

	/* The answer: to control, once. */
	run1(WAN, probe_reply(WAN, &gw_mac, mon, WAN_ADDR, 3, 7, cookie));
	assert_int_equal(rte_ring_dequeue(punt, &x), 0);
	assert_int_equal(SB_PUNT_REASON(((struct rte_mbuf *)x)->hash.usr), SB_PUNT_PROBE_REPLY);
	assert_int_equal(SB_PUNT_PORT(((struct rte_mbuf *)x)->hash.usr), WAN);
	rte_pktmbuf_free(x);
	run1(WAN, probe_reply(WAN, &gw_mac, mon, WAN_ADDR, 3, 7, cookie));
	assert_int_equal(cnt()->drop[SB_DROP_PROBE_INVALID], 37);
	assert_int_equal(rte_ring_count(punt), 0);

	/* Past its deadline: too late. */
	sb_probe_expect_set(&probes, 4, rte_cpu_to_be_32(mon), rte_cpu_to_be_16(1), WAN, cookie,
			    rte_rdtsc() - 1);
	run1(WAN, probe_reply(WAN, &gw_mac, mon, WAN_ADDR, 4, 1, cookie));
	assert_int_equal(cnt()->drop[SB_DROP_PROBE_INVALID], 38);
	assert_int_equal(rte_ring_count(punt), 0);
	assert_int_equal(cnt()->punted, 1);
}

static int
setup_dhcp(void **state)
{
	int r;

	dhcp_wan = true;
	r = setup(state);
	dhcp_wan = false;
	return r;
}

/* A DHCP WAN: replies from the server (broadcast too) go to control,
 * policed; the address follows the published state, and a session on the
 * old one loses its reply key while new flows take the new address. */
static void
test_worker_dhcp_port(void **state)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	const uint32_t new_addr = 0xcb007114u; /* 203.0.113.20 */
	struct rte_mbuf *b[30], *m;
	unsigned punted = 0;
	void *x = NULL;

	(void)state;
	m = udp(WAN, &gw_mac, WAN_GW, 67, 0xffffffffu, 68, 64);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = bcast;
	run1(WAN, m);
	assert_int_equal(rte_ring_dequeue(punt, &x), 0);
	assert_int_equal(SB_PUNT_REASON(((struct rte_mbuf *)x)->hash.usr), SB_PUNT_DHCP);
	assert_int_equal(SB_PUNT_PORT(((struct rte_mbuf *)x)->hash.usr), WAN);
	rte_pktmbuf_free(x);
	/* A flood: the bucket's burst (20, less the one above), then drops. */
	for (unsigned i = 0; i < 30; i++)
		b[i] = udp(WAN, &gw_mac, WAN_GW, 67, WAN_ADDR, 68, 64);
	run(WAN, b, 30);
	while (rte_ring_dequeue(punt, &x) == 0) {
		punted++;
		rte_pktmbuf_free(x);
	}
	assert_true(punted >= 19 && punted <= 21);
	assert_int_equal(cnt()->drop[SB_DROP_PUNT_POLICED], 30 - punted);

	run1(LAN, udp(LAN, &a_mac, HOST_A, 5000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	/* A new lease, published. */
	st->version++;
	st->wan[WAN].addr = new_addr;
	st->wan[WAN].prefix_len = 24;
	st->wan[WAN].gen++;
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, 5000, 50));
	assert_null(sent(LAN));  /* the old address is nobody's now */
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 1);
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5001, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, new_addr, PEER, 63));
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, new_addr, 5001, 50));
	rte_pktmbuf_free(expect(LAN, &a_mac, PEER, HOST_A, 49));
}

/* The loop's accounting is honest: cycles per packet are printed only for
 * stages that counted enough packets. */
static void
test_worker_stage_summary_needs_enough_packets(void **state)
{
	struct sb_counters k;
	char buf[512];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.stage_cycles[SB_STAGE_TX] = 185002;
	k.stage_pkts[SB_STAGE_TX] = 1;
	k.stage_cycles[SB_STAGE_FAST_PATH] = 50ull * SB_STAGE_MIN_PKTS;
	k.stage_pkts[SB_STAGE_FAST_PATH] = SB_STAGE_MIN_PKTS;
	sb_stage_format(&k, buf, sizeof(buf));
	assert_non_null(strstr(buf, "fast_path=50.0"));
	assert_non_null(strstr(buf, "tx_flush=- (1 packets)"));
	assert_null(strstr(buf, "185002"));
	assert_null(strstr(buf, "parse"));
}

/* expect(), then its TCP/UDP ports (0: not checked); the frame freed. */
static void
expect_ports(unsigned p, const struct rte_ether_addr *dmac, uint32_t src, uint32_t dst,
	     uint8_t ttl, uint16_t sport, uint16_t dport)
{
	struct rte_mbuf *m = expect(p, dmac, src, dst, ttl);

	if (sport != 0)
		assert_int_equal(sport_of(m), sport);
	if (dport != 0)
		assert_int_equal(dport_of(m), dport);
	rte_pktmbuf_free(m);
}

#define ONE2ONE 0xcb007114u  /* 203.0.113.20: HOST_B's one-to-one address */
#define PEER2   0xc6336408u  /* 198.51.100.8 */

/* UDP 8022 (tcp and udp) -> HOST_A:9022; TCP 8023 -> HOST_A:9023 from PEER
 * only; HOST_B is 203.0.113.20 one-to-one; replies through WAN_GW. */
static int
setup_fwd(void **state)
{
	fwdt = calloc(1, sizeof(*fwdt));
	if (fwdt == NULL)
		return -1;
	fwdt->n = 2;
	fwdt->r[0] = (struct sb_fwd_rule){ .wans = 1u << WAN, .protos = SB_FWD_TCP | SB_FWD_UDP,
					   .lan_port = LAN, .ext_lo = 8022, .ext_hi = 8022,
					   .to_lo = 9022, .to = HOST_A };
	fwdt->r[1] = (struct sb_fwd_rule){ .wans = 1u << WAN, .protos = SB_FWD_TCP,
					   .lan_port = LAN, .ext_lo = 8023, .ext_hi = 8023,
					   .to_lo = 9023, .to = HOST_A, .n_allow = 1,
					   .allow_net = { PEER }, .allow_mask = { ~0u } };
	fwdt->reply_gw[WAN] = WAN_GW;
	fwdt->n11 = 1;
	fwdt->m11[0] = (struct sb_nat11){ .external = ONE2ONE, .internal = HOST_B, .wan = WAN,
					  .lan_port = LAN };
	if (setup(state) != 0)
		return -1;
	sb_ct_set_xaddr(ct, 1, rte_cpu_to_be_32(ONE2ONE));
	/* No route at all: what the inbound sessions send is pinned to
	 * their WAN, whatever the routes say. */
	st->nhg[0].n_paths = 0;
	return 0;
}

/* Port forwards: the first packet from the WAN makes the session, the
 * server's answer leaves through the WAN it came in on (no route needed)
 * from WAN address:forwarded port; other sources refused and counted;
 * only a SYN opens TCP; hairpin from the LAN; one-to-one both ways. */
static void
test_worker_inbound(void **state)
{
	(void)state;
	run1(WAN, udp(WAN, &gw_mac, PEER, 4000, WAN_ADDR, 8022, 64));
	expect_ports(LAN, &a_mac, PEER, HOST_A, 63, 4000, 9022);
	assert_int_equal(fwdt->cnt[0].hits, 1);
	run1(LAN, udp(LAN, &a_mac, HOST_A, 9022, PEER, 4000, 64));
	expect_ports(WAN, &gw_mac, WAN_ADDR, PEER, 63, 8022, 4000);
	/* Another WAN's failback moving this WAN's sessions (failback =
	 * move) leaves the pinned session alone ... */
	st->wan[WAN].gen++;
	st->wan[WAN].moves++;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 9022, PEER, 4000, 64));
	expect_ports(WAN, &gw_mac, WAN_ADDR, PEER, 63, 8022, 0);
	assert_int_equal(cnt()->ct_flushed, 0);
	/* ... its own WAN going down flushes it; the client's next packet
	 * makes a new one */
	st->wan[WAN].gen++;
	run1(WAN, udp(WAN, &gw_mac, PEER, 4000, WAN_ADDR, 8022, 64));
	expect_ports(LAN, &a_mac, PEER, HOST_A, 63, 0, 0);
	assert_int_equal(cnt()->ct_flushed, 1);
	assert_int_equal(fwdt->cnt[0].hits, 2);
	/* a plain LAN flow has no route here */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 9022, PEER2, 4000, 64));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_NO_ROUTE], 1);

	/* TCP: a SYN opens, the SYN-ACK leaves pinned; an ACK alone does not. */
	run1(WAN, tcp(WAN, &gw_mac, PEER2, 4001, WAN_ADDR, 8022, RTE_TCP_SYN_FLAG, 100, 0));
	expect_ports(LAN, &a_mac, PEER2, HOST_A, 63, 0, 9022);
	run1(LAN, tcp(LAN, &a_mac, HOST_A, 9022, PEER2, 4001,
		      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 500, 101));
	expect_ports(WAN, &gw_mac, WAN_ADDR, PEER2, 63, 8022, 0);
	run1(WAN, tcp(WAN, &gw_mac, PEER2, 4002, WAN_ADDR, 8022, RTE_TCP_ACK_FLAG, 100, 1));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 1);

	/* allow: PEER only */
	run1(WAN, tcp(WAN, &gw_mac, PEER2, 4003, WAN_ADDR, 8023, RTE_TCP_SYN_FLAG, 100, 0));
	assert_null(sent(LAN));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_FWD_REFUSED], 1);
	assert_int_equal(fwdt->cnt[1].refused, 1);
	run1(WAN, tcp(WAN, &gw_mac, PEER, 4003, WAN_ADDR, 8023, RTE_TCP_SYN_FLAG, 100, 0));
	expect_ports(LAN, &a_mac, PEER, HOST_A, 63, 0, 9023);
	assert_int_equal(fwdt->cnt[1].hits, 1);

	/* hairpin: HOST_B to WAN_ADDR:8022 reaches HOST_A:9022 from its own
	 * mapping, and back */
	run1(LAN, udp(LAN, &b_mac, HOST_B, 6000, WAN_ADDR, 8022, 64));
	expect_ports(LAN, &a_mac, WAN_ADDR, HOST_A, 63, 6000, 9022);
	assert_int_equal(fwdt->cnt[0].hairpin, 1);
	run1(LAN, udp(LAN, &a_mac, HOST_A, 9022, WAN_ADDR, 6000, 64));
	expect_ports(LAN, &b_mac, WAN_ADDR, HOST_B, 63, 8022, 6000);

	/* one-to-one: HOST_B out as 203.0.113.20, ports kept (flows that
	 * would leave by a WAN: the default route back) ... */
	st->nhg[0].n_paths = 1;
	run1(LAN, udp(LAN, &b_mac, HOST_B, 7000, PEER, 53, 64));
	expect_ports(WAN, &gw_mac, ONE2ONE, PEER, 63, 7000, 0);
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, ONE2ONE, 7000, 64));
	expect_ports(LAN, &b_mac, PEER, HOST_B, 63, 0, 7000);
	/* ... and in, any port */
	run1(WAN, udp(WAN, &gw_mac, PEER2, 5, ONE2ONE, 80, 64));
	expect_ports(LAN, &b_mac, PEER2, HOST_B, 63, 0, 80);
	run1(LAN, udp(LAN, &b_mac, HOST_B, 80, PEER2, 5, 64));
	expect_ports(WAN, &gw_mac, ONE2ONE, PEER2, 63, 80, 0);
	assert_int_equal(fwdt->cnt11[0].out, 1);
	assert_int_equal(fwdt->cnt11[0].in, 1);
	/* its WAN down: a new flow is masqueraded like any host's */
	st->wan[WAN].up = 0;
	run1(LAN, udp(LAN, &b_mac, HOST_B, 7001, PEER, 53, 64));
	expect_ports(WAN, &gw_mac, WAN_ADDR, PEER, 63, 0, 0);
	assert_int_equal(fwdt->cnt11[0].out, 1);
	st->wan[WAN].up = 1;
	/* an unforwarded port of the WAN address stays unsolicited */
	run1(WAN, udp(WAN, &gw_mac, PEER, 4000, WAN_ADDR, 8024, 64));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 2);
}

/* ICMP echo @type with id @id and sequence 1, 8 bytes of data. */
static struct rte_mbuf *
echo(unsigned to, const struct rte_ether_addr *smac, uint32_t src, uint32_t dst, uint8_t type,
     uint16_t id)
{
	uint8_t e[16] = { type, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id, 0, 1,
			  'p', 'i', 'n', 'g', 'd', 'a', 't', 'a' };

	return mk(to, smac, src, dst, IPPROTO_ICMP, 64, 3, 0, e, sizeof(e));
}

/* The ICMP echo id of frame @m. */
static uint16_t
echo_id_of(struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(((struct rte_icmp_hdr *)(ip_of(m) + 1))->icmp_ident);
}

/* From a WAN, only the WAN's own address answers a ping: an echo to the
 * LAN address is dropped, not answered out of the WAN from 192.168.1.1
 * (found by fuzz_worker). */
static void
test_worker_wan_ping_to_lan_address_dropped(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	run1(WAN, echo(WAN, &gw_mac, PEER, LAN_ADDR, RTE_IP_ICMP_ECHO_REQUEST, 77));
	assert_null(sent(WAN));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->local_replies, 0);
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 1);
	run1(WAN, echo(WAN, &gw_mac, PEER, WAN_ADDR, RTE_IP_ICMP_ECHO_REQUEST, 78));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 64);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->local_replies, 1);
}

/* An echo request from outside to a one-to-one address reaches its
 * internal host (id kept, checksums right); the host's reply leaves by
 * that WAN from the external address; an echo to the WAN's own address
 * is still the gateway's. */
static void
test_worker_inbound_echo(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	run1(WAN, echo(WAN, &gw_mac, PEER, ONE2ONE, RTE_IP_ICMP_ECHO_REQUEST, 0x1234));
	m = expect(LAN, &b_mac, PEER, HOST_B, 63);
	assert_int_equal(ip_of(m)->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(((struct rte_icmp_hdr *)(ip_of(m) + 1))->icmp_type,
			 RTE_IP_ICMP_ECHO_REQUEST);
	assert_int_equal(echo_id_of(m), 0x1234);
	rte_pktmbuf_free(m);
	assert_int_equal(fwdt->cnt11[0].in, 1);
	run1(LAN, echo(LAN, &b_mac, HOST_B, PEER, RTE_IP_ICMP_ECHO_REPLY, 0x1234));
	m = expect(WAN, &gw_mac, ONE2ONE, PEER, 63);
	assert_int_equal(((struct rte_icmp_hdr *)(ip_of(m) + 1))->icmp_type,
			 RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(echo_id_of(m), 0x1234);
	rte_pktmbuf_free(m);
	/* the next request takes the session (fast path), no new one */
	run1(WAN, echo(WAN, &gw_mac, PEER, ONE2ONE, RTE_IP_ICMP_ECHO_REQUEST, 0x1234));
	m = expect(LAN, &b_mac, PEER, HOST_B, 63);
	assert_int_equal(echo_id_of(m), 0x1234);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->ct_created, 1);
	/* an echo reply nobody asked for stays unsolicited */
	run1(WAN, echo(WAN, &gw_mac, PEER2, ONE2ONE, RTE_IP_ICMP_ECHO_REPLY, 0x99));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->drop[SB_DROP_WAN_UNSOLICITED], 1);
	/* to the WAN's own address: the gateway's, no session */
	run1(WAN, echo(WAN, &gw_mac, PEER, WAN_ADDR, RTE_IP_ICMP_ECHO_REQUEST, 0x77));
	assert_null(sent(LAN));
	assert_int_equal(cnt()->ct_created, 1);
	assert_int_equal(fwdt->cnt11[0].in, 1);
}

/* Hairpin to a one-to-one address: a LAN host reaches its internal host
 * from its own mapping on that WAN, and the answer comes back from the
 * one-to-one address; TCP too. */
static void
test_worker_hairpin_one2one(void **state)
{
	struct rte_mbuf *m;
	uint16_t ext;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 6100, ONE2ONE, 80, 64));
	m = expect(LAN, &b_mac, WAN_ADDR, HOST_B, 63);
	assert_int_equal(dport_of(m), 80);
	ext = sport_of(m);
	rte_pktmbuf_free(m);
	assert_null(sent(WAN));
	assert_int_equal(fwdt->cnt11[0].hairpin, 1);
	assert_int_equal(fwdt->cnt11[0].in, 0);
	run1(LAN, udp(LAN, &b_mac, HOST_B, 80, WAN_ADDR, ext, 64));
	expect_ports(LAN, &a_mac, ONE2ONE, HOST_A, 63, 80, 6100);
	/* the next packet takes the session: no new one */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 6100, ONE2ONE, 80, 64));
	expect_ports(LAN, &b_mac, WAN_ADDR, HOST_B, 63, ext, 80);
	assert_int_equal(cnt()->ct_created, 1);

	run1(LAN, tcp(LAN, &a_mac, HOST_A, 6101, ONE2ONE, 22, RTE_TCP_SYN_FLAG, 100, 0));
	m = expect(LAN, &b_mac, WAN_ADDR, HOST_B, 63);
	assert_int_equal(dport_of(m), 22);
	ext = sport_of(m);
	rte_pktmbuf_free(m);
	run1(LAN, tcp(LAN, &b_mac, HOST_B, 22, WAN_ADDR, ext,
		      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 500, 101));
	expect_ports(LAN, &a_mac, ONE2ONE, HOST_A, 63, 22, 6101);
	assert_int_equal(fwdt->cnt11[0].hairpin, 2);
	assert_null(sent(WAN));
}

/* Control ages LAN host @host's entry out and, after the grace period,
 * gives its index to @other (MAC @other_mac). Returns the index. */
static int32_t
age_out_and_reuse(uint32_t host, uint32_t other, const struct rte_ether_addr *other_mac)
{
	int32_t old = sb_neigh_find(neigh, LAN, host);

	assert_true(old >= 0);
	sb_neigh_del(neigh, (uint32_t)old, NULL);
	assert_int_equal(sb_neigh_reclaim(neigh, NULL), 1);
	assert_int_equal(sb_neigh_get(neigh, LAN, other), old);
	sb_neigh_set_mac(neigh, (uint32_t)old, other_mac);
	return old;
}

/* @host answers ARP again: an entry at another index than @old. */
static void
relearn(uint32_t host, int32_t old, const struct rte_ether_addr *mac)
{
	int32_t idx = sb_neigh_get(neigh, LAN, host);

	assert_true(idx >= 0 && idx != old);
	sb_neigh_set_mac(neigh, (uint32_t)idx, mac);
}

/* A session keeps its LAN host's neighbour index (in_nb). Control ages
 * the host's entry out, and after the grace period its index goes to
 * another host: the session's replies must still go to its own host's
 * MAC (the index is checked against the address and looked up again),
 * never to the new owner's (issue 11, finding 3). */
static void
test_worker_neigh_index_reused(void **state)
{
	const struct rte_ether_addr c_mac = { { 0x02, 0, 0, 0, 0x01, 0x0c } };
	struct rte_mbuf *m;
	uint16_t ext;
	int32_t a;

	(void)state;
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5100, PEER, 53, 64));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	ext = sport_of(m);
	rte_pktmbuf_free(m);
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ext, 64));
	rte_pktmbuf_free(expect(LAN, &a_mac, PEER, HOST_A, 63));

	a = age_out_and_reuse(HOST_A, 0xc0a8010cu, &c_mac);    /* to 192.168.1.12 */
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ext, 64));
	assert_null(sent(LAN));   /* held for ARP, not sent to C */
	relearn(HOST_A, a, &a_mac);
	run1(WAN, udp(WAN, &gw_mac, PEER, 53, WAN_ADDR, ext, 64));
	rte_pktmbuf_free(expect(LAN, &a_mac, PEER, HOST_A, 63));
	assert_null(sent(LAN));
	for (void *v; rte_ring_dequeue(resolve, &v) == 0;)
		;   /* the worker's requests for host A: not mbufs */
}

/* The same for a session's next hop when it is an on-link destination
 * (out_nb found by its address, not a pinned gateway's): host A's flow
 * to host B on the LAN keeps going to B when B's entry is aged out and
 * its index goes to another host. */
static void
test_worker_neigh_onlink_index_reused(void **state)
{
	const struct rte_ether_addr d_mac = { { 0x02, 0, 0, 0, 0x01, 0x0d } };
	int32_t b;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		run1(LAN, udp(LAN, &a_mac, HOST_A, 5200, HOST_B, 53, 64));
		rte_pktmbuf_free(expect(LAN, &b_mac, HOST_A, HOST_B, 63));
	}
	b = age_out_and_reuse(HOST_B, 0xc0a8010du, &d_mac);    /* to 192.168.1.13 */
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5200, HOST_B, 53, 64));
	assert_null(sent(LAN));   /* held for ARP, not sent to D */
	relearn(HOST_B, b, &b_mac);
	run1(LAN, udp(LAN, &a_mac, HOST_A, 5200, HOST_B, 53, 64));
	rte_pktmbuf_free(expect(LAN, &b_mac, HOST_A, HOST_B, 63));
	assert_null(sent(LAN));
	for (void *v; rte_ring_dequeue(resolve, &v) == 0;)
		;
}

/* One LAN host cannot fill the session table ([switchback]
 * sessions_per_host, the LAN SYN flood of issue 11): its new flows past
 * the limit are dropped and counted, another host's still open, and its
 * established flows keep passing. */
static void
test_worker_sessions_per_host(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	sb_ct_set_host_max(ct, 3);
	for (uint16_t i = 0; i < 3; i++) {
		run1(LAN, udp(LAN, &a_mac, HOST_A, (uint16_t)(6000 + i), PEER, 53, 64));
		rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	}
	uint32_t held = eim->pool[WAN]->hold_n[SB_NAT_TCP];

	run1(LAN, tcp(LAN, &a_mac, HOST_A, 6100, PEER, 80, RTE_TCP_SYN_FLAG, 1, 0));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_CT_HOST_LIMIT], 1);
	/* Refused before a NAT port was taken (it would sit out a hold-down:
	 * a host's flood would drain the WAN's ports). */
	assert_int_equal(eim->pool[WAN]->hold_n[SB_NAT_TCP], held);
	assert_int_equal(cnt()->ct_created, 3);
	run1(LAN, udp(LAN, &b_mac, HOST_B, 6000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	run1(LAN, udp(LAN, &a_mac, HOST_A, 6001, PEER, 53, 64));
	m = expect(WAN, &gw_mac, WAN_ADDR, PEER, 63);
	rte_pktmbuf_free(m);
	assert_int_equal(cnt()->drop[SB_DROP_CT_HOST_LIMIT], 1);
	assert_int_equal(sb_ct_host_sessions(ct, rte_cpu_to_be_32(HOST_A)), 3);
}

/* A host at its limit flooding new flows: each refused in the fused pass,
 * parsed and looked up once (before: again by the general path, which
 * took the worker's time a LAN host's UDP flood had to be refused in;
 * the flood overflowed the LAN port's ring and the host's established
 * flow lost packets, docs/security.md); a burst mixing its established
 * flow in keeps that flow's packet. */
static void
test_worker_host_limit_refused_in_one_pass(void **state)
{
	struct rte_mbuf *b[8];
	uint64_t parsed;

	(void)state;
	sb_ct_set_host_max(ct, 2);
	for (uint16_t i = 0; i < 2; i++) {
		run1(LAN, udp(LAN, &a_mac, HOST_A, (uint16_t)(6000 + i), PEER, 53, 64));
		rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	}
	parsed = cnt()->stage_pkts[SB_STAGE_PARSE];
	for (uint16_t i = 0; i < 8; i++)
		b[i] = i == 5 ? udp(LAN, &a_mac, HOST_A, 6001, PEER, 53, 64) :
			udp(LAN, &a_mac, HOST_A, (uint16_t)(7000 + i), PEER, 53, 64);
	run(LAN, b, 8);
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_null(sent(WAN));
	assert_int_equal(cnt()->drop[SB_DROP_CT_HOST_LIMIT], 7);
	assert_int_equal(cnt()->ct_created, 2);
	/* Eight parsed once each: none handed to the general path. */
	assert_int_equal(cnt()->stage_pkts[SB_STAGE_PARSE], parsed + 8);
	/* Another host's new flow still opens. */
	run1(LAN, udp(LAN, &b_mac, HOST_B, 6000, PEER, 53, 64));
	rte_pktmbuf_free(expect(WAN, &gw_mac, WAN_ADDR, PEER, 63));
	assert_int_equal(cnt()->ct_created, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_worker_dhcp_port, setup_dhcp, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fused_keeps_flow_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fused_tx_full_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fused_same_flow_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fused_path_of_last_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fused_same_flow_tcp_blind_rst, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_vlan_port_fused, setup_vlan, teardown),
		cmocka_unit_test_setup_teardown(test_worker_new_flow_slow_then_fast_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_neigh_index_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_neigh_onlink_index_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_sessions_per_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_host_limit_refused_in_one_pass, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_mapping_endpoint_independent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_stale_session_flushed_and_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_stale_session_twice_in_a_burst, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_lan_multicast_not_natted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fragment_bound_to_its_session, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_hairpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_hairpin_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_inbound, setup_fwd, teardown),
		cmocka_unit_test_setup_teardown(test_worker_inbound_echo, setup_fwd, teardown),
		cmocka_unit_test_setup_teardown(test_worker_hairpin_one2one, setup_fwd, teardown),
		cmocka_unit_test_setup_teardown(test_worker_icmp_error_translated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_routed_lan_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_routed_lan_hairpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_fragments_follow_their_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_local_delivery_and_punts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_wan_ping_to_lan_address_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_worker_probe_replies_validated, setup,
						teardown),
		cmocka_unit_test(test_worker_stage_summary_needs_enough_packets),
	};

	return cmocka_run_group_tests_name("worker", tests, group_setup, group_teardown);
}
