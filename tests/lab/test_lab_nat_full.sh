#!/usr/bin/env bash
# Lab test: a full session table (RFC 6888 REQ-11) through the real binary:
# conf/lab.ini with sessions = 16 and short timeouts (UDP 5 s). New flows beyond
# capacity are dropped and counted (session_table_full), the established
# ones keep working, nothing is evicted, and new flows get through once the
# old sessions expired (tests/lab/labnat.py table_full).
# Usage: test_lab_nat_full.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/tests/lab/lablib.sh"
trap lab_cleanup EXIT
lab_require

sed -e 's/^sessions = 65536$/sessions = 16/' "$top/conf/lab.ini" >"$work/full.ini"
printf '\n[timeouts]\ntcp_transitory = 2\nudp = 5\nicmp = 2\n' >>"$work/full.ini"
grep -q '^sessions = 16$' "$work/full.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/full.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac
nat_hosts
nat_scenarios table_full
lab_stop
lab_finish
