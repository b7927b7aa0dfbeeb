/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: the RouterOS script reader. It scans a RouterOS v7
 * export or script (menus in both `/ip route add` and `/ip/route/add`
 * spellings, `\` continuations, `#` comments, quoted strings with escapes
 * and $variables, `{ }` blocks, :local/:global/:set, :if on values it knows,
 * `( )` expressions, `[find ...]` selections) and hands every menu command
 * to a callback with its arguments evaluated. What it cannot evaluate it
 * reports with its line number; it never stops on bad input (no crash, no
 * exit): the caller decides what a report means.
 *
 * Host tool code: no EAL, no dataplane. Not thread-safe per run (one run
 * owns its state); separate runs are independent. */
#ifndef RSC_SCRIPT_H
#define RSC_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

/* What a report is about. */
enum rsc_diag {
	RSC_ERROR,  /* malformed input: the command is not understood at all */
	RSC_SKIP,   /* understood, but not translated (a switchback gap) */
	RSC_NOTE,   /* translated, or without effect on the configuration */
};

/* One condition of a [find ...] selection: KEY OP VALUE. */
struct rsc_cond {
	const char *key;
	char op;            /* '=' equal, '!' not equal, '~' contains (regex-free) */
	const char *value;
};

#define RSC_MAX_COND 8

struct rsc_filter {
	unsigned n;         /* 0: every item ([find]) */
	struct rsc_cond c[RSC_MAX_COND];
};

/* One argument of a command. name is NULL for a positional one. */
struct rsc_arg {
	const char *name;
	const char *value;  /* evaluated; a block's source text when block */
	bool block;         /* value was a { } script block */
	int line;           /* where the value starts */
	const struct rsc_filter *filter; /* a positional [find ...], else NULL */
};

#define RSC_MAX_ARGS 64

struct rsc_cmd {
	int line;
	const char *menu;   /* "/ip/route", "/ip/firewall/nat", "" at top */
	const char *verb;   /* "add", "set", ... */
	unsigned n_args;
	struct rsc_arg args[RSC_MAX_ARGS];
};

struct rsc_ops {
	/* A menu command with its arguments evaluated. Strings live until the
	 * run ends: copy what is kept. */
	void (*cmd)(void *ctx, const struct rsc_cmd *cmd);
	/* A report: RSC_ERROR, RSC_SKIP or RSC_NOTE at @line. */
	void (*diag)(void *ctx, int line, enum rsc_diag kind, const char *msg);
	void *ctx;
};

/**
 * Run the script @text (@len bytes, NUL not needed) whose first line is
 * line @first_line, in menu @menu ("" for the top). Every menu command goes
 * to @ops->cmd in order; every problem to @ops->diag. Returns the number
 * of RSC_ERROR reports (0 when the script was well formed). Any thread.
 */
int rsc_script_run(const char *text, size_t len, int first_line, const char *menu,
		   const struct rsc_ops *ops);

/** Whether @menu (as "/ip/route") is a RouterOS menu the reader knows. */
bool rsc_menu_known(const char *menu);

/** @menu ("/ip/firewall/nat") as RouterOS prints it ("/ip firewall nat")
 * into @buf; returns @buf. */
const char *rsc_menu_display(const char *menu, char *buf, size_t n);

/** Value of argument @name in @cmd, or NULL. */
const char *rsc_cmd_get(const struct rsc_cmd *cmd, const char *name);

#endif
