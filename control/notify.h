/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: telling people. A hook command runs on every WAN state
 * change (and once when a WAN has been down longer than alert_after_s),
 * with the facts in its environment. It is started with posix_spawn and
 * reaped later: the control thread never waits for it. */
#ifndef SB_NOTIFY_H
#define SB_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>

/**
 * Run @hook (through /bin/sh -c) with SB_EVENT=@event (change | alert),
 * SB_WAN, SB_OLD_STATE, SB_NEW_STATE, SB_REASON and SB_TIME (Unix seconds)
 * in its environment. Returns 0 when started, -errno otherwise. Control
 * thread; does not block.
 */
int sb_notify_run(const char *hook, const char *event, const char *wan, const char *old_state,
		  const char *new_state, const char *reason);

/** Reap finished hooks without waiting. Returns how many ended. */
unsigned sb_notify_reap(void);

/* Hooks with bounds: at most @max run at once (a change while that many
 * still run is not told to the hook: counted in @skipped and logged), and
 * one that runs longer than @timeout_ms is killed with its process group.
 * Hooks inherit no descriptor but stdin, stdout and stderr. */
#define SB_HOOKS_MAX 8

struct sb_hooks {
	unsigned max, timeout_ms, running;
	pid_t pid[SB_HOOKS_MAX];        /* 0: free */
	uint64_t started_ms[SB_HOOKS_MAX];
	uint32_t killed;                /* bit i: pid[i] was sent SIGKILL */
	uint64_t started, skipped, timed_out;
};

/** Empty @h: at most @max hooks at once (1 .. SB_HOOKS_MAX), each killed
 * after @timeout_ms (0 = never). */
void sb_hooks_init(struct sb_hooks *h, unsigned max, unsigned timeout_ms);

/**
 * Run @hook as sb_notify_run() does, unless @h->max hooks still run.
 * Returns 0 when started, -EBUSY when skipped (counted), -errno when it
 * could not start. Control thread; does not block.
 */
int sb_hooks_run(struct sb_hooks *h, uint64_t now_ms, const char *hook, const char *event,
		 const char *wan, const char *old_state, const char *new_state,
		 const char *reason);

/** Reap @h's finished hooks and kill those past their timeout, without
 * waiting. Returns how many ended. Control thread. */
unsigned sb_hooks_reap(struct sb_hooks *h, uint64_t now_ms);

/* --- webhook: HTTP POST of JSON from a notifier thread ----------------- */

struct sb_notifier;

/**
 * Start the notifier thread for @url: it POSTs each queued JSON body with
 * libcurl (Content-Type: application/json, @timeout_ms per attempt), and
 * on a failure (no connection, or a status other than 2xx) tries again up
 * to @retries times, waiting @backoff_ms, then twice that, and so on (at
 * most 60 s). Bodies are delivered one at a time, in order.
 * Returns NULL with errno set. Main lcore, once.
 */
struct sb_notifier *sb_notifier_start(const char *url, unsigned retries, unsigned timeout_ms,
				      unsigned backoff_ms);

/**
 * Queue @json (copied) for posting. Never blocks: when the bounded queue
 * (64 bodies) is full the body is dropped, counted and -ENOBUFS returned.
 * Control thread.
 */
int sb_notifier_post(struct sb_notifier *n, const char *json);

struct sb_notifier_stats {
	uint64_t queued, delivered, failed, dropped, retries;
};

/** Copy the counters. Any thread. */
void sb_notifier_stats(struct sb_notifier *n, struct sb_notifier_stats *s);

/**
 * Stop the thread: what is queued gets at most @grace_ms more to be
 * delivered, then the rest is dropped. NULL is fine. Main lcore.
 */
void sb_notifier_stop(struct sb_notifier *n, unsigned grace_ms);

/** Escape @s into @out as the inside of a JSON string. */
void sb_json_escape(const char *s, char *out, size_t len);

#endif
