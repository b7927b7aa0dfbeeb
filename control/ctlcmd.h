/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control socket's command language, parsed by a pure
 * function (no sockets, no control state) so that it can be tested and
 * fuzzed on its own. ctlsock.c runs what it returns. */
#ifndef SB_CTLCMD_H
#define SB_CTLCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_CTLCMD_LINE_MAX 512  /* one command line, newline included */
#define SB_CTLCMD_NAME_MAX 64   /* a port or route name as typed */

enum sb_ctlcmd_op {
	SB_CTLCMD_ROUTE_PRINT = 0,  /* route [print] */
	SB_CTLCMD_ROUTE_DISTANCE,   /* route set NAME distance N */
	SB_CTLCMD_ROUTE_ENABLE,     /* route enable|disable NAME */
	SB_CTLCMD_WAN_PRINT,        /* wan [print] */
	SB_CTLCMD_WAN_FORCE,        /* wan down|up|auto NAME */
	SB_CTLCMD_STATS,            /* stats */
	SB_CTLCMD_NEIGH,            /* neighbor|neighbour|arp [print] */
	SB_CTLCMD_BLOCK_PRINT,      /* block [print] */
	SB_CTLCMD_BLOCK_ADD,        /* block add PREFIX (in name) */
	SB_CTLCMD_BLOCK_DEL,        /* block del PREFIX (in name) */
	SB_CTLCMD_STATUS,           /* status */
	SB_CTLCMD_EVENTS,           /* events */
	SB_CTLCMD_CT_PRINT,         /* conntrack [print] [wan=NAME] [src=PREFIX] [limit N] */
	SB_CTLCMD_CT_COUNT,         /* conntrack count [wan=NAME] [src=PREFIX] */
	SB_CTLCMD_CT_FLUSH,         /* conntrack flush [wan=NAME] */
	SB_CTLCMD_RELOAD,           /* reload */
	SB_CTLCMD_FWD_PRINT,        /* forward [print] */
};

struct sb_ctlcmd {
	enum sb_ctlcmd_op op;
	bool json;                  /* --json anywhere on the line */
	char name[SB_CTLCMD_NAME_MAX]; /* route or WAN name, block prefix, "" when none */
	int8_t force;               /* WAN_FORCE: -1 down, 1 up, 0 auto */
	bool disable;               /* ROUTE_ENABLE: disable instead */
	uint8_t distance;           /* ROUTE_DISTANCE: 1 .. 255 */
	/* CT_*: name = the WAN of wan=NAME ("" = any); src=PREFIX in host
	 * order (src_mask 0 = any); limit for CT_PRINT (default 100). */
	uint32_t src, src_mask;
	uint32_t limit;
};

/**
 * Parse the first line of the @len bytes at @buf (it need not be
 * NUL-terminated; it ends at the first newline or NUL, and at most
 * SB_CTLCMD_LINE_MAX - 1 bytes are read) into @cmd. Returns 0, or -EINVAL
 * with the reason in @err ("unknown command ...", "distance must be ...").
 * @cmd->json is set even when the line is refused, so that the refusal
 * can be answered in JSON. Names are not looked up here. Any thread; pure.
 */
int sb_ctlcmd_parse(const char *buf, size_t len, struct sb_ctlcmd *cmd, char *err,
		    size_t errlen);

/**
 * Write {"error": "@msg"} and a newline to @out (at most @cap bytes,
 * NUL-terminated; @msg escaped for JSON, cut short to fit, never in the
 * middle of an escape). Returns the length written. Any thread; pure.
 */
size_t sb_ctlcmd_error_json(const char *msg, char *out, size_t cap);

/**
 * An answer of the control socket ("ok\n" or "error: MSG\n", then its
 * body) in @buf, @len bytes of @cap, NUL-terminated: when it is an error
 * with no body, append the body {"error": "MSG"} (what --json answers to
 * any refusal; an error that has a body of its own, reload's, keeps it).
 * Returns the new length. Any thread; pure.
 */
size_t sb_ctlcmd_json_error_body(char *buf, size_t len, size_t cap);

#endif
