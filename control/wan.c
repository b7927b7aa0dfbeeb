/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a WAN's life (wan.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wan.h"
#include "wan_priv.h"
#include "addr.h"
#include "rib.h"
#include "sb_log.h"

static bool
is_wan(const struct sb_wans *ws, unsigned p)
{
	return ws->cfg->ports[p].role == SB_ROLE_WAN;
}

/* --- set-up ---------------------------------------------------------------- */

int
sb_wan_init(struct sb_wans *ws, const struct sb_config *cfg, struct sb_rib *rib,
	    const struct sb_wan_io *io, uint64_t now_ms, char *err, size_t errlen)
{
	memset(ws, 0, sizeof(*ws));
	ws->cfg = cfg;
	ws->rib = rib;
	ws->io = *io;
	ws->n_ports = cfg->n_ports;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		ws->wan[p].name = cfg->ports[p].name;
		ws->wan[p].addr = cfg->ports[p].addr;
		ws->wan[p].prefix_len = cfg->ports[p].prefix_len;
		ws->wan[p].gateway = cfg->wan[p].gateway;
		snprintf(ws->wan[p].addr_why, sizeof(ws->wan[p].addr_why), "no lease");
	}
	return sb_wan_probes_setup(ws, now_ms, err, errlen);
}

void
sb_wan_fini(struct sb_wans *ws)
{
	free(ws->probes);
	free(ws->mons);
	ws->probes = ws->mons = NULL;
	ws->n_probes = ws->n_mons = 0;
}

/* --- carrier and operator ------------------------------------------------------- */

void
sb_wan_set_link(struct sb_wans *ws, unsigned port, bool down)
{
	if (port >= ws->n_ports || down == ws->link_down[port])
		return;
	ws->link_down[port] = down;
	ws->dirty = true;
	SB_WARN(PORT, "port %s link %s", ws->cfg->ports[port].name, down ? "DOWN" : "up");
	ws->came_up |= (uint32_t)!down << port;
}

void
sb_wan_set_address(struct sb_wans *ws, unsigned port, uint32_t addr, uint8_t prefix_len,
		   uint32_t gateway, const char *why)
{
	struct sb_wan *w = &ws->wan[port];

	if (port >= ws->n_ports)
		return;
	if (addr == 0) {
		/* Also a new reason alone ("no lease" -> "lease lost (nak)"). */
		snprintf(w->addr_why, sizeof(w->addr_why), "%s", why != NULL ? why : "no address");
		ws->dirty = true;
	}
	if (addr == w->addr && prefix_len == w->prefix_len && gateway == w->gateway)
		return;
	/* Sessions NATed to the old address cannot come back: flushed. */
	if (w->addr != 0 && addr != w->addr)
		w->gen++;
	w->addr = addr;
	w->prefix_len = prefix_len;
	w->gateway = gateway;
	sb_wan_monitor_hops(ws, port);
	ws->dirty = true;
}

void
sb_wan_force(struct sb_wans *ws, unsigned port, int force)
{
	ws->wan[port].force = (int8_t)(force < 0 ? -1 : force > 0 ? 1 : 0);
	ws->dirty = true;
}

/* --- judgement -------------------------------------------------------------------- */

/* One monitor's evidence, e.g. "192.0.2.53 timeout" or "192.0.2.53 loss 35% > 5%". */
static size_t
mon_evidence(const struct sb_probe *m, const struct sb_wan_conf *wc, char *buf, size_t len)
{
	char a[20];

	sb_addr_str(m->target, a, sizeof(a));
	if (m->down)
		return (size_t)snprintf(buf, len, "%s timeout", a);
	if (m->loss_bad)
		return (size_t)snprintf(buf, len, "%s loss %u%% > %u%%", a,
					sb_probe_loss_pct(m, wc->window), wc->loss_pct);
	if (m->lat_bad)
		return (size_t)snprintf(buf, len, "%s rtt %.1f ms > %u ms", a, m->rtt_avg_us / 1000.0,
					wc->latency_ms);
	return (size_t)snprintf(buf, len, "%s ok %.1f ms", a, m->rtt_avg_us / 1000.0);
}

