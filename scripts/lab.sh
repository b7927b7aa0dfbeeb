#!/usr/bin/env bash
# switchback lab: a network-namespace topology for the gateway.
#
#   sb-lan    lan0 192.168.1.10/24 ---- gw-lan  \
#   sb-gw     (switchback attaches to gw-lan, gw-wan1, gw-wan2; no kernel addresses)
#   sb-isp1   isp1-cust 203.0.113.1/24 ---- gw-wan1;  isp1-up 198.18.1.1/24
#   sb-isp2   isp2-cust 198.51.100.1/24 --- gw-wan2;  isp2-up 198.18.2.1/24
#   sb-inet   inet-isp1 198.18.1.2/24, inet-isp2 198.18.2.2/24,
#             lo: 192.0.2.80 (server), monitors 192.0.2.53 and .55 (judging
#             WAN1), 192.0.2.54 and .56 (judging WAN2)
#
# Only documentation/benchmark ranges and 192.168/16 are used, inside
# namespaces this script creates and removes.
set -euo pipefail

NS_ALL="sb-lan sb-gw sb-isp1 sb-isp2 sb-inet"
STATE=/tmp/switchback-lab
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/lab.sh
# shellcheck source=scripts/lab-lib.sh
. "$HERE/lab-lib.sh"

usage() {
	cat <<'TXT'
usage: scripts/lab.sh COMMAND
  up                 build the topology (removes leftovers first)
  down               remove every sb-* namespace and what the lab started
  status             namespaces, addresses and faults
  server start|stop  TCP server 192.0.2.80:8080 (answers "HELLO <peer-ip> <peer-port>"),
                     UDP echo on 192.0.2.80:8081, in sb-inet
  fail-gw WAN        ISP router stops answering and forwarding for us (link up)
  blackhole WAN      ISP router answers us but drops what we send upstream
  link-down WAN      carrier down on the ISP side of WAN's link
  loss WAN PCT       the ISP router drops PCT% of what we send it, at random
  latency WAN MS     pings through WAN (to the monitors and the server) are answered
                     MS ms late (1-5000): a responder in sb-inet, no netem needed
  restore WAN        undo any fault on WAN (wan1 or wan2)
  fail-monitor IP    one monitor host (192.0.2.53-56) stops answering pings
  restore-monitor IP it answers again
  exec NS CMD...     run CMD in sb-NS (lan, gw, isp1, isp2, inet)
  gw-exec CMD...     run CMD in sb-gw with bpffs mounted (for switchback)
  nat-hosts          hosts for the NAT tests: a second LAN host 192.168.1.11, and
                     "silent" hosts scapy plays (192.168.1.20 on the LAN,
                     192.0.2.90-92 in sb-inet: ARP answered, nothing sent by the kernel)
  check              self-test without switchback: sb-gw becomes a plain Linux
                     router for a moment (masquerade), connections and every
                     fault are verified, then sb-gw is emptied again
Interfaces: sb-lan lan0 | sb-gw gw-lan gw-wan1 gw-wan2 (no addresses) |
  sb-isp1 isp1-cust isp1-up | sb-isp2 isp2-cust isp2-up | sb-inet inet-isp1 inet-isp2
State, pids and the server log: /tmp/switchback-lab/
TXT
}

