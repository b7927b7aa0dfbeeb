/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration. The whole file is read into an iniparser
 * dictionary (by read_lines() here, which keeps line numbers and goes on
 * past a bad line) and parsed into a validated, read-only struct
 * sb_config; any error refuses the whole file and names file, line,
 * section and key. Pure: no EAL. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <grp.h>
#include <net/if.h>

#include <iniparser.h>

#include "sb_config.h"
#include "config_priv.h"
#include "pcc.h"
#include "xdpconf.h"

/* Where each section and key stands in the file, for error messages:
 * iniparser's dictionary does not keep line numbers. */
struct line_ref {
	char key[2 * SB_NAME_LEN + 64]; /* "section" or "section:key" */
	int line;
	bool win;                 /* a key of the copy that wins (ctx.copy) */
};

/* One [xdp] block line: the key may be given on several lines, each
 * parsed with its own line number. */
struct block_line {
	int line;
	char *v;
};

/* The copies of a repeated section whose values are checked. */
#define MAX_COPIES_CHECKED 16

/* The longest line read, and what the documentation states. */
#define SB_CONFIG_LINE_MAX 1023

struct ctx {
	struct sb_config *cfg;
	dictionary *d;
	struct sb_config_errors *errs;
	struct line_ref *refs;
	int n_refs;
	struct block_line *blocks;
	unsigned n_blocks;
	bool failed;              /* at least one error: the file is refused */
	/* Bit per port index: what of a port is unknown because its own key
	 * is in error. Sections naming it are not reported again for that. */
	uint32_t bad_role;        /* role */
	uint32_t bad_addr;        /* address, hence subnet */
	uint32_t bad_masq;        /* masquerade */
	uint32_t bad_port;        /* role or address */
	unsigned route_errors;    /* [route] sections refused (not in cfg->routes) */
	/* A section given twice is an error, and every copy's values are
	 * checked: the file is read once per copy (sb_config_parse_flags),
	 * the copies of a section merged as an INI reader merges them, but
	 * in reading @copy the keys of copy @copy win over the other
	 * copies' (those of a section with fewer copies: the last's, as
	 * before). heads: every [section] line read; @all_heads: those of
	 * the first reading. */
	unsigned copy;            /* 1, 2, ... */
	const struct line_ref *all_heads;
	int n_all_heads;
	struct line_ref *heads;
	int n_heads;
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

/* Whether iniparser would cut the unquoted value @v of key @key short of
 * what was meant. Free text (a command, a URL, a device string) may hold
 * ';' and '#' anywhere, so any there is refused; other values cannot, so
 * only one that does not follow a blank ("192.0.2.1;192.0.2.2") is: a
 * blank before it makes it the usual trailing comment. */
static bool
cut_short(const char *key, const char *v)
{
	static const char *const free_text[] = { "hook", "webhook", "comment", "device",
						 "ctl_socket", "ctl_group", "program",
						 "dhcp_lease_file", "dhcp_client_id", NULL };

	for (const char *const *k = free_text; *k; k++)
		if (strcmp(*k, key) == 0)
			return strpbrk(v, ";#") != NULL;
	for (const char *q = strpbrk(v, ";#"); q != NULL; q = strpbrk(q + 1, ";#"))
		if (q > v && q[-1] != ' ' && q[-1] != '\t')
			return true;
	return false;
}

static void add_error(struct ctx *c, int line, const char *sec, const char *key,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int line_of(const struct ctx *c, const char *key);

/* How many [@sec] lines @heads has, and the line of the first (0: none). */
static int
copies_of(const struct line_ref *heads, int n, const char *sec, int *first)
{
	int k = 0;

	if (first != NULL)
		*first = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(heads[i].key, sec) == 0 && k++ == 0 && first != NULL)
			*first = heads[i].line;
	return k;
}

/* The copy of [@sec] whose keys win in this reading: 1, 2, ..., or 0
 * when none does (the last value read is kept). */
static int
winner(const struct ctx *c, const char *sec)
{
	if (c->copy <= 1)
		return 1;
	return copies_of(c->all_heads, c->n_all_heads, sec, NULL) >= (int)c->copy ?
	       (int)c->copy : 0;
}

/* Whether @key's value so far is of the winning copy. */
static bool
won(const struct ctx *c, const char *key)
{
	for (int i = c->n_refs - 1; i >= 0; i--)
		if (strcmp(c->refs[i].key, key) == 0)
			return c->refs[i].win;
	return false;
}

/* The value after '=' on a key line, as iniparser reads it (and the
 * files written for it mean): quoted, what is inside the quotes, kept as
 * it is; else up to the first ';' or '#', blanks trimmed. */
static void
ini_value(char *v)
{
	char q = *v, *e;

	if (q == '"' || q == '\'') {
		e = strchr(v + 1, q);
		if (e != NULL)
			*e = '\0';
		memmove(v, v + 1, strlen(v + 1) + 1);
		return;
	}
	v[strcspn(v, ";#")] = '\0';
	trim(v);
}

static void
free_blocks(struct ctx *c)
{
	for (unsigned i = 0; i < c->n_blocks; i++)
		free(c->blocks[i].v);
	free(c->blocks);
}

static bool
add_block_line(struct ctx *c, int line, const char *v)
{
	struct block_line *n = realloc(c->blocks, sizeof(*n) * (c->n_blocks + 1));

	if (n == NULL)
		return false;
	c->blocks = n;
	n[c->n_blocks].line = line;
	n[c->n_blocks].v = strdup(v);
	if (n[c->n_blocks].v == NULL)
		return false;
	c->n_blocks++;
	return true;
}

/* Room in *@v (@n used, *@cap held) for one more line_ref: the array
 * doubled when full (@first to begin with). False when out of memory
 * (*@v kept as it was). */
static bool
room_for_one(struct line_ref **v, int n, int *cap, int first)
{
	struct line_ref *p;
	int want;

	if (n < *cap)
		return true;
	want = *cap ? *cap * 2 : first;
	p = realloc(*v, sizeof(*p) * (size_t)want);
	if (p == NULL)
		return false;
	*v = p;
	*cap = want;
	return true;
}

/* Read the file into c->d line by line, indexing every section and key
 * with its line. iniparser_load() would refuse the whole file for one bad
 * line (and a line over 1023 characters), hiding every other error, and
 * merge or drop some lines silently; here each such line is an error with
 * its line number, and the rest is still read and checked: lines that are
 * neither a section, a key nor a comment, a key before any section,
 * sections given twice, keys given twice in one, over-long lines. Keys
 * under a malformed [section] line are skipped (their section is not
 * known). The copies of a repeated section are merged, the keys of the
 * copy winner() names kept over the others'. Returns false when out of
 * memory. */
static bool
read_lines(struct ctx *c, FILE *f)
{
	char *line = NULL, sec[128] = "", full[sizeof(sec) + 128];
	size_t cap = 0;
	ssize_t len;
	int ln = 0, cap_refs = 0, cap_heads = 0, sec_line = 0, copy = 0, win = 0;
	bool have_sec = false, skip = false, ok = true;

	while (ok && (len = getline(&line, &cap, f)) != -1) {
		char *p = line, *eq;
		int first;

		ln++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* Still read: what is wrong in it is named too, and nothing
		 * after it is taken for something else. */
		if (len > SB_CONFIG_LINE_MAX)
			add_error(c, ln, "", NULL, "longer than %d characters (split a long "
				  "[xdp] block over several block lines)", SB_CONFIG_LINE_MAX);
		trim(p);
		if (*p == '\0' || *p == ';' || *p == '#')
			continue;
		if (!room_for_one(&c->refs, c->n_refs, &cap_refs, 64)) {
			ok = false;
			break;
		}
		struct line_ref *r = &c->refs[c->n_refs];

		if (*p == '[') {
			char *e = strchr(p, ']');

			skip = true;
			if (e == NULL || e[1] != '\0') {
				add_error(c, ln, "", NULL, "expected [section] alone on its line, got "
					  "\"%s\"", p);
				continue;
			}
			*e = '\0';
			snprintf(sec, sizeof(sec), "%s", p + 1);
			trim(sec);
			for (char *q = sec; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			/* (':' joins section and key in the dictionary.) */
			if (sec[0] == '\0' || strchr(sec, ':') != NULL) {
				add_error(c, ln, "", NULL, "expected [section], got \"[%s]\"", p + 1);
				continue;
			}
			if (!room_for_one(&c->heads, c->n_heads, &cap_heads, 32)) {
				ok = false;
				break;
			}
			copy = copies_of(c->heads, c->n_heads, sec, &first) + 1;
			win = winner(c, sec);
			snprintf(c->heads[c->n_heads].key, sizeof(c->heads[0].key), "%s", sec);
			c->heads[c->n_heads++].line = ln;
			if (first != 0)
				add_error(c, ln, sec, NULL, "appears more than once (first at line %d): "
					  "one [%s] section", first, sec);
			skip = false;
			have_sec = true;
			snprintf(r->key, sizeof(r->key), "%s", sec);
			r->win = false;
			sec_line = ln;
			ok = dictionary_set(c->d, sec, NULL) == 0;
		} else if ((eq = strchr(p, '=')) != NULL && eq != p) {
			char *val = eq + 1;
			bool block;

			*eq = '\0';
			trim(p);
			for (char *q = p; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			if (skip)
				continue;
			if (!have_sec) {
				add_error(c, ln, "", NULL, "key \"%s\" before any [section]: every key "
					  "belongs to one", p);
				continue;
			}
			snprintf(r->key, sizeof(r->key), "%s:%s", sec, p);
			block = strcmp(r->key, "xdp:block") == 0;
			/* A key the winning copy gave: this later copy's is read
			 * in the reading where it wins. */
			r->win = copy == win;
			if (!block && win != 0 && copy > win && won(c, r->key))
				continue;
			/* (A repeated section is one error, not one per key.) */
			first = line_of(c, r->key);
			if (first > sec_line && !block)
				add_error(c, ln, sec, p, "given twice in this section (first at line %d)",
					  first);
			trim(val);
			if (*val != '"' && *val != '\'' && cut_short(p, val))
				add_error(c, ln, sec, p, "the value has a ';' or '#', where the INI format "
					  "starts a comment and would cut it short: quote the whole value "
					  "(\"...\") to keep it, and put comments on lines of their own");
			ini_value(val);
			snprintf(full, sizeof(full), "%s:%s", sec, p);
			if (block) {
				/* Several block lines add up: the dictionary holds them
				 * all, each is parsed at its own line. */
				const char *old = first > sec_line ?
					dictionary_get(c->d, full, NULL) : NULL;
				char *all = NULL;

				ok = add_block_line(c, ln, val);
				if (ok && old != NULL) {
					size_t l = strlen(old) + strlen(val) + 3;

					all = malloc(l);
					if (all != NULL)
						snprintf(all, l, "%s, %s", old, val);
					ok = all != NULL;
				}
				if (ok)
					ok = dictionary_set(c->d, full, all ? all : val) == 0;
				free(all);
			} else {
				ok = dictionary_set(c->d, full, val) == 0;
			}
		} else {
			add_error(c, ln, have_sec && !skip ? sec : "", NULL,
				  "expected KEY = VALUE, got \"%s\"", p);
			continue;
		}
		r->line = ln;
		c->n_refs++;
	}
	free(line);
	return ok;
}

static int
line_of(const struct ctx *c, const char *key)
{
	for (int i = c->n_refs - 1; i >= 0; i--)
		if (strcmp(c->refs[i].key, key) == 0)
			return c->refs[i].line;
	return 0;
}

/* Append one error; the same error twice is kept once. Past
 * SB_CONFIG_MAX_ERRORS they are only counted. */
static void
add_error(struct ctx *c, int line, const char *sec, const char *key, const char *fmt, ...)
{
	struct sb_config_errors *es = c->errs;
	struct sb_config_error e;
	va_list ap;

	c->failed = true;
	memset(&e, 0, sizeof(e));
	e.line = line;
	snprintf(e.section, sizeof(e.section), "%s", sec);
	snprintf(e.key, sizeof(e.key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < es->n; i++)
		if (es->e[i].line == e.line && strcmp(es->e[i].section, e.section) == 0 &&
		    strcmp(es->e[i].key, e.key) == 0 && strcmp(es->e[i].msg, e.msg) == 0)
			return;
	if (es->n == SB_CONFIG_MAX_ERRORS) {
		/* Full: the list keeps the first errors by line, whatever
		 * order the checks found them in (ports come first, [wan]
		 * sections last); the one further down is only counted. */
		unsigned last = 0;

		for (unsigned i = 1; i < es->n; i++)
			if (es->e[i].line > es->e[last].line)
				last = i;
		es->more++;
		if (e.line < es->e[last].line)
			es->e[last] = e;
		return;
	}
	es->e[es->n++] = e;
}

/* Record an error in [sec] (at @key's line, else the section's), and go
 * on: the whole file is checked, every error is listed. */
static void __attribute__((format(printf, 4, 5)))
fail(struct ctx *c, const char *sec, const char *key, const char *fmt, ...)
{
	char full[300], msg[sizeof(((struct sb_config_error *)0)->msg)];
	va_list ap;
	int ln = 0;

	if (key != NULL) {
		snprintf(full, sizeof(full), "%s:%s", sec, key);
		ln = line_of(c, full);
	}
	if (ln == 0)
		ln = line_of(c, sec);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_error(c, ln, sec, key, "%s", msg);
}

static int
error_cmp(const void *a, const void *b)
{
	const struct sb_config_error *x = a, *y = b;

	/* Errors without a line (whole-file ones) come last. */
	if ((x->line == 0) != (y->line == 0))
		return x->line == 0 ? 1 : -1;
	return x->line - y->line;
}

size_t
sb_config_error_format(const struct sb_config_errors *es, unsigned i, char *buf, size_t len)
{
	const struct sb_config_error *e = &es->e[i];
	char at[16] = "";
	int n;

	/* An error about the whole file (no port at all, cannot open) has no
	 * line: "FILE: ...", not a line 0 that is not in the file. */
	if (e->line > 0)
		snprintf(at, sizeof(at), ":%d", e->line);
	if (e->section[0] == '\0' && e->key[0] == '\0')
		n = snprintf(buf, len, "%s%s: %s", es->path, at, e->msg);
	else if (e->key[0] == '\0')
		n = snprintf(buf, len, "%s%s: [%s]: %s", es->path, at, e->section, e->msg);
	else
		n = snprintf(buf, len, "%s%s: [%s] %s: %s", es->path, at, e->section, e->key,
			     e->msg);
	return n < 0 ? 0 : (size_t)n;
}

size_t
sb_config_errors_format(const struct sb_config_errors *es, char *buf, size_t len)
{
	size_t off = 0;
	unsigned total = es->n + es->more;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (total > 1)
		off += (size_t)snprintf(buf, len, "%u errors:\n", total);
	for (unsigned i = 0; i < es->n && off < len; i++) {
		char line[sizeof(es->e[0].msg) + 400];
		size_t l = sb_config_error_format(es, i, line, sizeof(line));
		char more[64];
		int ml = snprintf(more, sizeof(more), "... and %u more", total - i);

		/* Whole lines only, and room left to say how many did not fit. */
		if (off + l + 1 + (i + 1 < total ? (size_t)ml + 1 : 0) >= len) {
			if (off + (size_t)ml < len)
				off += (size_t)snprintf(buf + off, len - off, "%s", more);
			return off;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%s", line,
					i + 1 < total ? "\n" : "");
	}
	if (es->more != 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "... and %u more", es->more);
	return off < len ? off : len - 1;
}

int
sb_config_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

int
sb_config_parse_prefix(const char *s, uint32_t *addr, uint8_t *len, bool need_len)
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
	if (sb_config_parse_ipv4(buf, addr) != 0)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

int
sb_config_parse_mac(const char *s, uint8_t mac[6])
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
	for (int i = 0; i < n; i++) {
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

static const char *const keys_switchback[] = { "mbufs", "sessions", "sessions_per_host",
					       "fragments", "workers", "ecmp_hash", "ctl_socket",
					       "ctl_group", NULL };
static const char *const keys_timeouts[] = { "tcp_established", "tcp_transitory", "udp", "icmp", NULL };
static const char *const keys_check[] = { "interval_ms", "timeout_ms", "down_after", "up_after",
					  "hold_down_ms", "loss_pct", "latency_ms", "window", NULL };
static const char *const keys_port[] = { "device", "role", "address", "masquerade", "vlan",
					 "rx_desc", "tx_desc", "pcc_weight", "pcc_table",
					 "sessions_on_down", "sessions_on_failback",
					 "dhcp_client_id", "dhcp_hostname", "dhcp_default_route",
					 "dhcp_default_route_distance", "dhcp_check_gateway",
					 "dhcp_classless_routes", "dhcp_release", "dhcp_lease_file",
					 "management", NULL };
static const char *const keys_xdp[] = { "program", "block", "busy_poll", "syn_per_source",
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
static const char *const keys_metrics[] = { "listen", NULL };

const char *const *
sb_config_keys(const char *section)
{
	static const struct {
		const char *sec;
		const char *const *keys;
	} all[] = {
		{ "switchback", keys_switchback }, { "timeouts", keys_timeouts },
		{ "check_gateway", keys_check }, { "notify", keys_notify },
		{ "metrics", keys_metrics }, { "xdp", keys_xdp }, { "pcc", keys_pcc },
		{ "port", keys_port },
		{ "wan", keys_wan }, { "route", keys_route }, { "neighbor", keys_neigh },
		{ "forward", sb_cfg_keys_forward }, { "nat1to1", sb_cfg_keys_nat1to1 },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i].sec, section) == 0)
			return all[i].keys;
	return NULL;
}

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

/* The dhcp_* keys of a port (docs/config.md, "DHCP on a WAN port"):
 * every one is checked, so that each bad key is named, not the first.
 * A role or address in error is reported once, where it is: not again as
 * "dhcp only on a wan port" or "only with address = dhcp", and the keys'
 * own values are still checked. */
static bool
parse_port_dhcp(struct ctx *c, const char *sec, struct sb_port_conf *p, bool role_ok,
		bool addr_ok)
{
	static const char *const keys[] = { "dhcp_client_id", "dhcp_hostname",
					    "dhcp_default_route", "dhcp_default_route_distance",
					    "dhcp_check_gateway", "dhcp_classless_routes",
					    "dhcp_release", "dhcp_lease_file" };
	struct sb_port_dhcp *d = &p->dhcp;
	const char *v;
	uint32_t x;
	bool ok = true;

	if (!d->enabled && addr_ok) {
		for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (get(c, sec, keys[i]) != NULL) {
				fail(c, sec, keys[i], "only with address = dhcp");
				ok = false;
			}
		return ok;
	}
	if (d->enabled && role_ok && p->role != SB_ROLE_WAN) {
		fail(c, sec, "address", "dhcp only on a wan port");
		ok = false;
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
				ok = false;
			} else {
				d->client_id[0] = 0;
				memcpy(d->client_id + 1, v, l);
				d->client_id_len = (uint8_t)(l + 1);
			}
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
			ok = false;
		} else {
			memcpy(d->hostname, v, l + 1);
		}
	}
	ok &= get_bool(c, sec, "dhcp_default_route", &d->default_route);
	ok &= get_bool(c, sec, "dhcp_classless_routes", &d->classless_routes);
	ok &= get_bool(c, sec, "dhcp_release", &d->release);
	x = d->distance;
	ok &= get_uint(c, sec, "dhcp_default_route_distance", 1, 255, &x);
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
			ok = false;
		}
	}
	v = get(c, sec, "dhcp_lease_file");
	if (v != NULL && strcmp(v, "none") == 0)
		d->lease_file[0] = '\0';
	else
		ok &= get_name(c, sec, "dhcp_lease_file", d->lease_file, sizeof(d->lease_file));
	return ok;
}

