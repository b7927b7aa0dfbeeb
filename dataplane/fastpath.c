/* SPDX-License-Identifier: BSD-3-Clause */
/* This file without gcc's SLP vectoriser: it paired the fused pass's
 * scalar stores into vector registers (a key's two words by movq, pinsrq
 * and a 16-byte store, three instructions for two) and took registers
 * from the loops; without it, 3-4 instructions a packet fewer
 * (docs/benchmarks.md, the fourteenth session). Before every include, so
 * that the headers' inline functions are compiled as the pass is. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_prefetch.h>

#include "fastpath.h"
#include "flowtab.h"
#include "l2out.h"
#include "nat.h"
#include "handoff.h"

/* Sessions are fetched this many packets ahead (a table of 64k flows no
 * longer sits in L1). */
#define PREFETCH_OFFSET 3

/* The port (ICMP echo: the id) a general rewrite writes into a packet of
 * session @s going in direction @dir: the translated source port going
 * out, the LAN host's port coming back. An echo reply sent by the session's
 * original side (an inbound echo session, one-to-one NAT: the internal
 * host answers) carries its id as the destination "port" of the orig key,
 * and an echo request coming back as the reply key's source: there the id
 * is the other field of the pair (kept as it is by one-to-one NAT). */
static inline uint16_t
rewrite_port(const struct sb_meta *md, const struct sb_session *s, unsigned dir)
{
	if (dir == SB_CT_DIR_ORIG)
		return md->proto == IPPROTO_ICMP && md->icmp_type == RTE_IP_ICMP_ECHO_REPLY ?
		       s->rem_port : s->ext_port;
	return md->proto == IPPROTO_ICMP && md->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ?
	       s->orig_dport : s->lan_port;
}

/* TCP: track the segment (@md, IPv4 header at @l3) of @m going along @s
 * in @dir; false when it is a blind RST far from the sender's sequence
 * (dropped, counted). */
static inline __attribute__((always_inline)) bool
tcp_track(struct sb_worker *w, struct rte_mbuf *m, struct sb_session *s, unsigned dir,
	  const struct sb_meta *md, const uint8_t *l3)
{
	const uint8_t *th = l3 + md->l4_off;
	uint32_t seq;

	memcpy(&seq, th + 4, 4);
	if (!sb_ct_tcp_segment(s, rte_be_to_cpu_32(seq),
			       md->l4_len - (uint32_t)(th[12] >> 4) * 4u, md->tcp_flags, dir)) {
		sb_wk_drop(w, m, SB_DROP_TCP_RST_WINDOW);
		return false;
	}
	return true;
}

/* What translate counts, added to the worker's counters by its caller
 * (the fused pass once a burst: kept out of memory the packet stores
 * could alias). */
struct tr_cnt {
	uint64_t forwarded, nat_out, nat_in;
};

/* translate() of a TCP (@tcp, with @tcp_flags) or UDP packet through
 * masquerade session @s in @dir, its L4 header at @l4_off: the prepared
 * rewrite of the translated side, the session's state and age, the
 * counts in @k (k->forwarded only if @fwd: the fused pass counts its
 * frames once a burst). */
static inline __attribute__((always_inline)) void
masquerade(const uint32_t *wan_addr, uint32_t now_u, struct sb_session *s, unsigned dir,
	   uint8_t *l3, unsigned l4_off, bool tcp, uint8_t tcp_flags, struct tr_cnt *k,
	   const bool fwd)
{
	if (dir == SB_CT_DIR_ORIG) {
		sb_nat_apply_masq(l3, l4_off, tcp, 0, wan_addr[s->nat_wan], s->ext_port,
				  s->ck_ip, s->ck_l4);
		k->nat_out++;
		s->last = now_u;
	} else {
		sb_nat_apply_masq(l3, l4_off, tcp, 1, s->lan_addr, s->lan_port, s->ck_ip, s->ck_l4);
		k->nat_in++;
		if (s->state == SB_CT_NEW && !tcp)
			s->state = SB_CT_ESTABLISHED;
	}
	if (fwd)
		k->forwarded++;
	if (tcp)
		sb_ct_tcp_update(s, tcp_flags, dir);
}

/* Rewrite the packet (@md, IPv4 header at @l3) going along @s in @dir and
 * account for it: addresses, ports, TTL and checksums, the session's
 * state and age (@now_u: the time in table units, sb_ct_touch), the
 * counters (in @k; k->forwarded only if @fwd, as masquerade()). Its L2
 * header and transmission are the caller's. */
static inline __attribute__((always_inline)) void
translate(struct sb_worker *w, uint32_t now_u, struct sb_session *s, unsigned dir,
	  const struct sb_meta *md, uint8_t *l3, struct tr_cnt *k, const bool fwd)
{
	/* TCP and UDP through a translating session: the rewrite prepared at
	 * its creation, TTL included; ICMP echo and untranslated sessions:
	 * the general rewrite, TTL below. */
	bool prepared = s->nat != SB_CT_NAT_NONE && md->proto != IPPROTO_ICMP;
	bool hp = s->nat == SB_CT_NAT_HAIRPIN;

	if (likely(s->nat == SB_CT_NAT_SRC && md->proto != IPPROTO_ICMP)) {
		/* Masquerade, the common case, straight through: the prepared
		 * rewrite below without the other kinds' cases. */
		masquerade(w->ct->addr, now_u, s, dir, l3, md->l4_off, md->proto == IPPROTO_TCP,
			   md->tcp_flags, k, fwd);
		return;
	}

	if (likely(prepared)) {
		/* What the packet's fields become: the prepared constants
		 * one way, their negation the other. */
		uint32_t src = sb_ct_ext_addr(w->ct, s), dst = md->dst;
		uint16_t sport = s->ext_port, dport = md->dport, ck_ip = s->ck_ip, ck_l4 = s->ck_l4;

		if (dir == SB_CT_DIR_ORIG) {
			if (hp) {
				dst = s->rem_addr;
				dport = s->rem_port;
			}
		} else {
			src = hp ? sb_ct_orig_dst(w->ct, s) : md->src;
			sport = hp ? s->orig_dport : md->sport;
			dst = s->lan_addr;
			dport = s->lan_port;
			ck_ip = (uint16_t)~ck_ip;
			ck_l4 = (uint16_t)~ck_l4;
		}
		sb_nat_apply(l3, md, src, dst, sport, dport, ck_ip, ck_l4);
	} else if (s->nat && dir == SB_CT_DIR_ORIG) {
		sb_nat_rewrite_src(l3, md, sb_ct_ext_addr(w->ct, s), rewrite_port(md, s, dir));
		if (hp)
			sb_nat_rewrite_dst(l3, md, s->rem_addr, s->rem_port);
	} else if (s->nat) {
		sb_nat_rewrite_dst(l3, md, s->lan_addr, rewrite_port(md, s, dir));
		if (hp)
			sb_nat_rewrite_src(l3, md, sb_ct_orig_dst(w->ct, s), s->orig_dport);
	}
	if (s->nat && dir == SB_CT_DIR_ORIG)
		k->nat_out++;
	else if (s->nat)
		k->nat_in++;
	if (dir != SB_CT_DIR_ORIG && s->state == SB_CT_NEW && md->proto != IPPROTO_TCP)
		s->state = SB_CT_ESTABLISHED;
	if (md->proto == IPPROTO_TCP)
		sb_ct_tcp_update(s, md->tcp_flags, dir);
	if (!prepared)
		sb_nat_ttl_dec(l3);
	/* Outbound refresh only: an outside host cannot keep a mapping open
	 * by sending to it (RFC 4787 REQ-6 makes inbound refresh optional).
	 * Inbound sessions (forwards) are the outside's to keep: both ways. */
	if (dir == SB_CT_DIR_ORIG || s->nat == SB_CT_NAT_FWD)
		s->last = now_u;
	if (fwd)
		k->forwarded++;
}

