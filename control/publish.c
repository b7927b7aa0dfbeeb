/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "publish.h"
#include "rib.h"
#include "fib.h"
#include "ecmp.h"
#include "neigh.h"
#include "pcc.h"
#include "sb_config.h"
#include "sb_log.h"
#include "sb_probe_expect.h"

struct sb_dp_state *
sb_publish_state_alloc(uint32_t n_nhg)
{
	struct sb_dp_state *st = rte_zmalloc("sb_state", sizeof(*st), 64);

	if (st == NULL)
		return NULL;
	st->nhg = rte_zmalloc("sb_nhg", sizeof(*st->nhg) * (n_nhg ? n_nhg : 1), 64);
	if (st->nhg == NULL) {
		rte_free(st);
		return NULL;
	}
	st->n_nhg = n_nhg;
	st->cap_nhg = n_nhg ? n_nhg : 1;
	return st;
}

void
sb_publish_state_free(struct sb_dp_state *st)
{
	if (st == NULL)
		return;
	/* Poison first: a reader that kept it past its grace period would
	 * see nonsense instead of plausible old data (the RCU test checks). */
	memset(st->nhg, 0xa5, sizeof(*st->nhg) * (st->cap_nhg ? st->cap_nhg : 1));
	rte_free(st->nhg);
	memset(st, 0xa5, sizeof(*st));
	rte_free(st);
}

struct sb_dp_state *
sb_publish_state_take(struct sb_dp_state **spare, uint32_t n_nhg)
{
	struct sb_dp_state *st = *spare;

	if (st == NULL || st->cap_nhg < n_nhg)
		return sb_publish_state_alloc(n_nhg);
	*spare = NULL;
	uint32_t cap = st->cap_nhg;
	struct sb_nhg *nhg = st->nhg;

	memset(nhg, 0, sizeof(*nhg) * cap);
	memset(st, 0, sizeof(*st));
	st->nhg = nhg;
	st->n_nhg = n_nhg;
	st->cap_nhg = cap;
	return st;
}

void
sb_publish_state_keep(struct sb_dp_state *old, struct rte_rcu_qsbr *qs, struct sb_dp_state **spare)
{
	uint32_t cap;
	struct sb_nhg *nhg;

	if (old == NULL)
		return;
	if (*spare != NULL) {
		sb_publish_state_retire(old, qs);
		return;
	}
	rte_rcu_qsbr_synchronize(qs, RTE_QSBR_THRID_INVALID);
	/* Poisoned like a freed one: a late reader shows up in the tests. */
	cap = old->cap_nhg;
	nhg = old->nhg;
	memset(nhg, 0xa5, sizeof(*nhg) * (cap ? cap : 1));
	memset(old, 0xa5, sizeof(*old));
	old->nhg = nhg;
	old->cap_nhg = cap;
	*spare = old;
}

struct sb_dp_state *
sb_publish_state_swap(struct sb_dp_state **slot, struct sb_dp_state *st)
{
	return __atomic_exchange_n(slot, st, __ATOMIC_ACQ_REL);
}

void
sb_publish_state_retire(struct sb_dp_state *old, struct rte_rcu_qsbr *qs)
{
	if (old == NULL)
		return;
	rte_rcu_qsbr_synchronize(qs, RTE_QSBR_THRID_INVALID);
	sb_publish_state_free(old);
}

void
sb_publish_state_fill(struct sb_dp_state *st, const struct sb_rib *rib,
	      int32_t (*nb)(void *ctx, uint16_t port, uint32_t gw), void *ctx)
{
	for (unsigned g = 0; g < rib->n_groups && g < st->n_nhg; g++) {
		const struct sb_rib_group *rg = &rib->g[g];
		struct sb_nhg *ng = &st->nhg[g];

		ng->n_paths = 0;
		for (unsigned k = 0; k < rg->n_nh; k++) {
			struct sb_path *p = &ng->path[ng->n_paths];

			p->port = rg->nh[k].port;
			p->gw = rg->nh[k].gw;
			p->nb = SB_NEIGH_NONE;
			if (p->gw != 0) {
				int32_t idx = nb(ctx, p->port, p->gw);

				if (idx < 0)
					continue;
				p->nb = (uint32_t)idx;
			}
			ng->n_paths++;
		}
		sb_ecmp_build(ng);
	}
}

unsigned
sb_publish_mark_dead(struct sb_dp_state *st, uint8_t *was_path)
{
	enum { LIVE = 2 };
	unsigned n = 0;

	memset(st->nb_dead, 0, sizeof(st->nb_dead));
	for (unsigned g = 0; g < st->n_nhg; g++)
		for (unsigned k = 0; k < st->nhg[g].n_paths; k++) {
			const struct sb_path *p = &st->nhg[g].path[k];

			if (p->gw == 0 || p->nb >= SB_MAX_NEIGH)
				continue;
			st->nb_dead[p->nb] = LIVE;
			was_path[p->nb] = (uint8_t)(p->port + 1);
		}
	for (unsigned i = 0; i < SB_MAX_NEIGH; i++) {
		if (st->nb_dead[i] == LIVE)
			st->nb_dead[i] = 0;
		else if (was_path[i] != 0 && st->wan[was_path[i] - 1].up)
			st->nb_dead[i] = 1, n++;
	}
	return n;
}

static int
fib_set(void *ctx, uint8_t table, uint32_t dst, uint8_t len, uint32_t group)
{
	return sb_fib_set(ctx, table, dst, len, group);
}

