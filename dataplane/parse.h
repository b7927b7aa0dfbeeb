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

#define SB_CKSUM20_INV 0xfffefffefffeffffull /* 0xffff's inverse modulo 2^64 */
#define SB_CKSUM20_LIM 0x0001000100010001ull /* (2^64 - 1) / 0xffff */

/* The checks of sb_parse that the fused fast path (fastpath.c) makes too.
 * A 20-byte IPv4 header as three words (bytes 0-7, 8-15, 16-19, as they
 * lie) is intact when its one's complement sum is 0xffff: two 64-bit
 * adds with end-around carry, then folded. This one takes the test's
 * two constants (@inv: SB_CKSUM20_INV, @lim: SB_CKSUM20_LIM) from the
 * caller, who may hold them in memory (fastpath.c: a memory operand
 * each, where a register was not free); sb_ipv4_cksum20_ok() below
 * passes them as literals. */
static inline bool
sb_ipv4_cksum20_ok_k(uint64_t w0, uint64_t w1, uint32_t w2, uint64_t inv, uint64_t lim)
{
	uint64_t s;

#if defined(__x86_64__)
	/* add, adc, adc: the carries chained by the CPU. (No carry is lost
	 * to the last add: after a carry out of the second, s < w2.) In
	 * asm: gcc 12 stores _addcarry_u64's result to the stack. */
	__asm__("addq %2, %0\n\tadcq %3, %0\n\tadcq $0, %0"
		: "=r"(s)
		: "0"(w0), "r"(w1), "r"((uint64_t)w2)
		: "cc");
#else
	s = w0 + w1;
	s += s < w0;
	s += w2;
	s += s < w2;
#endif
	/* A multiple of 0xffff, as the sum of its 16-bit words is (2^16
	 * and a carry's 2^64 are 1 modulo 0xffff; the words byte-swapped
	 * multiply it by 2^8, coprime with 0xffff), and not 0: the folded
	 * sum 0xffff. No fold: 0xffff is odd, so s is a multiple of it
	 * when s times its inverse modulo 2^64 is at most (2^64 - 1) /
	 * 0xffff (one multiplication, one compare; gcc 12 divides). s is
	 * not 0: the callers' w0 holds the IHL, never 0, and an
	 * end-around sum of words not all 0 is not 0. */
	return s * inv <= lim;
}

static inline bool
sb_ipv4_cksum20_ok(uint64_t w0, uint64_t w1, uint32_t w2)
{
	return sb_ipv4_cksum20_ok_k(w0, w1, w2, SB_CKSUM20_INV, SB_CKSUM20_LIM);
}

static inline bool
sb_ipv4_cksum_ok(const void *h, uint32_t ihl)
{
	if (likely(ihl == 20)) {
		uint64_t w0, w1;
		uint32_t w2;

		memcpy(&w0, h, 8);
		memcpy(&w1, (const uint8_t *)h + 8, 8);
		memcpy(&w2, (const uint8_t *)h + 16, 4);
		return sb_ipv4_cksum20_ok(w0, w1, w2);
	}
	return rte_raw_cksum(h, ihl) == 0xffff;
}

/* The first octet of an address in network order. */
static inline uint8_t
sb_addr_top(uint32_t a_be)
{
	uint8_t top;

	memcpy(&top, &a_be, 1);
	return top;
}

static inline bool
sb_martian_src(uint32_t a_be)
{
	uint8_t top = sb_addr_top(a_be);

	/* 0/8, 127/8, multicast and class E, limited broadcast: 224-255
	 * and 0 are the 33 values of top + 32 from 0 to 32. */
	return (uint8_t)(top + 32) <= 32 || top == 127;
}

/* No packet may be addressed to 0/8, 127/8 or 240/4 (but for the limited
 * broadcast 255.255.255.255, which the gateway itself may receive): such
 * a destination is never forwarded nor translated (RFC 1812 5.3.7).
 * Multicast and the limited broadcast are for the worker to keep local. */
static inline bool
sb_martian_dst(uint32_t a_be)
{
	uint8_t top = sb_addr_top(a_be);

	/* 240-255 and 0: top + 16 from 0 to 16. */
	return ((uint8_t)(top + 16) <= 16 && a_be != 0xffffffffu) || top == 127;
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
