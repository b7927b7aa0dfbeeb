/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: zeroed heap blocks that are resident when they are handed
 * out, for the tables a worker writes from its first packet on. */
#ifndef SB_RESIDENT_H
#define SB_RESIDENT_H

#include <stddef.h>

#include <rte_malloc.h>

#include "sb_common.h"

/* rte_zmalloc_socket(), then every page of the block written once
 * (sb_prefault(): without hugepages a page first touched by a worker is a
 * page fault on the fast path). NULL when the heap has no room. Main
 * lcore, before the workers run. */
static inline void *
sb_zmalloc_resident(const char *name, size_t size, unsigned align, int socket)
{
	void *p = rte_zmalloc_socket(name, size, align, socket);

	sb_prefault(p, size);
	return p;
}

#endif
