/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration reload, the pure part. Which keys may change
 * while the gateway runs, what a new file changes against the running one,
 * and the new configuration made runnable (its start-up-only values put
 * back to the running ones). No EAL: unit-tested in tests/test_reload.c. */
#ifndef SB_RELOAD_H
#define SB_RELOAD_H

#include <stdbool.h>

#include "sb_config.h"

#define SB_RELOAD_LINES 128
#define SB_RELOAD_LINE 200

/* What a reload would do. */
struct sb_reload_plan {
	unsigned n_changes;       /* applied: "route r2 added", "[wan wan1] quorum: 1 -> 2" */
	char changes[SB_RELOAD_LINES][SB_RELOAD_LINE];
	unsigned n_kept;          /* start-up only, left as they run: "[port wan1] vlan: 0 -> 7" */
	char kept[SB_RELOAD_LINES][SB_RELOAD_LINE];
	unsigned more;            /* lines past SB_RELOAD_LINES, counted only */
	/* What has to be rebuilt. */
	bool routes;              /* the RIB: routes, tables, connected routes */
	bool wans;                /* probes and monitors: [check_gateway], [wan], check_gateway */
	bool neighbours;          /* static neighbours */
	bool notify;              /* hook, alert, webhook */
	bool webhook;             /* the webhook notifier itself (URL, retries, timeouts) */
	bool pcc;                 /* PCC weights, members, classifier; the ECMP hash */
	bool timeouts;            /* [timeouts]: the session table's idle timeouts, and
				   * [switchback] sessions_per_host (words the worker reads) */
	bool policy;              /* sessions_on_down / sessions_on_failback */
	bool metrics;             /* [metrics] listen */
};

/**
 * Whether [@section] @key can change while the gateway runs (@section is
 * the kind: "switchback", "port", "route", ...). Sets *@known to false for
 * a key it does not know. Any thread.
 */
bool sb_reload_key_live(const char *section, const char *key, bool *known);

/**
 * Compare the running @old with the validated @new into @plan. Returns 0,
 * or -EINVAL with the reason in @err when @new cannot be applied at run
 * time at all (a port added, removed, renamed or reordered; a routing
 * table that does not exist yet). Any thread; pure.
 */
int sb_reload_plan(const struct sb_config *old, const struct sb_config *new,
		   struct sb_reload_plan *plan, char *err, size_t errlen);

/**
 * Make @new what will run: its start-up-only values set back to @old's
 * (the ones the plan lists as kept), its table indices made @old's. Call
 * after sb_reload_plan() returned 0. Any thread; pure.
 */
void sb_reload_keep_startup(const struct sb_config *old, struct sb_config *new);

#endif
