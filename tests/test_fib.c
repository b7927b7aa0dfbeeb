/* SPDX-License-Identifier: BSD-3-Clause
 * FIB (rte_lpm per table + default) and the neighbour table. */
#include "test_common.h"

#include <errno.h>
#include <rte_ether.h>

#include "fib.h"
#include "neigh.h"

static int
setup(void **state)
{
	return sb_test_eal_up(state, "fib");
}

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* Table @table looks @addr up to nexthop group @want. */
static void
assert_nh(struct sb_fib *fib, unsigned table, uint32_t addr, uint32_t want)
{
	uint32_t nh;

	assert_int_equal(sb_fib_lookup(fib, table, addr, &nh), 0);
	assert_int_equal(nh, want);
}

static void
test_fib_longest_prefix_wins(void **state)
{
	struct sb_fib *fib = sb_fib_create("t_fib1", 2, 64, NULL);
	uint32_t nh;

	(void)state;
	assert_non_null(fib);
	assert_int_equal(sb_fib_lookup(fib, 0, IP(192, 0, 2, 1), &nh), -ENOENT);
	assert_int_equal(sb_fib_set(fib, 0, 0, 0, 1), 0);
	assert_int_equal(sb_fib_set(fib, 0, IP(192, 0, 2, 0), 24, 2), 0);
	assert_int_equal(sb_fib_set(fib, 0, IP(192, 0, 2, 128), 25, 3), 0);
	assert_int_equal(sb_fib_set(fib, 0, IP(192, 0, 2, 200), 32, 4), 0);
	assert_nh(fib, 0, IP(198, 51, 100, 1), 1);
	assert_nh(fib, 0, IP(192, 0, 2, 1), 2);
	assert_nh(fib, 0, IP(192, 0, 2, 129), 3);
	assert_nh(fib, 0, IP(192, 0, 2, 200), 4);
	/* Replace keeps the prefix, changes the group. */
	assert_int_equal(sb_fib_set(fib, 0, IP(192, 0, 2, 0), 24, 9), 0);
	assert_nh(fib, 0, IP(192, 0, 2, 1), 9);
	sb_fib_free(fib);
}

static void
test_fib_table_falls_back_to_main(void **state)
{
	struct sb_fib *fib = sb_fib_create("t_fib2", 2, 64, NULL);

	(void)state;
	assert_non_null(fib);
	assert_int_equal(sb_fib_set(fib, 0, 0, 0, 1), 0);
	assert_int_equal(sb_fib_set(fib, 1, IP(203, 0, 113, 0), 24, 5), 0);
	assert_nh(fib, 1, IP(203, 0, 113, 9), 5);
	/* No route in table 1 for this one: main's default answers. */
	assert_nh(fib, 1, IP(198, 51, 100, 9), 1);
	/* A default in table 1 stops the fallback. */
	assert_int_equal(sb_fib_set(fib, 1, 0, 0, 7), 0);
	assert_nh(fib, 1, IP(198, 51, 100, 9), 7);
	assert_int_equal(sb_fib_set(fib, 5, 0, 0, 7), -EINVAL);
	sb_fib_free(fib);
}

static void
test_fib_delete(void **state)
{
	struct sb_fib *fib = sb_fib_create("t_fib3", 1, 64, NULL);
	uint32_t nh;

	(void)state;
	assert_non_null(fib);
	assert_int_equal(sb_fib_set(fib, 0, 0, 0, 1), 0);
	assert_int_equal(sb_fib_set(fib, 0, IP(10, 0, 0, 0), 8, 2), 0);
	assert_int_equal(sb_fib_del(fib, 0, IP(10, 0, 0, 0), 8), 0);
	assert_nh(fib, 0, IP(10, 1, 1, 1), 1);
	assert_int_equal(sb_fib_del(fib, 0, 0, 0), 0);
	assert_int_equal(sb_fib_lookup(fib, 0, IP(10, 1, 1, 1), &nh), -ENOENT);
	sb_fib_free(fib);
}

