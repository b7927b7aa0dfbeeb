/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the summary printed when the daemon stops (summary.h). */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "summary.h"
#include "addr.h"
#include "ctl.h"
#include "sb_counters.h"
#include "webhook.h"

void
sb_summary_print(struct sb_ctl *c)
{
	const struct sb_counters *k = &c->w->cnt;
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
	printf("wan state changes: %lu\n", (unsigned long)c->wans.changes);
	printf("drops:");
	uint64_t total = 0;

	for (unsigned r = 0; r < SB_DROP_MAX; r++) {
		if (k->drop[r] == 0)
			continue;
		printf(" %s=%lu", sb_drop_name(r), (unsigned long)k->drop[r]);
		total += k->drop[r];
	}
	printf("%s\n", total ? "" : " none");
	printf("cycles/packet by stage:");
	for (unsigned s = 0; s < SB_STAGE_MAX; s++)
		if (k->stage_pkts[s] != 0)
			printf(" %s=%.1f", sb_stage_name(s),
			       (double)k->stage_cycles[s] / (double)k->stage_pkts[s]);
	printf("\n");
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
		struct sb_notifier_stats ns;

		sb_notifier_stats(c->notify.webhook, &ns);
		printf("webhook: queued %lu delivered %lu failed %lu dropped %lu retries %lu\n",
		       (unsigned long)ns.queued, (unsigned long)ns.delivered, (unsigned long)ns.failed,
		       (unsigned long)ns.dropped, (unsigned long)ns.retries);
	}
	fflush(stdout);
}
