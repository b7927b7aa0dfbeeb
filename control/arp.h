/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: ARP on the control thread. Requests (paced per neighbour),
 * learning like Linux (an entry is created by ARP aimed at us and updated
 * by any ARP), answers for our addresses, static neighbours, and the
 * gateways of published groups. Neighbour entries are written through
 * the publisher (publish.h); what only control needs (request pacing,
 * static flag) is kept here, apart from what workers read. */
#ifndef SB_ARP_H
#define SB_ARP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>

#include "sb_common.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct sb_config;
struct sb_neigh;
struct sb_publisher;
struct sb_rib;

/* Neighbour ageing, Linux's defaults (net.ipv4.neigh.default.*). */
#define SB_ARP_REACHABLE_MS 30000 /* base_reachable_time_ms: confirmed this recently */
#define SB_ARP_DELAY_S      5     /* delay_first_probe_time: used this recently, probe */
#define SB_ARP_RETRANS_MS   1000  /* retrans_time_ms: between requests */
#define SB_ARP_PROBES       3     /* ucast_solicit, mcast_solicit */
#define SB_ARP_GC_STALE_MS  60000 /* gc_stale_time: neither used nor confirmed, deleted */
#define SB_ARP_AGE_BUDGET   256   /* entries looked at per sb_arp_age() */

/* What sb_arp_state() says of a neighbour entry. */
enum sb_arp_state {
	SB_ARP_FREE,         /* no entry at this index */
	SB_ARP_STATIC,       /* [neighbor]: never learned over, never aged */
	SB_ARP_INCOMPLETE,   /* asked, no answer yet */
	SB_ARP_REACHABLE,    /* confirmed within SB_ARP_REACHABLE_MS */
	SB_ARP_STALE,        /* not confirmed since: its MAC is still used */
	SB_ARP_PROBE,        /* stale and in use: unicast requests sent */
	SB_ARP_FAILED,       /* a pinned entry whose probes went unanswered */
};

#define SB_ARP_LOG_PER_S 20

struct sb_arp {
	const struct sb_config *cfg;
	struct rte_mempool *pool;
	struct rte_ring *inject;            /* frames to the worker (hash.usr = port) */
	const struct rte_ether_addr *mac;   /* our MAC per port index */
	const struct sb_neigh *neigh;       /* read */
	struct sb_publisher *pub;           /* writes (and deletes) neighbour entries */
	uint32_t age_cursor;                /* next index sb_arp_age() looks at */
	uint64_t evicted;                   /* deleted: stale and unused for gc_stale */
	uint64_t failed;                    /* deleted: unanswered (incomplete, probe) */
	/* "neighbour ... is MAC" lines: at most SB_ARP_LOG_PER_S a second
	 * (an ARP flood must not flood the log); the rest counted and
	 * summed up in one line when the second is over. */
	uint64_t log_window_ms;
	uint32_t log_lines, log_unlogged;
	struct {
		uint64_t last_request_ms;   /* pacing: one request per second */
		uint64_t confirmed_ms;      /* last ARP from it */
		uint64_t seen_ms;           /* first seen by sb_arp_age() (0: not yet) */
		uint64_t hold_ms;           /* pinned and failed: no probe before */
		uint8_t probes;             /* unanswered requests of this round */
		bool is_static;
	} e[SB_MAX_NEIGH];                  /* by neighbour index */
};

/** Ask who has @ip on @port, at most once a second per neighbour; only
 * for addresses on the port's subnet. Control thread. */
void sb_arp_request(struct sb_arp *arp, unsigned port, uint32_t ip, uint64_t now_ms);

/** Handle an ARP frame punted from @port: learn the sender, answer a
 * request for our address. Returns true with *@sip set when it was a
 * reply (probes may be waiting for it). Control thread. */
bool sb_arp_input(struct sb_arp *arp, unsigned port, const struct rte_mbuf *m, uint64_t now_ms,
		  uint32_t *sip);

/** The configured static neighbours: valid at once, never learned over.
 * 0 or -ENOSPC. Set-up. */
int sb_arp_static(struct sb_arp *arp);

/** Pin the gateways of @rib's groups and the WANs' reply and monitor
 * gateways (never aged out: workers cache their indices unchecked), and
 * ask for the MAC of those that have none yet. Control loop, after a
 * publication. */
void sb_arp_gateways(struct sb_arp *arp, const struct sb_rib *rib, uint64_t now_ms);

/**
 * Age a bounded slice (SB_ARP_AGE_BUDGET) of the neighbour table, like
 * Linux: an entry confirmed (an ARP from it) within SB_ARP_REACHABLE_MS
 * is reachable, then stale; a stale entry a worker used in the last
 * SB_ARP_DELAY_S seconds is probed (SB_ARP_PROBES unicast requests, one
 * a second) and deleted when none is answered; one neither used nor
 * confirmed for SB_ARP_GC_STALE_MS is deleted; an incomplete one is
 * deleted SB_ARP_PROBES requests' time after it was made. Static and
 * pinned (gateway) entries are never deleted: a pinned one that fails
 * keeps its MAC and is probed again after SB_ARP_REACHABLE_MS. Deleted
 * indices are reused after a grace period (neigh.h). @now_ms is control's
 * clock, @now_s the workers' (TSC seconds, as they mark use). Returns
 * the number deleted. Control loop.
 */
unsigned sb_arp_age(struct sb_arp *arp, uint64_t now_ms, uint32_t now_s);

/** The state of neighbour @idx at @now_ms, @now_s (as sb_arp_age sees it). */
enum sb_arp_state sb_arp_state(const struct sb_arp *arp, uint32_t idx, uint64_t now_ms,
			       uint32_t now_s);

/** Its name ("reachable", ...). */
const char *sb_arp_state_name(enum sb_arp_state s);

/** True when neighbour @idx is static. */
bool sb_arp_is_static(const struct sb_arp *arp, uint32_t idx);

#endif
