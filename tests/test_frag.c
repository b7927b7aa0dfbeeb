/* SPDX-License-Identifier: BSD-3-Clause
 * Fragments: the datagram table, and later fragments held for their first
 * (bounded, per-source share). Packets are opaque here: any pointer. */
#include "test_common.h"

#include <errno.h>
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_byteorder.h>

#include "frag.h"

static uint64_t hz;

static int
setup(void **state)
{
	return sb_test_eal_up_hz(state, "frag", &hz);
}

static struct sb_frag_key
fkey(uint32_t src, uint16_t id)
{
	struct sb_frag_key k = { .src = rte_cpu_to_be_32(src), .dst = rte_cpu_to_be_32(0xc0000250),
				 .id = rte_cpu_to_be_16(id), .proto = IPPROTO_UDP };

	return k;
}

static void
test_frag_first_then_later_found_until_timeout(void **state)
{
	struct sb_frag_table *t = sb_frag_create("t_frag_a", 16, 0, 5000);
	struct sb_frag_key k = fkey(0xc0a8010a, 7);
	uint32_t sess, tag;
	uint8_t dir;

	(void)state;
	assert_non_null(t);
	assert_false(sb_frag_known(t, &k, hz));
	assert_int_equal(sb_frag_add(t, &k, 42, 7, 1, hz), 0);
	assert_true(sb_frag_known(t, &k, hz * 2));
	assert_int_equal(sb_frag_find(t, &k, hz * 2, &sess, &tag, &dir), 0);
	assert_int_equal(tag, 7);
	assert_int_equal(sess, 42);
	assert_int_equal(dir, 1);
	/* Five seconds later the datagram is forgotten. */
	assert_false(sb_frag_known(t, &k, hz * 7));
	sb_frag_free(t);
}

static void
test_frag_hold_and_unhold(void **state)
{
	struct sb_frag_table *t = sb_frag_create("t_frag_b", 16, 0, 5000);
	struct sb_frag_key k = fkey(0xc0a8010a, 9);
	int pkt, slot;

	(void)state;
	slot = sb_frag_hold(t, &k, &pkt, 1, hz);
	assert_true(slot >= 0);
	assert_int_equal(t->n_held, 1);
	assert_memory_equal(&t->held[slot].k, &k, sizeof(k));
	assert_int_equal(t->held[slot].in, 1);
	assert_ptr_equal(sb_frag_unhold(t, (unsigned)slot), &pkt);
	assert_int_equal(t->n_held, 0);
	assert_null(sb_frag_unhold(t, (unsigned)slot));   /* twice is harmless */
	assert_int_equal(t->n_held, 0);
	sb_frag_free(t);
}

static void
test_frag_hold_per_source_share(void **state)
{
	struct sb_frag_table *t = sb_frag_create("t_frag_c", 16, 0, 5000);
	int pkts[SB_FRAG_HOLD_MAX + 1];
	unsigned held = 0;

	(void)state;
	/* One source floods: it gets its share and no more. */
	for (unsigned i = 0; i < SB_FRAG_HOLD_PER_SRC; i++) {
		struct sb_frag_key k = fkey(0xc6336401, (uint16_t)i);

		assert_true(sb_frag_hold(t, &k, &pkts[i], 1, hz) >= 0);
	}
	struct sb_frag_key k = fkey(0xc6336401, 999);

	assert_int_equal(sb_frag_hold(t, &k, &pkts[0], 1, hz), -EBUSY);
	/* Everyone else can still hold theirs, until the table is full. */
	for (unsigned s = 0; held + SB_FRAG_HOLD_PER_SRC < SB_FRAG_HOLD_MAX; s++) {
		k = fkey(0xc0a80100 + s, 1);
		assert_true(sb_frag_hold(t, &k, &pkts[held], 0, hz) >= 0);
		held++;
	}
	assert_int_equal(t->n_held, SB_FRAG_HOLD_MAX);
	k = fkey(0xc0a802fe, 1);
	assert_int_equal(sb_frag_hold(t, &k, &pkts[0], 0, hz), -ENOSPC);
	/* A slot freed is a slot to hold in again. */
	sb_frag_unhold(t, 5);
	assert_true(sb_frag_hold(t, &k, &pkts[0], 0, hz) >= 0);
	sb_frag_free(t);
}

/* Issue 11, finding 4: one source (a session's peer sending first
 * fragments) tracks at most an eighth of the table; others still get
 * entries, and the share comes back as its entries expire (sweep or
 * lookup). */
static void
test_frag_tracked_per_source_share(void **state)
{
	struct sb_frag_table *t = sb_frag_create("t_frag_src", 64, 0, 5000);
	struct sb_frag_key k;
	uint32_t sess, tag;
	uint8_t dir;
	unsigned ok = 0;

	(void)state;
	assert_non_null(t);
	for (uint16_t id = 0; id < 64; id++) {
		k = fkey(0xc6336407, id);
		if (sb_frag_add(t, &k, 1, 1, 1, hz) == 0)
			ok++;
		else
			assert_int_equal(sb_frag_add(t, &k, 1, 1, 1, hz), -EBUSY);
	}
	assert_int_equal(ok, t->per_src);
	assert_true(t->per_src < t->slots.cap);
	/* The same datagram again takes its own entry over. */
	k = fkey(0xc6336407, 0);
	assert_int_equal(sb_frag_add(t, &k, 2, 2, 0, hz), 0);
	/* Another peer is not held back. */
	k = fkey(0xc6336408, 0);
	assert_int_equal(sb_frag_add(t, &k, 3, 3, 1, hz), 0);
	/* Expired: one by its lookup, the rest by the sweep; the share is
	 * free again. */
	k = fkey(0xc6336407, 1);
	assert_int_equal(sb_frag_find(t, &k, hz * 10, &sess, &tag, &dir), -ENOENT);
	sb_frag_sweep(t, hz * 10, 1024);
	for (uint16_t id = 100; id < 100 + t->per_src; id++) {
		k = fkey(0xc6336407, id);
		assert_int_equal(sb_frag_add(t, &k, 1, 1, 1, hz * 10), 0);
	}
	sb_frag_free(t);
}

SB_TEST_MAIN("frag", setup, sb_test_eal_down,
	     cmocka_unit_test(test_frag_first_then_later_found_until_timeout),
	     cmocka_unit_test(test_frag_hold_and_unhold),
	     cmocka_unit_test(test_frag_hold_per_source_share),
	     cmocka_unit_test(test_frag_tracked_per_source_share))
