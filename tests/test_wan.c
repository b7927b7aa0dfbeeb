/* SPDX-License-Identifier: BSD-3-Clause
 * A WAN's life (control/wan.c) driven with a fake clock: probes leave
 * through a fake sender that answers (or not) after a chosen RTT, the
 * loop is the daemon's (replies, tick, settle when dirty, alerts), and
 * the tests read the WAN states, generations, reasons, the RIB and the
 * notifications. No EAL, no packets. */
#include "test_config_load.h"

#include <stdint.h>

#include "rib.h"
#include "wan.h"

#define MAX_TARGETS 8
#define MAX_INFLIGHT 64
#define MAX_EVENTS 64

struct target {
	uint32_t ip;
	bool dead;             /* never answers */
	uint32_t rtt_us;
	unsigned lose_every;   /* lose one probe in this many (0 = none) */
	unsigned n;            /* probes seen */
};

struct event {
	char event[8];
	unsigned port;
	char old_state[12], new_state[12];
	bool in_service;
};

struct h {
	struct sb_config *cfg;
	struct sb_rib *rib;
	struct sb_wans ws;
	uint64_t now_us;
	struct target t[MAX_TARGETS];
	unsigned n_t;
	struct {
		unsigned port;
		uint32_t src;
		uint16_t id, seq;
		uint64_t at_us;
	} fl[MAX_INFLIGHT];
	unsigned n_fl;
	unsigned sent_on[SB_MAX_PORTS];
	uint32_t last_hop[SB_MAX_PORTS];
	struct event ev[MAX_EVENTS];
	unsigned n_ev;
};

static struct target *
target(struct h *h, uint32_t ip)
{
	for (unsigned i = 0; i < h->n_t; i++)
		if (h->t[i].ip == ip)
			return &h->t[i];
	assert_true(h->n_t < MAX_TARGETS);
	h->t[h->n_t] = (struct target){ .ip = ip, .rtt_us = 2000 };
	return &h->t[h->n_t++];
}

static void
fake_send(void *ctx, unsigned port, uint32_t hop, const struct sb_probe *p)
{
	struct h *h = ctx;
	struct target *t = target(h, p->target);

	h->sent_on[port]++;
	h->last_hop[port] = hop;
	t->n++;
	if (t->dead || (t->lose_every != 0 && t->n % t->lose_every == 0))
		return;
	assert_true(h->n_fl < MAX_INFLIGHT);
	h->fl[h->n_fl].port = port;
	h->fl[h->n_fl].src = p->target;
	h->fl[h->n_fl].id = p->id;
	h->fl[h->n_fl].seq = p->seq;
	h->fl[h->n_fl].at_us = h->now_us + t->rtt_us;
	h->n_fl++;
}

static void
fake_notify(void *ctx, const char *event, unsigned port, const char *old_state,
	    const char *new_state, const char *reason, bool in_service)
{
	struct h *h = ctx;
	struct event *e;

	(void)reason;
	assert_true(h->n_ev < MAX_EVENTS);
	e = &h->ev[h->n_ev++];
	snprintf(e->event, sizeof(e->event), "%s", event);
	snprintf(e->old_state, sizeof(e->old_state), "%s", old_state);
	snprintf(e->new_state, sizeof(e->new_state), "%s", new_state);
	e->port = port;
	e->in_service = in_service;
}

/* lan, wan1 (203.0.113.2/24, gateway .1), wan2 (198.51.100.2/24, gateway
 * .1); default routes through both, wan1 preferred; @extra appended. */
static struct h *
setup_text(const char *extra)
{
	static const char base[] =
		"[check_gateway]\n"
		"interval_ms = 100\n"
		"down_after = 3\n"
		"up_after = 2\n"
		"hold_down_ms = 0\n"
		"[port lan]\n"
		"device = net_null0\n"
		"role = lan\n"
		"address = 192.168.1.1/24\n"
		"[port wan1]\n"
		"device = net_null1\n"
		"role = wan\n"
		"address = 203.0.113.2/24\n"
		"masquerade = yes\n"
		"[port wan2]\n"
		"device = net_null2\n"
		"role = wan\n"
		"address = 198.51.100.2/24\n"
		"masquerade = yes\n";
	char text[4096], err[512];
	struct h *h = calloc(1, sizeof(*h));
	const struct sb_wan_io io = { .ctx = h, .send = fake_send, .notify = fake_notify };

	assert_non_null(h);
	snprintf(text, sizeof(text), "%s%s", base, extra);
	h->cfg = sb_test_config(text);
	h->rib = sb_test_rib(h->cfg);
	h->now_us = 1000000;
	assert_int_equal(sb_wan_init(&h->ws, h->cfg, h->rib, &io, h->now_us / 1000, err,
				     sizeof(err)), 0);
	/* The daemon's first publication. */
	sb_wan_apply(&h->ws, h->now_us / 1000);
	return h;
}

