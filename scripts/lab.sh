#!/usr/bin/env bash
# switchback lab: a network-namespace topology for the gateway.
#
#   sb-lan    lan0 192.168.1.10/24 ---- gw-lan  \
#   sb-gw     (switchback attaches to gw-lan, gw-wan1 ... gw-wanN; no kernel addresses)
#   sb-isp1   isp1-cust 203.0.113.1/24 ---- gw-wan1;  isp1-up 198.18.1.1/24
#   sb-isp2   isp2-cust 198.51.100.1/24 --- gw-wan2;  isp2-up 198.18.2.1/24
#   sb-isp3   isp3-cust 198.19.3.1/24 ----- gw-wan3;  isp3-up 198.18.3.1/24  (--wans 3|4)
#   sb-isp4   isp4-cust 198.19.4.1/24 ----- gw-wan4;  isp4-up 198.18.4.1/24  (--wans 4)
#   sb-inet   inet-ispK 198.18.K.2/24, lo: 192.0.2.80 (server), monitors
#             192.0.2.53 and .55 (judging WAN1), .54 and .56 (WAN2),
#             .57 and .59 (WAN3), .58 and .60 (WAN4)
# The gateway's address on WAN K is the ISP's customer net .2 (wan_net).
#
# Only documentation/benchmark ranges and 192.168/16 are used, inside
# namespaces this script creates and removes.
set -euo pipefail

STATE=/tmp/switchback-lab
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/lab.sh
# shellcheck source=scripts/lab-lib.sh
. "$HERE/lab-lib.sh"

