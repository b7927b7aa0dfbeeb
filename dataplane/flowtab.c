/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_random.h>

#include "flowtab.h"
#include "resident.h"

_Static_assert(sizeof(struct sb_ft_bucket) == 64, "a bucket is one cache line");

/* Slots over keys: 2 x 1M keys in 277,778 buckets. Two-choice, 8-slot
 * cuckoo tables hold well past 95% (Erlingsson et al. 2006); 90% keeps the
 * walks short. */
#define LOAD_PCT 90
#define MAX_KICKS 256

struct sb_ft *
sb_ft_create(const char *name, uint32_t keys, int socket)
{
	struct sb_ft *ft;
	uint64_t nb = ((uint64_t)keys * 100 + (uint64_t)SB_FT_SLOTS * LOAD_PCT - 1) /
		      ((uint64_t)SB_FT_SLOTS * LOAD_PCT);

	if (keys == 0 || keys > SB_FT_VAL_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (nb < 2)
		nb = 2;
	/* Every bucket resident: a new key lands in two random ones. */
	ft = sb_zmalloc_resident(name, sizeof(*ft) + nb * sizeof(ft->b[0]), 64, socket);
	if (ft == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ft->nb = (uint32_t)nb;
	ft->max_kicks = MAX_KICKS;
	ft->rnd = (uint32_t)rte_rand() | 1;
	return ft;
}

void
sb_ft_free(struct sb_ft *ft)
{
	rte_free(ft);
}

uint64_t
sb_ft_bytes(const struct sb_ft *ft)
{
	return sizeof(*ft) + (uint64_t)ft->nb * sizeof(*ft->b);
}

static int
free_slot(const struct sb_ft_bucket *b)
{
	for (unsigned i = 0; i < SB_FT_SLOTS; i++)
		if (b->sig[i] == 0)
			return (int)i;
	return -1;
}

static uint32_t
rnd(struct sb_ft *ft)
{
	uint32_t x = ft->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return ft->rnd = x;
}

/* Cuckoo walk from full bucket @b0: pick a random slot, follow its entry
 * to its other bucket, and so on, until a bucket with a free slot is
 * found; only then move the entries along the path, last first, so a walk
 * that fails (max_kicks steps) leaves the table exactly as it was.
 * Returns the slot freed in @b0, or -1. */
struct step {
	uint32_t b, s;
};

static bool
on_path(const struct step *path, unsigned n, uint32_t b, unsigned s)
{
	for (unsigned i = 0; i < n; i++)
		if (path[i].b == b && path[i].s == s)
			return true;
	return false;
}

static int
walk(struct sb_ft *ft, uint32_t b0)
{
	struct step path[MAX_KICKS];
	uint32_t b = b0;

	for (unsigned n = 0; n < ft->max_kicks; n++) {
		unsigned s = rnd(ft) % SB_FT_SLOTS, tries = 0;

		/* A slot already on the path would be moved twice: pick
		 * another (the moves below rely on every step being distinct). */
		while (on_path(path, n, b, s)) {
			if (++tries == SB_FT_SLOTS)
				return -1;
			s = (s + 1) % SB_FT_SLOTS;
		}
		const struct sb_ft_bucket *cur = &ft->b[b];
		uint32_t to = sb_ft_other(ft, b, cur->sig[s], (cur->val[s] & SB_FT_ALT_BIT) != 0);
		int f = free_slot(&ft->b[to]);

		path[n].b = b;
		path[n].s = s;
		if (f < 0) {
			b = to;
			continue;
		}
		/* path[i]'s entry moves to path[i + 1]'s place (its other
		 * bucket), the last one to the free slot. */
		for (unsigned i = n + 1; i-- > 0;) {
			struct sb_ft_bucket *fb = &ft->b[path[i].b];
			uint32_t tb = i == n ? to : path[i + 1].b;
			uint32_t ts = i == n ? (uint32_t)f : path[i + 1].s;

			ft->b[tb].sig[ts] = fb->sig[path[i].s];
			ft->b[tb].val[ts] = fb->val[path[i].s] ^ SB_FT_ALT_BIT;
			fb->sig[path[i].s] = 0;
			fb->val[path[i].s] = 0;
		}
		ft->kicks += n + 1;
		return (int)path[0].s;
	}
	return -1;
}

static void
put(struct sb_ft_bucket *b, unsigned s, uint32_t sig, uint32_t val)
{
	b->sig[s] = sig;
	b->val[s] = val;
}

int
sb_ft_add(struct sb_ft *ft, uint64_t fp, uint32_t val)
{
	struct sb_ft_pos p = sb_ft_pos(ft, fp);
	int s;

	if (val > SB_FT_VAL_MAX)
		return -EINVAL;
	/* The first bucket while it has room, then the second (lookups
	 * read the second only when the first has no match); walks stay rare
	 * and short. */
	s = free_slot(&ft->b[p.b1]);
	if (s >= 0) {
		put(&ft->b[p.b1], (unsigned)s, p.sig, val);
		goto added;
	}
	s = free_slot(&ft->b[p.b2]);
	if (s >= 0) {
		put(&ft->b[p.b2], (unsigned)s, p.sig, val | SB_FT_ALT_BIT);
		goto added;
	}
	s = walk(ft, p.b1);
	if (s >= 0) {
		put(&ft->b[p.b1], (unsigned)s, p.sig, val);
		goto added;
	}
	s = walk(ft, p.b2);
	if (s >= 0) {
		put(&ft->b[p.b2], (unsigned)s, p.sig, val | SB_FT_ALT_BIT);
		goto added;
	}
	ft->add_fail++;
	return -ENOSPC;
added:
	ft->n++;
	return 0;
}

int
sb_ft_del(struct sb_ft *ft, uint64_t fp, uint32_t val)
{
	struct sb_ft_pos p = sb_ft_pos(ft, fp);
	uint32_t bs[2] = { p.b1, p.b2 };

	for (unsigned k = 0; k < 2; k++) {
		struct sb_ft_bucket *b = &ft->b[bs[k]];

		for (unsigned i = 0; i < SB_FT_SLOTS; i++)
			if (b->sig[i] == p.sig && (b->val[i] & SB_FT_VAL_MAX) == val &&
			    ((b->val[i] & SB_FT_ALT_BIT) != 0) == (k == 1)) {
				put(b, i, 0, 0);
				ft->n--;
				return 0;
			}
	}
	return -ENOENT;
}
