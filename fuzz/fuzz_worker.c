/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the worker's whole packet path, stateful. One input is a
 * sequence of frames, each with the port it arrives on and a time step,
 * fed in bursts through sb_worker_process() on a fresh worker (the rig of
 * tests/worker_rig.h: a LAN port and a masquerading WAN), so sessions, mappings, fragments,
 * held SYNs and parked packets carry from one frame to the next.
 *
 * Record: flags (bit 0: WAN port; bit 1: keep the frame's destination
 * MAC, else the port's own; bit 2: keep its checksums, else all made
 * right;
 * bit 3: same burst as the previous record; bits 4-7: time step before
 * it, in 500 ms units, as the sweep sees it), length (2 bytes, big
 * endian, at most 1514), the frame.
 *
 * Invariants besides the sanitizers: every IPv4 frame the worker sends
 * has a valid header checksum and, when every frame fed in had valid
 * ones, a valid TCP/UDP (UDP 0 stays 0) and ICMP checksum when whole; what leaves the WAN comes from the
 * WAN's address; a reply to a translated packet comes back to the
 * original tuple (below); the session table stays within its size, the
 * held fragments within theirs; every mbuf comes back (the pool is full
 * again once the worker is freed).
 *
 * Replies: every whole TCP or UDP datagram the WAN sends from its address
 * is matched to the LAN frame it came from (same protocol, destination,
 * ports but the source, IP id, length and first payload bytes: what the
 * translation keeps); when the match is unambiguous, the harness answers
 * it at once from the WAN (destination and source swapped, a UDP
 * datagram or a TCP ACK) and the LAN must receive that answer addressed
 * to the original source address and port, from the original
 * destination, whatever else the input did. It must arrive when the LAN
 * host's MAC is known and the original was UDP or a TCP segment without
 * FIN or RST (a closing session may refuse it). */
#include <netinet/in.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "fuzz_common.h"
#include "worker.h"
#include "conntrack.h"
#include "eim.h"
#include "fib.h"
#include "frag.h"
#include "neigh.h"
#include "sb_probe_expect.h"
#include "../tests/worker_rig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SESSIONS 256
#define POOL 2048

static struct rte_mempool *pool;
static struct rte_ring *rxr[2], *txr[2], *punt, *resolve, *inject;
static uint16_t port_id[2];
static struct rte_ether_addr mac[2];
static struct sb_fib *fib;
static struct sb_neigh *neigh;
static struct rte_rcu_qsbr *qs;
static struct sb_dp_state *st;
static struct sb_probe_expect probes;
static int32_t gw_nb;
static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0xaa, 0x01 } };

/* A TCP/UDP datagram as the invariant compares it (network order). */
struct dgram {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint16_t id, l4len;
	uint8_t proto, tcp_flags, n_head;
	uint8_t head[8];          /* the first payload bytes */
};

/* The LAN's TCP/UDP frames fed in this input, and the translations seen
 * on the WAN waiting for their reply. */
