/* SPDX-License-Identifier: BSD-3-Clause
 * sb_flood: the lab's flood sender (issue 11). Raw sockets and sendmmsg,
 * bounded in time, for the namespace lab only (the lab tests run it in
 * sb-inet or sb-lan; it refuses addresses outside the lab's ranges).
 *
 *   sb_flood KIND --dst A [--src A[/LEN]] [--ports LO-HI] [--ids LO-HI]
 *            [--pps N] [--seconds S] [--iface IF]
 *   KIND: echo-reply  ICMP echo replies (ids from --ids, random sequence)
 *         udp         UDP to random ports in --ports (a scan)
 *         syn         TCP SYNs to random ports in --ports
 *         frag        IP fragments that belong to nothing (random ids,
 *                     offsets, half of them first fragments)
 *         arp         ARP requests for --dst from random senders in --src,
 *                     broadcast on --iface (AF_PACKET)
 * --src with a /LEN picks a random source in that prefix per packet.
 * --pps 0 (default): as fast as the socket takes them. Prints what it sent,
 * and its time on a CPU and waiting for one (/proc/thread-self/schedstat):
 * a sender that spent its run waiting for a CPU was kept from sending by
 * the machine's other work, not by the gateway.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PKT_MAX 128

enum kind { ECHO_REPLY, UDP, SYN, FRAG, ARP };

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (uint32_t)((rs * 0x2545F4914F6CDD1Dull) >> 32);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t
csum(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* Only the lab's ranges: 192.0.2/24, 198.51.100/24, 203.0.113/24,
 * 198.18/15, 192.168/16. */
static int
lab_addr(uint32_t a)
{
	return (a >> 8) == 0xc00002 || (a >> 8) == 0xc63364 || (a >> 8) == 0xcb0071 ||
	       (a >> 17) == (0xc612u << 16 >> 17) || (a >> 16) == 0xc0a8;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4 packet at @p: header (the kernel fills its checksum and length
 * for IPPROTO_RAW, we fill them anyway), then the L4 part. Returns its
 * length. */
static size_t
build_ip(uint8_t *p, enum kind k, uint32_t src, uint32_t dst, uint16_t plo, uint16_t phi,
	 uint16_t ilo, uint16_t ihi)
{
	uint8_t *l4 = p + 20;
	size_t l4len = 0;
	uint16_t frag = 0;
	uint8_t proto = 0;

	memset(p, 0, PKT_MAX);
	switch (k) {
	case ECHO_REPLY:
		proto = 1;
		l4len = 8 + 16;
		l4[0] = 0;
		put16(l4 + 4, (uint16_t)(ilo + rnd() % (ihi - ilo + 1u)));
		put16(l4 + 6, (uint16_t)rnd());
		for (int i = 8; i < 24; i++)
			l4[i] = (uint8_t)rnd();
		memcpy(l4 + 2, &(uint16_t){ csum(l4, l4len, 0) }, 2);
		break;
	case UDP:
	case SYN: {
		uint8_t ph[12];

		proto = k == UDP ? 17 : 6;
		l4len = k == UDP ? 8 + 8 : 20;
		put16(l4, (uint16_t)(1024 + rnd() % 64000));
		put16(l4 + 2, (uint16_t)(plo + rnd() % (phi - plo + 1u)));
		if (k == UDP) {
			put16(l4 + 4, (uint16_t)l4len);
		} else {
			uint32_t seq = rnd();

			memcpy(l4 + 4, &seq, 4);
			l4[12] = 5 << 4;
			l4[13] = 0x02;                  /* SYN */
			put16(l4 + 14, 64240);
		}
		memcpy(ph, &(uint32_t){ htonl(src) }, 4);
		memcpy(ph + 4, &(uint32_t){ htonl(dst) }, 4);
		ph[8] = 0;
		ph[9] = proto;
		put16(ph + 10, (uint16_t)l4len);
		{
			uint32_t s = 0;

			for (int i = 0; i < 12; i += 2)
				s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
			memcpy(l4 + (k == UDP ? 6 : 16), &(uint16_t){ csum(l4, l4len, s) }, 2);
		}
		break;
	}
	case FRAG:
		proto = 17;
		l4len = 64;
		for (size_t i = 0; i < l4len; i++)
			l4[i] = (uint8_t)rnd();
		/* Half first fragments (MF, offset 0), half later ones. */
		frag = (rnd() & 1) ? 0x2000 : (uint16_t)(0x2000 | (1 + rnd() % 1000));
		break;
	case ARP:
		break;
	}
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + l4len));
	put16(p + 4, (uint16_t)rnd());
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &(uint32_t){ htonl(src) }, 4);
	memcpy(p + 16, &(uint32_t){ htonl(dst) }, 4);
	memcpy(p + 10, &(uint16_t){ csum(p, 20, 0) }, 2);
	return 20 + l4len;
}

static size_t
build_arp(uint8_t *p, uint32_t src, uint32_t dst)
{
	uint8_t mac[6] = { 0x02, 0x5b, (uint8_t)rnd(), (uint8_t)rnd(), (uint8_t)rnd(),
			   (uint8_t)rnd() };

	memset(p, 0, 60);
	memset(p, 0xff, 6);
	memcpy(p + 6, mac, 6);
	put16(p + 12, 0x0806);
	put16(p + 14, 1);
	put16(p + 16, 0x0800);
	p[18] = 6;
	p[19] = 4;
	put16(p + 20, 1);
	memcpy(p + 22, mac, 6);
	memcpy(p + 28, &(uint32_t){ htonl(src) }, 4);
	memcpy(p + 38, &(uint32_t){ htonl(dst) }, 4);
	return 60;
}

