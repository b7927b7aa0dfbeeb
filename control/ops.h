/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: what operators see of the running gateway, kept by the
 * control loop: the status picture (status.h), its change events, and
 * the Prometheus endpoint it feeds (metrics.h). */
#ifndef SB_OPS_H
#define SB_OPS_H

#include <stdint.h>

#include "status.h"

struct sb_ctl;
struct sb_metrics;

#define SB_OPS_PUBLISH_MS 250   /* metrics are at most this stale */
#define SB_OPS_RATE_MS 1000     /* rates are taken over this period */
/* Active sessions per WAN are counted by a sweep of the session table,
 * this many slots every SB_OPS_SWEEP_MS (a few hundred microseconds of
 * the control loop each time): a table of 64 Ki sessions is counted
 * every 40 ms, one of 1 Mi every 640 ms. */
#define SB_OPS_SWEEP_SLOTS 16384
#define SB_OPS_SWEEP_MS 10

/* Per-port counters at one moment, for rates. */
struct sb_ops_sample {
	uint64_t ms;
	uint64_t rx_pkts[SB_MAX_PORTS], tx_pkts[SB_MAX_PORTS];
	uint64_t rx_bytes[SB_MAX_PORTS], tx_bytes[SB_MAX_PORTS];
};

/* A port's rates over the last SB_OPS_RATE_MS. */
struct sb_ops_rate {
	double rx_pps, rx_bps, tx_pps, tx_bps;
};

struct sb_ops {
	struct sb_status_track track;
	struct sb_status st;          /* the last picture taken */
	struct sb_metrics *metrics;   /* NULL unless [metrics] listen is set */
	uint64_t next_publish_ms;
	struct sb_ops_sample prev, cur; /* the last two rate samples */
	/* The sweep: where it is, what it counted so far, and the counts of
	 * its last full pass (what status and metrics show). */
	uint64_t next_sweep_ms;
	uint32_t sweep_pos;
	uint64_t sweep_acc[SB_MAX_PORTS];
	uint64_t wan_active[SB_MAX_PORTS];
};

/** The rates of port @port between the last two samples (zeros until
 * there are two). Any thread holding @o. */
void sb_ops_rate(const struct sb_ops *o, unsigned port, struct sb_ops_rate *r);

/**
 * One control-loop round: note WAN changes (every call), and every
 * SB_OPS_PUBLISH_MS take a picture and publish it to the metrics thread.
 * The first call sets up c->ops and starts the metrics server. Never
 * blocks. Control thread.
 */
void sb_ops_tick(struct sb_ctl *c, uint64_t now_ms);

/** A fresh picture in c->ops->st (for switchbackctl status). Control. */
const struct sb_status *sb_ops_status(struct sb_ctl *c, uint64_t now_ms);

/** Serve metrics where c->cfg's [metrics] says now (after a reload):
 * the old server stops, a new one starts. Control thread. */
void sb_ops_restart_metrics(struct sb_ctl *c);

/** Stop the metrics server and free c->ops. Control thread. */
void sb_ops_stop(struct sb_ctl *c);

#endif
