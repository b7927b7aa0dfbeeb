/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: RouterOS items -> switchback INI (rsc_import.h).
 *
 * Two phases. Reading keeps every item the translated menus add, as the
 * key=value pairs RouterOS would hold, and applies the script's later
 * set/enable/disable/remove [find ...] to them, so a value is the one the
 * router ends up with. Translation then reads the items: ports from
 * addresses and PORTS.ini, routes one to one, masquerade per port, PCC
 * mangle chains to [pcc] and pcc_weight/pcc_table, netwatch to [wan]
 * monitors where the scripts take a WAN's routes out and back. Whatever a
 * rule means that switchback would not do alike is reported, not bent.
 * The INI is checked with switchback's own loader before it is printed. */
#include "rsc_import.h"
#include "rsc_script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <iniparser.h>

#include "sb_config.h"

#define MAX_KV 48
#define MAX_IMP_PORTS 16
#define MAX_HOPS 8

enum kind { K_ADDR, K_LIST, K_MEMBER, K_TABLE, K_ROUTE, K_NAT, K_MANGLE, K_NETWATCH,
	    K_DHCP, K_NONE };

static const struct {
	const char *menu;
	enum kind kind;
} kinds[] = {
	{ "/ip/address", K_ADDR }, { "/interface/list", K_LIST },
	{ "/interface/list/member", K_MEMBER }, { "/routing/table", K_TABLE },
	{ "/ip/route", K_ROUTE }, { "/ip/firewall/nat", K_NAT },
	{ "/ip/firewall/mangle", K_MANGLE }, { "/tool/netwatch", K_NETWATCH },
	{ "/ip/dhcp-client", K_DHCP },
};

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
};

/* ---- small helpers ---- */

static void
rep(struct imp *m, int line, enum rsc_diag kind, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kind == RSC_ERROR)
		m->errors++;
	else if (kind == RSC_SKIP)
		m->skips++;
	if (line > 0)
		fprintf(m->err, "%s:%d: %s: %s\n", m->src, line,
			kind == RSC_ERROR ? "error" : kind == RSC_SKIP ? "skipped" : "note", msg);
	else
		fprintf(m->err, "%s: %s: %s\n", m->src,
			kind == RSC_ERROR ? "error" : kind == RSC_SKIP ? "skipped" : "note", msg);
}

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL) {
		fprintf(stderr, "switchback-import-rsc: out of memory\n");
		exit(3);
	}
	return p;
}

static void
grow(void **p, unsigned *cap, unsigned need, size_t size)
{
	if (need <= *cap)
		return;
	*cap = *cap ? *cap * 2 : 16;
	if (*cap < need)
		*cap = need;
	*p = realloc(*p, *cap * size);
	if (*p == NULL) {
		fprintf(stderr, "switchback-import-rsc: out of memory\n");
		exit(3);
	}
}

static char *
keep(struct imp *m, const char *s)
{
	char *d = strdup(s ? s : "");

	if (d == NULL) {
		fprintf(stderr, "switchback-import-rsc: out of memory\n");
		exit(3);
	}
	grow((void **)&m->strs, &m->cap_strs, m->n_strs + 1, sizeof(char *));
	m->strs[m->n_strs++] = d;
	return d;
}

static void
out(struct imp *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = m->out.cap - m->out.n;

		va_start(ap, fmt);
		n = vsnprintf(m->out.p ? m->out.p + m->out.n : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			m->out.n += (size_t)n;
			return;
		}
		m->out.cap = m->out.cap ? m->out.cap * 2 : 4096;
		while (m->out.cap - m->out.n <= (size_t)n)
			m->out.cap *= 2;
		m->out.p = realloc(m->out.p, m->out.cap);
		if (m->out.p == NULL) {
			fprintf(stderr, "switchback-import-rsc: out of memory\n");
			exit(3);
		}
	}
}

static const char *
get(const struct obj *o, const char *k)
{
	for (unsigned i = 0; i < o->n; i++)
		if (strcmp(o->kv[i].k, k) == 0)
			return o->kv[i].v;
	return NULL;
}

static void
put_at(struct imp *m, struct obj *o, const char *k, const char *v, int line)
{
	for (unsigned i = 0; i < o->n; i++)
		if (strcmp(o->kv[i].k, k) == 0) {
			o->kv[i].v = keep(m, v);
			o->kv[i].line = line;
			return;
		}
	if (o->n == MAX_KV) {
		rep(m, o->line, RSC_ERROR, "more than %d properties", MAX_KV);
		return;
	}
	o->kv[o->n].k = keep(m, k);
	o->kv[o->n].v = keep(m, v);
	o->kv[o->n].line = line;
	o->n++;
}

static void
put(struct imp *m, struct obj *o, const char *k, const char *v)
{
	put_at(m, o, k, v, o->line);
}

static int
line_of(const struct obj *o, const char *k)
{
	for (unsigned i = 0; i < o->n; i++)
		if (strcmp(o->kv[i].k, k) == 0)
			return o->kv[i].line;
	return o->line;
}

static bool
yes(const char *v)
{
	return v != NULL && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0);
}

static bool
disabled(const struct obj *o)
{
	return yes(get(o, "disabled"));
}

/* "A.B.C.D[/LEN]", host bits allowed. */
static bool
parse_pfx(const char *s, uint32_t *a, uint8_t *len)
{
	return s != NULL && sb_parse_prefix(s, a, len, false) == 0;
}

static uint32_t
mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

static bool
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	char *end;
	unsigned long x;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < lo || x > hi)
		return false;
	*v = (unsigned)x;
	return true;
}

/* RouterOS time: "10s", "500ms", "1m", "1h", "1d", "00:00:10", "10". */
static bool
parse_time_ms(const char *s, uint32_t *ms)
{
	unsigned h, mi, sec;
	double total = 0;
	char c;

	if (s == NULL || *s == '\0')
		return false;
	if (sscanf(s, "%u:%u:%u%c", &h, &mi, &sec, &c) == 3) {
		*ms = (h * 3600 + mi * 60 + sec) * 1000;
		return true;
	}
	while (*s) {
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (end == s || errno != 0 || v < 0)
			return false;
		if (strncmp(end, "ms", 2) == 0) {
			total += v;
			end += 2;
		} else if (*end == 's') {
			total += v * 1000;
			end++;
		} else if (*end == 'm') {
			total += v * 60000;
			end++;
		} else if (*end == 'h') {
			total += v * 3600000;
			end++;
		} else if (*end == 'd') {
			total += v * 86400000;
			end++;
		} else if (*end == 'w') {
			total += v * 604800000;
			end++;
		} else if (*end == '\0') {
			total += v * 1000;
		} else {
			return false;
		}
		s = end;
	}
	if (total > 4e9)
		return false;
	*ms = (uint32_t)total;
	return true;
}

static const char *
ipstr(uint32_t a, char *b)
{
	snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return b;
}

/* A switchback name from any text: letters, digits, _ and -. */
static void
sanitize(const char *s, char *d, size_t n)
{
	size_t k = 0;
	bool dash = false;

	for (; *s && k + 1 < n; s++) {
		if (isalnum((unsigned char)*s) || *s == '_' || *s == '-') {
			d[k++] = *s;
			dash = false;
		} else if (!dash && k > 0) {
			d[k++] = '-';
			dash = true;
		}
	}
	while (k > 0 && d[k - 1] == '-')
		k--;
	d[k] = '\0';
}

/* ---- ports ---- */

static int
port_of(const struct imp *m, const char *ifname)
{
	if (ifname == NULL)
		return -1;
	for (unsigned i = 0; i < m->n_ports; i++)
		if (strcasecmp(m->port[i].ifname, ifname) == 0)
			return (int)i;
	return -1;
}

static struct port *
port_new(struct imp *m, const char *ifname, int line)
{
	struct port *p;

	if (m->n_ports == SB_MAX_PORTS) {
		rep(m, line, RSC_SKIP, "interface %s: switchback takes at most %d ports", ifname,
		    SB_MAX_PORTS);
		return NULL;
	}
	p = &m->port[m->n_ports++];
	memset(p, 0, sizeof(*p));
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->role = -1;
	return p;
}

