/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control socket. One command line per connection, one
 * answer, then the server closes. switchbackctl is its client. The socket
 * is 0600 (0660 with [switchback] ctl_group) and every client's
 * credentials are checked (SO_PEERCRED); clients are served from the
 * control loop without ever waiting for one: non-blocking reads and
 * writes a little at a time, each client within a total deadline, at most
 * MAX_CLIENTS at once (the others wait in the listen backlog). */
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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlsock.h"
#include "addr.h"
#include "ctlcmd.h"
#include "opscmd.h"
#include "inbound.h"
#include "sb_log.h"
#include "sb_counters.h"
#include "neigh.h"
#include "xdp.h"

#define OUT_MAX (256 * 1024)

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
routes_json(struct sb_ctl *c, struct out *o)
{
	const struct sb_rib *rib = c->rib;

	out(o, "[");
	for (unsigned i = 0, shown = 0; i < rib->n_routes && o->len < OUT_MAX; i++) {
		const struct sb_rib_route *r = &rib->r[i];
		const struct sb_rib_result *s = sb_rib_result(rib, i);
		char dst[SB_ADDR_STRLEN], gw[SB_ADDR_STRLEN];

		if (r->retired)
			continue;   /* removed by a reload */

		sb_addr_str(r->dst, dst, sizeof(dst));
		sb_addr_str(r->gw, gw, sizeof(gw));
		out(o, "%s\n {\"name\": \"%s\", \"dst\": \"%s/%u\", \"gateway\": \"%s\", "
		    "\"gateway_port\": %s%s%s, \"distance\": %u, \"scope\": %u, \"target_scope\": %u, "
		    "\"table\": \"%s\", \"connected\": %s, \"static\": %s, \"disabled\": %s, "
		    "\"active\": %s, \"last_resort\": %s, \"ecmp\": %s, \"check_gateway\": \"%s\", "
		    "\"reason\": %s%s%s, "
		    "\"nexthops\": [",
		    shown++ ? "," : "", r->name, dst, r->len, r->gw ? gw : "",
		    r->gw_port >= 0 ? "\"" : "", r->gw_port >= 0 ? c->cfg->ports[r->gw_port].name : "null",
		    r->gw_port >= 0 ? "\"" : "", r->distance, r->scope, r->target_scope,
		    c->cfg->tables[r->table], r->connected ? "true" : "false",
		    r->connected ? "false" : "true", r->disabled ? "true" : "false",
		    s->active ? "true" : "false", s->last_resort ? "true" : "false",
		    s->ecmp ? "true" : "false",
		    r->check == SB_CHECK_PING ? "ping" : r->check == SB_CHECK_ARP ? "arp" : "none",
		    s->reason ? "\"" : "", s->reason ? s->reason : "null", s->reason ? "\"" : "");
		for (unsigned k = 0; k < s->n_nh; k++) {
			char h[SB_ADDR_STRLEN];

			sb_addr_str(s->nh[k].gw, h, sizeof(h));
			out(o, "%s{\"port\": \"%s\", \"via\": \"%s\"}", k ? ", " : "",
			    c->cfg->ports[s->nh[k].port].name, s->nh[k].gw ? h : "on-link");
		}
		out(o, "]}");
	}
	out(o, "\n]\n");
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
	const struct sb_wan *wm = &c->wans.wan[p];
	const struct sb_wan_conf *wc = &c->cfg->wan[p];

	if (json) {
		out(o, ", \"in_service\": %s, \"quorum\": %u, \"trigger\": \"%s\", "
		    "\"answering\": %u, \"clean\": %u, \"failback_pending\": %s, \"monitors\": [",
		    c->wans.wan[p].down ? "false" : "true", wc->quorum, sb_trigger_name(wc->trigger),
		    wm->h.answering, wm->h.clean, wm->holding ? "true" : "false");
	} else if (wc->enabled) {
		out(o, "         %s, quorum %u of %u, trigger %s%s\n",
		    c->wans.wan[p].down ? "out of service" : "in service", wc->quorum, wm->n_mon,
		    sb_trigger_name(wc->trigger), wm->holding ? ", failback pending (hold-down)" : "");
	}
	for (unsigned k = 0; k < wm->n_mon; k++) {
		const struct sb_probe *m = &wm->mon[k];
		char a[SB_ADDR_STRLEN];

		sb_addr_str(m->target, a, sizeof(a));
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
			    c->cfg->ports[p].name, sb_wan_state_name(&c->wans.wan[p]), c->wans.wan[p].down ? "true" : "false",
			    c->wans.link_down[p] ? "down" : "up", c->wans.wan[p].gen, c->wans.wan[p].reason);
		else
			out(o, "%-8s %-16s %-6s", c->cfg->ports[p].name, sb_wan_state_name(&c->wans.wan[p]),
			    c->wans.link_down[p] ? "down" : "up");
		first = false;
		bool pf = true;

		for (unsigned k = 0; k < c->wans.n_probes; k++) {
			const struct sb_probe *pr = &c->wans.probes[k];
			const struct sb_rib_route *r = &c->rib->r[pr->route];
			const struct sb_rib_result *rs = sb_rib_result(c->rib, pr->route);
			char a[SB_ADDR_STRLEN];

			if (rs->n_nh == 0 || rs->nh[0].port != p)
				continue;
			sb_addr_str(pr->target, a, sizeof(a));
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
		/* A DHCP port's lease (address, gateway, DNS, time left). */
		char lease[512];

		if (json) {
			sb_lease_json(&c->leases, p, sb_now_ms(), lease, sizeof(lease));
			out(o, "], \"dhcp\": %s", lease);
			monitors(c, p, o, json);
			out(o, "}");
		} else {
			out(o, "\n");
			if (sb_lease_describe(&c->leases, p, sb_now_ms(), lease, sizeof(lease)) > 0)
				out(o, "         %s\n", lease);
			monitors(c, p, o, json);
		}
	}
	out(o, json ? "\n]\n" : "");
}

