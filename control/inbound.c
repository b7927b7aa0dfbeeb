/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_telemetry.h>

#include "inbound.h"
#include "ctl.h"
#include "addr.h"
#include "conntrack.h"
#include "eim.h"
#include "json.h"
#include "outbuf.h"
#include "status.h"

int
sb_inbound_setup(struct sb_ctl *c)
{
	const struct sb_config *cfg = c->cfg;
	struct sb_inbound *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return -ENOMEM;
	sb_fwdtab_build(&in->t, cfg);
	memcpy(in->f, cfg->forwards, sizeof(in->f[0]) * in->t.n);
	memcpy(in->m, cfg->nat1to1, sizeof(in->m[0]) * in->t.n11);
	for (unsigned p = 0; p < cfg->n_ports; p++)
		snprintf(in->wan_name[p], SB_NAME_LEN, "%s", cfg->ports[p].name);
	/* Masquerade never hands out a forwarded port of that WAN's address
	 * (in no worker's slice). */
	for (unsigned k = 0; k < c->n_workers; k++)
		for (unsigned i = 0; i < in->t.n; i++) {
			const struct sb_fwd_rule *r = &in->t.r[i];

			for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
				struct sb_nat_pool *pool = c->eim[k]->pool[p];

				if (!(r->wans >> p & 1) || pool == NULL)
					continue;
				for (uint32_t port = r->ext_lo; port <= r->ext_hi; port++) {
					if (r->protos & SB_FWD_TCP)
						sb_nat_port_reserve(pool, SB_NAT_TCP, (uint16_t)port);
					if (r->protos & SB_FWD_UDP)
						sb_nat_port_reserve(pool, SB_NAT_UDP, (uint16_t)port);
				}
			}
		}
	for (unsigned k = 0; k < c->n_workers; k++)
		for (unsigned i = 0; i < in->t.n11; i++)
			sb_ct_set_xaddr(c->ct[k], 1 + i, rte_cpu_to_be_32(in->t.m11[i].external));
	c->inbound = in;
	return 0;
}

void
sb_inbound_free(struct sb_ctl *c)
{
	free(c->inbound);
	c->inbound = NULL;
}

static const char *
protos(uint8_t p)
{
	return p == (SB_FWD_TCP | SB_FWD_UDP) ? "both" : p == SB_FWD_TCP ? "tcp" : "udp";
}

static void
wans(const struct sb_inbound *in, const struct sb_forward_conf *f, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned p = 0; p < SB_MAX_PORTS && n < len; p++)
		if (f->wans >> p & 1)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      in->wan_name[p]);
}

static void
ports(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

static void
allow(const struct sb_forward_conf *f, char *buf, size_t len, bool json)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < f->n_allow && n < len; k++) {
		char a[SB_ADDR_STRLEN];

		sb_addr_str(f->allow[k].addr, a, sizeof(a));
		n += (size_t)snprintf(buf + n, len - n, json ? "%s\"%s/%u\"" : "%s%s/%u",
				      k ? "," : "", a, f->allow[k].len);
	}
}

static void print(const struct sb_inbound *in, struct out *o, bool json);

size_t
sb_inbound_print(const struct sb_inbound *in, bool json, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	if (cap != 0)
		buf[0] = '\0';
	print(in, &o, json);
	return o.len;
}

