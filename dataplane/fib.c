/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include <rte_fib.h>
#include <rte_rcu_qsbr.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_memzone.h>

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
	fib->qs = qs;
	for (unsigned t = 0; t < n_tables; t++) {
		struct rte_fib_conf fc = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = SB_FIB_MISS,
			.max_routes = (int)(max_rules ? max_rules : 1),
			.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = 1 << 12 },
		};
		char n[RTE_MEMZONE_NAMESIZE];

		snprintf(n, sizeof(n), "%s_%u", name, t);
		fib->t[t] = rte_fib_create(n, SOCKET_ID_ANY, &fc);
		if (fib->t[t] == NULL)
			goto fail;
		fib->n_tables = t + 1;
		fib->dflt[t] = SB_FIB_NONE;
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
		rte_fib_free(fib->t[t]);
	rte_free(fib);
}

int
sb_fib_set(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len, uint32_t nhg)
{
	if (table >= fib->n_tables || len > 32 || nhg >= SB_FIB_MISS)
		return -EINVAL;
	if (len == 0) {
		__atomic_store_n(&fib->dflt[table], nhg, __ATOMIC_RELEASE);
		return 0;
	}
	if (len > 24 && fib->tbl8_pending) {
		/* This add may take a tbl8 group a delete just freed. */
		if (fib->qs != NULL)
			rte_rcu_qsbr_synchronize(fib->qs, RTE_QSBR_THRID_INVALID);
		fib->tbl8_pending = false;
	}
	return rte_fib_add(fib->t[table], prefix, len, nhg);
}

int
sb_fib_del(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len)
{
	if (table >= fib->n_tables || len > 32)
		return -EINVAL;
	if (len == 0) {
		__atomic_store_n(&fib->dflt[table], SB_FIB_NONE, __ATOMIC_RELEASE);
		return 0;
	}
	/* A delete may free a tbl8 group (deeper prefixes only, but cheap to
	 * be safe): the next deep add waits for the readers first. */
	fib->tbl8_pending = true;
	return rte_fib_delete(fib->t[table], prefix, len);
}
