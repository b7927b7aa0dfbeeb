/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_cycles.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_hash.h>

#include "worker.h"
#include "parse.h"
#include "conntrack.h"
#include "synhold.h"
#include "fib.h"
#include "neigh.h"
#include "nat.h"
#include "cksum.h"
#include "pcc.h"
#include "frag.h"
#include "ecmp.h"

#define PREFETCH_OFFSET 3
#define SWEEP_BUDGET 64

static inline void
drop(struct sb_worker *w, struct rte_mbuf *m, unsigned reason)
{
	w->cnt.drop[reason]++;
	rte_pktmbuf_free(m);
}

static inline uint32_t
rnd32(struct sb_worker *w)
{
	/* xorshift64*: NAT port choice only, not security. */
	uint64_t x = w->rnd;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rnd = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

static inline void
punt(struct sb_worker *w, struct rte_mbuf *m, unsigned reason, unsigned in)
{
	m->hash.usr = SB_PUNT_INFO(reason, in);
	if (rte_ring_enqueue(w->punt, m) != 0) {
		drop(w, m, SB_DROP_PUNT_FULL);
		return;
	}
	w->cnt.punted++;
}

static inline void
request_resolve(struct sb_worker *w, unsigned port, uint32_t ip_host)
{
	uint64_t v = ((uint64_t)port << 32) | ip_host;

	/* Best effort: the control thread paces ARP requests itself. */
	(void)rte_ring_enqueue(w->resolve, (void *)(uintptr_t)v);
}

/* Send @m out of port index @out with Ethernet destination @dmac. */
static inline void
tx_l2(struct sb_worker *w, unsigned out, struct rte_mbuf *m,
      const struct rte_ether_addr *dmac)
{
	struct sb_wport *p = &w->port[out];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eh->dst_addr = *dmac;
	eh->src_addr = p->mac;
	if (p->vlan != 0) {
		m->vlan_tci = p->vlan;
		if (rte_vlan_insert(&m) != 0) {
			drop(w, m, SB_DROP_NOMEM);
			return;
		}
	}
	rte_eth_tx_buffer(p->port_id, 0, p->txb, m);
}

/* Hold a fully rewritten packet until ARP answers for its next hop, as
 * Linux does, instead of dropping it: a host's first connection does not
 * have to wait for a retransmission. Bounded in count and time. */
static void
park(struct sb_worker *w, unsigned out, uint32_t ip_host, struct rte_mbuf *m, uint64_t now)
{
	if (w->n_parked == SB_PARK_MAX) {
		drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	w->parked[w->n_parked++] = (struct sb_parked){
		.m = m, .tsc = now, .ip = ip_host, .port = (uint16_t)out,
	};
	w->cnt.parked++;
}

/* Send the parked packets whose neighbour is now known; drop those that
 * waited a second. Cheap when nothing is parked. */
static void
unpark(struct sb_worker *w, uint64_t now)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < w->n_parked; i++) {
		struct sb_parked *p = &w->parked[i];
		int32_t idx = sb_neigh_find(w->neigh, p->port, p->ip);
		struct rte_ether_addr mac;

		if (idx >= 0 && sb_neigh_mac(w->neigh, (uint32_t)idx, &mac)) {
			w->cnt.parked_sent++;
			tx_l2(w, p->port, p->m, &mac);
		} else if (now - p->tsc > w->tsc_hz) {
			drop(w, p->m, SB_DROP_NEIGH_UNRESOLVED);
		} else {
			w->parked[keep++] = *p;
		}
	}
	w->n_parked = keep;
}

/* Neighbour MAC for @ip_host on port @out. *@cache holds a neighbour
 * index when known (SB_NEIGH_NONE otherwise) and is filled on success. */
static inline bool
l2_resolve(struct sb_worker *w, unsigned out, uint32_t ip_host, uint32_t *cache,
	   struct rte_ether_addr *mac)
{
	if (*cache == SB_NEIGH_NONE) {
		int32_t idx = sb_neigh_find(w->neigh, (uint16_t)out, ip_host);

		if (idx < 0) {
			request_resolve(w, out, ip_host);
			return false;
		}
		*cache = (uint32_t)idx;
	}
	if (!sb_neigh_mac(w->neigh, *cache, mac)) {
		request_resolve(w, out, ip_host);
		return false;
	}
	return true;
}

/* The same for a session's 16-bit neighbour index (SB_CT_NB_NONE). */
static inline bool
l2_resolve_s(struct sb_worker *w, unsigned out, uint32_t ip_host, uint16_t *cache,
	     struct rte_ether_addr *mac)
{
	uint32_t c = *cache == SB_CT_NB_NONE ? SB_NEIGH_NONE : *cache;
	bool ok = l2_resolve(w, out, ip_host, &c, mac);

	*cache = c == SB_NEIGH_NONE ? SB_CT_NB_NONE : (uint16_t)c;
	return ok;
}

/* Is @addr_be inside the subnet of a port (of @role, or of any role when
 * @role is negative)? Anti-spoofing asks about LAN ports, the PCC bypass
 * about all of them. */
static inline bool
on_subnet(const struct sb_worker *w, uint32_t addr_be, int role)
{
	uint32_t a = rte_be_to_cpu_32(addr_be);

	for (unsigned i = 0; i < w->n_ports; i++)
		if ((role < 0 || w->port[i].role == role) &&
		    (a & w->port[i].mask) == w->port[i].net)
			return true;
	return false;
}

/* A new flow from LAN port @in must come from a source the gateway would
 * route back out of @in: its connected subnet, or a route through it
 * (a routed LAN behind another router). */
