/* SPDX-License-Identifier: BSD-3-Clause
 * RIB: connected routes, distance, ECMP, check-gateway, recursive
 * resolution with scope/target-scope (seeds 000 and 001), loops. */
#include "test_config_load.h"

#include "sb_config.h"
#include "rib.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

#define PORTS SB_TEST_PORTS

struct fixture {
	struct sb_config *cfg;
	struct sb_rib *rib;
};

static struct fixture
make(const char *text)
{
	struct fixture f;

	f.cfg = sb_test_config(text);
	f.rib = sb_test_rib(f.cfg);
	sb_rib_resolve(f.rib);
	return f;
}

static void
done(struct fixture *f)
{
	sb_rib_free(f->rib);
	sb_config_free(f->cfg);
}

static const struct sb_rib_route *
conf(const struct fixture *f, const char *name)
{
	return &f->rib->r[sb_test_route(f->rib, name)];
}

/* What resolution says about the route named @name. */
static const struct sb_rib_result *
route(const struct fixture *f, const char *name)
{
	return sb_rib_result(f->rib, (unsigned)(conf(f, name) - f->rib->r));
}

/* The route named @name is inactive, for @reason. */
static void
assert_inactive(const struct fixture *f, const char *name, const char *reason)
{
	assert_false(route(f, name)->active);
	assert_string_equal(route(f, name)->reason, reason);
}

static const struct sb_rib_group *
group_of(const struct fixture *f, const char *name)
{
	return &f->rib->g[conf(f, name)->group];
}

static void
test_rib_connected_routes(void **state)
{
	struct fixture f = make(PORTS);
	const struct sb_rib_route *r = conf(&f, "connected-wan1");

	(void)state;
	assert_true(r->connected && route(&f, "connected-wan1")->active);
	assert_int_equal(r->dst, IP(203, 0, 113, 0));
	assert_int_equal(r->len, 24);
	assert_int_equal(r->scope, 10);
	assert_int_equal(group_of(&f, "connected-wan1")->n_nh, 1);
	assert_int_equal(group_of(&f, "connected-wan1")->nh[0].gw, 0);
	assert_int_equal(group_of(&f, "connected-wan1")->nh[0].port, 1);
	done(&f);
}

static void
test_rib_lower_distance_wins(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 1\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 2\n");

	(void)state;
	assert_true(route(&f, "a")->active);
	assert_inactive(&f, "b", "higher distance");
	const struct sb_rib_group *g = group_of(&f, "a");

	assert_int_equal(g->n_nh, 1);
	assert_int_equal(g->nh[0].gw, IP(203, 0, 113, 1));
	assert_int_equal(g->nh[0].port, 1);
	done(&f);
}

static void
test_rib_check_failed_moves_to_backup(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 1\ncheck_gateway = ping\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 2\n");
	int a = sb_rib_find(f.rib, "a");

	(void)state;
	f.rib->r[a].check_failed = true;
	assert_int_equal(sb_rib_resolve(f.rib), 1); /* one group changed */
	assert_inactive(&f, "a", "check-gateway failed");
	/* Its path is still known, for the probes. */
	assert_true(route(&f, "a")->resolved);
	assert_true(route(&f, "b")->active);
	assert_int_equal(group_of(&f, "b")->nh[0].port, 2);
	f.rib->r[a].check_failed = false;
	assert_int_equal(sb_rib_resolve(f.rib), 1);
	assert_true(route(&f, "a")->active);
	assert_int_equal(sb_rib_resolve(f.rib), 0); /* nothing changed */
	done(&f);
}

