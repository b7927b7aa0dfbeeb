/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the validated, read-only configuration (see docs/config.md). */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sb_common.h"

enum sb_check { SB_CHECK_NONE = 0, SB_CHECK_PING, SB_CHECK_ARP };
enum sb_ecmp_hash { SB_ECMP_L3 = 0, SB_ECMP_L4 };
/* Which crossed quality threshold takes traffic off a WAN (pfSense's
 * trigger levels). Bit 0: loss, bit 1: latency. */
enum sb_trigger { SB_TRIGGER_DOWN = 0, SB_TRIGGER_LOSS = 1, SB_TRIGGER_LATENCY = 2,
		  SB_TRIGGER_LOSS_OR_LATENCY = 3 };

#define SB_WAN_MAX_MONITORS 8

/* [wan NAME]: WAN-level health from monitor hosts probed through that WAN
 * only. Keys not given take [check_gateway]'s values. */
struct sb_wan_conf {
	bool enabled;             /* the section exists */
	enum sb_check method;     /* SB_CHECK_PING (icmp) or SB_CHECK_ARP */
	unsigned n_monitors;
	uint32_t monitor[SB_WAN_MAX_MONITORS]; /* host order */
	uint32_t gateway;         /* next hop of the probes, 0 = monitors on-link */
	bool gateway_derived;     /* taken from a route, not given */
	uint32_t interval_ms, timeout_ms, down_after, up_after, hold_down_ms;
	uint32_t quorum;          /* up while at least this many monitors answer */
	uint32_t loss_pct, latency_ms, window;
	enum sb_trigger trigger;
};

/* address = dhcp: the port's address, routes and gateway come from a DHCP
 * lease (control/lease.c); addr and prefix_len stay 0 in the config. */
struct sb_port_dhcp {
	bool enabled;
	uint8_t client_id[64];    /* option 61 as sent; length 0 = type 1 + MAC */
	uint8_t client_id_len;
	char hostname[64];        /* option 12, "" = not sent */
	bool default_route;       /* add a default route via the lease's router */
	uint8_t distance;         /* of that default route */
	enum sb_check check;      /* check_gateway of that default route */
	bool classless_routes;    /* install option 121 routes */
	bool release;             /* RELEASE the lease on a clean stop */
	char lease_file[256];     /* the lease kept for INIT-REBOOT, "" = none */
};

/* One management entry of an AF_XDP port (docs/afxdp.md): traffic to addr
 * (of proto, to port) goes to the kernel. proto 0 = any, port 0 = any. */
struct sb_mgmt_conf {
	uint32_t addr;            /* host order */
	uint8_t proto;
	uint16_t port;
};

struct sb_prefix {
	uint32_t addr;            /* host order, masked */
	uint8_t len;
};

#define SB_MAX_MGMT  16           /* management entries per port */
#define SB_MAX_BLOCK 256          /* [xdp] block prefixes in the file */
#define SB_XDP_SYN_PER_SOURCE_DEFAULT 4000 /* [xdp] syn_per_source */

struct sb_port_conf {
	char name[SB_NAME_LEN];
	char device[SB_DEV_LEN];  /* PCI address or vdev string */
	enum sb_port_role role;
	uint32_t addr;            /* host byte order */
	uint8_t prefix_len;
	bool masquerade;
	uint16_t vlan;            /* 0 = untagged */
	uint16_t rx_desc, tx_desc;
	bool keep_sessions_on_down;   /* sessions_on_down = keep (default flush) */
	bool move_sessions_on_failback; /* sessions_on_failback = move (default stay) */
	uint16_t pcc_weight;      /* 0 = not a PCC member */
	uint8_t pcc_table;        /* routing table for its flows */
	struct sb_port_dhcp dhcp; /* address = dhcp (wan ports) */
	unsigned n_mgmt;          /* management = (af_xdp ports only) */
	struct sb_mgmt_conf mgmt[SB_MAX_MGMT];
};

struct sb_route_conf {
	char name[SB_NAME_LEN];
	uint32_t dst;             /* host order, masked to prefix_len */
	uint8_t prefix_len;
	uint32_t gw;              /* host order; 0 when the gateway is a port */
	int gw_port;              /* port index for IP%port or port gateway, else -1 */
	uint8_t distance;
	uint8_t scope;
	uint8_t target_scope;
	enum sb_check check;
	uint8_t table;            /* index into sb_config.tables */
	bool disabled;
	char comment[64];
};

struct sb_neigh_conf {
	char name[SB_NAME_LEN];
	uint32_t addr;
	uint8_t mac[6];
	int port;
};

/* [forward NAME]: an inbound port forward (docs/config.md, "Port
 * forwards"). External ports ext_lo..ext_hi of the WANs in @wans go to
 * @to, ports to_lo.. (a range maps to a range of the same length). */
