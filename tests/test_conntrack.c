/* SPDX-License-Identifier: BSD-3-Clause
 * Connection tracking: both keys, bulk lookup, full table, ageing, TCP. */
#include "test_common.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <rte_cycles.h>
#include <rte_tcp.h>
#include <rte_byteorder.h>

#include <rte_malloc.h>

#include "conntrack.h"
#include "eim.h"
#include "flowtab.h"

static uint64_t hz;

/* The WAN port of these tests: index 1, 203.0.113.2 (0xcb007102). */
#define WAN 1
#define WAN_ADDR 0xcb007102u

static int
setup(void **state)
{
	return sb_test_eal_up_hz(state, "conntrack", &hz);
}

static struct sb_ct_key
key(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t proto)
{
	struct sb_ct_key k;

	memset(&k, 0, sizeof(k));
	k.src = rte_cpu_to_be_32(src);
	k.dst = rte_cpu_to_be_32(dst);
	k.sport = rte_cpu_to_be_16(sp);
	k.dport = rte_cpu_to_be_16(dp);
	k.proto = proto;
	return k;
}

static struct sb_ct *
table(uint32_t cap)
{
	static int n;
	char name[32];

	struct sb_ct *ct;

	snprintf(name, sizeof(name), "t_ct_%d", n++);
	ct = sb_ct_create(name, cap, 0, 0, 7440, 240, 300, 60);
	if (ct != NULL) {
		sb_ct_set_port_addr(ct, 0, rte_cpu_to_be_32(0xc0a80101));
		sb_ct_set_port_addr(ct, WAN, rte_cpu_to_be_32(WAN_ADDR));
	}
	return ct;
}

/* A masqueraded session on the WAN port. */
static int64_t
ins(struct sb_ct *ct, const struct sb_ct_key *o, const struct sb_ct_key *r, uint64_t now)
{
	return sb_ct_insert(ct, o, r, SB_CT_NAT_SRC, WAN, now);
}

static void
pair(uint32_t i, struct sb_ct_key *o, struct sb_ct_key *r)
{
	*o = key(0xc0a80100 + (i & 0xff), 0xc0000250, (uint16_t)(1024 + i), 80, IPPROTO_TCP);
	*r = key(0xc0000250, 0xcb007102, 80, (uint16_t)(1024 + i), IPPROTO_TCP);
}

/* A LAN host's DNS query (UDP) and its reply, as the sweep tests use. */
static void
dns_pair(struct sb_ct_key *o, struct sb_ct_key *r)
{
	*o = key(0xc0a8010a, 0xc0000250, 5000, 53, IPPROTO_UDP);
	*r = key(0xc0000250, 0xcb007102, 53, 5000, IPPROTO_UDP);
}

static void
test_conntrack_insert_lookup_both_keys(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r;

	(void)state;
	assert_non_null(ct);
	pair(1, &o, &r);
	int64_t idx = ins(ct, &o, &r, 100);

	assert_true(idx >= 0);
	assert_int_equal(sb_ct_lookup(ct, &o), (idx << 1) | SB_CT_DIR_ORIG);
	assert_int_equal(sb_ct_lookup(ct, &r), (idx << 1) | SB_CT_DIR_REPLY);
	assert_int_equal(sb_ct_count(ct), 1);
	struct sb_session *s = sb_ct_session(ct, (uint32_t)idx);

	struct sb_ct_key k;

	sb_ct_orig_key(ct, s, &k);
	assert_memory_equal(&k, &o, sizeof(o));
	sb_ct_reply_key(ct, s, &k);
	assert_memory_equal(&k, &r, sizeof(r));
	assert_int_equal(s->state, SB_CT_NEW);
	sb_ct_free(ct);
}

static void
test_conntrack_bulk_lookup_hit_mask(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o[8], r[8];
	const struct sb_ct_key *kp[8];
	uint64_t data[8];

	(void)state;
	for (uint32_t i = 0; i < 8; i++) {
		pair(i, &o[i], &r[i]);
		if (i % 2 == 0)
			assert_true(ins(ct, &o[i], &r[i], 1) >= 0);
		kp[i] = (i % 4 == 1) ? &o[i] : &r[i];
	}
	uint64_t hits = sb_ct_lookup_bulk(ct, kp, 8, data);

	assert_int_equal(hits, 0x55); /* the even ones */
	for (uint32_t i = 0; i < 8; i += 2)
		assert_int_equal(data[i] & 1, SB_CT_DIR_REPLY);
	sb_ct_free(ct);
}

