/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the daemon. EAL init, ports from the configuration, one
 * worker lcore running the dataplane, and the control loop on the main
 * lcore: ARP, check-gateway probes, RIB resolution and publication. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>
#include <rte_malloc.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "ctl.h"
#include "xdp.h"
#include "sb_log.h"
#include "conntrack.h"
#include "fib.h"
#include "neigh.h"
#include "nat.h"
#include "port.h"
#include "pkt.h"
#include "pcc.h"
#include "eim.h"
#include "notify.h"
#include "publish.h"
#include "ops.h"
#include "reload_run.h"

#define RING_SIZE 4096
#define ARP_RETRY_MS 1000
#define SB_ICMP_TIME_EXCEEDED 11

/* Set by the signal handler only: the one piece of process-wide mutable
 * state, as a handler cannot be given a context. */
static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t reload_signal;  /* SIGHUP: reload the file */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		quit_signal = sig;
}

uint64_t
sb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- -c FILE.ini [--check]\n"
	       "  -c, --config FILE  configuration (INI, see docs/config.md)\n"
	       "  -t, --check        validate the configuration and exit (no EAL needed)\n"
	       "  -h, --help         this text\n"
	       "The EAL needs two lcores (-l 0,1): the main one runs control, the other the worker.\n",
	       prog);
}

/* Hand a control-built frame to the worker for transmission on @port. */
static void
inject(struct sb_ctl *c, unsigned port, struct rte_mbuf *m)
{
	if (m == NULL)
		return;
	m->hash.usr = port;
	if (rte_ring_enqueue(c->inject, m) != 0)
		rte_pktmbuf_free(m);
}

static bool
on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	uint32_t mask = ~0u << (32 - p->prefix_len);

	return ((ip ^ p->addr) & mask) == 0;
}

/* Ask who has @ip on @port, at most once per ARP_RETRY_MS per entry. */
static void
arp_request(struct sb_ctl *c, unsigned port, uint32_t ip, uint64_t now)
{
	const struct sb_port_conf *pc = &c->cfg->ports[port];
	int32_t idx;

	if (!on_subnet(pc, ip))
		return;
	idx = sb_neigh_get(c->neigh, (uint16_t)port, ip);
	if (idx < 0)
		return;
	struct sb_neigh_entry *e = &c->neigh->e[idx];

	if (e->is_static || (e->last_request_ms != 0 && now - e->last_request_ms < ARP_RETRY_MS))
		return;
	e->last_request_ms = now;
	inject(c, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REQUEST, &c->mac[port], pc->addr,
				   NULL, ip));
}

/* --- RIB -> published state --------------------------------------------- */

/* One monitor's evidence, e.g. "192.0.2.53 timeout" or "192.0.2.53 loss 35% > 5%". */
static size_t
mon_evidence(const struct sb_probe *m, const struct sb_wan_conf *wc, char *buf, size_t len)
{
	char a[20];

	ip_str(m->target, a, sizeof(a));
	if (m->down)
		return (size_t)snprintf(buf, len, "%s timeout", a);
	if (m->loss_bad)
		return (size_t)snprintf(buf, len, "%s loss %u%% > %u%%", a,
					sb_probe_loss_pct(m, wc->window), wc->loss_pct);
	if (m->lat_bad)
		return (size_t)snprintf(buf, len, "%s rtt %.1f ms > %u ms", a, m->rtt_avg_us / 1000.0,
					wc->latency_ms);
	return (size_t)snprintf(buf, len, "%s ok %.1f ms", a, m->rtt_avg_us / 1000.0);
}

/* "(192.0.2.53 timeout, 192.0.2.55 ok 0.4 ms)" for the log and the reason. */
static void
wan_evidence(const struct sb_ctl *c, unsigned p, char *buf, size_t len)
{
	const struct sb_wan_mon *wm = &c->wmon[p];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < wm->n && off + 2 < len; k++) {
		if (k)
			off += (size_t)snprintf(buf + off, len - off, ", ");
		if (off < len)
			off += mon_evidence(&c->mons[wm->first + k], &c->cfg->wan[p], buf + off,
					    len - off);
	}
}

/* A WAN judged by its [wan NAME] monitors: its state, whether it is out,
 * and why, with the evidence. */
static void
wan_from_monitors(const struct sb_ctl *c, unsigned p, bool *down, enum sb_wstate *state,
		  char *why, size_t len)
{
	const struct sb_wan_mon *wm = &c->wmon[p];
	const struct sb_wan_conf *wc = &c->cfg->wan[p];
	char ev[512];

	wan_evidence(c, p, ev, sizeof(ev));
	*down = wm->out;
	*state = wm->out ? wm->out_state : wm->h.state;
	if (*state == SB_WAN_DOWN)
		snprintf(why, len, "%u/%u monitors answered for %u rounds%s (%s)%s", wm->h.answering,
			 wm->h.n, wc->down_after, wc->quorum > 1 ? ", quorum not met" : "", ev,
			 wm->holding ? ", failback waits for the hold-down" : "");
	else if (*state == SB_WAN_DEGRADED)
		snprintf(why, len, "%u/%u monitors within thresholds, trigger %s: %s (%s)%s",
			 wm->h.clean, wm->h.n, sb_trigger_name(wc->trigger),
			 wm->out ? "traffic goes to other WANs" : "traffic stays on it", ev,
			 wm->holding ? ", failback waits for the hold-down" : "");
	else
		snprintf(why, len, "%u/%u monitors answered for %u rounds%s (%s)", wm->h.clean, wm->h.n,
			 wc->up_after, wc->hold_down_ms ? " and the hold-down" : "", ev);
}

/* The JSON body of a webhook notification. */
static void
webhook_notify(struct sb_ctl *c, const char *event, unsigned p, const char *old_state,
	       const char *new_state, const char *why)
{
	char body[1024], reason[640];

	if (c->notifier == NULL)
		return;
	sb_json_escape(why, reason, sizeof(reason));
	snprintf(body, sizeof(body), "{\"event\": \"%s\", \"wan\": \"%s\", \"old_state\": \"%s\", "
		 "\"new_state\": \"%s\", \"reason\": \"%s\", \"time\": %ld, \"in_service\": %s}",
		 event, c->cfg->ports[p].name, old_state, new_state, reason, (long)time(NULL),
		 c->wan_down[p] ? "false" : "true");
	sb_notifier_post(c->notifier, body);
}

