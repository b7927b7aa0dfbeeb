/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"
#include "addr.h"

enum { M_UNKNOWN = 0, M_BUSY, M_YES, M_NO };
enum { LOGGED_NEVER = 2 };

const struct sb_rib_result sb_rib_unresolved = { .reason = "not resolved yet" };

/* A (table, prefix) and the routes for it. */
struct rib_prefix {
	uint32_t dst;
	uint8_t len, table;
	bool special;           /* resolved route by route */
	bool fib_dirty;         /* queued in rib->dirty */
	uint32_t first, last, n_routes;
	uint32_t group;         /* group it points at now */
	uint32_t own_group;     /* its own group once it was special */
	uint32_t fib_group;     /* group its FIB entry holds, SB_RIB_NONE if none */
	uint32_t cls, cnext;    /* its class and the next member of it */
};

/* One route of a class's route set, as far as resolution cares. */
struct rib_slot {
	uint32_t gw;
	int32_t gw_port;
	uint8_t distance, target_scope, check, disabled;
};

/* Prefixes whose route sets resolve alike share one group. */
struct rib_class {
	uint64_t hash;
	uint8_t table;
	bool is_default;        /* /0: the last-resort rule applies */
	uint32_t n_slots, slot0;
	uint32_t res0;          /* results of its slots */
	uint32_t group;
	uint32_t first, n_members;
};

/* Open addressing: 64-bit key -> index. Classes may share a key (their
 * hash), so lookups take an equality test. */
struct rib_map {
	uint32_t cap, n;
	uint64_t *key;
	uint32_t *val;
};

static uint32_t
mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static uint64_t
pkey(uint8_t table, uint32_t dst, uint8_t len)
{
	return (uint64_t)table << 40 | (uint64_t)len << 32 | dst;
}

static struct rib_map *
map_new(uint32_t cap)
{
	struct rib_map *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = cap;
	m->key = malloc(sizeof(*m->key) * cap);
	m->val = malloc(sizeof(*m->val) * cap);
	if (m->key == NULL || m->val == NULL) {
		free(m->key);
		free(m->val);
		free(m);
		return NULL;
	}
	memset(m->val, 0xff, sizeof(*m->val) * cap);
	return m;
}

static void
map_free(struct rib_map *m)
{
	if (m == NULL)
		return;
	free(m->key);
	free(m->val);
	free(m);
}

typedef bool (*map_eq)(const struct sb_rib *rib, uint32_t val, const void *arg);

static uint32_t
map_find(const struct sb_rib *rib, const struct rib_map *m, uint64_t key, map_eq eq,
	 const void *arg)
{
	for (uint32_t i = (uint32_t)sb_mix64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->val[i] == SB_RIB_NONE)
			return SB_RIB_NONE;
		if (m->key[i] == key && (eq == NULL || eq(rib, m->val[i], arg)))
			return m->val[i];
	}
}

static void
map_put_nogrow(struct rib_map *m, uint64_t key, uint32_t val)
{
	uint32_t i = (uint32_t)sb_mix64(key) & (m->cap - 1);

	while (m->val[i] != SB_RIB_NONE)
		i = (i + 1) & (m->cap - 1);
	m->key[i] = key;
	m->val[i] = val;
	m->n++;
}

static int
map_put(struct rib_map *m, uint64_t key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct rib_map *n = map_new(m->cap * 2);

		if (n == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < m->cap; i++)
			if (m->val[i] != SB_RIB_NONE)
				map_put_nogrow(n, m->key[i], m->val[i]);
		free(m->key);
		free(m->val);
		m->key = n->key;
		m->val = n->val;
		m->cap = n->cap;
		free(n);
	}
	map_put_nogrow(m, key, val);
	return 0;
}

/* Grow @*arr of @*cap elements of @size to hold @need. */
static int
grow(void *arr, unsigned *cap, unsigned need, size_t size)
{
	void **a = arr;
	unsigned c = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*a, (size_t)c * size);
	if (n == NULL)
		return -ENOMEM;
	*a = n;
	*cap = c;
	return 0;
}

static int
new_group(struct sb_rib *rib, uint32_t *id)
{
	if (grow(&rib->g, &rib->cap_groups, rib->n_groups + 1, sizeof(*rib->g)) != 0)
		return -ENOMEM;
	memset(&rib->g[rib->n_groups], 0, sizeof(*rib->g));
	*id = rib->n_groups++;
	return 0;
}

