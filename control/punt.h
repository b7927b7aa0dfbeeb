/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker's rings on the control side. Punted frames (ARP,
 * probe replies, TTL expiry) are drained and handed to the part they
 * concern (arp.c, wan.c), neighbour requests go to arp.c, and probes leave
 * through the inject ring. Control thread. */
#ifndef SB_PUNT_H
#define SB_PUNT_H

#include <stdint.h>

struct sb_ctl;
struct sb_probe;

/** Drain the punt rings (one per reason, probe replies first) and the
 * resolve ring, a burst each. Returns how many it took: the control loop
 * sleeps only when it took none. Control loop. */
unsigned sb_punt_drain(struct sb_ctl *c);

/** Send probe @p out of @port towards @hop: an ARP request for its
 * target, or an ICMP echo to the hop's MAC (asking for it first when
 * unknown). An echo's reply is expected first (sb_publish_probe: its
 * port, target, sequence, a random cookie in its data, its timeout), so
 * that the worker passes that reply alone. The send hook of struct sb_wan_io; @ctx is the sb_ctl. */
void sb_punt_probe(void *ctx, unsigned port, uint32_t hop, const struct sb_probe *p);

#endif