static void
update_wans(struct sb_ctl *c)
{
	for (unsigned p = 0; p < c->n_ports; p++) {
		bool has_check = false, all_failed = true, down;
		enum sb_wstate state = SB_WAN_UP;
		char why[640] = "";
		size_t off = 0;

		if (c->cfg->ports[p].role != SB_ROLE_WAN)
			continue;
		for (unsigned k = 0; k < c->n_probes; k++) {
			const struct sb_probe *pr = &c->probes[k];
			const struct sb_rib_route *r = &c->rib->r[pr->route];
			const struct sb_rib_result *rs = sb_rib_result(c->rib, pr->route);
			bool via = false;
			char a[20];

			for (unsigned h = 0; h < rs->n_nh; h++)
				via |= rs->nh[h].port == p;
			if (!via)
				continue;
			has_check = true;
			all_failed &= pr->down || pr->degraded;
			ip_str(pr->target, a, sizeof(a));
			off += (size_t)snprintf(why + off, off < sizeof(why) ? sizeof(why) - off : 0,
					"%s%s %s %s", off ? ", " : "", r->name, a,
					pr->down ? "unanswered" : pr->degraded ? "degraded" : "answering");
		}
		if (c->wan_force[p] < 0) {
			down = true;
			snprintf(why, sizeof(why), "forced down by the operator");
		} else if (c->link_down[p]) {
			down = true;
			snprintf(why, sizeof(why), "link down");
		} else if (c->wan_force[p] > 0) {
			down = false;
			snprintf(why, sizeof(why), "forced up by the operator");
		} else if (c->cfg->wan[p].enabled) {
			wan_from_monitors(c, p, &down, &state, why, sizeof(why));
		} else {
			down = has_check && all_failed;
		}
		if (!c->cfg->wan[p].enabled || c->wan_force[p] != 0 || c->link_down[p])
			state = down ? SB_WAN_DOWN : SB_WAN_UP;
		snprintf(c->wan_reason[p], sizeof(c->wan_reason[p]), "%s", why);
		if (down == c->wan_down[p] && state == c->wan_state[p])
			continue;
		enum sb_wstate old_state = c->wan_state[p];
		bool was_down = c->wan_down[p];

		c->wan_state[p] = state;
		c->wan_changes++;
		if (c->cfg->wan[p].enabled) {
			/* Monitored WANs: every state change is told, with
			 * the three states. */
			const char *on = sb_wstate_name(old_state), *nn = sb_wstate_name(state);
			char upper[16];

			snprintf(upper, sizeof(upper), "%s", nn);
			for (char *q = upper; *q; q++)
				*q = (char)(*q - 32 * (*q >= 'a' && *q <= 'z'));
			SB_WARN(WAN, "wan %s %s: %s", c->cfg->ports[p].name, upper, why);
			if (c->cfg->hook[0] != '\0')
				sb_notify_run(c->cfg->hook, "change", c->cfg->ports[p].name, on, nn, why);
			c->wan_down[p] = down;
			webhook_notify(c, "change", p, on, nn, why);
			if (down == was_down)
				continue;
		} else {
			c->wan_down[p] = down;
			if (c->cfg->hook[0] != '\0')
				sb_notify_run(c->cfg->hook, "change", c->cfg->ports[p].name,
					      down ? "up" : "down", down ? "down" : "up", why);
			webhook_notify(c, "change", p, down ? "up" : "down", down ? "down" : "up", why);
		}
		c->wan_down_since[p] = sb_now_ms();
		c->wan_alerted[p] = false;
		if (down) {
			bool other_up = false;

			for (unsigned q = 0; q < c->n_ports; q++)
				other_up |= q != p && c->cfg->ports[q].role == SB_ROLE_WAN &&
					    !c->wan_down[q];
			/* Lazy flush: sessions pinned to this WAN become
			 * misses on their next packet. O(1) here. Unless the
			 * operator would rather they wait for it, or there is
			 * nowhere better to go: then nothing is flushed for
			 * nothing and the preferred route stays (last resort). */
			if (!c->cfg->ports[p].keep_sessions_on_down && other_up)
				c->wan_gen[p]++;
			if (!other_up)
				SB_WARN(WAN, "wan %s DOWN and no other WAN is up: sessions kept, traffic "
					"keeps trying the preferred route", c->cfg->ports[p].name);
			if (c->cfg->wan[p].enabled)
				;       /* logged above */
			else if (c->wan_force[p] < 0 || c->link_down[p])
				SB_WARN(WAN, "wan %s DOWN: %s", c->cfg->ports[p].name, why);
			else if (strstr(why, "unanswered") != NULL)
				SB_WARN(WAN, "wan %s DOWN: check-gateway failed for %u rounds (%s)",
					c->cfg->ports[p].name, c->cfg->probe_down_after, why);
			else
				SB_WARN(WAN, "wan %s DOWN: quality below thresholds (%s)",
					c->cfg->ports[p].name, why);
		} else {
			/* Metered backups give their sessions back: flushed,
			 * they re-route to the WAN that just came back. */
			for (unsigned q = 0; q < c->n_ports; q++) {
				if (q == p || c->cfg->ports[q].role != SB_ROLE_WAN ||
				    !c->cfg->ports[q].move_sessions_on_failback || c->wan_down[q])
					continue;
				c->wan_gen[q]++;
				SB_INFO(WAN, "wan %s: sessions move back now that %s is up",
					c->cfg->ports[q].name, c->cfg->ports[p].name);
			}
			if (c->cfg->wan[p].enabled)
				;       /* logged above */
			else if (c->wan_force[p] > 0 || !has_check)
				SB_WARN(WAN, "wan %s UP: %s", c->cfg->ports[p].name,
					c->wan_force[p] > 0 ? why : "link up");
			else
				SB_WARN(WAN, "wan %s UP: check-gateway answered for %u rounds%s (%s)",
					c->cfg->ports[p].name, c->cfg->probe_up_after,
					c->cfg->hold_down_ms ? " and the hold-down" : "", why);
		}
	}
}

/* Neighbour index of a group's gateway; asks for its MAC when unknown. */
struct nb_ctx {
	struct sb_ctl *c;
	uint64_t now;
};

static int32_t
path_neigh(void *arg, uint16_t port, uint32_t gw)
{
	struct nb_ctx *x = arg;
	int32_t idx = sb_neigh_get(x->c->neigh, port, gw);

	if (idx >= 0 && !(x->c->neigh->e[idx].mac_state & SB_NEIGH_VALID))
		arp_request(x->c, port, gw, x->now);
	return idx;
}

static void
log_route(void *arg, const struct sb_rib_route *r, const struct sb_rib_result *rs)
{
	(void)arg;
	if (rs->active)
		SB_INFO(RIB, "route %s active", r->name);
	else
		SB_INFO(RIB, "route %s inactive: %s", r->name, rs->reason);
}

#define ROUTE_LOG_MAX 256 /* route change lines per publication */

/* Resolve the RIB, build and publish new nexthop groups, sync the FIB,
 * and free the old state once every worker has passed a quiescent point.
 * Costs O(groups + special routes), not O(prefixes): the FIB is written
 * only for prefixes that were added or must leave or re-enter it. */
