/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control socket. One command line per connection, one
 * answer, then the server closes. switchbackctl is its client. Served from
 * the control loop with non-blocking sockets and a short read deadline,
 * so a slow or silent client cannot stall control. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl.h"
#include "opscmd.h"
#include "sb_log.h"
#include "sb_counters.h"
#include "neigh.h"

#define OUT_MAX (256 * 1024)
#define READ_DEADLINE_MS 200

struct out {
	char *buf;
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
out(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= OUT_MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, OUT_MAX - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < OUT_MAX - o->len ? (size_t)n : OUT_MAX - o->len - 1;
}

static void
ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static void
routes_json(struct sb_ctl *c, struct out *o)
{
	const struct sb_rib *rib = c->rib;

	out(o, "[");
	for (unsigned i = 0; i < rib->n_routes && o->len < OUT_MAX; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		const struct sb_rib_result *s = sb_rib_result(rib, i);
		char dst[20], gw[20];

		ip_str(r->dst, dst, sizeof(dst));
		ip_str(r->gw, gw, sizeof(gw));
		out(o, "%s\n {\"name\": \"%s\", \"dst\": \"%s/%u\", \"gateway\": \"%s\", "
		    "\"gateway_port\": %s%s%s, \"distance\": %u, \"scope\": %u, \"target_scope\": %u, "
		    "\"table\": \"%s\", \"connected\": %s, \"static\": %s, \"disabled\": %s, "
		    "\"active\": %s, \"last_resort\": %s, \"ecmp\": %s, \"check_gateway\": \"%s\", "
		    "\"reason\": %s%s%s, "
		    "\"nexthops\": [",
		    i ? "," : "", r->name, dst, r->len, r->gw ? gw : "",
		    r->gw_port >= 0 ? "\"" : "", r->gw_port >= 0 ? c->cfg->ports[r->gw_port].name : "null",
		    r->gw_port >= 0 ? "\"" : "", r->distance, r->scope, r->target_scope,
		    c->cfg->tables[r->table], r->connected ? "true" : "false",
		    r->connected ? "false" : "true", r->disabled ? "true" : "false",
		    s->active ? "true" : "false", s->last_resort ? "true" : "false",
		    s->ecmp ? "true" : "false",
		    r->check == SB_CHECK_PING ? "ping" : r->check == SB_CHECK_ARP ? "arp" : "none",
		    s->reason ? "\"" : "", s->reason ? s->reason : "null", s->reason ? "\"" : "");
		for (unsigned k = 0; k < s->n_nh; k++) {
			char h[20];

			ip_str(s->nh[k].gw, h, sizeof(h));
			out(o, "%s{\"port\": \"%s\", \"via\": \"%s\"}", k ? ", " : "",
			    c->cfg->ports[s->nh[k].port].name, s->nh[k].gw ? h : "on-link");
		}
		out(o, "]}");
	}
	out(o, "\n]\n");
}

static const char *
wan_state(const struct sb_ctl *c, unsigned p)
{
	if (c->wan_force[p] < 0)
		return "forced-down";
	if (c->wan_force[p] > 0)
		return c->wan_down[p] ? "forced-up(down)" : "forced-up";
	return sb_wstate_name(c->wan_state[p]);
}

static const char *
mon_state(const struct sb_probe *m)
{
	return m->down ? "down" : m->degraded ? "degraded" : "up";
}

/* The [wan NAME] monitors of @p: JSON fields, or indented text lines. */
static void
monitors(struct sb_ctl *c, unsigned p, struct out *o, bool json)
{
	const struct sb_wan_mon *wm = &c->wmon[p];
	const struct sb_wan_conf *wc = &c->cfg->wan[p];

	if (json) {
		out(o, ", \"in_service\": %s, \"quorum\": %u, \"trigger\": \"%s\", "
		    "\"answering\": %u, \"clean\": %u, \"failback_pending\": %s, \"monitors\": [",
		    c->wan_down[p] ? "false" : "true", wc->quorum, sb_trigger_name(wc->trigger),
		    wm->h.answering, wm->h.clean, wm->holding ? "true" : "false");
	} else if (wc->enabled) {
		out(o, "         %s, quorum %u of %u, trigger %s%s\n",
		    c->wan_down[p] ? "out of service" : "in service", wc->quorum, wm->n,
		    sb_trigger_name(wc->trigger), wm->holding ? ", failback pending (hold-down)" : "");
	}
	for (unsigned k = 0; k < wm->n; k++) {
		const struct sb_probe *m = &c->mons[wm->first + k];
		char a[20];

		ip_str(m->target, a, sizeof(a));
		if (json)
			out(o, "%s{\"target\": \"%s\", \"method\": \"%s\", \"sent\": %lu, "
			    "\"answered\": %lu, \"last_rtt_us\": %u, \"rtt_avg_us\": %u, "
			    "\"jitter_us\": %u, \"loss_pct\": %u, \"state\": \"%s\", \"down\": %s, "
			    "\"loss_over\": %s, \"latency_over\": %s}", k ? ", " : "", a,
			    m->method == SB_CHECK_ARP ? "arp" : "icmp", (unsigned long)m->n_sent,
			    (unsigned long)m->n_answered, m->last_rtt_us, m->rtt_avg_us, m->jitter_us,
			    sb_probe_loss_pct(m, wc->window), mon_state(m), m->down ? "true" : "false",
			    m->loss_bad ? "true" : "false", m->lat_bad ? "true" : "false");
		else
			out(o, "         monitor %-15s %-4s %lu/%lu rtt %.2f ms jitter %.2f ms loss %u%% %s\n",
			    a, m->method == SB_CHECK_ARP ? "arp" : "icmp", (unsigned long)m->n_sent,
			    (unsigned long)m->n_answered, m->rtt_avg_us / 1000.0, m->jitter_us / 1000.0,
			    sb_probe_loss_pct(m, wc->window), mon_state(m));
	}
	if (json)
		out(o, "]");
}

static void
wans(struct sb_ctl *c, struct out *o, bool json)
{
	bool first = true;

	if (json)
		out(o, "[");
	else
		out(o, "%-8s %-16s %-6s %s\n", "WAN", "STATE", "LINK",
		    "PROBES (route target sent/answered, average rtt, jitter, loss over the window, state)");
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (c->cfg->ports[p].role != SB_ROLE_WAN)
			continue;
		if (json)
			out(o, "%s\n {\"name\": \"%s\", \"state\": \"%s\", \"down\": %s, \"link\": \"%s\", "
			    "\"generation\": %u, \"reason\": \"%s\", \"probes\": [", first ? "" : ",",
			    c->cfg->ports[p].name, wan_state(c, p), c->wan_down[p] ? "true" : "false",
			    c->link_down[p] ? "down" : "up", c->wan_gen[p], c->wan_reason[p]);
		else
			out(o, "%-8s %-16s %-6s", c->cfg->ports[p].name, wan_state(c, p),
			    c->link_down[p] ? "down" : "up");
		first = false;
		bool pf = true;

		for (unsigned k = 0; k < c->n_probes; k++) {
			const struct sb_probe *pr = &c->probes[k];
			const struct sb_rib_route *r = &c->rib->r[pr->route];
			const struct sb_rib_result *rs = sb_rib_result(c->rib, pr->route);
			char a[20];

			if (rs->n_nh == 0 || rs->nh[0].port != p)
				continue;
			ip_str(pr->target, a, sizeof(a));
			if (json)
				out(o, "%s{\"route\": \"%s\", \"target\": \"%s\", \"sent\": %lu, "
				    "\"answered\": %lu, \"last_rtt_us\": %u, \"rtt_avg_us\": %u, "
				    "\"jitter_us\": %u, \"loss_pct\": %u, \"down\": %s, \"degraded\": %s}",
				    pf ? "" : ", ", r->name, a, (unsigned long)pr->n_sent,
				    (unsigned long)pr->n_answered, pr->last_rtt_us, pr->rtt_avg_us,
				    pr->jitter_us, sb_probe_loss_pct(pr, c->cfg->window),
				    pr->down ? "true" : "false", pr->degraded ? "true" : "false");
			else
				out(o, " %s %s %lu/%lu rtt %u us jitter %u us loss %u%% %s;", r->name, a,
				    (unsigned long)pr->n_sent, (unsigned long)pr->n_answered,
				    pr->rtt_avg_us, pr->jitter_us, sb_probe_loss_pct(pr, c->cfg->window),
				    pr->down ? "DOWN" : pr->degraded ? "DEGRADED" : "up");
			pf = false;
		}
		if (json) {
			out(o, "]");
			monitors(c, p, o, json);
			out(o, "}");
		} else {
			out(o, "\n");
			monitors(c, p, o, json);
		}
	}
	out(o, json ? "\n]\n" : "");
}

