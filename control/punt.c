/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker's rings on the control side (punt.h). */
#include <string.h>
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_cycles.h>

#include "punt.h"
#include "arp.h"
#include "clock.h"
#include "dhcpio.h"
#include "ctl.h"
#include "neigh.h"
#include "pkt.h"
#include "publish.h"
#include "wan.h"
#include "xdp.h"

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

static void punted(struct sb_ctl *c, unsigned reason, unsigned port, struct rte_mbuf *m,
		   uint64_t now);

/* A probe reply an AF_XDP port's program passed to the kernel, from its
 * packet socket (sb_xdp_probe_replies): an echo reply it matched to the
 * probe in flight (source, sequence, cookie), or an ARP monitor target's
 * ARP reply, which takes the punted ARP's way (neighbour, monitor). */
static void
probe_reply_kernel(void *arg, unsigned port, const uint8_t *f, unsigned len)
{
	struct sb_ctl *c = arg;
	const uint8_t *ip = f + RTE_ETHER_HDR_LEN, *ic;
	uint16_t type;

	if (port >= c->n_ports || len < RTE_ETHER_HDR_LEN + 28)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == RTE_ETHER_TYPE_ARP) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

		if (m == NULL)
			return;
		if (rte_pktmbuf_append(m, (uint16_t)len) != NULL) {
			memcpy(rte_pktmbuf_mtod(m, void *), f, len);
			punted(c, SB_PUNT_ARP, port, m, sb_now_ms());
		}
		rte_pktmbuf_free(m);
		return;
	}
	/* The program checked it whole; its shape again here. */
	if (type != RTE_ETHER_TYPE_IPV4 || (ip[0] >> 4) != 4 ||
	    len < RTE_ETHER_HDR_LEN + (ip[0] & 15u) * 4u + 8 || ip[9] != IPPROTO_ICMP)
		return;
	ic = ip + (ip[0] & 15u) * 4u;
	if (ic[0] != RTE_IP_ICMP_ECHO_REPLY || ic[4] != 0xff)
		return;
	sb_wan_echo_reply(&c->wans, port, (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 |
			  (uint32_t)ip[14] << 8 | ip[15], (uint16_t)(ic[4] << 8 | ic[5]),
			  (uint16_t)(ic[6] << 8 | ic[7]), sb_now_us());
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

/* One punted frame of @reason from port @port. */
static void
punted(struct sb_ctl *c, unsigned reason, unsigned port, struct rte_mbuf *m, uint64_t now)
{
	uint32_t sip;

	switch (reason) {
	case SB_PUNT_ARP:
		if (sb_arp_input(&c->arp, port, m, now, &sip))
			sb_wan_arp_reply(&c->wans, port, sip, sb_now_us());
		break;
	case SB_PUNT_PROBE_REPLY:
		probe_reply(c, port, m, sb_now_us());
		break;
	case SB_PUNT_TTL_EXCEEDED:
		ttl_exceeded(c, port, m);
		break;
	case SB_PUNT_DHCP:
		sb_dhcpio_punt(c, port, m);
		break;
	default:
		break;
	}
}

unsigned
sb_punt_drain(struct sb_ctl *c)
{
	struct rte_mbuf *m[SB_BURST];
	void *v[SB_BURST];
	uint64_t now = sb_now_ms();
	unsigned n, done;

	/* Probe replies first: their RTT is measured here. */
	done = sb_xdp_probe_replies(c->xdp, probe_reply_kernel, c);
	static const uint8_t order[] = { SB_PUNT_PROBE_REPLY, SB_PUNT_ARP, SB_PUNT_DHCP,
					 SB_PUNT_TTL_EXCEEDED };

	for (unsigned k = 0; k < sizeof(order); k++) {
		unsigned r = order[k];

		n = rte_ring_dequeue_burst(c->punt[r], (void **)m, SB_BURST, NULL);
		for (unsigned i = 0; i < n; i++) {
			unsigned port = SB_PUNT_PORT(m[i]->hash.usr);

			if (port < c->n_ports)
				punted(c, r, port, m[i], now);
			rte_pktmbuf_free(m[i]);
		}
		done += n;
	}
	n = rte_ring_dequeue_burst(c->resolve, v, SB_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = (uint64_t)(uintptr_t)v[i];
		unsigned port = (unsigned)(x >> 32);

		if (port < c->n_ports)
			sb_arp_request(&c->arp, port, (uint32_t)x, now);
	}
	return done + n;
}

void
sb_punt_probe(void *ctx, unsigned port, uint32_t hop, const struct sb_probe *p)
{
	struct sb_ctl *c = ctx;
	uint32_t src = c->wans.wan[port].addr;   /* the WAN's, a lease's included */
	struct rte_ether_addr dmac;
	uint64_t cookie;
	uint32_t timeout;
	int32_t idx;

	if (p->method == SB_CHECK_ARP) {
		(void)sb_xdp_arp_probe(c->xdp, port, p->target);
		sb_pkt_inject(c->inject, port, sb_pkt_arp(c->pool, RTE_ARP_OP_REQUEST,
							     &c->mac[port], src, NULL, p->target));
		return;
	}
	idx = sb_publish_gateway(&c->pub, (uint16_t)port, hop);  /* never aged out */
	if (idx < 0 || !sb_neigh_mac(c->neigh, (uint32_t)idx, &dmac)) {
		sb_arp_request(&c->arp, port, hop, p->sent_ms);
		return;
	}
	/* The worker passes the reply only if it answers this probe
	 * (include/sb_probe_expect.h): expected before it is sent. */
	timeout = p->wan >= 0 ? c->cfg->wan[p->wan].timeout_ms : c->cfg->probe_timeout_ms;
	cookie = rte_rand();
	sb_publish_probe(&c->pub, (unsigned)(p->id - SB_PROBE_ID_BASE), p->target, p->seq, port,
			 cookie, rte_rdtsc() + rte_get_tsc_hz() / 1000 * timeout);
	/* On an AF_XDP port its program drops forged replies before they
	 * reach the socket's ring (a failed update only loses that). */
	(void)sb_xdp_probe(c->xdp, port, (unsigned)(p->id - SB_PROBE_ID_BASE), p->target, p->seq,
			   cookie);
	sb_pkt_inject(c->inject, port, sb_pkt_echo(c->pool, &c->mac[port], &dmac, src,
						      p->target, p->id, p->seq, cookie));
}
