/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: sb_ctlcmd_parse(), the control socket's command parser, on
 * any bytes a client can send. Invariants: an accepted command has a
 * known op, a NUL-terminated name of the right size where the op takes
 * one, and a distance in 1..255; a refused one has a message. */
#include "fuzz_common.h"
#include "ctlcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_ctlcmd cmd;
	char err[512];
	char *buf = malloc(size ? size : 1);   /* not NUL-terminated: as read */

	memcpy(buf, data, size);
	err[0] = '\0';
	if (sb_ctlcmd_parse(buf, size, &cmd, err, sizeof(err)) == 0) {
		size_t nl = strnlen(cmd.name, sizeof(cmd.name));

		FUZZ_CHECK(cmd.op <= SB_CTLCMD_FWD_PRINT, "op %d", (int)cmd.op);
		FUZZ_CHECK(nl < sizeof(cmd.name), "name not terminated");
		switch (cmd.op) {
		case SB_CTLCMD_WAN_FORCE:
		case SB_CTLCMD_ROUTE_ENABLE:
		case SB_CTLCMD_BLOCK_ADD:
		case SB_CTLCMD_BLOCK_DEL:
			FUZZ_CHECK(nl > 0, "op %d without a name", (int)cmd.op);
			break;
		case SB_CTLCMD_ROUTE_DISTANCE:
			FUZZ_CHECK(nl > 0 && cmd.distance >= 1, "distance %u", cmd.distance);
			break;
		case SB_CTLCMD_CT_PRINT:
		case SB_CTLCMD_CT_COUNT:
		case SB_CTLCMD_CT_FLUSH:
			break;      /* wan=NAME is optional */
		default:
			FUZZ_CHECK(nl == 0, "name on op %d", (int)cmd.op);
			break;
		}
		FUZZ_CHECK(cmd.force >= -1 && cmd.force <= 1, "force %d", cmd.force);
	} else {
		FUZZ_CHECK(err[0] != '\0' && strnlen(err, sizeof(err)) < sizeof(err), "no message");
	}
	free(buf);
	return 0;
}
