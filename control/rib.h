/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the RIB. Connected routes from port addresses plus the
 * configured static routes, resolved RouterOS-style: route B may resolve
 * route A's gateway when B.scope <= A.target-scope, recursively until a
 * connected route, with loops and depth bounded; for one (table, prefix)
 * the active routes of lowest distance win and equal distances give ECMP.
 * Control thread only; pure logic (no EAL), so tests drive it directly. */
#ifndef SB_RIB_H
#define SB_RIB_H

#include <stdint.h>
#include <stdbool.h>
#include "sb_config.h"

#define SB_RIB_MAX_DEPTH 8

struct sb_rib_nh {
	uint32_t gw;    /* host order; 0 = on-link */
	uint16_t port;
};

struct sb_rib_route {
	char name[SB_NAME_LEN];
	uint32_t dst;
	uint8_t len;
	uint8_t distance, scope, target_scope, table;
	uint32_t gw;
	int gw_port;
	enum sb_check check;
	bool connected, disabled;
	bool check_failed;      /* set by the prober */
	uint32_t group;         /* nexthop group of (table, dst, len) */
	/* Results of sb_rib_resolve(). */
	bool resolved;          /* gateway resolves (own check ignored) */
	bool active;            /* selected into the FIB */
	bool ecmp;              /* active beside other routes of equal distance */
	bool last_resort;       /* active although its check failed: all did */
	const char *reason;     /* why not active; NULL when active */
	uint8_t n_nh;
	struct sb_rib_nh nh[SB_MAX_ECMP]; /* resolved immediate next hops */
};

struct sb_rib_group {
	uint8_t table;
	uint32_t dst;
	uint8_t len;
	uint8_t n_nh;
	struct sb_rib_nh nh[SB_MAX_ECMP];
};

struct sb_rib {
	unsigned n_routes;
	struct sb_rib_route *r;
	unsigned n_groups;
	struct sb_rib_group *g;
	uint8_t *memo;          /* scratch for resolution */
	bool port_down[SB_MAX_PORTS]; /* link down or forced down: set by control */
};

/** Build the RIB from @cfg: connected routes first, then static ones in
 * file order. NULL on allocation failure. */
struct sb_rib *sb_rib_create(const struct sb_config *cfg);
void sb_rib_free(struct sb_rib *rib);

/** Resolve every route and recompute every group. Returns the number of
 * groups whose next hops changed. */
unsigned sb_rib_resolve(struct sb_rib *rib);

/** Index of the route named @name, or -1. */
int sb_rib_find(const struct sb_rib *rib, const char *name);

/** Print the routes as a table with RouterOS-like flags (A active, S
 * static, C connected, E ECMP, X disabled) into @buf. Returns the length
 * it needed (like snprintf). */
int sb_rib_print(const struct sb_rib *rib, const struct sb_config *cfg, char *buf, size_t len);

#endif