#define SB_MAX_FORWARDS 64
#define SB_FWD_MAX_ALLOW 16
#define SB_FWD_TCP 1u
#define SB_FWD_UDP 2u

struct sb_forward_conf {
	char name[SB_NAME_LEN];
	uint32_t wans;            /* bit per port index */
	bool all_wans;            /* wan = all */
	uint8_t protos;           /* SB_FWD_TCP | SB_FWD_UDP */
	uint16_t ext_lo, ext_hi;  /* host order, inclusive */
	uint32_t to;              /* host order */
	uint16_t to_lo;           /* host order: ext_lo goes here */
	uint8_t lan_port;         /* port index of the LAN @to is on */
	unsigned n_allow;         /* 0 = from anywhere */
	struct sb_prefix allow[SB_FWD_MAX_ALLOW];
	char comment[64];
};

/* [nat1to1 NAME]: internal address @internal is @external on WAN port
 * @wan, both ways (docs/config.md, "One-to-one NAT"). */
#define SB_MAX_NAT1TO1 32

struct sb_nat1to1_conf {
	char name[SB_NAME_LEN];
	uint8_t wan;              /* port index */
	uint8_t lan_port;         /* port index of the LAN @internal is on */
	uint32_t external;        /* host order, on @wan's subnet */
	uint32_t internal;        /* host order */
	char comment[64];
};

struct sb_config {
	char path[256];
	/* [switchback] */
	uint32_t mbufs;
	uint32_t sessions;
	uint32_t sessions_per_host;  /* sessions one LAN host may open, 0 = any,
				      * SB_SESSIONS_PER_HOST_DEFAULT: not given
				      * (sb_config_host_max) */
	uint32_t fragments;       /* datagrams in flight tracked for reassembly */
	uint32_t workers;         /* worker lcores; 0 = one per worker lcore of the EAL */
	bool mbufs_set;           /* mbufs given (else sized for the workers: setup.c) */
	enum sb_ecmp_hash ecmp_hash;
	char ctl_socket[108];
	int64_t ctl_gid;          /* ctl_group's gid: may use the socket; -1 = none */
	/* [notify] */
	char hook[256];           /* command run on WAN changes, "" = none */
	uint32_t alert_after_s;   /* alert once a WAN is down this long, 0 = never */
	/* [pcc] */
	int pcc_classifier;       /* enum sb_pcc_classifier, -1 = off */
	/* [timeouts], seconds */
	uint32_t to_tcp_established, to_tcp_transitory, to_udp, to_icmp;
	/* [check_gateway] */
	uint32_t probe_interval_ms, probe_timeout_ms;
	uint32_t probe_down_after, probe_up_after;
	uint32_t hold_down_ms;    /* failback waits this long after recovery */
	uint32_t loss_pct;        /* degraded above this loss, 0 = off */
	uint32_t latency_ms;      /* degraded above this average RTT, 0 = off */
	uint32_t window;          /* rounds the loss is counted over */

	unsigned n_ports;
	struct sb_port_conf ports[SB_MAX_PORTS];
	struct sb_wan_conf wan[SB_MAX_PORTS];   /* by port index */
	char webhook[512];        /* [notify] webhook URL, "" = none */
	uint32_t webhook_retries, webhook_timeout_ms, webhook_backoff_ms;
	unsigned n_routes;
	struct sb_route_conf *routes;   /* n_routes entries */
	unsigned n_neigh;
	struct sb_neigh_conf *neigh;
	unsigned n_tables;
	char tables[SB_MAX_TABLES][SB_NAME_LEN]; /* tables[0] = "main" */
	/* [metrics] Prometheus endpoint; metrics_port 0 = off */
	uint32_t metrics_addr;    /* host order, a kernel address (0 = any) */
	uint16_t metrics_port;
	/* [xdp] */
	char xdp_program[256];    /* "" = the one built with switchback */
	bool xdp_busy_poll;       /* the PMD's preferred busy polling (busy_budget) */
	uint32_t xdp_syn_per_source; /* TCP SYNs a second per source share, 0 = all */
	unsigned n_block;
	struct sb_prefix block[SB_MAX_BLOCK];
	/* [forward NAME], [nat1to1 NAME] (control/config_fwd.c) */
	unsigned n_forwards;
	struct sb_forward_conf forwards[SB_MAX_FORWARDS];
	unsigned n_nat1to1;
	struct sb_nat1to1_conf nat1to1[SB_MAX_NAT1TO1];
};

#define SB_CONFIG_MAX_ERRORS 64

