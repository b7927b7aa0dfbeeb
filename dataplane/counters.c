/* SPDX-License-Identifier: BSD-3-Clause */
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
