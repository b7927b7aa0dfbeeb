/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the inbound sections of the configuration, [forward NAME]
 * (port forwards) and [nat1to1 NAME] (one-to-one NAT), and the checks
 * across them (overlaps, addresses outside the LANs). docs/config.md,
 * "Port forwards" and "One-to-one NAT". Pure: no EAL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "xdpconf.h"

const char *const sb_cfg_keys_forward[] = { "wan", "proto", "port", "to", "to_port", "allow",
					    "comment", NULL };
const char *const sb_cfg_keys_nat1to1[] = { "wan", "external", "internal", "comment", NULL };

static bool
on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	return p->prefix_len != 0 && ((ip ^ p->addr) & sb_prefix_mask(p->prefix_len)) == 0;
}

/* The LAN port whose connected subnet holds @ip, or -1. */
static int
lan_of(const struct sb_config *cfg, uint32_t ip)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].role == SB_ROLE_LAN && on_subnet(&cfg->ports[i], ip))
			return (int)i;
	return -1;
}

static bool
is_port_addr(const struct sb_config *cfg, uint32_t ip)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].addr == ip && cfg->ports[i].prefix_len != 0)
			return true;
	return false;
}

/* "N" or "N-M", 1 <= N <= M <= 65535. */
static bool
port_range(const char *v, uint16_t *lo, uint16_t *hi)
{
	char *end;
	unsigned long a, b;

	if (v[0] < '0' || v[0] > '9')
		return false;
	a = strtoul(v, &end, 10);
	b = a;
	if (*end == '-') {
		const char *q = end + 1;

		if (*q < '0' || *q > '9')
			return false;
		b = strtoul(q, &end, 10);
	}
	if (*end != '\0' || a < 1 || a > 65535 || b < a || b > 65535)
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

/* A masquerading WAN port named @n: its index, or -1 with the error (none
 * when the port's role or masquerade is in error: that one is listed). */
static int
fwd_wan(struct ctx *c, const struct sb_config *cfg, const char *sec, const char *n)
{
	int p = sb_config_port_index(cfg, n);

	if (p < 0) {
		sb_cfg_fail(c, sec, "wan", "no port named \"%s\"", n);
		return -1;
	}
	if (sb_cfg_port_role_unknown(c, p))
		return -1;
	if (cfg->ports[p].role != SB_ROLE_WAN) {
		sb_cfg_fail(c, sec, "wan", "port %s is not a WAN port", n);
		return -1;
	}
	if (!cfg->ports[p].masquerade) {
		sb_cfg_fail(c, sec, "wan", "port %s does not masquerade (inbound NAT needs "
			    "masquerade = yes on its WAN)", n);
		return -1;
	}
	return p;
}

/* wan = NAME[, NAME...] | all: the bit per port index. */
static bool
fwd_wans(struct ctx *c, const struct sb_config *cfg, const char *sec, uint32_t *wans, bool *all)
{
	const char *v = sb_cfg_get(c, sec, "wan");
	char buf[256], *save = NULL;
	bool ok = true;

	*wans = 0;
	*all = false;
	if (v == NULL) {
		sb_cfg_fail(c, sec, "wan", "missing: the WAN ports it listens on (names, or all)");
		return false;
	}
	if (strcmp(v, "all") == 0) {
		bool unsure = false;

		*all = true;
		for (unsigned i = 0; i < cfg->n_ports; i++) {
			if (cfg->ports[i].role == SB_ROLE_WAN && cfg->ports[i].masquerade)
				*wans |= 1u << i;
			unsure |= sb_cfg_port_role_unknown(c, (int)i);
		}
		if (*wans == 0) {
			/* (A port whose role is in error may be the one.) */
			if (!unsure)
				sb_cfg_fail(c, sec, "wan", "all: there is no masquerading WAN port");
			return false;
		}
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ", \t", &save); t != NULL; t = strtok_r(NULL, ", \t", &save)) {
		int p = fwd_wan(c, cfg, sec, t);

		if (p < 0)
			ok = false;
		else
			*wans |= 1u << p;
	}
	if (ok && *wans == 0) {
		sb_cfg_fail(c, sec, "wan", "missing: the WAN ports it listens on (names, or all)");
		ok = false;
	}
	return ok;
}

