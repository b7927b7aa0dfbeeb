/* SPDX-License-Identifier: BSD-3-Clause
 * bench_ct: the connection table at scale (scripts/bench ct).
 *
 *   bench_ct [EAL args] -- [--sessions N] [--json FILE]
 *
 * Creates a conntrack table for N sessions, fills it with N NAT sessions
 * (distinct inside endpoints talking to 256 servers, each with its reply
 * key on one WAN address), then looks every session up by both keys in
 * bursts of 32 through sb_ct_lookup_bulk, deletes every other session and
 * inserts as many new ones. Prints heap bytes per session (sessions and
 * flow table together: the <= 64 target), inserts per second, and cycles
 * per looked-up key. Exits 1 when an insert fails below capacity, a lookup
 * misses or finds another session, or a deleted session is still found:
 * the smoke test relies on these checks, not on timings. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_byteorder.h>

#include "conntrack.h"

#define WAN 1
#define WAN_ADDR 0xcb007102u
#define BURST 32

/* Session i: endpoint i >> 8 (192.168.0.0/16 + ports) to server 198.18.1.(i & 255):443,
 * external port unique per session (ports 1024-65535 on many reply tuples:
 * the reply key differs by server address anyway). */
static void
pair(uint32_t i, struct sb_ct_key *o, struct sb_ct_key *r)
{
	uint32_t ep = i >> 8, srv = 0xc6120100u | (i & 0xff);
	uint32_t lan = 0xc0a80000u + (ep % 65000) + 1;
	uint16_t lport = (uint16_t)(1024 + ep / 65000);

	memset(o, 0, sizeof(*o));
	memset(r, 0, sizeof(*r));
	o->src = rte_cpu_to_be_32(lan);
	o->dst = rte_cpu_to_be_32(srv);
	o->sport = rte_cpu_to_be_16(lport);
	o->dport = rte_cpu_to_be_16(443);
	o->proto = IPPROTO_TCP;
	r->src = o->dst;
	r->dst = rte_cpu_to_be_32(WAN_ADDR);
	r->sport = o->dport;
	/* The external port: the endpoint's mapping (EIM), spread over the
	 * port range; with 256 servers per endpoint the reply keys differ by
	 * server address. */
	r->dport = rte_cpu_to_be_16((uint16_t)(1024 + ep % 64512));
	r->proto = IPPROTO_TCP;
}

