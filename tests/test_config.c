/* SPDX-License-Identifier: BSD-3-Clause
 * Configuration: values, defaults, and errors that name file:line,
 * [section] and key. */
#include "test_config_load.h"

#include "sb_config.h"

static const char *good =
	"; a comment\n"
	"[switchback]\n"
	"mbufs = 16384\n"
	"sessions = 1000\n"
	"ecmp_hash = l3\n"
	"\n"
	"[check_gateway]\n"
	"interval_ms = 200\n"
	"down_after = 4\n"
	"\n"
	"[port lan]\n"
	"device = net_af_packet0,iface=gw-lan\n"
	"address = 192.168.1.1/24\n"
	"\n"
	"[port wan1]\n"
	"device = net_af_xdp0,iface=gw-wan1\n"
	"role = wan\n"
	"address = 203.0.113.2/24\n"
	"masquerade = yes\n"
	"vlan = 7\n"
	"\n"
	"[route default1]\n"
	"dst = 0.0.0.0/0\n"
	"gateway = 203.0.113.1\n"
	"distance = 2\n"
	"check_gateway = ping\n"
	"target_scope = 11\n"
	"table = to_wan1\n"
	"comment = primary\n"
	"\n"
	"[route host]\n"
	"dst = 192.0.2.53\n"
	"gateway = 203.0.113.1%wan1\n"
	"scope = 10\n"
	"\n"
	"[neighbor isp1]\n"
	"address = 203.0.113.1\n"
	"mac = 02:00:00:00:01:01\n"
	"port = wan1\n";

static struct sb_config *
load(const char *text, char *err, size_t len)
{
	return sb_test_config_try(text, err, len);
}

static void
test_config_values(void **state)
{
	char err[512];
	struct sb_config *cfg = load(good, err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->mbufs, 16384);
	assert_int_equal(cfg->sessions, 1000);
	assert_int_equal(sb_config_host_max(cfg, cfg->sessions), 250);   /* a quarter */
	assert_int_equal(cfg->ecmp_hash, SB_ECMP_L3);
	assert_int_equal(cfg->probe_interval_ms, 200);
	assert_int_equal(cfg->probe_timeout_ms, 200); /* follows the interval */
	assert_int_equal(cfg->probe_down_after, 4);
	assert_int_equal(cfg->n_ports, 2);
	assert_string_equal(cfg->ports[0].name, "lan");
	assert_int_equal(cfg->ports[0].role, SB_ROLE_LAN);
	assert_int_equal(cfg->ports[0].addr, 0xc0a80101);
	assert_int_equal(cfg->ports[0].prefix_len, 24);
	assert_false(cfg->ports[0].masquerade);
	assert_string_equal(cfg->ports[1].device, "net_af_xdp0,iface=gw-wan1");
	assert_int_equal(cfg->ports[1].role, SB_ROLE_WAN);
	assert_true(cfg->ports[1].masquerade);
	assert_int_equal(cfg->ports[1].vlan, 7);
	assert_int_equal(cfg->n_routes, 2);
	assert_int_equal(cfg->routes[0].dst, 0);
	assert_int_equal(cfg->routes[0].prefix_len, 0);
	assert_int_equal(cfg->routes[0].gw, 0xcb007101);
	assert_int_equal(cfg->routes[0].gw_port, -1);
	assert_int_equal(cfg->routes[0].distance, 2);
	assert_int_equal(cfg->routes[0].scope, 30);
	assert_int_equal(cfg->routes[0].target_scope, 11);
	assert_int_equal(cfg->routes[0].check, SB_CHECK_PING);
	assert_int_equal(cfg->n_tables, 2);
	assert_string_equal(cfg->tables[cfg->routes[0].table], "to_wan1");
	assert_string_equal(cfg->routes[0].comment, "primary");
	assert_int_equal(cfg->routes[1].prefix_len, 32);
	assert_int_equal(cfg->routes[1].gw_port, 1);
	assert_int_equal(cfg->routes[1].scope, 10);
	assert_int_equal(cfg->routes[1].target_scope, 10);
	assert_int_equal(cfg->n_neigh, 1);
	assert_int_equal(cfg->neigh[0].port, 1);
	assert_int_equal(cfg->neigh[0].mac[5], 1);
	sb_config_free(cfg);
}

static void
test_config_defaults(void **state)
{
	char err[512];
	struct sb_config *cfg = load("[port lan]\ndevice = net_null0\naddress = 10.0.0.1/8\n",
				     err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->to_tcp_established, 7440);
	assert_int_equal(cfg->to_tcp_transitory, 240);
	assert_int_equal(cfg->to_udp, 300);
	assert_int_equal(cfg->to_icmp, 60);
	assert_int_equal(cfg->sessions, 65536);
	assert_int_equal(sb_config_host_max(cfg, cfg->sessions), 16384);
	assert_int_equal(cfg->ecmp_hash, SB_ECMP_L4);
	assert_true(cfg->xdp_busy_poll);
	assert_int_equal(cfg->xdp_syn_per_source, 4000);
	assert_int_equal(cfg->probe_interval_ms, 1000);
	assert_int_equal(cfg->probe_down_after, 3);
	assert_int_equal(cfg->ports[0].role, SB_ROLE_LAN);
	assert_string_equal(cfg->tables[0], "main");
	sb_config_free(cfg);
}

/* Load @text, expect refusal, and check the message holds each of the
 * NULL-terminated substrings. */
static void
refused(const char *text, ...)
{
	char err[512];
	struct sb_config *cfg = load(text, err, sizeof(err));
	va_list ap;
	const char *want;

	if (cfg != NULL) {
		sb_config_free(cfg);
		fail_msg("accepted a bad config:\n%s", text);
	}
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(err, want) == NULL)
			fail_msg("error \"%s\" lacks \"%s\"", err, want);
	va_end(ap);
}

#define PORTS "[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n" \
	      "[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"

static void
test_config_unknown_key_named_with_line(void **state)
{
	(void)state;
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\nspeed = 10G\n",
		":4: [port lan] speed: unknown key", "device, role", NULL);
}

/* [xdp] busy_poll: yes (the default) or no, anything else named. */
static void
test_config_xdp_busy_poll(void **state)
{
	char err[512];
	struct sb_config *cfg = load(PORTS "[xdp]\nbusy_poll = no\n", err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_false(cfg->xdp_busy_poll);
	sb_config_free(cfg);
	refused(PORTS "[xdp]\nbusy_poll = sometimes\n", "[xdp] busy_poll",
		"expected yes or no", NULL);
}

/* [xdp] syn_per_source: 0 (off) .. 100000000, default 4000; anything
 * else named. */
static void
test_config_xdp_syn_per_source(void **state)
{
	char err[512];
	struct sb_config *cfg = load(PORTS "[xdp]\nsyn_per_source = 0\n", err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->xdp_syn_per_source, 0);
	sb_config_free(cfg);
	cfg = load(PORTS "[xdp]\nsyn_per_source = 250\n", err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->xdp_syn_per_source, 250);
	sb_config_free(cfg);
	refused(PORTS "[xdp]\nsyn_per_source = -1\n", "[xdp] syn_per_source", NULL);
	refused(PORTS "[xdp]\nsyn_per_source = 100000001\n", "[xdp] syn_per_source", NULL);
	refused(PORTS "[xdp]\nsyn_per_source = lots\n", "[xdp] syn_per_source", NULL);
}

static void
test_config_unknown_section(void **state)
{
	(void)state;
	refused(PORTS "[firewall x]\nfoo = 1\n", ":8: [firewall x]", "unknown section", NULL);
}

static void
test_config_bad_address(void **state)
{
	(void)state;
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.300/24\n",
		":3: [port lan] address", "expected A.B.C.D/LEN", NULL);
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1\n",
		"[port lan] address", NULL);
	refused(PORTS "[route r]\ndst = 10.0.0.1/8\ngateway = 203.0.113.1\n",
		":9: [route r] dst", "host bits", NULL);
}

