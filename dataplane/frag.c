/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>

#include "frag.h"
#include "slots.h"

struct sb_frag_table *
sb_frag_create(const char *name, uint32_t cap, int socket, uint32_t timeout_ms)
{
	struct sb_frag_table *t = sb_slots_table_create(name, sizeof(*t), sizeof(t->e[0]), cap,
							sizeof(struct sb_frag_key), socket, 0,
							timeout_ms);

	if (t != NULL) {
		t->hold_tsc = rte_get_tsc_hz() / 1000 * SB_FRAG_HOLD_MS;
		t->per_src = cap / 8 < 4 ? 4 : cap / 8;
	}
	return t;
}

void
sb_frag_free(struct sb_frag_table *t)
{
	sb_slots_table_free(t);
}

/* The share of source @src (network order). */
static inline uint16_t *
src_share(struct sb_frag_table *t, uint32_t src)
{
	return &t->src_n[rte_hash_crc_4byte(src, 0x5f) % SB_FRAG_SRC_SLOTS];
}

static void
gone(void *arg, const void *key)
{
	uint16_t *n = src_share(arg, ((const struct sb_frag_key *)key)->src);

	if (*n != 0)
		(*n)--;
}

int
sb_frag_add(struct sb_frag_table *t, const struct sb_frag_key *k, uint32_t session,
	    uint32_t tag, uint8_t dir, uint64_t now)
{
	uint16_t *n = src_share(t, k->src);
	int32_t pos = rte_hash_lookup(t->slots.h, k);

	/* A new datagram within its source's share (the same one again,
	 * an IP id reused, just takes the entry over). */
	if (pos < 0) {
		if (*n >= t->per_src)
			return -EBUSY;
		pos = rte_hash_add_key(t->slots.h, k);
		if (pos < 0)
			return -ENOSPC;
		(*n)++;
	}
	t->e[pos].tsc = now;
	t->e[pos].session = session;
	t->e[pos].tag = tag;
	t->e[pos].dir = dir;
	return 0;
}

int
sb_frag_find(struct sb_frag_table *t, const struct sb_frag_key *k, uint64_t now,
	     uint32_t *session, uint32_t *tag, uint8_t *dir)
{
	int32_t pos = rte_hash_lookup(t->slots.h, k);

	if (pos < 0)
		return -ENOENT;
	if (now - t->e[pos].tsc > t->slots.timeout_tsc) {
		gone(t, k);
		rte_hash_del_key(t->slots.h, k);
		return -ENOENT;
	}
	*session = t->e[pos].session;
	*tag = t->e[pos].tag;
	*dir = t->e[pos].dir;
	return 0;
}

unsigned
sb_frag_sweep(struct sb_frag_table *t, uint64_t now, unsigned budget)
{
	return sb_slots_sweep(&t->slots, budget, &t->e[0].tsc, sizeof(t->e[0]), now, gone, t);
}

bool
sb_frag_known(struct sb_frag_table *t, const struct sb_frag_key *k, uint64_t now)
{
	uint32_t session, tag;
	uint8_t dir;

	return sb_frag_find(t, k, now, &session, &tag, &dir) == 0;
}

int
sb_frag_hold(struct sb_frag_table *t, const struct sb_frag_key *k, void *pkt, uint16_t in,
	     uint64_t now)
{
	unsigned same = 0, slot = SB_FRAG_HOLD_MAX;

	if (t->n_held == SB_FRAG_HOLD_MAX)
		return -ENOSPC;
	for (unsigned i = 0; i < SB_FRAG_HOLD_MAX; i++) {
		if (t->held[i].pkt == NULL) {
			if (slot == SB_FRAG_HOLD_MAX)
				slot = i;
		} else if (t->held[i].k.src == k->src) {
			same++;
		}
	}
	if (same >= SB_FRAG_HOLD_PER_SRC)
		return -EBUSY;
	t->held[slot] = (struct sb_frag_held){ .pkt = pkt, .tsc = now, .k = *k, .in = in };
	t->n_held++;
	return (int)slot;
}

void *
sb_frag_unhold(struct sb_frag_table *t, unsigned slot)
{
	void *pkt = t->held[slot].pkt;

	if (pkt != NULL) {
		t->held[slot].pkt = NULL;
		t->n_held--;
	}
	return pkt;
}

unsigned
sb_frag_scan(struct sb_frag_table *t, uint64_t now, bool all, sb_frag_held_fn fn, void *arg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SB_FRAG_HOLD_MAX && t->n_held != 0; i++) {
		struct sb_frag_held *h = &t->held[i];
		uint16_t in = h->in;

		if (h->pkt == NULL)
			continue;
		if (!all && sb_frag_known(t, &h->k, now))
			fn(arg, sb_frag_unhold(t, i), in, i, SB_FRAG_RELEASED);
		else if (all || now - h->tsc > t->hold_tsc)
			fn(arg, sb_frag_unhold(t, i), in, i, SB_FRAG_EXPIRED);
		else
			continue;
		n++;
	}
	return n;
}
