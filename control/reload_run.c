/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration reload on the running gateway (reload_run.h).
 *
 * Routes change in place in the running RIB, as the operator's route
 * commands and DHCP leases change it: a changed route is updated, a new
 * one added, a removed one disabled and renamed "~NAME" (its index may
 * be held by a probe or a prefix until then), so nexthop groups keep
 * their ids and the FIB is written only where a prefix changes. Probes
 * and monitors are made again for the new file, each keeping the history
 * of the one it replaces (same route or WAN, same target, same method),
 * so no WAN changes state for a reload. Then one publication. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "metrics.h"
#include "neigh.h"
#include "notify.h"
#include "ops.h"
#include "reload.h"
#include "reload_run.h"
#include "sb_log.h"

struct out {
	char *buf;
	size_t cap, len;
};

static void __attribute__((format(printf, 2, 3)))
out(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static void
json_str(struct out *o, const char *s)
{
	char e[1200];

	sb_json_escape(s, e, sizeof(e));
	out(o, "\"%s\"", e);
}

static bool
on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;

	return ((ip ^ p->addr) & mask) == 0;
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
	char name[SB_NAME_LEN];

	snprintf(name, sizeof(name), "~%s", r->name);
	memcpy(r->name, name, sizeof(r->name));
	r->disabled = true;
	sb_rib_route_changed(rib, i);
}

static int
apply_routes(struct sb_ctl *c, const struct sb_config *n)
{
	struct sb_rib *rib = c->rib;
	unsigned before = rib->n_routes;

	for (unsigned i = 0; i < n->n_routes; i++) {
		const struct sb_route_conf *rc = &n->routes[i];
		int k = sb_rib_find(rib, rc->name);

		if (k >= 0 && rib->r[k].connected)
			k = -1;
		if (k >= 0 && same_prefix(&rib->r[k], rc)) {
			struct sb_rib_route *r = &rib->r[k];

			r->gw = rc->gw;
			r->gw_port = rc->gw_port;
			r->distance = rc->distance;
			r->scope = rc->scope;
			r->target_scope = rc->target_scope;
			r->check = rc->check;
			r->disabled = rc->disabled;
			if (rc->check == SB_CHECK_NONE)
				r->check_failed = false;
			sb_rib_route_changed(rib, (unsigned)k);
			continue;
		}
		if (k >= 0)
			retire(rib, (unsigned)k);
		if (sb_rib_add(rib, rc) < 0)
			return -ENOMEM;
	}
	/* Static routes the file no longer has. */
	for (unsigned i = 0; i < before; i++) {
		struct sb_rib_route *r = &rib->r[i];
		bool kept = false;

		if (r->connected || r->name[0] == '~')
			continue;
		for (unsigned j = 0; j < n->n_routes && !kept; j++)
			kept = strcmp(n->routes[j].name, r->name) == 0;
		if (!kept)
			retire(rib, i);
	}
	return 0;
}

/* --- probes and monitors -------------------------------------------------- */

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

/* A probe made again: the old one's history and counters, the new id;
 * one outstanding under the old id is forgotten (its answer is ignored),
 * so the next round starts now. */
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
	}
	p->next_ms = now;
}

