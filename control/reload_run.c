/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration reload on the running gateway (reload_run.h).
 *
 * Routes change in place in the running RIB, as the operator's route
 * commands and DHCP leases change it: a changed route is updated, a new
 * one added (into the slot of a removed one of the same prefix when there
 * is one), a removed one retired: disabled and gone from every view and
 * name lookup (its index stays: the prefix lists hold it), so nexthop
 * groups keep their ids and the FIB is written only where a prefix
 * changes. Routes a DHCP lease made are the lease's (lease.c). Probes
 * and monitors are made again for the new file, each keeping the history
 * of the one it replaces (same route or WAN, same target, same method),
 * so no WAN changes state for a reload. Then one publication. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conntrack.h"
#include "ctl.h"
#include "metrics.h"
#include "neigh.h"
#include "notify.h"
#include "arp.h"
#include "wan.h"
#include "json.h"
#include "webhook.h"
#include "ops.h"
#include "reload.h"
#include "reload_run.h"
#include "outbuf.h"
#include "sb_log.h"


static void
json_str(struct out *o, const char *s)
{
	char e[1200];

	sb_json_escape(s, e, sizeof(e));
	out(o, "\"%s\"", e);
}

/* --- routes ------------------------------------------------------------- */

static bool
same_prefix(const struct sb_rib_route *r, const struct sb_route_conf *n)
{
	return r->dst == n->dst && r->len == n->prefix_len && r->table == n->table;
}

static void
retire(struct sb_rib *rib, unsigned i)
{
	struct sb_rib_route *r = &rib->r[i];

	r->retired = true;
	r->disabled = true;
	r->check_failed = false;
	sb_rib_route_changed(rib, i);
}

/* Route @k (of @rc's prefix and table) takes @rc's name and values. */
static void
set_route(struct sb_rib *rib, unsigned k, const struct sb_route_conf *rc)
{
	struct sb_rib_route *r = &rib->r[k];

	r->retired = false;
	sb_rib_route_values(r, rc);
	if (rc->check == SB_CHECK_NONE)
		r->check_failed = false;
	sb_rib_route_changed(rib, k);
}

/* A retired route of @rc's prefix and table, or -1. */
static int
retired_slot(const struct sb_rib *rib, const struct sb_route_conf *rc)
{
	for (unsigned i = 0; i < rib->n_routes; i++)
		if (rib->r[i].retired && same_prefix(&rib->r[i], rc))
			return (int)i;
	return -1;
}

static int
apply_routes(struct sb_ctl *c, const struct sb_config *n)
{
	struct sb_rib *rib = c->rib;
	unsigned before = rib->n_routes;

	for (unsigned i = 0; i < n->n_routes; i++) {
		const struct sb_route_conf *rc = &n->routes[i];
		int k = sb_rib_find(rib, rc->name);

		if (k >= 0 && (rib->r[k].connected || sb_lease_owns(&c->leases, (unsigned)k)))
			k = -1;
		if (k >= 0 && same_prefix(&rib->r[k], rc)) {
			set_route(rib, (unsigned)k, rc);
			continue;
		}
		if (k >= 0)
			retire(rib, (unsigned)k);
		k = retired_slot(rib, rc);
		if (k >= 0)
			set_route(rib, (unsigned)k, rc);
		else if (sb_rib_add(rib, rc) < 0)
			return -ENOMEM;
	}
	/* Static routes the file no longer has. */
	for (unsigned i = 0; i < before; i++) {
		struct sb_rib_route *r = &rib->r[i];
		bool kept = false;

		if (r->connected || r->retired || sb_lease_owns(&c->leases, i))
			continue;
		for (unsigned j = 0; j < n->n_routes && !kept; j++)
			kept = strcmp(n->routes[j].name, r->name) == 0;
		if (!kept)
			retire(rib, i);
	}
	return 0;
}

/* --- neighbours ----------------------------------------------------------- */

static int
apply_neighbours(struct sb_ctl *c, const struct sb_config *o, const struct sb_config *n)
{
	for (unsigned i = 0; i < o->n_neigh; i++) {
		const struct sb_neigh_conf *a = &o->neigh[i];
		bool kept = false;
		int32_t idx;

		for (unsigned j = 0; j < n->n_neigh && !kept; j++)
			kept = n->neigh[j].addr == a->addr && n->neigh[j].port == a->port;
		idx = kept ? -1 : sb_neigh_find(c->neigh, (uint16_t)a->port, a->addr);
		if (idx >= 0)
			c->arp.e[idx].is_static = false;  /* learned by ARP from now on */
	}
	c->arp.cfg = n;
	return sb_arp_static(&c->arp);
}

