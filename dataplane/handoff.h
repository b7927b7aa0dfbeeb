/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: N workers, each the only writer of its own sessions,
 * mappings and fragment table (docs/threading.md, "Worker cores").
 *
 * Ownership is computable from any packet, so both directions of a
 * session meet on one worker without locks:
 *   - the inside endpoint's port (or ICMP id) picks the worker: port mod N
 *     (its slice). A worker maps only to external ports of its own slice,
 *     so a reply's destination port names the same worker, and an inside
 *     port keeps its number when it is free (port preservation);
 *   - a packet from a WAN: the slice of its destination port (a port
 *     forward: of the inside port it goes to);
 *   - a packet from the LAN to one of the gateway's addresses (hairpin):
 *     the slice of its source port, like any of its sender's packets; when
 *     what it is aimed at (another LAN host's mapping, a port forward, a
 *     one-to-one address) lives with another worker, the sender's worker
 *     translates its source (the sender's own mapping, RFC 4787 REQ-9) and
 *     loops it to that worker as if it came in from the WAN
 *     (sb_ho_loop, hairpin.c): two sessions, one per side;
 *   - LAN to LAN (both ends on connected LAN subnets): the slice of the
 *     smaller of the two ports, the same both ways;
 *   - an ICMP error: the owner of the packet it quotes;
 *   - a later fragment: the worker its first fragment went to (each
 *     owner tells the others when a first fragment passes: a notice);
 *   - other protocols (no ports): worker 0; ARP, DHCP and what is for the
 *     gateway itself: the worker that received it.
 * A packet received by another worker is handed to its owner over a
 * single-producer, single-consumer ring of that pair, in bursts; a full
 * ring drops (handoff_ring_full), never waits. Worker lcore.
 */
#ifndef SB_HANDOFF_H
#define SB_HANDOFF_H

#include <stdint.h>
#include <netinet/in.h>

#include "worker_priv.h"
#include "nat.h"

/* mbuf->hash.usr of a handed packet: its ingress port index, and this bit
 * on a notice (an mbuf carrying a struct sb_ho_notice, not a packet). */
#define SB_HO_NOTICE (1u << 31)
/* ... and this bit on a packet looped back in from a WAN port by another
 * worker (a hairpin across workers): from one of the gateway's own
 * addresses, on purpose. */
#define SB_HO_LOOP (1u << 30)

/* A first fragment passed worker @owner: later fragments of datagram
 * @k (as they arrive) go there. */
struct sb_ho_notice {
	struct sb_frag_key k;
	uint32_t owner;
};

/* The slice of port @p (host order). */
static inline unsigned
sb_ho_slice_h(const struct sb_worker *w, unsigned p)
{
	return w->ho.mask != 0 ? p & w->ho.mask : p % w->ho.n;
}

static inline unsigned
sb_ho_slice(const struct sb_worker *w, uint16_t port_be)
{
	return sb_ho_slice_h(w, rte_be_to_cpu_16(port_be));
}

/* The port that names a session's inside or external endpoint: the
 * port, or an ICMP echo's id (in sport for a request, dport for a reply:
 * parse.h). */
static inline uint16_t
sb_ho_port(uint8_t proto, uint16_t port_be, uint16_t sport_be, uint16_t dport_be)
{
	return proto == IPPROTO_ICMP ? (uint16_t)(sport_be | dport_be) : port_be;
}

/* Owner of a packet from WAN port @in to @dst:@port (network order). */
static inline unsigned
sb_ho_external(const struct sb_worker *w, unsigned in, uint8_t proto, uint32_t dst,
	       uint16_t port)
{
	if (unlikely(w->fwd != NULL && w->fwd->n != 0) && dst == w->port[in].addr_be &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		int r = sb_fwdtab_match(w->fwd, in, proto, rte_be_to_cpu_16(port));

		if (r >= 0)
			return sb_ho_slice_h(w, sb_fwdtab_to_port(&w->fwd->r[r],
								 rte_be_to_cpu_16(port)));
	}
	return sb_ho_slice(w, port);
}

/* Both ends on connected LAN subnets: the same worker both ways. */
static inline unsigned
sb_ho_lan_pair(const struct sb_worker *w, uint16_t a_be, uint16_t b_be)
{
	uint16_t a = rte_be_to_cpu_16(a_be), b = rte_be_to_cpu_16(b_be);

	return sb_ho_slice_h(w, a < b ? a : b);
}

/* Owner of a TCP, UDP or ICMP echo packet @src:@sport -> @dst:@dport
 * (network order) received on port index @in. */
static inline unsigned
sb_ho_tuple_owner(const struct sb_worker *w, unsigned in, uint8_t proto, uint32_t dst,
		  uint16_t sport, uint16_t dport)
{
	if (w->port[in].role == SB_ROLE_LAN) {
		if (unlikely(sb_wk_is_local(w, dst)))
			return proto == IPPROTO_ICMP ? w->id : sb_ho_slice(w, sport);
		if (unlikely(sb_wk_on_subnet(w, dst, SB_ROLE_LAN)) && proto != IPPROTO_ICMP)
			return sb_ho_lan_pair(w, sport, dport);
		/* (To a one-to-one address: its ports are the inside host's.) */
		return sb_ho_slice(w, sb_ho_port(proto, sport, sport, dport));
	}
	return sb_ho_external(w, in, proto, dst, sb_ho_port(proto, dport, sport, dport));
}

unsigned sb_ho_owner_slow(struct sb_worker *w, unsigned in, struct rte_mbuf *m,
			  const struct sb_meta *d);

/* The worker that owns the packet @m (parsed: @d) received on port index
 * @in. */
static inline unsigned
sb_ho_owner(struct sb_worker *w, unsigned in, struct rte_mbuf *m, const struct sb_meta *d)
{
	if (unlikely(d->frag == SB_FRAG_LATER) ||
	    unlikely(d->proto == IPPROTO_ICMP && sb_nat_icmp_is_error(d->icmp_type)) ||
	    unlikely(d->proto != IPPROTO_TCP && d->proto != IPPROTO_UDP && d->proto != IPPROTO_ICMP))
		return sb_ho_owner_slow(w, in, m, d);
	return sb_ho_tuple_owner(w, in, d->proto, d->dst, d->sport, d->dport);
}

void sb_ho_flush_one(struct sb_worker *w, unsigned to);

/* Queue @m (received on port index @in) for worker @to; the loop sends
 * the queue (sb_ho_flush). */
static inline void
sb_ho_give(struct sb_worker *w, unsigned to, struct rte_mbuf *m, unsigned in)
{
	struct sb_ho_queue *q = &w->ho.q[to];

	m->hash.usr = in;
	q->m[q->n++] = m;
	w->cnt.handoff_out++;
	if (q->n == SB_BURST)
		sb_ho_flush_one(w, to);
}

/* Does direction @dir of session @s, leaving by port index @out, end at
 * one of the gateway's own addresses on that WAN (its address, or one of
 * its one-to-one addresses)? Only one side of a hairpin across workers
 * does (hairpin.c): such a packet is looped, never sent. */
static inline bool
sb_ho_loops(const struct sb_worker *w, const struct sb_session *s, unsigned dir, unsigned out)
{
	uint32_t dst = dir == SB_CT_DIR_ORIG ? s->rem_addr : s->lan_addr;

	if (w->port[out].role != SB_ROLE_WAN)
		return false;
	return dst == w->port[out].addr_be ||
	       (unlikely(w->fwd != NULL && w->fwd->n11 != 0) &&
		sb_fwdtab_11_ext(w->fwd, (int)out, rte_be_to_cpu_32(dst)) >= 0);
}

/* Loop @m, translated along @s in @dir to one of WAN port @wan's own
 * addresses, to the worker a packet from that WAN to there belongs to,
 * as if received on @wan (its frame addressed to the port, tagged with
 * its VLAN). Dropped (counted) when that is this worker: cannot happen
 * while ownership is as handoff.h says. */
void sb_ho_loop(struct sb_worker *w, unsigned wan, struct rte_mbuf *m,
		const struct sb_session *s, unsigned dir);

/* Tell every other worker that later fragments of datagram @k go to this
 * one. */
void sb_ho_notify_fragment(struct sb_worker *w, const struct sb_frag_key *k,
			   struct rte_mempool *mp);

/* Send every queue. Worker lcore, once a loop. */
void sb_ho_flush(struct sb_worker *w);

/* Take what other workers handed to this one and process it (notices:
 * record them, release the fragments held for them). Returns the packets
 * taken. */
unsigned sb_ho_receive(struct sb_worker *w);

#endif