usage() {
	cat <<'TXT'
usage: scripts/lab.sh COMMAND
  up [--wans N]      build the topology with N WANs (2 to 4, default 2; removes
                     leftovers first)
  down               remove every sb-* namespace and what the lab started
  status             namespaces, addresses and faults
  dhcp-server WAN DIR FIRST LAST [LEASE_S [T1_S T2_S]]
                     Debian's dnsmasq in the foreground in WAN's ISP namespace
                     serving FIRST-LAST on WAN's link (router and DNS: the ISP's
                     .1; lease 120 s by default, dnsmasq's least), authoritative
                     (NAKs other addresses), no DNS; its files in DIR; stop it
                     by killing it
  server start|stop  TCP server 192.0.2.80:8080 (answers "HELLO <peer-ip> <peer-port>"),
                     UDP echo on 192.0.2.80:8081, in sb-inet
  fail-gw WAN        ISP router stops answering and forwarding for us (link up)
  blackhole WAN      ISP router answers us but drops what we send upstream
  return-down WAN    ISP router answers us and forwards upstream, but drops what
                     comes back to us from upstream (the return path)
  link-down WAN      carrier down on the ISP side of WAN's link
  loss WAN PCT       the ISP router drops PCT% of what we send it, at random
                     (loss and latency go together on one WAN; any other fault
                     replaces what was on it)
  latency WAN MS [JITTER_MS]
                     pings through WAN (to the monitors and the server) are answered
                     MS ms late (1-5000), +- JITTER_MS at random: a responder in
                     sb-inet, no netem needed
  flap WAN PERIOD_MS COUNT
                     carrier down every PERIOD_MS, up again half a period later,
                     COUNT times (returns when done); prints "down|up BEFORE AFTER"
  restore WAN        undo any fault on WAN (wan1 ... wanN)
  fail-monitor IP    one monitor host (192.0.2.53-60) stops answering pings
  restore-monitor IP it answers again
  exec NS CMD...     run CMD in sb-NS (lan, gw, isp1, isp2, inet)
  gw-exec CMD...     run CMD in sb-gw with bpffs mounted (for switchback)
  tap-bridge [SECONDS]
                     for a switchback on net_tap ports (device = net_tap_X,iface=sbt-X,
                     X = lan, wan1 ...): wait for its sbt-X taps in sb-gw (10 s), then
                     bridge each to gw-X, so the lab's wires reach it through
                     multi-queue taps (several workers with fragments: docs/lab.md)
  nat-hosts          hosts for the NAT tests: a second LAN host 192.168.1.11, and
                     "silent" hosts scapy plays (192.168.1.20 on the LAN,
                     192.0.2.90-92 in sb-inet: ARP answered, nothing sent by the kernel)
  check              self-test without switchback: sb-gw becomes a plain Linux
                     router for a moment (masquerade), connections and every
                     fault are verified, then sb-gw is emptied again
  run SCENARIO [--out DIR] [--bin SWITCHBACK]
                     a scenario of conf/scenarios/ (name or file): lab, switchback,
                     traffic and a timeline of faults, measured; writes
                     DIR/NAME.json, .png, .svg and prints a summary (scripts/lab-run.py;
                     --again: measure and draw again from DIR's records, no run)
Interfaces: sb-lan lan0 | sb-gw gw-lan gw-wanK (no addresses) |
  sb-ispK ispK-cust ispK-up | sb-inet inet-ispK
State, pids and the server log: /tmp/switchback-lab/
TXT
}

die() { echo "lab.sh: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { [ -e "/var/run/netns/$1" ]; }
# daemon NS CMD...: CMD in NS in the background (its pid in $!), without the
# caller's file descriptors beyond 0-2: a `flock /tmp/sb-lab.lock` around a
# lab command must not stay held by the server it started.
daemon() {
	local ns=$1
	shift
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec ip netns exec "$ns" "$@"
	) &
}
# wan_net K: "CUSTOMER_NET /24 prefix, UPSTREAM_NET prefix, MONITORS" of WAN K;
# the ISP's router is CUSTOMER_NET.1, the gateway's WAN address .2.
wan_net() {
	case "$1" in
	1) echo "203.0.113 198.18.1 192.0.2.53,192.0.2.55" ;;
	2) echo "198.51.100 198.18.2 192.0.2.54,192.0.2.56" ;;
	3) echo "198.19.3 198.18.3 192.0.2.57,192.0.2.59" ;;
	4) echo "198.19.4 198.18.4 192.0.2.58,192.0.2.60" ;;
	*) return 1 ;;
	esac
}
lab_wans() { cat "$STATE/wans" 2>/dev/null || echo 2; }
ns_all() {
	local k isps=
	for k in $(seq "$(lab_wans)"); do isps="$isps sb-isp$k"; done
	echo "sb-lan sb-gw$isps sb-inet"
}
need_lab() {
	local ns
	for ns in $(ns_all); do ns_exists "$ns" || die "namespace $ns missing: run 'lab.sh up' first"; done
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
	# SB_WORKERS > 1: as many queues as workers (an AF_XDP port takes one
	# per worker; the kernel spreads what it sends over them by flow).
	local q=${SB_WORKERS:-1}
	ip link add "$2" numtxqueues "$q" numrxqueues "$q" netns "$1" type veth \
		peer name "$4" numtxqueues "$q" numrxqueues "$q" netns "$3"
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
	# The lab's, and any other sb-* namespace a crashed run left.
	for ns in $(ns_all) $(ip netns list 2>/dev/null | awk '$1 ~ /^sb-/ {print $1}'); do
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
		for ns in $(ns_all); do
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

# isp_up K: ISP K's router sb-ispK between gw-wanK (customer side, its
# address CUSTOMER_NET.1) and sb-inet (upstream), routing without NAT, and
# sb-inet's route back to the customer net and WAN K's monitors. Something
# an ISP offers its customer (DHCP, PPPoE ...) goes here, per ISP.
isp_up() {
	local k=$1 cust up mons a
	read -r cust up mons <<<"$(wan_net "$k")"
	ns_init "sb-isp$k"
	# Interface names must be unique while created: make each in its own ns.
	veth sb-gw "gw-wan$k" "sb-isp$k" "isp$k-cust"
	veth "sb-isp$k" "isp$k-up" sb-inet "inet-isp$k"
	nsx "sb-isp$k" ip addr add "$cust.1/24" dev "isp$k-cust"
	nsx "sb-isp$k" ip addr add "$up.1/24" dev "isp$k-up"
	nsx "sb-isp$k" ip route add default via "$up.2"
	nsx "sb-isp$k" sysctl -qw net.ipv4.ip_forward=1
	nsx sb-inet ip addr add "$up.2/24" dev "inet-isp$k"
	nsx sb-inet ip route add "$cust.0/24" via "$up.1"
	for a in ${mons//,/ }; do nsx sb-inet ip addr add "$a/32" dev lo; done
}

cmd_up() {
	local wans=2 k
	need_root
	command -v ethtool >/dev/null || die "ethtool missing: run scripts/install-deps.sh"
	while [ $# -gt 0 ]; do
		case "$1" in
		--wans) wans=${2:-}; shift 2 || die "usage: lab.sh up [--wans N]" ;;
		*) die "usage: lab.sh up [--wans N]" ;;
		esac
	done
	case "$wans" in 2|3|4) ;; *) die "--wans must be 2, 3 or 4, got '$wans'" ;; esac
	cmd_down
	mkdir -p "$STATE"
	echo "$wans" >"$STATE/wans"
	ns_init sb-lan
	ns_init sb-gw
	ns_init sb-inet
	veth sb-lan lan0 sb-gw gw-lan
	nsx sb-lan ip addr add 192.168.1.10/24 dev lan0
	nsx sb-lan ip route add default via 192.168.1.1
	for k in $(seq "$wans"); do isp_up "$k"; done

	nsx sb-inet ip addr add 192.0.2.80/32 dev lo
	# 50 "remote sites" for seed 001's anchor routes (conf/lab-anchors.ini).
	for i in $(seq 100 149); do
		nsx sb-inet ip addr add "198.18.$i.1/32" dev lo
	done
	nsx sb-inet sysctl -qw net.ipv4.ip_forward=1
	wait_links_up
	echo "lab up: $(ns_all)"
}