static void
test_rib_equal_distance_is_ecmp(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\n");
	char buf[4096];

	(void)state;
	assert_true(route(&f, "a")->active && route(&f, "a")->ecmp);
	assert_true(route(&f, "b")->active && route(&f, "b")->ecmp);
	assert_int_equal(group_of(&f, "a")->n_nh, 2);
	sb_rib_print(f.rib, f.cfg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ASE   a "));
	assert_non_null(strstr(buf, "AC    connected-lan"));
	done(&f);
}

static void
test_rib_unreachable_gateway_inactive(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 10.0.0.0/8\ngateway = 192.0.2.1\n");

	(void)state;
	assert_inactive(&f, "a", "gateway unreachable");
	assert_int_equal(group_of(&f, "a")->n_nh, 0);
	done(&f);
}

/* Seed 000: monitor hosts reached through each ISP with scope 10, and
 * default routes recursively resolved over them with target-scope 11. */
static const char *seed000 = PORTS
	"[route host1]\ndst = 192.0.2.53/32\ngateway = 203.0.113.1\nscope = 10\n"
	"[route host2]\ndst = 192.0.2.54/32\ngateway = 198.51.100.1\nscope = 10\n"
	"[route def1]\ndst = 0.0.0.0/0\ngateway = 192.0.2.53\ndistance = 1\n"
	"target_scope = 11\ncheck_gateway = ping\n"
	"[route def2]\ndst = 0.0.0.0/0\ngateway = 192.0.2.54\ndistance = 2\n"
	"target_scope = 11\ncheck_gateway = ping\n";

static void
test_rib_recursive_seed000(void **state)
{
	struct fixture f = make(seed000);

	(void)state;
	assert_true(route(&f, "host1")->active);
	assert_true(route(&f, "def1")->active);
	assert_false(route(&f, "def2")->active);
	assert_true(route(&f, "def2")->resolved);
	/* The immediate next hop is ISP1's router, not the monitor host. */
	const struct sb_rib_group *g = group_of(&f, "def1");

	assert_int_equal(g->n_nh, 1);
	assert_int_equal(g->nh[0].gw, IP(203, 0, 113, 1));
	assert_int_equal(g->nh[0].port, 1);
	/* Monitor 1 fails: the default moves to ISP2. */
	f.rib->r[sb_rib_find(f.rib, "def1")].check_failed = true;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "def2")->active);
	assert_int_equal(group_of(&f, "def2")->nh[0].gw, IP(198, 51, 100, 1));
	done(&f);
}

static void
test_rib_recursive_needs_target_scope(void **state)
{
	/* Host routes with the static default scope 30 cannot resolve a
	 * route of target-scope 10 (30 <= 10 is false). */
	struct fixture f = make(PORTS
		"[route host1]\ndst = 192.0.2.53/32\ngateway = 203.0.113.1\n"
		"[route def1]\ndst = 0.0.0.0/0\ngateway = 192.0.2.53\n");

	(void)state;
	assert_true(route(&f, "host1")->active);
	assert_inactive(&f, "def1", "gateway unreachable");
	done(&f);
}

/* Seed 001: anchor routes with check-gateway; defaults and many dependent
 * routes resolve through them and fail over together. */
static void
test_rib_anchor_routes_fail_over_together(void **state)
{
	char text[16384];
	int off = snprintf(text, sizeof(text), "%s"
		"[route anchor1]\ndst = 203.0.113.1/32\ngateway = 203.0.113.1%%wan1\n"
		"check_gateway = ping\nscope = 10\ntarget_scope = 20\n"
		"[route anchor2]\ndst = 198.51.100.1/32\ngateway = 198.51.100.1%%wan2\n"
		"check_gateway = ping\nscope = 10\ntarget_scope = 20\n", PORTS);

	(void)state;
	for (int i = 0; i < 50; i++)
		off += snprintf(text + off, sizeof(text) - (size_t)off,
				"[route vpn%da]\ndst = 10.%d.0.0/16\ngateway = 203.0.113.1\n"
				"distance = 1\nscope = 20\ntarget_scope = 20\n"
				"[route vpn%db]\ndst = 10.%d.0.0/16\ngateway = 198.51.100.1\n"
				"distance = 10\nscope = 20\ntarget_scope = 20\n", i, i, i, i);
	struct fixture f = make(text);
	char name[32];

	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "vpn%da", i);
		assert_true(route(&f, name)->active);
		assert_int_equal(group_of(&f, name)->nh[0].port, 1);
		/* The 50 sites have alike route sets: one shared group. */
		assert_int_equal(conf(&f, name)->group, conf(&f, "vpn0a")->group);
	}
	assert_true(group_of(&f, "vpn0a")->shared);
	assert_int_equal(group_of(&f, "vpn0a")->n_prefixes, 50);
	f.rib->r[sb_rib_find(f.rib, "anchor1")].check_failed = true;
	/* The sites' shared group + the anchor's own: 2, whatever the number
	 * of sites (it was one group per site, 51, before groups were shared). */
	assert_int_equal(sb_rib_resolve(f.rib), 2);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "vpn%da", i);
		assert_false(route(&f, name)->active);
		snprintf(name, sizeof(name), "vpn%db", i);
		assert_true(route(&f, name)->active);
		assert_int_equal(group_of(&f, name)->nh[0].port, 2);
		assert_int_equal(group_of(&f, name)->nh[0].gw, IP(198, 51, 100, 1));
	}
	done(&f);
}

