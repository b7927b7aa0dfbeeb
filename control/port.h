/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: opening the DPDK ports the configuration names. Main lcore. */
#ifndef SB_PORT_H
#define SB_PORT_H

#include <stdint.h>
#include <stddef.h>
#include <rte_ether.h>
#include "sb_config.h"

struct rte_mempool;

/**
 * Probe (if needed), configure with one rx and one tx queue, and start the
 * device of @pc. Returns 0 with *@port_id and *@mac set, or a negative
 * errno with a message naming the port in @err.
 */
int sb_port_open(const struct sb_port_conf *pc, struct rte_mempool *mp,
		 uint16_t *port_id, struct rte_ether_addr *mac, char *err, size_t errlen);

/** Stop and close @port_id. */
void sb_port_close(uint16_t port_id);

/** True when the port has link. For vdevs on a Linux interface
 * (iface=NAME: net_af_packet, net_af_xdp, net_pcap) the kernel's carrier
 * is asked, since those PMDs always report up; otherwise the PMD. */
bool sb_port_link_up(uint16_t port_id, const char *device);

#endif
