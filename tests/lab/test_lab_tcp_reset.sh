#!/usr/bin/env bash
# Lab test: a TCP connection pinned to a WAN that dies is reset towards the
# LAN host by the gateway (its address would change anyway), so the
# application learns at its next write instead of hanging.
# Usage: test_lab_tcp_reset.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

lab_start "$top/conf/lab.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac
# The client writes a byte every 50 ms and notes when the connection dies.
lab_tcp_hold 10 0.05 WAN1
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
wait "$cpid"
t_down=$(log_ms "wan wan1 DOWN")
t_reset=$(awk '$1 == "reset" {print $2}' "$work/client.txt")
if [ -n "$t_down" ] && [ -n "$t_reset" ] && [ $((t_reset - t_down)) -le 500 ]; then
	ok "the application saw its connection reset $((t_reset - t_down)) ms after WAN1 went down ($(awk '$1 == "reset" {print $3}' "$work/client.txt"))"
else
	bad "reset: down at '$t_down', client: $(cat "$work/client.txt")"
fi
lab_stop
if grep -Eq "TCP resets sent for flushed sessions: [1-9]" "$log"; then
	ok "the gateway sent it ($(grep -o 'TCP resets sent for flushed sessions: [0-9]*' "$log"))"
else
	bad "no gateway RST counted"
fi
lab_finish
