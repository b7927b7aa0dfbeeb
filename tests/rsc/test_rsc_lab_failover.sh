#!/usr/bin/env bash
# Lab test: seed 000's recursive failover, as RouterOS writes it
# (tests/rsc/000-basic-failover.rsc), imported and run by the real
# switchback in the namespace lab: tests/lab/test_lab_failover.sh on the
# imported INI. LAN traffic leaves through ISP1 masqueraded, WAN1's monitor
# host stops answering behind a live gateway (FAULT blackhole) or the
# gateway itself dies (fail-gw), new connections go through ISP2, and come
# back to ISP1 when it answers again. check-gateway probes every 200 ms
# (--check-interval) instead of RouterOS's 10 s, so the test is short.
# Usage: test_rsc_lab_failover.sh SWITCHBACK_BINARY IMPORT_BINARY [FAULT]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$1
imp=$2
fault=${3:-blackhole}
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP: needs root and network namespaces"
	exit 77
fi
ini=$(mktemp /tmp/sb-rsc-lab.XXXXXX)
trap 'rm -f "$ini"' EXIT
if ! "$imp" --ports "$here/lab-ports.ini" --check-interval 200 "$here/000-basic-failover.rsc" >"$ini"; then
	echo "FAIL import of 000-basic-failover.rsc"
	exit 1
fi
echo "----- imported configuration -----"
cat "$ini"
"$top/tests/lab/test_lab_failover.sh" "$bin" "$ini" "$fault"
