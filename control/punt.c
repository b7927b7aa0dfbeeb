/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker's rings on the control side (punt.h). */
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "punt.h"
#include "arp.h"
#include "clock.h"
#include "dhcpio.h"
#include "ctl.h"
#include "neigh.h"
#include "pkt.h"
#include "publish.h"
#include "wan.h"

#define SB_ICMP_TIME_EXCEEDED 11

static void
probe_reply(struct sb_ctl *c, unsigned port, const struct rte_mbuf *m, uint64_t now_us)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)((const uint8_t *)ip +
								      rte_ipv4_hdr_len(ip));

	sb_wan_echo_reply(&c->wans, port, rte_be_to_cpu_32(ip->src_addr),
			  rte_be_to_cpu_16(ih->icmp_ident), rte_be_to_cpu_16(ih->icmp_seq_nb), now_us);
}

static void
ttl_exceeded(struct sb_ctl *c, unsigned port, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = (const uint8_t *)(eh + 1);
	uint32_t l3len = rte_pktmbuf_data_len(m) - sizeof(*eh);

	sb_pkt_inject(c->inject, port,
		      sb_pkt_icmp_error(c->pool, &c->mac[port], &eh->src_addr,
					c->cfg->ports[port].addr, l3, l3len,
					SB_ICMP_TIME_EXCEEDED, 0));
}

void
sb_punt_drain(struct sb_ctl *c)
{
	struct rte_mbuf *m[SB_BURST];
	void *v[SB_BURST];
	uint64_t now_us = sb_now_us(), now = now_us / 1000;
	unsigned n = rte_ring_dequeue_burst(c->punt, (void **)m, SB_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		unsigned port = SB_PUNT_PORT(m[i]->hash.usr);
		uint32_t sip;

		if (port < c->n_ports) {
			switch (SB_PUNT_REASON(m[i]->hash.usr)) {
			case SB_PUNT_ARP:
				if (sb_arp_input(&c->arp, port, m[i], now, &sip))
					sb_wan_arp_reply(&c->wans, port, sip, sb_now_us());
				break;
			case SB_PUNT_PROBE_REPLY:
				probe_reply(c, port, m[i], sb_now_us());
				break;
			case SB_PUNT_TTL_EXCEEDED:
				ttl_exceeded(c, port, m[i]);
				break;
			case SB_PUNT_DHCP:
				sb_dhcpio_punt(c, port, m[i]);
				break;
			default:
				break;
			}
		}
		rte_pktmbuf_free(m[i]);
	}
	n = rte_ring_dequeue_burst(c->resolve, v, SB_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = (uint64_t)(uintptr_t)v[i];
		unsigned port = (unsigned)(x >> 32);

		if (port < c->n_ports)
			sb_arp_request(&c->arp, port, (uint32_t)x, now);
	}
}

void
sb_punt_probe(void *ctx, unsigned port, uint32_t hop, const struct sb_probe *p)
{
	struct sb_ctl *c = ctx;
	uint32_t src = c->wans.wan[port].addr;   /* the WAN's, a lease's included */
	struct rte_ether_addr dmac;
	int32_t idx;

	if (p->method == SB_CHECK_ARP) {
		sb_pkt_inject(c->inject, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REQUEST,
							     &c->mac[port], src, NULL, p->target));
		return;
	}
	idx = sb_publish_neigh(&c->pub, (uint16_t)port, hop);
	if (idx < 0 || !sb_neigh_mac(c->neigh, (uint32_t)idx, &dmac)) {
		sb_arp_request(&c->arp, port, hop, p->sent_ms);
		return;
	}
	sb_pkt_inject(c->inject, port, sb_pkt_echo(c->pool, &c->mac[port], &dmac, src,
						      p->target, p->id, p->seq));
}
