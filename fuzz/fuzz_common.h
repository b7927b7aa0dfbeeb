/* SPDX-License-Identifier: BSD-3-Clause
 * switchback fuzz targets: shared helpers. A broken invariant aborts, so
 * libFuzzer keeps the input as a crash like any sanitizer report. */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#define FUZZ_CHECK(cond, ...)                                               \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "invariant broken at %s:%d: %s: ",  \
				__FILE__, __LINE__, #cond);                 \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			abort();                                            \
		}                                                           \
	} while (0)

/* True when the block at @p (its checksum field included) sums to 0xffff
 * (DPDK's one's complement sum: any alignment, any length). */
static inline int
fuzz_cksum_ok(const uint8_t *p, size_t n)
{
	return rte_raw_cksum(p, n) == 0xffff;
}

/* TCP/UDP over IPv4: pseudo-header + @l4_len bytes of segment. The sum
 * is in host order, so are the pseudo-header's protocol and length. */
static inline int
fuzz_l4_cksum_ok(const uint8_t *ip, const uint8_t *l4, size_t l4_len, uint8_t proto)
{
	uint32_t s = __rte_raw_cksum(ip + 12, 8, 0);

	s += rte_cpu_to_be_16(proto);
	s += rte_cpu_to_be_16((uint16_t)l4_len);
	return __rte_raw_cksum_reduce(__rte_raw_cksum(l4, l4_len, s)) == 0xffff;
}

/* A bare mbuf around @buf (no EAL, no pool): what sb_parse() reads. */
static inline void
fuzz_mbuf(struct rte_mbuf *m, uint8_t *buf, uint16_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->buf_len = len;
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
}

#endif
