/* SPDX-License-Identifier: BSD-3-Clause */
#include "probe.h"

enum sb_probe_event
sb_probe_round(struct sb_probe *p, bool answered, unsigned down_after, unsigned up_after)
{
	if (answered) {
		p->fails = 0;
		p->oks++;
		if (p->down && p->oks >= up_after) {
			p->down = false;
			return SB_PROBE_WENT_UP;
		}
	} else {
		p->oks = 0;
		p->fails++;
		if (!p->down && p->fails >= down_after) {
			p->down = true;
			return SB_PROBE_WENT_DOWN;
		}
	}
	return SB_PROBE_NONE;
}
