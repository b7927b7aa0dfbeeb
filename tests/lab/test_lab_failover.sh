#!/usr/bin/env bash
# Lab test: the real switchback binary in network namespaces (scripts/lab.sh).
#  1. TCP from the LAN host reaches the server SNATed to WAN1 (203.0.113.2).
#  2. Unsolicited inbound to the WAN address is dropped silently (no RST).
#  3. WAN1 fails by FAULT: new connections succeed through WAN2, within bounds.
#  4. The fault is removed: WAN1 comes back and carries new flows.
# FAULT: fail-gw (the gateway stops answering: conf/lab-basic.ini's
# check-gateway on the gateway catches it) or blackhole (the gateway
# answers but drops what it should forward: conf/lab.ini's monitors behind
# the ISP catch it).
# Usage: test_lab_failover.sh SWITCHBACK_BINARY [CONFIG [FAULT]]
# Exits 77 (skipped) when not root or without network namespaces.
set -uo pipefail
conf=${2:-$top/conf/lab-basic.ini}
fault=${3:-fail-gw}
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

lab_start "$conf"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "TCP from 192.168.1.10 reaches the server as 203.0.113.2 ($line)" ;;
	*) bad "TCP through WAN1 (got '$line')"; cat "$log" ;;
esac
line=$(connect)
case "$line" in
	"HELLO 203.0.113.2 "*) ok "a second connection also goes through WAN1" ;;
	*) bad "second connection through WAN1 (got '$line')" ;;
esac

# Unsolicited inbound: must time out (silently dropped), not be refused.
t0=$(now_ms)
ip netns exec sb-inet timeout 3 nc -z -w 1 203.0.113.2 8080 >/dev/null 2>&1
rc=$?
t1=$(now_ms)
if [ "$rc" -ne 0 ] && [ $((t1 - t0)) -ge 900 ]; then
	ok "unsolicited TCP to 203.0.113.2:8080 dropped silently (timed out after $((t1 - t0)) ms, no RST)"
else
	bad "unsolicited TCP to 203.0.113.2:8080 (rc $rc after $((t1 - t0)) ms)"
fi

# Failover: WAN1 fails ($fault); a client tries a new connection every
# 100 ms with a 300 ms timeout.
lab_loop_start "$work/attempts.txt" 100
sleep 0.5
"$lab" "$fault" wan1 >>"$work/lab.log" 2>&1 || bad "fault injection: $(tail -3 "$work/lab.log")"
# lab.sh stamps the fault just before and after the command that applies
# it: time from the first, and allow for the command's own run time (on a
# loaded machine lab.sh's set-up took longer than the bound's slack).
t0=$(lab_stamp_ms fault-wan1)
cmd_ms=$(lab_stamp_slack fault-wan1)
t1=$(lab_wait_first_via "$work/attempts.txt" "$t0" 2 10000)
lab_loop_stop
if [ -n "$t1" ]; then
	ok "after $fault on WAN1, new connections go through WAN2 ($((t1 - t0)) ms from fault to first success)"
else
	bad "failover to WAN2: no connection through WAN2 within 10 s"
	t1=$((t0 + 99999))
fi
if grep -q "wan wan1 DOWN" "$log"; then
	ok "log says: $(grep -m1 'wan wan1 DOWN' "$log" | sed 's/^.*wan: //')"
else
	bad "no 'wan wan1 DOWN' log line"
fi
# Bounds. Detection: interval 200 ms x down_after 3 plus up to one interval
# of phase = 800 ms; 200 ms slack for a loaded CI machine. A new connection
# then succeeds within one client period (100 ms) + one timeout (300 ms),
# with 200 ms slack.
t_down=$(log_ms "wan wan1 DOWN")
if [ -n "$t_down" ]; then
	det=$((t_down - t0))
	if [ $((det - cmd_ms)) -le 1000 ]; then
		ok "detection $det ms (bound 1000 ms, + the $cmd_ms ms the fault command took)"
	else
		bad "detection took $det ms (> 1000 ms + the $cmd_ms ms the fault command took)"
	fi
	if [ $((t1 - t_down)) -le 600 ]; then
		ok "first new connection through WAN2 $((t1 - t_down)) ms after detection (bound 600 ms)"
	else
		bad "first new connection through WAN2 $((t1 - t_down)) ms after detection (> 600 ms)"
	fi
fi

# Failback, after the configured hold-down.
"$lab" restore wan1 >>"$work/lab.log" 2>&1 || bad "restore: $(tail -3 "$work/lab.log")"
t0=$(now_ms)
wait_log "wan wan1 UP" 0 10000
t1=$(now_ms)
if grep -q "wan wan1 UP" "$log"; then
	ok "WAN1 back up $((t1 - t0)) ms after the fault was removed"
else
	bad "WAN1 did not come back"
fi
line=$(connect)
case "$line" in
	"HELLO 203.0.113.2 "*) ok "new connections use WAN1 again" ;;
	*) bad "after failback (got '$line')" ;;
esac

lab_stop
if grep -Eq "drops:.*wan_unsolicited=[1-9]" "$log"; then
	ok "unsolicited inbound counted ($(grep -Eo 'wan_unsolicited=[0-9]+' "$log"))"
else
	bad "wan_unsolicited not counted"
fi
lab_finish
