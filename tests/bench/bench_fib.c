/* SPDX-License-Identifier: BSD-3-Clause
 * bench_fib: prefix-independent failover, measured (scripts/bench fib).
 *
 *   bench_fib [EAL args] -- [--routes N] [--samples S] [--json FILE]
 *
 * Loads N prefixes, each with two routes (distance 1 via gateway A on
 * wan1, distance 2 via gateway B on wan2, both resolved recursively over
 * the connected routes), through the project's own code: sb_config_load,
 * sb_rib_add/sb_rib_resolve, sb_publish_state_take/sb_publish_state_fill/sb_publish_state_swap/
 * sb_publish_state_keep, sb_publish_fib
 * into the rte_fib FIB. A reader on a worker lcore then looks up S sampled
 * prefixes in the FIB and reads their group's first path in a loop
 * (1024 lookups per pass, cycling over the samples), reporting quiescence
 * to rte_rcu_qsbr after every pass, and records the
 * TSC at which it first sees each sample leave through B.
 *
 * The control side takes wan1 down (the decision: t0), resolves, publishes
 * and retires the old state; then brings it back; five times. Switch time
 * = from t0 until the reader has seen every sample on B and the old state
 * is reclaimed, whichever is later (median of the five failovers). Exits 1 when a sample did not move, a lookup failed or saw a
 * path other than A or B, or the failover wrote the FIB entries of routed
 * prefixes (it must rewrite groups only; wan1's own connected prefix does
 * leave the FIB): the smoke test relies on these checks, not on timings. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "sb_config.h"
#include "sb_tables.h"
#include "rib.h"
#include "fib.h"
#include "publish.h"
#include "../test_rcu_reader.h"

#define GW_A 0xcb007101u /* 203.0.113.1, wan1's router */
#define GW_B 0xc6336401u /* 198.51.100.1, wan2's router */
#define LOOKUPS 1024     /* FIB lookups + group reads per reader pass */
#define CYCLES 5         /* failovers (and failbacks) per run */

struct shared {
	struct reader r;
	struct sb_dp_state *state;
	struct sb_dp_state *spare;  /* control only: the last retired state */
	struct sb_fib *fib;
	uint32_t n_samples;
	uint32_t *ip;           /* sampled destinations */
	uint64_t *seen;         /* TSC when the reader first saw @want, 0 = not yet */
	uint32_t want;          /* the gateway samples must move to */
	uint64_t passes, lost, bad, back;
};

/* Synthetic prefixes for the table only (no packet is sent): /24s from
 * 16.0.0.0 on, clear of the gateways and the lab's ranges. */
static uint32_t
prefix_of(uint32_t i)
{
	return 0x10000000u + (i << 8);
}

/* One reader pass. */
static void
read_pass(void *arg)
{
	struct shared *sh = arg;
	const struct sb_dp_state *st = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);

	/* One pass = LOOKUPS lookups whatever the table size, so that the
	 * reader's loop (and its quiescent reports) keeps the same pace for 1
	 * and 1M prefixes. */
	for (uint32_t l = 0; l < LOOKUPS; l++) {
		uint32_t s = l % sh->n_samples, g, gw, want;

		if (sb_fib_lookup(sh->fib, 0, sh->ip[s], &g) != 0 || g >= st->n_nhg ||
		    st->nhg[g].n_paths == 0) {
			sh->lost++;
			continue;
		}
		gw = st->nhg[g].path[0].gw;
		want = __atomic_load_n(&sh->want, __ATOMIC_ACQUIRE);
		if (want == 0) {
			/* Between rounds: only the path's sanity counts. */
			if (gw != GW_A && gw != GW_B)
				sh->bad++;
		} else if (gw == want) {
			if (sh->seen[s] == 0)
				__atomic_store_n(&sh->seen[s], rte_rdtsc(), __ATOMIC_RELEASE);
		} else if (gw == GW_A || gw == GW_B) {
			if (sh->seen[s] != 0)
				sh->back++; /* moved, then moved back */
		} else {
			sh->bad++;
		}
	}
	__atomic_store_n(&sh->passes, sh->passes + 1, __ATOMIC_RELEASE);
}

static void
wait_passes(struct shared *sh, uint64_t n)
{
	uint64_t p0 = __atomic_load_n(&sh->passes, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&sh->passes, __ATOMIC_ACQUIRE) < p0 + n)
		rte_pause();
}