static int
load_ports(struct imp *m)
{
	dictionary *d;
	int n;

	if (m->o->ports_path == NULL) {
		m->default_devices = true;
		return 0;
	}
	if (access(m->o->ports_path, R_OK) != 0) {
		fprintf(m->err, "%s: cannot read: %s\n", m->o->ports_path, strerror(errno));
		m->errors++;
		return -1;
	}
	d = iniparser_load(m->o->ports_path);
	if (d == NULL) {
		fprintf(m->err, "%s: not a valid INI file\n", m->o->ports_path);
		m->errors++;
		return -1;
	}
	n = iniparser_getnsec(d);
	for (int i = 0; i < n; i++) {
		const char *sec = iniparser_getsecname(d, i);
		int nk = iniparser_getsecnkeys(d, sec);
		const char **keys = nk > 0 ? xmalloc(sizeof(char *) * (size_t)nk) : NULL;
		char k[160];
		const char *v;
		struct port *p;

		if (nk > 0)
			iniparser_getseckeys(d, sec, keys);
		for (int j = 0; j < nk; j++) {
			const char *key = strchr(keys[j], ':') + 1;

			if (strcmp(key, "device") != 0 && strcmp(key, "address") != 0 &&
			    strcmp(key, "role") != 0 && strcmp(key, "name") != 0) {
				fprintf(m->err, "%s: [%s] %s: unknown key (device, address, role, name)\n",
					m->o->ports_path, sec, key);
				m->errors++;
			}
		}
		free(keys);
		if (port_of(m, sec) >= 0) {
			fprintf(m->err, "%s: [%s] given twice\n", m->o->ports_path, sec);
			m->errors++;
			continue;
		}
		p = port_new(m, sec, 0);
		if (p == NULL)
			continue;
		snprintf(k, sizeof(k), "%s:device", sec);
		v = iniparser_getstring(d, k, NULL);
		if (v == NULL || *v == '\0') {
			fprintf(m->err, "%s: [%s] device: missing (a DPDK device, docs/routeros.md)\n",
				m->o->ports_path, sec);
			m->errors++;
		} else {
			snprintf(p->device, sizeof(p->device), "%s", v);
		}
		snprintf(k, sizeof(k), "%s:address", sec);
		v = iniparser_getstring(d, k, NULL);
		if (v != NULL) {
			if (!parse_pfx(v, &p->addr, &p->len) || strchr(v, '/') == NULL) {
				fprintf(m->err, "%s: [%s] address: expected A.B.C.D/LEN, got \"%s\"\n",
					m->o->ports_path, sec, v);
				m->errors++;
			} else {
				p->has_addr = true;
			}
		}
		snprintf(k, sizeof(k), "%s:role", sec);
		v = iniparser_getstring(d, k, NULL);
		if (v != NULL) {
			if (strcmp(v, "wan") != 0 && strcmp(v, "lan") != 0) {
				fprintf(m->err, "%s: [%s] role: expected wan or lan\n", m->o->ports_path, sec);
				m->errors++;
			} else {
				p->role = strcmp(v, "wan") == 0;
				p->role_given = true;
			}
		}
		snprintf(k, sizeof(k), "%s:name", sec);
		v = iniparser_getstring(d, k, NULL);
		if (v != NULL) {
			char s[SB_NAME_LEN];

			sanitize(v, s, sizeof(s));
			if (strcmp(s, v) != 0 || *s == '\0') {
				fprintf(m->err, "%s: [%s] name: letters, digits, _ and -, at most %d\n",
					m->o->ports_path, sec, SB_NAME_LEN - 1);
				m->errors++;
			}
			snprintf(p->name, sizeof(p->name), "%s", s);
		}
	}
	iniparser_freedict(d);
	return m->errors ? -1 : 0;
}

/* ---- reading ---- */

static enum kind
menu_kind(const char *menu)
{
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].menu, menu) == 0)
			return kinds[i].kind;
	return K_NONE;
}

/* Why a menu is not translated, for the common ones. */
static const char *
why_not(const char *menu)
{
	static const struct {
		const char *menu, *why;
	} w[] = {
		{ "/interface/bridge", "switchback does not bridge: give the bridge (the LAN) one "
		  "device in PORTS.ini" },
		{ "/interface/ethernet", "interface settings are the device's (PORTS.ini)" },
		{ "/ip/firewall/filter", "no filter rules: switchback forwards what the LAN starts "
		  "and drops unsolicited WAN traffic" },
		{ "/ip/firewall/raw", "no filter rules" },
		{ "/ip/firewall/address-list", "no address lists" },
		{ "/ip/firewall/connection", "connections are switchback's sessions; a WAN going "
		  "down flushes its own (sessions_on_down)" },
		{ "/ip/dhcp-server", "switchback serves no DHCP" },
		{ "/ip/pool", "switchback serves no DHCP" },
		{ "/ip/dns", "switchback is no DNS resolver" },
		{ "/ip/service", "switchback has no management services on its ports" },
		{ "/system/scheduler", "scheduled scripts are not evaluated" },
		{ "/system/script", "scripts are not evaluated" },
		{ "/tool/e-mail", "alerts go to [notify] hook or webhook" },
		{ "/ipv6", "IPv4 only" },
		{ "/routing/rule", "no policy rules: tables are chosen by PCC only" },
		{ "/ip/route/rule", "no policy rules: tables are chosen by PCC only" },
	};

	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strncmp(menu, w[i].menu, strlen(w[i].menu)) == 0)
			return w[i].why;
	return "no switchback equivalent";
}

static bool
noop_verb(const char *v)
{
	static const char *const n[] = { "print", "export", "find", "monitor", "get",
					  "monitor-traffic", "ping", "resolve", "traceroute",
					  "torch", "flush", NULL };

	for (unsigned i = 0; n[i]; i++)
		if (strcmp(n[i], v) == 0)
			return true;
	return false;
}

static const char *
route_default(const char *k)
{
	if (strcmp(k, "dst-address") == 0)
		return "0.0.0.0/0";
	if (strcmp(k, "distance") == 0)
		return "1";
	if (strcmp(k, "routing-table") == 0)
		return "main";
	if (strcmp(k, "scope") == 0)
		return "30";
	if (strcmp(k, "target-scope") == 0)
		return "10";
	return NULL;
}

static bool
cond_eq(const struct obj *o, const char *k, const char *want)
{
	const char *v = get(o, k);

	if (strcmp(k, "disabled") == 0 || strcmp(k, "passthrough") == 0)
		return yes(v) == yes(want);
	if (v == NULL && o->kind == K_ROUTE)
		v = route_default(k);
	if (v == NULL && o->kind == K_ROUTE && strcmp(k, "routing-table") == 0)
		v = get(o, "routing-mark");
	if (v == NULL)
		return *want == '\0';
	if (strcmp(k, "dst-address") == 0 || strcmp(k, "address") == 0) {
		uint32_t a, b;
		uint8_t la, lb;

		if (parse_pfx(v, &a, &la) && parse_pfx(want, &b, &lb))
			return a == b && la == lb;
	}
	return strcmp(v, want) == 0;
}

static bool
matches(const struct obj *o, const struct rsc_filter *f)
{
	if (o->removed)
		return false;
	for (unsigned i = 0; i < f->n; i++) {
		const struct rsc_cond *c = &f->c[i];

		if (c->op == '~') {
			const char *v = get(c->key ? o : o, c->key);
			char pat[256];
			size_t n;

			/* RouterOS: a regular expression. Plain text and ^...$
			 * anchors are what configurations use; read as that. */
			snprintf(pat, sizeof(pat), "%s", *c->value == '^' ? c->value + 1 : c->value);
			n = strlen(pat);
			if (n > 0 && pat[n - 1] == '$')
				pat[--n] = '\0';
			if (v == NULL || strstr(v, pat) == NULL)
				return false;
			if (*c->value == '^' && strncmp(v, pat, n) != 0)
				return false;
		} else if (cond_eq(o, c->key, c->value) != (c->op == '=')) {
			return false;
		}
	}
	return true;
}

/* The items of @kind a selection names. */
static unsigned
select_objs(struct imp *m, enum kind kind, const struct rsc_filter *f, struct obj **sel,
	    unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->n_objs; i++)
		if (m->objs[i]->kind == kind && matches(m->objs[i], f)) {
			if (n < max)
				sel[n] = m->objs[i];
			n++;
		}
	return n;
}

static void
settings(struct imp *m, const struct rsc_cmd *c)
{
	for (unsigned i = 0; i < c->n_args; i++) {
		const struct rsc_arg *a = &c->args[i];

		if (a->name == NULL) {
			rep(m, c->line, RSC_SKIP, "/ip settings set %s: not a setting switchback has",
			    a->value);
		} else if (strcmp(a->name, "ecmp-hash-policy") == 0) {
			if (strcmp(a->value, "l3") == 0 || strcmp(a->value, "l4") == 0)
				snprintf(m->ecmp, sizeof(m->ecmp), "%s", a->value);
			else
				rep(m, a->line, RSC_SKIP, "ecmp-hash-policy=%s: switchback hashes l3 or "
				    "l4 only (no inner headers)", a->value);
		} else {
			rep(m, a->line, RSC_SKIP, "/ip settings %s=%s: not a setting switchback has",
			    a->name, a->value);
		}
	}
}

