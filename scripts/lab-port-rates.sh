#!/usr/bin/env bash
# Side-by-side forwarding rates of switchback's port kinds on the same box:
# the namespace lab with switchback on AF_XDP (af_xdp:IF, its own XDP
# program) and on net_af_packet (af_packet:IF), conf/lab.ini otherwise,
# alternated ROUNDS times. Per run: a UDP flood (tests/lab/lab-flood, one
# core, 18-byte payloads = 60-byte frames, 64 flows) from the LAN host to
# 192.0.2.80 for SECONDS; delivered = what WAN1's ISP received
# (isp1-cust rx_packets), NATed by switchback. Prints one line per run and
# the medians. Hold both locks:
#   flock /tmp/sb-lab.lock flock /tmp/sb-bench.lock scripts/lab-port-rates.sh
# Usage: scripts/lab-port-rates.sh [BUILD_DIR [SECONDS [ROUNDS]]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-5}
rounds=${3:-3}
lab=$top/scripts/lab.sh
flood=$build/tests/lab/lab-flood
prefix=sb-rates
work=$(mktemp -d /tmp/sb-rates.XXXXXX)
sb_pid=
[ -x "$flood" ] || { echo "lab-port-rates: build first ($flood missing)" >&2; exit 1; }

cleanup() {
	if [ -n "$sb_pid" ]; then kill -INT "$sb_pid" 2>/dev/null || true; wait "$sb_pid" 2>/dev/null || true; fi
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

rx() { ip netns exec sb-isp1 cat /sys/class/net/isp1-cust/statistics/rx_packets; }
connect() { ip netns exec sb-lan timeout 1 bash -c 'exec 3<>/dev/tcp/192.0.2.80/8080 && head -c 5 <&3' 2>/dev/null; }

"$lab" up >"$work/lab.log" 2>&1
"$lab" server start >>"$work/lab.log" 2>&1
for kind in af_xdp af_packet; do
	sed -e "s/^device = af_xdp:/device = $kind:/" "$top/conf/lab.ini" >"$work/$kind.ini"
done
printf '%-10s %5s %12s %12s %10s %10s\n' ports round sent delivered kpps ratio
for r in $(seq "$rounds"); do
	for kind in af_xdp af_packet; do
		"$lab" gw-exec "$build/switchback" -l 0,1 --no-huge -m 512 --no-pci \
			--file-prefix "$prefix" --log-level 'pmd.*:error' -- -c "$work/$kind.ini" \
			>"$work/sb-$kind-$r.log" 2>&1 &
		sb_pid=$!
		for _ in $(seq 100); do connect >/dev/null && break; sleep 0.1; done
		r0=$(rx)
		read -r sent took < <(ip netns exec sb-lan "$flood" 192.0.2.80 9 "$secs" 18 64)
		sleep 0.5
		r1=$(rx)
		kill -INT "$sb_pid"; wait "$sb_pid" || true; sb_pid=
		del=$((r1 - r0))
		awk -v k="$kind" -v r="$r" -v s="$sent" -v d="$del" -v t="$took" 'BEGIN {
			printf "%-10s %5d %12d %12d %10.1f %10.3f\n", k, r, s, d, d / t / 1000, d / s }'
	done
done | tee "$work/runs.txt"
echo "median kpps delivered:"
for kind in af_xdp af_packet; do
	awk -v k="$kind" '$1 == k { print $5 }' "$work/runs.txt" | sort -n |
		awk -v k="$kind" '{ v[NR] = $1 } END { printf "  %-10s %.1f (%d runs)\n", k, v[int((NR + 1) / 2)], NR }'
done
