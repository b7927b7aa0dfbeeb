/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: later fragments (shallow virtual reassembly, frag.c). A
 * fragment after the first has no ports: it follows the session its first
 * fragment used, with the same address translation; one that comes before
 * its first is held a little while (frag.c) and sent on when the first
 * passes. Worker lcore. */
#ifndef SB_FRAGFWD_H
#define SB_FRAGFWD_H

#include "worker_priv.h"

/** Forward, hold or drop (counted) the later fragment @p. */
void sb_fragfwd_later(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

/** Send on the held fragments whose first has passed, and drop those that
 * waited too long (all of them with @all, when the worker stops).
 * Cheap when nothing is held. */
void sb_fragfwd_release(struct sb_worker *w, const struct sb_dp_state *st, uint64_t now,
			bool all);

#endif
