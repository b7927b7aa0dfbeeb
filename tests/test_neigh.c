/* SPDX-License-Identifier: BSD-3-Clause
 * The neighbour table's per-port share (issue 11, finding 3, the part
 * that is built): entries never age yet, so one port (a LAN whose hosts,
 * or traffic to unresolved on-link addresses, ask for entry after entry)
 * may take no more than half the table; the other ports keep theirs. */
#include "test_common.h"

#include <errno.h>

#include "neigh.h"

static int
setup(void **state)
{
	return sb_test_eal_up(state, "neigh");
}

static void
test_neigh_port_holds_half(void **state)
{
	struct sb_neigh *nb = sb_neigh_create("t_neigh", 16, 0);
	int32_t first;

	(void)state;
	assert_non_null(nb);
	assert_int_equal(nb->port_max, 8);
	first = sb_neigh_get(nb, 0, 0xc0a80100);
	assert_true(first >= 0);
	for (uint32_t h = 1; h < 8; h++)
		assert_true(sb_neigh_get(nb, 0, 0xc0a80100 + h) >= 0);
	/* The LAN's half is used: a new host is refused, counted... */
	assert_int_equal(sb_neigh_get(nb, 0, 0xc0a80164), -ENOSPC);
	assert_int_equal(nb->refused, 1);
	/* ...a known one is still found... */
	assert_int_equal(sb_neigh_get(nb, 0, 0xc0a80100), first);
	/* ...and the WAN's gateway gets its entry. */
	assert_true(sb_neigh_get(nb, 1, 0xcb007101) >= 0);
	assert_true(sb_neigh_get(nb, 2, 0xc6336401) >= 0);
	sb_neigh_free(nb);
}

SB_TEST_MAIN("neigh", setup, sb_test_eal_down,
	     cmocka_unit_test(test_neigh_port_holds_half))
