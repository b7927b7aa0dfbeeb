/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: masquerade. Port allocation per (WAN, protocol) and the
 * header rewrites with incremental checksum updates. Pure logic: no EAL. */
#ifndef SB_NAT_H
#define SB_NAT_H

#include <stdint.h>
#include <stdbool.h>
#include "parse.h"
#include "conntrack.h"
#include "cksum.h"

#include <string.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>

enum sb_nat_proto { SB_NAT_TCP = 0, SB_NAT_UDP, SB_NAT_ICMP, SB_NAT_PROTO_MAX };

/* A released port is not handed out again for this long (RFC 4787's
 * advice against quick reuse: late packets of the old mapping must not
 * reach a new one). */
#define SB_NAT_PORT_HOLD_S 120

/* Per protocol: one bit per port taken (@used), one bit per port that may
 * not be handed out now (@busy: taken, in its hold-down, port 0 or an ICMP
 * probe id), a summary bit per @busy word that has a clear bit
 * (@nonfull), and the released ports in order of release (@hold, a ring:
 * the hold-down is one constant, so it is also the order they become free
 * in). An allocation therefore finds a free port in a bounded number of
 * steps: at most SB_NAT_EXPIRE_BUDGET hold-downs ended, 16 summary words
 * and one bitmap word, however many mappings just expired together. About
 * 1.2 MB per WAN address. */
#define SB_NAT_EXPIRE_BUDGET 64

struct sb_nat_pool {
	uint64_t used[SB_NAT_PROTO_MAX][65536 / 64];
	uint64_t busy[SB_NAT_PROTO_MAX][65536 / 64];
	uint64_t nonfull[SB_NAT_PROTO_MAX][65536 / 64 / 64];
	uint32_t n_used[SB_NAT_PROTO_MAX];
	uint32_t free_after[SB_NAT_PROTO_MAX][65536];
	uint16_t hold[SB_NAT_PROTO_MAX][65536];
	uint32_t hold_head[SB_NAT_PROTO_MAX], hold_n[SB_NAT_PROTO_MAX];
	uint64_t steps_max;      /* the most words one allocation looked at */
};

/** Map an IP protocol number to a pool, or -1 when it cannot be
 * translated (neither TCP, UDP nor ICMP). */
int sb_nat_proto(uint8_t ipproto);

/** Empty @pool. Any thread. */
void sb_nat_pool_init(struct sb_nat_pool *pool);

/**
 * Allocate an external port (host order) for internal port @want: @want
 * itself when free (port preservation), otherwise a free port in
 * [SB_NAT_PORT_MIN, SB_NAT_PORT_MAX] searched from a point chosen by @rnd.
 * A port released less than SB_NAT_PORT_HOLD_S before @now_s (seconds, a
 * monotonic clock: never smaller than at an earlier call) is not free.
 * ICMP identifiers skip the probe range. Bounded work (see struct
 * sb_nat_pool). Returns the port, or -ENOSPC. Owning worker only.
 */
int sb_nat_port_alloc(struct sb_nat_pool *pool, enum sb_nat_proto p,
		      uint16_t want, uint32_t rnd, uint32_t now_s);

/** Release @port (host order) at @now_s; it is held for
 * SB_NAT_PORT_HOLD_S. Owning worker only. */
void sb_nat_port_free(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port,
		      uint32_t now_s);

/** Keep @pool to the ports of slice @k of @n: those whose number mod @n
 * is @k (the ports of worker @k: dataplane/handoff.h). The others are
 * taken for good, so they are neither preserved nor searched. Main
 * lcore, before the worker starts. */
void sb_nat_pool_slice(struct sb_nat_pool *pool, unsigned k, unsigned n);

/** Take @port (host order) for good: masquerade never hands it out (a
 * forwarded port). Main lcore, before the worker starts. */
void sb_nat_port_reserve(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port);

/** True when @port is taken. */
bool sb_nat_port_used(const struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port);

/* The per-packet rewrites are inline: the fast path calls them for every
 * packet (out of line they cost a call and a reload of every field). */
/* Rewrite one address (@src_side selects which) and its port/id. Fields
 * are reached by offset: headers may sit at any alignment. */