static uint8_t was_path[SB_MAX_NEIGH]; /* as sb_ctl's, for sb_publish_mark_dead */

static int32_t
neigh_stub(void *ctx, uint16_t port, uint32_t gw)
{
	/* No neighbour table here: any index will do for the reader. */
	(void)ctx;
	(void)gw;
	return port;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double
secs(uint64_t a, uint64_t b)
{
	return (double)(b - a) / (double)rte_get_tsc_hz();
}

/* Resolve and publish like sb_publish: new state, swap, FIB, retire.
 * Returns the FIB writes; *@swapped and *@reclaimed get TSCs. */
static int
publish(struct shared *sh, struct sb_rib *rib, uint64_t *swapped, uint64_t *reclaimed,
	unsigned *changed)
{
	struct sb_dp_state *st, *old;
	int writes;

	*changed = sb_rib_resolve(rib);
	st = sb_publish_state_take(&sh->spare, rib->n_groups);
	if (st == NULL)
		return -ENOMEM;
	old = sh->state;
	st->version = old != NULL ? old->version + 1 : 1;
	sb_publish_state_fill(st, rib, neigh_stub, NULL);
	/* As sb_publish: WANs up, then the dead-gateway bytes. */
	for (unsigned p = 0; p < SB_MAX_PORTS; p++)
		st->wan[p].up = 1;
	sb_publish_mark_dead(st, was_path);
	sb_publish_state_swap(&sh->state, st);
	*swapped = rte_rdtsc();
	writes = sb_publish_fib(rib, sh->fib);
	sb_publish_state_keep(old, sh->r.qs, &sh->spare);
	*reclaimed = rte_rdtsc();
	return writes;
}

static struct sb_config *
two_wans(void)
{
	char path[] = "/tmp/sb-bench-fib-XXXXXX", err[256];
	const char *ini =
		"[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n"
		"[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n"
		"[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\n";
	int fd = mkstemp(path);
	struct sb_config *cfg;

	if (fd < 0 || write(fd, ini, strlen(ini)) != (ssize_t)strlen(ini)) {
		perror("bench_fib: config");
		return NULL;
	}
	close(fd);
	cfg = sb_config_load(path, err, sizeof(err));
	unlink(path);
	if (cfg == NULL)
		fprintf(stderr, "bench_fib: %s\n", err);
	return cfg;
}

int
main(int argc, char **argv)
{
	uint32_t n = 1, n_samples = 1024;
	const char *json = NULL;
	char prefix_arg[64];
	char *eal[64];
	int n_eal = 0, ret = 1, opt;
	bool has_prefix = false;

	/* EAL arguments up to "--"; a private --file-prefix unless given. */
	for (n_eal = 0; n_eal < argc && n_eal < 60 && strcmp(argv[n_eal], "--") != 0; n_eal++) {
		eal[n_eal] = argv[n_eal];
		has_prefix |= strcmp(argv[n_eal], "--file-prefix") == 0;
	}
	int rest = n_eal < argc ? n_eal + 1 : argc;

	if (!has_prefix) {
		snprintf(prefix_arg, sizeof(prefix_arg), "sbbench_fib_%d", (int)getpid());
		eal[n_eal++] = "--file-prefix";
		eal[n_eal++] = prefix_arg;
	}
	eal[n_eal] = NULL;
	if (rte_eal_init(n_eal, eal) < 0) {
		fprintf(stderr, "bench_fib: EAL init failed\n");
		return 1;
	}
	static const struct option longopts[] = {
		{ "routes", required_argument, NULL, 'r' },
		{ "samples", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	argv[rest - 1] = argv[0];
	optind = 1;
	while ((opt = getopt_long(argc - rest + 1, argv + rest - 1, "", longopts, NULL)) != -1) {
		if (opt == 'r')
			n = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 's')
			n_samples = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 'j')
			json = optarg;
		else
			goto out;
	}
	if (n == 0 || n > (1u << 24) - (1u << 20)) {
		fprintf(stderr, "bench_fib: --routes must be 1 to 15728640\n");
		goto out;
	}
	if (n_samples > n)
		n_samples = n;
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);

	if (lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench_fib: needs two lcores (-l 0,1)\n");
		goto out;
	}

	struct shared *sh = rte_zmalloc("bench_sh", sizeof(*sh), 64);
	struct sb_config *cfg = two_wans();

	if (sh == NULL || cfg == NULL)
		goto out;
	sh->r.qs = rte_zmalloc("bench_qs", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	sh->ip = rte_zmalloc("bench_ip", sizeof(*sh->ip) * n_samples, 64);
	sh->seen = rte_zmalloc("bench_seen", sizeof(*sh->seen) * n_samples, 64);
	if (sh->r.qs == NULL || sh->ip == NULL || sh->seen == NULL ||
	    rte_rcu_qsbr_init(sh->r.qs, 1) != 0)
		goto out;
	sh->n_samples = n_samples;
	for (uint32_t s = 0; s < n_samples; s++)
		sh->ip[s] = prefix_of((uint32_t)((uint64_t)s * n / n_samples)) | 1;

	/* --- load ----------------------------------------------------------- */
	uint64_t t_load0 = rte_rdtsc(), t_rib, t_sw, t_rec;
	unsigned changed;

	sh->fib = sb_fib_create("bench_fib", 1, n + 64, sh->r.qs);
	struct sb_rib *rib = sb_rib_create(cfg);

	if (sh->fib == NULL || rib == NULL) {
		fprintf(stderr, "bench_fib: cannot create the FIB or RIB (more -m?)\n");
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct sb_route_conf rc = {
			.dst = prefix_of(i), .prefix_len = 24, .gw_port = -1,
			.scope = 30, .target_scope = 10,
		};

		snprintf(rc.name, sizeof(rc.name), "p%u-a", i);
		rc.gw = GW_A;
		rc.distance = 1;
		if (sb_rib_add(rib, &rc) < 0)
			goto nomem;
		snprintf(rc.name, sizeof(rc.name), "p%u-b", i);
		rc.gw = GW_B;
		rc.distance = 2;
		if (sb_rib_add(rib, &rc) < 0)
			goto nomem;
	}
	t_rib = rte_rdtsc();
	int loaded = publish(sh, rib, &t_sw, &t_rec, &changed);
	uint64_t t_load1 = rte_rdtsc();

	if (loaded < 0 || (uint32_t)loaded < n) {
		fprintf(stderr, "bench_fib: only %d of %u prefixes entered the FIB\n", loaded, n);
		goto out;
	}
	printf("bench_fib: %u prefixes (%u routes) loaded in %.3f s (tables + RIB %.3f s, resolve + "
	       "FIB %.3f s): %u groups, %u classes, %u special prefixes\n", n, rib->n_routes,
	       secs(t_load0, t_load1), secs(t_load0, t_rib), secs(t_rib, t_load1), rib->n_groups,
	       rib->n_classes, rib->n_special);

	/* A no-op publication, as the daemon makes several before any
	 * failover: the retired state is kept for reuse (sb_publish_state_keep). */
	publish(sh, rib, &t_sw, &t_rec, &changed);

	/* --- fail gateway A, restore it, CYCLES times ------------------------ */
	double sw[CYCLES], pub[CYCLES], rec[CYCLES], back_us[CYCLES];
	uint32_t moved = n_samples, moved_back = n_samples;
	int fw_max = 0;
	unsigned changed_first = 0;

	sh->want = GW_A;
	sh->r.read = read_pass;
	if (rte_eal_remote_launch(rcu_reader, sh, lcore) != 0)
		goto out;
	while (__atomic_load_n(&sh->passes, __ATOMIC_ACQUIRE) < 100)
		rte_pause();
	for (int cyc = 0; cyc < 2 * CYCLES; cyc++) {
		bool down = (cyc & 1) == 0;
		uint32_t m = 0;
		uint64_t t0, deadline, t_seen = 0;
		int fw;

		/* Everything is on the old path now. Expect nothing while the
		 * marks are cleared (a reader expecting the old path would
		 * mark again), then the new path; each after whole passes. */
		__atomic_store_n(&sh->want, 0, __ATOMIC_RELEASE);
		wait_passes(sh, 2);
		for (uint32_t s = 0; s < n_samples; s++)
			__atomic_store_n(&sh->seen[s], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&sh->want, down ? GW_B : GW_A, __ATOMIC_RELEASE);
		wait_passes(sh, 2);
		t0 = rte_rdtsc();
		rib->port_down[1] = down; /* wan1 goes down (or up): the control decision */
		fw = publish(sh, rib, &t_sw, &t_rec, &changed);
		deadline = t0 + rte_get_tsc_hz();
		for (uint32_t s = 0; s < n_samples; s++) {
			uint64_t v;

			while ((v = __atomic_load_n(&sh->seen[s], __ATOMIC_ACQUIRE)) == 0 &&
			       rte_rdtsc() < deadline)
				rte_pause();
			if (v != 0) {
				m++;
				if (v > t_seen)
					t_seen = v;
			}
		}
		if (fw < 0 || fw > fw_max)
			fw_max = fw < 0 ? 1 << 30 : fw;
		if (cyc == 0)
			changed_first = changed;
		if (down) {
			moved = m < moved ? m : moved;
			sw[cyc / 2] = secs(t0, t_seen > t_rec ? t_seen : t_rec) * 1e6;
			pub[cyc / 2] = secs(t0, t_sw) * 1e6;
			rec[cyc / 2] = secs(t0, t_rec) * 1e6;
		} else {
			moved_back = m < moved_back ? m : moved_back;
			back_us[cyc / 2] = secs(t0, t_seen > t_rec ? t_seen : t_rec) * 1e6;
		}
	}
	uint64_t passes_after = __atomic_load_n(&sh->passes, __ATOMIC_ACQUIRE);

	__atomic_store_n(&sh->r.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);

	double switch_us = median(sw, CYCLES), publish_us = median(pub, CYCLES);
	double reclaim_us = median(rec, CYCLES), failback_us = median(back_us, CYCLES);
	double switch_max = sw[CYCLES - 1];
	int fw = fw_max;

	changed = changed_first;
	/* The only FIB writes allowed: special prefixes (here wan1's connected
	 * /24 leaving and re-entering the FIB), never one per routed prefix. */
	bool ok = moved == n_samples && moved_back == n_samples && sh->lost == 0 && sh->bad == 0 &&
		  sh->back == 0 && fw >= 0 && (unsigned)fw <= rib->n_special;

	printf("bench_fib: wan1 down (median of %d): switch %.1f us (max %.1f; state published "
	       "%.1f us, old state reclaimed %.1f us); back up: %.1f us; %u groups changed, "
	       "at most %d FIB writes; %u/%u samples moved, %u/%u back, %" PRIu64 " lost, %" PRIu64
	       " wrong, %" PRIu64 " flapped; reader passes %" PRIu64 " (%u lookups each)\n",
	       CYCLES, switch_us, switch_max, publish_us, reclaim_us, failback_us, changed, fw,
	       moved, n_samples, moved_back, n_samples, sh->lost, sh->bad, sh->back, passes_after,
	       LOOKUPS);
	if (!ok)
		printf("bench_fib: FAIL: %s%s%s%s\n",
		       moved != n_samples || moved_back != n_samples ? "not every sample moved; " : "",
		       sh->lost ? "lookups lost; " : "", sh->bad || sh->back ? "wrong paths seen; " : "",
		       fw < 0 || (unsigned)fw > rib->n_special ?
		       "the failover rewrote routed prefixes' FIB entries; " : "");
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		if (f == NULL) {
			perror(json);
			goto out;
		}
		fprintf(f, "{\"routes\": %u, \"rib_routes\": %u, \"load_s\": %.4f, "
			"\"load_rib_s\": %.4f, \"load_resolve_fib_s\": %.4f, \"switch_us\": %.2f, "
			"\"publish_us\": %.2f, \"reclaim_us\": %.2f, \"failback_us\": %.2f, "
			"\"switch_us_max\": %.2f, \"cycles\": %d, "
			"\"groups\": %u, \"classes\": %u, \"special_prefixes\": %u, "
			"\"groups_changed\": %u, \"fib_writes_on_failover\": %d, \"samples\": %u, "
			"\"moved\": %u, \"lost\": %" PRIu64 ", \"wrong\": %" PRIu64 ", "
			"\"ok\": %s}\n", n, rib->n_routes, secs(t_load0, t_load1), secs(t_load0, t_rib),
			secs(t_rib, t_load1), switch_us, publish_us, reclaim_us, failback_us,
			switch_max, CYCLES, rib->n_groups,
			rib->n_classes, rib->n_special, changed, fw, n_samples, moved, sh->lost,
			sh->bad + sh->back, ok ? "true" : "false");
		fclose(f);
	}
	ret = ok ? 0 : 1;
	sb_publish_state_free(sh->state);
	sb_publish_state_free(sh->spare);
	sb_rib_free(rib);
	sb_fib_free(sh->fib);
	sb_config_free(cfg);
	goto out;
nomem:
	fprintf(stderr, "bench_fib: out of memory adding routes\n");
out:
	rte_eal_cleanup();
	return ret;
}
