/* SPDX-License-Identifier: BSD-3-Clause
 * Masquerade: port allocation and header rewrites. */
#include "test_common.h"
#include "test_pkt.h"

#include <errno.h>
#include <time.h>
#include <netinet/in.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>
#include <rte_byteorder.h>

#include "nat.h"
#include "sb_common.h"

static struct sb_nat_pool pool;

static int
reset(void **state)
{
	(void)state;
	sb_nat_pool_init(&pool);
	return 0;
}

static void
test_nat_port_preserved_when_free(void **state)
{
	(void)state;
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_UDP, 5000, 1, 1000), 5000);
	/* Other protocols have their own ports. */
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_TCP, 5000, 1, 1000), 5000);
	assert_true(sb_nat_port_used(&pool, SB_NAT_UDP, 5000));
}

static void
test_nat_port_collision_gets_another(void **state)
{
	(void)state;
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_UDP, 5000, 7, 1000), 5000);
	for (uint32_t r = 0; r < 200; r++) {
		int p = sb_nat_port_alloc(&pool, SB_NAT_UDP, 5000, r * 7919, 1000);

		assert_true(p >= (int)SB_NAT_PORT_MIN && p <= (int)SB_NAT_PORT_MAX);
		assert_int_not_equal(p, 5000);
	}
	assert_int_equal(pool.n_used[SB_NAT_UDP], 201);
}

static void
test_nat_port_held_120s_after_release(void **state)
{
	(void)state;
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_TCP, 40000, 3, 1000), 40000);
	sb_nat_port_free(&pool, SB_NAT_TCP, 40000, 1000);
	assert_false(sb_nat_port_used(&pool, SB_NAT_TCP, 40000));
	/* Held for 120 s after release: not preserved, not handed out. */
	for (uint32_t r = 0; r < 64; r++)
		assert_int_not_equal(sb_nat_port_alloc(&pool, SB_NAT_TCP, 40000, r, 1119), 40000);
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_TCP, 40000, 3, 1120), 40000);
	/* Freeing a free port changes nothing. */
	sb_nat_port_free(&pool, SB_NAT_TCP, 1234, 1000);
	assert_int_equal(pool.n_used[SB_NAT_TCP], 65);
}

/* Finding 5 of issue 11: when every mapping of a WAN address expired at
 * once, each new mapping used to scan all 64512 ports in their hold-down
 * before failing. Now the work per allocation is bounded (a summary of
 * full words), and once the hold-down is over every port comes back. */
static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
test_nat_port_alloc_bounded_after_mass_expiry(void **state)
{
	const int span = SB_NAT_PORT_MAX - SB_NAT_PORT_MIN + 1;
	uint64_t t0, took;
	int got = 0;

	(void)state;
	for (int i = 0; i < span; i++)
		assert_true(sb_nat_port_alloc(&pool, SB_NAT_UDP, 0, (uint32_t)i * 2654435761u, 1000) > 0);
	for (unsigned port = SB_NAT_PORT_MIN; port <= SB_NAT_PORT_MAX; port++)
		sb_nat_port_free(&pool, SB_NAT_UDP, (uint16_t)port, 1000);
	assert_int_equal(pool.n_used[SB_NAT_UDP], 0);
	/* In the hold-down: 10000 new flows are refused, quickly. */
	pool.steps_max = 0;
	t0 = mono_ns();
	for (uint32_t r = 0; r < 10000; r++)
		assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_UDP, 5000, r * 7919, 1050), -ENOSPC);
	took = mono_ns() - t0;
	assert_true(pool.steps_max <= 17);
	/* ~64k bit tests each before: hundreds of ms; now a few. */
	assert_true(took < 50000000ull);
	/* Over: every port again, each found in bounded steps. */
	for (int i = 0; i < span; i++)
		got += sb_nat_port_alloc(&pool, SB_NAT_UDP, 0, (uint32_t)i * 40503u, 1120) > 0;
	assert_int_equal(got, span);
	assert_true(pool.steps_max <= 17);
}

