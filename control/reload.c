/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration reload, the pure part (reload.h).
 *
 * Start-up only are the keys whose values live in what the workers own or
 * what the EAL sized: devices and their rings, addresses and masquerade
 * (the port's NAT pool, the connected route the FIB was built with), the
 * table sizes, the routing tables and each port's PCC table, the control
 * socket, the DHCP client, and the XDP program with its maps (management
 * entries, the [xdp] blocklist: `switchbackctl block add|del` changes
 * that one). Everything else can change: what the control thread owns
 * (routes, check-gateway and [wan] health, session policies on failover,
 * static neighbours, notifications, the metrics endpoint), what goes with
 * each published state (PCC weights, members and classifier, the ECMP
 * hash) and the session table's idle timeouts (words the worker reads). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reload.h"
#include "pcc.h"

static const struct {
	const char *section, *key;
	bool live;
} keys[] = {
	{ "switchback", "mbufs", false },
	{ "switchback", "sessions", false },
	{ "switchback", "sessions_per_host", true },
	{ "switchback", "fragments", false },
	{ "switchback", "workers", false },
	{ "switchback", "ecmp_hash", true },
	{ "switchback", "ctl_socket", false },
	{ "switchback", "ctl_group", false },
	{ "timeouts", "tcp_established", true },
	{ "timeouts", "tcp_transitory", true },
	{ "timeouts", "udp", true },
	{ "timeouts", "icmp", true },
	{ "check_gateway", "interval_ms", true },
	{ "check_gateway", "timeout_ms", true },
	{ "check_gateway", "down_after", true },
	{ "check_gateway", "up_after", true },
	{ "check_gateway", "hold_down_ms", true },
	{ "check_gateway", "loss_pct", true },
	{ "check_gateway", "latency_ms", true },
	{ "check_gateway", "window", true },
	{ "notify", "hook", true },
	{ "notify", "alert_after_s", true },
	{ "notify", "webhook", true },
	{ "notify", "webhook_retries", true },
	{ "notify", "webhook_timeout_ms", true },
	{ "notify", "webhook_backoff_ms", true },
	{ "metrics", "listen", true },
	{ "pcc", "classifier", true },
	{ "port", "device", false },
	{ "port", "role", false },
	{ "port", "address", false },
	{ "port", "masquerade", false },
	{ "port", "vlan", false },
	{ "port", "rx_desc", false },
	{ "port", "tx_desc", false },
	{ "port", "pcc_weight", true },
	{ "port", "pcc_table", false },
	{ "port", "sessions_on_down", true },
	{ "port", "sessions_on_failback", true },
	{ "port", "dhcp_client_id", false },
	{ "port", "dhcp_hostname", false },
	{ "port", "dhcp_default_route", false },
	{ "port", "dhcp_default_route_distance", false },
	{ "port", "dhcp_check_gateway", false },
	{ "port", "dhcp_classless_routes", false },
	{ "port", "dhcp_release", false },
	{ "port", "dhcp_lease_file", false },
	{ "port", "management", false },
	{ "xdp", "program", false },
	{ "xdp", "block", false },
	{ "xdp", "busy_poll", false },
	{ "xdp", "syn_per_source", false },
	{ "wan", "monitors", true },
	{ "wan", "method", true },
	{ "wan", "gateway", true },
	{ "wan", "interval_ms", true },
	{ "wan", "timeout_ms", true },
	{ "wan", "down_after", true },
	{ "wan", "up_after", true },
	{ "wan", "hold_down_ms", true },
	{ "wan", "quorum", true },
	{ "wan", "loss_pct", true },
	{ "wan", "latency_ms", true },
	{ "wan", "window", true },
	{ "wan", "trigger", true },
	{ "route", "dst", true },
	{ "route", "gateway", true },
	{ "route", "distance", true },
	{ "route", "scope", true },
	{ "route", "target_scope", true },
	{ "route", "check_gateway", true },
	{ "route", "table", true },
	{ "route", "disabled", true },
	{ "route", "comment", true },
	{ "neighbor", "address", true },
	{ "neighbor", "mac", true },
	{ "neighbor", "port", true },
	/* Inbound NAT lives in the worker's table and pools (inbound.h). */
	{ "forward", "wan", false },
	{ "forward", "proto", false },
	{ "forward", "port", false },
	{ "forward", "to", false },
	{ "forward", "to_port", false },
	{ "forward", "allow", false },
	{ "forward", "comment", false },
	{ "nat1to1", "wan", false },
	{ "nat1to1", "external", false },
	{ "nat1to1", "internal", false },
	{ "nat1to1", "comment", false },
};

bool
sb_reload_key_live(const char *section, const char *key, bool *known)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0) {
			*known = true;
			return keys[i].live;
		}
	*known = false;
	return false;
}