static int
range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned a, b;

	if (sscanf(s, "%u-%u", &a, &b) == 2 && a <= b && b <= 65535) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
		return 0;
	}
	if (sscanf(s, "%u", &a) == 1 && a <= 65535) {
		*lo = *hi = (uint16_t)a;
		return 0;
	}
	return -1;
}

/* Seconds this thread ran and waited runnable for a CPU; -1 when the
 * kernel does not say (no CONFIG_SCHEDSTATS). */
static void
cpu_times(double *on, double *waiting)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	*on = *waiting = -1;
	if (f == NULL)
		return;
	if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
		*on = run / 1e9;
		*waiting = wait / 1e9;
	}
	fclose(f);
}

static void
usage(void)
{
	fprintf(stderr, "usage: sb_flood echo-reply|udp|syn|frag|arp --dst A [--src A[/LEN]] "
		"[--ports LO-HI] [--ids LO-HI] [--pps N] [--seconds S] [--iface IF]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[BATCH][PKT_MAX];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dsa = { .sin_family = AF_INET };
	struct sockaddr_ll lla = { .sll_family = AF_PACKET };
	uint32_t src = 0, dst = 0, smask = 0;
	uint16_t plo = 1, phi = 65535, ilo = 0, ihi = 65535;
	double pps = 0, secs = 1, t0, t, on, waiting;
	const char *iface = NULL;
	unsigned long sent = 0, failed = 0;
	enum kind k;
	int fd;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "echo-reply"))
		k = ECHO_REPLY;
	else if (!strcmp(argv[1], "udp"))
		k = UDP;
	else if (!strcmp(argv[1], "syn"))
		k = SYN;
	else if (!strcmp(argv[1], "frag"))
		k = FRAG;
	else if (!strcmp(argv[1], "arp"))
		k = ARP;
	else
		usage();
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		struct in_addr a;

		if (!strcmp(o, "--dst") && inet_pton(AF_INET, v, &a) == 1) {
			dst = ntohl(a.s_addr);
		} else if (!strcmp(o, "--src")) {
			char b[32], *sl;
			unsigned len = 32;

			snprintf(b, sizeof(b), "%s", v);
			sl = strchr(b, '/');
			if (sl) {
				*sl = '\0';
				len = (unsigned)atoi(sl + 1);
			}
			if (inet_pton(AF_INET, b, &a) != 1 || len > 32 || len < 16)
				usage();
			src = ntohl(a.s_addr);
			smask = len == 32 ? 0 : (1u << (32 - len)) - 1;
		} else if (!strcmp(o, "--ports")) {
			if (range(v, &plo, &phi))
				usage();
		} else if (!strcmp(o, "--ids")) {
			if (range(v, &ilo, &ihi))
				usage();
		} else if (!strcmp(o, "--pps")) {
			pps = atof(v);
		} else if (!strcmp(o, "--seconds")) {
			secs = atof(v);
		} else if (!strcmp(o, "--iface")) {
			iface = v;
		} else {
			usage();
		}
	}
	if (dst == 0 || !lab_addr(dst) || (src && !lab_addr(src)) || secs <= 0 || secs > 120) {
		fprintf(stderr, "sb_flood: --dst (and --src) must be lab addresses; at most 120 s\n");
		return 2;
	}
	rs ^= (uint64_t)getpid() << 17 ^ (uint64_t)time(NULL);
	if (k == ARP) {
		if (iface == NULL)
			usage();
		fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
		lla.sll_ifindex = (int)if_nametoindex(iface);
		lla.sll_halen = 6;
		memset(lla.sll_addr, 0xff, 6);
		if (lla.sll_ifindex == 0) {
			fprintf(stderr, "sb_flood: no interface %s\n", iface);
			return 1;
		}
	} else {
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		dsa.sin_addr.s_addr = htonl(dst);
	}
	if (fd < 0) {
		perror("sb_flood: socket");
		return 1;
	}
	if (src == 0 && k != ARP) {
		fprintf(stderr, "sb_flood: --src is needed\n");
		return 2;
	}
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (k == ARP) {
			mm[i].msg_hdr.msg_name = &lla;
			mm[i].msg_hdr.msg_namelen = sizeof(lla);
		} else {
			mm[i].msg_hdr.msg_name = &dsa;
			mm[i].msg_hdr.msg_namelen = sizeof(dsa);
		}
	}
	t0 = now_s();
	for (t = t0; t - t0 < secs; t = now_s()) {
		int n;

		if (pps > 0 && sent > (t - t0) * pps) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			continue;
		}
		for (int i = 0; i < BATCH; i++) {
			uint32_t s = src | (rnd() & smask);

			iov[i].iov_len = k == ARP ? build_arp(buf[i], s, dst) :
						    build_ip(buf[i], k, s, dst, plo, phi, ilo, ihi);
		}
		n = sendmmsg(fd, mm, BATCH, 0);
		if (n > 0)
			sent += (unsigned long)n;
		else
			failed++;
	}
	t = now_s() - t0;
	cpu_times(&on, &waiting);
	printf("sb_flood %s: sent %lu packets in %.2f s (%.0f pps), %lu failed batches; "
	       "on a CPU %.2f s, waiting for one %.2f s\n", argv[1], sent, t, sent / t, failed, on,
	       waiting);
	close(fd);
	return 0;
}
