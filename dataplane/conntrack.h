/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: connection tracking. A session is stored once and keyed
 * twice in one rte_hash: by its original (LAN-side) tuple and by its reply
 * (WAN-side, after NAT) tuple. Owned by one worker: single writer, no locks.
 */
#ifndef SB_CONNTRACK_H
#define SB_CONNTRACK_H

#include <stdint.h>
#include <stdbool.h>

struct rte_hash;

/* A 5-tuple as it lies in the packet (network order). 16 bytes. */
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

/* 64 bytes: one cache line. */
struct sb_session {
	struct sb_ct_key orig;    /* as sent by the LAN host */
	struct sb_ct_key reply;   /* as the WAN sends it back (after NAT) */
	uint64_t last_tsc;        /* last packet from the original side */
	uint32_t out_nb;          /* neighbour index of the egress next hop */
	uint32_t in_nb;           /* neighbour of the LAN host, lazily filled */
	uint32_t tcp_end[2];      /* TCP: next sequence number from each direction
				   * (host order; 0 = not seen yet) */
	uint16_t wan_gen;         /* egress WAN generation at creation */
	uint8_t out_port;         /* egress port index */
	uint8_t in_port;          /* ingress (LAN) port index */
	uint8_t state;            /* enum sb_ct_state */
	uint8_t nat;              /* SB_CT_NAT_* */
	uint8_t in_use;
	uint8_t nat_wan;          /* WAN port index of the source mapping */
};

/* How a session translates. Hairpin (RFC 4787 REQ-9): a LAN host reaching
 * another LAN host's external mapping; both addresses are translated, each
 * host seeing the other's external address and port. */
enum { SB_CT_NAT_NONE = 0, SB_CT_NAT_SRC = 1, SB_CT_NAT_HAIRPIN = 2 };

/* Hash data: (session index << 1) | direction. */
#define SB_CT_DIR_ORIG  0u
#define SB_CT_DIR_REPLY 1u

struct sb_ct {
	struct rte_hash *h;
	struct sb_session *s;     /* capacity entries */
	uint32_t *free;           /* stack of free indices */
	uint32_t n_free;
	uint32_t capacity;
	uint32_t sweep_cursor;
	uint64_t timeout_tsc[SB_CT_STATE_MAX][3]; /* [state][tcp|udp|icmp] */
};

/**
 * Create a table for @capacity sessions (2 keys each). Timeouts in seconds.
 * Returns NULL and sets rte_errno on failure. Main lcore, after EAL init.
 */
struct sb_ct *sb_ct_create(const char *name, uint32_t capacity, int socket,
			   uint32_t tcp_est_s, uint32_t tcp_trans_s,
			   uint32_t udp_s, uint32_t icmp_s);

/** Free the table. NULL is fine. */
void sb_ct_free(struct sb_ct *ct);

/**
 * Look up @n keys at once. For each hit, bit i of the returned mask is set
 * and @data[i] holds (index << 1) | direction. Owning worker only.
 */
uint64_t sb_ct_lookup_bulk(struct sb_ct *ct, const struct sb_ct_key **keys,
			   unsigned n, uint64_t *data);

/** Look up one key; returns (index << 1) | dir, or -ENOENT. */
int64_t sb_ct_lookup(struct sb_ct *ct, const struct sb_ct_key *key);

/**
 * Create a session with both keys. Returns the new index, -ENOSPC when the
 * table is full (established sessions are never evicted), -EEXIST when a
 * key is already present. Owning worker only.
 */
int64_t sb_ct_insert(struct sb_ct *ct, const struct sb_ct_key *orig,
		     const struct sb_ct_key *reply, uint64_t now);

/** Remove session @idx and both its keys. Owning worker only. */
void sb_ct_delete(struct sb_ct *ct, uint32_t idx);

static inline struct sb_session *
sb_ct_session(struct sb_ct *ct, uint32_t idx)
{
	return &ct->s[idx];
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

#endif