/* An IPv4 address inside a LAN port's subnet, not the gateway's own. */
static bool
lan_host(struct ctx *c, const struct sb_config *cfg, const char *sec, const char *key,
	 uint32_t *addr, uint8_t *lan)
{
	const char *v = sb_cfg_get(c, sec, key);
	int p;

	if (v == NULL) {
		sb_cfg_fail(c, sec, key, "missing: the internal host's IPv4 address");
		return false;
	}
	if (sb_config_parse_ipv4(v, addr) != 0) {
		sb_cfg_fail(c, sec, key, "expected an IPv4 address, got \"%s\"", v);
		return false;
	}
	p = lan_of(cfg, *addr);
	if (p < 0) {
		/* (Not when a LAN port in error may be the one that holds it.) */
		if (!sb_cfg_maybe_lan(c, *addr))
			sb_cfg_fail(c, sec, key, "%s is outside the LAN ports' subnets", v);
		return false;
	}
	if (is_port_addr(cfg, *addr)) {
		sb_cfg_fail(c, sec, key, "%s is the gateway's own address", v);
		return false;
	}
	*lan = (uint8_t)p;
	return true;
}

void
sb_cfg_parse_forward(struct ctx *c, struct sb_config *cfg, const char *sec, const char *name)
{
	struct sb_forward_conf f;
	const char *v;
	bool ok = true;

	if (cfg->n_forwards == SB_MAX_FORWARDS) {
		sb_cfg_fail(c, sec, NULL, "too many forwards (at most %d)", SB_MAX_FORWARDS);
		return;
	}
	memset(&f, 0, sizeof(f));
	snprintf(f.name, sizeof(f.name), "%s", name);
	ok &= fwd_wans(c, cfg, sec, &f.wans, &f.all_wans);
	v = sb_cfg_get(c, sec, "proto");
	if (v == NULL || strcmp(v, "tcp") == 0) {
		f.protos = SB_FWD_TCP;
	} else if (strcmp(v, "udp") == 0) {
		f.protos = SB_FWD_UDP;
	} else if (strcmp(v, "both") == 0) {
		f.protos = SB_FWD_TCP | SB_FWD_UDP;
	} else {
		sb_cfg_fail(c, sec, "proto", "expected tcp, udp or both, got \"%s\"", v);
		ok = false;
	}
	v = sb_cfg_get(c, sec, "port");
	if (v == NULL) {
		sb_cfg_fail(c, sec, "port", "missing: the external port, or a range FIRST-LAST");
		ok = false;
	} else if (!port_range(v, &f.ext_lo, &f.ext_hi)) {
		sb_cfg_fail(c, sec, "port", "expected a port 1-65535 or a range FIRST-LAST, got \"%s\"",
			    v);
		ok = false;
	}
	ok &= lan_host(c, cfg, sec, "to", &f.to, &f.lan_port);
	v = sb_cfg_get(c, sec, "to_port");
	f.to_lo = f.ext_lo;
	if (v != NULL) {
		uint16_t lo, hi;

		if (!port_range(v, &lo, &hi)) {
			sb_cfg_fail(c, sec, "to_port", "expected a port 1-65535 or a range "
				    "FIRST-LAST, got \"%s\"", v);
			ok = false;
		} else if (f.ext_lo != 0 && lo != hi &&
			   (uint32_t)(hi - lo) != (uint32_t)(f.ext_hi - f.ext_lo)) {
			sb_cfg_fail(c, sec, "to_port", "the range %s has %u ports, port has %u "
				    "(a range maps to a range of the same length)", v, hi - lo + 1u,
				    f.ext_hi - f.ext_lo + 1u);
			ok = false;
		} else if (f.ext_lo != 0 && (uint32_t)lo + (f.ext_hi - f.ext_lo) > 65535) {
			sb_cfg_fail(c, sec, "to_port", "%u + %u ports runs past 65535", lo,
				    f.ext_hi - f.ext_lo + 1u);
			ok = false;
		} else {
			f.to_lo = lo;
		}
	}
	v = sb_cfg_get(c, sec, "allow");
	if (v != NULL) {
		char why[256];
		int n = sb_xdpconf_prefixes(v, f.allow, SB_FWD_MAX_ALLOW, why, sizeof(why));

		if (n < 0) {
			sb_cfg_fail(c, sec, "allow", "%s", why);
			ok = false;
		} else {
			f.n_allow = (unsigned)n;
		}
	}
	ok &= sb_cfg_get_name(c, sec, "comment", f.comment, sizeof(f.comment));
	if (ok)
		cfg->forwards[cfg->n_forwards++] = f;
}

