/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP leases of WAN ports, applied (see lease.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lease.h"
#include "rib.h"

static void
ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* --- routes -------------------------------------------------------------- */

/* One route a lease wants. The key is (connected, dst, len, table); the
 * gateway, distance and check of an owned route are changed in place, so
 * a probe made for it at start-up (check_gateway) stays its probe. */
struct want {
	bool connected;
	uint32_t dst, gw;
	uint8_t len, table, distance;
	enum sb_check check;
	char name[SB_NAME_LEN];
};

static struct sb_lease_route *
owned(struct sb_lease_port *lp, const struct want *w)
{
	for (unsigned i = 0; i < lp->n_routes; i++) {
		struct sb_lease_route *o = &lp->routes[i];

		if (o->connected == w->connected && o->dst == w->dst && o->len == w->len &&
		    o->table == w->table)
			return o;
	}
	return NULL;
}

static int
add_owned(struct sb_leases *ls, unsigned port, const struct want *w, bool disabled)
{
	struct sb_lease_port *lp = &ls->port[port];
	struct sb_lease_route *o;
	int idx;

	if (lp->n_routes == SB_LEASE_MAX_ROUTES)
		return -ENOSPC;
	if (w->connected) {
		idx = sb_rib_add_connected(ls->rib, w->name, port, w->dst, w->len);
	} else {
		struct sb_route_conf rc;

		memset(&rc, 0, sizeof(rc));
		snprintf(rc.name, sizeof(rc.name), "%s", w->name);
		rc.dst = w->dst;
		rc.prefix_len = w->len;
		rc.gw = w->gw;
		rc.gw_port = (int)port;    /* the lease's gateways are on this port */
		rc.distance = w->distance;
		rc.scope = 30;
		rc.target_scope = 10;
		rc.check = w->check;
		rc.table = w->table;
		rc.disabled = disabled;
		idx = sb_rib_add(ls->rib, &rc);
	}
	if (idx < 0)
		return idx;
	if (w->connected && disabled) {
		ls->rib->r[idx].disabled = true;
		sb_rib_route_changed(ls->rib, (unsigned)idx);
	}
	o = &lp->routes[lp->n_routes++];
	o->idx = idx;
	o->connected = w->connected;
	o->dst = w->dst;
	o->gw = w->gw;
	o->len = w->len;
	o->table = w->table;
	return 0;
}

/* The routes lease @l asks for on @port (none for NULL). */
static unsigned
wanted_routes(const struct sb_leases *ls, unsigned port, const struct sb_dhcp_lease *l,
	      struct want *w, unsigned max)
{
	const struct sb_port_conf *pc = &ls->cfg->ports[port];
	const struct sb_port_dhcp *dc = &pc->dhcp;
	unsigned n = 0;

	if (l == NULL)
		return 0;
	memset(w, 0, sizeof(*w) * max);
	w[n].connected = true;
	w[n].len = l->prefix_len;
	w[n].dst = l->prefix_len == 0 ? 0 : l->addr & (~0u << (32 - l->prefix_len));
	snprintf(w[n].name, sizeof(w[n].name), "connected-%s", pc->name);
	n++;
	if (dc->default_route && l->router != 0) {
		/* main, and the port's PCC table so its share of flows leaves. */
		for (int t = 0; t < 2; t++) {
			uint8_t table = t == 0 ? 0 : pc->pcc_table;

			if (t == 1 && (pc->pcc_weight == 0 || table == 0))
				break;
			w[n].gw = l->router;
			w[n].table = table;
			w[n].distance = dc->distance;
			w[n].check = dc->check;
			if (t == 0)
				snprintf(w[n].name, sizeof(w[n].name), "dhcp-default-%s", pc->name);
			else
				snprintf(w[n].name, sizeof(w[n].name), "dhcp-default-%s-%s", pc->name,
					 ls->cfg->tables[table]);
			n++;
		}
	}
	if (dc->classless_routes) {
		for (unsigned i = 0; i < l->n_routes && n < max; i++) {
			w[n].dst = l->routes[i].dst;
			w[n].len = l->routes[i].len;
			w[n].gw = l->routes[i].gw;   /* 0: on-link on the port */
			w[n].distance = dc->distance;
			snprintf(w[n].name, sizeof(w[n].name), "dhcp-route-%s-%u", pc->name, i);
			n++;
		}
	}
	return n;
}

/* Make the port's owned routes what @l asks for: the wanted ones enabled
 * (added when new), the others disabled. Returns true when any changed. */
static bool
set_routes(struct sb_leases *ls, unsigned port, const struct sb_dhcp_lease *l)
{
	struct sb_lease_port *lp = &ls->port[port];
	struct want w[3 + SB_DHCP_MAX_ROUTES];
	bool keep[SB_LEASE_MAX_ROUTES] = { false };
	unsigned n = wanted_routes(ls, port, l, w, 3 + SB_DHCP_MAX_ROUTES);
	bool changed = false;

	for (unsigned i = 0; i < n; i++) {
		struct sb_lease_route *o = owned(lp, &w[i]);

		if (o == NULL) {
			if (add_owned(ls, port, &w[i], false) != 0) {
				lp->routes_dropped++;
				continue;
			}
			keep[lp->n_routes - 1] = true;
			changed = true;
			continue;
		}
		struct sb_rib_route *r = &ls->rib->r[o->idx];

		keep[o - lp->routes] = true;
		if (r->disabled || (!r->connected && (r->gw != w[i].gw ||
		    r->distance != w[i].distance || r->check != w[i].check))) {
			r->disabled = false;
			if (!r->connected) {
				r->gw = w[i].gw;
				r->distance = w[i].distance;
				r->check = w[i].check;
			}
			o->gw = w[i].gw;
			sb_rib_route_changed(ls->rib, (unsigned)o->idx);
			changed = true;
		}
	}
	for (unsigned i = 0; i < lp->n_routes; i++) {
		struct sb_rib_route *r = &ls->rib->r[lp->routes[i].idx];

		if (!keep[i] && !r->disabled) {
			r->disabled = true;
			sb_rib_route_changed(ls->rib, (unsigned)lp->routes[i].idx);
			changed = true;
		}
	}
	return changed;
}

/* --- events -------------------------------------------------------------- */

static bool
same_params(const struct sb_dhcp_lease *a, const struct sb_dhcp_lease *b)
{
	return a->addr == b->addr && a->prefix_len == b->prefix_len && a->router == b->router &&
	       a->n_dns == b->n_dns && memcmp(a->dns, b->dns, sizeof(a->dns)) == 0 &&
	       a->n_routes == b->n_routes &&
	       memcmp(a->routes, b->routes, sizeof(a->routes[0]) * a->n_routes) == 0;
}

static void
save(struct sb_leases *ls, unsigned port, uint64_t now_ms, int64_t wall_s)
{
	struct sb_lease_port *lp = &ls->port[port];
	const char *path = ls->cfg->ports[port].dhcp.lease_file;

	if (path[0] != '\0')
		lp->save_err = sb_dhcp_lease_save(path, &lp->lease, now_ms, wall_s);
}

static void
use_lease(struct sb_leases *ls, unsigned port, const struct sb_dhcp_event *e, uint64_t now_ms,
	  int64_t wall_s)
{
	struct sb_lease_port *lp = &ls->port[port];
	struct sb_port_conf *pc = &ls->cfg->ports[port];
	bool was = lp->bound, same = was && same_params(&lp->lease, &e->lease);

	lp->lease = e->lease;
	lp->bound = true;
	lp->reason[0] = '\0';
	save(ls, port, now_ms, wall_s);
	if (e->renewal && same) {
		lp->n_renewed++;  /* times only: nothing to apply */
		return;
	}
	pc->addr = e->lease.addr;
	pc->prefix_len = e->lease.prefix_len;
	if (ls->cfg->wan[port].enabled)
		ls->cfg->wan[port].gateway = e->lease.router;
	set_routes(ls, port, &e->lease);
	if (e->kind == SB_DHCP_EV_CHANGED) {
		lp->old_addr = e->old_addr;
		lp->pending |= SB_LEASE_CHANGED | SB_LEASE_BOUND;
		lp->n_changed++;
	} else if (!was) {
		lp->pending |= SB_LEASE_BOUND;
		lp->n_bound++;
	} else {
		lp->pending |= SB_LEASE_UPDATED;
		lp->n_renewed++;
	}
	ls->dirty = true;
}

static void
lose_lease(struct sb_leases *ls, unsigned port, const struct sb_dhcp_event *e)
{
	struct sb_lease_port *lp = &ls->port[port];
	struct sb_port_conf *pc = &ls->cfg->ports[port];

	lp->bound = false;
	snprintf(lp->reason, sizeof(lp->reason), "lease lost (%s)", e->reason);
	lp->old_addr = e->old_addr;
	/* No address while unbound: nothing is answered or sourced from the
	 * one the ISP took back. The WAN is down with the reason. */
	pc->addr = 0;
	pc->prefix_len = 0;
	if (ls->cfg->wan[port].enabled)
		ls->cfg->wan[port].gateway = 0;
	set_routes(ls, port, NULL);
	/* A refused address is not worth an INIT-REBOOT at the next start. */
	if ((strcmp(e->reason, "nak") == 0 || strcmp(e->reason, "declined") == 0) &&
	    pc->dhcp.lease_file[0] != '\0')
		unlink(pc->dhcp.lease_file);
	lp->pending |= SB_LEASE_LOST;
	lp->n_lost++;
	ls->dirty = true;
}

static void
handle(struct sb_leases *ls, unsigned port, const struct sb_dhcp_out *out, uint64_t now_ms,
       int64_t wall_s)
{
	if (out->frame_len > 0 && ls->io.send != NULL)
		ls->io.send(ls->io.ctx, port, out->frame, out->frame_len);
	for (unsigned i = 0; i < out->n_ev; i++) {
		const struct sb_dhcp_event *e = &out->ev[i];

		if (e->kind == SB_DHCP_EV_LOST)
			lose_lease(ls, port, e);
		else
			use_lease(ls, port, e, now_ms, wall_s);
	}
}

/* --- life cycle ---------------------------------------------------------- */

int
sb_lease_init(struct sb_leases *ls, struct sb_config *cfg, struct sb_rib *rib,
	      const uint8_t (*mac)[6], const struct sb_lease_io *io, uint64_t now_ms,
	      int64_t wall_s, uint64_t seed)
{
	memset(ls, 0, sizeof(*ls));
	ls->cfg = cfg;
	ls->rib = rib;
	if (io != NULL)
		ls->io = *io;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct sb_port_dhcp *dc = &cfg->ports[p].dhcp;
		struct sb_lease_port *lp = &ls->port[p];
		struct sb_dhcp_conf conf;

		if (!dc->enabled)
			continue;
		memset(&conf, 0, sizeof(conf));
		memcpy(conf.mac, mac[p], 6);
		memcpy(conf.client_id, dc->client_id, dc->client_id_len);
		conf.client_id_len = dc->client_id_len;
		snprintf(conf.hostname, sizeof(conf.hostname), "%s", dc->hostname);
		conf.seed = seed ^ ((uint64_t)p << 56);
		lp->client = sb_dhcp_create(&conf);
		if (lp->client == NULL) {
			int e = errno;

			sb_lease_fini(ls);
			return -(e != 0 ? e : ENOMEM);
		}
		snprintf(lp->reason, sizeof(lp->reason), "no lease");
		ls->n++;
		cfg->ports[p].addr = 0;
		cfg->ports[p].prefix_len = 0;
		/* The default routes exist from the start, disabled, so that
		 * check_gateway has its probe for them; a lease fills in the
		 * gateway (set_routes). */
		if (dc->default_route) {
			struct sb_dhcp_lease fake = { .router = 1, .prefix_len = 32 };
			struct want w[3];
			unsigned n = wanted_routes(ls, p, &fake, w, 3);

			for (unsigned i = 1; i < n; i++) {
				w[i].gw = 0;
				if (add_owned(ls, p, &w[i], true) != 0) {
					sb_lease_fini(ls);
					return -ENOMEM;
				}
			}
		}
	}
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		struct sb_lease_port *lp = &ls->port[p];
		struct sb_dhcp_lease kept;
		struct sb_dhcp_out out;
		const char *path = cfg->ports[p].dhcp.lease_file;
		bool have = false;

		if (lp->client == NULL)
			continue;
		if (path[0] != '\0')
			have = sb_dhcp_lease_load(path, &kept, now_ms, wall_s) == 0;
		sb_dhcp_start(lp->client, now_ms, have ? &kept : NULL, &out);
		handle(ls, p, &out, now_ms, wall_s);
	}
	return 0;
}

