/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: check-gateway probing, the state machine part. One probe
 * per route with check_gateway = ping|arp; a round is one probe that is
 * answered within the timeout or not. Pure logic: no EAL. */
#ifndef SB_PROBE_H
#define SB_PROBE_H

#include <stdint.h>
#include <stdbool.h>
#include "sb_config.h"

struct sb_probe {
	unsigned route;         /* RIB index */
	uint32_t target;        /* host order */
	enum sb_check method;
	uint16_t id;            /* ICMP id, in the reserved probe range */
	uint16_t seq;
	bool outstanding;       /* sent, neither answered nor timed out */
	bool down;
	unsigned fails, oks;    /* consecutive */
	uint64_t sent_ms, next_ms;
	uint64_t sent_us;       /* for the RTT */
	uint64_t n_sent, n_answered;
	uint32_t last_rtt_us;
	bool holding;           /* answering again, failback waits for hold_until */
	uint64_t hold_until;
};

enum sb_probe_event { SB_PROBE_NONE = 0, SB_PROBE_WENT_DOWN, SB_PROBE_WENT_UP };

/**
 * Account one round. After @down_after consecutive unanswered rounds an up
 * probe goes down; after @up_after consecutive answered rounds a down
 * probe comes up. Returns the transition, if any.
 */
enum sb_probe_event sb_probe_round(struct sb_probe *p, bool answered,
				   unsigned down_after, unsigned up_after);

#endif