static inline __attribute__((always_inline)) void
sb_nat_rewrite(uint8_t *l3, const struct sb_meta *md, bool src_side, uint32_t addr,
	uint16_t port)
{
	uint8_t *l4 = l3 + md->l4_off;
	uint8_t *a = l3 + (src_side ? 12 : 16);        /* saddr / daddr */
	uint32_t old_a;
	uint16_t c, old_p;

	memcpy(&old_a, a, 4);
	memcpy(a, &addr, 4);
	sb_st16(l3 + 10, sb_csum_update32(sb_ld16(l3 + 10), old_a, addr));

	switch (md->proto) {
	case IPPROTO_TCP: /* ports at 0/2, checksum at 16 */
		old_p = sb_ld16(l4 + (src_side ? 0 : 2));
		c = sb_csum_update32(sb_ld16(l4 + 16), old_a, addr);
		sb_st16(l4 + 16, sb_csum_update16(c, old_p, port));
		sb_st16(l4 + (src_side ? 0 : 2), port);
		break;
	case IPPROTO_UDP: /* ports at 0/2, checksum at 6 */
		old_p = sb_ld16(l4 + (src_side ? 0 : 2));
		c = sb_csum_update32(sb_ld16(l4 + 6), old_a, addr);
		c = sb_csum_update16(c, old_p, port);
		sb_st16(l4 + 6, sb_csum_udp_fix(sb_ld16(l4 + 6), c));
		sb_st16(l4 + (src_side ? 0 : 2), port);
		break;
	case IPPROTO_ICMP: /* type 0, checksum 2, id 4; no pseudo-header */
		if (l4[0] == RTE_IP_ICMP_ECHO_REQUEST || l4[0] == RTE_IP_ICMP_ECHO_REPLY) {
			sb_st16(l4 + 2, sb_csum_update16(sb_ld16(l4 + 2), sb_ld16(l4 + 4), port));
			sb_st16(l4 + 4, port);
		}
		break;
	default:
		break;
	}
}

/* Rewrites prepared at session creation (issue 12). A session's
 * translation is fixed: every packet of its original direction changes
 * the same fields from the same values to the same values, so what that
 * adds to the checksums (RFC 1624: ~m + m' for each 16-bit word) is one
 * constant per checksum, and the reply direction adds its one's
 * complement negation (~). Per packet: two adds and folds instead of a
 * rewrite that reads and sums the old fields. TCP and UDP only; ICMP
 * echo keeps the general rewrite. */

/* ~old + new over the two halves of a 32-bit field (unfolded). */
static inline uint32_t
sb_nat_sum32(uint32_t old, uint32_t new)
{
	return (uint32_t)(uint16_t)~(old & 0xffff) + (uint16_t)~(old >> 16) +
	       (new & 0xffff) + (new >> 16);
}

/**
 * The checksum constants of a translation: source @osrc:@osp becomes
 * @nsrc:@nsp and destination @odst:@odp becomes @ndst:@ndp (network
 * order; a field that does not change has old == new). *@ck_ip for the
 * IP header, *@ck_l4 for the TCP/UDP checksum (pseudo-header included).
 */
static inline void
sb_nat_prepare(uint32_t osrc, uint32_t nsrc, uint16_t osp, uint16_t nsp, uint32_t odst,
	       uint32_t ndst, uint16_t odp, uint16_t ndp, uint16_t *ck_ip, uint16_t *ck_l4)
{
	uint32_t ip = sb_nat_sum32(osrc, nsrc) + sb_nat_sum32(odst, ndst);
	uint32_t l4 = ip + (uint16_t)~osp + nsp + (uint16_t)~odp + ndp;

	*ck_ip = sb_csum_fold(ip);
	*ck_l4 = sb_csum_fold(l4);
}

/* The checksum half of a prepared rewrite (sb_nat_apply and
 * sb_nat_apply_masq): TTL - 1 (it is above 1 here: no borrow into the
 * protocol byte), whose checksum change is a constant (~ttl_word +
 * (ttl_word - 0x0100) is 0xffff - 0x0100 in the word's byte order), and
 * @ck_ip and @ck_l4 added to the IP and TCP (@tcp) or UDP checksums. */
static inline __attribute__((always_inline)) void
sb_nat_apply_ck(uint8_t *l3, uint8_t *l4, bool tcp, uint16_t ck_ip, uint16_t ck_l4)
{
	/* HC' = ~(~HC + x) as HC - x with an end-around borrow, in place
	 * (sb_csum_sub_at); x the prepared constant and the TTL's. */
	l3[8]--;
	sb_csum_sub_at(l3 + 10, sb_csum_add(ck_ip, (uint16_t)~RTE_BE16(0x0100)));
	if (tcp)
		sb_csum_sub_at(l4 + 16, ck_l4);
	else if (sb_ld16(l4 + 6) != 0)
		/* HC + ~x: the same sum, a computed 0x0000 as 0xffff
		 * (sb_csum_add_at; RFC 768); "none" (0) stays. */
		sb_csum_add_at(l4 + 6, (uint16_t)~ck_l4);
}

/**
 * Apply a prepared translation to the TCP or UDP packet at @l3 and
 * decrement its TTL: write @src:@sport and @dst:@dport (network order),
 * add @ck_ip (and the TTL's change) to the IP checksum and @ck_l4 to the
 * TCP/UDP one (a UDP checksum of 0, "none", stays 0). The packet's
 * fields must hold the values the constants were prepared from (the
 * session lookup guarantees it).
 */