static void
teardown_h(struct h *h)
{
	sb_wan_fini(&h->ws);
	sb_rib_free(h->rib);
	sb_config_free(h->cfg);
	free(h);
}

/* The control loop, one iteration per millisecond for @ms. */
static void
run_ms(struct h *h, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		h->now_us += 1000;
		for (unsigned k = 0; k < h->n_fl; ) {
			if (h->fl[k].at_us > h->now_us) {
				k++;
				continue;
			}
			sb_wan_echo_reply(&h->ws, h->fl[k].port, h->fl[k].src, h->fl[k].id,
					  h->fl[k].seq, h->now_us);
			h->fl[k] = h->fl[--h->n_fl];
		}
		sb_wan_tick(&h->ws, h->now_us);
		if (h->ws.dirty)
			sb_wan_apply(&h->ws, h->now_us / 1000);
		sb_wan_alerts(&h->ws, h->now_us / 1000);
	}
}

/* Run until WAN @p is (not) down, at most @ms; returns the time it took,
 * or -1. */
static long
run_until_down(struct h *h, unsigned p, bool down, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		if (h->ws.wan[p].down == down)
			return (long)i;
		run_ms(h, 1);
	}
	return h->ws.wan[p].down == down ? (long)ms : -1;
}

static unsigned
count_events(const struct h *h, const char *event, unsigned port, const char *new_state)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->n_ev; i++)
		n += strcmp(h->ev[i].event, event) == 0 && h->ev[i].port == port &&
		     (new_state == NULL || strcmp(h->ev[i].new_state, new_state) == 0);
	return n;
}

#define WAN1 1
#define WAN2 2
#define GW1 0xcb007101u   /* 203.0.113.1 */
#define GW2 0xc6336401u   /* 198.51.100.1 */
#define MON1 0xc0000235u  /* 192.0.2.53 */
#define MON2 0xc0000237u  /* 192.0.2.55 */
#define MON3 0xc0000236u  /* 192.0.2.54 */

static const char routes_plain[] =
	"[route default-wan1]\n"
	"dst = 0.0.0.0/0\n"
	"gateway = 203.0.113.1\n"
	"distance = 1\n"
	"check_gateway = ping\n"
	"[route default-wan2]\n"
	"dst = 0.0.0.0/0\n"
	"gateway = 198.51.100.1\n"
	"distance = 2\n"
	"check_gateway = ping\n";

/* Two monitors on wan1 (quorum @quorum), one on wan2, and @wan1_extra. */
static struct h *
setup_monitored(unsigned quorum, const char *wan1_extra)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "[route default-wan1]\n"
		 "dst = 0.0.0.0/0\n"
		 "gateway = 203.0.113.1\n"
		 "distance = 1\n"
		 "[route default-wan2]\n"
		 "dst = 0.0.0.0/0\n"
		 "gateway = 198.51.100.1\n"
		 "distance = 2\n"
		 "[wan wan1]\n"
		 "monitors = 192.0.2.53, 192.0.2.55\n"
		 "quorum = %u\n"
		 "%s"
		 "[wan wan2]\n"
		 "monitors = 192.0.2.54\n", quorum, wan1_extra);
	return setup_text(text);
}

static void
test_wan_starts_up_and_probes_every_interval(void **state)
{
	struct h *h = setup_monitored(1, "");

	(void)state;
	run_ms(h, 1000);
	assert_false(h->ws.wan[WAN1].down);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_UP);
	/* Two monitors every 100 ms out of wan1 only, one out of wan2. */
	assert_in_range(h->sent_on[WAN1], 18, 22);
	assert_in_range(h->sent_on[WAN2], 9, 11);
	assert_int_equal(h->sent_on[0], 0);
	assert_int_equal(h->n_ev, 0);
	teardown_h(h);
}

