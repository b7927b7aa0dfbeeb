/* SPDX-License-Identifier: BSD-3-Clause
 * Parsing and validation of received frames. */
#include "test_common.h"
#include "test_pkt.h"

#include <netinet/in.h>
#include <rte_mbuf.h>
#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>

#include "parse.h"

static struct rte_mempool *mp;

static int
setup(void **state)
{
	if (sb_test_eal_up(state, "parse") != 0)
		return -1;
	mp = rte_pktmbuf_pool_create("t_parse", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return mp == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	rte_mempool_free(mp);
	return sb_test_eal_down(state);
}

enum { L4_LEN = 24 };

/* A frame: Ethernet (+ optional VLAN) + IPv4 + L4 of @proto. */
static struct rte_mbuf *
frame(uint8_t proto, bool vlan, uint8_t icmp_type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint32_t off = sizeof(struct rte_ether_hdr) + (vlan ? 4 : 0);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(off + 20 + L4_LEN));
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + off);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(p, 0, off + 20 + L4_LEN);
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(42);
		vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	} else {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	sb_test_ipv4(ip, proto, 20 + L4_LEN, 64, 0xc0a8010a, 0xc0000250);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = rte_cpu_to_be_16(40000);
		th->dst_port = rte_cpu_to_be_16(80);
		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_SYN_FLAG;
	} else if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = rte_cpu_to_be_16(5000);
		uh->dst_port = rte_cpu_to_be_16(53);
		uh->dgram_len = rte_cpu_to_be_16(L4_LEN);
	} else if (proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4;

		ih->icmp_type = icmp_type;
		ih->icmp_ident = rte_cpu_to_be_16(77);
	}
	return m;
}

static struct rte_ipv4_hdr *
iph(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

static void
refresh(struct rte_mbuf *m)
{
	sb_test_ipv4_recsum(iph(m));
}

static unsigned
parse(struct rte_mbuf *m, struct sb_meta *md)
{
	unsigned r = sb_parse(m, md);

	rte_pktmbuf_free(m);
	return r;
}

static void
test_parse_tcp(void **state)
{
	struct sb_meta md;

	(void)state;
	assert_int_equal(parse(frame(IPPROTO_TCP, false, 0), &md), SB_DROP_MAX);
	assert_int_equal(md.kind, SB_PKT_IPV4);
	assert_int_equal(md.proto, IPPROTO_TCP);
	assert_int_equal(md.src, rte_cpu_to_be_32(0xc0a8010a));
	assert_int_equal(md.dst, rte_cpu_to_be_32(0xc0000250));
	assert_int_equal(md.sport, rte_cpu_to_be_16(40000));
	assert_int_equal(md.dport, rte_cpu_to_be_16(80));
	assert_int_equal(md.tcp_flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(md.l3_off, 14);
	assert_int_equal(md.l4_off, 20);
	assert_int_equal(md.ttl, 64);
	assert_int_equal(md.vlan, 0);
}

static void
test_parse_udp_with_vlan(void **state)
{
	struct sb_meta md;

	(void)state;
	struct rte_mbuf *m = frame(IPPROTO_UDP, true, 0);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 18);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	assert_int_equal(parse(m, &md), SB_DROP_MAX);
	assert_int_equal(md.vlan, 42);
	assert_int_equal(md.l3_off, 18);
	assert_int_equal(md.sport, rte_cpu_to_be_16(5000));
	assert_int_equal(md.dport, rte_cpu_to_be_16(53));
}

static void
test_parse_icmp_echo_ids(void **state)
{
	struct sb_meta md;

	(void)state;
	assert_int_equal(parse(frame(IPPROTO_ICMP, false, RTE_IP_ICMP_ECHO_REQUEST), &md),
			 SB_DROP_MAX);
	assert_int_equal(md.sport, rte_cpu_to_be_16(77));
	assert_int_equal(md.dport, 0);
	assert_int_equal(parse(frame(IPPROTO_ICMP, false, RTE_IP_ICMP_ECHO_REPLY), &md),
			 SB_DROP_MAX);
	assert_int_equal(md.sport, 0);
	assert_int_equal(md.dport, rte_cpu_to_be_16(77));
}

static void
test_parse_arp(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 42);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	struct sb_meta md;

	(void)state;
	memset(p, 0, 42);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(0xc0a8010a);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(0xc0a80101);
	assert_int_equal(parse(m, &md), SB_DROP_MAX);
	assert_int_equal(md.kind, SB_PKT_ARP);
	assert_int_equal(md.dst, rte_cpu_to_be_32(0xc0a80101));
}

static void
test_parse_drop_truncated(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_TCP, false, 0);

	(void)state;
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 10);
	assert_int_equal(parse(m, &md), SB_DROP_TRUNCATED);
	m = frame(IPPROTO_TCP, false, 0);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 30);   /* half an IP header */
	assert_int_equal(parse(m, &md), SB_DROP_TRUNCATED);
}

static void
test_parse_drop_ethertype(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_TCP, false, 0);

	(void)state;
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = rte_cpu_to_be_16(0x86dd);
	assert_int_equal(parse(m, &md), SB_DROP_ETHERTYPE);
}

