/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: policing what the worker hands to the control thread. Every
 * punt reason has a token bucket of its own on every port (so a flood of
 * one kind cannot starve another, nor a flood on one segment ARP on the
 * others: an ISP router that cannot resolve our address drops our probes'
 * replies, and its WAN would go down for another segment's flood), and
 * ARP has, besides, a bucket per sender on each port (hashed into
 * SB_POLICE_SRC_SLOTS; sources that share a slot share its rate), so one
 * LAN host cannot use up its port's aggregate. Pure logic on the TSC the
 * caller gives: no EAL, owned by one worker. */
#ifndef SB_POLICE_H
#define SB_POLICE_H

#include <stdbool.h>
#include <stdint.h>

#include "sb_common.h"

#define SB_POLICE_SRC_SLOTS 256

/* A token bucket: @rate tokens per second, at most @burst saved. Tokens
 * are kept in 1/2^16 units so that slow rates lose nothing to rounding. */
struct sb_tb {
	uint64_t tokens;      /* x 65536 */
	uint64_t last;        /* TSC of the last refill */
	uint64_t frac;        /* refill remainder, x hz */
	uint64_t cap;         /* burst x 65536 */
	uint32_t rate, burst;   /* rate < 65536 per second */
};

struct sb_police {
	uint64_t hz;
	struct sb_tb reason[SB_MAX_PORTS][SB_PUNT_MAX];
	struct sb_tb src[SB_MAX_PORTS][SB_POLICE_SRC_SLOTS];
	uint32_t src_rate, src_burst;
	uint64_t passed[SB_PUNT_MAX], dropped[SB_PUNT_MAX], src_dropped;
};

/** Rates and bursts (packets per second, packets) per punt reason and
 * port; the defaults the worker uses. */
struct sb_police_conf {
	uint32_t rate[SB_PUNT_MAX], burst[SB_PUNT_MAX];
	uint32_t src_rate, src_burst;   /* per ARP sender */
};

/** The defaults: see docs/security.md. */
void sb_police_defaults(struct sb_police_conf *conf);

/** Set @p up for a TSC of @hz cycles per second, buckets full at @now. */
void sb_police_init(struct sb_police *p, const struct sb_police_conf *conf, uint64_t hz,
		    uint64_t now);

/** Take one token for @reason on port @port at TSC @now: true when the
 * packet may go (counted in passed), false when it is to be dropped
 * (counted; so is a reason or port out of range). */
bool sb_police_take(struct sb_police *p, unsigned reason, unsigned port, uint64_t now);

/** Take one token from the bucket of sender @src (any 32-bit key) on port
 * @port at @now: true when it may go, false (counted in src_dropped) when
 * not. */
bool sb_police_take_src(struct sb_police *p, unsigned port, uint32_t src, uint64_t now);

#endif