/* First fragment @m (parsed: @md, its addresses as they came in) passed
 * along @s in @dir: its later fragments follow this session (shallow
 * reassembly). */
static void
track_first_fragment(struct sb_worker *w, const struct sb_burst *b, struct sb_session *s,
		     unsigned dir, const struct sb_meta *md, struct rte_mbuf *m)
{
	struct sb_frag_key fk = { .src = md->src, .dst = md->dst, .id = md->ip_id,
				  .proto = md->proto };

	if (sb_frag_add(w->frag, &fk, sb_ct_index(w->ct, s), sb_wk_frag_tag(s), (uint8_t)dir,
			b->now) == 0) {
		w->cnt.frag_tracked++;
		if (w->ho.n > 1)
			sb_ho_notify_fragment(w, &fk, m->pool);
	} else
		w->cnt.frag_table_full++;
}

/* translate() one packet of the general path (@m, parsed: @md) and count
 * it; a first fragment leaves its entry for the later ones. */
static inline void
translate_one(struct sb_worker *w, const struct sb_burst *b, struct sb_session *s,
	      unsigned dir, const struct sb_meta *md, uint8_t *l3, struct rte_mbuf *m)
{
	struct tr_cnt k = { 0, 0, 0 };

	translate(w, (uint32_t)(b->now >> w->ct->tshift), s, dir, md, l3, &k, true);
	w->cnt.forwarded += k.forwarded;
	w->cnt.nat_out += k.nat_out;
	w->cnt.nat_in += k.nat_in;
	if (unlikely(md->frag == SB_FRAG_FIRST))
		track_first_fragment(w, b, s, dir, md, m);
}

/* Forward packet @p along its session. */
static inline void
forward(struct sb_worker *w, const struct sb_burst *b, struct sb_pkt *p)
{
	struct rte_mbuf *m = p->m;
	const struct sb_meta *md = &p->md;
	struct sb_session *s = p->s;
	unsigned dir = p->dir;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l3_off);
	struct rte_ether_addr dmac;
	unsigned out;
	uint32_t hop;
	bool ok;

	if (unlikely(md->ttl <= 1)) {
		w->cnt.drop[SB_DROP_TTL_EXCEEDED]++;
		sb_wk_punt(w, m, SB_PUNT_TTL_EXCEEDED,
			   dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port);
		return;
	}
	if (md->proto == IPPROTO_TCP && !tcp_track(w, m, s, dir, md, l3))
		return;
	if (unlikely(sb_ho_loops(w, s, dir, dir == SB_CT_DIR_ORIG ? s->out_port : s->in_port))) {
		/* One side of a hairpin across workers: to the other side's
		 * worker, not out of the WAN (hairpin.c). */
		out = dir == SB_CT_DIR_ORIG ? s->out_port : s->in_port;
		translate_one(w, b, s, dir, md, l3, m);
		sb_ho_loop(w, out, m, s, dir);
		return;
	}
	if (dir == SB_CT_DIR_ORIG) {
		out = s->out_port;
		hop = sb_l2out_orig_hop(w, s, rte_be_to_cpu_32(s->nat == SB_CT_NAT_HAIRPIN ?
							      s->rem_addr : md->dst));
		ok = sb_l2out_resolve_s(w, out, hop, &s->out_nb, &dmac);
	} else {
		out = s->in_port;
		hop = sb_l2out_reply_hop(w, s);
		ok = sb_l2out_resolve_s(w, out, hop, &s->in_nb, &dmac);
	}
	translate_one(w, b, s, dir, md, l3, m);
	if (likely(ok))
		sb_l2out_tx(w, out, m, &dmac);
	else
		sb_l2out_park(w, out, hop, m, b->now);
}

/* A hit the fast path takes: it came in on its session's own side, its
 * WAN has not changed state since, and its gateway (outbound), or the
 * router its LAN host is behind (replies to a routed LAN), is still in a
 * nexthop group. */
static inline bool
clean_hit(const struct sb_worker *w, const struct sb_dp_state *st, unsigned in,
	  const struct sb_session *s, unsigned dir)
{
	return likely((dir == SB_CT_DIR_ORIG ? s->in_port : s->out_port) == in) &&
	       likely(!sb_wk_session_stale(w, st, s)) &&
	       likely(dir == SB_CT_DIR_ORIG ? !sb_wk_path_dead(st, s) :
		      !sb_wk_reply_hop_dead(st, s));
}

unsigned
sb_fastpath_hits(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v)
{
	const struct sb_dp_state *st = b->st;
	unsigned in = b->in, done = 0;

	for (unsigned i = 0; i < v->n && i < PREFETCH_OFFSET; i++)
		if (v->p[i]->s != NULL)
			rte_prefetch0(v->p[i]->s);
	for (unsigned i = 0; i < v->n; i++) {
		struct sb_pkt *p = v->p[i];
		const struct sb_session *s = p->s;

		if (i + PREFETCH_OFFSET < v->n && v->p[i + PREFETCH_OFFSET]->s != NULL)
			rte_prefetch0(v->p[i + PREFETCH_OFFSET]->s);
		if (likely(s != NULL) && clean_hit(w, st, in, s, p->dir)) {
			forward(w, b, p);
			done++;
			continue;
		}
		sb_vec_add(&b->slow, p);
	}
	return done;
}

void
sb_fastpath_forward(struct sb_worker *w, struct sb_burst *b, const struct sb_pkt_vec *v)
{
	for (unsigned i = 0; i < v->n; i++)
		forward(w, b, v->p[i]);
}

