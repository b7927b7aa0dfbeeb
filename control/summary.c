/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the summary printed when the daemon stops (summary.h). */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "summary.h"
#include "addr.h"
#include "ctl.h"
#include "sb_counters.h"
#include "neigh.h"
#include "webhook.h"

/* One counter's part of the summary: @fmt holds one %lu, or is "". */
static void
fragment(const char *fmt, uint64_t v)
{
	if (fmt[0] != '\0')
		printf(fmt, (unsigned long)v);
}

void
sb_summary_print(struct sb_ctl *c)
{
	struct sb_counters k_sum;
	const struct sb_counters *k = &k_sum;

	sb_ctl_counters(c, &k_sum);
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
		       c->cfg->ports[p].role != SB_ROLE_WAN ? "-" : c->wans.wan[p].down ? "DOWN" : "up");
	}
	/* The counters, as their fragments in SB_EVENT_COUNTERS say. */
#define SB_X_COUNTER(f, n, s) fragment(s, k->f);
#define SB_X_DROP(r, s) fragment(s, k->drop[SB_DROP_##r]);
	SB_EVENT_COUNTERS(SB_X_COUNTER, SB_X_DROP)
#undef SB_X_COUNTER
#undef SB_X_DROP
	printf("sessions created by egress port:");
	for (unsigned p = 0; p < c->n_ports && p < 8; p++)
		printf(" %s=%lu", c->cfg->ports[p].name, (unsigned long)k->ct_created_port[p]);
	printf("\n");
	printf("wan state changes: %lu\n", (unsigned long)c->wans.changes);
	printf("neighbours: %u entries, deleted stale %lu, failed %lu; refused %lu\n",
	       c->neigh->live, (unsigned long)c->arp.evicted, (unsigned long)c->arp.failed,
	       (unsigned long)c->neigh->refused);
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
	for (unsigned i = 0; i < c->wans.n_probes; i++) {
		const struct sb_probe *p = &c->wans.probes[i];
		char a[SB_ADDR_STRLEN];

		sb_addr_str(p->target, a, sizeof(a));
		printf("probe %s (%s): sent %lu answered %lu state %s\n",
		       c->rib->r[p->route].name, a, (unsigned long)p->n_sent,
		       (unsigned long)p->n_answered, p->down ? "DOWN" : "up");
	}
	for (unsigned i = 0; i < c->wans.n_mons; i++) {
		const struct sb_probe *m = &c->wans.mons[i];
		char a[SB_ADDR_STRLEN];

		sb_addr_str(m->target, a, sizeof(a));
		printf("monitor %s of wan %s: sent %lu answered %lu rtt %.2f ms jitter %.2f ms state %s\n",
		       a, c->cfg->ports[m->wan].name, (unsigned long)m->n_sent,
		       (unsigned long)m->n_answered, m->rtt_avg_us / 1000.0, m->jitter_us / 1000.0,
		       m->down ? "DOWN" : m->degraded ? "DEGRADED" : "up");
	}
	if (c->notify.webhook != NULL) {
		struct sb_webhook_stats ns;

		sb_webhook_stats_get(c->notify.webhook, &ns);
		printf("webhook: queued %lu delivered %lu failed %lu dropped %lu retries %lu\n",
		       (unsigned long)ns.queued, (unsigned long)ns.delivered, (unsigned long)ns.failed,
		       (unsigned long)ns.dropped, (unsigned long)ns.retries);
	}
	fflush(stdout);
}
