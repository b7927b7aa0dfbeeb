/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP client's private parts, shared by dhcp.c (the state
 * machine), dhcp_wire.c (parser, frame builder) and dhcp_lease.c (the lease
 * kept on disk). Not for other modules: they use dhcp.h. */
#ifndef SB_DHCP_PRIV_H
#define SB_DHCP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dhcp.h"

#define BOOTP_FIXED      236    /* op .. file */
#define BOOTP_MIN_SIZE   300    /* pad requests to this (RFC 1542 relays) */
#define DHCP_COOKIE      0x63825363u
#define PORT_SERVER      67
#define PORT_CLIENT      68
#define ETH_HLEN         14
#define IP_HLEN          20
#define UDP_HLEN         8
#define MAX_MSG_SIZE     1500   /* option 57: what we can take */

/* Option codes (RFC 2132, 3442). */
enum {
	OPT_PAD = 0, OPT_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
	OPT_REQ_IP = 50, OPT_LEASE = 51, OPT_OVERLOAD = 52, OPT_TYPE = 53,
	OPT_SERVER = 54, OPT_PRL = 55, OPT_MESSAGE = 56, OPT_MAX_SIZE = 57,
	OPT_T1 = 58, OPT_T2 = 59, OPT_CLIENT_ID = 61, OPT_CSR = 121, OPT_END = 255,
};

/* Big-endian reads and writes, the Internet checksum (RFC 1071). */
static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One's complement sum of @len bytes (RFC 1071), not folded. */
static inline uint32_t
csum_add(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	return s;
}

static inline uint16_t
csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* One message for sb_dhcp_build(). */
struct sb_dhcp_tx {
	const struct sb_dhcp_conf *conf;
	uint8_t type;
	uint32_t xid;
	uint16_t secs;
	uint32_t ciaddr;        /* also the IP source */
	uint32_t req_ip;        /* option 50, 0 = none */
	uint32_t server_id;     /* option 54, 0 = none */
	uint32_t dst_ip;        /* 0xffffffff = broadcast */
	const uint8_t *dst_mac; /* NULL = broadcast */
	bool params;            /* hostname, parameter request list and max size */
};

/* The client identifier @c sends (its own, or type 1 and the MAC) into
 * @cid (at least 1 + SB_DHCP_CLIENT_ID_MAX bytes); returns its length. */
size_t sb_dhcp_client_id(const struct sb_dhcp_conf *c, uint8_t *cid);

/* Build @t as a complete Ethernet frame into @frame (SB_DHCP_FRAME_MAX
 * bytes); returns its length. */
size_t sb_dhcp_build(const struct sb_dhcp_tx *t, uint8_t *frame);

#endif