static int
add_route(struct sb_rib *rib, const struct sb_rib_route *src)
{
	uint64_t k = pkey(src->table, src->dst, src->len);
	uint32_t pi = map_find(rib, rib->pmap, k, NULL, NULL);
	struct sb_rib_route *r;
	unsigned i = rib->n_routes;

	if (grow(&rib->r, &rib->cap_routes, i + 1, sizeof(*rib->r)) != 0)
		return -ENOMEM;
	if (pi == SB_RIB_NONE) {
		struct rib_prefix *p;

		if (grow(&rib->p, &rib->cap_prefixes, rib->n_prefixes + 1, sizeof(*rib->p)) != 0 ||
		    map_put(rib->pmap, k, rib->n_prefixes) != 0)
			return -ENOMEM;
		pi = rib->n_prefixes++;
		p = &rib->p[pi];
		memset(p, 0, sizeof(*p));
		p->dst = src->dst;
		p->len = src->len;
		p->table = src->table;
		p->first = p->last = SB_RIB_NONE;
		p->group = p->own_group = p->fib_group = p->cls = p->cnext = SB_RIB_NONE;
	}
	r = &rib->r[i];
	*r = *src;
	r->prefix = pi;
	r->next = SB_RIB_NONE;
	r->group = SB_RIB_NONE;
	r->res = SB_RIB_NONE; /* none until the next sb_rib_resolve() */
	if (rib->p[pi].last == SB_RIB_NONE)
		rib->p[pi].first = i;
	else
		rib->r[rib->p[pi].last].next = i;
	rib->p[pi].last = i;
	rib->p[pi].n_routes++;
	rib->n_routes++;
	rib->stale = true;
	return (int)i;
}

int
sb_rib_add_connected(struct sb_rib *rib, const char *name, unsigned port, uint32_t addr,
		     uint8_t len)
{
	struct sb_rib_route r;

	if (port >= SB_MAX_PORTS || len > 32)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.dst = addr & mask(len);
	r.len = len;
	r.gw_port = (int)port;
	r.scope = 10;
	r.connected = true;
	return add_route(rib, &r);
}

int
sb_rib_add(struct sb_rib *rib, const struct sb_route_conf *c)
{
	struct sb_rib_route r;

	if (c->prefix_len > 32 || c->table >= SB_MAX_TABLES ||
	    (c->gw_port >= 0 && c->gw_port >= SB_MAX_PORTS))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.dst = c->dst & mask(c->prefix_len);
	r.len = c->prefix_len;
	r.table = c->table;
	sb_rib_route_values(&r, c);
	return add_route(rib, &r);
}

void
sb_rib_route_values(struct sb_rib_route *r, const struct sb_route_conf *c)
{
	snprintf(r->name, sizeof(r->name), "%s", c->name);
	r->gw = c->gw;
	r->gw_port = c->gw_port;
	r->distance = c->distance;
	r->scope = c->scope;
	r->target_scope = c->target_scope;
	r->check = c->check;
	r->disabled = c->disabled;
}

void
sb_rib_route_changed(struct sb_rib *rib, unsigned i)
{
	(void)i;
	rib->stale = true;
}

struct sb_rib *
sb_rib_create(const struct sb_config *cfg)
{
	struct sb_rib *rib = calloc(1, sizeof(*rib));

	if (rib == NULL)
		return NULL;
	rib->pmap = map_new(64);
	rib->cmap = map_new(64);
	if (rib->pmap == NULL || rib->cmap == NULL)
		goto fail;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct sb_port_conf *p = &cfg->ports[i];
		char name[SB_NAME_LEN];

		/* A DHCP port's subnet comes with its lease (control/lease.c). */
		if (p->dhcp.enabled)
			continue;
		snprintf(name, sizeof(name), "connected-%s", p->name);
		if (sb_rib_add_connected(rib, name, i, p->addr, p->prefix_len) < 0)
			goto fail;
	}
	for (unsigned i = 0; i < cfg->n_routes; i++)
		if (sb_rib_add(rib, &cfg->routes[i]) < 0)
			goto fail;
	return rib;
fail:
	sb_rib_free(rib);
	return NULL;
}

void
sb_rib_free(struct sb_rib *rib)
{
	if (rib == NULL)
		return;
	free(rib->r);
	free(rib->g);
	free(rib->p);
	free(rib->c);
	free(rib->slot);
	free(rib->res);
	free(rib->special);
	free(rib->dirty);
	free(rib->failed_gw);
	map_free(rib->pmap);
	map_free(rib->cmap);
	map_free(rib->smap);
	free(rib);
}