/* One error in a configuration file. */
struct sb_config_error {
	int line;                 /* 1-based, 0 when it concerns the whole file */
	char section[80];         /* "route default1", "" for the file itself */
	char key[32];             /* "" when it concerns the section */
	char msg[400];            /* what was expected, what was found */
};

/* Every error of one file, in file order. */
struct sb_config_errors {
	char path[256];
	unsigned n;               /* held in e[] */
	unsigned more;            /* found past SB_CONFIG_MAX_ERRORS, counted only */
	struct sb_config_error e[SB_CONFIG_MAX_ERRORS];
};

/**
 * Parse and validate @path as a whole. Returns a config to free with
 * sb_config_free(), or NULL with every error found in @errs (the whole
 * file is checked, not only up to the first error); nothing is applied
 * then. Any thread; pure (no EAL needed).
 */
struct sb_config *sb_config_parse(const char *path, struct sb_config_errors *errs);

/* sb_config_parse_flags(): also refuse recursive routes that can only
 * resolve through each other (reload: at start they are only inactive,
 * as in RouterOS; a running gateway takes on no route that cannot work). */
#define SB_CONFIG_NO_LOOPS 1u

/** sb_config_parse() with SB_CONFIG_* @flags. */
struct sb_config *sb_config_parse_flags(const char *path, struct sb_config_errors *errs,
					unsigned flags);

/**
 * sb_config_parse() with the errors as text in @err: one per line,
 * "FILE:LINE: [section] key: what was expected", after a line "N errors:"
 * when there are several; whole lines only, ending "... and N more" when
 * @errlen is too short. Any thread.
 */
struct sb_config *sb_config_load(const char *path, char *err, size_t errlen);

/** Error @i of @errs as "FILE:LINE: [section] key: message"; snprintf's
 * return value. */
size_t sb_config_error_format(const struct sb_config_errors *errs, unsigned i, char *buf,
			      size_t len);

/** All of @errs as sb_config_load() writes them; the length written. */
size_t sb_config_errors_format(const struct sb_config_errors *errs, char *buf, size_t len);

/* What the mbuf pool must hold at once, besides traffic: the check of
 * [switchback] mbufs (AF_XDP ports' own rings come on top, main.c). */
struct sb_mbuf_need {
	uint32_t desc;    /* rx_desc + tx_desc of every port */
	uint32_t rings;   /* punt rings, the inject ring, the workers' handoff rings */
	uint32_t held;    /* held fragments, packets parked for ARP */
	uint32_t caches;  /* mempool caches, bursts in flight */
	uint32_t total;
};

/** Fill @n for @cfg run by @workers workers (each has its own queue on
 * every port, its own held packets, and a handoff ring to every other).
 * Any thread; pure. */
void sb_config_mbufs_needed(const struct sb_config *cfg, unsigned workers,
			    struct sb_mbuf_need *n);
/** The keys [@section] takes (its kind: "switchback", "port", "route",
 * ...), NULL-terminated; NULL for a section kind it does not know. */
const char *const *sb_config_keys(const char *section);

/** Free a config from sb_config_load(). NULL is fine. */
void sb_config_free(struct sb_config *cfg);

/** Name of @t: down, loss, latency or loss-or-latency. */
const char *sb_trigger_name(enum sb_trigger t);

/** The netmask of a /@len prefix, host order. */
static inline uint32_t
sb_prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

/** Is @ip (host order) an extra address of port @port (a one-to-one
 * external address it answers ARP for)? */
bool sb_config_extra_addr(const struct sb_config *cfg, unsigned port, uint32_t ip);

/** Index of the port named @name, or -1. */
int sb_config_port_index(const struct sb_config *cfg, const char *name);

/** Parse "aa:bb:cc:dd:ee:ff" into @mac; 0 or -EINVAL. */
int sb_config_parse_mac(const char *s, uint8_t mac[6]);

/** Parse dotted-quad IPv4 into host order; 0 or -EINVAL. */
int sb_config_parse_ipv4(const char *s, uint32_t *out);

/** Parse "A.B.C.D/len" (len optional when @need_len is false: /32). */
int sb_config_parse_prefix(const char *s, uint32_t *addr, uint8_t *len, bool need_len);

/* [switchback] sessions_per_host not given: a quarter of the table. */
#define SB_SESSIONS_PER_HOST_DEFAULT UINT32_MAX

/** The sessions one LAN host may open in a table of @capacity sessions
 * (the running one: `sessions` is start-up only), 0 = no limit. */
static inline uint32_t
sb_config_host_max(const struct sb_config *cfg, uint32_t capacity)
{
	return cfg->sessions_per_host == SB_SESSIONS_PER_HOST_DEFAULT ? capacity / 4 :
	       cfg->sessions_per_host;
}

#endif