static void __attribute__((format(printf, 3, 4)))
line(struct sb_reload_plan *p, bool kept, const char *fmt, ...)
{
	unsigned *n = kept ? &p->n_kept : &p->n_changes;
	va_list ap;

	if (*n == SB_RELOAD_LINES) {
		p->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(kept ? p->kept[*n] : p->changes[*n], SB_RELOAD_LINE, fmt, ap);
	va_end(ap);
	(*n)++;
}

static void
ip4(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

#define KEPT_NOTE "start-up only, restart to apply"

/* A number that changed: applied or kept. */
#define NUM(p, kept, sec, key, a, b)                                                   \
	do {                                                                           \
		if ((a) != (b))                                                        \
			line(p, kept, "[%s] %s: %lu -> %lu%s", sec, key, (unsigned long)(a), \
			     (unsigned long)(b), kept ? " (" KEPT_NOTE ")" : "");      \
	} while (0)
#define STR(p, kept, sec, key, a, b)                                                   \
	do {                                                                           \
		if (strcmp(a, b) != 0)                                                 \
			line(p, kept, "[%s] %s: \"%s\" -> \"%s\"%s", sec, key, a, b,   \
			     kept ? " (" KEPT_NOTE ")" : "");                          \
	} while (0)

static const char *
classifier_name(int c)
{
	const char *s = c >= 0 ? sb_pcc_classifier_name((unsigned)c) : NULL;

	return s != NULL ? s : "off";
}

static int
table_of(const struct sb_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_tables; i++)
		if (strcmp(cfg->tables[i], name) == 0)
			return (int)i;
	return -1;
}

static bool
same_wan(const struct sb_wan_conf *a, const struct sb_wan_conf *b)
{
	return a->enabled == b->enabled && a->method == b->method &&
	       a->n_monitors == b->n_monitors &&
	       memcmp(a->monitor, b->monitor, sizeof(a->monitor[0]) * a->n_monitors) == 0 &&
	       a->gateway == b->gateway && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->down_after == b->down_after &&
	       a->up_after == b->up_after && a->hold_down_ms == b->hold_down_ms &&
	       a->quorum == b->quorum && a->loss_pct == b->loss_pct &&
	       a->latency_ms == b->latency_ms && a->window == b->window && a->trigger == b->trigger;
}

static void
wan_changes(struct sb_reload_plan *p, const char *name, const struct sb_wan_conf *a,
	    const struct sb_wan_conf *b)
{
	char sec[64];

	if (same_wan(a, b))
		return;
	p->wans = true;
	snprintf(sec, sizeof(sec), "wan %s", name);
	if (a->enabled != b->enabled) {
		line(p, false, "[%s] %s", sec, b->enabled ? "added" : "removed");
		return;
	}
	if (a->n_monitors != b->n_monitors ||
	    memcmp(a->monitor, b->monitor, sizeof(a->monitor[0]) * a->n_monitors) != 0) {
		char m[160] = "";
		size_t off = 0;

		for (unsigned k = 0; k < b->n_monitors && off < sizeof(m) - 20; k++) {
			char x[20];

			ip4(b->monitor[k], x, sizeof(x));
			off += (size_t)snprintf(m + off, sizeof(m) - off, "%s%s", k ? ", " : "", x);
		}
		line(p, false, "[%s] monitors: now %s", sec, m);
	}
	NUM(p, false, sec, "method", a->method, b->method);
	if (a->gateway != b->gateway) {
		char x[20], y[20];

		ip4(a->gateway, x, sizeof(x));
		ip4(b->gateway, y, sizeof(y));
		line(p, false, "[%s] gateway: %s -> %s", sec, x, y);
	}
	NUM(p, false, sec, "interval_ms", a->interval_ms, b->interval_ms);
	NUM(p, false, sec, "timeout_ms", a->timeout_ms, b->timeout_ms);
	NUM(p, false, sec, "down_after", a->down_after, b->down_after);
	NUM(p, false, sec, "up_after", a->up_after, b->up_after);
	NUM(p, false, sec, "hold_down_ms", a->hold_down_ms, b->hold_down_ms);
	NUM(p, false, sec, "quorum", a->quorum, b->quorum);
	NUM(p, false, sec, "loss_pct", a->loss_pct, b->loss_pct);
	NUM(p, false, sec, "latency_ms", a->latency_ms, b->latency_ms);
	NUM(p, false, sec, "window", a->window, b->window);
	if (a->trigger != b->trigger)
		line(p, false, "[%s] trigger: %s -> %s", sec, sb_trigger_name(a->trigger),
		     sb_trigger_name(b->trigger));
}

static const struct sb_route_conf *
route_named(const struct sb_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_routes; i++)
		if (strcmp(cfg->routes[i].name, name) == 0)
			return &cfg->routes[i];
	return NULL;
}