static void
test_conntrack_duplicate_key_refused(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r, o2, r2;

	(void)state;
	pair(1, &o, &r);
	pair(2, &o2, &r2);
	assert_true(ins(ct, &o, &r, 1) >= 0);
	assert_int_equal(ins(ct, &o, &r2, 1), -EEXIST);
	assert_int_equal(ins(ct, &o2, &r, 1), -EEXIST);
	assert_int_equal(sb_ct_count(ct), 1);
	/* The refused inserts left no stray key behind. */
	assert_true(sb_ct_lookup(ct, &o2) < 0);
	assert_true(sb_ct_lookup(ct, &r2) < 0);
	sb_ct_free(ct);
}

static void
test_conntrack_full_table_keeps_sessions(void **state)
{
	const uint32_t cap = 1000;
	struct sb_ct *ct = table(cap);
	struct sb_ct_key o, r;

	(void)state;
	for (uint32_t i = 0; i < cap; i++) {
		pair(i, &o, &r);
		assert_true(ins(ct, &o, &r, 1) >= 0);
	}
	pair(cap, &o, &r);
	assert_int_equal(ins(ct, &o, &r, 1), -ENOSPC);
	for (uint32_t i = 0; i < cap; i++) {
		pair(i, &o, &r);
		assert_true(sb_ct_lookup(ct, &o) >= 0);
	}
	/* One leaves, one more fits. */
	pair(7, &o, &r);
	sb_ct_delete(ct, (uint32_t)(sb_ct_lookup(ct, &o) >> 1));
	assert_true(sb_ct_lookup(ct, &o) < 0 && sb_ct_lookup(ct, &r) < 0);
	pair(cap, &o, &r);
	assert_true(ins(ct, &o, &r, 1) >= 0);
	sb_ct_free(ct);
}

static unsigned expired_cb;

static void
count_cb(void *arg, struct sb_session *s)
{
	(void)arg;
	(void)s;
	expired_cb++;
}

static void
test_conntrack_sweep_expires_only_idle(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r;
	uint64_t t0 = 1000 * hz;

	(void)state;
	/* UDP session (300 s) and an established TCP one (7440 s). */
	dns_pair(&o, &r);
	int64_t u = ins(ct, &o, &r, t0);

	sb_ct_session(ct, (uint32_t)u)->state = SB_CT_ESTABLISHED;
	pair(1, &o, &r);
	int64_t t = ins(ct, &o, &r, t0);

	sb_ct_session(ct, (uint32_t)t)->state = SB_CT_ESTABLISHED;
	expired_cb = 0;
	assert_int_equal(sb_ct_sweep(ct, t0 + 299 * hz, 64, count_cb, NULL), 0);
	assert_int_equal(sb_ct_sweep(ct, t0 + 301 * hz, 64, count_cb, NULL), 1);
	assert_int_equal(expired_cb, 1);
	assert_int_equal(sb_ct_count(ct), 1);
	assert_int_equal(sb_ct_sweep(ct, t0 + 7000 * hz, 64, count_cb, NULL), 0);
	assert_int_equal(sb_ct_sweep(ct, t0 + 7441 * hz, 64, count_cb, NULL), 1);
	assert_int_equal(sb_ct_count(ct), 0);
	sb_ct_free(ct);
}

/* A sweep whose time is a little older than a session's last packet (a
 * handed burst read the clock after the worker loop did) does not expire
 * it: before, its age wrapped to 2^32 units and it went at once, and a
 * 2-worker lab lost a fresh mapping's replies (lab_nat_2w). */
static void
test_conntrack_sweep_session_from_the_future(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r;
	uint64_t t0 = 1000 * hz;

	(void)state;
	dns_pair(&o, &r);
	assert_true(ins(ct, &o, &r, t0 + hz / 10) >= 0);
	expired_cb = 0;
	assert_int_equal(sb_ct_sweep(ct, t0, 64, count_cb, NULL), 0);
	assert_int_equal(sb_ct_count(ct), 1);
	/* And it still expires when it is idle. */
	assert_int_equal(sb_ct_sweep(ct, t0 + 301 * hz, 64, count_cb, NULL), 1);
	sb_ct_free(ct);
}

