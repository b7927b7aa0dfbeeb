/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: sb_parse() on any frame. Invariants: what it accepts lies
 * inside the frame and agrees with the headers. The frame sits in a heap
 * block of exactly its size, so any read past it is an ASan report. */
#include "fuzz_common.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf m;
	struct sb_meta md;
	uint8_t *buf;
	unsigned r;

	if (size > 9216)
		return 0;
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	fuzz_mbuf(&m, buf, (uint16_t)size);
	memset(&md, 0xa5, sizeof(md));
	r = sb_parse(&m, &md);
	FUZZ_CHECK(r <= SB_DROP_MAX, "reason %u", r);
	if (r == SB_DROP_MAX) {
		FUZZ_CHECK(md.l3_off == 14 || md.l3_off == 18, "l3_off %u", md.l3_off);
		if (md.kind == SB_PKT_ARP) {
			FUZZ_CHECK(md.l3_off + 28u <= size, "arp past the frame");
		} else {
			const uint8_t *ip = buf + md.l3_off;

			FUZZ_CHECK(md.kind == SB_PKT_IPV4, "kind %u", md.kind);
			FUZZ_CHECK(md.l4_off >= 20 && md.l4_off == (ip[0] & 0xf) * 4, "ihl");
			FUZZ_CHECK((size_t)md.l3_off + md.l4_off + md.l4_len <= size,
				   "l4 past the frame: %u + %u + %u > %zu", md.l3_off, md.l4_off,
				   md.l4_len, size);
			FUZZ_CHECK(md.proto == ip[9] && md.ttl == ip[8], "proto/ttl");
			FUZZ_CHECK(fuzz_cksum_ok(ip, md.l4_off), "accepted a bad IP checksum");
			if (md.frag != SB_FRAG_LATER) {
				if (md.proto == 6)
					FUZZ_CHECK(md.l4_len >= 20, "short TCP");
				if (md.proto == 17)
					FUZZ_CHECK(md.l4_len >= 8, "short UDP");
				if (md.proto == 1)
					FUZZ_CHECK(md.l4_len >= 8, "short ICMP");
			} else {
				FUZZ_CHECK(md.sport == 0 && md.dport == 0, "ports on a later fragment");
			}
		}
	}
	free(buf);
	return 0;
}
