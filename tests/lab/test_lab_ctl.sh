#!/usr/bin/env bash
# Lab test: every switchbackctl command against the running daemon, in
# text and in JSON (conf/lab-wan.ini with [metrics]) -- the commands that
# change state and the refusals too: with --json, stdout is always one
# JSON document ({"error": "..."} on a refusal) --, and the metrics
# scraped by a real Prometheus server (Debian's prometheus: its own temp
# dir, listening on 127.0.0.1 inside sb-gw, bounded run) whose query
# results move with traffic and with a failover (WAN1's gateway fails).
# Usage: test_lab_ctl.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/scripts/lab-lib.sh"
prom_pid=
lab_test_init "$bin"
trap '[ -n "$prom_pid" ] && kill $prom_pid 2>/dev/null; lab_cleanup' EXIT
command -v prometheus >/dev/null || { echo "FAIL prometheus missing (scripts/install-deps.sh)"; exit 1; }

cp "$top/conf/lab-wan.ini" "$work/c.ini"
printf '\n[metrics]\nlisten = 127.0.0.1:9469\n' >>"$work/c.ini"
lab_start "$work/c.ini"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')"; lab_finish; exit 1 ;;
esac
for _ in 1 2 3; do connect >/dev/null; done
ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" stream --count 20 \
	--interval 0.05 --sport 40200 >/dev/null

# json CMD... -- PYTHON: the command's --json answer must parse and pass
# the Python assertions on j.
json() {
	local args=() py out
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	py=$1
	out=$(ctl "${args[@]}" --json 2>&1)
	if echo "$out" | /usr/bin/python3 -c "import json, sys; j = json.load(sys.stdin); $py" 2>"$work/py.err"; then
		ok "${args[*]} --json"
	else
		bad "${args[*]} --json: $(cat "$work/py.err" | tail -1): $(echo "$out" | head -5)"
	fi
}
# json_err CMD... -- PYTHON: the command must fail (exit 1) and its stdout
# alone be JSON with an "error" string, passing the assertions on j; its
# stderr says the same in words.
json_err() {
	local args=() py out rc
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	py=$1
	out=$(ctl "${args[@]}" --json 2>"$work/ctl.err"); rc=$?
	if [ "$rc" -eq 1 ] && grep -q '^switchbackctl: error: ' "$work/ctl.err" &&
		echo "$out" | /usr/bin/python3 -c "import json, sys; j = json.load(sys.stdin); assert isinstance(j['error'], str) and j['error'], j; $py" 2>"$work/py.err"; then
		ok "${args[*]} --json refused in JSON"
	else
		bad "${args[*]} --json (exit $rc): $(tail -1 "$work/py.err"): $(echo "$out" | head -5) / $(head -2 "$work/ctl.err")"
	fi
}
# text CMD... -- REGEX: the text answer must match the extended REGEX.
text() {
	local args=() re out
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	re=$1
	out=$(ctl "${args[@]}" 2>&1)
	if grep -Eq -- "$re" <<<"$out"; then ok "${args[*]}"; else bad "${args[*]}: $(echo "$out" | head -8)"; fi
}

text route print -- '^AS +default-wan1 '
json route print -- 'r = {x["name"]: x for x in j}; assert r["default-wan1"]["active"]'
text wan print -- '^wan1 +up '
json wan print -- 'assert any(w["name"] == "wan1" for w in j["wans"]) if isinstance(j, dict) else any(w["name"] == "wan1" for w in j)'
text stats -- 'sessions'
json stats -- 'assert j'
text neighbor print -- '^203\.0\.113\.1 +wan1 +[0-9A-Fa-f:]{17} +reachable'
json neighbor print -- 'assert any(n["address"] == "203.0.113.1" and n["state"] == "reachable" for n in j)'
text status -- '^wan1 +up +[0-9.hms]+ +yes '
text status -- 'monitor 192\.0\.2\.53 +up +rtt'
json status -- 'w = {x["name"]: x for x in j["wans"]}; assert w["wan1"]["in_service"] and w["wan1"]["state"] == "up" and len(w["wan1"]["monitors"]) == 2 and w["wan1"]["sessions"] >= 1 and j["sessions"]["active"] >= 1'
text conntrack count -- '^sessions: [1-9][0-9]* of 65536'
json conntrack count -- 'assert j["by_wan"]["wan1"] >= 1 and j["by_wan"]["wan2"] == 0 and j["udp"] >= 1'
text conntrack print -- '^udp +192\.168\.1\.10:40200 +192\.0\.2\.80:8081 +203\.0\.113\.2:40200 +wan1 '
json conntrack print wan=wan1 src=192.168.1.0/24 limit 2 -- 'assert j["shown"] == 2 and j["matched"] >= 2 and all(s["wan"] == "wan1" and s["src"] == "192.168.1.10" for s in j["sessions"])'
json conntrack print src=10.0.0.0/8 -- 'assert j["shown"] == 0 and j["matched"] == 0'
text events -- 'no WAN state change since start'
json events -- 'assert j["events"] == [] and j["total"] == 0'
text route set default-wan2 distance 5 -- '^$'
json route set default-wan2 distance 2 -- 'assert j["ok"]'
text route disable survivor-wan2 -- '^$'
json route enable survivor-wan2 -- 'assert j["ok"]'
text reload -- 'reloaded .*: 0 change'
json reload -- 'assert j["applied"] and j["changes"] == []'
# The commands that change state, and refusals, answer in JSON too.
if [ "${SB_WORKERS:-1}" -gt 1 ]; then   # af_packet ports: no blocklist
	json_err block add 198.18.250.0/24 -- 'assert "AF_XDP" in j["error"]'
