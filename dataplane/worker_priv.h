/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the worker context the stage files of a packet's path share
 * (worker.c, fastpath.c, slowpath.c, hairpin.c, icmperr.c, fragfwd.c,
 * local.c, l2out.c), a packet of a burst with what the stages learned
 * about it, and the few helpers every stage needs: drop, punt, the clock.
 * Private to dataplane/: control sees struct sb_worker only as a handle
 * (worker.h). */
#ifndef SB_WORKER_PRIV_H
#define SB_WORKER_PRIV_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "worker.h"
#include "parse.h"
#include "conntrack.h"
#include "police.h"
#include "eim.h"
#include "frag.h"
#include "sb_probe_expect.h"
#include "fwdtab.h"

struct rte_eth_dev_tx_buffer;

/* A port as the worker sees it. Fixed after start-up. */
struct sb_wport {
	uint16_t port_id;          /* DPDK port id */
	uint8_t role;              /* enum sb_port_role */
	uint8_t masquerade;
	uint16_t vlan;
	uint16_t pad;
	uint32_t addr_be;          /* our address, network order */
	uint32_t net, mask;        /* connected prefix, host order */
	struct rte_ether_addr mac;
	struct rte_eth_dev_tx_buffer *txb;
	/* address = dhcp: the address follows the published state
	 * (sb_dp_state.wan[].addr), and DHCP replies (UDP 67 -> 68) go to
	 * control, at most SB_DHCP_PUNT_RATE a second after a burst of
	 * SB_DHCP_PUNT_BURST (the rest dropped as punt_policed). */
	bool dhcp;
	uint32_t dhcp_tokens;
	uint64_t dhcp_tsc;         /* when the tokens were last refilled */
};

#define SB_DHCP_PUNT_RATE  50
#define SB_DHCP_PUNT_BURST 20

/* A packet waiting for its next hop's ARP answer (at most a second). */
struct sb_parked {
	struct rte_mbuf *m;
	uint64_t tsc;
	uint32_t ip;        /* next hop, host order */
	uint16_t port;
};

#define SB_PARK_MAX 64

/* Packets for another worker, sent once a loop (handoff.h). */
struct sb_ho_queue {
	unsigned n;
	struct rte_mbuf *m[SB_BURST];
};

/* This worker among N: the rings to and from each other one. */
struct sb_ho {
	unsigned n;                        /* workers; 1: no handoff */
	unsigned mask;                     /* n - 1 when n is a power of two, else 0 */
	struct rte_ring *out[SB_MAX_WORKERS]; /* to worker j (SP/SC) */
	struct rte_ring *in[SB_MAX_WORKERS];  /* from worker j (SP/SC) */
	struct sb_ho_queue q[SB_MAX_WORKERS];
};

struct sb_worker {
	unsigned id;                   /* its index: RCU thread id, rx/tx queue, slice */
	unsigned n_ports;
	uint64_t addr_version;         /* state version DHCP ports' addresses were read from */
	struct sb_wport port[SB_MAX_PORTS];
	struct sb_ct *ct;
	struct sb_eim *eim;            /* endpoint-independent mappings, port pools */
	struct sb_frag_table *frag;    /* datagrams in flight, by first fragment */
	struct sb_meta frag_md[SB_FRAG_HOLD_MAX]; /* parsed held fragments, by slot */
	struct sb_synhold *synhold;    /* unsolicited SYNs to live mappings (6 s) */
	struct sb_fwdtab *fwd;         /* port forwards, one-to-one NAT (control's) */
	uint64_t tsc_hz;
	uint32_t now_s;                /* TSC seconds at the last flush (neighbour use) */
	uint64_t now_s_next;           /* the TSC at which now_s next changes */
	uint32_t stage_tick;           /* bursts, for SB_STAGE_SAMPLE */
	struct sb_fib *fib;
	struct sb_neigh *neigh;
	struct sb_dp_state **state;    /* published by control */
	struct rte_ring *punt[SB_PUNT_MAX]; /* to control: mbufs, a ring per reason */
	const struct sb_probe_expect *expect; /* probes in flight (control's) */
	uint32_t probe_seen[SB_PROBE_IDS];  /* replies accepted (sb_probe_expect_match) */
	struct rte_ring *resolve;      /* to control: (port << 32 | ip) */
	struct rte_ring *inject;       /* from control: mbufs, hash.usr = port */
	struct rte_rcu_qsbr *qs;
	uint32_t running;              /* cleared by control to stop */
	uint64_t rnd;
	struct sb_police police;    /* punt rates per reason, ARP per sender */
	unsigned n_parked;
	struct sb_parked parked[SB_PARK_MAX];
	struct sb_ho ho;               /* the other workers */
	struct sb_counters cnt;
};

