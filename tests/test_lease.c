/* SPDX-License-Identifier: BSD-3-Clause
 * DHCP leases applied to a WAN port (control/lease.c): the port's address,
 * its connected, default and classless routes in a real RIB, the
 * monitors' gateway, the kept lease file, RELEASE on stop. A test server
 * answers the client's frames; the clock is fake. Pure: no EAL. */
#include "test_config_load.h"

#include <errno.h>

#include "sb_config.h"
#include "rib.h"
#include "lease.h"
#include "test_dhcp_server.h"

#define WAN1 1u

/* What the client sent, as the io hook saw it. */
struct wire {
	unsigned n;
	unsigned port;
	struct sb_dhcp_out last;
};

static void
capture(void *ctx, unsigned port, const uint8_t *frame, size_t len)
{
	struct wire *w = ctx;

	assert_true(len <= sizeof(w->last.frame));
	w->n++;
	w->port = port;
	memcpy(w->last.frame, frame, len);
	w->last.frame_len = len;
}

struct fix {
	struct sb_config *cfg;
	struct sb_rib *rib;
	struct sb_leases ls;
	struct wire wire;
	char lease_path[64];
};

static const uint8_t macs[SB_MAX_PORTS][6] = {
	{ 0x02, 0, 0, 0, 0, 0x10 }, { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, { 0x02, 0, 0, 0, 0, 0x30 },
};

/* Load a config with wan1 on DHCP (@extra: more wan1 keys), a static wan2,
 * and start the leases at @now, with @kept in the lease file if given. */
static void
setup_kept(struct fix *f, const char *extra, uint64_t now, const struct sb_dhcp_lease *kept)
{
	char text[2048];
	int fd;

	snprintf(f->lease_path, sizeof(f->lease_path), "/tmp/sbtest-lease-XXXXXX");
	fd = mkstemp(f->lease_path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->lease_path);   /* no lease kept yet */
	snprintf(text, sizeof(text),
		 "[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		 "[port wan1]\ndevice = d1\nrole = wan\naddress = dhcp\nmasquerade = yes\n"
		 "dhcp_default_route_distance = 2\ndhcp_lease_file = %s\n%s"
		 "[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\n"
		 "[route def2]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 5\n"
		 "[wan wan1]\nmonitors = 192.0.2.53\n", f->lease_path, extra);
	f->cfg = sb_test_config(text);
	f->rib = sb_test_rib(f->cfg);
	memset(&f->wire, 0, sizeof(f->wire));
	if (kept != NULL)
		assert_int_equal(sb_dhcp_lease_save(f->lease_path, kept, now - 1000,
						    1700000000 + (int64_t)(now - T0) / 1000 - 1), 0);
	struct sb_lease_io io = { .ctx = &f->wire, .send = capture };

	assert_int_equal(sb_lease_init(&f->ls, f->cfg, f->rib, macs, &io, now,
				       1700000000 + (int64_t)(now - T0) / 1000, 7), 0);
	sb_rib_resolve(f->rib);
}

static void
setup(struct fix *f, const char *extra, uint64_t now)
{
	setup_kept(f, extra, now, NULL);
}

static void
teardown_fix(struct fix *f)
{
	sb_lease_fini(&f->ls);
	sb_rib_free(f->rib);
	sb_config_free(f->cfg);
	unlink(f->lease_path);
}

static const struct sb_rib_result *
route(const struct fix *f, const char *name)
{
	return sb_rib_result(f->rib, sb_test_route(f->rib, name));
}

static void
rx(struct fix *f, uint64_t now, const struct reply *r)
{
	uint8_t frame[1500];
	size_t n = mk_reply(frame, r);

	assert_int_equal(sb_lease_rx(&f->ls, WAN1, frame, n, now, 1700000000 + (int64_t)(now - T0) / 1000),
			 SB_DHCP_OK);
}

/* DISCOVER, OFFER, REQUEST, ACK for @addr with @extra options. */
static void
bind_to(struct fix *f, uint64_t now, uint32_t addr, const uint8_t *extra, size_t extra_len)
{
	struct sent s;
	struct reply r;

	read_sent(&f->wire.last, &s);
	assert_int_equal(f->wire.port, WAN1);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	r = std_reply(SB_DHCP_OFFER, s.xid, addr, SRV);
	r.extra = extra;
	r.extra_len = extra_len;
	rx(f, now, &r);
	read_sent(&f->wire.last, &s);
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	r.type = SB_DHCP_ACK;
	rx(f, now, &r);
}

static void
test_lease_unbound_port_has_no_address_nor_routes(void **state)
{
	struct fix f;
	char buf[256];

	(void)state;
	setup(&f, "", T0);
	assert_int_equal(f.ls.n, 1);
	assert_int_equal(f.wire.n, 1);           /* the first DISCOVER, at once */
	assert_false(sb_lease_usable(&f.ls, WAN1));
	assert_true(sb_lease_usable(&f.ls, 2));  /* static */
	assert_int_equal(f.cfg->ports[WAN1].addr, 0);
	assert_int_equal(sb_rib_find(f.rib, "connected-wan1"), -1);
	/* The default route is there from the start, disabled. */
	assert_false(route(&f, "dhcp-default-wan1")->active);
	assert_true(route(&f, "def2")->active);
	sb_lease_describe(&f.ls, WAN1, T0, buf, sizeof(buf));
	assert_string_equal(buf, "dhcp selecting, no lease");
	sb_lease_describe(&f.ls, 2, T0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	teardown_fix(&f);
}

static void
test_lease_bound_brings_address_routes_and_gateway(void **state)
{
	/* DNS, and RFC 3442 routes: a default via .254 and 10/8 via .2. */
	static const uint8_t ex[] = { 6, 4, 192, 0, 2, 53,
				      121, 11, 0, 203, 0, 113, 254, 8, 10, 203, 0, 113, 2 };
	struct fix f;
	char buf[256];

	(void)state;
	setup(&f, "", T0);
	bind_to(&f, T0 + 5, ADDR, ex, sizeof(ex));
	assert_true(sb_lease_usable(&f.ls, WAN1));
	assert_true(f.ls.dirty);
	assert_int_equal(f.ls.port[WAN1].pending, SB_LEASE_BOUND);
	assert_int_equal(f.cfg->ports[WAN1].addr, ADDR);
	assert_int_equal(f.cfg->ports[WAN1].prefix_len, 24);
	/* The monitors' next hop: option 121's default wins over option 3. */
	assert_int_equal(f.cfg->wan[WAN1].gateway, IP(203, 0, 113, 254));
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "connected-wan1")->active);
	const struct sb_rib_result *d = route(&f, "dhcp-default-wan1");

	assert_true(d->active);
	assert_int_equal(d->nh[0].gw, IP(203, 0, 113, 254));
	assert_int_equal(d->nh[0].port, WAN1);
	assert_int_equal(f.rib->r[sb_rib_find(f.rib, "dhcp-default-wan1")].distance, 2);
	assert_false(route(&f, "def2")->active);
	assert_true(route(&f, "dhcp-route-wan1-0")->active);
	assert_int_equal(f.rib->r[sb_rib_find(f.rib, "dhcp-route-wan1-0")].dst, IP(10, 0, 0, 0));
	sb_lease_describe(&f.ls, WAN1, T0 + 5 + 20000, buf, sizeof(buf));
	assert_non_null(strstr(buf, "dhcp bound 203.0.113.10/24 gateway 203.0.113.254 dns 192.0.2.53"));
	assert_non_null(strstr(buf, "lease 120s remaining 100s"));
	sb_lease_json(&f.ls, WAN1, T0 + 5, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"address\":\"203.0.113.10\""));
	assert_non_null(strstr(buf, "\"dns\":[\"192.0.2.53\"]"));
	teardown_fix(&f);
}

