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
 *
 * Every command takes --json: stdout then holds one JSON document, the
 * answer or, when refused, {"error": "..."} (the error line still goes
 * to stderr, exit 1).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlcmd.h"

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
		"Every command takes --json: one JSON document on stdout, {\"ok\": true} for a\n"
		"change with nothing more to say, {\"error\": \"...\"} (exit 1) when refused.\n"
		"The socket defaults to /var/run/dpdk/<FILE_PREFIX>/switchback.sock, FILE_PREFIX\n"
		"being switchback's --file-prefix (default rte).\n");
}

/* A failure of switchbackctl itself (no answer to print): its message on
 * stderr, and with --json {"error": "..."} on stdout as well. */
static int __attribute__((format(printf, 3, 4)))
fail(bool json, int rc, const char *fmt, ...)
{
	char msg[512], j[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "switchbackctl: %s\n", msg);
	if (json) {
		sb_ctlcmd_error_json(msg, j, sizeof(j));
		fputs(j, stdout);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	char path[108] = "", cmd[512] = "", first[1024];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	const char *prefix = "rte";
	size_t off = 0, fl = 0;
	int i = 1, fd;
	char buf[65536];
	ssize_t n;
	FILE *to = NULL;        /* where the answer's body goes, once its first line is in */
	bool json = false, ok = false, body = false;

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
	for (; i < argc; i++) {
		json |= strcmp(argv[i], "--json") == 0;
		off += (size_t)snprintf(cmd + off, off < sizeof(cmd) ? sizeof(cmd) - off : 0, "%s%s",
					off ? " " : "", argv[i]);
	}
	if (off >= sizeof(cmd) - 1)
		return fail(json, 2, "command too long");
	strcat(cmd, "\n");

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return fail(json, 1, "bad socket path %s", path);
	strcpy(sa.sun_path, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		fail(json, 1, "cannot reach switchback at %s: %s", path, strerror(e));
		fprintf(stderr, "  (is it running? with --file-prefix X, use -f X; or name the socket "
			"with -s)\n");
		return 1;
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return fail(json, 1, "write: %s", strerror(errno));
	/* The first line says "ok" or "error: ..." (that goes to stderr);
	 * the rest is the answer: on stdout, or after an error on stderr
	 * (with --json on stdout: the error's JSON body). */
	for (;;) {
		char *p = buf, *nl;
		size_t left, take, room;

		n = read(fd, buf, sizeof(buf));
		if (n <= 0 && (to != NULL || fl == 0))
			break;
		left = n > 0 ? (size_t)n : 0;
		if (to == NULL) {
			nl = memchr(buf, '\n', left);
			take = nl != NULL ? (size_t)(nl + 1 - buf) : left;
			/* (What does not fit in first is dropped, the line cut.) */
			room = sizeof(first) - 1 - fl;
			memcpy(first + fl, buf, take < room ? take : room);
			fl += take < room ? take : room;
			p += take;
			left -= take;
			if (nl == NULL && n > 0)
				continue;       /* the rest of the first line */
			first[fl] = '\0';
			ok = strncmp(first, "ok", 2) == 0;
			if (!ok)
				fprintf(stderr, "switchbackctl: %s%s", first, nl != NULL ? "" : "\n");
			to = ok || json ? stdout : stderr;
		}
		fwrite(p, 1, left, to);
		body |= left > 0;
		if (n <= 0)
			break;
	}
	close(fd);
	if (to == NULL)
		return fail(json, 1, "no answer from %s", path);
	/* A refusal sent before the server read the line (permission
	 * denied) has no JSON body: the same {"error": ...} made here. */
	if (!ok && json && !body) {
		char *nl = strchr(first, '\n'), j[1100];

		if (nl != NULL)
			*nl = '\0';
		sb_ctlcmd_error_json(strncmp(first, "error: ", 7) == 0 ? first + 7 : first, j,
				     sizeof(j));
		fputs(j, stdout);
	}
	return ok ? 0 : 1;
}
