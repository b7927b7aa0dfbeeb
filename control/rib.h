/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the RIB. Connected routes from port addresses plus static
 * routes (from the config or added programmatically), resolved
 * RouterOS-style: route B may resolve route A's gateway when B.scope <=
 * A.target-scope, recursively until a connected route, with loops and depth
 * bounded; for one (table, prefix) the active routes of lowest distance win
 * and equal distances give ECMP.
 *
 * Prefix-independent failover (docs/routing.md): prefixes whose routes are
 * alike (same gateways, ports, distances, target-scopes, checks, disabled
 * flags, table) form one class and share one nexthop group; only the few
 * prefixes that may resolve someone's gateway (they cover a recursive
 * gateway, or hold a connected or checked route) are resolved one by one.
 * A resolution costs O(those few + classes), not O(prefixes), and a
 * failover rewrites groups, not FIB entries.
 *
 * Control thread only; pure logic (no EAL), so tests drive it directly. */
#ifndef SB_RIB_H
#define SB_RIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sb_config.h"

#define SB_RIB_MAX_DEPTH 8
#define SB_RIB_NONE UINT32_MAX

struct sb_rib_nh {
	uint32_t gw;    /* host order; 0 = on-link */
	uint16_t port;
};

/* What resolution says about a route. Routes of one class share theirs. */
struct sb_rib_result {
	bool resolved;          /* gateway resolves (own check ignored) */
	bool active;            /* selected into the FIB */
	bool ecmp;              /* active beside other routes of equal distance */
	bool last_resort;       /* active although its check failed: all did */
	uint8_t n_nh;
	uint8_t memo;           /* private: resolution in progress / done */
	uint8_t logged;         /* private: active as last told by sb_rib_changes() */
	const char *reason;     /* why not active; NULL when active */
	struct sb_rib_nh nh[SB_MAX_ECMP]; /* resolved immediate next hops */
};

struct sb_rib_route {
	char name[SB_NAME_LEN];
	uint32_t dst;
	uint8_t len;
	uint8_t distance, scope, target_scope, table;
	bool connected, disabled;
	bool retired;           /* removed by a reload: disabled, not shown or found
				 * by name; its slot is reused by the next route of
				 * the same prefix and table (reload_run.c) */
	bool check_failed;      /* set by the prober (routes with a check only) */
	uint32_t gw;
	int gw_port;
	enum sb_check check;
	uint32_t group;         /* nexthop group its (table, prefix) points at */
	uint32_t prefix, next, res; /* private: its prefix, next route there, result */
};

struct sb_rib_group {
	uint8_t table;          /* of the first prefix pointing at it */
	uint32_t dst;
	uint8_t len;
	bool shared;            /* a class's group (else one prefix's own) */
	uint8_t n_nh;
	uint32_t n_prefixes;    /* prefixes pointing at it */
	struct sb_rib_nh nh[SB_MAX_ECMP];
};

struct rib_prefix;
struct rib_class;
struct rib_slot;
struct rib_map;

struct sb_rib {
	unsigned n_routes;
	struct sb_rib_route *r;
	unsigned n_groups;
	struct sb_rib_group *g;
	bool port_down[SB_MAX_PORTS]; /* link down or forced down: set by control */
	/* WAN taken out by its monitors ([wan] sections): set by control.
	 * A route whose resolved next hops all leave through such ports
	 * fails like a failed check (inactive, "WAN out of service", a last
	 * resort when every default did), but still resolves other routes'
	 * gateways, so the paths stay known. Connected routes are exempt. */
	bool port_out[SB_MAX_PORTS];
	/* Sizes, for the operator and the benchmark. */
	unsigned n_prefixes, n_special, n_classes;
	/* Private. */
	unsigned cap_routes, cap_groups, cap_prefixes, cap_classes, cap_slots, n_slots;
	struct rib_prefix *p;
	struct rib_class *c;
	struct rib_slot *slot;
	struct sb_rib_result *res;
	unsigned n_res;
	struct rib_map *pmap, *cmap;
	struct rib_map *smap;   /* special prefixes of main: gateway lookups */
	uint64_t slens;         /* bit L: smap holds a prefix of length L */
	uint32_t *special;      /* special prefixes, n_special */
	uint32_t *dirty;        /* prefixes whose FIB entry may need writing */
	unsigned n_dirty, cap_dirty;
	uint32_t *failed_gw;    /* gateways whose check failed, this resolution */
	unsigned n_failed_gw;
	bool stale;             /* routes added or changed: classify again */
};

