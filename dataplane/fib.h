/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the FIB, one rte_lpm per routing table. Entries map a
 * prefix to a nexthop group id. The control thread writes (rte_lpm with
 * RCU QSBR reclaims tbl8 groups safely); workers look up without locks. */
#ifndef SB_FIB_H
#define SB_FIB_H

#include <errno.h>
#include <stdint.h>
#include <rte_lpm.h>
#include "sb_common.h"

struct rte_rcu_qsbr;

#define SB_FIB_NONE UINT32_MAX

struct sb_fib {
	unsigned n_tables;
	struct rte_lpm *lpm[SB_MAX_TABLES];
	/* rte_lpm has no /0: each table's default route is kept beside it
	 * and consulted when the LPM misses. */
	uint32_t dflt[SB_MAX_TABLES];
};

/** Create @n_tables LPM tables of @max_rules each, bound to @qs (may be
 * NULL in tests). NULL + rte_errno on failure. Main lcore. */
struct sb_fib *sb_fib_create(const char *name, unsigned n_tables, uint32_t max_rules,
			     struct rte_rcu_qsbr *qs);
void sb_fib_free(struct sb_fib *fib);

/** Add or replace @prefix/@len -> @nhg in @table. 0 or -errno. Control. */
int sb_fib_set(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len, uint32_t nhg);

/** Delete @prefix/@len from @table. 0 or -errno. Control. */
int sb_fib_del(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len);

/** Look up @ip (host order) in @table, falling back to main (table 0)
 * when the table has no route. 0 with *@nhg set, or -ENOENT. Any thread. */
static inline int
sb_fib_lookup_one(const struct sb_fib *fib, unsigned table, uint32_t ip, uint32_t *nhg)
{
	uint32_t d;

	if (rte_lpm_lookup(fib->lpm[table], ip, nhg) == 0)
		return 0;
	d = __atomic_load_n(&fib->dflt[table], __ATOMIC_ACQUIRE);
	if (d == SB_FIB_NONE)
		return -ENOENT;
	*nhg = d;
	return 0;
}

static inline int
sb_fib_lookup(const struct sb_fib *fib, unsigned table, uint32_t ip, uint32_t *nhg)
{
	if (table != 0 && sb_fib_lookup_one(fib, table, ip, nhg) == 0)
		return 0;
	return sb_fib_lookup_one(fib, 0, ip, nhg);
}

#endif
