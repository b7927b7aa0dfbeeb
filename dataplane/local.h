/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: local delivery, what the worker answers itself. Packets
 * addressed to the gateway: echo requests answered in place, probe
 * replies handed to control, the rest dropped (counted). TCP resets
 * towards LAN hosts whose session was flushed. Worker lcore. */
#ifndef SB_LOCAL_H
#define SB_LOCAL_H

#include "worker_priv.h"

/** Deliver @p, addressed to the gateway, that came in on @b->in. */
void sb_local_deliver(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

/** Answer the TCP segment @p (from a LAN host on @b->in) with a RST as if
 * from its peer (RFC 793: seq = the segment's ack, or ack = its seq +
 * length when it carries none), rebuilt in place. */
void sb_local_reset(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

#endif
