/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_errno.h>

#include "neigh.h"

struct neigh_key {
	uint32_t ip;
	uint16_t port;
	uint16_t pad;
};

struct sb_neigh *
sb_neigh_create(const char *name, uint32_t cap, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = cap < 8 ? 8 : cap,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct sb_neigh *nb = rte_zmalloc_socket("sb_neigh", sizeof(*nb), 64, socket);

	if (nb == NULL)
		goto fail;
	nb->cap = cap;
	nb->port_max = cap / 2 < 1 ? 1 : cap / 2;
	nb->e = rte_zmalloc_socket("sb_neigh_e", sizeof(*nb->e) * cap, 64, socket);
	if (nb->e == NULL)
		goto fail;
	nb->h = rte_hash_create(&hp);
	if (nb->h == NULL)
		goto fail;
	return nb;
fail:
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	sb_neigh_free(nb);
	return NULL;
}

void
sb_neigh_free(struct sb_neigh *nb)
{
	if (nb == NULL)
		return;
	rte_hash_free(nb->h);
	rte_free(nb->e);
	rte_free(nb);
}

int32_t
sb_neigh_find(const struct sb_neigh *nb, uint16_t port, uint32_t ip)
{
	struct neigh_key k = { .ip = ip, .port = port };
	void *d;

	if (rte_hash_lookup_data(nb->h, &k, &d) < 0)
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
	if (nb->n == nb->cap || *pn >= nb->port_max) {
		nb->refused++;
		return -ENOSPC;
	}
	idx = (int32_t)nb->n;
	/* Fill the entry before the key becomes visible: the hash add
	 * publishes with release semantics. */
	nb->e[idx].ip = ip;
	nb->e[idx].port = port;
	nb->e[idx].mac_state = 0;
	if (rte_hash_add_key_data(nb->h, &k, (void *)(uintptr_t)idx) < 0)
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
