/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: DHCP on the wire: the strict parser of what servers send and
 * the builder of what the client sends (RFC 2131 section 2, RFC 2132,
 * RFC 3396, RFC 3442). Pure and bounded. */
#include <stdio.h>
#include <string.h>

#include "dhcp_priv.h"

/* --- the parser ---------------------------------------------------------- */

/* Options are gathered per code before they are decoded, so an option
 * split into several instances is concatenated (RFC 3396) and a fixed-size
 * option given twice has the wrong length and is refused. */
#define OPT_SLOT_MAX 512
static const uint8_t wanted[] = {
	OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_LEASE, OPT_OVERLOAD, OPT_TYPE, OPT_SERVER,
	OPT_MESSAGE, OPT_T1, OPT_T2, OPT_CLIENT_ID, OPT_CSR,
};
#define N_WANTED (sizeof(wanted) / sizeof(wanted[0]))

struct opt_acc {
	bool seen[N_WANTED];
	uint16_t len[N_WANTED];
	uint8_t buf[N_WANTED][OPT_SLOT_MAX];
};

static int
slot_of(uint8_t code)
{
	for (unsigned i = 0; i < N_WANTED; i++)
		if (wanted[i] == code)
			return (int)i;
	return -1;
}

/* Walk one options area; it must end with an end option. */
static enum sb_dhcp_refuse
walk_options(const uint8_t *a, size_t len, struct opt_acc *acc, bool overload_ok)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = a[i];

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return SB_DHCP_OK;
		if (i + 2 > len)
			return SB_DHCP_R_BAD_OPTION;
		size_t l = a[i + 1];

		if (i + 2 + l > len)
			return SB_DHCP_R_BAD_OPTION;
		int s = slot_of(code);

		if (s >= 0 && (code != OPT_OVERLOAD || overload_ok)) {
			if (acc->len[s] + l > OPT_SLOT_MAX)
				return SB_DHCP_R_BAD_OPTION;
			memcpy(acc->buf[s] + acc->len[s], a + i + 2, l);
			acc->len[s] = (uint16_t)(acc->len[s] + l);
			acc->seen[s] = true;
		}
		i += 2 + l;
	}
	return SB_DHCP_R_BAD_OPTION; /* no end option */
}

static const uint8_t *
opt(const struct opt_acc *acc, uint8_t code, size_t *len)
{
	int s = slot_of(code);

	if (s < 0 || !acc->seen[s])
		return NULL;
	*len = acc->len[s];
	return acc->buf[s];
}

/* A fixed 4-byte option: absent (0), or -1 when of another length. */
static int
opt32(const struct opt_acc *acc, uint8_t code, uint32_t *v)
{
	size_t l;
	const uint8_t *p = opt(acc, code, &l);

	if (p == NULL)
		return 0;
	if (l != 4)
		return -1;
	*v = get32(p);
	return 1;
}

static int
mask_len(uint32_t mask)
{
	int n = __builtin_popcount(mask);

	if (mask == 0 || (n < 32 && mask != ~0u << (32 - n)))
		return -1;
	return n;
}

/* RFC 3442: <width> <significant octets of the destination> <router>... */
static enum sb_dhcp_refuse
parse_csr(const uint8_t *p, size_t len, struct sb_dhcp_msg *m)
{
	size_t i = 0;

	if (len < 5)
		return SB_DHCP_R_BAD_ROUTES;
	while (i < len) {
		uint8_t w = p[i];
		size_t sig = (w + 7u) / 8u;
		uint32_t dst = 0;

		if (w > 32 || i + 1 + sig + 4 > len)
			return SB_DHCP_R_BAD_ROUTES;
		if (m->n_csr >= SB_DHCP_MAX_ROUTES + 1)
			return SB_DHCP_R_BAD_ROUTES;
		for (size_t k = 0; k < sig; k++)
			dst |= (uint32_t)p[i + 1 + k] << (24 - 8 * k);
		if (w < 32 && (dst & ~(~0ull << (32 - w)) & 0xffffffffu) != 0)
			return SB_DHCP_R_BAD_ROUTES; /* bits beyond the width */
		m->csr[m->n_csr].dst = dst;
		m->csr[m->n_csr].len = w;
		m->csr[m->n_csr].gw = get32(p + i + 1 + sig);
		m->n_csr++;
		i += 1 + sig + 4;
	}
	return SB_DHCP_OK;
}

