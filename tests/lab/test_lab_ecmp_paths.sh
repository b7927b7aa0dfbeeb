#!/usr/bin/env bash
# Lab test (issue 5): a flow keeps its path while that path is up; a path
# going down moves only its own flows. Default route ECMP over two
# gateways of WAN1 (203.0.113.1 and a second address, 203.0.113.3, that
# this test adds on sb-isp1 as a macvlan with its own MAC, so the capture
# on the ISP side tells the gateways apart), WAN2 as distance-2 backup.
#  1. 32 UDP flows (one datagram each) and 16 TCP connections (an echo
#     server of this test in sb-inet): both gateways carry some.
#  2. "route disable gw1b" (WAN1 stays up): the flows on 203.0.113.1 are
#     untouched, those on 203.0.113.3 move to 203.0.113.1 keeping their
#     session and mapping (same WAN, same external port); no session made
#     or flushed; every TCP connection still echoes.
#  3. "route disable gw1a": no WAN1 path left; every UDP flow moves to WAN2
#     (flushed and re-classified: another port), every TCP connection is
#     reset towards the LAN host (its address would change).
#  4. Both gateways back, a reload to ecmp_hash = l3: 32 new flows of one
#     host to one server all take the same gateway.
# Usage: test_lab_ecmp_paths.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"
cap_pid=
N=32
SPORT0=42000
T=16
TSPORT0=43000

cat >"$work/paths.ini" <<INI
[switchback]
sessions = 4096
ecmp_hash = l4

[port lan]
device = af_xdp:gw-lan
role = lan
address = 192.168.1.1/24

[port wan1]
device = af_xdp:gw-wan1
role = wan
address = 203.0.113.2/24
masquerade = yes

[port wan2]
device = af_xdp:gw-wan2
role = wan
address = 198.51.100.2/24
masquerade = yes

[route gw1a]
dst = 0.0.0.0/0
gateway = 203.0.113.1
distance = 1

[route gw1b]
dst = 0.0.0.0/0
gateway = 203.0.113.3
distance = 1

[route gw2]
dst = 0.0.0.0/0
gateway = 198.51.100.1
distance = 2
INI

# As lab_start, with the second WAN1 gateway added before switchback runs.
lab_up
isp1() { ip netns exec sb-isp1 "$@"; }
isp1 ip link add isp1-gw3 link isp1-cust type macvlan mode bridge || { echo "FAIL macvlan"; exit 1; }
isp1 ip addr add 203.0.113.3/32 dev isp1-gw3
isp1 ip link set isp1-gw3 up
# Each address answers ARP from its own interface (own MAC); no reverse-path
# check on the one that only receives.
for k in all isp1-cust isp1-gw3; do
	isp1 sysctl -qw "net.ipv4.conf.$k.arp_ignore=1" "net.ipv4.conf.$k.rp_filter=0"
done
# A TCP echo server on 192.0.2.80:8090 (sb-inet), for connections that live
# through the phases.
ip netns exec sb-inet timeout 120 /usr/bin/python3 -c '
import socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            d = self.request.recv(100)
            if not d:
                return
            self.request.sendall(d)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("192.0.2.80", 8090), H).serve_forever()
' >"$work/echo.log" 2>&1 &
lab_track $!
mac_a=$(isp1 cat /sys/class/net/isp1-cust/address)
mac_b=$(isp1 cat /sys/class/net/isp1-gw3/address)
lab_gw_start "$work/paths.ini"
lab_gw_wait
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac

