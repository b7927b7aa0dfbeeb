/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: what wan.c and wan_probe.c share, nobody else. */
#ifndef SB_WAN_PRIV_H
#define SB_WAN_PRIV_H

#include <stddef.h>
#include <stdint.h>

struct sb_wans;

/** A probe per checked route of ws->rib and the monitors of every [wan]
 * section (ICMP ids after the probes'), first rounds spread from @now_ms.
 * 0, -EINVAL with @err, or -ENOMEM. */
int sb_wan_probes_setup(struct sb_wans *ws, uint64_t now_ms, char *err, size_t errlen);

/** Give WAN @port's monitors their next hop from its address, prefix and
 * gateway: the gateway for an off-link monitor, else the monitor. */
void sb_wan_monitor_hops(struct sb_wans *ws, unsigned port);

/** Refresh the reason of monitored WAN @p from its monitors' evidence
 * when its state stays as it is (a round with nothing to publish). */
void sb_wan_monitor_reason(struct sb_wans *ws, unsigned p);

#endif
