#!/usr/bin/env bash
# Lab test: quality thresholds (pfSense-like trigger levels).
# conf/lab.ini with loss_pct = 20 over a window of 10 rounds, and down_after
# raised to 100 so that only the loss threshold can take WAN1 down.
#  1. No loss: WAN1 stays up, wan print shows RTT, jitter and 0% loss.
#  2. 60% random loss on ISP1: WAN1 goes down for quality, traffic to WAN2.
#  3. Loss removed: WAN1 comes back.
# Usage: test_lab_quality.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

sed -e 's/^down_after = 3$/down_after = 100/' \
    -e 's/^hold_down_ms = 1000$/hold_down_ms = 1000\nloss_pct = 20\nwindow = 10/' \
    "$top/conf/lab.ini" >"$work/lab.ini"
grep -q '^loss_pct = 20' "$work/lab.ini" || { echo "FAIL could not derive the test config"; exit 1; }
lab_start "$work/lab.ini"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')" ;;
esac
sleep 2.5   # a whole window of clean rounds
if ctl wan print --json | /usr/bin/python3 -c '
import json, sys
w = {x["name"]: x for x in json.load(sys.stdin)}
p = w["wan1"]["probes"][0]
assert w["wan1"]["state"] == "up" and p["loss_pct"] == 0 and not p["degraded"]
assert 0 < p["rtt_avg_us"] < 100000 and p["jitter_us"] >= 0'; then
	ok "no loss: wan1 up, probes show RTT, jitter and 0% loss"
else
	bad "wan print: $(ctl wan print)"
fi

t0=$(now_ms)
"$lab" loss wan1 60 >>"$work/lab.log" 2>&1 || bad "loss injection"
for _ in $(seq 100); do grep -q "wan wan1 DOWN" "$log" && break; sleep 0.1; done
if grep -q "wan wan1 DOWN: quality below thresholds" "$log"; then
	ok "60% loss: $(grep -m1 'degraded: loss' "$log" | sed 's/^.*probe: //') -> wan1 DOWN after $(( $(log_ms "wan wan1 DOWN") - t0 )) ms"
else
	bad "wan1 not taken down by 60% loss within 10 s: $(grep -E 'wan1|degraded' "$log" | tail -3)"
fi
if wait_via 198.51.100.2; then ok "new connections through WAN2"; else bad "failover (got '$line')"; fi

"$lab" restore wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 100); do grep -q "wan wan1 UP" "$log" && break; sleep 0.1; done
grep -q "wan wan1 UP" "$log" && ok "loss gone: wan1 UP again" || bad "wan1 did not come back"
if wait_via 203.0.113.2; then ok "new connections through WAN1 again"; else bad "failback (got '$line')"; fi

lab_stop
lab_finish
