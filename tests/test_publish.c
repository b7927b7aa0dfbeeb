/* SPDX-License-Identifier: BSD-3-Clause
 * Publication under load: a real reader lcore looks up the FIB and reads
 * the published nexthop groups while the control side republishes the
 * state and changes FIB entries thousands of times. Every state the reader
 * sees must be whole (no torn reads) and never freed under it (freed
 * states are poisoned, so a late read shows). */
#include "test_config_load.h"

#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_rcu_qsbr.h>
#include <rte_malloc.h>

#include "publish.h"
#include "fib.h"
#include "rib.h"
#include "sb_config.h"
#include "test_rcu_reader.h"

#define GROUPS 64
#define ROUNDS 20000

struct shared {
	struct reader r;
	struct sb_dp_state *state;
	struct sb_fib *fib;
	uint32_t ip;              /* the reader's pseudo-random address */
	uint64_t reads, lookups, bad;
};

static int
setup(void **state)
{
	char *argv[] = { "test", "--no-huge", "-m", "512", "--no-pci", "-l", "0,1",
			 "--file-prefix", sb_test_prefix, "--log-level", "lib.*:warning",
			 "--no-telemetry", NULL };

	(void)state;
	snprintf(sb_test_prefix, sizeof(sb_test_prefix), "sbtest_publish_%d", (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ? -1 : 0;
}

/* Every path of a state carries its version: a mix of two states, or a
 * poisoned one, breaks that. */
static struct sb_dp_state *
make_state(uint64_t version)
{
	struct sb_dp_state *st = sb_publish_state_alloc(GROUPS);

	assert_non_null(st);
	st->version = version;
	for (unsigned g = 0; g < GROUPS; g++) {
		st->nhg[g].n_paths = 2;
		for (unsigned k = 0; k < 2; k++) {
			st->nhg[g].path[k].gw = (uint32_t)version;
			st->nhg[g].path[k].port = (uint16_t)(version & 7);
		}
	}
	return st;
}

static void
read_state(void *arg)
{
	struct shared *sh = arg;
	const struct sb_dp_state *st = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);
	uint32_t nh;

	if (st->n_nhg != GROUPS)
		sh->bad++;
	for (unsigned g = 0; g < GROUPS && st->n_nhg == GROUPS; g++)
		if (st->nhg[g].n_paths != 2 ||
		    st->nhg[g].path[0].gw != (uint32_t)st->version ||
		    st->nhg[g].path[1].gw != (uint32_t)st->version ||
		    st->nhg[g].path[1].port != (st->version & 7))
			sh->bad++;
	/* FIB entries come and go under us; any answer must be a group that
	 * exists. */
	sh->ip = sh->ip * 1103515245u + 12345u;
	if (sb_fib_lookup(sh->fib, 0, 0x0a000000 | (sh->ip & 0x00ffffff), &nh) == 0) {
		sh->lookups++;
		if (nh >= GROUPS)
			sh->bad++;
	}
	sh->reads++;
}

static void
test_publish_reader_never_sees_torn_or_freed_state(void **state)
{
	struct shared *sh = rte_zmalloc("sh", sizeof(*sh), 64);
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);

	(void)state;
	assert_non_null(sh);
	assert_true(lcore < RTE_MAX_LCORE);
	sh->r.qs = rte_zmalloc("qs", sz, RTE_CACHE_LINE_SIZE);
	assert_int_equal(rte_rcu_qsbr_init(sh->r.qs, 1), 0);
	sh->fib = sb_fib_create("t_pubfib", 1, 4096, sh->r.qs);
	assert_non_null(sh->fib);
	sh->state = make_state(1);
	sh->r.read = read_state;
	sh->ip = 0x0a000001;
	assert_int_equal(rte_eal_remote_launch(rcu_reader, sh, lcore), 0);

	for (uint64_t v = 2; v <= ROUNDS; v++) {
		/* A route appears and an older one goes: tbl8 groups are
		 * reclaimed through the LPM's own RCU binding. */
		uint32_t pfx = 0x0a000000 | (uint32_t)((v % 256) << 16) | (uint32_t)((v % 7) << 8);

		assert_int_equal(sb_fib_set(sh->fib, 0, pfx, 24, (uint32_t)(v % GROUPS)), 0);
		if (v > 100) {
			uint64_t o = v - 100;

			sb_fib_del(sh->fib, 0, 0x0a000000 | (uint32_t)((o % 256) << 16) |
				   (uint32_t)((o % 7) << 8), 24);
		}
		sb_publish_state_retire(sb_publish_state_swap(&sh->state, make_state(v)), sh->r.qs);
	}
	__atomic_store_n(&sh->r.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	print_message("reader: %lu reads, %lu FIB hits, %d publications\n",
		      (unsigned long)sh->reads, (unsigned long)sh->lookups, ROUNDS - 1);
	assert_true(sh->reads > 1000);
	assert_true(sh->lookups > 0);
	assert_int_equal(sh->bad, 0);
	sb_publish_state_free(sh->state);
	sb_fib_free(sh->fib);
	rte_free(sh->r.qs);
	rte_free(sh);
}

/* The same under real failovers: the RIB (5,000 prefixes sharing one
 * group over two gateways, wan1 going down and up 2,000 times), its
 * published groups and the rte_fib FIB, with a reader looking up every
 * sampled prefix and reading its group on each pass. Every answer must be
 * a whole path via A or B, never a freed (poisoned) group. */
#define PFX 5000
#define FAILOVERS 2000
#define GW_A 0xcb007101u
#define GW_B 0xc6336401u

struct rib_shared {
	struct reader r;
	struct sb_dp_state *state;
	struct sb_dp_state *spare;
	struct sb_fib *fib;
	uint32_t i;               /* the reader's next prefix */
	uint64_t reads, via_a, via_b, bad;
};

static void
read_rib_state(void *arg)
{
	struct rib_shared *sh = arg;
	const struct sb_dp_state *st = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);

	for (unsigned k = 0; k < 64; k++, sh->i = (sh->i + 7919) % PFX) {
		uint32_t g;
		const struct sb_nhg *n;

		if (sb_fib_lookup(sh->fib, 0, 0x10000001u + (sh->i << 8), &g) != 0 ||
		    g >= st->n_nhg) {
			sh->bad++;
			continue;
		}
		n = &st->nhg[g];
		if (n->n_paths != 1)
			sh->bad++;
		else if (n->path[0].gw == GW_A && n->path[0].port == 1)
			sh->via_a++;
		else if (n->path[0].gw == GW_B && n->path[0].port == 2)
			sh->via_b++;
		else
			sh->bad++;
		sh->reads++;
	}
}

