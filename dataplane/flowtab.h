/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the flow table. Maps a 64-bit keyed fingerprint of a tuple
 * to a 32-bit value (conntrack's session index and direction), built for
 * the established path (issue 12) rather than for generality:
 *
 *  - one 64-byte cache line per bucket: 8 slots of a 32-bit signature and
 *    a 32-bit value, so a lookup reads one line (two when its key lives in
 *    its second bucket) and never a key store: the caller verifies a hit
 *    against its own record, which it reads anyway;
 *  - two buckets per key (cuckoo hashing with a bounded random walk), so
 *    the table fills to 90% of its slots: 2 x 1M keys take 17.8 MB, under
 *    18 bytes per session for both directions;
 *  - bucket count not a power of two (multiply-shift reduction), so the
 *    memory follows the configured session count instead of doubling;
 *  - no function pointers, no atomics: one owner writes and reads (the
 *    worker that owns the sessions).
 *
 * A key's first bucket comes from the fingerprint's low 32 bits, its
 * signature is the high 32 bits with the lowest set (never 0: 0 marks a
 * free slot; one instruction where a test for 0 took four), and its
 * second bucket is the first plus an offset drawn from the signature, so a
 * slot can be moved to its other bucket knowing only what the slot holds
 * (bit 31 of the stored value says which of its two buckets it is in).
 * Values are therefore limited to 31 bits.
 */
#ifndef SB_FLOWTAB_H
#define SB_FLOWTAB_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_prefetch.h>
#include <rte_branch_prediction.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SB_FT_SLOTS 8
#define SB_FT_VAL_MAX 0x7fffffffu
#define SB_FT_ALT_BIT 0x80000000u

struct sb_ft_bucket {
	uint32_t sig[SB_FT_SLOTS];
	uint32_t val[SB_FT_SLOTS];
} __attribute__((aligned(64)));

struct sb_ft {
	uint32_t nb;          /* buckets */
	uint32_t n;           /* keys stored */
	uint32_t max_kicks;   /* bound on cuckoo moves per add */
	uint32_t rnd;         /* xorshift state for the walk */
	uint64_t kicks;       /* moves made, all adds (statistics) */
	uint64_t add_fail;    /* adds refused: both buckets' walks failed */
	struct sb_ft_bucket b[]; /* nb of them, in the same block */
};

/* Where a fingerprint lives: its two buckets and its signature. */
struct sb_ft_pos {
	uint32_t b1, b2, sig;
};

static inline uint32_t
sb_ft_reduce(uint32_t x, uint32_t n)
{
	return (uint32_t)(((uint64_t)x * n) >> 32);
}

/* The other bucket of a slot in bucket @b with signature @sig; @in_alt
 * says whether @b is the key's second bucket. */
static inline uint32_t
sb_ft_other(const struct sb_ft *ft, uint32_t b, uint32_t sig, bool in_alt)
{
	uint32_t off = 1 + sb_ft_reduce(sig, ft->nb - 1);

	if (!in_alt)
		return b + off >= ft->nb ? b + off - ft->nb : b + off;
	return b >= off ? b - off : b + ft->nb - off;
}

/* A fingerprint's signature (never 0) and first of @nb buckets: the
 * parts of sb_ft_pos and sb_ft_pos_first, for a caller that holds the
 * bucket count (the fused pass). */
static inline uint32_t
sb_ft_sig(uint64_t fp)
{
	return (uint32_t)(fp >> 32) | 1;
}

static inline uint32_t
sb_ft_first(uint64_t fp, uint32_t nb)
{
	return sb_ft_reduce((uint32_t)fp, nb);
}

static inline struct sb_ft_pos
sb_ft_pos(const struct sb_ft *ft, uint64_t fp)
{
	struct sb_ft_pos p;

	p.sig = sb_ft_sig(fp);
	p.b1 = sb_ft_first(fp, ft->nb);
	p.b2 = sb_ft_other(ft, p.b1, p.sig, false);
	return p;
}

/* The first bucket and the signature of @fp only (sb_ft_pos_alt adds the
 * second): a lookup reads the second bucket only when the first holds no
 * slot with the signature, and keys go to their first bucket while it has
 * room (sb_ft_add), so the fused fast path prefetches the first alone. */
static inline struct sb_ft_pos
sb_ft_pos_first(const struct sb_ft *ft, uint64_t fp)
{
	struct sb_ft_pos p;

	p.sig = sb_ft_sig(fp);
	p.b1 = sb_ft_first(fp, ft->nb);
	p.b2 = 0;
	return p;
}

/* Complete @p of sb_ft_pos_first with its second bucket. */
static inline void
sb_ft_pos_alt(const struct sb_ft *ft, struct sb_ft_pos *p)
{
	p->b2 = sb_ft_other(ft, p->b1, p->sig, false);
}

/** Prefetch both buckets of @p (the first stage of a pipelined lookup). */
static inline void
sb_ft_prefetch(const struct sb_ft *ft, const struct sb_ft_pos *p)
{
	rte_prefetch0(&ft->b[p->b1]);
	rte_prefetch0(&ft->b[p->b2]);
}

/* Bit i set when slot i of @b holds signature @sig: two 4-lane compares
 * where SSE2 exists (a scalar scan of both buckets was a quarter of the
 * lookup's cycles). */
static inline uint32_t
sb_ft_match(const struct sb_ft_bucket *b, uint32_t sig)
{
#if defined(__SSE2__)
	__m128i s = _mm_set1_epi32((int)sig);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)&b->sig[0]), s);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)&b->sig[4]), s);

	return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
	       (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
#else
	uint32_t m = 0;

	for (unsigned i = 0; i < SB_FT_SLOTS; i++)
		m |= (uint32_t)(b->sig[i] == sig) << i;
	return m;
#endif
}

