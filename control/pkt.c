/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_icmp.h>

#include "pkt.h"

static struct rte_mbuf *
alloc_frame(struct rte_mempool *mp, uint32_t len, uint16_t ethertype,
	    const struct rte_ether_addr *smac, const struct rte_ether_addr *dmac)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eh) + len));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, sizeof(*eh) + len);
	eh->src_addr = *smac;
	eh->dst_addr = *dmac;
	eh->ether_type = rte_cpu_to_be_16(ethertype);
	return m;
}

struct rte_mbuf *
sb_pkt_arp(struct rte_mempool *mp, uint16_t op, const struct rte_ether_addr *smac,
	   uint32_t sip, const struct rte_ether_addr *tmac, uint32_t tip)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	/* Pad to the Ethernet minimum (60 bytes without FCS). */
	struct rte_mbuf *m = alloc_frame(mp, 60 - sizeof(struct rte_ether_hdr),
					 RTE_ETHER_TYPE_ARP, smac,
					 op == RTE_ARP_OP_REQUEST && tmac == NULL ? &bcast : tmac);
	struct rte_arp_hdr *ah;

	if (m == NULL)
		return NULL;
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = *smac;
	ah->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	if (op == RTE_ARP_OP_REPLY)
		ah->arp_data.arp_tha = *tmac;
	ah->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

static void
ip_header(struct rte_ipv4_hdr *ip, uint16_t total, uint8_t proto, uint32_t sip, uint32_t dip)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static uint16_t
icmp_cksum(const void *p, uint32_t len)
{
	uint16_t c = rte_raw_cksum(p, len);

	return c == 0xffff ? c : (uint16_t)~c;
}

struct rte_mbuf *
sb_pkt_echo(struct rte_mempool *mp, const struct rte_ether_addr *smac,
	    const struct rte_ether_addr *dmac, uint32_t sip, uint32_t dip,
	    uint16_t id, uint16_t seq, uint64_t cookie)
{
	const uint32_t payload = 16;
	uint32_t l3len = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_icmp_hdr) + payload;
	struct rte_mbuf *m = alloc_frame(mp, l3len, RTE_ETHER_TYPE_IPV4, smac, dmac);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ih = (struct rte_icmp_hdr *)(ip + 1);
	ip_header(ip, (uint16_t)l3len, IPPROTO_ICMP, sip, dip);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ih->icmp_ident = rte_cpu_to_be_16(id);
	ih->icmp_seq_nb = rte_cpu_to_be_16(seq);
	/* The cookie first (the worker reads it back from the reply with
	 * memcpy: the same bytes), then a marker for whoever captures it. */
	memcpy(ih + 1, &cookie, sizeof(cookie));
	memcpy((uint8_t *)(ih + 1) + sizeof(cookie), "sb-probe", payload - sizeof(cookie));
	ih->icmp_cksum = 0;
	ih->icmp_cksum = icmp_cksum(ih, sizeof(*ih) + payload);
	return m;
}

struct rte_mbuf *
sb_pkt_icmp_error(struct rte_mempool *mp, const struct rte_ether_addr *smac,
		  const struct rte_ether_addr *dmac, uint32_t sip, const uint8_t *l3,
		  uint32_t l3_len, uint8_t type, uint8_t code)
{
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)l3;
	/* RFC 792: the offending header plus the first 8 bytes of data. */
	uint32_t quote = (oip->version_ihl & 0xf) * 4u + 8;
	uint32_t l3len;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;

	if (quote > l3_len)
		quote = l3_len;
	l3len = sizeof(*ip) + sizeof(*ih) + quote;
	m = alloc_frame(mp, l3len, RTE_ETHER_TYPE_IPV4, smac, dmac);
	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ih = (struct rte_icmp_hdr *)(ip + 1);
	ip_header(ip, (uint16_t)l3len, IPPROTO_ICMP, sip, rte_be_to_cpu_32(oip->src_addr));
	ih->icmp_type = type;
	ih->icmp_code = code;
	memcpy(ih + 1, l3, quote);
	ih->icmp_cksum = 0;
	ih->icmp_cksum = icmp_cksum(ih, sizeof(*ih) + quote);
	return m;
}

void
sb_pkt_inject(struct rte_ring *inject, unsigned port, struct rte_mbuf *m)
{
	if (m == NULL)
		return;
	m->hash.usr = port;
	if (rte_ring_enqueue(inject, m) != 0)
		rte_pktmbuf_free(m);
}
