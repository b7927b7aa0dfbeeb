/* SPDX-License-Identifier: BSD-3-Clause
 * Inbound NAT: [forward NAME] and [nat1to1 NAME] parsed and refused with
 * every error named (control/config_fwd.c), and the worker's table built
 * from them (dataplane/fwdtab.c): which forward a packet hits, its
 * internal port, source restriction, one-to-one lookups, reply gateways. */
#include "test_common.h"

#include "sb_config.h"
#include "fwdtab.h"
#include "nat.h"

static const char *ports =
	"[switchback]\n"
	"mbufs = 32768\n"
	"[port lan]\n"
	"device = net_null0\n"
	"address = 192.168.1.1/24\n"
	"[port lan2]\n"
	"device = net_null1\n"
	"address = 192.168.2.1/24\n"
	"[port wan1]\n"
	"device = net_null2\n"
	"role = wan\n"
	"address = 203.0.113.2/24\n"
	"masquerade = yes\n"
	"[port wan2]\n"
	"device = net_null3\n"
	"role = wan\n"
	"address = 198.51.100.2/24\n"
	"masquerade = yes\n"
	"[port wan3]\n"
	"device = net_null4\n"
	"role = wan\n"
	"address = 192.0.2.2/24\n"
	"[route monitor1]\n"
	"dst = 192.0.2.53/32\n"
	"gateway = 203.0.113.1\n"
	"[route default1]\n"
	"dst = 0.0.0.0/0\n"
	"gateway = 192.0.2.53\n"
	"[route default2]\n"
	"dst = 0.0.0.0/0\n"
	"gateway = 198.51.100.1\n"
	"distance = 2\n"
	"[route other2]\n"
	"dst = 10.0.0.0/8\n"
	"gateway = 198.51.100.9\n";

static struct sb_config *
load(const char *extra, char *err, size_t len)
{
	char text[8192];
	const char *path;
	struct sb_config *cfg;

	snprintf(text, sizeof(text), "%s%s", ports, extra);
	path = sb_test_write_tmp(text);
	assert_non_null(path);
	cfg = sb_config_load(path, err, len);
	unlink(path);
	return cfg;
}

/* Three forwards (one on every masquerading WAN, a range, both protocols)
 * and a one-to-one mapping. */
static const char *inbound =
	"[forward ssh]\n"
	"wan = wan1, wan2\n"
	"port = 2222\n"
	"to = 192.168.1.10\n"
	"to_port = 22\n"
	"allow = 198.51.100.0/24, 192.0.2.7\n"
	"comment = the \"bastion\"\n"
	"[forward rtp]\n"
	"wan = all\n"
	"proto = udp\n"
	"port = 10000-10009\n"
	"to = 192.168.2.20\n"
	"to_port = 20000-20009\n"
	"[forward web]\n"
	"wan = wan2\n"
	"proto = both\n"
	"port = 80\n"
	"to = 192.168.1.11\n"
	"[nat1to1 cam]\n"
	"wan = wan1\n"
	"external = 203.0.113.20\n"
	"internal = 192.168.1.20\n";