int
sb_rib_find(const struct sb_rib *rib, const char *name)
{
	for (unsigned i = 0; i < rib->n_routes; i++)
		if (!rib->r[i].retired && strcmp(rib->r[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- classification ------------------------------------------------------ */

static void
queue_fib(struct sb_rib *rib, uint32_t pi)
{
	struct rib_prefix *p = &rib->p[pi];

	if (p->fib_dirty)
		return;
	/* Room was made for every prefix when the RIB was classified. */
	p->fib_dirty = true;
	rib->dirty[rib->n_dirty++] = pi;
}

static struct rib_slot
slot_of(const struct sb_rib_route *r)
{
	struct rib_slot s;

	memset(&s, 0, sizeof(s));
	s.gw = r->gw;
	s.gw_port = r->gw_port;
	s.distance = r->distance;
	s.target_scope = r->target_scope;
	s.check = (uint8_t)r->check;
	s.disabled = r->disabled;
	return s;
}

static uint64_t
prefix_sig(const struct sb_rib *rib, const struct rib_prefix *p)
{
	uint64_t h = sb_mix64((uint64_t)p->table << 8 | (p->len == 0) | (uint64_t)p->n_routes << 16);

	for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next) {
		struct rib_slot s = slot_of(&rib->r[i]);

		h = sb_mix64(h ^ ((uint64_t)s.gw << 32 | (uint32_t)s.gw_port));
		h = sb_mix64(h ^ ((uint64_t)s.distance << 24 | (uint64_t)s.target_scope << 16 |
			     (uint64_t)s.check << 8 | s.disabled));
	}
	return h;
}

static bool
class_eq(const struct sb_rib *rib, uint32_t ci, const void *arg)
{
	const struct rib_prefix *p = arg;
	const struct rib_class *c = &rib->c[ci];
	uint32_t k = 0;

	if (c->table != p->table || c->is_default != (p->len == 0) || c->n_slots != p->n_routes)
		return false;
	for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next, k++) {
		struct rib_slot s = slot_of(&rib->r[i]);

		if (memcmp(&s, &rib->slot[c->slot0 + k], sizeof(s)) != 0)
			return false;
	}
	return true;
}

static void
mark_special(struct sb_rib *rib, uint32_t gw)
{
	for (int len = 0; len <= 32; len++) {
		uint32_t pi = map_find(rib, rib->pmap, pkey(0, gw & mask((uint8_t)len), (uint8_t)len),
				       NULL, NULL);

		if (pi != SB_RIB_NONE)
			rib->p[pi].special = true;
	}
}

/* Sort every prefix into special or a class. O(routes); runs after routes
 * were added or changed, never on a failover. Group ids stay: a special
 * prefix keeps its own, a class (by its route set) keeps its own. */
static int
classify(struct sb_rib *rib)
{
	struct sb_rib_result *old = rib->res;
	struct rib_map *gws = map_new(64);
	unsigned n_res = 0;

	if (gws == NULL)
		return -ENOMEM;
	free(rib->special);
	rib->special = malloc(sizeof(*rib->special) * (rib->n_prefixes + 1));
	rib->n_special = 0;
	/* FIB work still queued stays queued; room for every prefix. */
	if (grow(&rib->dirty, &rib->cap_dirty, rib->n_prefixes + 1, sizeof(*rib->dirty)) != 0)
		goto nomem;
	rib->res = calloc(rib->n_routes + 1, sizeof(*rib->res));
	if (rib->special == NULL || rib->res == NULL)
		goto nomem;
	for (unsigned pi = 0; pi < rib->n_prefixes; pi++)
		rib->p[pi].special = false;
	/* Special: holds a connected or a checked route, or may resolve a
	 * recursive gateway (a main prefix covering one: at most 33 per
	 * distinct gateway, found by exact lookups per length). */
	for (unsigned i = 0; i < rib->n_routes; i++) {
		const struct sb_rib_route *r = &rib->r[i];

		if (r->connected || r->check != SB_CHECK_NONE)
			rib->p[r->prefix].special = true;
		if (r->gw_port < 0 && !r->connected &&
		    map_find(rib, gws, r->gw, NULL, NULL) == SB_RIB_NONE) {
			if (map_put(gws, r->gw, 1) != 0)
				goto nomem;
			mark_special(rib, r->gw);
		}
	}
	/* Gateways resolve through special prefixes of main only: a small
	 * map of those (and which lengths exist) stays in cache, where the
	 * map of every prefix would not. */
	map_free(rib->smap);
	rib->smap = map_new(64);
	rib->slens = 0;
	if (rib->smap == NULL)
		goto nomem;
	for (unsigned pi = 0; pi < rib->n_prefixes; pi++) {
		const struct rib_prefix *p = &rib->p[pi];

		if (!p->special || p->table != 0)
			continue;
		if (map_put(rib->smap, pkey(0, p->dst, p->len), pi) != 0)
			goto nomem;
		rib->slens |= 1ull << p->len;
	}
	for (unsigned ci = 0; ci < rib->n_classes; ci++) {
		rib->c[ci].first = SB_RIB_NONE;
		rib->c[ci].n_members = 0;
	}
	for (unsigned pi = 0; pi < rib->n_prefixes; pi++) {
		struct rib_prefix *p = &rib->p[pi];
		uint32_t was = p->group;

		if (p->special) {
			if (p->own_group == SB_RIB_NONE && new_group(rib, &p->own_group) != 0)
				goto nomem;
			p->group = p->own_group;
			p->cls = SB_RIB_NONE;
			rib->special[rib->n_special++] = pi;
			for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next)
				rib->r[i].res = n_res++;
		} else {
			uint64_t h = prefix_sig(rib, p);
			uint32_t ci = map_find(rib, rib->cmap, h, class_eq, p);
			struct rib_class *c;

			if (ci == SB_RIB_NONE) {
				uint32_t k = 0;

				if (grow(&rib->c, &rib->cap_classes, rib->n_classes + 1,
					 sizeof(*rib->c)) != 0 ||
				    grow(&rib->slot, &rib->cap_slots, rib->n_slots + p->n_routes,
					 sizeof(*rib->slot)) != 0 ||
				    map_put(rib->cmap, h, rib->n_classes) != 0)
					goto nomem;
				ci = rib->n_classes++;
				c = &rib->c[ci];
				memset(c, 0, sizeof(*c));
				c->hash = h;
				c->table = p->table;
				c->is_default = p->len == 0;
				c->n_slots = p->n_routes;
				c->slot0 = rib->n_slots;
				c->first = SB_RIB_NONE;
				for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next)
					rib->slot[rib->n_slots + k++] = slot_of(&rib->r[i]);
				rib->n_slots += p->n_routes;
				if (new_group(rib, &c->group) != 0)
					goto nomem;
				rib->g[c->group].shared = true;
			}
			c = &rib->c[ci];
			p->cls = ci;
			p->cnext = c->first;
			c->first = pi;
			c->n_members++;
			p->group = c->group;
		}
		if (p->group != was)
			queue_fib(rib, pi);
	}
	/* Results of special routes come first: n_res counts them now. */
	free(rib->failed_gw);
	rib->failed_gw = malloc(sizeof(*rib->failed_gw) * (n_res + 1));
	if (rib->failed_gw == NULL)
		goto nomem;
	for (unsigned ci = 0; ci < rib->n_classes; ci++) {
		rib->c[ci].res0 = n_res;
		if (rib->c[ci].n_members != 0)
			n_res += rib->c[ci].n_slots;
	}
	for (unsigned g = 0; g < rib->n_groups; g++)
		rib->g[g].n_prefixes = 0;
	for (unsigned pi = 0; pi < rib->n_prefixes; pi++) {
		struct rib_prefix *p = &rib->p[pi];
		struct sb_rib_group *g = &rib->g[p->group];
		uint32_t k = 0;

		if (g->n_prefixes++ == 0) {
			g->table = p->table;
			g->dst = p->dst;
			g->len = p->len;
		}
		for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next, k++) {
			struct sb_rib_route *r = &rib->r[i];
			uint32_t was = r->res;

			if (!p->special)
				r->res = rib->c[p->cls].res0 + k;
			r->group = p->group;
			/* Keep what was last reported, so a new route is
			 * told once and an old one not again. */
			rib->res[r->res].logged = old != NULL && was < rib->n_res ? old[was].logged :
						  LOGGED_NEVER;
		}
	}
	free(old);
	rib->n_res = n_res;
	rib->stale = false;
	map_free(gws);
	return 0;
