/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: connection tracking. A session is stored once and keyed
 * twice in the flow table (flowtab.h): by its original (LAN-side) tuple
 * and by its reply (WAN-side, after NAT) tuple. Owned by one worker:
 * single writer, no locks.
 *
 * Size (issue 12: <= 64 bytes per session with the table). The table
 * stores a 32-bit signature and a 32-bit value per key (8 bytes, in
 * cache-line buckets filled to 90%: ~8.9 bytes per key); the keys
 * themselves are not stored: the session keeps just enough to rebuild both
 * tuples (the WAN address comes from the port index) and every candidate
 * is checked against it, so a signature collision can never send a packet
 * down the wrong session. Fingerprints are keyed by a random seed, so an
 * outsider cannot aim for a bucket. 44-byte session + 2 x 8.9 = ~62 bytes
 * per session (scripts/bench newflows prints it).
 */
#ifndef SB_CONNTRACK_H
#define SB_CONNTRACK_H

#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>

#include "sb_common.h"

struct sb_ft;

/* Keys per sb_ct_lookup_bulk call. */
#define SB_CT_BULK_MAX 64

/* A 5-tuple as it lies in the packet (network order). 16 bytes. The
 * lookup and insert argument; the table itself stores fingerprints. */
struct sb_ct_key {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t pad[3];
} __attribute__((packed, aligned(4)));

enum sb_ct_state {
	SB_CT_NEW = 0,        /* only the original direction seen (TCP: no ACKed reply) */
	SB_CT_ESTABLISHED,    /* reply seen (TCP: the reply acknowledged) */
	SB_CT_FIN_ORIG,       /* TCP: FIN from the original side only */
	SB_CT_FIN_REPLY,      /* TCP: FIN from the reply side only */
	SB_CT_TIME_WAIT,      /* TCP: FIN from both sides */
	SB_CT_CLOSED,         /* TCP: RST seen */
	SB_CT_STATE_MAX
};

/* An RST is accepted when its sequence number is within this distance of
 * the next one its sender was expected to use; blind RSTs further off are
 * ignored (counted as tcp_rst_out_of_window). */
#define SB_CT_RST_WINDOW (1u << 20)

/* How a session translates. Hairpin (RFC 4787 REQ-9): a LAN host reaching
 * another LAN host's external mapping; both addresses are translated, each
 * host seeing the other's external address and port. */
enum { SB_CT_NAT_NONE = 0, SB_CT_NAT_SRC = 1, SB_CT_NAT_HAIRPIN = 2,
/* Inbound (a port forward or one-to-one NAT, dataplane/forward.c): made
 * by the first packet from the WAN, laid out as if the internal server
 * had opened it (original = server -> client); no mapping of its own,
 * and its external address is the port's, or xaddr's when xaddr != 0. */
       SB_CT_NAT_FWD = 3 };

/* Extra external addresses (one-to-one NAT) sessions can name by index
 * (sb_session.xaddr, 1-based). */
#define SB_CT_XADDR_MAX 64

/* No neighbour index cached (session fields are 16-bit). */
#define SB_CT_NB_NONE 0xffffu
/* With an index: found by the neighbour's address, checked against it
 * on every use (dataplane/l2out.h sb_l2out_resolve_s). */
#define SB_CT_NB_BY_ADDR 0x8000u

/*
 * 44 bytes. The two tuples, rebuilt (sb_ct_orig_key, sb_ct_reply_key):
 *   original: lan_addr:lan_port -> (hairpin ? WAN address : rem_addr):orig_dport
 *   reply:    rem_addr:rem_port -> (nat ? WAN address : lan_addr):ext_port
 * where the WAN address is that of port nat_wan.
 */
