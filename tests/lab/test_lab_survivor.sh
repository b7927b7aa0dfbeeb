#!/usr/bin/env bash
# Lab test: PCC over both WANs (conf/pcc.ini with the src-address
# classifier), and what a failure of WAN1 does to flows on WAN2: nothing.
#  1. LAN sources spread over both WANs.
#  2. A UDP flow through WAN2 runs (100 datagrams per second) while WAN1's
#     gateway dies: it loses no datagram.
#  3. Sources that were on WAN1 get new connections through WAN2.
# Usage: test_lab_survivor.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

sed -e 's/^classifier = both-addresses-and-ports$/classifier = src-address/' \
    "$top/conf/pcc.ini" >"$work/pcc.ini"
grep -q '^classifier = src-address$' "$work/pcc.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/pcc.ini"
case "$line" in HELLO*) ok "up ($line)" ;; *) bad "no connection (got '$line')" ;; esac

via1= via2=
for i in $(seq 11 40); do
	ip netns exec sb-lan ip addr add "192.168.1.$i/24" dev lan0 2>/dev/null
done
sleep 0.5
for i in $(seq 11 40); do
	# The first packet from a new address may wait for ARP: try again.
	for _ in 1 2 3; do
		l=$(connect 1 "192.168.1.$i")
		case "$l" in HELLO*) break ;; esac
	done
	case "$l" in
		"HELLO 203.0.113.2 "*) via1="$via1 192.168.1.$i" ;;
		"HELLO 198.51.100.2 "*) via2="$via2 192.168.1.$i" ;;
	esac
done
n1=$(echo $via1 | wc -w); n2=$(echo $via2 | wc -w)
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq 30 ]; then
	ok "PCC (src-address, 3:1): $n1 of 30 sources via WAN1, $n2 via WAN2"
else
	bad "PCC spread: $n1 via WAN1, $n2 via WAN2 of 30"
fi
src2=$(echo $via2 | awk '{print $1}')
src1=$(echo $via1 | awk '{print $1}')
if [ -z "$src2" ] || [ -z "$src1" ]; then
	bad "need a source on each WAN"
	lab_stop
	lab_finish
	exit 1
fi

# A steady UDP flow on WAN2 while WAN1 dies.
lab_stream_start "$work/stream.txt" --source "$src2" --sport 40000 --count 300 --interval 0.01
sleep 0.7
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1 || bad "fault injection"
wait "$stream_pid"
stream_pid=
res=$(cat "$work/stream.txt")
grep -q "wan wan1 DOWN" "$log" && ok "wan1 went down during the stream" || bad "wan1 did not go down"
case "$res" in
	"sent 300 received 300 lost 0") ok "flow on WAN2 from $src2 lost nothing while WAN1 failed ($res)" ;;
	*) bad "flow on WAN2: $res" ;;
esac
l=$(connect 1 "$src1")
case "$l" in
	"HELLO 198.51.100.2 "*) ok "a source that was on WAN1 ($src1) now gets WAN2" ;;
	*) bad "source $src1 after WAN1 failed: '$l'" ;;
esac
"$lab" restore wan1 >>"$work/lab.log" 2>&1

lab_stop
lab_finish