static inline bool
lan_source_ok(const struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	      uint32_t src_be)
{
	uint32_t s = rte_be_to_cpu_32(src_be);
	uint32_t g;

	if ((s & w->port[in].mask) == w->port[in].net)
		return true;
	if (sb_fib_lookup(w->fib, 0, s, &g) != 0 || g >= st->n_nhg)
		return false;
	for (unsigned k = 0; k < st->nhg[g].n_paths; k++)
		if (st->nhg[g].path[k].port == in)
			return true;
	return false;
}

static inline bool
is_local(const struct sb_worker *w, uint32_t dst_be)
{
	for (unsigned i = 0; i < w->n_ports; i++)
		if (w->port[i].addr_be == dst_be)
			return true;
	return false;
}

/* Packets addressed to the gateway itself: answer echo requests in place,
 * hand probe replies to control, drop the rest (counted). */
static void
local_deliver(struct sb_worker *w, unsigned in, struct rte_mbuf *m,
	      const struct sb_meta *md)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)(l3 + md->l4_off);

	if (md->proto != IPPROTO_ICMP) {
		drop(w, m, SB_DROP_LOCAL_UNHANDLED);
		return;
	}
	if (md->icmp_type == RTE_IP_ICMP_ECHO_REPLY &&
	    (rte_be_to_cpu_16(ih->icmp_ident) & SB_PROBE_ID_MASK) == SB_PROBE_ID_BASE) {
		punt(w, m, SB_PUNT_PROBE_REPLY, in);
		return;
	}
	if (md->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		drop(w, m, SB_DROP_ICMP_UNHANDLED);
		return;
	}
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr dmac = eh->src_addr;
	uint16_t old, new;
	uint32_t a = ip->src_addr;

	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_raw_cksum(ip, md->l4_off) == 0xffff ? 0 :
			   (uint16_t)~rte_raw_cksum(ip, md->l4_off);
	memcpy(&old, ih, 2);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	memcpy(&new, ih, 2);
	ih->icmp_cksum = sb_csum_update16(ih->icmp_cksum, old, new);
	w->cnt.local_replies++;
	tx_l2(w, in, m, &dmac);
}

static inline uint32_t
ecmp_hash(const struct sb_worker *w, const struct sb_meta *md)
{
	uint32_t h = rte_hash_crc_4byte(md->src ^ md->dst, 0x5b);

	if (w->ecmp == SB_ECMP_L4)
		h = rte_hash_crc_4byte(((uint32_t)md->sport << 16 | md->dport) ^ md->proto, h);
	return h;
}

static inline uint32_t
now_s(const struct sb_worker *w)
{
	return (uint32_t)(rte_rdtsc() / w->tsc_hz);
}

static struct sb_eim_key
eim_key(uint32_t src, uint16_t sport, uint8_t proto, unsigned port)
{
	struct sb_eim_key k = { .src = src, .sport = sport, .proto = proto, .port = (uint8_t)port };

	return k;
}

/* Drop one session's hold on its mapping; the last one releases the
 * external port (held back for SB_NAT_PORT_HOLD_S before reuse). */
static void
eim_put(struct sb_worker *w, const struct sb_eim_key *k)
{
	int32_t pos = rte_hash_lookup(w->eim, k);
	int p = sb_nat_proto(k->proto);

	if (pos < 0 || p < 0)
		return;
	if (--w->eim_ref[pos] != 0)
		return;
	sb_nat_port_free(w->port[k->port].nat, (enum sb_nat_proto)p, w->eim_ext[pos], now_s(w));
	w->eim_by_ext[k->port][(uint32_t)p * 65536 + w->eim_ext[pos]] = 0;
	rte_hash_del_key(w->eim, k);
}

/* The external port for @k: its existing mapping, or a new one (the
 * internal port itself when free). Returns the port (host order) or a
 * drop reason as a negative number. */
static int
eim_get(struct sb_worker *w, const struct sb_eim_key *k, enum sb_nat_proto np)
{
	int32_t pos = rte_hash_lookup(w->eim, k);
	int port;

	if (pos >= 0) {
		w->eim_ref[pos]++;
		return w->eim_ext[pos];
	}
	port = sb_nat_port_alloc(w->port[k->port].nat, np, rte_be_to_cpu_16(k->sport),
				 rnd32(w), now_s(w));
	if (port < 0)
		return -SB_DROP_NAT_EXHAUSTED;
	pos = rte_hash_add_key(w->eim, k);
	if (pos < 0) {
		/* Never used by a session: no need to hold it back. */
		sb_nat_port_free(w->port[k->port].nat, np, (uint16_t)port, 0);
		w->port[k->port].nat->free_after[np][port] = 0;
		return -SB_DROP_CT_FULL;
	}
	w->eim_ext[pos] = (uint16_t)port;
	w->eim_ref[pos] = 1;
	w->eim_by_ext[k->port][(uint32_t)np * 65536 + (uint32_t)port] = (uint32_t)pos + 1;
	return port;
}

static void
release_nat(struct sb_worker *w, struct sb_session *s)
{
	if (s->nat) {
		struct sb_eim_key k = eim_key(s->lan_addr, s->lan_port, s->proto,
					      s->nat_wan);

		eim_put(w, &k);
	}
}

static void
on_expire(void *arg, struct sb_session *s)
{
	struct sb_worker *w = arg;

	release_nat(w, s);
	w->cnt.ct_expired++;
}