static void
on_cmd(void *ctx, const struct rsc_cmd *c)
{
	struct imp *m = ctx;
	enum kind k = menu_kind(c->menu);
	const char *menu = *c->menu ? c->menu : "/";

	if (noop_verb(c->verb)) {
		rep(m, c->line, RSC_NOTE, "%s %s: no effect on the configuration", menu, c->verb);
		return;
	}
	if (strcmp(c->menu, "/ip/settings") == 0 && strcmp(c->verb, "set") == 0) {
		settings(m, c);
		return;
	}
	if (k == K_NONE) {
		rep(m, c->line, RSC_SKIP, "%s %s: not translated (%s)", menu, c->verb,
		    why_not(c->menu));
		return;
	}
	if (strcmp(c->verb, "add") == 0) {
		struct obj *o = xmalloc(sizeof(*o));

		o->kind = k;
		o->line = c->line;
		for (unsigned i = 0; i < c->n_args; i++) {
			const struct rsc_arg *a = &c->args[i];

			if (a->filter != NULL) {
				rep(m, c->line, RSC_ERROR, "%s add: a [find] selection is no value", menu);
				free(o);
				return;
			}
			/* A bare word is a flag (/routing table add name=x fib). */
			put_at(m, o, a->name ? a->name : a->value, a->name ? a->value : "yes",
			       a->line);
		}
		grow((void **)&m->objs, &m->cap_objs, m->n_objs + 1, sizeof(*m->objs));
		m->objs[m->n_objs++] = o;
		return;
	}
	if (strcmp(c->verb, "set") == 0 || strcmp(c->verb, "enable") == 0 ||
	    strcmp(c->verb, "disable") == 0 || strcmp(c->verb, "remove") == 0) {
		const struct rsc_filter *f = NULL;
		struct obj *sel[4096];
		unsigned n;

		for (unsigned i = 0; i < c->n_args; i++)
			if (c->args[i].name == NULL) {
				if (c->args[i].filter == NULL) {
					rep(m, c->line, RSC_SKIP, "%s %s %s: item numbers refer to a print "
					    "listing; use [find ...]", menu, c->verb, c->args[i].value);
					return;
				}
				f = c->args[i].filter;
			} else if (strcmp(c->args[i].name, "numbers") == 0) {
				rep(m, c->line, RSC_SKIP, "%s %s numbers=: item numbers refer to a print "
				    "listing; use [find ...]", menu, c->verb);
				return;
			}
		if (f == NULL) {
			rep(m, c->line, RSC_ERROR, "%s %s: which items? ([find ...] expected)", menu,
			    c->verb);
			return;
		}
		n = select_objs(m, k, f, sel, sizeof(sel) / sizeof(sel[0]));
		if (n == 0)
			rep(m, c->line, RSC_NOTE, "%s %s: the selection matches nothing here", menu,
			    c->verb);
		for (unsigned j = 0; j < n && j < sizeof(sel) / sizeof(sel[0]); j++) {
			if (strcmp(c->verb, "remove") == 0)
				sel[j]->removed = true;
			else if (strcmp(c->verb, "enable") == 0)
				put(m, sel[j], "disabled", "no");
			else if (strcmp(c->verb, "disable") == 0)
				put(m, sel[j], "disabled", "yes");
			else
				for (unsigned i = 0; i < c->n_args; i++)
					if (c->args[i].name != NULL)
						put_at(m, sel[j], c->args[i].name, c->args[i].value,
						       c->args[i].line);
		}
		return;
	}
	rep(m, c->line, RSC_SKIP, "%s %s: this command is not translated", menu, c->verb);
}

static void
on_diag(void *ctx, int line, enum rsc_diag kind, const char *msg)
{
	rep(ctx, line, kind, "%s", msg);
}

/* ---- translation: ports ---- */

static bool
in_list(const struct imp *m, const char *list, const char *ifname)
{
	if (strcmp(list, "all") == 0)
		return true;
	for (unsigned i = 0; i < m->n_objs; i++) {
		const struct obj *o = m->objs[i];

		if (o->kind == K_MEMBER && !o->removed && !disabled(o) && get(o, "list") &&
		    get(o, "interface") && strcmp(get(o, "list"), list) == 0 &&
		    strcasecmp(get(o, "interface"), ifname) == 0)
			return true;
	}
	return false;
}

static bool
list_exists(const struct imp *m, const char *list)
{
	if (strcmp(list, "all") == 0 || strcmp(list, "none") == 0)
		return true;
	for (unsigned i = 0; i < m->n_objs; i++)
		if (m->objs[i]->kind == K_LIST && !m->objs[i]->removed && get(m->objs[i], "name") &&
		    strcmp(get(m->objs[i], "name"), list) == 0)
			return true;
	return false;
}

static void
do_lists(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];

		if (o->removed || (o->kind != K_LIST && o->kind != K_MEMBER))
			continue;
		o->done = true;
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k;

			if (strcmp(k, "name") == 0 || strcmp(k, "list") == 0 ||
			    strcmp(k, "interface") == 0 || strcmp(k, "comment") == 0 ||
			    strcmp(k, "disabled") == 0)
				continue;
			rep(m, o->line, RSC_SKIP, "interface list %s=%s: not translated (lists hold "
			    "only their members here)", k, o->kv[j].v);
		}
		if (o->kind == K_LIST && get(o, "name") == NULL)
			rep(m, o->line, RSC_ERROR, "/interface list add: name missing");
		if (o->kind == K_MEMBER) {
			const char *l = get(o, "list"), *ifn = get(o, "interface");

			if (l == NULL || ifn == NULL)
				rep(m, o->line, RSC_ERROR, "/interface list member add: list and "
				    "interface are needed");
			else if (!list_exists(m, l))
				rep(m, o->line, RSC_NOTE, "interface list %s is not added in this script",
				    l);
		}
	}
}

static void
do_addresses(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *a = get(o, "address"), *ifn = get(o, "interface");
		uint32_t addr, net;
		uint8_t len, nlen;
		int p;

		if (o->kind != K_ADDR || o->removed)
			continue;
		o->done = true;
		if (disabled(o)) {
			rep(m, o->line, RSC_NOTE, "/ip address: disabled, not translated");
			continue;
		}
		if (a == NULL || ifn == NULL) {
			rep(m, o->line, RSC_ERROR, "/ip address add: address and interface are needed");
			continue;
		}
		if (!parse_pfx(a, &addr, &len) || strchr(a, '/') == NULL || len < 1 || len > 31) {
			rep(m, o->line, RSC_SKIP, "/ip address %s: switchback needs A.B.C.D/LEN with "
			    "LEN 1..31", a);
			continue;
		}
		if (get(o, "network") && (!parse_pfx(get(o, "network"), &net, &nlen) ||
					  net != (addr & mask(len))))
			rep(m, o->line, RSC_NOTE, "/ip address network=%s: switchback derives the "
			    "network from the address", get(o, "network"));
		for (unsigned j = 0; j < o->n; j++)
			if (strcmp(o->kv[j].k, "address") && strcmp(o->kv[j].k, "interface") &&
			    strcmp(o->kv[j].k, "network") && strcmp(o->kv[j].k, "comment") &&
			    strcmp(o->kv[j].k, "disabled"))
				rep(m, o->line, RSC_SKIP, "/ip address %s=%s: not translated",
				    o->kv[j].k, o->kv[j].v);
		p = port_of(m, ifn);
		if (p < 0) {
			struct port *np;

			if (!m->default_devices) {
				rep(m, o->line, RSC_SKIP, "/ip address %s on %s: %s has no device in %s",
				    a, ifn, ifn, m->o->ports_path);
				continue;
			}
			np = port_new(m, ifn, o->line);
			if (np == NULL)
				continue;
			p = (int)(np - m->port);
		}
		if (m->port[p].script_addr) {
			rep(m, o->line, RSC_SKIP, "/ip address %s on %s: switchback takes one address "
			    "per port (the first one is kept)", a, ifn);
			continue;
		}
		if (m->port[p].has_addr && (m->port[p].addr != addr || m->port[p].len != len))
			rep(m, o->line, RSC_NOTE, "/ip address %s on %s: the script's address replaces "
			    "the one PORTS.ini gives", a, ifn);
		m->port[p].addr = addr;
		m->port[p].len = len;
		m->port[p].has_addr = true;
		m->port[p].script_addr = true;
		o->done = true;
	}
}

/* ---- translation: routes ---- */

static bool
table_known(struct imp *m, const char *t)
{
	if (strcmp(t, "main") == 0)
		return true;
	for (unsigned i = 0; i < m->n_objs; i++)
		if (m->objs[i]->kind == K_TABLE && !m->objs[i]->removed &&
		    get(m->objs[i], "name") && strcmp(get(m->objs[i], "name"), t) == 0)
			return true;
	return false;
}

static bool
name_taken(const struct imp *m, const char *n)
{
	if (strncmp(n, "connected-", 10) == 0)
		return true;
	for (unsigned i = 0; i < m->n_rt; i++)
		if (strcmp(m->rt[i].name, n) == 0)
			return true;
	return false;
}

