/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: what config.c shares with the section parsers kept in files
 * of their own (config_fwd.c): its parsing context, the key readers and
 * the error collection. Private to control/config*.c. */
#ifndef SB_CONFIG_PRIV_H
#define SB_CONFIG_PRIV_H

#include <stdbool.h>
#include "sb_config.h"

struct ctx;

/** The value of [@sec] @key, or NULL when not given. */
const char *sb_cfg_get(struct ctx *c, const char *sec, const char *key);

/** Record an error in [@sec] @key (NULL: the section), at its line. */
void sb_cfg_fail(struct ctx *c, const char *sec, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Copy [@sec] @key into @out (kept when not given); false, with the
 * error recorded, when it is too long. */
bool sb_cfg_get_name(struct ctx *c, const char *sec, const char *key, char *out, size_t len);

/* What a port in error leaves unknown, for sections naming it, which
 * are then not refused for it again (docs/config.md: a bad role or
 * address is one error). */
/** Whether port @port's role or masquerade is in error: whether it is a
 * masquerading WAN is unknown. */
bool sb_cfg_port_role_unknown(const struct ctx *c, int port);
/** Whether port @port's address is in error: its subnet is unknown. */
bool sb_cfg_port_subnet_unknown(const struct ctx *c, int port);
/** Whether a port in error may be the LAN port whose subnet holds @ip. */
bool sb_cfg_maybe_lan(const struct ctx *c, uint32_t ip);

/* config_fwd.c: [forward NAME] and [nat1to1 NAME], after the ports; the
 * checks across them once every section is read. */
extern const char *const sb_cfg_keys_forward[];
extern const char *const sb_cfg_keys_nat1to1[];
void sb_cfg_parse_forward(struct ctx *c, struct sb_config *cfg, const char *sec,
			  const char *name);
void sb_cfg_parse_nat1to1(struct ctx *c, struct sb_config *cfg, const char *sec,
			  const char *name);
void sb_cfg_check_forwards(struct ctx *c, struct sb_config *cfg);

#endif