static void
test_nat_port_exhaustion(void **state)
{
	const int span = SB_NAT_PORT_MAX - SB_NAT_PORT_MIN + 1;

	(void)state;
	for (int i = 0; i < span; i++) {
		int p = sb_nat_port_alloc(&pool, SB_NAT_UDP, 80, (uint32_t)i * 2654435761u, 1000);

		assert_true(p > 0);
	}
	/* Port 80 itself was preserved for the first one; the rest came from
	 * [1024, 65535], all of which is now used except one. */
	int last = sb_nat_port_alloc(&pool, SB_NAT_UDP, 80, 99, 1000);

	assert_true(last >= (int)SB_NAT_PORT_MIN);
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_UDP, 80, 5, 1000), -ENOSPC);
	assert_int_equal(sb_nat_port_alloc(&pool, SB_NAT_UDP, 2000, 5, 1000), -ENOSPC);
}

static void
test_nat_icmp_never_gets_probe_ids(void **state)
{
	(void)state;
	/* A host's own id in the probe range is not preserved. */
	int p = sb_nat_port_alloc(&pool, SB_NAT_ICMP, 0xff05, 1, 1000);

	assert_true((p & SB_PROBE_ID_MASK) != SB_PROBE_ID_BASE);
	for (int i = 0; i < 70000; i++) {
		p = sb_nat_port_alloc(&pool, SB_NAT_ICMP, 0xff10, (uint32_t)i * 40503u, 1000);
		if (p < 0)
			break;
		assert_true((p & SB_PROBE_ID_MASK) != SB_PROBE_ID_BASE);
	}
	assert_int_equal(p, -ENOSPC);
}

/* --- rewrites --------------------------------------------------------- */

struct pkt {
	uint8_t b[128];
	struct sb_meta md;
};

static void
build(struct pkt *p, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p->b;
	uint8_t *l4 = p->b + 20;
	uint16_t l4len = 40;

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < l4len; i++)
		l4[i] = (uint8_t)(i * 37 + proto);
	sb_test_ipv4(ip, proto, 20 + l4len, 64, 0xc0a8010a, 0xc0000250);
	p->md.l4_off = 20;
	p->md.proto = proto;
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = rte_cpu_to_be_16(sport);
		th->dst_port = rte_cpu_to_be_16(dport);
		th->data_off = 5 << 4;
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = rte_cpu_to_be_16(sport);
		uh->dst_port = rte_cpu_to_be_16(dport);
		uh->dgram_len = rte_cpu_to_be_16(l4len);
		uh->dgram_cksum = 0;
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	} else {
		struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4;

		ih->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		ih->icmp_code = 0;
		ih->icmp_ident = rte_cpu_to_be_16(sport);
		ih->icmp_cksum = 0;
		uint16_t c = rte_raw_cksum(ih, l4len);

		ih->icmp_cksum = c == 0xffff ? c : (uint16_t)~c;
	}
}

static void
assert_valid(const struct pkt *p)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p->b;

	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	if (p->md.proto == IPPROTO_ICMP)
		assert_int_equal(rte_raw_cksum(p->b + 20, 40), 0xffff);
	else
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, p->b + 20), 0);
}

static void
test_nat_rewrite_src_keeps_checksums_exact(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	(void)state;
	for (unsigned k = 0; k < 3; k++) {
		for (uint32_t i = 0; i < 2000; i++) {
			struct pkt p;
			uint32_t a = rte_cpu_to_be_32(0xcb007100 + i);
			uint16_t port = rte_cpu_to_be_16((uint16_t)(1024 + i * 31));

			build(&p, protos[k], (uint16_t)(5000 + i), 53);
			sb_nat_rewrite_src(p.b, &p.md, a, port);
			assert_valid(&p);
			assert_memory_equal(p.b + 12, &a, 4);
			assert_memory_equal(p.b + 20 + (protos[k] == IPPROTO_ICMP ? 4 : 0), &port, 2);
		}
	}
}