static enum sb_dhcp_refuse
decode_options(const struct opt_acc *acc, struct sb_dhcp_msg *m)
{
	const uint8_t *p;
	size_t l;
	uint32_t v;
	int r;

	p = opt(acc, OPT_TYPE, &l);
	if (p == NULL)
		return SB_DHCP_R_NO_TYPE;
	if (l != 1)
		return SB_DHCP_R_BAD_OPTION;
	m->type = p[0];
	if (m->type != SB_DHCP_OFFER && m->type != SB_DHCP_ACK && m->type != SB_DHCP_NAK)
		return SB_DHCP_R_BAD_TYPE;

	r = opt32(acc, OPT_MASK, &v);
	if (r < 0)
		return SB_DHCP_R_BAD_OPTION;
	if (r > 0) {
		int n = mask_len(v);

		if (n <= 0)
			return SB_DHCP_R_BAD_MASK;
		m->has_mask = true;
		m->prefix_len = (uint8_t)n;
	}
	p = opt(acc, OPT_ROUTER, &l);
	if (p != NULL) {
		if (l == 0 || l % 4 != 0)
			return SB_DHCP_R_BAD_OPTION;
		m->n_routers = (unsigned)(l / 4);
		m->router = get32(p);
	}
	p = opt(acc, OPT_DNS, &l);
	if (p != NULL) {
		if (l == 0 || l % 4 != 0)
			return SB_DHCP_R_BAD_OPTION;
		for (size_t k = 0; k < l / 4 && m->n_dns < SB_DHCP_MAX_DNS; k++)
			m->dns[m->n_dns++] = get32(p + 4 * k);
	}
	if ((r = opt32(acc, OPT_LEASE, &m->lease_s)) < 0)
		return SB_DHCP_R_BAD_OPTION;
	m->has_lease = r > 0;
	if ((r = opt32(acc, OPT_T1, &m->t1_s)) < 0)
		return SB_DHCP_R_BAD_OPTION;
	m->has_t1 = r > 0;
	if ((r = opt32(acc, OPT_T2, &m->t2_s)) < 0)
		return SB_DHCP_R_BAD_OPTION;
	m->has_t2 = r > 0;
	if (opt32(acc, OPT_SERVER, &m->server_id) < 0)
		return SB_DHCP_R_BAD_OPTION;
	p = opt(acc, OPT_CLIENT_ID, &l);
	if (p != NULL) {
		if (l < 2 || l > sizeof(m->client_id))
			return SB_DHCP_R_BAD_OPTION;
		memcpy(m->client_id, p, l);
		m->client_id_len = (uint8_t)l;
	}
	p = opt(acc, OPT_MESSAGE, &l);
	if (p != NULL) {
		size_t k;

		/* For logs only: keep printable ASCII. */
		for (k = 0; k < l && k + 1 < sizeof(m->message); k++)
			m->message[k] = p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '?';
		m->message[k] = '\0';
	}
	p = opt(acc, OPT_CSR, &l);
	if (p != NULL) {
		enum sb_dhcp_refuse e = parse_csr(p, l, m);

		if (e != SB_DHCP_OK)
			return e;
		m->has_csr = true;
	}
	return SB_DHCP_OK;
}

