/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8; VPP's
 * nat44_ed_hairpinning). A LAN host A sends to WAN address:extB, the
 * external mapping of LAN host B; B gets the packet from A's own external
 * mapping, so both see each other as the outside does. Worker lcore. */
#ifndef SB_HAIRPIN_H
#define SB_HAIRPIN_H

#include <netinet/in.h>

#include "worker_priv.h"

/** The masquerading WAN port whose address, or one of whose one-to-one
 * addresses, a TCP/UDP packet from the LAN is sent to (a hairpin
 * candidate), or -1. */
static inline int
sb_hairpin_wan(const struct sb_worker *w, const struct sb_meta *md)
{
	if (md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP)
		return -1;
	for (unsigned i = 0; i < w->n_ports; i++)
		if (w->port[i].masquerade && w->port[i].addr_be == md->dst)
			return (int)i;
	if (unlikely(w->fwd != NULL && w->fwd->n11 != 0)) {
		int r = sb_fwdtab_11_ext(w->fwd, -1, rte_be_to_cpu_32(md->dst));

		if (r >= 0 && w->port[w->fwd->m11[r].wan].masquerade)
			return w->fwd->m11[r].wan;
	}
	return -1;
}

/** Create the hairpin session of @p and hand it to @b->fwd; drop it
 * (counted) when it is aimed at no mapping. */
void sb_hairpin(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

#endif
