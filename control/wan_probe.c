/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a WAN's probes (wan.h): route probes (check_gateway) and
 * [wan NAME] monitors: their rounds, timeouts, answers and failback
 * hold-downs. What they conclude is judged in wan.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wan.h"
#include "wan_priv.h"
#include "addr.h"
#include "rib.h"
#include "sb_log.h"

void
sb_wan_monitor_hops(struct sb_wans *ws, unsigned port)
{
	struct sb_wan *w = &ws->wan[port];
	uint32_t mask = w->prefix_len ? ~0u << (32 - w->prefix_len) : 0;

	for (unsigned k = 0; k < w->n_mon; k++) {
		struct sb_probe *m = &w->mon[k];
		bool on_link = w->addr != 0 && ((m->target ^ w->addr) & mask) == 0;

		m->hop = w->gateway != 0 && !on_link ? w->gateway : m->target;
	}
}

/* --- set-up ---------------------------------------------------------------- */

/* Monitors of every [wan NAME], after the route probes in the ICMP id
 * space. */
static int
setup_monitors(struct sb_wans *ws, uint64_t now, char *err, size_t errlen)
{
	const struct sb_config *cfg = ws->cfg;
	unsigned total = 0;

	for (unsigned p = 0; p < cfg->n_ports; p++)
		total += cfg->wan[p].enabled ? cfg->wan[p].n_monitors : 0;
	if (ws->n_probes + total > 256) {
		snprintf(err, errlen, "[wan] monitors: %u monitors and %u probed routes are more than "
			 "the 256 probes switchback can tell apart", total, ws->n_probes);
		return -EINVAL;
	}
	ws->mons = calloc(total + 1, sizeof(*ws->mons));
	if (ws->mons == NULL)
		return -ENOMEM;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct sb_wan_conf *wc = &cfg->wan[p];
		char gw[20] = "on-link";

		if (!wc->enabled)
			continue;
		ws->wan[p].mon = &ws->mons[ws->n_mons];
		ws->wan[p].n_mon = wc->n_monitors;
		for (unsigned k = 0; k < wc->n_monitors; k++) {
			struct sb_probe *m = &ws->mons[ws->n_mons];

			m->wan = (int)p;
			m->target = wc->monitor[k];
			m->method = wc->method;
			m->id = (uint16_t)(SB_PROBE_ID_BASE + ws->n_probes + ws->n_mons);
			/* Spread the first probes over the interval. */
			m->next_ms = now + (uint64_t)wc->interval_ms * k / wc->n_monitors;
			ws->n_mons++;
		}
		sb_wan_monitor_hops(ws, p);
		if (wc->gateway != 0)
			sb_addr_str(wc->gateway, gw, sizeof(gw));
		SB_INFO(WAN, "wan %s: %u monitor(s) by %s every %u ms via %s%s, down after %u, "
			"up after %u, quorum %u, loss %u%%, latency %u ms over %u rounds, trigger %s",
			cfg->ports[p].name, wc->n_monitors,
			wc->method == SB_CHECK_ARP ? "arp" : "icmp", wc->interval_ms, gw,
			wc->gateway_derived ? " (from the routes)" : "", wc->down_after,
			wc->up_after, wc->quorum, wc->loss_pct, wc->latency_ms, wc->window,
			sb_trigger_name(wc->trigger));
	}
	return 0;
}

int
sb_wan_probes_setup(struct sb_wans *ws, uint64_t now_ms, char *err, size_t errlen)
{
	const struct sb_rib *rib = ws->rib;

	ws->probes = calloc(rib->n_routes + 1, sizeof(*ws->probes));
	if (ws->probes == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < rib->n_routes; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		struct sb_probe *p;

		if (r->check == SB_CHECK_NONE || r->disabled)
			continue;
		if (ws->n_probes == 256) {
			snprintf(err, errlen, "[route %s] check_gateway: at most 256 probed routes",
				 r->name);
			return -EINVAL;
		}
		p = &ws->probes[ws->n_probes];
		p->wan = -1;
		p->route = i;
		p->target = r->gw;
		p->method = r->check;
		p->id = (uint16_t)(SB_PROBE_ID_BASE + ws->n_probes);
		ws->n_probes++;
	}
	return setup_monitors(ws, now_ms, err, errlen);
}