/* A port with errors is still added (its role or subnet unknown: marked
 * in bad_port), so that the sections naming it are checked for their own
 * errors, not for its. */
/* device = af_xdp:IF / af_packet:IF, and management (AF_XDP only). */
static bool
parse_port_xdp(struct ctx *c, const char *sec, struct sb_port_conf *p)
{
	char ifname[IFNAMSIZ], why[256];
	enum sb_devkind kind;
	const char *v;
	int n;

	if (sb_xdpconf_device(p->device, &kind, ifname, why, sizeof(why)) != 0) {
		fail(c, sec, "device", "%s", why);
		return false;
	}
	v = get(c, sec, "management");
	if (v == NULL)
		return true;
	if (kind != SB_DEV_AF_XDP) {
		fail(c, sec, "management", "only for a port with device = af_xdp:IFNAME (the XDP "
		     "program is what passes management traffic to the kernel)");
		return false;
	}
	n = sb_xdpconf_mgmt(v, p->mgmt, SB_MAX_MGMT, why, sizeof(why));
	if (n < 0) {
		fail(c, sec, "management", "%s", why);
		return false;
	}
	p->n_mgmt = (unsigned)n;
	return true;
}

static void
parse_port(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	struct sb_port_conf *p;
	const char *v;
	uint32_t x;
	bool ok = true, addr_ok = false, role_ok = true;

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
		ok = false;
	} else {
		ok &= get_name(c, sec, "device", p->device, sizeof(p->device));
	}
	if (p->device[0] != '\0' && !parse_port_xdp(c, sec, p))
		ok = false;
	v = get(c, sec, "role");
	if (v == NULL || strcmp(v, "lan") == 0) {
		p->role = SB_ROLE_LAN;
	} else if (strcmp(v, "wan") == 0) {
		p->role = SB_ROLE_WAN;
	} else {
		fail(c, sec, "role", "expected lan or wan, got \"%s\"", v);
		ok = role_ok = false;
	}
	v = get(c, sec, "address");
	if (v == NULL) {
		fail(c, sec, "address", "missing: the port's address as A.B.C.D/LEN, or dhcp");
		ok = false;
	} else if (strcmp(v, "dhcp") == 0) {
		/* Its address and subnet come with the lease. */
		p->dhcp.enabled = true;
		addr_ok = true;
	} else if (sb_config_parse_prefix(v, &p->addr, &p->prefix_len, true) != 0 || p->prefix_len > 31 ||
		   p->prefix_len == 0) {
		fail(c, sec, "address", "expected A.B.C.D/LEN with LEN 1-31, or dhcp, got \"%s\"", v);
		ok = false;
	} else {
		addr_ok = true;
	}
	if (!parse_port_dhcp(c, sec, p, role_ok, addr_ok))
		ok = false;
	if (!get_bool(c, sec, "masquerade", &p->masquerade)) {
		ok = false;
		c->bad_masq |= 1u << cfg->n_ports;
	} else if (p->masquerade && role_ok && p->role != SB_ROLE_WAN) {
		fail(c, sec, "masquerade", "only a wan port can masquerade");
		ok = false;
	}
	x = 0;
	ok &= get_uint(c, sec, "vlan", 0, 4094, &x);
	p->vlan = (uint16_t)x;
	x = p->rx_desc;
	ok &= get_uint(c, sec, "rx_desc", 64, 16384, &x);
	p->rx_desc = (uint16_t)x;
	x = p->tx_desc;
	ok &= get_uint(c, sec, "tx_desc", 64, 16384, &x);
	p->tx_desc = (uint16_t)x;
	/* (With the role in error, only the values are checked.) */
	v = get(c, sec, "sessions_on_down");
	if (v != NULL) {
		if (role_ok && p->role != SB_ROLE_WAN) {
			fail(c, sec, "sessions_on_down", "only for a wan port");
			ok = false;
		} else if (strcmp(v, "keep") == 0) {
			p->keep_sessions_on_down = true;
		} else if (strcmp(v, "flush") != 0) {
			fail(c, sec, "sessions_on_down", "expected flush or keep, got \"%s\"", v);
			ok = false;
		}
	}
	v = get(c, sec, "sessions_on_failback");
	if (v != NULL) {
		if (role_ok && p->role != SB_ROLE_WAN) {
			fail(c, sec, "sessions_on_failback", "only for a wan port");
			ok = false;
		} else if (strcmp(v, "move") == 0) {
			p->move_sessions_on_failback = true;
		} else if (strcmp(v, "stay") != 0) {
			fail(c, sec, "sessions_on_failback", "expected stay or move, got \"%s\"", v);
			ok = false;
		}
	}
	x = 0;
	ok &= get_uint(c, sec, "pcc_weight", 0, 255, &x);
	p->pcc_weight = (uint16_t)x;
	if (p->pcc_weight != 0 && role_ok && p->role != SB_ROLE_WAN) {
		fail(c, sec, "pcc_weight", "only a wan port can be a PCC member");
		ok = false;
	}
	v = get(c, sec, "pcc_table");
	if (v != NULL) {
		int t = table_index(c, sec, v);

		if (t < 0)
			ok = false;
		else
			p->pcc_table = (uint8_t)t;
	}
	for (unsigned i = 0; i < p->n_mgmt; i++)
		if (p->mgmt[i].addr == p->addr) {
			fail(c, sec, "management", "%u.%u.%u.%u is the port's own address: management "
			     "addresses are the kernel's, switchback answers for its own",
			     p->addr >> 24, (p->addr >> 16) & 255, (p->addr >> 8) & 255, p->addr & 255);
			/* Still added: its name, role and subnet are good, and
			 * the sections naming it are not in error for this. */
			ok = false;
			break;
		}
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (c->bad_port & (1u << i))
			continue;
		if (p->device[0] != '\0' && strcmp(cfg->ports[i].device, p->device) == 0) {
			fail(c, sec, "device", "device \"%s\" is already used by port %s",
			     p->device, cfg->ports[i].name);
			ok = false;
		}
		if (addr_ok && cfg->ports[i].addr == p->addr && !p->dhcp.enabled) {
			fail(c, sec, "address", "address already used by port %s",
			     cfg->ports[i].name);
			/* One error: its subnet is not checked again for overlap. */
			addr_ok = false;
			ok = false;
		}
	}
	/* What other sections rely on: its role and subnet. */
	if (!addr_ok)
		c->bad_addr |= 1u << cfg->n_ports;
	if (!role_ok)
		c->bad_role |= 1u << cfg->n_ports;
	c->bad_port = c->bad_addr | c->bad_role;
	(void)ok;
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
	bool ok = true, gw_ok = false;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->gw_port = -1;
	r->distance = 1;
	r->scope = 30;
	r->target_scope = 10;

	v = get(c, sec, "dst");
	if (v == NULL) {
		fail(c, sec, "dst", "missing: the destination as A.B.C.D/LEN");
		ok = false;
	} else if (sb_config_parse_prefix(v, &r->dst, &r->prefix_len, false) != 0) {
		fail(c, sec, "dst", "expected A.B.C.D/LEN, got \"%s\"", v);
		ok = false;
	} else if (r->dst & ~prefix_mask(r->prefix_len)) {
		fail(c, sec, "dst", "\"%s\" has host bits set", v);
		ok = false;
	}
	v = get(c, sec, "gateway");
	if (v == NULL) {
		fail(c, sec, "gateway", "missing: an IPv4 address, ADDRESS%%PORT or a port name");
		ok = false;
	} else {
		char buf[128];
		char *pct;

		snprintf(buf, sizeof(buf), "%s", v);
		pct = strchr(buf, '%');
		gw_ok = true;
		if (pct != NULL) {
			*pct = '\0';
			r->gw_port = sb_config_port_index(cfg, pct + 1);
			if (r->gw_port < 0) {
				fail(c, sec, "gateway", "no port named \"%s\"", pct + 1);
				gw_ok = false;
			} else if (sb_config_parse_ipv4(buf, &r->gw) != 0) {
				fail(c, sec, "gateway", "expected ADDRESS%%PORT, got \"%s\"", v);
				gw_ok = false;
			}
		} else if (sb_config_parse_ipv4(buf, &r->gw) != 0) {
			r->gw_port = sb_config_port_index(cfg, buf);
			if (r->gw_port < 0) {
				fail(c, sec, "gateway", "expected an IPv4 address, ADDRESS%%PORT "
				     "or a port name, got \"%s\"", v);
				gw_ok = false;
			}
			r->gw = 0;
		}
		ok &= gw_ok;
	}
	x = r->distance;
	ok &= get_uint(c, sec, "distance", 1, 255, &x);
	r->distance = (uint8_t)x;
	x = r->scope;
	ok &= get_uint(c, sec, "scope", 0, 255, &x);
	r->scope = (uint8_t)x;
	x = r->target_scope;
	ok &= get_uint(c, sec, "target_scope", 0, 255, &x);
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
		ok = false;
	}
	if (gw_ok && r->check != SB_CHECK_NONE && r->gw == 0) {
		fail(c, sec, "check_gateway", "needs a gateway address to probe");
		ok = false;
	}
	v = get(c, sec, "table");
	if (v != NULL) {
		int t = table_index(c, sec, v);

		if (t < 0)
			ok = false;
		else
			r->table = (uint8_t)t;
	}
	ok &= get_bool(c, sec, "disabled", &r->disabled);
	ok &= get_name(c, sec, "comment", r->comment, sizeof(r->comment));
	if (ok)
		cfg->n_routes++;
	else
		c->route_errors++;
}