void
sb_cfg_parse_nat1to1(struct ctx *c, struct sb_config *cfg, const char *sec, const char *name)
{
	struct sb_nat1to1_conf n;
	const char *v;
	bool ok = true;
	int p = -1;

	if (cfg->n_nat1to1 == SB_MAX_NAT1TO1) {
		sb_cfg_fail(c, sec, NULL, "too many one-to-one mappings (at most %d)",
			    SB_MAX_NAT1TO1);
		return;
	}
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	v = sb_cfg_get(c, sec, "wan");
	if (v == NULL) {
		sb_cfg_fail(c, sec, "wan", "missing: the WAN port that carries the external address");
		ok = false;
	} else {
		p = fwd_wan(c, cfg, sec, v);
		ok &= p >= 0;
		if (p >= 0 && cfg->ports[p].dhcp.enabled) {
			sb_cfg_fail(c, sec, "wan", "port %s takes its address from DHCP: a one-to-one "
				    "address needs a static subnet", v);
			ok = false;
		}
		n.wan = (uint8_t)(p >= 0 ? p : 0);
	}
	v = sb_cfg_get(c, sec, "external");
	if (v == NULL) {
		sb_cfg_fail(c, sec, "external", "missing: the extra address on the WAN port");
		ok = false;
	} else if (sb_config_parse_ipv4(v, &n.external) != 0) {
		sb_cfg_fail(c, sec, "external", "expected an IPv4 address, got \"%s\"", v);
		ok = false;
	} else if (is_port_addr(cfg, n.external)) {
		sb_cfg_fail(c, sec, "external", "%s is a port's own address (give an extra "
			    "address of the WAN's subnet)", v);
		ok = false;
	} else if (p >= 0 && !sb_cfg_port_subnet_unknown(c, p) && !cfg->ports[p].dhcp.enabled &&
		   !on_subnet(&cfg->ports[p], n.external)) {
		/* (A DHCP port has no subnet yet: its own error says so.) */
		sb_cfg_fail(c, sec, "external", "%s is outside the subnet of port %s", v,
			    cfg->ports[p].name);
		ok = false;
	}
	ok &= lan_host(c, cfg, sec, "internal", &n.internal, &n.lan_port);
	ok &= sb_cfg_get_name(c, sec, "comment", n.comment, sizeof(n.comment));
	if (ok)
		cfg->nat1to1[cfg->n_nat1to1++] = n;
}

bool
sb_config_extra_addr(const struct sb_config *cfg, unsigned port, uint32_t ip)
{
	for (unsigned i = 0; i < cfg->n_nat1to1; i++)
		if (cfg->nat1to1[i].wan == port && cfg->nat1to1[i].external == ip)
			return true;
	return false;
}

static const char *
proto_names(uint8_t protos)
{
	return protos == (SB_FWD_TCP | SB_FWD_UDP) ? "tcp and udp" :
	       protos == SB_FWD_TCP ? "tcp" : "udp";
}

void
sb_cfg_check_forwards(struct ctx *c, struct sb_config *cfg)
{
	char sec[80];

	for (unsigned i = 0; i < cfg->n_forwards; i++) {
		const struct sb_forward_conf *a = &cfg->forwards[i];

		for (unsigned j = 0; j < i; j++) {
			const struct sb_forward_conf *b = &cfg->forwards[j];
			uint32_t wans = a->wans & b->wans;
			uint8_t protos = a->protos & b->protos;
			unsigned lo = a->ext_lo > b->ext_lo ? a->ext_lo : b->ext_lo;
			unsigned hi = a->ext_hi < b->ext_hi ? a->ext_hi : b->ext_hi;

			if (wans == 0 || protos == 0 || lo > hi)
				continue;
			char ports[16];

			if (lo == hi)
				snprintf(ports, sizeof(ports), "port %u", lo);
			else
				snprintf(ports, sizeof(ports), "ports %u-%u", lo, hi);
			snprintf(sec, sizeof(sec), "forward %s", a->name);
			sb_cfg_fail(c, sec, "port", "overlaps forward %s: %s %s on port %s", b->name,
				    proto_names(protos), ports, cfg->ports[__builtin_ctz(wans)].name);
		}
	}
	for (unsigned i = 0; i < cfg->n_nat1to1; i++) {
		const struct sb_nat1to1_conf *a = &cfg->nat1to1[i];

		snprintf(sec, sizeof(sec), "nat1to1 %s", a->name);
		for (unsigned j = 0; j < i; j++) {
			const struct sb_nat1to1_conf *b = &cfg->nat1to1[j];

			if (a->external == b->external)
				sb_cfg_fail(c, sec, "external", "the same external address as "
					    "nat1to1 %s", b->name);
			if (a->internal == b->internal)
				sb_cfg_fail(c, sec, "internal", "the same internal address as "
					    "nat1to1 %s", b->name);
		}
	}
}
