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

/* @s refused, the error naming @why (when not NULL). */
static void
refused(const char *s, const char *why)
{
	struct sb_ctlcmd cmd;
	char err[256];

	assert_int_equal(parse(s, &cmd, err), -EINVAL);
	if (why != NULL && strstr(err, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, why);
}

/* @s parsed as a command of @op. */
static struct sb_ctlcmd
parsed(const char *s, enum sb_ctlcmd_op op)
{
	struct sb_ctlcmd cmd;
	char err[256];

	assert_int_equal(parse(s, &cmd, err), 0);
	assert_int_equal(cmd.op, op);
	return cmd;
}

static void
test_ctlcmd_commands(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256];

	(void)state;
	cmd = parsed("route print --json\n", SB_CTLCMD_ROUTE_PRINT);
	assert_true(cmd.json);
	cmd = parsed("wan down wan1", SB_CTLCMD_WAN_FORCE);
	assert_int_equal(cmd.force, -1);
	assert_string_equal(cmd.name, "wan1");
	assert_int_equal(parse("wan auto wan2\r\n", &cmd, err), 0);
	assert_int_equal(cmd.force, 0);
	assert_string_equal(cmd.name, "wan2");
	cmd = parsed("route set default1 distance 7", SB_CTLCMD_ROUTE_DISTANCE);
	assert_int_equal(cmd.distance, 7);
	assert_int_equal(parse("route disable r", &cmd, err), 0);
	assert_true(cmd.disable);
	parsed("stats --json", SB_CTLCMD_STATS);
	parsed("arp", SB_CTLCMD_NEIGH);
	cmd = parsed("status --json", SB_CTLCMD_STATUS);
	assert_true(cmd.json);
	parsed("events", SB_CTLCMD_EVENTS);
	parsed("reload", SB_CTLCMD_RELOAD);
	cmd = parsed("forward print --json", SB_CTLCMD_FWD_PRINT);
	assert_true(cmd.json);
	parsed("forward", SB_CTLCMD_FWD_PRINT);
	cmd = parsed("conntrack", SB_CTLCMD_CT_PRINT);
	assert_int_equal(cmd.limit, 100);
	assert_string_equal(cmd.name, "");
	assert_int_equal(cmd.src_mask, 0);
	cmd = parsed("conntrack print wan=wan2 src=192.168.1.77/24 limit 5 --json",
		     SB_CTLCMD_CT_PRINT);
	assert_string_equal(cmd.name, "wan2");
	assert_int_equal(cmd.src, 0xc0a80100);
	assert_int_equal(cmd.src_mask, 0xffffff00);
	assert_int_equal(cmd.limit, 5);
	assert_true(cmd.json);
	cmd = parsed("conntrack count src=10.0.0.1", SB_CTLCMD_CT_COUNT);
	assert_int_equal(cmd.src, 0x0a000001);
	assert_int_equal(cmd.src_mask, 0xffffffff);
	cmd = parsed("conntrack flush wan=wan1", SB_CTLCMD_CT_FLUSH);
	assert_string_equal(cmd.name, "wan1");
}

static void
test_ctlcmd_conntrack_refuses(void **state)
{
	(void)state;
	refused("conntrack print src=10.0.0.300", "src= expects");
	refused("conntrack print src=10.0.0.0/33", NULL);
	refused("conntrack print src=10.0.0.0/", NULL);
	refused("conntrack print src=10.0.0.1x", NULL);
	refused("conntrack print src=10.0.0.0/8x", NULL);
	refused("conntrack print limit 0", "limit expects");
	refused("conntrack print limit", NULL);
	refused("conntrack flush src=10.0.0.0/8", "wan=NAME");
	refused("conntrack count limit 5", NULL);
	refused("conntrack print dst=1.2.3.4", NULL);
	refused("status now", NULL);
	refused("reload /etc/x.ini", NULL);
	refused("forward add x", NULL);
}

