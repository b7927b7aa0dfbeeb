/* SPDX-License-Identifier: BSD-3-Clause
 * The flow table: fill to its size, find everything, delete, overfill
 * without losing anything, cuckoo moves keep the second-bucket bit right. */
#include "test_common.h"

#include <errno.h>
#include <inttypes.h>
#include <rte_malloc.h>

#include "flowtab.h"
#include "sb_common.h"

static int
setup(void **state)
{
	return sb_test_eal_up(state, "flowtab");
}

static uint64_t
fp_of(uint32_t i)
{
	return sb_mix64(0x1234567ull + i);
}

static bool
has(const struct sb_ft *ft, uint64_t fp, uint32_t val)
{
	struct sb_ft_pos p = sb_ft_pos(ft, fp);
	uint32_t c[16];
	unsigned n = sb_ft_find(ft, &p, c, 16);

	for (unsigned i = 0; i < n; i++)
		if (c[i] == val)
			return true;
	return false;
}

/* Every slot's second-bucket bit agrees with where its signature puts it. */
static void
check_layout(const struct sb_ft *ft)
{
	uint32_t used = 0;

	for (uint32_t b = 0; b < ft->nb; b++)
		for (unsigned s = 0; s < SB_FT_SLOTS; s++) {
			uint32_t sig = ft->b[b].sig[s];
			bool alt = (ft->b[b].val[s] & SB_FT_ALT_BIT) != 0;

			if (sig == 0)
				continue;
			used++;
			/* Going to the other bucket and back lands here. */
			uint32_t o = sb_ft_other(ft, b, sig, alt);
			assert_int_equal(sb_ft_other(ft, o, sig, !alt), b);
			assert_true(o != b);
		}
	assert_int_equal(used, ft->n);
}

/* A table @name sized for @keys keys, all of them added (fp_of(i) -> i). */
static struct sb_ft *
full_table(const char *name, uint32_t keys)
{
	struct sb_ft *ft = sb_ft_create(name, keys, 0);

	assert_non_null(ft);
	for (uint32_t i = 0; i < keys; i++)
		assert_int_equal(sb_ft_add(ft, fp_of(i), i), 0);
	return ft;
}

static void
test_flowtab_fills_to_its_size(void **state)
{
	const uint32_t keys = 200000;
	struct sb_ft *ft = full_table("t_ft_fill", keys);

	(void)state;
	/* 90% load: 200000 keys in ceil(200000 / 7.2) buckets. */
	assert_int_equal(ft->nb, 27778);
	assert_int_equal(ft->n, keys);
	assert_true(ft->kicks > 0);    /* the walks were exercised */
	for (uint32_t i = 0; i < keys; i++)
		assert_true(has(ft, fp_of(i), i));
	assert_false(has(ft, fp_of(keys + 1), keys + 1));
	check_layout(ft);
	print_message("flowtab: %u keys, %" PRIu64 " cuckoo moves, %.1f bytes per key\n",
		      keys, ft->kicks, (double)sb_ft_bytes(ft) / keys);
	sb_ft_free(ft);
}

static void
test_flowtab_delete_and_reuse(void **state)
{
	const uint32_t keys = 50000;
	struct sb_ft *ft = full_table("t_ft_del", keys);

	(void)state;
	for (uint32_t i = 0; i < keys; i += 2)
		assert_int_equal(sb_ft_del(ft, fp_of(i), i), 0);
	/* Gone, and only they: wrong value or absent key is -ENOENT. */
	assert_int_equal(sb_ft_del(ft, fp_of(0), 0), -ENOENT);
	assert_int_equal(sb_ft_del(ft, fp_of(1), 3), -ENOENT);
	for (uint32_t i = 0; i < keys; i++)
		assert_int_equal(has(ft, fp_of(i), i), (i & 1) == 1);
	for (uint32_t i = 0; i < keys; i += 2)
		assert_int_equal(sb_ft_add(ft, fp_of(i + keys), i), 0);
	for (uint32_t i = 0; i < keys; i += 2)
		assert_true(has(ft, fp_of(i + keys), i));
	check_layout(ft);
	sb_ft_free(ft);
}

/* Past its size the table refuses, and a refused add moves nothing. */
static void
test_flowtab_overfill_loses_nothing(void **state)
{
	const uint32_t keys = 10000;
	struct sb_ft *ft = sb_ft_create("t_ft_over", keys, 0);
	uint32_t added = 0, refused = 0;

	(void)state;
	assert_non_null(ft);
	for (uint32_t i = 0; i < 2 * keys; i++) {
		if (sb_ft_add(ft, fp_of(i), i) == 0)
			added = i + 1;
		else {
			refused++;
			break;
		}
	}
	assert_int_equal(refused, 1);
	assert_true(added >= keys);
	for (uint32_t i = 0; i < added; i++)
		assert_true(has(ft, fp_of(i), i));
	assert_int_equal(ft->n, added);
	assert_int_equal(ft->add_fail, 1);
	check_layout(ft);
	assert_int_equal(sb_ft_add(ft, fp_of(1), SB_FT_VAL_MAX + 1u), -EINVAL);
	sb_ft_free(ft);
}

/* Keys with the same fingerprint's signature are all returned: the caller
 * tells them apart. */
static void
test_flowtab_same_signature(void **state)
{
	struct sb_ft *ft = sb_ft_create("t_ft_sig", 64, 0);
	uint64_t fp = 0xabcdef0100000007ull;

	(void)state;
	assert_non_null(ft);
	for (uint32_t v = 1; v <= 5; v++)
		assert_int_equal(sb_ft_add(ft, fp, v), 0);
	struct sb_ft_pos p = sb_ft_pos(ft, fp);
	uint32_t c[8];
	assert_int_equal(sb_ft_find(ft, &p, c, 8), 5);
	assert_int_equal(sb_ft_find(ft, &p, c, 2), 2);
	assert_int_equal(sb_ft_del(ft, fp, 3), 0);
	assert_int_equal(sb_ft_find(ft, &p, c, 8), 4);
	assert_false(has(ft, fp, 3));
	sb_ft_free(ft);
}

SB_TEST_MAIN("flowtab", setup, sb_test_eal_down,
	     cmocka_unit_test(test_flowtab_fills_to_its_size),
	     cmocka_unit_test(test_flowtab_delete_and_reuse),
	     cmocka_unit_test(test_flowtab_overfill_loses_nothing),
	     cmocka_unit_test(test_flowtab_same_signature))
