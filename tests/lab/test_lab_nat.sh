#!/usr/bin/env bash
# Lab test: NAT behaviour (RFC 4787, 5382, 5508, 6888, 7857) through the real
# binary, packets built and checked with scapy on the LAN wire and the WAN
# wires (tests/lab/labnat.py). One switchback start on CONFIG, then the
# scenarios named; tests/lab/meson.build runs it four ways (docs/lab.md):
#   --xdp       the ports on AF_XDP (xdp_config in scripts/lab-lib.sh:
#               net_af_packet would let the kernel reassemble fragments
#               before switchback sees them)
#   --table16   sessions = 16 and short timeouts (UDP 5 s), for table_full
#   --any-wan   the first connection may use any WAN (PCC); else WAN1
# Usage: test_lab_nat.sh SWITCHBACK_BINARY [--xdp] [--table16] [--any-wan] CONFIG SCENARIO...
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"
shift
xdp=0 table16=0 expect="HELLO 203.0.113.2 "
while [ $# -gt 0 ]; do
	case "$1" in
	--xdp) xdp=1 ;;
	--table16) table16=1 ;;
	--any-wan) expect="HELLO " ;;
	*) break ;;
	esac
	shift
done
conf=${1:?usage: test_lab_nat.sh SWITCHBACK_BINARY [--xdp] [--table16] [--any-wan] CONFIG SCENARIO...}
shift
[ $# -gt 0 ] || { echo "FAIL no scenario named"; exit 1; }

cp "$conf" "$work/nat.ini"
if [ "$table16" = 1 ]; then
	sed -i -e 's/^sessions = 65536$/sessions = 16\nsessions_per_host = 0/' "$work/nat.ini"
	printf '\n[timeouts]\ntcp_transitory = 2\nudp = 5\nicmp = 2\n' >>"$work/nat.ini"
	grep -q '^sessions = 16$' "$work/nat.ini" || { echo "FAIL could not derive the test config"; exit 1; }
fi
if [ "$xdp" = 1 ]; then
	xdp_config "$work/nat.ini" "$work/nat-xdp.ini" && mv "$work/nat-xdp.ini" "$work/nat.ini" ||
		{ echo "FAIL could not derive the test config"; exit 1; }
fi
lab_start "$work/nat.ini"
case "$line" in "$expect"*) ok "up ($line)" ;; *) bad "start (got '$line', want '$expect...')" ;; esac
nat_hosts
nat_scenarios "$@"
lab_stop
lab_finish
