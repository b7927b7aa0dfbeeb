/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP client of a WAN port, its state machine. See
 * dhcp.h; the state names and timers are RFC 2131's (section 4.4,
 * figure 5). The wire format is in dhcp_wire.c, the disk in dhcp_lease.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sb_common.h"
#include "dhcp_priv.h"

struct sb_dhcp {
	struct sb_dhcp_conf conf;
	enum sb_dhcp_state state;
	uint64_t rng;
	uint32_t xid;
	uint64_t acq_start_ms;   /* start of this acquisition or renewal (secs field) */
	uint64_t xchg_start_ms;  /* first send of the current REQUEST: the lease starts there */
	uint64_t next_ms;        /* next timer, UINT64_MAX = none */
	uint32_t rtx_ms;         /* the next retransmission's base delay */
	unsigned tries;          /* sends of the current message */
	unsigned naks;           /* NAKs since the last binding, for the restart delay */
	uint32_t requested;      /* REQUESTING/REBOOTING: the address asked for; else a hint */
	struct sb_dhcp_lease offer; /* REQUESTING/REBOOTING: what is asked for */
	bool have_lease;
	struct sb_dhcp_lease lease;
	uint32_t last_addr;      /* last address held since creation, for CHANGED */
	struct sb_dhcp_stats st;
};

/* --- small helpers ------------------------------------------------------- */

static uint64_t
rng_next(struct sb_dhcp *d)
{
	d->rng += 0x9e3779b97f4a7c15ull;
	return sb_mix64(d->rng);
}

/* A unicast address a host may hold: not 0/8, loopback, multicast, class E
 * or limited broadcast, and not its subnet's network or broadcast address. */
static bool
usable_addr(uint32_t a, uint8_t plen)
{
	uint8_t top = (uint8_t)(a >> 24);

	if (top == 0 || top == 127 || top >= 224)
		return false;
	if (plen > 0 && plen < 31) {
		uint32_t host = ~(~0u << (32 - plen));

		if ((a & host) == 0 || (a & host) == host)
			return false;
	}
	return true;
}

/* The classful prefix, for a server that gave no subnet mask (RFC 1122). */
static uint8_t
classful_len(uint32_t a)
{
	if ((a >> 31) == 0)
		return 8;
	if ((a >> 30) == 2)
		return 16;
	return 24;
}

/* --- names --------------------------------------------------------------- */

static const char *const refuse_names[SB_DHCP_R_MAX] = {
	[SB_DHCP_OK] = "ok",
#define SB_DHCP_X_NAME(sym, name, desc) [SB_DHCP_R_##sym] = name,
	SB_DHCP_REFUSE_LIST(SB_DHCP_X_NAME)
#undef SB_DHCP_X_NAME
};

const char *
sb_dhcp_refuse_name(enum sb_dhcp_refuse r)
{
	return (unsigned)r < SB_DHCP_R_MAX ? refuse_names[r] : "?";
}

