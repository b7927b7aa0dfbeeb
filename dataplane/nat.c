/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>
#include <rte_byteorder.h>

#include "nat.h"
#include "cksum.h"
#include "sb_common.h"

int
sb_nat_proto(uint8_t ipproto)
{
	switch (ipproto) {
	case IPPROTO_TCP: return SB_NAT_TCP;
	case IPPROTO_UDP: return SB_NAT_UDP;
	case IPPROTO_ICMP: return SB_NAT_ICMP;
	default: return -1;
	}
}

_Static_assert(SB_NAT_PORT_MIN % 64 == 0 && SB_NAT_PORT_MAX == 65535,
	       "the search runs over whole bitmap words");

static inline void
set_busy(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port)
{
	unsigned w = port >> 6;

	pool->busy[p][w] |= 1ull << (port & 63);
	if (pool->busy[p][w] == UINT64_MAX)
		pool->nonfull[p][w >> 6] &= ~(1ull << (w & 63));
}

static inline void
clear_busy(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port)
{
	unsigned w = port >> 6;

	pool->busy[p][w] &= ~(1ull << (port & 63));
	pool->nonfull[p][w >> 6] |= 1ull << (w & 63);
}

void
sb_nat_pool_init(struct sb_nat_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	for (unsigned p = 0; p < SB_NAT_PROTO_MAX; p++) {
		memset(pool->nonfull[p], 0xff, sizeof(pool->nonfull[p]));
		set_busy(pool, p, 0);
	}
	/* The gateway's own probes use these ICMP ids. */
	for (unsigned id = SB_PROBE_ID_BASE; id <= (SB_PROBE_ID_BASE | (~SB_PROBE_ID_MASK & 0xffff));
	     id++)
		set_busy(pool, SB_NAT_ICMP, (uint16_t)id);
}

void
sb_nat_pool_slice(struct sb_nat_pool *pool, unsigned k, unsigned n)
{
	for (unsigned p = 0; p < SB_NAT_PROTO_MAX && n > 1; p++)
		for (unsigned port = 0; port < 65536; port++)
			if (port % n != k) {
				pool->used[p][port >> 6] |= 1ull << (port & 63);
				set_busy(pool, p, (uint16_t)port);
			}
}

bool
sb_nat_port_used(const struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port)
{
	return (pool->used[p][port >> 6] >> (port & 63)) & 1;
}

static void
take(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port)
{
	pool->used[p][port >> 6] |= 1ull << (port & 63);
	set_busy(pool, p, port);
	pool->n_used[p]++;
}

void
sb_nat_port_reserve(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port)
{
	if (!sb_nat_port_used(pool, p, port))
		take(pool, p, port);
}

/* End the hold-downs that are over, oldest first, at most @budget. */
static void
expire(struct sb_nat_pool *pool, enum sb_nat_proto p, uint32_t now_s, unsigned budget)
{
	while (budget-- > 0 && pool->hold_n[p] > 0) {
		uint16_t port = pool->hold[p][pool->hold_head[p]];

		if (now_s < pool->free_after[p][port])
			break;
		pool->hold_head[p] = (pool->hold_head[p] + 1) & 0xffff;
		pool->hold_n[p]--;
		clear_busy(pool, p, port);
	}
}

/* A free port in [SB_NAT_PORT_MIN, 65535] from word @start on (wrapping),
 * through the summary: or -ENOSPC. */
static int
search(struct sb_nat_pool *pool, enum sb_nat_proto p, uint32_t rnd)
{
	const unsigned w_min = SB_NAT_PORT_MIN / 64, n_w = 1024 - w_min;
	unsigned w = w_min + rnd % n_w, steps = 0;

	for (unsigned k = 0; k <= 16; k++) {
		unsigned sw = w >> 6;
		uint64_t m = pool->nonfull[p][sw] & (UINT64_MAX << (w & 63));

		steps++;
		if (m != 0) {
			unsigned fw = (sw << 6) + (unsigned)__builtin_ctzll(m);
			uint64_t free_bits = ~pool->busy[p][fw];
			unsigned b = (rnd >> 16) & 63;
			uint64_t after = free_bits & (UINT64_MAX << b);
			unsigned bit = (unsigned)__builtin_ctzll(after ? after : free_bits);

			if (steps > pool->steps_max)
				pool->steps_max = steps;
			return (int)((fw << 6) + bit);
		}
		/* Next summary word, wrapping to the first word of the range. */
		w = (sw + 1) << 6;
		if (w >= 1024)
			w = w_min;
	}
	return -ENOSPC;
}

int
sb_nat_port_alloc(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t want,
		  uint32_t rnd, uint32_t now_s)
{
	int port;

	expire(pool, p, now_s, SB_NAT_EXPIRE_BUDGET);
	if (!((pool->busy[p][want >> 6] >> (want & 63)) & 1)) {
		take(pool, p, want);
		return want;
	}
	port = search(pool, p, rnd);
	if (port < 0 && pool->hold_n[p] > 0) {
		/* Full but for hold-downs that may be over: end some more. */
		expire(pool, p, now_s, SB_NAT_EXPIRE_BUDGET);
		port = search(pool, p, rnd);
	}
	if (port < 0)
		return -ENOSPC;
	take(pool, p, (uint16_t)port);
	return port;
}

