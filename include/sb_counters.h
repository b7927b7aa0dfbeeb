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
	X(CT_HOST_LIMIT,    "session_host_limit")                       \
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
	X(PUNT_POLICED,     "punt_policed")                             \
	X(TX_FULL,          "tx_full")                                  \
	X(NOMEM,            "no_mbuf")                                  \
	X(IP_SOURCE_ROUTE,  "ip_source_route")                          \
	X(ARP_POLICED,      "arp_policed")                              \
	X(ARP_SOURCE_POLICED, "arp_source_policed")                     \
	X(ICMP_POLICED,     "ttl_exceeded_policed")                     \
	X(PROBE_INVALID,    "probe_reply_invalid")                      \
	X(LAN_MULTICAST,    "lan_multicast_broadcast")                  \
	X(FWD_REFUSED,      "forward_source_refused")                   \
	X(HANDOFF_FULL,     "handoff_ring_full")

enum sb_drop {
#define SB_X_ENUM(e, s) SB_DROP_##e,
	SB_DROP_REASONS(SB_X_ENUM)
#undef SB_X_ENUM
	SB_DROP_MAX
};

#include "sb_common.h"
#include "sb_stages.h"

/*
 * Every event counter of a worker, in one list: the struct, telemetry
 * (/switchback/stats), the control socket (stats) and the stop summary
 * are generated from it, never listed by hand.
 *
 * C(field, name, summary): a counter of its own; @field in struct
 * sb_counters (what the dataplane increments), @name in telemetry and the
 * control socket, @summary its printf fragment in the stop summary ("" =
 * not printed there). D(reason, summary): the count of a drop reason
 * (SB_DROP_REASONS) shown in the summary's text at that place. The
 * summary's lines are the fragments in this order.
 */
#define SB_EVENT_COUNTERS(C, D)                                                        \
	C(rx,                "rx",                     "worker: rx %lu")                \
	C(tx,                "tx",                     " tx %lu")                       \
	C(forwarded,         "forwarded",              " forwarded %lu")                \
	C(local_replies,     "local_replies",          " local-replies %lu")            \
	C(punted,            "punted",                 " punted %lu")                   \
	C(injected,          "injected",               " injected %lu\n")               \
	C(ct_active,         "sessions_active",        "sessions: active %lu")          \
	C(ct_created,        "sessions_created",       " created %lu")                  \
	C(ct_expired,        "sessions_expired",       " expired %lu")                  \
	C(ct_flushed,        "sessions_flushed",       " flushed %lu;")                 \
	C(nat_out,           "nat_out",                " nat out %lu")                  \
	C(nat_in,            "nat_in",                 " in %lu;")                      \
	C(icmp_errors,       "icmp_errors_translated", " icmp errors translated %lu\n") \
	/* sessions whose gateway left every group, moved to another gateway */     \
	/* of the same WAN (kept); ... or leaving by another port: flushed */       \
	C(ct_path_rerouted,  "sessions_path_rerouted",                                  \
	  "paths: sessions whose gateway went away moved to another gateway of their WAN %lu") \
	C(ct_path_moved,     "sessions_path_moved",    ", flushed to another port %lu\n") \
	C(parked,            "parked",                 "waited for ARP: %lu packets")   \
	C(parked_sent,       "parked_sent",            ", %lu sent when it answered;")  \
	/* to LAN hosts of flushed TCP sessions */                                  \
	C(tcp_rst_sent,      "tcp_rst_sent",                                            \
	  " TCP resets sent for flushed sessions: %lu\n")                               \
	C(frag_tracked,      "frag_tracked",           "fragments: datagrams tracked %lu") \
	C(frag_forwarded,    "frag_forwarded",         ", later fragments forwarded %lu") \
	C(frag_table_full,   "frag_table_full",        ", table full %lu;")             \
	/* later fragments held for their first; of which sent on when it came; */  \
	/* not held: hold full or the source's share used */                        \
	C(frag_held,         "frag_held",              " held before their first %lu")  \
	C(frag_released,     "frag_released",          ", sent on %lu")                 \
	C(frag_hold_refused, "frag_hold_refused",      ", not held %lu\n")              \
	D(TCP_SYN_HELD,                                                                 \
	  "simultaneous open: inbound SYNs held %lu")                                   \
	/* held inbound SYNs met by the LAN host's SYN; never met (6 s) */          \
	C(syn_hold_matched,  "syn_hold_matched",       ", met by the LAN host's SYN %lu") \
	C(syn_hold_expired,  "syn_hold_expired",       ", expired %lu\n")               \
	/* workers = N: packets received by their owner; handed to another */ \
	/* worker; taken from another; first fragments told to the others; */    \
	/* hairpin packets looped to the worker of their other side */          \
	C(handoff_same,      "handoff_same_worker",    "workers: owned where received %lu") \
	C(handoff_out,       "handoff_out",            ", handed to their owner %lu")   \
	C(handoff_in,        "handoff_in",             ", taken from another worker %lu") \
	C(frag_notices_sent, "fragment_notices_sent",  ", fragment notices %lu")        \
	C(hairpin_looped,    "hairpin_looped",         ", hairpins looped %lu\n")      \
	C(loops,             "loops",                  "")                              \
	C(busy_loops,        "busy_loops",             "")

struct sb_counters {
#define SB_X_FIELD(f, n, s) uint64_t f;
#define SB_X_NONE(r, s)
	SB_EVENT_COUNTERS(SB_X_FIELD, SB_X_NONE)
#undef SB_X_FIELD
#undef SB_X_NONE
	uint64_t ct_created_port[8];   /* sessions created, by egress port */
	uint64_t punted_reason[SB_PUNT_MAX]; /* punted, by enum sb_punt_reason */
	uint64_t drop[SB_DROP_MAX];
	uint64_t stage_cycles[SB_STAGE_MAX];
	uint64_t stage_pkts[SB_STAGE_MAX];
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
