/* SPDX-License-Identifier: BSD-3-Clause
 * The WAN DHCP client (control/dhcp.c): its RFC 2131 state machine on a
 * fake clock, driven by frames a test server builds byte by byte, and its
 * parser on malformed input. Pure: no EAL. */
#include "test_common.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dhcp.h"

#include "test_dhcp_server.h"

static struct sb_dhcp *
client(void)
{
	struct sb_dhcp_conf c = { .seed = 42 };
	struct sb_dhcp *d;

	memcpy(c.mac, MAC, 6);
	snprintf(c.hostname, sizeof(c.hostname), "gw1");
	d = sb_dhcp_create(&c);
	assert_non_null(d);
	return d;
}

/* Start at T0, take an OFFER of @addr from SRV at @t (for @lease_s
 * seconds, or the usual 120 if 0) and read the REQUEST sent into *@s. */
static struct sb_dhcp *
requesting_client(uint32_t addr, uint64_t t, uint32_t lease_s, struct sb_dhcp_out *out,
		  struct sent *s)
{
	struct sb_dhcp *d = client();
	struct reply r;

	sb_dhcp_start(d, T0, NULL, out);
	read_sent(out, s);
	r = std_reply(SB_DHCP_OFFER, s->xid, addr, SRV);
	if (lease_s != 0)
		r.lease_s = lease_s;
	assert_int_equal(deliver(d, t, &r, out), SB_DHCP_OK);
	read_sent(out, s);
	return d;
}

/* Start at T0 and go through DISCOVER, OFFER, REQUEST, ACK on @addr from SRV. */
static struct sb_dhcp *
bound_client(uint32_t addr, struct sb_dhcp_out *out)
{
	struct sent s;
	struct sb_dhcp *d = requesting_client(addr, T0 + 10, 0, out, &s);
	struct reply r;

	r = std_reply(SB_DHCP_ACK, s.xid, addr, SRV);
	assert_int_equal(deliver(d, T0 + 20, &r, out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	return d;
}

/* A client bound to ADDR and gone RENEWING at T1 (*@t1): its REQUEST in *@s. */
static struct sb_dhcp *
renewing_client(struct sb_dhcp_out *out, struct sent *s, uint64_t *t1)
{
	struct sb_dhcp *d = bound_client(ADDR, out);

	*t1 = out->ev[0].lease.start_ms + 60000;
	sb_dhcp_tick(d, *t1, out);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_RENEWING);
	read_sent(out, s);
	return d;
}

/* A NAK from @server: no lease time, mask or router. */
static struct reply
nak_reply(uint32_t xid, uint32_t server)
{
	struct reply r = std_reply(SB_DHCP_NAK, xid, 0, server);

	r.lease_s = r.mask = r.router = 0;
	return r;
}

/* @s is unicast from ADDR to the server that gave the lease. */
static void
assert_unicast_to_server(const struct sent *s)
{
	assert_int_equal(s->ciaddr, ADDR);
	assert_int_equal(s->src_ip, ADDR);
	assert_int_equal(s->dst_ip, SRV);
	assert_memory_equal(s->dst_mac, SRV_MAC, 6);
}

/* --- the state machine ----------------------------------------------------- */

static void
test_dhcp_discover_offer_request_ack(void **state)
{
	struct sb_dhcp *d = client();
	struct sb_dhcp_out out;
	struct sent s;
	struct reply r;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t dns[] = { 6, 8, 192, 0, 2, 53, 192, 0, 2, 54 };

	(void)state;
	sb_dhcp_start(d, T0, NULL, &out);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);
	assert_int_equal(out.n_ev, 0);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_memory_equal(s.dst_mac, bcast, 6);
	assert_memory_equal(s.src_mac, MAC, 6);
	assert_int_equal(s.src_ip, 0);
	assert_int_equal(s.dst_ip, 0xffffffffu);
	assert_int_equal(s.ciaddr, 0);
	assert_int_equal(s.req_ip, 0);
	assert_int_equal(s.server_id, 0);
	assert_true(s.has_prl);
	assert_string_equal(s.hostname, "gw1");
	/* Default client identifier: type 1, then the MAC. */
	assert_int_equal(s.client_id_len, 7);
	assert_int_equal(s.client_id[0], 1);
	assert_memory_equal(s.client_id + 1, MAC, 6);
	uint32_t xid = s.xid;

	r = std_reply(SB_DHCP_OFFER, xid, ADDR, SRV);
	r.extra = dns;
	r.extra_len = sizeof(dns);
	assert_int_equal(deliver(d, T0 + 500, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_REQUESTING);
	assert_null(sb_dhcp_lease(d));
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	assert_int_equal(s.xid, xid);
	assert_int_equal(s.req_ip, ADDR);
	assert_int_equal(s.server_id, SRV);
	assert_int_equal(s.ciaddr, 0);
	assert_int_equal(s.src_ip, 0);
	assert_int_equal(s.dst_ip, 0xffffffffu);

	r = std_reply(SB_DHCP_ACK, xid, ADDR, SRV);
	r.extra = dns;
	r.extra_len = sizeof(dns);
	assert_int_equal(deliver(d, T0 + 700, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	assert_int_equal(out.frame_len, 0);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_BOUND);
	assert_false(out.ev[0].renewal);
	const struct sb_dhcp_lease *l = &out.ev[0].lease;

	assert_int_equal(l->addr, ADDR);
	assert_int_equal(l->prefix_len, 24);
	assert_int_equal(l->router, IP(203, 0, 113, 1));
	assert_int_equal(l->server, SRV);
	assert_memory_equal(l->server_mac, SRV_MAC, 6);
	assert_int_equal(l->n_dns, 2);
	assert_int_equal(l->dns[0], IP(192, 0, 2, 53));
	assert_int_equal(l->dns[1], IP(192, 0, 2, 54));
	assert_int_equal(l->lease_s, 120);
	assert_int_equal(l->t1_s, 60);
	assert_int_equal(l->t2_s, 105);
	/* The lease counts from the REQUEST, not from the ACK. */
	assert_int_equal(l->start_ms, T0 + 500);
	assert_int_equal(sb_dhcp_remaining_ms(d, T0 + 700), 120000 - 200);
	assert_int_equal(sb_dhcp_next_ms(d), T0 + 500 + 60000);
	assert_int_equal(sb_dhcp_stats(d)->bound, 1);
	assert_int_equal(sb_dhcp_stats(d)->sent[SB_DHCP_DISCOVER], 1);
	assert_int_equal(sb_dhcp_stats(d)->sent[SB_DHCP_REQUEST], 1);
	assert_int_equal(sb_dhcp_stats(d)->received[SB_DHCP_ACK], 1);
	sb_dhcp_free(d);
}

static void
test_dhcp_renew_at_t1(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);
	uint64_t start = out.ev[0].lease.start_ms, t1 = start + 60000;
	struct sent s;
	struct reply r;

	(void)state;
	sb_dhcp_tick(d, t1 - 1, &out);
	assert_int_equal(out.frame_len, 0);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	sb_dhcp_tick(d, t1, &out);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_RENEWING);
	read_sent(&out, &s);
	/* Unicast to the server that gave the lease, from the address. */
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	assert_unicast_to_server(&s);
	assert_int_equal(s.req_ip, 0);
	assert_int_equal(s.server_id, 0);
	assert_int_equal(out.n_ev, 0);
	/* Still in use while renewing. */
	assert_non_null(sb_dhcp_lease(d));

	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.lease_s = 300;
	assert_int_equal(deliver(d, t1 + 30, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_BOUND);
	assert_true(out.ev[0].renewal);
	assert_int_equal(out.ev[0].old_addr, ADDR);
	assert_int_equal(out.ev[0].lease.start_ms, t1);
	assert_int_equal(out.ev[0].lease.lease_s, 300);
	assert_int_equal(sb_dhcp_next_ms(d), t1 + 150000);
	assert_int_equal(sb_dhcp_remaining_ms(d, t1 + 30), 300000 - 30);
	sb_dhcp_free(d);
}

static void
test_dhcp_rebind_at_t2(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);
	uint64_t start = out.ev[0].lease.start_ms;
	uint64_t t1 = start + 60000, t2 = start + 105000, now;
	unsigned renew_sends = 0;
	uint32_t renew_xid = 0;
	struct sent s;
	struct reply r;

	(void)state;
	/* The server is silent: RENEWING retransmits at half the time left
	 * to T2, no sooner than 1/16 of the lease (7.5 s here), never past T2. */
	for (now = t1; now < t2; now = sb_dhcp_next_ms(d)) {
		sb_dhcp_tick(d, now, &out);
		assert_int_equal(sb_dhcp_state(d), SB_DHCP_RENEWING);
		read_sent(&out, &s);
		assert_int_equal(s.dst_ip, SRV);
		if (renew_sends > 0)
			assert_int_equal(s.xid, renew_xid); /* one exchange */
		renew_xid = s.xid;
		renew_sends++;
		uint64_t next = sb_dhcp_next_ms(d);

		assert_true(next <= t2);
		assert_true(next == t2 || next - now >= 7500);
		assert_true(next == t2 || next - now >= (t2 - now) / 2);
	}
	assert_int_equal(now, t2);
	assert_true(renew_sends >= 3);
	assert_true(renew_sends <= 6);
	sb_dhcp_tick(d, t2, &out);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_REBINDING);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	assert_int_equal(s.dst_ip, 0xffffffffu);
	assert_int_equal(s.dst_mac[0], 0xff);
	assert_int_equal(s.ciaddr, ADDR);
	assert_int_equal(s.src_ip, ADDR);
	assert_int_equal(s.server_id, 0);
	assert_true(sb_dhcp_next_ms(d) <= start + 120000);
	/* Any server may answer a rebinding client. */
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV2);
	assert_int_equal(deliver(d, t2 + 5, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_BOUND);
	assert_true(out.ev[0].renewal);
	assert_int_equal(sb_dhcp_lease(d)->server, SRV2);
	assert_int_equal(sb_dhcp_lease(d)->start_ms, t2);
	sb_dhcp_free(d);
}

