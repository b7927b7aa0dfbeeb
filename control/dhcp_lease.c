/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP lease kept on disk, for INIT-REBOOT after a restart. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "dhcp_priv.h"

static void
fmt_ip(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static int
scan_ip(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = ntohl(in.s_addr);
	return 0;
}

int
sb_dhcp_lease_save(const char *path, const struct sb_dhcp_lease *l, uint64_t now_ms, int64_t wall_s)
{
	char tmp[512], a[16], b[16];
	FILE *f;
	int64_t start_wall;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	/* Rounded down: the kept lease ends no later than the real one. */
	start_wall = wall_s - (int64_t)((now_ms - (l->start_ms < now_ms ? l->start_ms : now_ms)) + 999) / 1000;
	fprintf(f, "# switchback DHCP lease\n");
	fmt_ip(l->addr, a, sizeof(a));
	fprintf(f, "address=%s/%u\n", a, l->prefix_len);
	fmt_ip(l->router, a, sizeof(a));
	fprintf(f, "router=%s\n", a);
	fmt_ip(l->server, a, sizeof(a));
	fprintf(f, "server=%s\n", a);
	fprintf(f, "server_mac=%02x:%02x:%02x:%02x:%02x:%02x\n", l->server_mac[0],
		l->server_mac[1], l->server_mac[2], l->server_mac[3], l->server_mac[4],
		l->server_mac[5]);
	for (unsigned i = 0; i < l->n_dns && i < SB_DHCP_MAX_DNS; i++) {
		fmt_ip(l->dns[i], a, sizeof(a));
		fprintf(f, "dns=%s\n", a);
	}
	for (unsigned i = 0; i < l->n_routes && i < SB_DHCP_MAX_ROUTES; i++) {
		fmt_ip(l->routes[i].dst, a, sizeof(a));
		fmt_ip(l->routes[i].gw, b, sizeof(b));
		fprintf(f, "route=%s/%u %s\n", a, l->routes[i].len, b);
	}
	fprintf(f, "lease=%u\nt1=%u\nt2=%u\nstart=%lld\n", l->lease_s, l->t1_s, l->t2_s,
		(long long)start_wall);
	if (fflush(f) != 0 || ferror(f)) {
		int e = errno;

		fclose(f);
		unlink(tmp);
		return -(e != 0 ? e : EIO);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

int
sb_dhcp_lease_load(const char *path, struct sb_dhcp_lease *l, uint64_t now_ms, int64_t wall_s)
{
	char line[256], ip[64], gw[64];
	unsigned plen, mac[6];
	long long start_wall = -1;
	bool have_addr = false, have_lease = false;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return errno == ENOENT ? -ENOENT : -errno;
	memset(l, 0, sizeof(*l));
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *nl = strchr(line, '\n');
		char *v = strchr(line, '=');

		if (nl == NULL && !feof(f)) {
			rc = -EINVAL;
			break;
		}
		if (nl != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (v == NULL) {
			rc = -EINVAL;
			break;
		}
		*v++ = '\0';
		if (strcmp(line, "address") == 0) {
			if (sscanf(v, "%63[0-9.]/%u", ip, &plen) != 2 || scan_ip(ip, &l->addr) < 0 ||
			    plen == 0 || plen > 32)
				rc = -EINVAL;
			l->prefix_len = (uint8_t)plen;
			have_addr = true;
		} else if (strcmp(line, "router") == 0) {
			rc = scan_ip(v, &l->router) < 0 ? -EINVAL : 0;
		} else if (strcmp(line, "server") == 0) {
			rc = scan_ip(v, &l->server) < 0 ? -EINVAL : 0;
		} else if (strcmp(line, "server_mac") == 0) {
			if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x", &mac[0], &mac[1], &mac[2], &mac[3],
				   &mac[4], &mac[5]) != 6)
				rc = -EINVAL;
			for (int k = 0; k < 6; k++)
				l->server_mac[k] = (uint8_t)mac[k];
		} else if (strcmp(line, "dns") == 0) {
			if (l->n_dns >= SB_DHCP_MAX_DNS || scan_ip(v, &l->dns[l->n_dns]) < 0)
				rc = -EINVAL;
			else
				l->n_dns++;
		} else if (strcmp(line, "route") == 0) {
			struct sb_dhcp_route *r = &l->routes[l->n_routes];

			if (l->n_routes >= SB_DHCP_MAX_ROUTES ||
			    sscanf(v, "%63[0-9.]/%u %63[0-9.]", ip, &plen, gw) != 3 ||
			    scan_ip(ip, &r->dst) < 0 || scan_ip(gw, &r->gw) < 0 || plen > 32)
				rc = -EINVAL;
			else {
				r->len = (uint8_t)plen;
				l->n_routes++;
			}
		} else if (strcmp(line, "lease") == 0) {
			rc = sscanf(v, "%u", &l->lease_s) == 1 ? 0 : -EINVAL;
			have_lease = true;
		} else if (strcmp(line, "t1") == 0) {
			rc = sscanf(v, "%u", &l->t1_s) == 1 ? 0 : -EINVAL;
		} else if (strcmp(line, "t2") == 0) {
			rc = sscanf(v, "%u", &l->t2_s) == 1 ? 0 : -EINVAL;
		} else if (strcmp(line, "start") == 0) {
			rc = sscanf(v, "%lld", &start_wall) == 1 ? 0 : -EINVAL;
		} else {
			rc = -EINVAL;
		}
	}
	fclose(f);
	if (rc != 0)
		return rc;
	if (!have_addr || !have_lease || start_wall < 0 || l->lease_s == 0)
		return -EINVAL;

	int64_t el = wall_s - start_wall;
	uint64_t elapsed_ms = el > 0 ? (uint64_t)el * 1000 : 0;

	if (l->lease_s != SB_DHCP_INFINITE && elapsed_ms >= (uint64_t)l->lease_s * 1000)
		return -ESTALE;
	if (elapsed_ms <= now_ms) {
		l->start_ms = now_ms - elapsed_ms;
	} else {
		/* The clock began after the lease did (a reboot): start it at 0
		 * with what is left of each time. */
		uint32_t cut = (uint32_t)((elapsed_ms - now_ms + 999) / 1000);

		l->start_ms = 0;
		if (l->lease_s != SB_DHCP_INFINITE) {
			l->lease_s -= cut < l->lease_s ? cut : l->lease_s;
			l->t1_s -= cut < l->t1_s ? cut : l->t1_s;
			l->t2_s -= cut < l->t2_s ? cut : l->t2_s;
			if (l->lease_s == 0)
				return -ESTALE;
		}
	}
	return 0;
}