static void
test_rib_chained_static_with_raised_target_scope(void **state)
{
	/* Seed 001: A via 172.16.0.1 with target-scope 30; B (172.16.0.0/24,
	 * scope 30) via a connected gateway resolves it. */
	struct fixture f = make(PORTS
		"[route b]\ndst = 172.16.0.0/24\ngateway = 192.168.1.254\n"
		"[route a]\ndst = 10.1.0.0/16\ngateway = 172.16.0.1\ntarget_scope = 30\n"
		"[route c]\ndst = 10.2.0.0/16\ngateway = 172.16.0.1\n");

	(void)state;
	assert_true(route(&f, "a")->active);
	assert_int_equal(group_of(&f, "a")->nh[0].gw, IP(192, 168, 1, 254));
	assert_int_equal(group_of(&f, "a")->nh[0].port, 0);
	/* Same chain with the default target-scope 10: not resolvable. */
	assert_false(route(&f, "c")->active);
	done(&f);
}

static void
test_rib_loop_is_inactive(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 10.1.0.0/16\ngateway = 10.2.0.1\nscope = 30\ntarget_scope = 30\n"
		"[route b]\ndst = 10.2.0.0/16\ngateway = 10.1.0.1\nscope = 30\ntarget_scope = 30\n");

	(void)state;
	assert_false(route(&f, "a")->active);
	assert_false(route(&f, "b")->active);
	assert_int_equal(group_of(&f, "a")->n_nh, 0);
	done(&f);
}

static void
test_rib_disabled_route(void **state)
{
	struct fixture f = make(PORTS
		"[route a]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndisabled = yes\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 5\n");
	char buf[4096];

	(void)state;
	assert_inactive(&f, "a", "disabled");
	assert_true(route(&f, "b")->active);
	sb_rib_print(f.rib, f.cfg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "XS    a "));
	assert_non_null(strstr(buf, "disabled"));
	done(&f);
}

static void
test_rib_port_down_takes_dependants(void **state)
{
	struct fixture f = make(seed000);

	(void)state;
	f.rib->port_down[1] = true;   /* wan1 */
	sb_rib_resolve(f.rib);
	assert_inactive(&f, "connected-wan1", "port down");
	/* Through it: the monitor host route, then the default over it. */
	assert_false(route(&f, "host1")->active);
	assert_false(route(&f, "def1")->active);
	assert_true(route(&f, "def2")->active);
	f.rib->port_down[1] = false;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "def1")->active);
	done(&f);
}

static void
test_rib_last_resort_when_all_checks_failed(void **state)
{
	struct fixture f = make(seed000);
	char buf[4096];

	(void)state;
	f.rib->r[sb_rib_find(f.rib, "def1")].check_failed = true;
	f.rib->r[sb_rib_find(f.rib, "def2")].check_failed = true;
	sb_rib_resolve(f.rib);
	/* Both failed: the preferred one carries traffic, flagged. */
	assert_true(route(&f, "def1")->active);
	assert_true(route(&f, "def1")->last_resort);
	assert_false(route(&f, "def2")->active);
	assert_int_equal(group_of(&f, "def1")->n_nh, 1);
	assert_int_equal(group_of(&f, "def1")->nh[0].gw, IP(203, 0, 113, 1));
	sb_rib_print(f.rib, f.cfg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "last resort"));
	/* One answers again: it wins, and nothing is last resort any more. */
	f.rib->r[sb_rib_find(f.rib, "def2")].check_failed = false;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "def2")->active);
	assert_false(route(&f, "def1")->active);
	assert_false(route(&f, "def1")->last_resort);
	done(&f);
}