/* `status` prints the reason: while the WAN keeps its state it follows
 * the monitors' evidence, not what it was at start (0/0, 0.0 ms). */
static void
test_wan_reason_follows_the_monitors(void **state)
{
	struct h *h = setup_monitored(1, "");

	(void)state;
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "0/0 monitors"));  /* before any round */
	run_ms(h, 1000);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_UP);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "2/2 monitors answered"));
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "192.0.2.53 ok 2.0 ms"));
	assert_non_null(strstr(h->ws.wan[WAN2].reason, "1/1 monitors answered"));
	/* One monitor silent: still up (quorum 1), and the reason says so. */
	target(h, MON1)->dead = true;
	run_ms(h, 1000);
	assert_false(h->ws.wan[WAN1].down);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "192.0.2.53 timeout"));
	assert_int_equal(h->n_ev, 0);
	teardown_h(h);
}

static void
test_wan_quorum_one_needs_every_monitor_to_fail(void **state)
{
	struct h *h = setup_monitored(1, "");
	uint32_t gen = h->ws.wan[WAN1].gen;

	(void)state;
	run_ms(h, 500);
	target(h, MON1)->dead = true;
	run_ms(h, 1000);
	assert_false(h->ws.wan[WAN1].down);
	assert_int_equal(h->ws.wan[WAN1].h.answering, 1);
	target(h, MON2)->dead = true;
	/* down_after 3 rounds of 100 ms, plus the timeout. */
	assert_in_range(run_until_down(h, WAN1, true, 1000), 200, 450);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_DOWN);
	assert_int_equal(h->ws.wan[WAN1].gen, gen + 1);          /* sessions flushed */
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "0/2 monitors answered"));
	assert_int_equal(count_events(h, "change", WAN1, "down"), 1);
	assert_false(h->ev[h->n_ev - 1].in_service);
	/* Its default route is out, wan2's carries the traffic. */
	assert_false(sb_rib_result(h->rib, (unsigned)sb_rib_find(h->rib, "default-wan1"))->active);
	assert_true(sb_rib_result(h->rib, (unsigned)sb_rib_find(h->rib, "default-wan2"))->active);
	teardown_h(h);
}

static void
test_wan_quorum_all_goes_down_with_one_monitor(void **state)
{
	struct h *h = setup_monitored(2, "");

	(void)state;
	run_ms(h, 500);
	target(h, MON2)->dead = true;
	assert_true(run_until_down(h, WAN1, true, 1000) >= 0);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "quorum not met"));
	assert_false(h->ws.wan[WAN2].down);
	teardown_h(h);
}

static void
test_wan_loss_over_threshold_degrades(void **state)
{
	/* trigger = down: shown as degraded, traffic stays. */
	struct h *h = setup_monitored(2, "loss_pct = 20\nwindow = 10\n");

	(void)state;
	run_ms(h, 1500);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_UP);
	target(h, MON1)->lose_every = 2;  /* 50% loss, never 3 in a row */
	run_ms(h, 2000);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_DEGRADED);
	assert_false(h->ws.wan[WAN1].down);
	assert_int_equal(count_events(h, "change", WAN1, "degraded"), 1);
	assert_true(h->ev[h->n_ev - 1].in_service);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "traffic stays on it"));
	teardown_h(h);
}

static void
test_wan_loss_trigger_takes_traffic_off(void **state)
{
	struct h *h = setup_monitored(2, "loss_pct = 20\nwindow = 10\ntrigger = loss\n");
	uint32_t gen = h->ws.wan[WAN1].gen;

	(void)state;
	run_ms(h, 1500);
	target(h, MON1)->lose_every = 2;
	assert_true(run_until_down(h, WAN1, true, 3000) >= 0);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_DEGRADED);
	assert_int_equal(h->ws.wan[WAN1].gen, gen + 1);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "traffic goes to other WANs"));
	assert_true(h->rib->port_out[WAN1]);
	teardown_h(h);
}

static void
test_wan_latency_trigger(void **state)
{
	struct h *h = setup_monitored(1, "latency_ms = 50\nwindow = 4\ntrigger = latency\n");

	(void)state;
	run_ms(h, 1000);
	assert_false(h->ws.wan[WAN1].down);
	target(h, MON1)->rtt_us = 80000;
	target(h, MON2)->rtt_us = 80000;
	assert_true(run_until_down(h, WAN1, true, 5000) >= 0);
	assert_int_equal(h->ws.wan[WAN1].state, SB_WAN_DEGRADED);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "ms > 50 ms"));
	/* Latency is not silence: no monitor counts as down. */
	assert_int_equal(h->ws.wan[WAN1].h.answering, 2);
	teardown_h(h);
}

