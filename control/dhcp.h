/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the DHCP client of a WAN port (RFC 2131 state machine,
 * RFC 2132 options, RFC 3442 classless static routes, RFC 3396 split
 * options, RFC 6842 client identifier echo).
 *
 * Pure logic, no EAL: the caller passes the time (a monotonic clock in
 * milliseconds, a fake one in tests) and the frames it received; the client
 * returns what to do in a struct sb_dhcp_out (at most one frame to send and
 * a few events). It never transmits, publishes or logs by itself, so the
 * control loop decides what an event changes (routes, NAT address, WAN
 * state) and publishes once. One client per WAN port; control thread only. */
#ifndef SB_DHCP_H
#define SB_DHCP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SB_DHCP_MAX_DNS       4
#define SB_DHCP_MAX_ROUTES    32   /* classless static routes kept from one lease */
#define SB_DHCP_CLIENT_ID_MAX 64
#define SB_DHCP_HOSTNAME_MAX  64   /* including the NUL */
#define SB_DHCP_FRAME_MAX     640  /* largest frame the client builds */
#define SB_DHCP_MAX_EV        2
#define SB_DHCP_INFINITE      UINT32_MAX /* lease time "infinity" (RFC 2131 3.3) */

/* Timing (RFC 2131 4.1): retransmissions start at 4 s, double up to 64 s,
 * each randomised by -1..+1 s. REQUESTING gives up after 4 sends and
 * INIT-REBOOT after 2 (both then start over from INIT). */
#define SB_DHCP_RTX_FIRST_MS   4000u
#define SB_DHCP_RTX_MAX_MS     64000u
#define SB_DHCP_RTX_FUZZ_MS    1000u
#define SB_DHCP_REQUEST_TRIES  4u
#define SB_DHCP_REBOOT_TRIES   2u
/* RENEWING and REBINDING retransmit after half the time left to T2 or to
 * the expiry, no sooner than 60 s (RFC 2131 4.4.5) or, for leases shorter
 * than 16 minutes, no sooner than 1/16 of the lease. */
#define SB_DHCP_RENEW_MIN_MS   60000u
/* After a DECLINE wait at least 10 s before starting over (RFC 2131 3.1.5). */
#define SB_DHCP_DECLINE_WAIT_MS 10000u

enum sb_dhcp_state {
	SB_DHCP_STOPPED = 0,    /* not started, or stopped */
	SB_DHCP_INIT,           /* waiting to send a DISCOVER (after a NAK or DECLINE) */
	SB_DHCP_SELECTING,      /* DISCOVER sent, waiting for an OFFER */
	SB_DHCP_REQUESTING,     /* REQUEST for an offer sent, waiting for ACK/NAK */
	SB_DHCP_REBOOTING,      /* INIT-REBOOT: REQUEST for the kept lease sent */
	SB_DHCP_BOUND,
	SB_DHCP_RENEWING,       /* past T1: unicast REQUEST to the lease's server */
	SB_DHCP_REBINDING,      /* past T2: broadcast REQUEST to any server */
};

/* DHCP message types (option 53). */
enum sb_dhcp_type {
	SB_DHCP_DISCOVER = 1, SB_DHCP_OFFER, SB_DHCP_REQUEST, SB_DHCP_DECLINE,
	SB_DHCP_ACK, SB_DHCP_NAK, SB_DHCP_RELEASE, SB_DHCP_INFORM,
};

/* Why a received frame was refused: one X-macro list for the enum, the
 * names (counters, telemetry) and the descriptions. */
