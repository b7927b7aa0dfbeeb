/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: Prometheus metrics over HTTP ([metrics] listen). The HTTP
 * server (libmicrohttpd) runs on a thread of its own; the control thread
 * publishes a struct sb_status into a seqlock and never waits for it. */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct sb_metrics;

/**
 * Serve GET /metrics on @addr:@port (host order; port 0 = any free one,
 * for tests). Until a status is published it answers 503. Returns NULL
 * with errno set when the address cannot be bound. Control thread.
 */
struct sb_metrics *sb_metrics_start(uint32_t addr, uint16_t port);

/** The port the server listens on. */
uint16_t sb_metrics_port(const struct sb_metrics *m);

/** Requests served on /metrics. Any thread. */
uint64_t sb_metrics_scrapes(const struct sb_metrics *m);

/**
 * Publish @st for the next scrapes: a copy under a seqlock, so the
 * control thread never waits for the HTTP thread (a scrape that meets a
 * write copies again). Control thread only (one writer).
 */
void sb_metrics_publish(struct sb_metrics *m, const struct sb_status *st);

/**
 * Render @st in the Prometheus text format (0.0.4); @now_ms is the
 * monotonic clock for "seconds since". Returns a malloc'd string (its
 * length in @len) or NULL. Any thread; pure.
 */
char *sb_metrics_render(const struct sb_status *st, uint64_t now_ms, size_t *len);

/** Stop the server (joins its thread) and free @m. NULL is fine. Control. */
void sb_metrics_stop(struct sb_metrics *m);

#endif