else
	json block add 198.18.250.0/24 -- 'assert j == {"ok": True}'
	json block print -- 'assert {"prefix": "198.18.250.0/24", "hits": 0} in j["blocks"]'
	json block del 198.18.250.0/24 -- 'assert j == {"ok": True}'
	text block add 198.18.250.0/24 -- '^$'
	text block del 198.18.250.0/24 -- '^$'
fi
json_err block add 198.18.250.300 -- 'assert "198.18.250.300" in j["error"]'
json route disable survivor-wan2 -- 'assert j == {"ok": True}'
json route enable survivor-wan2 -- 'assert j == {"ok": True}'
json_err route set no-such-route distance 3 -- 'assert j["error"] == "no static route named \"no-such-route\""'
json_err route enable 'a"b\c' -- 'assert j["error"] == "no static route named \"a\"b\\c\""'
json_err route set default-wan2 distance 0 -- 'assert "distance must be 1 to 255" in j["error"]'
json_err wan down wan9 -- 'assert j["error"] == "no WAN port named \"wan9\""'
json_err conntrack flush wan=wan9 -- 'assert "wan9" in j["error"]'
json_err conntrack print limit 0 -- 'assert "limit" in j["error"]'
json_err frobnicate -- 'assert "unknown command" in j["error"]'
# A refused reload: "error" first, then the file's errors.
cp "$work/c.ini" "$work/c.ini.good"
printf '\n[firewall x]\n' >>"$work/c.ini"
json_err reload -- 'assert j["error"].startswith("reload refused") and j["applied"] is False and len(j["errors"]) == 1 and "unknown section" in j["errors"][0]["message"]'
cp "$work/c.ini.good" "$work/c.ini"
# switchbackctl's own failure (nothing answers there).
out=$("$(dirname "$bin")/switchbackctl" -s "$work/no.sock" stats --json 2>/dev/null)
echo "$out" | /usr/bin/python3 -c 'import json, sys; assert "cannot reach switchback" in json.load(sys.stdin)["error"]' 2>/dev/null &&
	ok "no daemon: --json says why in JSON" || bad "no daemon --json: $out"

# Prometheus, scraping every second from inside sb-gw.
mkdir -p "$work/prom"
cat >"$work/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: switchback
    static_configs:
      - targets: ['127.0.0.1:9469']
YML
ip netns exec sb-gw timeout 120 prometheus --config.file="$work/prom/prometheus.yml" \
	--storage.tsdb.path="$work/prom/data" --web.listen-address=127.0.0.1:9090 \
	>"$work/prom/log" 2>&1 &
