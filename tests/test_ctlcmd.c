/* SPDX-License-Identifier: BSD-3-Clause
 * The control socket's command parser (control/ctlcmd.c), on its own. */
#include <errno.h>

#include "test_common.h"

#include "ctlcmd.h"

static int
parse(const char *s, struct sb_ctlcmd *cmd, char *err)
{
	return sb_ctlcmd_parse(s, strlen(s), cmd, err, 256);
}

static void
test_ctlcmd_commands(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse("route print --json\n", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_ROUTE_PRINT);
	assert_true(cmd.json);
	assert_int_equal(parse("wan down wan1", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_WAN_FORCE);
	assert_int_equal(cmd.force, -1);
	assert_string_equal(cmd.name, "wan1");
	assert_int_equal(parse("wan auto wan2\r\n", &cmd, err), 0);
	assert_int_equal(cmd.force, 0);
	assert_string_equal(cmd.name, "wan2");
	assert_int_equal(parse("route set default1 distance 7", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_ROUTE_DISTANCE);
	assert_int_equal(cmd.distance, 7);
	assert_int_equal(parse("route disable r", &cmd, err), 0);
	assert_true(cmd.disable);
	assert_int_equal(parse("stats --json", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_STATS);
	assert_int_equal(parse("arp", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_NEIGH);
	assert_int_equal(parse("status --json", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_STATUS);
	assert_true(cmd.json);
	assert_int_equal(parse("events", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_EVENTS);
	assert_int_equal(parse("reload", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_RELOAD);
	assert_int_equal(parse("conntrack", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_CT_PRINT);
	assert_int_equal(cmd.limit, 100);
	assert_string_equal(cmd.name, "");
	assert_int_equal(cmd.src_mask, 0);
	assert_int_equal(parse("conntrack print wan=wan2 src=192.168.1.77/24 limit 5 --json", &cmd,
			       err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_CT_PRINT);
	assert_string_equal(cmd.name, "wan2");
	assert_int_equal(cmd.src, 0xc0a80100);
	assert_int_equal(cmd.src_mask, 0xffffff00);
	assert_int_equal(cmd.limit, 5);
	assert_true(cmd.json);
	assert_int_equal(parse("conntrack count src=10.0.0.1", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_CT_COUNT);
	assert_int_equal(cmd.src, 0x0a000001);
	assert_int_equal(cmd.src_mask, 0xffffffff);
	assert_int_equal(parse("conntrack flush wan=wan1", &cmd, err), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_CT_FLUSH);
	assert_string_equal(cmd.name, "wan1");
}

static void
test_ctlcmd_conntrack_refuses(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse("conntrack print src=10.0.0.300", &cmd, err), -EINVAL);
	assert_non_null(strstr(err, "src= expects"));
	assert_int_equal(parse("conntrack print src=10.0.0.0/33", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack print src=10.0.0.0/", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack print src=10.0.0.1x", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack print src=10.0.0.0/8x", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack print limit 0", &cmd, err), -EINVAL);
	assert_non_null(strstr(err, "limit expects"));
	assert_int_equal(parse("conntrack print limit", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack flush src=10.0.0.0/8", &cmd, err), -EINVAL);
	assert_non_null(strstr(err, "wan=NAME"));
	assert_int_equal(parse("conntrack count limit 5", &cmd, err), -EINVAL);
	assert_int_equal(parse("conntrack print dst=1.2.3.4", &cmd, err), -EINVAL);
	assert_int_equal(parse("status now", &cmd, err), -EINVAL);
	assert_int_equal(parse("reload /etc/x.ini", &cmd, err), -EINVAL);
}

static void
test_ctlcmd_refuses(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256], longname[200];

	(void)state;
	assert_int_equal(parse("route set r distance 0", &cmd, err), -EINVAL);
	assert_non_null(strstr(err, "distance must be 1 to 255"));
	assert_int_equal(parse("route set r distance 256", &cmd, err), -EINVAL);
	assert_int_equal(parse("route set r distance 9x", &cmd, err), -EINVAL);
	assert_int_equal(parse("route set r distance 99999999999999999999", &cmd, err), -EINVAL);
	assert_int_equal(parse("reboot", &cmd, err), -EINVAL);
	assert_non_null(strstr(err, "unknown command \"reboot\""));
	assert_int_equal(parse("", &cmd, err), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		char line[300];

		snprintf(line, sizeof(line), "wan down %s", longname);
		assert_int_equal(parse(line, &cmd, err), -EINVAL);
		assert_non_null(strstr(err, "name longer than"));
	}
	/* Not NUL-terminated, and the line ends at the first newline. */
	assert_int_equal(sb_ctlcmd_parse("stats\nwan down wan1", 5, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_STATS);
	assert_int_equal(sb_ctlcmd_parse("wan down wan1\nroute", 19, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_WAN_FORCE);
}

SB_TEST_MAIN("ctlcmd", NULL, NULL,
	     cmocka_unit_test(test_ctlcmd_commands),
	     cmocka_unit_test(test_ctlcmd_refuses),
	     cmocka_unit_test(test_ctlcmd_conntrack_refuses))
