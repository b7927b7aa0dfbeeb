/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "fwdtab.h"

uint32_t
sb_fwdtab_reply_gw(const struct sb_config *cfg, unsigned port)
{
	const struct sb_port_conf *pc = &cfg->ports[port];
	uint32_t m = sb_prefix_mask(pc->prefix_len), best = 0;
	int best_rank = -1;

	if (pc->prefix_len == 0)
		return 0;
	for (unsigned i = 0; i < cfg->n_routes; i++) {
		const struct sb_route_conf *r = &cfg->routes[i];
		int rank;

		if (r->disabled || r->gw == 0 || ((r->gw ^ pc->addr) & m) != 0 ||
		    (r->gw_port >= 0 && (unsigned)r->gw_port != port))
			continue;
		/* A default route first, then the lowest distance. */
		rank = (r->prefix_len == 0 ? 512 : 0) + 255 - r->distance;
		if (rank > best_rank) {
			best_rank = rank;
			best = r->gw;
		}
	}
	if (best == 0 && cfg->wan[port].enabled && cfg->wan[port].gateway != 0 &&
	    ((cfg->wan[port].gateway ^ pc->addr) & m) == 0)
		best = cfg->wan[port].gateway;
	return best;
}

void
sb_fwdtab_build(struct sb_fwdtab *t, const struct sb_config *cfg)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < cfg->n_forwards && i < SB_MAX_FORWARDS; i++) {
		const struct sb_forward_conf *f = &cfg->forwards[i];
		struct sb_fwd_rule *r = &t->r[t->n++];

		r->wans = f->wans;
		r->protos = f->protos;
		r->lan_port = f->lan_port;
		r->ext_lo = f->ext_lo;
		r->ext_hi = f->ext_hi;
		r->to_lo = f->to_lo;
		r->to = f->to;
		r->n_allow = f->n_allow;
		for (unsigned k = 0; k < f->n_allow; k++) {
			r->allow_mask[k] = sb_prefix_mask(f->allow[k].len);
			r->allow_net[k] = f->allow[k].addr & r->allow_mask[k];
		}
	}
	for (unsigned i = 0; i < cfg->n_nat1to1 && i < SB_MAX_NAT1TO1; i++) {
		const struct sb_nat1to1_conf *n = &cfg->nat1to1[i];

		t->m11[t->n11++] = (struct sb_nat11){ .external = n->external,
						      .internal = n->internal, .wan = n->wan,
						      .lan_port = n->lan_port };
	}
	for (unsigned p = 0; p < cfg->n_ports && p < SB_MAX_PORTS; p++)
		if (cfg->ports[p].role == SB_ROLE_WAN)
			t->reply_gw[p] = sb_fwdtab_reply_gw(cfg, p);
}
