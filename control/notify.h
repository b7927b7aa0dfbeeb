/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: telling people. A hook command runs on every WAN state
 * change (and once when a WAN has been down longer than alert_after_s),
 * with the facts in its environment. It is started with posix_spawn and
 * reaped later: the control thread never waits for it. */
#ifndef SB_NOTIFY_H
#define SB_NOTIFY_H

#include <stdint.h>

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

#endif
