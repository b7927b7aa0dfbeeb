/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include <rte_lpm.h>
#include <rte_rcu_qsbr.h>
#include <rte_malloc.h>
#include <rte_errno.h>

#include "fib.h"

struct sb_fib *
sb_fib_create(const char *name, unsigned n_tables, uint32_t max_rules,
	      struct rte_rcu_qsbr *qs)
{
	struct sb_fib *fib;

	if (n_tables == 0 || n_tables > SB_MAX_TABLES) {
		rte_errno = EINVAL;
		return NULL;
	}
	fib = rte_zmalloc("sb_fib", sizeof(*fib), 64);
	if (fib == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	for (unsigned t = 0; t < n_tables; t++) {
		struct rte_lpm_config lc = {
			.max_rules = max_rules,
			.number_tbl8s = 1 << 12,
		};
		char n[RTE_LPM_NAMESIZE];

		snprintf(n, sizeof(n), "%s_%u", name, t);
		fib->lpm[t] = rte_lpm_create(n, SOCKET_ID_ANY, &lc);
		if (fib->lpm[t] == NULL)
			goto fail;
		fib->n_tables = t + 1;
		fib->dflt[t] = SB_FIB_NONE;
		if (qs != NULL) {
			/* SYNC mode: a delete waits for the workers' next
			 * quiescent point before a tbl8 group is reused. */
			struct rte_lpm_rcu_config rc = {
				.v = qs, .mode = RTE_LPM_QSBR_MODE_SYNC,
			};

			if (rte_lpm_rcu_qsbr_add(fib->lpm[t], &rc) != 0)
				goto fail;
		}
	}
	return fib;
fail:
	sb_fib_free(fib);
	return NULL;
}

void
sb_fib_free(struct sb_fib *fib)
{
	if (fib == NULL)
		return;
	for (unsigned t = 0; t < fib->n_tables; t++)
		rte_lpm_free(fib->lpm[t]);
	rte_free(fib);
}

int
sb_fib_set(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len, uint32_t nhg)
{
	if (table >= fib->n_tables)
		return -EINVAL;
	if (len == 0) {
		__atomic_store_n(&fib->dflt[table], nhg, __ATOMIC_RELEASE);
		return 0;
	}
	return rte_lpm_add(fib->lpm[table], prefix, len, nhg);
}

int
sb_fib_del(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len)
{
	if (table >= fib->n_tables)
		return -EINVAL;
	if (len == 0) {
		__atomic_store_n(&fib->dflt[table], SB_FIB_NONE, __ATOMIC_RELEASE);
		return 0;
	}
	return rte_lpm_delete(fib->lpm[table], prefix, len);
}
