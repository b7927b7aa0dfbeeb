#!/usr/bin/env bash
# Lab test: NAT behaviour (RFC 4787, 5382, 5508, 7857) through the real
# binary on conf/lab.ini, packets built and checked with scapy on the LAN
# wire and WAN1's wire (tests/lab/labnat.py): endpoint-independent mapping,
# filtering, ICMP echo and errors both ways, hairpinning, TCP RST and
# simultaneous open, fragments, anti-spoofing. One switchback start, with
# the ports on AF_XDP (see xdp_config in lablib.sh: net_af_packet would let
# the kernel reassemble fragments before switchback sees them).
# Usage: test_lab_nat.sh SWITCHBACK_BINARY
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
nat_scenarios mapping filtering icmp_echo icmp_errors hairpin tcp_rst simopen fragments spoofing
lab_stop
lab_finish