static void
test_config_missing_device(void **state)
{
	(void)state;
	refused("[port lan]\naddress = 192.168.1.1/24\n", "[port lan] device", "missing", NULL);
}

static void
test_config_masquerade_only_on_wan(void **state)
{
	(void)state;
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\nmasquerade = yes\n",
		":4: [port lan] masquerade", "only a wan port", NULL);
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\nmasquerade = maybe\n",
		"expected yes or no", NULL);
}

static void
test_config_unknown_port_in_gateway(void **state)
{
	(void)state;
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1%nope\n",
		":10: [route r] gateway", "no port named \"nope\"", NULL);
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = wan9\n",
		"[route r] gateway", "expected an IPv4 address", NULL);
}

static void
test_config_bad_numbers(void **state)
{
	(void)state;
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 0\n",
		":11: [route r] distance", "1 to 255", NULL);
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 256\n",
		"[route r] distance", NULL);
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 1x\n",
		"[route r] distance", NULL);
	refused(PORTS "[check_gateway]\ninterval_ms = 100\ntimeout_ms = 200\n",
		"[check_gateway] timeout_ms", "must not exceed", NULL);
	/* sessions_per_host: 0 (no limit) .. sessions. */
	refused("[switchback]\nsessions = 1000\nsessions_per_host = 1001\n" PORTS,
		":3: [switchback] sessions_per_host", "more than the table holds", NULL);
	refused("[switchback]\nsessions_per_host = -1\n" PORTS,
		":2: [switchback] sessions_per_host", "0 to", NULL);
}

static void
test_config_sessions_per_host(void **state)
{
	char err[512];
	struct sb_config *cfg = load("[switchback]\nsessions = 1000\nsessions_per_host = 0\n" PORTS,
				     err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(sb_config_host_max(cfg, cfg->sessions), 0);
	sb_config_free(cfg);
	cfg = load("[switchback]\nsessions_per_host = 100\n" PORTS, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(sb_config_host_max(cfg, cfg->sessions), 100);
	sb_config_free(cfg);
}

static void
test_config_bad_check_gateway(void **state)
{
	(void)state;
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ncheck_gateway = bfd\n",
		"[route r] check_gateway", "none, ping or arp", NULL);
	refused(PORTS "[route r]\ndst = 0.0.0.0/0\ngateway = wan1\ncheck_gateway = ping\n",
		"[route r] check_gateway", "needs a gateway address", NULL);
}

static void
test_config_bad_neighbor(void **state)
{
	(void)state;
	refused(PORTS "[neighbor n]\naddress = 203.0.113.1\nmac = 02:00:00:00:01\nport = wan1\n",
		":10: [neighbor n] mac", "aa:bb:cc:dd:ee:ff", NULL);
	refused(PORTS "[neighbor n]\naddress = 203.0.113.1\nmac = 02:00:00:00:01:01\nport = x\n",
		"[neighbor n] port", "no port named", NULL);
}

/* A neighbour's name follows the rule of every section's NAME. */
static void
test_config_bad_neighbor_name(void **state)
{
	(void)state;
	refused(PORTS "[neighbor bad.name!]\naddress = 203.0.113.1\nmac = 02:00:00:00:01:01\n"
		"port = wan1\n", ":8: [neighbor bad.name!]: bad neighbor name \"bad.name!\"", NULL);
	refused(PORTS "[neighbour n0123456789012345678901234567890]\naddress = 203.0.113.1\n"
		"mac = 02:00:00:00:01:01\nport = wan1\n", ":8: [neighbour n01", "bad neighbor name",
		NULL);
}

/* So does a route's, and the error says what the rule is. */
static void
test_config_bad_route_name(void **state)
{
	(void)state;
	refused(PORTS "[route r0123456789012345678901234567890]\ndst = 198.18.0.0/24\n"
		"gateway = 203.0.113.1\n", ":8: [route r01",
		"bad route name \"r0123456789012345678901234567890\" (letters, digits, _ and -, "
		"at most 31)", NULL);
}

static void
test_config_overlapping_ports(void **state)
{
	(void)state;
	refused("[port a]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port b]\ndevice = d1\naddress = 192.168.1.77/16\n",
		"[port b] address", "overlaps", NULL);
	refused("[port a]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port b]\ndevice = d0\naddress = 10.0.0.1/8\n",
		"[port b] device", "already used", NULL);
}

static void
test_config_duplicate_route(void **state)
{
	(void)state;
	refused(PORTS "[route a]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n"
		"[route b]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n",
		"[route b] gateway", "as route a", NULL);
}

static void
test_config_policy_keys(void **state)
{
	char err[512];
	struct sb_config *cfg;

	(void)state;
	cfg = load(PORTS "sessions_on_down = keep\nsessions_on_failback = move\npcc_weight = 3\n"
		   "pcc_table = to_wan1\n[pcc]\nclassifier = src-address\n[notify]\n"
		   "hook = logger -t sb && true\nalert_after_s = 3600\n[check_gateway]\n"
		   "loss_pct = 20\nlatency_ms = 150\nwindow = 20\nhold_down_ms = 0\n",
		   err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_true(cfg->ports[1].keep_sessions_on_down);
	assert_true(cfg->ports[1].move_sessions_on_failback);
	assert_int_equal(cfg->ports[1].pcc_weight, 3);
	assert_string_equal(cfg->tables[cfg->ports[1].pcc_table], "to_wan1");
	assert_int_equal(cfg->pcc_classifier, 0);
	assert_string_equal(cfg->hook, "logger -t sb && true");
	assert_int_equal(cfg->alert_after_s, 3600);
	assert_int_equal(cfg->loss_pct, 20);
	assert_int_equal(cfg->latency_ms, 150);
	assert_int_equal(cfg->window, 20);
	assert_int_equal(cfg->hold_down_ms, 0);
	sb_config_free(cfg);

	refused(PORTS "sessions_on_down = maybe\n", "[port wan1] sessions_on_down",
		"flush or keep", NULL);
	refused(PORTS "[port x]\ndevice = d9\naddress = 10.0.0.1/8\nsessions_on_failback = move\n",
		"[port x] sessions_on_failback", "only for a wan port", NULL);
	refused(PORTS "[pcc]\nclassifier = both-address\n", "[pcc] classifier", "src-address", NULL);
	refused(PORTS "[pcc]\nclassifier = src-port\n", "[pcc] classifier", "needs members", NULL);
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\npcc_weight = 1\n",
		"[port lan] pcc_weight", "only a wan port", NULL);
	refused(PORTS "[check_gateway]\nloss_pct = 100\n", "[check_gateway] loss_pct", "0 to 99", NULL);
	refused(PORTS "[notify]\nemail = me\n", "[notify] email", "unknown key", NULL);
}

/* [check_gateway]'s latency_ms must be below its timeout_ms, named there
 * (once: a [wan] that takes both from it does not name it again); free
 * text that a ';' would cut short is refused in program, dhcp_lease_file
 * and dhcp_client_id too; a port on another's address is one error. */
static void
test_config_latency_and_cut_text(void **state)
{
	char err[512];
	struct sb_config *cfg;

	(void)state;
	cfg = load(PORTS "[check_gateway]\ninterval_ms = 200\nlatency_ms = 300\n"
		   "[wan wan1]\nmonitors = 203.0.113.1\n", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "[check_gateway] latency_ms: 300 ms is not below timeout_ms"));
	assert_null(strstr(err, "[wan wan1] latency_ms"));
	refused(PORTS "[check_gateway]\nlatency_ms = 200\ninterval_ms = 200\n",
		"[check_gateway] latency_ms", "not below timeout_ms (200)", NULL);
	refused(PORTS "[xdp]\nprogram = /opt/sb_xdp.o;old\n", "[xdp] program", "cut it short",
		NULL);
	/* A port on another's address: one error, not also an overlap. */
	cfg = load("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		   "[port lan2]\ndevice = d1\naddress = 192.168.1.1/24\n", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, ":6: [port lan2] address: address already used by port lan"));
	assert_null(strstr(err, "overlaps"));
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\n"
		"dhcp_lease_file = /var/lib/x ;old\n",
		"[port wan1] dhcp_lease_file", "cut it short", NULL);
	refused("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\n"
		"dhcp_client_id = box#2\n",
		"[port wan1] dhcp_client_id", "cut it short", NULL);
}