static void
test_conntrack_sweep_budget_bounds_work(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r;

	(void)state;
	for (uint32_t i = 0; i < 40; i++) {
		pair(i, &o, &r);
		assert_true(ins(ct, &o, &r, 0) >= 0);
	}
	/* Everything is idle (NEW TCP: 240 s), but 8 slots per call. */
	assert_int_equal(sb_ct_sweep(ct, 1000 * hz, 8, NULL, NULL), 8);
	assert_int_equal(sb_ct_count(ct), 32);
	unsigned total = 8;

	for (int i = 0; i < 7; i++)
		total += sb_ct_sweep(ct, 1000 * hz, 8, NULL, NULL);
	assert_int_equal(total, 40);
	assert_int_equal(sb_ct_count(ct), 0);
	sb_ct_free(ct);
}

static void
test_conntrack_tcp_states_and_timeouts(void **state)
{
	struct sb_session s;
	struct sb_ct *ct = table(16);

	(void)state;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	assert_int_equal(sb_ct_timeout(ct, &s), 240 * hz);
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG, SB_CT_DIR_ORIG);
	assert_int_equal(s.state, SB_CT_NEW);
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_ESTABLISHED);
	assert_int_equal(sb_ct_timeout(ct, &s), 7440 * hz);
	sb_ct_tcp_update(&s, RTE_TCP_ACK_FLAG, SB_CT_DIR_ORIG);
	assert_int_equal(s.state, SB_CT_ESTABLISHED);
	/* Half close, then full close: TIME_WAIT, transitory timeout. */
	sb_ct_tcp_update(&s, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, SB_CT_DIR_ORIG);
	assert_int_equal(s.state, SB_CT_FIN_ORIG);
	assert_int_equal(sb_ct_timeout(ct, &s), 240 * hz);
	sb_ct_tcp_update(&s, RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_FIN_ORIG);
	sb_ct_tcp_update(&s, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_TIME_WAIT);
	/* A new SYN from the same endpoint reopens it. */
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG, SB_CT_DIR_ORIG);
	assert_int_equal(s.state, SB_CT_NEW);
	/* RST closes from either side. */
	sb_ct_tcp_update(&s, RTE_TCP_RST_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_CLOSED);
	assert_int_equal(sb_ct_timeout(ct, &s), 240 * hz);
	/* Simultaneous open: a bare SYN from the reply side, then ACKs. */
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG, SB_CT_DIR_ORIG);
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_NEW);
	sb_ct_tcp_update(&s, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY);
	assert_int_equal(s.state, SB_CT_ESTABLISHED);
	/* UDP and ICMP timeouts. */
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_UDP;
	s.state = SB_CT_ESTABLISHED;
	assert_int_equal(sb_ct_timeout(ct, &s), 300 * hz);
	s.proto = IPPROTO_ICMP;
	assert_int_equal(sb_ct_timeout(ct, &s), 60 * hz);
	sb_ct_free(ct);
}