static void
name_route(struct imp *m, struct rt *r, const char *comment, unsigned k, unsigned n_gw)
{
	char base[SB_NAME_LEN] = "";

	if (comment != NULL)
		sanitize(comment, base, sizeof(base) - 4);
	if (*base == '\0')
		snprintf(base, sizeof(base), "l%d", r->o->line);
	if (n_gw > 1) {
		size_t l = strlen(base);

		snprintf(base + (l > 26 ? 26 : l), sizeof(base) - (l > 26 ? 26 : l), "-%u", k + 1);
	}
	snprintf(r->name, sizeof(r->name), "%s", base);
	for (unsigned s = 2; name_taken(m, r->name); s++) {
		size_t l = strlen(base);

		snprintf(r->name, sizeof(r->name), "%.*s-%u", (int)(l > 26 ? 26 : l), base, s);
	}
}

static const char *const route_keys[] = {
	"dst-address", "gateway", "distance", "scope", "target-scope", "check-gateway",
	"routing-table", "routing-mark", "disabled", "comment", NULL,
};

static void
do_routes(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *v, *gws, *table;
		char gwbuf[512], *save = NULL, *tok;
		struct rt base = { .o = o };
		unsigned n_gw = 0, k = 0;
		bool bad = false;

		if (o->kind != K_ROUTE || o->removed)
			continue;
		o->done = true;
		for (unsigned j = 0; j < o->n; j++) {
			const char *key = o->kv[j].k, *val = o->kv[j].v;
			bool known = false;

			for (unsigned q = 0; route_keys[q]; q++)
				known |= strcmp(route_keys[q], key) == 0;
			if (known)
				continue;
			if ((strcmp(key, "pref-src") == 0 && *val == '\0') ||
			    (strcmp(key, "suppress-hw-offload") == 0) ||
			    (strcmp(key, "blackhole") == 0 && !yes(val)) ||
			    (strcmp(key, "vrf-interface") == 0 && *val == '\0'))
				continue;
			if (strcmp(key, "blackhole") == 0 || strcmp(key, "type") == 0 ||
			    strcmp(key, "vrf-interface") == 0) {
				rep(m, o->line, RSC_SKIP, "/ip route %s=%s: switchback has no %s routes; "
				    "route not translated", key, val, key);
				bad = true;
				break;
			}
			rep(m, o->line, RSC_SKIP, "/ip route %s=%s: not translated (the route is, "
			    "without it)", key, val);
		}
		if (bad)
			continue;
		v = get(o, "dst-address");
		if (v == NULL)
			v = "0.0.0.0/0";
		if (!parse_pfx(v, &base.dst, &base.len)) {
			rep(m, o->line, RSC_ERROR, "/ip route dst-address=%s: not an IPv4 prefix", v);
			continue;
		}
		if (base.dst & ~mask(base.len)) {
			rep(m, o->line, RSC_ERROR, "/ip route dst-address=%s: host bits set", v);
			continue;
		}
		base.distance = 1;
		if ((v = get(o, "distance")) != NULL && !parse_uint(v, 1, 255, &base.distance)) {
			rep(m, o->line, RSC_ERROR, "/ip route distance=%s: expected 1..255", v);
			continue;
		}
		base.scope = 30;
		if ((v = get(o, "scope")) != NULL) {
			if (!parse_uint(v, 0, 255, &base.scope)) {
				rep(m, o->line, RSC_ERROR, "/ip route scope=%s: expected 0..255", v);
				continue;
			}
			base.scope_set = true;
		}
		base.tscope = 10;
		if ((v = get(o, "target-scope")) != NULL) {
			if (!parse_uint(v, 0, 255, &base.tscope)) {
				rep(m, o->line, RSC_ERROR, "/ip route target-scope=%s: expected 0..255", v);
				continue;
			}
			base.tscope_set = true;
		}
		v = get(o, "check-gateway");
		if (v != NULL && *v != '\0' && strcmp(v, "none") != 0) {
			if (strcmp(v, "ping") == 0 || strcmp(v, "arp") == 0) {
				base.check = strcmp(v, "ping") == 0 ? "ping" : "arp";
				m->any_check = true;
			} else {
				rep(m, o->line, RSC_SKIP, "/ip route check-gateway=%s: switchback checks "
				    "by ping or arp; the route is translated unchecked", v);
			}
		}
		table = get(o, "routing-table");
		if (table == NULL)
			table = get(o, "routing-mark");
		if (table == NULL)
			table = "main";
		{
			char t[SB_NAME_LEN];

			sanitize(table, t, sizeof(t));
			if (strcmp(t, table) != 0) {
				rep(m, o->line, RSC_SKIP, "/ip route routing-table=%s: table names are "
				    "letters, digits, _ and - here", table);
				continue;
			}
		}
		if (!table_known(m, table) && get(o, "routing-mark") == NULL)
			rep(m, o->line, RSC_NOTE, "routing table %s is not added by /routing table "
			    "in this script", table);
		snprintf(base.table, sizeof(base.table), "%s", table);
		base.disabled = disabled(o);
		if ((v = get(o, "comment")) != NULL) {
			snprintf(base.comment, sizeof(base.comment), "%s", v);
			if (strlen(v) >= sizeof(base.comment))
				rep(m, o->line, RSC_NOTE, "comment cut to %zu characters",
				    sizeof(base.comment) - 1);
		}
		gws = get(o, "gateway");
		if (gws == NULL || *gws == '\0') {
			rep(m, o->line, RSC_SKIP, "/ip route without a gateway: not translated");
			continue;
		}
		snprintf(gwbuf, sizeof(gwbuf), "%s", gws);
		for (tok = gwbuf; *tok; tok++)
			n_gw += *tok == ',';
		n_gw++;
		for (tok = strtok_r(gwbuf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
			struct rt r = base;
			char *pct = strchr(tok, '%');
			uint32_t a;

			r.gw_port = -1;
			if (pct != NULL) {
				*pct = '\0';
				r.gw_port = port_of(m, pct + 1);
				if (r.gw_port < 0 || sb_parse_ipv4(tok, &a) != 0) {
					rep(m, o->line, RSC_SKIP, "/ip route gateway=%s%%%s: %s", tok, pct + 1,
					    r.gw_port < 0 ? "interface is not a port here" :
					    "not an IPv4 address");
					continue;
				}
				r.gw = a;
			} else if (sb_parse_ipv4(tok, &a) == 0) {
				r.gw = a;
			} else {
				r.gw_port = port_of(m, tok);
				if (r.gw_port < 0) {
					rep(m, o->line, RSC_SKIP, "/ip route gateway=%s: no such address or "
					    "port (interfaces need an address to be ports)", tok);
					continue;
				}
				r.gw = 0;
			}
			if (r.check && r.gw == 0) {
				rep(m, o->line, RSC_SKIP, "check-gateway on an interface gateway: "
				    "translated unchecked");
				r.check = NULL;
			}
			/* switchback refuses two routes alike: RouterOS keeps one. */
			for (unsigned q = 0; q < m->n_rt; q++) {
				const struct rt *e = &m->rt[q];

				if (e->dst == r.dst && e->len == r.len && e->gw == r.gw &&
				    e->gw_port == r.gw_port && e->distance == r.distance &&
				    strcmp(e->table, r.table) == 0) {
					rep(m, o->line, RSC_SKIP, "/ip route: same destination, gateway, "
					    "distance and table as line %d", e->o->line);
					goto next_gw;
				}
			}
			grow((void **)&m->rt, &m->cap_rt, m->n_rt + 1, sizeof(*m->rt));
			name_route(m, &r, get(o, "comment"), k, n_gw);
			m->rt[m->n_rt++] = r;
next_gw:
			;
		}
	}
}

/* The port a route leaves through, following recursive gateways through
 * main as switchback resolves them; *nh gets the immediate next hop (0
 * when on-link). -1 when it does not resolve. */
static int
egress_gw(const struct imp *m, uint32_t gw, int gw_port, unsigned tscope, int depth,
	  uint32_t *nh)
{
	const struct rt *best = NULL;

	if (gw_port >= 0) {
		*nh = gw;
		return gw_port;
	}
	for (unsigned i = 0; i < m->n_ports; i++) {
		const struct port *p = &m->port[i];

		if (p->has_addr && ((gw ^ p->addr) & mask(p->len)) == 0) {
			*nh = gw;
			return (int)i;
		}
	}
	if (depth >= MAX_HOPS)
		return -1;
	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		if (r->disabled || strcmp(r->table, "main") != 0 || r->scope > tscope ||
		    ((gw ^ r->dst) & mask(r->len)) != 0)
			continue;
		if (best == NULL || r->len > best->len ||
		    (r->len == best->len && r->distance < best->distance))
			best = r;
	}
	if (best == NULL)
		return -1;
	return egress_gw(m, best->gw, best->gw_port, best->tscope, depth + 1, nh);
}

