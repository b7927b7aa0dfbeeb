/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: ICMP error translation (RFC 5508; VPP's nat44-ed ICMP
 * handling, pf's pf_test_state_icmp). An error is found by the packet it
 * quotes and translated both ways with the quoted header restored; it
 * never creates, refreshes or ends a session. Worker lcore. */
#ifndef SB_ICMPERR_H
#define SB_ICMPERR_H

#include "worker_priv.h"

/** Translate and send, or drop (counted), the ICMP error @p. Runs after
 * the burst's new sessions exist. */
void sb_icmperr_translate(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

#endif