# The taps switchback's net_tap ports made in sb-gw (sbt-lan, sbt-wanK),
# each bridged to its veth gw-X. A tap's kernel side starts with the MAC
# the DPDK port answers ARP with; the bridge would take frames to that MAC
# for itself, so the kernel side gets another (locally administered).
cmd_tap_bridge() {
	local wait=$1 ifc x i missing=1
	for i in $(seq $((wait * 10))); do
		missing=0
		for ifc in $(nsx sb-gw ls /sys/class/net); do
			case "$ifc" in gw-*) nsx sb-gw test -e "/sys/class/net/sbt-${ifc#gw-}" || missing=1 ;; esac
		done
		[ "$missing" = 0 ] && break
		sleep 0.1
	done
	[ "$missing" = 0 ] || die "tap-bridge: no sbt-X tap for every gw-X in sb-gw after ${wait} s (is switchback running with net_tap ports?)"
	i=0
	for ifc in $(nsx sb-gw ls /sys/class/net); do
		case "$ifc" in sbt-*) ;; *) continue ;; esac
		x=${ifc#sbt-}
		i=$((i + 1))
		nsx sb-gw ip link set "$ifc" address "02:00:00:00:fe:$(printf %02x "$i")"
		nsx sb-gw ip link add "br-$x" type bridge
		nsx sb-gw ip link set "gw-$x" master "br-$x"
		nsx sb-gw ip link set "$ifc" master "br-$x"
		nsx sb-gw ip link set "$ifc" up
		nsx sb-gw ip link set "br-$x" up
	done
	echo "tap-bridge: $i tap(s) bridged in sb-gw"
}

cmd_server() {
	case "${1:-}" in
	start)
		need_root
		ns_exists sb-inet || die "namespace sb-inet missing: run 'lab.sh up' first"
		mkdir -p "$STATE"
		cmd_server stop >/dev/null 2>&1 || true
		daemon sb-inet /usr/bin/python3 "$HERE/lab-server.py" --log "$STATE/server.log" \
			>/dev/null 2>&1
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