die() { echo "lab.sh: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { [ -e "/var/run/netns/$1" ]; }
need_lab() {
	local ns
	for ns in $NS_ALL; do ns_exists "$ns" || die "namespace $ns missing: run 'lab.sh up' first"; done
}
server_running() {
	[ -f "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null
}

quiet_iface() {
	# Offloads off: veth TX checksum offload leaves partial checksums that a
	# DPDK forwarder would pass on to the next kernel, which drops them.
	local ns=$1 ifc=$2
	nsx "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	nsx "$ns" ethtool -k "$ifc" | grep -q '^tx-checksumming: off' ||
		die "could not turn TX checksum offload off on $ns/$ifc"
	nsx "$ns" ip link set "$ifc" up
}

veth() { # veth NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	quiet_iface "$1" "$2"
	quiet_iface "$3" "$4"
}

ns_init() {
	local ns=$1
	ip netns add "$ns"
	nsx "$ns" ip link set lo up
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsx "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

cmd_down() {
	local ns pid
	cmd_server stop >/dev/null 2>&1 || true
	if [ -f "$STATE/loop.pid" ]; then kill "$(cat "$STATE/loop.pid")" 2>/dev/null || true; fi
	# The lab's five, and any other sb-* namespace a crashed run left.
	for ns in $NS_ALL $(ip netns list 2>/dev/null | awk '$1 ~ /^sb-/ {print $1}'); do
		ns_exists "$ns" || continue
		# Anything still running inside goes with the namespace.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$STATE"
	return 0
}

# Veth operstate follows the peer after a short delay: return only when every
# lab interface is really up, so whatever starts next sees carrier.
wait_links_up() {
	local ns ifc pending
	for _ in $(seq 50); do
		pending=
		for ns in $NS_ALL; do
			for ifc in $(nsx "$ns" ls /sys/class/net); do
				[ "$ifc" = lo ] && continue
				[ "$(nsx "$ns" cat "/sys/class/net/$ifc/operstate")" = up ] || pending="$pending $ns/$ifc"
			done
		done
		[ -z "$pending" ] && return 0
		sleep 0.1
	done
	die "links not up after 5 s:$pending"
}

cmd_up() {
	need_root
	command -v ethtool >/dev/null || die "ethtool missing: run scripts/install-deps.sh"
	cmd_down
	mkdir -p "$STATE"
	for ns in $NS_ALL; do ns_init "$ns"; done
	# Interface names must be unique while created: make each in its own ns.
	veth sb-lan lan0 sb-gw gw-lan
	veth sb-gw gw-wan1 sb-isp1 isp1-cust
	veth sb-gw gw-wan2 sb-isp2 isp2-cust
	veth sb-isp1 isp1-up sb-inet inet-isp1
	veth sb-isp2 isp2-up sb-inet inet-isp2

	nsx sb-lan ip addr add 192.168.1.10/24 dev lan0
	nsx sb-lan ip route add default via 192.168.1.1

	nsx sb-isp1 ip addr add 203.0.113.1/24 dev isp1-cust
	nsx sb-isp1 ip addr add 198.18.1.1/24 dev isp1-up
	nsx sb-isp1 ip route add default via 198.18.1.2
	nsx sb-isp1 sysctl -qw net.ipv4.ip_forward=1

	nsx sb-isp2 ip addr add 198.51.100.1/24 dev isp2-cust
	nsx sb-isp2 ip addr add 198.18.2.1/24 dev isp2-up
	nsx sb-isp2 ip route add default via 198.18.2.2
	nsx sb-isp2 sysctl -qw net.ipv4.ip_forward=1

	nsx sb-inet ip addr add 198.18.1.2/24 dev inet-isp1
	nsx sb-inet ip addr add 198.18.2.2/24 dev inet-isp2
	for a in 192.0.2.80 192.0.2.53 192.0.2.54 192.0.2.55 192.0.2.56; do
		nsx sb-inet ip addr add "$a/32" dev lo
	done
	# 50 "remote sites" for seed 001's anchor routes (conf/lab-anchors.ini).
	for i in $(seq 100 149); do
		nsx sb-inet ip addr add "198.18.$i.1/32" dev lo
	done
	nsx sb-inet ip route add 203.0.113.0/24 via 198.18.1.1
	nsx sb-inet ip route add 198.51.100.0/24 via 198.18.2.1
	nsx sb-inet sysctl -qw net.ipv4.ip_forward=1
	wait_links_up
	echo "lab up: $NS_ALL"
}

cmd_server() {
	case "${1:-}" in
	start)
		need_root
		ns_exists sb-inet || die "namespace sb-inet missing: run 'lab.sh up' first"
		mkdir -p "$STATE"
		cmd_server stop >/dev/null 2>&1 || true
		nsx sb-inet /usr/bin/python3 "$HERE/lab-server.py" --log "$STATE/server.log" \
			>/dev/null 2>&1 &
		echo $! >"$STATE/server.pid"
		for _ in $(seq 50); do
			nsx sb-inet ss -ltn 2>/dev/null | grep -q '192.0.2.80:8080' && { echo "server up on 192.0.2.80:8080"; return 0; }
			sleep 0.1
		done
		die "server did not start (see $STATE/server.log)"
		;;
	stop)
		if [ -f "$STATE/server.pid" ]; then
			local pid
			pid=$(cat "$STATE/server.pid")
			kill "$pid" 2>/dev/null || true
			for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null || true
			rm -f "$STATE/server.pid"
		fi
		echo "server stopped"
		;;
	*) die "usage: lab.sh server start|stop" ;;
	esac
}

