/* SPDX-License-Identifier: BSD-3-Clause
 * switchback fuzz targets: shared helpers. A broken invariant aborts, so
 * libFuzzer keeps the input as a crash like any sanitizer report. */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One's complement sum, byte by byte (any alignment, any length). */
static inline uint32_t
fuzz_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t
fuzz_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* True when the block at @p (its checksum field included) sums to 0xffff. */
static inline int
fuzz_cksum_ok(const uint8_t *p, size_t n)
{
	return fuzz_fold(fuzz_sum(p, n, 0)) == 0xffff;
}

/* TCP/UDP over IPv4: pseudo-header + @l4_len bytes of segment. */
static inline int
fuzz_l4_cksum_ok(const uint8_t *ip, const uint8_t *l4, size_t l4_len, uint8_t proto)
{
	uint32_t s = fuzz_sum(ip + 12, 8, 0);

	s += proto;
	s += (uint32_t)l4_len;
	return fuzz_fold(fuzz_sum(l4, l4_len, s)) == 0xffff;
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
