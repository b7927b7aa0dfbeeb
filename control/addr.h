/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: addresses as text, for logs and answers. */
#ifndef SB_ADDR_H
#define SB_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Room for "255.255.255.255" and its terminator. */
#define SB_ADDR_STRLEN 16

/** Write @ip (host order) as a dotted quad into @buf. Any thread. */
static inline void
sb_addr_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

#endif