static bool
same_route(const struct sb_config *oc, const struct sb_route_conf *a, const struct sb_config *nc,
	   const struct sb_route_conf *b)
{
	return a->dst == b->dst && a->prefix_len == b->prefix_len && a->gw == b->gw &&
	       a->gw_port == b->gw_port && a->distance == b->distance && a->scope == b->scope &&
	       a->target_scope == b->target_scope && a->check == b->check &&
	       strcmp(oc->tables[a->table], nc->tables[b->table]) == 0 &&
	       a->disabled == b->disabled && strcmp(a->comment, b->comment) == 0;
}

static void
route_text(const struct sb_config *cfg, const struct sb_route_conf *r, char *buf, size_t len)
{
	char d[20], g[20];

	ip4(r->dst, d, sizeof(d));
	ip4(r->gw, g, sizeof(g));
	snprintf(buf, len, "%s/%u via %s%s%s distance %u%s%s table %s", d, r->prefix_len,
		 r->gw ? g : "", r->gw_port >= 0 ? (r->gw ? "%" : "") : "",
		 r->gw_port >= 0 ? cfg->ports[r->gw_port].name : "", r->distance,
		 r->check == SB_CHECK_PING ? " check ping" : r->check == SB_CHECK_ARP ? " check arp" : "",
		 r->disabled ? " disabled" : "", cfg->tables[r->table]);
}