static void
test_conntrack_rst_out_of_window_ignored(void **state)
{
	struct sb_session s;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* Before anything was seen from a side, its RST is taken. */
	assert_true(sb_ct_tcp_segment(&s, 12345, 0, RTE_TCP_RST_FLAG, SB_CT_DIR_REPLY));
	memset(&s, 0, sizeof(s));
	assert_true(sb_ct_tcp_segment(&s, 1000, 0, RTE_TCP_SYN_FLAG, SB_CT_DIR_ORIG));
	assert_int_equal(s.tcp_end[0], 1001);
	assert_true(sb_ct_tcp_segment(&s, 5000, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				      SB_CT_DIR_REPLY));
	assert_true(sb_ct_tcp_segment(&s, 5001, 1400, RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY));
	assert_int_equal(s.tcp_end[1], 6401);
	/* Retransmissions do not move the end back. */
	assert_true(sb_ct_tcp_segment(&s, 5001, 1400, RTE_TCP_ACK_FLAG, SB_CT_DIR_REPLY));
	assert_int_equal(s.tcp_end[1], 6401);
	/* A blind RST far away is refused; one in window is taken. */
	assert_false(sb_ct_tcp_segment(&s, 6401 + 50000000, 0, RTE_TCP_RST_FLAG, SB_CT_DIR_REPLY));
	assert_false(sb_ct_tcp_segment(&s, 6401 - 50000000, 0, RTE_TCP_RST_FLAG, SB_CT_DIR_REPLY));
	assert_int_equal(s.tcp_end[1], 6401);
	assert_true(sb_ct_tcp_segment(&s, 6401, 0, RTE_TCP_RST_FLAG, SB_CT_DIR_REPLY));
	/* Sequence wrap-around. */
	memset(&s, 0, sizeof(s));
	assert_true(sb_ct_tcp_segment(&s, 0xfffffff0u, 100, RTE_TCP_ACK_FLAG, SB_CT_DIR_ORIG));
	assert_int_equal(s.tcp_end[0], 0x54);
	assert_true(sb_ct_tcp_segment(&s, 0x54, 0, RTE_TCP_RST_FLAG, SB_CT_DIR_ORIG));
}


static void
test_conntrack_hairpin_and_plain_keys_rebuilt(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r, k;
	int64_t idx;

	(void)state;
	/* Hairpin: A 192.168.1.10:4000 -> WAN:5555 (B's mapping); B
	 * 192.168.1.20:6000 answers to WAN:61000 (A's mapping). */
	o = key(0xc0a8010a, WAN_ADDR, 4000, 5555, IPPROTO_UDP);
	r = key(0xc0a80114, WAN_ADDR, 6000, 61000, IPPROTO_UDP);
	idx = sb_ct_insert(ct, &o, &r, SB_CT_NAT_HAIRPIN, WAN, 1);
	assert_true(idx >= 0);
	assert_int_equal(sb_ct_lookup(ct, &o), (idx << 1) | SB_CT_DIR_ORIG);
	assert_int_equal(sb_ct_lookup(ct, &r), (idx << 1) | SB_CT_DIR_REPLY);
	sb_ct_orig_key(ct, sb_ct_session(ct, (uint32_t)idx), &k);
	assert_memory_equal(&k, &o, sizeof(k));
	sb_ct_reply_key(ct, sb_ct_session(ct, (uint32_t)idx), &k);
	assert_memory_equal(&k, &r, sizeof(k));
	/* No NAT (a routed port): the reply comes back to the host itself. */
	o = key(0xc0a8010a, 0xc6120101, 7000, 22, IPPROTO_TCP);
	r = key(0xc6120101, 0xc0a8010a, 22, 7000, IPPROTO_TCP);
	idx = sb_ct_insert(ct, &o, &r, SB_CT_NAT_NONE, 0, 1);
	assert_true(idx >= 0);
	assert_int_equal(sb_ct_lookup(ct, &r), (idx << 1) | SB_CT_DIR_REPLY);
	/* Another protocol without ports (GRE, routed). */
	struct sb_ct_key go = key(0xc0a8010a, 0xc6120101, 0, 0, 47);
	struct sb_ct_key gr = key(0xc6120101, 0xc0a8010a, 0, 0, 47);

	assert_true(sb_ct_insert(ct, &go, &gr, SB_CT_NAT_NONE, 0, 1) >= 0);
	assert_true(sb_ct_lookup(ct, &go) >= 0);
	sb_ct_delete(ct, (uint32_t)idx);
	assert_true(sb_ct_lookup(ct, &r) < 0 && sb_ct_lookup(ct, &o) < 0);
	assert_true(sb_ct_lookup(ct, &gr) >= 0);
	assert_int_equal(sb_ct_count(ct), 2);
	sb_ct_free(ct);
}