/* Forward @m along session @s in direction @dir. */
static void
fast_path(struct sb_worker *w, struct rte_mbuf *m, const struct sb_meta *md,
	  struct sb_session *s, unsigned dir, uint64_t now)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct rte_ether_addr dmac;
	unsigned out;
	uint32_t hop;
	bool ok;

	if (unlikely(md->ttl <= 1)) {
		w->cnt.drop[SB_DROP_TTL_EXCEEDED]++;
		punt(w, m, SB_PUNT_TTL_EXCEEDED, dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port);
		return;
	}
	if (md->proto == IPPROTO_TCP) {
		/* Blind RSTs far from the sender's sequence are ignored. */
		const uint8_t *th = l3 + md->l4_off;
		uint32_t seq;

		memcpy(&seq, th + 4, 4);
		if (!sb_ct_tcp_segment(s, rte_be_to_cpu_32(seq),
				       md->l4_len - (uint32_t)(th[12] >> 4) * 4u, md->tcp_flags, dir)) {
			drop(w, m, SB_DROP_TCP_RST_WINDOW);
			return;
		}
	}
	if (dir == SB_CT_DIR_ORIG) {
		out = s->out_port;
		hop = s->out_nb != SB_CT_NB_NONE ? w->neigh->e[s->out_nb].ip :
		      rte_be_to_cpu_32(s->nat == SB_CT_NAT_HAIRPIN ? s->rem_addr : md->dst);
		ok = l2_resolve_s(w, out, hop, &s->out_nb, &dmac);
		if (s->nat) {
			sb_nat_rewrite_src(l3, md, sb_ct_ext_addr(w->ct, s), s->ext_port);
			if (s->nat == SB_CT_NAT_HAIRPIN)
				sb_nat_rewrite_dst(l3, md, s->rem_addr, s->rem_port);
			w->cnt.nat_out++;
		}
	} else {
		out = s->in_port;
		hop = rte_be_to_cpu_32(s->lan_addr);
		ok = l2_resolve_s(w, out, hop, &s->in_nb, &dmac);
		if (s->nat) {
			sb_nat_rewrite_dst(l3, md, s->lan_addr, s->lan_port);
			if (s->nat == SB_CT_NAT_HAIRPIN)
				sb_nat_rewrite_src(l3, md, sb_ct_orig_dst(w->ct, s), s->orig_dport);
			w->cnt.nat_in++;
		}
		if (s->state == SB_CT_NEW && md->proto != IPPROTO_TCP)
			s->state = SB_CT_ESTABLISHED;
	}
	if (md->proto == IPPROTO_TCP)
		sb_ct_tcp_update(s, md->tcp_flags, dir);
	if (unlikely(md->frag == SB_FRAG_FIRST)) {
		/* Later fragments follow this session (shallow reassembly). */
		struct sb_frag_key fk = { .src = md->src, .dst = md->dst, .id = md->ip_id,
					  .proto = md->proto };

		if (sb_frag_add(w->frag, &fk, sb_ct_index(w->ct, s), (uint8_t)dir, now) == 0)
			w->cnt.frag_tracked++;
		else
			w->cnt.frag_table_full++;
	}
	sb_ipv4_ttl_dec(l3);
	/* Outbound refresh only: an outside host cannot keep a mapping open
	 * by sending to it (RFC 4787 REQ-6 makes inbound refresh optional). */
	if (dir == SB_CT_DIR_ORIG)
		sb_ct_touch(w->ct, s, now);
	w->cnt.forwarded++;
	if (likely(ok))
		tx_l2(w, out, m, &dmac);
	else
		park(w, out, hop, m, now);
}

/* Create the session of the new flow @m (its original key is the packet's
 * own tuple, its reply key @reply) leaving by @out towards neighbour @nb,
 * and forward the packet along it. When the table refuses, the packet is
 * dropped and the mapping @ek took (if any) is given back. */
