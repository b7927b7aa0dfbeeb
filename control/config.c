/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration. The whole file is parsed with iniparser into a
 * validated, read-only struct sb_config; any error refuses the whole file
 * and names file, line, section and key. Pure: no EAL. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <iniparser.h>

#include "sb_config.h"
#include "pcc.h"

/* Where each section and key stands in the file, for error messages:
 * iniparser itself does not keep line numbers. */
struct line_ref {
	char key[2 * SB_NAME_LEN + 64]; /* "section" or "section:key" */
	int line;
};

struct ctx {
	struct sb_config *cfg;
	dictionary *d;
	char *err;
	size_t errlen;
	struct line_ref *refs;
	int n_refs;
	bool failed;
};

static void
trim(char *s)
{
	char *e, *b = s;

	while (isspace((unsigned char)*b))
		b++;
	memmove(s, b, strlen(b) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
}

static void
index_lines(struct ctx *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], sec[128] = "";
	int ln = 0, cap = 0;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *eq;

		ln++;
		trim(p);
		if (*p == '\0' || *p == ';' || *p == '#')
			continue;
		if (c->n_refs == cap) {
			struct line_ref *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(c->refs, sizeof(*n) * cap);
			if (n == NULL)
				break;
			c->refs = n;
		}
		struct line_ref *r = &c->refs[c->n_refs];

		if (*p == '[') {
			char *e = strchr(p, ']');

			if (e == NULL)
				continue;
			*e = '\0';
			snprintf(sec, sizeof(sec), "%s", p + 1);
			trim(sec);
			for (char *q = sec; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			snprintf(r->key, sizeof(r->key), "%s", sec);
		} else if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			trim(p);
			for (char *q = p; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			snprintf(r->key, sizeof(r->key), "%s:%s", sec, p);
		} else {
			continue;
		}
		r->line = ln;
		c->n_refs++;
	}
	fclose(f);
}

static int
line_of(const struct ctx *c, const char *key)
{
	for (int i = c->n_refs - 1; i >= 0; i--)
		if (strcmp(c->refs[i].key, key) == 0)
			return c->refs[i].line;
	return 0;
}

/* Record the first error only: "FILE:LINE: [section] key: message". */
static void __attribute__((format(printf, 4, 5)))
fail(struct ctx *c, const char *sec, const char *key, const char *fmt, ...)
{
	char where[256], full[300], msg[512];
	va_list ap;
	int ln;

	if (c->failed)
		return;
	c->failed = true;
	if (key != NULL) {
		snprintf(full, sizeof(full), "%s:%s", sec, key);
		ln = line_of(c, full);
		if (ln == 0)
			ln = line_of(c, sec);
		snprintf(where, sizeof(where), "%s:%d: [%s] %s", c->cfg->path, ln, sec, key);
	} else {
		ln = line_of(c, sec);
		snprintf(where, sizeof(where), "%s:%d: [%s]", c->cfg->path, ln, sec);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", where, msg);
}

int
sb_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

int
sb_parse_prefix(const char *s, uint32_t *addr, uint8_t *len, bool need_len)
{
	char buf[64], *slash, *end;
	long l = 32;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == slash + 1 || l < 0 || l > 32)
			return -EINVAL;
	} else if (need_len) {
		return -EINVAL;
	}
	if (sb_parse_ipv4(buf, addr) != 0)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

int
sb_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (s == NULL || sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2],
				&v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

int
sb_config_port_index(const struct sb_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const char *
get(struct ctx *c, const char *sec, const char *key)
{
	char k[256];

	snprintf(k, sizeof(k), "%s:%s", sec, key);
	return iniparser_getstring(c->d, k, NULL);
}

static bool
get_uint(struct ctx *c, const char *sec, const char *key, uint32_t min,
	 uint32_t max, uint32_t *out)
{
	const char *v = get(c, sec, key);
	char *end;
	unsigned long x;

	if (v == NULL)
		return true; /* keep the default */
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || *v == '-' || x < min || x > max) {
		fail(c, sec, key, "expected a whole number from %u to %u, got \"%s\"",
		     min, max, v);
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

static bool
get_bool(struct ctx *c, const char *sec, const char *key, bool *out)
{
	const char *v = get(c, sec, key);

	if (v == NULL)
		return true;
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
	} else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
	} else {
		fail(c, sec, key, "expected yes or no, got \"%s\"", v);
		return false;
	}
	return true;
}

static bool
get_name(struct ctx *c, const char *sec, const char *key, char *out, size_t len)
{
	const char *v = get(c, sec, key);

	if (v == NULL)
		return true;
	if (strlen(v) >= len) {
		fail(c, sec, key, "longer than %zu characters", len - 1);
		return false;
	}
	strcpy(out, v);
	return true;
}

