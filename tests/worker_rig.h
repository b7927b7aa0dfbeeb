/* SPDX-License-Identifier: BSD-3-Clause
 * The worker's two-port rig, shared by its unit test (tests/test_worker.c)
 * and its fuzz target (fuzz/fuzz_worker.c): ring ports (rte_eth_from_rings:
 * what the worker transmits is read back from the tx ring), a LAN port
 * 192.168.1.1/24 and a masquerading WAN port 203.0.113.2/24 with its
 * gateway at 203.0.113.1; default route via the WAN, both subnets
 * connected. After rte_eal_init. */
#ifndef SB_WORKER_RIG_H
#define SB_WORKER_RIG_H

#include <stdio.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_eth_ring.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "worker.h"
#include "fib.h"
#include "conntrack.h"
#include "eim.h"
#include "neigh.h"

#define LAN 0
#define WAN 1
#define LAN_ADDR 0xc0a80101u  /* 192.168.1.1 */
#define WAN_ADDR 0xcb007102u  /* 203.0.113.2 */
#define WAN_GW   0xcb007101u  /* 203.0.113.1 */

/* Ring port @p named after @tag, on @pool: its rings (rx 256 slots, tx
 * @tx_slots), id and MAC. 0 or -1. */
static inline int
sb_rig_port(struct rte_mempool *pool, const char *tag, unsigned p, unsigned tx_slots,
	    struct rte_ring **rx, struct rte_ring **tx, uint16_t *id, struct rte_ether_addr *mac)
{
	struct rte_eth_conf conf;
	char name[32];
	int i;