static void
test_nat_rewrite_dst_keeps_checksums_exact(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < 2000; i++) {
			struct pkt p;
			uint32_t a = rte_cpu_to_be_32(0xc0a80100 + (i & 0xff));
			uint16_t port = rte_cpu_to_be_16((uint16_t)(i * 131));

			build(&p, protos[k], 53, (uint16_t)(1024 + i));
			sb_nat_rewrite_dst(p.b, &p.md, a, port);
			assert_valid(&p);
			assert_memory_equal(p.b + 16, &a, 4);
			assert_memory_equal(p.b + 22, &port, 2);
		}
	}
}

static void
test_nat_udp_zero_checksum_stays_zero(void **state)
{
	struct pkt p;
	uint32_t a = rte_cpu_to_be_32(0xcb007102);

	(void)state;
	build(&p, IPPROTO_UDP, 5000, 53);
	p.b[26] = p.b[27] = 0;   /* sender sent no UDP checksum */
	sb_nat_rewrite_src(p.b, &p.md, a, rte_cpu_to_be_16(6000));
	assert_int_equal(p.b[26], 0);
	assert_int_equal(p.b[27], 0);
	assert_int_equal(rte_raw_cksum(p.b, 20), 0xffff);
}

static void
test_nat_ttl_dec_keeps_ip_checksum(void **state)
{
	struct pkt p;

	(void)state;
	build(&p, IPPROTO_TCP, 1, 2);
	for (int i = 0; i < 63; i++) {
		sb_nat_ttl_dec(p.b);
		assert_int_equal(rte_raw_cksum(p.b, 20), 0xffff);
	}
	assert_int_equal(((struct rte_ipv4_hdr *)p.b)->time_to_live, 1);
}

/* Swap the addresses and the ports of @p: its answer, checksums intact. */
static void
swap_ends(struct pkt *p)
{
	uint8_t t[4];

	memcpy(t, p->b + 12, 4);
	memcpy(p->b + 12, p->b + 16, 4);
	memcpy(p->b + 16, t, 4);
	memcpy(t, p->b + 20, 2);
	memcpy(p->b + 20, p->b + 22, 2);
	memcpy(p->b + 22, t, 2);
}

/* The prepared rewrite (sb_nat_prepare at creation, sb_nat_apply per
 * packet) gives the same bytes as the general rewrite plus the TTL
 * decrement, both ways and for hairpin, TCP and UDP (a UDP checksum of 0
 * included), and the reply's complement undoes the original's. */
static void
test_nat_prepared_rewrite_matches_general(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < 3000; i++) {
			struct pkt g, q;
			bool hp = i % 3 == 0;
			const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)q.b;
			uint32_t lan = rte_cpu_to_be_32(0xc0a8010a), ext = rte_cpu_to_be_32(0xcb007100 + i);
			uint32_t odst = rte_cpu_to_be_32(0xc0000250), ndst = rte_cpu_to_be_32(0xc0a80100 + (i & 0xff));
			uint16_t lport = rte_cpu_to_be_16((uint16_t)(5000 + i));
			uint16_t eport = rte_cpu_to_be_16((uint16_t)(i * 131));
			uint16_t odp = rte_cpu_to_be_16(53), ndp = rte_cpu_to_be_16((uint16_t)(i * 7));
			uint16_t ck_ip, ck_l4;

			build(&g, protos[k], (uint16_t)(5000 + i), 53);
			if (protos[k] == IPPROTO_UDP && i % 5 == 0)
				g.b[26] = g.b[27] = 0;   /* no UDP checksum */
			q = g;
			sb_nat_prepare(lan, ext, lport, eport, hp ? odst : 0, hp ? ndst : 0,
				       hp ? odp : 0, hp ? ndp : 0, &ck_ip, &ck_l4);
			/* Original direction. */
			sb_nat_rewrite_src(g.b, &g.md, ext, eport);
			if (hp)
				sb_nat_rewrite_dst(g.b, &g.md, ndst, ndp);
			sb_nat_ttl_dec(g.b);
			sb_nat_apply(q.b, &q.md, ext, hp ? ndst : ip->dst_addr, eport,
				     hp ? ndp : sb_ld16(q.b + 22), ck_ip, ck_l4);
			assert_memory_equal(g.b, q.b, 60);
			if (!(protos[k] == IPPROTO_UDP && i % 5 == 0))
				assert_valid(&q);
			assert_int_equal(rte_raw_cksum(q.b, 20), 0xffff);
			/* The reply: the translated packet turned around (a
			 * swap keeps every checksum), then translated back by
			 * the complement of the same constants. */
			swap_ends(&g);
			swap_ends(&q);
			sb_nat_rewrite_dst(g.b, &g.md, lan, lport);
			if (hp)
				sb_nat_rewrite_src(g.b, &g.md, odst, odp);
			sb_nat_ttl_dec(g.b);
			sb_nat_apply(q.b, &q.md, hp ? odst : ip->src_addr, lan, hp ? odp : sb_ld16(q.b + 20),
				     lport, (uint16_t)~ck_ip, (uint16_t)~ck_l4);
			assert_memory_equal(g.b, q.b, 60);
			assert_int_equal(rte_raw_cksum(q.b, 20), 0xffff);
		}
	}
}