/* Refuse keys that this kind of section does not know. */
static void
check_keys(struct ctx *c, const char *sec, const char *const *known)
{
	int n = iniparser_getsecnkeys(c->d, sec);
	const char **keys;

	if (n <= 0)
		return;
	keys = calloc((size_t)n, sizeof(*keys));
	if (keys == NULL)
		return;
	iniparser_getseckeys(c->d, sec, keys);
	for (int i = 0; i < n && !c->failed; i++) {
		const char *k = strchr(keys[i], ':');
		bool ok = false;

		k = k ? k + 1 : keys[i];
		for (const char *const *q = known; *q; q++)
			if (strcmp(*q, k) == 0)
				ok = true;
		if (!ok) {
			char list[512] = "";

			for (const char *const *q = known; *q; q++) {
				strncat(list, *q, sizeof(list) - strlen(list) - 3);
				if (q[1])
					strcat(list, ", ");
			}
			fail(c, sec, k, "unknown key (this section takes: %s)", list);
		}
	}
	free(keys);
}

static const char *const keys_switchback[] = { "mbufs", "sessions", "fragments", "ecmp_hash",
					       "ctl_socket", NULL };
static const char *const keys_timeouts[] = { "tcp_established", "tcp_transitory", "udp", "icmp", NULL };
static const char *const keys_check[] = { "interval_ms", "timeout_ms", "down_after", "up_after",
					  "hold_down_ms", "loss_pct", "latency_ms", "window", NULL };
static const char *const keys_port[] = { "device", "role", "address", "masquerade", "vlan",
					 "rx_desc", "tx_desc", "pcc_weight", "pcc_table",
					 "sessions_on_down", "sessions_on_failback",
					 "dhcp_client_id", "dhcp_hostname", "dhcp_default_route",
					 "dhcp_default_route_distance", "dhcp_check_gateway",
					 "dhcp_classless_routes", "dhcp_release", "dhcp_lease_file",
					 NULL };
static const char *const keys_pcc[] = { "classifier", NULL };
static const char *const keys_notify[] = { "hook", "alert_after_s", "webhook", "webhook_retries",
					   "webhook_timeout_ms", "webhook_backoff_ms", NULL };
static const char *const keys_wan[] = { "monitors", "method", "gateway", "interval_ms",
					"timeout_ms", "down_after", "up_after", "hold_down_ms",
					"quorum", "loss_pct", "latency_ms", "window", "trigger", NULL };
static const char *const keys_route[] = { "dst", "gateway", "distance", "scope", "target_scope",
					  "check_gateway", "table", "disabled", "comment", NULL };
static const char *const keys_neigh[] = { "address", "mac", "port", NULL };

static bool
valid_name(const char *n)
{
	if (*n == '\0' || strlen(n) >= SB_NAME_LEN)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '-')
			return false;
	return true;
}

static int table_index(struct ctx *c, const char *sec, const char *name);

/* The dhcp_* keys of a port (docs/config.md, "DHCP on a WAN port"). */
static bool
parse_port_dhcp(struct ctx *c, const char *sec, struct sb_port_conf *p)
{
	static const char *const keys[] = { "dhcp_client_id", "dhcp_hostname",
					    "dhcp_default_route", "dhcp_default_route_distance",
					    "dhcp_check_gateway", "dhcp_classless_routes",
					    "dhcp_release", "dhcp_lease_file" };
	struct sb_port_dhcp *d = &p->dhcp;
	const char *v;
	uint32_t x;

	if (!d->enabled) {
		for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (get(c, sec, keys[i]) != NULL) {
				fail(c, sec, keys[i], "only with address = dhcp");
				return false;
			}
		return true;
	}
	if (p->role != SB_ROLE_WAN) {
		fail(c, sec, "address", "dhcp only on a wan port");
		return false;
	}
	d->default_route = true;
	d->distance = 1;
	d->classless_routes = true;
	d->release = true;
	snprintf(d->lease_file, sizeof(d->lease_file), "/var/lib/switchback/dhcp-%s.lease",
		 p->name);
	v = get(c, sec, "dhcp_client_id");
	if (v != NULL) {
		/* aa:bb:... is the identifier byte by byte (RFC 2132 9.14: the
		 * first byte is its type); anything else is text, sent as
		 * type 0 followed by the text. */
		unsigned n = 0, b;
		const char *q = v;
		bool hex = strlen(v) >= 5;

		while (hex && *q != '\0') {
			if (!isxdigit((unsigned char)q[0]) || !isxdigit((unsigned char)q[1]) ||
			    (q[2] != ':' && q[2] != '\0') || n == sizeof(d->client_id) ||
			    sscanf(q, "%2x", &b) != 1) {
				hex = false;
				break;
			}
			d->client_id[n++] = (uint8_t)b;
			q += q[2] == ':' ? 3 : 2;
		}
		if (hex) {
			d->client_id_len = (uint8_t)n;
		} else {
			size_t l = strlen(v);

			if (l == 0 || l + 1 > sizeof(d->client_id)) {
				fail(c, sec, "dhcp_client_id", "expected text of 1-%zu characters or "
				     "hex bytes aa:bb:cc..., got \"%s\"", sizeof(d->client_id) - 1, v);
				return false;
			}
			d->client_id[0] = 0;
			memcpy(d->client_id + 1, v, l);
			d->client_id_len = (uint8_t)(l + 1);
		}
	}
	v = get(c, sec, "dhcp_hostname");
	if (v != NULL) {
		size_t l = strlen(v);
		bool ok = l > 0 && l < sizeof(d->hostname);

		for (size_t i = 0; ok && i < l; i++)
			ok = isalnum((unsigned char)v[i]) || v[i] == '-' || v[i] == '.';
		if (!ok) {
			fail(c, sec, "dhcp_hostname", "expected 1-%zu letters, digits, '-' or '.', "
			     "got \"%s\"", sizeof(d->hostname) - 1, v);
			return false;
		}
		memcpy(d->hostname, v, l + 1);
	}
	if (!get_bool(c, sec, "dhcp_default_route", &d->default_route) ||
	    !get_bool(c, sec, "dhcp_classless_routes", &d->classless_routes) ||
	    !get_bool(c, sec, "dhcp_release", &d->release))
		return false;
	x = d->distance;
	if (!get_uint(c, sec, "dhcp_default_route_distance", 1, 255, &x))
		return false;
	d->distance = (uint8_t)x;
	v = get(c, sec, "dhcp_check_gateway");
	if (v != NULL) {
		if (strcmp(v, "none") == 0) {
			d->check = SB_CHECK_NONE;
		} else if (strcmp(v, "ping") == 0) {
			d->check = SB_CHECK_PING;
		} else if (strcmp(v, "arp") == 0) {
			d->check = SB_CHECK_ARP;
		} else {
			fail(c, sec, "dhcp_check_gateway", "expected none, ping or arp, got \"%s\"", v);
			return false;
		}
	}
	v = get(c, sec, "dhcp_lease_file");
	if (v != NULL && strcmp(v, "none") == 0)
		d->lease_file[0] = '\0';
	else if (!get_name(c, sec, "dhcp_lease_file", d->lease_file, sizeof(d->lease_file)))
		return false;
	return true;
}