# cmd_dhcp_server WAN DIR FIRST LAST [LEASE_S [T1_S T2_S]]: replaces this
# shell with dnsmasq (so the caller's kill of its pid ends it).
cmd_dhcp_server() {
	[ $# -ge 4 ] && [ $# -le 7 ] ||
		die "usage: lab.sh dhcp-server WAN DIR FIRST LAST [LEASE_S [T1_S T2_S]]"
	local wan=$1 dir=$2 first=$3 last=$4 lease=${5:-120} t1=${6:-} t2=${7:-} ns ifc cust
	wan_check "$wan"
	need_lab
	command -v dnsmasq >/dev/null || die "dnsmasq missing: run scripts/install-deps.sh"
	[ -d "$dir" ] || die "no directory $dir"
	read -r ns ifc <<<"$(wan_ns "$wan")"
	read -r cust _ <<<"$(wan_net "${wan#wan}")"
	local opts=(--conf-file=/dev/null --keep-in-foreground --log-facility=- --log-dhcp
		--port=0 --user=root --bind-interfaces --interface="$ifc" --except-interface=lo
		--dhcp-authoritative --dhcp-leasefile="$dir/dnsmasq.leases"
		--pid-file="$dir/dnsmasq.pid"
		--dhcp-range="$first,$last,255.255.255.0,$lease"
		--dhcp-option=option:router,"$cust.1" --dhcp-option=option:dns-server,"$cust.1")
	[ -n "$t1" ] && opts+=(--dhcp-option=option:T1,"$t1")
	[ -n "$t2" ] && opts+=(--dhcp-option=option:T2,"$t2")
	exec ip netns exec "$ns" dnsmasq "${opts[@]}"
}

wan_check() {
	local n
	n=$(lab_wans)
	case "${1:-}" in
	wan[1-4]) [ "${1#wan}" -le "$n" ] && return 0 ;;
	esac
	die "WAN must be one of wan1 ... wan$n, got '${1:-}'"
}
wan_ns() { echo "sb-isp${1#wan} isp${1#wan}-cust"; } # "NS IFACE" of the ISP side of WAN's link

fault() { # fault WAN KIND [PCT]
	local ns ifc lat=
	wan_check "$1"
	read -r ns ifc <<<"$(wan_ns "$1")"
	if [ "$2" = loss ] && [ -f "$STATE/latency-$1.desc" ]; then
		# Loss goes with a latency fault (a lossy, slow link): the
		# latency stays, anything else on the ISP side goes.
		lat=$(<"$STATE/latency-$1.desc")
		nsx "$ns" nft delete table inet sblab 2>/dev/null || true
		nsx "$ns" ip link set "$ifc" up
	else
		cmd_restore "$1" >/dev/null
	fi
	mkdir -p "$STATE"
	lab_stamp "fault-$1"
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
	return-down)
		# What the ISP forwards back to us from upstream is lost; its own
		# answers (ARP, pings to its address) still come.
		nsx "$ns" nft -f - <<NFT
table inet sblab {
	chain forward { type filter hook forward priority 0; oifname "$ifc" drop; }
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
	lab_stamp "fault-$1" after
	[ "$2" = loss ] && echo "loss $3%" >"$STATE/loss-$1"
	echo "$2${3:+ $3%}${lat:+ + $lat}" >"$STATE/fault-$1"
	echo "$1: $2${3:+ $3%}${lat:+ + $lat}"
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
	[ -d "$STATE" ] && [ "$kind" != link-down ] && lab_stamp "restore-$1"
	nsx "$ns" nft delete table inet sblab 2>/dev/null || true
	latency_stop "$1"
	[ -d "$STATE" ] && [ "$kind" = link-down ] && lab_stamp "restore-$1"
	nsx "$ns" ip link set "$ifc" up
	[ -d "$STATE" ] && lab_stamp "restore-$1" after
	rm -f "$STATE/fault-$1" "$STATE/loss-$1"
	echo "$1: restored"
}

# When a fault or its removal was applied, for tests that time failovers
# (lab_stamp): epoch ms just before the command that applies it
# ($STATE/fault-WAN.at, restore-WAN.at, fault-monitor.at) and just after it
# (.after): the change took effect in between.

# --- latency: this kernel has no netem, so echo requests from the WAN's
# address are answered late by scripts/lab-delay.py in sb-inet, and an nft
# rule drops the kernel's own immediate replies (the late ones carry fwmark
# 0x5b). Real packets both ways; only ICMP echo is delayed.
wan_addr() { local cust; read -r cust _ <<<"$(wan_net "${1#wan}")"; echo "$cust.2"; }

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
	rm -f "$STATE/latency-$1.desc"
	return 0
}

cmd_latency() {
	local wan=$1 ms=$2 jitter=${3:-0} addr loss=
	wan_check "$wan"
	need_lab
	addr=$(wan_addr "$wan")
	if [ -f "$STATE/loss-$wan" ]; then
		# Latency goes with a loss fault: the loss stays, an earlier
		# latency is replaced.
		loss=$(<"$STATE/loss-$wan")
		latency_stop "$wan"
	else
		cmd_restore "$wan" >/dev/null
	fi
	mkdir -p "$STATE"
	rm -f "$STATE/latency-$wan.ready"
	daemon sb-inet /usr/bin/python3 "$HERE/lab-delay.py" --peer "$addr" --ms "$ms" --jitter "$jitter" \
		--ready "$STATE/latency-$wan.ready" >/dev/null 2>&1
	echo $! >"$STATE/latency-$wan.pid"
	for _ in $(seq 50); do [ -e "$STATE/latency-$wan.ready" ] && break; sleep 0.1; done
	[ -e "$STATE/latency-$wan.ready" ] || { latency_stop "$wan"; die "lab-delay.py did not start"; }
	lab_stamp "fault-$wan"
	nsx sb-inet nft -f - <<NFT
table inet sbdelay_$wan {
	chain output { type filter hook output priority 0; ip daddr $addr icmp type echo-reply meta mark != 0x5b drop; }
}
NFT
	lab_stamp "fault-$wan" after
	echo "latency ${ms}ms +-${jitter}ms" >"$STATE/latency-$wan.desc"
	echo "${loss:+$loss + }latency ${ms}ms +-${jitter}ms" >"$STATE/fault-$wan"
	echo "$wan: echo replies ${ms} ms (+- $jitter ms) late${loss:+, with $loss}"
}

# flap WAN PERIOD_MS COUNT: carrier down at 0, PERIOD, 2 x PERIOD ... and up
# again half a period later, COUNT times, on a fixed schedule run inside the
# ISP's namespace (one `ip netns exec` per change on a loaded machine would
# stretch it). One line per change: "down|up BEFORE_MS AFTER_MS".
cmd_flap() {
	local ns ifc
	wan_check "$1"
	read -r ns ifc <<<"$(wan_ns "$1")"
	cmd_restore "$1" >/dev/null
	# shellcheck disable=SC2016
	nsx "$ns" bash -c '
		ifc=$1 period=$2 count=$3
		ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }
		t0=$(ms)
		for ((i = 0; i < count; i++)); do
			for what in down up; do
				at=$((t0 + i * period))
				[ "$what" = up ] && at=$((at + period / 2))
				while [ "$(ms)" -lt "$at" ]; do sleep 0.01; done
				b=$(ms); ip link set "$ifc" "$what"; echo "$what $b $(ms)"
			done
		done' sb-flap "$ifc" "$2" "$3"
}

monitor_ok() {
	case "$1" in 192.0.2.5[3-9]|192.0.2.60) ;; *) die "monitor must be 192.0.2.53 to 192.0.2.60, got '$1'" ;; esac
}