static void
test_dhcp_expiry_loses_the_lease_and_starts_over(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);
	uint64_t start = out.ev[0].lease.start_ms, end = start + 120000, now;
	struct sent s;

	(void)state;
	for (now = sb_dhcp_next_ms(d); now < end; now = sb_dhcp_next_ms(d)) {
		sb_dhcp_tick(d, now, &out);
		assert_int_equal(out.n_ev, 0);
		assert_non_null(sb_dhcp_lease(d));
	}
	assert_int_equal(now, end);
	assert_int_equal(sb_dhcp_remaining_ms(d, end - 1), 1);
	sb_dhcp_tick(d, end, &out);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_LOST);
	assert_string_equal(out.ev[0].reason, "expired");
	assert_int_equal(out.ev[0].old_addr, ADDR);
	assert_null(sb_dhcp_lease(d));
	assert_int_equal(sb_dhcp_remaining_ms(d, end), 0);
	/* Starts over at once, asking for the address it had. */
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, ADDR);
	assert_int_equal(s.src_ip, 0);
	assert_int_equal(sb_dhcp_stats(d)->lost, 1);
	sb_dhcp_free(d);
}

static void
test_dhcp_time_jump_past_expiry_is_one_loss(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);

	(void)state;
	/* The loop was held up past T1, T2 and the expiry: no renewal is
	 * sent for a lease already gone. */
	sb_dhcp_tick(d, T0 + 10 * 60000, &out);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_LOST);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);
	sb_dhcp_free(d);
}

