/* SPDX-License-Identifier: BSD-3-Clause
 * switchback tests: shared helpers. Tests that need the EAL start it once
 * per binary with --no-huge and a file prefix of their own (meson runs
 * test binaries in parallel). */
#ifndef SB_TEST_COMMON_H
#define SB_TEST_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>

/* The main() of a test binary: the tests listed after @teardown
 * (cmocka_unit_test(...), ...) as the group @group, with @setup and
 * @teardown around them (NULL: none). */
#define SB_TEST_MAIN(group, setup, teardown, ...)                                 \
	int main(void)                                                             \
	{                                                                          \
		const struct CMUnitTest tests[] = { __VA_ARGS__ };                 \
		return cmocka_run_group_tests_name(group, tests, setup, teardown); \
	}

/* The EAL's runtime directory, removed again at teardown. */
static char sb_test_prefix[64];

static inline int
sb_test_eal_up(void **state, const char *name)
{
	char *prefix = sb_test_prefix;
	char *argv[] = { "test", "--no-huge", "-m", "512", "--no-pci", "-l", "0",
			 "--file-prefix", prefix, "--log-level", "lib.*:warning",
			 "--no-telemetry", NULL };

	(void)state;
	snprintf(prefix, sizeof(sb_test_prefix), "sbtest_%s_%d", name, (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ? -1 : 0;
}

/* sb_test_eal_up(), then the TSC's ticks per second into *@hz. */
static inline int
sb_test_eal_up_hz(void **state, const char *name, uint64_t *hz)
{
	if (sb_test_eal_up(state, name) != 0)
		return -1;
	*hz = rte_get_tsc_hz();
	return 0;
}

static inline int
sb_test_eal_down(void **state)
{
	char cmd[128];

	(void)state;
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", sb_test_prefix);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write @text to a temporary file; returns its path (static buffer). */
static inline const char *
sb_test_write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/sbtest-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

#endif