/* An ICMP error (type 3) from @outer_src to @outer_dst quoting the
 * datagram built by build(): 20 + 8 + 20 + quote bytes. */
/* A UDP datagram @src:@sport -> @dst:@dport (addresses in network
 * order), both checksums right. */
static void
build_udp(struct pkt *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(p->b + 20);

	build(p, IPPROTO_UDP, sport, dport);
	memcpy(p->b + 12, &src, 4);
	memcpy(p->b + 16, &dst, 4);
	sb_test_ipv4_recsum(p->b);
	uh->dgram_cksum = 0;
	uh->dgram_cksum = rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)p->b, uh);
}

static uint32_t
icmp_error_pkt(uint8_t *b, const struct pkt *quoted, uint32_t quote, uint32_t osrc, uint32_t odst)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint8_t *ic = b + 20;
	uint32_t len = 20 + 8 + quote;

	memset(b, 0, len);
	sb_test_ipv4(ip, IPPROTO_ICMP, (uint16_t)len, 50, osrc, odst);
	ic[0] = 3;
	ic[1] = 3;
	memcpy(ic + 8, quoted->b, quote);
	uint16_t c = rte_raw_cksum(ic, 8 + quote);

	c = c == 0xffff ? c : (uint16_t)~c;
	memcpy(ic + 2, &c, 2);
	return len;
}

static void
assert_icmp_error_valid(const uint8_t *b, uint32_t len, bool full_udp)
{
	const uint8_t *e = b + 28;

	assert_int_equal(rte_raw_cksum(b, 20), 0xffff);
	assert_int_equal(rte_raw_cksum(b + 20, len - 20), 0xffff);
	assert_int_equal(rte_raw_cksum(e, 20), 0xffff);
	if (full_udp)
		assert_int_equal(rte_ipv4_udptcp_cksum_verify((const struct rte_ipv4_hdr *)e, e + 20), 0);
}

/* Rewrite the ICMP error @b quoting a whole UDP datagram (20-byte
 * header) to @addr:@port, and check where they went: outbound the outer
 * source and the quoted destination, inbound the outer destination and
 * the quoted source; every checksum still right. */
static void
rewrite_quoted_udp(uint8_t *b, uint32_t len, uint16_t off, bool outbound, uint32_t addr,
		   uint16_t port)
{
	sb_nat_icmp_err_rewrite(b, len, off, outbound, addr, port);
	assert_memory_equal(b + (outbound ? 12 : 16), &addr, 4);
	assert_memory_equal(b + 28 + (outbound ? 16 : 12), &addr, 4);
	assert_memory_equal(b + 28 + 20 + (outbound ? 2 : 0), &port, 2);
	assert_icmp_error_valid(b, len, true);
}