static struct dgram *lan_in;
static size_t n_lan_in, cap_lan_in;
#define XLAT_MAX 64
static struct { struct dgram orig, out; } xlat[XLAT_MAX];
static unsigned n_xlat;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = { "fuzz_worker", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
			"--file-prefix", prefix, "--log-level", "*:error", "--no-telemetry", NULL };

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "sbfuzz_worker_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		abort();
	pool = rte_pktmbuf_pool_create("f_pool", POOL, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	punt = rte_ring_create("f_punt", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	resolve = rte_ring_create("f_resolve", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	inject = rte_ring_create("f_inject", 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || punt == NULL || resolve == NULL || inject == NULL)
		abort();
	for (unsigned p = 0; p < 2; p++)
		if (sb_rig_port(pool, "fw", p, 4096, &rxr[p], &txr[p], &port_id[p], &mac[p]) != 0)
			abort();
	qs = rte_zmalloc("f_qs", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (qs == NULL || rte_rcu_qsbr_init(qs, 1) != 0)
		abort();
	fib = sb_fib_create("f_fib", 1, 64, qs);
	neigh = sb_neigh_create("f_neigh", 64, 0);
	if (fib == NULL || neigh == NULL || sb_rig_routes(fib) != 0)
		abort();
	gw_nb = sb_neigh_get(neigh, WAN, WAN_GW);
	if (gw_nb < 0)
		abort();
	sb_neigh_set_mac(neigh, (uint32_t)gw_nb, &gw_mac);
	/* Hosts .10-.19 of the LAN are known; others are asked for (the
	 * resolve ring) and their packets parked. */
	for (uint32_t h = 10; h < 20; h++) {
		struct rte_ether_addr hm = { { 0x02, 0, 0, 0, 0x01, (uint8_t)h } };
		int32_t i = sb_neigh_get(neigh, LAN, 0xc0a80100u | h);

		if (i < 0)
			abort();
		sb_neigh_set_mac(neigh, (uint32_t)i, &hm);
	}
	st = sb_rig_state(gw_nb);
	if (st == NULL)
		abort();
	sb_probe_expect_init(&probes);
	return 0;
}

static void
drain(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* The whole TCP/UDP datagram of IPv4 frame @f (@len bytes, L3 at @off),
 * or false. */
static bool
dgram_of(const uint8_t *f, uint32_t len, uint32_t off, struct dgram *d)
{
	const uint8_t *ip = f + off, *l4;
	uint32_t ihl, tot, hl;

	if (len < off + 20 || (ip[0] >> 4) != 4)
		return false;
	ihl = (ip[0] & 0xf) * 4u;
	tot = (uint32_t)(ip[2] << 8 | ip[3]);
	if (ihl < 20 || tot < ihl || off + tot > len || (ip[6] & 0x3f) != 0 || ip[7] != 0)
		return false;
	l4 = ip + ihl;
	if (ip[9] == IPPROTO_UDP)
		hl = 8;
	else if (ip[9] == IPPROTO_TCP && tot - ihl >= 20)
		hl = (l4[12] >> 4) * 4u;
	else
		return false;
	if (hl < 8 || tot - ihl < hl)
		return false;
	memset(d, 0, sizeof(*d));
	memcpy(&d->src, ip + 12, 4);
	memcpy(&d->dst, ip + 16, 4);
	memcpy(&d->sport, l4, 2);
	memcpy(&d->dport, l4 + 2, 2);
	d->id = (uint16_t)(ip[4] << 8 | ip[5]);
	d->l4len = (uint16_t)(tot - ihl);
	d->proto = ip[9];
	d->tcp_flags = ip[9] == IPPROTO_TCP ? l4[13] : 0;
	d->n_head = (uint8_t)RTE_MIN(tot - ihl - hl, sizeof(d->head));
	memcpy(d->head, l4 + hl, d->n_head);
	return true;
}

/* Could datagram @o from the LAN have left the WAN as @w? */
static bool
same_but_source(const struct dgram *o, const struct dgram *w)
{
	return o->proto == w->proto && o->dst == w->dst && o->dport == w->dport &&
	       o->id == w->id && o->l4len == w->l4len && o->n_head == w->n_head &&
	       memcmp(o->head, w->head, o->n_head) == 0;
}

/* @w left the WAN from its address: note it with its original, for a
 * reply, when exactly one original tuple fits. */
static void
note_translation(const struct dgram *w)
{
	const struct dgram *o = NULL;

	if (n_xlat == XLAT_MAX || w->dst == rte_cpu_to_be_32(WAN_ADDR))
		return;
	for (size_t i = 0; i < n_lan_in; i++) {
		if (!same_but_source(&lan_in[i], w))
			continue;
		if (o != NULL && (o->src != lan_in[i].src || o->sport != lan_in[i].sport))
			return;   /* two LAN sources fit: no telling which */
		o = &lan_in[i];
	}
	if (o == NULL)
		return;
	xlat[n_xlat].orig = *o;
	xlat[n_xlat].out = *w;
	n_xlat++;
}

/* Frame @m that port @p sent: checked, then freed. */
static void
check_frame(struct rte_mbuf *m, unsigned p, bool l4_ok)
{
	{
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m), off = 14, ihl, tot;
		const uint8_t *ip, *l4;
		struct dgram d;
		uint16_t type;

		FUZZ_CHECK(m->nb_segs == 1 && len >= 14, "frame of %u bytes", len);
		type = (uint16_t)(f[12] << 8 | f[13]);
		if (type == 0x8100 && len >= 18) {
			type = (uint16_t)(f[16] << 8 | f[17]);
			off = 18;
		}
		if (type != 0x0800) {
			rte_pktmbuf_free(m);
			return;
		}
		ip = f + off;
		FUZZ_CHECK(len >= off + 20, "IPv4 frame of %u bytes", len);
		ihl = (ip[0] & 0xf) * 4u;
		tot = (uint32_t)(ip[2] << 8 | ip[3]);
		FUZZ_CHECK(ihl >= 20 && tot >= ihl && off + tot <= len, "lengths ihl %u tot %u",
			   ihl, tot);
		FUZZ_CHECK(fuzz_cksum_ok(ip, ihl), "IP checksum, port %u", p);
		if (p == WAN)
			FUZZ_CHECK(((uint32_t)ip[12] << 24 | ip[13] << 16 | ip[14] << 8 | ip[15]) ==
				   WAN_ADDR, "a frame left the WAN from another address");
		if (p == WAN && dgram_of(f, len, off, &d))
			note_translation(&d);
		l4 = ip + ihl;
		/* Whole datagrams only, not a fragment, and only when every
		 * frame fed in had valid checksums. */
		if (l4_ok && (ip[6] & 0x3f) == 0 && ip[7] == 0) {
			if (ip[9] == IPPROTO_TCP && tot - ihl >= 20)
				FUZZ_CHECK(fuzz_l4_cksum_ok(ip, l4, tot - ihl, IPPROTO_TCP),
					   "TCP checksum, port %u", p);
			else if (ip[9] == IPPROTO_UDP && tot - ihl >= 8 && (l4[6] | l4[7]) != 0 &&
				 (uint32_t)(l4[4] << 8 | l4[5]) == tot - ihl)
				FUZZ_CHECK(fuzz_l4_cksum_ok(ip, l4, tot - ihl, IPPROTO_UDP),
					   "UDP checksum, port %u", p);
			else if (ip[9] == IPPROTO_ICMP && tot - ihl >= 8)
				FUZZ_CHECK(fuzz_cksum_ok(l4, tot - ihl), "ICMP checksum, port %u, "
					   "type %u code %u, %u bytes", p, l4[0], l4[1], tot - ihl);
		}
		rte_pktmbuf_free(m);
	}
}

/* Every frame port @p sent: checked, then freed. */
static void
check_sent(unsigned p, bool l4_ok)
{
	void *v;

	while (rte_ring_dequeue(txr[p], &v) == 0)
		check_frame(v, p, l4_ok);
}

/* Note a LAN frame fed in (its TCP/UDP datagram, if whole). */
static void
note_lan_input(const uint8_t *f, uint16_t len)
{
	struct dgram d;

	if (len < 14 || f[12] != 0x08 || f[13] != 0x00 || !dgram_of(f, len, 14, &d))
		return;
	if (n_lan_in == cap_lan_in) {
		size_t cap = cap_lan_in ? 2 * cap_lan_in : 64;
		struct dgram *a = realloc(lan_in, cap * sizeof(*a));

		if (a == NULL)
			abort();
		lan_in = a;
		cap_lan_in = cap;
	}
	lan_in[n_lan_in++] = d;
}

/* The LAN host of @a (network order) has a known MAC (hosts .10-.19). */
static bool
lan_host_known(uint32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return (h & 0xffffff00u) == 0xc0a80100u && (h & 0xff) >= 10 && (h & 0xff) < 20;
}

/* Answer every translation noted, one at a time, from the WAN: the LAN
 * must get the answer addressed to the original tuple. */
static void
check_replies(struct sb_worker *w, bool l4_ok)
{
	for (unsigned i = 0; i < n_xlat; i++) {
		const struct dgram *o = &xlat[i].orig, *x = &xlat[i].out;
		bool tcp = x->proto == IPPROTO_TCP;
		uint16_t l4len = tcp ? 20 : 12;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct rte_ether_hdr *eh;
		struct rte_ipv4_hdr *ip;
		uint8_t *l4;
		unsigned got = 0;
		void *v;

		if (m == NULL)
			abort();
		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + l4len));
		if (eh == NULL)
			abort();
		memset(eh, 0, 14u + 20u + l4len);
		eh->dst_addr = mac[WAN];
		eh->src_addr = gw_mac;
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip = (struct rte_ipv4_hdr *)(eh + 1);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
		ip->packet_id = RTE_BE16(0x5151);
		ip->time_to_live = 64;
		ip->next_proto_id = x->proto;
		ip->src_addr = x->dst;
		ip->dst_addr = x->src;
		l4 = (uint8_t *)(ip + 1);
		memcpy(l4, &x->dport, 2);
		memcpy(l4 + 2, &x->sport, 2);
		if (tcp) {
			struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

			t->sent_seq = RTE_BE32(1);
			t->recv_ack = RTE_BE32(1);
			t->data_off = 5 << 4;
			t->tcp_flags = RTE_TCP_ACK_FLAG;
			t->rx_win = RTE_BE16(65535);
			t->cksum = rte_ipv4_udptcp_cksum(ip, t);
		} else {
			struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

			u->dgram_len = rte_cpu_to_be_16(l4len);
			memcpy(l4 + 8, "rply", 4);
			u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
		}
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		sb_worker_process(w, WAN, &m, 1);
		sb_worker_flush(w);
		while (rte_ring_dequeue(txr[LAN], &v) == 0) {
			struct rte_mbuf *r = v;
			const uint8_t *f = rte_pktmbuf_mtod(r, const uint8_t *);
			struct dgram d;

			if (dgram_of(f, rte_pktmbuf_data_len(r), 14, &d) && d.proto == x->proto &&
			    d.id == 0x5151 && d.src == x->dst && d.sport == x->dport) {
				FUZZ_CHECK(d.dst == o->src && d.dport == o->sport,
					   "the reply to %08x:%u -> %08x:%u (sent as %08x:%u) reached "
					   "%08x:%u", rte_be_to_cpu_32(o->src),
					   rte_be_to_cpu_16(o->sport), rte_be_to_cpu_32(o->dst),
					   rte_be_to_cpu_16(o->dport), rte_be_to_cpu_32(x->src),
					   rte_be_to_cpu_16(x->sport), rte_be_to_cpu_32(d.dst),
					   rte_be_to_cpu_16(d.dport));
				got++;
			}
			check_frame(r, LAN, l4_ok);   /* like every frame it sends */
		}
		if (lan_host_known(o->src) &&
		    (!tcp || !(o->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))))
			FUZZ_CHECK(got == 1, "the reply to %08x:%u -> %08x:%u (sent as %08x:%u) "
				   "reached the LAN %u times", rte_be_to_cpu_32(o->src),
				   rte_be_to_cpu_16(o->sport), rte_be_to_cpu_32(o->dst),
				   rte_be_to_cpu_16(o->dport), rte_be_to_cpu_32(x->src),
				   rte_be_to_cpu_16(x->sport), got);
	}
	n_xlat = 0;
	check_sent(WAN, l4_ok);
}

