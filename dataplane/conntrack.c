/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_malloc.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_random.h>
#include <rte_prefetch.h>
#include <rte_branch_prediction.h>
#include <rte_tcp.h>
#include <rte_hash_crc.h>

#include "conntrack.h"
#include "flowtab.h"
#include "resident.h"
#include "nat.h"

_Static_assert(sizeof(struct sb_session) == 44, "a session is 44 bytes");
_Static_assert(SB_MAX_NEIGH <= SB_CT_NB_BY_ADDR, "neighbour indices fit a session's 15 bits");
_Static_assert(SB_MAX_PORTS <= 256, "port indices fit a byte");
_Static_assert(offsetof(struct sb_session, orig_dport) == offsetof(struct sb_session, lan_port) + 2 &&
	       offsetof(struct sb_session, ext_port) == offsetof(struct sb_session, rem_port) + 2 &&
	       offsetof(struct sb_ct_key, dport) == offsetof(struct sb_ct_key, sport) + 2,
	       "each direction's ports are one 32-bit word, in the session as in the key");
_Static_assert(offsetof(struct sb_session, rem_addr) == offsetof(struct sb_session, lan_addr) + 4 &&
	       offsetof(struct sb_ct_key, dst) == offsetof(struct sb_ct_key, src) + 4,
	       "the original direction's addresses are one 64-bit word, in the session as in the key");

#define NO_FREE UINT32_MAX

static unsigned
proto_class(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : 2;
}

static inline bool
key_eq(const struct sb_ct_key *a, const struct sb_ct_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
	       a->dport == b->dport && a->proto == b->proto;
}

static void
set_key(struct sb_ct_key *k, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	uint8_t proto)
{
	*k = (struct sb_ct_key){ .src = src, .dst = dst, .sport = sport, .dport = dport,
				 .proto = proto };
}

void
sb_ct_orig_key(const struct sb_ct *ct, const struct sb_session *s, struct sb_ct_key *k)
{
	set_key(k, s->lan_addr, sb_ct_orig_dst(ct, s), s->lan_port, s->orig_dport, s->proto);
}

void
sb_ct_reply_key(const struct sb_ct *ct, const struct sb_session *s, struct sb_ct_key *k)
{
	set_key(k, s->rem_addr, sb_ct_ext_addr(ct, s), s->rem_port, s->ext_port, s->proto);
}

void
sb_ct_set_timeouts(struct sb_ct *ct, uint32_t tcp_est_s, uint32_t tcp_trans_s, uint32_t udp_s,
		   uint32_t icmp_s)
{
	uint64_t hz = rte_get_tsc_hz();

	for (unsigned c = 0; c < 3; c++) {
		uint64_t est = c == 0 ? tcp_est_s : c == 1 ? udp_s : icmp_s;
		uint64_t trans = c == 0 ? tcp_trans_s : est;

		/* RFC 5382: partially open or closing: >= 4 min. Each word
		 * is stored whole: the worker reads them while this runs. */
		for (unsigned st = 0; st < SB_CT_STATE_MAX; st++) {
			uint64_t t = (st == SB_CT_ESTABLISHED ? est : trans) * hz;

			__atomic_store_n(&ct->timeout_tsc[st][c], t, __ATOMIC_RELAXED);
			__atomic_store_n(&ct->timeout_u[st][c], (uint32_t)(t >> ct->tshift),
					 __ATOMIC_RELAXED);
		}
	}
}

/* The checksum constants of @s's translation (nat.h, sb_nat_prepare):
 * source LAN host -> external address and port; a hairpin also changes
 * the destination from the WAN address to the other host. */
static void
prepare(const struct sb_ct *ct, struct sb_session *s)
{
	bool hp = s->nat == SB_CT_NAT_HAIRPIN;
	uint32_t odst = hp ? sb_ct_orig_dst(ct, s) : 0, ndst = hp ? s->rem_addr : 0;
	uint16_t odp = hp ? s->orig_dport : 0, ndp = hp ? s->rem_port : 0;

	if (s->nat == SB_CT_NAT_NONE) {
		s->ck_ip = s->ck_l4 = 0;
		return;
	}
	sb_nat_prepare(s->lan_addr, sb_ct_ext_addr(ct, s), s->lan_port, s->ext_port,
		       odst, ndst, odp, ndp, &s->ck_ip, &s->ck_l4);
}