static void
open_session(struct sb_worker *w, const struct sb_dp_state *st, unsigned in, unsigned out,
	     struct rte_mbuf *m, const struct sb_meta *md, const struct sb_ct_key *reply,
	     uint32_t nb, bool routed, uint8_t nat, unsigned nat_wan, const struct sb_eim_key *ek,
	     uint64_t now)
{
	struct sb_ct_key orig;
	struct sb_session *s;
	int64_t idx;

	memset(&orig, 0, sizeof(orig));
	orig.src = md->src;
	orig.dst = md->dst;
	orig.sport = md->sport;
	orig.dport = md->dport;
	orig.proto = md->proto;
	idx = sb_ct_insert(w->ct, &orig, reply, nat, nat_wan, now);
	if (idx < 0) {
		if (ek != NULL)
			eim_put(w, ek);
		drop(w, m, idx == -ENOSPC ? SB_DROP_CT_FULL : SB_DROP_CT_CONFLICT);
		return;
	}
	/* Simultaneous open (RFC 5382 REQ-2): the peer's SYN to this
	 * mapping came first and was held; it stays dropped, silently, and
	 * the connection proceeds with this SYN and the peer's SYN-ACK. */
	if (nat == SB_CT_NAT_SRC && md->proto == IPPROTO_TCP &&
	    (md->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	    sb_synhold_take(w->synhold, reply, now))
		w->cnt.syn_hold_matched++;
	s = sb_ct_session(w->ct, (uint32_t)idx);
	s->out_port = (uint8_t)out;
	s->in_port = (uint8_t)in;
	s->out_nb = nb == SB_NEIGH_NONE ? SB_CT_NB_NONE : (uint16_t)nb;
	s->routed = routed && s->out_nb != SB_CT_NB_NONE;
	s->wan_gen = (uint16_t)st->wan[out].gen;
	w->cnt.ct_created++;
	w->cnt.ct_created_port[out & 7]++;
	fast_path(w, m, md, s, SB_CT_DIR_ORIG, now);
}

/* The masquerading WAN port whose address a TCP/UDP packet from the LAN is
 * sent to (a hairpin candidate), or -1. */
static inline int
hairpin_wan(const struct sb_worker *w, const struct sb_meta *md)
{
	if (md->proto != IPPROTO_TCP && md->proto != IPPROTO_UDP)
		return -1;
	for (unsigned i = 0; i < w->n_ports; i++)
		if (w->port[i].masquerade && w->port[i].addr_be == md->dst)
			return (int)i;
	return -1;
}

/* A LAN host A sends to WAN address:extB, the external mapping of LAN host
 * B (RFC 4787 REQ-9, RFC 5382 REQ-8). B gets the packet from A's own
 * external mapping, so both see each other as the outside does. */
static void
hairpin(struct sb_worker *w, const struct sb_dp_state *st, unsigned in, struct rte_mbuf *m,
	const struct sb_meta *md, unsigned wan, uint64_t now)
{
	int np = sb_nat_proto(md->proto);
	uint32_t slot = w->eim_by_ext[wan][(uint32_t)np * 65536 + rte_be_to_cpu_16(md->dport)];
	const struct sb_eim_key *bk;
	struct sb_eim_key ak;
	struct sb_ct_key reply;
	struct rte_ether_addr dmac;
	uint32_t g, nb = SB_NEIGH_NONE;
	unsigned out;
	int ext_a;
	void *key;

	if (slot == 0 || rte_hash_get_key_with_position(w->eim, (int32_t)slot - 1, &key) != 0) {
		drop(w, m, SB_DROP_LOCAL_UNHANDLED);  /* no mapping there */
		return;
	}
	bk = key;
	/* Where B lives: its route must be on a LAN port. */
	if (sb_fib_lookup(w->fib, 0, rte_be_to_cpu_32(bk->src), &g) != 0 || g >= st->n_nhg ||
	    st->nhg[g].n_paths == 0) {
		drop(w, m, SB_DROP_NO_ROUTE);
		return;
	}
	out = st->nhg[g].path[0].port;
	if (st->nhg[g].path[0].gw != 0)
		nb = st->nhg[g].path[0].nb;
	if (!l2_resolve(w, out, st->nhg[g].path[0].gw ? st->nhg[g].path[0].gw :
			rte_be_to_cpu_32(bk->src), &nb, &dmac)) {
		drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}
	ak = eim_key(md->src, md->sport, md->proto, wan);
	ext_a = eim_get(w, &ak, (enum sb_nat_proto)np);
	if (ext_a < 0) {
		drop(w, m, (unsigned)-ext_a);
		return;
	}
	memset(&reply, 0, sizeof(reply));
	reply.src = bk->src;
	reply.dst = w->port[wan].addr_be;
	reply.sport = bk->sport;
	reply.dport = rte_cpu_to_be_16((uint16_t)ext_a);
	reply.proto = md->proto;
	open_session(w, st, in, out, m, md, &reply, nb, false, SB_CT_NAT_HAIRPIN, wan, &ak, now);
}

/* A new flow from the LAN: route it, pick a path, allocate the NAT port,
 * create the session, forward. */
static void
slow_path(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	  struct rte_mbuf *m, const struct sb_meta *md, uint32_t nhg_id, uint64_t now)
{
	const struct sb_nhg *g;
	const struct sb_path *path;
	struct sb_ct_key reply;
	uint32_t nat_addr = md->src;
	uint16_t nat_port;
	unsigned out;
	uint32_t nb;
	struct rte_ether_addr dmac;
	struct sb_eim_key ek;
	int np = -1;

	if (unlikely(!lan_source_ok(w, st, in, md->src))) {
		drop(w, m, SB_DROP_SPOOFED);
		return;
	}
	if (unlikely(md->ttl <= 1)) {
		w->cnt.drop[SB_DROP_TTL_EXCEEDED]++;
		punt(w, m, SB_PUNT_TTL_EXCEEDED, in);
		return;
	}
	int hw = hairpin_wan(w, md);

	if (unlikely(hw >= 0)) {
		hairpin(w, st, in, m, md, (unsigned)hw, now);
		return;
	}
	if (nhg_id >= st->n_nhg || st->nhg[nhg_id].n_paths == 0) {
		drop(w, m, SB_DROP_NO_ROUTE);
		return;
	}
	g = &st->nhg[nhg_id];
	/* Resilient buckets: a path going down moves only its own flows. */
	path = &g->path[sb_ecmp_pick(g, ecmp_hash(w, md))];
	out = path->port;

	nb = path->gw != 0 ? path->nb : SB_NEIGH_NONE;
	if (!l2_resolve(w, out, path->gw != 0 ? path->gw : rte_be_to_cpu_32(md->dst),
			&nb, &dmac)) {
		drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
		return;
	}

	/* Sessions exist for TCP, UDP and ICMP echo; other ICMP has no
	 * session of its own (errors are translated with their flow in the
	 * NAT issue) and other protocols cannot be masqueraded. */
	if (md->proto == IPPROTO_ICMP && md->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		drop(w, m, SB_DROP_ICMP_UNHANDLED);
		return;
	}
	nat_port = md->sport; /* ICMP echo: the id */
	if (w->port[out].masquerade) {
		np = sb_nat_proto(md->proto);
		if (np < 0) {
			drop(w, m, SB_DROP_NAT_PROTO);
			return;
		}
		ek = eim_key(md->src, md->sport, md->proto, out);
		int p = eim_get(w, &ek, (enum sb_nat_proto)np);

		if (p < 0) {
			drop(w, m, (unsigned)-p);
			return;
		}
		nat_port = rte_cpu_to_be_16((uint16_t)p);
		nat_addr = w->port[out].addr_be;
	}

	memset(&reply, 0, sizeof(reply));
	reply.src = md->dst;
	reply.dst = nat_addr;
	reply.sport = md->dport;
	reply.dport = nat_port;
	reply.proto = md->proto;
	open_session(w, st, in, out, m, md, &reply, nb, path->gw != 0,
		     np >= 0 ? SB_CT_NAT_SRC : SB_CT_NAT_NONE, out, np >= 0 ? &ek : NULL, now);
}

/* Answer the TCP segment @m (from the LAN host, on port @in) with a RST
 * as if from its peer (RFC 793: seq = the segment's ack, or ack = its
 * seq + length when it carries none), rebuilt in place. */
static void
tcp_reset_back(struct sb_worker *w, unsigned in, struct rte_mbuf *m, const struct sb_meta *md)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + md->l4_off);
	struct rte_ether_addr dmac = eh->src_addr;
	uint32_t hl = (uint32_t)(th->data_off >> 4) * 4u;
	uint32_t len = md->l4_len - hl + ((th->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	uint32_t a = ip->src_addr;
	uint16_t p = th->src_port;

	if (th->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = th->recv_ack;
		th->recv_ack = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + len);
		th->sent_seq = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	th->src_port = th->dst_port;
	th->dst_port = p;
	th->data_off = 5 << 4;
	th->rx_win = 0;
	th->tcp_urp = 0;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	/* The TCP header moves up if the IP header had options. */
	if (md->l4_off != sizeof(*ip))
		memmove(ip + 1, th, sizeof(*th));
	th = (struct rte_tcp_hdr *)(ip + 1);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - md->l3_off - sizeof(*ip) -
				       sizeof(*th)));
	w->cnt.tcp_rst_sent++;
	tx_l2(w, in, m, &dmac);
}

