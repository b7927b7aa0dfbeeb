/* SPDX-License-Identifier: BSD-3-Clause
 * check-gateway round state machine. */
#include "test_common.h"

#include "probe.h"

static void
test_probe_down_after_n_failures_not_before(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_false(p.down);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_WENT_DOWN);
	assert_true(p.down);
	/* Further failures report nothing new. */
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
}

static void
test_probe_success_resets_failures(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	sb_probe_round(&p, false, 3, 2);
	sb_probe_round(&p, false, 3, 2);
	sb_probe_round(&p, true, 3, 2);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_false(p.down);
}

static void
test_probe_up_after_m_successes(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	for (int i = 0; i < 3; i++)
		sb_probe_round(&p, false, 3, 2);
	assert_true(p.down);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_NONE);
	assert_true(p.down);
	/* A failure in between starts the count again. */
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_WENT_UP);
	assert_false(p.down);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_down_after_n_failures_not_before),
		cmocka_unit_test(test_probe_success_resets_failures),
		cmocka_unit_test(test_probe_up_after_m_successes),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
