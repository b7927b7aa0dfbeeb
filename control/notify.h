/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: telling people. A hook command runs on every WAN state
 * change (and once when a WAN has been down longer than alert_after_s),
 * with the facts in its environment, and the webhook (webhook.h) gets
 * the same facts as JSON. The hook is started with posix_spawn and reaped
 * later; the webhook is queued: the control thread never waits. */
#ifndef SB_NOTIFY_H
#define SB_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sb_webhook;

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

/* What the daemon's hooks are held to: at most 4 at once, each killed
 * with what it started after 30 s (docs/config.md, hook). */
#define SB_HOOKS_RUNNING 4
#define SB_HOOKS_TIMEOUT_MS 30000

/* Who is told about WAN changes: the [notify] hook command and the
 * webhook's notifier thread (either may be absent). */
struct sb_notify {
	const char *hook;               /* "" or NULL = none */
	struct sb_webhook *webhook;    /* NULL = none */
	struct sb_hooks hooks;         /* the hook's processes (sb_hooks_init before use) */
};

/**
 * Run @hook (through /bin/sh -c) with SB_EVENT=@event (change | alert),
 * SB_WAN, SB_OLD_STATE, SB_NEW_STATE, SB_REASON and SB_TIME (Unix seconds)
 * in its environment. Returns 0 when started, -errno otherwise. Control
 * thread; does not block.
 */
int sb_notify_run(const char *hook, const char *event, const char *wan, const char *old_state,
		  const char *new_state, const char *reason);

/** Reap any finished child without waiting (tests, and processes with
 * no struct sb_hooks). Returns how many ended. */
unsigned sb_notify_reap(void);

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

/**
 * Tell about WAN @wan: run the hook within @n->hooks' bounds
 * (sb_hooks_run: skipped while too many still run) and queue the
 * webhook's JSON body ({"event", "wan", "old_state", "new_state",
 * "reason", "time", "in_service"}). @event is "change" or "alert".
 * Control thread; does not block.
 */
void sb_notify_wan(struct sb_notify *n, const char *event, const char *wan,
		   const char *old_state, const char *new_state, const char *reason,
		   bool in_service);

#endif