/* --- route probes (check_gateway) ------------------------------------------ */

/* One probe round's outcome, with failback hysteresis: a probe that
 * answers again stays down for hold_down_ms, and any failure meanwhile
 * cancels the failback. Marks the WANs dirty when the route's state
 * changes. */
static void
probe_result(struct sb_wans *ws, struct sb_probe *p, bool answered, uint64_t now)
{
	const struct sb_config *cfg = ws->cfg;
	const struct sb_rib_route *r = &ws->rib->r[p->route];
	enum sb_probe_event ev = sb_probe_round(p, answered, cfg->probe_down_after,
						cfg->probe_up_after);

	if (sb_probe_judge(p, cfg->window, cfg->loss_pct, cfg->latency_ms)) {
		if (p->degraded)
			SB_WARN(PROBE, "route %s degraded: loss %u%% over %u rounds, rtt %u us "
				"(thresholds: loss %u%%, latency %u ms)", r->name,
				sb_probe_loss_pct(p, cfg->window), cfg->window, p->rtt_avg_us,
				cfg->loss_pct, cfg->latency_ms);
		else
			SB_INFO(PROBE, "route %s no longer degraded: loss %u%%, rtt %u us", r->name,
				sb_probe_loss_pct(p, cfg->window), p->rtt_avg_us);
		ws->dirty = true;
	}

	if (!answered && p->holding) {
		p->holding = false;
		SB_INFO(PROBE, "route %s: failback cancelled, %s failed again during the hold-down",
			r->name, r->name);
	}
	if (ev == SB_PROBE_WENT_UP && cfg->hold_down_ms != 0) {
		/* Not yet: keep it down until the hold-down has passed. */
		p->down = true;
		if (!p->holding) {
			p->holding = true;
			p->hold_until = now + cfg->hold_down_ms;
			SB_INFO(PROBE, "route %s: check-gateway answering again, failback in %u ms "
				"unless it fails meanwhile", r->name, cfg->hold_down_ms);
		}
		return;
	}
	if (ev != SB_PROBE_NONE)
		ws->dirty = true;
}

/* The outstanding probe @p was answered: account the round and its RTT. */
static void
answered(struct sb_probe *p, uint64_t now_us)
{
	uint32_t rtt = (uint32_t)(now_us - p->sent_us);

	p->outstanding = false;
	p->n_answered++;
	sb_probe_account(p, true, rtt);
	p->last_rtt_us = rtt;
}

/* Start a round of @p: the timeout runs from now, the next round follows
 * @interval_ms later. */
static void
start_round(struct sb_probe *p, uint64_t now_us, uint32_t interval_ms)
{
	uint64_t now = now_us / 1000;

	p->next_ms = now + interval_ms;
	p->sent_ms = now;
	p->sent_us = now_us;
	p->outstanding = true;
	p->seq++;
	p->n_sent++;
}

static void
run_probes(struct sb_wans *ws, uint64_t now_us)
{
	const struct sb_config *cfg = ws->cfg;
	uint64_t now = now_us / 1000;

	for (unsigned k = 0; k < ws->n_probes; k++) {
		struct sb_probe *p = &ws->probes[k];
		const struct sb_rib_result *r = sb_rib_result(ws->rib, p->route);

		if (p->outstanding && now - p->sent_ms >= cfg->probe_timeout_ms) {
			p->outstanding = false;
			sb_probe_account(p, false, 0);
			probe_result(ws, p, false, now);
		}
		if (p->holding && now >= p->hold_until) {
			p->holding = false;
			p->down = false;
			ws->dirty = true;
		}
		if (now < p->next_ms)
			continue;
		start_round(p, now_us, cfg->probe_interval_ms);
		/* Probe through the route's own resolved path, whatever the
		 * FIB says, sourced from that port's address. */
		if (!r->resolved || r->n_nh == 0)
			continue; /* counts as unanswered at the timeout */
		ws->io.send(ws->io.ctx, r->nh[0].port, r->nh[0].gw != 0 ? r->nh[0].gw : p->target, p);
	}
}

/* --- [wan NAME] monitors ---------------------------------------------------- */

/* Judge WAN @p from its monitors after a round, with the failback
 * hold-down at the WAN level: healthy again, it stays out for
 * hold_down_ms, and any relapse meanwhile cancels the failback. Marks the
 * WANs dirty (sb_wan_apply logs and notifies) when its state or its
 * traffic changes. */