void
sb_lease_stop(struct sb_leases *ls, uint64_t now_ms)
{
	for (unsigned p = 0; p < ls->cfg->n_ports; p++) {
		struct sb_lease_port *lp = &ls->port[p];
		const struct sb_port_dhcp *dc = &ls->cfg->ports[p].dhcp;
		struct sb_dhcp_out out;
		bool had;

		if (lp->client == NULL)
			continue;
		had = lp->bound;
		sb_dhcp_stop(lp->client, now_ms, dc->release, &out);
		/* A released lease is given back: nothing to INIT-REBOOT with. */
		if (had && dc->release && dc->lease_file[0] != '\0')
			unlink(dc->lease_file);
		handle(ls, p, &out, now_ms, 0);
	}
}

void
sb_lease_fini(struct sb_leases *ls)
{
	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		sb_dhcp_free(ls->port[p].client);
		ls->port[p].client = NULL;
	}
}

enum sb_dhcp_refuse
sb_lease_rx(struct sb_leases *ls, unsigned port, const uint8_t *frame, size_t len,
	    uint64_t now_ms, int64_t wall_s)
{
	struct sb_dhcp_out out;
	enum sb_dhcp_refuse r;

	if (port >= SB_MAX_PORTS || ls->port[port].client == NULL)
		return SB_DHCP_R_UNEXPECTED;
	r = sb_dhcp_receive(ls->port[port].client, now_ms, frame, len, &out);
	handle(ls, port, &out, now_ms, wall_s);
	return r;
}