/* The XDP program's counters of every AF_XDP port: before switchback's
 * own (what it dropped or passed never reached rx). */
static void
xdp_stats(struct sb_ctl *c, struct out *o, bool json)
{
	bool first = true;

	for (unsigned p = 0; p < c->n_ports; p++) {
		struct sb_xdp_count n[SB_XDP_REASON_MAX];

		if (sb_xdp_counts(c->xdp, p, n) != 0)
			continue;
		if (json) {
			out(o, "%s\"%s\": {\"mode\": \"%s\"", first ? ", \"xdp\": {" : ", ",
			    c->cfg->ports[p].name, sb_xdp_mode(c->xdp, p));
			for (unsigned r = 0; r < SB_XDP_REASON_MAX; r++)
				out(o, ", \"%s\": {\"verdict\": \"%s\", \"packets\": %lu, "
				    "\"bytes\": %lu}", sb_xdp_reason_name(r), sb_xdp_reason_verdict(r),
				    (unsigned long)n[r].packets, (unsigned long)n[r].bytes);
			out(o, "}");
		} else {
			out(o, "xdp %s (%s):", c->cfg->ports[p].name, sb_xdp_mode(c->xdp, p));
			for (unsigned r = 0; r < SB_XDP_REASON_MAX; r++)
				out(o, " %s %s %lu", sb_xdp_reason_verdict(r), sb_xdp_reason_name(r),
				    (unsigned long)n[r].packets);
			out(o, "\n");
		}
		first = false;
	}
	if (json && !first)
		out(o, "}");
}

/* block add|del PREFIX: every AF_XDP port's blocklist. */
static void
block_cmd(struct sb_ctl *c, struct out *o, bool add, const char *arg, bool json)
{
	uint32_t a;
	uint8_t len;
	int ret;

	if (sb_config_parse_prefix(arg, &a, &len, false) != 0) {
		out(o, "error: expected A.B.C.D[/LEN], got \"%s\"\n", arg);
		return;
	}
	ret = sb_xdp_block(c->xdp, add, a, len);
	if (ret == -ENODEV) {
		out(o, "error: no AF_XDP port (device = af_xdp:IFNAME): the blocklist lives in "
		    "switchback's XDP program\n");
		return;
	}
	if (ret != 0) {
		out(o, "error: %s %s: %s\n", add ? "adding" : "removing", arg, strerror(-ret));
		return;
	}
	SB_WARN(PORT, "xdp: operator %s %s %s the blocklist", add ? "added" : "removed", arg,
		add ? "to" : "from");
	out(o, json ? "ok\n{\"ok\": true}\n" : "ok\n");
}