static void
test_fwd_parse_values(void **state)
{
	char err[2048];
	struct sb_config *cfg = load(
inbound, err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->n_forwards, 3);
	assert_string_equal(cfg->forwards[0].name, "ssh");
	assert_int_equal(cfg->forwards[0].wans, 1u << 2 | 1u << 3);
	assert_int_equal(cfg->forwards[0].protos, SB_FWD_TCP);   /* the default */
	assert_int_equal(cfg->forwards[0].ext_lo, 2222);
	assert_int_equal(cfg->forwards[0].ext_hi, 2222);
	assert_int_equal(cfg->forwards[0].to, 0xc0a8010a);
	assert_int_equal(cfg->forwards[0].to_lo, 22);
	assert_int_equal(cfg->forwards[0].lan_port, 0);
	assert_int_equal(cfg->forwards[0].n_allow, 2);
	assert_int_equal(cfg->forwards[0].allow[1].len, 32);
	assert_string_equal(cfg->forwards[0].comment, "the \"bastion\"");
	/* all: the masquerading WANs only (wan3 does not masquerade). */
	assert_true(cfg->forwards[1].all_wans);
	assert_int_equal(cfg->forwards[1].wans, 1u << 2 | 1u << 3);
	assert_int_equal(cfg->forwards[1].protos, SB_FWD_UDP);
	assert_int_equal(cfg->forwards[1].lan_port, 1);
	assert_int_equal(cfg->forwards[1].to_lo, 20000);
	assert_int_equal(cfg->forwards[2].protos, SB_FWD_TCP | SB_FWD_UDP);
	assert_int_equal(cfg->forwards[2].to_lo, 80);            /* to_port defaults to port */
	assert_int_equal(cfg->n_nat1to1, 1);
	assert_int_equal(cfg->nat1to1[0].wan, 2);
	assert_int_equal(cfg->nat1to1[0].external, 0xcb007114);
	assert_true(sb_config_extra_addr(cfg, 2, 0xcb007114));
	assert_false(sb_config_extra_addr(cfg, 3, 0xcb007114));
	assert_false(sb_config_extra_addr(cfg, 2, 0xcb007102));
	sb_config_free(cfg);
}

/* Every error is named, with its section and key, in one refusal. */
static void
test_fwd_refusals(void **state)
{
	char err[8192];
	struct sb_config *cfg = load(
		"[forward a]\n"
		"wan = wan1\n"
		"port = 1000-1010\n"
		"to = 192.168.1.10\n"
		"[forward overlap]\n"
		"wan = wan2, wan1\n"
		"proto = both\n"
		"port = 1010-1020\n"
		"to = 192.168.1.11\n"
		"[forward udp-ok]\n"
		"wan = wan1\n"
		"proto = udp\n"
		"port = 1005\n"
		"to = 192.168.1.11\n"
		"[forward outside]\n"
		"wan = wan1\n"
		"port = 3000\n"
		"to = 10.1.2.3\n"
		"[forward own]\n"
		"wan = wan1\n"
		"port = 3001\n"
		"to = 192.168.1.1\n"
		"[forward badwan]\n"
		"wan = lan, nosuch, wan3\n"
		"port = 3002\n"
		"to = 192.168.1.10\n"
		"[forward badport]\n"
		"wan = wan1\n"
		"proto = sctp\n"
		"port = 70000\n"
		"to = 192.168.1.10\n"
		"[forward badrange]\n"
		"wan = wan1\n"
		"port = 4000-4009\n"
		"to = 192.168.1.10\n"
		"to_port = 5000-5004\n"
		"[forward missing]\n"
		"allow = 300.1.1.1/8\n"
		"colour = red\n"
		"[nat1to1 out]\n"
		"wan = wan1\n"
		"external = 198.51.100.7\n"
		"internal = 10.0.0.1\n"
		"[nat1to1 same]\n"
		"wan = wan1\n"
		"external = 203.0.113.2\n"
		"internal = 192.168.1.20\n", err, sizeof(err));
	static const char *const want[] = {
		/* the overlap: a's tcp 1010 on wan1 (udp-ok's udp 1005 is fine) */
		"[forward overlap] port: overlaps forward a: tcp port 1010 on port wan1",
		"[forward outside] to: 10.1.2.3 is outside the LAN ports' subnets",
		"[forward own] to: 192.168.1.1 is the gateway's own address",
		"[forward badwan] wan: port lan is not a WAN port",
		"[forward badwan] wan: no port named \"nosuch\"",
		"[forward badwan] wan: port wan3 does not masquerade",
		"[forward badport] proto: expected tcp, udp or both",
		"[forward badport] port: expected a port 1-65535 or a range",
		"[forward badrange] to_port: the range 5000-5004 has 5 ports, port has 10",
		"[forward missing] wan: missing",
		"[forward missing] port: missing",
		"[forward missing] to: missing",
		"[forward missing] allow:",
		"[forward missing] colour: unknown key",
		"[nat1to1 out] external: 198.51.100.7 is outside the subnet of port wan1",
		"[nat1to1 out] internal: 10.0.0.1 is outside the LAN",
		"[nat1to1 same] external: 203.0.113.2 is a port's own address",
	};

	(void)state;
	assert_null(cfg);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(err, want[i]) == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], err);
	assert_null(strstr(err, "[forward udp-ok]"));
}