/* --- The fused pass (issue 12) ------------------------------------------ */

/* common_case() stores the key as two 8-byte words. */
_Static_assert(sizeof(struct sb_ct_key) == 16, "sb_ct_key: two words");

/* The index of @x's lowest set bit (x != 0) as a 64-bit value: gcc
 * 12 sign-extends __builtin_ctzll's int before indexing with it. */
static inline uint64_t
ctz_idx(uint64_t x)
{
#if defined(__x86_64__)
	uint64_t r;

	__asm__("bsfq %1, %0" : "=r"(r) : "rm"(x) : "cc");
	return r;
#else
	return (uint64_t)__builtin_ctzll(x);
#endif
}

/* The same of a 32-bit @x (the write of a 32-bit register clears the
 * upper half). */
static inline uint64_t
ctz_idx32(uint32_t x)
{
#if defined(__x86_64__)
	uint64_t r;

	__asm__("bsfl %k1, %k0" : "=r"(r) : "rm"(x) : "cc");
	return r;
#else
	return (uint64_t)__builtin_ctz(x);
#endif
}

/* What the fused pass keeps of a packet between its loops. */
struct fz {
	struct rte_mbuf *m;
	uint8_t *l3;
	struct sb_ct_key key;
	const struct sb_ft_bucket *b1; /* the key's first bucket (FZ_NEW) */
	uint32_t sig;              /* its signature there */
	uint32_t v;                /* first candidate, SB_FT_NONE: a miss */
	uint32_t poison;           /* not ok: addr_bit(src ^ dst), 0: unknown */
	/* v's session; a miss: fz_none, which no key matches (one test
	 * fewer a hit than a test of v). */
	struct sb_session *s;
};

/* What a miss's first candidate points at: not in use, so that
 * sb_ct_verify_first() turns every key away. */
static struct sb_session fz_none;

/* The full position of @f's key (sb_ft_find's), from its first bucket. */
static inline struct sb_ft_pos
fz_pos(const struct sb_ft *ft, const struct fz *f)
{
	struct sb_ft_pos pos = { .b1 = (uint32_t)(f->b1 - ft->b), .sig = f->sig };

	sb_ft_pos_alt(ft, &pos);
	return pos;
}

/* What the pass needs of the ingress port, read once a burst. */
struct fz_in {
	const struct sb_wport *port;
	uint64_t mac;              /* its MAC in the low 48 bits */
	uint32_t local;            /* LAN port: addr_bit() of every gateway address;
				    * WAN port: and of every one-to-one address */
	uint32_t l3_off;           /* 14, or 18 on a port with a VLAN */
	uint16_t vlan_be;
	uint32_t now_u;            /* the burst's time in table units (sb_ct_touch) */
	/* The generation a session on WAN port p keeps (sb_wk_session_gen),
	 * by the session's nat bits: [p][SB_CT_NAT_FWD] inbound, the other
	 * three translated or routed out (one value); indexed by the bits
	 * as they are, without a compare. */
	uint16_t gen[SB_MAX_PORTS][4];
	uint32_t wan_addr[SB_MAX_PORTS]; /* ct->addr (masquerade's address), on the stack */
	struct tr_cnt k;           /* translate's counts, added once a burst */
	/* Bytes 6-13 of an untagged IPv4 frame out of port p: its MAC and
	 * the EtherType, as they lie in the frame. */
	uint64_t src_type[SB_MAX_PORTS];
	uint32_t tagged;           /* a bit per port with a VLAN */
	bool vlan;                 /* the ingress port or any port has one */
	bool wan, dhcp;            /* the ingress port's role is SB_ROLE_WAN; its dhcp */
	/* The neighbour of the burst's last clean hit (take_checks), its
	 * word; UINT32_MAX: none yet. */
	uint32_t nb_idx;
	uint64_t nb_mac;
	/* The flow table's seed, buckets and their count (loop 1's hash
	 * from one base register, none of its own). */
	uint64_t seed[3];
	const struct sb_ft_bucket *ftb;
	uint32_t ft_nb;
	/* By direction, the path of the burst's last clean hit whose next
	 * hop is not found by address (take_checks): its path word, its
	 * neighbour's word and its egress port; UINT64_MAX: none yet. */
	struct {
		uint64_t key, mac;
		uint64_t out;      /* (64 bits: an index, no zero extension) */
	} path[2];
	/* Loop 1's 64-bit constants, hidden from the compiler
	 * (sb_fastpath_fused): where no register is free for them it
	 * takes them as memory operands, one instruction each, where it
	 * made each again with a movabs. */
	struct {
		uint64_t hdr;      /* the first word's version/IHL and fragment bits */
		uint64_t inv, lim; /* sb_ipv4_cksum20_ok_k's */
		uint64_t udp, tcp; /* sb_ct_key_w1(0, proto) */
	} kc;
};

/* One bit of 32 for address @a (a multiplicative hash's top five bits).
 * As a filter of the gateway's addresses: a destination whose bit is
 * clear is none of them. Of an address pair (src ^ dst): a packet handed
 * on for what it is (options, a fragment, ...) marks it, and the burst's
 * later packets between the same two hosts are handed on too, so the
 * general path sees a flow's packets in their order. */
static inline uint32_t
addr_bit(uint32_t a)
{
	return 1u << ((a * 0x9e3779b1u) >> 27);
}

/* A martian address's first octet: [top], a source's (sb_martian_src:
 * 0, 127, 224-255); [256 + top], a destination's (sb_martian_dst: 0,
 * 127, 240-255, where 255 may also be the limited broadcast, which is
 * not). Two loads and an or where four compares were. */
static const uint8_t martian_top[512] = {
	[0] = 1, [127] = 1, [224 ... 255] = 1,
	[256 + 0] = 1, [256 + 127] = 1, [256 + 240 ... 256 + 255] = 1,
};

/* A martian source or destination (@src, @dst network order): by first
 * octet, then exactly (the limited broadcast). */
static inline bool
martian(uint32_t src, uint32_t dst)
{
	return (martian_top[sb_addr_top(src)] | martian_top[256 + sb_addr_top(dst)]) &&
	       (sb_martian_src(src) || sb_martian_dst(dst));
}

/* The common case, as sb_parse and parse_burst would pass it on to the
 * lookup: the frame on the ingress port's VLAN (or untagged) and to its
 * MAC, IPv4 with a 20-byte header and a valid checksum, no fragment, TTL
 * above 1, TCP or UDP with sane lengths; from a WAN also no martian,
 * not a DHCP reply, not from a LAN subnet or the gateway's own address
 * (from a LAN those address checks are lan_refused()'s, asked of a
 * miss). Fills f->l3, f->key and the key's
 * two words (@kw0, @kw1: sb_ct_key_w0/w1) and returns FZ_NEW, or FZ_SAME
 * when they are f[-1]'s key: the packet before, which passed (one
 * that did not, and z[-1], hold a key no packet has); otherwise returns
 * FZ_NOT (with f->poison set once the addresses were
 * read). */