#define WAN2 "[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\n" \
	"[route d1]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n"

static void
test_config_wan_sections(void **state)
{
	char err[512];
	struct sb_config *cfg;
	const struct sb_wan_conf *w;

	(void)state;
	/* [check_gateway] gives the defaults, wherever it stands in the file. */
	cfg = load(PORTS WAN2 "[wan wan1]\nmonitors = 192.0.2.53, 192.0.2.55 192.0.2.57\n"
		   "quorum = 2\nloss_pct = 5\nlatency_ms = 100\nwindow = 20\n"
		   "trigger = loss-or-latency\n"
		   "[wan wan2]\nmonitors = 198.51.100.1\nmethod = arp\ninterval_ms = 100\n"
		   "[check_gateway]\ninterval_ms = 200\ndown_after = 4\nhold_down_ms = 5000\n",
		   err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	w = &cfg->wan[1];
	assert_true(w->enabled);
	assert_int_equal(w->n_monitors, 3);
	assert_int_equal(w->monitor[0], 0xc0000235);
	assert_int_equal(w->monitor[2], 0xc0000239);
	assert_int_equal(w->method, SB_CHECK_PING);
	assert_int_equal(w->gateway, 0xcb007101);       /* from route d1 */
	assert_true(w->gateway_derived);
	assert_int_equal(w->interval_ms, 200);
	assert_int_equal(w->timeout_ms, 200);
	assert_int_equal(w->down_after, 4);
	assert_int_equal(w->up_after, 2);
	assert_int_equal(w->hold_down_ms, 5000);
	assert_int_equal(w->quorum, 2);
	assert_int_equal(w->loss_pct, 5);
	assert_int_equal(w->latency_ms, 100);
	assert_int_equal(w->window, 20);
	assert_int_equal(w->trigger, SB_TRIGGER_LOSS_OR_LATENCY);
	w = &cfg->wan[2];
	assert_true(w->enabled);
	assert_int_equal(w->method, SB_CHECK_ARP);
	assert_int_equal(w->gateway, 0);
	assert_int_equal(w->interval_ms, 100);
	assert_int_equal(w->timeout_ms, 100);
	assert_int_equal(w->quorum, 1);
	assert_int_equal(w->trigger, SB_TRIGGER_DOWN);
	assert_false(cfg->wan[0].enabled);
	sb_config_free(cfg);

	/* An explicit gateway, and the webhook keys. */
	cfg = load(PORTS "[wan wan1]\nmonitors = 192.0.2.53\ngateway = 203.0.113.9\n"
		   "[notify]\nwebhook = http://127.0.0.1:8099/x\nwebhook_retries = 5\n"
		   "webhook_backoff_ms = 100\n", err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->wan[1].gateway, 0xcb007109);
	assert_false(cfg->wan[1].gateway_derived);
	assert_string_equal(cfg->webhook, "http://127.0.0.1:8099/x");
	assert_int_equal(cfg->webhook_retries, 5);
	assert_int_equal(cfg->webhook_timeout_ms, 2000);
	assert_int_equal(cfg->webhook_backoff_ms, 100);
	sb_config_free(cfg);
}

static void
test_config_bad_wan_sections(void **state)
{
	(void)state;
	refused(PORTS "[wan wan9]\nmonitors = 192.0.2.53\n", ":8: [wan wan9]", "no port named", NULL);
	refused(PORTS "[wan lan]\nmonitors = 192.0.2.53\n", "[wan lan]", "not a wan port", NULL);
	refused(PORTS "[wan wan1]\ngateway = 203.0.113.1\n", "[wan wan1] monitors", "missing", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 192.0.2.53, 192.0.2.999\ngateway = 203.0.113.1\n",
		":9: [wan wan1] monitors", "192.0.2.999", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 224.0.0.1\ngateway = 203.0.113.1\n",
		"[wan wan1] monitors", "unicast", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 192.0.2.53, 192.0.2.53\ngateway = 203.0.113.1\n",
		"[wan wan1] monitors", "twice", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 192.0.2.53\n", "[wan wan1] gateway",
		"no route has a gateway", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 192.0.2.53\ngateway = 198.51.100.1\n",
		"[wan wan1] gateway", "not a neighbour on wan1's subnet", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 192.0.2.53\nmethod = arp\n", "[wan wan1] monitors",
		"subnet only", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nmethod = bfd\n", "[wan wan1] method",
		"icmp or arp", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nquorum = 2\n", "[wan wan1] quorum",
		"more than the 1 monitor", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nquorum = 0\n", "[wan wan1] quorum",
		"1 to 8", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\ntrigger = loss\n", "[wan wan1] trigger",
		"needs a loss_pct", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nloss_pct = 5\ntrigger = jitter\n",
		"[wan wan1] trigger", "loss-or-latency", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nlatency_ms = 300\ninterval_ms = 200\n",
		"[wan wan1] latency_ms", "not below timeout_ms", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\ninterval_ms = 100\ntimeout_ms = 150\n",
		"[wan wan1] timeout_ms", "must not exceed", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\nprobe = yes\n", "[wan wan1] probe",
		"unknown key", "quorum", NULL);
	refused(PORTS "[wan wan1]\nmonitors = 203.0.113.1\n[wan wan1]\nquorum = 1\n", "more than once", NULL);
	refused(PORTS "[notify]\nwebhook = ftp://x\n", "[notify] webhook", "http://", NULL);
	refused(PORTS "[notify]\nwebhook_retries = 99\n", "[notify] webhook_retries", "0 to 20", NULL);
}

/* iniparser cuts an unquoted value at ';' or '#': such a value is refused
 * (naming the key), a quoted one is kept whole (issue 11, finding 11). */
static void
test_config_comment_chars_in_values(void **state)
{
	static const char *base =
		"[port lan]\ndevice = net_null0\naddress = 192.168.1.1/24\n";
	char text[1024], err[512];
	struct sb_config *cfg;

	(void)state;
	snprintf(text, sizeof(text), "%s[notify]\nhook = logger a; rm -rf /tmp/x\n", base);
	cfg = load(text, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, ":5: [notify] hook: the value has a ';' or '#'"));
	snprintf(text, sizeof(text), "%s[notify]\nwebhook = http://192.0.2.9/h#frag\n", base);
	cfg = load(text, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "[notify] webhook: the value has"));
	snprintf(text, sizeof(text), "%s[port wan]\ndevice = net_null1\nrole = wan\n"
		 "address = 203.0.113.2/24\n[route r]\ndst = 0.0.0.0/0\n"
		 "gateway = 203.0.113.1;203.0.113.9\n", base);
	cfg = load(text, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, ":10: [route r] gateway: the value has"));
	/* A trailing comment after a blank, on a value that cannot hold
	 * ';' or '#', is still a comment. */
	snprintf(text, sizeof(text), "[switchback]\nmbufs = 16384 ; more buffers\n%s", base);
	cfg = load(text, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->mbufs, 16384);
	sb_config_free(cfg);
	snprintf(text, sizeof(text), "; a comment line\n# another\n%s[notify]\n"
		 "hook = \"logger a; logger b # c\"\n", base);
	cfg = load(text, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->hook, "logger a; logger b # c");
	sb_config_free(cfg);
}