enum sb_dhcp_refuse
sb_dhcp_parse(const uint8_t *p, size_t len, struct sb_dhcp_msg *m)
{
	struct opt_acc acc_store, *acc = &acc_store;
	enum sb_dhcp_refuse r;
	const uint8_t *ov;
	size_t ovl;

	/* Keep the frame fields sb_dhcp_parse_frame() filled in. */
	uint8_t src_mac[6];
	uint32_t src_ip = m->src_ip, dst_ip = m->dst_ip;

	memcpy(src_mac, m->src_mac, 6);
	memset(m, 0, sizeof(*m));
	memcpy(m->src_mac, src_mac, 6);
	m->src_ip = src_ip;
	m->dst_ip = dst_ip;

	if (len < BOOTP_FIXED + 4)
		return SB_DHCP_R_TRUNCATED;
	m->op = p[0];
	m->htype = p[1];
	m->hlen = p[2];
	if (m->op != 2)
		return SB_DHCP_R_NOT_REPLY;
	if (m->htype != 1 || m->hlen != 6)
		return SB_DHCP_R_BAD_HW;
	m->xid = get32(p + 4);
	m->ciaddr = get32(p + 12);
	m->yiaddr = get32(p + 16);
	m->siaddr = get32(p + 20);
	m->giaddr = get32(p + 24);
	memcpy(m->chaddr, p + 28, 16);
	if (get32(p + BOOTP_FIXED) != DHCP_COOKIE)
		return SB_DHCP_R_BAD_COOKIE;

	memset(acc->seen, 0, sizeof(acc->seen));
	memset(acc->len, 0, sizeof(acc->len));
	r = walk_options(p + BOOTP_FIXED + 4, len - BOOTP_FIXED - 4, acc, true);
	if (r == SB_DHCP_OK && (ov = opt(acc, OPT_OVERLOAD, &ovl)) != NULL) {
		/* RFC 2132 9.3: options continue in 'file', then 'sname'. */
		if (ovl != 1 || ov[0] < 1 || ov[0] > 3)
			r = SB_DHCP_R_BAD_OPTION;
		else {
			uint8_t which = ov[0];

			if (which & 1)
				r = walk_options(p + 108, 128, acc, false);
			if (r == SB_DHCP_OK && (which & 2))
				r = walk_options(p + 44, 64, acc, false);
		}
	}
	if (r == SB_DHCP_OK)
		r = decode_options(acc, m);
	return r;
}

enum sb_dhcp_refuse
sb_dhcp_parse_frame(const uint8_t *f, size_t len, struct sb_dhcp_msg *m)
{
	size_t off = 12;
	uint16_t et;

	memset(m, 0, sizeof(*m));
	if (len < ETH_HLEN)
		return SB_DHCP_R_TRUNCATED;
	memcpy(m->src_mac, f + 6, 6);
	et = get16(f + off);
	if (et == 0x8100) {
		if (len < ETH_HLEN + 4)
			return SB_DHCP_R_TRUNCATED;
		off += 4;
		et = get16(f + off);
	}
	if (et != 0x0800)
		return SB_DHCP_R_NOT_IPV4;
	off += 2;

	const uint8_t *ip = f + off;
	size_t avail = len - off;

	if (avail < IP_HLEN)
		return SB_DHCP_R_TRUNCATED;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t tot = get16(ip + 2);

	if ((ip[0] >> 4) != 4 || ihl < IP_HLEN || tot < ihl)
		return SB_DHCP_R_BAD_IP;
	if (tot > avail)
		return SB_DHCP_R_TRUNCATED;
	if ((get16(ip + 6) & 0x3fff) != 0) /* MF or an offset: a fragment */
		return SB_DHCP_R_BAD_IP;
	if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
		return SB_DHCP_R_BAD_IP;
	if (ip[9] != 17)
		return SB_DHCP_R_NOT_UDP;
	m->src_ip = get32(ip + 12);
	m->dst_ip = get32(ip + 16);

	const uint8_t *udp = ip + ihl;
	size_t ulen_max = tot - ihl;

	if (ulen_max < UDP_HLEN)
		return SB_DHCP_R_TRUNCATED;
	if (get16(udp) != PORT_SERVER || get16(udp + 2) != PORT_CLIENT)
		return SB_DHCP_R_WRONG_PORTS;
	size_t ulen = get16(udp + 4);

	if (ulen < UDP_HLEN || ulen > ulen_max)
		return SB_DHCP_R_BAD_UDP;
	if (get16(udp + 6) != 0) {
		uint32_t s = csum_add(0, ip + 12, 8);

		s += 17 + (uint32_t)ulen;
		s = csum_add(s, udp, ulen);
		if (csum_fold(s) != 0xffff)
			return SB_DHCP_R_BAD_UDP;
	}
	return sb_dhcp_parse(udp + UDP_HLEN, ulen - UDP_HLEN, m);
}