static void
print(const struct sb_inbound *in, struct out *o, bool json)
{
	if (json)
		out(o, "{\"forwards\": [");
	else if (in->t.n != 0)
		out(o, "%-16s %-12s %-5s %-11s %-27s %-9s %-9s %-9s %s\n", "NAME", "WAN", "PROTO",
		    "PORT", "TO", "HITS", "REFUSED", "HAIRPIN", "ALLOW");
	for (unsigned i = 0; i < in->t.n; i++) {
		const struct sb_forward_conf *f = &in->f[i];
		const struct sb_fwd_count *k = &in->t.cnt[i];
		char w[128], ext[16], to[SB_ADDR_STRLEN], tp[16], al[512], cm[160];

		wans(in, f, w, sizeof(w));
		ports(f->ext_lo, f->ext_hi, ext, sizeof(ext));
		ports(f->to_lo, (uint16_t)(f->to_lo + (f->ext_hi - f->ext_lo)), tp, sizeof(tp));
		sb_addr_str(f->to, to, sizeof(to));
		allow(f, al, sizeof(al), json);
		if (json) {
			sb_json_escape(f->comment, cm, sizeof(cm));
			out(o, "%s{\"name\": \"%s\", \"wan\": [", i ? ", " : "", f->name);
			for (unsigned p = 0, n = 0; p < SB_MAX_PORTS; p++)
				if (f->wans >> p & 1)
					out(o, "%s\"%s\"", n++ ? ", " : "", in->wan_name[p]);
			out(o, "], \"proto\": \"%s\", \"port\": \"%s\", \"to\": \"%s\", "
			    "\"to_port\": \"%s\", \"allow\": [%s], \"comment\": \"%s\", "
			    "\"hits\": %lu, \"refused\": %lu, \"hairpin\": %lu}",
			    protos(f->protos), ext, to, tp, al, cm, (unsigned long)k->hits,
			    (unsigned long)k->refused, (unsigned long)k->hairpin);
		} else {
			char dst[48];

			snprintf(dst, sizeof(dst), "%s:%s", to, tp);
			out(o, "%-16s %-12s %-5s %-11s %-27s %-9lu %-9lu %-9lu %s%s%s\n", f->name,
			    f->all_wans ? "all" : w, protos(f->protos), ext, dst,
			    (unsigned long)k->hits, (unsigned long)k->refused,
			    (unsigned long)k->hairpin, f->n_allow ? al : "any",
			    f->comment[0] ? "  ; " : "", f->comment);
		}
	}
	if (json)
		out(o, "], \"nat1to1\": [");
	else if (in->t.n11 != 0)
		out(o, "%s%-16s %-12s %-15s %-15s %-9s %-9s %s\n", in->t.n ? "\n" : "", "NAME",
		    "WAN", "EXTERNAL", "INTERNAL", "IN", "OUT", "HAIRPIN");
	for (unsigned i = 0; i < in->t.n11; i++) {
		const struct sb_nat1to1_conf *m = &in->m[i];
		const struct sb_nat11_count *k = &in->t.cnt11[i];
		char e[SB_ADDR_STRLEN], a[SB_ADDR_STRLEN], cm[160];

		sb_addr_str(m->external, e, sizeof(e));
		sb_addr_str(m->internal, a, sizeof(a));
		if (json) {
			sb_json_escape(m->comment, cm, sizeof(cm));
			out(o, "%s{\"name\": \"%s\", \"wan\": \"%s\", \"external\": \"%s\", "
			    "\"internal\": \"%s\", \"comment\": \"%s\", \"in\": %lu, \"out\": %lu, "
			    "\"hairpin\": %lu}",
			    i ? ", " : "", m->name, in->wan_name[m->wan], e, a, cm,
			    (unsigned long)k->in, (unsigned long)k->out, (unsigned long)k->hairpin);
		} else {
			out(o, "%-16s %-12s %-15s %-15s %-9lu %-9lu %lu%s%s\n", m->name,
			    in->wan_name[m->wan], e, a, (unsigned long)k->in, (unsigned long)k->out,
			    (unsigned long)k->hairpin, m->comment[0] ? "  ; " : "", m->comment);
		}
	}
	if (json)
		out(o, "]}\n");
	else if (in->t.n == 0 && in->t.n11 == 0)
		out(o, "no forwards, no one-to-one NAT\n");
}

void
sb_inbound_status(const struct sb_inbound *in, struct sb_status *st)
{
	st->n_fwd = 0;
	if (in == NULL)
		return;
	for (unsigned i = 0; i < in->t.n; i++)
		st->fwd[st->n_fwd++] = (struct sb_status_fwd){
			.sessions = in->t.cnt[i].hits, .refused = in->t.cnt[i].refused,
			.hairpin = in->t.cnt[i].hairpin };
	for (unsigned i = 0; i < in->t.n11; i++)
		st->fwd[st->n_fwd++] = (struct sb_status_fwd){
			.one_to_one = true, .sessions = in->t.cnt11[i].in,
			.out = in->t.cnt11[i].out, .hairpin = in->t.cnt11[i].hairpin };
	for (unsigned i = 0; i < st->n_fwd; i++)
		snprintf(st->fwd[i].name, SB_NAME_LEN, "%s",
			 i < in->t.n ? in->f[i].name : in->m[i - in->t.n].name);
}

/* @d's counter KIND_NAME_WHAT = @v. */
static void
tel_u64(struct rte_tel_data *d, const char *kind, const char *name, const char *what,
	uint64_t v)
{
	char n[80];

	snprintf(n, sizeof(n), "%s_%s_%s", kind, name, what);
	rte_tel_data_add_dict_u64(d, n, v);
}

void
sb_inbound_telemetry(const struct sb_inbound *in, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < in->t.n; i++) {
		tel_u64(d, "forward", in->f[i].name, "hits", in->t.cnt[i].hits);
		tel_u64(d, "forward", in->f[i].name, "refused", in->t.cnt[i].refused);
		tel_u64(d, "forward", in->f[i].name, "hairpin", in->t.cnt[i].hairpin);
	}
	for (unsigned i = 0; i < in->t.n11; i++) {
		tel_u64(d, "nat1to1", in->m[i].name, "in", in->t.cnt11[i].in);
		tel_u64(d, "nat1to1", in->m[i].name, "out", in->t.cnt11[i].out);
		tel_u64(d, "nat1to1", in->m[i].name, "hairpin", in->t.cnt11[i].hairpin);
	}
}