cmd_fail_monitor() {
	monitor_ok "$1"
	nsx sb-inet nft list table inet sbmon >/dev/null 2>&1 || nsx sb-inet nft -f - <<NFT
table inet sbmon {
	chain input { type filter hook input priority 0; }
}
NFT
	mkdir -p "$STATE"
	lab_stamp fault-monitor
	nsx sb-inet nft add rule inet sbmon input ip daddr "$1" icmp type echo-request drop
	lab_stamp fault-monitor after
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
	for ns in $(ns_all); do
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
	for w in $(seq -f 'wan%g' "$(lab_wans)"); do
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


# expect_hello ADDR WHAT: a connection from sb-lan gets through with source ADDR
expect_hello() {
	local line
	if line=$(lab_wait_for "connect 1" 5); then
		case "$line" in
		"HELLO $1 "*) ok "$2: $line" ;;
		*) bad "$2: expected HELLO $1, got '$line'" ;;
		esac
	else
		bad "$2: no HELLO from 192.0.2.80:8080"
	fi
}
# expect_no_hello WHAT: two attempts (1 s each) fail
expect_no_hello() {
	local line
	if line=$(connect 1) || line=$(connect 1); then
		bad "$1: still got '$line'"
	else
		ok "$1: connections fail"
	fi
}
gw_ping() { nsx sb-gw ping -c 1 -W 1 -n -q "$1" >/dev/null 2>&1; }