static void
test_conntrack_keys_must_fit_translation(void **state)
{
	struct sb_ct *ct = table(16);
	struct sb_ct_key o, r;

	(void)state;
	pair(1, &o, &r);
	/* The reply is not addressed to the WAN port's address. */
	r.dst = rte_cpu_to_be_32(0xcb007103);
	assert_int_equal(ins(ct, &o, &r, 1), -EINVAL);
	/* SNAT, but the reply does not come from the original destination. */
	pair(1, &o, &r);
	r.src = rte_cpu_to_be_32(0xc0000251);
	assert_int_equal(ins(ct, &o, &r, 1), -EINVAL);
	/* Protocols differ. */
	pair(1, &o, &r);
	r.proto = IPPROTO_UDP;
	assert_int_equal(ins(ct, &o, &r, 1), -EINVAL);
	assert_int_equal(sb_ct_count(ct), 0);
	sb_ct_free(ct);
}

static void
test_conntrack_hit_checked_against_full_tuple(void **state)
{
	struct sb_ct *ct = table(16);
	struct sb_ct_key o, r;
	const struct sb_ct_key *kp[2] = { &o, &r };
	uint64_t data[2];
	int64_t idx;

	(void)state;
	pair(3, &o, &r);
	idx = ins(ct, &o, &r, 1);
	assert_true(idx >= 0);
	/* The table holds fingerprints. Make the session's tuple differ
	 * from its keys (what a fingerprint collision looks like): both
	 * lookups find the fingerprint, neither may report a hit. */
	sb_ct_session(ct, (uint32_t)idx)->rem_addr ^= rte_cpu_to_be_32(1);
	assert_true(sb_ct_lookup(ct, &o) < 0);
	assert_true(sb_ct_lookup(ct, &r) < 0);
	assert_int_equal(sb_ct_lookup_bulk(ct, kp, 2, data), 0);
	assert_int_equal(ct->fp_mismatch, 4);
	sb_ct_free(ct);
}

/* sb_ct_verify reads in_use and the protocol in one word
 * (SB_CT_IN_USE_WORD): the word must see exactly the in_use bit, and a
 * session that is not in use or has another protocol never verifies. */
static void
test_conntrack_verify_reads_in_use_and_proto(void **state)
{
	struct sb_ct *ct = table(16);
	struct sb_ct_key o, r;
	struct sb_session *s;
	uint16_t word;
	int64_t idx;

	(void)state;
	pair(5, &o, &r);
	idx = ins(ct, &o, &r, 1);
	assert_true(idx >= 0);
	s = sb_ct_session(ct, (uint32_t)idx);
	assert_true(sb_ct_verify(ct, &o, (uint64_t)idx << 1 | SB_CT_DIR_ORIG));
	assert_true(sb_ct_verify(ct, &r, (uint64_t)idx << 1 | SB_CT_DIR_REPLY));
	/* The word holds the protocol and the flag bits, in_use alone at
	 * SB_CT_IN_USE_WORD. */
	memcpy(&word, &s->proto, 2);
	assert_int_equal(rte_le_to_cpu_16(word) & 0xff, IPPROTO_TCP);
	assert_true(rte_le_to_cpu_16(word) & SB_CT_IN_USE_WORD);
	/* And nat at SB_CT_NAT_WORD_SHIFT (the fused fast path reads it
	 * there), every value of it. */
	for (unsigned nat = 0; nat < 4; nat++) {
		s->nat = nat & 3;
		assert_int_equal(sb_ct_pf_word(s) >> SB_CT_NAT_WORD_SHIFT & 3, nat);
		assert_true(sb_ct_pf_word(s) & SB_CT_IN_USE_WORD);
	}
	s->nat = SB_CT_NAT_SRC;
	s->in_use = 0;
	memcpy(&word, &s->proto, 2);
	assert_false(rte_le_to_cpu_16(word) & SB_CT_IN_USE_WORD);
	assert_false(sb_ct_verify(ct, &o, (uint64_t)idx << 1 | SB_CT_DIR_ORIG));
	/* Every other flag set: still not in use. */
	s->state = 0xf;
	s->nat = 3;
	s->routed = 1;
	assert_false(sb_ct_verify(ct, &o, (uint64_t)idx << 1 | SB_CT_DIR_ORIG));
	s->in_use = 1;
	s->state = SB_CT_NEW;
	s->nat = SB_CT_NAT_SRC;
	s->routed = 0;
	assert_true(sb_ct_verify(ct, &o, (uint64_t)idx << 1 | SB_CT_DIR_ORIG));
	o.proto = IPPROTO_UDP;
	assert_false(sb_ct_verify(ct, &o, (uint64_t)idx << 1 | SB_CT_DIR_ORIG));
	sb_ct_free(ct);
}

