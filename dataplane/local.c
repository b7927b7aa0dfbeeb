/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "local.h"
#include "l2out.h"
#include "cksum.h"

/* Turn @m (IPv4 header @ip) back to where it came from: addresses
 * swapped, TTL 64. Returns the MAC it came from. */
static struct rte_ether_addr
turn_around(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	uint32_t a = ip->src_addr;

	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	return rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
}

/* An echo reply in the probe id range: to control only when it answers
 * the probe in flight with that id (from its target, on the port it left
 * by, its sequence and cookie, before its deadline, once); anything else
 * is dropped here, so no forged reply reaches the monitors' judgement
 * (docs/security.md). */
static void
probe_reply(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p,
	    const struct rte_icmp_hdr *ih)
{
	uint64_t cookie = 0;

	if (p->md.l4_len < sizeof(*ih) + sizeof(cookie) || w->expect == NULL) {
		sb_wk_drop(w, p->m, SB_DROP_PROBE_INVALID);
		return;
	}
	memcpy(&cookie, ih + 1, sizeof(cookie));
	if (!sb_probe_expect_match(w->expect, w->probe_seen, ih->icmp_ident, p->md.src,
				   ih->icmp_seq_nb, cookie, b->in, b->now)) {
		sb_wk_drop(w, p->m, SB_DROP_PROBE_INVALID);
		return;
	}
	sb_wk_punt(w, p->m, SB_PUNT_PROBE_REPLY, b->in);
}

void
sb_local_deliver(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct rte_mbuf *m = p->m;
	const struct sb_meta *md = &p->md;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)(l3 + md->l4_off);

	if (md->proto != IPPROTO_ICMP) {
		sb_wk_drop(w, m, SB_DROP_LOCAL_UNHANDLED);
		return;
	}
	if (md->icmp_type == RTE_IP_ICMP_ECHO_REPLY &&
	    (rte_be_to_cpu_16(ih->icmp_ident) & SB_PROBE_ID_MASK) == SB_PROBE_ID_BASE) {
		probe_reply(w, b, p, ih);
		return;
	}
	if (md->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		sb_wk_drop(w, m, SB_DROP_ICMP_UNHANDLED);
		return;
	}
	struct rte_ether_addr dmac = turn_around(m, ip);
	uint16_t old, new;

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_raw_cksum(ip, md->l4_off) == 0xffff ? 0 :
			   (uint16_t)~rte_raw_cksum(ip, md->l4_off);
	memcpy(&old, ih, 2);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	memcpy(&new, ih, 2);
	ih->icmp_cksum = sb_csum_update16(ih->icmp_cksum, old, new);
	/* 0x0000 from the update is wrong when the rest sums to +0 (an
	 * all-zero echo: id 0, sequence 0, no data; found by fuzz_worker):
	 * then, and only then, sum it whole. */
	if (unlikely(ih->icmp_cksum == 0)) {
		uint16_t c = rte_raw_cksum(ih, md->l4_len);

		ih->icmp_cksum = c == 0xffff ? 0 : (uint16_t)~c;
	}
	w->cnt.local_replies++;
	sb_l2out_tx(w, b->in, m, &dmac);
}

void
sb_local_reset(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct rte_mbuf *m = p->m;
	const struct sb_meta *md = &p->md;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + md->l4_off);
	struct rte_ether_addr dmac = turn_around(m, ip);
	uint32_t hl = (uint32_t)(th->data_off >> 4) * 4u;
	uint32_t len = md->l4_len - hl + ((th->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	uint16_t sport = th->src_port;

	if (th->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = th->recv_ack;
		th->recv_ack = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + len);
		th->sent_seq = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	th->src_port = th->dst_port;
	th->dst_port = sport;
	th->data_off = 5 << 4;
	th->rx_win = 0;
	th->tcp_urp = 0;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->fragment_offset = 0;
	/* The TCP header moves up if the IP header had options. */
	if (md->l4_off != sizeof(*ip))
		memmove(ip + 1, th, sizeof(*th));
	th = (struct rte_tcp_hdr *)(ip + 1);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - md->l3_off - sizeof(*ip) -
				       sizeof(*th)));
	w->cnt.tcp_rst_sent++;
	sb_l2out_tx(w, b->in, m, &dmac);
}
