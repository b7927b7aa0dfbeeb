/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: per-worker counters. Per-packet events are counters, never log
 * lines. One X-macro gives the enum and its strings. */
#ifndef SB_COUNTERS_H
#define SB_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#define SB_DROP_REASONS(X)                                              \
	X(TRUNCATED,        "truncated")                                \
	X(L2_NOT_FOR_US,    "l2_not_for_us")                            \
	X(ETHERTYPE,        "unsupported_ethertype")                    \
	X(VLAN_MISMATCH,    "vlan_mismatch")                            \
	X(IP_HEADER,        "ip_bad_header")                            \
	X(IP_LENGTH,        "ip_bad_length")                            \
	X(IP_CHECKSUM,      "ip_bad_checksum")                          \
	X(IP_MARTIAN,       "ip_martian_address")                       \
	X(FRAG_NO_FLOW,     "fragment_no_flow")                         \
	X(L4_HEADER,        "l4_bad_header")                            \
	X(TTL_EXCEEDED,     "ttl_exceeded")                             \
	X(NO_ROUTE,         "no_route")                                 \
	X(NEIGH_UNRESOLVED, "neighbour_unresolved")                     \
	X(CT_FULL,          "session_table_full")                       \
	X(CT_CONFLICT,      "session_key_conflict")                     \
	X(NAT_EXHAUSTED,    "nat_ports_exhausted")                      \
	X(NAT_PROTO,        "nat_protocol_unsupported")                 \
	X(WAN_UNSOLICITED,  "wan_unsolicited")                          \
	X(TCP_RST_WINDOW,   "tcp_rst_out_of_window")                    \
	X(TCP_SYN_HELD,     "tcp_syn_held")                             \
	X(SPOOFED,          "spoofed_source")                           \
	X(LOCAL_UNHANDLED,  "local_unhandled")                          \
	X(ICMP_UNHANDLED,   "icmp_unhandled")                           \
	X(ICMP_NO_SESSION,  "icmp_error_no_session")                    \
	X(PUNT_FULL,        "punt_ring_full")                           \
	X(TX_FULL,          "tx_full")                                  \
	X(NOMEM,            "no_mbuf")

enum sb_drop {
#define SB_X_ENUM(e, s) SB_DROP_##e,
	SB_DROP_REASONS(SB_X_ENUM)
#undef SB_X_ENUM
	SB_DROP_MAX
};

#include "sb_stages.h"

struct sb_counters {
	uint64_t rx, tx, forwarded, local_replies, punted, injected;
	uint64_t ct_created, ct_expired, ct_flushed, ct_active;
	uint64_t ct_path_rerouted;  /* sessions whose gateway left every group, moved
				     * to another gateway of the same WAN (kept) */
	uint64_t ct_path_moved;     /* ... whose new path leaves by another port:
				     * flushed (of ct_flushed) */
	uint64_t nat_out, nat_in, icmp_errors;
	uint64_t frag_tracked, frag_forwarded, frag_table_full;
	uint64_t frag_held;         /* later fragments held for their first */
	uint64_t frag_released;     /* of which sent on when it came */
	uint64_t frag_hold_refused; /* not held: hold full or the source's share used */
	uint64_t syn_hold_matched;  /* held inbound SYNs met by the LAN host's SYN */
	uint64_t syn_hold_expired;  /* held inbound SYNs never met (6 s) */
	uint64_t parked, parked_sent;
	uint64_t tcp_rst_sent;      /* to LAN hosts of flushed TCP sessions */
	uint64_t ct_created_port[8];   /* sessions created, by egress port */
	uint64_t drop[SB_DROP_MAX];
	uint64_t stage_cycles[SB_STAGE_MAX];
	uint64_t stage_pkts[SB_STAGE_MAX];
	uint64_t loops, busy_loops;
} __attribute__((aligned(64)));

/** Name of drop reason @r ("?" when out of range). Any thread. */
const char *sb_drop_name(unsigned r);
/** Name of stage @s. Any thread. */
const char *sb_stage_name(unsigned s);
/** "name=cycles/packet ..." for the stages with at least
 * SB_STAGE_MIN_PKTS packets, "name=- (N packets)" for the others, into
 * @buf. Returns @buf. Any thread. */
char *sb_stage_format(const struct sb_counters *k, char *buf, size_t len);

#endif