int
sb_reload_plan(const struct sb_config *o, const struct sb_config *n, struct sb_reload_plan *p,
	       char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	/* Ports: the same ones, in the same order (their indices are in
	 * every table the workers hold). */
	if (o->n_ports != n->n_ports) {
		snprintf(err, errlen, "the file has %u ports, the gateway runs %u: adding or removing "
			 "a port needs a restart", n->n_ports, o->n_ports);
		return -EINVAL;
	}
	for (unsigned i = 0; i < o->n_ports; i++)
		if (strcmp(o->ports[i].name, n->ports[i].name) != 0) {
			snprintf(err, errlen, "port %u is \"%s\" in the file and \"%s\" in the gateway: "
				 "renaming or reordering ports needs a restart", i + 1,
				 n->ports[i].name, o->ports[i].name);
			return -EINVAL;
		}
	/* Tables: each one the file names must exist (the FIB made them). */
	for (unsigned i = 0; i < n->n_tables; i++)
		if (table_of(o, n->tables[i]) < 0) {
			snprintf(err, errlen, "routing table \"%s\" is new: tables are made at start-up, "
				 "a new one needs a restart", n->tables[i]);
			return -EINVAL;
		}

	NUM(p, true, "switchback", "mbufs", o->mbufs, n->mbufs);
	NUM(p, true, "switchback", "sessions", o->sessions, n->sessions);
	NUM(p, true, "switchback", "fragments", o->fragments, n->fragments);
	NUM(p, true, "switchback", "workers", o->workers, n->workers);
	STR(p, true, "switchback", "ctl_socket", o->ctl_socket, n->ctl_socket);
	NUM(p, true, "switchback", "ctl_group", o->ctl_gid, n->ctl_gid);
	STR(p, true, "xdp", "program", o->xdp_program, n->xdp_program);
	NUM(p, true, "xdp", "busy_poll", o->xdp_busy_poll, n->xdp_busy_poll);
	NUM(p, true, "xdp", "syn_per_source", o->xdp_syn_per_source, n->xdp_syn_per_source);
	if (o->n_block != n->n_block ||
	    memcmp(o->block, n->block, sizeof(o->block[0]) * o->n_block) != 0)
		line(p, true, "[xdp] block: changed (" KEPT_NOTE "; switchbackctl block add|del "
		     "changes the running list)");

	{
		unsigned before = p->n_changes;

		NUM(p, false, "timeouts", "tcp_established", o->to_tcp_established,
		    n->to_tcp_established);
		NUM(p, false, "timeouts", "tcp_transitory", o->to_tcp_transitory, n->to_tcp_transitory);
		NUM(p, false, "timeouts", "udp", o->to_udp, n->to_udp);
		NUM(p, false, "timeouts", "icmp", o->to_icmp, n->to_icmp);
		if (sb_config_host_max(o, o->sessions) != sb_config_host_max(n, o->sessions))
			line(p, false, "[switchback] sessions_per_host: %u -> %u", /* of the running table */
			     sb_config_host_max(o, o->sessions), sb_config_host_max(n, o->sessions));
		p->timeouts = p->n_changes != before;
		before = p->n_changes;
		if (o->ecmp_hash != n->ecmp_hash)
			line(p, false, "[switchback] ecmp_hash: %s -> %s",
			     o->ecmp_hash == SB_ECMP_L4 ? "l4" : "l3",
			     n->ecmp_hash == SB_ECMP_L4 ? "l4" : "l3");
		if (o->pcc_classifier != n->pcc_classifier)
			line(p, false, "[pcc] classifier: %s -> %s", classifier_name(o->pcc_classifier),
			     classifier_name(n->pcc_classifier));
		p->pcc |= p->n_changes != before;
		before = p->n_changes;
		NUM(p, false, "check_gateway", "interval_ms", o->probe_interval_ms, n->probe_interval_ms);
		NUM(p, false, "check_gateway", "timeout_ms", o->probe_timeout_ms, n->probe_timeout_ms);
		NUM(p, false, "check_gateway", "down_after", o->probe_down_after, n->probe_down_after);
		NUM(p, false, "check_gateway", "up_after", o->probe_up_after, n->probe_up_after);
		NUM(p, false, "check_gateway", "hold_down_ms", o->hold_down_ms, n->hold_down_ms);
		NUM(p, false, "check_gateway", "loss_pct", o->loss_pct, n->loss_pct);
		NUM(p, false, "check_gateway", "latency_ms", o->latency_ms, n->latency_ms);
		NUM(p, false, "check_gateway", "window", o->window, n->window);
		p->wans |= p->n_changes != before;
		before = p->n_changes;
		STR(p, false, "notify", "hook", o->hook, n->hook);
		NUM(p, false, "notify", "alert_after_s", o->alert_after_s, n->alert_after_s);
		p->notify |= p->n_changes != before;
		before = p->n_changes;
		STR(p, false, "notify", "webhook", o->webhook, n->webhook);
		NUM(p, false, "notify", "webhook_retries", o->webhook_retries, n->webhook_retries);
		NUM(p, false, "notify", "webhook_timeout_ms", o->webhook_timeout_ms,
		    n->webhook_timeout_ms);
		NUM(p, false, "notify", "webhook_backoff_ms", o->webhook_backoff_ms,
		    n->webhook_backoff_ms);
		p->webhook |= p->n_changes != before;
		p->notify |= p->webhook;
		if (o->metrics_addr != n->metrics_addr || o->metrics_port != n->metrics_port) {
			char x[20], y[20];

			ip4(o->metrics_addr, x, sizeof(x));
			ip4(n->metrics_addr, y, sizeof(y));
			line(p, false, "[metrics] listen: %s:%u -> %s:%u", o->metrics_port ? x : "off",
			     o->metrics_port, n->metrics_port ? y : "off", n->metrics_port);
			p->metrics = true;
		}
	}

	for (unsigned i = 0; i < o->n_ports; i++) {
		const struct sb_port_conf *a = &o->ports[i], *b = &n->ports[i];
		char sec[64];

		snprintf(sec, sizeof(sec), "port %s", a->name);
		STR(p, true, sec, "device", a->device, b->device);
		NUM(p, true, sec, "role", a->role, b->role);
		/* (A DHCP port's running address is its lease's.) */
		if (a->dhcp.enabled != b->dhcp.enabled ||
		    (!a->dhcp.enabled && (a->addr != b->addr || a->prefix_len != b->prefix_len))) {
			char x[20], y[20];

			ip4(a->addr, x, sizeof(x));
			ip4(b->addr, y, sizeof(y));
			line(p, true, "[%s] address: %s/%u -> %s/%u (" KEPT_NOTE ")", sec,
			     a->dhcp.enabled ? "dhcp" : x, a->prefix_len, b->dhcp.enabled ? "dhcp" : y,
			     b->prefix_len);
		}
		NUM(p, true, sec, "masquerade", a->masquerade, b->masquerade);
		NUM(p, true, sec, "vlan", a->vlan, b->vlan);
		NUM(p, true, sec, "rx_desc", a->rx_desc, b->rx_desc);
		NUM(p, true, sec, "tx_desc", a->tx_desc, b->tx_desc);
		if (strcmp(o->tables[a->pcc_table], n->tables[b->pcc_table]) != 0)
			line(p, true, "[%s] pcc_table: %s -> %s (" KEPT_NOTE ")", sec,
			     o->tables[a->pcc_table], n->tables[b->pcc_table]);
		if (memcmp(&a->dhcp, &b->dhcp, sizeof(a->dhcp)) != 0 && a->dhcp.enabled &&
		    b->dhcp.enabled)
			line(p, true, "[%s] dhcp_*: changed (" KEPT_NOTE ")", sec);
		if (a->n_mgmt != b->n_mgmt ||
		    memcmp(a->mgmt, b->mgmt, sizeof(a->mgmt[0]) * a->n_mgmt) != 0)
			line(p, true, "[%s] management: changed (" KEPT_NOTE ")", sec);
		if (a->pcc_weight != b->pcc_weight) {
			/* A weight from or to 0 is a WAN joining or leaving PCC:
			 * members go with each published state too. */
			line(p, false, "[%s] pcc_weight: %u -> %u%s", sec, a->pcc_weight, b->pcc_weight,
			     a->pcc_weight == 0 ? " (joins PCC)" : b->pcc_weight == 0 ?
			     " (leaves PCC)" : "");
			p->pcc = true;
		}
		if (a->keep_sessions_on_down != b->keep_sessions_on_down) {
			line(p, false, "[%s] sessions_on_down: %s", sec,
			     b->keep_sessions_on_down ? "keep" : "flush");
			p->policy = true;
		}
		if (a->move_sessions_on_failback != b->move_sessions_on_failback) {
			line(p, false, "[%s] sessions_on_failback: %s", sec,
			     b->move_sessions_on_failback ? "move" : "stay");
			p->policy = true;
		}
		wan_changes(p, a->name, &o->wan[i], &n->wan[i]);
	}

	for (unsigned i = 0; i < n->n_routes; i++) {
		const struct sb_route_conf *b = &n->routes[i], *a = route_named(o, b->name);
		char t[160];

		if (a == NULL) {
			route_text(n, b, t, sizeof(t));
			line(p, false, "route %s added: %s", b->name, t);
			p->routes = true;
		} else if (!same_route(o, a, n, b)) {
			route_text(n, b, t, sizeof(t));
			line(p, false, "route %s changed: now %s", b->name, t);
			p->routes = true;
		}
		if (a == NULL ? b->check != SB_CHECK_NONE : a->check != b->check || a->gw != b->gw)
			p->wans = true;
	}
	for (unsigned i = 0; i < o->n_routes; i++)
		if (route_named(n, o->routes[i].name) == NULL) {
			line(p, false, "route %s removed", o->routes[i].name);
			p->routes = true;
			p->wans |= o->routes[i].check != SB_CHECK_NONE;
		}
	/* Probes follow routes by index: any route change re-makes them. */
	p->wans |= p->routes;

	if (o->n_neigh != n->n_neigh ||
	    memcmp(o->neigh, n->neigh, sizeof(o->neigh[0]) * o->n_neigh) != 0) {
		for (unsigned i = 0; i < n->n_neigh; i++) {
			bool found = false;

			for (unsigned j = 0; j < o->n_neigh && !found; j++)
				found = memcmp(&o->neigh[j], &n->neigh[i], sizeof(n->neigh[i])) == 0;
			if (!found)
				line(p, false, "neighbor %s: %s", n->neigh[i].name, "added or changed");
		}
		for (unsigned j = 0; j < o->n_neigh; j++) {
			bool found = false;

			for (unsigned i = 0; i < n->n_neigh && !found; i++)
				found = strcmp(o->neigh[j].name, n->neigh[i].name) == 0;
			if (!found)
				line(p, false, "neighbor %s removed", o->neigh[j].name);
		}
		p->neighbours = true;
	}
	if (o->n_forwards != n->n_forwards ||
	    memcmp(o->forwards, n->forwards, sizeof(o->forwards[0]) * o->n_forwards) != 0)
		line(p, true, "[forward] sections changed (" KEPT_NOTE ")");
	if (o->n_nat1to1 != n->n_nat1to1 ||
	    memcmp(o->nat1to1, n->nat1to1, sizeof(o->nat1to1[0]) * o->n_nat1to1) != 0)
		line(p, true, "[nat1to1] sections changed (" KEPT_NOTE ")");
	return 0;
}