/*
 * One packet of a burst and what the stages learned about it. Parsed once
 * (md); its tuple (key) is the session lookup's argument; the session it
 * belongs to (s, dir) is set by the lookup or by the slow path that made
 * it. Laid out for a staged pipeline: each stage reads its own fields of
 * packets i + N while it handles packet i.
 */
struct sb_pkt {
	struct rte_mbuf *m;
	struct sb_session *s;      /* NULL: no session (yet) */
	uint32_t nhg;              /* slow path: nexthop group, SB_FIB_NONE */
	uint8_t dir;               /* SB_CT_DIR_* of s */
	uint8_t table;             /* slow path: routing table (PCC) */
	uint8_t pad[2];
	struct sb_ct_key key;
	struct sb_meta md;
};

/* Packets handed from one stage to the next, in arrival order. */
struct sb_pkt_vec {
	unsigned n;
	struct sb_pkt *p[SB_BURST];
};

static inline void
sb_vec_add(struct sb_pkt_vec *v, struct sb_pkt *p)
{
	v->p[v->n++] = p;
}

/*
 * One burst on its way through the stages. worker.c runs the stages in
 * order; a stage never calls another, it adds the packet to the vector
 * of the stage that takes it next:
 *   parse -> lookup (forwardable), later (fragments), icmp_err, local
 *   lookup -> fast path: clean hits forwarded; the rest -> slow
 *   slow -> fwd (new or re-routed sessions), hairpin, local, reset
 *   hairpin -> fwd
 *   fwd -> the fast path's forwarding step
 */
struct sb_burst {
	const struct sb_dp_state *st;
	uint64_t now;                  /* the burst's TSC (the worker loop's read,
					* before its rx bursts) */
	bool timed;                    /* stage cycles timed (SB_STAGE_SAMPLE) */
	unsigned in;                   /* ingress port index */
	bool handed;                   /* from another worker: owned here */
	bool looped;                   /* ... looped in from WAN port @in: one
					* side of a hairpin (handoff.h) */
	struct sb_pkt_vec lookup, slow, fwd, hairpin, local, reset, later, icmp_err;
	/* Scratch of the bulk session lookup (arguments in lookup's order). */
	const struct sb_ct_key *keys[SB_BURST];
	uint64_t ct_data[SB_BURST];
	struct sb_pkt pkt[SB_BURST];
};

/* A stage's work on one packet of a burst. */
typedef void (*sb_stage_fn)(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p);

/* Run @fn on each packet of @v, in order: the stages off the fast path
 * (the fast path has its own loop, with prefetches). */
static inline void
sb_vec_each(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v, sb_stage_fn fn)
{
	for (unsigned i = 0; i < v->n; i++)
		fn(w, b, v->p[i]);
}

static inline void
sb_wk_drop(struct sb_worker *w, struct rte_mbuf *m, unsigned reason)
{
	w->cnt.drop[reason]++;
	rte_pktmbuf_free(m);
}

/* Hand @m to control for @reason on that reason's own ring; dropped
 * (counted) when its reason is over its rate on port @in (police.c) or
 * its ring is full. Probe replies are not policed: only validated ones come here, at
 * most one per probe sent (local.c); DHCP replies have their own per-port
 * bucket (worker.c dhcp_punt). */
static inline void
sb_wk_punt(struct sb_worker *w, struct rte_mbuf *m, unsigned reason, unsigned in)
{
	if (reason != SB_PUNT_PROBE_REPLY && reason != SB_PUNT_DHCP &&
	    !sb_police_take(&w->police, reason, in, rte_rdtsc())) {
		sb_wk_drop(w, m, reason == SB_PUNT_ARP ? SB_DROP_ARP_POLICED : SB_DROP_ICMP_POLICED);
		return;
	}
	m->hash.usr = SB_PUNT_INFO(reason, in);
	if (rte_ring_enqueue(w->punt[reason], m) != 0) {
		sb_wk_drop(w, m, SB_DROP_PUNT_FULL);
		return;
	}
	w->cnt.punted++;
	w->cnt.punted_reason[reason < SB_PUNT_MAX ? reason : 0]++;
}

/* Seconds on the TSC (NAT port hold-back). */
static inline uint32_t
sb_wk_now_s(const struct sb_worker *w)
{
	return (uint32_t)(rte_rdtsc() / w->tsc_hz);
}

