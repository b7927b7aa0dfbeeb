/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker's stages, for per-stage cycle accounting. Every
 * packet is counted in the stages it goes through; the cycles are timed
 * (one rdtsc per stage) on one burst in SB_STAGE_SAMPLE and counted
 * SB_STAGE_SAMPLE times, an estimate of the whole. Each name says what
 * its cycles pay for; cycles / packets is a per-packet figure only where
 * enough packets were counted (SB_STAGE_MIN_PKTS). */
#ifndef SB_STAGES_H
#define SB_STAGES_H

/* The fused pass (fastpath.c, sb_fastpath_fused) runs before the stages
 * and counts its three loops in the first three: parse (every packet of
 * the burst it looked at: parse, key, hash, bucket prefetch), session
 * lookup (its keys: bucket scan, session prefetch) and fast path (what it
 * took: tuple check, rewrite, L2 header, and its tx bursts). A packet it
 * hands on is parsed, looked up and counted again by the stages. */
#define SB_STAGES(X)                                                          \
	/* parse and validate, sort each packet to the stage it needs */     \
	X(PARSE,          "parse")                                            \
	/* bulk session lookup of the forwardable packets */                  \
	X(SESSION_LOOKUP, "session_lookup")                                   \
	/* clean session hits: rewrite, into the tx buffer (fused: tx burst) */ \
	X(FAST_PATH,      "fast_path")                                        \
	/* misses and unusual hits: bulk FIB lookups of new flows */          \
	X(SLOW_FIB,       "slow_path_fib")                                    \
	/* the rest of the slow path: flush, classify, PCC, ECMP, NAT port   \
	 * allocation, session insert, hairpin, local delivery, and the       \
	 * forwarding of the packets it let through */                        \
	X(SLOW_PATH,      "slow_path")                                        \
	/* later fragments and ICMP errors */                                 \
	X(FRAG_ICMP_ERR,  "fragments_icmp_errors")                            \
	/* per loop with packets: parked packets, tx buffer flush (tx_burst) */ \
	X(TX,             "tx_flush")

enum sb_stage {
#define SB_X_ENUM(e, s) SB_STAGE_##e,
	SB_STAGES(SB_X_ENUM)
#undef SB_X_ENUM
	SB_STAGE_MAX
};

/* Fewer packets than this in a stage and its cycles per packet say more
 * about the loop than the stage (a tx flush of one packet a loop costs a
 * whole tx_burst): no per-packet figure is printed for it. */
#define SB_STAGE_MIN_PKTS 10000u

/* Stage cycles are timed on one burst (and one worker loop, for tx_flush)
 * in this many: rdtsc is not free (20-25 cycles on bare metal, 48 on a
 * 2-vCPU EPYC VM here, where timing every burst's stages took 5 rdtsc a
 * burst, ~7 cycles a packet at 1 flow: docs/benchmarks.md). A power of
 * two. */
#define SB_STAGE_SAMPLE 16u

#endif