/* --- shared groups (prefix-independent failover) ------------------------- */

struct fib_count {
	unsigned sets, dels;
};

static int
count_set(void *ctx, uint8_t table, uint32_t dst, uint8_t len, uint32_t group)
{
	(void)table, (void)dst, (void)len, (void)group;
	((struct fib_count *)ctx)->sets++;
	return 0;
}

static int
count_del(void *ctx, uint8_t table, uint32_t dst, uint8_t len)
{
	(void)table, (void)dst, (void)len;
	((struct fib_count *)ctx)->dels++;
	return 0;
}

#define MANY 200000

/* Many prefixes, each with the same two routes: distance 1 via wan1's
 * router, distance 2 via wan2's (1M in scripts/bench fib). */
static void
add_many(struct sb_rib *rib, unsigned n, uint32_t base)
{
	for (unsigned i = 0; i < n; i++) {
		struct sb_route_conf rc = {
			.dst = base + (i << 8), .prefix_len = 24, .gw_port = -1,
			.scope = 30, .target_scope = 10,
		};

		snprintf(rc.name, sizeof(rc.name), "p%u-a", i);
		rc.gw = IP(203, 0, 113, 1);
		rc.distance = 1;
		assert_true(sb_rib_add(rib, &rc) >= 0);
		snprintf(rc.name, sizeof(rc.name), "p%u-b", i);
		rc.gw = IP(198, 51, 100, 1);
		rc.distance = 2;
		assert_true(sb_rib_add(rib, &rc) >= 0);
	}
}

/* The ports, MANY prefixes of add_many() from 16.0.0.0, resolved. */
static struct fixture
make_many(void)
{
	struct fixture f = make(PORTS);

	add_many(f.rib, MANY, IP(16, 0, 0, 0));
	sb_rib_resolve(f.rib);
	return f;
}

static void
test_rib_many_prefixes_share_one_group(void **state)
{
	struct fixture f = make_many();
	struct fib_count fc = { 0 };
	uint32_t g;

	(void)state;
	/* Every prefix points at one shared group; the connected prefixes
	 * have their own. Not one group per prefix. */
	g = conf(&f, "p0-a")->group;
	assert_int_equal(conf(&f, "p199999-b")->group, g);
	assert_int_equal(f.rib->n_classes, 1);
	assert_int_equal(f.rib->n_special, 3);
	assert_int_equal(f.rib->n_groups, 4);
	assert_true(f.rib->g[g].shared);
	assert_int_equal(f.rib->g[g].n_prefixes, MANY);
	assert_int_equal(f.rib->g[g].n_nh, 1);
	assert_int_equal(f.rib->g[g].nh[0].gw, IP(203, 0, 113, 1));
	/* Per-route state is still there for every route. */
	assert_true(route(&f, "p123456-a")->active);
	assert_inactive(&f, "p123456-b", "higher distance");
	/* First sync installs every prefix once; the next has nothing to do. */
	assert_int_equal(sb_rib_fib_sync(f.rib, count_set, count_del, &fc), MANY + 3);
	assert_int_equal(fc.sets, MANY + 3);
	assert_int_equal(sb_rib_fib_sync(f.rib, count_set, count_del, &fc), 0);
	done(&f);
}

