/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the operator's picture of the gateway (status.h). */
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>

#include "ctl.h"
#include "ops.h"
#include "status.h"
#include "xdp.h"
#include "inbound.h"
#include "neigh.h"

int64_t
sb_status_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sb_status_track(struct sb_status_track *t, const struct sb_ctl *c, uint64_t now_ms)
{
	if (!t->seen) {
		t->seen = true;
		t->start_unix_ms = sb_status_unix_ms() - (int64_t)(now_ms - c->start_ms);
		for (unsigned p = 0; p < c->n_ports; p++) {
			t->wan[p].state = (uint8_t)c->wans.wan[p].state;
			t->wan[p].in_service = !c->wans.wan[p].down;
			t->wan[p].since_ms = c->start_ms;
			t->wan[p].since_unix_ms = t->start_unix_ms;
		}
		return;
	}
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct sb_status_event *e;
		uint8_t st = (uint8_t)c->wans.wan[p].state;
		bool in = !c->wans.wan[p].down;

		if (c->cfg->ports[p].role != SB_ROLE_WAN ||
		    (st == t->wan[p].state && in == t->wan[p].in_service))
			continue;
		e = &t->ev[t->n_events % SB_STATUS_EVENTS];
		memset(e, 0, sizeof(*e));
		e->unix_ms = sb_status_unix_ms();
		e->mono_ms = now_ms;
		snprintf(e->wan, sizeof(e->wan), "%s", c->cfg->ports[p].name);
		e->old_state = t->wan[p].state;
		e->new_state = st;
		e->old_in_service = t->wan[p].in_service;
		e->new_in_service = in;
		snprintf(e->reason, sizeof(e->reason), "%s", c->wans.wan[p].reason);
		t->n_events++;
		t->wan[p].state = st;
		t->wan[p].in_service = in;
		t->wan[p].changes++;
		t->wan[p].since_ms = now_ms;
		t->wan[p].since_unix_ms = e->unix_ms;
	}
}

static void
fill_wan(struct sb_status_wan *w, const struct sb_status_track *t, const struct sb_ctl *c,
	 unsigned p, uint64_t now_ms)
{
	const struct sb_wan_conf *wc = &c->cfg->wan[p];
	struct sb_counters wk_sum;
	const struct sb_counters *wk = &wk_sum;

	sb_ctl_counters(c, &wk_sum);

	snprintf(w->name, sizeof(w->name), "%s", c->cfg->ports[p].name);
	w->port = (uint8_t)p;
	w->state = (uint8_t)c->wans.wan[p].state;
	w->forced = c->wans.wan[p].force;
	w->in_service = !c->wans.wan[p].down;
	w->link_up = !c->wans.link_down[p];
	w->monitored = wc->enabled;
	w->changes = t->wan[p].changes;
	w->since_ms = t->wan[p].since_ms;
	w->since_unix_ms = t->wan[p].since_unix_ms;
	snprintf(w->reason, sizeof(w->reason), "%s", c->wans.wan[p].reason);
	w->sessions_created = p < RTE_DIM(wk->ct_created_port) ? wk->ct_created_port[p] : 0;
	w->sessions_active = c->ops != NULL ? c->ops->wan_active[p] : 0;
	w->addr = c->wans.wan[p].addr;
	w->prefix_len = c->wans.wan[p].prefix_len;
	w->gateway = c->wans.wan[p].gateway;
	if (c->leases.port[p].client != NULL) {
		const struct sb_lease_port *lp = &c->leases.port[p];

		w->dhcp = true;
		w->dhcp_bound = lp->bound;
		snprintf(w->dhcp_state, sizeof(w->dhcp_state), "%s",
			 sb_dhcp_state_name(sb_dhcp_state(lp->client)));
		w->lease_s = lp->bound ? lp->lease.lease_s : 0;
		w->lease_remaining_ms = sb_dhcp_remaining_ms(lp->client, now_ms);
		w->leases_lost = lp->n_lost;
		w->address_changes = lp->n_changed;
	}
	w->n_mons = 0;
	if (!wc->enabled)
		return;
	for (unsigned k = 0; k < c->wans.wan[p].n_mon && w->n_mons < SB_WAN_MAX_MONITORS; k++) {
		const struct sb_probe *m = &c->wans.wan[p].mon[k];
		struct sb_status_mon *sm = &w->mon[w->n_mons++];

		sm->addr = m->target;
		sm->up = !m->down;
		sm->degraded = m->degraded;
		sm->rtt_us = m->rtt_avg_us;
		sm->jitter_us = m->jitter_us;
		sm->loss_pct = sb_probe_loss_pct(m, wc->window);
		sm->sent = m->n_sent;
		sm->answered = m->n_answered;
	}
}