/* --- the reload ----------------------------------------------------------- */

static int
refuse(struct sb_ctl *c, struct out *o, bool json, const struct sb_config_errors *es,
       const char *reason)
{
	if (c->ops != NULL)
		c->ops->track.reloads_refused++;
	if (es != NULL) {
		SB_ERR(CONFIG, "reload of %s refused: %u error(s); the running configuration stays",
		       c->cfg->path, es->n + es->more);
		for (unsigned i = 0; i < es->n; i++) {
			char l[800];

			sb_config_error_format(es, i, l, sizeof(l));
			SB_ERR(CONFIG, "  %s", l);
		}
	} else {
		SB_ERR(CONFIG, "reload of %s refused: %s; the running configuration stays",
		       c->cfg->path, reason);
	}
	char why[640];

	if (es != NULL)
		snprintf(why, sizeof(why), "reload refused, the running configuration stays: "
			 "%u error(s)", es->n + es->more);
	else
		snprintf(why, sizeof(why), "reload refused, the running configuration stays: %s",
			 reason);
	out(o, "error: %s\n", why);
	if (json) {
		/* "error" as in every refusal's JSON (ctlcmd.h), then the details. */
		out(o, "{\"error\": ");
		json_str(o, why);
		out(o, ", \"applied\": false, \"file\": ");
		json_str(o, c->cfg->path);
		out(o, ", \"errors\": [");
		for (unsigned i = 0; es != NULL && i < es->n; i++) {
			const struct sb_config_error *e = &es->e[i];

			out(o, "%s\n {\"line\": %d, \"section\": ", i ? "," : "", e->line);
			json_str(o, e->section);
			out(o, ", \"key\": ");
			json_str(o, e->key);
			out(o, ", \"message\": ");
			json_str(o, e->msg);
			out(o, "}");
		}
		out(o, "%s], \"more\": %u, \"reason\": ", es != NULL && es->n ? "\n" : "",
		    es != NULL ? es->more : 0);
		json_str(o, es != NULL ? "errors in the file" : reason);
		out(o, "}\n");
	} else if (es != NULL) {
		for (unsigned i = 0; i < es->n; i++) {
			char l[800];

			sb_config_error_format(es, i, l, sizeof(l));
			out(o, "%s\n", l);
		}
		if (es->more)
			out(o, "... and %u more\n", es->more);
	}
	return (int)o->len;
}

