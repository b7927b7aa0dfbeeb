/* SPDX-License-Identifier: BSD-3-Clause
 * switchback's XDP program, loaded by DPDK's net_af_xdp PMD (xdp_prog=) on
 * every AF_XDP port. Per frame, in this order:
 *   too short for its Ethernet/VLAN/ARP/IPv4 headers  -> XDP_DROP (malformed)
 *   IPv4 source in sb_block (LPM trie)                -> XDP_DROP (blocklist)
 *   echo reply with a probe id (0xff00-0xffff) that is
 *     not the reply its sb_probes entry expects        -> XDP_DROP (probe_forged)
 *     the reply, its entry's replies to the kernel     -> XDP_PASS (probe_reply),
 *       to control's packet socket (sb_xdp_abi.h); so is an ARP reply from
 *       an ARP monitor's target (sb_mgmt, SB_XDP_PROTO_ARP_PROBE)
 *   management traffic named in sb_mgmt               -> XDP_PASS (the kernel)
 *   ARP beyond SB_XDP_ARP_PER_S a second from its
 *     sender's share (sb_arp_src, per CPU)             -> XDP_DROP (arp_flood)
 *   a TCP SYN (no ACK) beyond sb_xdp_conf's syn_per_s a
 *     second from its source's share (sb_syn_src, per CPU) -> XDP_DROP (syn_flood)
 *   anything else                                     -> the AF_XDP socket of
 *     its rx queue (xsks_map), or XDP_DROP when that queue has no socket
 * Each outcome counts in sb_xdp_stats (per CPU, packets and bytes).
 * The PMD takes the object's first program and its map named xsks_map,
 * keyed by rx queue index; control/xdp.c fills sb_mgmt and sb_block and
 * reads the counters. Built with clang -target bpf (meson.build). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sb_xdp_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SB_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_XDP_MAX_MGMT);
	__type(key, struct sb_xdp_mgmt_key);
	__type(value, __u32);
} sb_mgmt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SB_XDP_MAX_BLOCK);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sb_xdp_block_key);
	__type(value, struct sb_xdp_block_val);
} sb_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SB_XDP_REASON_MAX);
	__type(key, __u32);
	__type(value, struct sb_xdp_count);
} sb_xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SB_XDP_ARP_BUCKETS);
	__type(key, __u32);
	__type(value, struct sb_xdp_window);
} sb_arp_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SB_XDP_SYN_BUCKETS);
	__type(key, __u32);
	__type(value, struct sb_xdp_gcra);
} sb_syn_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sb_xdp_conf);
} sb_xdp_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SB_XDP_PROBES);
	__type(key, __u32);
	__type(value, struct sb_xdp_probe);
} sb_probes SEC(".maps");

/* 802.1Q / 802.1ad tag, as on the wire. */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* The IPv4-over-Ethernet ARP body. */
struct arp_ipv4 {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 oper;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
} __attribute__((packed));

