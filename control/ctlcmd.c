/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ctlcmd.h"
#include "json.h"

#define MAX_ARGS 8

static const char usage[] =
	"route print, route set NAME distance N, route enable|disable NAME, wan print, "
	"wan down|up|auto NAME, stats, neighbor print, block print|add|del PREFIX, status, events, "
	"conntrack print|count|flush [wan=NAME] [src=PREFIX] [limit N], reload, forward print; "
	"add --json";

static int
set_name(struct sb_ctlcmd *cmd, const char *name, char *err, size_t errlen)
{
	if (strlen(name) >= sizeof(cmd->name)) {
		snprintf(err, errlen, "name longer than %zu characters", sizeof(cmd->name) - 1);
		return -EINVAL;
	}
	strcpy(cmd->name, name);
	return 0;
}

/* conntrack's arguments: wan=NAME, src=A.B.C.D[/LEN], limit N. */
static int
ct_args(struct sb_ctlcmd *cmd, int argc, char **argv, int from, char *err, size_t errlen)
{
	cmd->limit = 100;
	for (int i = from; i < argc; i++) {
		if (strncmp(argv[i], "wan=", 4) == 0) {
			if (set_name(cmd, argv[i] + 4, err, errlen) != 0)
				return -EINVAL;
		} else if (strncmp(argv[i], "src=", 4) == 0 && cmd->op != SB_CTLCMD_CT_FLUSH) {
			char a[40], *slash, *end = NULL;
			unsigned long len = 32;
			struct in_addr in;

			snprintf(a, sizeof(a), "%s", argv[i] + 4);
			slash = strchr(a, '/');
			if (slash != NULL) {
				*slash = '\0';
				errno = 0;
				len = strtoul(slash + 1, &end, 10);
			}
			if (inet_pton(AF_INET, a, &in) != 1 || len > 32 ||
			    (slash != NULL && (errno != 0 || end == slash + 1 || *end != '\0'))) {
				snprintf(err, errlen, "src= expects A.B.C.D or A.B.C.D/LEN, got \"%.32s\"",
					 argv[i] + 4);
				return -EINVAL;
			}
			cmd->src_mask = len == 0 ? 0 : ~0u << (32 - len);
			cmd->src = ntohl(in.s_addr) & cmd->src_mask;
		} else if (strcmp(argv[i], "limit") == 0 && i + 1 < argc &&
			   cmd->op == SB_CTLCMD_CT_PRINT) {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(argv[++i], &end, 10);
			if (errno != 0 || end == argv[i] || *end != '\0' || n == 0 || n > 100000) {
				snprintf(err, errlen, "limit expects 1 to 100000, got \"%.32s\"", argv[i]);
				return -EINVAL;
			}
			cmd->limit = (uint32_t)n;
		} else {
			snprintf(err, errlen, "conntrack: unknown argument \"%.32s\" (%s)", argv[i],
				 cmd->op == SB_CTLCMD_CT_PRINT ? "wan=NAME, src=PREFIX, limit N" :
				 cmd->op == SB_CTLCMD_CT_COUNT ? "wan=NAME, src=PREFIX" : "wan=NAME");
			return -EINVAL;
		}
	}
	return 0;
}

int
sb_ctlcmd_parse(const char *buf, size_t len, struct sb_ctlcmd *cmd, char *err, size_t errlen)
{
	char line[SB_CTLCMD_LINE_MAX], *save = NULL, *argv[MAX_ARGS];
	size_t n = 0;
	int argc = 0;

	memset(cmd, 0, sizeof(*cmd));
	while (n < len && n < sizeof(line) - 1 && buf[n] != '\n' && buf[n] != '\0') {
		line[n] = buf[n];
		n++;
	}
	line[n] = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t != NULL; t = strtok_r(NULL, " \t\r", &save)) {
		if (strcmp(t, "--json") == 0) {
			cmd->json = true;
			continue;
		}
		if (argc == MAX_ARGS)
			break;          /* as before: later words are not read */
		argv[argc++] = t;
	}