static inline bool
session_stale(const struct sb_worker *w, const struct sb_dp_state *st,
	      const struct sb_session *s)
{
	return w->port[s->out_port].role == SB_ROLE_WAN &&
	       (uint16_t)st->wan[s->out_port].gen != s->wan_gen;
}

/* The gateway a routed session leaves by is in no nexthop group any more
 * (a path went down while its WAN stays up): the session re-routes on its
 * next outbound packet. Sessions on surviving paths never look further. */
static inline bool
path_dead(const struct sb_dp_state *st, const struct sb_session *s)
{
	return s->routed && st->nb_dead[s->out_nb];
}

/* The FIB table of a new flow: main, or the routing table of the WAN PCC
 * gives it (a connected destination bypasses PCC). */
static inline unsigned
flow_table(const struct sb_worker *w, const struct sb_dp_state *st, const struct sb_meta *md)
{
	if (w->pcc_classifier >= 0 && !on_subnet(w, md->dst, -1)) {
		uint32_t h = sb_pcc_hash((enum sb_pcc_classifier)w->pcc_classifier, md);
		uint8_t m = st->pcc_bucket[h % SB_PCC_BUCKETS];

		if (m != SB_PCC_NONE)
			return w->pcc_table[m];
	}
	return 0;
}

/* Session @s's path died: route the flow of @md again, as a new flow
 * would go (same table, same resilient bucket). When the new path is
 * another gateway out of the same port the session just follows it: same
 * WAN, same source address and mapping, so even TCP survives. Returns
 * false when the flow must leave by another port (or has no route): the
 * caller flushes the session. */
static bool
path_reroute(struct sb_worker *w, const struct sb_dp_state *st, const struct sb_meta *md,
	     struct sb_session *s)
{
	const struct sb_path *p;
	uint32_t g;

	if (sb_fib_lookup(w->fib, flow_table(w, st, md), rte_be_to_cpu_32(md->dst), &g) != 0 ||
	    g >= st->n_nhg || st->nhg[g].n_paths == 0)
		return false;
	p = &st->nhg[g].path[sb_ecmp_pick(&st->nhg[g], ecmp_hash(w, md))];
	if (p->gw == 0 || p->port != s->out_port || p->nb >= SB_MAX_NEIGH)
		return false;
	s->out_nb = (uint16_t)p->nb;
	w->cnt.ct_path_rerouted++;
	return true;
}

/* A fragment after the first: it has no ports; it follows the session its
 * first fragment used, with the same address translation. */
