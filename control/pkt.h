/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: packets the control thread originates (ARP, probes, ICMP
 * errors). Each builder returns a complete untagged frame with valid
 * checksums, or NULL when the pool is empty. Addresses in host order. */
#ifndef SB_PKT_H
#define SB_PKT_H

#include <stdint.h>
#include <rte_ether.h>

struct rte_mempool;
struct rte_mbuf;

/** ARP @op from @smac/@sip about @tip: a reply goes to @tmac (also its
 * target hardware address); a request is broadcast when @tmac is NULL,
 * else sent to @tmac alone (a unicast probe, RFC 1122 2.3.2.1). */
struct rte_mbuf *sb_pkt_arp(struct rte_mempool *mp, uint16_t op,
			    const struct rte_ether_addr *smac, uint32_t sip,
			    const struct rte_ether_addr *tmac, uint32_t tip);

/** ICMP echo request @id/@seq whose data starts with the 8 bytes of
 * @cookie (as memcpy lays them out), 16 bytes in all. */
struct rte_mbuf *sb_pkt_echo(struct rte_mempool *mp, const struct rte_ether_addr *smac,
			     const struct rte_ether_addr *dmac, uint32_t sip, uint32_t dip,
			     uint16_t id, uint16_t seq, uint64_t cookie);

/** ICMP error (@type, @code) about the IPv4 packet at @l3 (@l3_len bytes
 * available), sent from @sip to the packet's source. */
struct rte_mbuf *sb_pkt_icmp_error(struct rte_mempool *mp, const struct rte_ether_addr *smac,
				   const struct rte_ether_addr *dmac, uint32_t sip,
				   const uint8_t *l3, uint32_t l3_len, uint8_t type, uint8_t code);

struct rte_ring;

/** Hand the control-built frame @m to the worker for transmission on port
 * index @port (through the inject ring); freed when the ring is full.
 * NULL is fine (a builder found the pool empty). Control thread. */
void sb_pkt_inject(struct rte_ring *inject, unsigned port, struct rte_mbuf *m);

#endif
