/* SPDX-License-Identifier: BSD-3-Clause
 * Probe reply validation (include/sb_probe_expect.h): only the reply to
 * the probe in flight passes, once, from its target, on its port, with
 * its sequence and cookie, before its deadline. */
#include "test_common.h"

#include <rte_byteorder.h>

#include "sb_probe_expect.h"

static void
test_probe_expect_only_the_answer(void **state)
{
	static struct sb_probe_expect t;
	uint32_t seen[SB_PROBE_IDS] = { 0 };
	uint32_t mon = rte_cpu_to_be_32(0xc0000235), other = rte_cpu_to_be_32(0xc0000236);
	uint16_t id = rte_cpu_to_be_16(SB_PROBE_ID_BASE + 3), seq = rte_cpu_to_be_16(7);
	uint64_t cookie = 0x0123456789abcdefull;

	(void)state;
	sb_probe_expect_init(&t);
	/* Nothing in flight: nothing passes. */
	assert_false(sb_probe_expect_match(&t, seen, id, mon, seq, cookie, 1, 100));
	sb_probe_expect_set(&t, 3, mon, seq, 1, cookie, 1000);
	/* Forged or misdirected: each field must match. */
	assert_false(sb_probe_expect_match(&t, seen, id, other, seq, cookie, 1, 100));
	assert_false(sb_probe_expect_match(&t, seen, id, mon, rte_cpu_to_be_16(8), cookie, 1, 100));
	assert_false(sb_probe_expect_match(&t, seen, id, mon, seq, cookie ^ 1, 1, 100));
	assert_false(sb_probe_expect_match(&t, seen, id, mon, seq, cookie, 0, 100)); /* the LAN */
	assert_false(sb_probe_expect_match(&t, seen, rte_cpu_to_be_16(SB_PROBE_ID_BASE + 4), mon,
					   seq, cookie, 1, 100));
	assert_false(sb_probe_expect_match(&t, seen, rte_cpu_to_be_16(0x1234), mon, seq, cookie,
					   1, 100));
	assert_false(sb_probe_expect_match(&t, seen, id, mon, seq, cookie, 1, 1001)); /* late */
	/* The answer, once. */
	assert_true(sb_probe_expect_match(&t, seen, id, mon, seq, cookie, 1, 999));
	assert_false(sb_probe_expect_match(&t, seen, id, mon, seq, cookie, 1, 999));
	/* The next probe of that id. */
	sb_probe_expect_set(&t, 3, mon, rte_cpu_to_be_16(8), 1, cookie + 1, 2000);
	assert_true(sb_probe_expect_match(&t, seen, id, mon, rte_cpu_to_be_16(8), cookie + 1, 1,
					  1500));
	sb_probe_expect_set(&t, 3, mon, rte_cpu_to_be_16(9), 1, cookie + 2, 3000);
	sb_probe_expect_clear(&t, 3);
	assert_false(sb_probe_expect_match(&t, seen, id, mon, rte_cpu_to_be_16(9), cookie + 2, 1,
					   2500));
}

SB_TEST_MAIN("probe_expect", NULL, NULL,
	     cmocka_unit_test(test_probe_expect_only_the_answer))
