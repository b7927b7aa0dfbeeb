/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: an rte_hash whose key positions index arrays kept beside
 * it, for per-key data larger than rte_hash's data word, and the bounded
 * ageing sweep over such a table by a per-position timestamp. frag.c,
 * synhold.c and eim.c are made of it. Positions can exceed the entry
 * count (bucket slack): the arrays have *n_slots entries. Tables owned by
 * one worker. */
#ifndef SB_SLOTS_H
#define SB_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>

/** An rte_hash of @entries (at least 8) keys of @key_len bytes, CRC
 * hashed, with RTE_HASH_EXTRA_FLAGS_* @flags; its number of positions in
 * *@n_slots. NULL and rte_errno on failure. Main lcore. */
static inline struct rte_hash *
sb_slots_create(const char *name, uint32_t entries, uint32_t key_len, int socket,
		uint8_t flags, uint32_t *n_slots)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries < 8 ? 8 : entries,
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = flags,
	};
	struct rte_hash *h = rte_hash_create(&hp);

	if (h != NULL)
		*n_slots = (uint32_t)rte_hash_max_key_id(h) + 1;
	return h;
}

/**
 * Look at no more than @budget keys of @h, from *@iter on (wrapping to 0
 * at the end), and delete those whose timestamp is more than @timeout
 * before @now; the timestamp of position p is the uint64_t at @tsc + p *
 * @stride bytes; @gone (if not NULL) is told each key just before it goes.
 * Returns how many were deleted. Owning worker.
 */
static inline unsigned
sb_slots_sweep(struct rte_hash *h, uint32_t *iter, unsigned budget, const void *tsc,
	       size_t stride, uint64_t now, uint64_t timeout,
	       void (*gone)(void *arg, const void *key), void *arg)
{
	const void *key;
	void *data;
	unsigned n = 0;

	/* rte_hash_iterate walks every empty position looking for a key: on
	 * an empty table one call reads the whole table (7% of the worker at
	 * 1024 flows, when the sweep ran every 100 us over idle tables). */
	if (rte_hash_count(h) <= 0)
		return 0;
	while (budget--) {
		int32_t pos = rte_hash_iterate(h, &key, &data, iter);

		if (pos < 0) {
			*iter = 0;
			break;
		}
		if (now - *(const uint64_t *)((const uint8_t *)tsc + (size_t)pos * stride) > timeout) {
			if (gone != NULL)
				gone(arg, key);
			rte_hash_del_key(h, key);
			n++;
		}
	}
	return n;
}

#endif