static void
test_lease_renewal_same_lease_is_quiet(void **state)
{
	struct fix f;
	struct sent s;
	struct reply r;
	uint64_t t1;

	(void)state;
	setup(&f, "", T0);
	bind_to(&f, T0, ADDR, NULL, 0);
	f.ls.dirty = false;
	f.ls.port[WAN1].pending = 0;
	t1 = T0 + 60000;
	sb_lease_tick(&f.ls, t1 - 1, 1700000000);
	assert_int_equal(f.wire.n, 2);
	sb_lease_tick(&f.ls, t1, 1700000060);
	assert_int_equal(f.wire.n, 3);
	read_sent(&f.wire.last, &s);
	assert_int_equal(s.ciaddr, ADDR);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	rx(&f, t1 + 1, &r);
	assert_false(f.ls.dirty);
	assert_int_equal(f.ls.port[WAN1].pending, 0);
	assert_int_equal(f.ls.port[WAN1].n_renewed, 1);
	/* A renewal with another router is applied. */
	sb_lease_tick(&f.ls, t1 + 1 + 60000, 1700000121);
	read_sent(&f.wire.last, &s);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.router = IP(203, 0, 113, 3);
	rx(&f, t1 + 2 + 60000, &r);
	assert_true(f.ls.dirty);
	assert_int_equal(f.ls.port[WAN1].pending, SB_LEASE_UPDATED);
	sb_rib_resolve(f.rib);
	assert_int_equal(route(&f, "dhcp-default-wan1")->nh[0].gw, IP(203, 0, 113, 3));
	teardown_fix(&f);
}