void
sb_lease_tick(struct sb_leases *ls, uint64_t now_ms, int64_t wall_s)
{
	if (ls->n == 0)
		return;
	for (unsigned p = 0; p < ls->cfg->n_ports; p++) {
		struct sb_lease_port *lp = &ls->port[p];
		struct sb_dhcp_out out;

		if (lp->client == NULL || sb_dhcp_next_ms(lp->client) > now_ms)
			continue;
		sb_dhcp_tick(lp->client, now_ms, &out);
		handle(ls, p, &out, now_ms, wall_s);
	}
}

bool
sb_lease_owns(const struct sb_leases *ls, unsigned idx)
{
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		for (unsigned i = 0; ls->port[p].client != NULL && i < ls->port[p].n_routes; i++)
			if (ls->port[p].routes[i].idx == (int)idx)
				return true;
	return false;
}

bool
sb_lease_usable(const struct sb_leases *ls, unsigned port)
{
	return port >= SB_MAX_PORTS || ls->port[port].client == NULL || ls->port[port].bound;
}

/* --- showing it ---------------------------------------------------------- */

static uint64_t
remaining_s(const struct sb_lease_port *lp, uint64_t now_ms)
{
	uint64_t r = sb_dhcp_remaining_ms(lp->client, now_ms);

	return r == UINT64_MAX ? UINT64_MAX : r / 1000;
}