static void
stats(struct sb_ctl *c, struct out *o, bool json)
{
	const struct sb_counters *k = &c->w->cnt;

	if (json) {
		out(o, "{\"rx\": %lu, \"tx\": %lu, \"forwarded\": %lu, \"sessions_active\": %lu, "
		    "\"sessions_created\": %lu, \"sessions_flushed\": %lu, "
		    "\"sessions_path_rerouted\": %lu, \"sessions_path_moved\": %lu, "
		    "\"wan_changes\": %lu, \"drops\": {",
		    (unsigned long)k->rx, (unsigned long)k->tx, (unsigned long)k->forwarded,
		    (unsigned long)k->ct_active, (unsigned long)k->ct_created,
		    (unsigned long)k->ct_flushed, (unsigned long)k->ct_path_rerouted,
		    (unsigned long)k->ct_path_moved, (unsigned long)c->wan_changes);
		for (unsigned r = 0; r < SB_DROP_MAX; r++)
			out(o, "%s\"%s\": %lu", r ? ", " : "", sb_drop_name(r), (unsigned long)k->drop[r]);
		out(o, "}}\n");
		return;
	}
	out(o, "rx %lu tx %lu forwarded %lu sessions %lu (created %lu, flushed %lu; gateway gone: "
	    "rerouted in their WAN %lu, moved %lu) wan changes %lu\n",
	    (unsigned long)k->rx, (unsigned long)k->tx, (unsigned long)k->forwarded,
	    (unsigned long)k->ct_active, (unsigned long)k->ct_created,
	    (unsigned long)k->ct_flushed, (unsigned long)k->ct_path_rerouted,
	    (unsigned long)k->ct_path_moved, (unsigned long)c->wan_changes);
	for (unsigned r = 0; r < SB_DROP_MAX; r++)
		if (k->drop[r])
			out(o, "drop %-26s %lu\n", sb_drop_name(r), (unsigned long)k->drop[r]);
}

