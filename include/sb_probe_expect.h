/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the probes the control thread has in flight, as the workers
 * see them, so that a worker hands control only the echo replies that
 * answer one: from the probed address, on the port the probe left by,
 * with its id, sequence number and random cookie (the first 8 bytes of
 * the echo data), before its deadline, and once. Everything else in the
 * probe id range is dropped in the worker and counted, so no packet from
 * outside can reach the monitors' judgement: a flood of forged replies
 * cannot crowd real ones out, and a blind forger would have to guess a
 * 64-bit cookie.
 *
 * One slot per probe id (SB_PROBE_ID_BASE + i). The control thread is the
 * only writer: it fills a slot under the slot's seqlock before it sends
 * the probe. Workers only read (a read that overlaps a write is retried).
 */
#ifndef SB_PROBE_EXPECT_H
#define SB_PROBE_EXPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_seqlock.h>

#include "sb_common.h"

#define SB_PROBE_IDS 256

struct sb_probe_slot {
	rte_seqlock_t lock;
	uint32_t target_be;      /* the probed address */
	uint16_t seq_be;         /* sequence number of the probe in flight */
	uint8_t port;            /* the port it was sent from */
	uint8_t live;            /* 0: nothing expected */
	uint64_t cookie;         /* the echo data's first 8 bytes */
	uint64_t deadline;       /* TSC after which a reply is too late */
} __attribute__((aligned(64)));

struct sb_probe_expect {
	struct sb_probe_slot s[SB_PROBE_IDS];
};

/** Empty @t. Before workers read it. */
static inline void
sb_probe_expect_init(struct sb_probe_expect *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < SB_PROBE_IDS; i++)
		rte_seqlock_init(&t->s[i].lock);
}

/** Expect the reply to probe @idx (id SB_PROBE_ID_BASE + @idx) sent to
 * @target_be from @port with @seq_be and @cookie, until TSC @deadline.
 * Control thread, before the probe is sent. */
static inline void
sb_probe_expect_set(struct sb_probe_expect *t, unsigned idx, uint32_t target_be,
		    uint16_t seq_be, unsigned port, uint64_t cookie, uint64_t deadline)
{
	struct sb_probe_slot *s = &t->s[idx % SB_PROBE_IDS];

	rte_seqlock_write_lock(&s->lock);
	s->target_be = target_be;
	s->seq_be = seq_be;
	s->port = (uint8_t)port;
	s->cookie = cookie;
	s->deadline = deadline;
	s->live = 1;
	rte_seqlock_write_unlock(&s->lock);
}

/** A reply to probe @idx may no longer come (answered or given up).
 * Control thread. */
static inline void
sb_probe_expect_clear(struct sb_probe_expect *t, unsigned idx)
{
	struct sb_probe_slot *s = &t->s[idx % SB_PROBE_IDS];

	rte_seqlock_write_lock(&s->lock);
	s->live = 0;
	rte_seqlock_write_unlock(&s->lock);
}

/**
 * Whether the echo reply with id @id_be (network order), sequence @seq_be
 * and data cookie @cookie from @src_be, received on port @in at TSC @now,
 * answers the probe in flight. @seen is the calling worker's own record
 * (SB_PROBE_IDS entries, zeroed at start): a reply is accepted once.
 * Worker.
 */
static inline bool
sb_probe_expect_match(const struct sb_probe_expect *t, uint32_t *seen, uint16_t id_be,
		      uint32_t src_be, uint16_t seq_be, uint64_t cookie, unsigned in,
		      uint64_t now)
{
	uint16_t id = (uint16_t)(id_be >> 8 | id_be << 8);
	const struct sb_probe_slot *s;
	uint32_t sn, tag;
	bool ok;

	if ((id & SB_PROBE_ID_MASK) != SB_PROBE_ID_BASE)
		return false;
	s = &t->s[id - SB_PROBE_ID_BASE];
	do {
		sn = rte_seqlock_read_begin(&s->lock);
		ok = s->live && s->target_be == src_be && s->seq_be == seq_be && s->port == in &&
		     s->cookie == cookie && now <= s->deadline;
	} while (rte_seqlock_read_retry(&s->lock, sn));
	/* Once per probe: the tag (sequence + 1 so that 0 means none). */
	tag = (uint32_t)seq_be + 1;
	if (!ok || seen[id - SB_PROBE_ID_BASE] == tag)
		return false;
	seen[id - SB_PROBE_ID_BASE] = tag;
	return true;
}

#endif