const char *
sb_dhcp_state_name(enum sb_dhcp_state s)
{
	static const char *const n[] = {
		[SB_DHCP_STOPPED] = "stopped", [SB_DHCP_INIT] = "init",
		[SB_DHCP_SELECTING] = "selecting", [SB_DHCP_REQUESTING] = "requesting",
		[SB_DHCP_REBOOTING] = "init-reboot", [SB_DHCP_BOUND] = "bound",
		[SB_DHCP_RENEWING] = "renewing", [SB_DHCP_REBINDING] = "rebinding",
	};

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *
sb_dhcp_type_name(unsigned type)
{
	static const char *const n[] = {
		"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
	};

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

/* --- the state machine --------------------------------------------------- */

/* Callers fill in what the message says (struct sb_dhcp_tx less conf, xid
 * and secs); send_msg() adds the exchange's own fields. */
static void
send_msg(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_tx *t, struct sb_dhcp_out *out)
{
	uint64_t secs = (now - d->acq_start_ms) / 1000;

	t->conf = &d->conf;
	t->xid = d->xid;
	t->secs = (uint16_t)(secs > 0xffff ? 0xffff : secs);
	out->frame_len = sb_dhcp_build(t, out->frame);
	d->st.sent[t->type]++;
	d->tries++;
}

static void
out_clear(struct sb_dhcp_out *out)
{
	out->frame_len = 0;
	out->n_ev = 0;
}

static struct sb_dhcp_event *
push_ev(struct sb_dhcp_out *out, enum sb_dhcp_ev_kind kind)
{
	struct sb_dhcp_event *e = &out->ev[out->n_ev++];

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

/* The exponential backoff of RFC 2131 4.1: 4 s, 8 s, ... 64 s, each -1..+1 s. */
static uint64_t
backoff(struct sb_dhcp *d)
{
	uint64_t delay = d->rtx_ms - SB_DHCP_RTX_FUZZ_MS + rng_next(d) % (2 * SB_DHCP_RTX_FUZZ_MS + 1);

	if (d->rtx_ms < SB_DHCP_RTX_MAX_MS)
		d->rtx_ms = d->rtx_ms * 2 > SB_DHCP_RTX_MAX_MS ? SB_DHCP_RTX_MAX_MS : d->rtx_ms * 2;
	return delay;
}

static void
new_exchange(struct sb_dhcp *d, uint64_t now)
{
	d->xid = (uint32_t)rng_next(d);
	d->acq_start_ms = now;
	d->xchg_start_ms = now;
	d->rtx_ms = SB_DHCP_RTX_FIRST_MS;
	d->tries = 0;
}

static void
send_discover(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_out *out)
{
	struct sb_dhcp_tx t = { .type = SB_DHCP_DISCOVER, .req_ip = d->requested,
			.dst_ip = 0xffffffffu, .params = true };

	d->state = SB_DHCP_SELECTING;
	send_msg(d, now, &t, out);
	d->next_ms = sat_add(now, backoff(d));
}

/* REQUEST in SELECTING (server id) or INIT-REBOOT (none): broadcast, no ciaddr. */
static void
send_request_for(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_out *out)
{
	struct sb_dhcp_tx t = { .type = SB_DHCP_REQUEST, .req_ip = d->requested,
			.server_id = d->state == SB_DHCP_REQUESTING ? d->offer.server : 0,
			.dst_ip = 0xffffffffu, .params = true };

	send_msg(d, now, &t, out);
	d->next_ms = sat_add(now, backoff(d));
}

static uint64_t
at_s(const struct sb_dhcp_lease *l, uint32_t s)
{
	return s == SB_DHCP_INFINITE ? UINT64_MAX : sat_add(l->start_ms, (uint64_t)s * 1000);
}

/* RENEWING and REBINDING: half the time left to @until, no sooner than the
 * floor, never past @until (the next state's turn). */
static uint64_t
renew_next(const struct sb_dhcp *d, uint64_t now, uint64_t until)
{
	uint64_t lease_ms = (uint64_t)d->lease.lease_s * 1000;
	uint64_t floor = lease_ms / 16 < SB_DHCP_RENEW_MIN_MS ? lease_ms / 16 : SB_DHCP_RENEW_MIN_MS;
	uint64_t wait = (until - now) / 2;

	if (floor < 1000)
		floor = 1000;
	if (wait < floor)
		wait = floor;
	return sat_add(now, wait) < until ? now + wait : until;
}

/* REQUEST in RENEWING (unicast to the server) or REBINDING (broadcast). */
static void
send_renewal(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_out *out)
{
	static const uint8_t zero[6];
	bool uni = d->state == SB_DHCP_RENEWING;
	struct sb_dhcp_tx t = { .type = SB_DHCP_REQUEST, .ciaddr = d->lease.addr,
			.dst_ip = uni ? d->lease.server : 0xffffffffu,
			.dst_mac = uni && memcmp(d->lease.server_mac, zero, 6) != 0 ?
				   d->lease.server_mac : NULL,
			.params = true };

	send_msg(d, now, &t, out);
	d->next_ms = renew_next(d, now, uni ? at_s(&d->lease, d->lease.t2_s) :
					      at_s(&d->lease, d->lease.lease_s));
}

static void
lose(struct sb_dhcp *d, const char *reason, struct sb_dhcp_out *out)
{
	struct sb_dhcp_event *e = push_ev(out, SB_DHCP_EV_LOST);

	e->reason = reason;
	e->old_addr = d->lease.addr;
	e->lease = d->lease;
	d->have_lease = false;
	d->st.lost++;
}

/* Start over from INIT after @delay (0: the DISCOVER goes now). */
static void
restart(struct sb_dhcp *d, uint64_t now, uint64_t delay, struct sb_dhcp_out *out)
{
	d->state = SB_DHCP_INIT;
	d->next_ms = sat_add(now, delay);
	if (delay == 0) {
		new_exchange(d, now);
		send_discover(d, now, out);
	}
}

static void
bind_lease(struct sb_dhcp *d, const struct sb_dhcp_lease *l, bool renewal, struct sb_dhcp_out *out)
{
	bool changed = d->last_addr != 0 && d->last_addr != l->addr;
	struct sb_dhcp_event *e = push_ev(out, changed ? SB_DHCP_EV_CHANGED : SB_DHCP_EV_BOUND);

	e->renewal = renewal;
	e->old_addr = d->last_addr;
	e->lease = *l;
	if (changed)
		d->st.changed++;
	else
		d->st.bound++;
	d->lease = *l;
	d->have_lease = true;
	d->last_addr = l->addr;
	d->requested = 0;
	d->naks = 0;
	d->state = SB_DHCP_BOUND;
	d->next_ms = at_s(&d->lease, d->lease.t1_s);
}

/* The lease an OFFER or ACK describes, started at @start. */
static void
make_lease(const struct sb_dhcp_msg *m, uint64_t start, struct sb_dhcp_lease *l)
{
	memset(l, 0, sizeof(*l));
	l->addr = m->yiaddr;
	l->prefix_len = m->has_mask ? m->prefix_len : classful_len(m->yiaddr);
	l->server = m->server_id;
	memcpy(l->server_mac, m->src_mac, 6);
	l->n_dns = m->n_dns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	if (m->has_csr) {
		/* RFC 3442: with classless routes the router option is ignored;
		 * a 0/0 among them is the default route. */
		for (unsigned i = 0; i < m->n_csr; i++) {
			if (m->csr[i].len == 0)
				l->router = m->csr[i].gw;
			else if (l->n_routes < SB_DHCP_MAX_ROUTES)
				l->routes[l->n_routes++] = m->csr[i];
		}
	} else if (m->n_routers > 0) {
		l->router = m->router;
	}
	if (l->router == l->addr || !usable_addr(l->router, 0))
		l->router = 0;
	l->lease_s = m->lease_s;
	if (l->lease_s == SB_DHCP_INFINITE) {
		l->t1_s = l->t2_s = SB_DHCP_INFINITE;
	} else {
		/* RFC 2131 4.4.5: defaults 0.5 and 0.875 of the lease; the
		 * server's own only when they are in order. */
		uint32_t t1 = m->has_t1 ? m->t1_s : l->lease_s / 2;
		uint32_t t2 = m->has_t2 ? m->t2_s : (uint32_t)((uint64_t)l->lease_s * 7 / 8);

		if (!(t1 <= t2 && t2 <= l->lease_s)) {
			t1 = l->lease_s / 2;
			t2 = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
		}
		l->t1_s = t1;
		l->t2_s = t2;
	}
	l->start_ms = start;
}

static enum sb_dhcp_refuse
check_lease_fields(const struct sb_dhcp_msg *m)
{
	uint8_t plen = m->has_mask ? m->prefix_len : classful_len(m->yiaddr);

	if (m->server_id == 0)
		return SB_DHCP_R_NO_SERVER_ID;
	if (!usable_addr(m->yiaddr, plen))
		return SB_DHCP_R_BAD_ADDRESS;
	if (!m->has_lease || m->lease_s == 0)
		return SB_DHCP_R_NO_LEASE_TIME;
	return SB_DHCP_OK;
}

static enum sb_dhcp_refuse
on_offer(struct sb_dhcp *d, uint64_t now, const struct sb_dhcp_msg *m, struct sb_dhcp_out *out)
{
	enum sb_dhcp_refuse r;

	if (d->state != SB_DHCP_SELECTING)
		return SB_DHCP_R_UNEXPECTED;
	if ((r = check_lease_fields(m)) != SB_DHCP_OK)
		return r;
	/* The first acceptable offer is taken (RFC 2131 allows waiting for
	 * more; one ISP per WAN port answers anyway). Same xid; the lease
	 * will count from this REQUEST. */
	make_lease(m, now, &d->offer);
	d->requested = m->yiaddr;
	d->state = SB_DHCP_REQUESTING;
	d->xchg_start_ms = now;
	d->rtx_ms = SB_DHCP_RTX_FIRST_MS;
	d->tries = 0;
	send_request_for(d, now, out);
	return SB_DHCP_OK;
}

static enum sb_dhcp_refuse
on_ack(struct sb_dhcp *d, uint64_t now, const struct sb_dhcp_msg *m, struct sb_dhcp_out *out)
{
	struct sb_dhcp_lease l;
	enum sb_dhcp_refuse r;
	uint32_t want;

	(void)now;
	switch (d->state) {
	case SB_DHCP_REQUESTING:
	case SB_DHCP_REBOOTING:
		want = d->requested;
		break;
	case SB_DHCP_RENEWING:
	case SB_DHCP_REBINDING:
		want = d->lease.addr;
		break;
	default:
		return SB_DHCP_R_UNEXPECTED;
	}
	if ((r = check_lease_fields(m)) != SB_DHCP_OK)
		return r;
	if ((d->state == SB_DHCP_REQUESTING && m->server_id != d->offer.server) ||
	    (d->state == SB_DHCP_RENEWING && m->server_id != d->lease.server))
		return SB_DHCP_R_WRONG_SERVER;
	if (m->yiaddr != want)
		return SB_DHCP_R_WRONG_ADDRESS;
	make_lease(m, d->xchg_start_ms, &l);
	bind_lease(d, &l, d->state == SB_DHCP_RENEWING || d->state == SB_DHCP_REBINDING, out);
	return SB_DHCP_OK;
}

static enum sb_dhcp_refuse
on_nak(struct sb_dhcp *d, uint64_t now, const struct sb_dhcp_msg *m, struct sb_dhcp_out *out)
{
	uint64_t delay;

	switch (d->state) {
	case SB_DHCP_REQUESTING:
	case SB_DHCP_REBOOTING:
	case SB_DHCP_RENEWING:
	case SB_DHCP_REBINDING:
		break;
	default:
		return SB_DHCP_R_UNEXPECTED;
	}
	if (m->server_id == 0)
		return SB_DHCP_R_NO_SERVER_ID;
	if ((d->state == SB_DHCP_REQUESTING && m->server_id != d->offer.server) ||
	    (d->state == SB_DHCP_RENEWING && m->server_id != d->lease.server))
		return SB_DHCP_R_WRONG_SERVER;
	if (d->have_lease)
		lose(d, "nak", out);
	d->requested = 0;
	/* Start over at once; a server that keeps refusing is asked again
	 * after 4, 8, ... 64 s rather than in a tight loop. */
	d->naks++;
	delay = d->naks <= 1 ? 0 : (uint64_t)SB_DHCP_RTX_FIRST_MS << (d->naks - 2 > 4 ? 4 : d->naks - 2);
	restart(d, now, delay, out);
	return SB_DHCP_OK;
}

enum sb_dhcp_refuse
sb_dhcp_input(struct sb_dhcp *d, uint64_t now, const struct sb_dhcp_msg *m, struct sb_dhcp_out *out)
{
	enum sb_dhcp_refuse r;
	uint8_t cid[1 + SB_DHCP_CLIENT_ID_MAX];
	size_t cid_len;

	out_clear(out);
	if (memcmp(m->chaddr, d->conf.mac, 6) != 0) {
		r = SB_DHCP_R_WRONG_CHADDR;
		goto refuse;
	}
	if (d->state == SB_DHCP_STOPPED || d->state == SB_DHCP_INIT ||
	    d->state == SB_DHCP_BOUND) {
		r = SB_DHCP_R_UNEXPECTED; /* no exchange under way */
		goto refuse;
	}
	if (m->xid != d->xid) {
		r = SB_DHCP_R_WRONG_XID;
		goto refuse;
	}
	if (m->client_id_len > 0) {
		/* RFC 6842: an echoed client identifier must be ours. */
		cid_len = sb_dhcp_client_id(&d->conf, cid);
		if (m->client_id_len != cid_len || memcmp(m->client_id, cid, cid_len) != 0) {
			r = SB_DHCP_R_WRONG_CLIENT_ID;
			goto refuse;
		}
	}
	switch (m->type) {
	case SB_DHCP_OFFER:
		r = on_offer(d, now, m, out);
		break;
	case SB_DHCP_ACK:
		r = on_ack(d, now, m, out);
		break;
	case SB_DHCP_NAK:
		r = on_nak(d, now, m, out);
		break;
	default:
		r = SB_DHCP_R_BAD_TYPE;
		break;
	}
	if (r == SB_DHCP_OK) {
		d->st.received[m->type]++;
		return r;
	}
refuse:
	d->st.refused[r]++;
	return r;
}

enum sb_dhcp_refuse
sb_dhcp_receive(struct sb_dhcp *d, uint64_t now, const uint8_t *frame, size_t len,
		struct sb_dhcp_out *out)
{
	struct sb_dhcp_msg m;
	enum sb_dhcp_refuse r;

	out_clear(out);
	r = sb_dhcp_parse_frame(frame, len, &m);
	if (r == SB_DHCP_OK)
		r = sb_dhcp_input(d, now, &m, out);
	else
		d->st.refused[r]++;
	return r;
}

void
sb_dhcp_tick(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_out *out)
{
	out_clear(out);
	if (d->state == SB_DHCP_STOPPED || now < d->next_ms)
		return;
	switch (d->state) {
	case SB_DHCP_INIT:
		new_exchange(d, now);
		send_discover(d, now, out);
		break;
	case SB_DHCP_SELECTING:
		send_discover(d, now, out);
		break;
	case SB_DHCP_REQUESTING:
	case SB_DHCP_REBOOTING:
		if (d->tries >= (d->state == SB_DHCP_REQUESTING ? SB_DHCP_REQUEST_TRIES :
								  SB_DHCP_REBOOT_TRIES)) {
			/* No answer: start over, still asking for that address. */
			restart(d, now, 0, out);
			break;
		}
		send_request_for(d, now, out);
		break;
	case SB_DHCP_BOUND:
	case SB_DHCP_RENEWING:
	case SB_DHCP_REBINDING:
		if (now >= at_s(&d->lease, d->lease.lease_s)) {
			uint32_t old = d->lease.addr;

			lose(d, "expired", out);
			d->requested = old; /* ask for it again */
			restart(d, now, 0, out);
		} else if (now >= at_s(&d->lease, d->lease.t2_s)) {
			if (d->state != SB_DHCP_REBINDING) {
				new_exchange(d, now);
				d->state = SB_DHCP_REBINDING;
			}
			send_renewal(d, now, out);
		} else if (now >= at_s(&d->lease, d->lease.t1_s)) {
			if (d->state != SB_DHCP_RENEWING) {
				new_exchange(d, now);
				d->state = SB_DHCP_RENEWING;
			}
			send_renewal(d, now, out);
		} else {
			d->next_ms = at_s(&d->lease, d->lease.t1_s);
		}
		break;
	default:
		break;
	}
}

/* --- life cycle ---------------------------------------------------------- */

struct sb_dhcp *
sb_dhcp_create(const struct sb_dhcp_conf *conf)
{
	struct sb_dhcp *d;

	if (conf == NULL || conf->client_id_len > SB_DHCP_CLIENT_ID_MAX ||
	    (conf->client_id_len == 1) || (conf->mac[0] & 1) ||
	    memchr(conf->hostname, '\0', sizeof(conf->hostname)) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->conf = *conf;
	d->rng = conf->seed;
	d->state = SB_DHCP_STOPPED;
	d->next_ms = UINT64_MAX;
	return d;
}

void
sb_dhcp_free(struct sb_dhcp *d)
{
	free(d);
}

void
sb_dhcp_start(struct sb_dhcp *d, uint64_t now, const struct sb_dhcp_lease *kept,
	      struct sb_dhcp_out *out)
{
	out_clear(out);
	d->have_lease = false;
	d->naks = 0;
	d->requested = 0;
	new_exchange(d, now);
	if (kept != NULL && kept->addr != 0 &&
	    (kept->lease_s == SB_DHCP_INFINITE || now < at_s(kept, kept->lease_s))) {
		/* INIT-REBOOT (RFC 2131 3.2): ask to keep it. */
		d->offer = *kept;
		d->requested = kept->addr;
		d->state = SB_DHCP_REBOOTING;
		send_request_for(d, now, out);
		return;
	}
	if (kept != NULL)
		d->requested = kept->addr;
	send_discover(d, now, out);
}

void
sb_dhcp_stop(struct sb_dhcp *d, uint64_t now, bool release, struct sb_dhcp_out *out)
{
	out_clear(out);
	if (d->have_lease) {
		if (release) {
			static const uint8_t zero[6];
			struct sb_dhcp_tx t = { .type = SB_DHCP_RELEASE, .ciaddr = d->lease.addr,
					.server_id = d->lease.server, .dst_ip = d->lease.server,
					.dst_mac = memcmp(d->lease.server_mac, zero, 6) != 0 ?
						   d->lease.server_mac : NULL };

			d->xid = (uint32_t)rng_next(d);
			send_msg(d, now, &t, out);
		}
		lose(d, release ? "released" : "stopped", out);
	}
	d->state = SB_DHCP_STOPPED;
	d->next_ms = UINT64_MAX;
}

int
sb_dhcp_decline(struct sb_dhcp *d, uint64_t now, struct sb_dhcp_out *out)
{
	out_clear(out);
	if (d->state != SB_DHCP_BOUND || !d->have_lease)
		return -EINVAL;
	struct sb_dhcp_tx t = { .type = SB_DHCP_DECLINE, .req_ip = d->lease.addr,
			.server_id = d->lease.server, .dst_ip = 0xffffffffu };

	d->xid = (uint32_t)rng_next(d);
	send_msg(d, now, &t, out);
	lose(d, "declined", out);
	d->requested = 0;
	restart(d, now, SB_DHCP_DECLINE_WAIT_MS, out);
	return 0;
}

uint64_t
sb_dhcp_next_ms(const struct sb_dhcp *d)
{
	return d->state == SB_DHCP_STOPPED ? UINT64_MAX : d->next_ms;
}

enum sb_dhcp_state
sb_dhcp_state(const struct sb_dhcp *d)
{
	return d->state;
}

const struct sb_dhcp_lease *
sb_dhcp_lease(const struct sb_dhcp *d)
{
	return d->have_lease ? &d->lease : NULL;
}

uint64_t
sb_dhcp_remaining_ms(const struct sb_dhcp *d, uint64_t now)
{
	uint64_t end;

	if (!d->have_lease)
		return 0;
	end = at_s(&d->lease, d->lease.lease_s);
	if (end == UINT64_MAX)
		return UINT64_MAX;
	return end > now ? end - now : 0;
}

const struct sb_dhcp_stats *
sb_dhcp_stats(const struct sb_dhcp *d)
{
	return &d->st;
}

/* --- fuzzing ------------------------------------------------------------- */

static void
fuzz_states(const struct sb_dhcp_msg *m)
{
	static const enum sb_dhcp_state states[] = {
		SB_DHCP_SELECTING, SB_DHCP_REQUESTING, SB_DHCP_REBOOTING,
		SB_DHCP_RENEWING, SB_DHCP_REBINDING,
	};
	struct sb_dhcp_conf conf = { .seed = m->xid };
	struct sb_dhcp_out out;

	memcpy(conf.mac, m->chaddr, 6);
	conf.mac[0] &= 0xfe; /* a unicast MAC, as create() wants */
	for (unsigned i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		struct sb_dhcp *d = sb_dhcp_create(&conf);
		struct sb_dhcp_msg mm = *m;

		if (d == NULL)
			return;
		memcpy(mm.chaddr, conf.mac, 6);
		sb_dhcp_start(d, 1000, NULL, &out);
		d->state = states[i];
		d->xid = m->xid;
		d->requested = m->yiaddr;
		d->offer.server = m->server_id;
		if (states[i] == SB_DHCP_RENEWING || states[i] == SB_DHCP_REBINDING) {
			d->have_lease = true;
			d->lease.addr = m->yiaddr;
			d->lease.server = m->server_id;
			d->lease.lease_s = 120;
			d->lease.t1_s = 60;
			d->lease.t2_s = 105;
			d->lease.start_ms = 1000;
		}
		sb_dhcp_input(d, 2000, &mm, &out);
		sb_dhcp_tick(d, 2000 + (uint64_t)(m->xid % 200000), &out);
		sb_dhcp_tick(d, UINT64_MAX - 1, &out);
		sb_dhcp_stop(d, UINT64_MAX - 1, true, &out);
		sb_dhcp_free(d);
	}
}

enum sb_dhcp_refuse
sb_dhcp_fuzz_one(const uint8_t *data, size_t len)
{
	struct sb_dhcp_msg m;
	enum sb_dhcp_refuse r = sb_dhcp_parse_frame(data, len, &m);

	if (r == SB_DHCP_OK)
		fuzz_states(&m);
	memset(&m, 0, sizeof(m));
	if (sb_dhcp_parse(data, len, &m) == SB_DHCP_OK)
		fuzz_states(&m);
	return r;
}
