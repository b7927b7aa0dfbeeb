/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: inbound NAT on the worker's slow path. Port forwards: the
 * first packet from a WAN to a forwarded port of that WAN's address makes
 * a session to the internal server, laid out as if the server had opened
 * it, whose replies are pinned to the WAN it came in on (its gateway, its
 * address) whatever routes and PCC say. One-to-one NAT: an internal host
 * is an extra address of a WAN port, both ways, pinned to that WAN.
 * Hairpin to forwarded ports goes through hairpin.c with the forward as
 * its target. Worker lcore. docs/nat.md, "Inbound". */
#ifndef SB_FORWARD_H
#define SB_FORWARD_H

#include "worker_priv.h"

/** A packet from a WAN with no session: when a forward or a one-to-one
 * mapping takes it, make its session and hand it to @b->fwd (or drop it,
 * counted: source not allowed, no reply path yet) and return true; false
 * when neither does (unsolicited). */
bool sb_forward_wan_miss(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

/** A new flow from the LAN routed out of a WAN: when its source is a
 * one-to-one internal host, make its session through that host's WAN and
 * address and hand it to @b->fwd, or drop it (counted), and return true;
 * false otherwise (masquerade as usual). */
bool sb_forward_nat11_out(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

/** Hairpin (RFC 4787 REQ-9) to a forwarded port: the internal server of
 * the forward of WAN @wan that @md's destination port hits, as the
 * endpoint key of a mapping on @wan: 0 and *@k, or -1. */
int sb_forward_hairpin(struct sb_worker *w, unsigned wan, const struct sb_meta *md,
		       struct sb_eim_key *k);

#endif