/* --- the frame builder --------------------------------------------------- */

static uint8_t *
put_opt(uint8_t *o, uint8_t code, const void *v, size_t len)
{
	o[0] = code;
	o[1] = (uint8_t)len;
	memcpy(o + 2, v, len);
	return o + 2 + len;
}

static uint8_t *
put_opt32(uint8_t *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return put_opt(o, code, b, 4);
}

size_t
sb_dhcp_client_id(const struct sb_dhcp_conf *c, uint8_t *cid)
{
	if (c->client_id_len > 0) {
		memcpy(cid, c->client_id, c->client_id_len);
		return c->client_id_len;
	}
	cid[0] = 1; /* Ethernet, then the MAC (RFC 2132 9.14) */
	memcpy(cid + 1, c->mac, 6);
	return 7;
}

size_t
sb_dhcp_build(const struct sb_dhcp_tx *t, uint8_t *f)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t prl[] = { OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_LEASE, OPT_SERVER,
				       OPT_T1, OPT_T2, OPT_CSR };
	uint8_t *ip = f + ETH_HLEN, *udp = ip + IP_HLEN, *b = udp + UDP_HLEN;
	uint8_t *o = b + BOOTP_FIXED + 4;
	uint8_t cid[1 + SB_DHCP_CLIENT_ID_MAX];
	size_t cid_len, blen, ulen;
	uint32_t s;

	memset(f, 0, SB_DHCP_FRAME_MAX);
	memcpy(f, t->dst_mac != NULL ? t->dst_mac : bcast, 6);
	memcpy(f + 6, t->conf->mac, 6);
	put16(f + 12, 0x0800);

	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, t->xid);
	/* RFC 2131 table 5: secs is 0 in DECLINE and RELEASE. */
	if (t->type != SB_DHCP_DECLINE && t->type != SB_DHCP_RELEASE)
		put16(b + 8, t->secs);
	put32(b + 12, t->ciaddr);
	memcpy(b + 28, t->conf->mac, 6);
	put32(b + BOOTP_FIXED, DHCP_COOKIE);

	*o++ = OPT_TYPE;
	*o++ = 1;
	*o++ = t->type;
	cid_len = sb_dhcp_client_id(t->conf, cid);
	o = put_opt(o, OPT_CLIENT_ID, cid, cid_len);
	if (t->req_ip != 0)
		o = put_opt32(o, OPT_REQ_IP, t->req_ip);
	if (t->server_id != 0)
		o = put_opt32(o, OPT_SERVER, t->server_id);
	if (t->params) {
		size_t hl = strnlen(t->conf->hostname, SB_DHCP_HOSTNAME_MAX - 1);
		uint8_t ms[2];

		if (hl > 0)
			o = put_opt(o, OPT_HOSTNAME, t->conf->hostname, hl);
		o = put_opt(o, OPT_PRL, prl, sizeof(prl));
		put16(ms, MAX_MSG_SIZE);
		o = put_opt(o, OPT_MAX_SIZE, ms, 2);
	}
	*o++ = OPT_END;
	blen = (size_t)(o - b);
	if (blen < BOOTP_MIN_SIZE)
		blen = BOOTP_MIN_SIZE; /* zeros: pad options */

	ulen = UDP_HLEN + blen;
	put16(udp, PORT_CLIENT);
	put16(udp + 2, PORT_SERVER);
	put16(udp + 4, (uint16_t)ulen);

	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HLEN + ulen));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, t->ciaddr);
	put32(ip + 16, t->dst_ip);
	put16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, IP_HLEN)));

	s = csum_add(0, ip + 12, 8) + 17 + (uint32_t)ulen;
	s = csum_add(s, udp, ulen);
	uint16_t c = (uint16_t)~csum_fold(s);

	put16(udp + 6, c == 0 ? 0xffff : c);
	return ETH_HLEN + IP_HLEN + ulen;
}