#define SB_DHCP_REFUSE_LIST(X) \
	X(TRUNCATED,      "truncated",       "shorter than its headers say") \
	X(NOT_IPV4,       "not-ipv4",        "not an IPv4 frame") \
	X(BAD_IP,         "bad-ip",          "bad IPv4 header, length, checksum or a fragment") \
	X(NOT_UDP,        "not-udp",         "not UDP") \
	X(WRONG_PORTS,    "wrong-ports",     "not from port 67 to port 68") \
	X(BAD_UDP,        "bad-udp",         "bad UDP length or checksum") \
	X(NOT_REPLY,      "not-reply",       "BOOTP op is not BOOTREPLY") \
	X(BAD_HW,         "bad-hw",          "hardware type/length is not Ethernet") \
	X(BAD_COOKIE,     "bad-cookie",      "no DHCP magic cookie") \
	X(BAD_OPTION,     "bad-option",      "option truncated, of the wrong length, or no end option") \
	X(NO_TYPE,        "no-type",         "no message type option") \
	X(BAD_TYPE,       "bad-type",        "message type unknown or not sent by servers") \
	X(BAD_MASK,       "bad-mask",        "subnet mask not contiguous or zero") \
	X(BAD_ROUTES,     "bad-routes",      "classless static routes malformed or too many") \
	X(WRONG_XID,      "wrong-xid",       "transaction id is not ours") \
	X(WRONG_CHADDR,   "wrong-chaddr",    "client hardware address is not ours") \
	X(WRONG_CLIENT_ID, "wrong-client-id", "echoed client identifier is not ours") \
	X(UNEXPECTED,     "unexpected",      "message type not expected in this state") \
	X(NO_SERVER_ID,   "no-server-id",    "no server identifier") \
	X(WRONG_SERVER,   "wrong-server",    "from another server than the one chosen") \
	X(BAD_ADDRESS,    "bad-address",     "offered address is not a usable unicast address") \
	X(WRONG_ADDRESS,  "wrong-address",   "acknowledged address is not the one requested") \
	X(NO_LEASE_TIME,  "no-lease-time",   "no or zero lease time")

enum sb_dhcp_refuse {
	SB_DHCP_OK = 0,
#define SB_DHCP_X_ENUM(sym, name, desc) SB_DHCP_R_##sym,
	SB_DHCP_REFUSE_LIST(SB_DHCP_X_ENUM)
#undef SB_DHCP_X_ENUM
	SB_DHCP_R_MAX
};

struct sb_dhcp_route {
	uint32_t dst;           /* host order, masked to len */
	uint8_t len;
	uint32_t gw;            /* 0 = on-link (RFC 3442) */
};

/* A lease as the client uses it. Addresses in host order. */
struct sb_dhcp_lease {
	uint32_t addr;
	uint8_t prefix_len;     /* option 1, or the address's class when absent */
	uint32_t router;        /* default gateway, 0 = none (RFC 3442: from option
				 * 121's 0/0 route when that option is present) */
	uint32_t server;        /* server identifier (option 54) */
	uint32_t dns[SB_DHCP_MAX_DNS];
	unsigned n_dns;
	uint32_t lease_s, t1_s, t2_s; /* lease_s may be SB_DHCP_INFINITE */
	unsigned n_routes;      /* option 121 routes other than 0/0 */
	struct sb_dhcp_route routes[SB_DHCP_MAX_ROUTES];
	uint64_t start_ms;      /* when the REQUEST it answers was first sent */
	uint8_t server_mac[6];  /* Ethernet source of the ACK: unicast renewals go there */
};

/* A received message, as sb_dhcp_parse() found it. */
struct sb_dhcp_msg {
	/* frame (sb_dhcp_parse_frame() only) */
	uint8_t src_mac[6];
	uint32_t src_ip, dst_ip;
	/* BOOTP header */
	uint8_t op, htype, hlen;
	uint32_t xid;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	/* options */
	uint8_t type;           /* enum sb_dhcp_type */
	bool has_mask;
	uint8_t prefix_len;
	unsigned n_routers;
	uint32_t router;        /* the first one */
	unsigned n_dns;         /* kept, at most SB_DHCP_MAX_DNS */
	uint32_t dns[SB_DHCP_MAX_DNS];
	bool has_lease, has_t1, has_t2;
	uint32_t lease_s, t1_s, t2_s;
	uint32_t server_id;     /* 0 = absent */
	bool has_csr;           /* option 121 present */
	unsigned n_csr;
	struct sb_dhcp_route csr[SB_DHCP_MAX_ROUTES + 1]; /* with 0/0 */
	uint8_t client_id_len;  /* 0 = absent */
	uint8_t client_id[255];
	char message[64];       /* option 56, for logs (a NAK's reason) */
};

