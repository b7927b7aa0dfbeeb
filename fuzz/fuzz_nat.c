/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the NAT functions of dataplane/nat.c. The first byte picks
 * what is fuzzed:
 *   0: sb_nat_rewrite_src/dst on a parsed frame: every checksum that was
 *      right before the rewrite is right after it;
 *   1: sb_nat_icmp_err_key + sb_nat_icmp_err_rewrite on an ICMP error, both
 *      directions: same rule for the outer IP, ICMP, embedded IP and (when
 *      the whole datagram is quoted) embedded L4 checksums;
 *   2: a sequence of port allocations, releases and clock steps against a
 *      shadow model: no port handed out twice, none in its hold-down, none
 *      of the probe ids, and the counts agree.
 * Frames sit in heap blocks of exactly their size (ASan sees overreads). */
#include <netinet/in.h>

#include "fuzz_common.h"
#include "parse.h"
#include "nat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether the L4 checksum of the IPv4 datagram at @ip (@l4 = its L4
 * header, @len bytes) is right; UDP without a checksum counts as right. */
static int
l4_ok(const uint8_t *ip, const uint8_t *l4, size_t len, uint8_t proto)
{
	if (proto == IPPROTO_ICMP)
		return fuzz_cksum_ok(l4, len);
	if (proto == IPPROTO_UDP && rd16(l4 + 6) == 0)
		return 1;
	return fuzz_l4_cksum_ok(ip, l4, len, proto);
}

/* Modes 0 and 1 read a direction bit (the mode byte's low bit), an
 * address and a port as the bytes stand, then a frame: copied into a heap
 * block of its size (returned, for free(); NULL when the input is too
 * short) and parsed into @md; *@whole when it is an IPv4 packet that
 * parsed clean and is not a fragment. */
static uint8_t *
take_frame(const uint8_t *data, size_t size, bool *bit, uint32_t *addr, uint16_t *port,
	   struct sb_meta *md, bool *whole)
{
	struct rte_mbuf m;
	uint8_t *buf;

	if (size < 7)
		return NULL;
	*bit = data[0] & 1;
	memcpy(addr, data + 1, 4);
	memcpy(port, data + 5, 2);
	data += 7;
	size -= 7;
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	fuzz_mbuf(&m, buf, (uint16_t)size);
	*whole = sb_parse(&m, md) == SB_DROP_MAX && md->kind == SB_PKT_IPV4 &&
		 md->frag == SB_FRAG_NONE;
	return buf;
}

static void
fuzz_rewrite(const uint8_t *data, size_t size)
{
	struct sb_meta md;
	uint32_t addr;
	uint16_t port;
	bool src, whole;
	uint8_t *buf = take_frame(data, size, &src, &addr, &port, &md, &whole);

	if (buf == NULL)
		return;
	if (whole && sb_nat_proto(md.proto) >= 0) {
		uint8_t *ip = buf + md.l3_off, *l4 = ip + md.l4_off;
		size_t len = md.l4_len;
		int udp_none = md.proto == IPPROTO_UDP && rd16(l4 + 6) == 0;
		int ok;

		if (md.proto == IPPROTO_UDP)
			len = rd16(l4 + 4);  /* the datagram, without padding */
		ok = l4_ok(ip, l4, len, md.proto);
		if (src)
			sb_nat_rewrite_src(ip, &md, addr, port);
		else
			sb_nat_rewrite_dst(ip, &md, addr, port);
		FUZZ_CHECK(fuzz_cksum_ok(ip, md.l4_off), "IP checksum broken by the rewrite");
		FUZZ_CHECK(memcmp(ip + (src ? 12 : 16), &addr, 4) == 0, "address not written");
		if (ok)
			FUZZ_CHECK(l4_ok(ip, l4, len, md.proto), "L4 checksum broken (proto %u)",
				   md.proto);
		if (udp_none)
			FUZZ_CHECK(rd16(l4 + 6) == 0, "UDP 'no checksum' lost");
	}
	free(buf);
}