nomem:
	if (rib->res != old) {
		free(rib->res);
		rib->res = old;
	}
	map_free(gws);
	return -ENOMEM;
}

/* --- resolution ---------------------------------------------------------- */

static bool is_active(struct sb_rib *rib, unsigned i, unsigned depth);

static void
add_nh(struct sb_rib_result *a, uint16_t port, uint32_t gw)
{
	for (unsigned k = 0; k < a->n_nh; k++)
		if (a->nh[k].port == port && a->nh[k].gw == gw)
			return;
	if (a->n_nh < SB_MAX_ECMP) {
		a->nh[a->n_nh].port = port;
		a->nh[a->n_nh].gw = gw;
		a->n_nh++;
	}
}

/* Gateway @gw of a route of target-scope @ts: the next hops of the most
 * specific active routes in main covering it that may resolve it (not
 * route @self). Longest match by exact lookups per length present, in the
 * map of special prefixes: only those can cover a recursive gateway. */
static bool
resolve_gw(struct sb_rib *rib, struct sb_rib_result *a, uint32_t gw, uint8_t ts,
	   unsigned self, unsigned depth)
{
	for (int len = 32; len >= 0; len--) {
		uint32_t pi;
		bool found = false;

		if (!(rib->slens & (1ull << len)))
			continue;
		pi = map_find(rib, rib->smap, pkey(0, gw & mask((uint8_t)len), (uint8_t)len), NULL, NULL);
		if (pi == SB_RIB_NONE)
			continue;
		for (uint32_t j = rib->p[pi].first; j != SB_RIB_NONE; j = rib->r[j].next) {
			const struct sb_rib_route *b = &rib->r[j];
			const struct sb_rib_result *br;

			if (j == self || b->scope > ts || !is_active(rib, j, depth + 1))
				continue;
			found = true;
			br = &rib->res[b->res];
			for (unsigned k = 0; k < br->n_nh; k++)
				add_nh(a, br->nh[k].port, br->nh[k].gw != 0 ? br->nh[k].gw : gw);
		}
		if (found)
			return true;
	}
	return false;
}