int
sb_ctl_publish(struct sb_ctl *c, uint64_t now)
{
	uint64_t t0 = now_us();
	struct sb_rib *rib = c->rib;
	struct sb_dp_state *old = c->state, *st;
	struct nb_ctx nbx = { c, now };
	unsigned n_changed;

	for (unsigned p = 0; p < c->n_ports; p++)
		rib->port_down[p] = c->link_down[p] || c->wan_force[p] < 0;
	/* Probes judge a route; an operator's "wan up" overrides them for the
	 * routes through that WAN (their probe path, ignoring the check). */
	sb_rib_resolve(rib);
	for (unsigned k = 0; k < c->n_probes; k++) {
		struct sb_rib_route *r = &rib->r[c->probes[k].route];
		const struct sb_rib_result *rs = sb_rib_result(rib, c->probes[k].route);
		bool forced_up = rs->n_nh != 0 && c->wan_force[rs->nh[0].port] > 0;

		r->check_failed = (c->probes[k].down || c->probes[k].degraded) && !forced_up;
	}
	/* Routes through a WAN its monitors took out fail like a failed
	 * check (rib.h, port_out); an operator's "wan up" overrides. */
	for (unsigned p = 0; p < c->n_ports; p++)
		rib->port_out[p] = c->cfg->wan[p].enabled && c->wmon[p].out && c->wan_force[p] <= 0;
	sb_rib_resolve(rib);
	update_wans(c);

	st = sb_state_take(&c->spare_state, rib->n_groups);
	if (st == NULL)
		return -ENOMEM;
	st->version = old ? old->version + 1 : 1;
	sb_state_fill(st, rib, path_neigh, &nbx);
	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		st->wan[p].gen = c->wan_gen[p];
		st->wan[p].up = !c->wan_down[p];
	}
	/* Sessions on a gateway that left every group move on their next
	 * packet (worker.c path_dead), those on surviving paths stay. */
	sb_state_mark_dead(st, c->was_path);
	RTE_BUILD_BUG_ON(sizeof(st->pcc_bucket) != SB_PCC_BUCKETS);
	uint16_t pcc_port[SB_PCC_MAX];
	unsigned pcc_n = sb_pcc_members(c->cfg, pcc_port, NULL);

	if (pcc_n != 0) {
		uint16_t weight[SB_PCC_MAX];
		bool up[SB_PCC_MAX];

		for (unsigned m = 0; m < pcc_n; m++) {
			weight[m] = c->cfg->ports[pcc_port[m]].pcc_weight;
			up[m] = !c->wan_down[pcc_port[m]];
		}
		sb_pcc_build(weight, up, pcc_n, st->pcc_bucket);
	}
	sb_state_swap(&c->state, st);

	/* FIB: prefixes with no active route leave it, so a less specific
	 * route can carry their traffic. Group ids never change. */
	if (sb_publish_fib(rib, c->fib) < 0)
		SB_WARN(RIB, "FIB full: some prefixes are not installed (tried again next time)");
	sb_state_keep(old, c->qs, &c->spare_state);
	c->last_publish_us = now_us() - t0;

	n_changed = sb_rib_changes(rib, log_route, NULL, ROUTE_LOG_MAX);
	if (n_changed > ROUTE_LOG_MAX)
		SB_INFO(RIB, "... and %u more route changes", n_changed - ROUTE_LOG_MAX);
	if (old != NULL)
		SB_INFO(RIB, "published state v%lu in %lu us", (unsigned long)st->version,
			(unsigned long)c->last_publish_us);
	sb_telemetry_snapshot(c);
	return 0;
}

/* One probe round's outcome, with failback hysteresis: a probe that
 * answers again stays down for hold_down_ms, and any failure meanwhile
 * cancels the failback. Publishes when the route's state changes. */
static void
probe_result(struct sb_ctl *c, struct sb_probe *p, bool answered, uint64_t now)
{
	const struct sb_rib_route *r = &c->rib->r[p->route];
	enum sb_probe_event ev = sb_probe_round(p, answered, c->cfg->probe_down_after,
						c->cfg->probe_up_after);

	if (sb_probe_judge(p, c->cfg->window, c->cfg->loss_pct, c->cfg->latency_ms)) {
		if (p->degraded)
			SB_WARN(PROBE, "route %s degraded: loss %u%% over %u rounds, rtt %u us "
				"(thresholds: loss %u%%, latency %u ms)", r->name,
				sb_probe_loss_pct(p, c->cfg->window), c->cfg->window, p->rtt_avg_us,
				c->cfg->loss_pct, c->cfg->latency_ms);
		else
			SB_INFO(PROBE, "route %s no longer degraded: loss %u%%, rtt %u us", r->name,
				sb_probe_loss_pct(p, c->cfg->window), p->rtt_avg_us);
		sb_ctl_publish(c, now);
	}

	if (!answered && p->holding) {
		p->holding = false;
		SB_INFO(PROBE, "route %s: failback cancelled, %s failed again during the hold-down",
			r->name, r->name);
	}
	if (ev == SB_PROBE_WENT_UP && c->cfg->hold_down_ms != 0) {
		/* Not yet: keep it down until the hold-down has passed. */
		p->down = true;
		if (!p->holding) {
			p->holding = true;
			p->hold_until = now + c->cfg->hold_down_ms;
			SB_INFO(PROBE, "route %s: check-gateway answering again, failback in %u ms "
				"unless it fails meanwhile", r->name, c->cfg->hold_down_ms);
		}
		return;
	}
	if (ev != SB_PROBE_NONE)
		sb_ctl_publish(c, now);
}

/* The outstanding probe @p was answered (ICMP echo reply or ARP reply). */
static void
probe_answered(struct sb_ctl *c, struct sb_probe *p, uint64_t now)
{
	uint32_t rtt = (uint32_t)(now_us() - p->sent_us);

	p->outstanding = false;
	p->n_answered++;
	sb_probe_account(p, true, rtt);
	p->last_rtt_us = rtt;
	probe_result(c, p, true, now);
}

static void mon_answered(struct sb_ctl *c, struct sb_probe *m, uint64_t now);

/* --- punted packets ------------------------------------------------------ */

static void
handle_arp(struct sb_ctl *c, unsigned port, struct rte_mbuf *m, uint64_t now)
{
	const struct sb_port_conf *pc = &c->cfg->ports[port];
	struct rte_arp_hdr *ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
							 sizeof(struct rte_ether_hdr));
	uint32_t sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
	uint32_t tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
	uint16_t op = rte_be_to_cpu_16(ah->arp_opcode);
	struct rte_ether_addr sha = ah->arp_data.arp_sha;
	int32_t idx;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*ah))
		return;
	/* Learn like Linux: create an entry when the ARP is for us, update
	 * one we already have from any ARP. */
	if (on_subnet(pc, sip) && sip != pc->addr && !rte_is_zero_ether_addr(&sha) &&
	    !rte_is_multicast_ether_addr(&sha)) {
		idx = tip == pc->addr ? sb_neigh_get(c->neigh, (uint16_t)port, sip) :
					sb_neigh_find(c->neigh, (uint16_t)port, sip);
		if (idx >= 0 && !c->neigh->e[idx].is_static) {
			struct rte_ether_addr cur;
			bool had = sb_neigh_mac(c->neigh, (uint32_t)idx, &cur);

			if (!had || !rte_is_same_ether_addr(&cur, &sha)) {
				char a[20];

				ip_str(sip, a, sizeof(a));
				SB_INFO(NEIGH, "neighbour %s on %s is " RTE_ETHER_ADDR_PRT_FMT, a,
					pc->name, RTE_ETHER_ADDR_BYTES(&sha));
			}
			sb_neigh_set_mac(c->neigh, (uint32_t)idx, &sha);
			c->neigh->e[idx].confirmed_ms = now;
		}
	}
	if (op == RTE_ARP_OP_REQUEST && tip == pc->addr)
		inject(c, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REPLY, &c->mac[port], pc->addr,
					   &sha, sip));
	if (op == RTE_ARP_OP_REPLY) {
		for (unsigned k = 0; k < c->n_probes; k++) {
			struct sb_probe *p = &c->probes[k];

			if (p->method == SB_CHECK_ARP && p->outstanding && p->target == sip)
				probe_answered(c, p, now);
		}
		for (unsigned k = 0; k < c->n_mons; k++) {
			struct sb_probe *p = &c->mons[k];

			if (p->method == SB_CHECK_ARP && p->outstanding && p->target == sip &&
			    (unsigned)p->wan == port)
				mon_answered(c, p, now);
		}
	}
}