static void
fuzz_icmp_err(const uint8_t *data, size_t size)
{
	struct sb_meta md;
	struct sb_ct_key key;
	uint32_t addr;
	uint16_t port, emb_off;
	bool outbound, whole;
	uint8_t *buf = take_frame(data, size, &outbound, &addr, &port, &md, &whole);

	if (buf == NULL)
		return;
	if (whole && md.proto == IPPROTO_ICMP && sb_nat_icmp_is_error(md.icmp_type)) {
		uint8_t *ip = buf + md.l3_off, *l4 = ip + md.l4_off;
		uint32_t tot = md.l4_off + md.l4_len;

		if (sb_nat_icmp_err_key(ip, tot, &key, &emb_off) == SB_DROP_MAX) {
			uint8_t *e = ip + emb_off;
			uint32_t eihl = (e[0] & 0xf) * 4u;
			uint32_t quoted = tot - emb_off;  /* embedded datagram bytes here */
			uint32_t etot = rd16(e + 2);
			int icmp_ok, eip_ok, el4_ok = 0, whole;

			FUZZ_CHECK(emb_off == md.l4_off + 8, "emb_off %u", emb_off);
			FUZZ_CHECK(emb_off + eihl + 8 <= tot, "embedded header past the datagram");
			whole = etot == quoted && etot >= eihl && !(rd16(e + 6) & 0x3fff);
			icmp_ok = fuzz_cksum_ok(l4, md.l4_len);
			eip_ok = fuzz_cksum_ok(e, eihl);
			if (whole)
				el4_ok = l4_ok(e, e + eihl, etot - eihl, e[9]);
			sb_nat_icmp_err_rewrite(ip, tot, emb_off, outbound, addr, port);
			FUZZ_CHECK(fuzz_cksum_ok(ip, md.l4_off), "outer IP checksum broken");
			if (icmp_ok)
				FUZZ_CHECK(fuzz_cksum_ok(l4, md.l4_len), "ICMP checksum broken");
			if (eip_ok)
				FUZZ_CHECK(fuzz_cksum_ok(e, eihl), "embedded IP checksum broken");
			if (el4_ok && e[9] != IPPROTO_UDP)
				FUZZ_CHECK(l4_ok(e, e + eihl, etot - eihl, e[9]),
					   "embedded L4 checksum broken (proto %u)", e[9]);
		}
	}
	free(buf);
}

/* Mode 2: a shadow of the pool, reset through the list of ports touched. */
static struct sb_nat_pool pool, pristine;
static uint8_t shadow_used[SB_NAT_PROTO_MAX][65536];
static uint32_t shadow_after[SB_NAT_PROTO_MAX][65536];
static uint32_t touched[4096];
static unsigned n_touched;

static void
touch(unsigned p, uint16_t port)
{
	if (n_touched < 4096)
		touched[n_touched++] = p << 16 | port;
}

static void
fuzz_ports(const uint8_t *data, size_t size)
{
	uint32_t now = 1000, rnd = 0x9e3779b9, n_used[SB_NAT_PROTO_MAX] = { 0 };
	static bool ready;

	if (!ready) {
		sb_nat_pool_init(&pristine);
		memcpy(&pool, &pristine, sizeof(pool));
		ready = true;
	}
	if (size > 4 * 1000)
		size = 4 * 1000;
	n_touched = 0;
	for (size_t i = 1; i + 4 <= size; i += 4) {
		const uint8_t *op = data + i;
		unsigned p = op[1] % SB_NAT_PROTO_MAX;
		uint16_t port = rd16(op + 2);

		switch (op[0] % 4) {
		case 0:
		case 1: {
			int r;

			rnd = rnd * 1664525u + 1013904223u;
			r = sb_nat_port_alloc(&pool, (enum sb_nat_proto)p, port, rnd, now);
			if (r < 0)
				break;
			FUZZ_CHECK(r > 0 && r < 65536, "port %d", r);
			FUZZ_CHECK(!shadow_used[p][r], "port %d/%u handed out twice", r, p);
			FUZZ_CHECK(now >= shadow_after[p][r], "port %d/%u reused in its hold-down", r, p);
			FUZZ_CHECK(p != SB_NAT_ICMP || (r & SB_PROBE_ID_MASK) != SB_PROBE_ID_BASE,
				   "probe id %d handed out", r);
			FUZZ_CHECK(r == port || r >= (int)SB_NAT_PORT_MIN, "port %d below the range", r);
			shadow_used[p][r] = 1;
			n_used[p]++;
			touch(p, (uint16_t)r);
			break;
		}
		case 2:
			sb_nat_port_free(&pool, (enum sb_nat_proto)p, port, now);
			if (shadow_used[p][port]) {
				shadow_used[p][port] = 0;
				shadow_after[p][port] = now + SB_NAT_PORT_HOLD_S;
				n_used[p]--;
				touch(p, port);
			}
			break;
		case 3:
			now += op[1];
			break;
		}
		FUZZ_CHECK(pool.n_used[p] == n_used[p], "count %u, shadow %u", pool.n_used[p],
			   n_used[p]);
		FUZZ_CHECK(pool.steps_max <= 17, "an allocation took %lu steps",
			   (unsigned long)pool.steps_max);
		FUZZ_CHECK(sb_nat_port_used(&pool, (enum sb_nat_proto)p, port) ==
			   shadow_used[p][port], "bit of %u/%u", port, p);
	}
	/* Back to empty for the next input: the pool from its pristine copy
 * (its hold ring and summaries too), the shadow through the list. */
	memcpy(&pool, &pristine, sizeof(pool));
	for (unsigned i = 0; i < n_touched; i++) {
		unsigned p = touched[i] >> 16, port = touched[i] & 0xffff;

		shadow_used[p][port] = 0;
		shadow_after[p][port] = 0;
	}
	if (n_touched == 4096) {        /* the list overflowed: reset all */
		memset(shadow_used, 0, sizeof(shadow_used));
		memset(shadow_after, 0, sizeof(shadow_after));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 9216)
		return 0;
	switch (data[0] >> 6) {
	case 0:
		fuzz_rewrite(data, size);
		break;
	case 1:
		fuzz_icmp_err(data, size);
		break;
	default:
		fuzz_ports(data, size);
		break;
	}
	return 0;
}