static int
egress(const struct imp *m, const struct rt *r, uint32_t *nh)
{
	uint32_t dummy;

	return egress_gw(m, r->gw, r->gw_port, r->tscope, 0, nh ? nh : &dummy);
}

/* ---- translation: masquerade ---- */

static void
do_nat(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *ch = get(o, "chain"), *act = get(o, "action");
		const char *oi = get(o, "out-interface"), *ol = get(o, "out-interface-list");
		bool bad = false;
		unsigned hits = 0;

		if (o->kind != K_NAT || o->removed)
			continue;
		o->done = true;
		if (disabled(o)) {
			rep(m, o->line, RSC_NOTE, "/ip firewall nat: disabled rule, not translated");
			continue;
		}
		if (ch == NULL || strcmp(ch, "srcnat") != 0 || act == NULL ||
		    strcmp(act, "masquerade") != 0) {
			rep(m, o->line, RSC_SKIP, "/ip firewall nat chain=%s action=%s: only srcnat "
			    "masquerade is translated", ch ? ch : "?", act ? act : "?");
			continue;
		}
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k;

			if (!strcmp(k, "chain") || !strcmp(k, "action") || !strcmp(k, "out-interface") ||
			    !strcmp(k, "out-interface-list") || !strcmp(k, "comment") ||
			    !strcmp(k, "disabled") || !strcmp(k, "src-address"))
				continue;
			rep(m, o->line, RSC_SKIP, "/ip firewall nat %s=%s: switchback masquerades every "
			    "flow leaving the port; rule not translated", k, o->kv[j].v);
			bad = true;
		}
		if (bad)
			continue;
		if (get(o, "src-address") != NULL) {
			uint32_t a;
			uint8_t l;
			const char *sa = get(o, "src-address");

			if (!parse_pfx(sa, &a, &l)) {
				rep(m, o->line, RSC_SKIP, "/ip firewall nat src-address=%s: not "
				    "translated", sa);
				continue;
			}
			for (unsigned p = 0; p < m->n_ports; p++)
				if (m->port[p].role == 0 && m->port[p].has_addr &&
				    (m->port[p].len < l ||
				     ((m->port[p].addr ^ a) & mask(l)) != 0)) {
					rep(m, o->line, RSC_SKIP, "/ip firewall nat src-address=%s leaves "
					    "LAN %s out; switchback masquerades every flow", sa,
					    m->port[p].ifname);
					bad = true;
				}
			if (bad)
				continue;
		}
		if ((oi == NULL) == (ol == NULL)) {
			rep(m, o->line, RSC_SKIP, "/ip firewall nat masquerade: out-interface or "
			    "out-interface-list (one of them) is needed here");
			continue;
		}
		if ((oi && *oi == '!') || (ol && *ol == '!')) {
			rep(m, o->line, RSC_SKIP, "/ip firewall nat: negated interfaces are not "
			    "translated");
			continue;
		}
		for (unsigned p = 0; p < m->n_ports; p++)
			if ((oi && strcasecmp(oi, m->port[p].ifname) == 0) ||
			    (ol && in_list(m, ol, m->port[p].ifname))) {
				if (m->port[p].role_given && m->port[p].role == 0) {
					rep(m, o->line, RSC_SKIP, "masquerade on %s, which PORTS.ini makes a "
					    "LAN port", m->port[p].ifname);
					continue;
				}
				m->port[p].masq = true;
				hits++;
			}
		if (hits == 0)
			rep(m, o->line, RSC_SKIP, "/ip firewall nat masquerade on %s: no such port",
			    oi ? oi : ol);
	}
}

/* ---- translation: PCC mangle ---- */

static bool
lan_side(struct imp *m, const struct obj *o)
{
	const char *ii = get(o, "in-interface"), *il = get(o, "in-interface-list");

	if (ii != NULL) {
		int p = port_of(m, ii);

		return p >= 0 && m->port[p].role != 1;
	}
	if (il != NULL) {
		unsigned n = 0;

		for (unsigned p = 0; p < m->n_ports; p++)
			if (in_list(m, il, m->port[p].ifname)) {
				if (m->port[p].role == 1)
					return false;
				n++;
			}
		return n > 0;
	}
	return true;
}

static bool
wan_side(struct imp *m, const struct obj *o)
{
	const char *ii = get(o, "in-interface"), *il = get(o, "in-interface-list");
	int p = port_of(m, ii);

	if (ii != NULL)
		return p >= 0 && m->port[p].role == 1;
	if (il != NULL) {
		for (unsigned q = 0; q < m->n_ports; q++)
			if (in_list(m, il, m->port[q].ifname) && m->port[q].role != 1)
				return false;
		return true;
	}
	return false;
}

/* Keys a PCC rule may carry; anything else narrows it and is reported. */
static const char *
pcc_extra(const struct obj *o, const char *const *ok)
{
	for (unsigned j = 0; j < o->n; j++) {
		bool fine = false;

		for (unsigned q = 0; ok[q]; q++)
			fine |= strcmp(ok[q], o->kv[j].k) == 0;
		if (!fine)
			return o->kv[j].k;
	}
	return NULL;
}

/* The WAN port a routing table's default route leaves through. */
static int
table_wan(const struct imp *m, const char *table)
{
	const struct rt *best = NULL;

	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		if (!r->disabled && r->len == 0 && strcmp(r->table, table) == 0 &&
		    (best == NULL || r->distance < best->distance) && egress(m, r, NULL) >= 0)
			best = r;
	}
	return best ? egress(m, best, NULL) : -1;
}

#define PCC_MAX_N 64

