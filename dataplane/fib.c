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

void
sb_fib_lookup_bulk(const struct sb_fib *fib, const uint8_t *table, const uint32_t *ip,
		   uint32_t *nhg, unsigned n)
{
	uint8_t pending[SB_FIB_BULK_MAX], idx[SB_FIB_BULK_MAX];
	uint32_t a[SB_FIB_BULK_MAX];
	uint64_t nh[SB_FIB_BULK_MAX];

	for (unsigned i = 0; i < n; i++)
		pending[i] = table[i] < fib->n_tables ? table[i] : 0;
	/* Downwards, so main (0) comes last and takes the named tables'
	 * misses too. */
	for (unsigned t = fib->n_tables; t-- > 0;) {
		unsigned k = 0;
		uint32_t d;

		for (unsigned i = 0; i < n; i++)
			if (pending[i] == t) {
				idx[k] = (uint8_t)i;
				a[k++] = ip[i];
			}
		if (k == 0)
			continue;
		rte_fib_lookup_bulk(fib->t[t], a, nh, k);
		d = __atomic_load_n(&fib->dflt[t], __ATOMIC_ACQUIRE);
		for (unsigned j = 0; j < k; j++) {
			unsigned i = idx[j];

			if (nh[j] != SB_FIB_MISS)
				nhg[i] = (uint32_t)nh[j];
			else if (d != SB_FIB_NONE)
				nhg[i] = d;
			else if (t != 0)
				pending[i] = 0;
			else
				nhg[i] = SB_FIB_NONE;
		}
	}
}
