/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: RouterOS items -> switchback INI (rsc_import.h).
 *
 * Two phases. Reading keeps every item the translated menus add, as the
 * key=value pairs RouterOS would hold, and applies the script's later
 * set/enable/disable/remove [find ...] to them, so a value is the one the
 * router ends up with. Translation then reads the items: ports from
 * addresses, DHCP clients and PORTS.ini, routes one to one, masquerade
 * per port (here); PCC mangle chains (rsc_pcc.c) and netwatch entries
 * (rsc_netwatch.c). Whatever a rule means that switchback would not do
 * alike is reported, not bent. The INI is checked with switchback's own
 * loader before it is printed. */
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
#include "rsc_import_priv.h"

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

/* ---- small helpers ---- */

static void grow(void **p, unsigned *cap, unsigned need, size_t size);

void
ri_rep(struct imp *m, int line, enum rsc_diag kind, const char *fmt, ...)
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
	{
		char text[1024];
		const char *k = kind == RSC_ERROR ? "error" : kind == RSC_SKIP ? "skipped" : "note";

		if (line > 0)
			snprintf(text, sizeof(text), "%s:%d: %s: %s\n", m->src, line, k, msg);
		else
			snprintf(text, sizeof(text), "%s: %s: %s\n", m->src, k, msg);
		grow((void **)&m->rep, &m->cap_rep, m->n_rep + 1, sizeof(*m->rep));
		m->rep[m->n_rep].line = line > 0 ? line : 1 << 30;
		m->rep[m->n_rep].seq = m->n_rep;
		m->rep[m->n_rep].text = strdup(text);
		m->n_rep++;
	}
}

static int
rep_cmp(const void *a, const void *b)
{
	const struct report *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
rep_flush(struct imp *m)
{
	if (m->n_rep > 1)
		qsort(m->rep, m->n_rep, sizeof(*m->rep), rep_cmp);
	for (unsigned i = 0; i < m->n_rep; i++) {
		if (m->rep[i].text != NULL)
			fputs(m->rep[i].text, m->err);
		free(m->rep[i].text);
	}
	free(m->rep);
	m->rep = NULL;
	m->n_rep = m->cap_rep = 0;
}

void *
ri_xmalloc(size_t n)
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

const char *
ri_get(const struct obj *o, const char *k)
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
		ri_rep(m, o->line, RSC_ERROR, "more than %d properties", MAX_KV);
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

int
ri_line_of(const struct obj *o, const char *k)
{
	for (unsigned i = 0; i < o->n; i++)
		if (strcmp(o->kv[i].k, k) == 0)
			return o->kv[i].line;
	return o->line;
}

bool
ri_yes(const char *v)
{
	return v != NULL && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0);
}

bool
ri_disabled(const struct obj *o)
{
	return ri_yes(ri_get(o, "disabled"));
}

bool
ri_take(struct imp *m, struct obj *o, enum kind k, const char *disabled)
{
	if (o->kind != k || o->removed)
		return false;
	o->done = true;
	if (ri_disabled(o)) {
		ri_rep(m, o->line, RSC_NOTE, "%s", disabled);
		return false;
	}
	return true;
}

/* "A.B.C.D[/LEN]", host bits allowed. */
static bool
parse_pfx(const char *s, uint32_t *a, uint8_t *len)
{
	return s != NULL && sb_config_parse_prefix(s, a, len, false) == 0;
}

uint32_t
ri_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

