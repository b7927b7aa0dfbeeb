/* SPDX-License-Identifier: BSD-3-Clause
 * sb_witness: watches whether the machine itself stops running a CPU
 * (issue 11's lab floods). One thread per CPU, pinned to it at the
 * highest real-time priority (SCHED_FIFO 99), sleeps 1 ms at a time and
 * writes a line for every wake-up that came more than --threshold-ms
 * late:
 *
 *     <epoch ms> cpu<N> <ms late>
 *
 * Nothing of the gateway or the lab can hold such a thread off its CPU
 * for long: it preempts every task, the worker's busy poll included, and
 * the kernel defers softirq work it cannot finish in ~2 ms to ksoftirqd,
 * an ordinary task. A gap of tens of milliseconds is the CPU itself gone:
 * on the VMs this project is tested on, a vCPU disappears for ~100 ms now
 * and then whatever runs on it, when compiling as when flooding
 * (docs/security.md, "The tenth session"). The lab's flood test uses the
 * lines to tell a stall of the machine from a stall of the gateway.
 *
 *   sb_witness [--threshold-ms N] [--seconds S] [--cpus N]
 *
 * --threshold-ms: report wake-ups later than this (default 20)
 * --seconds:      exit after this long (default 900; the lab's bound)
 * --cpus:         watch CPUs 0..N-1 (default: every online CPU)
 * Without the right to SCHED_FIFO it says so and watches at normal
 * priority (its lines then prove less).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 256

static double threshold_ms = 20;
static double run_s = 900;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
watch(void *arg)
{
	long cpu = (long)arg;
	cpu_set_t set;
	struct sched_param sp = { .sched_priority = 99 };
	const struct timespec tick = { 0, 1000000 };
	double start, prev, t, late;
	struct timespec wall;
	int rc;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc != 0) {
		fprintf(stderr, "sb_witness: cpu%ld: cannot pin: %s\n", cpu, strerror(rc));
		return NULL;
	}
	rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc != 0)
		fprintf(stderr, "sb_witness: cpu%ld: no SCHED_FIFO (%s): watching at "
			"normal priority\n", cpu, strerror(rc));
	start = prev = mono_s();
	while (prev - start < run_s) {
		nanosleep(&tick, NULL);
		t = mono_s();
		late = (t - prev - 0.001) * 1000;
		if (late > threshold_ms) {
			clock_gettime(CLOCK_REALTIME, &wall);
			pthread_mutex_lock(&out_lock);
			/* The line's time is the wake-up; the gap ended then. */
			printf("%lld cpu%ld %.1f\n",
			       (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000,
			       cpu, late);
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
		}
		prev = t;
	}
	return NULL;
}

static int
usage(void)
{
	fprintf(stderr, "usage: sb_witness [--threshold-ms N] [--seconds S] [--cpus N]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_CPUS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, started = 0;
	char *end;

	for (int a = 1; a < argc; a++) {
		double *dst = NULL;
		double v;

		if (a + 1 >= argc)
			return usage();
		if (strcmp(argv[a], "--threshold-ms") == 0)
			dst = &threshold_ms;
		else if (strcmp(argv[a], "--seconds") == 0)
			dst = &run_s;
		else if (strcmp(argv[a], "--cpus") != 0)
			return usage();
		errno = 0;
		v = strtod(argv[++a], &end);
		if (errno != 0 || *end != '\0' || v <= 0) {
			fprintf(stderr, "sb_witness: %s: not a positive number: %s\n",
				argv[a - 1], argv[a]);
			return 2;
		}
		if (dst != NULL)
			*dst = v;
		else
			ncpu = (long)v;
	}
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ncpu; i++)
		if (pthread_create(&th[started], NULL, watch, (void *)i) == 0)
			started++;
	if (started == 0) {
		fprintf(stderr, "sb_witness: no thread started\n");
		return 1;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return 0;
}