struct sb_dhcp_conf {
	uint8_t mac[6];
	/* Client identifier (option 61) as sent; length 0 = type 1 + the MAC. */
	uint8_t client_id[SB_DHCP_CLIENT_ID_MAX];
	uint8_t client_id_len;
	char hostname[SB_DHCP_HOSTNAME_MAX]; /* option 12, "" = not sent */
	uint64_t seed;          /* of the transaction ids and retransmission jitter */
};

enum sb_dhcp_ev_kind {
	SB_DHCP_EV_BOUND = 1,   /* a lease is in use, on the address the client last
				 * held (or its first one); renewal says it was already
				 * in use just before */
	SB_DHCP_EV_CHANGED,     /* a lease is in use on another address than the
				 * last one held (old_addr): what was on it is stale */
	SB_DHCP_EV_LOST,        /* the lease in use is gone (reason) */
};

struct sb_dhcp_event {
	enum sb_dhcp_ev_kind kind;
	bool renewal;           /* BOUND: the lease was in use before (RENEWING/REBINDING) */
	uint32_t old_addr;      /* CHANGED: the previous address; LOST: the lost one */
	const char *reason;     /* LOST: "nak", "expired", "released", "declined" */
	struct sb_dhcp_lease lease; /* BOUND, CHANGED: the new lease; LOST: the old one */
};

/* What one call asks of the caller, in order: send the frame (a complete,
 * untagged Ethernet frame with valid checksums), then handle the events. */
struct sb_dhcp_out {
	size_t frame_len;       /* 0 = nothing to send */
	uint8_t frame[SB_DHCP_FRAME_MAX];
	unsigned n_ev;
	struct sb_dhcp_event ev[SB_DHCP_MAX_EV];
};

struct sb_dhcp_stats {
	uint64_t sent[SB_DHCP_INFORM + 1];     /* by message type */
	uint64_t received[SB_DHCP_INFORM + 1]; /* accepted, by message type */
	uint64_t refused[SB_DHCP_R_MAX];       /* by reason */
	uint64_t bound, changed, lost;         /* events */
};

struct sb_dhcp;

/** A client for @conf, stopped. NULL with errno on failure. Any thread. */
struct sb_dhcp *sb_dhcp_create(const struct sb_dhcp_conf *conf);

/** Free @d (NULL is fine). Sends nothing: stop it first for a RELEASE. */
void sb_dhcp_free(struct sb_dhcp *d);

/**
 * Start at @now_ms. With @kept (a lease from disk, its start_ms on this
 * clock) that has not expired, begin with INIT-REBOOT (REQUEST for its
 * address); otherwise DISCOVER at once (asking for the kept address when
 * there is one). @out is cleared and filled. Control thread.
 */
void sb_dhcp_start(struct sb_dhcp *d, uint64_t now_ms, const struct sb_dhcp_lease *kept,
		   struct sb_dhcp_out *out);

/**
 * Stop. When a lease is in use and @release is set, a RELEASE goes to its
 * server and a LOST event ("released") is reported. Stopped, the client
 * ignores everything until started again.
 */
void sb_dhcp_stop(struct sb_dhcp *d, uint64_t now_ms, bool release, struct sb_dhcp_out *out);

/**
 * Handle parsed message @m received at @now_ms (from sb_dhcp_parse_frame()).
 * Returns SB_DHCP_OK when it was taken, else the reason it was refused
 * (also counted in the stats). @out is cleared and filled.
 */
enum sb_dhcp_refuse sb_dhcp_input(struct sb_dhcp *d, uint64_t now_ms,
				  const struct sb_dhcp_msg *m, struct sb_dhcp_out *out);

/** Parse and handle a received frame: sb_dhcp_parse_frame() then
 * sb_dhcp_input(); a frame that does not parse is counted too. */