wan_check() {
	case "${1:-}" in
	wan1|wan2) ;;
	*) die "WAN must be wan1 or wan2, got '${1:-}'" ;;
	esac
}
wan_ns() { # prints "NS IFACE" of the ISP side of WAN's link
	case "$1" in
	wan1) echo "sb-isp1 isp1-cust" ;;
	wan2) echo "sb-isp2 isp2-cust" ;;
	esac
}

fault() { # fault WAN KIND
	local ns ifc
	wan_check "$1"
	read -r ns ifc <<<"$(wan_ns "$1")"
	cmd_restore "$1" >/dev/null
	mkdir -p "$STATE"
	fault_at "fault-$1"
	case "$2" in
	fail-gw)
		# inet family: IPv4 only; ARP still answered, like a router whose
		# IP stack hangs (check-gateway=ping must catch it).
		nsx "$ns" nft -f - <<NFT
table inet sblab {
	chain input { type filter hook input priority 0; iifname "$ifc" drop; }
	chain forward { type filter hook forward priority 0; iifname "$ifc" drop; }
}
NFT
		;;
	blackhole)
		nsx "$ns" nft -f - <<NFT
table inet sblab {
	chain forward { type filter hook forward priority 0; iifname "$ifc" drop; }
}
NFT
		;;
	link-down)
		nsx "$ns" ip link set "$ifc" down
		;;
	loss)
		# Random loss of everything arriving from us, both what the
		# router answers and what it forwards (no netem on this kernel).
		nsx "$ns" nft -f - <<NFT
table inet sblab {
	chain input { type filter hook input priority 0; iifname "$ifc" numgen random mod 100 < $3 drop; }
	chain forward { type filter hook forward priority 0; iifname "$ifc" numgen random mod 100 < $3 drop; }
}
NFT
		;;
	esac
	fault_at "fault-$1" after
	echo "$2${3:+ $3%}" >"$STATE/fault-$1"
	echo "$1: $2${3:+ $3%}"
}

cmd_restore() {
	local ns ifc
	wan_check "$1"
	read -r ns ifc <<<"$(wan_ns "$1")"
	ns_exists "$ns" || die "namespace $ns missing: run 'lab.sh up' first"
	local kind
	kind=
	[ -f "$STATE/fault-$1" ] && kind=$(<"$STATE/fault-$1")
	# restore-WAN.at: just before the step that ends this kind of fault.
	[ -d "$STATE" ] && [ "$kind" != link-down ] && fault_at "restore-$1"
	nsx "$ns" nft delete table inet sblab 2>/dev/null || true
	latency_stop "$1"
	[ -d "$STATE" ] && [ "$kind" = link-down ] && fault_at "restore-$1"
	nsx "$ns" ip link set "$ifc" up
	[ -d "$STATE" ] && fault_at "restore-$1" after
	rm -f "$STATE/fault-$1"
	echo "$1: restored"
}

# When a fault or its removal was applied, for tests that time failovers:
# epoch ms just before the command that applies it ($STATE/fault-WAN.at,
# restore-WAN.at, fault-monitor.at) and just after it (.after): the
# change took effect in between.
fault_at() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}" >"$STATE/$1.${2:-at}"; }

# --- latency: this kernel has no netem, so echo requests from the WAN's
# address are answered late by scripts/lab-delay.py in sb-inet, and an nft
# rule drops the kernel's own immediate replies (the late ones carry fwmark
# 0x5b). Real packets both ways; only ICMP echo is delayed.
wan_addr() { case "$1" in wan1) echo 203.0.113.2 ;; wan2) echo 198.51.100.2 ;; esac; }

