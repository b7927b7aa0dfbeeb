#!/usr/bin/env bash
# Lab test: the [notify] webhook (libcurl, from a notifier thread).
# conf/lab-wan.ini plus a webhook to a small HTTP server on 127.0.0.1 in
# sb-gw (tests/lab/webhook_server.py) that fails the first POST (503) and
# hangs on the second (3 s, beyond webhook_timeout_ms = 500), then accepts.
#  1. WAN1's gateway dies: the failover is as fast as without a webhook
#     (detection within interval x down_after + one interval), and
#     switchbackctl answers at once while the endpoint hangs: the control
#     thread never waits for HTTP.
#  2. The change is delivered as JSON after the retries (backoff logged).
#  3. WAN1 comes back: that change is delivered too, in order.
# Usage: test_lab_webhook.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

cp "$top/conf/lab-wan.ini" "$work/lab.ini"
printf '\n[notify]\nwebhook = http://127.0.0.1:8099/switchback\nwebhook_retries = 4\nwebhook_timeout_ms = 500\nwebhook_backoff_ms = 200\n' \
	>>"$work/lab.ini"
lab_start "$work/lab.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac
# No change before the first fault: the endpoint can start now (lab up
# would have killed it with the namespace).
ip netns exec sb-gw /usr/bin/python3 "$top/tests/lab/webhook_server.py" --port 8099 \
	--log "$work/posts.txt" --script fail,hang,ok --hang-s 3 --max-seconds 120 &
lab_track $!
for _ in $(seq 50); do ip netns exec sb-gw ss -ltn | grep -q 127.0.0.1:8099 && break; sleep 0.1; done
grep -q "webhook http://127.0.0.1:8099/switchback: 4 retries" "$log" && ok "webhook configured" ||
	bad "no webhook line in the log"

"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
# The rule took effect between these two stamps (lab.sh).
lab_fault_detect fault-wan1 "wan wan1 (DOWN|DEGRADED)" 2000
[ -n "$det" ] && [ $((det - slack)) -le 800 ] && ok "detection $det ms (bound 200 x 3 + 200, + the $slack ms the fault command took)" ||
	bad "detection $det ms > 800 + $slack"
# While the endpoint fails and hangs, control answers.
sleep 0.5
slow=0
for _ in 1 2 3 4 5; do
	a=$(now_ms)
	ctl wan print >/dev/null || slow=1000000
	b=$(now_ms)
	[ $((b - a)) -gt "$slow" ] && slow=$((b - a))
	sleep 0.3
done
[ "$slow" -lt 300 ] && ok "switchbackctl answered within $slow ms while the endpoint hung" ||
	bad "switchbackctl took $slow ms while the endpoint hung"
if wait_via 198.51.100.2; then ok "new connections through WAN2"; else bad "failover (got '$line')"; fi
for _ in $(seq 100); do grep -q " ok .*\"wan\": \"wan1\"" "$work/posts.txt" 2>/dev/null && break; sleep 0.1; done
first=$(head -1 "$work/posts.txt" | cut -d' ' -f3-)
if [ "$(awk '{print $2}' "$work/posts.txt" | head -3 | tr '\n' ' ')" = "fail hang ok " ] &&
   [ "$(sed -n 3p "$work/posts.txt" | cut -d' ' -f3-)" = "$first" ]; then
	ok "first change retried: 503, a hang (timed out), then delivered"
else
	bad "posts: $(cat "$work/posts.txt" 2>/dev/null)"
fi
if echo "$first" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["event"] == "change" and d["wan"] == "wan1" and d["old_state"] == "up"
assert d["new_state"] in ("down", "degraded") and d["in_service"] is False
assert "monitors" in d["reason"] and d["time"] > 0'; then
	ok "JSON body: $first"
else
	bad "JSON body: $first"
fi
grep -q "webhook attempt 1 failed (HTTP 503), retrying in 200 ms" "$log" &&
	grep -q "webhook attempt 2 failed (Timeout was reached), retrying in 400 ms" "$log" &&
	ok "backoff logged: 200 ms, then 400 ms" || bad "retries: $(grep webhook "$log")"

"$lab" restore wan1 >>"$work/lab.log" 2>&1
for _ in $(seq 100); do grep -q "wan wan1 UP" "$log" && break; sleep 0.1; done
for _ in $(seq 50); do grep -q '"new_state": "up"' "$work/posts.txt" && break; sleep 0.1; done
if grep '"wan": "wan1"' "$work/posts.txt" | grep ' ok ' | tail -1 | grep -q '"old_state": "[a-z]*", "new_state": "up"'; then
	ok "failback delivered: $(grep '"new_state": "up"' "$work/posts.txt" | tail -1 | cut -d' ' -f3- | cut -c1-120)"
else
	bad "failback not delivered: $(cat "$work/posts.txt")"
fi
lab_stop
grep -q "webhook: queued [0-9]* delivered [0-9]* failed 0 dropped 0" "$log" &&
	ok "summary: $(grep 'webhook: queued' "$log")" || bad "summary: $(grep 'webhook: queued' "$log")"
lab_finish
