/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "sb_counters.h"
#include "sb_names.h"

SB_NAMES_FN(sb_drop_name, SB_DROP_REASONS, SB_NAME_2OF2)
SB_NAMES_FN(sb_stage_name, SB_STAGES, SB_NAME_2OF2)

char *
sb_stage_format(const struct sb_counters *k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned s = 0; s < SB_STAGE_MAX && off < len; s++) {
		if (k->stage_pkts[s] == 0)
			continue;
		if (k->stage_pkts[s] >= SB_STAGE_MIN_PKTS)
			off += (size_t)snprintf(buf + off, len - off, " %s=%.1f", sb_stage_name(s),
						(double)k->stage_cycles[s] /
						(double)k->stage_pkts[s]);
		else
			off += (size_t)snprintf(buf + off, len - off, " %s=- (%lu packets)",
						sb_stage_name(s), (unsigned long)k->stage_pkts[s]);
	}
	return buf;
}
