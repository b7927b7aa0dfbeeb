/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "forward.h"
#include "l2out.h"

/* A pure SYN: the only TCP packet that may open an inbound session. */
static inline bool
tcp_opens(const struct sb_meta *d)
{
	return d->proto != IPPROTO_TCP ||
	       (d->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

/* The next hop towards @peer_be out of WAN @wan, pinned: the peer itself
 * when it is on the WAN's subnet, else the WAN's reply gateway (from the
 * configuration, or a published path through the WAN). *@nb is its
 * neighbour index (SB_NEIGH_NONE on-link). 0, or a drop reason; an
 * unknown gateway is asked for (the peer's retransmission gets through). */
static unsigned
reply_hop(struct sb_worker *w, const struct sb_dp_state *st, unsigned wan, uint32_t peer_be,
	  uint32_t *nb)
{
	const struct sb_wport *wp = &w->port[wan];
	uint32_t gw = w->fwd->reply_gw[wan];
	struct rte_ether_addr mac;

	*nb = SB_NEIGH_NONE;
	if (wp->mask != 0 && (rte_be_to_cpu_32(peer_be) & wp->mask) == wp->net)
		return 0;
	for (unsigned g = 0; gw == 0 && g < st->n_nhg; g++)
		for (unsigned k = 0; k < st->nhg[g].n_paths; k++)
			if (st->nhg[g].path[k].port == wan && st->nhg[g].path[k].gw != 0) {
				gw = st->nhg[g].path[k].gw;
				break;
			}
	if (gw == 0)
		return SB_DROP_NO_ROUTE;
	(void)sb_l2out_resolve(w, wan, gw, nb, &mac);
	return *nb == SB_NEIGH_NONE ? SB_DROP_NEIGH_UNRESOLVED : 0;
}

/* Make the pinned session of @p: keys @orig (the internal side) and
 * @reply, out of WAN @wan towards neighbour @nb, in from LAN port @lan;
 * external address extra address @xaddr (0: @wan's own). */
static int
open_pinned(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p,
	    const struct sb_ct_key *orig, const struct sb_ct_key *reply, unsigned wan,
	    unsigned lan, uint32_t nb, unsigned xaddr, unsigned dir)
{
	struct sb_session *s;
	int64_t idx = sb_ct_insert_x(w->ct, orig, reply, SB_CT_NAT_FWD, wan, xaddr, b->now);

	if (idx < 0) {
		sb_wk_drop(w, p->m, idx == -ENOSPC ? SB_DROP_CT_FULL : SB_DROP_CT_CONFLICT);
		return -1;
	}
	s = sb_ct_session(w->ct, (uint32_t)idx);
	s->out_port = (uint8_t)wan;
	s->in_port = (uint8_t)lan;
	s->out_nb = nb == SB_NEIGH_NONE ? SB_CT_NB_NONE : (uint16_t)nb;
	s->routed = 0;   /* pinned: never re-routed, whatever the groups say */
	s->wan_gen = sb_wk_session_gen(b->st, wan, SB_CT_NAT_FWD);
	w->cnt.ct_created++;
	w->cnt.ct_created_port[wan & 7]++;
	p->s = s;
	p->dir = (uint8_t)dir;
	sb_vec_add(&b->fwd, p);
	return 0;
}

/* Inbound session of @p to @to:@to_port (network order) on LAN port @lan. */
static int
open_inbound(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p, uint32_t to,
	     uint16_t to_port, unsigned lan, unsigned xaddr)
{
	const struct sb_meta *d = &p->md;
	struct sb_ct_key orig = { .src = to, .dst = d->src, .sport = to_port, .dport = d->sport,
				  .proto = d->proto };
	uint32_t nb;
	unsigned why = reply_hop(w, b->st, b->in, d->src, &nb);

	if (why != 0) {
		sb_wk_drop(w, p->m, why);
		return -1;
	}
	return open_pinned(w, b, p, &orig, &p->key, b->in, lan, nb, xaddr, SB_CT_DIR_REPLY);
}

bool
sb_forward_wan_miss(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct sb_fwdtab *t = w->fwd;
	const struct sb_meta *d = &p->md;
	const struct sb_fwd_rule *rule = NULL;
	unsigned in = b->in, lan, xaddr = 0;
	uint64_t *made, *refused = NULL;
	uint32_t to;
	uint16_t to_port;
	int r;

	if (t == NULL)
		return false;
	if (d->proto != IPPROTO_TCP && d->proto != IPPROTO_UDP &&
	    !(d->proto == IPPROTO_ICMP && d->icmp_type == RTE_IP_ICMP_ECHO_REQUEST))
		return false;
	if (d->dst == w->port[in].addr_be) {
		/* Echo to the WAN's own address: the gateway answers. */
		if (d->proto == IPPROTO_ICMP)
			return false;
		/* A forwarded port of this WAN's address. */
		uint16_t dport = rte_be_to_cpu_16(d->dport);

		r = sb_fwdtab_match(t, in, d->proto, dport);
		if (r < 0)
			return false;
		rule = &t->r[r];
		to = rte_cpu_to_be_32(rule->to);
		to_port = rte_cpu_to_be_16(sb_fwdtab_to_port(rule, dport));
		lan = rule->lan_port;
		made = b->looped ? &t->cnt[r].hairpin : &t->cnt[r].hits;
		refused = &t->cnt[r].refused;
	} else {
		/* A one-to-one address of this WAN: any port, kept; an echo
		 * request's id too (the session's orig key is the internal
		 * host's echo reply: id as destination "port"). */
		r = t->n11 != 0 ? sb_fwdtab_11_ext(t, (int)in, rte_be_to_cpu_32(d->dst)) : -1;
		if (r < 0)
			return false;
		to = rte_cpu_to_be_32(t->m11[r].internal);
		to_port = d->dport;
		lan = t->m11[r].lan_port;
		xaddr = 1u + (unsigned)r;
		made = b->looped ? &t->cnt11[r].hairpin : &t->cnt11[r].in;
	}
	if (sb_wk_made_in_burst(w, b, p)) {
		sb_vec_add(&b->fwd, p);
		return true;
	}
	if (!tcp_opens(d))
		return false;
	/* (A hairpin looped from another worker, from the gateway's own
	 * address: a LAN host's, which `allow` does not restrict, as with
	 * one worker, sb_forward_hairpin.) */
	if (rule != NULL && !b->looped && !sb_fwdtab_allowed(rule, rte_be_to_cpu_32(d->src))) {
		/* Silently, as any unsolicited packet; counted. */
		(*refused)++;
		sb_wk_drop(w, p->m, SB_DROP_FWD_REFUSED);
		return true;
	}
	if (open_inbound(w, b, p, to, to_port, lan, xaddr) == 0)
		(*made)++;
	return true;
}

bool
sb_forward_nat11_out(struct sb_worker *w, struct sb_burst *b, struct sb_pkt *p)
{
	struct sb_fwdtab *t = w->fwd;
	const struct sb_meta *d = &p->md;
	struct sb_ct_key reply;
	unsigned why, wan;
	uint32_t nb;
	int r;

	if (t == NULL || t->n11 == 0)
		return false;
	if (d->proto != IPPROTO_TCP && d->proto != IPPROTO_UDP &&
	    !(d->proto == IPPROTO_ICMP && d->icmp_type == RTE_IP_ICMP_ECHO_REQUEST))
		return false;
	r = sb_fwdtab_11_int(t, rte_be_to_cpu_32(d->src));
	if (r < 0)
		return false;
	wan = t->m11[r].wan;
	/* While its WAN is down its new flows are masqueraded like any
	 * host's, through whatever WAN the routes give them. */
	if (!b->st->wan[wan].up)
		return false;
	why = reply_hop(w, b->st, wan, d->dst, &nb);
	if (why != 0) {
		sb_wk_drop(w, p->m, why);
		return true;
	}
	memset(&reply, 0, sizeof(reply));
	reply.src = d->dst;
	reply.dst = rte_cpu_to_be_32(t->m11[r].external);
	reply.sport = d->dport;
	reply.dport = d->sport;  /* ports kept: ICMP echo, the id */
	reply.proto = d->proto;
	if (open_pinned(w, b, p, &p->key, &reply, wan, b->in, nb, 1u + (unsigned)r,
			SB_CT_DIR_ORIG) == 0)
		t->cnt11[r].out++;
	return true;
}

int
sb_forward_hairpin(struct sb_worker *w, unsigned wan, const struct sb_meta *md,
		   struct sb_eim_key *k)
{
	uint16_t dport = rte_be_to_cpu_16(md->dport);
	const struct sb_fwd_rule *rule;
	int r;

	if (w->fwd == NULL)
		return -1;
	if (md->dst != w->port[wan].addr_be) {
		/* A one-to-one address of @wan: its internal host, port kept. */
		r = sb_fwdtab_11_ext(w->fwd, (int)wan, rte_be_to_cpu_32(md->dst));
		if (r < 0)
			return -1;
		*k = sb_eim_key(rte_cpu_to_be_32(w->fwd->m11[r].internal), md->dport, md->proto,
				wan);
		w->fwd->cnt11[r].hairpin++;
		return 1 + r;
	}
	if ((r = sb_fwdtab_match(w->fwd, wan, md->proto, dport)) < 0)
		return -1;
	rule = &w->fwd->r[r];
	*k = sb_eim_key(rte_cpu_to_be_32(rule->to),
			rte_cpu_to_be_16(sb_fwdtab_to_port(rule, dport)), md->proto, wan);
	w->fwd->cnt[r].hairpin++;
	return 0;
}
