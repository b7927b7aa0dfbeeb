/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

enum { M_UNKNOWN = 0, M_BUSY, M_YES, M_NO };

static uint32_t
mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static bool
covers(const struct sb_rib_route *r, uint32_t ip)
{
	return ((ip ^ r->dst) & mask(r->len)) == 0;
}

struct sb_rib *
sb_rib_create(const struct sb_config *cfg)
{
	struct sb_rib *rib = calloc(1, sizeof(*rib));
	unsigned n = cfg->n_ports + cfg->n_routes;

	if (rib == NULL)
		return NULL;
	rib->r = calloc(n ? n : 1, sizeof(*rib->r));
	rib->g = calloc(n ? n : 1, sizeof(*rib->g));
	rib->memo = calloc(n ? n : 1, 1);
	if (rib->r == NULL || rib->g == NULL || rib->memo == NULL) {
		sb_rib_free(rib);
		return NULL;
	}
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct sb_port_conf *p = &cfg->ports[i];
		struct sb_rib_route *r = &rib->r[rib->n_routes++];

		snprintf(r->name, sizeof(r->name), "connected-%s", p->name);
		r->dst = p->addr & mask(p->prefix_len);
		r->len = p->prefix_len;
		r->gw_port = (int)i;
		r->scope = 10;
		r->target_scope = 0;
		r->distance = 0;
		r->connected = true;
	}
	for (unsigned i = 0; i < cfg->n_routes; i++) {
		const struct sb_route_conf *c = &cfg->routes[i];
		struct sb_rib_route *r = &rib->r[rib->n_routes++];

		snprintf(r->name, sizeof(r->name), "%s", c->name);
		r->dst = c->dst;
		r->len = c->prefix_len;
		r->gw = c->gw;
		r->gw_port = c->gw_port;
		r->distance = c->distance;
		r->scope = c->scope;
		r->target_scope = c->target_scope;
		r->table = c->table;
		r->check = c->check;
		r->disabled = c->disabled;
	}
	/* One group per (table, prefix), ids stable for the RIB's life. */
	for (unsigned i = 0; i < rib->n_routes; i++) {
		struct sb_rib_route *r = &rib->r[i];
		unsigned g;

		for (g = 0; g < rib->n_groups; g++)
			if (rib->g[g].table == r->table && rib->g[g].dst == r->dst &&
			    rib->g[g].len == r->len)
				break;
		if (g == rib->n_groups) {
			rib->g[g].table = r->table;
			rib->g[g].dst = r->dst;
			rib->g[g].len = r->len;
			rib->n_groups++;
		}
		r->group = g;
	}
	return rib;
}

void
sb_rib_free(struct sb_rib *rib)
{
	if (rib == NULL)
		return;
	free(rib->r);
	free(rib->g);
	free(rib->memo);
	free(rib);
}