#define IS(i, s) (argc > (i) && strcmp(argv[i], s) == 0)
	/* As lenient as the commands always were: trailing words after
	 * "print", "stats" and "neighbor" are ignored. */
	if (IS(0, "route") && (argc == 1 || IS(1, "print"))) {
		cmd->op = SB_CTLCMD_ROUTE_PRINT;
	} else if (IS(0, "wan") && (argc == 1 || IS(1, "print"))) {
		cmd->op = SB_CTLCMD_WAN_PRINT;
	} else if (IS(0, "wan") && argc == 3 && (IS(1, "down") || IS(1, "up") || IS(1, "auto"))) {
		cmd->op = SB_CTLCMD_WAN_FORCE;
		cmd->force = IS(1, "down") ? -1 : IS(1, "up") ? 1 : 0;
		return set_name(cmd, argv[2], err, errlen);
	} else if (IS(0, "route") && argc == 5 && IS(1, "set") && IS(3, "distance")) {
		char *end;
		long d;

		errno = 0;
		d = strtol(argv[4], &end, 10);
		if (errno != 0 || end == argv[4] || *end != '\0' || d < 1 || d > 255) {
			snprintf(err, errlen, "distance must be 1 to 255, got \"%.32s\"", argv[4]);
			return -EINVAL;
		}
		cmd->op = SB_CTLCMD_ROUTE_DISTANCE;
		cmd->distance = (uint8_t)d;
		return set_name(cmd, argv[2], err, errlen);
	} else if (IS(0, "route") && argc == 3 && (IS(1, "disable") || IS(1, "enable"))) {
		cmd->op = SB_CTLCMD_ROUTE_ENABLE;
		cmd->disable = IS(1, "disable");
		return set_name(cmd, argv[2], err, errlen);
	} else if (IS(0, "stats")) {
		cmd->op = SB_CTLCMD_STATS;
	} else if (IS(0, "neighbor") || IS(0, "neighbour") || IS(0, "arp")) {
		cmd->op = SB_CTLCMD_NEIGH;
	} else if (IS(0, "block") && (argc == 1 || IS(1, "print"))) {
		cmd->op = SB_CTLCMD_BLOCK_PRINT;
	} else if (IS(0, "block") && argc == 3 && (IS(1, "add") || IS(1, "del"))) {
		cmd->op = IS(1, "add") ? SB_CTLCMD_BLOCK_ADD : SB_CTLCMD_BLOCK_DEL;
		return set_name(cmd, argv[2], err, errlen);
	} else if (IS(0, "forward") && (argc == 1 || (argc == 2 && IS(1, "print")))) {
		cmd->op = SB_CTLCMD_FWD_PRINT;
	} else if (IS(0, "status") && argc == 1) {
		cmd->op = SB_CTLCMD_STATUS;
	} else if (IS(0, "events") && argc == 1) {
		cmd->op = SB_CTLCMD_EVENTS;
	} else if (IS(0, "reload") && argc == 1) {
		cmd->op = SB_CTLCMD_RELOAD;
	} else if (IS(0, "conntrack") && (argc == 1 || IS(1, "print") || IS(1, "count") ||
					  IS(1, "flush"))) {
		cmd->op = IS(1, "count") ? SB_CTLCMD_CT_COUNT : IS(1, "flush") ? SB_CTLCMD_CT_FLUSH :
			  SB_CTLCMD_CT_PRINT;
		return ct_args(cmd, argc, argv, 2, err, errlen);
	} else {
		snprintf(err, errlen, "unknown command \"%.64s\" (%s)", argc ? argv[0] : "", usage);
		return -EINVAL;
	}
#undef IS
	return 0;
}

size_t
sb_ctlcmd_error_json(const char *msg, char *out, size_t cap)
{
	static const char head[] = "{\"error\": \"", tail[] = "\"}\n";
	size_t o;

	if (cap < sizeof(head) + sizeof(tail) - 1) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	memcpy(out, head, sizeof(head) - 1);
	o = sizeof(head) - 1;
	/* The message, cut where the tail and its NUL still fit. */
	o += sb_json_escape(msg, out + o, cap - o - (sizeof(tail) - 1));
	memcpy(out + o, tail, sizeof(tail));
	return o + sizeof(tail) - 1;
}

size_t
sb_ctlcmd_json_error_body(char *buf, size_t len, size_t cap)
{
	char msg[1024];
	const char *nl;
	size_t n;

	if (len < 7 || strncmp(buf, "error: ", 7) != 0)
		return len;
	nl = memchr(buf, '\n', len);
	if (nl != NULL && (size_t)(nl + 1 - buf) != len)
		return len;     /* it has a body of its own */
	n = (size_t)((nl != NULL ? nl : buf + len) - (buf + 7));
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memcpy(msg, buf + 7, n);
	msg[n] = '\0';
	if (nl == NULL && len < cap - 1)
		buf[len++] = '\n';
	return len + sb_ctlcmd_error_json(msg, buf + len, cap - len);
}