static void
do_mangle(struct imp *m)
{
	static const char *const mark_conn_ok[] = {
		"chain", "action", "per-connection-classifier", "new-connection-mark",
		"passthrough", "in-interface", "in-interface-list", "connection-state",
		"connection-mark", "dst-address-type", "comment", "disabled", NULL,
	};
	static const char *const mark_route_ok[] = {
		"chain", "action", "connection-mark", "new-routing-mark", "passthrough",
		"in-interface", "in-interface-list", "comment", "disabled", NULL,
	};
	struct obj *pcc[PCC_MAX_N * 2], *route_rule[PCC_MAX_N * 2];
	unsigned n_pcc = 0, n_route = 0, den = 0;
	char classifier[40] = "";
	struct obj *by_k[PCC_MAX_N] = { 0 };
	const char *why = NULL;
	int why_line = 0;

	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *ch = get(o, "chain"), *act = get(o, "action"), *x;

		if (o->kind != K_MANGLE || o->removed)
			continue;
		o->done = true;
		if (disabled(o)) {
			rep(m, o->line, RSC_NOTE, "/ip firewall mangle: disabled rule, not translated");
			continue;
		}
		if (ch == NULL || act == NULL) {
			rep(m, o->line, RSC_ERROR, "/ip firewall mangle add: chain and action are "
			    "needed");
			continue;
		}
		if (strcmp(ch, "output") == 0) {
			rep(m, o->line, RSC_SKIP, "/ip firewall mangle chain=output: switchback "
			    "originates only its probes, which leave through their own WAN");
			continue;
		}
		if (strcmp(ch, "prerouting") != 0) {
			rep(m, o->line, RSC_SKIP, "/ip firewall mangle chain=%s: not translated", ch);
			continue;
		}
		if (strcmp(act, "mark-connection") == 0 && get(o, "per-connection-classifier")) {
			const char *v;

			if ((x = pcc_extra(o, mark_conn_ok)) != NULL) {
				rep(m, o->line, RSC_SKIP, "PCC rule with %s=%s: switchback classifies "
				    "every new connection from the LAN alike; rule not translated", x,
				    get(o, x));
				continue;
			}
			if (!lan_side(m, o)) {
				rep(m, o->line, RSC_SKIP, "PCC rule on a WAN interface: not translated");
				continue;
			}
			if ((v = get(o, "connection-state")) && strcmp(v, "new") != 0) {
				rep(m, o->line, RSC_SKIP, "PCC rule connection-state=%s: not translated", v);
				continue;
			}
			if ((v = get(o, "connection-mark")) && strcmp(v, "no-mark") != 0) {
				rep(m, o->line, RSC_SKIP, "PCC rule connection-mark=%s: not translated", v);
				continue;
			}
			if ((v = get(o, "dst-address-type")) && strcmp(v, "!local") != 0) {
				rep(m, o->line, RSC_SKIP, "PCC rule dst-address-type=%s: not translated",
				    v);
				continue;
			}
			if (get(o, "new-connection-mark") == NULL) {
				rep(m, o->line, RSC_ERROR, "mark-connection without new-connection-mark");
				continue;
			}
			if (n_pcc < PCC_MAX_N * 2)
				pcc[n_pcc++] = o;
			continue;
		}
		if (strcmp(act, "mark-routing") == 0 && get(o, "connection-mark") &&
		    strcmp(get(o, "connection-mark"), "no-mark") != 0) {
			if ((x = pcc_extra(o, mark_route_ok)) != NULL) {
				rep(m, o->line, RSC_SKIP, "mark-routing with %s=%s: policy routing beyond "
				    "PCC is not translated", x, get(o, x));
				continue;
			}
			if (get(o, "new-routing-mark") == NULL) {
				rep(m, o->line, RSC_ERROR, "mark-routing without new-routing-mark");
				continue;
			}
			if (!lan_side(m, o)) {
				rep(m, o->line, RSC_SKIP, "mark-routing on a WAN interface: not "
				    "translated");
				continue;
			}
			if (n_route < PCC_MAX_N * 2)
				route_rule[n_route++] = o;
			continue;
		}
		if (strcmp(act, "mark-connection") == 0 && wan_side(m, o) &&
		    (!get(o, "connection-mark") || strcmp(get(o, "connection-mark"), "no-mark") == 0) &&
		    pcc_extra(o, mark_conn_ok) == NULL) {
			rep(m, o->line, RSC_NOTE, "mark-connection on connections from a WAN: built in "
			    "(a session that came in on a WAN always leaves through it)");
			continue;
		}
		if (strcmp(act, "return") == 0 && get(o, "dst-address-type") &&
		    strcmp(get(o, "dst-address-type"), "local") == 0 && o->n <= 5) {
			rep(m, o->line, RSC_NOTE, "dst-address-type=local return: built in (traffic "
			    "to the gateway's addresses is never balanced)");
			continue;
		}
		rep(m, o->line, RSC_SKIP, "/ip firewall mangle action=%s: not translated (PCC "
		    "bypasses only connected subnets)", act);
	}
	if (n_pcc == 0) {
		for (unsigned i = 0; i < n_route; i++)
			rep(m, route_rule[i]->line, RSC_SKIP, "mark-routing for connection mark %s, "
			    "which no PCC rule sets: not translated",
			    get(route_rule[i], "connection-mark"));
		return;
	}
	/* One classifier and one denominator, every remainder once. */
	for (unsigned i = 0; i < n_pcc && why == NULL; i++) {
		const char *v = get(pcc[i], "per-connection-classifier");
		const char *colon = strrchr(v, ':');
		unsigned n, k;
		char c[40];

		if (colon == NULL || sscanf(colon + 1, "%u/%u", &n, &k) != 2 || n == 0 || k >= n ||
		    (size_t)(colon - v) >= sizeof(c)) {
			why = "per-connection-classifier is not CLASSIFIER:N/K";
			why_line = pcc[i]->line;
			break;
		}
		snprintf(c, sizeof(c), "%.*s", (int)(colon - v), v);
		if (n > PCC_MAX_N) {
			why = "more than 64 PCC remainders";
			why_line = pcc[i]->line;
		} else if (den != 0 && (n != den || strcmp(c, classifier) != 0)) {
			why = "PCC rules with different classifiers or denominators (switchback has "
			      "one classifier)";
			why_line = pcc[i]->line;
		} else if (by_k[k] != NULL) {
			why = "two PCC rules for one remainder";
			why_line = pcc[i]->line;
		} else {
			den = n;
			snprintf(classifier, sizeof(classifier), "%s", c);
			by_k[k] = pcc[i];
		}
	}
	for (unsigned k = 0; why == NULL && k < den; k++)
		if (by_k[k] == NULL) {
			why = "some PCC remainders are not marked (RouterOS routes them by main; "
			      "switchback gives every new connection a member)";
			why_line = pcc[0]->line;
		}
	if (why == NULL) {
		unsigned weight[MAX_IMP_PORTS] = { 0 };
		const char *table[MAX_IMP_PORTS] = { 0 };

		for (unsigned k = 0; k < den && why == NULL; k++) {
			const char *mark = get(by_k[k], "new-connection-mark"), *t = NULL;
			int p;

			for (unsigned r = 0; r < n_route && t == NULL; r++)
				if (strcmp(get(route_rule[r], "connection-mark"), mark) == 0)
					t = get(route_rule[r], "new-routing-mark");
			if (t == NULL) {
				why = "a connection mark of PCC has no mark-routing rule";
				why_line = by_k[k]->line;
				break;
			}
			p = table_wan(m, t);
			if (p < 0) {
				why = "a PCC routing table has no default route through a port";
				why_line = by_k[k]->line;
				break;
			}
			if (table[p] != NULL && strcmp(table[p], t) != 0) {
				why = "two PCC routing tables lead through one WAN";
				why_line = by_k[k]->line;
				break;
			}
			table[p] = t;
			weight[p]++;
		}
		if (why == NULL) {
			m->pcc = true;
			snprintf(m->pcc_classifier, sizeof(m->pcc_classifier), "%s", classifier);
			for (unsigned p = 0; p < m->n_ports; p++) {
				if (weight[p] == 0)
					continue;
				m->port[p].weight = weight[p];
				snprintf(m->port[p].table, sizeof(m->port[p].table), "%s", table[p]);
				m->port[p].role = 1;
			}
			for (unsigned i = 0; i < n_pcc; i++)
				if (!yes(get(pcc[i], "passthrough")) && get(pcc[i], "passthrough"))
					rep(m, pcc[i]->line, RSC_NOTE, "passthrough=no on a PCC mark: "
					    "RouterOS routes that first packet by main; switchback by the "
					    "member's table");
			for (unsigned r = 0; r < n_route; r++) {
				bool used = false;

				for (unsigned k = 0; k < den; k++)
					used |= strcmp(get(route_rule[r], "connection-mark"),
						       get(by_k[k], "new-connection-mark")) == 0;
				if (!used)
					rep(m, route_rule[r]->line, RSC_SKIP, "mark-routing for connection "
					    "mark %s, which no PCC rule sets: not translated",
					    get(route_rule[r], "connection-mark"));
			}
			return;
		}
	}
	rep(m, why_line, RSC_SKIP, "PCC not translated: %s", why);
	for (unsigned i = 0; i < n_pcc; i++)
		if (pcc[i]->line != why_line)
			rep(m, pcc[i]->line, RSC_SKIP, "PCC rule not translated (see line %d)", why_line);
	for (unsigned i = 0; i < n_route; i++)
		rep(m, route_rule[i]->line, RSC_SKIP, "mark-routing not translated (see line %d)",
		    why_line);
}

/* ---- translation: netwatch ---- */

enum { NW_NONE = 0, NW_ENABLE, NW_DISABLE, NW_DISTANCE };

struct nw_rec {
	struct imp *m;
	int act[4096 / 8];      /* per route (rt index): NW_* */
	unsigned dist[4096 / 8];
	unsigned n_act;
	bool bad;
	char why[320];
	int why_line;
};

