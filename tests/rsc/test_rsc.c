/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: every RouterOS block of the seeds (the .rsc files here,
 * adapted to the lab) is imported, loaded with switchback's config loader
 * and RIB, and resolves as its document says, also when a gateway or a
 * monitor fails; the reader's spellings and variables; malformed input
 * gives line-numbered errors. */
#include "../test_common.h"

#include <stdbool.h>
#include <stdint.h>

#include "sb_config.h"
#include "rib.h"
#include "rsc_import.h"

#ifndef RSC_DIR
#error "RSC_DIR: the tests/rsc source folder"
#endif
#define PORTS RSC_DIR "/lab-ports.ini"
#define PORTS004 RSC_DIR "/lab-ports-004.ini"

struct res {
	int rc;
	char *ini;
	char *err;              /* what was reported, NUL-terminated */
	struct sb_config *cfg;
	struct sb_rib *rib;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct res
import_text(const char *text, const char *ports, const char *name, uint32_t interval)
{
	struct rsc_import_opts o = { .ports_path = ports, .src_name = name,
				     .check_interval_ms = interval };
	struct res r = { 0 };
	size_t errlen = 0;
	FILE *err = open_memstream(&r.err, &errlen);

	assert_non_null(err);
	r.rc = rsc_import(text, strlen(text), &o, &r.ini, err);
	fclose(err);
	if (r.ini != NULL) {
		char msg[512];
		const char *path = sb_test_write_tmp(r.ini);

		assert_non_null(path);
		r.cfg = sb_config_load(path, msg, sizeof(msg));
		unlink(path);
		if (r.cfg == NULL)
			fail_msg("imported INI refused: %s\n%s", msg, r.ini);
		r.rib = sb_rib_create(r.cfg);
		assert_non_null(r.rib);
		sb_rib_resolve(r.rib);
	}
	return r;
}

static struct res
import_file(const char *file, const char *ports)
{
	char path[512];
	size_t len;
	char *text;
	struct res r;

	snprintf(path, sizeof(path), "%s/%s", RSC_DIR, file);
	text = slurp(path, &len);
	r = import_text(text, ports, file, 0);
	free(text);
	return r;
}

static void
done(struct res *r)
{
	sb_rib_free(r->rib);
	sb_config_free(r->cfg);
	free(r->ini);
	free(r->err);
}

static uint32_t
ip(const char *s)
{
	uint32_t a;

	assert_int_equal(sb_config_parse_ipv4(s, &a), 0);
	return a;
}

static int
port(const struct res *r, const char *name)
{
	int p = sb_config_port_index(r->cfg, name);

	if (p < 0)
		fail_msg("no port %s", name);
	return p;
}

/* The RIB index of the route in @table to @dst through @gw. */
static unsigned
rt(const struct res *r, const char *table, const char *dst, const char *gw)
{
	uint32_t d, g = ip(gw);
	uint8_t len;

	assert_int_equal(sb_config_parse_prefix(dst, &d, &len, false), 0);
	for (unsigned i = 0; i < r->cfg->n_routes; i++) {
		const struct sb_route_conf *c = &r->cfg->routes[i];

		if (c->dst == d && c->prefix_len == len && c->gw == g &&
		    strcmp(r->cfg->tables[c->table], table) == 0) {
			int k = sb_rib_find(r->rib, c->name);

			assert_true(k >= 0);
			return (unsigned)k;
		}
	}
	fail_msg("no route %s %s via %s", table, dst, gw);
	return 0;
}

static bool
active(const struct res *r, const char *table, const char *dst, const char *gw)
{
	return sb_rib_result(r->rib, rt(r, table, dst, gw))->active;
}

/* The port route's traffic leaves through, and its next hop. */
static void
assert_path(const struct res *r, const char *table, const char *dst, const char *gw,
	    const char *pname, const char *nh)
{
	const struct sb_rib_result *a = sb_rib_result(r->rib, rt(r, table, dst, gw));

	assert_true(a->active);
	assert_true(a->n_nh >= 1);
	assert_int_equal(a->nh[0].port, port(r, pname));
	assert_int_equal(a->nh[0].gw, ip(nh));
}

static void
check_failed(struct res *r, const char *table, const char *dst, const char *gw, bool failed)
{
	r->rib->r[rt(r, table, dst, gw)].check_failed = failed;
	sb_rib_resolve(r->rib);
}

static unsigned
skipped_lines(const struct res *r)
{
	unsigned n = 0;

	for (const char *p = r->err; (p = strstr(p, ": skipped: ")) != NULL; p++)
		n++;
	return n;
}

/* ---- seed 000 ---- */

static void
test_rsc_000_basic_failover(void **state)
{
	struct res r = import_file("000-basic-failover.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_true(r.cfg->ports[port(&r, "wan1")].masquerade);
	assert_true(r.cfg->ports[port(&r, "wan2")].masquerade);
	assert_int_equal(r.cfg->ports[port(&r, "lan")].role, SB_ROLE_LAN);
	/* The monitors go out through their own ISP. */
	assert_path(&r, "main", "192.0.2.53/32", "203.0.113.1", "wan1", "203.0.113.1");
	assert_path(&r, "main", "192.0.2.54/32", "198.51.100.1", "wan2", "198.51.100.1");
	/* ISP1 preferred, resolved recursively over 192.0.2.53. */
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.53", "wan1", "203.0.113.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.54"));
	assert_string_equal(sb_rib_result(r.rib, rt(&r, "main", "0.0.0.0/0", "192.0.2.54"))->reason,
			    "higher distance");
	/* Host1 stops answering (gateway dead or upstream blackholed). */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.53", true);
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.53"));
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	/* It answers again: back to ISP1. */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.53", false);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.53", "wan1", "203.0.113.1");
	/* RouterOS's check-gateway timing. */
	assert_int_equal(r.cfg->probe_interval_ms, 10000);
	assert_int_equal(r.cfg->probe_down_after, 2);
	done(&r);
}

static void
test_rsc_000_double_monitor(void **state)
{
	struct res r = import_file("000-double-monitor.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	/* Two defaults at distance 1 through ISP1: ECMP. */
	assert_true(active(&r, "main", "0.0.0.0/0", "192.0.2.53"));
	assert_true(active(&r, "main", "0.0.0.0/0", "192.0.2.55"));
	assert_true(sb_rib_result(r.rib, rt(&r, "main", "0.0.0.0/0", "192.0.2.55"))->ecmp);
	/* One host of ISP1 unreachable: ISP1 still carries the traffic. */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.53", true);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.55", "wan1", "203.0.113.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.54"));
	/* Both: complete switch-over to ISP2 (ECMP over its two hosts). */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.55", true);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.56", "wan2", "198.51.100.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.53"));
	done(&r);
}