static void
parse_port(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	struct sb_port_conf *p;
	const char *v;
	uint32_t x;

	if (cfg->n_ports == SB_MAX_PORTS) {
		fail(c, sec, NULL, "too many ports (at most %d)", SB_MAX_PORTS);
		return;
	}
	p = &cfg->ports[cfg->n_ports];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->rx_desc = 1024;
	p->tx_desc = 1024;

	v = get(c, sec, "device");
	if (v == NULL || *v == '\0') {
		fail(c, sec, "device", "missing: name the DPDK device (a PCI address such as "
		     "0000:01:00.0, or a vdev such as net_af_xdp0,iface=eth1)");
		return;
	}
	if (!get_name(c, sec, "device", p->device, sizeof(p->device)))
		return;
	v = get(c, sec, "role");
	if (v == NULL || strcmp(v, "lan") == 0) {
		p->role = SB_ROLE_LAN;
	} else if (strcmp(v, "wan") == 0) {
		p->role = SB_ROLE_WAN;
	} else {
		fail(c, sec, "role", "expected lan or wan, got \"%s\"", v);
		return;
	}
	v = get(c, sec, "address");
	if (v == NULL) {
		fail(c, sec, "address", "missing: the port's address as A.B.C.D/LEN, or dhcp");
		return;
	}
	p->dhcp.enabled = strcmp(v, "dhcp") == 0;
	if (!p->dhcp.enabled &&
	    (sb_parse_prefix(v, &p->addr, &p->prefix_len, true) != 0 || p->prefix_len > 31 ||
	     p->prefix_len == 0)) {
		fail(c, sec, "address", "expected A.B.C.D/LEN with LEN 1-31, or dhcp, got \"%s\"", v);
		return;
	}
	if (!parse_port_dhcp(c, sec, p))
		return;
	if (!get_bool(c, sec, "masquerade", &p->masquerade))
		return;
	if (p->masquerade && p->role != SB_ROLE_WAN) {
		fail(c, sec, "masquerade", "only a wan port can masquerade");
		return;
	}
	x = 0;
	if (!get_uint(c, sec, "vlan", 0, 4094, &x))
		return;
	p->vlan = (uint16_t)x;
	x = p->rx_desc;
	if (!get_uint(c, sec, "rx_desc", 64, 16384, &x))
		return;
	p->rx_desc = (uint16_t)x;
	x = p->tx_desc;
	if (!get_uint(c, sec, "tx_desc", 64, 16384, &x))
		return;
	p->tx_desc = (uint16_t)x;
	v = get(c, sec, "sessions_on_down");
	if (v != NULL) {
		if (p->role != SB_ROLE_WAN) {
			fail(c, sec, "sessions_on_down", "only for a wan port");
			return;
		}
		if (strcmp(v, "keep") == 0) {
			p->keep_sessions_on_down = true;
		} else if (strcmp(v, "flush") != 0) {
			fail(c, sec, "sessions_on_down", "expected flush or keep, got \"%s\"", v);
			return;
		}
	}
	v = get(c, sec, "sessions_on_failback");
	if (v != NULL) {
		if (p->role != SB_ROLE_WAN) {
			fail(c, sec, "sessions_on_failback", "only for a wan port");
			return;
		}
		if (strcmp(v, "move") == 0) {
			p->move_sessions_on_failback = true;
		} else if (strcmp(v, "stay") != 0) {
			fail(c, sec, "sessions_on_failback", "expected stay or move, got \"%s\"", v);
			return;
		}
	}
	x = 0;
	if (!get_uint(c, sec, "pcc_weight", 0, 255, &x))
		return;
	p->pcc_weight = (uint16_t)x;
	if (p->pcc_weight != 0 && p->role != SB_ROLE_WAN) {
		fail(c, sec, "pcc_weight", "only a wan port can be a PCC member");
		return;
	}
	v = get(c, sec, "pcc_table");
	if (v != NULL) {
		int t = table_index(c, sec, v);

		if (t < 0)
			return;
		p->pcc_table = (uint8_t)t;
	}
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (strcmp(cfg->ports[i].device, p->device) == 0) {
			fail(c, sec, "device", "device \"%s\" is already used by port %s",
			     p->device, cfg->ports[i].name);
			return;
		}
		if (cfg->ports[i].addr == p->addr && !p->dhcp.enabled) {
			fail(c, sec, "address", "address already used by port %s",
			     cfg->ports[i].name);
			return;
		}
	}
	cfg->n_ports++;
}

