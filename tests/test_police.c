/* SPDX-License-Identifier: BSD-3-Clause
 * The punt policer (dataplane/police.c): each reason within its own rate
 * and burst, one reason's flood leaving the others their share, and ARP
 * per sender. A fake TSC of 1 GHz. */
#include "test_common.h"

#include "police.h"

#define HZ 1000000000ull

static unsigned
pass_n(struct sb_police *p, unsigned reason, unsigned n, uint64_t now)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += sb_police_take(p, reason, 0, now);
	return ok;
}

static void
test_police_rate_and_burst(void **state)
{
	struct sb_police_conf conf;
	struct sb_police p;
	uint64_t now = 5 * HZ;
	unsigned ok = 0;

	(void)state;
	sb_police_defaults(&conf);
	conf.rate[SB_PUNT_ARP] = 1000;
	conf.burst[SB_PUNT_ARP] = 100;
	sb_police_init(&p, &conf, HZ, now);
	/* A full bucket: the burst at once, then nothing more. */
	assert_int_equal(pass_n(&p, SB_PUNT_ARP, 1000, now), 100);
	assert_int_equal(p.dropped[SB_PUNT_ARP], 900);
	/* A flood of 1M packets over one second: the rate, no more. */
	for (unsigned i = 1; i <= 1000000; i++)
		ok += sb_police_take(&p, SB_PUNT_ARP, 0, now + i * (HZ / 1000000));
	assert_in_range(ok, 999, 1001);
	/* Idle for an hour: the burst again, not 3.6M. */
	assert_int_equal(pass_n(&p, SB_PUNT_ARP, 1000, now + 3600 * HZ), 100);
}

static void
test_police_reasons_apart(void **state)
{
	struct sb_police_conf conf;
	struct sb_police p;
	uint64_t now = HZ;

	(void)state;
	sb_police_defaults(&conf);
	sb_police_init(&p, &conf, HZ, now);
	/* Echo replies flooding the probe reason use up only its bucket. */
	for (unsigned i = 0; i < 100000; i++)
		sb_police_take(&p, SB_PUNT_PROBE_REPLY, 0, now + i * 1000);
	assert_true(p.dropped[SB_PUNT_PROBE_REPLY] > 90000);
	assert_int_equal(pass_n(&p, SB_PUNT_ARP, 10, now + 100000 * 1000), 10);
	assert_int_equal(pass_n(&p, SB_PUNT_TTL_EXCEEDED, 10, now + 100000 * 1000), 10);
	assert_int_equal(p.dropped[SB_PUNT_ARP], 0);
	/* An unknown reason never passes. */
	assert_false(sb_police_take(&p, SB_PUNT_MAX, 0, now));
	/* Nor a port out of range. */
	assert_false(sb_police_take(&p, SB_PUNT_ARP, SB_MAX_PORTS, now));
	assert_false(sb_police_take_src(&p, SB_MAX_PORTS, 1, now));
}

static void
test_police_per_source(void **state)
{
	struct sb_police_conf conf;
	struct sb_police p;
	uint64_t now = HZ;
	unsigned loud = 0, quiet = 0;

	(void)state;
	sb_police_defaults(&conf);
	conf.src_rate = 50;
	conf.src_burst = 20;
	sb_police_init(&p, &conf, HZ, now);
	/* One sender at 10k/s for a second gets its 50/s (+ burst); another
	 * sender, meanwhile, all of its 10. */
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t t = now + (uint64_t)i * (HZ / 10000);

		loud += sb_police_take_src(&p, 0, 0xc0a8010a, t);
		if (i % 1000 == 0)
			quiet += sb_police_take_src(&p, 0, 0xc0a8010b, t);
	}
	assert_in_range(loud, 68, 71);
	assert_int_equal(quiet, 10);
	assert_int_equal(p.src_dropped, 10000 - loud);
}

/* A flood of ARP on one port (many senders, each within its own share)
 * uses up that port's ARP bucket only: the ISP router on another port
 * asking for our address, once a second, is answered every time, and so
 * is a sender with the same address on another port. */
static void
test_police_ports_apart(void **state)
{
	struct sb_police_conf conf;
	struct sb_police p;
	uint64_t now = HZ;
	unsigned flood = 0, isp = 0, twin = 0;

	(void)state;
	sb_police_defaults(&conf);
	sb_police_init(&p, &conf, HZ, now);
	/* Port 0: 100k ARP a second from 128 senders, for 3 s. */
	for (unsigned i = 0; i < 300000; i++) {
		uint64_t t = now + (uint64_t)i * (HZ / 100000);
		uint32_t src = 0xc0a80180 + (i % 128);

		if (sb_police_take_src(&p, 0, src, t) && sb_police_take(&p, SB_PUNT_ARP, 0, t))
			flood++;
		if (i % 100000 == 50000) {
			isp += sb_police_take_src(&p, 1, 0xcb007101, t) &&
			       sb_police_take(&p, SB_PUNT_ARP, 1, t);
			twin += sb_police_take_src(&p, 2, src, t) &&
				sb_police_take(&p, SB_PUNT_ARP, 2, t);
		}
	}
	/* The flood got its port's 2000/s (+ burst), no more... */
	assert_in_range(flood, 3 * 2000, 3 * 2000 + 256 + 1);
	assert_true(p.dropped[SB_PUNT_ARP] > 10000);
	/* ...and took nothing from the other ports. */
	assert_int_equal(isp, 3);
	assert_int_equal(twin, 3);
}

SB_TEST_MAIN("police", NULL, NULL,
	     cmocka_unit_test(test_police_rate_and_burst),
	     cmocka_unit_test(test_police_reasons_apart),
	     cmocka_unit_test(test_police_per_source),
	     cmocka_unit_test(test_police_ports_apart))