int
sb_lease_describe(const struct sb_leases *ls, unsigned port, uint64_t now_ms, char *buf,
		  size_t len)
{
	const struct sb_lease_port *lp;
	const struct sb_dhcp_lease *l;
	char a[16], g[16], s[16], dns[80] = "";
	size_t o = 0;

	if (len > 0)
		buf[0] = '\0';
	if (port >= SB_MAX_PORTS || ls->port[port].client == NULL)
		return 0;
	lp = &ls->port[port];
	l = &lp->lease;
	if (!lp->bound)
		return snprintf(buf, len, "dhcp %s, %s", sb_dhcp_state_name(sb_dhcp_state(lp->client)),
				lp->reason);
	for (unsigned i = 0; i < l->n_dns; i++) {
		char d[16];

		ip_str(l->dns[i], d, sizeof(d));
		o += (size_t)snprintf(dns + o, sizeof(dns) - o, "%s%s", i ? "," : "", d);
		if (o >= sizeof(dns))
			break;
	}
	ip_str(l->addr, a, sizeof(a));
	ip_str(l->router, g, sizeof(g));
	ip_str(l->server, s, sizeof(s));
	uint64_t rem = remaining_s(lp, now_ms);

	if (rem == UINT64_MAX)
		return snprintf(buf, len, "dhcp %s %s/%u gateway %s dns %s server %s lease infinite",
				sb_dhcp_state_name(sb_dhcp_state(lp->client)), a, l->prefix_len,
				l->router ? g : "none", l->n_dns ? dns : "none", s);
	return snprintf(buf, len, "dhcp %s %s/%u gateway %s dns %s server %s lease %us remaining %lus",
			sb_dhcp_state_name(sb_dhcp_state(lp->client)), a, l->prefix_len,
			l->router ? g : "none", l->n_dns ? dns : "none", s, l->lease_s,
			(unsigned long)rem);
}