static void
later_fragment(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	       struct rte_mbuf *m, const struct sb_meta *md, uint64_t now, bool may_hold)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct sb_frag_key fk = { .src = md->src, .dst = md->dst, .id = md->ip_id,
				  .proto = md->proto };
	struct rte_ether_addr dmac;
	struct sb_session *s;
	uint32_t idx;
	uint8_t dir;
	unsigned out;

	if (sb_frag_find(w->frag, &fk, now, &idx, &dir) != 0) {
		/* Its first fragment may still be on the way: wait for it. */
		int slot = may_hold ? sb_frag_hold(w->frag, &fk, m, (uint16_t)in, now) : -ENOENT;

		if (slot >= 0) {
			w->frag_md[slot] = *md;
			w->cnt.frag_held++;
			return;
		}
		if (may_hold)
			w->cnt.frag_hold_refused++;
		drop(w, m, SB_DROP_FRAG_NO_FLOW);
		return;
	}
	s = sb_ct_session(w->ct, idx);
	if (!s->in_use || (dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) != in ||
	    session_stale(w, st, s)) {
		drop(w, m, SB_DROP_FRAG_NO_FLOW);
		return;
	}
	if (md->ttl <= 1) {
		drop(w, m, SB_DROP_TTL_EXCEEDED);
		return;
	}
	if (dir == SB_CT_DIR_ORIG) {
		out = s->out_port;
		if (!l2_resolve_s(w, out, rte_be_to_cpu_32(md->dst), &s->out_nb, &dmac)) {
			drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_ipv4_set_addr(l3, true, sb_ct_ext_addr(w->ct, s));
	} else {
		out = s->in_port;
		if (!l2_resolve_s(w, out, rte_be_to_cpu_32(s->lan_addr), &s->in_nb, &dmac)) {
			drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_ipv4_set_addr(l3, false, s->lan_addr);
	}
	sb_ipv4_ttl_dec(l3);
	w->cnt.frag_forwarded++;
	w->cnt.forwarded++;
	tx_l2(w, out, m, &dmac);
}

/* Send on the held later fragments whose first fragment has now passed;
 * drop those that waited SB_FRAG_HOLD_MS (or all of them, @all, when the
 * worker stops). Only called while something is held. */
static void
frag_hold_scan(struct sb_worker *w, const struct sb_dp_state *st, uint64_t now, bool all)
{
	struct sb_frag_table *t = w->frag;

	for (unsigned i = 0; i < SB_FRAG_HOLD_MAX && t->n_held != 0; i++) {
		struct sb_frag_held *h = &t->held[i];

		if (h->pkt == NULL)
			continue;
		if (!all && sb_frag_known(t, &h->k, now)) {
			unsigned in = h->in;
			struct rte_mbuf *m = sb_frag_unhold(t, i);

			w->cnt.frag_released++;
			later_fragment(w, st, in, m, &w->frag_md[i], now, false);
		} else if (all || now - h->tsc > t->hold_tsc) {
			drop(w, sb_frag_unhold(t, i), SB_DROP_FRAG_NO_FLOW);
		}
	}
}

/* An inbound SYN (no ACK) with no session, to the external port of a live
 * TCP mapping on masquerading WAN @in: one half of a simultaneous open. */
static inline bool
syn_to_mapping(const struct sb_worker *w, unsigned in, const struct sb_meta *d)
{
	return d->proto == IPPROTO_TCP &&
	       (d->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG &&
	       w->port[in].masquerade && d->dst == w->port[in].addr_be &&
	       w->eim_by_ext[in][SB_NAT_TCP * 65536u + rte_be_to_cpu_16(d->dport)] != 0;
}

/* ICMP errors (RFC 5508): found by the packet they quote, translated both
 * ways with the quoted header restored, never creating, refreshing or
 * ending a session. */
static void
icmp_error(struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	   struct rte_mbuf *m, const struct sb_meta *md)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	uint32_t l3_len = (uint32_t)md->l4_off + md->l4_len;
	struct rte_ether_addr dmac;
	struct sb_ct_key k;
	uint16_t emb_off;
	unsigned r = (unsigned)sb_nat_icmp_err_key(l3, l3_len, &k, &emb_off);
	int64_t v;
	struct sb_session *s;
	unsigned out;

	if (r != SB_DROP_MAX) {
		drop(w, m, r);
		return;
	}
	v = sb_ct_lookup(w->ct, &k);
	if (v < 0) {
		drop(w, m, SB_DROP_ICMP_NO_SESSION);
		return;
	}
	s = sb_ct_session(w->ct, SB_CT_IDX(v));
	if (SB_CT_DIR(v) == SB_CT_DIR_REPLY) {
		/* From the WAN side, about a packet we sent: to the LAN host. */
		if (in != s->out_port || session_stale(w, st, s)) {
			drop(w, m, SB_DROP_ICMP_NO_SESSION);
			return;
		}
		out = s->in_port;
		if (!l2_resolve_s(w, out, rte_be_to_cpu_32(s->lan_addr), &s->in_nb, &dmac)) {
			drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, false, s->lan_addr, s->lan_port);
	} else {
		/* From the LAN host, about a packet it got from the WAN. */
		if (in != s->in_port) {
			drop(w, m, SB_DROP_ICMP_NO_SESSION);
			return;
		}
		out = s->out_port;
		if (!l2_resolve_s(w, out, rte_be_to_cpu_32(md->dst), &s->out_nb, &dmac)) {
			drop(w, m, SB_DROP_NEIGH_UNRESOLVED);
			return;
		}
		if (s->nat)
			sb_nat_icmp_err_rewrite(l3, l3_len, emb_off, true, sb_ct_ext_addr(w->ct, s),
						s->ext_port);
	}
	if (md->ttl <= 1) {
		drop(w, m, SB_DROP_TTL_EXCEEDED); /* no error about an error */
		return;
	}
	sb_ipv4_ttl_dec(l3);
	w->cnt.icmp_errors++;
	w->cnt.forwarded++;
	tx_l2(w, out, m, &dmac);
}

void
sb_worker_process(struct sb_worker *w, unsigned in, struct rte_mbuf **pkts,
		  unsigned n)
{
	const struct sb_dp_state *st = __atomic_load_n(w->state, __ATOMIC_ACQUIRE);
	struct sb_wport *ip = &w->port[in];
	struct sb_meta md[SB_BURST];
	struct sb_ct_key key[SB_BURST];
	const struct sb_ct_key *kp[SB_BURST];
	struct rte_mbuf *cand[SB_BURST];
	struct sb_meta *cmd[SB_BURST];
	uint64_t data[SB_BURST];
	struct rte_mbuf *miss[SB_BURST];
	struct sb_meta *mmd[SB_BURST];
	const struct sb_ct_key *missk[SB_BURST];
	uint32_t nhg[SB_BURST];
	struct rte_mbuf *err[SB_BURST], *later[SB_BURST];
	struct sb_meta *emd[SB_BURST], *lmd[SB_BURST];
	unsigned nc = 0, nm = 0, ne = 0, nl = 0;
	uint64_t t0, t1, now, hits;

	uint64_t tracked = w->cnt.frag_tracked;

	w->cnt.rx += n;
	t0 = now = rte_rdtsc();

	/* Stage 1: parse and classify. */
	for (unsigned i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sb_meta *d = &md[i];
		unsigned r;

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		r = sb_parse(m, d);
		if (unlikely(r != SB_DROP_MAX)) {
			drop(w, m, r);
			continue;
		}
		if (unlikely(d->vlan != ip->vlan)) {
			drop(w, m, SB_DROP_VLAN_MISMATCH);
			continue;
		}
		if (d->vlan != 0) {
			/* Work untagged; tx tags again per egress port. */
			if (rte_vlan_strip(m) != 0) {
				drop(w, m, SB_DROP_TRUNCATED);
				continue;
			}
			d->l3_off -= sizeof(struct rte_vlan_hdr);
		}
		if (unlikely(d->kind == SB_PKT_ARP)) {
			punt(w, m, SB_PUNT_ARP, in);
			continue;
		}
		const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &ip->mac))) {
			drop(w, m, SB_DROP_L2_NOT_FOR_US);
			continue;
		}
		if (ip->role == SB_ROLE_WAN && unlikely(on_subnet(w, d->src, SB_ROLE_LAN))) {
			drop(w, m, SB_DROP_SPOOFED);
			continue;
		}
		if (unlikely(d->frag == SB_FRAG_LATER)) {
			/* After this burst's first fragments passed. */
			later[nl] = m;
			lmd[nl++] = d;
			continue;
		}
		if (unlikely(d->proto == IPPROTO_ICMP && sb_icmp_is_error(d->icmp_type))) {
			/* After this burst's new sessions exist. */
			err[ne] = m;
			emd[ne++] = d;
			continue;
		}
		if (ip->role == SB_ROLE_LAN && unlikely(d->dst == ip->addr_be ||
							is_local(w, d->dst)) &&
		    hairpin_wan(w, d) < 0) {
			local_deliver(w, in, m, d);
			continue;
		}
		struct sb_ct_key *k = &key[nc];

		k->src = d->src;
		k->dst = d->dst;
		k->sport = d->sport;
		k->dport = d->dport;
		k->proto = d->proto;
		k->pad[0] = k->pad[1] = k->pad[2] = 0;
		kp[nc] = k;
		cand[nc] = m;
		cmd[nc] = d;
		nc++;
	}
	t1 = rte_rdtsc();
	w->cnt.stage_cycles[SB_STAGE_PARSE] += t1 - t0;
	w->cnt.stage_pkts[SB_STAGE_PARSE] += n;

	/* Stage 2: conntrack, all candidates in one bulk lookup. */
	hits = sb_ct_lookup_bulk(w->ct, kp, nc, data);
	t0 = rte_rdtsc();
	w->cnt.stage_cycles[SB_STAGE_CONNTRACK] += t0 - t1;
	w->cnt.stage_pkts[SB_STAGE_CONNTRACK] += nc;

	/* Stage 3: fast path for hits; gather misses. Sessions are fetched
	 * a few packets ahead (a table of 64k flows no longer sits in L1). */
	for (unsigned i = 0; i < nc && i < PREFETCH_OFFSET; i++)
		if (hits & (1ull << i))
			rte_prefetch0(sb_ct_session(w->ct, SB_CT_IDX(data[i])));
	for (unsigned i = 0; i < nc; i++) {
		struct rte_mbuf *m = cand[i];
		struct sb_meta *d = cmd[i];

		if (i + PREFETCH_OFFSET < nc && (hits & (1ull << (i + PREFETCH_OFFSET))))
			rte_prefetch0(sb_ct_session(w->ct, SB_CT_IDX(data[i + PREFETCH_OFFSET])));

		if (hits & (1ull << i)) {
			uint32_t idx = SB_CT_IDX(data[i]);
			unsigned dir = SB_CT_DIR(data[i]);
			struct sb_session *s = sb_ct_session(w->ct, idx);
			unsigned expect_in = dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port;

			bool stale = session_stale(w, st, s);

			if (likely(expect_in == in && !stale)) {
				if (likely(dir != SB_CT_DIR_ORIG || !path_dead(st, s)) ||
				    path_reroute(w, st, d, s)) {
					fast_path(w, m, d, s, dir, now);
					continue;
				}
				/* Its gateway went away and the flow now
				 * leaves by another port: flushed like a WAN
				 * going down (TCP reset below). */
				w->cnt.ct_path_moved++;
				stale = true;
			}
			if (stale) {
				/* Lazy flush: its WAN changed state since the
				 * session was made; re-classify the flow. */
				release_nat(w, s);
				sb_ct_delete(w->ct, idx);
				w->cnt.ct_flushed++;
				/* A TCP connection cannot survive the move (its
				 * address changes): reset it towards the LAN host
				 * now rather than let it hang. */
				if (dir == SB_CT_DIR_ORIG && expect_in == in && d->proto == IPPROTO_TCP &&
				    !(d->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG))) {
					tcp_reset_back(w, in, m, d);
					continue;
				}
			}
		}
		if (ip->role == SB_ROLE_WAN) {
			/* No session: only ICMP for the gateway itself (echo,
			 * probe replies) is taken; the rest is unsolicited and
			 * dropped silently (no RST, no ICMP). */
			if (d->proto == IPPROTO_ICMP &&
			    (d->dst == ip->addr_be || is_local(w, d->dst))) {
				local_deliver(w, in, m, d);
			} else if (unlikely(syn_to_mapping(w, in, d)) &&
				   sb_synhold_add(w->synhold, kp[i], now) >= 0) {
				/* Recorded for 6 s in case the LAN host's SYN
				 * to this peer follows (RFC 5382 REQ-2); the
				 * packet itself is dropped silently either way. */
				drop(w, m, SB_DROP_TCP_SYN_HELD);
			} else {
				drop(w, m, SB_DROP_WAN_UNSOLICITED);
			}
			continue;
		}
		miss[nm] = m;
		mmd[nm] = d;
		missk[nm] = kp[i];
		nm++;
	}
	t1 = rte_rdtsc();
	w->cnt.stage_cycles[SB_STAGE_NAT] += t1 - t0;
	w->cnt.stage_pkts[SB_STAGE_NAT] += nc - nm;
	if (nm == 0)
		goto errors;

	/* Stage 4: policy (PCC picks a member WAN's table) and FIB. */
	for (unsigned i = 0; i < nm; i++) {
		unsigned table = flow_table(w, st, mmd[i]);

		if (sb_fib_lookup(w->fib, table, rte_be_to_cpu_32(mmd[i]->dst), &nhg[i]) != 0)
			nhg[i] = UINT32_MAX;
	}
	t0 = rte_rdtsc();
	w->cnt.stage_cycles[SB_STAGE_FIB] += t0 - t1;
	w->cnt.stage_pkts[SB_STAGE_FIB] += nm;

	/* Stage 5: policy, NAT allocation and session insert. A later packet
	 * of a flow created earlier in this burst finds its session here. */
	for (unsigned i = 0; i < nm; i++) {
		int64_t v = sb_ct_lookup(w->ct, missk[i]);

		if (v >= 0) {
			struct sb_session *s = sb_ct_session(w->ct, SB_CT_IDX(v));
			unsigned dir = SB_CT_DIR(v);

			if ((dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) == in) {
				fast_path(w, miss[i], mmd[i], s, dir, now);
				continue;
			}
		}
		slow_path(w, st, in, miss[i], mmd[i], nhg[i], now);
	}
	w->cnt.stage_cycles[SB_STAGE_POLICY] += rte_rdtsc() - t0;
	w->cnt.stage_pkts[SB_STAGE_POLICY] += nm;
