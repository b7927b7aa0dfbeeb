/* SPDX-License-Identifier: BSD-3-Clause */
#include "probe.h"

enum sb_probe_event
sb_probe_round(struct sb_probe *p, bool answered, unsigned down_after, unsigned up_after)
{
	if (answered) {
		p->fails = 0;
		p->oks++;
		if (p->down && p->oks >= up_after) {
			p->down = false;
			return SB_PROBE_WENT_UP;
		}
	} else {
		p->oks = 0;
		p->fails++;
		if (!p->down && p->fails >= down_after) {
			p->down = true;
			return SB_PROBE_WENT_DOWN;
		}
	}
	return SB_PROBE_NONE;
}

void
sb_probe_account(struct sb_probe *p, bool answered, uint32_t rtt_us)
{
	p->hist = (p->hist << 1) | (answered ? 1u : 0u);
	if (p->hist_n < 64)
		p->hist_n++;
	if (!answered)
		return;
	if (p->rtt_avg_us == 0) {
		p->rtt_avg_us = rtt_us;
		return;
	}
	uint32_t d = rtt_us > p->last_rtt_us ? rtt_us - p->last_rtt_us : p->last_rtt_us - rtt_us;

	p->jitter_us = (uint32_t)(((uint64_t)p->jitter_us * 15 + d) / 16);
	p->rtt_avg_us = (uint32_t)(((uint64_t)p->rtt_avg_us * 7 + rtt_us) / 8);
}

unsigned
sb_probe_loss_pct(const struct sb_probe *p, unsigned window)
{
	unsigned n = window < p->hist_n ? window : p->hist_n;
	uint64_t mask = n >= 64 ? UINT64_MAX : ((1ull << n) - 1);

	if (n == 0)
		return 0;
	return (unsigned)(n - (unsigned)__builtin_popcountll(p->hist & mask)) * 100u / n;
}

bool
sb_probe_judge(struct sb_probe *p, unsigned window, unsigned loss_pct, unsigned latency_ms)
{
	bool bad = false;

	if (window > 64)
		window = 64;
	p->loss_bad = false;
	p->lat_bad = false;
	if (p->hist_n >= window) {
		p->loss_bad = loss_pct != 0 && sb_probe_loss_pct(p, window) > loss_pct;
		p->lat_bad = latency_ms != 0 && p->rtt_avg_us > latency_ms * 1000u;
		bad = p->loss_bad || p->lat_bad;
	}
	if (bad == p->degraded)
		return false;
	p->degraded = bad;
	return true;
}

void
sb_wan_judge(const struct sb_probe *m, unsigned n, const struct sb_wan_conf *wc,
	     struct sb_wan_health *h)
{
	h->n = n;
	h->answering = h->clean = h->usable = 0;
	for (unsigned k = 0; k < n; k++) {
		const struct sb_probe *p = &m[k];

		if (p->down)
			continue;
		h->answering++;
		h->clean += !p->loss_bad && !p->lat_bad;
		h->usable += !((wc->trigger & SB_TRIGGER_LOSS) && p->loss_bad) &&
			     !((wc->trigger & SB_TRIGGER_LATENCY) && p->lat_bad);
	}
	if (h->clean >= wc->quorum)
		h->state = SB_WAN_UP;
	else if (h->answering >= wc->quorum)
		h->state = SB_WAN_DEGRADED;
	else
		h->state = SB_WAN_DOWN;
	h->out = h->usable < wc->quorum;
}

const char *
sb_wstate_name(enum sb_wstate s)
{
	return s == SB_WAN_UP ? "up" : s == SB_WAN_DEGRADED ? "degraded" : "down";
}