static void
test_dhcp_nak_in_renewing_loses_the_lease(void **state)
{
	struct sb_dhcp_out out;
	struct sent s;
	uint64_t t1;
	struct sb_dhcp *d = renewing_client(&out, &s, &t1);
	struct reply r;

	(void)state;
	/* A NAK from another server than the lease's is not believed. */
	r = nak_reply(s.xid, SRV2);
	assert_int_equal(deliver(d, t1 + 1, &r, &out), SB_DHCP_R_WRONG_SERVER);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_RENEWING);
	/* Nor one without a server identifier. */
	r.server_id = 0;
	r.src_ip = SRV;
	assert_int_equal(deliver(d, t1 + 1, &r, &out), SB_DHCP_R_NO_SERVER_ID);
	assert_int_equal(sb_dhcp_stats(d)->refused[SB_DHCP_R_WRONG_SERVER], 1);
	assert_int_equal(sb_dhcp_stats(d)->refused[SB_DHCP_R_NO_SERVER_ID], 1);

	r.server_id = SRV;
	assert_int_equal(deliver(d, t1 + 2, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_LOST);
	assert_string_equal(out.ev[0].reason, "nak");
	assert_int_equal(out.ev[0].old_addr, ADDR);
	assert_null(sb_dhcp_lease(d));
	/* First NAK: a DISCOVER at once, not asking for the refused address. */
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, 0);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);

	/* The server offers, then NAKs the REQUEST again: now the client
	 * waits 4 s before starting over (no tight loop). */
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, SRV);
	assert_int_equal(deliver(d, t1 + 3, &r, &out), SB_DHCP_OK);
	read_sent(&out, &s);
	r = nak_reply(s.xid, SRV);
	assert_int_equal(deliver(d, t1 + 4, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.n_ev, 0); /* nothing was in use */
	assert_int_equal(out.frame_len, 0);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_INIT);
	assert_int_equal(sb_dhcp_next_ms(d), t1 + 4 + 4000);
	sb_dhcp_tick(d, t1 + 4 + 3999, &out);
	assert_int_equal(out.frame_len, 0);
	sb_dhcp_tick(d, t1 + 4 + 4000, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	sb_dhcp_free(d);
}

static void
test_dhcp_address_change_is_reported_old_to_new(void **state)
{
	struct sb_dhcp_out out;
	struct sent s;
	uint64_t t1;
	struct sb_dhcp *d = renewing_client(&out, &s, &t1);
	struct reply r;

	(void)state;
	/* An ACK for another address than the one renewed is refused. */
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR2, SRV);
	assert_int_equal(deliver(d, t1 + 1, &r, &out), SB_DHCP_R_WRONG_ADDRESS);
	/* The server NAKs and hands out a new address. */
	r = nak_reply(s.xid, SRV);
	assert_int_equal(deliver(d, t1 + 2, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_LOST);
	read_sent(&out, &s);
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR2, SRV);
	assert_int_equal(deliver(d, t1 + 3, &r, &out), SB_DHCP_OK);
	read_sent(&out, &s);
	assert_int_equal(s.req_ip, ADDR2);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR2, SRV);
	assert_int_equal(deliver(d, t1 + 4, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_CHANGED);
	assert_int_equal(out.ev[0].old_addr, ADDR);
	assert_int_equal(out.ev[0].lease.addr, ADDR2);
	assert_false(out.ev[0].renewal);
	assert_int_equal(sb_dhcp_stats(d)->changed, 1);
	assert_int_equal(sb_dhcp_lease(d)->addr, ADDR2);
	sb_dhcp_free(d);
}

static void
test_dhcp_init_reboot_keeps_the_kept_lease(void **state)
{
	struct sb_dhcp *d = client();
	struct sb_dhcp_out out;
	struct sb_dhcp_lease kept = { .addr = ADDR, .prefix_len = 24, .server = SRV,
				      .lease_s = 3600, .t1_s = 1800, .t2_s = 3150,
				      .start_ms = T0 - 600000 };
	struct sent s;
	struct reply r;

	(void)state;
	sb_dhcp_start(d, T0, &kept, &out);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_REBOOTING);
	/* Not in use until the server says so. */
	assert_null(sb_dhcp_lease(d));
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	assert_int_equal(s.req_ip, ADDR);
	assert_int_equal(s.server_id, 0);   /* INIT-REBOOT: no server id */
	assert_int_equal(s.ciaddr, 0);
	assert_int_equal(s.src_ip, 0);
	assert_int_equal(s.dst_ip, 0xffffffffu);

	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.lease_s = 3600;
	assert_int_equal(deliver(d, T0 + 50, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_BOUND);
	assert_int_equal(out.ev[0].lease.addr, ADDR);
	assert_int_equal(out.ev[0].lease.start_ms, T0);
	sb_dhcp_free(d);
}

static void
test_dhcp_init_reboot_nak_or_silence_falls_back_to_discover(void **state)
{
	struct sb_dhcp_lease kept = { .addr = ADDR, .prefix_len = 24, .server = SRV,
				      .lease_s = 3600, .t1_s = 1800, .t2_s = 3150,
				      .start_ms = T0 - 600000 };
	struct sb_dhcp_out out;
	struct sb_dhcp *d = client();
	struct sent s;
	struct reply r;

	(void)state;
	/* NAK (from any server): DISCOVER at once, no loss reported. */
	sb_dhcp_start(d, T0, &kept, &out);
	read_sent(&out, &s);
	r = nak_reply(s.xid, SRV2);
	assert_int_equal(deliver(d, T0 + 5, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.n_ev, 0);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, 0);
	sb_dhcp_free(d);

	/* Silence: two REQUESTs, then DISCOVER still asking for the address. */
	d = client();
	sb_dhcp_start(d, T0, &kept, &out);
	read_sent(&out, &s);
	uint64_t now = sb_dhcp_next_ms(d);

	assert_true(now >= T0 + 3000 && now <= T0 + 5000);
	sb_dhcp_tick(d, now, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_REQUEST);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_REBOOTING);
	now = sb_dhcp_next_ms(d);
	sb_dhcp_tick(d, now, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, ADDR);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);
	assert_int_equal(out.n_ev, 0);
	sb_dhcp_free(d);

	/* An expired kept lease: straight to DISCOVER, with the hint. */
	d = client();
	kept.start_ms = T0 - 3600000;
	sb_dhcp_start(d, T0, &kept, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, ADDR);
	sb_dhcp_free(d);
}

