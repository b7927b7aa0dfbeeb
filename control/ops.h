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

struct sb_ops {
	struct sb_status_track track;
	struct sb_status st;          /* the last picture taken */
	struct sb_metrics *metrics;   /* NULL unless [metrics] listen is set */
	uint64_t next_publish_ms;
};

/**
 * One control-loop round: note WAN changes (every call), and every
 * SB_OPS_PUBLISH_MS take a picture and publish it to the metrics thread.
 * The first call sets up c->ops and starts the metrics server. Never
 * blocks. Control thread.
 */
void sb_ops_tick(struct sb_ctl *c, uint64_t now_ms);

/** A fresh picture in c->ops->st (for switchbackctl status). Control. */
const struct sb_status *sb_ops_status(struct sb_ctl *c, uint64_t now_ms);

/** Stop the metrics server and free c->ops. Control thread. */
void sb_ops_stop(struct sb_ctl *c);

#endif
