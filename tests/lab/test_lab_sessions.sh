#!/usr/bin/env bash
# Lab test: session policy on failback. conf/lab.ini with
# "sessions_on_failback = move" on wan2 (a metered backup): a UDP flow that
# started on WAN2 while WAN1 was down moves to WAN1 once WAN1 is back.
# Usage: test_lab_sessions.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

sed -e 's|^address = 198.51.100.2/24$|address = 198.51.100.2/24\nsessions_on_failback = move|' \
    "$top/conf/lab.ini" >"$work/lab.ini"
grep -q '^sessions_on_failback = move' "$work/lab.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/lab.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac

"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
if wait_via 198.51.100.2; then ok "WAN1 failed: WAN2 carries new flows"; else bad "failover (got '$line')"; fi

# A UDP flow (source port 41000) starts on WAN2; WAN1 comes back meanwhile.
lab_stream_start "$work/stream.txt" --sport 41000 --count 400 --interval 0.01
sleep 0.5
"$lab" restore wan1 >>"$work/lab.log" 2>&1
wait "$stream_pid"
stream_pid=
srv=$LAB_STATE/server.log
if grep -q "udp 198.51.100.2 41000" "$srv" && grep -q "udp 203.0.113.2 41000" "$srv"; then
	ok "the flow started on WAN2 and moved to WAN1 after failback ($(cat "$work/stream.txt"))"
else
	bad "flow sources seen by the server: $(grep -o 'udp [0-9.]* 41000' "$srv" | sort | uniq -c | tr '\n' ' ')"
fi
grep -q "wan wan2: sessions move back now that wan1 is up" "$log" && ok "logged: wan2's sessions move back" \
	|| bad "no move-back log line"

lab_stop
lab_finish
