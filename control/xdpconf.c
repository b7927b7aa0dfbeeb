/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: parsing the configuration of AF_XDP ports (see xdpconf.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "xdpconf.h"
#include "xdp.h"
#include "sb_names.h"

/* Here rather than in xdp.c, which needs libbpf: the metrics (in the
 * library) name the reasons too. */
SB_NAMES_FN(sb_xdp_reason_name, SB_XDP_REASONS, SB_NAME_3OF3)
SB_NAMES_FN(sb_xdp_reason_verdict, SB_XDP_REASONS, SB_NAME_2OF3)

int
sb_xdpconf_device(const char *device, enum sb_devkind *kind, char *ifname, char *why,
		  size_t whylen)
{
	const char *name;
	size_t n;

	if (strncmp(device, SB_XDPCONF_AF_XDP, strlen(SB_XDPCONF_AF_XDP)) == 0) {
		*kind = SB_DEV_AF_XDP;
		name = device + strlen(SB_XDPCONF_AF_XDP);
	} else if (strncmp(device, SB_XDPCONF_AF_PACKET, strlen(SB_XDPCONF_AF_PACKET)) == 0) {
		*kind = SB_DEV_AF_PACKET;
		name = device + strlen(SB_XDPCONF_AF_PACKET);
	} else {
		*kind = SB_DEV_DPDK;
		return 0;
	}
	n = strlen(name);
	/* The kernel's rule (dev_valid_name), and no ',' (devargs). */
	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strpbrk(name, "/:, \t") != NULL) {
		snprintf(why, whylen, "expected an interface name of 1-%d characters without "
			 "'/', ':', ',' or blanks after \"%.*s\", got \"%s\"", IFNAMSIZ - 1,
			 (int)(name - device), device, name);
		return -EINVAL;
	}
	memcpy(ifname, name, n + 1);
	return 0;
}

/* Next item of *@s, ended by any of @seps or the end, blanks trimmed,
 * into @buf. Blanks and then one comma after it are taken with it, so that
 * with blanks among @seps "a , b" is two items, as "a, b" and "a b" are. */
static bool
next_item(const char **s, const char *seps, char *buf, size_t len)
{
	const char *p = *s, *e;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return false;
	n = strcspn(p, seps);
	e = p + n;
	while (*e == ' ' || *e == '\t')
		e++;
	*s = *e == ',' ? e + 1 : e;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

/* Each item of @v (separated by any of @seps) parsed by @one into the next
 * of @max elements of @size bytes at @out; returns how many, or -EINVAL
 * with @why. */
static int
parse_list(const char *v, const char *seps, void *out, size_t size, unsigned max,
	   const char *what, int (*one)(const char *item, void *elem, char *why, size_t whylen),
	   char *why, size_t whylen)
{
	char item[96];
	int n = 0;

	while (next_item(&v, seps, item, sizeof(item))) {
		if ((unsigned)n == max) {
			snprintf(why, whylen, "at most %u %s", max, what);
			return -EINVAL;
		}
		if (one(item, (char *)out + (size_t)n * size, why, whylen) != 0)
			return -EINVAL;
		n++;
	}
	return n;
}

static int
mgmt_item(const char *item, void *elem, char *why, size_t whylen)
{
	char a[32] = "", p[16] = "", port[16] = "", extra[2] = "";
	struct sb_mgmt_conf m = { 0 };
	int f = sscanf(item, "%31s %15s %15s %1s", a, p, port, extra);

	if (f < 1 || f > 3 || sb_config_parse_ipv4(a, &m.addr) != 0 || m.addr == 0) {
		snprintf(why, whylen, "expected \"ADDR [tcp|udp|icmp|any [PORT]]\", got \"%s\"",
			 item);
		return -EINVAL;
	}
	if (f >= 2) {
		if (strcmp(p, "tcp") == 0)
			m.proto = IPPROTO_TCP;
		else if (strcmp(p, "udp") == 0)
			m.proto = IPPROTO_UDP;
		else if (strcmp(p, "icmp") == 0)
			m.proto = IPPROTO_ICMP;
		else if (strcmp(p, "any") != 0) {
			snprintf(why, whylen, "protocol must be tcp, udp, icmp or any, got "
				 "\"%s\" in \"%s\"", p, item);
			return -EINVAL;
		}
	}
	if (f == 3) {
		char *end;
		long x = strtol(port, &end, 10);

		if (m.proto != IPPROTO_TCP && m.proto != IPPROTO_UDP) {
			snprintf(why, whylen, "a port needs tcp or udp, in \"%s\"", item);
			return -EINVAL;
		}
		if (*end != '\0' || x < 1 || x > 65535) {
			snprintf(why, whylen, "port must be 1-65535, got \"%s\" in \"%s\"", port,
				 item);
			return -EINVAL;
		}
		m.port = (uint16_t)x;
	}
	*(struct sb_mgmt_conf *)elem = m;
	return 0;
}

int
sb_xdpconf_mgmt(const char *v, struct sb_mgmt_conf *out, unsigned max, char *why,
		size_t whylen)
{
	/* Commas only: an entry has blanks in it ("192.0.2.2 tcp 22"). */
	int n = parse_list(v, ",", out, sizeof(*out), max, "entries", mgmt_item, why, whylen);

	if (n == 0) {
		snprintf(why, whylen, "empty: expected \"ADDR [tcp|udp|icmp|any [PORT]], ...\"");
		return -EINVAL;
	}
	return n;
}

static int
prefix_item(const char *item, void *elem, char *why, size_t whylen)
{
	struct sb_prefix p;

	if (sb_config_parse_prefix(item, &p.addr, &p.len, false) != 0) {
		snprintf(why, whylen, "expected A.B.C.D[/LEN], got \"%s\"", item);
		return -EINVAL;
	}
	if (p.len < 32 && (p.addr & (0xffffffffu >> p.len)) != 0) {
		snprintf(why, whylen, "\"%s\" has host bits set beyond /%u", item, p.len);
		return -EINVAL;
	}
	*(struct sb_prefix *)elem = p;
	return 0;
}

int
sb_xdpconf_prefixes(const char *v, struct sb_prefix *out, unsigned max, char *why,
		    size_t whylen)
{
	/* Commas or blanks, as every other list of addresses in the file. */
	return parse_list(v, ", \t", out, sizeof(*out), max, "prefixes", prefix_item, why,
			  whylen);
}