int
sb_lease_json(const struct sb_leases *ls, unsigned port, uint64_t now_ms, char *buf, size_t len)
{
	const struct sb_lease_port *lp;
	const struct sb_dhcp_lease *l;
	const struct sb_dhcp_stats *st;
	char a[16], g[16], s[16];
	size_t o;

	if (port >= SB_MAX_PORTS || ls->port[port].client == NULL)
		return snprintf(buf, len, "null");
	lp = &ls->port[port];
	l = &lp->lease;
	st = sb_dhcp_stats(lp->client);
	o = (size_t)snprintf(buf, len, "{\"state\":\"%s\",\"bound\":%s",
			     sb_dhcp_state_name(sb_dhcp_state(lp->client)),
			     lp->bound ? "true" : "false");
	if (lp->bound && o < len) {
		uint64_t rem = remaining_s(lp, now_ms);

		ip_str(l->addr, a, sizeof(a));
		ip_str(l->router, g, sizeof(g));
		ip_str(l->server, s, sizeof(s));
		o += (size_t)snprintf(buf + o, len - o,
				      ",\"address\":\"%s\",\"prefix_len\":%u,\"gateway\":\"%s\","
				      "\"server\":\"%s\",\"lease_s\":%u,\"remaining_s\":%lld,\"dns\":[",
				      a, l->prefix_len, l->router ? g : "", s, l->lease_s,
				      rem == UINT64_MAX ? -1LL : (long long)rem);
		for (unsigned i = 0; i < l->n_dns && o < len; i++) {
			ip_str(l->dns[i], a, sizeof(a));
			o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", i ? "," : "", a);
		}
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "]");
	} else if (o < len) {
		o += (size_t)snprintf(buf + o, len - o, ",\"reason\":\"%s\"", lp->reason);
	}
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o,
				      ",\"bound_events\":%lu,\"renewed\":%lu,\"changed\":%lu,"
				      "\"lost\":%lu,\"sent\":%lu,\"received\":%lu,\"refused\":{",
				      (unsigned long)lp->n_bound, (unsigned long)lp->n_renewed,
				      (unsigned long)lp->n_changed, (unsigned long)lp->n_lost,
				      (unsigned long)(st->sent[SB_DHCP_DISCOVER] + st->sent[SB_DHCP_REQUEST] +
						      st->sent[SB_DHCP_DECLINE] + st->sent[SB_DHCP_RELEASE]),
				      (unsigned long)(st->received[SB_DHCP_OFFER] + st->received[SB_DHCP_ACK] +
						      st->received[SB_DHCP_NAK]));
	for (unsigned r = 1, first = 1; r < SB_DHCP_R_MAX && o < len; r++) {
		if (st->refused[r] == 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":%lu", first ? "" : ",",
				      sb_dhcp_refuse_name((enum sb_dhcp_refuse)r),
				      (unsigned long)st->refused[r]);
		first = 0;
	}
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "}}");
	return (int)o;
}