/* --- sessions per LAN host ------------------------------------------------ */

#define HOSTS_MAX 65536u  /* hosts tracked at most; the table has twice the slots */

static inline uint32_t
host_slot(const struct sb_ct *ct, uint32_t addr)
{
	uint32_t i = rte_hash_crc_4byte(addr, (uint32_t)ct->seed[0]) & ct->host_mask;

	while (ct->host[i].addr != 0 && ct->host[i].addr != addr)
		i = (i + 1) & ct->host_mask;
	return i;
}

void
sb_ct_set_host_max(struct sb_ct *ct, uint32_t n)
{
	__atomic_store_n(&ct->host_max, n, __ATOMIC_RELAXED);
}

uint32_t
sb_ct_host_sessions(const struct sb_ct *ct, uint32_t addr)
{
	return addr == 0 ? 0 : ct->host[host_slot(ct, addr)].n;
}

bool
sb_ct_host_admit(const struct sb_ct *ct, uint32_t addr)
{
	uint32_t max = __atomic_load_n(&ct->host_max, __ATOMIC_RELAXED);

	return max == 0 || sb_ct_host_sessions(ct, addr) < max;
}

void
sb_ct_host_count(struct sb_ct *ct, uint32_t idx)
{
	struct sb_session *s = &ct->s[idx];
	uint32_t i;

	if (s->lan_addr == 0 || s->host_counted)
		return;
	i = host_slot(ct, s->lan_addr);
	if (ct->host[i].addr == 0) {
		if (ct->n_hosts >= (ct->host_mask + 1) / 2)
			return;   /* at most half full: probes stay short */
		ct->host[i].addr = s->lan_addr;
		ct->n_hosts++;
	}
	ct->host[i].n++;
	s->host_counted = 1;
}

/* Session @s leaves: its host's count goes down; a host with none left
 * leaves the table (backward-shift deletion keeps every probe chain
 * whole). */
static void
host_uncount(struct sb_ct *ct, struct sb_session *s)
{
	uint32_t i = host_slot(ct, s->lan_addr), j;

	s->host_counted = 0;
	if (ct->host[i].addr == 0 || --ct->host[i].n != 0)
		return;
	ct->n_hosts--;
	for (j = (i + 1) & ct->host_mask; ct->host[j].addr != 0; j = (j + 1) & ct->host_mask) {
		uint32_t home = rte_hash_crc_4byte(ct->host[j].addr, (uint32_t)ct->seed[0]) &
				ct->host_mask;

		/* Entry j may move to the hole at i when its home is not in
		 * the cyclic range (i, j]. */
		if (((j - home) & ct->host_mask) >= ((j - i) & ct->host_mask)) {
			ct->host[i] = ct->host[j];
			i = j;
		}
	}
	ct->host[i] = (struct sb_ct_host){ 0, 0 };
}

struct sb_ct *
sb_ct_create(const char *name, uint32_t capacity, int socket, unsigned owner,
	     uint32_t tcp_est_s, uint32_t tcp_trans_s, uint32_t udp_s,
	     uint32_t icmp_s)
{
	struct sb_ct *ct;
	uint64_t hz = rte_get_tsc_hz();

	if (capacity == 0 || capacity > (1u << 30) || owner > 255) {
		rte_errno = EINVAL;
		return NULL;
	}
	ct = rte_zmalloc_socket("sb_ct", sizeof(*ct) + sizeof(ct->s[0]) * capacity, 64, socket);
	if (ct == NULL)
		goto fail;
	ct->capacity = capacity;
	ct->owner = (uint64_t)owner << SB_CT_OWNER_SHIFT;
	ct->seed[0] = rte_rand();
	ct->seed[1] = rte_rand() | 1ull << 63;
	ct->seed[2] = rte_rand() | 1ull << 63;
	ct->ft = sb_ft_create(name, capacity * 2, socket);
	if (ct->ft == NULL)
		goto fail;
	ct->host_mask = 1;
	while (ct->host_mask + 1 < 2 * RTE_MIN(capacity, HOSTS_MAX))
		ct->host_mask = ct->host_mask << 1 | 1;
	ct->host = sb_zmalloc_resident("sb_ct_host", sizeof(*ct->host) * (ct->host_mask + 1), 64,
					socket);
	if (ct->host == NULL)
		goto fail;
	/* Hand out low indices first: better locality while the table is
	 * far from full. */
	for (uint32_t i = 0; i < capacity; i++)
		ct->s[i].next_free = i + 1 < capacity ? i + 1 : NO_FREE;
	ct->free_head = 0;
	ct->n_free = capacity;

	/* Time unit: the largest power-of-two number of cycles not above
	 * 1/64 s. 32 bits of it last 2^26 s; timeouts (at most 2^24 s) stay
	 * far inside the half that signed differences can tell apart. */
	ct->tshift = 0;
	while ((2ull << ct->tshift) <= hz / 64)
		ct->tshift++;
	sb_ct_set_timeouts(ct, tcp_est_s, tcp_trans_s, udp_s, icmp_s);
	return ct;
fail:
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	sb_ct_free(ct);
	return NULL;
}