latency_stop() {
	local pid
	# Nothing to do (and no time spent) unless a latency fault is on.
	[ -f "$STATE/latency-$1.pid" ] || return 0
	# The drop rule first: the kernel answers at once again, then the
	# late responder goes.
	ns_exists sb-inet && nsx sb-inet nft delete table inet "sbdelay_$1" 2>/dev/null || true
	if [ -f "$STATE/latency-$1.pid" ]; then
		pid=$(cat "$STATE/latency-$1.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$STATE/latency-$1.pid"
	fi
	return 0
}

cmd_latency() {
	local wan=$1 ms=$2 addr
	wan_check "$wan"
	need_lab
	addr=$(wan_addr "$wan")
	cmd_restore "$wan" >/dev/null
	mkdir -p "$STATE"
	rm -f "$STATE/latency-$wan.ready"
	nsx sb-inet /usr/bin/python3 "$HERE/lab-delay.py" --peer "$addr" --ms "$ms" \
		--ready "$STATE/latency-$wan.ready" >/dev/null 2>&1 &
	echo $! >"$STATE/latency-$wan.pid"
	for _ in $(seq 50); do [ -e "$STATE/latency-$wan.ready" ] && break; sleep 0.1; done
	[ -e "$STATE/latency-$wan.ready" ] || { latency_stop "$wan"; die "lab-delay.py did not start"; }
	fault_at "fault-$wan"
	nsx sb-inet nft -f - <<NFT
table inet sbdelay_$wan {
	chain output { type filter hook output priority 0; ip daddr $addr icmp type echo-reply meta mark != 0x5b drop; }
}
NFT
	fault_at "fault-$wan" after
	echo "latency ${ms}ms" >"$STATE/fault-$wan"
	echo "$wan: echo replies ${ms} ms late"
}

monitor_ok() {
	case "$1" in 192.0.2.5[3-6]) ;; *) die "monitor must be 192.0.2.53 to 192.0.2.56, got '$1'" ;; esac
}

cmd_fail_monitor() {
	monitor_ok "$1"
	nsx sb-inet nft list table inet sbmon >/dev/null 2>&1 || nsx sb-inet nft -f - <<NFT
table inet sbmon {
	chain input { type filter hook input priority 0; }
}
NFT
	mkdir -p "$STATE"
	fault_at fault-monitor
	nsx sb-inet nft add rule inet sbmon input ip daddr "$1" icmp type echo-request drop
	fault_at fault-monitor after
	echo "$1" >>"$STATE/fault-monitors"
	echo "monitor $1: not answering"
}

cmd_restore_monitor() {
	monitor_ok "$1"
	local h
	for h in $(nsx sb-inet nft -a list chain inet sbmon input 2>/dev/null |
		   awk -v ip="$1" '$0 ~ "daddr " ip " " {print $NF}'); do
		nsx sb-inet nft delete rule inet sbmon input handle "$h"
	done
	[ -f "$STATE/fault-monitors" ] && sed -i "/^$1\$/d" "$STATE/fault-monitors"
	echo "monitor $1: answering"
}

cmd_status() {
	local ns w ifc
	for ns in $NS_ALL; do
		if ns_exists "$ns"; then
			echo "== $ns"
			nsx "$ns" ip -br addr | grep -v '^lo ' | sed 's/^/   /' || true
			if [ "$ns" = sb-inet ]; then
				echo "   lo: $(nsx "$ns" ip -4 -o addr show dev lo | awk '$4 != "127.0.0.1/8" {printf "%s ", $4}')"
			fi
		else
			echo "== $ns (absent)"
		fi
	done
	for w in wan1 wan2; do
		read -r ns ifc <<<"$(wan_ns "$w")"
		ns_exists "$ns" || continue
		local what=""
		nsx "$ns" nft list table inet sblab >/dev/null 2>&1 && what="nft drop rules (table inet sblab)"
		nsx "$ns" ip link show "$ifc" 2>/dev/null | grep -q 'state DOWN' && what="${what:+$what, }$ifc down"
		echo "fault $w: $(cat "$STATE/fault-$w" 2>/dev/null || echo none)${what:+ [$what]}"
	done
	[ -s "$STATE/fault-monitors" ] && echo "monitors not answering: $(tr '\n' ' ' <"$STATE/fault-monitors")"
	if server_running; then
		echo "server: pid $(cat "$STATE/server.pid"), log $STATE/server.log"
	else
		echo "server: not running"
	fi
	if ns_exists sb-gw; then
		local pids
		pids=$(ip netns pids sb-gw | tr '\n' ' ')
		echo "sb-gw processes: ${pids:-none}"
	fi
	return 0
}