static void
judge_monitors(struct sb_wans *ws, unsigned p, uint64_t now)
{
	struct sb_wan *w = &ws->wan[p];
	const struct sb_wan_conf *wc = &ws->cfg->wan[p];
	struct sb_wan_health old = w->h;
	bool changed = false;

	sb_wan_judge(w->mon, w->n_mon, wc, &w->h);
	if (w->h.out) {
		if (w->holding) {
			w->holding = false;
			SB_INFO(WAN, "wan %s: failback cancelled, %u/%u monitors usable again during "
				"the hold-down", w->name, w->h.usable, w->h.n);
		}
		if (!w->out) {
			w->out = true;
			changed = true;
		}
		/* Out for quality, then for silence too: say so. */
		enum sb_wstate st = w->h.state == SB_WAN_DOWN ? SB_WAN_DOWN : SB_WAN_DEGRADED;

		if (st != w->out_state) {
			w->out_state = st;
			changed = true;
		}
	} else if (w->out && !w->holding) {
		if (wc->hold_down_ms == 0) {
			w->out = false;
			changed = true;
		} else {
			w->holding = true;
			w->hold_until = now + wc->hold_down_ms;
			SB_INFO(WAN, "wan %s: %u/%u monitors usable again, failback in %u ms unless it "
				"fails meanwhile", w->name, w->h.usable, w->h.n, wc->hold_down_ms);
		}
	}
	if (!w->out && w->h.state != old.state)
		changed = true; /* degraded with traffic staying, or back from it */
	if (w->h.answering != old.answering && !changed && old.n != 0)
		SB_INFO(WAN, "wan %s: %u/%u monitors answering (quorum %u): %s",
			w->name, w->h.answering, w->h.n, wc->quorum,
			w->out ? "still out" : "still in service");
	ws->dirty |= changed;
	if (!changed)
		sb_wan_monitor_reason(ws, p);
}

static void
mon_result(struct sb_wans *ws, struct sb_probe *m, bool ok, uint64_t now)
{
	const struct sb_wan_conf *wc = &ws->cfg->wan[m->wan];
	bool was_down = m->down;

	sb_probe_round(m, ok, wc->down_after, wc->up_after);
	sb_probe_judge(m, wc->window, wc->loss_pct, wc->latency_ms);
	if (m->down != was_down) {
		char a[20];

		sb_addr_str(m->target, a, sizeof(a));
		SB_INFO(PROBE, "wan %s: monitor %s %s", ws->wan[m->wan].name, a,
			m->down ? "stopped answering" : "answers again");
	}
	judge_monitors(ws, (unsigned)m->wan, now);
}

/* Send due monitor probes, time out the unanswered ones and end
 * hold-downs. Probes leave through the WAN's own port to its gateway's
 * MAC, from its address, whatever the FIB says: they cannot leak out of
 * another WAN, and they still go when the WAN's routes are inactive. */
static void
run_monitors(struct sb_wans *ws, uint64_t now_us)
{
	uint64_t now = now_us / 1000;

	for (unsigned p = 0; p < ws->n_ports; p++) {
		struct sb_wan *w = &ws->wan[p];

		if (w->holding && now >= w->hold_until) {
			w->holding = false;
			w->out = false;
			ws->dirty = true;
		}
	}
	for (unsigned k = 0; k < ws->n_mons; k++) {
		struct sb_probe *m = &ws->mons[k];
		unsigned port = (unsigned)m->wan;
		const struct sb_wan_conf *wc = &ws->cfg->wan[port];

		if (m->outstanding && now - m->sent_ms >= wc->timeout_ms) {
			m->outstanding = false;
			sb_probe_account(m, false, 0);
			mon_result(ws, m, false, now);
		}
		if (now < m->next_ms)
			continue;
		start_round(m, now_us, wc->interval_ms);
		if (ws->link_down[port] || ws->wan[port].addr == 0)
			continue; /* counts as unanswered at the timeout */
		ws->io.send(ws->io.ctx, port, m->hop, m);
	}
}

void
sb_wan_tick(struct sb_wans *ws, uint64_t now_us)
{
	run_probes(ws, now_us);
	run_monitors(ws, now_us);
}

