/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: netwatch -> [wan] monitors (docs/routeros.md,
 * "Netwatch"). Each entry's up and down scripts are read with rsc_script
 * and kept only when the down script takes routes out (disable, or a
 * higher distance) and the up script puts exactly those back, all of them
 * leaving through one WAN: what a [wan] monitor does to that WAN. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsc_import_priv.h"

enum { NW_NONE = 0, NW_ENABLE, NW_DISABLE, NW_DISTANCE };

struct nw_rec {
	struct imp *m;
	int *act;               /* per route (rt index): NW_* */
	unsigned *dist;
	unsigned n_act;
	bool bad;
	char why[320];
	int why_line;
};

static void
nw_bad(struct nw_rec *r, int line, const char *fmt, ...)
{
	va_list ap;

	if (r->bad)
		return;
	r->bad = true;
	r->why_line = line;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static void
nw_cmd(void *ctx, const struct rsc_cmd *c)
{
	struct nw_rec *r = ctx;
	struct imp *m = r->m;
	const struct rsc_filter *f = NULL;
	int act;
	unsigned dist = 0, hits = 0;

	if (ri_noop_verb(c->verb))
		return;
	if (strcmp(c->menu, "/ip/firewall/connection") == 0) {
		nw_bad(r, c->line, "it removes connections (switchback flushes a WAN's sessions "
		       "itself when it goes down)");
		return;
	}
	if (strcmp(c->menu, "/ip/route") != 0) {
		nw_bad(r, c->line, "its script runs %s %s", *c->menu ? c->menu : "/", c->verb);
		return;
	}
	if (strcmp(c->verb, "enable") == 0)
		act = NW_ENABLE;
	else if (strcmp(c->verb, "disable") == 0)
		act = NW_DISABLE;
	else if (strcmp(c->verb, "set") == 0)
		act = NW_DISTANCE;
	else {
		nw_bad(r, c->line, "its script runs /ip route %s", c->verb);
		return;
	}
	for (unsigned i = 0; i < c->n_args; i++) {
		const struct rsc_arg *a = &c->args[i];

		if (a->name == NULL && a->filter != NULL)
			f = a->filter;
		else if (act == NW_DISTANCE && a->name && strcmp(a->name, "distance") == 0 &&
			 ri_parse_uint(a->value, 1, 255, &dist))
			;
		else {
			nw_bad(r, c->line, "its script sets %s%s%s on routes", a->name ? a->name : a->value,
			       a->name ? "=" : "", a->name ? a->value : "");
			return;
		}
	}
	if (f == NULL || (act == NW_DISTANCE && dist == 0)) {
		nw_bad(r, c->line, "its script changes routes without [find ...] or distance");
		return;
	}
	for (unsigned i = 0; i < m->n_rt; i++)
		if (ri_matches(m->rt[i].o, f)) {
			r->act[i] = act;
			r->dist[i] = dist;
			hits++;
		}
	if (hits == 0)
		nw_bad(r, c->line, "its [find ...] matches no route");
	r->n_act += hits;
}

static void
nw_diag(void *ctx, int line, enum rsc_diag kind, const char *msg)
{
	if (kind != RSC_NOTE)
		nw_bad(ctx, line, "%s", msg);
}

/* Whether route @q, at the distance the down script gives it, loses to
 * some route to the same destination the script leaves alone: only then
 * does raising its distance take it out of use, as a [wan] does. */
static bool
outranked(const struct imp *m, const struct nw_rec *down, unsigned q)
{
	const struct rt *r = &m->rt[q];

	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *o = &m->rt[i];

		if (i != q && down->act[i] == NW_NONE && !o->disabled && o->dst == r->dst &&
		    o->len == r->len && strcmp(o->table, r->table) == 0 &&
		    o->distance < down->dist[q])
			return true;
	}
	return false;
}

