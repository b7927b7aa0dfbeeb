/* SPDX-License-Identifier: BSD-3-Clause
 * Reload, the pure part (control/reload.c): every key is classed
 * reloadable or start-up only, in the code and in docs/config.md; a new
 * file's changes are listed, start-up-only ones kept as they run; what
 * cannot be applied at run time is refused with its reason. */
#include <errno.h>

#include "test_config_load.h"

#include "reload.h"
#include "pcc.h"

static const char *const sections[] = { "switchback", "timeouts", "check_gateway", "notify",
					"metrics", "xdp", "pcc", "port", "wan", "route", "neighbor",
					"forward", "nat1to1", NULL };

/* Every key the parser takes has a class, and docs/config.md's reload
 * table gives it the same one. */
static void
test_reload_every_key_classed_and_documented(void **state)
{
	FILE *f = fopen(SB_SOURCE_ROOT "/docs/config.md", "r");
	static char doc[256 * 1024];
	size_t n;
	unsigned keys = 0;

	(void)state;
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	for (const char *const *s = sections; *s; s++) {
		const char *const *k = sb_config_keys(*s);

		assert_non_null(k);
		for (; *k; k++) {
			bool known, live = sb_reload_key_live(*s, *k, &known);
			char row[160];

			if (!known)
				fail_msg("[%s] %s: not classed reloadable or start-up only (reload.c)", *s,
					 *k);
			snprintf(row, sizeof(row), "| `[%s]` | `%s` | %s |", *s, *k,
				 live ? "reloadable" : "start-up only");
			if (strstr(doc, row) == NULL)
				fail_msg("docs/config.md lacks the row \"%s\"", row);
			keys++;
		}
	}
	assert_true(keys > 60);
	{
		bool known;

		sb_reload_key_live("port", "speed", &known);
		assert_false(known);
	}
}

#define BASE \
	"[switchback]\nsessions = 1000\nmbufs = 32768\n" \
	"[check_gateway]\ninterval_ms = 200\n" \
	"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n" \
	"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\nmasquerade = yes\n" \
	"pcc_weight = 1\n" \
	"[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\npcc_weight = 1\n" \
	"[pcc]\nclassifier = src-address\n"

static struct sb_config *
cfg_of(const char *text)
{
	return sb_test_config(text);
}

static bool
listed(char lines[][SB_RELOAD_LINE], unsigned n, const char *part)
{
	for (unsigned i = 0; i < n; i++)
		if (strstr(lines[i], part) != NULL)
			return true;
	return false;
}

static void
test_reload_plan_lists_changes(void **state)
{
	struct sb_config *o = cfg_of(BASE
		"[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n"
		"[route d2]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 2\ntable = t2\n"
		"[route old]\ndst = 10.0.0.0/8\ngateway = 203.0.113.1\n"
		"[wan wan1]\nmonitors = 192.0.2.53\n"
		"[neighbor n1]\naddress = 203.0.113.1\nmac = 02:00:00:00:00:01\nport = wan1\n");
	/* Routes: d1 changed, d2 unchanged (its table now first named by
	 * another route), old removed, new added; [wan] quorum and monitors;
	 * a weight; the hook; a timeout, the ECMP hash and the PCC
	 * classifier (applied); and start-up-only keys: sessions, a port's
	 * vlan. */
	struct sb_config *n = cfg_of(BASE
		"[route new]\ndst = 172.16.0.0/12\ngateway = 198.51.100.1\ntable = t2\n"
		"[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 3\n"
		"[route d2]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 2\ntable = t2\n"
		"[wan wan1]\nmonitors = 192.0.2.53, 192.0.2.55\nquorum = 2\n"
		"[neighbor n1]\naddress = 203.0.113.1\nmac = 02:00:00:00:00:01\nport = wan1\n"
		"[notify]\nhook = true\n"
		"[timeouts]\nudp = 60\n");
	struct sb_reload_plan *p = malloc(sizeof(*p));
	int classifier = n->pcc_classifier;
	char err[256];

	(void)state;
	assert_non_null(p);
	n->ports[2].pcc_weight = 3;
	n->ports[1].vlan = 7;
	n->sessions = 5000;
	n->ecmp_hash = SB_ECMP_L3;
	n->pcc_classifier = classifier = SB_PCC_BOTH_PORTS;
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_true(listed(p->changes, p->n_changes, "route d1 changed: now 0.0.0.0/0 via 203.0.113.1 "
			   "distance 3"));
	assert_true(listed(p->changes, p->n_changes, "route new added: 172.16.0.0/12"));
	assert_true(listed(p->changes, p->n_changes, "route old removed"));
	assert_false(listed(p->changes, p->n_changes, "route d2"));
	assert_true(listed(p->changes, p->n_changes, "[wan wan1] monitors: now 192.0.2.53, 192.0.2.55"));
	assert_true(listed(p->changes, p->n_changes, "[wan wan1] quorum: 1 -> 2"));
	assert_true(listed(p->changes, p->n_changes, "[port wan2] pcc_weight: 1 -> 3"));
	assert_true(listed(p->changes, p->n_changes, "[notify] hook: \"\" -> \"true\""));
	assert_false(listed(p->changes, p->n_changes, "neighbor"));
	assert_true(listed(p->kept, p->n_kept, "[switchback] sessions: 1000 -> 5000 (start-up only"));
	assert_true(listed(p->changes, p->n_changes, "[timeouts] udp: 300 -> 60"));
	assert_true(listed(p->changes, p->n_changes, "[switchback] ecmp_hash: l4 -> l3"));
	assert_true(listed(p->changes, p->n_changes, "[pcc] classifier: src-address -> both-ports"));
	assert_true(listed(p->kept, p->n_kept, "[port wan1] vlan: 0 -> 7"));
	assert_int_equal(p->n_kept, 2);
	assert_true(p->routes && p->wans && p->pcc && p->notify && p->timeouts);
	assert_false(p->neighbours || p->webhook || p->metrics || p->policy);

	/* What runs: the old start-up-only values, the old table indices. */
	assert_string_equal(n->tables[1], "t2");       /* (new's own order too) */
	sb_reload_keep_startup(o, n);
	assert_int_equal(n->sessions, 1000);
	assert_int_equal(n->to_udp, 60);                  /* applied */
	assert_int_equal(n->ecmp_hash, SB_ECMP_L3);        /* applied */
	assert_int_equal(n->pcc_classifier, classifier);   /* applied */
	assert_int_equal(n->ports[1].vlan, 0);
	assert_int_equal(n->ports[2].pcc_weight, 3);   /* applied */
	assert_int_equal(n->routes[0].table, 1);       /* "new" in t2 = old index 1 */
	assert_string_equal(o->tables[n->routes[0].table], "t2");
	assert_int_equal(n->routes[1].table, 0);
	free(p);
	sb_config_free(o);
	sb_config_free(n);
}