static int
apply_probes(struct sb_ctl *c, const struct sb_config *n, uint64_t now, char *err, size_t errlen)
{
	const struct sb_rib *rib = c->rib;
	struct sb_probe *probes, *mons;
	unsigned n_probes = 0, n_mons = 0, total = 0;

	for (unsigned p = 0; p < n->n_ports; p++)
		total += n->wan[p].enabled ? n->wan[p].n_monitors : 0;
	probes = calloc(rib->n_routes + 1, sizeof(*probes));
	mons = calloc(total + 1, sizeof(*mons));
	if (probes == NULL || mons == NULL) {
		free(probes);
		free(mons);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < rib->n_routes; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		struct sb_probe *pr;

		if (r->check == SB_CHECK_NONE || r->disabled)
			continue;
		pr = &probes[n_probes++];
		pr->wan = -1;
		pr->route = i;
		pr->target = r->gw;
		pr->method = r->check;
		carry(pr, old_probe(c->probes, c->n_probes, -1, i, r->gw, r->check), now);
	}
	if (n_probes + total > 256) {
		snprintf(err, errlen, "%u probed routes and %u monitors are more than the 256 probes "
			 "switchback can tell apart", n_probes, total);
		free(probes);
		free(mons);
		return -EINVAL;
	}
	for (unsigned k = 0; k < n_probes; k++)
		probes[k].id = (uint16_t)(SB_PROBE_ID_BASE + k);
	for (unsigned p = 0; p < n->n_ports; p++) {
		const struct sb_wan_conf *wc = &n->wan[p];

		c->wmon[p].first = n_mons;
		c->wmon[p].n = wc->enabled ? wc->n_monitors : 0;
		for (unsigned k = 0; wc->enabled && k < wc->n_monitors; k++) {
			struct sb_probe *m = &mons[n_mons];

			m->wan = (int)p;
			m->target = wc->monitor[k];
			m->hop = wc->gateway != 0 && !on_subnet(&n->ports[p], m->target) ?
				 wc->gateway : m->target;
			m->method = wc->method;
			m->id = (uint16_t)(SB_PROBE_ID_BASE + n_probes + n_mons);
			carry(m, old_probe(c->mons, c->n_mons, (int)p, 0, m->target, m->method), now);
			/* Spread the first probes over the interval. */
			m->next_ms = now + (uint64_t)wc->interval_ms * k / wc->n_monitors;
			n_mons++;
		}
		if (!wc->enabled)
			c->wmon[p].out = c->wmon[p].holding = false;
	}
	free(c->probes);
	free(c->mons);
	c->probes = probes;
	c->n_probes = n_probes;
	c->mons = mons;
	c->n_mons = n_mons;
	return 0;
}

/* --- neighbours ----------------------------------------------------------- */

static void
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
			c->neigh->e[idx].is_static = 0;  /* learned by ARP from now on */
	}
	for (unsigned i = 0; i < n->n_neigh; i++) {
		const struct sb_neigh_conf *nc = &n->neigh[i];
		int32_t idx = sb_neigh_get(c->neigh, (uint16_t)nc->port, nc->addr);
		struct rte_ether_addr mac;

		if (idx < 0)
			continue;
		memcpy(mac.addr_bytes, nc->mac, 6);
		c->neigh->e[idx].is_static = 1;
		sb_neigh_set_mac(c->neigh, (uint32_t)idx, &mac);
	}
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
	out(o, "error: reload refused, the running configuration stays: ");
	if (es != NULL)
		out(o, "%u error(s)\n", es->n + es->more);
	else
		out(o, "%s\n", reason);
	if (json) {
		out(o, "{\"applied\": false, \"file\": ");
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
	if (sb_reload_plan(old, n, plan, err, sizeof(err)) != 0) {
		ret = refuse(c, &o, json, NULL, err);
		goto done;
	}
	for (unsigned p = 0; p < old->n_ports && plan->routes; p++)
		if (old->ports[p].dhcp.enabled) {
			ret = refuse(c, &o, json, NULL, "routes change while a port takes its address "
				     "from DHCP: its lease's routes live in the same RIB (not yet "
				     "supported: restart to apply)");
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
	if (plan->wans && apply_probes(c, n, now, err, sizeof(err)) != 0) {
		/* (Routes added above stay; the probes are the old ones.) */
		ret = refuse(c, &o, json, NULL, err);
		goto done;
	}
	if (plan->neighbours)
		apply_neighbours(c, old, n);
	if (plan->webhook) {
		sb_notifier_stop(c->notifier, 0);
		c->notifier = n->webhook[0] != '\0' ?
			      sb_notifier_start(n->webhook, n->webhook_retries, n->webhook_timeout_ms,
						n->webhook_backoff_ms) : NULL;
		if (n->webhook[0] != '\0' && c->notifier == NULL)
			SB_ERR(CONFIG, "reload: [notify] webhook: cannot start the notifier thread");
	}
	c->cfg = n;
	sb_config_free(old);
	old = NULL;
	if (plan->metrics)
		sb_ops_restart_metrics(c);
	if (c->ops != NULL)
		c->ops->track.reloads++;
	sb_ctl_publish(c, now);

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
		    (unsigned long)(c->state != NULL ? c->state->version : 0));
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