static void
test_nat_icmp_error_translated_both_ways(void **state)
{
	uint8_t b[256];
	struct pkt q;
	struct sb_ct_key k;
	uint16_t off;
	uint32_t lan = rte_cpu_to_be_32(0xc0a8010a), wan = rte_cpu_to_be_32(0xcb007102);
	uint16_t lport = rte_cpu_to_be_16(5000), eport = rte_cpu_to_be_16(61000);

	(void)state;
	/* Inbound: we sent wan:61000 -> 192.0.2.80:53; the server says port
	 * unreachable. Whole datagram quoted. */
	build_udp(&q, wan, rte_cpu_to_be_32(0xc0000250), 61000, 53);
	uint32_t len = icmp_error_pkt(b, &q, 60, 0xc0000250, 0xcb007102);

	assert_int_equal(sb_nat_icmp_err_key(b, len, &k, &off), SB_DROP_MAX);
	assert_int_equal(off, 28);
	/* The key is the session's reply key: server -> wan:61000. */
	assert_int_equal(k.src, rte_cpu_to_be_32(0xc0000250));
	assert_int_equal(k.dst, wan);
	assert_int_equal(k.sport, rte_cpu_to_be_16(53));
	assert_int_equal(k.dport, eport);
	rewrite_quoted_udp(b, len, off, false, lan, lport);

	/* Outbound: the LAN host got 192.0.2.80:53 -> lan:5000 and answers
	 * port unreachable; it must leave quoting wan:61000. */
	build_udp(&q, rte_cpu_to_be_32(0xc0000250), lan, 53, 5000);
	len = icmp_error_pkt(b, &q, 60, 0xc0a8010a, 0xc0000250);
	assert_int_equal(sb_nat_icmp_err_key(b, len, &k, &off), SB_DROP_MAX);
	assert_int_equal(k.src, lan);                    /* the original key */
	assert_int_equal(k.sport, lport);
	rewrite_quoted_udp(b, len, off, true, wan, eport);

	/* Quoted echo request with an 8-byte quote. */
	build(&q, IPPROTO_ICMP, 777, 0);
	memcpy(q.b + 12, &wan, 4);
	sb_test_ipv4_recsum(q.b);
	len = icmp_error_pkt(b, &q, 28, 0xc6120909, 0xcb007102);
	assert_int_equal(sb_nat_icmp_err_key(b, len, &k, &off), SB_DROP_MAX);
	assert_int_equal(k.dport, rte_cpu_to_be_16(777));
	sb_nat_icmp_err_rewrite(b, len, off, false, lan, rte_cpu_to_be_16(42));
	assert_icmp_error_valid(b, len, false);
	assert_int_equal(b[48 + 4], 0);
	assert_int_equal(b[48 + 5], 42);

	/* Too short a quote, or an error about an error: refused. */
	assert_int_not_equal(sb_nat_icmp_err_key(b, 20 + 8 + 20, &k, &off), SB_DROP_MAX);
}

static void
test_nat_proto_map(void **state)
{
	(void)state;
	assert_int_equal(sb_nat_proto(IPPROTO_TCP), SB_NAT_TCP);
	assert_int_equal(sb_nat_proto(IPPROTO_UDP), SB_NAT_UDP);
	assert_int_equal(sb_nat_proto(IPPROTO_ICMP), SB_NAT_ICMP);
	assert_int_equal(sb_nat_proto(47), -1);
}

SB_TEST_MAIN("nat", NULL, NULL,
	     cmocka_unit_test_setup(test_nat_port_preserved_when_free, reset),
	     cmocka_unit_test_setup(test_nat_port_collision_gets_another, reset),
	     cmocka_unit_test_setup(test_nat_port_held_120s_after_release, reset),
	     cmocka_unit_test_setup(test_nat_port_exhaustion, reset),
	     cmocka_unit_test_setup(test_nat_port_alloc_bounded_after_mass_expiry, reset),
	     cmocka_unit_test_setup(test_nat_icmp_never_gets_probe_ids, reset),
	     cmocka_unit_test(test_nat_rewrite_src_keeps_checksums_exact),
	     cmocka_unit_test(test_nat_rewrite_dst_keeps_checksums_exact),
	     cmocka_unit_test(test_nat_udp_zero_checksum_stays_zero),
	     cmocka_unit_test(test_nat_ttl_dec_keeps_ip_checksum),
	     cmocka_unit_test(test_nat_prepared_rewrite_matches_general),
	     cmocka_unit_test(test_nat_icmp_error_translated_both_ways),
	     cmocka_unit_test(test_nat_proto_map))
