#!/usr/bin/env bash
# Lab test: a [wan] monitor by ARP (method = arp), the way to watch an
# on-link gateway whose IP stack may be filtered. conf/lab-wan.ini with
# WAN1 judged by one ARP monitor, its ISP router 203.0.113.1.
#  1. wan print shows the monitor as arp, answering, with an RTT.
#  2. The router stops answering ARP (`ip link set isp1-cust arp off` in
#     sb-isp1; carrier and IP stay up): WAN1 goes DOWN within
#     interval x down_after + interval, new connections use WAN2.
#  3. ARP answered again: WAN1 comes back, connections use it again.
# Usage: test_lab_wan_arp.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

awk '/^\[wan wan1\]/ {print; print "monitors = 203.0.113.1"; print "method = arp"; skip = 1; next}
     /^\[/ {skip = 0} skip && /^(monitors|method|loss_pct|latency_ms|trigger)/ {next} {print}' \
	"$top/conf/lab-wan.ini" >"$work/lab.ini"
grep -q '^method = arp' "$work/lab.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/lab.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac
sleep 1
if ctl wan print --json | /usr/bin/python3 -c '
import json, sys
w = {x["name"]: x for x in json.load(sys.stdin)}["wan1"]
m = w["monitors"]
assert len(m) == 1 and m[0]["target"] == "203.0.113.1" and m[0]["method"] == "arp"
assert m[0]["state"] == "up" and m[0]["answered"] > 3 and m[0]["rtt_avg_us"] > 0
assert w["state"] == "up" and w["in_service"]'; then
	ok "wan print: WAN1's monitor 203.0.113.1 by arp, answering"
else
	bad "wan print: $(ctl wan print)"
fi

from=$(wc -l <"$log")
t0=$(now_ms)
ip netns exec sb-isp1 ip link set isp1-cust arp off
t1=$(now_ms)
for _ in $(seq 60); do tail -n +"$((from + 1))" "$log" | grep -q "wan wan1 DOWN" && break; sleep 0.05; done
t=$(tail -n +"$((from + 1))" "$log" | grep -m1 "wan wan1 DOWN" | awk '{print $1}')
if [ -n "$t" ]; then
	det=$(( $(date -d "$(date +%F) $t" +%s%3N) - t0 ))
	[ $((det - (t1 - t0))) -le 800 ] && ok "ARP unanswered: $(tail -n +"$((from + 1))" "$log" | grep -m1 'wan wan1 DOWN' | sed 's/^.*wan: //') after $det ms (bound 800 + the $((t1 - t0)) ms the command took)" ||
		bad "ARP unanswered: DOWN after $det ms"
else
	bad "ARP unanswered: wan1 did not go down"
fi
if wait_via 198.51.100.2; then ok "new connections through WAN2"; else bad "failover (got '$line')"; fi
ip netns exec sb-isp1 ip link set isp1-cust arp on
for _ in $(seq 100); do grep -q "wan wan1 UP" "$log" && break; sleep 0.1; done
grep -q "wan wan1 UP" "$log" && ok "ARP answered again: $(grep -m1 'wan wan1 UP' "$log" | sed 's/^.*wan: //')" ||
	bad "wan1 did not come back"
if wait_via 203.0.113.2; then ok "new connections through WAN1 again"; else bad "failback (got '$line')"; fi
lab_stop
lab_finish