int
sb_reload_run(struct sb_ctl *c, bool json, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };
	struct sb_config_errors *es = malloc(sizeof(*es));
	struct sb_reload_plan *plan = malloc(sizeof(*plan));
	struct sb_config *n = NULL, *old = c->cfg;
	uint64_t now = sb_now_ms();
	char err[512];
	int ret;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (es == NULL || plan == NULL) {
		ret = refuse(c, &o, json, NULL, "out of memory");
		goto done;
	}
	SB_INFO(CONFIG, "reload of %s asked", old->path);
	n = sb_config_parse_flags(old->path, es, SB_CONFIG_NO_LOOPS);
	if (n == NULL) {
		ret = refuse(c, &o, json, es, NULL);
		goto done;
	}
	/* A DHCP port's monitors go through its lease's router, which the
	 * file cannot name: the running one stays (not a change). */
	for (unsigned p = 0; p < n->n_ports && p < old->n_ports; p++)
		if (n->ports[p].dhcp.enabled && old->ports[p].dhcp.enabled && n->wan[p].enabled)
			n->wan[p].gateway = c->leases.port[p].bound ?
					    c->leases.port[p].lease.router : 0;
	if (sb_reload_plan(old, n, plan, err, sizeof(err)) != 0) {
		ret = refuse(c, &o, json, NULL, err);
		goto done;
	}
	{
		unsigned probes = 0;

		for (unsigned i = 0; i < n->n_routes; i++)
			probes += n->routes[i].check != SB_CHECK_NONE && !n->routes[i].disabled;
		for (unsigned p = 0; p < n->n_ports; p++)
			probes += n->wan[p].enabled ? n->wan[p].n_monitors : 0;
		if (probes > 256) {
			snprintf(err, sizeof(err), "%u probed routes and monitors are more than the 256 "
				 "probes switchback can tell apart", probes);
			ret = refuse(c, &o, json, NULL, err);
			goto done;
		}
	}
	sb_reload_keep_startup(old, n);

	/* Apply: nothing above changed the running gateway. */
	if (plan->routes && apply_routes(c, n) != 0) {
		ret = refuse(c, &o, json, NULL, "out of memory adding routes");
		goto done;
	}
	if (plan->wans || plan->routes) {
		if (sb_wan_reload(&c->wans, n, now, err, sizeof(err)) != 0) {
			/* (Routes changed above stay; the probes are the old ones.) */
			ret = refuse(c, &o, json, NULL, err);
			goto done;
		}
	} else {
		c->wans.cfg = n;
		for (unsigned p = 0; p < n->n_ports; p++)
			c->wans.wan[p].name = n->ports[p].name;
	}
	c->arp.cfg = n;
	if (plan->neighbours && apply_neighbours(c, old, n) != 0)
		SB_ERR(CONFIG, "reload: [neighbor]: the neighbour table is full");
	if (plan->timeouts) {
		for (unsigned k = 0; k < c->n_workers; k++)
			sb_ct_set_timeouts(c->ct[k], n->to_tcp_established, n->to_tcp_transitory,
					   n->to_udp, n->to_icmp);
		sb_ctl_host_max(c, n);
	}
	/* PCC and the ECMP hash go with the next published state (fill_pcc). */
	c->notify.hook = n->hook;
	if (plan->webhook) {
		sb_webhook_stop(c->notify.webhook, 0);
		c->notify.webhook = n->webhook[0] != '\0' ?
			sb_webhook_start(n->webhook, n->webhook_retries, n->webhook_timeout_ms,
					 n->webhook_backoff_ms) : NULL;
		if (n->webhook[0] != '\0' && c->notify.webhook == NULL)
			SB_ERR(CONFIG, "reload: [notify] webhook: cannot start the notifier thread");
	}
	c->cfg = n;
	/* The lease clients write the running configuration (a port's
	 * address, its WAN's gateway): from now on, this one. */
	c->leases.cfg = n;
	sb_config_free(old);
	old = NULL;
	if (plan->metrics)
		sb_ops_restart_metrics(c);
	if (c->ops != NULL)
		c->ops->track.reloads++;
	/* Published once by the control loop, before the answer goes. */
	c->dirty = true;

	for (unsigned i = 0; i < plan->n_changes; i++)
		SB_WARN(CONFIG, "reload: %s", plan->changes[i]);
	for (unsigned i = 0; i < plan->n_kept; i++)
		SB_WARN(CONFIG, "reload: left unchanged: %s", plan->kept[i]);
	SB_WARN(CONFIG, "reload of %s applied: %u change(s), %u start-up-only change(s) left for "
		"a restart, sessions kept", c->cfg->path, plan->n_changes, plan->n_kept);
	out(&o, "ok\n");
	if (json) {
		out(&o, "{\"applied\": true, \"file\": ");
		json_str(&o, c->cfg->path);
		out(&o, ", \"changes\": [");
		for (unsigned i = 0; i < plan->n_changes; i++) {
			out(&o, "%s", i ? ", " : "");
			json_str(&o, plan->changes[i]);
		}
		out(&o, "], \"left_unchanged\": [");
		for (unsigned i = 0; i < plan->n_kept; i++) {
			out(&o, "%s", i ? ", " : "");
			json_str(&o, plan->kept[i]);
		}
		out(&o, "], \"state_version\": %lu}\n",
		    (unsigned long)(c->pub.state != NULL ? c->pub.state->version + 1 : 0));
	} else {
		out(&o, "reloaded %s: %u change(s)%s\n", c->cfg->path, plan->n_changes,
		    plan->n_changes ? ":" : " (the file says what runs)");
		for (unsigned i = 0; i < plan->n_changes; i++)
			out(&o, "  %s\n", plan->changes[i]);
		if (plan->n_kept != 0) {
			out(&o, "left unchanged until a restart:\n");
			for (unsigned i = 0; i < plan->n_kept; i++)
				out(&o, "  %s\n", plan->kept[i]);
		}
	}
	ret = (int)o.len;
done:
	if (old != NULL && n != NULL && c->cfg != n)
		sb_config_free(n);
	free(es);
	free(plan);
	return ret;
}
