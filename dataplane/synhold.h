/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: unsolicited inbound TCP SYNs held for simultaneous open
 * (RFC 5382 REQ-2 and REQ-4). A SYN from the WAN to the external port of a
 * live mapping, with no session for its remote endpoint, is the other half
 * of a simultaneous open (or of a TCP hole punch) when the LAN host's own
 * SYN to that endpoint is about to leave. Such a SYN is recorded here,
 * keyed by the reply key the LAN host's session would have, for 6 s:
 * - if the LAN host's SYN to that endpoint is translated within the
 *   window, the record is taken and the held SYN stays dropped silently
 *   (REQ-2: "MUST silently drop the original unsolicited inbound SYN");
 *   the connection proceeds through the LAN host's SYN and the peer's
 *   SYN-ACK;
 * - otherwise it expires, and the SYN was dropped silently (no RST, no
 *   ICMP: REQ-4, and our filtering is silent).
 * Only the record is kept: the packet is never delivered, so holding it
 * would only pin an mbuf. Bounded; when full, a SYN is simply dropped as
 * unsolicited (with the same silence). Owned by one worker. */
#ifndef SB_SYNHOLD_H
#define SB_SYNHOLD_H

#include <stdint.h>
#include <stdbool.h>

#include "conntrack.h"

#include "slots.h"

#define SB_SYNHOLD_MS 6000

struct sb_synhold {
	struct sb_slots_table slots;
	uint32_t n;               /* records held */
	uint64_t tsc[];           /* by hash position: when the SYN came */
};

/** A table of @cap records kept @timeout_ms. NULL and rte_errno on
 * failure. Main lcore. */
struct sb_synhold *sb_synhold_create(const char *name, uint32_t cap, int socket,
				     uint32_t timeout_ms);
void sb_synhold_free(struct sb_synhold *t);

/** Record an inbound SYN whose would-be session has reply key @k. 0 for a
 * new record, 1 when one is already held (a retransmission: its window is
 * not extended), -ENOSPC when full. Owning worker. */
int sb_synhold_add(struct sb_synhold *t, const struct sb_ct_key *k, uint64_t now);

/** Take the live record for reply key @k, if any: true when one was held
 * (the caller's outbound SYN matches it). Owning worker. */
bool sb_synhold_take(struct sb_synhold *t, const struct sb_ct_key *k, uint64_t now);

/** Remove expired records, looking at no more than @budget; returns how
 * many expired. Owning worker. */
unsigned sb_synhold_sweep(struct sb_synhold *t, uint64_t now, unsigned budget);

#endif