enum { FZ_NOT = 0, FZ_NEW = 1, FZ_SAME = 2 }; /* FZ_NOT 0: what fz_masks() takes past n */

static inline __attribute__((always_inline)) unsigned
common_case(const struct sb_worker *w, const struct fz_in *c, struct fz *f, uint64_t *kw0,
	    uint64_t *kw1, const unsigned l3_off, const bool wan)
{
	struct rte_mbuf *m = f->m;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *l3 = d + l3_off, *l4;
	uint32_t len = rte_pktmbuf_data_len(m), src, dst, tot, pw;
	uint64_t dm, w0, w1, p0, p1;
	uint8_t proto;

	if (unlikely(len < l3_off + 28))
		goto none;
	memcpy(&dm, d, 8);
	if (unlikely(((dm ^ c->mac) << 16) != 0))
		goto none;
	if (likely(l3_off == sizeof(struct rte_ether_hdr))) {
		if (unlikely(sb_ld16(d + 12) != RTE_BE16(RTE_ETHER_TYPE_IPV4)))
			goto none;
	} else if (sb_ld16(d + 12) != RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		   (sb_ld16(d + 14) & RTE_BE16(0xfff)) != c->vlan_be ||
		   sb_ld16(d + 16) != RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		goto none;
	}
	/* Version/IHL, length, fragment bits; TTL, protocol, source;
	 * destination. */
	memcpy(&w0, l3, 8);
	memcpy(&w1, l3 + 8, 8);
	memcpy(&dst, l3 + 16, 4);
	src = (uint32_t)(w1 >> 32);
	tot = sb_be16((uint16_t)(w0 >> 16));
	proto = (uint8_t)(w1 >> 8);
	/* Version 4 and IHL 5 (byte 0), no fragment bits (bytes 6-7 but DF),
	 * in one compare of the first word; 28 <= total length <= what the
	 * frame holds, in one unsigned compare (len >= l3_off + 28 above). */
	if (unlikely((w0 & c->kc.hdr) != 0x45 ||
		     (uint8_t)w1 <= 1 || tot - 28 > len - (l3_off + 28)))
		goto pair;
	if (!(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD) &&
	    unlikely(!sb_ipv4_cksum20_ok_k(w0, w1, dst, c->kc.inv, c->kc.lim)))
		goto pair;
	l4 = l3 + 20;
	memcpy(&pw, l4, 4);
	/* The key as the two words the fingerprint hashes (kept in
	 * registers for it and for the same-flow compare): on a
	 * little-endian CPU the struct itself, pad bytes included; the
	 * addresses as they lie in the header (one load), the protocol a
	 * constant of each branch. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	memcpy(kw0, l3 + 12, 8);
#else
	*kw0 = sb_ct_key_w0(src, dst);
#endif
	if (likely(proto == IPPROTO_UDP)) {
		uint16_t dl = sb_be16(sb_ld16(l4 + 4));

		/* 8 <= UDP length <= the IP payload (tot >= 28). */
		if (unlikely((uint32_t)dl - 8 > tot - 28))
			goto pair;
		*kw1 = c->kc.udp | pw;
	} else if (proto == IPPROTO_TCP) {
		uint32_t doff = (uint32_t)(l4[12] >> 4) * 4u;

		if (unlikely(tot < 40 || doff < 20 || doff > tot - 20))
			goto pair;
		*kw1 = c->kc.tcp | pw;
	} else {
		goto pair;
	}
	f->l3 = l3;
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	memcpy(&f->key, kw0, 8);
	memcpy(&f->key.sport, kw1, 8);
#else
	f->key.src = src;
	f->key.dst = dst;
	memcpy(&f->key.sport, &pw, 4);
	f->key.proto = proto;
	memset(f->key.pad, 0, sizeof(f->key.pad));
#endif
	/* The packet before had this key (a run of one flow): the checks
	 * of the addresses and ports below passed for it, and would again.
	 * The ports first, each word a compare with memory and a branch:
	 * two instructions where flows differ (their ports do), where the
	 * or of the two words' differences took six. */
	memcpy(&p1, &f[-1].key.sport, 8);
	if (*kw1 == p1) {
		memcpy(&p0, &f[-1].key, 8);
		if (*kw0 == p0)
			return FZ_SAME;
	}
	/* From a LAN: the address checks are lan_refused()'s, on a miss
	 * (loop 3): a hit proves them (see there). */
	if (wan) {
		if (unlikely(martian(src, dst)))
			goto pair;
		/* (A DHCP port is a WAN port.) */
		if (unlikely(c->dhcp) && proto == IPPROTO_UDP && sb_ld16(l4) == RTE_BE16(67) &&
		    sb_ld16(l4 + 2) == RTE_BE16(68))
			goto pair;
		/* (From the gateway's own address: only looped, never here.) */
		if (unlikely(sb_wk_on_subnet(w, src, SB_ROLE_LAN)) ||
		    (unlikely(c->local & addr_bit(src)) && sb_wk_is_own(w, src)))
			goto pair;
	}
	return FZ_NEW;
pair:
	f->poison = addr_bit(src ^ dst);
	return FZ_NOT;
none:
	/* Before the addresses: no pair to mark. */
	f->poison = 0;
	return FZ_NOT;
}

/* Would the general path stop the LAN's packet @f for its addresses (a
 * martian, or to the gateway itself: dropped, or delivered here)? Asked
 * of a miss only, not by common_case(): a hit that take_checks() passes
 * came in on the port its session's side did, with the addresses the
 * session was made from, and the general path made it only after these
 * checks (parse_burst), on addresses that do not change while it runs
 * ([port] address and [forward] need a restart; a DHCP WAN's new address
 * makes the sessions through it stale, and deletes those of any port to
 * a peer that had it, sb_ct_port_readdress). The sessions whose LAN
 * packets are addressed to the gateway stay the general path's:
 * take_checks() refuses a hairpin, and the looped side of one across
 * workers never resolves that direction's next hop (test_workers
 * asserts it). Eleven instructions a packet fewer from a LAN. */
static inline bool
lan_refused(const struct sb_worker *w, const struct fz_in *c, const struct fz *f)
{
	uint32_t src = f->key.src, dst = f->key.dst;

	return martian(src, dst) ||
	       ((c->local & addr_bit(dst)) && (dst == c->port->addr_be || sb_wk_is_local(w, dst)));
}