static void
test_fwd_nat1to1_duplicates(void **state)
{
	char err[2048];
	struct sb_config *cfg = load(
		"[nat1to1 a]\n"
		"wan = wan1\n"
		"external = 203.0.113.20\n"
		"internal = 192.168.1.20\n"
		"[nat1to1 b]\n"
		"wan = wan1\n"
		"external = 203.0.113.20\n"
		"internal = 192.168.1.20\n", err, sizeof(err));

	(void)state;
	assert_null(cfg);
	assert_non_null(strstr(err, "[nat1to1 b] external: the same external address as nat1to1 a"));
	assert_non_null(strstr(err, "[nat1to1 b] internal: the same internal address as nat1to1 a"));
}

/* On a DHCP WAN, one error: the port has no static subnet, and
 * `external` is not told it is outside a subnet not known yet. */
static void
test_fwd_nat1to1_on_dhcp_wan_is_one_error(void **state)
{
	char err[2048];
	struct sb_config *cfg = load(
		"[port wan4]\n"
		"device = net_null5\n"
		"role = wan\n"
		"address = dhcp\n"
		"masquerade = yes\n"
		"[nat1to1 cam]\n"
		"wan = wan4\n"
		"external = 198.18.4.20\n"
		"internal = 192.168.1.20\n", err, sizeof(err));

	(void)state;
	assert_null(cfg);
	assert_non_null(strstr(err, "[nat1to1 cam] wan: port wan4 takes its address from DHCP"));
	assert_null(strstr(err, "outside the subnet"));
	/* that error alone about the section */
	assert_null(strstr(strstr(err, "[nat1to1 cam]") + 1, "[nat1to1 cam]"));
}