static void
test_ctlcmd_refuses(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256], longname[200];

	(void)state;
	refused("route set r distance 0", "distance must be 1 to 255");
	refused("route set r distance 256", NULL);
	refused("route set r distance 9x", NULL);
	refused("route set r distance 99999999999999999999", NULL);
	refused("reboot", "unknown command \"reboot\"");
	refused("", NULL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		char line[300];

		snprintf(line, sizeof(line), "wan down %s", longname);
		refused(line, "name longer than");
	}
	/* Not NUL-terminated, and the line ends at the first newline. */
	assert_int_equal(sb_ctlcmd_parse("stats\nwan down wan1", 5, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_STATS);
	assert_int_equal(sb_ctlcmd_parse("wan down wan1\nroute", 19, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, SB_CTLCMD_WAN_FORCE);
}

/* --json and refusals: the parser keeps the flag of a refused line, and
 * a refusal's answer gets the body {"error": "..."}, escaped, cut short
 * only between escapes. */
static void
test_ctlcmd_json_errors(void **state)
{
	struct sb_ctlcmd cmd;
	char err[256], out[256], buf[256];
	size_t n;

	(void)state;
	assert_int_equal(parse("route set r distance 0 --json", &cmd, err), -EINVAL);
	assert_true(cmd.json);
	assert_int_equal(parse("--json reboot", &cmd, err), -EINVAL);
	assert_true(cmd.json);
	assert_int_equal(parse("reboot", &cmd, err), -EINVAL);
	assert_false(cmd.json);

	n = sb_ctlcmd_error_json("no route named \"a\\b\"\n\t\x7f", out, sizeof(out));
	assert_string_equal(out, "{\"error\": \"no route named \\\"a\\\\b\\\"\\u000a\\u0009\\u007f\"}\n");
	assert_int_equal(n, strlen(out));
	/* Too small: cut between escapes, still closed: 11 of the head,
	 * 4 escapes of 2, 3 of the tail and the NUL fill 24 bytes. */
	n = sb_ctlcmd_error_json("\"\"\"\"\"\"\"\"\"\"\"\"", out, 24);
	assert_true(n < 24 && n == strlen(out));
	assert_string_equal(out, "{\"error\": \"\\\"\\\"\\\"\\\"\"}\n");
	/* Cut between whole UTF-8 characters, never inside one (a cut
	 * "é" is not UTF-8, and a JSON reader refuses it); a byte that
	 * starts no character becomes U+FFFD. */
	n = sb_ctlcmd_error_json("caf\xc3\xa9\xc3\xa9", out, 21);
	assert_string_equal(out, "{\"error\": \"caf\xc3\xa9\"}\n");
	assert_int_equal(n, strlen(out));
	n = sb_ctlcmd_error_json("a\xff\xc3(\xed\xa0\x80\xe2\x82\xac", out, sizeof(out));
	assert_string_equal(out, "{\"error\": \"a\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\xe2\x82\xac\"}\n");
	n = sb_ctlcmd_error_json("x", out, 8);     /* no room for any of it */
	assert_int_equal(n, 0);
	assert_string_equal(out, "");

	/* A bare refusal gets the body; answers with a body keep theirs. */
	strcpy(buf, "error: no WAN port named \"x\"\n");
	n = sb_ctlcmd_json_error_body(buf, strlen(buf), sizeof(buf));
	assert_string_equal(buf, "error: no WAN port named \"x\"\n"
			    "{\"error\": \"no WAN port named \\\"x\\\"\"}\n");
	assert_int_equal(n, strlen(buf));
	strcpy(buf, "error: cut");
	n = sb_ctlcmd_json_error_body(buf, strlen(buf), sizeof(buf));
	assert_string_equal(buf, "error: cut\n{\"error\": \"cut\"}\n");
	assert_int_equal(n, strlen(buf));
	static const char *const kept[] = {
		"ok\n",
		"ok\n{\"ok\": true}\n",
		"error: reload refused, the running configuration stays: 1 error(s)\n"
		"{\"error\": \"reload refused\", \"applied\": false}\n",
		"errors: not an answer\n",
	};
	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		strcpy(buf, kept[i]);
		assert_int_equal(sb_ctlcmd_json_error_body(buf, strlen(buf), sizeof(buf)),
				 strlen(kept[i]));
		assert_string_equal(buf, kept[i]);
	}
	/* A full buffer: cut, never overrun, NUL-terminated. */
	{
		char small[48];

		strcpy(small, "error: a long refusal of thirty");
		n = sb_ctlcmd_json_error_body(small, strlen(small), sizeof(small));
		assert_true(n < sizeof(small));
		assert_int_equal(n, strlen(small));
	}
}

SB_TEST_MAIN("ctlcmd", NULL, NULL,
	     cmocka_unit_test(test_ctlcmd_commands),
	     cmocka_unit_test(test_ctlcmd_refuses),
	     cmocka_unit_test(test_ctlcmd_conntrack_refuses),
	     cmocka_unit_test(test_ctlcmd_json_errors))