/* A miss @f from a LAN host at its [switchback] sessions_per_host limit:
 * dropped here (session_host_limit), as new_flow (slowpath.c) would drop
 * it after parsing and looking it up a second time, so that a host's
 * flood of new flows costs the worker one lookup each and leaves the
 * ring to its established ones (docs/security.md, udp_outbound). Only
 * where the general path would come to that check first: one worker
 * (with several, a miss may be another worker's session: handoff.h), a
 * source on the port's subnet (another is the spoofing check's, or a
 * routed LAN's), a destination that is not multicast or broadcast
 * (dropped as such first). True when dropped. */
static inline bool
refused_at_host_limit(struct sb_worker *w, const struct fz_in *c, const struct fz *f)
{
	const struct sb_wport *ip = c->port;

	if (ip->role != SB_ROLE_LAN || w->ho.n > 1 ||
	    (rte_be_to_cpu_32(f->key.src) & ip->mask) != ip->net ||
	    sb_wk_link_only_dst(f->key.dst) || likely(sb_ct_host_admit(w->ct, f->key.src)))
		return false;
	sb_wk_drop(w, f->m, SB_DROP_CT_HOST_LIMIT);
	return true;
}

/* Frames the pass sends, by egress port: each port's next free slot
 * (a pointer bumped, where a count indexed the array: three instructions
 * a packet fewer). */
struct fz_tx {
	struct rte_mbuf **next[SB_MAX_PORTS];
	struct rte_mbuf *m[SB_MAX_PORTS][SB_BURST];
};

/* A clean hit whose next hop is known, as take_checks() found it: what
 * take_send() needs, kept for the packets of the same flow right after
 * it in the burst (a run: sb_fastpath_fused). */
struct fz_hit {
	struct sb_session *s;
	uint64_t mac;              /* the neighbour's word (sb_neigh mac_state) */
	uint64_t out, nat;         /* nat: s->nat (64 bits: an index and a
				    * term of the path key, no extension) */
};

/* The path word (take_checks): in_nb, out_nb, wan_gen, out_port and
 * in_port, in this order from in_nb, a little-endian load. Each
 * direction leaves out the other's neighbour, whose bits take the
 * session's nat: the original direction in_nb, the word's low 16 bits;
 * the reply out_nb, rotated there first (one and with a 32-bit
 * immediate, no 64-bit mask in a register). */
_Static_assert(offsetof(struct sb_session, out_nb) == offsetof(struct sb_session, in_nb) + 2 &&
	       offsetof(struct sb_session, wan_gen) == offsetof(struct sb_session, in_nb) + 4 &&
	       offsetof(struct sb_session, out_port) == offsetof(struct sb_session, in_nb) + 6 &&
	       offsetof(struct sb_session, in_port) == offsetof(struct sb_session, in_nb) + 7,
	       "sb_session: the path word");
#define PATH_MASK 0xffffffffffff0000ull

/* Is @f, a hit on @s in @dir, one the pass takes: clean, its next hop
 * known? Fills @h if so; false when it is left to the general path
 * (nothing changed). */
static inline __attribute__((always_inline)) bool
take_checks(struct sb_worker *w, const struct sb_dp_state *st, struct fz_in *c,
	    unsigned in, const struct fz *f, struct sb_session *s, uint64_t nat, unsigned dir,
	    struct fz_hit *h)
{
	uint64_t out;
	uint16_t nb;
	uint32_t idx, hop;
	uint64_t mac, pw, key;

	/* The session's path (in_nb, out_nb, wan_gen, out_port, in_port:
	 * one word) with its nat bits in place of the other direction's
	 * neighbour: a hit on the path of the last clean hit in @dir passes
	 * all the checks below as that one did (the same ingress port,
	 * neighbour, egress port and generation, in a burst the state and
	 * the neighbours do not change under), one compare where they took
	 * twenty instructions. A neighbour found by address is checked
	 * against each session's own address below, never kept here. */
	memcpy(&pw, &s->in_nb, 8);
	pw = rte_le_to_cpu_64(pw);
	if (dir == SB_CT_DIR_ORIG) {
		key = (pw & PATH_MASK) | nat;
		if (likely(key == c->path[SB_CT_DIR_ORIG].key)) {
			mac = c->path[SB_CT_DIR_ORIG].mac;
			out = c->path[SB_CT_DIR_ORIG].out;
			goto take;
		}
	} else {
		key = ((pw >> 16 | pw << 48) & PATH_MASK) | nat;
		if (likely(key == c->path[SB_CT_DIR_REPLY].key)) {
			mac = c->path[SB_CT_DIR_REPLY].mac;
			out = c->path[SB_CT_DIR_REPLY].out;
			goto take;
		}
	}
	/* clean_hit, with the WAN generations of the burst (the state does
	 * not change under it). Its next hop's nb_dead is checked whatever
	 * the session (sb_wk_path_dead and sb_wk_reply_hop_dead look only
	 * at gateways): only a gateway that left every nexthop group is
	 * marked (publish.c), and a session whose on-link neighbour is
	 * marked, if there were one, would be the general path's, which
	 * tells the two apart. */
	if (dir == SB_CT_DIR_ORIG) {
		out = s->out_port;
		nb = s->out_nb;
		if (unlikely(s->in_port != in))
			return false;
	} else {
		out = s->in_port;
		nb = s->in_nb;
		if (unlikely(s->out_port != in))
			return false;
	}
	/* A hairpin is the general path's (lan_refused(); across workers
	 * it loops through the other side's, sb_ho_loops): never kept in
	 * the path, so a hit on it comes here. */
	idx = nb & ~SB_CT_NB_BY_ADDR;
	if (unlikely(nb == SB_CT_NB_NONE) || unlikely(nat == SB_CT_NAT_HAIRPIN) ||
	    unlikely(c->gen[s->out_port][nat] != s->wan_gen))
		return false;
	/* An index found by address holds while the entry is still that
	 * address's (sb_l2out_resolve_s); otherwise the general path finds
	 * the neighbour again. */
	hop = nb & SB_CT_NB_BY_ADDR ? dir != SB_CT_DIR_ORIG ? s->lan_addr : f->key.dst : 0;
	if (likely(idx == c->nb_idx)) {
		/* The neighbour the hit before used (the published state
		 * and, as for a run, the neighbour's word are taken as they
		 * were at that hit): alive, resolved, touched. */
		mac = c->nb_mac;
		if (unlikely(nb & SB_CT_NB_BY_ADDR) &&
		    (w->neigh->e[idx].port != out || w->neigh->e[idx].ip != rte_be_to_cpu_32(hop)))
			return false;
	} else {
		if (unlikely(st->nb_dead[idx]))
			return false;
		mac = __atomic_load_n(&w->neigh->e[idx].mac_state, __ATOMIC_ACQUIRE);
		if (unlikely(!(mac & SB_NEIGH_VALID)))
			return false;
		if (unlikely(nb & SB_CT_NB_BY_ADDR) &&
		    (w->neigh->e[idx].port != out || w->neigh->e[idx].ip != rte_be_to_cpu_32(hop)))
			return false;
		sb_neigh_touch(w->neigh, idx, w->now_s);
		c->nb_idx = idx;
		c->nb_mac = mac;
	}
	if (!(nb & SB_CT_NB_BY_ADDR)) {
		c->path[dir].key = key;
		c->path[dir].mac = mac;
		c->path[dir].out = out;
	}
take:
	h->s = s;
	h->mac = mac;
	h->out = out;
	h->nat = nat;
	return true;
}