static void
test_conntrack_owner_in_data_word(void **state)
{
	struct sb_ct *ct = sb_ct_create("t_ct_owner", 16, 0, 3, 7440, 240, 300, 60);
	struct sb_ct_key o, r;
	int64_t idx, v;

	(void)state;
	assert_non_null(ct);
	sb_ct_set_port_addr(ct, WAN, rte_cpu_to_be_32(WAN_ADDR));
	pair(1, &o, &r);
	idx = ins(ct, &o, &r, 1);
	assert_true(idx >= 0);
	v = sb_ct_lookup(ct, &r);
	assert_int_equal(SB_CT_OWNER(v), 3);
	assert_int_equal(SB_CT_IDX(v), idx);
	assert_int_equal(SB_CT_DIR(v), SB_CT_DIR_REPLY);
	assert_null(sb_ct_create("t_ct_owner2", 16, 0, 256, 7440, 240, 300, 60));
	sb_ct_free(ct);
}

/* Issue 12: at most 64 bytes per session, both flow-table entries
 * included, at 1M sessions: heap taken by the table / capacity. */
static void
test_conntrack_bytes_per_session_at_1m(void **state)
{
	const uint32_t cap = 1u << 20;
	struct rte_malloc_socket_stats before, after;
	struct sb_ct *ct;
	double per;

	(void)state;
	rte_malloc_get_socket_stats(0, &before);
	ct = sb_ct_create("t_ct_1m", cap, 0, 0, 7440, 240, 300, 60);
	rte_malloc_get_socket_stats(0, &after);
	assert_non_null(ct);
	per = (double)(after.heap_allocsz_bytes - before.heap_allocsz_bytes) / cap;
	print_message("conntrack: %.1f bytes per session at %u sessions\n", per, cap);
	assert_true(per <= 64.0);
	assert_true(per >= 40.0 + 2 * 8);    /* a sanity floor: it was measured */
	/* And the table holds what it says: fill it completely. */
	sb_ct_set_port_addr(ct, WAN, rte_cpu_to_be_32(WAN_ADDR));
	for (uint32_t i = 0; i < cap; i++) {
		struct sb_ct_key o = key(0xc0a80000 + (i & 0xffff), 0xc6120000 + (i >> 16),
					 1024, 443, IPPROTO_TCP);
		struct sb_ct_key r = key(0xc6120000 + (i >> 16), WAN_ADDR, 443,
					 (uint16_t)(i & 0xffff), IPPROTO_TCP);

		assert_true(ins(ct, &o, &r, 1) >= 0);
	}
	assert_int_equal(sb_ct_count(ct), cap);
	sb_ct_free(ct);
}

/* A WAN's address changed: its sessions' reply keys (old address) go,
 * their original keys stay until the LAN side meets them stale (and gets
 * its TCP reset); a session of any port to the new address goes; a new
 * session on the new address takes the same reply tuple, and deleting
 * the old session later leaves it alone. */
