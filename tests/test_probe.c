/* SPDX-License-Identifier: BSD-3-Clause
 * check-gateway round state machine. */
#include "test_common.h"

#include <string.h>

#include "probe.h"

static void
test_probe_down_after_n_failures_not_before(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_false(p.down);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_WENT_DOWN);
	assert_true(p.down);
	/* Further failures report nothing new. */
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
}

static void
test_probe_success_resets_failures(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	sb_probe_round(&p, false, 3, 2);
	sb_probe_round(&p, false, 3, 2);
	sb_probe_round(&p, true, 3, 2);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_false(p.down);
}

static void
test_probe_up_after_m_successes(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	for (int i = 0; i < 3; i++)
		sb_probe_round(&p, false, 3, 2);
	assert_true(p.down);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_NONE);
	assert_true(p.down);
	/* A failure in between starts the count again. */
	assert_int_equal(sb_probe_round(&p, false, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_NONE);
	assert_int_equal(sb_probe_round(&p, true, 3, 2), SB_PROBE_WENT_UP);
	assert_false(p.down);
}

static void
test_probe_loss_over_window(void **state)
{
	struct sb_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(sb_probe_loss_pct(&p, 10), 0);
	for (int i = 0; i < 10; i++)
		sb_probe_account(&p, i % 2 == 0, 1000);   /* every other one lost */
	assert_int_equal(sb_probe_loss_pct(&p, 10), 50);
	assert_int_equal(sb_probe_loss_pct(&p, 4), 50);
	for (int i = 0; i < 10; i++)
		sb_probe_account(&p, true, 1000);
	assert_int_equal(sb_probe_loss_pct(&p, 10), 0);
	assert_int_equal(sb_probe_loss_pct(&p, 20), 25);
}

static void
test_probe_rtt_and_jitter(void **state)
{
	struct sb_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	sb_probe_account(&p, true, 10000);
	p.last_rtt_us = 10000;
	assert_int_equal(p.rtt_avg_us, 10000);
	for (int i = 0; i < 50; i++) {
		uint32_t rtt = i % 2 ? 12000 : 8000;

		sb_probe_account(&p, true, rtt);
		p.last_rtt_us = rtt;
	}
	assert_true(p.rtt_avg_us > 9000 && p.rtt_avg_us < 11000);
	assert_true(p.jitter_us > 2500 && p.jitter_us <= 4000);   /* |12000 - 8000| = 4000 */
}

static void
test_probe_degraded_by_loss_or_latency(void **state)
{
	struct sb_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* Not judged before a whole window was seen. */
	for (int i = 0; i < 5; i++)
		sb_probe_account(&p, false, 0);
	assert_false(sb_probe_judge(&p, 10, 20, 0));
	assert_false(p.degraded);
	for (int i = 0; i < 5; i++)
		sb_probe_account(&p, true, 1000);
	assert_true(sb_probe_judge(&p, 10, 20, 0));   /* 50% > 20% */
	assert_true(p.degraded);
	for (int i = 0; i < 10; i++)
		sb_probe_account(&p, i != 3, 1000);        /* 10% */
	assert_true(sb_probe_judge(&p, 10, 20, 0));
	assert_false(p.degraded);
	/* Latency: a 150 ms average against a 100 ms threshold. */
	p.rtt_avg_us = 150000;
	assert_true(sb_probe_judge(&p, 10, 0, 100));
	assert_true(p.degraded);
	assert_true(sb_probe_judge(&p, 10, 0, 0));      /* both off: never degraded */
	assert_false(p.degraded);
}

/* Judge the three monitors @m: the WAN is then in @state, and out of use
 * or not (@out). */
static void
judge(const struct sb_probe *m, const struct sb_wan_conf *wc, struct sb_wan_health *h,
      enum sb_wstate state, bool out)
{
	sb_wan_judge(m, 3, wc, h);
	assert_int_equal(h->state, state);
	assert_int_equal(h->out, out);
}

/* WAN-level judgement: quorum and trigger levels. */
static void
test_probe_wan_quorum_and_trigger(void **state)
{
	struct sb_probe m[3];
	struct sb_wan_conf wc = { .quorum = 1, .trigger = SB_TRIGGER_DOWN };
	struct sb_wan_health h;

	(void)state;
	memset(m, 0, sizeof(m));
	judge(m, &wc, &h, SB_WAN_UP, false);
	assert_int_equal(h.answering, 3);
	/* Quorum 1 (the default): down only when every monitor fails. */
	m[0].down = m[1].down = true;
	judge(m, &wc, &h, SB_WAN_UP, false);
	m[2].down = true;
	judge(m, &wc, &h, SB_WAN_DOWN, true);
	assert_int_equal(h.answering, 0);
	/* Quorum 2: down when fewer than two answer. */
	wc.quorum = 2;
	m[0].down = false;
	judge(m, &wc, &h, SB_WAN_DOWN, true);
	m[1].down = false;
	sb_wan_judge(m, 3, &wc, &h);
	assert_int_equal(h.state, SB_WAN_UP);
	/* Thresholds crossed: DEGRADED. Trigger "down": traffic stays. */
	m[0].loss_bad = true;
	judge(m, &wc, &h, SB_WAN_DEGRADED, false);
	/* Trigger "latency" ignores loss... */
	wc.trigger = SB_TRIGGER_LATENCY;
	judge(m, &wc, &h, SB_WAN_DEGRADED, false);
	/* ...trigger "loss" takes the traffic away. */
	wc.trigger = SB_TRIGGER_LOSS;
	sb_wan_judge(m, 3, &wc, &h);
	assert_true(h.out);
	assert_int_equal(h.usable, 1);
	/* Latency over on the other: only loss-or-latency and latency act. */
	m[0].loss_bad = false;
	m[1].lat_bad = true;
	judge(m, &wc, &h, SB_WAN_DEGRADED, false);
	wc.trigger = SB_TRIGGER_LOSS_OR_LATENCY;
	sb_wan_judge(m, 3, &wc, &h);
	assert_true(h.out);
	/* Silent monitors make it DOWN, not DEGRADED. */
	m[1].down = true;
	sb_wan_judge(m, 3, &wc, &h);
	assert_int_equal(h.state, SB_WAN_DOWN);
	assert_string_equal(sb_wstate_name(SB_WAN_DEGRADED), "degraded");
}

/* sb_probe_judge says which threshold was crossed. */
static void
test_probe_judge_tells_loss_from_latency(void **state)
{
	struct sb_probe p = { 0 };

	(void)state;
	for (int i = 0; i < 10; i++)
		sb_probe_account(&p, i % 2 == 0, 1000);
	sb_probe_judge(&p, 10, 20, 100);
	assert_true(p.loss_bad);
	assert_false(p.lat_bad);
	p.hist = ~0ull;
	p.rtt_avg_us = 150000;
	sb_probe_judge(&p, 10, 20, 100);
	assert_false(p.loss_bad);
	assert_true(p.lat_bad);
	assert_true(p.degraded);
}

SB_TEST_MAIN("probe", NULL, NULL,
	     cmocka_unit_test(test_probe_down_after_n_failures_not_before),
	     cmocka_unit_test(test_probe_success_resets_failures),
	     cmocka_unit_test(test_probe_up_after_m_successes),
	     cmocka_unit_test(test_probe_loss_over_window),
	     cmocka_unit_test(test_probe_rtt_and_jitter),
	     cmocka_unit_test(test_probe_degraded_by_loss_or_latency),
	     cmocka_unit_test(test_probe_wan_quorum_and_trigger),
	     cmocka_unit_test(test_probe_judge_tells_loss_from_latency))