/* Send @f along the clean hit @h in direction @dir (take_checks'; a
 * constant where the caller inlines it): TCP tracking, the
 * rewrite, the L2 header, into @tx; or dropped and counted (a blind RST,
 * a frame that cannot be untagged or tagged). */
static inline __attribute__((always_inline)) void
take_send(struct sb_worker *w, struct fz_in *c, struct fz *f, const struct fz_hit *h,
	  struct fz_tx *tx, const unsigned dir)
{
	uint8_t *l3 = f->l3;
	struct sb_session *s = h->s;
	bool tcp = f->key.proto == IPPROTO_TCP;
	uint64_t out = h->out;
	uint64_t mac;

	if (tcp) {
		struct sb_meta md = { .proto = IPPROTO_TCP, .l4_off = 20,
				      .l4_len = (uint16_t)(sb_be16(sb_ld16(l3 + 2)) - 20),
				      .tcp_flags = l3[20 + 13] };

		if (!tcp_track(w, f->m, s, dir, &md, l3))
			return;
	}
	if (likely(h->nat == SB_CT_NAT_SRC)) {
		/* Masquerade, the common case, from the key: no sb_meta; a
		 * copy for each protocol (one test of it a packet). */
		if (tcp)
			masquerade(c->wan_addr, c->now_u, s, dir, l3, 20, true, l3[20 + 13], &c->k,
				   false);
		else
			masquerade(c->wan_addr, c->now_u, s, dir, l3, 20, false, 0, &c->k, false);
	} else {
		struct sb_meta md = {
			.src = f->key.src, .dst = f->key.dst, .sport = f->key.sport,
			.dport = f->key.dport, .proto = f->key.proto, .l4_off = 20,
			.tcp_flags = tcp ? l3[20 + 13] : 0,
		};

		/* common_case passes TCP and UDP alone: translate's ICMP
		 * cases go. */
		if (md.proto != IPPROTO_TCP && md.proto != IPPROTO_UDP)
			__builtin_unreachable();
		/* (Forwarded counted in the frames once a burst.) */
		translate(w, c->now_u, s, dir, &md, l3, &c->k, false);
	}
	/* The neighbour's word (MAC in bytes 0-5) over the destination, then
	 * the port's MAC and the EtherType (IPv4: the frame is untagged by
	 * now) over its tail: two stores. Without a VLAN anywhere (one test
	 * a packet), straight; else untagged first, tagged after. */
	mac = rte_cpu_to_le_64(h->mac);
	if (likely(!c->vlan)) {
		memcpy(l3 - sizeof(struct rte_ether_hdr), &mac, 8);
		memcpy(l3 - sizeof(struct rte_ether_hdr) + RTE_ETHER_ADDR_LEN, &c->src_type[out], 8);
		/* (Read here, not kept from the start across the rewrite.) */
		*tx->next[out]++ = f->m;
	} else {
		struct rte_mbuf *m = f->m;

		if (c->l3_off != sizeof(struct rte_ether_hdr) && rte_vlan_strip(m) != 0) {
			/* (Translated, counted forwarded as before.) */
			c->k.forwarded++;
			sb_wk_drop(w, m, SB_DROP_TRUNCATED);
			return;
		}
		memcpy(l3 - sizeof(struct rte_ether_hdr), &mac, 8);
		memcpy(l3 - sizeof(struct rte_ether_hdr) + RTE_ETHER_ADDR_LEN, &c->src_type[out], 8);
		if ((c->tagged >> out & 1) && !sb_l2out_tag(w, &w->port[out], &m)) {
			c->k.forwarded++;
			return;
		}
		*tx->next[out]++ = m;
	}
}

/* Loop 1 of sb_fastpath_fused: each of @n packets @pkts through
 * common_case() into z[i] and kinds[i]; a new key's first bucket
 * prefetched. @l3_off: the ingress port's (a constant where inlined). */
static inline __attribute__((always_inline)) void
fz_parse(const struct sb_worker *w, const struct fz_in *c, struct fz *z, uint8_t *kinds,
	 struct rte_mbuf **pkts, unsigned n, const unsigned l3_off, const bool wan)
{
	uint64_t k0, k1;           /* a key's words */
	unsigned kind;

	_Static_assert(PREFETCH_OFFSET == 3, "fz_parse: the first packets' prefetch");
	if (likely(n >= PREFETCH_OFFSET)) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void *));
		rte_prefetch0(rte_pktmbuf_mtod(pkts[1], void *));
		rte_prefetch0(rte_pktmbuf_mtod(pkts[2], void *));
	} else {
		for (unsigned i = 0; i < n; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	}
	for (unsigned i = 0; i < n; i++) {
		struct fz *f = &z[i];

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		f->m = pkts[i];
		kind = common_case(w, c, f, &k0, &k1, l3_off, wan);
		/* FZ_SAME: a run of one flow's packets (a TCP train, a bulk
		 * transfer): the first's lookup and clean-hit checks serve
		 * the rest (loop 3). One byte stored, the masks below. */
		kinds[i] = (uint8_t)kind;
		if (kind == FZ_NEW) {
			/* The first bucket prefetched. */
			uint64_t fp = sb_ct_fingerprint_s(c->seed, k0, k1);

			/* sb_ft_pos_first, as a bucket's address (b2:
			 * fz_pos()'s, when it is needed). */
			f->sig = sb_ft_sig(fp);
			f->b1 = &c->ftb[sb_ft_first(fp, c->ft_nb)];
			rte_prefetch0(f->b1);
		} else if (kind == FZ_NOT) {
			/* The next packet's compare (common_case) must not
			 * match this one: no key's second word is all ones,
			 * the pad bytes above the protocol being zero. */
			memset(&f->key.sport, 0xff, 8);
		}
	}
}

/* From the kinds of a burst's @n packets (zero past n): @fresh, a bit
 * for each FZ_NEW (a key looked up on its own), and @notok, one for each
 * FZ_NOT; two byte compares of 16 packets at a time where SSE2 exists. */