static int32_t
nb_any(void *ctx, uint16_t port, uint32_t gw)
{
	(void)ctx, (void)gw;
	return port;
}

static void
rib_publish(struct rib_shared *sh, struct sb_rib *rib)
{
	struct sb_dp_state *st;

	sb_rib_resolve(rib);
	/* As sb_publish does: the retired state is kept (poisoned) and
	 * reused by the next publication. */
	st = sb_publish_state_take(&sh->spare, rib->n_groups);
	assert_non_null(st);
	sb_publish_state_fill(st, rib, nb_any, NULL);
	st = sb_publish_state_swap(&sh->state, st);
	assert_true(sb_publish_fib(rib, sh->fib) >= 0);
	sb_publish_state_keep(st, sh->r.qs, &sh->spare);
}

static void
test_publish_rib_failovers_under_a_reader(void **state)
{
	struct rib_shared *sh = rte_zmalloc("rsh", sizeof(*sh), 64);
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	struct sb_config *cfg = sb_test_config(SB_TEST_PORTS);
	struct sb_rib *rib;

	(void)state;
	assert_non_null(sh);
	rib = sb_test_rib(cfg);
	sh->r.qs = rte_zmalloc("rqs", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	assert_int_equal(rte_rcu_qsbr_init(sh->r.qs, 1), 0);
	sh->fib = sb_fib_create("t_ribfib", 1, PFX + 64, sh->r.qs);
	assert_non_null(sh->fib);
	for (uint32_t i = 0; i < PFX; i++) {
		struct sb_route_conf rc = { .dst = 0x10000000u + (i << 8), .prefix_len = 24,
					    .gw_port = -1, .scope = 30, .target_scope = 10 };

		snprintf(rc.name, sizeof(rc.name), "p%u-a", i);
		rc.gw = GW_A;
		rc.distance = 1;
		assert_true(sb_rib_add(rib, &rc) >= 0);
		snprintf(rc.name, sizeof(rc.name), "p%u-b", i);
		rc.gw = GW_B;
		rc.distance = 2;
		assert_true(sb_rib_add(rib, &rc) >= 0);
	}
	rib_publish(sh, rib);
	sh->r.read = read_rib_state;
	assert_int_equal(rte_eal_remote_launch(rcu_reader, sh, lcore), 0);
	for (unsigned f = 0; f < FAILOVERS; f++) {
		rib->port_down[1] = !(f & 1);
		rib_publish(sh, rib);
	}
	__atomic_store_n(&sh->r.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	print_message("reader: %lu reads (%lu via A, %lu via B), %d failovers, %u groups\n",
		      (unsigned long)sh->reads, (unsigned long)sh->via_a, (unsigned long)sh->via_b,
		      FAILOVERS, rib->n_groups);
	assert_true(sh->via_a > 0 && sh->via_b > 0);
	assert_int_equal(sh->bad, 0);
	assert_true(rib->n_groups < 8); /* shared, not one per prefix */
	sb_publish_state_free(sh->state);
	sb_publish_state_free(sh->spare);
	sb_fib_free(sh->fib);
	sb_rib_free(rib);
	sb_config_free(cfg);
	rte_free(sh->r.qs);
	rte_free(sh);
}

/* Neighbour indices the test hands out: two gateways on wan1 (ECMP), one
 * on wan2. */
#define NB_W1A 10
#define NB_W1B 11
#define NB_W2 20

static int32_t
nb_fixed(void *ctx, uint16_t port, uint32_t gw)
{
	(void)ctx, (void)port;
	return gw == 0xcb007101u ? NB_W1A : gw == 0xcb007103u ? NB_W1B :
	       gw == 0xc6336401u ? NB_W2 : -1;
}

/* Publish @rib as sb_publish does (WAN 1 up or down) and check that
 * exactly the neighbours in @dead are marked. */
static void
publish_dead(struct sb_rib *rib, uint8_t *was, bool wan1_up, const unsigned *dead, unsigned n)
{
	struct sb_dp_state *st;

	sb_rib_resolve(rib);
	st = sb_publish_state_alloc(rib->n_groups);
	assert_non_null(st);
	sb_publish_state_fill(st, rib, nb_fixed, NULL);
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		st->wan[p].up = 1;
	st->wan[1].up = wan1_up;
	assert_int_equal(sb_publish_mark_dead(st, was), n);
	for (unsigned i = 0; i < SB_MAX_NEIGH; i++) {
		bool want = false;

		for (unsigned k = 0; k < n; k++)
			want |= dead[k] == i;
		if (st->nb_dead[i] != want)
			fail_msg("neighbour %u: dead %u, expected %u", i, st->nb_dead[i], want);
	}
	sb_publish_state_free(st);
}

/* Issue 5, path stickiness: a gateway that leaves every group is marked
 * dead (its sessions move), the surviving ECMP gateway of the same WAN and
 * the other WAN's gateway are not; dead stays dead across publications
 * until the gateway is a path again; a gateway of a WAN that is down is
 * the WAN's business (sessions_on_down), not marked. */
static void
test_publish_marks_exactly_the_dead_paths(void **state)
{
	struct sb_config *cfg = sb_test_config(SB_TEST_PORTS);
	struct sb_route_conf rc = { .dst = 0, .prefix_len = 0, .gw_port = -1, .scope = 30,
				    .target_scope = 10, .distance = 1 };
	static uint8_t was[SB_MAX_NEIGH];
	const unsigned w1b[] = { NB_W1B }, both[] = { NB_W1A, NB_W1B };
	struct sb_rib *rib;
	int b;

	(void)state;
	rib = sb_test_rib(cfg);
	snprintf(rc.name, sizeof(rc.name), "w1a");
	rc.gw = 0xcb007101u;
	assert_true(sb_rib_add(rib, &rc) >= 0);
	snprintf(rc.name, sizeof(rc.name), "w1b");
	rc.gw = 0xcb007103u;
	assert_true(sb_rib_add(rib, &rc) >= 0);
	snprintf(rc.name, sizeof(rc.name), "w2");
	rc.dst = 0xc6120000u;
	rc.prefix_len = 15;
	rc.gw = 0xc6336401u;
	assert_true(sb_rib_add(rib, &rc) >= 0);
	b = sb_rib_find(rib, "w1b");
	assert_true(b >= 0);

	publish_dead(rib, was, true, NULL, 0);          /* all up */
	rib->r[b].disabled = true;                      /* one ECMP gateway goes */
	sb_rib_route_changed(rib, (unsigned)b);
	publish_dead(rib, was, true, w1b, 1);
	publish_dead(rib, was, true, w1b, 1);           /* still dead next time */
	rib->r[b].disabled = false;                     /* back: a path again */
	sb_rib_route_changed(rib, (unsigned)b);
	publish_dead(rib, was, true, NULL, 0);
	rib->port_down[1] = true;                       /* WAN 1 down as a whole */
	publish_dead(rib, was, false, NULL, 0);         /* left to sessions_on_down */
	publish_dead(rib, was, true, both, 2);          /* its paths gone, WAN up: dead */
	rib->port_down[1] = false;
	publish_dead(rib, was, true, NULL, 0);
	sb_rib_free(rib);
	sb_config_free(cfg);
}

SB_TEST_MAIN("publish", setup, sb_test_eal_down,
	     cmocka_unit_test(test_publish_reader_never_sees_torn_or_freed_state),
	     cmocka_unit_test(test_publish_rib_failovers_under_a_reader),
	     cmocka_unit_test(test_publish_marks_exactly_the_dead_paths))
