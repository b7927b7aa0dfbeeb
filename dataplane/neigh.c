/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_errno.h>

#include "neigh.h"
#include "slots.h"

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

	if (nb != NULL)
		nb->port_max = nb->slots.cap / 2 < 1 ? 1 : nb->slots.cap / 2;
	return nb;
}

void
sb_neigh_free(struct sb_neigh *nb)
{
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

int32_t
sb_neigh_get(struct sb_neigh *nb, uint16_t port, uint32_t ip)
{
	struct neigh_key k = { .ip = ip, .port = port };
	int32_t idx = sb_neigh_find(nb, port, ip);
	uint32_t *pn = &nb->port_n[port < SB_MAX_PORTS ? port : SB_MAX_PORTS - 1];

	if (idx >= 0)
		return idx;
	if (nb->n == nb->slots.cap || *pn >= nb->port_max) {
		nb->refused++;
		return -ENOSPC;
	}
	idx = (int32_t)nb->n;
	/* Fill the entry before the key becomes visible: the hash add
	 * publishes with release semantics. */
	nb->e[idx].ip = ip;
	nb->e[idx].port = port;
	nb->e[idx].mac_state = 0;
	if (rte_hash_add_key_data(nb->slots.h, &k, (void *)(uintptr_t)idx) < 0)
		return -ENOSPC;
	nb->n++;
	(*pn)++;
	return idx;
}

void
sb_neigh_set_mac(struct sb_neigh *nb, uint32_t idx, const struct rte_ether_addr *mac)
{
	uint64_t v = SB_NEIGH_VALID;

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	__atomic_store_n(&nb->e[idx].mac_state, v, __ATOMIC_RELEASE);
}
