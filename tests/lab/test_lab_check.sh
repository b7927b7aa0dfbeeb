#!/usr/bin/env bash
# Lab test: `scripts/lab.sh check`, the topology's own self-test with no
# switchback (sb-gw a plain Linux router for a moment): connections, every
# fault applied and undone, a failover timed with the lab's client, sb-gw
# emptied again.
# Usage: test_lab_check.sh [SWITCHBACK_BINARY (unused)]
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"
lab_up
"$lab" check