static int
table_index(struct ctx *c, const char *sec, const char *name)
{
	const char *key = strncmp(sec, "port ", 5) == 0 ? "pcc_table" : "table";

	struct sb_config *cfg = c->cfg;

	for (unsigned i = 0; i < cfg->n_tables; i++)
		if (strcmp(cfg->tables[i], name) == 0)
			return (int)i;
	if (!valid_name(name)) {
		fail(c, sec, key, "bad table name \"%s\" (letters, digits, _ and -)", name);
		return -1;
	}
	if (cfg->n_tables == SB_MAX_TABLES) {
		fail(c, sec, key, "too many routing tables (at most %d)", SB_MAX_TABLES);
		return -1;
	}
	snprintf(cfg->tables[cfg->n_tables], SB_NAME_LEN, "%s", name);
	return (int)cfg->n_tables++;
}

static void
parse_route(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	struct sb_route_conf *r = &cfg->routes[cfg->n_routes];
	const char *v;
	uint32_t x;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->gw_port = -1;
	r->distance = 1;
	r->scope = 30;
	r->target_scope = 10;

	v = get(c, sec, "dst");
	if (v == NULL) {
		fail(c, sec, "dst", "missing: the destination as A.B.C.D/LEN");
		return;
	}
	if (sb_parse_prefix(v, &r->dst, &r->prefix_len, false) != 0) {
		fail(c, sec, "dst", "expected A.B.C.D/LEN, got \"%s\"", v);
		return;
	}
	if (r->dst & ~prefix_mask(r->prefix_len)) {
		fail(c, sec, "dst", "\"%s\" has host bits set", v);
		return;
	}
	v = get(c, sec, "gateway");
	if (v == NULL) {
		fail(c, sec, "gateway", "missing: an IPv4 address, ADDRESS%%PORT or a port name");
		return;
	}
	{
		char buf[128];
		char *pct;

		snprintf(buf, sizeof(buf), "%s", v);
		pct = strchr(buf, '%');
		if (pct != NULL) {
			*pct = '\0';
			r->gw_port = sb_config_port_index(cfg, pct + 1);
			if (r->gw_port < 0) {
				fail(c, sec, "gateway", "no port named \"%s\"", pct + 1);
				return;
			}
			if (sb_parse_ipv4(buf, &r->gw) != 0) {
				fail(c, sec, "gateway", "expected ADDRESS%%PORT, got \"%s\"", v);
				return;
			}
		} else if (sb_parse_ipv4(buf, &r->gw) != 0) {
			r->gw_port = sb_config_port_index(cfg, buf);
			if (r->gw_port < 0) {
				fail(c, sec, "gateway", "expected an IPv4 address, ADDRESS%%PORT "
				     "or a port name, got \"%s\"", v);
				return;
			}
			r->gw = 0;
		}
	}
	x = r->distance;
	if (!get_uint(c, sec, "distance", 1, 255, &x))
		return;
	r->distance = (uint8_t)x;
	x = r->scope;
	if (!get_uint(c, sec, "scope", 0, 255, &x))
		return;
	r->scope = (uint8_t)x;
	x = r->target_scope;
	if (!get_uint(c, sec, "target_scope", 0, 255, &x))
		return;
	r->target_scope = (uint8_t)x;
	v = get(c, sec, "check_gateway");
	if (v == NULL || strcmp(v, "none") == 0) {
		r->check = SB_CHECK_NONE;
	} else if (strcmp(v, "ping") == 0) {
		r->check = SB_CHECK_PING;
	} else if (strcmp(v, "arp") == 0) {
		r->check = SB_CHECK_ARP;
	} else {
		fail(c, sec, "check_gateway", "expected none, ping or arp, got \"%s\"", v);
		return;
	}
	if (r->check != SB_CHECK_NONE && r->gw == 0) {
		fail(c, sec, "check_gateway", "needs a gateway address to probe");
		return;
	}
	v = get(c, sec, "table");
	if (v != NULL) {
		int t = table_index(c, sec, v);

		if (t < 0)
			return;
		r->table = (uint8_t)t;
	}
	if (!get_bool(c, sec, "disabled", &r->disabled))
		return;
	if (!get_name(c, sec, "comment", r->comment, sizeof(r->comment)))
		return;
	cfg->n_routes++;
}

