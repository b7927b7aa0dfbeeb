#!/usr/bin/env bash
# Lab test: seed 001's anchor routes (conf/lab-anchors.ini). 50 site routes
# and the default resolve through WAN1's /32 anchor; when the anchor's
# check fails (ISP1's router stops answering), all of them fail over to
# WAN2 together, in one publication, and the sites stay reachable.
# Usage: test_lab_anchors.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

lab_start "$top/conf/lab-anchors.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac

site_via() { # site_via N -> the port of site N's active route
	ctl route print --json | /usr/bin/python3 -c '
import json, sys
n = sys.argv[1]
r = [x for x in json.load(sys.stdin) if x["dst"] == "198.18.%s.0/24" % n and x["active"]]
print(r[0]["nexthops"][0]["port"] if r else "none")' "$1"
}
count_active() { # count_active SUFFIX
	ctl route print --json | /usr/bin/python3 -c '
import json, sys
print(sum(1 for x in json.load(sys.stdin) if x["name"].startswith("site") and x["name"].endswith(sys.argv[1]) and x["active"]))' "$1"
}
[ "$(count_active -a)" -eq 50 ] && ok "all 50 sites active through WAN1's anchor" || bad "sites active via WAN1: $(count_active -a)"
ping_sites() {
	local n=0
	for i in 100 117 131 149; do
		ip netns exec sb-lan ping -c 1 -W 1 "198.18.$i.1" >/dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n"
}
[ "$(ping_sites)" -eq 4 ] && ok "sites answer pings" || bad "sites unreachable before the failure"

"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 50); do grep -q "route anchor1 inactive" "$log" && break; sleep 0.1; done
sleep 0.2
a=$(count_active -a); b=$(count_active -b)
if [ "$a" -eq 0 ] && [ "$b" -eq 50 ] && [ "$(site_via 131)" = wan2 ]; then
	ok "anchor1 failed: all 50 sites moved to WAN2"
else
	bad "after the anchor failed: $a via WAN1, $b via WAN2"
fi
# One publication moved them all: every site's backup turned active
# between the anchor's log line and that publication's "published" line.
moved=$(awk '/route anchor1 inactive/ {on = 1} on && /route site.*-b active/ {n++}
	on && /published state/ {print n + 0; exit}' "$log")
[ "${moved:-0}" -eq 50 ] && ok "in one publication ($(grep -m1 -A200 'route anchor1 inactive' "$log" | grep -m1 'published state' | sed 's/^.*rib: //'))" \
	|| bad "only ${moved:-0} site routes moved with the anchor's publication"
[ "$(ping_sites)" -eq 4 ] && ok "sites still answer, through WAN2" || bad "sites unreachable after failover"

"$lab" restore wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 60); do [ "$(count_active -a)" -eq 50 ] && break; sleep 0.1; done
[ "$(count_active -a)" -eq 50 ] && ok "anchor back: all 50 sites on WAN1 again" || bad "sites after restore: $(count_active -a)"

lab_stop
lab_finish