static void
neighbours(struct sb_ctl *c, struct out *o, bool json)
{
	if (json)
		out(o, "[");
	else
		out(o, "%-16s %-8s %-18s %s\n", "ADDRESS", "PORT", "MAC", "STATE");
	for (uint32_t i = 0; i < c->neigh->n; i++) {
		const struct sb_neigh_entry *e = &c->neigh->e[i];
		struct rte_ether_addr m;
		char a[20], mac[24] = "-";

		ip_str(e->ip, a, sizeof(a));
		bool ok = sb_neigh_mac(c->neigh, i, &m);
		const char *state = e->is_static ? "static" : ok ? "reachable" : "incomplete";

		if (ok)
			snprintf(mac, sizeof(mac), RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&m));
		if (json)
			out(o, "%s\n {\"address\": \"%s\", \"port\": \"%s\", \"mac\": %s%s%s, "
			    "\"state\": \"%s\"}", i ? "," : "", a, c->cfg->ports[e->port].name,
			    ok ? "\"" : "", ok ? mac : "null", ok ? "\"" : "", state);
		else
			out(o, "%-16s %-8s %-18s %s\n", a, c->cfg->ports[e->port].name, mac, state);
	}
	if (json)
		out(o, "\n]\n");
}

static int
wan_port(struct sb_ctl *c, const char *name)
{
	int p = sb_config_port_index(c->cfg, name);

	return p >= 0 && c->cfg->ports[p].role == SB_ROLE_WAN ? p : -1;
}