/* RFC 2131 4.1: 4 s, 8 s, 16 s, 32 s, 64 s, 64 s..., each within -1..+1 s. */
static void
test_dhcp_retransmission_timing_bounds(void **state)
{
	uint64_t seen_first[16];

	(void)state;
	for (unsigned seed = 0; seed < 16; seed++) {
		struct sb_dhcp_conf c = { .seed = seed * 7919 };
		struct sb_dhcp_out out;
		struct sent s;
		struct sb_dhcp *d;
		uint64_t now = T0, base = 4000;
		uint32_t xid;

		memcpy(c.mac, MAC, 6);
		d = sb_dhcp_create(&c);
		assert_non_null(d);
		sb_dhcp_start(d, now, NULL, &out);
		read_sent(&out, &s);
		xid = s.xid;
		for (int k = 0; k < 8; k++) {
			uint64_t next = sb_dhcp_next_ms(d);

			assert_true(next >= now + base - 1000);
			assert_true(next <= now + base + 1000);
			if (k == 0)
				seen_first[seed] = next - now;
			/* Nothing before it is due. */
			sb_dhcp_tick(d, next - 1, &out);
			assert_int_equal(out.frame_len, 0);
			now = next;
			sb_dhcp_tick(d, now, &out);
			read_sent(&out, &s);
			assert_int_equal(s.type, SB_DHCP_DISCOVER);
			assert_int_equal(s.xid, xid);              /* same exchange */
			assert_int_equal(s.secs, (now - T0) / 1000); /* time since it began */
			base = base * 2 > 64000 ? 64000 : base * 2;
		}
		/* REQUESTING: 4 sends, then over to INIT (a new DISCOVER). */
		struct reply r = std_reply(SB_DHCP_OFFER, xid, ADDR, SRV);

		assert_int_equal(deliver(d, now, &r, &out), SB_DHCP_OK);
		base = 4000;
		for (int k = 1; k < 4; k++) {
			uint64_t next = sb_dhcp_next_ms(d);

			assert_true(next >= now + base - 1000 && next <= now + base + 1000);
			now = next;
			sb_dhcp_tick(d, now, &out);
			read_sent(&out, &s);
			assert_int_equal(s.type, SB_DHCP_REQUEST);
			base *= 2;
		}
		now = sb_dhcp_next_ms(d);
		sb_dhcp_tick(d, now, &out);
		read_sent(&out, &s);
		assert_int_equal(s.type, SB_DHCP_DISCOVER);
		assert_int_not_equal(s.xid, xid);
		assert_int_equal(s.req_ip, ADDR);
		sb_dhcp_free(d);
	}
	/* Randomised: the seeds do not all wait the same. */
	unsigned distinct = 0;

	for (unsigned i = 0; i < 16; i++) {
		bool dup = false;

		for (unsigned j = 0; j < i; j++)
			dup |= seen_first[j] == seen_first[i];
		distinct += !dup;
	}
	assert_true(distinct >= 8);
}

static void
test_dhcp_release_on_stop(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);
	struct sent s;
	struct reply r;

	(void)state;
	sb_dhcp_stop(d, T0 + 5000, true, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_RELEASE);
	assert_unicast_to_server(&s);
	assert_int_equal(s.server_id, SRV);
	assert_int_equal(s.secs, 0);
	assert_int_equal(out.n_ev, 1);
	assert_int_equal(out.ev[0].kind, SB_DHCP_EV_LOST);
	assert_string_equal(out.ev[0].reason, "released");
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_STOPPED);
	assert_int_equal(sb_dhcp_next_ms(d), UINT64_MAX);
	/* Stopped, it takes nothing and sends nothing. */
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	assert_int_equal(deliver(d, T0 + 6000, &r, &out), SB_DHCP_R_UNEXPECTED);
	sb_dhcp_tick(d, T0 + 999999, &out);
	assert_int_equal(out.frame_len, 0);
	sb_dhcp_free(d);

	/* Without release (dhcp_release = no): no RELEASE, the loss reported. */
	d = bound_client(ADDR, &out);
	sb_dhcp_stop(d, T0 + 5000, false, &out);
	assert_int_equal(out.frame_len, 0);
	assert_string_equal(out.ev[0].reason, "stopped");
	sb_dhcp_free(d);
}

static void
test_dhcp_decline_waits_ten_seconds(void **state)
{
	struct sb_dhcp_out out;
	struct sb_dhcp *d = bound_client(ADDR, &out);
	struct sent s;

	(void)state;
	assert_int_equal(sb_dhcp_decline(d, T0 + 100, &out), 0);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DECLINE);
	assert_int_equal(s.req_ip, ADDR);
	assert_int_equal(s.server_id, SRV);
	assert_int_equal(s.ciaddr, 0);
	assert_int_equal(s.dst_ip, 0xffffffffu);
	assert_string_equal(out.ev[0].reason, "declined");
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_INIT);
	assert_int_equal(sb_dhcp_next_ms(d), T0 + 100 + 10000);
	assert_int_equal(sb_dhcp_decline(d, T0 + 200, &out), -EINVAL);
	sb_dhcp_tick(d, T0 + 100 + 10000, &out);
	read_sent(&out, &s);
	assert_int_equal(s.type, SB_DHCP_DISCOVER);
	assert_int_equal(s.req_ip, 0);
	sb_dhcp_free(d);
}

