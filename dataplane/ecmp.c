/* SPDX-License-Identifier: BSD-3-Clause */
#include "ecmp.h"

static uint32_t
weight(uint32_t bucket, const struct sb_path *p)
{
	uint64_t x = ((uint64_t)p->gw << 32 | (uint64_t)p->port << 16 | bucket) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

void
sb_ecmp_build(struct sb_nhg *g)
{
	for (uint32_t b = 0; b < SB_ECMP_BUCKETS; b++) {
		uint32_t best = 0, bw = 0;

		for (uint32_t k = 0; k < g->n_paths; k++) {
			uint32_t w = weight(b, &g->path[k]);

			if (k == 0 || w > bw) {
				bw = w;
				best = k;
			}
		}
		g->bucket[b] = (uint8_t)best;
	}
}
