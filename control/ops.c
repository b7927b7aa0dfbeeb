/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the operator's view, kept by the control loop (ops.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "conntrack.h"
#include "ctl.h"
#include "metrics.h"
#include "ops.h"
#include "opscmd.h"
#include "sb_log.h"

static void
metrics_start(struct sb_ops *o, const struct sb_config *cfg)
{
	if (cfg->metrics_port != 0) {
		uint32_t a = cfg->metrics_addr;

		o->metrics = sb_metrics_start(a, cfg->metrics_port);
		if (o->metrics == NULL)
			SB_ERR(CTL, "[metrics] listen = %u.%u.%u.%u:%u: cannot serve there (%s): "
			       "no metrics", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
			       cfg->metrics_port, strerror(errno));
		else
			SB_INFO(CTL, "metrics at http://%u.%u.%u.%u:%u/metrics", a >> 24,
				(a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, sb_metrics_port(o->metrics));
	}
}

static struct sb_ops *
ops_start(struct sb_ctl *c, uint64_t now_ms)
{
	struct sb_ops *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	sb_status_track(&o->track, c, now_ms);
	metrics_start(o, c->cfg);
	return o;
}

void
sb_ops_restart_metrics(struct sb_ctl *c)
{
	if (c->ops == NULL)
		return;
	sb_metrics_stop(c->ops->metrics);
	c->ops->metrics = NULL;
	c->ops->next_publish_ms = 0;
	metrics_start(c->ops, c->cfg);
}

const struct sb_status *
sb_ops_status(struct sb_ctl *c, uint64_t now_ms)
{
	if (c->ops == NULL)
		sb_ops_tick(c, now_ms);
	if (c->ops == NULL)
		return NULL;
	sb_status_fill(&c->ops->st, &c->ops->track, c, now_ms);
	return &c->ops->st;
}

static void
sample(struct sb_ops *o, const struct sb_ctl *c, uint64_t now_ms)
{
	struct sb_ops_sample *s = &o->cur;

	o->prev = o->cur;
	s->ms = now_ms;
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct rte_eth_stats e;

		if (!c->port_open[p] || rte_eth_stats_get(c->port_id[p], &e) != 0)
			continue;
		s->rx_pkts[p] = e.ipackets;
		s->tx_pkts[p] = e.opackets;
		s->rx_bytes[p] = e.ibytes;
		s->tx_bytes[p] = e.obytes;
	}
}

void
sb_ops_rate(const struct sb_ops *o, unsigned port, struct sb_ops_rate *r)
{
	const struct sb_ops_sample *a, *b;
	double dt;

	memset(r, 0, sizeof(*r));
	if (o == NULL || port >= SB_MAX_PORTS)
		return;
	a = &o->prev;
	b = &o->cur;
	if (a->ms == 0 || b->ms <= a->ms)
		return;
	dt = (double)(b->ms - a->ms) / 1000.0;
	r->rx_pps = (double)(b->rx_pkts[port] - a->rx_pkts[port]) / dt;
	r->tx_pps = (double)(b->tx_pkts[port] - a->tx_pkts[port]) / dt;
	r->rx_bps = (double)(b->rx_bytes[port] - a->rx_bytes[port]) * 8 / dt;
	r->tx_bps = (double)(b->tx_bytes[port] - a->tx_bytes[port]) * 8 / dt;
}

/* A step of the count of active sessions per WAN (SB_OPS_SWEEP_SLOTS). */
static void
sweep(struct sb_ops *o, const struct sb_ctl *c, uint64_t now_ms)
{
	o->next_sweep_ms = now_ms + SB_OPS_SWEEP_MS;
	if (c->ct[0] == NULL)
		return;
	o->sweep_pos = sb_opscmd_count_wans(c, o->sweep_pos, SB_OPS_SWEEP_SLOTS, o->sweep_acc);
	if (o->sweep_pos < sb_ctl_ct_capacity(c))
		return;
	memcpy(o->wan_active, o->sweep_acc, sizeof(o->wan_active));
	memset(o->sweep_acc, 0, sizeof(o->sweep_acc));
	o->sweep_pos = 0;
}

void
sb_ops_tick(struct sb_ctl *c, uint64_t now_ms)
{
	struct sb_ops *o = c->ops;

	if (o == NULL) {
		o = c->ops = ops_start(c, now_ms);
		if (o == NULL)
			return;
	}
	sb_status_track(&o->track, c, now_ms);
	if (now_ms >= o->next_sweep_ms)
		sweep(o, c, now_ms);
	if (now_ms >= o->cur.ms + SB_OPS_RATE_MS)
		sample(o, c, now_ms);
	if (o->metrics == NULL || now_ms < o->next_publish_ms)
		return;
	o->next_publish_ms = now_ms + SB_OPS_PUBLISH_MS;
	sb_status_fill(&o->st, &o->track, c, now_ms);
	sb_metrics_publish(o->metrics, &o->st);
}

void
sb_ops_stop(struct sb_ctl *c)
{
	if (c->ops == NULL)
		return;
	sb_metrics_stop(c->ops->metrics);
	free(c->ops);
	c->ops = NULL;
}