static void
parse_neigh(struct ctx *c, const char *sec, const char *name)
{
	struct sb_config *cfg = c->cfg;
	struct sb_neigh_conf *n = &cfg->neigh[cfg->n_neigh];
	const char *v;
	bool ok = true;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	v = get(c, sec, "address");
	if (sb_config_parse_ipv4(v, &n->addr) != 0) {
		fail(c, sec, "address", v ? "expected an IPv4 address, got \"%s\"" :
		     "missing: the neighbour's IPv4 address%s", v ? v : "");
		ok = false;
	}
	v = get(c, sec, "mac");
	if (sb_config_parse_mac(v, n->mac) != 0) {
		fail(c, sec, "mac", v ? "expected aa:bb:cc:dd:ee:ff, got \"%s\"" :
		     "missing: the neighbour's MAC address%s", v ? v : "");
		ok = false;
	}
	v = get(c, sec, "port");
	n->port = v ? sb_config_port_index(cfg, v) : -1;
	if (n->port < 0) {
		fail(c, sec, "port", v ? "no port named \"%s\"" : "missing: the port the neighbour is on%s",
		     v ? v : "");
		ok = false;
	}
	if (ok)
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
	bool off_link = false, mons_ok = true, times_ok = true, thr_ok = true, known;

	if (pi < 0) {
		fail(c, sec, NULL, "no port named \"%s\"", name);
		return;
	}
	if (cfg->ports[pi].role != SB_ROLE_WAN && !(c->bad_role & (1u << pi))) {
		fail(c, sec, NULL, "port %s is not a wan port (role = wan)", name);
		return;
	}
	/* A port whose role or address is in error has that error listed;
	 * this section is still checked for its own, and for those that
	 * need the port's subnet only when its address is good. */
	known = !(c->bad_addr & (1u << pi));
	pc = &cfg->ports[pi];
	w = &cfg->wan[pi];
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
			mons_ok = false;
		}
	}
	v = get(c, sec, "monitors");
	if (v == NULL || *v == '\0') {
		fail(c, sec, "monitors", "missing: the hosts to probe through this WAN, "
		     "e.g. monitors = 192.0.2.53, 192.0.2.55");
		mons_ok = false;
	} else {
		char buf[512], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v);
		for (char *t = strtok_r(buf, ", \t", &save); t != NULL;
		     t = strtok_r(NULL, ", \t", &save)) {
			uint32_t a;
			bool dup = false;

			if (sb_config_parse_ipv4(t, &a) != 0 || a == 0 || (a >> 24) == 127 ||
			    (a >> 28) >= 14) {
				fail(c, sec, "monitors", "expected unicast IPv4 addresses separated "
				     "by commas, got \"%s\"", t);
				mons_ok = false;
				continue;
			}
			if (known && a == pc->addr) {
				fail(c, sec, "monitors", "%s is this port's own address", t);
				mons_ok = false;
				continue;
			}
			for (unsigned k = 0; k < w->n_monitors; k++)
				dup |= w->monitor[k] == a;
			if (dup) {
				fail(c, sec, "monitors", "%s is listed twice", t);
				mons_ok = false;
				continue;
			}
			if (w->n_monitors == SB_WAN_MAX_MONITORS) {
				fail(c, sec, "monitors", "at most %d monitors", SB_WAN_MAX_MONITORS);
				mons_ok = false;
				break;
			}
			if (w->method == SB_CHECK_ARP && pc->dhcp.enabled) {
				fail(c, sec, "method", "arp probes on-link hosts, and %s's subnet "
				     "comes from its DHCP lease: use icmp", name);
				mons_ok = false;
				break;
			}
			if (w->method == SB_CHECK_ARP && known && !port_on_subnet(pc, a)) {
				fail(c, sec, "monitors", "method = arp probes hosts on the port's "
				     "subnet only, and %s is not on %s's", t, name);
				mons_ok = false;
				continue;
			}
			off_link |= known && !port_on_subnet(pc, a);
			w->monitor[w->n_monitors++] = a;
		}
		if (w->n_monitors == 0 && mons_ok) {
			fail(c, sec, "monitors", "no address given");
			mons_ok = false;
		}
	}
	v = get(c, sec, "gateway");
	if (pc->dhcp.enabled) {
		/* Probes go through the lease's router (control/lease.c). */
		if (v != NULL)
			fail(c, sec, "gateway", "%s takes its gateway from its DHCP lease", name);
	} else if (v != NULL) {
		if (sb_config_parse_ipv4(v, &w->gateway) != 0)
			fail(c, sec, "gateway", "expected an IPv4 address, got \"%s\"", v);
		else if (known && (!port_on_subnet(pc, w->gateway) || w->gateway == pc->addr))
			fail(c, sec, "gateway", "%s is not a neighbour on %s's subnet", v, name);
		else if (w->method == SB_CHECK_ARP)
			fail(c, sec, "gateway", "not used with method = arp (monitors are on-link)");
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
		/* (A route refused for its own errors may be the one.) */
		if (w->gateway == 0 && c->route_errors == 0)
			fail(c, sec, "gateway", "missing: some monitors are not on %s's subnet and no "
			     "route has a gateway there; name the next hop the probes go to", name);
	}
	times_ok &= get_uint(c, sec, "interval_ms", 10, 3600000, &w->interval_ms);
	if (get(c, sec, "interval_ms") != NULL && get(c, sec, "timeout_ms") == NULL)
		w->timeout_ms = w->interval_ms;
	times_ok &= get_uint(c, sec, "timeout_ms", 10, 3600000, &w->timeout_ms);
	get_uint(c, sec, "down_after", 1, 100, &w->down_after);
	get_uint(c, sec, "up_after", 1, 100, &w->up_after);
	get_uint(c, sec, "hold_down_ms", 0, 86400000, &w->hold_down_ms);
	if (!get_uint(c, sec, "quorum", 1, SB_WAN_MAX_MONITORS, &w->quorum))
		mons_ok = false;
	thr_ok &= get_uint(c, sec, "loss_pct", 0, 99, &w->loss_pct);
	thr_ok &= get_uint(c, sec, "latency_ms", 0, 60000, &w->latency_ms);
	get_uint(c, sec, "window", 1, 64, &w->window);
	if (times_ok && w->timeout_ms > w->interval_ms) {
		fail(c, sec, "timeout_ms", "must not exceed interval_ms (%u)", w->interval_ms);
		times_ok = false;
	}
	if (mons_ok && w->quorum > w->n_monitors)
		fail(c, sec, "quorum", "%u is more than the %u monitor(s) listed", w->quorum,
		     w->n_monitors);
	v = get(c, sec, "trigger");
	if (v != NULL) {
		bool known = true;

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
			known = false;
		}
		if (known && thr_ok && (w->trigger & SB_TRIGGER_LOSS) && w->loss_pct == 0)
			fail(c, sec, "trigger", "%s needs a loss_pct threshold", v);
		if (known && thr_ok && (w->trigger & SB_TRIGGER_LATENCY) && w->latency_ms == 0)
			fail(c, sec, "trigger", "%s needs a latency_ms threshold", v);
	}
	/* (Both from [check_gateway]: its own error, named there.) */
	if (times_ok && thr_ok && w->latency_ms != 0 && w->latency_ms >= w->timeout_ms &&
	    (get(c, sec, "latency_ms") != NULL || get(c, sec, "timeout_ms") != NULL ||
	     get(c, sec, "interval_ms") != NULL))
		fail(c, sec, "latency_ms", "%u ms is not below timeout_ms (%u): a probe that slow "
		     "counts as lost", w->latency_ms, w->timeout_ms);
}