static inline __attribute__((always_inline)) void
sb_nat_apply(uint8_t *l3, const struct sb_meta *md, uint32_t src, uint32_t dst,
	     uint16_t sport, uint16_t dport, uint16_t ck_ip, uint16_t ck_l4)
{
	uint8_t *l4 = l3 + md->l4_off;

	memcpy(l3 + 12, &src, 4);
	memcpy(l3 + 16, &dst, 4);
	sb_st16(l4, sport);
	sb_st16(l4 + 2, dport);
	sb_nat_apply_ck(l3, l4, md->proto == IPPROTO_TCP, ck_ip, ck_l4);
}

/**
 * sb_nat_apply() of a masquerade (one side of the tuple translated),
 * the L4 header at @l4_off: going out (@dir 0) the source address and
 * port become @addr and @port, coming back (@dir 1) the destination's
 * do; the other side's fields are left as they are (not stored again).
 * @ck_ip and @ck_l4 as sb_nat_prepare made them (the original
 * direction's: the reply's negation is taken here). TTL - 1.
 */
static inline __attribute__((always_inline)) void
sb_nat_apply_masq(uint8_t *l3, unsigned l4_off, bool tcp, unsigned dir, uint32_t addr,
		  uint16_t port, uint16_t ck_ip, uint16_t ck_l4)
{
	uint16_t neg = (uint16_t)-(int)dir;  /* 0xffff coming back: ~ck */

	memcpy(l3 + 12 + 4 * dir, &addr, 4);
	sb_st16(l3 + l4_off + 2 * dir, port);
	sb_nat_apply_ck(l3, l3 + l4_off, tcp, (uint16_t)(ck_ip ^ neg), (uint16_t)(ck_l4 ^ neg));
}

/**
 * Rewrite the source address and port (or ICMP echo id) of the IPv4
 * packet at @l3 with incremental updates of the IP and L4 checksums.
 * @addr and @port in network order. Any thread.
 */
static inline void
sb_nat_rewrite_src(uint8_t *l3, const struct sb_meta *md, uint32_t addr, uint16_t port)
{
	sb_nat_rewrite(l3, md, true, addr, port);
}

/** Same for the destination address and port (un-NAT of replies). */
static inline void
sb_nat_rewrite_dst(uint8_t *l3, const struct sb_meta *md, uint32_t addr, uint16_t port)
{
	sb_nat_rewrite(l3, md, false, addr, port);
}

/** True for the ICMP errors translated across the NAT (RFC 5508): the
 * types that carry an offending packet and that a host behind it should
 * hear about (destination unreachable, time exceeded, parameter problem).
 * Redirect (5) and source quench (4) are not: a redirect from one side
 * has no business steering a host on the other, and source quench is
 * deprecated (RFC 6633); they are dropped like any unsolicited ICMP. */
static inline bool
sb_nat_icmp_is_error(uint8_t type)
{
	return type == 3 || type == 11 || type == 12;
}

/**
 * Parse the packet embedded in the ICMP error at @l3 (@l3_len bytes of IP
 * datagram) and give in @key the session key it belongs to: the reverse of
 * the embedded tuple, as the gateway would see the embedded packet's
 * answer. *@emb_off is the offset of the embedded IP header from @l3.
 * Returns 0, or a drop reason when the error cannot be translated.
 */
int sb_nat_icmp_err_key(const uint8_t *l3, uint32_t l3_len, struct sb_ct_key *key,
			uint16_t *emb_off);

/**
 * Translate an ICMP error in place, keeping every checksum valid (outer
 * IP, ICMP, embedded IP, embedded TCP/UDP/ICMP where quoted). Inbound
 * (from the WAN, @outbound false): outer destination and embedded source
 * (address, port or echo id) become @addr/@port, the LAN host's. Outbound
 * (@outbound true): outer source and embedded destination become the
 * external @addr/@port. Network order. Any thread.
 */
void sb_nat_icmp_err_rewrite(uint8_t *l3, uint32_t l3_len, uint16_t emb_off, bool outbound,
			     uint32_t addr, uint16_t port);

/** Set the source (@src true) or destination address of the IPv4 header at
 * @l3 to @addr (network order), updating the header checksum only (for
 * fragments without an L4 header). */
void sb_nat_set_addr(uint8_t *l3, bool src, uint32_t addr);

/** Decrement the TTL of the IPv4 header at @l3, updating its checksum. */
static inline void
sb_nat_ttl_dec(uint8_t *l3)
{
	/* TTL and protocol share one 16-bit word. Load it once and store it
	 * once: writing the TTL byte and reading the word back stalls on
	 * store forwarding (it showed as 11% of the worker in perf). */
	uint16_t old, new;

	memcpy(&old, l3 + 8, 2);
	new = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(old) - 0x0100));
	memcpy(l3 + 8, &new, 2);
	sb_st16(l3 + 10, sb_csum_update16(sb_ld16(l3 + 10), old, new));
}

#endif
