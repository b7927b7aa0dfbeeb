/* SPDX-License-Identifier: BSD-3-Clause
 * ECMP member selection: resilient buckets. A path going down moves only
 * its own flows; the others keep theirs; it gets them back when it returns. */
#include "test_common.h"

#include "ecmp.h"

#define FLOWS 10000

static void
make(struct sb_nhg *g, unsigned n, unsigned skip)
{
	memset(g, 0, sizeof(*g));
	for (unsigned k = 0; k < n; k++) {
		if (k == skip)
			continue;
		g->path[g->n_paths].port = (uint16_t)(1 + k % 2);
		g->path[g->n_paths].gw = 0xcb007100u + k + 1;
		g->n_paths++;
	}
	sb_ecmp_build(g);
}

/* A flow's path identity (gateway), whatever its position in the group. */
static uint32_t
gw_of(const struct sb_nhg *g, uint32_t h)
{
	return g->path[sb_ecmp_pick(g, h)].gw;
}

static uint32_t
flow_hash(unsigned i)
{
	uint32_t h = i * 2654435761u;

	return h ^ (h >> 15);
}

static void
test_ecmp_spreads_over_all_paths(void **state)
{
	struct sb_nhg g;
	unsigned count[4] = { 0 };

	(void)state;
	make(&g, 4, 99);
	for (unsigned i = 0; i < FLOWS; i++)
		count[gw_of(&g, flow_hash(i)) - 0xcb007101u]++;
	for (unsigned k = 0; k < 4; k++) {
		print_message("path %u: %u flows\n", k, count[k]);
		assert_true(count[k] > FLOWS / 4 / 2 && count[k] < FLOWS / 4 * 2);
	}
}

static void
test_ecmp_path_down_moves_only_its_flows(void **state)
{
	struct sb_nhg four, three;
	unsigned moved = 0, on_dead = 0;

	(void)state;
	make(&four, 4, 99);
	make(&three, 4, 2); /* the third path went down: the fourth shifts to index 2 */
	for (unsigned i = 0; i < FLOWS; i++) {
		uint32_t h = flow_hash(i), before = gw_of(&four, h), after = gw_of(&three, h);

		if (before == 0xcb007103u) {
			on_dead++;
			assert_int_not_equal(after, 0xcb007103u);
		} else {
			/* Every flow on a surviving path keeps it. */
			assert_int_equal(after, before);
		}
		moved += after != before;
	}
	print_message("%u of %u flows moved (%u were on the dead path)\n", moved, FLOWS, on_dead);
	assert_int_equal(moved, on_dead);
	assert_true(moved > FLOWS / 8 && moved < FLOWS * 3 / 8); /* ~1/4 */
}

static void
test_ecmp_path_back_gets_its_flows_back(void **state)
{
	struct sb_nhg four, three, again;

	(void)state;
	make(&four, 4, 99);
	make(&three, 4, 0);
	make(&again, 4, 99);
	for (unsigned i = 0; i < FLOWS; i++)
		assert_int_equal(gw_of(&again, flow_hash(i)), gw_of(&four, flow_hash(i)));
	/* Deterministic: the same paths deal the same buckets. */
	assert_memory_equal(four.bucket, again.bucket, sizeof(four.bucket));
	assert_true(three.n_paths == 3);
}

static void
test_ecmp_single_path_and_undealt_group(void **state)
{
	struct sb_nhg g;

	(void)state;
	make(&g, 1, 99);
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(sb_ecmp_pick(&g, flow_hash(i)), 0);
	memset(&g, 0, sizeof(g));
	g.n_paths = 2;
	memset(g.bucket, 0xee, sizeof(g.bucket)); /* never dealt: still a valid index */
	for (unsigned i = 0; i < 100; i++)
		assert_true(sb_ecmp_pick(&g, flow_hash(i)) < 2);
}

SB_TEST_MAIN("ecmp", NULL, NULL,
	     cmocka_unit_test(test_ecmp_spreads_over_all_paths),
	     cmocka_unit_test(test_ecmp_path_down_moves_only_its_flows),
	     cmocka_unit_test(test_ecmp_path_back_gets_its_flows_back),
	     cmocka_unit_test(test_ecmp_single_path_and_undealt_group))