static void
test_wan_hold_down_delays_failback(void **state)
{
	struct h *h = setup_monitored(1, "hold_down_ms = 1000\n");
	long t;

	(void)state;
	run_ms(h, 500);
	target(h, MON1)->dead = true;
	target(h, MON2)->dead = true;
	assert_true(run_until_down(h, WAN1, true, 1000) >= 0);
	run_ms(h, 500);
	target(h, MON1)->dead = false;
	/* up_after 2 rounds, then the 1 s hold-down. */
	t = run_until_down(h, WAN1, false, 3000);
	assert_in_range(t, 1100, 1500);
	assert_int_equal(count_events(h, "change", WAN1, "up"), 1);
	teardown_h(h);
}

static void
test_wan_relapse_cancels_failback(void **state)
{
	struct h *h = setup_monitored(1, "hold_down_ms = 1000\n");

	(void)state;
	run_ms(h, 500);
	target(h, MON1)->dead = true;
	target(h, MON2)->dead = true;
	assert_true(run_until_down(h, WAN1, true, 1000) >= 0);
	target(h, MON1)->dead = false;
	run_ms(h, 500);                    /* answering again: holding */
	assert_true(h->ws.wan[WAN1].holding);
	target(h, MON1)->dead = true;      /* fails during the hold-down */
	run_ms(h, 800);
	assert_false(h->ws.wan[WAN1].holding);
	assert_true(h->ws.wan[WAN1].down);
	run_ms(h, 1000);
	assert_true(h->ws.wan[WAN1].down);
	assert_int_equal(count_events(h, "change", WAN1, "up"), 0);
	teardown_h(h);
}

static void
test_wan_flapping_link_goes_down_once(void **state)
{
	struct h *h = setup_monitored(1, "hold_down_ms = 1000\n");

	(void)state;
	run_ms(h, 500);
	/* Alive 600 ms, dead 600 ms, five times: long enough each way to
	 * count, never alive for up_after + the hold-down. */
	for (int i = 0; i < 5; i++) {
		target(h, MON1)->dead = target(h, MON2)->dead = true;
		run_ms(h, 600);
		target(h, MON1)->dead = target(h, MON2)->dead = false;
		run_ms(h, 600);
	}
	assert_true(h->ws.wan[WAN1].down);
	assert_int_equal(count_events(h, "change", WAN1, "down"), 1);
	assert_int_equal(count_events(h, "change", WAN1, "up"), 0);
	/* Stable again: back after the hold-down. */
	assert_true(run_until_down(h, WAN1, false, 2000) >= 0);
	assert_int_equal(count_events(h, "change", WAN1, "up"), 1);
	teardown_h(h);
}

static void
test_wan_carrier_loss_is_immediate(void **state)
{
	struct h *h = setup_text(routes_plain);
	uint32_t gen = h->ws.wan[WAN1].gen;

	(void)state;
	run_ms(h, 500);
	assert_false(h->ws.wan[WAN1].down);
	sb_wan_set_link(&h->ws, WAN1, true);
	assert_true(h->ws.dirty);
	run_ms(h, 1);
	assert_true(h->ws.wan[WAN1].down);
	assert_string_equal(h->ws.wan[WAN1].reason, "link down");
	assert_int_equal(h->ws.wan[WAN1].gen, gen + 1);
	assert_true(h->rib->port_down[WAN1]);
	/* Back after two lost rounds, a third one outstanding: up at once,
	 * and it stays up (the probes lost while the link was gone are
	 * forgotten, or that third timeout would take it down again). */
	for (int i = 0; i < 1000 && h->ws.probes[0].fails < 2; i++)
		run_ms(h, 1);
	assert_int_equal(h->ws.probes[0].fails, 2);
	assert_true(h->ws.probes[0].outstanding);
	sb_wan_set_link(&h->ws, WAN1, false);
	run_ms(h, 1);
	assert_false(h->ws.wan[WAN1].down);
	run_ms(h, 2000);
	assert_false(h->ws.wan[WAN1].down);
	assert_int_equal(count_events(h, "change", WAN1, "down"), 1);
	assert_int_equal(count_events(h, "change", WAN1, "up"), 1);
	teardown_h(h);
}