static void
parse_neigh(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	struct sb_neigh_conf *n = &cfg->neigh[cfg->n_neigh];
	const char *v;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	v = get(c, sec, "address");
	if (sb_parse_ipv4(v, &n->addr) != 0) {
		fail(c, sec, "address", v ? "expected an IPv4 address, got \"%s\"" :
		     "missing: the neighbour's IPv4 address%s", v ? v : "");
		return;
	}
	v = get(c, sec, "mac");
	if (sb_parse_mac(v, n->mac) != 0) {
		fail(c, sec, "mac", v ? "expected aa:bb:cc:dd:ee:ff, got \"%s\"" :
		     "missing: the neighbour's MAC address%s", v ? v : "");
		return;
	}
	v = get(c, sec, "port");
	n->port = v ? sb_config_port_index(cfg, v) : -1;
	if (n->port < 0) {
		fail(c, sec, "port", v ? "no port named \"%s\"" : "missing: the port the neighbour is on%s",
		     v ? v : "");
		return;
	}
	cfg->n_neigh++;
}

const char *
sb_trigger_name(enum sb_trigger t)
{
	static const char *const n[] = { "down", "loss", "latency", "loss-or-latency" };

	return (unsigned)t < 4 ? n[t] : "?";
}

static bool
port_on_subnet(const struct sb_port_conf *p, uint32_t ip)
{
	return ((ip ^ p->addr) & prefix_mask(p->prefix_len)) == 0;
}

/* [wan NAME]: parsed after every other section, so that its defaults
 * ([check_gateway]) and the routes its gateway may come from are known. */
