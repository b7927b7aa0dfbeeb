/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the operator's commands (opscmd.h).
 *
 * Sessions are read from the worker's table while the worker runs: a read
 * of a session the worker changes at that moment may mix its old and new
 * fields (the listing is a view, never an input to forwarding). Reading
 * the table costs O(capacity), about a millisecond per million sessions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "conntrack.h"
#include "ctl.h"
#include "ctlcmd.h"
#include "notify.h"
#include "ops.h"
#include "json.h"
#include "opscmd.h"
#include "reload_run.h"
#include "probe.h"
#include "outbuf.h"
#include "sb_log.h"


/* --- what this file reads of the control context ------------------------ */

static uint32_t
wan_gen(const struct sb_ctl *c, unsigned p)
{
	return c->wans.wan[p].gen;
}

/* Flush WAN @p's sessions the way a WAN going down does: its generation
 * moves, each session is a miss on its next packet. O(1). */
static void
wan_flush(struct sb_ctl *c, unsigned p, uint64_t now)
{
	c->wans.wan[p].gen++;
	(void)now;
}

/* Published once by the control loop, before the answer goes. */
static void
republish(struct sb_ctl *c, uint64_t now)
{
	(void)now;
	c->dirty = true;
}

/* --- helpers -------------------------------------------------------------- */