static void
handle_probe_reply(struct sb_ctl *c, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	uint16_t id = rte_be_to_cpu_16(ih->icmp_ident);
	uint16_t seq = rte_be_to_cpu_16(ih->icmp_seq_nb);
	unsigned k = id - SB_PROBE_ID_BASE;
	struct sb_probe *p;

	if (k >= c->n_probes && k - c->n_probes < c->n_mons) {
		p = &c->mons[k - c->n_probes];
		/* Only from the monitor, through its own WAN. */
		if (p->outstanding && p->seq == seq && p->target == rte_be_to_cpu_32(ip->src_addr) &&
		    SB_PUNT_PORT(m->hash.usr) == (unsigned)p->wan)
			mon_answered(c, p, now);
		return;
	}
	if (k >= c->n_probes)
		return;
	p = &c->probes[k];
	if (!p->outstanding || p->seq != seq || p->target != rte_be_to_cpu_32(ip->src_addr))
		return;
	probe_answered(c, p, now);
}

static void
handle_ttl_exceeded(struct sb_ctl *c, unsigned port, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = (const uint8_t *)(eh + 1);
	uint32_t l3len = rte_pktmbuf_data_len(m) - sizeof(*eh);

	inject(c, port, sb_pkt_icmp_error(c->pool, &c->mac[port], &eh->src_addr,
					  c->cfg->ports[port].addr, l3, l3len,
					  SB_ICMP_TIME_EXCEEDED, 0));
}

static void
drain_punt(struct sb_ctl *c, uint64_t now)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned n = rte_ring_dequeue_burst(c->punt, (void **)m, SB_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		unsigned port = SB_PUNT_PORT(m[i]->hash.usr);

		if (port < c->n_ports) {
			switch (SB_PUNT_REASON(m[i]->hash.usr)) {
			case SB_PUNT_ARP:
				handle_arp(c, port, m[i], now);
				break;
			case SB_PUNT_PROBE_REPLY:
				handle_probe_reply(c, m[i], now);
				break;
			case SB_PUNT_TTL_EXCEEDED:
				handle_ttl_exceeded(c, port, m[i]);
				break;
			default:
				break;
			}
		}
		rte_pktmbuf_free(m[i]);
	}
	void *v[SB_BURST];

	n = rte_ring_dequeue_burst(c->resolve, v, SB_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = (uint64_t)(uintptr_t)v[i];
		unsigned port = (unsigned)(x >> 32);

		if (port < c->n_ports)
			arp_request(c, port, (uint32_t)x, now);
	}
}

/* --- probes -------------------------------------------------------------- */

static void
run_probes(struct sb_ctl *c, uint64_t now)
{
	for (unsigned k = 0; k < c->n_probes; k++) {
		struct sb_probe *p = &c->probes[k];
		const struct sb_rib_result *r = sb_rib_result(c->rib, p->route);

		if (p->outstanding && now - p->sent_ms >= c->cfg->probe_timeout_ms) {
			p->outstanding = false;
			sb_probe_account(p, false, 0);
			probe_result(c, p, false, now);
		}
		if (p->holding && now >= p->hold_until) {
			p->holding = false;
			p->down = false;
			sb_ctl_publish(c, now);
		}
		if (now < p->next_ms)
			continue;
		p->next_ms = now + c->cfg->probe_interval_ms;
		p->sent_ms = now;
		p->sent_us = now_us();
		p->outstanding = true;
		p->seq++;
		p->n_sent++;
		/* Probe through the route's own resolved path, whatever the
		 * FIB says, sourced from that port's address. */
		if (!r->resolved || r->n_nh == 0)
			continue; /* counts as unanswered at the timeout */
		unsigned port = r->nh[0].port;
		uint32_t hop = r->nh[0].gw != 0 ? r->nh[0].gw : p->target;
		const struct sb_port_conf *pc = &c->cfg->ports[port];
		int32_t idx = sb_neigh_get(c->neigh, (uint16_t)port, hop);
		struct rte_ether_addr dmac;

		if (p->method == SB_CHECK_ARP) {
			inject(c, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REQUEST, &c->mac[port],
						   pc->addr, NULL, p->target));
			continue;
		}
		if (idx < 0 || !sb_neigh_mac(c->neigh, (uint32_t)idx, &dmac)) {
			arp_request(c, port, hop, now);
			continue;
		}
		inject(c, port, sb_pkt_echo(c->pool, &c->mac[port], &dmac, pc->addr, p->target,
					    p->id, p->seq));
	}
}

/* --- [wan NAME] monitors -------------------------------------------------- */

/* Judge WAN @p from its monitors after a round, with the failback
 * hold-down at the WAN level: healthy again, it stays out for
 * hold_down_ms, and any relapse meanwhile cancels the failback. Publishes
 * (which logs and notifies) when its state or its traffic changes. */
static void
wan_judge(struct sb_ctl *c, unsigned p, uint64_t now)
{
	struct sb_wan_mon *wm = &c->wmon[p];
	const struct sb_wan_conf *wc = &c->cfg->wan[p];
	struct sb_wan_health old = wm->h;
	bool publish = false;

	sb_wan_judge(&c->mons[wm->first], wm->n, wc, &wm->h);
	if (wm->h.out) {
		if (wm->holding) {
			wm->holding = false;
			SB_INFO(WAN, "wan %s: failback cancelled, %u/%u monitors usable again during "
				"the hold-down", c->cfg->ports[p].name, wm->h.usable, wm->h.n);
		}
		if (!wm->out) {
			wm->out = true;
			publish = true;
		}
		/* Out for quality, then for silence too: say so. */
		enum sb_wstate st = wm->h.state == SB_WAN_DOWN ? SB_WAN_DOWN : SB_WAN_DEGRADED;

		if (st != wm->out_state) {
			wm->out_state = st;
			publish = true;
		}
	} else if (wm->out && !wm->holding) {
		if (wc->hold_down_ms == 0) {
			wm->out = false;
			publish = true;
		} else {
			wm->holding = true;
			wm->hold_until = now + wc->hold_down_ms;
			SB_INFO(WAN, "wan %s: %u/%u monitors usable again, failback in %u ms unless it "
				"fails meanwhile", c->cfg->ports[p].name, wm->h.usable, wm->h.n,
				wc->hold_down_ms);
		}
	}
	if (!wm->out && wm->h.state != old.state)
		publish = true; /* degraded with traffic staying, or back from it */
	if (wm->h.answering != old.answering && !publish && old.n != 0)
		SB_INFO(WAN, "wan %s: %u/%u monitors answering (quorum %u): %s",
			c->cfg->ports[p].name, wm->h.answering, wm->h.n, wc->quorum,
			wm->out ? "still out" : "still in service");
	if (publish)
		sb_ctl_publish(c, now);
}