/* Does special route @i's gateway resolve? Fills its next hops. Its own
 * disabled and check-gateway state do not matter here: probes need the
 * path of a route whose check failed. */
static bool
resolve(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *r = &rib->r[i];
	struct sb_rib_result *a = &rib->res[r->res];

	if (a->memo == M_YES || a->memo == M_NO)
		return a->memo == M_YES;
	if (a->memo == M_BUSY) {
		a->reason = "resolution loop";
		return false;
	}
	if (depth > SB_RIB_MAX_DEPTH) {
		a->reason = "resolution too deep";
		return false;
	}
	a->memo = M_BUSY;
	a->n_nh = 0;
	if (r->gw_port >= 0 && rib->port_down[r->gw_port]) {
		a->reason = "port down";
		a->memo = M_NO;
		return false;
	}
	if (r->gw_port >= 0) {
		/* Connected, interface or ADDRESS%PORT gateway. */
		add_nh(a, (uint16_t)r->gw_port, r->connected ? 0 : r->gw);
		a->memo = M_YES;
		return true;
	}
	if (!resolve_gw(rib, a, r->gw, r->target_scope, i, depth)) {
		a->n_nh = 0;
		if (a->reason == NULL)
			a->reason = "gateway unreachable";
		a->memo = M_NO;
		return false;
	}
	a->memo = M_YES;
	return true;
}

/* A gateway that failed its check is dead for every route that uses it
 * (seed 001: routes via the anchor's gateway fail over with the anchor),
 * not only for the route that probed it. */
static bool
gateway_failed(const struct sb_rib *rib, uint32_t gw)
{
	if (gw == 0)
		return false;
	for (unsigned k = 0; k < rib->n_failed_gw; k++)
		if (rib->failed_gw[k] == gw)
			return true;
	return false;
}

static bool
usable(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *r = &rib->r[i];

	if (r->disabled || r->check_failed || gateway_failed(rib, r->gw))
		return false;
	return resolve(rib, i, depth);
}

/* Do all of @a's next hops leave through WANs their monitors took out? */
static bool
nh_out(const struct sb_rib *rib, const struct sb_rib_result *a)
{
	if (a->n_nh == 0)
		return false;
	for (unsigned k = 0; k < a->n_nh; k++)
		if (!rib->port_out[a->nh[k].port])
			return false;
	return true;
}

/* Out of service for its own prefix: resolved, but every path leaves
 * through a WAN that is out. Only when the route is selected for its own
 * prefix (depth 0): it still resolves others' gateways. */
static bool
route_out(struct sb_rib *rib, unsigned i)
{
	const struct sb_rib_route *r = &rib->r[i];

	return !r->connected && nh_out(rib, &rib->res[r->res]);
}