bool
ri_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
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
bool
ri_parse_time_ms(const char *s, uint32_t *ms)
{
	/* "ms" before "m": the first unit that prefixes the rest is it. */
	static const struct { const char *name; double ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	unsigned h, mi, sec;
	double total = 0;
	size_t u;
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
		u = 0;
		while (u < sizeof(units) / sizeof(units[0]) &&
		       strncmp(end, units[u].name, strlen(units[u].name)) != 0)
			u++;
		if (u < sizeof(units) / sizeof(units[0])) {
			total += v * units[u].ms;
			end += strlen(units[u].name);
		} else if (*end == '\0') {
			total += v * 1000;   /* a bare number: seconds */
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

const char *
ri_ipstr(uint32_t a, char *b)
{
	snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return b;
}

/* A switchback name from any text: letters, digits, _ and -. Section
 * names are lowercase once iniparser has read them: @lower makes them so
 * here, so that a value naming one (gateway = A%PORT) still matches. */
static void
sanitize(const char *s, char *d, size_t n, bool lower)
{
	size_t k = 0;
	bool dash = false;

	for (; *s && k + 1 < n; s++) {
		if (isalnum((unsigned char)*s) || *s == '_' || *s == '-') {
			d[k++] = lower ? (char)tolower((unsigned char)*s) : *s;
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

int
ri_port_of(const struct imp *m, const char *ifname)
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
		ri_rep(m, line, RSC_SKIP, "interface %s: switchback takes at most %d ports", ifname,
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
		const char **keys = nk > 0 ? ri_xmalloc(sizeof(char *) * (size_t)nk) : NULL;
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
		if (ri_port_of(m, sec) >= 0) {
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

			sanitize(v, s, sizeof(s), true);
			if (strcasecmp(s, v) != 0 || *s == '\0') {
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

bool
ri_noop_verb(const char *v)
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
	const char *v = ri_get(o, k);

	if (strcmp(k, "disabled") == 0 || strcmp(k, "passthrough") == 0)
		return ri_yes(v) == ri_yes(want);
	if (v == NULL && o->kind == K_ROUTE)
		v = route_default(k);
	if (v == NULL && o->kind == K_ROUTE && strcmp(k, "routing-table") == 0)
		v = ri_get(o, "routing-mark");
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

bool
ri_matches(const struct obj *o, const struct rsc_filter *f)
{
	if (o->removed)
		return false;
	for (unsigned i = 0; i < f->n; i++) {
		const struct rsc_cond *c = &f->c[i];

		if (c->op == '~') {
			const char *v = ri_get(o, c->key);
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
		if (m->objs[i]->kind == kind && ri_matches(m->objs[i], f)) {
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
			ri_rep(m, c->line, RSC_SKIP, "/ip settings set %s: not a setting switchback has",
			    a->value);
		} else if (strcmp(a->name, "ecmp-hash-policy") == 0) {
			if (strcmp(a->value, "l3") == 0 || strcmp(a->value, "l4") == 0)
				snprintf(m->ecmp, sizeof(m->ecmp), "%s", a->value);
			else
				ri_rep(m, a->line, RSC_SKIP, "ecmp-hash-policy=%s: switchback hashes l3 or "
				    "l4 only (no inner headers)", a->value);
		} else {
			ri_rep(m, a->line, RSC_SKIP, "/ip settings %s=%s: not a setting switchback has",
			    a->name, a->value);
		}
	}
}

static void
on_cmd(void *ctx, const struct rsc_cmd *c)
{
	struct imp *m = ctx;
	enum kind k = menu_kind(c->menu);
	char disp[128];
	const char *menu = rsc_menu_display(c->menu, disp, sizeof(disp));

	if (ri_noop_verb(c->verb)) {
		ri_rep(m, c->line, RSC_NOTE, "%s %s: no effect on the configuration", menu, c->verb);
		return;
	}
	if (strcmp(c->menu, "/ip/settings") == 0 && strcmp(c->verb, "set") == 0) {
		settings(m, c);
		return;
	}
	if (k == K_NONE) {
		ri_rep(m, c->line, RSC_SKIP, "%s %s: not translated (%s)", menu, c->verb,
		    why_not(c->menu));
		return;
	}
	if (strcmp(c->verb, "add") == 0) {
		struct obj *o = ri_xmalloc(sizeof(*o));

		o->kind = k;
		o->line = c->line;
		for (unsigned i = 0; i < c->n_args; i++) {
			const struct rsc_arg *a = &c->args[i];

			if (a->filter != NULL) {
				ri_rep(m, c->line, RSC_ERROR, "%s add: a [find] selection is no value", menu);
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
		struct obj **sel;
		unsigned n;

		for (unsigned i = 0; i < c->n_args; i++)
			if (c->args[i].name == NULL) {
				if (c->args[i].filter == NULL) {
					ri_rep(m, c->line, RSC_SKIP, "%s %s %s: item numbers refer to a print "
					    "listing; use [find ...]", menu, c->verb, c->args[i].value);
					return;
				}
				f = c->args[i].filter;
			} else if (strcmp(c->args[i].name, "numbers") == 0) {
				ri_rep(m, c->line, RSC_SKIP, "%s %s numbers=: item numbers refer to a print "
				    "listing; use [find ...]", menu, c->verb);
				return;
			}
		if (f == NULL) {
			ri_rep(m, c->line, RSC_ERROR, "%s %s: which items? ([find ...] expected)", menu,
			    c->verb);
			return;
		}
		sel = ri_xmalloc(sizeof(*sel) * (m->n_objs + 1));
		n = select_objs(m, k, f, sel, m->n_objs);
		if (n == 0)
			ri_rep(m, c->line, RSC_NOTE, "%s %s: the selection matches nothing here", menu,
			    c->verb);
		for (unsigned j = 0; j < n; j++) {
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
		free(sel);
		return;
	}
	ri_rep(m, c->line, RSC_SKIP, "%s %s: this command is not translated", menu, c->verb);
}

static void
on_diag(void *ctx, int line, enum rsc_diag kind, const char *msg)
{
	ri_rep(ctx, line, kind, "%s", msg);
}

/* ---- translation: ports ---- */

bool
ri_in_list(const struct imp *m, const char *list, const char *ifname)
{
	if (strcmp(list, "all") == 0)
		return true;
	for (unsigned i = 0; i < m->n_objs; i++) {
		const struct obj *o = m->objs[i];

		if (o->kind == K_MEMBER && !o->removed && !ri_disabled(o) && ri_get(o, "list") &&
		    ri_get(o, "interface") && strcmp(ri_get(o, "list"), list) == 0 &&
		    strcasecmp(ri_get(o, "interface"), ifname) == 0)
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
		if (m->objs[i]->kind == K_LIST && !m->objs[i]->removed && ri_get(m->objs[i], "name") &&
		    strcmp(ri_get(m->objs[i], "name"), list) == 0)
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
			ri_rep(m, o->line, RSC_SKIP, "interface list %s=%s: not translated (lists hold "
			    "only their members here)", k, o->kv[j].v);
		}
		if (o->kind == K_LIST && ri_get(o, "name") == NULL)
			ri_rep(m, o->line, RSC_ERROR, "/interface list add: name missing");
		if (o->kind == K_MEMBER) {
			const char *l = ri_get(o, "list"), *ifn = ri_get(o, "interface");

			if (l == NULL || ifn == NULL)
				ri_rep(m, o->line, RSC_ERROR, "/interface list member add: list and "
				    "interface are needed");
			else if (!list_exists(m, l))
				ri_rep(m, o->line, RSC_NOTE, "interface list %s is not added in this script",
				    l);
		}
	}
}

static void
do_addresses(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *a = ri_get(o, "address"), *ifn = ri_get(o, "interface");
		uint32_t addr, net;
		uint8_t len, nlen;
		int p;

		if (!ri_take(m, o, K_ADDR, "/ip address: disabled, not translated"))
			continue;
		if (a == NULL || ifn == NULL) {
			ri_rep(m, o->line, RSC_ERROR, "/ip address add: address and interface are needed");
			continue;
		}
		if (!parse_pfx(a, &addr, &len) || strchr(a, '/') == NULL || len < 1 || len > 31) {
			ri_rep(m, o->line, RSC_SKIP, "/ip address %s: switchback needs A.B.C.D/LEN with "
			    "LEN 1..31", a);
			continue;
		}
		if (ri_get(o, "network") && (!parse_pfx(ri_get(o, "network"), &net, &nlen) ||
					  net != (addr & ri_mask(len))))
			ri_rep(m, o->line, RSC_NOTE, "/ip address network=%s: switchback derives the "
			    "network from the address", ri_get(o, "network"));
		for (unsigned j = 0; j < o->n; j++)
			if (strcmp(o->kv[j].k, "address") && strcmp(o->kv[j].k, "interface") &&
			    strcmp(o->kv[j].k, "network") && strcmp(o->kv[j].k, "comment") &&
			    strcmp(o->kv[j].k, "disabled"))
				ri_rep(m, o->line, RSC_SKIP, "/ip address %s=%s: not translated",
				    o->kv[j].k, o->kv[j].v);
		p = ri_port_of(m, ifn);
		if (p < 0) {
			struct port *np;

			if (!m->default_devices) {
				ri_rep(m, o->line, RSC_SKIP, "/ip address %s on %s: %s has no device in %s",
				    a, ifn, ifn, m->o->ports_path);
				continue;
			}
			np = port_new(m, ifn, o->line);
			if (np == NULL)
				continue;
			p = (int)(np - m->port);
		}
		if (m->port[p].script_addr) {
			ri_rep(m, o->line, RSC_SKIP, "/ip address %s on %s: switchback takes one address "
			    "per port (the first one is kept)", a, ifn);
			continue;
		}
		if (m->port[p].has_addr && (m->port[p].addr != addr || m->port[p].len != len))
			ri_rep(m, o->line, RSC_NOTE, "/ip address %s on %s: the script's address replaces "
			    "the one PORTS.ini gives", a, ifn);
		m->port[p].addr = addr;
		m->port[p].len = len;
		m->port[p].has_addr = true;
		m->port[p].script_addr = true;
		o->done = true;
	}
}

/* ---- translation: routes ---- */

/* Route @o's property @k (a scope, 0..255) into *@v, @dflt when it is
 * absent; *@set tells whether it was given. False, reported, when it is
 * not a number in range. */
static bool
route_scope(struct imp *m, const struct obj *o, const char *k, unsigned dflt, unsigned *v,
	    bool *set)
{
	const char *s = ri_get(o, k);

	*v = dflt;
	*set = s != NULL;
	if (s != NULL && !ri_parse_uint(s, 0, 255, v)) {
		ri_rep(m, o->line, RSC_ERROR, "/ip route %s=%s: expected 0..255", k, s);
		return false;
	}
	return true;
}

static bool
table_known(struct imp *m, const char *t)
{
	if (strcmp(t, "main") == 0)
		return true;
	for (unsigned i = 0; i < m->n_objs; i++)
		if (m->objs[i]->kind == K_TABLE && !m->objs[i]->removed &&
		    ri_get(m->objs[i], "name") && strcmp(ri_get(m->objs[i], "name"), t) == 0)
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
		sanitize(comment, base, sizeof(base) - 4, true);
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
			    (strcmp(key, "blackhole") == 0 && !ri_yes(val)) ||
			    (strcmp(key, "vrf-interface") == 0 && *val == '\0'))
				continue;
			if (strcmp(key, "blackhole") == 0 || strcmp(key, "type") == 0 ||
			    strcmp(key, "vrf-interface") == 0) {
				ri_rep(m, o->line, RSC_SKIP, "/ip route %s=%s: switchback has no %s routes; "
				    "route not translated", key, val, key);
				bad = true;
				break;
			}
			ri_rep(m, o->line, RSC_SKIP, "/ip route %s=%s: not translated (the route is, "
			    "without it)", key, val);
		}
		if (bad)
			continue;
		v = ri_get(o, "dst-address");
		if (v == NULL)
			v = "0.0.0.0/0";
		if (!parse_pfx(v, &base.dst, &base.len)) {
			ri_rep(m, o->line, RSC_ERROR, "/ip route dst-address=%s: not an IPv4 prefix", v);
			continue;
		}
		if (base.dst & ~ri_mask(base.len)) {
			ri_rep(m, o->line, RSC_ERROR, "/ip route dst-address=%s: host bits set", v);
			continue;
		}
		base.distance = 1;
		if ((v = ri_get(o, "distance")) != NULL && !ri_parse_uint(v, 1, 255, &base.distance)) {
			ri_rep(m, o->line, RSC_ERROR, "/ip route distance=%s: expected 1..255", v);
			continue;
		}
		if (!route_scope(m, o, "scope", 30, &base.scope, &base.scope_set) ||
		    !route_scope(m, o, "target-scope", 10, &base.tscope, &base.tscope_set))
			continue;
		v = ri_get(o, "check-gateway");
		if (v != NULL && *v != '\0' && strcmp(v, "none") != 0) {
			if (strcmp(v, "ping") == 0 || strcmp(v, "arp") == 0) {
				base.check = strcmp(v, "ping") == 0 ? "ping" : "arp";
				m->any_check = true;
			} else {
				ri_rep(m, o->line, RSC_SKIP, "/ip route check-gateway=%s: switchback checks "
				    "by ping or arp; the route is translated unchecked", v);
			}
		}
		table = ri_get(o, "routing-table");
		if (table == NULL)
			table = ri_get(o, "routing-mark");
		if (table == NULL)
			table = "main";
		{
			char t[SB_NAME_LEN];

			sanitize(table, t, sizeof(t), false);
			if (strcmp(t, table) != 0) {
				ri_rep(m, o->line, RSC_SKIP, "/ip route routing-table=%s: table names are "
				    "letters, digits, _ and - here", table);
				continue;
			}
		}
		if (!table_known(m, table) && ri_get(o, "routing-mark") == NULL)
			ri_rep(m, o->line, RSC_NOTE, "routing table %s is not added by /routing table "
			    "in this script", table);
		snprintf(base.table, sizeof(base.table), "%s", table);
		base.disabled = ri_disabled(o);
		if ((v = ri_get(o, "comment")) != NULL) {
			snprintf(base.comment, sizeof(base.comment), "%s", v);
			if (strlen(v) >= sizeof(base.comment))
				ri_rep(m, o->line, RSC_NOTE, "comment cut to %zu characters",
				    sizeof(base.comment) - 1);
		}
		gws = ri_get(o, "gateway");
		if (gws == NULL || *gws == '\0') {
			ri_rep(m, o->line, RSC_SKIP, "/ip route without a gateway: not translated");
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
				r.gw_port = ri_port_of(m, pct + 1);
				if (r.gw_port < 0 || sb_config_parse_ipv4(tok, &a) != 0) {
					ri_rep(m, o->line, RSC_SKIP, "/ip route gateway=%s%%%s: %s", tok, pct + 1,
					    r.gw_port < 0 ? "interface is not a port here" :
					    "not an IPv4 address");
					continue;
				}
				r.gw = a;
			} else if (sb_config_parse_ipv4(tok, &a) == 0) {
				r.gw = a;
			} else {
				r.gw_port = ri_port_of(m, tok);
				if (r.gw_port < 0) {
					ri_rep(m, o->line, RSC_SKIP, "/ip route gateway=%s: no such address or "
					    "port (interfaces need an address to be ports)", tok);
					continue;
				}
				r.gw = 0;
			}
			if (r.check && r.gw == 0) {
				ri_rep(m, o->line, RSC_SKIP, "check-gateway on an interface gateway: "
				    "translated unchecked");
				r.check = NULL;
			}
			/* switchback refuses two routes alike: RouterOS keeps one. */
			for (unsigned q = 0; q < m->n_rt; q++) {
				const struct rt *e = &m->rt[q];

				if (e->dst == r.dst && e->len == r.len && e->gw == r.gw &&
				    e->gw_port == r.gw_port && e->distance == r.distance &&
				    strcmp(e->table, r.table) == 0) {
					ri_rep(m, o->line, RSC_SKIP, "/ip route: same destination, gateway, "
					    "distance and table as line %d", e->o->line);
					goto next_gw;
				}
			}
			grow((void **)&m->rt, &m->cap_rt, m->n_rt + 1, sizeof(*m->rt));
			name_route(m, &r, ri_get(o, "comment"), k, n_gw);
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

		if (p->has_addr && ((gw ^ p->addr) & ri_mask(p->len)) == 0) {
			*nh = gw;
			return (int)i;
		}
	}
	if (depth >= MAX_HOPS)
		return -1;
	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		if (r->disabled || strcmp(r->table, "main") != 0 || r->scope > tscope ||
		    ((gw ^ r->dst) & ri_mask(r->len)) != 0)
			continue;
		if (best == NULL || r->len > best->len ||
		    (r->len == best->len && r->distance < best->distance))
			best = r;
	}
	if (best == NULL)
		return -1;
	return egress_gw(m, best->gw, best->gw_port, best->tscope, depth + 1, nh);
}

int
ri_egress(const struct imp *m, const struct rt *r, uint32_t *nh)
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
		const char *ch = ri_get(o, "chain"), *act = ri_get(o, "action");
		const char *oi = ri_get(o, "out-interface"), *ol = ri_get(o, "out-interface-list");
		bool bad = false;
		unsigned hits = 0;

		if (!ri_take(m, o, K_NAT, "/ip firewall nat: disabled rule, not translated"))
			continue;
		if (ch == NULL || strcmp(ch, "srcnat") != 0 || act == NULL ||
		    strcmp(act, "masquerade") != 0) {
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat chain=%s action=%s: only srcnat "
			    "masquerade is translated", ch ? ch : "?", act ? act : "?");
			continue;
		}
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k;

			if (!strcmp(k, "chain") || !strcmp(k, "action") || !strcmp(k, "out-interface") ||
			    !strcmp(k, "out-interface-list") || !strcmp(k, "comment") ||
			    !strcmp(k, "disabled") || !strcmp(k, "src-address"))
				continue;
			/* defconf's: everything but IPsec-encapsulated traffic,
			 * which is all of it here (switchback has no IPsec). */
			if (!strcmp(k, "ipsec-policy") && !strcmp(o->kv[j].v, "out,none"))
				continue;
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat %s=%s: switchback masquerades every "
			    "flow leaving the port; rule not translated", k, o->kv[j].v);
			bad = true;
		}
		if (bad)
			continue;
		if (ri_get(o, "src-address") != NULL) {
			uint32_t a;
			uint8_t l;
			const char *sa = ri_get(o, "src-address");

			if (!parse_pfx(sa, &a, &l)) {
				ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat src-address=%s: not "
				    "translated", sa);
				continue;
			}
			for (unsigned p = 0; p < m->n_ports; p++)
				if (m->port[p].role == 0 && m->port[p].has_addr &&
				    (m->port[p].len < l ||
				     ((m->port[p].addr ^ a) & ri_mask(l)) != 0)) {
					ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat src-address=%s leaves "
					    "LAN %s out; switchback masquerades every flow", sa,
					    m->port[p].ifname);
					bad = true;
				}
			if (bad)
				continue;
		}
		if ((oi == NULL) == (ol == NULL)) {
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat masquerade: out-interface or "
			    "out-interface-list (one of them) is needed here");
			continue;
		}
		if ((oi && *oi == '!') || (ol && *ol == '!')) {
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat: negated interfaces are not "
			    "translated");
			continue;
		}
		for (unsigned p = 0; p < m->n_ports; p++)
			if ((oi && strcasecmp(oi, m->port[p].ifname) == 0) ||
			    (ol && ri_in_list(m, ol, m->port[p].ifname))) {
				if (m->port[p].role_given && m->port[p].role == 0) {
					ri_rep(m, o->line, RSC_SKIP, "masquerade on %s, which PORTS.ini makes a "
					    "LAN port", m->port[p].ifname);
					continue;
				}
				m->port[p].masq = true;
				hits++;
			}
		if (hits == 0)
			ri_rep(m, o->line, RSC_SKIP, "/ip firewall nat masquerade on %s: no such port",
			    oi ? oi : ol);
	}
}