static void
test_parse_drop_bad_header(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_TCP, false, 0);

	(void)state;
	iph(m)->version_ihl = 0x65;
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_IP_HEADER);
	m = frame(IPPROTO_TCP, false, 0);
	iph(m)->version_ihl = 0x44;
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_IP_HEADER);
}

static void
test_parse_drop_bad_length(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_TCP, false, 0);

	(void)state;
	iph(m)->total_length = rte_cpu_to_be_16(1500);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_IP_LENGTH);
	m = frame(IPPROTO_TCP, false, 0);
	iph(m)->total_length = rte_cpu_to_be_16(10);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_IP_LENGTH);
}

static void
test_parse_drop_bad_checksum(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_UDP, false, 0);

	(void)state;
	iph(m)->hdr_checksum ^= 0x0101;
	assert_int_equal(parse(m, &md), SB_DROP_IP_CHECKSUM);
}

/* sb_ipv4_cksum_ok's 20-byte test (a divisibility test, no fold) says
 * what DPDK's own sum says, on random headers (IHL 5, as its callers'
 * are), each as it is (almost always wrong), with its right checksum,
 * with that checksum's other one's complement form where it has one
 * (0 and 0xffff), and with one bit flipped. */
static bool
cksum_ref_ok(const struct rte_ipv4_hdr *ip)
{
	return rte_raw_cksum(ip, sizeof(*ip)) == 0xffff;
}

static void
test_parse_ipv4_cksum_matches_dpdk(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned agree = 0, valid = 0;

	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		union {
			struct rte_ipv4_hdr ip;
			uint8_t b[20];
		} h;

		for (unsigned j = 0; j < 20; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			h.b[j] = (uint8_t)x;
		}
		/* Some headers of few bits: sums near 0 and 0xffff. */
		if (i % 4 == 1)
			for (unsigned j = 1; j < 20; j++)
				h.b[j] &= (uint8_t)(x >> (j % 8) & 1 ? 0xff : 0);
		h.b[0] = 0x45;
		assert_int_equal(sb_ipv4_cksum_ok(&h, 20), cksum_ref_ok(&h.ip));
		agree++;
		h.ip.hdr_checksum = 0;
		h.ip.hdr_checksum = rte_ipv4_cksum(&h.ip);
		assert_true(cksum_ref_ok(&h.ip));
		assert_true(sb_ipv4_cksum_ok(&h, 20));
		valid++;
		h.ip.hdr_checksum = (uint16_t)~h.ip.hdr_checksum;
		assert_int_equal(sb_ipv4_cksum_ok(&h, 20), cksum_ref_ok(&h.ip));
		h.ip.hdr_checksum = (uint16_t)~h.ip.hdr_checksum;
		h.b[1 + x % 19] ^= (uint8_t)(1u << (x >> 8) % 8);
		assert_false(cksum_ref_ok(&h.ip));
		assert_false(sb_ipv4_cksum_ok(&h, 20));
	}
	assert_int_equal(agree, 200000);
	assert_int_equal(valid, 200000);
}

/* parse()'s verdict on a UDP frame from (to, when @to) @addr. */
static unsigned
parse_addr(bool to, uint32_t addr)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_UDP, false, 0);

	if (to)
		iph(m)->dst_addr = rte_cpu_to_be_32(addr);
	else
		iph(m)->src_addr = rte_cpu_to_be_32(addr);
	refresh(m);
	return parse(m, &md);
}

static void
test_parse_drop_martian(void **state)
{
	static const uint32_t bad[] = { 0x00000001, 0x7f000001, 0xe0000001, 0xffffffff };

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(parse_addr(false, bad[i]), SB_DROP_IP_MARTIAN);
}

/* Destinations no packet may have (issue 11, finding 9): 0/8, 127/8,
 * 240/4; the limited broadcast and multicast are left to the worker. */
static void
test_parse_drop_martian_destination(void **state)
{
	static const uint32_t bad[] = { 0x00000001, 0x7f000001, 0xf0000001, 0xfffffffe };
	static const uint32_t good[] = { 0xffffffff, 0xe00000fb, 0xc0000250 };

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(parse_addr(true, bad[i]), SB_DROP_IP_MARTIAN);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(parse_addr(true, good[i]), SB_DROP_MAX);
}

/* A frame with IP options @opt (@n bytes, a multiple of 4) before UDP. */
static struct rte_mbuf *
with_options(const uint8_t *opt, unsigned n)
{
	struct rte_mbuf *m = frame(IPPROTO_UDP, false, 0);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = p + sizeof(struct rte_ether_hdr);

	assert_non_null(rte_pktmbuf_append(m, (uint16_t)n));
	memmove(ip + 20 + n, ip + 20, L4_LEN);
	memcpy(ip + 20, opt, n);
	iph(m)->version_ihl = (uint8_t)(0x40 | (5 + n / 4));
	iph(m)->total_length = rte_cpu_to_be_16((uint16_t)(20 + n + L4_LEN));
	refresh(m);
	return m;
}

