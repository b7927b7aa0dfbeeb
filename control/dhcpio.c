/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: DHCP through the ports, leases applied (dhcpio.h). */
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>

#include "dhcpio.h"
#include "addr.h"
#include "clock.h"
#include "ctl.h"
#include "lease.h"
#include "pkt.h"
#include "sb_log.h"
#include "wan.h"

int64_t
sb_dhcpio_wall_s(void)
{
	return (int64_t)time(NULL);
}

void
sb_dhcpio_send(void *ctx, unsigned port, const uint8_t *frame, size_t len)
{
	struct sb_ctl *c = ctx;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	char *p;

	if (m == NULL)
		return; /* retransmitted later, as a lost frame would be */
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, len);
	sb_pkt_inject(c->inject, port, m);
}

/* What each port's lease change means for the rest; the loop publishes. */
static void
apply(struct sb_ctl *c, uint64_t now)
{
	struct sb_leases *ls = &c->leases;

	ls->dirty = false;
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct sb_lease_port *lp = &ls->port[p];
		const char *name = c->cfg->ports[p].name;
		char a[SB_ADDR_STRLEN], o[SB_ADDR_STRLEN], desc[256];
		unsigned ev;

		if (lp->client == NULL)
			continue;
		ev = lp->pending;
		lp->pending = 0;
		if (ev == 0)
			continue;
		/* The WAN's addressing (wan.c, sb_wan_set_address): monitors
		 * through the new gateway, probes from the new address, down
		 * while it has none, a generation bump when it moves. A lease
		 * on another address after one was lost moves it too (keep
		 * policy sessions still hold the old one). */
		{
			bool from_none = c->wans.wan[p].addr == 0;

			sb_wan_set_address(&c->wans, p, lp->bound ? lp->lease.addr : 0,
					   lp->bound ? lp->lease.prefix_len : 0,
					   lp->bound ? lp->lease.router : 0,
					   lp->bound ? NULL : lp->reason);
			if ((ev & SB_LEASE_CHANGED) && from_none)
				c->wans.wan[p].gen++;
		}
		sb_addr_str(lp->lease.addr, a, sizeof(a));
		sb_addr_str(lp->old_addr, o, sizeof(o));
		sb_lease_describe(ls, p, now, desc, sizeof(desc));
		if (!lp->bound) {
			SB_WARN(WAN, "wan %s %s: address %s withdrawn", name, lp->reason, o);
			continue;
		}
		if (ev & SB_LEASE_CHANGED) {
			/* The worker drops the old reply keys when it sees the
			 * new address published (conntrack.h,
			 * sb_ct_port_readdress); the generation makes the rest
			 * stale (TCP reset toward the LAN). */
			SB_WARN(WAN, "wan %s address %s -> %s (%s)", name, o, a, desc);
			sb_notify_wan(&c->notify, "address", name, o, a, desc, true);
		} else if (ev & SB_LEASE_BOUND) {
			SB_INFO(WAN, "wan %s lease %s/%u (%s)", name, a, lp->lease.prefix_len, desc);
		} else if (ev & SB_LEASE_UPDATED) {
			SB_INFO(WAN, "wan %s lease updated (%s)", name, desc);
		}
	}
	c->wans.dirty = true;
}

void
sb_dhcpio_punt(struct sb_ctl *c, unsigned port, const struct rte_mbuf *m)
{
	uint8_t buf[2048];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *f;
	uint64_t now = sb_now_ms();

	/* A longer frame is no DHCP reply: its IP length will not fit what
	 * is read, and the client counts it refused. */
	if (len > sizeof(buf))
		len = sizeof(buf);
	f = rte_pktmbuf_read(m, 0, len, buf);
	if (f == NULL)
		return;
	sb_lease_rx(&c->leases, port, f, len, now, sb_dhcpio_wall_s());
	if (c->leases.dirty)
		apply(c, now);
}

void
sb_dhcpio_tick(struct sb_ctl *c)
{
	uint64_t now;

	if (c->leases.n == 0)
		return;
	now = sb_now_ms();
	sb_lease_tick(&c->leases, now, sb_dhcpio_wall_s());
	if (c->leases.dirty)
		apply(c, now);
}