/* xorshift64*: NAT port choice only, not security. */
static inline uint32_t
sb_wk_rnd32(struct sb_worker *w)
{
	uint64_t x = w->rnd;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rnd = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Is @addr_be inside the subnet of a port (of @role, or of any role when
 * @role is negative)? Anti-spoofing asks about LAN ports, the PCC bypass
 * about all of them. */
static inline bool
sb_wk_on_subnet(const struct sb_worker *w, uint32_t addr_be, int role)
{
	uint32_t a = rte_be_to_cpu_32(addr_be);

	/* A DHCP port without a lease has no subnet (mask 0 is no match). */
	for (unsigned i = 0; i < w->n_ports; i++)
		if ((role < 0 || w->port[i].role == role) && w->port[i].mask != 0 &&
		    (a & w->port[i].mask) == w->port[i].net)
			return true;
	return false;
}

/* Is @dst_be one of the gateway's own addresses? */
static inline bool
sb_wk_is_local(const struct sb_worker *w, uint32_t dst_be)
{
	for (unsigned i = 0; i < w->n_ports; i++)
		if (w->port[i].addr_be == dst_be)
			return true;
	return false;
}

/* One of the gateway's own addresses: a port's, or a one-to-one NAT's
 * external address. */
static inline bool
sb_wk_is_own(const struct sb_worker *w, uint32_t a_be)
{
	return sb_wk_is_local(w, a_be) ||
	       (unlikely(w->fwd != NULL && w->fwd->n11 != 0) &&
		sb_fwdtab_11_ext(w->fwd, -1, rte_be_to_cpu_32(a_be)) >= 0);
}

/* The generation a session on WAN @p keeps: inbound sessions (pinned to
 * their WAN, they cannot move) leave out the bumps of sessions_on_failback
 * = move. */
static inline uint16_t
sb_wk_session_gen(const struct sb_dp_state *st, unsigned p, unsigned nat)
{
	return (uint16_t)(st->wan[p].gen - (nat == SB_CT_NAT_FWD ? st->wan[p].moves : 0));
}

/* Multicast (224/4) or the limited broadcast (@dst_be, network order):
 * a LAN host's packet to it stays on its link, never routed or
 * translated (RFC 1812 5.3.5). */
static inline bool
sb_wk_link_only_dst(uint32_t dst_be)
{
	return (dst_be & RTE_BE32(0xf0000000)) == RTE_BE32(0xe0000000) ||
	       dst_be == RTE_BE32(0xffffffff);
}

/* Its WAN changed state since the session was made (lazy flush). */
static inline bool
sb_wk_session_stale(const struct sb_worker *w, const struct sb_dp_state *st,
		    const struct sb_session *s)
{
	return w->port[s->out_port].role == SB_ROLE_WAN &&
	       sb_wk_session_gen(st, s->out_port, s->nat) != s->wan_gen;
}

/* The gateway a routed session leaves by is in no nexthop group any more
 * (a path went down while its WAN stays up): the session re-routes on its
 * next outbound packet. Sessions on surviving paths never look further. */
static inline bool
sb_wk_path_dead(const struct sb_dp_state *st, const struct sb_session *s)
{
	return s->routed && st->nb_dead[s->out_nb];
}

/* The router a routed LAN host's replies go to (its session's in_nb
 * without SB_CT_NB_BY_ADDR: a pinned gateway) is in no nexthop group any
 * more (its route changed): the session looks it up again on its next
 * reply (slowpath.c). On-link hosts' sessions never look further. */
static inline bool
sb_wk_reply_hop_dead(const struct sb_dp_state *st, const struct sb_session *s)
{
	return !(s->in_nb & SB_CT_NB_BY_ADDR) && st->nb_dead[s->in_nb];
}

/* A packet that missed at the bulk lookup whose flow has a session now,
 * made by an earlier packet of this burst: take it (true). */
static inline bool
sb_wk_made_in_burst(struct sb_worker *w, const struct sb_burst *b, struct sb_pkt *p)
{
	int64_t v = sb_ct_lookup(w->ct, &p->key);
	struct sb_session *s;

	if (v < 0)
		return false;
	s = sb_ct_session(w->ct, SB_CT_IDX(v));
	if ((SB_CT_DIR(v) == SB_CT_DIR_ORIG ? s->in_port : s->out_port) != b->in)
		return false;
	p->s = s;
	p->dir = (uint8_t)SB_CT_DIR(v);
	return true;
}

/* A digest of @s's flow (both tuples' endpoints) for the fragment table:
 * a later fragment follows the session its first fragment passed with,
 * not another flow that reuses the index meanwhile. */
static inline uint32_t
sb_wk_frag_tag(const struct sb_session *s)
{
	return rte_hash_crc_4byte(s->lan_addr,
				  rte_hash_crc_4byte(s->rem_addr,
						     rte_hash_crc_4byte((uint32_t)s->lan_port << 16 |
									s->rem_port,
									(uint32_t)s->ext_port << 8 |
									s->proto)));
}

/* Drop one session's hold on its mapping (before the session goes). */
static inline void
sb_wk_release_nat(struct sb_worker *w, const struct sb_session *s)
{
	if (s->nat == SB_CT_NAT_SRC || s->nat == SB_CT_NAT_HAIRPIN) {
		struct sb_eim_key k = sb_eim_key(s->lan_addr, s->lan_port, s->proto, s->nat_wan);

		sb_eim_put(w->eim, &k, sb_wk_now_s(w));
	}
}

#endif
