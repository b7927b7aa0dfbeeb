/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: one DPDK log type per module, behind a short macro. Event
 * lines carry a wall-clock timestamp so failover can be timed from logs. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <rte_log.h>

enum sb_log_mod { SB_LOG_MAIN, SB_LOG_CONFIG, SB_LOG_PORT, SB_LOG_RIB,
		  SB_LOG_PROBE, SB_LOG_NEIGH, SB_LOG_WAN, SB_LOG_WORKER,
		  SB_LOG_CTL, SB_LOG_MOD_MAX };

/** Register the switchback.* log types. Main lcore, after EAL init. */
void sb_log_init(void);

/** Log one line (newline added) with timestamp and module. Any thread, but
 * never per packet. */
void sb_log(uint32_t level, enum sb_log_mod mod, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define SB_INFO(mod, ...)  sb_log(RTE_LOG_INFO, SB_LOG_##mod, __VA_ARGS__)
#define SB_WARN(mod, ...)  sb_log(RTE_LOG_WARNING, SB_LOG_##mod, __VA_ARGS__)
#define SB_ERR(mod, ...)   sb_log(RTE_LOG_ERR, SB_LOG_##mod, __VA_ARGS__)
#define SB_DEBUG(mod, ...) sb_log(RTE_LOG_DEBUG, SB_LOG_##mod, __VA_ARGS__)

#endif
