/* SPDX-License-Identifier: BSD-3-Clause
 * The DHCP client of control/dhcp.c on a Linux interface (AF_PACKET), for
 * tests/lab/test_lab_dhcp_client.sh: the client's wire format and state
 * machine against Debian's dnsmasq, outside the daemon. It answers ARP for
 * the address it holds (the server's unicast replies need it), prints one
 * line per event and stops after SECONDS, with a RELEASE unless --keep.
 *   dhcp_peer IFACE SECONDS LEASE_FILE [--keep]
 * Lines: "bound ADDR/LEN gw GW dns DNS lease S t1 S t2 S renewal 0|1",
 * "changed OLD -> ADDR/LEN ...", "lost REASON OLD", "sent TYPE", "refused REASON". */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "dhcp.h"

static int fd;
static struct sockaddr_ll sll;
static uint8_t mac[6];
static uint32_t held;     /* address held, host order, 0 = none */
static const char *lease_file;

static uint64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static const char *
ip(uint32_t a)
{
	static char b[4][16];
	static int i;
	struct in_addr in = { htonl(a) };

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s", inet_ntoa(in));
	return b[i];
}

static void
act(const struct sb_dhcp_out *o)
{
	if (o->frame_len > 0) {
		if (sendto(fd, o->frame, o->frame_len, 0, (const struct sockaddr *)&sll, sizeof(sll)) < 0)
			perror("dhcp_peer: send");
		/* The message type: option 53, first option the client writes. */
		printf("sent %s\n", sb_dhcp_type_name(o->frame[14 + 20 + 8 + 240 + 2]));
	}
	for (unsigned i = 0; i < o->n_ev; i++) {
		const struct sb_dhcp_event *e = &o->ev[i];
		const struct sb_dhcp_lease *l = &e->lease;

		if (e->kind == SB_DHCP_EV_LOST) {
			printf("lost %s %s\n", e->reason, ip(e->old_addr));
			held = 0;
			continue;
		}
		if (e->kind == SB_DHCP_EV_CHANGED)
			printf("changed %s -> ", ip(e->old_addr));
		else
			printf("bound ");
		printf("%s/%u gw %s dns %s lease %u t1 %u t2 %u renewal %d\n", ip(l->addr),
		       l->prefix_len, ip(l->router), l->n_dns ? ip(l->dns[0]) : "-", l->lease_s,
		       l->t1_s, l->t2_s, e->renewal);
		held = l->addr;
		if (sb_dhcp_lease_save(lease_file, l, now_ms(), (int64_t)time(NULL)) != 0)
			printf("lease file not written\n");
	}
	fflush(stdout);
}

/* Answer "who has HELD?" from the interface. */
static void
arp(const uint8_t *f, size_t n)
{
	uint8_t r[42];

	if (held == 0 || n < 42 || f[12] != 0x08 || f[13] != 0x06 || f[21] != 1)
		return;
	if (memcmp(f + 38, &(uint32_t){ htonl(held) }, 4) != 0)
		return;
	memcpy(r, f + 6, 6);
	memcpy(r + 6, mac, 6);
	r[12] = 0x08, r[13] = 0x06;
	memcpy(r + 14, f + 14, 6);   /* htype, ptype, hlen, plen */
	r[20] = 0, r[21] = 2;
	memcpy(r + 22, mac, 6);
	memcpy(r + 28, f + 38, 4);
	memcpy(r + 32, f + 22, 10);  /* sender -> target */
	sendto(fd, r, sizeof(r), 0, (const struct sockaddr *)&sll, sizeof(sll));
}

int
main(int argc, char **argv)
{
	struct sb_dhcp_conf conf = { .seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() };
	struct sb_dhcp_lease kept;
	struct sb_dhcp_out o;
	struct ifreq ifr;
	struct sb_dhcp *d;
	uint64_t end;
	bool keep = argc > 4 && strcmp(argv[4], "--keep") == 0;
	bool have;

	if (argc < 4) {
		fprintf(stderr, "usage: dhcp_peer IFACE SECONDS LEASE_FILE [--keep]\n");
		return 2;
	}
	lease_file = argv[3];
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("dhcp_peer: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		perror("dhcp_peer: interface");
		return 1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	memcpy(conf.mac, mac, 6);
	snprintf(conf.hostname, sizeof(conf.hostname), "dhcp-peer");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(fd, (const struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("dhcp_peer: bind");
		return 1;
	}
	d = sb_dhcp_create(&conf);
	if (d == NULL)
		return 1;
	have = sb_dhcp_lease_load(lease_file, &kept, now_ms(), (int64_t)time(NULL)) == 0;
	printf("start %s\n", have ? "init-reboot" : "init");
	end = now_ms() + (uint64_t)atoi(argv[2]) * 1000;
	sb_dhcp_start(d, now_ms(), have ? &kept : NULL, &o);
	act(&o);
	while (now_ms() < end) {
		uint64_t nx = sb_dhcp_next_ms(d), n = now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t b[2048];

		if (poll(&p, 1, nx <= n ? 0 : nx - n > 100 ? 100 : (int)(nx - n)) > 0) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t l = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

			if (l > 0 && from.sll_pkttype != PACKET_OUTGOING) {
				enum sb_dhcp_refuse r;

				arp(b, (size_t)l);
				r = sb_dhcp_receive(d, now_ms(), b, (size_t)l, &o);
				/* Everything else on the wire is not DHCP to us. */
				if (r != SB_DHCP_OK && r != SB_DHCP_R_NOT_IPV4 && r != SB_DHCP_R_NOT_UDP &&
				    r != SB_DHCP_R_WRONG_PORTS)
					printf("refused %s\n", sb_dhcp_refuse_name(r));
				act(&o);
			}
		}
		sb_dhcp_tick(d, now_ms(), &o);
		act(&o);
	}
	sb_dhcp_stop(d, now_ms(), !keep, &o);
	act(&o);
	if (!keep)
		unlink(lease_file);
	printf("state %s\n", sb_dhcp_state_name(sb_dhcp_state(d)));
	sb_dhcp_free(d);
	return 0;
}