/* The checksums of the frame at @f (@len bytes) made right: the IPv4
 * header's, and on a whole datagram its TCP, UDP (unless 0) or ICMP
 * checksum, so that the worker meets valid packets and what it sends must
 * be valid too (it updates checksums, it does not recompute them). */
static void
fix_cksums(uint8_t *f, uint16_t len)
{
	unsigned off = 14, ihl, tot, l4len;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;

	if (len >= 18 && f[12] == 0x81 && f[13] == 0x00)
		off = 18;
	if (len < off + 20 || f[off - 2] != 0x08 || f[off - 1] != 0x00)
		return;
	ip = (struct rte_ipv4_hdr *)(f + off);
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < 20 || off + ihl > len)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < ihl || off + tot > len || (ip->fragment_offset & RTE_BE16(0x3fff)) != 0)
		return;
	l4 = (uint8_t *)ip + ihl;
	l4len = tot - ihl;
	if (ip->next_proto_id == IPPROTO_TCP && l4len >= 20) {
		((struct rte_tcp_hdr *)l4)->cksum = 0;
		((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else if (ip->next_proto_id == IPPROTO_UDP && l4len >= 8 &&
		   ((struct rte_udp_hdr *)l4)->dgram_cksum != 0) {
		((struct rte_udp_hdr *)l4)->dgram_cksum = 0;
		((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else if (ip->next_proto_id == IPPROTO_ICMP && l4len >= 8) {
		((struct rte_icmp_hdr *)l4)->icmp_cksum = 0;
		((struct rte_icmp_hdr *)l4)->icmp_cksum = (uint16_t)~rte_raw_cksum(l4, l4len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_worker_conf c;
	struct sb_ct *ct;
	struct sb_eim *eim;
	struct sb_worker *w;
	struct rte_mbuf *burst[SB_BURST];
	unsigned n = 0, in = LAN;
	uint64_t hz = rte_get_tsc_hz(), skew = 0;
	bool kept_cksums = false;  /* a frame came with its own: no L4 check */
	size_t at = 0;

	n_lan_in = 0;
	n_xlat = 0;
	sb_rig_conf(&c, port_id, mac, false, punt, resolve, inject);
	w = sb_rig_worker(&c, "f", SESSIONS, &ct, &eim, fib, neigh, &st, qs, &probes);
	if (w == NULL)
		abort();

	while (at + 3 <= size) {
		uint8_t fl = data[at];
		uint16_t len = (uint16_t)(data[at + 1] << 8 | data[at + 2]);
		unsigned port = fl & 1;
		struct rte_mbuf *m;
		uint8_t *f;

		at += 3;
		if (len > 1514)
			len = 1514;
		if (len > size - at)
			len = (uint16_t)(size - at);
		/* A new burst: the previous one goes first. */
		if (n != 0 && (!(fl & 8) || port != in || n == SB_BURST)) {
			sb_worker_process(w, in, burst, n);
			sb_worker_flush(w);
			n = 0;
		}
		if (fl >> 4) {
			skew += (uint64_t)(fl >> 4) * hz / 2;
			sb_worker_sweep(w, rte_rdtsc() + skew);
			sb_worker_flush(w);
		}
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			abort();
		f = (uint8_t *)rte_pktmbuf_append(m, len);
		if (f == NULL) {
			rte_pktmbuf_free(m);
			break;
		}
		memcpy(f, data + at, len);
		at += len;
		if (!(fl & 2) && len >= 6)
			memcpy(f, &mac[port], 6);
		if (!(fl & 4))
			fix_cksums(f, len);
		else
			kept_cksums = true;
		in = port;
		if (port == LAN)
			note_lan_input(f, len);
		burst[n++] = m;
		check_sent(LAN, !kept_cksums);
		check_sent(WAN, !kept_cksums);
		check_replies(w, !kept_cksums);
	}
	if (n != 0) {
		sb_worker_process(w, in, burst, n);
		sb_worker_flush(w);
	}
	check_sent(LAN, !kept_cksums);
	check_sent(WAN, !kept_cksums);
	check_replies(w, !kept_cksums);
	FUZZ_CHECK(sb_ct_count(ct) <= SESSIONS, "%u sessions", sb_ct_count(ct));
	/* Every mbuf comes back: what the worker still holds (fragments,
	 * packets parked for ARP) is freed with it. */
	sb_worker_free(w);
	drain(punt);
	rte_ring_reset(resolve);    /* (port << 32 | address) words, not mbufs */
	check_sent(LAN, !kept_cksums);
	check_sent(WAN, !kept_cksums);
	sb_eim_free(eim);
	sb_ct_free(ct);
	FUZZ_CHECK(rte_mempool_avail_count(pool) == POOL, "%u of %u mbufs back",
		   rte_mempool_avail_count(pool), POOL);
	return 0;
}