static void
mon_result(struct sb_ctl *c, struct sb_probe *m, bool answered, uint64_t now)
{
	const struct sb_wan_conf *wc = &c->cfg->wan[m->wan];
	bool was_down = m->down;

	sb_probe_round(m, answered, wc->down_after, wc->up_after);
	sb_probe_judge(m, wc->window, wc->loss_pct, wc->latency_ms);
	if (m->down != was_down) {
		char a[20];

		ip_str(m->target, a, sizeof(a));
		SB_INFO(PROBE, "wan %s: monitor %s %s", c->cfg->ports[m->wan].name, a,
			m->down ? "stopped answering" : "answers again");
	}
	wan_judge(c, (unsigned)m->wan, now);
}

static void
mon_answered(struct sb_ctl *c, struct sb_probe *m, uint64_t now)
{
	uint32_t rtt = (uint32_t)(now_us() - m->sent_us);

	m->outstanding = false;
	m->n_answered++;
	sb_probe_account(m, true, rtt);
	m->last_rtt_us = rtt;
	mon_result(c, m, true, now);
}

/* Send due monitor probes, time out the unanswered ones and end
 * hold-downs. Probes leave through the WAN's own port to its gateway's
 * MAC, from its address, whatever the FIB says: they cannot leak out of
 * another WAN, and they still go when the WAN's routes are inactive. */
static void
run_monitors(struct sb_ctl *c, uint64_t now)
{
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct sb_wan_mon *wm = &c->wmon[p];

		if (wm->holding && now >= wm->hold_until) {
			wm->holding = false;
			wm->out = false;
			sb_ctl_publish(c, now);
		}
	}
	for (unsigned k = 0; k < c->n_mons; k++) {
		struct sb_probe *m = &c->mons[k];
		unsigned port = (unsigned)m->wan;
		const struct sb_wan_conf *wc = &c->cfg->wan[port];
		const struct sb_port_conf *pc = &c->cfg->ports[port];
		struct rte_ether_addr dmac;
		int32_t idx;

		if (m->outstanding && now - m->sent_ms >= wc->timeout_ms) {
			m->outstanding = false;
			sb_probe_account(m, false, 0);
			mon_result(c, m, false, now);
		}
		if (now < m->next_ms)
			continue;
		m->next_ms = now + wc->interval_ms;
		m->sent_ms = now;
		m->sent_us = now_us();
		m->outstanding = true;
		m->seq++;
		m->n_sent++;
		if (c->link_down[port])
			continue; /* counts as unanswered at the timeout */
		if (m->method == SB_CHECK_ARP) {
			inject(c, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REQUEST, &c->mac[port],
						   pc->addr, NULL, m->target));
			continue;
		}
		idx = sb_neigh_get(c->neigh, (uint16_t)port, m->hop);
		if (idx < 0 || !sb_neigh_mac(c->neigh, (uint32_t)idx, &dmac)) {
			arp_request(c, port, m->hop, now);
			continue;
		}
		inject(c, port, sb_pkt_echo(c->pool, &c->mac[port], &dmac, pc->addr, m->target,
					    m->id, m->seq));
	}
}

/* Monitors of every [wan NAME], after the route probes in the ICMP id
 * space. Set-up. */
static int
setup_monitors(struct sb_ctl *c, char *err, size_t errlen)
{
	const struct sb_config *cfg = c->cfg;
	unsigned total = 0;

	for (unsigned p = 0; p < cfg->n_ports; p++)
		total += cfg->wan[p].enabled ? cfg->wan[p].n_monitors : 0;
	if (c->n_probes + total > 256) {
		snprintf(err, errlen, "[wan] monitors: %u monitors and %u probed routes are more than "
			 "the 256 probes switchback can tell apart", total, c->n_probes);
		return -EINVAL;
	}
	c->mons = calloc(total + 1, sizeof(*c->mons));
	if (c->mons == NULL)
		return -ENOMEM;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct sb_wan_conf *wc = &cfg->wan[p];

		if (!wc->enabled)
			continue;
		c->wmon[p].first = c->n_mons;
		c->wmon[p].n = wc->n_monitors;
		for (unsigned k = 0; k < wc->n_monitors; k++) {
			struct sb_probe *m = &c->mons[c->n_mons];

			m->wan = (int)p;
			m->target = wc->monitor[k];
			m->hop = wc->gateway != 0 && !on_subnet(&cfg->ports[p], m->target) ?
				 wc->gateway : m->target;
			m->method = wc->method;
			m->id = (uint16_t)(SB_PROBE_ID_BASE + c->n_probes + c->n_mons);
			/* Spread the first probes over the interval. */
			m->next_ms = sb_now_ms() + (uint64_t)wc->interval_ms * k / wc->n_monitors;
			c->n_mons++;
		}
		{
			char gw[20] = "on-link";

			if (wc->gateway != 0)
				ip_str(wc->gateway, gw, sizeof(gw));
			SB_INFO(WAN, "wan %s: %u monitor(s) by %s every %u ms via %s%s, down after %u, "
				"up after %u, quorum %u, loss %u%%, latency %u ms over %u rounds, trigger %s",
				cfg->ports[p].name, wc->n_monitors,
				wc->method == SB_CHECK_ARP ? "arp" : "icmp", wc->interval_ms, gw,
				wc->gateway_derived ? " (from the routes)" : "", wc->down_after,
				wc->up_after, wc->quorum, wc->loss_pct, wc->latency_ms, wc->window,
				sb_trigger_name(wc->trigger));
		}
	}
	return 0;
}

/* --- set-up and tear-down ------------------------------------------------ */

