/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a WAN's life. Route probes (check_gateway), [wan NAME]
 * monitors, the judgement of each WAN (quorum, trigger levels, failback
 * hold-down), carrier, the operator's override, last resort, alerts and
 * the session generation that flushes a WAN's sessions lazily.
 *
 * Pure logic on the control thread: no EAL, no packets. Time comes in as
 * an argument (unit tests drive it with a fake clock, tests/test_wan.c);
 * probes leave and people are told through struct sb_wan_io. Parts report
 * what happened: a change marks @dirty, and the control loop settles the
 * WANs (sb_wan_apply) and publishes once (docs/threading.md). */
#ifndef SB_WAN_H
#define SB_WAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_config.h"
#include "sb_tables.h"
#include "probe.h"

struct sb_rib;

/* One WAN port. Indexed by port index in struct sb_wans (LAN ports keep a
 * zeroed entry nobody looks at). */
struct sb_wan {
	const char *name;
	bool down;                /* out of service: traffic avoids it */
	enum sb_wstate state;     /* shown: up, degraded or down */
	uint32_t gen;             /* session generation: a bump flushes its sessions */
	uint32_t moves;           /* of its bumps, those of sessions_on_failback = move */
	int8_t force;             /* operator: 0 auto, 1 forced up, -1 forced down */
	char reason[512];         /* why it is in its state, with the evidence */
	uint64_t down_since_ms;   /* last change, for alert_after_s */
	bool alerted;
	/* Addressing: from [port] and [wan] gateway, or from a DHCP lease at
	 * run time (sb_wan_set_address). */
	uint32_t addr;            /* host order; 0 = none yet (address = dhcp) */
	uint8_t prefix_len;
	uint32_t gateway;         /* monitors' next hop when off-link, 0 = none */
	char addr_why[64];        /* why @addr is 0: "no lease", "lease lost (nak)" */
	/* [wan NAME] monitors: mon[0 .. n_mon) (in sb_wans.mons). */
	struct sb_probe *mon;
	unsigned n_mon;
	bool out;                 /* traffic kept off it (monitors, after the hold-down) */
	enum sb_wstate out_state; /* DOWN or DEGRADED while out */
	bool holding;             /* healthy again, failback waits for hold_until */
	uint64_t hold_until;
	struct sb_wan_health h;   /* the last judgement */
};

/* How probes leave and who is told. */
struct sb_wan_io {
	void *ctx;
	/** Send probe @p (ARP for @p->target, or an ICMP echo with its id and
	 * seq) out of @port towards next hop @hop, from the port's address. */
	void (*send)(void *ctx, unsigned port, uint32_t hop, const struct sb_probe *p);
	/** WAN @port changed state (@event "change") or has been down for
	 * alert_after_s ("alert"). */
	void (*notify)(void *ctx, const char *event, unsigned port, const char *old_state,
		       const char *new_state, const char *reason, bool in_service);
};

struct sb_wans {
	const struct sb_config *cfg;
	struct sb_rib *rib;
	struct sb_wan_io io;
	unsigned n_ports;
	struct sb_wan wan[SB_MAX_PORTS];  /* by port index */
	bool link_down[SB_MAX_PORTS];     /* carrier, every port */
	struct sb_probe *probes;          /* check_gateway routes; ICMP ids first */
	unsigned n_probes;
	struct sb_probe *mons;            /* every [wan] monitor; ids after the probes' */
	unsigned n_mons;
	uint64_t changes;                 /* WAN state changes */
	uint32_t came_up;                 /* ports whose carrier came back, until sb_wan_apply */
	bool dirty;                       /* something changed: settle and publish */
};

/**
 * Set up @ws for @cfg and @rib (already built): a probe per checked route
 * and the monitors of every [wan] section, first probes spread over the
 * interval from @now_ms. Returns 0, -EINVAL with a message in @err (too
 * many probes to tell apart), or -ENOMEM. Main lcore.
 */
int sb_wan_init(struct sb_wans *ws, const struct sb_config *cfg, struct sb_rib *rib,
		const struct sb_wan_io *io, uint64_t now_ms, char *err, size_t errlen);

/**
 * A reload: @cfg (same ports) replaces the running config. Probes and
 * monitors are made again for it, each keeping the history of the one it
 * replaces (same route or WAN, same target, same method), so no WAN
 * changes state for a reload. 0, or -EINVAL / -ENOMEM with @ws as it was.
 * Control thread.
 */
int sb_wan_reload(struct sb_wans *ws, const struct sb_config *cfg, uint64_t now_ms, char *err,
		  size_t errlen);

/** Free what sb_wan_init allocated. */
void sb_wan_fini(struct sb_wans *ws);

/**
 * Time out unanswered probes, end hold-downs and send the probes that are
 * due (route probes through the route's resolved path, monitors out of
 * their own WAN whatever the FIB says). Control loop, every iteration.
 */
void sb_wan_tick(struct sb_wans *ws, uint64_t now_us);

/** An ICMP echo reply with @id and @seq from @src (host order) came in on
 * port @port: the answer of a probe or monitor, if it matches one. */
void sb_wan_echo_reply(struct sb_wans *ws, unsigned port, uint32_t src, uint16_t id,
		       uint16_t seq, uint64_t now_us);

/** An ARP reply from @sip came in on @port: answers ARP probes of it. */
void sb_wan_arp_reply(struct sb_wans *ws, unsigned port, uint32_t sip, uint64_t now_us);

/** Carrier of @port as the port reports it. A change is logged and takes
 * effect at the next sb_wan_apply (well within 50 ms). */
void sb_wan_set_link(struct sb_wans *ws, unsigned port, bool down);

/**
 * The address of WAN @port changed at run time (a DHCP lease came, moved
 * or went; @addr 0 = none): monitors' next hops follow @gateway, sessions
 * NATed to the old address are flushed (generation bump), and the WAN is
 * judged again at the next sb_wan_apply (down while it has no address,
 * with @why as the reason, e.g. "no lease" or "lease lost (nak)"; NULL:
 * "no address"). Control thread.
 */
void sb_wan_set_address(struct sb_wans *ws, unsigned port, uint32_t addr, uint8_t prefix_len,
			uint32_t gateway, const char *why);

/** The operator's override of WAN @port: 1 up, -1 down, 0 automatic. */
void sb_wan_force(struct sb_wans *ws, unsigned port, int force);

/**
 * Settle: feed carrier, override, failed checks and monitors into the RIB,
 * resolve it, and judge every WAN from the result: state, reason, log
 * lines, notifications, generation bumps (lazy flush; not when no other
 * WAN is up: last resort). Clears @dirty. The caller publishes after.
 * Control loop.
 */
void sb_wan_apply(struct sb_wans *ws, uint64_t now_ms);

/** What workers see of each WAN (generation, up), for publication. */
void sb_wan_published(const struct sb_wans *ws, struct sb_wan_state out[SB_MAX_PORTS]);

/** Alert once for each WAN down longer than alert_after_s. Control loop. */
void sb_wan_alerts(struct sb_wans *ws, uint64_t now_ms);

/** "forced-down", "forced-up", "forced-up(down)", or the state's name. */
const char *sb_wan_state_name(const struct sb_wan *w);

#endif
