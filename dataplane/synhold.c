/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "synhold.h"
#include "slots.h"

struct sb_synhold *
sb_synhold_create(const char *name, uint32_t cap, int socket, uint32_t timeout_ms)
{
	return sb_slots_table_create(name, sizeof(struct sb_synhold), sizeof(uint64_t), cap,
				     sizeof(struct sb_ct_key), socket, 0, timeout_ms);
}

void
sb_synhold_free(struct sb_synhold *t)
{
	sb_slots_table_free(t);
}

int
sb_synhold_add(struct sb_synhold *t, const struct sb_ct_key *k, uint64_t now)
{
	int32_t pos = rte_hash_lookup(t->slots.h, k);

	if (pos >= 0) {
		if (now - t->tsc[pos] <= t->slots.timeout_tsc)
			return 1;
		t->tsc[pos] = now;   /* expired but not swept yet: a new one */
		return 0;
	}
	pos = rte_hash_add_key(t->slots.h, k);
	if (pos < 0)
		return -ENOSPC;
	t->tsc[pos] = now;
	t->n++;
	return 0;
}

bool
sb_synhold_take(struct sb_synhold *t, const struct sb_ct_key *k, uint64_t now)
{
	int32_t pos;

	if (t->n == 0)
		return false;
	pos = rte_hash_del_key(t->slots.h, k);
	if (pos < 0)
		return false;
	t->n--;
	return now - t->tsc[pos] <= t->slots.timeout_tsc;
}

unsigned
sb_synhold_sweep(struct sb_synhold *t, uint64_t now, unsigned budget)
{
	unsigned n;

	if (t->n == 0)
		return 0;
	n = sb_slots_sweep(&t->slots, budget, t->tsc, sizeof(t->tsc[0]), now, NULL, NULL);
	t->n -= n;
	return n;
}
