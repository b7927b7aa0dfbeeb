/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the summary printed on stdout when the daemon stops. */
#ifndef SB_SUMMARY_H
#define SB_SUMMARY_H

struct sb_ctl;

/** Print ports, worker counters, sessions, drops, cycles per stage,
 * probes, monitors and the webhook's counters. Main lcore, workers
 * stopped. */
void sb_summary_print(struct sb_ctl *c);

#endif
