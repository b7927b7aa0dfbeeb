/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the fast path (VPP's in2out/out2in fast nodes, pf's
 * pf_test_state). Clean session hits only: a packet that came in on its
 * session's own side, whose WAN has not changed state and whose gateway
 * is still in a nexthop group, is rewritten (addresses, ports, TTL,
 * incremental checksums, cached neighbour) and sent. Anything else, a
 * miss or an unusual hit, goes to the slow path. Worker lcore.
 *
 * The fused pass (issue 12) comes first: the common case's clean hits
 * are parsed, looked up, rewritten and sent in one pass over the burst
 * (three loops, each prefetching for the next), before the general path
 * (parse_burst and the stages) sees the rest. It takes hits in this
 * worker's own table only: a packet another worker owns is always a miss
 * here, so ownership (issue 13) stays the general path's. */
#ifndef SB_FASTPATH_H
#define SB_FASTPATH_H

#include "worker_priv.h"

/**
 * The fused fast path: one pass over the @n (<= SB_BURST) packets received
 * on port index @in, in three loops across the burst (parse, key and hash
 * with both flow-table buckets prefetched; the buckets' candidates with
 * their sessions prefetched; the tuple check and, for a clean hit of the
 * common case, the prepared rewrite, the L2 header and one tx burst per
 * egress port). It takes only hits in this worker's own table whose
 * neighbour is known, and only packets of the common case (common_case()
 * in fastpath.c): every other packet, and every later packet of the burst
 * between the same two hosts as one of those, is copied to @left, in
 * order and untouched, for the general path (sb_worker_process). A run
 * of one flow's packets in a row (same 5-tuple, each of the common case)
 * is looked up and checked once, at its first: the table, @st and the
 * neighbours do not change under a burst; each packet is still tracked
 * (TCP), rewritten and counted on its own. @st is
 * the burst's published state, @now its TSC. Returns how many are in
 * @left. Stage accounting: the three loops are the parse, session_lookup
 * and fast_path stages of the packets they see, their cycles timed when
 * @timed (SB_STAGE_SAMPLE).
 */
unsigned sb_fastpath_fused(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
			   uint64_t now, bool timed, struct rte_mbuf **pkts, unsigned n,
			   struct rte_mbuf **left);

/** Forward the clean hits of @v; add every other packet (misses, hits
 * that are not clean) to @b->slow, in order. Returns how many were
 * forwarded here. */
unsigned sb_fastpath_hits(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v);

/** Forward each packet of @v along its session (p->s, p->dir): TTL, TCP
 * tracking, rewrite, fragment tracking, L2, tx (or park until ARP
 * answers). The slow path's new and re-routed sessions come here. */
void sb_fastpath_forward(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v);

#endif