static bool
selectable(struct sb_rib *rib, unsigned i, unsigned depth)
{
	if (!usable(rib, i, depth))
		return false;
	return depth > 0 || !route_out(rib, i);
}

/* Active: usable, and no usable route for the same (table, prefix) has a
 * lower distance. */
static bool
is_active(struct sb_rib *rib, unsigned i, unsigned depth)
{
	struct sb_rib_route *r = &rib->r[i];

	if (!selectable(rib, i, depth))
		return false;
	for (uint32_t j = rib->p[r->prefix].first; j != SB_RIB_NONE; j = rib->r[j].next)
		if (j != i && rib->r[j].distance < r->distance && selectable(rib, j, depth))
			return false;
	return true;
}

/* The group's next hops from its active results, in route order. Returns
 * whether they changed; queues FIB work when it gained or lost them all. */
static bool
set_group(struct sb_rib *rib, uint32_t gi, struct sb_rib_result *const *act, unsigned n_act)
{
	struct sb_rib_group *g = &rib->g[gi];
	struct sb_rib_nh nh[SB_MAX_ECMP];
	unsigned n = 0;

	for (unsigned a = 0; a < n_act; a++)
		for (unsigned k = 0; k < act[a]->n_nh && n < SB_MAX_ECMP; k++) {
			bool dup = false;

			for (unsigned q = 0; q < n; q++)
				dup |= nh[q].port == act[a]->nh[k].port && nh[q].gw == act[a]->nh[k].gw;
			if (!dup)
				nh[n++] = act[a]->nh[k];
		}
	if (n_act > 1)
		for (unsigned a = 0; a < n_act; a++)
			act[a]->ecmp = true;
	if (n == g->n_nh && memcmp(nh, g->nh, sizeof(nh[0]) * n) == 0)
		return false;
	memcpy(g->nh, nh, sizeof(nh[0]) * n);
	g->n_nh = (uint8_t)n;
	return true;
}

static void
queue_group(struct sb_rib *rib, uint32_t pi_special, uint32_t ci)
{
	if (ci == SB_RIB_NONE) {
		queue_fib(rib, pi_special);
		return;
	}
	/* A class lost or regained every path: its prefixes leave or
	 * re-enter the FIB, one write each (rare: all its gateways died). */
	for (uint32_t pi = rib->c[ci].first; pi != SB_RIB_NONE; pi = rib->p[pi].cnext)
		queue_fib(rib, pi);
}

static void
special_reason(struct sb_rib *rib, unsigned i)
{
	struct sb_rib_route *r = &rib->r[i];
	struct sb_rib_result *a = &rib->res[r->res];

	if (a->active)
		a->reason = NULL;
	else if (r->disabled)
		a->reason = "disabled";
	else if (r->check_failed)
		a->reason = "check-gateway failed";
	else if (gateway_failed(rib, r->gw))
		a->reason = "gateway failed check-gateway";
	else if (a->resolved && route_out(rib, i))
		a->reason = "WAN out of service (its monitors)";
	else if (a->resolved)
		a->reason = "higher distance";
	else if (r->gw_port >= 0 && rib->port_down[r->gw_port])
		a->reason = "port down";
	else if (a->reason == NULL)
		a->reason = "gateway unreachable";
}