static void
test_lease_lost_then_changed_address(void **state)
{
	struct fix f;
	struct sent s;
	struct reply r;
	uint64_t t1 = T0 + 60000;
	char buf[256];
	unsigned n_routes;

	(void)state;
	setup(&f, "", T0);
	bind_to(&f, T0, ADDR, NULL, 0);
	sb_rib_resolve(f.rib);
	n_routes = f.rib->n_routes;
	f.ls.port[WAN1].pending = 0;
	f.ls.dirty = false;
	/* NAK at renewal: the lease, address and routes go; wan2 carries. */
	sb_lease_tick(&f.ls, t1, 1700000060);
	read_sent(&f.wire.last, &s);
	r = std_reply(SB_DHCP_NAK, s.xid, 0, SRV);
	r.lease_s = r.mask = r.router = 0;
	rx(&f, t1 + 1, &r);
	assert_true(f.ls.dirty);
	assert_int_equal(f.ls.port[WAN1].pending, SB_LEASE_LOST);
	assert_false(sb_lease_usable(&f.ls, WAN1));
	assert_string_equal(f.ls.port[WAN1].reason, "lease lost (nak)");
	assert_int_equal(f.ls.port[WAN1].old_addr, ADDR);
	assert_int_equal(f.cfg->ports[WAN1].addr, 0);
	assert_int_equal(f.cfg->wan[WAN1].gateway, 0);
	sb_rib_resolve(f.rib);
	assert_false(route(&f, "connected-wan1")->active);
	assert_false(route(&f, "dhcp-default-wan1")->active);
	assert_true(route(&f, "def2")->active);
	sb_lease_describe(&f.ls, WAN1, t1 + 1, buf, sizeof(buf));
	assert_string_equal(buf, "dhcp selecting, lease lost (nak)");
	/* A new address on another subnet: CHANGED, old -> new. */
	f.ls.port[WAN1].pending = 0;
	read_sent(&f.wire.last, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	r = std_reply(SB_DHCP_OFFER, s.xid, IP(198, 18, 0, 10), IP(198, 18, 0, 1));
	r.router = IP(198, 18, 0, 1);
	rx(&f, t1 + 2, &r);
	read_sent(&f.wire.last, &s);
	r.type = SB_DHCP_ACK;
	r.xid = s.xid;
	rx(&f, t1 + 3, &r);
	assert_int_equal(f.ls.port[WAN1].pending, SB_LEASE_BOUND | SB_LEASE_CHANGED);
	assert_int_equal(f.ls.port[WAN1].old_addr, ADDR);
	assert_int_equal(f.cfg->ports[WAN1].addr, IP(198, 18, 0, 10));
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "dhcp-default-wan1")->active);
	assert_int_equal(route(&f, "dhcp-default-wan1")->nh[0].gw, IP(198, 18, 0, 1));
	assert_false(route(&f, "def2")->active);
	/* One new connected route; the old one stays, disabled, for reuse. */
	assert_int_equal(f.rib->n_routes, n_routes + 1);
	unsigned active_connected = 0;

	for (unsigned i = 0; i < f.rib->n_routes; i++)
		if (strcmp(f.rib->r[i].name, "connected-wan1") == 0)
			active_connected += sb_rib_result(f.rib, i)->active;
	assert_int_equal(active_connected, 1);
	teardown_fix(&f);
}