static void
nw_script(struct imp *m, struct nw_rec *r, const struct obj *o, const char *key)
{
	const char *s = ri_get(o, key);
	struct rsc_ops ops = { .cmd = nw_cmd, .diag = nw_diag, .ctx = r };

	free(r->act);
	free(r->dist);
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->act = ri_xmalloc(sizeof(*r->act) * (m->n_rt + 1));
	r->dist = ri_xmalloc(sizeof(*r->dist) * (m->n_rt + 1));
	if (s == NULL || *s == '\0') {
		nw_bad(r, o->line, "it has no %s", key);
		return;
	}
	/* The script's lines are counted from the netwatch's own. */
	rsc_script_run(s, strlen(s), ri_line_of(o, key), "", &ops);
}

void
rsc_netwatch_translate(struct imp *m)
{
	struct nw_rec up = { 0 }, down = { 0 };
	bool *touched = ri_xmalloc(sizeof(bool) * MAX_IMP_PORTS * (m->n_rt + 1));
	int wline[MAX_IMP_PORTS] = { 0 };

	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *host = ri_get(o, "host"), *v;
		uint32_t h, interval = 10000, timeout = 1000;
		int w = -1;
		const char *why = NULL;
		int why_line = o->line;

		if (!ri_take(m, o, K_NETWATCH, "/tool netwatch: disabled, not translated"))
			continue;
		if (host == NULL || sb_config_parse_ipv4(host, &h) != 0) {
			ri_rep(m, o->line, RSC_SKIP, "/tool netwatch: host=%s is not an IPv4 address",
			    host ? host : "(missing)");
			continue;
		}
		if ((v = ri_get(o, "interval")) && !ri_parse_time_ms(v, &interval)) {
			ri_rep(m, o->line, RSC_ERROR, "/tool netwatch interval=%s: not a time", v);
			continue;
		}
		if ((v = ri_get(o, "timeout")) && !ri_parse_time_ms(v, &timeout)) {
			ri_rep(m, o->line, RSC_ERROR, "/tool netwatch timeout=%s: not a time", v);
			continue;
		}
		if ((v = ri_get(o, "type")) && strcmp(v, "simple") != 0 && strcmp(v, "icmp") != 0) {
			ri_rep(m, o->line, RSC_SKIP, "/tool netwatch type=%s: switchback monitors ping",
			    v);
			continue;
		}
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k;

			if (strcmp(k, "host") && strcmp(k, "interval") && strcmp(k, "timeout") &&
			    strcmp(k, "type") && strcmp(k, "up-script") && strcmp(k, "down-script") &&
			    strcmp(k, "comment") && strcmp(k, "disabled") && strcmp(k, "name"))
				ri_rep(m, o->line, RSC_SKIP, "/tool netwatch %s=%s: not translated", k,
				    o->kv[j].v);
		}
		nw_script(m, &down, o, "down-script");
		nw_script(m, &up, o, "up-script");
		if (down.bad) {
			why = down.why;
			why_line = down.why_line;
		} else if (up.bad) {
			why = up.why;
			why_line = up.why_line;
		}
		for (unsigned q = 0; why == NULL && q < m->n_rt; q++) {
			int p;

			if (down.act[q] == NW_NONE && up.act[q] == NW_NONE)
				continue;
			if ((down.act[q] == NW_DISABLE) != (up.act[q] == NW_ENABLE) ||
			    (down.act[q] == NW_DISTANCE) != (up.act[q] == NW_DISTANCE) ||
			    down.act[q] == NW_ENABLE) {
				why = "its up and down scripts do not undo each other";
				break;
			}
			if (down.act[q] == NW_DISTANCE && down.dist[q] <= up.dist[q]) {
				why = "its down script does not raise the distance";
				break;
			}
			if (down.act[q] == NW_DISTANCE && !outranked(m, &down, q)) {
				why = "the raised distance leaves the route ahead of the others to its "
				      "destination (RouterOS keeps using it; a [wan] would not)";
				break;
			}
			p = ri_egress(m, &m->rt[q], NULL);
			if (p < 0 || (w >= 0 && p != w)) {
				why = "the routes it changes do not all leave through one port";
				break;
			}
			w = p;
		}
		if (why == NULL && w < 0)
			why = "it changes no route";
		if (why != NULL) {
			ri_rep(m, why_line, RSC_SKIP, "/tool netwatch host=%s: not translated: %s", host, why);
			continue;
		}
		/* Same meaning: the WAN's routes leave while the host is down. */
		for (unsigned q = 0; q < m->n_rt; q++) {
			if (up.act[q] == NW_NONE)
				continue;
			touched[w * m->n_rt + q] = true;
			if (up.act[q] == NW_DISTANCE && up.dist[q] != m->rt[q].distance) {
				ri_rep(m, o->line, RSC_NOTE, "route %s takes distance %u (what the up-script "
				    "sets once %s answers)", m->rt[q].name, up.dist[q], host);
				m->rt[q].distance = up.dist[q];
			}
			if (m->rt[q].disabled) {
				ri_rep(m, o->line, RSC_NOTE, "route %s enabled (what the up-script does once "
				    "%s answers)", m->rt[q].name, host);
				m->rt[q].disabled = false;
			}
		}
		{
			struct port *p = &m->port[w];
			bool dup = false;

			for (unsigned k = 0; k < p->n_mon; k++)
				dup |= p->mon[k] == h;
			if (dup)
				continue;
			if (p->n_mon == SB_WAN_MAX_MONITORS) {
				ri_rep(m, o->line, RSC_SKIP, "/tool netwatch host=%s: more than %d monitors "
				    "for %s", host, SB_WAN_MAX_MONITORS, p->ifname);
				continue;
			}
			if (p->n_mon > 0 && (p->interval_ms != interval || p->timeout_ms != timeout))
				ri_rep(m, o->line, RSC_NOTE, "/tool netwatch host=%s: %s's monitors share "
				    "one interval and timeout (the first netwatch's)", host, p->ifname);
			if (p->n_mon == 0) {
				p->interval_ms = interval < 10 ? 10 : interval;
				p->timeout_ms = timeout > p->interval_ms ? p->interval_ms : timeout;
				if (timeout > p->interval_ms)
					ri_rep(m, o->line, RSC_NOTE, "netwatch timeout %s cut to the interval",
					    ri_get(o, "timeout"));
				wline[w] = o->line;
			}
			p->mon[p->n_mon++] = h;
			p->wan = true;
			p->role = 1;
		}
	}
	/* [wan] takes every route through the WAN out: say where a
	 * netwatch leaves one alone (the monitors' own host routes aside,
	 * which switchback does not need: it probes out of the WAN). */
	for (unsigned p = 0; p < m->n_ports; p++) {
		struct port *pt = &m->port[p];

		if (!pt->wan)
			continue;
		if (pt->n_mon > 1)
			ri_rep(m, wline[p], RSC_NOTE, "%u netwatch hosts for %s: out of service while any "
			    "is down (quorum %u); RouterOS lets the last netwatch event win",
			    pt->n_mon, pt->ifname, pt->n_mon);
		for (unsigned q = 0; q < m->n_rt; q++) {
			const struct rt *r = &m->rt[q];
			bool mon = false;

			if (touched[p * m->n_rt + q] || r->disabled || ri_egress(m, r, NULL) != (int)p)
				continue;
			for (unsigned k = 0; k < pt->n_mon; k++)
				mon |= r->len == 32 && r->dst == pt->mon[k];
			if (mon)
				continue;
			ri_rep(m, r->o->line, RSC_NOTE, "route %s leaves through %s: switchback takes it "
			    "out of service with %s's monitors too (the netwatch scripts do not touch "
			    "it)", r->name, pt->ifname, pt->ifname);
		}
		for (unsigned q = 0; q < m->n_rt; q++)
			if (touched[p * m->n_rt + q]) {
				uint32_t nh = 0;

				ri_egress(m, &m->rt[q], &nh);
				if (nh != 0 && ((nh ^ pt->addr) & ri_mask(pt->len)) == 0) {
					pt->wan_gw = nh;
					break;
				}
			}
	}
	free(touched);
	free(up.act);
	free(up.dist);
	free(down.act);
	free(down.dist);
	up.act = down.act = NULL;
	up.dist = down.dist = NULL;
}
