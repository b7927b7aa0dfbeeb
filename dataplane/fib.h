/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the FIB, one rte_fib (DIR24_8) per routing table. Entries
 * map a prefix to a nexthop group id. The control thread writes; workers
 * look up without locks.
 *
 * rte_fib rather than rte_lpm: rte_lpm keeps its rules in a flat array per
 * prefix length and scans it on every add, so loading 1M /24s is quadratic
 * (measured here: 100k adds took 6.6 s). rte_fib keeps its rules in an
 * rte_rib tree: 1M adds take well under a second (docs/benchmarks.md). */
#ifndef SB_FIB_H
#define SB_FIB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <rte_fib.h>
#include "sb_common.h"

struct rte_rcu_qsbr;

#define SB_FIB_NONE UINT32_MAX
/* What rte_fib answers when nothing matches (its 4-byte next hops hold
 * 31 bits); never a group id. */
#define SB_FIB_MISS 0x7fffffffu

struct sb_fib {
	unsigned n_tables;
	struct rte_fib *t[SB_MAX_TABLES];
	/* Each table's default route is kept beside it: installing a /0 in
	 * DIR24_8 rewrites all 16M first-level entries. */
	uint32_t dflt[SB_MAX_TABLES];
	struct rte_rcu_qsbr *qs;
	/* rte_fib frees a tbl8 group on delete and may hand it out again on
	 * the next add, while a worker can still be reading it: after such a
	 * delete, the next add waits for a grace period first. */
	bool tbl8_pending;
};

/** Create @n_tables tables of up to @max_rules prefixes each; deletes are
 * made safe for readers registered with @qs (may be NULL in tests, where
 * nobody reads concurrently). NULL + rte_errno on failure. Main lcore. */
struct sb_fib *sb_fib_create(const char *name, unsigned n_tables, uint32_t max_rules,
			     struct rte_rcu_qsbr *qs);
void sb_fib_free(struct sb_fib *fib);

/** Add or replace @prefix/@len -> @nhg (< SB_FIB_MISS) in @table. 0 or
 * -errno. Control. */
int sb_fib_set(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len, uint32_t nhg);

/** Delete @prefix/@len from @table. 0 or -errno. Control. */
int sb_fib_del(struct sb_fib *fib, unsigned table, uint32_t prefix, uint8_t len);

/** Look up @ip (host order) in @table alone. 0 with *@nhg set, or
 * -ENOENT. Any thread. */
static inline int
sb_fib_lookup_one(const struct sb_fib *fib, unsigned table, uint32_t ip, uint32_t *nhg)
{
	uint64_t nh;
	uint32_t d;

	rte_fib_lookup_bulk(fib->t[table], &ip, &nh, 1);
	if (nh != SB_FIB_MISS) {
		*nhg = (uint32_t)nh;
		return 0;
	}
	d = __atomic_load_n(&fib->dflt[table], __ATOMIC_ACQUIRE);
	if (d == SB_FIB_NONE)
		return -ENOENT;
	*nhg = d;
	return 0;
}

/** Look up @ip in @table, falling back to main (table 0) when the table
 * has no route. 0 with *@nhg set, or -ENOENT. Any thread. */
static inline int
sb_fib_lookup(const struct sb_fib *fib, unsigned table, uint32_t ip, uint32_t *nhg)
{
	if (table != 0 && sb_fib_lookup_one(fib, table, ip, nhg) == 0)
		return 0;
	return sb_fib_lookup_one(fib, 0, ip, nhg);
}

#define SB_FIB_BULK_MAX 64

/**
 * Look up @n (at most SB_FIB_BULK_MAX) addresses (host order), address i
 * in routing table @table[i], as sb_fib_lookup would, but with one
 * rte_fib bulk lookup per table in use: named tables first, then main for
 * their misses and its own. @nhg[i] gets the nexthop group, or
 * SB_FIB_NONE when nothing matches. Workers (lock-free readers).
 */
void sb_fib_lookup_bulk(const struct sb_fib *fib, const uint8_t *table, const uint32_t *ip,
			uint32_t *nhg, unsigned n);

#endif