/* The worker's lookups. */
static void
test_fwd_table_lookup(void **state)
{
	char err[2048];
	struct sb_fwdtab *t = calloc(1, sizeof(*t));
	struct sb_config *cfg = load(inbound, err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	sb_fwdtab_build(t, cfg);
	assert_int_equal(t->n, 3);
	/* on its WANs, its protocols, its ports only */
	assert_int_equal(sb_fwdtab_match(t, 3, 6, 2222), 0);
	assert_int_equal(sb_fwdtab_match(t, 2, 6, 2222), 0);
	assert_int_equal(sb_fwdtab_match(t, 4, 6, 2222), -1);
	assert_int_equal(sb_fwdtab_match(t, 3, 17, 2222), -1);
	assert_int_equal(sb_fwdtab_match(t, 3, 6, 2223), -1);
	assert_int_equal(sb_fwdtab_match(t, 3, 6, 80), 2);
	assert_int_equal(sb_fwdtab_match(t, 3, 17, 80), 2);
	assert_int_equal(sb_fwdtab_match(t, 2, 6, 80), -1);
	assert_int_equal(sb_fwdtab_match(t, 3, 1, 80), -1);
	/* a range maps to a range */
	assert_int_equal(sb_fwdtab_match(t, 2, 17, 10000), 1);
	assert_int_equal(sb_fwdtab_match(t, 3, 17, 10009), 1);
	assert_int_equal(sb_fwdtab_match(t, 3, 17, 10010), -1);
	assert_int_equal(sb_fwdtab_match(t, 4, 17, 10000), -1);
	assert_int_equal(sb_fwdtab_to_port(&t->r[1], 10007), 20007);
	assert_int_equal(sb_fwdtab_to_port(&t->r[0], 2222), 22);
	/* source restriction */
	assert_true(sb_fwdtab_allowed(&t->r[0], 0xc6336405));     /* 198.51.100.5 */
	assert_true(sb_fwdtab_allowed(&t->r[0], 0xc0000207));     /* 192.0.2.7 */
	assert_false(sb_fwdtab_allowed(&t->r[0], 0xc0000208));
	assert_true(sb_fwdtab_allowed(&t->r[1], 0x01020304));     /* no allow: any */
	/* one-to-one, both ways */
	assert_int_equal(sb_fwdtab_11_ext(t, 2, 0xcb007114), 0);
	assert_int_equal(sb_fwdtab_11_ext(t, 3, 0xcb007114), -1);
	assert_int_equal(sb_fwdtab_11_ext(t, -1, 0xcb007114), 0);
	assert_int_equal(sb_fwdtab_11_int(t, 0xc0a80114), 0);
	assert_int_equal(sb_fwdtab_11_int(t, 0xc0a80115), -1);
	/* reply gateways: wan1's on-subnet gateway (its default is recursive),
	 * wan2's default before its other route; wan3's subnet holds
	 * default1's gateway; none for a LAN */
	assert_int_equal(t->reply_gw[2], 0xcb007101);
	assert_int_equal(t->reply_gw[3], 0xc6336401);
	assert_int_equal(t->reply_gw[4], 0xc0000235);
	assert_int_equal(t->reply_gw[0], 0);
	sb_config_free(cfg);
	free(t);
}

/* Masquerade never hands out a reserved (forwarded) port, even asked for
 * it by port preservation and with the pool run dry. */
static void
test_fwd_reserved_ports_under_pressure(void **state)
{
	struct sb_nat_pool *pool = malloc(sizeof(*pool));
	unsigned got = 0;
	int port;

	(void)state;
	assert_non_null(pool);
	sb_nat_pool_init(pool);
	sb_nat_port_reserve(pool, SB_NAT_TCP, 8022);
	for (unsigned p = 7000; p <= 7004; p++)
		sb_nat_port_reserve(pool, SB_NAT_UDP, (uint16_t)p);
	assert_true(sb_nat_port_used(pool, SB_NAT_TCP, 8022));
	assert_false(sb_nat_port_used(pool, SB_NAT_UDP, 8022));
	/* Asked for 8022 every time until the pool is empty. */
	while ((port = sb_nat_port_alloc(pool, SB_NAT_TCP, 8022, got * 2654435761u, 1)) >= 0) {
		assert_int_not_equal(port, 8022);
		got++;
	}
	assert_int_equal(port, -ENOSPC);
	/* every port of 1024-65535 but the reserved one */
	assert_int_equal(got, 65536 - SB_NAT_PORT_MIN - 1);
	/* UDP: the range is kept out the same way, 8022 is free there. */
	assert_int_equal(sb_nat_port_alloc(pool, SB_NAT_UDP, 8022, 0, 1), 8022);
	for (unsigned i = 0; i < 70000; i++) {
		port = sb_nat_port_alloc(pool, SB_NAT_UDP, (uint16_t)(7000 + i % 5), i * 40503u, 1);
		if (port < 0)
			break;
		assert_true(port < 7000 || port > 7004);
	}
	assert_int_equal(port, -ENOSPC);
	/* a freed reserved port would still not be handed out: nobody frees
	 * it, and a reservation twice counts once */
	sb_nat_port_reserve(pool, SB_NAT_TCP, 8022);
	assert_int_equal(pool->n_used[SB_NAT_TCP], 65536 - SB_NAT_PORT_MIN);
	free(pool);
}

SB_TEST_MAIN("fwdtab", NULL, NULL,
	     cmocka_unit_test(test_fwd_parse_values),
	     cmocka_unit_test(test_fwd_refusals),
	     cmocka_unit_test(test_fwd_nat1to1_duplicates),
	     cmocka_unit_test(test_fwd_nat1to1_on_dhcp_wan_is_one_error),
	     cmocka_unit_test(test_fwd_table_lookup),
	     cmocka_unit_test(test_fwd_reserved_ports_under_pressure))