struct sb_session {
	union {
		uint32_t lan_addr;    /* the LAN host (original source) */
		uint32_t next_free;   /* while free: the next free index */
	};
	uint32_t rem_addr;        /* the peer: the reply's source */
	/* Each direction's ports side by side, as in its key (one 32-bit
	 * compare when a hit is checked). */
	uint16_t lan_port;        /* original source port / ICMP id */
	uint16_t orig_dport;      /* original destination port (hairpin: the
				   * other host's external port) */
	uint16_t rem_port;        /* reply source port */
	uint16_t ext_port;        /* reply destination port: the external port
				   * (lan_port without NAT) */
	uint32_t last;            /* last packet from the original side, in
				   * table time units (sb_ct_touch) */
	uint32_t tcp_end[2];      /* TCP: next sequence number from each direction
				   * (host order; 0 = not seen yet) */
	uint16_t in_nb;           /* neighbour of the reply direction: the
				   * router a routed LAN host is behind (set
				   * at creation, pinned), else the LAN host
				   * itself (lazily filled, SB_CT_NB_BY_ADDR) */
	uint16_t out_nb;          /* neighbour index of the egress next hop
				   * (after in_nb: the fast path's path word,
				   * fastpath.c) */
	uint16_t wan_gen;         /* egress WAN generation at creation */
	uint8_t out_port;         /* egress port index */
	uint8_t in_port;          /* ingress (LAN) port index */
	uint8_t nat_wan;          /* WAN port index of the source mapping */
	uint8_t proto;            /* the byte before the flags: sb_ct_verify
				   * reads both in one word */
	uint8_t state : 4;        /* enum sb_ct_state */
	uint8_t nat : 2;          /* SB_CT_NAT_* */
	uint8_t in_use : 1;
	uint8_t routed : 1;       /* out_nb is a gateway path (not on-link, not
				   * hairpin): follows sb_dp_state.nb_dead */
	uint8_t xaddr : 7;        /* SB_CT_NAT_FWD: 0 = the address of port
				   * nat_wan, else ct->xaddr[xaddr];
				   * SB_CT_NAT_HAIRPIN: the same for the
				   * original destination */
	uint8_t host_counted : 1; /* counted in its LAN host's sessions
				   * (sb_ct_host_admit) */
	uint16_t ck_ip;           /* what the original direction's rewrite adds */
	uint16_t ck_l4;           /* to the IP and TCP/UDP checksums; the reply
				   * adds ~ (sb_nat_prepare, at creation) */
};

/*
 * Hash data word: direction in bit 0, session index in bits 1-31, and the
 * owning worker's id in bits 56-63 (SB_CT_OWNER). Each session belongs to
 * the one worker that created it; with one worker today the owner is
 * always 0, the bits are reserved so that a table shared for lookups, or
 * a packet arriving at the wrong worker, can tell whose session it is.
 */
#define SB_CT_DIR_ORIG  0u
#define SB_CT_DIR_REPLY 1u
#define SB_CT_OWNER_SHIFT 56
#define SB_CT_DIR(v)   ((unsigned)((v) & 1))
#define SB_CT_IDX(v)   ((uint32_t)(((v) >> 1) & 0x7fffffffu))
#define SB_CT_OWNER(v) ((unsigned)((uint64_t)(v) >> SB_CT_OWNER_SHIFT))

/* Sessions per LAN host (sb_ct_host_*): an open-addressing table of
 * (address, count), linear probing, at most half full. */
struct sb_ct_host {
	uint32_t addr;            /* network order; 0 = empty */
	uint32_t n;
};

