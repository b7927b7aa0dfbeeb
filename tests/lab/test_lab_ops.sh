#!/usr/bin/env bash
# Lab test: operating a running switchback (conf/lab.ini).
#  1. switchbackctl route print / --json, wan print.
#  2. "wan down wan1": traffic moves to WAN2 at once; "wan auto wan1": back
#     to WAN1 after its probes answer and the hold-down.
#  3. Carrier loss on WAN1 takes effect at once (no probe rounds).
#  4. Failback waits for the hold-down (hold_down_ms = 1000 in conf/lab.ini).
#  0. A new LAN address's first connection is not delayed by ARP.
#  5. The [notify] hook runs on each change, and once as an alert when a
#     WAN stays down (alert_after_s = 1), with the facts in its environment.
# Usage: test_lab_ops.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

# conf/lab.ini plus a hook that appends its environment to a file.
cp "$top/conf/lab.ini" "$work/lab.ini"
printf '\n[notify]\nhook = env | grep ^SB_ | sort | tr "\\n" " " >> %s && echo >> %s\nalert_after_s = 1\n' \
	"$work/hook.log" "$work/hook.log" >>"$work/lab.ini"
lab_start "$work/lab.ini"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')" ;;
esac

out=$(ctl route print)
if grep -Eq '^AS +default-wan1 ' <<<"$out" && grep -Eq '^S +default-wan2 .*higher distance' <<<"$out"; then
	ok "route print: default-wan1 active (AS), default-wan2 inactive with its reason"
else
	bad "route print: $out"
fi
if ctl route print --json | /usr/bin/python3 -c '
import json, sys
r = {x["name"]: x for x in json.load(sys.stdin)}
assert r["default-wan1"]["active"] and r["default-wan1"]["nexthops"][0]["via"] == "203.0.113.1"
assert r["default-wan2"]["reason"] == "higher distance"'; then
	ok "route print --json parses and says the same"
else
	bad "route print --json"
fi
ctl wan print | grep -Eq '^wan1 +up ' && ok "wan print: wan1 up" || bad "wan print: $(ctl wan print)"
if ctl wan down nope >/dev/null 2>&1; then bad "wan down of an unknown WAN accepted"; else ok "unknown WAN refused"; fi

# A LAN address the gateway never heard of: its first connection must not
# wait for a retransmission (the answer waits for ARP instead).
ip netns exec sb-lan ip addr add 192.168.1.99/24 dev lan0
l=$(connect 0.5 192.168.1.99)
case "$l" in
	"HELLO 203.0.113.2 "*) ok "a new LAN address's first connection succeeds at once (answer held for ARP)" ;;
	*) bad "first connection from a new LAN address within 0.5 s: '$l'" ;;
esac

# Operator forces WAN1 down.
t0=$(now_ms)
ctl wan down wan1 >/dev/null || bad "wan down wan1"
line=$(connect)
t1=$(now_ms)
case "$line" in
	"HELLO 198.51.100.2 "*) ok "forced down: the next connection goes through WAN2 ($((t1 - t0)) ms)" ;;
	*) bad "forced down (got '$line')" ;;
esac
grep -q "wan wan1 DOWN: forced down by the operator" "$log" && ok "logged: forced down by the operator" \
	|| bad "no forced-down log line"
ctl wan print | grep -Eq '^wan1 +forced-down ' && ok "wan print: forced-down" || bad "wan print after down"
for _ in $(seq 20); do [ -s "$work/hook.log" ] && break; sleep 0.05; done
if grep -q "SB_EVENT=change SB_NEW_STATE=down SB_OLD_STATE=up SB_REASON=forced down by the operator SB_TIME=[0-9]* SB_WAN=wan1" "$work/hook.log"; then
	ok "hook ran with the change in its environment"
else
	bad "hook: $(cat "$work/hook.log" 2>/dev/null)"
fi
sleep 1.3
if grep -q "SB_EVENT=alert .*SB_WAN=wan1" "$work/hook.log" && grep -q "wan wan1 has been down for 1 s" "$log"; then
	ok "alert after 1 s down: logged and hooked"
else
	bad "no alert after 1 s down"
fi
ctl wan auto wan1 >/dev/null || bad "wan auto wan1"
if wait_via 203.0.113.2; then ok "wan auto: WAN1 carries new flows again"; else bad "wan auto (got '$line')"; fi

