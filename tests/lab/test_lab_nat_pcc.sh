#!/usr/bin/env bash
# Lab test: PCC split on the wire. conf/pcc.ini (both-addresses-and-ports,
# wan1:wan2 = 3:1); scapy sends 10,000 UDP flows from the LAN, two packets
# each, and counts them on ISP1's and ISP2's wires: 75% +- 5 on wan1, every
# flow on one WAN with one external port, masqueraded to that WAN's address
# (tests/lab/labnat.py pcc).
# Usage: test_lab_nat_pcc.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/tests/lab/lablib.sh"
trap lab_cleanup EXIT
lab_require

lab_start "$top/conf/pcc.ini"
case "$line" in HELLO*) ok "up ($line)" ;; *) bad "no connection (got '$line')" ;; esac
nat_hosts
nat_scenarios pcc
lab_stop
lab_finish
