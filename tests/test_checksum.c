/* SPDX-License-Identifier: BSD-3-Clause
 * Incremental checksum updates (RFC 1624) against full recomputation. */
#include "test_common.h"

#include <rte_ip.h>
#include <rte_byteorder.h>

#include "cksum.h"

static uint32_t seed = 12345;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed ^ (seed >> 16);
}

static void
random_header(struct rte_ipv4_hdr *ip)
{
	uint8_t *p = (uint8_t *)ip;

	for (size_t i = 0; i < sizeof(*ip); i++)
		p[i] = (uint8_t)rnd();
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
test_checksum_update32_matches_full(void **state)
{
	(void)state;
	for (int i = 0; i < 100000; i++) {
		struct rte_ipv4_hdr ip;
		uint32_t old, new = rnd();

		random_header(&ip);
		memcpy(&old, &ip.src_addr, 4);
		memcpy(&ip.src_addr, &new, 4);
		ip.hdr_checksum = sb_csum_update32(ip.hdr_checksum, old, new);
		uint16_t inc = ip.hdr_checksum;

		ip.hdr_checksum = 0;
		uint16_t full = rte_ipv4_cksum(&ip);

		/* 0x0000 and 0xffff are the same number in one's complement;
		 * a correct header sums to 0xffff either way. */
		ip.hdr_checksum = inc;
		assert_int_equal(rte_raw_cksum(&ip, sizeof(ip)), 0xffff);
		if (full != 0 && full != 0xffff)
			assert_int_equal(inc, full);
	}
}

static void
test_checksum_update16_matches_full(void **state)
{
	(void)state;
	for (int i = 0; i < 100000; i++) {
		struct rte_ipv4_hdr ip;
		uint16_t old, new = (uint16_t)rnd();

		random_header(&ip);
		memcpy(&old, &ip.packet_id, 2);
		memcpy(&ip.packet_id, &new, 2);
		ip.hdr_checksum = sb_csum_update16(ip.hdr_checksum, old, new);
		assert_int_equal(rte_raw_cksum(&ip, sizeof(ip)), 0xffff);
	}
}

static void
test_checksum_udp_zero_rules(void **state)
{
	(void)state;
	/* A UDP checksum of zero means "none" and must stay zero. */
	assert_int_equal(sb_csum_udp_fix(0, 0x1234), 0);
	/* A computed zero goes on the wire as 0xffff (RFC 768). */
	assert_int_equal(sb_csum_udp_fix(0x5555, 0), 0xffff);
	assert_int_equal(sb_csum_udp_fix(0x5555, 0x1234), 0x1234);
}

/* sb_csum_sub_at and sb_csum_add_at against RFC 1624's eqn. 3 as the
 * fold computes it: every checksum with every 7th constant and every
 * constant near the edges (all 2^32 pairs were checked once; this is
 * 2^28 of them, under a second), as the prepared rewrite uses them: the
 * IP checksum less the constant and the TTL's, TCP's less the constant,
 * UDP's plus its complement (a computed zero as 0xffff, RFC 768). */
static void
test_checksum_in_place_matches_fold(void **state)
{
	(void)state;
	for (uint32_t hc = 0; hc < 65536; hc++) {
		for (uint32_t x = 0; x < 65536; x += (x < 16 || x > 65520) ? 1 : 7) {
			uint16_t want_ip = (uint16_t)~sb_csum_fold((uint16_t)~hc + x + 0xfffeu);
			uint16_t want = (uint16_t)~sb_csum_fold((uint16_t)~hc + x);
			uint8_t b[2];

			sb_st16(b, (uint16_t)hc);
			sb_csum_sub_at(b, sb_csum_add((uint16_t)x, 0xfffe));
			if (sb_ld16(b) != want_ip)
				fail_msg("IP: %04x less %04x: %04x, want %04x", hc, x, sb_ld16(b), want_ip);
			sb_st16(b, (uint16_t)hc);
			sb_csum_sub_at(b, (uint16_t)x);
			if (sb_ld16(b) != want)
				fail_msg("TCP: %04x less %04x: %04x, want %04x", hc, x, sb_ld16(b), want);
			if (hc == 0)
				continue;
			sb_st16(b, (uint16_t)hc);
			sb_csum_add_at(b, (uint16_t)~x);
			if (sb_ld16(b) != sb_csum_udp_fix((uint16_t)hc, want))
				fail_msg("UDP: %04x less %04x: %04x, want %04x", hc, x, sb_ld16(b),
					 sb_csum_udp_fix((uint16_t)hc, want));
		}
	}
}

SB_TEST_MAIN("checksum", NULL, NULL,
	     cmocka_unit_test(test_checksum_in_place_matches_fold),
	     cmocka_unit_test(test_checksum_update32_matches_full),
	     cmocka_unit_test(test_checksum_update16_matches_full),
	     cmocka_unit_test(test_checksum_udp_zero_rules))