static void
test_dhcp_refuses_what_it_did_not_ask_for(void **state)
{
	struct sb_dhcp *d = client();
	struct sb_dhcp_out out;
	struct sent s;
	struct reply r;
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	static const uint8_t cid_other[] = { 61, 7, 1, 0x02, 0, 0, 0, 0, 0x77 };
	static const uint8_t cid_ours[] = { 61, 7, 1, 0x02, 0, 0, 0, 0, 0x01 };

	(void)state;
	sb_dhcp_start(d, T0, NULL, &out);
	read_sent(&out, &s);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_UNEXPECTED);
	r = std_reply(SB_DHCP_OFFER, s.xid + 1, ADDR, SRV);
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_WRONG_XID);
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, SRV);
	r.chaddr = other_mac;
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_WRONG_CHADDR);
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, SRV);
	r.extra = cid_other;
	r.extra_len = sizeof(cid_other);
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_WRONG_CLIENT_ID);
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, 0);
	r.src_ip = SRV;
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_NO_SERVER_ID);
	r = std_reply(SB_DHCP_OFFER, s.xid, IP(224, 0, 0, 1), SRV);
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_BAD_ADDRESS);
	r = std_reply(SB_DHCP_OFFER, s.xid, IP(203, 0, 113, 255), SRV);
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_BAD_ADDRESS);
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, SRV);
	r.lease_s = 0;
	assert_int_equal(deliver(d, T0 + 1, &r, &out), SB_DHCP_R_NO_LEASE_TIME);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_SELECTING);
	for (unsigned k = 1; k < SB_DHCP_R_MAX; k++)
		assert_true(sb_dhcp_stats(d)->refused[k] <= 2);
	assert_int_equal(sb_dhcp_stats(d)->refused[SB_DHCP_R_BAD_ADDRESS], 2);

	/* An echoed identifier that is ours is fine. */
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR, SRV);
	r.extra = cid_ours;
	r.extra_len = sizeof(cid_ours);
	assert_int_equal(deliver(d, T0 + 2, &r, &out), SB_DHCP_OK);
	read_sent(&out, &s);
	/* A second offer, or an ACK from another server than the chosen one. */
	r = std_reply(SB_DHCP_OFFER, s.xid, ADDR2, SRV2);
	assert_int_equal(deliver(d, T0 + 3, &r, &out), SB_DHCP_R_UNEXPECTED);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV2);
	assert_int_equal(deliver(d, T0 + 3, &r, &out), SB_DHCP_R_WRONG_SERVER);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR2, SRV);
	assert_int_equal(deliver(d, T0 + 3, &r, &out), SB_DHCP_R_WRONG_ADDRESS);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_REQUESTING);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	assert_int_equal(deliver(d, T0 + 4, &r, &out), SB_DHCP_OK);
	/* Bound: a duplicate ACK is unexpected. */
	assert_int_equal(deliver(d, T0 + 5, &r, &out), SB_DHCP_R_UNEXPECTED);
	assert_int_equal(out.n_ev, 0);
	sb_dhcp_free(d);
}

static void
test_dhcp_configured_client_id_and_no_hostname(void **state)
{
	struct sb_dhcp_conf c = { .seed = 1, .client_id = { 0, 'i', 's', 'p', '4', '2' },
				  .client_id_len = 6 };
	struct sb_dhcp_out out;
	struct sb_dhcp *d;
	struct sent s;

	(void)state;
	memcpy(c.mac, MAC, 6);
	d = sb_dhcp_create(&c);
	assert_non_null(d);
	sb_dhcp_start(d, T0, NULL, &out);
	read_sent(&out, &s);
	assert_int_equal(s.client_id_len, 6);
	assert_memory_equal(s.client_id, c.client_id, 6);
	assert_string_equal(s.hostname, "");
	sb_dhcp_free(d);

	/* A multicast MAC or a one-byte identifier is refused. */
	c.client_id_len = 1;
	assert_null(sb_dhcp_create(&c));
	c.client_id_len = 0;
	c.mac[0] = 1;
	assert_null(sb_dhcp_create(&c));
}

static void
test_dhcp_infinite_lease_never_renews(void **state)
{
	struct sb_dhcp_out out;
	struct sent s;
	struct sb_dhcp *d = requesting_client(ADDR, T0 + 1, SB_DHCP_INFINITE, &out, &s);
	struct reply r;

	(void)state;
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.lease_s = SB_DHCP_INFINITE;
	assert_int_equal(deliver(d, T0 + 2, &r, &out), SB_DHCP_OK);
	assert_int_equal(sb_dhcp_next_ms(d), UINT64_MAX);
	assert_int_equal(sb_dhcp_remaining_ms(d, T0 + 2), UINT64_MAX);
	sb_dhcp_tick(d, UINT64_MAX - 1, &out);
	assert_int_equal(out.frame_len, 0);
	assert_int_equal(sb_dhcp_state(d), SB_DHCP_BOUND);
	sb_dhcp_free(d);
}

