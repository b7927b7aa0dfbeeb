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
# A sink that keeps connections open (ends with the namespace).
ip netns exec sb-inet timeout 60 nc -lk 192.0.2.80 9000 >/dev/null 2>&1 &
sleep 0.3
# The client writes a byte every 50 ms and notes when the connection dies.
ip netns exec sb-lan timeout 20 /usr/bin/python3 -c '
import socket, time
s = socket.create_connection(("192.0.2.80", 9000), timeout=2)
print("connected", int(time.time() * 1000), flush=True)
end = time.time() + 10
try:
    while time.time() < end:
        s.send(b"x")
        s.settimeout(0.05)
        try:
            if s.recv(16) == b"":
                raise ConnectionResetError("closed")
        except socket.timeout:
            pass
except OSError as e:
    print("reset", int(time.time() * 1000), type(e).__name__, flush=True)
' >"$work/client.txt" 2>&1 &
cpid=$!
sleep 1
grep -q connected "$work/client.txt" && ok "long-lived TCP connection open through WAN1" || bad "client: $(cat "$work/client.txt")"
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
