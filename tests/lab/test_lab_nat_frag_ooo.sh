#!/usr/bin/env bash
# Lab test: out-of-order fragments (the later fragments of a UDP datagram
# arrive before its first) are translated both ways and reassemble at the
# receiver (tests/lab/labnat.py frag_ooo). Ports on AF_XDP (xdp_config).
# Usage: test_lab_nat_frag_ooo.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/tests/lab/lablib.sh"
trap lab_cleanup EXIT
lab_require

xdp_config "$top/conf/lab.ini" "$work/lab-xdp.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/lab-xdp.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac
nat_hosts
nat_scenarios frag_ooo
lab_stop
lab_finish
