/* SPDX-License-Identifier: BSD-3-Clause
 * The configuration of AF_XDP ports: device forms, [port] management and
 * [xdp] block, parsed and refused with the key named (control/xdpconf.c
 * through sb_config_load). Pure: no EAL, no libbpf. */
#include <errno.h>
#include <netinet/in.h>

#include "test_config_load.h"
#include "xdpconf.h"

static struct sb_config *
load(const char *text, char *err, size_t len)
{
	return sb_test_config_try(text, err, len);
}

static void
refused(const char *text, const char *want)
{
	char err[512];
	struct sb_config *cfg = load(text, err, sizeof(err));

	assert_null(cfg);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

#define WAN "[port wan1]\ndevice = af_packet:gw-wan1\nrole = wan\naddress = 203.0.113.2/24\n"

static void
test_xdpconf_device_forms(void **state)
{
	char ifname[16], why[256];
	enum sb_devkind k;

	(void)state;
	assert_int_equal(sb_xdpconf_device("af_xdp:eth1", &k, ifname, why, sizeof(why)), 0);
	assert_int_equal(k, SB_DEV_AF_XDP);
	assert_string_equal(ifname, "eth1");
	assert_int_equal(sb_xdpconf_device("af_packet:gw-lan", &k, ifname, why, sizeof(why)), 0);
	assert_int_equal(k, SB_DEV_AF_PACKET);
	assert_string_equal(ifname, "gw-lan");
	assert_int_equal(sb_xdpconf_device("0000:01:00.0", &k, ifname, why, sizeof(why)), 0);
	assert_int_equal(k, SB_DEV_DPDK);
	assert_int_equal(sb_xdpconf_device("net_af_xdp0,iface=eth1", &k, ifname, why,
					   sizeof(why)), 0);
	assert_int_equal(k, SB_DEV_DPDK);
	assert_int_equal(sb_xdpconf_device("af_xdp:", &k, ifname, why, sizeof(why)), -EINVAL);
	assert_int_equal(sb_xdpconf_device("af_xdp:averyverylongname0", &k, ifname, why,
					   sizeof(why)), -EINVAL);
	assert_int_equal(sb_xdpconf_device("af_xdp:eth1,xdp_prog=x", &k, ifname, why,
					   sizeof(why)), -EINVAL);
}

static void
test_xdpconf_management_and_block_parsed(void **state)
{
	char err[512];
	struct sb_config *cfg;

	(void)state;
	cfg = load("[port lan]\ndevice = af_xdp:gw-lan\naddress = 192.168.1.1/24\n"
		   "management = 192.168.1.2 tcp 22, 192.168.1.2 icmp ,192.168.1.3\n"
		   WAN "[xdp]\nblock = 198.51.100.0/24, 203.0.113.7\nprogram = /x/sb_xdp.o\n",
		   err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_int_equal(cfg->ports[0].n_mgmt, 3);
	assert_int_equal(cfg->ports[0].mgmt[0].addr, 0xc0a80102);
	assert_int_equal(cfg->ports[0].mgmt[0].proto, IPPROTO_TCP);
	assert_int_equal(cfg->ports[0].mgmt[0].port, 22);
	assert_int_equal(cfg->ports[0].mgmt[1].proto, IPPROTO_ICMP);
	assert_int_equal(cfg->ports[0].mgmt[1].port, 0);
	assert_int_equal(cfg->ports[0].mgmt[2].addr, 0xc0a80103);
	assert_int_equal(cfg->ports[0].mgmt[2].proto, 0);
	assert_int_equal(cfg->n_block, 2);
	assert_int_equal(cfg->block[0].addr, 0xc6336400);
	assert_int_equal(cfg->block[0].len, 24);
	assert_int_equal(cfg->block[1].len, 32);
	assert_string_equal(cfg->xdp_program, "/x/sb_xdp.o");
	sb_config_free(cfg);
}

static void
test_xdpconf_refused_with_key(void **state)
{
	(void)state;
	refused("[port lan]\ndevice = af_xdp:\naddress = 192.168.1.1/24\n" WAN,
		"[port lan] device: expected an interface name");
	refused("[port lan]\ndevice = net_af_packet0,iface=x\naddress = 192.168.1.1/24\n"
		"management = 192.168.1.2\n" WAN,
		"[port lan] management: only for a port with device = af_xdp:IFNAME");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n"
		"management = 192.168.1.2 sctp\n" WAN,
		"protocol must be tcp, udp, icmp or any");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n"
		"management = 192.168.1.2 icmp 22\n" WAN, "a port needs tcp or udp");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n"
		"management = 192.168.1.2 tcp 70000\n" WAN, "port must be 1-65535");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n"
		"management = 192.168.1.1 tcp 22\n" WAN, "is the port's own address");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n" WAN
		"[xdp]\nblock = 198.51.100.1/24\n", "[xdp] block: \"198.51.100.1/24\" has host bits");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n" WAN
		"[xdp]\nblock = nonsense\n", "[xdp] block: expected A.B.C.D[/LEN]");
	refused("[port lan]\ndevice = af_xdp:x\naddress = 192.168.1.1/24\n" WAN
		"[xdp]\nqueues = 2\n", "[xdp] queues: unknown key");
}

/* The lists' own bounds, straight from the parsers: more items than room
 * and an empty management list are refused, an empty block list is none. */
static void
test_xdpconf_list_bounds(void **state)
{
	struct sb_mgmt_conf m[2];
	struct sb_prefix p[2];
	char why[256];

	(void)state;
	assert_int_equal(sb_xdpconf_mgmt("192.168.1.2, 192.168.1.3 udp 53", m, 2, why,
					 sizeof(why)), 2);
	assert_int_equal(m[1].addr, 0xc0a80103);
	assert_int_equal(m[1].proto, IPPROTO_UDP);
	assert_int_equal(m[1].port, 53);
	assert_int_equal(sb_xdpconf_mgmt("192.168.1.2, 192.168.1.3, 192.168.1.4", m, 2, why,
					 sizeof(why)), -EINVAL);
	assert_string_equal(why, "at most 2 entries");
	assert_int_equal(sb_xdpconf_mgmt(" ", m, 2, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "empty: expected"));
	assert_int_equal(sb_xdpconf_prefixes("198.51.100.0/24,203.0.113.7", p, 2, why,
					     sizeof(why)), 2);
	assert_int_equal(p[1].addr, 0xcb007107);
	assert_int_equal(p[1].len, 32);
	assert_int_equal(sb_xdpconf_prefixes("192.0.2.1, 192.0.2.2, 192.0.2.3", p, 2, why,
					     sizeof(why)), -EINVAL);
	assert_string_equal(why, "at most 2 prefixes");
	assert_int_equal(sb_xdpconf_prefixes("", p, 2, why, sizeof(why)), 0);
}

SB_TEST_MAIN("xdpconf", NULL, NULL,
	     cmocka_unit_test(test_xdpconf_list_bounds),
	     cmocka_unit_test(test_xdpconf_device_forms),
	     cmocka_unit_test(test_xdpconf_management_and_block_parsed),
	     cmocka_unit_test(test_xdpconf_refused_with_key))
