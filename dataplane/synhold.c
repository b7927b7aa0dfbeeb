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
	struct sb_synhold *t = rte_zmalloc_socket("sb_synhold", sizeof(*t), 64, socket);

	if (t == NULL)
		goto fail;
	t->h = sb_slots_create(name, cap, sizeof(struct sb_ct_key), socket, 0, &t->cap);
	if (t->h == NULL)
		goto fail;
	t->tsc = rte_zmalloc_socket("sb_synhold_t", sizeof(*t->tsc) * t->cap, 64, socket);
	if (t->tsc == NULL)
		goto fail;
	t->timeout_tsc = rte_get_tsc_hz() / 1000 * timeout_ms;
	return t;
fail:
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	sb_synhold_free(t);
	return NULL;
}

void
sb_synhold_free(struct sb_synhold *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->tsc);
	rte_free(t);
}

int
sb_synhold_add(struct sb_synhold *t, const struct sb_ct_key *k, uint64_t now)
{
	int32_t pos = rte_hash_lookup(t->h, k);

	if (pos >= 0) {
		if (now - t->tsc[pos] <= t->timeout_tsc)
			return 1;
		t->tsc[pos] = now;   /* expired but not swept yet: a new one */
		return 0;
	}
	pos = rte_hash_add_key(t->h, k);
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
	pos = rte_hash_del_key(t->h, k);
	if (pos < 0)
		return false;
	t->n--;
	return now - t->tsc[pos] <= t->timeout_tsc;
}

unsigned
sb_synhold_sweep(struct sb_synhold *t, uint64_t now, unsigned budget)
{
	unsigned n;

	if (t->n == 0)
		return 0;
	n = sb_slots_sweep(t->h, &t->iter, budget, t->tsc, sizeof(t->tsc[0]), now, t->timeout_tsc,
			   NULL, NULL);
	t->n -= n;
	return n;
}