static void
test_dhcp_server_t1_t2_taken_only_in_order(void **state)
{
	struct sb_dhcp_out out;
	struct sent s;
	struct sb_dhcp *d = requesting_client(ADDR, T0, 0, &out, &s);
	struct reply r;

	(void)state;
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.lease_s = 1000;
	r.t1_s = 300;
	r.t2_s = 600;
	assert_int_equal(deliver(d, T0, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.ev[0].lease.t1_s, 300);
	assert_int_equal(out.ev[0].lease.t2_s, 600);
	sb_dhcp_free(d);

	d = requesting_client(ADDR, T0, 0, &out, &s);
	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.lease_s = 1000;
	r.t1_s = 900;
	r.t2_s = 600;   /* T1 after T2: both defaults */
	assert_int_equal(deliver(d, T0, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.ev[0].lease.t1_s, 500);
	assert_int_equal(out.ev[0].lease.t2_s, 875);
	sb_dhcp_free(d);
}

/* --- the parser ------------------------------------------------------------- */

static size_t
std_frame(uint8_t *f, const uint8_t *extra, size_t extra_len)
{
	struct reply r = std_reply(SB_DHCP_ACK, 0x1234, ADDR, SRV);

	r.extra = extra;
	r.extra_len = extra_len;
	return mk_reply(f, &r);
}

static void
test_dhcp_parse_options(void **state)
{
	uint8_t f[1500];
	struct sb_dhcp_msg m;
	size_t n;
	/* Five DNS servers (four kept), RFC 3442 routes with a default via
	 * .254 that wins over option 3, a 10/8 and an on-link 198.51.100.0/24. */
	static const uint8_t ex[] = {
		6, 20, 192, 0, 2, 1, 192, 0, 2, 2, 192, 0, 2, 3, 192, 0, 2, 4, 192, 0, 2, 5,
		121, 5 + 6 + 8, 0, 203, 0, 113, 254,
				8, 10, 203, 0, 113, 2,
				24, 198, 51, 100, 0, 0, 0, 0,
		56, 5, 'h', 'e', 'l', 0x01, 'o',
	};

	(void)state;
	n = std_frame(f, ex, sizeof(ex));
	assert_int_equal(sb_dhcp_parse_frame(f, n, &m), SB_DHCP_OK);
	assert_int_equal(m.type, SB_DHCP_ACK);
	assert_int_equal(m.xid, 0x1234);
	assert_int_equal(m.yiaddr, ADDR);
	assert_int_equal(m.src_ip, SRV);
	assert_memory_equal(m.src_mac, SRV_MAC, 6);
	assert_int_equal(m.n_dns, 4);
	assert_int_equal(m.dns[3], IP(192, 0, 2, 4));
	assert_true(m.has_csr);
	assert_int_equal(m.n_csr, 3);
	assert_int_equal(m.csr[1].dst, IP(10, 0, 0, 0));
	assert_int_equal(m.csr[1].len, 8);
	assert_int_equal(m.csr[1].gw, IP(203, 0, 113, 2));
	assert_int_equal(m.csr[2].dst, IP(198, 51, 100, 0));
	assert_int_equal(m.csr[2].gw, 0);
	assert_string_equal(m.message, "hel?o");

	/* Through the client: the 0/0 route is the gateway, option 3 ignored. */
	struct sb_dhcp_out out;
	struct sent s;
	struct sb_dhcp *d = requesting_client(ADDR, T0, 0, &out, &s);
	struct reply r;

	r = std_reply(SB_DHCP_ACK, s.xid, ADDR, SRV);
	r.extra = ex;
	r.extra_len = sizeof(ex);
	assert_int_equal(deliver(d, T0, &r, &out), SB_DHCP_OK);
	assert_int_equal(out.ev[0].lease.router, IP(203, 0, 113, 254));
	assert_int_equal(out.ev[0].lease.n_routes, 2);
	assert_int_equal(out.ev[0].lease.routes[0].len, 8);
	sb_dhcp_free(d);
}

static void
test_dhcp_parse_split_and_overloaded_options(void **state)
{
	uint8_t f[1500];
	struct sb_dhcp_msg m;
	size_t n;
	/* Option 6 in two instances (RFC 3396: one option), and option 52
	 * sending the parser on into 'file' where the subnet mask is. */
	static const uint8_t ex[] = { 6, 4, 192, 0, 2, 1, 52, 1, 1, 6, 4, 192, 0, 2, 2 };

	(void)state;
	{
		struct reply r = std_reply(SB_DHCP_ACK, 1, ADDR, SRV);

		r.mask = 0;
		r.extra = ex;
		r.extra_len = sizeof(ex);
		n = mk_reply(f, &r);
	}
	/* 'file' is at BOOTP offset 108: mask /26 then end. */
	uint8_t *file = f + 14 + 20 + 8 + 108;

	file[0] = 1; file[1] = 4; file[2] = 255; file[3] = 255; file[4] = 255; file[5] = 192;
	file[6] = 255;
	/* Fix the UDP checksum after the edit: zero means none. */
	f[14 + 20 + 6] = 0;
	f[14 + 20 + 7] = 0;
	assert_int_equal(sb_dhcp_parse_frame(f, n, &m), SB_DHCP_OK);
	assert_int_equal(m.n_dns, 2);
	assert_int_equal(m.dns[1], IP(192, 0, 2, 2));
	assert_true(m.has_mask);
	assert_int_equal(m.prefix_len, 26);
	/* 'file' without an end option is malformed. */
	file[6] = 7;
	memset(file + 7, 7, 121);
	assert_int_equal(sb_dhcp_parse_frame(f, n, &m), SB_DHCP_R_BAD_OPTION);
}

struct bad_case {
	const char *what;
	uint8_t ex[40];
	size_t len;
	enum sb_dhcp_refuse want;
};

static void
test_dhcp_parse_refuses_malformed_options(void **state)
{
	static const struct bad_case cases[] = {
		{ "option runs past the end", { 6, 40, 1, 2, 3, 4 }, 6, SB_DHCP_R_BAD_OPTION },
		{ "mask of 3 bytes", { 1, 3, 255, 255, 255 }, 5, SB_DHCP_R_BAD_OPTION },
		{ "lease time of 3 bytes", { 51, 3, 0, 0, 1 }, 5, SB_DHCP_R_BAD_OPTION },
		{ "router list not of 4s", { 3, 6, 1, 2, 3, 4, 5, 6 }, 8, SB_DHCP_R_BAD_OPTION },
		{ "server id twice (8 bytes)", { 54, 4, 1, 2, 3, 4 }, 6, SB_DHCP_R_BAD_OPTION },
		{ "route width 33", { 121, 5, 33, 1, 2, 3, 4 }, 7, SB_DHCP_R_BAD_ROUTES },
		{ "route cut short", { 121, 6, 24, 10, 0, 0, 1, 2 }, 8, SB_DHCP_R_BAD_ROUTES },
		{ "route, bits past width", { 121, 6, 7, 11, 1, 2, 3, 4 }, 8, SB_DHCP_R_BAD_ROUTES },
		{ "route, bytes left over", { 121, 7, 8, 10, 1, 2, 3, 4, 9 }, 9, SB_DHCP_R_BAD_ROUTES },
		{ "route option too short", { 121, 4, 0, 1, 2, 3 }, 6, SB_DHCP_R_BAD_ROUTES },
		{ "overload value 4", { 52, 1, 4 }, 3, SB_DHCP_R_BAD_OPTION },
		{ "client id of one byte", { 61, 1, 1 }, 3, SB_DHCP_R_BAD_OPTION },
		{ "no end option", { 12, 1, 'a' }, 3, SB_DHCP_R_BAD_OPTION },
	};
	uint8_t f[1500];
	struct sb_dhcp_msg m;

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply r = std_reply(SB_DHCP_ACK, 1, ADDR, SRV);
		size_t n;

		/* The mask case replaces the standard mask; the others add. */
		if (cases[i].ex[0] == 1)
			r.mask = 0;
		r.extra = cases[i].ex;
		r.extra_len = cases[i].len;
		n = mk_reply(f, &r);
		if (strcmp(cases[i].what, "no end option") == 0) {
			/* Drop the end option and fill the rest with a long option. */
			uint8_t *b = f + 14 + 20 + 8;
			size_t blen = n - 42;
			size_t k = 240;

			while (b[k] != 255)
				k += b[k] == 0 ? 1 : 2u + b[k + 1];
			b[k] = 0;
			memset(b + k, 0, blen - k);
			b[blen - 3] = 12;
			b[blen - 2] = 5;  /* runs past: no end either way */
			f[14 + 20 + 6] = f[14 + 20 + 7] = 0;
		}
		enum sb_dhcp_refuse got = sb_dhcp_parse_frame(f, n, &m);

		if (got != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].what, sb_dhcp_refuse_name(got),
				 sb_dhcp_refuse_name(cases[i].want));
	}
	/* A zero mask and a mask with a hole are BAD_MASK. */
	{
		struct reply r = std_reply(SB_DHCP_ACK, 1, ADDR, SRV);
		size_t n;

		r.mask = 0xff00ff00u;
		n = mk_reply(f, &r);
		assert_int_equal(sb_dhcp_parse_frame(f, n, &m), SB_DHCP_R_BAD_MASK);
	}
}

