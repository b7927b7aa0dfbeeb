/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "pcc.h"
#include "sb_config.h"

static const char *const names[SB_PCC_CLASSIFIER_MAX] = {
	"src-address", "dst-address", "both-addresses", "src-port", "dst-port",
	"both-ports", "src-address-and-port", "dst-address-and-port",
	"both-addresses-and-ports",
};

const char *
sb_pcc_classifier_name(unsigned c)
{
	return c < SB_PCC_CLASSIFIER_MAX ? names[c] : NULL;
}

int
sb_pcc_classifier_parse(const char *name)
{
	for (unsigned c = 0; c < SB_PCC_CLASSIFIER_MAX; c++)
		if (strcmp(name, names[c]) == 0)
			return (int)c;
	return -1;
}

uint32_t
sb_pcc_hash(enum sb_pcc_classifier c, const struct sb_meta *md)
{
	uint32_t h = 0x9e3779b9;
	bool src = c == SB_PCC_SRC_ADDRESS || c == SB_PCC_BOTH_ADDRESSES ||
		   c == SB_PCC_SRC_ADDRESS_AND_PORT || c == SB_PCC_BOTH_ADDRESSES_AND_PORTS;
	bool dst = c == SB_PCC_DST_ADDRESS || c == SB_PCC_BOTH_ADDRESSES ||
		   c == SB_PCC_DST_ADDRESS_AND_PORT || c == SB_PCC_BOTH_ADDRESSES_AND_PORTS;
	bool sport = c == SB_PCC_SRC_PORT || c == SB_PCC_BOTH_PORTS ||
		     c == SB_PCC_SRC_ADDRESS_AND_PORT || c == SB_PCC_BOTH_ADDRESSES_AND_PORTS;
	bool dport = c == SB_PCC_DST_PORT || c == SB_PCC_BOTH_PORTS ||
		     c == SB_PCC_DST_ADDRESS_AND_PORT || c == SB_PCC_BOTH_ADDRESSES_AND_PORTS;

	if (src)
		h = rte_hash_crc_4byte(md->src, h);
	if (dst)
		h = rte_hash_crc_4byte(md->dst, h ^ 0x5bd1e995);
	if (sport || dport)
		h = rte_hash_crc_4byte(((uint32_t)(sport ? md->sport : 0) << 16) |
				       (dport ? md->dport : 0), h);
	/* Final mix so low bits (the bucket) depend on every input bit. */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	return h;
}

static uint32_t
mix(uint32_t a, uint32_t b)
{
	uint64_t x = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

void
sb_pcc_build(const uint16_t *weight, const bool *up, unsigned n, uint8_t out[SB_PCC_BUCKETS])
{
	int64_t credit[SB_PCC_MAX] = { 0 };
	int64_t total = 0;

	for (unsigned m = 0; m < n && m < SB_PCC_MAX; m++)
		total += weight[m];
	/* The canonical deal, as if every member were up: smooth weighted
	 * round robin, so shares are exact to one bucket and interleaved. */
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++) {
		int best = -1;

		for (unsigned m = 0; m < n && m < SB_PCC_MAX; m++) {
			if (weight[m] == 0)
				continue;
			credit[m] += weight[m];
			if (best < 0 || credit[m] > credit[best])
				best = (int)m;
		}
		if (best < 0) {
			out[b] = SB_PCC_NONE;
			continue;
		}
		credit[best] -= total;
		out[b] = (uint8_t)best;
	}
	/* Buckets of members that are down go, one by one, to the up member
	 * with the highest weighted rendezvous score: shares stay in
	 * proportion to the weights and no other bucket moves. */
	for (unsigned b = 0; b < SB_PCC_BUCKETS; b++) {
		double best_score = -1.0;
		int best = -1;

		if (out[b] == SB_PCC_NONE || up[out[b]])
			continue;
		for (unsigned m = 0; m < n && m < SB_PCC_MAX; m++) {
			if (!up[m] || weight[m] == 0)
				continue;
			double u = ((double)mix(b, m) + 1.0) / 4294967297.0;
			double score = -(double)weight[m] / log(u);

			if (score > best_score) {
				best_score = score;
				best = (int)m;
			}
		}
		out[b] = best < 0 ? SB_PCC_NONE : (uint8_t)best;
	}
}

unsigned
sb_pcc_members(const struct sb_config *cfg, uint16_t *port, uint8_t *table)
{
	unsigned n = 0;

	for (unsigned p = 0; p < cfg->n_ports && n < SB_PCC_MAX; p++) {
		if (cfg->ports[p].pcc_weight == 0)
			continue;
		if (port != NULL)
			port[n] = (uint16_t)p;
		if (table != NULL)
			table[n] = cfg->ports[p].pcc_table;
		n++;
	}
	return n;
}
