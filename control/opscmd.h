/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the operator's commands on the control socket: status (one
 * screen, like mwan3 status), events, conntrack print|count|flush, with
 * text or JSON answers. */
#ifndef SB_OPSCMD_H
#define SB_OPSCMD_H

#include <stdbool.h>
#include <stddef.h>

struct sb_ctl;
struct sb_ctlcmd;

/**
 * Run @cmd (parsed by sb_ctlcmd_parse) if it is one of these commands:
 * the whole answer ("ok\n" or "error: ...\n" first) goes to @buf (at most
 * @cap bytes, NUL-terminated). Returns its length, or -1 when @cmd is not
 * one of them. Control thread.
 */
int sb_opscmd_run(struct sb_ctl *c, const struct sb_ctlcmd *cmd, char *buf, size_t cap);

#endif