enum sb_dhcp_refuse sb_dhcp_receive(struct sb_dhcp *d, uint64_t now_ms,
				    const uint8_t *frame, size_t len, struct sb_dhcp_out *out);

/** Run the timers due at @now_ms (retransmissions, T1, T2, expiry). */
void sb_dhcp_tick(struct sb_dhcp *d, uint64_t now_ms, struct sb_dhcp_out *out);

/**
 * The client found its address in use (an ARP reply for it): send a
 * DECLINE, drop the lease (LOST "declined") and start over after 10 s.
 * Only while BOUND; -EINVAL otherwise.
 */
int sb_dhcp_decline(struct sb_dhcp *d, uint64_t now_ms, struct sb_dhcp_out *out);

/** When sb_dhcp_tick() next has something to do (UINT64_MAX = never). */
uint64_t sb_dhcp_next_ms(const struct sb_dhcp *d);

enum sb_dhcp_state sb_dhcp_state(const struct sb_dhcp *d);

/** The lease in use (BOUND, RENEWING, REBINDING), else NULL. */
const struct sb_dhcp_lease *sb_dhcp_lease(const struct sb_dhcp *d);

/** Milliseconds left on the lease in use at @now_ms; 0 without one,
 * UINT64_MAX for an infinite lease. */
uint64_t sb_dhcp_remaining_ms(const struct sb_dhcp *d, uint64_t now_ms);

/** Counters since creation. */
const struct sb_dhcp_stats *sb_dhcp_stats(const struct sb_dhcp *d);

const char *sb_dhcp_state_name(enum sb_dhcp_state s);
/** Short name of a refusal reason ("bad-option"), "ok" for SB_DHCP_OK. */
const char *sb_dhcp_refuse_name(enum sb_dhcp_refuse r);
/** "DISCOVER", "OFFER", ... or "?" */
const char *sb_dhcp_type_name(unsigned type);

/**
 * Parse the BOOTP/DHCP message at @p (@len bytes, from the op field on)
 * strictly into @m. Returns SB_DHCP_OK or why it is malformed. Pure and
 * bounded: reads only @p[0..len). Any thread.
 */
enum sb_dhcp_refuse sb_dhcp_parse(const uint8_t *p, size_t len, struct sb_dhcp_msg *m);

/**
 * Parse an Ethernet frame (one optional 802.1Q tag) carrying IPv4, UDP
 * 67 -> 68 and a DHCP message; header lengths and checksums are checked,
 * fragments refused. Fills the frame fields of @m too. Any thread.
 */
enum sb_dhcp_refuse sb_dhcp_parse_frame(const uint8_t *frame, size_t len, struct sb_dhcp_msg *m);

/**
 * For fuzzers (fuzz/fuzz_dhcp.c's LLVMFuzzerTestOneInput, the unit test):
 * parse @data as a frame and as a bare DHCP message, then hand what parses
 * to a client in each state that takes replies, with the transaction id,
 * MAC and server made to match so the checks behind them are reached too.
 * Returns the frame parser's verdict. Must never crash or leak.
 */
enum sb_dhcp_refuse sb_dhcp_fuzz_one(const uint8_t *data, size_t len);

/**
 * Keep @l on disk at @path (written to a temporary file, then renamed).
 * Its expiry is stored as wall-clock seconds: @now_ms on the client's
 * clock is @wall_s. Returns 0 or a negative errno.
 */
int sb_dhcp_lease_save(const char *path, const struct sb_dhcp_lease *l,
		       uint64_t now_ms, int64_t wall_s);

/**
 * Read a lease kept by sb_dhcp_lease_save() into @l, its start_ms moved to
 * the client's clock (@now_ms is @wall_s). Returns 0, -ENOENT when there is
 * none, -EINVAL when the file is malformed, -ESTALE when it has expired.
 */
int sb_dhcp_lease_load(const char *path, struct sb_dhcp_lease *l,
		       uint64_t now_ms, int64_t wall_s);

#endif