static void
test_dhcp_parse_refuses_malformed_headers(void **state)
{
	uint8_t f[1500], g[1500];
	struct sb_dhcp_msg m;
	size_t n;
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;

	(void)state;
	n = std_frame(f, NULL, 0);
	assert_int_equal(sb_dhcp_parse_frame(f, n, &m), SB_DHCP_OK);
#define MUTATE(stmt, want) do { memcpy(g, f, n); { uint8_t *F = g; (void)F; stmt; } \
		assert_int_equal(sb_dhcp_parse_frame(g, n, &m), (want)); } while (0)
	MUTATE(F[12] = 0x86, SB_DHCP_R_NOT_IPV4);
	MUTATE(F[14] = 0x65, SB_DHCP_R_BAD_IP);                 /* version 6 */
	MUTATE(F[14] = 0x44, SB_DHCP_R_BAD_IP);                 /* ihl 4 */
	MUTATE(F[14 + 10] ^= 1, SB_DHCP_R_BAD_IP);              /* ip checksum */
	MUTATE((F[14 + 6] = 0x20, F[14 + 10] = 0, F[14 + 11] = 0,
		put16(F + 24, (uint16_t)~sum16(0, F + 14, 20))), SB_DHCP_R_BAD_IP); /* MF */
	MUTATE((F[14 + 9] = 6, F[24] = 0, F[25] = 0,
		put16(F + 24, (uint16_t)~sum16(0, F + 14, 20))), SB_DHCP_R_NOT_UDP);
	MUTATE(F[34 + 1] = 53, SB_DHCP_R_WRONG_PORTS);
	MUTATE(F[34 + 3] = 67, SB_DHCP_R_WRONG_PORTS);
	MUTATE(F[34 + 7] ^= 0x10, SB_DHCP_R_BAD_UDP);           /* udp checksum */
	MUTATE(put16(F + 34 + 4, 4), SB_DHCP_R_BAD_UDP);         /* udp len < 8 */
	MUTATE(put16(F + 34 + 4, 1400), SB_DHCP_R_BAD_UDP);      /* udp len > ip */
	MUTATE((F[42] = 1, F[40] = F[41] = 0), SB_DHCP_R_NOT_REPLY);
	MUTATE((F[43] = 6, F[40] = F[41] = 0), SB_DHCP_R_BAD_HW);
	MUTATE((F[44] = 16, F[40] = F[41] = 0), SB_DHCP_R_BAD_HW);
	MUTATE((F[42 + 236] = 0, F[40] = F[41] = 0), SB_DHCP_R_BAD_COOKIE);
	MUTATE((F[42 + 242] = 1, F[40] = F[41] = 0), SB_DHCP_R_BAD_TYPE);  /* DISCOVER */
	MUTATE((F[42 + 242] = 0, F[40] = F[41] = 0), SB_DHCP_R_BAD_TYPE);
	MUTATE((F[42 + 242] = 9, F[40] = F[41] = 0), SB_DHCP_R_BAD_TYPE);  /* FORCERENEW */
	MUTATE((F[42 + 240] = 0, F[42 + 241] = 0, F[42 + 242] = 0, F[40] = F[41] = 0),
	       SB_DHCP_R_NO_TYPE);
#undef MUTATE
	(void)b;
	/* An 802.1Q tag in front is fine. */
	memcpy(g, f, 12);
	g[12] = 0x81; g[13] = 0x00; g[14] = 0x00; g[15] = 0x07;
	memcpy(g + 16, f + 12, n - 12);
	assert_int_equal(sb_dhcp_parse_frame(g, n + 4, &m), SB_DHCP_OK);

	/* Every truncation of a good frame is refused, never read past. */
	for (size_t k = 0; k < n; k++) {
		uint8_t *cut = malloc(k > 0 ? k : 1);

		memcpy(cut, f, k);
		assert_int_not_equal(sb_dhcp_parse_frame(cut, k, &m), SB_DHCP_OK);
		free(cut);
	}
	/* A BOOTP message shorter than its fixed part. */
	assert_int_equal(sb_dhcp_parse(b, 239, &m), SB_DHCP_R_TRUNCATED);
}

