/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: PCC mangle rules -> [pcc] classifier and the
 * member WANs' pcc_weight and pcc_table (docs/routeros.md, "PCC"). The
 * mark-connection rules must deal every remainder of one classifier and
 * denominator once, each mark must lead (mark-routing) to a routing table
 * whose default route leaves through its own WAN; a rule that narrows
 * what it marks is reported, not bent into switchback's one classifier. */
#include <string.h>
#include <stdio.h>

#include "rsc_import_priv.h"

static bool
lan_side(struct imp *m, const struct obj *o)
{
	const char *ii = ri_get(o, "in-interface"), *il = ri_get(o, "in-interface-list");

	if (ii != NULL) {
		int p = ri_port_of(m, ii);

		return p >= 0 && m->port[p].role != 1;
	}
	if (il != NULL) {
		unsigned n = 0;

		for (unsigned p = 0; p < m->n_ports; p++)
			if (ri_in_list(m, il, m->port[p].ifname)) {
				if (m->port[p].role == 1)
					return false;
				n++;
			}
		return n > 0;
	}
	return true;
}

static bool
wan_side(struct imp *m, const struct obj *o)
{
	const char *ii = ri_get(o, "in-interface"), *il = ri_get(o, "in-interface-list");
	int p = ri_port_of(m, ii);

	if (ii != NULL)
		return p >= 0 && m->port[p].role == 1;
	if (il != NULL) {
		for (unsigned q = 0; q < m->n_ports; q++)
			if (ri_in_list(m, il, m->port[q].ifname) && m->port[q].role != 1)
				return false;
		return true;
	}
	return false;
}

/* Keys a PCC rule may carry; anything else narrows it and is reported. */
static const char *
pcc_extra(const struct obj *o, const char *const *ok)
{
	for (unsigned j = 0; j < o->n; j++) {
		bool fine = false;

		for (unsigned q = 0; ok[q]; q++)
			fine |= strcmp(ok[q], o->kv[j].k) == 0;
		if (!fine)
			return o->kv[j].k;
	}
	return NULL;
}

/* The WAN port a routing table's default route leaves through. */
static int
table_wan(const struct imp *m, const char *table)
{
	const struct rt *best = NULL;

	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		if (!r->disabled && r->len == 0 && strcmp(r->table, table) == 0 &&
		    (best == NULL || r->distance < best->distance) && ri_egress(m, r, NULL) >= 0)
			best = r;
	}
	return best ? ri_egress(m, best, NULL) : -1;
}

#define PCC_MAX_N 64

