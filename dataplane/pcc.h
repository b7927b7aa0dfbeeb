/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: per-connection classifier (RouterOS PCC). A new flow's
 * fields, chosen by the classifier, hash to one of SB_PCC_BUCKETS buckets;
 * the bucket names a member WAN. Buckets are dealt to members in
 * proportion to their weights; when a member is down only its own buckets
 * move, to the others in proportion to their weights (weighted rendezvous
 * hashing), and they come back when it does. Pure logic: no EAL. */
#ifndef SB_PCC_H
#define SB_PCC_H

#include <stdint.h>
#include <stdbool.h>
#include "parse.h"

#define SB_PCC_BUCKETS   1024
#define SB_PCC_MAX       8       /* members */
#define SB_PCC_NONE      0xff    /* no member up */

/* RouterOS's classifier names, in this order (sb_pcc_classifier_name). */
enum sb_pcc_classifier {
	SB_PCC_SRC_ADDRESS = 0,
	SB_PCC_DST_ADDRESS,
	SB_PCC_BOTH_ADDRESSES,
	SB_PCC_SRC_PORT,
	SB_PCC_DST_PORT,
	SB_PCC_BOTH_PORTS,
	SB_PCC_SRC_ADDRESS_AND_PORT,
	SB_PCC_DST_ADDRESS_AND_PORT,
	SB_PCC_BOTH_ADDRESSES_AND_PORTS,
	SB_PCC_CLASSIFIER_MAX
};

/** RouterOS name of @c ("both-addresses", ...), or NULL. */
const char *sb_pcc_classifier_name(unsigned c);

/** Classifier named @name, or -1. */
int sb_pcc_classifier_parse(const char *name);

/** Hash of the fields @c selects from @md. Any thread. */
uint32_t sb_pcc_hash(enum sb_pcc_classifier c, const struct sb_meta *md);

/**
 * Deal SB_PCC_BUCKETS buckets to @n members: out[b] is the member index of
 * bucket b, or SB_PCC_NONE when no member is up. Members with weight 0 get
 * nothing. Deterministic: the same weights and states give the same table.
 * Control thread.
 */
void sb_pcc_build(const uint16_t *weight, const bool *up, unsigned n,
		  uint8_t out[SB_PCC_BUCKETS]);

struct sb_config;

/**
 * The PCC members of @cfg, in port order: the ports with a pcc_weight,
 * at most SB_PCC_MAX. Member m leaves through port index @port[m] and
 * routes in table @table[m] (either may be NULL). Returns how many. Any
 * thread.
 */
unsigned sb_pcc_members(const struct sb_config *cfg, uint16_t *port, uint8_t *table);

#endif