static void
test_wan_operator_override(void **state)
{
	struct h *h = setup_monitored(1, "");
	uint32_t gen;

	(void)state;
	run_ms(h, 500);
	gen = h->ws.wan[WAN1].gen;
	sb_wan_force(&h->ws, WAN1, -1);
	run_ms(h, 1);
	assert_true(h->ws.wan[WAN1].down);
	assert_string_equal(h->ws.wan[WAN1].reason, "forced down by the operator");
	assert_string_equal(sb_wan_state_name(&h->ws.wan[WAN1]), "forced-down");
	assert_int_equal(h->ws.wan[WAN1].gen, gen + 1);
	assert_true(h->rib->port_down[WAN1]);
	/* Forced up overrides monitors that all fail. */
	target(h, MON1)->dead = target(h, MON2)->dead = true;
	sb_wan_force(&h->ws, WAN1, 1);
	run_ms(h, 1000);
	assert_false(h->ws.wan[WAN1].down);
	assert_string_equal(sb_wan_state_name(&h->ws.wan[WAN1]), "forced-up");
	assert_false(h->rib->port_out[WAN1]);
	assert_true(sb_rib_result(h->rib, (unsigned)sb_rib_find(h->rib, "default-wan1"))->active);
	/* Automatic again: the monitors' verdict. */
	sb_wan_force(&h->ws, WAN1, 0);
	run_ms(h, 1);
	assert_true(h->ws.wan[WAN1].down);
	assert_string_equal(sb_wan_state_name(&h->ws.wan[WAN1]), "down");
	teardown_h(h);
}

static void
test_wan_operator_up_overrides_failed_check(void **state)
{
	struct h *h = setup_text(routes_plain);
	unsigned r1;

	(void)state;
	r1 = (unsigned)sb_rib_find(h->rib, "default-wan1");
	run_ms(h, 500);
	target(h, GW1)->dead = true;
	assert_true(run_until_down(h, WAN1, true, 1000) >= 0);
	assert_false(sb_rib_result(h->rib, r1)->active);
	sb_wan_force(&h->ws, WAN1, 1);
	run_ms(h, 1);
	assert_false(h->ws.wan[WAN1].down);
	assert_string_equal(h->ws.wan[WAN1].reason, "forced up by the operator");
	assert_true(sb_rib_result(h->rib, r1)->active);
	assert_false(h->rib->r[r1].check_failed);
	teardown_h(h);
}

static void
test_wan_last_resort_keeps_sessions(void **state)
{
	struct h *h = setup_text(routes_plain);
	uint32_t gen1 = h->ws.wan[WAN1].gen, gen2 = h->ws.wan[WAN2].gen;

	(void)state;
	run_ms(h, 500);
	target(h, GW1)->dead = true;
	assert_true(run_until_down(h, WAN1, true, 1000) >= 0);
	assert_int_equal(h->ws.wan[WAN1].gen, gen1 + 1);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "default-wan1 203.0.113.1 unanswered"));
	/* Now the last one: nowhere better to go, nothing flushed, the
	 * preferred route stays as the last resort. */
	target(h, GW2)->dead = true;
	assert_true(run_until_down(h, WAN2, true, 1000) >= 0);
	assert_int_equal(h->ws.wan[WAN2].gen, gen2);
	{
		const struct sb_rib_result *r =
			sb_rib_result(h->rib, (unsigned)sb_rib_find(h->rib, "default-wan1"));

		assert_true(r->active);
		assert_true(r->last_resort);
	}
	teardown_h(h);
}

static void
test_wan_alert_once_after_alert_after_s(void **state)
{
	char text[1024];
	struct h *h;

	(void)state;
	snprintf(text, sizeof(text), "[notify]\nalert_after_s = 1\n%s", routes_plain);
	h = setup_text(text);
	run_ms(h, 300);
	sb_wan_force(&h->ws, WAN2, -1);
	run_ms(h, 900);
	assert_int_equal(count_events(h, "alert", WAN2, NULL), 0);
	run_ms(h, 200);
	assert_int_equal(count_events(h, "alert", WAN2, NULL), 1);
	assert_true(h->ws.wan[WAN2].alerted);
	run_ms(h, 2000);
	assert_int_equal(count_events(h, "alert", WAN2, NULL), 1);
	assert_int_equal(count_events(h, "alert", WAN1, NULL), 0);
	teardown_h(h);
}

