/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the neighbour (ARP) table. The control thread is its only
 * writer; workers read it without locks (rte_hash lock-free RW mode).
 * Entries are never deleted, so an index a worker cached stays valid; the
 * MAC and its valid bit live in one 64-bit word written atomically. As
 * nothing ages them yet, no port may hold more than half the entries: a
 * LAN whose hosts (or traffic to unresolved on-link addresses) fill its
 * half leaves the other ports, the WAN gateways among them, theirs. */
#ifndef SB_NEIGH_H
#define SB_NEIGH_H

#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "sb_common.h"
#include "slots.h"

#define SB_NEIGH_VALID (1ull << 63)

struct sb_neigh_entry {
	uint64_t mac_state;       /* MAC in bits 0-47, SB_NEIGH_VALID */
	uint32_t ip;              /* host order */
	uint16_t port;
	uint8_t is_static;
	uint8_t pad;
	uint64_t last_request_ms; /* control only: ARP request pacing */
	uint64_t confirmed_ms;    /* control only */
};

struct sb_neigh {
	struct sb_slots_table slots; /* the hash; its data word indexes e[] */
	uint32_t n;                  /* entries used, e[0..n) */
	uint32_t port_max;           /* entries one port may hold: half of them */
	uint32_t port_n[SB_MAX_PORTS];
	uint64_t refused;            /* creations refused: the port's half used */
	struct sb_neigh_entry e[];   /* slots.cap of them */
};

/** Create a table of @cap entries. NULL + rte_errno on failure. Main lcore. */
struct sb_neigh *sb_neigh_create(const char *name, uint32_t cap, int socket);
void sb_neigh_free(struct sb_neigh *nb);

/** Index of (@port, @ip host order), or -ENOENT. Any thread, lock-free. */
int32_t sb_neigh_find(const struct sb_neigh *nb, uint16_t port, uint32_t ip);

/** Find or create an (incomplete) entry; index, or -ENOSPC when the table
 * or the port's half of it is full (counted in @nb->refused). Control
 * only. */
int32_t sb_neigh_get(struct sb_neigh *nb, uint16_t port, uint32_t ip);

/** Set the MAC of entry @idx and mark it valid. Control only. */
void sb_neigh_set_mac(struct sb_neigh *nb, uint32_t idx, const struct rte_ether_addr *mac);

/** Copy the MAC of entry @idx to @mac; false when unresolved. Any thread. */
static inline bool
sb_neigh_mac(const struct sb_neigh *nb, uint32_t idx, struct rte_ether_addr *mac)
{
	uint64_t v = __atomic_load_n(&nb->e[idx].mac_state, __ATOMIC_ACQUIRE);

	if (!(v & SB_NEIGH_VALID))
		return false;
	/* Bits 0-47 hold the bytes in order on this little-endian CPU (a
	 * byte loop here cost 15 cycles a packet). */
	v = rte_cpu_to_le_64(v);
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}

#endif