/** Build the RIB from @cfg: connected routes first, then static ones in
 * file order. NULL on allocation failure. */
struct sb_rib *sb_rib_create(const struct sb_config *cfg);
void sb_rib_free(struct sb_rib *rib);

/** Add the static route @c (its fields as sb_config_load() validates
 * them; dst masked to its length). Any number of routes: the INI file's
 * SB_MAX_ROUTES limit does not apply. Returns its index, or -ENOMEM /
 * -EINVAL. Takes effect at the next sb_rib_resolve(). */
int sb_rib_add(struct sb_rib *rib, const struct sb_route_conf *c);
/* Route @r takes @c's name and values (all but its prefix and table). */
void sb_rib_route_values(struct sb_rib_route *r, const struct sb_route_conf *c);

/** Add the connected route of port @port for @addr/@len (scope 10), named
 * @name. sb_rib_create() adds one per port with a static address; a DHCP
 * lease adds its own (control/lease.c) and disables it when it goes.
 * Returns its index, or -ENOMEM / -EINVAL. Takes effect at the next
 * sb_rib_resolve(). */
int sb_rib_add_connected(struct sb_rib *rib, const char *name, unsigned port, uint32_t addr,
			 uint8_t len);

/** Say that route @i's configuration (distance, disabled) changed. */
void sb_rib_route_changed(struct sb_rib *rib, unsigned i);

/** Resolve: the special prefixes route by route, then each class once.
 * Returns the number of groups whose next hops changed. Prefixes whose
 * FIB entry must change are queued for sb_rib_fib_sync(). */
unsigned sb_rib_resolve(struct sb_rib *rib);

extern const struct sb_rib_result sb_rib_unresolved;

/** Resolution result of route @i (inactive, "not resolved yet", for a
 * route added since the last sb_rib_resolve()). */
static inline const struct sb_rib_result *
sb_rib_result(const struct sb_rib *rib, unsigned i)
{
	uint32_t k = rib->r[i].res;

	return k < rib->n_res ? &rib->res[k] : &sb_rib_unresolved;
}

/** Write the queued FIB changes: @set(ctx, table, dst, len, group) for a
 * prefix that must point at a group with paths, @del for one whose group
 * has none (so a less specific route carries it). Only prefixes that were
 * added, changed group, or whose group gained or lost all its paths are
 * visited. Returns the number of writes, or the first error of @set. */
int sb_rib_fib_sync(struct sb_rib *rib,
		    int (*set)(void *ctx, uint8_t table, uint32_t dst, uint8_t len, uint32_t group),
		    int (*del)(void *ctx, uint8_t table, uint32_t dst, uint8_t len), void *ctx);

/** Report routes whose active state changed since the last call (every
 * route on the first call): @cb for at most @max of them. Returns how many
 * changed in all. Cost: O(results) plus the routes reported. */
unsigned sb_rib_changes(struct sb_rib *rib, void (*cb)(void *ctx, const struct sb_rib_route *r,
						       const struct sb_rib_result *res),
			void *ctx, unsigned max);

/** Index of the route named @name, or -1. */
int sb_rib_find(const struct sb_rib *rib, const char *name);

/** Print the routes as a table with RouterOS-like flags (A active, S
 * static, C connected, E ECMP, X disabled) into @buf. Stops when @buf is
 * full. Returns the length written, or >= @len when it did not fit. */
int sb_rib_print(const struct sb_rib *rib, const struct sb_config *cfg, char *buf, size_t len);

#endif