/* ---- translation: DHCP clients ---- */

static void
do_dhcp(struct imp *m)
{
	for (unsigned i = 0; i < m->n_objs; i++) {
		struct obj *o = m->objs[i];
		const char *ifn = ri_get(o, "interface");
		struct port *pt;
		int p;

		if (!ri_take(m, o, K_DHCP, "/ip dhcp-client: disabled, not translated"))
			continue;
		if (ifn == NULL) {
			ri_rep(m, o->line, RSC_ERROR, "/ip dhcp-client add: interface is needed");
			continue;
		}
		p = ri_port_of(m, ifn);
		if (p < 0 && m->default_devices) {
			pt = port_new(m, ifn, o->line);
			if (pt == NULL)
				continue;
			p = (int)(pt - m->port);
		} else if (p < 0) {
			ri_rep(m, o->line, RSC_SKIP, "/ip dhcp-client on %s: %s has no device in %s", ifn,
			    ifn, m->o->ports_path);
			continue;
		}
		pt = &m->port[p];
		if (pt->script_addr) {
			ri_rep(m, o->line, RSC_SKIP, "/ip dhcp-client on %s: the port has a static address "
			    "too; switchback takes one (the static one)", ifn);
			continue;
		}
		if (pt->has_addr) {
			char a[16];

			ri_rep(m, o->line, RSC_NOTE, "/ip dhcp-client on %s: PORTS.ini gives it %s/%u, "
			    "used instead of DHCP", ifn, ri_ipstr(pt->addr, a), pt->len);
			continue;
		}
		if (pt->role_given && pt->role == 0) {
			ri_rep(m, o->line, RSC_SKIP, "/ip dhcp-client on %s: PORTS.ini makes it a LAN "
			    "port; switchback runs DHCP on WAN ports only", ifn);
			continue;
		}
		pt->dhcp = true;
		pt->dhcp_distance = 1;
		pt->role = 1;
		for (unsigned j = 0; j < o->n; j++) {
			const char *k = o->kv[j].k, *val = o->kv[j].v;

			if (!strcmp(k, "interface") || !strcmp(k, "comment") || !strcmp(k, "disabled"))
				continue;
			if (!strcmp(k, "add-default-route")) {
				if (!strcmp(val, "no"))
					pt->dhcp_no_route = true;
				else if (!strcmp(val, "special-classless"))
					ri_rep(m, o->line, RSC_NOTE, "add-default-route=special-classless: "
					    "switchback adds the default route and the classless routes");
				else if (strcmp(val, "yes"))
					ri_rep(m, o->line, RSC_ERROR, "add-default-route=%s: yes, no or "
					    "special-classless", val);
			} else if (!strcmp(k, "default-route-distance")) {
				if (!ri_parse_uint(val, 1, 255, &pt->dhcp_distance))
					ri_rep(m, o->line, RSC_ERROR, "default-route-distance=%s: 1..255", val);
			} else if (!strcmp(k, "check-gateway")) {
				if (!strcmp(val, "ping") || !strcmp(val, "arp"))
					pt->dhcp_check = !strcmp(val, "ping") ? "ping" : "arp";
				else if (strcmp(val, "none") && *val)
					ri_rep(m, o->line, RSC_SKIP, "check-gateway=%s: ping or arp only", val);
			} else if (!strcmp(k, "host-name")) {
				size_t n = strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						  "0123456789-.");

				if (n == strlen(val) && n > 0 && n < sizeof(pt->dhcp_host))
					snprintf(pt->dhcp_host, sizeof(pt->dhcp_host), "%s", val);
				else
					ri_rep(m, o->line, RSC_SKIP, "host-name=%s: not translated (letters, "
					    "digits, - and . only)", val);
			} else if (!strcmp(k, "use-peer-dns") || !strcmp(k, "use-peer-ntp")) {
				ri_rep(m, o->line, RSC_NOTE, "%s=%s: switchback is no DNS resolver nor NTP "
				    "client", k, val);
			} else {
				ri_rep(m, o->line, RSC_SKIP, "/ip dhcp-client %s=%s: not translated", k, val);
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
			const char *n = ri_get(o, "name");

			o->done = true;
			if (n == NULL) {
				ri_rep(m, o->line, RSC_ERROR, "/routing table add: name missing");
				continue;
			}
			for (unsigned j = 0; j < o->n; j++)
				if (strcmp(o->kv[j].k, "name") && strcmp(o->kv[j].k, "fib") &&
				    strcmp(o->kv[j].k, "comment") && strcmp(o->kv[j].k, "disabled"))
					ri_rep(m, o->line, RSC_SKIP, "/routing table %s=%s: not translated",
					    o->kv[j].k, o->kv[j].v);
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
		if (pt->masq || ri_in_list(m, "WAN", pt->ifname) || ri_in_list(m, "wan", pt->ifname))
			pt->role = 1;
	}
	for (unsigned i = 0; i < m->n_rt; i++) {
		int p;

		if (m->rt[i].len != 0 || m->rt[i].disabled)
			continue;
		p = ri_egress(m, &m->rt[i], NULL);
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
			sanitize(pt->ifname, pt->name, sizeof(pt->name), true);
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
		out(m, "role = %s\n", pt->role == 1 ? "wan" : "lan");
		if (pt->dhcp) {
			out(m, "address = dhcp\n");
			if (pt->dhcp_no_route)
				out(m, "dhcp_default_route = no\n");
			if (pt->dhcp_distance != 1)
				out(m, "dhcp_default_route_distance = %u\n", pt->dhcp_distance);
			if (pt->dhcp_check)
				out(m, "dhcp_check_gateway = %s\n", pt->dhcp_check);
			if (*pt->dhcp_host)
				out(m, "dhcp_hostname = %s\n", pt->dhcp_host);
		} else {
			out(m, "address = %s/%u\n", ri_ipstr(pt->addr, a), pt->len);
		}
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
			out(m, "%s%s", k ? ", " : "", ri_ipstr(pt->mon[k], a));
		out(m, "\nmethod = icmp\n");
		if (pt->wan_gw && !pt->dhcp)
			out(m, "gateway = %s\n", ri_ipstr(pt->wan_gw, a));
		out(m, "interval_ms = %u\ntimeout_ms = %u\ndown_after = 1\nup_after = 1\n"
		    "hold_down_ms = 0\nquorum = %u\n", pt->interval_ms, pt->timeout_ms, pt->n_mon);
	}
	for (unsigned i = 0; i < m->n_rt; i++) {
		const struct rt *r = &m->rt[i];

		out(m, "\n; line %d\n[route %s]\ndst = %s/%u\n", r->o->line, r->name,
		    ri_ipstr(r->dst, a), r->len);
		if (r->gw != 0 && r->gw_port >= 0)
			out(m, "gateway = %s%%%s\n", ri_ipstr(r->gw, a), m->port[r->gw_port].name);
		else if (r->gw != 0)
			out(m, "gateway = %s\n", ri_ipstr(r->gw, a));
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
		ri_rep(m, 0, RSC_ERROR, "cannot write a temporary file to check the result: %s",
		    strerror(errno));
		return -1;
	}
	close(fd);
	cfg = sb_config_load(path, err, sizeof(err));
	unlink(path);
	if (cfg == NULL) {
		const char *msg = strstr(err, path) == err ? err + strlen(path) : err;

		ri_rep(m, 0, RSC_ERROR, "switchback refuses the result: %s", msg);
		return -1;
	}
	sb_config_free(cfg);
	return 0;
}

int
rsc_import(const char *text, size_t len, const struct rsc_import_opts *opts, char **outp,
	   FILE *err)
{
	struct imp *m = ri_xmalloc(sizeof(*m));
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
		do_dhcp(m);
		do_routes(m);
		do_nat(m);
		roles(m);
		rsc_pcc_translate(m);
		rsc_netwatch_translate(m);
		do_rest(m);
		if (m->default_devices && m->n_ports > 0)
			ri_rep(m, 0, RSC_NOTE, "no --ports file: every interface is net_af_packet on the "
			    "Linux interface of the same name");
		name_ports(m);
		for (unsigned p = 0; p < m->n_ports; p++)
			if (!m->port[p].has_addr && !m->port[p].dhcp) {
				ri_rep(m, 0, RSC_ERROR, "interface %s has no address (neither /ip address "
				    "nor PORTS.ini address=)", m->port[p].ifname);
			}
		if (m->n_ports == 0)
			ri_rep(m, 0, RSC_ERROR, "no interface with an address: give them in the script "
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
	rep_flush(m);
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
