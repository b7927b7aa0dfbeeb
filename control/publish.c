/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "publish.h"

struct sb_dp_state *
sb_state_alloc(uint32_t n_nhg)
{
	struct sb_dp_state *st = rte_zmalloc("sb_state", sizeof(*st), 64);

	if (st == NULL)
		return NULL;
	st->nhg = rte_zmalloc("sb_nhg", sizeof(*st->nhg) * (n_nhg ? n_nhg : 1), 64);
	if (st->nhg == NULL) {
		rte_free(st);
		return NULL;
	}
	st->n_nhg = n_nhg;
	return st;
}

void
sb_state_free(struct sb_dp_state *st)
{
	if (st == NULL)
		return;
	/* Poison first: a reader that kept it past its grace period would
	 * see nonsense instead of plausible old data (the RCU test checks). */
	memset(st->nhg, 0xa5, sizeof(*st->nhg) * (st->n_nhg ? st->n_nhg : 1));
	rte_free(st->nhg);
	memset(st, 0xa5, sizeof(*st));
	rte_free(st);
}

struct sb_dp_state *
sb_state_swap(struct sb_dp_state **slot, struct sb_dp_state *st)
{
	return __atomic_exchange_n(slot, st, __ATOMIC_ACQ_REL);
}

void
sb_state_retire(struct sb_dp_state *old, struct rte_rcu_qsbr *qs)
{
	if (old == NULL)
		return;
	rte_rcu_qsbr_synchronize(qs, RTE_QSBR_THRID_INVALID);
	sb_state_free(old);
}
