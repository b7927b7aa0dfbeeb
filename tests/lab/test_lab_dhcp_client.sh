#!/usr/bin/env bash
# Lab test: the DHCP client of control/dhcp.c against Debian's dnsmasq,
# outside the daemon (tests/lab/dhcp_peer.c drives it on a veth through
# AF_PACKET). Two namespaces of its own (sb-dhcp-srv, sb-dhcp-cli) on
# 198.18.7.0/24; dnsmasq in the foreground, its lease file and pid in a
# temporary directory, killed at the end.
#  1. DISCOVER, OFFER, REQUEST, ACK: the lease with mask, router (RFC 3442's
#     0/0 route), DNS, T1/T2 as the server set them; renewals at T1.
#  2. A restart with the lease kept: INIT-REBOOT, the same address ACKed.
#  3. The server's range changes: the renewal is NAKed, the lease lost, a
#     new address bound (changed old -> new).
#  4. A clean stop sends a RELEASE the server takes.
# Usage: test_lab_dhcp_client.sh DHCP_PEER_BINARY
set -uo pipefail
peer=${1:?usage: test_lab_dhcp_client.sh DHCP_PEER_BINARY}
pass=0
fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1 || ! command -v dnsmasq >/dev/null; then
	echo "SKIP: needs root, network namespaces and dnsmasq"
	exit 77
fi
work=$(mktemp -d /tmp/sb-dhcp-client.XXXXXX)
srv=sb-dhcp-srv
cli=sb-dhcp-cli
dns_pid=
cleanup() {
	[ -n "$dns_pid" ] && kill "$dns_pid" 2>/dev/null
	ip netns del $srv 2>/dev/null
	ip netns del $cli 2>/dev/null
	[ "${LAB_KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
ip netns del $srv 2>/dev/null
ip netns del $cli 2>/dev/null
ip netns add $srv && ip netns add $cli || { echo "FAIL namespaces"; exit 1; }
ip link add dsrv netns $srv type veth peer name dcli netns $cli
ip -n $srv addr add 198.18.7.1/24 dev dsrv
ip -n $srv link set dsrv up
ip -n $cli link set dcli up
# veth's TX checksum offload would leave partial UDP checksums the client
# refuses (as the lab does, scripts/lab.sh).
ip netns exec $srv ethtool -K dsrv tx off >/dev/null 2>&1
ip netns exec $cli ethtool -K dcli tx off >/dev/null 2>&1

# dhcp_server FIRST LAST: dnsmasq serving FIRST-LAST, lease 120 s (its
# least), T1 3 s, T2 5 s, router 198.18.7.1 as option 121's default.
dhcp_server() {
	ip netns exec $srv dnsmasq -C /dev/null --no-daemon --user=root --port=0 --interface=dsrv \
		--bind-interfaces --dhcp-range="$1,$2,255.255.255.0,120" \
		--dhcp-option=option:router,198.18.7.1 --dhcp-option=option:dns-server,198.18.7.1 \
		--dhcp-option=option:T1,3 --dhcp-option=option:T2,5 \
		--dhcp-option=121,10.0.0.0/8,198.18.7.2,0.0.0.0/0,198.18.7.1 \
		--dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" --no-ping \
		--dhcp-authoritative --log-dhcp >>"$work/dnsmasq.log" 2>&1 &
	dns_pid=$!
	sleep 0.5
}
dhcp_server_stop() {
	if [ -n "$dns_pid" ]; then
		kill "$dns_pid" 2>/dev/null
		for _ in $(seq 40); do kill -0 "$dns_pid" 2>/dev/null || break; sleep 0.05; done
		wait "$dns_pid" 2>/dev/null
	fi
	dns_pid=
}
run_peer() { # SECONDS OUT [--keep]
	ip netns exec $cli timeout $(($1 + 10)) "$peer" dcli "$1" "$work/client.lease" ${3:-} >"$2" 2>&1
}

# 1. Bind and renew.
dhcp_server 198.18.7.10 198.18.7.10
run_peer 8 "$work/run1.txt" --keep
if grep -q '^bound 198.18.7.10/24 gw 198.18.7.1 dns 198.18.7.1 lease 120 t1 3 t2 5 renewal 0' "$work/run1.txt"; then
	ok "bound: $(grep -m1 '^bound' "$work/run1.txt")"
else
	bad "no lease: $(cat "$work/run1.txt")"
fi
head -4 "$work/run1.txt" | tr '\n' ' ' | grep -q '^start init sent DISCOVER sent REQUEST bound' &&
	ok "DISCOVER, REQUEST, ACK" || bad "exchange: $(head -4 "$work/run1.txt" | tr '\n' ' ')"
n=$(grep -c 'renewal 1' "$work/run1.txt")
[ "$n" -ge 1 ] && ok "renewed $n times at T1 (3 s) in 8 s" || bad "no renewal: $(cat "$work/run1.txt")"
grep -q '^refused' "$work/run1.txt" && bad "refused: $(grep '^refused' "$work/run1.txt" | sort | uniq -c)"
[ -s "$work/client.lease" ] && ok "lease kept on disk ($(grep address "$work/client.lease"))" ||
	bad "no lease file"

# 2. INIT-REBOOT from the kept lease.
run_peer 2 "$work/run2.txt" --keep
if head -3 "$work/run2.txt" | tr '\n' ' ' | grep -q '^start init-reboot sent REQUEST bound 198.18.7.10/24'; then
	ok "INIT-REBOOT: REQUEST for the kept address, ACKed"
else
	bad "INIT-REBOOT: $(head -4 "$work/run2.txt" | tr '\n' ' ')"
fi

# 3. Another address: the server now only has .20 and a new lease file.
(
	sleep 1.5
	dhcp_server_stop
	rm -f "$work/leases"
	dhcp_server 198.18.7.20 198.18.7.20
	echo "$dns_pid" >"$work/dns2.pid"
) &
restarter=$!
run_peer 8 "$work/run3.txt"
wait "$restarter"
dns_pid=$(cat "$work/dns2.pid" 2>/dev/null)
grep -q '^lost nak 198.18.7.10' "$work/run3.txt" && ok "renewal NAKed: lease lost (nak)" ||
	bad "no NAK: $(cat "$work/run3.txt")"
if grep -q '^changed 198.18.7.10 -> 198.18.7.20/24' "$work/run3.txt"; then
	ok "$(grep -m1 '^changed' "$work/run3.txt")"
else
	bad "no change to 198.18.7.20: $(cat "$work/run3.txt")"
fi

# 4. RELEASE on the clean stop (run 3 ended without --keep).
grep -q '^sent RELEASE' "$work/run3.txt" && ok "RELEASE sent at stop" || bad "no RELEASE sent"
sleep 0.3
grep -q 'DHCPRELEASE(dsrv) 198.18.7.20' "$work/dnsmasq.log" && ok "dnsmasq took the RELEASE" ||
	bad "dnsmasq saw no RELEASE: $(tail -3 "$work/dnsmasq.log")"
[ -e "$work/client.lease" ] && bad "lease file left after RELEASE" || ok "lease file removed after RELEASE"
dhcp_server_stop
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
