/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the fast path (VPP's in2out/out2in fast nodes, pf's
 * pf_test_state). Clean session hits only: a packet that came in on its
 * session's own side, whose WAN has not changed state and whose gateway
 * is still in a nexthop group, is rewritten (addresses, ports, TTL,
 * incremental checksums, cached neighbour) and sent. Anything else, a
 * miss or an unusual hit, goes to the slow path. Worker lcore.
 *
 * The loop over the vector is where a staged prefetch pipeline goes
 * (issue 12): with a burst's packets in one array of struct sb_pkt, stage
 * k of packet i + k * N (mbuf data, bucket, session, neighbour) is
 * fetched while packet i is rewritten; and the burst's vectors let a
 * worker hand the packets it does not own to another (issue 13) the way
 * the slow path gets its own. */
#ifndef SB_FASTPATH_H
#define SB_FASTPATH_H

#include "worker_priv.h"

/** Forward the clean hits of @v; add every other packet (misses, hits
 * that are not clean) to @b->slow, in order. Returns how many were
 * forwarded here. */
unsigned sb_fastpath_hits(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v);

/** Forward each packet of @v along its session (p->s, p->dir): TTL, TCP
 * tracking, rewrite, fragment tracking, L2, tx (or park until ARP
 * answers). The slow path's new and re-routed sessions come here. */
void sb_fastpath_forward(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v);

#endif
