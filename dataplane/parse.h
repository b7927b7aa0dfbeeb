/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: parse each packet once into a small metadata struct; later
 * stages read that, not raw headers. */
#ifndef SB_PARSE_H
#define SB_PARSE_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "sb_counters.h"

enum sb_pkt_kind { SB_PKT_IPV4 = 0, SB_PKT_ARP = 1 };

struct sb_meta {
	uint32_t src, dst;      /* network order */
	uint16_t sport, dport;  /* network order; ICMP echo: id in one of them */
	uint16_t l3_off;        /* offset of the IPv4/ARP header */
	uint8_t l4_off;         /* offset of L4 from L3 (IHL * 4) */
	uint8_t kind;           /* enum sb_pkt_kind */
	uint8_t proto;
	uint8_t ttl;
	uint8_t icmp_type;
	uint8_t tcp_flags;
	uint16_t vlan;          /* 0 = untagged */
	uint16_t l4_len;        /* IP total length - IHL*4 */
	uint8_t frag;           /* enum sb_frag */
	uint8_t pad;
	uint16_t ip_id;         /* network order, for fragments */
};

enum sb_frag {
	SB_FRAG_NONE = 0,
	SB_FRAG_FIRST,          /* offset 0, more fragments: has the L4 header */
	SB_FRAG_LATER,          /* offset > 0: no L4 header, sport = dport = 0 */
};

/* The checks of sb_parse that the fused fast path (fastpath.c) makes too.
 * One's complement sum of an IPv4 header is 0xffff when it is intact.
 * The common 20-byte header is summed as five 32-bit words. */
static inline bool
sb_ipv4_cksum_ok(const void *h, uint32_t ihl)
{
	if (likely(ihl == 20)) {
		const uint8_t *p = h;
		uint32_t w[5];
		uint64_t s;

		memcpy(w, p, 20);
		s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
		s = (s & 0xffffffff) + (s >> 32);
		s = (s & 0xffffffff) + (s >> 32);
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		return s == 0xffff;
	}
	return rte_raw_cksum(h, ihl) == 0xffff;
}

static inline bool
sb_martian_src(uint32_t a_be)
{
	uint32_t a = rte_be_to_cpu_32(a_be);
	uint8_t top = a >> 24;

	/* 0/8, 127/8, multicast and class E, limited broadcast. */
	return top == 0 || top == 127 || top >= 224;
}

/* No packet may be addressed to 0/8, 127/8 or 240/4 (but for the limited
 * broadcast 255.255.255.255, which the gateway itself may receive): such
 * a destination is never forwarded nor translated (RFC 1812 5.3.7).
 * Multicast and the limited broadcast are for the worker to keep local. */
static inline bool
sb_martian_dst(uint32_t a_be)
{
	uint32_t a = rte_be_to_cpu_32(a_be);
	uint8_t top = a >> 24;

	return top == 0 || top == 127 || (top >= 240 && a != 0xffffffffu);
}

/**
 * Parse @m (Ethernet, one 802.1Q tag, ARP, IPv4, TCP/UDP/ICMP) into @md and
 * validate it: lengths, IPv4 header checksum, martian addresses (sources
 * 0/8, 127/8, 224/3; destinations 0/8, 127/8, 240/4 but 255.255.255.255),
 * IP options (a source route is dropped, a malformed list too), L4 headers
 * present. ICMP echo request: sport = id, dport = 0; echo reply: sport = 0,
 * dport = id, so the reverse tuple of one is the tuple of the other.
 * Fragments: the first carries its L4 header and is parsed as usual (its
 * UDP length may exceed the fragment); later ones get md->frag =
 * SB_FRAG_LATER and no ports.
 * Returns SB_DROP_MAX on success, otherwise the drop reason. Any thread.
 */
unsigned sb_parse(const struct rte_mbuf *m, struct sb_meta *md);

#endif