# Extra hosts for the NAT tests (tests/lab/labnat.py). 192.168.1.11 is a
# second real LAN host. 192.168.1.20 (sb-lan) and 192.0.2.90-.92 (sb-inet)
# are "silent": their kernel answers ARP and receives, but an nft output
# rule drops whatever it would send from them (RSTs, port unreachables), so
# scapy can play them without the kernel answering in between.
cmd_nat_hosts() {
	local a
	nsx sb-lan ip addr replace 192.168.1.11/24 dev lan0
	nsx sb-lan ip addr replace 192.168.1.20/24 dev lan0
	for a in 90 91 92; do nsx sb-inet ip addr replace "192.0.2.$a/32" dev lo; done
	nsx sb-lan nft delete table inet sbsilent 2>/dev/null || true
	nsx sb-lan nft -f - <<'NFT'
table inet sbsilent {
	chain output { type filter hook output priority 0; ip saddr 192.168.1.20 drop; }
}
NFT
	nsx sb-inet nft delete table inet sbsilent 2>/dev/null || true
	nsx sb-inet nft -f - <<'NFT'
table inet sbsilent {
	chain output { type filter hook output priority 0; ip saddr 192.0.2.90-192.0.2.92 drop; }
}
NFT
	echo "nat hosts: 192.168.1.11, silent 192.168.1.20 (sb-lan), silent 192.0.2.90-92 (sb-inet)"
}

# --- check: the topology verified with the kernel as the gateway ---------

CHECK_FAILS=0
check_ok()  { echo "  ok   $*"; }
check_bad() { echo "  FAIL $*"; CHECK_FAILS=$((CHECK_FAILS + 1)); }

# expect_hello ADDR WHAT: a connection from sb-lan gets through with source ADDR
expect_hello() {
	local line
	if line=$(lab_wait_for "lab_connect 1" 5); then
		case "$line" in
		"HELLO $1 "*) check_ok "$2: $line" ;;
		*) check_bad "$2: expected HELLO $1, got '$line'" ;;
		esac
	else
		check_bad "$2: no HELLO from 192.0.2.80:8080"
	fi
}
# expect_no_hello WHAT: two attempts (1 s each) fail
expect_no_hello() {
	local line
	if line=$(lab_connect 1) || line=$(lab_connect 1); then
		check_bad "$1: still got '$line'"
	else
		check_ok "$1: connections fail"
	fi
}
gw_ping() { nsx sb-gw ping -c 1 -W 1 -n -q "$1" >/dev/null 2>&1; }

check_gw_router() {
	nsx sb-gw ip addr add 192.168.1.1/24 dev gw-lan
	nsx sb-gw ip addr add 203.0.113.2/24 dev gw-wan1
	nsx sb-gw ip addr add 198.51.100.2/24 dev gw-wan2
	nsx sb-gw ip route add default via 203.0.113.1
	nsx sb-gw sysctl -qw net.ipv4.ip_forward=1
	nsx sb-gw nft -f - <<'NFT'
table ip sbcheck {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname { "gw-wan1", "gw-wan2" } masquerade
	}
}
NFT
}

check_gw_clean() {
	local ifc
	nsx sb-gw nft delete table ip sbcheck 2>/dev/null || true
	nsx sb-gw sysctl -qw net.ipv4.ip_forward=0 || true
	for ifc in gw-lan gw-wan1 gw-wan2; do
		nsx sb-gw ip addr flush dev "$ifc" 2>/dev/null || true
		nsx sb-gw ip neigh flush dev "$ifc" 2>/dev/null || true
		nsx sb-gw ip link set "$ifc" up 2>/dev/null || true
	done
	nsx sb-gw ip route flush table main 2>/dev/null || true
	# Conntrack entries from the masquerade would otherwise outlive it.
	if command -v conntrack >/dev/null; then nsx sb-gw conntrack -F >/dev/null 2>&1 || true; fi
}