static void
test_conntrack_port_readdress(void **state)
{
	struct sb_ct *ct = table(64);
	struct sb_ct_key o, r, o2, r2, rn;
	uint64_t now = 1000 * hz;
	uint64_t data;
	const struct sb_ct_key *kp;
	int64_t a, other, fresh;
	const uint32_t new_addr = 0xcb007114u;

	(void)state;
	pair(1, &o, &r);
	a = ins(ct, &o, &r, now);
	assert_true(a >= 0);
	/* Not masqueraded, out of another port: untouched. */
	o2 = key(0xc0a8010a, 0xc6336402, 4000, 443, IPPROTO_TCP);
	r2 = key(0xc6336402, 0xc0a8010a, 443, 4000, IPPROTO_TCP);
	other = sb_ct_insert(ct, &o2, &r2, SB_CT_NAT_NONE, 2, now);
	assert_true(other >= 0);

	/* Out of another port to the peer whose address the lease now
	 * gives the gateway: deleted (what the LAN sends there is the
	 * gateway's from now on). */
	struct sb_ct_key o3 = key(0xc0a8010b, new_addr, 4001, 443, IPPROTO_TCP);
	struct sb_ct_key r3 = key(new_addr, 0xc0a8010b, 443, 4001, IPPROTO_TCP);

	assert_true(sb_ct_insert(ct, &o3, &r3, SB_CT_NAT_NONE, 2, now) >= 0);

	assert_int_equal(sb_ct_port_readdress(ct, WAN, rte_cpu_to_be_32(new_addr), NULL, NULL), 2);
	assert_int_equal(ct->addr[WAN], rte_cpu_to_be_32(new_addr));
	assert_int_equal(sb_ct_count(ct), 2);
	kp = &o3;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 0);
	kp = &r3;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 0);
	kp = &r;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 0);   /* old reply key gone */
	kp = &o;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 1);   /* original stays */
	assert_int_equal(SB_CT_IDX(data), (uint32_t)a);
	kp = &r2;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 1);

	/* The same peer and external port again, on the new address (the
	 * old session's original key still stands: another LAN port). */
	struct sb_ct_key on = key(0xc0a80101, 0xc0000250, 1026, 80, IPPROTO_TCP);

	rn = key(0xc0000250, new_addr, 80, 1025, IPPROTO_TCP);
	fresh = ins(ct, &on, &rn, now);
	assert_true(fresh >= 0);
	sb_ct_delete(ct, (uint32_t)a);
	kp = &rn;
	assert_int_equal(sb_ct_lookup_bulk(ct, &kp, 1, &data), 1);
	assert_int_equal(SB_CT_IDX(data), (uint32_t)fresh);
	assert_int_equal(sb_ct_count(ct), 2);
	sb_ct_free(ct);
}

/* Sessions per LAN host ([switchback] sessions_per_host): a host at
 * its limit is refused, the others are not; its count falls as its
 * sessions end, and hosts leaving the (open-addressing) count table
 * leave every other host's count intact. */
static void
test_conntrack_sessions_per_host(void **state)
{
	struct sb_ct *ct = table(4096);
	struct sb_ct_key o, r;
	int64_t idx[2560];
	uint32_t h5 = rte_cpu_to_be_32(0xc0a80105), h6 = rte_cpu_to_be_32(0xc0a80106);

	(void)state;
	assert_non_null(ct);
	sb_ct_set_host_max(ct, 10);
	/* Session i belongs to host i % 256: 300 sessions, hosts 0-43 two. */
	for (uint32_t i = 0; i < 300; i++) {
		pair(i, &o, &r);
		assert_true(sb_ct_host_admit(ct, o.src));
		idx[i] = ins(ct, &o, &r, 0);
		assert_true(idx[i] >= 0);
		sb_ct_host_count(ct, (uint32_t)idx[i]);
	}
	assert_int_equal(ct->n_hosts, 256);
	assert_int_equal(sb_ct_host_sessions(ct, h5), 2);
	assert_int_equal(sb_ct_host_sessions(ct, rte_cpu_to_be_32(0xc0a801ff)), 1);
	/* Host 5 up to its 10. */
	for (uint32_t i = 300 + 5 + 212; i < 2560; i += 256) {
		pair(i, &o, &r);
		assert_int_equal(o.src, h5);
		if (sb_ct_host_sessions(ct, h5) == 10) {
			assert_false(sb_ct_host_admit(ct, h5));
			break;
		}
		idx[i] = ins(ct, &o, &r, 0);
		assert_true(idx[i] >= 0);
		sb_ct_host_count(ct, (uint32_t)idx[i]);
	}
	assert_int_equal(sb_ct_host_sessions(ct, h5), 10);
	assert_false(sb_ct_host_admit(ct, h5));
	assert_true(sb_ct_host_admit(ct, h6));
	/* Hosts 64-191 end every session: out of the count table; the
	 * others keep theirs. */
	for (uint32_t i = 0; i < 300; i++)
		if ((i & 0xff) >= 64 && (i & 0xff) < 192)
			sb_ct_delete(ct, (uint32_t)idx[i]);
	assert_int_equal(ct->n_hosts, 128);
	for (uint32_t h = 0; h < 256; h++) {
		uint32_t a = rte_cpu_to_be_32(0xc0a80100 + h);
		uint32_t want = h >= 64 && h < 192 ? 0 : h == 5 ? 10 : h < 44 ? 2 : 1;

		assert_int_equal(sb_ct_host_sessions(ct, a), want);
	}
	/* One of host 5's sessions ends: it may open one more. */
	sb_ct_delete(ct, (uint32_t)idx[5]);
	assert_true(sb_ct_host_admit(ct, h5));
	/* 0: no limit. */
	sb_ct_set_host_max(ct, 0);
	assert_true(sb_ct_host_admit(ct, h5));
	sb_ct_free(ct);
}

