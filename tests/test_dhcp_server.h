/* SPDX-License-Identifier: BSD-3-Clause
 * A DHCP server in a test: builds its replies byte by byte (checksums
 * right) and reads and checks what the client sent. For test_dhcp.c and
 * test_lease.c. */
#ifndef SB_TEST_DHCP_SERVER_H
#define SB_TEST_DHCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dhcp.h"
#include "dhcp_priv.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint8_t MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t SRV_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x99, 0x01 };
static const uint32_t SRV = IP(203, 0, 113, 1);
static const uint32_t SRV2 = IP(203, 0, 113, 2);
static const uint32_t ADDR = IP(203, 0, 113, 10);
static const uint32_t ADDR2 = IP(203, 0, 113, 20);
static const uint64_t T0 = 100000000; /* the fake clock starts here, in ms */

/* --- reading the client's frames ---------------------------------------- */

/* The client's own byte order and RFC 1071 sum (dhcp_priv.h), folded. */
static inline uint16_t
sum16(uint32_t s, const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(s, p, len));
}

struct sent {
	uint8_t dst_mac[6], src_mac[6];
	uint32_t src_ip, dst_ip;
	uint8_t type;
	uint32_t xid, ciaddr;
	uint16_t secs;
	uint32_t req_ip, server_id;   /* options 50, 54; 0 = absent */
	uint8_t client_id[80];
	unsigned client_id_len;
	char hostname[80];
	bool has_prl;
};

/* Check a frame the client sent (headers, both checksums, BOOTP request)
 * and read what the tests look at. */
static inline void
read_sent(const struct sb_dhcp_out *out, struct sent *s)
{
	const uint8_t *f = out->frame;
	const uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;
	size_t ulen;

	memset(s, 0, sizeof(*s));
	assert_true(out->frame_len >= 14 + 20 + 8 + 300);
	assert_int_equal(get16(f + 12), 0x0800);
	memcpy(s->dst_mac, f, 6);
	memcpy(s->src_mac, f + 6, 6);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(get16(ip + 2), out->frame_len - 14);
	assert_int_equal(ip[9], 17);
	assert_int_equal(sum16(0, ip, 20), 0xffff);
	s->src_ip = get32(ip + 12);
	s->dst_ip = get32(ip + 16);
	assert_int_equal(get16(udp), 68);
	assert_int_equal(get16(udp + 2), 67);
	ulen = get16(udp + 4);
	assert_int_equal(ulen, out->frame_len - 14 - 20);
	assert_int_not_equal(get16(udp + 6), 0);
	assert_int_equal(sum16(sum16(17 + (uint32_t)ulen, ip + 12, 8), udp, ulen), 0xffff);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 1);
	assert_int_equal(b[2], 6);
	s->xid = get32(b + 4);
	s->secs = get16(b + 8);
	s->ciaddr = get32(b + 12);
	assert_memory_equal(b + 28, MAC, 6);
	assert_int_equal(get32(b + 236), 0x63825363u);
	size_t i = 240, blen = ulen - 8;
	bool end = false;

	while (i < blen && !end) {
		uint8_t code = b[i];

		if (code == 0) {
			i++;
			continue;
		}
		if (code == 255) {
			end = true;
			break;
		}
		assert_true(i + 2 <= blen);
		uint8_t l = b[i + 1];

		assert_true(i + 2 + l <= blen);
		const uint8_t *v = b + i + 2;

		switch (code) {
		case 53: assert_int_equal(l, 1); s->type = v[0]; break;
		case 50: assert_int_equal(l, 4); s->req_ip = get32(v); break;
		case 54: assert_int_equal(l, 4); s->server_id = get32(v); break;
		case 61: memcpy(s->client_id, v, l); s->client_id_len = l; break;
		case 12: memcpy(s->hostname, v, l); s->hostname[l] = '\0'; break;
		case 55: s->has_prl = true; break;
		default: break;
		}
		i += 2 + l;
	}
	assert_true(end);
}

/* --- the test server's frames ---------------------------------------------- */

struct reply {
	uint8_t type;
	uint32_t xid, yiaddr, server_id;  /* server_id 0 = no option 54 */
	uint32_t lease_s;                 /* 0 = no option 51 */
	uint32_t mask, router;            /* 0 = no option */
	uint32_t t1_s, t2_s;              /* 0 = no option */
	const uint8_t *extra;             /* raw options appended before the end */
	size_t extra_len;
	const uint8_t *chaddr;            /* NULL = MAC */
	uint32_t src_ip;                  /* 0 = server_id */
};

static inline size_t
opt4(uint8_t *o, uint8_t code, uint32_t v)
{
	o[0] = code;
	o[1] = 4;
	put32(o + 2, v);
	return 6;
}

/* A complete frame from the server to the client, checksums right. */
static inline size_t
mk_reply(uint8_t *f, const struct reply *r)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o = b + 240;
	size_t blen, ulen;

	memset(f, 0, 1500);
	memcpy(f, MAC, 6);
	memcpy(f + 6, SRV_MAC, 6);
	put16(f + 12, 0x0800);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, r->xid);
	put32(b + 16, r->yiaddr);
	memcpy(b + 28, r->chaddr != NULL ? r->chaddr : MAC, 6);
	put32(b + 236, 0x63825363u);
	*o++ = 53;
	*o++ = 1;
	*o++ = r->type;
	/* Options 54, 51, 1, 3, 58, 59 in this order, each when not 0. */
	const struct { uint8_t code; uint32_t v; } o4[] = {
		{ 54, r->server_id }, { 51, r->lease_s }, { 1, r->mask },
		{ 3, r->router }, { 58, r->t1_s }, { 59, r->t2_s },
	};
	for (size_t i = 0; i < sizeof(o4) / sizeof(o4[0]); i++)
		if (o4[i].v != 0)
			o += opt4(o, o4[i].code, o4[i].v);
	if (r->extra_len > 0) {
		memcpy(o, r->extra, r->extra_len);
		o += r->extra_len;
	}
	*o++ = 255;
	blen = (size_t)(o - b);
	if (blen < 300)
		blen = 300;
	ulen = 8 + blen;
	put16(udp, 67);
	put16(udp + 2, 68);
	put16(udp + 4, (uint16_t)ulen);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + ulen));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, r->src_ip != 0 ? r->src_ip : r->server_id);
	put32(ip + 16, r->yiaddr);
	put16(ip + 10, (uint16_t)~sum16(0, ip, 20));
	put16(udp + 6, (uint16_t)~sum16(sum16(17 + (uint32_t)ulen, ip + 12, 8), udp, ulen));
	return 14 + 20 + ulen;
}

/* A server's usual reply: /24, router .1, DNS, 120 s. */
static inline struct reply
std_reply(uint8_t type, uint32_t xid, uint32_t yiaddr, uint32_t server)
{
	struct reply r = { .type = type, .xid = xid, .yiaddr = yiaddr, .server_id = server,
			   .lease_s = 120, .mask = 0xffffff00u, .router = IP(203, 0, 113, 1) };

	return r;
}

static inline enum sb_dhcp_refuse
deliver(struct sb_dhcp *d, uint64_t now, const struct reply *r, struct sb_dhcp_out *out)
{
	uint8_t f[1500];
	size_t n = mk_reply(f, r);

	return sb_dhcp_receive(d, now, f, n, out);
}

#endif