static void
test_wan_address_from_a_lease(void **state)
{
	struct h *h = setup_monitored(1, "");
	uint32_t gen;
	unsigned sent;

	(void)state;
	run_ms(h, 500);
	assert_int_equal(h->last_hop[WAN1], GW1);
	/* The lease went: down at once, no monitor leaves without an address. */
	sb_wan_set_address(&h->ws, WAN1, 0, 0, 0, "lease lost (nak)");
	run_ms(h, 1);
	assert_true(h->ws.wan[WAN1].down);
	assert_non_null(strstr(h->ws.wan[WAN1].reason, "lease lost (nak)"));
	sent = h->sent_on[WAN1];
	run_ms(h, 500);
	assert_int_equal(h->sent_on[WAN1], sent);
	/* A new lease elsewhere: monitors go to its gateway, the WAN comes
	 * back once they answer. */
	gen = h->ws.wan[WAN1].gen;
	sb_wan_set_address(&h->ws, WAN1, 0xc6120005u /* 198.18.0.5 */, 24, 0xc6120001u, NULL);
	assert_true(run_until_down(h, WAN1, false, 2000) >= 0);
	assert_int_equal(h->last_hop[WAN1], 0xc6120001u);
	assert_int_equal(h->ws.wan[WAN1].gen, gen);       /* no address before: nothing to flush */
	/* Renumbered: the sessions on the old address are flushed. */
	sb_wan_set_address(&h->ws, WAN1, 0xc6120009u, 24, 0xc6120001u, NULL);
	assert_int_equal(h->ws.wan[WAN1].gen, gen + 1);
	assert_true(h->ws.dirty);
	teardown_h(h);
}

static void
test_wan_echo_reply_from_wrong_wan_ignored(void **state)
{
	struct h *h = setup_monitored(1, "");
	const struct sb_probe *m = &h->ws.wan[WAN1].mon[0];

	(void)state;
	run_ms(h, 150);
	/* Outstanding monitor: an answer on wan2's port, or with another
	 * sequence number, does not count. */
	h->n_fl = 0;
	target(h, MON1)->dead = true;
	run_ms(h, 100);
	assert_true(m->outstanding);
	sb_wan_echo_reply(&h->ws, WAN2, MON1, m->id, m->seq, h->now_us);
	assert_true(m->outstanding);
	sb_wan_echo_reply(&h->ws, WAN1, MON1, m->id, (uint16_t)(m->seq + 1), h->now_us);
	assert_true(m->outstanding);
	sb_wan_echo_reply(&h->ws, WAN1, MON1, m->id, m->seq, h->now_us);
	assert_false(m->outstanding);
	teardown_h(h);
}

SB_TEST_MAIN("wan", NULL, NULL,
	     cmocka_unit_test(test_wan_starts_up_and_probes_every_interval),
	     cmocka_unit_test(test_wan_reason_follows_the_monitors),
	     cmocka_unit_test(test_wan_quorum_one_needs_every_monitor_to_fail),
	     cmocka_unit_test(test_wan_quorum_all_goes_down_with_one_monitor),
	     cmocka_unit_test(test_wan_loss_over_threshold_degrades),
	     cmocka_unit_test(test_wan_loss_trigger_takes_traffic_off),
	     cmocka_unit_test(test_wan_latency_trigger),
	     cmocka_unit_test(test_wan_hold_down_delays_failback),
	     cmocka_unit_test(test_wan_relapse_cancels_failback),
	     cmocka_unit_test(test_wan_flapping_link_goes_down_once),
	     cmocka_unit_test(test_wan_carrier_loss_is_immediate),
	     cmocka_unit_test(test_wan_operator_override),
	     cmocka_unit_test(test_wan_operator_up_overrides_failed_check),
	     cmocka_unit_test(test_wan_last_resort_keeps_sessions),
	     cmocka_unit_test(test_wan_alert_once_after_alert_after_s),
	     cmocka_unit_test(test_wan_address_from_a_lease),
	     cmocka_unit_test(test_wan_echo_reply_from_wrong_wan_ignored))