void
rsc_pcc_translate(struct imp *m)
{
	static const char *const mark_conn_ok[] = {
		"chain", "action", "per-connection-classifier", "new-connection-mark",
		"passthrough", "in-interface", "in-interface-list", "connection-state",
		"connection-mark", "dst-address-type", "comment", "disabled", NULL,
	};
	static const char *const mark_route_ok[] = {
		"chain", "action", "connection-mark", "new-routing-mark", "passthrough",
		"in-interface", "in-interface-list", "comment", "disabled", NULL,
	};
	struct obj *pcc[PCC_MAX_N * 2], *route_rule[PCC_MAX_N * 2];
	unsigned n_pcc = 0, n_route = 0, den = 0;
	char classifier[40] = "";
	struct obj *by_k[PCC_MAX_N] = { 0 };
	const char *why = NULL;
	int why_line = 0;

	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *ch = ri_get(o, "chain"), *act = ri_get(o, "action"), *x;

		if (!ri_take(m, o, K_MANGLE, "/ip firewall mangle: disabled rule, not translated"))
			continue;
		if (ch == NULL || act == NULL) {
			ri_rep(m, o->line, RSC_ERROR, "/ip firewall mangle add: chain and action are "
			    "needed");
			continue;
		}
		if (strcmp(ch, "output") == 0) {
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall mangle chain=output: switchback "
			    "originates only its probes, which leave through their own WAN");
			continue;
		}
		if (strcmp(ch, "prerouting") != 0) {
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall mangle chain=%s: not translated", ch);
			continue;
		}
		if (strcmp(act, "mark-connection") == 0 && ri_get(o, "per-connection-classifier")) {
			const char *v;

			if ((x = pcc_extra(o, mark_conn_ok)) != NULL) {
				ri_rep(m, o->line, RSC_SKIP, "PCC rule with %s=%s: switchback classifies "
				    "every new connection from the LAN alike; rule not translated", x,
				    ri_get(o, x));
				continue;
			}
			if (!lan_side(m, o)) {
				ri_rep(m, o->line, RSC_SKIP, "PCC rule on a WAN interface: not translated");
				continue;
			}
			if ((v = ri_get(o, "connection-state")) && strcmp(v, "new") != 0) {
				ri_rep(m, o->line, RSC_SKIP, "PCC rule connection-state=%s: not translated", v);
				continue;
			}
			if ((v = ri_get(o, "connection-mark")) && strcmp(v, "no-mark") != 0) {
				ri_rep(m, o->line, RSC_SKIP, "PCC rule connection-mark=%s: not translated", v);
				continue;
			}
			if ((v = ri_get(o, "dst-address-type")) && strcmp(v, "!local") != 0) {
				ri_rep(m, o->line, RSC_SKIP, "PCC rule dst-address-type=%s: not translated",
				    v);
				continue;
			}
			if (ri_get(o, "new-connection-mark") == NULL) {
				ri_rep(m, o->line, RSC_ERROR, "mark-connection without new-connection-mark");
				continue;
			}
			if (n_pcc < PCC_MAX_N * 2)
				pcc[n_pcc++] = o;
			continue;
		}
		if (strcmp(act, "mark-routing") == 0 && ri_get(o, "connection-mark") &&
		    strcmp(ri_get(o, "connection-mark"), "no-mark") != 0) {
			if ((x = pcc_extra(o, mark_route_ok)) != NULL) {
				ri_rep(m, o->line, RSC_SKIP, "mark-routing with %s=%s: policy routing beyond "
				    "PCC is not translated", x, ri_get(o, x));
				continue;
			}
			if (ri_get(o, "new-routing-mark") == NULL) {
				ri_rep(m, o->line, RSC_ERROR, "mark-routing without new-routing-mark");
				continue;
			}
			if (!lan_side(m, o)) {
				ri_rep(m, o->line, RSC_SKIP, "mark-routing on a WAN interface: not "
				    "translated");
				continue;
			}
			if (n_route < PCC_MAX_N * 2)
				route_rule[n_route++] = o;
			continue;
		}
		if (strcmp(act, "mark-connection") == 0 && wan_side(m, o) &&
		    (!ri_get(o, "connection-mark") || strcmp(ri_get(o, "connection-mark"), "no-mark") == 0) &&
		    pcc_extra(o, mark_conn_ok) == NULL) {
			ri_rep(m, o->line, RSC_NOTE, "mark-connection on connections from a WAN: built in "
			    "(a session that came in on a WAN always leaves through it)");
			continue;
		}
		if (strcmp(act, "return") == 0 && ri_get(o, "dst-address-type") &&
		    strcmp(ri_get(o, "dst-address-type"), "local") == 0 && o->n <= 5) {
			ri_rep(m, o->line, RSC_NOTE, "dst-address-type=local return: built in (traffic "
			    "to the gateway's addresses is never balanced)");
			continue;
		}
		ri_rep(m, o->line, RSC_SKIP, "/ip firewall mangle action=%s: not translated (PCC "
		    "bypasses only connected subnets)", act);
	}
	if (n_pcc == 0) {
		for (unsigned i = 0; i < n_route; i++)
			ri_rep(m, route_rule[i]->line, RSC_SKIP, "mark-routing for connection mark %s, "
			    "which no PCC rule sets: not translated",
			    ri_get(route_rule[i], "connection-mark"));
		return;
	}
	/* One classifier and one denominator, every remainder once. */
	for (unsigned i = 0; i < n_pcc && why == NULL; i++) {
		const char *v = ri_get(pcc[i], "per-connection-classifier");
		const char *colon = strrchr(v, ':');
		unsigned n, k;
		char c[40];

		if (colon == NULL || sscanf(colon + 1, "%u/%u", &n, &k) != 2 || n == 0 || k >= n ||
		    (size_t)(colon - v) >= sizeof(c)) {
			why = "per-connection-classifier is not CLASSIFIER:N/K";
			why_line = pcc[i]->line;
			break;
		}
		snprintf(c, sizeof(c), "%.*s", (int)(colon - v), v);
		if (n > PCC_MAX_N) {
			why = "more than 64 PCC remainders";
			why_line = pcc[i]->line;
		} else if (den != 0 && (n != den || strcmp(c, classifier) != 0)) {
			why = "PCC rules with different classifiers or denominators (switchback has "
			      "one classifier)";
			why_line = pcc[i]->line;
		} else if (by_k[k] != NULL) {
			why = "two PCC rules for one remainder";
			why_line = pcc[i]->line;
		} else {
			den = n;
			snprintf(classifier, sizeof(classifier), "%s", c);
			by_k[k] = pcc[i];
		}
	}
	for (unsigned k = 0; why == NULL && k < den; k++)
		if (by_k[k] == NULL) {
			why = "some PCC remainders are not marked (RouterOS routes them by main; "
			      "switchback gives every new connection a member)";
			why_line = pcc[0]->line;
		}
	if (why == NULL) {
		unsigned weight[MAX_IMP_PORTS] = { 0 };
		const char *table[MAX_IMP_PORTS] = { 0 };

		for (unsigned k = 0; k < den && why == NULL; k++) {
			const char *mark = ri_get(by_k[k], "new-connection-mark"), *t = NULL;
			int p;

			for (unsigned r = 0; r < n_route && t == NULL; r++)
				if (strcmp(ri_get(route_rule[r], "connection-mark"), mark) == 0)
					t = ri_get(route_rule[r], "new-routing-mark");
			if (t == NULL) {
				why = "a connection mark of PCC has no mark-routing rule";
				why_line = by_k[k]->line;
				break;
			}
			p = table_wan(m, t);
			if (p < 0) {
				why = "a PCC routing table has no default route through a port";
				why_line = by_k[k]->line;
				break;
			}
			if (table[p] != NULL && strcmp(table[p], t) != 0) {
				why = "two PCC routing tables lead through one WAN";
				why_line = by_k[k]->line;
				break;
			}
			table[p] = t;
			weight[p]++;
		}
		if (why == NULL) {
			m->pcc = true;
			snprintf(m->pcc_classifier, sizeof(m->pcc_classifier), "%s", classifier);
			for (unsigned p = 0; p < m->n_ports; p++) {
				if (weight[p] == 0)
					continue;
				m->port[p].weight = weight[p];
				snprintf(m->port[p].table, sizeof(m->port[p].table), "%s", table[p]);
				m->port[p].role = 1;
			}
			for (unsigned i = 0; i < n_pcc; i++)
				if (!ri_yes(ri_get(pcc[i], "passthrough")) && ri_get(pcc[i], "passthrough"))
					ri_rep(m, pcc[i]->line, RSC_NOTE, "passthrough=no on a PCC mark: "
					    "RouterOS routes that first packet by main; switchback by the "
					    "member's table");
			for (unsigned r = 0; r < n_route; r++) {
				bool used = false;

				for (unsigned k = 0; k < den; k++)
					used |= strcmp(ri_get(route_rule[r], "connection-mark"),
						       ri_get(by_k[k], "new-connection-mark")) == 0;
				if (!used)
					ri_rep(m, route_rule[r]->line, RSC_SKIP, "mark-routing for connection "
					    "mark %s, which no PCC rule sets: not translated",
					    ri_get(route_rule[r], "connection-mark"));
			}
			return;
		}
	}
	ri_rep(m, why_line, RSC_SKIP, "PCC not translated: %s", why);
	for (unsigned i = 0; i < n_pcc; i++)
		if (pcc[i]->line != why_line)
			ri_rep(m, pcc[i]->line, RSC_SKIP, "PCC rule not translated (see line %d)", why_line);
	for (unsigned i = 0; i < n_route; i++)
		ri_rep(m, route_rule[i]->line, RSC_SKIP, "mark-routing not translated (see line %d)",
		    why_line);
}
