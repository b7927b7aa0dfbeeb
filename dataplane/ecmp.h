/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: resilient ECMP member selection. A flow's hash picks one of
 * SB_ECMP_BUCKETS buckets of its nexthop group; the control thread deals
 * the buckets to the group's paths by rendezvous hashing on each path's
 * identity (port, gateway), not its position. So a path going down moves
 * only the buckets (flows) it held, spread over the others, and they come
 * back when it does; flows on the other paths never move. Replaces
 * hash % n_paths, which moves most flows whenever n_paths changes.
 * Pure logic: no EAL. */
#ifndef SB_ECMP_H
#define SB_ECMP_H

#include <stdint.h>
#include "sb_tables.h"

/** Deal @g's buckets to its @g->n_paths paths (rendezvous hashing on
 * (port, gw)). Control thread, when it builds a group. */
void sb_ecmp_build(struct sb_nhg *g);

/** Index in @g->path of the path for a flow of hash @h. Any thread. */
static inline unsigned
sb_ecmp_pick(const struct sb_nhg *g, uint32_t h)
{
	unsigned k;

	if (g->n_paths <= 1)
		return 0;
	k = g->bucket[h % SB_ECMP_BUCKETS];
	/* A group whose buckets were never dealt (tests) still answers. */
	return k < g->n_paths ? k : h % g->n_paths;
}

#endif