static void
parse_wan(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	int pi = sb_config_port_index(cfg, name);
	struct sb_wan_conf *w;
	const struct sb_port_conf *pc;
	const char *v;
	bool off_link = false;

	if (pi < 0 || cfg->ports[pi].role != SB_ROLE_WAN) {
		fail(c, sec, NULL, pi < 0 ? "no port named \"%s\"" :
		     "port %s is not a wan port (role = wan)", name);
		return;
	}
	pc = &cfg->ports[pi];
	w = &cfg->wan[pi];
	/* iniparser merges repeated sections: count them in the file. */
	{
		int seen = 0;

		for (int i = 0; i < c->n_refs; i++)
			seen += strcmp(c->refs[i].key, sec) == 0;
		if (seen > 1 || w->enabled) {
			fail(c, sec, NULL, "appears more than once: one [wan %s] section per WAN", name);
			return;
		}
	}
	memset(w, 0, sizeof(*w));
	w->enabled = true;
	w->method = SB_CHECK_PING;
	w->interval_ms = cfg->probe_interval_ms;
	w->timeout_ms = cfg->probe_timeout_ms;
	w->down_after = cfg->probe_down_after;
	w->up_after = cfg->probe_up_after;
	w->hold_down_ms = cfg->hold_down_ms;
	w->loss_pct = cfg->loss_pct;
	w->latency_ms = cfg->latency_ms;
	w->window = cfg->window;
	w->quorum = 1;
	w->trigger = SB_TRIGGER_DOWN;

	v = get(c, sec, "method");
	if (v != NULL) {
		if (strcmp(v, "icmp") == 0 || strcmp(v, "ping") == 0) {
			w->method = SB_CHECK_PING;
		} else if (strcmp(v, "arp") == 0) {
			w->method = SB_CHECK_ARP;
		} else {
			fail(c, sec, "method", "expected icmp or arp, got \"%s\"", v);
			return;
		}
	}
	v = get(c, sec, "monitors");
	if (v == NULL || *v == '\0') {
		fail(c, sec, "monitors", "missing: the hosts to probe through this WAN, "
		     "e.g. monitors = 192.0.2.53, 192.0.2.55");
		return;
	}
	{
		char buf[512], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v);
		for (char *t = strtok_r(buf, ", \t", &save); t != NULL;
		     t = strtok_r(NULL, ", \t", &save)) {
			uint32_t a;

			if (sb_parse_ipv4(t, &a) != 0 || a == 0 || (a >> 24) == 127 ||
			    (a >> 28) >= 14) {
				fail(c, sec, "monitors", "expected unicast IPv4 addresses separated "
				     "by commas, got \"%s\"", t);
				return;
			}
			if (a == pc->addr) {
				fail(c, sec, "monitors", "%s is this port's own address", t);
				return;
			}
			for (unsigned k = 0; k < w->n_monitors; k++)
				if (w->monitor[k] == a) {
					fail(c, sec, "monitors", "%s is listed twice", t);
					return;
				}
			if (w->n_monitors == SB_WAN_MAX_MONITORS) {
				fail(c, sec, "monitors", "at most %d monitors", SB_WAN_MAX_MONITORS);
				return;
			}
			if (w->method == SB_CHECK_ARP && pc->dhcp.enabled) {
				fail(c, sec, "method", "arp probes on-link hosts, and %s's subnet "
				     "comes from its DHCP lease: use icmp", name);
				return;
			}
			if (w->method == SB_CHECK_ARP && !port_on_subnet(pc, a)) {
				fail(c, sec, "monitors", "method = arp probes hosts on the port's "
				     "subnet only, and %s is not on %s's", t, name);
				return;
			}
			off_link |= !port_on_subnet(pc, a);
			w->monitor[w->n_monitors++] = a;
		}
	}
	if (w->n_monitors == 0) {
		fail(c, sec, "monitors", "no address given");
		return;
	}
	v = get(c, sec, "gateway");
	if (pc->dhcp.enabled) {
		/* Probes go through the lease's router (control/lease.c). */
		if (v != NULL) {
			fail(c, sec, "gateway", "%s takes its gateway from its DHCP lease", name);
			return;
		}
	} else if (v != NULL) {
		if (sb_parse_ipv4(v, &w->gateway) != 0) {
			fail(c, sec, "gateway", "expected an IPv4 address, got \"%s\"", v);
			return;
		}
		if (!port_on_subnet(pc, w->gateway) || w->gateway == pc->addr) {
			fail(c, sec, "gateway", "%s is not a neighbour on %s's subnet", v, name);
			return;
		}
		if (w->method == SB_CHECK_ARP) {
			fail(c, sec, "gateway", "not used with method = arp (monitors are on-link)");
			return;
		}
	} else if (off_link) {
		/* The first route whose gateway is a neighbour on this port. */
		for (unsigned i = 0; i < cfg->n_routes && w->gateway == 0; i++) {
			const struct sb_route_conf *r = &cfg->routes[i];

			if (r->gw != 0 && r->gw != pc->addr && port_on_subnet(pc, r->gw) &&
			    (r->gw_port < 0 || r->gw_port == pi)) {
				w->gateway = r->gw;
				w->gateway_derived = true;
			}
		}
		if (w->gateway == 0) {
			fail(c, sec, "gateway", "missing: some monitors are not on %s's subnet and no "
			     "route has a gateway there; name the next hop the probes go to", name);
			return;
		}
	}
	if (!get_uint(c, sec, "interval_ms", 10, 3600000, &w->interval_ms))
		return;
	if (get(c, sec, "interval_ms") != NULL && get(c, sec, "timeout_ms") == NULL)
		w->timeout_ms = w->interval_ms;
	if (!get_uint(c, sec, "timeout_ms", 10, 3600000, &w->timeout_ms) ||
	    !get_uint(c, sec, "down_after", 1, 100, &w->down_after) ||
	    !get_uint(c, sec, "up_after", 1, 100, &w->up_after) ||
	    !get_uint(c, sec, "hold_down_ms", 0, 86400000, &w->hold_down_ms) ||
	    !get_uint(c, sec, "quorum", 1, SB_WAN_MAX_MONITORS, &w->quorum) ||
	    !get_uint(c, sec, "loss_pct", 0, 99, &w->loss_pct) ||
	    !get_uint(c, sec, "latency_ms", 0, 60000, &w->latency_ms) ||
	    !get_uint(c, sec, "window", 1, 64, &w->window))
		return;
	if (w->timeout_ms > w->interval_ms) {
		fail(c, sec, "timeout_ms", "must not exceed interval_ms (%u)", w->interval_ms);
		return;
	}
	if (w->quorum > w->n_monitors) {
		fail(c, sec, "quorum", "%u is more than the %u monitor(s) listed", w->quorum,
		     w->n_monitors);
		return;
	}
	v = get(c, sec, "trigger");
	if (v != NULL) {
		if (strcmp(v, "down") == 0 || strcmp(v, "down-only") == 0)
			w->trigger = SB_TRIGGER_DOWN;
		else if (strcmp(v, "loss") == 0)
			w->trigger = SB_TRIGGER_LOSS;
		else if (strcmp(v, "latency") == 0)
			w->trigger = SB_TRIGGER_LATENCY;
		else if (strcmp(v, "loss-or-latency") == 0)
			w->trigger = SB_TRIGGER_LOSS_OR_LATENCY;
		else {
			fail(c, sec, "trigger", "expected down, loss, latency or loss-or-latency, "
			     "got \"%s\"", v);
			return;
		}
		if ((w->trigger & SB_TRIGGER_LOSS) && w->loss_pct == 0) {
			fail(c, sec, "trigger", "%s needs a loss_pct threshold", v);
			return;
		}
		if ((w->trigger & SB_TRIGGER_LATENCY) && w->latency_ms == 0) {
			fail(c, sec, "trigger", "%s needs a latency_ms threshold", v);
			return;
		}
	}
	if (w->latency_ms != 0 && w->latency_ms >= w->timeout_ms) {
		fail(c, sec, "latency_ms", "%u ms is not below timeout_ms (%u): a probe that slow "
		     "counts as lost", w->latency_ms, w->timeout_ms);
		return;
	}
}

/* Split "kind name" section names. */
static bool
split_sec(const char *sec, const char *kind, const char **name)
{
	size_t l = strlen(kind);

	if (strncmp(sec, kind, l) != 0 || sec[l] != ' ')
		return false;
	*name = sec + l + 1;
	while (**name == ' ')
		(*name)++;
	return true;
}

