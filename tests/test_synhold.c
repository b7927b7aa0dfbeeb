/* SPDX-License-Identifier: BSD-3-Clause
 * Simultaneous open: unsolicited inbound SYNs recorded for 6 s, taken by
 * the LAN host's matching SYN, expired otherwise, bounded. */
#include "test_common.h"

#include <errno.h>
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_byteorder.h>

#include "synhold.h"

static uint64_t hz;

static int
setup(void **state)
{
	return sb_test_eal_up_hz(state, "synhold", &hz);
}

/* The reply key of a session to peer @peer:@pport from external port @ext. */
static struct sb_ct_key
rkey(uint32_t peer, uint16_t pport, uint16_t ext)
{
	struct sb_ct_key k;

	memset(&k, 0, sizeof(k));
	k.src = rte_cpu_to_be_32(peer);
	k.dst = rte_cpu_to_be_32(0xcb007102);
	k.sport = rte_cpu_to_be_16(pport);
	k.dport = rte_cpu_to_be_16(ext);
	k.proto = IPPROTO_TCP;
	return k;
}

static void
test_synhold_taken_by_matching_syn_within_6s(void **state)
{
	struct sb_synhold *t = sb_synhold_create("t_syn_a", 64, 0, SB_SYNHOLD_MS);
	struct sb_ct_key k = rkey(0xc6336401, 4000, 40000), other = rkey(0xc6336401, 4001, 40000);
	uint64_t t0 = 100 * hz;

	(void)state;
	assert_non_null(t);
	assert_int_equal(sb_synhold_add(t, &k, t0), 0);
	/* A retransmission is the same record; its window is not extended. */
	assert_int_equal(sb_synhold_add(t, &k, t0 + hz), 1);
	assert_int_equal(t->n, 1);
	/* Another peer port does not match; the right one does, once. */
	assert_false(sb_synhold_take(t, &other, t0 + 5 * hz));
	assert_true(sb_synhold_take(t, &k, t0 + 5 * hz));
	assert_false(sb_synhold_take(t, &k, t0 + 5 * hz));
	assert_int_equal(t->n, 0);
	sb_synhold_free(t);
}

static void
test_synhold_expires_after_6s(void **state)
{
	struct sb_synhold *t = sb_synhold_create("t_syn_b", 64, 0, SB_SYNHOLD_MS);
	struct sb_ct_key a = rkey(0xc6336401, 4000, 40000), b = rkey(0xc6336402, 4000, 40000);
	uint64_t t0 = 100 * hz;

	(void)state;
	assert_int_equal(sb_synhold_add(t, &a, t0), 0);
	assert_int_equal(sb_synhold_add(t, &b, t0 + 3 * hz), 0);
	assert_int_equal(sb_synhold_sweep(t, t0 + 5 * hz, 64), 0);
	assert_int_equal(sb_synhold_sweep(t, t0 + 6 * hz + hz / 10, 64), 1);
	assert_int_equal(t->n, 1);
	/* Too late for a: its SYN is gone; b is still held. */
	assert_false(sb_synhold_take(t, &a, t0 + 6 * hz + hz / 10));
	/* An expired record not yet swept does not match either. */
	assert_false(sb_synhold_take(t, &b, t0 + 9 * hz + hz / 10));
	assert_int_equal(t->n, 0);
	sb_synhold_free(t);
}

static void
test_synhold_bounded(void **state)
{
	struct sb_synhold *t = sb_synhold_create("t_syn_c", 64, 0, SB_SYNHOLD_MS);
	uint32_t i;
	int r = 0;

	(void)state;
	for (i = 0; i < 100000 && r >= 0; i++) {
		struct sb_ct_key k = rkey(0xc6120000 + i, 80, 40000);

		r = sb_synhold_add(t, &k, hz);
	}
	assert_int_equal(r, -ENOSPC);
	assert_true(t->n >= 64 && t->n <= t->slots.cap);
	/* Expiry makes room again. */
	while (sb_synhold_sweep(t, 10 * hz, 64) != 0)
		;
	assert_int_equal(t->n, 0);
	struct sb_ct_key k = rkey(0xc6336401, 4000, 40000);

	assert_int_equal(sb_synhold_add(t, &k, 10 * hz), 0);
	sb_synhold_free(t);
}

SB_TEST_MAIN("synhold", setup, sb_test_eal_down,
	     cmocka_unit_test(test_synhold_taken_by_matching_syn_within_6s),
	     cmocka_unit_test(test_synhold_expires_after_6s),
	     cmocka_unit_test(test_synhold_bounded))
