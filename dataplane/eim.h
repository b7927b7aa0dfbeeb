/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: endpoint-independent mappings (RFC 4787 REQ-1, RFC 5382
 * REQ-1) and the external port pools they draw from, one pool per
 * masquerading WAN and protocol (as dpvs keeps its sa_pool apart from the
 * NAT rules). One (WAN, protocol, internal address and port) keeps one
 * external port whatever the destination, shared by all its sessions and
 * counted by them; the last session to go gives the port back (held for
 * SB_NAT_PORT_HOLD_S before reuse). An index by external port finds the
 * mapping a hairpinned packet or an unsolicited SYN is aimed at. Owned by
 * one worker: single writer, no locks. */
#ifndef SB_EIM_H
#define SB_EIM_H

#include <stdint.h>
#include <stdbool.h>

#include "sb_common.h"
#include "nat.h"

#include "slots.h"

/* The internal endpoint of a mapping on one WAN. */
struct sb_eim_key {
	uint32_t src;       /* internal address, network order */
	uint16_t sport;     /* internal port or ICMP id, network order */
	uint8_t proto;
	uint8_t port;       /* WAN port index */
};

struct sb_eim {
	struct sb_slots_table slots;   /* sb_eim_key -> slot[] position */
	uint32_t n_map;                /* mappings the table was sized for */
	struct sb_nat_pool *pool[SB_MAX_PORTS];  /* masquerading WANs only */
	uint32_t *by_ext[SB_MAX_PORTS];          /* [proto * 65536 + external
						  * port] -> slot + 1 */
	struct sb_eim_slot {           /* by hash position */
		uint32_t ref;          /* sessions using the mapping */
		uint16_t ext;          /* its external port, host order */
	} slot[];
};

/**
 * Create the mappings of the masquerading WAN ports in @masq_ports (bit
 * per port index), sized for at most @sessions sessions: there cannot be
 * more mappings than those WANs have ports, whatever the session count.
 * Returns NULL and sets rte_errno on failure. Main lcore, after EAL init.
 */
struct sb_eim *sb_eim_create(const char *name, uint32_t masq_ports, uint32_t sessions,
			     int socket);

/** Keep @m's pools to worker @k's slice of the ports of @n workers
 * (sb_nat_pool_slice). Main lcore, before the worker starts. */
void sb_eim_slice(struct sb_eim *m, unsigned k, unsigned n);

/** Free @m (NULL is fine). Main lcore, once the worker has stopped. */
void sb_eim_free(struct sb_eim *m);

/** The key of the mapping of @src:@sport (network order) on WAN @port. */
static inline struct sb_eim_key
sb_eim_key(uint32_t src, uint16_t sport, uint8_t proto, unsigned port)
{
	struct sb_eim_key k = { .src = src, .sport = sport, .proto = proto,
				.port = (uint8_t)port };

	return k;
}

/**
 * Take a hold on the mapping @k: its existing external port, or a new one
 * (the internal port itself when free, else one searched from @rnd) in
 * the pool of protocol @np. Returns the port (host order) or a drop reason
 * as a negative number (SB_DROP_NAT_EXHAUSTED, SB_DROP_CT_FULL). @now_s in
 * seconds. Owning worker.
 */
int sb_eim_get(struct sb_eim *m, const struct sb_eim_key *k, enum sb_nat_proto np,
	       uint32_t rnd, uint32_t now_s);

/** Drop one hold on @k; the last one releases its external port at
 * @now_s. Owning worker. */
void sb_eim_put(struct sb_eim *m, const struct sb_eim_key *k, uint32_t now_s);

/** Is external port @ext (host order) of protocol @np mapped on WAN
 * @port? Owning worker. */
static inline bool
sb_eim_ext_mapped(const struct sb_eim *m, unsigned port, enum sb_nat_proto np, uint16_t ext)
{
	return m->by_ext[port] != NULL && m->by_ext[port][(uint32_t)np * 65536u + ext] != 0;
}

/** The internal endpoint mapped to external port @ext (host order) of
 * protocol @np on WAN @port: 0 and *@k, or -ENOENT. Owning worker. */
int sb_eim_find_ext(const struct sb_eim *m, unsigned port, enum sb_nat_proto np, uint16_t ext,
		    struct sb_eim_key *k);

#endif
