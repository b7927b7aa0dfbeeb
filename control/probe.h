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
	unsigned route;         /* RIB index (route probes) */
	int wan;                /* port index of a [wan] monitor, -1 for a route probe */
	uint32_t hop;           /* [wan] monitor: next hop (gateway or the monitor), host order */
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
	/* Quality over a window of rounds (pfSense-like trigger levels). */
	uint64_t hist;          /* bit 0 = last round, 1 = answered */
	uint8_t hist_n;         /* rounds in @hist, up to 64 */
	bool degraded;          /* loss or latency over its threshold */
	bool loss_bad, lat_bad; /* which of the two */
	uint32_t rtt_avg_us;    /* EWMA, 1/8 */
	uint32_t jitter_us;     /* EWMA of RTT changes, 1/16 (RFC 3550) */
};

enum sb_probe_event { SB_PROBE_NONE = 0, SB_PROBE_WENT_DOWN, SB_PROBE_WENT_UP };

/**
 * Account one round. After @down_after consecutive unanswered rounds an up
 * probe goes down; after @up_after consecutive answered rounds a down
 * probe comes up. Returns the transition, if any.
 */
enum sb_probe_event sb_probe_round(struct sb_probe *p, bool answered,
				   unsigned down_after, unsigned up_after);

/** Record one round for the quality figures: @answered, with @rtt_us. */
void sb_probe_account(struct sb_probe *p, bool answered, uint32_t rtt_us);

/** Lost rounds among the last @window (at most 64), in percent of the
 * rounds seen so far in that window. */
unsigned sb_probe_loss_pct(const struct sb_probe *p, unsigned window);

/**
 * Re-evaluate @p->degraded: loss over @window rounds above @loss_pct, or
 * average RTT above @latency_ms (either 0 = not checked). Judged only once
 * @window rounds were seen. Returns true when it changed.
 */
bool sb_probe_judge(struct sb_probe *p, unsigned window, unsigned loss_pct, unsigned latency_ms);

/* --- WAN-level health from several monitors ([wan NAME]) --------------- */

enum sb_wstate { SB_WAN_UP = 0, SB_WAN_DEGRADED, SB_WAN_DOWN };

struct sb_wan_health {
	unsigned n;             /* monitors */
	unsigned answering;     /* not down (down_after rounds unanswered) */
	unsigned clean;         /* answering and within both thresholds */
	unsigned usable;        /* answering and within the thresholds the trigger names */
	enum sb_wstate state; /* UP: clean >= quorum; DEGRADED: answering >= quorum; else DOWN */
	bool out;               /* usable < quorum: traffic leaves the WAN */
};

/**
 * Judge a WAN from its @n monitors @m under @wc (quorum, trigger). Pure;
 * the failback hold-down is the caller's.
 */
void sb_wan_judge(const struct sb_probe *m, unsigned n, const struct sb_wan_conf *wc,
		  struct sb_wan_health *h);

/** "up", "degraded" or "down". */
const char *sb_wstate_name(enum sb_wstate s);

#endif