static void
test_lease_kept_on_disk_and_released_on_stop(void **state)
{
	struct fix f, g;
	struct sent s;
	struct sb_dhcp_lease kept;

	(void)state;
	setup(&f, "", T0);
	bind_to(&f, T0, ADDR, NULL, 0);
	assert_int_equal(f.ls.port[WAN1].save_err, 0);
	assert_int_equal(sb_dhcp_lease_load(f.lease_path, &kept, T0 + 1000, 1700000001), 0);
	assert_int_equal(kept.addr, ADDR);
	/* A restart (dhcp_release = no here, so the lease file stays). */
	{
		setup_kept(&g, "dhcp_release = no\n", T0 + 2000, &kept);
		read_sent(&g.wire.last, &s);
		assert_int_equal(g.wire.n, 1);
		assert_int_equal(s.type, SB_DHCP_REQUEST);   /* INIT-REBOOT */
		assert_int_equal(s.req_ip, ADDR);
		assert_int_equal(s.server_id, 0);
		assert_false(sb_lease_usable(&g.ls, WAN1));

		struct reply r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
		uint8_t frame[1500];
		size_t n = mk_reply(frame, &r);

		assert_int_equal(sb_lease_rx(&g.ls, WAN1, frame, n, T0 + 2010, 1700000002), SB_DHCP_OK);
		assert_true(sb_lease_usable(&g.ls, WAN1));
		sb_lease_stop(&g.ls, T0 + 3000);
		assert_int_equal(g.wire.n, 1);    /* no RELEASE */
		assert_int_equal(access(g.lease_path, F_OK), 0);
		teardown_fix(&g);
	}
	/* dhcp_release = yes (the default): RELEASE, file removed, lost. */
	sb_lease_stop(&f.ls, T0 + 5000);
	read_sent(&f.wire.last, &s);
	assert_int_equal(s.type, SB_DHCP_RELEASE);
	assert_int_equal(s.ciaddr, ADDR);
	assert_int_equal(s.server_id, SRV);
	assert_int_equal(access(f.lease_path, F_OK), -1);
	assert_false(sb_lease_usable(&f.ls, WAN1));
	assert_string_equal(f.ls.port[WAN1].reason, "lease lost (released)");
	teardown_fix(&f);
}

static void
test_lease_pcc_member_gets_its_table_default(void **state)
{
	struct fix f;

	(void)state;
	setup(&f, "pcc_weight = 1\npcc_table = to_wan1\n", T0);
	assert_false(route(&f, "dhcp-default-wan1-to_wan1")->active);
	bind_to(&f, T0, ADDR, NULL, 0);
	sb_rib_resolve(f.rib);
	assert_true(route(&f, "dhcp-default-wan1-to_wan1")->active);
	assert_int_equal(f.rib->r[sb_rib_find(f.rib, "dhcp-default-wan1-to_wan1")].table,
			 f.cfg->ports[WAN1].pcc_table);
	teardown_fix(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_unbound_port_has_no_address_nor_routes),
		cmocka_unit_test(test_lease_bound_brings_address_routes_and_gateway),
		cmocka_unit_test(test_lease_renewal_same_lease_is_quiet),
		cmocka_unit_test(test_lease_lost_then_changed_address),
		cmocka_unit_test(test_lease_kept_on_disk_and_released_on_stop),
		cmocka_unit_test(test_lease_pcc_member_gets_its_table_default),
	};

	return cmocka_run_group_tests_name("lease", tests, NULL, NULL);
}