/* ---- seed 001 ---- */

static void
test_rsc_001_recursive_scopes(void **state)
{
	struct res r = import_file("001-recursive.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	/* A resolves through the static route B (target-scope 30). */
	assert_path(&r, "main", "198.18.100.0/24", "198.18.1.2", "wan1", "203.0.113.1");
	assert_path(&r, "main", "198.18.1.0/24", "203.0.113.1", "wan1", "203.0.113.1");
	/* C was added with target-scope 10, then set to 30 by [find]. */
	assert_int_equal(r.rib->r[rt(&r, "main", "198.18.101.0/24", "198.18.1.2")].target_scope, 30);
	assert_path(&r, "main", "198.18.101.0/24", "198.18.1.2", "wan1", "203.0.113.1");
	done(&r);
}

static void
test_rsc_001_recursive_without_fix_is_inactive(void **state)
{
	size_t len;
	char *text = slurp(RSC_DIR "/001-recursive.rsc", &len);
	char *fix = strstr(text, "\n/ip/route set");
	struct res r;

	(void)state;
	assert_non_null(fix);
	fix[1] = '\0'; /* without the troubleshooting section's fix */
	r = import_text(text, PORTS, "001-recursive.rsc", 0);
	assert_int_equal(r.rc, RSC_OK);
	assert_false(active(&r, "main", "198.18.101.0/24", "198.18.1.2"));
	assert_string_equal(sb_rib_result(r.rib, rt(&r, "main", "198.18.101.0/24",
						    "198.18.1.2"))->reason, "gateway unreachable");
	done(&r);
	free(text);
}

static void
test_rsc_001_anchor_routes(void **state)
{
	struct res r = import_file("001-anchor.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	assert_path(&r, "main", "198.18.100.0/24", "203.0.113.1", "wan1", "203.0.113.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "198.51.100.1"));
	/* WAN1's anchor fails: every route through it goes at once. */
	check_failed(&r, "main", "203.0.113.1/32", "203.0.113.1", true);
	assert_false(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	assert_false(active(&r, "main", "198.18.100.0/24", "203.0.113.1"));
	assert_path(&r, "main", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	assert_path(&r, "main", "198.18.100.0/24", "198.51.100.1", "wan2", "198.51.100.1");
	check_failed(&r, "main", "203.0.113.1/32", "203.0.113.1", false);
	assert_path(&r, "main", "198.18.100.0/24", "203.0.113.1", "wan1", "203.0.113.1");
	done(&r);
}

static void
test_rsc_001_check_gateway(void **state)
{
	struct res r = import_file("001-check-gateway.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	check_failed(&r, "main", "0.0.0.0/0", "203.0.113.1", true);
	assert_path(&r, "main", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	done(&r);
}

/* A netwatch taking WAN1's default out while its host is down is a [wan]
 * monitor: the WAN out of service (port_out) does the same. */
static void
netwatch_case(const char *file)
{
	struct res r = import_file(file, PORTS);
	int w1 = port(&r, "wan1");
	const struct sb_wan_conf *w = &r.cfg->wan[w1];

	assert_int_equal(r.rc, RSC_OK);
	assert_true(w->enabled);
	assert_int_equal(w->n_monitors, 1);
	assert_int_equal(w->monitor[0], ip("192.0.2.53"));
	assert_int_equal(w->gateway, ip("203.0.113.1"));
	assert_int_equal(w->interval_ms, 10000);
	assert_int_equal(w->timeout_ms, 3000);
	assert_int_equal(w->down_after, 1);
	assert_false(r.cfg->wan[port(&r, "wan2")].enabled);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	r.rib->port_out[w1] = true;
	sb_rib_resolve(r.rib);
	assert_false(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	assert_path(&r, "main", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	r.rib->port_out[w1] = false;
	sb_rib_resolve(r.rib);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	done(&r);
}

static void
test_rsc_001_netwatch_distance(void **state)
{
	(void)state;
	netwatch_case("001-netwatch-distance.rsc");
}

static void
test_rsc_001_netwatch_enable_disable(void **state)
{
	(void)state;
	netwatch_case("001-netwatch-enable.rsc");
}

static void
test_rsc_001_netwatch_not_same_meaning(void **state)
{
	/* A backup at distance 30: raising the primary to 20 keeps it in
	 * use on RouterOS, where a [wan] would take it out. */
	{
		size_t len;
		char *t = slurp(RSC_DIR "/001-netwatch-distance.rsc", &len), *p;
		struct res r;

		p = strstr(t, "gateway=198.51.100.1 distance=10");
		assert_non_null(p);
		memcpy(p + strlen("gateway=198.51.100.1 distance="), "30", 2);
		r = import_text(t, PORTS, "nw", 0);
		assert_int_equal(r.rc, RSC_SKIPPED);
		assert_non_null(strstr(r.err, "raised distance leaves the route ahead"));
		assert_false(r.cfg->wan[port(&r, "wan1")].enabled);
		done(&r);
		free(t);
	}
	struct res r = import_file("001-netwatch-flush.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_non_null(strstr(r.err, "001-netwatch-flush.rsc:6: skipped: /tool netwatch"));
	assert_false(r.cfg->wan[port(&r, "wan1")].enabled);
	done(&r);
	r = import_file("001-netwatch-confirm.rsc", PORTS);
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_non_null(strstr(r.err, "001-netwatch-confirm.rsc:6: skipped:"));
	assert_false(r.cfg->wan[port(&r, "wan1")].enabled);
	/* The routes stay, unmanaged. */
	assert_true(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	done(&r);
}

static void
test_rsc_001_masquerade_list(void **state)
{
	struct res r = import_file("001-masquerade-list.rsc", PORTS);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_true(r.cfg->ports[port(&r, "wan1")].masquerade);
	assert_true(r.cfg->ports[port(&r, "wan2")].masquerade);
	assert_false(r.cfg->ports[port(&r, "lan")].masquerade);
	assert_int_equal(r.cfg->ports[port(&r, "wan1")].role, SB_ROLE_WAN);
	done(&r);
}

static void
test_rsc_001_ecmp(void **state)
{
	struct res r = import_file("001-ecmp.rsc", PORTS);
	const struct sb_rib_result *a;

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_int_equal(r.cfg->ecmp_hash, SB_ECMP_L4);
	a = sb_rib_result(r.rib, rt(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	assert_true(a->active && a->ecmp);
	assert_true(active(&r, "main", "0.0.0.0/0", "198.51.100.1"));
	assert_int_equal(r.rib->g[r.rib->r[rt(&r, "main", "0.0.0.0/0", "203.0.113.1")].group].n_nh,
			 2);
	/* One gateway's probe fails: it leaves the group, the other stays. */
	check_failed(&r, "main", "0.0.0.0/0", "198.51.100.1", true);
	assert_false(active(&r, "main", "0.0.0.0/0", "198.51.100.1"));
	assert_int_equal(r.rib->g[r.rib->r[rt(&r, "main", "0.0.0.0/0", "203.0.113.1")].group].n_nh,
			 1);
	done(&r);
}

static void
test_rsc_001_pcc(void **state)
{
	struct res r = import_file("001-pcc.rsc", PORTS);
	int w1, w2;

	(void)state;
	/* Only the output chain (router-originated traffic) is skipped. */
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_int_equal(skipped_lines(&r), 2);
	assert_non_null(strstr(r.err, "001-pcc.rsc:34: skipped: /ip firewall mangle chain=output"));
	assert_non_null(strstr(r.err, "001-pcc.rsc:36: skipped: /ip firewall mangle chain=output"));
	w1 = port(&r, "wan1");
	w2 = port(&r, "wan2");
	assert_true(r.cfg->pcc_classifier >= 0);
	assert_int_equal(r.cfg->ports[w1].pcc_weight, 1);
	assert_int_equal(r.cfg->ports[w2].pcc_weight, 1);
	assert_string_equal(r.cfg->tables[r.cfg->ports[w1].pcc_table], "to_wan1");
	assert_string_equal(r.cfg->tables[r.cfg->ports[w2].pcc_table], "to_wan2");
	assert_path(&r, "to_wan1", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	assert_path(&r, "to_wan2", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	/* WAN1's gateway dies: main's primary goes (a dead gateway is dead
	 * for every route through it) and main falls back to WAN2. Table
	 * to_wan1 keeps its only route as a last resort: switchback stops
	 * giving new connections to a member whose checks all failed, where
	 * RouterOS still marks them and routes them by main (docs/routeros.md). */
	check_failed(&r, "to_wan1", "0.0.0.0/0", "203.0.113.1", true);
	assert_true(sb_rib_result(r.rib, rt(&r, "to_wan1", "0.0.0.0/0", "203.0.113.1"))->last_resort);
	assert_false(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	assert_path(&r, "main", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	done(&r);
}

/* ---- seed 004 ---- */

static char *
text004(const char *from, const char *to)
{
	size_t len;
	char *t = slurp(RSC_DIR "/004-dual-wan-pcc.rsc", &len), *p, *n;

	if (from == NULL)
		return t;
	p = strstr(t, from);
	assert_non_null(p);
	n = malloc(len + strlen(to) + 1);
	assert_non_null(n);
	sprintf(n, "%.*s%s%s", (int)(p - t), t, to, p + strlen(from));
	free(t);
	return n;
}

static void
test_rsc_004_dual_wan_pcc(void **state)
{
	char *t = text004(NULL, NULL);
	struct res r = import_text(t, PORTS004, "004-dual-wan-pcc.rsc", 0);
	int w1, w2;

	(void)state;
	/* Bridge, DHCP server, filter, DNS and e-mail are reported. */
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_int_equal(skipped_lines(&r), 11);
	assert_non_null(strstr(r.err, "004-dual-wan-pcc.rsc:70: skipped: /interface bridge port"));
	w1 = port(&r, "wan1");
	w2 = port(&r, "wan2");
	/* Addresses from the variables. */
	assert_int_equal(r.cfg->ports[w1].addr, ip("203.0.113.2"));
	assert_int_equal(r.cfg->ports[port(&r, "lan")].addr, ip("192.168.1.1"));
	assert_true(r.cfg->ports[w1].masquerade && r.cfg->ports[w2].masquerade);
	/* PCC 1:1 from the :for loop over LBRatio1 + LBRatio2. */
	assert_int_equal(r.cfg->ports[w1].pcc_weight, 1);
	assert_int_equal(r.cfg->ports[w2].pcc_weight, 1);
	assert_string_equal(r.cfg->tables[r.cfg->ports[w1].pcc_table], "ISP1");
	assert_string_equal(r.cfg->tables[r.cfg->ports[w2].pcc_table], "ISP2");
	/* Both monitors of ISP1 carry main and table ISP1 (ECMP). */
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.53", "wan1", "203.0.113.1");
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.55", "wan1", "203.0.113.1");
	assert_path(&r, "ISP1", "0.0.0.0/0", "192.0.2.53", "wan1", "203.0.113.1");
	assert_path(&r, "ISP2", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	/* One ISP1 monitor fails: nothing moves. */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.53", true);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.55", "wan1", "203.0.113.1");
	assert_path(&r, "ISP1", "0.0.0.0/0", "192.0.2.55", "wan1", "203.0.113.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.54"));
	/* Both fail: main and ISP1's table fail over to ISP2 (cross-ISP). */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.55", true);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	assert_path(&r, "ISP1", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	assert_path(&r, "ISP2", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "203.0.113.1")); /* failsafe waits */
	/* Every monitor dead: the failsafe routes (251/252) take over. */
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.54", true);
	check_failed(&r, "main", "0.0.0.0/0", "192.0.2.56", true);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	done(&r);
	free(t);
}

static void
test_rsc_004_variables_drive_the_result(void **state)
{
	char *t = text004(":local lLBRatio1 1", ":local lLBRatio1 3");
	struct res r = import_text(t, PORTS004, "004", 0);

	(void)state;
	/* 3:1 -> four remainders, three to ISP1. */
	assert_int_equal(r.cfg->ports[port(&r, "wan1")].pcc_weight, 3);
	assert_int_equal(r.cfg->ports[port(&r, "wan2")].pcc_weight, 1);
	done(&r);
	free(t);
	t = text004(":local lPreferredISP \"ISP1\"", ":local lPreferredISP \"ISP2\"");
	r = import_text(t, PORTS004, "004", 0);
	assert_path(&r, "main", "0.0.0.0/0", "192.0.2.54", "wan2", "198.51.100.1");
	assert_false(active(&r, "main", "0.0.0.0/0", "192.0.2.53"));
	done(&r);
	free(t);
}

/* A v7 /export: defconf's masquerade (ipsec-policy=out,none) on list WAN,
 * a DHCP-client uplink given its address by PORTS.ini, export defaults. */
static void
test_rsc_v7_export(void **state)
{
	struct res r = import_file("export-v7.rsc", PORTS);
	const struct sb_rib_result *b;

	(void)state;
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_int_equal(skipped_lines(&r), 14);
	/* PORTS.ini gives ether1 the lab's static address. */
	assert_non_null(strstr(r.err, "export-v7.rsc:36: note: /ip dhcp-client on ether1: PORTS.ini"));
	assert_false(r.cfg->ports[port(&r, "wan1")].dhcp.enabled);
	assert_true(r.cfg->ports[port(&r, "wan1")].masquerade);
	assert_true(r.cfg->ports[port(&r, "wan2")].masquerade);
	assert_int_equal(r.cfg->ecmp_hash, SB_ECMP_L3);
	assert_path(&r, "main", "0.0.0.0/0", "203.0.113.1", "wan1", "203.0.113.1");
	b = sb_rib_result(r.rib, rt(&r, "backup", "0.0.0.0/0", "198.51.100.1"));
	assert_false(b->active);
	assert_string_equal(b->reason, "disabled");
	check_failed(&r, "main", "0.0.0.0/0", "203.0.113.1", true);
	assert_path(&r, "main", "0.0.0.0/0", "198.51.100.1", "wan2", "198.51.100.1");
	done(&r);
}

/* /ip dhcp-client -> address = dhcp and its keys. */
static void
test_rsc_dhcp_client(void **state)
{
	const char *t = "/ip address add address=192.168.1.1/24 interface=bridge\n"
			"/ip dhcp-client add interface=ether1 default-route-distance=5 "
			"check-gateway=ping host-name=gw1 use-peer-dns=no\n"
			"/ip dhcp-client add interface=ether2 add-default-route=no\n"
			"/ip firewall nat add chain=srcnat action=masquerade out-interface=ether1\n";
	struct res r = import_text(t, NULL, "d", 0);
	const struct sb_port_conf *p1, *p2;

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	p1 = &r.cfg->ports[port(&r, "ether1")];
	p2 = &r.cfg->ports[port(&r, "ether2")];
	assert_true(p1->dhcp.enabled && p2->dhcp.enabled);
	assert_int_equal(p1->role, SB_ROLE_WAN);
	assert_true(p1->masquerade);
	assert_int_equal(p1->dhcp.distance, 5);
	assert_int_equal(p1->dhcp.check, SB_CHECK_PING);
	assert_string_equal(p1->dhcp.hostname, "gw1");
	assert_true(p1->dhcp.default_route);
	assert_false(p2->dhcp.default_route);
	assert_int_equal(r.cfg->ports[port(&r, "bridge")].role, SB_ROLE_LAN);
	done(&r);
}

/* :while with a counter, as PCC scripts deal remainders: 2 of 3 to ISP1. */
static void
test_rsc_while_loop(void **state)
{
	const char *t =
		"/routing table add name=t1 fib\n/routing table add name=t2 fib\n"
		"/ip route add gateway=203.0.113.1 routing-table=t1\n"
		"/ip route add gateway=198.51.100.1 routing-table=t2\n"
		":local r1 2\n:local r2 1\n:local total ($r1 + $r2)\n:local k 0\n"
		"/ip firewall mangle\n"
		":while ($k < $total) do={\n"
		"    :local m \"c2\"\n"
		"    :if ($k < $r1) do={ :set m \"c1\" }\n"
		"    add chain=prerouting in-interface=bridge per-connection-classifier=(\"src-address:\" . $total . \"/\" . $k) \\\n"
		"        action=mark-connection new-connection-mark=$m passthrough=yes\n"
		"    :set k ($k + 1)\n"
		"}\n"
		"add chain=prerouting connection-mark=c1 action=mark-routing new-routing-mark=t1\n"
		"add chain=prerouting connection-mark=c2 action=mark-routing new-routing-mark=t2\n"
		":while (true) do={ :set k ($k + 1) }\n"
		":while ($nothing) do={ :put x }\n";
	struct res r = import_text(t, PORTS, "w", 0);

	(void)state;
	assert_int_equal(r.rc, RSC_SKIPPED); /* the endless and the unknown loop */
	assert_non_null(strstr(r.err, "w:19: skipped: :while: stopped after 4096 rounds"));
	assert_non_null(strstr(r.err, "w:20: skipped: :while skipped: variable $nothing"));
	assert_int_equal(r.cfg->ports[port(&r, "wan1")].pcc_weight, 2);
	assert_int_equal(r.cfg->ports[port(&r, "wan2")].pcc_weight, 1);
	done(&r);
	/* Nested endless loops share one budget: bounded, reported. */
	r = import_text(":local k 0\n:while (true) do={ :while (true) do={ :while (true) do={ "
			":set k ($k + 1) } } }\n/ip route add gateway=203.0.113.1\n", PORTS, "n", 0);
	assert_int_equal(r.rc, RSC_SKIPPED);
	assert_non_null(strstr(r.err, "n:2: skipped: :while: stopped after"));
	assert_true(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	done(&r);
}

/* ---- the reader ---- */

static void
test_rsc_spellings_are_equal(void **state)
{
	const char *a = "/ip route add dst-address=198.18.100.0/24 gateway=203.0.113.1 \\\n"
			"    distance=3 comment=\"x y\"\n";
	const char *b = "/ip/route/add dst-address=198.18.100.0/24 gateway=203.0.113.1 "
			"distance=3 comment=\"x y\"\n";
	const char *c = "{\n:local g \"203.0.113.1\"\n:local d 3\n/ip route add "
			"dst-address=198.18.100.0/24 gateway=$g distance=$d comment=\"x $\"\"y\"\n}\n";
	struct res ra = import_text(a, PORTS, "a", 0), rb = import_text(b, PORTS, "b", 0);
	struct res rc;

	(void)state;
	assert_int_equal(ra.rc, RSC_OK);
	assert_int_equal(rb.rc, RSC_OK);
	/* Same INI but for the source name in its first line. */
	assert_string_equal(strchr(ra.ini, '\n'), strchr(rb.ini, '\n'));
	done(&ra);
	done(&rb);
	/* Variables in a block, and "$" before a quote is no variable. */
	rc = import_text(c, PORTS, "c", 0);
	assert_int_equal(rc.rc, RSC_OK);
	assert_int_equal(rc.cfg->routes[0].gw, ip("203.0.113.1"));
	assert_int_equal(rc.cfg->routes[0].distance, 3);
	assert_string_equal(rc.cfg->routes[0].comment, "x $y");
	done(&rc);
}

static void
test_rsc_v6_routing_mark_and_gateway_list(void **state)
{
	const char *t = "/ip route\n"
			"add dst-address=0.0.0.0/0 gateway=203.0.113.1,198.51.100.1 routing-mark=both\n"
			"add dst-address=198.18.0.0/24 gateway=ether2\n";
	struct res r = import_text(t, PORTS, "v6", 0);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_true(active(&r, "both", "0.0.0.0/0", "203.0.113.1"));
	assert_true(active(&r, "both", "0.0.0.0/0", "198.51.100.1"));
	assert_true(sb_rib_result(r.rib, rt(&r, "both", "0.0.0.0/0", "198.51.100.1"))->ecmp);
	assert_int_equal(r.cfg->routes[r.cfg->n_routes - 1].gw_port, port(&r, "wan2"));
	done(&r);
}

static void
test_rsc_unknown_lines_are_reported(void **state)
{
	const char *t = "/system identity set name=gw\n"
			"/ip firewall nat add chain=dstnat action=dst-nat to-addresses=192.168.1.5\n"
			"/ip route add gateway=203.0.113.1 pref-src=203.0.113.2\n"
			"/ip firewall nat add chain=srcnat action=masquerade out-interface=ether1 "
			"protocol=tcp\n"
			"/ip settings set ecmp-hash-policy=l3-inner\n"
			":foreach i in=(1,2) do={ :put $i }\n"
			"/ip smb shares set [ find default=yes ] directory=/pub\n"
			"/interface ethernet switch port set 0 vlan-mode=secure\n";
	struct res r = import_text(t, PORTS, "u", 0);

	(void)state;
	assert_int_equal(r.rc, RSC_SKIPPED);
	for (int l = 1; l <= 8; l++) {
		char want[32];

		snprintf(want, sizeof(want), "u:%d: skipped: ", l);
		if (strstr(r.err, want) == NULL)
			fail_msg("line %d not reported:\n%s", l, r.err);
	}
	assert_true(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	done(&r);
}

/* Malformed input: line-numbered errors, no INI, no crash. */
static void
expect_error(const char *text, const char *where)
{
	struct res r = import_text(text, PORTS, "bad", 0);

	assert_int_equal(r.rc, RSC_FAILED);
	assert_null(r.ini);
	if (strstr(r.err, where) == NULL)
		fail_msg("expected \"%s\" in:\n%s", where, r.err);
	done(&r);
}

static void
test_rsc_malformed_input(void **state)
{
	char big[70000];

	(void)state;
	expect_error("/ip route\nadd gateway=203.0.113.1 comment=\"open\n"
		     "add gateway=198.51.100.1\n", "bad:2: error: unterminated quoted string");
	expect_error("/ip rout add gateway=1.2.3.4\n", "bad:1: error: /ip rout: unknown menu or command "
		     "\"rout\"");
	expect_error("/foo/bar add x=1\n", "bad:1: error:");
	expect_error("/ip firewall mangel add chain=x\n", "bad:1: error: /ip firewall mangel: "
		     "unknown menu or command \"mangel\" in /ip firewall");
	expect_error("/ip route\nadd gateway=\n", "bad:2: error: /ip route add: gateway: value "
		     "missing");
	expect_error("/ip route\n\nadd gateway=203.0.113.1 distance=0\n", "bad:3: error: /ip route "
		     "distance=0");
	expect_error("/ip route set [find gateway=1.1.1.1\n", "bad:1: error:");
	expect_error("/ip route add gateway=(1 + \n", "bad:1: error:");
	expect_error("{\n/ip route add gateway=203.0.113.1\n", "bad:1: error: '{' is never closed");
	expect_error("}\n", "bad:1: error: unexpected '}'");
	expect_error("/ip route add dst-address=10.0.0.1/8 gateway=203.0.113.1\n",
		     "bad:1: error: /ip route dst-address=10.0.0.1/8: host bits set");
	expect_error("/ip route set distance=2\n", "bad:1: error: /ip route set: which items?");
	expect_error(":local\n", "bad:1: error: :local: a variable name is expected");
	expect_error("add gateway=1.2.3.4\n", "bad:1: error: add outside any menu");
	expect_error("/ip route add gateway=1.2.3.4 = x\n", "bad:1: error: '=' without a name");
	/* Deep nesting is bounded. */
	memset(big, '{', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "bad:1: error:");
	memset(big, '(', sizeof(big) - 1);
	memcpy(big, ":local x ", 9);
	expect_error(big, "bad:1: error:");
	/* Binary junk. */
	for (size_t i = 0; i < 4096; i++)
		big[i] = (char)(i * 131 + 7);
	big[4096] = '\0';
	{
		struct res r = import_text(big, PORTS, "junk", 0);

		assert_int_equal(r.rc, RSC_FAILED);
		done(&r);
	}
}

static void
test_rsc_ports_file_errors(void **state)
{
	struct res r = import_text("/ip route add gateway=203.0.113.1\n", "/nonexistent.ini",
				   "p", 0);

	(void)state;
	assert_int_equal(r.rc, RSC_FAILED);
	assert_non_null(strstr(r.err, "/nonexistent.ini: cannot read"));
	done(&r);
	/* Without --ports: af_packet on the interfaces of the same name. */
	r = import_text("/ip address add address=203.0.113.2/24 interface=ether1\n"
			"/ip address add address=192.168.1.1/24 interface=ether2\n"
			"/ip route add gateway=203.0.113.1\n", NULL, "p", 0);
	assert_int_equal(r.rc, RSC_OK);
	assert_string_equal(r.cfg->ports[port(&r, "ether1")].device, "net_af_packet0,iface=ether1");
	assert_int_equal(r.cfg->ports[port(&r, "ether1")].role, SB_ROLE_WAN);
	assert_int_equal(r.cfg->ports[port(&r, "ether2")].role, SB_ROLE_LAN);
	done(&r);
}

/* iniparser lowercases section names: generated names are lowercase so
 * that values naming them (gateway = A%PORT) still match. */
static void
test_rsc_uppercase_names(void **state)
{
	const char *t = "/ip address add address=203.0.113.2/24 interface=WAN1\n"
			"/ip address add address=192.168.1.1/24 interface=LAN\n"
			"/ip route add gateway=203.0.113.1%WAN1 comment=\"Default Route\"\n";
	struct res r = import_text(t, NULL, "u", 0);

	(void)state;
	assert_int_equal(r.rc, RSC_OK);
	assert_int_equal(r.cfg->routes[0].gw_port, port(&r, "wan1"));
	assert_true(sb_rib_find(r.rib, "default-route") >= 0);
	assert_true(active(&r, "main", "0.0.0.0/0", "203.0.113.1"));
	done(&r);
}

/* Every seed, cut and mutated at random: always an answer, never a crash
 * (the ASan/UBSan build runs this too). */
static void
test_rsc_mutated_seeds_never_crash(void **state)
{
	static const char *const files[] = { "000-double-monitor.rsc", "001-anchor.rsc",
					     "001-netwatch-enable.rsc", "001-pcc.rsc",
					     "004-dual-wan-pcc.rsc" };
	static const char junk[] = "\"\\[]{}()$=;#\n /:%!~.,";
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[512];
		size_t len;
		char *orig;

		snprintf(path, sizeof(path), "%s/%s", RSC_DIR, files[f]);
		orig = slurp(path, &len);
		for (unsigned round = 0; round < 60; round++) {
			char *t = strdup(orig);
			struct rsc_import_opts o = { .ports_path = f == 4 ? PORTS004 : PORTS,
						     .src_name = "m" };
			char *ini = NULL;
			FILE *err = fopen("/dev/null", "w");
			int rc;

			assert_non_null(t);
			for (unsigned k = 0; k < 1 + round % 8; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				t[x % len] = junk[(x >> 32) % (sizeof(junk) - 1)];
			}
			if (round % 5 == 0)
				t[(x >> 16) % len] = '\0'; /* cut short */
			rc = rsc_import(t, strlen(t), &o, &ini, err);
			fclose(err);
			assert_true(rc == RSC_OK || rc == RSC_SKIPPED || rc == RSC_FAILED);
			assert_true((ini != NULL) == (rc != RSC_FAILED));
			free(ini);
			free(t);
		}
		free(orig);
	}
}

SB_TEST_MAIN("rsc", NULL, NULL,
	     cmocka_unit_test(test_rsc_000_basic_failover),
	     cmocka_unit_test(test_rsc_000_double_monitor),
	     cmocka_unit_test(test_rsc_001_recursive_scopes),
	     cmocka_unit_test(test_rsc_001_recursive_without_fix_is_inactive),
	     cmocka_unit_test(test_rsc_001_anchor_routes),
	     cmocka_unit_test(test_rsc_001_check_gateway),
	     cmocka_unit_test(test_rsc_001_netwatch_distance),
	     cmocka_unit_test(test_rsc_001_netwatch_enable_disable),
	     cmocka_unit_test(test_rsc_001_netwatch_not_same_meaning),
	     cmocka_unit_test(test_rsc_001_masquerade_list),
	     cmocka_unit_test(test_rsc_001_ecmp),
	     cmocka_unit_test(test_rsc_001_pcc),
	     cmocka_unit_test(test_rsc_004_dual_wan_pcc),
	     cmocka_unit_test(test_rsc_004_variables_drive_the_result),
	     cmocka_unit_test(test_rsc_v7_export),
	     cmocka_unit_test(test_rsc_dhcp_client),
	     cmocka_unit_test(test_rsc_while_loop),
	     cmocka_unit_test(test_rsc_spellings_are_equal),
	     cmocka_unit_test(test_rsc_v6_routing_mark_and_gateway_list),
	     cmocka_unit_test(test_rsc_unknown_lines_are_reported),
	     cmocka_unit_test(test_rsc_malformed_input),
	     cmocka_unit_test(test_rsc_ports_file_errors),
	     cmocka_unit_test(test_rsc_uppercase_names),
	     cmocka_unit_test(test_rsc_mutated_seeds_never_crash))