errors:
	for (unsigned i = 0; i < nl; i++)
		later_fragment(w, st, in, later[i], lmd[i], now, true);
	/* A first fragment passed: the held fragments it was waiting for go
	 * on (expiry is the sweep's, so a full hold costs nothing per burst). */
	if (unlikely(w->frag->n_held != 0 && w->cnt.frag_tracked != tracked))
		frag_hold_scan(w, st, now, false);
	for (unsigned i = 0; i < ne; i++)
		icmp_error(w, st, in, err[i], emd[i]);
}

static void
tx_drop_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct sb_worker *w = userdata;

	w->cnt.drop[SB_DROP_TX_FULL] += count;
	rte_pktmbuf_free_bulk(unsent, count);
}

void
sb_worker_flush(struct sb_worker *w)
{
	for (unsigned p = 0; p < w->n_ports; p++) {
		uint16_t sent = rte_eth_tx_buffer_flush(w->port[p].port_id, 0, w->port[p].txb);

		w->cnt.tx += sent;
	}
}

static void
drain_inject(struct sb_worker *w)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned n = rte_ring_dequeue_burst(w->inject, (void **)m, SB_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		unsigned out = m[i]->hash.usr;
		struct sb_wport *p;

		if (out >= w->n_ports) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		p = &w->port[out];
		if (p->vlan != 0) {
			m[i]->vlan_tci = p->vlan;
			if (rte_vlan_insert(&m[i]) != 0) {
				drop(w, m[i], SB_DROP_NOMEM);
				continue;
			}
		}
		w->cnt.injected++;
		rte_eth_tx_buffer(p->port_id, 0, p->txb, m[i]);
	}
}