# One datagram per flow (source ports SPORT0 .. SPORT0+N-1) to the echo server.
send_flows() {
	ip netns exec sb-lan /usr/bin/python3 - "$SPORT0" "$N" <<'PY'
import socket, sys
p0, n = int(sys.argv[1]), int(sys.argv[2])
for p in range(p0, p0 + n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.168.1.10", p))
    s.sendto(b"path", ("192.0.2.80", 8081))
    s.close()
PY
}
# T TCP connections (source ports TSPORT0 ..) to the echo server; a round
# (when $work/goR appears) sends one line on each and reads it back.
# Prints "round R ok|reset|failed COUNT" per outcome.
tcp_client() {
	ip netns exec sb-lan timeout 90 /usr/bin/python3 - "$TSPORT0" "$T" "$work" <<'PY'
import os, socket, sys, time
p0, n, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for p in range(p0, p0 + n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.168.1.10", p))
    s.settimeout(3)
    s.connect(("192.0.2.80", 8090))
    socks.append(s)
for r in (1, 2, 3):
    while not os.path.exists(f"{work}/go{r}"):
        time.sleep(0.05)
    out = {}
    for s in socks:
        try:
            s.sendall(b"round%d\n" % r)
            d = s.recv(100)
            k = "ok" if d == b"round%d\n" % r else "failed"
        except ConnectionResetError:
            k = "reset"
        except OSError:
            k = "failed"
        out[k] = out.get(k, 0) + 1
    for k, v in sorted(out.items()):
        print(f"round {r} {k} {v}", flush=True)
    open(f"{work}/done{r}", "w").close()
PY
}
round_done() { for _ in $(seq 100); do [ -e "$work/done$1" ] && return 0; sleep 0.1; done; return 1; }
tcp_round() { touch "$work/go$1"; round_done "$1" || bad "TCP round $1 did not finish"; }

# Capture what WAN1 sends the ISP for one phase: "DSTMAC EXTPORT" per
# datagram or segment.
capture() {
	isp1 timeout 20 tcpdump -i isp1-cust -e -n -l -Q in \
		"dst host 192.0.2.80 and ((udp and dst port 8081) or (tcp and dst port 8090))" \
		>"$work/cap-$1.txt" 2>/dev/null &
	cap_pid=$!
	lab_track "$cap_pid"
	sleep 1
}
capture_end() {
	sleep 1
	kill "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null; cap_pid=
	# "... SRCMAC > DSTMAC, ethertype IPv4 ... 203.0.113.2.PORT > 192.0.2.80.8081: UDP"
	sed -n 's/.* > \([0-9a-f:]*\), ethertype IPv4.* 203\.0\.113\.2\.\([0-9]*\) > 192\.0\.2\.80\.80[89][10]:.*/\1 \2/p' \
		"$work/cap-$1.txt" | sort -u >"$work/flows-$1.txt"
}
stat_field() { ctl stats --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# 1. Both gateways carry flows.
capture 1
tcp_client >"$work/tcp.txt" 2>&1 &
lab_track $!
send_flows
tcp_round 1
capture_end 1
n1=$(wc -l <"$work/flows-1.txt")
na=$(grep -c "^$mac_a " "$work/flows-1.txt")
nb=$(grep -c "^$mac_b " "$work/flows-1.txt")
if [ "$n1" -eq $((N + T)) ] && [ "$na" -gt 0 ] && [ "$nb" -gt 0 ]; then
	ok "phase 1: $((N + T)) flows over both gateways of WAN1 ($na via 203.0.113.1, $nb via 203.0.113.3)"
else
	bad "phase 1: $n1 flows seen, $na via .1, $nb via .3 ($(head -3 "$work/cap-1.txt"))"
fi
created1=$(stat_field sessions_created)

# 2. One gateway of WAN1 goes; WAN1 stays up.
ctl route disable gw1b >/dev/null || bad "route disable gw1b"
sleep 0.3
capture 2
send_flows
tcp_round 2
capture_end 2
stayed=$(join -1 2 -2 2 <(sort -k2 "$work/flows-1.txt") <(sort -k2 "$work/flows-2.txt") |
	awk -v a="$mac_a" '$2 == a && $3 == a' | wc -l)
moved=$(join -1 2 -2 2 <(sort -k2 "$work/flows-1.txt") <(sort -k2 "$work/flows-2.txt") |
	awk -v a="$mac_a" -v b="$mac_b" '$2 == b && $3 == a' | wc -l)
n2=$(wc -l <"$work/flows-2.txt")
if [ "$stayed" -eq "$na" ] && [ "$moved" -eq "$nb" ] && [ "$n2" -eq $((N + T)) ]; then
	ok "phase 2: the $na flows on 203.0.113.1 kept it, the $nb on 203.0.113.3 moved to it, same external ports"
else
	bad "phase 2: stayed $stayed of $na, moved $moved of $nb, $n2 flows seen"
fi
created2=$(stat_field sessions_created)
rer=$(stat_field sessions_path_rerouted)
fl=$(stat_field sessions_flushed)
if [ "$created2" -eq "$created1" ] && [ "$rer" -eq "$nb" ] && [ "$fl" -eq 0 ]; then
	ok "phase 2: no session made or flushed, $rer rerouted inside WAN1"
else
	bad "phase 2: sessions created $created1 -> $created2, rerouted $rer (want $nb), flushed $fl"
fi
ctl wan print | grep -q "wan1.*up" && ok "WAN1 stayed up" || bad "WAN1 state: $(ctl wan print)"
grep -q "^round 2 ok $T$" "$work/tcp.txt" && ok "phase 2: all $T TCP connections still echo" \
	|| bad "phase 2 TCP: $(tr '\n' ' ' <"$work/tcp.txt")"

# 3. WAN1's last gateway goes: every flow leaves by WAN2 now.
srv=$LAB_STATE/server.log
before=$(grep -c "udp 198.51.100.2 " "$srv")
ctl route disable gw1a >/dev/null || bad "route disable gw1a"
sleep 0.3
send_flows
tcp_round 3
sleep 1
after=$(grep -c "udp 198.51.100.2 " "$srv")
mv=$(stat_field sessions_path_moved)
if [ $((after - before)) -eq "$N" ] && [ "$mv" -eq $((N + T)) ]; then
	ok "phase 3: no WAN1 path left: all $N UDP flows moved to WAN2 (flushed, re-classified)"
else
	bad "phase 3: $((after - before)) datagrams via WAN2, sessions_path_moved $mv (want $((N + T)))"
fi
grep -q "^round 3 reset $T$" "$work/tcp.txt" && ok "phase 3: all $T TCP connections reset towards the LAN host" \
	|| bad "phase 3 TCP: $(tr '\n' ' ' <"$work/tcp.txt")"

# 4. A reload to ecmp_hash = l3 (issue 14): new flows from one host to one
# server (other source ports) all take one gateway of WAN1.
ctl route enable gw1a >/dev/null && ctl route enable gw1b >/dev/null || bad "route enable"
sed -i 's/^ecmp_hash = l4$/ecmp_hash = l3/' "$work/paths.ini"
out=$(ctl reload 2>&1)
case "$out" in
	*"left unchanged"*) bad "phase 4: reload left something for a restart: $out" ;;
	*"[switchback] ecmp_hash: l4 -> l3"*) ok "phase 4: reload applies ecmp_hash = l3" ;;
	*) bad "phase 4: reload: $out" ;;
esac
sleep 0.3
SPORT0=44000
capture 4
send_flows
capture_end 4
n4=$(wc -l <"$work/flows-4.txt")
na=$(grep -c "^$mac_a " "$work/flows-4.txt")
nb=$(grep -c "^$mac_b " "$work/flows-4.txt")
if [ "$n4" -eq "$N" ] && { [ "$na" -eq "$N" ] || [ "$nb" -eq "$N" ]; }; then
	ok "phase 4: with l3 the $N new flows of one host take one gateway ($na via .1, $nb via .3)"
else
	bad "phase 4: $n4 flows seen, $na via .1, $nb via .3"
fi

lab_stop
lab_finish
