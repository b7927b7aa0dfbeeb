/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <sys/time.h>

#include <rte_log.h>

#include "sb_log.h"

static const char *const mod_names[SB_LOG_MOD_MAX] = {
	"main", "config", "port", "rib", "probe", "neigh", "wan", "worker", "ctl",
};

/* Log type ids, written once by sb_log_init() before any other thread
 * starts, read-only afterwards. */
static int log_type[SB_LOG_MOD_MAX];

void
sb_log_init(void)
{
	char name[64];

	for (int i = 0; i < SB_LOG_MOD_MAX; i++) {
		snprintf(name, sizeof(name), "switchback.%s", mod_names[i]);
		log_type[i] = rte_log_register_type_and_pick_level(name, RTE_LOG_INFO);
		if (log_type[i] < 0)
			log_type[i] = RTE_LOGTYPE_USER1;
	}
}

void
sb_log(uint32_t level, enum sb_log_mod mod, const char *fmt, ...)
{
	char msg[1024];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (!rte_log_can_log(log_type[mod], level) && log_type[mod] != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	rte_log(level, log_type[mod] ? log_type[mod] : RTE_LOGTYPE_USER1,
		"%02d:%02d:%02d.%03ld %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		(long)tv.tv_usec / 1000, mod_names[mod], msg);
}
