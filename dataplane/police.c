/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "police.h"

void
sb_police_defaults(struct sb_police_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	/* ARP: a LAN of a few hundred hosts resolving and re-confirming,
	 * and our own requests' replies. */
	conf->rate[SB_PUNT_ARP] = 2000;
	conf->burst[SB_PUNT_ARP] = 256;
	/* Probe replies are validated before this (each answers a probe
	 * we sent, once): the bucket only bounds what slips through. */
	conf->rate[SB_PUNT_PROBE_REPLY] = 2000;
	conf->burst[SB_PUNT_PROBE_REPLY] = 64;
	/* ICMP time exceeded we are asked to send: Linux sends about one
	 * per second per destination by default; 100/s in all. */
	conf->rate[SB_PUNT_TTL_EXCEEDED] = 100;
	conf->burst[SB_PUNT_TTL_EXCEEDED] = 50;
	conf->src_rate = 50;
	conf->src_burst = 20;
}

static void
tb_init(struct sb_tb *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	b->rate = rate;
	b->burst = burst;
	b->cap = (uint64_t)burst << 16;
	b->tokens = b->cap;
	b->last = now;
}

void
sb_police_init(struct sb_police *p, const struct sb_police_conf *conf, uint64_t hz,
	       uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->hz = hz ? hz : 1;
	for (unsigned port = 0; port < SB_MAX_PORTS; port++) {
		for (unsigned r = 0; r < SB_PUNT_MAX; r++)
			tb_init(&p->reason[port][r], conf->rate[r], conf->burst[r], now);
		for (unsigned i = 0; i < SB_POLICE_SRC_SLOTS; i++)
			tb_init(&p->src[port][i], conf->src_rate, conf->src_burst, now);
	}
	p->src_rate = conf->src_rate;
	p->src_burst = conf->src_burst;
}

static bool
tb_take(struct sb_tb *b, uint64_t hz, uint64_t now)
{
	if (now > b->last) {
		/* Refill: rate x elapsed / hz tokens, in 1/65536 units.
		 * Elapsed is capped at a second so the product cannot
		 * overflow (rates are below 65536/s, TSCs below 4 GHz). */
		uint64_t dt = now - b->last;

		if (dt > hz)
			dt = hz;
		uint64_t num = ((uint64_t)b->rate << 16) * dt + b->frac;

		/* The remainder is kept: refills at every packet of a flood
		 * must add up to the rate, not lose a fraction each time. */
		b->tokens += num / hz;
		b->frac = num % hz;
		if (b->tokens >= b->cap) {
			b->tokens = b->cap;
			b->frac = 0;
		}
		b->last = now;
	}
	if (b->tokens < (1u << 16))
		return false;
	b->tokens -= 1u << 16;
	return true;
}

bool
sb_police_take(struct sb_police *p, unsigned reason, unsigned port, uint64_t now)
{
	if (reason >= SB_PUNT_MAX || port >= SB_MAX_PORTS ||
	    !tb_take(&p->reason[port][reason], p->hz, now)) {
		p->dropped[reason < SB_PUNT_MAX ? reason : 0]++;
		return false;
	}
	p->passed[reason]++;
	return true;
}

bool
sb_police_take_src(struct sb_police *p, unsigned port, uint32_t src, uint64_t now)
{
	if (port >= SB_MAX_PORTS || !tb_take(&p->src[port][sb_mix64(src) % SB_POLICE_SRC_SLOTS],
					     p->hz, now)) {
		p->src_dropped++;
		return false;
	}
	return true;
}