check_cleanup() {
	lab_loop_stop
	cmd_restore wan1 >/dev/null 2>&1 || true
	cmd_restore wan2 >/dev/null 2>&1 || true
	check_gw_clean
	if [ "${CHECK_STARTED_SERVER:-0}" = 1 ]; then cmd_server stop >/dev/null 2>&1 || true; fi
}

cmd_check() {
	local t_fault t_ok ms state
	need_root
	need_lab
	[ -z "$(ip netns pids sb-gw)" ] ||
		die "processes run in sb-gw (switchback?): stop them before 'lab.sh check'"
	if nsx sb-gw ip -4 -o addr show | grep -qv ' lo '; then
		die "sb-gw already has IPv4 addresses: 'lab.sh check' needs it empty"
	fi
	CHECK_STARTED_SERVER=0
	if ! server_running; then
		cmd_server start >/dev/null
		CHECK_STARTED_SERVER=1
	fi
	trap check_cleanup EXIT
	trap 'exit 130' INT TERM

	echo "lab check: sb-gw as a plain Linux router (masquerade out gw-wan1/gw-wan2)"
	check_gw_router
	if nsx sb-lan ping -c 1 -W 1 -n -q 192.168.1.1 >/dev/null 2>&1; then check_ok "sb-lan reaches its gateway 192.168.1.1"; else check_bad "sb-lan cannot ping 192.168.1.1"; fi
	if gw_ping 203.0.113.1; then check_ok "ISP1 gateway 203.0.113.1 answers"; else check_bad "ISP1 gateway 203.0.113.1 silent"; fi
	if gw_ping 198.51.100.1; then check_ok "ISP2 gateway 198.51.100.1 answers"; else check_bad "ISP2 gateway 198.51.100.1 silent"; fi
	for a in 192.0.2.53 192.0.2.54; do
		if nsx sb-gw ping -c 1 -W 1 -n -q -I 203.0.113.2 "$a" >/dev/null 2>&1; then check_ok "monitor $a answers via ISP1"; else check_bad "monitor $a silent via ISP1"; fi
	done
	expect_hello 203.0.113.2 "TCP via wan1"
	if lab_wait_for "lab_udp_echo 1" 3 >/dev/null; then check_ok "UDP echo 192.0.2.80:8081"; else check_bad "UDP echo 192.0.2.80:8081"; fi

	cmd_restore wan1 >/dev/null; fault wan1 fail-gw >/dev/null
	expect_no_hello "fail-gw wan1"
	if gw_ping 203.0.113.1; then check_bad "fail-gw wan1: 203.0.113.1 still answers ping"; else check_ok "fail-gw wan1: 203.0.113.1 silent"; fi
	state=$(nsx sb-gw cat /sys/class/net/gw-wan1/operstate)
	if [ "$state" = up ]; then check_ok "fail-gw wan1: gw-wan1 carrier stays up"; else check_bad "fail-gw wan1: gw-wan1 is $state"; fi
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	fault wan1 blackhole >/dev/null
	expect_no_hello "blackhole wan1"
	if gw_ping 203.0.113.1; then check_ok "blackhole wan1: 203.0.113.1 still answers ping"; else check_bad "blackhole wan1: 203.0.113.1 silent"; fi
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	fault wan1 link-down >/dev/null
	sleep 0.2
	state=$(nsx sb-gw cat /sys/class/net/gw-wan1/carrier)
	if [ "$state" = 0 ]; then check_ok "link-down wan1: gw-wan1 has no carrier"; else check_bad "link-down wan1: gw-wan1 carrier=$state"; fi
	expect_no_hello "link-down wan1"
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	# The failover measurement of lab-lib.sh, with a route change by hand
	# 300 ms after the fault standing in for switchback's failover.
	lab_loop_start "$STATE/check-attempts.txt" 60
	sleep 0.5
	t_fault=$(lab_now_ms)
	fault wan1 fail-gw >/dev/null
	sleep 0.3
	nsx sb-gw ip route replace default via 198.51.100.1
	if t_ok=$(lab_wait_first_via "$STATE/check-attempts.txt" "$t_fault" 198.51.100.2 3); then
		ms=$((t_ok - t_fault))
		if [ "$ms" -ge 300 ] && [ "$ms" -le 1500 ]; then
			check_ok "failover timing (route moved by hand at +300 ms): first HELLO via 198.51.100.2 at +$ms ms"
		else
			check_bad "failover timing: first HELLO via 198.51.100.2 at +$ms ms, expected 300..1500"
		fi
	else
		check_bad "failover timing: no HELLO via 198.51.100.2"
	fi
	lab_loop_stop
	expect_hello 198.51.100.2 "TCP via wan2"
	cmd_restore wan1 >/dev/null

	check_cleanup
	trap - EXIT INT TERM
	if ! nsx sb-gw ip -4 -o addr show | grep -qv ' lo ' &&
		! nsx sb-gw nft list tables | grep -q . &&
		[ "$(nsx sb-gw sysctl -n net.ipv4.ip_forward)" = 0 ] &&
		[ -z "$(nsx sb-gw ip -4 route show)" ]; then
		check_ok "sb-gw emptied again (no addresses, routes or nft tables; ip_forward=0)"
	else
		check_bad "sb-gw still holds kernel configuration"
	fi
	if [ "$CHECK_FAILS" -eq 0 ]; then
		echo "lab check: PASS"
	else
		echo "lab check: FAIL ($CHECK_FAILS)"
		return 1
	fi
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	up) cmd_up ;;
	down) cmd_down; echo "lab down" ;;
	status) cmd_status ;;
	check) cmd_check ;;
	server) need_root; cmd_server "$@" ;;
	loss)
		need_root
		[ $# -eq 2 ] && [ "$2" -ge 1 ] 2>/dev/null && [ "$2" -le 100 ] || die "usage: lab.sh loss wan1|wan2 PERCENT (1-100)"
		fault "$1" loss "$2" ;;
	fail-gw|blackhole|link-down)
		need_root; [ $# -eq 1 ] || die "usage: lab.sh $cmd wan1|wan2"
		wan_check "$1"; need_lab; fault "$1" "$cmd" ;;
	nat-hosts) need_root; need_lab; cmd_nat_hosts ;;
	restore) need_root; [ $# -eq 1 ] || die "usage: lab.sh restore wan1|wan2"; cmd_restore "$1" ;;
	latency)
		need_root
		[ $# -eq 2 ] && [ "$2" -ge 1 ] 2>/dev/null && [ "$2" -le 5000 ] || die "usage: lab.sh latency wan1|wan2 MS (1-5000)"
		cmd_latency "$1" "$2" ;;
	fail-monitor) need_root; [ $# -eq 1 ] || die "usage: lab.sh fail-monitor IP"; cmd_fail_monitor "$1" ;;
	restore-monitor) need_root; [ $# -eq 1 ] || die "usage: lab.sh restore-monitor IP"; cmd_restore_monitor "$1" ;;
	exec)
		[ $# -ge 2 ] || die "usage: lab.sh exec NS CMD...  (NS: lan gw isp1 isp2 inet)"
		local ns=${1#sb-}; shift
		ns_exists "sb-$ns" || die "namespace sb-$ns missing (NS: lan gw isp1 isp2 inet; is the lab up?)"
		exec ip netns exec "sb-$ns" "$@" ;;
	gw-exec)
		[ $# -ge 1 ] || die "usage: lab.sh gw-exec CMD..."
		ns_exists sb-gw || die "namespace sb-gw missing: run 'lab.sh up' first"
		# ip netns exec gives a private mount namespace: mount bpffs there
		# so libxdp (net_af_xdp) can pin its programs.
		# shellcheck disable=SC2016
		exec ip netns exec sb-gw sh -c 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; exec "$@"' sh "$@" ;;
	-h|--help|help) usage ;;
	"") usage >&2; exit 2 ;;
	*) echo "lab.sh: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
	esac
}
main "$@"
