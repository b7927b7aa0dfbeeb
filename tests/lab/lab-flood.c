/* SPDX-License-Identifier: BSD-3-Clause
 * lab-flood: send UDP datagrams to DST:PORT as fast as one core can
 * (sendmmsg, 64 per call) for SECONDS, from FLOWS source ports; print how
 * many were sent. For side-by-side rate measurements in the namespace lab
 * (scripts/lab-port-rates.sh); only to the lab's own addresses.
 * Usage: lab-flood DST PORT SECONDS [PAYLOAD_BYTES [FLOWS]] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_FLOWS 256

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	static char payload[1400];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	int fd[MAX_FLOWS], nflows = 1;
	unsigned long sent = 0;
	double end, t0;
	size_t len = 18;

	if (argc < 4) {
		fprintf(stderr, "usage: %s DST PORT SECONDS [PAYLOAD_BYTES [FLOWS]]\n", argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return 2;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	if (argc > 4)
		len = (size_t)atoi(argv[4]);
	if (argc > 5)
		nflows = atoi(argv[5]);
	if (len > sizeof(payload) || nflows < 1 || nflows > MAX_FLOWS)
		return 2;
	for (int f = 0; f < nflows; f++) {
		fd[f] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[f] < 0 || connect(fd[f], (struct sockaddr *)&dst, sizeof(dst)) != 0) {
			perror("socket/connect");
			return 1;
		}
	}
	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now();
	end = t0 + atof(argv[3]);
	for (unsigned long k = 0; now() < end; k++) {
		int n = sendmmsg(fd[k % (unsigned)nflows], msg, BATCH, 0);

		if (n > 0)
			sent += (unsigned long)n;
	}
	printf("%lu %.3f\n", sent, now() - t0);
	return 0;
}
