/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: configuration reload on the running gateway (switchbackctl
 * reload, SIGHUP): the file read and validated whole, refused as a whole,
 * or applied as one publication without dropping sessions. */
#ifndef SB_RELOAD_RUN_H
#define SB_RELOAD_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct sb_ctl;

/**
 * Reload c->cfg->path. The answer for switchbackctl goes to @buf (at most
 * @cap bytes): "ok" and what changed, or "error: ..." and every error; the
 * log says the same. Returns its length. Control thread.
 */
int sb_reload_run(struct sb_ctl *c, bool json, char *buf, size_t cap);

#endif
