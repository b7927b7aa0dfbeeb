/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP leases of WAN ports, applied. One client (dhcp.c)
 * per port with address = dhcp; its frames leave through an io hook; its
 * lease becomes the port's address (masquerade, ARP, probe source), the
 * connected route, the default route(s) with the configured distance, the
 * classless static routes and the [wan] monitors' gateway; the lease is
 * kept on disk for INIT-REBOOT.
 *
 * Parts report, the loop publishes: what happened to a port is left in
 * its @pending bits and @dirty is set; the control loop then settles the
 * WANs (down "no lease" while unbound), flushes what was on an old address
 * and publishes once (docs/threading.md). Control thread; pure (no EAL). */
#ifndef SB_LEASE_H
#define SB_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sb_config.h"
#include "dhcp.h"

struct sb_rib;

/* Routes a lease may own: connected, default in main and in its PCC
 * table, classless routes; old ones stay (disabled) for reuse. */
#define SB_LEASE_MAX_ROUTES 64

/* What happened to a port since the loop last looked (sb_lease_port.pending). */
enum {
	SB_LEASE_BOUND = 1u << 0,    /* a lease is in use (first, or again) */
	SB_LEASE_CHANGED = 1u << 1,  /* ...on another address: old_addr's state is stale */
	SB_LEASE_LOST = 1u << 2,     /* the lease is gone: reason */
	SB_LEASE_UPDATED = 1u << 3,  /* renewed with other routes, gateway or DNS */
};

struct sb_lease_route {
	int idx;                     /* RIB index */
	bool connected;
	uint32_t dst, gw;
	uint8_t len, table;
};

struct sb_lease_port {
	struct sb_dhcp *client;      /* NULL: not a DHCP port */
	bool bound;
	struct sb_dhcp_lease lease;  /* in use when @bound */
	uint32_t old_addr;           /* the address before the last CHANGED */
	char reason[64];             /* why unbound: "no lease", "lease lost (nak)" */
	unsigned pending;            /* SB_LEASE_* bits, cleared by the loop */
	uint64_t n_bound, n_renewed, n_changed, n_lost;
	unsigned n_routes;
	struct sb_lease_route routes[SB_LEASE_MAX_ROUTES];
	unsigned routes_dropped;     /* classless routes beyond SB_LEASE_MAX_ROUTES */
	int save_err;                /* last lease file error (negative errno), 0 = fine */
};

/* How frames leave: @send(ctx, port, frame, len), a complete untagged
 * Ethernet frame to transmit on @port. */
struct sb_lease_io {
	void *ctx;
	void (*send)(void *ctx, unsigned port, const uint8_t *frame, size_t len);
};

struct sb_leases {
	/* The running configuration: ports[].addr/prefix_len and
	 * wan[].gateway of DHCP ports follow their leases (0 while unbound). */
	struct sb_config *cfg;
	struct sb_rib *rib;
	struct sb_lease_io io;
	unsigned n;                  /* DHCP ports */
	struct sb_lease_port port[SB_MAX_PORTS];
	bool dirty;                  /* something changed: settle and publish */
};

/**
 * Set up a client for each port of @cfg with address = dhcp (@mac: each
 * port's MAC), read its kept lease (@wall_s: the wall clock at @now_ms)
 * and start it: INIT-REBOOT with a lease still valid, else DISCOVER.
 * Returns 0, or -ENOMEM / -EINVAL. Control thread, after the RIB exists.
 */
int sb_lease_init(struct sb_leases *ls, struct sb_config *cfg, struct sb_rib *rib,
		  const uint8_t (*mac)[6], const struct sb_lease_io *io, uint64_t now_ms,
		  int64_t wall_s, uint64_t seed);

/** Stop every client: RELEASE where dhcp_release = yes (the kept lease
 * file is removed then), else keep the file for the next start. */
void sb_lease_stop(struct sb_leases *ls, uint64_t now_ms);

/** Free what sb_lease_init allocated. */
void sb_lease_fini(struct sb_leases *ls);

/** A frame punted from @port (UDP 67 -> 68). Returns SB_DHCP_OK or why it
 * was refused (counted in the port's client). */
enum sb_dhcp_refuse sb_lease_rx(struct sb_leases *ls, unsigned port, const uint8_t *frame,
				size_t len, uint64_t now_ms, int64_t wall_s);

/** Run the clients' timers (retransmissions, T1, T2, expiry). Control
 * loop, every iteration (cheap when nothing is due). */
void sb_lease_tick(struct sb_leases *ls, uint64_t now_ms, int64_t wall_s);

/** True when RIB route @idx is one a lease made (connected, default or
 * classless route of a DHCP port): a reload leaves it to the lease. */
bool sb_lease_owns(const struct sb_leases *ls, unsigned idx);

/** True for a port that is not a DHCP port, or holds a lease. */
bool sb_lease_usable(const struct sb_leases *ls, unsigned port);

/** The DHCP part of `wan print` for @port: "" when not a DHCP port. */
int sb_lease_describe(const struct sb_leases *ls, unsigned port, uint64_t now_ms,
		      char *buf, size_t len);

/** The same as a JSON object ("null" when not a DHCP port). */
int sb_lease_json(const struct sb_leases *ls, unsigned port, uint64_t now_ms,
		  char *buf, size_t len);

#endif