/* A WAN judged by its [wan NAME] monitors: its state, whether it is out,
 * and why, with the evidence ("(192.0.2.53 timeout, 192.0.2.55 ok 0.4 ms)"). */
static void
from_monitors(const struct sb_wans *ws, unsigned p, bool *down, enum sb_wstate *state,
	      char *why, size_t len)
{
	const struct sb_wan *w = &ws->wan[p];
	const struct sb_wan_conf *wc = &ws->cfg->wan[p];
	char ev[512];
	size_t off = 0;

	ev[0] = '\0';
	for (unsigned k = 0; k < w->n_mon && off + 2 < sizeof(ev); k++) {
		if (k)
			off += (size_t)snprintf(ev + off, sizeof(ev) - off, ", ");
		if (off < sizeof(ev))
			off += mon_evidence(&w->mon[k], wc, ev + off, sizeof(ev) - off);
	}
	*down = w->out;
	*state = w->out ? w->out_state : w->h.state;
	if (*state == SB_WAN_DOWN)
		snprintf(why, len, "%u/%u monitors answered for %u rounds%s (%s)%s", w->h.answering,
			 w->h.n, wc->down_after, wc->quorum > 1 ? ", quorum not met" : "", ev,
			 w->holding ? ", failback waits for the hold-down" : "");
	else if (*state == SB_WAN_DEGRADED)
		snprintf(why, len, "%u/%u monitors within thresholds, trigger %s: %s (%s)%s",
			 w->h.clean, w->h.n, sb_trigger_name(wc->trigger),
			 w->out ? "traffic goes to other WANs" : "traffic stays on it", ev,
			 w->holding ? ", failback waits for the hold-down" : "");
	else
		snprintf(why, len, "%u/%u monitors answered for %u rounds%s (%s)", w->h.clean, w->h.n,
			 wc->up_after, wc->hold_down_ms ? " and the hold-down" : "", ev);
}

/* A monitored WAN's reason, refreshed after a round that changed nothing
 * worth a publication: without it, `status` would show the evidence of
 * the WAN's last change for as long as it keeps its state (at start:
 * "0/0 monitors answered ... (192.0.2.53 ok 0.0 ms ...)" before any
 * probe went out). Only when the monitors decide the state. */
void
sb_wan_monitor_reason(struct sb_wans *ws, unsigned p)
{
	struct sb_wan *w = &ws->wan[p];
	enum sb_wstate state;
	char why[sizeof(w->reason)];
	bool down;

	if (!ws->cfg->wan[p].enabled || w->force != 0 || ws->link_down[p] || w->addr == 0)
		return;
	from_monitors(ws, p, &down, &state, why, sizeof(why));
	if (down == w->down && state == w->state)
		snprintf(w->reason, sizeof(w->reason), "%s", why);
}

/* Carrier, override, failed checks and monitors into the RIB, resolved. */
static void
feed_rib(struct sb_wans *ws)
{
	struct sb_rib *rib = ws->rib;

	for (unsigned p = 0; p < ws->n_ports; p++)
		rib->port_down[p] = ws->link_down[p] || ws->wan[p].force < 0;
	/* Probes judge a route; an operator's "wan up" overrides them for the
	 * routes through that WAN (their probe path, ignoring the check). */
	sb_rib_resolve(rib);
	for (unsigned k = 0; k < ws->n_probes; k++) {
		struct sb_rib_route *r = &rib->r[ws->probes[k].route];
		const struct sb_rib_result *rs = sb_rib_result(rib, ws->probes[k].route);
		bool forced_up = rs->n_nh != 0 && ws->wan[rs->nh[0].port].force > 0;

		r->check_failed = (ws->probes[k].down || ws->probes[k].degraded) && !forced_up;
	}
	/* Routes through a WAN its monitors took out fail like a failed
	 * check (rib.h, port_out); an operator's "wan up" overrides. */
	for (unsigned p = 0; p < ws->n_ports; p++)
		rib->port_out[p] = ws->cfg->wan[p].enabled && ws->wan[p].out && ws->wan[p].force <= 0;
	sb_rib_resolve(rib);
}

