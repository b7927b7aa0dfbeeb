/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control thread's clock. Every part takes "now" as an
 * argument (so unit tests drive it with a fake clock); only the control
 * loop and the places that time an operation read this one. */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <stdint.h>
#include <time.h>

/** Microseconds on the monotonic clock. Any thread. */
static inline uint64_t
sb_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/** Milliseconds on the monotonic clock (sb_now_us() / 1000). Any thread. */
static inline uint64_t
sb_now_ms(void)
{
	return sb_now_us() / 1000;
}

#endif
