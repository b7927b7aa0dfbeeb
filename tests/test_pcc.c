/* SPDX-License-Identifier: BSD-3-Clause
 * PCC: classifier hashing, weighted distribution, stickiness and minimal
 * movement when a member goes down and comes back. */
#include "test_common.h"

#include <rte_byteorder.h>

#include "pcc.h"

static void
count(const uint8_t *t, unsigned n, unsigned *c)
{
	memset(c, 0, sizeof(unsigned) * n);
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++)
		if (t[b] != SB_PCC_NONE)
			c[t[b]]++;
}

static void
test_pcc_weights_3_to_1(void **state)
{
	uint16_t w[2] = { 3, 1 };
	bool up[2] = { true, true };
	uint8_t t[SB_PCC_BUCKETS];
	unsigned c[2];

	(void)state;
	sb_pcc_build(w, up, 2, t);
	count(t, 2, c);
	assert_int_equal(c[0], 768);
	assert_int_equal(c[1], 256);
}

static void
test_pcc_down_member_moves_only_its_buckets(void **state)
{
	uint16_t w[3] = { 2, 1, 1 };
	bool up[3] = { true, true, true };
	uint8_t all[SB_PCC_BUCKETS], down[SB_PCC_BUCKETS], back[SB_PCC_BUCKETS];
	unsigned c[3], moved_to[3] = { 0 };

	(void)state;
	sb_pcc_build(w, up, 3, all);
	up[0] = false;
	sb_pcc_build(w, up, 3, down);
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++) {
		if (all[b] != 0)
			assert_int_equal(down[b], all[b]);   /* untouched */
		else
			moved_to[down[b]]++;
		assert_int_not_equal(down[b], 0);
	}
	/* Member 0's 512 buckets split about evenly between two weight-1
	 * members. */
	assert_int_equal(moved_to[1] + moved_to[2], 512);
	assert_true(moved_to[1] > 512 * 40 / 100 && moved_to[2] > 512 * 40 / 100);
	count(down, 3, c);
	assert_int_equal(c[0], 0);
	/* Back up: exactly the original table. */
	up[0] = true;
	sb_pcc_build(w, up, 3, back);
	assert_memory_equal(back, all, sizeof(all));
}

static void
test_pcc_all_down_and_zero_weight(void **state)
{
	uint16_t w[2] = { 1, 0 };
	bool up[2] = { false, true };
	uint8_t t[SB_PCC_BUCKETS];

	(void)state;
	sb_pcc_build(w, up, 2, t);
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++)
		assert_int_equal(t[b], SB_PCC_NONE);  /* weight 0 takes nothing */
	up[0] = true;
	sb_pcc_build(w, up, 2, t);
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++)
		assert_int_equal(t[b], 0);
}

static struct sb_meta
flow(uint32_t i)
{
	struct sb_meta m;

	memset(&m, 0, sizeof(m));
	m.src = rte_cpu_to_be_32(0xc0a80000 + (i % 250) + 1);
	m.dst = rte_cpu_to_be_32(0xc6120000 + (i * 7919) % 65536);
	m.sport = rte_cpu_to_be_16((uint16_t)(1024 + i));
	m.dport = rte_cpu_to_be_16(443);
	m.proto = 6;
	return m;
}

static void
test_pcc_10k_flows_within_5_percent(void **state)
{
	uint16_t w[2] = { 3, 1 };
	bool up[2] = { true, true };
	uint8_t t[SB_PCC_BUCKETS];

	(void)state;
	sb_pcc_build(w, up, 2, t);
	for (unsigned c = 0; c < SB_PCC_CLASSIFIER_MAX; c++) {
		unsigned n[2] = { 0, 0 };

		if (c == SB_PCC_DST_PORT || c == SB_PCC_SRC_ADDRESS)
			continue; /* one dport / 250 sources: too few distinct keys */
		for (uint32_t i = 0; i < 10000; i++) {
			struct sb_meta m = flow(i);

			n[t[sb_pcc_hash((enum sb_pcc_classifier)c, &m) % SB_PCC_BUCKETS]]++;
		}
		/* 75% +- 5 points */
		if (n[0] < 7000 || n[0] > 8000)
			fail_msg("%s: %u of 10000 flows on the weight-3 member",
				 sb_pcc_classifier_name(c), n[0]);
	}
}

static void
test_pcc_classifier_fields(void **state)
{
	struct sb_meta a = flow(1), b = a;

	(void)state;
	/* src-address ignores ports and destination. */
	b.sport ^= 0x1111;
	b.dst ^= 0x01010101;
	assert_int_equal(sb_pcc_hash(SB_PCC_SRC_ADDRESS, &a), sb_pcc_hash(SB_PCC_SRC_ADDRESS, &b));
	assert_int_not_equal(sb_pcc_hash(SB_PCC_BOTH_ADDRESSES, &a),
			     sb_pcc_hash(SB_PCC_BOTH_ADDRESSES, &b));
	assert_int_not_equal(sb_pcc_hash(SB_PCC_SRC_ADDRESS_AND_PORT, &a),
			     sb_pcc_hash(SB_PCC_SRC_ADDRESS_AND_PORT, &b));
	b = a;
	b.src ^= 0x01000000;
	assert_int_equal(sb_pcc_hash(SB_PCC_DST_ADDRESS_AND_PORT, &a),
			 sb_pcc_hash(SB_PCC_DST_ADDRESS_AND_PORT, &b));
	assert_int_equal(sb_pcc_hash(SB_PCC_BOTH_PORTS, &a), sb_pcc_hash(SB_PCC_BOTH_PORTS, &b));
	for (unsigned c = 0; c < SB_PCC_CLASSIFIER_MAX; c++)
		assert_int_equal(sb_pcc_classifier_parse(sb_pcc_classifier_name(c)), (int)c);
	assert_int_equal(sb_pcc_classifier_parse("both-address"), -1);
}

SB_TEST_MAIN("pcc", NULL, NULL,
	     cmocka_unit_test(test_pcc_weights_3_to_1),
	     cmocka_unit_test(test_pcc_down_member_moves_only_its_buckets),
	     cmocka_unit_test(test_pcc_all_down_and_zero_weight),
	     cmocka_unit_test(test_pcc_10k_flows_within_5_percent),
	     cmocka_unit_test(test_pcc_classifier_fields))