/* The log line of a change of WAN @p without monitors (route checks,
 * carrier, operator). */
static void
log_plain_change(const struct sb_wans *ws, unsigned p, bool has_check, const char *why)
{
	const struct sb_config *cfg = ws->cfg;
	const struct sb_wan *w = &ws->wan[p];

	if (w->down) {
		if (w->force < 0 || ws->link_down[p] || w->addr == 0)
			SB_WARN(WAN, "wan %s DOWN: %s", w->name, why);
		else if (strstr(why, "unanswered") != NULL)
			SB_WARN(WAN, "wan %s DOWN: check-gateway failed for %u rounds (%s)",
				w->name, cfg->probe_down_after, why);
		else
			SB_WARN(WAN, "wan %s DOWN: quality below thresholds (%s)", w->name, why);
	} else if (w->force > 0 || !has_check) {
		SB_WARN(WAN, "wan %s UP: %s", w->name, w->force > 0 ? why : "link up");
	} else {
		SB_WARN(WAN, "wan %s UP: check-gateway answered for %u rounds%s (%s)",
			w->name, cfg->probe_up_after, cfg->hold_down_ms ? " and the hold-down" : "",
			why);
	}
}

/* Judge WAN @p from the resolved RIB, its monitors, carrier and the
 * operator; on a change log, tell and flush (generation bumps). */
static void
judge(struct sb_wans *ws, unsigned p, uint64_t now)
{
	const struct sb_config *cfg = ws->cfg;
	struct sb_wan *w = &ws->wan[p];
	bool has_check = false, all_failed = true, down;
	enum sb_wstate state = SB_WAN_UP;
	char why[640] = "";
	size_t off = 0;

	for (unsigned k = 0; k < ws->n_probes; k++) {
		const struct sb_probe *pr = &ws->probes[k];
		const struct sb_rib_route *r = &ws->rib->r[pr->route];
		const struct sb_rib_result *rs = sb_rib_result(ws->rib, pr->route);
		bool via = false;
		char a[20];

		for (unsigned h = 0; h < rs->n_nh; h++)
			via |= rs->nh[h].port == p;
		if (!via)
			continue;
		has_check = true;
		all_failed &= pr->down || pr->degraded;
		sb_addr_str(pr->target, a, sizeof(a));
		off += (size_t)snprintf(why + off, off < sizeof(why) ? sizeof(why) - off : 0,
				"%s%s %s %s", off ? ", " : "", r->name, a,
				pr->down ? "unanswered" : pr->degraded ? "degraded" : "answering");
	}
	if (w->force < 0) {
		down = true;
		snprintf(why, sizeof(why), "forced down by the operator");
	} else if (ws->link_down[p]) {
		down = true;
		snprintf(why, sizeof(why), "link down");
	} else if (w->addr == 0) {
		down = true;
		snprintf(why, sizeof(why), "%s", w->addr_why);
	} else if (w->force > 0) {
		down = false;
		snprintf(why, sizeof(why), "forced up by the operator");
	} else if (cfg->wan[p].enabled) {
		from_monitors(ws, p, &down, &state, why, sizeof(why));
	} else {
		down = has_check && all_failed;
	}
	if (!cfg->wan[p].enabled || w->force != 0 || ws->link_down[p] || w->addr == 0)
		state = down ? SB_WAN_DOWN : SB_WAN_UP;
	snprintf(w->reason, sizeof(w->reason), "%s", why);
	if (down == w->down && state == w->state)
		return;

	enum sb_wstate old_state = w->state;
	bool was_down = w->down;

	w->state = state;
	w->down = down;
	ws->changes++;
	if (cfg->wan[p].enabled) {
		/* Monitored WANs: every state change is told, with the three
		 * states. */
		const char *on = sb_wstate_name(old_state), *nn = sb_wstate_name(state);
		char upper[16];

		snprintf(upper, sizeof(upper), "%s", nn);
		for (char *q = upper; *q; q++)
			*q = (char)(*q - 32 * (*q >= 'a' && *q <= 'z'));
		SB_WARN(WAN, "wan %s %s: %s", w->name, upper, why);
		ws->io.notify(ws->io.ctx, "change", p, on, nn, why, !down);
		if (down == was_down)
			return;
	} else {
		ws->io.notify(ws->io.ctx, "change", p, down ? "up" : "down", down ? "down" : "up",
			      why, !down);
	}
	w->down_since_ms = now;
	w->alerted = false;
	if (down) {
		bool other_up = false;

		for (unsigned q = 0; q < ws->n_ports; q++)
			other_up |= q != p && is_wan(ws, q) && !ws->wan[q].down;
		/* Lazy flush: sessions pinned to this WAN become misses on
		 * their next packet. O(1) here. Unless the operator would
		 * rather they wait for it, or there is nowhere better to go:
		 * then nothing is flushed for nothing and the preferred route
		 * stays (last resort). */
		if (!cfg->ports[p].keep_sessions_on_down && other_up)
			w->gen++;
		if (!other_up)
			SB_WARN(WAN, "wan %s DOWN and no other WAN is up: sessions kept, traffic "
				"keeps trying the preferred route", w->name);
	} else {
		/* Metered backups give their sessions back: flushed, they
		 * re-route to the WAN that just came back. */
		for (unsigned q = 0; q < ws->n_ports; q++) {
			if (q == p || !is_wan(ws, q) || !cfg->ports[q].move_sessions_on_failback ||
			    ws->wan[q].down)
				continue;
			ws->wan[q].gen++;
			ws->wan[q].moves++;
			SB_INFO(WAN, "wan %s: sessions move back now that %s is up",
				ws->wan[q].name, w->name);
		}
	}
	if (!cfg->wan[p].enabled)   /* monitored WANs logged above */
		log_plain_change(ws, p, has_check, why);
}