static void
stats(struct sb_ctl *c, struct out *o, bool json)
{
	struct sb_counters k_sum;
	const struct sb_counters *k = &k_sum;

	sb_ctl_counters(c, &k_sum);
	const char *sep = "";

	if (json)
		out(o, "{");
#define SB_X_COUNTER(f, n, s) \
	out(o, json ? "%s\"%s\": %lu" : "%s%-26s %lu\n", sep, n, (unsigned long)k->f); \
	sep = json ? ", " : "";
#define SB_X_DROP(r, s)
	SB_EVENT_COUNTERS(SB_X_COUNTER, SB_X_DROP)
#undef SB_X_COUNTER
#undef SB_X_DROP
	out(o, json ? "%s\"%s\": %lu" : "%s%-26s %lu\n", sep, "wan_changes",
	    (unsigned long)c->wans.changes);
	/* The neighbour table (control's): entries, deleted by ageing, refused. */
	const struct { const char *name; uint64_t v; } nb[] = {
		{ "neighbours", c->neigh->live },
		{ "neighbours_evicted", c->arp.evicted },
		{ "neighbours_failed", c->arp.failed },
		{ "neighbours_refused", c->neigh->refused },
	};

	for (unsigned i = 0; i < RTE_DIM(nb); i++)
		out(o, json ? ", \"%s\": %lu" : "%-26s %lu\n", nb[i].name, (unsigned long)nb[i].v);
	if (json) {
		out(o, ", \"drops\": {");
		for (unsigned r = 0; r < SB_DROP_MAX; r++)
			out(o, "%s\"%s\": %lu", r ? ", " : "", sb_drop_name(r), (unsigned long)k->drop[r]);
		out(o, "}");
		xdp_stats(c, o, true);
		out(o, "}\n");
		return;
	}
	for (unsigned r = 0; r < SB_DROP_MAX; r++)
		if (k->drop[r])
			out(o, "drop %-26s %lu\n", sb_drop_name(r), (unsigned long)k->drop[r]);
	xdp_stats(c, o, false);
}

