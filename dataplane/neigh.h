/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the neighbour (ARP) table. The control thread is its only
 * writer; workers read it without locks (rte_hash lock-free RW mode).
 *
 * Entries are deleted (control/arp.c ages them like Linux: reachable,
 * stale, probe, failed), so an index a worker holds must stay safe:
 *  - a deleted entry's MAC is invalidated at once; its index (and its
 *    hash key position) is reused only after an rte_rcu_qsbr grace
 *    period, so within one worker loop an index never changes owner;
 *  - an index kept longer (a session's in_nb or out_nb towards an
 *    on-link host) was found by address and is checked against that
 *    address on every use (sb_neigh_mac_of; dataplane/l2out.h marks such
 *    cached indices with SB_NEIGH_BY_ADDR): once reused for another
 *    neighbour it no longer matches and is looked up again;
 *  - indices handed out as gateways (published paths, among them the
 *    routers of routed LANs a session's in_nb names, reply gateways,
 *    monitor next hops) are pinned by control and never deleted, so they
 *    are cached unchecked.
 * No port may hold more than half the entries: a LAN whose hosts (or
 * traffic to unresolved on-link addresses) fill its half before ageing
 * frees some leaves the other ports, the WAN gateways among them, theirs. */
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

struct rte_rcu_qsbr;

struct sb_neigh_entry {
	uint64_t mac_state;       /* MAC in bits 0-47, SB_NEIGH_VALID */
	uint32_t ip;              /* host order */
	uint16_t port;
	uint8_t in_use;           /* control: in the hash */
	uint8_t pinned;           /* control: a gateway's, never deleted */
	uint32_t used_s;          /* workers: TSC second of its last use (written
				   * when it changes: once a second at most) */
	uint32_t pad2;
	uint64_t retire_token;    /* control: rte_rcu_qsbr token of its deletion */
};

struct sb_neigh {
	struct sb_slots_table slots; /* the hash; its data word indexes e[] */
	uint32_t max;                /* indices e[0..max): min(cap, SB_MAX_NEIGH) */
	uint32_t n;                  /* indices ever handed out, e[0..n) */
	uint32_t live;               /* entries in the hash */
	uint32_t port_max;           /* entries one port may hold: half of them */
	uint32_t port_n[SB_MAX_PORTS];
	uint32_t free_head, free_tail;     /* reusable indices (FIFO), UINT32_MAX: none */
	uint32_t retire_head, retire_tail; /* deleted, waiting for a grace period */
	uint64_t refused;            /* creations refused: the port's half used */
	uint64_t deleted;            /* entries deleted (sb_neigh_del) */
	uint32_t *next;              /* free / retire list links, by index */
	int32_t *pos;                /* control: hash key position, by index */
	struct sb_neigh_entry e[];   /* slots.cap of them */
};

/** Create a table of @cap entries. NULL + rte_errno on failure. Main lcore. */
struct sb_neigh *sb_neigh_create(const char *name, uint32_t cap, int socket);
void sb_neigh_free(struct sb_neigh *nb);

/** Index of (@port, @ip host order), or -ENOENT. Any thread, lock-free. */
int32_t sb_neigh_find(const struct sb_neigh *nb, uint16_t port, uint32_t ip);

/** Find or create an (incomplete) entry; index, or -ENOSPC when the table
 * or the port's half of it is full (counted in @nb->refused). A deleted
 * entry's index is reused only once @qs says its grace period is over
 * (sb_neigh_reclaim; NULL @qs: no readers). Control only. */
int32_t sb_neigh_get(struct sb_neigh *nb, uint16_t port, uint32_t ip);

/** Delete entry @idx: out of the hash, its MAC invalid at once; its index
 * and key position wait for a grace period of @qs. Control only. */
void sb_neigh_del(struct sb_neigh *nb, uint32_t idx, struct rte_rcu_qsbr *qs);

/** Make the indices deleted before every reader of @qs passed a quiescent
 * point reusable (NULL @qs: all of them). Returns how many. Control only. */
unsigned sb_neigh_reclaim(struct sb_neigh *nb, struct rte_rcu_qsbr *qs);

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

/** sb_neigh_mac() of an index found earlier for (@port, @ip): false also
 * when the index now belongs to another neighbour (deleted and reused
 * since). The MAC is loaded before the address is compared: a MAC valid
 * for a reused index was published after its new address. Any thread. */
static inline bool
sb_neigh_mac_of(const struct sb_neigh *nb, uint32_t idx, uint16_t port, uint32_t ip,
		struct rte_ether_addr *mac)
{
	return sb_neigh_mac(nb, idx, mac) && nb->e[idx].ip == ip && nb->e[idx].port == port;
}

/** Note that entry @idx was used at TSC second @now_s (what ageing calls
 * used). Written only when it changed. Any thread. */
static inline void
sb_neigh_touch(struct sb_neigh *nb, uint32_t idx, uint32_t now_s)
{
	if (__atomic_load_n(&nb->e[idx].used_s, __ATOMIC_RELAXED) != now_s)
		__atomic_store_n(&nb->e[idx].used_s, now_s, __ATOMIC_RELAXED);
}

#endif
