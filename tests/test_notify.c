/* SPDX-License-Identifier: BSD-3-Clause
 * Hooks (control/notify.c): what a hook inherits, how many run at once,
 * and how long one may run (issue 11, finding 10). Real /bin/sh hooks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "test_common.h"

#include "notify.h"
#include "clock.h"

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* A descriptor the daemon holds without close-on-exec (as DPDK's are)
 * must not reach the hook. */
static void
test_notify_hooks_inherit_no_fd(void **state)
{
	char out[] = "/tmp/sbtest-hookfd-XXXXXX", cmd[256], got[64];
	struct sb_hooks h;
	int fd = mkstemp(out), leak = open("/dev/null", O_RDONLY);
	uint64_t end;

	(void)state;
	assert_true(fd >= 0 && leak >= 0);
	close(fd);
	assert_int_equal(dup2(leak, 57), 57);    /* no O_CLOEXEC */
	snprintf(cmd, sizeof(cmd), "if test -e /proc/$$/fd/57; then echo leaked; else echo clean; "
		 "fi > %s", out);
	sb_hooks_init(&h, 2, 5000);
	assert_int_equal(sb_hooks_run(&h, sb_now_ms(), cmd, "change", "wan1", "up", "down", "test"), 0);
	for (end = sb_now_ms() + 5000; h.running != 0 && sb_now_ms() < end; usleep(10000))
		sb_hooks_reap(&h, sb_now_ms());
	assert_int_equal(h.running, 0);
	slurp(out, got, sizeof(got));
	assert_string_equal(got, "clean\n");
	/* The unbounded call the daemon makes today, too. */
	assert_int_equal(sb_notify_run(cmd, "change", "wan1", "up", "down", "test"), 0);
	for (end = sb_now_ms() + 5000; sb_notify_reap() == 0 && sb_now_ms() < end; usleep(10000))
		;
	slurp(out, got, sizeof(got));
	assert_string_equal(got, "clean\n");
	close(57);
	close(leak);
	unlink(out);
}

/* At most max at once; one past its timeout is killed with what it
 * started (its process group). */
static void
test_notify_hooks_bounded(void **state)
{
	char pidf[] = "/tmp/sbtest-hookpid-XXXXXX", cmd[256], got[32];
	struct sb_hooks h;
	int fd = mkstemp(pidf);
	uint64_t t0 = sb_now_ms(), end;
	long child;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidf);
	sb_hooks_init(&h, 2, 300);
	assert_int_equal(sb_hooks_run(&h, t0, cmd, "change", "wan1", "up", "down", "a"), 0);
	assert_int_equal(sb_hooks_run(&h, t0, "sleep 30", "change", "wan1", "down", "up", "b"), 0);
	assert_int_equal(sb_hooks_run(&h, t0, "true", "change", "wan1", "up", "down", "c"), -EBUSY);
	assert_int_equal(h.running, 2);
	assert_int_equal(h.skipped, 1);
	for (end = sb_now_ms() + 5000; h.running != 0 && sb_now_ms() < end; usleep(10000))
		sb_hooks_reap(&h, sb_now_ms());
	assert_int_equal(h.running, 0);
	assert_int_equal(h.timed_out, 2);
	assert_true(sb_now_ms() - t0 < 3000);
	slurp(pidf, got, sizeof(got));
	child = strtol(got, NULL, 10);
	assert_true(child > 0);
	usleep(100000);
	/* The hook's own child went with it (a zombie until init reaps it
	 * counts as gone: it runs nothing). */
	{
		char st[64], stat[256];

		snprintf(st, sizeof(st), "/proc/%ld/stat", child);
		slurp(st, stat, sizeof(stat));
		assert_true(stat[0] == '\0' || strstr(stat, ") Z ") != NULL);
	}
	/* Room again. */
	assert_int_equal(sb_hooks_run(&h, sb_now_ms(), "true", "change", "wan1", "up", "down", "d"), 0);
	for (end = sb_now_ms() + 5000; h.running != 0 && sb_now_ms() < end; usleep(10000))
		sb_hooks_reap(&h, sb_now_ms());
	assert_int_equal(h.running, 0);
	unlink(pidf);
}

SB_TEST_MAIN("notify", NULL, NULL,
	     cmocka_unit_test(test_notify_hooks_inherit_no_fd),
	     cmocka_unit_test(test_notify_hooks_bounded))