static void
nw_bad(struct nw_rec *r, int line, const char *fmt, ...)
{
	va_list ap;

	if (r->bad)
		return;
	r->bad = true;
	r->why_line = line;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static void
nw_cmd(void *ctx, const struct rsc_cmd *c)
{
	struct nw_rec *r = ctx;
	struct imp *m = r->m;
	const struct rsc_filter *f = NULL;
	int act;
	unsigned dist = 0, hits = 0;

	if (noop_verb(c->verb))
		return;
	if (strcmp(c->menu, "/ip/firewall/connection") == 0) {
		nw_bad(r, c->line, "it removes connections (switchback flushes a WAN's sessions "
		       "itself when it goes down)");
		return;
	}
	if (strcmp(c->menu, "/ip/route") != 0) {
		nw_bad(r, c->line, "its script runs %s %s", *c->menu ? c->menu : "/", c->verb);
		return;
	}
	if (strcmp(c->verb, "enable") == 0)
		act = NW_ENABLE;
	else if (strcmp(c->verb, "disable") == 0)
		act = NW_DISABLE;
	else if (strcmp(c->verb, "set") == 0)
		act = NW_DISTANCE;
	else {
		nw_bad(r, c->line, "its script runs /ip route %s", c->verb);
		return;
	}
	for (unsigned i = 0; i < c->n_args; i++) {
		const struct rsc_arg *a = &c->args[i];

		if (a->name == NULL && a->filter != NULL)
			f = a->filter;
		else if (act == NW_DISTANCE && a->name && strcmp(a->name, "distance") == 0 &&
			 parse_uint(a->value, 1, 255, &dist))
			;
		else {
			nw_bad(r, c->line, "its script sets %s%s%s on routes", a->name ? a->name : a->value,
			       a->name ? "=" : "", a->name ? a->value : "");
			return;
		}
	}
	if (f == NULL || (act == NW_DISTANCE && dist == 0)) {
		nw_bad(r, c->line, "its script changes routes without [find ...] or distance");
		return;
	}
	for (unsigned i = 0; i < m->n_rt && i < sizeof(r->act) / sizeof(r->act[0]); i++)
		if (matches(m->rt[i].o, f)) {
			r->act[i] = act;
			r->dist[i] = dist;
			hits++;
		}
	if (hits == 0)
		nw_bad(r, c->line, "its [find ...] matches no route");
	r->n_act += hits;
}

static void
nw_diag(void *ctx, int line, enum rsc_diag kind, const char *msg)
{
	if (kind != RSC_NOTE)
		nw_bad(ctx, line, "%s", msg);
}

static void
nw_script(struct imp *m, struct nw_rec *r, const struct obj *o, const char *key)
{
	const char *s = get(o, key);
	struct rsc_ops ops = { .cmd = nw_cmd, .diag = nw_diag, .ctx = r };

	memset(r, 0, sizeof(*r));
	r->m = m;
	if (s == NULL || *s == '\0') {
		nw_bad(r, o->line, "it has no %s", key);
		return;
	}
	/* The script's lines are counted from the netwatch's own. */
	rsc_script_run(s, strlen(s), line_of(o, key), "", &ops);
}

static void
do_netwatch(struct imp *m)
{
	static struct nw_rec up, down;
	bool touched[MAX_IMP_PORTS][512] = { { false } };
	int wline[MAX_IMP_PORTS] = { 0 };

	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *host = get(o, "host"), *v;
		uint32_t h, interval = 10000, timeout = 1000;
		int w = -1;
		const char *why = NULL;
		int why_line = o->line;

		if (o->kind != K_NETWATCH || o->removed)
			continue;
		o->done = true;
		if (disabled(o)) {
			rep(m, o->line, RSC_NOTE, "/tool netwatch: disabled, not translated");
			continue;
		}
		if (host == NULL || sb_parse_ipv4(host, &h) != 0) {
			rep(m, o->line, RSC_SKIP, "/tool netwatch: host=%s is not an IPv4 address",
			    host ? host : "(missing)");
			continue;
		}
		if ((v = get(o, "interval")) && !parse_time_ms(v, &interval)) {
			rep(m, o->line, RSC_ERROR, "/tool netwatch interval=%s: not a time", v);
			continue;
		}
		if ((v = get(o, "timeout")) && !parse_time_ms(v, &timeout)) {
			rep(m, o->line, RSC_ERROR, "/tool netwatch timeout=%s: not a time", v);
			continue;
		}
		if ((v = get(o, "type")) && strcmp(v, "simple") != 0 && strcmp(v, "icmp") != 0) {
			rep(m, o->line, RSC_SKIP, "/tool netwatch type=%s: switchback monitors ping",
			    v);
			continue;
		}
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k;

			if (strcmp(k, "host") && strcmp(k, "interval") && strcmp(k, "timeout") &&
			    strcmp(k, "type") && strcmp(k, "up-script") && strcmp(k, "down-script") &&
			    strcmp(k, "comment") && strcmp(k, "disabled") && strcmp(k, "name"))
				rep(m, o->line, RSC_SKIP, "/tool netwatch %s=%s: not translated", k,
				    o->kv[j].v);
		}
		nw_script(m, &down, o, "down-script");
		nw_script(m, &up, o, "up-script");
		if (down.bad) {
			why = down.why;
			why_line = down.why_line;
		} else if (up.bad) {
			why = up.why;
			why_line = up.why_line;
		}
		for (unsigned q = 0; why == NULL && q < m->n_rt && q < 512; q++) {
			int p;

			if (down.act[q] == NW_NONE && up.act[q] == NW_NONE)
				continue;
			if ((down.act[q] == NW_DISABLE) != (up.act[q] == NW_ENABLE) ||
			    (down.act[q] == NW_DISTANCE) != (up.act[q] == NW_DISTANCE) ||
			    down.act[q] == NW_ENABLE) {
				why = "its up and down scripts do not undo each other";
				break;
			}
			if (down.act[q] == NW_DISTANCE && down.dist[q] <= up.dist[q]) {
				why = "its down script does not raise the distance";
				break;
			}
			p = egress(m, &m->rt[q], NULL);
			if (p < 0 || (w >= 0 && p != w)) {
				why = "the routes it changes do not all leave through one port";
				break;
			}
			w = p;
		}
		if (why == NULL && w < 0)
			why = "it changes no route";
		if (why != NULL) {
			rep(m, why_line, RSC_SKIP, "/tool netwatch host=%s: not translated: %s", host, why);
			continue;
		}
		/* Same meaning: the WAN's routes leave while the host is down. */
		for (unsigned q = 0; q < m->n_rt && q < 512; q++) {
			if (up.act[q] == NW_NONE)
				continue;
			touched[w][q] = true;
			if (up.act[q] == NW_DISTANCE && up.dist[q] != m->rt[q].distance) {
				rep(m, o->line, RSC_NOTE, "route %s takes distance %u (what the up-script "
				    "sets once %s answers)", m->rt[q].name, up.dist[q], host);
				m->rt[q].distance = up.dist[q];
			}
			if (m->rt[q].disabled) {
				rep(m, o->line, RSC_NOTE, "route %s enabled (what the up-script does once "
				    "%s answers)", m->rt[q].name, host);
				m->rt[q].disabled = false;
			}
		}
		{
			struct port *p = &m->port[w];
			bool dup = false;

			for (unsigned k = 0; k < p->n_mon; k++)
				dup |= p->mon[k] == h;
			if (dup)
				continue;
			if (p->n_mon == SB_WAN_MAX_MONITORS) {
				rep(m, o->line, RSC_SKIP, "/tool netwatch host=%s: more than %d monitors "
				    "for %s", host, SB_WAN_MAX_MONITORS, p->ifname);
				continue;
			}
			if (p->n_mon > 0 && (p->interval_ms != interval || p->timeout_ms != timeout))
				rep(m, o->line, RSC_NOTE, "/tool netwatch host=%s: %s's monitors share "
				    "one interval and timeout (the first netwatch's)", host, p->ifname);
			if (p->n_mon == 0) {
				p->interval_ms = interval < 10 ? 10 : interval;
				p->timeout_ms = timeout > p->interval_ms ? p->interval_ms : timeout;
				if (timeout > p->interval_ms)
					rep(m, o->line, RSC_NOTE, "netwatch timeout %s cut to the interval",
					    get(o, "timeout"));
				wline[w] = o->line;
			}
			p->mon[p->n_mon++] = h;
			p->wan = true;
			p->role = 1;
		}
	}
	/* [wan] takes every route through the WAN out: say where a
	 * netwatch leaves one alone (the monitors' own host routes aside,
	 * which switchback does not need: it probes out of the WAN). */
	for (unsigned p = 0; p < m->n_ports; p++) {
		struct port *pt = &m->port[p];

		if (!pt->wan)
			continue;
		if (pt->n_mon > 1)
			rep(m, wline[p], RSC_NOTE, "%u netwatch hosts for %s: out of service while any "
			    "is down (quorum %u); RouterOS lets the last netwatch event win",
			    pt->n_mon, pt->ifname, pt->n_mon);
		for (unsigned q = 0; q < m->n_rt && q < 512; q++) {
			const struct rt *r = &m->rt[q];
			bool mon = false;
			uint32_t nh = 0;

			if (touched[p][q] || r->disabled || egress(m, r, NULL) != (int)p)
				continue;
			for (unsigned k = 0; k < pt->n_mon; k++)
				mon |= r->len == 32 && r->dst == pt->mon[k];
			if (mon)
				continue;
			rep(m, r->o->line, RSC_NOTE, "route %s leaves through %s: switchback takes it "
			    "out of service with %s's monitors too (the netwatch scripts do not touch "
			    "it)", r->name, pt->ifname, pt->ifname);
			(void)nh;
		}
		for (unsigned q = 0; q < m->n_rt && q < 512; q++)
			if (touched[p][q]) {
				uint32_t nh = 0;

				egress(m, &m->rt[q], &nh);
				if (nh != 0 && ((nh ^ pt->addr) & mask(pt->len)) == 0) {
					pt->wan_gw = nh;
					break;
				}
			}
	}
}

/* ---- translation: the rest ---- */

static void
do_rest(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];

		if (o->removed)
			continue;
		if (o->kind == K_TABLE) {
			const char *n = get(o, "name");

			o->done = true;
			if (n == NULL) {
				rep(m, o->line, RSC_ERROR, "/routing table add: name missing");
				continue;
			}
			for (unsigned j = 0; j < o->n; j++)
				if (strcmp(o->kv[j].k, "name") && strcmp(o->kv[j].k, "fib") &&
				    strcmp(o->kv[j].k, "comment") && strcmp(o->kv[j].k, "disabled"))
					rep(m, o->line, RSC_SKIP, "/routing table %s=%s: not translated",
					    o->kv[j].k, o->kv[j].v);
		} else if (o->kind == K_DHCP) {
			o->done = true;
			rep(m, o->line, RSC_SKIP, "/ip dhcp-client on %s: switchback has no DHCP client "
			    "yet; give the port a static address (PORTS.ini address=)",
			    get(o, "interface") ? get(o, "interface") : "?");
		}
	}
}