static void
test_fib_neigh_incomplete_then_resolved(void **state)
{
	struct sb_neigh *nb = sb_neigh_create("t_nb", 16, 0);
	struct rte_ether_addr mac = {{ 2, 0, 0, 0, 1, 1 }}, got = {{ 0 }};

	(void)state;
	assert_non_null(nb);
	assert_int_equal(sb_neigh_find(nb, 1, IP(203, 0, 113, 1)), -ENOENT);
	int32_t idx = sb_neigh_get(nb, 1, IP(203, 0, 113, 1));

	assert_true(idx >= 0);
	assert_int_equal(sb_neigh_get(nb, 1, IP(203, 0, 113, 1)), idx);
	assert_int_equal(sb_neigh_find(nb, 1, IP(203, 0, 113, 1)), idx);
	/* Same address on another port is another neighbour. */
	assert_int_not_equal(sb_neigh_get(nb, 2, IP(203, 0, 113, 1)), idx);
	assert_false(sb_neigh_mac(nb, (uint32_t)idx, &got));
	sb_neigh_set_mac(nb, (uint32_t)idx, &mac);
	assert_true(sb_neigh_mac(nb, (uint32_t)idx, &got));
	assert_true(rte_is_same_ether_addr(&mac, &got));
	sb_neigh_free(nb);
}

static void
test_fib_neigh_full(void **state)
{
	struct sb_neigh *nb = sb_neigh_create("t_nb2", 8, 0);

	(void)state;
	/* Two ports' halves (one port holds at most half: test_neigh). */
	for (uint32_t i = 0; i < 8; i++)
		assert_true(sb_neigh_get(nb, (uint16_t)(i & 1), IP(192, 168, 1, 10 + i)) >= 0);
	assert_int_equal(sb_neigh_get(nb, 0, IP(192, 168, 1, 99)), -ENOSPC);
	assert_int_equal(sb_neigh_get(nb, 2, IP(192, 168, 1, 99)), -ENOSPC);
	sb_neigh_free(nb);
}

/* The bulk lookup answers as one lookup per address would: named tables
 * first (their own default too), main for their misses, SB_FIB_NONE when
 * nothing matches. */
static void
test_fib_bulk_agrees_with_single_lookups(void **state)
{
	struct sb_fib *fib = sb_fib_create("t_fib_bulk", 3, 64, NULL);
	uint8_t table[SB_FIB_BULK_MAX];
	uint32_t ip[SB_FIB_BULK_MAX], nhg[SB_FIB_BULK_MAX];
	unsigned n = 0;

	(void)state;
	assert_non_null(fib);
	assert_int_equal(sb_fib_set(fib, 0, IP(192, 0, 2, 0), 24, 1), 0);
	assert_int_equal(sb_fib_set(fib, 1, IP(203, 0, 113, 0), 24, 5), 0);
	assert_int_equal(sb_fib_set(fib, 2, IP(192, 0, 2, 128), 25, 7), 0);
	assert_int_equal(sb_fib_set(fib, 2, 0, 0, 8), 0);   /* table 2's default */
	for (unsigned t = 0; t < 4; t++)       /* table 3 does not exist: main */
		for (uint32_t a = 0; a < 8; a++) {
			static const uint32_t base[] = { IP(192, 0, 2, 1), IP(192, 0, 2, 200),
							 IP(203, 0, 113, 9), IP(198, 51, 100, 9) };

			table[n] = (uint8_t)t;
			ip[n++] = base[a % 4] + a / 4;
		}
	sb_fib_lookup_bulk(fib, table, ip, nhg, n);
	for (unsigned i = 0; i < n; i++) {
		uint32_t one;
		int r = sb_fib_lookup(fib, table[i] < 3 ? table[i] : 0, ip[i], &one);

		assert_int_equal(nhg[i], r == 0 ? one : SB_FIB_NONE);
	}
	/* Spot checks of the rules above. */
	assert_int_equal(nhg[0], 1);            /* main */
	assert_int_equal(nhg[8 + 2], 5);        /* table 1's own */
	assert_int_equal(nhg[8 + 0], 1);        /* table 1 misses: main */
	assert_int_equal(nhg[8 + 3], SB_FIB_NONE);
	assert_int_equal(nhg[16 + 1], 7);       /* table 2's /25 */
	assert_int_equal(nhg[16 + 3], 8);       /* table 2's default, not main */
	sb_fib_free(fib);
}

SB_TEST_MAIN("fib", setup, sb_test_eal_down,
	     cmocka_unit_test(test_fib_longest_prefix_wins),
	     cmocka_unit_test(test_fib_table_falls_back_to_main),
	     cmocka_unit_test(test_fib_bulk_agrees_with_single_lookups),
	     cmocka_unit_test(test_fib_delete),
	     cmocka_unit_test(test_fib_neigh_incomplete_then_resolved),
	     cmocka_unit_test(test_fib_neigh_full))