static int
setup(struct sb_ctl *c, char *err, size_t errlen)
{
	struct sb_config *cfg = c->cfg;
	struct sb_worker_conf wc;
	int socket = (int)rte_socket_id();
	uint32_t masq = 0;
	size_t qs_size;

	c->worker_lcore = rte_get_next_lcore(-1, 1, 0);
	if (c->worker_lcore >= RTE_MAX_LCORE) {
		snprintf(err, errlen, "switchback needs two lcores (for example -l 0,1): the main "
			 "lcore runs control, the next one the worker");
		return -EINVAL;
	}
	/* Probe first: AF_XDP ports keep mbufs of the pool in their rings,
	 * and the pool is sized for those on top of [switchback] mbufs. */
	uint32_t held = 0;

	for (unsigned p = 0; p < cfg->n_ports; p++) {
		uint32_t h;
		int ret = sb_port_probe(cfg, p, &c->port_id[p], &h, err, errlen);

		if (ret != 0)
			return ret;
		c->port_open[p] = true;
		c->n_ports = p + 1;
		held += h;
	}
	c->pool = rte_pktmbuf_pool_create("sb_mbufs", cfg->mbufs + held, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (c->pool == NULL) {
		snprintf(err, errlen, "[switchback] mbufs: cannot create a pool of %u mbufs (%u "
			 "and %u the AF_XDP rings hold): %s (give the EAL more memory with -m, or "
			 "lower mbufs)", cfg->mbufs + held, cfg->mbufs, held, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (held != 0) {
		int ret = sb_xdp_pool_check(c->pool, err, errlen);

		if (ret != 0)
			return ret;
		SB_INFO(MAIN, "mbuf pool: %u mbufs, %u of them for the AF_XDP fill and tx rings",
			cfg->mbufs + held, held);
	}
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		int ret = sb_port_open(&cfg->ports[p], c->pool, c->port_id[p], &c->mac[p],
				       err, errlen);

		if (ret != 0)
			return ret;
	}
	c->xdp = sb_xdp_open(cfg, err, errlen);
	if (c->xdp == NULL)
		return -EINVAL;
	qs_size = rte_rcu_qsbr_get_memsize(1);
	c->qs = rte_zmalloc("sb_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
	if (c->qs == NULL || rte_rcu_qsbr_init(c->qs, 1) != 0)
		goto nomem;
	c->neigh = sb_neigh_create("sb_neigh", SB_MAX_NEIGH, socket);
	c->fib = sb_fib_create("sb_fib", cfg->n_tables, cfg->n_routes + cfg->n_ports + 64, c->qs);
	/* Measure what the session table and the mappings really take from
	 * the heap. */
	struct rte_malloc_socket_stats before, after;

	rte_malloc_get_socket_stats(socket, &before);
	c->ct = sb_ct_create("sb_ct", cfg->sessions, socket, 0 /* worker 0 */,
			     cfg->to_tcp_established, cfg->to_tcp_transitory, cfg->to_udp,
			     cfg->to_icmp);
	rte_malloc_get_socket_stats(socket, &after);
	c->ct_bytes = after.heap_allocsz_bytes - before.heap_allocsz_bytes;
	if (c->ct != NULL)
		SB_INFO(MAIN, "conntrack: %u sessions in %lu bytes (%.1f bytes/session)",
			cfg->sessions, (unsigned long)c->ct_bytes,
			(double)c->ct_bytes / cfg->sessions);
	for (unsigned p = 0; p < cfg->n_ports; p++)
		masq |= (uint32_t)cfg->ports[p].masquerade << p;
	rte_malloc_get_socket_stats(socket, &before);
	c->eim = sb_eim_create("sb_eim", masq, cfg->sessions, socket);
	if (c->eim == NULL)
		goto nomem;
	rte_malloc_get_socket_stats(socket, &after);
	SB_INFO(MAIN, "nat: %lu mappings in %lu bytes", (unsigned long)c->eim->n_map,
		(unsigned long)(after.heap_allocsz_bytes - before.heap_allocsz_bytes));
	c->punt = rte_ring_create("sb_punt", RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	c->resolve = rte_ring_create("sb_resolve", RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	c->inject = rte_ring_create("sb_inject", RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (c->fib == NULL) {
		snprintf(err, errlen, "cannot create the FIB: %u routing table(s) take about %u MB "
			 "(rte_fib's 16M-entry first level each): give the EAL more memory with -m",
			 cfg->n_tables, cfg->n_tables * 68);
		return -ENOMEM;
	}
	if (c->neigh == NULL || c->ct == NULL || c->punt == NULL ||
	    c->resolve == NULL || c->inject == NULL) {
		snprintf(err, errlen, "cannot create tables (sessions = %u): %s (give the EAL "
			 "more memory with -m, or lower [switchback] sessions)", cfg->sessions,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	wc = (struct sb_worker_conf){
		.id = 0, .socket = socket, .n_ports = cfg->n_ports,
		.ct = c->ct, .eim = c->eim, .fib = c->fib, .neigh = c->neigh,
		.state = &c->state, .qs = c->qs,
		.punt = c->punt, .resolve = c->resolve, .inject = c->inject,
		.fragments = cfg->fragments, .ecmp = cfg->ecmp_hash,
		.pcc_classifier = cfg->pcc_classifier,
	};
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct sb_port_conf *pc = &cfg->ports[p];

		wc.port[p] = (struct sb_worker_port){
			.port_id = c->port_id[p], .role = (uint8_t)pc->role,
			.masquerade = pc->masquerade, .vlan = pc->vlan,
			.prefix_len = (uint8_t)pc->prefix_len, .addr = pc->addr, .mac = c->mac[p],
		};
	}
	wc.pcc_n = sb_pcc_members(cfg, wc.pcc_port, wc.pcc_table);
	c->w = sb_worker_create(&wc);
	if (c->w == NULL)
		goto nomem;
	for (unsigned i = 0; i < cfg->n_neigh; i++) {
		const struct sb_neigh_conf *nc = &cfg->neigh[i];
		int32_t idx = sb_neigh_get(c->neigh, (uint16_t)nc->port, nc->addr);
		struct rte_ether_addr mac;

		if (idx < 0)
			goto nomem;
		memcpy(mac.addr_bytes, nc->mac, 6);
		c->neigh->e[idx].is_static = 1;
		sb_neigh_set_mac(c->neigh, (uint32_t)idx, &mac);
	}
	c->rib = sb_rib_create(cfg);
	if (c->rib == NULL)
		goto nomem;
	c->probes = calloc(c->rib->n_routes + 1, sizeof(*c->probes));
	if (c->probes == NULL)
		goto nomem;
	for (unsigned i = 0; i < c->rib->n_routes; i++) {
		const struct sb_rib_route *r = &c->rib->r[i];
		struct sb_probe *p;

		if (r->check == SB_CHECK_NONE || r->disabled)
			continue;
		if (c->n_probes == 256) {
			snprintf(err, errlen, "[route %s] check_gateway: at most 256 probed routes",
				 r->name);
			return -EINVAL;
		}
		p = &c->probes[c->n_probes];
		p->wan = -1;
		p->route = i;
		p->target = r->gw;
		p->method = r->check;
		p->id = (uint16_t)(SB_PROBE_ID_BASE + c->n_probes);
		c->n_probes++;
	}
	{
		int ret = setup_monitors(c, err, errlen);

		if (ret == -ENOMEM)
			goto nomem;
		if (ret != 0)
			return ret;
	}
	if (cfg->webhook[0] != '\0') {
		c->notifier = sb_notifier_start(cfg->webhook, cfg->webhook_retries,
						cfg->webhook_timeout_ms, cfg->webhook_backoff_ms);
		if (c->notifier == NULL) {
			snprintf(err, errlen, "[notify] webhook: cannot start the notifier thread: %s",
				 strerror(errno));
			return -errno;
		}
		SB_INFO(WAN, "webhook %s: %u retries, %u ms timeout, backoff from %u ms",
			cfg->webhook, cfg->webhook_retries, cfg->webhook_timeout_ms,
			cfg->webhook_backoff_ms);
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory during set-up (give the EAL more memory with -m)");
	return -ENOMEM;
}

static void
summary(struct sb_ctl *c)
{
	const struct sb_counters *k = sb_worker_counters(c->w);
	uint64_t up_ms = sb_now_ms() - c->start_ms;

	printf("\n=== switchback summary (up %lu.%03lu s) ===\n", (unsigned long)(up_ms / 1000),
	       (unsigned long)(up_ms % 1000));
	printf("%-10s %-8s %12s %12s %12s %12s %10s\n", "port", "role", "rx_pkts", "tx_pkts",
	       "rx_missed", "tx_errors", "wan");
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct rte_eth_stats s;

		memset(&s, 0, sizeof(s));
		rte_eth_stats_get(c->port_id[p], &s);
		printf("%-10s %-8s %12lu %12lu %12lu %12lu %10s\n", c->cfg->ports[p].name,
		       c->cfg->ports[p].role == SB_ROLE_WAN ? "wan" : "lan",
		       (unsigned long)s.ipackets, (unsigned long)s.opackets,
		       (unsigned long)s.imissed, (unsigned long)s.oerrors,
		       c->cfg->ports[p].role != SB_ROLE_WAN ? "-" : c->wan_down[p] ? "DOWN" : "up");
	}
	printf("worker: rx %lu tx %lu forwarded %lu local-replies %lu punted %lu injected %lu\n",
	       (unsigned long)k->rx, (unsigned long)k->tx, (unsigned long)k->forwarded,
	       (unsigned long)k->local_replies, (unsigned long)k->punted,
	       (unsigned long)k->injected);
	printf("sessions: active %lu created %lu expired %lu flushed %lu; nat out %lu in %lu; "
	       "icmp errors translated %lu\n",
	       (unsigned long)k->ct_active, (unsigned long)k->ct_created,
	       (unsigned long)k->ct_expired, (unsigned long)k->ct_flushed,
	       (unsigned long)k->nat_out, (unsigned long)k->nat_in,
	       (unsigned long)k->icmp_errors);
	printf("paths: sessions whose gateway went away moved to another gateway of their WAN "
	       "%lu, flushed to another port %lu\n", (unsigned long)k->ct_path_rerouted,
	       (unsigned long)k->ct_path_moved);
	printf("waited for ARP: %lu packets, %lu sent when it answered; TCP resets sent for "
	       "flushed sessions: %lu\n", (unsigned long)k->parked, (unsigned long)k->parked_sent,
	       (unsigned long)k->tcp_rst_sent);
	printf("fragments: datagrams tracked %lu, later fragments forwarded %lu, table full %lu; "
	       "held before their first %lu, sent on %lu, not held %lu\n",
	       (unsigned long)k->frag_tracked, (unsigned long)k->frag_forwarded,
	       (unsigned long)k->frag_table_full, (unsigned long)k->frag_held,
	       (unsigned long)k->frag_released, (unsigned long)k->frag_hold_refused);
	printf("simultaneous open: inbound SYNs held %lu, met by the LAN host's SYN %lu, "
	       "expired %lu\n", (unsigned long)k->drop[SB_DROP_TCP_SYN_HELD],
	       (unsigned long)k->syn_hold_matched, (unsigned long)k->syn_hold_expired);
	printf("sessions created by egress port:");
	for (unsigned p = 0; p < c->n_ports && p < 8; p++)
		printf(" %s=%lu", c->cfg->ports[p].name, (unsigned long)k->ct_created_port[p]);
	printf("\n");
	printf("wan state changes: %lu\n", (unsigned long)c->wan_changes);
	printf("drops:");
	uint64_t total = 0;

	for (unsigned r = 0; r < SB_DROP_MAX; r++) {
		if (k->drop[r] == 0)
			continue;
		printf(" %s=%lu", sb_drop_name(r), (unsigned long)k->drop[r]);
		total += k->drop[r];
	}
	printf("%s\n", total ? "" : " none");
	char stages[512];

	printf("cycles/packet by stage:%s\n", sb_stage_format(k, stages, sizeof(stages)));
	for (unsigned i = 0; i < c->n_probes; i++) {
		const struct sb_probe *p = &c->probes[i];
		char a[20];

		ip_str(p->target, a, sizeof(a));
		printf("probe %s (%s): sent %lu answered %lu state %s\n",
		       c->rib->r[p->route].name, a, (unsigned long)p->n_sent,
		       (unsigned long)p->n_answered, p->down ? "DOWN" : "up");
	}
	for (unsigned i = 0; i < c->n_mons; i++) {
		const struct sb_probe *m = &c->mons[i];
		char a[20];

		ip_str(m->target, a, sizeof(a));
		printf("monitor %s of wan %s: sent %lu answered %lu rtt %.2f ms jitter %.2f ms state %s\n",
		       a, c->cfg->ports[m->wan].name, (unsigned long)m->n_sent,
		       (unsigned long)m->n_answered, m->rtt_avg_us / 1000.0, m->jitter_us / 1000.0,
		       m->down ? "DOWN" : m->degraded ? "DEGRADED" : "up");
	}
	if (c->notifier != NULL) {
		struct sb_notifier_stats ns;

		sb_notifier_stats(c->notifier, &ns);
		printf("webhook: queued %lu delivered %lu failed %lu dropped %lu retries %lu\n",
		       (unsigned long)ns.queued, (unsigned long)ns.delivered, (unsigned long)ns.failed,
		       (unsigned long)ns.dropped, (unsigned long)ns.retries);
	}
	fflush(stdout);
}

static void
teardown(struct sb_ctl *c)
{
	/* What is still queued gets a second to be delivered. */
	sb_notifier_stop(c->notifier, 1000);
	c->notifier = NULL;
	sb_ctlsock_close(c);
	sb_ops_stop(c);
	/* Before the ports: closing an AF_XDP port detaches its program. */
	sb_xdp_close(c->xdp);
	c->xdp = NULL;
	for (unsigned p = 0; p < c->n_ports; p++)
		if (c->port_open[p])
			sb_port_close(c->port_id[p]);
	sb_worker_free(c->w);
	sb_eim_free(c->eim);
	sb_ct_free(c->ct);
	rte_ring_free(c->punt);
	rte_ring_free(c->resolve);
	rte_ring_free(c->inject);
	sb_state_free(c->state);
	sb_state_free(c->spare_state);
	sb_fib_free(c->fib);
	sb_neigh_free(c->neigh);
	rte_free(c->qs);
	sb_rib_free(c->rib);
	free(c->probes);
	free(c->mons);
	rte_mempool_free(c->pool);
}

/* Application options come after "--"; find them before the EAL so a
 * config check needs no EAL at all. */
static int
app_args(int argc, char **argv, const char **config, bool *check)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			*config = optarg;
			break;
		case 't':
			*check = true;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sb_ctl ctl;
	struct sb_ctl *c = &ctl;
	const char *config = NULL;
	bool check = false;
	char err[16384]; /* every config error, one per line */
	int dd = -1, ret, rc = 1;

	memset(c, 0, sizeof(*c));
	c->ctl_fd = -1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	{
		/* getopt over the part after "--" (or everything if none). */
		int n = dd >= 0 ? argc - dd : argc;
		char **v = dd >= 0 ? argv + dd : argv;
		char *save = v[0];

		v[0] = argv[0];
		ret = app_args(n, v, &config, &check);
		v[0] = save;
		if (ret != 0 || config == NULL) {
			usage(argv[0]);
			return ret == 1 ? 0 : 2;
		}
	}
	c->cfg = sb_config_load(config, err, sizeof(err));
	if (c->cfg == NULL) {
		fprintf(stderr, "switchback: configuration refused: %s\n", err);
		return 2;
	}
	if (check) {
		printf("switchback: %s is valid: %u ports, %u routes, %u neighbours, %u tables\n",
		       config, c->cfg->n_ports, c->cfg->n_routes, c->cfg->n_neigh, c->cfg->n_tables);
		sb_config_free(c->cfg);
		return 0;
	}
	ret = rte_eal_init(dd >= 0 ? dd : 1, argv);
	if (ret < 0) {
		fprintf(stderr, "switchback: EAL init failed: %s\n", rte_strerror(rte_errno));
		sb_config_free(c->cfg);
		return 1;
	}
	sb_log_init();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	c->start_ms = sb_now_ms();

	if (setup(c, err, sizeof(err)) != 0) {
		SB_ERR(MAIN, "%s", err);
		fprintf(stderr, "switchback: %s\n", err);
		goto out;
	}
	if (sb_telemetry_init(c) != 0)
		SB_WARN(MAIN, "telemetry commands not registered");
	{
		char path[108];

		if (c->cfg->ctl_socket[0] != '\0')
			snprintf(path, sizeof(path), "%s", c->cfg->ctl_socket);
		else
			snprintf(path, sizeof(path), "%s/switchback.sock", rte_eal_get_runtime_dir());
		ret = sb_ctlsock_open(c, path);
		if (ret != 0)
			SB_WARN(CTL, "control socket %s: %s (switchbackctl will not reach us)", path,
				strerror(-ret));
		else
			SB_INFO(CTL, "control socket %s", path);
	}
	for (unsigned p = 0; p < c->n_ports; p++)
		c->link_down[p] = !sb_port_link_up(c->port_id[p], c->cfg->ports[p].device);
	if (sb_ctl_publish(c, sb_now_ms()) != 0) {
		fprintf(stderr, "switchback: cannot publish the first forwarding state\n");
		goto out;
	}
	/* Resolve every gateway and static neighbour up front. */
	for (unsigned g = 0; g < c->rib->n_groups; g++)
		for (unsigned k = 0; k < c->rib->g[g].n_nh; k++)
			if (c->rib->g[g].nh[k].gw != 0)
				arp_request(c, c->rib->g[g].nh[k].port, c->rib->g[g].nh[k].gw, sb_now_ms());

	ret = rte_eal_remote_launch(sb_worker_main, c->w, c->worker_lcore);
	if (ret != 0) {
		fprintf(stderr, "switchback: cannot launch the worker on lcore %u\n", c->worker_lcore);
		goto out;
	}
	SB_INFO(MAIN, "switchback running: %u ports, %u routes, %u probes, worker on lcore %u, "
		"control on lcore %u", c->n_ports, c->rib->n_routes, c->n_probes, c->worker_lcore,
		rte_get_main_lcore());

	uint64_t link_at = 0;

	while (!quit_signal) {
		uint64_t now = sb_now_ms();

		drain_punt(c, now);
		run_probes(c, now);
		run_monitors(c, now);
		if (now >= link_at) {
			/* Carrier changes take effect at once (well, within
			 * 50 ms of the port reporting them). */
			bool changed = false;
			uint32_t came_up = 0;

			for (unsigned p = 0; p < c->n_ports; p++) {
				bool down = !sb_port_link_up(c->port_id[p], c->cfg->ports[p].device);

				if (down != c->link_down[p]) {
					c->link_down[p] = down;
					changed = true;
					SB_WARN(PORT, "port %s link %s", c->cfg->ports[p].name,
						down ? "DOWN" : "up");
					came_up |= (uint32_t)!down << p;
				}
			}
			if (changed)
				sb_ctl_publish(c, now);
			/* Route probes lost while the carrier was gone say
			 * nothing about the gateway: forget them (the routes
			 * resolve through the port again now), or the WAN that
			 * just came back would go down again a round later. */
			for (unsigned k = 0; came_up != 0 && k < c->n_probes; k++) {
				const struct sb_rib_result *r = sb_rib_result(c->rib, c->probes[k].route);

				if (r->n_nh != 0 && (came_up >> r->nh[0].port & 1) && !c->probes[k].down)
					c->probes[k].fails = 0;
			}
			link_at = now + 50;
		}
		sb_ctlsock_poll(c);
		sb_ops_tick(c, now);
		if (reload_signal) {
			char *answer = malloc(65536);

			reload_signal = 0;
			if (answer != NULL)
				sb_reload_run(c, false, answer, 65536); /* (it logs what it did) */
			free(answer);
		}
		sb_notify_reap();
		for (unsigned p = 0; p < c->n_ports && c->cfg->alert_after_s; p++) {
			/* (@now predates a change made later in this loop
			 * iteration, e.g. by a switchbackctl command.) */
			if (!c->wan_down[p] || c->wan_alerted[p] || now < c->wan_down_since[p] ||
			    now - c->wan_down_since[p] < (uint64_t)c->cfg->alert_after_s * 1000)
				continue;
			c->wan_alerted[p] = true;
			SB_WARN(WAN, "wan %s has been down for %u s (%s)", c->cfg->ports[p].name,
				c->cfg->alert_after_s, c->wan_reason[p]);
			if (c->cfg->hook[0] != '\0')
				sb_notify_run(c->cfg->hook, "alert", c->cfg->ports[p].name, "down", "down",
					      c->wan_reason[p]);
			webhook_notify(c, "alert", p, "down", "down", c->wan_reason[p]);
		}
		usleep(200);
	}
	SB_INFO(MAIN, "signal %d: stopping", (int)quit_signal);
	sb_worker_stop(c->w);
	rte_eal_wait_lcore(c->worker_lcore);
	summary(c);
	rc = 0;
out:
	teardown(c);
	sb_config_free(c->cfg);
	rte_eal_cleanup();
	return rc;
}