struct sb_ct {
	struct sb_ft *ft;         /* fingerprint -> index and direction */
	struct sb_ct_host *host;  /* host_mask + 1 slots */
	uint32_t host_mask;
	uint32_t n_hosts;         /* hosts with a counted session */
	uint32_t host_max;        /* sessions a LAN host may open, 0 = any number
				   * (one word: control sets it on a reload) */
	uint32_t free_head;       /* first free index (list through next_free) */
	uint32_t n_free;
	uint32_t capacity;
	uint32_t sweep_cursor;
	uint64_t seed[3];         /* fingerprint key, random per table */
	uint64_t owner;           /* SB_CT_OWNER bits of every data word */
	uint64_t fp_mismatch;     /* hits whose tuple differed (fingerprint collision) */
	unsigned tshift;          /* table time unit: TSC >> tshift (~1/64 s) */
	uint32_t addr[SB_MAX_PORTS]; /* port addresses (network order): the
				      * external address of a mapping */
	uint32_t xaddr[SB_CT_XADDR_MAX]; /* one-to-one addresses (network order) */
	uint32_t timeout_u[SB_CT_STATE_MAX][3];   /* in time units */
	uint64_t timeout_tsc[SB_CT_STATE_MAX][3]; /* [state][tcp|udp|icmp] */
	struct sb_session s[] __attribute__((aligned(64))); /* capacity, same block */
};

/**
 * Create a table for @capacity sessions (2 keys each), owned by worker
 * @owner (0-255). Timeouts in seconds. Returns NULL and sets rte_errno on
 * failure. Main lcore, after EAL init.
 */
struct sb_ct *sb_ct_create(const char *name, uint32_t capacity, int socket, unsigned owner,
			   uint32_t tcp_est_s, uint32_t tcp_trans_s,
			   uint32_t udp_s, uint32_t icmp_s);

/** Free the table. NULL is fine. */
void sb_ct_free(struct sb_ct *ct);

/** Let each LAN host have at most @n sessions that it opened (0: no
 * limit). At creation, and from the control thread while the worker
 * runs (a reload): one word, stored whole; sessions over a lowered limit
 * stay until they end. */
void sb_ct_set_host_max(struct sb_ct *ct, uint32_t n);

/** May LAN host @addr (network order) open another session? False when
 * it holds host_max already. Owning worker. */
bool sb_ct_host_admit(const struct sb_ct *ct, uint32_t addr);

/** Count session @idx (just inserted; opened by its LAN host, lan_addr)
 * in its host's sessions until it is deleted. When more hosts than the
 * table tracks (min(capacity, 65536)) have sessions, a new host's are
 * not counted. Owning worker. */
void sb_ct_host_count(struct sb_ct *ct, uint32_t idx);

/** Sessions LAN host @addr opened that are in the table. Any thread
 * (tests, stats). */
uint32_t sb_ct_host_sessions(const struct sb_ct *ct, uint32_t addr);

/**
 * Set the idle timeouts (seconds) of @ct: established TCP, transitory TCP
 * (opening, closing), UDP, ICMP. Sessions already in the table take them
 * from their next check on. At creation, and from the control thread
 * while the worker runs (a reload): each timeout is one word, stored
 * whole.
 */
void sb_ct_set_timeouts(struct sb_ct *ct, uint32_t tcp_est_s, uint32_t tcp_trans_s,
			uint32_t udp_s, uint32_t icmp_s);

/** Set the address (network order) of port index @port, the external
 * address of the mappings on it. Main lcore, before the worker starts. */
void sb_ct_set_port_addr(struct sb_ct *ct, unsigned port, uint32_t addr);

/**
 * Look up @n keys at once. For each hit, bit i of the returned mask is set
 * and @data[i] holds the data word (SB_CT_IDX, SB_CT_DIR, SB_CT_OWNER).
 * Every hit has been checked against the session's full tuple. Owning
 * worker only.
 */
uint64_t sb_ct_lookup_bulk(struct sb_ct *ct, const struct sb_ct_key **keys,
			   unsigned n, uint64_t *data);

/** Look up one key; returns its data word, or -ENOENT. */
int64_t sb_ct_lookup(struct sb_ct *ct, const struct sb_ct_key *key);

/**
 * Create a session with both keys, translated as @nat (SB_CT_NAT_*) with
 * the mapping on port @nat_wan (whose address must be the reply key's
 * destination, and for hairpin the original key's too). Returns the new
 * index, -ENOSPC when the table is full (established sessions are never
 * evicted), -EEXIST when a key (or its fingerprint) is already present,
 * -EINVAL when the keys do not fit that translation. Owning worker only.
 */