static void
test_rib_failover_rewrites_groups_not_prefixes(void **state)
{
	struct fixture f = make_many();
	struct fib_count fc = { 0 };
	uint32_t g;

	(void)state;
	sb_rib_fib_sync(f.rib, count_set, count_del, &fc);
	g = conf(&f, "p0-a")->group;
	/* wan1 goes down: wan1's connected group and the shared group change,
	 * nothing else, and no routed prefix's FIB entry is written (wan1's
	 * own connected prefix leaves the FIB: one delete). */
	f.rib->port_down[1] = true;
	assert_int_equal(sb_rib_resolve(f.rib), 2);
	memset(&fc, 0, sizeof(fc));
	assert_int_equal(sb_rib_fib_sync(f.rib, count_set, count_del, &fc), 1);
	assert_int_equal(fc.sets, 0);
	assert_int_equal(fc.dels, 1);
	assert_int_equal(conf(&f, "p777-a")->group, g);
	assert_int_equal(f.rib->g[g].n_nh, 1);
	assert_int_equal(f.rib->g[g].nh[0].gw, IP(198, 51, 100, 1));
	assert_int_equal(f.rib->g[g].nh[0].port, 2);
	assert_inactive(&f, "p777-a", "gateway unreachable");
	assert_true(route(&f, "p777-b")->active);
	/* And back. */
	f.rib->port_down[1] = false;
	assert_int_equal(sb_rib_resolve(f.rib), 2);
	memset(&fc, 0, sizeof(fc));
	assert_int_equal(sb_rib_fib_sync(f.rib, count_set, count_del, &fc), 1);
	assert_int_equal(fc.sets, 1);
	assert_int_equal(f.rib->g[g].nh[0].gw, IP(203, 0, 113, 1));
	done(&f);
}

/* A WAN its [wan] monitors took out (port_out): every route whose paths
 * all leave through it goes inactive with its reason, class and special
 * alike, its connected route stays, the shared group moves to the backup
 * without a FIB write, and when every WAN is out the preferred default
 * stays as the last resort. */
static void
test_rib_wan_out_fails_its_routes(void **state)
{
	struct fixture f = make(PORTS
		"[route default-wan1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 1\n"
		"[route default-wan2]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 2\n");
	struct fib_count fc = { 0 };
	uint32_t g;

	(void)state;
	add_many(f.rib, 1000, IP(16, 0, 0, 0));
	sb_rib_resolve(f.rib);
	sb_rib_fib_sync(f.rib, count_set, count_del, &fc);
	g = conf(&f, "p0-a")->group;
	assert_int_equal(f.rib->g[g].nh[0].port, 1);
	f.rib->port_out[1] = true;
	sb_rib_resolve(f.rib);
	memset(&fc, 0, sizeof(fc));
	assert_int_equal(sb_rib_fib_sync(f.rib, count_set, count_del, &fc), 0);
	assert_int_equal(f.rib->g[g].n_nh, 1);
	assert_int_equal(f.rib->g[g].nh[0].port, 2);
	assert_inactive(&f, "p500-a", "WAN out of service (its monitors)");
	assert_true(route(&f, "p500-b")->active);
	assert_inactive(&f, "default-wan1", "WAN out of service (its monitors)");
	assert_true(route(&f, "default-wan2")->active);
	assert_true(route(&f, "connected-wan1")->active);
	/* Every WAN out: the preferred default is the last resort. */
	f.rib->port_out[2] = true;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "default-wan1")->active);
	assert_true(route(&f, "default-wan1")->last_resort);
	assert_false(route(&f, "default-wan2")->active);
	/* Back. */
	f.rib->port_out[1] = f.rib->port_out[2] = false;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "default-wan1")->active);
	assert_false(route(&f, "default-wan1")->last_resort);
	assert_true(route(&f, "p500-a")->active);
	assert_int_equal(f.rib->g[g].nh[0].port, 1);
	done(&f);
}

/* The same through recursive routes (seed 000: defaults resolved through
 * monitor hosts behind each ISP): a WAN that is out takes its monitor
 * route and the default resolved through it, and the last resort holds. */