/**
 * The values stored under signature @p->sig, first bucket first: up to
 * @max of them in @out; returns how many. Candidates only: signatures can
 * collide, the caller checks each against its record. Owner only.
 */
static inline unsigned
sb_ft_find(const struct sb_ft *ft, const struct sb_ft_pos *p, uint32_t *out, unsigned max)
{
	const struct sb_ft_bucket *b1 = &ft->b[p->b1], *b2 = &ft->b[p->b2];
	uint32_t m1 = sb_ft_match(b1, p->sig), m2 = sb_ft_match(b2, p->sig);
	unsigned k = 0;

	for (; m1 != 0 && k < max; m1 &= m1 - 1)
		out[k++] = b1->val[__builtin_ctz(m1)] & SB_FT_VAL_MAX;
	for (; m2 != 0 && k < max; m2 &= m2 - 1)
		out[k++] = b2->val[__builtin_ctz(m2)] & SB_FT_VAL_MAX;
	return k;
}

/**
 * The first value sb_ft_find would give for @p (the second bucket is
 * read only when the first has none), SB_FT_NONE when there is none.
 * When it is not the key's, the others are sb_ft_find's. Owner only.
 */
#define SB_FT_NONE UINT32_MAX

static inline uint32_t
sb_ft_find_first(const struct sb_ft *ft, const struct sb_ft_pos *p)
{
	const struct sb_ft_bucket *b1 = &ft->b[p->b1], *b2;
	uint32_t m = sb_ft_match(b1, p->sig);

	if (likely(m != 0))
		return b1->val[__builtin_ctz(m)] & SB_FT_VAL_MAX;
	b2 = &ft->b[p->b2];
	m = sb_ft_match(b2, p->sig);
	return m != 0 ? b2->val[__builtin_ctz(m)] & SB_FT_VAL_MAX : SB_FT_NONE;
}

/**
 * A table for @keys keys at 90% slot load, on NUMA @socket. Returns NULL
 * and sets rte_errno on failure. Main lcore, after EAL init.
 */
struct sb_ft *sb_ft_create(const char *name, uint32_t keys, int socket);

/** Free the table. NULL is fine. */
void sb_ft_free(struct sb_ft *ft);

/** Bytes the table takes (buckets and header). */
uint64_t sb_ft_bytes(const struct sb_ft *ft);

/**
 * Store @val (<= SB_FT_VAL_MAX) under @fp. Does not look for an existing
 * entry: the caller has. Bounded work (at most max_kicks moves). Returns
 * 0, or -ENOSPC when no room was found (the table is left as it was).
 * Owner only.
 */
int sb_ft_add(struct sb_ft *ft, uint64_t fp, uint32_t val);

/** Remove the entry of @val under @fp. Returns 0 or -ENOENT. Owner only. */
int sb_ft_del(struct sb_ft *ft, uint64_t fp, uint32_t val);

#endif
