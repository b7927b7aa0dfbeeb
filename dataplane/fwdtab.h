/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the inbound rules a worker matches unsolicited packets from
 * a WAN against: port forwards ([forward NAME]) and one-to-one NAT
 * ([nat1to1 NAME]), with their hit counters. Built by control from the
 * configuration before the worker starts, fixed afterwards; the counters
 * are written by the worker only and read late by control. Pure logic: no
 * EAL (tests/test_fwdtab.c). docs/nat.md, "Inbound". */
#ifndef SB_FWDTAB_H
#define SB_FWDTAB_H

#include <stdint.h>
#include <stdbool.h>

#include "sb_config.h"

struct sb_fwd_rule {
	uint32_t wans;            /* bit per port index */
	uint8_t protos;           /* SB_FWD_TCP | SB_FWD_UDP */
	uint8_t lan_port;         /* port index of @to's LAN */
	uint16_t ext_lo, ext_hi;  /* host order, inclusive */
	uint16_t to_lo;           /* host order */
	uint32_t to;              /* host order */
	unsigned n_allow;         /* 0 = any source */
	uint32_t allow_net[SB_FWD_MAX_ALLOW], allow_mask[SB_FWD_MAX_ALLOW];
};

struct sb_fwd_count {
	uint64_t hits;            /* sessions created */
	uint64_t refused;         /* first packets from a source not allowed */
	uint64_t hairpin;         /* hairpin sessions from the LAN */
};

struct sb_nat11 {
	uint32_t external, internal;  /* host order */
	uint8_t wan, lan_port;        /* port indexes */
};

struct sb_nat11_count {
	uint64_t in, out;             /* sessions created inbound, outbound */
};

struct sb_fwdtab {
	unsigned n;
	struct sb_fwd_rule r[SB_MAX_FORWARDS];
	struct sb_fwd_count cnt[SB_MAX_FORWARDS];
	/* Per WAN port: the gateway replies of inbound sessions leave
	 * through (host order; 0 = take one from the published paths). */
	uint32_t reply_gw[SB_MAX_PORTS];
	unsigned n11;
	struct sb_nat11 m11[SB_MAX_NAT1TO1];
	struct sb_nat11_count cnt11[SB_MAX_NAT1TO1];
};

/** Fill @t from @cfg: its forwards, one-to-one mappings and each WAN's
 * reply gateway (sb_fwdtab_reply_gw). Any thread. */
void sb_fwdtab_build(struct sb_fwdtab *t, const struct sb_config *cfg);

/** The gateway inbound sessions on WAN @port answer through: the gateway
 * on its subnet of its best route (a default route first, then the lowest
 * distance), else its [wan] gateway; 0 when the config names none (a
 * DHCP WAN: the worker takes its path from the published state). */
uint32_t sb_fwdtab_reply_gw(const struct sb_config *cfg, unsigned port);

/** The forward that takes @ipproto packets to external port @dport (host
 * order) on WAN @port: its index, or -1. */
static inline int
sb_fwdtab_match(const struct sb_fwdtab *t, unsigned port, uint8_t ipproto, uint16_t dport)
{
	uint8_t pb = ipproto == 6 ? SB_FWD_TCP : ipproto == 17 ? SB_FWD_UDP : 0;

	for (unsigned i = 0; i < t->n; i++) {
		const struct sb_fwd_rule *r = &t->r[i];

		if ((r->wans >> port & 1) && (r->protos & pb) && dport >= r->ext_lo &&
		    dport <= r->ext_hi)
			return (int)i;
	}
	return -1;
}

/** May @src (host order) use forward @r? */
static inline bool
sb_fwdtab_allowed(const struct sb_fwd_rule *r, uint32_t src)
{
	if (r->n_allow == 0)
		return true;
	for (unsigned k = 0; k < r->n_allow; k++)
		if ((src & r->allow_mask[k]) == r->allow_net[k])
			return true;
	return false;
}

/** The internal port external port @dport of forward @r goes to. */
static inline uint16_t
sb_fwdtab_to_port(const struct sb_fwd_rule *r, uint16_t dport)
{
	return (uint16_t)(r->to_lo + (dport - r->ext_lo));
}

/** The one-to-one mapping whose external address is @ext (host order)
 * on WAN @port, or -1. */
static inline int
sb_fwdtab_11_ext(const struct sb_fwdtab *t, unsigned port, uint32_t ext)
{
	for (unsigned i = 0; i < t->n11; i++)
		if (t->m11[i].external == ext && t->m11[i].wan == port)
			return (int)i;
	return -1;
}

/** The one-to-one mapping of internal host @in (host order), or -1. */
static inline int
sb_fwdtab_11_int(const struct sb_fwdtab *t, uint32_t in)
{
	for (unsigned i = 0; i < t->n11; i++)
		if (t->m11[i].internal == in)
			return (int)i;
	return -1;
}

#endif
