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

/**
 * Add the live sessions (as `conntrack count` counts them) in slots
 * [@from, @from + @n) of the session table to @by_wan, by the WAN port
 * they leave by. Returns the slot after the last one looked at (the
 * table's capacity at its end). Control thread.
 */
uint32_t sb_opscmd_count_wans(const struct sb_ctl *c, uint32_t from, uint32_t n,
			      uint64_t *by_wan);

#endif
