/* SPDX-License-Identifier: BSD-3-Clause
 * switchbackctl: status and operations for a running switchback, over its
 * control socket.
 *
 *   switchbackctl [-s SOCKET | -f FILE_PREFIX] route print [--json]
 *   switchbackctl ... wan print [--json]
 *   switchbackctl ... wan down|up|auto NAME
 *   switchbackctl ... stats [--json]
 *   switchbackctl ... neighbor print
 *   switchbackctl ... status [--json]
 *   switchbackctl ... events [--json]
 *   switchbackctl ... conntrack print [wan=NAME] [src=PREFIX] [limit N] [--json]
 *   switchbackctl ... conntrack count [wan=NAME] [src=PREFIX] [--json]
 *   switchbackctl ... conntrack flush [wan=NAME] [--json]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: switchbackctl [-s SOCKET | -f FILE_PREFIX] COMMAND\n"
		"  route print [--json]      routes with flags (A active, S static, C connected,\n"
		"                            E ECMP, X disabled) and why inactive ones are\n"
		"  route set NAME distance N change a route's distance (reorder failover)\n"
		"  route enable|disable NAME\n"
		"  wan print [--json]        WAN states and probe statistics\n"
		"  wan down|up|auto NAME     force a WAN down or up, or give it back to its probes\n"
		"  stats [--json]            counters and drops by reason\n"
		"  neighbor print            the ARP table\n"
		"  block print               the XDP blocklist (AF_XDP ports), hits per prefix\n"
		"  block add|del PREFIX      drop a source prefix in XDP, or stop dropping it\n"
		"  status [--json]           one screen: per WAN state, for how long, why, in\n"
		"                            service, sessions, rates, monitors; ports' rates\n"
		"  events [--json]           the last WAN state changes with their evidence\n"
		"  conntrack print [wan=NAME] [src=PREFIX] [limit N]   sessions (100 by default)\n"
		"  conntrack count [wan=NAME] [src=PREFIX]             sessions per WAN and protocol\n"
		"  conntrack flush [wan=NAME]  flush sessions (of one WAN) as a WAN failure does\n"
		"  forward print [--json]    port forwards and one-to-one NAT with hit counts\n"
		"The socket defaults to /var/run/dpdk/<FILE_PREFIX>/switchback.sock, FILE_PREFIX\n"
		"being switchback's --file-prefix (default rte).\n");
}

int
main(int argc, char **argv)
{
	char path[108] = "", cmd[512] = "";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	const char *prefix = "rte";
	size_t off = 0;
	int i = 1, fd;
	char buf[65536];
	ssize_t n;
	int first = 1, ok = 0;

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--json") != 0) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(argv[i], "-s"))
			snprintf(path, sizeof(path), "%s", argv[i + 1]);
		else if (!strcmp(argv[i], "-f"))
			prefix = argv[i + 1];
		else {
			usage(stderr);
			return 2;
		}
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/var/run/dpdk/%s/switchback.sock", prefix);
	for (; i < argc; i++)
		off += (size_t)snprintf(cmd + off, off < sizeof(cmd) ? sizeof(cmd) - off : 0, "%s%s",
					off ? " " : "", argv[i]);
	if (off >= sizeof(cmd) - 1) {
		fprintf(stderr, "switchbackctl: command too long\n");
		return 2;
	}
	strcat(cmd, "\n");

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "switchbackctl: bad socket path %s\n", path);
		return 1;
	}
	strcpy(sa.sun_path, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "switchbackctl: cannot reach switchback at %s: %s\n"
			"  (is it running? with --file-prefix X, use -f X; or name the socket with -s)\n",
			path, strerror(errno));
		return 1;
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		fprintf(stderr, "switchbackctl: write: %s\n", strerror(errno));
		return 1;
	}
	/* The first line says "ok" or "error: ..."; the rest is the answer. */
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		char *p = buf;

		buf[n] = '\0';
		if (first) {
			char *nl = strchr(buf, '\n');

			first = 0;
			ok = strncmp(buf, "ok", 2) == 0;
			if (!ok) {
				fprintf(stderr, "switchbackctl: %s", buf);
				continue;
			}
			p = nl ? nl + 1 : buf + n;
		}
		fputs(p, ok ? stdout : stderr);
	}
	close(fd);
	if (first) {
		fprintf(stderr, "switchbackctl: no answer from %s\n", path);
		return 1;
	}
	return ok ? 0 : 1;
}