/* --- answers ------------------------------------------------------------------ */

void
sb_wan_echo_reply(struct sb_wans *ws, unsigned port, uint32_t src, uint16_t id, uint16_t seq,
		  uint64_t now_us)
{
	unsigned k = (unsigned)id - SB_PROBE_ID_BASE;
	struct sb_probe *p;

	if (k >= ws->n_probes && k - ws->n_probes < ws->n_mons) {
		p = &ws->mons[k - ws->n_probes];
		/* Only from the monitor, through its own WAN. */
		if (p->outstanding && p->seq == seq && p->target == src && port == (unsigned)p->wan) {
			answered(p, now_us);
			mon_result(ws, p, true, now_us / 1000);
		}
		return;
	}
	if (k >= ws->n_probes)
		return;
	p = &ws->probes[k];
	if (!p->outstanding || p->seq != seq || p->target != src)
		return;
	answered(p, now_us);
	probe_result(ws, p, true, now_us / 1000);
}

void
sb_wan_arp_reply(struct sb_wans *ws, unsigned port, uint32_t sip, uint64_t now_us)
{
	for (unsigned k = 0; k < ws->n_probes; k++) {
		struct sb_probe *p = &ws->probes[k];

		if (p->method == SB_CHECK_ARP && p->outstanding && p->target == sip) {
			answered(p, now_us);
			probe_result(ws, p, true, now_us / 1000);
		}
	}
	for (unsigned k = 0; k < ws->n_mons; k++) {
		struct sb_probe *p = &ws->mons[k];

		if (p->method == SB_CHECK_ARP && p->outstanding && p->target == sip &&
		    (unsigned)p->wan == port) {
			answered(p, now_us);
			mon_result(ws, p, true, now_us / 1000);
		}
	}
}

/* --- reload ------------------------------------------------------------------ */

static const struct sb_probe *
old_probe(const struct sb_probe *v, unsigned n, int wan, unsigned route, uint32_t target,
	  enum sb_check method)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].wan == wan && v[i].target == target && v[i].method == method &&
		    (wan >= 0 || v[i].route == route))
			return &v[i];
	return NULL;
}

/* A probe made again: the old one's history and counters, the new id and
 * hop; one outstanding under the old id is forgotten (its answer is
 * ignored), so the next round starts now. */
static void
carry(struct sb_probe *p, const struct sb_probe *o, uint64_t now)
{
	uint16_t id = p->id;
	unsigned route = p->route;
	uint32_t hop = p->hop;

	if (o != NULL) {
		*p = *o;
		p->id = id;
		p->route = route;
		p->hop = hop;
		p->outstanding = false;
		p->next_ms = now;
	}
}

int
sb_wan_reload(struct sb_wans *ws, const struct sb_config *cfg, uint64_t now_ms, char *err,
	      size_t errlen)
{
	struct sb_wans old = *ws;
	int ret;

	ws->cfg = cfg;
	ws->probes = ws->mons = NULL;
	ws->n_probes = ws->n_mons = 0;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		struct sb_wan *w = &ws->wan[p];

		w->name = cfg->ports[p].name;
		w->mon = NULL;
		w->n_mon = 0;
		if (!cfg->ports[p].dhcp.enabled)
			w->gateway = cfg->wan[p].gateway;
		if (!cfg->wan[p].enabled)
			w->out = w->holding = false;
	}
	ret = sb_wan_probes_setup(ws, now_ms, err, errlen);
	if (ret != 0) {
		free(ws->probes);
		free(ws->mons);
		*ws = old;
		return ret;
	}
	for (unsigned i = 0; i < ws->n_probes; i++) {
		struct sb_probe *p = &ws->probes[i];

		carry(p, old_probe(old.probes, old.n_probes, -1, p->route, p->target, p->method),
		      now_ms);
	}
	for (unsigned i = 0; i < ws->n_mons; i++) {
		struct sb_probe *m = &ws->mons[i];
		const struct sb_probe *o = old_probe(old.mons, old.n_mons, m->wan, 0, m->target,
						     m->method);
		uint64_t next = m->next_ms;

		carry(m, o, now_ms);
		m->next_ms = next;
	}
	free(old.probes);
	free(old.mons);
	ws->dirty = true;
	return 0;
}
