/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_tcp.h>

#include "conntrack.h"

_Static_assert(sizeof(struct sb_session) == 64, "a session is one cache line");

static unsigned
proto_class(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : 2;
}

struct sb_ct *
sb_ct_create(const char *name, uint32_t capacity, int socket,
	     uint32_t tcp_est_s, uint32_t tcp_trans_s, uint32_t udp_s,
	     uint32_t icmp_s)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = capacity * 2,
		.key_len = sizeof(struct sb_ct_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/* Extendable buckets: the table holds all 2 * capacity keys
		 * whatever the hash collisions. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct sb_ct *ct;
	uint64_t hz = rte_get_tsc_hz();

	if (capacity == 0 || capacity > (1u << 30)) {
		rte_errno = EINVAL;
		return NULL;
	}
	ct = rte_zmalloc_socket("sb_ct", sizeof(*ct), 64, socket);
	if (ct == NULL)
		goto fail;
	ct->capacity = capacity;
	ct->s = rte_zmalloc_socket("sb_ct_s", sizeof(*ct->s) * capacity, 64, socket);
	ct->free = rte_malloc_socket("sb_ct_free", sizeof(uint32_t) * capacity, 64, socket);
	if (ct->s == NULL || ct->free == NULL)
		goto fail;
	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL)
		goto fail;
	/* Hand out low indices first: better locality while the table is
	 * far from full. */
	for (uint32_t i = 0; i < capacity; i++)
		ct->free[i] = capacity - 1 - i;
	ct->n_free = capacity;

	for (unsigned c = 0; c < 3; c++) {
		uint64_t est = c == 0 ? tcp_est_s : c == 1 ? udp_s : icmp_s;
		uint64_t trans = c == 0 ? tcp_trans_s : est;

		/* RFC 5382: partially open or closing: >= 4 min. */
		for (unsigned st = 0; st < SB_CT_STATE_MAX; st++)
			ct->timeout_tsc[st][c] = trans * hz;
		ct->timeout_tsc[SB_CT_ESTABLISHED][c] = est * hz;
	}
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
	if (ct == NULL)
		return;
	rte_hash_free(ct->h);
	rte_free(ct->s);
	rte_free(ct->free);
	rte_free(ct);
}

uint64_t
sb_ct_lookup_bulk(struct sb_ct *ct, const struct sb_ct_key **keys, unsigned n,
		  uint64_t *data)
{
	uint64_t hits = 0;
	void *d[RTE_HASH_LOOKUP_BULK_MAX];

	if (n == 0)
		return 0;
	if (rte_hash_lookup_bulk_data(ct->h, (const void **)keys, n, &hits, d) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (hits & (1ull << i))
			data[i] = (uint64_t)(uintptr_t)d[i];
	return hits;
}

int64_t
sb_ct_lookup(struct sb_ct *ct, const struct sb_ct_key *key)
{
	void *d;
	int ret = rte_hash_lookup_data(ct->h, key, &d);

	if (ret < 0)
		return ret;
	return (int64_t)(uintptr_t)d;
}

int64_t
sb_ct_insert(struct sb_ct *ct, const struct sb_ct_key *orig,
	     const struct sb_ct_key *reply, uint64_t now)
{
	uint32_t idx;
	int ret;

	if (ct->n_free == 0)
		return -ENOSPC;
	if (rte_hash_lookup(ct->h, orig) >= 0 || rte_hash_lookup(ct->h, reply) >= 0)
		return -EEXIST;
	idx = ct->free[ct->n_free - 1];

	ret = rte_hash_add_key_data(ct->h, orig,
				    (void *)(uintptr_t)(((uint64_t)idx << 1) | SB_CT_DIR_ORIG));
	if (ret < 0)
		return ret;
	ret = rte_hash_add_key_data(ct->h, reply,
				    (void *)(uintptr_t)(((uint64_t)idx << 1) | SB_CT_DIR_REPLY));
	if (ret < 0) {
		rte_hash_del_key(ct->h, orig);
		return ret;
	}
	ct->n_free--;

	struct sb_session *s = &ct->s[idx];

	memset(s, 0, sizeof(*s));
	s->orig = *orig;
	s->reply = *reply;
	s->last_tsc = now;
	s->in_nb = UINT32_MAX;
	s->out_nb = UINT32_MAX;
	s->in_use = 1;
	return idx;
}

void
sb_ct_delete(struct sb_ct *ct, uint32_t idx)
{
	struct sb_session *s = &ct->s[idx];

	if (!s->in_use)
		return;
	rte_hash_del_key(ct->h, &s->orig);
	rte_hash_del_key(ct->h, &s->reply);
	s->in_use = 0;
	ct->free[ct->n_free++] = idx;
}

uint64_t
sb_ct_timeout(const struct sb_ct *ct, const struct sb_session *s)
{
	return ct->timeout_tsc[s->state][proto_class(s->orig.proto)];
}

void
sb_ct_tcp_update(struct sb_session *s, uint8_t flags, unsigned dir)
{
	if (flags & RTE_TCP_RST_FLAG) {
		s->state = SB_CT_CLOSED;
		return;
	}
	/* A new SYN from the original side reopens a closed connection
	 * (the same 4-tuple reused after TIME_WAIT). */
	if ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	    dir == SB_CT_DIR_ORIG && (s->state == SB_CT_TIME_WAIT || s->state == SB_CT_CLOSED)) {
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

	if (ct->n_free == ct->capacity) /* nothing to age */
		return 0;
	while (budget--) {
		struct sb_session *s = &ct->s[i];

		if (s->in_use && now - s->last_tsc > sb_ct_timeout(ct, s)) {
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
