#!/usr/bin/env bash
# switchback lab: a network-namespace topology for the gateway.
#
#   sb-lan    lan0 192.168.1.10/24 ---- gw-lan  \
#   sb-gw     (switchback attaches to gw-lan, gw-wan1, gw-wan2; no kernel addresses)
#   sb-isp1   isp1-cust 203.0.113.1/24 ---- gw-wan1;  isp1-up 198.18.1.1/24
#   sb-isp2   isp2-cust 198.51.100.1/24 --- gw-wan2;  isp2-up 198.18.2.1/24
#   sb-inet   inet-isp1 198.18.1.2/24, inet-isp2 198.18.2.2/24,
#             lo: 192.0.2.80 (server), 192.0.2.53, 192.0.2.54 (monitors)
#
# Only documentation/benchmark ranges and 192.168/16 are used, inside
# namespaces this script creates and removes.
set -euo pipefail

NS_ALL="sb-lan sb-gw sb-isp1 sb-isp2 sb-inet"
STATE=/tmp/switchback-lab
HERE=$(cd "$(dirname "$0")" && pwd)

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
  restore WAN        undo any fault on WAN (wan1 or wan2)
  exec NS CMD...     run CMD in sb-NS (lan, gw, isp1, isp2, inet)
  gw-exec CMD...     run CMD in sb-gw with bpffs mounted (for switchback)
TXT
}

die() { echo "lab.sh: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

quiet_iface() {
	# Offloads off: veth TX checksum offload leaves partial checksums that a
	# DPDK forwarder would pass on to the next kernel, which drops them.
	local ns=$1 ifc=$2
	nsx "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
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
	cmd_server stop >/dev/null 2>&1 || true
	for ns in $NS_ALL; do
		if ip netns list | grep -qw "$ns"; then
			# Anything still running inside goes with the namespace.
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
			ip netns del "$ns" 2>/dev/null || true
		fi
	done
	rm -rf "$STATE"
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
	for a in 192.0.2.80 192.0.2.53 192.0.2.54; do nsx sb-inet ip addr add "$a/32" dev lo; done
	nsx sb-inet ip route add 203.0.113.0/24 via 198.18.1.1
	nsx sb-inet ip route add 198.51.100.0/24 via 198.18.2.1
	nsx sb-inet sysctl -qw net.ipv4.ip_forward=1
	echo "lab up: $NS_ALL"
}

cmd_server() {
	case "${1:-}" in
	start)
		need_root
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
			kill "$(cat "$STATE/server.pid")" 2>/dev/null || true
			rm -f "$STATE/server.pid"
		fi
		;;
	*) die "usage: lab.sh server start|stop" ;;
	esac
}

wan_ns() {
	case "${1:-}" in
	wan1) echo "sb-isp1 isp1-cust" ;;
	wan2) echo "sb-isp2 isp2-cust" ;;
	*) die "WAN must be wan1 or wan2, got '${1:-}'" ;;
	esac
}

fault() { # fault WAN KIND
	local ns ifc
	read -r ns ifc <<<"$(wan_ns "$1")"
	cmd_restore "$1" >/dev/null
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
	esac
	mkdir -p "$STATE"
	echo "$2" >"$STATE/fault-$1"
	echo "$1: $2"
}

cmd_restore() {
	local ns ifc
	read -r ns ifc <<<"$(wan_ns "$1")"
	nsx "$ns" nft delete table inet sblab 2>/dev/null || true
	nsx "$ns" ip link set "$ifc" up
	rm -f "$STATE/fault-$1"
	echo "$1: restored"
}

cmd_status() {
	for ns in $NS_ALL; do
		if ip netns list | grep -qw "$ns"; then
			echo "== $ns"
			nsx "$ns" ip -br addr | grep -v '^lo ' | sed 's/^/   /'
		else
			echo "== $ns (absent)"
		fi
	done
	for w in wan1 wan2; do
		[ -f "$STATE/fault-$w" ] && echo "fault: $w $(cat "$STATE/fault-$w")"
	done
	[ -f "$STATE/server.pid" ] && echo "server: pid $(cat "$STATE/server.pid")"
	return 0
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	up) cmd_up ;;
	down) cmd_down; echo "lab down" ;;
	status) cmd_status ;;
	server) need_root; cmd_server "$@" ;;
	fail-gw|blackhole|link-down) need_root; [ $# -eq 1 ] || die "usage: lab.sh $cmd wan1|wan2"; fault "$1" "$cmd" ;;
	restore) need_root; [ $# -eq 1 ] || die "usage: lab.sh restore wan1|wan2"; cmd_restore "$1" ;;
	exec) [ $# -ge 2 ] || die "usage: lab.sh exec NS CMD..."; local ns=$1; shift; exec ip netns exec "sb-$ns" "$@" ;;
	gw-exec)
		[ $# -ge 1 ] || die "usage: lab.sh gw-exec CMD..."
		# ip netns exec gives a private mount namespace: mount bpffs there
		# so libxdp (net_af_xdp) can pin its programs.
		exec ip netns exec sb-gw sh -c 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; exec "$@"' sh "$@" ;;
	-h|--help|help) usage ;;
	*) usage >&2; exit 2 ;;
	esac
}
main "$@"