int64_t sb_ct_insert(struct sb_ct *ct, const struct sb_ct_key *orig,
		     const struct sb_ct_key *reply, unsigned nat, unsigned nat_wan,
		     uint64_t now);

/** sb_ct_insert() of an SB_CT_NAT_FWD session whose external address is
 * extra address @xaddr (sb_ct_set_xaddr), 0 = the port's; or of an
 * SB_CT_NAT_HAIRPIN session whose original destination is that address
 * (hairpin to a one-to-one address; its external address stays the
 * port's). */
int64_t sb_ct_insert_x(struct sb_ct *ct, const struct sb_ct_key *orig,
		       const struct sb_ct_key *reply, unsigned nat, unsigned nat_wan,
		       unsigned xaddr, uint64_t now);

/** Set extra address @i (1 to SB_CT_XADDR_MAX - 1, network order). Main
 * lcore, before the worker starts. */
void sb_ct_set_xaddr(struct sb_ct *ct, unsigned i, uint32_t addr);

/** Remove session @idx and both its keys. Owning worker only. */
void sb_ct_delete(struct sb_ct *ct, uint32_t idx);

static inline struct sb_session *
sb_ct_session(struct sb_ct *ct, uint32_t idx)
{
	return &ct->s[idx];
}

static inline uint32_t
sb_ct_index(const struct sb_ct *ct, const struct sb_session *s)
{
	return (uint32_t)(s - ct->s);
}

/** The external (after NAT) address of @s: the reply's destination. */
static inline uint32_t
sb_ct_ext_addr(const struct sb_ct *ct, const struct sb_session *s)
{
	if (s->nat == SB_CT_NAT_NONE)
		return s->lan_addr;
	return __builtin_expect(s->xaddr != 0, 0) && s->nat == SB_CT_NAT_FWD ?
	       ct->xaddr[s->xaddr] : ct->addr[s->nat_wan];
}

/** The original destination address of @s (hairpin: the WAN address, or
 * the one-to-one address xaddr names). */
static inline uint32_t
sb_ct_orig_dst(const struct sb_ct *ct, const struct sb_session *s)
{
	if (s->nat != SB_CT_NAT_HAIRPIN)
		return s->rem_addr;
	return __builtin_expect(s->xaddr != 0, 0) ? ct->xaddr[s->xaddr] : ct->addr[s->nat_wan];
}

/* The staged lookup's parts (sb_ct_lookup_bulk, and the fused fast path
 * that runs them inside its own pass: fastpath.c). */

