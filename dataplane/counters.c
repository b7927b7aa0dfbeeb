/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "sb_counters.h"

static const char *const drop_names[] = {
#define SB_X_STR(e, s) s,
	SB_DROP_REASONS(SB_X_STR)
#undef SB_X_STR
};

static const char *const stage_names[] = {
#define SB_X_STR(e, s) s,
	SB_STAGES(SB_X_STR)
#undef SB_X_STR
};

const char *
sb_drop_name(unsigned r)
{
	return r < SB_DROP_MAX ? drop_names[r] : "?";
}

const char *
sb_stage_name(unsigned s)
{
	return s < SB_STAGE_MAX ? stage_names[s] : "?";
}

char *
sb_stage_format(const struct sb_counters *k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned s = 0; s < SB_STAGE_MAX && off < len; s++) {
		if (k->stage_pkts[s] == 0)
			continue;
		if (k->stage_pkts[s] >= SB_STAGE_MIN_PKTS)
			off += (size_t)snprintf(buf + off, len - off, " %s=%.1f", stage_names[s],
						(double)k->stage_cycles[s] /
						(double)k->stage_pkts[s]);
		else
			off += (size_t)snprintf(buf + off, len - off, " %s=- (%lu packets)",
						stage_names[s], (unsigned long)k->stage_pkts[s]);
	}
	return buf;
}