void
sb_status_fill(struct sb_status *st, const struct sb_status_track *t, const struct sb_ctl *c,
	       uint64_t now_ms)
{
	struct sb_counters k_sum;
	const struct sb_counters *k = &k_sum;

	sb_ctl_counters(c, &k_sum);

	memset(st, 0, sizeof(*st));
	st->taken_ms = now_ms;
	st->taken_unix_ms = sb_status_unix_ms();
	st->start_unix_ms = t->start_unix_ms;
	st->state_version = c->pub.state != NULL ? c->pub.state->version : 0;
	st->n_ports = c->n_ports;
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct sb_status_port *sp = &st->port[p];
		struct rte_eth_stats s;

		snprintf(sp->name, sizeof(sp->name), "%s", c->cfg->ports[p].name);
		sp->wan = c->cfg->ports[p].role == SB_ROLE_WAN;
		sp->link_up = !c->wans.link_down[p];
		if (c->port_open[p] && rte_eth_stats_get(c->port_id[p], &s) == 0) {
			sp->rx_pkts = s.ipackets;
			sp->tx_pkts = s.opackets;
			sp->rx_bytes = s.ibytes;
			sp->tx_bytes = s.obytes;
			sp->rx_missed = s.imissed;
			sp->rx_errors = s.ierrors;
			sp->tx_errors = s.oerrors;
			sp->rx_nombuf = s.rx_nombuf;
		}
		{
			struct sb_xdp_count x[SB_XDP_REASON_MAX];

			if (sb_xdp_counts(c->xdp, p, x) == 0) {
				sp->xdp = true;
				for (unsigned r = 0; r < SB_XDP_REASON_MAX; r++)
					sp->xdp_pkts[r] = x[r].packets;
			}
		}
		if (sp->wan)
			fill_wan(&st->wan[st->n_wans++], t, c, p, now_ms);
	}
	st->wan_changes = c->wans.changes;
	st->rx = k->rx;
	st->tx = k->tx;
	st->forwarded = k->forwarded;
	st->local_replies = k->local_replies;
	st->punted = k->punted;
	memcpy(st->punted_reason, k->punted_reason, sizeof(st->punted_reason));
	st->injected = k->injected;
	st->workers = c->n_workers;
	st->handoff_same = k->handoff_same;
	st->handoff_out = k->handoff_out;
	st->handoff_in = k->handoff_in;
	st->sessions_active = k->ct_active;
	st->sessions_created = k->ct_created;
	st->sessions_expired = k->ct_expired;
	st->sessions_flushed = k->ct_flushed;
	st->sessions_capacity = sb_ctl_ct_capacity(c);
	st->tcp_rst_sent = k->tcp_rst_sent;
	memcpy(st->drop, k->drop, sizeof(st->drop));
	st->reloads = t->reloads;
	st->reloads_refused = t->reloads_refused;
	st->neighbours = c->neigh->live;
	st->neighbours_evicted = c->arp.evicted;
	st->neighbours_failed = c->arp.failed;
	st->neighbours_refused = c->neigh->refused;
	sb_inbound_status(c->inbound, st);
}