void
sb_ct_free(struct sb_ct *ct)
{
	if (ct != NULL) {
		sb_ft_free(ct->ft);
		rte_free(ct->host);
	}
	rte_free(ct);
}

void
sb_ct_set_port_addr(struct sb_ct *ct, unsigned port, uint32_t addr)
{
	if (port < SB_MAX_PORTS)
		ct->addr[port] = addr;
}

uint64_t
sb_ct_lookup_bulk(struct sb_ct *ct, const struct sb_ct_key **keys, unsigned n,
		  uint64_t *data)
{
	struct sb_ft_pos pos[SB_CT_BULK_MAX];
	uint32_t cand[SB_CT_BULK_MAX][SB_CT_MAX_CAND];
	unsigned nc[SB_CT_BULK_MAX];
	uint64_t hits = 0;

	if (n > SB_CT_BULK_MAX)
		n = SB_CT_BULK_MAX;
	/* Three stages across the burst, so the misses overlap: buckets,
	 * then the sessions they point at, then the checks. */
	for (unsigned i = 0; i < n; i++) {
		pos[i] = sb_ft_pos(ct->ft, sb_ct_fingerprint(ct, keys[i]));
		sb_ft_prefetch(ct->ft, &pos[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		nc[i] = sb_ft_find(ct->ft, &pos[i], cand[i], SB_CT_MAX_CAND);
		if (nc[i] > 0)
			rte_prefetch0(&ct->s[SB_CT_IDX(cand[i][0])]);
	}
	for (unsigned i = 0; i < n; i++) {
		int64_t v = sb_ct_pick(ct, keys[i], cand[i], nc[i]);

		if (v >= 0) {
			data[i] = (uint64_t)v;
			hits |= 1ull << i;
		}
	}
	return hits;
}

int64_t
sb_ct_lookup(struct sb_ct *ct, const struct sb_ct_key *key)
{
	struct sb_ft_pos pos = sb_ft_pos(ct->ft, sb_ct_fingerprint(ct, key));
	uint32_t cand[SB_CT_MAX_CAND];
	unsigned nc = sb_ft_find(ct->ft, &pos, cand, SB_CT_MAX_CAND);

	return sb_ct_pick(ct, key, cand, nc);
}

void
sb_ct_set_xaddr(struct sb_ct *ct, unsigned i, uint32_t addr)
{
	if (i > 0 && i < SB_CT_XADDR_MAX)
		ct->xaddr[i] = addr;
}

int64_t
sb_ct_insert(struct sb_ct *ct, const struct sb_ct_key *orig,
	     const struct sb_ct_key *reply, unsigned nat, unsigned nat_wan, uint64_t now)
{
	return sb_ct_insert_x(ct, orig, reply, nat, nat_wan, 0, now);
}

int64_t
sb_ct_insert_x(struct sb_ct *ct, const struct sb_ct_key *orig,
	       const struct sb_ct_key *reply, unsigned nat, unsigned nat_wan, unsigned xaddr,
	       uint64_t now)
{
	struct sb_session n, *s;
	struct sb_ct_key ko, kr;
	uint64_t fo, fr;
	uint32_t idx;
	int ret;

	if (ct->n_free == 0)
		return -ENOSPC;
	if (nat > SB_CT_NAT_FWD || nat_wan >= SB_MAX_PORTS || xaddr >= SB_CT_XADDR_MAX ||
	    (xaddr != 0 && nat != SB_CT_NAT_FWD && nat != SB_CT_NAT_HAIRPIN))
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	n.lan_addr = orig->src;
	n.lan_port = orig->sport;
	n.orig_dport = orig->dport;
	n.rem_addr = reply->src;
	n.rem_port = reply->sport;
	n.ext_port = reply->dport;
	n.proto = orig->proto;
	n.nat = nat & 3;
	n.nat_wan = (uint8_t)nat_wan;
	n.xaddr = (uint8_t)xaddr;
	/* The session must give both keys back exactly. */
	sb_ct_orig_key(ct, &n, &ko);
	sb_ct_reply_key(ct, &n, &kr);
	if (!key_eq(&ko, orig) || !key_eq(&kr, reply) || reply->proto != orig->proto)
		return -EINVAL;
	fo = sb_ct_fingerprint(ct, orig);
	fr = sb_ct_fingerprint(ct, reply);
	if (fo == fr)
		return -EEXIST;
	if (sb_ct_lookup(ct, orig) >= 0 || sb_ct_lookup(ct, reply) >= 0)
		return -EEXIST;
	idx = ct->free_head;
	ret = sb_ft_add(ct->ft, fo, idx << 1 | SB_CT_DIR_ORIG);
	if (ret < 0)
		return -ENOBUFS;
	ret = sb_ft_add(ct->ft, fr, idx << 1 | SB_CT_DIR_REPLY);
	if (ret < 0) {
		sb_ft_del(ct->ft, fo, idx << 1 | SB_CT_DIR_ORIG);
		return -ENOBUFS;
	}
	s = &ct->s[idx];
	ct->free_head = s->next_free;
	ct->n_free--;
	*s = n;
	prepare(ct, s);
	sb_ct_touch(ct, s, now);
	s->in_nb = SB_CT_NB_NONE;
	s->out_nb = SB_CT_NB_NONE;
	s->in_use = 1;
	return idx;
}

void
sb_ct_delete(struct sb_ct *ct, uint32_t idx)
{
	struct sb_session *s = &ct->s[idx];
	struct sb_ct_key k;

	if (!s->in_use)
		return;
	sb_ct_orig_key(ct, s, &k);
	sb_ft_del(ct->ft, sb_ct_fingerprint(ct, &k), idx << 1 | SB_CT_DIR_ORIG);
	sb_ct_reply_key(ct, s, &k);
	sb_ft_del(ct->ft, sb_ct_fingerprint(ct, &k), idx << 1 | SB_CT_DIR_REPLY);
	if (s->host_counted)
		host_uncount(ct, s);
	s->in_use = 0;
	s->next_free = ct->free_head;
	ct->free_head = idx;
	ct->n_free++;
}

uint64_t
sb_ct_timeout(const struct sb_ct *ct, const struct sb_session *s)
{
	return __atomic_load_n(&ct->timeout_tsc[s->state][proto_class(s->proto)], __ATOMIC_RELAXED);
}

void
sb_ct_tcp_update(struct sb_session *s, uint8_t flags, unsigned dir)
{
	if (flags & RTE_TCP_RST_FLAG) {
		s->state = SB_CT_CLOSED;
		return;
	}
	/* A new SYN from the original side (an inbound session's: from the
	 * client) reopens a closed connection (the same 4-tuple reused after
	 * TIME_WAIT). */
	if ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	    (dir == SB_CT_DIR_ORIG || s->nat == SB_CT_NAT_FWD) &&
	    (s->state == SB_CT_TIME_WAIT || s->state == SB_CT_CLOSED)) {
		s->state = SB_CT_NEW;
		s->tcp_end[0] = s->tcp_end[1] = 0;
		return;
	}
	if (flags & RTE_TCP_FIN_FLAG) {
		unsigned other = dir == SB_CT_DIR_ORIG ? SB_CT_FIN_REPLY : SB_CT_FIN_ORIG;

		if (s->state == other || s->state == SB_CT_TIME_WAIT)
			s->state = SB_CT_TIME_WAIT;
		else if (s->state != SB_CT_CLOSED)
			s->state = dir == SB_CT_DIR_ORIG ? SB_CT_FIN_ORIG : SB_CT_FIN_REPLY;
		return;
	}
	/* The reply acknowledging (SYN-ACK, or the ACK of a simultaneous
	 * open) is as far as the handshake needs tracking. */
	if (s->state == SB_CT_NEW && dir == SB_CT_DIR_REPLY && (flags & RTE_TCP_ACK_FLAG))
		s->state = SB_CT_ESTABLISHED;
}

bool
sb_ct_tcp_segment(struct sb_session *s, uint32_t seq, uint32_t len, uint8_t flags,
		  unsigned dir)
{
	uint32_t end;

	if ((flags & RTE_TCP_RST_FLAG) && s->tcp_end[dir] != 0) {
		int32_t d = (int32_t)(seq - s->tcp_end[dir]);

		if (d > (int32_t)SB_CT_RST_WINDOW || d < -(int32_t)SB_CT_RST_WINDOW)
			return false;
	}
	end = seq + len + ((flags & RTE_TCP_SYN_FLAG) ? 1 : 0) + ((flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	if (end == 0)
		end = 1;   /* 0 means unknown */
	if (s->tcp_end[dir] == 0 || (int32_t)(end - s->tcp_end[dir]) > 0)
		s->tcp_end[dir] = end;
	return true;
}

unsigned
sb_ct_sweep(struct sb_ct *ct, uint64_t now, unsigned budget,
	    sb_ct_expire_fn fn, void *arg)
{
	unsigned expired = 0;
	uint32_t i = ct->sweep_cursor;
	uint32_t nu = (uint32_t)(now >> ct->tshift);

	if (ct->n_free == ct->capacity) /* nothing to age */
		return 0;
	while (budget--) {
		struct sb_session *s = &ct->s[i];

		/* The age as a signed difference: a session touched at a
		 * later TSC than this sweep's (another burst of the same
		 * worker loop read the clock after it) is younger than
		 * zero, not 2^32 units old. */
		if (s->in_use &&
		    (int32_t)(nu - s->last) >
			    (int32_t)__atomic_load_n(&ct->timeout_u[s->state][proto_class(s->proto)],
						     __ATOMIC_RELAXED)) {
			if (fn != NULL)
				fn(arg, s);
			sb_ct_delete(ct, i);
			expired++;
		}
		if (++i == ct->capacity)
			i = 0;
	}
	ct->sweep_cursor = i;
	return expired;
}

unsigned
sb_ct_port_readdress(struct sb_ct *ct, unsigned port, uint32_t addr, sb_ct_expire_fn fn,
		     void *arg)
{
	unsigned n = 0;

	if (port >= SB_MAX_PORTS)
		return 0;
	for (uint32_t i = 0; i < ct->capacity && ct->n_free < ct->capacity; i++) {
		struct sb_session *s = &ct->s[i];
		struct sb_ct_key k;

		if (!s->in_use)
			continue;
		if (unlikely(s->rem_addr == addr) && addr != 0) {
			/* A peer whose address is now the gateway's, on any
			 * port: what the LAN sends to it is the gateway's from
			 * now on, and the fused pass takes a LAN's hits without
			 * asking (fastpath.c, lan_refused). */
			n++;
			if (fn != NULL)
				fn(arg, s);
			sb_ct_delete(ct, i);
			continue;
		}
		if (s->nat == SB_CT_NAT_NONE || s->nat_wan != port)
			continue;
		n++;
		if (s->nat == SB_CT_NAT_HAIRPIN) {
			if (fn != NULL)
				fn(arg, s);
			sb_ct_delete(ct, i);
			continue;
		}
		/* The delete that comes later looks for the reply key under
		 * the new address: a value this session never inserted, so
		 * it removes nothing of anyone else's (sb_ft_del matches the
		 * value too). */
		sb_ct_reply_key(ct, s, &k);
		sb_ft_del(ct->ft, sb_ct_fingerprint(ct, &k), i << 1 | SB_CT_DIR_REPLY);
	}
	ct->addr[port] = addr;
	/* Sessions left on the port translate to the new address until they
	 * are flushed: their prepared checksums must say so. */
	for (uint32_t i = 0; i < ct->capacity && n != 0 && ct->n_free < ct->capacity; i++)
		if (ct->s[i].in_use && ct->s[i].nat != SB_CT_NAT_NONE && ct->s[i].nat_wan == port)
			prepare(ct, &ct->s[i]);
	return n;
}