# Reorder the failover order at run time (seed 002), and disable a route.
ctl route set default-wan1 distance 5 >/dev/null || bad "route set"
if wait_via 198.51.100.2; then ok "route set default-wan1 distance 5: WAN2 preferred at once"; else bad "route set (got '$line')"; fi
ctl route set default-wan1 distance 1 >/dev/null
if wait_via 203.0.113.2; then ok "distance 1 again: back to WAN1"; else bad "route set back (got '$line')"; fi
ctl route disable default-wan1 >/dev/null || bad "route disable"
ctl route print | grep -Eq '^XS +default-wan1 .*disabled' && ok "route disable: flagged X, reason disabled" \
	|| bad "route print after disable: $(ctl route print)"
if wait_via 198.51.100.2; then ok "disabled: WAN2 carries new flows"; else bad "disable (got '$line')"; fi
ctl route enable default-wan1 >/dev/null
if wait_via 203.0.113.2; then ok "enabled: WAN1 again"; else bad "enable (got '$line')"; fi
if ctl route set nope distance 3 >/dev/null 2>&1; then bad "unknown route accepted"; else ok "unknown route refused"; fi

# Carrier loss: no probe rounds needed.
ups=$(grep -c "wan wan1 UP" "$log")
"$lab" link-down wan1 >>"$work/lab.log" 2>&1 || bad "link-down"
# lab.sh stamps the fault just before and after its command: time from
# the first and allow for the command's own run time (a loaded machine).
if lab_fault_detect fault-wan1 "wan wan1 DOWN: link down" 1000 && [ $((det - slack)) -le 300 ]; then
	ok "carrier loss: wan1 DOWN $det ms after the link went (bound 300 ms + the $slack ms the command took; probes would need 600)"
else
	bad "carrier loss not seen within 300 ms (+ the $slack ms the command took)"
fi
if wait_via 198.51.100.2; then ok "link down: new connections through WAN2"; else bad "link down (got '$line')"; fi
"$lab" restore wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 100); do [ "$(grep -c "wan wan1 UP" "$log")" -gt "$ups" ] && break; sleep 0.1; done
[ "$(grep -c "wan wan1 UP" "$log")" -gt "$ups" ] && ok "link back: wan1 UP" || bad "wan1 did not come back after the link"
# Settle: a link down long enough for three probe rounds leaves the probe
# failing for a moment after the link is back (DOWN, then a failback):
# wait until wan1's state has not changed for 2 s (at most 8 s).
for _ in $(seq 4); do
	n=$(grep -c "wan wan1 \(UP\|DOWN\)" "$log")
	sleep 2
	[ "$(grep -c "wan wan1 \(UP\|DOWN\)" "$log")" = "$n" ] && break
done

# Hold-down: after a gateway failure, failback waits hold_down_ms (1000)
# after the probes answer again.
if wait_via 203.0.113.2; then :; fi
holds=$(grep -c "failback in 1000 ms" "$log")
ups=$(grep -c "wan wan1 UP" "$log")
downs=$(grep -c "wan wan1 DOWN" "$log")
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 50); do [ "$(grep -c "wan wan1 DOWN" "$log")" -gt "$downs" ] && break; sleep 0.1; done
"$lab" restore wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 100); do [ "$(grep -c "wan wan1 UP" "$log")" -gt "$ups" ] && break; sleep 0.1; done
t_ans=$(log_ms "failback in 1000 ms" "$holds")
t_up=$(log_ms "wan wan1 UP" "$ups")
if [ -n "$t_ans" ] && [ -n "$t_up" ] && [ $((t_up - t_ans)) -ge 990 ] && [ $((t_up - t_ans)) -le 1300 ]; then
	ok "failback $((t_up - t_ans)) ms after the probes answered again (hold-down 1000 ms)"
else
	bad "hold-down: answered at '${t_ans}', up at '${t_up}'"
fi

# Every WAN down: nothing is flushed for nothing, the preferred default
# stays as a last resort, and the state says so.
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
"$lab" fail-gw wan2 >>"$work/lab.log" 2>&1
for _ in $(seq 50); do grep -q "no other WAN is up" "$log" && break; sleep 0.1; done
grep -q "DOWN and no other WAN is up: sessions kept" "$log" && ok "all WANs down: logged, sessions kept" \
	|| bad "no all-down log line"
for _ in $(seq 30); do ctl route print | grep -q "last resort" && break; sleep 0.1; done
ctl route print | grep -Eq '^AS +default-wan1 .*last resort' && ok "default-wan1 stays as the last resort" \
	|| bad "route print with every WAN down: $(ctl route print)"
"$lab" restore wan1 >>"$work/lab.log" 2>&1
"$lab" restore wan2 >>"$work/lab.log" 2>&1
if wait_via 203.0.113.2; then ok "both back: WAN1 again"; else bad "after all-down (got '$line')"; fi

lab_stop
lab_finish
