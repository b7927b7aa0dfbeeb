#!/usr/bin/env bash
# Lab test: two monitors per WAN (conf/lab-quorum.ini).
#  1. One monitor of WAN1 stops answering: WAN1 must NOT fail over (its
#     route through that monitor goes inactive, the other carries on).
#  2. The second one stops too: WAN1 fails over to WAN2 within the bound.
#  3. Both answer again: WAN1 comes back after the hold-down.
# Usage: test_lab_quorum.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

lab_start "$top/conf/lab-quorum.ini"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')" ;;
esac
ctl route print | grep -Eq '^ASE +default-wan1a ' && ctl route print | grep -Eq '^ASE +default-wan1b ' \
	&& ok "both WAN1 defaults active (ECMP flags, one next hop)" || bad "route print: $(ctl route print)"

"$lab" fail-monitor 192.0.2.53 >>"$work/lab.log" 2>&1 || bad "fail-monitor"
sleep 1.5   # well past detection (800 ms)
if ctl route print | grep -Eq '^S +default-wan1a .*check-gateway failed'; then
	ok "the route through the silent monitor is inactive (check-gateway failed)"
else
	bad "route print: $(ctl route print)"
fi
if grep -q "wan wan1 DOWN" "$log"; then
	bad "WAN1 failed over although one of its monitors still answers"
else
	ok "WAN1 stays up with one monitor of two answering"
fi
line=$(connect)
case "$line" in
	"HELLO 203.0.113.2 "*) ok "traffic still through WAN1" ;;
	*) bad "after one monitor failed (got '$line')" ;;
esac

"$lab" fail-monitor 192.0.2.55 >>"$work/lab.log" 2>&1 || bad "fail-monitor"
# From lab.sh's stamp just before the rule, allowing for the rule's own
# command (a loaded machine took over a second to get there from here).
if lab_fault_detect fault-monitor "wan wan1 DOWN" 2500 && [ $((det - slack)) -le 1000 ]; then
	ok "both monitors silent: wan1 DOWN after $det ms (bound 1000 ms + the $slack ms the command took)"
else
	bad "wan1 not down within 1 s of its last monitor going silent"
fi
if wait_via 198.51.100.2; then ok "new connections through WAN2"; else bad "failover (got '$line')"; fi

"$lab" restore-monitor 192.0.2.53 >>"$work/lab.log" 2>&1
"$lab" restore-monitor 192.0.2.55 >>"$work/lab.log" 2>&1
for _ in $(seq 60); do grep -q "wan wan1 UP" "$log" && break; sleep 0.1; done
grep -q "wan wan1 UP" "$log" && ok "WAN1 back once its monitors answer (after the hold-down)" \
	|| bad "WAN1 did not come back"
if wait_via 203.0.113.2; then ok "new connections through WAN1 again"; else bad "failback (got '$line')"; fi

lab_stop
lab_finish
