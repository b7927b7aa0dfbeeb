/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_rcu_qsbr.h>

#include "neigh.h"
#include "slots.h"

#define NONE UINT32_MAX

struct neigh_key {
	uint32_t ip;
	uint16_t port;
	uint16_t pad;
};

struct sb_neigh *
sb_neigh_create(const char *name, uint32_t cap, int socket)
{
	struct sb_neigh *nb = sb_slots_table_create(name, sizeof(struct sb_neigh),
						    sizeof(struct sb_neigh_entry), cap,
						    sizeof(struct neigh_key), socket,
						    RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
						    RTE_HASH_EXTRA_FLAGS_EXT_TABLE, 0);

	if (nb == NULL)
		return NULL;
	/* Sessions keep 15 bits of an index (dataplane/l2out.h), control's
	 * arrays SB_MAX_NEIGH entries. */
	nb->max = nb->slots.cap < SB_MAX_NEIGH ? nb->slots.cap : SB_MAX_NEIGH;
	nb->port_max = nb->max / 2 < 1 ? 1 : nb->max / 2;
	nb->free_head = nb->free_tail = nb->retire_head = nb->retire_tail = NONE;
	nb->next = rte_zmalloc_socket(name, sizeof(*nb->next) * nb->max, 0, socket);
	nb->pos = rte_zmalloc_socket(name, sizeof(*nb->pos) * nb->max, 0, socket);
	if (nb->next == NULL || nb->pos == NULL) {
		sb_neigh_free(nb);
		rte_errno = ENOMEM;
		return NULL;
	}
	return nb;
}

void
sb_neigh_free(struct sb_neigh *nb)
{
	if (nb == NULL)
		return;
	rte_free(nb->next);
	rte_free(nb->pos);
	sb_slots_table_free(nb);
}

int32_t
sb_neigh_find(const struct sb_neigh *nb, uint16_t port, uint32_t ip)
{
	struct neigh_key k = { .ip = ip, .port = port };
	void *d;

	if (rte_hash_lookup_data(nb->slots.h, &k, &d) < 0)
		return -ENOENT;
	return (int32_t)(uintptr_t)d;
}

/* Append @idx to the list @head..@tail. */
static void
list_push(struct sb_neigh *nb, uint32_t *head, uint32_t *tail, uint32_t idx)
{
	nb->next[idx] = NONE;
	if (*tail == NONE)
		*head = idx;
	else
		nb->next[*tail] = idx;
	*tail = idx;
}

static uint32_t
list_pop(struct sb_neigh *nb, uint32_t *head, uint32_t *tail)
{
	uint32_t idx = *head;

	if (idx != NONE) {
		*head = nb->next[idx];
		if (*head == NONE)
			*tail = NONE;
	}
	return idx;
}

static inline uint32_t *
port_n(struct sb_neigh *nb, uint16_t port)
{
	return &nb->port_n[port < SB_MAX_PORTS ? port : SB_MAX_PORTS - 1];
}

int32_t
sb_neigh_get(struct sb_neigh *nb, uint16_t port, uint32_t ip)
{
	struct neigh_key k = { .ip = ip, .port = port };
	int32_t idx = sb_neigh_find(nb, port, ip);
	uint32_t *pn = port_n(nb, port);
	bool reused;

	if (idx >= 0)
		return idx;
	/* Indices freed longest ago first (FIFO): a cached index that
	 * outlived its entry meets a new owner as late as possible. */
	reused = nb->free_head != NONE;
	if ((!reused && nb->n == nb->max) || *pn >= nb->port_max) {
		nb->refused++;
		return -ENOSPC;
	}
	idx = reused ? (int32_t)nb->free_head : (int32_t)nb->n;
	/* Fill the entry before the key becomes visible: the hash add
	 * publishes with release semantics. Its MAC is invalid since its
	 * deletion (or was never set). */
	nb->e[idx].mac_state = 0;
	nb->e[idx].ip = ip;
	nb->e[idx].port = port;
	nb->e[idx].used_s = 0;
	nb->e[idx].pinned = 0;
	if (rte_hash_add_key_data(nb->slots.h, &k, (void *)(uintptr_t)idx) < 0)
		return -ENOSPC;
	if (reused)
		(void)list_pop(nb, &nb->free_head, &nb->free_tail);
	else
		nb->n++;
	nb->e[idx].in_use = 1;
	nb->live++;
	(*pn)++;
	return idx;
}

void
sb_neigh_del(struct sb_neigh *nb, uint32_t idx, struct rte_rcu_qsbr *qs)
{
	struct sb_neigh_entry *e = &nb->e[idx];
	struct neigh_key k = { .ip = e->ip, .port = e->port };
	uint32_t *pn = port_n(nb, e->port);

	if (idx >= nb->n || !e->in_use || e->pinned)
		return;
	/* Invalid at once: a worker that still holds the index asks again
	 * (and finds the key gone). The address stays until the index is
	 * reused, so a cached index keeps matching only its own neighbour. */
	__atomic_store_n(&e->mac_state, 0, __ATOMIC_RELEASE);
	nb->pos[idx] = rte_hash_del_key(nb->slots.h, &k);
	e->in_use = 0;
	e->retire_token = qs != NULL ? rte_rcu_qsbr_start(qs) : 0;
	list_push(nb, &nb->retire_head, &nb->retire_tail, idx);
	nb->live--;
	nb->deleted++;
	if (*pn != 0)
		(*pn)--;
}

unsigned
sb_neigh_reclaim(struct sb_neigh *nb, struct rte_rcu_qsbr *qs)
{
	unsigned n = 0;

	/* Tokens grow along the list: the first not yet safe ends it. */
	while (nb->retire_head != NONE &&
	       (qs == NULL || rte_rcu_qsbr_check(qs, nb->e[nb->retire_head].retire_token,
						 false) == 1)) {
		uint32_t idx = list_pop(nb, &nb->retire_head, &nb->retire_tail);

		/* Lock-free hashes keep a deleted key's position until told
		 * (RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL is implied). */
		if (nb->pos[idx] >= 0)
			(void)rte_hash_free_key_with_position(nb->slots.h, nb->pos[idx]);
		list_push(nb, &nb->free_head, &nb->free_tail, idx);
		n++;
	}
	return n;
}

void
sb_neigh_set_mac(struct sb_neigh *nb, uint32_t idx, const struct rte_ether_addr *mac)
{
	uint64_t v = SB_NEIGH_VALID;

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	__atomic_store_n(&nb->e[idx].mac_state, v, __ATOMIC_RELEASE);
}