/* One class: its slots stand for the routes of every member prefix. */
static bool
resolve_class(struct sb_rib *rib, uint32_t ci)
{
	struct rib_class *c = &rib->c[ci];
	struct sb_rib_result *act[SB_MAX_ECMP * 4];
	unsigned n_act = 0, best = 256;
	struct sb_rib_result *lr = NULL;
	unsigned lr_dist = 256;
	bool had;

	for (uint32_t s = 0; s < c->n_slots; s++) {
		const struct rib_slot *sl = &rib->slot[c->slot0 + s];
		struct sb_rib_result *a = &rib->res[c->res0 + s];
		bool failed = gateway_failed(rib, sl->gw);

		a->reason = NULL;
		a->ecmp = a->last_resort = a->active = false;
		a->n_nh = 0;
		if (sl->gw_port >= 0 && rib->port_down[sl->gw_port]) {
			a->resolved = false;
			a->reason = "port down";
		} else if (sl->gw_port >= 0) {
			add_nh(a, (uint16_t)sl->gw_port, sl->gw);
			a->resolved = true;
		} else {
			a->resolved = resolve_gw(rib, a, sl->gw, sl->target_scope, SB_RIB_NONE, 0);
			if (!a->resolved)
				a->n_nh = 0;
		}
		failed |= a->resolved && nh_out(rib, a);
		if (!sl->disabled && !failed && a->resolved && sl->distance < best)
			best = sl->distance;
		if (!sl->disabled && failed && a->resolved && sl->distance < lr_dist) {
			lr_dist = sl->distance;
			lr = a;
		}
	}
	for (uint32_t s = 0; s < c->n_slots; s++) {
		const struct rib_slot *sl = &rib->slot[c->slot0 + s];
		struct sb_rib_result *a = &rib->res[c->res0 + s];
		bool gw_failed = gateway_failed(rib, sl->gw);
		bool out = a->resolved && nh_out(rib, a);

		a->active = !sl->disabled && !gw_failed && !out && a->resolved &&
			    sl->distance == best;
		if (a->active) {
			if (n_act < sizeof(act) / sizeof(act[0]))
				act[n_act++] = a;
		} else if (sl->disabled) {
			a->reason = "disabled";
		} else if (gw_failed) {
			a->reason = "gateway failed check-gateway";
		} else if (out) {
			a->reason = "WAN out of service (its monitors)";
		} else if (a->resolved) {
			a->reason = "higher distance";
		} else if (a->reason == NULL) {
			a->reason = "gateway unreachable";
		}
	}
	if (n_act == 0 && c->is_default && lr != NULL) {
		lr->active = lr->last_resort = true;
		lr->reason = "last resort: every route failed its check";
		act[n_act++] = lr;
	}
	had = rib->g[c->group].n_nh != 0;
	if (!set_group(rib, c->group, act, n_act))
		return false;
	if (had != (rib->g[c->group].n_nh != 0))
		queue_group(rib, SB_RIB_NONE, ci);
	return true;
}

unsigned
sb_rib_resolve(struct sb_rib *rib)
{
	unsigned changed = 0;

	if (rib->stale && classify(rib) != 0)
		return 0; /* out of memory: the previous resolution stands */
	/* Failed gateways: checked routes are special, so this is short. */
	rib->n_failed_gw = 0;
	for (unsigned s = 0; s < rib->n_special; s++) {
		const struct rib_prefix *p = &rib->p[rib->special[s]];

		for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next) {
			struct sb_rib_result *a = &rib->res[rib->r[i].res];

			a->memo = M_UNKNOWN;
			a->reason = NULL;
			a->ecmp = a->last_resort = false;
			/* failed_gw has room for every special route. */
			if (rib->r[i].check_failed && rib->r[i].gw != 0)
				rib->failed_gw[rib->n_failed_gw++] = rib->r[i].gw;
		}
	}
	for (unsigned s = 0; s < rib->n_special; s++) {
		const struct rib_prefix *p = &rib->p[rib->special[s]];

		for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next) {
			struct sb_rib_result *a = &rib->res[rib->r[i].res];

			a->resolved = resolve(rib, i, 0);
			a->active = is_active(rib, i, 0);
			special_reason(rib, i);
		}
	}
	for (unsigned s = 0; s < rib->n_special; s++) {
		uint32_t pi = rib->special[s];
		const struct rib_prefix *p = &rib->p[pi];
		struct sb_rib_result *act[SB_MAX_ECMP * 4];
		unsigned n_act = 0;
		struct sb_rib_route *best = NULL;
		bool had;

		for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next)
			if (rib->res[rib->r[i].res].active && n_act < sizeof(act) / sizeof(act[0]))
				act[n_act++] = &rib->res[rib->r[i].res];
		/* When every default route failed its check, dropping all
		 * traffic helps nobody: the preferred one (lowest distance,
		 * path resolved) stays in use as a last resort until a probe
		 * answers. Only for /0: a more specific prefix whose routes all
		 * failed leaves the FIB, so a less specific route carries it. */
		if (n_act == 0 && p->len == 0) {
			for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next) {
				struct sb_rib_route *r = &rib->r[i];

				if (!r->disabled && rib->res[r->res].resolved &&
				    (r->check_failed || gateway_failed(rib, r->gw) || route_out(rib, i)) &&
				    (best == NULL || r->distance < best->distance))
					best = r;
			}
			if (best != NULL) {
				struct sb_rib_result *a = &rib->res[best->res];

				a->active = a->last_resort = true;
				a->reason = "last resort: every route failed its check";
				act[n_act++] = a;
			}
		}
		had = rib->g[p->group].n_nh != 0;
		if (set_group(rib, p->group, act, n_act)) {
			changed++;
			if (had != (rib->g[p->group].n_nh != 0))
				queue_group(rib, pi, SB_RIB_NONE);
		}
	}
	for (unsigned ci = 0; ci < rib->n_classes; ci++)
		if (rib->c[ci].n_members != 0 && resolve_class(rib, ci))
			changed++;
	return changed;
}

