/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: constants and small helpers shared by dataplane and control. */
#ifndef SB_COMMON_H
#define SB_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SB_MAX_PORTS      8    /* ports in one gateway */
#define SB_MAX_ROUTES     4096 /* [route] sections per INI file; sb_rib_add() takes any number */
#define SB_MAX_TABLES     8    /* routing tables: main + named */
#define SB_MAX_ECMP       8    /* paths in one nexthop group */
#define SB_MAX_NEIGH      4096 /* neighbour (ARP) entries */
#define SB_NAME_LEN       32
#define SB_DEV_LEN        256
/* Packets a worker reads from a port at a time (and the fast path takes in
 * one pass): 64, where DPDK's examples use 32, halves what each burst costs
 * a packet (the pass's setup and flush, the loop's polls; ~12 instructions
 * a packet at 1024 flows: docs/benchmarks.md). At most 64 (fastpath.c's
 * masks). */
#define SB_BURST          64
#define SB_MAX_WORKERS    8    /* worker lcores (workers = N) */
/* Slots of each single-producer, single-consumer ring between two
 * workers (a packet handed to its owner: dataplane/handoff.h). */
#define SB_HANDOFF_RING   512

/* ICMP echo identifiers 0xff00-0xffff are reserved for the gateway's own
 * probes, so probe replies can never be mistaken for a NATed session. */
#define SB_PROBE_ID_BASE  0xff00u
#define SB_PROBE_ID_MASK  0xff00u

/* Port numbers used for masquerade (inclusive). Below 1024 only when the
 * source port itself is preserved. */
#define SB_NAT_PORT_MIN   1024u
#define SB_NAT_PORT_MAX   65535u

#define SB_NEIGH_NONE     UINT32_MAX

/* splitmix64's finaliser: a bijection that mixes every input bit into
 * every output bit. For hash tables and fingerprints, not for secrets. */
static inline uint64_t
sb_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

enum sb_port_role { SB_ROLE_LAN = 0, SB_ROLE_WAN = 1 };

/* Why a punted packet was handed to the control thread; carried in
 * mbuf->hash.usr. */
enum sb_punt_reason {
	SB_PUNT_ARP = 1,        /* any ARP: learn, answer, resolve */
	SB_PUNT_PROBE_REPLY,    /* ICMP echo reply to one of our probes */
	SB_PUNT_TTL_EXCEEDED,   /* forwarded packet whose TTL ran out */
	SB_PUNT_DHCP,           /* UDP 67 -> 68 on a port with address = dhcp */
	SB_PUNT_MAX
};

/* Rings between the worker and control, in slots: one punt ring per
 * reason (a flood of one kind cannot crowd out another; each reason is
 * policed in the worker before it is queued), sized for what control
 * must see of it. Every slot of the punt and inject rings may hold an
 * mbuf: [switchback] mbufs is checked against them. */
#define SB_PUNT_RING_ARP    1024
#define SB_PUNT_RING_PROBE  256   /* validated probe replies: one per probe in flight */
#define SB_PUNT_RING_TTL    256
#define SB_PUNT_RING_DHCP   64
#define SB_PUNT_RING        (SB_PUNT_RING_ARP + SB_PUNT_RING_PROBE + SB_PUNT_RING_TTL + \
			     SB_PUNT_RING_DHCP)
#define SB_INJECT_RING      4096
/* mbufs a worker may keep besides its rings: held fragments and packets
 * parked for ARP (frag.h SB_FRAG_HOLD_MAX, worker SB_PARK_MAX). */
#define SB_WORKER_HELD_MBUFS (64 + 64)

/* Write to every page of [@p, @p + @len) once, keeping its bytes, so that
 * a table a worker reads and writes from its first packet on is resident
 * before the worker starts. The EAL's heap maps pages when they are first
 * touched when it runs without hugepages (--no-huge: the lab, the tests, a
 * machine without them), and a first touch costs a page fault: 15 us a
 * page on the 2-vCPU VMs of docs/benchmarks.md, so the first sessions of a
 * SYN flood (several fresh pages each: flow-table buckets, mapping
 * indices) held an established flow's packets behind them for 10-60 ms
 * (docs/security.md, "The ninth session"). With hugepages the EAL has
 * touched every page already, and this costs a pass over memory in the
 * cache's way. One atomic OR of 0 a page: a write (one fault, not the
 * read fault and the copy-on-write fault a read then a write would
 * take), and it changes nothing. Main lcore, before the workers run. */
static inline void
sb_prefault(void *p, size_t len)
{
	uint8_t *b = p;

	if (b == NULL || len == 0)
		return;
	for (size_t o = 0; o < len; o += 4096)
		__atomic_fetch_or(b + o, 0, __ATOMIC_RELAXED);
	__atomic_fetch_or(b + len - 1, 0, __ATOMIC_RELAXED);
}

#endif
