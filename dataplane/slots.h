/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: an rte_hash whose key positions index an array kept beside
 * it, for per-key data larger than rte_hash's data word, and the bounded
 * ageing sweep over such a table by a per-position timestamp. frag.c,
 * synhold.c, neigh.c and eim.c are such tables, each in one block (struct
 * sb_slots_table, their fields, their entries). Positions can exceed the
 * entry count (bucket slack): the array has *n_slots entries. Ageing
 * tables are owned by one worker. */
#ifndef SB_SLOTS_H
#define SB_SLOTS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "resident.h"

/* Without hugepages the EAL's heap maps a page when it is first written
 * (sb_prefault()), and rte_hash's buckets and key store are out of our
 * reach: fill @h with up to @n made-up keys and empty it again, so that a
 * worker's first adds (a flood's first sessions) find them resident. The
 * keys come back to the free list in the order they left it, so positions
 * are handed out as from a new table. Main lcore, before any reader. */
static inline void
sb_slots_warm(struct rte_hash *h, uint32_t key_len, uint8_t flags, uint32_t n)
{
	uint8_t key[64] = { 0 };
	uint32_t added;

	if (key_len < sizeof(added) || key_len > sizeof(key))
		return;
	for (added = 0; added < n; added++) {
		memcpy(key, &added, sizeof(added));
		if (rte_hash_add_key(h, key) < 0)
			break;
	}
	for (uint32_t i = 0; i < added; i++) {
		int32_t pos;

		memcpy(key, &i, sizeof(i));
		pos = rte_hash_del_key(h, key);
		if (pos >= 0 && (flags & (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
					  RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL)))
			rte_hash_free_key_with_position(h, pos);
	}
}

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

	if (h == NULL)
		return NULL;
	*n_slots = (uint32_t)rte_hash_max_key_id(h) + 1;
	if (!rte_eal_has_hugepages())
		sb_slots_warm(h, key_len, flags, *n_slots);
	return h;
}

/** The head of an ageing table: its hash, the number of positions (and
 * entries in the array that ends the table), the sweep cursor and the age
 * after which an entry is swept. */
struct sb_slots_table {
	struct rte_hash *h;
	uint32_t cap;
	uint32_t iter;
	uint64_t timeout_tsc;
};

/**
 * A zeroed table on @socket: @size bytes of a struct that begins with
 * struct sb_slots_table and ends with a flexible array of @elem-byte
 * entries, one per position of its hash (sb_slots_create() of @entries
 * keys of @key_len bytes, @flags), entries aged out after @timeout_ms
 * (by sb_slots_sweep(); 0 for a table that does not age). NULL and
 * rte_errno on failure. Main lcore.
 */
static inline void *
sb_slots_table_create(const char *name, size_t size, size_t elem, uint32_t entries,
		      uint32_t key_len, int socket, uint8_t flags, uint32_t timeout_ms)
{
	uint32_t cap;
	struct rte_hash *h = sb_slots_create(name, entries, key_len, socket, flags, &cap);
	struct sb_slots_table *t;

	if (h == NULL)
		return NULL;
	t = sb_zmalloc_resident(name, size + elem * cap, RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_hash_free(h);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->h = h;
	t->cap = cap;
	t->timeout_tsc = rte_get_tsc_hz() / 1000 * timeout_ms;
	return t;
}

/** Free a table of sb_slots_table_create() (NULL: nothing). Main lcore. */
static inline void
sb_slots_table_free(void *table)
{
	struct sb_slots_table *t = table;

	if (t != NULL)
		rte_hash_free(t->h);
	rte_free(t);
}

/**
 * Look at no more than @budget keys of @t, from its cursor on (wrapping to
 * 0 at the end), and delete those whose timestamp is more than its timeout
 * before @now; the timestamp of position p is the uint64_t at @tsc + p *
 * @stride bytes; @gone (if not NULL) is told each key just before it goes.
 * Returns how many were deleted. Owning worker.
 */
static inline unsigned
sb_slots_sweep(struct sb_slots_table *t, unsigned budget, const void *tsc, size_t stride,
	       uint64_t now, void (*gone)(void *arg, const void *key), void *arg)
{
	const void *key;
	void *data;
	unsigned n = 0;

	/* rte_hash_iterate walks every empty position looking for a key: on
	 * an empty table one call reads the whole table (7% of the worker at
	 * 1024 flows, when the sweep ran every 100 us over idle tables). */
	if (rte_hash_count(t->h) <= 0)
		return 0;
	while (budget--) {
		int32_t pos = rte_hash_iterate(t->h, &key, &data, &t->iter);

		if (pos < 0) {
			t->iter = 0;
			break;
		}
		if (now - *(const uint64_t *)((const uint8_t *)tsc + (size_t)pos * stride) >
		    t->timeout_tsc) {
			if (gone != NULL)
				gone(arg, key);
			rte_hash_del_key(t->h, key);
			n++;
		}
	}
	return n;
}

#endif
