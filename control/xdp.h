/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: AF_XDP ports with switchback's own XDP program
 * (dataplane/bpf/sb_xdp.c). Expands device = af_xdp:IFNAME into net_af_xdp
 * devargs after checking that the interface can take it; once the PMD has
 * attached the program, finds its maps with libbpf, fills the management
 * map and the blocklist, and reads the per-verdict counters. Main lcore
 * only (docs/afxdp.md). */
#ifndef SB_XDP_H
#define SB_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_config.h"
#include "sb_xdp_abi.h"

struct sb_xdp;
struct rte_mempool;

/**
 * The DPDK devargs for port @idx of @cfg: af_xdp:IF becomes net_af_xdp with
 * switchback's program, @queues queues from 0, one per worker (after
 * checking the interface: there, MTU within an mbuf, no XDP program
 * already attached, exactly @queues rx queues); af_packet:IF becomes
 * net_af_packet with @queues queue pairs; any other device is copied.
 * Returns 0, or a negative errno with the cause named in @err.
 */
int sb_xdp_devargs(const struct sb_config *cfg, unsigned idx, unsigned queues, char *out,
		   size_t outlen, char *err, size_t errlen);

/**
 * Check that @mp can back AF_XDP sockets: the PMD registers the pool's
 * first memory chunk as the UMEM, so the pool must be one chunk. Returns 0
 * or -EINVAL with the reason in @err.
 */
int sb_xdp_pool_check(const struct rte_mempool *mp, char *err, size_t errlen);

/**
 * After the ports started: find switchback's program on every AF_XDP port
 * of @cfg, fill its management map and the [xdp] blocklist. Returns a
 * handle (also when no port is AF_XDP), or NULL with @err set.
 */
struct sb_xdp *sb_xdp_open(const struct sb_config *cfg, char *err, size_t errlen);

/** Close the map handles (the PMD detaches the program). NULL is fine. */
void sb_xdp_close(struct sb_xdp *x);

/** True when port @p is an AF_XDP port with switchback's program. */
bool sb_xdp_port(const struct sb_xdp *x, unsigned p);

/** "native" or "generic" (skb) mode of port @p's program. */
const char *sb_xdp_mode(const struct sb_xdp *x, unsigned p);

/**
 * Echo probe @idx (id 0xff00 + @idx) leaves AF_XDP port @p for @target
 * (host order) with sequence @seq and @cookie first in its data: from now
 * on the port's program drops echo replies with that id that do not carry
 * them (sb_xdp_probe in sb_xdp_abi.h), so a flood of forged replies cannot
 * fill the socket's ring before the worker sees the real one. 0 (also
 * when @p is not an AF_XDP port) or a negative errno. Control thread,
 * before the probe is sent.
 */
int sb_xdp_probe(struct sb_xdp *x, unsigned p, unsigned idx, uint32_t target, uint16_t seq,
		 uint64_t cookie);

/**
 * The probe replies the ports' programs passed to the kernel (each AF_XDP
 * WAN port has a packet socket taking only those: SB_XDP_PROBE_MAC, see
 * sb_xdp_abi.h), echo replies and ARP monitors' answers: at most 64 a
 * port, each frame (at most its first 256 bytes) given to @fn with its
 * port index. Returns how many. Control thread, every loop.
 */
unsigned sb_xdp_probe_replies(struct sb_xdp *x,
			      void (*fn)(void *arg, unsigned port, const uint8_t *frame,
					 unsigned len),
			      void *arg);

/**
 * ARP replies from @target (host order) on AF_XDP port @p go to control's
 * packet socket from now on, like echo probes' replies (an ARP monitor's
 * target). 0 (also when @p has no such socket) or a negative errno.
 */
int sb_xdp_arp_probe(struct sb_xdp *x, unsigned p, uint32_t target);

/**
 * Add (@add) or remove a source prefix on every AF_XDP port's blocklist.
 * Returns 0, -ENOENT (removing what is not there), -ENODEV (no AF_XDP
 * port) or another negative errno.
 */
int sb_xdp_block(struct sb_xdp *x, bool add, uint32_t addr, uint8_t len);

/**
 * Print the blocklist, one "PREFIX hits N" line each (hits summed over the
 * ports), or with @json {"blocks": [{"prefix": "A.B.C.D/LEN", "hits": N},
 * ...]}, into @buf. Returns the length written.
 */
size_t sb_xdp_block_print(const struct sb_xdp *x, bool json, char *buf, size_t len);

/**
 * The counters of port @p summed over the CPUs, by reason (enum
 * sb_xdp_reason). Returns 0, or -ENODEV when @p is not an AF_XDP port.
 * For stats, telemetry and metrics: any thread between sb_xdp_open() and
 * sb_xdp_close() (bpf syscalls on map fds that stay open meanwhile).
 */
int sb_xdp_counts(const struct sb_xdp *x, unsigned p, struct sb_xdp_count out[SB_XDP_REASON_MAX]);

/** Name of reason @r ("redirect", "blocklist", ...). */
const char *sb_xdp_reason_name(unsigned r);

/** Verdict of reason @r: "redirect", "pass" or "drop". */
const char *sb_xdp_reason_verdict(unsigned r);

#endif
