/* SPDX-License-Identifier: BSD-3-Clause
 * switchback tests: IPv4 headers written the way the tests' packets need
 * them. */
#ifndef SB_TEST_PKT_H
#define SB_TEST_PKT_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

/* An IPv4 header without options at @ip: @proto, @len bytes with the
 * header, TTL @ttl, from @src to @dst (host order), its checksum right. */
static inline void
sb_test_ipv4(struct rte_ipv4_hdr *ip, uint8_t proto, uint16_t len, uint8_t ttl, uint32_t src,
	     uint32_t dst)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The checksum of the IPv4 header at @hdr made right again after a change. */
static inline void
sb_test_ipv4_recsum(void *hdr)
{
	struct rte_ipv4_hdr *ip = hdr;

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

#endif
