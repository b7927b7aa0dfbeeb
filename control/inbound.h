/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: inbound NAT on the control side: the worker's table of port
 * forwards and one-to-one mappings (dataplane/fwdtab.h) built from the
 * configuration, the forwarded ports kept out of masquerade's pools, the
 * one-to-one addresses given to the session table, and the operator's
 * view (switchbackctl forward print, /switchback/forwards). Main lcore;
 * fixed once the worker runs (a reload keeps the forwards it started
 * with). */
#ifndef SB_INBOUND_H
#define SB_INBOUND_H

#include <stdbool.h>

#include "sb_config.h"
#include "fwdtab.h"
#include <stddef.h>

struct sb_ctl;
struct rte_tel_data;

struct sb_inbound {
	struct sb_fwdtab t;       /* what the worker reads (its counters) */
	char wan_name[SB_MAX_PORTS][SB_NAME_LEN];
	struct sb_forward_conf f[SB_MAX_FORWARDS];   /* as configured, t.n of them */
	struct sb_nat1to1_conf m[SB_MAX_NAT1TO1];    /* t.n11 of them */
};

/** Build @c->inbound from @c->cfg, reserve the forwarded ports in the
 * masquerading WANs' pools (@c->eim) and set the one-to-one addresses in
 * @c->ct. 0 or -ENOMEM. Before the worker is created. */
int sb_inbound_setup(struct sb_ctl *c);

/** Free @c->inbound (workers stopped). */
void sb_inbound_free(struct sb_ctl *c);

/** switchbackctl forward print [--json]: every forward and one-to-one
 * mapping with its hit counts, into @buf (@cap bytes, NUL-terminated);
 * the length written. */
size_t sb_inbound_print(const struct sb_inbound *in, bool json, char *buf, size_t cap);

struct sb_status;
/** Copy the forwards' and one-to-one mappings' counts into @st (NULL
 * @in: none). */
void sb_inbound_status(const struct sb_inbound *in, struct sb_status *st);

/** /switchback/forwards: the counters as a dictionary. */
void sb_inbound_telemetry(const struct sb_inbound *in, struct rte_tel_data *d);

#endif