/* [switchback] mbufs against what the gateway can hold at once (issue 11,
 * finding 11): two ports of 1024 + 1024 descriptors take 4096 mbufs, the
 * punt and inject rings 5696 more; with 8192 mbufs a punt flood could
 * leave the rx rings with none. */
static void
test_config_mbufs_enough(void **state)
{
	static const char *ports =
		"[port lan]\ndevice = net_null0\naddress = 192.168.1.1/24\n"
		"[port wan]\ndevice = net_null1\nrole = wan\naddress = 203.0.113.2/24\n";
	char text[512], err[1024];
	struct sb_config *cfg;
	struct sb_mbuf_need n;

	(void)state;
	snprintf(text, sizeof(text), "[switchback]\nmbufs = 8192\n%s", ports);
	cfg = load(text, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "[switchback] mbufs: 8192 is fewer than the gateway can hold "
				    "at once: 4096 in the ports' rx and tx descriptors, 5696 in the "
				    "rings to and from control"));
	snprintf(text, sizeof(text), "[switchback]\nmbufs = 16384\n%s", ports);
	cfg = load(text, err, sizeof(err));
	assert_non_null(cfg);
	sb_config_mbufs_needed(cfg, 1, &n);
	assert_int_equal(n.desc, 4096);
	assert_int_equal(n.rings, SB_PUNT_RING + SB_INJECT_RING);
	assert_true(n.total <= 16384 && n.total > n.desc + n.rings + n.held);
	sb_config_free(cfg);
}

static struct sb_config_errors *all_errors(const char *text);
static void expect_error(const struct sb_config_errors *es, unsigned i, int line,
			 const char *sec, const char *key, const char *msg_part);

static void
test_config_no_ports_and_missing_file(void **state)
{
	char err[256];

	(void)state;
	refused("[switchback]\nmbufs = 4096\n", "at least one port", NULL);
	assert_null(sb_config_load("/nonexistent/x.ini", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/x.ini: cannot open: No such file or directory");
}

/* An error about the whole file names the file alone: no line 0, and not
 * the line of some section it is not about. */
static void
test_config_whole_file_error_has_no_line(void **state)
{
	struct sb_config_errors *es = all_errors("[switchback]\nmbufs = 4096\n");
	char want[600], buf[600];

	(void)state;
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 0, "", "", "no [port NAME] section");
	snprintf(want, sizeof(want), "%s: no [port NAME] section: at least one port is needed",
		 es->path);
	sb_config_error_format(es, 0, buf, sizeof(buf));
	assert_string_equal(buf, want);
	free(es);
}

/* address = dhcp and its keys (docs/config.md, "DHCP on a WAN port"). */
#define DHCP_PORTS "[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n" \
	      "[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\nmasquerade = yes\n"

static void
test_config_dhcp_port(void **state)
{
	char err[512];
	struct sb_config *cfg;
	const struct sb_port_dhcp *d;

	(void)state;
	/* Defaults. */
	cfg = load(DHCP_PORTS "[port wan2]\ndevice = d2\nrole = wan\naddress = dhcp\n", err,
		   sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	d = &cfg->ports[1].dhcp;
	assert_true(d->enabled);
	assert_int_equal(cfg->ports[1].addr, 0);
	assert_int_equal(cfg->ports[1].prefix_len, 0);
	assert_true(d->default_route);
	assert_int_equal(d->distance, 1);
	assert_int_equal(d->check, SB_CHECK_NONE);
	assert_true(d->classless_routes);
	assert_true(d->release);
	assert_int_equal(d->client_id_len, 0);
	assert_string_equal(d->hostname, "");
	assert_string_equal(d->lease_file, "/var/lib/switchback/dhcp-wan1.lease");
	assert_false(cfg->ports[0].dhcp.enabled);
	sb_config_free(cfg);

	/* Every key. */
	cfg = load(DHCP_PORTS "dhcp_client_id = 01:02:00:00:00:00:07\n"
		   "dhcp_hostname = gw-1.example\ndhcp_default_route = no\n"
		   "dhcp_default_route_distance = 5\ndhcp_check_gateway = ping\n"
		   "dhcp_classless_routes = no\ndhcp_release = no\n"
		   "dhcp_lease_file = /tmp/wan1.lease\n"
		   "[wan wan1]\nmonitors = 192.0.2.53\n", err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	d = &cfg->ports[1].dhcp;
	assert_int_equal(d->client_id_len, 7);
	assert_int_equal(d->client_id[0], 1);
	assert_int_equal(d->client_id[6], 7);
	assert_string_equal(d->hostname, "gw-1.example");
	assert_false(d->default_route);
	assert_int_equal(d->distance, 5);
	assert_int_equal(d->check, SB_CHECK_PING);
	assert_false(d->classless_routes);
	assert_false(d->release);
	assert_string_equal(d->lease_file, "/tmp/wan1.lease");
	/* Monitors off-link with no gateway: the lease's router will do. */
	assert_true(cfg->wan[1].enabled);
	assert_int_equal(cfg->wan[1].gateway, 0);
	sb_config_free(cfg);

	/* A text identifier goes as type 0 and the text; none keeps no file. */
	cfg = load(DHCP_PORTS "dhcp_client_id = isp-42\ndhcp_lease_file = none\n", err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	d = &cfg->ports[1].dhcp;
	assert_int_equal(d->client_id_len, 7);
	assert_int_equal(d->client_id[0], 0);
	assert_memory_equal(d->client_id + 1, "isp-42", 6);
	assert_string_equal(d->lease_file, "");
	sb_config_free(cfg);
}

static void
test_config_bad_dhcp_port(void **state)
{
	(void)state;
	refused("[port lan]\ndevice = d0\naddress = dhcp\n", ":3: [port lan] address",
		"dhcp only on a wan port", NULL);
	refused(PORTS "dhcp_hostname = gw\n", "[port wan1] dhcp_hostname", "only with address = dhcp",
		NULL);
	refused(DHCP_PORTS "dhcp_hostname = gw_1\n", "[port wan1] dhcp_hostname", "letters", NULL);
	refused(DHCP_PORTS "dhcp_default_route_distance = 0\n",
		"[port wan1] dhcp_default_route_distance", NULL);
	refused(DHCP_PORTS "dhcp_check_gateway = bfd\n", "[port wan1] dhcp_check_gateway",
		"none, ping or arp", NULL);
	refused(DHCP_PORTS "dhcp_release = maybe\n", "[port wan1] dhcp_release", "yes or no", NULL);
	refused(DHCP_PORTS "[wan wan1]\nmonitors = 192.0.2.53\ngateway = 203.0.113.1\n",
		"[wan wan1] gateway", "from its DHCP lease", NULL);
	refused(DHCP_PORTS "[wan wan1]\nmonitors = 192.0.2.53\nmethod = arp\n",
		"[wan wan1] method", "use icmp", NULL);
}

/* Parse @text expecting refusal; the errors in file order. */
static struct sb_config_errors *
all_errors(const char *text)
{
	const char *path = sb_test_write_tmp(text);
	struct sb_config_errors *es = malloc(sizeof(*es));
	struct sb_config *cfg;

	assert_non_null(path);
	assert_non_null(es);
	cfg = sb_config_parse(path, es);
	unlink(path);
	if (cfg != NULL) {
		sb_config_free(cfg);
		fail_msg("accepted a bad config:\n%s", text);
	}
	return es;
}

static void
expect_error(const struct sb_config_errors *es, unsigned i, int line, const char *sec,
	     const char *key, const char *msg_part)
{
	if (i >= es->n)
		fail_msg("only %u errors, wanted error %u ([%s] %s)", es->n, i, sec, key);
	assert_int_equal(es->e[i].line, line);
	assert_string_equal(es->e[i].section, sec);
	assert_string_equal(es->e[i].key, key);
	if (strstr(es->e[i].msg, msg_part) == NULL)
		fail_msg("error %u \"%s\" lacks \"%s\"", i, es->e[i].msg, msg_part);
}

/* A file with an error in nearly every section: all are listed, in file
 * order, each with its line, section, key and what was expected; two
 * errors in one section are both there. */
static void
test_config_lists_every_error(void **state)
{
	const char *text =
		"[switchback]\n"                         /* 1 */
		"sessions = 8\n"                         /* 2: below 16 */
		"[port lan]\n"                           /* 3 */
		"device = d0\n"                          /* 4 */
		"address = 192.168.1.1/24\n"             /* 5 */
		"speed = 10G\n"                          /* 6: unknown key */
		"[port wan1]\n"                          /* 7 */
		"device = d1\n"                          /* 8 */
		"role = wan\n"                           /* 9 */
		"address = 203.0.113.2/24\n"             /* 10 */
		"masquerade = maybe\n"                   /* 11: not a yes/no */
		"[route r1]\n"                           /* 12 */
		"dst = 0.0.0.0/0\n"                      /* 13 */
		"gateway = 203.0.113.1\n"                /* 14 */
		"distance = 0\n"                         /* 15: out of range */
		"check_gateway = bfd\n"                  /* 16: unknown method */
		"[neighbor n]\n"                         /* 17 */
		"address = 203.0.113.1\n"                /* 18 */
		"mac = 02:00:00:00:01\n"                 /* 19: five bytes */
		"port = wan1\n"                          /* 20 */
		"[wan wan1]\n"                           /* 21 */
		"monitors = 192.0.2.53, 192.0.2.999\n"   /* 22: a bad address */
		"quorum = 0\n"                           /* 23: out of range */
		"[firewall x]\n"                         /* 24: unknown section */
		"foo = 1\n";
	struct sb_config_errors *es = all_errors(text);
	char buf[4096];

	(void)state;
	assert_int_equal(es->n, 9);
	assert_int_equal(es->more, 0);
	expect_error(es, 0, 2, "switchback", "sessions", "16 to");
	expect_error(es, 1, 6, "port lan", "speed", "unknown key");
	expect_error(es, 2, 11, "port wan1", "masquerade", "yes or no");
	expect_error(es, 3, 15, "route r1", "distance", "1 to 255");
	expect_error(es, 4, 16, "route r1", "check_gateway", "none, ping or arp");
	expect_error(es, 5, 19, "neighbor n", "mac", "aa:bb:cc:dd:ee:ff");
	expect_error(es, 6, 22, "wan wan1", "monitors", "192.0.2.999");
	expect_error(es, 7, 23, "wan wan1", "quorum", "1 to 8");
	expect_error(es, 8, 24, "firewall x", "", "unknown section");

	sb_config_errors_format(es, buf, sizeof(buf));
	assert_non_null(strstr(buf, "9 errors:\n"));
	assert_non_null(strstr(buf, ":6: [port lan] speed: unknown key"));
	assert_non_null(strstr(buf, ":16: [route r1] check_gateway: expected none"));
	assert_non_null(strstr(buf, ":24: [firewall x]: unknown section"));
	/* File order. */
	assert_true(strstr(buf, ":2: [switchback]") < strstr(buf, ":23: [wan wan1]"));
	free(es);

	/* sb_config_load() gives the same list as text (another temp file). */
	{
		char err[4096];
		struct sb_config *cfg = load(text, err, sizeof(err));
		unsigned lines = 0;

		assert_null(cfg);
		for (const char *q = err; *q; q++)
			lines += *q == '\n';
		assert_int_equal(lines, 9);
		assert_non_null(strstr(err, "9 errors:\n"));
		assert_non_null(strstr(err, ":24: [firewall x]: unknown section"));
	}
}

/* A port with a bad address is one error, not one more for each route,
 * neighbour and [wan] section naming it. */
static void
test_config_no_cascade_from_a_bad_port(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"           /* 1-3 */
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2\n" /* 4-7 */
		"[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1%wan1\n"      /* 8-10 */
		"[neighbor n]\naddress = 203.0.113.1\nmac = 02:00:00:00:01:01\nport = wan1\n"
		"[wan wan1]\nmonitors = 192.0.2.53\n");

	(void)state;
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 7, "port wan1", "address", "A.B.C.D/LEN");
	free(es);

	/* A bad route is not taken for the missing gateway of a [wan]. */
	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
			"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"
			"[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\ndistance = 300\n"
			"[wan wan1]\nmonitors = 192.0.2.53\n");
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 11, "route r", "distance", "1 to 255");
	free(es);
}