static void
neighbours(struct sb_ctl *c, struct out *o, bool json)
{
	if (json)
		out(o, "[");
	else
		out(o, "%-16s %-8s %-18s %s\n", "ADDRESS", "PORT", "MAC", "STATE");
	uint64_t now = sb_now_ms();
	uint32_t now_s = (uint32_t)(rte_rdtsc() / rte_get_tsc_hz());
	bool first = true;

	for (uint32_t i = 0; i < c->neigh->n; i++) {
		const struct sb_neigh_entry *e = &c->neigh->e[i];
		struct rte_ether_addr m;
		char a[SB_ADDR_STRLEN], mac[24] = "-";
		enum sb_arp_state st = sb_arp_state(&c->arp, i, now, now_s);

		if (st == SB_ARP_FREE)
			continue;
		sb_addr_str(e->ip, a, sizeof(a));
		bool ok = sb_neigh_mac(c->neigh, i, &m);
		const char *state = sb_arp_state_name(st);

		if (ok)
			snprintf(mac, sizeof(mac), RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&m));
		if (json)
			out(o, "%s\n {\"address\": \"%s\", \"port\": \"%s\", \"mac\": %s%s%s, "
			    "\"state\": \"%s\"}", first ? "" : ",", a, c->cfg->ports[e->port].name,
			    ok ? "\"" : "", ok ? mac : "null", ok ? "\"" : "", state);
		else
			out(o, "%-16s %-8s %-18s %s\n", a, c->cfg->ports[e->port].name, mac, state);
		first = false;
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

/* What a client that changed state is answered once the loop has
 * published the change (sb_ctlsock_answer). */
enum pending {
	ANSWER_NOW = 0,
	ANSWER_OK,
	ANSWER_OK_JSON,    /* ok and {"ok": true} */
	ANSWER_WANS,
	ANSWER_WANS_JSON,
	ANSWER_HELD,       /* the whole answer is in the client's buffer already */
};

/* Run one command; the answer's first line is "ok" or "error: ...".
 * A command that changes state marks it and returns how to answer after
 * the publication; the others are answered in @o at once. *@json: the
 * line asked for --json (set even when it is refused). */
static enum pending
run(struct sb_ctl *c, const char *line, size_t len, struct out *o, bool *json_out)
{
	struct sb_ctlcmd cmd;
	char err[512];
	bool json;

	if (sb_ctlcmd_parse(line, len, &cmd, err, sizeof(err)) != 0) {
		*json_out = cmd.json;
		out(o, "error: %s\n", err);
		return ANSWER_NOW;
	}
	json = *json_out = cmd.json;
	switch (cmd.op) {
	case SB_CTLCMD_ROUTE_PRINT:
		out(o, "ok\n");
		if (json) {
			routes_json(c, o);
		} else {
			size_t room = OUT_MAX - o->len;
			int n = sb_rib_print(c->rib, c->cfg, o->buf + o->len, room);

			o->len += (size_t)n < room ? (size_t)n : room - 1;
		}
		break;
	case SB_CTLCMD_WAN_PRINT:
		out(o, "ok\n");
		wans(c, o, json);
		break;
	case SB_CTLCMD_WAN_FORCE: {
		int p = wan_port(c, cmd.name);
		const char *what = cmd.force < 0 ? "down" : cmd.force > 0 ? "up" : "auto";

		if (p < 0) {
			out(o, "error: no WAN port named \"%s\"\n", cmd.name);
			return ANSWER_NOW;
		}
		sb_wan_force(&c->wans, (unsigned)p, cmd.force);
		SB_WARN(WAN, "wan %s: operator set %s", cmd.name, what);
		return json ? ANSWER_WANS_JSON : ANSWER_WANS;
	}
	case SB_CTLCMD_ROUTE_DISTANCE:
	case SB_CTLCMD_ROUTE_ENABLE: {
		/* Reorder the failover order at run time (seed 002), or take
		 * a route out and back. */
		int i = sb_rib_find(c->rib, cmd.name);

		if (i < 0 || c->rib->r[i].connected) {
			out(o, "error: no static route named \"%s\"\n", cmd.name);
			return ANSWER_NOW;
		}
		if (cmd.op == SB_CTLCMD_ROUTE_DISTANCE) {
			c->rib->r[i].distance = cmd.distance;
			SB_WARN(RIB, "route %s: operator set distance %u", cmd.name, cmd.distance);
		} else {
			c->rib->r[i].disabled = cmd.disable;
			SB_WARN(RIB, "route %s: operator %sd it", cmd.name,
				cmd.disable ? "disable" : "enable");
		}
		sb_rib_route_changed(c->rib, (unsigned)i);
		c->dirty = true;
		return json ? ANSWER_OK_JSON : ANSWER_OK;
	}
	case SB_CTLCMD_STATS:
		out(o, "ok\n");
		stats(c, o, json);
		break;
	case SB_CTLCMD_NEIGH:
		out(o, "ok\n");
		neighbours(c, o, json);
		break;
	case SB_CTLCMD_BLOCK_PRINT: {
		char buf[16384];
		bool any = false;

		for (unsigned p = 0; p < c->n_ports; p++)
			any |= sb_xdp_port(c->xdp, p);
		if (!any) {
			out(o, "error: no AF_XDP port (device = af_xdp:IFNAME)\n");
			return ANSWER_NOW;
		}
		out(o, "ok\n");
		sb_xdp_block_print(c->xdp, json, buf, sizeof(buf));
		out(o, "%s", buf);
		break;
	}
	case SB_CTLCMD_FWD_PRINT:
		out(o, "ok\n");
		o->len += sb_inbound_print(c->inbound, json, o->buf + o->len, OUT_MAX - o->len);
		break;
	case SB_CTLCMD_BLOCK_ADD:
	case SB_CTLCMD_BLOCK_DEL:
		block_cmd(c, o, cmd.op == SB_CTLCMD_BLOCK_ADD, cmd.name, json);
		break;
	default: {
		/* status, events, conntrack, reload (opscmd.c); a flush or an
		 * applied reload is answered once published. */
		bool was_dirty = c->dirty;
		int n;

		c->dirty = false;
		n = sb_opscmd_run(c, &cmd, o->buf + o->len, OUT_MAX - o->len);
		if (n < 0)
			out(o, "error: command not served\n");
		else
			o->len += (size_t)n;
		if (c->dirty)
			return ANSWER_HELD;
		c->dirty = was_dirty;
		break;
	}
	}
	return ANSWER_NOW;
}

/* --- the socket: who may talk, and for how long ------------------------- */

/* A client has this long, in all, to send its line and read the answer;
 * nothing in here ever waits for it. */
#define CLIENT_DEADLINE_MS 2000
#define MAX_CLIENTS 8

struct client {
	int fd;                   /* -1: slot free */
	uint64_t deadline;        /* ms */
	char in[SB_CTLCMD_LINE_MAX];
	size_t got;
	struct out o;             /* the answer, once the line is in */
	size_t sent;
	enum pending pending;     /* a change: answered after its publication */
};

struct sb_ctlsock {
	int fd;
	char path[108];
	dev_t dev;                /* the socket file we bound, to unlink only it */
	ino_t ino;
	int64_t gid;              /* [switchback] ctl_group, -1 = root only */
	struct client cl[MAX_CLIENTS];
	uint64_t refused, timed_out;
};

static void
client_close(struct sb_ctlsock *s, struct client *k)
{
	(void)s;
	close(k->fd);
	k->fd = -1;
	free(k->o.buf);
	k->o.buf = NULL;
}

/* Root, our own user, or (with ctl_group) a member of that group: the
 * peer's credentials as the kernel saw them at connect(). */
static bool
peer_allowed(const struct sb_ctlsock *s, int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return false;
	*uid = cr.uid;
	if (cr.uid == 0 || cr.uid == geteuid())
		return true;
	if (s->gid < 0)
		return false;
	if (cr.gid == (gid_t)s->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == (gid_t)s->gid)
			return true;
	return false;
}

int
sb_ctlsock_open(struct sb_ctl *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sb_ctlsock *s;
	struct stat st;
	int fd, e;

	c->ctl_fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	/* A stale socket from an earlier run goes; anything else at the
	 * configured path (a file, a link to one) is not ours to remove. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	s->gid = c->cfg->ctl_gid;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		free(s);
		return -errno;
	}
	strcpy(sa.sun_path, path);
	/* Nobody can connect before listen(): the mode and group are set
	 * on the file in between, so there is no window at 0777 - umask. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	if (chmod(path, s->gid >= 0 ? 0660 : 0600) != 0 ||
	    (s->gid >= 0 && chown(path, (uid_t)-1, (gid_t)s->gid) != 0) ||
	    lstat(path, &st) != 0 || listen(fd, MAX_CLIENTS) != 0) {
		e = errno;
		unlink(path);
		errno = e;
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->fd = fd;
	snprintf(s->path, sizeof(s->path), "%s", path);
	c->ctls = s;
	c->ctl_fd = fd;
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", path);
	return 0;
fail:
	e = errno;
	close(fd);
	free(s);
	return -e;
}

/* Read what the client sent; once its line is in, run it. */
static void
client_read(struct sb_ctl *c, struct client *k)
{
	bool json = false;

	for (;;) {
		ssize_t n = recv(k->fd, k->in + k->got, sizeof(k->in) - k->got, MSG_DONTWAIT);

		if (n > 0) {
			k->got += (size_t)n;
			if (memchr(k->in, '\n', k->got) == NULL && k->got < sizeof(k->in))
				continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return;         /* more later, within the deadline */
		}
		/* A whole line, a full buffer, or the end of what it sends. */
		break;
	}
	k->o.buf = malloc(OUT_MAX);
	k->o.len = 0;
	k->sent = 0;
	if (k->o.buf == NULL)
		return;
	k->pending = run(c, k->in, k->got, &k->o, &json);
	/* --json: a refusal's body is {"error": "..."} too. */
	if (json && k->pending == ANSWER_NOW)
		k->o.len = sb_ctlcmd_json_error_body(k->o.buf, k->o.len, OUT_MAX);
}

/* Send what the client can take now; true when all of it went. */
static bool
client_write(struct client *k)
{
	while (k->sent < k->o.len) {
		ssize_t n = send(k->fd, k->o.buf + k->sent, k->o.len - k->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			k->sent += (size_t)n;
		else if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		else
			return true;    /* gone: nothing more to do for it */
	}
	return true;
}

void
sb_ctlsock_poll(struct sb_ctl *c)
{
	struct sb_ctlsock *s = c->ctls;
	uint64_t now = sb_now_ms();

	if (s == NULL)
		return;
	/* New clients, while there is a slot for them. */
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &s->cl[i];
		uid_t uid = (uid_t)-1;
		int fd;

		if (k->fd >= 0)
			continue;
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		if (!peer_allowed(s, fd, &uid)) {
			char no[512] = "error: permission denied (the control socket "
				       "serves root and [switchback] ctl_group)\n", why[256];
			struct sb_ctlcmd cmd;
			ssize_t got;
			size_t len = strlen(no);

			s->refused++;
			/* Logged at the 1st, 2nd, 4th... refusal: not a flood. */
			if ((s->refused & (s->refused - 1)) == 0)
				SB_WARN(CTL, "control socket: refused a client of uid %d (%lu so far)",
					(int)uid, (unsigned long)s->refused);
			/* Read what it sent first: closing on unread data
			 * would reset the connection before it reads why. */
			got = recv(fd, k->in, sizeof(k->in), MSG_DONTWAIT);
			/* With --json, the refusal in JSON too. */
			if (got > 0)
				(void)sb_ctlcmd_parse(k->in, (size_t)got, &cmd, why, sizeof(why));
			if (got > 0 && cmd.json)
				len = sb_ctlcmd_json_error_body(no, len, sizeof(no));
			(void)!send(fd, no, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		memset(k, 0, sizeof(*k));
		k->fd = fd;
		k->deadline = now + CLIENT_DEADLINE_MS;
	}
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &s->cl[i];

		if (k->fd < 0)
			continue;
		if (k->o.buf == NULL)
			client_read(c, k);
		if (k->o.buf != NULL && k->pending == ANSWER_NOW && client_write(k)) {
			client_close(s, k);
			continue;
		}
		if (now >= k->deadline) {
			s->timed_out++;
			if ((s->timed_out & (s->timed_out - 1)) == 0)
				SB_WARN(CTL, "control socket: a client overran its %d ms (%lu so far)",
					CLIENT_DEADLINE_MS, (unsigned long)s->timed_out);
			client_close(s, k);
		}
	}
}

void
sb_ctlsock_answer(struct sb_ctl *c)
{
	struct sb_ctlsock *s = c->ctls;

	if (s == NULL)
		return;
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &s->cl[i];

		if (k->fd < 0 || k->pending == ANSWER_NOW)
			continue;
		if (k->pending != ANSWER_HELD)
			out(&k->o, "ok\n");
		if (k->pending == ANSWER_OK_JSON)
			out(&k->o, "{\"ok\": true}\n");
		else if (k->pending == ANSWER_WANS || k->pending == ANSWER_WANS_JSON)
			wans(c, &k->o, k->pending == ANSWER_WANS_JSON);
		k->pending = ANSWER_NOW;
		if (client_write(k))
			client_close(s, k);
	}
}

void
sb_ctlsock_close(struct sb_ctl *c)
{
	struct sb_ctlsock *s = c->ctls;
	struct stat st;

	if (s == NULL)
		return;
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0)
			client_close(s, &s->cl[i]);
	close(s->fd);
	/* Only the socket we made: not whatever took its path since. */
	if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	free(s);
	c->ctls = NULL;
	c->ctl_fd = -1;
}