void
sb_wan_apply(struct sb_wans *ws, uint64_t now_ms)
{
	ws->dirty = false;
	feed_rib(ws);
	for (unsigned p = 0; p < ws->n_ports; p++)
		if (is_wan(ws, p))
			judge(ws, p, now_ms);
	/* Route probes lost while the carrier was gone say nothing about the
	 * gateway: forget them (the routes resolve through the port again
	 * now), or the WAN that just came back would go down again a round
	 * later. */
	for (unsigned k = 0; ws->came_up != 0 && k < ws->n_probes; k++) {
		const struct sb_rib_result *r = sb_rib_result(ws->rib, ws->probes[k].route);

		if (r->n_nh != 0 && (ws->came_up >> r->nh[0].port & 1) && !ws->probes[k].down)
			ws->probes[k].fails = 0;
	}
	ws->came_up = 0;
}

void
sb_wan_published(const struct sb_wans *ws, struct sb_wan_state out[SB_MAX_PORTS])
{
	memset(out, 0, sizeof(*out) * SB_MAX_PORTS);
	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		out[p].gen = ws->wan[p].gen;
		out[p].moves = (uint16_t)ws->wan[p].moves;
		out[p].up = !ws->wan[p].down;
		out[p].addr = ws->wan[p].addr;
		out[p].prefix_len = ws->wan[p].prefix_len;
	}
}

void
sb_wan_alerts(struct sb_wans *ws, uint64_t now)
{
	uint32_t after_s = ws->cfg->alert_after_s;

	for (unsigned p = 0; p < ws->n_ports && after_s; p++) {
		struct sb_wan *w = &ws->wan[p];

		/* (@now may predate a change made later in this loop
		 * iteration, e.g. by a switchbackctl command.) */
		if (!w->down || w->alerted || now < w->down_since_ms ||
		    now - w->down_since_ms < (uint64_t)after_s * 1000)
			continue;
		w->alerted = true;
		SB_WARN(WAN, "wan %s has been down for %u s (%s)", w->name, after_s, w->reason);
		ws->io.notify(ws->io.ctx, "alert", p, "down", "down", w->reason, false);
	}
}

const char *
sb_wan_state_name(const struct sb_wan *w)
{
	if (w->force < 0)
		return "forced-down";
	if (w->force > 0)
		return w->down ? "forced-up(down)" : "forced-up";
	return sb_wstate_name(w->state);
}