static void
validate(struct ctx *c)
{
	struct sb_config *cfg = c->cfg;
	bool lan = false, wan = false;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		lan |= cfg->ports[i].role == SB_ROLE_LAN;
		wan |= cfg->ports[i].role == SB_ROLE_WAN;
		for (unsigned j = 0; j < i; j++) {
			const struct sb_port_conf *a = &cfg->ports[i], *b = &cfg->ports[j];
			uint8_t l = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;

			if (a->dhcp.enabled || b->dhcp.enabled)
				continue; /* known once leased */
			if (((a->addr ^ b->addr) & prefix_mask(l)) == 0) {
				char sec[64];

				snprintf(sec, sizeof(sec), "port %s", a->name);
				fail(c, sec, "address", "overlaps the subnet of port %s", b->name);
			}
		}
	}
	if (!c->failed && cfg->n_ports == 0)
		fail(c, "switchback", NULL, "no [port NAME] section: at least one port is needed");
	if (!c->failed && cfg->pcc_classifier >= 0) {
		unsigned members = 0;

		for (unsigned i = 0; i < cfg->n_ports; i++)
			members += cfg->ports[i].pcc_weight != 0;
		if (members == 0)
			fail(c, "pcc", "classifier", "PCC needs members: give WAN ports a pcc_weight");
	}
	(void)lan;
	(void)wan;
	for (unsigned i = 0; i < cfg->n_routes && !c->failed; i++) {
		struct sb_route_conf *r = &cfg->routes[i];

		for (unsigned j = 0; j < i; j++) {
			struct sb_route_conf *o = &cfg->routes[j];

			if (o->dst == r->dst && o->prefix_len == r->prefix_len &&
			    o->table == r->table && o->gw == r->gw && o->gw_port == r->gw_port &&
			    o->distance == r->distance) {
				char sec[64];

				snprintf(sec, sizeof(sec), "route %s", r->name);
				fail(c, sec, "gateway", "same dst, gateway, distance and table "
				     "as route %s", o->name);
			}
		}
	}
}