/* Pages of [@p, @p + @len) that are not resident (mincore). */
static size_t
not_resident(const void *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
	size_t n = ((uintptr_t)p + len - a + pg - 1) / pg, miss = 0;
	unsigned char *v = malloc(n);

	assert_non_null(v);
	assert_int_equal(mincore((void *)a, n * pg, v), 0);
	for (size_t i = 0; i < n; i++)
		miss += !(v[i] & 1);
	free(v);
	return miss;
}

/* These tests' EAL runs without hugepages, whose heap maps a page when it
 * is first written: the tables a worker writes from its first packet on
 * are resident once created, or a flood's first sessions pay a page fault
 * each on the fast path (issue 11: ~500 in syn_outbound's first 100 ms).
 * First in the list: later tests' freed blocks come back zeroed by
 * memset, resident whatever the code under test does. */
static void
test_conntrack_tables_resident_when_created(void **state)
{
	struct sb_ct *ct = sb_ct_create("t_ct_res", 1u << 16, 0, 0, 7440, 240, 300, 60);
	struct sb_eim *m = sb_eim_create("t_eim_res", 1u << WAN, 1u << 16, 0);

	(void)state;
	assert_non_null(ct);
	assert_non_null(m);
	assert_int_equal(not_resident(ct->ft, sizeof(*ct->ft) + ct->ft->nb * sizeof(ct->ft->b[0])), 0);
	assert_int_equal(not_resident(ct->host, sizeof(*ct->host) * (ct->host_mask + 1)), 0);
	assert_int_equal(not_resident(ct, sizeof(*ct) + ct->capacity * sizeof(ct->s[0])), 0);
	assert_int_equal(not_resident(m, sizeof(*m) + m->slots.cap * sizeof(m->slot[0])), 0);
	assert_int_equal(not_resident(m->pool[WAN], sizeof(*m->pool[WAN])), 0);
	assert_int_equal(not_resident(m->by_ext[WAN], sizeof(uint32_t) * SB_NAT_PROTO_MAX * 65536), 0);
	sb_eim_free(m);
	sb_ct_free(ct);
}

SB_TEST_MAIN("conntrack", setup, sb_test_eal_down,
	     cmocka_unit_test(test_conntrack_tables_resident_when_created),
	     cmocka_unit_test(test_conntrack_insert_lookup_both_keys),
	     cmocka_unit_test(test_conntrack_sessions_per_host),
	     cmocka_unit_test(test_conntrack_sweep_session_from_the_future),
	     cmocka_unit_test(test_conntrack_port_readdress),
	     cmocka_unit_test(test_conntrack_bulk_lookup_hit_mask),
	     cmocka_unit_test(test_conntrack_duplicate_key_refused),
	     cmocka_unit_test(test_conntrack_full_table_keeps_sessions),
	     cmocka_unit_test(test_conntrack_sweep_expires_only_idle),
	     cmocka_unit_test(test_conntrack_sweep_budget_bounds_work),
	     cmocka_unit_test(test_conntrack_tcp_states_and_timeouts),
	     cmocka_unit_test(test_conntrack_rst_out_of_window_ignored),
	     cmocka_unit_test(test_conntrack_hairpin_and_plain_keys_rebuilt),
	     cmocka_unit_test(test_conntrack_keys_must_fit_translation),
	     cmocka_unit_test(test_conntrack_hit_checked_against_full_tuple),
	     cmocka_unit_test(test_conntrack_verify_reads_in_use_and_proto),
	     cmocka_unit_test(test_conntrack_owner_in_data_word),
	     cmocka_unit_test(test_conntrack_bytes_per_session_at_1m))