/* The 128-bit product of @x and @y, its halves folded (wyhash's mix). */
static inline uint64_t
sb_ct_mum(uint64_t x, uint64_t y)
{
	unsigned __int128 r = (unsigned __int128)x * y;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/** The flow-table key of a tuple: 64 bits, keyed by the table's seed
 * (three random words; the last two have their top bit set, so no tuple
 * can zero a factor: an outsider who does not know them cannot aim for a
 * bucket or a signature). Two multiplications: it runs for every packet. */
static inline uint64_t
sb_ct_fingerprint_s(const uint64_t seed[3], uint64_t w0, uint64_t w1)
{
	return sb_ct_mum(sb_ct_mum(w0 ^ seed[0], w1 ^ seed[1]), seed[2]);
}

/* The same with @ct's seed. */
static inline uint64_t
sb_ct_fingerprint_w(const struct sb_ct *ct, uint64_t w0, uint64_t w1)
{
	return sb_ct_fingerprint_s(ct->seed, w0, w1);
}

/* The two words of a tuple sb_ct_fingerprint_w() hashes: the addresses,
 * and the ports (the one 32-bit word they lie in) with the protocol, as
 * the fast path holds them in registers; on a little-endian CPU also the
 * two words of its struct sb_ct_key, pad bytes zero. */
static inline uint64_t
sb_ct_key_w0(uint32_t src, uint32_t dst)
{
	return (uint64_t)dst << 32 | src;
}

static inline uint64_t
sb_ct_key_w1(uint32_t ports, uint8_t proto)
{
	return (uint64_t)proto << 32 | ports;
}

/* The same of key @k. */
static inline uint64_t
sb_ct_fingerprint(const struct sb_ct *ct, const struct sb_ct_key *k)
{
	uint32_t ports;

	memcpy(&ports, &k->sport, 4);
	return sb_ct_fingerprint_w(ct, sb_ct_key_w0(k->src, k->dst), sb_ct_key_w1(ports, k->proto));
}

/* in_use in the 16-bit little-endian word at sb_session.proto: the flag
 * byte's bit 6 (state 4 bits, nat 2, then in_use, from the low bit up:
 * the x86-64 psABI's bit-field order; conntrack's unit test checks it). */
#define SB_CT_IN_USE_WORD 0x4000u
/* nat in the same word: the flag byte's bits 4-5 (checked as in_use). */
#define SB_CT_NAT_WORD_SHIFT 12

/* The 16-bit word of @s's protocol and flag byte (SB_CT_IN_USE_WORD). */
static inline uint16_t
sb_ct_pf_word(const struct sb_session *s)
{
	uint16_t pf;

	memcpy(&pf, &s->proto, 2);
	return rte_le_to_cpu_16(pf);
}

/* Is @s in use and of @k's protocol? One compare of the word they share. */
static inline bool
sb_ct_proto_match(const struct sb_ct_key *k, const struct sb_session *s)
{
	uint16_t pf;

	memcpy(&pf, &s->proto, 2);
	return (rte_le_to_cpu_16(pf) & (0xff | SB_CT_IN_USE_WORD)) == (k->proto | SB_CT_IN_USE_WORD);
}

/** sb_ct_verify_at() of a lookup's first candidate, allowed to say no
 * where the full check would say yes: the original direction of a
 * hairpin session (its destination is not rem_addr), which the caller
 * then checks in full (sb_ct_pick); one test fewer for every other. */
static inline bool
sb_ct_verify_first(const struct sb_ct *ct, const struct sb_ct_key *k, const struct sb_session *s,
		   unsigned dir)
{
	uint32_t kp, sp;

	if (!sb_ct_proto_match(k, s))
		return false;
	memcpy(&kp, &k->sport, 4);
	if (dir == SB_CT_DIR_ORIG) {
		/* The key's addresses lie as lan_addr and rem_addr do: one
		 * 8-byte compare. */
		uint64_t ka, sa;

		memcpy(&sp, &s->lan_port, 4);
		memcpy(&ka, &k->src, 8);
		memcpy(&sa, &s->lan_addr, 8);
		return ((ka ^ sa) | (kp ^ sp)) == 0;
	}
	memcpy(&sp, &s->rem_port, 4);
	return kp == sp && k->src == s->rem_addr && k->dst == sb_ct_ext_addr(ct, s);
}

/** Does @k, found in direction @dir of session @s, belong to it? @nat is
 * s->nat, as the caller read it (once for all its tests). */
static inline bool
sb_ct_verify_at(const struct sb_ct *ct, const struct sb_ct_key *k, const struct sb_session *s,
		unsigned dir, unsigned nat)
{
	if (__builtin_expect(dir == SB_CT_DIR_ORIG && nat == SB_CT_NAT_HAIRPIN, 0)) {
		/* The original destination is not rem_addr (the other
		 * host) but the gateway's address. */
		uint32_t kp, sp;

		memcpy(&kp, &k->sport, 4);
		memcpy(&sp, &s->lan_port, 4);
		return sb_ct_proto_match(k, s) && kp == sp && k->src == s->lan_addr &&
		       k->dst == sb_ct_orig_dst(ct, s);
	}
	return sb_ct_verify_first(ct, k, s, dir);
}

/** Does @k, found with data word @v, belong to the session it points at? */
static inline bool
sb_ct_verify(const struct sb_ct *ct, const struct sb_ct_key *k, uint64_t v)
{
	const struct sb_session *s = &ct->s[SB_CT_IDX(v)];

	return sb_ct_verify_at(ct, k, s, SB_CT_DIR(v), s->nat);
}

/* Candidates per key: more than one only when signatures collide. */
#define SB_CT_MAX_CAND 4

/** The first of the @nc flow-table candidates @cand (sb_ft_find) that is
 * @k's session: its data word, or -ENOENT. */
static inline int64_t
sb_ct_pick(struct sb_ct *ct, const struct sb_ct_key *k, const uint32_t *cand, unsigned nc)
{
	for (unsigned c = 0; c < nc; c++) {
		if (__builtin_expect(sb_ct_verify(ct, k, cand[c]), 1))
			return (int64_t)(ct->owner | cand[c]);
		ct->fp_mismatch++;
	}
	return -ENOENT;
}

/** Rebuild the original / reply key of @s. */
void sb_ct_orig_key(const struct sb_ct *ct, const struct sb_session *s, struct sb_ct_key *k);
void sb_ct_reply_key(const struct sb_ct *ct, const struct sb_session *s, struct sb_ct_key *k);

/** Note a packet from the original side of @s at TSC @now (ageing). */
static inline void
sb_ct_touch(const struct sb_ct *ct, struct sb_session *s, uint64_t now)
{
	s->last = (uint32_t)(now >> ct->tshift);
}

/** Sessions in use. */
static inline uint32_t
sb_ct_count(const struct sb_ct *ct)
{
	return ct->capacity - ct->n_free;
}

/** Idle timeout of @s in TSC cycles. */
uint64_t sb_ct_timeout(const struct sb_ct *ct, const struct sb_session *s);

/** Advance the TCP state of @s for a packet with @flags going in @dir. */
void sb_ct_tcp_update(struct sb_session *s, uint8_t flags, unsigned dir);

/**
 * Track a TCP segment (sequence @seq, @len bytes of payload, @flags) going
 * in @dir. Returns false, changing nothing, for an RST whose sequence
 * number is out of window (to be dropped); true otherwise.
 */
bool sb_ct_tcp_segment(struct sb_session *s, uint32_t seq, uint32_t len, uint8_t flags,
		       unsigned dir);

typedef void (*sb_ct_expire_fn)(void *arg, struct sb_session *s);

/**
 * Incremental ageing: examine at most @budget slots from where the last
 * call stopped and delete idle sessions, calling @fn before each delete.
 * Bounded work per call, so ageing never stalls the worker. Returns the
 * number of sessions expired. Owning worker only.
 */
unsigned sb_ct_sweep(struct sb_ct *ct, uint64_t now, unsigned budget,
		     sb_ct_expire_fn fn, void *arg);

/**
 * WAN @port's address changed to @addr (network order; a DHCP lease). Its
 * masqueraded sessions lose their reply keys, which hold the old address
 * (nothing from outside reaches them any more) and keep their original
 * keys, so the LAN host's next packet finds the session, stale by the
 * WAN's generation, and gets its TCP reset as in any WAN flush; deleting
 * it later removes only what is left. Hairpin sessions, both of whose
 * keys hold the address, are deleted now, calling @fn first (the mapping
 * given back); so are the sessions of any port whose peer (rem_addr) is
 * @addr, now the gateway's own. Then @addr is set. O(capacity); only on an address change,
 * never on a failover. Returns the sessions touched. Owning worker only.
 */
unsigned sb_ct_port_readdress(struct sb_ct *ct, unsigned port, uint32_t addr,
			      sb_ct_expire_fn fn, void *arg);

#endif
