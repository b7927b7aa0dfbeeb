#!/usr/bin/env bash
# switchback refuses an af_xdp:IFNAME port it cannot attach, naming the
# cause (control/xdp.c, docs/afxdp.md): no such interface, an MTU larger
# than an mbuf takes, an XDP program already attached, more than one rx
# queue per worker, fewer combined channels than workers; and more
# workers than worker lcores. A veth pair in a namespace of this test's own (no traffic).
# Usage: test_xdp_attach_errors.sh SWITCHBACK_BINARY SB_XDP_OBJECT
set -uo pipefail
bin=$1
obj=$2
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP: needs root and network namespaces"; exit 77
fi
ns=xdpchk-$$
work=$(mktemp -d /tmp/xdpchk.XXXXXX)
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$work" "/var/run/dpdk/xdpchk$$"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add xa numrxqueues 2 numtxqueues 2 type veth peer name xb numrxqueues 2 numtxqueues 2
ip -n "$ns" link set xa up
ip -n "$ns" link set xb up

conf() { # conf LAN_DEVICE
	cat >"$work/c.ini" <<INI
[port lan]
device = $1
address = 192.168.1.1/24
[port wan1]
device = af_packet:xb
role = wan
address = 203.0.113.2/24
INI
}
# expect WHAT MESSAGE-PART [LCORE ARGS]: switchback must exit non-zero saying it
expect() {
	local out lc=${3:--l 0,1}
	# shellcheck disable=SC2086
	out=$(timeout 60 ip netns exec "$ns" "$bin" $lc --no-huge -m 256 --no-pci \
		--file-prefix "xdpchk$$" --log-level 'pmd.*:error' -- -c "$work/c.ini" 2>&1)
	local rc=$?
	if [ "$rc" -ne 0 ] && grep -qF -- "$2" <<<"$out"; then
		ok "$1: refused: $(grep -F -- "$2" <<<"$out" | head -1 | cut -c1-160)"
	else
		bad "$1: rc $rc, wanted \"$2\" in: $out"
	fi
}

conf "af_xdp:nosuch0"
expect "missing interface" '[port lan] device: no interface "nosuch0" in this network namespace'

conf "af_xdp:xa"
ip -n "$ns" link set xa mtu 3000
expect "MTU 3000" '[port lan] device: MTU 3000 of xa is too large for AF_XDP'
ip -n "$ns" link set xa mtu 1500

# Two real rx queues on xa (veth takes ethtool -L).
if ip netns exec "$ns" ethtool -L xa rx 2 2>/dev/null; then
	expect "two rx queues" "xa has 2 rx queues and switchback's 1 worker(s) take 1"
	ip netns exec "$ns" ethtool -L xa rx 1
else
	echo "skip two rx queues: this kernel's veth takes no ethtool -L"
fi

# workers = 2 with one worker lcore: refused, saying what to give the EAL.
conf "af_packet:xa"
printf '[switchback]\nworkers = 2\n' >>"$work/c.ini"
expect "workers beyond the lcores" "[switchback] workers = 2 needs 2 worker lcores besides the main one, and the EAL was given 1"
conf "af_xdp:xa"

# Two workers: a veth has no combined channels, the AF_XDP driver's count.
expect "two workers on a veth" "2 workers need 2 AF_XDP queues and xa has 1 combined channel(s)" \
	"--lcores 0@0,1@0,2@0"

ip -n "$ns" link set dev xa xdpgeneric obj "$obj" sec xdp 2>"$work/ip.err" ||
	bad "could not attach a program for the test: $(cat "$work/ip.err")"
expect "program already attached" 'xa already has an XDP program attached'
ip -n "$ns" link set dev xa xdpgeneric off

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
