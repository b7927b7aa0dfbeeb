/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <string.h>

#include "parse.h"

/* IP options, walked within the header: a source route (loose or strict,
 * RFC 7126 4.3/4.4: drop) is its own reason; a malformed option list is a
 * bad header; other options pass. */
static inline unsigned
check_options(const uint8_t *o, uint32_t len)
{
	for (uint32_t i = 0; i < len; ) {
		uint8_t t = o[i];
		uint32_t l;

		if (t == 0)            /* end of options */
			break;
		if (t == 1) {          /* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len)
			return SB_DROP_IP_HEADER;
		l = o[i + 1];
		if (l < 2 || i + l > len)
			return SB_DROP_IP_HEADER;
		if (t == 0x83 || t == 0x89)
			return SB_DROP_IP_SOURCE_ROUTE;
		i += l;
	}
	return SB_DROP_MAX;
}

unsigned
sb_parse(const struct rte_mbuf *m, struct sb_meta *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off = sizeof(struct rte_ether_hdr);
	uint16_t et;

	md->vlan = 0;
	md->frag = SB_FRAG_NONE;
	if (unlikely(len < off))
		return SB_DROP_TRUNCATED;
	et = ((const struct rte_ether_hdr *)p)->ether_type;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh;

		if (unlikely(len < off + sizeof(*vh)))
			return SB_DROP_TRUNCATED;
		vh = (const struct rte_vlan_hdr *)(p + off);
		md->vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		et = vh->eth_proto;
		off += sizeof(*vh);
	}
	md->l3_off = off;

	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		const struct rte_arp_hdr *ah;

		if (unlikely(len < off + sizeof(*ah)))
			return SB_DROP_TRUNCATED;
		ah = (const struct rte_arp_hdr *)(p + off);
		if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
		    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		    ah->arp_hlen != 6 || ah->arp_plen != 4)
			return SB_DROP_ETHERTYPE;
		md->kind = SB_PKT_ARP;
		md->src = ah->arp_data.arp_sip;
		md->dst = ah->arp_data.arp_tip;
		return SB_DROP_MAX;
	}
	if (et != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return SB_DROP_ETHERTYPE;

	md->kind = SB_PKT_IPV4;
	if (unlikely(len < off + sizeof(struct rte_ipv4_hdr)))
		return SB_DROP_TRUNCATED;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
	uint32_t ihl = (ip->version_ihl & 0xf) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);

	if (unlikely((ip->version_ihl >> 4) != 4 || ihl < 20))
		return SB_DROP_IP_HEADER;
	if (unlikely(tot < ihl || off + tot > len || off + ihl > len))
		return SB_DROP_IP_LENGTH;
	if (!(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD) &&
	    unlikely(!sb_ipv4_cksum_ok(ip, ihl)))
		return SB_DROP_IP_CHECKSUM;
	if (unlikely(sb_martian_src(ip->src_addr) || sb_martian_dst(ip->dst_addr)))
		return SB_DROP_IP_MARTIAN;
	if (unlikely(ihl > 20)) {
		unsigned r = check_options((const uint8_t *)ip + 20, ihl - 20);

		if (r != SB_DROP_MAX)
			return r;
	}
	md->frag = SB_FRAG_NONE;
	md->ip_id = ip->packet_id;
	if (unlikely(ip->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		md->frag = (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) ?
			   SB_FRAG_LATER : SB_FRAG_FIRST;
	}

	md->src = ip->src_addr;
	md->dst = ip->dst_addr;
	md->proto = ip->next_proto_id;
	md->ttl = ip->time_to_live;
	md->l4_off = (uint8_t)ihl;
	md->l4_len = (uint16_t)(tot - ihl);
	md->sport = md->dport = 0;
	md->icmp_type = 0;
	md->tcp_flags = 0;

	const uint8_t *l4 = (const uint8_t *)ip + ihl;

	if (md->frag == SB_FRAG_LATER)
		return SB_DROP_MAX;
	switch (md->proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4;

		if (unlikely(md->l4_len < sizeof(*th) ||
			     ((th->data_off >> 4) * 4u) < sizeof(*th) ||
			     ((th->data_off >> 4) * 4u) > md->l4_len))
			return SB_DROP_L4_HEADER;
		md->sport = th->src_port;
		md->dport = th->dst_port;
		md->tcp_flags = th->tcp_flags;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)l4;

		if (unlikely(md->l4_len < sizeof(*uh) ||
			     rte_be_to_cpu_16(uh->dgram_len) < sizeof(*uh) ||
			     (rte_be_to_cpu_16(uh->dgram_len) > md->l4_len &&
			      md->frag == SB_FRAG_NONE)))
			return SB_DROP_L4_HEADER;
		md->sport = uh->src_port;
		md->dport = uh->dst_port;
		break;
	}
	case IPPROTO_ICMP: {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)l4;

		if (unlikely(md->l4_len < sizeof(*ih)))
			return SB_DROP_L4_HEADER;
		md->icmp_type = ih->icmp_type;
		if (ih->icmp_type == RTE_IP_ICMP_ECHO_REQUEST)
			md->sport = ih->icmp_ident;
		else if (ih->icmp_type == RTE_IP_ICMP_ECHO_REPLY)
			md->dport = ih->icmp_ident;
		break;
	}
	default:
		break;
	}
	return SB_DROP_MAX;
}
