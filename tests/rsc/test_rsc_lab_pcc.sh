#!/usr/bin/env bash
# Lab test: seed 004's dual-WAN PCC script (tests/rsc/004-dual-wan-pcc.rsc,
# its variables set to the lab) imported and run by the real switchback in
# the namespace lab, with the behaviour the seed describes:
#  1. new connections are balanced over both WANs (PCC 1:1 on
#     both-addresses-and-ports), each masqueraded to its WAN's address;
#  2. one of ISP1's two monitors stops answering: nothing fails over
#     ("failover triggers ONLY if BOTH monitor IPs fail"), both WANs
#     still carry new connections;
#  3. ISP1 blackholes (both monitors silent behind a live gateway): WAN1
#     goes down and every new connection goes through ISP2;
#  4. ISP1 recovers: WAN1 comes back and carries its share again.
# check-gateway every 200 ms (--check-interval) instead of RouterOS's 10 s.
# Usage: test_rsc_lab_pcc.sh SWITCHBACK_BINARY IMPORT_BINARY
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
imp=$2
. "$here/../../scripts/lab-lib.sh"
lab_test_init "$1"

"$imp" --ports "$here/lab-ports-004.ini" --check-interval 200 "$here/004-dual-wan-pcc.rsc" \
	>"$work/004.ini" 2>"$work/import.txt"
rc=$?
# Exit 1: the bridge, DHCP server, filter, DNS and e-mail lines are
# reported as not translated; the routing, PCC and NAT are in the INI.
if [ "$rc" -eq 1 ] && grep -q '^pcc_weight = 1$' "$work/004.ini"; then
	ok "004-dual-wan-pcc.rsc imported ($(grep -c ': skipped: ' "$work/import.txt") lines reported as skipped)"
else
	bad "import exited $rc"; cat "$work/import.txt"; lab_finish; exit 1
fi

# Attempts from the LAN host: N new connections, "<ms> <1|2|x>" each.
spread() {
	lab_client loop --interval 0.05 --timeout 1 --count "$1" >"$work/spread.txt" 2>/dev/null
	n1=$(awk '$2 == 1' "$work/spread.txt" | wc -l)
	n2=$(awk '$2 == 2' "$work/spread.txt" | wc -l)
	nx=$(awk '$2 == "x"' "$work/spread.txt" | wc -l)
}

lab_start "$work/004.ini"
case "$line" in HELLO*) ok "switchback up on the imported configuration ($line)" ;;
	*) bad "no connection (got '$line')"; lab_finish; exit 1 ;; esac

spread 40
if [ "$n1" -ge 5 ] && [ "$n2" -ge 5 ] && [ "$nx" -eq 0 ]; then
	ok "PCC 1:1: $n1 of 40 new connections through WAN1, $n2 through WAN2"
else
	bad "PCC spread: $n1 via WAN1, $n2 via WAN2, $nx failed of 40"
fi

"$lab" fail-monitor 192.0.2.53 >>"$work/lab.log" 2>&1 || bad "fail-monitor 192.0.2.53"
# Long enough for its checked routes to fail (200 ms x 2) many times over.
sleep 1.5
if grep -q "wan wan1 DOWN" "$log"; then
	bad "WAN1 went down with one of its two monitors still answering"
else
	ok "one ISP1 monitor (192.0.2.53) silent: WAN1 stays up"
fi
# ... although the routes through the silent monitor did fail.
routes=$(ctl route print 2>&1)
if echo "$routes" | grep -q "default-isp1-m1.*check-gateway failed" &&
   echo "$routes" | grep "default-isp1-m2" | grep -q "active"; then
	ok "route default-isp1-m1 (via 192.0.2.53) failed its check, default-isp1-m2 (via .55) active"
else
	bad "route states with 192.0.2.53 silent:"; echo "$routes"
fi
spread 30
if [ "$n1" -ge 3 ] && [ "$n2" -ge 3 ] && [ "$nx" -eq 0 ]; then
	ok "still balanced: $n1 of 30 through WAN1, $n2 through WAN2"
else
	bad "with one monitor silent: $n1 via WAN1, $n2 via WAN2, $nx failed of 30"
fi

"$lab" blackhole wan1 >>"$work/lab.log" 2>&1 || bad "blackhole wan1"
if wait_log "wan wan1 DOWN" 0 5000; then
	ok "ISP1 blackholed: $(grep -m1 'wan wan1 DOWN' "$log" | sed 's/^.*wan: //')"
else
	bad "WAN1 not down 5 s after its blackhole"
fi
spread 30
if [ "$n2" -eq 30 ]; then
	ok "all 30 new connections through WAN2 (cross-ISP failover)"
else
	bad "after the blackhole: $n1 via WAN1, $n2 via WAN2, $nx failed of 30"
fi

"$lab" restore wan1 >>"$work/lab.log" 2>&1 || bad "restore wan1"
"$lab" restore-monitor 192.0.2.53 >>"$work/lab.log" 2>&1 || bad "restore-monitor"
if wait_log "wan wan1 UP" 0 5000; then
	ok "WAN1 back up"
else
	bad "WAN1 did not come back"
fi
sleep 0.5
spread 30
if [ "$n1" -ge 3 ] && [ "$n2" -ge 3 ] && [ "$nx" -eq 0 ]; then
	ok "balanced again: $n1 of 30 through WAN1, $n2 through WAN2"
else
	bad "after recovery: $n1 via WAN1, $n2 via WAN2, $nx failed of 30"
fi

lab_stop
lab_finish