	snprintf(name, sizeof(name), "%s_rx%u", tag, p);
	*rx = rte_ring_create(name, 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "%s_tx%u", tag, p);
	*tx = rte_ring_create(name, tx_slots, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (*rx == NULL || *tx == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_ring_%s%u", tag, p);
	i = rte_eth_from_rings(name, rx, 1, tx, 1, 0);
	if (i < 0)
		return -1;
	*id = (uint16_t)i;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(*id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(*id, 0, 64, 0, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(*id, 0, 64, 0, NULL) != 0 || rte_eth_dev_start(*id) != 0)
		return -1;
	return rte_eth_macaddr_get(*id, mac) == 0 ? 0 : -1;
}

/* An Ethernet + IPv4 frame from @smac to @dmac carrying @l4 (@l4len
 * bytes); @frag is the IPv4 flags/offset field (host order). L4 checksums
 * are filled for whole TCP/UDP datagrams and ICMP. NULL when @pool is
 * empty. */
static inline struct rte_mbuf *
sb_rig_frame(struct rte_mempool *pool, const struct rte_ether_addr *dmac,
	     const struct rte_ether_addr *smac, uint32_t src, uint32_t dst, uint8_t proto,
	     uint8_t ttl, uint16_t id, uint16_t frag, const void *l4, uint16_t l4len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip) + l4len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh->dst_addr = *dmac;
	eh->src_addr = *smac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	p = (uint8_t *)(ip + 1);
	memcpy(p, l4, l4len);
	if (frag == 0 && proto == IPPROTO_UDP) {
		((struct rte_udp_hdr *)p)->dgram_cksum = 0;
		((struct rte_udp_hdr *)p)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, p);
	} else if (frag == 0 && proto == IPPROTO_TCP) {
		((struct rte_tcp_hdr *)p)->cksum = 0;
		((struct rte_tcp_hdr *)p)->cksum = rte_ipv4_udptcp_cksum(ip, p);
	} else if (proto == IPPROTO_ICMP) {
		((struct rte_icmp_hdr *)p)->icmp_cksum = 0;
		((struct rte_icmp_hdr *)p)->icmp_cksum = (uint16_t)~rte_raw_cksum(p, l4len);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/* A resolved neighbour @ip on @port at @mac: its index, or -1. */
static inline int32_t
sb_rig_neigh(struct sb_neigh *nb, unsigned port, uint32_t ip, const struct rte_ether_addr *mac)
{
	int32_t i = sb_neigh_get(nb, (uint16_t)port, ip);

	if (i >= 0)
		sb_neigh_set_mac(nb, (uint32_t)i, mac);
	return i;
}

/* Stop and close the two ports, free the shared tables. */
static inline void
sb_rig_close(const uint16_t port_id[2], struct sb_fib *fib, struct sb_neigh *neigh, void *qs)
{
	for (unsigned p = 0; p < 2; p++) {
		rte_eth_dev_stop(port_id[p]);
		rte_eth_dev_close(port_id[p]);
	}
	sb_fib_free(fib);
	sb_neigh_free(neigh);
	rte_free(qs);
}

/* The routes: group 0 the default via the WAN's gateway, group 1 the
 * LAN, group 2 the WAN's subnet. 0 or -1. */
static inline int
sb_rig_routes(struct sb_fib *fib)
{
	return sb_fib_set(fib, 0, 0, 0, 0) == 0 && sb_fib_set(fib, 0, 0xc0a80100, 24, 1) == 0 &&
	       sb_fib_set(fib, 0, 0xcb007100, 24, 2) == 0 ? 0 : -1;
}

/* A published state with those three groups (@gw_nb: the gateway's
 * neighbour), every WAN up; NULL when out of memory. */
static inline struct sb_dp_state *
sb_rig_state(int32_t gw_nb)
{
	struct sb_dp_state *st = rte_zmalloc("rig_st", sizeof(*st), 64);

	if (st == NULL)
		return NULL;
	st->n_nhg = 3;
	st->nhg = rte_zmalloc("rig_nhg", 3 * sizeof(*st->nhg), 64);
	if (st->nhg == NULL) {
		rte_free(st);
		return NULL;
	}
	st->nhg[0].n_paths = 1;
	st->nhg[0].path[0] = (struct sb_path){ .gw = WAN_GW, .nb = (uint32_t)gw_nb, .port = WAN };
	st->nhg[1].n_paths = 1;
	st->nhg[1].path[0] = (struct sb_path){ .gw = 0, .nb = SB_NEIGH_NONE, .port = LAN };
	st->nhg[2].n_paths = 1;
	st->nhg[2].path[0] = (struct sb_path){ .gw = 0, .nb = SB_NEIGH_NONE, .port = WAN };
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		st->wan[p].up = 1;
	return st;
}

/* The worker's configuration on the rig: the two ports (@dhcp_wan: the
 * WAN takes its address from the published state), one punt ring for
 * every reason (read in order), 64 fragments. The
 * tables and rings are the caller's. */
static inline void
sb_rig_conf(struct sb_worker_conf *c, const uint16_t port_id[2],
	    const struct rte_ether_addr mac[2], bool dhcp_wan, struct rte_ring *punt,
	    struct rte_ring *resolve, struct rte_ring *inject)
{
	memset(c, 0, sizeof(*c));
	c->n_ports = 2;
	c->port[LAN] = (struct sb_worker_port){ .port_id = port_id[LAN], .role = SB_ROLE_LAN,
						.prefix_len = 24, .addr = LAN_ADDR, .mac = mac[LAN] };
	c->port[WAN] = (struct sb_worker_port){ .port_id = port_id[WAN], .role = SB_ROLE_WAN,
						.masquerade = true, .prefix_len = 24,
						.addr = WAN_ADDR, .mac = mac[WAN], .dhcp = dhcp_wan };
	for (unsigned r = 1; r < SB_PUNT_MAX; r++)
		c->punt[r] = punt;
	c->resolve = resolve;
	c->inject = inject;
	c->fragments = 64;
}

/* Complete @c (from sb_rig_conf) with a fresh session table and mappings
 * for @sessions (*@ct, *@eim, named after @tag) and the shared tables,
 * and build the worker. NULL when something could not be made. */
static inline struct sb_worker *
sb_rig_worker(struct sb_worker_conf *c, const char *tag, uint32_t sessions, struct sb_ct **ct,
	      struct sb_eim **eim, struct sb_fib *fib, struct sb_neigh *neigh,
	      struct sb_dp_state **st, struct rte_rcu_qsbr *qs,
	      const struct sb_probe_expect *expect)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_ct", tag);
	*ct = sb_ct_create(name, sessions, 0, 0, 7440, 240, 300, 60);
	snprintf(name, sizeof(name), "%s_eim", tag);
	*eim = sb_eim_create(name, 1u << WAN, sessions, 0);
	if (*ct == NULL || *eim == NULL)
		return NULL;
	c->ct = *ct;
	c->eim = *eim;
	c->fib = fib;
	c->neigh = neigh;
	c->state = st;
	c->qs = qs;
	c->expect = expect;
	return sb_worker_create(c);
}

#endif