static __always_inline int
count(struct xdp_md *ctx, enum sb_xdp_reason r, int verdict)
{
	__u32 key = r;
	struct sb_xdp_count *c = bpf_map_lookup_elem(&sb_xdp_stats, &key);

	if (c != NULL) {
		/* Per-CPU slot: no other CPU writes it. */
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

static __always_inline int
mgmt_match(__u32 addr, __u8 proto, __u16 port, int later_fragment)
{
	struct sb_xdp_mgmt_key k = { .addr = addr, .proto = proto, .port = port };
	__u32 *v;

	if (port != 0) {
		v = bpf_map_lookup_elem(&sb_mgmt, &k);
		if (v != NULL && (*v & SB_XDP_MGMT_MATCH))
			return 1;
	}
	k.port = 0;
	v = bpf_map_lookup_elem(&sb_mgmt, &k);
	if (v != NULL && ((*v & SB_XDP_MGMT_MATCH) ||
			  (later_fragment && (*v & SB_XDP_MGMT_FRAGS))))
		return 1;
	k.proto = 0;
	v = bpf_map_lookup_elem(&sb_mgmt, &k);
	return v != NULL && (*v & SB_XDP_MGMT_MATCH);
}

/* 0 for an echo reply with a probe id that does not answer the probe of
 * that id in flight (source, sequence, cookie), or is too short to tell;
 * SB_XDP_PROBE_TO_KERNEL for the reply of a probe whose replies go to the
 * kernel (control's packet socket); 1 for anything else. */
static __always_inline int
probe_reply_ok(struct iphdr *ip, __u32 ihl, void *end)
{
	__u8 *icmp = (__u8 *)ip + ihl;
	struct sb_xdp_probe *e;
	__u32 idx;
	__u16 seq;
	__u64 cookie;

	if ((void *)(icmp + 6) > end || icmp[0] != 0 || icmp[4] != 0xff)
		return 1;                  /* not an echo reply with a probe id */
	if ((void *)(icmp + 16) > end)
		return 0;
	idx = icmp[5];
	e = bpf_map_lookup_elem(&sb_probes, &idx);
	if (e == NULL || !e->live)
		return 0;
	__builtin_memcpy(&seq, icmp + 6, 2);
	__builtin_memcpy(&cookie, icmp + 8, 8);
	if (e->target != ip->saddr || e->seq != seq || e->cookie != cookie)
		return 0;
	return e->live == SB_XDP_PROBE_TO_KERNEL ? SB_XDP_PROBE_TO_KERNEL : 1;
}

/* 1 when window @w (a share of a per-CPU array, or NULL) has passed
 * @limit frames in this second already; counts this one. */
static __always_inline int
over_window(struct sb_xdp_window *w, __u32 limit)
{
	__u64 now;

	if (w == NULL)
		return 0;
	now = bpf_ktime_get_ns();
	if (now - w->start_ns >= 1000000000ull) {
		w->start_ns = now;
		w->n = 0;
	}
	return ++w->n > limit;
}

/* 1 when @arp's sender (its address hashed into one of
 * SB_XDP_ARP_BUCKETS shares) has passed SB_XDP_ARP_PER_S frames in this
 * second already, on this CPU. */
static __always_inline int
arp_over_share(const struct arp_ipv4 *arp)
{
	__u32 spa, b;

	__builtin_memcpy(&spa, arp->spa, 4);
	b = (spa * 0x9e3779b1u) >> 22;     /* 10 bits: SB_XDP_ARP_BUCKETS */
	return over_window(bpf_map_lookup_elem(&sb_arp_src, &b), SB_XDP_ARP_PER_S);
}

/* 1 when a TCP SYN from @saddr is over its share's syn_per_s a second
 * or its burst (sources hashed into SB_XDP_SYN_BUCKETS shares, per CPU;
 * GCRA: sb_xdp_abi.h); 0 when SYNs are not policed (syn_per_s 0, or no
 * settings). */
static __always_inline int
syn_over_share(__u32 saddr)
{
	struct sb_xdp_conf *conf;
	struct sb_xdp_gcra *g;
	__u32 zero = 0, b;
	__u64 now, tat;

	conf = bpf_map_lookup_elem(&sb_xdp_conf, &zero);
	if (conf == NULL || conf->syn_per_s == 0)
		return 0;
	b = (saddr * 0x9e3779b1u) >> 20;   /* 12 bits: SB_XDP_SYN_BUCKETS */
	g = bpf_map_lookup_elem(&sb_syn_src, &b);
	if (g == NULL)
		return 0;
	now = bpf_ktime_get_ns();
	tat = g->tat_ns > now ? g->tat_ns : now;
	if (tat - now > SB_XDP_SYN_BURST_NS)
		return 1;
	g->tat_ns = tat + 1000000000ull / conf->syn_per_s;
	return 0;
}

SEC("xdp")
int
sb_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3;
	__be16 type;
	__u32 qid = ctx->rx_queue_index;

	if ((void *)(eth + 1) > end)
		return count(ctx, SB_XDP_MALFORMED, XDP_DROP);
	type = eth->h_proto;
	l3 = eth + 1;
	if (type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD)) {
		struct vlan_tag *tag = l3;

		if ((void *)(tag + 1) > end)
			return count(ctx, SB_XDP_MALFORMED, XDP_DROP);
		type = tag->proto;
		l3 = tag + 1;
	}

	if (type == bpf_htons(ETH_P_ARP)) {
		struct arp_ipv4 *arp = l3;
		struct sb_xdp_mgmt_key k = { .proto = SB_XDP_PROTO_ARP };
		__u32 *v;

		if ((void *)(arp + 1) > end)
			return count(ctx, SB_XDP_MALFORMED, XDP_DROP);
		__builtin_memcpy(&k.addr, arp->tpa, 4);
		v = bpf_map_lookup_elem(&sb_mgmt, &k);
		if (v != NULL && (*v & SB_XDP_MGMT_MATCH))
			return count(ctx, SB_XDP_MGMT_ARP, XDP_PASS);
		/* An ARP monitor's answer: past the socket's ring, as an echo
		 * probe's (below). */
		k.proto = SB_XDP_PROTO_ARP_PROBE;
		__builtin_memcpy(&k.addr, arp->spa, 4);
		v = bpf_map_lookup_elem(&sb_mgmt, &k);
		if (v != NULL && (*v & SB_XDP_MGMT_MATCH) && arp->oper == bpf_htons(2)) {
			static const __u8 mark[ETH_ALEN] = SB_XDP_PROBE_MAC;

			__builtin_memcpy(eth->h_dest, mark, ETH_ALEN);
			return count(ctx, SB_XDP_PROBE_KERNEL, XDP_PASS);
		}
		if (arp_over_share(arp))
			return count(ctx, SB_XDP_ARP_FLOOD, XDP_DROP);
	} else if (type == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		struct sb_xdp_block_key bk;
		struct sb_xdp_block_val *bv;
		__u32 ihl;
		__u16 frag, dport = 0;

		if ((void *)(ip + 1) > end)
			return count(ctx, SB_XDP_MALFORMED, XDP_DROP);
		ihl = ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) || (void *)ip + ihl > end)
			return count(ctx, SB_XDP_MALFORMED, XDP_DROP);

		bk.prefixlen = 32;
		bk.addr = ip->saddr;
		bv = bpf_map_lookup_elem(&sb_block, &bk);
		if (bv != NULL) {
			__sync_fetch_and_add(&bv->hits, 1);
			return count(ctx, SB_XDP_BLOCKED, XDP_DROP);
		}

		frag = bpf_ntohs(ip->frag_off) & 0x1fff;   /* offset, in 8 bytes */
		if (frag == 0 && ip->protocol == IPPROTO_ICMP) {
			int pr = probe_reply_ok(ip, ihl, end);

			if (pr == 0)
				return count(ctx, SB_XDP_PROBE_FORGED, XDP_DROP);
			if (pr == SB_XDP_PROBE_TO_KERNEL) {
				/* Another host's frame to the kernel's IP layer
				 * (dropped there, never routed); control's
				 * packet socket takes it by this address. */
				static const __u8 mark[ETH_ALEN] = SB_XDP_PROBE_MAC;

				__builtin_memcpy(eth->h_dest, mark, ETH_ALEN);
				return count(ctx, SB_XDP_PROBE_KERNEL, XDP_PASS);
			}
		}
		if (frag == 0 && (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)) {
			/* Both headers start with the source then the
			 * destination port. */
			__be16 *ports = (void *)ip + ihl;

			if ((void *)(ports + 2) > end)
				return count(ctx, SB_XDP_MALFORMED, XDP_DROP);
			dport = ports[1];
		}
		if (mgmt_match(ip->daddr, ip->protocol, dport, frag != 0))
			return count(ctx, SB_XDP_MGMT, XDP_PASS);
		if (frag == 0 && ip->protocol == IPPROTO_TCP) {
			/* A connection's first packet: SYN set, ACK clear (a
			 * header too short to tell is the worker's to drop). */
			__u8 *tcp = (__u8 *)ip + ihl;

			if ((void *)(tcp + 14) <= end && (tcp[13] & 0x12) == 0x02 &&
			    syn_over_share(ip->saddr))
				return count(ctx, SB_XDP_SYN_FLOOD, XDP_DROP);
		}
	}

	/* Everything else is switchback's, IPv4 or not (it counts what it
	 * does not handle). A queue with no socket drops rather than passes:
	 * the kernel must not forward transit traffic behind our back. */
	if (bpf_map_lookup_elem(&xsks_map, &qid) == NULL)
		return count(ctx, SB_XDP_NO_SOCKET, XDP_DROP);
	count(ctx, SB_XDP_REDIRECT, XDP_REDIRECT);
	return bpf_redirect_map(&xsks_map, qid, XDP_DROP);
}

char _license[] SEC("license") = "Dual BSD/GPL";