static void
test_reload_plan_refuses_what_needs_a_restart(void **state)
{
	struct sb_config *o = cfg_of(BASE "[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n");
	struct sb_config *n;
	struct sb_reload_plan *p = malloc(sizeof(*p));
	char err[256];

	(void)state;
	/* A new routing table. */
	n = cfg_of(BASE "[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ntable = fresh\n");
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "routing table \"fresh\" is new"));
	sb_config_free(n);
	/* A port more. */
	n = cfg_of(BASE "[port x]\ndevice = d9\naddress = 10.0.0.1/8\n");
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "adding or removing a port"));
	sb_config_free(n);
	/* A port renamed (same count). */
	n = cfg_of("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		   "[port wanA]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\npcc_weight = 1\n"
		   "[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\npcc_weight = 1\n"
		   "[pcc]\nclassifier = src-address\n");
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "renaming or reordering"));
	sb_config_free(n);
	/* A WAN leaving PCC, another joining: applied (members go with each
	 * published state). */
	n = cfg_of(BASE "[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n");
	n->ports[2].pcc_weight = 0;
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_true(listed(p->changes, p->n_changes, "[port wan2] pcc_weight: 1 -> 0 (leaves PCC)"));
	assert_true(p->pcc && p->n_kept == 0);
	assert_int_equal(sb_reload_plan(n, o, p, err, sizeof(err)), 0);
	assert_true(listed(p->changes, p->n_changes, "[port wan2] pcc_weight: 0 -> 1 (joins PCC)"));
	assert_true(p->pcc && p->n_kept == 0);
	sb_config_free(n);
	/* The same file: nothing to do. */
	n = cfg_of(BASE "[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n");
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_int_equal(p->n_changes + p->n_kept, 0);
	assert_false(p->routes || p->wans || p->neighbours || p->notify || p->pcc);
	sb_config_free(n);
	free(p);
	sb_config_free(o);
}

/* A DHCP port runs on its lease's address, the file says "dhcp": the same
 * file again is no change, nothing is left for a restart. */
static void
test_reload_dhcp_port_address_is_the_lease(void **state)
{
	const char *text = "[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
			   "[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\n"
			   "dhcp_lease_file = none\n";
	struct sb_config *o = cfg_of(text), *n = cfg_of(text);
	struct sb_reload_plan *p = malloc(sizeof(*p));
	char err[256];

	(void)state;
	assert_non_null(p);
	o->ports[1].addr = 0xcb00710a;       /* bound: 203.0.113.10/24 */
	o->ports[1].prefix_len = 24;
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_int_equal(p->n_changes + p->n_kept, 0);
	sb_reload_keep_startup(o, n);
	assert_int_equal(n->ports[1].addr, 0xcb00710a);
	free(p);
	sb_config_free(o);
	sb_config_free(n);
}

/* Forwards and one-to-one mappings are start-up only: a change is listed
 * as kept, and what runs stays in the new config. */
static void
test_reload_forwards_kept(void **state)
{
	struct sb_config *o = cfg_of(BASE
		"[forward web]\nwan = wan1\nport = 80\nto = 192.168.1.10\n");
	struct sb_config *n = cfg_of(BASE
		"[forward web]\nwan = wan1\nport = 8080\nto = 192.168.1.10\n"
		"[nat1to1 cam]\nwan = wan1\nexternal = 203.0.113.9\ninternal = 192.168.1.9\n");
	struct sb_reload_plan *p = malloc(sizeof(*p));
	char err[256];

	(void)state;
	assert_non_null(p);
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_true(listed(p->kept, p->n_kept, "[forward] sections changed (start-up only"));
	assert_true(listed(p->kept, p->n_kept, "[nat1to1] sections changed (start-up only"));
	sb_reload_keep_startup(o, n);
	assert_int_equal(n->n_forwards, 1);
	assert_int_equal(n->forwards[0].ext_lo, 80);
	assert_int_equal(n->n_nat1to1, 0);
	assert_int_equal(sb_reload_plan(o, n, p, err, sizeof(err)), 0);
	assert_false(listed(p->kept, p->n_kept, "[forward]"));
	free(p);
	sb_config_free(o);
	sb_config_free(n);
}

SB_TEST_MAIN("reload", NULL, NULL,
	     cmocka_unit_test(test_reload_every_key_classed_and_documented),
	     cmocka_unit_test(test_reload_dhcp_port_address_is_the_lease),
	     cmocka_unit_test(test_reload_plan_lists_changes),
	     cmocka_unit_test(test_reload_forwards_kept),
	     cmocka_unit_test(test_reload_plan_refuses_what_needs_a_restart))