/* [metrics] listen = ADDRESS:PORT, an address of the kernel's. */
static void
parse_metrics(struct ctx *c, const char *sec)
{
	const char *v = get(c, sec, "listen");
	char buf[64], *colon, *end;
	unsigned long port;

	if (v == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strrchr(buf, ':');
	if (colon == NULL) {
		fail(c, sec, "listen", "expected ADDRESS:PORT (e.g. 127.0.0.1:9469), got \"%s\"", v);
		return;
	}
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (sb_config_parse_ipv4(buf, &c->cfg->metrics_addr) != 0)
		fail(c, sec, "listen", "expected an IPv4 address before the port, got \"%s\"", buf);
	else if (errno != 0 || colon[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
		fail(c, sec, "listen", "expected a port from 1 to 65535 after the address, got \"%s\"",
		     colon + 1);
	else
		c->cfg->metrics_port = (uint16_t)port;
}

/* [switchback] ctl_group: a group name or number whose members may use
 * the control socket besides root. */
static void
parse_ctl_group(struct ctx *c, const char *sec)
{
	const char *v = get(c, sec, "ctl_group");
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long g;

	if (v == NULL)
		return;
	errno = 0;
	g = strtoul(v, &end, 10);
	if (*v != '\0' && *end == '\0' && errno == 0 && *v != '-') {
		if (g >= UINT32_MAX) {
			fail(c, sec, "ctl_group", "group id %s out of range", v);
			return;
		}
		c->cfg->ctl_gid = (int64_t)g;
		return;
	}
	if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
		fail(c, sec, "ctl_group", "no group named \"%s\" (a group name or number)", v);
		return;
	}
	c->cfg->ctl_gid = (int64_t)gr.gr_gid;
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

void
sb_config_mbufs_needed(const struct sb_config *cfg, unsigned workers, struct sb_mbuf_need *n)
{
	memset(n, 0, sizeof(*n));
	if (workers == 0)
		workers = 1;
	for (unsigned i = 0; i < cfg->n_ports; i++)
		n->desc += ((uint32_t)cfg->ports[i].rx_desc + cfg->ports[i].tx_desc) * workers;
	n->rings = SB_PUNT_RING + SB_INJECT_RING + workers * (workers - 1) * SB_HANDOFF_RING;
	n->held = SB_WORKER_HELD_MBUFS * workers;
	/* Each lcore's mempool cache (256, up to 1.5 times that), and per
	 * worker a burst per port in rx, in tx buffers and in the handoff. */
	n->caches = (workers + 1) * 384 + SB_BURST * (3 * cfg->n_ports + 2) * workers;
	n->total = n->desc + n->rings + n->held + n->caches;
}

/* Recursive routes: can route @r's gateway be reached without coming
 * back to a route already on the way (@on_path)? A gateway on a port's
 * subnet is reached; else some route of the same table whose prefix holds
 * it, within @r's target scope, must be reachable itself. */
static bool
gw_reachable(const struct sb_config *cfg, unsigned r, uint8_t *on_path, bool *loop)
{
	const struct sb_route_conf *rt = &cfg->routes[r];
	bool ok = false;

	if (rt->gw == 0)
		return true;
	for (unsigned p = 0; p < cfg->n_ports; p++)
		if (cfg->ports[p].prefix_len != 0 && port_on_subnet(&cfg->ports[p], rt->gw) &&
		    (rt->gw_port < 0 || rt->gw_port == (int)p))
			return true;
	on_path[r] = 1;
	for (unsigned s = 0; s < cfg->n_routes && !ok; s++) {
		const struct sb_route_conf *o = &cfg->routes[s];

		if (o->table != rt->table || o->disabled || o->scope > rt->target_scope ||
		    ((rt->gw ^ o->dst) & prefix_mask(o->prefix_len)) != 0)
			continue;
		if (on_path[s]) {
			*loop = true;
			continue;
		}
		ok = gw_reachable(cfg, s, on_path, loop);
	}
	on_path[r] = 0;
	return ok;
}

/* A route whose gateway resolves only through itself, or through routes
 * that resolve through it, can never be active: refuse the file. A
 * gateway nothing holds at all only makes an inactive route (it may come
 * with a DHCP lease), as in RouterOS. */
static void
check_route_loops(struct ctx *c)
{
	struct sb_config *cfg = c->cfg;
	uint8_t *on_path = calloc(cfg->n_routes + 1, 1);

	if (on_path == NULL || cfg->n_routes > 4096) {
		free(on_path);
		return;  /* (bounded: the depth-first search is per route) */
	}
	for (unsigned r = 0; r < cfg->n_routes; r++) {
		bool loop = false;
		char sec[64], gw[20];
		uint32_t a = cfg->routes[r].gw;

		if (cfg->routes[r].disabled || gw_reachable(cfg, r, on_path, &loop) || !loop)
			continue;
		snprintf(sec, sizeof(sec), "route %s", cfg->routes[r].name);
		snprintf(gw, sizeof(gw), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
			 a & 0xff);
		fail(c, sec, "gateway", "route loop: %s is reached only through routes that "
		     "themselves need this one (recursive routes must end at a port's subnet)", gw);
	}
	free(on_path);
}

static void
validate(struct ctx *c)
{
	struct sb_config *cfg = c->cfg;
	bool lan = false, wan = false;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		lan |= cfg->ports[i].role == SB_ROLE_LAN;
		wan |= cfg->ports[i].role == SB_ROLE_WAN;
		if (c->bad_port & (1u << i))
			continue;
		for (unsigned j = 0; j < i; j++) {
			const struct sb_port_conf *a = &cfg->ports[i], *b = &cfg->ports[j];
			uint8_t l = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;

			if (a->dhcp.enabled || b->dhcp.enabled)
				continue; /* known once leased */
			if (!(c->bad_port & (1u << j)) && ((a->addr ^ b->addr) & prefix_mask(l)) == 0) {
				char sec[64];

				snprintf(sec, sizeof(sec), "port %s", a->name);
				fail(c, sec, "address", "overlaps the subnet of port %s", b->name);
			}
		}
	}
	if (cfg->n_ports == 0)
		add_error(c, 0, "", NULL, "no [port NAME] section: at least one port is needed");
	if (cfg->pcc_classifier >= 0) {
		unsigned members = 0;

		for (unsigned i = 0; i < cfg->n_ports; i++)
			members += cfg->ports[i].pcc_weight != 0;
		if (members == 0)
			fail(c, "pcc", "classifier", "PCC needs members: give WAN ports a pcc_weight");
	}
	(void)lan;
	(void)wan;
	if (c->bad_port == 0 && cfg->n_ports != 0) {
		struct sb_mbuf_need n;

		sb_config_mbufs_needed(cfg, cfg->workers, &n);
		if (cfg->mbufs_set && cfg->mbufs < n.total)
			fail(c, "switchback", "mbufs", "%u is fewer than the gateway can hold at once: "
			     "%u in the ports' rx and tx descriptors, %u in the rings to and from "
			     "control (and between workers), %u held by the workers, %u in mempool "
			     "caches and bursts, with %u worker(s); give at least %u (or fewer "
			     "rx_desc/tx_desc, or leave mbufs out: it is then sized for the "
			     "workers)", cfg->mbufs, n.desc, n.rings, n.held, n.caches,
			     cfg->workers ? cfg->workers : 1, n.total);
	}
	for (unsigned i = 0; i < cfg->n_routes; i++) {
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
sb_config_parse(const char *path, struct sb_config_errors *errs)
{
	return sb_config_parse_flags(path, errs, 0);
}

/* One reading of @f (from its start) taking copy @copy of the repeated
 * sections (ctx): the configuration, or NULL with the errors added to
 * @errs. With @heads, every [section] line read is left there (to free). */
static struct sb_config *
parse_copy(FILE *f, const char *path, struct sb_config_errors *errs, unsigned flags,
	   unsigned copy, const struct line_ref *all_heads, int n_all_heads,
	   struct line_ref **heads, int *n_heads)
{
	struct ctx c = { .errs = errs, .copy = copy, .all_heads = all_heads,
			 .n_all_heads = n_all_heads };
	struct sb_config *cfg;
	int nsec;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		add_error(&c, 0, "", NULL, "out of memory");
		return NULL;
	}
	c.cfg = cfg;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	cfg->mbufs = 16384;
	cfg->ctl_gid = -1;
	cfg->sessions = 65536;
	cfg->sessions_per_host = SB_SESSIONS_PER_HOST_DEFAULT;  /* a quarter of sessions */
	cfg->fragments = 4096;
	cfg->ecmp_hash = SB_ECMP_L4;
	cfg->xdp_busy_poll = true;
	cfg->xdp_syn_per_source = SB_XDP_SYN_PER_SOURCE_DEFAULT;
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

	c.d = dictionary_new(0);
	if (c.d == NULL || !read_lines(&c, f)) {
		add_error(&c, 0, "", NULL, "out of memory");
		goto fail;
	}
	nsec = iniparser_getnsec(c.d);
	cfg->routes = calloc((size_t)nsec + 1, sizeof(*cfg->routes));
	cfg->neigh = calloc((size_t)nsec + 1, sizeof(*cfg->neigh));
	if (cfg->routes == NULL || cfg->neigh == NULL) {
		add_error(&c, 0, "", NULL, "out of memory");
		goto fail;
	}

	/* Ports first: routes and neighbours refer to them by name. */
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < nsec; i++) {
			const char *sec = iniparser_getsecname(c.d, i);
			const char *name;

			if (split_sec(sec, "port", &name)) {
				if (pass != 0)
					continue;
				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad port name \"%s\" (letters, digits, _ and -, "
					     "at most %d)", name, SB_NAME_LEN - 1);
					continue;
				}
				check_keys(&c, sec, keys_port);
				parse_port(&c, sec, name);
				continue;
			}
			if (split_sec(sec, "wan", &name)) {
				/* Last: it takes [check_gateway]'s values as defaults
				 * and may take its gateway from a route. */
				if (pass != 2)
					continue;
				check_keys(&c, sec, keys_wan);
				parse_wan(&c, sec, name);
				continue;
			}
			if (pass != 1)
				continue;
			if (strcmp(sec, "switchback") == 0) {
				const char *v;

				check_keys(&c, sec, keys_switchback);
				cfg->mbufs_set = get(&c, sec, "mbufs") != NULL;
				get_uint(&c, sec, "mbufs", 1024, 1u << 24, &cfg->mbufs);
				get_uint(&c, sec, "workers", 1, SB_MAX_WORKERS, &cfg->workers);
				get_uint(&c, sec, "sessions", 16, 1u << 27, &cfg->sessions);
				get_uint(&c, sec, "sessions_per_host", 0, 1u << 27,
					 &cfg->sessions_per_host);
				get_uint(&c, sec, "fragments", 16, 1u << 20, &cfg->fragments);
				get_name(&c, sec, "ctl_socket", cfg->ctl_socket, sizeof(cfg->ctl_socket));
				parse_ctl_group(&c, sec);
				v = get(&c, sec, "ecmp_hash");
				if (v != NULL) {
					if (strcmp(v, "l3") == 0)
						cfg->ecmp_hash = SB_ECMP_L3;
					else if (strcmp(v, "l4") == 0)
						cfg->ecmp_hash = SB_ECMP_L4;
					else
						fail(&c, sec, "ecmp_hash", "expected l3 or l4, got \"%s\"", v);
				}
			} else if (strcmp(sec, "xdp") == 0) {
				const char *v;
				char why[256];
				bool too_many = false;
				int n;

				check_keys(&c, sec, keys_xdp);
				get_name(&c, sec, "program", cfg->xdp_program, sizeof(cfg->xdp_program));
				(void)get_bool(&c, sec, "busy_poll", &cfg->xdp_busy_poll);
				get_uint(&c, sec, "syn_per_source", 0, 100000000,
					 &cfg->xdp_syn_per_source);
				/* Each block line at its own line; they add up. */
				for (unsigned b = 0; b < c.n_blocks; b++) {
					struct sb_prefix one[SB_MAX_BLOCK];

					v = c.blocks[b].v;
					n = sb_xdpconf_prefixes(v, one, SB_MAX_BLOCK, why, sizeof(why));
					if (n < 0) {
						add_error(&c, c.blocks[b].line, sec, "block", "%s", why);
					} else if (too_many || cfg->n_block + (unsigned)n > SB_MAX_BLOCK) {
						/* Once; the later lines are still checked. */
						if (!too_many)
							add_error(&c, c.blocks[b].line, sec, "block",
								  "more than %d prefixes in all the "
								  "block lines", SB_MAX_BLOCK);
						too_many = true;
					} else {
						memcpy(cfg->block + cfg->n_block, one, sizeof(one[0]) * (size_t)n);
						cfg->n_block += (unsigned)n;
					}
				}
			} else if (strcmp(sec, "notify") == 0) {
				check_keys(&c, sec, keys_notify);
				get_name(&c, sec, "hook", cfg->hook, sizeof(cfg->hook));
				get_uint(&c, sec, "alert_after_s", 0, 86400 * 365, &cfg->alert_after_s);
				get_name(&c, sec, "webhook", cfg->webhook, sizeof(cfg->webhook));
				get_uint(&c, sec, "webhook_retries", 0, 20, &cfg->webhook_retries);
				get_uint(&c, sec, "webhook_timeout_ms", 100, 60000, &cfg->webhook_timeout_ms);
				get_uint(&c, sec, "webhook_backoff_ms", 10, 600000, &cfg->webhook_backoff_ms);
				if (cfg->webhook[0] != '\0' &&
				    strncmp(cfg->webhook, "http://", 7) != 0 &&
				    strncmp(cfg->webhook, "https://", 8) != 0)
					fail(&c, sec, "webhook", "expected an http:// or https:// URL, got \"%s\"",
					     cfg->webhook);
			} else if (strcmp(sec, "pcc") == 0) {
				const char *v;

				check_keys(&c, sec, keys_pcc);
				v = get(&c, sec, "classifier");
				if (v != NULL) {
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
				bool t_ok = get_uint(&c, sec, "interval_ms", 10, 3600000,
						     &cfg->probe_interval_ms);

				cfg->probe_timeout_ms = cfg->probe_interval_ms;
				t_ok &= get_uint(&c, sec, "timeout_ms", 10, 3600000, &cfg->probe_timeout_ms);
				get_uint(&c, sec, "down_after", 1, 100, &cfg->probe_down_after);
				get_uint(&c, sec, "up_after", 1, 100, &cfg->probe_up_after);
				get_uint(&c, sec, "hold_down_ms", 0, 86400000, &cfg->hold_down_ms);
				get_uint(&c, sec, "loss_pct", 0, 99, &cfg->loss_pct);
				bool l_ok = get_uint(&c, sec, "latency_ms", 0, 60000, &cfg->latency_ms);
				get_uint(&c, sec, "window", 1, 64, &cfg->window);
				if (t_ok && cfg->probe_timeout_ms > cfg->probe_interval_ms) {
					fail(&c, sec, "timeout_ms", "must not exceed interval_ms (%u)",
					     cfg->probe_interval_ms);
					t_ok = false;
				}
				if (t_ok && l_ok && cfg->latency_ms != 0 &&
				    cfg->latency_ms >= cfg->probe_timeout_ms)
					fail(&c, sec, "latency_ms", "%u ms is not below timeout_ms (%u): a "
					     "probe that slow counts as lost", cfg->latency_ms,
					     cfg->probe_timeout_ms);
			} else if (strcmp(sec, "metrics") == 0) {
				check_keys(&c, sec, keys_metrics);
				parse_metrics(&c, sec);
			} else if (split_sec(sec, "route", &name)) {
				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad route name \"%s\" (letters, digits, _ "
					     "and -, at most %d)", name, SB_NAME_LEN - 1);
					c.route_errors++;
					continue;
				}
				if (cfg->n_routes == SB_MAX_ROUTES) {
					fail(&c, sec, NULL, "too many routes (at most %d)", SB_MAX_ROUTES);
					continue;
				}
				check_keys(&c, sec, keys_route);
				parse_route(&c, sec, name);
			} else if (split_sec(sec, "forward", &name) ||
				   split_sec(sec, "nat1to1", &name)) {
				bool fwd = sec[0] == 'f';

				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad name \"%s\" (letters, digits, _ and -, "
					     "at most %d)", name, SB_NAME_LEN - 1);
					continue;
				}
				check_keys(&c, sec, fwd ? sb_cfg_keys_forward : sb_cfg_keys_nat1to1);
				if (fwd)
					sb_cfg_parse_forward(&c, cfg, sec, name);
				else
					sb_cfg_parse_nat1to1(&c, cfg, sec, name);
			} else if (split_sec(sec, "neighbor", &name) ||
				   split_sec(sec, "neighbour", &name)) {
				if (!valid_name(name)) {
					fail(&c, sec, NULL, "bad neighbor name \"%s\" (letters, digits, _ "
					     "and -, at most %d)", name, SB_NAME_LEN - 1);
					continue;
				}
				check_keys(&c, sec, keys_neigh);
				parse_neigh(&c, sec, name);
			} else {
				fail(&c, sec, NULL, "unknown section (expected [switchback], [timeouts], "
				     "[check_gateway], [pcc], [notify], [metrics], [xdp], [port NAME], [wan NAME], "
				     "[route NAME], [forward NAME], [nat1to1 NAME] or "
				     "[neighbor NAME])");
			}
		}
	}
	if (cfg->sessions_per_host != SB_SESSIONS_PER_HOST_DEFAULT &&
	    cfg->sessions_per_host > cfg->sessions)
		fail(&c, "switchback", "sessions_per_host",
		     "%u is more than the table holds (sessions = %u): 0 for no limit",
		     cfg->sessions_per_host, cfg->sessions);
	validate(&c);
	sb_cfg_check_forwards(&c, cfg);
	if ((flags & SB_CONFIG_NO_LOOPS) && c.route_errors == 0 && c.bad_port == 0)
		check_route_loops(&c);
	if (c.failed)
		goto fail;
	iniparser_freedict(c.d);
	free(c.refs);
	free_blocks(&c);
	if (heads != NULL) {
		*heads = c.heads;
		*n_heads = c.n_heads;
	} else {
		free(c.heads);
	}
	return cfg;