void
sb_nat_port_free(struct sb_nat_pool *pool, enum sb_nat_proto p, uint16_t port,
		 uint32_t now_s)
{
	if (!sb_nat_port_used(pool, p, port))
		return;
	pool->used[p][port >> 6] &= ~(1ull << (port & 63));
	pool->n_used[p]--;
	/* Still busy: free once its hold-down is over (expire()). A port
	 * is in the ring at most once (it cannot be taken while held), so
	 * 65536 slots are enough. */
	pool->free_after[p][port] = now_s + SB_NAT_PORT_HOLD_S;
	pool->hold[p][(pool->hold_head[p] + pool->hold_n[p]) & 0xffff] = port;
	pool->hold_n[p]++;
}

int
sb_nat_icmp_err_key(const uint8_t *l3, uint32_t l3_len, struct sb_ct_key *key, uint16_t *emb_off)
{
	uint32_t ihl = (l3[0] & 0xf) * 4u;
	const uint8_t *e = l3 + ihl + 8;     /* embedded IP header */
	uint32_t eihl;
	const uint8_t *el4;

	if (l3_len < ihl + 8 + 20)
		return SB_DROP_L4_HEADER;
	eihl = (e[0] & 0xf) * 4u;
	if ((e[0] >> 4) != 4 || eihl < 20 || l3_len < ihl + 8 + eihl + 8)
		return SB_DROP_L4_HEADER;   /* RFC 792: header + 8 bytes */
	el4 = e + eihl;
	memset(key, 0, sizeof(*key));
	/* The embedded packet went from e.src to e.dst; the session key is
	 * that of a packet going the other way. */
	memcpy(&key->src, e + 16, 4);
	memcpy(&key->dst, e + 12, 4);
	key->proto = e[9];
	switch (e[9]) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		key->sport = sb_ld16(el4 + 2);
		key->dport = sb_ld16(el4);
		break;
	case IPPROTO_ICMP:
		if (el4[0] == RTE_IP_ICMP_ECHO_REQUEST)
			key->dport = sb_ld16(el4 + 4);   /* reverse of (id, 0) */
		else if (el4[0] == RTE_IP_ICMP_ECHO_REPLY)
			key->sport = sb_ld16(el4 + 4);
		else
			return SB_DROP_ICMP_UNHANDLED;  /* errors about errors */
		break;
	default:
		return SB_DROP_NAT_PROTO;
	}
	*emb_off = (uint16_t)(ihl + 8);
	return SB_DROP_MAX;
}

/* Change the 16-bit word at @p (inside the ICMP message) to @v, keeping
 * the ICMP checksum at @icsum right. */
static inline void
icmp_set16(uint8_t *p, uint16_t v, uint8_t *icsum)
{
	sb_st16(icsum, sb_csum_update16(sb_ld16(icsum), sb_ld16(p), v));
	sb_st16(p, v);
}

void
sb_nat_icmp_err_rewrite(uint8_t *l3, uint32_t l3_len, uint16_t emb_off, bool outbound,
			uint32_t addr, uint16_t port)
{
	uint8_t *icsum = l3 + emb_off - 8 + 2;
	uint8_t *e = l3 + emb_off;
	uint32_t eihl = (e[0] & 0xf) * 4u;
	uint8_t *el4 = e + eihl;
	uint32_t avail = l3_len - emb_off - eihl;    /* quoted L4 bytes */
	uint8_t *ea = e + (outbound ? 16 : 12);       /* embedded address */
	uint8_t *ep = el4 + (outbound ? 2 : 0);       /* embedded port */
	uint32_t old_a, oa;
	uint16_t old_p = 0;

	/* Outer header: the address of the LAN host or of the WAN. */
	uint8_t *outer = l3 + (outbound ? 12 : 16);

	memcpy(&oa, outer, 4);
	memcpy(outer, &addr, 4);
	sb_st16(l3 + 10, sb_csum_update32(sb_ld16(l3 + 10), oa, addr));

	/* Embedded address and its header checksum, each word also changing
	 * the ICMP checksum. */
	memcpy(&old_a, ea, 4);
	icmp_set16(ea, (uint16_t)(addr & 0xffff), icsum);
	icmp_set16(ea + 2, (uint16_t)(addr >> 16), icsum);
	icmp_set16(e + 10, sb_csum_update32(sb_ld16(e + 10), old_a, addr), icsum);

	switch (e[9]) {
	case IPPROTO_UDP:
	case IPPROTO_TCP: {
		uint32_t coff = e[9] == IPPROTO_UDP ? 6 : 16;

		old_p = sb_ld16(ep);
		icmp_set16(ep, port, icsum);
		/* The embedded L4 checksum, when it was quoted (UDP: always
		 * within the 8 bytes; TCP: only with a longer quote). */
		if (avail >= coff + 2) {
			uint16_t c = sb_ld16(el4 + coff);

			if (e[9] == IPPROTO_UDP && c == 0)
				break;
			c = sb_csum_update32(c, old_a, addr);
			c = sb_csum_update16(c, old_p, port);
			if (e[9] == IPPROTO_UDP && c == 0)
				c = 0xffff;
			icmp_set16(el4 + coff, c, icsum);
		}
		break;
	}
	case IPPROTO_ICMP:
		/* Embedded echo: the id, and the embedded ICMP checksum. */
		old_p = sb_ld16(el4 + 4);
		icmp_set16(el4 + 4, port, icsum);
		icmp_set16(el4 + 2, sb_csum_update16(sb_ld16(el4 + 2), old_p, port), icsum);
		break;
	default:
		break;
	}
}

void
sb_nat_set_addr(uint8_t *l3, bool src, uint32_t addr)
{
	uint8_t *a = l3 + (src ? 12 : 16);
	uint32_t old;

	memcpy(&old, a, 4);
	memcpy(a, &addr, 4);
	sb_st16(l3 + 10, sb_csum_update32(sb_ld16(l3 + 10), old, addr));
}