int
sb_rib_fib_sync(struct sb_rib *rib,
		int (*set)(void *ctx, uint8_t table, uint32_t dst, uint8_t len, uint32_t group),
		int (*del)(void *ctx, uint8_t table, uint32_t dst, uint8_t len), void *ctx)
{
	int writes = 0, err = 0;
	unsigned keep = 0;

	for (unsigned d = 0; d < rib->n_dirty; d++) {
		struct rib_prefix *p = &rib->p[rib->dirty[d]];
		uint32_t want = rib->g[p->group].n_nh != 0 ? p->group : SB_RIB_NONE;

		if (want == p->fib_group) {
			p->fib_dirty = false;
			continue;
		}
		if (want != SB_RIB_NONE) {
			int rc = set(ctx, p->table, p->dst, p->len, want);

			if (rc != 0) {
				/* Stays queued: tried again next time. */
				if (err == 0)
					err = rc;
				rib->dirty[keep++] = rib->dirty[d];
				continue;
			}
		} else {
			del(ctx, p->table, p->dst, p->len);
		}
		p->fib_group = want;
		p->fib_dirty = false;
		writes++;
	}
	rib->n_dirty = keep;
	return err != 0 ? err : writes;
}

unsigned
sb_rib_changes(struct sb_rib *rib, void (*cb)(void *ctx, const struct sb_rib_route *r,
					      const struct sb_rib_result *res),
	       void *ctx, unsigned max)
{
	unsigned total = 0, told = 0;

	for (unsigned s = 0; s < rib->n_special; s++) {
		const struct rib_prefix *p = &rib->p[rib->special[s]];

		for (uint32_t i = p->first; i != SB_RIB_NONE; i = rib->r[i].next) {
			struct sb_rib_result *a = &rib->res[rib->r[i].res];

			if (a->logged == a->active)
				continue;
			a->logged = a->active;
			total++;
			if (told < max) {
				cb(ctx, &rib->r[i], a);
				told++;
			}
		}
	}
	for (unsigned ci = 0; ci < rib->n_classes; ci++) {
		struct rib_class *c = &rib->c[ci];

		if (c->n_members == 0)
			continue;
		for (uint32_t s = 0; s < c->n_slots; s++) {
			struct sb_rib_result *a = &rib->res[c->res0 + s];

			if (a->logged == a->active)
				continue;
			a->logged = a->active;
			total += c->n_members;
			for (uint32_t pi = c->first; pi != SB_RIB_NONE && told < max;
			     pi = rib->p[pi].cnext) {
				uint32_t i = rib->p[pi].first;

				for (uint32_t k = 0; k < s; k++)
					i = rib->r[i].next;
				cb(ctx, &rib->r[i], a);
				told++;
			}
		}
	}
	return total;
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
	/* Stop once full: a million routes do not fit a reply anyway. */
	for (unsigned i = 0; i < rib->n_routes && off < len; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		const struct sb_rib_result *s = sb_rib_result(rib, i);
		char flags[8], dst[24], gw[64], a[20];
		int f = 0;

		if (r->retired)
			continue;
		if (r->disabled)
			flags[f++] = 'X';
		if (s->active)
			flags[f++] = 'A';
		flags[f++] = r->connected ? 'C' : 'S';
		if (s->ecmp)
			flags[f++] = 'E';
		flags[f] = '\0';
		sb_addr_str(r->dst, a, sizeof(a));
		snprintf(dst, sizeof(dst), "%s/%u", a, r->len);
		if (r->gw_port >= 0 && (r->gw == 0 || r->connected)) {
			snprintf(gw, sizeof(gw), "%s", cfg->ports[r->gw_port].name);
		} else {
			sb_addr_str(r->gw, a, sizeof(a));
			if (r->gw_port >= 0)
				snprintf(gw, sizeof(gw), "%s%%%s", a, cfg->ports[r->gw_port].name);
			else
				snprintf(gw, sizeof(gw), "%s", a);
		}
		OUT("%-5s %-20s %-18s %-22s %4u %5u %6u %-8s %s\n", flags, r->name, dst, gw,
		    r->distance, r->scope, r->target_scope, cfg->tables[r->table],
		    s->last_resort ? s->reason : s->active ? "active" : s->reason);
	}
#undef OUT
	return (int)off;
}