fail:
	if (c.d != NULL)
		iniparser_freedict(c.d);
	free(c.refs);
	free_blocks(&c);
	if (heads != NULL) {
		*heads = c.heads;
		*n_heads = c.n_heads;
	} else {
		free(c.heads);
	}
	sb_config_free(cfg);
	return NULL;
}

struct sb_config *
sb_config_parse_flags(const char *path, struct sb_config_errors *errs, unsigned flags)
{
	struct ctx c = { .errs = errs };
	struct line_ref *heads = NULL;
	struct sb_config *cfg;
	int n_heads = 0, most = 1;
	FILE *f;

	memset(errs, 0, sizeof(*errs));
	snprintf(errs->path, sizeof(errs->path), "%s", path);
	f = fopen(path, "r");
	if (f == NULL) {
		add_error(&c, 0, "", NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	cfg = parse_copy(f, path, errs, flags, 1, NULL, 0, &heads, &n_heads);
	for (int i = 0; i < n_heads; i++) {
		int k = copies_of(heads, n_heads, heads[i].key, NULL);

		most = k > most ? k : most;
	}
	/* A section given twice (refused above): its second copy, third...
	 * are checked too, each in a reading of its own with the k-th copy
	 * of every repeated section; what that reading finds in those
	 * sections is theirs (in the others, it was found above). */
	if (cfg == NULL && most > 1) {
		struct sb_config_errors *more = malloc(sizeof(*more));

		/* (Bounded: a file of many copies costs a reading each.) */
		if (most > MAX_COPIES_CHECKED)
			add_error(&c, 0, "", NULL, "a section given %d times: the values of the "
				  "copies past the %dth are not checked", most, MAX_COPIES_CHECKED);
		for (int k = 2; more != NULL && k <= most && k <= MAX_COPIES_CHECKED; k++) {
			memset(more, 0, sizeof(*more));
			rewind(f);
			sb_config_free(parse_copy(f, path, more, flags, (unsigned)k, heads, n_heads,
						  NULL, NULL));
			for (unsigned i = 0; i < more->n; i++) {
				const struct sb_config_error *e = &more->e[i];

				if (copies_of(heads, n_heads, e->section, NULL) >= k)
					add_error(&c, e->line, e->section, e->key, "%s", e->msg);
			}
		}
		if (more == NULL)
			add_error(&c, 0, "", NULL, "out of memory");
		free(more);
	}
	free(heads);
	fclose(f);
	if (cfg != NULL)
		return cfg;
	/* In file order; insertion sort keeps the order of one line's errors. */
	for (unsigned i = 1; i < errs->n; i++) {
		struct sb_config_error t = errs->e[i];
		unsigned j = i;

		for (; j > 0 && error_cmp(&errs->e[j - 1], &t) > 0; j--)
			errs->e[j] = errs->e[j - 1];
		errs->e[j] = t;
	}
	return NULL;
}

struct sb_config *
sb_config_load(const char *path, char *err, size_t errlen)
{
	struct sb_config_errors *errs = malloc(sizeof(*errs));
	struct sb_config *cfg;

	if (errs == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	err[0] = '\0';
	cfg = sb_config_parse(path, errs);
	if (cfg == NULL)
		sb_config_errors_format(errs, err, errlen);
	free(errs);
	return cfg;
}



/* For the section parsers in other files (config_priv.h). */
const char *
sb_cfg_get(struct ctx *c, const char *sec, const char *key)
{
	return get(c, sec, key);
}

void
sb_cfg_fail(struct ctx *c, const char *sec, const char *key, const char *fmt, ...)
{
	char msg[sizeof(((struct sb_config_error *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail(c, sec, key, "%s", msg);
}

bool
sb_cfg_get_name(struct ctx *c, const char *sec, const char *key, char *out, size_t len)
{
	return get_name(c, sec, key, out, len);
}

bool
sb_cfg_port_role_unknown(const struct ctx *c, int port)
{
	return (c->bad_role | c->bad_masq) & (1u << port);
}

bool
sb_cfg_port_subnet_unknown(const struct ctx *c, int port)
{
	return c->bad_addr & (1u << port);
}

bool
sb_cfg_maybe_lan(const struct ctx *c, uint32_t ip)
{
	const struct sb_config *cfg = c->cfg;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		uint32_t bit = 1u << i;
		bool lan = (c->bad_role & bit) || cfg->ports[i].role == SB_ROLE_LAN;

		if ((c->bad_addr & bit) && lan)
			return true;
		if ((c->bad_role & bit) && port_on_subnet(&cfg->ports[i], ip))
			return true;
	}
	return false;
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