/* A port's bad role, address or masquerade is one error: not again as
 * "only a wan port can ...", "not a WAN port", "does not masquerade" or
 * "outside the LAN ports' subnets" from its own keys or from the
 * sections naming it. */
static void
test_config_no_cascade_into_forwards(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"           /* 1-3 */
		"[port wan1]\ndevice = d1\nrole = wna\naddress = 203.0.113.2/24\n" /* 4-7 */
		"masquerade = yes\nsessions_on_down = keep\npcc_weight = 1\n"
		"[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n"
		"[forward g]\nwan = all\nport = 81\nto = 192.168.1.10\n"
		"[nat1to1 n]\nwan = wan1\nexternal = 203.0.113.20\ninternal = 192.168.1.11\n");

	(void)state;
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 6, "port wan1", "role", "lan or wan");
	free(es);

	/* A LAN's bad address: its hosts are not "outside" every LAN. */
	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1\n"        /* 1-3 */
			"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"
			"masquerade = yes\n"
			"[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n"
			"[nat1to1 n]\nwan = wan1\nexternal = 203.0.113.20\ninternal = 192.168.1.11\n");
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 3, "port lan", "address", "A.B.C.D/LEN");
	free(es);

	/* A WAN's bad address: an external address is not "outside" it. */
	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
			"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2\n" /* 4-7 */
			"masquerade = yes\n"
			"[nat1to1 n]\nwan = wan1\nexternal = 203.0.113.20\ninternal = 192.168.1.11\n");
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 7, "port wan1", "address", "A.B.C.D/LEN");
	free(es);

	/* A bad masquerade: a forward on it is not told it does not. */
	es = all_errors(PORTS "masquerade = maybe\n"                          /* 8 */
			"[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n");
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 8, "port wan1", "masquerade", "yes or no");
	free(es);

	/* The sections' own errors are still there. */
	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1\n"        /* 1-3 */
			"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"
			"masquerade = yes\n"                                          /* 8 */
			"[forward f]\nwan = wan1\nport = 0\nto = 192.168.1.10\n");  /* 9-12 */
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 3, "port lan", "address", "A.B.C.D/LEN");
	expect_error(es, 1, 11, "forward f", "port", "1-65535");
	free(es);
}

/* A [wan NAME] whose port is in error is still checked for its own
 * errors (those that do not need the port's subnet). */
