#!/usr/bin/env bash
# Lab test (issue 11, finding 7): a routed LAN behind a router on the LAN.
# sb-lan routes 192.168.2.0/24 (namespace sb-rlan, host 192.168.2.5) from
# a second address, 192.168.1.254, on its lan0; switchback gets the route
# `192.168.2.0/24 via 192.168.1.254`. The routed host's TCP connection,
# UDP datagram, pings and an ICMP error about its flow all come back to it:
# the gateway sends them to the router's MAC (it used to ask ARP for
# 192.168.2.5 on the LAN, which nobody answers, hold the replies a second
# and drop them). Counters: nothing waited for ARP or was dropped for it.
# Usage: test_lab_routed_lan.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

RNS=sb-rlan
rlan() { ip netns exec "$RNS" "$@"; }
cleanup_rlan() {
	ip netns del "$RNS" 2>/dev/null
	lab_cleanup
}
trap cleanup_rlan EXIT

conf=$work/routed-lan.ini
{
	cat "$top/conf/lab.ini"
	printf '\n[route routed-lan]\ndst = 192.168.2.0/24\ngateway = 192.168.1.254\n'
} >"$conf"
lab_up
# The router (sb-lan) and the routed host (sb-rlan), before the gateway
# starts (it resolves the route's gateway from the start), offloads off
# as on the lab's own veths (a partial checksum must not reach it).
ip netns add "$RNS" &&
	ip link add rlan0 netns "$RNS" type veth peer name lan-r netns sb-lan &&
	"$lab" exec lan ip addr add 192.168.1.254/24 dev lan0 &&
	"$lab" exec lan ip addr add 192.168.2.1/24 dev lan-r &&
	"$lab" exec lan sysctl -qw net.ipv4.ip_forward=1 &&
	rlan ip addr add 192.168.2.5/24 dev rlan0 &&
	rlan ip link set lo up || bad "routed LAN namespace"
quiet() { # NS IFACE
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$1" ethtool -k "$2" | grep -q '^tx-checksumming: off' ||
		bad "TX checksum offload still on for $1/$2"
	ip netns exec "$1" ip link set "$2" up
}
quiet sb-lan lan-r
quiet "$RNS" rlan0
rlan ip route add default via 192.168.2.1 || bad "routed host's default route"
# Carrier on the new veth.
for _ in $(seq 50); do
	[ "$(rlan cat /sys/class/net/rlan0/operstate)" = up ] && break
	sleep 0.1
done

lab_gw_start "$conf"
lab_gw_wait
case "$line" in HELLO*) ok "up: $line" ;; *) bad "start (got '$line')" ;; esac
# A counter of `stats --json` (a.b: b in a's object).
stat_of() {
	ctl stats --json | /usr/bin/python3 -c '
import functools, json, sys
print(functools.reduce(lambda d, k: d[k], sys.argv[1].split("."), json.load(sys.stdin)))' "$1"
}
un0=$(stat_of drops.neighbour_unresolved)
pk0=$(stat_of parked)

# TCP: the SYN-ACK must come back (the first reply of a new session).
res=$(rlan timeout 10 /usr/bin/python3 "$LAB_CLIENT" once --timeout 3 2>&1)
case "$res" in
"HELLO 203.0.113.2 "*) ok "the routed host's TCP connection answered through WAN1 ($res)" ;;
*) bad "the routed host's TCP connection: '$res'" ;;
esac
# UDP, through the same session table (echo server on 192.0.2.80:8081).
res=$(rlan timeout 10 /usr/bin/python3 "$LAB_CLIENT" stream --count 5 --interval 0.1 2>/dev/null)
case "$res" in
"sent 5 received 5 "*) ok "UDP from the routed host: $res" ;;
*) bad "UDP from the routed host: '$res'" ;;
esac
# ICMP echo (a session of its own).
if res=$(rlan ping -c 3 -i 0.2 -W 1 -n -q 192.0.2.80 2>&1); then
	ok "pings from the routed host answered ($(grep -o '[0-9]* received' <<<"$res"))"
else
	bad "pings from the routed host: $(echo "$res" | tail -2 | tr '\n' ' ')"
fi
# An ICMP error about its flow: port unreachable from the server's kernel
# (nothing on 192.0.2.80:8099), translated back to the routed host: its
# connected UDP socket gets ECONNREFUSED.
res=$(rlan timeout 10 /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(("192.0.2.80", 8099))
for _ in range(3):
    s.send(b"x")
    try:
        s.recv(16)
        print("answered?")
        break
    except ConnectionRefusedError:
        print("refused")
        break
    except socket.timeout:
        pass
else:
    print("timeout")
' 2>&1)
[ "$res" = refused ] && ok "port unreachable about its flow reached the routed host (ECONNREFUSED)" ||
	bad "ICMP error to the routed host: '$res'"

# Nothing the routed host was sent waited for ARP or was dropped for it.
un=$(stat_of drops.neighbour_unresolved)
pk=$(stat_of parked)
[ -n "$un0" ] && [ -n "$un" ] && [ -n "$pk0" ] && [ -n "$pk" ] &&
	[ "$((un - un0))" = 0 ] && [ "$((pk - pk0))" = 0 ] &&
	ok "no packet waited for ARP (parked $pk0 -> $pk) or was dropped unresolved ($un0 -> $un)" ||
	bad "replies waited for ARP: parked $pk0 -> $pk, neighbour_unresolved $un0 -> $un"

lab_stop
ip netns del "$RNS" 2>/dev/null
[ -e "/var/run/netns/$RNS" ] && bad "$RNS left behind" || ok "$RNS removed"
lab_finish
