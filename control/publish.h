/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the one crossing point from control to the workers
 * (docs/threading.md). Everything a worker reads that control changes is
 * written here: the published state (nexthop groups, WAN generations,
 * PCC buckets, dead paths), the FIB, and neighbour entries. Parts of the
 * control plane only report what happened; the control loop publishes at
 * most once per iteration (sb_publish). This file calls no part back.
 * Control thread only. */
#ifndef SB_PUBLISH_H
#define SB_PUBLISH_H

#include <stdint.h>
#include <rte_ether.h>
#include "sb_tables.h"

struct rte_rcu_qsbr;
struct sb_rib;
struct sb_fib;
struct sb_neigh;
struct sb_config;
struct sb_probe_expect;

/* What control publishes to, and what it keeps between publications. */
struct sb_publisher {
	struct sb_dp_state *state;     /* the slot workers read (acquire) */
	struct sb_dp_state *spare;     /* the last retired state, reused next time */
	struct rte_rcu_qsbr *qs;
	struct sb_fib *fib;
	struct sb_neigh *neigh;
	uint8_t was_path[SB_MAX_NEIGH]; /* neighbour ever a gateway path: port + 1 */
	struct sb_probe_expect *expect; /* the probes in flight, as workers check replies */
};

/**
 * Publish one forwarding state: the nexthop groups of @rib (resolved by
 * the caller) with the neighbour index of each gateway (entries created
 * as needed, incomplete until ARP answers), per-WAN generation and state
 * @wan, the PCC buckets of @cfg's members over the WANs that are up, and
 * the dead paths; swap it in, write the FIB's queued changes, and retire
 * the old state after a grace period. Returns 0 or -ENOMEM (nothing
 * published). Control loop, at most once per iteration.
 */
int sb_publish(struct sb_publisher *pub, struct sb_rib *rib, const struct sb_config *cfg,
	       const struct sb_wan_state wan[SB_MAX_PORTS]);

/** Neighbour entry of (@port, @ip host order), created incomplete when
 * new: its index, or < 0 when the table is full. Control thread. */
int32_t sb_publish_neigh(struct sb_publisher *pub, uint16_t port, uint32_t ip);

/** The same for a gateway's entry, and pin it: never deleted, so that
 * workers may keep its index unchecked (published paths, reply and
 * monitor gateways; dataplane/neigh.h). Control thread. */
int32_t sb_publish_gateway(struct sb_publisher *pub, uint16_t port, uint32_t ip);

/** Delete neighbour entry @idx (not a pinned one): invalid for workers at
 * once, its index reusable after a grace period. Control thread. */
void sb_publish_neigh_del(struct sb_publisher *pub, uint32_t idx);

/** Make the indices of entries deleted before a grace period reusable;
 * how many. Control thread. */
unsigned sb_publish_neigh_reclaim(struct sb_publisher *pub);

/** Give neighbour entry @idx its MAC (valid from now on for workers).
 * Control thread. */
void sb_publish_neigh_mac(struct sb_publisher *pub, uint32_t idx, const struct rte_ether_addr *mac);

/** Make the table of probes in flight (empty) on @socket: 0 or -ENOMEM.
 * Before the workers are built (they are given @pub->expect). */
int sb_publish_probes_init(struct sb_publisher *pub, int socket);

/** Tell workers that an echo reply to probe @idx (id SB_PROBE_ID_BASE +
 * @idx) is expected from @target (host order), on port index @port, with
 * sequence @seq and the echo data's first 8 bytes @cookie, until TSC
 * @deadline; the previous probe of that id is no longer answered.
 * Control thread, before the probe is sent. */
void sb_publish_probe(struct sb_publisher *pub, unsigned idx, uint32_t target, uint16_t seq,
		      unsigned port, uint64_t cookie, uint64_t deadline);

/** Free the published and the spare state and the probe table (workers
 * stopped). */
void sb_publish_fini(struct sb_publisher *pub);

/** A zeroed state with room for @n_nhg nexthop groups, or NULL. */
struct sb_dp_state *sb_publish_state_alloc(uint32_t n_nhg);

/** Free a state no worker can see any more. NULL is fine. */
void sb_publish_state_free(struct sb_dp_state *st);

/** A zeroed state for @n_nhg groups, taken from *@spare when one was kept
 * there (sb_publish_state_keep) and is large enough, else allocated: a failover
 * then allocates nothing (rte_zmalloc took 30-160 us here). NULL on
 * failure. Control thread. */
struct sb_dp_state *sb_publish_state_take(struct sb_dp_state **spare, uint32_t n_nhg);

/** Like sb_publish_state_retire, but keep @old (poisoned) in *@spare for the next
 * sb_publish_state_take instead of freeing it, when *@spare is empty. */
void sb_publish_state_keep(struct sb_dp_state *old, struct rte_rcu_qsbr *qs, struct sb_dp_state **spare);

/** Make @st the state workers read from @slot (release store). Returns
 * the state it replaces, which readers may still hold. */
struct sb_dp_state *sb_publish_state_swap(struct sb_dp_state **slot, struct sb_dp_state *st);

/** Wait until every reader registered with @qs has passed a quiescent
 * point, then free @old: no worker can still hold it. NULL is fine. */
void sb_publish_state_retire(struct sb_dp_state *old, struct rte_rcu_qsbr *qs);

/** Copy @rib's nexthop groups into @st (allocated for rib->n_groups).
 * @nb(ctx, port, gw) gives the neighbour index of a gateway, or < 0 to
 * leave that path out. Control thread. */
void sb_publish_state_fill(struct sb_dp_state *st, const struct sb_rib *rib,
		   int32_t (*nb)(void *ctx, uint16_t port, uint32_t gw), void *ctx);

/** Fill @st->nb_dead from @st's groups (after sb_publish_state_fill and the WAN
 * states): a neighbour that was ever a gateway path (@was_path[i] = its
 * port + 1, SB_MAX_NEIGH entries, kept by the caller across publications
 * and updated here) and is in no group's paths now is dead, unless its
 * port's WAN is down: WAN-level down is the WAN's business
 * (sessions_on_down), a dead path inside an up WAN always moves its
 * flows. Returns the number of dead neighbours. O(SB_MAX_NEIGH + paths),
 * nothing per session or prefix. Control thread. */
unsigned sb_publish_mark_dead(struct sb_dp_state *st, uint8_t *was_path);

/** Write @rib's queued FIB changes (sb_rib_fib_sync) into @fib: after a
 * failover that moved no prefix, nothing. Returns the number of writes or
 * -errno. Control thread, after the state holding the new groups is
 * published. */
int sb_publish_fib(struct sb_rib *rib, struct sb_fib *fib);

#endif