static void
test_config_wan_of_a_bad_port_checked(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"           /* 1-3 */
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2\n" /* 4-7 */
		"[wan wan1]\n"                                                   /* 8 */
		"monitors = 192.0.2.1, bogus\n"                                  /* 9 */
		"quorum = 9\n"                                                   /* 10 */
		"trigger = sometimes\n"                                          /* 11 */
		"interval_ms = 1\n");                                            /* 12 */

	(void)state;
	assert_int_equal(es->n, 5);
	expect_error(es, 0, 7, "port wan1", "address", "A.B.C.D/LEN");
	expect_error(es, 1, 9, "wan wan1", "monitors", "\"bogus\"");
	expect_error(es, 2, 10, "wan wan1", "quorum", "1 to 8");
	expect_error(es, 3, 11, "wan wan1", "trigger", "loss-or-latency");
	expect_error(es, 4, 12, "wan wan1", "interval_ms", "10 to 3600000");
	free(es);

	/* A bad role: likewise, and no "not a wan port". */
	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
			"[port wan1]\ndevice = d1\nrole = wna\naddress = 203.0.113.2/24\n"
			"[wan wan1]\nmonitors = 192.0.2.1\ngateway = 203.0.113.1\n" /* 8-10 */
			"quorum = 2\n");                                             /* 11 */
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 6, "port wan1", "role", "lan or wan");
	expect_error(es, 1, 11, "wan wan1", "quorum", "more than the 1 monitor");
	free(es);
}

/* What iniparser would merge or reject silently: a section or a key given
 * twice, a line that is neither; each with its line, alongside the
 * other errors. */
static void
test_config_duplicates_and_syntax(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"      /* 1-3 */
		"address = 192.168.2.1/24\n"                              /* 4: key twice */
		"[route a]\ndst = 10.0.0.0/8\ngateway = lan\n"             /* 5-7 */
		"[route a]\ndst = 10.1.0.0/16\ngateway = lan\n");          /* 8-10: twice */

	(void)state;
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 4, "port lan", "address", "given twice in this section (first at line 3)");
	expect_error(es, 1, 8, "route a", "", "appears more than once (first at line 5)");
	free(es);

	es = all_errors("[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
			"this is not a key\n"
			"[route r\n");
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 4, "port lan", "", "expected KEY = VALUE, got \"this is not a key\"");
	expect_error(es, 1, 5, "", "", "expected [section]");
	free(es);
}

/* A section given twice: the bad values of every copy are named (before,
 * the second copy's keys replaced the first's, whose errors went
 * unreported). */
static void
test_config_every_copy_checked(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"               /* 1-3 */
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"  /* 4-7 */
		"masquerade = maybe\n"                                               /* 8: bad */
		"[route r]\ndst = 0.0.0.0/0\ngateway = 203.0.113.1\n"               /* 9-11 */
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"  /* 12-15 */
		"masquerade = yes\n"                                                 /* 16: good */
		"vlan = 9999\n");                                                    /* 17: bad */

	(void)state;
	assert_int_equal(es->n, 3);
	expect_error(es, 0, 8, "port wan1", "masquerade", "expected yes or no, got \"maybe\"");
	expect_error(es, 1, 12, "port wan1", "", "appears more than once (first at line 4)");
	expect_error(es, 2, 17, "port wan1", "vlan", "0 to 4094");
	free(es);

	/* Three copies, one bad key in each, and what each copy's lines
	 * get wrong themselves: a line that is no key, a key given twice. */
	es = all_errors(PORTS                                                   /* 1-7 */
			"[wan wan1]\nmonitors = 203.0.113.1\nquorum = 9\n"               /* 8-10 */
			"[wan wan1]\nmonitors = 203.0.113.1\ntrigger = sometimes\n"      /* 11-13 */
			"not a key\n"                                                  /* 14 */
			"[wan wan1]\nmonitors = 203.0.113.1\ninterval_ms = 1\n"          /* 15-17 */
			"monitors = 203.0.113.9\n");                                      /* 18 */
	assert_int_equal(es->n, 7);
	expect_error(es, 0, 10, "wan wan1", "quorum", "1 to 8");
	expect_error(es, 1, 11, "wan wan1", "", "appears more than once (first at line 8)");
	expect_error(es, 2, 13, "wan wan1", "trigger", "loss-or-latency");
	expect_error(es, 3, 14, "wan wan1", "", "expected KEY = VALUE, got \"not a key\"");
	expect_error(es, 4, 15, "wan wan1", "", "appears more than once (first at line 8)");
	expect_error(es, 5, 17, "wan wan1", "interval_ms", "10 to 3600000");
	expect_error(es, 6, 18, "wan wan1", "monitors", "given twice in this section (first at line 16)");
	free(es);

	/* The copies are merged as before, each copy's keys winning in
	 * turn: a key one copy lacks is not missing when another gives it. */
	es = all_errors(PORTS "[wan wan1]\nmonitors = 203.0.113.1\n"       /* 8-9 */
			"[wan wan1]\nquorum = 9\n");                           /* 10-11 */
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 10, "wan wan1", "", "appears more than once (first at line 8)");
	expect_error(es, 1, 11, "wan wan1", "quorum", "1 to 8");
	free(es);
}

/* Every bad dhcp_* key of a port is named, not only the first. */
static void
test_config_every_dhcp_error(void **state)
{
	struct sb_config_errors *es = all_errors(
		DHCP_PORTS                                              /* 1-8 */
		"dhcp_hostname = bad_host\n"                            /* 9 */
		"dhcp_default_route = maybe\n"                          /* 10 */
		"dhcp_default_route_distance = 0\n"                     /* 11 */
		"dhcp_check_gateway = icmp\n");                         /* 12 */

	(void)state;
	assert_int_equal(es->n, 4);
	expect_error(es, 0, 9, "port wan1", "dhcp_hostname", "letters");
	expect_error(es, 1, 10, "port wan1", "dhcp_default_route", "yes or no");
	expect_error(es, 2, 11, "port wan1", "dhcp_default_route_distance", "1 to 255");
	expect_error(es, 3, 12, "port wan1", "dhcp_check_gateway", "none, ping or arp");
	free(es);

	es = all_errors(PORTS "dhcp_hostname = gw\ndhcp_release = no\n");   /* 8-9 */
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 8, "port wan1", "dhcp_hostname", "only with address = dhcp");
	expect_error(es, 1, 9, "port wan1", "dhcp_release", "only with address = dhcp");
	free(es);

	/* dhcp on a LAN port, and a bad key of it: both. */
	es = all_errors("[port lan]\ndevice = d0\naddress = dhcp\ndhcp_hostname = a_b\n");
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 3, "port lan", "address", "dhcp only on a wan port");
	expect_error(es, 1, 4, "port lan", "dhcp_hostname", "letters");
	free(es);
}

/* A management entry naming the port's own address is that one error:
 * the port is still there for the sections naming it. */
static void
test_config_management_own_address_keeps_port(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = af_xdp:lan0\naddress = 192.168.1.1/24\n"      /* 1-3 */
		"management = 192.168.1.1 tcp 22\n"                                  /* 4 */
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"  /* 5-8 */
		"masquerade = yes\n"                                                 /* 9 */
		"[neighbor n]\naddress = 192.168.1.7\nmac = 02:00:00:00:01:01\n"
		"port = lan\n"
		"[route r]\ndst = 10.0.0.0/8\ngateway = 192.168.1.254%lan\n"
		"[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n");

	(void)state;
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 4, "port lan", "management", "the port's own address");
	free(es);
}

/* [forward] allow and [xdp] block are split on commas or blanks, as
 * wan and monitors are. */
