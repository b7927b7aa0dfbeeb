/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a consistent picture of the running gateway for operators
 * (metrics, switchbackctl status): per WAN its state, since when and why,
 * its monitors; per port its counters; the worker's counters. Plain data
 * taken by the control thread, read by any other once copied. */
#ifndef SB_STATUS_H
#define SB_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "sb_common.h"
#include "sb_config.h"
#include "sb_counters.h"
#include "sb_xdp_abi.h"

struct sb_ctl;

struct sb_status_mon {
	uint32_t addr;            /* host order */
	bool up;                  /* not down_after rounds unanswered */
	bool degraded;            /* loss or latency above its WAN's thresholds */
	uint32_t rtt_us, jitter_us;   /* EWMA */
	uint32_t loss_pct;        /* over its WAN's window */
	uint64_t sent, answered;
};

struct sb_status_wan {
	char name[SB_NAME_LEN];
	uint8_t port;             /* port index */
	uint8_t state;            /* enum sb_wstate: up, degraded, down */
	int8_t forced;            /* 1 forced up, -1 forced down, 0 by its health */
	bool in_service;          /* routes and new sessions may use it */
	bool link_up;
	bool monitored;           /* has a [wan] section */
	uint64_t changes;         /* state or service changes seen */
	uint64_t since_ms;        /* monotonic ms of the last change (start-up if none) */
	int64_t since_unix_ms;    /* the same on the wall clock */
	char reason[512];         /* why it is in its state, with the evidence */
	uint64_t sessions_created;
	uint64_t sessions_active;  /* live sessions leaving by it, as of the last
				    * full sweep of the table (sb_ops_tick) */
	/* Its address: the configured one, or its DHCP lease's. */
	uint32_t addr, gateway;   /* host order, 0 = none */
	uint8_t prefix_len;
	bool dhcp;                /* address = dhcp */
	bool dhcp_bound;          /* holds a lease */
	char dhcp_state[16];      /* the client's RFC 2131 state */
	uint32_t lease_s;         /* the lease's length, UINT32_MAX = infinite */
	uint64_t lease_remaining_ms; /* UINT64_MAX = infinite, 0 unbound */
	uint64_t leases_lost, address_changes;
	unsigned n_mons;
	struct sb_status_mon mon[SB_WAN_MAX_MONITORS];
};

struct sb_status_port {
	char name[SB_NAME_LEN];
	bool wan;
	bool link_up;
	uint64_t rx_pkts, tx_pkts, rx_bytes, tx_bytes;
	uint64_t rx_missed, rx_errors, tx_errors, rx_nombuf;
	bool xdp;                 /* an af_xdp: port: its program's counters */
	uint64_t xdp_pkts[SB_XDP_REASON_MAX];
};

/* One event: a WAN's state or service changed. */
struct sb_status_event {
	int64_t unix_ms;
	uint64_t mono_ms;
	char wan[SB_NAME_LEN];
	uint8_t old_state, new_state;   /* enum sb_wstate */
	bool old_in_service, new_in_service;
	char reason[512];
};

#define SB_STATUS_EVENTS 64

/* A port forward or one-to-one mapping and its counts (inbound.h). */
struct sb_status_fwd {
	char name[SB_NAME_LEN];
	bool one_to_one;          /* [nat1to1]: sessions in, @out */
	uint64_t sessions, refused, hairpin, out;
};

struct sb_status {
	uint64_t taken_ms;        /* monotonic ms when taken */
	int64_t taken_unix_ms;
	int64_t start_unix_ms;
	uint64_t state_version;   /* published forwarding state */
	unsigned n_ports;
	struct sb_status_port port[SB_MAX_PORTS];
	unsigned n_wans;
	struct sb_status_wan wan[SB_MAX_PORTS];
	uint64_t wan_changes;
	uint64_t rx, tx, forwarded, local_replies, punted, injected;
	unsigned workers;
	uint64_t handoff_same, handoff_out, handoff_in;  /* docs/threading.md */
	uint64_t punted_reason[SB_PUNT_MAX];
	uint64_t sessions_active, sessions_created, sessions_expired, sessions_flushed;
	uint64_t sessions_capacity;
	uint64_t tcp_rst_sent;
	uint64_t drop[SB_DROP_MAX];
	uint64_t reloads, reloads_refused;
	/* The neighbour table: entries; deleted stale and unused, deleted
	 * unanswered (incomplete or probed); creations refused (full). */
	uint64_t neighbours, neighbours_evicted, neighbours_failed, neighbours_refused;
	unsigned n_fwd;
	struct sb_status_fwd fwd[SB_MAX_FORWARDS + SB_MAX_NAT1TO1];
};

/* What the status keeps between two pictures: the last state seen per
 * WAN, to count and date changes, and the last events. */
struct sb_status_track {
	bool seen;
	int64_t start_unix_ms;
	struct {
		uint8_t state;
		bool in_service;
		uint64_t changes;
		uint64_t since_ms;
		int64_t since_unix_ms;
	} wan[SB_MAX_PORTS];
	unsigned n_events;        /* ever; the last SB_STATUS_EVENTS are kept */
	struct sb_status_event ev[SB_STATUS_EVENTS];
	uint64_t reloads, reloads_refused;
};

/**
 * Compare each WAN with what @t last saw and note a change (time, old and
 * new state, reason). Cheap (a few compares per WAN): the control loop
 * calls it every round so that no change goes unseen. Control thread.
 */
void sb_status_track(struct sb_status_track *t, const struct sb_ctl *c, uint64_t now_ms);

/**
 * Fill @st from the control context and @t (port counters read from the
 * ports: a few microseconds per port). Control thread.
 */
void sb_status_fill(struct sb_status *st, const struct sb_status_track *t,
		    const struct sb_ctl *c, uint64_t now_ms);

/** Wall clock in ms. */
int64_t sb_status_unix_ms(void);

#endif
