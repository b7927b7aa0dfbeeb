/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: what the XDP program (dataplane/bpf/sb_xdp.c) and the control
 * side (control/xdp.c) share: map names, key and value layouts, and the
 * verdict reasons. Compiled both by clang -target bpf and by the host
 * compiler, so it includes nothing but <linux/types.h>. docs/afxdp.md
 * explains the maps. */
#ifndef SB_XDP_ABI_H
#define SB_XDP_ABI_H

#include <linux/types.h>

/* Map names, as libbpf and bpftool show them (15 characters at most). */
#define SB_XDP_MAP_XSKS     "xsks_map"     /* XSKMAP: rx queue -> socket (the PMD fills it) */
#define SB_XDP_MAP_MGMT     "sb_mgmt"      /* hash: management traffic -> XDP_PASS */
#define SB_XDP_MAP_BLOCK    "sb_block"     /* LPM trie: source prefixes -> XDP_DROP */
#define SB_XDP_MAP_STATS    "sb_xdp_stats" /* per-CPU array: counters by reason */
#define SB_XDP_MAP_PROBES   "sb_probes"    /* array: probe index -> its reply's fields */
#define SB_XDP_MAP_CONF     "sb_xdp_conf"  /* array, 1 entry: settings control writes */

#define SB_XDP_MAX_QUEUES   64
#define SB_XDP_MAX_MGMT     1024
#define SB_XDP_MAX_BLOCK    65536

/* sb_mgmt key. addr in network order; port in network order, 0 = any
 * port of proto; proto 0 = any protocol to addr; proto SB_XDP_PROTO_ARP =
 * ARP whose target protocol address is addr. */
struct sb_xdp_mgmt_key {
	__u32 addr;
	__u8 proto;
	__u8 pad;
	__u16 port;
};

#define SB_XDP_PROTO_ARP 255
/* proto SB_XDP_PROTO_ARP_PROBE: an ARP reply *from* addr (an ARP
 * monitor's target) goes to the kernel, marked for control's packet
 * socket like an echo probe's reply (SB_XDP_PROBE_MAC below). */
#define SB_XDP_PROTO_ARP_PROBE 254

/* sb_mgmt value: bits. */
#define SB_XDP_MGMT_MATCH 1u   /* this key passes what it names */
#define SB_XDP_MGMT_FRAGS 2u   /* (addr, proto, 0) only: non-first fragments
				* of proto to addr pass (a port rule exists,
				* and only first fragments carry ports) */

/* sb_probes value, at index id - 0xff00 of an echo probe the daemon sent
 * from this port: what its reply must carry (network order; cookie: the
 * echo data's first 8 bytes as sent). An echo reply with an id in
 * 0xff00-0xffff that does not match its entry is dropped here, before it
 * can crowd the socket's ring (the worker checks the rest: deadline,
 * once). */
#define SB_XDP_PROBES 256

/* sb_probes value's live: 0 = no probe in flight; 1 = its reply goes to
 * the socket like everything else; 2 = to the kernel instead (XDP_PASS,
 * Ethernet destination rewritten to SB_XDP_PROBE_MAC so the kernel's IP
 * layer drops it as another host's), where control reads it from a
 * packet socket on the interface: a flood that fills the socket's ring
 * cannot take the monitors' replies with it (docs/security.md). */
#define SB_XDP_PROBE_TO_SOCKET 1
#define SB_XDP_PROBE_TO_KERNEL 2
#define SB_XDP_PROBE_MAC { 0x02, 0x73, 0x62, 0x70, 0x72, 0x62 }  /* 02:"sbprb" */
struct sb_xdp_probe {
	__u32 target;
	__u16 seq;
	__u8 live;
	__u8 pad;
	__u64 cookie;
};

/* sb_arp_src (per CPU): ARP senders (their address hashed into
 * SB_XDP_ARP_BUCKETS shares) each pass at most SB_XDP_ARP_PER_S frames a
 * second to switchback; the rest are dropped in XDP (arp_flood), so an
 * ARP flood cannot fill the socket's ring ahead of traffic. The worker
 * polices what passes more finely (docs/security.md). */
#define SB_XDP_ARP_BUCKETS 1024
#define SB_XDP_ARP_PER_S 100
struct sb_xdp_window {
	__u64 start_ns;            /* this second's start */
	__u32 n;                   /* frames in it */
	__u32 pad;
};

/* sb_syn_src (per CPU): TCP SYNs (SYN without ACK) by their source
 * address, hashed into SB_XDP_SYN_BUCKETS shares; each share passes
 * sb_xdp_conf.syn_per_s a second to switchback, at most
 * SB_XDP_SYN_BURST_NS worth of them at once (1/16 s: 250 at the default
 * 4000, 1 below 16 a second), the rest are dropped in XDP (syn_flood): a
 * host's SYN flood cannot fill the socket's ring ahead of its own and its
 * neighbours' traffic ([xdp] syn_per_source, docs/config.md). A generic
 * cell rate algorithm (GCRA, a token bucket kept as one time): each SYN
 * moves the share's next allowed time on by 1 s / syn_per_s, and one that
 * finds it more than the burst ahead of now is dropped. Not a window of a
 * second: that let a second's 4000 through in the flood's first 8 ms, and
 * the worker's 4000 new sessions held the host's established flow 20-60
 * ms behind them (docs/security.md, "The ninth session"). */
#define SB_XDP_SYN_BUCKETS 4096
#define SB_XDP_SYN_BURST_NS (1000000000ull / 16)
struct sb_xdp_gcra {
	__u64 tat_ns;              /* when the next SYN is due (ktime) */
};

/* sb_xdp_conf's one value (index 0): what control sets from the config
 * after the PMD loaded the program. syn_per_s 0 = SYNs not policed. */
struct sb_xdp_conf {
	__u32 syn_per_s;
	__u32 pad;
};

/* sb_block key (LPM trie): prefixlen then the address, network order. */
struct sb_xdp_block_key {
	__u32 prefixlen;
	__u32 addr;
};

/* sb_block value: packets dropped by this entry (all CPUs, atomic add). */
struct sb_xdp_block_val {
	__u64 hits;
};

/* Per-CPU counters, one {packets, bytes} pair per reason. The verdict
 * each reason gives is the second column. */
#define SB_XDP_REASONS(X)                                                \
	X(REDIRECT,  "redirect",  "redirect") /* to the socket of its queue */ \
	X(MGMT,      "pass",      "management")   /* sb_mgmt matched (IPv4) */ \
	X(MGMT_ARP,  "pass",      "management_arp") /* ARP for a mgmt address */ \
	X(BLOCKED,   "drop",      "blocklist")    /* source in sb_block */     \
	X(MALFORMED, "drop",      "malformed")    /* too short for its headers */ \
	X(NO_SOCKET, "drop",      "no_socket")    /* no socket on this queue */ \
	X(PROBE_FORGED, "drop",   "probe_forged") /* echo reply, probe id, no probe's */ \
	X(PROBE_KERNEL, "pass",   "probe_reply")  /* a probe's reply, to control's socket */ \
	X(ARP_FLOOD, "drop",      "arp_flood")    /* ARP over its sender's share */ \
	X(SYN_FLOOD, "drop",      "syn_flood")    /* TCP SYN over its source's share */

enum sb_xdp_reason {
#define SB_XDP_X_ENUM(e, v, s) SB_XDP_##e,
	SB_XDP_REASONS(SB_XDP_X_ENUM)
#undef SB_XDP_X_ENUM
	SB_XDP_REASON_MAX
};

struct sb_xdp_count {
	__u64 packets;
	__u64 bytes;
};

#endif