static void
test_config_prefix_lists_split_on_blanks(void **state)
{
	char err[512];
	struct sb_config *cfg = load(PORTS "masquerade = yes\n"
				     "[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n"
				     "allow = 198.51.100.0/24 192.0.2.7\t192.0.2.8 , 192.0.2.9\n"
				     "[xdp]\nblock = 10.0.0.0/8 172.16.0.0/12\n", err, sizeof(err));

	(void)state;
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->forwards[0].n_allow, 4);
	assert_int_equal(cfg->forwards[0].allow[0].len, 24);
	assert_int_equal(cfg->forwards[0].allow[1].addr, 0xc0000207);
	assert_int_equal(cfg->forwards[0].allow[3].addr, 0xc0000209);
	assert_int_equal(cfg->n_block, 2);
	assert_int_equal(cfg->block[1].len, 12);
	sb_config_free(cfg);
	/* A bad one among them is still named. */
	refused(PORTS "masquerade = yes\n"
		"[forward f]\nwan = wan1\nport = 80\nto = 192.168.1.10\n"
		"allow = 198.51.100.0/24 192.0.2.300\n", "[forward f] allow", "192.0.2.300", NULL);
}

/* [xdp] block is checked whatever came before it. */
static void
test_config_xdp_block_checked_after_errors(void **state)
{
	struct sb_config_errors *es = all_errors(
		PORTS                                                   /* 1-7 */
		"[xdp]\n"                                               /* 8 */
		"busy_poll = maybe\n"                                   /* 9 */
		"block = 10.0.0.1/8\n");                                /* 10 */

	(void)state;
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 9, "xdp", "busy_poll", "yes or no");
	expect_error(es, 1, 10, "xdp", "block", "host bits");
	free(es);
}

/* A malformed line is one error with its line; the rest of the file is
 * still read and checked (iniparser alone refuses the whole file for it,
 * and the other errors went unsaid). Keys under a malformed [section] line
 * are not taken for the section before it. */
static void
test_config_bad_lines_hide_nothing(void **state)
{
	struct sb_config_errors *es = all_errors(
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"      /* 1-3 */
		"garbage line\n"                                            /* 4 */
		"[route r]\ndst = 10.0.0.0/8\ngateway = lan\ndistance = 0\n" /* 5-8 */
		"another bad one\n"                                         /* 9 */
		"[bad section\n"                                            /* 10 */
		"device = d9\n"                                             /* 11 */
		"= 5\n"                                                     /* 12 */
		"[route s]\ndst = 10.1.0.0/16\ngateway = lan\n"             /* 13-15 */
		"scope = 300\n");                                           /* 16 */

	(void)state;
	assert_int_equal(es->n, 6);
	expect_error(es, 0, 4, "port lan", "", "expected KEY = VALUE, got \"garbage line\"");
	expect_error(es, 1, 8, "route r", "distance", "1 to 255");
	expect_error(es, 2, 9, "route r", "", "expected KEY = VALUE, got \"another bad one\"");
	expect_error(es, 3, 10, "", "", "expected [section]");
	expect_error(es, 4, 12, "", "", "expected KEY = VALUE, got \"= 5\"");
	expect_error(es, 5, 16, "route s", "scope", "0 to 255");
	free(es);
}

/* A key before any [section] belongs to none: refused with its line,
 * not dropped. */
static void
test_config_key_before_any_section(void **state)
{
	struct sb_config_errors *es = all_errors("sessions = 5\n" PORTS);

	(void)state;
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 1, "", "", "\"sessions\" before any [section]");
	free(es);
}

/* A line over 1023 characters is one error with its line, and still read:
 * nothing after it is misread. 256 [xdp] block prefixes are written over
 * several block lines, which add up. */
static void
test_config_long_lines_and_block_lines(void **state)
{
	static char text[16384];
	struct sb_config_errors *es;
	struct sb_config *cfg;
	char err[512];
	size_t off = 0;

	(void)state;
	/* One line of 200 prefixes (over 2000 characters). */
	off += (size_t)snprintf(text + off, sizeof(text) - off, PORTS "[xdp]\nblock = "); /* 8-9 */
	for (int i = 0; i < 200; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s10.%d.%d.0/24",
					i ? ", " : "", i / 256, i % 256);
	off += (size_t)snprintf(text + off, sizeof(text) - off,
				"\nsyn_per_source = 10\n[route r]\ndst = 10.0.0.0/8\ngateway = lan\n");
	es = all_errors(text);
	assert_int_equal(es->n, 1);
	expect_error(es, 0, 9, "", "", "longer than 1023 characters");
	free(es);

	/* The same 256 prefixes, 32 a line, are taken in order. */
	off = (size_t)snprintf(text, sizeof(text), PORTS "[xdp]\n");
	for (int i = 0; i < 256; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s10.%d.%d.0/24%s",
					i % 32 ? ", " : "block = ", i / 256, i % 256,
					i % 32 == 31 ? "\n" : "");
	cfg = load(text, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->n_block, 256);
	assert_int_equal(cfg->block[0].addr, 0x0a000000);
	assert_int_equal(cfg->block[255].addr, 0x0a00ff00);
	assert_int_equal(cfg->block[255].len, 24);
	sb_config_free(cfg);

	/* One more is too many; each line's own errors are at its line. */
	snprintf(text + off, sizeof(text) - off, "block = 192.0.2.0/24\nblock = 10.0.0.1/8\n");
	es = all_errors(text);                  /* lines 1-7, [xdp] 8, 9-16 block */
	assert_int_equal(es->n, 2);
	expect_error(es, 0, 17, "xdp", "block", "more than 256 prefixes");
	expect_error(es, 1, 18, "xdp", "block", "host bits");
	free(es);
}

/* Every bad key of one section is listed, not only the first. */
static void
test_config_every_error_of_one_section(void **state)
{
	struct sb_config_errors *es = all_errors(
		PORTS                                                   /* 1-7 */
		"[wan wan1]\n"                                          /* 8 */
		"method = bfd\n"                                        /* 9 */
		"monitors = 224.0.0.1, 192.0.2.53, 192.0.2.53\n"        /* 10: two */
		"gateway = 198.51.100.1\n"                              /* 11 */
		"interval_ms = 5\n"                                     /* 12 */
		"trigger = jitter\n"                                    /* 13 */
		"window = 65\n");                                       /* 14 */

	(void)state;
	assert_int_equal(es->n, 7);
	expect_error(es, 0, 9, "wan wan1", "method", "icmp or arp");
	expect_error(es, 1, 10, "wan wan1", "monitors", "224.0.0.1");
	expect_error(es, 2, 10, "wan wan1", "monitors", "listed twice");
	expect_error(es, 3, 11, "wan wan1", "gateway", "not a neighbour");
	expect_error(es, 4, 12, "wan wan1", "interval_ms", "10 to 3600000");
	expect_error(es, 5, 13, "wan wan1", "trigger", "loss-or-latency");
	expect_error(es, 6, 14, "wan wan1", "window", "1 to 64");
	free(es);
}

/* More errors than the list holds are counted; the text keeps whole lines
 * and says how many did not fit. */