void
sb_reload_keep_startup(const struct sb_config *o, struct sb_config *n)
{
	uint8_t map[SB_MAX_TABLES];

	for (unsigned i = 0; i < n->n_tables; i++) {
		int t = table_of(o, n->tables[i]);

		map[i] = (uint8_t)(t < 0 ? 0 : t);
	}
	for (unsigned i = 0; i < n->n_routes; i++)
		n->routes[i].table = map[n->routes[i].table];
	for (unsigned i = 0; i < n->n_ports; i++)
		n->ports[i].pcc_table = map[n->ports[i].pcc_table];
	n->n_tables = o->n_tables;
	memcpy(n->tables, o->tables, sizeof(n->tables));

	n->mbufs = o->mbufs;
	n->mbufs_set = o->mbufs_set;
	n->workers = o->workers;
	n->sessions = o->sessions;
	n->fragments = o->fragments;
	memcpy(n->ctl_socket, o->ctl_socket, sizeof(n->ctl_socket));
	n->ctl_gid = o->ctl_gid;
	memcpy(n->xdp_program, o->xdp_program, sizeof(n->xdp_program));
	n->xdp_busy_poll = o->xdp_busy_poll;
	n->xdp_syn_per_source = o->xdp_syn_per_source;
	n->n_block = o->n_block;
	memcpy(n->block, o->block, sizeof(n->block));
	n->n_forwards = o->n_forwards;
	memcpy(n->forwards, o->forwards, sizeof(n->forwards));
	n->n_nat1to1 = o->n_nat1to1;
	memcpy(n->nat1to1, o->nat1to1, sizeof(n->nat1to1));
	for (unsigned i = 0; i < n->n_ports; i++) {
		struct sb_port_conf *b = &n->ports[i];
		const struct sb_port_conf *a = &o->ports[i];

		memcpy(b->device, a->device, sizeof(b->device));
		b->role = a->role;
		b->addr = a->addr;
		b->prefix_len = a->prefix_len;
		b->masquerade = a->masquerade;
		b->vlan = a->vlan;
		b->rx_desc = a->rx_desc;
		b->tx_desc = a->tx_desc;
		b->pcc_table = a->pcc_table;
		b->dhcp = a->dhcp;
		b->n_mgmt = a->n_mgmt;
		memcpy(b->mgmt, a->mgmt, sizeof(b->mgmt));
		if (a->role != SB_ROLE_WAN)
			n->wan[i].enabled = false;   /* a [wan] section for what runs as a LAN */
	}
}