static int
fib_del(void *ctx, uint8_t table, uint32_t dst, uint8_t len)
{
	return sb_fib_del(ctx, table, dst, len);
}

int
sb_publish_fib(struct sb_rib *rib, struct sb_fib *fib)
{
	return sb_rib_fib_sync(rib, fib_set, fib_del, fib);
}

int32_t
sb_publish_neigh(struct sb_publisher *pub, uint16_t port, uint32_t ip)
{
	int32_t idx = sb_neigh_get(pub->neigh, port, ip);
	uint64_t n = pub->neigh->refused;

	/* Logged at the 1st, 2nd, 4th ... refusal: not a flood of lines. */
	if (idx < 0 && (n & (n - 1)) == 0 && n != 0)
		SB_WARN(NEIGH, "neighbour table: no entry for port %u: %s (%lu refused so far)",
			port, pub->neigh->live >= pub->neigh->max ? "the table is full" :
			"the port holds half the table", (unsigned long)n);
	return idx;
}

int32_t
sb_publish_gateway(struct sb_publisher *pub, uint16_t port, uint32_t ip)
{
	int32_t idx = sb_publish_neigh(pub, port, ip);

	if (idx >= 0)
		pub->neigh->e[idx].pinned = 1;
	return idx;
}

void
sb_publish_neigh_mac(struct sb_publisher *pub, uint32_t idx, const struct rte_ether_addr *mac)
{
	sb_neigh_set_mac(pub->neigh, idx, mac);
}

void
sb_publish_neigh_del(struct sb_publisher *pub, uint32_t idx)
{
	sb_neigh_del(pub->neigh, idx, pub->qs);
}

unsigned
sb_publish_neigh_reclaim(struct sb_publisher *pub)
{
	return sb_neigh_reclaim(pub->neigh, pub->qs);
}

static int32_t
gateway_neigh(void *ctx, uint16_t port, uint32_t gw)
{
	/* Sessions keep a path's index without checking it: pinned. */
	return sb_publish_gateway(ctx, port, gw);
}

/* PCC: members are the ports with a weight, in port order, left out of
 * the buckets while their WAN is down; the classifier, the members'
 * tables and the ECMP hash go with the state, so a reload changes them
 * in one publication. */
static void
fill_pcc(struct sb_dp_state *st, const struct sb_config *cfg)
{
	uint16_t port[SB_PCC_MAX], weight[SB_PCC_MAX];
	bool up[SB_PCC_MAX];
	unsigned n;

	RTE_BUILD_BUG_ON(sizeof(st->pcc_bucket) != SB_PCC_BUCKETS);
	RTE_BUILD_BUG_ON(RTE_DIM(st->pcc_table) != SB_PCC_MAX);
	n = sb_pcc_members(cfg, port, st->pcc_table);
	for (unsigned m = 0; m < n; m++) {
		weight[m] = cfg->ports[port[m]].pcc_weight;
		up[m] = st->wan[port[m]].up;
	}
	st->pcc_class = cfg->pcc_classifier >= 0 && n != 0 ? (uint8_t)(cfg->pcc_classifier + 1) : 0;
	st->ecmp = (uint8_t)cfg->ecmp_hash;
	if (n != 0)
		sb_pcc_build(weight, up, n, st->pcc_bucket);
	else
		memset(st->pcc_bucket, SB_PCC_NONE, sizeof(st->pcc_bucket));
}

int
sb_publish(struct sb_publisher *pub, struct sb_rib *rib, const struct sb_config *cfg,
	   const struct sb_wan_state wan[SB_MAX_PORTS])
{
	struct sb_dp_state *old = pub->state, *st;

	st = sb_publish_state_take(&pub->spare, rib->n_groups);
	if (st == NULL)
		return -ENOMEM;
	st->version = old ? old->version + 1 : 1;
	sb_publish_state_fill(st, rib, gateway_neigh, pub);
	memcpy(st->wan, wan, sizeof(st->wan));
	/* Sessions on a gateway that left every group move on their next
	 * packet (worker.c path_dead), those on surviving paths stay. */
	sb_publish_mark_dead(st, pub->was_path);
	fill_pcc(st, cfg);
	sb_publish_state_swap(&pub->state, st);

	/* FIB: prefixes with no active route leave it, so a less specific
	 * route can carry their traffic. Group ids never change. */
	if (sb_publish_fib(rib, pub->fib) < 0)
		SB_WARN(RIB, "FIB full: some prefixes are not installed (tried again next time)");
	sb_publish_state_keep(old, pub->qs, &pub->spare);
	return 0;
}

void
sb_publish_fini(struct sb_publisher *pub)
{
	sb_publish_state_free(pub->state);
	sb_publish_state_free(pub->spare);
	pub->state = pub->spare = NULL;
	rte_free(pub->expect);
	pub->expect = NULL;
}

int
sb_publish_probes_init(struct sb_publisher *pub, int socket)
{
	pub->expect = rte_zmalloc_socket("sb_probe_expect", sizeof(*pub->expect),
					 RTE_CACHE_LINE_SIZE, socket);
	if (pub->expect == NULL)
		return -ENOMEM;
	sb_probe_expect_init(pub->expect);
	return 0;
}

void
sb_publish_probe(struct sb_publisher *pub, unsigned idx, uint32_t target, uint16_t seq,
		 unsigned port, uint64_t cookie, uint64_t deadline)
{
	if (pub->expect != NULL)
		sb_probe_expect_set(pub->expect, idx, rte_cpu_to_be_32(target),
				    rte_cpu_to_be_16(seq), port, cookie, deadline);
}
