/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: publishing forwarding state to the workers (docs/threading.md).
 * Control thread only. */
#ifndef SB_PUBLISH_H
#define SB_PUBLISH_H

#include <stdint.h>
#include "sb_tables.h"

struct rte_rcu_qsbr;

/** A zeroed state with room for @n_nhg nexthop groups, or NULL. */
struct sb_dp_state *sb_state_alloc(uint32_t n_nhg);

/** Free a state no worker can see any more. NULL is fine. */
void sb_state_free(struct sb_dp_state *st);

/** Make @st the state workers read from @slot (release store). Returns
 * the state it replaces, which readers may still hold. */
struct sb_dp_state *sb_state_swap(struct sb_dp_state **slot, struct sb_dp_state *st);

/** Wait until every reader registered with @qs has passed a quiescent
 * point, then free @old: no worker can still hold it. NULL is fine. */
void sb_state_retire(struct sb_dp_state *old, struct rte_rcu_qsbr *qs);

#endif