int
sb_rib_find(const struct sb_rib *rib, const char *name)
{
	for (unsigned i = 0; i < rib->n_routes; i++)
		if (strcmp(rib->r[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool is_active(struct sb_rib *rib, unsigned i, unsigned depth);

static void
add_nh(struct sb_rib_route *r, uint16_t port, uint32_t gw)
{
	for (unsigned k = 0; k < r->n_nh; k++)
		if (r->nh[k].port == port && r->nh[k].gw == gw)
			return;
	if (r->n_nh < SB_MAX_ECMP) {
		r->nh[r->n_nh].port = port;
		r->nh[r->n_nh].gw = gw;
		r->n_nh++;
	}
}

/* Does route @i's gateway resolve? Fills its next hops. Its own disabled
 * and check-gateway state do not matter here: probes need the path of a
 * route whose check failed. */
static bool
resolve(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *a = &rib->r[i];
	int best_len = -1;

	if (rib->memo[i] == M_YES || rib->memo[i] == M_NO)
		return rib->memo[i] == M_YES;
	if (rib->memo[i] == M_BUSY) {
		a->reason = "resolution loop";
		return false;
	}
	if (depth > SB_RIB_MAX_DEPTH) {
		a->reason = "resolution too deep";
		return false;
	}
	rib->memo[i] = M_BUSY;
	a->n_nh = 0;
	if (a->gw_port >= 0 && rib->port_down[a->gw_port]) {
		a->reason = "port down";
		rib->memo[i] = M_NO;
		return false;
	}
	if (a->gw_port >= 0) {
		/* Connected, interface or ADDRESS%PORT gateway. */
		add_nh(a, (uint16_t)a->gw_port, a->connected ? 0 : a->gw);
		rib->memo[i] = M_YES;
		return true;
	}
	/* The most specific active route in main that may resolve us. */
	for (unsigned j = 0; j < rib->n_routes; j++) {
		struct sb_rib_route *b = &rib->r[j];

		if (j == i || b->table != 0 || !covers(b, a->gw) ||
		    b->scope > a->target_scope || (int)b->len < best_len)
			continue;
		if (!is_active(rib, j, depth + 1))
			continue;
		if ((int)b->len > best_len) {
			best_len = b->len;
			a->n_nh = 0;
		}
		for (unsigned k = 0; k < b->n_nh; k++)
			add_nh(a, b->nh[k].port, b->nh[k].gw != 0 ? b->nh[k].gw : a->gw);
	}
	if (best_len < 0) {
		if (a->reason == NULL)
			a->reason = "gateway unreachable";
		rib->memo[i] = M_NO;
		return false;
	}
	rib->memo[i] = M_YES;
	return true;
}

/* A gateway that failed its check is dead for every route that uses it
 * (seed 001: routes via the anchor's gateway fail over with the anchor),
 * not only for the route that probed it. */
static bool
gateway_failed(const struct sb_rib *rib, const struct sb_rib_route *r)
{
	if (r->gw == 0)
		return false;
	for (unsigned j = 0; j < rib->n_routes; j++)
		if (rib->r[j].check_failed && rib->r[j].gw == r->gw)
			return true;
	return false;
}

static bool
usable(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *r = &rib->r[i];

	if (r->disabled || r->check_failed || gateway_failed(rib, r))
		return false;
	return resolve(rib, i, depth);
}

/* Active: usable, and no usable route for the same (table, prefix) has a
 * lower distance. */
static bool
is_active(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *r = &rib->r[i];

	if (!usable(rib, i, depth))
		return false;
	for (unsigned j = 0; j < rib->n_routes; j++) {
		struct sb_rib_route *o = &rib->r[j];

		if (j != i && o->group == r->group && o->distance < r->distance &&
		    usable(rib, j, depth))
			return false;
	}
	return true;
}

unsigned
sb_rib_resolve(struct sb_rib *rib)
{
	unsigned changed = 0;

	memset(rib->memo, M_UNKNOWN, rib->n_routes);
	for (unsigned i = 0; i < rib->n_routes; i++) {
		rib->r[i].reason = NULL;
		rib->r[i].ecmp = false;
		rib->r[i].last_resort = false;
	}
	for (unsigned i = 0; i < rib->n_routes; i++) {
		struct sb_rib_route *r = &rib->r[i];

		r->resolved = resolve(rib, i, 0);
		r->active = is_active(rib, i, 0);
		if (r->active)
			r->reason = NULL;
		else if (r->disabled)
			r->reason = "disabled";
		else if (r->check_failed)
			r->reason = "check-gateway failed";
		else if (gateway_failed(rib, r))
			r->reason = "gateway failed check-gateway";
		else if (r->resolved)
			r->reason = "higher distance";
		else if (r->gw_port >= 0 && rib->port_down[r->gw_port])
			r->reason = "port down";
		else if (r->reason == NULL)
			r->reason = "gateway unreachable";
	}
	/* When every default route failed its check, dropping all traffic
	 * helps nobody: the preferred one (lowest distance, path resolved)
	 * stays in use as a last resort until a probe answers. Only for /0:
	 * a more specific prefix whose routes all failed leaves the FIB, so
	 * that a less specific route can carry its traffic. */
	for (unsigned g = 0; g < rib->n_groups; g++) {
		struct sb_rib_route *best = NULL;
		bool any_active = false;

		if (rib->g[g].len != 0)
			continue;
		for (unsigned i = 0; i < rib->n_routes; i++) {
			struct sb_rib_route *r = &rib->r[i];

			if (r->group != g)
				continue;
			any_active |= r->active;
			if (!r->disabled && r->resolved && (r->check_failed || gateway_failed(rib, r)) &&
			    (best == NULL || r->distance < best->distance))
				best = r;
		}
		if (!any_active && best != NULL) {
			best->active = true;
			best->last_resort = true;
			best->reason = "last resort: every route failed its check";
		}
	}
	for (unsigned g = 0; g < rib->n_groups; g++) {
		struct sb_rib_group *grp = &rib->g[g];
		struct sb_rib_group old = *grp;
		unsigned n_active = 0;

		grp->n_nh = 0;
		for (unsigned i = 0; i < rib->n_routes; i++) {
			struct sb_rib_route *r = &rib->r[i];

			if (r->group != g || !r->active)
				continue;
			n_active++;
			for (unsigned k = 0; k < r->n_nh && grp->n_nh < SB_MAX_ECMP; k++) {
				bool dup = false;

				for (unsigned q = 0; q < grp->n_nh; q++)
					dup |= grp->nh[q].port == r->nh[k].port &&
					       grp->nh[q].gw == r->nh[k].gw;
				if (!dup)
					grp->nh[grp->n_nh++] = r->nh[k];
			}
		}
		if (n_active > 1)
			for (unsigned i = 0; i < rib->n_routes; i++)
				if (rib->r[i].group == g && rib->r[i].active)
					rib->r[i].ecmp = true;
		if (old.n_nh != grp->n_nh ||
		    memcmp(old.nh, grp->nh, sizeof(grp->nh[0]) * grp->n_nh) != 0)
			changed++;
	}
	return changed;
}

static void
ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

int
sb_rib_print(const struct sb_rib *rib, const struct sb_config *cfg, char *buf, size_t len)
{
	size_t off = 0;
	int n;

#define OUT(...) do { \
	n = snprintf(buf + (off < len ? off : len), off < len ? len - off : 0, __VA_ARGS__); \
	off += (size_t)n; } while (0)

	OUT("Flags: X - disabled, A - active, C - connected, S - static, E - ECMP\n");
	OUT("%-5s %-20s %-18s %-22s %4s %5s %6s %-8s %s\n", "FLAGS", "NAME", "DST-ADDRESS",
	    "GATEWAY", "DIST", "SCOPE", "TSCOPE", "TABLE", "STATE");
	for (unsigned i = 0; i < rib->n_routes; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		char flags[8], dst[24], gw[64], a[20];
		int f = 0;

		if (r->disabled)
			flags[f++] = 'X';
		if (r->active)
			flags[f++] = 'A';
		flags[f++] = r->connected ? 'C' : 'S';
		if (r->ecmp)
			flags[f++] = 'E';
		flags[f] = '\0';
		ip_str(r->dst, a, sizeof(a));
		snprintf(dst, sizeof(dst), "%s/%u", a, r->len);
		if (r->gw_port >= 0 && (r->gw == 0 || r->connected)) {
			snprintf(gw, sizeof(gw), "%s", cfg->ports[r->gw_port].name);
		} else {
			ip_str(r->gw, a, sizeof(a));
			if (r->gw_port >= 0)
				snprintf(gw, sizeof(gw), "%s%%%s", a, cfg->ports[r->gw_port].name);
			else
				snprintf(gw, sizeof(gw), "%s", a);
		}
		OUT("%-5s %-20s %-18s %-22s %4u %5u %6u %-8s %s\n", flags, r->name, dst, gw,
		    r->distance, r->scope, r->target_scope, cfg->tables[r->table],
		    r->last_resort ? r->reason : r->active ? "active" : r->reason);
	}
#undef OUT
	return (int)off;
}