static void
ip4(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* "3d04h", "1h02m", "4m05s", "12.3s" */
static void
duration(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, len, "%lud%02luh", (unsigned long)(s / 86400),
			 (unsigned long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%luh%02lum", (unsigned long)(s / 3600),
			 (unsigned long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lum%02lus", (unsigned long)(s / 60), (unsigned long)(s % 60));
	else
		snprintf(buf, len, "%.1fs", ms / 1000.0);
}

/* 950, 12.3k, 4.56M, 1.20G */
static void
si(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static const char *
proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp" : "other";
}

static const char *
ct_state_name(unsigned s)
{
	static const char *const n[] = { "new", "established", "fin-orig", "fin-reply",
					 "time-wait", "closed" };

	return s < RTE_DIM(n) ? n[s] : "?";
}

static int
wan_port(const struct sb_ctl *c, const char *name)
{
	int p = sb_config_port_index(c->cfg, name);

	return p >= 0 && c->cfg->ports[p].role == SB_ROLE_WAN ? p : -1;
}

/* --- sessions --------------------------------------------------------- */

struct ct_filter {
	int wan;                  /* port index, -1 = any */
	uint32_t src, src_mask;   /* host order */
	unsigned limit;
};

struct ct_view {
	const struct sb_session *s;
	uint32_t idx;
	uint64_t idle_ms, timeout_ms;
};

/* The WAN a session leaves by, or -1 (LAN to LAN). */
static int
session_wan(const struct sb_ctl *c, const struct sb_session *s)
{
	if (s->out_port < c->n_ports && c->cfg->ports[s->out_port].role == SB_ROLE_WAN)
		return s->out_port;
	return -1;
}

/* A session the worker would still use: in use, its WAN generation
 * current (a flushed one is only waiting for its next packet to go), not
 * past its idle timeout (the sweep is incremental). */
static bool
session_live(const struct sb_ctl *c, const struct sb_ct *ct, const struct sb_session *s,
	     uint64_t now_tsc, struct ct_view *v)
{
	uint32_t now_u = (uint32_t)(now_tsc >> ct->tshift);
	uint64_t idle_tsc, to;
	int wan;

	if (!s->in_use)
		return false;
	wan = session_wan(c, s);
	/* Inbound sessions leave out the moves of failback (worker_priv.h). */
	if (wan >= 0 && (uint16_t)(wan_gen(c, (unsigned)wan) -
				   (s->nat == SB_CT_NAT_FWD ? c->wans.wan[wan].moves : 0)) != s->wan_gen)
		return false;
	idle_tsc = (uint64_t)(uint32_t)(now_u - s->last) << ct->tshift;
	to = sb_ct_timeout(ct, s);
	if (idle_tsc > to)
		return false;
	v->s = s;
	v->idx = sb_ct_index(ct, s);
	v->idle_ms = idle_tsc * 1000 / rte_get_tsc_hz();
	v->timeout_ms = to * 1000 / rte_get_tsc_hz();
	return true;
}

/* Every worker's sessions, numbered worker by worker (the ids shown). */
static uint32_t
ct_total(const struct sb_ctl *c)
{
	return (uint32_t)sb_ctl_ct_capacity(c);
}

/* Session @i of that numbering, and the table (*@ct) it lies in. */
static const struct sb_session *
ct_at(const struct sb_ctl *c, uint32_t i, const struct sb_ct **ct)
{
	uint32_t per = c->ct[0]->capacity;

	*ct = c->ct[i / per];
	return &(*ct)->s[i % per];
}

static bool
match(const struct sb_ctl *c, const struct ct_filter *f, const struct sb_session *s)
{
	if (f->wan >= 0 && session_wan(c, s) != f->wan)
		return false;
	if (f->src_mask != 0 && (rte_be_to_cpu_32(s->lan_addr) & f->src_mask) != f->src)
		return false;
	return true;
}

struct ct_count {
	uint64_t total, by_wan[SB_MAX_PORTS], lan_only, by_proto[4];
};

static void
ct_count(const struct sb_ctl *c, const struct ct_filter *f, struct ct_count *n)
{
	uint64_t now = rte_rdtsc();
	uint32_t total = ct_total(c);

	memset(n, 0, sizeof(*n));
	for (uint32_t i = 0; i < total; i++) {
		const struct sb_ct *ct;
		const struct sb_session *s = ct_at(c, i, &ct);
		struct ct_view v;
		int wan;

		if (!session_live(c, ct, s, now, &v) || (f != NULL && !match(c, f, s)))
			continue;
		n->total++;
		wan = session_wan(c, s);
		if (wan >= 0)
			n->by_wan[wan]++;
		else
			n->lan_only++;
		n->by_proto[s->proto == 6 ? 0 : s->proto == 17 ? 1 : s->proto == 1 ? 2 : 3]++;
	}
}

uint32_t
sb_opscmd_count_wans(const struct sb_ctl *c, uint32_t from, uint32_t n, uint64_t *by_wan)
{
	uint64_t now = rte_rdtsc();
	uint32_t total = ct_total(c);
	uint32_t end = from + n < from || from + n > total ? total : from + n;

	for (uint32_t i = from; i < end; i++) {
		const struct sb_ct *ct;
		const struct sb_session *s = ct_at(c, i, &ct);
		struct ct_view v;
		int wan;

		if (session_live(c, ct, s, now, &v) && (wan = session_wan(c, s)) >= 0)
			by_wan[wan]++;
	}
	return end;
}

static void
session_line(const struct sb_ctl *c, const struct sb_ct *ct, const struct ct_view *v,
	     struct out *o, bool json, bool first)
{
	const struct sb_session *s = v->s;
	char src[20], dst[20], ext[20];
	int wan = session_wan(c, s);
	const char *wn = wan >= 0 ? c->cfg->ports[wan].name : "-";

	ip4(rte_be_to_cpu_32(s->lan_addr), src, sizeof(src));
	ip4(rte_be_to_cpu_32(sb_ct_orig_dst(ct, s)), dst, sizeof(dst));
	ip4(rte_be_to_cpu_32(sb_ct_ext_addr(ct, s)), ext, sizeof(ext));
	if (json) {
		out(o, "%s\n  {\"id\": %u, \"proto\": \"%s\", \"src\": \"%s\", \"sport\": %u, "
		    "\"dst\": \"%s\", \"dport\": %u, \"wan\": %s%s%s, \"out_port\": \"%s\", "
		    "\"nat\": %s, \"ext\": \"%s\", \"ext_port\": %u, \"state\": \"%s\", "
		    "\"idle_ms\": %lu, \"timeout_ms\": %lu}",
		    first ? "" : ",", v->idx, proto_name(s->proto), src,
		    rte_be_to_cpu_16(s->lan_port), dst, rte_be_to_cpu_16(s->orig_dport),
		    wan >= 0 ? "\"" : "", wan >= 0 ? wn : "null", wan >= 0 ? "\"" : "",
		    s->out_port < c->n_ports ? c->cfg->ports[s->out_port].name : "?",
		    s->nat != SB_CT_NAT_NONE ? "true" : "false", ext, rte_be_to_cpu_16(s->ext_port),
		    ct_state_name(s->state), (unsigned long)v->idle_ms,
		    (unsigned long)v->timeout_ms);
		return;
	}
	{
		char sp[8], dp[8], ep[8], a[48], b[48], x[48];

		snprintf(sp, sizeof(sp), "%u", rte_be_to_cpu_16(s->lan_port));
		snprintf(dp, sizeof(dp), "%u", rte_be_to_cpu_16(s->orig_dport));
		snprintf(ep, sizeof(ep), "%u", rte_be_to_cpu_16(s->ext_port));
		snprintf(a, sizeof(a), "%s:%s", src, sp);
		snprintf(b, sizeof(b), "%s:%s", dst, dp);
		if (s->nat != SB_CT_NAT_NONE)
			snprintf(x, sizeof(x), "%s:%s", ext, ep);
		else
			snprintf(x, sizeof(x), "-");
		out(o, "%-5s %-21s %-21s %-21s %-6s %-11s %6.1fs/%lus\n", proto_name(s->proto), a, b,
		    x, wn, ct_state_name(s->state), v->idle_ms / 1000.0,
		    (unsigned long)(v->timeout_ms / 1000));
	}
}

static int
filter_of(const struct sb_ctl *c, const struct sb_ctlcmd *cmd, struct ct_filter *f, struct out *o)
{
	f->wan = -1;
	f->src = cmd->src;
	f->src_mask = cmd->src_mask;
	f->limit = cmd->limit;
	if (cmd->name[0] != '\0') {
		f->wan = wan_port(c, cmd->name);
		if (f->wan < 0) {
			out(o, "error: no WAN port named \"%s\"\n", cmd->name);
			return -1;
		}
	}
	return 0;
}

static void
conntrack_print(struct sb_ctl *c, const struct ct_filter *f, struct out *o, bool json)
{
	uint64_t now = rte_rdtsc();
	uint32_t total = ct_total(c);
	unsigned shown = 0;
	uint64_t matched = 0;

	out(o, "ok\n");
	if (json)
		out(o, "{\"sessions\": [");
	else
		out(o, "%-5s %-21s %-21s %-21s %-6s %-11s %s\n", "proto", "source", "destination",
		    "translated", "wan", "state", "idle/timeout");
	for (uint32_t i = 0; i < total; i++) {
		const struct sb_ct *ct;
		const struct sb_session *s = ct_at(c, i, &ct);
		struct ct_view v;

		if (!session_live(c, ct, s, now, &v) || !match(c, f, s))
			continue;
		v.idx = i;
		matched++;
		if (shown < f->limit && o->len + 512 < o->cap) {
			session_line(c, ct, &v, o, json, shown == 0);
			shown++;
		}
	}
	if (json)
		out(o, "\n], \"shown\": %u, \"matched\": %lu}\n", shown, (unsigned long)matched);
	else
		out(o, "%u shown of %lu matching sessions\n", shown, (unsigned long)matched);
}

static void
conntrack_count(struct sb_ctl *c, const struct ct_filter *f, struct out *o, bool json)
{
	struct ct_count n;

	ct_count(c, f, &n);
	out(o, "ok\n");
	if (json) {
		out(o, "{\"total\": %lu, \"capacity\": %u, \"tcp\": %lu, \"udp\": %lu, \"icmp\": %lu, "
		    "\"other\": %lu, \"lan_only\": %lu, \"by_wan\": {", (unsigned long)n.total,
		    ct_total(c), (unsigned long)n.by_proto[0], (unsigned long)n.by_proto[1],
		    (unsigned long)n.by_proto[2], (unsigned long)n.by_proto[3],
		    (unsigned long)n.lan_only);
		for (unsigned p = 0, k = 0; p < c->n_ports; p++)
			if (c->cfg->ports[p].role == SB_ROLE_WAN)
				out(o, "%s\"%s\": %lu", k++ ? ", " : "", c->cfg->ports[p].name,
				    (unsigned long)n.by_wan[p]);
		out(o, "}}\n");
		return;
	}
	out(o, "sessions: %lu of %u (tcp %lu, udp %lu, icmp %lu)\n", (unsigned long)n.total,
	    ct_total(c), (unsigned long)n.by_proto[0], (unsigned long)n.by_proto[1],
	    (unsigned long)n.by_proto[2]);
	for (unsigned p = 0; p < c->n_ports; p++)
		if (c->cfg->ports[p].role == SB_ROLE_WAN)
			out(o, "  %-8s %lu\n", c->cfg->ports[p].name, (unsigned long)n.by_wan[p]);
	if (n.lan_only != 0)
		out(o, "  %-8s %lu\n", "(lan)", (unsigned long)n.lan_only);
}

static void
conntrack_flush(struct sb_ctl *c, int wan, struct out *o, bool json)
{
	struct ct_filter f = { .wan = wan };
	struct ct_count n;
	uint64_t now = sb_now_ms();

	ct_count(c, &f, &n);
	for (unsigned p = 0; p < c->n_ports; p++)
		if (c->cfg->ports[p].role == SB_ROLE_WAN && (wan < 0 || (unsigned)wan == p))
			wan_flush(c, p, now);
	republish(c, now);
	SB_WARN(CTL, "conntrack flush%s%s: %lu sessions flushed by the operator",
		wan >= 0 ? " wan=" : "", wan >= 0 ? c->cfg->ports[wan].name : "",
		(unsigned long)n.total);
	out(o, "ok\n");
	if (json)
		out(o, "{\"flushed\": %lu, \"wan\": %s%s%s}\n", (unsigned long)n.total,
		    wan >= 0 ? "\"" : "", wan >= 0 ? c->cfg->ports[wan].name : "null",
		    wan >= 0 ? "\"" : "");
	else
		out(o, "%lu sessions flushed%s%s (each goes on its next packet; TCP ones are "
		    "reset towards the LAN)\n", (unsigned long)n.total, wan >= 0 ? " on " : "",
		    wan >= 0 ? c->cfg->ports[wan].name : "");
}

/* --- status --------------------------------------------------------------- */

static const char *
state_word(const struct sb_status_wan *w)
{
	if (w->forced < 0)
		return "forced-down";
	if (w->forced > 0)
		return "forced-up";
	return sb_wstate_name((enum sb_wstate)w->state);
}

static void
status(struct sb_ctl *c, struct out *o, bool json)
{
	uint64_t now = sb_now_ms();
	const struct sb_status *st = sb_ops_status(c, now);
	const struct sb_ops *ops = c->ops;
	struct ct_count n;
	char up[32];

	if (st == NULL) {
		out(o, "error: out of memory\n");
		return;
	}
	ct_count(c, NULL, &n);
	duration(now - c->start_ms, up, sizeof(up));
	out(o, "ok\n");
	if (json) {
		out(o, "{\"uptime_s\": %.3f, \"state_version\": %lu, \"config\": \"%s\", "
		    "\"sessions\": {\"active\": %lu, \"capacity\": %lu, \"created\": %lu}, "
		    "\"wans\": [", (now - c->start_ms) / 1000.0, (unsigned long)st->state_version,
		    c->cfg->path, (unsigned long)n.total, (unsigned long)st->sessions_capacity,
		    (unsigned long)st->sessions_created);
		for (unsigned i = 0; i < st->n_wans; i++) {
			const struct sb_status_wan *w = &st->wan[i];
			struct sb_ops_rate r;
			char reason[1100];

			sb_ops_rate(ops, w->port, &r);
			sb_json_escape(w->reason, reason, sizeof(reason));
			out(o, "%s\n {\"name\": \"%s\", \"state\": \"%s\", \"forced\": %s, "
			    "\"in_service\": %s, \"link\": %s, \"since_s\": %.3f, \"changes\": %lu, "
			    "\"reason\": \"%s\", \"sessions\": %lu, \"sessions_created\": %lu, "
			    "\"rx_pps\": %.1f, \"rx_bps\": %.1f, \"tx_pps\": %.1f, \"tx_bps\": %.1f, "
			    "\"monitors\": [", i ? "," : "", w->name,
			    sb_wstate_name((enum sb_wstate)w->state),
			    w->forced < 0 ? "\"down\"" : w->forced > 0 ? "\"up\"" : "null",
			    w->in_service ? "true" : "false", w->link_up ? "true" : "false",
			    (now - w->since_ms) / 1000.0, (unsigned long)w->changes, reason,
			    (unsigned long)n.by_wan[w->port], (unsigned long)w->sessions_created,
			    r.rx_pps, r.rx_bps, r.tx_pps, r.tx_bps);
			for (unsigned k = 0; k < w->n_mons; k++) {
				const struct sb_status_mon *m = &w->mon[k];
				char a[20];

				ip4(m->addr, a, sizeof(a));
				out(o, "%s{\"address\": \"%s\", \"up\": %s, \"degraded\": %s, "
				    "\"rtt_ms\": %.3f, \"jitter_ms\": %.3f, \"loss_pct\": %u, "
				    "\"sent\": %lu, \"answered\": %lu}", k ? ", " : "", a,
				    m->up ? "true" : "false", m->degraded ? "true" : "false",
				    m->rtt_us / 1000.0, m->jitter_us / 1000.0, m->loss_pct,
				    (unsigned long)m->sent, (unsigned long)m->answered);
			}
			out(o, "]}");
		}
		out(o, "\n], \"ports\": [");
		for (unsigned p = 0; p < st->n_ports; p++) {
			struct sb_ops_rate r;

			sb_ops_rate(ops, p, &r);
			out(o, "%s\n {\"name\": \"%s\", \"role\": \"%s\", \"link\": %s, "
			    "\"rx_pps\": %.1f, \"rx_bps\": %.1f, \"tx_pps\": %.1f, \"tx_bps\": %.1f, "
			    "\"rx_missed\": %lu, \"rx_errors\": %lu, \"tx_errors\": %lu}", p ? "," : "",
			    st->port[p].name, st->port[p].wan ? "wan" : "lan",
			    st->port[p].link_up ? "true" : "false", r.rx_pps, r.rx_bps, r.tx_pps,
			    r.tx_bps, (unsigned long)st->port[p].rx_missed,
			    (unsigned long)st->port[p].rx_errors, (unsigned long)st->port[p].tx_errors);
		}
		out(o, "\n]}\n");
		return;
	}
	out(o, "switchback up %s, config %s, forwarding state v%lu\n", up, c->cfg->path,
	    (unsigned long)st->state_version);
	out(o, "sessions: %lu active of %lu, %lu created since start\n\n", (unsigned long)n.total,
	    (unsigned long)st->sessions_capacity, (unsigned long)st->sessions_created);
	out(o, "%-8s %-12s %-9s %-8s %8s %9s %9s %9s %9s\n", "WAN", "STATE", "FOR", "SERVICE",
	    "SESSIONS", "IN pps", "IN bit/s", "OUT pps", "OUT bit/s");
	for (unsigned i = 0; i < st->n_wans; i++) {
		const struct sb_status_wan *w = &st->wan[i];
		struct sb_ops_rate r;
		char d[32], a[16], b[16], x[16], y[16];

		sb_ops_rate(ops, w->port, &r);
		duration(now - w->since_ms, d, sizeof(d));
		si(r.rx_pps, a, sizeof(a));
		si(r.rx_bps, b, sizeof(b));
		si(r.tx_pps, x, sizeof(x));
		si(r.tx_bps, y, sizeof(y));
		out(o, "%-8s %-12s %-9s %-8s %8lu %9s %9s %9s %9s\n", w->name, state_word(w), d,
		    w->in_service ? "yes" : "NO", (unsigned long)n.by_wan[w->port], a, b, x, y);
		out(o, "         %s%s\n", w->link_up ? "" : "link DOWN; ", w->reason);
		for (unsigned k = 0; k < w->n_mons; k++) {
			const struct sb_status_mon *m = &w->mon[k];
			char ad[20];

			ip4(m->addr, ad, sizeof(ad));
			out(o, "         monitor %-15s %-8s rtt %7.2f ms  jitter %6.2f ms  loss %3u%%  "
			    "%lu/%lu answered\n", ad, !m->up ? "DOWN" : m->degraded ? "degraded" : "up",
			    m->rtt_us / 1000.0, m->jitter_us / 1000.0, m->loss_pct,
			    (unsigned long)m->answered, (unsigned long)m->sent);
		}
	}
	out(o, "\n%-8s %-5s %-5s %9s %9s %9s %9s\n", "PORT", "ROLE", "LINK", "IN pps", "IN bit/s",
	    "OUT pps", "OUT bit/s");
	for (unsigned p = 0; p < st->n_ports; p++) {
		struct sb_ops_rate r;
		char a[16], b[16], x[16], y[16];

		sb_ops_rate(ops, p, &r);
		si(r.rx_pps, a, sizeof(a));
		si(r.rx_bps, b, sizeof(b));
		si(r.tx_pps, x, sizeof(x));
		si(r.tx_bps, y, sizeof(y));
		out(o, "%-8s %-5s %-5s %9s %9s %9s %9s\n", st->port[p].name,
		    st->port[p].wan ? "wan" : "lan", st->port[p].link_up ? "up" : "DOWN", a, b, x, y);
	}
	if (ops->track.n_events != 0) {
		const struct sb_status_event *e =
			&ops->track.ev[(ops->track.n_events - 1) % SB_STATUS_EVENTS];
		char d[32];

		duration(now - e->mono_ms, d, sizeof(d));
		out(o, "\nlast change %s ago: %s %s -> %s (%s)\n", d, e->wan,
		    sb_wstate_name((enum sb_wstate)e->old_state),
		    sb_wstate_name((enum sb_wstate)e->new_state), e->reason);
	}
}

static void
events(struct sb_ctl *c, struct out *o, bool json)
{
	const struct sb_status_track *t;
	unsigned n, from;

	if (c->ops == NULL)
		sb_ops_tick(c, sb_now_ms());
	if (c->ops == NULL) {
		out(o, "error: out of memory\n");
		return;
	}
	t = &c->ops->track;
	n = t->n_events < SB_STATUS_EVENTS ? t->n_events : SB_STATUS_EVENTS;
	from = t->n_events - n;
	out(o, "ok\n");
	if (json)
		out(o, "{\"events\": [");
	for (unsigned i = 0; i < n; i++) {
		const struct sb_status_event *e = &t->ev[(from + i) % SB_STATUS_EVENTS];
		time_t secs = (time_t)(e->unix_ms / 1000);
		struct tm tm;
		char when[32];

		localtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (json) {
			char reason[1100];

			sb_json_escape(e->reason, reason, sizeof(reason));
			out(o, "%s\n {\"time\": %.3f, \"wan\": \"%s\", \"old_state\": \"%s\", "
			    "\"new_state\": \"%s\", \"old_in_service\": %s, \"in_service\": %s, "
			    "\"reason\": \"%s\"}", i ? "," : "", e->unix_ms / 1000.0, e->wan,
			    sb_wstate_name((enum sb_wstate)e->old_state),
			    sb_wstate_name((enum sb_wstate)e->new_state),
			    e->old_in_service ? "true" : "false", e->new_in_service ? "true" : "false",
			    reason);
		} else {
			out(o, "%s.%03d %-8s %-8s -> %-8s %-14s %s\n", when, (int)(e->unix_ms % 1000),
			    e->wan, sb_wstate_name((enum sb_wstate)e->old_state),
			    sb_wstate_name((enum sb_wstate)e->new_state),
			    e->new_in_service == e->old_in_service ? "" :
			    e->new_in_service ? "(in service)" : "(out of service)", e->reason);
		}
	}
	if (json)
		out(o, "\n], \"total\": %u}\n", t->n_events);
	else if (n == 0)
		out(o, "no WAN state change since start\n");
}

int
sb_opscmd_run(struct sb_ctl *c, const struct sb_ctlcmd *cmd, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };
	struct ct_filter f;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	switch (cmd->op) {
	case SB_CTLCMD_STATUS:
		status(c, &o, cmd->json);
		break;
	case SB_CTLCMD_EVENTS:
		events(c, &o, cmd->json);
		break;
	case SB_CTLCMD_CT_PRINT:
		if (filter_of(c, cmd, &f, &o) == 0)
			conntrack_print(c, &f, &o, cmd->json);
		break;
	case SB_CTLCMD_CT_COUNT:
		if (filter_of(c, cmd, &f, &o) == 0)
			conntrack_count(c, &f, &o, cmd->json);
		break;
	case SB_CTLCMD_CT_FLUSH:
		if (filter_of(c, cmd, &f, &o) == 0)
			conntrack_flush(c, f.wan, &o, cmd->json);
		break;
	case SB_CTLCMD_RELOAD:
		return sb_reload_run(c, cmd->json, buf, cap);
	default:
		return -1;
	}
	return (int)o.len;
}