static void
test_rib_wan_out_recursive(void **state)
{
	struct fixture f = make(PORTS
		"[route monitor1]\ndst = 192.0.2.53/32\ngateway = 203.0.113.1\nscope = 10\n"
		"[route monitor2]\ndst = 192.0.2.54/32\ngateway = 198.51.100.1\nscope = 10\n"
		"[route default-wan1]\ndst = 0.0.0.0/0\ngateway = 192.0.2.53\ndistance = 1\ntarget_scope = 11\n"
		"[route default-wan2]\ndst = 0.0.0.0/0\ngateway = 192.0.2.54\ndistance = 2\ntarget_scope = 11\n");

	(void)state;
	assert_true(route(&f, "default-wan1")->active);
	f.rib->port_out[1] = true;
	sb_rib_resolve(f.rib);
	assert_false(route(&f, "monitor1")->active);
	assert_inactive(&f, "default-wan1", "WAN out of service (its monitors)");
	assert_true(route(&f, "default-wan2")->active);
	f.rib->port_out[2] = true;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "default-wan1")->last_resort);
	assert_int_equal(route(&f, "default-wan1")->nh[0].gw, IP(203, 0, 113, 1));
	f.rib->port_out[1] = f.rib->port_out[2] = false;
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "default-wan1")->active);
	assert_false(route(&f, "default-wan1")->last_resort);
	assert_true(route(&f, "monitor1")->active);
	done(&f);
}

static void
test_rib_failover_leaves_other_classes_alone(void **state)
{
	struct fixture f = make(PORTS);
	struct fib_count fc = { 0 };
	struct sb_rib_group lan_before;
	uint32_t g_wan, g_lan;

	(void)state;
	add_many(f.rib, 1000, IP(16, 0, 0, 0));
	/* A second class: prefixes reached through a LAN router only. */
	for (unsigned i = 0; i < 1000; i++) {
		struct sb_route_conf rc = {
			.dst = IP(17, 0, 0, 0) + (i << 8), .prefix_len = 24, .gw_port = -1,
			.gw = IP(192, 168, 1, 254), .distance = 1, .scope = 30, .target_scope = 10,
		};

		snprintf(rc.name, sizeof(rc.name), "lan%u", i);
		assert_true(sb_rib_add(f.rib, &rc) >= 0);
	}
	sb_rib_resolve(f.rib);
	sb_rib_fib_sync(f.rib, count_set, count_del, &fc);
	g_wan = conf(&f, "p0-a")->group;
	g_lan = conf(&f, "lan0")->group;
	assert_int_not_equal(g_wan, g_lan);
	assert_int_equal(conf(&f, "lan999")->group, g_lan);
	assert_int_equal(f.rib->n_classes, 2);
	lan_before = f.rib->g[g_lan];
	f.rib->port_down[1] = true;
	assert_int_equal(sb_rib_resolve(f.rib), 2);
	assert_memory_equal(&f.rib->g[g_lan], &lan_before, sizeof(lan_before));
	assert_int_equal(f.rib->g[g_wan].nh[0].port, 2);
	done(&f);
}

static void
test_rib_class_prefix_turns_special_when_it_covers_a_gateway(void **state)
{
	struct fixture f = make(PORTS
		"[route site]\ndst = 10.1.0.0/16\ngateway = 192.168.1.254\n");
	struct sb_route_conf rc = {
		.dst = IP(172, 20, 0, 0), .prefix_len = 16, .gw_port = -1, .gw = IP(10, 1, 0, 1),
		.distance = 1, .scope = 30, .target_scope = 30,
	};

	(void)state;
	assert_true(f.rib->g[conf(&f, "site")->group].shared);
	/* A route via an address inside "site": site may now resolve it. */
	snprintf(rc.name, sizeof(rc.name), "behind");
	assert_true(sb_rib_add(f.rib, &rc) >= 0);
	assert_false(route(&f, "behind")->active); /* not resolved yet */
	sb_rib_resolve(f.rib);
	assert_false(f.rib->g[conf(&f, "site")->group].shared);
	assert_true(route(&f, "behind")->active);
	assert_int_equal(group_of(&f, "behind")->nh[0].gw, IP(192, 168, 1, 254));
	assert_int_equal(group_of(&f, "behind")->nh[0].port, 0);
	done(&f);
}

static void
test_rib_changes_reports_each_route_once(void **state)
{
	struct fixture f = make(PORTS);
	unsigned n;

	(void)state;
	add_many(f.rib, 100, IP(16, 0, 0, 0));
	sb_rib_resolve(f.rib);
	n = sb_rib_changes(f.rib, NULL, NULL, 0);
	assert_int_equal(n, 3 + 200); /* first call: every route */
	assert_int_equal(sb_rib_changes(f.rib, NULL, NULL, 0), 0);
	f.rib->port_down[1] = true;
	sb_rib_resolve(f.rib);
	/* connected-wan1, and both routes of each of the 100 prefixes. */
	assert_int_equal(sb_rib_changes(f.rib, NULL, NULL, 0), 1 + 200);
	done(&f);
}

