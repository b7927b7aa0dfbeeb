/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "eim.h"
#include "resident.h"
#include "slots.h"
#include "sb_counters.h"

void
sb_eim_free(struct sb_eim *m)
{
	for (unsigned p = 0; m != NULL && p < SB_MAX_PORTS; p++) {
		rte_free(m->pool[p]);
		rte_free(m->by_ext[p]);
	}
	sb_slots_table_free(m);
}

struct sb_eim *
sb_eim_create(const char *name, uint32_t masq_ports, uint32_t sessions, int socket)
{
	uint64_t n_map = 0;
	struct sb_eim *m;

	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		if (masq_ports >> p & 1)
			n_map += (uint64_t)SB_NAT_PROTO_MAX * 65536;
	if (n_map > sessions)
		n_map = sessions;
	if (n_map < 64)
		n_map = 64;
	m = sb_slots_table_create(name, sizeof(*m), sizeof(m->slot[0]), (uint32_t)n_map,
				  sizeof(struct sb_eim_key), socket, RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
				  0);
	if (m == NULL)
		return NULL;
	m->n_map = (uint32_t)n_map;
	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		if (!(masq_ports >> p & 1))
			continue;
		m->pool[p] = sb_zmalloc_resident("sb_nat", sizeof(*m->pool[p]), 64, socket);
		m->by_ext[p] = sb_zmalloc_resident("sb_eim_by_ext",
						   sizeof(uint32_t) * SB_NAT_PROTO_MAX * 65536, 64,
						   socket);
		if (m->pool[p] == NULL || m->by_ext[p] == NULL) {
			sb_eim_free(m);
			rte_errno = ENOMEM;
			return NULL;
		}
		sb_nat_pool_init(m->pool[p]);
	}
	return m;
}

void
sb_eim_slice(struct sb_eim *m, unsigned k, unsigned n)
{
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		if (m->pool[p] != NULL)
			sb_nat_pool_slice(m->pool[p], k, n);
}

int
sb_eim_get(struct sb_eim *m, const struct sb_eim_key *k, enum sb_nat_proto np, uint32_t rnd,
	   uint32_t now_s)
{
	struct sb_nat_pool *pool = m->pool[k->port];
	int32_t pos = rte_hash_lookup(m->slots.h, k);
	int port;

	if (pos >= 0) {
		m->slot[pos].ref++;
		return m->slot[pos].ext;
	}
	port = sb_nat_port_alloc(pool, np, rte_be_to_cpu_16(k->sport), rnd, now_s);
	if (port < 0)
		return -SB_DROP_NAT_EXHAUSTED;
	pos = rte_hash_add_key(m->slots.h, k);
	if (pos < 0) {
		/* Never used by a session: no need to hold it back. */
		sb_nat_port_free(pool, np, (uint16_t)port, 0);
		pool->free_after[np][port] = 0;
		return -SB_DROP_CT_FULL;
	}
	m->slot[pos].ext = (uint16_t)port;
	m->slot[pos].ref = 1;
	m->by_ext[k->port][(uint32_t)np * 65536 + (uint32_t)port] = (uint32_t)pos + 1;
	return port;
}

void
sb_eim_put(struct sb_eim *m, const struct sb_eim_key *k, uint32_t now_s)
{
	int32_t pos = rte_hash_lookup(m->slots.h, k);
	int p = sb_nat_proto(k->proto);

	if (pos < 0 || p < 0)
		return;
	if (--m->slot[pos].ref != 0)
		return;
	sb_nat_port_free(m->pool[k->port], (enum sb_nat_proto)p, m->slot[pos].ext, now_s);
	m->by_ext[k->port][(uint32_t)p * 65536 + m->slot[pos].ext] = 0;
	rte_hash_del_key(m->slots.h, k);
}

int
sb_eim_find_ext(const struct sb_eim *m, unsigned port, enum sb_nat_proto np, uint16_t ext,
		struct sb_eim_key *k)
{
	uint32_t slot = m->by_ext[port] != NULL ? m->by_ext[port][(uint32_t)np * 65536u + ext] : 0;
	void *key;

	if (slot == 0 || rte_hash_get_key_with_position(m->slots.h, (int32_t)slot - 1, &key) != 0)
		return -ENOENT;
	*k = *(const struct sb_eim_key *)key;
	return 0;
}
