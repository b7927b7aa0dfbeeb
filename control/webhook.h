/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the webhook. A notifier thread of its own POSTs JSON bodies
 * with libcurl; control queues them (bounded, never blocking). */
#ifndef SB_WEBHOOK_H
#define SB_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct sb_webhook;

/**
 * Start the notifier thread for @url: it POSTs each queued JSON body with
 * libcurl (Content-Type: application/json, @timeout_ms per attempt), and
 * on a failure (no connection, or a status other than 2xx) tries again up
 * to @retries times, waiting @backoff_ms, then twice that, and so on (at
 * most 60 s). Bodies are delivered one at a time, in order.
 * Returns NULL with errno set. Main lcore, once.
 */
struct sb_webhook *sb_webhook_start(const char *url, unsigned retries, unsigned timeout_ms,
				      unsigned backoff_ms);

/**
 * Queue @json (copied) for posting. Never blocks: when the bounded queue
 * (64 bodies) is full the body is dropped, counted and -ENOBUFS returned.
 * Control thread.
 */
int sb_webhook_post(struct sb_webhook *n, const char *json);

struct sb_webhook_stats {
	uint64_t queued, delivered, failed, dropped, retries;
};

/** Copy the counters. Any thread. */
void sb_webhook_stats_get(struct sb_webhook *n, struct sb_webhook_stats *s);

/**
 * Stop the thread: what is queued gets at most @grace_ms more to be
 * delivered, then the rest is dropped. NULL is fine. Main lcore.
 */
void sb_webhook_stop(struct sb_webhook *n, unsigned grace_ms);


#endif