int
main(int argc, char **argv)
{
	uint64_t n = 1000000;
	const char *json = NULL;
	struct rte_malloc_socket_stats before, after;
	struct sb_ct *ct;
	int ret = rte_eal_init(argc, argv);

	if (ret < 0) {
		fprintf(stderr, "bench_ct: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	static const struct option opts[] = {
		{ "sessions", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			n = strtoull(optarg, NULL, 0);
		else if (c == 'j')
			json = optarg;
		else
			return 2;
	}
	/* 65000 endpoints x 256 servers: the pattern's distinct sessions. */
	if (n == 0 || n > 65000ull * 256 * 10) {
		fprintf(stderr, "bench_ct: --sessions 1..%llu\n", 65000ull * 256 * 10);
		return 2;
	}
	rte_malloc_get_socket_stats(0, &before);
	ct = sb_ct_create("bench_ct", (uint32_t)n, 0, 0, 7440, 240, 300, 60);
	rte_malloc_get_socket_stats(0, &after);
	if (ct == NULL) {
		fprintf(stderr, "bench_ct: cannot create a table for %" PRIu64 " sessions: %s "
			"(give the EAL more memory: -m, or hugepages)\n", n, rte_strerror(rte_errno));
		return 1;
	}
	sb_ct_set_port_addr(ct, WAN, rte_cpu_to_be_32(WAN_ADDR));
	double per = (double)(after.heap_allocsz_bytes - before.heap_allocsz_bytes) / (double)n;
	uint64_t hz = rte_get_tsc_hz(), t0, t1, t2, t3;
	uint64_t bad = 0;

	t0 = rte_rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		struct sb_ct_key o, r;

		pair((uint32_t)i, &o, &r);
		if (sb_ct_insert(ct, &o, &r, SB_CT_NAT_SRC, WAN, t0) != (int64_t)i) {
			if (bad++ < 5)
				fprintf(stderr, "bench_ct: insert %" PRIu64 " failed\n", i);
		}
	}
	t1 = rte_rdtsc();
	/* Both directions of every session, 32 keys a call. */
	for (uint64_t base = 0; base < n; base += BURST / 2) {
		struct sb_ct_key k[BURST];
		const struct sb_ct_key *kp[BURST];
		uint64_t data[BURST];
		unsigned m = 0;

		for (uint64_t i = base; i < n && i < base + BURST / 2; i++) {
			pair((uint32_t)i, &k[m], &k[m + 1]);
			kp[m] = &k[m];
			kp[m + 1] = &k[m + 1];
			m += 2;
		}
		uint64_t hits = sb_ct_lookup_bulk(ct, kp, m, data);

		for (unsigned j = 0; j < m; j++)
			if (!(hits >> j & 1) || SB_CT_IDX(data[j]) != base + j / 2 ||
			    SB_CT_DIR(data[j]) != (j & 1)) {
				if (bad++ < 5)
					fprintf(stderr, "bench_ct: session %" PRIu64 " not found\n",
						base + j / 2);
			}
	}
	t2 = rte_rdtsc();
	/* Churn: half out, as many new ones in (indices are reused). */
	for (uint64_t i = 0; i < n; i += 2)
		sb_ct_delete(ct, (uint32_t)i);
	for (uint64_t i = 0; i < n; i += 2) {
		struct sb_ct_key o, r;

		pair((uint32_t)i, &o, &r);
		if (sb_ct_lookup(ct, &o) >= 0 || sb_ct_lookup(ct, &r) >= 0) {
			if (bad++ < 5)
				fprintf(stderr, "bench_ct: deleted session %" PRIu64 " found\n", i);
		}
		r.sport = rte_cpu_to_be_16(8443);
		o.dport = r.sport;
		if (sb_ct_insert(ct, &o, &r, SB_CT_NAT_SRC, WAN, t2) < 0) {
			if (bad++ < 5)
				fprintf(stderr, "bench_ct: re-insert %" PRIu64 " failed\n", i);
		}
	}
	t3 = rte_rdtsc();
	if (sb_ct_count(ct) != n) {
		fprintf(stderr, "bench_ct: %u sessions after the churn, expected %" PRIu64 "\n",
			sb_ct_count(ct), n);
		bad++;
	}
	double ins_s = (double)n / ((double)(t1 - t0) / (double)hz);
	double cyc_lookup = (double)(t2 - t1) / (double)(2 * n);
	double churn_s = (double)n / ((double)(t3 - t2) / (double)hz);

	printf("== ct: %" PRIu64 " sessions\n", n);
	printf("  bytes per session:   %.1f  (sessions and flow table; target <= 64)\n", per);
	printf("  inserts/s:           %.0f  (%.0f cycles each, key building included)\n", ins_s,
	       (double)(t1 - t0) / (double)n);
	printf("  lookup, both keys:   %.1f cycles per key (bulk of %d, verified)\n", cyc_lookup,
	       BURST);
	printf("  churn (delete+insert half): %.0f operations/s\n", churn_s);
	printf("  result:              %s\n", bad ? "FAILED" : "every session found, inserted "
	       "and deleted as expected");
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		if (f != NULL) {
			fprintf(f, "{\"sessions\": %" PRIu64 ", \"bytes_per_session\": %.1f, "
				"\"inserts_per_s\": %.0f, \"lookup_cycles_per_key\": %.1f, "
				"\"errors\": %" PRIu64 "}\n", n, per, ins_s, cyc_lookup, bad);
			fclose(f);
		}
	}
	sb_ct_free(ct);
	rte_eal_cleanup();
	return bad ? 1 : 0;
}