/* The fuzz entry point on random and mutated input: no crash (ASan/UBSan
 * run this too), and what it refuses it refuses with a named reason. */
static void
test_dhcp_fuzz_entry_survives_mutations(void **state)
{
	uint8_t f[1500], g[1500];
	uint64_t x = 0x5eed;
	size_t n;
	static const uint8_t ex[] = { 121, 5, 0, 203, 0, 113, 254, 6, 4, 192, 0, 2, 1 };

	(void)state;
	n = std_frame(f, ex, sizeof(ex));
	assert_int_equal(sb_dhcp_fuzz_one(f, n), SB_DHCP_OK);
	for (int i = 0; i < 20000; i++) {
		size_t len = n;

		memcpy(g, f, n);
		for (int k = 0; k < 1 + i % 8; k++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			g[(x >> 33) % n] = (uint8_t)(x >> 17);
		}
		if (i % 3 == 0)
			len = (x >> 40) % (n + 1);
		enum sb_dhcp_refuse r = sb_dhcp_fuzz_one(g, len);

		assert_true(r < SB_DHCP_R_MAX);
		assert_string_not_equal(sb_dhcp_refuse_name(r), "?");
	}
}

/* --- the lease kept on disk ------------------------------------------------- */

static void
test_dhcp_lease_file_roundtrip(void **state)
{
	char path[] = "/tmp/sbtest-lease-XXXXXX";
	struct sb_dhcp_lease l = { .addr = ADDR, .prefix_len = 24, .router = SRV, .server = SRV,
				   .dns = { IP(192, 0, 2, 53) }, .n_dns = 1,
				   .lease_s = 3600, .t1_s = 1800, .t2_s = 3150,
				   .n_routes = 1,
				   .routes = { { .dst = IP(10, 0, 0, 0), .len = 8, .gw = SRV } },
				   .start_ms = T0 - 100000, .server_mac = { 2, 0, 0, 0, 0x99, 1 } };
	struct sb_dhcp_lease got;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sb_dhcp_lease_save(path, &l, T0, 1700000000), 0);
	/* Read back 500 s later on a clock that restarted at 5000 ms. */
	assert_int_equal(sb_dhcp_lease_load(path, &got, 5000000, 1700000500), 0);
	assert_int_equal(got.addr, ADDR);
	assert_int_equal(got.prefix_len, 24);
	assert_int_equal(got.router, SRV);
	assert_int_equal(got.server, SRV);
	assert_memory_equal(got.server_mac, l.server_mac, 6);
	assert_int_equal(got.n_dns, 1);
	assert_int_equal(got.dns[0], IP(192, 0, 2, 53));
	assert_int_equal(got.n_routes, 1);
	assert_int_equal(got.routes[0].dst, IP(10, 0, 0, 0));
	assert_int_equal(got.routes[0].len, 8);
	assert_int_equal(got.lease_s, 3600);
	assert_int_equal(got.t2_s, 3150);
	/* Started 100 s before the save, 600 s before the load. */
	assert_int_equal(got.start_ms, 5000000 - 600000);
	/* After a reboot (clock at 10 s): what is left of each time. */
	assert_int_equal(sb_dhcp_lease_load(path, &got, 10000, 1700000500), 0);
	assert_int_equal(got.start_ms, 0);
	assert_int_equal(got.lease_s, 3600 - 590);
	assert_int_equal(got.t1_s, 1800 - 590);
	/* Expired. */
	assert_int_equal(sb_dhcp_lease_load(path, &got, 5000000, 1700000000 + 3600), -ESTALE);
	/* Malformed. */
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fprintf(f, "colour=blue\n");
	fclose(f);
	assert_int_equal(sb_dhcp_lease_load(path, &got, 5000000, 1700000500), -EINVAL);
	unlink(path);
	assert_int_equal(sb_dhcp_lease_load(path, &got, 5000000, 1700000500), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp_discover_offer_request_ack),
		cmocka_unit_test(test_dhcp_renew_at_t1),
		cmocka_unit_test(test_dhcp_rebind_at_t2),
		cmocka_unit_test(test_dhcp_expiry_loses_the_lease_and_starts_over),
		cmocka_unit_test(test_dhcp_time_jump_past_expiry_is_one_loss),
		cmocka_unit_test(test_dhcp_nak_in_renewing_loses_the_lease),
		cmocka_unit_test(test_dhcp_address_change_is_reported_old_to_new),
		cmocka_unit_test(test_dhcp_init_reboot_keeps_the_kept_lease),
		cmocka_unit_test(test_dhcp_init_reboot_nak_or_silence_falls_back_to_discover),
		cmocka_unit_test(test_dhcp_retransmission_timing_bounds),
		cmocka_unit_test(test_dhcp_release_on_stop),
		cmocka_unit_test(test_dhcp_decline_waits_ten_seconds),
		cmocka_unit_test(test_dhcp_refuses_what_it_did_not_ask_for),
		cmocka_unit_test(test_dhcp_configured_client_id_and_no_hostname),
		cmocka_unit_test(test_dhcp_infinite_lease_never_renews),
		cmocka_unit_test(test_dhcp_server_t1_t2_taken_only_in_order),
		cmocka_unit_test(test_dhcp_parse_options),
		cmocka_unit_test(test_dhcp_parse_split_and_overloaded_options),
		cmocka_unit_test(test_dhcp_parse_refuses_malformed_options),
		cmocka_unit_test(test_dhcp_parse_refuses_malformed_headers),
		cmocka_unit_test(test_dhcp_fuzz_entry_survives_mutations),
		cmocka_unit_test(test_dhcp_lease_file_roundtrip),
	};

	return cmocka_run_group_tests_name("dhcp", tests, NULL, NULL);
}
