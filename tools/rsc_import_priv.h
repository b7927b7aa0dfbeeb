/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: what rsc_import.c, rsc_pcc.c and rsc_netwatch.c
 * share (private to tools/): the items read from the script, the ports
 * and routes being made, and the helpers the translations use. */
#ifndef RSC_IMPORT_PRIV_H
#define RSC_IMPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sb_config.h"
#include "rsc_import.h"
#include "rsc_script.h"

#define MAX_KV 48
#define MAX_IMP_PORTS 16
#define MAX_HOPS 8

enum kind { K_ADDR, K_LIST, K_MEMBER, K_TABLE, K_ROUTE, K_NAT, K_MANGLE, K_NETWATCH,
	    K_DHCP, K_NONE };

struct kv {
	char *k, *v;
	int line;           /* where the value starts (scripts count from it) */
};

struct obj {
	enum kind kind;
	int line;
	unsigned n;
	struct kv kv[MAX_KV];
	bool removed;
	bool done;          /* translated (or reported) */
};

struct port {
	char ifname[64];    /* RouterOS name */
	char name[SB_NAME_LEN];
	char device[SB_DEV_LEN];
	uint32_t addr;
	uint8_t len;
	bool has_addr;
	bool script_addr;   /* the address came from /ip address */
	bool dhcp;          /* address = dhcp (/ip dhcp-client) */
	bool dhcp_no_route; /* add-default-route=no */
	unsigned dhcp_distance;
	const char *dhcp_check;
	char dhcp_host[64];
	int role;           /* -1 not decided, 0 lan, 1 wan */
	bool role_given;
	bool masq;
	unsigned weight;
	char table[SB_NAME_LEN];
	/* [wan] from netwatch */
	bool wan;
	unsigned n_mon;
	uint32_t mon[SB_WAN_MAX_MONITORS];
	uint32_t wan_gw;
	uint32_t interval_ms, timeout_ms;
};

/* One [route] to be: a RouterOS route with N gateways is N of them. */
struct rt {
	struct obj *o;
	char name[SB_NAME_LEN];
	uint32_t dst;
	uint8_t len;
	uint32_t gw;
	int gw_port;
	unsigned distance, scope, tscope;
	bool scope_set, tscope_set;
	const char *check;
	char table[SB_NAME_LEN];
	bool disabled;
	char comment[64];
};

struct buf {
	char *p;
	size_t n, cap;
};

/* Reports are kept and printed in line order at the end (translation
 * meets items in another order than the script has them). */
struct report {
	int line;
	unsigned seq;
	char *text;
};

struct imp {
	const struct rsc_import_opts *o;
	FILE *err;
	const char *src;
	unsigned errors, skips;
	struct obj **objs;
	unsigned n_objs, cap_objs;
	char **strs;
	unsigned n_strs, cap_strs;
	struct port port[MAX_IMP_PORTS];
	unsigned n_ports;
	bool default_devices;
	char ecmp[8];
	struct rt *rt;
	unsigned n_rt, cap_rt;
	char tables[SB_MAX_TABLES][SB_NAME_LEN];
	unsigned n_tables;
	bool pcc;
	char pcc_classifier[40];
	bool any_check;
	struct buf out;
	struct report *rep;
	unsigned n_rep, cap_rep;
};

/* Reports: kept and printed in line order when the import ends. */
void ri_rep(struct imp *m, int line, enum rsc_diag kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* calloc that exits on failure (a host tool: nothing to unwind). */
void *ri_xmalloc(size_t n);

/* An item's property, or NULL; yes/true; disabled=yes. */
const char *ri_get(const struct obj *o, const char *k);
bool ri_yes(const char *v);
bool ri_disabled(const struct obj *o);
/* Whether @o is a live object of kind @k to translate: such an object is
 * marked done; a disabled one is reported with the note @disabled and is
 * not translated. */
bool ri_take(struct imp *m, struct obj *o, enum kind k, const char *disabled);
/* The line where property @k's value began (the item's when unknown). */
int ri_line_of(const struct obj *o, const char *k);
/* Whether the item matches a [find ...] selection. */
bool ri_matches(const struct obj *o, const struct rsc_filter *f);
/* print, export, ping...: commands without effect on a configuration. */
bool ri_noop_verb(const char *v);

uint32_t ri_mask(uint8_t len);
bool ri_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *v);
/* RouterOS time: "10s", "500ms", "1m", "00:00:10", "10" (seconds). */
bool ri_parse_time_ms(const char *s, uint32_t *ms);
const char *ri_ipstr(uint32_t a, char *b);

/* The port of a RouterOS interface name (case-insensitive), or -1. */
int ri_port_of(const struct imp *m, const char *ifname);
/* Whether interface list @list ("all" too) holds @ifname. */
bool ri_in_list(const struct imp *m, const char *list, const char *ifname);
/* The port route @r leaves through (recursive gateways followed through
 * main), -1 when it does not resolve; *@nh its immediate next hop. */
int ri_egress(const struct imp *m, const struct rt *r, uint32_t *nh);

/** PCC mangle chains -> [pcc] and the members' pcc_weight/pcc_table
 * (rsc_pcc.c). Port roles must be decided before. */
void rsc_pcc_translate(struct imp *m);

/** Netwatch entries -> [wan] monitors where they mean the same
 * (rsc_netwatch.c). Routes must be translated before. */
void rsc_netwatch_translate(struct imp *m);

#endif