static void
test_parse_ip_options(void **state)
{
	static const uint8_t lsrr[] = { 0x83, 7, 4, 192, 0, 2, 1, 0 };
	static const uint8_t ssrr[] = { 1, 0x89, 7, 4, 192, 0, 2, 1 };
	static const uint8_t rr[] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	static const uint8_t ra[] = { 0x94, 4, 0, 0 };          /* router alert */
	static const uint8_t bad_len[] = { 7, 12, 4, 0 };        /* past the header */
	static const uint8_t zero_len[] = { 0x44, 0, 0, 0 };
	struct sb_meta md;

	(void)state;
	assert_int_equal(parse(with_options(lsrr, 8), &md), SB_DROP_IP_SOURCE_ROUTE);
	assert_int_equal(parse(with_options(ssrr, 8), &md), SB_DROP_IP_SOURCE_ROUTE);
	assert_int_equal(parse(with_options(rr, 8), &md), SB_DROP_MAX);
	assert_int_equal(md.l4_off, 28);
	assert_int_equal(md.dport, rte_cpu_to_be_16(53));
	assert_int_equal(parse(with_options(ra, 4), &md), SB_DROP_MAX);
	assert_int_equal(parse(with_options(bad_len, 4), &md), SB_DROP_IP_HEADER);
	assert_int_equal(parse(with_options(zero_len, 4), &md), SB_DROP_IP_HEADER);
}

static void
test_parse_fragments(void **state)
{
	struct sb_meta md;
	struct rte_mbuf *m = frame(IPPROTO_UDP, false, 0);

	(void)state;
	/* First fragment: ports parsed; its UDP length may exceed it. */
	iph(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	iph(m)->packet_id = rte_cpu_to_be_16(4242);
	((struct rte_udp_hdr *)(iph(m) + 1))->dgram_len = rte_cpu_to_be_16(3000);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_MAX);
	assert_int_equal(md.frag, SB_FRAG_FIRST);
	assert_int_equal(md.sport, rte_cpu_to_be_16(5000));
	assert_int_equal(md.ip_id, rte_cpu_to_be_16(4242));
	/* A later one: no L4 header to read. */
	m = frame(IPPROTO_UDP, false, 0);
	iph(m)->fragment_offset = rte_cpu_to_be_16(100);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_MAX);
	assert_int_equal(md.frag, SB_FRAG_LATER);
	assert_int_equal(md.sport, 0);
	assert_int_equal(md.dport, 0);
	/* DF alone is not a fragment. */
	m = frame(IPPROTO_UDP, false, 0);
	iph(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_MAX);
	assert_int_equal(md.frag, SB_FRAG_NONE);
	/* A first fragment too short for its UDP header is refused. */
	m = frame(IPPROTO_UDP, false, 0);
	iph(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	iph(m)->total_length = rte_cpu_to_be_16(24);
	refresh(m);
	assert_int_equal(parse(m, &md), SB_DROP_L4_HEADER);
}

static void
test_parse_drop_l4_truncated(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	struct sb_meta md;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct rte_mbuf *m = frame(protos[i], false, RTE_IP_ICMP_ECHO_REQUEST);

		/* IP says only 4 bytes of L4 follow. */
		iph(m)->total_length = rte_cpu_to_be_16(24);
		refresh(m);
		assert_int_equal(parse(m, &md), SB_DROP_L4_HEADER);
	}
	/* TCP data offset beyond the segment. */
	struct rte_mbuf *m = frame(IPPROTO_TCP, false, 0);

	((struct rte_tcp_hdr *)(iph(m) + 1))->data_off = 15 << 4;
	assert_int_equal(parse(m, &md), SB_DROP_L4_HEADER);
	/* UDP length larger than the IP payload. */
	m = frame(IPPROTO_UDP, false, 0);
	((struct rte_udp_hdr *)(iph(m) + 1))->dgram_len = rte_cpu_to_be_16(200);
	assert_int_equal(parse(m, &md), SB_DROP_L4_HEADER);
}

SB_TEST_MAIN("parse", setup, teardown,
	     cmocka_unit_test(test_parse_tcp),
	     cmocka_unit_test(test_parse_udp_with_vlan),
	     cmocka_unit_test(test_parse_icmp_echo_ids),
	     cmocka_unit_test(test_parse_arp),
	     cmocka_unit_test(test_parse_drop_truncated),
	     cmocka_unit_test(test_parse_drop_ethertype),
	     cmocka_unit_test(test_parse_drop_bad_header),
	     cmocka_unit_test(test_parse_drop_bad_length),
	     cmocka_unit_test(test_parse_drop_bad_checksum),
	     cmocka_unit_test(test_parse_ipv4_cksum_matches_dpdk),
	     cmocka_unit_test(test_parse_drop_martian),
	     cmocka_unit_test(test_parse_drop_martian_destination),
	     cmocka_unit_test(test_parse_ip_options),
	     cmocka_unit_test(test_parse_fragments),
	     cmocka_unit_test(test_parse_drop_l4_truncated))