int
sb_worker_main(void *arg)
{
	struct sb_worker *w = arg;
	struct rte_mbuf *pkts[SB_BURST];
	uint64_t sweep_at = 0;

	w->rnd = rte_rdtsc() | 1;
	for (unsigned p = 0; p < w->n_ports; p++)
		rte_eth_tx_buffer_set_err_callback(w->port[p].txb, tx_drop_cb, w);
	rte_rcu_qsbr_thread_register(w->qs, w->id);
	rte_rcu_qsbr_thread_online(w->qs, w->id);

	while (__atomic_load_n(&w->running, __ATOMIC_RELAXED)) {
		unsigned got = 0;

		for (unsigned p = 0; p < w->n_ports; p++) {
			uint16_t n = rte_eth_rx_burst(w->port[p].port_id, 0, pkts, SB_BURST);

			if (n != 0) {
				sb_worker_process(w, p, pkts, n);
				got += n;
			}
		}
		drain_inject(w);
		uint64_t t = rte_rdtsc();

		if (unlikely(w->n_parked != 0))
			unpark(w, t);
		sb_worker_flush(w);
		if (got != 0) {
			w->cnt.stage_cycles[SB_STAGE_TX] += rte_rdtsc() - t;
			w->cnt.stage_pkts[SB_STAGE_TX] += got;
		}

		/* Age a bounded slice of the table, about every 100 us, so a
		 * sweep never stalls forwarding. */
		if (t >= sweep_at) {
			sb_ct_sweep(w->ct, t, SWEEP_BUDGET, on_expire, w);
			sb_frag_sweep(w->frag, t, 16);
			w->cnt.syn_hold_expired += sb_synhold_sweep(w->synhold, t, 16);
			if (unlikely(w->frag->n_held != 0))
				frag_hold_scan(w, __atomic_load_n(w->state, __ATOMIC_ACQUIRE), t,
					       false);
			w->cnt.ct_active = sb_ct_count(w->ct);
			sweep_at = t + rte_get_tsc_hz() / 10000;
		}
		w->cnt.loops++;
		if (got)
			w->cnt.busy_loops++;
		rte_rcu_qsbr_quiescent(w->qs, w->id);
	}
	/* Held fragments whose first never came: dropped, counted. */
	if (w->frag->n_held != 0) {
		frag_hold_scan(w, __atomic_load_n(w->state, __ATOMIC_ACQUIRE), rte_rdtsc(), true);
		sb_worker_flush(w);
	}
	rte_rcu_qsbr_thread_offline(w->qs, w->id);
	rte_rcu_qsbr_thread_unregister(w->qs, w->id);
	return 0;
}