/* Run one command; the answer's first line is "ok" or "error: ...". */
static void
run(struct sb_ctl *c, char *line, struct out *o)
{
	char *argv[8];
	int argc = 0, n_ops;
	bool json = false;

	for (char *t = strtok(line, " \t\r\n"); t && argc < 8; t = strtok(NULL, " \t\r\n")) {
		if (strcmp(t, "--json") == 0)
			json = true;
		else
			argv[argc++] = t;
	}
#define IS(i, s) (argc > (i) && strcmp(argv[i], s) == 0)
	if (IS(0, "route") && (argc == 1 || IS(1, "print"))) {
		out(o, "ok\n");
		if (json)
			routes_json(c, o);
		else {
			size_t room = OUT_MAX - o->len;
			int n = sb_rib_print(c->rib, c->cfg, o->buf + o->len, room);

			o->len += (size_t)n < room ? (size_t)n : room - 1;
		}
	} else if (IS(0, "wan") && (argc == 1 || IS(1, "print"))) {
		out(o, "ok\n");
		wans(c, o, json);
	} else if (IS(0, "wan") && argc == 3 && (IS(1, "down") || IS(1, "up") || IS(1, "auto"))) {
		int p = wan_port(c, argv[2]);

		if (p < 0) {
			out(o, "error: no WAN port named \"%s\"\n", argv[2]);
			return;
		}
		c->wan_force[p] = IS(1, "down") ? -1 : IS(1, "up") ? 1 : 0;
		SB_WARN(WAN, "wan %s: operator set %s", argv[2], argv[1]);
		sb_ctl_publish(c, sb_now_ms());
		out(o, "ok\n");
		wans(c, o, json);
	} else if (IS(0, "route") && argc == 5 && IS(1, "set") && IS(3, "distance")) {
		/* Reorder the failover order at run time (seed 002). */
		int i = sb_rib_find(c->rib, argv[2]);
		char *end;
		long d = strtol(argv[4], &end, 10);

		if (i < 0 || c->rib->r[i].connected) {
			out(o, "error: no static route named \"%s\"\n", argv[2]);
			return;
		}
		if (*end != '\0' || d < 1 || d > 255) {
			out(o, "error: distance must be 1 to 255, got \"%s\"\n", argv[4]);
			return;
		}
		c->rib->r[i].distance = (uint8_t)d;
		sb_rib_route_changed(c->rib, (unsigned)i);
		SB_WARN(RIB, "route %s: operator set distance %ld", argv[2], d);
		sb_ctl_publish(c, sb_now_ms());
		out(o, json ? "ok\n{\"ok\": true}\n" : "ok\n");
	} else if (IS(0, "route") && argc == 3 && (IS(1, "disable") || IS(1, "enable"))) {
		int i = sb_rib_find(c->rib, argv[2]);

		if (i < 0 || c->rib->r[i].connected) {
			out(o, "error: no static route named \"%s\"\n", argv[2]);
			return;
		}
		c->rib->r[i].disabled = IS(1, "disable");
		sb_rib_route_changed(c->rib, (unsigned)i);
		SB_WARN(RIB, "route %s: operator %sd it", argv[2], argv[1]);
		sb_ctl_publish(c, sb_now_ms());
		out(o, json ? "ok\n{\"ok\": true}\n" : "ok\n");
	} else if (IS(0, "stats")) {
		out(o, "ok\n");
		stats(c, o, json);
	} else if (IS(0, "neighbor") || IS(0, "neighbour") || IS(0, "arp")) {
		out(o, "ok\n");
		neighbours(c, o, json);
	} else if ((n_ops = sb_opscmd_run(c, argc, argv, json, o->buf + o->len,
					   OUT_MAX - o->len)) >= 0) {
		o->len += (size_t)n_ops;
	} else {
		out(o, "error: unknown command \"%s\" (route print, route set NAME distance N, "
		    "route enable|disable NAME, wan print, wan down|up|auto NAME, stats, neighbor print, "
		    "status, events, conntrack print|count|flush; add --json)\n",
		    argc ? argv[0] : "");
	}
#undef IS
}

int
sb_ctlsock_open(struct sb_ctl *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	c->ctl_fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	c->ctl_fd = fd;
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", path);
	return 0;
}

void
sb_ctlsock_poll(struct sb_ctl *c)
{
	char line[512];
	struct out o;

	if (c->ctl_fd < 0)
		return;
	for (int served = 0; served < 4; served++) {
		int fd = accept4(c->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
		size_t got = 0;
		uint64_t deadline = sb_now_ms() + READ_DEADLINE_MS;

		if (fd < 0)
			return;
		struct timeval tv = { .tv_sec = 0, .tv_usec = READ_DEADLINE_MS * 1000 };

		/* A client that does not read its answer cannot hold us. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		/* One line, within the deadline. */
		while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
			struct pollfd pf = { .fd = fd, .events = POLLIN };
			uint64_t now = sb_now_ms();
			ssize_t n;

			if (now >= deadline || poll(&pf, 1, (int)(deadline - now)) <= 0)
				break;
			n = read(fd, line + got, sizeof(line) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		line[got] = '\0';
		o.buf = malloc(OUT_MAX);
		o.len = 0;
		if (o.buf != NULL) {
			run(c, line, &o);
			for (size_t off = 0; off < o.len; ) {
				ssize_t n = write(fd, o.buf + off, o.len - off);

				if (n <= 0)
					break;
				off += (size_t)n;
			}
			free(o.buf);
		}
		close(fd);
	}
}

void
sb_ctlsock_close(struct sb_ctl *c)
{
	if (c->ctl_fd >= 0) {
		close(c->ctl_fd);
		unlink(c->ctl_path);
		c->ctl_fd = -1;
	}
}