/* Decide every port's role: PORTS.ini, else WAN when something says so
 * (masquerade, a list named WAN, a default route or PCC through it). */
static void
roles(struct imp *m)
{
	for (unsigned p = 0; p < m->n_ports; p++) {
		struct port *pt = &m->port[p];

		if (pt->role_given)
			continue;
		if (pt->masq || in_list(m, "WAN", pt->ifname) || in_list(m, "wan", pt->ifname))
			pt->role = 1;
	}
	for (unsigned i = 0; i < m->n_rt; i++) {
		int p;

		if (m->rt[i].len != 0 || m->rt[i].disabled)
			continue;
		p = egress(m, &m->rt[i], NULL);
		if (p >= 0 && !m->port[p].role_given)
			m->port[p].role = 1;
	}
	for (unsigned p = 0; p < m->n_ports; p++)
		if (m->port[p].role < 0)
			m->port[p].role = 0;
}

static void
name_ports(struct imp *m)
{
	for (unsigned p = 0; p < m->n_ports; p++) {
		struct port *pt = &m->port[p];

		if (*pt->name == '\0')
			sanitize(pt->ifname, pt->name, sizeof(pt->name));
		if (*pt->name == '\0')
			snprintf(pt->name, sizeof(pt->name), "port%u", p);
		for (unsigned q = 0; q < p; q++)
			if (strcmp(m->port[q].name, pt->name) == 0)
				snprintf(pt->name + (strlen(pt->name) > 26 ? 26 : strlen(pt->name)), 5,
					 "-%u", p);
		if (*pt->device == '\0') {
			char dev[SB_DEV_LEN];

			snprintf(dev, sizeof(dev), "net_af_packet%u,iface=%s", p, pt->ifname);
			memcpy(pt->device, dev, sizeof(dev));
		}
	}
}

static void
emit_value(struct imp *m, const char *key, const char *v)
{
	/* iniparser: ';' and '#' start comments unless the value is quoted. */
	if (strpbrk(v, ";#\"") != NULL || v[0] == ' ' || (*v && v[strlen(v) - 1] == ' ')) {
		out(m, "%s = \"", key);
		for (; *v; v++)
			out(m, "%c", *v == '"' ? '\'' : *v);
		out(m, "\"\n");
	} else {
		out(m, "%s = %s\n", key, v);
	}
}

static void
emit(struct imp *m)
{
	char a[16];

	out(m, "; switchback configuration imported from %s by switchback-import-rsc\n"
	    "; (docs/routeros.md). Lines it could not translate were reported on stderr.\n",
	    m->src);
	if (*m->ecmp)
		out(m, "\n[switchback]\necmp_hash = %s\n", m->ecmp);
	if (m->any_check) {
		uint32_t iv = m->o->check_interval_ms ? m->o->check_interval_ms : 10000;

		out(m, "\n; RouterOS check-gateway: a probe every 10 s, down after two unanswered,\n"
		    "; back at the first answer.\n[check_gateway]\ninterval_ms = %u\n"
		    "down_after = 2\nup_after = 1\nhold_down_ms = 0\n", iv);
	}
	if (m->pcc)
		out(m, "\n[pcc]\nclassifier = %s\n", m->pcc_classifier);
	for (unsigned p = 0; p < m->n_ports; p++) {
		const struct port *pt = &m->port[p];

		out(m, "\n; RouterOS interface %s\n[port %s]\n", pt->ifname, pt->name);
		emit_value(m, "device", pt->device);
		out(m, "role = %s\naddress = %s/%u\n", pt->role == 1 ? "wan" : "lan",
		    ipstr(pt->addr, a), pt->len);
		if (pt->masq)
			out(m, "masquerade = yes\n");
		if (pt->weight) {
			out(m, "pcc_weight = %u\n", pt->weight);
			if (strcmp(pt->table, "main") != 0)
				out(m, "pcc_table = %s\n", pt->table);
		}
	}
	for (unsigned p = 0; p < m->n_ports; p++) {
		const struct port *pt = &m->port[p];

		if (!pt->wan)
			continue;
		out(m, "\n; /tool netwatch: the routes through %s leave while its hosts are down\n"
		    "[wan %s]\nmonitors = ", pt->ifname, pt->name);
		for (unsigned k = 0; k < pt->n_mon; k++)
			out(m, "%s%s", k ? ", " : "", ipstr(pt->mon[k], a));
		out(m, "\nmethod = icmp\n");
		if (pt->wan_gw)
			out(m, "gateway = %s\n", ipstr(pt->wan_gw, a));
		out(m, "interval_ms = %u\ntimeout_ms = %u\ndown_after = 1\nup_after = 1\n"
		    "hold_down_ms = 0\nquorum = %u\n", pt->interval_ms, pt->timeout_ms, pt->n_mon);
	}
	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		out(m, "\n; line %d\n[route %s]\ndst = %s/%u\n", r->o->line, r->name,
		    ipstr(r->dst, a), r->len);
		if (r->gw != 0 && r->gw_port >= 0)
			out(m, "gateway = %s%%%s\n", ipstr(r->gw, a), m->port[r->gw_port].name);
		else if (r->gw != 0)
			out(m, "gateway = %s\n", ipstr(r->gw, a));
		else
			out(m, "gateway = %s\n", m->port[r->gw_port].name);
		out(m, "distance = %u\n", r->distance);
		if (r->scope_set)
			out(m, "scope = %u\n", r->scope);
		if (r->tscope_set)
			out(m, "target_scope = %u\n", r->tscope);
		if (r->check)
			out(m, "check_gateway = %s\n", r->check);
		if (strcmp(r->table, "main") != 0)
			out(m, "table = %s\n", r->table);
		if (r->disabled)
			out(m, "disabled = yes\n");
		if (*r->comment)
			emit_value(m, "comment", r->comment);
	}
}

/* The INI through switchback's own loader: what --check says. */
static int
validate(struct imp *m)
{
	char path[] = "/tmp/sb-import-rsc-XXXXXX", err[512];
	struct sb_config *cfg;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, m->out.p, m->out.n) != (ssize_t)m->out.n) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		rep(m, 0, RSC_ERROR, "cannot write a temporary file to check the result: %s",
		    strerror(errno));
		return -1;
	}
	close(fd);
	cfg = sb_config_load(path, err, sizeof(err));
	unlink(path);
	if (cfg == NULL) {
		const char *msg = strstr(err, path) == err ? err + strlen(path) : err;

		rep(m, 0, RSC_ERROR, "switchback refuses the result: %s", msg);
		return -1;
	}
	sb_config_free(cfg);
	return 0;
}

int
rsc_import(const char *text, size_t len, const struct rsc_import_opts *opts, char **outp,
	   FILE *err)
{
	struct imp *m = xmalloc(sizeof(*m));
	struct rsc_ops ops = { .cmd = on_cmd, .diag = on_diag, .ctx = m };
	int rc;

	*outp = NULL;
	m->o = opts;
	m->err = err;
	m->src = opts->src_name ? opts->src_name : "-";
	if (load_ports(m) == 0) {
		rsc_script_run(text, len, 1, "", &ops);
		do_lists(m);
		do_addresses(m);
		do_routes(m);
		do_nat(m);
		roles(m);
		do_mangle(m);
		do_netwatch(m);
		do_rest(m);
		if (m->default_devices && m->n_ports > 0)
			rep(m, 0, RSC_NOTE, "no --ports file: every interface is net_af_packet on the "
			    "Linux interface of the same name");
		name_ports(m);
		for (unsigned p = 0; p < m->n_ports; p++)
			if (!m->port[p].has_addr) {
				rep(m, 0, RSC_ERROR, "interface %s has no address (neither /ip address "
				    "nor PORTS.ini address=)", m->port[p].ifname);
			}
		if (m->n_ports == 0)
			rep(m, 0, RSC_ERROR, "no interface with an address: give them in the script "
			    "(/ip address) or in PORTS.ini");
		if (m->errors == 0) {
			emit(m);
			if (validate(m) == 0) {
				*outp = m->out.p;
				m->out.p = NULL;
			}
		}
	}
	rc = m->errors ? RSC_FAILED : m->skips ? RSC_SKIPPED : RSC_OK;
	for (unsigned i = 0; i < m->n_objs; i++)
		free(m->objs[i]);
	free(m->objs);
	for (unsigned i = 0; i < m->n_strs; i++)
		free(m->strs[i]);
	free(m->strs);
	free(m->rt);
	free(m->out.p);
	free(m);
	return rc;
}
