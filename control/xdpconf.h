/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the configuration of AF_XDP ports, parsed (pure, no EAL, no
 * libbpf): the device forms af_xdp:IFNAME and af_packet:IFNAME, [port]
 * management lists and [xdp] block lists (docs/config.md, docs/afxdp.md). */
#ifndef SB_XDPCONF_H
#define SB_XDPCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_config.h"

#define SB_XDPCONF_AF_XDP    "af_xdp:"
#define SB_XDPCONF_AF_PACKET "af_packet:"

enum sb_devkind { SB_DEV_DPDK = 0, SB_DEV_AF_XDP, SB_DEV_AF_PACKET };

/**
 * Which form @device has; for af_xdp:IF and af_packet:IF the interface
 * name goes to @ifname (IFNAMSIZ bytes). Returns -EINVAL (with a reason in
 * @why) for a bad interface name. Any thread.
 */
int sb_xdpconf_device(const char *device, enum sb_devkind *kind, char *ifname, char *why,
		      size_t whylen);

/**
 * Parse a management list "ADDR [PROTO [PORT]], ..." (PROTO tcp, udp,
 * icmp or any; PORT only with tcp or udp) into @out (at most @max).
 * Returns the number of entries, or -EINVAL with the bad item named in @why.
 */
int sb_xdpconf_mgmt(const char *v, struct sb_mgmt_conf *out, unsigned max, char *why,
		    size_t whylen);

/**
 * Parse a list of source prefixes "A.B.C.D[/LEN], ..." (separated by
 * commas or blanks) into @out (at most @max). Returns the count, or
 * -EINVAL with the bad item in @why.
 */
int sb_xdpconf_prefixes(const char *v, struct sb_prefix *out, unsigned max, char *why,
			size_t whylen);

#endif