static inline void
fz_masks(const uint8_t *kinds, unsigned n, uint64_t *fresh, uint64_t *notok)
{
	uint64_t all = n >= 64 ? UINT64_MAX : (1ull << n) - 1, fr = 0, no = 0;

#if defined(__SSE2__)
	_Static_assert(SB_BURST % 16 == 0 && SB_BURST <= 64, "kinds: whole vectors, a 64-bit mask");
	for (unsigned j = 0; j < n; j += 16) {
		__m128i k = _mm_load_si128((const __m128i *)(const void *)(kinds + j));

		fr |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(k, _mm_set1_epi8(FZ_NEW))) << j;
		no |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(k, _mm_setzero_si128())) << j;
	}
#else
	for (unsigned j = 0; j < n; j++) {
		fr |= (uint64_t)(kinds[j] == FZ_NEW) << j;
		no |= (uint64_t)(kinds[j] == FZ_NOT) << j;
	}
#endif
	*fresh = fr & all;
	*notok = no & all;
}

unsigned
sb_fastpath_fused(struct sb_worker *w, const struct sb_dp_state *st, unsigned in, uint64_t now,
		  bool timed, struct rte_mbuf **pkts, unsigned n, struct rte_mbuf **left)
{
	struct sb_ct *ct = w->ct;
	const struct sb_ft *ft = ct->ft;
	/* z[-1]: a key no packet has, for the first's compare. */
	struct fz zz[SB_BURST + 1], *z = zz + 1;
	struct fz_tx tx;
	/* Set field by field, the arrays for the ports there are: an
	 * initialiser zeroed all of it (~240 bytes) every burst. */
	struct fz_in c;
	unsigned nl = 0, keys, refused = 0;
	uint32_t poisoned = 0;
	/* Packet i's common_case() kind, one byte each (masks are taken
	 * from them once a burst), zero (FZ_NOT) past n: a run's end is
	 * found by reading one past. */
	uint8_t kinds[SB_BURST + 16] __attribute__((aligned(16))) = { 0 };
	uint64_t fresh, notok;     /* masks: FZ_NEW, FZ_NOT */
	/* Loop 3's first test: FZ_NEW until a packet left behind marks an
	 * address pair (poisoned), then a kind none has (a byte, as the
	 * kinds are: a compare with its stack slot, no reload). */
	uint8_t fast = FZ_NEW;
	unsigned kind;
	/* The parse stage from here, not from @now (the loop's time, taken
	 * before its rx bursts). */
	uint64_t t0 = timed ? rte_rdtsc() : now, t1 = t0;

	c.port = &w->port[in];
	c.nb_idx = UINT32_MAX;
	c.nb_mac = 0;
	memcpy(c.seed, ct->seed, sizeof(c.seed));
	c.ftb = ft->b;
	c.ft_nb = ft->nb;
	c.path[0].key = c.path[1].key = UINT64_MAX;
	c.local = 0;
	c.tagged = 0;
	c.k = (struct tr_cnt){ 0, 0, 0 };
	c.mac = 0;
	memcpy(&c.mac, &c.port->mac, RTE_ETHER_ADDR_LEN);
	c.l3_off = sizeof(struct rte_ether_hdr) + (c.port->vlan != 0 ? sizeof(struct rte_vlan_hdr) : 0);
	c.vlan_be = rte_cpu_to_be_16(c.port->vlan);
	for (unsigned p = 0; p < w->n_ports; p++)
		c.local |= addr_bit(w->port[p].addr_be);
	if (c.port->role == SB_ROLE_WAN && unlikely(w->fwd != NULL))
		for (unsigned r = 0; r < w->fwd->n11; r++)
			c.local |= addr_bit(rte_cpu_to_be_32(w->fwd->m11[r].external));
	c.now_u = (uint32_t)(now >> ct->tshift);
	/* Every port's: a LAN port's generation never moves from 0, which
	 * its sessions keep (slowpath.c), so they pass as they should. */
	for (unsigned p = 0; p < w->n_ports; p++) {
		uint16_t type = RTE_BE16(RTE_ETHER_TYPE_IPV4);

		memcpy(&c.src_type[p], &w->port[p].mac, RTE_ETHER_ADDR_LEN);
		memcpy((uint8_t *)&c.src_type[p] + RTE_ETHER_ADDR_LEN, &type, 2);
		c.gen[p][SB_CT_NAT_NONE] = c.gen[p][SB_CT_NAT_SRC] = c.gen[p][SB_CT_NAT_HAIRPIN] =
			sb_wk_session_gen(st, p, SB_CT_NAT_SRC);
		c.gen[p][SB_CT_NAT_FWD] = sb_wk_session_gen(st, p, SB_CT_NAT_FWD);
		c.wan_addr[p] = ct->addr[p];
		c.tagged |= (uint32_t)(w->port[p].vlan != 0) << p;
	}
	c.vlan = c.tagged != 0 || c.l3_off != sizeof(struct rte_ether_hdr);
	c.wan = c.port->role == SB_ROLE_WAN;
	c.dhcp = c.port->dhcp;

	c.kc.hdr = 0xffull | (uint64_t)RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK) << 48;
	c.kc.inv = SB_CKSUM20_INV;
	c.kc.lim = SB_CKSUM20_LIM;
	c.kc.udp = sb_ct_key_w1(0, IPPROTO_UDP);
	c.kc.tcp = sb_ct_key_w1(0, IPPROTO_TCP);
	__asm__("" : "+m"(c.kc));
	memset(&zz[0].key, 0xff, sizeof(zz[0].key));
	/* Parse, key, hash; the first bucket prefetched for the next loop.
	 * Specialised for an untagged ingress port (the frame's offsets
	 * constants), a LAN's or a WAN's (the checks of its role). */
	if (likely(c.l3_off == sizeof(struct rte_ether_hdr)) && c.wan)
		fz_parse(w, &c, z, kinds, pkts, n, sizeof(struct rte_ether_hdr), true);
	else if (likely(c.l3_off == sizeof(struct rte_ether_hdr)))
		fz_parse(w, &c, z, kinds, pkts, n, sizeof(struct rte_ether_hdr), false);
	else
		fz_parse(w, &c, z, kinds, pkts, n, sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr),
			 c.wan);
	fz_masks(kinds, n, &fresh, &notok);
	keys = n - (unsigned)__builtin_popcountll(notok);
	/* Stage times on a timed burst only (SB_STAGE_SAMPLE). */
	if (unlikely(timed)) {
		t1 = rte_rdtsc();
		w->cnt.stage_cycles[SB_STAGE_PARSE] += (t1 - t0) * SB_STAGE_SAMPLE;
	}
	w->cnt.stage_pkts[SB_STAGE_PARSE] += n;

	/* Each key's first candidate in its first bucket, its session
	 * prefetched; a key with none there has its second bucket
	 * prefetched for the full search below. */
	for (uint64_t u = fresh; u != 0; u &= u - 1) {
		struct fz *f = &z[ctz_idx(u)];
		const struct sb_ft_bucket *b1;
		uint32_t m;

		b1 = f->b1;
		m = sb_ft_match(b1, f->sig);
		if (likely(m != 0)) {
			struct sb_session *s;

			f->v = b1->val[ctz_idx32(m)] & SB_FT_VAL_MAX;
			/* Both its lines: a 44-byte session spans two
			 * in 10 of its 16 places in a line. Its address
			 * kept for loop 3. */
			s = sb_ct_session(ct, SB_CT_IDX(f->v));
			f->s = s;
			rte_prefetch0(s);
			rte_prefetch0((const uint8_t *)s + sizeof(*s) - 1);
		} else {
			struct sb_ft_pos pos = fz_pos(ft, f);

			f->v = SB_FT_NONE;
			f->s = &fz_none;
			rte_prefetch0(&ft->b[pos.b2]);
		}
	}
	if (unlikely(timed)) {
		t0 = rte_rdtsc();
		w->cnt.stage_cycles[SB_STAGE_SESSION_LOOKUP] += (t0 - t1) * SB_STAGE_SAMPLE;
	}
	w->cnt.stage_pkts[SB_STAGE_SESSION_LOOKUP] += keys;

	/* In order: the tuple checked against the session, the clean hits
	 * taken, everything else left to the general path. The packets of
	 * the same flow right after a clean hit (a run) are taken with it:
	 * the table, the published state and the neighbours do not change
	 * under a burst, so their lookups and checks would find the same. */
	for (unsigned out = 0; out < w->n_ports; out++)
		tx.next[out] = tx.m[out];
	struct fz *f = z;
	/* (Pointers, not an index: a run's loop below moves them.) */
	for (const uint8_t *kp = kinds, *kend = kinds + n; kp != kend; kp++, f++) {
		uint32_t cand[SB_CT_MAX_CAND];
		struct fz_hit h;           /* a clean hit (take_checks) */
		struct sb_ft_pos pos;
		struct sb_session *s;
		uint64_t nat;
		int64_t v;

		/* One test for the common case at 1024 flows: a key looked
		 * up on its own, no address pair marked. */
		kind = *kp;
		if (likely(kind == fast))
			goto lookup;
		if (kind == FZ_NOT) {
			poisoned |= f->poison;
			if (f->poison != 0)
				fast = UINT8_MAX;
			left[nl++] = f->m;
			continue;
		}
		if (kind == FZ_SAME) {
			/* The one before was not taken (a taken packet's run
			 * is sent with it, below): this one is looked up and
			 * checked on its own, as it would have been. */
			pos = sb_ft_pos_first(ft, sb_ct_fingerprint(ct, &f->key));
			f->b1 = &ft->b[pos.b1];
			f->sig = pos.sig;
			f->v = SB_FT_NONE;
			f->s = &fz_none;
		}
		if (unlikely(poisoned != 0) && (poisoned & addr_bit(f->key.src ^ f->key.dst))) {
			left[nl++] = f->m;
			continue;
		}
lookup:
		v = f->v;
		s = f->s;
		/* The first candidate is the session (a miss's is fz_none),
		 * or all of them are checked in the order sb_ct_lookup_bulk
		 * does. Its kind read once for the tests below (the compiler
		 * must read a bit-field again after any store). */
		if (likely(sb_ct_verify_first(ct, &f->key, s, SB_CT_DIR(v)))) {
			nat = sb_ct_pf_word(s) >> SB_CT_NAT_WORD_SHIFT & 3;
			goto found;
		}
		pos = fz_pos(ft, f);
		v = sb_ct_pick(ct, &f->key, cand, sb_ft_find(ft, &pos, cand, SB_CT_MAX_CAND));
		if (v < 0) {
			if (!c.wan && unlikely(lan_refused(w, &c, f))) {
				/* As common_case() marks a WAN's. */
				poisoned |= addr_bit(f->key.src ^ f->key.dst);
				fast = UINT8_MAX;
				left[nl++] = f->m;
				continue;
			}
			if (unlikely(refused_at_host_limit(w, &c, f))) {
				refused++;
				continue;
			}
			left[nl++] = f->m;
			continue;
		}
		s = sb_ct_session(ct, SB_CT_IDX(v));
		nat = s->nat;
found:
		/* Each direction its own copy of the checks and the send
		 * (the direction a constant in each), the hit's run sent
		 * with it (see above; a run's packets are between the same
		 * two hosts, of the common case: never poisoned where its
		 * first is not). kinds[n] is FZ_NOT. */
		if (SB_CT_DIR(v) == SB_CT_DIR_ORIG) {
			if (!take_checks(w, st, &c, in, f, s, nat, SB_CT_DIR_ORIG, &h)) {
				left[nl++] = f->m;
				continue;
			}
			take_send(w, &c, f, &h, &tx, SB_CT_DIR_ORIG);
			while (unlikely(kp[1] == FZ_SAME)) {
				kp++;
				f++;
				take_send(w, &c, f, &h, &tx, SB_CT_DIR_ORIG);
			}
		} else {
			if (!take_checks(w, st, &c, in, f, s, nat, SB_CT_DIR_REPLY, &h)) {
				left[nl++] = f->m;
				continue;
			}
			take_send(w, &c, f, &h, &tx, SB_CT_DIR_REPLY);
			while (unlikely(kp[1] == FZ_SAME)) {
				kp++;
				f++;
				take_send(w, &c, f, &h, &tx, SB_CT_DIR_REPLY);
			}
		}
	}
	/* Each port with frames (a per-port bit set a packet cost more
	 * than this look at every port a burst). */
	for (unsigned out = 0; out < w->n_ports; out++)
		if (tx.next[out] != tx.m[out]) {
			unsigned k = (unsigned)(tx.next[out] - tx.m[out]);

			/* Each frame sent was translated: forwarded. */
			c.k.forwarded += k;
			sb_l2out_send(w, out, tx.m[out], k);
		}
	w->cnt.forwarded += c.k.forwarded;
	w->cnt.nat_out += c.k.nat_out;
	w->cnt.nat_in += c.k.nat_in;
	if (unlikely(timed))
		w->cnt.stage_cycles[SB_STAGE_FAST_PATH] += (rte_rdtsc() - t0) * SB_STAGE_SAMPLE;
	/* Taken: every packet not left and not refused. */
	w->cnt.stage_pkts[SB_STAGE_FAST_PATH] += n - nl - refused;
	return nl;
}