/* The lease's routes @ci and @di disabled (or enabled again), resolved:
 * what control/lease.c does when a lease goes (or comes back). */
static void
lease_routes(struct fixture *f, int ci, int di, bool disabled)
{
	f->rib->r[ci].disabled = disabled;
	sb_rib_route_changed(f->rib, (unsigned)ci);
	f->rib->r[di].disabled = disabled;
	sb_rib_route_changed(f->rib, (unsigned)di);
	sb_rib_resolve(f->rib);
}

/* A DHCP port has no connected route until its lease adds one; a route
 * over it resolves while that route is enabled and fails when the lease
 * goes (control/lease.c disables it). */
static void
test_rib_connected_route_of_a_lease(void **state)
{
	struct fixture f = make("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\n"
		"[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 5\n");
	struct sb_route_conf def = { .name = "dhcp-default-wan1", .dst = 0, .prefix_len = 0,
				     .gw = IP(203, 0, 113, 1), .gw_port = 1, .distance = 1,
				     .scope = 30, .target_scope = 10 };
	int ci, di;

	(void)state;
	assert_int_equal(sb_rib_find(f.rib, "connected-wan1"), -1);
	ci = sb_rib_add_connected(f.rib, "dhcp-connected-wan1", 1, IP(203, 0, 113, 10), 24);
	assert_true(ci >= 0);
	di = sb_rib_add(f.rib, &def);
	assert_true(di >= 0);
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "dhcp-connected-wan1")->active);
	assert_int_equal(conf(&f, "dhcp-connected-wan1")->dst, IP(203, 0, 113, 0));
	assert_true(route(&f, "dhcp-default-wan1")->active);
	assert_false(route(&f, "b")->active);
	/* The lease goes: both disabled, the static WAN carries the default. */
	lease_routes(&f, ci, di, true);
	assert_false(route(&f, "dhcp-connected-wan1")->active);
	assert_false(route(&f, "dhcp-default-wan1")->active);
	assert_true(route(&f, "b")->active);
	/* Back again (the same lease renewed after a loss). */
	lease_routes(&f, ci, di, false);
	assert_true(route(&f, "dhcp-default-wan1")->active);
	assert_false(route(&f, "b")->active);
	done(&f);
}

SB_TEST_MAIN("rib", NULL, NULL,
	     cmocka_unit_test(test_rib_connected_route_of_a_lease),
	     cmocka_unit_test(test_rib_connected_routes),
	     cmocka_unit_test(test_rib_lower_distance_wins),
	     cmocka_unit_test(test_rib_check_failed_moves_to_backup),
	     cmocka_unit_test(test_rib_equal_distance_is_ecmp),
	     cmocka_unit_test(test_rib_unreachable_gateway_inactive),
	     cmocka_unit_test(test_rib_recursive_seed000),
	     cmocka_unit_test(test_rib_recursive_needs_target_scope),
	     cmocka_unit_test(test_rib_anchor_routes_fail_over_together),
	     cmocka_unit_test(test_rib_chained_static_with_raised_target_scope),
	     cmocka_unit_test(test_rib_loop_is_inactive),
	     cmocka_unit_test(test_rib_disabled_route),
	     cmocka_unit_test(test_rib_port_down_takes_dependants),
	     cmocka_unit_test(test_rib_last_resort_when_all_checks_failed),
	     cmocka_unit_test(test_rib_many_prefixes_share_one_group),
	     cmocka_unit_test(test_rib_failover_rewrites_groups_not_prefixes),
	     cmocka_unit_test(test_rib_failover_leaves_other_classes_alone),
	     cmocka_unit_test(test_rib_wan_out_fails_its_routes),
	     cmocka_unit_test(test_rib_wan_out_recursive),
	     cmocka_unit_test(test_rib_class_prefix_turns_special_when_it_covers_a_gateway),
	     cmocka_unit_test(test_rib_changes_reports_each_route_once))
