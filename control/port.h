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
 * Probe (if the EAL has not) the device of port @idx of @cfg, af_xdp:IF and
 * af_packet:IF expanded first (control/xdp.c) with @queues queue pairs.
 * Returns 0 with *@port_id set and *@mbufs_held the mbufs the PMD keeps
 * for itself once started (the AF_XDP fill and tx rings of every queue,
 * 0 for other PMDs), or a negative errno with a message naming the port
 * and the cause in @err.
 */
int sb_port_probe(const struct sb_config *cfg, unsigned idx, unsigned queues,
		  uint16_t *port_id, uint32_t *mbufs_held, char *err, size_t errlen);

/**
 * Configure the probed @port_id with @queues rx and tx queues (one of
 * each per worker; RSS spreads what comes in when there are several)
 * from @mp and start it. Returns 0 with *@mac set, or a negative errno
 * with a message naming the port in @err.
 */
int sb_port_open(const struct sb_port_conf *pc, struct rte_mempool *mp,
		 uint16_t port_id, unsigned queues, struct rte_ether_addr *mac, char *err,
		 size_t errlen);

/**
 * Steer what comes back to WAN address @addr (host order) of started
 * @port_id to the worker that owns it (docs/threading.md): one rte_flow
 * rule per worker and protocol, destination port masked with @queues - 1
 * to queue k. Only when @queues is a power of two above 1 and the device
 * validates every rule (rte_flow_validate); otherwise nothing is
 * installed and replies are handed over in software. Logs the mode.
 * Returns the number of rules installed. Main lcore.
 */
unsigned sb_port_steer(const struct sb_port_conf *pc, uint16_t port_id, uint32_t addr,
		       unsigned queues);

/** Stop and close @port_id. */
void sb_port_close(uint16_t port_id);

/** True when the port has link. For vdevs on a Linux interface
 * (af_xdp:NAME, af_packet:NAME, or iface=NAME: net_af_packet, net_af_xdp,
 * net_pcap) the kernel's carrier
 * is asked, since those PMDs always report up; otherwise the PMD. */
bool sb_port_link_up(uint16_t port_id, const char *device);

#endif
