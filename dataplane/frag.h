/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: shallow virtual reassembly. The first fragment of a datagram
 * carries the L4 header and goes through conntrack and NAT like any packet;
 * it leaves an entry (source, destination, IP id, protocol) -> session so
 * the later fragments, which have no ports, follow it with the same
 * address translation. Entries live a few seconds; the table is bounded,
 * and only a first fragment that matches or creates a session makes one,
 * so a flood of bogus fragments cannot fill it.
 *
 * Later fragments that come before their first (reordered on the way) are
 * held, up to SB_FRAG_HOLD_MAX packets for at most SB_FRAG_HOLD_MS, and
 * sent on when the first one passes; those whose first never comes are
 * dropped (fragment_no_flow). One source address may hold no more than
 * SB_FRAG_HOLD_PER_SRC of them, so a source flooding bogus fragments
 * fills its own share, not everyone's. Likewise the datagrams tracked:
 * sources are hashed into SB_FRAG_SRC_SLOTS shares of at most an eighth
 * of the table each (at least 4), so one peer of a session sending first
 * fragments cannot take every entry. Owned by one worker. */
#ifndef SB_FRAG_H
#define SB_FRAG_H

#include <stdint.h>
#include <stdbool.h>

#include "slots.h"

struct sb_frag_key {
	uint32_t src, dst;     /* as the fragments arrive, network order */
	uint16_t id;           /* IP identification, network order */
	uint8_t proto;
	uint8_t pad;
};

struct sb_frag_entry {
	uint64_t tsc;          /* when the first fragment passed */
	uint32_t session;      /* conntrack index */
	uint32_t tag;          /* the session's flow when recorded (the caller's
				* digest): a later fragment follows that flow
				* only, not whatever reuses the index */
	uint8_t dir;           /* SB_CT_DIR_* */
};

/* dir of an entry that names another worker (handoff.h): the first
 * fragment went there; session is that worker's index. */
#define SB_FRAG_FOREIGN 0xff

#define SB_FRAG_HOLD_MAX 64
#define SB_FRAG_HOLD_PER_SRC 8
#define SB_FRAG_HOLD_MS 1000
#define SB_FRAG_SRC_SLOTS 256

/* A later fragment waiting for its first. */
struct sb_frag_held {
	void *pkt;             /* the mbuf; NULL when the slot is free */
	uint64_t tsc;          /* when it came */
	struct sb_frag_key k;
	uint16_t in;           /* ingress port index */
};

struct sb_frag_table {
	struct sb_slots_table slots;
	uint64_t hold_tsc;         /* SB_FRAG_HOLD_MS */
	uint32_t per_src;          /* datagrams one source share may track */
	uint16_t src_n[SB_FRAG_SRC_SLOTS]; /* datagrams tracked, by source share */
	unsigned n_held;
	struct sb_frag_held held[SB_FRAG_HOLD_MAX];
	struct sb_frag_entry e[];  /* by hash position */
};

/** A table of @cap datagrams in flight, entries kept @timeout_ms. NULL
 * and rte_errno on failure. Main lcore. */
struct sb_frag_table *sb_frag_create(const char *name, uint32_t cap, int socket,
				     uint32_t timeout_ms);
void sb_frag_free(struct sb_frag_table *t);

/** Record the datagram @k of session @session (whose flow the caller
 * digests as @tag) going in @dir. 0, -ENOSPC when full, or -EBUSY when
 * its source's share is used. Owning worker. */
int sb_frag_add(struct sb_frag_table *t, const struct sb_frag_key *k, uint32_t session,
		uint32_t tag, uint8_t dir, uint64_t now);

/** The session of datagram @k, its tag and direction; 0, or -ENOENT
 * (never seen, or expired: then it is removed). Owning worker. */
int sb_frag_find(struct sb_frag_table *t, const struct sb_frag_key *k, uint64_t now,
		 uint32_t *session, uint32_t *tag, uint8_t *dir);

/** Is datagram @k known (its first fragment passed, not expired)? Owning
 * worker. */
bool sb_frag_known(struct sb_frag_table *t, const struct sb_frag_key *k, uint64_t now);

/**
 * Hold @pkt, a later fragment of datagram @k that came in on port @in
 * before its first. Returns its slot, -ENOSPC when SB_FRAG_HOLD_MAX are
 * held, -EBUSY when its source already holds SB_FRAG_HOLD_PER_SRC. Owning
 * worker.
 */
int sb_frag_hold(struct sb_frag_table *t, const struct sb_frag_key *k, void *pkt,
		 uint16_t in, uint64_t now);

/** Free slot @slot and return the packet it held. Owning worker. */
void *sb_frag_unhold(struct sb_frag_table *t, unsigned slot);

/* What became of a held fragment (sb_frag_scan). */
enum sb_frag_fate {
	SB_FRAG_RELEASED,      /* its first fragment passed: send it on */
	SB_FRAG_EXPIRED,       /* waited SB_FRAG_HOLD_MS (or the worker stops): drop it */
};

/* Called with a held fragment whose slot @slot has just been freed. */
typedef void (*sb_frag_held_fn)(void *arg, void *pkt, uint16_t in, unsigned slot,
				enum sb_frag_fate fate);

/**
 * Hand back, through @fn, the held fragments whose first fragment has
 * passed and those that waited SB_FRAG_HOLD_MS (every one as expired when
 * @all). The caller owns the packets again. Returns how many were handed
 * back. Owning worker; cheap when nothing is held.
 */
unsigned sb_frag_scan(struct sb_frag_table *t, uint64_t now, bool all, sb_frag_held_fn fn,
		      void *arg);

/** Remove expired entries, looking at no more than @budget. Owning worker. */
unsigned sb_frag_sweep(struct sb_frag_table *t, uint64_t now, unsigned budget);

#endif
