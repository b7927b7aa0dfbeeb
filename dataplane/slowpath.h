/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the slow path (VPP's in2out slow node, pf's pf_test_rule).
 * Everything the fast path would not take: hits on a flushed WAN (lazy
 * flush, TCP reset), on a gateway that went away (re-route), on the wrong
 * side; misses from a WAN (local delivery, simultaneous-open SYN hold,
 * unsolicited drop); and new flows from the LAN: anti-spoofing, PCC, FIB
 * lookups in bulk per table, ECMP, NAT mapping, session insert. It hands
 * packets on through the burst's vectors (fwd, hairpin, local, reset),
 * never by calling those stages. Worker lcore. */
#ifndef SB_SLOWPATH_H
#define SB_SLOWPATH_H

#include "worker_priv.h"

/** Take the packets of @b->slow (in order). Returns the cycles its bulk
 * FIB lookups took (stage slow_path_fib, counted apart). */
uint64_t sb_slowpath_run(struct sb_worker *w, struct sb_burst *b);

/**
 * Create the session of the new flow @p (original key: its own tuple;
 * reply key @reply) from port @b->in leaving by @out towards neighbour
 * @nb (SB_NEIGH_NONE: none yet; with SB_CT_NB_BY_ADDR when it was found
 * by an on-link destination's address, not a pinned gateway's); its
 * replies go back out of @b->in to the LAN host, or to the router of the
 * route through @b->in it is behind (a routed LAN); translated as @nat with the mapping on
 * @nat_wan (and extra address @xaddr, sb_ct_insert_x). On success p->s
 * and p->dir are set and 0 is returned; when the table refuses, the
 * mapping @ek took (if any) is given back, the packet dropped (counted)
 * and -1 returned; so when the LAN host (@p's source: both callers
 * open sessions for LAN hosts' flows) holds sessions_per_host sessions
 * already (session_host_limit). Hairpin uses it too.
 */
int sb_slowpath_open(struct sb_worker *w, const struct sb_burst *b, struct sb_pkt *p,
		     unsigned out, const struct sb_ct_key *reply, uint32_t nb, bool routed,
		     uint8_t nat, unsigned nat_wan, unsigned xaddr, const struct sb_eim_key *ek);

#endif
