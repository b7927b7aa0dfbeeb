/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: counters, routes and WAN states over DPDK's telemetry
 * socket. The telemetry thread reads counters and a text snapshot the
 * control thread refreshes. */
#ifndef SB_TELEMETRY_H
#define SB_TELEMETRY_H

struct sb_ctl;

/** Register /switchback/ telemetry commands reading @c. Main lcore. */
int sb_telemetry_init(struct sb_ctl *c);

/** Refresh the text snapshots the telemetry thread serves. Control. */
void sb_telemetry_snapshot(struct sb_ctl *c);

#endif