# check_pings WHAT MIN MAX MIN_RTT_MS: 20 pings from 203.0.113.2 to the
# monitor 192.0.2.53 (via wan1); between MIN and MAX answered, none
# sooner than MIN_RTT_MS.
check_pings() {
	local out got rtt
	out=$(nsx sb-gw ping -c 20 -i 0.05 -W 1 -n -I 203.0.113.2 192.0.2.53 2>&1)
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	rtt=$(echo "$out" | sed -n 's|^rtt min/avg/max/mdev = \([0-9]*\)\..*|\1|p')
	if [ "${got:-0}" -ge "$2" ] && [ "${got:-0}" -le "$3" ] && [ "${rtt:-0}" -ge "$4" ]; then
		ok "$1: $got of 20 answered${rtt:+, fastest $rtt ms}"
	else
		bad "$1: $got of 20 answered${rtt:+, fastest $rtt ms} (expected $2-$3, none under $4 ms)"
	fi
}

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
	LAB_INDENT="  "
	CHECK_STARTED_SERVER=0
	if ! server_running; then
		cmd_server start >/dev/null
		CHECK_STARTED_SERVER=1
	fi
	trap check_cleanup EXIT
	trap 'exit 130' INT TERM

	echo "lab check: sb-gw as a plain Linux router (masquerade out gw-wan1/gw-wan2)"
	check_gw_router
	if nsx sb-lan ping -c 1 -W 1 -n -q 192.168.1.1 >/dev/null 2>&1; then ok "sb-lan reaches its gateway 192.168.1.1"; else bad "sb-lan cannot ping 192.168.1.1"; fi
	if gw_ping 203.0.113.1; then ok "ISP1 gateway 203.0.113.1 answers"; else bad "ISP1 gateway 203.0.113.1 silent"; fi
	if gw_ping 198.51.100.1; then ok "ISP2 gateway 198.51.100.1 answers"; else bad "ISP2 gateway 198.51.100.1 silent"; fi
	for a in 192.0.2.53 192.0.2.54; do
		if nsx sb-gw ping -c 1 -W 1 -n -q -I 203.0.113.2 "$a" >/dev/null 2>&1; then ok "monitor $a answers via ISP1"; else bad "monitor $a silent via ISP1"; fi
	done
	expect_hello 203.0.113.2 "TCP via wan1"
	if lab_wait_for "lab_udp_echo 1" 3 >/dev/null; then ok "UDP echo 192.0.2.80:8081"; else bad "UDP echo 192.0.2.80:8081"; fi

	cmd_restore wan1 >/dev/null; fault wan1 fail-gw >/dev/null
	expect_no_hello "fail-gw wan1"
	if gw_ping 203.0.113.1; then bad "fail-gw wan1: 203.0.113.1 still answers ping"; else ok "fail-gw wan1: 203.0.113.1 silent"; fi
	state=$(nsx sb-gw cat /sys/class/net/gw-wan1/operstate)
	if [ "$state" = up ]; then ok "fail-gw wan1: gw-wan1 carrier stays up"; else bad "fail-gw wan1: gw-wan1 is $state"; fi
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	fault wan1 blackhole >/dev/null
	expect_no_hello "blackhole wan1"
	if gw_ping 203.0.113.1; then ok "blackhole wan1: 203.0.113.1 still answers ping"; else bad "blackhole wan1: 203.0.113.1 silent"; fi
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	fault wan1 link-down >/dev/null
	sleep 0.2
	state=$(nsx sb-gw cat /sys/class/net/gw-wan1/carrier)
	if [ "$state" = 0 ]; then ok "link-down wan1: gw-wan1 has no carrier"; else bad "link-down wan1: gw-wan1 carrier=$state"; fi
	expect_no_hello "link-down wan1"
	cmd_restore wan1 >/dev/null
	expect_hello 203.0.113.2 "restore wan1"

	# Loss and latency, alone and together: 20 pings to a monitor via
	# wan1, at 50% loss some lost and some answered (all or none: one
	# chance in ~500,000), at 200 ms each answer 200 ms late or more.
	fault wan1 loss 50 >/dev/null
	check_pings "loss 50% on wan1" 1 19 0
	cmd_latency wan1 200 >/dev/null
	check_pings "loss 50% + latency 200 ms on wan1 (the loss kept)" 1 19 200
	case "$(cat "$STATE/fault-wan1")" in
	"loss 50% + latency 200ms +-0ms") ok "status shows both: $(cat "$STATE/fault-wan1")" ;;
	*) bad "status of the combined fault: $(cat "$STATE/fault-wan1")" ;;
	esac
	fault wan1 loss 50 >/dev/null
	check_pings "latency 200 ms + loss 50% on wan1 (the latency kept)" 1 19 200
	fault wan1 blackhole >/dev/null
	if [ ! -f "$STATE/latency-wan1.pid" ] && [ "$(cat "$STATE/fault-wan1")" = blackhole ]; then
		ok "another fault replaces both"
	else
		bad "after blackhole: $(cat "$STATE/fault-wan1"), latency responder $([ -f "$STATE/latency-wan1.pid" ] && echo still on || echo gone)"
	fi
	cmd_restore wan1 >/dev/null
	check_pings "restore wan1: no loss, no latency" 20 20 0

	# A failover measured as the tests do, with a route change by hand
	# 300 ms after the fault standing in for switchback's failover.
	lab_loop_start "$STATE/check-attempts.txt" 60
	sleep 0.5
	t_fault=$(lab_now_ms)
	fault wan1 fail-gw >/dev/null
	sleep 0.3
	nsx sb-gw ip route replace default via 198.51.100.1
	if t_ok=$(lab_wait_first_via "$STATE/check-attempts.txt" "$t_fault" 2 3000); then
		ms=$((t_ok - t_fault))
		if [ "$ms" -ge 300 ] && [ "$ms" -le 1500 ]; then
			ok "failover timing (route moved by hand at +300 ms): first HELLO via 198.51.100.2 at +$ms ms"
		else
			bad "failover timing: first HELLO via 198.51.100.2 at +$ms ms, expected 300..1500"
		fi
	else
		bad "failover timing: no HELLO via 198.51.100.2"
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
		ok "sb-gw emptied again (no addresses, routes or nft tables; ip_forward=0)"
	else
		bad "sb-gw still holds kernel configuration"
	fi
	if [ "$fail" -eq 0 ]; then
		echo "lab check: PASS"
	else
		echo "lab check: FAIL ($fail)"
		return 1
	fi
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	up) cmd_up "$@" ;;
	run) exec /usr/bin/python3 "$HERE/lab-run.py" "$@" ;;
	down) cmd_down; echo "lab down" ;;
	status) cmd_status ;;
	check) cmd_check ;;
	server) need_root; cmd_server "$@" ;;
	dhcp-server) need_root; cmd_dhcp_server "$@" ;;
	loss)
		need_root
		[ $# -eq 2 ] && [ "$2" -ge 1 ] 2>/dev/null && [ "$2" -le 100 ] || die "usage: lab.sh loss WAN PERCENT (1-100)"
		fault "$1" loss "$2" ;;
	fail-gw|blackhole|link-down|return-down)
		need_root; [ $# -eq 1 ] || die "usage: lab.sh $cmd WAN"
		wan_check "$1"; need_lab; fault "$1" "$cmd" ;;
	nat-hosts) need_root; need_lab; cmd_nat_hosts ;;
	restore) need_root; [ $# -eq 1 ] || die "usage: lab.sh restore WAN"; cmd_restore "$1" ;;
	latency)
		need_root
		[ $# -ge 2 ] && [ $# -le 3 ] && [ "$2" -ge 1 ] 2>/dev/null && [ "$2" -le 5000 ] &&
			[ "${3:-0}" -ge 0 ] 2>/dev/null && [ "${3:-0}" -le "$2" ] ||
			die "usage: lab.sh latency WAN MS (1-5000) [JITTER_MS (0-MS)]"
		cmd_latency "$@" ;;
	fail-monitor) need_root; [ $# -eq 1 ] || die "usage: lab.sh fail-monitor IP"; cmd_fail_monitor "$1" ;;
	flap)
		need_root
		[ $# -eq 3 ] && [ "$2" -ge 200 ] 2>/dev/null && [ "$3" -ge 1 ] 2>/dev/null ||
			die "usage: lab.sh flap WAN PERIOD_MS (>= 200) COUNT"
		need_lab; cmd_flap "$@" ;;
	restore-monitor) need_root; [ $# -eq 1 ] || die "usage: lab.sh restore-monitor IP"; cmd_restore_monitor "$1" ;;
	exec)
		[ $# -ge 2 ] || die "usage: lab.sh exec NS CMD...  (NS: lan gw isp1 ... ispN inet)"
		local ns=${1#sb-}; shift
		ns_exists "sb-$ns" || die "namespace sb-$ns missing (NS: lan gw isp1 ... ispN inet; is the lab up?)"
		exec ip netns exec "sb-$ns" "$@" ;;
	tap-bridge) need_root; ns_exists sb-gw || die "namespace sb-gw missing: run 'lab.sh up' first"
		cmd_tap_bridge "${1:-10}" ;;
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