static void
test_config_error_text_bounded(void **state)
{
	char text[16384], err[300];
	size_t off = 0;
	struct sb_config_errors *es;
	struct sb_config *cfg;

	(void)state;
	off += (size_t)snprintf(text + off, sizeof(text) - off, "%s", PORTS);
	for (int i = 0; i < SB_CONFIG_MAX_ERRORS + 6; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"[route r%d]\ndst = 10.%d.0.0/16\ngateway = lan\n"
					"distance = 0\n", i, i);
	es = all_errors(text);
	assert_int_equal(es->n, SB_CONFIG_MAX_ERRORS);
	assert_int_equal(es->more, 6);
	free(es);

	cfg = load(text, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "70 errors:\n"));
	assert_non_null(strstr(err, "[route r0] distance"));
	assert_non_null(strstr(err, "... and "));
	assert_true(strlen(err) < sizeof(err));
	/* Whole lines: the one before "..." ends with its message. */
	assert_non_null(strstr(err, "got \"0\"\n... and "));

	/* The list keeps the first errors by line: a [wan] error near the
	 * top (checked last) stays, the last route's goes. */
	off = (size_t)snprintf(text, sizeof(text), "%s[wan wan1]\nmonitors = 203.0.113.1\n"
			       "trigger = sometimes\n", PORTS);
	for (int i = 0; i < SB_CONFIG_MAX_ERRORS + 6; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"[route r%d]\ndst = 10.%d.0.0/16\ngateway = lan\n"
					"distance = 0\n", i, i);
	es = all_errors(text);
	assert_int_equal(es->n, SB_CONFIG_MAX_ERRORS);
	assert_int_equal(es->more, 7);
	{
		bool wan = false, last = false;

		for (unsigned i = 0; i < es->n; i++) {
			wan |= strcmp(es->e[i].section, "wan wan1") == 0;
			last |= strcmp(es->e[i].section, "route r69") == 0;
		}
		assert_true(wan);
		assert_false(last);
	}
	free(es);
}


/* With SB_CONFIG_NO_LOOPS (reload), recursive routes that can only
 * resolve through each other are refused, each with its line; one that
 * ends at a port's subnet is not, nor one whose gateway nothing holds
 * (inactive until, say, a lease brings it). Without it (start-up) a loop
 * is only inactive routes (test_rib_loop_is_inactive). */
static struct sb_config_errors *
loop_errors(const char *text)
{
	const char *path = sb_test_write_tmp(text);
	struct sb_config_errors *es = malloc(sizeof(*es));
	struct sb_config *cfg;

	assert_non_null(path);
	cfg = sb_config_parse(path, es);
	assert_non_null(cfg);
	sb_config_free(cfg);
	cfg = sb_config_parse_flags(path, es, SB_CONFIG_NO_LOOPS);
	unlink(path);
	assert_null(cfg);
	return es;
}

static void
test_config_route_loop(void **state)
{
	const char *path;
	struct sb_config *cfg;
	struct sb_config_errors *es;

	(void)state;
	es = loop_errors(PORTS                                                 /* 1-7 */
			"[route a]\ndst = 10.0.0.0/8\ngateway = 172.16.0.1\ntarget_scope = 30\n" /* 8 */
			"[route b]\ndst = 172.16.0.0/12\ngateway = 10.0.0.1\ntarget_scope = 30\n" /* 12 */
			"[route self]\ndst = 192.0.2.0/24\ngateway = 192.0.2.1\ntarget_scope = 30\n"); /* 16 */
	assert_int_equal(es->n, 3);
	expect_error(es, 0, 10, "route a", "gateway", "route loop: 172.16.0.1");
	expect_error(es, 1, 14, "route b", "gateway", "route loop: 10.0.0.1");
	expect_error(es, 2, 18, "route self", "gateway", "route loop: 192.0.2.1");
	free(es);
	path = sb_test_write_tmp(PORTS
		"[route a]\ndst = 10.0.0.0/8\ngateway = 172.16.0.1\ntarget_scope = 30\n"
		"[route b]\ndst = 172.16.0.0/12\ngateway = 203.0.113.1\n"
		"[route c]\ndst = 198.18.0.0/15\ngateway = 100.64.0.1\n");
	es = malloc(sizeof(*es));
	cfg = sb_config_parse_flags(path, es, SB_CONFIG_NO_LOOPS);
	unlink(path);
	if (cfg == NULL)
		fail_msg("refused: %s", es->e[0].msg);
	sb_config_free(cfg);
	free(es);
}

static void
test_config_metrics_listen(void **state)
{
	char err[512];
	struct sb_config *cfg;

	(void)state;
	cfg = load(PORTS "[metrics]\nlisten = 127.0.0.1:9469\n", err, sizeof(err));
	if (cfg == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(cfg->metrics_addr, 0x7f000001);
	assert_int_equal(cfg->metrics_port, 9469);
	sb_config_free(cfg);
	cfg = load(PORTS, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->metrics_port, 0); /* off unless set */
	sb_config_free(cfg);

	refused(PORTS "[metrics]\nlisten = 127.0.0.1\n", ":9: [metrics] listen", "ADDRESS:PORT", NULL);
	refused(PORTS "[metrics]\nlisten = 127.0.0.1:0\n", "[metrics] listen", "1 to 65535", NULL);
	refused(PORTS "[metrics]\nlisten = 127.0.0.1:70000\n", "[metrics] listen", "1 to 65535", NULL);
	refused(PORTS "[metrics]\nlisten = localhost:9469\n", "[metrics] listen", "IPv4 address", NULL);
	refused(PORTS "[metrics]\nport = 9469\n", "[metrics] port", "unknown key", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_latency_and_cut_text),
		cmocka_unit_test(test_config_values),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_unknown_key_named_with_line),
		cmocka_unit_test(test_config_xdp_busy_poll),
		cmocka_unit_test(test_config_xdp_syn_per_source),
	     cmocka_unit_test(test_config_unknown_section),
		cmocka_unit_test(test_config_bad_address),
		cmocka_unit_test(test_config_missing_device),
		cmocka_unit_test(test_config_masquerade_only_on_wan),
		cmocka_unit_test(test_config_unknown_port_in_gateway),
		cmocka_unit_test(test_config_bad_numbers),
		cmocka_unit_test(test_config_sessions_per_host),
		cmocka_unit_test(test_config_bad_check_gateway),
		cmocka_unit_test(test_config_bad_neighbor),
		cmocka_unit_test(test_config_bad_neighbor_name),
		cmocka_unit_test(test_config_bad_route_name),
		cmocka_unit_test(test_config_overlapping_ports),
		cmocka_unit_test(test_config_duplicate_route),
		cmocka_unit_test(test_config_policy_keys),
		cmocka_unit_test(test_config_wan_sections),
		cmocka_unit_test(test_config_bad_wan_sections),
		cmocka_unit_test(test_config_no_ports_and_missing_file),
		cmocka_unit_test(test_config_whole_file_error_has_no_line),
		cmocka_unit_test(test_config_dhcp_port),
		cmocka_unit_test(test_config_bad_dhcp_port),
		cmocka_unit_test(test_config_lists_every_error),
		cmocka_unit_test(test_config_no_cascade_from_a_bad_port),
		cmocka_unit_test(test_config_duplicates_and_syntax),
		cmocka_unit_test(test_config_every_copy_checked),
		cmocka_unit_test(test_config_every_error_of_one_section),
		cmocka_unit_test(test_config_bad_lines_hide_nothing),
		cmocka_unit_test(test_config_key_before_any_section),
		cmocka_unit_test(test_config_long_lines_and_block_lines),
		cmocka_unit_test(test_config_xdp_block_checked_after_errors),
		cmocka_unit_test(test_config_every_dhcp_error),
		cmocka_unit_test(test_config_management_own_address_keeps_port),
		cmocka_unit_test(test_config_no_cascade_into_forwards),
		cmocka_unit_test(test_config_prefix_lists_split_on_blanks),
		cmocka_unit_test(test_config_wan_of_a_bad_port_checked),
		cmocka_unit_test(test_config_error_text_bounded),
		cmocka_unit_test(test_config_metrics_listen),
		cmocka_unit_test(test_config_route_loop),
		cmocka_unit_test(test_config_comment_chars_in_values),
		cmocka_unit_test(test_config_mbufs_enough),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
