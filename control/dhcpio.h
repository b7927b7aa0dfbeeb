/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: DHCP through the ports and its leases applied to the rest of
 * the control plane. The clients' frames leave through the worker's
 * inject ring and come back punted (SB_PUNT_DHCP); what a lease changed
 * (lease.h's pending bits) becomes WAN state ("no lease" keeps a WAN
 * down), re-aimed monitors and probes, a flush of what was on an old
 * address, log lines and the hook and webhook's "address" event. The loop
 * publishes once after (docs/threading.md). Control thread. */
#ifndef SB_DHCPIO_H
#define SB_DHCPIO_H

#include <stddef.h>
#include <stdint.h>

struct sb_ctl;
struct rte_mbuf;

/** lease.h's send hook: copy @frame into an mbuf and inject it on @port.
 * @ctx is the sb_ctl. */
void sb_dhcpio_send(void *ctx, unsigned port, const uint8_t *frame, size_t len);

/** A frame the worker punted as SB_PUNT_DHCP on @port. */
void sb_dhcpio_punt(struct sb_ctl *c, unsigned port, const struct rte_mbuf *m);

/** Run the clients' timers, then apply what changed (marks the WANs
 * dirty: the loop settles and publishes). Control loop, every iteration. */
void sb_dhcpio_tick(struct sb_ctl *c);

/** The wall clock, seconds (lease files). */
int64_t sb_dhcpio_wall_s(void);

#endif