struct sb_config *
sb_config_load(const char *path, char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	struct sb_config *cfg;
	FILE *f;
	int nsec;

	err[0] = '\0';
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	c.cfg = cfg;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->mbufs = 16384;
	cfg->sessions = 65536;
	cfg->fragments = 4096;
	cfg->ecmp_hash = SB_ECMP_L4;
	cfg->pcc_classifier = -1;
	cfg->to_tcp_established = 7440;
	cfg->to_tcp_transitory = 240;
	cfg->to_udp = 300;
	cfg->to_icmp = 60;
	cfg->probe_interval_ms = 1000;
	cfg->probe_timeout_ms = 1000;
	cfg->probe_down_after = 3;
	cfg->probe_up_after = 2;
	cfg->hold_down_ms = 30000;
	cfg->window = 10;
	cfg->webhook_retries = 3;
	cfg->webhook_timeout_ms = 2000;
	cfg->webhook_backoff_ms = 500;
	cfg->n_tables = 1;
	strcpy(cfg->tables[0], "main");

	index_lines(&c, path);
	c.d = iniparser_load(path);
	if (c.d == NULL) {
		snprintf(err, errlen, "%s: not a valid INI file", path);
		goto fail;
	}
	nsec = iniparser_getnsec(c.d);
	cfg->routes = calloc((size_t)nsec + 1, sizeof(*cfg->routes));
	cfg->neigh = calloc((size_t)nsec + 1, sizeof(*cfg->neigh));
	if (cfg->routes == NULL || cfg->neigh == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}

	/* Ports first: routes and neighbours refer to them by name. */
	for (int pass = 0; pass < 3 && !c.failed; pass++) {
		for (int i = 0; i < nsec && !c.failed; i++) {
			const char *sec = iniparser_getsecname(c.d, i);
			const char *name;

			if (split_sec(sec, "port", &name)) {
				if (pass != 0)
					continue;
				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad port name \"%s\" (letters, digits, _ and -, "
					     "at most %d)", name, SB_NAME_LEN - 1);
					break;
				}
				check_keys(&c, sec, keys_port);
				if (!c.failed)
					parse_port(&c, sec, name);
				continue;
			}
			if (split_sec(sec, "wan", &name)) {
				/* Last: it takes [check_gateway]'s values as defaults
				 * and may take its gateway from a route. */
				if (pass != 2)
					continue;
				check_keys(&c, sec, keys_wan);
				if (!c.failed)
					parse_wan(&c, sec, name);
				continue;
			}
			if (pass != 1)
				continue;
			if (strcmp(sec, "switchback") == 0) {
				const char *v;

				check_keys(&c, sec, keys_switchback);
				get_uint(&c, sec, "mbufs", 1024, 1u << 24, &cfg->mbufs);
				get_uint(&c, sec, "sessions", 16, 1u << 27, &cfg->sessions);
				get_uint(&c, sec, "fragments", 16, 1u << 20, &cfg->fragments);
				get_name(&c, sec, "ctl_socket", cfg->ctl_socket, sizeof(cfg->ctl_socket));
				v = get(&c, sec, "ecmp_hash");
				if (v != NULL && !c.failed) {
					if (strcmp(v, "l3") == 0)
						cfg->ecmp_hash = SB_ECMP_L3;
					else if (strcmp(v, "l4") == 0)
						cfg->ecmp_hash = SB_ECMP_L4;
					else
						fail(&c, sec, "ecmp_hash", "expected l3 or l4, got \"%s\"", v);
				}
			} else if (strcmp(sec, "notify") == 0) {
				check_keys(&c, sec, keys_notify);
				get_name(&c, sec, "hook", cfg->hook, sizeof(cfg->hook));
				get_uint(&c, sec, "alert_after_s", 0, 86400 * 365, &cfg->alert_after_s);
				get_name(&c, sec, "webhook", cfg->webhook, sizeof(cfg->webhook));
				get_uint(&c, sec, "webhook_retries", 0, 20, &cfg->webhook_retries);
				get_uint(&c, sec, "webhook_timeout_ms", 100, 60000, &cfg->webhook_timeout_ms);
				get_uint(&c, sec, "webhook_backoff_ms", 10, 600000, &cfg->webhook_backoff_ms);
				if (!c.failed && cfg->webhook[0] != '\0' &&
				    strncmp(cfg->webhook, "http://", 7) != 0 &&
				    strncmp(cfg->webhook, "https://", 8) != 0)
					fail(&c, sec, "webhook", "expected an http:// or https:// URL, got \"%s\"",
					     cfg->webhook);
			} else if (strcmp(sec, "pcc") == 0) {
				const char *v;

				check_keys(&c, sec, keys_pcc);
				v = get(&c, sec, "classifier");
				if (v != NULL && !c.failed) {
					cfg->pcc_classifier = sb_pcc_classifier_parse(v);
					if (cfg->pcc_classifier < 0)
						fail(&c, sec, "classifier", "expected one of src-address, "
						     "dst-address, both-addresses, src-port, dst-port, "
						     "both-ports, src-address-and-port, dst-address-and-port, "
						     "both-addresses-and-ports; got \"%s\"", v);
				}
			} else if (strcmp(sec, "timeouts") == 0) {
				check_keys(&c, sec, keys_timeouts);
				get_uint(&c, sec, "tcp_established", 1, 1u << 24, &cfg->to_tcp_established);
				get_uint(&c, sec, "tcp_transitory", 1, 1u << 24, &cfg->to_tcp_transitory);
				get_uint(&c, sec, "udp", 1, 1u << 24, &cfg->to_udp);
				get_uint(&c, sec, "icmp", 1, 1u << 24, &cfg->to_icmp);
			} else if (strcmp(sec, "check_gateway") == 0) {
				check_keys(&c, sec, keys_check);
				get_uint(&c, sec, "interval_ms", 10, 3600000, &cfg->probe_interval_ms);
				cfg->probe_timeout_ms = cfg->probe_interval_ms;
				get_uint(&c, sec, "timeout_ms", 10, 3600000, &cfg->probe_timeout_ms);
				get_uint(&c, sec, "down_after", 1, 100, &cfg->probe_down_after);
				get_uint(&c, sec, "up_after", 1, 100, &cfg->probe_up_after);
				get_uint(&c, sec, "hold_down_ms", 0, 86400000, &cfg->hold_down_ms);
				get_uint(&c, sec, "loss_pct", 0, 99, &cfg->loss_pct);
				get_uint(&c, sec, "latency_ms", 0, 60000, &cfg->latency_ms);
				get_uint(&c, sec, "window", 1, 64, &cfg->window);
				if (!c.failed && cfg->probe_timeout_ms > cfg->probe_interval_ms)
					fail(&c, sec, "timeout_ms", "must not exceed interval_ms (%u)",
					     cfg->probe_interval_ms);
			} else if (split_sec(sec, "route", &name)) {
				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad route name \"%s\"", name);
					break;
				}
				if (cfg->n_routes == SB_MAX_ROUTES) {
					fail(&c, sec, NULL, "too many routes (at most %d)", SB_MAX_ROUTES);
					break;
				}
				check_keys(&c, sec, keys_route);
				if (!c.failed)
					parse_route(&c, sec, name);
			} else if (split_sec(sec, "neighbor", &name) ||
				   split_sec(sec, "neighbour", &name)) {
				check_keys(&c, sec, keys_neigh);
				if (!c.failed)
					parse_neigh(&c, sec, name);
			} else {
				fail(&c, sec, NULL, "unknown section (expected [switchback], [timeouts], "
				     "[check_gateway], [pcc], [notify], [port NAME], [wan NAME], [route NAME] or "
				     "[neighbor NAME])");
			}
		}
	}
	if (!c.failed)
		validate(&c);
	if (c.failed)
		goto fail;
	iniparser_freedict(c.d);
	free(c.refs);
	return cfg;
fail:
	if (c.d != NULL)
		iniparser_freedict(c.d);
	free(c.refs);
	sb_config_free(cfg);
	return NULL;
}

void
sb_config_free(struct sb_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->routes);
	free(cfg->neigh);
	free(cfg);
}