prom_pid=$!
# q EXPR: the first value of an instant query ("" when none).
q() {
	ip netns exec sb-gw curl -s --max-time 2 --data-urlencode "query=$1" \
		http://127.0.0.1:9090/api/v1/query | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
# wait_q EXPR PYCOND SECONDS: until float(v) satisfies PYCOND (v is the value).
wait_q() {
	local v
	for _ in $(seq $(( $3 * 4 ))); do
		v=$(q "$1")
		if [ -n "$v" ] && /usr/bin/python3 -c "import sys; v = float(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$v"; then
			echo "$v"; return 0
		fi
		sleep 0.25
	done
	echo "${v:-none}"; return 1
}
# expect_q EXPR PYCOND SECONDS WHAT: ok when EXPR satisfies PYCOND in time, else bad;
# both name WHAT and the value (the one that failed for bad).
expect_q() {
	local v
	if v=$(wait_q "$1" "$2" "$3"); then ok "prometheus: $4 ($v)"; else bad "prometheus: $4 ($v, wanted $2)"; fi
}
if v=$(wait_q 'up{job="switchback"}' 'v == 1' 30); then ok "prometheus scrapes switchback (up = $v)"
else bad "prometheus: up = $v; $(tail -3 "$work/prom/log")"; fi
expect_q 'switchback_wan_up{wan="wan1"}' 'v == 1' 10 "switchback_wan_up{wan=wan1} = 1"

# Traffic moves the counters: 200 datagrams through WAN1.
before=$(q 'switchback_port_transmit_packets_total{port="wan1"}')
ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" stream --count 200 \
	--interval 0.01 --sport 40201 >/dev/null
expect_q 'switchback_port_transmit_packets_total{port="wan1"}' "v >= ${before:-0} + 200" 10 \
	"wan1 transmit packets moved with traffic from ${before}"
expect_q 'rate(switchback_port_receive_bytes_total{port="lan"}[10s])' 'v > 0' 10 \
	"rate(lan receive bytes) in B/s"

# Sessions per WAN and punts per reason (issue 14); the raw scrape passes promtool.
expect_q 'switchback_wan_sessions_active{wan="wan1"}' 'v >= 2' 10 "switchback_wan_sessions_active{wan=wan1}"
expect_q 'switchback_wan_sessions_active{wan="wan2"}' 'v == 0' 5 "no active session on wan2"
expect_q 'switchback_punts_total{reason="arp"}' 'v >= 1' 5 "switchback_punts_total{reason=arp}"
# Probe replies: punted by the worker on af_packet ports (the two-worker
# run); on AF_XDP ports the XDP program hands them to control's packet
# socket past the worker (docs/afxdp.md), counted as its probe_reply.
if [ "${SB_WORKERS:-1}" -gt 1 ]; then
	expect_q 'switchback_punts_total{reason="probe_reply"}' 'v >= 1' 5 \
		"switchback_punts_total{reason=probe_reply}"
else
	expect_q 'switchback_xdp_packets_total{port="wan1",reason="probe_reply"}' 'v >= 1' 5 \
		"switchback_xdp_packets_total{port=wan1,reason=probe_reply}"
	expect_q 'switchback_punts_total{reason="probe_reply"}' 'v == 0' 5 \
		"no probe reply punted by the worker on AF_XDP"
fi
lab_promtool 127.0.0.1:9469 "the live scrape is clean"

# A failover: WAN1's gateway stops answering.
changes=$(q 'switchback_wan_state_changes_total{wan="wan1"}')
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1
expect_q 'switchback_wan_in_service{wan="wan1"}' 'v == 0' 15 "wan1 out of service after its gateway failed"
expect_q 'switchback_wan_up{wan="wan1"}' 'v == 0' 5 "switchback_wan_up{wan=wan1} = 0"
# (it may pass through degraded on its way down: loss before timeouts)
expect_q 'switchback_wan_state{wan="wan1",state="down"}' 'v == 1' 10 \
	"switchback_wan_state{wan=wan1,state=down} = 1"
expect_q 'switchback_wan_state_changes_total{wan="wan1"}' "v >= ${changes:-0} + 1" 5 \
	"wan1 state changes from ${changes}"
expect_q 'max(switchback_monitor_loss_ratio{wan="wan1"})' 'v > 0' 10 "wan1's monitors report loss"
wait_via 198.51.100.2 && ok "traffic on WAN2" || bad "no failover: '$line'"
text status -- '^wan1 +down +[0-9.hms]+ +NO '
text events -- 'wan1 +up +-> (degraded|down) +\(out of service\)'
json events -- 'e = [x for x in j["events"] if x["wan"] == "wan1"][-1]; assert e["new_state"] == "down" and not e["in_service"] and "192.0.2.53 timeout" in e["reason"]'
text wan down wan2 -- 'wan2'
json wan auto wan2 -- 'assert j'
text conntrack flush wan=wan2 -- 'sessions flushed on wan2'
json conntrack flush -- 'assert "flushed" in j'
"$lab" restore wan1 >>"$work/lab.log" 2>&1
expect_q 'switchback_wan_in_service{wan="wan1"}' 'v == 1' 20 "wan1 back in service"
text events -- 'wan1 +(down|degraded) +-> up +\(in service\)'

kill "$prom_pid" 2>/dev/null; wait "$prom_pid" 2>/dev/null; prom_pid=
lab_stop
lab_finish
